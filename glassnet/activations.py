"""Activation functions: each neuron's output ``a = f(s)`` and its slope ``f'(s)``.

Every activation is a small object with two methods that work on whole batches at once:

- ``value(s, out=None)`` returns ``a = f(s)`` elementwise;
- ``slope(s, a, out=None)`` returns ``f'(s)``; it receives both ``s`` and ``a = f(s)`` because for some
  functions the slope is cheapest in terms of ``a`` (sigmoid: ``a / (1 + e^s)``).

Both accept ``out=`` so the training loop can reuse buffers (``out`` may be ``s`` itself for ``value``; for
``slope`` it must be neither ``s`` nor ``a``).

Precision: each value and slope is within a few ulps of the true value, in float32 and float64, wherever that
value is a normal float of the dtype, from the tails (``sigmoid(-30)`` = 9.36e-14 in float32) to inputs near
and past the overflow of ``exp``; below the smallest normal float the result is 0 or a subnormal. The
textbook forms that cancel (``a(1 - a)``, ``1 - a**2`` where ``a`` rounds to 1) are written another way.

Look an activation up by name with :func:`get_activation`; :data:`ACTIVATIONS` lists them all.

``softmax`` is not elementwise: its Jacobian is a matrix, so glassnet only uses it as the output of a
network trained with the ``cross_entropy`` cost, where the pair fuses into the output error ``a - y``.
``step`` is the perceptron's threshold: it draws the right picture, but its slope is zero everywhere
(and undefined at 0), so gradient descent can never move its weights; training with it is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any

import numpy as np

from .errors import InputError, InputTypeError, NotTrainableError

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "activation_names", "quiet_errors"]


# -- floating-point errors that are part of the maths ---------------------------------------------------------
# Some values and slopes overflow or underflow on purpose (cosh(s) = inf where the slope 1 / cosh(s)^2 is
# below the smallest float, and 1 / inf = 0 is its limit). Each runs under ``_quiet(...)``: np.errstate
# ignoring exactly those errors, or nothing at all inside ``quiet_errors()``, which the fit loop opens once
# per epoch (an errstate costs more than the arithmetic of a learner's batch of 10).
_QUIET: ContextVar[bool] = ContextVar("glassnet_quiet_errors", default=False)
_OUTER: ContextVar[dict | None] = ContextVar("glassnet_outer_errors", default=None)  # set with _QUIET
_NO_CONTEXT = nullcontext()


@contextmanager
def quiet_errors() -> Iterator[None]:
    """Overflow and underflow pass silently inside (np.errstate), and the functions of glassnet's passes
    then open no errstate of their own. The fit loop runs each epoch inside one: a step that overflows ends
    in a non-finite cost, and so in a DivergenceError that says what to do."""
    outer = dict(np.geterr())
    with np.errstate(over="ignore", under="ignore"):
        token, kept = _QUIET.set(True), _OUTER.set(outer)
        try:
            yield
        finally:
            _OUTER.reset(kept)
            _QUIET.reset(token)


@contextmanager
def callers_errors() -> Iterator[None]:
    """Inside :func:`quiet_errors`, numpy's error settings as they were outside it, and glassnet's functions
    opening their own errstate again: the fit loop calls its callbacks in one, so a callback's own numbers
    warn (or raise) as the caller asked, and the library's deliberate overflows stay quiet there too."""
    if not _QUIET.get():
        yield
        return
    token = _QUIET.set(False)
    try:
        with np.errstate(**(_OUTER.get() or {})):
            yield
    finally:
        _QUIET.reset(token)


def _quiet(**errors: Any) -> Any:
    """``np.errstate(**errors)`` (over and under only), or no context where :func:`quiet_errors` holds."""
    return _NO_CONTEXT if _QUIET.get() else np.errstate(**errors)


