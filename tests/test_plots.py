"""Tests for glassnet.plots: each picture drawn headless, saved as a real PNG and SVG, showing the numbers.

What is drawn is read back from the matplotlib artists and checked against independent references: the
weights and their signs, activations and deltas written out in numpy here, closed-form boundaries,
finite differences of the drawn curves, scikit-learn's confusion matrix and logistic regression, and a
published logistic-regression fit.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the pictures need the plots extra (matplotlib)")

from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.image import AxesImage, imread  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

from glassnet import (  # noqa: E402
    Dense,
    InputError,
    InputTypeError,
    Network,
    plots,
)
from glassnet.plots._mpl import NEGATIVE, POSITIVE, finish  # noqa: E402
from glassnet.training import History  # noqa: E402

DPI = 40  # small pictures keep the tests fast


# -- helpers ----------------------------------------------------------------------------------------------
def png_size(path) -> tuple[int, int]:
    """(width, height) from the PNG signature and IHDR chunk, read by hand."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def check_png(path, fig) -> None:
    width, height = png_size(path)
    expected = np.round(fig.get_size_inches() * DPI).astype(int)
    assert (width, height) == tuple(expected)
    assert 100 <= width <= 2000 and 80 <= height <= 2000
    pixels = imread(path)
    assert pixels.shape[:2] == (height, width)
    assert pixels[..., :3].std() > 0.02, "the picture is blank"


def check_svg(path) -> None:
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(list(root.iter())) > 20


def sigmoid(s):
    return 1 / (1 + np.exp(-s))


def artists(fig, kind):
    return [a for ax in fig.axes for a in ax.get_children() if isinstance(a, kind)]


def small_classifier(cost="binary_cross_entropy"):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(60, 2))
    if cost == "cross_entropy":
        y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.3).astype(int)
        net = Network.from_sizes([2, 5, 3], activation="tanh", cost=cost, seed=1)
    else:
        y = (X[:, 0] * X[:, 1] > 0).astype(int)
        net = Network.from_sizes([2, 4, 1], activation="tanh", cost=cost, seed=1)
    history = net.fit(X, y, epochs=15, learning_rate=0.5, validation_split=0.25)
    return net, X, y, history


# -- the network diagram -----------------------------------------------------------------------------------
W1 = np.array([[0.5, -1.5, 0.05, 2.0], [-0.25, 1.0, -3.0, 0.75], [1.25, -0.1, 0.3, -0.6]])
B1 = np.array([0.1, -0.2, 0.3, 0.0])
W2 = np.array([[1.1, -0.4], [-2.2, 0.9], [0.2, -0.07], [0.65, 1.7]])
B2 = np.array([-0.3, 0.2])


def known_net(output="sigmoid", cost="binary_cross_entropy"):
    return Network([Dense(3, 4, "sigmoid", W1, B1), Dense(4, 2, output, W2, B2)], cost=cost, dtype="float64")


def drawn_connections(fig):
    """Each drawn line as (layer, k, j, width, rgb), found by matching its ends to the neurons' circles."""
    centres = {}
    for circle in artists(fig, Circle):
        if circle.get_gid() and circle.get_gid().startswith("neuron "):
            _, layer, neuron = circle.get_gid().split()
            centres[tuple(np.round(circle.center, 6))] = (int(layer), int(neuron))
    (lines,) = [c for c in artists(fig, LineCollection) if c.get_gid() == "connections"]
    widths = np.broadcast_to(lines.get_linewidths(), (len(lines.get_segments()),))
    colors = lines.get_colors()
    if len(colors) == 1:
        colors = np.repeat(colors, len(widths), axis=0)
    found = []
    for segment, width, color in zip(lines.get_segments(), widths, colors, strict=True):
        start, end = centres[tuple(np.round(segment[0], 6))], centres[tuple(np.round(segment[-1], 6))]
        assert end[0] == start[0] + 1, "a line joins neurons of neighbouring layers"
        found.append((end[0], start[1], end[1], float(width), tuple(color[:3])))
    return found, centres


