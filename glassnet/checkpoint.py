"""Checkpoints: everything a Trainer needs to stop and later carry on as if it had never stopped.

A checkpoint holds, as of the end of an epoch:

- the network's architecture and its flat ``params``;
- the optimizer's memory (``optimizer.state()``: step count, momentum velocity, Adam's ``m`` and ``v``);
- the network's random generator state (the next epoch's shuffle is drawn from it);
- the epoch count, the History so far, and the early-stopping state (best cost, its epoch, its weights,
  the epochs waited);
- the training options that must not change on resume (batch size, L2, L1, dropout rates, shuffling, the
  optimizer, the numbers of training and validation rows), plus any JSON ``extra`` a caller adds (the
  command line keeps its options and a fingerprint of the data there).

Restoring all of it into a Trainer built the same way (same network seed, data and options) and running
the remaining epochs gives exactly the weights of an uninterrupted run, bit for bit.

Files are written through :func:`glassnet.modelfile.write_model_file` (``kind="checkpoint"``): a
temporary file, fsynced, then renamed over the old checkpoint. A process killed at any moment leaves the
previous complete checkpoint, never a torn one.

:class:`Checkpointer` is the Callback: it takes an in-memory snapshot at the end of every epoch (a copy
of the parameters and the optimizer's arrays) and writes every ``every`` epochs. After an interruption
(Ctrl-C) :meth:`Checkpointer.save` writes the last complete epoch, never a half-trained one.
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from .errors import InputError, ModelFileError
from .modelfile import check_header_allocation, plain_json, read_model_file, write_model_file
from .randomness import rng_state_from_json, rng_state_to_json
from .training import Callback, EarlyStopping, History, Trainer

__all__ = ["CHECKPOINT_KIND", "Checkpoint", "Checkpointer", "load_checkpoint", "restore_trainer",
           "remove_unfinished", "save_checkpoint", "snapshot"]

CHECKPOINT_KIND = "checkpoint"


@dataclass
class Checkpoint:
    """A trainer's state at the end of an epoch, in memory (:func:`snapshot`) or read from a file.

    ``epoch`` counts the epochs completed; ``finished`` is True when training had ended (early stopping
    or a callback said stop), so resuming has nothing left to do.
    """

    epoch: int
    total_epochs: int
    finished: bool
    network: dict
    params: np.ndarray
    optimizer: dict
    optimizer_state: dict[str, np.ndarray]
    rng_state: dict
    history: dict
    early_stopping: dict | None
    best_params: np.ndarray | None
    options: dict
    extra: dict = field(default_factory=dict)

    def to_file(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The header and arrays :func:`glassnet.modelfile.write_model_file` stores."""
        header = {
            "epoch": self.epoch, "total_epochs": self.total_epochs, "finished": self.finished,
            "network": self.network, "optimizer": self.optimizer, "rng_state": rng_state_to_json(self.rng_state),
            "history": self.history, "early_stopping": self.early_stopping, "options": self.options,
            "extra": self.extra, "optimizer_state": sorted(self.optimizer_state),
        }
        arrays = {"params": self.params}
        arrays.update({f"optimizer.{key}": np.asarray(value) for key, value in self.optimizer_state.items()})
        if self.best_params is not None:
            arrays["early_stopping.best_params"] = self.best_params
        return header, arrays


def _trainer_options(trainer: Trainer) -> dict:
    return {
        "batch_size": trainer.batch_size,
        "l2": trainer.l2,
        "l1": trainer.l1,
        "dropout": list(trainer.dropout),
        "shuffle": trainer.shuffle,
        "n_train": len(cast(np.ndarray, trainer.X)),
        "n_validation": 0 if trainer.validation is None else len(trainer.validation[0]),
        "early_stopping": trainer.early_stopping is not None,
    }


def snapshot(trainer: Trainer, extra: dict | None = None) -> Checkpoint:
    """The trainer's state now, copied (call it between epochs: at an epoch's end or before training).

    With early stopping, call it after the EarlyStopping callback has seen the epoch (see
    :class:`Checkpointer`).
    """
    state = trainer.state()
    es, es_state = trainer.early_stopping, state["early_stopping"]
    if es is not None:
        es_state = {
            "best": es_state["best"] if math.isfinite(es_state["best"]) else None,
            "best_epoch": es_state["best_epoch"],
            "wait": es_state["wait"],
            "patience": es.patience,
            "min_delta": es.min_delta,
            "restore_best": es.restore_best,
        }
    return Checkpoint(
        epoch=state["epoch"],
        total_epochs=state["total_epochs"],
        finished=state["finished"],
        network=trainer.network.config(),
        params=state["params"],
        optimizer=plain_json(trainer.optimizer.config()),  # optimizer configs may hold numpy numbers
        optimizer_state=state["optimizer"],
        rng_state=state["rng_state"],
        history=state["history"],
        early_stopping=es_state,
        best_params=None if es is None else state["early_stopping"]["best_params"],
        options=_trainer_options(trainer),
        extra=copy.deepcopy(extra) if extra else {},
    )


