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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np

from .errors import InputError, InputTypeError
from .validation import check_non_negative, check_positive

__all__ = ["GradCheckResult", "WorstParameter", "gradcheck", "numerical_gradient", "DEFAULT_SAMPLE"]

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
