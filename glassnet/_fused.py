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

__all__ = ["adam_kernel", "numba_available"]

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
