"""Rich display in Jupyter: HTML views of a Network, a Trace, a Blame record and a training History.

Jupyter calls an object's ``_repr_html_`` to show it; those methods (on :class:`~glassnet.network.Network`,
:class:`~glassnet.inspect.trace.Trace`, :class:`~glassnet.inspect.blame.Blame` and
:class:`~glassnet.callbacks.History`) delegate here. Like the other renderers these read only the records
and the arrays the engine computed, and compute nothing of their own: every number shown is one the object
holds. The text forms (``print(obj)``) are unchanged.

- :func:`network_html`: the diagram (an inline SVG: a circle per neuron, a line per weight, blue for a
  positive weight and red for a negative one, its width growing with ``|w|``; hover for ``w[k, j]`` and
  ``b[j]``) and the table of layers;
- :func:`trace_html`: the worked numbers of one step, each part (Forward, Cost, Backward, Gradients and the
  update) and each layer in a ``<details>`` block that folds open and shut;
- :func:`blame_view_html`: blame's table per layer and a bar per neuron of its mean ``|delta|``;
- :func:`history_html`: the cost curve (and the validation cost) as SVG and a table of epochs;
- :func:`cost_curve_svg`: the curve alone, which :class:`~glassnet.callbacks.LiveCost` redraws as it learns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .render import TraceView, limit
from .render_html import blame_html, esc

if TYPE_CHECKING:
    from ..callbacks import History
    from ..network import Network
    from .blame import Blame
    from .trace import LayerTrace, Trace

__all__ = ["network_html", "trace_html", "blame_view_html", "history_html", "cost_curve_svg", "POSITIVE",
           "NEGATIVE"]

POSITIVE, NEGATIVE = "#2b6cb0", "#c53030"  # blue for a positive weight, red for a negative one
MAX_EDGES = 600  # a diagram draws at most this many weights (a big network is drawn by its first neurons)
_STYLE = ("<style>.glassnet table{border-collapse:collapse;margin:4px 0}.glassnet td,.glassnet th{border:1px solid "
          "#ccc;padding:2px 6px;text-align:right;font-family:monospace}.glassnet .left{text-align:left}"
          ".glassnet summary{cursor:pointer;font-weight:bold}</style>")


def _g(value: float, digits: int = 4) -> str:
    """``digits`` significant digits, "-" for a missing or non-finite number (-0 shown as 0)."""
    if value is None or not math.isfinite(float(value)):
        return "-"
    return f"{float(value) + 0.0:.{digits}g}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 0) -> str:
    """An HTML table; cells are escaped; the first ``left`` columns are left-aligned."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=left' if i < left else ''}>{esc(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


