"""Pictures of networks and their training, drawn with matplotlib (``pip install "glassnet[plots]"``).

Every function draws on a fresh :class:`matplotlib.figure.Figure` (never through pyplot's global
figures), returns it, and when given ``path=`` saves it first, as PNG or SVG by the file's extension,
atomically (a temporary file in the same folder, then a rename).

=============================  ======================================================================
``plot_network``               the diagram: circles and lines (width |w|, colour sign); forward view
                               (neurons filled by activation) or backward view (by delta)
``plot_history``               training and validation cost and accuracy per epoch
``plot_decision_boundary``     the classes (or regression surface) over the plane of a 2-D problem
``plot_hidden_activations``    each neuron's activation over the input plane, one heatmap each
``plot_cost_surface``          logistic regression's cost over (b0, b1) and gradient descent's path
``plot_activations``           the activation functions and their slopes, the step function's flaw
``plot_first_layer_weights``   first-layer weights as images (8x8, 28x28, ...)
``plot_confusion_matrix``      true class against predicted class
``plot_blame``                 each neuron's mean |delta| and the shares of its input
``plot_prediction``            an input image beside the network's output for each class
=============================  ======================================================================

``KINDS`` maps the names used by ``glassnet plot KIND`` to these functions. matplotlib itself is only
imported when a picture is drawn.
"""

from __future__ import annotations

from ._mpl import INSTALL, figure_bytes, require_matplotlib
from .activations import plot_activations
from .blame import plot_blame
from .boundary import plot_decision_boundary, plot_hidden_activations
from .confusion import confusion_matrix, plot_confusion_matrix
from .curves import plot_history
from .diagram import plot_network
from .prediction import plot_prediction
from .surfaces import descent_path, logistic_cost, plot_cost_surface
from .weights import plot_first_layer_weights

KINDS = {
    "network": plot_network,
    "curves": plot_history,
    "boundary": plot_decision_boundary,
    "hidden": plot_hidden_activations,
    "cost-surface": plot_cost_surface,
    "activations": plot_activations,
    "weights": plot_first_layer_weights,
    "confusion": plot_confusion_matrix,
    "blame": plot_blame,
    "prediction": plot_prediction,
}

__all__ = [
    "INSTALL",
    "KINDS",
    "confusion_matrix",
    "descent_path",
    "figure_bytes",
    "logistic_cost",
    "plot_activations",
    "plot_blame",
    "plot_confusion_matrix",
    "plot_cost_surface",
    "plot_decision_boundary",
    "plot_first_layer_weights",
    "plot_hidden_activations",
    "plot_history",
    "plot_network",
    "plot_prediction",
    "require_matplotlib",
]
