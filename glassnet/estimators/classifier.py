"""MLPClassifier: scikit-learn's MLP classifier over glassnet's engine (labels, outputs, probabilities)."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..validation import one_hot_rows
from ._sklearn import (
    ClassifierMixin,
    accuracy_score,
    available_if,
    check_classification_targets,
    column_or_1d,
    compute_class_weight,
    type_of_target,
    unique_labels,
)
from .base import _BaseMLP, _stochastic
from .checks import score

__all__ = ["MLPClassifier"]


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier with scikit-learn's interface, trained by glassnet.

    Two classes: one sigmoid output and binary cross-entropy; more: softmax and cross-entropy; a
    multilabel indicator y: a sigmoid per label and binary cross-entropy. Labels may be strings, ints or
    bools. Parameters are scikit-learn's MLPClassifier's (see :mod:`glassnet.estimators` for how they map onto
    the engine), plus ``dtype`` (float32, the default; float64; or "auto", which follows X),
    ``class_weight`` (None, "balanced" or a dict {label: weight}), which multiplies each sample's weight by
    its class's weight, ``dropout`` (a rate in [0, 1), or one per hidden layer: inverted dropout while training)
    and ``l1`` (L1 on the weights, ``l1 / m sum |W|`` per batch of m rows, in ``alpha``'s units); the last two
    need solver "sgd" or "adam". A y with only one class is fitted as scikit-learn fits it (every prediction is that
    class).

    Fitted attributes: ``classes_``, ``coefs_``, ``intercepts_`` (live views of ``network_``),
    ``n_features_in_``, ``feature_names_in_``, ``n_iter_``, ``loss_``, ``loss_curve_``, ``best_loss_``,
    ``validation_scores_``, ``best_validation_score_``, ``validation_loss_curve_``, ``n_outputs_``,
    ``out_activation_``, ``n_layers_``, ``t_`` and ``network_``, the glassnet Network.
    """

    _is_classifier = True

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
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
        class_weight=None,
    ):
        # scikit-learn reads an estimator's parameters from its own __init__ signature, so the classifier,
        # which adds class_weight, spells them all out and hands the shared ones to _BaseMLP
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
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples, n_features) and labels y (n_samples,) or a multilabel indicator matrix."""
        return self._fit(X, y, sample_weight=sample_weight)

    @available_if(_stochastic)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch on (X, y), continuing from the current state; ``classes`` is needed on the first call."""
        if "network_" not in self.__dict__ and classes is None:
            raise InputError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, sample_weight=sample_weight, incremental=True, classes=classes)

    # -- labels ---------------------------------------------------------------------------------------------
    def _cost_and_output(self):
        if self._label_type == "multiclass":
            return "cross_entropy", "softmax"
        return "binary_cross_entropy", "sigmoid"

    def _prepare_targets(self, y, sample_weight, first_pass, incremental, classes):
        """Labels -> (the network's targets: one-hot, 0/1 column or indicator; the labels; sample weights;
        on a first pass ``(classes_, label_type)`` for the caller to set, else None)."""
        check_classification_targets(y)
        target_type = type_of_target(y)
        multilabel = target_type.startswith("multilabel")
        if y.ndim == 2 and not multilabel:
            if y.shape[1] != 1:
                raise InputError(
                    f"y of type {target_type!r} is not supported; pass labels of shape (n_samples,)"
                )
            y = column_or_1d(y, warn=True)  # scikit-learn's DataConversionWarning for a column vector
        if multilabel:
            new_classes = np.arange(y.shape[1])
            label_type = "multilabel-indicator"
        else:
            given = unique_labels(y) if classes is None or not first_pass else unique_labels(classes)
            new_classes = np.asarray(given)
            label_type = "binary" if len(new_classes) <= 2 else "multiclass"
        if first_pass:
            if incremental and classes is not None and not multilabel:
                missing = np.setdiff1d(unique_labels(y), new_classes)
                if missing.size:
                    raise InputError(f"`y` has classes not in `classes`: {missing.tolist()}")
            # one class is fitted as scikit-learn fits it: one sigmoid output trained towards 0 ("not the
            # other class"); every prediction is that class, and predict_proba has scikit-learn's two columns
            classes_ = new_classes
        else:
            if multilabel != (self._label_type == "multilabel-indicator"):
                raise InputError(
                    "y switched between labels and a multilabel indicator matrix since the last fit"
                )
            if incremental:
                same = classes is None or np.array_equal(np.asarray(unique_labels(classes)), self.classes_)
                if not same:
                    raise InputError(
                        f"`classes={list(classes)!r}` is not the same as on last call to partial_fit, "
                        f"was: {self.classes_.tolist()!r}"
                    )
                if not multilabel and not np.isin(unique_labels(y), self.classes_).all():
                    raise InputError(
                        f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}."
                    )
            elif not np.array_equal(new_classes, self.classes_):
                raise InputError(
                    "warm_start can only be used where `y` has the same classes as in the previous call to "
                    f"fit. Previously got {self.classes_}, `y` has {new_classes}"
                )
            if multilabel and y.shape[1] != len(self.classes_):
                raise InputError(
                    f"y has {y.shape[1]} labels; this classifier was fitted with {len(self.classes_)}"
                )
            classes_, label_type = self.classes_, self._label_type

        if label_type == "multilabel-indicator":
            Y = np.asarray(y, dtype=np.float64)
            if self.class_weight is not None:
                raise InputError("class_weight is not supported for multilabel y; use sample_weight instead")
        else:
            index = _label_index(classes_, y)
            if label_type == "binary":
                Y = (index == 1).astype(np.float64).reshape(-1, 1)
            else:
                Y = one_hot_rows(index, len(classes_))
            if self.class_weight is not None:
                if incremental and isinstance(self.class_weight, str):
                    raise InputError(
                        "class_weight='balanced' needs the whole training set, which partial_fit never sees; "
                        "pass a dict {label: weight} instead"
                    )
                try:
                    per_class = compute_class_weight(self.class_weight, classes=classes_, y=y)
                except (ValueError, TypeError) as exc:
                    raise InputError(f"bad class_weight {self.class_weight!r}: {exc}") from None
                class_sw = per_class[index]
                sample_weight = class_sw if sample_weight is None else sample_weight * class_sw
        return Y, y, sample_weight, ((classes_, label_type) if first_pass else None)

    def _decode(self, outputs: np.ndarray) -> np.ndarray:
        """Output activations -> labels."""
        if self._label_type == "multilabel-indicator":
            return (outputs > 0.5).astype(np.int64)
        if self._label_type == "binary":
            if len(self.classes_) == 1:
                return np.repeat(self.classes_, len(outputs))
            return self.classes_[(outputs[:, 0] > 0.5).astype(np.intp)]
        return self.classes_[outputs.argmax(axis=1)]

    def _score_outputs(self, outputs, y, sample_weight):
        return accuracy_score(y, self._decode(outputs), sample_weight=sample_weight)

    def score(self, X, y, sample_weight=None) -> float:
        """The accuracy sum_i w_i [predicted label_i = y_i] / sum_i w_i on (X, y) (every w_i = 1 without
        sample_weight); for multilabel y, the fraction of rows whose every label is right, as scikit-learn's.
        y holds one label per row of X, none of them NaN (a NaN is named with its row)."""
        return score(self, X, y, sample_weight)

    # -- predictions ----------------------------------------------------------------------------------------
    def predict(self, X) -> np.ndarray:
        """The predicted label of each row (for multilabel y, the indicator matrix)."""
        return self._decode(self._outputs(X))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, one column per class in ``classes_`` order."""
        outputs = self._outputs(X)
        if self._label_type == "binary":
            return np.hstack([1 - outputs, outputs])
        return outputs

    def predict_log_proba(self, X) -> np.ndarray:
        """The natural log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


def _label_index(classes: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The position of each label of y in the sorted ``classes``; a label not among them is an error."""
    index = np.searchsorted(classes, y)
    index = np.clip(index, 0, len(classes) - 1)
    unknown = classes[index] != y
    if np.any(unknown):
        raise InputError(f"y holds labels the classifier does not know: {np.unique(y[unknown]).tolist()}")
    return index
