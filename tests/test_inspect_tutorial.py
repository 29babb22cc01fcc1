"""The built-in tutorial network (5-3-2-1, non-zero biases): its forward pass against a hand computation in mpmath.

The weights are written out again here, as decimal strings, so that mpmath works with the exact decimals a
learner types (not their float64 roundings) and a change to the built-in numbers is caught.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from glassnet.inspect import tutorial_example, tutorial_network

W = [
    [["0.2", "-0.5", "0.1"], ["0.4", "0.3", "-0.2"], ["-0.3", "0.8", "0.5"], ["0.1", "-0.1", "0.3"],
     ["0.6", "0.2", "-0.4"]],
    [["0.7", "-0.3"], ["-0.4", "0.9"], ["0.5", "0.2"]],
    [["1.2"], ["-0.8"]],
]
B = [["0.1", "-0.2", "0.3"], ["0.05", "-0.1"], ["0.3"]]
X = ["1", "0.5", "-1", "2", "0"]


def _by_hand() -> list[list[mpmath.mpf]]:
    """Each layer's s, neuron by neuron: s_j = sum_k w[k][j] a_k + b_j, a = sigmoid(s) (the output: a = s)."""
    with mpmath.workdps(50):
        a = [mpmath.mpf(v) for v in X]
        sums = []
        for number, (w, b) in enumerate(zip(W, B, strict=True), start=1):
            s = [mpmath.fsum(mpmath.mpf(w[k][j]) * a[k] for k in range(len(a))) + mpmath.mpf(b[j])
                 for j in range(len(b))]
            sums.append(s)
            a = s if number == 3 else [1 / (1 + mpmath.exp(-v)) for v in s]
        return sums


def test_the_tutorial_network_is_five_inputs_two_hidden_layers_nonzero_biases() -> None:
    net = tutorial_network()
    assert net.sizes == [5, 3, 2, 1]
    assert [layer.activation.name for layer in net.layers] == ["sigmoid", "sigmoid", "identity"]
    assert all(np.all(layer.bias != 0) for layer in net.layers)
    for layer, w, b in zip(net.layers, W, B, strict=True):
        np.testing.assert_array_equal(layer.weights, np.array(w, dtype=float))
        np.testing.assert_array_equal(layer.bias, np.array(b, dtype=float))


def test_its_forward_pass_is_the_hand_computation() -> None:
    net = tutorial_network()
    x, y = tutorial_example()
    assert list(x) == [float(v) for v in X] and list(y) == [0.5]
    output = net.forward(x.reshape(1, -1))
    exact = _by_hand()
    # s of layer 1 is 1, -1.55 and 0.4 exactly: sums a learner can do on paper
    assert [float(v) for v in exact[0]] == pytest.approx([1.0, -1.55, 0.4], abs=1e-40)
    for layer, s in zip(net.layers, exact, strict=True):
        np.testing.assert_allclose(layer.s[0], [float(v) for v in s], rtol=1e-14, atol=1e-15)
    assert float(output[0, 0]) == pytest.approx(float(exact[2][0]), rel=1e-14)
    # the trace prints the same sums, to six digits
    text = net.trace(x, y).to_text(matrices=None)  # a network this small shows its matrices
    for s in exact[1] + exact[2]:
        assert f"{float(s):.6g}" in text
    assert "Forward as matrices" in text and "+ 0 =" not in text


def test_a_float32_tutorial_network() -> None:
    net = tutorial_network(dtype="float32")
    x, _ = tutorial_example()
    assert net.dtype == np.float32
    assert float(net.forward(x.reshape(1, -1))[0, 0]) == pytest.approx(float(_by_hand()[2][0]), rel=1e-6)
