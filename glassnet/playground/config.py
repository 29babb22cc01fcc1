"""The playground's settings: what the page may ask for, checked against :data:`LIMITS`.

:func:`check_config` turns the page's settings (a plain dict from JSON) into checked values with the
defaults of :data:`DEFAULT_CONFIG` filled in, or raises a :class:`ConfigError` naming the control on the
page that holds the bad value and saying what would be accepted.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np

from ..errors import InputError, InputTypeError
from ..validation import check_number

__all__ = ["LIMITS", "DEFAULT_CONFIG", "FEATURES", "ConfigError", "check_config", "short_repr", "feature_columns"]

LIMITS: dict[str, Any] = {
    "max_hidden_layers": 8,
    "max_neurons": 64,
    "max_samples": 2000,
    "min_samples": 10,
    "max_upload_bytes": 1_000_000,
    "max_upload_rows": 10_000,
    "max_upload_columns": 32,
    "max_points": 1000,
    "max_classes": 5,
    "max_batch_size": 10_000,
    "max_learning_rate": 10.0,
    "max_l2": 10.0,
    "max_l1": 10.0,
    "max_noise": 2.0,
    "max_seed": 2**31 - 1,
}

CLASSIFICATION_SETS = ("xor", "circles", "moons", "spiral", "gaussians")
REGRESSION_SETS = ("plane", "sine")
DATASETS = CLASSIFICATION_SETS + REGRESSION_SETS + ("draw", "upload")
MULTICLASS_SETS = ("spiral", "gaussians")
HIDDEN_ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid", "arctan", "softplus", "identity")
COSTS = ("cross_entropy", "binary_cross_entropy", "mse")
OPTIMIZERS = ("sgd", "adam")
# The inputs a two-input data set may feed the network, as TensorFlow Playground offers them: each a numpy
# expression of the point's coordinates x1, x2 (the snippet writes the same expressions).
FEATURES: dict[str, str] = {
    "x1": "x1", "x2": "x2", "x1^2": "x1 ** 2", "x2^2": "x2 ** 2", "x1*x2": "x1 * x2",
    "sin x1": "np.sin(x1)", "sin x2": "np.sin(x2)",
}
PLAIN_FEATURES = ["x1", "x2"]

DEFAULT_CONFIG: dict[str, Any] = {
    "dataset": "xor",
    "classes": 3,
    "samples": 200,
    "noise": 0.1,
    "test_fraction": 0.3,
    "seed": 1,
    "layers": [{"units": 4, "activation": "tanh"}, {"units": 4, "activation": "tanh"}],
    "cost": "cross_entropy",
    "optimizer": "sgd",
    "learning_rate": 0.3,
    "batch_size": 10,
    "l2": 0.0,
    "l1": 0.0,
    "points": [],
    "target": None,
    "features": ["x1", "x2"],
}

PLANE_HALF_WIDTH = 1.5  # the generated sets and drawn points live in [-1.5, 1.5]^2 (wider if noise says so)


class ConfigError(InputError):
    """A setting the playground refuses; ``field`` names the control on the page it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def short_repr(value: object) -> str:
    """``value`` as a message shows it: its repr, cut short (a 4,000-digit number is not sent back whole)."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:30]}...{text[-10:]} ({len(text):,} characters)"


def _finite(v: object) -> bool:
    """A JSON number that is finite (an int of any size is; math.isfinite would overflow on a huge one)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    return isinstance(v, int) or math.isfinite(v)


def _number(config: dict, field: str, low: float, high: float, *, integer: bool = False,
            low_open: bool = False) -> Any:
    value = config.get(field, DEFAULT_CONFIG.get(field))
    if integer and isinstance(value, float) and value.is_integer():
        value = int(value)  # the page's JSON may write a whole number as 3.0
    try:
        return check_number(field.replace("_", " "), value, integer=integer, low=low, high=high, low_open=low_open)
    except (InputError, InputTypeError) as exc:
        raise ConfigError(field, str(exc)) from None


def _choice(config: dict, field: str, choices: tuple[str, ...]) -> str:
    value = config.get(field, DEFAULT_CONFIG.get(field))
    if value not in choices:
        name, allowed = field.replace("_", " "), ", ".join(choices)
        raise ConfigError(field, f"{name} must be one of {allowed}; got {short_repr(value)}")
    return value


