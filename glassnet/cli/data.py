"""Data for the commands: data sets by name or CSV/NPZ path, the training and test parts, a model's columns
matched by name, and the ``datasets`` command."""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .common import EXIT_OK, CommandError, _check_standardizable, _say, _task_flag

if TYPE_CHECKING:
    from .models import Model


def _catalogue_kind(name: str) -> str | None:
    """"synthetic", "scikit-learn" or "idx" for a data set name, None for a file path or unknown name."""
    from ..datasets import available
    from ..datasets.registry import _key

    if Path(name).suffix.lower() in (".csv", ".npz"):
        return None
    entry = available().get(_key(name))
    return None if entry is None else entry[1 : entry.index("]")]


def _load_dataset(data: str, target: str | None = None, task: str | None = None, split: str = "train",
                  seed: int | None = None, samples: int | None = None, noise: float | None = None,
                  data_dir: str | None = None) -> Any:
    """A Dataset from a name or a CSV/NPZ path, with the command line's options passed where they apply."""
    from ..datasets import load

    kind = _catalogue_kind(data)
    options: dict[str, Any] = {}
    if kind is None:
        if task is not None:
            options["task"] = task
    else:  # a named set has its own task; a --task given is checked against it below
        if kind == "synthetic":
            options["seed"] = seed
            if samples is not None:
                options["n_samples"] = samples
            if noise is not None:
                options["noise"] = noise
        elif kind == "idx":
            options["split"] = split
            if data_dir is not None:
                options["data_dir"] = data_dir
        if kind != "synthetic" and (samples is not None or noise is not None):
            raise CommandError(f"--samples and --noise apply to the made-up data sets, not to {data!r}")
    if kind is None and not Path(data).exists() and Path(data).suffix.lower() in (".csv", ".npz"):
        raise CommandError(f"{data}: no such file")
    if Path(data).suffix.lower() == ".csv" and target is None:
        raise CommandError(f"{data}: name the target column with --target COL; the columns are: "
                           f"{', '.join(_csv_header(Path(data)))}")
    dataset = load(data, target=target, **options)
    if task is not None and dataset.task != task:
        raise CommandError(f"{data!r} is a {dataset.task} data set; --task {_task_flag(task)} does not fit it")
    return dataset


@dataclass
class _Prepared:
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    dataset: Any  # its names and task; after a split its X and y are empty (the parts hold the rows)
    source: str
    table: Any = None  # the TableEncoding of a CSV file: its columns, categories and fill values
    n_rows: int = 0  # the rows of the data before the split
    digest: str | None = None  # _digest of all those rows (X, y), taken before the split


def _load_table(data: str, spec: dict, learn: Any = None) -> tuple[Any, Any]:
    """A CSV file as ``glassnet train`` reads it: text columns one-hot encoded, --columns/--drop/--fill-missing
    applied; the Dataset and the TableEncoding to record in the model file. ``learn``: the training rows (or a
    function of y drawing them) that the categories and fill values are learned from; a category only the
    held-out test rows have is encoded as all zeros, with a warning."""
    from ..datasets.files import _load_csv_table

    if not Path(data).exists():
        raise CommandError(f"{data}: no such file")
    if spec["target"] is None:
        raise CommandError(f"{data}: name the target column with --target COL; the columns are: "
                           f"{', '.join(_csv_header(Path(data)))}")
    dataset, table, met = _load_csv_table(data, spec["target"], task=spec["task"], columns=spec.get("columns"),
                                          drop=spec.get("drop"), text="one-hot", fill_missing=spec.get("fill_missing"),
                                          learn=learn)
    for column, values in met.items():
        _say(f"glassnet: warning: {data}, column {column!r}: {len(values)} categor"
             f"{'y' if len(values) == 1 else 'ies'} only the held-out test rows have ({_listed(values)}), encoded "
             "as all zeros there (categories are learned from the training rows; evaluate and predict on "
             "this file take --unseen zeros for them)", file=sys.stderr)
    return dataset, table


