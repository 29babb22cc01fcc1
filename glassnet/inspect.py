"""Look inside a network: the worked numbers of one step (trace) and who gets the error (blame).

Both read the arrays the engine computed. :func:`trace` runs the network's own forward propagation and
backpropagation (:meth:`Network.gradients`) and copies what each layer kept: its inputs ``a_prev``, its
weighted sums ``s``, activations ``a``, errors ``delta`` and gradients. There is no second, "teaching"
implementation of the maths here; what is added is only the bookkeeping a learner wants to see:

- the slope ``f'(s)`` of each hidden neuron, from the layer's own activation object;
- for each hidden neuron j, the blame it receives from each neuron m of the layer above,
  ``w[j, m] * delta_m``, whose sum times ``f'(s_j)`` is its delta (BP2);
- the value of every parameter after one plain gradient-descent step, ``w - learning_rate * dJ/dw``
  (the network itself is left unchanged).

Notation as in :mod:`glassnet.network`: layer l computes ``s = a_{l-1} @ W + b`` and ``a = f(s)``;
``a_0`` is the input. ``weights[k, j]`` joins neuron k of the layer below to neuron j, the tutorials'
``w_jk``. ``delta = dJ/ds``, the 1/n of the batch mean included (for one example, n = 1).

:func:`blame` measures, over a batch, each neuron's mean ``|delta|`` and, for each neuron j, how much of
its input comes from each upstream neuron k, as the mean of ``|w[k, j] * a_k|``: the tutorials'
"a neuron blames the most active upstream neurons", made measurable.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InputError, InputTypeError
from .layers import Dense
from .network import Network
from .validation import check_positive

__all__ = [
    "LayerTrace",
    "Trace",
    "trace",
    "explain",
    "demo_network",
    "demo_example",
    "explain_demo",
    "Blame",
    "blame",
    "DEMO_LEARNING_RATE",
]

# Mazur's "A Step by Step Backpropagation Example": a 2-2-2 sigmoid network, one example, learning rate 0.5.
DEMO_LEARNING_RATE = 0.5
_DEMO_INPUT = (0.05, 0.10)
_DEMO_TARGET = (0.01, 0.99)


# ==========================================================================================================
# Trace: the worked numbers of one gradient-descent step
# ==========================================================================================================
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
    new_weights, new_bias : the parameters after one step ``p - learning_rate * dJ/dp``.
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

    @property
    def n_in(self) -> int:
        return self.weights.shape[0]

    @property
    def n_out(self) -> int:
        return self.weights.shape[1]


@dataclass
class Trace:
    """The worked numbers of one gradient-descent step on one example (or a tiny batch).

    ``str(trace)`` is a plain-text walkthrough (Forward, Cost, Backward, Gradients, Update); see
    :meth:`to_text` for its options (``full=True`` shows every neuron and weight of big layers),
    :meth:`to_markdown` and :meth:`to_json` / :meth:`to_dict` for the other forms.
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

    @property
    def n_samples(self) -> int:
        return len(self.x)

    @property
    def output(self) -> np.ndarray:
        """The network's outputs ``a_L``, (n, n_outputs)."""
        return self.layers[-1].a

    def gradients(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``[(dJ/dW, dJ/db), ...]`` per layer, as :meth:`Network.gradients` returns them."""
        return [(layer.grad_weights, layer.grad_bias) for layer in self.layers]

    def __str__(self) -> str:
        return self.to_text()

    # -- plain text -----------------------------------------------------------------------------------------
    def to_text(
        self,
        full: bool = False,
        max_neurons: int | None = 6,
        max_weights: int | None = 6,
        max_samples: int | None = 4,
        digits: int = 6,
    ) -> str:
        """A learner's walkthrough of the step, in five parts: Forward, Cost, Backward, Gradients, Update.

        Big layers are shortened to their first ``max_neurons`` neurons and each neuron to its first
        ``max_weights`` weights, with "... N more"; ``full=True`` (or None limits) shows everything.
        Numbers get ``digits`` significant digits.
        """
        return _TextRenderer(self, full, max_neurons, max_weights, max_samples, digits).render()

    # -- markdown -------------------------------------------------------------------------------------------
    def to_markdown(
        self,
        full: bool = False,
        max_neurons: int | None = 6,
        max_weights: int | None = 6,
        max_samples: int | None = 4,
        digits: int = 6,
    ) -> str:
        """The same walkthrough as Markdown: a heading per part and a table per layer."""
        return _MarkdownRenderer(self, full, max_neurons, max_weights, max_samples, digits).render()

    # -- JSON -----------------------------------------------------------------------------------------------
    def to_dict(self, max_neurons: int | None = None, max_weights: int | None = None) -> dict[str, Any]:
        """Everything as plain Python data (strict-JSON-able: non-finite numbers become None).

        Per-sample quantities (``s``, ``a``, ``delta``, ...) are lists with one entry per sample. By
        default nothing is left out; ``max_neurons`` / ``max_weights`` shorten big layers and record how
        many were left out (``neurons_omitted``, ``weights_omitted``).
        """
        layers = []
        for lt in self.layers:
            neurons = []
            n_shown = _limit(lt.n_out, max_neurons)
            k_shown = _limit(lt.n_in, max_weights)
            for j in range(n_shown):
                neuron: dict[str, Any] = {
                    "neuron": j,
                    "bias": _f(lt.bias[j]),
                    "s": _list(lt.s[:, j]),
                    "a": _list(lt.a[:, j]),
                    "dcost_da": None if lt.dcost_da is None else _list(lt.dcost_da[:, j]),
                    "slope": None if lt.slope is None else _list(lt.slope[:, j]),
                    "delta": _list(lt.delta[:, j]),
                }
                if lt.contributions is not None:
                    upper = self.layers[lt.number]
                    neuron["contributions"] = [
                        {
                            "downstream_neuron": m,
                            "weight": _f(upper.weights[j, m]),
                            "delta": _list(upper.delta[:, m]),
                            "product": _list(lt.contributions[:, j, m]),
                        }
                        for m in range(upper.n_out)
                    ]
                neuron["bias_gradient"] = _f(lt.grad_bias[j])
                neuron["new_bias"] = _f(lt.new_bias[j])
                neuron["weights"] = [
                    {
                        "from": k,
                        "value": _f(lt.weights[k, j]),
                        "gradient": _f(lt.grad_weights[k, j]),
                        "new_value": _f(lt.new_weights[k, j]),
                    }
                    for k in range(k_shown)
                ]
                neuron["weights_omitted"] = lt.n_in - k_shown
                neurons.append(neuron)
            layers.append(
                {
                    "layer": lt.number,
                    "activation": lt.activation,
                    "output": lt.is_output,
                    "fused": lt.fused,
                    "inputs": [_list(row) for row in lt.inputs],
                    "neurons": neurons,
                    "neurons_omitted": lt.n_out - n_shown,
                }
            )
        return {
            "network": {
                "sizes": list(self.sizes),
                "activations": [lt.activation for lt in self.layers],
                "cost": self.cost_name,
                "dtype": self.dtype,
            },
            "notation": _NOTATION_SHORT,
            "n_samples": self.n_samples,
            "learning_rate": _f(self.learning_rate),
            "input_names": self.input_names,
            "inputs": [_list(row) for row in self.x],
            "targets": [_list(row) for row in self.y],
            "outputs": [_list(row) for row in self.output],
            "cost": _f(self.cost),
            "layers": layers,
        }

    def to_json(self, indent: int | None = 2, **options: Any) -> str:
        """:meth:`to_dict` as strict JSON (no NaN or Infinity)."""
        return json.dumps(self.to_dict(**options), indent=indent, allow_nan=False)


_NOTATION_SHORT = (
    "layer l computes s = a_{l-1} @ weights + bias and a = f(s); a_0 is the input. weights[k, j] joins "
    "neuron k of the layer below to neuron j (the tutorials' w_jk). delta = dJ/ds with the 1/n of the batch "
    "mean included. Layer l is net.layers[l - 1]; neurons count from 0 as in the arrays."
)


def _as_batch(net: Network, x: object, y: object) -> tuple[object, object]:
    """Turn one example (1-D x; a label, number or 1-D target row y) into a batch of one row."""
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


def trace(
    net: Network,
    x: object,
    y: object,
    learning_rate: float = 0.1,
    input_names: list[str] | None = None,
) -> Trace:
    """The worked numbers of one gradient-descent step of ``net`` on the example ``(x, y)``.

    ``x`` is one example (1-D, ``n_inputs`` numbers) or a tiny batch (2-D); ``y`` its target: a number, a
    class label (cross-entropy) or a row of targets. Runs the engine's forward propagation and
    backpropagation (:meth:`Network.gradients`) and copies what every layer computed. The network's
    weights are not changed (``new_weights`` show what one step would make of them); the arrays its layers
    keep now describe this example.
    """
    if not isinstance(net, Network):
        raise InputTypeError(f"trace needs a glassnet Network, got {type(net).__name__}")
    learning_rate = check_positive("learning_rate", learning_rate)
    X, Y = net.check_XY(*_as_batch(net, x, y))
    if input_names is not None and len(input_names) != net.n_inputs:
        raise InputError(f"input_names has {len(input_names)} names; the network has {net.n_inputs} inputs")
    net.gradients(X, Y)  # the engine's forward propagation and BP1-BP4; every layer keeps its arrays
    layers = net.layers
    output = layers[-1]
    cost_function = net.cost_function
    cost = cost_function.value(output.s, output.a, Y)
    fused = cost_function.fused_with is not None
    traced = []
    for index, layer in enumerate(layers):
        is_output = index == len(layers) - 1
        if is_output:
            contributions = None
            if fused:
                dcost_da = slope = None
            else:
                dcost_da = np.array(cost_function.gradient(output.a, Y), dtype=net.dtype)
                slope = np.array(layer.activation.slope(layer.s, layer.a), dtype=net.dtype)
        else:
            upper = layers[index + 1]
            # the blame neuron j receives from neuron m above: w[j, m] * delta_m, per sample (BP2's terms)
            contributions = upper.weights[np.newaxis, :, :] * upper.delta[:, np.newaxis, :]
            dcost_da = contributions.sum(axis=2)
            slope = np.array(layer.activation.slope(layer.s, layer.a), dtype=net.dtype)
        weights, bias = layer.weights.copy(), layer.bias.copy()
        grad_weights, grad_bias = layer.grad_weights.copy(), layer.grad_bias.copy()
        traced.append(
            LayerTrace(
                number=index + 1,
                activation=layer.activation.name,
                is_output=is_output,
                fused=is_output and fused,
                inputs=layer.a_prev.copy(),
                weights=weights,
                bias=bias,
                s=layer.s.copy(),
                a=layer.a.copy(),
                dcost_da=dcost_da,
                slope=slope,
                contributions=contributions,
                delta=layer.delta.copy(),
                grad_weights=grad_weights,
                grad_bias=grad_bias,
                new_weights=weights - learning_rate * grad_weights,
                new_bias=bias - learning_rate * grad_bias,
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
        input_names=None if input_names is None else [str(n) for n in input_names],
    )


def _network_of(model: object) -> Network:
    if isinstance(model, Network):
        return model
    for attribute in ("network_", "network"):
        inner = getattr(model, attribute, None)
        if isinstance(inner, Network):
            return inner
    raise InputTypeError(
        f"explain needs a glassnet Network (or a fitted glassnet estimator), got {type(model).__name__}"
    )


def explain(
    model: object,
    x: object,
    y: object,
    learning_rate: float = 0.1,
    format: str = "text",
    full: bool = False,
    max_neurons: int | None = 6,
    max_weights: int | None = 6,
    input_names: list[str] | None = None,
) -> str:
    """The trace of one step on ``(x, y)`` rendered as ``format``: ``"text"``, ``"markdown"`` or ``"json"``.

    ``model`` is a Network or a fitted estimator holding one (``network_``). ``full=True`` shows every
    neuron and weight (text and Markdown); JSON always holds everything unless limits are given.
    """
    net = _network_of(model)
    kind = str(format).lower()
    if kind not in ("text", "markdown", "md", "json"):
        raise InputError(f"format must be 'text', 'markdown' or 'json', got {format!r}")
    result = trace(net, x, y, learning_rate=learning_rate, input_names=input_names)
    if kind == "json":
        return result.to_json()
    render = result.to_markdown if kind in ("markdown", "md") else result.to_text
    return render(full=full, max_neurons=max_neurons, max_weights=max_weights)


def demo_network() -> Network:
    """A tiny 2-2-2 sigmoid network with fixed weights: the one of Matt Mazur's worked example.

    Hidden layer: ``w1..w4 = 0.15, 0.20, 0.25, 0.30`` and bias 0.35; output layer ``w5..w8 = 0.40, 0.45,
    0.50, 0.55`` and bias 0.60; cost mse, which for one example and two outputs is his
    ``E = sum 1/2 (target - out)^2``. Use it with :func:`demo_example` and a learning rate of 0.5.
    """
    hidden = Dense(2, 2, "sigmoid", weights=[[0.15, 0.25], [0.20, 0.30]], bias=[0.35, 0.35])
    output = Dense(2, 2, "sigmoid", weights=[[0.40, 0.50], [0.45, 0.55]], bias=[0.60, 0.60])
    return Network([hidden, output], cost="mse", dtype="float64")


def demo_example() -> tuple[np.ndarray, np.ndarray]:
    """The demo network's example: inputs ``(0.05, 0.10)``, targets ``(0.01, 0.99)``."""
    return np.array(_DEMO_INPUT), np.array(_DEMO_TARGET)


def explain_demo(format: str = "text", full: bool = False) -> str:
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
    )