def test_diagram_line_widths_and_colours_follow_the_weights(tmp_path):
    net = known_net()
    fig = plots.plot_network(net, path=tmp_path / "net.png", dpi=DPI)
    found, centres = drawn_connections(fig)
    assert len(centres) == 3 + 4 + 2
    assert sorted((layer, k, j) for layer, k, j, _, _ in found) == sorted(
        [(1, k, j) for k in range(3) for j in range(4)] + [(2, k, j) for k in range(4) for j in range(2)]
    ), "every connection is drawn exactly once"
    weights = np.array([(W1 if layer == 1 else W2)[k, j] for layer, k, j, _, _ in found])
    widths = np.array([w for *_, w, _ in found])
    for w, (*_, rgb) in zip(weights, found, strict=True):
        assert np.allclose(rgb, to_rgb(POSITIVE if w > 0 else NEGATIVE)), f"colour of weight {w}"
    magnitude = np.abs(weights)
    assert magnitude[np.argmax(widths)] == magnitude.max(), "the widest line is the largest |w|"
    order = np.argsort(magnitude)
    assert np.all(np.diff(widths[order]) > 0), "widths grow strictly with |w|"
    slope, intercept = np.polyfit(magnitude, widths, 1)
    assert slope > 0 and np.allclose(widths, slope * magnitude + intercept), "width is linear in |w|"
    # The weights view writes each neuron's bias inside it.
    biases = {}
    for text in fig.axes[0].texts:
        key = tuple(np.round(text.get_position(), 6))
        if key in centres:
            biases[centres[key]] = float(text.get_text().removeprefix("b="))
    assert biases == pytest.approx({(1, j): B1[j] for j in range(4)} | {(2, j): B2[j] for j in range(2)})
    check_png(tmp_path / "net.png", fig)


def test_diagram_forward_view_shows_the_activations(tmp_path):
    net = known_net()
    x = np.array([0.3, -0.7, 1.1])
    a1 = sigmoid(x @ W1 + B1)
    a2 = sigmoid(a1 @ W2 + B2)
    fig = plots.plot_network(net, x, path=tmp_path / "forward.svg", dpi=DPI)
    _, centres = drawn_connections(fig)
    written = {}
    for text in fig.axes[0].texts:
        key = tuple(np.round(text.get_position(), 6))
        if key in centres:
            written[centres[key]] = float(text.get_text())
    expected = {(0, k): x[k] for k in range(3)} | {(1, j): a1[j] for j in range(4)} | {(2, j): a2[j] for j in range(2)}
    assert written.keys() == expected.keys()
    for key, value in expected.items():
        assert written[key] == pytest.approx(value, rel=0.06, abs=1e-12), key
    # The fills follow the activations: equal numbers, equal colours; the ordering of colours is monotone.
    faces = {c.get_gid(): c.get_facecolor() for c in artists(fig, Circle)}
    first = [faces[f"neuron 1 {j}"] for j in np.argsort(a1)]
    assert len({tuple(np.round(f, 4)) for f in first}) == 4
    check_svg(tmp_path / "forward.svg")


