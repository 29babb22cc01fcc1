"""An independent reference for the inspect tests: one forward and backward pass in plain float64 numpy.

Written from the textbook equations, not from glassnet's code: layer l computes ``s = a_{l-1} @ W + b``
and ``a = f(s)``; the cost J is a mean over the n samples (mse also over the k outputs); BP1 gives the
output's ``delta = dJ/ds`` (``(a - y) / n`` for a sigmoid with binary cross-entropy or a softmax with
cross-entropy), BP2 ``delta_l = (delta_{l+1} @ W_{l+1}^T) * f'(s_l)``, BP3 ``dJ/db = sum of delta``, BP4
``dJ/dW = a_{l-1}^T @ delta``. Only the network's weights, biases and activation names are read from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _sigmoid(s: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-s))


def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# f and its slope f'(s), written in terms of s and a = f(s)
FUNCTIONS = {
    "identity": (lambda s: s, lambda s, a: np.ones_like(s)),
    "tanh": (np.tanh, lambda s, a: 1.0 - a**2),
    "sigmoid": (_sigmoid, lambda s, a: a * (1.0 - a)),
    "relu": (lambda s: np.maximum(s, 0.0), lambda s, a: (s > 0).astype(float)),
    "softmax": (_softmax, None),  # only fused with cross-entropy, where the slope cancels
}


@dataclass
class Reference:
    """Per layer (index 0 is layer 1): its inputs a_{l-1}, s, a, f'(s), delta, dJ/dW, dJ/db; and the cost."""

    inputs: list[np.ndarray]
    s: list[np.ndarray]
    a: list[np.ndarray]
    slope: list[np.ndarray | None]
    delta: list[np.ndarray]
    grad_weights: list[np.ndarray]
    grad_bias: list[np.ndarray]
    dcost_da: np.ndarray | None  # at the output, unfused costs only
    targets: np.ndarray
    cost: float


def targets(cost: str, Y: object, n_outputs: int) -> np.ndarray:
    """Targets as a float (n, k) array: class labels one-hot for cross-entropy, a 1-D column as a column."""
    Y = np.asarray(Y)
    if cost == "cross_entropy" and Y.ndim == 1:
        return np.eye(n_outputs)[Y.astype(int)]
    return Y.astype(np.float64).reshape(len(Y), n_outputs)


def backprop(net, X: object, Y: object) -> Reference:
    """Forward and backward propagation of ``net`` (its weights in float64) on the batch (X, Y)."""
    cost = net.cost_function.name
    X = np.asarray(X, dtype=np.float64).reshape(-1, net.n_inputs)
    T = targets(cost, Y, net.n_outputs)
    n = len(X)
    weights = [np.asarray(layer.weights, dtype=np.float64) for layer in net.layers]
    biases = [np.asarray(layer.bias, dtype=np.float64) for layer in net.layers]
    names = [layer.activation.name for layer in net.layers]
    inputs, s, a, slope = [], [], [], []
    current = X
    for W, b, name in zip(weights, biases, names, strict=True):
        f, f_slope = FUNCTIONS[name]
        inputs.append(current)
        s.append(current @ W + b)
        a.append(f(s[-1]))
        slope.append(None if f_slope is None else f_slope(s[-1], a[-1]))
        current = a[-1]
    out = a[-1]
    dcost_da = None
    if cost == "mse":
        J = float(np.mean((out - T) ** 2))
        dcost_da = 2.0 * (out - T) / out.size
        delta_out = dcost_da * slope[-1]
    elif cost == "binary_cross_entropy":
        J = float(-np.mean(np.sum(T * np.log(out) + (1 - T) * np.log(1 - out), axis=1)))
        delta_out = (out - T) / n
    else:
        J = float(-np.mean(np.sum(T * np.log(out), axis=1)))
        delta_out = (out - T) / n
    delta = [delta_out]
    for index in range(len(weights) - 2, -1, -1):
        delta.insert(0, (delta[0] @ weights[index + 1].T) * slope[index])
    return Reference(
        inputs=inputs,
        s=s,
        a=a,
        slope=slope,
        delta=delta,
        grad_weights=[x.T @ d for x, d in zip(inputs, delta, strict=True)],
        grad_bias=[d.sum(axis=0) for d in delta],
        dcost_da=dcost_da,
        targets=T,
        cost=J,
    )


def tolerance(dtype: str) -> dict[str, float]:
    """How close a network computing in ``dtype`` comes to the float64 reference."""
    return {"rtol": 1e-10, "atol": 1e-12} if dtype == "float64" else {"rtol": 2e-4, "atol": 2e-6}