# -- rendering helpers ---------------------------------------------------------------------------------------
def _f(value: object) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _list(values: np.ndarray) -> list[float | None]:
    return [_f(v) for v in np.ravel(values)]


def _limit(count: int, maximum: int | None) -> int:
    return count if maximum is None else max(0, min(count, int(maximum)))


class _Renderer:
    """Shared number formatting and elision for the text and Markdown walkthroughs."""

    def __init__(self, tr: Trace, full: bool, max_neurons, max_weights, max_samples, digits: int) -> None:
        self.tr = tr
        self.max_neurons = None if full else max_neurons
        self.max_weights = None if full else max_weights
        self.max_samples = None if full else max_samples
        self.digits = int(digits)
        self.one = tr.n_samples == 1

    def num(self, value: object) -> str:
        return f"{float(value) + 0.0:.{self.digits}g}"  # + 0.0 turns -0.0 into 0.0

    def factor(self, value: object) -> str:
        """A number as a factor in a product: negative ones in parentheses."""
        text = self.num(value)
        return f"({text})" if text.startswith("-") else text

    def vals(self, column: np.ndarray) -> str:
        """One number per sample: a plain number for one sample, else a bracketed (shortened) list."""
        column = np.ravel(column)
        if len(column) == 1:
            return self.num(column[0])
        shown = _limit(len(column), self.max_samples)
        parts = [self.num(v) for v in column[:shown]]
        if shown < len(column):
            parts.append(f"... {len(column) - shown} more")
        return "[" + ", ".join(parts) + "]"

    def row(self, values: np.ndarray, names: list[str] | None = None) -> str:
        """A vector of numbers (a layer's values for one sample), shortened to ``max_weights`` entries."""
        values = np.ravel(values)
        shown = _limit(len(values), self.max_weights)
        parts = [self.num(v) for v in values[:shown]]
        if names is not None:
            parts = [f"{names[k]}={p}" for k, p in enumerate(parts)]
        if shown < len(values):
            parts.append(f"... {len(values) - shown} more")
        return "[" + ", ".join(parts) + "]"

    def neurons(self, lt: LayerTrace) -> tuple[range, int]:
        shown = _limit(lt.n_out, self.max_neurons)
        return range(shown), lt.n_out - shown

    def weights(self, lt: LayerTrace) -> tuple[range, int]:
        shown = _limit(lt.n_in, self.max_weights)
        return range(shown), lt.n_in - shown

    def layer_title(self, lt: LayerTrace) -> str:
        word = "neuron" if lt.n_out == 1 else "neurons"
        return f"layer {lt.number} ({lt.n_out} {word}, {lt.activation}{', output' if lt.is_output else ''})"

    def s_formula(self, lt: LayerTrace, j: int) -> str:
        """``w*a + w*a + ... + b = s`` for one sample, or just the values of s for several."""
        if not self.one:
            return f"s = {self.vals(lt.s[:, j])}"
        ks, more = self.weights(lt)
        terms = [f"{self.factor(lt.weights[k, j])}*{self.factor(lt.inputs[0, k])}" for k in ks]
        if more:
            terms.append(f"... ({more} more terms)")
        terms.append(self.factor(lt.bias[j]))
        return f"s = {' + '.join(terms)} = {self.num(lt.s[0, j])}"

    def cost_formula(self) -> str:
        name = self.tr.cost_name
        if name == "mse":
            return "J = mean over samples and outputs of (a - y)^2"
        if name == "binary_cross_entropy":
            return "J = -1/n sum [y ln a + (1 - y) ln(1 - a)]"
        if name == "cross_entropy":
            return "J = -1/n sum y ln a"
        return "J"

    def delta_note(self) -> str:
        if self.one:
            return "delta = dJ/ds"
        return f"delta = dJ/ds, the 1/n of the batch mean included (n = {self.tr.n_samples})"

    def received(self, lt: LayerTrace, j: int) -> str:
        """BP2's sum for neuron j: ``w[j, m]*delta_m + ... = dJ/da_j``."""
        upper = self.tr.layers[lt.number]
        shown = _limit(upper.n_out, self.max_weights)
        if self.one:
            terms = [
                f"{self.factor(upper.weights[j, m])}*{self.factor(upper.delta[0, m])}" for m in range(shown)
            ]
        else:
            terms = [f"w[{j}, {m}]*delta_{m}" for m in range(shown)]
        if shown < upper.n_out:
            terms.append(f"... ({upper.n_out - shown} more terms)")
        return f"{' + '.join(terms)} = {self.vals(lt.dcost_da[:, j])}"

    def inputs_line(self) -> str:
        tr = self.tr
        if self.one:
            return f"input a0 = {self.row(tr.x[0], tr.input_names)}"
        shown = _limit(tr.n_samples, self.max_samples)
        rows = "; ".join(self.row(tr.x[i], tr.input_names) for i in range(shown))
        more = f"; ... {tr.n_samples - shown} more samples" if shown < tr.n_samples else ""
        return f"input a0 ({tr.n_samples} samples) = {rows}{more}"


