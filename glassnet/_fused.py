"""Optional fused kernels, compiled with numba when it is installed (``pip install "glassnet[fast]"``).

A kernel here does in one pass over memory what plain numpy code does in several passes (each numpy
operation reads and writes whole arrays). The numpy code next to each caller stays the reference: it runs
whenever numba is missing, and the tests check that both give the same numbers.

Set the environment variable ``GLASSNET_NUMBA=0`` to switch the kernels off.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

__all__ = ["adam_kernel", "numba_available", "kernel"]

_kernels: dict[str, Callable | None] = {}


def numba_available() -> bool:
    """True when numba can be imported and ``GLASSNET_NUMBA`` is not ``0``."""
    if os.environ.get("GLASSNET_NUMBA", "1") == "0":
        return False
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


MIN_ELEMENTS = 4096
"""Arrays smaller than this stay with numpy: their passes are in cache, and a learner's small network then
never waits for numba to load (seconds on a first run) to save microseconds."""


ROW_MIN_ELEMENTS = 1024
"""The row-by-row kernels (:data:`ROW_KERNELS`: the cross-entropy cost, the accuracy) take over from this size.
Their numpy code pays per row (an argmax, a reduction and a gather along each short row), so there a kernel is
2 to 10 times faster at any size, and an output layer stays small however large the network: 128 rows of 10
classes are 1,280 numbers. A learner's batch (10 to 200 rows of 2 to 4 classes) stays below it, and numpy."""

ROW_KERNELS = frozenset({"cross_entropy_sum", "argmax_agreement"})

SMALLEST = min(MIN_ELEMENTS, ROW_MIN_ELEMENTS)
"""Below this no kernel runs: callers answer a small batch with numpy before any further call."""


def kernel(name: str, elements: int = MIN_ELEMENTS) -> Callable | None:
    """The compiled kernel ``name`` (one of :data:`KERNELS`) for arrays of ``elements`` numbers, or None: when
    numba is missing or switched off, or the arrays are smaller than :data:`MIN_ELEMENTS` (or, for the
    row-by-row kernels of :data:`ROW_KERNELS`, than :data:`ROW_MIN_ELEMENTS` if that is smaller).

    Compiled on first use and kept; each kernel's docstring in this module states its maths and the numpy
    code it stands for.
    """
    if elements < (SMALLEST if name in ROW_KERNELS else MIN_ELEMENTS):
        return None
    found = _kernels.get(name, _MISSING)
    if found is _MISSING:
        found = _kernels[name] = KERNELS[name]() if numba_available() else None
    return found  # type: ignore[return-value]


_MISSING = object()


def adam_kernel() -> Callable | None:
    """The fused Adam step ``f(params, grads, m, v, 1 - beta1, 1 - beta2, eps_t, lr_t)``, or None.

    For each element, the same float operations in the same order as :meth:`glassnet.optimizers.Adam.step`
    does with whole arrays::

        m += (g - m) (1 - beta1);   v += (g^2 - v) (1 - beta2);   params -= m / (sqrt(v) + eps_t) lr_t
    """
    if "adam" not in _kernels:
        _kernels["adam"] = _compile_adam() if numba_available() else None
    return _kernels["adam"]


def _compile_adam() -> Callable:
    import numba

    # error_model="numpy": a division by zero gives inf as in numpy instead of a per-element check that
    # raises, which is what lets the loop compile to vector instructions (about 10x faster).
    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def adam_step(params, grads, m, v, one_minus_beta1, one_minus_beta2, eps_t, lr_t, tiny):  # pragma: no cover
        zero = tiny - tiny  # 0 in the arrays' dtype, so the select below stays in that dtype
        for i in range(params.shape[0]):
            g = grads[i]
            m_i = m[i] + (g - m[i]) * one_minus_beta1
            v_i = v[i] + (g * g - v[i]) * one_minus_beta2
            m_i = m_i if abs(m_i) >= tiny else zero  # flush subnormal moments to 0, as Adam.step does
            v_i = v_i if v_i >= tiny else zero
            m[i] = m_i
            v[i] = v_i
            params[i] -= m_i / (math.sqrt(v_i) + eps_t) * lr_t

    return adam_step


# -- element-wise kernels of the forward and backward passes ------------------------------------------------
# Each does, element by element, the float operations of the numpy code it replaces, in the same order and
# dtype (the arrays' dtype: the scalars passed in are of that dtype too, so nothing is promoted), without
# fastmath: ReLU, leaky ReLU, the identity, the output deltas and the accuracy give the same numbers bit for
# bit. The cross-entropy cost uses the C library's exp and log1p, within an ulp or two of the true values as
# numpy's own loops are, and sums in float64 (tests check both paths against extended precision).

def _compile_bias_relu() -> Callable:
    import numba

    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def bias_relu(s, bias, a, zero):  # pragma: no cover
        """``s += bias``; ``a = max(s, 0)`` (np.maximum's rule: s where s >= 0 or s is NaN, else 0)."""
        for i in range(s.shape[0]):
            for j in range(s.shape[1]):
                x = s[i, j] + bias[j]
                s[i, j] = x
                a[i, j] = x if (x >= zero or x != x) else zero

    return bias_relu


