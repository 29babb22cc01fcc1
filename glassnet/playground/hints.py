"""Hints from the run itself: what the cost and the neurons say is going wrong, why, and one change to try.

Each hint reads numbers the engine already has: the training cost of every frame sent (``history``), and each
hidden layer's activations ``a = f(s)`` on the training rows (one forward pass, ``s = a_{l-1} @ W + b``). The
hints are about the error flowing back: BP2, ``delta_l = f'(s_l) * (delta_{l+1} @ W_{l+1}^T)``, multiplies by the
slope ``f'(s)``, so a ReLU that outputs 0 for every row (slope 0) or a sigmoid/tanh pinned at its ends (slope
near 0) passes back (almost) nothing and (almost) stops learning. Each hint offers one change to the settings,
as the page's controls would make it (``change``: the settings to merge into the page's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .config import LIMITS

if TYPE_CHECKING:
    from .session import PlaygroundSession

__all__ = ["hints", "cost_hints", "neuron_hints", "WINDOW"]

WINDOW = 40            # the last 40 frames' costs
SATURATED = 0.99       # |tanh| above 0.99 (slope below 0.02), sigmoid below 0.01 or above 0.99 (slope below 0.0099)
SATURATED_ROWS = 0.9   # ... for 90% of the training rows
SHARE = 0.25           # a layer with a quarter of its neurons dead or saturated earns a hint


def _nice(value: float) -> float:
    """``value`` to one significant digit (0.0312 -> 0.03), as a person would type it."""
    return float(f"{value:.1g}")


def cost_hints(history: list[float], learning_rate: float, layers: list[dict], progress: float,
               accurate: bool) -> list[dict]:
    """Hints from the training cost of the last frames (oldest first): swinging, rising, or stalled.

    ``progress`` is the epochs trained; ``accurate``: the run already fits its training data (no stall hint).
    """
    c = np.asarray(history[-WINDOW:], dtype=np.float64)
    if len(c) < 8 or not np.isfinite(c).all():
        return []
    lower = {"label": f"lower the learning rate to {_nice(learning_rate / 10):g}",
             "change": {"learning_rate": _nice(learning_rate / 10)}}
    d = np.diff(c)
    turns = float(np.mean(np.sign(d[1:]) * np.sign(d[:-1]) < 0))   # how often the cost changes direction
    q = max(2, len(c) // 4)
    early, late = float(c[:q].mean()), float(c[-q:].mean())
    start = float(history[0])   # the cost of the first frame trained: the scale of this run's costs
    climbed = float(d[d > 0].sum())   # all the way the cost went back up in the window
    if turns > 0.35 and climbed > 2 * start and late > 0.7 * early:
        return [{"id": "oscillating", "title": "The cost swings up and down",
                 "why": f"over the last {len(c)} frames it went between {c.min():.3g} and {c.max():.3g} without "
                        "settling: each step overshoots the valley and lands on its other side. A learning rate "
                        f"of {learning_rate:g} is too large for this network", "action": lower}]
    if c[-1] > 1.5 * c.min() and late > 1.2 * early:
        return [{"id": "rising", "title": "The cost is rising",
                 "why": f"it is {c[-1]:.3g} now, up from {c.min():.3g}: the steps are so large that each one "
                        f"climbs out of the valley (learning rate {learning_rate:g})", "action": lower}]
    if len(c) >= 30 and progress >= 10 and not accurate and early - late < 0.1 * early:
        narrow = [layer for layer in layers if layer["units"] < 8]
        if learning_rate < 0.05:
            action = {"label": f"raise the learning rate to {_nice(learning_rate * 10):g}",
                      "change": {"learning_rate": _nice(learning_rate * 10)}}
            why = f"with a learning rate of {learning_rate:g} each step is tiny"
        elif narrow:
            wider = [{**layer, "units": max(layer["units"], 8)} for layer in layers]
            action = {"label": "widen the hidden layers to 8 neurons", "change": {"layers": wider}}
            why = "the network may be too small to draw the boundary this data needs"
        elif len(layers) < LIMITS["max_hidden_layers"]:
            grown = [dict(layer) for layer in layers] + [{"units": 8, "activation": "tanh"}]
            action = {"label": "add a hidden layer of 8 tanh neurons", "change": {"layers": grown}}
            why = "the network may be too small to draw the boundary this data needs"
        else:
            action = {"label": "switch the optimizer to adam", "change": {"optimizer": "adam", "learning_rate": 0.01}}
            why = "plain gradient descent may be crawling along a flat valley"
        return [{"id": "stalled", "title": "The cost has almost stopped falling",
                 "why": f"over the last {len(c)} frames it fell by {100 * (early - late) / early:.1f}% (to "
                        f"{late:.3g}) and the training points are not fitted yet: {why}", "action": action}]
    return []


def neuron_hints(activations: list[np.ndarray], names: list[str], layers: list[dict]) -> list[dict]:
    """Hints from each hidden layer's activations on the training rows (rows x neurons): dead ReLUs, and
    saturated sigmoid/tanh neurons."""
    out = []
    for number, (a, name) in enumerate(zip(activations, names, strict=True), start=1):
        n = a.shape[1]
        if name == "relu":
            dead = int(np.count_nonzero((a <= 0).all(axis=0)))
            if dead and dead >= SHARE * n:
                changed = [dict(layer) for layer in layers]
                changed[number - 1]["activation"] = "leaky_relu"
                out.append({"id": "dead_relu", "layer": number, "count": dead,
                            "title": f"{dead} of {n} ReLU neurons in layer {number} are dead",
                            "why": "they output 0 for every training point, so their slope f'(s) is 0 there: BP2 "
                                   "passes them no error and their weights never change again",
                            "action": {"label": f"switch layer {number} to leaky_relu (a small slope below 0)",
                                       "change": {"layers": changed}}})
        elif name in ("tanh", "sigmoid"):
            pinned = np.abs(a) > SATURATED if name == "tanh" else (a < 1 - SATURATED) | (a > SATURATED)
            saturated = int(np.count_nonzero(pinned.mean(axis=0) >= SATURATED_ROWS))
            if saturated and saturated >= SHARE * n:
                changed = [dict(layer) for layer in layers]
                changed[number - 1]["activation"] = "relu"
                out.append({"id": "saturated", "layer": number, "count": saturated,
                            "title": f"{saturated} of {n} {name} neurons in layer {number} are saturated",
                            "why": f"for 90% of the training points they sit at the flat ends of {name}, where its "
                                   "slope f'(s) is almost 0: little error flows back through them (BP2) and they "
                                   "learn very slowly",
                            "action": {"label": f"switch layer {number} to relu (a slope of 1 for s > 0)",
                                       "change": {"layers": changed}}})
    return out


def hints(session: PlaygroundSession, accuracy: float | None, train_cost: float) -> list[dict]:
    """The hints for the session as it is now (none before it has trained)."""
    if session.steps == 0:
        return []
    net, config = session.net, session.config
    a = session.X_train.astype(net.dtype, copy=False)
    activations = []
    for layer in net.layers[:-1]:
        _, a = layer.evaluate(a)   # fresh arrays: the layers' kept arrays (the last batch's) are untouched
        activations.append(a)
    names = [layer.activation.name for layer in net.layers[:-1]]
    # fitted: 97% of the training points right, or a mean squared error below 10% of the targets' variance
    spread = float(np.var(session.Y_train)) if accuracy is None else 0.0
    accurate = accuracy >= 0.97 if accuracy is not None else bool(train_cost < 0.1 * spread)
    return (cost_hints(session.history, config["learning_rate"], config["layers"], session.epoch, accurate)
            + neuron_hints(activations, names, config["layers"]))
