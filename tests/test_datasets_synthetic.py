"""The seeded generators and the Dataset record they return."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.datasets import (
    Dataset,
    DatasetError,
    circles,
    gaussians,
    houses,
    moons,
    plane,
    sine,
    spiral,
    xor,
)
from glassnet.errors import InputError, InputTypeError

CLASSIFIERS = [xor, circles, moons, spiral, gaussians]
REGRESSIONS = [sine, plane, houses]
GENERATORS = CLASSIFIERS + REGRESSIONS


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_shapes_dtypes_and_names(make):
    data = make(n_samples=57, seed=0)
    X, y, feature_names = data  # unpacks as a triple
    assert X is data.X and y is data.y and feature_names == data.feature_names
    assert X.dtype == np.float64 and X.ndim == 2 and X.shape[0] == 57
    assert X.flags.c_contiguous
    assert y.shape == (57,)
    assert len(feature_names) == X.shape[1]
    assert data.name == make.__name__
    assert data.n_samples == 57 and data.n_features == X.shape[1]
    assert np.isfinite(X).all() and np.isfinite(y).all()
    if make in CLASSIFIERS:
        assert data.task == "classification"
        assert y.dtype == np.int64
        assert data.n_classes == len(data.target_names)
        assert set(np.unique(y)) == set(range(data.n_classes))
    else:
        assert data.task == "regression"
        assert y.dtype == np.float64
        assert len(data.target_names) == 1 and data.n_classes is None


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_same_seed_same_data_other_seed_other_data(make):
    a, b, c = make(seed=7), make(seed=7), make(seed=8)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_a_generator_is_accepted_as_seed(make):
    a = make(seed=np.random.default_rng(3))
    b = make(seed=3)
    np.testing.assert_array_equal(a.X, b.X)


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
def test_one_sample_is_enough(make):
    assert make(n_samples=1, seed=0).X.shape[0] == 1


@pytest.mark.parametrize("make", CLASSIFIERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("n", [101, 200])
def test_classes_are_balanced_and_rows_shuffled(make, n):
    data = make(n_samples=n, seed=1)
    counts = np.bincount(data.y, minlength=data.n_classes)
    assert counts.max() - counts.min() <= 1
    assert not np.all(np.diff(data.y) >= 0), "rows should not come sorted by class"


@pytest.mark.parametrize("make", CLASSIFIERS, ids=lambda f: f.__name__)
def test_2d_sets_lie_in_the_unit_square_without_noise(make):
    data = make(n_samples=500, noise=0.0, seed=2)
    assert data.X.shape[1] == 2
    assert np.abs(data.X).max() <= 1.0 + 1e-12


@pytest.mark.parametrize("make", [spiral, gaussians], ids=lambda f: f.__name__)
@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_spiral_and_gaussians_take_2_to_5_classes(make, k):
    data = make(n_samples=10 * k, n_classes=k, seed=0)
    assert data.n_classes == k
    np.testing.assert_array_equal(np.bincount(data.y), [10] * k)


def test_xor_labels_follow_the_signs():
    data = xor(n_samples=300, noise=0.0, seed=0)
    expected = (data.X[:, 0] * data.X[:, 1] < 0).astype(np.int64)
    np.testing.assert_array_equal(data.y, expected)
    assert np.abs(data.X).min() >= 0.1  # kept off the axes


def test_circles_radii():
    data = circles(n_samples=200, noise=0.0, seed=0, factor=0.3)
    radius = np.hypot(data.X[:, 0], data.X[:, 1])
    np.testing.assert_allclose(radius[data.y == 0], 1.0)
    np.testing.assert_allclose(radius[data.y == 1], 0.3)


def test_gaussians_noise_is_the_blob_spread():
    data = gaussians(n_samples=4000, noise=0.1, seed=0, n_classes=3)
    for k in range(3):
        assert np.allclose(data.X[data.y == k].std(axis=0), 0.1, atol=0.01)


def test_noise_zero_regression_sets_follow_their_formulas():
    s = sine(n_samples=50, noise=0.0, seed=0)
    np.testing.assert_allclose(s.y, np.sin(np.pi * s.X[:, 0]))
    p = plane(n_samples=50, noise=0.0, seed=0)
    np.testing.assert_allclose(p.y, 0.6 * p.X[:, 0] - 0.3 * p.X[:, 1] + 0.2)
    h = houses(n_samples=50, noise=0.0, seed=0)
    area, rooms, age, distance = h.X.T
    np.testing.assert_allclose(h.y, 60 + 2.5 * area + 8 * rooms - 0.8 * age - 3 * distance)


def test_houses_features():
    h = houses(n_samples=2000, seed=0)
    assert h.feature_names == ("area", "rooms", "age", "distance")
    assert h.target_names == ("price",)
    area, rooms, age, distance = h.X.T
    assert 40 <= area.min() and area.max() <= 200
    assert set(np.unique(rooms)) <= set(range(1, 9)) and np.corrcoef(area, rooms)[0, 1] > 0.8
    assert np.all(age == np.round(age)) and 0 <= age.min() and age.max() <= 60
    assert 0.5 <= distance.min() and distance.max() <= 30
    assert "price = 60 + 2.5 area" in (houses.__doc__ or "")


def test_noise_scales_the_regression_residual():
    h = houses(n_samples=4000, noise=15.0, seed=0)
    area, rooms, age, distance = h.X.T
    residual = h.y - (60 + 2.5 * area + 8 * rooms - 0.8 * age - 3 * distance)
    assert abs(residual.std() - 15.0) < 1.0


@pytest.mark.parametrize("make", GENERATORS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"n_samples": 0}, InputError, "n_samples must be at least 1"),
        ({"n_samples": -5}, InputError, "n_samples"),
        ({"n_samples": 2.5}, InputTypeError, "whole number"),
        ({"n_samples": True}, InputTypeError, "whole number"),
        ({"n_samples": "10"}, InputTypeError, "n_samples"),
        ({"noise": -0.1}, InputError, "noise must be a finite number at least 0"),
        ({"noise": float("nan")}, InputError, "noise"),
        ({"noise": float("inf")}, InputError, "noise"),
        ({"noise": "a"}, InputTypeError, "noise must be a number"),
    ],
)
def test_bad_arguments_are_refused_clearly(make, kwargs, error, words):
    with pytest.raises(error, match=words):
        make(**kwargs)


@pytest.mark.parametrize("make", [spiral, gaussians], ids=lambda f: f.__name__)
@pytest.mark.parametrize(("k", "error"), [(1, InputError), (0, InputError), (2.0, InputTypeError)])
def test_bad_n_classes(make, k, error):
    with pytest.raises(error, match="n_classes"):
        make(n_classes=k)


@pytest.mark.parametrize("factor", [0, -0.5, 1.0, 1.5])
def test_circles_factor_must_be_inside(factor):
    with pytest.raises(InputError, match="factor"):
        circles(factor=factor)


def test_numpy_integer_arguments_work():
    assert (
        spiral(n_samples=np.int64(30), n_classes=np.int32(3), noise=np.float32(0.1), seed=0).n_samples == 30
    )


# --- the Dataset record -------------------------------------------------------------------------------


def _record(**changes):
    fields = dict(
        X=np.zeros((3, 2)),
        y=np.array([0, 1, 1]),
        feature_names=["a", "b"],
        target_names=["no", "yes"],
        task="classification",
        name="t",
    )
    fields.update(changes)
    return Dataset(**fields)


def test_dataset_normalises_names_to_tuples_and_has_a_short_repr():
    data = _record()
    assert data.feature_names == ("a", "b") and data.target_names == ("no", "yes")
    assert repr(data) == (
        "Dataset(name='t', task='classification', n_samples=3, n_features=2, target_names=('no', 'yes'))"
    )
    with pytest.raises(AttributeError):
        data.name = "other"  # frozen


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"X": np.zeros(3)}, "X must be a 2-D array"),
        ({"y": np.zeros((3, 1), dtype=int)}, "y must be a 1-D array"),
        ({"y": np.array([0, 1])}, "X has 3 rows but y has 2"),
        ({"feature_names": ["a"]}, "1 feature names, 2 columns"),
        ({"task": "clustering"}, "task must be one of"),
        ({"y": np.array([0.0, 1.0, 1.0])}, "must be integers"),
        ({"y": np.array([0, 1, 2])}, r"0\.\.1"),
        ({"y": np.array([0, -1, 1])}, r"0\.\.1"),
        ({"task": "regression", "y": np.zeros(3)}, "exactly one name"),
    ],
)
def test_dataset_refuses_inconsistent_parts(changes, words):
    with pytest.raises(DatasetError, match=words):
        _record(**changes)


def test_dataset_split_keeps_names_and_classes():
    data = spiral(n_samples=90, seed=0)
    train, test = data.split(test_size=1 / 3, seed=0)
    assert (train.n_samples, test.n_samples) == (60, 30)
    assert train.target_names == test.target_names == data.target_names
    np.testing.assert_array_equal(np.bincount(test.y), [10, 10, 10])
