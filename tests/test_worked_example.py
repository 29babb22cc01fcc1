"""BP1-BP4 against a published worked example: Matt Mazur, "A Step by Step Backpropagation Example".

The network: 2 inputs (0.05, 0.10), 2 sigmoid hidden neurons, 2 sigmoid outputs, targets 0.01 and 0.99.
Weights w1..w8 = .15 .20 .25 .30 .40 .45 .50 .55; bias b1 = .35 shared by the hidden neurons, b2 = .60 by
the outputs; E_total = sum 1/2 (t - o)^2, which for 2 outputs and 1 sample is exactly glassnet's mse (the
mean over the 2 outputs of (o - t)^2); learning rate 0.5. The tutorial updates the weights but not the biases.

The tutorial writes h1 = w1 i1 + w2 i2, h2 = w3 i1 + w4 i2, o1 = w5 h1 + w6 h2, o2 = w7 h1 + w8 h2;
glassnet's ``weights[k, j]`` is the weight from input k to neuron j, so layer 1's weights are
[[w1, w3], [w2, w4]] and layer 2's [[w5, w7], [w6, w8]].

Every published number is compared to within half a unit of its last printed digit; the gradients and the
bias gradients, which the tutorial does not print in full, are compared with an independent chain-rule
computation written out below, to 1e-12.

The starting weights, biases, example and learning rate are the tutorial's inputs: they are written once, in
glassnet.inspect.demo (the demo network of ``glassnet explain --demo``), and taken from there. The results
the tutorial prints are the independent reference and are typed here, as printed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from glassnet import Network
from glassnet.inspect import explain_demo
from glassnet.inspect.demo import (
    DEMO_BIASES,
    DEMO_INPUT,
    DEMO_LEARNING_RATE,
    DEMO_TARGET,
    DEMO_WEIGHTS,
    demo_example,
    demo_network,
)

W1, W2, W3, W4, W5, W6, W7, W8 = (DEMO_WEIGHTS[f"w{i}"] for i in range(1, 9))
B1, B2 = DEMO_BIASES["b1"], DEMO_BIASES["b2"]
X = np.array([DEMO_INPUT])
Y = np.array([DEMO_TARGET])
LEARNING_RATE = DEMO_LEARNING_RATE

# The tutorial's printed values, as printed (strings: the number of digits sets the tolerance).
PUBLISHED_FORWARD = {
    "out_h1": "0.593269992",
    "out_h2": "0.596884378",
    "out_o1": "0.75136507",
    "out_o2": "0.772928465",
    "E_total": "0.298371109",
}
PUBLISHED_BACKWARD = {
    "net_h1": "0.3775",
    "net_o1": "1.105905967",
    "dE/dnet_o1": "0.138498562",
    "dE/dw5": "0.082167041",
    "dE/dw1": "0.000438568",
}
PUBLISHED_UPDATED = {
    "w1": "0.149780716",
    "w2": "0.19956143",
    "w3": "0.24975114",
    "w4": "0.29950229",
    "w5": "0.35891648",
    "w6": "0.408666186",
    "w7": "0.511301270",
    "w8": "0.561370121",
}


def tolerance(printed: str) -> float:
    """Half a unit in the last printed decimal (plus float64 rounding): the most the digits allow."""
    decimals = len(printed.split(".")[1])
    return 0.5 * 10.0**-decimals + 1e-15


def assert_published(value: float, printed: str) -> None:
    assert abs(value - float(printed)) <= tolerance(printed), f"{value!r} vs published {printed}"


def tutorial_network() -> Network:
    """The demo network; its layout (weights[k, j] = w_jk) is checked by every published number below."""
    return demo_network()


def sigmoid(s: float) -> float:
    return 1.0 / (1.0 + math.exp(-s))


def hand_computation() -> dict[str, float]:
    """The chain rule written out neuron by neuron with plain floats, as the tutorial does it."""
    i1, i2 = X[0]
    t1, t2 = Y[0]
    h1 = sigmoid(W1 * i1 + W2 * i2 + B1)
    h2 = sigmoid(W3 * i1 + W4 * i2 + B1)
    o1 = sigmoid(W5 * h1 + W6 * h2 + B2)
    o2 = sigmoid(W7 * h1 + W8 * h2 + B2)
    # dE/dnet_o = dE/dout_o * dout_o/dnet_o
    d_o1 = (o1 - t1) * o1 * (1 - o1)
    d_o2 = (o2 - t2) * o2 * (1 - o2)
    # dE/dout_h sums what each output passes back along its weight
    d_h1 = (d_o1 * W5 + d_o2 * W7) * h1 * (1 - h1)
    d_h2 = (d_o1 * W6 + d_o2 * W8) * h2 * (1 - h2)
    return {
        "h1": h1, "h2": h2, "o1": o1, "o2": o2, "E": 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2,
        "d_o1": d_o1, "d_o2": d_o2, "d_h1": d_h1, "d_h2": d_h2,
        "w1": d_h1 * i1, "w2": d_h1 * i2, "w3": d_h2 * i1, "w4": d_h2 * i2,
        "w5": d_o1 * h1, "w6": d_o1 * h2, "w7": d_o2 * h1, "w8": d_o2 * h2,
        "b1_h1": d_h1, "b1_h2": d_h2, "b2_o1": d_o1, "b2_o2": d_o2,
    }


def test_hand_computation_itself_reproduces_the_tutorial():
    # guards the reference: the written-out chain rule must give the tutorial's own numbers
    hand = hand_computation()
    pairs = (("h1", "out_h1"), ("h2", "out_h2"), ("o1", "out_o1"), ("o2", "out_o2"), ("E", "E_total"))
    for key, name in pairs:
        assert_published(hand[key], PUBLISHED_FORWARD[name])
    initial = dict(w1=W1, w2=W2, w3=W3, w4=W4, w5=W5, w6=W6, w7=W7, w8=W8)
    for name, printed in PUBLISHED_UPDATED.items():
        assert_published(initial[name] - LEARNING_RATE * hand[name], printed)


def test_forward_pass_and_cost_match_the_tutorial():
    net = tutorial_network()
    out = net.forward(X)
    hidden = net.layers[0].a
    assert_published(hidden[0, 0], PUBLISHED_FORWARD["out_h1"])
    assert_published(hidden[0, 1], PUBLISHED_FORWARD["out_h2"])
    assert_published(out[0, 0], PUBLISHED_FORWARD["out_o1"])
    assert_published(out[0, 1], PUBLISHED_FORWARD["out_o2"])
    assert_published(net.cost(X, Y), PUBLISHED_FORWARD["E_total"])
    # the weighted sums the tutorial prints along the way
    assert net.layers[0].s[0, 0] == pytest.approx(float(PUBLISHED_BACKWARD["net_h1"]), abs=1e-15)
    assert_published(net.layers[1].s[0, 0], PUBLISHED_BACKWARD["net_o1"])


def test_every_gradient_matches_the_chain_rule():
    net = tutorial_network()
    hand = hand_computation()
    (dW1, db1), (dW2, db2) = net.gradients(X, Y)
    # BP4, in glassnet's layout weights[k, j] = w_jk
    np.testing.assert_allclose(dW1, [[hand["w1"], hand["w3"]], [hand["w2"], hand["w4"]]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(dW2, [[hand["w5"], hand["w7"]], [hand["w6"], hand["w8"]]], rtol=0, atol=1e-12)
    # BP3: each neuron's own bias gradient is its delta (the tutorial shares one b per layer and never
    # updates it; glassnet gives each neuron its own bias)
    np.testing.assert_allclose(db1, [hand["b1_h1"], hand["b1_h2"]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(db2, [hand["b2_o1"], hand["b2_o2"]], rtol=0, atol=1e-12)
    # BP1 / BP2: the deltas the layers keep
    np.testing.assert_allclose(net.layers[1].delta, [[hand["d_o1"], hand["d_o2"]]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.layers[0].delta, [[hand["d_h1"], hand["d_h2"]]], rtol=0, atol=1e-12)
    # the tutorial's printed dE/dw5 and dE/dw1
    assert_published(dW2[0, 0], PUBLISHED_BACKWARD["dE/dw5"])
    assert_published(dW1[0, 0], PUBLISHED_BACKWARD["dE/dw1"])


def _tutorial_layout(net: Network) -> dict[str, float]:
    (a, c), (b, d) = net.layers[0].weights
    (e, g), (f, h) = net.layers[1].weights
    return dict(w1=a, w2=b, w3=c, w4=d, w5=e, w6=f, w7=g, w8=h)


def test_one_update_from_the_gradients_matches_the_tutorial():
    net = tutorial_network()
    (dW1, _), (dW2, _) = net.gradients(X, Y)
    net.layers[0].weights = net.layers[0].weights - LEARNING_RATE * dW1
    net.layers[1].weights = net.layers[1].weights - LEARNING_RATE * dW2
    for name, value in _tutorial_layout(net).items():
        assert_published(value, PUBLISHED_UPDATED[name])


def test_one_epoch_of_fit_matches_the_tutorial():
    net = tutorial_network()
    hand = hand_computation()
    history = net.fit(X, Y, epochs=1, batch_size=None, learning_rate=LEARNING_RATE)
    for name, value in _tutorial_layout(net).items():
        assert_published(value, PUBLISHED_UPDATED[name])
    # fit also moves the biases (the tutorial keeps them): b - lr * delta, from the hand computation
    np.testing.assert_allclose(
        net.layers[0].bias, [B1 - LEARNING_RATE * hand["b1_h1"], B1 - LEARNING_RATE * hand["b1_h2"]],
        rtol=0, atol=1e-12,
    )
    np.testing.assert_allclose(
        net.layers[1].bias, [B2 - LEARNING_RATE * hand["b2_o1"], B2 - LEARNING_RATE * hand["b2_o2"]],
        rtol=0, atol=1e-12,
    )
    # the epoch's reported cost is the cost measured before its single step
    assert_published(history.cost[0], PUBLISHED_FORWARD["E_total"])


def test_the_demo_holds_the_tutorial_weights_in_glassnet_layout():
    net = demo_network()
    assert _tutorial_layout(net) == dict(DEMO_WEIGHTS)
    assert list(net.layers[0].bias) == [B1, B1] and list(net.layers[1].bias) == [B2, B2]
    assert net.cost_function.name == "mse" and [layer.activation.name for layer in net.layers] == ["sigmoid"] * 2
    x, y = demo_example()
    assert np.array_equal(x, X[0]) and np.array_equal(y, Y[0])


# -- the demo's trace and its walkthrough ---------------------------------------------------------------------
def test_demo_reproduces_the_published_worked_example():
    x, y = demo_example()
    tr = demo_network().trace(x, y, learning_rate=DEMO_LEARNING_RATE)
    hidden, output = tr.layers
    forward, backward = PUBLISHED_FORWARD, PUBLISHED_BACKWARD
    assert hidden.a[0] == pytest.approx([float(forward["out_h1"]), float(forward["out_h2"])], abs=5e-10)
    assert output.a[0] == pytest.approx([float(forward["out_o1"]), float(forward["out_o2"])], abs=5e-9)
    assert tr.cost == pytest.approx(float(forward["E_total"]), abs=5e-10)
    assert output.delta[0, 0] == pytest.approx(float(backward["dE/dnet_o1"]), abs=5e-10)  # dE/dnet_o1
    assert output.grad_weights[0, 0] == pytest.approx(float(backward["dE/dw5"]), abs=5e-10)  # dE/dw5
    # weights[k, j] is w_jk: w1 = [0, 0], w2 = [1, 0], w3 = [0, 1], w4 = [1, 1]; w5..w8 likewise
    where = {"w1": (0, 0), "w2": (1, 0), "w3": (0, 1), "w4": (1, 1)}
    for name, (k, j) in where.items():
        assert hidden.new_weights[k, j] == pytest.approx(float(PUBLISHED_UPDATED[name]), abs=5e-9)
    where = {"w5": (0, 0), "w6": (1, 0), "w7": (0, 1), "w8": (1, 1)}
    for name, (k, j) in where.items():
        assert output.new_weights[k, j] == pytest.approx(float(PUBLISHED_UPDATED[name]), abs=5e-9)


def test_explain_demo_text_walks_through_every_part():
    text = explain_demo()
    for heading in ("Forward", "Cost", "Backward (BP1, BP2)", "Gradients (BP3", "Update"):
        assert heading in text
    assert "w_jk" in text
    assert PUBLISHED_BACKWARD["net_h1"] in text  # s of the first hidden neuron, as in the tutorial
    assert PUBLISHED_UPDATED["w5"][:8] in text  # w5 after the step, 0.358916 to 6 digits
    assert "shortened" not in text
