"""On digits, iris, wine and breast_cancer, glassnet's MLPClassifier is as accurate as scikit-learn's.

Matching settings: standardised inputs, the same hidden sizes, solver, learning rate, batch size, epochs
and alpha; test accuracy averaged over seeds (each seed its own split and starting weights) must lie within
1 point of scikit-learn's. With solver="lbfgs", glassnet's held-out score is no more than 1.5 points below
scikit-learn's lbfgs on digits and breast_cancer (accuracy) and diabetes (R^2 of an MLPRegressor).
Run ``python tests/test_accuracy_vs_sklearn.py`` to print the tables, with the fit-time ratio of the
lbfgs fits (the two libraries interleaved, seed by seed).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import datasets  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier as SklearnMLP  # noqa: E402
from sklearn.neural_network import MLPRegressor as SklearnMLPRegressor  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from glassnet.estimators import MLPClassifier, MLPRegressor  # noqa: E402

SETTINGS = dict(hidden_layer_sizes=(32,), solver="adam", learning_rate_init=0.001, batch_size=32, max_iter=150,
                alpha=1e-4, tol=1e-4, n_iter_no_change=10)
SEEDS = {"digits": range(4), "iris": range(12), "wine": range(12), "breast_cancer": range(8)}  # small sets: more
LOADERS = {"digits": datasets.load_digits, "iris": datasets.load_iris, "wine": datasets.load_wine,
           "breast_cancer": datasets.load_breast_cancer}


def accuracies(name: str) -> tuple[float, float]:
    X, y = LOADERS[name](return_X_y=True)
    ours, theirs = [], []
    for seed in SEEDS[name]:
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours.append(MLPClassifier(random_state=seed, **SETTINGS).fit(X_train, y_train).score(X_test, y_test))
            theirs.append(SklearnMLP(random_state=seed, **SETTINGS).fit(X_train, y_train).score(X_test, y_test))
    return float(np.mean(ours)), float(np.mean(theirs))


@pytest.mark.parametrize("name", list(LOADERS))
def test_accuracy_within_one_point_of_sklearn(name):
    ours, theirs = accuracies(name)
    assert abs(ours - theirs) <= 0.01, f"{name}: glassnet {ours:.4f}, scikit-learn {theirs:.4f}"


LBFGS = dict(hidden_layer_sizes=(32,), solver="lbfgs", max_iter=200, alpha=1e-4)
LBFGS_SETS = {"digits": (datasets.load_digits, 4), "breast_cancer": (datasets.load_breast_cancer, 8),
              "diabetes": (datasets.load_diabetes, 16)}


def lbfgs_scores(name: str) -> tuple[float, float, float]:
    """Mean held-out score (accuracy, or R^2 for diabetes) of glassnet's and scikit-learn's lbfgs, and the
    ratio of their summed fit times (glassnet / scikit-learn), the two fitted in turn on each split."""
    import time

    loader, n_seeds = LBFGS_SETS[name]
    X, y = loader(return_X_y=True)
    regression = name == "diabetes"
    ours, theirs, times = [], [], [0.0, 0.0]
    for seed in range(n_seeds):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, stratify=None if regression else y, random_state=seed
        )
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        settings = dict(LBFGS, alpha=100.0) if regression else LBFGS  # 442 rows: the network overfits otherwise
        pair = (MLPRegressor, SklearnMLPRegressor) if regression else (MLPClassifier, SklearnMLP)
        for which, (cls, scores) in enumerate(zip(pair, (ours, theirs), strict=True)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                model = cls(random_state=seed, **settings).fit(X_train, y_train)
                times[which] += time.perf_counter() - start
            scores.append(model.score(X_test, y_test))
    return float(np.mean(ours)), float(np.mean(theirs)), times[0] / times[1]


@pytest.mark.parametrize("name", list(LBFGS_SETS))
def test_lbfgs_no_worse_than_sklearns_lbfgs(name):
    ours, theirs, _ = lbfgs_scores(name)
    assert ours >= theirs - 0.015, f"{name}: glassnet {ours:.4f}, scikit-learn {theirs:.4f}"


if __name__ == "__main__":
    print(f"{'dataset':<15}{'glassnet':>10}{'scikit-learn':>14}{'difference':>12}")
    for dataset in LOADERS:
        g, s = accuracies(dataset)
        print(f"{dataset:<15}{g:>10.4f}{s:>14.4f}{(g - s) * 100:>+11.2f}pt")
    print(f"\nsolver='lbfgs'\n{'dataset':<15}{'glassnet':>10}{'scikit-learn':>14}{'difference':>12}{'fit time':>10}")
    for dataset in LBFGS_SETS:
        g, s, ratio = lbfgs_scores(dataset)
        print(f"{dataset:<15}{g:>10.4f}{s:>14.4f}{(g - s) * 100:>+11.2f}pt{ratio:>9.2f}x")
