"""The fully connected layer: ``s = a_prev @ weights + bias`` and ``a = f(s)``, for a whole batch at once.

Shapes follow scikit-learn and PyTorch: a batch is a matrix with one row per sample, ``weights`` has shape
(n_in, n_out) and ``bias`` shape (n_out,). The tutorials write ``s = W a + b`` with column vectors; our
``weights[k, j]`` is their ``w_jk``, the weight from input neuron k to neuron j.

A layer keeps what it computed for the last batch it saw (``a_prev``, ``s``, ``a``, ``delta``,
``grad_weights``, ``grad_bias``). Training reads and writes those same arrays, and so do the teaching views:
there is only one implementation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .activations import Activation, bias_and_value, get_activation, times_slope
from .errors import InputError, InputTypeError
from .initializers import initialize
from .sparse import sparse_product

__all__ = ["Dense"]

_NOT_DRAWN = (
    "this layer's {name} are drawn from the network's seed when it joins a Network: build the Network "
    "first (Network([...], seed=...)), or give Dense(..., weights=..., bias=...)"
)


def _check_size(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputTypeError(f"{name} must be a whole number of neurons, got {value!r}")
    if value < 1:
        raise InputError(f"{name} must be at least 1, got {value}")
    return int(value)


def _check_array(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputTypeError(f"{name} must be numbers, got {type(value).__name__}") from None
    if array.shape != shape:
        raise InputError(f"{name} must have shape {shape}, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name} contains NaN or infinite values")
    return array


class Dense:
    """A fully connected layer of ``n_out`` neurons, each seeing all ``n_in`` outputs of the layer below.

    Parameters
    ----------
    n_in, n_out : the number of inputs and of neurons.
    activation : the name of ``f`` (see :mod:`glassnet.activations`) or an Activation.
    weights, bias : explicit starting values, shape (n_in, n_out) and (n_out,). When omitted they are
        drawn from the network's seed: Glorot for sigmoid-like neurons, He for the ReLU family; bias 0.

    Notes
    -----
    After a forward pass ``a_prev``, ``s`` and ``a`` hold the layer's inputs, weighted sums and
    activations for each sample; after a backward pass ``delta`` holds each neuron's error ``dJ/ds`` and
    ``grad_weights``, ``grad_bias`` the gradients of BP4 and BP3.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str | Activation = "sigmoid",
        weights: ArrayLike | None = None,
        bias: ArrayLike | None = None,
    ) -> None:
        self.n_in = _check_size("n_in", n_in)
        self.n_out = _check_size("n_out", n_out)
        self.activation = get_activation(activation)
        # None until drawn from the network's seed (see initialize); the weights/bias properties say so clearly
        self._weights = None if weights is None else _check_array("weights", weights, (self.n_in, self.n_out))
        self._bias = None if bias is None else _check_array("bias", bias, (self.n_out,))
        # the gradients are zero and the kept arrays hold a batch of 0 samples until the layer sees one
        self.grad_weights: np.ndarray = np.zeros((self.n_in, self.n_out))
        self.grad_bias: np.ndarray = np.zeros(self.n_out)
        self.a_prev: np.ndarray = np.zeros((0, self.n_in))
        self.s: np.ndarray = np.zeros((0, self.n_out))
        self.a: np.ndarray = np.zeros((0, self.n_out))
        self.delta: np.ndarray = np.zeros((0, self.n_out))
        self.dropout_mask: np.ndarray | None = None  # this batch's dropout mask while training (glassnet.dropout)
        self._buffers: dict[str, np.ndarray] = {}
        self._batch: tuple | None = None  # (rows, weights, bias, s, a, delta, slope) of the last batch

    # -- parameters ---------------------------------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        """The (n_in, n_out) weight matrix; assigning copies the values in (shape-checked)."""
        if self._weights is None:
            raise InputError(_NOT_DRAWN.format(name="weights"))
        return self._weights

    @weights.setter
    def weights(self, value: ArrayLike) -> None:
        self._assign("_weights", "weights", value, (self.n_in, self.n_out))

    @property
    def bias(self) -> np.ndarray:
        """The (n_out,) bias vector; assigning copies the values in (shape-checked)."""
        if self._bias is None:
            raise InputError(_NOT_DRAWN.format(name="bias"))
        return self._bias

    @bias.setter
    def bias(self, value: ArrayLike) -> None:
        self._assign("_bias", "bias", value, (self.n_out,))

    def _assign(self, attr: str, name: str, value: object, shape: tuple[int, ...]) -> None:
        checked = _check_array(name, value, shape)
        current = getattr(self, attr)
        if current is None:
            setattr(self, attr, checked)
        else:
            current[...] = checked  # keep the array object: it may be a view into the network's buffer

    @property
    def bound(self) -> bool:
        """True once the parameters are views of a network's flat buffer (the layer belongs to a Network)."""
        return self._weights is not None and self._weights.base is not None

    @property
    def n_params(self) -> int:
        """The number of weights and biases."""
        return self.n_in * self.n_out + self.n_out

    def initialize(self, rng: np.random.Generator, dtype: np.dtype) -> None:
        """Draw starting weights (and zero biases) for any the caller did not give."""
        if self._weights is None:
            self._weights = initialize(self.activation.init, self.n_in, self.n_out, rng, dtype)
        if self._bias is None:
            self._bias = np.zeros(self.n_out, dtype=dtype)

    def bind(self, weights: np.ndarray, bias: np.ndarray, grad_weights: np.ndarray, grad_bias: np.ndarray) -> None:
        """Move the parameters into views of the network's flat buffers (values copied in).

        The network keeps every parameter in one flat array so an optimizer can update them all in a
        single vectorised pass; the layer's ``weights`` and ``bias`` are windows onto it.
        """
        weights[...] = self.weights
        bias[...] = self.bias
        self._weights, self._bias = weights, bias
        self.grad_weights, self.grad_bias = grad_weights, grad_bias
        self._buffers.clear()
        self._batch = None

    # -- forward ------------------------------------------------------------------------------------------
    def _buffer(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A (rows, cols) array reused from batch to batch, so training allocates nothing per batch."""
        buffer = self._buffers.get(name)
        dtype = self.weights.dtype
        if buffer is None or buffer.shape[0] < rows or buffer.dtype != dtype:
            buffer = self._buffers[name] = np.empty((rows, cols), dtype=dtype)
        return buffer[:rows]

    def _batch_arrays(self, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(weights, bias, s buffer, a buffer)`` for a batch of ``rows``: looked up once, then kept while the
        batches keep their size and the parameters their arrays (training's steps do no lookups)."""
        kept = self._batch
        if kept is None or kept[0] != rows or kept[1] is not self._weights or kept[2] is not self._bias:
            weights, bias = self.weights, self.bias
            kept = self._batch = (rows, weights, bias, self._buffer("s", rows, self.n_out),
                                  self._buffer("a", rows, self.n_out), self._buffer("delta", rows, self.n_out),
                                  None)  # the slope's buffer, made when first needed (see slope_buffer)
        return kept[1], kept[2], kept[3], kept[4]

    def forward(self, a_prev: np.ndarray) -> np.ndarray:
        """``s = a_prev @ weights + bias``, ``a = f(s)``; keeps ``a_prev``, ``s`` and ``a``; returns ``a``.

        The returned array is reused by the next call; copy it to keep it. The bias and ``f`` are applied in
        one pass where a fused kernel exists (:func:`glassnet.activations.bias_and_value`), with the numbers
        of ``s += bias; a = f(s)``.
        """
        weights, bias, s, a = self._batch_arrays(a_prev.shape[0])
        if isinstance(a_prev, np.ndarray):
            np.matmul(a_prev, weights, out=s)
        else:  # a sparse batch of X (glassnet.sparse): scipy's product on its nonzeros
            sparse_product(a_prev, weights, s)
        bias_and_value(self.activation, s, bias, a)
        self.a_prev, self.s, self.a = a_prev, s, a
        return a

    def times_slope(self, delta: np.ndarray) -> np.ndarray:
        """BP2's element-wise part: ``delta *= f'(s)`` in place for the last batch's ``s``; returns ``delta``.

        ``delta`` arrives as ``delta_{l+1} @ W_{l+1}^T`` (the blame sent back from the layer above).
        """
        return times_slope(self.activation, delta, self.s, self.a, lambda: self.slope_buffer(len(delta)))

    def evaluate(self, a_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(s, a)`` for ``a_prev`` in fresh arrays, leaving the layer's kept arrays as they were."""
        s = a_prev @ self.weights
        s += self.bias
        return s, self.activation.value(s)

    def delta_buffer(self, rows: int) -> np.ndarray:
        """The array that will hold this layer's ``delta`` for a batch of ``rows`` samples."""
        kept = self._batch
        if kept is not None and kept[0] == rows and kept[1] is self._weights:
            return kept[5]  # the batch's, looked up by the forward pass
        return self._buffer("delta", rows, self.n_out)

    def slope_buffer(self, rows: int) -> np.ndarray:
        """A reused array for ``f'(s)`` of a batch of ``rows`` samples, so BP2 allocates nothing."""
        kept = self._batch
        if kept is not None and kept[0] == rows and kept[1] is self._weights:
            if kept[6] is None:
                kept = self._batch = (*kept[:6], self._buffer("slope", rows, self.n_out))
            return kept[6]
        return self._buffer("slope", rows, self.n_out)

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r})"
