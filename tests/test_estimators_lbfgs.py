"""solver="lbfgs": scipy's L-BFGS-B on the flat parameter buffer, checked against finite differences, against
scikit-learn's loss formulas and against scikit-learn's own lbfgs run from the same starting weights."""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

from sklearn import neural_network as sk  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import log_loss, mean_poisson_deviance  # noqa: E402
from sklearn.neural_network._base import squared_loss  # noqa: E402

from glassnet import MissingExtraError, load  # noqa: E402
from glassnet.estimators import MLPClassifier, MLPRegressor  # noqa: E402
from glassnet.estimators.lbfgs import lbfgs_objective  # noqa: E402
from glassnet.network import Network  # noqa: E402


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 4))
    labels = np.digitize(X[:, 0] + 0.5 * X[:, 1] ** 2, [-0.3, 0.6])  # three classes
    return X, labels, rng


def _problems(X, labels, rng):
    """(estimator, y, sample_weight) covering every output and cost, with and without sample weights."""
    counts = rng.poisson(np.exp(0.5 * X[:, 0]))
    weights = rng.uniform(0.2, 2.0, size=len(X))
    multilabel = np.column_stack([labels == 0, labels == 2]).astype(int)
    kw = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=1, alpha=0.3, random_state=0, dtype="float64")
    return {
        "binary": (MLPClassifier(activation="tanh", **kw), labels.clip(0, 1), None),
        "multiclass": (MLPClassifier(**kw), labels, weights),
        "multilabel": (MLPClassifier(activation="logistic", **kw), multilabel, None),
        "regression": (MLPRegressor(**kw), X[:, 1] - X[:, 2] ** 2, weights),
        "two outputs": (MLPRegressor(**kw), X[:, :2] * 3, None),
        "poisson": (MLPRegressor(loss="poisson", **kw), counts, weights),
    }


def _fitted_objective(est, X, y, sample_weight):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y, sample_weight=sample_weight)
    net = est.network_
    Y = np.asarray(y, dtype=np.float64)
    if est._is_classifier and est._label_type == "multiclass":
        Y = (labels_index(est.classes_, y)[:, None] == np.arange(len(est.classes_))).astype(np.float64)
    Y = Y.reshape(len(X), -1)
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    return net, Y, w, lbfgs_objective(net, X, Y, w, est.alpha, est._lbfgs_factor)


def labels_index(classes, y):
    return np.searchsorted(classes, y)


