"""The stochastic solvers' bookkeeping, as scikit-learn keeps it, on glassnet's fit loop; and divergence.

After each epoch: ``n_iter_``, ``t_``, ``loss_`` and ``loss_curve_``; with early stopping the validation score
(accuracy or R^2) and cost; the no-improvement count against ``tol`` and ``n_iter_no_change`` (``np.inf``: never
stop early); the learning-rate rules ``invscaling`` and ``adaptive``; the best weights; and with ``verbose``
scikit-learn's log lines (``Iteration N, loss = ...``, ``Validation score: ...`` and why training stopped).

Divergence (a NaN or infinite cost, weights or validation outputs), as scikit-learn's fit ends: with early
stopping, the weights of the best validation score are restored and the fit ends with a ConvergenceWarning
saying so; without it (or before any epoch was scored) the fit raises :class:`SolverDivergenceError`, a
ValueError (what scikit-learn raises for non-finite weights) that is also glassnet's DivergenceError, and the
estimator keeps the state it had before the call.
"""

from __future__ import annotations

import numbers
import warnings
from typing import TYPE_CHECKING, cast

import numpy as np

from ..errors import DivergenceError, InputError, InputTypeError, NotFiniteCostError
from ..optimizers import SGD, Adam, Constant, Optimizer
from ..training import Callback, Trainer
from ..validation import check_fraction, check_number
from ._sklearn import ConvergenceWarning

if TYPE_CHECKING:
    from .base import _BaseMLP

__all__ = ["SklearnControl", "SolverDivergenceError", "check_dropout_l1", "is_inf", "new_optimizer"]


class SolverDivergenceError(DivergenceError, ValueError):
    """Training diverged: a ValueError, as scikit-learn's MLP raises for non-finite weights, and a DivergenceError."""


def is_inf(value: object) -> bool:
    """True for a positive infinity (``np.inf``, ``float("inf")``), scikit-learn's "no limit"."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value == np.inf


def _l2_n(trainer: Trainer) -> float:
    """The n of the trainer's L2 term: its training rows, or their summed weights."""
    return len(cast(np.ndarray, trainer.X)) if trainer.weights is None else float(trainer.weights.sum())


def check_dropout_l1(dropout: object, l1: object, n_hidden: int, solver: object) -> tuple[list[float], float]:
    """The estimators' ``dropout`` as one rate in [0, 1) per hidden layer, and ``l1`` as a number >= 0.

    ``dropout`` is one rate for every hidden layer or a list of one rate per hidden layer (input side first).
    ``solver="lbfgs"`` refuses a nonzero either: scipy's L-BFGS-B needs a smooth, deterministic objective,
    and dropout draws new random masks at every evaluation while ``|w|`` has no slope at 0.
    """
    l1 = check_number("l1", l1, low=0)
    if isinstance(dropout, np.ndarray) and dropout.ndim == 0:
        dropout = dropout.item()
    if isinstance(dropout, numbers.Real) and not isinstance(dropout, bool):
        rate = check_fraction("dropout", dropout)
        if rate and not n_hidden:
            raise InputError("dropout needs a hidden layer to drop neurons from; give hidden_layer_sizes or dropout=0")
        rates = [rate] * n_hidden
    elif isinstance(dropout, (list, tuple, np.ndarray)):
        rates = [check_fraction(f"dropout[{i}]", rate) for i, rate in enumerate(list(dropout))]
        if len(rates) != n_hidden:
            raise InputError(
                f"dropout lists {len(rates)} rates, but hidden_layer_sizes has {n_hidden} hidden layers: give one "
                "rate per hidden layer, or one number for all of them"
            )
    else:
        raise InputTypeError(
            f"dropout must be a rate in [0, 1) or a list of rates, one per hidden layer; got {dropout!r}"
        )
    if solver == "lbfgs" and (l1 or any(rates)):
        raise InputError(
            f"solver='lbfgs' cannot train with dropout={dropout!r}, l1={l1!r}: scipy's L-BFGS-B needs a smooth, "
            "deterministic objective (dropout draws random masks at every step; |w| has no slope at 0). Use "
            "solver='adam' or solver='sgd', or set dropout=0 and l1=0"
        )
    return rates, l1


def new_optimizer(est: _BaseMLP) -> Optimizer:
    """The solver's optimizer for the estimator's parameters as they are now (``learning_rate_init``,
    ``momentum``, ``nesterovs_momentum``, ``beta_1``, ``beta_2``, ``epsilon``), its memory empty.

    SGD steps ``v = momentum v - lr g``, ``w += v`` at ``lr = learning_rate_init * _lr_scale``; Adam at
    ``learning_rate_init`` with ``eps = epsilon / _lr_scale`` (the maps derived in :mod:`glassnet.estimators`).
    """
    if est.solver == "sgd":
        return SGD(
            Constant(float(est.learning_rate_init) * est._lr_scale), momentum=float(est.momentum),
            nesterov=bool(est.nesterovs_momentum) and est.momentum > 0,
        )
    return Adam(
        Constant(float(est.learning_rate_init)), beta1=float(est.beta_1), beta2=float(est.beta_2),
        eps=float(est.epsilon) / est._lr_scale,
    )


