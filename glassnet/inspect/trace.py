"""The worked numbers of one gradient-descent step: the :class:`Trace` record, :func:`trace` and :func:`explain`.

:func:`trace` runs the network's own forward propagation and backpropagation (:meth:`Network.gradients`)
and copies what each layer kept: its inputs ``a_prev``, its weighted sums ``s``, activations ``a``, errors
``delta`` and gradients. There is no second, "teaching" implementation of the maths here; what is added is
only the bookkeeping a learner wants to see:

- the slope ``f'(s)`` of each hidden neuron, from the layer's own activation object;
- for each hidden neuron j, the blame it receives from each neuron m of the layer above,
  ``w[j, m] * delta_m``, whose sum times ``f'(s_j)`` is its delta (BP2);
- the value of every parameter after one step (the network itself is left unchanged): a plain
  gradient-descent step ``w - learning_rate * dJ/dw`` by default, or, given the ``optimizer`` a model was
  trained with, the step that optimizer would take with its memory (momentum's velocity, Adam's moments);
- with ``dropout``, the masks of that step: which hidden neurons were dropped (they pass 0 up and take no
  blame) and the ``1 / (1 - p)`` the kept ones are scaled by (see :mod:`glassnet.dropout`).

Notation as in :mod:`glassnet.network`: layer l computes ``s = a_{l-1} @ W + b`` and ``a = f(s)``;
``a_0`` is the input. ``weights[k, j]`` joins neuron k of the layer below to neuron j, the tutorials'
``w_jk``. ``delta = dJ/ds``, the 1/n of the batch mean included (for one example, n = 1).

The :class:`Trace` is the one record of a step: the text and Markdown walkthroughs (:mod:`.render_text`,
:mod:`.render_markdown`) read its fields, and :meth:`Trace.to_dict` is the form the playground's page reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from ..dropout import dropout_rates
from ..errors import InputError, InputTypeError
from ..network import Network
from ..optimizers import Optimizer, get_optimizer
from ..validation import check_positive
from .record import layer_records
from .render import plain_list, plain_number
from .render_markdown import trace_markdown
from .render_text import trace_text
from .select import Terms, chosen_neurons, top_terms
from .stepping import (
    as_batch,
    classes_of,
    describe_optimizer,
    kept,
    names_of_classes,
    names_of_inputs,
    network_of,
    optimizer_of,
    optimizer_step,
    passes,
)

__all__ = ["LayerTrace", "Trace", "trace", "explain", "NOTATION", "kept", "names_of_inputs", "names_of_classes"]

NOTATION = (
    "layer l computes s = a_{l-1} @ weights + bias and a = f(s); a_0 is the input. weights[k, j] joins "
    "neuron k of the layer below to neuron j (the tutorials' w_jk). delta = dJ/ds with the 1/n of the batch "
    "mean included. Layer l is net.layers[l - 1]; neurons count from 0 as in the arrays."
)


@dataclass
class LayerTrace:
    """What one layer did in a traced step. Arrays have one row per sample (shape ``(n, ...)``).

    Attributes
    ----------
    number : 1 for the first Dense layer (``net.layers[0]``); ``a_0`` is the input.
    activation : the name of ``f``.
    is_output : whether this is the output layer (its delta comes from BP1, the others' from BP2).
    fused : at the output, True when the cost is fused with the activation (cross-entropy), so that
        ``delta = (a - y) / n`` and ``dcost_da`` and ``slope`` are not used.
    inputs : ``a_{l-1}``, (n, n_in). weights : (n_in, n_out). bias : (n_out,).
    s : ``inputs @ weights + bias``, (n, n_out). a : ``f(s)``, (n, n_out).
    dcost_da : ``dJ/da`` for each neuron, (n, n_out): at the output the cost's gradient, below it the sum
        of ``contributions`` (the blame sent back); None at a fused output.
    slope : ``f'(s)``, (n, n_out); None at a fused output.
    contributions : hidden layers only, (n, n_out, n_next): ``contributions[i, j, m]`` is
        ``w[j, m] * delta_m`` of the layer above for sample i.
    delta : ``dJ/ds``, (n, n_out), as the engine computed it.
    grad_weights : ``dJ/dW``, (n_in, n_out). grad_bias : ``dJ/db``, (n_out,).
    new_weights, new_bias : the parameters after one step: ``p - learning_rate * dJ/dp``, or the step of
        the trace's optimizer.
    mask : hidden layers with dropout only, (n, n_out): the step's dropout mask, 0 where a neuron was
        dropped for a sample and ``1 / (1 - p)`` where it was kept; the layer above received ``a * mask``
        (its ``inputs``) and ``delta = dcost_da * mask * slope``. None without dropout.
    """

    number: int
    activation: str
    is_output: bool
    fused: bool
    inputs: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    s: np.ndarray
    a: np.ndarray
    dcost_da: np.ndarray | None
    slope: np.ndarray | None
    contributions: np.ndarray | None
    delta: np.ndarray
    grad_weights: np.ndarray
    grad_bias: np.ndarray
    new_weights: np.ndarray
    new_bias: np.ndarray
    mask: np.ndarray | None = None

    @property
    def n_in(self) -> int:
        return int(self.weights.shape[0])

    @property
    def n_out(self) -> int:
        return int(self.weights.shape[1])

    def terms(self, j: int, sample: int = 0) -> np.ndarray:
        """The terms ``w[k, j] * a_k`` of neuron j's weighted sum ``s_j`` for one sample, in float64."""
        return np.asarray(self.weights[:, j], dtype=np.float64) * np.asarray(self.inputs[sample], dtype=np.float64)

    def top_terms(self, j: int, count: int | None, sample: int = 0) -> Terms:
        """The largest ``|w[k, j] * a_k|`` terms of ``s_j`` and the sum of the rest (see :func:`.select.top_terms`)."""
        return top_terms(self.terms(j, sample), count)


@dataclass
class Trace:
    """The worked numbers of one gradient-descent step on one example (or a tiny batch).

    ``str(trace)`` is a plain-text walkthrough (Forward, Cost, Backward, Gradients, Update); see
    :meth:`to_text` for its options (``full=True`` shows every neuron and weight of big layers),
    :meth:`to_markdown` and :meth:`to_json` / :meth:`to_dict` for the other forms. Every form is rendered
    from this record's fields; none of them computes a number of its own.

    ``optimizer`` describes the optimizer whose step ``new_weights`` show, or is None for plain gradient
    descent; ``dropout`` holds each hidden layer's rate when the step dropped neurons (see ``mask``).
    """

    sizes: list[int]
    cost_name: str
    dtype: str
    learning_rate: float
    x: np.ndarray
    y: np.ndarray
    cost: float
    layers: list[LayerTrace]
    input_names: list[str] | None = None
    class_names: list[str] | None = None
    optimizer: str | None = None
    dropout: list[float] | None = None

    @property
    def n_samples(self) -> int:
        return len(self.x)

    @property
    def output(self) -> np.ndarray:
        """The network's outputs ``a_L``, (n, n_outputs)."""
        return self.layers[-1].a

    def target_neurons(self) -> list[int]:
        """The output neurons the targets point at, per sample (classification costs; else none)."""
        if self.layers[-1].n_out < 2 or self.cost_name not in ("cross_entropy", "binary_cross_entropy"):
            return []
        if self.cost_name == "cross_entropy":
            return [int(j) for j in np.argmax(self.y, axis=1)]
        return [int(j) for j in np.flatnonzero(np.any(self.y == 1, axis=0))]

    def predicted_neurons(self) -> list[int]:
        """The output neuron with the largest output, per sample (classification costs; else none)."""
        if self.layers[-1].n_out < 2 or self.cost_name not in ("cross_entropy", "binary_cross_entropy"):
            return []
        return [int(j) for j in np.argmax(self.output, axis=1)]

    def shown_neurons(self, lt: LayerTrace, count: int | None, by_delta: bool = True) -> list[int]:
        """The neurons of layer ``lt`` a view limited to ``count`` shows, in index order: at the output the
        target's and the predicted neurons first, then those with the largest ``|delta|`` (or, with
        ``by_delta=False``, the first ones)."""
        first = self.target_neurons() + self.predicted_neurons() if lt.is_output else None
        return chosen_neurons(lt.delta, count, first, by_delta)

    def blame_terms(self, lt: LayerTrace, j: int, count: int | None, sample: int = 0) -> Terms:
        """The largest ``|w[j, m] * delta_m|`` terms of BP2's sum for hidden neuron j, and the sum of the rest."""
        if lt.contributions is None:
            raise ValueError("only a hidden layer receives blame from a layer above")
        return top_terms(lt.contributions[sample, j], count)

    def gradients(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(dJ/dW, dJ/db), ...]`` per layer, as :meth:`Network.gradients` returns them."""
        return [(layer.grad_weights, layer.grad_bias) for layer in self.layers]

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        what = "1 example" if self.n_samples == 1 else f"{self.n_samples} examples"
        return (f"Trace(network {'-'.join(map(str, self.sizes))}, {what}, {self.cost_name} = {self.cost:.6g}, "
                f"learning rate {self.learning_rate:g}; print() it for the worked numbers)")

    def _repr_html_(self) -> str:
        """Jupyter's view: the walkthrough with each part and layer folding open and shut."""
        from .notebook import trace_html

        return trace_html(self)

    def to_text(
        self,
        full: bool = False,
        max_neurons: int | None = 6,
        max_weights: int | None = 6,
        max_samples: int | None = 4,
        digits: int = 6,
        matrices: bool | None = False,
    ) -> str:
        """A learner's walkthrough of the step, in five parts: Forward, Cost, Backward, Gradients, Update.

        Big layers are shortened to ``max_neurons`` neurons and each sum to its ``max_weights`` largest terms
        with "... N more": a weighted sum ``s_j`` shows its largest ``|w[k, j] * a_k|`` terms (never a zero
        input's while others are nonzero) and the number and sum of the rest, so the printed terms, rest and
        bias add up to ``s_j``; BP2's sums likewise. At the output the target's and the predicted neurons are
        always shown. A wide layer (more than 64 inputs or neurons) shows the neurons with the largest
        ``|delta|``, fits each line to about 120 characters and summarises its gradients: the largest
        ``|dJ/dw|`` and how many are exactly 0 because ``a_k = 0`` or ``delta_j = 0`` (BP4). ``full=True`` (or
        None limits) shows everything. Numbers get ``digits`` significant digits. ``matrices=True`` adds the
        forward pass as matrices, ``s = a_{l-1} @ W + b`` with every number, one layer at a time; None shows
        them for a small network (no layer over 8 by 8, at most 4 samples), as :func:`explain` and Jupyter do.
        """
        return trace_text(self, full, max_neurons, max_weights, max_samples, digits, matrices)

    def to_markdown(
        self,
        full: bool = False,
        max_neurons: int | None = 6,
        max_weights: int | None = 6,
        max_samples: int | None = 4,
        digits: int = 6,
        matrices: bool | None = False,
    ) -> str:
        """The same walkthrough as Markdown: a heading per part and a table per layer."""
        return trace_markdown(self, full, max_neurons, max_weights, max_samples, digits, matrices)

    def to_dict(self, max_neurons: int | None = None, max_weights: int | None = None) -> dict[str, Any]:
        """Everything as plain Python data (strict-JSON-able: non-finite numbers become None).

        By default nothing is left out; ``max_neurons`` / ``max_weights`` keep the first neurons of each
        layer and the first incoming weights of each neuron, and record how many were left out. "Per
        sample" below means a list with one entry per sample, in the order of ``inputs``; neurons and
        inputs count from 0, layers from 1 (layer l is ``net.layers[l - 1]``)::

            network        {sizes: [n_inputs, ..., n_outputs], activations: [name of f per layer],
                            cost: the cost's name, dtype: the network's float type}
            notation       the conventions above, in one paragraph
            n_samples      n
            learning_rate  the learning rate of the step
            optimizer      the optimizer whose step new_bias and new_value show (its name and settings), or
                           None for plain gradient descent (new = p - learning_rate * dJ/dp)
            dropout        [rate per hidden layer] when the step dropped neurons, else None
            input_names    [name per input], or None
            class_names    [class name per output neuron], or None
            target_neurons, predicted_neurons  per sample, the output neuron of the target's class and the
                           one with the largest output (classification costs; else empty lists)
            inputs         per sample, [a_0 per input]
            targets        per sample, [y per output]
            outputs        per sample, [a_L per output]
            cost           J of the batch
            layers         per layer, the first hidden layer first:
              layer            l
              activation       the name of f
              output           whether it is the output layer (its delta from BP1; the others' from BP2)
              fused            whether its delta is the fused (a - y) / n (then dcost_da and slope are None)
              inputs           per sample, [a_{l-1} per input]
              neurons          per neuron j shown:
                neuron           j
                bias             b_j
                s, a             per sample: s_j = sum_k a_k * w[k, j] + b_j, and a_j = f(s_j)
                dcost_da, slope  per sample: dJ/da_j and f'(s_j); None at a fused output
                delta            per sample: dJ/ds_j = dJ/da_j * f'(s_j) (BP1, BP2); with dropout
                                 dJ/da_j * mask_j * f'(s_j)
                mask             with dropout only, per sample: 0 where neuron j was dropped, else 1 / (1 - p)
                contributions    hidden layers only; per neuron m of layer l + 1: {downstream_neuron: m,
                                 weight: w[j, m], delta: per sample delta_m, product: per sample
                                 w[j, m] * delta_m}; the products sum to dcost_da (BP2)
                bias_gradient    dJ/db_j, delta_j summed over the samples (BP3)
                new_bias         b_j - learning_rate * dJ/db_j (or the optimizer's step)
                weights          per incoming weight shown: {from: k, value: w[k, j], gradient: dJ/dw[k, j]
                                 (a_k * delta_j summed over the samples, BP4), new_value: w[k, j] -
                                 learning_rate * dJ/dw[k, j]}
                weights_omitted  how many incoming weights were left out
              neurons_omitted  how many neurons were left out
        """
        layers = layer_records(self, max_neurons, max_weights)
        return {
            "network": {
                "sizes": list(self.sizes),
                "activations": [lt.activation for lt in self.layers],
                "cost": self.cost_name,
                "dtype": self.dtype,
            },
            "notation": NOTATION,
            "n_samples": self.n_samples,
            "learning_rate": plain_number(self.learning_rate),
            "optimizer": self.optimizer,
            "dropout": self.dropout,
            "input_names": self.input_names,
            "class_names": self.class_names,
            "target_neurons": self.target_neurons(),
            "predicted_neurons": self.predicted_neurons(),
            "inputs": [plain_list(row) for row in self.x],
            "targets": [plain_list(row) for row in self.y],
            "outputs": [plain_list(row) for row in self.output],
            "cost": plain_number(self.cost),
            "layers": layers,
        }

    def to_json(self, indent: int | None = 2, **options: Any) -> str:
        """:meth:`to_dict` as strict JSON (no NaN or Infinity)."""
        return json.dumps(self.to_dict(**options), indent=indent, allow_nan=False)


def trace(
    net: Network,
    x: object,
    y: object,
    learning_rate: float | None = None,
    input_names: list[str] | None = None,
    class_names: list[str] | None = None,
    optimizer: str | Optimizer | None = None,
    dropout: object = None,
    seed: int = 0,
) -> Trace:
    """The worked numbers of one training step of ``net`` on the example ``(x, y)``.

    ``x`` is one example (1-D, ``n_inputs`` numbers) or a tiny batch (2-D); ``y`` its target: a number, a
    class label (cross-entropy) or a row of targets. Runs the engine's forward propagation and
    backpropagation (:meth:`Network.gradients`) and copies what every layer computed. The network's
    weights are not changed (``new_weights`` show what one step would make of them); the arrays its layers
    keep now describe this example. ``input_names`` name the inputs; ``class_names`` (one per output neuron)
    name the output neurons by class in the views.

    ``optimizer`` (an Optimizer, e.g. the one a model was trained with, or a name for a fresh one) makes
    the update that optimizer's next step, with its memory: momentum's ``v <- momentum v - lr g; p <- p + v``,
    Adam's ``p <- p - lr m^ / (sqrt(v^) + eps)``; its memory is copied, never changed. ``learning_rate``
    defaults to the optimizer's current rate, or 0.1 for the plain step ``p - learning_rate * dJ/dp``.
    ``dropout`` (a rate, or one per hidden layer) drops hidden neurons as a training step would, with masks
    drawn from ``numpy.random.default_rng(seed)`` (the network's own generator is left alone).
    """
    if not isinstance(net, Network):
        raise InputTypeError(f"trace needs a glassnet Network, got {type(net).__name__}")
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        optimizer = get_optimizer(optimizer)
    if learning_rate is None:
        learning_rate = 0.1 if optimizer is None else optimizer.learning_rate
    learning_rate = cast(float, check_positive("learning_rate", learning_rate))
    rates = dropout_rates(dropout, net)
    X, Y = net.check_XY(*as_batch(net, x, y))
    input_names = names_of_inputs(net, input_names)
    class_names = names_of_classes(net, class_names)
    # the engine's forward propagation and BP1-BP4 (with dropout, the training step's own passes with masks)
    masks = passes(net, X, Y, rates, seed)
    layers = net.layers
    stepped = None if optimizer is None else optimizer_step(optimizer, net, net.grads, learning_rate)
    output = layers[-1]
    cost_function = net.cost_function
    cost = cost_function.value(kept(output.s), kept(output.a), Y)
    fused = cost_function.fused_with is not None
    traced = []
    for index, layer in enumerate(layers):
        s, a = kept(layer.s), kept(layer.a)
        is_output = index == len(layers) - 1
        contributions: np.ndarray | None = None
        dcost_da: np.ndarray | None = None
        slope: np.ndarray | None = None
        if is_output:
            if not fused:
                dcost_da = np.array(cost_function.gradient(a, Y), dtype=net.dtype)
                slope = np.array(layer.activation.slope(s, a), dtype=net.dtype)
        else:
            upper = layers[index + 1]
            # the blame neuron j receives from neuron m above: w[j, m] * delta_m, per sample (BP2's terms)
            contributions = kept(upper.weights)[np.newaxis, :, :] * kept(upper.delta)[:, np.newaxis, :]
            dcost_da = contributions.sum(axis=2)
            slope = np.array(layer.activation.slope(s, a), dtype=net.dtype)
        weights, bias = kept(layer.weights).copy(), kept(layer.bias).copy()
        grad_weights, grad_bias = kept(layer.grad_weights).copy(), kept(layer.grad_bias).copy()
        if stepped is None:
            new_weights, new_bias = weights - learning_rate * grad_weights, bias - learning_rate * grad_bias
        else:
            new_weights, new_bias = stepped[index]
        traced.append(
            LayerTrace(
                number=index + 1,
                activation=layer.activation.name,
                is_output=is_output,
                fused=is_output and fused,
                inputs=kept(layer.a_prev).copy(),
                weights=weights,
                bias=bias,
                s=s.copy(),
                a=a.copy(),
                dcost_da=dcost_da,
                slope=slope,
                contributions=contributions,
                delta=kept(layer.delta).copy(),
                grad_weights=grad_weights,
                grad_bias=grad_bias,
                new_weights=new_weights,
                new_bias=new_bias,
                mask=masks[index],
            )
        )
    return Trace(
        sizes=net.sizes,
        cost_name=cost_function.name,
        dtype=net.dtype.name,
        learning_rate=learning_rate,
        x=X.copy(),
        y=Y.copy(),
        cost=float(cost),
        layers=traced,
        input_names=input_names,
        class_names=class_names,
        optimizer=None if optimizer is None else describe_optimizer(optimizer),
        dropout=rates if any(rates) else None,
    )


def explain(
    model: object,
    x: object,
    y: object,
    learning_rate: float | None = None,
    format: str = "text",
    full: bool = False,
    max_neurons: int | None = 6,
    max_weights: int | None = 6,
    input_names: list[str] | None = None,
    class_names: list[str] | None = None,
    matrices: bool | None = None,
    optimizer: str | Optimizer | None = None,
    dropout: object = None,
    seed: int = 0,
) -> str:
    """The trace of one step on ``(x, y)`` rendered as ``format``: ``"text"``, ``"markdown"`` or ``"json"``.

    ``model`` is a Network or a fitted estimator holding one (``network_``). ``full=True`` shows every
    neuron and weight (text and Markdown); JSON always holds everything unless limits are given. For a
    fitted estimator the update is the step of the optimizer it trained with (momentum's velocity, Adam's
    moments) and the output neurons are named by its ``classes_``, unless ``optimizer`` / ``class_names``
    say otherwise; ``optimizer``, ``dropout`` and ``seed`` are as in :func:`trace`. ``matrices`` writes the
    forward pass as matrices too (True), never (False), or for a small network (None).
    """
    net = network_of(model)
    kind = str(format).lower()
    if kind not in ("text", "markdown", "md", "json"):
        raise InputError(f"format must be 'text', 'markdown' or 'json', got {format!r}")
    max_neurons = check_positive("max_neurons", max_neurons, integer=True, allow_none=True)
    max_weights = check_positive("max_weights", max_weights, integer=True, allow_none=True)
    if optimizer is None:
        optimizer = optimizer_of(model)
    if class_names is None:
        class_names = classes_of(model, net)
    result = trace(net, x, y, learning_rate=learning_rate, input_names=input_names, class_names=class_names,
                   optimizer=optimizer, dropout=dropout, seed=seed)
    if kind == "json":
        return result.to_json()
    render = result.to_markdown if kind in ("markdown", "md") else result.to_text
    return render(full=full, max_neurons=max_neurons, max_weights=max_weights, matrices=matrices)
