"""Plain-text renderers: a trace as a learner's walkthrough, and blame as a table per layer.

Both print what the record holds and compute nothing (see :mod:`.render`): :func:`trace_text` reads a
:class:`~glassnet.inspect.trace.Trace`'s fields, :func:`blame_text` reads ``Blame.to_dict()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .render import TraceView, limit

if TYPE_CHECKING:
    from .trace import LayerTrace, Trace

__all__ = ["trace_text", "blame_text"]


def trace_text(
    tr: Trace,
    full: bool = False,
    max_neurons: int | None = 6,
    max_weights: int | None = 6,
    max_samples: int | None = 4,
    digits: int = 6,
    matrices: bool | None = False,
) -> str:
    """The walkthrough of one step in five parts: Forward, Cost, Backward, Gradients, Update (see Trace.to_text)."""
    return _TextTrace(tr, full, max_neurons, max_weights, max_samples, digits, matrices).render()


class _TextTrace(TraceView):
    def render(self) -> str:
        out = self.header()
        out += self.forward()
        if self.show_matrices():
            out += ["", "Forward as matrices"] + self.matrix_lines()
        out += self.cost()
        out += self.backward()
        out += self.gradients()
        out += self.update()
        if any(self.neurons(lt)[1] or self.weights(lt)[1] for lt in self.tr.layers):
            out += ["", "(big layers shortened; full=True, or --full on the command line, shows everything)"]
        return "\n".join(out)

    def header(self) -> list[str]:
        tr = self.tr
        acts = ", ".join(lt.activation for lt in tr.layers)
        what = "1 example" if self.one else f"a batch of {tr.n_samples} examples"
        step = "one step of gradient descent" if tr.optimizer is None else "one training step"
        out = [
            f"Worked numbers: {step} on {what}",
            f"network {'-'.join(str(s) for s in tr.sizes)} ({acts}), cost {tr.cost_name}, "
            f"learning rate {self.num(tr.learning_rate)}",
        ]
        if tr.optimizer is not None:
            out.append(f"optimizer {tr.optimizer}")
        if tr.dropout is not None:
            rates = ", ".join(f"layer {i + 1}: {rate:g}" for i, rate in enumerate(tr.dropout) if rate)
            out.append(f"dropout ({rates}): in this step each hidden neuron is dropped with probability p,")
            out.append("  and the kept ones pass a / (1 - p) up (nothing is dropped at prediction)")
        return out + [
            "",
            "Layer l computes s_j = sum_k w[k, j] * a_k + b_j and a_j = f(s_j); a0 is the input.",
            "weights[k, j] joins neuron k of the layer below to neuron j: the tutorials write it w_jk.",
            "Layer l is net.layers[l - 1]; neurons count from 0, as in the arrays.",
        ]

    def forward(self) -> list[str]:
        out = ["", "Forward", f"  {self.inputs_line()}"]
        for lt in self.tr.layers:
            out.append(f"  {self.layer_title(lt)}{self.zero_inputs(lt)}{self.dropped_note(lt)}")
            js, more = self.neurons(lt)
            wide = self.wide(lt)
            for j in js:
                argument = "s" if wide else self.num(lt.s[0, j]) if self.one else "s"
                a_text = f"a = {lt.activation}({argument}) = {self.vals(lt.a[:, j])}"
                if lt.activation == "softmax":
                    a_text = f"a = softmax(s)_{j} = {self.vals(lt.a[:, j])}"
                if wide:
                    a_text = f"a = {self.vals(lt.a[:, j])}"
                head, tail = f"    {self.name(lt, j)}: ", ("  " if wide else "   ") + a_text + self.passed(lt, j)

                def line(count: int | None, lt: LayerTrace = lt, j: int = j, head: str = head, tail: str = tail) -> str:
                    return f"{head}{self.s_formula(lt, j, count)}{tail}"

                out.append(self.fitted(line, wide))
            if more:
                out.append(f"    ... {more} more neurons{self.others(lt)}")
        return out

    def cost(self) -> list[str]:
        tr = self.tr
        out = ["", "Cost"]
        output = tr.layers[-1]
        if self.one and self.max_weights is not None and output.n_out > self.max_weights:
            js, more = self.neurons(output)
            rest = f", ... {more} more" if more else ""
            out.append("  output a = [" + ", ".join(f"a{j} = {self.num(tr.output[0, j])}" for j in js) + rest + "]")
            out.append("  target y = [" + ", ".join(f"y{j} = {self.num(tr.y[0, j])}" for j in js) + rest + "]")
        elif self.one:
            out.append(f"  output a = {self.row(tr.output[0])}   target y = {self.row(tr.y[0])}")
        else:
            shown = limit(tr.n_samples, self.max_samples)
            for i in range(shown):
                out.append(
                    f"  sample {i}: output a = {self.row(tr.output[i])}   target y = {self.row(tr.y[i])}"
                )
            if shown < tr.n_samples:
                out.append(f"  ... {tr.n_samples - shown} more samples")
        out.append(f"  {tr.cost_name}: {self.cost_formula()} = {self.num(tr.cost)}")
        return out

    def backward(self) -> list[str]:
        tr = self.tr
        out = ["", f"Backward (BP1, BP2): each neuron's error, {self.delta_note()}"]
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
                        head = f"    {self.name(lt, j)}: "
                        if self.one:
                            formula = f"({self.num(lt.a[0, j])} - {self.factor(tr.y[0, j])}) / 1"
                        else:
                            formula = f"(a - y) / {n}"
                        out.append(f"{head}delta = {formula} = {self.vals(lt.delta[:, j])}")
                else:
                    out.append(f"  {self.layer_title(lt)}, BP1: delta = dJ/da * f'(s)")
                    for j in js:
                        product = (
                            f"{self.first(lt.dcost_da, j)} * {self.first(lt.slope, j)} = " if self.one else ""
                        )
                        delta = self.vals(lt.delta[:, j])
                        out.append(
                            f"    {self.name(lt, j)}: dJ/da = {self.column(lt.dcost_da, j)}   "
                            f"f'(s) = {self.column(lt.slope, j)}   delta = {product}{delta}"
                        )
            else:
                above = lt.number + 1
                bp2 = f"delta_j = (sum_m w[j, m] * delta_m of layer {above}) * f'(s_j)"
                if lt.mask is not None:
                    bp2 = f"delta_j = (sum_m w[j, m] * delta_m of layer {above}) * mask_j * f'(s_j)"
                out.append(f"  {self.layer_title(lt)}, BP2: {bp2}")
                wide = self.wide(lt)
                for j in js:
                    slope, delta = self.column(lt.slope, j), self.vals(lt.delta[:, j])
                    mask = "" if lt.mask is None else f"mask = {self.column(lt.mask, j)}   "
                    if self.one and lt.mask is not None and lt.mask[0, j] == 0:
                        out.append(f"    neuron {j}: dropped in this step: delta = 0 (it passed nothing up, so it "
                                   "takes no blame)")
                        continue
                    if wide and self.one:
                        tail = f"  f'(s) = {slope}  {mask}delta = {delta}"

                        def blame(count: int | None, lt: LayerTrace = lt, j: int = j, tail: str = tail) -> str:
                            return f"    neuron {j}: dJ/da = {self.received(lt, j, count)}{tail}"

                        out.append(self.fitted(blame, True))
                        continue
                    out.append(f"    neuron {j}: blame from layer {above}: {self.received(lt, j)}")
                    masked = "" if lt.mask is None else f"{self.column(lt.mask, j)} * "
                    product = f"{self.column(lt.dcost_da, j)} * {masked}{slope} = " if self.one else ""
                    out.append(f"              f'(s) = {slope}   {mask}delta = {product}{delta}")
            if more:
                out.append(f"    ... {more} more neurons{self.others(lt)}")
        return out

    def gradients(self) -> list[str]:
        tr = self.tr
        summed = "" if self.one else f", summed over the {tr.n_samples} samples"
        out = ["", f"Gradients (BP3: dJ/db_j = delta_j, BP4: dJ/dw[k, j] = a_k * delta_j{summed})"]
        for lt in tr.layers:
            if self.wide(lt):
                out += self.gradient_summary(lt)
                continue
            out.append(f"  layer {lt.number}")
            js, more = self.neurons(lt)
            for j in js:
                out.append(f"    neuron {j}: dJ/db = {self.num(lt.grad_bias[j])}")
                ks, more_k, zeros = self.gradient_ks(lt, j)
                for k in ks:
                    if self.one:
                        product = f"{self.factor(lt.inputs[0, k])} * {self.factor(lt.delta[0, j])} = "
                    else:
                        product = ""
                    out.append(f"      dJ/dw[{k}, {j}] = {product}{self.num(lt.grad_weights[k, j])}")
                if more_k:
                    out.append(f"      ... {more_k} more weights{self.zero_note(more_k, zeros)}")
            if more:
                out.append(f"    ... {more} more neurons{self.others(lt)}")
        return out

    def update(self) -> list[str]:
        tr = self.tr
        lr = self.num(tr.learning_rate)
        if tr.optimizer is not None:
            return self.optimizer_update()
        out = ["", f"Update: p <- p - learning_rate * dJ/dp, learning rate {lr} (the network is not changed)"]
        if any(self.wide(lt) for lt in tr.layers):
            out[-1] += "; in a wide layer, its largest steps"
        for lt in tr.layers:
            if self.wide(lt):
                out += self.update_summary(lt)
                continue
            out.append(f"  layer {lt.number}")
            js, more = self.neurons(lt)
            for j in js:
                out.append(
                    f"    neuron {j}: b = {self.num(lt.bias[j])} - {lr} * {self.factor(lt.grad_bias[j])} "
                    f"= {self.num(lt.new_bias[j])}"
                )
                ks, more_k, zeros = self.gradient_ks(lt, j)
                for k in ks:
                    out.append(
                        f"      w[{k}, {j}] = {self.num(lt.weights[k, j])} - {lr} * "
                        f"{self.factor(lt.grad_weights[k, j])} = {self.num(lt.new_weights[k, j])}"
                    )
                if more_k:
                    out.append(f"      ... {more_k} more weights{self.zero_note(more_k, zeros)}")
            if more:
                out.append(f"    ... {more} more neurons{self.others(lt)}")
        return out

    def optimizer_update(self) -> list[str]:
        """The update by the trace's optimizer: each parameter's value before and after its step."""
        tr = self.tr
        out = ["", f"Update by {tr.optimizer}, learning rate {self.num(tr.learning_rate)}",
               "  each parameter: its value -> after the optimizer's step (the network and the optimizer are not "
               "changed)"]
        for lt in tr.layers:
            js, more = self.neurons(lt)
            if self.wide(lt):
                out += self.update_summary(lt)
                continue
            out.append(f"  layer {lt.number}")
            for j in js:
                out.append(f"    neuron {j}: b = {self.num(lt.bias[j])} -> {self.num(lt.new_bias[j])}   "
                           f"(dJ/db = {self.num(lt.grad_bias[j])})")
                ks, more_k, zeros = self.gradient_ks(lt, j)
                for k in ks:
                    out.append(f"      w[{k}, {j}] = {self.num(lt.weights[k, j])} -> {self.num(lt.new_weights[k, j])}"
                               f"   (dJ/dw = {self.num(lt.grad_weights[k, j])})")
                if more_k:
                    out.append(f"      ... {more_k} more weights{self.zero_note(more_k, zeros)}")
            if more:
                out.append(f"    ... {more} more neurons{self.others(lt)}")
        return out

    def dropped_note(self, lt: LayerTrace) -> str:
        """A hidden layer's dropout in this step: which neurons were dropped (one example) or how many."""
        if lt.mask is None:
            return ""
        dropped = [int(j) for j in np.flatnonzero(lt.mask[0] == 0)]
        if not self.one:
            counts = ", ".join(str(int(c)) for c in (lt.mask == 0).sum(axis=1)[: self.max_samples])
            return f": dropout, neurons dropped per sample: {counts} of {lt.n_out} (each sample its own)"
        if not dropped:
            return ": dropout, no neuron dropped in this step"
        if self.max_neurons is not None and len(dropped) > self.max_neurons:
            return f": dropout, {len(dropped)} of {lt.n_out} neurons dropped in this step"
        return f": dropout, dropped in this step: neuron{'s' if len(dropped) > 1 else ''} " + ", ".join(
            str(j) for j in dropped)

    def passed(self, lt: LayerTrace, j: int) -> str:
        """What a hidden neuron with dropout passed up: 0 when dropped, else a * mask (the layer above's input)."""
        if lt.mask is None:
            return ""
        sent = self.tr.layers[lt.number].inputs[:, j]
        if not self.one:
            return f"   mask = {self.column(lt.mask, j)}"
        if lt.mask[0, j] == 0:
            return "   dropped: passes 0"
        return f"   kept: passes a * {self.num(lt.mask[0, j])} = {self.num(sent[0])}"


