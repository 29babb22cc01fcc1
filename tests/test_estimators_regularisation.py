"""The estimators' glassnet-only regularisation: ``dropout`` and ``l1``.

The estimator must train exactly as the engine's Trainer does with the mapped settings (``l1`` in ``alpha``'s
units: the Trainer's ``l1 * n_train / batch_size``), its ``loss_`` must hold the L1 term as numpy computes it,
a large ``l1`` must pull weights to 0, the defaults must change nothing, and the values must survive
scikit-learn's tools and the model file. Bad values (and any with ``solver="lbfgs"``) are refused up front.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402

import glassnet  # noqa: E402
from glassnet import Network  # noqa: E402
from glassnet.errors import InputError, InputTypeError  # noqa: E402
from glassnet.estimators import MLPClassifier, MLPRegressor, state  # noqa: E402
from glassnet.optimizers import Adam, Constant  # noqa: E402
from glassnet.training import Trainer  # noqa: E402


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)  # 3 classes
    return X, y


def test_classifier_trains_as_the_trainer_with_the_mapped_settings(data):
    X, y = data
    n, batch, alpha, l1, lr, epochs = len(X), 20, 1e-3, 0.05, 0.01, 4
    rates = [0.3, 0.1]
    est = MLPClassifier((8, 6), solver="adam", alpha=alpha, l1=l1, dropout=rates, batch_size=batch,
                        learning_rate_init=lr, max_iter=epochs, n_iter_no_change=np.inf, random_state=3,
                        dtype="float64")
    with pytest.warns(Warning):  # max_iter reached: a ConvergenceWarning
        est.fit(X, y)
    net = Network.from_sizes([5, 8, 6, 3], activation="relu", output="softmax", cost="cross_entropy", seed=3,
                             dtype="float64", init="sklearn")
    Y = np.eye(3)[y]
    trainer = Trainer(net, X, Y, batch_size=batch, optimizer=Adam(Constant(lr), beta1=0.9, beta2=0.999, eps=1e-8),
                      l2=alpha * n / batch, l1=l1 * n / batch, dropout=rates, shuffle=True)
    trainer.run(epochs)
    for ours, theirs in zip(est.coefs_ + est.intercepts_,
                            [layer.weights for layer in net.layers] + [layer.bias for layer in net.layers],
                            strict=True):
        np.testing.assert_array_equal(ours, theirs)
    # and dropout did act: without it the same start ends elsewhere
    plain = clone(est).set_params(dropout=0.0)
    with pytest.warns(Warning):
        plain.fit(X, y)
    assert not np.array_equal(plain.coefs_[0], est.coefs_[0])


def _log_loss_numpy(est, X, y) -> float:
    """The mean cross-entropy of est's softmax outputs, from its weights, in float64 numpy."""
    a = X
    for i, (W, b) in enumerate(zip(est.coefs_, est.intercepts_, strict=True)):
        s = a @ W.astype(np.float64) + b.astype(np.float64)
        a = np.maximum(s, 0) if i < len(est.coefs_) - 1 else s
    a = a - a.max(axis=1, keepdims=True)
    log_p = a - np.log(np.exp(a).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


def test_loss_includes_the_l1_term_in_alphas_units(data):
    # a learning rate so small that the weights do not move measurably: every batch's cost is the final one
    X, y = data
    batch, alpha, l1 = 20, 0.01, 2.0
    est = MLPClassifier((7,), solver="sgd", momentum=0.0, alpha=alpha, l1=l1, batch_size=batch,
                        learning_rate_init=1e-12, max_iter=1, random_state=5, dtype="float64")
    with pytest.warns(Warning):
        est.fit(X, y)
    weights = [W.astype(np.float64) for W in est.coefs_]
    expected = (_log_loss_numpy(est, X, y) + alpha / (2 * batch) * sum(float((W**2).sum()) for W in weights)
                + l1 / batch * sum(float(np.abs(W).sum()) for W in weights))
    l1_term = l1 / batch * sum(float(np.abs(W).sum()) for W in weights)
    assert l1_term > 0.5  # the term is a large part of the loss, so units that were off would show
    assert est.loss_ == pytest.approx(expected, rel=1e-9)


def test_a_large_l1_drives_first_layer_weights_to_zero():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 10))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=200)  # only 2 of the 10 inputs matter
    kw = dict(hidden_layer_sizes=(16,), solver="adam", learning_rate_init=0.01, max_iter=300,
              n_iter_no_change=np.inf, random_state=0, alpha=0.0)
    small, noise = {}, {}
    for l1 in (0.0, 0.5):
        est = MLPRegressor(l1=l1, **kw)
        with pytest.warns(Warning):
            est.fit(X, y)
        W = est.coefs_[0]
        small[l1] = float((np.abs(W) < 0.02).mean())
        noise[l1] = float(np.abs(W[2:]).sum())  # the weights from the 8 inputs that do not matter
        assert est.score(X, y) > 0.99  # and the fit is still good
    assert small[0.5] > 0.5 and small[0.5] > 5 * small[0.0], small
    assert noise[0.5] < 0.2 * noise[0.0], noise


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_zero_dropout_and_l1_change_nothing(data, solver):
    X, y = data
    kw = dict(hidden_layer_sizes=(6, 4), solver=solver, max_iter=5, random_state=2, batch_size=16)
    fits = []
    for extra in ({}, {"dropout": 0.0, "l1": 0.0}, {"dropout": [0.0, 0.0], "l1": 0}):
        est = MLPClassifier(**kw, **extra)
        with pytest.warns(Warning):
            est.fit(X, y)
        fits.append(est)
    for est in fits[1:]:
        for ours, theirs in zip(est.coefs_ + est.intercepts_, fits[0].coefs_ + fits[0].intercepts_, strict=True):
            np.testing.assert_array_equal(ours, theirs)
        assert est.loss_curve_ == fits[0].loss_curve_


