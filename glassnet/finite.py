"""Why a cost or an output is not finite: the errors that name the cause (data too large for the dtype, weights
that are not finite) instead of blaming the learning rate or returning inf and NaN silently.

A float32 holds numbers up to about 3.4e38 (float64 up to about 1.8e308). Forward propagation
``s = a_{l-1} @ W + b``, ``a = f(s)`` overflows to inf when inputs times weights pass that (and inf - inf gives
NaN); the mean squared error ``J = mean((a - y)^2)`` overflows when the errors ``a - y`` pass its square root
(about 1.8e19 in float32). Both are properties of the data and the dtype, which no learning rate changes.
Nothing here runs on the training loop's hot path: :func:`starting_cost_error` is built only once the first
cost is already not finite, and :func:`check_outputs` costs one ``np.isfinite(outputs).all()`` per prediction.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError, NotFiniteCostError, NotFiniteOutputError

if TYPE_CHECKING:
    from .network import Network

__all__ = ["check_fits_dtype", "check_outputs", "starting_cost_error"]

_SHOWN_ROWS = 5  # rows named in a message; the rest are counted


def _dtype_fix(dtype: np.dtype) -> str:
    if dtype == np.float64:
        return "(float64 is the widest dtype glassnet trains in)"
    return f"or use dtype='float64' (whose largest number is {np.finfo(np.float64).max:.3g})"


def _weights_not_finite(network: Network) -> str | None:
    """None when every weight and bias is finite, else what is wrong with them."""
    params = network.params
    if np.isfinite(params).all():
        return None
    bad = int(np.count_nonzero(~np.isfinite(params)))
    return f"its weights are not finite ({bad} of {params.size} weights and biases are NaN or infinite)"


def starting_cost_error(network: Network, X: Any, Y: np.ndarray, outputs: np.ndarray) -> NotFiniteCostError:
    """The error for a cost J that is NaN or infinite at the starting weights, before any step, naming its cause.

    ``X``, ``Y`` and ``outputs`` are the first batch's inputs, targets and output activations ``a_L``. Weights
    that are not finite, or an output layer's ``s = a_{l-1} @ W + b`` (or ``a_L``) overflowing, come first; else
    finite outputs with a non-finite cost mean errors ``a - y`` too large for the dtype (the mean squared error
    squares them).
    """
    dtype = network.dtype
    largest = float(np.finfo(dtype).max)
    weights = _weights_not_finite(network)
    last = getattr(network.layers[-1], "s", None)  # the output layer's s for this batch
    overflowed = not np.isfinite(outputs).all() or (last is not None and not np.isfinite(last).all())
    if not np.isfinite(Y).all():  # finite targets given (they are checked) that did not fit the dtype
        cause = (
            f"the targets hold values beyond {dtype}'s largest number ({largest:.3g}), which became infinite "
            f"when cast to {dtype}. Scale the targets (e.g. standardise them) {_dtype_fix(dtype)}"
        )
    elif weights is not None:
        cause = f"the network's outputs are NaN: {weights}. Train a network whose weights are finite"
    elif overflowed:  # a saturating output (a sigmoid of s = inf is 1) can hide it: s tells
        cause = (
            f"the network's outputs overflow {dtype} (its largest number is {largest:.3g}): the inputs reach "
            f"|x| = {float(abs(X).max()):.3g}, too large for s = a @ W + b. Scale the inputs (e.g. standardise "
            f"them) {_dtype_fix(dtype)}"
        )
    else:
        y_max, a_max = float(np.abs(Y).max()), float(np.abs(outputs).max())
        errors = float(np.abs(np.asarray(outputs, np.float64) - np.asarray(Y, np.float64)).max())
        larger = "targets" if y_max >= a_max else "inputs"
        why = (
            f"their squares pass its largest number, {largest:.3g}, beyond {math.sqrt(largest):.3g}"
            if network.cost_function.name == "mse" else f"the {network.cost_function.name} cost of them is not finite"
        )
        cause = (
            f"the targets reach |y| = {y_max:.3g} and the outputs |a| = {a_max:.3g}, so the errors a - y (up to "
            f"{errors:.3g}) are too large for {dtype}: {why}. Scale the {larger} (e.g. standardise them) "
            f"{_dtype_fix(dtype)}"
        )
    return NotFiniteCostError(
        "the cost of the starting weights is already NaN or infinite (epoch 1, batch 1, before any step), so a "
        f"smaller learning rate will not help: {cause}",
        epoch=1,
        batch=1,
    )


def check_outputs(network: Network, X: Any, outputs: np.ndarray) -> None:
    """Refuse outputs ``a_L`` that hold NaN or inf (NotFiniteOutputError naming the rows and the cause).

    The cause is weights that are not finite (every output is then NaN), or inputs X whose
    ``s = a_{l-1} @ W + b`` overflows the network's dtype.
    """
    if np.isfinite(outputs).all():
        return
    weights = _weights_not_finite(network)
    if weights is not None:
        raise NotFiniteOutputError(
            f"the network's outputs are NaN: {weights}. Refit it (or load a file whose weights are finite)"
        )
    rows = np.flatnonzero(~np.isfinite(outputs).all(axis=1))
    shown = ", ".join(str(int(i)) for i in rows[:_SHOWN_ROWS])
    more = f" and {len(rows) - _SHOWN_ROWS} more" if len(rows) > _SHOWN_ROWS else ""
    dtype = network.dtype
    largest = float(abs(X[rows[:_SHOWN_ROWS]]).max())  # X: an array or a sparse matrix
    raise NotFiniteOutputError(
        f"the network's outputs are not finite for row{'s' if len(rows) > 1 else ''} {shown}{more} of X: "
        f"s = a @ W + b overflows {dtype} (whose largest number is {np.finfo(dtype).max:.3g}) for those inputs, "
        f"up to |x| = {largest:.3g} (the weights reach |w| = {float(np.abs(network.params).max()):.3g}). Scale "
        f"the inputs as the training data were scaled (e.g. standardise them) {_dtype_fix(dtype)}"
    )


def check_fits_dtype(name: str, values: Any, dtype: np.dtype) -> None:
    """Refuse finite values beyond ``dtype``'s largest number, which a cast to it would turn into inf silently.

    ``values`` is a float array or a scipy.sparse matrix (its stored values are checked).
    """
    largest = float(np.finfo(dtype).max)
    big = float(abs(values).max()) if np.prod(values.shape) else 0.0
    if big > largest:
        raise InputError(
            f"{name} reaches |{name}| = {big:.3g}, beyond {np.dtype(dtype).name}'s largest number ({largest:.3g}): "
            f"cast to {np.dtype(dtype).name} it would become infinite. Scale {name} (e.g. standardise it) "
            f"{_dtype_fix(np.dtype(dtype))}"
        )
