"""The 3-vs-7 data set, and an input image beside the network's prediction (text in explain, and a picture).

The data set is checked against scikit-learn's digits directly; the text picture against shades worked out by
hand; the picture's bars against a forward pass written here in numpy.
"""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import InputError, Network
from glassnet.cli import main
from glassnet.datasets import available, load
from glassnet.inspect.render_image import image_text, prediction_text

sklearn_datasets = pytest.importorskip("sklearn.datasets", reason="the digits ship with scikit-learn")


def test_threes_and_sevens_are_the_digits_3_and_7() -> None:
    digits = sklearn_datasets.load_digits()
    keep = np.isin(digits.target, [3, 7])
    data = load("3-vs-7")
    np.testing.assert_array_equal(data.X, digits.data[keep])
    np.testing.assert_array_equal(data.y, (digits.target[keep] == 7).astype(int))
    assert data.target_names == ("3", "7") and data.image_shape == (8, 8) and data.task == "classification"
    assert (np.sum(data.y == 0), np.sum(data.y == 1)) == (183, 179)
    assert load("3_VS_7").name == "3-vs-7" and "3-vs-7" in available()


def test_the_image_in_shades_of_characters() -> None:
    # ink 0, 8, 16 / 4, 12, 16 scaled by the largest: levels floor(10 v / 16) capped at 9 -> 0 5 9 / 2 7 9
    assert image_text([0, 8, 16, 4, 12, 16], (2, 3)) == ["  ++@@", "::##@@"]
    assert image_text(np.zeros(4), (2, 2)) == ["    ", "    "]
    with pytest.raises(InputError, match="64 pixels"):
        image_text(np.zeros(10), (8, 8))


def test_the_prediction_beside_the_image() -> None:
    text = prediction_text([0, 8, 16, 4, 12, 16], (2, 3), [0.2, 0.7, 0.1], ["cat", "dog", "owl"], true_class=0)
    lines = text.splitlines()
    assert lines[1].startswith("|  ++@@|  dog  0.7000  ##############") and lines[1].endswith("<- predicted")
    assert lines[2].startswith("|::##@@|  cat  0.2000  ####") and lines[2].endswith("<- true")
    assert "predicted dog, true cat: wrong" in text and "owl  0.1000" in text


def _forward(net: Network, x: np.ndarray) -> np.ndarray:
    """relu hidden layers, softmax output, by hand."""
    a = x.reshape(1, -1)
    for layer in net.layers[:-1]:
        a = np.maximum(a @ layer.weights + layer.bias, 0)
    s = a @ net.layers[-1].weights + net.layers[-1].bias
    e = np.exp(s - s.max())
    return (e / e.sum())[0]


def test_the_picture_shows_the_pixels_and_the_outputs() -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.image import AxesImage

    from glassnet import plots

    data = load("3-vs-7")
    net = Network.from_sizes([64, 5, 2], activation="relu", cost="cross_entropy", seed=0, dtype="float64")
    x = data.X[10] / 16
    fig = plots.plot_prediction(net, x, image=data.X[10], shape=(8, 8), class_names=["3", "7"],
                                true_class=int(data.y[10]), dpi=40)
    picture, bars = fig.axes
    shown = [artist for artist in picture.get_children() if isinstance(artist, AxesImage)][0]
    np.testing.assert_array_equal(shown.get_array(), data.X[10].reshape(8, 8))
    widths = [patch.get_width() for patch in bars.patches]
    np.testing.assert_allclose(widths, _forward(net, x), rtol=1e-9)
    assert bars.patches[int(data.y[10])].get_linewidth() == 2.0
    predicted = ["3", "7"][int(np.argmax(widths))]
    assert bars.get_title().startswith(f"predicted {predicted}, true {['3', '7'][int(data.y[10])]}")
    # one sigmoid output a: the two classes are 1 - a and a
    binary = Network.from_sizes([4, 3, 1], activation="tanh", cost="binary_cross_entropy", seed=1)
    fig = plots.plot_prediction(binary, np.ones(4), dpi=40)
    a = float(binary.predict(np.ones((1, 4)))[0, 0])
    np.testing.assert_allclose([p.get_width() for p in fig.axes[1].patches], [1 - a, a], rtol=1e-6)
    with pytest.raises(InputError, match="true_class"):
        plots.plot_prediction(net, x, true_class=5)


def test_explain_and_plot_show_the_image_of_an_image_model(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["train", "3-vs-7", "--layers", "4", "--epochs", "2", "--out", "m.glassnet"]) == 0
    capsys.readouterr()
    assert main(["explain", "m.glassnet", "--row", "0"]) == 0
    out = capsys.readouterr().out
    assert "the input, 8x8 pixels" in out and ("<- true" in out or "predicted and true" in out)
    picture = [line for line in out.splitlines() if line.startswith("|")][:8]
    assert len(picture) == 8 and all(len(line.split("|")[1]) == 16 for line in picture)
    assert main(["plot", "prediction", "m.glassnet", "--row", "2", "--out", "p.png"]) == 0
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["train", "iris", "--layers", "4", "--epochs", "2", "--out", "iris.glassnet"]) == 0
    capsys.readouterr()
    assert main(["plot", "prediction", "iris.glassnet"]) != 0
    assert "not a classifier of images" in capsys.readouterr().err
