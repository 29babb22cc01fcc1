"""Initial weights. All randomness comes through a ``numpy.random.Generator`` built from a seed.

- Glorot (Xavier) uniform, for sigmoid, tanh, arctan and identity neurons: ``w ~ U(-r, r)`` with
  ``r = sqrt(6 / (n_in + n_out))``, which keeps the variance of ``s`` about the same from layer to layer.
- He normal, for the ReLU family: ``w ~ N(0, 2 / n_in)``, twice Glorot's variance because a ReLU passes
  on only the positive half of its inputs.

Biases start at zero: the random weights already make the neurons of a layer different from each other.
"""

from __future__ import annotations

import numpy as np

from .errors import InputError

__all__ = ["glorot_uniform", "he_normal", "initialize", "INITIALIZERS"]


def glorot_uniform(n_in: int, n_out: int, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Weights of shape (n_in, n_out) drawn from ``U(-r, r)``, ``r = sqrt(6 / (n_in + n_out))``."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out)).astype(dtype)


def he_normal(n_in: int, n_out: int, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Weights of shape (n_in, n_out) drawn from ``N(0, 2 / n_in)``."""
    return (rng.standard_normal(size=(n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(dtype)


INITIALIZERS = {"glorot": glorot_uniform, "he": he_normal}


def initialize(name: str, n_in: int, n_out: int, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """Weights from the initialiser called ``name`` (``"glorot"`` or ``"he"``)."""
    if name not in INITIALIZERS:
        raise InputError(f"unknown initialiser {name!r}; choose one of: {', '.join(INITIALIZERS)}")
    return INITIALIZERS[name](n_in, n_out, rng, dtype)