# -- the network --------------------------------------------------------------------------------------------
def network_html(net: Network, max_neurons: int = 12, digits: int = 4) -> str:
    """The network's diagram (SVG) and its table of layers (shapes, activations, parameter counts).

    Each column of circles is a layer (``a_0``, the input, on the left); a line from neuron k to neuron j of
    layer l is ``weights[k, j]`` (``s = a_{l-1} @ W + b``), blue when positive and red when negative, wider
    for a larger ``|w|``; its tooltip (``<title>``) gives the value, as a neuron's gives its bias ``b[j]``.
    Layers of more than ``max_neurons`` neurons are drawn by their first ones, and at most :data:`MAX_EDGES`
    lines are drawn in all.
    """
    sizes = net.sizes
    shown = [limit(n, max_neurons) for n in sizes]
    width, height, radius = 120 * len(sizes) + 40, 28 * max(shown) + 60, 8
    x_of = [60 + 120 * i for i in range(len(sizes))]

    def y_of(column: int, j: int) -> float:
        top = (height - 28 * shown[column]) / 2 + 14
        return top + 28 * j

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img"><title>network {"-".join(map(str, sizes))}</title>']
    edges = sum(shown[i] * shown[i + 1] for i in range(len(sizes) - 1))
    if edges <= MAX_EDGES:
        for index, layer in enumerate(net.layers):
            w = np.asarray(layer.weights, dtype=np.float64)[: shown[index], : shown[index + 1]]
            scale = float(np.max(np.abs(w))) if w.size and np.all(np.isfinite(w)) else 0.0
            for k in range(w.shape[0]):
                for j in range(w.shape[1]):
                    value = float(w[k, j])
                    stroke = 0.5 + 3.0 * abs(value) / scale if scale > 0 and math.isfinite(value) else 0.5
                    colour = POSITIVE if value >= 0 else NEGATIVE
                    parts.append(
                        f'<line x1="{x_of[index]}" y1="{y_of(index, k):.1f}" x2="{x_of[index + 1]}" '
                        f'y2="{y_of(index + 1, j):.1f}" stroke="{colour}" stroke-width="{stroke:.2f}" '
                        f'stroke-opacity="0.7"><title>layer {index + 1} w[{k}, {j}] = {_g(value, digits)}</title>'
                        "</line>"
                    )
    for column, n in enumerate(sizes):
        label = "input" if column == 0 else f"layer {column}"
        parts.append(f'<text x="{x_of[column]}" y="12" text-anchor="middle" font-size="11">{esc(label)}</text>')
        bias = None if column == 0 else np.asarray(net.layers[column - 1].bias, dtype=np.float64)
        for j in range(shown[column]):
            tip = f"a0[{j}]" if bias is None else f"layer {column} neuron {j}: b[{j}] = {_g(bias[j], digits)}"
            parts.append(f'<circle cx="{x_of[column]}" cy="{y_of(column, j):.1f}" r="{radius}" fill="#fff" '
                         f'stroke="#333"><title>{esc(tip)}</title></circle>')
        if shown[column] < n:
            parts.append(f'<text x="{x_of[column]}" y="{height - 8}" text-anchor="middle" font-size="10">'
                         f"... {n - shown[column]} more</text>")
    parts.append("</svg>")
    rows = [
        [str(i), f"{layer.n_in} x {layer.n_out}", str(layer.n_out), layer.activation.name, str(layer.n_params)]
        for i, layer in enumerate(net.layers, start=1)
    ]
    table = _table(["layer", "weights", "bias", "activation", "params"], rows)
    caption = (f"<p>Network {esc('-'.join(map(str, sizes)))}: cost {esc(net.cost_function.name)}, dtype "
               f"{esc(net.dtype.name)}, {net.n_params} parameters. Layer l computes s = a_{{l-1}} @ W + b, a = f(s); "
               "W[k, j] joins neuron k below to neuron j (the tutorials' w_jk).</p>")
    return f'<div class="glassnet">{_STYLE}{caption}{"".join(parts)}{table}</div>'


