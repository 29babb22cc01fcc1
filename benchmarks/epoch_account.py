"""An exact account of one glassnet epoch: each phase of ``Trainer.step`` timed, beside the GEMM bound's products.

The benchmark network (784-256-128-10 ReLU, softmax cross-entropy, Adam 1e-3, batch 128, Fashion-MNIST rows)
trains in one process by a copy of ``Trainer.step`` with ``time.perf_counter`` between its phases (the gather
of the batch's rows; each layer's forward product ``s = a_{l-1} @ W`` and its bias and activation
``a = f(s + b)``; the cost and the accuracy; the output delta (BP1); each layer's BP3 ``dJ/db = sum delta``,
BP4 ``dJ/dW = a_{l-1}^T @ delta`` and BP2 product ``delta @ W^T`` with its slope ``* f'(s)``; Adam; the rest).
The copy calls the library's own functions in the library's order, and is checked: after the timed epochs
its parameters must equal, bit for bit, those of a plain ``Trainer`` that ran ``run_epoch`` as often (the
script stops otherwise). Nothing is added to the library's hot path.

In the same process, interleaved with those epochs (round by round: plain epoch, accounted epoch, the GEMM
bound accounted, the GEMM bound plain): the GEMM bound (``peers.leg_gemm``: np.matmul alone on the same
products) timed product by product the same way, and the machine's copy bandwidth (``np.copyto``) at the size
of Adam's arrays and at a size that lives in main memory. Each memory-bound phase gets its bytes moved and
the time those bytes take at the copy bandwidth: the floor no single-threaded kernel beats.

    python benchmarks/epoch_account.py                       # 60,000 rows, 5 rounds, float32
    python benchmarks/epoch_account.py --rows 20000 --rounds 3 --dtype float64 --out benchmarks/results/account.json

Figures are medians over the rounds; the shares are of the accounted epoch's total. Run it on an idle
machine (with two cores, any other busy process makes two-thread BLAS wait at every product).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import numpy as np  # noqa: E402
import peers  # noqa: E402

from glassnet.activations import bias_and_value  # noqa: E402
from glassnet.network import Network  # noqa: E402
from glassnet.optimizers import Adam  # noqa: E402
from glassnet.training import Trainer  # noqa: E402

clock = time.perf_counter


def make_trainer(cfg: dict, dtype: str) -> Trainer:
    X, y, _, _ = peers.load_data(cfg)
    net = Network.from_sizes(cfg["sizes"], activation="relu", cost="cross_entropy", seed=0, dtype=dtype)
    trainer = Trainer(net, X, y, batch_size=cfg["batch_size"], optimizer=Adam(1e-3), shuffle=True)
    trainer.X = np.ascontiguousarray(trainer.X, dtype=dtype)
    return trainer


def phase_names(sizes: list[int], activation: str = "relu") -> list[str]:
    """The phases of one step, in the order they run."""
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    names = ["gather"]
    for k, (a, b) in enumerate(pairs):
        names.append(f"forward product {a}x{b}")
        names.append(f"bias + {'softmax' if k == len(pairs) - 1 else activation} {b}")
    names += ["cost", "accuracy", "output delta (BP1)"]
    for k in range(len(pairs) - 1, -1, -1):
        a, b = pairs[k]
        names.append(f"BP3 sum delta {b}")
        names.append(f"BP4 product {a}x{b}")
        if k > 0:
            names.append(f"BP2 product {b}x{a}")
            names.append(f"slope {a}")
    return names + ["Adam", "rest"]


def accounted_step(trainer: Trainer, acc: dict[str, float], names: list[str]) -> None:
    """``Trainer.step`` for the benchmark's case (no dropout, sample weights, L1 or L2), with a clock read
    between its phases; each phase's seconds are added to ``acc[name]``. The same calls in the same order."""
    t0 = clock()
    run = trainer._epoch_run
    if run is None:
        run = trainer._begin_epoch()
    net = trainer.network
    cost_fn = net.cost_function
    i = 0  # the next phase in `names`
    t = clock()
    acc["rest"] += t - t0
    xb, yb, wb = next(run.batches)
    u = clock(); acc[names[i]] += u - t; t = u; i += 1  # noqa: E702  gather
    a = xb
    for layer in net.layers:  # Dense.forward, in its two parts
        weights, bias, s, out = layer._batch_arrays(a.shape[0])
        np.matmul(a, weights, out=s)
        u = clock(); acc[names[i]] += u - t; t = u; i += 1  # noqa: E702
        bias_and_value(layer.activation, s, bias, out)
        layer.a_prev, layer.s, layer.a = a, s, out
        a = out
        u = clock(); acc[names[i]] += u - t; t = u; i += 1  # noqa: E702
    batch_cost = cost_fn.value(net.layers[-1].s, a, yb, weights=wb)
    if not math.isfinite(batch_cost):
        raise RuntimeError("the cost became NaN or infinite in the accounted epoch")
    run.total_cost += batch_cost * len(xb)
    u = clock(); acc[names[i]] += u - t; t = u; i += 1  # noqa: E702  cost
    run.correct += cost_fn.accuracy(a, yb) * len(xb)  # type: ignore[operator]  # a float for cross-entropy
    u = clock(); acc[names[i]] += u - t; t = u; i += 1  # noqa: E702  accuracy
    layers = net.layers  # Network.backpropagate, phase by phase
    output, rows = layers[-1], len(yb)
    delta = cost_fn.output_delta(output.s, output.a, yb, output.activation, out=output.delta_buffer(rows))
    u = clock(); acc[names[i]] += u - t; t = u; i += 1  # noqa: E702  BP1
    for l in range(len(layers) - 1, -1, -1):  # noqa: E741
        layer = layers[l]
        layer.delta = delta
        np.add.reduce(delta, axis=0, out=layer.grad_bias)
        u = clock(); acc[names[i]] += u - t; t = u; i += 1  # noqa: E702  BP3
        np.matmul(layer.a_prev.T, delta, out=layer.grad_weights)
        u = clock(); acc[names[i]] += u - t; t = u; i += 1  # noqa: E702  BP4
        if l > 0:
            below = layers[l - 1]
            delta = np.matmul(delta, layer.weights.T, out=below.delta_buffer(rows))
            u = clock(); acc[names[i]] += u - t; t = u; i += 1  # noqa: E702  BP2
            below.times_slope(delta)
            u = clock(); acc[names[i]] += u - t; t = u; i += 1  # noqa: E702  slope
    net.add_l2_gradient(trainer.l2, run.n)
    net.add_l1_gradient(trainer.l1, run.n)
    t1 = clock()
    acc["rest"] += t1 - t
    trainer.optimizer.step(net.params, net.grads)
    t = clock()
    acc["Adam"] += t - t1
    for callback in trainer.callbacks:
        callback.on_batch_end(trainer, run.batch, batch_cost)
    run.batch += 1
    if run.batch == run.n_batches:
        trainer._end_epoch(run)
    acc["rest"] += clock() - t