def test_diagram_backward_view_shows_the_deltas_and_reverses_the_arrows(tmp_path):
    net = known_net()
    x, y = np.array([0.3, -0.7, 1.1]), np.array([1.0, 0.0])
    a1 = sigmoid(x @ W1 + B1)
    a2 = sigmoid(a1 @ W2 + B2)
    delta2 = a2 - y  # sigmoid with binary cross-entropy, one example
    delta1 = (W2 @ delta2) * a1 * (1 - a1)  # BP2 written with the tutorials' column vectors
    fig = plots.plot_network(net, x, y, path=tmp_path / "backward.png", dpi=DPI)
    found, centres = drawn_connections(fig)
    written = {}
    for text in fig.axes[0].texts:
        key = tuple(np.round(text.get_position(), 6))
        if key in centres:
            written[centres[key]] = float(text.get_text())
    for j in range(4):
        assert written[(1, j)] == pytest.approx(delta1[j], rel=0.06)
    for j in range(2):
        assert written[(2, j)] == pytest.approx(delta2[j], rel=0.06)
    assert not any(layer == 0 for layer, _ in written), "inputs have no delta"
    # Each arrowhead's tip lies at the input-side end of its line: the blame flows backwards.
    (heads,) = [c for c in artists(fig, PolyCollection) if c.get_gid() == "arrowheads"]
    (lines,) = [c for c in artists(fig, LineCollection) if c.get_gid() == "connections"]
    for segment, head in zip(lines.get_segments(), heads.get_paths(), strict=True):
        tip = head.vertices[0]
        assert np.linalg.norm(tip - segment[0]) < np.linalg.norm(tip - segment[-1])
    forward = plots.plot_network(net, x, dpi=DPI)
    (heads,) = [c for c in artists(forward, PolyCollection) if c.get_gid() == "arrowheads"]
    (lines,) = [c for c in artists(forward, LineCollection) if c.get_gid() == "connections"]
    for segment, head in zip(lines.get_segments(), heads.get_paths(), strict=True):
        tip = head.vertices[0]
        assert np.linalg.norm(tip - segment[-1]) < np.linalg.norm(tip - segment[0])
    check_png(tmp_path / "backward.png", fig)


def test_diagram_elides_big_layers():
    net = Network.from_sizes([30, 12, 3], activation="relu", cost="cross_entropy", seed=0)
    fig = plots.plot_network(net, max_neurons=6, dpi=DPI)
    found, centres = drawn_connections(fig)
    assert len(centres) == 6 + 6 + 3
    assert len(found) == 6 * 6 + 6 * 3
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("24 more" in t for t in texts) and any("6 more" in t for t in texts)
    # The elided lines still carry the true weights: first and last neurons of each layer.
    W = net.layers[0].weights
    for layer, k, j, _width, rgb in found:
        if layer == 1:
            assert k in (0, 1, 2, 27, 28, 29) and j in (0, 1, 2, 9, 10, 11)
            assert np.allclose(rgb, to_rgb(POSITIVE if W[k, j] > 0 else NEGATIVE))


def test_diagram_refuses_bad_requests():
    net = known_net()
    with pytest.raises(InputError, match="view"):
        plots.plot_network(net, view="sideways")
    with pytest.raises(InputError, match="target y"):
        plots.plot_network(net, [0, 0, 0], view="backward")
    with pytest.raises(InputError, match="one example"):
        plots.plot_network(net, np.zeros((2, 3)))
    with pytest.raises(InputError, match="3"):
        plots.plot_network(net, [1, 2])
    with pytest.raises(InputTypeError):
        plots.plot_network("a network")


# -- every picture, saved as PNG and SVG ----------------------------------------------------------------
def draw(kind, path):
    net, X, y, history = small_classifier()
    if kind == "network":
        return plots.plot_network(net, X[0], y[0], path=path, dpi=DPI)
    if kind == "curves":
        return plots.plot_history(history, path=path, dpi=DPI)
    if kind == "boundary":
        return plots.plot_decision_boundary(net, X, y, resolution=40, path=path, dpi=DPI)
    if kind == "hidden":
        return plots.plot_hidden_activations(net, X, y, resolution=20, path=path, dpi=DPI)
    if kind == "cost-surface":
        return plots.plot_cost_surface(epochs=30, resolution=30, path=path, dpi=DPI)
    if kind == "activations":
        return plots.plot_activations(path=path, dpi=DPI)
    if kind == "weights":
        image_net = Network.from_sizes([64, 6, 10], cost="cross_entropy", seed=0)
        return plots.plot_first_layer_weights(image_net, path=path, dpi=DPI)
    if kind == "confusion":
        return plots.plot_confusion_matrix(y, net.predict_classes(X), class_names=["no", "yes"], path=path, dpi=DPI)
    if kind == "blame":
        return plots.plot_blame(net, X, y, path=path, dpi=DPI)
    if kind == "prediction":
        image_net = Network.from_sizes([64, 6, 10], cost="cross_entropy", seed=0)
        return plots.plot_prediction(image_net, np.arange(64.0), true_class=3, path=path, dpi=DPI)
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", sorted(plots.KINDS))
def test_every_picture_is_a_real_png_and_svg(kind, tmp_path):
    png, svg = tmp_path / f"{kind}.png", tmp_path / f"{kind}.svg"
    fig = draw(kind, png)
    assert isinstance(fig, matplotlib.figure.Figure)
    check_png(png, fig)
    draw(kind, svg)
    check_svg(svg)
    assert sorted(os.listdir(tmp_path)) == sorted([png.name, svg.name]), "no temporary files are left behind"


