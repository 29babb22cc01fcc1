"""The estimators behave as scikit-learn's MLP where code written for it depends on the behaviour: the Poisson
loss, n_iter_no_change=np.inf, divergence, warm starts, the verbose log, one-class targets and dtype="auto"."""

from __future__ import annotations

import contextlib
import io
import re
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import neural_network as sk  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import PoissonRegressor  # noqa: E402
from sklearn.metrics import mean_poisson_deviance  # noqa: E402

from glassnet import DivergenceError, Network, gradcheck, load  # noqa: E402
from glassnet.costs import get_cost  # noqa: E402
from glassnet.estimators import MLPClassifier, MLPRegressor  # noqa: E402

COMMON = dict(shuffle=False, tol=0.0, n_iter_no_change=1000, alpha=0.01)


@pytest.fixture
def counts():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(400, 3))
    mu = np.exp(0.3 + 0.6 * X[:, 0] - 0.4 * X[:, 1])
    return X, rng.poisson(mu).astype(float), mu


def _trajectories(ours, theirs, X, y, epochs=6):
    """Give glassnet's estimator scikit-learn's starting weights, train both (a warm refit), return both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for est in (ours, theirs):
            est.set_params(max_iter=1, warm_start=True).fit(X, y)
        ours.coefs_, ours.intercepts_ = theirs.coefs_, theirs.intercepts_
        ours.best_loss_ = theirs.best_loss_  # the stopping rule compares with the first fit's loss too
        for est in (ours, theirs):
            est.set_params(max_iter=epochs)
        ours.fit(X, y)
        theirs.fit(X, y)
    return ours, theirs


def _assert_same_weights(ours, theirs, rtol=1e-9):
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12)


# -- the Poisson loss -------------------------------------------------------------------------------------------
def test_poisson_cost_is_half_the_poisson_deviance_and_its_delta_matches_finite_differences(counts):
    X, y, _ = counts
    rng = np.random.default_rng(0)
    s = rng.normal(size=(len(y), 1))
    a = np.exp(s)
    cost = get_cost("poisson")
    Y = y.reshape(-1, 1)
    # independent reference: scikit-learn's mean Poisson deviance is 2 * mean(y ln(y/mu) - y + mu)
    assert cost.value(s, a, Y) == pytest.approx(0.5 * mean_poisson_deviance(y, a[:, 0]), rel=1e-12)
    delta = cost.output_delta(s, a, Y, None)
    h = 1e-6
    for i in range(0, len(y), 37):  # dJ/ds_i by central differences on the cost itself
        up, down = s.copy(), s.copy()
        up[i] += h
        down[i] -= h
        numerical = (cost.value(up, np.exp(up), Y) - cost.value(down, np.exp(down), Y)) / (2 * h)
        assert delta[i, 0] == pytest.approx(numerical, rel=1e-6, abs=1e-12)
    net = Network.from_sizes([3, 4, 2], activation="tanh", cost="poisson", seed=0, dtype="float64")
    assert net.layers[-1].activation.name == "exp"
    report = gradcheck(net, X[:20], np.column_stack([y[:20], y[20:40]]), l2=0.5)
    assert report.passed and report.full and report.worst < 1e-6
    with pytest.raises(ValueError, match=">= 0"):
        net.cost(X[:3], -np.ones((3, 2)))


@pytest.mark.parametrize("alpha", [0.0, 0.01])
def test_poisson_sgd_steps_equal_sklearns(counts, alpha):
    X, y, _ = counts
    kw = dict(hidden_layer_sizes=(4,), solver="sgd", learning_rate_init=0.01, batch_size=50, loss="poisson",
              **{**COMMON, "alpha": alpha})
    ours, theirs = _trajectories(MLPRegressor(dtype="float64", **kw), sk.MLPRegressor(**kw), X, y)
    _assert_same_weights(ours, theirs)
    assert ours.out_activation_ == theirs.out_activation_ == "exp"
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-9)
    if not alpha:  # the same loss_, with no factor 2 (with alpha, glassnet adds the L2 term at the epoch's end)
        np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-9)


def test_poisson_regressor_is_as_good_as_a_poisson_glm_on_counts(counts):
    """Counts drawn from a log-linear model: the GLM is the right model, the MLP must come close to it."""
    X, y, mu = counts
    train, test = slice(0, 300), slice(300, None)
    glm = PoissonRegressor(alpha=1e-4).fit(X[train], y[train])
    kw = dict(hidden_layer_sizes=(8,), activation="tanh", solver="lbfgs", max_iter=300, alpha=10.0, random_state=0)
    mlp = MLPRegressor(loss="poisson", **kw).fit(X[train], y[train])
    theirs = sk.MLPRegressor(loss="poisson", **kw).fit(X[train], y[train])
    squared = MLPRegressor(**kw).fit(X[train], y[train])
    pred = mlp.predict(X[test])
    assert (pred > 0).all()
    glm_dev = mean_poisson_deviance(y[test], glm.predict(X[test]))
    mlp_dev = mean_poisson_deviance(y[test], pred)
    best = mean_poisson_deviance(y[test], mu[test])  # the true means
    assert mlp_dev <= glm_dev * 1.05 and mlp_dev >= best * 0.8
    assert mlp_dev <= mean_poisson_deviance(y[test], theirs.predict(X[test])) * 1.05
    assert mlp_dev < mean_poisson_deviance(y[test], np.clip(squared.predict(X[test]), 1e-3, None))


# -- n_iter_no_change=np.inf -----------------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("outputs", [1, 2])
def test_squared_error_loss_is_sklearns_from_the_same_start(solver, outputs):
    """loss_, loss_curve_ and best_loss_ are scikit-learn's ``((y - p) ** 2).mean() / 2`` per batch, averaged over
    the epoch (alpha=0: glassnet adds the L2 term at the epoch's end, scikit-learn per batch); the stopping
    rule then compares them with tol itself, and both stop in the same epoch."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(90, 3))
    Y = np.column_stack([np.sin(X[:, 0]) + X[:, 1], X[:, 1] * X[:, 2]])[:, :outputs].squeeze()
    # epsilon=1e-30: glassnet's Adam adds epsilon after the bias correction, scikit-learn before it
    kw = dict(hidden_layer_sizes=(6,), solver=solver, learning_rate_init=0.02, batch_size=20, random_state=0,
              epsilon=1e-30, **{**COMMON, "alpha": 0.0, "tol": 1e-3, "n_iter_no_change": 3})
    ours, theirs = _trajectories(MLPRegressor(dtype="float64", **kw), sk.MLPRegressor(**kw), X, Y, epochs=200)
    assert ours.n_iter_ == theirs.n_iter_ < 200  # stopped by tol, in the same epoch
    _assert_same_weights(ours, theirs, rtol=1e-9)
    assert len(ours.loss_curve_) == len(theirs.loss_curve_)
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-9)  # [0]: the first fit
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-9)
    assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-9)


