"""Jupyter's rich display: the HTML of a Network, a Trace, a Blame and a History, and the live cost curve.

Every view is parsed with html.parser (each tag closed, in order) and its numbers are read back and compared with
the object's arrays; the worked example's trace is compared with Matt Mazur's published numbers. The live curve
is checked with a stand-in for IPython.display that records each update.
"""

from __future__ import annotations

import io
import re
import sys
import types
from html.parser import HTMLParser

import numpy as np
import pytest

from glassnet import Network
from glassnet.callbacks import History, LiveCost
from glassnet.inspect import demo_example, demo_network
from glassnet.inspect.notebook import cost_curve_svg

VOID = {"br", "hr", "img", "input", "meta", "link", "col", "area", "base", "source", "wbr"}


class _Tree(HTMLParser):
    """Checks that tags nest and close; collects the text of every element by tag, and every tag's attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)
            self.texts.setdefault(tag, []).append("")
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._cell = []

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.stack, f"</{tag}> closes nothing"
        assert self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1]}>"
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        for tag in self.stack:
            self.texts[tag][-1] += data
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _Tree:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    assert tree.stack == [], f"unclosed tags: {tree.stack}"
    return tree


def test_network_html_draws_every_weight_and_bias_with_its_value() -> None:
    net = Network.from_sizes([3, 4, 2], activation="tanh", cost="mse", seed=3, dtype="float64")
    for layer in net.layers:
        layer.bias[...] = np.linspace(-0.5, 0.7, layer.n_out)
    tree = parse(net._repr_html_())
    titles = tree.texts["title"]
    weights = {}
    biases = {}
    for title in titles:
        if m := re.fullmatch(r"layer (\d+) w\[(\d+), (\d+)\] = (\S+)", title):
            weights[int(m[1]), int(m[2]), int(m[3])] = float(m[4])
        if m := re.fullmatch(r"layer (\d+) neuron (\d+): b\[\d+\] = (\S+)", title):
            biases[int(m[1]), int(m[2])] = float(m[3])
    assert len(weights) == 3 * 4 + 4 * 2 and len(biases) == 4 + 2
    for (number, k, j), value in weights.items():
        assert value == pytest.approx(net.layers[number - 1].weights[k, j], rel=1e-3, abs=1e-12)
    for (number, j), value in biases.items():
        assert value == pytest.approx(net.layers[number - 1].bias[j], rel=1e-3)
    # a line's colour is its weight's sign
    lines = [attrs for tag, attrs in tree.tags if tag == "line"]
    colours = {attrs["stroke"] for attrs in lines}
    assert len(lines) == 20 and colours <= {"#2b6cb0", "#c53030"}
    # the table: weights shapes and parameter counts, n_in * n_out + n_out per layer
    table = [row for row in tree.rows if row and row[0] in ("1", "2")]
    assert [row[:3] for row in table] == [["1", "3 x 4", "4"], ["2", "4 x 2", "2"]]
    assert [row[3] for row in table] == [layer.activation.name for layer in net.layers]
    assert [row[4] for row in table] == ["16", "10"]
    assert "26 parameters" in tree.texts["p"][0]


def test_network_html_of_a_big_network_stays_small() -> None:
    net = Network.from_sizes([784, 128, 10], activation="relu", cost="cross_entropy", seed=0)
    html = net._repr_html_()
    parse(html)
    assert "... 772 more" in html and "... 116 more" in html
    assert len(html) < 100_000


def test_trace_html_shows_the_published_worked_example() -> None:
    """Matt Mazur's published numbers: out_h1 0.593269992, out_o1 0.75136507, E 0.298371109, w5+ 0.35891648,
    w1+ 0.149780716, w6+ 0.408666186."""
    x, y = demo_example()
    tr = demo_network().trace(x, y, learning_rate=0.5)
    html = tr._repr_html_()
    tree = parse(html)
    text = " ".join(tree.texts["div"])
    for published in ("0.59327", "0.751365", "0.298371", "0.358916", "0.149781", "0.408666"):
        assert published in text, published
    # four parts fold open and shut, and each of them a block per layer
    summaries = tree.texts["summary"]
    assert summaries[0] == "Forward" and "Cost" in summaries
    assert sum(s.startswith("layer") for s in summaries) == 3 * 2
    # each table cell of the update holds the record's numbers
    rows = {row[0]: row for row in tree.rows if row and re.fullmatch(r"[wb]\[.*\]", row[0])}
    out = tr.layers[1]
    assert float(rows["w[0, 0]"][5]) == pytest.approx(out.new_weights[0, 0], rel=1e-5)
    assert float(rows["b[1]"][3]) == pytest.approx(out.grad_bias[1], rel=1e-5)
    assert "2-2-2" in repr(tr) and "0.298371" in repr(tr)


def test_blame_html_holds_each_neurons_mean_abs_delta() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 4)), rng.integers(0, 3, size=40)
    net = Network.from_sizes([4, 5, 3], activation="relu", cost="cross_entropy", seed=1, dtype="float64")
    record = net.blame(X, y)
    tree = parse(record._repr_html_())
    bars = {}
    for title in tree.texts["title"]:
        if m := re.fullmatch(r"neuron (\d+): (\S+)", title):
            bars.setdefault(int(m[1]), []).append(float(m[2]))
    # one bar per neuron, output layer first (3 neurons) then the hidden one (5)
    assert sorted(bars) == [0, 1, 2, 3, 4]
    shown = [t for t in tree.texts["title"] if t.startswith("neuron ")]
    assert len(shown) == 8
    values = [float(t.split(": ")[1]) for t in shown]
    expected = list(np.sort(record.mean_abs_delta[1])[::-1]) + list(np.sort(record.mean_abs_delta[0])[::-1])
    np.testing.assert_allclose(values, expected, rtol=1e-3)
    # the mean |delta| of the output layer, measured here from the definition: |a - y_onehot| per example
    out = net.predict(X)
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(np.sort(np.abs(out - onehot).mean(axis=0))[::-1], values[:3], rtol=1e-3)
    assert "Blame(" in repr(record)


def _points(svg: str, name: str) -> np.ndarray:
    tree = parse(svg)
    polyline = [attrs for tag, attrs in tree.tags if tag == "polyline" and attrs.get("class") == name][0]
    return np.array([[float(v) for v in p.split(",")] for p in str(polyline["points"]).split()])


def test_history_html_table_and_curve_are_the_costs() -> None:
    history = History(cost=[0.9, 0.5, 0.7, 0.2, 0.25], accuracy=[None] * 5, val_cost=[1.0, 0.6, 0.65, 0.4, 0.3],
                      val_accuracy=[None] * 5, best_epoch=4)
    html = history._repr_html_()
    tree = parse(html)
    table = [row for row in tree.rows if row and row[0].isdigit()]
    assert [int(row[0]) for row in table] == [1, 2, 3, 4, 5]
    np.testing.assert_allclose([float(row[1]) for row in table], history.cost)
    np.testing.assert_allclose([float(row[2]) for row in table], history.val_cost)
    assert "best epoch 5" in html
    # the curve: x grows with the epoch; y (downwards in SVG) falls as the cost rises, on one scale for both
    for name, values in (("cost", history.cost), ("val-cost", history.val_cost)):
        points = _points(html, name)
        assert len(points) == 5 and np.all(np.diff(points[:, 0]) > 0)
        slope, intercept = np.polyfit(values, points[:, 1], 1)
        assert slope < 0
        np.testing.assert_allclose(slope * np.array(values) + intercept, points[:, 1], atol=0.1)
    assert repr(history) == "History(5 epochs, cost 0.9 -> 0.25, val_cost 0.3, best epoch 5)"


def test_a_long_history_shows_a_few_rows_from_first_to_last() -> None:
    cost = list(np.linspace(2.0, 0.1, 200))
    history = History(cost=cost, accuracy=[None] * 200, learning_rate=[0.1] * 200, seconds=[0.0] * 200)
    tree = parse(history._repr_html_())
    table = [row for row in tree.rows if row and row[0].isdigit()]
    assert table[0][0] == "1" and table[-1][0] == "200" and len(table) == 12
    for row in table:
        assert float(row[1]) == pytest.approx(cost[int(row[0]) - 1], rel=1e-5)


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


class _Handle:
    def __init__(self, first) -> None:
        self.shown = [first]

    def update(self, obj) -> None:
        self.shown.append(obj)


def _fake_ipython(monkeypatch, kernel: bool = True) -> list[_Handle]:
    handles: list[_Handle] = []

    class HTML:
        def __init__(self, data: str) -> None:
            self.data = data

    def display(obj, display_id=False):
        assert display_id is True
        handles.append(_Handle(obj))
        return handles[-1]

    ipython = types.ModuleType("IPython")
    ipython.get_ipython = (lambda: object()) if kernel else (lambda: None)  # type: ignore[attr-defined]
    display_module = types.ModuleType("IPython.display")
    display_module.HTML = HTML  # type: ignore[attr-defined]
    display_module.display = display  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display_module)
    return handles


def test_live_cost_updates_one_display_each_epoch(monkeypatch) -> None:
    handles = _fake_ipython(monkeypatch)
    X, y = _data()
    net = Network.from_sizes([2, 6, 2], activation="tanh", cost="cross_entropy", seed=0)
    live = LiveCost(every_seconds=0)
    history = net.fit(X, y, epochs=5, learning_rate=0.3, validation_split=0.25, callbacks=[live])
    assert len(handles) == 1
    shown = handles[0].shown
    assert len(shown) == 1 + 5 and live.updates == 5
    for epoch, picture in enumerate(shown[1:], start=1):
        points = _points(picture.data, "cost")
        assert len(points) == epoch
        assert f"epoch {epoch} of 5" in picture.data
        assert f"cost {history.cost[epoch - 1]:.6g}" in picture.data
    last = _points(shown[-1].data, "cost")
    slope, intercept = np.polyfit(history.cost, last[:, 1], 1)
    np.testing.assert_allclose(slope * np.array(history.cost) + intercept, last[:, 1], atol=0.1)
    assert len(_points(shown[-1].data, "val-cost")) == 5


def test_live_cost_redraws_at_most_every_few_seconds_and_at_the_end(monkeypatch) -> None:
    handles = _fake_ipython(monkeypatch)
    X, y = _data()
    net = Network.from_sizes([2, 4, 2], activation="tanh", cost="cross_entropy", seed=0)
    live = LiveCost(every_seconds=1e9)
    net.fit(X, y, epochs=6, learning_rate=0.3, callbacks=[live])
    # the first epoch, and the last when training ends
    assert live.updates == 2 and len(handles[0].shown) == 3
    assert len(_points(handles[0].shown[-1].data, "cost")) == 6


@pytest.mark.parametrize("kernel", [False, None])
def test_live_cost_prints_without_a_notebook(monkeypatch, kernel) -> None:
    if kernel is None:
        monkeypatch.setitem(sys.modules, "IPython", None)  # not installed: importing it fails
    else:
        _fake_ipython(monkeypatch, kernel=False)  # installed, but no kernel is running
    X, y = _data()
    out = io.StringIO()
    net = Network.from_sizes([2, 4, 2], activation="tanh", cost="cross_entropy", seed=0)
    history = net.fit(X, y, epochs=4, learning_rate=0.3, callbacks=[LiveCost(every_seconds=0, file=out)])
    lines = out.getvalue().splitlines()
    assert len(lines) == 4
    for epoch, line in enumerate(lines, start=1):
        assert line.startswith(f"epoch {epoch}/4")
        assert float(line.split("cost ")[1]) == pytest.approx(history.cost[epoch - 1], rel=1e-5)


def test_live_cost_refuses_a_negative_interval() -> None:
    from glassnet.errors import InputError

    with pytest.raises(InputError, match="every_seconds"):
        LiveCost(every_seconds=-1)


def test_cost_curve_of_one_epoch_and_a_flat_run() -> None:
    for cost in ([0.5], [0.3, 0.3, 0.3]):
        points = _points(cost_curve_svg(cost), "cost")
        assert len(points) == len(cost) and np.all(np.isfinite(points))
