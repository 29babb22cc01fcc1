"""The HTML renderer: blame as a table per layer, the form :mod:`glassnet.report` puts on its page.

Reads ``Blame.to_dict()`` and computes nothing (see :mod:`.render`). :func:`esc` and :func:`number` are the
escaping and the short number format that the report's other tables use too.
"""

from __future__ import annotations

import html
import math
from typing import Any

from .render_text import blame_notes

__all__ = ["esc", "number", "blame_html"]


def esc(text: object) -> str:
    """``text`` escaped for HTML, quotes included (safe inside attributes)."""
    return html.escape(str(text), quote=True)


def number(value: float | None, digits: int = 4) -> str:
    """``digits`` significant digits; "-" for a missing or non-finite number."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.{digits}g}"


def _factors(entry: dict[str, Any]) -> str:
    if entry.get("a_k") is None or entry.get("gradient") is None:
        return ""
    return f" (a {number(entry['a_k'], 3)}, tweak {number(entry['gradient'], 3)})"


def blame_html(record: dict[str, Any], max_neurons: int = 20) -> str:
    """A ``<h3>`` and ``<table>`` per layer, output first, from ``Blame.to_dict()`` (see Blame.to_html).

    Each row is a neuron, in the record's ``neurons_by_blame`` order (the most blamed first), with its
    mean |delta|, the share of its input each of its ``top`` upstream neurons carries (with BP4's factors,
    mean |a_k| and mean |a_k * delta_j|) and how often it is active; dead and lazy neurons are named below.
    """
    parts = []
    for layer in reversed(record["layers"]):
        mean_abs_delta = layer["mean_abs_delta"]
        n_out = len(mean_abs_delta)
        upstream = "input" if layer["layer"] == 1 else f"layer {layer['layer'] - 1} neuron"
        title = f"layer {layer['layer']} ({n_out} neuron{'s' if n_out != 1 else ''}, {layer['activation']}" + (
            ", output)" if layer["output"] else ")"
        )
        rows = [
            f"<tr><th>neuron</th><th>mean |delta|</th><th class=left>most of its input comes from "
            f"({esc(upstream)}: share; a = mean |a_k|, tweak = mean |a_k * delta_j|, BP4)</th><th>active</th></tr>"
        ]
        active = layer.get("active_fraction")
        for j in layer["neurons_by_blame"][:max_neurons]:
            ranked = ", ".join(f"{esc(entry['name'])}: {entry['share']:.0%}{_factors(entry)}"
                               for entry in layer["top"][j])
            flag = " dead" if j in layer.get("dead", ()) else " lazy" if j in layer.get("lazy", ()) else ""
            activity = "-" if active is None else f"{active[j]:.0%}{flag}"
            rows.append(f"<tr><td>{j}</td><td>{number(mean_abs_delta[j])}</td><td class=left>{ranked}</td>"
                        f"<td>{activity}</td></tr>")
        more = n_out - min(n_out, max_neurons)
        if more:
            rows.append(f'<tr><td colspan="4" class=left>... {more} more neurons with less blame</td></tr>')
        notes = "".join(f"<p>{esc(note)}</p>" for note in blame_notes(record, layer))
        parts.append(f"<h3>{esc(title)}</h3><table>{''.join(rows)}</table>{notes}")
    return "".join(parts)