def test_saving_is_atomic_and_checks_the_name(tmp_path, monkeypatch):
    target = tmp_path / "a.png"
    target.write_bytes(b"old picture")
    fig = plots.plot_activations(["sigmoid"], path=target, dpi=DPI)
    png_size(target)
    with pytest.raises(InputError, match=r"\.png or \.svg"):
        plots.plot_activations(["sigmoid"], path=tmp_path / "a.jpeg")
    with pytest.raises(InputError, match="does not exist"):
        plots.plot_activations(["sigmoid"], path=tmp_path / "missing" / "a.png")

    # A failure while writing leaves the old file whole and no temporary file behind.
    def broken_replace(src, dst):
        raise OSError("disk full")

    before = target.read_bytes()
    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        finish(fig, target)
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["a.png"]


def test_matplotlib_is_imported_only_when_drawing_and_pyplot_never():
    code = (
        "import sys, glassnet.plots as p, glassnet.report; print('matplotlib' in sys.modules); "
        "p.plot_activations(['tanh'], dpi=20); p.plot_network(glassnet.Network.from_sizes([2, 2, 1]), dpi=20); "
        "print('matplotlib' in sys.modules, 'matplotlib.pyplot' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", "import glassnet; " + code],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=True,
    )
    assert result.stdout.split() == ["False", "True", "False"]


def test_a_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'pip install "glassnet\[plots\]"'):
        plots.plot_activations()


# -- what each picture shows -----------------------------------------------------------------------------
def test_history_curves_show_the_numbers():
    history = History(
        cost=[2.0, 1.0, 0.5, 0.01],
        accuracy=[0.2, 0.5, 0.8, 1.0],
        val_cost=[2.1, 1.2, 0.7, 0.3],
        val_accuracy=[0.1, 0.4, 0.7, 0.9],
        best_epoch=3,
    )
    fig = plots.plot_history(history, dpi=DPI)
    cost_ax, acc_ax = fig.axes
    lines = {line.get_label(): line for line in cost_ax.get_lines()}
    assert np.array_equal(lines["training"].get_xdata(), [1, 2, 3, 4])
    assert np.array_equal(lines["training"].get_ydata(), history.cost)
    assert np.array_equal(lines["validation"].get_ydata(), history.val_cost)
    assert cost_ax.get_yscale() == "log"  # the cost fell 200-fold
    acc = {line.get_label(): line for line in acc_ax.get_lines()}
    assert np.array_equal(acc["validation"].get_ydata(), history.val_accuracy)
    assert "best epoch (4)" in acc
    regression = plots.plot_history(History(cost=[1.0, 0.9], accuracy=[None, None]), dpi=DPI)
    assert len(regression.axes) == 1
    assert len(plots.plot_history(history.as_dict(), dpi=DPI).axes) == 2
    with pytest.raises(InputError, match="empty"):
        plots.plot_history(History())


