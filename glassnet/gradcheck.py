"""Gradient checking by "small shocks": finite differences against backpropagation.

For each weight and bias ``w``, nudge it by ``+eps`` and by ``-eps``, watch the cost, and estimate the
slope as ``(J(w + eps) - J(w - eps)) / (2 eps)`` (central differences: error of order ``eps^2``). If
backpropagation is right, it agrees with these estimates to many digits.

The check runs on a float64 copy of the network (float32 has too few digits for ``eps = 1e-6``) and
reports, for each layer, the relative error ``|g_num - g_bp| / (|g_num| + |g_bp|)`` measured with the
Euclidean norm over that layer's checked weights and biases, the usual summary that stays meaningful when
single gradients are tiny.

Each shock costs two forward passes over the data, so a big network is checked on a sample: by default at
most ``sample`` = 2000 parameters, drawn at random (from ``seed``) and shared out evenly between the layers
(a layer with fewer parameters than its share is checked whole, and the rest goes to the others);
``full=True`` checks every one. The result says how many were checked, of how many, and which single
parameter was the worst.

:func:`shock` is the same idea on one named parameter, as worked numbers: the cost before and after a small
shock ``h`` each way, the finite-difference slope and backpropagation's BP4 gradient side by side. Parameters
are named as the trace prints them: ``"layer 2 w[0, 1]"`` is ``net.layers[1].weights[0, 1]`` (from neuron 0
below to neuron 1, the tutorials' ``w_10``) and ``"layer 1 b[2]"`` is ``net.layers[0].bias[2]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

import numpy as np

from .errors import InputError, InputTypeError
from .validation import check_non_negative, check_positive

__all__ = [
    "GradCheckResult", "WorstParameter", "gradcheck", "numerical_gradient", "DEFAULT_SAMPLE", "Shock", "shock",
    "parse_parameter",
]

DEFAULT_SAMPLE = 2000  # parameters checked by default; a network with no more than this is checked whole


@dataclass
class WorstParameter:
    """The checked parameter with the largest share of its layer's error.

    Its share is ``|g_num - g_bp| / (|g_num| + |g_bp|)`` with the norms of its layer's checked gradients in
    the denominator, so the worst parameter's share is at most its layer's relative error.
    ``layer`` counts from 1 as printed; ``index`` is ``(k, j)`` into ``weights`` or ``(j,)`` into ``bias``.
    """

    layer: int
    kind: str
    index: tuple[int, ...]
    numerical: float
    backprop: float
    share: float

    def __str__(self) -> str:
        where = ", ".join(str(i) for i in self.index)
        return (
            f"layer {self.layer} {self.kind}[{where}]: numerical {self.numerical:.6e}, backprop "
            f"{self.backprop:.6e}"
        )


@dataclass
class GradCheckResult:
    """The outcome of :func:`gradcheck`.

    ``errors[l]`` is layer l's relative error; ``numerical`` and ``backprop`` hold the gradients that were
    compared (float64) at the flat positions ``indices`` of ``Network.params`` (all of them, in order, when
    every parameter was checked). ``checked[l]`` of ``sizes[l]`` parameters of layer l were checked.
    """

    errors: list[float]
    tolerance: float
    numerical: np.ndarray
    backprop: np.ndarray
    indices: np.ndarray
    n_params: int
    checked: list[int]
    sizes: list[int]
    worst_parameter: WorstParameter | None
    seed: int | None = None

    @property
    def worst(self) -> float:
        return max(self.errors)

    @property
    def passed(self) -> bool:
        return self.worst < self.tolerance

    @property
    def n_checked(self) -> int:
        return int(self.indices.size)

    @property
    def full(self) -> bool:
        """True when every parameter was checked."""
        return self.n_checked == self.n_params

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = []
        for i, (error, checked, size) in enumerate(zip(self.errors, self.checked, self.sizes, strict=True)):
            part = "" if checked == size else f" ({checked} of {size} parameters)"
            lines.append(f"layer {i + 1}: relative error {error:.3e}{part}")
        if self.full:
            lines.append(f"checked all {self.n_params} parameters")
        else:
            lines.append(
                f"checked {self.n_checked} of {self.n_params} parameters (a random sample, seed {self.seed}; "
                "full=True checks them all)"
            )
        if self.worst_parameter is not None:
            lines.append(f"worst parameter: {self.worst_parameter}")
        verdict = "passed" if self.passed else "FAILED"
        lines.append(f"worst {self.worst:.3e} ({verdict}, tolerance {self.tolerance:g})")
        return "\n".join(lines)


def numerical_gradient(
    net, X: np.ndarray, Y: np.ndarray, eps: float = 1e-6, l2: float = 0.0, indices: np.ndarray | None = None
) -> np.ndarray:
    """The slope of the cost by central differences, one parameter at a time.

    Returns the slopes at the flat positions ``indices`` of ``net.params`` (every parameter, in order, when
    None). ``net`` must already be the network to shock (gradcheck passes a float64 copy); its parameters
    are restored exactly after each shock.
    """
    params = net.params
    positions = np.arange(params.size) if indices is None else np.asarray(indices)
    slopes = np.empty(positions.size, dtype=params.dtype)
    for n, i in enumerate(positions):
        original = params[i]
        params[i] = original + eps
        up = net.evaluate_checked(X, Y).cost + net.l2_penalty(l2, len(X))
        params[i] = original - eps
        down = net.evaluate_checked(X, Y).cost + net.l2_penalty(l2, len(X))
        params[i] = original
        slopes[n] = (up - down) / (2 * eps)
    return slopes


def _shares(sizes: list[int], budget: int) -> list[int]:
    """Share ``budget`` checks evenly between layers of ``sizes`` parameters; a small layer gets all of its
    own and hands what is left of its share to the others."""
    shares = [0] * len(sizes)
    open_layers = sorted(range(len(sizes)), key=lambda i: sizes[i])
    left = budget
    while open_layers:
        even = left // len(open_layers)
        i = open_layers.pop(0)
        shares[i] = min(sizes[i], even if open_layers else left)
        left -= shares[i]
    return shares


def gradcheck(
    net,
    X: object,
    Y: object,
    eps: float = 1e-6,
    tolerance: float = 1e-6,
    l2: float = 0.0,
    full: bool = False,
    sample: int = DEFAULT_SAMPLE,
    seed: int = 0,
) -> GradCheckResult:
    """Compare backpropagation's gradients with finite differences on a float64 copy of ``net``.

    Every parameter is checked when ``full`` is True or the network has at most ``sample`` of them;
    otherwise ``sample`` parameters drawn at random from ``seed`` (shared evenly between the layers).
    Returns a :class:`GradCheckResult` with each layer's relative error, how many parameters were checked
    and the worst one; ``result.passed`` says whether the worst layer is below ``tolerance``. ``net``
    itself is not changed (nor its random generator).
    """
    eps = cast(float, check_positive("eps", eps))
    tolerance = cast(float, check_positive("tolerance", tolerance))
    l2 = check_non_negative("l2", l2)
    if not isinstance(full, (bool, np.bool_)):
        raise InputTypeError(f"full must be True or False, got {full!r}")
    sample = cast(int, check_positive("sample", sample, integer=True))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise InputTypeError(f"seed must be a whole number >= 0, got {seed!r}")
    if seed < 0:
        raise InputError(f"seed must be a whole number >= 0, got {seed!r}")
    net.check_trainable()
    net.check_XY(X, Y)  # validate against the original before copying anything
    shocked = net.copy(dtype="float64")
    X64, Y64 = shocked.check_XY(X, Y)
    shocked.gradients(X64, Y64, l2=l2)
    sizes = [layer.n_params for layer in shocked.layers]
    starts = np.cumsum([0] + sizes)
    sampled = not full and shocked.n_params > sample
    if sampled:
        rng = np.random.default_rng(seed)
        parts = [
            start + np.sort(rng.choice(size, size=share, replace=False))
            for start, size, share in zip(starts, sizes, _shares(sizes, sample), strict=False)
        ]
        indices = np.concatenate(parts).astype(np.intp)
    else:
        indices = np.arange(shocked.n_params)
    backprop = shocked.grads[indices].copy()
    numerical = numerical_gradient(shocked, X64, Y64, eps=eps, l2=l2, indices=indices)
    layer_of = np.searchsorted(starts, indices, side="right") - 1
    errors, checked, shares = [], [], np.zeros(indices.size)
    for k in range(len(sizes)):
        mine = layer_of == k
        num, bp = numerical[mine], backprop[mine]
        scale = np.linalg.norm(num) + np.linalg.norm(bp)
        errors.append(float(np.linalg.norm(num - bp) / scale) if scale > 0 else 0.0)
        checked.append(int(mine.sum()))
        if scale > 0:
            shares[mine] = np.abs(num - bp) / scale
    worst_parameter = None
    if indices.size and shares.max() > 0:
        n = int(np.argmax(shares))
        k, offset = int(layer_of[n]), int(indices[n] - starts[layer_of[n]])
        layer = shocked.layers[k]
        n_weights = layer.n_in * layer.n_out
        if offset < n_weights:  # weights are stored row by row: flat offset k * n_out + j is weights[k, j]
            kind, index = "weights", divmod(offset, layer.n_out)
        else:
            kind, index = "bias", (offset - n_weights,)
        worst_parameter = WorstParameter(
            layer=k + 1, kind=kind, index=tuple(int(i) for i in index), numerical=float(numerical[n]),
            backprop=float(backprop[n]), share=float(shares[n]),
        )
    return GradCheckResult(
        errors=errors, tolerance=tolerance, numerical=numerical, backprop=backprop, indices=indices,
        n_params=shocked.n_params, checked=checked, sizes=sizes, worst_parameter=worst_parameter,
        seed=seed if sampled else None,
    )


_NAME = re.compile(
    r"\s*layer\s+(?P<layer>\d+)\s+(?:"
    r"(?:w|weights?)\s*\[\s*(?P<k>\d+)\s*,\s*(?P<j>\d+)\s*\]|weights?\s+(?P<k2>\d+)\s*->\s*(?P<j2>\d+)"
    r"|(?:b|bias)\s*\[\s*(?P<b>\d+)\s*\]|bias\s+(?P<b2>\d+))\s*",
    re.IGNORECASE,
)
NAME_HELP = ('a parameter as the trace names it: "layer L w[K, J]" (the weight from neuron K below to neuron J of '
             'layer L; also "layer L weight K->J") or "layer L b[J]" (its bias; also "layer L bias J"); layers '
             "count from 1, neurons from 0")


def parse_parameter(net, name: str) -> tuple[int, str, tuple[int, ...]]:
    """``(layer, kind, index)`` of a parameter named as the trace prints it (see :data:`NAME_HELP`), checked
    against ``net``: ``(2, "weights", (0, 1))`` for ``"layer 2 w[0, 1]"``, ``(1, "bias", (2,))`` for
    ``"layer 1 b[2]"``."""
    if not isinstance(name, str):
        raise InputTypeError(f"the parameter's name must be a string such as 'layer 1 w[0, 1]', got {name!r}")
    match = _NAME.fullmatch(name)
    if match is None:
        raise InputError(f"cannot read the parameter {name!r}: give {NAME_HELP}")
    layer = int(match["layer"])
    if not 1 <= layer <= len(net.layers):
        raise InputError(f"{name!r}: the network has layers 1..{len(net.layers)}")
    dense = net.layers[layer - 1]
    if match["b"] is not None or match["b2"] is not None:
        j = int(match["b"] if match["b"] is not None else match["b2"])
        if j >= dense.n_out:
            raise InputError(f"{name!r}: layer {layer} has neurons 0..{dense.n_out - 1}")
        return layer, "bias", (j,)
    k = int(match["k"] if match["k"] is not None else match["k2"])
    j = int(match["j"] if match["j"] is not None else match["j2"])
    if k >= dense.n_in or j >= dense.n_out:
        below = "inputs" if layer == 1 else f"neurons of layer {layer - 1}"
        raise InputError(f"{name!r}: layer {layer}'s weights run from {below} 0..{dense.n_in - 1} to its neurons "
                         f"0..{dense.n_out - 1}")
    return layer, "weights", (k, j)


@dataclass
class Shock:
    """One small shock on one parameter ``p``, as worked numbers (see :func:`shock`).

    ``cost`` is J at p, ``cost_up`` J(p + h), ``cost_down`` J(p - h); ``slope`` the central difference
    ``(J(p + h) - J(p - h)) / (2 h)`` (error of order h^2), ``one_sided`` the forward difference
    ``(J(p + h) - J(p)) / h`` (error of order h); ``backprop`` dJ/dp by backpropagation (BP4
    ``dJ/dw[k, j] = sum_i a_k * delta_j``, BP3 ``dJ/db_j = sum_i delta_j``), with the factors of the first
    sample in ``a_k`` and ``delta_j`` (``a_k`` is None for a bias). All in float64.
    """

    name: str
    layer: int
    kind: str
    index: tuple[int, ...]
    value: float
    h: float
    n_samples: int
    cost_name: str
    cost: float
    cost_up: float
    cost_down: float
    backprop: float
    a_k: float | None
    delta_j: float
    l2: float = 0.0

    @property
    def slope(self) -> float:
        return (self.cost_up - self.cost_down) / (2 * self.h)

    @property
    def one_sided(self) -> float:
        return (self.cost_up - self.cost) / self.h

    @property
    def relative_difference(self) -> float:
        """``|slope - backprop| / (|slope| + |backprop|)`` (0 when both are 0)."""
        scale = abs(self.slope) + abs(self.backprop)
        return abs(self.slope - self.backprop) / scale if scale > 0 else 0.0

    @property
    def evaluations(self) -> int:
        """Passes over the data the shock cost: J(p), J(p + h), J(p - h); backpropagation needs one forward and one
        backward pass for every parameter at once."""
        return 3

    def to_dict(self) -> dict:
        return {
            "name": self.name, "layer": self.layer, "kind": self.kind, "index": list(self.index),
            "value": self.value, "h": self.h, "n_samples": self.n_samples, "cost": self.cost,
            "cost_up": self.cost_up, "cost_down": self.cost_down, "slope": self.slope,
            "one_sided": self.one_sided, "backprop": self.backprop, "relative_difference": self.relative_difference,
        }

    def __str__(self) -> str:
        g = ".10g"
        what = "1 example" if self.n_samples == 1 else f"{self.n_samples} examples"
        l2 = f" + L2 term (l2 = {self.l2:g})" if self.l2 else ""
        symbol = "w" if self.kind == "weights" else "b"
        where = ", ".join(map(str, self.index))
        p = f"{symbol}[{where}]"
        lines = [
            f"A small shock on {self.name}: {p} = {self.value:{g}}, h = {self.h:g}; cost {self.cost_name}{l2} on "
            f"{what} (float64)",
            f"  J({symbol})     = {self.cost:{g}}",
            f"  J({symbol} + h) = {self.cost_up:{g}}   ({p} = {self.value + self.h:{g}})",
            f"  J({symbol} - h) = {self.cost_down:{g}}   ({p} = {self.value - self.h:{g}})",
            f"  finite difference   (J({symbol} + h) - J({symbol} - h)) / 2h = ({self.cost_up:{g}} - "
            f"{self.cost_down:{g}}) / {2 * self.h:g} = {self.slope:{g}}",
            f"  one-sided           (J({symbol} + h) - J({symbol})) / h = {self.one_sided:{g}}",
        ]
        if self.kind == "weights":
            k, j = self.index
            if self.n_samples == 1:
                bp = f"a_{k} * delta_{j} = {self.a_k:{g}} * {self.delta_j:{g}}"
            else:
                bp = f"sum over the samples of a_{k} * delta_{j}"
            lines.append(f"  backpropagation     BP4: dJ/dw[{k}, {j}] = {bp}"
                         f"{' + (l2 / n) w' if self.l2 else ''} = {self.backprop:{g}}")
        else:
            (j,) = self.index
            bp = f"delta_{j}" if self.n_samples == 1 else f"sum over the samples of delta_{j}"
            lines.append(f"  backpropagation     BP3: dJ/db[{j}] = {bp} = {self.backprop:{g}}")
        lines.append(f"  relative difference |finite - backprop| / (|finite| + |backprop|) = "
                     f"{self.relative_difference:.2e}")
        lines.append(f"  (the shock cost {self.evaluations} passes over the data for this one parameter; "
                     "backpropagation's")
        lines.append("  one forward and one backward pass gave every gradient at once)")
        return "\n".join(lines)


def shock(net, X: object, Y: object, parameter: str, h: float = 1e-4, l2: float = 0.0) -> Shock:
    """A small shock on one named parameter: J(p - h), J(p), J(p + h), the slope they give, and backpropagation's.

    ``parameter`` is named as the trace prints it: ``"layer 2 w[0, 1]"`` (``net.layers[1].weights[0, 1]``) or
    ``"layer 1 b[2]"`` (``net.layers[0].bias[2]``); see :data:`NAME_HELP`. Runs on a float64 copy of ``net``
    (``net`` is not changed); ``X, Y`` is one example (1-D x) or a batch. The central difference
    ``(J(p + h) - J(p - h)) / 2h`` agrees with backpropagation's ``dJ/dp`` up to an error of order ``h^2``.
    """
    h = cast(float, check_positive("h", h))
    l2 = check_non_negative("l2", l2)
    net.check_trainable()
    layer_number, kind, index = parse_parameter(net, parameter)
    if np.ndim(cast(np.ndarray, X)) == 1:  # one example, and its target: a number, a label, or a row of targets
        X, y = np.asarray(X).reshape(1, -1), np.asarray(Y)
        Y = y.reshape(1) if y.ndim == 0 else y.reshape(1, -1) if y.ndim == 1 and len(y) == net.n_outputs > 1 else Y
    net.check_XY(X, Y)
    shocked = net.copy(dtype="float64")
    X64, Y64 = shocked.check_XY(X, Y)
    n = len(X64)
    shocked.gradients(X64, Y64, l2=l2)
    dense = shocked.layers[layer_number - 1]
    if kind == "weights":
        k, j = index
        backprop = float(dense.grad_weights[k, j])
        a_k: float | None = float(dense.a_prev[0, k])
        array = dense.weights
    else:
        (j,) = index
        backprop, a_k, array = float(dense.grad_bias[j]), None, dense.bias
    delta_j = float(dense.delta[0, j])

    def cost() -> float:
        return shocked.evaluate_checked(X64, Y64).cost + shocked.l2_penalty(l2, n)

    value = float(array[index])
    base = cost()
    array[index] = value + h
    up = cost()
    array[index] = value - h
    down = cost()
    array[index] = value
    return Shock(
        name=f"layer {layer_number} {'w' if kind == 'weights' else 'b'}[{', '.join(map(str, index))}]",
        layer=layer_number, kind=kind, index=index, value=value, h=h, n_samples=n,
        cost_name=shocked.cost_function.name, cost=base, cost_up=up, cost_down=down, backprop=backprop, a_k=a_k,
        delta_j=delta_j, l2=l2,
    )
