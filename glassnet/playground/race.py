"""The race of a guided lesson: backpropagation against tweak-and-keep on the session's own data.

Both start from the network the session's seed builds (the start Reset gives) and take the same number of
steps on the whole training part: backpropagation's full-batch gradient descent, each step ``W <- W -
learning_rate * dJ/dW`` with dJ/dW from BP1-BP4 (:func:`glassnet.compare.backpropagation`), against
:func:`glassnet.evolution.tweak_and_keep`, each step a random nudge of every weight kept only if the cost fell.
Counted in steps, not seconds, so the result is the same on every machine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import ConfigError, short_repr

if TYPE_CHECKING:
    from .session import PlaygroundSession

__all__ = ["race", "MAX_RACE_STEPS", "TWEAK_SCALE"]

MAX_RACE_STEPS = 2000
TWEAK_SCALE = 0.1      # tweak-and-keep's nudge: 0.1 * N(0, 1) to every weight and bias
SHOWN = 50             # the cost curves sent: at most 51 points each


def race(session: PlaygroundSession, steps: object) -> dict:
    """Train two copies of the session's starting network ``steps`` steps each, one way each."""
    from ..compare import backpropagation
    from ..evolution import tweak_and_keep

    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_RACE_STEPS:
        raise ConfigError("race", f"a race takes from 1 to {MAX_RACE_STEPS} steps; got {short_repr(steps)}")
    X, Y = session.X_train, session.Y_train
    lr, seed = session.config["learning_rate"], session.config["seed"]
    runs = [backpropagation(session.build_network(), X, Y, epochs=steps, learning_rate=lr),
            tweak_and_keep(session.build_network(), X, Y, iterations=steps, scale=TWEAK_SCALE, seed=seed)]
    every = max(1, steps // SHOWN)
    out = {"type": "race", "steps": steps, "learning_rate": lr, "scale": TWEAK_SCALE}
    for key, run in zip(("backpropagation", "tweak_and_keep"), runs, strict=True):
        cost = [float(c) for c in run.cost]
        out[key] = {"start": cost[0], "final": cost[-1], "curve": cost[::every] + ([cost[-1]] if steps % every else []),
                    "details": {k: v for k, v in run.details.items() if isinstance(v, (int, float))}}
    return out
