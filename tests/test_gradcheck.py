"""Backpropagation against finite differences ("small shocks") on random architectures and data.

Hypothesis chooses the architecture (1-4 layers, widths 1-7), the hidden activation, the cost and output
pairing, the L2 strength and a seed; the weights come from that seed and the data from a numpy Generator
seeded with it, so hypothesis never constructs adversarial values (exact zeros on a ReLU's kink).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from glassnet import Dense, Network, gradcheck
from glassnet.activations import Sigmoid
from glassnet.gradcheck import numerical_gradient

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "arctan", "softplus", "identity"]
# (cost, output activation, kind of targets)
PAIRINGS = [
    ("mse", "identity", "real"),
    ("mse", "sigmoid", "real"),
    ("mse", "tanh", "real"),
    ("mse", "arctan", "real"),
    ("mse", "softplus", "real"),
    ("mse", "relu", "real"),
    ("mse", "leaky_relu", "real"),
    ("binary_cross_entropy", "sigmoid", "probability"),
    ("binary_cross_entropy", "sigmoid", "binary"),
    ("cross_entropy", "softmax", "one_hot"),
    ("cross_entropy", "softmax", "labels"),
]
KINKED = {"relu", "leaky_relu"}


def make_targets(kind: str, rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    if kind == "real":
        return rng.normal(size=(n, k))
    if kind == "probability":
        return rng.uniform(0, 1, size=(n, k))
    if kind == "binary":
        return rng.integers(0, 2, size=(n, k)).astype(float)
    labels = rng.integers(0, k, size=n)
    return labels if kind == "labels" else np.eye(k)[labels]


def build(sizes, hidden, output, cost, seed):
    layers = [Dense(sizes[i], sizes[i + 1], hidden) for i in range(len(sizes) - 2)]
    layers.append(Dense(sizes[-2], sizes[-1], output))
    return Network(layers, cost=cost, seed=seed, dtype="float64")


def kink_clearance(net: Network, X: np.ndarray) -> float:
    """The smallest |s| over the neurons with a kinked activation (inf if there are none)."""
    net.forward(X)
    gaps = [np.abs(layer.s).min() for layer in net.layers if layer.activation.name in KINKED]
    return min(gaps, default=np.inf)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    sizes=st.lists(st.integers(1, 7), min_size=2, max_size=5),
    hidden=st.sampled_from(HIDDEN),
    pairing=st.sampled_from(PAIRINGS),
    l2=st.sampled_from([0.0, 0.01, 0.5, 3.0]),
    n_samples=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_backprop_agrees_with_finite_differences(sizes, hidden, pairing, l2, n_samples, seed):
    cost, output, kind = pairing
    net = build(sizes, hidden, output, cost, seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, sizes[0]))
    Y = make_targets(kind, rng, n_samples, sizes[-1])
    for layer in net.layers:  # non-zero biases, so that no layer starts symmetric about its kink
        layer.bias = rng.normal(scale=0.5, size=layer.n_out)
    # a shock of 1e-6 must not carry any s across a ReLU's kink: skip the (rare) draws that come close
    assume(kink_clearance(net, X) > 1e-3)
    result = gradcheck(net, X, Y, l2=l2)
    # Finite differences resolve a slope only down to about (float64 rounding) * J / eps: a layer whose
    # whole gradient is below 1e-4 * J (deep chains of small slopes, about 1 draw in 3000) is beyond what a
    # relative error of 1e-6 can measure, so such draws are skipped (judged on the numerical gradient,
    # which does not depend on backpropagation). Layers with no gradient at all (dead ReLUs) are kept.
    J = net.cost(X, Y, l2=l2)
    bounds = np.cumsum([0] + [layer.n_params for layer in net.layers])
    norms = [np.linalg.norm(result.numerical[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    assume(all(norm == 0 or norm >= 1e-4 * J for norm in norms))
    assert result.worst < 1e-6, str(result)
    assert result.passed


class BrokenSigmoid(Sigmoid):
    """A sigmoid whose slope is off by 10%: the kind of bug gradient checking exists to catch."""

    def slope(self, s, a, out=None):
        return 1.1 * super().slope(s, a, out)


def test_gradcheck_catches_a_wrong_slope(rng):
    layers = [Dense(3, 4, BrokenSigmoid()), Dense(4, 2, "identity")]
    net = Network(layers, cost="mse", seed=1, dtype="float64")
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    result = gradcheck(net, X, Y)
    assert not result.passed
    assert not bool(result)
    assert result.errors[0] > 1e-3  # the broken layer's gradient is wrong ...
    assert result.errors[1] < 1e-6  # ... the output layer's does not pass through the broken slope
    assert "FAILED" in str(result)


def test_numerical_gradient_matches_a_direct_difference_quotient(rng):
    net = Network.from_sizes([2, 3, 1], activation="tanh", seed=3, dtype="float64")
    X, Y = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    slopes = numerical_gradient(net, X, Y, eps=1e-6, l2=0.2)
    i = 4  # one weight of the first layer, shocked by hand
    base = net.params.copy()
    up, down = base.copy(), base.copy()
    up[i] += 1e-6
    down[i] -= 1e-6
    net.params[...] = up
    j_up = net.cost(X, Y, l2=0.2)
    net.params[...] = down
    j_down = net.cost(X, Y, l2=0.2)
    net.params[...] = base
    assert slopes[i] == pytest.approx((j_up - j_down) / 2e-6, rel=1e-9)


def test_gradcheck_leaves_a_float32_network_untouched(rng, unchanged):
    net = Network.from_sizes([3, 5, 2], activation="tanh", cost="cross_entropy", seed=7)
    X, Y = rng.normal(size=(6, 3)), rng.integers(0, 2, size=6)
    same = unchanged(net)
    result = gradcheck(net, X, Y, l2=0.1)
    same()
    assert net.dtype == np.float32
    assert result.numerical.dtype == np.float64 and result.backprop.dtype == np.float64
    assert result.numerical.shape == (net.n_params,)
    assert result.worst < 1e-6
    assert len(result.errors) == 2
