"""Model files of the command line, and the commands that use one: ``evaluate``, ``predict`` and ``info``.

A :class:`Model` is a trained network plus what it needs to work on raw data (the standardization, the
feature and class names), all kept in one glassnet model file.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, ModelFileError
from ..modelfile import plain_json
from .common import EXIT_OK, _describe_network, _format_metrics, _say
from .data import _measured_data, _model_data

WRITTEN_BY = "glassnet train"  # marks a Network file whose header carries the command line's preprocessing


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
    table: dict | None = None  # a CSV's TableEncoding (columns, categories, fill values), as to_dict gives it

    # -- using it -------------------------------------------------------------------------------------------
    def prepare(self, X: np.ndarray) -> np.ndarray:
        """Raw inputs as the network sees them (standardized)."""
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.network.n_inputs:
            raise InputError(
                f"the data has {X.shape[1] if X.ndim == 2 else '?'} feature columns; "
                f"the model takes {self.network.n_inputs}"
            )
        with np.errstate(over="ignore", invalid="ignore"):
            prepared = X if self.inputs is None else self.inputs.transform(X.astype(np.float64))
        if prepared.dtype.kind == "f" and prepared.size:
            largest = float(np.finfo(self.network.dtype).max)
            with np.errstate(invalid="ignore"):
                beyond = ~(np.abs(prepared) <= largest)
            if beyond.any():   # what the network's dtype cannot hold would become inf (or NaN) inside it
                row, col = (int(i) for i in np.argwhere(beyond)[0])
                name = self.feature_names[col] if col < len(self.feature_names) else str(col + 1)
                raise InputError(
                    f"row {row + 1}, column {name!r}: {X[row, col]:g} is beyond what the model's "
                    f"{self.network.dtype} inputs hold (|x| up to {largest:.3g} after standardizing); "
                    "rescale the column, or train with --dtype float64")
        return prepared

    def prepare_targets(self, y: np.ndarray) -> np.ndarray:
        """Targets as the network is trained on them (class labels, or the standardized value)."""
        if self.task == "regression" and self.target_scaler is not None:
            return self.target_scaler.transform(np.asarray(y, dtype=np.float64))
        return y

    def outputs(self, X: np.ndarray) -> np.ndarray:
        """The network's outputs for raw inputs X, prepared a block at a time (never all in float64 at once)."""
        from .data import _network_inputs

        return self.network.predict(_network_inputs(self, X))

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
        return self.metrics_prepared(self.prepare(X), self.prepare_targets(y), y)

    def metrics_prepared(self, Xs: np.ndarray, ys: np.ndarray, y: np.ndarray | None = None) -> dict[str, float]:
        """:meth:`metrics` of rows already as the network sees them (``Xs``, ``ys``, as a Trainer holds them);
        ``y`` the raw targets when known (regression: otherwise ``ys`` is brought back to the target's units)."""
        net = self.network
        result = {"cost": float(net.cost(Xs, ys))}
        if self.task == "classification":
            result["accuracy"] = float(net.accuracy(Xs, ys))
        else:
            if y is None:
                ys = np.asarray(ys, dtype=np.float64).reshape(len(Xs), -1)[:, 0]
                y = ys if self.target_scaler is None else self.target_scaler.inverse_transform(ys)
            y = np.asarray(y, dtype=np.float64)
            values = net.predict(Xs)[:, 0].astype(np.float64)
            predicted = values if self.target_scaler is None else self.target_scaler.inverse_transform(values)
            error = predicted - y
            spread = float(np.sum((y - np.mean(y)) ** 2))
            result["rmse"] = float(np.sqrt(np.mean(error**2)))
            result["mae"] = float(np.mean(np.abs(error)))
            result["r2"] = float(1.0 - np.sum(error**2) / spread) if spread > 0 else float("nan")
        return result

    # -- files ----------------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """``net.save`` with the preprocessing and the names in the header, so the file works on raw data."""
        from ..persistence import save

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
        if self.table is not None:
            preprocessing["table"] = self.table
        return save(self.network, path, preprocessing=preprocessing, training=plain_json(self.training))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Model:
        """A model file of ``glassnet train``, or any Network or estimator file ``glassnet.load`` reads."""
        from ..persistence import load, read_header

        try:
            header = read_header(path)
        except ModelFileError as exc:
            if "not a zip archive" in str(exc) and Path(path).is_file() and _starts_as_zip(path):
                raise ModelFileError(
                    f"cannot load '{path}': the file is cut short or damaged (it starts as a glassnet model file "
                    "but does not end as one); copy it again, or train it again"
                ) from None
            raise
        kind = header["kind"]
        if kind == "checkpoint":
            raise ModelFileError(
                f"'{path}' is a training checkpoint, not a model; continue it with glassnet train DATA --resume"
            )
        loaded = load(path)
        network = getattr(loaded, "network_", loaded)
        pre = header.get("preprocessing")
        training: dict = header["training"] if isinstance(header.get("training"), dict) else {}
        try:
            _check_training(training)
        except ValueError as exc:
            raise ModelFileError(f"cannot load '{path}': its training summary is malformed: {exc}") from None
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
        from ..datasets import Standardizer

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
        if task == "classification":
            wanted = 2 if network.n_outputs == 1 else network.n_outputs
            if not isinstance(classes, list) or len(classes) != wanted or not all(isinstance(c, str) for c in classes):
                raise ValueError(f"its classes {str(classes)[:80]} are not the {wanted} class names the network's "
                                 f"{network.n_outputs} output(s) tell apart")
            if len(set(classes)) != len(classes):
                raise ValueError(f"its classes {str(classes)[:80]} repeat a name")
        image_shape = pre.get("image_shape")
        if image_shape is not None and (not isinstance(image_shape, list) or not all(
                type(n) is int and n >= 1 for n in image_shape) or math.prod(image_shape) != network.n_inputs):
            raise ValueError(f"its image_shape {str(image_shape)[:80]} does not hold the network's {network.n_inputs} "
                             "inputs")
        table = pre.get("table")
        if table is not None:
            from ..datasets.tables import TableEncoding

            encoding = TableEncoding.from_dict(table)
            if encoding.feature_names != feature_names:
                raise ValueError("the table encoding does not give the network's inputs")
            table = encoding.to_dict()
        return cls(
            table=table,
            network=network, task=task, feature_names=feature_names, target=str(pre.get("target") or "y"),
            classes=None if classes is None else [str(c) for c in classes], inputs=inputs,
            target_scaler=scaler(pre.get("target_scaling")), image_shape=pre.get("image_shape"),
            training=training,
        )


