"""Tables as people have them: the delimiter found from the header, columns chosen or dropped, text columns
one-hot encoded and missing cells filled, all recorded in a :class:`TableEncoding` that a model file keeps,
so that new rows are turned into numbers exactly as the training rows were.

One-hot: a text column with categories c_1 < ... < c_k (sorted) becomes k inputs, ``column=c_i``, the i-th
being 1 where the cell is c_i and 0 elsewhere. A category the encoding has not seen is refused, or (the
user's choice) encoded as all zeros. A column of numbers with a few words among them is taken for a
column of numbers with typing slips, and the first word is refused with its line, not encoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .base import DatasetError
from .csvstream import DELIMITERS, sniff_delimiter, table_from_rows
from .csvtable import MISSING, Column, CsvTable, number

__all__ = ["DELIMITERS", "FILL_METHODS", "MISSING", "TableEncoding", "choose_columns", "sniff_delimiter"]

FILL_METHODS = ("mean", "median", "most-frequent")
TEXT_CHOICES = ("refuse", "one-hot")
UNSEEN_CHOICES = ("error", "zeros")


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
    def fit(cls, path: Path, header: list[str], rows: Sequence[Sequence[str]], lines: Sequence[int],
            columns: list[str], *, text: str = "refuse", fill_missing: str | None = None,
            learn: Sequence[int] | np.ndarray | None = None) -> TableEncoding:
        """Learn the categories of the text columns and the fill values from ``rows`` (cells as read: a
        :class:`~glassnet.datasets.csvstream.CsvTable` as :func:`~glassnet.datasets.files.read_csv_rows` gives
        it, or lists of strings).

        ``learn``: the indices of the rows to learn them from, the training rows (default: every row). Every
        row is checked (a word in a column of numbers, a missing cell with nothing to fill it), but only the
        ``learn`` rows decide the categories and the fill values, so that nothing of the rows held out for
        the test leaks into the encoding: a category only they have is unseen, and a fill value is the
        training rows' mean, median or most frequent value.
        """
        if text not in TEXT_CHOICES:
            raise DatasetError(f"text must be one of {TEXT_CHOICES}, got {text!r}")
        if fill_missing is not None and fill_missing not in FILL_METHODS:
            raise DatasetError(f"fill_missing must be one of {', '.join(FILL_METHODS)}, got {fill_missing!r}")
        table = table_from_rows(path, header, rows, lines)
        encoding = cls(columns=list(columns), fill_missing=fill_missing)
        learning = np.ones(len(table), dtype=bool)
        if learn is not None:
            learning[:] = False
            learning[np.asarray(learn, dtype=np.intp)] = True
        problems = []  # columns the old rules refuse: reported below, the first bad cell row by row
        for name in columns:
            j = table.header.index(name)
            column = table.column(j)
            if column.codes is None:  # the common case: numbers, none missing
                if fill_missing is not None:
                    encoding.fill[name] = _fill_value(column.values[learning], fill_missing)
                continue
            missing, numeric = column.kinds()
            present = ~missing
            if not present.any():
                raise DatasetError(f"{path}, column {name!r}: every value is missing; drop the column")
            learned = present & learning
            if not learned.any():
                raise DatasetError(f"{path}, column {name!r}: every value of the training rows is missing, so "
                                   "there is nothing to learn it from; drop the column")
            words = bool((present & ~numeric).any())  # some present cell is not a number: a text column?
            if not words and (present & (column.codes >= 0)).any():
                problems.append(j)  # numbers, some of them infinite
                continue
            if words and (text != "one-hot" or np.count_nonzero(numeric & present) > np.count_nonzero(present) / 2):
                problems.append(j)  # mostly numbers with a word among them: a typing slip, not categories
                continue
            if missing.any() and fill_missing is None:
                if not words:
                    problems.append(j)
                    continue
                i = int(np.argmax(missing))
                raise DatasetError(
                    f"{path}, line {table.lines[i]}, column {name!r}: missing value "
                    f"{column.texts[int(column.codes[i])]!r}; fill it in or drop the row, or let glassnet fill it "
                    "(fill_missing=, glassnet train --fill-missing mean|median|most-frequent)"
                )
            if words:
                raw = table.raw(j) if (learned & (column.codes < 0)).any() else column  # numbers as spelt
                assert raw.codes is not None
                counts = np.bincount(raw.codes[learned], minlength=len(raw.texts))
                used = np.flatnonzero(counts)
                categories, inverse = np.unique(np.array([raw.texts[c] for c in used]), return_inverse=True)
                encoding.categories[name] = [str(c) for c in categories]
                if fill_missing is not None:
                    totals = np.bincount(inverse.ravel(), weights=counts[used])
                    encoding.fill[name] = str(categories[int(np.argmax(totals))])  # the smallest of a tie
            elif fill_missing is not None:
                encoding.fill[name] = _fill_value(column.values[learned], fill_missing)
        if problems:
            refuse_first_bad(path, table, problems)
        return encoding

    # -- using it ---------------------------------------------------------------------------------------------
    def transform(self, path: Path, header: list[str], rows: Sequence[Sequence[str]], lines: Sequence[int], *,
                  unseen: str = "error") -> tuple[np.ndarray, dict[str, list[str]]]:
        """The rows as the inputs the encoding names (float64), and for each text column the categories it
        met that it had not seen (encoded as all zeros when ``unseen="zeros"``; refused when "error")."""
        if unseen not in UNSEEN_CHOICES:
            raise DatasetError(f"unseen must be one of {UNSEEN_CHOICES}, got {unseen!r}")
        lacking = [name for name in self.columns if name not in header]
        if lacking:
            raise DatasetError(f"{path}: the model needs the column(s) {_names(lacking)}, which the file lacks; "
                               f"it has: {', '.join(header)}")
        return self.encode(path, table_from_rows(path, header, rows, lines), unseen=unseen)

    def encode(self, path: Path, table: CsvTable, *, unseen: str = "error",
               in_place: bool = False) -> tuple[np.ndarray, dict[str, list[str]]]:
        """:meth:`transform` of a table read. ``in_place``: when the table's first group holds exactly this
        encoding's columns, X is built in that group's own memory (widened for the one-hot inputs), which
        uses the table up: no second array of the table's size is ever allocated."""
        n = len(table)
        plans: list[tuple[str, np.ndarray | None, float]] = []
        met: dict[str, list[str]] = {}
        for name in self.columns:  # every check first: a refused call has built nothing
            plans.append(self._plan(path, table, name, unseen, met))
        widths = [len(self.categories[name]) if name in self.categories else 1 for name in self.columns]
        starts = (np.cumsum(widths, dtype=np.intp) - widths).astype(np.intp)  # each column's first input
        width = int(sum(widths))
        X = None
        own = [table.header.index(c) for c in self.columns]
        if in_place and table.groups and table.columns[:table.groups[0].shape[1]] == own:
            X = _widen(table, starts, width)
        if X is None:
            X = np.empty((n, width))
            for p, name in zip(starts.tolist(), self.columns, strict=True):
                if name not in self.categories:
                    X[:, p] = table.column(table.header.index(name)).values
        for p, w, (kind, cells, value) in zip(starts.tolist(), widths, plans, strict=True):
            if kind == "fill":
                assert cells is not None
                X[cells, p] = value
            elif kind == "one-hot":
                assert cells is not None
                X[:, p:p + w] = 0
                known = np.flatnonzero(cells >= 0)
                X[known, p + cells[known]] = 1  # an unseen category: all zeros (unseen='zeros'; 'error' refused it)
        return X, met

    def _plan(self, path: Path, table: CsvTable, name: str, unseen: str,
              met: dict[str, list[str]]) -> tuple[str, np.ndarray | None, float]:
        """What column ``name`` needs: nothing ("numbers"), its missing cells filled ("fill": the rows and the
        value), or one-hot inputs ("one-hot": each row's category index, -1 unseen); refusals raised here."""
        j = table.header.index(name)
        column = table.column(j)
        if name not in self.categories and column.codes is None:  # the common case: numbers, none missing
            return "numbers", None, 0.0
        missing, _ = column.kinds()
        if missing.any() and name not in self.fill:
            i = int(np.argmax(missing))
            assert column.codes is not None
            cell = column.texts[int(column.codes[i])]
            raise DatasetError(
                f"{path}, line {table.lines[i]}, column {name!r}: missing value {cell!r}; "
                "the model was trained without filling missing values: fill it in or drop the row"
            )
        fill = str(self.fill[name]) if name in self.fill else ""
        if name in self.categories:
            raw = table.raw(j)
            assert raw.codes is not None
            lookup = {c: i for i, c in enumerate(self.categories[name])}
            spelt = [fill if t.lower() in MISSING else t for t in raw.texts]  # each distinct text, missing filled
            index = np.array([lookup.get(t, -1) for t in spelt], dtype=np.int32)[raw.codes]
            unknown = index < 0
            if unknown.any():
                if unseen == "error":
                    i = int(np.argmax(unknown))
                    raise DatasetError(
                        f"{path}, line {table.lines[i]}, column {name!r}: {spelt[int(raw.codes[i])]!r} is not among "
                        f"the categories the model was trained on ({_names(self.categories[name], 8)}); give --unseen "
                        "zeros (unseen='zeros') to encode an unseen category as all zeros, or train on data that has it"
                    )
                met[name] = sorted({spelt[c] for c in np.unique(raw.codes[unknown]).tolist()})
            return "one-hot", index, 0.0
        assert column.codes is not None
        value = number(fill)
        bad = (column.codes >= 0) & ~missing  # words and infinite numbers
        if value is None or not np.isfinite(value):
            bad |= missing  # the fill value itself is not a finite number
        if bad.any():
            i = int(np.argmax(bad))
            cell = fill if missing[i] else column.texts[int(column.codes[i])]
            refuse_cell(f"{path}, line {table.lines[i]}, column {name!r}", cell)
        return "fill", np.flatnonzero(missing), float(value if value is not None else 0.0)

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


