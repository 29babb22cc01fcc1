"""The exceptions glassnet raises, each one a subclass of a built-in that callers already catch.

Every message says what was wrong and what to do about it.
"""

from __future__ import annotations


class GlassnetError(Exception):
    """The root of every error glassnet raises on purpose."""


class InputError(GlassnetError, ValueError):
    """A value passed to glassnet is unusable: wrong shape, NaN, unknown name, out of range."""


class InputTypeError(GlassnetError, TypeError):
    """A value passed to glassnet has the wrong type (for example text where numbers belong)."""


class NotTrainableError(InputError):
    """The network cannot be trained as configured (for example it uses the step activation)."""


class DivergenceError(GlassnetError, ArithmeticError):
    """Training produced a NaN or infinite cost; the network keeps its last finite weights."""

    def __init__(self, message: str, epoch: int, batch: int | None = None) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch


class MissingExtraError(GlassnetError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""


class ModelFileError(GlassnetError, ValueError):
    """A model or checkpoint file could not be read or written; the message names the file and the problem."""


class NotFiniteCostError(DivergenceError, InputError):
    """The cost is NaN or infinite at the weights training starts from, before any step: the data (or weights)
    are too large for the dtype, so no learning rate can help. A DivergenceError and an InputError."""


class NotFiniteOutputError(InputError):
    """The network's outputs are NaN or infinite: its weights are not finite, or the inputs overflow its dtype."""
