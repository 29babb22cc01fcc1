"""Tests for glassnet.report: one self-contained HTML file: summary, curves, diagram, blame, confusion."""

from __future__ import annotations

import base64
import html
import os
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the report's pictures need the plots extra (matplotlib)")

from glassnet import Dense, InputError, InputTypeError, Network  # noqa: E402
from glassnet.report import render_report, write_report  # noqa: E402

DPI = 30


class Page(HTMLParser):
    """Collects every tag with its attributes, the text, and checks that tags are balanced."""

    VOID = {
        "meta",
        "img",
        "br",
        "hr",
        "link",
        "input",
        "source",
        "path",
        "use",
        "rect",
        "circle",
        "line",
        "polygon",
        "polyline",
        "ellipse",
        "stop",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, (
            f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        )
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    assert page.stack == [], f"unclosed tags: {page.stack}"
    return page


def no_external_references(page: Page) -> None:
    for tag, attrs in page.tags:
        for name in ("src", "href", "xlink:href", "action", "data"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "file:", "ftp:")), (
                f"<{tag} {name}={value[:60]}>"
            )
            if name in ("src", "href") and value and tag != "a":
                assert value.startswith(("data:", "#")), f"<{tag} {name}={value[:60]}> is not inline"
    assert not any(tag in ("link", "script", "iframe") for tag, _ in page.tags)


def classifier():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(80, 2))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    net = Network.from_sizes([2, 6, 3], activation="tanh", cost="cross_entropy", seed=2)
    history = net.fit(X, y, epochs=12, learning_rate=0.5, validation_split=0.2)
    return net, history, X, y


def test_report_is_one_self_contained_html_file(tmp_path):
    metrics = pytest.importorskip("sklearn.metrics")
    net, history, X, y = classifier()
    path = write_report(
        tmp_path / "report.html",
        net,
        history,
        X,
        y,
        class_names=["low", "mid", "high"],
        title="Three <classes>",
        dpi=DPI,
    )
    assert path == tmp_path / "report.html"
    assert os.listdir(tmp_path) == ["report.html"], "no temporary file is left behind"
    text = path.read_text(encoding="utf-8")
    page = parse(text)
    no_external_references(page)
    assert "<title>Three &lt;classes&gt;</title>" in text, "the title is escaped"
    images = [attrs["src"] for tag, attrs in page.tags if tag == "img"]
    # curves, diagram, backward pass, blame, confusion matrix, decision boundary
    assert len(images) == 6
    for src in images:
        assert src.startswith("data:image/png;base64,")
        data = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    words = html.unescape("".join(page.text))
    assert net.summary() in words
    for heading in ("Summary", "Training", "The network", "Blame", "Confusion matrix", "decision boundary"):
        assert heading in words
    # The confusion table holds scikit-learn's counts, row by row.
    predicted = net.predict_classes(X)
    assert np.array_equal(predicted, np.argmax(_logits(net, X), axis=1)), "the classes, from a forward pass here"
    expected = metrics.confusion_matrix(y, predicted, labels=[0, 1, 2])
    for name, row in zip(["low", "mid", "high"], expected, strict=True):
        assert f"<tr><th>{name}</th>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" in text
    assert f"{metrics.accuracy_score(y, predicted):.2%}" in text


def test_report_with_inline_svg_parses_as_xml(tmp_path):
    net, history, X, y = classifier()
    text = render_report(net, history, X, y, image_format="svg", dpi=DPI)
    page = parse(text)
    no_external_references(page)
    assert not any(tag == "img" for tag, _ in page.tags)
    pieces = text.split("<svg")[1:]
    assert len(pieces) == 6
    for piece in pieces:
        svg = "<svg" + piece[: piece.index("</svg>") + len("</svg>")]
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_report_for_regression_without_history(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 3))
    Y = X @ np.array([1.0, -2.0, 0.5])
    net = Network.from_sizes([3, 4, 1], activation="tanh", cost="mse", seed=0)
    path = write_report(tmp_path / "r.html", net, X=X, Y=Y, dpi=DPI)
    text = path.read_text(encoding="utf-8")
    page = parse(text)
    no_external_references(page)
    assert "Confusion matrix" not in text and "accuracy" not in text and "Training" not in text
    assert sum(tag == "img" for tag, _ in page.tags) == 3  # diagram, backward pass, blame
    assert "layer 2 (1 neuron, identity, output)" in text and "layer 1 (4 neurons, tanh)" in text
    mse = float(np.mean((_logits(net, X)[:, 0] - Y) ** 2))  # identity output: a = s
    assert f"<td>{mse:.4g}</td>" in text


