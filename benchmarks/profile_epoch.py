"""Where a glassnet epoch spends its time: cProfile of ``Trainer.run_epoch`` on the benchmark networks.

Two profiles, each after one warm-up epoch: the benchmark network (784-256-128-10 ReLU, Adam, batch 128,
float32, Fashion-MNIST rows) for one epoch, and the learner-sized network of ``smallnet.py`` (2-8-8-2 tanh,
SGD, batch 10) for ``--small-epochs`` epochs (one epoch there is only 20 steps). Prints the top entries by
time spent in the function itself (``tottime``) and, with ``--out``, writes them as JSON.

    python benchmarks/profile_epoch.py                 # 60,000 rows; --rows 15000 for a quicker look
    python benchmarks/profile_epoch.py --top 15 --out benchmarks/results/profile.json

cProfile adds a fixed cost to every Python call, so it inflates call-heavy work (the small network) more
than the matrix products; read the shares, not the absolute seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import peers  # noqa: E402
import smallnet  # noqa: E402


def top_entries(profile: cProfile.Profile, top: int) -> tuple[list[dict], float]:
    """The ``top`` functions by own time: name, calls, own seconds, cumulative seconds; and the total."""
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{Path(filename).name}:{line}" if line else filename
        rows.append({"function": f"{name} ({where})", "calls": calls, "own_seconds": own,
                     "cumulative_seconds": cumulative})
    rows.sort(key=lambda r: r["own_seconds"], reverse=True)
    return rows[:top], stats.total_tt  # type: ignore[attr-defined]


def profile(run, repeat: int) -> cProfile.Profile:
    run()  # warm-up: first-call costs (imports, buffers, numba) stay out of the profile
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        run()
    profiler.disable()
    return profiler


def benchmark_trainer(rows: int | None):
    from glassnet.network import Network
    from glassnet.optimizers import Adam
    from glassnet.training import Trainer

    cfg = peers.settings({"rows": rows})
    X, y, _, _ = peers.load_data(cfg)
    net = Network.from_sizes(cfg["sizes"], activation="relu", cost="cross_entropy", seed=0, dtype="float32")
    return Trainer(net, X, y, batch_size=128, optimizer=Adam(1e-3), shuffle=True)


def table(title: str, entries: list[dict], total: float) -> str:
    lines = [title, "", "| function | calls | own s | share of total | cumulative s |", "|---|---:|---:|---:|---:|"]
    for e in entries:
        lines.append(f"| `{e['function']}` | {e['calls']} | {e['own_seconds']:.3f} | "
                     f"{100 * e['own_seconds'] / total:.1f}% | {e['cumulative_seconds']:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="Fashion-MNIST training rows (default all 60,000)")
    parser.add_argument("--small-epochs", type=int, default=200, help="epochs of the small network (20 steps each)")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--out", type=Path, help="also write the entries as JSON")
    args = parser.parse_args(argv)

    trainer = benchmark_trainer(args.rows)
    big, big_total = top_entries(profile(trainer.run_epoch, 1), args.top)
    small_trainer, _ = smallnet.pair({**smallnet.SMALL_DEFAULTS, "seed": 0})
    small, small_total = top_entries(profile(small_trainer.run_epoch, args.small_epochs), args.top)
    print(table(f"One epoch of 784-256-128-10 ReLU, Adam, batch 128, {len(trainer.X)} rows "
                f"(total {big_total:.3f} s under cProfile)", big, big_total))
    print()
    print(table(f"{args.small_epochs} epochs of 2-8-8-2 tanh, SGD, batch 10, 200 rows "
                f"({args.small_epochs * 20} steps; total {small_total:.3f} s under cProfile)", small, small_total))
    if args.out:
        from bench import write_json

        write_json(args.out, {"benchmark_network": {"total_seconds": big_total, "top": big},
                              "small_network": {"total_seconds": small_total, "top": small,
                                                "epochs": args.small_epochs}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
