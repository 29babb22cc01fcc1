"""Pictures over the input plane of a 2-D problem.

- :func:`plot_decision_boundary`: what the network predicts at every point of the plane (the class, or
  for regression the value), with the data points on top;
- :func:`plot_hidden_activations`: every hidden neuron's activation over the plane, one small heatmap each,
  showing the pieces (lines, bends, blobs) the output layer combines.

Both evaluate the network on a grid with each layer's ``evaluate`` (the same ``s = a_prev @ W + b``,
``a = f(s)`` as training) and leave the arrays the layers keep untouched.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InputError
from ._mpl import (
    check_network,
    check_plane,
    class_colors,
    colormap,
    elide,
    finish,
    labels_of,
    layer_outputs,
    new_figure,
    plane_grid,
    require_matplotlib,
)

__all__ = ["plot_decision_boundary", "plot_hidden_activations"]


def _checked_points(network: Any, X: object | None) -> np.ndarray | None:
    if X is None:
        return None
    return network.check_X(X)


def _n_classes(network: Any) -> int:
    cost = network.cost_function
    if cost.name == "binary_cross_entropy":
        if network.n_outputs != 1:
            raise InputError(
                "the decision boundary is drawn for one yes/no output or one softmax over classes; this "
                f"network has {network.n_outputs} independent sigmoid outputs"
            )
        return 2
    return network.n_outputs


def plot_decision_boundary(
    network: Any,
    X: object | None = None,
    y: object | None = None,
    *,
    class_names: list[str] | None = None,
    output: int = 0,
    resolution: int = 200,
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
    dpi: float = 100,
    feature_names: Sequence[str] | None = None,
    inputs: Any = None,
    targets: Any = None,
) -> Any:
    """The network's answer over the plane of its two inputs, with the points (X, y) on top.

    Classification: each point of the plane is coloured by the predicted class, paler where the network
    is less sure (for one sigmoid output, by ``P(class 1)`` with the line ``a = 0.5`` drawn). Regression:
    the value of output ``output`` as a heatmap, the points coloured by their targets on the same scale.

    ``feature_names`` label the two axes (default x1, x2). ``inputs`` is the scaling the network's inputs go
    through (a :class:`~glassnet.datasets.Standardizer`, or anything with ``transform`` and
    ``inverse_transform``): X is then in the units the data has, the plane is drawn in those units, and the
    network is given ``inputs.transform(plane)``, as ``glassnet train`` feeds it (z = (x - mean) / scale).
    ``targets`` (regression) is the scaling of the targets: y is then in the target's units, and so is the
    surface, ``targets.inverse_transform(output)``.

    The plane spans X plus a 10% margin (``[-1.5, 1.5]^2`` of the network's inputs without X). Returns the
    Figure.
    """
    require_matplotlib()
    from matplotlib.colors import LinearSegmentedColormap, Normalize

    check_network(network)
    check_plane(network, "the decision boundary")
    xlabel, ylabel = _axis_names(feature_names)
    points = _checked_points(network, X)
    if points is not None and inputs is not None:  # the data's own units, in float64 (a price is no float32)
        points = np.asarray(X, dtype=np.float64).reshape(points.shape)
    if points is None and inputs is not None:  # the default square of the network's inputs, in the data's units
        corners = np.asarray(inputs.inverse_transform(np.array([[-1.5, -1.5], [1.5, 1.5]])), dtype=np.float64)
        xs, ys, grid = plane_grid(corners, resolution, margin=0.0)
    else:
        xs, ys, grid = plane_grid(points, resolution)
    shape = (len(ys), len(xs))
    extent = (xs[0], xs[-1], ys[0], ys[-1])
    out = network.predict(grid if inputs is None else inputs.transform(grid))
    fed = points if points is None or inputs is None else inputs.transform(points)  # what the network is given
    cost = network.cost_function

    fig = new_figure(5.6, 4.6, dpi)
    ax = fig.add_subplot()
    if cost.is_classification:
        k = _n_classes(network)
        colors = np.array(class_colors(k))[:, :3]
        names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
        if len(names) != k:
            raise InputError(f"class_names has {len(names)} names but the network tells {k} classes apart")
        if network.n_outputs == 1:
            p = out[:, 0].reshape(shape)
            cmap = LinearSegmentedColormap.from_list(
                "glassnet_two_classes", [0.35 + 0.65 * colors[0], (1, 1, 1), 0.35 + 0.65 * colors[1]]
            )
            image = ax.imshow(
                p,
                origin="lower",
                extent=extent,
                aspect="auto",
                cmap=cmap,
                vmin=0,
                vmax=1,
                interpolation="bilinear",
            )
            ax.contour(xs, ys, p, levels=[0.5], colors="black", linewidths=1.2)
            bar = fig.colorbar(image, ax=ax, shrink=0.8)
            bar.set_label(f"P({names[1]})", fontsize=8)
        else:
            predicted = out.argmax(axis=1).reshape(shape)
            sure = out.max(axis=1).reshape(shape)
            strength = 0.2 + 0.45 * np.clip((sure - 1 / k) / (1 - 1 / k), 0, 1)
            rgb = 1 - strength[..., None] * (1 - colors[predicted])
            ax.imshow(rgb, origin="lower", extent=extent, aspect="auto", interpolation="bilinear")
            ax.contour(xs, ys, predicted, levels=np.arange(k - 1) + 0.5, colors="black", linewidths=0.8)
        if points is not None and y is not None:
            labels = labels_of(network, y, len(points))
            if labels.min() < 0 or labels.max() >= k:
                raise InputError(f"class labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}")
            for c in range(k):
                chosen = labels == c
                ax.scatter(
                    points[chosen, 0],
                    points[chosen, 1],
                    s=16,
                    color=colors[c],
                    edgecolors="black",
                    linewidths=0.5,
                    label=names[c],
                    zorder=3,
                )
            accuracy = float(np.mean(network.predict_classes(fed) == labels))
            ax.legend(fontsize=8, loc="best", framealpha=0.8)
        elif points is not None:
            ax.scatter(points[:, 0], points[:, 1], s=12, color="#333333", zorder=3)
            accuracy = None
        else:
            accuracy = None
        if title is None:
            title = "decision boundary" + ("" if accuracy is None else f" (accuracy {accuracy:.1%})")
    else:
        if not 0 <= output < network.n_outputs:
            raise InputError(f"output must lie in 0..{network.n_outputs - 1}, got {output}")
        surface = out[:, output].reshape(shape)
        if targets is not None:  # the network's output in the target's units, y = mean + scale * output
            surface = np.asarray(targets.inverse_transform(surface.reshape(-1)), dtype=np.float64).reshape(shape)
        values = [surface]
        targets = None
        if points is not None and y is not None:
            targets = np.asarray(y, dtype=float)
            targets = targets.reshape(len(points), -1)[:, output] if targets.ndim > 1 else targets.reshape(-1)
            if len(targets) != len(points):
                raise InputError(f"X has {len(points)} rows but y has {len(targets)}")
            values.append(targets)
        lo = min(float(np.min(v)) for v in values)
        hi = max(float(np.max(v)) for v in values)
        norm = Normalize(lo, hi if hi > lo else lo + 1)
        image = ax.imshow(
            surface,
            origin="lower",
            extent=extent,
            aspect="auto",
            cmap="viridis",
            norm=norm,
            interpolation="bilinear",
        )
        ax.contour(xs, ys, surface, levels=8, colors="white", linewidths=0.5, alpha=0.6)
        if points is not None:
            if targets is not None:
                ax.scatter(
                    points[:, 0],
                    points[:, 1],
                    c=targets,
                    cmap="viridis",
                    norm=norm,
                    s=16,
                    edgecolors="white",
                    linewidths=0.6,
                    zorder=3,
                )
            else:
                ax.scatter(points[:, 0], points[:, 1], s=12, color="white", edgecolors="black", zorder=3)
        bar = fig.colorbar(image, ax=ax, shrink=0.8)
        bar.set_label("network output" + (f" {output}" if network.n_outputs > 1 else "")
                      + (", in the target's units" if targets is not None else ""), fontsize=8)
        if title is None:
            title = "regression surface (points coloured by their targets)"
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    return finish(fig, path, dpi)


def _axis_names(feature_names: Sequence[str] | None) -> tuple[str, str]:
    """The two axes' labels: the inputs' names, or x1 and x2."""
    if feature_names is None:
        return "x1", "x2"
    names = [str(name) for name in feature_names]
    if len(names) != 2:
        raise InputError(f"feature_names has {len(names)} names; the plane has two inputs")
    return names[0], names[1]


def plot_hidden_activations(
    network: Any,
    X: object | None = None,
    y: object | None = None,
    *,
    include_output: bool = True,
    max_neurons: int = 16,
    resolution: int = 60,
    columns: int | None = None,
    path: str | os.PathLike[str] | None = None,
    dpi: float = 100,
) -> Any:
    """Each hidden neuron's activation ``a = f(s)`` over the input plane, as a grid of small heatmaps.

    One row of panels per layer (wrapped when wide; at most ``max_neurons`` per layer, first and last),
    the output layer last when ``include_output``. Colours run from the smallest to the largest
    activation seen in that layer, so neurons of one layer compare directly. The points of X, if given,
    are drawn faintly on each panel (coloured by class when y is given for a classifier).
    """
    check_network(network)
    check_plane(network, "a neuron's activation over the input plane")
    if len(network.layers) < 2 and not include_output:
        raise InputError(
            "this network has no hidden layer; pass include_output=True to see the output neurons"
        )
    points = _checked_points(network, X)
    xs, ys, grid = plane_grid(points, resolution)
    shape = (len(ys), len(xs))
    extent = (xs[0], xs[-1], ys[0], ys[-1])
    activations = layer_outputs(network, grid)
    chosen_layers = list(range(len(network.layers) - (0 if include_output else 1)))
    shown = {li: elide(network.layers[li].n_out, max_neurons)[0] for li in chosen_layers}
    widest = max(len(v) for v in shown.values())
    columns = columns or min(widest, 8)
    rows_per_layer = {li: math.ceil(len(shown[li]) / columns) for li in chosen_layers}
    n_rows = sum(rows_per_layer.values())

    point_colors = None
    if points is not None and y is not None and network.cost_function.is_classification:
        labels = labels_of(network, y, len(points))
        palette = np.array(class_colors(max(int(labels.max()) + 1, 2)))
        point_colors = palette[labels]

    fig = new_figure(1.35 * columns + 1.2, 1.45 * n_rows + 0.6, dpi)
    grid_spec = fig.add_gridspec(n_rows, columns + 1, width_ratios=[1] * columns + [0.08])
    row = 0
    for li in chosen_layers:
        layer = network.layers[li]
        a = activations[li]
        neurons = shown[li]
        lo, hi = float(a[:, neurons].min()), float(a[:, neurons].max())
        if hi <= lo:
            hi = lo + 1e-9
        cmap = colormap("RdBu_r" if lo < 0 < hi else "viridis")
        images = []
        name = "output" if li == len(network.layers) - 1 else f"hidden {li + 1}"
        for i, j in enumerate(neurons):
            ax = fig.add_subplot(grid_spec[row + i // columns, i % columns])
            images.append(
                ax.imshow(
                    a[:, j].reshape(shape),
                    origin="lower",
                    extent=extent,
                    aspect="auto",
                    cmap=cmap,
                    vmin=lo,
                    vmax=hi,
                    interpolation="bilinear",
                )
            )
            if points is not None:
                ax.scatter(
                    points[:, 0],
                    points[:, 1],
                    s=2,
                    c="black" if point_colors is None else point_colors,
                    alpha=0.35,
                    linewidths=0,
                )
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{name} #{j}", fontsize=7, pad=2)
        bar_ax = fig.add_subplot(grid_spec[row : row + rows_per_layer[li], columns])
        bar = fig.colorbar(images[-1], cax=bar_ax)
        bar.ax.tick_params(labelsize=6)
        bar.set_label(f"a ({layer.activation.name})", fontsize=7)
        row += rows_per_layer[li]
    fig.suptitle("each neuron's activation over the input plane (x1 across, x2 up)", fontsize=9)
    return finish(fig, path, dpi)