def test_decision_boundary_of_one_neuron_is_its_line():
    # a = sigmoid(x1 - x2 + 0.25): the boundary a = 0.5 is the line x2 = x1 + 0.25.
    net = Network([Dense(2, 1, "sigmoid", [[1.0], [-1.0]], [0.25])], cost="binary_cross_entropy", dtype="float64")
    X = np.array([[-1.0, -1.0], [1.0, 1.0], [0.5, -0.5]])
    fig = plots.plot_decision_boundary(net, X, [0, 1, 1], resolution=60, dpi=DPI)
    ax = fig.axes[0]
    contour_sets = [c for c in ax.get_children() if isinstance(c, matplotlib.contour.ContourSet)]
    vertices = np.concatenate([p.vertices for c in contour_sets for p in c.get_paths() if len(p.vertices)])
    assert len(vertices) > 10
    assert np.allclose(vertices[:, 1], vertices[:, 0] + 0.25, atol=1e-6)
    (image,) = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    left, right, bottom, top = image.get_extent()
    xs, ys = np.linspace(left, right, 60), np.linspace(bottom, top, 60)
    gx, gy = np.meshgrid(xs, ys)
    assert np.allclose(image.get_array(), sigmoid(gx - gy + 0.25), atol=1e-6)
    assert "accuracy" in ax.get_title()


def test_decision_boundary_multiclass_and_regression():
    net, X, y, _ = small_classifier("cross_entropy")
    fig = plots.plot_decision_boundary(net, X, y, class_names=["a", "b", "c"], resolution=30, dpi=DPI)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["a", "b", "c"]
    # Regression: a linear network's surface is its plane, 2 x1 - x2 + 0.5.
    plane = Network([Dense(2, 1, "identity", [[2.0], [-1.0]], [0.5])], cost="mse", dtype="float64")
    X = np.array([[-1.0, 0.0], [1.0, 2.0]])
    fig = plots.plot_decision_boundary(plane, X, 2 * X[:, 0] - X[:, 1] + 0.5, resolution=25, dpi=DPI)
    (image,) = [a for a in fig.axes[0].get_children() if isinstance(a, AxesImage)]
    left, right, bottom, top = image.get_extent()
    gx, gy = np.meshgrid(np.linspace(left, right, 25), np.linspace(bottom, top, 25))
    assert np.allclose(image.get_array(), 2 * gx - gy + 0.5)
    three = Network.from_sizes([3, 2, 1], seed=0)
    with pytest.raises(InputError, match="two inputs"):
        plots.plot_decision_boundary(three, np.zeros((2, 3)))
    with pytest.raises(InputError, match="class_names"):
        plots.plot_decision_boundary(net, X, class_names=["only one"])


def test_hidden_activations_are_each_neurons_activation_over_the_plane():
    W = np.array([[1.0, -2.0, 0.5], [0.5, 1.0, -1.5]])
    b = np.array([0.0, 0.3, -0.2])
    net = Network(
        [Dense(2, 3, "tanh", W, b), Dense(3, 1, "sigmoid")],
        cost="binary_cross_entropy",
        dtype="float64",
        seed=0,
    )
    fig = plots.plot_hidden_activations(net, include_output=False, resolution=16, dpi=DPI)
    images = [a for ax in fig.axes for a in ax.get_children() if isinstance(a, AxesImage)]
    assert len(images) == 3
    for j, image in enumerate(images):
        left, right, bottom, top = image.get_extent()
        gx, gy = np.meshgrid(np.linspace(left, right, 16), np.linspace(bottom, top, 16))
        assert np.allclose(image.get_array(), np.tanh(W[0, j] * gx + W[1, j] * gy + b[j]))
    with_output = plots.plot_hidden_activations(net, resolution=8, dpi=DPI)
    assert sum(isinstance(a, AxesImage) for ax in with_output.axes for a in ax.get_children()) == 4


