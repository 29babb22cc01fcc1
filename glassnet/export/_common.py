"""What the ONNX and PyTorch exports share: finding the network inside a model, the extras, the refusals."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from ..activations import STEP_MESSAGE
from ..errors import InputError, InputTypeError, MissingExtraError
from ..network import Network

# the activations glassnet has and the exports can express (step is refused: see STEP_MESSAGE)
EXPORTABLE = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "arctan", "softplus", "softmax")


def require(module: str, extra: str, purpose: str) -> Any:
    """Import ``module``, or raise MissingExtraError naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"{purpose} needs {module}, which is not installed; install it with pip install \"glassnet[{extra}]\""
        ) from None


def network_of(model: object) -> tuple[Network, Any]:
    """The Network inside ``model`` (a Network, or a fitted MLPClassifier/MLPRegressor) and the estimator."""
    if isinstance(model, Network):
        return model, None
    kind = type(model).__name__
    if kind in ("MLPClassifier", "MLPRegressor") and type(model).__module__.startswith("glassnet.estimators"):
        net = model.__dict__.get("network_")
        if net is None:
            raise InputError(f"this {kind} is not fitted yet; call fit before exporting it")
        return net, model
    raise InputTypeError(
        f"glassnet exports a Network or a fitted glassnet MLPClassifier/MLPRegressor, not a {kind}"
    )


def check_exportable(net: Network, target: str) -> None:
    """Refuse a network with an activation ``target`` cannot express, naming the layer and the fix."""
    for number, layer in enumerate(net.layers, start=1):
        name = layer.activation.name
        if name == "step":
            raise InputError(
                f"layer {number} uses the step activation, which glassnet does not export to {target}: "
                f"{STEP_MESSAGE}"
            )
        if name not in EXPORTABLE or type(layer.activation).__module__ != "glassnet.activations":
            raise InputError(
                f"layer {number} uses the activation {name!r} ({type(layer.activation).__name__}), which "
                f"glassnet cannot express in {target}; use one of {', '.join(EXPORTABLE)}"
            )


def scaling(name: str, spec: object, width: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``(mean, scale)`` in float64 from a Standardizer (``mean_``/``scale_``), a dict or None."""
    if spec is None:
        return None
    if isinstance(spec, dict):
        mean, scale = spec.get("mean"), spec.get("scale")
    else:
        mean, scale = getattr(spec, "mean_", None), getattr(spec, "scale_", None)
    if mean is None or scale is None:
        raise InputTypeError(
            f"{name} must be a fitted Standardizer (mean_, scale_) or a dict with 'mean' and 'scale'; "
            f"got {type(spec).__name__}"
        )
    try:
        mean = np.asarray(mean, dtype=np.float64).reshape(-1)
        scale = np.asarray(scale, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise InputTypeError(f"{name}'s mean and scale must be numbers") from None
    if mean.shape != (width,) or scale.shape != (width,):
        raise InputError(f"{name} has {mean.size} means and {scale.size} scales; the network needs {width}")
    if not (np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
        raise InputError(f"{name} needs finite means and finite, positive scales")
    return mean, scale
