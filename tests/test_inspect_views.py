"""Views that scale: the default trace of a 784-128-10 network on a digits-like input (most pixels 0).

Before, the default text was 259 lines of up to 217 characters: each weighted sum showed its first 6 terms
(corner pixels, all ``w*0``), layer 1's gradients were ~70 lines of ``0 * delta = 0`` and only output neurons
0-5 were shown, so the target's neuron (8 here) was hidden under "... 4 more". Every number the shortened view
prints about what it shows and leaves out is checked against an independent float64 pass in plain numpy
(tests/numpy_reference.py): the shown terms are the true largest |w*a|, the rest sums to s, the shown neurons
are those with the largest |delta| and include the target's, and the counts of zero gradients follow BP4.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy_reference import backprop

from glassnet import InputError, Network
from glassnet.inspect import explain

REPO = Path(__file__).resolve().parents[1]
TARGET = 8
NUMBER = r"\(?(-?[0-9.]+(?:e[-+][0-9]+)?)\)?"


@pytest.fixture(scope="module")
def big():
    """A 784-128-10 relu/softmax network and a 28x28 'digit': a block of ink, every other pixel 0."""
    rng = np.random.default_rng(7)
    net = Network.from_sizes([784, 128, 10], activation="relu", cost="cross_entropy", seed=1, dtype="float64")
    image = np.zeros((28, 28))
    image[6:22, 9:19] = rng.uniform(0.2, 1.0, size=(16, 10))
    x = image.ravel()
    tr = net.trace(x, TARGET)
    ref = backprop(net, [x], [TARGET])
    return net, x, tr, ref


def _section(text: str, title: str) -> str:
    return text.split(f"\n{title}")[1].split("\n\n")[0]


def test_the_default_text_is_about_a_screenful_and_shows_the_target(big):
    _, _, tr, ref = big
    lines = tr.to_text().splitlines()
    assert len(lines) <= 60, len(lines)
    assert max(map(len, lines)) <= 126, max(map(len, lines))
    text = "\n".join(lines)
    predicted = int(np.argmax(ref.a[-1][0]))
    assert predicted != TARGET  # the case the old view hid: the large error is at the target, not the guess
    for part in ("Forward", "Backward"):
        assert re.search(rf"neuron {TARGET} \(target\): ", _section(text, part))
        assert re.search(rf"neuron {predicted} \(predicted\): ", _section(text, part))
    # the target's delta, (a - 1) / 1, from the reference
    assert f"delta = ({ref.a[-1][0, TARGET]:.6g} - 1) / 1 = {ref.delta[-1][0, TARGET]:.6g}" in text
    assert " 0 * " not in _section(text, "Gradients")  # no more lines of 0 * delta = 0


def test_full_stays_complete(big):
    _, _, tr, _ = big
    full = tr.to_text(full=True)
    assert "more neurons" not in full and "more terms" not in full and "more weights" not in full
    assert "neuron 127: s = " in full and "dJ/dw[783, 127] = " in full and "w[127, 9] = " in full


def test_each_sum_shows_its_largest_terms_and_the_rest_adds_up(big):
    net, x, tr, ref = big
    text = tr.to_text()
    forward = _section(text, "Forward")
    lines = [line for line in forward.splitlines() if re.match(r"\s+neuron \d+", line)]
    assert len(lines) == 12
    for line in lines:
        layer = 0 if line.startswith("    neuron") and lines.index(line) < 6 else 1
        j = int(re.match(r"\s+neuron (\d+)", line).group(1))
        a_in = ref.inputs[layer][0]
        W = np.asarray(net.layers[layer].weights, dtype=np.float64)
        terms = W[:, j] * a_in
        formula = line.split(": s = ", 1)[1]
        shown = re.findall(rf"{NUMBER}\*{NUMBER}", formula)
        assert shown, line
        rest = re.search(rf"\[(\d+) more terms = {NUMBER}\]", formula)
        after = formula[rest.end() :]
        bias, s = re.match(rf" \+ {NUMBER} = {NUMBER}", after).groups()
        # the shown terms are the largest |w*a|, largest first, none of them a zero input
        order = np.argsort(-np.abs(terms), kind="stable")[: len(shown)]
        for (w_text, a_text), k in zip(shown, order, strict=True):
            assert float(w_text) == pytest.approx(W[k, j], rel=1e-5)
            assert float(a_text) == pytest.approx(a_in[k], rel=1e-5)
            assert a_in[k] != 0
        assert int(rest.group(1)) == len(terms) - len(shown)
        left_out = np.delete(terms, order)
        assert float(rest.group(2)) == pytest.approx(left_out.sum(), rel=1e-5, abs=1e-9)
        # shown + rest + bias = s, as printed (6 significant digits each)
        printed = sum(float(w) * float(a) for w, a in shown) + float(rest.group(2)) + float(bias)
        assert printed == pytest.approx(float(s), rel=1e-4, abs=1e-6)
        assert float(s) == pytest.approx(ref.s[layer][0, j], rel=1e-5)


def test_the_neurons_shown_are_those_with_the_largest_delta(big):
    _, _, tr, ref = big
    text = tr.to_text()
    backward = _section(text, "Backward")
    hidden = backward.split("layer 1 (")[1]
    shown = sorted(int(j) for j in re.findall(r"neuron (\d+): dJ/da", hidden))
    expected = sorted(np.argsort(-np.abs(ref.delta[0][0]), kind="stable")[:6])
    assert shown == [int(j) for j in expected]
    assert "... 122 more neurons (smaller |delta|)" in hidden
    output = backward.split("layer 1 (")[0]
    shown_out = {int(j) for j in re.findall(r"neuron (\d+)[ :(]", output)}
    predicted = int(np.argmax(ref.a[-1][0]))
    ranked = [int(j) for j in np.argsort(-np.abs(ref.delta[-1][0]), kind="stable") if j not in (TARGET, predicted)]
    assert shown_out == {TARGET, predicted, *ranked[:4]}


def test_wide_gradients_are_summarised_with_the_zeros_bp4_explains(big):
    _, x, tr, ref = big
    gradients = _section(tr.to_text(), "Gradients")
    for layer in (0, 1):
        a_in, delta = ref.inputs[layer][0], ref.delta[layer][0]
        dW = np.outer(a_in, delta)  # BP4, independently
        n_in, n_out = dW.shape
        zero_in, zero_delta = int(np.sum(a_in == 0)), int(np.sum(delta == 0))
        assert (
            f"layer {layer + 1}: of {n_in * n_out} dJ/dw, {int(np.sum(dW == 0))} are 0: {zero_in * n_out} as a_k = 0 "
            f"({zero_in} of {n_in} inputs), {(n_in - zero_in) * zero_delta} as delta_j = 0 ({zero_delta} of {n_out} "
            "neurons)"
        ) in gradients
        k, j = np.unravel_index(np.argmax(np.abs(dW)), dW.shape)
        assert f"dJ/dw[{k}, {j}] = " in gradients
        assert f"= {dW[k, j]:.6g}" in gradients
    update = _section(tr.to_text(), "Update")
    k, j = np.unravel_index(np.argmax(np.abs(ref.grad_weights[0])), ref.grad_weights[0].shape)
    W = np.asarray(tr.layers[0].weights, dtype=np.float64)
    step = W[k, j] - 0.1 * ref.grad_weights[0][k, j]
    assert f"  layer 1: w[{k}, {j}] = {W[k, j]:.6g} - 0.1 * " in update and f"= {step:.6g}" in update


def test_a_narrow_shortened_layer_shows_its_largest_terms_and_their_rest(rng):
    """A 20-input layer (not wide): the 6 largest |w*a| terms, then ``[... (14 more terms) = rest]``."""
    net = Network.from_sizes([20, 30, 3], activation="relu", cost="cross_entropy", seed=0, dtype="float64")
    x = rng.normal(size=20)
    x[:5] = 0.0
    tr = net.trace(x, 1)
    text = tr.to_text()
    W, b = np.asarray(net.layers[0].weights), np.asarray(net.layers[0].bias)
    # a narrow shortened layer shows the neurons with the largest |delta|, as a wide one does
    largest = sorted(np.argsort(-np.abs(backprop(net, x[None, :], np.eye(3)[[1]]).delta[0][0]), kind="stable")[:6])
    assert tr.shown_neurons(tr.layers[0], 6) == [int(j) for j in largest]
    for j in largest[:3]:
        terms = W[:, j] * x
        order = np.argsort(-np.abs(terms), kind="stable")[:6]
        line = re.search(rf"\n    neuron {j}: s = (.*)\n", text)
        assert line is not None  # a narrow layer shows its largest-|delta| neurons
        shown = re.findall(rf"{NUMBER}\*{NUMBER}", line.group(1))
        assert [float(a) for _, a in shown] == pytest.approx(x[order], rel=1e-5)
        rest = np.delete(terms, order)
        assert f"[... (14 more terms, 5 of them w*0) = {rest.sum():.6g}] + " in line.group(1)
        assert f" = {terms.sum() + b[j]:.6g}   a = relu(" in line.group(1)


def test_small_networks_keep_their_form():
    """Nothing shortened in a 2-2-2 or a 2-3-1 network: no tags, no summaries, terms in input order."""
    net = Network.from_sizes([2, 3, 1], activation="tanh", cost="mse", seed=0)
    text = net.trace([0.5, -1.0], [0.2]).to_text()
    assert "more terms" not in text and "the largest" not in text and "(target" not in text
    assert "neuron 0: s = " in text and "dJ/dw[1, 2] = " in text


def test_output_neurons_are_named_by_class(big):
    net, x, _, _ = big
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    text = explain(net, x, TARGET, class_names=names)
    assert "neuron 8 ('eight', target): " in text
    small = Network.from_sizes([2, 3, 2], activation="tanh", cost="cross_entropy", seed=0)
    small_text = small.trace([0.5, -1.0], 1, class_names=["cat", "dog"]).to_text()
    assert "neuron 1 ('dog'): delta = " in small_text
    before = small.params.copy()
    with pytest.raises(InputError, match="class_names has 3 names; the network has 2 output neurons"):
        small.trace([0.5, -1.0], 1, class_names=["a", "b", "c"])
    assert np.array_equal(small.params, before)
    assert small.trace([0.5, -1.0], 1, class_names=["cat", "dog"]).to_dict()["class_names"] == ["cat", "dog"]


def test_the_command_lines_explain_names_the_output_neurons_by_class(tmp_path):
    """``glassnet explain`` passes the model's classes: its output neurons are named by class."""
    rng = np.random.default_rng(3)
    X = rng.uniform(0, 1, size=(60, 2))
    names = np.array(["blue", "green", "red"])[np.digitize(X[:, 0] + X[:, 1], [0.7, 1.3])]
    table = tmp_path / "colours.csv"
    table.write_text("width,height,colour\n" + "".join(f"{a},{b},{c}\n" for (a, b), c in zip(X, names, strict=True)))
    model = tmp_path / "colours.glassnet"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))

    def glassnet(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "glassnet", *args], env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    glassnet("train", str(table), "--target", "colour", "--layers", "4", "--epochs", "3", "--seed", "1",
             "--out", str(model))
    text = glassnet("explain", str(model), str(table), "--row", "0")
    target = names[0]
    index = ["blue", "green", "red"].index(target)
    assert f"neuron {index} ('{target}'): delta = " in text
    for j, name in enumerate(["blue", "green", "red"]):
        assert f"neuron {j} ('{name}'): s = " in text


def test_markdown_and_the_record_follow_the_same_choice(big):
    _, _, tr, ref = big
    md = tr.to_markdown()
    predicted = int(np.argmax(ref.a[-1][0]))
    assert f"| {TARGET} (target) | `s = " in md and f"| {predicted} (predicted) | `s = " in md
    assert "more neurons (smaller |delta|)" in md
    data = tr.to_dict(max_neurons=2, max_weights=3)
    assert data["target_neurons"] == [TARGET] and data["predicted_neurons"] == [predicted]
    # the record's limited form keeps its contract: the first neurons and weights, and how many were left out
    assert [n["neuron"] for n in data["layers"][1]["neurons"]] == [0, 1] and data["layers"][1]["neurons_omitted"] == 8
    assert data["layers"][0]["neurons"][0]["weights_omitted"] == 781
