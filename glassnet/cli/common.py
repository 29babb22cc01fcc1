"""What every command of the ``glassnet`` command line shares: exit codes, the error it reports in one line,
output, the short descriptions it prints, and the argparse types of its options."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from ..errors import GlassnetError

EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 130  # a usage error exits 2 from argparse itself
TASK_NAMES = {"classify": "classification", "regress": "regression"}

MODEL_HELP = "a model file written by glassnet train (or net.save / clf.save)"


class CommandError(GlassnetError):
    """A problem the command line reports in one line and exits 1."""


def _say(*parts: object, file: Any = None) -> None:
    print(*parts, file=file or sys.stdout, flush=True)


def _task_flag(task: str) -> str:
    return {v: k for k, v in TASK_NAMES.items()}[task]


def _describe_network(network: Any) -> str:
    names = [layer.activation.name for layer in network.layers]
    hidden = sorted(set(names[:-1]))
    return (f"{'-'.join(map(str, network.sizes))} network ({', '.join(hidden) + ' hidden, ' if hidden else ''}"
            f"{names[-1]} output, cost {network.cost_function.name}, {network.n_params} parameters)")


def _format_metrics(metrics: dict | None) -> str:
    if not metrics:
        return "-"
    parts = []
    for key, value in metrics.items():
        if value is None:
            continue
        parts.append(f"{key} {value:.2%}" if key == "accuracy" else f"{key} {value:.4g}")
    return "   ".join(parts)


_LARGEST_STANDARDIZABLE = 1e150   # |x| above this: x**2 (1e300 and more) and a sum of such overflow float64


def _check_standardizable(X: np.ndarray, names: Any, data: str) -> None:
    """Refuse inputs that cannot be standardized: infinite values, or values so large that their squares
    overflow float64 in the standard deviation (numpy would only warn, and the standardizer then speak of
    infinite values the data does not hold). ``names`` names the columns. Reads X without copying it."""
    X = np.asarray(X)
    if X.ndim != 2 or X.dtype.kind != "f" or X.size == 0:
        return   # integers (images) always fit
    with np.errstate(invalid="ignore"):
        largest = np.maximum(np.abs(X.max(axis=0)), np.abs(X.min(axis=0)))
    bad = np.flatnonzero(~np.isfinite(largest))
    if bad.size:
        col = int(bad[0])
        row = int(np.flatnonzero(~np.isfinite(X[:, col]))[0])
        raise CommandError(f"{data}: row {row + 1}, column {_column(names, col)} is {X[row, col]}; the inputs "
                           "must be finite numbers (for a made-up set: a smaller --noise)")
    bad = np.flatnonzero(largest > _LARGEST_STANDARDIZABLE)
    if bad.size:
        col = int(bad[0])
        raise CommandError(
            f"{data}: column {_column(names, col)} holds values as large as {largest[col]:g}, too large to "
            "standardize (their squares overflow float64); rescale the column (say, to thousands) or drop it (for a "
            "made-up set: a smaller --noise)")


def _column(names: Any, j: int) -> str:
    try:
        return repr(str(names[j]))
    except (IndexError, TypeError):
        return str(j + 1)


_STORED_OPTIONS: dict[str, tuple[str, Any]] = {   # name: (what it must be, the test)
    "seed": ("a whole number >= 0", lambda v: type(v) is int and v >= 0),
    "epochs": ("a whole number >= 1", lambda v: type(v) is int and v >= 1),
    "batch_size": ("a whole number >= 0", lambda v: type(v) is int and v >= 0),
    "samples": ("null or a whole number >= 1", lambda v: v is None or type(v) is int and v >= 1),
    "early_stopping": ("null or a whole number >= 1", lambda v: v is None or type(v) is int and v >= 1),
    "layers": ("a list of whole numbers >= 1",
               lambda v: isinstance(v, list) and all(type(n) is int and n >= 1 for n in v)),
    "columns": ("null or a list of names", lambda v: v is None or isinstance(v, list) and all(
        isinstance(n, str) for n in v)),
    "drop": ("null or a list of names", lambda v: v is None or isinstance(v, list) and all(
        isinstance(n, str) for n in v)),
    **{key: ("null or a number", lambda v: v is None or not isinstance(v, bool) and isinstance(v, (int, float)))
       for key in ("learning_rate", "l2", "noise", "validation_split", "test_split")},
    **{key: ("null or text", lambda v: v is None or isinstance(v, str))
       for key in ("target", "task", "activation", "optimizer", "dtype", "data_dir", "fill_missing")},
}


def _check_stored_options(stored: dict, path: Any) -> None:
    """The options ``glassnet train`` keeps in a checkpoint, checked before a resumed run uses them: a file
    that holds others (crafted or damaged) is refused in one line instead of failing deep inside."""
    for key, (wanted, fits) in _STORED_OPTIONS.items():
        if key in stored and not fits(stored[key]):
            raise CommandError(f"'{path}' holds the option {key}={str(stored[key])[:60]!r}, not {wanted}; the "
                               "checkpoint is damaged: train afresh without --resume")


# -- argparse types -------------------------------------------------------------------------------------------
def _convert(kind: type, text: str, expected: str) -> Any:
    """``kind(text)``, or the usage error "expected EXPECTED, got TEXT" when the text is not one."""
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def _int_list(text: str) -> list[int]:
    text = text.strip()
    if text.lower() in ("", "none", "0"):
        return []
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected widths separated by commas, like 64,32; got {text!r}") from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"layer widths must be at least 1, got {text!r}") from None
    return values


def _name_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _batch(text: str) -> int:
    if text.strip().lower() == "full":
        return 0
    value = _convert(int, text, "a whole number of rows or 'full'")
    if value < 1:  # 0 is how a checkpoint stores 'full'; typed, it is a mistake
        raise argparse.ArgumentTypeError(f"the batch size must be at least 1 row (or 'full'), got {value}") from None
    return value


def _whole(text: str) -> int:
    """A whole number, also written as 1e8 or 2.5e6 (but not 2.5)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not np.isfinite(value) or not value.is_integer() or abs(value) >= 2**63:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    return int(value)


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = _whole(text) if kind is int else _convert(kind, text, "a number")
        if not np.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"expected a number greater than 0, got {text!r}") from None
        return value

    parse.__name__ = f"positive {kind.__name__}"
    return parse


