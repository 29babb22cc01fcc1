"""What a traced step adds to a plain gradient-descent step: the optimizer's own update, dropout's masks,
and a fitted estimator's optimizer and class names.

:func:`optimizer_step` is the step an optimizer (with its memory: momentum's velocity, Adam's moments)
would take on the traced gradients, taken on copies so that neither the network nor the optimizer
changes; :func:`passes` runs the engine's forward and backward passes, with dropout's masks when asked
(:mod:`glassnet.dropout`, the training step's own code). The trace record (:mod:`.trace`) stores what
they return; the renderers print it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np

from ..dropout import Dropout
from ..network import Network
from ..optimizers import SGD, Adam, Optimizer

__all__ = ["describe_optimizer", "optimizer_step", "passes", "optimizer_of", "classes_of"]


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


def optimizer_step(optimizer: Optimizer, net: Network, grads: np.ndarray, learning_rate: float) -> np.ndarray:
    """The parameters after ``optimizer``'s next step on ``grads``, from a copy: nothing of ours changes."""
    twin = copy.deepcopy(optimizer)  # its memory arrays copied: the real optimizer keeps its state
    twin.learning_rate = learning_rate
    params = net.params.copy()
    twin.step(params, grads.copy())
    return params


def passes(net: Network, X: np.ndarray, Y: np.ndarray, rates: Sequence[float], seed: int) -> list[np.ndarray | None]:
    """Forward propagation and BP1-BP4 on the checked batch (X, Y); returns each layer's dropout mask (or None).

    With any rate above 0 the masks are drawn from ``numpy.random.default_rng(seed)`` and the passes are
    the training step's (:meth:`Dropout.propagate <glassnet.dropout.Dropout.propagate>`, then
    backpropagation multiplying each hidden delta by its mask); the masks are taken off the layers after.
    """
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
