"""MLPClassifier and MLPRegressor: scikit-learn estimators over glassnet's engine.

They take scikit-learn's MLP parameters, with the same names and meanings, so that existing code can swap
them in; underneath, ``network_`` is an ordinary glassnet :class:`~glassnet.network.Network` trained by
:class:`~glassnet.training.Trainer`, open to everything else glassnet offers (trace, blame, pictures).

How scikit-learn's parameters map onto the engine
-------------------------------------------------
Outputs and costs. A classifier with two classes has one sigmoid output and ``binary_cross_entropy``;
with more classes, a softmax output per class and ``cross_entropy``; with a multilabel indicator ``y``, a
sigmoid output per label and ``binary_cross_entropy``. A regressor has identity outputs and ``mse``.

``alpha`` (L2). scikit-learn adds ``alpha / (2 m) * sum W^2`` to each batch's cost, m the batch's rows
(or their summed sample weights), so each step adds ``(alpha / m) W`` to the weight gradient. glassnet's
L2 term is ``l2 / (2 n) * sum W^2`` with n the training rows, adding ``(l2 / n) W``. Equal steps need
``l2 / n = alpha / m``, so::

    l2 = alpha * n_train / batch_size

which is exact for every full batch (only a smaller last batch gets a slightly weaker pull than in
scikit-learn, which divides by that batch's own size).

The regressor's cost. glassnet's ``mse`` is ``J = 1/(n k) sum (a - y)^2`` over n samples and k outputs;
scikit-learn trains on ``1/(2 n) sum (a - y)^2``, whose gradient is ``k / 2`` times smaller. So that
``learning_rate_init``, ``alpha``, ``epsilon`` and ``tol`` mean what they mean in scikit-learn, the
regressor uses ``learning_rate_init * k / 2`` for SGD, ``epsilon * 2 / k`` for Adam (which a constant
gradient factor otherwise leaves alone), ``l2`` times ``2 / k``, and compares losses with ``2 * tol``:
the steps are then those of scikit-learn's squared loss. Its ``loss_`` and ``loss_curve_`` are glassnet's
cost, the mean squared error over samples *and outputs* (not halved) plus the L2 term: for one output,
exactly twice scikit-learn's ``loss_``. The classifiers' ``loss_`` is the same log-loss as scikit-learn's.

``learning_rate`` (SGD only, as in scikit-learn): ``"constant"``; ``"invscaling"``, the rate
``learning_rate_init / (t + 1) ** power_t`` with t the training samples seen so far, set at the start of
each epoch; ``"adaptive"``, which divides the rate by 5 instead of stopping when the loss (or validation
score) stalls for ``n_iter_no_change`` epochs, and stops once it falls to 1e-6 or below.

Stopping, as scikit-learn: training stops when the training loss has not fallen by ``tol`` (or, with
``early_stopping``, the validation score has not risen by ``tol``) for more than ``n_iter_no_change``
epochs in a row; reaching ``max_iter`` first gives a ConvergenceWarning. ``early_stopping`` holds out
``validation_fraction`` of the rows (a stratified split for single-output classifiers) and restores the
weights of the epoch with the best validation score. Its validation cost per epoch (in ``loss_`` units)
is kept in ``validation_loss_curve_``.

``sample_weight`` and ``class_weight``: each batch's cost is the weighted mean of its samples' costs, as
in scikit-learn (see :mod:`glassnet.costs`); a class weight multiplies the sample weight of its samples.

Starting weights and biases are drawn as scikit-learn draws them (Glorot uniform, see
``_initialize_like_sklearn``), from the network's seed. Differences from scikit-learn that remain: Adam
adds ``epsilon`` to the bias-corrected root, as in the Adam paper's algorithm; there is no ``lbfgs``
solver; sparse X is refused (the engine is dense); predictions come in the network's dtype (float32 by
default); ``partial_fit`` and ``warm_start`` keep glassnet's own random generator (saved with the model).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .errors import InputError, InputTypeError
from .network import Network
from .optimizers import SGD, Adam, Constant
from .training import Callback, Trainer

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.utils import check_random_state
    from sklearn.utils.class_weight import compute_class_weight
    from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
    from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "glassnet's MLPClassifier and MLPRegressor need scikit-learn 1.6 or newer: "
        'pip install "glassnet[sklearn]"'
    ) from exc

__all__ = ["MLPClassifier", "MLPRegressor"]

_ACTIVATIONS = {
    "identity": "identity", "logistic": "sigmoid", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu",
    "arctan": "arctan", "leaky_relu": "leaky_relu", "softplus": "softplus",
}
# out_activation_ in scikit-learn's names
_OUT_ACTIVATION = {"sigmoid": "logistic", "softmax": "softmax", "identity": "identity"}
_LABEL_TYPES = ("binary", "multiclass", "multilabel-indicator")


class _SklearnControl(Callback):
    """scikit-learn's per-epoch bookkeeping on glassnet's fit loop.

    Keeps ``loss_curve_``, the validation scores and costs, the no-improvement count, the learning-rate
    rules ``invscaling`` and ``adaptive``, and the best weights for early stopping.
    """

    def __init__(self, estimator: _BaseMLP, n_train: int, validation: tuple | None) -> None:
        self.est = estimator
        self.n_train = n_train
        self.validation = validation  # (X_val, Y_val, y_val, w_val) or None
        self.converged = False
        self.best_params: np.ndarray | None = None

    def on_epoch_begin(self, trainer, epoch):
        est = self.est
        if est.solver == "sgd":
            if est.learning_rate == "invscaling":
                est._lr = est.learning_rate_init / (est.t_ + 1) ** est.power_t
            trainer.optimizer.learning_rate = est._lr * est._lr_scale

    def on_epoch_end(self, trainer, epoch, logs):
        est, net = self.est, trainer.network
        est.n_iter_ += 1
        est.t_ += self.n_train
        est.loss_ = float(logs["cost"])
        est.loss_curve_.append(est.loss_)
        tol = est.tol * est._loss_factor
        if self.validation is not None:
            X_val, Y_val, y_val, w_val = self.validation
            outputs, val_cost, _ = net._evaluate(X_val, Y_val, w_val)
            est.validation_loss_curve_.append(float(val_cost + net.l2_penalty(trainer.l2, _l2_n(trainer))))
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
            stalled = est.loss_ > est.best_loss_ - tol
            est._no_improvement_count = est._no_improvement_count + 1 if stalled else 0
            est.best_loss_ = min(est.best_loss_, est.loss_)
        if est._no_improvement_count > est.n_iter_no_change:
            if est.solver == "sgd" and est.learning_rate == "adaptive" and est._lr > 1e-6:
                est._lr /= 5.0
                est._no_improvement_count = 0
            else:
                self.converged = True
                trainer.stop = True


def _l2_n(trainer: Trainer) -> float:
    """The n of the trainer's L2 term: its training rows, or their summed weights."""
    return len(trainer.X) if trainer.weights is None else float(trainer.weights.sum())


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: parameters, the fit loop, the fitted attributes."""

    _is_classifier = False

    # -- parameters -----------------------------------------------------------------------------------------
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
        dtype="float32",
    ):
        """scikit-learn's parameters, stored as given (checked when fitting); the regressor takes exactly these."""
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.dtype = dtype

    def _check_params(self) -> dict:
        """Check every parameter before any work; returns the resolved values the fit needs."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = [sizes]
        try:
            sizes = list(sizes)
        except TypeError:
            raise InputTypeError(
                "hidden_layer_sizes must be a whole number or a list of them, "
                f"got {self.hidden_layer_sizes!r}"
            ) from None
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size <= 0:
                raise InputError(f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes!r}")
        sizes = [int(size) for size in sizes]
        if not isinstance(self.activation, str) or self.activation not in _ACTIVATIONS:
            raise InputError(f"activation must be one of {', '.join(_ACTIVATIONS)}; got {self.activation!r}")
        if self.solver == "lbfgs":
            raise InputError("solver='lbfgs' is not offered by glassnet; use solver='adam' or solver='sgd'")
        if self.solver not in ("sgd", "adam"):
            raise InputError(f"solver must be 'sgd' or 'adam', got {self.solver!r}")
        if self.learning_rate not in ("constant", "invscaling", "adaptive"):
            raise InputError(
                f"learning_rate must be 'constant', 'invscaling' or 'adaptive', got {self.learning_rate!r}"
            )
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            _number("batch_size", self.batch_size, integer=True, low=1)
        _number("alpha", self.alpha, low=0)
        _number("learning_rate_init", self.learning_rate_init, low=0, low_open=True)
        _number("power_t", self.power_t, low=0)
        _number("max_iter", self.max_iter, integer=True, low=1)
        _number("tol", self.tol, low=0)
        _number("momentum", self.momentum, low=0, high=1)
        _number("validation_fraction", self.validation_fraction, low=0, high=1, low_open=True, high_open=True)
        _number("beta_1", self.beta_1, low=0, high=1, high_open=True)
        _number("beta_2", self.beta_2, low=0, high=1, high_open=True)
        _number("epsilon", self.epsilon, low=0, low_open=True)
        _number("n_iter_no_change", self.n_iter_no_change, integer=True, low=1)
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype is None or dtype.name not in ("float32", "float64"):
            raise InputError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        return {"sizes": sizes, "dtype": dtype}

    def _seed(self) -> int:
        """The network's seed: ``random_state`` itself when it is a whole number, else one drawn from it."""
        state = self.random_state
        if isinstance(state, numbers.Integral) and not isinstance(state, bool) and state >= 0:
            return int(state)
        return int(check_random_state(state).randint(0, np.iinfo(np.int32).max))

    # -- fitted attributes ----------------------------------------------------------------------------------
    @property
    def coefs_(self) -> list[np.ndarray]:
        """The weight matrices, layer by layer, shape (n_in, n_out): live views of ``network_``'s weights.

        Editing them in place (``coefs_[0][...] = W``) changes the model; so does assigning a whole list
        (``est.coefs_ = [...]``, copied in, shapes checked). Replacing one item of the returned list does not.
        """
        return [layer.weights for layer in self._network().layers]

    @coefs_.setter
    def coefs_(self, values) -> None:
        self._assign_layers("weights", values)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """The bias vectors, layer by layer: live views of ``network_``'s biases (see ``coefs_``)."""
        return [layer.bias for layer in self._network().layers]

    @intercepts_.setter
    def intercepts_(self, values) -> None:
        self._assign_layers("bias", values)

    @property
    def n_layers_(self) -> int:
        """The number of layers counting the inputs, as in scikit-learn: hidden layers + 2."""
        return len(self._network().layers) + 1

    def _network(self) -> Network:
        try:
            return self.__dict__["network_"]
        except KeyError:
            raise AttributeError(f"this {type(self).__name__} is not fitted yet; call fit first") from None

    def _assign_layers(self, attr: str, values) -> None:
        layers = self._network().layers
        values = list(values)
        if len(values) != len(layers):
            raise InputError(f"the network has {len(layers)} layers; got {len(values)} arrays")
        for layer, value in zip(layers, values, strict=True):
            setattr(layer, attr, value)

    # -- fit ------------------------------------------------------------------------------------------------
    def _fit(self, X, y, sample_weight=None, incremental: bool = False, classes=None):
        resolved = self._check_params()
        dtype = resolved["dtype"]
        fitted = "network_" in self.__dict__
        first_pass = not fitted or (not self.warm_start and not incremental)
        if incremental and self.early_stopping:
            raise InputError("partial_fit does not support early_stopping=True")
        X, y = validate_data(
            self, X, y, reset=first_pass, dtype=dtype, multi_output=True, y_numeric=not self._is_classifier,
            accept_sparse=False,
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        Y, y, sample_weight, labels = self._prepare_targets(y, sample_weight, first_pass, incremental, classes)
        if sample_weight is not None:
            sample_weight = sample_weight.astype(dtype)
        n_outputs = Y.shape[1]

        if first_pass:
            if labels is not None:  # set only now that y has passed every check
                self.classes_, self._label_type = labels
            cost, output = self._cost_and_output()
            net = Network.from_sizes(
                [X.shape[1], *resolved["sizes"], n_outputs], activation=_ACTIVATIONS[self.activation],
                output=output, cost=cost, seed=self._seed(), dtype=dtype,
            )
            _initialize_like_sklearn(net, self.activation)
            self.network_ = net
            self.n_outputs_ = n_outputs
            self.out_activation_ = _OUT_ACTIVATION[net.layers[-1].activation.name]
            self.n_iter_ = 0
            self.t_ = 0
            self.loss_ = None
            self.loss_curve_ = []
            self._no_improvement_count = 0
            self._optimizer = None
            if self.early_stopping:
                self.validation_scores_, self.validation_loss_curve_ = [], []
                self.best_validation_score_, self.best_loss_ = -np.inf, None
            else:
                self.validation_scores_ = self.validation_loss_curve_ = None
                self.best_validation_score_, self.best_loss_ = None, np.inf
        else:
            net = self.network_
            if net.n_outputs != n_outputs:
                raise InputError(
                    f"y has {n_outputs} output column(s) but this {type(self).__name__} was fitted with "
                    f"{net.n_outputs}; fit it afresh (warm_start=False) to change the outputs"
                )
            if self.early_stopping and self.validation_scores_ is None:
                self.validation_scores_, self.validation_loss_curve_ = [], []
                self.best_validation_score_, self.best_loss_ = -np.inf, None
            if not self.early_stopping and self.best_loss_ is None:
                self.best_loss_ = np.inf
        if net.dtype != dtype:
            X = X.astype(net.dtype)
            Y = Y.astype(net.dtype)
            sample_weight = None if sample_weight is None else sample_weight.astype(net.dtype)

        # early stopping: hold out validation rows, stratified for single-output classifiers as scikit-learn
        validation = None
        X_train, Y_train, w_train = X, Y, sample_weight
        if self.early_stopping:
            stratify = y if self._label_type in ("binary", "multiclass") else None
            parts = [X, Y, y] + ([] if sample_weight is None else [sample_weight])
            split = train_test_split(
                *parts, test_size=self.validation_fraction, stratify=stratify,
                random_state=int(net.rng.integers(np.iinfo(np.int32).max)),
            )
            X_train, X_val, Y_train, Y_val, _, y_val = split[:6]
            w_train, w_val = (split[6], split[7]) if sample_weight is not None else (None, None)
            if len(X_val) < 2:
                raise InputError(
                    "The validation set is too small. Increase 'validation_fraction' or the size of your "
                    "dataset."
                )
            validation = (X_val, Y_val, y_val, w_val)

        n_train = len(X_train)
        if self.batch_size == "auto":
            batch_size = min(200, n_train)
        else:
            if self.batch_size > n_train:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped",
                    stacklevel=3,
                )
            batch_size = int(np.clip(self.batch_size, 1, n_train))

        # the maps derived in the module docstring
        k = n_outputs
        self._lr_scale = 1.0 if self._is_classifier else k / 2
        self._loss_factor = 1.0 if self._is_classifier else 2.0
        l2 = self.alpha * n_train / batch_size * (1.0 if self._is_classifier else 2 / k)
        if not incremental or self._optimizer is None:
            self._lr = float(self.learning_rate_init)
            if self.solver == "sgd":
                self._optimizer = SGD(
                    Constant(self._lr * self._lr_scale), momentum=float(self.momentum),
                    nesterov=bool(self.nesterovs_momentum) and self.momentum > 0,
                )
            else:
                self._optimizer = Adam(
                    Constant(self._lr), beta1=float(self.beta_1), beta2=float(self.beta_2),
                    eps=float(self.epsilon) / self._lr_scale,
                )
        control = _SklearnControl(self, n_train, validation)
        trainer = Trainer(
            net, X_train, Y_train, batch_size=batch_size, optimizer=self._optimizer, l2=l2,
            shuffle=bool(self.shuffle), callbacks=[control], verbose=bool(self.verbose),
            sample_weight=w_train,
        )
        if not incremental:
            self.n_iter_ = 0
        trainer.run(1 if incremental else int(self.max_iter))
        if self.early_stopping and control.best_params is not None:
            net.params[...] = control.best_params  # restore the weights of the best validation score
        if not incremental and not control.converged and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the optimization "
                "hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return self

    def save(self, path, *, preprocessing: object = None, training: object = None):
        """Save the fitted estimator to one safe file; ``glassnet.load(path)`` gives it back."""
        from .persistence import save

        return save(self, path, preprocessing=preprocessing, training=training)

    def _outputs(self, X) -> np.ndarray:
        """The network's output activations for X (checked as at fit), in the network's dtype.

        Predictions keep the dtype they were computed in (float32 by default): casting them to float64
        would only dress float32 rounding up as float64 precision. Use ``dtype="float64"`` for float64.
        """
        check_is_fitted(self, "network_")
        X = validate_data(self, X, reset=False, dtype=self.network_.dtype, accept_sparse=False)
        return self.network_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags

    def to_onnx(self, path, **options):
        """Write the fitted model as an ONNX graph (see :func:`glassnet.export.to_onnx`); returns the ModelProto."""
        from .export import to_onnx

        return to_onnx(self, path, **options)


