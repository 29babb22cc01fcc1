"""Extended-precision references (mpmath, 120 bits) and an error measure in units in the last place (ulps).

Used by the precision tests of activations and costs: a result of dtype float32 or float64 is compared with
the true value of the function at the *exact* input (the input is a float of that dtype, so it is exact).
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import numpy as np

PRECISION = 120  # bits; float64 has 53, so the reference's own error is far below an ulp


def reference(function: Callable, *arrays: np.ndarray) -> list:
    """``function`` applied elementwise with mpmath at 120 bits; returns a flat list of mpf values."""
    with mpmath.workprec(PRECISION):
        flat = [np.ravel(a) for a in arrays]
        return [function(*(mpmath.mpf(float(x[i])) for x in flat)) for i in range(flat[0].size)]


def ulp_errors(result: np.ndarray, exact: list, dtype) -> tuple[np.ndarray, np.ndarray]:
    """``(ulps, normal)``: each element's error ``|result - exact| / ulp(exact)`` in ``dtype``, and a mask of
    where ``exact`` is a normal float of that dtype (where the ulp bound applies).

    Where ``exact`` is below the smallest normal the error is reported in units of the smallest normal, so
    a test can require results there to be within one ``tiny`` of the truth (0 or subnormal, of the right sign).
    """
    info = np.finfo(dtype)
    tiny, huge = mpmath.mpf(float(info.tiny)), mpmath.mpf(float(info.max))
    flat = np.ravel(result)
    ulps = np.empty(flat.size)
    normal = np.empty(flat.size, dtype=bool)
    with mpmath.workprec(PRECISION):
        for i, (x, e) in enumerate(zip(flat, exact, strict=True)):
            magnitude = abs(e)
            normal[i] = tiny <= magnitude <= huge
            if normal[i]:
                # the spacing of dtype-floats at |exact|: 2^(exponent - mantissa bits)
                unit = mpmath.ldexp(1, mpmath.frexp(magnitude)[1] - 1 - info.nmant)
            else:
                unit = tiny
            ulps[i] = float(abs(mpmath.mpf(float(x)) - e) / unit) if np.isfinite(x) else np.inf
    return ulps.reshape(np.shape(result)), normal.reshape(np.shape(result))


def grid(dtype, extremes: tuple[float, ...] = ()) -> np.ndarray:
    """A dense grid of inputs of ``dtype``: every scale from 1e-30 to 1e4 on both sides, a fine linear grid
    over [-120, 120] (past where exp overflows in float32), 0, and the ``extremes`` given (with signs)."""
    fine = np.linspace(-120, 120, 1201)
    scales = np.logspace(-30, 4, 341)
    special = np.array(extremes, dtype=np.float64)
    values = np.concatenate([fine, scales, -scales, special, -special, [0.0]])
    return np.unique(values.astype(dtype))
