"""One benchmark leg per process: glassnet, scikit-learn, PyTorch, JAX, the bare GEMM bound, or the small net.

``bench.py`` starts this file once per leg in a fresh interpreter (so each peak RSS belongs to one
implementation alone) and reads the single ``RESULT {...}`` line it prints. Each leg trains the same
network on the same rows with the same settings and reports seconds per epoch, test accuracy and
peak resident memory. Run one leg by hand with::

    PYTHONPATH=. python benchmarks/peers.py --leg glassnet --config '{"epochs": 2, "rows": 10000}'

Settings (the ``--config`` JSON; every key optional):

``sizes`` [784, 256, 128, 10]; ``epochs`` 3; ``batch_size`` 128; ``seed`` 0; ``rows`` (training rows,
None = all); ``data`` "fashion-mnist" or "synthetic" (random rows with labels from a random linear
teacher, for tests); ``data_dir`` (where the IDX files are, else the loader's usual places);
``n_synthetic`` / ``n_test_synthetic`` (sizes of the synthetic set); ``memmap`` (the path of a float32
.npy file of training rows to read through ``np.load(mmap_mode="r")``, with ``labels`` beside it);
``dtype`` "float32" (the legs ``glassnet_f64`` and ``gemm_f64`` run glassnet and the GEMM bound in float64).
The ``small`` leg (smallnet.py) takes the ``small_*`` settings of ``smallnet.SMALL_DEFAULTS``.

JAX runs on the CPU with ``XLA_FLAGS`` giving its Eigen thread pool one thread per core (``xla_cpu_flags``),
as numpy's OpenBLAS and PyTorch's OpenMP take them; the flags that ran are in the leg's result.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

import numpy as np

DEFAULTS = {
    "sizes": [784, 256, 128, 10],
    "epochs": 3,
    "batch_size": 128,
    "seed": 0,
    "rows": None,
    "data": "fashion-mnist",
    "data_dir": None,
    "n_synthetic": 2000,
    "n_test_synthetic": 500,
    "memmap": None,
    "learning_rate": 1e-3,
    "beta1": 0.9,
    "beta2": 0.999,
    "eps": 1e-8,
    "dtype": "float32",
}
LEGS = ("glassnet", "sklearn", "torch", "jax", "gemm", "glassnet_f64", "gemm_f64", "small")
# The float64 legs: glassnet and the GEMM bound on the same rows in float64 (the float64 target's pair).
FLOAT64_LEGS = {"glassnet_f64": "glassnet", "gemm_f64": "gemm"}


def settings(config: dict | None = None) -> dict:
    """The defaults overridden by ``config``."""
    merged = dict(DEFAULTS)
    merged.update(config or {})
    return merged


# -- data ------------------------------------------------------------------------------------------------
def synthetic(n: int, n_test: int, n_features: int, n_classes: int, seed: int):
    """Random rows in [0, 1) labelled by a random linear teacher (learnable, so accuracy means something)."""
    rng = np.random.default_rng(seed + 1000)
    teacher = rng.normal(size=(n_features, n_classes)).astype(np.float32)
    X = rng.random((n + n_test, n_features), dtype=np.float32)
    y = np.argmax((X - 0.5) @ teacher, axis=1).astype(np.int64)
    return X[:n], y[:n], X[n:], y[n:]


def load_data(cfg: dict):
    """(X_train, y_train, X_test, y_test), float32 rows and int64 labels, as the config asks."""
    sizes = cfg["sizes"]
    if cfg["data"] == "synthetic":
        return synthetic(cfg["n_synthetic"], cfg["n_test_synthetic"], sizes[0], sizes[-1], cfg["seed"])
    if cfg["memmap"]:  # rows stay on disk; a small in-memory slice stands in as the "test" rows
        X = np.load(cfg["memmap"], mmap_mode="r")
        y = np.load(cfg["memmap"].replace(".npy", "-labels.npy"))
        return X, y, np.array(X[:2000]), y[:2000]
    from glassnet.datasets.idx import load_fashion_mnist

    train, test = load_fashion_mnist(cfg["data_dir"])
    X, y = train.X, train.y
    if cfg["rows"] and cfg["rows"] < len(X):
        X, y = X[: cfg["rows"]].copy(), y[: cfg["rows"]].copy()  # the copy lets the full array go
        del train
    return X, y, test.X, test.y


def gemm_flops(sizes: list[int], rows: int) -> float:
    """Floating-point operations in one epoch's matrix products, the ones every peer computes.

    Per layer l (n_in x n_out) and sample: forward ``s = a @ W`` and BP4 ``a^T @ delta``, 2 n_in n_out
    each; BP2 ``delta @ W^T`` for every layer but the first (no one needs dJ/dX).
    """
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    per_sample = sum(2 * 2 * a * b for a, b in pairs) + sum(2 * a * b for a, b in pairs[1:])
    return float(per_sample) * rows


# -- legs ------------------------------------------------------------------------------------------------
def leg_glassnet(cfg, X, y, X_test, y_test):
    from glassnet.network import Network
    from glassnet.optimizers import Adam
    from glassnet.training import Callback, Trainer

    class AnonymousMemory(Callback):
        """Samples the process's anonymous memory (what it allocated, not mapped file pages)."""

        peak = 0.0

        def on_batch_end(self, trainer, batch, cost):
            if batch % 16 == 0:
                self.peak = max(self.peak, anonymous_mb())

    sizes = cfg["sizes"]
    net = Network.from_sizes(sizes, activation="relu", cost="cross_entropy", seed=cfg["seed"], dtype=cfg["dtype"])
    adam = Adam(cfg["learning_rate"], beta1=cfg["beta1"], beta2=cfg["beta2"], eps=cfg["eps"])
    memory = AnonymousMemory()
    callbacks = [memory] if cfg["memmap"] else []
    trainer = Trainer(net, X, y, batch_size=cfg["batch_size"], optimizer=adam, shuffle=True, callbacks=callbacks)
    seconds = []
    for _ in range(cfg["epochs"]):
        start = time.perf_counter()
        trainer.run_epoch()
        seconds.append(time.perf_counter() - start)
    accuracy = float(np.mean(net.predict_classes(X_test) == y_test))
    extra = {"peak_anon_mb": memory.peak} if cfg["memmap"] else {}
    extra["adam_fused"] = bool(adam.fused if adam.fused is not None else _numba_used(net.n_params))
    return seconds, accuracy, extra


