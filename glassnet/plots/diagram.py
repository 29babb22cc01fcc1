"""The network diagram: neurons as circles, connections as lines whose width is |w| and colour its sign.

Three views of the same drawing:

- ``"weights"``: only the connections; the neurons are left white.
- ``"forward"`` (give ``x``): forward propagation of one example. Each neuron is filled by its activation
  ``a = f(s)`` (inputs by ``x`` itself) and the arrows run from the inputs to the outputs.
- ``"backward"`` (give ``x`` and ``y``): backpropagation of that example's cost. Each neuron is filled by
  its error ``delta = dJ/ds`` and the arrows run from the outputs back to the inputs, the way the blame
  travels (BP2: ``delta_l = (delta_{l+1} @ W_{l+1}^T) * f'(s_l)``).

Weights are stored (n_in, n_out): the line from neuron k of one layer to neuron j of the next is
``layer.weights[k, j]``, the tutorials' ``w_jk``. Layers wider than ``max_neurons`` show their first and
last neurons with a "..." between them.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import InputError
from ._mpl import (
    NEGATIVE,
    NEURON_CMAP,
    POSITIVE,
    check_network,
    colormap,
    elide,
    finish,
    new_figure,
    require_matplotlib,
)

__all__ = ["plot_network", "line_width"]

VIEWS = ("weights", "forward", "backward")
RADIUS = 0.32
MIN_WIDTH, MAX_WIDTH = 0.4, 5.0
ZERO = "#999999"


def line_width(magnitude: np.ndarray, largest: float, widest: float = MAX_WIDTH) -> np.ndarray:
    """Line width in points for weights of size ``|w|``: linear from 0.4 (w = 0) to ``widest`` (max |w|)."""
    if largest <= 0:
        return np.full(np.shape(magnitude), MIN_WIDTH)
    return MIN_WIDTH + (widest - MIN_WIDTH) * np.asarray(magnitude) / largest


def _one_example(network: Any, x: object, y: object | None) -> tuple[np.ndarray, np.ndarray | None]:
    array = np.asarray(x)
    X = network.check_X(array.astype(float).reshape(1, -1) if array.ndim <= 1 else array)
    if len(X) != 1:
        raise InputError(f"the diagram shows one example; x has {len(X)} rows (pick one, e.g. X[0])")
    if y is None:
        return X, None
    Y = np.asarray(y)
    Y = Y.reshape(1) if Y.ndim == 0 else Y.reshape(1, -1)
    return X, Y


def _neuron_values(network: Any, view: str, x: object, y: object) -> list[np.ndarray | None]:
    """Per layer (inputs first) the numbers that fill the neurons, or None for a white layer."""
    if view == "weights":
        return [None] * (len(network.layers) + 1)
    X, Y = _one_example(network, x, y)
    if view == "forward":
        network.forward(X)  # the engine's own forward pass; each layer keeps its a
        return [X[0].astype(float)] + [layer.a[0].astype(float).copy() for layer in network.layers]
    network.gradients(X, Y)  # one example: delta is exactly dJ/ds of this example's cost
    return [None] + [layer.delta[0].astype(float).copy() for layer in network.layers]


def _output_labels(network: Any, class_names: list[str] | None) -> list[str] | None:
    """The label beside each output neuron, from the class names (None: no labels)."""
    if class_names is None:
        return None
    names = [str(name) for name in class_names]
    n = network.n_outputs
    if len(names) == n:
        return names
    if n == 1 and len(names) == 2:
        return [f"{names[1]} (vs {names[0]})"]
    raise InputError(
        f"class_names has {len(names)} names but the network has {n} output neuron{'s' if n != 1 else ''}: give one "
        "name per output neuron (two for a single sigmoid output)"
    )


def _layer_title(network: Any, index: int) -> str:
    if index == 0:
        return f"inputs\n({network.n_inputs})"
    layer = network.layers[index - 1]
    name = "output" if index == len(network.layers) else f"hidden {index}"
    return f"{name}\n({layer.n_out}, {layer.activation.name})"


def plot_network(
    network: Any,
    x: object | None = None,
    y: object | None = None,
    *,
    view: str | None = None,
    max_neurons: int = 10,
    values: bool | None = None,
    title: str | None = None,
    class_names: list[str] | None = None,
    path: str | os.PathLike[str] | None = None,
    dpi: float = 100,
) -> Any:
    """Draw the network; returns the matplotlib Figure (saved to ``path``, .png or .svg, when given).

    Parameters
    ----------
    network : a glassnet Network.
    x, y : one example (``x`` of ``n_inputs`` numbers; ``y`` its target: a class label, or the output
        row). The view defaults to ``"backward"`` when ``y`` is given, ``"forward"`` when only ``x`` is,
        else ``"weights"``.
    view : ``"weights"``, ``"forward"`` (neurons filled by activation a) or ``"backward"`` (by delta).
    max_neurons : the most neurons drawn per layer; wider layers are elided with "...".
    values : write each neuron's number inside it: its activation or delta, or in the weights view its
        bias ``b`` (default: on).
    class_names : the classes the output neurons stand for, written beside them: one per output neuron, or
        two for a single sigmoid output (which gives the probability of the second).

    Line ``width = 0.4 + 4.6 |w| / max|w|`` points, blue for ``w > 0``, orange for ``w < 0``. The lines
    are one LineCollection (gid ``"connections"``) and each neuron a Circle with gid ``"neuron L J"``
    (layer L, 0 for the inputs; neuron J), so tests and tools can read what was drawn.
    """
    require_matplotlib()
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle

    check_network(network)
    if view is None:
        view = "backward" if y is not None else "forward" if x is not None else "weights"
    if view not in VIEWS:
        raise InputError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    if view != "weights" and x is None:
        raise InputError(f"the {view} view needs an example x (and y for the backward view)")
    if view == "backward" and y is None:
        raise InputError("the backward view needs the example's target y as well as x")
    if values is None:
        values = True
    output_labels = _output_labels(network, class_names)

    fills = _neuron_values(network, view, x, y)
    sizes = network.sizes
    shown = [elide(n, max_neurons) for n in sizes]
    slots = max(len(idx) + (gap is not None) for idx, gap in shown)

    # Neuron positions: layer l at x = l * spacing; shown neurons (and the gap) stacked, centred on y = 0.
    spacing = 2.4
    positions: list[dict[int, tuple[float, float]]] = []
    gaps: list[tuple[float, float] | None] = []
    for li, (idx, gap) in enumerate(shown):
        count = len(idx) + (gap is not None)
        top = (count - 1) / 2
        layer_pos, slot = {}, 0
        gap_pos = None
        for i, j in enumerate(idx):
            if gap is not None and i == gap:
                gap_pos = (li * spacing, top - slot)
                slot += 1
            layer_pos[j] = (li * spacing, top - slot)
            slot += 1
        positions.append(layer_pos)
        gaps.append(gap_pos)

    width = 1.6 + 1.75 * len(sizes) + (0.6 if output_labels is not None else 0.0)
    height = 1.9 + 0.5 * slots
    fig = new_figure(width, height, dpi)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.axis("off")

    # Connections, layer by layer: the line from neuron k below to neuron j above is weights[k, j].
    segments, weights = [], []
    for li, layer in enumerate(network.layers, start=1):
        below, above = positions[li - 1], positions[li]
        W = np.asarray(layer.weights, dtype=float)
        for k, start in below.items():
            for j, end in above.items():
                segments.append((start, end))
                weights.append(W[k, j])
    weights_arr = np.array(weights)
    magnitude = np.abs(weights_arr)
    largest = float(magnitude.max()) if magnitude.size else 0.0
    dense = max(len(positions[li - 1]) * len(positions[li]) for li in range(1, len(positions))) > 40
    widths = line_width(magnitude, largest, MAX_WIDTH * (0.6 if dense else 1.0))
    colors = [POSITIVE if w > 0 else NEGATIVE if w < 0 else ZERO for w in weights_arr]
    lines = LineCollection(
        segments, linewidths=widths, colors=colors, alpha=0.55 if dense else 0.75, zorder=1, capstyle="butt"
    )
    lines.set_gid("connections")
    ax.add_collection(lines)

    # Arrowheads at the circle's edge: toward the outputs (forward) or back toward the inputs (backward).
    heads = []
    for (start, end), w in zip(segments, widths, strict=True):
        a, b = (np.array(end), np.array(start)) if view == "backward" else (np.array(start), np.array(end))
        direction = (b - a) / np.linalg.norm(b - a)
        normal = np.array([-direction[1], direction[0]])
        tip = b - direction * RADIUS
        size = 0.06 if dense else 0.07 + 0.012 * w
        heads.append(
            [tip, tip - direction * 2 * size + normal * size, tip - direction * 2 * size - normal * size]
        )
    arrows = PolyCollection(heads, facecolors=colors, edgecolors="none", alpha=0.9, zorder=1.5)
    arrows.set_gid("arrowheads")
    ax.add_collection(arrows)

    # Neurons.
    numbers = [v for v in fills if v is not None]
    vmax = max((float(np.abs(v).max()) for v in numbers if v.size), default=1.0) or 1.0
    norm = Normalize(-vmax, vmax)
    cmap = colormap(NEURON_CMAP)
    for li, layer_pos in enumerate(positions):
        for j, (cx, cy) in layer_pos.items():
            value = None if (fill := fills[li]) is None else fill[j]
            face = "white" if value is None else cmap(norm(value))
            circle = Circle((cx, cy), RADIUS, facecolor=face, edgecolor="#333333", linewidth=1.0, zorder=2)
            circle.set_gid(f"neuron {li} {j}")
            ax.add_patch(circle)
            if values and value is not None:
                dark = abs(norm(value) - 0.5) > 0.35
                label = f"{value + 0.0:.2g}"
                ax.text(
                    cx,
                    cy,
                    label,
                    ha="center",
                    va="center",
                    fontsize=6.5 if len(label) <= 5 else 5,
                    zorder=3,
                    color="white" if dark else "black",
                )
            elif values and view == "weights" and li > 0:
                bias = float(network.layers[li - 1].bias[j]) + 0.0
                ax.text(cx, cy, f"b={bias:.2g}", ha="center", va="center", fontsize=6, zorder=3, color="#333333")
            if output_labels is not None and li == len(sizes) - 1:
                text = ax.text(cx + RADIUS + 0.12, cy, output_labels[j], ha="left", va="center", fontsize=7, zorder=3)
                text.set_gid(f"class {j}")
        if (gap_at := gaps[li]) is not None:
            gx, gy = gap_at
            hidden = sizes[li] - len(layer_pos)
            ax.text(gx, gy, f"⋮ {hidden} more", ha="center", va="center", fontsize=7, zorder=3)
        ax.text(
            li * spacing,
            (slots - 1) / 2 + 0.75,
            _layer_title(network, li),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xlim(-0.8, (len(sizes) - 1) * spacing + (0.8 if output_labels is None else 1.6))
    ax.set_ylim(-(slots - 1) / 2 - 0.6, (slots - 1) / 2 + 1.6)

    # Legend: the colours and widths of the lines, and a colour bar for the neurons' numbers.
    handles = [
        Line2D([], [], color=POSITIVE, lw=3, label="w > 0"),
        Line2D([], [], color=NEGATIVE, lw=3, label="w < 0"),
        Line2D(
            [],
            [],
            color="#555555",
            lw=float(widths.max()) if widths.size else MAX_WIDTH,
            label=f"width ∝ |w| (max {largest:.3g})",
        ),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=3,
        fontsize=7,
        frameon=False,
        handlelength=2.2,
    )
    if view != "weights":
        label = "activation a" if view == "forward" else "delta = dJ/ds"
        bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, pad=0.01)
        bar.set_label(label, fontsize=8)
        bar.ax.tick_params(labelsize=7)

    arch = "-".join(str(n) for n in sizes)
    if title is None:
        title = {
            "weights": f"network {arch}: the weights",
            "forward": f"network {arch}, forward pass of one example:\nneurons filled by activation a = f(s)",
            "backward": f"network {arch}, backward pass of one example:\nneurons filled by delta = dJ/ds, "
            "flowing back to the inputs",
        }[view]
    ax.set_title(title, fontsize=9)
    return finish(fig, path, dpi)
