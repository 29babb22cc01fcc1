"""What a traced step adds to a plain gradient-descent step: the optimizer's own update, dropout's masks,
a fitted estimator's optimizer and class names; and the checks of a trace's example and names.

:func:`optimizer_step` is the step an optimizer (with its memory: momentum's velocity, Adam's moments)
would take on the traced gradients, taken on copies so that neither the network nor the optimizer
changes; :func:`passes` runs the engine's forward and backward passes, with dropout's masks when asked
(:mod:`glassnet.dropout`, the training step's own code). The trace record (:mod:`.trace`) stores what
they return; the renderers print it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from ..dropout import Dropout
from ..errors import InputError, InputTypeError
from ..network import Network
from ..optimizers import SGD, Adam, Optimizer
from ..sparse import is_sparse

__all__ = ["describe_optimizer", "optimizer_step", "passes", "optimizer_of", "classes_of", "as_batch",
           "names_of_inputs", "names_of_classes", "kept", "network_of"]


def describe_optimizer(optimizer: Optimizer) -> str:
    """The optimizer in words: its name, settings and the steps its memory holds, e.g.
    ``adam (beta1 0.9, beta2 0.999, eps 1e-08; its moments after 1200 steps)``."""
    steps = f"after {optimizer.iterations} step{'s' if optimizer.iterations != 1 else ''}"
    if isinstance(optimizer, Adam):
        memory = "its moments m and v " + (steps if optimizer.m is not None else "empty (no step taken yet)")
        return f"adam (beta1 {optimizer.beta1:g}, beta2 {optimizer.beta2:g}, eps {optimizer.eps:g}; {memory})"
    if isinstance(optimizer, SGD) and optimizer.momentum:
        kind = "Nesterov momentum" if optimizer.nesterov else "momentum"
        memory = "its velocity " + (steps if optimizer.velocity is not None else "empty (no step taken yet)")
        return f"sgd with {kind} {optimizer.momentum:g} ({memory})"
    return f"{optimizer.name} (plain gradient descent)" if isinstance(optimizer, SGD) else optimizer.name


def optimizer_step(
    optimizer: Optimizer, net: Network, grads: np.ndarray, learning_rate: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer's ``(weights, bias)`` after ``optimizer``'s next step on the flat ``grads``, taken on copies
    (the optimizer's memory too): neither the network nor the optimizer changes."""
    twin = copy.deepcopy(optimizer)  # its memory arrays copied: the real optimizer keeps its state
    twin.learning_rate = learning_rate
    params = net.params.copy()
    twin.step(params, grads.copy())
    out, start = [], 0
    for layer in net.layers:  # each layer's windows onto the flat parameters, in the order params holds them
        end = start + layer.n_in * layer.n_out
        out.append((params[start:end].reshape(layer.n_in, layer.n_out), params[end : end + layer.n_out]))
        start = end + layer.n_out
    return out


def passes(net: Network, X: np.ndarray, Y: np.ndarray, rates: Sequence[float], seed: int) -> list[np.ndarray | None]:
    """Forward propagation and BP1-BP4 on the checked batch (X, Y); returns each layer's dropout mask (or None).

    With any rate above 0 the masks are drawn from ``numpy.random.default_rng(seed)`` and the passes are
    the training step's (:meth:`Dropout.propagate <glassnet.dropout.Dropout.propagate>`, then
    backpropagation multiplying each hidden delta by its mask); the masks are taken off the layers after.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a whole number >= 0, got {seed!r}")
    if not any(rates):
        net.gradients(X, Y)
        return [None] * len(net.layers)
    net.check_trainable()
    drop = Dropout(rates)
    try:
        drop.propagate(net, X, np.random.default_rng(seed))
        masks = [None if layer.dropout_mask is None else layer.dropout_mask.copy() for layer in net.layers]
        net.backpropagate(Y)
    finally:
        drop.clear(net)
    return masks


def optimizer_of(model: object) -> Optimizer | None:
    """The optimizer a fitted estimator trained with (its memory included), or None."""
    for attribute in ("optimizer_", "_optimizer"):  # read only, to show its step; never changed here
        found = getattr(model, attribute, None)
        if isinstance(found, Optimizer):
            return found
    return None


def classes_of(model: object, net: Network) -> list[str] | None:
    """A fitted classifier's class names, when there is one per output neuron."""
    classes = getattr(model, "classes_", None)
    if classes is None or model is net or len(classes) != net.n_outputs or net.n_outputs < 2:
        return None
    return [str(name) for name in classes]


def as_batch(net: Network, x: object, y: object) -> tuple[object, object]:
    """Turn one example (1-D x; a label, number or 1-D target row y) into a batch of one row."""
    if is_sparse(x):  # a row of a sparse X (shape (1, n)) is one example; its worked numbers are shown dense
        rows = cast(Any, x).toarray()
        x = rows[0] if rows.shape[0] == 1 else rows
    x_array = np.asarray(x) if not isinstance(x, np.ndarray) else x
    if x_array.ndim != 1:
        return x, y
    x_batch = x_array.reshape(1, -1)
    y_array = np.asarray(y)
    if y_array.ndim == 0:
        return x_batch, y_array.reshape(1)
    if y_array.ndim == 1 and len(y_array) == net.n_outputs and net.n_outputs > 1:
        return x_batch, y_array.reshape(1, -1)
    return x_batch, y


def names_of_inputs(net: Network, input_names: list[str] | None) -> list[str] | None:
    """``input_names`` as strings, one per input of ``net`` (or None when there are none)."""
    if input_names is None:
        return None
    if len(input_names) != net.n_inputs:
        raise InputError(f"input_names has {len(input_names)} names; the network has {net.n_inputs} inputs")
    return [str(name) for name in input_names]


def names_of_classes(net: Network, class_names: list[str] | None) -> list[str] | None:
    """``class_names`` as strings, one per output neuron of ``net`` (or None when there are none)."""
    if class_names is None:
        return None
    if isinstance(class_names, (str, bytes)) or len(class_names) != net.n_outputs:
        count = "a string" if isinstance(class_names, (str, bytes)) else f"{len(class_names)} names"
        raise InputError(
            f"class_names has {count}; the network has {net.n_outputs} output neurons "
            "(give one name per output neuron, in the order of the outputs)"
        )
    return [str(name) for name in class_names]


def kept(array: np.ndarray | None) -> np.ndarray:
    """An array a layer holds: its parameters, or what the forward and backward passes just kept."""
    if array is None:
        raise RuntimeError("the layer holds no such array yet: build the network and run both passes first")
    return array


def network_of(model: object) -> Network:
    """The Network itself, or the one a fitted estimator holds (``network_``)."""
    if isinstance(model, Network):
        return model
    for attribute in ("network_", "network"):
        inner = getattr(model, attribute, None)
        if isinstance(inner, Network):
            return inner
    raise InputTypeError(
        f"explain needs a glassnet Network (or a fitted glassnet estimator), got {type(model).__name__}"
    )