def _initialize_like_sklearn(net: Network, activation: str) -> None:
    """Starting weights *and biases* drawn as scikit-learn's MLP draws them, from the network's seed.

    ``U(-r, r)`` with ``r = sqrt(6 / (n_in + n_out))`` (``sqrt(2 / (n_in + n_out))`` for logistic hidden
    layers), so that the same settings train alike in both libraries.
    """
    factor = 2.0 if _ACTIVATIONS[activation] == "sigmoid" else 6.0
    for layer in net.layers:
        bound = np.sqrt(factor / (layer.n_in + layer.n_out))
        layer.weights = net.rng.uniform(-bound, bound, (layer.n_in, layer.n_out))
        layer.bias = net.rng.uniform(-bound, bound, layer.n_out)


def _number(name, value, integer=False, low=None, high=None, low_open=False, high_open=False):
    """Refuse a parameter outside its range with a message naming it (a ValueError or TypeError)."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "a whole number" if integer else "a number"
        raise InputTypeError(f"{name} must be {what}, got {value!r}")
    bad = (
        not np.isfinite(value)
        or (low is not None and (value < low or (low_open and value == low)))
        or (high is not None and (value > high or (high_open and value == high)))
    )
    if bad:
        lo = "" if low is None else f"{'>' if low_open else '>='} {low}"
        hi = "" if high is None else f"{'<' if high_open else '<='} {high}"
        raise InputError(f"{name} must be {' and '.join(p for p in (lo, hi) if p)}, got {value!r}")
    return value


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier with scikit-learn's interface, trained by glassnet.

    Two classes: one sigmoid output and binary cross-entropy; more: softmax and cross-entropy; a
    multilabel indicator y: a sigmoid per label and binary cross-entropy. Labels may be strings, ints or
    bools. Parameters are scikit-learn's MLPClassifier's (see the module docstring for how they map onto
    the engine), plus ``dtype`` (float32 or float64) and ``class_weight`` (None, "balanced" or a dict
    {label: weight}), which multiplies each sample's weight by its class's weight.

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
        dtype="float32",
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
            dtype=dtype,
        )
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None):
        """Train on X (n_samples, n_features) and labels y (n_samples,) or a multilabel indicator matrix."""
        return self._fit(X, y, sample_weight=sample_weight)

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
            if len(new_classes) < 2 and not multilabel:
                raise InputError(
                    f"{type(self).__name__} needs samples of at least 2 classes to learn from; y holds only "
                    f"one class: {new_classes.tolist()}"
                )
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
                Y = np.zeros((len(y), len(classes_)))
                Y[np.arange(len(y)), index] = 1.0
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
            return self.classes_[(outputs[:, 0] > 0.5).astype(np.intp)]
        return self.classes_[outputs.argmax(axis=1)]

    def _score_outputs(self, outputs, y, sample_weight):
        return accuracy_score(y, self._decode(outputs), sample_weight=sample_weight)

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


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor with scikit-learn's interface, trained by glassnet.

    Identity outputs and glassnet's mean squared error; single- or multi-output y. Parameters are
    scikit-learn's MLPRegressor's (see the module docstring for how they map onto the engine, and what
    ``loss_`` means), plus ``dtype``. Fitted attributes as :class:`MLPClassifier`'s, without ``classes_``.
    """

    _label_type = None

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
