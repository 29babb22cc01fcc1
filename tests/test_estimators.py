"""MLPClassifier and MLPRegressor: scikit-learn's MLP as the reference for every number they train."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import neural_network as sk  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from glassnet import Network  # noqa: E402
from glassnet.estimators import MLPClassifier, MLPRegressor  # noqa: E402

COMMON = dict(shuffle=False, tol=0.0, n_iter_no_change=1000, alpha=0.01)


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 3))
    labels = np.digitize(X[:, 0] + 0.5 * X[:, 1] ** 2, [-0.3, 0.6])  # three classes
    return X, labels, rng


def _trajectories(ours, theirs, X, y, epochs=6, sample_weight=None):
    """Give glassnet's estimator scikit-learn's starting weights, train both, return both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for est in (ours, theirs):
            est.set_params(max_iter=1, warm_start=True).fit(X, y)
        ours.coefs_, ours.intercepts_ = theirs.coefs_, theirs.intercepts_
        for est in (ours, theirs):
            est.set_params(max_iter=epochs)
        ours.fit(X, y, sample_weight=sample_weight)
        theirs.fit(X, y, sample_weight=sample_weight)
    return ours, theirs


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_steps_equal_sklearn_classifier(data, n_classes, momentum):
    X, labels, _ = data
    y = labels if n_classes == 3 else labels.clip(0, 1)
    kw = dict(hidden_layer_sizes=(5,), activation="tanh", solver="sgd", learning_rate_init=0.1, batch_size=10,
              momentum=momentum, random_state=0, **COMMON)
    ours, theirs = _trajectories(MLPClassifier(dtype="float64", **kw), sk.MLPClassifier(**kw), X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    # the reported loss is scikit-learn's log-loss + L2 term; glassnet adds the L2 term of the weights at
    # the epoch's end, scikit-learn that of each batch's weights before its step: close, not identical
    np.testing.assert_allclose(ours.loss_curve_[-6:], theirs.loss_curve_[-6:], rtol=5e-3)


def test_sgd_steps_equal_sklearn_regressor(data):
    X, _, _ = data
    Y = np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]])
    kw = dict(hidden_layer_sizes=(6,), activation="relu", solver="sgd", learning_rate_init=0.05, batch_size=8,
              momentum=0.5, random_state=1, **COMMON)
    # two outputs: learning rate and L2 rescaled so the steps are those of scikit-learn's squared loss
    ours, theirs = _trajectories(MLPRegressor(dtype="float64", **kw), sk.MLPRegressor(**kw), X, Y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    # loss_: scikit-learn's 1/(2nk) sum (a - y)^2 plus its L2 term alpha/(2m) sum W^2 (at the epoch's end)
    np.testing.assert_allclose(ours.loss_curve_[-6:], theirs.loss_curve_[-6:], rtol=1e-3)
    # one output: loss_ is scikit-learn's half mean squared error plus the L2 term (glassnet's L2 term of
    # the epoch's final weights, scikit-learn's of each batch's weights before its step: close, not identical)
    ours, theirs = _trajectories(MLPRegressor(dtype="float64", **kw), sk.MLPRegressor(**kw), X, Y[:, 0])
    np.testing.assert_allclose(ours.loss_curve_[-6:], theirs.loss_curve_[-6:], rtol=1e-3)


def test_adam_and_sample_weight_follow_sklearn(data):
    X, labels, rng = data
    weights = rng.uniform(0.2, 3.0, size=len(X))
    kw = dict(hidden_layer_sizes=(4,), activation="logistic", solver="adam", learning_rate_init=0.01,
              batch_size=40, random_state=3, epsilon=1e-30, **COMMON)
    # Adam adds epsilon after the bias correction, scikit-learn before it; with a negligible epsilon the
    # two are the same algorithm, and (full batch) the weighted steps are scikit-learn's to rounding
    ours, theirs = _trajectories(MLPClassifier(dtype="float64", **kw), sk.MLPClassifier(**kw), X, labels,
                                 sample_weight=weights)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_weighted_cost_gradients_match_finite_differences(data):
    X, labels, rng = data
    weights = rng.uniform(0, 2, size=len(X))
    for cost, Y in [("cross_entropy", labels), ("binary_cross_entropy", labels.clip(0, 1)),
                    ("mse", X[:, :2] * 2)]:
        net = Network.from_sizes([3, 4, 3 if cost == "cross_entropy" else Y.ndim], activation="tanh",
                                 cost=cost, seed=0, dtype="float64")
        grads = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in
                                net.gradients(X, Y, l2=0.3, sample_weight=weights)])
        numeric = np.empty_like(net.params)
        for i in range(net.n_params):
            keep = net.params[i]
            net.params[i] = keep + 1e-6
            up = net.cost(X, Y, l2=0.3, sample_weight=weights)
            net.params[i] = keep - 1e-6
            down = net.cost(X, Y, l2=0.3, sample_weight=weights)
            net.params[i] = keep
            numeric[i] = (up - down) / 2e-6
        np.testing.assert_allclose(grads, numeric, rtol=1e-5, atol=1e-8)
        # integer weights are the rows repeated
        counts = rng.integers(0, 3, size=len(X))
        counts[0] = 1
        repeated = net.cost(np.repeat(X, counts, axis=0), np.repeat(Y, counts, axis=0), l2=0.3)
        assert net.cost(X, Y, l2=0.3, sample_weight=counts) == pytest.approx(repeated, rel=1e-12)


