"""The activation functions f(s) and their slopes f'(s), drawn by the same objects the network uses."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from ..activations import get_activation
from ..errors import InputError
from ._mpl import NEGATIVE, POSITIVE, finish, new_figure

__all__ = ["plot_activations", "DEFAULT_ACTIVATIONS"]

DEFAULT_ACTIVATIONS = ("step", "sigmoid", "tanh", "arctan", "relu", "leaky_relu", "softplus", "identity")

STEP_NOTE = (
    "slope 0 everywhere\n(undefined at 0): every\ndelta through it is 0,\nso no weight ever moves.\n"
    "Gradient descent cannot\ntrain it; sigmoid is the\nsmooth step that can."
)


def plot_activations(
    names: list[str] | tuple[str, ...] | None = None,
    *,
    s_range: tuple[float, float] = (-5.0, 5.0),
    columns: int = 4,
    path: str | os.PathLike[str] | None = None,
    dpi: float = 100,
) -> Any:
    """One panel per activation: ``a = f(s)`` (solid) and its slope ``f'(s)`` (dashed); returns the Figure.

    The values and slopes come from glassnet's own activation objects (``value`` and ``slope``), so the
    picture shows what training uses. The step function's panel says why it cannot be trained: its
    slope is zero wherever it is defined. softmax is not drawn: it is not a function of one ``s``.
    """
    names = list(DEFAULT_ACTIVATIONS if names is None else names)
    if not names:
        raise InputError("name at least one activation to draw")
    activations = [get_activation(name) for name in names]
    for activation in activations:
        if not activation.elementwise:
            raise InputError(
                f"{activation.name!r} is not a function of one neuron's s (it mixes a whole layer), so it "
                "has no curve to draw; leave it out"
            )
    lo, hi = float(s_range[0]), float(s_range[1])
    if not hi > lo:
        raise InputError(f"s_range must run from low to high, got {s_range}")
    columns = max(1, min(int(columns), len(activations)))
    rows = math.ceil(len(activations) / columns)
    fig = new_figure(2.6 * columns, 2.3 * rows + 0.5, dpi)
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    s = np.linspace(lo, hi, 801)
    for ax, activation in zip(axes, activations, strict=False):
        a = activation.value(s.copy())
        ax.axhline(0, color="#999999", lw=0.6)
        ax.axvline(0, color="#999999", lw=0.6)
        if activation.trainable:
            slope = activation.slope(s, a)
            ax.plot(s, a, color=POSITIVE, lw=2, label="f(s)")
            ax.plot(s, slope, color=NEGATIVE, lw=1.5, ls="--", label="f'(s)")
        else:
            left, right = s <= 0, s > 0
            ax.plot(s[left], a[left], color=POSITIVE, lw=2, label="f(s)")
            ax.plot(s[right], a[right], color=POSITIVE, lw=2)
            ax.plot([0, 0], [0, 1], color=POSITIVE, lw=0.8, ls=":")
            ax.plot(s[left], np.zeros(left.sum()), color=NEGATIVE, lw=1.5, ls="--", label="f'(s) = 0")
            ax.plot(s[right], np.zeros(right.sum()), color=NEGATIVE, lw=1.5, ls="--")
            ax.plot([0], [0], "o", mfc="white", mec=NEGATIVE, ms=5)
            ax.text(
                0.03,
                0.97,
                STEP_NOTE,
                transform=ax.transAxes,
                fontsize=5.8,
                va="top",
                ha="left",
                bbox={"boxstyle": "round", "fc": "#fff3e0", "ec": NEGATIVE, "lw": 0.6},
            )
        ax.set_title(
            activation.name + ("  (cannot be trained)" if not activation.trainable else ""),
            fontsize=9,
            color="black" if activation.trainable else NEGATIVE,
        )
        ax.set_xlim(lo, hi)
        top = float(np.max(a))
        bottom = float(np.min(a))
        ax.set_ylim(min(-0.2, bottom - 0.1), max(1.2, min(top, 3.0) + 0.1))
        ax.tick_params(labelsize=7)
        ax.set_xlabel("s", fontsize=8, labelpad=1)
        ax.grid(alpha=0.25)
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes[len(activations) :]:
        ax.axis("off")
    fig.suptitle(
        "activation functions a = f(s) and their slopes f'(s) (what backpropagation multiplies by)",
        fontsize=10,
    )
    return finish(fig, path, dpi)