class _TextRenderer(_Renderer):
    def render(self) -> str:
        tr = self.tr
        acts = ", ".join(lt.activation for lt in tr.layers)
        what = "1 example" if self.one else f"a batch of {tr.n_samples} examples"
        out = [
            f"Worked numbers: one step of gradient descent on {what}",
            f"network {'-'.join(str(s) for s in tr.sizes)} ({acts}), cost {tr.cost_name}, "
            f"learning rate {self.num(tr.learning_rate)}",
            "",
            "Layer l computes s_j = sum_k w[k, j] * a_k + b_j and a_j = f(s_j); a0 is the input.",
            "weights[k, j] joins neuron k of the layer below to neuron j: the tutorials write it w_jk.",
            "Layer l is net.layers[l - 1]; neurons count from 0, as in the arrays.",
        ]
        out += ["", "Forward", f"  {self.inputs_line()}"]
        for lt in tr.layers:
            out.append(f"  {self.layer_title(lt)}")
            js, more = self.neurons(lt)
            for j in js:
                argument = self.num(lt.s[0, j]) if self.one else "s"
                a_text = f"a = {lt.activation}({argument}) = {self.vals(lt.a[:, j])}"
                if lt.activation == "softmax":
                    a_text = f"a = softmax(s)_{j} = {self.vals(lt.a[:, j])}"
                out.append(f"    neuron {j}: {self.s_formula(lt, j)}   {a_text}")
            if more:
                out.append(f"    ... {more} more neurons")
        out += ["", "Cost"]
        if self.one:
            out.append(f"  output a = {self.row(tr.output[0])}   target y = {self.row(tr.y[0])}")
        else:
            shown = _limit(tr.n_samples, self.max_samples)
            for i in range(shown):
                out.append(
                    f"  sample {i}: output a = {self.row(tr.output[i])}   target y = {self.row(tr.y[i])}"
                )
            if shown < tr.n_samples:
                out.append(f"  ... {tr.n_samples - shown} more samples")
        out.append(f"  {tr.cost_name}: {self.cost_formula()} = {self.num(tr.cost)}")

        out += ["", f"Backward (BP1, BP2): each neuron's error, {self.delta_note()}"]
        for lt in reversed(tr.layers):
            js, more = self.neurons(lt)
            if lt.is_output:
                if lt.fused:
                    out.append(
                        f"  {self.layer_title(lt)}, BP1 fused with {tr.cost_name}: delta = (a - y) / n, "
                        "f'(s) cancels"
                    )
                    for j in js:
                        n = tr.n_samples
                        if self.one:
                            formula = f"({self.num(lt.a[0, j])} - {self.factor(tr.y[0, j])}) / 1"
                        else:
                            formula = f"(a - y) / {n}"
                        out.append(f"    neuron {j}: delta = {formula} = {self.vals(lt.delta[:, j])}")
                else:
                    out.append(f"  {self.layer_title(lt)}, BP1: delta = dJ/da * f'(s)")
                    for j in js:
                        product = (
                            f"{self.factor(lt.dcost_da[0, j])} * {self.factor(lt.slope[0, j])} = "
                            if self.one
                            else ""
                        )
                        delta = self.vals(lt.delta[:, j])
                        out.append(
                            f"    neuron {j}: dJ/da = {self.vals(lt.dcost_da[:, j])}   "
                            f"f'(s) = {self.vals(lt.slope[:, j])}   delta = {product}{delta}"
                        )
            else:
                above = lt.number + 1
                bp2 = f"delta_j = (sum_m w[j, m] * delta_m of layer {above}) * f'(s_j)"
                out.append(f"  {self.layer_title(lt)}, BP2: {bp2}")
                for j in js:
                    out.append(f"    neuron {j}: blame from layer {above}: {self.received(lt, j)}")
                    slope, delta = self.vals(lt.slope[:, j]), self.vals(lt.delta[:, j])
                    product = f"{self.vals(lt.dcost_da[:, j])} * {slope} = " if self.one else ""
                    out.append(f"              f'(s) = {slope}   delta = {product}{delta}")
            if more:
                out.append(f"    ... {more} more neurons")

        summed = "" if self.one else f", summed over the {tr.n_samples} samples"
        out += ["", f"Gradients (BP3: dJ/db_j = delta_j, BP4: dJ/dw[k, j] = a_k * delta_j{summed})"]
        for lt in tr.layers:
            out.append(f"  layer {lt.number}")
            js, more = self.neurons(lt)
            for j in js:
                out.append(f"    neuron {j}: dJ/db = {self.num(lt.grad_bias[j])}")
                ks, more_k = self.weights(lt)
                for k in ks:
                    if self.one:
                        product = f"{self.factor(lt.inputs[0, k])} * {self.factor(lt.delta[0, j])} = "
                    else:
                        product = ""
                    out.append(f"      dJ/dw[{k}, {j}] = {product}{self.num(lt.grad_weights[k, j])}")
                if more_k:
                    out.append(f"      ... {more_k} more weights")
            if more:
                out.append(f"    ... {more} more neurons")

        lr = self.num(tr.learning_rate)
        out += [
            "",
            f"Update: p <- p - learning_rate * dJ/dp, learning rate {lr} (the network is not changed)",
        ]
        for lt in tr.layers:
            out.append(f"  layer {lt.number}")
            js, more = self.neurons(lt)
            for j in js:
                out.append(
                    f"    neuron {j}: b = {self.num(lt.bias[j])} - {lr} * {self.factor(lt.grad_bias[j])} "
                    f"= {self.num(lt.new_bias[j])}"
                )
                ks, more_k = self.weights(lt)
                for k in ks:
                    out.append(
                        f"      w[{k}, {j}] = {self.num(lt.weights[k, j])} - {lr} * "
                        f"{self.factor(lt.grad_weights[k, j])} = {self.num(lt.new_weights[k, j])}"
                    )
                if more_k:
                    out.append(f"      ... {more_k} more weights")
            if more:
                out.append(f"    ... {more} more neurons")
        if any(self.neurons(lt)[1] or self.weights(lt)[1] for lt in tr.layers):
            out += ["", "(big layers shortened; full=True, or --full on the command line, shows everything)"]
        return "\n".join(out)


