"""Data for the commands: data sets by name or CSV/NPZ path, the training and test parts, a model's columns
matched by name, and the ``datasets`` command."""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .common import EXIT_OK, CommandError, _say, _task_flag

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
    dataset: Any
    source: str


def _prepare_data(spec: dict) -> _Prepared:
    """Load the training data and split off the test part (MNIST-family sets bring their own test split)."""
    from ..datasets import train_test_split

    data = spec["data"]
    common = {"target": spec["target"], "task": spec["task"], "seed": spec["seed"], "samples": spec["samples"],
              "noise": spec["noise"], "data_dir": spec["data_dir"]}
    dataset = _load_dataset(data, **common)
    if dataset.task == "classification" and len(dataset.target_names) < 2:
        raise CommandError(f"{data!r} has only one class ({dataset.target_names[0]!r}); nothing to tell apart")
    if _catalogue_kind(data) == "idx":
        test = _load_dataset(data, split="test", **common)
        return _Prepared(dataset.X, dataset.y, test.X, test.y, dataset, "the data set's own test split")
    fraction = spec["test_split"]
    if not fraction:
        return _Prepared(dataset.X, dataset.y, None, None, dataset, "none")
    if not 0 < fraction < 1:
        raise CommandError(f"--test-split must lie between 0 and 1, got {fraction}")
    X_train, X_test, y_train, y_test = train_test_split(dataset.X, dataset.y, test_size=fraction, seed=spec["seed"])
    return _Prepared(X_train, y_train, X_test, y_test, dataset, f"{fraction:.0%} of the rows, drawn with the seed")


def _align_features(model: Model, dataset: Any, data: str) -> np.ndarray:
    """The data's feature columns in the model's order (matched by name when the names allow)."""
    names = list(dataset.feature_names)
    wanted = model.feature_names
    if names == wanted:
        return dataset.X
    if set(wanted) <= set(names):
        return dataset.X[:, [names.index(name) for name in wanted]]
    if len(names) == len(wanted) and model.inputs is None:
        return dataset.X
    missing = [name for name in wanted if name not in names]
    raise CommandError(
        f"{data}: the model needs the feature column(s) {', '.join(map(repr, missing[:5]))}"
        f"{' ...' if len(missing) > 5 else ''}, which the data lacks"
    )


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


def _model_data(model: Model, data: str, target: str | None, need_target: bool = True,
                data_dir: str | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Raw X (in the model's feature order) and the targets (None when a CSV has no target column)."""
    path = Path(data)
    if path.suffix.lower() == ".csv":
        target = target or model.target
        header = _csv_header(path)
        if target not in header:
            if need_target:
                raise CommandError(
                    f"{data}: no column named {target!r} (the target); the columns are: {', '.join(header)}"
                )
            return _csv_features(path, header, model), None
    elif target is not None:
        raise CommandError(f"--target names a CSV column; {data!r} is not a CSV file")
    task = model.task if path.suffix.lower() in (".csv", ".npz") else None
    dataset = _load_dataset(data, target=target if path.suffix.lower() == ".csv" else None, task=task,
                            split="test" if _catalogue_kind(data) == "idx" else "train", data_dir=data_dir,
                            **_made_up_as_trained(model, data))
    X = _align_features(model, dataset, data)
    return X, (_align_targets(model, dataset, data) if need_target else None)


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

    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            row = next((row for row in csv.reader(f, skipinitialspace=True) if any(c.strip() for c in row)), None)
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
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
            f"{path}: the model needs the feature column(s) {', '.join(map(repr, missing[:5]))}, which the file lacks"
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