@pytest.mark.parametrize("case", ["binary", "multiclass", "multilabel", "regression", "two outputs", "poisson"])
def test_gradient_matches_finite_differences(data, case):
    X, labels, rng = data
    est, y, sw = _problems(X, labels, rng)[case]
    net, _, _, objective = _fitted_objective(est, X, y, sw)
    theta = net.params.copy()
    _, grad = objective(theta)
    h = 1e-6
    numerical = np.empty_like(theta)
    for i in range(theta.size):  # central differences, one parameter at a time (float64 throughout)
        step = np.zeros_like(theta)
        step[i] = h
        numerical[i] = (objective(theta + step)[0] - objective(theta - step)[0]) / (2 * h)
    np.testing.assert_allclose(grad, numerical, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("case", ["binary", "multiclass", "multilabel", "regression", "poisson"])
def test_objective_is_sklearns_loss_plus_l2(data, case):
    """The objective, written independently: scikit-learn's documented loss + alpha/(2n) sum W^2."""
    X, labels, rng = data
    est, y, sw = _problems(X, labels, rng)[case]
    net, Y, w, objective = _fitted_objective(est, X, y, sw)
    value, _ = objective(net.params.copy())
    n = len(X) if w is None else w.sum()
    penalty = est.alpha / (2 * n) * sum(float((W**2).sum()) for W in est.coefs_)
    if case == "multiclass":
        loss = log_loss(y, est.predict_proba(X), sample_weight=w, labels=est.classes_)
    elif case in ("binary", "multilabel"):
        p = net.predict(X)
        loss = sum(log_loss(Y[:, j], p[:, j], sample_weight=w, labels=[0, 1]) for j in range(Y.shape[1]))
    elif case == "regression":
        loss = 0.5 * np.average((est.predict(X) - y) ** 2, weights=w)
    else:
        loss = 0.5 * mean_poisson_deviance(y, est.predict(X), sample_weight=w)
    assert value == pytest.approx(loss + penalty, rel=1e-10)


def _same_start(ours, theirs, X, y, iterations, sample_weight=None):
    """Both estimators from scikit-learn's starting weights, then ``iterations`` of lbfgs each."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for est in (ours, theirs):
            est.set_params(max_iter=1, warm_start=True).fit(X, y, sample_weight=sample_weight)
        ours.coefs_, ours.intercepts_ = theirs.coefs_, theirs.intercepts_
        for est in (ours, theirs):
            est.set_params(max_iter=iterations).fit(X, y, sample_weight=sample_weight)
    return ours, theirs


@pytest.mark.parametrize("case", ["binary", "multiclass", "regression", "poisson"])
def test_lbfgs_follows_sklearns_lbfgs_from_the_same_start(data, case):
    X, labels, rng = data
    est, y, sw = _problems(X, labels, rng)[case]
    params = {k: v for k, v in est.get_params().items() if k not in ("dtype", "class_weight", "dropout", "l1")}
    theirs = (sk.MLPClassifier if est._is_classifier else sk.MLPRegressor)(**params)
    ours, theirs = _same_start(est, theirs, X, y, 12, sample_weight=sw)
    assert ours.n_iter_ == theirs.n_iter_
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    # loss_: scikit-learn's loss, for every cost and any number of outputs
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-7)


def test_lbfgs_loss_with_two_outputs_is_sklearns_loss_at_the_fitted_weights(data):
    """k > 1 squared error: scikit-learn reports 1/(2nk) sum (a - y)^2 + alpha/(2n) sum W^2 but steps along the
    gradient of 1/(2n) sum (so its L-BFGS-B runs another path); loss_ is what scikit-learn's formula gives."""
    X, labels, rng = data
    est, Y, _ = _problems(X, labels, rng)["two outputs"]
    ours, theirs = _same_start(est.set_params(max_iter=12), sk.MLPRegressor(**{
        k: v for k, v in est.get_params().items() if k not in ("dtype", "dropout", "l1")}), X, Y, 12)
    def sklearn_loss(est):  # scikit-learn's own loss function, plus its L2 term
        return squared_loss(Y, est.predict(X)) + est.alpha / (2 * len(X)) * sum(float((W**2).sum()) for W in est.coefs_)

    expected = sklearn_loss(ours)
    penalty = ours.alpha / (2 * len(X)) * sum(float((W**2).sum()) for W in ours.coefs_)
    assert expected == pytest.approx(0.5 * np.mean((ours.predict(X) - Y) ** 2) + penalty, rel=1e-12)
    assert ours.loss_ == pytest.approx(expected, rel=1e-7)
    assert theirs.loss_ == pytest.approx(sklearn_loss(theirs), rel=1e-7)  # what scikit-learn's loss_ is too


def test_verbose_losses_decrease_and_fitted_attributes_are_sklearns(data):
    X, labels, _ = data
    clf = MLPClassifier((8,), solver="lbfgs", max_iter=30, verbose=True, random_state=0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, labels)
    losses = [float(v) for v in re.findall(r"^Iteration \d+, loss = ([0-9.e+-]+)$", out.getvalue(), re.M)]
    assert len(losses) == clf.n_iter_ > 5
    assert all(b <= a for a, b in zip(losses, losses[1:], strict=False)) and losses[-1] < losses[0] / 2
    assert clf.loss_ == pytest.approx(losses[-1], abs=1e-8)  # printed with 8 decimals, as scikit-learn
    reference = sk.MLPClassifier((8,), solver="lbfgs", max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference.fit(X, labels)
    for name in ("loss_curve_", "best_loss_", "validation_scores_", "best_validation_score_"):
        assert hasattr(clf, name) == hasattr(reference, name) is False
    assert clf.t_ == reference.t_ == 0
    assert not hasattr(clf, "partial_fit") and not hasattr(reference, "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit") as info:
        clf.partial_fit(X, labels)
    assert "only available for stochastic optimizers" in str(info.value.__cause__)


def test_max_iter_and_max_fun_are_respected(data, monkeypatch):
    X, labels, _ = data
    calls = []
    propagate = Network.propagate
    monkeypatch.setattr(Network, "propagate", lambda net, X: (calls.append(1), propagate(net, X))[1])
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf = MLPClassifier((20,), solver="lbfgs", max_fun=9, max_iter=1000, tol=0, random_state=0).fit(X, labels)
    # one cost-and-gradient evaluation per call; L-BFGS-B stops once an iteration's line search reaches max_fun
    assert 9 <= len(calls) <= 9 + 20 and clf.n_iter_ <= 9
    with pytest.warns(ConvergenceWarning, match="max_iter=4"):
        clf = MLPClassifier((20,), solver="lbfgs", max_iter=4, tol=0, random_state=0).fit(X, labels)
    assert clf.n_iter_ == 4


def test_lbfgs_without_scipy_names_the_extra(data, monkeypatch):
    X, labels, _ = data
    clf = MLPClassifier((4,), solver="lbfgs", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, labels)
    before = clf.network_.params.copy()
    real = importlib.import_module

    def no_scipy(name, *args, **kwargs):
        if name.startswith("scipy"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", no_scipy)
    with pytest.raises(MissingExtraError, match=re.escape("pip install glassnet[scipy]")):
        clf.set_params(warm_start=True).fit(X, labels)
    np.testing.assert_array_equal(clf.network_.params, before)  # a refused call changes nothing
    assert clf.n_iter_ == 5


def test_lbfgs_multilabel_and_multioutput_match_sklearns_fit(data):
    X, labels, rng = data
    multilabel = np.column_stack([labels == 0, labels == 2, X[:, 3] > 0]).astype(int)
    Y = np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]])
    kw = dict(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifier(**kw).fit(X, multilabel)
        theirs = sk.MLPClassifier(**kw).fit(X, multilabel)
        assert ours.predict(X).shape == multilabel.shape
        assert ours.score(X, multilabel) >= theirs.score(X, multilabel) - 0.05
        reg, sk_reg = MLPRegressor(**kw).fit(X, Y), sk.MLPRegressor(**kw).fit(X, Y)
    assert reg.predict(X).shape == Y.shape
    assert reg.score(X, Y) >= sk_reg.score(X, Y) - 0.05 and reg.score(X, Y) > 0.9


def test_an_lbfgs_model_file_round_trip(data, tmp_path):
    X, labels, _ = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier((6,), solver="lbfgs", max_iter=20, random_state=0).fit(X, labels)
        reg = MLPRegressor((6,), solver="lbfgs", loss="poisson", max_iter=20, random_state=0).fit(X, labels)
    for est in (clf, reg):
        est.save(tmp_path / "model.npz")
        back = load(tmp_path / "model.npz")
        np.testing.assert_array_equal(back.predict(X), est.predict(X))
        assert back.n_iter_ == est.n_iter_ and back.loss_ == est.loss_ and not hasattr(back, "loss_curve_")
