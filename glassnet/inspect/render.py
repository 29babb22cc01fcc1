"""What every renderer of the records shares: plain-data numbers, elision, and the trace's formulas as text.

The records are :class:`~glassnet.inspect.trace.Trace` and :class:`~glassnet.inspect.blame.Blame`. The
renderers (:mod:`.render_text`, :mod:`.render_markdown`, :mod:`.render_html`) read only those records (the
trace's fields; the blame's ``to_dict()``) and compute nothing: every number they print was put in the record
by the engine or by the record's builder. Here are the pieces they have in common:

- :func:`plain_number` / :func:`plain_list`: numpy values as plain Python floats, for ``to_dict()``;
- :func:`limit`: how many of ``count`` items a shortened view shows;
- :class:`TraceView`: number formatting and the written-out sums (``s = w*a + ... + b``, BP2's blame
  received) that the text and Markdown walkthroughs both print.

This module imports no other part of glassnet at run time, so the records can import it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .trace import LayerTrace, Trace

__all__ = ["plain_number", "plain_list", "limit", "TraceView"]


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
    (or terms) per neuron and ``max_samples`` samples per list are shown, with "... N more".
    """

    def __init__(
        self,
        tr: Trace,
        full: bool,
        max_neurons: int | None,
        max_weights: int | None,
        max_samples: int | None,
        digits: int,
    ) -> None:
        self.tr = tr
        self.max_neurons = None if full else max_neurons
        self.max_weights = None if full else max_weights
        self.max_samples = None if full else max_samples
        self.digits = int(digits)
        self.one = tr.n_samples == 1

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

    def neurons(self, lt: LayerTrace) -> tuple[range, int]:
        """The neurons shown, and how many are left out."""
        shown = limit(lt.n_out, self.max_neurons)
        return range(shown), lt.n_out - shown

    def weights(self, lt: LayerTrace) -> tuple[range, int]:
        """The incoming weights shown per neuron, and how many are left out."""
        shown = limit(lt.n_in, self.max_weights)
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
        shown = limit(upper.n_out, self.max_weights)
        if self.one:
            terms = [
                f"{self.factor(upper.weights[j, m])}*{self.factor(upper.delta[0, m])}" for m in range(shown)
            ]
        else:
            terms = [f"w[{j}, {m}]*delta_{m}" for m in range(shown)]
        if shown < upper.n_out:
            terms.append(f"... ({upper.n_out - shown} more terms)")
        return f"{' + '.join(terms)} = {self.vals(_known(lt.dcost_da)[:, j])}"

    def inputs_line(self) -> str:
        tr = self.tr
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
