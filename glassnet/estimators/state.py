"""The estimators' part of a model file: their parameters, fitted attributes and optimizer, out and in.

:func:`glassnet.persistence.save` stores an MLPClassifier or MLPRegressor as its network's part
(:meth:`glassnet.network.Network.to_file`) plus the part written here, under ``estimator``:

- ``params``: ``get_params()`` as JSON (``hidden_layer_sizes`` and a per-layer ``dropout`` lists; a file
  from before ``dropout`` and ``l1`` existed loads with their defaults, 0; a ``class_weight`` dict as
  ``{"pairs": [[label, weight], ...]}``, a RandomState ``random_state`` as None: its work is done);
- ``fitted``: the fitted attributes (loss curves, validation scores, counters, the current learning rate,
  for a classifier ``classes_`` as JSON values with their numpy dtype and the label type);
- ``optimizer``: the optimizer's :meth:`~glassnet.optimizers.Optimizer.config`, its
  :meth:`~glassnet.optimizers.Optimizer.state` stored as the arrays ``optimizer.<name>``.

Reading checks every value against the network it comes with before the estimator is returned.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ModelFileError
from ..modelfile import header_dtype, plain_json
from ..network import Network
from ..optimizers import optimizer_from_config
from .base import _ACTIVATIONS, _OUT_ACTIVATION, _BaseMLP
from .classifier import MLPClassifier
from .regressor import MLPRegressor

__all__ = ["KINDS", "from_file", "to_file"]

KINDS: dict[str, type[_BaseMLP]] = {"MLPClassifier": MLPClassifier, "MLPRegressor": MLPRegressor}
"""The file kinds the estimators write, and the class each reads back as."""
_CLASS_DTYPE_KINDS = "biufUO"  # bool, ints, floats, text, Python objects (str/int/float/bool only)
_LABEL_TYPES = ("binary", "multiclass", "multilabel-indicator")


# -- writing ---------------------------------------------------------------------------------------------
def to_file(est: _BaseMLP) -> tuple[dict, dict[str, np.ndarray]]:
    """A fitted estimator's part of a model file: its header and its optimizer's arrays (not the network's)."""
    fitted = {
        "n_features_in_": int(est.n_features_in_),
        "n_outputs_": int(est.n_outputs_),
        "out_activation_": est.out_activation_,
        "n_iter_": int(est.n_iter_),
        "t_": int(est.t_),
        "loss_": _float_out(est.loss_),
        # absent after a fit by lbfgs, as in scikit-learn: written as None and left absent when read back
        "loss_curve_": _floats_out(getattr(est, "loss_curve_", None)),
        "best_loss_": _float_out(getattr(est, "best_loss_", None)),
        "validation_scores_": _floats_out(getattr(est, "validation_scores_", None)),
        "validation_loss_curve_": _floats_out(getattr(est, "validation_loss_curve_", None)),
        "best_validation_score_": _float_out(getattr(est, "best_validation_score_", None)),
        "no_improvement_count": int(est._no_improvement_count),
        "learning_rate": float(est._lr),
    }
    if hasattr(est, "feature_names_in_"):
        fitted["feature_names_in_"] = [str(v) for v in est.feature_names_in_]
    if isinstance(est, MLPClassifier):
        classes = est.classes_
        fitted["classes_"] = [_label_out(c) for c in classes.tolist()]
        fitted["classes_dtype"] = classes.dtype.str if classes.dtype.kind != "O" else "object"
        fitted["label_type"] = est._label_type
    header: dict[str, Any] = {"params": _params_out(est), "fitted": fitted}
    arrays: dict[str, np.ndarray] = {}
    optimizer = est._optimizer
    if optimizer is not None:
        header["optimizer"] = plain_json(optimizer.config())
        arrays.update({f"optimizer.{key}": np.asarray(value) for key, value in optimizer.state().items()})
    return header, arrays


def _float_out(value: Any) -> Any:
    """A float as JSON: finite ones as numbers, inf/-inf/nan as text."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else repr(value)


def _floats_out(values: list | None) -> list[float] | None:
    return None if values is None else [float(v) for v in values]


def _params_out(est: _BaseMLP) -> dict:
    params = {}
    for name, value in est.get_params(deep=False).items():
        if name == "hidden_layer_sizes":
            value = [int(v) for v in (np.atleast_1d(value) if np.ndim(value) == 0 else value)]
        elif name == "class_weight" and isinstance(value, dict):
            value = {"pairs": [[_label_out(k), float(v)] for k, v in value.items()]}
        elif name == "random_state" and not (value is None or isinstance(value, (int, np.integer))):
            value = None  # a RandomState object: its role (the starting weights) is over once fitted
        elif isinstance(value, np.generic):
            value = value.item()
        elif name == "dtype":
            value = value if isinstance(value, str) and value == "auto" else np.dtype(value).name
        elif name == "dropout" and isinstance(value, (list, tuple, np.ndarray)):
            value = [float(v) for v in value]  # one rate per hidden layer
        elif name == "n_iter_no_change" and value == np.inf:
            value = "inf"  # np.inf, which JSON has no number for
        params[name] = value
    return params


def _label_out(label: Any) -> Any:
    return label.item() if isinstance(label, np.generic) else label


# -- reading ---------------------------------------------------------------------------------------------
def from_file(kind: str, spec: Any, net: Network, arrays: dict[str, np.ndarray]) -> tuple[_BaseMLP, set[str]]:
    """The estimator of file kind ``kind`` whose part is ``spec``, around the loaded ``net``.

    Returns it and the names of the arrays it used. A problem raises ModelFileError (or the InputError the
    estimator's own parameter checks raise), for the caller to name the file.
    """
    cls = KINDS[kind]
    params = dict(_get(spec, "params", dict))
    known = set(cls().get_params())
    if not set(params) <= known:
        raise ModelFileError(f"unknown estimator parameters {sorted(set(params) - known)}")
    if isinstance(params.get("hidden_layer_sizes"), list):
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    weights = params.get("class_weight")
    if isinstance(weights, dict):
        pairs = weights.get("pairs")
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise ModelFileError("class_weight is not a list of [label, weight] pairs")
        params["class_weight"] = {_hashable(k): float(v) for k, v in pairs}
    if params.get("n_iter_no_change") == "inf":
        params["n_iter_no_change"] = np.inf
    est = cls(**params)
    resolved = est._check_params()  # InputError for a bad value
    if [layer.n_out for layer in net.layers[:-1]] != resolved["sizes"]:
        raise ModelFileError("the estimator's hidden_layer_sizes do not match the network's layers")
    if resolved["dtype"] is not None and net.dtype != resolved["dtype"]:  # None: dtype="auto" follows X
        raise ModelFileError("the estimator's dtype does not match the network's")

    fitted = _get(spec, "fitted", dict)
    n_features = _get(fitted, "n_features_in_", int)
    n_outputs = _get(fitted, "n_outputs_", int)
    if n_features != net.n_inputs or n_outputs != net.n_outputs:
        raise ModelFileError("n_features_in_ / n_outputs_ do not match the network's inputs and outputs")
    est.network_ = net
    est.n_features_in_ = n_features
    est.n_outputs_ = n_outputs
    hidden = _ACTIVATIONS[est.activation]
    if any(layer.activation.name != hidden for layer in net.layers[:-1]):
        found = sorted({layer.activation.name for layer in net.layers[:-1]})
        raise ModelFileError(f"the estimator's activation {est.activation!r} is not its network's hidden "
                             f"activation(s) {found}")
    out_activation = _get(fitted, "out_activation_", str)
    if _OUT_ACTIVATION.get(net.layers[-1].activation.name) != out_activation:
        raise ModelFileError(f"out_activation_ {out_activation!r} is not the network's output activation")
    est.out_activation_ = out_activation
    names = fitted.get("feature_names_in_")
    if names is not None:
        if not isinstance(names, list) or len(names) != n_features or not all(isinstance(n, str) for n in names):
            raise ModelFileError("feature_names_in_ must list one name per input")
        est.feature_names_in_ = np.array(names, dtype=object)
    est.n_iter_ = _count(fitted, "n_iter_")
    est.t_ = _count(fitted, "t_")
    est.loss_ = _float_in(fitted.get("loss_"), "loss_")
    curve = _float_list(fitted.get("loss_curve_"), "loss_curve_")
    if curve is not None or est.solver != "lbfgs":  # a fit by lbfgs keeps no curve, best loss or scores
        est.loss_curve_ = curve or []
        est.best_loss_ = _float_in(fitted.get("best_loss_"), "best_loss_")
        est.validation_scores_ = _float_list(fitted.get("validation_scores_"), "validation_scores_")
        est.validation_loss_curve_ = _float_list(fitted.get("validation_loss_curve_"), "validation_loss_curve_")
        est.best_validation_score_ = _float_in(fitted.get("best_validation_score_"), "best_validation_score_")
    est._no_improvement_count = _count(fitted, "no_improvement_count")
    est._lr = _float_in(fitted.get("learning_rate"), "learning_rate", allow_none=False)
    if isinstance(est, MLPClassifier):
        est.classes_, est._label_type = _classes_in(fitted, net)
    elif (net.cost_function.name, net.layers[-1].activation.name) != est._cost_and_output():
        cost, output = est._cost_and_output()
        raise ModelFileError(f"an MLPRegressor with loss={est.loss!r} needs {output} outputs and the {cost} cost")
    est._optimizer, used = _optimizer_in(spec.get("optimizer"), arrays, net)
    if est._optimizer is not None and est.solver == "lbfgs":
        raise ModelFileError("the estimator's solver 'lbfgs' keeps no optimizer state, but the file holds one")
    return est, used


def _get(mapping: Any, key: str, kind: type | tuple) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise ModelFileError(f"the header lacks {key!r}")
    value = mapping[key]
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ModelFileError(f"{key!r} is {value!r}, not a number")
    if not isinstance(value, kind):
        raise ModelFileError(f"{key!r} is {value!r}, not of the expected type")
    return value


def _count(mapping: Any, key: str) -> int:
    value = _get(mapping, key, int)
    if value < 0:
        raise ModelFileError(f"{key!r} is {value}; a count is never negative")
    return value


def _float_in(value: Any, name: str, allow_none: bool = True) -> Any:
    if value is None and allow_none:
        return None
    if isinstance(value, str) and value in ("inf", "-inf", "nan"):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ModelFileError(f"{name} is {value!r}, not a number")
    return float(value)


def _float_list(value: Any, name: str) -> list[float] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ModelFileError(f"{name} is not a list")
    return [_float_in(v, name, allow_none=False) for v in value]


def _hashable(label: Any) -> Any:
    if isinstance(label, (list, dict)):
        raise ModelFileError(f"class label {label!r} is not a single value")
    return label


def _classes_in(fitted: dict, net: Network) -> tuple[np.ndarray, str]:
    """A classifier's ``classes_`` and label type, checked against its network's outputs and cost."""
    classes = _get(fitted, "classes_", list)
    label_type = _get(fitted, "label_type", str)
    dtype_text = _get(fitted, "classes_dtype", str)
    if label_type not in _LABEL_TYPES:
        raise ModelFileError(f"unknown label_type {label_type!r}")
    if not all(isinstance(c, (str, int, float, bool)) for c in classes):
        raise ModelFileError("classes_ must be strings, numbers or booleans")
    dtype = header_dtype(dtype_text, len(classes), "classes_dtype", kinds=_CLASS_DTYPE_KINDS)
    array = np.empty(len(classes), dtype=dtype)
    array[:] = classes
    if array.tolist() != classes or len(set(map(repr, classes))) != len(classes):
        raise ModelFileError("classes_ do not fit their dtype, or repeat")
    expected = {"binary": 1, "multiclass": len(classes), "multilabel-indicator": len(classes)}[label_type]
    cost = {"binary": "binary_cross_entropy", "multiclass": "cross_entropy",
            "multilabel-indicator": "binary_cross_entropy"}[label_type]
    if (label_type == "binary" and len(classes) not in (1, 2)) or net.n_outputs != expected:
        raise ModelFileError(
            f"{len(classes)} classes ({label_type}) do not match the network's {net.n_outputs} outputs"
        )
    if net.cost_function.name != cost:
        raise ModelFileError(f"a {label_type} classifier trains with {cost}, not {net.cost_function.name}")
    if label_type != "multilabel-indicator" and list(np.sort(array)) != list(array):
        raise ModelFileError("classes_ are not sorted")
    return array, label_type


def _optimizer_in(spec: Any, arrays: dict[str, np.ndarray], net: Network):
    """The optimizer (or None) and the names of its arrays; its state is checked against the network."""
    if spec is None:
        return None, set()
    if not isinstance(spec, dict):
        raise ModelFileError("optimizer is not an object")
    config = dict(spec)
    names = {name for name in arrays if name.startswith("optimizer.")}
    state = {name[len("optimizer."):]: arrays[name] for name in names}
    if "iterations" in config:  # glassnet 0.1 kept the step count in the header, and the rate as a number
        if "iterations" in state:
            raise ModelFileError("the optimizer's step count is given twice")
        state["iterations"] = np.asarray(_get(config, "iterations", int))
        del config["iterations"]
    optimizer = optimizer_from_config(config)
    optimizer.check_state(state, like=net.params)
    optimizer.load_state(state)
    return optimizer, names
