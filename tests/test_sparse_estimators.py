"""Sparse X in MLPClassifier and MLPRegressor, as scikit-learn's MLP takes it: text and one-hot pipelines.

The reference is the same estimator on the dense form of the same X (same random_state, same batches).
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")
pytest.importorskip("sklearn")

from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder  # noqa: E402

import glassnet  # noqa: E402
from glassnet import MLPClassifier, MLPRegressor  # noqa: E402

FORMATS = [sp.csr_array, sp.csr_matrix, sp.csc_array, sp.csc_matrix]
TOLERANCE = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-10, atol=1e-12)}

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def sparse_data(n=300, d=50, seed=0):
    rng = np.random.default_rng(seed)
    X = sp.random_array((n, d), density=0.1, format="csr", rng=rng)
    z = np.asarray(X @ rng.standard_normal(d))
    return X, z


def assert_same_model(a, b, tol):
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_allclose(wa, wb, **tol)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, **tol)
    assert a.n_iter_ == b.n_iter_


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_classifier_on_sparse_X_equals_dense(fmt, dtype, early_stopping):
    X, z = sparse_data()
    y = np.digitize(z, np.quantile(z, [1 / 3, 2 / 3]))
    options = dict(hidden_layer_sizes=(9,), max_iter=6, batch_size=40, random_state=0, dtype=dtype,
                   early_stopping=early_stopping, learning_rate_init=0.01)
    sparse_clf = MLPClassifier(**options).fit(fmt(X), y)
    dense_clf = MLPClassifier(**options).fit(X.toarray(), y)
    tol = TOLERANCE[dtype]
    assert_same_model(sparse_clf, dense_clf, tol)
    np.testing.assert_allclose(sparse_clf.predict_proba(fmt(X)), dense_clf.predict_proba(X.toarray()), **tol)
    np.testing.assert_array_equal(sparse_clf.predict(fmt(X)), dense_clf.predict(X.toarray()))
    assert sparse_clf.score(fmt(X), y) == dense_clf.score(X.toarray(), y)
    assert sparse_clf.score(X.toarray(), y) > 0.5  # it learned something (chance is 1/3)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_partial_fit_on_sparse_X_equals_dense(dtype):
    X, z = sparse_data()
    y = (z > np.median(z)).astype(int)
    sparse_clf = MLPClassifier((5,), random_state=1, dtype=dtype, batch_size=50)
    dense_clf = MLPClassifier((5,), random_state=1, dtype=dtype, batch_size=50)
    for start in range(0, 300, 100):
        part = slice(start, start + 100)
        sparse_clf.partial_fit(sp.csc_matrix(X[part]), y[part], classes=[0, 1])
        dense_clf.partial_fit(X[part].toarray(), y[part], classes=[0, 1])
    assert_same_model(sparse_clf, dense_clf, TOLERANCE[dtype])
    reg_sparse, reg_dense = MLPRegressor((5,), random_state=2, dtype=dtype), MLPRegressor((5,), random_state=2,
                                                                                          dtype=dtype)
    for _ in range(3):
        reg_sparse.partial_fit(X, z)
        reg_dense.partial_fit(X.toarray(), z)
    assert_same_model(reg_sparse, reg_dense, TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.__name__)
def test_regressor_on_sparse_X_equals_dense(fmt, dtype):
    X, z = sparse_data()
    Y = np.column_stack([z, z**2])
    weights = np.random.default_rng(3).uniform(0.2, 2, len(z))
    options = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0, dtype=dtype, solver="sgd",
                   learning_rate_init=0.01)
    sparse_reg = MLPRegressor(**options).fit(fmt(X), Y, sample_weight=weights)
    dense_reg = MLPRegressor(**options).fit(X.toarray(), Y, sample_weight=weights)
    tol = TOLERANCE[dtype]
    assert_same_model(sparse_reg, dense_reg, tol)
    np.testing.assert_allclose(sparse_reg.predict(fmt(X)), dense_reg.predict(X.toarray()), **tol)
    assert sparse_reg.score(fmt(X), Y) == pytest.approx(dense_reg.score(X.toarray(), Y), rel=1e-4)


def test_bad_sparse_X_is_refused_clearly_and_changes_nothing():
    X, z = sparse_data()
    y = (z > 0).astype(int)
    clf = MLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)
    coefs = [w.copy() for w in clf.coefs_]
    bad = X.copy()
    bad.data[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(bad, y)
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(bad)
    with pytest.raises(ValueError, match="50 features"):
        clf.predict(sp.hstack([X, X], format="csr"))
    for before, after in zip(coefs, clf.coefs_, strict=True):
        np.testing.assert_array_equal(before, after)


def test_a_model_fitted_on_sparse_X_saves_and_pickles(tmp_path):
    X, z = sparse_data()
    y = (z > 0).astype(int)
    clf = MLPClassifier((4,), max_iter=3, random_state=0).fit(X, y)
    path = tmp_path / "text.glassnet"
    clf.save(path)
    for again in (glassnet.load(path), pickle.loads(pickle.dumps(clf))):
        np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


# -- pipelines ------------------------------------------------------------------------------------------------
TOPICS = {
    "sport": "match goal team player coach score league season stadium referee striker keeper".split(),
    "food": "recipe oven flour butter sauce garlic dinner kitchen pepper baking onion soup".split(),
    "space": "rocket orbit planet moon launch astronaut galaxy telescope comet crater gravity probe".split(),
}
FILLER = "the a of and to in was with for on this that very today yesterday".split()


def corpus(n_per_topic: int, seed: int) -> tuple[list[str], np.ndarray]:
    """Generated sentences: a few words of one topic among common words (no data is downloaded)."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for label, words in enumerate(TOPICS.values()):
        for _ in range(n_per_topic):
            chosen = list(rng.choice(words, size=3)) + list(rng.choice(FILLER, size=6))
            rng.shuffle(chosen)
            texts.append(" ".join(chosen))
            labels.append(label)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.array(labels)[order]