# -- the trace ----------------------------------------------------------------------------------------------
class _HtmlTrace(TraceView):
    """The walkthrough of :class:`Trace` as HTML: the same formulas as the text, in folding blocks."""

    @staticmethod
    def fold(title: str, body: str, open_: bool = False) -> str:
        return f"<details{' open' if open_ else ''}><summary>{esc(title)}</summary>{body}</details>"

    def render(self) -> str:
        tr = self.tr
        acts = ", ".join(lt.activation for lt in tr.layers)
        what = "1 example" if self.one else f"a batch of {tr.n_samples} examples"
        head = (f"<p><b>Worked numbers: one step of gradient descent on {what}</b><br>network "
                f"{esc('-'.join(str(s) for s in tr.sizes))} ({esc(acts)}), cost {esc(tr.cost_name)} = "
                f"<b>{self.num(tr.cost)}</b>, learning rate {self.num(tr.learning_rate)}. Layer l computes "
                "s = a_{l-1} @ W + b and a = f(s); W[k, j] joins neuron k below to neuron j (the tutorials' "
                f"w_jk).</p><p><code>{esc(self.inputs_line())}</code></p>")
        parts = [
            self.fold("Forward", "".join(self.forward_layer(lt) for lt in tr.layers), open_=True),
            self.fold("Forward as matrices", f"<pre>{esc(chr(10).join(self.matrix_lines('')))}</pre>")
            if self.show_matrices() else "",
            self.fold("Cost", self.cost()),
            self.fold(f"Backward (BP1, BP2): {self.delta_note()}",
                      "".join(self.backward_layer(lt) for lt in reversed(tr.layers))),
            self.fold("Gradients (BP3, BP4) and the update", "".join(self.update_layer(lt) for lt in tr.layers)),
        ]
        return f'<div class="glassnet">{_STYLE}{head}{"".join(parts)}</div>'

    def more(self, lt: LayerTrace, more: int) -> str:
        return f"<p>... {more} more neurons{esc(self.others(lt))}</p>" if more else ""

    def forward_layer(self, lt: LayerTrace) -> str:
        js, more = self.neurons(lt)
        rows = [[self.name(lt, j), self.s_formula(lt, j), self.vals(lt.a[:, j])] for j in js]
        body = _table(["neuron", "weighted sum", "a = f(s)"], rows, left=2) + self.more(lt, more)
        return self.fold(self.layer_title(lt), body, open_=lt.n_out <= 8)

    def cost(self) -> str:
        tr = self.tr
        io = ""
        if self.one:
            io = f"<p>output a = {esc(self.row(tr.output[0]))}, target y = {esc(self.row(tr.y[0]))}</p>"
        return f"{io}<p>{esc(tr.cost_name)}: {esc(self.cost_formula())} = <b>{self.num(tr.cost)}</b></p>"

    def backward_layer(self, lt: LayerTrace) -> str:
        js, more = self.neurons(lt)
        if lt.is_output and lt.fused:
            note = f"BP1 fused with {self.tr.cost_name}: delta = (a - y) / n"
            rows = [[self.name(lt, j), self.vals(lt.a[:, j]), self.vals(self.tr.y[:, j]), self.vals(lt.delta[:, j])]
                    for j in js]
            table = _table(["neuron", "a", "y", "delta"], rows, left=1)
        elif lt.is_output:
            note = "BP1: delta = dJ/da * f'(s)"
            rows = [[self.name(lt, j), self.column(lt.dcost_da, j), self.column(lt.slope, j),
                     self.vals(lt.delta[:, j])] for j in js]
            table = _table(["neuron", "dJ/da", "f'(s)", "delta"], rows, left=1)
        else:
            note = f"BP2: delta_j = (sum_m w[j, m] * delta_m of layer {lt.number + 1}) * f'(s_j)"
            rows = [[self.name(lt, j), self.received(lt, j), self.column(lt.slope, j), self.vals(lt.delta[:, j])]
                    for j in js]
            table = _table(["neuron", "blame received (dJ/da)", "f'(s)", "delta"], rows, left=2)
        return self.fold(self.layer_title(lt), f"<p>{esc(note)}</p>{table}{self.more(lt, more)}")

    def update_layer(self, lt: LayerTrace) -> str:
        js, more = self.neurons(lt)
        rows = []
        for j in js:
            rows.append([f"b[{j}]", "", self.vals(lt.delta[:, j]), self.num(lt.grad_bias[j]), self.num(lt.bias[j]),
                         self.num(lt.new_bias[j])])
            ks, more_k, zeros = self.gradient_ks(lt, j)
            for k in ks:
                rows.append([f"w[{k}, {j}]", self.vals(lt.inputs[:, k]), self.vals(lt.delta[:, j]),
                             self.num(lt.grad_weights[k, j]), self.num(lt.weights[k, j]),
                             self.num(lt.new_weights[k, j])])
            if more_k:
                rows.append([f"... {more_k} more weights{self.zero_note(more_k, zeros)}", "", "", "", "", ""])
        note = (f"<p>dJ/db_j = delta_j, dJ/dw[k, j] = a_k * delta_j{'' if self.one else ' (summed over the samples)'};"
                f" p - learning_rate * dJ/dp with learning rate {self.num(self.tr.learning_rate)} (the network is "
                "not changed)</p>")
        table = _table(["parameter", "a_k", "delta_j", "gradient", "value", "after the step"], rows, left=1)
        return self.fold(f"layer {lt.number}", note + table + self.more(lt, more))


def trace_html(
    tr: Trace,
    full: bool = False,
    max_neurons: int | None = 6,
    max_weights: int | None = 6,
    max_samples: int | None = 4,
    digits: int = 6,
    matrices: bool | None = None,
) -> str:
    """The walkthrough of one step as HTML, each part and layer folding open and shut (see Trace.to_text)."""
    return _HtmlTrace(tr, full, max_neurons, max_weights, max_samples, digits, matrices).render()


# -- blame --------------------------------------------------------------------------------------------------
def _bars(values: Sequence[float], labels: Sequence[str], title: str, digits: int = 4) -> str:
    """Horizontal bars (SVG), one per value, longest for the largest; tooltips hold the values."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    top = max(finite) if finite and max(finite) > 0 else 1.0
    height = 16 * len(values) + 22
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="360" height="{height}" role="img">'
             f'<title>{esc(title)}</title><text x="0" y="12" font-size="11">{esc(title)}</text>']
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        length = 240 * value / top if value is not None and math.isfinite(value) else 0.0
        y = 18 + 16 * i
        parts.append(f'<text x="0" y="{y + 11}" font-size="10">{esc(label)}</text>'
                     f'<rect x="70" y="{y}" width="{length:.1f}" height="12" fill="{NEGATIVE}">'
                     f"<title>{esc(label)}: {_g(value, digits)}</title></rect>"
                     f'<text x="{74 + length:.1f}" y="{y + 11}" font-size="10">{_g(value, digits)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def blame_view_html(record: Blame, max_neurons: int = 20) -> str:
    """Blame's table per layer (as the report shows it) and, per layer, a bar of mean ``|delta|`` per neuron."""
    data = record.to_dict(json_safe=False)
    pictures = []
    for layer in reversed(data["layers"]):
        order = layer["neurons_by_blame"][:max_neurons]
        pictures.append(_bars([layer["mean_abs_delta"][j] for j in order], [f"neuron {j}" for j in order],
                              f"layer {layer['layer']}: mean |delta| per neuron"))
    caption = (f"<p>Blame over {data['n_samples']} example{'s' if data['n_samples'] != 1 else ''}: mean |delta| is "
               "a neuron's average error dJ/ds; its input's shares are mean |w[k, j] * a_k|.</p>")
    return (f'<div class="glassnet">{_STYLE}{caption}{blame_html(data, max_neurons=max_neurons)}'
            f'{"".join(pictures)}</div>')


