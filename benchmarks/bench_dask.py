"""A hyper-parameter sweep's wall time on a Dask LocalCluster with 1 and with 2 workers.

The sweep: GridSearchCV over glassnet's MLPClassifier (8 settings x 3 folds = 24 fits, plus the refit) on
a seeded synthetic problem. Each leg runs the same search under joblib's Dask backend on a fresh
``LocalCluster(host="127.0.0.1", processes=True, threads_per_worker=1)``; the legs alternate (1 worker,
2 workers; and again) so that drift of the machine hits both alike, and the speed-up is taken within each
round. The cluster's start-up and a warm-up fit in each worker (imports, numba's compile) are not timed.
Every leg's ``cv_results_`` must equal the default backend's.

joblib's Dask backend takes its number of jobs from the cluster's threads, so on a one-thread cluster it
runs the search in the calling process, as the default backend does: the workers' CPU seconds (the last
column) show where the fits ran. The 1-worker leg is therefore the serial baseline, with joblib's Dask
bookkeeping around it.

Usage, from the repository root (``make bench-dask`` does this in .venv)::

    python benchmarks/bench_dask.py              # 3 rounds
    python benchmarks/bench_dask.py --quick      # 1 round on a smaller sweep

Results: benchmarks/results/dask.json (written atomically) and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread per worker: the workers share the cores
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "dask.json"


def problem(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 20)).astype(np.float32)
    y = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2] - 0.5 * X[:, 3] > 0).astype(np.int64)
    return X, y


def search(quick: bool):
    from sklearn.model_selection import GridSearchCV

    from glassnet.estimators import MLPClassifier

    grid = {"hidden_layer_sizes": [(32,), (64, 32)], "alpha": [1e-4, 1e-2], "learning_rate_init": [1e-3, 3e-3]}
    estimator = MLPClassifier(max_iter=10 if quick else 30, random_state=0, tol=0.0, n_iter_no_change=1000)
    return GridSearchCV(estimator, grid, cv=3, n_jobs=-1)


def _warm_up() -> None:
    """Import, and compile the fused Adam kernel (numba), in a worker: a real cluster's workers stay up."""
    from glassnet.estimators import MLPClassifier

    X, y = problem(20)
    MLPClassifier(hidden_layer_sizes=(4,), max_iter=1, random_state=0).fit(X, y)


def timed_on_cluster(workers: int, X: np.ndarray, y: np.ndarray, quick: bool) -> tuple[float, float, dict]:
    import joblib
    from distributed import Client, LocalCluster

    with LocalCluster(host="127.0.0.1", n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        client.run(_warm_up)  # untimed
        cpu_before = client.run(time.process_time)
        with joblib.parallel_backend("dask"):
            start = time.perf_counter()
            result = search(quick).fit(X, y)
            seconds = time.perf_counter() - start
        cpu_after = client.run(time.process_time)
    # the workers' CPU seconds: equal for 1 and 2 workers when the work is the same and only its spread differs
    cpu = sum(cpu_after[w] - cpu_before[w] for w in cpu_after)
    return seconds, cpu, result.cv_results_


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 round of a smaller sweep")
    parser.add_argument("--rounds", type=int, help="rounds of (1 worker, 2 workers); default 3 (1 with --quick)")
    args = parser.parse_args(argv)
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    rounds = args.rounds or (1 if args.quick else 3)
    X, y = problem(2_000 if args.quick else 6_000)

    start = time.perf_counter()
    reference = search(args.quick).set_params(n_jobs=1).fit(X, y).cv_results_  # the default backend, in process
    in_process = time.perf_counter() - start
    times: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(rounds):
        for workers in (1, 2):
            seconds, cpu_seconds, results = timed_on_cluster(workers, X, y, args.quick)
            for key in ("params", "mean_test_score"):
                if list(results[key]) != list(reference[key]):
                    print(f"the {workers}-worker search's {key} differ from the default backend's", file=sys.stderr)
                    return 1
            times[workers].append(seconds)
            cpu[workers].append(cpu_seconds)
    speedups = [one / two for one, two in zip(times[1], times[2], strict=True)]
    record = {
        "what": "GridSearchCV of MLPClassifier, 8 settings x 3 folds, on a Dask LocalCluster (processes)",
        "rows": len(X), "quick": args.quick, "rounds": rounds,
        "seconds_default_backend_n_jobs_1": in_process, "seconds_1_worker": times[1], "seconds_2_workers": times[2],
        "worker_cpu_seconds_1_worker": cpu[1], "worker_cpu_seconds_2_workers": cpu[2],
        "load_average_at_end": os.getloadavg(),
        "speedup_per_round": speedups, "median_speedup": statistics.median(speedups),
        "results_equal_default_backend": True,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    from glassnet.fileio import atomic_write_bytes

    RESULTS.parent.mkdir(exist_ok=True)
    atomic_write_bytes(RESULTS, (json.dumps(record, indent=2) + "\n").encode())
    print("| workers | wall time per sweep (s), each round | median | workers' CPU seconds, each round |")
    print("|---|---|---|---|")
    print(f"| none (default backend, n_jobs=1, in this process) | {in_process:.2f} | {in_process:.2f} | |")
    for workers in (1, 2):
        each = ", ".join(f"{t:.2f}" for t in times[workers])
        spent = ", ".join(f"{t:.2f}" for t in cpu[workers])
        print(f"| {workers} | {each} | {statistics.median(times[workers]):.2f} | {spent} |")
    print(f"\nspeed-up of 2 workers over 1, per round: {', '.join(f'{s:.2f}x' for s in speedups)} "
          f"(median {record['median_speedup']:.2f}x on {os.cpu_count()} cores, shared with whatever else runs)")
    print("every search's cv_results_ equal the default backend's; load average now "
          + ", ".join(f"{v:.1f}" for v in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
