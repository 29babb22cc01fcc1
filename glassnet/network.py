"""The network: a stack of Dense layers, forward propagation, the cost, and backpropagation.

Notation, as in the tutorials. Layer ``l`` has weighted sums ``s_l`` and activations ``a_l = f(s_l)``;
``a_0`` is the input X. For a batch of n samples (one per row)::

    s_l = a_{l-1} @ W_l + b_l          forward propagation, layer by layer
    a_l = f(s_l)

Backpropagation finds every derivative of the cost J with four equations::

    BP1  delta_L = dJ/da_L * f'(s_L)                     the output layer's error
    BP2  delta_l = (delta_{l+1} @ W_{l+1}^T) * f'(s_l)     each layer's error from the next one's
    BP3  dJ/db_l = delta_l            (summed over the samples of the batch)
    BP4  dJ/dW_l = a_{l-1}^T @ delta_l

``delta_l`` holds one number per neuron per sample: that neuron's error (its "blame"), ``dJ/ds``.
Weights are stored with shape (n_in, n_out) and ``s = a_prev @ W + b``; the tutorials' ``s = W a + b``
uses column vectors, so our ``W[k, j]`` is their ``w_jk`` (from neuron k below to neuron j).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from . import regularisation
from .activations import STEP_MESSAGE, Activation
from .architecture import network_from_config, network_from_file
from .costs import Cost, get_cost
from .errors import InputError, InputTypeError, NotTrainableError
from .finite import check_outputs
from .initializers import DEFAULT_SCHEME, check_scheme, initialize_network
from .layers import Dense
from .randomness import rng_state_to_json
from .sparse import is_sparse, sparse_gradient
from .validation import (
    check_float_dtype,
    check_non_negative,
    check_sample_weight,
    check_sizes,
    check_X,
    check_Y,
)

__all__ = ["Evaluation", "Network"]


class Evaluation(NamedTuple):
    """What :meth:`Network.evaluate` measured: the outputs ``a_L``, the cost J and the accuracy (or None)."""

    outputs: np.ndarray
    cost: float
    accuracy: float | None


# predict() and cost() work through big inputs in slices of this many rows: big enough for fast matrix
# products, small enough that the temporaries (a few MB) do not add to the peak memory of a big job
_PREDICT_ROWS = 1024


class Network:
    """A feedforward network of fully connected layers, trained by backpropagation.

    Parameters
    ----------
    layers : the Dense layers, input side first; each layer's ``n_in`` equals the ``n_out`` below it.
    cost : ``"mse"``, ``"binary_cross_entropy"`` (sigmoid output) or ``"cross_entropy"`` (softmax output).
    seed : seeds every random choice (initial weights, shuffling, validation split); the same seed gives
        bit-identical training on the same machine.
    dtype : ``"float32"`` (the default, fast) or ``"float64"``.

    Notes
    -----
    All weights and biases live in one flat array, ``params`` (and their gradients in ``grads``); each
    layer's ``weights`` and ``bias`` are views into it.
    """

    def __init__(
        self,
        layers: Sequence[Dense],
        cost: str | Cost = "mse",
        seed: int | None = None,
        dtype: str | np.dtype = "float32",
    ) -> None:
        if isinstance(layers, Dense):
            layers = [layers]
        if not isinstance(layers, Sequence) or not layers:
            raise InputError("a Network needs a non-empty list of layers, e.g. [Dense(2, 3), Dense(3, 1)]")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Dense):
                raise InputTypeError(f"layer {i} is a {type(layer).__name__}; a Network is built of Dense layers")
        for i, layer in enumerate(layers):
            # a bound layer's weights are views into another network's params: sharing it would leave
            # one of the two networks training arrays its layers no longer show
            if layer.bound or any(other is layer for other in layers[:i]):
                raise InputError(
                    f"layer {i} already belongs to a Network; give each Network its own Dense layers, e.g. "
                    "Dense(n_in, n_out, activation, weights=layer.weights, bias=layer.bias), or use net.copy()"
                )
        for i in range(1, len(layers)):
            if layers[i].n_in != layers[i - 1].n_out:
                raise InputError(
                    f"layer {i} takes {layers[i].n_in} inputs but layer {i - 1} gives {layers[i - 1].n_out} "
                    "outputs; each layer's n_in must equal the n_out of the layer below"
                )
        for i, layer in enumerate(layers[:-1]):
            if not layer.activation.elementwise:
                raise InputError(
                    f"layer {i} uses {layer.activation.name!r}, which belongs only on the output layer"
                )
        self.cost_function = get_cost(cost)
        self.cost_function.check_output(layers[-1].activation)
        self.dtype = check_float_dtype(dtype)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise InputError(f"seed must be a whole number >= 0 or None, got {seed!r}")
        self.seed = None if seed is None else int(seed)
        self.rng = np.random.default_rng(self.seed)
        self.layers = list(layers)
        for layer in self.layers:
            layer.initialize(self.rng, self.dtype)
        self._bind_parameters()

    def _bind_parameters(self) -> None:
        """Allocate the flat ``params`` and ``grads`` arrays and make each layer's parameters views of them."""
        total = sum(layer.n_params for layer in self.layers)
        self.params = np.empty(total, dtype=self.dtype)
        self.grads = np.zeros(total, dtype=self.dtype)
        offset = 0
        for layer in self.layers:
            w_end = offset + layer.n_in * layer.n_out
            b_end = w_end + layer.n_out
            shape = (layer.n_in, layer.n_out)
            layer.bind(
                self.params[offset:w_end].reshape(shape),
                self.params[w_end:b_end],
                self.grads[offset:w_end].reshape(shape),
                self.grads[w_end:b_end],
            )
            offset = b_end

    @classmethod
    def from_sizes(
        cls,
        sizes: Sequence[int],
        activation: str | Activation = "sigmoid",
        output: str | Activation | None = None,
        cost: str | Cost = "mse",
        seed: int | None = None,
        dtype: str | np.dtype = "float32",
        init: str = DEFAULT_SCHEME,
    ) -> Network:
        """A network with layer widths ``sizes`` (inputs first), e.g. ``[2, 4, 1]``.

        Hidden layers use ``activation``; the output layer uses ``output``, which defaults to what the
        cost pairs with: softmax for cross_entropy, sigmoid for binary_cross_entropy, identity for mse.
        ``init`` names how the weights and biases are drawn (see :mod:`glassnet.initializers`).
        """
        sizes = check_sizes(sizes)  # a flat list of at least two widths (each checked as Dense checks it)
        from .memory import check_network_memory  # (the memory estimates sit beside the CLI's, above the engine)

        check_network_memory(sizes, dtype)  # before any weight is allocated: MemoryLimitError states the need
        cost_function = get_cost(cost)
        if output is None:
            output = cost_function.fused_with or "identity"
        layers = [Dense(sizes[i], sizes[i + 1], activation) for i in range(len(sizes) - 2)]
        layers.append(Dense(sizes[-2], sizes[-1], output))
        check_scheme(init)
        net = cls(layers, cost=cost_function, seed=seed, dtype=dtype)
        initialize_network(net, init)  # from net.rng; the hidden activation sets scikit-learn's bound
        return net

    # -- shape ----------------------------------------------------------------------------------------------
    @property
    def n_inputs(self) -> int:
        return self.layers[0].n_in

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_out

    @property
    def sizes(self) -> list[int]:
        """The widths, inputs first: ``[n_inputs, hidden..., n_outputs]``."""
        return [self.n_inputs] + [layer.n_out for layer in self.layers]

    @property
    def n_params(self) -> int:
        return self.params.size

    @property
    def trainable(self) -> bool:
        return all(layer.activation.trainable for layer in self.layers)

    def __repr__(self) -> str:
        acts = ", ".join(layer.activation.name for layer in self.layers)
        return (
            f"Network(sizes={self.sizes}, activations=[{acts}], cost={self.cost_function.name!r}, "
            f"dtype={self.dtype.name!r})"
        )

    def _repr_html_(self) -> str:
        """Jupyter's view: the diagram and the table of layers (see :func:`glassnet.inspect.notebook.network_html`)."""
        from .inspect.notebook import network_html  # the teaching views live above the network

        return network_html(self)

    def summary(self) -> str:
        """A table of the layers: shapes, activations and parameter counts."""
        rows = [f"{'layer':<7}{'weights':<14}{'bias':<8}{'activation':<14}{'params':>8}"]
        for i, layer in enumerate(self.layers, start=1):
            rows.append(
                f"{i:<7}{f'{layer.n_in} x {layer.n_out}':<14}{layer.n_out:<8}"
                f"{layer.activation.name:<14}{layer.n_params:>8}"
            )
        rows.append(f"cost: {self.cost_function.name}   dtype: {self.dtype.name}   parameters: {self.n_params}")
        return "\n".join(rows)

    # -- checks ---------------------------------------------------------------------------------------------
    def check_X(self, X: object) -> np.ndarray:
        """X as a finite 2-D array of this network's dtype with ``n_inputs`` columns, or a clear error."""
        return check_X(X, self.n_inputs, self.dtype)

    def check_XY(self, X: object, Y: object) -> tuple[np.ndarray, np.ndarray]:
        """X and Y checked and Y shaped like the outputs (integer labels one-hot for cross_entropy)."""
        X = self.check_X(X)
        Y = check_Y(Y, len(X), None, fits=self.dtype)  # finite targets too large for the dtype are named now
        Y = self.cost_function.prepare_targets(Y, self.n_outputs).astype(self.dtype, copy=False)
        return X, Y

    def check_trainable(self) -> None:
        """Refuse to compute gradients through a step activation, explaining why."""
        if not self.trainable:
            raise NotTrainableError(STEP_MESSAGE)

    # -- forward propagation --------------------------------------------------------------------------------
    def propagate(self, X: np.ndarray) -> np.ndarray:
        """Forward propagation without checks (the training loop's path): each layer keeps ``s`` and ``a``."""
        a = X
        for layer in self.layers:
            a = layer.forward(a)
        return a

    def forward(self, X: object) -> np.ndarray:
        """Output activations for X (n_samples, n_inputs); every layer keeps its ``s`` and ``a``."""
        return self.propagate(self.check_X(X)).copy()

    def evaluate(self, X: object, Y: object = None, sample_weight: object = None) -> Evaluation:
        """The outputs ``a_L`` for X, and with targets Y the cost J and (classification) the accuracy.

        J is the mean of the samples' costs (their weighted mean with ``sample_weight``), without any L2
        term; the accuracy is the plain fraction of rows classified right, or None for regression costs.
        Computed in slices of rows; the layers' kept arrays (``s``, ``a``, ``delta``) are left untouched.
        """
        if Y is None:
            return self.evaluate_checked(self.check_X(X))
        X, Y = self.check_XY(X, Y)
        return self.evaluate_checked(X, Y, check_sample_weight(sample_weight, len(X), self.dtype))

    def evaluate_checked(
        self, X: np.ndarray, Y: np.ndarray | None = None, weights: np.ndarray | None = None
    ) -> Evaluation:
        """:meth:`evaluate` on arrays already checked (the training loop's path, as :meth:`propagate` is).

        ``Y`` shaped like the outputs (as :meth:`check_XY` returns it); ``weights`` one per row, or None.
        """
        outputs = np.empty((len(X), self.n_outputs), dtype=self.dtype)
        total_cost = 0.0
        for start in range(0, len(X), _PREDICT_ROWS):
            a = X[start : start + _PREDICT_ROWS]
            if not is_sparse(a):  # a sparse X stays sparse: the first layer multiplies it as it is
                a = np.asarray(a, dtype=self.dtype)
            for layer in self.layers:
                s, a = layer.evaluate(a)
            outputs[start : start + len(a)] = a
            if Y is not None:
                if weights is None:
                    total_cost += self.cost_function.value(s, a, Y[start : start + len(a)]) * len(a)
                else:
                    part = slice(start, start + len(a))
                    total_cost += float(np.dot(weights[part], self.cost_function.sample_costs(s, a, Y[part])))
        if Y is None:
            return Evaluation(outputs, float("nan"), None)
        total = len(X) if weights is None else float(weights.sum())
        return Evaluation(outputs, total_cost / total, self.cost_function.accuracy(outputs, Y))

    def predict(self, X: object) -> np.ndarray:
        """Output activations for X, computed in slices; unlike :meth:`forward` it keeps nothing. NaN or inf outputs
        (weights not finite, or s = a @ W + b overflowing the dtype) raise NotFiniteOutputError naming the cause."""
        X = self.check_X(X)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused just below, in words
            outputs = self.evaluate_checked(X).outputs
        check_outputs(self, X, outputs)
        return outputs

    def predict_classes(self, X: object) -> np.ndarray:
        """The predicted class of each row: the largest softmax output, or sigmoid outputs above 0.5."""
        return self.cost_function.classes(self.predict(X))

    # -- the cost -------------------------------------------------------------------------------------------
    def l2_penalty(self, l2: float, n_samples: float) -> float:
        """The L2 term ``l2 / (2 n) * sum of all squared weights`` (biases are not penalised)."""
        return regularisation.l2_penalty(self.layers, l2, n_samples)

    def cost(self, X: object, Y: object, l2: float = 0.0, sample_weight: object = None, l1: float = 0.0) -> float:
        """The cost J of the network on (X, Y), plus the L2 penalty when ``l2`` > 0 and the L1 one when ``l1`` > 0.

        With ``sample_weight`` (one weight >= 0 per row) J is the weighted mean of the samples' costs and
        the ``n`` of the L2 and L1 terms is the sum of the weights (a weight of 2 counts as the row given twice).
        """
        l2 = check_non_negative("l2", l2)
        l1 = check_non_negative("l1", l1)
        X, Y = self.check_XY(X, Y)
        weights = check_sample_weight(sample_weight, len(X), self.dtype)
        n = len(X) if weights is None else float(weights.sum())
        return self.evaluate_checked(X, Y, weights).cost + self.l2_penalty(l2, n) + self.l1_penalty(l1, n)

    def accuracy(self, X: object, Y: object) -> float:
        """The fraction of rows classified right (classification costs only)."""
        result = self.evaluate(X, Y).accuracy
        if result is None:
            raise InputError(
                f"accuracy applies to classification costs; this network's cost is {self.cost_function.name!r}"
            )
        return result

    # -- backpropagation ------------------------------------------------------------------------------------
    def backpropagate(self, Y: np.ndarray, weights: np.ndarray | None = None) -> None:
        """The four equations, for the batch of the last :meth:`propagate`, on checked targets ``Y``.

        Leaves each layer's ``delta`` (dJ/ds), ``grad_weights`` (dJ/dW) and ``grad_bias`` (dJ/db).
        ``weights`` (checked, one per row) make J the weighted mean of the samples' costs.
        """
        layers = self.layers
        output = layers[-1]
        rows = len(Y)
        delta = self.cost_function.output_delta(                                     # BP1
            output.s, output.a, Y, output.activation, out=output.delta_buffer(rows), weights=weights
        )
        for l in range(len(layers) - 1, -1, -1):
            layer = layers[l]
            layer.delta = delta
            np.add.reduce(delta, axis=0, out=layer.grad_bias)                          # BP3 (np.sum's own call)
            if isinstance(layer.a_prev, np.ndarray):
                np.matmul(layer.a_prev.T, delta, out=layer.grad_weights)               # BP4
            else:
                sparse_gradient(layer.a_prev, delta, layer.grad_weights)               # BP4 on a sparse X
            if l > 0:
                below = layers[l - 1]
                delta = np.matmul(delta, layer.weights.T, out=below.delta_buffer(rows))  # BP2: blame sent back,
                below.times_slope(delta)                                                 # times f'(s_{l-1})
                if below.dropout_mask is not None:  # dropout: a neuron dropped in this step takes no blame
                    delta *= below.dropout_mask

    def add_l2_gradient(self, l2: float, n_samples: float) -> None:
        """Add the slope of the L2 term, ``(l2 / n) W``, to each layer's weight gradient."""
        regularisation.add_l2_gradient(self.layers, l2, n_samples)

    def l1_penalty(self, l1: float, n_samples: float) -> float:
        """The L1 term ``l1 / n * sum of all |weights|`` (biases are not penalised)."""
        return regularisation.l1_penalty(self.layers, l1, n_samples)

    def add_l1_gradient(self, l1: float, n_samples: float) -> None:
        """Add the slope of the L1 term, ``(l1 / n) sign(W)`` (``sign(0) = 0``), to each weight gradient."""
        regularisation.add_l1_gradient(self.layers, l1, n_samples)

    def gradients(
        self, X: object, Y: object, l2: float = 0.0, sample_weight: object = None, l1: float = 0.0
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(dJ/dW, dJ/db), ...]`` for each layer on (X, Y), by backpropagation (see :meth:`cost`).

        Afterwards each layer's ``s``, ``a`` and ``delta`` describe this batch.
        """
        l2 = check_non_negative("l2", l2)
        l1 = check_non_negative("l1", l1)
        X, Y = self.check_XY(X, Y)
        weights = check_sample_weight(sample_weight, len(X), self.dtype)
        self.check_trainable()
        self.propagate(X)
        self.backpropagate(Y, weights)
        n = len(X) if weights is None else float(weights.sum())
        self.add_l2_gradient(l2, n)
        self.add_l1_gradient(l1, n)
        return [(layer.grad_weights.copy(), layer.grad_bias.copy()) for layer in self.layers]

    # -- training -------------------------------------------------------------------------------------------
    def fit(self, X: object, Y: object, epochs: int, **options):
        """Train by gradient descent; see :func:`glassnet.training.fit` for every option. Returns a History."""
        from .training import fit  # the network knows nothing of training; this is only a shortcut to it

        return fit(self, X, Y, epochs, **options)

    # -- looking inside -------------------------------------------------------------------------------------
    def trace(self, x: object, y: object, learning_rate: float | None = None, **options):
        """The worked numbers of one training step on one example; see :func:`glassnet.inspect.trace`.

        ``print(net.trace(x, y))`` walks through the forward pass, the cost, every neuron's delta, every
        gradient and the update. The weights are not changed.
        """
        from .inspect import trace  # the network knows nothing of the teaching views; only a shortcut

        return trace(self, x, y, learning_rate=learning_rate, **options)

    def blame(self, X: object, Y: object, **options):
        """Each neuron's mean |delta| over (X, Y) and the upstream neurons it blames most.

        See :func:`glassnet.inspect.blame`; ``print(net.blame(X, Y))`` shows it as a table.
        """
        from .inspect import blame

        return blame(self, X, Y, **options)

    # -- copies and descriptions ----------------------------------------------------------------------------
    def copy(self, dtype: str | np.dtype | None = None) -> Network:
        """An independent copy with the same weights (converted to ``dtype`` when given) and seed."""
        # the activation objects themselves (they hold no state): a custom Activation subclass survives
        # the copy, so gradcheck, which works on a float64 copy, checks the network it was given
        layers = [
            Dense(layer.n_in, layer.n_out, layer.activation, layer.weights, layer.bias)
            for layer in self.layers
        ]
        clone = Network(layers, cost=self.cost_function, seed=self.seed, dtype=dtype or self.dtype)
        clone.rng.bit_generator.state = self.rng.bit_generator.state
        return clone

    def save(self, path, *, preprocessing: object = None, training: object = None):
        """Save to one safe file (no pickle); ``glassnet.load(path)`` reads it back. See glassnet.persistence."""
        from .persistence import save  # the network knows nothing of files; this is only a shortcut

        return save(self, path, preprocessing=preprocessing, training=training)

    def __setstate__(self, state: dict) -> None:
        # pickle and copy.deepcopy copy each layer's weights apart from the flat params they were views of;
        # bind them again, or training would move params while the layers kept their old weights
        self.__dict__.update(state)
        self._bind_parameters()

    def config(self) -> dict:
        """A JSON-able description of the architecture (without the weights)."""
        return {
            "sizes": self.sizes,
            "activations": [layer.activation.config() for layer in self.layers],
            "cost": self.cost_function.name,
            "dtype": self.dtype.name,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config: dict, params: np.ndarray | None = None) -> Network:
        """Rebuild a network from :meth:`config` (checked first), with the flat ``params`` when given.

        See :func:`glassnet.architecture.network_from_config` for the checks.
        """
        return network_from_config(cls, config, params)

    # -- the file form: what glassnet.persistence and checkpoints store -------------------------------------
    def file_arrays(self) -> dict[str, np.ndarray]:
        """The network's arrays as a model file stores them: ``layers.<i>.weights`` and ``layers.<i>.bias``."""
        parts = ((i, layer, part) for i, layer in enumerate(self.layers) for part in ("weights", "bias"))
        return {f"layers.{i}.{part}": getattr(layer, part) for i, layer, part in parts}

    def to_file(self) -> tuple[dict, dict[str, np.ndarray]]:
        """The network's part of a model file: :meth:`config` plus ``rng_state``, and :meth:`file_arrays`.

        The random generator's state goes with it, so training continues exactly where it stopped.
        """
        return {**self.config(), "rng_state": rng_state_to_json(self.rng.bit_generator.state)}, self.file_arrays()

    @classmethod
    def from_file(cls, header: dict, arrays: dict[str, np.ndarray]) -> Network:
        """The network :meth:`to_file` described, checked before it is built (a ModelFileError if not).

        See :func:`glassnet.architecture.network_from_file`.
        """
        return network_from_file(cls, header, arrays)

    # -- other engines --------------------------------------------------------------------------------------
    def to_onnx(self, path, **options):
        """Write this network as an ONNX graph (see :func:`glassnet.export.to_onnx`); returns the ModelProto."""
        from .export import to_onnx  # the network knows nothing of other engines; only a shortcut

        return to_onnx(self, path, **options)

    def to_torch(self, **options):
        """An ``nn.Sequential`` with this network's predictions; see :func:`glassnet.export.to_torch`."""
        from .export import to_torch

        return to_torch(self, **options)

    @classmethod
    def from_torch(cls, module, **options) -> Network:
        """A Network read from a PyTorch Sequential; see :func:`glassnet.export.from_torch`."""
        from .export import from_torch

        return from_torch(module, **options)