def test_activation_slopes_are_the_derivatives_of_the_curves():
    fig = plots.plot_activations(["sigmoid", "tanh", "arctan", "softplus", "step"], dpi=DPI)
    for ax in fig.axes[:4]:
        lines = {line.get_label(): line for line in ax.get_lines()}
        s, f = lines["f(s)"].get_xdata(), lines["f(s)"].get_ydata()
        slope = lines["f'(s)"].get_ydata()
        assert np.allclose(np.gradient(f, s)[1:-1], slope[1:-1], atol=2e-3), ax.get_title()
    step_ax = fig.axes[4]
    assert "cannot be trained" in step_ax.get_title()
    note = " ".join(t.get_text() for t in step_ax.texts)
    assert "slope 0" in note and "no weight ever moves" in note
    zero = [line for line in step_ax.get_lines() if line.get_label() == "f'(s) = 0"]
    assert zero and np.all(zero[0].get_ydata() == 0)
    with pytest.raises(InputError, match="softmax"):
        plots.plot_activations(["softmax"])


def test_first_layer_weights_are_drawn_as_images():
    net = Network.from_sizes([64, 5, 10], cost="cross_entropy", seed=0)
    fig = plots.plot_first_layer_weights(net, dpi=DPI)
    images = [a for ax in fig.axes for a in ax.get_children() if isinstance(a, AxesImage)]
    assert len(images) == 5
    for j, image in enumerate(images):
        assert image.get_array().shape == (8, 8)
        assert np.allclose(image.get_array(), net.layers[0].weights[:, j].reshape(8, 8))
        lo, hi = image.get_clim()
        assert lo == -hi and hi == pytest.approx(np.abs(net.layers[0].weights[:, j]).max())
    mnist_like = Network.from_sizes([784, 3, 10], cost="cross_entropy", seed=0)
    fig = plots.plot_first_layer_weights(mnist_like, dpi=DPI)
    assert [a for ax in fig.axes for a in ax.get_children() if isinstance(a, AxesImage)][0].get_array().shape == (
        28,
        28,
    )
    odd = Network.from_sizes([20, 2, 1], seed=0)
    with pytest.raises(InputError, match="shape"):
        plots.plot_first_layer_weights(odd)
    fig = plots.plot_first_layer_weights(odd, shape=(4, 5), dpi=DPI)
    assert [a for ax in fig.axes for a in ax.get_children() if isinstance(a, AxesImage)][0].get_array().shape == (4, 5)
    with pytest.raises(InputError, match="20 inputs"):
        plots.plot_first_layer_weights(odd, shape=(3, 3))


def test_confusion_matrix_matches_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    truth, predicted = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    assert np.array_equal(plots.confusion_matrix(truth, predicted), metrics.confusion_matrix(truth, predicted))
    assert np.array_equal(
        plots.confusion_matrix(np.eye(4)[truth], predicted), metrics.confusion_matrix(truth, predicted)
    )
    fig = plots.plot_confusion_matrix(truth, predicted, normalize="true", dpi=DPI)
    expected = metrics.confusion_matrix(truth, predicted, normalize="true")
    ax = fig.axes[0]
    (image,) = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    assert np.allclose(image.get_array(), expected)
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): float(t.get_text()) for t in ax.texts}
    for (i, j), value in cells.items():
        assert value == pytest.approx(expected[i, j], abs=0.005)
    counts = plots.plot_confusion_matrix(truth, predicted, class_names=list("abcd"), dpi=DPI)
    right = int(np.trace(metrics.confusion_matrix(truth, predicted)))
    assert f"{right} of 200 right" in counts.axes[0].get_title()
    with pytest.raises(InputError, match="out of range"):
        plots.confusion_matrix([0, 5], [0, 1], n_classes=3)
    with pytest.raises(InputError, match="normalize"):
        plots.plot_confusion_matrix([0, 1], [0, 1], normalize="rows")