def accounted_epoch(trainer: Trainer, names: list[str]) -> tuple[dict[str, float], float]:
    """One epoch by :func:`accounted_step`: seconds per phase, and the epoch's wall time."""
    acc: dict[str, float] = dict.fromkeys(names, 0.0)
    if trainer._dropout is not None or trainer.weights is not None or trainer.callbacks:
        raise RuntimeError("the account covers the benchmark's trainer only (no dropout, weights, callbacks)")
    epoch = trainer.epoch
    start = clock()
    while trainer.epoch == epoch:
        accounted_step(trainer, acc, names)
    return acc, clock() - start


def gemm_account(X: np.ndarray, sizes: list[int], size: int, seed: int) -> dict[str, float]:
    """``peers.leg_gemm``'s epoch of products (forward, BP4, BP2 on the same shapes, contiguous batches of X)
    with a clock read after each product; seconds per product, named as in :func:`phase_names`."""
    pairs, weights, grads, acts, deltas, back = peers.gemm_buffers(sizes, size, X.dtype, seed)
    forward = [f"forward product {a}x{b}" for a, b in pairs]
    bp4 = [f"BP4 product {a}x{b}" for a, b in pairs]
    bp2 = [f"BP2 product {b}x{a}" for a, b in pairs]
    acc: dict[str, float] = defaultdict(float)
    n = len(X)
    t = clock()
    for begin in range(0, n, size):
        a = X[begin : begin + size]
        m = len(a)
        inputs = [a]
        for k, w in enumerate(weights):
            a = np.matmul(a, w, out=acts[k][:m])
            inputs.append(a)
            u = clock(); acc[forward[k]] += u - t; t = u  # noqa: E702
        for k in range(len(weights) - 1, -1, -1):
            np.matmul(inputs[k].T, deltas[k][:m], out=grads[k])
            u = clock(); acc[bp4[k]] += u - t; t = u  # noqa: E702
            if k > 0:
                np.matmul(deltas[k][:m], weights[k].T, out=back[k][:m])
                u = clock(); acc[bp2[k]] += u - t; t = u  # noqa: E702
    return dict(acc)


