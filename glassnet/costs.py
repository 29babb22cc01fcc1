"""Costs: how wrong the network's outputs ``a`` are for the targets ``y``, and the output layer's error.

Each cost is a small object with:

- ``value(s, a, y)``: the cost ``J`` of a batch (a mean over its samples, so batches of any size compare);
- ``output_delta(s, a, y, activation)``: BP1, the output layer's error ``delta_L = dJ/ds_L``, one number per
  output neuron per sample (the ``1/n`` of the mean included, so that BP3 and BP4 are plain sums);
- ``sample_costs(s, a, y)``: each sample's own cost, whose mean is ``value``;
- ``prepare_targets(y, n_outputs)``: targets in the shape the outputs have, checked.

``mse`` is ``J = 1/(n k) sum (a - y)^2`` over all n samples and k outputs, as scikit-learn's
mean_squared_error and PyTorch's MSELoss, with ``dJ/da = 2 (a - y) / (n k)`` and BP1
``delta_L = dJ/da * f'(s_L)``.

The cross-entropies are *fused* with the output activation they belong to. For a sigmoid output with
``binary_cross_entropy``, ``J = -1/n sum [y ln a + (1 - y) ln(1 - a)]``, and for a softmax output with
``cross_entropy``, ``J = -1/n sum y ln a``. In both the slope of the activation cancels against the
derivative of the logarithm and BP1 collapses to ``delta_L = (a - y) / n``: no vanishing slope at the
output, and no division by a probability that rounded to zero. Both are computed from ``s`` (the logits)
with log-sum-exp, so they stay finite however confident the network is.

Sample weights. ``value`` and ``output_delta`` take optional per-sample ``weights`` w (n,), >= 0. The cost
becomes the weighted mean ``J = sum_i w_i J_i / sum_i w_i`` of the samples' own costs ``J_i``, and each
sample's ``1/n`` in the output error becomes ``w_i / sum_i w_i``; with equal weights both are the plain
mean again. (A batch whose weights are all zero has cost 0 and error 0.)
"""

from __future__ import annotations

import numpy as np

from .activations import _FLOATS, Activation, _quiet, fused_kernel, subtraction_error
from .errors import InputError, InputTypeError
from .validation import one_hot_rows

__all__ = ["Cost", "MeanSquaredError", "BinaryCrossEntropy", "CrossEntropy", "PoissonDeviance", "COSTS", "get_cost"]


