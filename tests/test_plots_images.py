"""Pictures of image inputs in the image's shape, and output neurons named by class in the diagram.

Blame's pixel images are checked against a float64 forward and backward pass written here in numpy; the
weights' grey pixels against the columns of X that hold one value.
"""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the pictures need the plots extra (matplotlib)")
matplotlib.use("Agg")

from matplotlib.image import AxesImage  # noqa: E402

from glassnet import Network, plots  # noqa: E402
from glassnet.datasets import load_digits  # noqa: E402
from glassnet.errors import InputError  # noqa: E402

DPI = 30


def _digits(n: int = 150) -> tuple[np.ndarray, np.ndarray]:
    data = load_digits()
    return np.asarray(data.X[:n], dtype=np.float64), np.asarray(data.y[:n])


def _images(ax) -> list[AxesImage]:
    return [a for a in ax.get_children() if isinstance(a, AxesImage)]


def _axes_by_gid(fig, gid: str):
    found = [ax for ax in fig.axes if ax.get_gid() == gid]
    assert len(found) == 1, f"expected one axes {gid!r}, found {len(found)}"
    return found[0]


def _reference_blame(net: Network, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Layer 1's per-example mean |delta| and input shares, by a float64 forward/backward written here."""
    W1, b1 = (np.array(v, dtype=np.float64) for v in (net.layers[0].weights, net.layers[0].bias))
    W2, b2 = (np.array(v, dtype=np.float64) for v in (net.layers[1].weights, net.layers[1].bias))
    a1 = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    s2 = a1 @ W2 + b2
    e = np.exp(s2 - s2.max(axis=1, keepdims=True))
    a2 = e / e.sum(axis=1, keepdims=True)
    onehot = np.eye(W2.shape[1])[y]
    delta2 = a2 - onehot  # softmax with cross-entropy: dJ_i/ds = a - y for example i's own cost
    delta1 = (delta2 @ W2.T) * a1 * (1.0 - a1)  # BP2
    mad1 = np.abs(delta1).mean(axis=0)
    contribution = np.abs(W1) * np.abs(X).mean(axis=0)[:, None]  # mean_i |w[k, j] x_ik|
    share = contribution / contribution.sum(axis=0, keepdims=True)
    return mad1, share


def test_blame_on_digits_draws_each_pixels_share_as_an_8x8_image():
    X, y = _digits()
    net = Network.from_sizes([64, 6, 10], activation="sigmoid", cost="cross_entropy", seed=1, dtype="float64")
    assert net.layers[1].activation.name == "softmax"
    mad1, share = _reference_blame(net, X, y)
    fig = plots.plot_blame(net, X, y, dpi=DPI)
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "too many to draw" not in texts
    overall = _images(_axes_by_gid(fig, "pixel blame"))
    assert len(overall) == 1 and overall[0].get_array().shape == (8, 8)
    expected = (share * mad1).sum(axis=1) / mad1.sum()  # each neuron's blame handed out by its input's shares
    assert np.allclose(np.asarray(overall[0].get_array()), expected.reshape(8, 8), rtol=1e-9, atol=1e-12)
    assert overall[0].get_array().sum() == pytest.approx(1.0)
    # the most blamed neurons, each with its own share image
    top = np.argsort(-mad1, kind="stable")[: plots.blame.IMAGE_NEURONS]
    for j in top:
        image = _images(_axes_by_gid(fig, f"pixel shares {j}"))[0]
        assert image.get_array().shape == (8, 8)
        assert np.allclose(np.asarray(image.get_array()), share[:, j].reshape(8, 8), rtol=1e-9, atol=1e-12)
    drawn = {ax.get_gid() for ax in fig.axes if (ax.get_gid() or "").startswith("pixel shares")}
    assert drawn == {f"pixel shares {j}" for j in top}
    # a given shape folds the same numbers differently; a wrong one is refused
    fig = plots.plot_blame(net, X, y, image_shape=(4, 16), dpi=DPI)
    image = _images(_axes_by_gid(fig, "pixel blame"))[0]
    assert np.allclose(np.asarray(image.get_array()), expected.reshape(4, 16), rtol=1e-9, atol=1e-12)
    with pytest.raises(InputError, match="64 inputs"):
        plots.plot_blame(net, X, y, image_shape=(5, 5))


def test_blame_draws_28x28_inputs_as_28x28_images_and_tables_stay_heatmaps():
    rng = np.random.default_rng(0)
    X = rng.random((12, 784))
    y = rng.integers(0, 2, 12)
    net = Network.from_sizes([784, 3, 2], activation="sigmoid", cost="cross_entropy", seed=0, dtype="float64")
    fig = plots.plot_blame(net, X, y, dpi=DPI)
    assert _images(_axes_by_gid(fig, "pixel blame"))[0].get_array().shape == (28, 28)
    assert _images(_axes_by_gid(fig, "pixel shares 0"))[0].get_array().shape == (28, 28)
    table = Network.from_sizes([9, 3, 2], activation="sigmoid", cost="cross_entropy", seed=0)  # 3x3 is no picture
    fig = plots.plot_blame(table, rng.random((5, 9)), rng.integers(0, 2, 5), dpi=DPI)
    assert not [ax for ax in fig.axes if ax.get_gid() == "pixel blame"]
    assert [ax for ax in fig.axes if ax.get_ylabel() == "input k"]


def test_first_layer_weights_grey_out_exactly_the_pixels_constant_over_X():
    X, y = _digits()
    net = Network.from_sizes([64, 5, 10], activation="sigmoid", cost="cross_entropy", seed=0)
    constant = X.max(axis=0) == X.min(axis=0)
    assert 0 < constant.sum() < 64  # digits' blank border pixels, never inked in these rows
    fig = plots.plot_first_layer_weights(net, X, dpi=DPI)
    images = [a for ax in fig.axes for a in _images(ax)]
    assert len(images) == 5
    W = np.asarray(net.layers[0].weights, dtype=float)
    for j, image in enumerate(images):
        drawn = image.get_array()
        assert drawn.shape == (8, 8)
        assert np.array_equal(np.ma.getmaskarray(drawn), constant.reshape(8, 8))
        assert np.allclose(drawn.compressed(), W[~constant, j])
        lo, hi = image.get_clim()
        assert lo == -hi and hi == pytest.approx(np.abs(W[~constant, j]).max())
    words = fig.get_suptitle() + " ".join(t.get_text() for legend in fig.legends for t in legend.get_texts())
    assert f"{int(constant.sum())} pixels constant over X" in words and f"({int(constant.sum())} of 64)" in words
    assert "varying pixels" in fig.axes[-1].get_ylabel()
    # without X nothing is masked, and the title says nothing of grey
    fig = plots.plot_first_layer_weights(net, dpi=DPI)
    plain = [a for ax in fig.axes for a in _images(ax)][0].get_array()
    assert not np.ma.getmaskarray(plain).any() and "grey" not in fig.get_suptitle()
    with pytest.raises(InputError):
        plots.plot_first_layer_weights(net, X[:, :10])


def _class_texts(fig) -> dict[str, tuple[str, float, float]]:
    return {t.get_gid(): (t.get_text(), *t.get_position()) for ax in fig.axes for t in ax.texts
            if (t.get_gid() or "").startswith("class ")}


def test_the_diagram_names_the_output_neurons_by_class():
    from matplotlib.patches import Circle

    net = Network.from_sizes([2, 3, 3], activation="tanh", cost="cross_entropy", seed=0)
    names = ["setosa", "versicolor", "virginica"]
    fig = plots.plot_network(net, class_names=names, dpi=DPI)
    found = _class_texts(fig)
    assert {gid: text for gid, (text, _, _) in found.items()} == {f"class {j}": n for j, n in enumerate(names)}
    circles = {p.get_gid(): p for p in fig.axes[0].patches if isinstance(p, Circle)}
    for j in range(3):
        _, x, y = found[f"class {j}"]
        cx, cy = circles[f"neuron 2 {j}"].center
        assert y == pytest.approx(cy) and x > cx + circles[f"neuron 2 {j}"].radius  # beside its neuron, right
    assert not _class_texts(plots.plot_network(net, dpi=DPI))
    # a single sigmoid output: the probability of the second class
    binary = Network.from_sizes([2, 2, 1], cost="binary_cross_entropy", seed=0)
    labels = _class_texts(plots.plot_network(binary, class_names=["no", "yes"], dpi=DPI))
    assert [text for text, _, _ in labels.values()] == ["yes (vs no)"]
    # an elided output layer names the neurons it shows, each by its own class
    wide = Network.from_sizes([2, 3, 10], cost="cross_entropy", seed=0)
    digits = [f"digit {d}" for d in range(10)]
    shown = _class_texts(plots.plot_network(wide, class_names=digits, max_neurons=6, dpi=DPI))
    assert 0 < len(shown) < 10 and all(text == digits[int(gid.split()[1])] for gid, (text, _, _) in shown.items())
    with pytest.raises(InputError, match="2 names but the network has 3 output neurons"):
        plots.plot_network(net, class_names=["a", "b"])


def test_the_cli_passes_the_data_and_the_classes(tmp_path, monkeypatch, capsys):
    from glassnet.cli import main

    model = tmp_path / "digits.glassnet"
    assert main(["train", "digits", "--epochs", "1", "--layers", "4", "--quiet", "--out", str(model)]) == 0
    drawn: dict[str, object] = {}
    for name in ("plot_first_layer_weights", "plot_blame", "plot_network"):
        original = getattr(plots, name)

        def keep(*args, _original=original, _name=name, **kwargs):
            drawn[_name] = fig = _original(*args, **kwargs)
            return fig

        monkeypatch.setattr(plots, name, keep)
    assert main(["plot", "weights", str(model), "--out", str(tmp_path / "w.png")]) == 0
    assert main(["plot", "blame", str(model), "--out", str(tmp_path / "b.png")]) == 0
    assert main(["plot", "network", str(model), "--out", str(tmp_path / "n.png")]) == 0
    capsys.readouterr()
    X = np.asarray(load_digits().X)
    weights = [a for ax in drawn["plot_first_layer_weights"].axes for a in _images(ax)]  # type: ignore[attr-defined]
    # the recorded data (digits, all its rows): grey exactly where a column holds one value
    mask = np.ma.getmaskarray(weights[0].get_array()).ravel()
    assert np.array_equal(mask, X.max(axis=0) == X.min(axis=0)) and 0 < mask.sum() < 64
    blame_fig = drawn["plot_blame"]
    assert _images(_axes_by_gid(blame_fig, "pixel blame"))[0].get_array().shape == (8, 8)
    labels = [text for text, _, _ in _class_texts(drawn["plot_network"]).values()]
    assert labels and all(label in {str(d) for d in range(10)} for label in labels)
