"""glassnet: neural networks that learn by backpropagation, with every number inside in plain view.

>>> import glassnet
>>> net = glassnet.Network.from_sizes([2, 4, 1], activation="tanh", output="sigmoid", seed=0)
"""

from importlib.metadata import PackageNotFoundError, version

from .activations import ACTIVATIONS, Activation, get_activation
from .costs import COSTS, Cost, get_cost
from .errors import (
    DivergenceError,
    GlassnetError,
    InputError,
    InputTypeError,
    ModelFileError,
    NotTrainableError,
)
from .gradcheck import GradCheckResult, gradcheck
from .layers import Dense
from .network import Network
from .optimizers import SGD, Adam, Constant, Cosine, ExponentialDecay, Optimizer, Schedule, StepDecay
from .training import Callback, EarlyStopping, History, Trainer, fit

try:
    __version__ = version("glassnet")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "ACTIVATIONS", "COSTS", "Activation", "Adam", "Callback", "Constant", "Cosine", "Cost", "Dense",
    "DivergenceError", "EarlyStopping", "ExponentialDecay", "GlassnetError", "GradCheckResult", "History",
    "InputError", "InputTypeError", "ModelFileError", "Network", "NotTrainableError", "Optimizer", "SGD",
    "Schedule", "StepDecay", "Trainer", "__version__", "fit", "get_activation", "get_cost", "gradcheck",
]
