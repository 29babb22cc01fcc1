"""Tests for glassnet.inspect: trace (the worked numbers of one step) and blame (who gets the error).

The trace must be the engine's own numbers: its gradients equal ``net.gradients()`` bit for bit, its
deltas the layers' deltas, and its decomposition of BP2 must add up. Independent references: Matt Mazur's
published worked example (the demo network), finite differences, and a forward pass written out here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassnet import Dense, InputError, Network, NotTrainableError
from glassnet.gradcheck import numerical_gradient
from glassnet.inspect import (
    DEMO_LEARNING_RATE,
    blame,
    demo_example,
    demo_network,
    explain,
    explain_demo,
    trace,
)
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


# -- trace: the engine's own numbers ---------------------------------------------------------------------
@pytest.mark.parametrize("cost, hidden, output", CASES)
@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_trace_equals_the_engine_exactly(cost, hidden, output, rows, dtype, rng):
    net = Network.from_sizes([3, 5, 4, 2], activation=hidden, output=output, cost=cost, seed=3, dtype=dtype)
    X, Y = _data(cost, rows, rng)
    before = net.params.copy()
    tr = net.trace(X, Y, learning_rate=0.3)
    assert np.array_equal(net.params, before), "trace must not change the weights"

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


@pytest.mark.parametrize("cost, hidden, output", CASES)
def test_blame_received_times_slope_is_delta(cost, hidden, output, rng):
    net = Network.from_sizes([3, 6, 5, 2], activation=hidden, cost=cost, seed=7, dtype="float64")
    X, Y = _data(cost, 2, rng)
    tr = trace(net, X, Y)
    for lower, upper in zip(tr.layers[:-1], tr.layers[1:], strict=True):
        assert lower.contributions.shape == (2, lower.n_out, upper.n_out)
        # each term is w[j, m] * delta_m of the layer above
        for j in range(lower.n_out):
            for m in range(upper.n_out):
                assert lower.contributions[:, j, m] == pytest.approx(upper.weights[j, m] * upper.delta[:, m])
        np.testing.assert_allclose(
            lower.contributions.sum(axis=2) * lower.slope, lower.delta, rtol=1e-12, atol=1e-15
        )
    output_layer = tr.layers[-1]
    if output_layer.fused:
        np.testing.assert_allclose(output_layer.delta, (output_layer.a - tr.y) / len(tr.y), rtol=1e-12)
    else:
        np.testing.assert_allclose(output_layer.dcost_da * output_layer.slope, output_layer.delta, rtol=1e-12)


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


# -- the demo network is Mazur's worked example ---------------------------------------------------------
def test_demo_reproduces_the_published_worked_example():
    x, y = demo_example()
    tr = demo_network().trace(x, y, learning_rate=DEMO_LEARNING_RATE)
    hidden, output = tr.layers
    assert hidden.a[0] == pytest.approx([0.593269992, 0.596884378], abs=5e-10)
    assert output.a[0] == pytest.approx([0.75136507, 0.772928465], abs=5e-9)
    assert tr.cost == pytest.approx(0.298371109, abs=5e-10)
    assert output.delta[0, 0] == pytest.approx(0.138498562, abs=5e-10)  # dE/dnet_o1
    assert output.grad_weights[0, 0] == pytest.approx(0.082167041, abs=5e-10)  # dE/dw5
    # weights[k, j] is w_jk: w1 = [0, 0], w2 = [1, 0], w3 = [0, 1], w4 = [1, 1]; w5..w8 likewise
    published_hidden = {(0, 0): 0.149780716, (1, 0): 0.19956143, (0, 1): 0.24975114, (1, 1): 0.29950229}
    published_output = {(0, 0): 0.35891648, (1, 0): 0.408666186, (0, 1): 0.511301270, (1, 1): 0.561370121}
    for (k, j), value in published_hidden.items():
        assert hidden.new_weights[k, j] == pytest.approx(value, abs=5e-9)
    for (k, j), value in published_output.items():
        assert output.new_weights[k, j] == pytest.approx(value, abs=5e-9)


def test_explain_demo_text_walks_through_every_part():
    text = explain_demo()
    for heading in ("Forward", "Cost", "Backward (BP1, BP2)", "Gradients (BP3", "Update"):
        assert heading in text
    assert "w_jk" in text
    assert "0.3775" in text  # s of the first hidden neuron, as in the tutorial
    assert "0.358916" in text  # w5 after the step
    assert "shortened" not in text


# -- rendering ----------------------------------------------------------------------------------------------
def test_big_layers_are_shortened_unless_full(rng):
    net = Network.from_sizes([20, 30, 3], activation="relu", cost="cross_entropy", seed=0)
    x = rng.normal(size=20)
    tr = net.trace(x, 1)
    short = tr.to_text()
    assert "... 24 more neurons" in short
    assert "neuron 29:" not in short
    assert "... (14 more terms)" in short
    full = tr.to_text(full=True)
    assert "neuron 29:" in full and "more neurons" not in full
    assert "w[19, 29]" in full
    assert "| 29 | `s = " in tr.to_markdown(full=True)
    assert "| 29 | `s = " not in tr.to_markdown() and "24 more neurons" in tr.to_markdown()



def test_a_shortened_batch_says_how_many_samples_are_left_out(rng):
    net = Network.from_sizes([3, 2, 1], activation="tanh", cost="mse", seed=0)
    text = net.trace(rng.normal(size=(5, 3)), rng.normal(size=5)).to_text(max_samples=2)
    cost_part = text.split("\nCost\n")[1].split("\n\n")[0]
    assert "sample 1:" in cost_part and "sample 2:" not in cost_part
    assert "... 3 more samples" in cost_part

def test_json_is_strict_and_holds_the_numbers(rng):
    net = Network.from_sizes([3, 4, 2], activation="tanh", cost="mse", seed=2, dtype="float64")
    X, Y = _data("mse", 2, rng)
    tr = net.trace(X, Y)
    data = json.loads(tr.to_json())
    assert data["n_samples"] == 2
    layer1 = data["layers"][0]
    assert layer1["neurons"][2]["delta"] == pytest.approx(tr.layers[0].delta[:, 2])
    assert layer1["neurons"][2]["weights"][1]["gradient"] == pytest.approx(tr.layers[0].grad_weights[1, 2])
    assert layer1["neurons"][2]["contributions"][1]["product"] == pytest.approx(
        tr.layers[0].contributions[:, 2, 1]
    )
    assert data["cost"] == pytest.approx(tr.cost)
    short = tr.to_dict(max_neurons=1, max_weights=2)
    assert len(short["layers"][0]["neurons"]) == 1 and short["layers"][0]["neurons_omitted"] == 3
    assert short["layers"][0]["neurons"][0]["weights_omitted"] == 1
    md = tr.to_markdown()
    assert "## Backward (BP1, BP2)" in md and "| neuron |" in md


def test_explain_formats_and_refusals(rng):
    net = Network.from_sizes([2, 3, 1], activation="tanh", cost="binary_cross_entropy", seed=0)
    for fmt in ("text", "markdown", "json"):
        assert isinstance(explain(net, [0.5, -0.2], 1, format=fmt), str)
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


# -- blame --------------------------------------------------------------------------------------------------
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


def test_blame_renders_as_table_and_json(rng):
    net = Network.from_sizes([2, 12, 1], activation="tanh", cost="binary_cross_entropy", seed=0)
    X, y = rng.normal(size=(30, 2)), rng.integers(0, 2, size=30)
    result = net.blame(X, y, input_names=["height", "weight"])
    text = str(result)
    assert "layer 2 (1 neuron, sigmoid, output)" in text and "layer 1 (12 neurons, tanh)" in text
    assert "height" in text and "... 2 more neurons" in text
    assert "more neurons" not in result.to_text(full=True)
    data = json.loads(result.to_json())
    assert data["n_samples"] == 30
    assert data["layers"][0]["mean_abs_delta"] == pytest.approx(result.mean_abs_delta[0])
    with pytest.raises(InputError):
        result.ranking(3, 0)
    with pytest.raises(InputError):
        net.blame(X, y, input_names=["only one"])
