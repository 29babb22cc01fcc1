"""Attacks on the model file, the estimators' refits and file paths (issue 17): nothing lost, nothing let in."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from glassnet.errors import GlassnetError, InputError

pytest.importorskip("sklearn")
from glassnet.estimators import MLPClassifier, MLPRegressor  # noqa: E402


def _toy(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, np.where(X[:, 0] > 0, "yes", "no"), np.array(["a", "b", "c"])[np.arange(n) % 3]


# -- a refused refit changes nothing ------------------------------------------------------------------------
def _snapshot(est) -> dict:
    """Every attribute that is not a parameter (deep-copied), plus the network's weights and generator."""
    params = set(est.get_params(deep=False))
    state = {k: copy.deepcopy(v) for k, v in est.__dict__.items() if k not in params and k != "network_"}
    net = est.network_
    state["network.params"] = net.params.copy()
    state["network.sizes"] = [layer.n_out for layer in net.layers]
    state["network.rng"] = copy.deepcopy(net.rng.bit_generator.state)
    state["network.id"] = id(net)
    state["optimizer.state"] = {k: np.array(v) for k, v in est._optimizer.state().items()}
    return state


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, type(a)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if hasattr(a, "__dict__") and not isinstance(a, type):
        return type(a) is type(b) and _same(vars(a), vars(b))
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    return type(a) is type(b) and a == b


def _refusals():
    X, y2, y3 = _toy()
    yield "random_state -5 with three new classes", {"random_state": -5}, (X, y3)
    yield "negative class weight", {"class_weight": {"yes": -1.0, "no": 1.0}}, (X, y2)
    yield "unknown class in class_weight", {"class_weight": {"maybe": 2.0}}, (X, y2)
    yield "all-zero class weight", {"class_weight": {"yes": 0.0, "no": 0.0}}, (X, y2)
    yield "validation set too small", {"early_stopping": True, "validation_fraction": 0.01}, (X[:20], y2[:20])


@pytest.mark.parametrize("case", list(_refusals()), ids=lambda c: c[0])
def test_a_refused_refit_changes_nothing(case):
    _, params, (X_new, y_new) = case
    X, y2, _ = _toy()
    clf = MLPClassifier((4,), max_iter=5, random_state=0).fit(X, y2)
    before = _snapshot(clf)
    clf.set_params(**params)
    with pytest.raises((GlassnetError, ValueError)):
        clf.fit(X_new, y_new)
    assert _same(before, _snapshot(clf))
    clf.set_params(random_state=0, class_weight=None, early_stopping=False, validation_fraction=0.1)
    assert set(clf.predict(X)) <= {"yes", "no"}


def test_random_state_out_of_range_is_an_input_error():
    X, y2, _ = _toy()
    with pytest.raises(InputError, match="random_state"):
        MLPClassifier((4,), max_iter=2, random_state=-5).fit(X, y2)


def test_a_dataframe_with_nan_changes_no_feature_names():
    pd = pytest.importorskip("pandas")
    X, y2, _ = _toy()
    clf = MLPClassifier((4,), max_iter=5, random_state=0).fit(pd.DataFrame(X, columns=["a", "b", "c"]), y2)
    before = _snapshot(clf)
    bad = pd.DataFrame(X, columns=["p", "q", "r"])
    bad.iloc[3, 1] = np.nan
    with pytest.raises(ValueError):
        clf.fit(bad, y2)
    assert _same(before, _snapshot(clf))
    assert list(clf.feature_names_in_) == ["a", "b", "c"]


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_refused_regressor_refit_changes_nothing(method):
    X, _, _ = _toy()
    reg = MLPRegressor((4,), max_iter=5, random_state=0).fit(X, X[:, 0])
    before = _snapshot(reg)
    with pytest.raises(ValueError):
        getattr(reg, method)(X, X[:, :2] if method == "partial_fit" else np.full(len(X), np.nan))
    assert _same(before, _snapshot(reg))
