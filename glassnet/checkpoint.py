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
from .modelfile import plain_json, read_model_file, write_model_file
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


def _need(header: dict, key: str, kind: type | tuple[type, ...], path: object) -> Any:
    value = header.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise ModelFileError(f"cannot load '{path}': the checkpoint's {key!r} is missing or malformed")
    return value


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
    """Read a checkpoint written by :func:`save_checkpoint`; a ModelFileError names any problem."""
    header, arrays = read_model_file(path, kind=CHECKPOINT_KIND)
    names = _need(header, "optimizer_state", list, path)
    try:
        optimizer_state = {name: arrays[f"optimizer.{name}"] for name in names}
        params = arrays["params"]
    except (KeyError, TypeError):
        raise ModelFileError(f"cannot load '{path}': the checkpoint lacks some of its arrays") from None
    history = _need(header, "history", dict, path)
    try:
        History.from_dict(history)
    except TypeError:
        raise ModelFileError(f"cannot load '{path}': the checkpoint's history is malformed") from None
    try:
        rng_state = rng_state_from_json(_need(header, "rng_state", dict, path))
    except ValueError as exc:
        raise ModelFileError(f"cannot load '{path}': the checkpoint's {exc}") from None
    return Checkpoint(
        epoch=_need(header, "epoch", int, path),
        total_epochs=_need(header, "total_epochs", int, path),
        finished=_need(header, "finished", bool, path),
        network=_need(header, "network", dict, path),
        params=params,
        optimizer=_need(header, "optimizer", dict, path),
        optimizer_state=optimizer_state,
        rng_state=rng_state,
        history=history,
        early_stopping=header.get("early_stopping"),
        best_params=arrays.get("early_stopping.best_params"),
        options=_need(header, "options", dict, path),
        extra=header.get("extra") or {},
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