class _MarkdownRenderer(_Renderer):
    def table(self, header: list[str], rows: list[list[str]]) -> list[str]:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return lines

    def render(self) -> str:
        tr = self.tr
        acts = ", ".join(lt.activation for lt in tr.layers)
        what = "1 example" if self.one else f"a batch of {tr.n_samples} examples"
        out = [
            f"# Worked numbers: one step of gradient descent on {what}",
            "",
            f"Network {'-'.join(str(s) for s in tr.sizes)} ({acts}), cost `{tr.cost_name}`, "
            f"learning rate {self.num(tr.learning_rate)}.",
            "",
            "Layer *l* computes `s_j = sum_k w[k, j] * a_k + b_j` and `a_j = f(s_j)`; `a0` is the input. "
            "`weights[k, j]` joins neuron *k* of the layer below to neuron *j* (the tutorials' `w_jk`). "
            "Layer *l* is `net.layers[l - 1]`; neurons count from 0.",
            "",
            "## Forward",
            "",
            f"`{self.inputs_line()}`",
        ]
        for lt in tr.layers:
            out += ["", f"### {self.layer_title(lt).capitalize()}", ""]
            js, more = self.neurons(lt)
            rows = [[str(j), f"`{self.s_formula(lt, j)}`", self.vals(lt.a[:, j])] for j in js]
            out += self.table(["neuron", "weighted sum", "a = f(s)"], rows)
            if more:
                out += ["", f"... {more} more neurons"]
        out += ["", "## Cost", ""]
        if self.one:
            out.append(f"Output `a = {self.row(tr.output[0])}`, target `y = {self.row(tr.y[0])}`.")
            out.append("")
        out.append(f"`{tr.cost_name}`: `{self.cost_formula()}` = **{self.num(tr.cost)}**")

        out += ["", "## Backward (BP1, BP2)", "", f"Each neuron's error, `{self.delta_note()}`."]
        for lt in reversed(tr.layers):
            js, more = self.neurons(lt)
            out += ["", f"### {self.layer_title(lt).capitalize()}", ""]
            if lt.is_output and lt.fused:
                out += [f"BP1 fused with `{tr.cost_name}`: `delta = (a - y) / n`.", ""]
                rows = [
                    [str(j), self.vals(lt.a[:, j]), self.vals(tr.y[:, j]), self.vals(lt.delta[:, j])]
                    for j in js
                ]
                out += self.table(["neuron", "a", "y", "delta"], rows)
            elif lt.is_output:
                out += ["BP1: `delta = dJ/da * f'(s)`.", ""]
                rows = [
                    [
                        str(j),
                        self.vals(lt.dcost_da[:, j]),
                        self.vals(lt.slope[:, j]),
                        self.vals(lt.delta[:, j]),
                    ]
                    for j in js
                ]
                out += self.table(["neuron", "dJ/da", "f'(s)", "delta"], rows)
            else:
                out += [f"BP2: `delta_j = (sum_m w[j, m] * delta_m of layer {lt.number + 1}) * f'(s_j)`.", ""]
                rows = [
                    [
                        str(j),
                        f"`{self.received(lt, j)}`",
                        self.vals(lt.slope[:, j]),
                        self.vals(lt.delta[:, j]),
                    ]
                    for j in js
                ]
                out += self.table(["neuron", "blame received (dJ/da)", "f'(s)", "delta"], rows)
            if more:
                out += ["", f"... {more} more neurons"]

        lr = self.num(tr.learning_rate)
        out += [
            "",
            "## Gradients (BP3, BP4) and the update",
            "",
            f"`dJ/db_j = delta_j`, `dJ/dw[k, j] = a_k * delta_j`"
            f"{'' if self.one else ' (summed over the samples)'}; "
            f"the update is `p - learning_rate * dJ/dp` with learning rate {lr} "
            "(the network is not changed).",
        ]
        for lt in tr.layers:
            out += ["", f"### Layer {lt.number}", ""]
            js, more = self.neurons(lt)
            rows = []
            for j in js:
                rows.append(
                    [
                        f"b[{j}]",
                        "",
                        self.vals(lt.delta[:, j]),
                        self.num(lt.grad_bias[j]),
                        self.num(lt.bias[j]),
                        self.num(lt.new_bias[j]),
                    ]
                )
                ks, more_k = self.weights(lt)
                for k in ks:
                    rows.append(
                        [
                            f"w[{k}, {j}]",
                            self.vals(lt.inputs[:, k]),
                            self.vals(lt.delta[:, j]),
                            self.num(lt.grad_weights[k, j]),
                            self.num(lt.weights[k, j]),
                            self.num(lt.new_weights[k, j]),
                        ]
                    )
                if more_k:
                    rows.append([f"... {more_k} more weights", "", "", "", "", ""])
            out += self.table(["parameter", "a_k", "delta_j", "gradient", "value", "after the step"], rows)
            if more:
                out += ["", f"... {more} more neurons"]
        return "\n".join(out) + "\n"


