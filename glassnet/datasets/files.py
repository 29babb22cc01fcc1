"""Data sets from your own files: CSV with a header row, and NumPy ``.npz`` archives.

Only the standard library's ``csv`` module and numpy are used. Every problem is reported as a
:class:`DatasetError` naming the file, and for CSV the line and column, so it can be fixed at the source.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..fileio import DATA_SIZE_ENV, NotRegularFileError, atomic_file, data_size_limit, format_size, open_regular
from ..validation import check_choice
from .base import TASKS, Dataset, DatasetError
from .csvstream import read_table, table_from_rows
from .csvtable import Column, CsvTable, LineNumbers
from .tables import FILL_METHODS, TEXT_CHOICES, TableEncoding, choose_columns, refuse_first_bad

# An all-integer CSV target with at most this many distinct values is taken for class labels when
# task=None; more distinct values (prices, counts) make it a regression target. Pass task= to decide.
MAX_INFERRED_CLASSES = 20

# The rows a table's encoding is learned from: indices, a function of the targets y giving them, or None (all).
Learn = Sequence[int] | np.ndarray | Callable[[np.ndarray], "np.ndarray | None"] | None


def check_data_size(path: Path, size: int, max_bytes: object = None, what: str = "the file") -> None:
    """Refuse (DatasetError) a data file of more than ``max_bytes`` (else $GLASSNET_MAX_DATA_SIZE, else 4 GiB),
    before it is read: its arrays would take at least as much memory."""
    limit = data_size_limit(max_bytes)
    if size > limit:
        raise DatasetError(
            f"{path}: {what} is {format_size(size)}, over the {format_size(limit)} limit on data files; raise it "
            f"with {DATA_SIZE_ENV}=SIZE (e.g. {DATA_SIZE_ENV}=16G) or max_bytes= in Python, or use a smaller file"
        )


def load_csv(
    path: str | os.PathLike, target: str, *, task: str | None = None, delimiter: str | None = None,
    columns: Sequence[str] | None = None, drop: Sequence[str] | None = None, text: str = "refuse",
    fill_missing: str | None = None, max_bytes: object = None,
) -> Dataset:
    """Read a CSV file with a header row; column ``target`` becomes y, every other column a feature.

    Feature values must be numbers (blank, ``nan`` and ``inf`` are refused) unless ``text="one-hot"``
    encodes text columns and ``fill_missing`` fills missing cells (see :class:`~glassnet.datasets.tables.
    TableEncoding`; :func:`load_csv_table` also returns that encoding). The target may be numbers or text:

    - text (any value not a number) -> classification; the class names are the distinct values, sorted,
      and y holds their indices;
    - whole numbers with at most 20 distinct values -> classification; the class names are those numbers,
      sorted;
    - other numbers -> regression.

    Pass ``task`` to override this guess.

    Parameters
    ----------
    path : str or path-like
        A UTF-8 text file (a byte-order mark is allowed); blank lines are skipped.
    target : str
        The header name of the target column.
    task : {"classification", "regression"}, optional
        What the target is; guessed as above when None.
    delimiter : str, optional
        The field separator; when None, whichever of comma, semicolon and tab splits the header row into
        the most fields.
    columns, drop : sequence of str, optional
        The feature columns to use, in this order (default: all but the target), and columns to leave out.
    text : {"refuse", "one-hot"}
        What a text feature column gets: refused, or one 0/1 input per category (``column=category``).
    fill_missing : {"mean", "median", "most-frequent"}, optional
        Fill missing feature cells with the column's statistic (text columns: their most frequent
        category); None refuses them, naming the line and column.
    max_bytes : int or str, optional
        The largest file read (``"8G"``; default ``$GLASSNET_MAX_DATA_SIZE``, else 4 GiB); a larger one is
        refused before it is read, naming this limit.

    Returns
    -------
    Dataset
        X float64 (n_rows, n_inputs), y int64 class indices or float64 values.

    Raises
    ------
    DatasetError
        Naming the file, line (1-based, as an editor shows it) and column of the first problem; for an
        unknown target column, listing the columns there are.
    """
    return load_csv_table(path, target, task=task, delimiter=delimiter, columns=columns, drop=drop, text=text,
                          fill_missing=fill_missing, max_bytes=max_bytes)[0]


def load_csv_table(
    path: str | os.PathLike, target: str, *, task: str | None = None, delimiter: str | None = None,
    columns: Sequence[str] | None = None, drop: Sequence[str] | None = None, text: str = "refuse",
    fill_missing: str | None = None, max_bytes: object = None, learn: Learn = None,
) -> tuple[Dataset, TableEncoding]:
    """:func:`load_csv`, and the :class:`~glassnet.datasets.tables.TableEncoding` that turned its feature
    columns into numbers (keep it to encode new rows the same way: ``encoding.transform``).

    ``learn``: the rows to learn the text columns' categories and the fill values from (the training rows,
    so that nothing of held-out test rows leaks into the encoding), as row indices or as a function of y
    giving them (a split drawn from the targets: the file is still read once); None, every row. Every row is
    checked all the same, and a category only the other rows have is encoded as all zeros there."""
    return _load_csv_table(path, target, task=task, delimiter=delimiter, columns=columns, drop=drop, text=text,
                           fill_missing=fill_missing, max_bytes=max_bytes, learn=learn)[:2]


def _load_csv_table(
    path: str | os.PathLike, target: str, *, task: str | None = None, delimiter: str | None = None,
    columns: Sequence[str] | None = None, drop: Sequence[str] | None = None, text: str = "refuse",
    fill_missing: str | None = None, max_bytes: object = None, learn: Learn = None,
) -> tuple[Dataset, TableEncoding, dict[str, list[str]]]:
    """:func:`load_csv_table`, and for each text column the categories met only outside the ``learn`` rows."""
    path = Path(path)
    if task is not None:
        check_choice("task", task, TASKS)
    chosen: list[str] = []

    def select(header: list[str]) -> list[list[int]]:  # checked once the file's own problems are known
        if target not in header:
            hint = ""
            if delimiter is None and len(header) == 1:
                hint = " (one column only: is the file separated by something other than comma, semicolon or tab?)"
            raise DatasetError(f"{path}: no column named {target!r}; the columns are: {', '.join(header)}{hint}")
        if len(header) < 2:
            raise DatasetError(f"{path}: only the target column {target!r}; a data set needs at least one feature")
        chosen.extend(choose_columns(path, header, target, columns, drop))
        if text not in TEXT_CHOICES:
            raise DatasetError(f"text must be one of {TEXT_CHOICES}, got {text!r}")
        if fill_missing is not None and fill_missing not in FILL_METHODS:
            raise DatasetError(f"fill_missing must be one of {', '.join(FILL_METHODS)}, got {fill_missing!r}")
        return [[header.index(name) for name in chosen], [header.index(target)]]

    table = read_table(path, delimiter, select, lambda size: check_data_size(path, size, max_bytes))
    encoding = TableEncoding.fit(path, table.header, table, table.lines, chosen, text=text, fill_missing=fill_missing)
    y, target_names, task = _parse_target(path, table.column(table.header.index(target)), table.lines, target, task,
                                          table)
    rows = learn(y) if callable(learn) else learn
    if rows is not None and (encoding.categories or encoding.fill):  # learned again, from those rows alone
        encoding = TableEncoding.fit(path, table.header, table, table.lines, chosen, text=text,
                                     fill_missing=fill_missing, learn=rows)
    X, met = encoding.encode(path, table, unseen="error" if rows is None else "zeros", in_place=True)
    # X is in the memory the features were read into
    dataset = Dataset(
        X=X,
        y=y,
        feature_names=tuple(encoding.feature_names),
        target_names=target_names,
        task=task,  # type: ignore[arg-type]  # "classification" or "regression", as _parse_target returns
        name=path.stem,
        description=f"Read from {path}, target column {target!r}.",
    )
    return dataset, encoding, met


def load_csv_features(
    path: str | os.PathLike, feature_names: list[str] | tuple[str, ...] | None = None, *,
    delimiter: str | None = None,
) -> np.ndarray:
    """Read feature columns of a CSV file with a header row and no target column (rows to predict for).

    Parameters
    ----------
    path : str or path-like
        A UTF-8 text file (a byte-order mark is allowed); blank lines are skipped.
    feature_names : sequence of str, optional
        The header names of the columns to read, in the order wanted (other columns are ignored); all
        columns, in file order, when None.
    delimiter : str, optional
        The field separator (found from the header row when None, as :func:`load_csv` does).

    Returns
    -------
    numpy.ndarray
        X float64 (n_rows, len(feature_names)); every value a finite number, as :func:`load_csv` requires.

    Raises
    ------
    DatasetError
        Naming the file, line and column of the first problem; for columns the file lacks, naming them and
        the columns there are.
    """
    path = Path(path)

    def select(header: list[str]) -> list[list[int]]:
        names = list(header) if feature_names is None else [str(name) for name in feature_names]
        missing = [name for name in names if name not in header]
        if missing:
            raise DatasetError(
                f"{path}: no column(s) named {', '.join(map(repr, missing))}; the columns are: {', '.join(header)}"
            )
        return [[header.index(name) for name in names]]

    table = read_table(path, delimiter, select)
    refuse_first_bad(path, table, table.columns)
    X = table.groups[0]
    table.groups = []
    return X


def read_csv_rows(
    path: str | os.PathLike, delimiter: str | None = None, max_bytes: object = None
) -> tuple[list[str], CsvTable, LineNumbers]:
    """The header, the non-blank rows (cells stripped) and the file line on which each row ends; the
    delimiter, when None, found from the header row (:func:`~glassnet.datasets.tables.sniff_delimiter`).
    A file over the data-size limit (:func:`check_data_size`) is refused before a row is read.

    The rows are a :class:`~glassnet.datasets.csvstream.CsvTable`: read as a stream, every column parsed
    into numbers and codes (``rows[i][j]`` gives a cell's text), never the file held as lists of strings.
    """
    path = Path(path)
    table = read_table(path, delimiter, check_size=lambda size: check_data_size(path, size, max_bytes))
    return table.header, table, table.lines


def _parse_target(
    path: Path, cells: Column | Sequence[str], lines: Sequence[int], target: str, task: str | None,
    table: CsvTable | None = None,
) -> tuple[np.ndarray, tuple[str, ...], str]:
    """The target column (a :class:`Column` of ``table``, or its cells as text) as class indices with their
    names, or values, and the task: text or few whole numbers are classes, other numbers a regression."""
    if not isinstance(cells, Column):
        table = table_from_rows(path, [target], [[cell] for cell in cells], lines, blank_rows=True)
        cells = table.column(0)
    assert table is not None
    j = table.header.index(target)
    codes, texts = cells.codes, cells.texts
    if codes is not None:
        gone = np.array([not t or t.lower() == "nan" for t in texts] + [False], dtype=bool)[codes]
        if gone.any():
            i = int(np.argmax(gone))
            raise DatasetError(
                f"{path}, line {table.lines[i]}, column {target!r}: missing target value {texts[int(codes[i])]!r}; "
                "fill it in or drop the row"
            )
    numeric = codes is None  # every cell a finite number
    if task == "regression" and codes is not None:
        i = int(np.argmax(codes >= 0))
        raise DatasetError(
            f"{path}, line {table.lines[i]}, column {target!r}: {texts[int(codes[i])]!r} is not a finite number, "
            "as a regression target must be; pass task='classification' if the column holds class names"
        )
    if numeric:
        values = np.ascontiguousarray(cells.values)
        whole = bool(np.all(values == np.round(values)))
        if task is None:
            few = len(np.unique(values)) <= MAX_INFERRED_CLASSES
            task = "classification" if whole and few else "regression"
        if task == "regression":
            return values, (target,), task
        classes, y = np.unique(values, return_inverse=True)
        if not whole and len(classes) > MAX_INFERRED_CLASSES:
            raise DatasetError(
                f"{path}, column {target!r}: as classes, its {len(classes)} distinct numbers such as "
                f"{table.text(0, j)} and {table.text(len(table) - 1, j)}, not all whole, would make {len(classes)} "
                "classes: it holds a quantity to predict, not class labels. Use task='regression' (glassnet train: "
                "--task regress), or leave the task out to let glassnet guess"
            )
        names = tuple(str(int(v)) if whole else format(v, "g") for v in classes)
        return y.astype(np.int64), names, "classification"
    raw = table.raw(j)  # the classes are the texts as spelt, numbers among them too
    assert raw.codes is not None
    used = np.flatnonzero(np.bincount(raw.codes, minlength=len(raw.texts)))  # (a skipped blank row's text is not)
    classes, rank = np.unique(np.array([raw.texts[c] for c in used]), return_inverse=True)
    ranks = np.zeros(len(raw.texts), dtype=np.int64)
    ranks[used] = rank.ravel()
    return ranks[raw.codes], tuple(str(c) for c in classes), "classification"


def load_npz(path: str | os.PathLike, *, task: str | None = None, max_bytes: object = None) -> Dataset:
    """Read a NumPy ``.npz`` archive holding arrays ``X`` and ``y`` (never unpickling anything).

    Optional arrays: ``feature_names`` and ``target_names`` (strings), ``task`` and ``name`` (a string
    each), as :func:`save_npz` writes them.

    Parameters
    ----------
    path : str or path-like
        The archive, as written by ``numpy.savez(path, X=X, y=y)`` or :func:`save_npz`.
    task : {"classification", "regression"}, optional
        What y is. When None: the archive's ``task`` if stored, else classification for integer or text
        y and regression for float y.
    max_bytes : int or str, optional
        The largest archive, and the most its arrays may expand to (``"8G"``; default ``$GLASSNET_MAX_DATA_SIZE``,
        else 4 GiB): a larger one is refused before it is read.

    Returns
    -------
    Dataset
        X as stored (2-D, numeric, finite); y int64 class indices or float64 values.
    """
    path = Path(path)
    if task is not None:
        check_choice("task", task, TASKS)
    arrays = _read_npz(path, max_bytes)
    for key in ("X", "y"):
        if key not in arrays:
            raise DatasetError(
                f"{path}: no array named {key!r} (it has: {', '.join(arrays) or 'nothing'}); "
                "save it with numpy.savez(path, X=X, y=y)"
            )
    X, y = arrays["X"], arrays["y"]
    if X.dtype.kind not in "biuf" or X.ndim != 2:
        raise DatasetError(
            f"{path}: X must be a 2-D array of numbers (n_samples, n_features); got {X.dtype} {X.shape}"
        )
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise DatasetError(f"{path}: X[{row}, {col}] is {X[row, col]}; remove or fill in missing values")
    if y.ndim != 1 or len(y) != len(X):
        raise DatasetError(
            f"{path}: y must be 1-D with one value per row of X ({len(X)}); got shape {y.shape}"
        )
    feature_names = _strings(path, arrays, "feature_names") or tuple(f"x{j + 1}" for j in range(X.shape[1]))
    if len(feature_names) != X.shape[1]:
        raise DatasetError(f"{path}: {len(feature_names)} feature_names for {X.shape[1]} columns of X")
    target_names = _strings(path, arrays, "target_names")
    stored_task = _strings(path, arrays, "task")
    if task is None:
        task = stored_task[0] if stored_task else ("regression" if y.dtype.kind == "f" else "classification")
        if task not in TASKS:
            raise DatasetError(f"{path}: the stored task {task!r} is not one of {TASKS}")
    name = (_strings(path, arrays, "name") or (path.stem,))[0]
    if task == "regression":
        if y.dtype.kind not in "biuf" or not np.isfinite(y.astype(np.float64)).all():
            raise DatasetError(f"{path}: a regression target y must hold finite numbers; got {y.dtype}")
        y, target_names = y.astype(np.float64), target_names or ("y",)
    else:
        y, target_names = _class_labels(path, y, target_names)
    return Dataset(X=X, y=y, feature_names=feature_names, target_names=target_names,
                   task=task, name=name, description=f"Read from {path}.")  # type: ignore[arg-type]


def _read_npz(path: Path, max_bytes: object = None) -> dict[str, np.ndarray]:
    try:
        with open_regular(path, "rb") as f:  # a named pipe or device is refused, never waited on
            check_data_size(path, os.fstat(f.fileno()).st_size, max_bytes)
            if zipfile.is_zipfile(f):  # what its members expand to, as declared (zipfile reads no more than that)
                f.seek(0)
                with zipfile.ZipFile(f) as zf:
                    check_data_size(path, sum(info.file_size for info in zf.infolist()), max_bytes,
                                    "what its arrays expand to")
            f.seek(0)
            archive = np.load(f, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise DatasetError(
                    f"{path}: a single .npy array, not an .npz archive; save X and y with numpy.savez"
                )
            with archive:
                return {key: archive[key] for key in archive.files}
    except DatasetError:
        raise
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except NotRegularFileError as exc:
        raise DatasetError(f"{path}: {exc.strerror}") from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        # allow_pickle=False turns a pickle (or an object array) into a ValueError: nothing is unpickled
        raise DatasetError(f"{path}: not a readable .npz archive of plain arrays ({exc})") from None


def _strings(path: Path, arrays: dict[str, np.ndarray], key: str) -> tuple[str, ...] | None:
    if key not in arrays:
        return None
    value = arrays[key]
    if value.dtype.kind not in "US":
        raise DatasetError(f"{path}: {key} must hold text, not {value.dtype}")
    return tuple(str(v) for v in np.atleast_1d(value))


def _class_labels(
    path: Path, y: np.ndarray, target_names: tuple[str, ...] | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Class labels as int64 0..k-1 with k names: kept if already so, encoded (sorted) otherwise."""
    if y.dtype.kind in "biu" and (len(y) == 0 or y.min() >= 0):
        k = int(y.max()) + 1 if len(y) else 0
        if target_names is None:
            return y.astype(np.int64), tuple(str(c) for c in range(k))
        if k <= len(target_names):
            return y.astype(np.int64), target_names
        raise DatasetError(
            f"{path}: y holds label {k - 1} but there are only {len(target_names)} target_names"
        )
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise DatasetError(f"{path}: y holds NaN or infinite values")
    if y.dtype.kind not in "iufUS":
        raise DatasetError(f"{path}: class labels y must be numbers or text, not {y.dtype}")
    classes, encoded = np.unique(y, return_inverse=True)
    if target_names is not None and len(target_names) != len(classes):
        raise DatasetError(
            f"{path}: {len(classes)} distinct labels in y but {len(target_names)} target_names"
        )
    names = target_names or tuple(format(c, "g") if y.dtype.kind == "f" else str(c) for c in classes)
    return encoded.astype(np.int64), names


def save_npz(path: str | os.PathLike, dataset: Dataset) -> Path:
    """Write ``dataset`` as an ``.npz`` archive that :func:`load_npz` reads back unchanged.

    Parameters
    ----------
    path : str or path-like
        Where to write (numpy adds ``.npz`` if the name lacks it).
    dataset : Dataset

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    with atomic_file(path) as f:  # readers see the old file or the new one, never half an archive
        np.savez(
            f,
            X=dataset.X,
            y=dataset.y,
            feature_names=np.array(dataset.feature_names, dtype=str),
            target_names=np.array(dataset.target_names, dtype=str),
            task=np.array(dataset.task),
            name=np.array(dataset.name),
        )
    return path
