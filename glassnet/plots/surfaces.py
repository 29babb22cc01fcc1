"""The cost surface of logistic regression (one sigmoid neuron) and the path gradient descent takes on it.

One neuron with one input ``x``, bias ``b0`` and weight ``b1`` predicts ``a = sigmoid(b0 + b1 x)``; with
the binary cross-entropy cost

    J(b0, b1) = 1/n sum_i [ ln(1 + e^{s_i}) - y_i s_i ],    s_i = b0 + b1 x_i

this is logistic regression. J is convex, a bowl with one lowest point; gradient descent walks down it.
The path is recorded by training a real glassnet neuron epoch by epoch (full batch: one step per epoch).
Given several learning rates, the surface is drawn once per rate, side by side, each with its own path, and a
last panel puts the cost after each step of every rate on one chart: a rate too small crawls, a good one goes
straight down, one too large overshoots the valley and zigzags (or climbs).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..activations import get_activation
from ..errors import InputError
from ._mpl import NEGATIVE, POSITIVE, finish, new_figure

__all__ = ["plot_cost_surface", "descent_path", "logistic_cost", "HOURS_STUDIED", "PASSED", "MAX_RATES"]

MAX_RATES = 6  # learning rates drawn side by side at most

# The textbook example of logistic regression (hours of study and whether 20 students passed an exam),
# whose maximum-likelihood fit is b0 = -4.078, b1 = 1.505.
HOURS_STUDIED = np.array(
    [
        0.50,
        0.75,
        1.00,
        1.25,
        1.50,
        1.75,
        1.75,
        2.00,
        2.25,
        2.50,
        2.75,
        3.00,
        3.25,
        3.50,
        4.00,
        4.25,
        4.50,
        4.75,
        5.00,
        5.50,
    ]
)
PASSED = np.array([0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1])


def _check_data(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1 or y.reshape(-1).shape != x.shape:
        raise InputError(
            f"the cost surface is for one feature: x needs shape (n,) or (n, 1) and y shape (n,); got x "
            f"{x.shape}, y {y.shape}"
        )
    y = y.reshape(-1)
    if x.size == 0 or not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InputError("x and y must be non-empty and finite")
    if y.min() < 0 or y.max() > 1:
        raise InputError("y must be 0/1 labels (or probabilities) for logistic regression")
    return x, y


def logistic_cost(b0: np.ndarray, b1: np.ndarray, x: object, y: object) -> np.ndarray:
    """``J(b0, b1) = mean_i [ln(1 + e^{s_i}) - y_i s_i]`` with ``s_i = b0 + b1 x_i``, for arrays of (b0, b1).

    Works through the (b0, b1) values in slices so a fine grid over many samples stays small in memory.
    """
    x, y = _check_data(x, y)
    b0 = np.asarray(b0, dtype=float)
    b1 = np.asarray(b1, dtype=float)
    b0, b1 = np.broadcast_arrays(b0, b1)
    flat0, flat1 = b0.ravel(), b1.ravel()
    result = np.empty(flat0.size)
    step = max(1, 2_000_000 // x.size)
    for start in range(0, flat0.size, step):
        s = flat0[start : start + step, None] + flat1[start : start + step, None] * x
        result[start : start + step] = (np.logaddexp(0, s) - y * s).mean(axis=1)
    return result.reshape(b0.shape)


def descent_path(
    x: object,
    y: object,
    start: tuple[float, float] = (0.0, 0.0),
    learning_rate: float = 0.5,
    epochs: int = 100,
    optimizer: str = "sgd",
) -> np.ndarray:
    """Train one glassnet sigmoid neuron by full-batch gradient descent; return its (b0, b1) after each step.

    Row 0 is ``start``; row e is the (bias, weight) after epoch e. The training is the library's own
    (:class:`glassnet.training.Trainer` with a callback that records the parameters).
    """
    from ..layers import Dense
    from ..network import Network
    from ..training import Callback, Trainer

    x, y = _check_data(x, y)
    b0, b1 = (float(v) for v in start)
    neuron = Dense(1, 1, "sigmoid", weights=[[b1]], bias=[b0])
    net = Network([neuron], cost="binary_cross_entropy", dtype="float64")
    path = [(b0, b1)]

    class Recorder(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            path.append((float(neuron.bias[0]), float(neuron.weights[0, 0])))

    trainer = Trainer(
        net, x.reshape(-1, 1), y, optimizer=optimizer, learning_rate=learning_rate, callbacks=[Recorder()]
    )
    trainer.run(epochs)
    return np.array(path)


def plot_cost_surface(
    x: object | None = None,
    y: object | None = None,
    *,
    start: tuple[float, float] = (0.0, -1.0),
    learning_rate: float | Sequence[float] = 0.5,
    epochs: int = 300,
    optimizer: str = "sgd",
    b0_range: tuple[float, float] | None = None,
    b1_range: tuple[float, float] | None = None,
    resolution: int = 120,
    path: str | os.PathLike[str] | None = None,
    dpi: float = 100,
    learning_rates: Sequence[float] | None = None,
) -> Any:
    """The cost J(b0, b1) of a one-neuron logistic regression as contours, with gradient descent's path.

    Without data, the textbook example of hours studied against passing an exam (20 students). Left: the
    cost surface with the path from ``start`` (a circle) to where it ended (a square) and the grid's lowest
    point (a star). Right: the data and the neuron's sigmoid at the start and at the end.

    Several learning rates (``learning_rates=[0.05, 0.5, 3]``, or a list as ``learning_rate``; at most
    :data:`MAX_RATES`): one surface per rate side by side, each with the path gradient descent takes from
    ``start`` at that rate (``b <- b - learning_rate * dJ/db``), and a last panel of the cost J after each
    step, one line per rate.
    """
    if x is None and y is None:
        x, y = HOURS_STUDIED, PASSED
    elif x is None or y is None:
        raise InputError("give both x and y, or neither for the built-in example")
    x, y = _check_data(x, y)
    rates = _rates(learning_rate, learning_rates)
    if len(rates) > 1 or learning_rates is not None:
        return _several_rates(x, y, rates, start, epochs, optimizer, b0_range, b1_range, resolution, path, dpi)
    learning_rate = rates[0]
    trail = descent_path(x, y, start, learning_rate, epochs, optimizer)

    def span(values: np.ndarray, given: tuple[float, float] | None) -> np.ndarray:
        if given is not None:
            lo, hi = float(given[0]), float(given[1])
            if not hi > lo:
                raise InputError(f"a range must run from low to high, got {given}")
        else:
            lo, hi = float(values.min()), float(values.max())
            pad = max(0.3 * (hi - lo), 1.0)
            lo, hi = lo - pad, hi + pad
        return np.linspace(lo, hi, int(resolution))

    if int(resolution) < 10:
        raise InputError(f"resolution must be at least 10, got {resolution}")
    b0s, b1s = span(trail[:, 0], b0_range), span(trail[:, 1], b1_range)
    B0, B1 = np.meshgrid(b0s, b1s)
    J = logistic_cost(B0, B1, x, y)

    fig = new_figure(10.0, 4.2, dpi)
    ax, data_ax = fig.subplots(1, 2, width_ratios=[1.2, 1])
    levels = np.quantile(J, np.linspace(0, 1, 25) ** 2)
    levels = np.unique(levels)
    filled = ax.contourf(B0, B1, J, levels=levels, cmap="viridis_r")
    ax.contour(B0, B1, J, levels=levels, colors="white", linewidths=0.3, alpha=0.6)
    bar = fig.colorbar(filled, ax=ax, shrink=0.85)
    bar.set_label("cost J (binary cross-entropy)", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    ax.plot(trail[:, 0], trail[:, 1], color=NEGATIVE, lw=1.5, marker=".", ms=3, label="gradient descent")
    ax.plot(
        *trail[0],
        "o",
        color="white",
        mec="black",
        ms=7,
        label=f"start ({trail[0, 0]:.2g}, {trail[0, 1]:.2g})",
    )
    ax.plot(
        *trail[-1],
        "s",
        color=NEGATIVE,
        mec="black",
        ms=7,
        label=f"after {len(trail) - 1} steps ({trail[-1, 0]:.3g}, {trail[-1, 1]:.3g})",
    )
    low = np.unravel_index(np.argmin(J), J.shape)
    ax.plot(B0[low], B1[low], "*", color="gold", mec="black", ms=12, label="lowest point of the grid")
    ax.set_xlabel("b0 (bias)")
    ax.set_ylabel("b1 (weight)")
    ax.set_title(f"J(b0, b1), learning rate {learning_rate:g}", fontsize=10)
    ax.legend(fontsize=7, loc="best", framealpha=0.85)

    grid = np.linspace(x.min() - 0.1 * np.ptp(x) - 0.1, x.max() + 0.1 * np.ptp(x) + 0.1, 200)
    data_ax.scatter(x, y, s=18, color=POSITIVE, edgecolors="black", linewidths=0.4, zorder=3, label="data")
    sigmoid = get_activation("sigmoid")  # the network's own sigmoid, which no large |s| can overflow
    for (c0, c1), style, label in ((trail[0], ":", "start"), (trail[-1], "-", "end")):
        data_ax.plot(
            grid, sigmoid.value(c0 + c1 * grid), style, color=NEGATIVE, label=f"sigmoid at the {label}"
        )
    data_ax.set_xlabel("x")
    data_ax.set_ylabel("y, and a = sigmoid(b0 + b1 x)")
    data_ax.set_ylim(-0.08, 1.08)
    data_ax.grid(alpha=0.3)
    data_ax.legend(fontsize=7, loc="best")
    data_ax.set_title("the neuron's fit", fontsize=10)
    fig.suptitle(
        "logistic regression is one neuron: its cost surface and gradient descent's path", fontsize=11
    )
    return finish(fig, path, dpi)


def _rates(learning_rate: object, learning_rates: Sequence[float] | None) -> list[float]:
    """The learning rates asked for, as a list of positive finite floats (one for a plain number)."""
    given: object = learning_rate if learning_rates is None else learning_rates
    if isinstance(given, (int, float, np.integer, np.floating)) and not isinstance(given, bool):
        values: list[object] = [given]
    elif isinstance(given, (str, bytes)) or not isinstance(given, Sequence | np.ndarray):
        raise InputError(f"learning rates must be numbers (a list of them, e.g. [0.05, 0.5, 3]), got {given!r}")
    else:
        values = list(given)
    if not 1 <= len(values) <= MAX_RATES:
        raise InputError(f"give 1 to {MAX_RATES} learning rates to draw side by side, got {len(values)}")
    rates = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise InputError(f"a learning rate must be a number, got {value!r}")
        if not (math.isfinite(float(value)) and float(value) > 0):
            raise InputError(f"a learning rate must be a finite number > 0, got {value!r}")
        rates.append(float(value))
    return rates


def _several_rates(
    x: np.ndarray,
    y: np.ndarray,
    rates: list[float],
    start: tuple[float, float],
    epochs: int,
    optimizer: str,
    b0_range: tuple[float, float] | None,
    b1_range: tuple[float, float] | None,
    resolution: int,
    path: str | os.PathLike[str] | None,
    dpi: float,
) -> Any:
    """One cost surface per learning rate with its path, side by side, and the cost per step of each."""
    if int(resolution) < 10:
        raise InputError(f"resolution must be at least 10, got {resolution}")
    trails = [descent_path(x, y, start, rate, epochs, optimizer) for rate in rates]
    every = np.concatenate(trails)

    def span(values: np.ndarray, given: tuple[float, float] | None) -> np.ndarray:
        if given is not None:
            lo, hi = float(given[0]), float(given[1])
            if not hi > lo:
                raise InputError(f"a range must run from low to high, got {given}")
        else:
            lo, hi = float(values.min()), float(values.max())
            pad = max(0.15 * (hi - lo), 1.0)
            lo, hi = lo - pad, hi + pad
        return np.linspace(lo, hi, int(resolution))

    B0, B1 = np.meshgrid(span(every[:, 0], b0_range), span(every[:, 1], b1_range))
    J = logistic_cost(B0, B1, x, y)
    levels = np.unique(np.quantile(J, np.linspace(0, 1, 25) ** 2))
    low = np.unravel_index(np.argmin(J), J.shape)
    fig = new_figure(3.4 * (len(rates) + 1) + 0.4, 3.6, dpi)
    axes = fig.subplots(1, len(rates) + 1)
    for ax, rate, trail in zip(axes[:-1], rates, trails, strict=True):
        ax.contourf(B0, B1, J, levels=levels, cmap="viridis_r")
        ax.contour(B0, B1, J, levels=levels, colors="white", linewidths=0.3, alpha=0.6)
        ax.plot(trail[:, 0], trail[:, 1], color=NEGATIVE, lw=1.2, marker=".", ms=2.5, label="gradient descent")
        ax.plot(*trail[0], "o", color="white", mec="black", ms=6)
        ax.plot(*trail[-1], "s", color=NEGATIVE, mec="black", ms=6)
        ax.plot(B0[low], B1[low], "*", color="gold", mec="black", ms=10)
        final = float(logistic_cost(trail[-1, 0], trail[-1, 1], x, y))
        ax.set_title(f"learning rate {rate:g}\nJ after {len(trail) - 1} steps: {final:.4g}", fontsize=9)
        ax.set_xlabel("b0 (bias)", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel("b1 (weight)", fontsize=8)
    curves = axes[-1]
    for rate, trail in zip(rates, trails, strict=True):
        costs = logistic_cost(trail[:, 0], trail[:, 1], x, y)
        curves.plot(np.arange(len(costs)), costs, lw=1.3, label=f"learning rate {rate:g}")
    curves.axhline(float(J[low]), color="gold", lw=1, ls="--", label="lowest of the grid")
    curves.set_yscale("log")
    curves.set_xlabel("step", fontsize=8)
    curves.set_ylabel("cost J", fontsize=8)
    curves.set_title("the cost after each step", fontsize=9)
    curves.legend(fontsize=7)
    curves.tick_params(labelsize=7)
    curves.grid(alpha=0.3)
    fig.suptitle("one neuron's cost surface and gradient descent at several learning rates", fontsize=11)
    return finish(fig, path, dpi)
