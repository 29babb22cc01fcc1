"""A network described as data: its architecture as a config, and its part of a model file.

:meth:`Network.config` gives ``{"sizes", "activations", "cost", "dtype", "seed"}``; the functions here
check such a description before anything is built and rebuild the network from it. Every loader
(model files, checkpoints, the estimators) goes through :func:`network_from_file`, so there is one way
from a file to a network. ``Network.from_config`` and ``Network.from_file`` are these functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import numpy as np

from .activations import get_activation
from .costs import get_cost
from .errors import GlassnetError, InputError, InputTypeError, ModelFileError
from .layers import Dense
from .randomness import rng_state_from_json
from .validation import as_numeric, check_finite, check_float_dtype

if TYPE_CHECKING:
    from .network import Network

N = TypeVar("N", bound="Network")

__all__ = ["network_from_config", "network_from_file"]


def network_from_config(cls: type[N], config: dict, params: np.ndarray | None = None) -> N:
    """Rebuild a network from :meth:`Network.config`, with the flat ``params`` when given.

    The config is checked before anything is built: ``sizes`` at least two whole numbers >= 1, one
    known activation per layer, a known cost that fits the output, float32 or float64; every problem
    is an InputError (InputTypeError) naming it.
    """
    if not isinstance(config, dict):
        raise InputTypeError(f"a network config is a dict like Network.config() gives, got {config!r}")
    sizes, activations, cost = (config.get(key) for key in ("sizes", "activations", "cost"))
    if not isinstance(sizes, list) or len(sizes) < 2 or not all(type(n) is int and n >= 1 for n in sizes):
        raise InputError(f"the architecture's sizes {sizes!r} must be at least two whole numbers >= 1")
    if not isinstance(activations, list) or len(activations) != len(sizes) - 1:
        count = len(activations) if isinstance(activations, list) else activations
        raise InputError(f"the architecture lists {count} activations for {len(sizes) - 1} layers")
    functions = []
    for act in activations:
        try:
            functions.append(get_activation(act))
        except GlassnetError as exc:
            raise InputError(f"unknown activation {act!r}: {exc}") from None
    if not isinstance(cost, str):
        raise InputTypeError(f"the network config's cost {cost!r} is not a name")
    try:
        get_cost(cost)
    except GlassnetError:
        raise InputError(f"unknown cost {cost!r}") from None
    dtype = config.get("dtype", "float32")
    check_float_dtype(dtype if isinstance(dtype, str) else repr(dtype))  # a config names its dtype
    layers = [Dense(sizes[i], sizes[i + 1], functions[i]) for i in range(len(sizes) - 1)]
    net = cls(layers, cost=cost, seed=config.get("seed"), dtype=dtype)  # checks the activations fit the cost
    if params is not None:
        params = as_numeric("params", params)
        if params.shape != net.params.shape:
            raise InputError(f"params have shape {params.shape}; this architecture needs {net.params.shape}")
        check_finite("params", params)  # as Dense checks given weights
        net.params[...] = params
    return net


def network_from_file(cls: type[N], header: dict, arrays: dict[str, np.ndarray]) -> N:
    """The network :meth:`Network.to_file` described, checked before it is built; arrays copied bit for bit.

    Every problem (an architecture :func:`network_from_config` refuses, an array missing or of another shape
    or dtype than the architecture gives, a bad ``rng_state``) raises ModelFileError naming it.
    Arrays besides the layers' are left for the caller to judge.
    """
    def need(key: str, kind: type | tuple[type, ...]) -> None:
        if key not in header:
            raise InputError(f"the header lacks {key!r}")
        if isinstance(header[key], bool) or not isinstance(header[key], kind):
            raise InputError(f"{key!r} is {header[key]!r}, not of the expected type")

    try:
        if not isinstance(header, dict):
            raise InputError(f"the network's part of the header is {header!r}, not an object")
        for key, kind in (("sizes", list), ("activations", list), ("cost", str), ("dtype", str)):
            need(key, kind)
        need("seed", (int, type(None)))
        for act in header["activations"]:
            if not isinstance(act, dict) or not isinstance(act.get("name"), str):
                raise InputError(f"activation {act!r} is not a config like {{'name': 'tanh'}}")
        net = network_from_config(cls, header)
        for name, target in net.file_arrays().items():
            given, (_, i, part) = arrays.get(name), name.split(".")
            if given is None:
                raise InputError(f"the arrays of layer {i} are missing ({part})")
            if given.shape != target.shape or given.dtype != target.dtype:
                raise InputError(f"layer {i}'s {part} are {given.dtype} {given.shape}; the architecture "
                                 f"gives {target.dtype} {target.shape}")
        rng_state = header.get("rng_state")
        state = None if rng_state is None else rng_state_from_json(rng_state)
    except (GlassnetError, ValueError, TypeError) as exc:
        raise ModelFileError(str(exc)) from None
    for name, target in net.file_arrays().items():
        target[...] = arrays[name]  # same dtype: copied bit for bit
    if state is not None:
        net.rng.bit_generator.state = state
    return net
