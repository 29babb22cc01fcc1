"""``glassnet train``: build a network for the data, train it with a progress bar and checkpoints, and save
it with its preprocessing; ``--resume`` carries on from a checkpoint, Ctrl-C saves one."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DivergenceError
from .common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    TASK_NAMES,
    CommandError,
    _check_stored_options,
    _describe_network,
    _format_metrics,
    _say,
)
from .data import _digest, _network_inputs, _prepare_data, _Prepared
from .models import Model

TRAIN_DEFAULTS: dict[str, Any] = {
    "target": None, "task": None, "layers": [64, 32], "activation": "relu", "optimizer": "adam",
    "learning_rate": None, "epochs": 20, "batch_size": 32, "l2": 0.0, "early_stopping": None,
    "l1": 0.0, "dropout": None,
    "validation_split": None, "test_split": 0.2, "seed": 0, "dtype": "float32", "samples": None,
    "noise": None, "data_dir": None, "columns": None, "drop": None, "fill_missing": None,
}


DROPOUT_HELP = ("the probability that a hidden neuron is dropped in a training step (inverted dropout: the kept "
                "ones are scaled by 1/(1-p); nothing is dropped at prediction): one rate for every hidden layer, or "
                "one per hidden layer, comma-separated, e.g. 0.2,0.5 (default: none)")
L1_HELP = "L1 strength: adds l1/n sum |W| to the cost, driving weights that matter little to 0 (default 0)"


def _rates(text: str) -> float | list[float]:
    """``--dropout``: one rate in [0, 1), or several separated by commas (one per hidden layer)."""
    parts = [part.strip() for part in text.split(",")]
    try:
        rates = [float(part) for part in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a rate like 0.2, or one per hidden layer like 0.2,0.5; "
                                         f"got {text!r}") from None
    if not all(0 <= rate < 1 for rate in rates):  # also refuses nan
        raise argparse.ArgumentTypeError(f"dropout rates must be at least 0 and below 1, got {text!r}")
    return rates[0] if len(rates) == 1 else rates


def _train_spec(args: argparse.Namespace) -> tuple[dict, set[str]]:
    """The training options (defaults filled in) and the names of those given on the command line."""
    spec = dict(TRAIN_DEFAULTS)
    given = {key for key in TRAIN_DEFAULTS if getattr(args, key, None) is not None}
    for key in given:
        spec[key] = getattr(args, key)
    if spec["task"] is not None:  # --task classify|regress names the library's classification|regression
        spec["task"] = TASK_NAMES[spec["task"]]
    spec["data"] = args.data
    return spec, given


def _checkpoint_path(out: Path, checkpoint_dir: str | None) -> Path:
    if checkpoint_dir:
        return Path(checkpoint_dir) / "checkpoint.glassnet"
    return out.with_name(f"{out.stem}.checkpoint.glassnet")


def _build(spec: dict, prepared: _Prepared) -> tuple[Model, Any]:
    """The model (with its preprocessing fitted on the training part) and the Trainer."""
    from ..datasets import Standardizer
    from ..network import Network
    from ..training import Trainer

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
        table=None if prepared.table is None else prepared.table.to_dict(),
    )
    split = spec["validation_split"]
    if split is None:
        split = 0.1 if spec["early_stopping"] else 0.0
    trainer = Trainer(
        network, _network_inputs(model, prepared.X_train), model.prepare_targets(prepared.y_train),
        batch_size=spec["batch_size"] or None, optimizer=spec["optimizer"], learning_rate=spec["learning_rate"],
        l2=spec["l2"], validation_split=split, early_stopping=spec["early_stopping"],
        l1=spec.get("l1") or 0.0, dropout=spec.get("dropout"),
    )
    return model, trainer


def _check_memory(spec: dict, limit: Any, prepared: _Prepared | None = None) -> None:
    """Refuse a run whose estimated memory (:func:`glassnet.memory.training_bytes`: the network's, the data's and
    a batch's arrays) is over the limit (--max-memory, $GLASSNET_MAX_MEMORY, or a quarter of the machine's
    memory). Without ``prepared``, only a made-up set of --samples rows is judged, from a 16-row draw."""
    from ..memory import check_memory, training_bytes
    from .data import _catalogue_kind, _load_dataset

    if prepared is not None:
        dataset = prepared.dataset
        n_rows = len(prepared.X_train) + (0 if prepared.X_test is None else len(prepared.X_test))
    elif spec["samples"] is not None and _catalogue_kind(spec["data"]) == "synthetic":
        dataset, n_rows = _load_dataset(spec["data"], seed=0, samples=16), spec["samples"]
    else:
        return
    k = len(dataset.target_names) if dataset.task == "classification" else 1
    sizes = [dataset.n_features, *spec["layers"], 1 if k == 2 else k]
    check_memory(training_bytes(n_rows, dataset.n_features, sizes, spec["dtype"], spec["batch_size"] or None),
                 f"training a {'-'.join(map(str, sizes))} network on {n_rows} rows", limit)


def _describe_training(spec: dict) -> str:
    parts = [spec["optimizer"] + ("" if spec["learning_rate"] is None else f" learning rate {spec['learning_rate']:g}"),
             f"batch size {spec['batch_size'] or 'full'}", f"{spec['epochs']} epochs"]
    if spec["l2"]:
        parts.append(f"l2 {spec['l2']:g}")
    if spec.get("l1"):
        parts.append(f"l1 {spec['l1']:g}")
    if spec.get("dropout"):
        rates = spec["dropout"] if isinstance(spec["dropout"], list) else [spec["dropout"]]
        parts.append("dropout " + ",".join(f"{rate:g}" for rate in rates))
    if spec["early_stopping"]:
        parts.append(f"early stopping after {spec['early_stopping']} epochs without progress")
    parts.append(f"seed {spec['seed']}")
    return ", ".join(parts)


def _run_training(args: argparse.Namespace, spec: dict, given: set[str], out: Path | None,
                  banner: str | None = None) -> int:
    """Train (or resume) as ``spec`` says, with a progress bar, checkpoints and Ctrl-C handling."""
    from ..checkpoint import Checkpointer, load_checkpoint, remove_unfinished, restore_trainer
    from ..fileio import check_writable
    from ..progress import progress_bar

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
        _check_stored_options(stored, path)
        for key in sorted(given - {"epochs"}):
            if stored.get(key) != spec[key]:
                raise CommandError(
                    f"the checkpoint was trained with --{key.replace('_', '-')} {stored.get(key)!r}, not "
                    f"{spec[key]!r}; drop the option to resume, or train afresh without --resume"
                )
        epochs = spec["epochs"] if "epochs" in given else stored["epochs"]
        spec = {**TRAIN_DEFAULTS, **stored, "data": spec["data"], "epochs": epochs}
        out = out or Path(checkpoint.extra.get("out") or default_out)
    out = out or default_out
    if checkpoint is None and out.exists() and not getattr(args, "force", False):
        raise CommandError(f"'{out}' already exists, and glassnet train does not overwrite a model: give "
                           "--out NEW.glassnet to keep both, or --force to replace it")
    for target in (out, getattr(args, "report", None)):  # before any work: a folder, a pipe, no such folder
        if target:
            check_writable(Path(target), CommandError)
    checkpoint_path = _checkpoint_path(out, args.checkpoint_dir)
    every = args.checkpoint_every if args.checkpoint_every is not None else (1 if args.checkpoint_dir else 0)
    if args.checkpoint_dir:
        Path(args.checkpoint_dir).mkdir(parents=True, exist_ok=True)

    limit = getattr(args, "max_memory", None)
    _check_memory(spec, limit)  # a made-up set of --samples rows: before its rows are drawn
    prepared = _prepare_data(spec)
    _check_memory(spec, limit, prepared)  # before the network's weights are allocated
    fingerprint = _digest(prepared.X_train, prepared.y_train)  # the same SHA-256 checkpoints have always kept
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
        return _interrupted(model, trainer, checkpointer, spec, prepared, out, seconds)
    except DivergenceError:
        if checkpointer.last is not None and checkpointer.last.epoch > 0:
            checkpointer.save()
            _say(f"glassnet: the last good epoch's checkpoint is in '{checkpoint_path}'", file=sys.stderr)
        raise
    seconds = spent + time.perf_counter() - start
    history = trainer.history
    model.training = _training_summary(spec, prepared, model, trainer, history, seconds, interrupted=False)
    saved = model.save(out)
    if every or checkpoint_path.exists():  # never leave an earlier run's checkpoint for --resume to pick up
        checkpointer.save()
    _say("")
    line = f"epochs   {history.epochs} of {spec['epochs']}"
    if history.best_epoch is not None:
        line += f"{' (stopped early)' if history.stopped_early else ''}; the best epoch, {history.best_epoch + 1}, kept"
    _say(line)
    _say(f"time     {seconds:.2f} s")
    t = model.training
    _say(f"train    {_format_metrics(t['train_metrics'])}   ({t['n_train']} training rows, after the last step)")
    if t["validation_metrics"] is not None:
        _say(f"valid.   {_format_metrics(t['validation_metrics'])}   ({t['n_validation']} validation rows)")
    _say(f"test     {_format_metrics(t['test_metrics'])}" + (f"   ({t['n_test']} held-out test rows)"
                                                               if t["n_test"] else "   (no test rows held out)"))
    _say(f"model    saved to {saved}")
    if getattr(args, "report", None):
        _write_report(Path(args.report), model, history, prepared)
    args._result = (model, prepared)
    return EXIT_OK


def _training_summary(spec: dict, prepared: _Prepared, model: Model, trainer: Any, history: Any, seconds: float,
                      interrupted: bool) -> dict:
    """What the model file records of its training. The metrics are measured with the final weights: on the
    rows the steps were taken on (the validation rows apart, so they agree with the curve's two costs), on the
    validation rows, and on the held-out test rows."""
    test = validation = None
    if prepared.X_test is not None and prepared.y_test is not None:
        test = model.metrics(prepared.X_test, prepared.y_test)
    if trainer.validation is not None:
        validation = model.metrics_prepared(trainer.validation[0], trainer.validation[1])
    return {
        "data": str(spec["data"]),
        "dataset": prepared.dataset.name,
        "n_train": int(len(trainer.X)),
        "n_validation": 0 if trainer.validation is None else int(len(trainer.validation[0])),
        "n_test": 0 if prepared.X_test is None else int(len(prepared.X_test)),
        "test_split": prepared.source,
        "options": {k: spec[k] for k in TRAIN_DEFAULTS},
        "epochs": history.epochs,
        "seconds": round(seconds, 3),
        "interrupted": interrupted,
        "history": history.as_dict(),
        "train_metrics": model.metrics_prepared(trainer.X, trainer.Y),
        "validation_metrics": validation,
        "test_metrics": test,
        "held_out": _held_out(spec, prepared),
    }


def _held_out(spec: dict, prepared: _Prepared) -> dict | None:
    """How to find the test rows again: the split's fraction and seed, and the digest of the rows it was drawn
    from (so that evaluate, plot and report measure those rows by default, and know when the data changed)."""
    if prepared.X_test is None:
        return None
    if prepared.source == "the data set's own test split":
        return {"split": "the data set's test split"}
    return {"split": "train_test_split", "test_split": spec["test_split"], "seed": spec["seed"],
            "n_rows": int(prepared.n_rows), "digest": prepared.digest}


def _interrupted(model: Model, trainer: Any, checkpointer: Any, spec: dict, prepared: _Prepared, out: Path,
                 seconds: float) -> int:
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
        from ..training import History

        history = History.from_dict(dict(last.history))
        model.training = _training_summary(spec, prepared, model, trainer, history, seconds, interrupted=True)
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
    from ..report import write_report

    X, y = prepared.X_train, prepared.y_train
    if prepared.X_test is not None and prepared.y_test is not None:
        X, y = prepared.X_test, prepared.y_test
    written = write_report(path, model.network, history, model.prepare(X), model.prepare_targets(y),
                           class_names=model.classes, title=f"glassnet: {prepared.dataset.name}",
                           feature_names=model.feature_names, inputs=model.inputs, targets=model.target_scaler)
    _say(f"report   written to {written}")


def cmd_train(args: argparse.Namespace) -> int:
    spec, given = _train_spec(args)
    return _run_training(args, spec, given, Path(args.out) if args.out else None)
