"""The estimators' own checks: a refit that would keep a network other than the parameters describe, and the
targets and weights of ``score``, named in glassnet's words (which rows, what to do) before any work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..sparse import is_sparse
from ..validation import check_finite, check_sample_weight, check_Y
from ._sklearn import validate_data

if TYPE_CHECKING:
    from .base import _BaseMLP

__all__ = ["check_same_network", "score", "validated"]

_SCORE_FIX = "score on rows whose targets are known (drop those rows, or impute their targets first)"


def check_same_network(est: _BaseMLP, hidden_sizes: list[int], activation: str, incremental: bool) -> None:
    """Refuse a warm-start fit or a partial_fit whose parameters describe another network than the fitted one.

    Such a fit continues from the fitted ``network_`` (its weights are the starting point), so hidden layers
    of other widths, or another hidden activation ``f`` in ``a = f(s)``, cannot be honoured: keeping the old
    network silently would leave ``hidden_layer_sizes`` or ``activation`` saying what the model is not.
    """
    net = est.network_
    fitted = [layer.n_out for layer in net.layers[:-1]]
    again = "call fit with warm_start=False to start anew" if not incremental else "call fit to start anew"
    if fitted != list(hidden_sizes):
        raise InputError(
            f"the fitted network's hidden layers are {tuple(fitted)}, but hidden_layer_sizes says "
            f"{tuple(hidden_sizes)}; a {'partial_fit' if incremental else 'warm_start fit'} continues from the "
            f"fitted weights, so {again}, or set hidden_layer_sizes back to {tuple(fitted)}"
        )
    held = net.layers[0].activation.name if len(net.layers) > 1 else activation
    if held != activation:
        raise InputError(
            f"the fitted network's hidden layers use {held!r}, but activation says {est.activation!r}; a "
            f"{'partial_fit' if incremental else 'warm_start fit'} continues from the fitted weights, so {again}, "
            "or set activation back"
        )


def score(est: _BaseMLP, X, y, sample_weight=None) -> float:
    """``est``'s score on (X, y): X checked as at predict, y and the weights checked in glassnet's words first.

    A regressor's y must be finite numbers, one row per row of X; a classifier's labels one per row, none of
    them NaN. The score itself is the estimator's ``_score_outputs`` on the network's outputs.
    """
    X = est._checked_X(X)
    n = X.shape[0]
    if est._is_classifier:
        labels = np.asarray(y)
        if labels.ndim not in (1, 2) or labels.shape[0] != n:
            raise InputError(
                f"X has {n} rows but y has shape {labels.shape}; they must match, one label per sample"
            )
        if labels.dtype.kind == "f":
            check_finite("y", labels, fix=_SCORE_FIX)
        elif labels.dtype.kind == "O":
            missing = np.flatnonzero(np.asarray(labels != labels, dtype=bool).reshape(n, -1).any(axis=1))
            if missing.size:
                raise InputError(f"y contains NaN at index {int(missing[0])}; {_SCORE_FIX}")
    else:
        labels = check_Y(y, n, name="y", fix=_SCORE_FIX)
    weights = check_sample_weight(sample_weight, n)
    return float(est._score_outputs(est.network_.predict(X), labels, weights))


def validated(est: _BaseMLP, X, *args, dtype, **options):
    """scikit-learn's ``validate_data(est, X, *args, dtype=dtype, **options)``, with a finite X too large for
    ``dtype`` (float64 data past float32's largest number, 3.4e38) named as such, not as an infinite value,
    and without numpy's overflow warning from the cast."""
    with np.errstate(over="ignore"):  # the cast's overflow is named below, in words
        try:
            return validate_data(est, X, *args, dtype=dtype, **options)
        except ValueError:
            _name_values_beyond(X, dtype)
            raise


def _name_values_beyond(X, dtype) -> None:
    """Raise the words of :func:`glassnet.validation.check_finite` if a cast of the dense float X to the float
    ``dtype`` turns finite values infinite; return otherwise (scikit-learn's own error then stands)."""
    if not isinstance(dtype, np.dtype) or is_sparse(X) or isinstance(X, (str, bytes)):
        return
    try:
        source = np.asarray(X)
    except (TypeError, ValueError):
        return
    if source.dtype.kind == "f" and source.dtype.itemsize > dtype.itemsize:
        check_finite("X", source.astype(dtype), source)