def _numba_used(n_params: int) -> bool:
    from glassnet._fused import numba_available
    from glassnet.optimizers import Adam

    return numba_available() and n_params >= Adam.FUSED_MIN_PARAMS


def leg_sklearn(cfg, X, y, X_test, y_test):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    sizes = cfg["sizes"]
    model = MLPClassifier(
        hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu", solver="adam", alpha=0.0,
        batch_size=cfg["batch_size"], learning_rate_init=cfg["learning_rate"], beta_1=cfg["beta1"],
        beta_2=cfg["beta2"], epsilon=cfg["eps"], shuffle=True, tol=0.0, early_stopping=False,
        n_iter_no_change=10**9, max_iter=1, random_state=cfg["seed"],
    )
    classes = np.arange(sizes[-1])
    seconds = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(cfg["epochs"]):
            start = time.perf_counter()
            model.partial_fit(X, y, classes=classes)  # one shuffled epoch of Adam steps per call
            seconds.append(time.perf_counter() - start)
    accuracy = float(np.mean(model.predict(X_test) == y_test))
    return seconds, accuracy, {}


def leg_torch(cfg, X, y, X_test, y_test):
    import torch
    from torch import nn

    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(cfg["seed"])
    sizes = cfg["sizes"]
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=cfg["learning_rate"], betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["eps"], fused=True
    )
    loss_fn = nn.CrossEntropyLoss()
    X_t = torch.from_numpy(np.ascontiguousarray(X))  # no copy for an in-memory float32 array
    y_t = torch.from_numpy(np.asarray(y, dtype=np.int64))
    generator = torch.Generator().manual_seed(cfg["seed"])
    n, size = len(X_t), cfg["batch_size"]
    seconds = []
    for _ in range(cfg["epochs"]):
        start = time.perf_counter()
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for begin in range(0, n, size):
            rows = order[begin : begin + size]
            xb, yb = X_t[rows], y_t[rows]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)  # the epoch's cost, as glassnet and scikit-learn keep it
        seconds.append(time.perf_counter() - start)
    with torch.no_grad():
        predicted = model(torch.from_numpy(np.ascontiguousarray(X_test))).argmax(dim=1).numpy()
    return seconds, float(np.mean(predicted == y_test)), {}


