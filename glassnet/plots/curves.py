"""Training curves: the cost and the accuracy after each epoch, on the training and validation rows."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import InputError, InputTypeError
from ._mpl import NEGATIVE, POSITIVE, finish, new_figure

__all__ = ["plot_history"]


def _series(values: Iterable[float | None] | None) -> np.ndarray:
    """A list of numbers (None where a value is missing) as floats with NaN for the gaps."""
    return np.array([np.nan if v is None else float(v) for v in (values or [])], dtype=float)


def plot_history(
    history: Any,
    *,
    log_cost: bool | None = None,
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
    dpi: float = 100,
) -> Any:
    """Cost (left) and accuracy (right, classification only) per epoch; returns the Figure.

    Parameters
    ----------
    history : a :class:`glassnet.training.History` (or its ``as_dict()``).
    log_cost : a logarithmic cost axis; by default when the cost falls by more than a factor of 30.

    The training cost of an epoch is the mean of its batches' costs, each measured just before that
    batch's step; the validation cost is measured after the epoch. A dotted line marks the best epoch
    when early stopping recorded one.
    """
    if isinstance(history, dict):
        from ..training import History

        history = History.from_dict(history)
    if not hasattr(history, "cost") or not hasattr(history, "val_cost"):
        raise InputTypeError(f"expected a training History, got {type(history).__name__}")
    cost = _series(history.cost)
    if cost.size == 0:
        raise InputError("the history is empty: train at least one epoch before drawing its curves")
    val_cost = _series(history.val_cost)
    accuracy = _series(history.accuracy)
    val_accuracy = _series(history.val_accuracy)
    has_accuracy = bool(np.isfinite(accuracy).any() or np.isfinite(val_accuracy).any())

    fig = new_figure(9.0 if has_accuracy else 5.0, 3.4, dpi)
    axes = fig.subplots(1, 2 if has_accuracy else 1, squeeze=False)[0]
    epochs = np.arange(1, cost.size + 1)
    marker = "o" if cost.size <= 30 else None

    ax = axes[0]
    ax.plot(epochs, cost, color=POSITIVE, marker=marker, ms=3, label="training")
    if val_cost.size:
        ax.plot(
            np.arange(1, val_cost.size + 1), val_cost, color=NEGATIVE, marker=marker, ms=3, label="validation"
        )
    finite = np.concatenate([cost[np.isfinite(cost)], val_cost[np.isfinite(val_cost)]])
    if log_cost is None:
        log_cost = bool(finite.size and finite.min() > 0 and finite.max() / finite.min() > 30)
    if log_cost:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost J")
    ax.set_title("cost", fontsize=10)

    if has_accuracy:
        acc_ax = axes[1]
        if np.isfinite(accuracy).any():
            acc_ax.plot(epochs, accuracy, color=POSITIVE, marker=marker, ms=3, label="training")
        if np.isfinite(val_accuracy).any():
            acc_ax.plot(
                np.arange(1, val_accuracy.size + 1),
                val_accuracy,
                color=NEGATIVE,
                marker=marker,
                ms=3,
                label="validation",
            )
        acc_ax.set_xlabel("epoch")
        acc_ax.set_ylabel("accuracy")
        acc_ax.set_ylim(-0.02, 1.02)
        acc_ax.set_title("accuracy", fontsize=10)

    best = getattr(history, "best_epoch", None)
    for ax in axes:
        if best is not None:
            ax.axvline(best + 1, color="#555555", ls=":", lw=1, label=f"best epoch ({best + 1})")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        if cost.size == 1:
            ax.set_xlim(0.5, 1.5)
    if title is None:
        title = f"training over {cost.size} epoch{'s' if cost.size != 1 else ''}"
        if getattr(history, "stopped_early", False):
            title += " (stopped early)"
    fig.suptitle(title, fontsize=11)
    return finish(fig, path, dpi)