def _prepare_data(spec: dict) -> _Prepared:
    """Load the training data and split off the test part (MNIST-family sets bring their own test split).

    The file is read once, and its rows are held at most twice (all of them while the training part is
    gathered): a CSV's encoding is learned from the training rows as it is read, and the parts then replace
    the whole."""
    from dataclasses import replace

    from ..errors import InputError

    data = spec["data"]
    common = {"target": spec["target"], "task": spec["task"], "seed": spec["seed"], "samples": spec["samples"],
              "noise": spec["noise"], "data_dir": spec["data_dir"]}
    fraction = spec["test_split"]
    table = None
    drawn: list[tuple[np.ndarray, np.ndarray]] = []

    def learn(y: np.ndarray) -> np.ndarray | None:  # the training rows, drawn as soon as y is read
        if not fraction or not 0 < fraction < 1:
            return None  # no split (a bad fraction is refused below, after the data's own problems)
        try:
            drawn.append(_split_rows(y, fraction, spec["seed"]))
        except InputError:
            return None  # raised again below, in its turn
        return drawn[0][0]

    if Path(data).suffix.lower() == ".csv":
        dataset, table = _load_table(data, spec, learn)
    else:
        if spec.get("columns") or spec.get("drop") or spec.get("fill_missing"):
            raise CommandError(f"--columns, --drop and --fill-missing apply to CSV files, not to {data!r}")
        dataset = _load_dataset(data, **common)
    if dataset.task == "classification" and len(dataset.target_names) < 2:
        raise CommandError(f"{data!r} has only one class ({dataset.target_names[0]!r}); nothing to tell apart")
    _check_standardizable(dataset.X, dataset.feature_names, data)  # before numpy warns of overflow
    n_rows = len(dataset.X)
    if _catalogue_kind(data) == "idx":
        test = _load_dataset(data, split="test", **common)
        return _Prepared(dataset.X, dataset.y, test.X, test.y, dataset, "the data set's own test split", n_rows=n_rows)
    if not fraction:
        return _Prepared(dataset.X, dataset.y, None, None, dataset, "none", table, n_rows=n_rows)
    if not 0 < fraction < 1:
        raise CommandError(f"--test-split must lie between 0 and 1, got {fraction}")
    train, test = drawn[0] if drawn else _split_rows(dataset.y, fraction, spec["seed"])
    digest = _digest(dataset.X, dataset.y)  # of every row, for evaluate to find the held-out ones again
    X, y = dataset.X, dataset.y
    dataset = replace(dataset, X=np.empty((0, X.shape[1]), dtype=X.dtype), y=y[:0].copy())  # lets go of X
    X_test, y_test = X[test], y[test]
    X_train, y_train = X[train], y[train]
    del X  # the parts hold every row now
    return _Prepared(X_train, y_train, X_test, y_test, dataset, f"{fraction:.0%} of the rows, drawn with the seed",
                     table, n_rows=n_rows, digest=digest)