def test_n_iter_no_change_inf_trains_max_iter_epochs(tmp_path):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(50, 3)), rng.integers(0, 2, 50)
    kw = dict(hidden_layer_sizes=(4,), max_iter=25, tol=1e6, n_iter_no_change=np.inf, random_state=0)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        ours = MLPClassifier(**kw).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        theirs = sk.MLPClassifier(**kw).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == 25 and len(ours.loss_curve_) == 25
    stopped = MLPClassifier(**{**kw, "n_iter_no_change": 3}).fit(X, y)  # a huge tol, a finite patience: it stops
    assert stopped.n_iter_ == sk.MLPClassifier(**{**kw, "n_iter_no_change": 3}).fit(X, y).n_iter_ == 5
    ours.save(tmp_path / "inf.npz")
    assert load(tmp_path / "inf.npz").n_iter_no_change == np.inf


# -- divergence ----------------------------------------------------------------------------------------------
def _diverging():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 4)) * 50
    return X, X @ np.array([3.0, -2.0, 1.0, 5.0]) * 100


def test_a_diverging_sgd_regressor_with_early_stopping_ends_as_sklearns(recwarn):
    X, y = _diverging()
    kw = dict(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=0.1, early_stopping=True, max_iter=30,
              random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk.MLPRegressor(**kw).fit(X, y)  # scikit-learn's fit ends, restoring its best weights
    with pytest.warns(ConvergenceWarning, match="diverged.*best validation score"):
        ours = MLPRegressor(**kw).fit(X, y)
    assert np.isfinite(ours.predict(X)).all() and np.isfinite(ours.best_validation_score_)
    assert ours.best_validation_score_ == max(ours.validation_scores_)


def test_a_diverging_fit_without_early_stopping_raises_a_value_error_and_changes_nothing():
    X, y = _diverging()
    kw = dict(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=0.1, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="non-finite"):
            sk.MLPRegressor(**kw).fit(X, y)
    reg = MLPRegressor(**{**kw, "learning_rate_init": 1e-9, "max_iter": 2})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X / 50, y / 5000)
    before, n_iter = reg.network_.params.copy(), reg.n_iter_
    with pytest.raises(ValueError, match="diverged in epoch .*smaller learning rate.*non-finite") as info:
        reg.set_params(learning_rate_init=0.1, max_iter=30).fit(X, y)
    assert isinstance(info.value, DivergenceError)  # glassnet's own error too, with its epoch
    assert info.value.epoch >= 1
    np.testing.assert_array_equal(reg.network_.params, before)
    assert reg.n_iter_ == n_iter


