"""glassnet: neural networks that learn by backpropagation, with every number inside in plain view.

>>> import glassnet
>>> net = glassnet.Network.from_sizes([2, 4, 1], activation="tanh", output="sigmoid", seed=0)
"""

from importlib.metadata import PackageNotFoundError, version

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

try:
    __version__ = version("glassnet")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "ACTIVATIONS", "COSTS", "Activation", "Adam", "Blame", "Callback", "Constant", "Cosine", "Cost", "Dense",
    "DivergenceError", "EarlyStopping", "ExponentialDecay", "GlassnetError", "GradCheckResult", "History",
    "InputError", "InputTypeError", "MissingExtraError", "ModelFileError", "Network", "NotTrainableError",
    "Optimizer", "SGD", "Schedule", "StepDecay", "Trace", "Trainer", "__version__", "blame", "compare_training",
    "explain", "fit", "get_activation", "get_cost", "gradcheck", "load", "save", "trace",
    "MLPClassifier", "MLPRegressor",
]


def __getattr__(name: str):
    """The scikit-learn estimators load on first use, so ``import glassnet`` never needs scikit-learn."""
    if name in ("MLPClassifier", "MLPRegressor"):
        from . import estimators

        return getattr(estimators, name)
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
