"""The forward pass as matrices in a trace: ``s = a_prev @ W + b`` printed with every number, one layer at a time.

The numbers read back from the printed matrices are checked against Matt Mazur's published worked example and,
for a batch, against a float64 matrix product computed here in plain numpy.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet
from glassnet import Network
from glassnet.inspect import demo_example, demo_network, explain

BRACKETS = re.compile(r"\[ ([^\]]*?) \]")


def _section(text: str) -> str:
    return text.split("\nForward as matrices\n")[1].split("\n\n")[0]


def _layer_blocks(section: str, layer: int) -> list[list[list[float]]]:
    """The matrices a_prev, W, b, s of one layer as lists of rows, read from either layout: side by side (each
    row's brackets placed under the first row's) or one under the other (``name = [ ... ]``)."""
    lines = section.split(f"layer {layer}: ")[1].splitlines()[1:]
    lines = lines[: next(i for i, line in enumerate(lines) if re.match(rf"\s+a{layer} = ", line))]
    if re.match(r"\s+\S+ = \[", lines[0]):  # one under the other
        blocks: list[list[list[float]]] = []
        for line in lines:
            if re.match(r"\s+\S.* = \[", line):
                blocks.append([])
            blocks[-1] += [[float(v) for v in group.split()] for group in BRACKETS.findall(line)]
        return blocks
    starts = [m.start() for m in BRACKETS.finditer(lines[1])]
    assert len(starts) == 4
    blocks = [[] for _ in starts]
    for line in lines[1:]:
        for m in BRACKETS.finditer(line):
            blocks[starts.index(m.start())].append([float(v) for v in m[1].split()])
    return blocks


def test_the_worked_example_as_matrices_has_the_published_numbers() -> None:
    x, y = demo_example()
    text = demo_network().trace(x, y, learning_rate=0.5).to_text(matrices=True)
    section = _section(text)
    a0, w1, b1, s1 = _layer_blocks(section, 1)
    assert a0 == [[0.05, 0.1]] and w1 == [[0.15, 0.25], [0.2, 0.3]] and b1 == [[0.35, 0.35]]
    np.testing.assert_allclose(s1, [[0.3775, 0.3925]])  # Mazur's net_h1, net_h2
    a1, w2, b2, s2 = _layer_blocks(section, 2)
    np.testing.assert_allclose(a1, [[0.593269992, 0.596884378]], rtol=1e-5)  # out_h1, out_h2
    assert w2 == [[0.4, 0.5], [0.45, 0.55]] and b2 == [[0.6, 0.6]]
    np.testing.assert_allclose(s2, [[1.105905967, 1.224921404]], rtol=1e-5)  # net_o1, net_o2
    assert re.search(r"a2 = sigmoid\(s2\) = \[ 0\.751365\s+0\.772928 \]", section)  # out_o1, out_o2
    assert "w_jk" in section and "(1 x 2) @ (2 x 2) + (2) = (1 x 2)" in section


def test_a_batch_as_matrices_is_the_matrix_product() -> None:
    rng = np.random.default_rng(4)
    net = Network.from_sizes([3, 4, 2], activation="tanh", cost="mse", seed=2, dtype="float64")
    for layer in net.layers:
        layer.bias[...] = rng.normal(size=layer.n_out)
    X, Y = rng.normal(size=(3, 3)), rng.normal(size=(3, 2))
    section = _section(net.trace(X, Y).to_text(matrices=True))
    a = X
    for number, layer in enumerate(net.layers, start=1):
        W, b = np.array(layer.weights, dtype=np.float64), np.array(layer.bias, dtype=np.float64)
        s = a @ W + b  # the reference: numpy's float64 product, row by row
        shown_a, shown_w, shown_b, shown_s = _layer_blocks(section, number)
        np.testing.assert_allclose(shown_a, a, rtol=1e-5, atol=1e-12)
        np.testing.assert_allclose(shown_w, W, rtol=1e-5)
        np.testing.assert_allclose(shown_b, [b], rtol=1e-5)
        np.testing.assert_allclose(shown_s, s, rtol=1e-5, atol=1e-12)
        a = np.tanh(s) if number == 1 else s
    assert "b1 (added to each row)" in section and "(3 x 3) @ (3 x 4) + (4) = (3 x 4)" in section


def test_matrices_when_asked_and_by_default_in_explain_for_a_small_network() -> None:
    small = Network.from_sizes([2, 3, 1], seed=0)
    big = Network.from_sizes([12, 3, 1], seed=0)
    # the text's own default is the walkthrough alone (the playground's step-through shows exactly that)
    assert "Forward as matrices" not in small.trace([0.5, -1.0], [0.2]).to_text()
    assert "Forward as matrices" in small.trace([0.5, -1.0], [0.2]).to_text(matrices=None)
    assert "Forward as matrices" in explain(small, [0.5, -1.0], [0.2])
    assert "Forward as matrices" not in big.trace(np.ones(12), [0.2]).to_text(matrices=None)
    assert "Forward as matrices" not in explain(big, np.ones(12), [0.2])
    forced = big.trace(np.ones(12), [0.2]).to_text(matrices=True)
    section = _section(forced)
    # a 12-wide W does not fit beside the others: the matrices stand one under the other
    assert max(map(len, section.splitlines())) <= 120
    assert re.search(r"^\s+W1 = \[", section, re.M)
    assert len(re.findall(r"^\s+\[ ", section.split("W1 = ")[1], re.M)) >= 11


def test_markdown_and_explain_show_the_matrices() -> None:
    x, y = demo_example()
    md = explain(demo_network(), x, y, learning_rate=0.5, format="markdown")
    assert "## Forward as matrices" in md and "```text" in md and "[ 0.3775  0.3925 ]" in md
    text = explain(demo_network(), x, y, learning_rate=0.5, matrices=False)
    assert "as matrices" not in text


@pytest.mark.parametrize("digits", [3, 8])
def test_matrices_follow_the_digits(digits: int) -> None:
    x, y = demo_example()
    section = _section(demo_network().trace(x, y).to_text(digits=digits, matrices=True))
    assert f"{0.593269992:.{digits}g}" in section


def test_the_command_line_asks_for_the_matrices(capsys) -> None:
    from glassnet.cli import main

    assert main(["explain", "--demo"]) == 0
    assert "[ 0.3775  0.3925 ]" in capsys.readouterr().out
    assert main(["explain", "--demo", "--no-matrices"]) == 0
    assert "as matrices" not in capsys.readouterr().out


def test_with_dropout_the_layer_above_multiplies_the_masked_activations():
    """a1 shown as f(s1); the product of layer 2 takes a1~ = a1 * m1, written out and equal to numpy's."""
    net = glassnet.Network([glassnet.Dense(2, 3, "relu"), glassnet.Dense(3, 1, "sigmoid")],
                           cost="binary_cross_entropy", seed=0, dtype="float64")
    x = np.array([0.5, -0.25])
    tr = net.trace(x, 1, dropout=0.5, seed=3)
    mask = tr.layers[0].mask
    assert mask is not None and set(np.unique(mask)) <= {0.0, 2.0}
    text = tr.to_text(matrices=True)
    assert "s2 = a1~ @ W2 + b2" in text and "a1~ = a1 * m1" in text
    # independently: s2 = (relu(x W1 + b1) * m1) W2 + b2
    W1, b1 = net.layers[0].weights, net.layers[0].bias
    W2, b2 = net.layers[1].weights, net.layers[1].bias
    masked = np.maximum(x @ W1 + b1, 0) * mask[0]
    np.testing.assert_allclose(tr.layers[1].inputs[0], masked, rtol=1e-12)
    np.testing.assert_allclose(tr.layers[1].s[0], masked @ W2 + b2, rtol=1e-12)
