"""Tests for glassnet.inspect.trace: the worked numbers of one step, and explain.

The trace must be the engine's own numbers (its gradients equal ``net.gradients()`` bit for bit, its deltas
the layers' deltas) and those numbers must be right: each is checked against an independent float64
forward and backward pass in plain numpy (tests/numpy_reference.py) or finite differences.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy_reference import backprop, tolerance

from glassnet import Dense, InputError, Network, NotTrainableError
from glassnet.gradcheck import numerical_gradient
from glassnet.inspect import explain, trace
from glassnet.optimizers import SGD

CASES = [
    ("mse", "tanh", None),
    ("binary_cross_entropy", "sigmoid", None),
    ("cross_entropy", "relu", None),
]


def _data(cost: str, rows: int, rng: np.random.Generator, n_in: int = 3, n_out: int = 2):
    X = rng.normal(size=(rows, n_in))
    if cost == "mse":
        Y = rng.normal(size=(rows, n_out))
    elif cost == "binary_cross_entropy":
        Y = rng.integers(0, 2, size=(rows, n_out)).astype(float)
    else:
        Y = rng.integers(0, n_out, size=rows)
    return X, Y


def ref_weights(net: Network, index: int) -> np.ndarray:
    """Layer ``index + 1``'s weights in float64, for the reference's own products."""
    return np.asarray(net.layers[index].weights, dtype=np.float64)


@pytest.mark.parametrize("cost, hidden, output", CASES)
@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_trace_equals_the_engine_exactly(cost, hidden, output, rows, dtype, rng):
    net = Network.from_sizes([3, 5, 4, 2], activation=hidden, output=output, cost=cost, seed=3, dtype=dtype)
    X, Y = _data(cost, rows, rng)
    before = net.params.copy()
    tr = net.trace(X, Y, learning_rate=0.3)
    assert np.array_equal(net.params, before), "trace must not change the weights"

    # the trace copies the engine: no second implementation of the maths
    reference = net.copy()
    expected = reference.gradients(X, Y)
    for lt, (dW, db), layer in zip(tr.layers, expected, reference.layers, strict=True):
        assert np.array_equal(lt.grad_weights, dW)
        assert np.array_equal(lt.grad_bias, db)
        assert np.array_equal(lt.delta, layer.delta)
        assert np.array_equal(lt.s, layer.s)
        assert np.array_equal(lt.a, layer.a)
        assert np.array_equal(lt.inputs, layer.a_prev)
        assert np.array_equal(lt.weights, layer.weights)
    assert np.array_equal(tr.output, reference.forward(X))
    assert tr.cost == pytest.approx(reference.cost(X, Y), rel=1e-6)

    # and the engine's numbers are right: a float64 forward and backward pass written out in numpy
    ref = backprop(net, X, Y)
    close = tolerance(dtype)
    for index, lt in enumerate(tr.layers):
        np.testing.assert_allclose(lt.inputs, ref.inputs[index], **close)
        np.testing.assert_allclose(lt.s, ref.s[index], **close)
        np.testing.assert_allclose(lt.a, ref.a[index], **close)
        np.testing.assert_allclose(lt.delta, ref.delta[index], **close)
        np.testing.assert_allclose(lt.grad_weights, ref.grad_weights[index], **close)
        np.testing.assert_allclose(lt.grad_bias, ref.grad_bias[index], **close)
        if lt.slope is not None:
            np.testing.assert_allclose(lt.slope, ref.slope[index], **close)
    if tr.layers[-1].dcost_da is not None:
        np.testing.assert_allclose(tr.layers[-1].dcost_da, ref.dcost_da, **close)
    assert tr.cost == pytest.approx(ref.cost, rel=close["rtol"], abs=close["atol"])


@pytest.mark.parametrize("cost, hidden, output", CASES)
def test_blame_received_times_slope_is_delta(cost, hidden, output, rng):
    net = Network.from_sizes([3, 6, 5, 2], activation=hidden, cost=cost, seed=7, dtype="float64")
    X, Y = _data(cost, 2, rng)
    tr = trace(net, X, Y)
    ref = backprop(net, X, Y)
    for index, (lower, upper) in enumerate(zip(tr.layers[:-1], tr.layers[1:], strict=True)):
        assert lower.contributions.shape == (2, lower.n_out, upper.n_out)
        # each term is w[j, m] * delta_m of the layer above
        for j in range(lower.n_out):
            for m in range(upper.n_out):
                assert lower.contributions[:, j, m] == pytest.approx(upper.weights[j, m] * upper.delta[:, m])
        np.testing.assert_allclose(
            lower.contributions.sum(axis=2) * lower.slope, lower.delta, rtol=1e-12, atol=1e-15
        )
        # against the reference: the terms w[j, m] * delta_m, their sum dJ/da_j, and the delta (BP2)
        ref_terms = ref_weights(net, index + 1)[np.newaxis, :, :] * ref.delta[index + 1][:, np.newaxis, :]
        np.testing.assert_allclose(lower.contributions, ref_terms, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(lower.dcost_da, ref_terms.sum(axis=2), rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(lower.delta, ref.delta[index], rtol=1e-10, atol=1e-15)
    output_layer = tr.layers[-1]
    if output_layer.fused:
        np.testing.assert_allclose(output_layer.delta, (output_layer.a - tr.y) / len(tr.y), rtol=1e-12)
    else:
        np.testing.assert_allclose(output_layer.dcost_da * output_layer.slope, output_layer.delta, rtol=1e-12)
    np.testing.assert_allclose(output_layer.delta, ref.delta[-1], rtol=1e-10, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    activation=st.sampled_from(["sigmoid", "tanh", "arctan", "softplus", "leaky_relu"]),
    seed=st.integers(0, 10_000),
)
def test_trace_gradients_agree_with_finite_differences(sizes, activation, seed):
    net = Network.from_sizes(sizes, activation=activation, cost="mse", seed=seed, dtype="float64")
    data = np.random.default_rng(seed)
    x, y = data.normal(size=sizes[0]), data.normal(size=sizes[-1])
    tr = net.trace(x, y)
    flat = np.concatenate([np.concatenate([lt.grad_weights.ravel(), lt.grad_bias]) for lt in tr.layers])
    X, Y = net.check_XY(x.reshape(1, -1), y.reshape(1, -1))
    numerical = numerical_gradient(net.copy(), X, Y, eps=1e-6)
    np.testing.assert_allclose(flat, numerical, rtol=1e-5, atol=1e-8)
    lower_layers = tr.layers[:-1]
    for lower in lower_layers:
        np.testing.assert_allclose(
            lower.contributions.sum(axis=2) * lower.slope, lower.delta, rtol=1e-10, atol=1e-14
        )


def test_update_is_one_plain_gradient_descent_step(rng):
    net = Network.from_sizes([4, 3, 1], activation="tanh", cost="binary_cross_entropy", seed=1)
    X, Y = _data("binary_cross_entropy", 1, rng, n_in=4, n_out=1)
    tr = net.trace(X[0], Y[0], learning_rate=0.7)
    stepped = net.copy()
    stepped.gradients(X, Y)
    SGD(learning_rate=0.7).step(stepped.params, stepped.grads)
    for lt, layer in zip(tr.layers, stepped.layers, strict=True):
        np.testing.assert_allclose(lt.new_weights, layer.weights, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(lt.new_bias, layer.bias, rtol=1e-6, atol=1e-7)
    # the step written out: p - learning_rate * dJ/dp with the float64 reference's gradients
    ref = backprop(net, X, Y)
    close = tolerance("float32")
    for index, (lt, layer) in enumerate(zip(tr.layers, net.layers, strict=True)):
        W, b = np.asarray(layer.weights, dtype=np.float64), np.asarray(layer.bias, dtype=np.float64)
        np.testing.assert_allclose(lt.new_weights, W - 0.7 * ref.grad_weights[index], **close)
        np.testing.assert_allclose(lt.new_bias, b - 0.7 * ref.grad_bias[index], **close)


def test_explain_formats_and_refusals(rng):
    net = Network.from_sizes([2, 3, 1], activation="tanh", cost="binary_cross_entropy", seed=0)
    for fmt in ("text", "markdown", "json"):
        assert isinstance(explain(net, [0.5, -0.2], 1, format=fmt), str)
    ref = backprop(net, [[0.5, -0.2]], [1])
    data = json.loads(explain(net, [0.5, -0.2], 1, format="json"))
    assert data["cost"] == pytest.approx(ref.cost, rel=1e-5)
    assert data["layers"][1]["neurons"][0]["delta"] == pytest.approx(ref.delta[1][:, 0], rel=1e-5)
    with pytest.raises(InputError, match="format"):
        explain(net, [0.5, -0.2], 1, format="html")
    with pytest.raises(InputError):
        net.trace([0.5, -0.2, 0.1], 1)  # wrong number of inputs
    with pytest.raises(InputError, match="learning_rate"):
        net.trace([0.5, -0.2], 1, learning_rate=-1)
    with pytest.raises(TypeError):
        explain("not a network", [0.5, -0.2], 1)
    stepper = Network([Dense(2, 2, "step"), Dense(2, 1, "sigmoid")], cost="mse")
    with pytest.raises(NotTrainableError):
        stepper.trace([0.5, -0.2], 1.0)
