"""CSV files read as a stream: chunks of rows parsed straight into the float arrays they become.

The standard library's ``csv`` module splits the file (quotes, delimiters, quoted newlines) and yields a
bounded chunk of rows at a time; numpy turns each chunk's cells into float64 with ``float(text)``'s own
rules, written into preallocated arrays (grown in place when the estimate from the file size falls short,
trimmed in place at the end). A cell that is not a finite number (a word, a missing value, ``inf``) is kept
as an integer code into its column's distinct texts, so a text column costs 4 bytes a row and its distinct
values once. Nothing holds the whole file as rows of strings: the peak is the arrays read plus one chunk.

A :class:`CsvTable` is the result: per column, the numbers and the codes (a :class:`Column`), the file line of
each row (:class:`LineNumbers`), and the raw text of any column when asked (read again from the file only for
columns that mix numbers and words, whose numbers' spelling matters as category names).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..fileio import NotRegularFileError, open_regular
from .base import DatasetError
from .csvtable import MISSING, Column, CsvTable, LineNumbers, number

__all__ = ["CHUNK_CELLS", "DELIMITERS", "MISSING", "read_table", "sniff_delimiter", "table_from_rows"]

CHUNK_CELLS = 1 << 13  # cells parsed at a time: bounds the strings held at once (well under 1 MB of them)
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


class _Builder:
    """Takes chunks of rows (lists of cells) and parses the columns asked into growing float64 arrays."""

    def __init__(self, n_fields: int, groups: Sequence[Sequence[int]], raw: bool = False, blank_rows: bool = False):
        self.n_fields = n_fields
        self.blank_rows = blank_rows  # keep rows of blank cells (they are cells of a longer row)
        self.widths = [len(g) for g in groups]
        self.columns = [j for g in groups for j in g]
        self.raw = raw  # code every cell as text, numbers too
        m = len(self.columns)
        self.getter: Callable[[list[str]], Any] = itemgetter(*self.columns) if m else len
        self.cap = 0
        self.mats = [np.empty((0, w)) for w in self.widths]
        self.codes: list[np.ndarray | None] = [None] * m
        self.texts: list[list[str]] = [[] for _ in range(m)]
        self.by_text: list[dict[str, int]] = [{} for _ in range(m)]  # stripped text -> code
        self.by_cell: list[dict[str, int]] = [{} for _ in range(m)]  # cell as read -> code
        self.n = 0
        self.starts: list[int] = []
        self.firsts: list[int] = []
        self.bad_length: tuple[int, int] | None = None  # (line, fields) of the first row of the wrong length
        self.stamp: tuple[int, ...] = ()  # the file read: (device, inode, size, modification time in ns)

    # -- storage ----------------------------------------------------------------------------------------------
    def _reserve(self, rows: int, estimate: int) -> None:
        need = self.n + rows
        if need <= self.cap:
            return
        self.cap = max(need, estimate, self.cap + self.cap // 16)
        for g, w in enumerate(self.widths):
            self.mats[g] = resized(self.mats, g, (self.cap, w))
        for k in range(len(self.codes)):
            if self.codes[k] is not None:
                self.codes[k] = resized(self.codes, k, (self.cap,))
                self.codes[k][self.n:] = -1  # type: ignore[index]

    def _code(self, k: int, cells: Sequence[str]) -> np.ndarray:
        by_cell, by_text, texts = self.by_cell[k], self.by_text[k], self.texts[k]
        for cell in dict.fromkeys(cells):  # each distinct cell once
            if cell not in by_cell:
                text = cell.strip()
                code = by_text.setdefault(text, len(texts))
                if code == len(texts):
                    texts.append(text)
                by_cell[cell] = code
        return np.fromiter(map(by_cell.__getitem__, cells), dtype=np.int32, count=len(cells))

    # -- a chunk ----------------------------------------------------------------------------------------------
    def add(self, rows: list[list[str]], lines: np.ndarray, estimate: Callable[[int], int]) -> None:
        """Parse ``rows`` (as csv yields them), ending on file lines ``lines``; blank rows are skipped."""
        lengths = np.fromiter(map(len, rows), dtype=np.intp, count=len(rows))
        right = lengths == self.n_fields
        if not right.all():
            for i in np.flatnonzero(~right).tolist():
                if self.bad_length is None and any(cell.strip() for cell in rows[i]):
                    self.bad_length = (int(lines[i]), int(lengths[i]))
            rows = list(itertools.compress(rows, right.tolist()))
            lines = lines[right]
        if not rows:
            return
        r, m = len(rows), len(self.columns)
        if m == 0:
            nonblank = np.array([any(cell.strip() for cell in row) for row in rows], dtype=bool)
            self._store(rows, lines, nonblank, None, [], estimate)
            return
        cells: Any = list(map(self.getter, rows)) if m > 1 else [(cell,) for cell in map(self.getter, rows)]
        block: np.ndarray | None = None
        if not self.raw:
            try:
                block = np.array(cells, dtype=np.float64).reshape(r, m)
            except ValueError:
                block = None
        if block is not None and np.isfinite(block).all():  # the common case: every cell a finite number
            self._store(rows, lines, None, block, [None] * m, estimate)
            return
        by_column = list(zip(*cells, strict=True))
        values = np.empty((r, m)) if block is None else block
        chunk_codes: list[np.ndarray | None] = []
        for k in range(m):
            column = by_column[k]
            if self.raw:
                bad = np.ones(r, dtype=bool)
            else:
                if block is None:
                    values[:, k] = _floats(column)
                bad = ~np.isfinite(values[:, k])
            if not bad.any():
                chunk_codes.append(None)
                continue
            where = np.flatnonzero(bad)
            coded = np.full(r, -1, dtype=np.int32)
            coded[where] = self._code(k, column if len(where) == r else [column[i] for i in where.tolist()])
            chunk_codes.append(coded)
        keep: np.ndarray | None = None
        if not self.blank_rows and all(c is not None for c in chunk_codes):  # all coded: perhaps a blank row
            empty = np.ones(r, dtype=bool)
            for k, chunk_column in enumerate(chunk_codes):
                blank = self.by_text[k].get("")
                if blank is None:
                    empty[:] = False
                    break
                empty &= chunk_column == blank
            if empty.any():
                keep = np.ones(r, dtype=bool)
                for i in np.flatnonzero(empty).tolist():
                    keep[i] = any(cell.strip() for cell in rows[i])
        self._store(rows, lines, keep, values, chunk_codes, estimate)

    def _store(self, rows: list[list[str]], lines: np.ndarray, keep: np.ndarray | None, values: np.ndarray | None,
               chunk_codes: list[np.ndarray | None], estimate: Callable[[int], int]) -> None:
        if keep is not None:
            lines = lines[keep]
            values = None if values is None else values[keep]
            chunk_codes = [None if c is None else c[keep] for c in chunk_codes]
        r = len(lines)
        if r == 0:
            return
        self._reserve(r, estimate(self.n + r))
        n = self.n
        if values is not None:
            start = 0
            for mat, w in zip(self.mats, self.widths, strict=True):
                mat[n:n + r] = values[:, start:start + w]
                start += w
        for k, codes in enumerate(chunk_codes):
            if codes is not None:
                if self.codes[k] is None:
                    self.codes[k] = np.full(self.cap, -1, dtype=np.int32)
                target = self.codes[k]
                assert target is not None
                target[n:n + r] = codes
        breaks = np.flatnonzero(np.diff(lines) != 1) + 1
        for b in [0, *breaks.tolist()]:
            if b == 0 and self.starts and self.firsts[-1] + (n - self.starts[-1]) == int(lines[0]):
                continue  # the run goes on from the last chunk
            self.starts.append(n + b)
            self.firsts.append(int(lines[b]))
        self.n += r

    def finish(self, path: Path, header: list[str], reread: Callable[[int], Column] | None) -> CsvTable:
        for g, w in enumerate(self.widths):
            self.mats[g] = resized(self.mats, g, (self.n, w))  # the spare rows trimmed
        for k in range(len(self.codes)):
            if self.codes[k] is not None:
                self.codes[k] = resized(self.codes, k, (self.n,))
                if not np.any(self.codes[k] >= 0):  # type: ignore[operator]
                    self.codes[k] = None  # the coded cells were of blank rows, skipped
        return CsvTable(path, header, LineNumbers(self.starts, self.firsts, self.n), self.mats, self.columns,
                        self.codes, self.texts, reread)


def resized(arrays: list[Any], i: int, shape: tuple[int, ...]) -> np.ndarray:
    """``arrays[i]`` with the shape ``shape`` (rows added at the end or cut off), in its own memory when
    nothing else holds it (realloc: the rows are not copied aside), else copied into a new array."""
    array = arrays[i]
    arrays[i] = None  # the list lets go, so that only this function holds the array
    try:
        array.resize(shape)
        return array
    except ValueError:  # another reference (a view, a profiler's bound method): copy instead
        new = np.zeros(shape, dtype=array.dtype)
        rows = min(shape[0], array.shape[0])
        new[:rows] = array[:rows]
        return new


def _floats(cells: Sequence[str]) -> np.ndarray:
    """The cells as float64 (``float(text)``), NaN where a cell is not a number."""
    try:
        return np.array(cells, dtype=np.float64)
    except ValueError:
        distinct = {cell: number(cell) for cell in dict.fromkeys(cells)}
        return np.array([np.nan if v is None else v for v in map(distinct.__getitem__, cells)], dtype=np.float64)


def _line_counts(rows: list[list[str]]) -> np.ndarray:
    """How many file lines each row spans: one, plus the line breaks inside its quoted fields."""
    return np.array([1 + sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in row) for row in rows],
                    dtype=np.int64)


@dataclass
class _Header:
    names: list[str]
    line: int
    delimiter: str


def _feed(path: Path, delimiter: str | None, select: Callable[[list[str]], list[list[int]]],
          raw: bool = False, check_size: Callable[[int], None] | None = None) -> tuple[_Header | None, _Builder]:
    """Read the file once: its header, then every row in chunks into a builder for the columns ``select`` picks
    from the header. Errors of reading (not UTF-8, malformed CSV, ...) raise DatasetError."""
    line = 0
    try:
        with open_regular(path, "r", newline="", encoding="utf-8-sig") as f:  # never a pipe or device
            st = os.fstat(f.fileno())
            size = st.st_size
            binary = cast(io.BufferedReader, cast(io.TextIOWrapper, f).buffer)  # its position: the bytes read
            if check_size is not None:
                check_size(size)
            if delimiter is None:
                first = next((text for text in f if text.strip()), "")
                delimiter = sniff_delimiter(first)
                f.seek(0)
            reader = csv.reader(f, delimiter=delimiter, skipinitialspace=True)
            row = next((row for row in reader if any(cell.strip() for cell in row)), None)
            line = reader.line_num
            if row is None:
                return None, _Builder(0, [])
            header = _Header([name.strip() for name in row], line, delimiter)
            builder = _Builder(len(row), select(header.names), raw)
            builder.stamp = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
            start = binary.tell()
            per_chunk = max(1, CHUNK_CELLS // len(row))

            def estimate(rows: int) -> int:  # the rows the whole file holds, from the bytes read so far
                done = max(binary.tell() - start, 1)
                return int(rows * max(size - start, done) / done * 1.02) + 16

            while True:
                chunk = list(itertools.islice(reader, per_chunk))
                if not chunk:
                    break
                end = reader.line_num
                if end - line == len(chunk):
                    lines = np.arange(line + 1, end + 1)
                else:  # quoted fields span lines
                    lines = np.minimum(line + np.cumsum(_line_counts(chunk)), end)
                    lines[-1] = end
                line = end
                builder.add(chunk, lines, estimate)
                del chunk  # before the next chunk is read: one chunk of strings alive at a time
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except NotRegularFileError as exc:
        raise DatasetError(f"{path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from None
    except csv.Error as exc:
        raise DatasetError(f"{path}, line {_last_good_line(path, delimiter) + 1}: malformed CSV: {exc}") from None
    except OSError as exc:
        raise DatasetError(f"{path}: could not be read: {exc.strerror or exc}") from None
    return header, builder


def _last_good_line(path: Path, delimiter: str | None) -> int:
    """The line on which the last row before a malformed one ends (read again, row by row: an error's path)."""
    line = 0
    with open_regular(path, "r", newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, delimiter=delimiter or ",", skipinitialspace=True)
        try:
            for _ in reader:
                line = reader.line_num
        except csv.Error:
            pass
    return line


def read_table(path: str | os.PathLike, delimiter: str | None = None,
               select: Callable[[list[str]], list[list[int]]] | None = None,
               check_size: Callable[[int], None] | None = None) -> CsvTable:
    """Read a CSV file with a header row, streaming: the columns ``select(header)`` picks (groups of header
    indices, each group one float64 array; default every column, one group) parsed chunk by chunk.

    A DatasetError of ``select`` (an unknown column, say) is raised after the file's own problems, as if the
    file were read first: reading errors, an empty file, a header without a name or with a name twice, a row of
    the wrong length (naming its line), no data rows.
    """
    path = Path(path)
    chosen: list[DatasetError] = []

    def pick(names: list[str]) -> list[list[int]]:
        if any(not name for name in names) or len(set(names)) < len(names):
            return []
        if select is None:
            return [list(range(len(names)))]
        try:
            return select(names)
        except DatasetError as exc:
            chosen.append(exc)
            return []

    head, builder = _feed(path, delimiter, pick, check_size=check_size)
    if head is None:
        raise DatasetError(f"{path}: the file is empty; a CSV file needs a header row of column names")
    for j, name in enumerate(head.names):
        if not name:
            raise DatasetError(f"{path}, line {head.line}: column {j + 1} has no name in the header row")
    repeated = sorted({name for name in head.names if head.names.count(name) > 1})
    if repeated:
        raise DatasetError(f"{path}, line {head.line}: repeated column names {', '.join(map(repr, repeated))}")
    if builder.bad_length is not None:
        line, fields = builder.bad_length
        raise DatasetError(f"{path}, line {line}: {fields} fields, but the header has {len(head.names)} columns")
    if builder.n == 0:
        raise DatasetError(f"{path}: a header but no data rows")
    if chosen:
        raise chosen[0]
    n = builder.n

    def reread(j: int) -> Column:
        again = _feed(path, head.delimiter, lambda names: [[j]], raw=True)[1]
        if again.n != n or again.stamp != builder.stamp:  # replaced or written to since the first read
            raise DatasetError(f"{path}: the file changed while it was read; read it again")
        return again.finish(path, head.names, None).column(j)

    return builder.finish(path, head.names, reread)


def table_from_rows(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]], lines: Sequence[int],
                    groups: list[list[int]] | None = None, blank_rows: bool = False) -> CsvTable:
    """A :class:`CsvTable` of rows already in memory (cells as strings, one list a row; ``lines`` their lines;
    rows of blank cells skipped, unless ``blank_rows``)."""
    header = [str(name) for name in header]
    if isinstance(rows, CsvTable):
        return rows
    groups = [list(range(len(header)))] if groups is None else groups

    def build(builder: _Builder) -> _Builder:
        per_chunk = max(1, CHUNK_CELLS // max(len(header), 1))
        line_array = np.asarray(list(lines), dtype=np.int64)
        for start in range(0, len(rows), per_chunk):
            chunk = [list(row) for row in rows[start:start + per_chunk]]
            builder.add(chunk, line_array[start:start + per_chunk], lambda need: len(rows))
        return builder

    builder = build(_Builder(len(header), groups, blank_rows=blank_rows))
    if builder.bad_length is not None:
        line, fields = builder.bad_length
        raise DatasetError(f"{path}, line {line}: {fields} fields, but the header has {len(header)} columns")

    def reread(j: int) -> Column:
        return build(_Builder(len(header), [[j]], raw=True, blank_rows=blank_rows)).finish(path, header, None).column(j)

    return builder.finish(path, header, reread)
