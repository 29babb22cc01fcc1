"""Dask: sweeps on a LocalCluster equal the default backend's; out-of-core training over the blocks of an
on-disk array, in bounded memory, equals training on the same rows in memory."""

from __future__ import annotations

import sys
import tracemalloc

import numpy as np
import pytest

da = pytest.importorskip("dask.array", reason="the Dask tests need glassnet[dask] (dask[array])")
distributed = pytest.importorskip("distributed", reason="the Dask tests need glassnet[dask] (distributed)")
pytest.importorskip("sklearn", reason="glassnet's estimators need scikit-learn")

import joblib  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402

from glassnet import InputError, InputTypeError  # noqa: E402
from glassnet.distributed import partial_fit_blocks  # noqa: E402
from glassnet.estimators import MLPClassifier, MLPRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def problem(rng, n, features=6):
    X = rng.normal(size=(n, features)).astype(np.float32)
    labels = np.where(X[:, 0] * X[:, 1] > 0, "same", "other")
    target = X[:, 0] - 0.5 * X[:, 2] ** 2 + np.sin(X[:, 3])
    return X, labels, target


@pytest.fixture(scope="module")
def client():
    # threads in this process, talking over TCP on the loopback address only
    cluster = distributed.LocalCluster(host="127.0.0.1", protocol="tcp", n_workers=2, threads_per_worker=1,
                                       processes=False, dashboard_address=None)
    with cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


def test_grid_search_on_a_local_cluster_equals_the_default_backend(client, rng):
    X, labels, _ = problem(rng, 300)
    grid = {"hidden_layer_sizes": [(4,), (8, 4)], "alpha": [1e-4, 1e-1], "activation": ["tanh", "relu"]}
    estimator = MLPClassifier(max_iter=15, random_state=0)
    default = GridSearchCV(estimator, grid, cv=3).fit(X, labels)
    with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
        on_dask = GridSearchCV(estimator, grid, cv=3, n_jobs=-1).fit(X, labels)
    assert len(client.scheduler_info()["workers"]) == 2
    assert len({task["worker"] for task in tasks.data}) == 2  # the fits ran on both of the cluster's workers
    for key in ("params", "mean_test_score", "split0_test_score", "split1_test_score", "split2_test_score"):
        assert list(on_dask.cv_results_[key]) == list(default.cv_results_[key]), key
    assert on_dask.best_params_ == default.best_params_
    assert np.array_equal(on_dask.best_estimator_.network_.params, default.best_estimator_.network_.params)


def test_randomized_search_of_a_regressor_on_dask(client, rng):
    X, _, target = problem(rng, 240)
    space = {"learning_rate_init": [1e-3, 3e-3, 1e-2, 3e-2], "hidden_layer_sizes": [(3,), (6,), (9,)]}
    estimator = MLPRegressor(max_iter=10, random_state=1)
    default = RandomizedSearchCV(estimator, space, n_iter=5, cv=2, random_state=0).fit(X, target)
    with joblib.parallel_backend("dask"), distributed.get_task_stream(client) as tasks:
        on_dask = RandomizedSearchCV(estimator, space, n_iter=5, cv=2, random_state=0, n_jobs=-1).fit(X, target)
    assert tasks.data  # the fits ran on the cluster
    assert list(on_dask.cv_results_["params"]) == list(default.cv_results_["params"])
    assert np.array_equal(on_dask.cv_results_["mean_test_score"], default.cv_results_["mean_test_score"])


def on_disk(path, rng, n, features):
    """An (n, features) float32 array in a file, written a slice at a time (never held whole)."""
    array = np.memmap(path, dtype=np.float32, mode="w+", shape=(n, features))
    for start in range(0, n, 20_000):
        array[start:start + 20_000] = rng.normal(size=(min(20_000, n - start), features))
    array.flush()
    return np.memmap(path, dtype=np.float32, mode="r", shape=(n, features))


def dask_from_file(path, n, features, block):
    """A Dask array whose blocks are read from the file when computed (from_array would copy a memmap)."""
    import dask

    def read(start, stop):
        return np.array(np.memmap(path, dtype=np.float32, mode="r", shape=(n, features))[start:stop])

    parts = [da.from_delayed(dask.delayed(read)(start, min(start + block, n)),
                             shape=(min(start + block, n) - start, features), dtype=np.float32)
             for start in range(0, n, block)]
    return da.concatenate(parts)


