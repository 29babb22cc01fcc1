"""The HTML renderer: blame as a table per layer, the form :mod:`glassnet.report` puts on its page.

Reads ``Blame.to_dict()`` and computes nothing (see :mod:`.render`). :func:`esc` and :func:`number` are the
escaping and the short number format that the report's other tables use too.
"""

from __future__ import annotations

import html
import math
from typing import Any

__all__ = ["esc", "number", "blame_html"]


def esc(text: object) -> str:
    """``text`` escaped for HTML, quotes included (safe inside attributes)."""
    return html.escape(str(text), quote=True)


def number(value: float | None, digits: int = 4) -> str:
    """``digits`` significant digits; "-" for a missing or non-finite number."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:.{digits}g}"


def blame_html(record: dict[str, Any], max_neurons: int = 20) -> str:
    """A ``<h3>`` and ``<table>`` per layer, output first, from ``Blame.to_dict()`` (see Blame.to_html).

    Each row is a neuron, in the record's ``neurons_by_blame`` order (the most blamed first), with its
    mean |delta| and the share of its input each of its ``top`` upstream neurons carries.
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
            f"({esc(upstream)}: share)</th></tr>"
        ]
        for j in layer["neurons_by_blame"][:max_neurons]:
            ranked = ", ".join(f"{esc(entry['name'])}: {entry['share']:.0%}" for entry in layer["top"][j])
            rows.append(f"<tr><td>{j}</td><td>{number(mean_abs_delta[j])}</td><td class=left>{ranked}</td></tr>")
        more = n_out - min(n_out, max_neurons)
        if more:
            rows.append(f'<tr><td colspan="3" class=left>... {more} more neurons with less blame</td></tr>')
        parts.append(f"<h3>{esc(title)}</h3><table>{''.join(rows)}</table>")
    return "".join(parts)
