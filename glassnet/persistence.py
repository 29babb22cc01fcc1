"""Saving and loading networks and estimators: ``net.save(path)``, ``glassnet.load(path)``.

A model is stored in glassnet's safe container (:mod:`glassnet.modelfile`): one ``.npz`` file holding a
JSON header and plain numeric arrays, never a pickle. ``load`` returns what was saved: a
:class:`~glassnet.network.Network`, an ``MLPClassifier`` or an ``MLPRegressor``.

The header (kind ``"network"``, ``"MLPClassifier"`` or ``"MLPRegressor"``) carries:

- ``network``: ``sizes`` (inputs first), ``activations`` (one config per layer), ``cost``, ``dtype``,
  ``seed`` and ``rng_state`` (so training continues exactly where it stopped);
- ``preprocessing`` and ``training`` (any JSON the caller gives, e.g. a Standardizer's means and scales,
  and a training summary / History), for a Network; read them back with :func:`read_header`;
- for an estimator, ``estimator``: its parameters, ``classes`` (as JSON values, with their numpy dtype),
  and its fitted attributes (loss curves, validation scores, counters), plus the optimizer's settings.

Arrays: ``layers.<i>.weights`` (n_in, n_out) and ``layers.<i>.bias`` (n_out,) in the network's dtype, and
for an estimator the optimizer's memory (``optimizer.velocity`` or ``optimizer.m``/``optimizer.v``).

Loading checks everything before it builds anything; besides the container's own checks (format,
version, manifest, sizes, finite values), the architecture is checked for meaning: widths are whole
numbers >= 1, activations and costs are known names that fit together, every array has the shape the
architecture gives it. Every problem raises :class:`~glassnet.errors.ModelFileError` naming the file.
The round trip is exact: the loaded model's predictions equal the saved model's bit for bit.
"""

from __future__ import annotations

import math
import os
import pathlib
from typing import Any

import numpy as np

from .activations import get_activation
from .costs import get_cost
from .errors import GlassnetError, ModelFileError
from .layers import Dense
from .modelfile import read_model_file, write_model_file
from .network import Network

__all__ = ["save", "load", "read_header"]

_KINDS = ("network", "MLPClassifier", "MLPRegressor")
_CLASS_DTYPE_KINDS = "biufUO"  # bool, ints, floats, text, Python objects (str/int/float/bool only)


class _Bad(Exception):
    """A semantic problem found in a file's header; becomes a ModelFileError naming the file."""


# -- saving ---------------------------------------------------------------------------------------------------
def save(model: Any, path: str | os.PathLike[str], *, preprocessing: Any = None, training: Any = None) -> pathlib.Path:
    """Save a Network, MLPClassifier or MLPRegressor to ``path`` (atomically); returns the path.

    ``preprocessing`` and ``training`` are optional JSON values stored in the header (for example a
    Standardizer's ``{"mean": [...], "scale": [...]}`` and ``history.as_dict()``).
    """
    if isinstance(model, Network):
        header, arrays = _network_part(model)
        header = {"network": header, "preprocessing": preprocessing, "training": training}
        return write_model_file(path, header, arrays, kind="network")
    kind = type(model).__name__
    if kind in ("MLPClassifier", "MLPRegressor") and type(model).__module__ == "glassnet.estimators":
        if "network_" not in model.__dict__:
            raise ModelFileError(f"cannot write '{path}': this {kind} is not fitted yet; call fit first")
        net_header, arrays = _network_part(model.network_)
        est_header, est_arrays = _estimator_part(model)
        arrays.update(est_arrays)
        header = {"network": net_header, "estimator": est_header, "preprocessing": preprocessing,
                  "training": training}
        return write_model_file(path, header, arrays, kind=kind)
    raise ModelFileError(
        f"cannot write '{path}': glassnet saves a Network, MLPClassifier or MLPRegressor, not a "
        f"{type(model).__name__}"
    )