def _reported(est: _BaseMLP, cost: float, penalty: float) -> float:
    """scikit-learn's loss from glassnet's cost ``J + P`` (P the trainer's L2 term ``l2/(2n) sum W^2``, and its
    L1 term ``l1/n sum |W|``, whose l1 is mapped from the estimator's as l2 is from alpha).

    scikit-learn reports ``J * c + alpha/(2 m) sum W^2`` (c = 1/2 for the squared error, else 1; m the batch
    size), and the trainer's l2 is ``alpha n / m`` times ``_l2_scale``, so its P is ``_l2_scale`` times that
    term: the loss is ``(J + P) c + P (1 / _l2_scale - c)``, which is exactly ``J + P`` for the classifiers and
    the Poisson loss and exactly half of it for one squared-error output.
    """
    c = est._cost_scale
    return cost * c + penalty * (1.0 / est._l2_scale - c)


class SklearnControl(Callback):
    """scikit-learn's per-epoch bookkeeping on glassnet's fit loop (see the module).

    ``restart``: this is a new fit (not a partial_fit), whose first epoch runs at ``learning_rate_init`` even
    after a warm start, as scikit-learn starts a new optimizer for each fit (``invscaling`` then decays with
    the samples seen over every fit, ``t_``).
    """

    def __init__(self, estimator: _BaseMLP, n_train: int, validation: tuple | None, restart: bool = True) -> None:
        self.est = estimator
        self.n_train = n_train
        self.validation = validation  # (X_val, Y_val, y_val, w_val) or None
        self.converged = False
        self.best_params: np.ndarray | None = None
        self.restart = restart

    def on_epoch_begin(self, trainer, epoch):
        est = self.est
        if est.solver == "sgd":
            if est.learning_rate == "invscaling" and not (self.restart and epoch == 0):
                est._lr = est.learning_rate_init / (est.t_ + 1) ** est.power_t
            trainer.optimizer.learning_rate = est._lr * est._lr_scale

    def on_epoch_end(self, trainer, epoch, logs):
        est, net = self.est, trainer.network
        est.n_iter_ += 1
        est.t_ += self.n_train
        n = _l2_n(trainer)  # glassnet's L2 and L1 terms, part of logs["cost"]
        penalty = net.l2_penalty(trainer.l2, n) + net.l1_penalty(trainer.l1, n)
        est.loss_ = _reported(est, float(logs["cost"]), penalty)
        est.loss_curve_.append(est.loss_)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}", flush=True)
        tol = est.tol
        if self.validation is not None:
            X_val, Y_val, y_val, w_val = self.validation
            outputs, val_cost, _ = net.evaluate_checked(X_val, Y_val, w_val)
            if not np.isfinite(outputs).all():
                # finite weights whose outputs overflow: scikit-learn would score NaN; glassnet calls it divergence
                raise DivergenceError(
                    f"training diverged in epoch {est.n_iter_}: the outputs for the validation rows became NaN "
                    f"or infinite. Try a smaller learning_rate_init (it was {est.learning_rate_init:g}) or "
                    "scale the inputs",
                    epoch=est.n_iter_,
                )
            # with validation rows these are lists and a score (None only without them, as in scikit-learn)
            assert est.validation_loss_curve_ is not None and est.validation_scores_ is not None
            assert est.best_validation_score_ is not None
            est.validation_loss_curve_.append(_reported(est, float(val_cost) + penalty, penalty))
            score = float(est._score_outputs(outputs, y_val, w_val))
            est.validation_scores_.append(score)
            if est.verbose:
                print(f"Validation score: {score:f}", flush=True)
            est._no_improvement_count = (
                est._no_improvement_count + 1 if score < est.best_validation_score_ + est.tol else 0
            )
            if score > est.best_validation_score_:
                est.best_validation_score_ = score
                self.best_params = net.params.copy()
        else:
            assert est.best_loss_ is not None  # a number whenever there are no validation rows
            stalled = est.loss_ > est.best_loss_ - tol
            est._no_improvement_count = est._no_improvement_count + 1 if stalled else 0
            est.best_loss_ = min(est.best_loss_, est.loss_)
        if est._no_improvement_count > est.n_iter_no_change:  # never with n_iter_no_change=np.inf
            what = "Validation score" if self.validation is not None else "Training loss"
            message = (f"{what} did not improve more than tol={est.tol:f} for {est.n_iter_no_change} "
                       "consecutive epochs.")
            if est.solver == "sgd" and est.learning_rate == "adaptive" and est._lr > 1e-6:
                est._lr /= 5.0
                est._no_improvement_count = 0
                if est.verbose:
                    print(f"{message} Setting learning rate to {est._lr:f}", flush=True)
            else:
                self.converged = True
                trainer.stop = True
                if est.verbose:
                    adaptive = est.solver == "sgd" and est.learning_rate == "adaptive"
                    tail = " Learning rate too small." if adaptive else ""
                    print(f"{message}{tail} Stopping.", flush=True)

    def diverged(self, exc: DivergenceError) -> None:
        """The fit loop raised DivergenceError: end as scikit-learn's fit would (see the module)."""
        est = self.est
        if self.best_params is not None:  # early stopping scored a finite epoch: its weights, and a warning
            est.network_.params[...] = self.best_params
            warnings.warn(
                f"{exc}. Training stopped there and the weights of the best validation score "
                f"({est.best_validation_score_:g}) were restored.",
                ConvergenceWarning,
                stacklevel=5,
            )
            return
        # the cost was not finite before any step: the message names the data's cause; no weights were produced
        tail = "" if isinstance(exc, NotFiniteCostError) else (
            ". Solver produced non-finite parameter weights: the input data may contain large values and need to "
            "be preprocessed (e.g. sklearn.preprocessing.StandardScaler)"
        )
        raise SolverDivergenceError(
            f"{exc}{tail}",
            epoch=exc.epoch,
            batch=exc.batch,
        ) from None