def test_save_and_load_keep_them_and_training_goes_on_alike(data, tmp_path):
    X, y = data
    est = MLPClassifier((6, 4), dropout=[0.25, 0.5], l1=0.01, max_iter=3, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, y)
    est.save(tmp_path / "m.glassnet")
    back = glassnet.load(tmp_path / "m.glassnet")
    assert back.dropout == [0.25, 0.5] and back.l1 == 0.01
    est.partial_fit(X, y)
    back.partial_fit(X, y)  # the same masks from the same saved generator: the same step
    for ours, theirs in zip(est.coefs_, back.coefs_, strict=True):
        np.testing.assert_array_equal(ours, theirs)

    # a file written before dropout and l1 existed: its header has neither, and it loads with the defaults
    header, arrays = state.to_file(est)
    del header["params"]["dropout"], header["params"]["l1"]
    old, _ = state.from_file("MLPClassifier", header, est.network_, arrays)
    assert old.dropout == 0.0 and old.l1 == 0.0


def test_sklearn_clone_get_params_set_params(data):
    X, y = data
    est = MLPRegressor((5,), dropout=0.2, l1=0.3)
    params = est.get_params()
    assert params["dropout"] == 0.2 and params["l1"] == 0.3
    copy = clone(est)
    assert copy.get_params() == params and copy is not est
    copy.set_params(dropout=[0.1], l1=0.0, max_iter=2)
    assert copy.dropout == [0.1] and copy.l1 == 0.0
    with pytest.warns(Warning):
        copy.fit(X, y.astype(float))
    assert copy.n_iter_ == 2


@pytest.mark.parametrize("params, error, words", [
    ({"dropout": 1.0}, InputError, "dropout"),
    ({"dropout": -0.1}, InputError, "dropout"),
    ({"dropout": float("nan")}, InputError, "dropout"),
    ({"dropout": "half"}, InputTypeError, "one per hidden layer"),
    ({"dropout": True}, InputTypeError, "dropout"),
    ({"dropout": [0.1]}, InputError, "one rate per hidden layer"),
    ({"dropout": [0.1, 1.5]}, InputError, "dropout[1]"),
    ({"l1": -1.0}, InputError, "l1"),
    ({"l1": float("inf")}, InputError, "l1"),
    ({"l1": "lots"}, InputTypeError, "l1"),
    ({"solver": "lbfgs", "l1": 0.1}, InputError, "smooth, deterministic"),
    ({"solver": "lbfgs", "dropout": 0.2}, InputError, "solver='adam'"),
    ({"hidden_layer_sizes": (), "dropout": 0.2}, InputError, "hidden layer"),
])
def test_bad_values_are_refused_and_change_nothing(data, params, error, words):
    X, y = data
    est = MLPClassifier((6, 4), max_iter=2, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, y)
    before = [W.copy() for W in est.coefs_]
    n_iter, curve = est.n_iter_, list(est.loss_curve_)
    est.set_params(**params)
    with pytest.raises(error) as info:
        est.fit(X, y)
    assert words in str(info.value)
    assert est.n_iter_ == n_iter and est.loss_curve_ == curve
    for W, W0 in zip(est.coefs_, before, strict=True):
        np.testing.assert_array_equal(W, W0)


def test_lbfgs_with_the_defaults_still_fits(data):
    X, y = data
    pytest.importorskip("scipy")
    est = MLPClassifier((5,), solver="lbfgs", dropout=0.0, l1=0.0, max_iter=20, random_state=0)
    with pytest.warns(Warning):  # 20 iterations: not converged
        est.fit(X, y)
    assert est.n_iter_ == 20