def test_report_blame_table_holds_each_neurons_mean_abs_delta(tmp_path):
    # mse with an identity output: example i's own delta is dJ_i/ds = 2 (a_i - y_i) / k, with k = 1 output
    rng = np.random.default_rng(4)
    X = rng.normal(size=(25, 3))
    Y = X @ np.array([0.5, -1.0, 2.0])
    net = Network.from_sizes([3, 4, 1], activation="tanh", cost="mse", seed=1, dtype="float64")
    text = render_report(net, X=X, Y=Y, dpi=DPI)
    output_delta = 2 * (_logits(net, X)[:, 0] - Y)
    assert f"<tr><td>0</td><td>{np.mean(np.abs(output_delta)):.4g}</td>" in text
    # BP2 for the hidden neurons: delta_j = delta_out * w[j, 0] * (1 - h_j^2)
    hidden = np.tanh(X @ net.layers[0].weights + net.layers[0].bias)
    hidden_delta = output_delta[:, None] * net.layers[1].weights[:, 0] * (1 - hidden**2)
    table = text.split("<h3>layer 1 (4 neurons, tanh)</h3>")[1].split("</table>")[0]
    expected = np.mean(np.abs(hidden_delta), axis=0)
    rows = [f"<tr><td>{j}</td><td>{expected[j]:.4g}</td>" for j in np.argsort(-expected, kind="stable")]
    assert [table.index(row) for row in rows] == sorted(table.index(row) for row in rows), "most blamed first"


def test_report_of_the_bare_network_and_of_a_step_network(tmp_path):
    net = Network.from_sizes([2, 3, 1], activation="sigmoid", cost="binary_cross_entropy", seed=0)
    text = render_report(net, dpi=DPI)
    assert text.count("<img") == 1 and "Blame" not in text
    step = Network([Dense(2, 2, "step"), Dense(2, 1, "sigmoid")], cost="binary_cross_entropy", seed=0)
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    text = render_report(step, X=X, Y=[0, 1], dpi=DPI)
    assert "cannot be trained by gradient descent" in text
    parse(text)


def test_report_without_matplotlib_still_has_the_tables(tmp_path, monkeypatch):
    net, history, X, y = classifier()
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    path = write_report(tmp_path / "plain.html", net, history, X, y)
    text = path.read_text(encoding="utf-8")
    parse(text)
    assert "<img" not in text and "<svg" not in text
    assert 'pip install "glassnet[plots]"' in html.unescape(text)
    assert "Confusion matrix" in text and "mean |delta|" in text


def test_report_refuses_bad_input(tmp_path):
    net, history, X, y = classifier()
    with pytest.raises(InputError, match="both X and Y"):
        render_report(net, X=X)
    with pytest.raises(InputError, match="class_names"):
        render_report(net, X=X, Y=y, class_names=["a", "b"])
    with pytest.raises(InputError, match="image_format"):
        render_report(net, image_format="gif")
    with pytest.raises(InputTypeError):
        render_report("model.npz")
    with pytest.raises(InputError, match="does not exist"):
        write_report(tmp_path / "nowhere" / "r.html", net)


def test_report_of_independent_sigmoid_outputs_over_two_inputs(tmp_path):
    # multi-label: two yes/no outputs have no single class, so no confusion matrix and no boundary picture
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    Y = (X > 0).astype(float)
    net = Network.from_sizes([2, 4, 2], activation="tanh", cost="binary_cross_entropy", seed=0)
    text = render_report(net, X=X, Y=Y, dpi=DPI)
    parse(text)
    assert "Blame" in text and "Confusion matrix" not in text and "decision boundary" not in text
    bce = float(np.mean(np.sum(np.logaddexp(0, -(2 * Y - 1) * _logits(net, X)), axis=1)))
    assert f"<td>{bce:.4g}</td>" in text


def _logits(net, X):
    a = X
    for layer in net.layers[:-1]:
        a = np.tanh(a @ layer.weights + layer.bias)
    return a @ net.layers[-1].weights + net.layers[-1].bias


def test_report_names_the_inputs_and_the_output_neurons():
    """The blame tables name the inputs as the data does (not x0/x1), and the output neurons by class."""
    net, history, X, y = classifier()
    page = render_report(net, history, X, y, class_names=["low", "middle", "high"], dpi=DPI,
                         feature_names=["area_m2", "rooms"])
    parse(page)
    text = html.unescape(page)
    blame = text[text.index("<h2>Blame</h2>") : text.index("<h2>Confusion matrix</h2>")]
    assert "area_m2: " in blame and "rooms: " in blame
    assert "x0:" not in blame and "x1:" not in blame
    assert "the output neurons: 0 = 'low', 1 = 'middle', 2 = 'high'" in blame
    network = text[text.index("<h2>The network</h2>") : text.index("<h2>Blame</h2>")]
    assert "0 = area_m2, 1 = rooms" in network and "0 = 'low', 1 = 'middle', 2 = 'high'" in network
    with pytest.raises(InputError, match="feature_names has 3 names; the network has 2 inputs"):
        render_report(net, X=X, Y=y, feature_names=["a", "b", "c"])


