"""The fit loop: epochs of mini-batches, validation, early stopping, callbacks and a divergence guard.

One epoch draws a new random order of the training rows and gathers each batch's rows into reused
buffers (never a second copy of the whole set, so a memory-mapped X is read batch by batch), and for each
batch of m rows runs forward propagation, measures the cost, backpropagates, adds the L2 slope and lets
the optimizer step. With ``batch_size=None`` the whole set is one batch: the tutorials' full-batch
gradient descent, one step per epoch.

L2 regularisation adds ``l2 / (2 n) * sum W^2`` to the cost (n: the number of training rows; biases are
not penalised) and so ``(l2 / n) W`` to each weight gradient. L1 regularisation adds ``l1 / n * sum |W|``
and so ``(l1 / n) sign(W)`` (biases again not penalised); it drives weights that matter little to exactly 0.

Dropout (``dropout=p``, or one rate per hidden layer) switches each hidden neuron off with probability p
in every step, for each sample of the batch, and scales the kept ones by ``1 / (1 - p)`` (inverted
dropout, see :mod:`glassnet.dropout`); the masks come from the network's generator, so seeded runs and
resumed checkpoints stay bit-exact. Predictions and validation use the whole network.

Sample weights (``sample_weight``, one number >= 0 per training row) make each batch's cost the weighted
mean of its samples' costs (see :mod:`glassnet.costs`), and the ``n`` of the L2 term the sum of the
weights, so that a weight of 2 acts like the row given twice. The epoch's reported cost is then the
weighted mean over the epoch.

The training cost reported for an epoch is the mean of its batches' costs, each measured just before
that batch's step (as scikit-learn and Keras report it; with dropout, on the thinned network of that
step, as Keras reports it), plus the L2 and L1 terms at the end of the epoch.

There is one loop: :meth:`Trainer.step` trains one batch, and the step that finishes an epoch's
``n_batches`` also ends the epoch (validation, History, early stopping and the epoch-end callbacks);
:meth:`Trainer.run_epoch` steps to the end of the epoch and :meth:`Trainer.run` / :func:`fit` run epochs.
Anything that trains a batch at a time (the playground) calls ``step`` and gets the same numbers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .activations import callers_errors, quiet_errors
from .callbacks import Callback, EarlyStopping, History, _as_callbacks, _Printer
from .dropout import Dropout, dropout_rates
from .errors import DivergenceError, InputError
from .finite import starting_cost_error
from .optimizers import Optimizer, Schedule, get_optimizer, get_schedule
from .sparse import is_sparse
from .validation import check_fraction, check_non_negative, check_positive, check_sample_weight

if TYPE_CHECKING:
    from .network import Network

__all__ = ["History", "Callback", "EarlyStopping", "Trainer", "fit"]


@dataclass(slots=True)
class _EpochRun:
    """An epoch in progress: its batches still to come and what it has measured so far."""

    batches: Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]
    n_batches: int
    n: float  # the training rows, or the sum of their sample weights
    last_good: np.ndarray
    last_good_optimizer: dict[str, np.ndarray]  # the optimizer's memory and step count at the epoch's start
    start: float
    batch: int = 0  # the next batch's number
    total_cost: float = 0.0
    correct: float = 0.0


class Trainer:
    """Trains a network; holds everything a run needs so that it can be checkpointed and resumed.

    ``fit`` is the usual way in; use a Trainer directly to run epochs a few at a time.
    """

    def __init__(
        self,
        network: Network,
        X: object,
        Y: object,
        batch_size: int | None = None,
        optimizer: str | Optimizer = "sgd",
        learning_rate: float | Schedule | None = None,
        l2: float = 0.0,
        validation_data: tuple[object, object] | None = None,
        validation_split: float = 0.0,
        early_stopping: int | EarlyStopping | None = None,
        shuffle: bool = True,
        callbacks: Iterable = (),
        verbose: bool = False,
        sample_weight: object = None,
        l1: float = 0.0,
        dropout: float | Sequence[float] | None = None,
    ) -> None:
        # Every check comes before any change to the network or its random generator.
        network.check_trainable()
        X, Y = network.check_XY(X, Y)
        weights = check_sample_weight(sample_weight, len(X), network.dtype)
        W_val = None
        X_val: np.ndarray | None
        Y_val: np.ndarray | None
        batch_size = check_positive("batch_size", batch_size, integer=True, allow_none=True)
        self.l2 = check_non_negative("l2", l2)
        self.l1 = check_non_negative("l1", l1)
        self.dropout = dropout_rates(dropout, network)  # one rate per hidden layer
        validation_split = check_fraction("validation_split", validation_split)
        if validation_data is not None and validation_split:
            raise InputError("give validation_data or validation_split, not both")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise InputError("validation_data must be (X_val, Y_val) or (X_val, Y_val, sample_weight_val)")
            X_val, Y_val = network.check_XY(*validation_data[:2])
            if len(validation_data) == 3:
                W_val = check_sample_weight(validation_data[2], len(X_val), network.dtype)
        elif validation_split:
            n_val = int(round(len(X) * validation_split))
            if n_val < 1 or n_val >= len(X):
                raise InputError(
                    f"validation_split={validation_split} of {len(X)} rows leaves no validation or no training rows"
                )
            X_val = Y_val = None
        else:
            X_val = Y_val = None
        if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
            early_stopping = EarlyStopping(patience=early_stopping)
        self.callbacks = _as_callbacks(callbacks)
        schedule = None if learning_rate is None else get_schedule(learning_rate)
        if not isinstance(optimizer, Optimizer):
            optimizer = get_optimizer(optimizer)  # a new object; a given one is changed only once all checks pass

        self.network = network
        self._dropout = Dropout(self.dropout) if any(self.dropout) else None  # None: the plain forward pass
        if validation_split:
            rng_state = network.rng.bit_generator.state
            order = network.rng.permutation(len(X))
            val_rows, train_rows = np.sort(order[:n_val]), np.sort(order[n_val:])
            if weights is not None:
                W_val, W_train = weights[val_rows], weights[train_rows]
                if not (W_val.sum() > 0 and W_train.sum() > 0):
                    network.rng.bit_generator.state = rng_state  # a refused call changes nothing
                    part = "validation" if W_train.sum() > 0 else "training"
                    raise InputError(
                        f"validation_split={validation_split} left every {part} row with sample_weight 0; "
                        "pass validation_data explicitly, or give those rows weight"
                    )
                weights = W_train
            X_val, Y_val, X, Y = X[val_rows], Y[val_rows], X[train_rows], Y[train_rows]
        self.optimizer = get_optimizer(optimizer, schedule)
        self.X, self.Y, self.weights = X, Y, weights
        self.validation = None if X_val is None else (X_val, Y_val, W_val)
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.early_stopping = early_stopping
        if early_stopping is not None:
            self.callbacks.append(early_stopping)
        if verbose:
            self.callbacks.append(_Printer())
        self.history = History()
        self.epoch = 0
        self.total_epochs = 0
        self.stop = False
        self._batch_buffers: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None = None
        self._epoch_run: _EpochRun | None = None  # the epoch in progress, between its first and last step
        self.logs: dict = {}  # the last finished epoch's logs

    # -- one epoch -----------------------------------------------------------------------------------------
    def _batches(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        """This epoch's batches ``(X_b, Y_b, weights_b or None)``, in a new random order when shuffling.

        A shuffled batch's rows are gathered (in increasing row order, which reads a memory-mapped file
        front to back) into buffers reused from batch to batch: an epoch allocates nothing and never
        holds a second copy of X, so a np.memmap X stays on disk and memory stays flat as it grows.
        The buffers are reused: a layer's ``a_prev`` holds the last batch only until the next one.
        """
        X, Y, W = self.X, self.Y, self.weights
        n = len(X)
        size = self.batch_size or n
        if not self.shuffle or size >= n:
            for begin in range(0, n, size):
                end = begin + size
                yield X[begin:end], Y[begin:end], None if W is None else W[begin:end]
            return
        order = self.network.rng.permutation(n)
        full = n - n % size
        order[:full].reshape(-1, size).sort(axis=1)  # each batch's rows in increasing order, in one call
        order[full:].sort()  # (the last, shorter batch)
        sparse = is_sparse(X)  # a sparse X's batch is its rows as a small CSR (their nonzeros): no dense buffer
        if self._batch_buffers is None:
            self._batch_buffers = (
                np.empty((0 if sparse else size, X.shape[1]), dtype=X.dtype),
                np.empty((size, Y.shape[1]), dtype=Y.dtype),
                None if W is None else np.empty(size, dtype=W.dtype),
            )
        x_buffer, y_buffer, w_buffer = self._batch_buffers
        for begin in range(0, n, size):
            rows = order[begin : begin + size]
            m = len(rows)
            # mode="clip" (the rows are valid by construction) lets take write straight into `out`;
            # the default mode="raise" gathers into a hidden temporary first.
            xb = X[rows] if sparse else X.take(rows, axis=0, out=x_buffer[:m], mode="clip")
            yb = Y.take(rows, axis=0, out=y_buffer[:m], mode="clip")
            wb = None if W is None or w_buffer is None else W.take(rows, out=w_buffer[:m], mode="clip")
            yield xb, yb, wb

    def _diverged(
        self, batch: int, xb: object = None, yb: np.ndarray | None = None, out: np.ndarray | None = None
    ) -> DivergenceError:
        if yb is not None and out is not None and self.epoch == 0 and batch == 0:  # no step yet: blame the data
            return starting_cost_error(self.network, xb, yb, out)
        return DivergenceError(
            f"training diverged in epoch {self.epoch + 1} (batch {batch + 1}): the cost became NaN or infinite. "
            f"Try a smaller learning rate (it was {self.optimizer.learning_rate:g}); the network keeps the "
            "weights it had at the start of that epoch",
            epoch=self.epoch + 1,
            batch=batch + 1,
        )

    @property
    def n_batches(self) -> int:
        """Batches per epoch: ``ceil(n_rows / batch_size)`` (1 for full-batch gradient descent)."""
        n = len(self.X)
        return -(-n // (self.batch_size or n))

    @property
    def batch(self) -> int:
        """The number of the next batch within the current epoch (0 at an epoch's start)."""
        return 0 if self._epoch_run is None else self._epoch_run.batch

    def step(self) -> float:
        """Train one batch of the current epoch and return its cost (measured before the step).

        The batch's m rows (weights w_i, or 1 each) go forward (``s = a_{l-1} @ W + b``, ``a = f(s)``), the
        cost J is their weighted mean, backpropagation (BP1-BP4) gives dJ/dW and dJ/db, the L2 slope
        ``(l2 / n) W`` and the L1 slope ``(l1 / n) sign(W)`` are added (n: the training rows, or the sum of
        their weights) and the optimizer steps. With dropout, the batch's masks are drawn first and the
        forward and backward passes use them (:mod:`glassnet.dropout`). The first step of an epoch draws its
        order of rows; the last one ends the epoch (the divergence check of the weights, validation, History
        and the epoch-end callbacks), so ``n_batches`` steps are one :meth:`run_epoch`. A NaN or infinite
        cost puts back the weights and the optimizer's memory (momentum, Adam's moments, its step count) as
        the epoch began with them and raises DivergenceError; the next step begins that epoch again.
        Overflow is quiet (:func:`~glassnet.activations.quiet_errors`): it ends in that DivergenceError.
        """
        with quiet_errors():
            return self._step()

    def _step(self) -> float:
        """:meth:`step`, inside a ``quiet_errors()`` its caller opened (:meth:`run_epoch` opens one per epoch)."""
        run = self._epoch_run
        if run is None:
            run = self._begin_epoch()
        net = self.network
        cost_fn = net.cost_function
        xb, yb, wb = next(run.batches)
        batch = run.batch
        drop = self._dropout
        out = net.propagate(xb) if drop is None else drop.propagate(net, xb, net.rng)
        try:
            batch_cost = cost_fn.value(net.layers[-1].s, out, yb, weights=wb)
            if not math.isfinite(batch_cost):
                self._abandon_epoch(run)
                raise self._diverged(batch, xb, yb, out)
            run.total_cost += batch_cost * (len(xb) if wb is None else float(wb.sum()))
            if cost_fn.is_classification:
                run.correct += cost_fn.accuracy(out, yb) * len(xb)  # type: ignore[operator]  # a float here
            net.backpropagate(yb, wb)
        finally:
            if drop is not None:
                drop.clear(net)  # later passes (validation, prediction, a trace) see the whole network
        if self.l2:
            net.add_l2_gradient(self.l2, run.n)
        if self.l1:
            net.add_l1_gradient(self.l1, run.n)
        self.optimizer.step(net.params, net.grads)
        if self.callbacks:
            self._call_back("on_batch_end", batch, batch_cost)
        run.batch = batch + 1
        if run.batch == run.n_batches:
            self._end_epoch(run)
        return batch_cost

    def _begin_epoch(self) -> _EpochRun:
        """Start the epoch ``self.epoch``: the optimizer's schedule, the callbacks, a new order of rows."""
        start = time.perf_counter()
        self.optimizer.start_epoch(self.epoch)
        self._call_back("on_epoch_begin", self.epoch)
        W = self.weights
        run = _EpochRun(
            batches=self._batches(),
            n_batches=self.n_batches,
            n=len(self.X) if W is None else float(W.sum()),  # with sample weights, n counts weight, not rows
            last_good=self.network.params.copy(),  # the divergence guard's fallback: the epoch's first weights
            last_good_optimizer=self._optimizer_state(),  # ... and the optimizer's memory then
            start=start,
        )
        self._epoch_run = run
        return run

    def _call_back(self, hook: str, *args: object) -> None:
        """``hook`` of each callback that has its own (the list may grow between steps), under the caller's numpy
        settings: a callback's numbers warn as its caller asked, not quietly as the epoch's (quiet_errors)."""
        called = [c for c in self.callbacks if getattr(type(c), hook) is not getattr(Callback, hook)]
        if called:
            with callers_errors():
                for callback in called:
                    getattr(callback, hook)(self, *args)

    def _optimizer_state(self) -> dict[str, np.ndarray]:
        """A copy of the optimizer's state (its step count and memory arrays)."""
        return {key: np.array(value, copy=True) for key, value in self.optimizer.state().items()}

    def _abandon_epoch(self, run: _EpochRun) -> None:
        """Divergence: the weights and the optimizer's memory the epoch began with, and no epoch in progress.

        The memory matters as much as the weights: a velocity or an Adam moment that took in the diverging
        steps would otherwise carry them into the next try, at any learning rate.
        """
        self.network.params[...] = run.last_good
        self.optimizer.load_state(run.last_good_optimizer)
        self._epoch_run = None

    def _end_epoch(self, run: _EpochRun) -> dict:
        """The epoch's last batch is done: check the weights, measure, record, call back, count the epoch."""
        net, cost_fn = self.network, self.network.cost_function
        if not np.isfinite(net.params).all():
            self._abandon_epoch(run)
            raise self._diverged(run.batch - 1)
        self._epoch_run = None
        penalty = net.l2_penalty(self.l2, run.n) + net.l1_penalty(self.l1, run.n)
        logs = {
            "cost": run.total_cost / run.n + penalty,
            "accuracy": run.correct / len(self.X) if cost_fn.is_classification else None,
            "val_cost": None,
            "val_accuracy": None,
            "learning_rate": self.optimizer.learning_rate,
        }
        if self.validation is not None:
            _, val_cost, val_accuracy = net.evaluate_checked(*self.validation)  # (X_val, Y_val, weights or None)
            logs["val_cost"] = val_cost + penalty
            logs["val_accuracy"] = val_accuracy
        logs["seconds"] = time.perf_counter() - run.start
        self._record(logs)
        self._call_back("on_epoch_end", self.epoch, logs)
        self.epoch += 1
        self.logs = logs
        return logs

    def run_epoch(self) -> dict:
        """Train to the end of the current epoch (a whole one unless :meth:`step` began it); returns its logs."""
        epoch = self.epoch
        step = self._step
        try:
            with quiet_errors():  # one errstate for the epoch, not one per step (or per activation)
                while self.epoch == epoch:
                    step()
        except BaseException:
            self._epoch_run = None  # as ever: an epoch cut short (a callback raised, Ctrl+C) begins again
            raise
        return self.logs

    def _record(self, logs: dict) -> None:
        h = self.history
        h.cost.append(logs["cost"])
        h.accuracy.append(logs["accuracy"])
        if logs["val_cost"] is not None:
            h.val_cost.append(logs["val_cost"])
            h.val_accuracy.append(logs["val_accuracy"])
        h.learning_rate.append(logs["learning_rate"])
        h.seconds.append(logs["seconds"])

    def run(self, epochs: int) -> History:
        """Train up to ``epochs`` more epochs (fewer if a callback or early stopping says stop)."""
        epochs = check_positive("epochs", epochs, integer=True)
        self.total_epochs = self.epoch + epochs
        self.stop = False
        self._call_back("on_train_begin")
        try:
            while self.epoch < self.total_epochs and not self.stop:
                self.run_epoch()
        finally:
            self._call_back("on_train_end")
        return self.history

    # -- its state, for checkpoints --------------------------------------------------------------------------
    def state(self) -> dict:
        """A copy of everything that changes as this trainer runs; take it between epochs.

        Keys: ``epoch`` (epochs completed), ``total_epochs``, ``finished`` (training had ended), ``params``
        (the network's), ``optimizer`` (:meth:`Optimizer.state <glassnet.optimizers.Optimizer.state>`),
        ``rng_state`` (the network's generator, whose draws shuffle the next epoch), ``history``
        (:meth:`History.as_dict`) and ``early_stopping`` (its ``best``, ``best_epoch``, ``wait`` and
        ``best_params``, or None). :meth:`load_state` puts it back.
        """
        es = self.early_stopping
        return {
            "epoch": int(self.epoch),
            "total_epochs": int(max(self.total_epochs, self.epoch)),
            "finished": bool(self.stop),
            "params": self.network.params.copy(),
            "optimizer": {key: np.array(value, copy=True) for key, value in self.optimizer.state().items()},
            "rng_state": self.network.rng.bit_generator.state,  # numpy hands out a new dict each time
            "history": {key: list(value) if isinstance(value, list) else value
                        for key, value in self.history.as_dict().items()},
            "early_stopping": None if es is None else {
                "best": es.best, "best_epoch": es.best_epoch, "wait": es.wait,
                "best_params": None if es.best_params is None else es.best_params.copy(),
            },
        }

    def load_state(self, state: dict) -> None:
        """Put back a :meth:`state` of a trainer built the same way (same network, optimizer and data).

        Afterwards ``run(state["total_epochs"] - state["epoch"])`` carries on as the run it came from,
        early stopping included. The parameters' shape and dtype and the generator state are checked
        first (InputError): a refused call changes nothing.
        """
        net = self.network
        params = np.asarray(state["params"])
        if params.shape != net.params.shape or params.dtype != net.params.dtype:
            raise InputError(
                f"the saved params are {params.dtype} {params.shape}; the network's are "
                f"{net.params.dtype} {net.params.shape}"
            )
        rng = np.random.default_rng()
        try:
            rng.bit_generator.state = state["rng_state"]
        except (TypeError, ValueError, KeyError) as exc:
            raise InputError(f"the saved random generator state cannot be restored ({exc})") from None
        net.rng.bit_generator.state = rng.bit_generator.state
        net.params[...] = params
        self.optimizer.load_state({key: np.array(value) for key, value in state["optimizer"].items()})
        self.history = History.from_dict({key: list(value) if isinstance(value, list) else value
                                          for key, value in state["history"].items()})
        self.epoch = int(state["epoch"])
        self.total_epochs = int(state["total_epochs"])
        self.stop = bool(state["finished"])
        es, saved = self.early_stopping, state.get("early_stopping")
        if es is not None and saved is not None:
            es.best = math.inf if saved["best"] is None else float(saved["best"])
            es.best_epoch = saved["best_epoch"]
            es.wait = int(saved["wait"])
            es.best_params = None if saved["best_params"] is None else np.array(saved["best_params"])
            es._trainer = self  # what it saw belongs to this trainer's run: run() must not start it afresh


def fit(
    network: Network,
    X: object,
    Y: object,
    epochs: int,
    batch_size: int | None = None,
    optimizer: str | Optimizer = "sgd",
    learning_rate: float | Schedule | None = None,
    l2: float = 0.0,
    validation_data: tuple[object, object] | None = None,
    validation_split: float = 0.0,
    early_stopping: int | EarlyStopping | None = None,
    shuffle: bool = True,
    callbacks: Iterable = (),
    verbose: bool = False,
    sample_weight: object = None,
    l1: float = 0.0,
    dropout: float | Sequence[float] | None = None,
) -> History:
    """Train ``network`` on (X, Y) for ``epochs`` epochs by backpropagation and gradient descent.

    Parameters
    ----------
    X : (n_samples, n_inputs): a numpy array (a np.memmap is read batch by batch) or a scipy.sparse matrix
        or array, never made dense (the first layer multiplies it as it is; see :mod:`glassnet.sparse`).
    batch_size : rows per step; None is full-batch gradient descent (one step per epoch).
    optimizer : ``"sgd"``, ``"adam"`` or an Optimizer object (``SGD(0.1, momentum=0.9)``).
    learning_rate : a number or a Schedule; None keeps the optimizer's own (SGD 0.1, Adam 0.001).
    l2 : L2 strength; adds ``l2/(2n) sum W^2`` to the cost.
    l1 : L1 strength; adds ``l1/n sum |W|`` to the cost (and ``(l1/n) sign(W)`` to the gradient).
    dropout : the probability that a hidden neuron is dropped in a training step: one number for every
        hidden layer, or one per hidden layer (inverted dropout; nothing is dropped at prediction).
    validation_data, validation_split : held-out rows measured after each epoch (a split is drawn at
        random from the network's seed).
    early_stopping : patience in epochs (or an EarlyStopping); the best weights are restored at the end.
    callbacks : Callback objects or functions ``f(epoch, logs)`` (return True to stop).
    sample_weight : one weight >= 0 per row of X: each batch's cost is the weighted mean of its samples'
        costs and the L2 and L1 terms' n is the sum of the weights. ``validation_data`` may carry its own as a
        third element.

    Raises
    ------
    DivergenceError
        When the cost becomes NaN or infinite; the network keeps finite weights.
    """
    epochs = check_positive("epochs", epochs, integer=True)
    trainer = Trainer(
        network, X, Y, batch_size=batch_size, optimizer=optimizer, learning_rate=learning_rate, l2=l2,
        validation_data=validation_data, validation_split=validation_split, early_stopping=early_stopping,
        shuffle=shuffle, callbacks=callbacks, verbose=verbose, sample_weight=sample_weight, l1=l1,
        dropout=dropout,
    )
    return trainer.run(epochs)
