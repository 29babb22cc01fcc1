"""A hyper-parameter sweep's wall time on a Dask LocalCluster with 1 and with 2 workers.

The sweep: the fits of a grid search over glassnet's MLPClassifier (8 settings x 3 stratified folds = 24 fits)
on a seeded synthetic problem. Each fit is one task, sent with ``client.map`` to a fresh
``LocalCluster(host="127.0.0.1", processes=True, threads_per_worker=1)`` of 1 or of 2 workers; each task
reports the address of the worker it ran on, so the table shows that every fit ran on the cluster and how
the fits were spread. One thread per worker and one BLAS thread per process: the 1-worker leg uses one core,
the 2-worker leg two, which is the fair comparison on a 2-core machine. The legs alternate (1 worker,
2 workers; and again) so that drift of the machine hits both alike, and the speed-up is taken within each
round. The cluster's start-up, the scatter of the data and a warm-up fit in each worker (imports, numba's
compile) are not timed. Every leg's fold scores must equal those of scikit-learn's GridSearchCV run in this
process with the default backend.

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
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread per worker: the workers share the cores
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "dask.json"
GRID = {"hidden_layer_sizes": [(32,), (64, 32)], "alpha": [1e-4, 1e-2], "learning_rate_init": [1e-3, 3e-3]}
FOLDS = 3


def problem(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 20)).astype(np.float32)
    y = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2] - 0.5 * X[:, 3] > 0).astype(np.int64)
    return X, y


def estimator(quick: bool, max_iter: int | None = None):
    from glassnet.estimators import MLPClassifier

    iterations = max_iter if max_iter is not None else (10 if quick else 30)
    return MLPClassifier(max_iter=iterations, random_state=0, tol=0.0, n_iter_no_change=1000)


def search(quick: bool, grid: dict | None = None, max_iter: int | None = None):
    """scikit-learn's GridSearchCV of the same fits: the reference the cluster's scores must equal."""
    from sklearn.model_selection import GridSearchCV

    return GridSearchCV(estimator(quick, max_iter), grid or GRID, cv=FOLDS, n_jobs=1, refit=False)


def tasks(X: np.ndarray, y: np.ndarray, grid: dict | None = None
          ) -> list[tuple[int, int, dict, np.ndarray, np.ndarray]]:
    """(setting, fold, params, train rows, test rows) for every fit, in GridSearchCV's order and folds."""
    from sklearn.base import is_classifier
    from sklearn.model_selection import ParameterGrid, check_cv

    splits = list(check_cv(FOLDS, y, classifier=is_classifier(estimator(True))).split(X, y))
    return [(i, k, params, train, test) for i, params in enumerate(ParameterGrid(grid or GRID))
            for k, (train, test) in enumerate(splits)]


def fit_and_score(task: tuple, X: np.ndarray, y: np.ndarray, quick: bool, max_iter: int | None = None
                  ) -> tuple[int, int, float, str]:
    """One fit of the sweep, run on a Dask worker: (setting, fold, test accuracy, the worker's address)."""
    import warnings

    from distributed import get_worker
    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # max_iter is the sweep's budget

    setting, fold, params, train, test = task
    model = estimator(quick, max_iter).set_params(**params).fit(X[train], y[train])
    return setting, fold, float(model.score(X[test], y[test])), get_worker().address