@pytest.mark.parametrize("source", ["dask", "memmap"])
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_out_of_core_training_in_bounded_memory_equals_training_in_memory(kind, source, tmp_path, rng):
    n, features, block = 96_000, 16, 2_000
    path = tmp_path / "X.float32"
    X_disk = on_disk(path, rng, n, features)
    y = (X_disk[:, 0] * X_disk[:, 1] > 0).astype(np.int64) if kind == "classifier" else X_disk[:, 0] - X_disk[:, 2]
    y = np.ascontiguousarray(y)
    cls = MLPClassifier if kind == "classifier" else MLPRegressor
    # block is a multiple of batch_size and nothing is shuffled: the batches of fit on the whole array
    options = dict(hidden_layer_sizes=(8,), batch_size=200, shuffle=False, random_state=0, max_iter=2, tol=0.0,
                   n_iter_no_change=100)
    X = dask_from_file(path, n, features, block) if source == "dask" else X_disk
    blocks = {} if source == "dask" else {"block_rows": block}
    if kind == "classifier":
        blocks["classes"] = [0, 1]  # (by default a pass over y would find them)

    allowed = X_disk.nbytes // 4  # X on disk is 4 times what the training may hold in memory at once
    tracemalloc.start()
    try:
        streamed = partial_fit_blocks(cls(**options), X, y, epochs=2, scheduler="synchronous", **blocks)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"peak {peak / 1e6:.2f} MB for X of {X_disk.nbytes / 1e6:.2f} MB on disk")
    assert peak < allowed, f"peak {peak / 1e6:.1f} MB, allowed {allowed / 1e6:.1f} MB"

    in_memory = cls(**options).fit(np.array(X_disk), y)  # X read whole into memory, 2 epochs
    assert np.array_equal(streamed.network_.params, in_memory.network_.params)


def test_plain_arrays_in_blocks_with_sample_weight(rng):
    X, labels, _ = problem(rng, 1_000)
    weights = rng.uniform(0.5, 2.0, size=1_000)
    options = dict(hidden_layer_sizes=(5,), batch_size=100, shuffle=False, random_state=3, max_iter=1)
    streamed = partial_fit_blocks(MLPClassifier(**options), X, labels, block_rows=250, sample_weight=weights,
                                  scheduler="synchronous")
    reference = MLPClassifier(**options)
    for start in range(0, 1_000, 250):  # the same rows in the same order, by hand
        part = slice(start, start + 250)
        reference.partial_fit(X[part], labels[part], sample_weight=weights[part], classes=["other", "same"])
    assert list(streamed.classes_) == ["other", "same"]
    assert np.array_equal(streamed.network_.params, reference.network_.params)


def test_refusals_name_the_fix(rng):
    X, labels, _ = problem(rng, 100)
    with pytest.raises(InputTypeError, match="no partial_fit"):
        partial_fit_blocks(object(), X, labels, block_rows=10)
    with pytest.raises(InputError, match="block_rows="):
        partial_fit_blocks(MLPClassifier(), X, labels)
    with pytest.raises(InputError, match="epochs"):
        partial_fit_blocks(MLPClassifier(), X, labels, block_rows=10, epochs=0)
    with pytest.raises(InputError, match="needs y"):
        partial_fit_blocks(MLPClassifier(), X, None, block_rows=10)
    with pytest.raises(InputError, match="one row per row of X"):
        partial_fit_blocks(MLPClassifier(), X, labels[:50], block_rows=10)
    estimator = MLPClassifier()
    with pytest.raises(InputError, match="classes="):
        partial_fit_blocks(estimator, X, np.column_stack([labels == "same", labels == "other"]), block_rows=10)
    assert "network_" not in estimator.__dict__  # a refused call changed nothing


def test_arrays_in_blocks_need_no_dask(monkeypatch, rng):
    X, labels, _ = problem(rng, 40)
    monkeypatch.setitem(sys.modules, "dask", None)  # import dask now fails
    monkeypatch.setitem(sys.modules, "dask.array", None)
    options = dict(hidden_layer_sizes=(3,), batch_size=10, shuffle=False, random_state=0, max_iter=1)
    streamed = partial_fit_blocks(MLPClassifier(**options), X, labels, block_rows=20)
    assert np.array_equal(streamed.network_.params, MLPClassifier(**options).fit(X, labels).network_.params)


def test_the_sweep_benchmark_runs_every_fit_on_the_workers_with_gridsearchcvs_scores(client, rng):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        import bench_dask
    finally:
        sys.path.pop(0)
    X, y = bench_dask.problem(150)
    grid = {"hidden_layer_sizes": [(3,)], "alpha": [1e-4, 1e-1]}
    seconds, cpu, scores, ran_on = bench_dask.run_on(client, X, y, quick=True, grid=grid, max_iter=3)
    addresses = set(client.scheduler_info()["workers"])
    assert len(ran_on) == 2 * bench_dask.FOLDS  # one task per (setting, fold)
    assert set(ran_on) <= addresses and len(set(ran_on)) == 2  # every fit ran on a worker, and both had work
    reference = bench_dask.search(True, grid, max_iter=3).fit(X, y).cv_results_  # in this process, no Dask
    for k in range(bench_dask.FOLDS):
        assert np.array_equal(scores[:, k], reference[f"split{k}_test_score"]), k
    assert seconds > 0 and cpu >= 0
