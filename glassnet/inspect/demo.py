"""The built-in examples: Matt Mazur's published 2-2-2 worked example, and the tutorial network 5-3-2-1.

A 2-2-2 sigmoid network, one example ``(0.05, 0.10) -> (0.01, 0.99)``, learning rate 0.5. Its starting
weights and biases are written here once, in the tutorial's own names (``w1..w8``, ``b1``, ``b2``); the
demo network, ``glassnet explain --demo`` and the tests of the worked example all take them from here.

The tutorial writes ``h1 = w1 i1 + w2 i2 + b1``, ``h2 = w3 i1 + w4 i2 + b1``, ``o1 = w5 h1 + w6 h2 + b2``,
``o2 = w7 h1 + w8 h2 + b2``; glassnet's ``weights[k, j]`` joins neuron k below to neuron j (the tutorials'
``w_jk``), so layer 1's weights are ``[[w1, w3], [w2, w4]]`` and layer 2's ``[[w5, w7], [w6, w8]]``. His
cost ``E = sum 1/2 (target - out)^2`` is, for one example and two outputs, exactly glassnet's mse (the mean
over the outputs of ``(a - y)^2``).

The tutorial network (:func:`tutorial_network`) is the one the lessons' forward propagation is worked on: five
inputs, two sigmoid hidden layers of 3 and 2 neurons and one identity output, every weight and bias a fixed
short decimal (none of them zero), so each sum can be done by hand; :func:`tutorial_example` is its example.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from ..layers import Dense
from ..network import Network
from .trace import explain

__all__ = [
    "DEMO_WEIGHTS",
    "DEMO_BIASES",
    "DEMO_INPUT",
    "DEMO_TARGET",
    "DEMO_LEARNING_RATE",
    "demo_network",
    "demo_example",
    "explain_demo",
    "TUTORIAL_WEIGHTS",
    "TUTORIAL_BIASES",
    "TUTORIAL_INPUT",
    "TUTORIAL_TARGET",
    "tutorial_network",
    "tutorial_example",
]

DEMO_WEIGHTS = MappingProxyType(
    {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}
)
DEMO_BIASES = MappingProxyType({"b1": 0.35, "b2": 0.60})  # b1 shared by the hidden neurons, b2 by the outputs
DEMO_INPUT = (0.05, 0.10)
DEMO_TARGET = (0.01, 0.99)
DEMO_LEARNING_RATE = 0.5

# The tutorial network, layer by layer: weights[k][j] joins neuron k below to neuron j (the tutorials' w_jk)
TUTORIAL_WEIGHTS = (
    ((0.2, -0.5, 0.1), (0.4, 0.3, -0.2), (-0.3, 0.8, 0.5), (0.1, -0.1, 0.3), (0.6, 0.2, -0.4)),  # 5 x 3
    ((0.7, -0.3), (-0.4, 0.9), (0.5, 0.2)),  # 3 x 2
    ((1.2,), (-0.8,)),  # 2 x 1
)
TUTORIAL_BIASES = ((0.1, -0.2, 0.3), (0.05, -0.1), (0.3,))
TUTORIAL_ACTIVATIONS = ("sigmoid", "sigmoid", "identity")
TUTORIAL_INPUT = (1.0, 0.5, -1.0, 2.0, 0.0)
TUTORIAL_TARGET = (0.5,)


def demo_network() -> Network:
    """A tiny 2-2-2 sigmoid network with fixed weights: the one of Matt Mazur's worked example.

    Hidden layer: ``w1..w4 = 0.15, 0.20, 0.25, 0.30`` and bias 0.35; output layer ``w5..w8 = 0.40, 0.45,
    0.50, 0.55`` and bias 0.60 (:data:`DEMO_WEIGHTS`, :data:`DEMO_BIASES`); cost mse, which for one example
    and two outputs is his ``E = sum 1/2 (target - out)^2``. Use it with :func:`demo_example` and a
    learning rate of 0.5.
    """
    w, b = DEMO_WEIGHTS, DEMO_BIASES
    hidden = Dense(
        2, 2, "sigmoid", weights=np.array([[w["w1"], w["w3"]], [w["w2"], w["w4"]]]), bias=np.array([b["b1"]] * 2)
    )
    output = Dense(
        2, 2, "sigmoid", weights=np.array([[w["w5"], w["w7"]], [w["w6"], w["w8"]]]), bias=np.array([b["b2"]] * 2)
    )
    return Network([hidden, output], cost="mse", dtype="float64")


def tutorial_network(dtype: str = "float64") -> Network:
    """The lessons' network: 5 inputs, hidden layers of 3 and 2 sigmoid neurons, one identity output (5-3-2-1).

    Its weights and biases are the fixed numbers of :data:`TUTORIAL_WEIGHTS` and :data:`TUTORIAL_BIASES`
    (short decimals, no bias zero, so a sum never ends in "+ 0"); cost mse. Layer l computes
    ``s_l = a_{l-1} @ W_l + b_l`` and ``a_l = f(s_l)``; ``W_l[k, j]`` is the tutorials' ``w_jk``. Use it with
    :func:`tutorial_example`: ``net.trace(*tutorial_example())`` writes out its forward pass neuron by neuron
    and as matrices.
    """
    layers = [
        Dense(len(w), len(w[0]), activation, weights=np.array(w), bias=np.array(b))
        for w, b, activation in zip(TUTORIAL_WEIGHTS, TUTORIAL_BIASES, TUTORIAL_ACTIVATIONS, strict=True)
    ]
    return Network(layers, cost="mse", dtype=dtype)


def tutorial_example() -> tuple[np.ndarray, np.ndarray]:
    """The tutorial network's example: inputs ``(1, 0.5, -1, 2, 0)``, target ``0.5``."""
    return np.array(TUTORIAL_INPUT), np.array(TUTORIAL_TARGET)


def demo_example() -> tuple[np.ndarray, np.ndarray]:
    """The demo network's example: inputs ``(0.05, 0.10)``, targets ``(0.01, 0.99)``."""
    return np.array(DEMO_INPUT), np.array(DEMO_TARGET)


def explain_demo(format: str = "text", full: bool = False, matrices: bool | None = None) -> str:
    """:func:`explain` on the demo network and its example, learning rate 0.5: ``glassnet explain --demo``."""
    x, y = demo_example()
    return explain(
        demo_network(),
        x,
        y,
        learning_rate=DEMO_LEARNING_RATE,
        format=format,
        full=full,
        input_names=["i1", "i2"],
        matrices=matrices,
    )
