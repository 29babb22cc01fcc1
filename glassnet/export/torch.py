"""A glassnet network as a PyTorch ``nn.Sequential``, and a Sequential read back as a glassnet Network.

``to_torch(net)`` gives ``Sequential(Linear, f_1, Linear, f_2, ...)``: each Dense layer becomes an
``nn.Linear`` whose ``weight`` is our ``weights.T`` (PyTorch stores (n_out, n_in) and computes
``s = a_prev @ weight.T + bias``, the same ``s = a_prev @ W + b``) followed by its activation's module:

=============  =====================================================================
glassnet       PyTorch
=============  =====================================================================
identity       ``nn.Identity``
sigmoid        ``nn.Sigmoid``
tanh           ``nn.Tanh``
relu           ``nn.ReLU``
leaky_relu     ``nn.LeakyReLU(negative_slope=alpha)``
softplus       ``nn.Softplus(beta=1)`` (``threshold=40``: linear only where ``e^-s`` < 5e-18)
softmax        ``nn.Softmax(dim=1)``
arctan         ``glassnet.export.torch_layers.Arctan`` (PyTorch has no arctan module)
=============  =====================================================================

``from_torch(module)`` reads such a Sequential back (a lone ``nn.Linear`` too; nested Sequentials are
flattened): each Linear, then at most one of those activations (none means identity). Anything else
(Dropout, BatchNorm, Conv, a second activation in a row, softmax below the top) is refused, naming it.
The network's cost defaults to ``cross_entropy`` under a softmax output and ``mse`` otherwise; its dtype to
the Linear layers' (float32 or float64). So a model trained in PyTorch opens in glassnet's trace and blame.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..activations import get_activation
from ..errors import InputError, InputTypeError
from ..layers import Dense
from ..network import Network
from ._common import check_exportable, network_of, require, scaling

__all__ = ["to_torch", "from_torch"]

_SOFTPLUS_THRESHOLD = 40.0


def _torch() -> Any:
    return require("torch", "torch", "PyTorch export and import")


def _torch_dtype(torch: Any, dtype: Any) -> Any:
    name = np.dtype(dtype).name
    if name not in ("float32", "float64"):
        raise InputError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return torch.float32 if name == "float32" else torch.float64


def _activation_module(torch: Any, activation: Any) -> Any:
    nn = torch.nn
    name = activation.name
    if name == "arctan":
        from .torch_layers import Arctan

        return Arctan()
    if name == "leaky_relu":
        return nn.LeakyReLU(negative_slope=activation.alpha)
    if name == "softplus":
        return nn.Softplus(beta=1.0, threshold=_SOFTPLUS_THRESHOLD)
    if name == "softmax":
        return nn.Softmax(dim=1)
    return {"identity": nn.Identity, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}[name]()


def to_torch(model: Any, *, dtype: Any = None, inputs: Any = None, target: Any = None) -> Any:
    """``nn.Sequential`` with the same predictions as ``model`` (a Network or a fitted estimator's network).

    ``dtype`` defaults to the network's. ``inputs`` (a Standardizer or ``{"mean", "scale"}``) is folded into
    the first Linear layer, ``W' = W / scale[:, None]`` and ``b' = b - (mean / scale) @ W``, so the module
    takes raw inputs; ``target`` (a regression target's standardization) into the last one,
    ``W' = W * scale`` and ``b' = b * scale + mean`` (identity output only). Folding is done in float64.
    """
    torch = _torch()
    net, _ = network_of(model)
    check_exportable(net, "PyTorch")
    torch_dtype = _torch_dtype(torch, net.dtype if dtype is None else dtype)
    standardize = scaling("inputs", inputs, net.n_inputs)
    unscale = scaling("target", target, net.n_outputs)
    if unscale is not None and net.layers[-1].activation.name != "identity":
        raise InputError("a target standardization folds only into an identity output layer")
    params = [(np.asarray(layer.weights, np.float64), np.asarray(layer.bias, np.float64)) for layer in net.layers]
    folded = standardize is not None or unscale is not None
    if standardize is not None:
        mean, scale = standardize
        weights, bias = params[0]
        params[0] = (weights / scale[:, None], bias - (mean / scale) @ weights)
    if unscale is not None:
        mean, scale = unscale
        weights, bias = params[-1]
        params[-1] = (weights * scale, bias * scale + mean)
    modules = []
    for layer, (weights, bias) in zip(net.layers, params, strict=True):
        linear = torch.nn.Linear(layer.n_in, layer.n_out, dtype=torch_dtype)
        # unfolded: the network's own numbers, bit for bit
        source_w = np.asarray(weights if folded else layer.weights)
        source_b = np.asarray(bias if folded else layer.bias)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(source_w.T)))
            linear.bias.copy_(torch.from_numpy(np.ascontiguousarray(source_b)))
        modules += [linear, _activation_module(torch, layer.activation)]
    return torch.nn.Sequential(*modules)


def _flatten(torch: Any, module: Any) -> list[Any]:
    if isinstance(module, torch.nn.Sequential):
        return [leaf for child in module for leaf in _flatten(torch, child)]
    return [module]


def _read_activation(torch: Any, module: Any, position: int) -> str | dict | None:
    """The glassnet activation of a PyTorch module, or None when it is no activation glassnet has."""
    nn = torch.nn
    from .torch_layers import Arctan

    simple = {nn.Identity: "identity", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu", Arctan: "arctan"}
    if type(module) in simple:
        return simple[type(module)]
    if type(module) is nn.LeakyReLU:
        alpha = float(module.negative_slope)
        if not 0 <= alpha < 1:
            raise InputError(f"module {position} is LeakyReLU(negative_slope={alpha}); glassnet's leaky_relu "
                             "needs 0 <= negative_slope < 1")
        return {"name": "leaky_relu", "alpha": alpha}
    if type(module) is nn.Softplus:
        if float(module.beta) != 1.0:
            raise InputError(f"module {position} is Softplus(beta={module.beta}); glassnet's softplus is "
                             "ln(1 + e^s), beta=1: fold beta into the Linear layers around it or retrain with beta=1")
        return "softplus"
    if type(module) is nn.Softmax:
        if module.dim not in (1, -1):
            raise InputError(f"module {position} is Softmax(dim={module.dim}); glassnet's softmax is over each "
                             "row of a (n_samples, n_outputs) batch: dim=1")
        return "softmax"
    return None


def from_torch(module: Any, *, cost: str | None = None, dtype: Any = None, seed: int | None = None) -> Network:
    """A glassnet Network with the layers, weights and activations of a PyTorch Sequential (see the module).

    ``cost`` defaults to ``"cross_entropy"`` under a softmax output and ``"mse"`` otherwise (say
    ``"binary_cross_entropy"`` for a sigmoid classifier); ``dtype`` to the Linear layers' dtype.
    """
    torch = _torch()
    nn = torch.nn
    if not isinstance(module, nn.Module):
        raise InputTypeError(f"from_torch reads a torch.nn.Sequential, not a {type(module).__name__}")
    modules = _flatten(torch, module)
    known = ("Linear, then one of Identity, Sigmoid, Tanh, ReLU, LeakyReLU, Softplus, Softmax(dim=1) or "
             "glassnet.export.torch_layers.Arctan")
    specs: list[tuple[Any, str | dict]] = []  # (Linear, activation)
    for position, child in enumerate(modules):
        if type(child) is nn.Linear:
            specs.append((child, "identity"))
            continue
        activation = _read_activation(torch, child, position)
        if activation is None:
            raise InputError(
                f"module {position} is a {type(child).__name__}, which glassnet's networks do not have; "
                f"glassnet reads a Sequential of {known}. Remove it or rebuild the model without it"
            )
        if not specs or type(modules[position - 1]) is not nn.Linear:
            raise InputError(
                f"module {position} ({type(child).__name__}) does not follow a Linear layer; each glassnet layer "
                "is one Linear and at most one activation"
            )
        specs[-1] = (specs[-1][0], activation)
    if not specs:
        raise InputError(f"the module holds no Linear layer; glassnet reads a Sequential of {known}")
    first = specs[0][0].weight
    if dtype is None:
        if first.dtype not in (torch.float32, torch.float64):
            raise InputError(f"the Linear layers are {first.dtype}; pass dtype='float32' or 'float64' to convert")
        dtype = "float32" if first.dtype == torch.float32 else "float64"
    layers = []
    for number, (linear, activation) in enumerate(specs, start=1):
        weights = linear.weight.detach().cpu().double().numpy().T
        bias = np.zeros(linear.out_features) if linear.bias is None else linear.bias.detach().cpu().double().numpy()
        if number > 1 and linear.in_features != specs[number - 2][0].out_features:
            raise InputError(f"Linear layer {number} takes {linear.in_features} inputs but the one below gives "
                             f"{specs[number - 2][0].out_features}")
        layers.append(Dense(linear.in_features, linear.out_features, get_activation(activation), weights, bias))
    if cost is None:
        cost = "cross_entropy" if layers[-1].activation.name == "softmax" else "mse"
    return Network(layers, cost=cost, seed=seed, dtype=dtype)