def save_checkpoint(path: str | os.PathLike[str], state: Trainer | Checkpoint, extra: dict | None = None) -> Path:
    """Write a checkpoint of ``state`` (a Trainer between epochs, or a :func:`snapshot`) atomically."""
    if isinstance(state, Trainer):
        state = snapshot(state, extra)
    elif extra:
        state = copy.copy(state)
        state.extra = {**state.extra, **extra}
    header, arrays = state.to_file()
    return write_model_file(path, header, arrays, kind=CHECKPOINT_KIND)


# -- the checkpoint's header, checked field by field before anything is built ---------------------------------
class _Bad(ValueError):
    """A field of a checkpoint's header that is not what it must be; load_checkpoint adds the file's name."""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _count(value: Any, where: str, *, none: bool = False) -> int | None:
    """A whole number >= 0 (not a bool, not a float), or None when ``none``."""
    if value is None and none:
        return None
    if type(value) is not int or value < 0:
        raise _Bad(f"{where} is {_show(value)}, not a whole number >= 0" + (" or null" if none else ""))
    return value


def _number(value: Any, where: str, *, none: bool = False) -> float | None:
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _Bad(f"{where} is {_show(value)}, not a finite number" + (" or null" if none else ""))
    return float(value)


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"{where} is {_show(value)}, not true or false")
    return value


_HISTORY_LISTS = {"cost": False, "accuracy": True, "val_cost": False, "val_accuracy": True,
                  "learning_rate": False, "seconds": False}   # name -> whether an entry may be null


def check_history_dict(history: Any) -> dict:
    """A History's dict (:meth:`History.as_dict`) read from a file, checked: lists of numbers, best_epoch a
    count or null, stopped_early true or false; raises ValueError naming the first field that is not."""
    if not isinstance(history, dict):
        raise _Bad(f"history is {_show(history)}, not an object")
    unknown = sorted(set(history) - set(_HISTORY_LISTS) - {"best_epoch", "stopped_early"})
    if unknown:
        raise _Bad(f"history has the unknown fields {unknown}")
    for key, nullable in _HISTORY_LISTS.items():
        values = history.get(key, [])
        if not isinstance(values, list):
            raise _Bad(f"history[{key!r}] is {_show(values)}, not a list of numbers")
        for i, value in enumerate(values):
            _number(value, f"history[{key!r}][{i}]", none=nullable)
    _count(history.get("best_epoch"), "history['best_epoch']", none=True)
    _flag(history.get("stopped_early", False), "history['stopped_early']")
    return history


def _check_early_stopping(state: Any, params: np.ndarray, best_params: np.ndarray | None) -> None:
    if state is None:
        if best_params is not None:
            raise _Bad("it holds early_stopping.best_params but no early-stopping state")
        return
    if not isinstance(state, dict):
        raise _Bad(f"early_stopping is {_show(state)}, not an object or null")
    missing = sorted({"best", "best_epoch", "wait"} - set(state))
    if missing:
        raise _Bad(f"early_stopping lacks {missing}")
    _number(state["best"], "early_stopping['best']", none=True)
    _count(state["best_epoch"], "early_stopping['best_epoch']", none=True)
    _count(state["wait"], "early_stopping['wait']")
    if "patience" in state:
        _count(state["patience"], "early_stopping['patience']")
    if "min_delta" in state:
        _number(state["min_delta"], "early_stopping['min_delta']")
    if "restore_best" in state:
        _flag(state["restore_best"], "early_stopping['restore_best']")
    if best_params is not None and (best_params.shape != params.shape or best_params.dtype != params.dtype):
        raise _Bad(f"early_stopping.best_params are {best_params.dtype} {best_params.shape}, the params "
                   f"{params.dtype} {params.shape}")