class Cost:
    """Base class of the costs. ``fused_with`` names the output activation a cross-entropy requires."""

    name: str = ""
    fused_with: str | None = None
    is_classification: bool = False

    def value(self, s: np.ndarray, a: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> float:
        """``J``: the mean of the samples' costs (the weighted mean when ``weights`` are given)."""
        raise NotImplementedError

    def sample_costs(self, s: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each sample's own cost ``J_i``, shape (n,); ``value`` is their mean."""
        raise NotImplementedError

    def _weighted_value(self, s: np.ndarray, a: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
        """``sum_i w_i J_i / sum_i w_i``."""
        total = float(weights.sum())
        return float(np.dot(weights, self.sample_costs(s, a, y)) / total) if total > 0 else 0.0

    def gradient(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``dJ/da``, the slope of the cost with respect to each output activation."""
        raise NotImplementedError

    def output_delta(
        self,
        s: np.ndarray,
        a: np.ndarray,
        y: np.ndarray,
        activation: Activation,
        out: np.ndarray | None = None,
        weights: np.ndarray | None = None,
    ) -> np.ndarray:
        """BP1: ``delta_L = dJ/da_L * f'(s_L)``, each output neuron's error."""
        grad = self.gradient(a, y)
        out = np.multiply(grad, activation.slope(s, a), out=out)
        return out if weights is None else _reweight_rows(out, weights)

    def check_output(self, activation: Activation) -> None:
        """Refuse an output activation this cost cannot be paired with, naming the fix."""
        if self.fused_with is not None and activation.name != self.fused_with:
            raise InputError(
                f"cost {self.name!r} belongs with a {self.fused_with!r} output layer, but the last layer uses "
                f"{activation.name!r}; use output={self.fused_with!r} (or cost='mse')"
            )
        if self.fused_with is None and not activation.elementwise:
            raise InputError(
                f"a {activation.name!r} output needs cost='cross_entropy' (its slope is a Jacobian, which "
                f"glassnet only handles fused with cross-entropy); got cost={self.name!r}"
            )

    def prepare_targets(self, y: np.ndarray, n_outputs: int) -> np.ndarray:
        """Return ``y`` shaped (n_samples, n_outputs); a 1-D ``y`` is accepted for a single output."""
        if y.ndim == 1 and n_outputs == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != n_outputs:
            raise InputError(
                f"Y has shape {y.shape} but the network has {n_outputs} output(s); Y needs shape "
                f"(n_samples, {n_outputs})" + (" or (n_samples,)" if n_outputs == 1 else "")
            )
        return y

    def accuracy(self, a: np.ndarray, y: np.ndarray) -> float | None:
        """The fraction of samples classified right, or None where the cost is not a classification one."""
        return None

    def classes(self, a: np.ndarray) -> np.ndarray:
        """The predicted class of each sample from the output activations."""
        raise InputError(f"cost {self.name!r} is a regression cost; its outputs are values, not classes")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MeanSquaredError(Cost):
    """``J = 1/(n k) sum (a - y)^2``: the mean over every sample and every output."""

    name = "mse"

    def value(self, s, a, y, weights=None):
        if weights is not None:
            return self._weighted_value(s, a, y, weights)
        diff = a - y
        return float(np.vdot(diff, diff) / diff.size)

    def sample_costs(self, s, a, y):
        diff = a - y
        return np.einsum("ij,ij->i", diff, diff) / diff.shape[1]

    def gradient(self, a, y):
        grad = a - y
        grad *= 2.0 / grad.size
        return grad


class BinaryCrossEntropy(Cost):
    """``J = -1/n sum [y ln a + (1 - y) ln(1 - a)]`` with sigmoid outputs; targets in [0, 1].

    Summed over the outputs (each one a yes/no question) and averaged over the samples, as scikit-learn's
    MLP does. Written in terms of ``s``: ``ln(1 + e^s) - y s``, finite for any ``s``, and computed as
    ``s (H(s) - y) + ln(1 + e^-|s|)`` (``H(s)`` = 1 where ``s > 0``, else 0), a sum of two terms that are
    never negative, so nothing cancels: for a confident right answer (``y = 1``, ``s = 30``) it gives
    ``ln(1 + e^-30)`` = 9.4e-14 to the last digit rather than the rounding noise of ``30 - 30``.
    """

    name = "binary_cross_entropy"
    fused_with = "sigmoid"
    is_classification = True

    def value(self, s, a, y, weights=None):
        if weights is not None:
            return self._weighted_value(s, a, y, weights)
        return float(_binary_cross_entropies(s, y).sum() / len(s))

    def sample_costs(self, s, a, y):
        return _binary_cross_entropies(s, y).sum(axis=1)

    def gradient(self, a, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (a - y) / (a * (1 - a)) / len(a)

    def output_delta(self, s, a, y, activation, out=None, weights=None):
        out = _scaled_difference(a, y, out)  # fused BP1: dJ/da * f'(s) = (a - y) / n
        return out if weights is None else _reweight_rows(out, weights)

    def prepare_targets(self, y, n_outputs):
        y = super().prepare_targets(y, n_outputs)
        if y.size and (y.min() < 0 or y.max() > 1):
            raise InputError(
                "binary_cross_entropy needs targets between 0 and 1 (class labels 0/1 or probabilities); "
                f"Y ranges from {y.min()} to {y.max()}"
            )
        return y

    def accuracy(self, a, y):
        return int(np.count_nonzero(np.all((a > 0.5) == (y > 0.5), axis=1))) / len(a) if len(a) else float("nan")

    def classes(self, a):
        labels = (a > 0.5).astype(np.int64)
        return labels[:, 0] if labels.shape[1] == 1 else labels


class CrossEntropy(Cost):
    """``J = -1/n sum_i sum_j y_ij ln a_ij`` with softmax outputs.

    Targets are one-hot rows (or probabilities summing to 1), or integer class labels 0..k-1, which are
    turned into one-hot rows.
    """

    name = "cross_entropy"
    fused_with = "softmax"
    is_classification = True

    def value(self, s, a, y, weights=None):
        if weights is not None:
            return self._weighted_value(s, a, y, weights)
        kernel = fused_kernel("cross_entropy_sum", s.size)  # None for a small batch: no further checks
        if kernel is not None and _same_float_matrices(s, y):  # the same ln softmax in one pass, summed in float64
            return -kernel(s, y, s.dtype.type(0)) / len(s)
        return float(-np.vdot(y, _log_softmax(s)) / len(s))

    def sample_costs(self, s, a, y):
        return -np.einsum("ij,ij->i", y, _log_softmax(s))

    def gradient(self, a, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -y / a / len(a)

    def output_delta(self, s, a, y, activation, out=None, weights=None):
        out = _scaled_difference(a, y, out)  # fused BP1: (a - y) / n
        return out if weights is None else _reweight_rows(out, weights)

    def prepare_targets(self, y, n_outputs):
        if y.ndim == 2 and y.shape[1] == 1 and n_outputs > 1:
            y = y[:, 0]
        if y.ndim == 1:
            labels = y
            if not np.all(np.equal(np.mod(labels, 1), 0)):
                raise InputError("integer class labels were expected for cross_entropy, but Y has fractions")
            if labels.size and (labels.min() < 0 or labels.max() >= n_outputs):
                raise InputError(
                    f"class labels must lie in 0..{n_outputs - 1} for a network with {n_outputs} outputs; "
                    f"Y ranges from {labels.min():g} to {labels.max():g}"
                )
            return one_hot_rows(labels, n_outputs, y.dtype if y.dtype.kind == "f" else np.float64)
        y = super().prepare_targets(y, n_outputs)
        if y.size and (y.min() < 0 or not np.allclose(y.sum(axis=1), 1, atol=1e-3)):
            raise InputError(
                "cross_entropy needs one-hot targets (or probabilities that sum to 1 in each row), or integer "
                "class labels as a 1-D array"
            )
        return y

    def accuracy(self, a, y):
        kernel = fused_kernel("argmax_agreement", a.size)  # None for a small batch: no further checks
        if kernel is not None and _same_float_matrices(a, y):  # counted in one pass, without two argmax arrays
            return kernel(a, y) / len(a)
        # the count over n, as np.mean gives it (an exact sum of 1s, divided once), without np.mean's wrappers
        return int(np.count_nonzero(a.argmax(axis=1) == y.argmax(axis=1))) / len(a) if len(a) else float("nan")

    def classes(self, a):
        return a.argmax(axis=1)


class PoissonDeviance(Cost):
    """The half Poisson deviance ``J = 1/n sum_i sum_j [y ln(y / a) - y + a]`` with exp outputs ``a = e^s``.

    For count targets ``y >= 0`` (``y ln y`` = 0 at ``y = 0``), summed over the outputs and averaged over the
    samples, as scikit-learn's MLPRegressor(loss="poisson"). It is 0 exactly where ``a = y``. Written in terms
    of ``s`` (``ln a = s``): ``(y ln y - y) - y s + e^s``, with no logarithm of an output that rounded to 0.
    Fused with the exp output as the cross-entropies are with theirs: ``dJ/da = (1 - y / a) / n`` times
    ``f'(s) = a`` gives BP1 ``delta_L = (a - y) / n``.
    """

    name = "poisson"
    fused_with = "exp"

    def value(self, s, a, y, weights=None):
        if weights is not None:
            return self._weighted_value(s, a, y, weights)
        return float(self.sample_costs(s, a, y).sum() / len(s))

    def sample_costs(self, s, a, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            y_ln_y = np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0)
        return (y_ln_y - y - y * s + a).sum(axis=1)

    def gradient(self, a, y):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (1 - y / a) / len(a)

    def output_delta(self, s, a, y, activation, out=None, weights=None):
        out = np.subtract(a, y, out=out)  # fused BP1: (1 - y/a) / n * a = (a - y) / n
        out *= 1.0 / len(a)
        return out if weights is None else _reweight_rows(out, weights)

    def prepare_targets(self, y, n_outputs):
        y = super().prepare_targets(y, n_outputs)
        if y.size and y.min() < 0:
            raise InputError(f"the poisson cost needs targets >= 0 (counts or rates); Y's smallest is {y.min()}")
        return y


def _binary_cross_entropies(s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``-[y ln a + (1 - y) ln(1 - a)]`` for each output, ``a = sigmoid(s)``, as ``s (H(s) - y) + ln(1 + e^-|s|)``.

    The first term is ``(1 - y) s`` where ``s > 0`` and ``-y s`` elsewhere: never negative for ``0 <= y <= 1``,
    and exact where ``y`` is 0 or 1. The second is ``ln(1 + e^-|s|)`` by ``log1p``, accurate however small.
    """
    with _quiet(under="ignore"):  # e^-|s| underflows to 0 for |s| > 745: ln(1 + 0) = 0 is its limit
        tail = np.exp(-np.abs(s))
        np.log1p(tail, out=tail)
    tail += s * (np.greater(s, 0) - y)
    return tail


def _log_softmax(s: np.ndarray) -> np.ndarray:
    """``ln softmax(s)`` row by row: ``d_j - ln(1 + sum_{k != top} e^{d_k})``, ``d = s - max(s)``.

    The largest ``e^d`` (exactly 1) is kept out of the sum and the rest goes through ``log1p``, so the log
    probability of a confident prediction (``ln(1 - 2e-9)`` for logits (20, 0)) is not rounded to 0; the
    rounding of ``d`` is put back as in :class:`~glassnet.activations.Softmax`.
    """
    rows, columns = s.shape
    top = s.argmax(axis=1)
    top += np.arange(0, rows * columns, columns)  # each row's largest, as an index into the flat array
    largest = s.take(top)[:, None]
    shifted = s - largest
    lost = subtraction_error(s, largest, shifted)  # d's rounding, put back as e^(d + r) ~ e^d (1 + r)
    with _quiet(under="ignore"):  # e^d underflows to 0 far below the top: its contribution is nil
        rest = np.exp(shifted)
    lost *= rest
    rest += lost
    rest.put(top, 0)
    shifted -= np.log1p(np.add.reduce(rest, axis=1, keepdims=True))  # (np.sum's own call)
    return shifted


def _same_float_matrices(a: np.ndarray, y: np.ndarray) -> bool:
    """True when a fused kernel can take ``a`` and ``y``: float32/float64 matrices of one shape and dtype, with
    at least one column."""
    return a.dtype == y.dtype and a.dtype in _FLOATS and a.ndim == 2 and a.shape == y.shape and a.shape[1] > 0


def _scaled_difference(a: np.ndarray, y: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """``(a - y) / n`` into ``out`` (n = len(a)): one compiled pass when numba is there, else two numpy steps
    (``out = a - y``; ``out *= 1/n``), with the same numbers bit for bit."""
    kernel = fused_kernel("scaled_difference", a.size)  # None for a small batch: no further checks
    if kernel is not None and _same_float_matrices(a, y) and (
        out is None or (out.shape == a.shape and out.dtype == a.dtype)
    ):
        out = np.empty_like(a) if out is None else out
        kernel(a, y, a.dtype.type(1.0 / len(a)), out)
        return out
    out = np.subtract(a, y, out=out)
    out *= 1.0 / len(a)
    return out


def _reweight_rows(delta: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Turn the plain mean's output error (``1/n`` per sample) into the weighted mean's (``w_i / sum w``)."""
    total = float(weights.sum())
    scale = weights * (len(weights) / total) if total > 0 else weights  # all-zero weights: no error at all
    delta *= scale.astype(delta.dtype, copy=False)[:, None]
    return delta


COSTS = {"mse": MeanSquaredError, "binary_cross_entropy": BinaryCrossEntropy, "cross_entropy": CrossEntropy}
COSTS["poisson"] = PoissonDeviance
ALIASES = {
    "mean_squared_error": "mse",
    "squared_error": "mse",
    "bce": "binary_cross_entropy",
    "log_loss": "binary_cross_entropy",
    "categorical_cross_entropy": "cross_entropy",
}


def get_cost(spec: str | Cost) -> Cost:
    """Return the cost named ``spec`` (``"mse"``, ``"binary_cross_entropy"``, ``"cross_entropy"``)."""
    if isinstance(spec, Cost):
        return spec
    if not isinstance(spec, str):
        raise InputTypeError(f"a cost is given by name (one of {', '.join(COSTS)}), got {type(spec).__name__}")
    key = ALIASES.get(spec.lower(), spec.lower())
    if key not in COSTS:
        raise InputError(f"unknown cost {spec!r}; choose one of: {', '.join(COSTS)}")
    return COSTS[key]()