def _compile_bias_leaky_relu() -> Callable:
    import numba

    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def bias_leaky_relu(s, bias, a, alpha):  # pragma: no cover
        """``s += bias``; ``a = max(s, alpha s)``, as LeakyReLU.value."""
        for i in range(s.shape[0]):
            for j in range(s.shape[1]):
                x = s[i, j] + bias[j]
                s[i, j] = x
                y = x * alpha
                a[i, j] = x if (x >= y or x != x) else y

    return bias_leaky_relu


def _compile_bias_identity() -> Callable:
    import numba

    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def bias_identity(s, bias, a):  # pragma: no cover
        """``s += bias``; ``a = s``."""
        for i in range(s.shape[0]):
            for j in range(s.shape[1]):
                x = s[i, j] + bias[j]
                s[i, j] = x
                a[i, j] = x

    return bias_identity


def _compile_relu_slope_times() -> Callable:
    import numba

    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def relu_slope_times(delta, s, zero, one):  # pragma: no cover
        """``delta *= f'(s)`` for ReLU: times 1 where ``s > 0``, else times 0 (so NaN * 0 stays NaN, as numpy)."""
        for i in range(delta.shape[0]):
            for j in range(delta.shape[1]):
                delta[i, j] *= one if s[i, j] > zero else zero

    return relu_slope_times


def _compile_leaky_relu_slope_times() -> Callable:
    import numba

    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def leaky_relu_slope_times(delta, s, alpha, zero, one):  # pragma: no cover
        """``delta *= f'(s)`` for leaky ReLU: times 1 where ``s > 0``, else times ``alpha``."""
        for i in range(delta.shape[0]):
            for j in range(delta.shape[1]):
                delta[i, j] *= one if s[i, j] > zero else alpha

    return leaky_relu_slope_times


def _compile_cross_entropy_sum() -> Callable:
    import math

    import numba

    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def cross_entropy_sum(s, y, zero):  # pragma: no cover
        """``sum_ij y_ij ln softmax(s)_ij`` as ``glassnet.costs._log_softmax`` computes ``ln softmax``
        (``d_j - ln(1 + sum_{k != top} e^{d_k})``, with d's rounding put back), summed in float64."""
        total = 0.0
        n = s.shape[1]
        for i in range(s.shape[0]):
            top = 0
            for j in range(1, n):  # np.argmax: the first largest, or the first NaN
                if s[i, top] != s[i, top]:
                    break
                if s[i, j] > s[i, top] or s[i, j] != s[i, j]:
                    top = j
            largest = s[i, top]
            rest = zero
            for j in range(n):
                if j == top:
                    continue
                x = s[i, j]
                d = x - largest
                y_seen = d - x
                x_seen = d - y_seen
                r = (x - x_seen) - (y_seen + largest)
                e = math.exp(d)
                rest += e + r * e
            log_total = math.log1p(rest)
            for j in range(n):
                total += float(y[i, j]) * float((s[i, j] - largest) - log_total)
        return total

    return cross_entropy_sum


def _compile_argmax_agreement() -> Callable:
    import numba

    @numba.njit(cache=True, nogil=True)
    def argmax_agreement(a, y):  # pragma: no cover
        """The number of rows where ``a.argmax(axis=1) == y.argmax(axis=1)`` (np.argmax's ties and NaN rule)."""
        count = 0
        n = a.shape[1]
        for i in range(a.shape[0]):
            best_a = 0
            best_y = 0
            for j in range(1, n):
                if a[i, best_a] == a[i, best_a] and (a[i, j] > a[i, best_a] or a[i, j] != a[i, j]):
                    best_a = j
                if y[i, best_y] == y[i, best_y] and (y[i, j] > y[i, best_y] or y[i, j] != y[i, j]):
                    best_y = j
            if best_a == best_y:
                count += 1
        return count

    return argmax_agreement


def _compile_scaled_difference() -> Callable:
    import numba

    @numba.njit(cache=True, nogil=True, error_model="numpy")
    def scaled_difference(a, y, scale, out):  # pragma: no cover
        """``out = (a - y) * scale``: the fused output error of softmax/sigmoid with their cross-entropy."""
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                out[i, j] = (a[i, j] - y[i, j]) * scale

    return scaled_difference


KERNELS: dict[str, Callable[[], Callable]] = {
    "bias_relu": _compile_bias_relu,
    "bias_leaky_relu": _compile_bias_leaky_relu,
    "bias_identity": _compile_bias_identity,
    "relu_slope_times": _compile_relu_slope_times,
    "leaky_relu_slope_times": _compile_leaky_relu_slope_times,
    "cross_entropy_sum": _compile_cross_entropy_sum,
    "argmax_agreement": _compile_argmax_agreement,
    "scaled_difference": _compile_scaled_difference,
}
