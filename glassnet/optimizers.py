"""Optimizers: how a gradient becomes a step, and learning-rate schedules.

Each optimizer updates the network's flat ``params`` array from its flat ``grads`` array in one
vectorised pass. Plain gradient descent is ``params -= learning_rate * grads``; momentum and Adam keep a
running memory of past gradients (their *state*, arrays shaped like ``params``).

A learning rate may be a number or a :class:`Schedule`, which gives the rate for each epoch.

Each optimizer owns its file form: :meth:`Optimizer.config` (its settings and schedule, as JSON) and
:meth:`Optimizer.state` (its step count and memory arrays); :func:`optimizer_from_config` and
:meth:`Optimizer.load_state` rebuild it. Model files and checkpoints both store an optimizer this way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._fused import adam_kernel
from .errors import InputError, InputTypeError
from .validation import check_fraction, check_positive

__all__ = [
    "Schedule", "Constant", "StepDecay", "Cosine", "ExponentialDecay", "get_schedule",
    "Optimizer", "SGD", "Adam", "OPTIMIZERS", "get_optimizer", "optimizer_from_config",
]


# -- learning-rate schedules -------------------------------------------------------------------------------
class Schedule:
    """The learning rate as a function of the epoch (counted from 0)."""

    name = ""

    def __call__(self, epoch: int) -> float:
        raise NotImplementedError

    def config(self) -> dict:
        """The schedule as JSON; :meth:`from_config` (or :func:`get_schedule`) rebuilds it."""
        return {"name": self.name, **vars(self)}

    @staticmethod
    def from_config(config: dict) -> Schedule:
        """The schedule a :meth:`config` describes (InputError or InputTypeError for a bad one)."""
        if not isinstance(config, dict):
            raise InputTypeError(f"a schedule config is a dict like {{'name': 'constant', ...}}, got {config!r}")
        return get_schedule(config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """The same ``learning_rate`` every epoch."""

    name = "constant"

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = check_positive("learning_rate", learning_rate)

    def __call__(self, epoch):
        return self.learning_rate


class StepDecay(Schedule):
    """``learning_rate * factor ** (epoch // every)``: drop by ``factor`` every ``every`` epochs."""

    name = "step"

    def __init__(self, learning_rate: float, factor: float = 0.5, every: int = 10) -> None:
        self.learning_rate = check_positive("learning_rate", learning_rate)
        self.factor = check_positive("factor", factor)
        self.every = check_positive("every", every, integer=True)

    def __call__(self, epoch):
        return self.learning_rate * self.factor ** (epoch // self.every)


class Cosine(Schedule):
    """Cosine annealing from ``learning_rate`` to ``min_learning_rate`` over ``epochs`` epochs:
    ``min + (lr - min) * (1 + cos(pi * epoch / epochs)) / 2``, then ``min`` afterwards."""

    name = "cosine"

    def __init__(self, learning_rate: float, epochs: int, min_learning_rate: float = 0.0) -> None:
        self.learning_rate = check_positive("learning_rate", learning_rate)
        self.epochs = check_positive("epochs", epochs, integer=True)
        if isinstance(min_learning_rate, bool) or not isinstance(min_learning_rate, (int, float)):
            raise InputTypeError(f"min_learning_rate must be a number, got {min_learning_rate!r}")
        if not 0 <= min_learning_rate <= learning_rate:
            raise InputError("min_learning_rate must lie between 0 and learning_rate")
        self.min_learning_rate = float(min_learning_rate)

    def __call__(self, epoch):
        progress = min(epoch, self.epochs) / self.epochs
        return self.min_learning_rate + (self.learning_rate - self.min_learning_rate) * (
            1 + math.cos(math.pi * progress)
        ) / 2


class ExponentialDecay(Schedule):
    """``learning_rate * decay ** epoch``."""

    name = "exponential"

    def __init__(self, learning_rate: float, decay: float = 0.95) -> None:
        self.learning_rate = check_positive("learning_rate", learning_rate)
        self.decay = check_positive("decay", decay)

    def __call__(self, epoch):
        return self.learning_rate * self.decay**epoch


SCHEDULES = {cls.name: cls for cls in (Constant, StepDecay, Cosine, ExponentialDecay)}


def get_schedule(spec: float | Schedule | dict) -> Schedule:
    """A schedule from a number (constant), a Schedule, or a config dict ``{"name": "cosine", ...}``."""
    if isinstance(spec, Schedule):
        return spec
    if isinstance(spec, dict):
        params = {k: v for k, v in spec.items() if k != "name"}
        name = spec.get("name")
        return _build(SCHEDULES, name, params, f"learning-rate schedule {name!r}",
                      f"bad settings {params!r} for learning-rate schedule {name!r}")
    return Constant(spec)


def _build(kinds: dict, name: object, settings: dict, what: str, bad: str) -> Any:
    """``kinds[name](**settings)``, with glassnet's errors for an unknown name or a missing or unknown setting."""
    if not isinstance(name, str) or name not in kinds:
        raise InputError(f"unknown {what}; choose one of: {', '.join(kinds)}")
    try:
        return kinds[name](**settings)
    except InputTypeError:
        raise
    except TypeError as exc:  # a missing or unknown setting: say which, in glassnet's own error
        raise InputTypeError(f"{bad}: {exc}") from None


# -- optimizers ---------------------------------------------------------------------------------------------
class Optimizer:
    """Base class. ``step(params, grads)`` moves ``params`` in place; ``start_epoch(e)`` sets the rate."""

    name = ""
    default_learning_rate = 0.01

    def __init__(self, learning_rate: float | Schedule | None = None) -> None:
        self.schedule = get_schedule(self.default_learning_rate if learning_rate is None else learning_rate)
        self.learning_rate = self.schedule(0)
        self.iterations = 0

    def start_epoch(self, epoch: int) -> None:
        """Set the learning rate the schedule gives for ``epoch``."""
        self.learning_rate = self.schedule(epoch)

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """The arrays and counters the optimizer remembers between steps (for checkpoints and model files)."""
        return {"iterations": np.asarray(self.iterations)}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        """Put back what :meth:`state` returned (arrays copied)."""
        self.iterations = int(state["iterations"])

    def state_keys(self) -> set[str]:
        """The names :meth:`state` may hold besides ``iterations`` (its memory arrays, once it has stepped)."""
        return set()

    def check_state(self, state: dict[str, np.ndarray], like: np.ndarray | None = None) -> None:
        """Refuse a ``state`` this optimizer cannot take (InputError naming the problem).

        ``iterations`` is a whole number >= 0; the memory arrays are all there or none, and with ``like``
        (the network's ``params``) they have its shape and dtype; Adam's ``v`` (a mean of g^2) is >= 0.
        """
        if "iterations" not in state:
            raise InputError("the optimizer's state lacks its step count, 'iterations'")
        iterations = np.asarray(state["iterations"])
        if iterations.shape != () or iterations.dtype.kind not in "iu" or int(iterations) < 0:
            raise InputError(f"the optimizer's step count {state['iterations']!r} is not a whole number >= 0")
        keys = self.state_keys()
        unknown = sorted(set(state) - keys - {"iterations"})
        if unknown:
            raise InputError(f"the {self.name} optimizer keeps no state named {unknown}")
        present = keys & set(state)
        if present and present != keys:
            raise InputError(f"the optimizer's state is incomplete: it needs {sorted(keys)}")
        for key in sorted(present):
            value = np.asarray(state[key])
            if like is not None and (value.shape != like.shape or value.dtype != like.dtype):
                raise InputError(f"optimizer.{key} has shape {value.shape} and dtype {value.dtype}, not the network's")
            if key == "v" and self.name == "adam" and value.dtype.kind in "fiu" and bool((value < 0).any()):
                raise InputError(f"optimizer.v, Adam's running mean of squared gradients, holds negative values "
                                 f"(the least is {value.min():g}); a mean of squares is never negative, so the "
                                 "state is damaged (or its m and v were swapped)")

    def config(self) -> dict:
        """The optimizer's settings and schedule as JSON; :func:`optimizer_from_config` rebuilds it."""
        return {"name": self.name, "learning_rate": self.schedule.config()}


class SGD(Optimizer):
    """Gradient descent with optional momentum (``v = momentum * v - lr * g``; ``params += v``).

    ``nesterov=True`` looks ahead along the velocity: ``params += momentum * v - lr * g``.
    With ``momentum=0`` this is the tutorials' rule ``w <- w - learning_rate * dJ/dw``.
    """

    name = "sgd"
    default_learning_rate = 0.1

    def __init__(
        self, learning_rate: float | Schedule | None = None, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        self.momentum = check_fraction("momentum", momentum)
        if nesterov and not self.momentum:
            raise InputError("nesterov=True needs a momentum above 0, e.g. momentum=0.9")
        self.nesterov = bool(nesterov)
        self.velocity: np.ndarray | None = None

    def step(self, params, grads):
        self.iterations += 1
        if not self.momentum:
            params -= self.learning_rate * grads
            return
        if self.velocity is None or self.velocity.shape != params.shape:
            self.velocity = np.zeros_like(params)
        v = self.velocity
        v *= self.momentum
        v -= self.learning_rate * grads
        if self.nesterov:
            params += self.momentum * v - self.learning_rate * grads
        else:
            params += v

    def state(self):
        state = super().state()
        if self.velocity is not None:
            state["velocity"] = self.velocity
        return state

    def load_state(self, state):
        super().load_state(state)
        self.velocity = np.array(state["velocity"]) if "velocity" in state else None

    def state_keys(self):
        return {"velocity"}

    def config(self):
        return {**super().config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam: step by a running mean of the gradients over the root of a running mean of their squares.

    ``m = beta1 m + (1 - beta1) g``, ``v = beta2 v + (1 - beta2) g^2``, and with the bias corrections
    ``m^ = m / (1 - beta1^t)``, ``v^ = v / (1 - beta2^t)``: ``params -= lr * m^ / (sqrt(v^) + eps)``.

    ``fused``: None (the default) runs the update as one fused pass compiled by numba when numba is
    installed (``pip install "glassnet[fast]"``) and the network has at least ``FUSED_MIN_PARAMS``
    parameters, else as the numpy passes below; True insists on numba, False never uses it. Both give
    the same numbers: the kernel does the same float operations in the same order.
    """

    name = "adam"
    FUSED_MIN_PARAMS = 65_536  # below this the numpy passes stay in cache and a kernel call gains nothing
    default_learning_rate = 0.001

    def __init__(
        self,
        learning_rate: float | Schedule | None = None,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        fused: bool | None = None,
    ) -> None:
        super().__init__(learning_rate)
        self.beta1 = check_fraction("beta1", beta1)
        self.beta2 = check_fraction("beta2", beta2)
        self.eps = check_positive("eps", eps)
        if fused is not None and not isinstance(fused, bool):
            raise InputTypeError(f"fused must be True, False or None, got {fused!r}")
        if fused and adam_kernel() is None:
            raise InputError(
                'Adam(fused=True) needs numba: pip install "glassnet[fast]" (and GLASSNET_NUMBA not set to 0)'
            )
        self.fused = fused
        self.m: np.ndarray | None = None
        self.v: np.ndarray | None = None
        self._scratch: np.ndarray | None = None

    def step(self, params, grads):
        if self.m is None or self.v is None or self.m.shape != params.shape:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        if self._scratch is None or self._scratch.shape != params.shape or self._scratch.dtype != params.dtype:
            self._scratch = np.empty_like(params)
        m, v, tmp = self.m, self.v, self._scratch
        self.iterations += 1
        t = self.iterations
        correction2 = math.sqrt(1 - self.beta2**t)
        lr_t = self.learning_rate * correction2 / (1 - self.beta1**t)
        use_kernel = self.fused if self.fused is not None else params.size >= self.FUSED_MIN_PARAMS
        kernel = adam_kernel() if use_kernel else None
        if kernel is not None:  # the same update in one pass over memory instead of twelve (see _fused.py)
            scalar = params.dtype.type
            kernel(params, grads, m, v, scalar(1 - self.beta1), scalar(1 - self.beta2),
                   scalar(self.eps * correction2), scalar(lr_t), _tiny(params.dtype))
            return
        # m = beta1 m + (1 - beta1) g, written as m += (1 - beta1)(g - m): one pass, no temporary
        np.subtract(grads, m, out=tmp)
        tmp *= 1 - self.beta1
        m += tmp
        # Moments that decay below the smallest normal float (a weight whose gradient has stayed 0, behind a
        # dead ReLU or a pixel that is always 0) are set to 0: subnormal numbers take the CPU 10-100 times
        # longer, and their share of the step is below 1e-30.
        tiny = _tiny(params.dtype)
        np.abs(m, out=tmp)
        m[tmp < tiny] = 0
        # v = beta2 v + (1 - beta2) g^2
        np.multiply(grads, grads, out=tmp)
        tmp -= v
        tmp *= 1 - self.beta2
        v += tmp
        v[v < tiny] = 0
        # params -= lr_t * m / (sqrt(v) + eps_t): the two bias corrections folded into two scalars
        np.sqrt(v, out=tmp)
        tmp += self.eps * correction2
        np.divide(m, tmp, out=tmp)
        tmp *= lr_t
        params -= tmp

    def state(self):
        state = super().state()
        if self.m is not None and self.v is not None:
            state["m"], state["v"] = self.m, self.v
        return state

    def load_state(self, state):
        super().load_state(state)
        self.m = np.array(state["m"]) if "m" in state else None
        self.v = np.array(state["v"]) if "v" in state else None

    def state_keys(self):
        return {"m", "v"}

    def config(self):
        return {**super().config(), "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}


OPTIMIZERS = {"sgd": SGD, "adam": Adam}


_TINY: dict[np.dtype, Any] = {}


def _tiny(dtype: np.dtype) -> Any:
    """The smallest normal float of ``dtype`` (np.finfo's, looked up once per dtype, not once per step)."""
    tiny = _TINY.get(dtype)
    if tiny is None:
        tiny = _TINY[dtype] = np.finfo(dtype).tiny
    return tiny


def get_optimizer(spec: str | Optimizer, learning_rate: float | Schedule | None = None) -> Optimizer:
    """An optimizer by name (``"sgd"``, ``"adam"``) or the object itself.

    ``learning_rate`` (a number or a Schedule) overrides the optimizer's own when given.
    """
    if isinstance(spec, Optimizer):
        if learning_rate is not None:
            spec.schedule = get_schedule(learning_rate)
            spec.learning_rate = spec.schedule(0)
        return spec
    if not isinstance(spec, str):
        raise InputTypeError(
            f"optimizer must be a name (one of {', '.join(OPTIMIZERS)}) or an Optimizer, got {type(spec).__name__}"
        )
    key = spec.lower()
    if key not in OPTIMIZERS:
        raise InputError(f"unknown optimizer {spec!r}; choose one of: {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[key](learning_rate)


def optimizer_from_config(config: dict) -> Optimizer:
    """A new optimizer as :meth:`Optimizer.config` describes it (its memory empty, its step count 0).

    ``learning_rate`` may be a schedule's config or a number (a constant rate). A bad config raises
    InputError or InputTypeError naming the problem.
    """
    if not isinstance(config, dict):
        raise InputTypeError(f"an optimizer config is a dict like {{'name': 'adam', ...}}, got {config!r}")
    name = config.get("name")
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise InputError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")
    settings = {key: value for key, value in config.items() if key != "name"}
    rate = settings.get("learning_rate")
    if isinstance(rate, bool) or not isinstance(rate, (int, float, dict)):
        raise InputTypeError(f"the optimizer's learning_rate {rate!r} is neither a number nor a schedule config")
    settings["learning_rate"] = get_schedule(rate)
    return _build(OPTIMIZERS, name, settings, f"optimizer {name!r}", f"bad settings for the {name} optimizer")
