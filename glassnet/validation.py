"""Checks on what callers pass in, done before any work so that a bad call changes nothing.

Each check raises :class:`~glassnet.errors.InputError` (a ValueError) or
:class:`~glassnet.errors.InputTypeError` (a TypeError) with a message that says how to fix the call.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Literal, cast, overload

import numpy as np

from .errors import InputError, InputTypeError
from .sparse import check_sparse_X, is_sparse

# Finite-value checks walk big arrays (and memory-mapped files) in slices of this many rows, so that
# checking a dataset never holds a second copy of it in memory.
_CHECK_ROWS = 2048


def as_numeric(
    name: str, value: object, dtype: np.dtype | None = None, *, holds: str = "numbers",
    fix: str = "encode text columns as numbers first",
) -> np.ndarray:
    """``value`` as a numeric numpy array (cast to ``dtype`` when given), or a clear TypeError.

    ``holds`` says what the array must hold and ``fix`` what to do, in the message for values that are not
    numbers. A cast to a narrower float (float64 to float32) that overflows is not warned about: the values it
    turned infinite are named by :func:`check_finite` given the array from before the cast.
    """
    if value is None:
        raise InputTypeError(f"{name} is None; pass an array of {holds}")
    array = value if isinstance(value, np.ndarray) else None
    if array is None:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as exc:
            raise InputTypeError(f"{name} could not be read as an array of {holds}: {exc}") from None
    if array.dtype.kind not in "biuf":
        if array.dtype.kind == "c":
            raise InputTypeError(f"{name} holds complex numbers; glassnet works with real numbers")
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError, OverflowError):
            raise InputTypeError(
                f"{name} must hold {holds}, but it holds {array.dtype.name} values that are not numbers "
                f"(for example {_first_non_numeric(array)!r}); {fix}"
            ) from None
    return _cast(array, dtype)


def _cast(array: np.ndarray, dtype: np.dtype | None) -> np.ndarray:
    """``array`` as ``dtype`` (itself when it already is); an overflow to inf is left for check_finite to name."""
    if dtype is None or array.dtype == dtype:
        return array
    with np.errstate(over="ignore"):
        return array.astype(dtype)


def _first_non_numeric(array: np.ndarray) -> object:
    for item in array.ravel():
        try:
            float(item)
        except (TypeError, ValueError):
            return item
    return array.ravel()[0] if array.size else None


def check_finite(
    name: str, array: np.ndarray, source: np.ndarray | None = None,
    fix: str = "remove or impute missing values before training",
) -> None:
    """Refuse NaN or infinite values, naming where the first one is.

    ``source`` is the array ``array`` was cast from (float64 data cast to a float32 network), when it was:
    a value finite there but infinite here was too large for ``array``'s dtype, and is named as such, not as
    a missing value. ``fix`` ends the message for NaN and infinite values.
    """
    if array.dtype.kind != "f":
        return
    for start in range(0, max(len(array), 1), _CHECK_ROWS):
        part = np.asarray(array[start : start + _CHECK_ROWS])
        if not np.isfinite(part).all():
            bad = np.argwhere(~np.isfinite(part))[0]
            where = (start + int(bad[0]),) + tuple(int(i) for i in bad[1:])
            shown = where if len(where) > 1 else where[0]
            if source is not None and source is not array and np.isfinite(source[where]):
                raise InputError(_beyond_dtype(name, float(source[where]), shown, array.dtype))
            count = "NaN" if np.isnan(part[tuple(bad)]) else "an infinite value"
            raise InputError(f"{name} contains {count} at index {shown}; {fix}")


def _beyond_dtype(name: str, value: float, where: object, dtype: np.dtype) -> str:
    """The words for a finite value that a cast to ``dtype`` turned infinite."""
    largest = float(np.finfo(dtype).max)
    wider = (
        "or use dtype='float64' (whose largest number is 1.8e+308)" if dtype == np.float32
        else f"({dtype.name} is the widest dtype glassnet computes in)"
    )
    return (
        f"{name} holds {value:.3g} at index {where}: a finite number, but beyond {dtype.name}'s largest number "
        f"({largest:.3g}), so in {dtype.name} it would become infinite. Scale {name} (e.g. standardise it) {wider}"
    )


def check_X(X: object, n_features: int | None, dtype: np.dtype | None = None, name: str = "X") -> np.ndarray:
    """A 2-D, non-empty, finite numeric X with ``n_features`` columns (when given)."""
    if is_sparse(X):  # scipy.sparse: checked as CSR rows, never made dense (see glassnet.sparse)
        return check_sparse_X(X, n_features, dtype, name)
    source = as_numeric(name, X)
    array = source
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
    array = _cast(source, dtype)
    check_finite(name, array, source)
    return array


def check_Y(
    Y: object, n_samples: int, dtype: np.dtype | None = None, name: str = "Y", *, fits: np.dtype | None = None,
    fix: str = "remove or impute missing values before training",
) -> np.ndarray:
    """A finite numeric Y (1-D or 2-D) with ``n_samples`` rows (cast to ``dtype`` when given).

    ``fits``: the dtype Y will be cast to later (the network's); finite values beyond its largest number are
    refused now, in words, instead of becoming inf in that cast. ``fix`` ends the message for NaN and inf.
    """
    source = as_numeric(name, Y)
    if source.ndim not in (1, 2):
        raise InputError(
            f"{name} must be 1-D or 2-D, shaped (n_samples,) or (n_samples, n_outputs); got {source.shape}"
        )
    if source.shape[0] != n_samples:
        raise InputError(
            f"X has {n_samples} rows but {name} has {source.shape[0]}; they must match, one target per sample"
        )
    array = _cast(source, dtype)
    check_finite(name, array, source, fix)
    if fits is not None and array.dtype.kind == "f" and array.dtype.itemsize > np.dtype(fits).itemsize:
        check_finite(name, _cast(array, np.dtype(fits)), array, fix)
    return array


# check_number's result type follows its flags: an int when integer=True, a float when integer=False, and
# "| None" only when allow_none=True; a call whose flags are not literals gets the union that fits.

@overload
def check_number(
    name: str, value: object, *, integer: Literal[True], low: float | None = ..., high: float | None = ...,
    low_open: bool = ..., high_open: bool = ..., allow_none: Literal[False] = ...,
) -> int: ...
@overload
def check_number(
    name: str, value: object, *, integer: Literal[False] = ..., low: float | None = ..., high: float | None = ...,
    low_open: bool = ..., high_open: bool = ..., allow_none: Literal[False] = ...,
) -> float: ...
@overload
def check_number(
    name: str, value: object, *, integer: Literal[True], low: float | None = ..., high: float | None = ...,
    low_open: bool = ..., high_open: bool = ..., allow_none: Literal[True],
) -> int | None: ...
@overload
def check_number(
    name: str, value: object, *, integer: Literal[False] = ..., low: float | None = ..., high: float | None = ...,
    low_open: bool = ..., high_open: bool = ..., allow_none: Literal[True],
) -> float | None: ...
@overload
def check_number(
    name: str, value: object, *, integer: bool, low: float | None = ..., high: float | None = ...,
    low_open: bool = ..., high_open: bool = ..., allow_none: Literal[False] = ...,
) -> int | float: ...
@overload
def check_number(
    name: str, value: object, *, integer: bool = ..., low: float | None = ..., high: float | None = ...,
    low_open: bool = ..., high_open: bool = ..., allow_none: bool = ...,
) -> int | float | None: ...
def check_number(
    name: str,
    value: object,
    *,
    integer: bool = False,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_none: bool = False,
) -> int | float | None:
    """``value`` as a finite number in the range given (an int when ``integer``), or a clear error.

    ``low``/``high`` bound it (excluded when ``low_open``/``high_open``); None when ``allow_none``.
    A value of the wrong type raises :class:`InputTypeError`, one outside the range :class:`InputError`;
    both name the parameter and the range it must lie in. Every entry point's numeric checks come here.
    """
    if value is None and allow_none:
        return None
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "a whole number" if integer else "a number"
        raise InputTypeError(f"{name} must be {what}, got {_shown(value)}")
    # the numbers ABCs carry no operators for mypy; every Real (int, float, numpy scalars) compares as a float
    value = cast(float, value)
    if not isinstance(value, numbers.Integral) and not math.isfinite(value):  # (a huge int overflows isfinite)
        raise InputError(f"{name} must be {'a number' if math.isnan(value) else 'a finite number'}, got {value!r}")
    too_low = low is not None and (value < low or (low_open and value == low))
    too_high = high is not None and (value > high or (high_open and value == high))
    if too_low or too_high:
        parts = []
        if low is not None:
            parts.append(f"greater than {low:g}" if low_open else f"at least {low:g}")
        if high is not None:
            parts.append(f"below {high:g}" if high_open else f"at most {high:g}")
        what = "" if integer else "a finite number "
        raise InputError(f"{name} must be {what}{' and '.join(parts)}, got {_shown(value)}")
    return int(value) if integer else float(value)


def _shown(value: object) -> str:
    """``value`` as an error message shows it: its repr, cut short (a 4,000-digit number is not repeated)."""
    text = repr(value)
    if len(text) > 40:
        text = f"{text[:20]}...{text[-8:]} ({len(text)} characters)"
    return f"{type(value).__name__} {text}" if isinstance(value, str) else text


@overload
def check_positive(name: str, value: object, integer: Literal[True], allow_none: Literal[False] = ...) -> int: ...
@overload
def check_positive(
    name: str, value: object, integer: Literal[False] = ..., allow_none: Literal[False] = ...
) -> float: ...
@overload
def check_positive(name: str, value: object, integer: Literal[True], allow_none: Literal[True]) -> int | None: ...
@overload
def check_positive(
    name: str, value: object, integer: Literal[False] = ..., *, allow_none: Literal[True]
) -> float | None: ...
@overload
def check_positive(name: str, value: object, integer: bool = ..., allow_none: bool = ...) -> int | float | None: ...
def check_positive(
    name: str, value: object, integer: bool = False, allow_none: bool = False
) -> int | float | None:
    """A number > 0 (a whole number when ``integer``), or None when ``allow_none``."""
    return check_number(name, value, integer=integer, low=0, low_open=True, allow_none=allow_none)


def check_fraction(name: str, value: object, low_open: bool = False) -> float:
    """A number in [0, 1) (or (0, 1) when ``low_open``)."""
    return check_number(name, value, low=0, high=1, low_open=low_open, high_open=True)


def check_non_negative(name: str, value: object) -> float:
    """A finite number >= 0."""
    return check_number(name, value, low=0)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``, or an error listing them."""
    if not isinstance(value, str) or value not in choices:
        raise InputError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}")
    return value


