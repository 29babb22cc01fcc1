"""The ``glassnet`` command: train, evaluate, predict, inspect and explain networks from a shell.

A thin layer over the library: it parses arguments, loads data (:mod:`glassnet.datasets`), builds and
trains a :class:`~glassnet.network.Network` with a :class:`~glassnet.training.Trainer`, and writes files
through :mod:`glassnet.modelfile` and :mod:`glassnet.checkpoint`. It holds no maths of its own.

Exit codes: 0 success; 1 a data or model problem, reported as one line ``glassnet: error: ...`` (the
traceback only with ``--debug``); 2 a usage error (from argparse); 130 interrupted (Ctrl-C).

Run ``glassnet --help`` and ``glassnet COMMAND --help`` for the options.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DivergenceError, GlassnetError, InputError, ModelFileError

__all__ = ["build_parser", "main"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
WRITTEN_BY = "glassnet train"  # marks a Network file whose header carries the command line's preprocessing
TASK_NAMES = {"classify": "classification", "regress": "regression"}

# The training options and their defaults; a resumed run takes them from its checkpoint.
TRAIN_DEFAULTS: dict[str, Any] = {
    "target": None, "task": None, "layers": [64, 32], "activation": "relu", "optimizer": "adam",
    "learning_rate": None, "epochs": 20, "batch_size": 32, "l2": 0.0, "early_stopping": None,
    "validation_split": None, "test_split": 0.2, "seed": 0, "dtype": "float32", "samples": None,
    "noise": None, "data_dir": None,
}
DEMO_OPTIONS: dict[str, Any] = {
    "layers": [64], "activation": "relu", "optimizer": "adam", "learning_rate": 0.003, "epochs": 30,
    "batch_size": 32, "seed": 0, "test_split": 0.2, "validation_split": 0.1,
}


class CommandError(GlassnetError):
    """A problem the command line reports in one line and exits 1."""


def _say(*parts: object, file: Any = None) -> None:
    print(*parts, file=file or sys.stdout, flush=True)


# =============================================================================================== model files
@dataclass
class Model:
    """A trained network with what it needs to work on raw data: the input standardizer, the target's
    standardizer (regression), the feature names and the class names.

    The network sees ``(X - inputs.mean_) / inputs.scale_``; a regression network predicts the target
    standardized, and ``target.inverse_transform`` brings its outputs back to the target's units.
    """

    network: Any
    task: str
    feature_names: list[str]
    target: str
    classes: list[str] | None
    inputs: Any = None  # glassnet.datasets.Standardizer or None
    target_scaler: Any = None
    image_shape: list[int] | None = None
    training: dict = field(default_factory=dict)
    kind: str = "network"

    # -- using it -------------------------------------------------------------------------------------------
    def prepare(self, X: np.ndarray) -> np.ndarray:
        """Raw inputs as the network sees them (standardized)."""
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.network.n_inputs:
            raise InputError(
                f"the data has {X.shape[1] if X.ndim == 2 else '?'} feature columns; "
                f"the model takes {self.network.n_inputs}"
            )
        return X if self.inputs is None else self.inputs.transform(X.astype(np.float64))

    def prepare_targets(self, y: np.ndarray) -> np.ndarray:
        """Targets as the network is trained on them (class labels, or the standardized value)."""
        if self.task == "regression" and self.target_scaler is not None:
            return self.target_scaler.transform(np.asarray(y, dtype=np.float64))
        return y

    def outputs(self, X: np.ndarray) -> np.ndarray:
        return self.network.predict(self.prepare(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class indices, or values in the target's units."""
        outputs = self.outputs(X)
        if self.task == "classification":
            return self.network.cost_function.classes(outputs)
        values = outputs[:, 0].astype(np.float64)
        return values if self.target_scaler is None else self.target_scaler.inverse_transform(values)

    def probabilities(self, outputs: np.ndarray) -> np.ndarray:
        """Each class's probability, one column per class (a single sigmoid output gives two)."""
        if outputs.shape[1] == 1:
            return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
        return outputs

    def metrics(self, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
        """cost and accuracy (classification), or cost, rmse, mae and r2 in the target's units."""
        net = self.network
        Xs, ys = self.prepare(X), self.prepare_targets(y)
        result = {"cost": float(net.cost(Xs, ys))}
        if self.task == "classification":
            result["accuracy"] = float(net.accuracy(Xs, ys))
        else:
            error = self.predict(X) - np.asarray(y, dtype=np.float64)
            spread = float(np.sum((y - np.mean(y)) ** 2))
            result["rmse"] = float(np.sqrt(np.mean(error**2)))
            result["mae"] = float(np.mean(np.abs(error)))
            result["r2"] = float(1.0 - np.sum(error**2) / spread) if spread > 0 else float("nan")
        return result

    # -- files ----------------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """``net.save`` with the preprocessing and the names in the header, so the file works on raw data."""
        from .persistence import save

        def scaler(standardizer: Any) -> dict | None:
            if standardizer is None:
                return None
            return {"method": "standardize", "mean": np.asarray(standardizer.mean_).tolist(),
                    "scale": np.asarray(standardizer.scale_).tolist()}

        preprocessing = {
            "written_by": WRITTEN_BY,
            "task": self.task,
            "feature_names": list(self.feature_names),
            "target": self.target,
            "classes": self.classes,
            "image_shape": self.image_shape,
            "inputs": scaler(self.inputs),
            "target_scaling": scaler(self.target_scaler),
        }
        return save(self.network, path, preprocessing=preprocessing, training=_jsonable(self.training))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Model:
        """A model file of ``glassnet train``, or any Network or estimator file ``glassnet.load`` reads."""
        from .persistence import load, read_header

        header = read_header(path)
        kind = header["kind"]
        if kind == "checkpoint":
            raise ModelFileError(
                f"'{path}' is a training checkpoint, not a model; continue it with glassnet train DATA --resume"
            )
        loaded = load(path)
        network = getattr(loaded, "network_", loaded)
        pre = header.get("preprocessing")
        training = header.get("training") if isinstance(header.get("training"), dict) else {}
        if kind == "network" and isinstance(pre, dict) and pre.get("written_by") == WRITTEN_BY:
            try:
                return cls._from_header(network, pre, training)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                raise ModelFileError(f"cannot load '{path}': its preprocessing is malformed ({exc})") from None
        # a Network or an estimator saved from Python: no preprocessing, the inputs used as they come
        task = "classification" if network.cost_function.is_classification else "regression"
        classes = getattr(loaded, "classes_", None)
        if task == "classification" and classes is None:
            classes = [str(i) for i in range(max(2, network.n_outputs))]
        names = getattr(loaded, "feature_names_in_", None)
        if names is None:
            names = [f"x{j + 1}" for j in range(network.n_inputs)]
        return cls(network=network, task=task, feature_names=[str(n) for n in names], target="y",
                   classes=None if classes is None else [str(c) for c in classes], kind=kind, training=training)

    @classmethod
    def _from_header(cls, network: Any, pre: dict, training: dict) -> Model:
        from .datasets import Standardizer

        def scaler(spec: Any) -> Any:
            if spec is None:
                return None
            if spec.get("method") != "standardize":
                raise ValueError(f"unknown preprocessing {spec.get('method')!r}")
            return Standardizer.from_arrays(np.asarray(spec["mean"], dtype=np.float64),
                                            np.asarray(spec["scale"], dtype=np.float64))

        task = pre["task"]
        if task not in ("classification", "regression"):
            raise ValueError(f"unknown task {task!r}")
        feature_names = [str(name) for name in pre["feature_names"]]
        if len(feature_names) != network.n_inputs:
            raise ValueError("the feature names do not match the network's inputs")
        inputs = scaler(pre.get("inputs"))
        if inputs is not None and inputs.mean_.shape != (network.n_inputs,):
            raise ValueError("the input standardization does not match the network's inputs")
        classes = pre.get("classes")
        return cls(
            network=network, task=task, feature_names=feature_names, target=str(pre.get("target") or "y"),
            classes=None if classes is None else [str(c) for c in classes], inputs=inputs,
            target_scaler=scaler(pre.get("target_scaling")), image_shape=pre.get("image_shape"),
            training=training,
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


# =============================================================================================== data
def _catalogue_kind(name: str) -> str | None:
    """"synthetic", "scikit-learn" or "idx" for a data set name, None for a file path or unknown name."""
    from .datasets import available

    if Path(name).suffix.lower() in (".csv", ".npz"):
        return None
    entry = available().get(name.strip().lower().replace("_", "-"))
    return None if entry is None else entry[1 : entry.index("]")]


def _load_dataset(data: str, target: str | None = None, task: str | None = None, split: str = "train",
                  seed: int | None = None, samples: int | None = None, noise: float | None = None,
                  data_dir: str | None = None) -> Any:
    """A Dataset from a name or a CSV/NPZ path, with the command line's options passed where they apply."""
    from .datasets import load

    kind = _catalogue_kind(data)
    options: dict[str, Any] = {}
    if kind is None:
        if task is not None:
            options["task"] = task
    else:
        if task is not None:
            pass  # checked against the data set's own task below
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
    dataset = load(data, target=target, **options)
    if task is not None and dataset.task != task:
        raise CommandError(f"{data!r} is a {dataset.task} data set; --task {_task_flag(task)} does not fit it")
    return dataset


def _task_flag(task: str) -> str:
    return {v: k for k, v in TASK_NAMES.items()}[task]


def _fingerprint(*arrays: np.ndarray) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


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
    from .datasets import train_test_split

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
            return _csv_features(path, model), None
    elif target is not None:
        raise CommandError(f"--target names a CSV column; {data!r} is not a CSV file")
    task = model.task if path.suffix.lower() in (".csv", ".npz") else None
    dataset = _load_dataset(data, target=target if path.suffix.lower() == ".csv" else None, task=task,
                            split="test" if _catalogue_kind(data) == "idx" else "train", data_dir=data_dir)
    X = _align_features(model, dataset, data)
    return X, (_align_targets(model, dataset, data) if need_target else None)


def _csv_header(path: Path) -> list[str]:
    from .datasets import DatasetError

    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            row = next(csv.reader(f, skipinitialspace=True), None)
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetError(f"{path}: could not be read ({exc})") from None
    if not row:
        raise DatasetError(f"{path}: the file is empty; a CSV file needs a header row of column names")
    return [name.strip() for name in row]


def _csv_features(path: Path, model: Model) -> np.ndarray:
    """The model's feature columns of a CSV that has no target column (for predict)."""
    from .datasets import files

    header, rows, lines = files._read_csv(path, ",")
    missing = [name for name in model.feature_names if name not in header]
    if missing:
        raise CommandError(
            f"{path}: the model needs the feature column(s) {', '.join(map(repr, missing[:5]))}, which the file lacks"
        )
    columns = [header.index(name) for name in model.feature_names]
    return files._parse_features(path, rows, lines, columns, header)


# =============================================================================================== training
def _train_spec(args: argparse.Namespace) -> tuple[dict, set[str]]:
    """The training options (defaults filled in) and the names of those given on the command line."""
    spec = dict(TRAIN_DEFAULTS)
    given = {key for key in TRAIN_DEFAULTS if getattr(args, key, None) is not None}
    for key in given:
        spec[key] = getattr(args, key)
    spec["data"] = args.data
    return spec, given


def _checkpoint_path(out: Path, checkpoint_dir: str | None) -> Path:
    if checkpoint_dir:
        return Path(checkpoint_dir) / "checkpoint.glassnet"
    return out.with_name(f"{out.stem}.checkpoint.glassnet")


def _build(spec: dict, prepared: _Prepared) -> tuple[Model, Any]:
    """The model (with its preprocessing fitted on the training part) and the Trainer."""
    from .datasets import Standardizer
    from .network import Network
    from .training import Trainer

    dataset = prepared.dataset
    inputs = Standardizer().fit(prepared.X_train)
    target_scaler = None
    if dataset.task == "classification":
        k = len(dataset.target_names)
        n_outputs, cost = (1, "binary_cross_entropy") if k == 2 else (k, "cross_entropy")
    else:
        n_outputs, cost = 1, "mse"
        target_scaler = Standardizer().fit(prepared.y_train.astype(np.float64))
    sizes = [dataset.n_features, *spec["layers"], n_outputs]
    network = Network.from_sizes(sizes, activation=spec["activation"], cost=cost, seed=spec["seed"],
                                 dtype=spec["dtype"])
    model = Model(
        network=network, task=dataset.task, feature_names=list(dataset.feature_names),
        target=dataset.target_names[0] if dataset.task == "regression" else (spec["target"] or "class"),
        classes=list(dataset.target_names) if dataset.task == "classification" else None,
        inputs=inputs, target_scaler=target_scaler,
        image_shape=None if dataset.image_shape is None else list(dataset.image_shape),
    )
    split = spec["validation_split"]
    if split is None:
        split = 0.1 if spec["early_stopping"] else 0.0
    trainer = Trainer(
        network, model.prepare(prepared.X_train), model.prepare_targets(prepared.y_train),
        batch_size=spec["batch_size"] or None, optimizer=spec["optimizer"], learning_rate=spec["learning_rate"],
        l2=spec["l2"], validation_split=split, early_stopping=spec["early_stopping"],
    )
    return model, trainer


def _describe_network(network: Any) -> str:
    names = [layer.activation.name for layer in network.layers]
    hidden = sorted(set(names[:-1]))
    return (f"{'-'.join(map(str, network.sizes))} network ({', '.join(hidden) + ' hidden, ' if hidden else ''}"
            f"{names[-1]} output, cost {network.cost_function.name}, {network.n_params} parameters)")


def _describe_training(spec: dict) -> str:
    parts = [spec["optimizer"] + ("" if spec["learning_rate"] is None else f" learning rate {spec['learning_rate']:g}"),
             f"batch size {spec['batch_size'] or 'full'}", f"{spec['epochs']} epochs"]
    if spec["l2"]:
        parts.append(f"l2 {spec['l2']:g}")
    if spec["early_stopping"]:
        parts.append(f"early stopping after {spec['early_stopping']} epochs without progress")
    parts.append(f"seed {spec['seed']}")
    return ", ".join(parts)


def _format_metrics(metrics: dict | None) -> str:
    if not metrics:
        return "-"
    parts = []
    for key, value in metrics.items():
        if value is None:
            continue
        parts.append(f"{key} {value:.2%}" if key == "accuracy" else f"{key} {value:.4g}")
    return "   ".join(parts)


def _run_training(args: argparse.Namespace, spec: dict, given: set[str], out: Path | None,
                  banner: str | None = None) -> int:
    """Train (or resume) as ``spec`` says, with a progress bar, checkpoints and Ctrl-C handling."""
    from .checkpoint import Checkpointer, load_checkpoint, remove_unfinished, restore_trainer
    from .progress import progress_bar

    default_out = Path(f"{Path(spec['data']).stem}.glassnet")
    checkpoint = None
    if args.resume:
        path = _checkpoint_path(out or default_out, args.checkpoint_dir)
        if not path.exists():
            raise CommandError(f"no checkpoint at '{path}' to resume from; train without --resume first")
        checkpoint = load_checkpoint(path)
        remove_unfinished(path)  # what a killed run may have left half written beside it
        stored = checkpoint.extra.get("options")
        if not isinstance(stored, dict):
            raise CommandError(f"'{path}' was not written by glassnet train; it cannot be resumed here")
        for key in sorted(given - {"epochs"}):
            if stored.get(key) != spec[key]:
                raise CommandError(
                    f"the checkpoint was trained with --{key.replace('_', '-')} {stored.get(key)!r}, not "
                    f"{spec[key]!r}; drop the option to resume, or train afresh without --resume"
                )
        epochs = spec["epochs"] if "epochs" in given else stored["epochs"]
        spec = {**stored, "data": spec["data"], "epochs": epochs}
        out = out or Path(checkpoint.extra.get("out") or default_out)
    out = out or default_out
    checkpoint_path = _checkpoint_path(out, args.checkpoint_dir)
    every = args.checkpoint_every if args.checkpoint_every is not None else (1 if args.checkpoint_dir else 0)
    if every < 0:
        raise CommandError(f"--checkpoint-every must be 0 or more, got {every}")
    if args.checkpoint_dir:
        Path(args.checkpoint_dir).mkdir(parents=True, exist_ok=True)

    prepared = _prepare_data(spec)
    fingerprint = _fingerprint(prepared.X_train, prepared.y_train)
    if checkpoint is not None and checkpoint.extra.get("fingerprint") != fingerprint:
        raise CommandError(f"{spec['data']!r} is not the data the checkpoint was trained on (its rows differ)")
    model, trainer = _build(spec, prepared)
    dataset = prepared.dataset
    n_val = 0 if trainer.validation is None else len(trainer.validation[0])
    if banner:
        _say(banner)
    n_rows = len(prepared.X_train) + (0 if prepared.X_test is None else len(prepared.X_test))
    n_test = 0 if prepared.X_test is None else len(prepared.X_test)
    what = f"{len(dataset.target_names)} classes" if dataset.task == "classification" else f"target {model.target!r}"
    _say(f"data     {dataset.name}: {n_rows} rows, {dataset.n_features} features, {what}")
    _say(f"split    {len(trainer.X)} training, {n_val} validation, {n_test} test rows "
         "(inputs standardized on the training part)")
    _say(f"network  {_describe_network(model.network)}")
    _say(f"training {_describe_training(spec)}")

    options = {k: spec[k] for k in TRAIN_DEFAULTS}
    checkpointer = Checkpointer(checkpoint_path, every=every,
                                extra={"options": options, "fingerprint": fingerprint, "out": str(out)})
    if not args.quiet:
        trainer.callbacks.append(progress_bar())
    trainer.callbacks.append(checkpointer)  # last: after EarlyStopping, so its snapshot includes it
    if checkpoint is not None:
        restore_trainer(trainer, checkpoint)
        _say(f"resuming from '{checkpoint_path}' after epoch {trainer.epoch}")
    spent = float(sum(trainer.history.seconds))
    remaining = spec["epochs"] - trainer.epoch
    start = time.perf_counter()
    try:
        if remaining > 0 and not trainer.stop:
            trainer.run(remaining)
        elif trainer.early_stopping is not None:
            trainer.early_stopping.on_train_end(trainer)  # a finished run: put back its best weights
    except KeyboardInterrupt:
        seconds = spent + time.perf_counter() - start
        return _interrupted(model, checkpointer, spec, prepared, out, seconds)
    except DivergenceError:
        if checkpointer.last is not None and checkpointer.last.epoch > 0:
            checkpointer.save()
            _say(f"glassnet: the last good epoch's checkpoint is in '{checkpoint_path}'", file=sys.stderr)
        raise
    seconds = spent + time.perf_counter() - start
    history = trainer.history
    model.training = _training_summary(spec, prepared, model, history, seconds, interrupted=False)
    saved = model.save(out)
    if every:
        checkpointer.save()
    _say("")
    line = f"epochs   {history.epochs} of {spec['epochs']}"
    if history.best_epoch is not None:
        line += f"{' (stopped early)' if history.stopped_early else ''}; the best epoch, {history.best_epoch + 1}, kept"
    _say(line)
    _say(f"time     {seconds:.2f} s")
    _say(f"train    {_format_metrics(model.training['train_metrics'])}")
    _say(f"test     {_format_metrics(model.training['test_metrics'])}")
    _say(f"model    saved to {saved}")
    if getattr(args, "report", None):
        _write_report(Path(args.report), model, history, prepared)
    args._result = (model, prepared)
    return EXIT_OK


def _training_summary(spec: dict, prepared: _Prepared, model: Model, history: Any, seconds: float,
                      interrupted: bool) -> dict:
    test = None
    if prepared.X_test is not None:
        test = model.metrics(prepared.X_test, prepared.y_test)
    return {
        "data": str(spec["data"]),
        "dataset": prepared.dataset.name,
        "n_train": int(len(prepared.X_train)),
        "n_test": 0 if prepared.X_test is None else int(len(prepared.X_test)),
        "test_split": prepared.source,
        "options": {k: spec[k] for k in TRAIN_DEFAULTS},
        "epochs": history.epochs,
        "seconds": round(seconds, 3),
        "interrupted": interrupted,
        "history": history.as_dict(),
        "train_metrics": model.metrics(prepared.X_train, prepared.y_train),
        "test_metrics": test,
    }


def _interrupted(model: Model, checkpointer: Any, spec: dict, prepared: _Prepared, out: Path, seconds: float) -> int:
    """Ctrl-C: save the last complete epoch as a checkpoint and the best weights so far as the model."""
    previous = None
    try:  # a second Ctrl-C must not tear these files (they are written atomically anyway)
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        pass
    try:
        last = checkpointer.last
        _say("", file=sys.stderr)
        if last is None or last.epoch == 0:
            _say("glassnet: interrupted before the first epoch ended; nothing to save", file=sys.stderr)
            return EXIT_INTERRUPTED
        path = checkpointer.save()
        best = last.best_params if last.best_params is not None else last.params
        model.network.params[...] = best
        from .training import History

        history = History.from_dict(dict(last.history))
        model.training = _training_summary(spec, prepared, model, history, seconds, interrupted=True)
        saved = model.save(out)
        which = "best" if last.best_params is not None else "last complete"
        _say(f"glassnet: interrupted after epoch {last.epoch} of {spec['epochs']}", file=sys.stderr)
        _say(f"glassnet: checkpoint saved to {path}", file=sys.stderr)
        _say(f"glassnet: the {which} epoch's model saved to {saved}", file=sys.stderr)
        _say("glassnet: continue with the same command and --resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _write_report(path: Path, model: Model, history: Any, prepared: _Prepared) -> None:
    from .report import write_report

    X, y = (prepared.X_test, prepared.y_test) if prepared.X_test is not None else (prepared.X_train, prepared.y_train)
    written = write_report(path, model.network, history, model.prepare(X), model.prepare_targets(y),
                           class_names=model.classes, title=f"glassnet: {prepared.dataset.name}")
    _say(f"report   written to {written}")


# =============================================================================================== commands
def cmd_train(args: argparse.Namespace) -> int:
    spec, given = _train_spec(args)
    return _run_training(args, spec, given, Path(args.out) if args.out else None)


def cmd_demo(args: argparse.Namespace) -> int:
    spec = {**TRAIN_DEFAULTS, **DEMO_OPTIONS, "data": "digits"}
    if args.epochs is not None:
        spec["epochs"] = args.epochs
    note = ""
    try:
        import sklearn  # noqa: F401  (the digits ship inside scikit-learn)
    except ImportError:
        spec.update(data="spiral", layers=[32, 32], learning_rate=0.01, epochs=args.epochs or 60)
        note = ('(scikit-learn is not installed, so the demo learns a made-up spiral instead of handwritten '
                'digits; pip install "glassnet[demo]" for the digits)\n')
    banner = (
        "glassnet demo: a network learns to read handwritten digits (8x8 pixel images, shipped with "
        "scikit-learn)\nby backpropagation, one mini-batch at a time.\n" + note
        if spec["data"] == "digits" else "glassnet demo: a network learns to tell the arms of a spiral apart.\n" + note
    )
    args.resume, args.checkpoint_dir, args.checkpoint_every, args.report = False, None, None, None
    out = Path(args.out or f"{spec['data']}.glassnet")
    code = _run_training(args, spec, set(), out, banner=banner)
    model, prepared = args._result
    if prepared.X_test is not None and model.task == "classification":
        shown = min(12, len(prepared.X_test))
        predicted = model.predict(prepared.X_test[:shown])
        names = model.classes or []
        _say("")
        _say(f"the first {shown} test examples (never seen in training):")
        _say("  true       " + " ".join(f"{names[i]:>3}" for i in prepared.y_test[:shown]))
        _say("  predicted  " + " ".join(f"{names[i]:>3}" for i in predicted))
    _say("")
    _say("next:")
    steps = [
        (f"glassnet info {out}", "what is inside the model"),
        (f"glassnet evaluate {out} {spec['data']}", f"measure it on all of {spec['data']}"),
        (f"glassnet explain {out} {spec['data']} --row 0", "the worked numbers of one training step"),
        (f"glassnet train {spec['data']} --layers 128,64 --epochs 50", "another network"),
    ]
    width = max(len(command) for command, _ in steps)
    for command, what in steps:
        _say(f"  {command:<{width}}   {what}")
    return code


def cmd_evaluate(args: argparse.Namespace) -> int:
    model = Model.load(args.model)
    X, y = _model_data(model, args.data, args.target, data_dir=args.data_dir)
    metrics = model.metrics(X, y)
    _say(f"model    {args.model}: {_describe_network(model.network)}")
    _say(f"data     {args.data}: {len(X)} rows")
    _say(f"result   {_format_metrics(metrics)}")
    return EXIT_OK


def cmd_predict(args: argparse.Namespace) -> int:
    from .modelfile import atomic_write_bytes

    model = Model.load(args.model)
    X, _ = _model_data(model, args.data, args.target, need_target=False, data_dir=args.data_dir)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    if model.task == "classification":
        outputs = model.outputs(X)
        probabilities = model.probabilities(outputs)
        names = model.classes or [str(i) for i in range(probabilities.shape[1])]
        predicted = model.network.cost_function.classes(outputs)
        writer.writerow(["prediction", *(f"p({name})" for name in names)])
        for label, row in zip(predicted, probabilities, strict=True):
            writer.writerow([names[label], *(f"{p:.6g}" for p in row)])
    else:
        writer.writerow([f"predicted {model.target}"])
        writer.writerows([[f"{value:.8g}"] for value in model.predict(X)])
    if args.out:
        atomic_write_bytes(args.out, text.getvalue().encode("utf-8"))
        _say(f"wrote {len(X)} predictions to {args.out}")
    else:
        sys.stdout.write(text.getvalue())
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    model = Model.load(args.model)
    net = model.network
    _say(f"model       {args.model} ({model.kind})")
    _say(f"task        {model.task}" + (f", {len(model.classes or [])} classes: {', '.join(model.classes or [])}"
                                         if model.task == "classification" else f", target {model.target!r}"))
    names = model.feature_names
    shown = ", ".join(names[:8]) + (f", ... ({len(names)} in all)" if len(names) > 8 else "")
    _say(f"inputs      {len(names)}: {shown}")
    pre = "standardized: (x - mean) / scale, fitted on the training part" if model.inputs is not None else "none"
    _say(f"preprocess  {pre}" + ("; the target too" if model.target_scaler is not None else ""))
    _say("")
    _say(net.summary())
    t = model.training
    if t:
        _say("")
        options = t.get("options") or {}
        history = t.get("history") or {}
        _say(f"trained on  {t.get('data')} ({t.get('n_train')} training rows, {t.get('n_test')} test rows)")
        _say("options     " + ", ".join(f"{k} {v}" for k, v in options.items() if v is not None and k != "target"))
        costs = history.get("cost") or []
        line = f"epochs      {t.get('epochs')} in {t.get('seconds')} s"
        if costs:
            line += f"; training cost {costs[0]:.4g} -> {costs[-1]:.4g}"
        if history.get("best_epoch") is not None:
            line += f"; best epoch {history['best_epoch'] + 1}"
        if history.get("stopped_early"):
            line += " (stopped early)"
        if t.get("interrupted"):
            line += " (interrupted)"
        _say(line)
        _say(f"train       {_format_metrics(t.get('train_metrics'))}")
        _say(f"test        {_format_metrics(t.get('test_metrics'))}")
    return EXIT_OK


def cmd_gradcheck(args: argparse.Namespace) -> int:
    from .gradcheck import gradcheck
    from .network import Network

    if (args.model is None) != (args.data is None):
        raise CommandError("give both MODEL and DATA, or neither (for a small built-in network)")
    if args.model is None:
        rng = np.random.default_rng(args.seed)
        layers = [int(n) for n in args.layers]
        net = Network.from_sizes([3, *layers, 3], activation=args.activation, cost="cross_entropy",
                                 seed=args.seed, dtype="float64")
        X, y = rng.normal(size=(args.rows, 3)), rng.integers(0, 3, size=args.rows)
        _say(f"gradcheck on a built-in {_describe_network(net)}, {args.rows} random examples")
    else:
        model = Model.load(args.model)
        X, y = _model_data(model, args.data, args.target)
        X, y = model.prepare(X[: args.rows]), model.prepare_targets(y[: args.rows])
        net = model.network
        _say(f"gradcheck on {args.model}: {_describe_network(net)}, the first {len(X)} rows of {args.data}")
    result = gradcheck(net, X, y, eps=args.eps, tolerance=args.tolerance, l2=args.l2)
    _say("relative error |numerical - backprop| / (|numerical| + |backprop|) per layer, eps "
         f"{args.eps:g}, float64:")
    _say(str(result))
    if not result.passed:
        raise CommandError(f"gradient check failed: the worst relative error {result.worst:.3e} is above "
                           f"the tolerance {args.tolerance:g}")
    return EXIT_OK


def cmd_datasets(args: argparse.Namespace) -> int:
    from .datasets import available, find_dataset_files, search_dirs

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


def _row(args: argparse.Namespace, n: int) -> int:
    if not -n <= args.row < n:
        raise CommandError(f"--row {args.row} is out of range: the data has {n} rows")
    return args.row % n


def cmd_explain(args: argparse.Namespace) -> int:
    from .inspect import explain, explain_demo

    if args.demo:
        if args.model is not None:
            raise CommandError("give --demo or a MODEL, not both")
        _say(explain_demo(format=args.format, full=args.full))
        return EXIT_OK
    if args.model is None or args.data is None:
        raise CommandError("give MODEL and DATA (and --row N), or --demo for a tiny built-in network")
    model = Model.load(args.model)
    X, y = _model_data(model, args.data, args.target)
    i = _row(args, len(X))
    x, target = model.prepare(X[i : i + 1])[0], model.prepare_targets(y[i : i + 1])[0]
    text = explain(model.network, x, target, learning_rate=args.learning_rate, format=args.format,
                   full=args.full, input_names=model.feature_names)
    _say(text)
    return EXIT_OK


_PLOT_NEEDS = {  # kind -> (needs a model, needs data)
    "activations": (False, False), "cost-surface": (False, False), "network": (True, False),
    "curves": (True, False), "weights": (True, False), "boundary": (True, True), "hidden": (True, True),
    "confusion": (True, True), "blame": (True, True),
}


def cmd_plot(args: argparse.Namespace) -> int:
    from . import plots

    kind = args.kind
    needs_model, needs_data = _PLOT_NEEDS[kind]
    out = args.out or f"{kind}.png"
    if needs_model and args.model is None:
        raise CommandError(f"glassnet plot {kind} needs a MODEL")
    if needs_data and args.data is None:
        raise CommandError(f"glassnet plot {kind} needs a MODEL and DATA")
    if kind == "activations":
        plots.plot_activations(path=out)
    elif kind == "cost-surface":
        plots.plot_cost_surface(path=out)
    else:
        model = Model.load(args.model)
        net = model.network
        X = y = None
        if args.data is not None:
            X, y = _model_data(model, args.data, args.target)
            X, y = model.prepare(X), model.prepare_targets(y)
        if kind == "network":
            x1 = y1 = None
            if X is not None:
                i = _row(args, len(X))
                x1, y1 = X[i], y[i]
            plots.plot_network(net, x1, y1, view=args.view, path=out)
        elif kind == "curves":
            history = model.training.get("history")
            if not history:
                raise CommandError(f"{args.model} keeps no training history to draw")
            plots.plot_history(history, path=out)
        elif kind == "weights":
            shape = tuple(model.image_shape) if model.image_shape else None
            plots.plot_first_layer_weights(net, shape=shape, path=out)
        elif kind == "boundary":
            plots.plot_decision_boundary(net, X, y, class_names=model.classes, path=out)
        elif kind == "hidden":
            plots.plot_hidden_activations(net, X, y, path=out)
        elif kind == "confusion":
            if model.task != "classification":
                raise CommandError("a confusion matrix is for classifiers; this model does regression")
            predicted = net.cost_function.classes(net.predict(X))
            plots.plot_confusion_matrix(y, predicted, class_names=model.classes, path=out)
        elif kind == "blame":
            plots.plot_blame(net, X, y, path=out)
    _say(f"wrote {out}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report
    from .training import History

    model = Model.load(args.model)
    X = y = None
    if args.data is not None:
        X, y = _model_data(model, args.data, args.target)
        X, y = model.prepare(X), model.prepare_targets(y)
    history = model.training.get("history")
    written = write_report(
        args.out, model.network, History.from_dict(history) if history else None, X, y,
        class_names=model.classes, title=args.title or f"glassnet: {Path(args.model).name}",
        image_format=args.image_format,
    )
    _say(f"wrote {written}")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    import json

    from .compare import METHODS, compare_training

    methods = tuple(args.methods) if args.methods else METHODS
    result = compare_training(
        task=args.task, budget_seconds=args.budget, seed=args.seed, target_cost=args.target_cost,
        methods=methods, hidden=args.hidden, learning_rate=args.learning_rate, max_steps=args.max_steps,
    )
    _say(json.dumps(result.to_dict(), indent=2) if args.json else str(result))
    return EXIT_OK


def cmd_playground(args: argparse.Namespace) -> int:
    from .playground import serve

    serve(host=args.host, port=args.port, open_browser=args.open)
    return EXIT_OK


# =============================================================================================== arguments
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
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of rows or 'full', got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"the batch size must be positive (or 'full'), got {value}") from None
    return value


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not np.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"expected a number greater than 0, got {text!r}") from None
        return value

    parse.__name__ = f"positive {kind.__name__}"
    return parse


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction at least 0 and below 1, got {text!r}") from None
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, got {text!r}") from None
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``glassnet`` command and its subcommands."""
    from .activations import ACTIVATIONS

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback on errors")
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="Neural networks that learn by backpropagation, with every number inside in plain view.",
        epilog="Start with: glassnet demo. Each command has --help.",
    )
    parser.add_argument("--debug", action="store_true", default=False, help="show the full traceback on errors")
    parser.add_argument("--version", action="version", version=f"glassnet {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    hidden_activations = sorted(set(ACTIVATIONS) - {"softmax"})

    def add(name: str, function: Any, help: str, description: str | None = None) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=description or help, parents=[common])
        p.set_defaults(func=function)
        return p

    # train
    p = add("train", cmd_train, "train a network on a data set or a CSV/NPZ file",
            "Train a network by backpropagation. DATA is a data set name (see glassnet datasets) or a "
            ".csv/.npz file. The model file keeps the standardization and the class names, so evaluate "
            "and predict work on raw data. Ctrl-C saves a checkpoint and the best model so far; --resume "
            "carries on exactly where it stopped.")
    p.add_argument("data", metavar="DATA", help="a data set name or a .csv/.npz path")
    p.add_argument("--target", metavar="COL", help="the target column of a CSV file")
    p.add_argument("--task", choices=sorted(TASK_NAMES), help="classify or regress (default: guessed from the target)")
    p.add_argument("--layers", type=_int_list, metavar="64,32",
                   help="hidden layer widths, comma-separated ('' or 0: none, i.e. logistic/linear regression); "
                        "default 64,32")
    p.add_argument("--activation", choices=hidden_activations, help="the hidden layers' activation (default relu)")
    p.add_argument("--optimizer", choices=["adam", "sgd"], help="default adam")
    p.add_argument("--learning-rate", type=_positive(float), metavar="LR",
                   help="default: the optimizer's own (adam 0.001, sgd 0.1)")
    p.add_argument("--epochs", type=_positive(int), metavar="N", help="default 20")
    p.add_argument("--batch-size", type=_batch, metavar="N", help="rows per step, or 'full' (default 32)")
    p.add_argument("--l2", type=_non_negative, metavar="L2", help="L2 strength: adds l2/(2n) sum W^2 to the cost")
    p.add_argument("--early-stopping", type=_positive(int), metavar="PATIENCE",
                   help="stop after PATIENCE epochs without a better validation cost; keep the best weights")
    p.add_argument("--validation-split", type=_fraction, metavar="F",
                   help="fraction of the training rows held out to validate each epoch (default 0.1 with "
                        "--early-stopping, else 0)")
    p.add_argument("--test-split", type=_fraction, metavar="F",
                   help="fraction of the rows held out for the final test (default 0.2; 0: none)")
    p.add_argument("--seed", type=int, metavar="N", help="seeds everything: split, weights, shuffles (default 0)")
    p.add_argument("--dtype", choices=["float32", "float64"], help="default float32")
    p.add_argument("--samples", type=_positive(int), metavar="N", help="rows of a made-up data set")
    p.add_argument("--noise", type=_non_negative, help="noise of a made-up data set")
    p.add_argument("--data-dir", metavar="DIR", help="where to look first for MNIST-family files")
    p.add_argument("--out", metavar="FILE", help="the model file (default DATA-NAME.glassnet)")
    p.add_argument("--checkpoint-dir", metavar="DIR",
                   help="write DIR/checkpoint.glassnet (default: FILE's stem + .checkpoint.glassnet beside --out)")
    p.add_argument("--checkpoint-every", type=int, metavar="N",
                   help="checkpoint every N epochs (default 1 with --checkpoint-dir, else only on Ctrl-C)")
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    p.add_argument("--report", metavar="FILE.html", help="also write an HTML report")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    # demo
    p = add("demo", cmd_demo, "the tour: learn handwritten digits in a few seconds",
            "Train a small network on scikit-learn's handwritten digits, show the progress and the "
            "results, and save the model.")
    p.add_argument("--out", metavar="FILE", help="the model file (default digits.glassnet)")
    p.add_argument("--epochs", type=_positive(int), metavar="N", help="default 30")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    # evaluate / predict / info
    p = add("evaluate", cmd_evaluate, "measure a model on data (cost, accuracy or rmse/mae/r2)")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("data", metavar="DATA", help="a data set name or a .csv/.npz path (named sets: their test split "
                   "where they have one)")
    p.add_argument("--target", metavar="COL", help="the target column of a CSV (default: the model's)")
    p.add_argument("--data-dir", metavar="DIR", help="where to look first for MNIST-family files")

    p = add("predict", cmd_predict, "predict for each row of the data (CSV to stdout or --out)")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("data", metavar="DATA", help="a .csv (the target column may be absent), .npz or data set name")
    p.add_argument("--out", metavar="FILE.csv", help="write the predictions here (atomically)")
    p.add_argument("--target", metavar="COL", help="the target column of a CSV, to leave out")
    p.add_argument("--data-dir", metavar="DIR", help="where to look first for MNIST-family files")

    p = add("info", cmd_info, "what is inside a model file: layers, shapes, parameters, training")
    p.add_argument("model", metavar="MODEL")

    # gradcheck
    p = add("gradcheck", cmd_gradcheck, "check backpropagation against finite differences ('small shocks')",
            "Compare backpropagation's gradients with central finite differences, layer by layer, on a small "
            "built-in network with random data, or on a model and the first rows of some data.")
    p.add_argument("model", metavar="MODEL", nargs="?")
    p.add_argument("data", metavar="DATA", nargs="?")
    p.add_argument("--target", metavar="COL")
    p.add_argument("--rows", type=_positive(int), default=8, help="examples to check on (default 8)")
    p.add_argument("--layers", type=_int_list, default=[5, 4], metavar="5,4",
                   help="the built-in network's hidden widths (default 5,4)")
    p.add_argument("--activation", choices=hidden_activations, default="tanh", help="the built-in network's (tanh)")
    p.add_argument("--eps", type=_positive(float), default=1e-6, help="the shock size (default 1e-6)")
    p.add_argument("--tolerance", type=_positive(float), default=1e-6, help="the largest relative error passed")
    p.add_argument("--l2", type=_non_negative, default=0.0)
    p.add_argument("--seed", type=int, default=0)

    p = add("datasets", cmd_datasets, "the data sets glassnet knows, and where each was found")
    p.add_argument("--data-dir", metavar="DIR", help="a folder to look in first for MNIST-family files")

    # the inside views (issue 6) and the playground (issue 7)
    p = add("explain", cmd_explain, "the worked numbers of one training step on one example",
            "Print the trace of one gradient-descent step: each neuron's inputs, s and activation, the "
            "cost, every delta (BP1, BP2), every gradient (BP3, BP4) and each parameter after the update.")
    p.add_argument("model", metavar="MODEL", nargs="?")
    p.add_argument("data", metavar="DATA", nargs="?")
    p.add_argument("--demo", action="store_true", help="a tiny built-in 2-2-2 network (Mazur's worked example)")
    p.add_argument("--row", type=int, default=0, help="which row of DATA (default 0)")
    p.add_argument("--target", metavar="COL")
    p.add_argument("--learning-rate", type=_positive(float), default=0.1, help="for the update shown (0.1)")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    p.add_argument("--full", action="store_true", help="show every neuron and weight")

    p = add("plot", cmd_plot, "draw a picture (PNG or SVG; needs glassnet[plots])",
            "Draw one of: " + ", ".join(_PLOT_NEEDS) + ". activations and cost-surface need nothing; network, "
            "curves and weights need a MODEL; boundary, hidden, confusion and blame need MODEL and DATA.")
    p.add_argument("kind", metavar="KIND", choices=list(_PLOT_NEEDS), help=", ".join(_PLOT_NEEDS))
    p.add_argument("model", metavar="MODEL", nargs="?")
    p.add_argument("data", metavar="DATA", nargs="?")
    p.add_argument("--out", metavar="FILE", help="a .png or .svg file (default KIND.png)")
    p.add_argument("--target", metavar="COL")
    p.add_argument("--row", type=int, default=0, help="the example the network diagram shows (with DATA)")
    p.add_argument("--view", choices=["weights", "forward", "backward"],
                   help="the network diagram's view (default: backward with DATA, else weights)")

    p = add("report", cmd_report, "one self-contained HTML page about a model")
    p.add_argument("model", metavar="MODEL")
    p.add_argument("data", metavar="DATA", nargs="?", help="examples to measure it on (adds blame, confusion, ...)")
    p.add_argument("--out", metavar="FILE.html", default="report.html")
    p.add_argument("--target", metavar="COL")
    p.add_argument("--title")
    p.add_argument("--image-format", choices=["png", "svg"], default="png")

    p = add("compare-training", cmd_compare, "backpropagation against finite differences and evolution",
            "Train one small network by backpropagation, by finite differences and by random search "
            "(tweak-and-keep, population), each for the same wall time, and compare.")
    p.add_argument("--task", default="xor", choices=["xor", "circles", "moons", "spiral", "digits"])
    p.add_argument("--budget", type=_positive(float), default=2.0, metavar="SECONDS", help="per method (2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--target-cost", type=_positive(float), default=0.1)
    p.add_argument("--methods", type=_name_list, help="comma-separated subset of the methods")
    p.add_argument("--hidden", type=_int_list, metavar="8", help="hidden widths (default per task)")
    p.add_argument("--learning-rate", type=_positive(float))
    p.add_argument("--max-steps", type=_positive(int), help="also cap each method's steps")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = add("playground", cmd_playground, "the browser playground (needs glassnet[playground])")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--open", action="store_true", help="open a browser tab")
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("glassnet")
    except PackageNotFoundError:
        return "0+unknown"


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, KeyError) and exc.args:
        text = str(exc.args[0])
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``glassnet`` command with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit 2 here
    try:
        return int(args.func(args) or EXIT_OK)
    except KeyboardInterrupt:
        _say("\nglassnet: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `glassnet predict ... | head`: the reader left; nothing to report
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_OK
    except (GlassnetError, OSError, ImportError, ValueError) as exc:
        if args.debug:
            traceback.print_exc()
        _say(f"glassnet: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
