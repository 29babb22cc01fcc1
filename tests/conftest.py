"""Shared fixtures for the engine's tests (kept small on purpose)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator for test data (independent of any network's own generator)."""
    return np.random.default_rng(12345)


@pytest.fixture
def unchanged():
    """``unchanged(net)`` returns a check that the network's parameters and random state are as they were.

    Usage: ``same = unchanged(net); <failing call>; same()``: proves that a refused call changed nothing.
    """

    def take(net):
        params, state = net.params.copy(), net.rng.bit_generator.state

        def check():
            assert net.params.dtype == params.dtype
            assert np.array_equal(net.params, params), "a refused call changed the parameters"
            assert net.rng.bit_generator.state == state, "a refused call used the random generator"

        return check

    return take
