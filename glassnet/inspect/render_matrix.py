"""Forward propagation as matrices: ``s = a_{l-1} @ W + b`` written out with the actual numbers, layer by layer.

The tutorials write one layer's forward pass as ``[W] @ [X] + [Bias] = [Z]``; glassnet's arrays are batch-major
(one row per sample), so the same step reads ``s_l = a_{l-1} @ W_l + b_l`` with ``W_l`` of shape
``(n_in, n_out)`` (its row k, column j is ``W[k, j]``, the tutorials' ``w_jk``: their ``[W]`` is our ``W``
transposed). :func:`matrix_lines` prints, for each layer, the input rows, the weight matrix, the bias row and
the weighted sums side by side (or one under the other when that would be wider than the page), then
``a_l = f(s_l)``. Like every renderer it reads the trace's fields and computes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .render import WIDTH

if TYPE_CHECKING:
    from .render import TraceView

__all__ = ["matrix_lines", "small_enough", "MATRIX_LIMIT", "MATRIX_SAMPLES"]

MATRIX_LIMIT = 8  # by default a trace shows its matrices when no layer has more inputs or neurons than this
MATRIX_SAMPLES = 4  # ... and the batch has no more samples than this


def small_enough(view: TraceView) -> bool:
    """Whether the matrix view is shown by default: every layer at most 8 by 8, at most 4 samples."""
    tr = view.tr
    return tr.n_samples <= MATRIX_SAMPLES and all(max(lt.n_in, lt.n_out) <= MATRIX_LIMIT for lt in tr.layers)


def _block(view: TraceView, values: np.ndarray) -> list[str]:
    """A matrix as bracketed rows, each column right-aligned to its widest number."""
    values = np.atleast_2d(values)
    cells = [[view.num(v) for v in row] for row in values]
    widths = [max(len(row[c]) for row in cells) for c in range(values.shape[1])]
    return ["[ " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) + " ]" for row in cells]


def _side_by_side(names: list[str], blocks: list[list[str]], operators: list[str]) -> list[str]:
    """Blocks in a row under their names, ``operators[i]`` between block i and i + 1 on the middle line."""
    height = max(len(b) for b in blocks)
    middle = 1 + (height - 1) // 2  # line 0 holds the names
    widths = [max(len(b[0]), len(n)) for b, n in zip(blocks, names, strict=True)]
    lines = ["" for _ in range(height + 1)]
    for i, (name, block, width) in enumerate(zip(names, blocks, widths, strict=True)):
        column = [name.center(width)] + [row.ljust(width) for row in block] + [" " * width] * (height - len(block))
        for r in range(height + 1):
            lines[r] += column[r]
        if i < len(operators):
            for r in range(height + 1):
                lines[r] += f" {operators[i]} " if r == middle else " " * (len(operators[i]) + 2)
    return [line.rstrip() for line in lines]


def _stacked(names: list[str], blocks: list[list[str]]) -> list[str]:
    """Each block under the one before, its name in front of its first row."""
    out = []
    width = max(len(n) for n in names)
    for name, block in zip(names, blocks, strict=True):
        for r, row in enumerate(block):
            out.append(f"{(name if r == 0 else '').rjust(width)}{' = ' if r == 0 else '   '}{row}")
    return out


def matrix_lines(view: TraceView, indent: str = "  ") -> list[str]:
    """The forward pass of ``view.tr`` as matrices, one layer at a time (see the module's docstring)."""
    tr = view.tr
    n = tr.n_samples
    rows = "one row" if n == 1 else f"one row per sample ({n})"
    out = [f"{indent}s_l = a_(l-1) @ W_l + b_l with {rows}; W_l[k, j] (row k, column j) joins neuron k below to "
           "neuron j,", f"{indent}the tutorials' w_jk: their [W] @ [X] + [Bias] = [Z] is this with every matrix "
           "transposed."]
    masked_below = False  # with dropout, the layer above takes a~ = a * mask, not a (glassnet.dropout)
    for lt in tr.layers:
        number, prev = lt.number, f"a{lt.number - 1}" + ("~" if masked_below else "")
        bias = "b" + str(number) + (" (added to each row)" if n > 1 else "")
        shapes = f"({n} x {lt.n_in}) @ ({lt.n_in} x {lt.n_out}) + ({lt.n_out}) = ({n} x {lt.n_out})"
        out.append(f"{indent}layer {number}: s{number} = {prev} @ W{number} + b{number}, {shapes}")
        names = [prev, f"W{number}", bias, f"s{number}"]
        blocks = [_block(view, lt.inputs), _block(view, lt.weights), _block(view, lt.bias), _block(view, lt.s)]
        lines = _side_by_side(names, blocks, ["@", "+", "="])
        if max(len(line) for line in lines) + 2 * len(indent) > WIDTH:
            lines = _stacked(names, blocks)
        out += [indent * 2 + line for line in lines]
        a_block = _block(view, lt.a)
        head = f"a{number} = {lt.activation}(s{number}) = "
        out += [indent * 2 + (head if r == 0 else " " * len(head)) + row for r, row in enumerate(a_block)]
        masked_below = lt.mask is not None
        if masked_below:
            head = f"a{number}~ = a{number} * m{number} (dropout: m = 0 dropped, 1/(1-p) kept) = "
            out += [indent * 2 + (head if r == 0 else " " * len(head)) + row
                    for r, row in enumerate(_block(view, lt.a * lt.mask))]
    return out
