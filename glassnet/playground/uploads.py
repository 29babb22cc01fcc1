"""CSV files sent to the playground: read within the upload limits, with messages that name the file.

The text is written to a private temporary folder and read by :func:`glassnet.datasets.load_csv` (the
library's own reader, so a file the playground accepts loads the same way in a script); errors name the
file as the user called it, never the temporary path.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError
from .config import LIMITS, ConfigError

__all__ = ["Upload", "read_upload"]


@dataclass
class Upload:
    """A CSV file the user sent: its name, text and the Dataset read from it."""

    filename: str
    text: str
    target: str
    dataset: Any


def read_upload(text: str, filename: str = "upload.csv", target: str | None = None) -> Upload:
    """Read CSV text (header row first; ``target`` column, default the last) within the upload limits."""
    size = len(text.encode("utf-8"))
    if size > LIMITS["max_upload_bytes"]:
        raise ConfigError("upload", f"the file is {size:,} bytes; the limit is {LIMITS['max_upload_bytes']:,}")
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        raise ConfigError("upload", "the file needs a header row and at least one row of numbers")
    if len(lines) - 1 > LIMITS["max_upload_rows"]:
        raise ConfigError(
            "upload", f"the file has {len(lines) - 1:,} rows; the limit is {LIMITS['max_upload_rows']:,}"
        )
    header = _header(text)
    if len(header) > LIMITS["max_upload_columns"]:
        raise ConfigError(
            "upload", f"the file has {len(header)} columns; the limit is {LIMITS['max_upload_columns']}"
        )
    if target is None:
        target = header[-1]
    safe_name = re.sub(r"[^A-Za-z0-9_.\- ]", "_", os.path.basename(filename or "upload.csv"))[:100] or "upload.csv"
    dataset = _load(text, target, safe_name)
    if dataset.n_samples < 4:
        raise ConfigError("upload", f"{safe_name} has {dataset.n_samples} rows; at least 4 are needed")
    if not np.isfinite(dataset.y.astype(np.float64)).all():
        raise ConfigError("upload", f"{safe_name}: the target column holds NaN or infinite values")
    if dataset.task == "classification" and dataset.n_classes > 20:
        raise ConfigError("upload", f"{safe_name}: {dataset.n_classes} classes; the playground takes at most 20")
    return Upload(safe_name, text, target, dataset)


def _header(text: str) -> list[str]:
    """The column names as load_csv reads them: quoted names keep their commas and lose their quotes."""
    try:
        return next(
            [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), skipinitialspace=True) if any(row)
        )
    except csv.Error as e:
        raise ConfigError("upload", f"the header row is not valid CSV ({e})") from None


def _load(text: str, target: str, safe_name: str) -> Any:
    """The Dataset in ``text``, read by load_csv from a private temporary file."""
    from ..datasets import load_csv

    with tempfile.TemporaryDirectory(prefix="glassnet-upload-") as folder:
        path = os.path.join(folder, "upload.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        try:
            return load_csv(path, target)
        except (InputError, ValueError) as e:
            raise ConfigError("upload", str(e).replace(path, safe_name)) from None
