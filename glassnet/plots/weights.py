"""First-layer weights as images: for image inputs, what pattern each first hidden neuron looks for.

Neuron j of the first layer computes ``s_j = sum_k w_jk x_k + b_j``; its weights ``weights[:, j]``, laid
out like the image's pixels, show which pixels push it up (blue) and which push it down (red).

Given the data ``X``, pixels that never vary over it (an image's border, blank on every example) are drawn
grey: a constant input ``x_k = c`` gets the gradient ``dJ/dw_jk = c * delta_j`` (BP4) on every example, which for
the usual blank ``c = 0`` is 0, so its weight keeps its random start and is noise that says nothing.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from ..errors import InputError
from ._mpl import WEIGHT_CMAP, check_network, colormap, finish, new_figure

__all__ = ["plot_first_layer_weights", "image_shape", "constant_pixels"]

CONSTANT = "#9a9a9a"  # the grey of pixels that never vary over the data


def image_shape(n_inputs: int, shape: tuple[int, int] | None = None) -> tuple[int, int]:
    """The (rows, columns) of the input image: ``shape`` checked, or the square side from ``n_inputs``."""
    if shape is not None:
        rows, cols = (int(v) for v in shape)
        if rows * cols != n_inputs:
            raise InputError(
                f"shape {rows}x{cols} holds {rows * cols} pixels but the network takes {n_inputs} inputs"
            )
        return rows, cols
    side = math.isqrt(n_inputs)
    if side * side != n_inputs or side < 2:
        raise InputError(
            f"the network takes {n_inputs} inputs, which is not a square image; give the image shape, e.g. "
            "shape=(rows, columns)"
        )
    return side, side


def constant_pixels(network: Any, X: object) -> np.ndarray:
    """A boolean mask over the inputs: True where column k of ``X`` holds one value on every row."""
    data = network.check_X(X)
    if len(data) == 0:
        raise InputError("X has no rows: give the examples whose constant pixels should be greyed out")
    return np.asarray(np.all(data == data[:1], axis=0))


def plot_first_layer_weights(
    network: Any,
    X: object | None = None,
    *,
    shape: tuple[int, int] | None = None,
    max_neurons: int = 64,
    columns: int | None = None,
    shared_scale: bool = False,
    path: str | os.PathLike[str] | None = None,
    dpi: float = 100,
) -> Any:
    """Each first-layer neuron's weights drawn as an image of the input's shape; returns the Figure.

    ``shape`` is (rows, columns) of the input images; by default the square side is inferred from
    ``n_inputs`` (64 -> 8x8, 784 -> 28x28). Each image's colours are centred on 0 (white), blue positive,
    red negative, scaled to that neuron's largest |w| (or one scale for all with ``shared_scale``).
    At most ``max_neurons`` neurons are drawn (the first ones).

    With ``X`` (the examples, as the network sees them), the pixels constant over X are masked grey: their
    input never varies, so (BP4, ``dJ/dw_jk = x_k delta_j``) their weights learn nothing they could not put
    in the bias and, for blank pixels (``x_k = 0``), never move from their random start. The scales are then
    taken over the other pixels only.
    """
    check_network(network)
    rows_px, cols_px = image_shape(network.n_inputs, shape)
    constant = np.zeros(network.n_inputs, dtype=bool) if X is None else constant_pixels(network, X)
    n_constant = int(constant.sum())
    W = np.asarray(network.layers[0].weights, dtype=float)
    n = min(W.shape[1], int(max_neurons))
    if n < 1:
        raise InputError(f"max_neurons must be at least 1, got {max_neurons}")
    columns = int(columns or math.ceil(math.sqrt(n * 1.3)))
    rows = math.ceil(n / columns)
    fig = new_figure(1.05 * columns + 0.9, 1.05 * rows * rows_px / cols_px + 0.7, dpi)
    grid = fig.add_gridspec(rows, columns + 1, width_ratios=[1] * columns + [0.12])
    varying = ~constant
    largest = (float(np.abs(W[varying, :n]).max()) if varying.any() else 0.0) or 1.0
    cmap = colormap(WEIGHT_CMAP).with_extremes(bad=CONSTANT)
    images = []
    for j in range(n):
        ax = fig.add_subplot(grid[j // columns, j % columns])
        w = np.ma.masked_array(W[:, j], mask=constant)
        scale = largest if shared_scale else ((float(np.abs(W[varying, j]).max()) if varying.any() else 0.0) or 1.0)
        images.append(
            ax.imshow(w.reshape(rows_px, cols_px), cmap=cmap, vmin=-scale, vmax=scale, interpolation="nearest")
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"#{j}", fontsize=6, pad=1.5)
    bar = fig.colorbar(images[-1], cax=fig.add_subplot(grid[:, columns]))
    bar.ax.tick_params(labelsize=6)
    over = " over the varying pixels" if n_constant else ""
    bar.set_label(f"w (each image scaled to its own max |w|{over})" if not shared_scale else f"w{over}", fontsize=7)
    if not shared_scale:
        bar.set_ticks([-scale, 0, scale])  # the last image's range, which the colour bar shows
        bar.set_ticklabels(["-max", "0", "+max"])
    more = f", first {n} of {W.shape[1]}" if n < W.shape[1] else ""
    title = f"first-layer weights as {rows_px}x{cols_px} images (blue +, red -{more})"
    if n_constant:
        from matplotlib.patches import Patch

        title += f"\ngrey: the {n_constant} pixels constant over X, whose weights never learn"
        note = f"pixel constant over X ({n_constant} of {network.n_inputs}): its weight keeps its start"
        fig.legend(handles=[Patch(facecolor=CONSTANT, edgecolor="black", linewidth=0.4, label=note)],
                   loc="outside lower center", fontsize=6.5, frameon=False)
    fig.suptitle(title, fontsize=9)
    return finish(fig, path, dpi)
