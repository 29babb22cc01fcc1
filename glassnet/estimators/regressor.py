"""MLPRegressor: scikit-learn's MLP regressor over glassnet's engine (identity outputs and mean squared error, or
exp outputs and the Poisson deviance)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ._sklearn import RegressorMixin, available_if, r2_score
from .base import _BaseMLP, _stochastic
from .checks import score

_LOSSES = {"squared_error": ("mse", "identity"), "poisson": ("poisson", "exp")}

__all__ = ["MLPRegressor"]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor with scikit-learn's interface, trained by glassnet.

    ``loss="squared_error"`` (the default): identity outputs and glassnet's mean squared error (reported in
    ``loss_`` as scikit-learn's, halved).
    ``loss="poisson"``: exp outputs ``a = e^s`` (always positive, the mean of a count) and the half Poisson
    deviance ``J = 1/n sum_i sum_j [y ln(y / a) - y + a]`` (glassnet's ``poisson`` cost), for targets >= 0;
    its output error is ``delta = (a - y) / n``, as scikit-learn's. Single- or multi-output y. Parameters
    are scikit-learn's MLPRegressor's (see :mod:`glassnet.estimators` for how they map onto the engine, and
    what ``loss_`` means), plus ``dtype``, ``dropout`` and ``l1`` (see :class:`MLPClassifier`). Fitted
    attributes as :class:`MLPClassifier`'s, without ``classes_``.
    """

    _label_type = None

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dtype="float32",
        dropout=0.0,
        l1=0.0,
    ):
        # scikit-learn reads an estimator's parameters from its own __init__ signature (see MLPClassifier)
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            dtype=dtype,
            dropout=dropout,
            l1=l1,
        )
        self.loss = loss

    # The maps derived in glassnet.estimators' docstring, for glassnet's mse over k outputs against
    # scikit-learn's 1/(2n) sum (a - y)^2. The Poisson cost is scikit-learn's loss itself: no factors.
    @property
    def _squared(self) -> bool:
        return self.loss != "poisson"

    @property
    def _cost_scale(self) -> float:
        return 0.5 if self._squared else 1.0

    @property
    def _lr_scale(self) -> float:
        return self.n_outputs_ / 2 if self._squared else 1.0

    @property
    def _l2_scale(self) -> float:
        return 2 / self.n_outputs_ if self._squared else 1.0

    @property
    def _lbfgs_factor(self) -> float:
        return self.n_outputs_ / 2 if self._squared else 1.0

    def _check_params(self) -> dict:
        if not isinstance(self.loss, str) or self.loss not in _LOSSES:
            raise InputError(f"loss must be 'squared_error' or 'poisson', got {self.loss!r}")
        return super()._check_params()

    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples, n_features) and targets y (n_samples,) or (n_samples, n_outputs)."""
        return self._fit(X, y, sample_weight=sample_weight)

    @available_if(_stochastic)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch on (X, y), continuing from the current state."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _cost_and_output(self):
        return _LOSSES[self.loss]

    def _prepare_targets(self, y, sample_weight, first_pass, incremental, classes):
        Y = np.asarray(y, dtype=np.float64)
        if self.loss == "poisson" and Y.size and Y.min() < 0:
            raise InputError(
                f"loss='poisson' needs targets >= 0 (counts, rates); y's smallest value is {Y.min():g}. Use "
                "loss='squared_error' for targets that can be negative"
            )
        return (Y.reshape(-1, 1) if Y.ndim == 1 else Y), y, sample_weight, None

    def _decode(self, outputs: np.ndarray) -> np.ndarray:
        return outputs.ravel() if outputs.shape[1] == 1 else outputs

    def _score_outputs(self, outputs, y, sample_weight):
        return r2_score(y, self._decode(outputs), sample_weight=sample_weight)

    def score(self, X, y, sample_weight=None) -> float:
        """The coefficient of determination R^2 = 1 - sum_i w_i (y_i - a_i)^2 / sum_i w_i (y_i - ybar)^2 of the
        predictions a on (X, y), ybar the (weighted) mean of y; for several outputs the mean of their R^2, as
        scikit-learn's. y must be finite numbers, one row per row of X (a NaN is named with its row)."""
        return score(self, X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.target_tags.positive_only = self.loss == "poisson"  # counts: scikit-learn's checks then draw y >= 0
        return tags

    def predict(self, X) -> np.ndarray:
        """The predicted targets: shape (n_samples,) for one output, else (n_samples, n_outputs)."""
        return self._decode(self._outputs(X))
