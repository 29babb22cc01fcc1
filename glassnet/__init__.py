"""glassnet: neural networks that learn by backpropagation, with every number inside in plain view.

>>> import glassnet
>>> net = glassnet.Network.from_sizes([2, 4, 1], activation="tanh", output="sigmoid", seed=0)
"""

from importlib import import_module as _import_module
from importlib import metadata as _metadata

from .activations import ACTIVATIONS, Activation, get_activation
from .compare import compare_training
from .costs import COSTS, Cost, get_cost
from .errors import (
    DivergenceError,
    GlassnetError,
    InputError,
    InputTypeError,
    MissingExtraError,
    ModelFileError,
    NotTrainableError,
)
from .gradcheck import GradCheckResult, gradcheck
from .inspect import Blame, Trace, blame, explain, trace
from .layers import Dense
from .network import Network
from .optimizers import SGD, Adam, Constant, Cosine, ExponentialDecay, Optimizer, Schedule, StepDecay
from .persistence import load, save
from .training import Callback, EarlyStopping, History, Trainer, fit

try:  # the one version string is pyproject.toml's, as the installed package's metadata records it
    __version__ = _metadata.version("glassnet")
except _metadata.PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

# Subpackages reached as attributes (glassnet.datasets.load_digits) without an import of their own; they load
# on first use, so ``import glassnet`` stays light and never needs an optional extra.
_SUBMODULES = frozenset({
    "checkpoint", "cli", "datasets", "estimators", "evolution", "export", "fileio", "modelfile", "persistence",
    "playground", "plots", "progress", "report", "validation",
})

__all__ = [
    "ACTIVATIONS", "COSTS", "Activation", "Adam", "Blame", "Callback", "Constant", "Cosine", "Cost", "Dense",
    "DivergenceError", "EarlyStopping", "ExponentialDecay", "GlassnetError", "GradCheckResult", "History",
    "InputError", "InputTypeError", "MissingExtraError", "ModelFileError", "Network", "NotTrainableError",
    "Optimizer", "SGD", "Schedule", "StepDecay", "Trace", "Trainer", "__version__", "blame", "compare_training",
    "explain", "fit", "get_activation", "get_cost", "gradcheck", "load", "save", "trace",
    "MLPClassifier", "MLPRegressor",
]


def __getattr__(name: str):
    """The scikit-learn estimators and the subpackages load on first use, so ``import glassnet`` never needs
    scikit-learn or matplotlib."""
    if name in ("MLPClassifier", "MLPRegressor"):
        from . import estimators

        return getattr(estimators, name)
    if name in _SUBMODULES:
        try:
            return _import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":  # a missing extra inside it: say so
                raise
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
