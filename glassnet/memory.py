"""Memory needs estimated before anything is allocated, and the limits a run or a data file must stay within.

A network of layer widths ``n_0, ..., n_L`` holds ``P = sum_l (n_{l-1} + 1) n_l`` parameters. Training it keeps,
per parameter, the weights and their gradients (BP3, BP4), the optimizer's memory (Adam's m, v and a scratch
array), a checkpoint's copy and early stopping's best weights: about ``7 * itemsize + 8`` bytes (the 8: each
Dense layer's float64 gradient arrays before the network binds them). Each row of data is kept as read
(float64), split, standardized and in the network's dtype, and its outputs and targets likewise.
:func:`training_bytes` adds these up; :func:`check_memory` refuses an estimate above the limit with a message
stating both and how to raise the limit, before a byte is allocated.

The limits, each raised by an option or an environment variable (sizes like ``512M``, ``8G``, ``1.5T``, or bytes):

- memory for one run: ``--max-memory`` (``glassnet train``), else ``$GLASSNET_MAX_MEMORY``, else a quarter of the
  machine's physical memory (at least 2 GiB), so that a run leaves room for everything else;
- the size of a data file read (CSV, NPZ, IDX, after decompression): ``max_bytes=`` of the readers, else
  ``$GLASSNET_MAX_DATA_SIZE``, else 4 GiB.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from .errors import InputError
from .fileio import DATA_SIZE_ENV, data_size_limit, format_size, parse_size

__all__ = ["DATA_SIZE_ENV", "MEMORY_ENV", "MemoryLimitError", "check_memory", "check_network_memory",
           "data_size_limit", "format_size",
           "memory_limit", "network_bytes", "parse_size", "training_bytes"]

MEMORY_ENV = "GLASSNET_MAX_MEMORY"
_MIN_DEFAULT_MEMORY = 2 << 30
_EVALUATION_ROWS = 1024   # the slice of rows Network.evaluate pushes through at a time


class MemoryLimitError(InputError):
    """A run or a data file would take more memory than its limit; the message gives both and how to raise it."""


def _physical_memory() -> int | None:
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def memory_limit(limit: object = None) -> tuple[int, str]:
    """The memory one run may take, and where that limit comes from (for the message)."""
    if limit is not None:
        return parse_size(limit, "the memory limit"), "--max-memory"
    if os.environ.get(MEMORY_ENV):
        return parse_size(os.environ[MEMORY_ENV], f"${MEMORY_ENV}"), f"${MEMORY_ENV}"
    physical = _physical_memory()
    if physical is None:
        return 4 * _MIN_DEFAULT_MEMORY, "the default"
    return max(physical // 4, _MIN_DEFAULT_MEMORY), "a quarter of this machine's memory"


def _checked_sizes(sizes: Sequence[object]) -> list[int]:
    widths = []
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise InputError(f"layer widths are whole numbers >= 1, got {n!r}")
        widths.append(int(n))
    return widths


def network_bytes(sizes: Sequence[int], dtype: object = "float32", *, training: bool = True) -> int:
    """The bytes a network of widths ``sizes`` keeps per parameter, times its parameters (see above); with
    ``training=False`` only what building it takes (weights, gradients and the layers' float64 gradients)."""
    widths = _checked_sizes(sizes)
    n_params = sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:], strict=False))
    item = np.dtype(dtype).itemsize  # type: ignore[call-overload]
    return n_params * ((7 if training else 2) * item + 8)


def training_bytes(n_rows: int, n_features: int, sizes: Sequence[int], dtype: object = "float32",
                   batch_size: int | None = 32) -> int:
    """An estimate of the memory training takes: the network's (:func:`network_bytes`), the data's and a
    batch's arrays (each layer's s, a, delta and a buffer, for a batch and for a slice of evaluated rows)."""
    widths = _checked_sizes(sizes)
    item = np.dtype(dtype).itemsize  # type: ignore[call-overload]
    n_outputs = widths[-1] if widths else 1
    data = n_rows * (n_features * (5 * 8 + item) + n_outputs * (2 * 8 + 2 * item))
    rows = max(min(batch_size or n_rows, n_rows), min(n_rows, _EVALUATION_ROWS))
    batch = rows * sum(widths) * item * 4
    return network_bytes(widths, dtype) + data + batch


def check_network_memory(sizes: object, dtype: object = "float32", limit: object = None) -> None:
    """Refuse a network whose building would need more than the memory limit (:func:`network_bytes` with
    ``training=False``), before its weights are allocated. Sizes or a dtype that are not valid are left for the
    network to name."""
    try:
        needed = network_bytes(list(sizes), dtype, training=False)  # type: ignore[call-overload]
    except (InputError, TypeError, ValueError):
        return
    check_memory(needed, f"a network of widths {list(sizes)}", limit)  # type: ignore[call-overload]


def check_memory(needed: int, what: str, limit: object = None) -> None:
    """Refuse (MemoryLimitError) ``what`` when its estimated ``needed`` bytes exceed the memory limit."""
    allowed, source = memory_limit(limit)
    if needed > allowed:
        raise MemoryLimitError(
            f"{what} would need about {format_size(needed)} of memory, more than the limit of "
            f"{format_size(allowed)} ({source}); use fewer rows or narrower layers, or raise the limit with "
            f"--max-memory SIZE (glassnet train) or {MEMORY_ENV}=SIZE, e.g. {MEMORY_ENV}=64G")