def _check_network(network: Any, params: np.ndarray) -> None:
    """The network's description against its params: its sizes must give exactly as many parameters as the
    file holds (so nothing is allocated from sizes the file cannot back), in a float dtype."""
    if not isinstance(network, dict):
        raise _Bad(f"network is {_show(network)}, not an object")
    sizes = network.get("sizes")
    if not isinstance(sizes, list) or len(sizes) < 2 or not all(type(n) is int and n >= 1 for n in sizes):
        raise _Bad(f"network['sizes'] is {_show(sizes)}, not at least two whole numbers >= 1")
    count = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
    check_header_allocation(count, params.dtype, "network['sizes']", limit=int(params.nbytes))
    if params.ndim != 1 or params.size != count or params.dtype.kind != "f":
        raise _Bad(f"params are {params.dtype} {params.shape}; network['sizes'] {sizes} needs float ({count},)")
    activations = network.get("activations")
    if not isinstance(activations, list) or len(activations) != len(sizes) - 1:
        raise _Bad(f"network['activations'] is {_show(activations)}, not one per layer")
    for key in ("cost", "dtype"):
        if not isinstance(network.get(key), str):
            raise _Bad(f"network[{key!r}] is {_show(network.get(key))}, not a name")


_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "batch_size": (int, type(None)), "l2": (int, float), "shuffle": bool, "n_train": int, "n_validation": int,
    "early_stopping": bool}


def _check_options(options: Any) -> dict:
    if not isinstance(options, dict):
        raise _Bad(f"options is {_show(options)}, not an object")
    for key, kind in _OPTIONS.items():
        if key in options and (not isinstance(options[key], kind)
                               or kind is not bool and isinstance(options[key], bool)):
            raise _Bad(f"options[{key!r}] is {_show(options[key])}, not of the expected type")
    return options


