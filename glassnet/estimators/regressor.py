"""MLPRegressor: scikit-learn's MLP regressor over glassnet's engine (identity outputs, mean squared error)."""

from __future__ import annotations

import numpy as np

from ._sklearn import RegressorMixin, r2_score
from .base import _BaseMLP

__all__ = ["MLPRegressor"]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor with scikit-learn's interface, trained by glassnet.

    Identity outputs and glassnet's mean squared error; single- or multi-output y. Parameters are
    scikit-learn's MLPRegressor's (see :mod:`glassnet.estimators` for how they map onto the engine, and what
    ``loss_`` means), plus ``dtype``. Fitted attributes as :class:`MLPClassifier`'s, without ``classes_``.
    """

    _label_type = None
    _loss_factor = 2.0

    @property
    def _lr_scale(self) -> float:
        return self.n_outputs_ / 2

    @property
    def _l2_scale(self) -> float:
        return 2 / self.n_outputs_

    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples, n_features) and targets y (n_samples,) or (n_samples, n_outputs)."""
        return self._fit(X, y, sample_weight=sample_weight)

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch on (X, y), continuing from the current state."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _cost_and_output(self):
        return "mse", "identity"

    def _prepare_targets(self, y, sample_weight, first_pass, incremental, classes):
        Y = np.asarray(y, dtype=np.float64)
        return (Y.reshape(-1, 1) if Y.ndim == 1 else Y), y, sample_weight, None

    def _decode(self, outputs: np.ndarray) -> np.ndarray:
        return outputs.ravel() if outputs.shape[1] == 1 else outputs

    def _score_outputs(self, outputs, y, sample_weight):
        return r2_score(y, self._decode(outputs), sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    def predict(self, X) -> np.ndarray:
        """The predicted targets: shape (n_samples,) for one output, else (n_samples, n_outputs)."""
        return self._decode(self._outputs(X))