def xla_cpu_flags(threads: int) -> str:
    """XLA_FLAGS for JAX on the CPU: its Eigen thread pool on ``threads`` threads (numpy's OpenBLAS uses the cores)."""
    return f"--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads={threads}"


def leg_jax(cfg, X, y, X_test, y_test):
    """JAX: one jitted step (forward, softmax cross-entropy, grad, optax Adam update); the epoch loop in Python.

    Each epoch draws a permutation (numpy, seeded) and each batch gathers ``X[rows]`` inside the jitted step
    from the arrays already on the device, as the PyTorch leg gathers ``X_t[rows]``. The epoch's cost is
    summed on the device inside the step (no per-batch host sync) and the epoch ends with
    ``block_until_ready``. He-normal weights and zero biases (glassnet's choice for ReLU layers).
    """
    threads = os.cpu_count() or 1
    os.environ["XLA_FLAGS"] = " ".join(filter(None, [os.environ.get("XLA_FLAGS", ""), xla_cpu_flags(threads)]))
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import jax.numpy as jnp
    import optax

    sizes = cfg["sizes"]
    key = jax.random.PRNGKey(cfg["seed"])
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        key, sub = jax.random.split(key)
        params.append((jax.random.normal(sub, (n_in, n_out), jnp.float32) * np.sqrt(2.0 / n_in),
                       jnp.zeros(n_out, jnp.float32)))

    def logits(params, x):
        for w, b in params[:-1]:
            x = jax.nn.relu(x @ w + b)
        w, b = params[-1]
        return x @ w + b

    def loss_fn(params, x, labels):
        return optax.softmax_cross_entropy_with_integer_labels(logits(params, x), labels).mean()

    optimizer = optax.adam(cfg["learning_rate"], b1=cfg["beta1"], b2=cfg["beta2"], eps=cfg["eps"])
    opt_state = optimizer.init(params)

    @jax.jit
    def step(params, opt_state, total, X_d, y_d, rows):
        xb, yb = X_d[rows], y_d[rows]
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, total + loss * rows.shape[0]

    X_d = jax.device_put(np.ascontiguousarray(X))
    y_d = jax.device_put(np.asarray(y, dtype=np.int32))
    rng = np.random.default_rng(cfg["seed"])
    n, size = len(X), cfg["batch_size"]
    seconds, costs = [], []
    for _ in range(cfg["epochs"]):
        start = time.perf_counter()
        order = rng.permutation(n).astype(np.int32)
        total = jnp.zeros((), jnp.float32)
        for begin in range(0, n, size):
            params, opt_state, total = step(params, opt_state, total, X_d, y_d, order[begin : begin + size])
        jax.block_until_ready((params, total))
        seconds.append(time.perf_counter() - start)
        costs.append(float(total) / n)
    predicted = np.asarray(jax.jit(logits)(params, jnp.asarray(X_test)).argmax(axis=1))
    extra = {"xla_flags": os.environ["XLA_FLAGS"], "jax_version": jax.__version__, "epoch_costs": costs,
             "jax_devices": [str(d) for d in jax.devices()]}
    return seconds, float(np.mean(predicted == y_test)), extra


def gemm_buffers(sizes: list[int], size: int, dtype: np.dtype, seed: int) -> tuple[list, ...]:
    """The GEMM bound's arrays for layers of ``sizes`` and batches of ``size`` rows: the (n_in, n_out) pairs, the
    weights, their gradients, the activations, the deltas and BP2's products, made once and reused."""
    rng = np.random.default_rng(seed)
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    weights = [(rng.standard_normal((a, b)) * 0.05).astype(dtype) for a, b in pairs]
    grads = [np.empty_like(w) for w in weights]
    acts = [np.empty((size, b), dtype=dtype) for b in sizes[1:]]
    deltas = [rng.standard_normal((size, b)).astype(dtype) for b in sizes[1:]]
    back = [np.empty((size, a), dtype=dtype) for a in sizes[:-1]]
    return pairs, weights, grads, acts, deltas, back