# -- warm start and the verbose log ----------------------------------------------------------------------------
@pytest.mark.parametrize("schedule", ["invscaling", "adaptive"])
def test_a_warm_refit_restarts_the_learning_rate_as_sklearn(schedule):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(int)
    kw = dict(hidden_layer_sizes=(5,), solver="sgd", learning_rate=schedule, learning_rate_init=0.2, power_t=0.5,
              batch_size=20, momentum=0.5, **{**COMMON, "n_iter_no_change": 2, "tol": 1e-3, "alpha": 0.0})
    ours, theirs = _trajectories(MLPClassifier(dtype="float64", random_state=1, **kw),
                                 sk.MLPClassifier(random_state=0, **kw), X, y, epochs=8)
    _assert_same_weights(ours, theirs)
    np.testing.assert_allclose(ours.loss_curve_[1:], theirs.loss_curve_[1:], rtol=1e-9)  # [0]: the first fit
    assert ours.t_ == theirs.t_


def test_the_verbose_log_is_sklearns():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] - X[:, 2] > 0).astype(int)
    kw = dict(hidden_layer_sizes=(5,), solver="sgd", learning_rate="adaptive", learning_rate_init=0.05,
              verbose=True, batch_size=20, max_iter=40, **{**COMMON, "n_iter_no_change": 2, "tol": 0.05, "alpha": 0.0})
    logs = []
    for est in (MLPClassifier(dtype="float64", random_state=1, **kw), sk.MLPClassifier(random_state=0, **kw)):
        est.set_params(verbose=False, max_iter=1, warm_start=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        logs.append(est)
    ours, theirs = logs
    ours.coefs_, ours.intercepts_ = theirs.coefs_, theirs.intercepts_
    ours.best_loss_ = theirs.best_loss_  # the stopping rule compares with the best loss of the first fit too
    printed = []
    for est in (ours, theirs):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.set_params(verbose=True, max_iter=40).fit(X, y)
        printed.append(out.getvalue().splitlines())
    assert any("Setting learning rate to" in line for line in printed[1])  # the log has every kind of line
    assert printed[0] == printed[1]
    # and the validation score lines, with early stopping
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier((4,), early_stopping=True, verbose=True, max_iter=3, random_state=0).fit(X, y)
    lines = out.getvalue().splitlines()
    assert len(lines) == 6 and all(re.fullmatch(r"Iteration \d, loss = \d\.\d{8}", line) for line in lines[::2])
    assert all(re.fullmatch(r"Validation score: \d\.\d{6}", line) for line in lines[1::2])


# -- one class, dtype="auto" ------------------------------------------------------------------------------------
@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_target_with_one_class_is_fitted_as_sklearn(early_stopping, tmp_path):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(30, 3))
    y = np.array(["spam"] * 30)
    kw = dict(hidden_layer_sizes=(3,), max_iter=5, early_stopping=early_stopping, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours, theirs = MLPClassifier(**kw).fit(X, y), sk.MLPClassifier(**kw).fit(X, y)
    assert ours.classes_.tolist() == theirs.classes_.tolist() == ["spam"]
    assert ours.predict(X).tolist() == theirs.predict(X).tolist() == ["spam"] * 30
    assert ours.predict_proba(X).shape == theirs.predict_proba(X).shape == (30, 2)
    assert ours.score(X, y) == theirs.score(X, y) == 1.0
    assert ours.out_activation_ == theirs.out_activation_ == "logistic" and ours.n_outputs_ == 1
    ours.save(tmp_path / "one.npz")
    assert load(tmp_path / "one.npz").predict(X[:2]).tolist() == ["spam", "spam"]


def test_dtype_auto_follows_x_as_sklearn_and_float32_stays_the_default(tmp_path):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(30, 3))
    y = X[:, 0] * 2
    for given, expected in [(np.float32, np.float32), (np.float64, np.float64), (np.int64, np.float64)]:
        Xg = (X * 10).astype(given)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours = MLPRegressor((3,), max_iter=3, dtype="auto", random_state=0).fit(Xg, y)
            theirs = sk.MLPRegressor(hidden_layer_sizes=(3,), max_iter=3, random_state=0).fit(Xg, y)
        assert ours.network_.dtype == expected == theirs.coefs_[0].dtype
        assert ours.predict(Xg).dtype == theirs.predict(Xg).dtype
        ours.save(tmp_path / "auto.npz")
        back = load(tmp_path / "auto.npz")
        assert back.dtype == "auto" and back.network_.dtype == expected
        np.testing.assert_array_equal(back.predict(Xg), ours.predict(Xg))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        default = MLPRegressor((3,), max_iter=3, random_state=0).fit(X, y)
    assert default.dtype == "float32" and default.network_.dtype == np.float32
    assert default.predict(X).dtype == np.float32
