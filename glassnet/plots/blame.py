"""Blame as a picture: each neuron's mean |delta| over a batch, and where each neuron's input comes from.

Top row, one panel per layer: bars of each neuron's mean ``|delta|`` (``delta = dJ/ds``, per example),
the error backpropagation hands it. Bottom row: for each layer, the share of neuron j's input carried by
upstream neuron k, ``mean |w[k, j] a_k|`` divided by its column's total; "neurons blame the most active
upstream neurons" made visible. The numbers come from :func:`glassnet.inspect.blame`.

When the inputs are an image's pixels (a square of at least 64, as 8x8 digits or 28x28 digits, or a given
``image_shape``), the first layer's shares are drawn in the image's shape instead of a heatmap: the share
of the layer's blame each pixel carries, ``sum_j mad_j share[k, j] / sum_j mad_j`` (each neuron's mean
``|delta_j|`` handed out over its inputs by their shares; the image sums to 1), and, for the few most blamed
neurons, their own ``share[:, j]``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import InputError, InputTypeError
from ._mpl import NEGATIVE, POSITIVE, check_network, finish, new_figure
from .weights import image_shape as checked_image_shape

__all__ = ["plot_blame", "pixel_blame"]

HEATMAP_LIMIT = 64  # contribution matrices larger than this (either side) are not drawn as heatmaps
IMAGE_NEURONS = 4  # the most blamed first-layer neurons whose own share images are drawn
SHARE_CMAP = "magma_r"


def pixel_blame(share: np.ndarray, mean_abs_delta: np.ndarray) -> np.ndarray:
    """The share of the first layer's blame each input carries: ``sum_j mad_j share[k, j] / sum_j mad_j``.

    Neuron j's mean ``|delta_j|`` is handed out over its inputs k in proportion to ``share[k, j]`` (its
    input's mean ``|w[k, j] x_k|`` as a fraction of the total); the result sums to 1 over the inputs (all 0
    when no neuron is blamed).
    """
    mad = np.asarray(mean_abs_delta, dtype=float)
    total = float(mad.sum())
    if total <= 0:
        return np.zeros(share.shape[0])
    return np.asarray(share, dtype=float) @ mad / total


def _image_of(n_inputs: int, image_shape: tuple[int, int] | None) -> tuple[int, int] | None:
    """The (rows, columns) the inputs fold into, or None when they are not drawn as an image."""
    if image_shape is not None:
        return checked_image_shape(n_inputs, image_shape)
    side = int(np.sqrt(n_inputs))
    return (side, side) if n_inputs >= 64 and side * side == n_inputs else None


def plot_blame(
    source: Any,
    X: object | None = None,
    Y: object | None = None,
    *,
    max_neurons: int = 20,
    shares: bool = True,
    input_names: list[str] | None = None,
    image_shape: tuple[int, int] | None = None,
    path: str | os.PathLike[str] | None = None,
    dpi: float = 100,
) -> Any:
    """Draw a network's blame over (X, Y), or a ready :class:`glassnet.inspect.Blame`; returns the Figure.

    Parameters
    ----------
    source : a Network (then X and Y are required) or a Blame.
    max_neurons : the most bars per layer; wider layers show the neurons with the largest mean |delta|.
    shares : add the row of heatmaps of each neuron's input shares (skipped past 64 neurons a side).
    input_names : the inputs' names (with a Network), shown on the first layer's heatmap.
    image_shape : (rows, columns) of the input images; by default a square of at least 64 inputs (64 -> 8x8,
        784 -> 28x28) is taken for an image. The first layer's shares are then drawn in that shape: the share of
        the layer's blame each pixel carries (:func:`pixel_blame`) and the share images of the
        ``IMAGE_NEURONS`` most blamed neurons.

    Dead hidden neurons (never active on the examples, so never blamed: ``f'(s) = 0``) are labelled "dead"
    under their bar, lazy ones (rarely active) "lazy".
    """
    from ..inspect import Blame, blame

    if isinstance(source, Blame):
        result = source
    else:
        check_network(source)
        if X is None or Y is None:
            raise InputError("blame is measured on examples: give X and Y (or pass a ready Blame)")
        result = blame(source, X, Y, input_names=input_names)
    if not isinstance(result, Blame):
        raise InputTypeError(f"expected a Network or a Blame, got {type(source).__name__}")
    if max_neurons < 1:
        raise InputError(f"max_neurons must be at least 1, got {max_neurons}")

    n_layers = len(result.mean_abs_delta)
    picture = _image_of(result.sizes[0], image_shape) if shares else None
    rows = 2 if shares else 1
    fig = new_figure(max(4.0, 3.0 * n_layers + 0.6 + (2.4 if picture else 0.0)), 2.9 * rows + 0.5, dpi)
    ratios = [1.8 if picture and index == 0 else 1.0 for index in range(n_layers)]
    axes = fig.subplots(rows, n_layers, squeeze=False, width_ratios=ratios)
    top = max(float(m.max()) for m in result.mean_abs_delta if m.size) or 1.0
    for index in range(n_layers):
        mad = np.asarray(result.mean_abs_delta[index], dtype=float)
        n_out = mad.size
        is_output = index == n_layers - 1
        name = f"layer {index + 1}" + (" (output)" if is_output else "")
        ax = axes[0, index]
        if n_out > max_neurons:
            chosen = np.sort(np.argsort(-mad, kind="stable")[:max_neurons])
            note = f", the {max_neurons} most blamed of {n_out}"
        else:
            chosen = np.arange(n_out)
            note = ""
        positions = np.arange(chosen.size)
        ax.bar(
            positions,
            mad[chosen],
            color=NEGATIVE if is_output else POSITIVE,
            edgecolor="black",
            linewidth=0.4,
        )
        ax.set_xticks(positions)
        dead, lazy = result.dead(index + 1), result.lazy_neurons(index + 1)
        ax.set_xticklabels(
            [f"{j}\ndead" if j in dead else f"{j}\nlazy" if j in lazy else str(j) for j in chosen],
            fontsize=7 if chosen.size <= 12 else 5.5,
            rotation=0 if chosen.size <= 16 else 90,
        )
        ax.set_xlim(-0.6, max(chosen.size, 3) - 0.4)
        ax.set_ylim(0, top * 1.08)
        ax.set_xlabel("neuron", fontsize=8)
        if index == 0:
            ax.set_ylabel("mean |delta| per example", fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="y", alpha=0.3)
        ax.set_title(f"{name}, {result.activations[index]}{note}", fontsize=8.5)
        if not shares:
            continue
        share_ax = axes[1, index]
        share = np.asarray(result.shares[index], dtype=float)
        n_in = share.shape[0]
        if index == 0 and picture is not None:
            _draw_pixel_shares(fig, share_ax, share, mad, picture)
            continue
        if n_in > HEATMAP_LIMIT or n_out > HEATMAP_LIMIT:
            share_ax.axis("off")
            share_ax.text(
                0.5,
                0.5,
                f"{n_in} x {n_out} shares:\ntoo many to draw",
                ha="center",
                va="center",
                fontsize=8,
                transform=share_ax.transAxes,
            )
            continue
        image = share_ax.imshow(
            share,
            cmap="Greys",
            vmin=0,
            vmax=float(share.max()) or 1.0,
            aspect="auto",
            interpolation="nearest",
        )
        bar = fig.colorbar(image, ax=share_ax, shrink=0.9, pad=0.02)
        bar.ax.tick_params(labelsize=6)
        share_ax.set_xlabel(f"neuron j of layer {index + 1}", fontsize=8)
        upstream = "input k" if index == 0 else f"neuron k of layer {index}"
        share_ax.set_ylabel(upstream, fontsize=8)
        share_ax.set_xticks(np.arange(n_out) if n_out <= 12 else [])
        share_ax.set_yticks(np.arange(n_in) if n_in <= 12 else [])
        if index == 0 and result.input_names and n_in <= 12:
            share_ax.set_yticklabels(result.input_names)
        share_ax.tick_params(labelsize=7)
        share_ax.set_title("share of j's input from k (mean |w a|)", fontsize=8)
    fig.suptitle(
        f"blame over {result.n_samples} example{'s' if result.n_samples != 1 else ''}: "
        "each neuron's mean error |dJ/ds|, and whom it comes from",
        fontsize=10,
    )
    return finish(fig, path, dpi)


def _draw_pixel_shares(
    fig: Any, cell: Any, share: np.ndarray, mad: np.ndarray, picture: tuple[int, int]
) -> None:
    """In the cell of the first layer's heatmap: the pixels' share of the blame and the top neurons' shares."""
    rows, cols = picture
    spec = cell.get_subplotspec().subgridspec(2, 4, wspace=0.08, hspace=0.25)
    cell.remove()
    overall = pixel_blame(share, mad)
    ax = fig.add_subplot(spec[:, :2])
    image = ax.imshow(overall.reshape(rows, cols), cmap=SHARE_CMAP, vmin=0,
                      vmax=float(overall.max()) or 1.0, interpolation="nearest")
    ax.set_gid("pixel blame")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"each pixel's share of layer 1's blame\n(its {share.shape[1]} neurons' shares, by mean |delta|)",
                 fontsize=7.5)
    bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
    bar.ax.tick_params(labelsize=6)
    chosen = np.argsort(-mad, kind="stable")[: min(IMAGE_NEURONS, mad.size)]
    for place, j in enumerate(chosen):
        small = fig.add_subplot(spec[place // 2, 2 + place % 2])
        column = share[:, j]
        small.imshow(column.reshape(rows, cols), cmap=SHARE_CMAP, vmin=0, vmax=float(column.max()) or 1.0,
                     interpolation="nearest")
        small.set_gid(f"pixel shares {int(j)}")
        small.set_xticks([])
        small.set_yticks([])
        small.set_title(f"neuron {int(j)}'s input", fontsize=6.5, pad=2)
