"""Tables as people have them: the delimiter found from the header, columns chosen or dropped, text columns
one-hot encoded and missing cells filled, all recorded in a :class:`TableEncoding` that a model file keeps,
so that new rows are turned into numbers exactly as the training rows were.

One-hot: a text column with categories c_1 < ... < c_k (sorted) becomes k inputs, ``column=c_i``, the i-th
being 1 where the cell is c_i and 0 elsewhere. A category the encoding has not seen is refused, or (the
user's choice) encoded as all zeros. A column of numbers with a few words among them is taken for a
column of numbers with typing slips, and the first word is refused with its line, not encoded.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..validation import one_hot_rows
from .base import DatasetError

MISSING = ("", "nan", "na", "n/a", "null", "none", "?")  # cells read as missing values (compared lower-cased)
FILL_METHODS = ("mean", "median", "most-frequent")
TEXT_CHOICES = ("refuse", "one-hot")
UNSEEN_CHOICES = ("error", "zeros")
DELIMITERS = (",", ";", "\t")


def sniff_delimiter(header_line: str) -> str:
    """The field separator of a CSV file, from its header row: whichever of comma, semicolon and tab splits
    it into the most fields (comma when none does)."""
    best, fields = ",", 1
    for delimiter in DELIMITERS:
        try:
            n = len(next(csv.reader([header_line], delimiter=delimiter)))
        except (csv.Error, StopIteration):
            continue
        if n > fields:
            best, fields = delimiter, n
    return best


def _is_missing(cells: Sequence[str]) -> np.ndarray:
    return np.array([cell.lower() in MISSING for cell in cells], dtype=bool)


def _names(values: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(map(repr, values[:limit]))
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def choose_columns(path: Path, header: list[str], target: str | None, columns: Sequence[str] | None,
                   drop: Sequence[str] | None) -> list[str]:
    """The feature columns: ``columns`` in the order given, or every column but the target; less ``drop``."""
    wanted = list(columns) if columns else [name for name in header if name != target]
    unknown = [name for name in [*wanted, *(drop or ())] if name not in header]
    if unknown:
        raise DatasetError(f"{path}: no column(s) named {_names(unknown)}; the columns are: {', '.join(header)}")
    if target is not None and target in wanted and columns:
        raise DatasetError(f"{path}: {target!r} is the target; it cannot also be a feature column")
    chosen = [name for name in wanted if name not in set(drop or ())]
    if not chosen:
        raise DatasetError(f"{path}: no feature columns are left; a data set needs at least one feature")
    return chosen


@dataclass
class TableEncoding:
    """How a table's feature columns become the network's inputs.

    Attributes
    ----------
    columns : list of str
        The table's feature columns, in the order used.
    categories : dict
        For each text column, its categories (sorted): one 0/1 input each.
    fill : dict
        For each column, the value put in a missing cell (only with ``fill_missing``).
    fill_missing : {"mean", "median", "most-frequent"} or None
        How ``fill`` was computed (text columns always take their most frequent category); None: missing
        values are refused.
    """

    columns: list[str]
    categories: dict[str, list[str]] = field(default_factory=dict)
    fill: dict[str, Any] = field(default_factory=dict)
    fill_missing: str | None = None

    @property
    def feature_names(self) -> list[str]:
        """The inputs' names: a numeric column's own, ``column=category`` for each category of a text one."""
        names: list[str] = []
        for name in self.columns:
            names.extend([f"{name}={c}" for c in self.categories[name]] if name in self.categories else [name])
        return names

    # -- fitting ----------------------------------------------------------------------------------------------
    @classmethod
    def fit(cls, path: Path, header: list[str], rows: list[list[str]], lines: list[int], columns: list[str], *,
            text: str = "refuse", fill_missing: str | None = None,
            learn: Sequence[int] | np.ndarray | None = None) -> TableEncoding:
        """Learn the categories of the text columns and the fill values from ``rows`` (cells as read).

        ``learn``: the indices of the rows to learn them from, the training rows (default: every row). Every
        row is checked (a word in a column of numbers, a missing cell with nothing to fill it), but only the
        ``learn`` rows decide the categories and the fill values, so that nothing of the rows held out for
        the test leaks into the encoding: a category only they have is unseen, and a fill value is the
        training rows' mean, median or most frequent value.
        """
        from .files import _parse_features

        if text not in TEXT_CHOICES:
            raise DatasetError(f"text must be one of {TEXT_CHOICES}, got {text!r}")
        if fill_missing is not None and fill_missing not in FILL_METHODS:
            raise DatasetError(f"fill_missing must be one of {', '.join(FILL_METHODS)}, got {fill_missing!r}")
        encoding = cls(columns=list(columns), fill_missing=fill_missing)
        learning = np.ones(len(rows), dtype=bool)
        if learn is not None:
            learning[:] = False
            learning[np.asarray(learn, dtype=np.intp)] = True
        problems = []  # columns the old rules refuse: reported below, the first bad cell row by row
        for name in columns:
            j = header.index(name)
            cells = [row[j] for row in rows]
            values = _numbers(cells)
            if values is not None and np.isfinite(values).all():  # the common case: numbers, none missing
                if fill_missing is not None:
                    encoding.fill[name] = _fill_value(values[learning], fill_missing)
                continue
            missing = _is_missing(cells)
            present = [cell for cell, gone in zip(cells, missing, strict=True) if not gone]
            if not present:
                raise DatasetError(f"{path}, column {name!r}: every value is missing; drop the column")
            learned = [cell for cell, gone, used in zip(cells, missing, learning, strict=True) if used and not gone]
            if not learned:
                raise DatasetError(f"{path}, column {name!r}: every value of the training rows is missing, so "
                                   "there is nothing to learn it from; drop the column")
            values = _numbers(present)
            if values is not None and not np.isfinite(values).all():
                problems.append(j)
                continue
            if values is None and (text != "one-hot" or _mostly_numbers(present)):
                problems.append(j)  # mostly numbers with a word among them: a typing slip, not categories
                continue
            if missing.any() and fill_missing is None:
                if values is not None:
                    problems.append(j)
                    continue
                line = lines[int(np.argmax(missing))]
                raise DatasetError(
                    f"{path}, line {line}, column {name!r}: missing value {cells[int(np.argmax(missing))]!r}; "
                    "fill it in or drop the row, or let glassnet fill it (fill_missing=, glassnet train "
                    "--fill-missing mean|median|most-frequent)"
                )
            if values is None:
                categories, counts = np.unique(np.array(learned), return_counts=True)
                encoding.categories[name] = [str(c) for c in categories]
                if fill_missing is not None:
                    encoding.fill[name] = str(categories[int(np.argmax(counts))])
            elif fill_missing is not None:
                encoding.fill[name] = _fill_value(np.array(learned, dtype=np.float64), fill_missing)
        if problems:
            _parse_features(path, rows, lines, problems, header)
        return encoding

    # -- using it ---------------------------------------------------------------------------------------------
    def transform(self, path: Path, header: list[str], rows: list[list[str]], lines: list[int], *,
                  unseen: str = "error") -> tuple[np.ndarray, dict[str, list[str]]]:
        """The rows as the inputs the encoding names (float64), and for each text column the categories it
        met that it had not seen (encoded as all zeros when ``unseen="zeros"``; refused when "error")."""
        if unseen not in UNSEEN_CHOICES:
            raise DatasetError(f"unseen must be one of {UNSEEN_CHOICES}, got {unseen!r}")
        lacking = [name for name in self.columns if name not in header]
        if lacking:
            raise DatasetError(f"{path}: the model needs the column(s) {_names(lacking)}, which the file lacks; "
                               f"it has: {', '.join(header)}")
        blocks: list[np.ndarray] = []
        met: dict[str, list[str]] = {}
        for name in self.columns:
            j = header.index(name)
            if name not in self.categories:  # the common case: numbers, none missing
                values = _numbers([row[j] for row in rows])
                if values is not None and np.isfinite(values).all():
                    blocks.append(values[:, None])
                    continue
            cells = np.array([row[j] for row in rows], dtype=object)
            missing = _is_missing(list(cells))
            if missing.any():
                if name not in self.fill:
                    i = int(np.argmax(missing))
                    raise DatasetError(
                        f"{path}, line {lines[i]}, column {name!r}: missing value {cells[i]!r}; the model was "
                        "trained without filling missing values: fill it in or drop the row"
                    )
                cells[missing] = str(self.fill[name])
            if name in self.categories:
                blocks.append(self._one_hot(path, name, cells.astype(str), lines, unseen, met))
            else:
                values = _numbers(list(cells))
                if values is None or not np.isfinite(values).all():
                    from .files import _parse_features

                    _parse_features(path, [[str(c)] for c in cells], lines, [0], [name])
                assert values is not None  # _parse_features raised otherwise
                blocks.append(values[:, None])
        return np.hstack(blocks) if blocks else np.zeros((len(rows), 0)), met

    def _one_hot(self, path: Path, name: str, cells: np.ndarray, lines: list[int], unseen: str,
                 met: dict[str, list[str]]) -> np.ndarray:
        categories = np.array(self.categories[name])
        index = np.searchsorted(categories, cells).clip(0, len(categories) - 1)
        known = categories[index] == cells
        if not known.all():
            new = sorted({str(c) for c in cells[~known].tolist()})
            if unseen == "error":
                i = int(np.argmin(known))
                raise DatasetError(
                    f"{path}, line {lines[i]}, column {name!r}: {str(cells[i])!r} is not among the categories the "
                    f"model was trained on ({_names(self.categories[name], 8)}); give --unseen zeros (unseen='zeros') "
                    "to encode an unseen category as all zeros, or train on data that has it"
                )
            met[name] = new
        block = one_hot_rows(index, len(categories))
        block[~known] = 0  # an unseen category: all zeros (unseen='zeros'; 'error' refused it above)
        return block

    # -- the model file ---------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"columns": list(self.columns), "categories": {k: list(v) for k, v in self.categories.items()},
                "fill": dict(self.fill), "fill_missing": self.fill_missing}

    @classmethod
    def from_dict(cls, record: dict) -> TableEncoding:
        """The encoding a model file recorded (checked: names are text, categories sorted and distinct)."""
        columns = [str(c) for c in record["columns"]]
        categories = {str(k): [str(c) for c in v] for k, v in dict(record.get("categories") or {}).items()}
        for name, values in categories.items():
            if name not in columns or values != sorted(set(values)) or not values:
                raise ValueError(f"the categories of {name!r} are malformed")
        fill = dict(record.get("fill") or {})
        if not set(fill) <= set(columns):
            raise ValueError("a fill value names a column the encoding does not use")
        method = record.get("fill_missing")
        if method is not None and method not in FILL_METHODS:
            raise ValueError(f"unknown fill_missing {method!r}")
        return cls(columns=columns, categories=categories, fill=fill, fill_missing=method)


def _numbers(cells: Sequence[str]) -> np.ndarray | None:
    """The cells as float64, or None when one of them is not a number (a text column)."""
    try:
        return np.array(cells, dtype=np.float64)
    except ValueError:
        return None


def _mostly_numbers(cells: Sequence[str]) -> bool:
    """Whether more than half of the cells are numbers."""
    numbers = 0
    for cell in cells:
        try:
            float(cell)
            numbers += 1
        except ValueError:
            pass
    return numbers > len(cells) / 2


def _fill_value(values: np.ndarray, method: str) -> float:
    if method == "mean":
        return float(np.mean(values))
    if method == "median":
        return float(np.median(values))
    distinct, counts = np.unique(values, return_counts=True)
    return float(distinct[int(np.argmax(counts))])  # the most frequent; the smallest of a tie