class Activation:
    """Base class: ``a = f(s)`` with its slope ``f'(s)``.

    Attributes
    ----------
    name : the name it is looked up by.
    init : the weight initialiser that suits it: ``"glorot"`` (sigmoid-like) or ``"he"`` (ReLU family).
    elementwise : False only for softmax, whose slope is a Jacobian rather than a number per neuron.
    trainable : False only for step, whose slope is zero everywhere.
    """

    name: str = ""
    init: str = "glorot"
    elementwise: bool = True
    trainable: bool = True

    def value(self, s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def slope(self, s: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, s: np.ndarray) -> np.ndarray:
        s = np.asarray(s)
        # whole numbers in, real numbers out: value() computes in its input's dtype (softmax's exp in place)
        return self.value(s if s.dtype.kind == "f" else s.astype(np.float64))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def config(self) -> dict:
        """A JSON-able description from which :func:`get_activation` rebuilds this activation."""
        return {"name": self.name}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Activation) and self.config() == other.config()

    def __hash__(self) -> int:
        return hash(self.name)


class Identity(Activation):
    """``f(s) = s``, ``f'(s) = 1``: a linear neuron (the output of a regression network)."""

    name = "identity"

    def value(self, s, out=None):
        if out is None:
            return s.copy()
        if out is not s:
            out[...] = s
        return out

    def slope(self, s, a, out=None):
        if out is None:
            return np.ones_like(s)
        out.fill(1)
        return out


class Sigmoid(Activation):
    """``f(s) = 1 / (1 + e^-s)``, ``f'(s) = f(s)(1 - f(s)) = f(s) / (1 + e^s)``.

    Both are computed exactly as written, to within a few ulps in float32 and float64 across the whole
    range: ``a(1 - a)`` would cancel where ``a`` rounds to 1 (float32 ``s > 17``), and the form
    ``(1 + tanh(s/2)) / 2`` loses the negative tail (in float32 it gives 2.98e-08 for ``s = -19.31``, true
    4.09e-09, and exactly 0 for every ``s <= -25``). Where ``e^-s`` (or ``e^s``) overflows, the true value
    is smaller than the dtype's smallest normal number, and ``1 / inf = 0`` is the right limit.
    """

    name = "sigmoid"

    def value(self, s, out=None):
        with _quiet(over="ignore", under="ignore"):  # e^-s = inf gives 1 / inf = 0 (see above)
            out = np.negative(s, out=out)
            np.exp(out, out=out)
            out += 1
            np.reciprocal(out, out=out)
        return out

    def slope(self, s, a, out=None):
        # f(s) (1 - f(s)) with 1 - f(s) = 1 / (1 + e^s), which stays exact where f(s) rounds to 1
        with _quiet(over="ignore", under="ignore"):
            out = np.exp(s, out=out)
            out += 1
            np.divide(a, out, out=out)
        return out


class Tanh(Activation):
    """``f(s) = tanh(s)``, ``f'(s) = 1 - tanh(s)^2 = 1 / cosh(s)^2``."""

    name = "tanh"

    def value(self, s, out=None):
        return np.tanh(s, out=out)

    def slope(self, s, a, out=None):
        # 1 - tanh(s)^2 written as 1 / cosh(s)^2: the same number, but exact where tanh(s) rounds to +-1
        # (float32 |s| > 9), where 1 - a^2 would give 0. cosh overflows only where the slope is below the
        # smallest normal float, and 1 / inf = 0 is its limit.
        with _quiet(over="ignore"):
            out = np.cosh(s, out=out)
            np.multiply(out, out, out=out)
            np.reciprocal(out, out=out)
        return out


class ReLU(Activation):
    """``f(s) = max(0, s)``, ``f'(s) = 1`` where ``s > 0``, else 0 (the slope at 0 is taken as 0)."""

    name = "relu"
    init = "he"

    def value(self, s, out=None):
        # Against an array of zeros rather than the scalar 0: numpy's vectorised loop then runs, about
        # 4x faster than its scalar-operand path on a batch (and the values are the same).
        return np.maximum(s, _zeros_like(s), out=out)

    def slope(self, s, a, out=None):
        if out is None:
            return (s > 0).astype(s.dtype)
        np.greater(s, 0, out=out)  # writes 1.0 / 0.0 straight into a float buffer, no bool temporary
        return out