# -- the history --------------------------------------------------------------------------------------------
def cost_curve_svg(
    cost: Sequence[float],
    val_cost: Sequence[float] = (),
    width: int = 420,
    height: int = 200,
    epochs: int | None = None,
) -> str:
    """The cost per epoch as a polyline (and the validation cost, dashed), epoch 1 on the left.

    The y axis runs from the smallest to the largest finite cost shown; ``epochs`` (the run's planned number)
    fixes the x axis so a curve drawn while training grows to the right.
    """
    series = [("cost", list(cost), POSITIVE, "")]
    if len(val_cost):
        series.append(("val cost", list(val_cost), NEGATIVE, ' stroke-dasharray="4 3"'))
    values = [v for _, ys, _, _ in series for v in ys if v is not None and math.isfinite(v)]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    n = max(epochs or 0, max(len(ys) for _, ys, _, _ in series), 2)
    left, right, top, bottom = 50, width - 10, 20, height - 25

    def xy(i: int, v: float) -> str:
        x = left + (right - left) * i / (n - 1)
        y = bottom - (bottom - top) * (v - lo) / (hi - lo)
        return f"{x:.1f},{y:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
             "<title>cost per epoch</title>",
             f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#999"/>'
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#999"/>',
             f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end">{_g(hi)}</text>',
             f'<text x="{left - 4}" y="{bottom}" font-size="10" text-anchor="end">{_g(lo)}</text>',
             f'<text x="{left}" y="{height - 8}" font-size="10">epoch 1</text>',
             f'<text x="{right}" y="{height - 8}" font-size="10" text-anchor="end">epoch {n}</text>']
    for index, (name, ys, colour, dash) in enumerate(series):
        points = " ".join(xy(i, v) for i, v in enumerate(ys) if v is not None and math.isfinite(v))
        parts.append(f'<polyline class="{name.replace(" ", "-")}" fill="none" stroke="{colour}" stroke-width="1.5"'
                     f'{dash} points="{points}"><title>{esc(name)}</title></polyline>')
        last = ys[-1] if ys else None
        parts.append(f'<text x="{right}" y="{top + 12 * index}" font-size="10" text-anchor="end" fill="{colour}">'
                     f"{esc(name)} {_g(last) if last is not None else ''}</text>")
    parts.append("</svg>")
    return "".join(parts)


def history_html(history: History, max_rows: int = 12, epochs: int | None = None) -> str:
    """The cost curve (SVG) and a table of the epochs' cost, accuracy and validation numbers.

    A long run's table shows ``max_rows`` epochs spread evenly from the first to the last.
    """
    n = len(history.cost)
    columns: list[tuple[str, Any]] = [("cost", history.cost)]
    for name, values in (("accuracy", history.accuracy), ("val cost", history.val_cost),
                         ("val accuracy", history.val_accuracy)):
        if any(v is not None for v in values):
            columns.append((name, values))
    if n <= max_rows:
        shown = list(range(n))
    else:
        shown = sorted({round(i * (n - 1) / (max_rows - 1)) for i in range(max_rows)})
    rows = [[str(i + 1)] + [_g(values[i], 6) if i < len(values) and values[i] is not None else "" for _, values in
                            columns] for i in shown]
    notes = []
    if history.best_epoch is not None:
        notes.append(f"best epoch {history.best_epoch + 1}")
    if history.stopped_early:
        notes.append("stopped early")
    caption = f"<p>History of {n} epoch{'s' if n != 1 else ''}{': ' + ', '.join(notes) if notes else ''}.</p>"
    curve = cost_curve_svg(history.cost, history.val_cost, epochs=epochs) if n else ""
    table = _table(["epoch"] + [name for name, _ in columns], rows)
    return f'<div class="glassnet">{_STYLE}{caption}{curve}{table}</div>'