def _activity(layer: dict[str, Any], j: int) -> str:
    """A hidden neuron's share of active examples, with "dead" or "lazy" when it is flagged; "-" at the output."""
    active = layer.get("active_fraction")
    if active is None:
        return "-"
    flag = " dead" if j in layer["dead"] else " lazy" if j in layer["lazy"] else ""
    return f"{active[j]:.0%}{flag}"


def _factors(entry: dict[str, Any], digits: int) -> str:
    """BP4's factors beside a share: the input's mean |a_k| and the mean |a_k * delta_j| its weight is tweaked by."""
    if entry.get("a_k") is None or entry.get("gradient") is None:
        return ""
    return f"; a {entry['a_k']:.{digits - 1}g}, tweak {entry['gradient']:.{digits - 1}g}"


def blame_notes(record: dict[str, Any], layer: dict[str, Any]) -> list[str]:
    """The dead and lazy neurons of a layer, in words (empty when there are none)."""
    n, out = record["n_samples"], []
    if layer.get("dead"):
        out.append(
            f"dead (never active on these {n} examples: f'(s) = 0 each time, so delta = 0 and every dJ/dw = "
            f"a_k * delta_j = 0; it never learns): neurons {', '.join(map(str, layer['dead']))}"
        )
    if layer.get("lazy"):
        active = layer["active_fraction"]
        listed = ", ".join(f"{j} ({active[j]:.1%})" for j in layer["lazy"])
        out.append(f"lazy (active on fewer than {record.get('lazy', 0.05):.0%} of the examples, so it rarely "
                   f"learns): neurons {listed}")
    return out


