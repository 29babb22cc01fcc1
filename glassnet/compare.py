"""Backpropagation against the slow alternatives, on the same task, from the same start, for the same time.

:func:`compare_training` builds one small network, copies it four times and trains each copy for the
same wall-time budget:

- **backpropagation**: glassnet's own fit loop (:class:`glassnet.training.Trainer`), full-batch gradient
  descent, one forward and one backward pass per step;
- **finite differences**: the same gradient descent, same learning rate, with the gradient from small
  shocks, 2P + 1 cost evaluations per step for P parameters
  (:func:`glassnet.evolution.finite_difference_descent`);
- **tweak and keep** and **population**: random search (:mod:`glassnet.evolution`).

It reports for each: steps, cost evaluations (forward passes over the training set), wall time, the final
cost and accuracy, and when each first reached a target cost. Timings are wall-clock and vary from run to
run and machine to machine; the counts of cost evaluations do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError
from .evolution import TrainingRun, _Limits, finite_difference_descent, population, tweak_and_keep
from .network import Network
from .training import Trainer
from .validation import check_positive

__all__ = ["TASKS", "ComparisonResult", "backpropagation", "compare_training", "make_task"]

# each task's hidden widths, cost, learning rate for the two gradient methods, and default target cost
TASKS: dict[str, dict] = {
    "xor": {"hidden": [8], "cost": "binary_cross_entropy", "learning_rate": 1.0, "target": 0.1},
    "circles": {"hidden": [16], "cost": "binary_cross_entropy", "learning_rate": 1.0, "target": 0.1},
    "moons": {"hidden": [16, 16], "cost": "binary_cross_entropy", "learning_rate": 1.0, "target": 0.1},
    "spiral": {"hidden": [32, 32], "cost": "cross_entropy", "learning_rate": 1.0, "target": 0.25},
    "digits": {"hidden": [32], "cost": "cross_entropy", "learning_rate": 0.5, "target": 0.25},
}
METHODS = ("backpropagation", "finite differences", "tweak and keep", "population")


def make_task(task: str, seed: int = 0, n_samples: int = 200) -> tuple[np.ndarray, np.ndarray, dict]:
    """``(X, y, spec)`` for a task of :data:`TASKS`: seeded synthetic data, or scikit-learn's 8x8 digits."""
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}")
    if task == "digits":
        from .datasets import load_digits  # needs scikit-learn; its loader names the extra to install

        data = load_digits()
        X, y = data.X / 16.0, data.y
    else:
        from .datasets import synthetic

        data = getattr(synthetic, task)(n_samples=n_samples, seed=seed)
        X, y = data.X, data.y
    return np.asarray(X, dtype=np.float64), np.asarray(y), dict(TASKS[task])


def backpropagation(
    net: Network,
    X: object,
    Y: object,
    epochs: int | None = None,
    budget_seconds: float | None = None,
    learning_rate: float = 0.5,
) -> TrainingRun:
    """Full-batch gradient descent by backpropagation with glassnet's fit loop, as a :class:`TrainingRun`.

    One step per epoch. The cost an epoch reports is measured by its own forward pass, before its step;
    it is recorded with the time at the end of that epoch (so backpropagation's times are, if anything,
    a little late). The cost after the last step is measured once more at the end.
    """
    limits = _Limits("epochs", epochs, budget_seconds)
    trainer = Trainer(net, X, Y, batch_size=None, optimizer="sgd", learning_rate=learning_rate, shuffle=False)
    run = TrainingRun("backpropagation", details={"learning_rate": float(learning_rate)})
    evaluations = 0
    while True:
        logs = trainer.run_epoch()
        evaluations += 1
        run.record(logs["cost"], limits.elapsed(), evaluations)  # the cost of the weights before this step
        if not limits.go_on(run.steps + 1):
            break
    evaluations += 1
    run.record(net.evaluate(X, Y).cost, limits.elapsed(), evaluations)
    return run


