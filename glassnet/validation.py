"""Checks on what callers pass in, done before any work so that a bad call changes nothing.

Each check raises :class:`~glassnet.errors.InputError` (a ValueError) or
:class:`~glassnet.errors.InputTypeError` (a TypeError) with a message that says how to fix the call.
"""

from __future__ import annotations

import numbers

import numpy as np

from .errors import InputError, InputTypeError

# Finite-value checks walk big arrays (and memory-mapped files) in slices of this many rows, so that
# checking a dataset never holds a second copy of it in memory.
_CHECK_ROWS = 2048


def as_numeric(name: str, value: object, dtype: np.dtype | None = None) -> np.ndarray:
    """``value`` as a numeric numpy array (cast to ``dtype`` when given), or a clear TypeError."""
    if value is None:
        raise InputTypeError(f"{name} is None; pass an array of numbers")
    array = value if isinstance(value, np.ndarray) else None
    if array is None:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as exc:
            raise InputTypeError(f"{name} could not be read as an array of numbers: {exc}") from None
    if array.dtype.kind not in "biuf":
        if array.dtype.kind == "c":
            raise InputTypeError(f"{name} holds complex numbers; glassnet works with real numbers")
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError):
            raise InputTypeError(
                f"{name} must hold numbers, but it holds {array.dtype.name} values that are not numbers "
                f"(for example {_first_non_numeric(array)!r}); encode text columns as numbers first"
            ) from None
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    return array


def _first_non_numeric(array: np.ndarray) -> object:
    for item in array.ravel():
        try:
            float(item)
        except (TypeError, ValueError):
            return item
    return array.ravel()[0] if array.size else None


def check_finite(name: str, array: np.ndarray) -> None:
    """Refuse NaN or infinite values, naming where the first one is."""
    if array.dtype.kind != "f":
        return
    for start in range(0, max(len(array), 1), _CHECK_ROWS):
        part = np.asarray(array[start : start + _CHECK_ROWS])
        if not np.isfinite(part).all():
            bad = np.argwhere(~np.isfinite(part))[0]
            where = (start + int(bad[0]),) + tuple(int(i) for i in bad[1:])
            count = "NaN" if np.isnan(part[tuple(bad)]) else "an infinite value"
            raise InputError(
                f"{name} contains {count} at index {where if len(where) > 1 else where[0]}; remove or impute "
                "missing values before training"
            )


def check_X(X: object, n_features: int | None, dtype: np.dtype | None = None, name: str = "X") -> np.ndarray:
    """A 2-D, non-empty, finite numeric X with ``n_features`` columns (when given)."""
    array = as_numeric(name, X, dtype)
    if array.ndim == 1:
        raise InputError(
            f"{name} must be 2-D, shaped (n_samples, n_features), but it is 1-D with shape {array.shape}; "
            f"use {name}.reshape(-1, 1) if it is one feature, or {name}.reshape(1, -1) if it is one sample"
        )
    if array.ndim != 2:
        raise InputError(f"{name} must be 2-D, shaped (n_samples, n_features); got {array.ndim}-D {array.shape}")
    if array.shape[0] == 0:
        raise InputError(f"{name} is empty (0 samples); pass at least one row")
    if n_features is not None and array.shape[1] != n_features:
        raise InputError(
            f"{name} has {array.shape[1]} columns but the network's first layer takes {n_features} inputs"
        )
    check_finite(name, array)
    return array


def check_Y(Y: object, n_samples: int, dtype: np.dtype | None = None, name: str = "Y") -> np.ndarray:
    """A finite numeric Y (1-D or 2-D) with ``n_samples`` rows."""
    array = as_numeric(name, Y, dtype)
    if array.ndim not in (1, 2):
        raise InputError(f"{name} must be 1-D or 2-D, shaped (n_samples,) or (n_samples, n_outputs); got {array.shape}")
    if array.shape[0] != n_samples:
        raise InputError(
            f"X has {n_samples} rows but {name} has {array.shape[0]}; they must match, one target per sample"
        )
    check_finite(name, array)
    return array


def check_positive(name: str, value: object, integer: bool = False, allow_none: bool = False) -> object:
    """A number > 0 (a whole number when ``integer``), or None when ``allow_none``."""
    if value is None and allow_none:
        return None
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "a whole number" if integer else "a number"
        raise InputTypeError(f"{name} must be {what} greater than 0, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be greater than 0, got {value!r}")
    return int(value) if integer else float(value)


def check_fraction(name: str, value: object, low_open: bool = False) -> float:
    """A number in [0, 1) (or (0, 1) when ``low_open``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputTypeError(f"{name} must be a number between 0 and 1, got {value!r}")
    if not (0 <= value < 1) or (low_open and value == 0):
        raise InputError(f"{name} must be at least 0 and below 1, got {value!r}")
    return float(value)


def check_non_negative(name: str, value: object) -> float:
    """A finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputTypeError(f"{name} must be a number >= 0, got {value!r}")
    if not np.isfinite(value) or value < 0:
        raise InputError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def check_sample_weight(weights: object, n_samples: int, dtype: np.dtype | None = None) -> np.ndarray | None:
    """None, or finite weights >= 0, one per sample (shape (n_samples,)), not all zero."""
    if weights is None:
        return None
    array = as_numeric("sample_weight", weights, dtype)
    if array.ndim == 0:
        array = np.full(n_samples, array, dtype=array.dtype)
    if array.ndim != 1 or array.shape[0] != n_samples:
        raise InputError(
            f"sample_weight must hold one number per sample, shape ({n_samples},); got shape {array.shape}"
        )
    check_finite("sample_weight", array)
    if array.size and array.min() < 0:
        raise InputError("sample_weight must not be negative; give each sample a weight >= 0")
    if not array.sum() > 0:
        raise InputError("sample_weight is zero for every sample; at least one sample needs a weight above 0")
    return array
