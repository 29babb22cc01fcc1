"""What every picture shares: the lazy matplotlib import, new figures, atomic saving, colours, checks.

matplotlib is an optional extra (``pip install "glassnet[plots]"``), imported only when a picture is
drawn. Pictures are drawn on a bare :class:`matplotlib.figure.Figure`, never through ``pyplot``: no
global figure list, no backend switch, nothing left open: drawing works on a machine without a screen,
figures are freed like any Python object, and a caller's own pyplot state is left alone.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError, InputTypeError, MissingExtraError
from ..fileio import atomic_write_bytes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

INSTALL = 'pip install "glassnet[plots]"'

# Connections: blue for a positive weight, orange for a negative one (readable by most colour-blind eyes).
POSITIVE = "#1f77b4"
NEGATIVE = "#e6550d"
# Neuron fills (activation, delta): a diverging map centred on 0 that does not clash with the lines.
NEURON_CMAP = "PiYG"
# Weights shown as images: red negative, blue positive, white zero.
WEIGHT_CMAP = "RdBu"
FORMATS = ("png", "svg")


def require_matplotlib() -> Any:
    """Import matplotlib, or raise MissingExtraError naming the extra that installs it."""
    try:
        return importlib.import_module("matplotlib")
    except ImportError:
        raise MissingExtraError(
            f"glassnet's pictures need matplotlib, which is not installed; install it with {INSTALL}"
        ) from None


def new_figure(width: float, height: float, dpi: float = 100) -> Figure:
    """A bare Figure (no pyplot, no global state) of ``width`` x ``height`` inches."""
    require_matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=dpi, layout="constrained")


def colormap(name: str) -> Any:
    """The registered colormap ``name`` (without touching pyplot)."""
    import matplotlib

    return matplotlib.colormaps[name]


def image_format(path: str | os.PathLike[str]) -> str:
    """``"png"`` or ``"svg"`` from the file name's extension, or a clear error."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise InputError(
            f"cannot tell the picture format of '{path}': name the file with .png or .svg "
            f"(got {('.' + suffix) if suffix else 'no extension'})"
        )
    return suffix


def figure_bytes(fig: Figure, fmt: str = "png", dpi: float | None = None) -> bytes:
    """The figure rendered to PNG or SVG bytes in memory."""
    import io

    if fmt not in FORMATS:
        raise InputError(f"picture format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    buffer = io.BytesIO()
    options: dict[str, Any] = {"format": fmt, "dpi": dpi or fig.dpi}
    if fmt == "svg":
        options["metadata"] = {"Date": None}  # the same picture gives the same file
    else:
        options["metadata"] = {"Software": None}
    fig.savefig(buffer, **options)
    return buffer.getvalue()


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically: readers see the old file or the new one, never half a picture."""
    atomic_write_bytes(path, data)
    return Path(path)


def finish(fig: Figure, path: str | os.PathLike[str] | None, dpi: float | None = None) -> Figure:
    """Save ``fig`` to ``path`` (PNG or SVG by extension, atomically) when a path is given; return it."""
    if path is not None:
        atomic_write(path, figure_bytes(fig, image_format(path), dpi))
    return fig


# -- checks shared by the pictures ------------------------------------------------------------------------
def check_network(network: object) -> Any:
    """``network`` if it looks like a glassnet Network, else a clear error."""
    if not hasattr(network, "layers") or not hasattr(network, "cost_function"):
        raise InputTypeError(f"expected a glassnet Network, got {type(network).__name__}")
    return network


def check_plane(network: Any, what: str) -> None:
    """Refuse pictures over the input plane for networks that do not take exactly two inputs."""
    if network.n_inputs != 2:
        raise InputError(
            f"{what} is drawn over the plane of two inputs; this network takes {network.n_inputs} inputs"
        )


def plane_grid(
    X: np.ndarray | None, resolution: int, margin: float = 0.1, default: tuple[float, float] = (-1.5, 1.5)
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xs, ys, points)``: a resolution x resolution grid covering X (plus a margin) and its points."""
    resolution = int(resolution)
    if resolution < 2:
        raise InputError(f"resolution must be at least 2, got {resolution}")
    if X is None or len(X) == 0:
        lo = np.array([default[0], default[0]])
        hi = np.array([default[1], default[1]])
    else:
        lo, hi = X.min(axis=0).astype(float), X.max(axis=0).astype(float)
        span = np.where(hi > lo, hi - lo, 1.0)
        lo, hi = lo - margin * span, hi + margin * span
    xs = np.linspace(lo[0], hi[0], resolution)
    ys = np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def layer_outputs(network: Any, X: np.ndarray) -> list[np.ndarray]:
    """Every layer's activations for X, ``[a_1, ..., a_L]``, without disturbing the arrays layers keep.

    Uses each layer's ``evaluate`` (the same ``s = a_prev @ W + b``, ``a = f(s)`` as training), so a
    picture drawn between two training steps changes nothing.
    """
    outputs = []
    a = np.asarray(X, dtype=network.dtype)
    for layer in network.layers:
        _, a = layer.evaluate(a)
        outputs.append(a)
    return outputs


def labels_of(network: Any, Y: object, n: int) -> np.ndarray:
    """Integer class labels from Y as given to training (labels, one-hot rows or 0/1 columns)."""
    Y = np.asarray(Y)
    if len(Y) != n:
        raise InputError(f"X has {n} rows but Y has {len(Y)}")
    if Y.ndim == 2 and Y.shape[1] > 1:
        return Y.argmax(axis=1).astype(np.int64)
    labels = Y.reshape(-1)
    if labels.dtype.kind == "f":
        if not np.all(np.equal(np.mod(labels, 1), 0)):
            labels = labels > 0.5
    return labels.astype(np.int64)


def class_colors(n_classes: int) -> list[Any]:
    """Distinct colours for up to 20 classes."""
    if n_classes > 20:
        raise InputError(f"pictures of classes go up to 20 classes, this problem has {n_classes}")
    cmap = colormap("tab10" if n_classes <= 10 else "tab20")
    return [cmap(i) for i in range(n_classes)]


def elide(n: int, max_shown: int) -> tuple[list[int], int | None]:
    """Which of ``n`` neurons to show when at most ``max_shown`` fit, and where the gap goes.

    Returns the shown indices (first half and last half) and the position in that list before which a
    "..." marker stands, or None when everything is shown.
    """
    if max_shown < 2:
        raise InputError(f"max_neurons must be at least 2, got {max_shown}")
    if n <= max_shown:
        return list(range(n)), None
    head = (max_shown + 1) // 2
    tail = max_shown - head
    return list(range(head)) + list(range(n - tail, n)), head
