"""Sparse X (scipy.sparse CSR and CSC, matrices and arrays): the first layer works on the sparse matrix.

References: the dense path on the same rows (same seed, same batches) and central differences of the cost
on the dense float64 X, never the sparse path's own output.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")

import glassnet  # noqa: E402
from glassnet import InputError, InputTypeError, Network  # noqa: E402
from glassnet.gradcheck import numerical_gradient  # noqa: E402
from glassnet.sparse import CSRRows, check_sparse_X, is_sparse  # noqa: E402
from glassnet.training import Trainer  # noqa: E402

FORMATS = {
    "csr_array": sp.csr_array, "csr_matrix": sp.csr_matrix, "csc_array": sp.csc_array,
    "csc_matrix": sp.csc_matrix, "coo_array": sp.coo_array,
}
TOLERANCE = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-11, atol=1e-13)}


def sparse_data(n=240, d=60, density=0.08, classes=3, seed=0):
    """A sparse X (CSR, float64) with labels that depend on it, so training moves the weights."""
    rng = np.random.default_rng(seed)
    X = sp.random_array((n, d), density=density, format="csr", rng=rng)
    y = np.asarray(X @ rng.standard_normal((d, classes))).argmax(axis=1)
    return X, y


def small_net(d, classes, dtype, seed=3):
    return Network.from_sizes([d, 7, classes], activation="tanh", cost="cross_entropy", seed=seed, dtype=dtype)


# -- the engine: equal to the dense path ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_fit_equals_the_dense_path(fmt, dtype):
    X, y = sparse_data()
    weights = np.random.default_rng(1).uniform(0.5, 2, len(y))
    runs = []
    for data in (FORMATS[fmt](X), X.toarray()):
        net = small_net(X.shape[1], 3, dtype)
        history = net.fit(
            data, y, epochs=4, batch_size=25, optimizer="adam", learning_rate=0.02, l2=1e-3,
            validation_split=0.25, sample_weight=weights,
        )
        runs.append((net, history))
    (sparse_net, sparse_history), (dense_net, dense_history) = runs
    assert dense_net.params.dtype == np.dtype(dtype) and sparse_net.params.dtype == np.dtype(dtype)
    assert not np.allclose(dense_net.params, small_net(X.shape[1], 3, dtype).params)  # training moved them
    np.testing.assert_allclose(sparse_net.params, dense_net.params, **TOLERANCE[dtype])
    np.testing.assert_allclose(sparse_history.cost, dense_history.cost, **TOLERANCE[dtype])
    np.testing.assert_allclose(sparse_history.val_cost, dense_history.val_cost, **TOLERANCE[dtype])
    assert is_sparse(sparse_net.layers[0].a_prev)  # the first layer saw sparse batches, not dense copies


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_predict_forward_evaluate_cost_equal_the_dense_path(dtype):
    X, y = sparse_data(n=2500)  # more rows than one slice of predict
    net = small_net(X.shape[1], 3, dtype)
    dense = X.toarray()
    tol = TOLERANCE[dtype]
    for fmt in ("csr_matrix", "csc_array"):
        S = FORMATS[fmt](X)
        np.testing.assert_allclose(net.predict(S), net.predict(dense), **tol)
        np.testing.assert_allclose(net.forward(S), net.forward(dense), **tol)
        sparse_eval, dense_eval = net.evaluate(S, y), net.evaluate(dense, y)
        np.testing.assert_allclose(sparse_eval.outputs, dense_eval.outputs, **tol)
        assert sparse_eval.cost == pytest.approx(dense_eval.cost, rel=tol["rtol"])
        assert sparse_eval.accuracy == dense_eval.accuracy
        assert net.cost(S, y, l2=0.1) == pytest.approx(net.cost(dense, y, l2=0.1), rel=tol["rtol"])
        np.testing.assert_array_equal(net.predict_classes(S), net.predict_classes(dense))
        assert net.predict(S).dtype == np.dtype(dtype)


def test_backpropagation_on_sparse_X_matches_finite_differences():
    """BP4 on the sparse X, against central differences of the cost on the dense float64 X."""
    X, y = sparse_data(n=40, d=12, density=0.2)
    net = small_net(12, 3, "float64")
    gradients = net.gradients(X, y, l2=0.05)
    backprop = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in gradients])
    dense_X, Y = net.check_XY(X.toarray(), y)
    slopes = numerical_gradient(net, dense_X, Y, eps=1e-6, l2=0.05)
    np.testing.assert_allclose(backprop, slopes, rtol=1e-6, atol=1e-9)
    assert np.abs(gradients[0][0]).max() > 1e-3  # the first layer's weight gradient is not trivially zero


def test_trainer_steps_and_validation_data_sparse():
    X, y = sparse_data()
    val = sparse_data(n=50, seed=9)
    nets = [small_net(X.shape[1], 3, "float64") for _ in range(2)]
    sparse_trainer = Trainer(nets[0], sp.csc_matrix(X), y, batch_size=32, validation_data=(val[0], val[1]))
    dense_trainer = Trainer(nets[1], X.toarray(), y, batch_size=32, validation_data=(val[0].toarray(), val[1]))
    for _ in range(sparse_trainer.n_batches + 3):  # one epoch and a few steps into the next
        assert sparse_trainer.step() == pytest.approx(dense_trainer.step(), rel=1e-12)
    np.testing.assert_allclose(nets[0].params, nets[1].params, rtol=1e-11, atol=1e-13)
    assert sparse_trainer.logs["val_cost"] == pytest.approx(dense_trainer.logs["val_cost"], rel=1e-12)


def test_a_shuffled_epoch_of_a_big_sparse_X_stays_far_below_its_dense_size():
    """200,000 x 50,000 at 0.01% density: 40 GB dense in float32, about 9 MB as CSR."""
    n, d, per_row = 200_000, 50_000, 5
    rng = np.random.default_rng(0)
    X = sp.csr_array(
        (rng.random(n * per_row, dtype=np.float32), rng.integers(0, d, n * per_row).astype(np.int32),
         np.arange(0, n * per_row + 1, per_row, dtype=np.int32)),
        shape=(n, d),
    )
    y = rng.integers(0, 2, n)
    warm = Network.from_sizes([d, 8, 1], activation="relu", cost="binary_cross_entropy", seed=0)
    warm.fit(X[:1000], y[:1000], epochs=1, batch_size=500, optimizer="adam")  # compiles the optimizer's kernels
    net = Network.from_sizes([d, 8, 1], activation="relu", cost="binary_cross_entropy", seed=0)
    before = net.params.copy()
    dense_bytes = n * d * 4
    tracemalloc.start()
    try:
        history = net.fit(X, y, epochs=1, batch_size=500, optimizer="adam")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(history) == 1 and np.isfinite(history.cost[0])
    assert not np.array_equal(net.params, before)
    # a dense copy of even one batch (500 x 50,000 float32) would be 100 MB; the network's own state
    # (weights, gradients, Adam's two moments) is 6.4 MB
    assert peak < 32e6, f"peak {peak / 1e6:.1f} MB"
    assert peak < dense_bytes / 1000


# -- checks ---------------------------------------------------------------------------------------------------
def test_nan_and_inf_in_the_stored_values_are_refused_naming_where():
    X, y = sparse_data()
    net = small_net(X.shape[1], 3, "float32")
    before = net.params.copy()
    bad = X.copy()
    bad.data[7] = np.nan
    row, col = int(np.searchsorted(bad.indptr, 7, side="right") - 1), int(bad.indices[7])
    with pytest.raises(InputError, match=rf"NaN at index \({row}, {col}\).*impute"):
        net.fit(bad, y, epochs=1)
    bad.data[7] = -np.inf
    with pytest.raises(InputError, match="infinite value"):
        net.predict(sp.csc_array(bad))
    with pytest.raises(InputError, match="infinite value"):
        net.fit(X, y, epochs=1, validation_data=(bad, y))
    np.testing.assert_array_equal(net.params, before)  # a refused call changes nothing


def test_a_finite_value_beyond_float32_is_named_as_too_large_not_as_missing():
    X, y = sparse_data()
    net = small_net(X.shape[1], 3, "float32")
    before = net.params.copy()
    bad = X.astype(np.float64)
    bad.data[5] = 1e39  # finite in float64; float32's largest number is (2 - 2**-23) * 2**127 ~ 3.4e38
    row, col = int(np.searchsorted(bad.indptr, 5, side="right") - 1), int(bad.indices[5])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy cast warning on the way
        with pytest.raises(InputError, match=rf"1e\+39 at index \({row}, {col}\).*beyond float32") as caught:
            net.fit(bad, y, epochs=1)
    assert "impute" not in str(caught.value)
    np.testing.assert_array_equal(net.params, before)


def test_wrong_shapes_and_types_are_refused():
    X, y = sparse_data()
    net = small_net(X.shape[1], 3, "float32")
    with pytest.raises(InputError, match="61 columns but the network's first layer takes 60"):
        net.predict(sp.hstack([X, X[:, :1]], format="csr"))
    with pytest.raises(InputError, match="empty"):
        net.predict(X[:0])
    with pytest.raises(InputError, match="2-D"):
        check_sparse_X(sp.coo_array(np.ones(4)), None)
    with pytest.raises(InputTypeError, match="complex"):
        net.predict(X.astype(np.complex128))
    for values in (np.array(["a", "b"], dtype=object), np.array(["1", "2"])):
        text = sp.csr_array(np.eye(2))
        text.data = values
        with pytest.raises(InputTypeError, match="must hold numbers.*encode text as numbers first"):
            check_sparse_X(text, 2)
    with pytest.raises(InputError, match="X has 240 rows but Y has 239"):
        net.fit(X, y[:-1], epochs=1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_integer_and_boolean_sparse_X_are_cast_to_the_networks_dtype_as_dense(dtype):
    X, y = sparse_data()
    counts = (X * 10).astype(np.int64)
    net = small_net(X.shape[1], 3, dtype)
    checked = net.check_X(counts)
    assert isinstance(checked, CSRRows) and checked.dtype == np.dtype(dtype) and len(checked) == X.shape[0]
    np.testing.assert_allclose(net.predict(counts), net.predict(counts.toarray()), **TOLERANCE[dtype])
    flags = counts > 0
    np.testing.assert_allclose(net.predict(flags), net.predict(flags.toarray()), **TOLERANCE[dtype])


def test_checking_shares_the_arrays_of_a_csr_of_the_right_dtype():
    X, _ = sparse_data()
    checked = check_sparse_X(X, X.shape[1], np.dtype(np.float64))
    assert np.shares_memory(checked.data, X.data) and np.shares_memory(checked.indices, X.indices)
    assert isinstance(checked[np.array([3, 1])], CSRRows) and len(checked[5:9]) == 4
    assert pickle.loads(pickle.dumps(checked)).toarray().tolist() == X.toarray().tolist()


def test_slices_of_rows_are_the_rows_and_full_batches_do_not_copy_X():
    X, y = sparse_data()
    checked = check_sparse_X(X, X.shape[1], np.dtype(np.float64))
    for key in (slice(0, 240), slice(10, 200), slice(239, 240), slice(-7, None), slice(50, 10), slice(0, 240, 3)):
        part = checked[key]
        assert isinstance(part, CSRRows)
        np.testing.assert_array_equal(part.toarray(), X.toarray()[key])
    net = small_net(X.shape[1], 3, "float64")
    net.fit(X, y, epochs=2)  # full-batch gradient descent: the batch is X itself
    assert np.shares_memory(net.layers[0].a_prev.data, X.data)


def test_glassnet_imports_and_trains_without_scipy():
    code = """
