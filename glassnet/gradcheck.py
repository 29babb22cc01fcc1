"""Gradient checking by "small shocks": finite differences against backpropagation.

For each weight and bias ``w``, nudge it by ``+eps`` and by ``-eps``, watch the cost, and estimate the
slope as ``(J(w + eps) - J(w - eps)) / (2 eps)`` (central differences: error of order ``eps^2``). If
backpropagation is right, it agrees with these estimates to many digits.

The check runs on a float64 copy of the network (float32 has too few digits for ``eps = 1e-6``) and
reports, for each layer, the relative error ``|g_num - g_bp| / (|g_num| + |g_bp|)`` measured with the
Euclidean norm over all of that layer's weights and biases, the usual summary that stays meaningful when
single gradients are tiny.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import check_non_negative, check_positive

__all__ = ["GradCheckResult", "gradcheck", "numerical_gradient"]


@dataclass
class GradCheckResult:
    """The outcome of :func:`gradcheck`.

    ``errors[l]`` is layer l's relative error; ``numerical`` and ``backprop`` hold the flat gradients that
    were compared (float64, in the order of ``Network.params``).
    """

    errors: list[float]
    tolerance: float
    numerical: np.ndarray
    backprop: np.ndarray

    @property
    def worst(self) -> float:
        return max(self.errors)

    @property
    def passed(self) -> bool:
        return self.worst < self.tolerance

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [f"layer {i + 1}: relative error {e:.3e}" for i, e in enumerate(self.errors)]
        verdict = "passed" if self.passed else "FAILED"
        lines.append(f"worst {self.worst:.3e} ({verdict}, tolerance {self.tolerance:g})")
        return "\n".join(lines)


def numerical_gradient(net, X: np.ndarray, Y: np.ndarray, eps: float = 1e-6, l2: float = 0.0) -> np.ndarray:
    """The flat gradient of the cost estimated by central differences, one parameter at a time.

    ``net`` must already be the network to shock (gradcheck passes a float64 copy); its parameters are
    restored exactly after each shock.
    """
    params = net.params
    slopes = np.empty_like(params)
    for i in range(params.size):
        original = params[i]
        params[i] = original + eps
        up = net.evaluate_checked(X, Y).cost + net.l2_penalty(l2, len(X))
        params[i] = original - eps
        down = net.evaluate_checked(X, Y).cost + net.l2_penalty(l2, len(X))
        params[i] = original
        slopes[i] = (up - down) / (2 * eps)
    return slopes


def gradcheck(
    net, X: object, Y: object, eps: float = 1e-6, tolerance: float = 1e-6, l2: float = 0.0
) -> GradCheckResult:
    """Compare backpropagation's gradients with finite differences on a float64 copy of ``net``.

    Returns a :class:`GradCheckResult` with each layer's relative error; ``result.passed`` says whether
    the worst is below ``tolerance``. ``net`` itself is not changed.
    """
    eps = check_positive("eps", eps)
    tolerance = check_positive("tolerance", tolerance)
    l2 = check_non_negative("l2", l2)
    net.check_trainable()
    net.check_XY(X, Y)  # validate against the original before copying anything
    shocked = net.copy(dtype="float64")
    X64, Y64 = shocked.check_XY(X, Y)
    shocked.gradients(X64, Y64, l2=l2)
    backprop = shocked.grads.copy()
    numerical = numerical_gradient(shocked, X64, Y64, eps=eps, l2=l2)
    errors = []
    offset = 0
    for layer in shocked.layers:
        part = slice(offset, offset + layer.n_params)
        offset += layer.n_params
        num, bp = numerical[part], backprop[part]
        scale = np.linalg.norm(num) + np.linalg.norm(bp)
        errors.append(float(np.linalg.norm(num - bp) / scale) if scale > 0 else 0.0)
    return GradCheckResult(errors=errors, tolerance=tolerance, numerical=numerical, backprop=backprop)
