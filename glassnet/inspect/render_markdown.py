"""The Markdown renderer: a trace as the same walkthrough as the text, with a heading per part and a table per layer.

Reads a :class:`~glassnet.inspect.trace.Trace`'s fields and computes nothing (see :mod:`.render`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .render import TraceView

if TYPE_CHECKING:
    from .trace import LayerTrace, Trace

__all__ = ["trace_markdown"]


def trace_markdown(
    tr: Trace,
    full: bool = False,
    max_neurons: int | None = 6,
    max_weights: int | None = 6,
    max_samples: int | None = 4,
    digits: int = 6,
    matrices: bool | None = False,
) -> str:
    """The walkthrough of one step as Markdown (see Trace.to_markdown)."""
    return _MarkdownTrace(tr, full, max_neurons, max_weights, max_samples, digits, matrices).render()


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


class _MarkdownTrace(TraceView):
    def label(self, lt: LayerTrace, j: int) -> str:
        """Neuron j in a table's first column: its number, and its class and role where the text names them."""
        return self.name(lt, j).removeprefix("neuron ")

    def render(self) -> str:
        matrices = ["", "## Forward as matrices", "", "```text"] + self.matrix_lines("") + ["```"]
        parts = self.header() + self.forward() + (matrices if self.show_matrices() else [])
        return "\n".join(parts + self.cost() + self.backward() + self.update()) + "\n"

    def header(self) -> list[str]:
        tr = self.tr
        acts = ", ".join(lt.activation for lt in tr.layers)
        what = "1 example" if self.one else f"a batch of {tr.n_samples} examples"
        return [
            f"# Worked numbers: {'one step of gradient descent' if tr.optimizer is None else 'one training step'} "
            f"on {what}",
            "",
            f"Network {'-'.join(str(s) for s in tr.sizes)} ({acts}), cost `{tr.cost_name}`, "
            f"learning rate {self.num(tr.learning_rate)}"
            + ("." if tr.optimizer is None else f", optimizer {tr.optimizer}.")
            + ("" if tr.dropout is None else " Dropout in this step: a dropped neuron passes 0 up and takes no "
               "blame; a kept one passes a / (1 - p)."),
            "",
            "Layer *l* computes `s_j = sum_k w[k, j] * a_k + b_j` and `a_j = f(s_j)`; `a0` is the input. "
            "`weights[k, j]` joins neuron *k* of the layer below to neuron *j* (the tutorials' `w_jk`). "
            "Layer *l* is `net.layers[l - 1]`; neurons count from 0.",
        ]

    def forward(self) -> list[str]:
        out = ["", "## Forward", "", f"`{self.inputs_line()}`"]
        for lt in self.tr.layers:
            out += ["", f"### {self.layer_title(lt).capitalize()}", ""]
            js, more = self.neurons(lt)
            rows = [[self.label(lt, j), f"`{self.s_formula(lt, j)}`", self.vals(lt.a[:, j])] for j in js]
            heads = ["neuron", "weighted sum", "a = f(s)"]
            if lt.mask is not None:  # dropout: the mask, and what the layer above received (its inputs)
                above = self.tr.layers[lt.number].inputs
                rows = [row + [self.column(lt.mask, j), self.vals(above[:, j])]
                        for row, j in zip(rows, js, strict=True)]
                heads += ["dropout mask", "passed up (a * mask)"]
            out += _table(heads, rows)
            if more:
                out += ["", f"... {more} more neurons{self.others(lt)}"]
        return out

    def cost(self) -> list[str]:
        tr = self.tr
        out = ["", "## Cost", ""]
        if self.one:
            out.append(f"Output `a = {self.row(tr.output[0])}`, target `y = {self.row(tr.y[0])}`.")
            out.append("")
        out.append(f"`{tr.cost_name}`: `{self.cost_formula()}` = **{self.num(tr.cost)}**")
        return out

    def backward(self) -> list[str]:
        tr = self.tr
        out = ["", "## Backward (BP1, BP2)", "", f"Each neuron's error, `{self.delta_note()}`."]
        for lt in reversed(tr.layers):
            js, more = self.neurons(lt)
            out += ["", f"### {self.layer_title(lt).capitalize()}", ""]
            if lt.is_output and lt.fused:
                out += [f"BP1 fused with `{tr.cost_name}`: `delta = (a - y) / n`.", ""]
                rows = [
                    [self.label(lt, j), self.vals(lt.a[:, j]), self.vals(tr.y[:, j]), self.vals(lt.delta[:, j])]
                    for j in js
                ]
                out += _table(["neuron", "a", "y", "delta"], rows)
            elif lt.is_output:
                out += ["BP1: `delta = dJ/da * f'(s)`.", ""]
                rows = [
                    [
                        self.label(lt, j),
                        self.column(lt.dcost_da, j),
                        self.column(lt.slope, j),
                        self.vals(lt.delta[:, j]),
                    ]
                    for j in js
                ]
                out += _table(["neuron", "dJ/da", "f'(s)", "delta"], rows)
            else:
                out += [f"BP2: `delta_j = (sum_m w[j, m] * delta_m of layer {lt.number + 1}) * f'(s_j)`.", ""]
                rows = [
                    [str(j), f"`{self.received(lt, j)}`", self.column(lt.slope, j), self.vals(lt.delta[:, j])]
                    for j in js
                ]
                out += _table(["neuron", "blame received (dJ/da)", "f'(s)", "delta"], rows)
            if more:
                out += ["", f"... {more} more neurons{self.others(lt)}"]
        return out

    def update(self) -> list[str]:
        tr = self.tr
        lr = self.num(tr.learning_rate)
        out = [
            "",
            "## Gradients (BP3, BP4) and the update",
            "",
            f"`dJ/db_j = delta_j`, `dJ/dw[k, j] = a_k * delta_j`"
            f"{'' if self.one else ' (summed over the samples)'}; "
            + (f"the update is `p - learning_rate * dJ/dp` with learning rate {lr} " if tr.optimizer is None else
               f"the update is the step of {tr.optimizer} with learning rate {lr} ")
            + "(the network is not changed).",
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
                ks, more_k, zeros = self.gradient_ks(lt, j)
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
                    rows.append([f"... {more_k} more weights{self.zero_note(more_k, zeros)}", "", "", "", "", ""])
            out += _table(["parameter", "a_k", "delta_j", "gradient", "value", "after the step"], rows)
            if more:
                out += ["", f"... {more} more neurons{self.others(lt)}"]
        return out
