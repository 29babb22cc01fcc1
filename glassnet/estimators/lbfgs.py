"""``solver="lbfgs"``: scipy's L-BFGS-B on the network's flat parameter buffer, with the engine's cost and slope.

Every weight and bias of a glassnet Network lives in one flat array, ``params`` (and the gradients in
``grads``), which is exactly the vector of unknowns a quasi-Newton method wants. The function handed to
``scipy.optimize.minimize(method="L-BFGS-B", jac=True)`` writes a candidate vector into ``params``, runs
forward propagation on the whole training set (``s = a_{l-1} @ W + b``, ``a = f(s)``), measures the cost,
backpropagates (BP1-BP4) and returns the objective and its gradient, as scikit-learn's lbfgs solver does:

    objective = c J + alpha / (2 n) * sum W^2,      gradient = c dJ/dtheta + (alpha / n) W   (biases: no pull)

with J glassnet's cost (the weighted mean over the samples), n the training rows (or their summed sample
weights), and c the factor that makes ``c J`` scikit-learn's loss: 1 for the log-losses and the Poisson
deviance, ``k / 2`` for the mean squared error over k outputs (scikit-learn's ``1/(2n) sum (a - y)^2``; for
k > 1 scikit-learn reports ``1/(2nk) sum`` but steps along the gradient of ``1/(2n) sum``, and glassnet
minimises the function that gradient belongs to). ``max_iter`` is L-BFGS-B's ``maxiter``, ``max_fun`` its
``maxfun`` and ``tol`` its ``gtol``, as in scikit-learn.

The work is done in float64 on a float64 copy of the network, whatever the estimator's dtype: L-BFGS-B's
line search compares objective values to about 1e-9 relative, below float32's resolution (about 6e-8),
where a float32 objective stops the search early on rounding noise. The result is copied back into the
estimator's network.

scipy is an optional extra: ``pip install glassnet[scipy]``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import MissingExtraError
from ..sparse import is_sparse, sparse_rows
from ._sklearn import _check_optimize_result

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["lbfgs_objective", "minimize_lbfgs"]

INSTALL = "pip install glassnet[scipy]"


def _require_scipy_optimize() -> Any:
    """scipy.optimize, or MissingExtraError naming the extra that installs it."""
    try:
        return importlib.import_module("scipy.optimize")
    except ImportError:
        raise MissingExtraError(
            f"solver='lbfgs' runs scipy's L-BFGS-B, and scipy is not installed; install it with {INSTALL} "
            "(or use solver='adam' or solver='sgd', which need only numpy)"
        ) from None


def lbfgs_objective(
    net: Network, X: np.ndarray, Y: np.ndarray, weights: np.ndarray | None, alpha: float, factor: float
):
    """The function L-BFGS-B minimises: ``theta -> (c J + alpha/(2n) sum W^2, its gradient)`` (see the module).

    ``net`` is the network whose ``params`` the vector ``theta`` is written into (its dtype is the
    arithmetic's); X, Y and ``weights`` are checked arrays of that dtype. Returns float64 values, as scipy
    wants them.
    """
    n = len(X) if weights is None else float(weights.sum())
    cost_fn = net.cost_function
    l2 = alpha / factor  # so that factor * (J + l2/(2n) sum W^2) = c J + alpha/(2n) sum W^2

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        net.params[...] = theta
        out = net.propagate(X)
        cost = cost_fn.value(net.layers[-1].s, out, Y, weights=weights)
        net.backpropagate(Y, weights)                        # BP1-BP4: dJ/dW, dJ/db for every layer
        net.add_l2_gradient(l2, n)                           # + (l2 / n) W
        value = float(factor * (cost + net.l2_penalty(l2, n)))
        objective.last = value  # type: ignore[attr-defined]  # what verbose prints after each iteration
        return value, np.multiply(net.grads, factor, dtype=np.float64)

    objective.last = float("nan")  # type: ignore[attr-defined]
    return objective


def minimize_lbfgs(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    weights: np.ndarray | None,
    *,
    alpha: float,
    factor: float,
    max_iter: int,
    max_fun: int,
    tol: float,
    verbose: bool,
) -> tuple[int, float]:
    """Fit ``net`` by L-BFGS-B from its current weights; returns (iterations, final objective).

    Runs on a float64 copy of ``net`` and writes the result back into ``net.params``. A run that stops
    before it converges (``max_iter`` or ``max_fun`` reached, or a failed line search) gives scikit-learn's
    ConvergenceWarning, with the iterations counted as scikit-learn counts them (at most ``max_iter``).
    """
    optimize = _require_scipy_optimize()
    work = net if net.dtype == np.float64 else net.copy("float64")
    # a sparse X stays sparse (its float64 copy as CSR rows, glassnet.sparse); a dense one becomes float64
    X64 = sparse_rows(X.astype(np.float64)) if is_sparse(X) else np.asarray(X, dtype=np.float64)
    Y64 = np.asarray(Y, dtype=np.float64)
    w64 = None if weights is None else np.asarray(weights, dtype=np.float64)
    objective = lbfgs_objective(work, X64, Y64, w64, alpha, factor)
    options: dict[str, Any] = {"maxfun": int(max_fun), "maxiter": int(max_iter), "gtol": float(tol)}
    with np.errstate(over="ignore", invalid="ignore"):  # a trial step may overflow: the line search backs off
        result = optimize.minimize(
            objective, work.params.astype(np.float64), method="L-BFGS-B", jac=True, options=options,
            callback=_Progress(objective) if verbose else None,
        )
    n_iter = _check_optimize_result("lbfgs", result, max_iter)
    net.params[...] = result.x
    return int(n_iter), float(result.fun)


class _Progress:
    """verbose=True: one line per L-BFGS-B iteration, ``Iteration N, loss = ...`` as the stochastic solvers print.

    The loss is the objective at the iteration's accepted point: the line search's last evaluation.
    """

    def __init__(self, objective) -> None:
        self.objective = objective
        self.iteration = 0

    def __call__(self, xk: np.ndarray) -> None:
        self.iteration += 1
        print(f"Iteration {self.iteration}, loss = {self.objective.last:.8f}", flush=True)
