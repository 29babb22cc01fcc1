"""The confusion matrix: how often each true class (rows) was predicted as each class (columns)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..errors import InputError
from ._mpl import finish, new_figure

__all__ = ["confusion_matrix", "plot_confusion_matrix"]

NORMALIZE = (None, "true", "pred", "all")


def _labels(name: str, values: object) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] > 1:
        array = array.argmax(axis=1)  # one-hot rows or class scores
    array = array.reshape(-1)
    if array.size and (array.dtype.kind not in "iub" and not np.all(np.equal(np.mod(array, 1), 0))):
        raise InputError(f"{name} must hold whole-number class labels 0..k-1")
    array = array.astype(np.int64)
    if array.size and array.min() < 0:
        raise InputError(f"{name} has a negative class label ({array.min()}); labels run 0..k-1")
    return array


def confusion_matrix(y_true: object, y_pred: object, n_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of rows whose true class is i and predicted class is j (labels 0..k-1).

    ``y_true`` and ``y_pred`` are class labels (or one-hot rows / class scores, reduced by argmax).
    """
    t, p = _labels("y_true", y_true), _labels("y_pred", y_pred)
    if t.shape != p.shape:
        raise InputError(f"y_true has {t.size} labels but y_pred has {p.size}")
    k = int(max(t.max(initial=-1), p.max(initial=-1)) + 1)
    if n_classes is not None:
        if k > n_classes:
            raise InputError(f"a label {k - 1} is out of range for {n_classes} classes")
        k = int(n_classes)
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)


def _normalise(counts: np.ndarray, normalize: str | None) -> np.ndarray:
    if normalize not in NORMALIZE:
        raise InputError(f"normalize must be one of None, 'true', 'pred', 'all'; got {normalize!r}")
    counts = counts.astype(float)
    if normalize is None:
        return counts
    total = {
        "true": counts.sum(axis=1, keepdims=True),
        "pred": counts.sum(axis=0, keepdims=True),
        "all": counts.sum(),
    }[normalize]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, counts / np.where(total > 0, total, 1), 0.0)


def plot_confusion_matrix(
    y_true: object,
    y_pred: object,
    *,
    class_names: list[str] | None = None,
    normalize: str | None = None,
    title: str | None = None,
    path: str | os.PathLike[str] | None = None,
    dpi: float = 100,
) -> Any:
    """The confusion matrix as a grid of cells, true class down, predicted class across; returns the Figure.

    ``normalize``: None (counts), ``"true"`` (each row sums to 1: the fraction of each true class),
    ``"pred"`` (each column sums to 1) or ``"all"``. Each cell shows its number; the diagonal holds
    the rows classified right. Past 30 classes the numbers are left out and only the colours remain.
    """
    k = None if class_names is None else len(class_names)
    counts = confusion_matrix(y_true, y_pred, k)
    k = counts.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    values = _normalise(counts, normalize)
    size = min(max(3.6, 0.45 * k + 2.0), 14.0)
    fig = new_figure(size + 0.8, size, dpi)
    ax = fig.add_subplot()
    image = ax.imshow(values, cmap="Blues", vmin=0, interpolation="nearest")
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label("count" if normalize is None else f"fraction (normalised over {normalize})", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    if k <= 30:
        top = float(values.max()) or 1.0
        fontsize = 9 if k <= 10 else 6
        for i in range(k):
            for j in range(k):
                v = values[i, j]
                text = f"{int(v)}" if normalize is None else f"{v:.2f}"
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color="white" if v > 0.55 * top else "black",
                )
    ticks = np.arange(k)
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    fontsize = 8 if k <= 15 else 6
    ax.set_xticklabels(
        names,
        rotation=45 if max(map(len, names)) > 3 else 0,
        ha="right" if max(map(len, names)) > 3 else "center",
        fontsize=fontsize,
    )
    ax.set_yticklabels(names, fontsize=fontsize)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    right = int(np.trace(counts))
    total = int(counts.sum())
    if title is None:
        title = f"confusion matrix: {right} of {total} right" + (f" ({right / total:.1%})" if total else "")
    ax.set_title(title, fontsize=10)
    return finish(fig, path, dpi)