class LeakyReLU(Activation):
    """``f(s) = s`` where ``s > 0``, else ``alpha * s``; ``f'(s) = 1`` or ``alpha``."""

    name = "leaky_relu"
    init = "he"

    def __init__(self, alpha: float = 0.01) -> None:
        if not (isinstance(alpha, (int, float)) and 0 <= alpha < 1):
            raise InputError(f"leaky_relu needs 0 <= alpha < 1, got {alpha!r}")
        self.alpha = float(alpha)

    def value(self, s, out=None):
        if out is None:
            return np.where(s > 0, s, s * self.alpha)
        # max(s, alpha*s) equals leaky ReLU for 0 <= alpha < 1 and needs no mask
        return np.maximum(s, s * self.alpha, out=out)

    def slope(self, s, a, out=None):
        result = np.where(s > 0, 1.0, self.alpha).astype(s.dtype, copy=False)
        if out is None:
            return result
        out[...] = result
        return out

    def config(self):
        return {"name": self.name, "alpha": self.alpha}

    def __repr__(self):
        return f"LeakyReLU(alpha={self.alpha})"


class Arctan(Activation):
    """``f(s) = arctan(s)``, ``f'(s) = 1 / (1 + s^2)``."""

    name = "arctan"

    def value(self, s, out=None):
        return np.arctan(s, out=out)

    def slope(self, s, a, out=None):
        with _quiet(over="ignore"):  # s^2 = inf (|s| > 1.8e19 in float32) gives 1 / inf = 0, its limit
            out = np.multiply(s, s, out=out)
            out += 1
            np.reciprocal(out, out=out)
        return out


class Softplus(Activation):
    """``f(s) = ln(1 + e^s)`` (a smooth ReLU), ``f'(s) = sigmoid(s)``; stable for large ``|s|``."""

    name = "softplus"
    init = "he"

    def value(self, s, out=None):
        return np.logaddexp(0, s, out=out)

    def slope(self, s, a, out=None):
        return _SIGMOID.value(s, out=out)


class Softmax(Activation):
    """``a_j = e^{s_j} / sum_k e^{s_k}`` over each row: the outputs are probabilities that sum to 1.

    Only for the output layer with the ``cross_entropy`` cost, which fuses with it into ``delta = a - y``.

    Computed as ``e^{d_j} / sum_k e^{d_k}`` with ``d_j = s_j - max_k s_k``, so no ``e^d`` overflows. The
    subtraction itself rounds (``d`` = -17.2877 for s = (17.3, 0.0123) misses by up to 1e-6 in float32, which
    ``e^d`` turns into a relative error of 1e-6, eight float32 ulps); its rounding error ``r`` is recovered
    exactly (Knuth's two-sum) and put back as ``e^{d + r} ~ e^d (1 + r)``, so each probability is right to
    a few ulps. The output layer is narrow, so the few extra passes cost little.
    """

    name = "softmax"
    elementwise = False

    def value(self, s, out=None):
        if s.ndim != 2:
            raise InputError("softmax works on a batch shaped (n_samples, n_outputs)")
        top = np.maximum.reduce(s, axis=1, keepdims=True)  # s.max's own call, without its wrappers
        d = s - top  # shift so the largest e^d is 1 (no overflow); a new array, as out may be s itself
        r = subtraction_error(s, top, d)
        out = np.exp(d, out=out)
        r *= out
        out += r  # e^(d + r) ~ e^d + e^d r
        out /= np.add.reduce(out, axis=1, keepdims=True)
        return out

    def slope(self, s, a, out=None):
        raise NotTrainableError(
            "softmax has no per-neuron slope (each output depends on every s); use it as the output layer "
            "with cost='cross_entropy', which glassnet fuses so that the output error is a - y"
        )