def _network_part(net: Network) -> tuple[dict, dict[str, np.ndarray]]:
    header = {**net.config(), "rng_state": _rng_state_out(net.rng)}
    arrays = {}
    for i, layer in enumerate(net.layers):
        arrays[f"layers.{i}.weights"] = layer.weights
        arrays[f"layers.{i}.bias"] = layer.bias
    return header, arrays


def _rng_state_out(rng: np.random.Generator) -> dict:
    state = rng.bit_generator.state
    # PCG64's 128-bit integers as text: JSON readers elsewhere may hold only 64-bit integers
    return {"bit_generator": state["bit_generator"], "state": {k: str(v) for k, v in state["state"].items()},
            "has_uint32": int(state["has_uint32"]), "uinteger": str(state["uinteger"])}


def _float_out(value: Any) -> Any:
    """A float as JSON: finite ones as numbers, inf/-inf/nan as text."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else repr(value)


def _params_out(est) -> dict:
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
            value = np.dtype(value).name
        params[name] = value
    return params


def _label_out(label: Any) -> Any:
    return label.item() if isinstance(label, np.generic) else label


def _estimator_part(est) -> tuple[dict, dict[str, np.ndarray]]:
    fitted = {
        "n_features_in_": int(est.n_features_in_),
        "n_outputs_": int(est.n_outputs_),
        "out_activation_": est.out_activation_,
        "n_iter_": int(est.n_iter_),
        "t_": int(est.t_),
        "loss_": _float_out(est.loss_),
        "loss_curve_": [float(v) for v in est.loss_curve_],
        "best_loss_": _float_out(est.best_loss_),
        "validation_scores_": None if est.validation_scores_ is None else [float(v) for v in est.validation_scores_],
        "validation_loss_curve_": (
            None if est.validation_loss_curve_ is None else [float(v) for v in est.validation_loss_curve_]
        ),
        "best_validation_score_": _float_out(est.best_validation_score_),
        "no_improvement_count": int(est._no_improvement_count),
        "learning_rate": float(est._lr),
    }
    if hasattr(est, "feature_names_in_"):
        fitted["feature_names_in_"] = [str(v) for v in est.feature_names_in_]
    if type(est).__name__ == "MLPClassifier":
        classes = est.classes_
        fitted["classes_"] = [_label_out(c) for c in classes.tolist()]
        fitted["classes_dtype"] = classes.dtype.str if classes.dtype.kind != "O" else "object"
        fitted["label_type"] = est._label_type
    header = {"params": _params_out(est), "fitted": fitted}
    arrays: dict[str, np.ndarray] = {}
    optimizer = est._optimizer
    if optimizer is not None:
        opt = {"name": optimizer.name, "learning_rate": float(optimizer.learning_rate),
               "iterations": int(optimizer.iterations)}
        if optimizer.name == "sgd":
            opt.update(momentum=optimizer.momentum, nesterov=optimizer.nesterov)
        else:
            opt.update(beta1=optimizer.beta1, beta2=optimizer.beta2, eps=optimizer.eps)
        for key, value in optimizer.state().items():
            if key != "iterations":
                arrays[f"optimizer.{key}"] = value
        header["optimizer"] = opt
    return header, arrays


# -- loading --------------------------------------------------------------------------------------------------
def read_header(path: str | os.PathLike[str]) -> dict:
    """The fully checked header of a model file (including ``preprocessing`` and ``training``)."""
    return read_model_file(path)[0]


def load(path: str | os.PathLike[str]) -> Any:
    """Load what :func:`save` wrote: a Network, MLPClassifier or MLPRegressor (checked before it is built)."""
    header, arrays = read_model_file(path)
    try:
        kind = header["kind"]
        if kind not in _KINDS:
            raise _Bad(f"it holds a {kind!r}; glassnet.load reads {', '.join(_KINDS)}")
        net = _build_network(_get(header, "network", dict), arrays)
        if kind == "network":
            _expect_arrays(arrays, net, set())
            return net
        return _build_estimator(kind, _get(header, "estimator", dict), net, arrays)
    except _Bad as exc:
        raise ModelFileError(f"cannot load '{path}': {exc}") from None
    except (GlassnetError, ValueError, TypeError, KeyError, OverflowError) as exc:
        raise ModelFileError(f"cannot load '{path}': its header does not describe a valid model ({exc})") from None


def _get(mapping: Any, key: str, kind: type | tuple, allow_none: bool = False) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise _Bad(f"the header lacks {key!r}")
    value = mapping[key]
    if value is None and allow_none:
        return None
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise _Bad(f"{key!r} is {value!r}, not a number")
    if not isinstance(value, kind):
        raise _Bad(f"{key!r} is {value!r}, not of the expected type")
    return value


def _build_network(spec: dict, arrays: dict[str, np.ndarray]) -> Network:
    sizes = _get(spec, "sizes", list)
    if len(sizes) < 2 or not all(type(n) is int and n >= 1 for n in sizes):
        raise _Bad(f"the architecture's sizes {sizes!r} must be at least two whole numbers >= 1")
    activations = _get(spec, "activations", list)
    if len(activations) != len(sizes) - 1:
        raise _Bad(f"the architecture lists {len(activations)} activations for {len(sizes) - 1} layers")
    for act in activations:
        if not isinstance(act, dict) or not isinstance(act.get("name"), str):
            raise _Bad(f"activation {act!r} is not a config like {{'name': 'tanh'}}")
        try:
            get_activation(act)
        except GlassnetError as exc:
            raise _Bad(f"unknown activation {act!r}: {exc}") from None
    cost = _get(spec, "cost", str)
    try:
        get_cost(cost)
    except GlassnetError:
        raise _Bad(f"unknown cost {cost!r}") from None
    dtype = _get(spec, "dtype", str)
    if dtype not in ("float32", "float64"):
        raise _Bad(f"dtype {dtype!r} is not float32 or float64")
    seed = _get(spec, "seed", int, allow_none=True)
    layers = []
    for i, act in enumerate(activations):
        weights, bias = arrays.get(f"layers.{i}.weights"), arrays.get(f"layers.{i}.bias")
        if weights is None or bias is None:
            raise _Bad(f"the arrays of layer {i} are missing")
        if weights.shape != (sizes[i], sizes[i + 1]) or bias.shape != (sizes[i + 1],):
            raise _Bad(
                f"layer {i} has weights {weights.shape} and bias {bias.shape}; the architecture gives "
                f"{(sizes[i], sizes[i + 1])} and {(sizes[i + 1],)}"
            )
        if weights.dtype != np.dtype(dtype) or bias.dtype != np.dtype(dtype):
            raise _Bad(f"layer {i}'s arrays are {weights.dtype}/{bias.dtype}, not the header's {dtype}")
        layers.append(Dense(sizes[i], sizes[i + 1], get_activation(act)))
    net = Network(layers, cost=cost, seed=seed, dtype=dtype)  # checks the activations fit the cost
    for i, layer in enumerate(net.layers):
        layer.weights[...] = arrays[f"layers.{i}.weights"]  # same dtype: copied bit for bit
        layer.bias[...] = arrays[f"layers.{i}.bias"]
    rng_state = spec.get("rng_state")
    if rng_state is not None:
        _restore_rng(net, rng_state)
    return net


def _restore_rng(net: Network, spec: Any) -> None:
    if not isinstance(spec, dict) or spec.get("bit_generator") != net.rng.bit_generator.state["bit_generator"]:
        raise _Bad("rng_state does not describe this network's random generator")
    inner = spec.get("state")
    if not isinstance(inner, dict) or set(inner) != {"state", "inc"}:
        raise _Bad("rng_state lacks the generator's state")
    try:
        state = {"bit_generator": spec["bit_generator"],
                 "state": {k: int(v) for k, v in inner.items()},
                 "has_uint32": int(spec["has_uint32"]), "uinteger": int(spec["uinteger"])}
        if not all(0 <= v < 2**128 for v in state["state"].values()) or not 0 <= state["uinteger"] < 2**32:
            raise ValueError("out of range")
        net.rng.bit_generator.state = state
    except (KeyError, TypeError, ValueError) as exc:
        raise _Bad(f"rng_state is not valid ({exc})") from None


def _expect_arrays(arrays: dict[str, np.ndarray], net: Network, extra: set[str]) -> None:
    expected = {f"layers.{i}.{part}" for i in range(len(net.layers)) for part in ("weights", "bias")} | extra
    unknown = sorted(set(arrays) - expected)
    if unknown:
        raise _Bad(f"it holds arrays this model does not use: {unknown}")


def _float_in(value: Any, name: str, allow_none: bool = True) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, str) and value in ("inf", "-inf", "nan"):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(f"{name} is {value!r}, not a number")
    return float(value)


def _float_list(value: Any, name: str) -> list[float] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise _Bad(f"{name} is not a list")
    return [_float_in(v, name, allow_none=False) for v in value]


def _build_estimator(kind: str, spec: dict, net: Network, arrays: dict[str, np.ndarray]):
    from . import estimators  # needs scikit-learn; imported only when an estimator file is loaded

    cls = estimators.MLPClassifier if kind == "MLPClassifier" else estimators.MLPRegressor
    params = dict(_get(spec, "params", dict))
    if not set(params) <= set(cls().get_params()):
        raise _Bad(f"unknown estimator parameters {sorted(set(params) - set(cls().get_params()))}")
    if isinstance(params.get("hidden_layer_sizes"), list):
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    weights = params.get("class_weight")
    if isinstance(weights, dict):
        pairs = weights.get("pairs")
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise _Bad("class_weight is not a list of [label, weight] pairs")
        params["class_weight"] = {_hashable(k): float(v) for k, v in pairs}
    est = cls(**params)
    resolved = est._check_params()  # InputError for a bad value -> ModelFileError
    if [layer.n_out for layer in net.layers[:-1]] != resolved["sizes"]:
        raise _Bad("the estimator's hidden_layer_sizes do not match the network's layers")
    if net.dtype != resolved["dtype"]:
        raise _Bad("the estimator's dtype does not match the network's")

    fitted = _get(spec, "fitted", dict)
    n_features = _get(fitted, "n_features_in_", int)
    n_outputs = _get(fitted, "n_outputs_", int)
    if n_features != net.n_inputs or n_outputs != net.n_outputs:
        raise _Bad("n_features_in_ / n_outputs_ do not match the network's inputs and outputs")
    est.network_ = net
    est.n_features_in_ = n_features
    est.n_outputs_ = n_outputs
    out_activation = _get(fitted, "out_activation_", str)
    if estimators._OUT_ACTIVATION.get(net.layers[-1].activation.name) != out_activation:
        raise _Bad(f"out_activation_ {out_activation!r} is not the network's output activation")
    est.out_activation_ = out_activation
    names = fitted.get("feature_names_in_")
    if names is not None:
        if not isinstance(names, list) or len(names) != n_features or not all(isinstance(n, str) for n in names):
            raise _Bad("feature_names_in_ must list one name per input")
        est.feature_names_in_ = np.array(names, dtype=object)
    est.n_iter_ = _get(fitted, "n_iter_", int)
    est.t_ = _get(fitted, "t_", int)
    est.loss_ = _float_in(fitted.get("loss_"), "loss_")
    est.loss_curve_ = _float_list(fitted.get("loss_curve_"), "loss_curve_") or []
    est.best_loss_ = _float_in(fitted.get("best_loss_"), "best_loss_")
    est.validation_scores_ = _float_list(fitted.get("validation_scores_"), "validation_scores_")
    est.validation_loss_curve_ = _float_list(fitted.get("validation_loss_curve_"), "validation_loss_curve_")
    est.best_validation_score_ = _float_in(fitted.get("best_validation_score_"), "best_validation_score_")
    est._no_improvement_count = _get(fitted, "no_improvement_count", int)
    est._lr = _float_in(fitted.get("learning_rate"), "learning_rate", allow_none=False)
    est._lr_scale = 1.0 if kind == "MLPClassifier" else n_outputs / 2
    est._loss_factor = 1.0 if kind == "MLPClassifier" else 2.0
    if kind == "MLPClassifier":
        _restore_classes(est, fitted, net)
    elif net.cost_function.name != "mse" or net.layers[-1].activation.name != "identity":
        raise _Bad("an MLPRegressor needs identity outputs and the mse cost")
    extra = _restore_optimizer(est, spec.get("optimizer"), arrays, net)
    _expect_arrays(arrays, net, extra)
    return est


def _hashable(label: Any) -> Any:
    if isinstance(label, (list, dict)):
        raise _Bad(f"class label {label!r} is not a single value")
    return label


def _restore_classes(est, fitted: dict, net: Network) -> None:
    classes = _get(fitted, "classes_", list)
    label_type = _get(fitted, "label_type", str)
    dtype_text = _get(fitted, "classes_dtype", str)
    if label_type not in ("binary", "multiclass", "multilabel-indicator"):
        raise _Bad(f"unknown label_type {label_type!r}")
    if not all(isinstance(c, (str, int, float, bool)) for c in classes):
        raise _Bad("classes_ must be strings, numbers or booleans")
    try:
        dtype = np.dtype(object) if dtype_text == "object" else np.dtype(dtype_text)
    except TypeError:
        raise _Bad(f"classes_dtype {dtype_text!r} is not a dtype") from None
    if dtype.kind not in _CLASS_DTYPE_KINDS:
        raise _Bad(f"classes_dtype {dtype_text!r} is not a label dtype")
    array = np.empty(len(classes), dtype=dtype)
    array[:] = classes
    if array.tolist() != classes or len(set(map(repr, classes))) != len(classes):
        raise _Bad("classes_ do not fit their dtype, or repeat")
    expected = {"binary": 1, "multiclass": len(classes), "multilabel-indicator": len(classes)}[label_type]
    cost = {"binary": "binary_cross_entropy", "multiclass": "cross_entropy",
            "multilabel-indicator": "binary_cross_entropy"}[label_type]
    if (label_type == "binary" and len(classes) != 2) or net.n_outputs != expected:
        raise _Bad(f"{len(classes)} classes ({label_type}) do not match the network's {net.n_outputs} outputs")
    if net.cost_function.name != cost:
        raise _Bad(f"a {label_type} classifier trains with {cost}, not {net.cost_function.name}")
    if label_type != "multilabel-indicator" and list(np.sort(array)) != list(array):
        raise _Bad("classes_ are not sorted")
    est.classes_ = array
    est._label_type = label_type


def _restore_optimizer(est, spec: Any, arrays: dict[str, np.ndarray], net: Network) -> set[str]:
    from .optimizers import SGD, Adam, Constant

    if spec is None:
        est._optimizer = None
        return set()
    if not isinstance(spec, dict):
        raise _Bad("optimizer is not an object")
    name = spec.get("name")
    rate = _float_in(spec.get("learning_rate"), "optimizer learning_rate", allow_none=False)
    if name == "sgd":
        optimizer = SGD(Constant(rate), momentum=spec.get("momentum"), nesterov=spec.get("nesterov") is True)
        keys = {"velocity"}
    elif name == "adam":
        optimizer = Adam(Constant(rate), beta1=spec.get("beta1"), beta2=spec.get("beta2"), eps=spec.get("eps"))
        keys = {"m", "v"}
    else:
        raise _Bad(f"unknown optimizer {name!r}")
    state = {"iterations": np.asarray(_get(spec, "iterations", int))}
    present = {k for k in keys if f"optimizer.{k}" in arrays}
    if present and present != keys:
        raise _Bad(f"the optimizer's state is incomplete: it needs {sorted(keys)}")
    for key in present:
        value = arrays[f"optimizer.{key}"]
        if value.shape != net.params.shape or value.dtype != net.dtype:
            raise _Bad(f"optimizer.{key} has shape {value.shape} and dtype {value.dtype}, not the network's")
        state[key] = value
    optimizer.load_state(state)
    est._optimizer = optimizer
    return {f"optimizer.{k}" for k in present}
