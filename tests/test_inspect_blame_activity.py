"""Blame's BP4 factors beside each share (mean |a_k|, mean |a_k * delta_j|) and its dead and lazy ReLU neurons.

The references are computed here: each example's own delta from the plain-numpy reference (tests/numpy_reference.py,
one example at a time, so n = 1), and a ReLU neuron's activity as the share of examples with s > 0.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy_reference import backprop
from test_inspect_notebook import parse

from glassnet import InputError, Network


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    net = Network.from_sizes([3, 6, 4, 2], activation="relu", cost="cross_entropy", seed=0, dtype="float64")
    net.layers[0].bias[1] = -50.0  # never active: dead
    net.layers[0].weights[:, 2] = [1.0, 0.0, 0.0]
    net.layers[0].bias[2] = -2.0  # active only where height > 2: a few examples in a hundred
    record = net.blame(X, y, input_names=["height", "weight", "age"], lazy=0.1)
    per_example = [backprop(net, X[i : i + 1], y[i : i + 1]) for i in range(len(X))]
    return net, X, y, record, per_example


def test_the_factors_of_bp4_are_the_per_example_means(case) -> None:
    net, X, _, record, per_example = case
    for index in range(len(net.layers)):
        inputs = np.array([r.inputs[index][0] for r in per_example])  # (n, n_in)
        deltas = np.array([r.delta[index][0] for r in per_example])  # (n, n_out), each example's own
        np.testing.assert_allclose(record.mean_abs_inputs[index], np.abs(inputs).mean(axis=0), rtol=1e-12)
        gradient = np.mean(np.abs(inputs[:, :, None] * deltas[:, None, :]), axis=0)
        np.testing.assert_allclose(record.mean_abs_gradient[index], gradient, rtol=1e-9, atol=1e-15)
    data = record.to_dict()
    entry = data["layers"][0]["top"][4][0]
    k = entry["upstream"]
    assert entry["a_k"] == pytest.approx(record.mean_abs_inputs[0][k])
    assert entry["delta_j"] == pytest.approx(record.mean_abs_delta[0][4])
    assert entry["gradient"] == pytest.approx(record.mean_abs_gradient[0][k, 4])
    json.loads(record.to_json())  # still strict JSON


def test_dead_and_lazy_relu_neurons_are_flagged(case) -> None:
    net, X, _, record, _ = case
    s = X @ net.layers[0].weights + net.layers[0].bias
    active = (s > 0).mean(axis=0)
    np.testing.assert_allclose(record.active_fraction[0], active)
    assert record.active_fraction[-1] is None  # the output layer is not judged
    assert record.dead(1) == [int(j) for j in np.flatnonzero(active == 0)]
    assert 1 in record.dead(1)
    assert record.lazy_neurons(1) == [int(j) for j in np.flatnonzero((active > 0) & (active < 0.1))]
    assert record.lazy_neurons(1)  # neuron 2's bias keeps it below a tenth of the examples
    # the dead neuron gets no blame and its weights no tweak: BP4, a_k * 0
    assert record.mean_abs_delta[0][1] == 0 and np.all(record.mean_abs_gradient[0][:, 1] == 0)
    # a neuron of layer 2 fed only by dead inputs ... the layer is measured as well
    s2 = np.maximum(s, 0) @ net.layers[1].weights + net.layers[1].bias
    np.testing.assert_allclose(record.active_fraction[1], (s2 > 0).mean(axis=0))
    with pytest.raises(InputError):
        record.dead(4)


def test_the_text_and_html_show_the_factors_and_the_flags(case) -> None:
    _, _, _, record, _ = case
    text = str(record)
    rows = {line.split()[0]: line for line in text.split("layer 1 (6 neurons, relu)")[1].splitlines()[2:8]}
    assert "0% dead" in rows["1"]
    lazy = record.lazy_neurons(1)[0]
    assert f"{record.active_fraction[0][lazy]:.0%} lazy" in rows[str(lazy)]
    assert "dead (never active on these 200 examples" in text and "neurons 1" in text
    assert "lazy (active on fewer than 10% of the examples" in text
    entry = record.to_dict()["layers"][0]["top"][4][0]
    assert f"{entry['name']}: {entry['value']:.4g} ({entry['share']:.0%}; a {entry['a_k']:.3g}, tweak " \
           f"{entry['gradient']:.3g})" in rows["4"]
    page = record.to_html()
    tree = parse(f"<div>{page}</div>")
    cells = [row for row in tree.rows if row and row[0] == "1"]
    assert any(row[-1] == "0% dead" for row in cells)
    assert "never active on these 200 examples" in page
    parse(record._repr_html_())


def test_lazy_must_be_a_fraction() -> None:
    net = Network.from_sizes([2, 3, 1], activation="relu", seed=0)
    X, y = np.ones((4, 2)), np.ones(4)
    for bad in (0, 1.5, -0.1):
        with pytest.raises(InputError, match="lazy"):
            net.blame(X, y, lazy=bad)
