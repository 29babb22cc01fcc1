"""The parts of scikit-learn the estimators build on, imported in one place that says what to install."""

from __future__ import annotations

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.utils import check_random_state
    from sklearn.utils.class_weight import compute_class_weight
    from sklearn.utils.metaestimators import available_if
    from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
    from sklearn.utils.optimize import _check_optimize_result
    from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "glassnet's MLPClassifier and MLPRegressor need scikit-learn 1.6 or newer: "
        'pip install "glassnet[sklearn]"'
    ) from exc

__all__ = [
    "BaseEstimator", "ClassifierMixin", "ConvergenceWarning", "RegressorMixin", "_check_optimize_result",
    "_check_sample_weight", "available_if",
    "accuracy_score", "check_classification_targets", "check_is_fitted", "check_random_state",
    "column_or_1d", "compute_class_weight", "r2_score", "train_test_split", "type_of_target", "unique_labels",
    "validate_data",
]