def copy_bandwidth(nbytes: int, repeats: int) -> float:
    """Bytes per second that ``np.copyto`` moves (read plus written) for arrays of ``nbytes``, median of 5."""
    src = np.ones(max(nbytes // 8, 1), dtype=np.float64)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # pages mapped, caches warm
    rates = []
    for _ in range(5):
        start = clock()
        for _ in range(repeats):
            np.copyto(dst, src)
        rates.append(2 * src.nbytes * repeats / (clock() - start))
    return statistics.median(rates)


def bytes_per_epoch(trainer: Trainer, names: list[str]) -> dict[str, float]:
    """The bytes each memory-bound phase reads and writes in one epoch (each array counted once per pass)."""
    net, n = trainer.network, len(trainer.X)
    item = net.params.dtype.itemsize
    steps = trainer.n_batches
    out: dict[str, float] = {"gather": 2.0 * n * (trainer.X.shape[1] + trainer.Y.shape[1]) * item,
                             "Adam": 7.0 * net.params.size * item * steps}  # reads p, g, m, v; writes p, m, v
    for name in names:
        last = name.rsplit(" ", 1)[-1]
        if name.startswith("bias + "):
            out[name] = 3.0 * n * int(last) * item  # reads s (b is in cache), writes s and a
        elif name.startswith("slope "):
            out[name] = 3.0 * n * int(last) * item  # reads delta and s, writes delta
        elif name.startswith("BP3"):
            out[name] = 1.0 * n * int(last) * item  # reads delta
    k = net.n_outputs
    out["cost"] = 2.0 * n * k * item
    out["accuracy"] = 2.0 * n * k * item
    out["output delta (BP1)"] = 3.0 * n * k * item
    return out


def run(rows: int | None, rounds: int, dtype: str, config: dict | None = None, memory_bytes: int = 512 << 20) -> dict:
    """The account's figures: ``rounds`` interleaved rounds on ``rows`` rows (``config`` overrides
    ``peers.settings``, e.g. synthetic data for a test), and the copy bandwidth at ``memory_bytes``."""
    cfg = peers.settings({"rows": rows, **(config or {}), "dtype": dtype, "epochs": 1})
    trainer, plain = make_trainer(cfg, dtype), make_trainer(cfg, dtype)
    sizes = [layer.n_in for layer in trainer.network.layers] + [trainer.network.n_outputs]
    names = phase_names(sizes)
    X = trainer.X
    # the warm-up: numba's kernels loaded, buffers made, pages faulted in, BLAS threads started
    plain.run_epoch(), accounted_epoch(trainer, names), gemm_account(X, sizes, cfg["batch_size"], 0)
    peers.leg_gemm(cfg, X, None, None, None)
    accounts, walls, plain_walls, gemms, gemm_walls = [], [], [], [], []
    for r in range(rounds):
        start = clock()
        plain.run_epoch()
        plain_walls.append(clock() - start)
        acc, wall = accounted_epoch(trainer, names)
        accounts.append(acc)
        walls.append(wall)
        gemms.append(gemm_account(X, sizes, cfg["batch_size"], r))
        gemm_walls.append(peers.leg_gemm({**cfg, "seed": r}, X, None, None, None)[0][0])
    if not np.array_equal(trainer.network.params, plain.network.params):
        raise SystemExit("the accounted epochs did not give the plain Trainer's parameters bit for bit: "
                         "epoch_account.accounted_step no longer mirrors Trainer.step")
    median = {name: statistics.median(a[name] for a in accounts) for name in names}
    gemm = {name: statistics.median(g[name] for g in gemms) for name in gemms[0]}
    params_bytes = trainer.network.params.nbytes
    bandwidth = {"adam_working_set": copy_bandwidth(4 * params_bytes, 20),
                 "batch_rows": copy_bandwidth(cfg["batch_size"] * X.shape[1] * X.itemsize, 200),
                 "main_memory": copy_bandwidth(memory_bytes, 2)}
    return {"sizes": sizes, "batch_size": cfg["batch_size"],
            "rows": len(X), "dtype": dtype, "rounds": rounds, "steps": trainer.n_batches, "names": names,
            "glassnet": median, "gemm": gemm, "total": statistics.median(sum(a.values()) for a in accounts),
            "gemm_total": statistics.median(sum(g.values()) for g in gemms), "accounted_wall": statistics.median(walls),
            "plain_wall": statistics.median(plain_walls), "gemm_wall": statistics.median(gemm_walls),
            "bytes": bytes_per_epoch(trainer, names), "bandwidth": bandwidth, "params": trainer.network.params.size,
            "bit_for_bit": True, "memory_bytes": memory_bytes}


def report(result: dict) -> str:
    g, gemm, names, nbytes = result["glassnet"], result["gemm"], result["names"], result["bytes"]
    total = result["total"]  # the median of the rounds' totals (medians of the phases need not add up to it)
    bw_cache, bw_memory = result["bandwidth"]["adam_working_set"], result["bandwidth"]["main_memory"]
    lines = [
        f"One epoch of {'-'.join(map(str, result['sizes']))} ReLU, Adam, batch {result['batch_size']}, "
        f"{result['rows']} rows ({result['steps']} steps), "
        f"{result['dtype']}; median of {result['rounds']} interleaved rounds",
        "",
        "| phase | glassnet s/epoch | share | GEMM bound s/epoch | MB moved | GB/s | floor at copy bandwidth (s) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in names:
        b = nbytes.get(name)
        bound = gemm.get(name)
        moved = "" if b is None else f"{b / 1e6:.0f}"
        rate = "" if b is None or g[name] <= 0 else f"{b / g[name] / 1e9:.1f}"
        floor = "" if b is None else f"{b / (bw_memory if name == 'gather' else bw_cache):.4f}"
        lines.append(f"| {name} | {g[name]:.4f} | {100 * g[name] / total:.1f}% | "
                     f"{'' if bound is None else f'{bound:.4f}'} | {moved} | {rate} | {floor} |")
    products = sum(v for k, v in g.items() if "product" in k)
    bound_total = result["gemm_total"]
    lines.append(f"| **total** | **{total:.4f}** | 100% | **{bound_total:.4f}** | | | |")
    other = total - products
    target = 0.85 if result["dtype"] == "float32" else 0.80  # issue 14's floors: float32, float64
    budget = bound_total / target - products
    lines += [
        "",
        f"Matrix products in glassnet's step: {products:.4f} s ({100 * products / total:.0f}%); the same products "
        f"alone (the GEMM bound): {bound_total:.4f} s, so glassnet's products run at "
        f"{bound_total / products:.2f} of the bound's speed.",
        f"Everything else: {other:.4f} s. Fraction of the GEMM bound: {bound_total / total:.3f} "
        f"(accounted epoch's wall {result['accounted_wall']:.4f} s, plain run_epoch {result['plain_wall']:.4f} s, "
        f"plain GEMM bound {result['gemm_wall']:.4f} s: {result['gemm_wall'] / result['plain_wall']:.3f} of it).",
        f"To reach {target:.2f} with the products as they run here, everything else must fit in {budget:.4f} s "
        f"({'already' if budget >= other else f'{other - budget:.4f} s less than now'}); "
        f"at {target:.2f} with products at the bound's speed: {bound_total / target - bound_total:.4f} s.",
        f"Copy bandwidth (np.copyto, read + write): {bw_cache / 1e9:.1f} GB/s at Adam's working set "
        f"({4 * result['params'] * np.dtype(result['dtype']).itemsize / 1e6:.1f} MB), "
        f"{result['bandwidth']['batch_rows'] / 1e9:.1f} GB/s at one batch of rows, "
        f"{bw_memory / 1e9:.1f} GB/s in main memory ({result['memory_bytes'] / 2**20:.0f} MB).",
        f"Adam moves {nbytes['Adam'] / result['steps'] / 1e6:.1f} MB per step (reads params, grads, m, v; writes "
        f"params, m, v): {nbytes['Adam'] / bw_cache:.4f} s per epoch at the copy bandwidth, against "
        f"{g['Adam']:.4f} s measured.",
        f"Parameters after the accounted epochs equal the plain Trainer's bit for bit: {result['bit_for_bit']}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="Fashion-MNIST training rows (default all 60,000)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--out", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    result = run(args.rows, args.rounds, args.dtype)
    print(report(result))
    if args.out:
        from bench import write_json

        write_json(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
