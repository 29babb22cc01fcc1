"""Standardizer, one_hot and train_test_split."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from glassnet.datasets import Standardizer, houses, one_hot, train_test_split
from glassnet.errors import InputError, InputTypeError

# --- Standardizer -------------------------------------------------------------------------------------


def test_standardizer_uses_the_training_statistics_only():
    rng = np.random.default_rng(0)
    train = rng.normal(5.0, 2.0, size=(200, 3))
    test = rng.normal(-3.0, 9.0, size=(50, 3))
    s = Standardizer().fit(train)
    np.testing.assert_allclose(s.mean_, train.mean(axis=0))
    np.testing.assert_allclose(s.scale_, train.std(axis=0))
    np.testing.assert_allclose(s.transform(test), (test - train.mean(axis=0)) / train.std(axis=0))
    Z = s.fit_transform(train)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)


def test_standardizer_matches_scikit_learns_standard_scaler():
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    rng = np.random.default_rng(4)
    train = rng.normal(size=(120, 4)) * [1.0, 10.0, 1e-3, 1e4] + [0.0, -5.0, 2.0, 1e5]
    test = rng.normal(size=(30, 4)) * 3.0
    ours, theirs = Standardizer().fit(train), preprocessing.StandardScaler().fit(train)
    np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-12)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-12)
    np.testing.assert_allclose(ours.transform(test), theirs.transform(test), rtol=1e-10, atol=1e-12)
    Z = rng.normal(size=(10, 4))
    np.testing.assert_allclose(ours.inverse_transform(Z), theirs.inverse_transform(Z), rtol=1e-12)


def test_statistics_are_plain_float64_arrays_and_round_trip():
    s = Standardizer().fit(houses(n_samples=100, seed=0).X)
    assert type(s.mean_) is np.ndarray and s.mean_.dtype == np.float64 and s.mean_.shape == (4,)
    assert type(s.scale_) is np.ndarray and s.scale_.dtype == np.float64
    restored = Standardizer.from_arrays(s.mean_.tolist(), s.scale_.tolist())
    X = houses(n_samples=10, seed=1).X
    np.testing.assert_array_equal(restored.transform(X), s.transform(X))


def test_constant_columns_are_shifted_not_divided():
    X = np.array([[1.0, 0.1, 7.0], [2.0, 0.1, 7.0], [3.0, 0.1, 7.0]] * 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division-by-zero warning
        s = Standardizer().fit(X)
        Z = s.transform(X)
    assert s.scale_[1] == 1.0 and s.scale_[2] == 1.0
    np.testing.assert_allclose(Z[:, 1:], 0.0, atol=1e-15)
    np.testing.assert_allclose(s.inverse_transform(Z), X)


def test_inverse_transform_undoes_transform():
    X = houses(n_samples=30, seed=0).X
    s = Standardizer().fit(X)
    np.testing.assert_allclose(s.inverse_transform(s.transform(X)), X)


def test_float32_stays_float32_and_integers_become_float64():
    X32 = np.random.default_rng(0).random((20, 3), dtype=np.float32)
    s = Standardizer().fit(X32)
    assert s.transform(X32).dtype == np.float32 and s.mean_.dtype == np.float64
    assert Standardizer().fit_transform(np.arange(12).reshape(6, 2)).dtype == np.float64


def test_a_1d_target_can_be_standardized():
    y = houses(n_samples=50, seed=0).y
    s = Standardizer().fit(y)
    assert s.mean_.shape == () and s.transform(y).shape == (50,)
    np.testing.assert_allclose(s.inverse_transform(s.transform(y)), y)
    with pytest.raises(InputError, match="fitted on data with 1-D"):
        s.transform(y[:, None])


def test_standardizer_errors():
    with pytest.raises(InputError, match="not fitted yet"):
        Standardizer().transform(np.zeros((2, 2)))
    s = Standardizer().fit(np.zeros((3, 2)))
    with pytest.raises(
        InputError, match=r"shape \(3, 3\) but the Standardizer was fitted on data with 2 columns"
    ):
        s.transform(np.zeros((3, 3)))
    with pytest.raises(InputError, match="NaN or infinite"):
        Standardizer().fit(np.array([[1.0], [np.nan]]))
    with pytest.raises(InputError, match="at least one row"):
        Standardizer().fit(np.zeros((0, 2)))
    with pytest.raises(InputTypeError, match="must hold numbers"):
        Standardizer().fit(np.array([["a"]]))
    with pytest.raises(InputError, match="scale finite and positive"):
        Standardizer.from_arrays([0.0], [0.0])
    with pytest.raises(InputError, match="must match"):
        Standardizer.from_arrays([0.0, 1.0], [1.0])
    assert "unfitted" in repr(Standardizer()) and "(n, 2)" in repr(s)


# --- one_hot ------------------------------------------------------------------------------------------


def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0, 1]), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    wide = one_hot(np.array([1]), n_classes=4, dtype=np.float32)
    assert wide.dtype == np.float32 and wide.tolist() == [[0, 1, 0, 0]]
    assert one_hot(np.array([1.0, 0.0])).tolist() == [[0, 1], [1, 0]]
    assert one_hot(np.array([], dtype=int), n_classes=3).shape == (0, 3)


@pytest.mark.parametrize(
    ("y", "n_classes", "error", "words"),
    [
        ([0, 3], 3, InputError, r"0\.\.2; y spans 0\.\.3"),
        ([-1, 0], None, InputError, r"spans -1\.\.0"),
        ([[0, 1]], None, InputError, "must be 1-D"),
        ([0.5], None, InputTypeError, "whole-number"),
        (["a"], None, InputTypeError, "whole-number"),
        ([], None, InputError, "pass n_classes"),
        ([0], 0, InputError, "n_classes must be at least 1"),
    ],
)
def test_one_hot_errors(y, n_classes, error, words):
    with pytest.raises(error, match=words):
        one_hot(np.asarray(y), n_classes=n_classes)


# --- train_test_split ---------------------------------------------------------------------------------


def test_split_sizes_cover_and_determinism():
    X = np.arange(100).reshape(50, 2)
    y = np.arange(50, dtype=np.float64)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=3)
    assert len(X_train) == 40 and len(X_test) == 10
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)  # rows stay paired
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == y.tolist()
    again = train_test_split(X, y, test_size=0.2, seed=3)
    for a, b in zip(again, (X_train, X_test, y_train, y_test), strict=True):
        np.testing.assert_array_equal(a, b)
    other = train_test_split(X, y, test_size=0.2, seed=4)
    assert not np.array_equal(other[3], y_test)


def test_fraction_rounds_up_and_counts_are_allowed():
    X, y = np.zeros((10, 1)), np.zeros(10)
    assert len(train_test_split(X, y, test_size=0.25, seed=0)[1]) == 3
    assert len(train_test_split(X, y, test_size=4, seed=0)[1]) == 4


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [600, 300, 100])
    X = np.arange(1000)[:, None]
    _, _, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=0)  # int labels: stratified
    assert np.bincount(y_test).tolist() == [120, 60, 20]
    assert np.bincount(y_train).tolist() == [480, 240, 80]
    assert not np.all(np.diff(y_test) >= 0), "the test rows should come shuffled"


def test_stratify_false_is_a_plain_shuffle():
    y = np.repeat([0, 1], [90, 10])
    shares = [
        np.bincount(train_test_split(np.zeros((100, 1)), y, 0.3, seed=s, stratify=False)[3], minlength=2)[1]
        for s in range(20)
    ]
    assert len(set(shares)) > 1  # varies with the seed, unlike the stratified split's fixed 3


def test_regression_targets_are_not_stratified_by_default():
    y = np.linspace(0, 1, 40)
    _, _, _, y_test = train_test_split(np.zeros((40, 1)), y, test_size=0.25, seed=0)
    assert len(y_test) == 10


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(1, 30), min_size=1, max_size=6),
    fraction=st.floats(0.05, 0.95),
    seed=st.integers(0, 1000),
)
def test_stratified_counts_are_within_one_of_the_exact_share(counts, fraction, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    n = len(y)
    assume(1 <= int(np.ceil(fraction * n)) <= n - 1)  # else the split is refused (tested below)
    X = np.arange(n)[:, None]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=fraction, seed=seed, stratify=True)
    n_test = len(y_test)
    assert n_test == int(np.ceil(fraction * n))
    got = np.bincount(y_test, minlength=len(counts))
    assert np.all(np.abs(got - n_test * np.array(counts) / n) < 1)
    np.testing.assert_array_equal(y[X_test[:, 0]], y_test)
    assert len(np.intersect1d(X_train, X_test)) == 0


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "error", "words"),
    [
        (np.zeros((5, 1)), np.zeros(4), {}, InputError, "one row of X per value of y"),
        (np.zeros((1, 1)), np.zeros(1), {}, InputError, "need at least 2"),
        (np.zeros((4, 1)), np.zeros(4), {"test_size": 0.0}, InputError, "strictly between 0 and 1"),
        (np.zeros((4, 1)), np.zeros(4), {"test_size": 1.5}, InputError, "strictly between 0 and 1"),
        (np.zeros((4, 1)), np.zeros(4), {"test_size": 4}, InputError, "each part needs at least one row"),
        (np.zeros((4, 1)), np.zeros(4), {"test_size": 0}, InputError, "each part needs at least one row"),
        (np.zeros((2, 1)), np.zeros(2), {"test_size": 0.75}, InputError, "gives 2 test rows of 2"),
        (np.zeros((4, 1)), np.zeros(4), {"test_size": "half"}, InputTypeError, "fraction or a number"),
    ],
)
def test_split_errors(X, y, kwargs, error, words):
    with pytest.raises(error, match=words):
        train_test_split(X, y, **kwargs)
