"""Tests for glassnet.evolution: tweak-and-keep, the population, and finite-difference gradient descent.

Finite-difference descent must take the same steps as backpropagation's full-batch gradient descent
(gradient descent computed independently, step by step, from ``net.gradients``); the random searches must
never let the cost rise, must be reproducible from their seed, and must leave their best weights in the net.
"""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import Dense, InputError, Network
from glassnet.evolution import finite_difference_descent, population, tweak_and_keep


def _task(rng: np.random.Generator):
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)  # XOR of the signs
    return X, y


def _net(seed: int = 0, dtype: str = "float32") -> Network:
    return Network.from_sizes([2, 5, 1], activation="tanh", cost="binary_cross_entropy", seed=seed, dtype=dtype)


def test_finite_differences_take_the_steps_of_backpropagation(rng):
    X, y = _task(rng)
    net = _net(dtype="float64")
    reference = net.copy()
    run = finite_difference_descent(net, X, y, epochs=15, learning_rate=0.8)
    costs = [reference.cost(X, y)]
    for _ in range(15):  # plain gradient descent on backpropagation's gradients
        reference.gradients(X, y)
        reference.params -= 0.8 * reference.grads
        costs.append(reference.cost(X, y))
    np.testing.assert_allclose(net.params, reference.params, rtol=0, atol=1e-7)
    np.testing.assert_allclose(run.cost, costs, rtol=1e-7)
    assert run.steps == 15
    assert run.evaluations == 1 + 15 * (2 * net.n_params + 1)
    assert run.evaluations_at == sorted(run.evaluations_at)


def test_finite_differences_train_a_float32_network_through_float64(rng):
    X, y = _task(rng)
    net = _net(dtype="float32")
    start = net.cost(X, y)
    run = finite_difference_descent(net, X, y, epochs=30, learning_rate=1.0)
    assert net.params.dtype == np.float32
    assert net.cost(X, y) == pytest.approx(run.final_cost, rel=1e-5)
    assert run.final_cost < start


@pytest.mark.parametrize("method", ["tweak", "population"])
def test_random_search_never_gets_worse_and_keeps_its_best(method, rng):
    X, y = _task(rng)
    net = _net()
    start = net.cost(X, y)
    if method == "tweak":
        run = tweak_and_keep(net, X, y, iterations=300, scale=0.2, seed=1)
        assert run.evaluations == 301 and run.steps == 300
        assert 0 < run.details["accepted"] < 300
    else:
        run = population(net, X, y, size=10, keep=3, generations=30, scale=0.2, seed=1)
        assert run.evaluations == 10 + 30 * 7 and run.steps == 30
    assert run.cost[0] <= start + 1e-6
    assert all(b <= a for a, b in zip(run.cost, run.cost[1:], strict=False))
    assert run.final_cost < start
    assert net.cost(X, y) == pytest.approx(run.final_cost, rel=1e-5)  # the best weights are in the net


@pytest.mark.parametrize("method", ["tweak", "population"])
def test_random_search_is_reproducible_from_its_seed(method, rng):
    X, y = _task(rng)
    nets = [_net(), _net(), _net()]
    seeds = [7, 7, 8]
    for net, seed in zip(nets, seeds, strict=True):
        if method == "tweak":
            tweak_and_keep(net, X, y, iterations=50, seed=seed)
        else:
            population(net, X, y, size=6, keep=2, generations=5, seed=seed)
    assert np.array_equal(nets[0].params, nets[1].params)
    assert not np.array_equal(nets[0].params, nets[2].params)


def test_tweak_and_keep_trains_what_gradients_cannot(rng):
    """Random search needs no slope: it can improve a network of step neurons, which backpropagation refuses."""
    X, y = _task(rng)
    net = Network([Dense(2, 4, "step"), Dense(4, 1, "sigmoid")], cost="binary_cross_entropy", seed=3)
    run = tweak_and_keep(net, X, y, iterations=200, scale=0.5, seed=0)
    assert run.final_cost < run.cost[0]


def test_budget_only_runs_stop_and_refusals(rng):
    X, y = _task(rng)
    run = tweak_and_keep(_net(), X, y, budget_seconds=0.05, seed=0)
    assert run.steps >= 1 and len(run.cost) == len(run.seconds_at) == len(run.evaluations_at)
    assert run.seconds_to(run.final_cost) is not None and run.seconds_to(-1.0) is None
    assert "tweak and keep" in str(run) and run.as_dict()["steps"] == run.steps
    with pytest.raises(InputError, match="keep"):
        population(_net(), X, y, size=4, keep=4)
    with pytest.raises(InputError, match="scale"):
        tweak_and_keep(_net(), X, y, iterations=5, scale=0)
    with pytest.raises(InputError, match="budget_seconds"):
        finite_difference_descent(_net(), X, y, budget_seconds=-1)
    with pytest.raises(InputError):
        tweak_and_keep(_net(), X[:, :1], y, iterations=5)
