"""Which parts of a big trace a shortened view shows: the terms, neurons and gradients that matter.

Part of the record's side (the renderers call these on a :class:`~glassnet.inspect.trace.Trace`'s arrays and
print what they return): every number a view prints about what it left out (how many terms, their sum, how
many gradients are exactly zero and why) is computed here, from the arrays the engine computed.

- :func:`top_terms`: of a sum's terms (``w[k, j] * a_k`` for ``s_j``, BP2's ``w[j, m] * delta_m`` for
  ``dJ/da_j``), the largest ``|term|`` ones, zero terms never among them while nonzero ones are left, and the
  sum of the rest, so that the shown terms plus the rest (plus the bias) equal the sum;
- :func:`chosen_neurons`: the neurons of a layer to show: at the output the target's and the predicted
  neurons first, then in every layer those with the largest ``|delta|``;
- :func:`top_entries` and :func:`gradient_counts`: the largest ``|dJ/dW|`` entries of a layer and how many
  are exactly zero because their input was 0 or their neuron's delta was 0 (BP4: ``dJ/dw_kj = a_k delta_j``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Terms", "top_terms", "largest", "chosen_neurons", "top_entries", "gradient_counts"]


@dataclass
class Terms:
    """The terms of a sum a view shows, and what it leaves out.

    ``shown`` are the indices shown, in the order shown; ``left_out`` how many are not shown, ``zeros`` how
    many of those are exactly 0, and ``rest`` the sum of the terms not shown (in float64).
    """

    shown: list[int]
    left_out: int
    zeros: int
    rest: float


def top_terms(terms: np.ndarray, count: int | None) -> Terms:
    """The ``count`` largest ``|terms|`` (all of them, in index order, when there are no more than ``count``).

    When shortened, the shown terms are the largest by magnitude, largest first (ties: lower index first),
    and exactly-zero terms are never shown (none at all when every term is 0); ``rest`` is the sum of the
    others, so ``sum(terms[shown]) + rest == sum(terms)`` up to rounding.
    """
    terms = np.asarray(terms, dtype=np.float64).ravel()
    n = len(terms)
    if count is None or n <= count:
        return Terms(list(range(n)), 0, 0, 0.0)
    order = np.argsort(-np.abs(terms), kind="stable")
    nonzero = int(np.count_nonzero(terms))
    shown = order[: min(int(count), nonzero)]
    mask = np.ones(n, dtype=bool)
    mask[shown] = False
    left = terms[mask]
    return Terms([int(k) for k in shown], int(mask.sum()), int(np.sum(left == 0)), float(left.sum()))


def largest(values: np.ndarray, count: int | None) -> list[int]:
    """The indices of the ``count`` largest ``|values|`` (all when None), largest first, ties: lower index first."""
    order = np.argsort(-np.abs(np.asarray(values, dtype=np.float64).ravel()), kind="stable")
    return [int(k) for k in order[:count]]


def chosen_neurons(
    delta: np.ndarray, count: int | None, first: list[int] | None = None, by_delta: bool = True
) -> list[int]:
    """The neurons of a layer to show, in index order: ``first`` (e.g. the target's and the predicted output
    neurons) and then those with the largest ``sum_i |delta_ij|`` over the samples (ties: lower index first),
    or with ``by_delta=False`` the first ones.

    ``delta`` is (n, n_out); with ``count`` None or at least ``n_out``, every neuron.
    """
    n_out = int(delta.shape[1])
    if count is None or n_out <= count:
        return list(range(n_out))
    chosen: list[int] = []
    for j in first or []:
        if j not in chosen and len(chosen) < count:
            chosen.append(int(j))
    size = np.abs(np.asarray(delta, dtype=np.float64)).sum(axis=0) if by_delta else np.zeros(n_out)
    for j in np.argsort(-size, kind="stable"):
        if len(chosen) >= count:
            break
        if int(j) not in chosen:
            chosen.append(int(j))
    return sorted(chosen)


def top_entries(values: np.ndarray, count: int) -> list[tuple[int, int]]:
    """The ``(k, j)`` of the ``count`` largest ``|values|`` of a matrix, largest first; zeros only when needed."""
    flat = np.abs(np.asarray(values, dtype=np.float64)).ravel()
    count = min(int(count), len(flat))
    if count <= 0:
        return []
    top = np.argpartition(-flat, count - 1)[:count]
    top = top[np.lexsort((top, -flat[top]))]
    return [(int(i) // values.shape[1], int(i) % values.shape[1]) for i in top]


@dataclass
class GradientCounts:
    """How the entries of a layer's ``dJ/dW`` (n_in x n_out) split, by BP4 ``dJ/dw_kj = sum_i a_ik delta_ij``.

    ``zero_inputs``: inputs k with ``a_k = 0`` in every sample; ``zero_deltas``: neurons j with ``delta_j = 0``
    in every sample. ``zero_by_input`` entries are 0 because their input is 0, ``zero_by_delta`` more because
    their neuron's delta is 0, ``zero`` entries are exactly 0 in all (any others cancelled or underflowed).
    """

    entries: int
    zero: int
    zero_inputs: int
    zero_deltas: int
    zero_by_input: int
    zero_by_delta: int


def gradient_counts(inputs: np.ndarray, delta: np.ndarray, grad_weights: np.ndarray) -> GradientCounts:
    """Count the exact zeros of ``grad_weights`` and their causes (see :class:`GradientCounts`)."""
    n_in, n_out = grad_weights.shape
    zero_inputs = int(np.sum(np.all(inputs == 0, axis=0)))
    zero_deltas = int(np.sum(np.all(delta == 0, axis=0)))
    return GradientCounts(
        entries=int(n_in * n_out),
        zero=int(np.sum(grad_weights == 0)),
        zero_inputs=zero_inputs,
        zero_deltas=zero_deltas,
        zero_by_input=zero_inputs * n_out,
        zero_by_delta=(n_in - zero_inputs) * zero_deltas,
    )
