"""Initial weights and biases. All randomness comes through a ``numpy.random.Generator`` built from a seed.

The weight draws, for a layer with ``n_in`` inputs and ``n_out`` neurons:

- Glorot (Xavier) uniform: ``w ~ U(-r, r)`` with ``r = sqrt(6 / (n_in + n_out))``, which keeps the variance
  of ``s`` about the same from layer to layer for sigmoid-like neurons.
- He normal: ``w ~ N(0, 2 / n_in)``, twice Glorot's variance because a ReLU passes on only the positive
  half of its inputs.

and the schemes that start a whole network (:data:`SCHEMES`, chosen with ``Network.from_sizes(init=...)``):

- ``"pytorch"`` (the default of ``Network.from_sizes``): as PyTorch's ``nn.Linear``
  (``kaiming_uniform_(a=sqrt(5))``), weights and biases from ``U(-1/sqrt(n_in), 1/sqrt(n_in))`` whatever
  the activation.
- ``"sklearn"``: as scikit-learn's MLP, weights *and biases* from ``U(-r, r)`` with
  ``r = sqrt(6 / (n_in + n_out))``, or ``r = sqrt(2 / (n_in + n_out))`` when the hidden activation is the
  sigmoid; the hidden activation sets ``r`` for every layer, the output layer included.
- ``"glorot_he"``: what a :class:`~glassnet.layers.Dense` layer draws by itself: Glorot uniform for sigmoid,
  tanh, arctan and identity neurons, He normal for the ReLU family, biases 0 (``from_sizes``' default before).

The default was chosen by measurement (``benchmarks/init_study.py``: relu, tanh and sigmoid, five small real
data sets, ten paired seeds, held-out accuracy or R^2). Against scikit-learn's MLP trained alike, the mean
paired difference was -0.0081 for ``glorot_he``, -0.0003 for ``sklearn`` and +0.0003 for ``pytorch``;
``pytorch`` and ``sklearn`` tie on tanh and sigmoid, and ``pytorch`` is ahead on relu (+0.0034 +- 0.0012).
"""

from __future__ import annotations

import numpy as np

from .errors import InputError, InputTypeError

__all__ = [
    "glorot_uniform",
    "he_normal",
    "initialize",
    "initialize_network",
    "INITIALIZERS",
    "SCHEMES",
    "DEFAULT_SCHEME",
    "LAYER_SCHEME",
]


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


SCHEMES = {
    "pytorch": "weights and biases from U(-1/sqrt(n_in), 1/sqrt(n_in)), as PyTorch's nn.Linear",
    "sklearn": "Glorot uniform weights and biases, r = sqrt(6/(n_in+n_out)) (sqrt(2/...) for sigmoid), as scikit-learn",
    "glorot_he": "Glorot uniform (sigmoid-like) or He normal (ReLU family) weights, zero biases",
}
DEFAULT_SCHEME = "pytorch"  # Network.from_sizes' default, chosen by benchmarks/init_study.py
LAYER_SCHEME = "glorot_he"  # what Dense layers draw by themselves, and so what a Network draws at first


def check_scheme(scheme: object) -> str:
    """``scheme`` if it names one of :data:`SCHEMES`, else a clear error naming the choices."""
    if not isinstance(scheme, str):
        raise InputTypeError(f"init must be the name of a scheme ({', '.join(SCHEMES)}), got {scheme!r}")
    if scheme not in SCHEMES:
        raise InputError(f"unknown init {scheme!r}; choose one of: {', '.join(SCHEMES)}")
    return scheme


def initialize_network(net, scheme: str, activation: str | None = None) -> None:
    """Draw every weight and bias of ``net`` again, from ``net.rng``, by the scheme named ``scheme``.

    ``activation`` is the hidden activation that sets scikit-learn's bound (the first layer's by default).
    ``"glorot_he"`` is what the network drew when it was built, so for it nothing is drawn again.
    """
    scheme = check_scheme(scheme)
    if scheme == LAYER_SCHEME:
        return
    hidden = activation if activation is not None else net.layers[0].activation.name
    for layer in net.layers:
        if scheme == "sklearn":
            bound = np.sqrt((2.0 if hidden in ("sigmoid", "logistic") else 6.0) / (layer.n_in + layer.n_out))
        else:  # pytorch: kaiming_uniform_(a=sqrt(5)) gives sqrt(1/3) * sqrt(3 / n_in) = 1 / sqrt(n_in)
            bound = 1.0 / np.sqrt(layer.n_in)
        layer.weights = net.rng.uniform(-bound, bound, (layer.n_in, layer.n_out))
        layer.bias = net.rng.uniform(-bound, bound, layer.n_out)
