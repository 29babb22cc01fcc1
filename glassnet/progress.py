"""A live progress bar for training: one tick per epoch, with the cost and accuracy as they change.

:class:`ProgressBar` draws with tqdm when it is installed (``pip install "glassnet[cli]"``) and otherwise
falls back to :class:`PlainProgress`, a line of text per epoch (at most a few a second), so that training
shows its progress everywhere. Both write to standard error by default, leaving standard output to results.

>>> net.fit(X, y, epochs=30, callbacks=[progress_bar()])   # doctest: +SKIP
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any

from .training import Callback

__all__ = ["PlainProgress", "ProgressBar", "format_logs", "progress_bar"]

# With many batches per epoch, an inner bar counts the batches of the running epoch.
_INNER_BAR_BATCHES = 100


def format_logs(logs: dict, short: bool = False) -> dict[str, str]:
    """An epoch's logs as ``{"cost": "0.4132", "accuracy": "88.1%", ...}``, leaving out what is None."""
    names = {"cost": "cost", "accuracy": "acc", "val_cost": "val_cost", "val_accuracy": "val_acc"}
    shown = {}
    for key, short_name in names.items():
        value = logs.get(key)
        if value is None:
            continue
        text = f"{value:.2%}" if "accuracy" in key else f"{value:.4g}"
        shown[short_name if short else key] = text
    return shown


def _n_batches(trainer: Any) -> int:
    n = len(trainer.X)
    size = trainer.batch_size or n
    return -(-n // size)


class ProgressBar(Callback):
    """A tqdm bar over the epochs whose postfix shows the last epoch's cost and accuracy.

    Parameters
    ----------
    file : where to draw (standard error by default).
    description : the text before the bar.
    leave : keep the finished bar on screen.
    """

    def __init__(self, file: IO[str] | None = None, description: str = "training", leave: bool = True) -> None:
        from tqdm.auto import tqdm  # optional: progress_bar() falls back to PlainProgress without it

        self._tqdm = tqdm
        self.file = file
        self.description = description
        self.leave = leave
        self.bar: Any = None
        self.inner: Any = None

    def on_train_begin(self, trainer):
        self.bar = self._tqdm(
            total=trainer.total_epochs, initial=trainer.epoch, unit="epoch", desc=self.description,
            file=self.file or sys.stderr, leave=self.leave, dynamic_ncols=True,
        )
        self.batches = _n_batches(trainer)

    def on_epoch_begin(self, trainer, epoch):
        if self.batches >= _INNER_BAR_BATCHES:
            self.inner = self._tqdm(
                total=self.batches, unit="batch", desc=f"epoch {epoch + 1}", leave=False,
                file=self.file or sys.stderr, dynamic_ncols=True, mininterval=0.2,
            )

    def on_batch_end(self, trainer, batch, cost):
        if self.inner is not None:
            self.inner.update(1)

    def on_epoch_end(self, trainer, epoch, logs):
        if self.inner is not None:
            self.inner.close()
            self.inner = None
        self.bar.set_postfix(format_logs(logs, short=True), refresh=False)
        self.bar.update(1)

    def on_train_end(self, trainer):
        if self.inner is not None:
            self.inner.close()
            self.inner = None
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class PlainProgress(Callback):
    """Without tqdm: one line per epoch (``epoch 3/30  cost 0.4132  accuracy 88.10%``), at most every
    ``interval`` seconds, always the first and the last."""

    def __init__(self, file: IO[str] | None = None, interval: float = 0.5) -> None:
        self.file = file
        self.interval = interval
        self._last = -float("inf")

    def on_epoch_end(self, trainer, epoch, logs):
        now = time.monotonic()
        last = epoch + 1 >= trainer.total_epochs
        if now - self._last < self.interval and epoch != 0 and not last:
            return
        self._last = now
        width = len(str(trainer.total_epochs))
        parts = [f"epoch {epoch + 1:>{width}}/{trainer.total_epochs}"]
        parts += [f"{key} {value}" for key, value in format_logs(logs).items()]
        print("  ".join(parts), file=self.file or sys.stderr, flush=True)


def progress_bar(file: IO[str] | None = None, description: str = "training", plain: bool = False) -> Callback:
    """A :class:`ProgressBar` when tqdm is installed (and ``plain`` is False), else :class:`PlainProgress`."""
    if not plain:
        try:
            return ProgressBar(file=file, description=description)
        except ImportError:
            pass
    return PlainProgress(file=file)
