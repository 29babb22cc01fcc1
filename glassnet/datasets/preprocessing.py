"""Getting data ready to learn from: standardize features, one-hot encode labels, split train from test.

Fit a :class:`Standardizer` on the training part only, then apply it to the test part: otherwise the
test set leaks into training and the test score flatters the model.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..errors import InputError, InputTypeError
from ..validation import check_number, one_hot_rows


def _numeric(name: str, value: object) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise InputTypeError(f"{name} must hold numbers, not {array.dtype}")
    return array


class Standardizer:
    """Shift and scale each feature to mean 0 and standard deviation 1: ``(X - mean_) / scale_``.

    Attributes (after :meth:`fit`)
    ------------------------------
    mean_ : ndarray of float64, shape X.shape[1:]
        Each feature's mean over the rows it was fitted on.
    scale_ : ndarray of float64, shape X.shape[1:]
        Each feature's standard deviation (ddof=0), or 1.0 for a constant feature, which is then only
        shifted to 0 (no division by zero).

    Both are plain arrays, to be stored in a model file and given back to :meth:`from_arrays`.
    A 1-D input (one feature, such as a regression target) gives 0-d ``mean_`` and ``scale_``.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    @classmethod
    def from_arrays(cls, mean: object, scale: object) -> Standardizer:
        """A fitted Standardizer from saved ``mean_`` and ``scale_`` arrays."""
        mean = _numeric("mean", mean).astype(np.float64)
        scale = _numeric("scale", scale).astype(np.float64)
        if mean.shape != scale.shape:
            raise InputError(
                f"mean has shape {mean.shape} but scale has shape {scale.shape}; they must match"
            )
        if not (np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
            raise InputError("mean must be finite and scale finite and positive")
        standardizer = cls()
        standardizer.mean_, standardizer.scale_ = mean, scale
        return standardizer

    def fit(self, X: object) -> Standardizer:
        """Learn each feature's mean and standard deviation from ``X`` (the training part only)."""
        X = _numeric("X", X)
        if X.ndim == 0 or len(X) == 0:
            raise InputError(f"X must have at least one row to fit on; got shape {X.shape}")
        mean = X.mean(axis=0, dtype=np.float64)
        std = X.std(axis=0, dtype=np.float64)
        if not (np.isfinite(mean).all() and np.isfinite(std).all()):
            raise InputError("X contains NaN or infinite values; remove or fill them in before standardizing")
        # A constant column has std 0, or a rounding-error sliver of its mean: divide it by 1 instead.
        constant = std <= 10 * np.finfo(np.float64).eps * np.abs(mean)
        self.mean_ = np.asarray(mean)
        self.scale_ = np.asarray(np.where(constant, 1.0, std))
        return self

    def _check(self, X: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``X`` checked against the fitted shape, with ``mean_`` and ``scale_`` in X's float dtype."""
        if self.mean_ is None or self.scale_ is None:
            raise InputError("this Standardizer is not fitted yet; call fit(X_train) first")
        X = _numeric("X", X)
        if X.shape[1:] != self.mean_.shape:
            expected = "1-D" if self.mean_.ndim == 0 else f"{self.mean_.shape[0]} columns"
            raise InputError(f"X has shape {X.shape} but the Standardizer was fitted on data with {expected}")
        dtype = self._dtype(X)
        return X, self.mean_.astype(dtype), self.scale_.astype(dtype)

    def _dtype(self, X: np.ndarray) -> np.dtype:
        """Floats keep their precision (float32 stays float32, for speed); integers become float64."""
        return X.dtype if X.dtype.kind == "f" else np.dtype(np.float64)

    def transform(self, X: object) -> np.ndarray:
        """``(X - mean_) / scale_``, as a new array."""
        X, mean, scale = self._check(X)
        return (X - mean) / scale

    def fit_transform(self, X: object) -> np.ndarray:
        """:meth:`fit` on ``X``, then :meth:`transform` it."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z: object) -> np.ndarray:
        """Undo :meth:`transform`: ``Z * scale_ + mean_``."""
        Z, mean, scale = self._check(Z)
        return Z * scale + mean

    def __repr__(self) -> str:
        fitted = (
            "unfitted"
            if self.mean_ is None
            else f"fitted on shape (n, {', '.join(map(str, self.mean_.shape))})"
        )
        return f"Standardizer({fitted})"


def one_hot(y: object, n_classes: int | None = None, dtype: type | np.dtype = np.float64) -> np.ndarray:
    """Class labels as one-hot rows: ``out[i, y[i]] = 1``, every other entry 0.

    Parameters
    ----------
    y : array_like of int, shape (n_samples,)
        Labels in ``0 .. n_classes - 1``.
    n_classes : int, optional
        Number of columns; ``max(y) + 1`` when None.
    dtype : dtype
        Of the result (float32 for a float32 network).

    Returns
    -------
    ndarray, shape (n_samples, n_classes)
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise InputError(f"y must be 1-D class labels, shaped (n_samples,); got shape {y.shape}")
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    if y.dtype.kind not in "biu":
        raise InputTypeError(f"y must hold whole-number class labels, not {y.dtype}")
    if n_classes is None:
        n_classes = int(y.max()) + 1 if len(y) else 0
        if n_classes < 1:
            raise InputError("cannot tell the number of classes from an empty y; pass n_classes")
    n_classes = check_number("n_classes", n_classes, integer=True, low=1)
    if len(y) and (y.min() < 0 or y.max() >= n_classes):
        raise InputError(f"class labels must lie in 0..{n_classes - 1}; y spans {y.min()}..{y.max()}")
    return one_hot_rows(y, n_classes, dtype)


def train_test_split(
    X: object,
    y: object,
    test_size: float = 0.25,
    seed: int | np.random.Generator | None = None,
    stratify: bool | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the rows and split them into a training part and a test part.

    Parameters
    ----------
    X : array_like, shape (n_samples, ...)
    y : array_like, shape (n_samples,)
    test_size : float or int
        A fraction in (0, 1) of the rows (rounded up), or a whole number of rows, for the test part;
        both parts keep at least one row.
    seed : int, Generator or None
        Seed for ``numpy.random.default_rng``; the same seed gives the same split.
    stratify : bool or None
        True: each class keeps its share of rows in both parts (within one row). False: a plain shuffle.
        None (default): stratify when y holds integer class labels.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        In scikit-learn's order; the rows of each part come shuffled.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim != 1 or len(X) != len(y):
        raise InputError(f"X (shape {X.shape}) and y (shape {y.shape}) need one row of X per value of y")
    n = len(y)
    n_test = _test_count(test_size, n)
    rng = np.random.default_rng(seed)
    if stratify is None:
        stratify = y.dtype.kind in "biu"
    if stratify:
        test = _stratified_test_rows(y, n_test, rng)
    else:
        test = rng.permutation(n)[:n_test]
    is_test = np.zeros(n, dtype=bool)
    is_test[test] = True
    train = rng.permutation(np.flatnonzero(~is_test))
    test = rng.permutation(np.flatnonzero(is_test))
    return X[train], X[test], y[train], y[test]


def _test_count(test_size: object, n: int) -> int:
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise InputTypeError(f"test_size must be a fraction or a number of rows, not {test_size!r}")
    if n < 2:
        raise InputError(f"cannot split {n} row(s) into a training part and a test part; need at least 2")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0.0 < float(test_size) < 1.0:
        n_test = math.ceil(float(test_size) * n)
    else:
        raise InputError(f"test_size as a fraction must lie strictly between 0 and 1; got {test_size}")
    if not 1 <= n_test <= n - 1:
        raise InputError(
            f"test_size={test_size} gives {n_test} test rows of {n}; each part needs at least one row"
        )
    return n_test


def _stratified_test_rows(y: np.ndarray, n_test: int, rng: np.random.Generator) -> np.ndarray:
    """Pick ``n_test`` rows so that each class's share of the test part matches its share of y.

    Each class gets ``floor(n_test * n_class / n)`` rows, and the rows left over go to the classes with
    the largest remainders (Hamilton's method), so every count is within one of its exact share.
    """
    classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    exact = n_test * counts / len(y)
    take = np.floor(exact).astype(np.int64)
    leftover = n_test - int(take.sum())
    # Largest remainders first; ties go to a random class so no class is always favoured.
    order = np.lexsort((rng.random(len(classes)), -(exact - take)))
    take[order[:leftover]] += 1
    rows = [rng.permutation(np.flatnonzero(inverse == k))[: take[k]] for k in range(len(classes))]
    return np.concatenate(rows)