def _network_inputs(model: Model, X: np.ndarray, cells: int = 1 << 17) -> np.ndarray:
    """``model.prepare(X)`` (each input standardized: (x - mean) / scale) in the network's dtype, made a block
    of about ``cells`` cells at a time: the float64 standardized rows are never all alive at once, only the
    result is (the same numbers as preparing X whole and casting it)."""
    from ..errors import InputError

    n = len(X)
    step = max(1, cells // max(1, X.shape[1] if X.ndim == 2 else 1))
    if n <= step or X.ndim != 2:
        return model.prepare(X)
    out = np.empty((n, X.shape[1]), dtype=model.network.dtype)
    for start in range(0, n, step):
        try:
            out[start:start + step] = model.prepare(X[start:start + step])
        except InputError:
            model.prepare(X[:start + step])  # raised again, naming the row counted from the first
            raise
    return out


def _align_features(model: Model, dataset: Any, data: str) -> np.ndarray:
    """The data's feature columns in the model's order (matched by name when the names allow)."""
    names = list(dataset.feature_names)
    wanted = model.feature_names
    if names == wanted:
        return dataset.X
    generic = wanted == [f"x{j + 1}" for j in range(len(wanted))]  # made-up names, which match nothing real
    if len(names) != len(wanted) and (generic or not set(wanted) & set(names)):
        raise CommandError(
            f"{data} does not fit the model: the model takes {len(wanted)} inputs ({_listed(wanted)}), and "
            f"{data} has {len(names)} feature columns ({_listed(names)}); give the data the model was trained on"
            + (f" ({model.training['data']})" if model.training.get("data") else "")
        )
    if set(wanted) <= set(names):
        return dataset.X[:, [names.index(name) for name in wanted]]
    if len(names) == len(wanted) and model.inputs is None:
        return dataset.X
    missing = [name for name in wanted if name not in names]
    raise CommandError(
        f"{data}: the model needs the feature column(s) {_listed(missing)}, which the data lacks; "
        f"it has: {_listed(names)}"
    )


def _listed(names: list[str], limit: int = 5) -> str:
    """Names quoted, the first ``limit`` of them and "and N more"."""
    shown = ", ".join(map(repr, names[:limit]))
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _align_targets(model: Model, dataset: Any, data: str) -> np.ndarray:
    """The data's targets as the model's class indices (matched by class name), or values."""
    if model.task != dataset.task:
        raise CommandError(f"{data}: the model does {model.task}, but the data's target is for {dataset.task}")
    if model.task == "regression":
        return dataset.y
    index = {name: i for i, name in enumerate(model.classes or [])}
    names = np.asarray(dataset.target_names, dtype=object)[dataset.y]
    unknown = sorted({str(n) for n in names if n not in index})
    if unknown:
        raise CommandError(
            f"{data}: class(es) {', '.join(map(repr, unknown[:5]))} were not among the model's classes "
            f"({', '.join(model.classes or [])})"
        )
    return np.array([index[n] for n in names], dtype=np.int64)


def _split_rows(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The training and the test rows' indices, as ``train_test_split(X, y, fraction, seed)`` draws them."""
    from ..datasets import train_test_split

    train, test, _, _ = train_test_split(np.arange(len(y)), y, test_size=fraction, seed=seed)
    return train, test


def _digest(X: np.ndarray, y: np.ndarray) -> str:
    """A SHA-256 of the rows (values, dtypes and shapes): the same data gives the same digest."""
    import hashlib

    digest = hashlib.sha256()
    for array in (X, y):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.reshape(-1).view(np.uint8).data)  # the bytes in place (tobytes would copy them all)
    return digest.hexdigest()


def _same_data(model: Model, data: str) -> bool:
    """Whether ``data`` names the data ``model`` was trained on (the same set's name, or the same file)."""
    from ..datasets.registry import _key

    recorded = model.training.get("data")
    if not isinstance(recorded, str):
        return False
    if Path(data).suffix.lower() in (".csv", ".npz") or Path(recorded).suffix.lower() in (".csv", ".npz"):
        try:
            return Path(data).resolve() == Path(recorded).resolve()
        except OSError:
            return False
    return _key(recorded) == _key(data)


def _measured_data(model: Model, data: str, target: str | None, rows: str = "held-out",
                   data_dir: str | None = None, unseen: str = "error") -> tuple[np.ndarray, np.ndarray, str]:
    """X and y to measure ``model`` on, and which rows they are, in words.

    On the data the model was trained on, ``rows="held-out"`` takes the test rows its training held out (the
    split's fraction and seed are in the model file, with a digest of the rows: changed data is measured
    whole, and said so); ``rows="all"`` or other data: every row.
    """
    X, y = _labelled_data(model, data, target, data_dir=data_dir, unseen=unseen)
    held = model.training.get("held_out")
    every = f"all {len(X)} rows of {data}"
    if isinstance(held, dict) and held.get("split") == "the data set's test split" and _catalogue_kind(data) == "idx":
        return X, y, f"the {len(X)} rows of {data}'s own test split, held out from training"
    if rows == "all" or not isinstance(held, dict) or held.get("split") != "train_test_split":
        return X, y, every
    if not _same_data(model, data):
        return X, y, every + " (not the data the model was trained on)"
    if held.get("n_rows") != len(X) or held.get("digest") != _digest(X, y):
        return X, y, every + f" ({data} has changed since training, so its held-out rows are not known)"
    _, test = _split_rows(y, float(held["test_split"]), int(held["seed"]))
    return X[test], y[test], (f"the {len(test)} test rows of {data} held out from training "
                              f"(--rows all for all {len(X)})")


def _labelled_data(model: Model, data: str, target: str | None, data_dir: str | None = None,
                   unseen: str = "error") -> tuple[np.ndarray, np.ndarray]:
    """Raw X and its targets, for the commands that measure or explain the model's error."""
    X, y = _model_data(model, data, target, data_dir=data_dir, unseen=unseen)
    if y is None:
        raise CommandError(f"{data}: it holds no target values ({target or model.target!r}), which this command "
                           "needs to measure the model's error")
    return X, y


def _model_data(model: Model, data: str, target: str | None, need_target: bool = True,
                data_dir: str | None = None, unseen: str = "error") -> tuple[np.ndarray, np.ndarray | None]:
    """Raw X (in the model's feature order) and the targets (None when a CSV has no target column)."""
    path = Path(data)
    if path.suffix.lower() == ".csv":
        target = target or model.target
        header = _csv_header(path)
        if target not in header and need_target:
            raise CommandError(
                f"{data}: no column named {target!r}, the target, which this command needs to measure the "
                f"model's error; the columns are: {', '.join(header)}"
            )
        if model.table is not None:
            return _table_rows(model, path, target if target in header else None, unseen)
        if target not in header:
            return _csv_features(path, header, model), None
    elif target is not None:
        raise CommandError(f"--target names a CSV column; {data!r} is not a CSV file")
    task = model.task if path.suffix.lower() in (".csv", ".npz") else None
    dataset = _load_dataset(data, target=target if path.suffix.lower() == ".csv" else None, task=task,
                            split="test" if _catalogue_kind(data) == "idx" else "train", data_dir=data_dir,
                            **_made_up_as_trained(model, data))
    X = _align_features(model, dataset, data)
    return X, (_align_targets(model, dataset, data) if need_target else None)


def _table_rows(model: Model, path: Path, target: str | None, unseen: str) -> tuple[np.ndarray, np.ndarray | None]:
    """A CSV's rows through the model's recorded TableEncoding (the same columns, categories and fill values
    as in training), and its targets as the model's class indices or values."""
    from types import SimpleNamespace

    from ..datasets import DatasetError
    from ..datasets.csvstream import read_table
    from ..datasets.files import _parse_target, check_data_size
    from ..datasets.tables import TableEncoding

    encoding = TableEncoding.from_dict(model.table or {})

    def select(header: list[str]) -> list[list[int]]:  # the features in one block (X is built in it), the target
        if any(name not in header for name in encoding.columns):
            encoding.transform(path, header, [], [])  # raises, naming the columns the file lacks
        return [[header.index(name) for name in encoding.columns], *([[header.index(target)]] if target else [])]

    table = read_table(path, None, select, lambda size: check_data_size(path, size))  # read once, as a stream
    parsed: Any = None
    problem: DatasetError | None = None
    if target is not None:  # before X takes the features' memory; its problems reported after theirs
        try:
            parsed = _parse_target(path, table.column(table.header.index(target)), table.lines, target, model.task,
                                   table)
        except DatasetError as exc:
            problem = exc
    X, met = encoding.encode(path, table, unseen=unseen, in_place=True)
    for column, values in met.items():
        _say(f"glassnet: warning: {path}, column {column!r}: {len(values)} categor{'y' if len(values) == 1 else 'ies'}"
             f" the model never saw ({', '.join(map(repr, values[:5]))}) encoded as all zeros", file=sys.stderr)
    if problem is not None:
        raise problem
    if parsed is None:
        return X, None
    y, names, task = parsed
    return X, _align_targets(model, SimpleNamespace(y=y, target_names=names, task=task), str(path))


def _made_up_as_trained(model: Model, data: str) -> dict[str, Any]:
    """The seed, samples and noise that make a made-up set again as ``glassnet train`` made it for ``model``.

    For another set, or a model that records none, seed 0 (the train command's default) and the set's own
    sizes: the same command always measures on the same rows.
    """
    from ..datasets.registry import _key

    if _catalogue_kind(data) != "synthetic":
        return {}
    recorded = model.training.get("data")
    options = model.training.get("options") or {}
    if not isinstance(recorded, str) or _catalogue_kind(recorded) != "synthetic" or _key(recorded) != _key(data):
        options = {}
    return {"seed": options.get("seed", 0), "samples": options.get("samples"), "noise": options.get("noise")}


def _csv_header(path: Path) -> list[str]:
    from ..datasets import DatasetError
    from ..datasets.tables import sniff_delimiter
    from ..fileio import open_regular

    try:
        with open_regular(path, "r", newline="", encoding="utf-8-sig") as f:  # never waits on a named pipe
            first = next((text for text in f if text.strip()), "")
            f.seek(0)
            reader = csv.reader(f, delimiter=sniff_delimiter(first), skipinitialspace=True)
            row = next((row for row in reader if any(c.strip() for c in row)), None)
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except OSError as exc:
        raise DatasetError(f"{path}: could not be read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path}: could not be read ({exc})") from None
    if not row:
        raise DatasetError(f"{path}: the file is empty; a CSV file needs a header row of column names")
    return [name.strip() for name in row]


def _csv_features(path: Path, header: list[str], model: Model) -> np.ndarray:
    """The model's feature columns of a CSV that has no target column (for predict); ``header`` its names."""
    from ..datasets import load_csv_features

    missing = [name for name in model.feature_names if name not in header]
    if missing:
        raise CommandError(
            f"{path}: the model needs the feature column(s) {_listed(missing)}, which the file lacks; "
            f"it has: {_listed(header)}"
        )
    return load_csv_features(path, model.feature_names)


def cmd_datasets(args: argparse.Namespace) -> int:
    from ..datasets import available, find_dataset_files, search_dirs

    try:
        import sklearn

        sk = f"available (scikit-learn {sklearn.__version__})"
    except ImportError:
        sk = 'needs scikit-learn: pip install "glassnet[sklearn]"'
    rows = []
    for name, text in available().items():
        kind, description = text[1 : text.index("]")], text[text.index("]") + 1 :].strip()
        if kind == "synthetic":
            where = "made up on the spot (seeded)"
        elif kind == "scikit-learn":
            where = sk
        else:
            found = find_dataset_files(name, args.data_dir)
            folders = sorted({str(p.parent) for p in found.values() if p is not None})
            if all(found.values()):
                where = f"found in {', '.join(folders)}"
            else:
                missing = [stem for stem, p in found.items() if p is None]
                where = (f"not found ({len(missing)} of 4 files missing); looked in "
                         f"{', '.join(map(str, search_dirs(name, args.data_dir)))}")
        rows.append((name, kind, description, where))
    width = max(len(r[0]) for r in rows)
    for name, kind, description, where in rows:
        _say(f"{name:<{width}}  {description}")
        _say(f"{'':<{width}}  [{kind}] {where}")
    _say("")
    _say("your own data: glassnet train FILE.csv --target COLUMN, or an .npz archive holding X and y")
    return EXIT_OK