# ==========================================================================================================
# Blame: who gets the error, over a batch
# ==========================================================================================================
@dataclass
class Blame:
    """Each neuron's mean error over a batch, and the upstream neurons its input comes from.

    Lists have one entry per layer (index 0 is layer 1, ``net.layers[0]``).

    Attributes
    ----------
    mean_abs_delta : per layer, (n_out,): the mean over the examples of ``|dJ_i/ds|``, where ``J_i`` is
        the cost of example i alone (so it does not shrink as the batch grows; it equals what
        :func:`trace` shows as delta for that one example).
    contributions : per layer, (n_in, n_out): ``contributions[k, j]`` is the mean over the examples of
        ``|w[k, j] * a_k|``, how much upstream neuron k (or input k, for layer 1) feeds neuron j.
    top : per layer, (n_out, top_k) integer array: for each neuron, its upstream neurons ``k`` ranked by
        ``contributions[k, j]``, largest first.
    """

    n_samples: int
    sizes: list[int]
    activations: list[str]
    mean_abs_delta: list[np.ndarray]
    contributions: list[np.ndarray]
    top: list[np.ndarray]
    input_names: list[str] | None = None
    top_k: int = 3
    _shares: list[np.ndarray] | None = field(default=None, repr=False)

    @property
    def shares(self) -> list[np.ndarray]:
        """``contributions`` as fractions of each neuron's total (columns sum to 1; 0 where all are 0)."""
        if self._shares is None:
            result = []
            for c in self.contributions:
                total = c.sum(axis=0, keepdims=True)
                result.append(np.divide(c, total, out=np.zeros_like(c), where=total > 0))
            self._shares = result
        return self._shares

    def ranking(self, layer: int, neuron: int) -> list[tuple[int, float, float]]:
        """``[(k, mean |w[k, j] a_k|, share), ...]`` for neuron ``neuron`` of layer ``layer`` (1-based)."""
        if not 1 <= layer <= len(self.contributions):
            raise InputError(f"layer must be 1..{len(self.contributions)}, got {layer}")
        index = layer - 1
        if not 0 <= neuron < self.contributions[index].shape[1]:
            raise InputError(
                f"layer {layer} has neurons 0..{self.contributions[index].shape[1] - 1}, got {neuron}"
            )
        c, share = self.contributions[index], self.shares[index]
        return [(int(k), float(c[k, neuron]), float(share[k, neuron])) for k in self.top[index][neuron]]

    def _upstream_name(self, index: int, k: int) -> str:
        if index == 0:
            return self.input_names[k] if self.input_names else f"x{k}"
        return str(k)

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self, full: bool = False, max_neurons: int | None = 10, digits: int = 4) -> str:
        """A table per layer, output first: each neuron's mean |delta| and its most-blamed upstream neurons.

        Neurons are listed from the largest mean |delta| down; big layers show ``max_neurons`` of them.
        """
        limit = None if full else max_neurons
        out = [
            f"Blame over {self.n_samples} example{'s' if self.n_samples != 1 else ''}",
            "mean |delta|: a neuron's average error dJ/ds per example. Upstream neurons ranked by "
            "mean |w[k, j] * a_k| (share of the neuron's total).",
        ]
        width = 3 + 4 + digits
        for index in range(len(self.contributions) - 1, -1, -1):
            n_out = len(self.mean_abs_delta[index])
            upstream = "input" if index == 0 else f"layer {index} neuron"
            is_output = index == len(self.contributions) - 1
            out += [
                "",
                f"layer {index + 1} ({n_out} neuron{'s' if n_out != 1 else ''}, {self.activations[index]}"
                f"{', output' if is_output else ''})",
                f"  {'neuron':>6}  {'mean |delta|':>{max(width, 12)}}  "
                f"most of its input comes from ({upstream}: mean |w a|, share)",
            ]
            order = np.argsort(-self.mean_abs_delta[index], kind="stable")
            shown = _limit(n_out, limit)
            for j in order[:shown]:
                ranked = "   ".join(
                    f"{self._upstream_name(index, k)}: {value:.{digits}g} ({share:.0%})"
                    for k, value, share in self.ranking(index + 1, int(j))
                )
                out.append(
                    f"  {int(j):>6}  {self.mean_abs_delta[index][j]:>{max(width, 12)}.{digits}g}  {ranked}"
                )
            if shown < n_out:
                out.append(f"  ... {n_out - shown} more neurons (full=True shows all)")
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain Python data (strict-JSON-able)."""
        layers = []
        for index, (mad, c) in enumerate(zip(self.mean_abs_delta, self.contributions, strict=True)):
            layers.append(
                {
                    "layer": index + 1,
                    "activation": self.activations[index],
                    "mean_abs_delta": _list(mad),
                    "contributions": [_list(row) for row in c],
                    "top": [
                        [
                            {"upstream": k, "value": _f(v), "share": _f(s)}
                            for k, v, s in self.ranking(index + 1, j)
                        ]
                        for j in range(c.shape[1])
                    ],
                }
            )
        return {
            "n_samples": self.n_samples,
            "sizes": list(self.sizes),
            "input_names": self.input_names,
            "top_k": self.top_k,
            "layers": layers,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)


def blame(
    net: Network,
    X: object,
    Y: object,
    top_k: int = 3,
    input_names: list[str] | None = None,
    chunk_rows: int = 4096,
) -> Blame:
    """Each neuron's mean |delta| over (X, Y) and, per neuron, the upstream neurons ranked by mean |w a|.

    Runs the engine's forward propagation and backpropagation on the batch (in slices of ``chunk_rows``
    rows) and reads each layer's ``delta`` and ``a_prev``. The engine's delta carries the 1/m of a slice's
    mean; it is multiplied back, so ``mean_abs_delta`` is per example. The weights are not changed.
    """
    if not isinstance(net, Network):
        raise InputTypeError(f"blame needs a glassnet Network, got {type(net).__name__}")
    top_k = check_positive("top_k", top_k, integer=True)
    chunk_rows = check_positive("chunk_rows", chunk_rows, integer=True)
    X, Y = net.check_XY(X, Y)
    if len(X) == 0:
        raise InputError("blame needs at least one example")
    if input_names is not None and len(input_names) != net.n_inputs:
        raise InputError(f"input_names has {len(input_names)} names; the network has {net.n_inputs} inputs")
    net.check_trainable()
    sum_abs_delta = [np.zeros(layer.n_out) for layer in net.layers]
    sum_abs_input = [np.zeros(layer.n_in) for layer in net.layers]
    for start in range(0, len(X), chunk_rows):
        xb, yb = X[start : start + chunk_rows], Y[start : start + chunk_rows]
        net.propagate(xb)
        net.backpropagate(yb)
        rows = len(xb)
        for index, layer in enumerate(net.layers):
            # delta holds dJ/ds of the slice's mean cost, 1/rows of each example's own dJ_i/ds
            sum_abs_delta[index] += np.abs(layer.delta).sum(axis=0, dtype=np.float64) * rows
            sum_abs_input[index] += np.abs(layer.a_prev).sum(axis=0, dtype=np.float64)
    n = len(X)
    mean_abs_delta = [total / n for total in sum_abs_delta]
    # mean_i |w[k, j] a_ik| = |w[k, j]| * mean_i |a_ik|
    contributions = [
        np.abs(layer.weights.astype(np.float64)) * (total / n)[:, np.newaxis]
        for layer, total in zip(net.layers, sum_abs_input, strict=True)
    ]
    top = [np.argsort(-c, axis=0, kind="stable")[: min(top_k, c.shape[0])].T.copy() for c in contributions]
    return Blame(
        n_samples=n,
        sizes=net.sizes,
        activations=[layer.activation.name for layer in net.layers],
        mean_abs_delta=mean_abs_delta,
        contributions=contributions,
        top=top,
        input_names=None if input_names is None else [str(name) for name in input_names],
        top_k=top_k,
    )