def _count(text: str) -> int:
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 0, got {text!r}") from None
    return value


def _size(text: str) -> int:
    """A size in bytes: 512M, 8G, 1.5T or a number of bytes."""
    from ..memory import parse_size

    try:
        return parse_size(text)
    except GlassnetError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _fraction(text: str) -> float:
    value = _convert(float, text, "a fraction between 0 and 1")
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction at least 0 and below 1, got {text!r}") from None
    return value


def _non_negative(text: str) -> float:
    value = _convert(float, text, "a number")
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, got {text!r}") from None
    return value


def _command() -> str:
    """How to type ``glassnet`` in this shell, so that printed hints work as printed.

    ``glassnet`` when that name on PATH is the command running now; else the running script's path, relative to
    the working directory when it lies below it (``.venv/bin/glassnet`` after ``make demo``); ``python -m
    glassnet`` runs give the interpreter the same way.
    """
    import os
    import shutil
    from pathlib import Path

    def shown(path: Path) -> str:
        path = Path(os.path.abspath(path))
        try:
            return str(path.relative_to(os.path.abspath(os.getcwd())))
        except ValueError:
            return str(path)

    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name in ("glassnet", "glassnet.exe") and script.exists():
        on_path = shutil.which("glassnet")
        if on_path is not None and os.path.samefile(on_path, script):
            return "glassnet"
        return shown(script)
    on_path = shutil.which("glassnet")
    if on_path is not None and Path(on_path).parent == Path(sys.executable).parent:
        return "glassnet"
    return f"{shown(Path(sys.executable))} -m glassnet"
