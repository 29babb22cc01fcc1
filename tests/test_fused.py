"""The optional numba kernel for Adam against the plain numpy passes it replaces."""

from __future__ import annotations

import math

import numpy as np
import pytest

from glassnet import _fused
from glassnet.errors import InputError
from glassnet.optimizers import Adam

needs_numba = pytest.mark.skipif(not _fused.numba_available(), reason='numba is not installed ("glassnet[fast]")')


def _steps(optimizer, params, n_steps=5, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(n_steps):
        optimizer.step(params, rng.standard_normal(params.size).astype(params.dtype))
    return params


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [1000, 4099])  # 4099: a tail the kernel's vector loop does not cover
def test_fused_adam_gives_the_numbers_of_the_numpy_passes(dtype, size):
    # The kernel does the same float operations in the same order and the same dtype as the numpy passes
    # (no fastmath, so no reassociation or fused multiply-add): the results are equal bit for bit.
    start = np.random.default_rng(1).standard_normal(size).astype(dtype)
    fused, plain = Adam(0.01, fused=True), Adam(0.01, fused=False)
    a = _steps(fused, start.copy())
    b = _steps(plain, start.copy())
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fused.m, plain.m)
    np.testing.assert_array_equal(fused.v, plain.v)


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_adam_is_bit_equal_over_many_steps_and_gradient_scales(dtype):
    rng = np.random.default_rng(7)
    start = rng.standard_normal(777).astype(dtype)
    fused, plain = Adam(0.05, fused=True), Adam(0.05, fused=False)
    a, b = start.copy(), start.copy()
    for scale in rng.choice([1e-6, 1.0, 1e4], size=40):  # tiny, plain and huge gradients, in a random order
        grads = (rng.standard_normal(777) * scale).astype(dtype)
        fused.step(a, grads)
        plain.step(b, grads)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fused.v, plain.v)
    assert not np.array_equal(a, start)


def test_numpy_adam_matches_the_textbook_formula():
    # The reference: Adam as Kingma and Ba write it, step by step in float64.
    rng = np.random.default_rng(2)
    params = rng.standard_normal(50)
    expected, m, v = params.copy(), np.zeros(50), np.zeros(50)
    optimizer = Adam(0.01, beta1=0.9, beta2=0.999, eps=1e-8, fused=False)
    for t in range(1, 6):
        g = rng.standard_normal(50)
        optimizer.step(params, g)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        expected -= 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(params, expected, rtol=1e-10, atol=1e-12)
    assert math.isclose(float(optimizer.m[0]), float(m[0]), rel_tol=1e-12)


def test_fused_true_without_numba_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("GLASSNET_NUMBA", "0")
    monkeypatch.setattr(_fused, "_kernels", {})
    with pytest.raises(InputError, match=r"glassnet\[fast\]"):
        Adam(fused=True)
    # None falls back to the numpy passes without a word.
    params = _steps(Adam(0.01), np.zeros(100_000, dtype=np.float32), n_steps=1)
    assert np.all(np.isfinite(params))


def test_fused_must_be_a_bool_or_none():
    with pytest.raises(TypeError):
        Adam(fused="yes")


@pytest.mark.parametrize("fused", [False, pytest.param(True, marks=needs_numba)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_moments_below_the_smallest_normal_float_are_flushed_to_zero(fused, dtype):
    """A weight whose gradient stays 0 (behind a dead ReLU) has its moments decay by beta each step; once they
    fall below the smallest normal float they are set to 0 (subnormal arithmetic is 10-100x slower)."""
    tiny = np.finfo(dtype).tiny
    params = np.ones(4, dtype=dtype)
    grads = np.zeros(4, dtype=dtype)
    opt = Adam(1e-3, fused=fused)
    opt.step(params, grads)  # allocates the moments
    opt.m[:] = [tiny * 4, tiny * 1.05, -tiny * 1.05, 1.0]
    opt.v[:] = [tiny * 4, tiny * 1.0005, 0.0, 1.0]
    opt.step(params, grads)
    # beta1 = 0.9: 4 tiny -> 3.6 tiny stays; 1.05 tiny -> 0.945 tiny is subnormal -> 0 (either sign); 1 -> 0.9
    np.testing.assert_array_equal(opt.m, np.array([tiny * 4 * 0.9, 0.0, 0.0, 0.9], dtype=dtype))
    assert np.signbit(opt.m).sum() == 0
    # beta2 = 0.999: 4 tiny stays normal; 1.0005 tiny -> 0.9995 tiny is subnormal -> 0
    assert opt.v[0] >= tiny and opt.v[1] == 0 and opt.v[2] == 0 and opt.v[3] == np.asarray(0.999, dtype=dtype)
