"""What MLPClassifier and MLPRegressor share: scikit-learn's parameters, their checks, and the fit loop.

The mapping of scikit-learn's parameters onto glassnet's engine is derived in :mod:`glassnet.estimators`.
"""

from __future__ import annotations

import copy
import numbers
import warnings
from typing import cast

import numpy as np

from ..errors import DivergenceError, InputError, InputTypeError
from ..finite import check_fits_dtype
from ..network import Network
from ..optimizers import Optimizer
from ..sparse import sparse_rows
from ..training import Trainer
from ..validation import check_float_dtype, check_number, check_sample_weight
from ._sklearn import (
    BaseEstimator,
    ConvergenceWarning,
    check_is_fitted,
    check_random_state,
    train_test_split,
)
from .checks import check_same_network, validated
from .lbfgs import minimize_lbfgs
from .stochastic import SklearnControl, SolverDivergenceError, check_dropout_l1, is_inf, new_optimizer

_ACTIVATIONS = {
    "identity": "identity", "logistic": "sigmoid", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu",
    "arctan": "arctan", "leaky_relu": "leaky_relu", "softplus": "softplus",
}
# out_activation_ in scikit-learn's names
_OUT_ACTIVATION = {"sigmoid": "logistic", "softmax": "softmax", "identity": "identity", "exp": "exp"}


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: parameters, the fit loop, the fitted attributes."""

    _is_classifier = False
    # fitted attributes, set by fit and partial_fit (or by glassnet.load), declared for the type checker
    loss_: float | None
    loss_curve_: list[float]
    best_loss_: float | None
    validation_scores_: list[float] | None
    validation_loss_curve_: list[float] | None
    best_validation_score_: float | None
    _optimizer: Optimizer | None
    # The maps derived in glassnet.estimators' docstring, which only the regressor needs (its k outputs):
    # learning rate (and Adam's epsilon) scaled by k / 2, L2 by 2 / k, the reported cost halved.
    @property
    def _cost_scale(self) -> float:
        """What turns glassnet's cost J (without the L2 term) into scikit-learn's reported loss."""
        return 1.0

    @property
    def _lr_scale(self) -> float:
        return 1.0

    @property
    def _l2_scale(self) -> float:
        return 1.0

    @property
    def _lbfgs_factor(self) -> float:
        """c in lbfgs' objective ``c J + alpha/(2n) sum W^2``: what turns glassnet's cost into scikit-learn's loss."""
        return 1.0

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
        max_fun=15000,
        dtype="float32",
        dropout=0.0,
        l1=0.0,
    ):
        """scikit-learn's parameters and glassnet's, stored as given (checked when fitting)."""
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
        self.max_fun = max_fun
        self.dtype = dtype
        self.dropout = dropout
        self.l1 = l1

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
        if not isinstance(self.solver, str) or self.solver not in ("lbfgs", "sgd", "adam"):
            raise InputError(f"solver must be 'lbfgs', 'sgd' or 'adam', got {self.solver!r}")
        if self.learning_rate not in ("constant", "invscaling", "adaptive"):
            raise InputError(
                f"learning_rate must be 'constant', 'invscaling' or 'adaptive', got {self.learning_rate!r}"
            )
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            check_number("batch_size", self.batch_size, integer=True, low=1)
        check_number("alpha", self.alpha, low=0)
        check_number("learning_rate_init", self.learning_rate_init, low=0, low_open=True)
        check_number("power_t", self.power_t, low=0)
        check_number("max_iter", self.max_iter, integer=True, low=1)
        check_number("tol", self.tol, low=0)
        check_number("momentum", self.momentum, low=0, high=1)
        check_number("validation_fraction", self.validation_fraction, low=0, high=1, low_open=True, high_open=True)
        check_number("beta_1", self.beta_1, low=0, high=1, high_open=True)
        check_number("beta_2", self.beta_2, low=0, high=1, high_open=True)
        check_number("epsilon", self.epsilon, low=0, low_open=True)
        if not is_inf(self.n_iter_no_change):  # np.inf: never stop early, train max_iter epochs (as scikit-learn)
            check_number("n_iter_no_change", self.n_iter_no_change, integer=True, low=1)
        check_number("max_fun", self.max_fun, integer=True, low=1)
        state = self.random_state
        if isinstance(state, bool) or not (state is None
                                           or isinstance(state, (numbers.Integral, np.random.RandomState))):
            raise InputTypeError(f"random_state must be None, a whole number or a RandomState, got {state!r}")
        if isinstance(state, numbers.Integral) and not 0 <= int(state) < 2**32:
            raise InputError(f"random_state must be between 0 and 2**32 - 1, got {state!r}")
        auto = isinstance(self.dtype, str) and self.dtype == "auto"  # follow X's float dtype, as scikit-learn
        dropout, l1 = check_dropout_l1(self.dropout, self.l1, len(sizes), self.solver)
        dtype = None if auto else check_float_dtype(self.dtype)
        return {"sizes": sizes, "dtype": dtype, "dropout": dropout, "l1": l1}

    def _seed(self) -> int:
        """The network's seed: ``random_state`` itself when it is a whole number, else one drawn from it."""
        state = self.random_state
        if isinstance(state, numbers.Integral) and not isinstance(state, bool) and int(state) >= 0:
            return int(state)
        return int(check_random_state(state).randint(0, np.iinfo(np.int32).max))

    # -- fitted attributes ----------------------------------------------------------------------------------
    @property
    def coefs_(self) -> list[np.ndarray]:
        """The weight matrices, layer by layer, shape (n_in, n_out): live views of ``network_``'s weights.

        Editing them in place (``coefs_[0][...] = W``) changes the model; so does assigning a whole list
        (``est.coefs_ = [...]``, copied in, shapes checked). Replacing one item of the returned list does not.
        """
        return [cast(np.ndarray, layer.weights) for layer in self._network().layers]

    @coefs_.setter
    def coefs_(self, values) -> None:
        self._assign_layers("weights", values)

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """The bias vectors, layer by layer: live views of ``network_``'s biases (see ``coefs_``)."""
        return [cast(np.ndarray, layer.bias) for layer in self._network().layers]

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
        """fit and partial_fit, as one transaction: a call that raises leaves the estimator as it was.

        The fitted state (every attribute that is not a parameter, the network's weights and generator and
        the optimizer's state) is set aside first and put back if anything fails, from a refused argument
        to a divergence, so a refused refit never leaves a half-replaced model (new classes_ with the old
        network, a new network with the old counters, feature names of data that was refused). An
        interrupt (Ctrl-C, KeyboardInterrupt) is not a failure: the epochs trained so far are kept, as in
        scikit-learn.
        """
        saved = self._fitted_state()
        try:
            return self._fit_once(X, y, sample_weight, incremental, classes)
        except Exception:
            self._restore_fitted_state(saved)
            raise

    def _fitted_state(self) -> tuple[dict, np.ndarray | None, dict | None]:
        """A deep copy of the fitted attributes, and the network's weights and generator state."""
        params = set(self.get_params(deep=False))
        attrs = {key: value for key, value in self.__dict__.items() if key not in params}
        net = attrs.pop("network_", None)
        snapshot = copy.deepcopy(attrs)
        if net is None:
            return snapshot, None, None
        snapshot["network_"] = net  # the same object comes back (coefs_ views stay live), with its contents
        return snapshot, net.params.copy(), copy.deepcopy(net.rng.bit_generator.state)

    def _restore_fitted_state(self, saved: tuple[dict, np.ndarray | None, dict | None]) -> None:
        snapshot, weights, rng_state = saved
        params = set(self.get_params(deep=False))
        for key in [key for key in self.__dict__ if key not in params]:
            del self.__dict__[key]
        self.__dict__.update(snapshot)
        net = snapshot.get("network_")
        if net is not None:
            net.params[...] = weights
            net.rng.bit_generator.state = rng_state

    def _fit_once(self, X, y, sample_weight, incremental: bool, classes):
        resolved = self._check_params()
        fitted = "network_" in self.__dict__
        first_pass = not fitted or (not self.warm_start and not incremental)
        if incremental and self.early_stopping:
            raise InputError("partial_fit does not support early_stopping=True")
        if not first_pass:  # the fit continues from network_: the parameters must describe that network
            check_same_network(self, resolved["sizes"], _ACTIVATIONS[self.activation], incremental)
        # dtype="auto" keeps a float32 or float64 X as it is (anything else becomes float64), as scikit-learn
        X, y = validated(
            self, X, y, reset=first_pass, dtype=resolved["dtype"] or (np.float64, np.float32), multi_output=True,
            y_numeric=not self._is_classifier, accept_sparse=("csr", "csc"),
        )
        X = sparse_rows(X)  # a sparse X as CSR rows that len() counts (glassnet.sparse)
        dtype = X.dtype
        sample_weight = check_sample_weight(sample_weight, X.shape[0], np.dtype(np.float64))
        Y, y, sample_weight, labels = self._prepare_targets(y, sample_weight, first_pass, incremental, classes)
        sample_weight = check_sample_weight(sample_weight, X.shape[0], dtype)  # in X's dtype: 1e39 is named
        n_outputs = Y.shape[1]
        stochastic = self.solver != "lbfgs"

        if first_pass:
            if labels is not None:  # set only now that y has passed every check
                self.classes_, self._label_type = labels
            cost, output = self._cost_and_output()
            net = Network.from_sizes(
                [X.shape[1], *resolved["sizes"], n_outputs], activation=_ACTIVATIONS[self.activation],
                output=output, cost=cost, seed=self._seed(), dtype=dtype, init="sklearn",
            )
            self.network_ = net
            self.n_outputs_ = n_outputs
            self.out_activation_ = _OUT_ACTIVATION[net.layers[-1].activation.name]
            self.n_iter_ = 0
            self.t_ = 0
            self.loss_ = None
            self._no_improvement_count = 0
            self._optimizer = None
            self._lr = float(self.learning_rate_init)
            if stochastic:
                self._reset_stochastic_attributes()
        else:
            net = self.network_
            if net.n_outputs != n_outputs:
                raise InputError(
                    f"y has {n_outputs} output column(s) but this {type(self).__name__} was fitted with "
                    f"{net.n_outputs}; fit it afresh (warm_start=False) to change the outputs"
                )
            if net.cost_function.name != self._cost_and_output()[0]:
                raise InputError(
                    f"this {type(self).__name__} was fitted with the {net.cost_function.name!r} cost; fit it "
                    "afresh (warm_start=False) to change the loss"
                )
            if stochastic and "loss_curve_" not in self.__dict__:  # last fitted by lbfgs, which keeps no curve
                self._reset_stochastic_attributes()
            elif stochastic and self.early_stopping and self.validation_scores_ is None:
                self.validation_scores_, self.validation_loss_curve_ = [], []
                self.best_validation_score_, self.best_loss_ = -np.inf, None
            elif stochastic and not self.early_stopping and self.best_loss_ is None:
                self.best_loss_ = np.inf
        check_fits_dtype("y", Y, net.dtype)  # the targets become the network's dtype: refuse what turns to inf
        if net.dtype != dtype:
            check_fits_dtype("X", X, net.dtype)
            X = X.astype(net.dtype)
            Y = Y.astype(net.dtype)
            sample_weight = None if sample_weight is None else sample_weight.astype(net.dtype)
        if not stochastic:
            return self._fit_lbfgs(net, X, Y, sample_weight)
        return self._fit_stochastic(net, X, Y, y, sample_weight, incremental, resolved)

    def _reset_stochastic_attributes(self) -> None:
        """The stochastic solvers' fitted attributes, as a first fit starts them (scikit-learn's _initialize)."""
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_, self.validation_loss_curve_ = [], []
            self.best_validation_score_, self.best_loss_ = -np.inf, None
        else:
            self.validation_scores_ = self.validation_loss_curve_ = None
            self.best_validation_score_, self.best_loss_ = None, np.inf

    def _fit_lbfgs(self, net: Network, X: np.ndarray, Y: np.ndarray, sample_weight: np.ndarray | None):
        """solver="lbfgs": scipy's L-BFGS-B on the whole training set (see :mod:`glassnet.estimators.lbfgs`).

        As scikit-learn: no mini-batches, no early stopping, ``n_iter_`` the iterations L-BFGS-B ran (at most
        ``max_iter``), ``loss_`` scikit-learn's loss plus its L2 term at the final weights (as the stochastic
        solvers' ``loss_``), and no ``loss_curve_``, ``best_loss_`` or validation scores.
        """
        self._optimizer = None  # the weights are L-BFGS-B's now: a stochastic solver's moments no longer apply
        n_iter, objective = minimize_lbfgs(
            net, X, Y, sample_weight, alpha=float(self.alpha), factor=self._lbfgs_factor, max_iter=int(self.max_iter),
            max_fun=int(self.max_fun), tol=float(self.tol), verbose=bool(self.verbose),
        )
        if n_iter == 0 and not np.isfinite(objective):  # L-BFGS-B's first evaluation, at the starting weights
            raise SolverDivergenceError(
                "the cost of the starting weights is already NaN or infinite in float64 (L-BFGS-B's arithmetic), "
                "before any iteration, so no solver setting will help: the targets or inputs are too large; "
                "scale them first (e.g. sklearn.preprocessing.StandardScaler)",
                epoch=0,
            )
        if not np.isfinite(net.params).all() or not np.isfinite(objective):
            raise SolverDivergenceError(
                "L-BFGS-B produced non-finite weights (the cost overflowed): the input data may contain large "
                "values; scale them first (e.g. sklearn.preprocessing.StandardScaler)",
                epoch=0,
            )
        self.n_iter_ = n_iter
        # objective = c J + P, with P = alpha/(2n) sum W^2; scikit-learn reports its loss (J * _cost_scale) + P
        n = X.shape[0] if sample_weight is None else float(np.sum(sample_weight))
        penalty = net.l2_penalty(float(self.alpha), n)
        self.loss_ = (objective - penalty) / self._lbfgs_factor * self._cost_scale + penalty
        for name in ("loss_curve_", "best_loss_", "validation_scores_", "validation_loss_curve_",
                     "best_validation_score_"):
            self.__dict__.pop(name, None)  # scikit-learn's lbfgs sets none of these
        return self

    def _fit_stochastic(self, net: Network, X, Y, y, sample_weight, incremental: bool, resolved: dict):
        """solver="sgd" or "adam": epochs of mini-batches on glassnet's Trainer, with scikit-learn's bookkeeping.

        ``l1`` is in ``alpha``'s units: ``l1 / m * sum |W|`` per batch of m rows, so the Trainer's L1 strength
        is mapped as its L2 is; ``dropout`` goes to the Trainer as it is (:mod:`glassnet.dropout`).
        """
        # early stopping: hold out validation rows, stratified for single-output classifiers as scikit-learn
        validation = None
        X_train, Y_train, w_train = X, Y, sample_weight
        if self.early_stopping:
            stratify = y if self._label_type in ("binary", "multiclass") and len(self.classes_) > 1 else None
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
                    stacklevel=4,
                )
            batch_size = int(np.clip(self.batch_size, 1, n_train))

        # the maps derived in glassnet.estimators' docstring
        l2 = self.alpha * n_train / batch_size * self._l2_scale
        l1 = resolved["l1"] * n_train / batch_size * self._l2_scale
        old, self._optimizer = self._optimizer, new_optimizer(self)
        if not incremental or old is None or type(old) is not type(self._optimizer):
            self._lr = float(self.learning_rate_init)  # a new fit restarts the learning rate, as scikit-learn
        else:  # partial_fit: the parameters as set now (set_params), and the memory of the steps so far
            if (old.schedule(0) != self._optimizer.schedule(0)  # learning_rate_init was changed since,
                    or getattr(self, "_lr_rule", self.learning_rate) != self.learning_rate):  # or the schedule
                self._lr = float(self.learning_rate_init)
            self._optimizer.load_state(old.state())  # SGD's velocity; Adam's m, v and step count t
        self._lr_rule = self.learning_rate  # the schedule self._lr follows
        control = SklearnControl(self, n_train, validation, restart=not incremental)
        optimizer: Optimizer = self._optimizer
        trainer = Trainer(
            net, X_train, Y_train, batch_size=batch_size, optimizer=optimizer, l2=l2, l1=l1,
            dropout=resolved["dropout"], shuffle=bool(self.shuffle), callbacks=[control], sample_weight=w_train,
        )
        if not incremental:
            self.n_iter_ = 0
        try:
            trainer.run(1 if incremental else int(self.max_iter))
        except DivergenceError as exc:
            control.diverged(exc)  # early stopping: the best epoch's weights, and a warning; else a ValueError
        else:
            if self.early_stopping and control.best_params is not None:
                net.params[...] = control.best_params  # restore the weights of the best validation score
            if not incremental and not control.converged and self.n_iter_ == self.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the optimization "
                    "hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
        return self

    def save(self, path, *, preprocessing: object = None, training: object = None):
        """Save the fitted estimator to one safe file; ``glassnet.load(path)`` gives it back."""
        from ..persistence import save

        return save(self, path, preprocessing=preprocessing, training=training)

    def _outputs(self, X) -> np.ndarray:
        """The network's output activations for X (checked as at fit), in the network's dtype.

        Predictions keep the dtype they were computed in (float32 by default): casting them to float64
        would only dress float32 rounding up as float64 precision. Use ``dtype="float64"`` for float64.
        """
        X = self._checked_X(X)
        return self.network_.predict(X)

    def _checked_X(self, X):
        """X checked as at fit (its columns and names, finite), in the fitted network's dtype."""
        check_is_fitted(self, "network_")
        return validated(self, X, reset=False, dtype=self.network_.dtype, accept_sparse=("csr", "csc"))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = False
        return tags

    def to_onnx(self, path, **options):
        """Write the fitted model as an ONNX graph (see :func:`glassnet.export.to_onnx`); returns the ModelProto."""
        from ..export import to_onnx

        return to_onnx(self, path, **options)


def _stochastic(est: _BaseMLP) -> bool:
    """partial_fit is there for the stochastic solvers only, as in scikit-learn (lbfgs has no single epoch)."""
    if est.solver == "lbfgs":
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. lbfgs is not stochastic; use "
            "solver='adam' or solver='sgd'"
        )
    return True
