"""Blame as a picture: each neuron's mean |delta| over a batch, and where each neuron's input comes from.

Top row, one panel per layer: bars of each neuron's mean ``|delta|`` (``delta = dJ/ds``, per example),
the error backpropagation hands it. Bottom row: for each layer, the share of neuron j's input carried by
upstream neuron k, ``mean |w[k, j] a_k|`` divided by its column's total; "neurons blame the most active
upstream neurons" made visible. The numbers come from :func:`glassnet.inspect.blame`.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import InputError, InputTypeError
from ._mpl import NEGATIVE, POSITIVE, check_network, finish, new_figure

__all__ = ["plot_blame"]

HEATMAP_LIMIT = 64  # contribution matrices larger than this (either side) are not drawn as heatmaps


def plot_blame(
    source: Any,
    X: object | None = None,
    Y: object | None = None,
    *,
    max_neurons: int = 20,
    shares: bool = True,
    input_names: list[str] | None = None,
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
    rows = 2 if shares else 1
    fig = new_figure(max(4.0, 3.0 * n_layers + 0.6), 2.9 * rows + 0.5, dpi)
    axes = fig.subplots(rows, n_layers, squeeze=False)
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