def _check_training(training: dict) -> None:
    """The training summary ``glassnet train`` records (see ``_training_summary``), checked field by field where
    present (files saved from Python have none); raises ValueError naming the first field that is wrong."""
    from ..checkpoint import check_history_dict

    def fail(key: str, wanted: str) -> ValueError:
        return ValueError(f"{key} is {str(training[key])[:60]!r}, not {wanted}")

    for key in ("data", "dataset", "test_split"):
        if key in training and not isinstance(training[key], str):
            raise fail(key, "text")
    for key in ("n_train", "n_validation", "n_test", "epochs"):
        if key in training and (type(training[key]) is not int or training[key] < 0):
            raise fail(key, "a whole number >= 0")
    seconds = training.get("seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
        raise fail("seconds", "a number of seconds")
    if "interrupted" in training and not isinstance(training["interrupted"], bool):
        raise fail("interrupted", "true or false")
    if "history" in training:
        check_history_dict(training["history"])
    for key in ("train_metrics", "validation_metrics", "test_metrics"):
        metrics = training.get(key)
        if metrics is not None and (not isinstance(metrics, dict) or not all(
                value is None or not isinstance(value, bool) and isinstance(value, (int, float))
                for value in metrics.values())):
            raise fail(key, "null or an object of numbers")
    options = training.get("options")
    if options is not None and not isinstance(options, dict):
        raise fail("options", "an object")
    for key, low in (("seed", 0), ("samples", 1), ("epochs", 1)):
        value = (options or {}).get(key)
        if value is not None and (type(value) is not int or value < low):
            raise ValueError(f"options[{key!r}] is {str(value)[:60]!r}, not a whole number >= {low}")
    noise = (options or {}).get("noise")
    if noise is not None and (isinstance(noise, bool) or not isinstance(noise, (int, float)) or not noise >= 0):
        raise ValueError(f"options['noise'] is {str(noise)[:60]!r}, not a number >= 0")
    held = training.get("held_out")
    if held is not None:
        if not isinstance(held, dict) or not isinstance(held.get("split"), str):
            raise fail("held_out", "null or an object naming its split")
        if held["split"] == "train_test_split":
            fraction, seed = held.get("test_split"), held.get("seed")
            if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
                raise ValueError(f"held_out['test_split'] is {str(fraction)[:60]!r}, not a fraction between 0 and 1")
            if type(seed) is not int or seed < 0 or type(held.get("n_rows")) is not int:
                raise ValueError("held_out's seed or n_rows is not a whole number >= 0")


def _starts_as_zip(path: str | os.PathLike[str]) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def cmd_evaluate(args: argparse.Namespace) -> int:
    model = Model.load(args.model)
    X, y, which = _measured_data(model, args.data, args.target, rows=args.rows, data_dir=args.data_dir,
                                 unseen=args.unseen)
    metrics = model.metrics(X, y)
    _say(f"model    {args.model}: {_describe_network(model.network)}")
    _say(f"data     {args.data}: {len(X)} rows, {which}")
    _say(f"result   {_format_metrics(metrics)}")
    return EXIT_OK


def cmd_predict(args: argparse.Namespace) -> int:
    from ..fileio import atomic_write_bytes, check_writable

    if args.out:
        check_writable(args.out, InputError)  # before the work: a folder, a named pipe, no such folder
    model = Model.load(args.model)
    X, _ = _model_data(model, args.data, args.target, need_target=False, data_dir=args.data_dir, unseen=args.unseen)
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
    if model.table is not None:
        table = model.table
        for column, categories in (table.get("categories") or {}).items():
            _say(f"            {column}: one-hot, {len(categories)} categories ({', '.join(categories[:6])}"
                 f"{', ...' if len(categories) > 6 else ''})")
        if table.get("fill_missing"):
            _say(f"            missing values filled with each column's {table['fill_missing']} (text: most frequent)")
    _say("")
    _say(net.summary())
    t = model.training
    if t:
        _say("")
        options = t.get("options") or {}
        history = t.get("history") or {}
        _say(f"trained on  {t.get('data')} ({t.get('n_train')} training rows, {t.get('n_validation', 0)} validation "
             f"rows, {t.get('n_test')} test rows)")
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
        if t.get("validation_metrics"):
            _say(f"validation  {_format_metrics(t.get('validation_metrics'))}")
        _say(f"test        {_format_metrics(t.get('test_metrics'))}")
    return EXIT_OK