import sys
class Blocked:
    def find_spec(self, name, path=None, target=None):
        if name == "scipy" or name.startswith("scipy."):
            raise ImportError("scipy is blocked for this test")
sys.meta_path.insert(0, Blocked())
import glassnet
from glassnet.sparse import is_sparse
net = glassnet.Network.from_sizes([2, 3, 1], cost="binary_cross_entropy", seed=0)
net.fit([[0.0, 1.0], [1.0, 0.0]], [0, 1], epochs=2)
assert not is_sparse([[1.0]]) and "scipy" not in sys.modules
print("ok")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_is_sparse():
    X, _ = sparse_data()
    assert is_sparse(X) and is_sparse(sp.csc_matrix(X)) and is_sparse(sp.lil_array(X))
    assert not is_sparse(X.toarray()) and not is_sparse([[1, 2]]) and not is_sparse(None)
    assert glassnet.sparse.is_sparse is is_sparse


def test_trace_and_blame_of_sparse_rows_are_those_of_the_dense_rows():
    X, y = sparse_data(n=30, d=8, density=0.4)
    net = small_net(8, 3, "float64")
    dense = X.toarray()
    assert str(net.trace(sp.csr_matrix(X)[4], y[4])) == str(net.trace(dense[4], y[4]))
    assert str(net.trace(X[[4, 5]], y[4:6])) == str(net.trace(dense[4:6], y[4:6]))
    assert str(net.blame(X, y)) == str(net.blame(dense, y))
