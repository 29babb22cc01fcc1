"""What every renderer of the records shares: plain-data numbers, elision, and the trace's formulas as text.

The records are :class:`~glassnet.inspect.trace.Trace` and :class:`~glassnet.inspect.blame.Blame`. The
renderers (:mod:`.render_text`, :mod:`.render_markdown`, :mod:`.render_html`) read only those records (the
trace's fields; the blame's ``to_dict()``) and compute nothing: every number they print was put in the record
by the engine or by the record's builder. Here are the pieces they have in common:

- :func:`plain_number` / :func:`plain_list`: numpy values as plain Python floats, for ``to_dict()``;
- :func:`limit`: how many of ``count`` items a shortened view shows;
- :class:`TraceView`: number formatting and the written-out sums (``s = w*a + ... + b``, BP2's blame
  received) that the text and Markdown walkthroughs both print, and the forward pass as matrices
  (:mod:`.render_matrix`).

This module imports no other part of glassnet at run time, so the records can import it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .select import gradient_counts, largest, top_entries, top_terms

if TYPE_CHECKING:
    from .select import Terms
    from .trace import LayerTrace, Trace

__all__ = ["plain_number", "plain_list", "limit", "TraceView", "WIDE", "WIDTH"]

WIDE = 64  # a layer with more inputs or neurons than this is "wide": its lines are fitted to WIDTH characters
WIDTH = 120


def plain_number(value: Any, json_safe: bool = True) -> float | None:
    """``value`` as a Python float; a non-finite one becomes None when ``json_safe`` (strict JSON has no NaN)."""
    number = float(value)
    return number if not json_safe or math.isfinite(number) else None


def plain_list(values: Any, json_safe: bool = True) -> list[float | None]:
    """An array, flattened, as a list of :func:`plain_number`."""
    return [plain_number(v, json_safe) for v in np.ravel(values)]


def limit(count: int, maximum: int | None) -> int:
    """How many of ``count`` items to show when at most ``maximum`` are wanted (None: all of them)."""
    return count if maximum is None else max(0, min(count, int(maximum)))


def _known(values: np.ndarray | None) -> np.ndarray:
    """A per-neuron array the record holds for this layer (a fused output has no dJ/da or slope to show)."""
    if values is None:
        raise ValueError("this layer's record has no such array (a fused output keeps no dJ/da or f'(s))")
    return values


class TraceView:
    """Number formatting and elision shared by the text and Markdown walkthroughs of one :class:`Trace`.

    ``full=True`` lifts every limit; otherwise ``max_neurons`` neurons per layer, ``max_weights`` weights
    (or terms) per neuron and ``max_samples`` samples per list are shown, with "... N more". A shortened
    layer, narrow or wide, shows the neurons with the largest ``|delta|`` (at the output the target's and the
    predicted ones first) and, per sum, the largest terms and the sum of the rest. A wide layer (more than :data:`WIDE`
    inputs or neurons) has each line fitted to :data:`WIDTH` characters and its gradients summarised.
    """

    def __init__(
        self,
        tr: Trace,
        full: bool,
        max_neurons: int | None,
        max_weights: int | None,
        max_samples: int | None,
        digits: int,
        matrices: bool | None = None,
    ) -> None:
        self.tr = tr
        self.max_neurons = None if full else max_neurons
        self.max_weights = None if full else max_weights
        self.max_samples = None if full else max_samples
        self.digits = int(digits)
        self.one = tr.n_samples == 1
        self.matrices = matrices

    def show_matrices(self) -> bool:
        """Whether the forward pass is also written as matrices: as asked, else for a small network
        (see :func:`.render_matrix.small_enough`)."""
        from .render_matrix import small_enough

        return small_enough(self) if self.matrices is None else bool(self.matrices)

    def matrix_lines(self, indent: str = "  ") -> list[str]:
        """The forward pass as matrices, ``s = a_prev @ W + b`` per layer (see :mod:`.render_matrix`)."""
        from .render_matrix import matrix_lines

        return matrix_lines(self, indent)

    def num(self, value: Any) -> str:
        return f"{float(value) + 0.0:.{self.digits}g}"  # + 0.0 turns -0.0 into 0.0

    def factor(self, value: Any) -> str:
        """A number as a factor in a product: negative ones in parentheses."""
        text = self.num(value)
        return f"({text})" if text.startswith("-") else text

    def vals(self, column: np.ndarray | None) -> str:
        """One number per sample: a plain number for one sample, else a bracketed (shortened) list."""
        column = np.ravel(_known(column))
        if len(column) == 1:
            return self.num(column[0])
        shown = limit(len(column), self.max_samples)
        parts = [self.num(v) for v in column[:shown]]
        if shown < len(column):
            parts.append(f"... {len(column) - shown} more")
        return "[" + ", ".join(parts) + "]"

    def row(self, values: np.ndarray, names: list[str] | None = None) -> str:
        """A vector of numbers (a layer's values for one sample), shortened to ``max_weights`` entries."""
        values = np.ravel(values)
        shown = limit(len(values), self.max_weights)
        parts = [self.num(v) for v in values[:shown]]
        if names is not None:
            parts = [f"{names[k]}={p}" for k, p in enumerate(parts)]
        if shown < len(values):
            parts.append(f"... {len(values) - shown} more")
        return "[" + ", ".join(parts) + "]"

    def neurons(self, lt: LayerTrace) -> tuple[list[int], int]:
        """The neurons shown (see :meth:`Trace.shown_neurons`: those with the largest |delta|, in a narrow layer
        as in a wide one; at the output the target's and the predicted ones always), and how many are left
        out."""
        shown = self.tr.shown_neurons(lt, self.max_neurons)
        return shown, lt.n_out - len(shown)

    def weights(self, lt: LayerTrace) -> tuple[range, int]:
        """The incoming weights shown per neuron (the first ones), and how many are left out."""
        shown = limit(lt.n_in, self.max_weights)
        return range(shown), lt.n_in - shown

    def wide(self, lt: LayerTrace) -> bool:
        """Whether the layer is shown in the compact form of a wide layer (never with ``full=True``)."""
        return self.max_weights is not None and max(lt.n_in, lt.n_out) > WIDE

    def fitted(self, make: Callable[[int | None], str], wide: bool) -> str:
        """``make(count)`` with the most terms (up to ``max_weights``) that keep a wide layer's line in WIDTH."""
        if not wide or self.max_weights is None:
            return make(self.max_weights)
        for count in range(self.max_weights, 1, -1):
            line = make(count)
            if len(line) <= WIDTH:
                return line
        return make(1)

    def name(self, lt: LayerTrace, j: int) -> str:
        """``neuron j``, at the output with its class name (when given) and, in a shortened layer, whether
        it is the target's or the predicted neuron."""
        tags = []
        if lt.is_output and self.tr.class_names is not None:
            tags.append(repr(self.tr.class_names[j]))
        if lt.is_output and self.max_neurons is not None and lt.n_out > self.max_neurons:
            if j in self.tr.target_neurons():
                tags.append("target")
            if j in self.tr.predicted_neurons():
                tags.append("predicted")
        return f"neuron {j}" + (f" ({', '.join(tags)})" if tags else "")

    def others(self, lt: LayerTrace) -> str:
        """What the neurons a shortened layer leaves out have in common."""
        return " (smaller |delta|)"

    def gradient_ks(self, lt: LayerTrace, j: int) -> tuple[list[int], int, int]:
        """The incoming weights of neuron j whose gradients a shortened view shows: the largest ``|dJ/dw|``
        (all, in order, when nothing is shortened); how many are left out, and how many of those are 0."""
        t = top_terms(lt.grad_weights[:, j], self.max_weights)
        return t.shown, t.left_out, t.zeros

    def gradient_summary(self, lt: LayerTrace) -> list[str]:
        """A wide layer's gradients in a few lines: the largest ``|dJ/db|`` and ``|dJ/dw|`` entries and how many
        entries are exactly 0 because their input a_k or their neuron's delta_j was 0 (BP4)."""
        counts = gradient_counts(lt.inputs, lt.delta, lt.grad_weights)
        out = [
            f"  layer {lt.number}: of {counts.entries} dJ/dw, {counts.zero} are 0: {counts.zero_by_input} as a_k = 0 "
            f"({counts.zero_inputs} of {lt.n_in} inputs), {counts.zero_by_delta} as delta_j = 0 "
            f"({counts.zero_deltas} of {lt.n_out} neurons)"
        ]
        top = top_entries(lt.grad_weights, self.max_weights or 1)

        def entry(k: int, j: int) -> str:
            product = f"{self.factor(lt.inputs[0, k])} * {self.factor(lt.delta[0, j])} = " if self.one else ""
            return f"dJ/dw[{k}, {j}] = {product}{self.num(lt.grad_weights[k, j])}"

        out.append(self.fitted(lambda c: "    the largest: " + "   ".join(entry(*kj) for kj in top[:c]), True))
        return out

    def update_summary(self, lt: LayerTrace) -> list[str]:
        """A wide layer's update in one line: the steps of its largest-gradient weight and bias entries."""
        lr = self.num(self.tr.learning_rate)
        top = top_entries(lt.grad_weights, self.max_weights or 1)
        biases = largest(lt.grad_bias, self.max_weights)

        def w(k: int, j: int) -> str:
            if self.tr.optimizer is not None:  # the optimizer's step: the value before and after it
                return f"w[{k}, {j}] = {self.num(lt.weights[k, j])} -> {self.num(lt.new_weights[k, j])}"
            return (f"w[{k}, {j}] = {self.num(lt.weights[k, j])} - {lr} * {self.factor(lt.grad_weights[k, j])} "
                    f"= {self.num(lt.new_weights[k, j])}")

        def b(j: int) -> str:
            if self.tr.optimizer is not None:
                return f"b[{j}] = {self.num(lt.bias[j])} -> {self.num(lt.new_bias[j])}"
            step = f"{self.num(lt.bias[j])} - {lr} * {self.factor(lt.grad_bias[j])}"
            return f"b[{j}] = {step} = {self.num(lt.new_bias[j])}"

        pairs = [w(*kj) for kj in top] + [b(j) for j in biases]
        order = [p for pair in zip(pairs[: len(top)], pairs[len(top) :], strict=False) for p in pair]
        return [self.fitted(lambda c: f"  layer {lt.number}: " + "   ".join(order[: c or None]), True)]

    def zero_note(self, left_out: int, zeros: int) -> str:
        """How many of the gradients left out are exactly 0 (then unchanged by the step)."""
        if not zeros:
            return ""
        return " (all with gradient 0)" if zeros == left_out else f" ({zeros} of them with gradient 0)"

    def rest(self, t: Terms, what: str, wide: bool = False) -> str:
        """The terms a sum leaves out: ``[... (N more terms, Z of them w*0) = their sum]``; in a wide layer
        ``[N more terms = their sum]`` (its title says how many inputs are 0)."""
        if not t.shown:
            return f"[{t.left_out} terms, all {what}0 = {self.num(t.rest)}]"
        if wide:
            return f"[{t.left_out} more terms = {self.num(t.rest)}]"
        if t.zeros == t.left_out:
            zeros = f", all {what}0"
        elif t.zeros:
            zeros = f", {t.zeros} of them {what}0"
        else:
            zeros = ""
        return f"[... ({t.left_out} more terms{zeros}) = {self.num(t.rest)}]"

    def layer_title(self, lt: LayerTrace) -> str:
        word = "neuron" if lt.n_out == 1 else "neurons"
        return f"layer {lt.number} ({lt.n_out} {word}, {lt.activation}{', output' if lt.is_output else ''})"

    def zero_inputs(self, lt: LayerTrace) -> str:
        """A wide layer's note of its inputs that are 0 in every sample (their terms w*0 are never shown)."""
        zeros = int(np.sum(np.all(lt.inputs == 0, axis=0)))
        if not self.wide(lt) or not zeros:
            return ""
        return f": {zeros} of its {lt.n_in} inputs are 0 (terms w*0, never shown while others are not 0)"

    def s_formula(self, lt: LayerTrace, j: int, count: int | None | str = "default") -> str:
        """``w*a + w*a + ... + b = s`` for one sample, or just the values of s for several.

        Shortened to ``count`` terms (``max_weights`` by default): the largest ``|w*a|`` ones, then the
        number and sum of the rest, so that the printed terms, rest and bias add up to s.
        """
        if not self.one:
            return f"s = {self.vals(lt.s[:, j])}"
        t = lt.top_terms(j, self.max_weights if count == "default" else cast("int | None", count))
        terms = [f"{self.factor(lt.weights[k, j])}*{self.factor(lt.inputs[0, k])}" for k in t.shown]
        if t.left_out:
            terms.append(self.rest(t, "w*", self.wide(lt)))
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

    def received(self, lt: LayerTrace, j: int, count: int | None | str = "default") -> str:
        """BP2's sum for neuron j: ``w[j, m]*delta_m + ... = dJ/da_j``, shortened like :meth:`s_formula`."""
        upper = self.tr.layers[lt.number]
        count = self.max_weights if count == "default" else cast("int | None", count)
        if self.one:
            t = self.tr.blame_terms(lt, j, count)
            terms = [f"{self.factor(upper.weights[j, m])}*{self.factor(upper.delta[0, m])}" for m in t.shown]
            if t.left_out:
                terms.append(self.rest(t, "", self.wide(lt)))
        else:
            shown = limit(upper.n_out, count)
            terms = [f"w[{j}, {m}]*delta_{m}" for m in range(shown)]
            if shown < upper.n_out:
                terms.append(f"... ({upper.n_out - shown} more terms)")
        return f"{' + '.join(terms)} = {self.vals(_known(lt.dcost_da)[:, j])}"

    def inputs_line(self) -> str:
        tr = self.tr
        if self.one and self.wide(tr.layers[0]) and self.max_weights is not None and len(tr.x[0]) > self.max_weights:
            x = tr.x[0]
            zeros = int(np.sum(x == 0))
            top = largest(x, min(self.max_weights, len(x) - zeros))
            if not top:
                return f"input a0: {len(x)} values, all 0"

            def line(c: int | None) -> str:
                names = tr.input_names
                shown = ", ".join(f"{names[k] if names else f'a0[{k}]'} = {self.num(x[k])}" for k in top[:c])
                return f"input a0: {len(x)} values, {zeros} of them 0; the largest: {shown}"

            return self.fitted(line, True)
        if self.one:
            return f"input a0 = {self.row(tr.x[0], tr.input_names)}"
        shown = limit(tr.n_samples, self.max_samples)
        rows = "; ".join(self.row(tr.x[i], tr.input_names) for i in range(shown))
        more = f"; ... {tr.n_samples - shown} more samples" if shown < tr.n_samples else ""
        return f"input a0 ({tr.n_samples} samples) = {rows}{more}"

    def column(self, values: np.ndarray | None, j: int) -> str:
        """``vals`` of neuron j's column of a per-sample array the record holds."""
        return self.vals(_known(values)[:, j])

    def first(self, values: np.ndarray | None, j: int) -> str:
        """Neuron j's value for the first (only) sample, as a factor."""
        return self.factor(_known(values)[0, j])