def test_class_weight_is_sample_weight(data):
    X, labels, _ = data
    kw = dict(hidden_layer_sizes=(5,), max_iter=20, random_state=0, dtype="float64")
    counts = np.bincount(labels)
    balanced = (len(labels) / (3 * counts))[labels]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPClassifier(class_weight="balanced", **kw).fit(X, labels)
        b = MLPClassifier(**kw).fit(X, labels, sample_weight=balanced)
        c = MLPClassifier(class_weight={0: 2.0}, **kw).fit(X, labels)
        d = MLPClassifier(**kw).fit(X, labels, sample_weight=np.where(labels == 0, 2.0, 1.0))
    np.testing.assert_allclose(a.network_.params, b.network_.params, rtol=1e-12)
    np.testing.assert_allclose(c.network_.params, d.network_.params, rtol=1e-12)
    assert not np.array_equal(a.network_.params, c.network_.params)


@pytest.mark.parametrize("kind", ["str", "bool", "int", "float"])
def test_labels_of_any_type(data, kind):
    X, labels, _ = data
    y = {"str": np.array(["cat", "dog", "eel"])[labels], "bool": labels > 0, "int": labels * 10 - 5,
         "float": labels.astype(float)}[kind]
    clf = MLPClassifier((8,), max_iter=300, random_state=0, learning_rate_init=0.02).fit(X, y)
    assert set(clf.classes_.tolist()) == set(np.unique(y).tolist())
    assert set(clf.predict(X).tolist()) <= set(clf.classes_.tolist())
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(clf.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-6)
    assert clf.score(X, y) > 0.8
    assert clf.out_activation_ == ("logistic" if kind == "bool" else "softmax")
    assert clf.n_outputs_ == (1 if kind == "bool" else 3)


def test_multilabel_and_multioutput(data):
    X, labels, _ = data
    Y = np.column_stack([labels == 0, labels == 1, X[:, 2] > 0]).astype(int)
    clf = MLPClassifier((10,), max_iter=400, random_state=0, learning_rate_init=0.02).fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.predict(X).shape == Y.shape
    assert clf.classes_.tolist() == [0, 1, 2] and clf.score(X, Y) > 0.7
    reg = MLPRegressor((10,), max_iter=400, random_state=0, learning_rate_init=0.01).fit(X, X[:, :2] ** 2)
    assert reg.predict(X).shape == (len(X), 2) and reg.n_outputs_ == 2 and reg.out_activation_ == "identity"
    assert reg.predict(X).dtype == np.float32