def test_tfidf_pipeline_fits_and_predicts():
    texts, y = corpus(80, seed=0)
    test_texts, test_y = corpus(30, seed=1)
    pipe = make_pipeline(TfidfVectorizer(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=60, random_state=0))
    assert sp.issparse(pipe[0].fit_transform(texts))
    pipe.fit(texts, y)
    assert pipe.predict(test_texts).shape == (90,)
    assert pipe.score(test_texts, test_y) > 0.9  # three topics: chance is 1/3
    assert pipe.predict_proba(["the rocket reached orbit around the moon"]).argmax() == 2


def test_tfidf_pipeline_in_grid_search():
    texts, y = corpus(40, seed=2)
    searches = []
    for estimator in (MLPClassifier, SklearnMLPClassifier):  # scikit-learn's own MLP on the same search
        pipe = make_pipeline(
            TfidfVectorizer(), estimator(hidden_layer_sizes=(8,), max_iter=60, learning_rate_init=0.01, random_state=0)
        )
        searches.append(GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4, 1e-1]}, cv=2).fit(texts, y))
    ours, theirs = searches
    assert ours.best_score_ > 0.9 and ours.best_score_ >= theirs.best_score_ - 0.05
    assert ours.predict(["a striker scored a goal for the team"])[0] == 0


def test_one_hot_pipeline_with_sparse_output_equals_dense_output():
    rng = np.random.default_rng(4)
    colours = rng.choice(["red", "green", "blue", "grey"], size=400)
    sizes = rng.choice(["S", "M", "L"], size=400)
    X = np.column_stack([colours, sizes]).astype(object)
    y = (colours == "red") | (sizes == "L")
    fits = []
    for sparse_output in (True, False):
        pipe = make_pipeline(
            OneHotEncoder(sparse_output=sparse_output),
            MLPClassifier(hidden_layer_sizes=(6,), max_iter=100, learning_rate_init=0.05, random_state=0,
                          dtype="float64"),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipe.fit(X, y)
        fits.append(pipe)
    assert sp.issparse(fits[0][0].transform(X)) and not sp.issparse(fits[1][0].transform(X))
    np.testing.assert_allclose(fits[0].predict_proba(X), fits[1].predict_proba(X), rtol=1e-10, atol=1e-12)
    assert fits[0].score(X, y) == 1.0
