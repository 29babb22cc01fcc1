"""Tests for glassnet.compare: the four training methods on one task, from one start, as a table.

No timed assertions: the checks are on what was counted (steps, cost evaluations) and on what the
methods must do whatever the clock says.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from glassnet import InputError
from glassnet.compare import METHODS, backpropagation, compare_training, make_task


def test_compare_training_runs_every_method_from_the_same_start():
    result = compare_training("xor", budget_seconds=5.0, seed=0, max_steps=20)
    assert [row["method"] for row in result.rows] == list(METHODS)
    starts = {row["method"]: row["start_cost"] for row in result.rows}
    # backpropagation and finite differences measure the same starting network (float32 vs float64)
    assert starts["finite differences"] == pytest.approx(starts["backpropagation"], rel=1e-5)
    rows = {row["method"]: row for row in result.rows}
    P = result.n_params
    assert rows["backpropagation"]["steps"] == 20 and rows["backpropagation"]["cost_evaluations"] == 21
    assert rows["finite differences"]["cost_evaluations"] == 1 + 20 * (2 * P + 1)
    assert rows["tweak and keep"]["cost_evaluations"] == 21
    assert rows["population"]["cost_evaluations"] == 20 + 20 * 16
    # same learning rate, same gradient: the two gradient methods end at the same cost
    assert rows["finite differences"]["final_cost"] == pytest.approx(rows["backpropagation"]["final_cost"], rel=1e-4)
    for row in result.rows:
        assert row["final_cost"] <= row["start_cost"] + 1e-6
        assert 0.0 <= row["accuracy"] <= 1.0
    text = str(result)
    assert "backpropagation" in text and "cost evals" in text and "target cost 0.1" in text
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["n_params"] == P == 33


def test_factors_say_who_reached_the_target():
    result = compare_training("xor", budget_seconds=5.0, seed=1, max_steps=400, target_cost=0.6,
                              methods=("backpropagation", "finite differences"))
    lines = result.factors()
    assert lines[0].startswith("backpropagation reached cost 0.6")
    assert "finite differences needed" in lines[1]
    unreachable = compare_training("xor", budget_seconds=5.0, seed=1, max_steps=3, target_cost=1e-9,
                                   methods=("backpropagation", "tweak and keep"))
    assert "did not reach" in unreachable.factors()[0]


def test_backpropagation_run_matches_plain_gradient_descent():
    X, y, spec = make_task("circles", seed=2, n_samples=60)
    from glassnet import Network

    net = Network.from_sizes([2, 4, 1], activation="tanh", cost="binary_cross_entropy", seed=2, dtype="float64")
    reference = net.copy()
    run = backpropagation(net, X, y, epochs=10, learning_rate=0.5)
    costs = []
    for _ in range(10):
        costs.append(reference.cost(X, y))
        reference.gradients(X, y)
        reference.params -= 0.5 * reference.grads
    costs.append(reference.cost(X, y))
    np.testing.assert_allclose(run.cost, costs, rtol=1e-10)
    np.testing.assert_allclose(net.params, reference.params, rtol=1e-10, atol=1e-12)


def test_refusals():
    with pytest.raises(InputError, match="task"):
        compare_training("nonsense", budget_seconds=0.1)
    with pytest.raises(InputError, match="methods"):
        compare_training("xor", budget_seconds=0.1, methods=("guessing",))
    with pytest.raises(InputError, match="budget_seconds"):
        compare_training("xor", budget_seconds=0)