def test_fitted_attributes_and_stopping(data):
    X, labels, _ = data
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        clf = MLPClassifier((4,), max_iter=3, random_state=0).fit(X, labels)
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3 and clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ == min(clf.loss_curve_) and clf.validation_scores_ is None
    assert clf.validation_loss_curve_ is None and clf.n_features_in_ == 3 and clf.n_layers_ == 3
    assert [c.shape for c in clf.coefs_] == [(3, 4), (4, 3)]
    # coefs_ are live views of the network's weights
    clf.coefs_[0][...] = 0
    assert not clf.network_.layers[0].weights.any()
    # as scikit-learn: the first epoch sets best_loss_, then more than n_iter_no_change epochs that do not
    # improve it by tol end training
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        stopped = MLPClassifier((4,), max_iter=500, tol=10.0, n_iter_no_change=3, random_state=0).fit(X, labels)
    assert stopped.n_iter_ == 5
    es = MLPClassifier((8,), max_iter=30, early_stopping=True, validation_fraction=0.25, n_iter_no_change=5,
                       random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        es.fit(X, labels)
    assert len(es.validation_scores_) == len(es.validation_loss_curve_) == es.n_iter_
    assert es.best_loss_ is None and es.best_validation_score_ == max(es.validation_scores_)
    assert all(0 <= s <= 1 for s in es.validation_scores_)


def test_learning_rate_schedules(data):
    X, labels, _ = data
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        inv = MLPClassifier((4,), solver="sgd", learning_rate="invscaling", learning_rate_init=0.5, power_t=0.5,
                            max_iter=4, random_state=0, batch_size=40)
        inv.fit(X, labels)
        seen = [inv.learning_rate_init / (e * len(X) + 1) ** 0.5 for e in range(4)]
        assert inv._optimizer.learning_rate == pytest.approx(seen[-1])
        ada = MLPClassifier((4,), solver="sgd", learning_rate="adaptive", tol=100.0, n_iter_no_change=2,
                            max_iter=9, random_state=0).fit(X, labels)
    # no improvement for more than 2 epochs (epochs 2-4, then 5-7) divides the rate by 5, twice in 9 epochs
    assert ada.n_iter_ == 9 and ada._lr == pytest.approx(0.001 / 5**2)


def test_partial_fit_and_warm_start(data):
    X, labels, _ = data
    clf = MLPClassifier((5,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, labels)
    clf.partial_fit(X[:20], labels[:20], classes=[0, 1, 2, 3])
    assert clf.classes_.tolist() == [0, 1, 2, 3]
    clf.partial_fit(X[20:], labels[20:])
    with pytest.raises(ValueError, match="not in"):
        clf.partial_fit(X, labels + 10)
    with pytest.raises(ValueError, match="early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X, labels, classes=[0, 1, 2])
    warm = MLPClassifier((5,), max_iter=2, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm.fit(X, labels)
        before = warm.network_.params.copy()
        warm.fit(X, labels)
        assert len(warm.loss_curve_) == 4 and not np.array_equal(before, warm.network_.params)
        with pytest.raises(ValueError, match="same classes"):
            warm.fit(X, labels.clip(0, 1))


def test_bad_parameters_are_refused(data):
    X, labels, _ = data
    for params, words in [({"solver": "newton"}, "'lbfgs', 'sgd' or 'adam'"), ({"activation": "softmax"}, "activation"),
                          ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"), ({"alpha": -1}, "alpha"),
                          ({"batch_size": 0}, "batch_size"), ({"dtype": "int8"}, "dtype"),
                          ({"max_fun": 0}, "max_fun"), ({"solver": "lbfgs", "max_fun": 2.5}, "max_fun"),
                          ({"n_iter_no_change": -np.inf}, "n_iter_no_change"),
                          ({"n_iter_no_change": 0.5}, "n_iter_no_change"), ({"dtype": "float16"}, "dtype")]:
        with pytest.raises((ValueError, TypeError), match=words):
            MLPClassifier(**params).fit(X, labels)
    for loss in ("absolute_error", None, "mse"):
        with pytest.raises(ValueError, match="loss must be 'squared_error' or 'poisson'"):
            MLPRegressor(loss=loss).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="poisson.*>= 0"):
        MLPRegressor(loss="poisson").fit(X, X[:, 0])
    with pytest.raises(ValueError, match="(?i)negative"):
        MLPRegressor().fit(X, X[:, 0], sample_weight=-np.ones(len(X)))


def test_sklearn_tools_and_pickle(data):
    X, labels, _ = data
    pipe = make_pipeline(StandardScaler(), MLPClassifier((6,), max_iter=50, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(pipe, X, labels, cv=3)
        search = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4, 1e-1], "mlpclassifier__solver": ["sgd", "adam"]},
                              cv=2, n_jobs=2).fit(X, labels)
        fitted = pipe.fit(X, labels)
    assert len(scores) == 3 and all(0 <= s <= 1 for s in scores)
    assert set(search.best_params_) == {"mlpclassifier__alpha", "mlpclassifier__solver"}
    copy = clone(fitted)
    assert copy.get_params()["mlpclassifier__hidden_layer_sizes"] == (6,) and not hasattr(copy[-1], "network_")
    clf = fitted[-1]
    again = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(again.predict_proba(X), clf.predict_proba(X))
    # after unpickling the layers are views of params again: training moves both
    again.partial_fit(X, labels)
    assert np.shares_memory(again.network_.params, again.network_.layers[0].weights)
    assert np.array_equal(again.network_.layers[0].weights.ravel(), again.network_.params[:18])


def test_dataframe_feature_names(data):
    pd = pytest.importorskip("pandas")
    X, labels, _ = data
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    clf = MLPClassifier((4,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(frame, labels)
    assert clf.feature_names_in_.tolist() == ["a", "b", "c"]
    assert np.array_equal(clf.predict(frame), clf.predict(X))


def test_a_refused_refit_keeps_the_classes_of_the_fitted_network():
    # classes_ must keep describing network_'s outputs: a refit refused for its class_weight changed
    # classes_ to the new y's four classes while network_ still had three outputs
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 2)), np.arange(30) % 3
    clf = MLPClassifier((4,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    clf.set_params(class_weight={7: 2.0})
    with pytest.raises(ValueError, match="class_weight"):
        clf.fit(X, np.arange(30) % 4)
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.network_.n_outputs == 3 and set(clf.predict(X)) <= {0, 1, 2}
