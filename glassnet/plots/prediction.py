"""An input image beside the network's prediction: the picture, and a bar per class of what the network outputs.

For image data (the digits' 8x8 pixels, MNIST's 28x28, the 3-vs-7 task): left, the input as the picture it is
(more ink darker); right, one bar per output neuron, the predicted class (the largest output) filled and the true
class, when given, outlined and named in the title. A single sigmoid output ``a`` (two classes) is shown as the
two bars ``1 - a`` and ``a``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InputError
from ._mpl import NEGATIVE, POSITIVE, check_network, finish, new_figure
from .weights import image_shape as checked_shape

__all__ = ["plot_prediction", "class_outputs"]


def class_outputs(outputs: np.ndarray) -> np.ndarray:
    """One number per class from a network's output row: a single sigmoid output ``a`` becomes ``[1 - a, a]``."""
    outputs = np.asarray(outputs, dtype=np.float64).ravel()
    return np.array([1.0 - outputs[0], outputs[0]]) if outputs.size == 1 else outputs


def plot_prediction(
    network: Any,
    x: object,
    *,
    image: object | None = None,
    shape: tuple[int, int] | None = None,
    class_names: Sequence[str] | None = None,
    true_class: int | None = None,
    path: str | os.PathLike[str] | None = None,
    dpi: float = 100,
) -> Any:
    """Draw the input image ``x`` beside the network's outputs for it; returns the Figure.

    Parameters
    ----------
    network : the Network; ``x`` is one example as it sees it (one row of ``n_inputs`` numbers).
    image : the pixels to draw, when ``x`` was preprocessed (standardized); by default ``x`` itself.
    shape : (rows, columns) of the image; by default the square side from the number of inputs.
    class_names : a name per class (default 0, 1, ...). true_class : the example's true class, if known.
    """
    check_network(network)
    row = np.asarray(x, dtype=np.float64).reshape(1, -1)
    if row.shape[1] != network.n_inputs:
        raise InputError(f"x has {row.shape[1]} values; the network takes {network.n_inputs} inputs")
    rows, cols = checked_shape(network.n_inputs, shape)
    pixels = row if image is None else np.asarray(image, dtype=np.float64).reshape(1, -1)
    if pixels.size != rows * cols:
        raise InputError(f"the image has {pixels.size} pixels; a {rows}x{cols} image has {rows * cols}")
    outputs = class_outputs(network.predict(row)[0])
    names = [str(c) for c in class_names] if class_names is not None else [str(j) for j in range(len(outputs))]
    if len(names) != len(outputs):
        raise InputError(f"{len(names)} class names for {len(outputs)} classes")
    if true_class is not None and not 0 <= int(true_class) < len(outputs):
        raise InputError(f"true_class must be 0..{len(outputs) - 1}, got {true_class}")
    predicted = int(np.argmax(outputs))

    fig = new_figure(7.0, 3.2, dpi)
    picture, bars = fig.subplots(1, 2, width_ratios=[1, 1.4])
    picture.imshow(pixels.reshape(rows, cols), cmap="gray_r", interpolation="nearest")
    picture.set_xticks([])
    picture.set_yticks([])
    picture.set_title(f"the input, {rows}x{cols} pixels", fontsize=9)
    colours = [NEGATIVE if j == predicted else POSITIVE for j in range(len(outputs))]
    drawn = bars.barh(np.arange(len(outputs)), outputs, color=colours, edgecolor="none")
    if true_class is not None:
        drawn[int(true_class)].set_edgecolor("black")
        drawn[int(true_class)].set_linewidth(2.0)
    bars.set_yticks(np.arange(len(outputs)), names, fontsize=8)
    bars.invert_yaxis()
    bars.set_xlim(0, max(1.0, float(outputs.max())))
    bars.set_xlabel("the network's output", fontsize=8)
    for j, value in enumerate(outputs):
        bars.text(min(value, 1.0) + 0.01, j, f"{value:.3f}", va="center", fontsize=7)
    title = f"predicted {names[predicted]}"
    if true_class is not None:
        title += f", true {names[int(true_class)]} ({'right' if predicted == int(true_class) else 'wrong'})"
    bars.set_title(title, fontsize=9)
    return finish(fig, path, dpi)
