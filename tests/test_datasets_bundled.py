"""The data sets that ship inside scikit-learn."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from glassnet.datasets import (
    MissingExtraError,
    load,
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from glassnet.errors import GlassnetError

LOADERS = {
    load_digits: ("digits", "classification", (1797, 64), 10),
    load_iris: ("iris", "classification", (150, 4), 3),
    load_wine: ("wine", "classification", (178, 13), 3),
    load_breast_cancer: ("breast-cancer", "classification", (569, 30), 2),
    load_diabetes: ("diabetes", "regression", (442, 10), None),
}


@pytest.mark.parametrize("loader", list(LOADERS), ids=lambda f: f.__name__)
def test_bundled_sets(loader):
    pytest.importorskip("sklearn")
    name, task, shape, n_classes = LOADERS[loader]
    data = loader()
    X, y, feature_names = data
    assert (data.name, data.task, X.shape, data.n_classes) == (name, task, shape, n_classes)
    assert X.dtype == np.float64 and len(feature_names) == shape[1]
    assert y.dtype == (np.int64 if task == "classification" else np.float64)
    if n_classes:
        assert set(np.unique(y)) == set(range(n_classes)) and len(data.target_names) == n_classes
    assert data.description
    assert load(name).X.shape == shape  # and by name
    # the very numbers and names scikit-learn ships
    reference = getattr(pytest.importorskip("sklearn.datasets"), loader.__name__)()
    np.testing.assert_array_equal(X, reference.data)
    np.testing.assert_array_equal(y, reference.target)
    assert list(feature_names) == list(reference.feature_names)


def test_digits_fold_back_into_pictures():
    pytest.importorskip("sklearn")
    digits = load_digits()
    assert digits.image_shape == (8, 8) and digits.X[0].reshape(digits.image_shape).shape == (8, 8)
    assert digits.target_names == tuple("0123456789")
    assert load_breast_cancer().target_names == ("malignant", "benign")
    assert load_iris().target_names == ("setosa", "versicolor", "virginica")


@pytest.mark.parametrize("loader", list(LOADERS), ids=lambda f: f.__name__)
def test_without_scikit_learn_the_message_names_the_extra(loader, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn...` fail
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(MissingExtraError, match=r'pip install "glassnet\[sklearn\]"') as info:
        loader()
    assert isinstance(info.value, ImportError) and isinstance(info.value, GlassnetError)
    assert loader.__name__ in str(info.value)
