"""A CSV file's table as :mod:`glassnet.datasets.csvstream` reads it: per column, the numbers and, for the cells
that are not finite numbers, integer codes into the column's distinct texts (:class:`Column`); the file line of
each row (:class:`LineNumbers`); and, for code written for lists of rows, each cell's text (``table[i][j]``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MISSING = ("", "nan", "na", "n/a", "null", "none", "?")  # cells read as missing values (compared lower-cased)


def number(text: str) -> float | None:
    """``float(text)``, or None when the text is not a number."""
    try:
        return float(text)
    except ValueError:
        return None


class LineNumbers(Sequence[int]):
    """The file line on which each row ends, kept as runs of consecutive lines (a few numbers, not one a row)."""

    def __init__(self, starts: Sequence[int], firsts: Sequence[int], n: int):
        self.starts = np.asarray(starts, dtype=np.int64)  # the row that begins each run
        self.firsts = np.asarray(firsts, dtype=np.int64)  # the line of that row
        self.n = n

    def __len__(self) -> int:
        return self.n

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The lines of the rows ``rows`` (an integer array)."""
        run = np.searchsorted(self.starts, rows, side="right") - 1
        return self.firsts[run] + (rows - self.starts[run])

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [int(v) for v in self.take(np.arange(self.n)[i])]
        i = int(i) + (self.n if int(i) < 0 else 0)
        if not 0 <= i < self.n:
            raise IndexError("row index out of range")
        return int(self.take(np.array([i]))[0])

    def __iter__(self) -> Iterator[int]:
        ends = [*self.starts[1:].tolist(), self.n]
        for start, first, end in zip(self.starts.tolist(), self.firsts.tolist(), ends, strict=True):
            yield from range(first, first + end - start)


@dataclass
class Column:
    """One column as read: ``values[i]`` is row i's number where ``codes[i] == -1``; elsewhere the cell was not a
    finite number and ``texts[codes[i]]`` is its text (stripped). ``codes`` None: every cell a finite number."""

    values: np.ndarray
    codes: np.ndarray | None
    texts: list[str]

    def kinds(self) -> tuple[np.ndarray, np.ndarray]:
        """For each cell: whether it is missing (blank, nan, NA, ...), and whether it is a number (finite or not)."""
        if self.codes is None:
            return np.zeros(len(self.values), dtype=bool), np.ones(len(self.values), dtype=bool)
        missing = np.array([t.lower() in MISSING for t in self.texts] + [False], dtype=bool)
        numeric = np.array([number(t) is not None for t in self.texts] + [True], dtype=bool)
        return missing[self.codes], numeric[self.codes]  # code -1 picks the last entry: a finite number


class CsvTable(Sequence[Any]):
    """The parsed columns of a CSV file, in groups (each one float64 array, rows by columns).

    It is also a sequence of rows (``table[i][j]`` the text of a cell), for code written for lists of rows.
    """

    def __init__(self, path: Path, header: list[str], lines: LineNumbers, groups: list[np.ndarray],
                 columns: list[int], codes: list[np.ndarray | None], texts: list[list[str]],
                 reread: Callable[[int], Column] | None = None):
        self.path, self.header, self.lines = path, header, lines
        self.groups = groups  # float64 (n, len(group)) each
        self.columns = columns  # the header index of each parsed column, group after group
        self.codes, self.texts = codes, texts
        self._reread = reread
        self._raw: dict[int, Column] = {}

    def __len__(self) -> int:
        return len(self.lines)

    def _where(self, j: int) -> tuple[int, int, int]:
        if j not in self.columns:
            raise KeyError(f"column {j} was not read")
        k = self.columns.index(j)
        g, offset = 0, k
        while offset >= self.groups[g].shape[1]:
            offset -= self.groups[g].shape[1]
            g += 1
        return k, g, offset

    def column(self, j: int) -> Column:
        """Column ``j`` (its index in the header): a view of its numbers and its codes."""
        k, g, offset = self._where(j)
        return Column(self.groups[g][:, offset], self.codes[k], self.texts[k])

    def raw(self, j: int) -> Column:
        """Column ``j`` with every cell coded as its text (numbers too), as the file spells it."""
        if j not in self._raw:
            column = self.column(j)
            if column.codes is not None and not (column.codes < 0).any():
                return column  # every cell is text already (not kept: a view would pin the table's memory)
            if self._reread is None:
                raise KeyError(f"the text of column {j} is not kept")
            else:
                self._raw[j] = self._reread(j)
        return self._raw[j]

    def text(self, i: int, j: int) -> str:
        column = self.raw(j)
        assert column.codes is not None
        return column.texts[int(column.codes[i])]

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(len(self))[i]]
        i = int(i) + (len(self) if int(i) < 0 else 0)
        if not 0 <= i < len(self):
            raise IndexError("row index out of range")
        return _Row(self, i)

    def first_bad(self, columns: Sequence[int]) -> tuple[int, int] | None:
        """The first cell, row by row and then in the order of ``columns``, that is not a finite number: (row,
        header index); None when there is none."""
        best: tuple[int, int, int] | None = None
        for order, j in enumerate(columns):
            codes = self.column(j).codes
            if codes is not None and (codes >= 0).any():
                i = int(np.argmax(codes >= 0))
                if best is None or (i, order) < best[:2]:
                    best = (i, order, j)
        return None if best is None else (best[0], best[2])


class _Row(Sequence[str]):
    def __init__(self, table: CsvTable, i: int):
        self.table, self.i = table, i

    def __len__(self) -> int:
        return len(self.table.header)

    def __getitem__(self, j: Any) -> Any:
        if isinstance(j, slice):
            return [self[k] for k in range(len(self))[j]]
        j = int(j) + (len(self) if int(j) < 0 else 0)
        if not 0 <= j < len(self):
            raise IndexError("column index out of range")
        return self.table.text(self.i, j)
