"""Tests for glassnet.inspect.blame: each neuron's mean |delta| over a batch, and whom its input comes from.

Independent references: finite differences of each example's own cost, a forward pass written out here,
and the float64 numpy backpropagation of tests/numpy_reference.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy_reference import backprop

from glassnet import Network
from glassnet.gradcheck import numerical_gradient
from glassnet.inspect import blame


def _independent_forward(net: Network, X: np.ndarray) -> list[np.ndarray]:
    """The activations of every layer (a_0 = X first), written out without the engine."""
    functions = {"tanh": np.tanh, "identity": lambda s: s}
    activations = [X]
    for layer in net.layers:
        activations.append(functions[layer.activation.name](activations[-1] @ layer.weights + layer.bias))
    return activations


def test_blame_matches_an_independent_computation(rng):
    net = Network.from_sizes([3, 5, 4, 2], activation="tanh", cost="mse", seed=11, dtype="float64")
    X, Y = rng.normal(size=(12, 3)), rng.normal(size=(12, 2))
    result = net.blame(X, Y, top_k=2)

    # each example's delta is dJ_i/db for that example's own cost: estimate it by finite differences
    per_example = []
    for i in range(len(X)):
        grad = numerical_gradient(net.copy(), X[i : i + 1], Y[i : i + 1], eps=1e-6)
        deltas, offset = [], 0
        for layer in net.layers:
            offset += layer.n_in * layer.n_out
            deltas.append(grad[offset : offset + layer.n_out])
            offset += layer.n_out
        per_example.append(deltas)
    activations = _independent_forward(net, X)
    for index, layer in enumerate(net.layers):
        expected_delta = np.mean([np.abs(d[index]) for d in per_example], axis=0)
        np.testing.assert_allclose(result.mean_abs_delta[index], expected_delta, rtol=1e-5, atol=1e-9)
        expected = np.zeros((layer.n_in, layer.n_out))
        for k in range(layer.n_in):
            for j in range(layer.n_out):
                expected[k, j] = np.mean(np.abs(layer.weights[k, j] * activations[index][:, k]))
        np.testing.assert_allclose(result.contributions[index], expected, rtol=1e-12)
        for j in range(layer.n_out):
            ranked = result.ranking(index + 1, j)
            assert [k for k, _, _ in ranked] == list(np.argsort(-expected[:, j], kind="stable")[:2])
            assert ranked[0][1] >= ranked[1][1]
            assert ranked[0][2] == pytest.approx(expected[ranked[0][0], j] / expected[:, j].sum())


def test_blame_does_not_depend_on_slicing(rng):
    net = Network.from_sizes([4, 6, 3], activation="tanh", cost="cross_entropy", seed=5, dtype="float64")
    X, y = rng.normal(size=(23, 4)), rng.integers(0, 3, size=23)
    whole = blame(net, X, y)
    sliced = blame(net, X, y, chunk_rows=5)
    for a, b in zip(
        whole.mean_abs_delta + whole.contributions, sliced.mean_abs_delta + sliced.contributions, strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    # and both are the mean over the examples of each one's own |delta| (its cost alone), from the reference
    per_example = [backprop(net, X[i : i + 1], y[i : i + 1]).delta for i in range(len(X))]
    for index in range(len(net.layers)):
        expected = np.mean([np.abs(d[index][0]) for d in per_example], axis=0)
        np.testing.assert_allclose(sliced.mean_abs_delta[index], expected, rtol=1e-10, atol=1e-15)