class Step(Activation):
    """The perceptron's threshold: ``f(s) = 1`` where ``s > 0``, else 0.

    Its slope is zero everywhere (and undefined at 0), so the error reaching a step neuron is always
    multiplied by zero: gradient descent cannot learn with it. That is why the tutorials replace it with
    the sigmoid, a smooth step whose slope is never zero.
    """

    name = "step"
    trainable = False

    def value(self, s, out=None):
        if out is None:
            return (s > 0).astype(s.dtype)
        np.greater(s, 0, out=out)
        return out

    def slope(self, s, a, out=None):
        raise NotTrainableError(STEP_MESSAGE)


class Exp(Activation):
    """``f(s) = e^s``, ``f'(s) = e^s = f(s)``: a positive output, the mean of a count (the Poisson cost's pair).

    ``e^s`` overflows to inf above ln(max float) (88.7 in float32, 709.8 in float64), its true limit there.
    """

    name = "exp"

    def value(self, s, out=None):
        with _quiet(over="ignore", under="ignore"):
            return np.exp(s, out=out)

    def slope(self, s, a, out=None):
        if out is None:
            return a.copy()
        out[...] = a
        return out


STEP_MESSAGE = (
    "the step activation cannot be trained by gradient descent: its slope f'(s) is zero everywhere "
    "(and undefined at 0), so every delta through it is zero and no weight ever moves. Use 'sigmoid', the "
    "smooth step the tutorials swap in for it (or 'tanh'/'relu'); keep 'step' for drawing the perceptron."
)


def subtraction_error(x: np.ndarray, y: np.ndarray, difference: np.ndarray) -> np.ndarray:
    """The rounding error ``r = (x - y) - difference`` of ``difference = fl(x - y)``, exactly (Knuth's two-sum).

    Every step below is exact in IEEE arithmetic, so ``difference + r`` equals ``x - y`` to the last bit.
    """
    y_seen = np.subtract(difference, x)  # the part of the difference that came from -y ...
    x_seen = np.subtract(difference, y_seen)  # ... and from x
    np.subtract(x, x_seen, out=x_seen)  # the low bits of x that were lost
    np.add(y_seen, y, out=y_seen)  # minus the low bits of -y that were lost
    x_seen -= y_seen
    return x_seen


_SIGMOID = Sigmoid()
_ZEROS: dict[np.dtype, np.ndarray] = {}


def _zeros_like(s: np.ndarray) -> np.ndarray:
    """A read-only array of zeros shaped like ``s``: a view of one flat buffer per dtype, grown as needed."""
    zeros = _ZEROS.get(s.dtype)
    if zeros is None or zeros.size < s.size:
        zeros = np.zeros(max(s.size, 1 << 16), dtype=s.dtype)
        zeros.flags.writeable = False
        _ZEROS[s.dtype] = zeros
    return zeros[: s.size].reshape(s.shape)

# -- fused steps of the training passes ----------------------------------------------------------------------
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_FUSED: Any = None  # glassnet._fused, imported on first use (it is not one of the engine's modules)


def fused_kernel(name: str, elements: int) -> Callable | None:
    """``glassnet._fused.kernel(name, elements)``: the compiled kernel, or None (numba missing, small arrays)."""
    global _FUSED
    if _FUSED is None:
        from . import _fused

        _FUSED = _fused
    if elements < _FUSED.SMALLEST:  # a learner's small batch: numpy's passes, decided without another call
        return None
    return _FUSED.kernel(name, elements)


def _float_arrays(s: np.ndarray, *others: np.ndarray | None) -> bool:
    """True when ``s`` is a float32/float64 matrix and every other array given has its dtype and shape."""
    return s.dtype in _FLOATS and s.ndim == 2 and all(
        o is None or (o.dtype == s.dtype and o.shape == s.shape) for o in others)


