"""What the fit loop reports and who listens: the History of a run, callbacks, and early stopping.

A :class:`Callback` hears the loop's events (``on_train_begin``, ``on_epoch_begin``, ``on_batch_end``,
``on_epoch_end``, ``on_train_end``); :class:`EarlyStopping` is one, :class:`LiveCost` (a cost curve that
redraws itself in Jupyter as the network learns) another, and so is a plain function ``f(epoch, logs)``.
:class:`~glassnet.training.Trainer` runs them.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputTypeError
from .validation import check_non_negative, check_positive

if TYPE_CHECKING:
    from .training import Trainer

__all__ = ["History", "Callback", "EarlyStopping", "LiveCost"]


@dataclass
class History:
    """What happened in each epoch. Lists have one entry per epoch run; accuracy is None for regression."""

    cost: list[float] = field(default_factory=list)
    accuracy: list[float | None] = field(default_factory=list)
    val_cost: list[float] = field(default_factory=list)
    val_accuracy: list[float | None] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        return len(self.cost)

    def __len__(self) -> int:
        return len(self.cost)

    def as_dict(self) -> dict:
        return {
            "cost": self.cost,
            "accuracy": self.accuracy,
            "val_cost": self.val_cost,
            "val_accuracy": self.val_accuracy,
            "learning_rate": self.learning_rate,
            "seconds": self.seconds,
            "best_epoch": self.best_epoch,
            "stopped_early": self.stopped_early,
        }

    @classmethod
    def from_dict(cls, data: dict) -> History:
        fields: dict[str, Any] = {k: (list(v) if isinstance(v, list) else v) for k, v in data.items()}
        return cls(**fields)

    def __repr__(self) -> str:
        if not self.cost:
            return "History(0 epochs)"
        parts = [f"{self.epochs} epoch{'s' if self.epochs != 1 else ''}",
                 f"cost {self.cost[0]:.6g} -> {self.cost[-1]:.6g}"]
        if self.val_cost:
            parts.append(f"val_cost {self.val_cost[-1]:.6g}")
        if self.best_epoch is not None:
            parts.append(f"best epoch {self.best_epoch + 1}")
        if self.stopped_early:
            parts.append("stopped early")
        return f"History({', '.join(parts)})"

    def _repr_html_(self) -> str:
        """Jupyter's view: the cost curve and a table of epochs (see :func:`glassnet.inspect.notebook.history_html`)."""
        from .inspect.notebook import history_html  # the views live above the training loop

        return history_html(self)


class Callback:
    """Hooks into the fit loop. Override what you need; ``trainer.stop = True`` ends training."""

    def on_train_begin(self, trainer: Trainer) -> None: ...

    def on_epoch_begin(self, trainer: Trainer, epoch: int) -> None: ...

    def on_batch_end(self, trainer: Trainer, batch: int, cost: float) -> None: ...

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict) -> None: ...

    def on_train_end(self, trainer: Trainer) -> None: ...


class _FunctionCallback(Callback):
    """A plain function ``f(epoch, logs)`` called after every epoch; returning True stops training."""

    def __init__(self, function: Callable[[int, dict], object]) -> None:
        self.function = function

    def on_epoch_end(self, trainer, epoch, logs):
        if self.function(epoch, logs) is True:
            trainer.stop = True


