"""One small shock on one named parameter: the costs, the finite-difference slope and backpropagation's gradient.

Checked against Matt Mazur's published gradients (dE/dw5 = 0.082167041, dE/dw6 = 0.082667628, dE/dw1 =
0.000438568) and against a linear neuron whose cost and slope are written out here by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import Dense, InputError, Network
from glassnet.cli import main
from glassnet.gradcheck import parse_parameter, shock
from glassnet.inspect import demo_example, demo_network


@pytest.mark.parametrize(
    "name, published",
    [("layer 2 w[0, 0]", 0.082167041), ("layer 2 weight 1->0", 0.082667628), ("layer 1 w[0, 0]", 0.000438568)],
)
def test_the_worked_example_shocked_matches_the_published_gradients(name: str, published: float) -> None:
    net = demo_network()
    before = net.params.copy()
    x, y = demo_example()
    result = shock(net, x, y, name, h=1e-4)
    np.testing.assert_array_equal(net.params, before)  # the network is not changed
    assert result.cost == pytest.approx(0.298371109, abs=1e-9)  # Mazur's E_total
    assert result.slope == pytest.approx(published, abs=2e-9)
    assert result.backprop == pytest.approx(published, abs=2e-9)
    assert result.relative_difference < 1e-8
    text = str(result)
    assert f"{result.cost_up:.10g}" in text and f"{result.cost_down:.10g}" in text
    assert f"= {result.slope:.10g}" in text and f"= {result.backprop:.10g}" in text


def test_a_linear_neuron_shocked_by_hand() -> None:
    """s = w x + b, mse J = mean (s - y)^2: J(w +- h) and dJ/dw = 2 mean((s - y) x) written out here."""
    w, b, h = 0.7, -0.2, 1e-3
    X = np.array([[1.0], [2.0], [-1.5]])
    Y = np.array([0.5, 1.0, -2.0])
    net = Network([Dense(1, 1, "identity", weights=[[w]], bias=[b])], cost="mse", dtype="float64")
    result = shock(net, X, Y, "layer 1 w[0, 0]", h=h)

    def J(w_: float, b_: float) -> float:
        return float(np.mean((w_ * X[:, 0] + b_ - Y) ** 2))

    assert result.cost == pytest.approx(J(w, b), rel=1e-13)
    assert result.cost_up == pytest.approx(J(w + h, b), rel=1e-13)
    assert result.cost_down == pytest.approx(J(w - h, b), rel=1e-13)
    exact = float(2 * np.mean((w * X[:, 0] + b - Y) * X[:, 0]))
    assert result.backprop == pytest.approx(exact, rel=1e-13)
    assert result.slope == pytest.approx(exact, rel=1e-8)  # J is quadratic in w: the central difference is exact
    # the one-sided difference is off by h * d2J/dw2 / 2 = h * mean(x^2)
    assert result.one_sided - exact == pytest.approx(h * float(np.mean(X[:, 0] ** 2)), rel=1e-5)
    bias = shock(net, X, Y, "layer 1 bias 0", h=h)
    assert bias.backprop == pytest.approx(float(2 * np.mean(w * X[:, 0] + b - Y)), rel=1e-13)
    assert "BP3: dJ/db[0]" in str(bias) and "sum over the samples of delta_0" in str(bias)
    with_l2 = shock(net, X, Y, "layer 1 w[0, 0]", h=h, l2=0.3)
    assert with_l2.backprop == pytest.approx(exact + 0.3 / 3 * w, rel=1e-12)
    assert with_l2.slope == pytest.approx(exact + 0.3 / 3 * w, rel=1e-8)


def test_parameter_names() -> None:
    net = demo_network()
    for name in ("layer 2 w[1, 0]", "layer 2 weights[1,0]", "Layer 2 weight 1->0", " layer 2 W[ 1 , 0 ] "):
        assert parse_parameter(net, name) == (2, "weights", (1, 0))
    for name in ("layer 1 b[1]", "layer 1 bias[1]", "layer 1 bias 1"):
        assert parse_parameter(net, name) == (1, "bias", (1,))


@pytest.mark.parametrize(
    "name, message",
    [("layer 3 w[0, 0]", "layers 1..2"), ("layer 1 w[2, 0]", "inputs 0..1"), ("layer 2 b[2]", "neurons 0..1"),
     ("w5", "cannot read"), ("layer 1 w[0]", "cannot read")],
)
def test_a_bad_name_is_refused_clearly(name: str, message: str) -> None:
    net = demo_network()
    x, y = demo_example()
    with pytest.raises(InputError, match=message):
        shock(net, x, y, name)
    with pytest.raises(InputError, match="h must be"):
        shock(net, x, y, "layer 1 b[0]", h=0)


def test_the_command_line_shocks_a_named_parameter(capsys) -> None:
    assert main(["explain", "--demo", "--no-matrices", "--shock", "layer 2 w[0, 0]"]) == 0
    out = capsys.readouterr().out
    assert "A small shock on layer 2 w[0, 0]" in out and "0.0821670405" in out
    assert main(["gradcheck", "--shock", "layer 1 b[2]", "--shock-size", "1e-5"]) == 0
    out = capsys.readouterr().out
    assert "h = 1e-05" in out and "BP3: dJ/db[2]" in out
    assert main(["gradcheck", "--shock", "layer 9 b[0]"]) != 0
    assert "layers 1..3" in capsys.readouterr().err
