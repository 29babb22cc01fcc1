"""The weight penalties: L2 ``l2 / (2 n) sum W^2`` and L1 ``l1 / n sum |W|``, and their slopes.

Both act on the weights only (biases are not penalised); n is the number of training rows (or the sum of
their sample weights). Their slopes are added to BP4's ``dJ/dW`` after backpropagation:

    d/dW [l2 / (2 n) sum W^2] = (l2 / n) W          d/dW [l1 / n sum |W|] = (l1 / n) sign(W)

``|w|`` has no slope at ``w = 0``; there ``sign(0) = 0`` is used (the subgradient that leaves a zero weight
to the cost's own gradient), as scikit-learn's and PyTorch's L1 penalties do.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .layers import Dense

__all__ = ["l2_penalty", "add_l2_gradient", "l1_penalty", "add_l1_gradient"]


def l2_penalty(layers: Sequence[Dense], l2: float, n_samples: float) -> float:
    """``l2 / (2 n) * sum of all squared weights``."""
    if not l2:
        return 0.0
    return l2 / (2 * n_samples) * sum(float(np.vdot(layer.weights, layer.weights)) for layer in layers)


def add_l2_gradient(layers: Sequence[Dense], l2: float, n_samples: float) -> None:
    """Add ``(l2 / n) W`` to each layer's weight gradient."""
    if l2:
        for layer in layers:
            layer.grad_weights += (l2 / n_samples) * layer.weights


def l1_penalty(layers: Sequence[Dense], l1: float, n_samples: float) -> float:
    """``l1 / n * sum of all |weights|``."""
    if not l1:
        return 0.0
    return l1 / n_samples * sum(float(np.abs(layer.weights).sum(dtype=np.float64)) for layer in layers)


def add_l1_gradient(layers: Sequence[Dense], l1: float, n_samples: float) -> None:
    """Add ``(l1 / n) sign(W)`` to each layer's weight gradient (``sign(0) = 0``)."""
    if l1:
        for layer in layers:
            layer.grad_weights += (l1 / n_samples) * np.sign(layer.weights)