class EarlyStopping(Callback):
    """Stop when the monitored cost has not improved by ``min_delta`` for ``patience`` epochs.

    It monitors the validation cost when there is validation data, else the training cost, and with
    ``restore_best`` (the default) puts back the weights of the best epoch when training ends.
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0, restore_best: bool = True) -> None:
        self.patience = check_positive("patience", patience, integer=True)
        self.min_delta = check_non_negative("min_delta", min_delta)
        self.restore_best = bool(restore_best)
        self.best: float = math.inf
        self.best_epoch: int | None = None
        self.best_params: np.ndarray | None = None
        self.wait = 0
        self._trainer: Trainer | None = None

    def on_train_begin(self, trainer):
        # A new run (another fit, perhaps of another network) starts afresh; a Trainer resumed with
        # run() again keeps what it has seen. Without this, a reused EarlyStopping restored the weights
        # of an earlier run.
        if self._trainer is not trainer:
            self._trainer = trainer
            self.best, self.best_epoch, self.best_params, self.wait = math.inf, None, None, 0

    def on_epoch_end(self, trainer, epoch, logs):
        current = logs["val_cost"] if logs.get("val_cost") is not None else logs["cost"]
        if current < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best:
                if self.best_params is None:
                    self.best_params = trainer.network.params.copy()
                else:
                    self.best_params[...] = trainer.network.params
        else:
            self.wait += 1
            if self.wait >= self.patience:
                trainer.stop = True
                trainer.history.stopped_early = True

    def on_train_end(self, trainer):
        trainer.history.best_epoch = self.best_epoch
        if self.restore_best and self.best_params is not None:
            trainer.network.params[...] = self.best_params


class _Printer(Callback):
    """``verbose=True``: one line per epoch."""

    def on_epoch_end(self, trainer, epoch, logs):
        parts = [f"epoch {epoch + 1:>4}/{trainer.total_epochs}", f"cost {logs['cost']:.6g}"]
        for key in ("accuracy", "val_cost", "val_accuracy"):
            if logs.get(key) is not None:
                parts.append(f"{key} {logs[key]:.4g}")
        print("  ".join(parts), flush=True)


class LiveCost(Callback):
    """A live cost curve: in Jupyter it redraws itself (one display, updated in place) as the network learns.

    Pass it to ``fit(..., callbacks=[LiveCost()])``. After an epoch ends, the picture of the cost per epoch
    (and the validation cost, when there is one) is redrawn, at most once every ``every_seconds`` (0 redraws
    after every epoch) and once more when training ends, so that drawing costs training next to nothing.
    Outside a notebook (IPython not installed, or not running in a kernel) it prints one line instead each time
    it would redraw. ``updates`` counts the redraws (or lines printed).
    """

    def __init__(self, every_seconds: float = 0.5, file: Any = None) -> None:
        self.every_seconds = check_non_negative("every_seconds", every_seconds)
        self.file = file
        self.updates = 0
        self._handle: Any = None
        self._html: Any = None
        self._last = -math.inf
        self._shown = -1  # the number of epochs the last redraw showed

    def on_train_begin(self, trainer: Trainer) -> None:
        self._handle, self._last, self._shown = None, -math.inf, -1
        try:
            from IPython import get_ipython
            from IPython.display import HTML, display
        except ImportError:  # no IPython: print instead
            return
        if get_ipython() is None:  # IPython is installed but this is not a notebook or an IPython shell
            return
        self._html = HTML
        self._handle = display(HTML(self._picture(trainer)), display_id=True)

    def _picture(self, trainer: Trainer) -> str:
        from .inspect.notebook import cost_curve_svg

        h = trainer.history
        epoch = f"epoch {len(h.cost)} of {trainer.total_epochs}"
        now = f", cost {h.cost[-1]:.6g}" if h.cost else ""
        val = f", val cost {h.val_cost[-1]:.6g}" if h.val_cost else ""
        return (f'<div class="glassnet-live"><p>{epoch}{now}{val}</p>'
                f"{cost_curve_svg(h.cost, h.val_cost, epochs=trainer.total_epochs)}</div>")

    def _show(self, trainer: Trainer) -> None:
        h = trainer.history
        self._shown, self._last = len(h.cost), time.perf_counter()
        self.updates += 1
        if self._handle is not None:
            self._handle.update(self._html(self._picture(trainer)))
            return
        parts = [f"epoch {len(h.cost)}/{trainer.total_epochs}", f"cost {h.cost[-1]:.6g}"]
        if h.val_cost:
            parts.append(f"val_cost {h.val_cost[-1]:.6g}")
        print("  ".join(parts), file=self.file or sys.stdout, flush=True)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict) -> None:
        if time.perf_counter() - self._last >= self.every_seconds:
            self._show(trainer)

    def on_train_end(self, trainer: Trainer) -> None:
        if trainer.history.cost and self._shown != len(trainer.history.cost):
            self._show(trainer)  # the last epochs, whatever the clock said


def _as_callbacks(callbacks: Iterable) -> list[Callback]:
    if isinstance(callbacks, Callback) or callable(callbacks):
        callbacks = [callbacks]  # one callback given on its own
    elif isinstance(callbacks, (str, bytes)) or not isinstance(callbacks, Iterable):
        raise InputTypeError(f"callbacks must be a list of Callback objects or functions f(epoch, logs), "
                             f"got {callbacks!r}")
    result = []
    for callback in callbacks:
        if isinstance(callback, Callback):
            result.append(callback)
        elif callable(callback):
            result.append(_FunctionCallback(callback))
        else:
            raise InputTypeError(f"a callback must be a Callback or a function f(epoch, logs), got {callback!r}")
    return result