def test_blame_bars_are_each_neurons_mean_abs_delta():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(float)
    y2 = np.column_stack([y, 1 - y])
    net = known_net()
    # Written out per example with the tutorials' equations: BP1 (sigmoid + cross-entropy), then BP2.
    a1 = sigmoid(X @ W1 + B1)
    a2 = sigmoid(a1 @ W2 + B2)
    delta2 = a2 - y2
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    fig = plots.plot_blame(net, X, y2, dpi=DPI)
    bars = [[p.get_height() for p in ax.patches] for ax in fig.axes[:2]]
    assert np.allclose(bars[0], np.abs(delta1).mean(axis=0))
    assert np.allclose(bars[1], np.abs(delta2).mean(axis=0))
    shares = [a for a in fig.axes[2].get_children() if isinstance(a, AxesImage)][0].get_array()
    contribution = np.abs(W1) * np.abs(X).mean(axis=0)[:, None]
    assert np.allclose(shares, contribution / contribution.sum(axis=0))
    big = Network.from_sizes([2, 30, 1], activation="tanh", cost="binary_cross_entropy", seed=0)
    fig = plots.plot_blame(big, rng.normal(size=(10, 2)), rng.integers(0, 2, 10), max_neurons=8, dpi=DPI)
    assert len(fig.axes[0].patches) == 8
    with pytest.raises(InputError, match="X and Y"):
        plots.plot_blame(net)


def test_cost_surface_path_is_gradient_descent_and_reaches_the_published_fit():
    x, y = plots.surfaces.HOURS_STUDIED, plots.surfaces.PASSED
    # The first step by hand: b <- b - learning_rate * dJ/db, dJ/db0 = mean(a - y), dJ/db1 = mean((a - y) x).
    path = plots.descent_path(x, y, start=(0.5, -0.5), learning_rate=0.3, epochs=2)
    a = sigmoid(0.5 - 0.5 * x)
    assert np.allclose(path[1], [0.5 - 0.3 * np.mean(a - y), -0.5 - 0.3 * np.mean((a - y) * x)])
    # The cost is the mean binary cross-entropy (scikit-learn's log_loss) ...
    metrics = pytest.importorskip("sklearn.metrics")
    for b0, b1 in [(0.0, 0.0), (-4.0, 1.5), (1.0, -2.0)]:
        assert plots.logistic_cost(b0, b1, x, y) == pytest.approx(metrics.log_loss(y, sigmoid(b0 + b1 * x)))
    # ... and gradient descent ends at the maximum-likelihood fit: b0 = -4.0777, b1 = 1.5046 (published).
    long = plots.descent_path(x, y, start=(0.0, 0.0), learning_rate=0.6, epochs=4000)
    assert np.allclose(long[-1], [-4.0777, 1.5046], atol=2e-3)
    costs = plots.logistic_cost(long[:, 0], long[:, 1], x, y)
    assert np.all(np.diff(costs) <= 1e-12), "each step goes downhill"
    fig = plots.plot_cost_surface(x, y, start=(0.0, 0.0), learning_rate=0.6, epochs=50, resolution=40, dpi=DPI)
    drawn = [line for line in fig.axes[0].get_lines() if line.get_label() == "gradient descent"][0]
    assert np.allclose(drawn.get_xdata(), long[:51, 0]) and np.allclose(drawn.get_ydata(), long[:51, 1])
    with pytest.raises(InputError, match="one feature"):
        plots.plot_cost_surface(np.zeros((4, 2)), [0, 1, 0, 1])


def test_cost_surface_fit_panel_draws_the_sigmoid_without_overflow():
    # a steep start puts s = b0 + b1 x far below -709, where 1 / (1 + e^-s) overflows
    import warnings

    x, y = plots.surfaces.HOURS_STUDIED, plots.surfaces.PASSED
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.plot_cost_surface(x, y, start=(0.0, -200.0), learning_rate=0.01, epochs=3, resolution=12, dpi=DPI)
    start = [line for ax in fig.axes for line in ax.get_lines() if line.get_label() == "sigmoid at the start"][0]
    s = -200.0 * np.asarray(start.get_xdata())
    assert np.allclose(start.get_ydata(), np.exp(-np.logaddexp(0.0, -s)), rtol=1e-9, atol=1e-15)