def _check_state_arrays(names: Any, arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        raise _Bad(f"optimizer_state is {_show(names)}, not a list of distinct names")
    missing = sorted(f"optimizer.{n}" for n in names if f"optimizer.{n}" not in arrays)
    if missing or "params" not in arrays:
        raise _Bad(f"it lacks some of its arrays: {missing or ['params']}")
    used = {"params", "early_stopping.best_params", *(f"optimizer.{n}" for n in names)}
    unknown = sorted(set(arrays) - used)
    if unknown:
        raise _Bad(f"it holds arrays a checkpoint does not use: {unknown}")
    return {name: arrays[f"optimizer.{name}"] for name in names}


def remove_unfinished(path: str | os.PathLike[str]) -> list[Path]:
    """Delete the temporary files a killed writer of ``path`` left beside it; returns what was removed.

    Only call it when no other process is writing ``path``.
    """
    path = Path(path)
    removed = []
    for temporary in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            temporary.unlink()
            removed.append(temporary)
        except OSError:
            pass
    return removed


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint`; a ModelFileError names any problem.

    The container is read as a model file is (:func:`~glassnet.modelfile.read_model_file`: bounded header,
    sizes checked before allocating, each array's digest); then every field of the header is checked for its
    type and range (counts whole numbers >= 0, the history's lists numbers, the early-stopping state
    complete, the network's sizes matching its params) before the Checkpoint is built.
    """
    header, arrays = read_model_file(path, kind=CHECKPOINT_KIND)
    try:
        optimizer_state = _check_state_arrays(header.get("optimizer_state"), arrays)
        params = arrays["params"]
        best_params = arrays.get("early_stopping.best_params")
        epoch = _count(header.get("epoch"), "epoch")
        total = _count(header.get("total_epochs"), "total_epochs")
        if cast(int, total) < cast(int, epoch):
            raise _Bad(f"total_epochs {total} is below the epochs done, {epoch}")
        finished = _flag(header.get("finished"), "finished")
        _check_network(header.get("network"), params)
        history = check_history_dict(header.get("history"))
        if not isinstance(header.get("optimizer"), dict) or not isinstance(header["optimizer"].get("name"), str):
            raise _Bad(f"optimizer is {_show(header.get('optimizer'))}, not an optimizer's config")
        _check_early_stopping(header.get("early_stopping"), params, best_params)
        options = _check_options(header.get("options"))
        extra = header.get("extra")
        if extra is not None and not isinstance(extra, dict):
            raise _Bad(f"extra is {_show(extra)}, not an object")
        History.from_dict(history)
        rng_state = rng_state_from_json(header.get("rng_state"))
    except (_Bad, ValueError, TypeError) as exc:
        raise ModelFileError(f"cannot load '{path}': a checkpoint field is missing or malformed: {exc}") from None
    return Checkpoint(
        epoch=cast(int, epoch), total_epochs=cast(int, total), finished=finished, network=header["network"],
        params=params, optimizer=header["optimizer"], optimizer_state=optimizer_state, rng_state=rng_state,
        history=history, early_stopping=header.get("early_stopping"), best_params=best_params, options=options,
        extra=extra or {},
    )


def restore_trainer(trainer: Trainer, checkpoint: Checkpoint) -> Trainer:
    """Put a checkpoint's state into ``trainer``, built as the checkpointed one was; returns it.

    The trainer must have the same architecture, optimizer and options (checked: a mismatch is an
    InputError naming it, and changes nothing). Afterwards
    ``trainer.run(checkpoint.total_epochs - checkpoint.epoch)`` carries on exactly where the checkpointed
    run was.
    """
    config = trainer.network.config()
    for key in ("sizes", "activations", "cost", "dtype"):
        if config.get(key) != checkpoint.network.get(key):
            raise InputError(
                f"the checkpoint is of a network with {key} {checkpoint.network.get(key)!r}, "
                f"this one has {config.get(key)!r}"
            )
    mine = _trainer_options(trainer)
    for key, value in checkpoint.options.items():
        if mine.get(key) != value:
            raise InputError(f"the checkpoint was trained with {key}={value!r}; this trainer has {mine.get(key)!r}")
    if checkpoint.optimizer.get("name") != trainer.optimizer.name:
        raise InputError(
            f"the checkpoint was trained with the {checkpoint.optimizer.get('name')!r} optimizer, "
            f"this trainer uses {trainer.optimizer.name!r}"
        )
    trainer.optimizer.check_state(checkpoint.optimizer_state, like=trainer.network.params)  # e.g. Adam's v >= 0
    es = checkpoint.early_stopping
    trainer.load_state({
        "epoch": checkpoint.epoch,
        "total_epochs": checkpoint.total_epochs,
        "finished": checkpoint.finished,
        "params": checkpoint.params,
        "optimizer": checkpoint.optimizer_state,
        "rng_state": copy.deepcopy(checkpoint.rng_state),
        "history": copy.deepcopy(checkpoint.history),
        "early_stopping": None if es is None else {
            "best": es["best"], "best_epoch": es["best_epoch"], "wait": es["wait"],
            "best_params": checkpoint.best_params,
        },
    })
    return trainer


class Checkpointer(Callback):
    """Snapshot the trainer at the end of every epoch and write a checkpoint every ``every`` epochs.

    Add it *after* any EarlyStopping, so that its snapshot includes that epoch's early-stopping state:
    ``trainer.callbacks.append(Checkpointer(path))`` once the Trainer is built (it refuses to run
    otherwise). ``every=0`` only keeps the snapshot in memory, for :meth:`save` after an interruption.

    Attributes
    ----------
    last : the :class:`Checkpoint` of the last complete epoch (or of the start), or None.
    saved_epoch : the epoch count of the last checkpoint written, or None.
    """

    def __init__(self, path: str | os.PathLike[str], every: int = 1, extra: dict | None = None) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 0:
            raise InputError(f"every must be a whole number >= 0 (0: only on demand), got {every!r}")
        self.path = Path(path)
        self.every = every
        self.extra = dict(extra or {})
        self.last: Checkpoint | None = None
        self.saved_epoch: int | None = None

    def on_train_begin(self, trainer):
        callbacks = trainer.callbacks
        mine = next((i for i, c in enumerate(callbacks) if c is self), -1)
        if any(isinstance(c, EarlyStopping) for c in callbacks[mine + 1 :]):
            raise InputError("put the Checkpointer after the EarlyStopping callback: trainer.callbacks.append(...)")
        self.last = snapshot(trainer, self.extra)

    def on_epoch_end(self, trainer, epoch, logs):
        # The trainer counts this epoch only after its callbacks; the snapshot counts it now. One
        # assignment at the end, so an interruption inside snapshot() leaves the previous one whole.
        state = snapshot(trainer, self.extra)
        state.epoch = epoch + 1
        state.total_epochs = max(state.total_epochs, state.epoch)
        self.last = state
        if self.every and (epoch + 1) % self.every == 0:
            self.save()

    def save(self) -> Path | None:
        """Write the last complete epoch's snapshot (None when there is none yet)."""
        if self.last is None:
            return None
        path = save_checkpoint(self.path, self.last)
        self.saved_epoch = self.last.epoch
        return path