FLOAT_DTYPES = ("float32", "float64")


def check_float_dtype(dtype: object, name: str = "dtype") -> np.dtype:
    """``dtype`` as float32 or float64 (the two dtypes glassnet computes in), or a clear error."""
    try:
        resolved = np.dtype(dtype)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        resolved = None
    if resolved is None or resolved.name not in FLOAT_DTYPES:
        raise InputError(f"{name} must be 'float32' or 'float64', got {dtype!r}")
    return resolved


def one_hot_rows(labels: np.ndarray, n_classes: int, dtype: np.dtype | type = np.float64) -> np.ndarray:
    """``out[i, labels[i]] = 1``, every other entry 0: checked integer labels in ``0..n_classes-1`` as rows."""
    out = np.zeros((len(labels), n_classes), dtype=dtype)
    out[np.arange(len(labels)), np.asarray(labels, dtype=np.intp)] = 1
    return out


def check_sizes(sizes: object) -> list:
    """``sizes`` (a network's layer widths, inputs first) as a flat list of at least two, or a clear error.

    A 1-D array of widths is a list of widths; a 2-D array or a list of lists is refused, as it is not one
    row of widths. The widths themselves are checked where the layers are made.
    """
    if isinstance(sizes, np.ndarray) and sizes.ndim == 1:
        sizes = sizes.tolist()
    flat = "sizes must be a flat list of widths, inputs first, e.g. [2, 4, 1]; got"
    if isinstance(sizes, np.ndarray):  # a table of widths, not one row of them
        raise InputError(f"{flat} a {sizes.ndim}-D array of shape {sizes.shape}")
    if isinstance(sizes, (list, tuple)) and any(isinstance(w, (list, tuple, np.ndarray)) for w in sizes):
        raise InputError(f"{flat} a list of lists")
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
        raise InputError("sizes must list at least two widths, inputs first, e.g. [2, 4, 1]")
    return list(sizes)


def check_sample_weight(weights: object, n_samples: int, dtype: np.dtype | None = None) -> np.ndarray | None:
    """None, or finite weights >= 0, one per sample (shape (n_samples,)), not all zero."""
    if weights is None:
        return None
    source = as_numeric("sample_weight", weights, holds="numbers, one weight >= 0 per sample",
                        fix=f"pass one number per sample, e.g. np.ones({n_samples})")
    if source.ndim == 0:
        source = np.full(n_samples, source, dtype=source.dtype)
    if source.ndim != 1 or source.shape[0] != n_samples:
        raise InputError(
            f"sample_weight must hold one number per sample, shape ({n_samples},); got shape {source.shape}"
        )
    array = _cast(source, dtype)
    check_finite("sample_weight", array, source, "give every sample a finite weight >= 0")
    if array.size and array.min() < 0:
        raise InputError("sample_weight must not be negative; give each sample a weight >= 0")
    if not array.sum() > 0:
        raise InputError("sample_weight is zero for every sample; at least one sample needs a weight above 0")
    return array