def check_config(config: object) -> dict[str, Any]:
    """The page's settings checked against :data:`LIMITS`, with defaults filled in; or a ConfigError."""
    if not isinstance(config, dict):
        raise ConfigError("config", "the settings must be a JSON object")
    out: dict[str, Any] = {}
    out["dataset"] = _choice(config, "dataset", DATASETS)
    out["classes"] = _number(config, "classes", 2, LIMITS["max_classes"], integer=True)
    out["samples"] = _number(config, "samples", LIMITS["min_samples"], LIMITS["max_samples"], integer=True)
    out["noise"] = _number(config, "noise", 0, LIMITS["max_noise"])
    out["test_fraction"] = _number(config, "test_fraction", 0.05, 0.9)
    out["seed"] = _number(config, "seed", 0, LIMITS["max_seed"], integer=True)
    out["layers"] = _check_layers(config.get("layers", DEFAULT_CONFIG["layers"]))
    out["cost"] = _choice(config, "cost", COSTS)
    out["optimizer"] = _choice(config, "optimizer", OPTIMIZERS)
    out["learning_rate"] = _number(config, "learning_rate", 0, LIMITS["max_learning_rate"], low_open=True)
    batch = config.get("batch_size", DEFAULT_CONFIG["batch_size"])
    out["batch_size"] = None if batch in (None, 0) else _number(
        config, "batch_size", 1, LIMITS["max_batch_size"], integer=True
    )
    out["l2"] = _number(config, "l2", 0, LIMITS["max_l2"])
    out["l1"] = _number(config, "l1", 0, LIMITS["max_l1"])
    out["points"] = _check_points(config.get("points") or [], out["classes"])
    target = config.get("target")
    if target is not None and (not isinstance(target, str) or len(target) > 200):
        raise ConfigError("target", "the target column must be a column name")
    out["target"] = target
    out["features"] = _check_features(config.get("features", DEFAULT_CONFIG["features"]))
    return out


def _check_features(features: object) -> list[str]:
    """The network's inputs for two-input data: distinct names from :data:`FEATURES`, in their order there."""
    if not isinstance(features, list) or not features or len(features) > len(FEATURES) \
            or not all(isinstance(f, str) and f in FEATURES for f in features) or len(set(features)) != len(features):
        raise ConfigError("features", f"the inputs must be one or more of {', '.join(FEATURES)}, each once; "
                          f"got {short_repr(features)}")
    return [f for f in FEATURES if f in features]


def _check_layers(layers: object) -> list[dict[str, Any]]:
    """The hidden layers, ``[{units, activation}, ...]``, within the limits and trainable."""
    if not isinstance(layers, list):
        raise ConfigError("layers", "layers must be a list of {units, activation}")
    if len(layers) > LIMITS["max_hidden_layers"]:
        raise ConfigError(
            "layers", f"at most {LIMITS['max_hidden_layers']} hidden layers; this network has {len(layers)}"
        )
    return [_check_layer(i, layer) for i, layer in enumerate(layers, start=1)]


def _check_layer(i: int, layer: object) -> dict[str, Any]:
    if not isinstance(layer, dict):
        raise ConfigError("layers", f"hidden layer {i} must be an object {{units, activation}}")
    value = layer.get("units")
    whole = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer())
    if isinstance(value, bool) or not whole or cast(float, value) < 1:
        raise ConfigError(f"layer{i}", f"hidden layer {i}: the number of neurons must be a whole number >= 1")
    units = int(cast(float, value))   # (a whole float, or an int of any size: no float overflow on the way)
    if units > LIMITS["max_neurons"]:
        raise ConfigError(
            f"layer{i}", f"hidden layer {i} has {short_repr(units)} neurons; the limit is {LIMITS['max_neurons']}"
        )
    activation = layer.get("activation", "tanh")
    if activation == "step":
        raise ConfigError(
            f"layer{i}",
            f"hidden layer {i}: the step activation cannot be trained by backpropagation (its slope is 0 "
            "everywhere, so no error flows back); pick tanh, relu or sigmoid",
        )
    if activation not in HIDDEN_ACTIVATIONS:
        raise ConfigError(
            f"layer{i}",
            f"hidden layer {i}: activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}; "
            f"got {short_repr(activation)}",
        )
    return {"units": units, "activation": activation}


def _check_points(points: object, classes: int) -> list[list[float | int]]:
    """Drawn points ``[x1, x2, class]`` inside the plane, with a class below ``classes``."""
    if not isinstance(points, list) or len(points) > LIMITS["max_points"]:
        raise ConfigError("points", f"at most {LIMITS['max_points']} drawn points, each [x1, x2, class]")
    checked: list[list[float | int]] = []
    for p in points:
        if (not isinstance(p, list) or len(p) != 3
                or not all(_finite(v) for v in p)
                or p[2] != int(p[2]) or not 0 <= p[2] < classes
                or abs(p[0]) > PLANE_HALF_WIDTH or abs(p[1]) > PLANE_HALF_WIDTH):
            raise ConfigError(
                "points", f"each drawn point must be [x1, x2, class] inside the plane with a class below "
                f"{classes}; got {short_repr(p)}"
            )
        checked.append([float(p[0]), float(p[1]), int(p[2])])
    return checked


def feature_columns(X: np.ndarray, names: list[str]) -> np.ndarray:
    """The network's inputs from the points' coordinates ``X`` (n x 2): one column per name of :data:`FEATURES`."""
    x1, x2 = X[:, 0], X[:, 1]
    columns = {"x1": lambda: x1, "x2": lambda: x2, "x1^2": lambda: x1 ** 2, "x2^2": lambda: x2 ** 2,
               "x1*x2": lambda: x1 * x2, "sin x1": lambda: np.sin(x1), "sin x2": lambda: np.sin(x2)}
    return np.column_stack([columns[name]() for name in names])