def _warm_up() -> None:
    """Import, and compile the fused kernels (numba), in a worker: a real cluster's workers stay up."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from glassnet.estimators import MLPClassifier

    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    X, y = problem(20)
    MLPClassifier(hidden_layer_sizes=(4,), max_iter=1, random_state=0).fit(X, y)


def run_on(client: Any, X: np.ndarray, y: np.ndarray, quick: bool, grid: dict | None = None,
           max_iter: int | None = None) -> tuple[float, float, np.ndarray, list[str]]:
    """Time the sweep's fits as tasks on the client's workers.

    Returns (wall seconds, the workers' CPU seconds, the fold scores as a (settings, folds) array, the
    address each fit ran on).
    """
    client.run(_warm_up)  # untimed
    X_future, y_future = client.scatter([X, y], broadcast=True)  # the data on every worker, untimed
    work = tasks(X, y, grid)
    cpu_before = client.run(time.process_time)
    start = time.perf_counter()
    futures = client.map(fit_and_score, work, X=X_future, y=y_future, quick=quick, max_iter=max_iter, pure=False)
    done = client.gather(futures)
    seconds = time.perf_counter() - start
    cpu_after = client.run(time.process_time)
    # the workers' CPU seconds: about equal for 1 and 2 workers when the work is the same and only its spread differs
    cpu = sum(cpu_after[w] - cpu_before[w] for w in cpu_after)
    scores = np.full((max(t[0] for t in work) + 1, FOLDS), np.nan)
    for setting, fold, score, _ in done:
        scores[setting, fold] = score
    return seconds, cpu, scores, [address for *_, address in done]


def timed_on_cluster(workers: int, X: np.ndarray, y: np.ndarray, quick: bool
                     ) -> tuple[float, float, np.ndarray, list[str], list[str]]:
    """run_on a fresh process cluster of `workers` workers of one thread each; also its workers' addresses."""
    from distributed import Client, LocalCluster

    with LocalCluster(host="127.0.0.1", n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        addresses = sorted(client.scheduler_info()["workers"])
        seconds, cpu, scores, ran_on = run_on(client, X, y, quick)
    return seconds, cpu, scores, ran_on, addresses


def reference_scores(result: dict) -> np.ndarray:
    return np.column_stack([np.asarray(result[f"split{k}_test_score"], dtype=float) for k in range(FOLDS)])


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
    reference = reference_scores(search(args.quick).fit(X, y).cv_results_)  # the default backend, in process
    in_process = time.perf_counter() - start
    times: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    spread: dict[int, list[dict[str, int]]] = {1: [], 2: []}
    for _ in range(rounds):
        for workers in (1, 2):
            seconds, cpu_seconds, scores, ran_on, addresses = timed_on_cluster(workers, X, y, args.quick)
            if not np.array_equal(scores, reference):
                print(f"the {workers}-worker sweep's fold scores differ from GridSearchCV's", file=sys.stderr)
                return 1
            if not set(ran_on) <= set(addresses) or len(set(ran_on)) != workers:
                print(f"the {workers}-worker sweep ran on {sorted(set(ran_on))}, not on all of {addresses}",
                      file=sys.stderr)
                return 1
            times[workers].append(seconds)
            cpu[workers].append(cpu_seconds)
            spread[workers].append(dict(Counter(ran_on)))
    speedups = [one / two for one, two in zip(times[1], times[2], strict=True)]
    record = {
        "what": "24 fits of MLPClassifier (8 settings x 3 folds) as client.map tasks on a Dask LocalCluster "
                "(processes, 1 thread per worker, 1 BLAS thread)",
        "rows": len(X), "quick": args.quick, "rounds": rounds,
        "seconds_default_backend_n_jobs_1": in_process, "seconds_1_worker": times[1], "seconds_2_workers": times[2],
        "worker_cpu_seconds_1_worker": cpu[1], "worker_cpu_seconds_2_workers": cpu[2],
        "fits_per_worker_1_worker": spread[1], "fits_per_worker_2_workers": spread[2],
        "load_average_at_end": os.getloadavg(),
        "speedup_per_round": speedups, "median_speedup": statistics.median(speedups),
        "scores_equal_gridsearchcv_default_backend": True,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    from glassnet.fileio import atomic_write_bytes

    RESULTS.parent.mkdir(exist_ok=True)
    atomic_write_bytes(RESULTS, (json.dumps(record, indent=2) + "\n").encode())
    print("| workers | wall time per sweep (s), each round | median | workers' CPU seconds, each round | "
          "fits per worker |")
    print("|---|---|---|---|---|")
    print(f"| none (GridSearchCV, n_jobs=1, in this process) | {in_process:.2f} | {in_process:.2f} | | |")
    for workers in (1, 2):
        each = ", ".join(f"{t:.2f}" for t in times[workers])
        spent = ", ".join(f"{t:.2f}" for t in cpu[workers])
        fits = "; ".join("/".join(str(n) for n in counts.values()) for counts in spread[workers])
        print(f"| {workers} | {each} | {statistics.median(times[workers]):.2f} | {spent} | {fits} |")
    print(f"\nspeed-up of 2 workers over 1, per round: {', '.join(f'{s:.2f}x' for s in speedups)} "
          f"(median {record['median_speedup']:.2f}x on {os.cpu_count()} cores, shared with whatever else runs)")
    print("every fit ran on a worker of its cluster; every sweep's fold scores equal GridSearchCV's in this "
          "process; load average now " + ", ".join(f"{v:.1f}" for v in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