def test_report_names_one_sigmoid_output_by_the_class_it_gives_the_probability_of():
    net = Network([Dense(2, 1, "sigmoid", [[1.0], [-1.0]], [0.25])], cost="binary_cross_entropy", dtype="float64")
    X = np.array([[-1.0, -1.0], [1.0, 1.0], [0.5, -0.5]])
    page = html.unescape(render_report(net, X=X, Y=np.array([0, 1, 1]), class_names=["no", "yes"], dpi=DPI))
    assert "0 = P('yes'), against 'no'" in page


def test_boundary_is_drawn_in_the_data_units_with_the_inputs_named():
    """A neuron a = sigmoid(z1 - z2 + 0.25) on standardized inputs z = (x - mean) / scale, mean (100, 5),
    scale (20, 2): in the data's units its boundary a = 0.5 is the line x2 = 5 + 2 (0.25 + (x1 - 100) / 20),
    and the heatmap is the sigmoid of that, worked out here by hand."""
    import matplotlib
    from matplotlib.image import AxesImage

    from glassnet.datasets import Standardizer
    from glassnet.plots import plot_decision_boundary

    matplotlib.use("Agg")
    net = Network([Dense(2, 1, "sigmoid", [[1.0], [-1.0]], [0.25])], cost="binary_cross_entropy", dtype="float64")
    scaler = Standardizer.from_arrays([100.0, 5.0], [20.0, 2.0])
    X = np.array([[60.0, 1.0], [140.0, 9.0], [110.0, 3.0], [80.0, 8.0]])
    z = (X - [100.0, 5.0]) / [20.0, 2.0]
    y = (z[:, 0] - z[:, 1] + 0.25 > 0).astype(int)
    y[3] = 1 - y[3]  # one point on the wrong side: accuracy 75%
    fig = plot_decision_boundary(net, X, y, class_names=["no", "yes"], feature_names=["area_m2", "bedrooms"],
                                 inputs=scaler, resolution=50, dpi=DPI)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("area_m2", "bedrooms")
    assert "75.0%" in ax.get_title()
    left, right = ax.get_xlim()
    bottom, top = ax.get_ylim()
    assert (left, right) == pytest.approx((60 - 8, 140 + 8)) and (bottom, top) == pytest.approx((1 - 0.8, 9 + 0.8))
    contours = [c for c in ax.get_children() if isinstance(c, matplotlib.contour.ContourSet)]
    vertices = np.concatenate([p.vertices for c in contours for p in c.get_paths() if len(p.vertices)])
    assert len(vertices) > 10
    # the contour interpolates between grid nodes 0.2 apart in x2: within 1e-4 of the line
    np.testing.assert_allclose(vertices[:, 1], 5 + 2 * (0.25 + (vertices[:, 0] - 100) / 20), atol=1e-4)
    (image,) = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    gx, gy = np.meshgrid(np.linspace(left, right, 50), np.linspace(bottom, top, 50))
    s = (gx - 100) / 20 - (gy - 5) / 2 + 0.25
    np.testing.assert_allclose(image.get_array(), 1 / (1 + np.exp(-s)), atol=1e-9)
    scattered = np.concatenate([c.get_offsets() for c in ax.collections if hasattr(c, "get_offsets")
                                and len(c.get_offsets()) and not isinstance(c, matplotlib.contour.ContourSet)])
    assert sorted(map(tuple, scattered.tolist())) == sorted(map(tuple, X.tolist()))  # the points where they are
    with pytest.raises(InputError, match="feature_names has 1 names"):
        plot_decision_boundary(net, X, y, feature_names=["area_m2"])


def test_regression_surface_is_drawn_in_the_target_units():
    """s = z1 + 0.5 z2 (identity output) on z = (x - (10, 20)) / (2, 4), the target standardized with mean 1000
    and scale 10: the surface is 1000 + 10 s over the plane of x, worked out here by hand."""
    from matplotlib.image import AxesImage

    from glassnet.datasets import Standardizer
    from glassnet.plots import plot_decision_boundary

    net = Network([Dense(2, 1, "identity", [[1.0], [0.5]], [0.0])], cost="mse", dtype="float64")
    X = np.array([[8.0, 12.0], [14.0, 30.0], [10.0, 20.0]])
    prices = np.array([990.0, 1030.0, 1000.0])
    fig = plot_decision_boundary(net, X, prices, inputs=Standardizer.from_arrays([10.0, 20.0], [2.0, 4.0]),
                                 targets=Standardizer.from_arrays(1000.0, 10.0), resolution=20, dpi=DPI)
    ax = fig.axes[0]
    (image,) = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    left, right, bottom, top = image.get_extent()
    assert (left, right, bottom, top) == pytest.approx((8 - 0.6, 14 + 0.6, 12 - 1.8, 30 + 1.8))
    gx, gy = np.meshgrid(np.linspace(left, right, 20), np.linspace(bottom, top, 20))
    np.testing.assert_allclose(image.get_array(), 1000 + 10 * ((gx - 10) / 2 + 0.5 * (gy - 20) / 4), rtol=1e-12)
    assert image.norm.vmin == pytest.approx(min(990.0, image.get_array().min()))
    assert "target's units" in fig.axes[1].get_ylabel()
