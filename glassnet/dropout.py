"""Dropout: in each training step, every hidden neuron is switched off at random with probability p.

Inverted dropout, as in PyTorch's ``nn.Dropout`` and Keras: for a batch, hidden layer l draws a mask ``m``
with one entry per sample and neuron::

    m_ij = 0            with probability p     (neuron j is dropped for sample i)
    m_ij = 1 / (1 - p)  with probability 1 - p (kept, and scaled so that E[m_ij] = 1)

and passes ``a~ = a * m`` on to the layer above instead of ``a = f(s)``, so ``s_{l+1} = a~ @ W_{l+1} + b``.
The layer keeps ``a = f(s)`` itself (the slopes f'(s) are read from it) and the mask as ``dropout_mask``.
Backpropagation multiplies each neuron's error by the same mask (BP2 with dropout)::

    delta_l = (delta_{l+1} @ W_{l+1}^T) * m * f'(s_l)

so a dropped neuron sends nothing up and takes no blame: its incoming weights get no gradient from that
sample (BP4), and the weights it feeds see ``a~ = 0`` (BP4 one layer up). Since ``E[a~] = a``, nothing is
dropped or rescaled at prediction time: :meth:`Network.predict` and validation use the whole network.

The masks are drawn from the network's own generator (``net.rng``, which also shuffles the batches), so a
seeded run with dropout is reproducible bit for bit and a checkpointed run resumes exactly. Only the input
side of the output layer is touched: the inputs and the outputs are never dropped. With every rate 0 the
trainer keeps no Dropout at all, and a step costs what it cost without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .errors import InputError, InputTypeError
from .validation import check_fraction

if TYPE_CHECKING:
    from .network import Network

__all__ = ["Dropout", "dropout_rates"]


def dropout_rates(spec: object, network: Network) -> list[float]:
    """One dropout rate in [0, 1) per hidden layer of ``network``, from ``spec``.

    ``spec`` is None or 0 (no dropout), one number (the same rate for every hidden layer) or one number per
    hidden layer (``net.layers[:-1]``, input side first). A rate is the probability that a neuron is dropped.
    """
    n_hidden = len(network.layers) - 1
    if isinstance(spec, np.ndarray) and spec.ndim == 0:
        spec = spec.item()  # a numpy scalar array: one rate
    if spec is None:
        return [0.0] * n_hidden
    if isinstance(spec, (str, bytes)) or not isinstance(spec, (Sequence, np.ndarray, int, float, np.number)):
        raise InputTypeError(
            f"dropout must be a rate in [0, 1) or a list of rates, one per hidden layer; got {spec!r}"
        )
    if isinstance(spec, (Sequence, np.ndarray)):
        rates = [check_fraction(f"dropout[{i}]", rate) for i, rate in enumerate(list(spec))]
        if len(rates) != n_hidden:
            raise InputError(
                f"dropout lists {len(rates)} rates, but the network has {n_hidden} hidden layers: give one rate "
                "per hidden layer, or one number for all of them"
            )
        return rates
    rate = check_fraction("dropout", spec)
    if rate and n_hidden == 0:
        raise InputError("dropout needs a hidden layer to drop neurons from; this network has none")
    return [rate] * n_hidden


class Dropout:
    """The masks of inverted dropout for one network, drawn anew for each batch (see the module's notes).

    ``rates`` has one rate per hidden layer. :meth:`propagate` draws the masks for a batch, puts each on
    its layer (``layer.dropout_mask``, read by backpropagation) and runs forward propagation with them;
    :meth:`clear` takes them off again, so that any later pass (prediction, gradcheck, a trace) sees the
    whole network.
    """

    def __init__(self, rates: Sequence[float]) -> None:
        self.rates = [float(rate) for rate in rates]
        self._keep: dict[int, np.ndarray] = {}  # reused buffers: batches allocate nothing once warm
        self._masks: dict[int, np.ndarray] = {}
        self._passed: dict[int, np.ndarray] = {}

    @property
    def active(self) -> bool:
        """Whether any hidden layer drops neurons."""
        return any(self.rates)

    def _buffer(self, store: dict[int, np.ndarray], index: int, shape: tuple[int, int], dtype: np.dtype):
        buffer = store.get(index)
        if buffer is None or buffer.shape[0] < shape[0] or buffer.shape[1] != shape[1] or buffer.dtype != dtype:
            buffer = store[index] = np.empty(shape, dtype=dtype)
        return buffer[: shape[0]]

    def draw(self, network: Network, rows: int, rng: np.random.Generator) -> None:
        """Draw this batch's masks from ``rng`` and put each on its layer as ``dropout_mask``.

        Mask entries are ``(u >= p) / (1 - p)`` with u uniform on [0, 1): 0 with probability p, else 1/(1-p).
        """
        for index, rate in enumerate(self.rates):
            if not rate:
                continue
            layer = network.layers[index]
            shape = (rows, layer.n_out)
            mask = self._buffer(self._masks, index, shape, network.dtype)
            keep = self._buffer(self._keep, index, shape, np.dtype(bool))
            rng.random(out=mask, dtype=mask.dtype)
            np.greater_equal(mask, rate, out=keep)
            np.multiply(keep, network.dtype.type(1 / (1 - rate)), out=mask)
            layer.dropout_mask = mask

    def propagate(self, network: Network, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Forward propagation of the batch X with freshly drawn masks (:meth:`draw`, then :meth:`forward`)."""
        self.draw(network, len(X), rng)
        return self.forward(network, X)

    def forward(self, network: Network, X: np.ndarray) -> np.ndarray:
        """Forward propagation of X with the masks the layers hold: ``a~ = f(s) * m`` goes up.

        Each layer keeps its ``s`` and ``a = f(s)`` as in :meth:`Network.propagate`; the layer above keeps
        the dropped ``a~`` as its ``a_prev``. Call :meth:`clear` once the batch is backpropagated.
        """
        a = X
        for index, layer in enumerate(network.layers):
            a = layer.forward(a)
            mask = layer.dropout_mask
            if mask is not None:
                a = np.multiply(a, mask, out=self._buffer(self._passed, index, mask.shape, mask.dtype))
        return a

    @staticmethod
    def clear(network: Network) -> None:
        """Take the masks off the layers: passes after this one use the whole network."""
        for layer in network.layers:
            layer.dropout_mask = None
