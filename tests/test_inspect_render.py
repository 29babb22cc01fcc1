"""Tests for the inspect views: the text, Markdown, JSON and HTML forms of a Trace and of Blame.

The views print the records; the numbers they print are checked against an independent float64 forward
and backward pass in plain numpy (tests/numpy_reference.py), and the shortening against counts worked out
from the layer sizes. The keys of ``Trace.to_dict()`` are a contract with the playground's page.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy_reference import backprop

from glassnet import InputError, Network
from glassnet.inspect import blame

TRACE_KEYS = {"network", "notation", "n_samples", "learning_rate", "input_names", "inputs", "targets", "outputs",
              "cost", "layers"}
LAYER_KEYS = {"layer", "activation", "output", "fused", "inputs", "neurons", "neurons_omitted"}
NEURON_KEYS = {"neuron", "bias", "s", "a", "dcost_da", "slope", "delta", "bias_gradient", "new_bias", "weights",
               "weights_omitted"}
CONTRIBUTION_KEYS = {"downstream_neuron", "weight", "delta", "product"}
WEIGHT_KEYS = {"from", "value", "gradient", "new_value"}


def test_big_layers_are_shortened_unless_full(rng):
    net = Network.from_sizes([20, 30, 3], activation="relu", cost="cross_entropy", seed=0)
    x = rng.normal(size=20)
    tr = net.trace(x, 1)
    short = tr.to_text()
    assert "... 24 more neurons" in short
    # a neuron the shortened view leaves out (it shows the 6 with the largest |delta|)
    left_out = max(set(range(30)) - set(np.argsort(-np.abs(tr.layers[0].delta[0]), kind="stable")[:6]))
    assert f"neuron {left_out}:" not in short
    assert "... (14 more terms)" in short
    full = tr.to_text(full=True)
    assert f"neuron {left_out}:" in full and "more neurons" not in full
    assert f"w[19, {left_out}]" in full
    assert f"| {left_out} | `s = " in tr.to_markdown(full=True)
    assert f"| {left_out} | `s = " not in tr.to_markdown() and "24 more neurons" in tr.to_markdown()


def test_a_shortened_batch_says_how_many_samples_are_left_out(rng):
    net = Network.from_sizes([3, 2, 1], activation="tanh", cost="mse", seed=0)
    text = net.trace(rng.normal(size=(5, 3)), rng.normal(size=5)).to_text(max_samples=2)
    cost_part = text.split("\nCost\n")[1].split("\n\n")[0]
    assert "sample 1:" in cost_part and "sample 2:" not in cost_part
    assert "... 3 more samples" in cost_part


def test_the_text_prints_the_reference_numbers(rng):
    net = Network.from_sizes([3, 4, 2], activation="tanh", cost="mse", seed=4, dtype="float64")
    x, y = rng.normal(size=3), rng.normal(size=2)
    text = net.trace(x, y, learning_rate=0.25).to_text()
    ref = backprop(net, [x], [y])

    def g(value: float) -> str:
        return f"{value + 0.0:.6g}"

    def factor(value: float) -> str:  # a negative factor of a product is printed in parentheses
        return f"({g(value)})" if g(value).startswith("-") else g(value)

    assert "cost mse, learning rate 0.25" in text
    assert f"mse: J = mean over samples and outputs of (a - y)^2 = {g(ref.cost)}" in text
    for index, layer in enumerate(net.layers):
        name = layer.activation.name
        for j in range(layer.n_out):
            s, a = ref.s[index][0, j], ref.a[index][0, j]
            assert f"= {g(s)}   a = {name}({g(s)}) = {g(a)}" in text  # forward: s, then a = f(s)
            assert f"neuron {j}: dJ/db = {g(ref.grad_bias[index][j])}" in text  # BP3
            assert f"dJ/dw[1, {j}] = {factor(ref.inputs[index][0, 1])} * " in text
            assert f" = {g(ref.grad_weights[index][1, j])}\n" in text  # BP4
    bp1 = f"delta = {factor(ref.dcost_da[0, 0])} * {factor(ref.slope[-1][0, 0])} = {g(ref.delta[-1][0, 0])}"
    assert bp1 in text


def test_json_is_strict_and_holds_the_numbers(rng):
    net = Network.from_sizes([3, 4, 2], activation="tanh", cost="mse", seed=2, dtype="float64")
    X, Y = rng.normal(size=(2, 3)), rng.normal(size=(2, 2))
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
    # the same numbers from the float64 reference
    ref = backprop(net, X, Y)
    W2 = np.asarray(net.layers[1].weights)
    assert layer1["neurons"][2]["delta"] == pytest.approx(ref.delta[0][:, 2], rel=1e-10, abs=1e-15)
    assert layer1["neurons"][2]["weights"][1]["gradient"] == pytest.approx(ref.grad_weights[0][1, 2], rel=1e-10)
    assert layer1["neurons"][2]["contributions"][1]["product"] == pytest.approx(
        W2[2, 1] * ref.delta[1][:, 1], rel=1e-10, abs=1e-15
    )
    assert data["cost"] == pytest.approx(ref.cost, rel=1e-12)
    np.testing.assert_allclose(data["outputs"], ref.a[-1], rtol=1e-12)


def test_to_dict_keeps_the_keys_the_page_reads(rng):
    net = Network.from_sizes([3, 4, 2], activation="tanh", cost="cross_entropy", seed=2)
    data = net.trace(rng.normal(size=(2, 3)), [0, 1]).to_dict()
    assert TRACE_KEYS <= data.keys()
    assert {"sizes", "activations", "cost", "dtype"} <= data["network"].keys()
    hidden, output = data["layers"]
    for layer in data["layers"]:
        assert LAYER_KEYS <= layer.keys()
        for neuron in layer["neurons"]:
            assert NEURON_KEYS <= neuron.keys()
            assert all(WEIGHT_KEYS <= w.keys() for w in neuron["weights"])
    for neuron in hidden["neurons"]:
        assert len(neuron["contributions"]) == 2
        assert all(CONTRIBUTION_KEYS <= c.keys() for c in neuron["contributions"])
    assert output["fused"] and output["neurons"][0]["dcost_da"] is None and output["neurons"][0]["slope"] is None
    assert "contributions" not in output["neurons"][0]


# -- blame ---------------------------------------------------------------------------------------------------
def _reference_mean_abs_delta(net: Network, X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
    """Each example's own delta (its cost alone, n = 1) from the reference; their mean |.| per layer."""
    per_example = [backprop(net, X[i : i + 1], Y[i : i + 1]).delta for i in range(len(X))]
    return [np.mean([np.abs(d[index][0]) for d in per_example], axis=0) for index in range(len(net.layers))]


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
    # the numbers, and the order the table lists the neurons in, from the reference
    expected = _reference_mean_abs_delta(net, X, y)
    for layer, mad in zip(data["layers"], expected, strict=True):
        assert layer["mean_abs_delta"] == pytest.approx(mad, rel=2e-4, abs=1e-7)
        assert layer["neurons_by_blame"] == list(np.argsort(-np.asarray(layer["mean_abs_delta"]), kind="stable"))
    hidden_rows = [line.split()[0] for line in text.split("layer 1 (12 neurons, tanh)")[1].splitlines()[2:12]]
    assert hidden_rows == [str(j) for j in data["layers"][0]["neurons_by_blame"][:10]]


def test_blame_html_lists_the_reference_numbers(rng):
    net = Network.from_sizes([3, 25, 2], activation="tanh", cost="mse", seed=1, dtype="float64")
    X, Y = rng.normal(size=(16, 3)), rng.normal(size=(16, 2))
    result = blame(net, X, Y, input_names=["a<b", "c", "d"])
    page = result.to_html(max_neurons=20)
    expected = _reference_mean_abs_delta(net, X, Y)
    assert page.index("<h3>layer 2 (2 neurons, identity, output)</h3>") < page.index("<h3>layer 1 (25 neurons")
    most = int(np.argmax(expected[0]))
    assert f"<tr><td>{most}</td><td>{expected[0][most]:.4g}</td>" in page  # the most blamed hidden neuron
    hidden = page.split("<h3>layer 1 (25 neurons, tanh)</h3>")[1]
    assert f"<tr><td>{int(np.argmin(expected[0]))}</td>" not in hidden  # among the 5 left out
    assert "... 5 more neurons with less blame" in page
    assert "a&lt;b" in page and "a<b" not in page  # names are escaped
    for j in range(2):
        assert f"<tr><td>{j}</td><td>{expected[1][j]:.4g}</td>" in page