def blame_text(record: dict[str, Any], full: bool = False, max_neurons: int | None = 10, digits: int = 4) -> str:
    """A table per layer, output first, from ``Blame.to_dict(json_safe=False)`` (see Blame.to_text).

    Neurons are listed in the record's ``neurons_by_blame`` order (largest mean |delta| first); each shows
    how often it is active (hidden layers; flagged dead or lazy) and its ``top`` upstream neurons with their
    mean ``|w a|``, share, mean ``|a_k|`` and the mean ``|a_k * delta_j|`` (BP4) its weight is tweaked by.
    """
    n_samples = record["n_samples"]
    out = [
        f"Blame over {n_samples} example{'s' if n_samples != 1 else ''}",
        "mean |delta|: a neuron's average error dJ/ds per example. Upstream neurons ranked by "
        "mean |w[k, j] * a_k| (share of the neuron's total).",
        "Beside each share, BP4's factors: a = mean |a_k|, and tweak = mean |a_k * delta_j|, the size of "
        "dJ/dw[k, j] = a_k * delta_j",
        "for one example: the weights of active inputs are the ones that learn. active: the examples on which "
        "f'(s) != 0.",
    ]
    width = max(3 + 4 + digits, 12)
    for layer in reversed(record["layers"]):
        classes = record.get("class_names") if layer["output"] else None
        # an output neuron is labelled with its class too: "3 ('cat')"
        labels = [str(j) if classes is None else f"{j} ({classes[j]!r})" for j in range(len(layer["mean_abs_delta"]))]
        label_width = max([6, *map(len, labels)])
        mean_abs_delta = layer["mean_abs_delta"]
        n_out = len(mean_abs_delta)
        upstream = "input" if layer["layer"] == 1 else f"layer {layer['layer'] - 1} neuron"
        out += [
            "",
            f"layer {layer['layer']} ({n_out} neuron{'s' if n_out != 1 else ''}, {layer['activation']}"
            f"{', output' if layer['output'] else ''})",
            f"  {'neuron':>{label_width}}  {'mean |delta|':>{width}}  {'active':>9}  "
            f"most of its input comes from ({upstream}: mean |w a|, share; a, tweak)",
        ]
        shown = limit(n_out, None if full else max_neurons)
        for j in layer["neurons_by_blame"][:shown]:
            ranked = "   ".join(
                f"{entry['name']}: {entry['value']:.{digits}g} ({entry['share']:.0%}{_factors(entry, digits)})"
                for entry in layer["top"][j]
            )
            out.append(f"  {labels[j]:>{label_width}}  {mean_abs_delta[j]:>{width}.{digits}g}  "
                       f"{_activity(layer, j):>9}  {ranked}")
        if shown < n_out:
            out.append(f"  ... {n_out - shown} more neurons (full=True shows all)")
        out += ["  " + note for note in blame_notes(record, layer)]
    return "\n".join(out)