def leg_gemm(cfg, X, y, X_test, y_test):
    """np.matmul alone: one epoch's matrix products on the same shapes, into reused buffers."""
    sizes, size, dtype = cfg["sizes"], cfg["batch_size"], np.dtype(cfg["dtype"])
    pairs, weights, grads, acts, deltas, back = gemm_buffers(sizes, size, dtype, cfg["seed"])
    n = len(X)
    seconds = []
    for _ in range(cfg["epochs"]):
        start = time.perf_counter()
        for begin in range(0, n - size + 1, size):
            a = X[begin : begin + size]
            inputs = [a]
            for k, w in enumerate(weights):                     # forward: s = a @ W
                a = np.matmul(a, w, out=acts[k])
                inputs.append(a)
            for k in range(len(weights) - 1, -1, -1):
                np.matmul(inputs[k].T, deltas[k], out=grads[k])  # BP4: a^T @ delta
                if k > 0:
                    np.matmul(deltas[k], weights[k].T, out=back[k])  # BP2: delta @ W^T
        tail = n % size
        if tail:  # the last, shorter batch, as the trainers see it
            a = X[n - tail :]
            inputs = [a]
            for w in weights:
                a = a @ w
                inputs.append(a)
            for k in range(len(weights) - 1, -1, -1):
                inputs[k].T @ deltas[k][:tail]
                if k > 0:
                    deltas[k][:tail] @ weights[k].T
        seconds.append(time.perf_counter() - start)
    return seconds, None, {}


def blas_info() -> list[dict]:
    """Which BLAS runs, its kernel (architecture) and thread count, from threadpoolctl when present."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keys = ("internal_api", "architecture", "num_threads", "version", "prefix")
    return [{k: info.get(k) for k in keys} for info in threadpool_info()]


def _status_mb(field: str) -> float | None:
    """A memory line of /proc/self/status (Linux) in MB, or None where there is none."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return None


def anonymous_mb() -> float:
    """The process's anonymous resident memory now (RssAnon: what it allocated, not mapped file pages)."""
    return _status_mb("RssAnon") or 0.0


def peak_rss_mb() -> float:
    """The process's peak resident set size in MB.

    VmHWM, the high-water mark of this program's own address space; ru_maxrss is the fallback, but on
    Linux it can carry over the parent's size from before ``exec``.
    """
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def run(leg: str, config: dict | None = None) -> dict:
    """Run one leg in this process and return its measurements."""
    cfg = settings(config)
    if leg == "small":
        return run_small_leg(cfg)
    if leg in FLOAT64_LEGS:
        cfg["dtype"] = "float64"
    start = time.perf_counter()
    X, y, X_test, y_test = load_data(cfg)
    if cfg["dtype"] != "float32":  # converted once, before timing, for both float64 legs alike
        X, X_test = np.asarray(X, dtype=cfg["dtype"]), np.asarray(X_test, dtype=cfg["dtype"])
    load_seconds = time.perf_counter() - start
    dataset_mb = (X.nbytes + X_test.nbytes) / 1e6 if not isinstance(X, np.memmap) else X_test.nbytes / 1e6
    function = {"glassnet": leg_glassnet, "sklearn": leg_sklearn, "torch": leg_torch, "jax": leg_jax,
                "gemm": leg_gemm}[FLOAT64_LEGS.get(leg, leg)]
    seconds, accuracy, extra = function(cfg, X, y, X_test, y_test)
    result = {
        **extra,
        "leg": leg,
        "seconds": seconds,
        "median_seconds": float(np.median(seconds)),
        "test_accuracy": accuracy,
        "rows": len(X),
        "flops_per_epoch": gemm_flops(cfg["sizes"], len(X)),
        "peak_rss_mb": peak_rss_mb(),
        "dataset_mb": dataset_mb,
        "load_seconds": load_seconds,
        "blas": blas_info(),
        "dtype": cfg["dtype"],
    }
    if leg == "torch":
        import torch

        result["torch_threads"] = torch.get_num_threads()
        result["torch_version"] = torch.__version__
    if leg == "jax":
        result["threads"] = os.cpu_count()
    return result


def run_small_leg(cfg: dict) -> dict:
    """The learner-sized leg (see smallnet.py): glassnet and the hand-written loop, interleaved here."""
    from smallnet import run_small

    result = run_small(cfg)
    seconds = result["seconds_each_block"]["glassnet"]
    return {"leg": "small", **result, "seconds": seconds, "median_seconds": float(np.median(seconds)),
            "test_accuracy": None, "peak_rss_mb": peak_rss_mb(), "blas": blas_info()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leg", choices=LEGS, required=True)
    parser.add_argument("--config", default="{}", help="JSON settings (see the module docstring)")
    args = parser.parse_args(argv)
    result = run(args.leg, json.loads(args.config))
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
