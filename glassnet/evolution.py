"""The slow alternatives to backpropagation: training by random tweaks, and by finite differences.

They are here to show, with a stopwatch, why backpropagation won.

- :func:`tweak_and_keep`: perturb *all* weights and biases at random, ``p' = p + scale * N(0, 1)``;
  keep the change if the cost fell, else undo it. One cost evaluation per try.
- :func:`population`: ``size`` networks; each generation keep the ``keep`` with the lowest cost and
  replace the others by mutated copies of them (``parent + scale * N(0, 1)``). ``size - keep`` cost
  evaluations per generation.
- :func:`finite_difference_descent`: gradient descent, ``p <- p - learning_rate * g``, where the gradient
  ``g`` comes from "small shocks" (:func:`glassnet.gradcheck.numerical_gradient`): for each of the P
  parameters, ``(J(p + eps) - J(p - eps)) / (2 eps)``. It takes the same steps as backpropagation with
  full-batch gradient descent, but each step costs 2P cost evaluations instead of one forward and one
  backward pass.

Each returns a :class:`TrainingRun` (the cost after every step, the number of cost evaluations, the wall
time) and leaves the best weights it found in the network. A "cost evaluation" is one forward pass over
all of (X, Y). All randomness comes from ``seed`` through a numpy Generator; a run limited by a number
of steps is the same bit for bit on the same machine, one limited by ``budget_seconds`` stops wherever
the clock says.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError
from .gradcheck import numerical_gradient
from .network import Network
from .validation import check_positive

__all__ = ["TrainingRun", "tweak_and_keep", "population", "finite_difference_descent"]

_DEFAULT_STEPS = 1000


@dataclass
class TrainingRun:
    """What one training run did, step by step.

    ``cost[i]``, ``seconds_at[i]`` and ``evaluations_at[i]`` describe the network after step i (index 0:
    before the first step): its cost, the wall time and the number of cost evaluations spent so far.
    """

    method: str
    cost: list[float] = field(default_factory=list)
    seconds_at: list[float] = field(default_factory=list)
    evaluations_at: list[int] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    @property
    def steps(self) -> int:
        """Steps taken (tries, generations or epochs)."""
        return max(len(self.cost) - 1, 0)

    @property
    def evaluations(self) -> int:
        return self.evaluations_at[-1] if self.evaluations_at else 0

    @property
    def seconds(self) -> float:
        return self.seconds_at[-1] if self.seconds_at else 0.0

    @property
    def final_cost(self) -> float:
        return self.cost[-1] if self.cost else math.nan

    def _first_reaching(self, target: float) -> int | None:
        for i, value in enumerate(self.cost):
            if value <= target:
                return i
        return None

    def seconds_to(self, target: float) -> float | None:
        """The wall time at which the cost first fell to ``target`` or below, or None if it never did."""
        i = self._first_reaching(target)
        return None if i is None else self.seconds_at[i]

    def evaluations_to(self, target: float) -> int | None:
        """The cost evaluations spent when the cost first fell to ``target`` or below, or None."""
        i = self._first_reaching(target)
        return None if i is None else self.evaluations_at[i]

    def record(self, cost: float, seconds: float, evaluations: int) -> None:
        self.cost.append(float(cost))
        self.seconds_at.append(float(seconds))
        self.evaluations_at.append(int(evaluations))

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "steps": self.steps,
            "evaluations": self.evaluations,
            "seconds": self.seconds,
            "final_cost": self.final_cost,
            "cost": list(self.cost),
            "seconds_at": list(self.seconds_at),
            "evaluations_at": list(self.evaluations_at),
            "details": dict(self.details),
        }

    def __str__(self) -> str:
        return (
            f"{self.method}: {self.steps} steps, {self.evaluations} cost evaluations, "
            f"{self.seconds:.3g} s, cost {self.cost[0]:.4g} -> {self.final_cost:.4g}"
        )


class _Limits:
    """Stop after ``steps`` steps or ``budget_seconds`` of wall time, whichever comes first."""

    def __init__(self, steps_name: str, steps: int | None, budget_seconds: float | None) -> None:
        self.steps = check_positive(steps_name, steps, integer=True, allow_none=True)
        self.budget = check_positive("budget_seconds", budget_seconds, allow_none=True)
        if self.steps is None and self.budget is None:
            self.steps = _DEFAULT_STEPS
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def go_on(self, done: int) -> bool:
        if self.steps is not None and done >= self.steps:
            return False
        return self.budget is None or self.elapsed() < self.budget


def _check(net: Network, X: object, Y: object, scale: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(net, Network):
        raise InputError(f"expected a glassnet Network, got {type(net).__name__}")
    if scale is not None:
        check_positive("scale", scale)
    return net.check_XY(X, Y)


def _cost(net: Network, X: np.ndarray, Y: np.ndarray) -> float:
    """One cost evaluation: a forward pass over all of X (NaN or inf become inf, never "better")."""
    value = net.evaluate_checked(X, Y).cost
    return value if math.isfinite(value) else math.inf


def tweak_and_keep(
    net: Network,
    X: object,
    Y: object,
    iterations: int | None = None,
    budget_seconds: float | None = None,
    scale: float = 0.1,
    seed: int | np.random.Generator | None = None,
) -> TrainingRun:
    """Train by random tweaks: perturb every parameter by ``scale * N(0, 1)``, keep it if the cost fell.

    Stops after ``iterations`` tries or ``budget_seconds``, whichever comes first (1000 tries when
    neither is given). Works for any activation, the step function too: it needs no gradient.
    """
    X, Y = _check(net, X, Y, scale)
    limits = _Limits("iterations", iterations, budget_seconds)
    rng = np.random.default_rng(seed)
    params = net.params
    saved = params.copy()  # the parameters kept so far
    noise = np.empty_like(params)
    run = TrainingRun("tweak and keep", details={"scale": float(scale), "accepted": 0})
    best = _cost(net, X, Y)
    evaluations = 1
    run.record(best, limits.elapsed(), evaluations)
    accepted = 0
    while limits.go_on(run.steps):
        rng.standard_normal(dtype=noise.dtype, out=noise)
        params += scale * noise
        trial = _cost(net, X, Y)
        evaluations += 1
        if trial < best:
            best = trial
            accepted += 1
            saved[...] = params  # keep the tweak
        else:
            params[...] = saved  # undo the tweak
        run.record(best, limits.elapsed(), evaluations)
    run.details["accepted"] = accepted
    return run


def population(
    net: Network,
    X: object,
    Y: object,
    size: int = 20,
    generations: int | None = None,
    budget_seconds: float | None = None,
    keep: int = 4,
    scale: float = 0.1,
    seed: int | np.random.Generator | None = None,
) -> TrainingRun:
    """Evolve ``size`` networks: each generation keep the ``keep`` best, refill with their mutated copies.

    The population starts as the network itself plus ``size - 1`` mutants of it. Each child is a copy of
    one parent (the parents taken in turn) with ``scale * N(0, 1)`` added to every parameter. The parents
    survive unchanged (elitism), so the best cost never rises. The best network ends up in ``net``.
    """
    X, Y = _check(net, X, Y, scale)
    size = check_positive("size", size, integer=True)
    keep = check_positive("keep", keep, integer=True)
    if keep >= size:
        raise InputError(f"keep ({keep}) must be smaller than the population size ({size})")
    limits = _Limits("generations", generations, budget_seconds)
    rng = np.random.default_rng(seed)
    params = net.params
    members = np.empty((size, params.size), dtype=params.dtype)
    members[0] = params
    members[1:] = params + scale * rng.standard_normal((size - 1, params.size), dtype=params.dtype)
    costs = np.full(size, math.inf)  # inf until measured, so an interrupted run never picks a stranger
    run = TrainingRun("population", details={"size": size, "keep": keep, "scale": float(scale)})
    evaluations = 0
    try:
        for i in range(size):
            params[...] = members[i]
            costs[i] = _cost(net, X, Y)
        evaluations += size
        run.record(costs.min(), limits.elapsed(), evaluations)
        children = size - keep
        which_parent = np.arange(children) % keep
        while limits.go_on(run.steps):
            order = np.argsort(costs, kind="stable")
            members[:keep] = members[order[:keep]]  # the parents, best first
            costs[:keep] = costs[order[:keep]]
            members[keep:] = members[which_parent] + scale * rng.standard_normal(
                (children, params.size), dtype=params.dtype
            )
            costs[keep:] = math.inf
            for i in range(keep, size):
                params[...] = members[i]
                costs[i] = _cost(net, X, Y)
            evaluations += children
            run.record(costs.min(), limits.elapsed(), evaluations)
    finally:
        params[...] = members[int(np.argmin(costs))]  # the best network found (member 0, the start, if none)
    return run


def finite_difference_descent(
    net: Network,
    X: object,
    Y: object,
    epochs: int | None = None,
    budget_seconds: float | None = None,
    learning_rate: float = 0.5,
    eps: float = 1e-6,
) -> TrainingRun:
    """Full-batch gradient descent with the gradient from finite differences instead of backpropagation.

    Each epoch estimates every partial derivative with two cost evaluations,
    ``(J(p + eps) - J(p - eps)) / (2 eps)`` (:func:`glassnet.gradcheck.numerical_gradient`), then steps
    ``p <- p - learning_rate * g`` and measures the new cost (one more evaluation): 2P + 1 evaluations
    per epoch for P parameters. With ``budget_seconds`` it stops before a step it expects to overrun
    the budget (``details["seconds_per_step"]`` holds the estimate). A float32 network is trained
    through a float64 copy (float32 has too few digits for small shocks) and receives the result.
    """
    X, Y = _check(net, X, Y)
    learning_rate = check_positive("learning_rate", learning_rate)
    eps = check_positive("eps", eps)
    limits = _Limits("epochs", epochs, budget_seconds)
    work = net if net.dtype == np.float64 else net.copy(dtype="float64")
    X64, Y64 = X.astype(np.float64, copy=False), Y.astype(np.float64, copy=False)
    run = TrainingRun("finite differences", details={"learning_rate": learning_rate, "eps": eps})
    per_step = 2 * work.params.size + 1
    evaluations = 1
    try:
        run.record(_cost(work, X64, Y64), limits.elapsed(), evaluations)
        # one step can take long; with a budget, stop before a step that would overrun it
        step_seconds = run.seconds_at[0] * per_step
        run.details["seconds_per_step"] = step_seconds
        while limits.go_on(run.steps):
            if limits.budget is not None and limits.elapsed() + step_seconds > limits.budget:
                run.details["stopped_before_overrun"] = True
                break
            began = limits.elapsed()
            gradient = numerical_gradient(work, X64, Y64, eps=eps)
            work.params -= learning_rate * gradient
            evaluations += per_step
            run.record(_cost(work, X64, Y64), limits.elapsed(), evaluations)
            step_seconds = run.seconds_at[-1] - began
            run.details["seconds_per_step"] = step_seconds
    finally:
        if work is not net:
            net.params[...] = work.params
    return run