def bias_and_value(activation: Activation, s: np.ndarray, bias: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``s += bias`` and then ``out = f(s)``; returns ``out``. ``s`` is (rows, n), ``bias`` (n,).

    For the identity, ReLU and leaky ReLU this is one compiled pass over memory when numba is there and the
    batch is large enough to gain (glassnet._fused), with the same numbers bit for bit; otherwise, and for
    every other activation, it is the two numpy steps written here.
    """
    kind = type(activation)
    name = _BIAS_KERNELS.get(kind)
    if name is not None and bias.dtype == s.dtype and bias.shape == s.shape[1:] and _float_arrays(s, out):
        kernel = fused_kernel(name, s.size)
        if kernel is not None:
            extra = activation.alpha if kind is LeakyReLU else 0  # type: ignore[attr-defined]
            if kind is Identity:
                kernel(s, bias, out)
            else:
                kernel(s, bias, out, s.dtype.type(extra))
            return out
    s += bias
    return activation.value(s, out=out)


def times_slope(activation: Activation, delta: np.ndarray, s: np.ndarray, a: np.ndarray,
                scratch: Callable[[], np.ndarray]) -> np.ndarray:
    """``delta *= f'(s)`` in place (BP2's element-wise part); returns ``delta``.

    The identity's slope is 1, so nothing is done. ReLU's and leaky ReLU's multiply each element by 1 or 0
    (``alpha``) in one compiled pass when numba is there, bit for bit what the numpy steps give. Otherwise, and
    for every other activation, the slope goes into the array ``scratch()`` returns and ``delta`` is
    multiplied by it. (tanh and the sigmoid stay with numpy's cosh and exp: the C library's, which a kernel
    would call, differ from them in the last bit, and training must give numpy's numbers.)
    """
    kind = type(activation)
    if kind is Identity:
        return delta
    name = _SLOPE_KERNELS.get(kind)
    if name is not None and _float_arrays(delta, s, a):
        kernel = fused_kernel(name, delta.size)
        if kernel is not None:
            scalar = delta.dtype.type
            if kind is ReLU:
                kernel(delta, s, scalar(0), scalar(1))
            else:
                kernel(delta, s, scalar(activation.alpha), scalar(0), scalar(1))  # type: ignore[attr-defined]
            return delta
    delta *= activation.slope(s, a, out=scratch())
    return delta


_BIAS_KERNELS: dict[type, str] = {Identity: "bias_identity", ReLU: "bias_relu", LeakyReLU: "bias_leaky_relu"}
_SLOPE_KERNELS: dict[type, str] = {ReLU: "relu_slope_times", LeakyReLU: "leaky_relu_slope_times"}

ACTIVATIONS: dict[str, Callable[..., Activation]] = {
    "identity": Identity,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "arctan": Arctan,
    "softplus": Softplus,
    "softmax": Softmax,
    "step": Step,
    "exp": Exp,
}
ALIASES = {"logistic": "sigmoid", "linear": "identity"}


def activation_names() -> list[str]:
    """The names :func:`get_activation` accepts (aliases aside)."""
    return list(ACTIVATIONS)


def get_activation(spec: str | dict | Activation) -> Activation:
    """Return the activation named ``spec`` (``"relu"``), described by a config dict, or ``spec`` itself.

    Also accepts ``"logistic"`` for sigmoid and ``"linear"`` for identity (scikit-learn's and Keras' names).
    """
    if isinstance(spec, Activation):
        return spec
    params: dict = {}
    if isinstance(spec, dict):
        params = {k: v for k, v in spec.items() if k != "name"}
        spec = spec.get("name")  # type: ignore[assignment]
    if not isinstance(spec, str):
        raise InputTypeError(
            f"an activation is given by name (one of {', '.join(ACTIVATIONS)}), got {type(spec).__name__}"
        )
    key = ALIASES.get(spec.lower(), spec.lower())
    if key not in ACTIVATIONS:
        raise InputError(f"unknown activation {spec!r}; choose one of: {', '.join(ACTIVATIONS)}")
    try:
        return ACTIVATIONS[key](**params)
    except TypeError as exc:
        raise InputError(f"bad settings {params!r} for activation {key!r}: {exc}") from None