def _fill_value(values: np.ndarray, method: str) -> float:
    if method == "mean":
        return float(np.mean(values))
    if method == "median":
        return float(np.median(values))
    distinct, counts = np.unique(values, return_counts=True)
    return float(distinct[int(np.argmax(counts))])  # the most frequent; the smallest of a tie


def refuse_cell(where: str, cell: str) -> None:
    """Raise the DatasetError for a feature cell that is not a finite number (``where``: file, line, column)."""
    if not cell or cell.lower() in MISSING:
        raise DatasetError(f"{where}: missing value {cell!r}; fill it in or drop the row, or let glassnet "
                           "fill it (fill_missing=, glassnet train --fill-missing mean|median|most-frequent)")
    if number(cell) is None:
        raise DatasetError(
            f"{where}: {cell!r} is not a number; feature columns must be numeric (encode text "
            "categories as numbers, drop the column, or one-hot encode it: text='one-hot', as glassnet "
            "train does)"
        )
    raise DatasetError(f"{where}: {cell!r} is not a finite number")


def refuse_first_bad(path: Path, table: CsvTable, columns: Sequence[int]) -> None:
    """Raise for the first cell, row by row, of the columns ``columns`` (header indices) that is not a finite
    number; return when every one is."""
    found = table.first_bad(columns)
    if found is not None:
        i, j = found
        column: Column = table.column(j)
        assert column.codes is not None
        refuse_cell(f"{path}, line {table.lines[i]}, column {table.header[j]!r}", column.texts[int(column.codes[i])])


def _widen(table: CsvTable, starts: np.ndarray, width: int) -> np.ndarray | None:
    """The table's first group (n, m), turned in its own memory into (n, width) with old column k at column
    ``starts[k]``; None (the table untouched) when something else still holds that memory."""
    n, m = table.groups[0].shape
    if width == m:  # numbers only: the group is X as it is
        X: np.ndarray = table.groups.pop(0)
        table.groups = []  # used up
        return X
    try:
        table.groups[0].resize((n * width,))  # refused while a view of it lives: then a copy is made instead
    except ValueError:
        return None
    flat = table.groups[0]
    table.groups = []  # used up: its first group is X now
    old, new = flat[:n * m].reshape(n, m), flat.reshape(n, width)
    step = max(1, (1 << 17) // width)
    for stop in range(n, 0, -step):  # the last rows first: row i moves from i*m to i*width >= i*m, never onto
        start = max(0, stop - step)  # a row not moved yet
        new[start:stop, starts] = old[start:stop].copy()
    return new