@dataclass
class ComparisonResult:
    """The rows of :func:`compare_training`; ``str()`` is a table, :meth:`to_dict` plain data."""

    task: str
    sizes: list[int]
    n_params: int
    n_samples: int
    budget_seconds: float
    target_cost: float
    runs: dict[str, TrainingRun]
    accuracy: dict[str, float | None]
    rows: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.rows:
            self.rows = [self._row(method) for method in self.runs]

    def _row(self, method: str) -> dict:
        run = self.runs[method]
        return {
            "method": method,
            "steps": run.steps,
            "cost_evaluations": run.evaluations,
            "seconds": run.seconds,
            "start_cost": run.cost[0],
            "final_cost": run.final_cost,
            "accuracy": self.accuracy.get(method),
            "seconds_to_target": run.seconds_to(self.target_cost),
            "evaluations_to_target": run.evaluations_to(self.target_cost),
        }

    def factors(self) -> list[str]:
        """Sentences comparing each method with backpropagation at reaching the target cost."""
        base = self.runs.get("backpropagation")
        target = self.target_cost
        if base is None:
            return []
        base_seconds, base_evals = base.seconds_to(target), base.evaluations_to(target)
        if base_seconds is None or base_evals is None:
            return [
                f"backpropagation did not reach cost {target:g} in {self.budget_seconds:g} s "
                f"(it ended at {base.final_cost:.4g}); give a bigger budget or a higher target"
            ]
        lines = [
            f"backpropagation reached cost {target:g} in {base_seconds:.3g} s ({base_evals} cost evaluations)"
        ]
        for method, run in self.runs.items():
            if method == "backpropagation":
                continue
            seconds, evals = run.seconds_to(target), run.evaluations_to(target)
            if seconds is None and run.steps == 0 and "seconds_per_step" in run.details:
                lines.append(
                    f"{method} could not take a single step: one step needs "
                    f"{2 * self.n_params + 1} cost evaluations, "
                    f"about {run.details['seconds_per_step']:.3g} s here"
                )
            elif seconds is None or evals is None:
                lines.append(
                    f"{method} never reached it in {run.seconds:.3g} s ({run.evaluations} cost evaluations; "
                    f"best cost {run.final_cost:.4g})"
                )
            else:
                lines.append(
                    f"{method} needed {_ratio(seconds, base_seconds)} the time ({seconds:.3g} s) and "
                    f"{_ratio(evals, base_evals)} the cost evaluations ({evals})"
                )
        return lines

    def __str__(self) -> str:
        header = (
            f"compare-training: task {self.task} ({self.n_samples} examples), network "
            f"{'-'.join(map(str, self.sizes))} ({self.n_params} parameters), "
            f"{self.budget_seconds:g} s per method, target cost {self.target_cost:g}"
        )
        columns = f"{'method':<20}{'steps':>9}{'cost evals':>12}{'seconds':>9}{'final cost':>12}"
        columns += f"{'accuracy':>10}  reached target after"
        lines = [header, "", columns]
        for row in self.rows:
            accuracy = "" if row["accuracy"] is None else f"{row['accuracy']:.1%}"
            if row["seconds_to_target"] is None:
                reached = "never"
            else:
                reached = f"{row['seconds_to_target']:.3g} s ({row['evaluations_to_target']} evals)"
            lines.append(
                f"{row['method']:<20}{row['steps']:>9}{row['cost_evaluations']:>12}{row['seconds']:>9.2f}"
                f"{row['final_cost']:>12.4g}{accuracy:>10}  {reached}"
            )
        lines += [""] + self.factors()
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "task": self.task,
            "sizes": list(self.sizes),
            "n_params": self.n_params,
            "n_samples": self.n_samples,
            "budget_seconds": self.budget_seconds,
            "target_cost": self.target_cost,
            "rows": [{k: _finite(v) for k, v in row.items()} for row in self.rows],
            "factors": self.factors(),
        }


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _ratio(value: float, base: float) -> str:
    if base <= 0:
        return "n/a"
    return f"{value / base:.3g}x"


def compare_training(
    task: str = "spiral",
    budget_seconds: float = 2.0,
    seed: int = 0,
    target_cost: float | None = None,
    methods: tuple[str, ...] = METHODS,
    hidden: list[int] | None = None,
    learning_rate: float | None = None,
    scale: float | None = None,
    population_size: int = 20,
    max_steps: int | None = None,
) -> ComparisonResult:
    """Train one network four ways on ``task`` for ``budget_seconds`` each; return the comparison.

    Tasks: :data:`TASKS` (xor 33 parameters, circles 65, moons 337, spiral 1251, digits 2410; digits needs
    scikit-learn). The gap between backpropagation and the others grows with the number of parameters:
    on xor random search keeps up, on spiral and digits it falls far behind. ``target_cost`` (default per
    task) is the cost whose first crossing is timed. Every method starts from the same weights
    (``seed``). ``learning_rate`` (default per task) is shared
    by backpropagation and finite differences, so they take the same steps; ``scale`` is the random
    search's mutation size, by default ``min(0.1, 1 / sqrt(P))`` for P parameters (a tweak of total size
    about 1 at most). ``max_steps`` additionally caps each method's steps (for quick, repeatable runs).
    """
    budget_seconds = check_positive("budget_seconds", budget_seconds)
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise InputError(f"methods must be chosen from {', '.join(METHODS)}; got {list(methods)!r}")
    X, y, spec = make_task(task, seed=seed)
    target_cost = spec["target"] if target_cost is None else check_positive("target_cost", target_cost)
    widths = list(spec["hidden"] if hidden is None else hidden)
    n_classes = int(y.max()) + 1
    n_outputs = 1 if spec["cost"] == "binary_cross_entropy" else n_classes
    start = Network.from_sizes(
        [X.shape[1], *widths, n_outputs], activation="tanh", cost=spec["cost"], seed=seed
    )
    rate = spec["learning_rate"] if learning_rate is None else check_positive("learning_rate", learning_rate)
    mutation = min(0.1, 1.0 / math.sqrt(start.n_params)) if scale is None else check_positive("scale", scale)
    rng = np.random.default_rng(seed)
    runs: dict[str, TrainingRun] = {}
    accuracy: dict[str, float | None] = {}
    for method in methods:
        net = start.copy()
        limits = {"budget_seconds": budget_seconds}
        if method == "backpropagation":
            run = backpropagation(net, X, y, epochs=max_steps, learning_rate=rate, **limits)
        elif method == "finite differences":
            run = finite_difference_descent(net, X, y, epochs=max_steps, learning_rate=rate, **limits)
        elif method == "tweak and keep":
            run = tweak_and_keep(net, X, y, iterations=max_steps, scale=mutation, seed=rng, **limits)
        else:
            keep = max(1, population_size // 5)
            run = population(
                net, X, y, size=population_size, keep=keep, generations=max_steps, scale=mutation, seed=rng,
                **limits,
            )
        runs[method] = run
        accuracy[method] = net.accuracy(X, y)
    return ComparisonResult(
        task=task,
        sizes=start.sizes,
        n_params=start.n_params,
        n_samples=len(X),
        budget_seconds=budget_seconds,
        target_cost=target_cost,
        runs=runs,
        accuracy=accuracy,
    )
