"""The blame picture names the inputs and labels dead and lazy neurons (as blame's record flags them)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the pictures need the plots extra (matplotlib)")

from glassnet import Network, plots  # noqa: E402


def test_dead_and_lazy_neurons_are_labelled_and_inputs_named() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    net = Network.from_sizes([3, 5, 2], activation="relu", cost="cross_entropy", seed=0, dtype="float64")
    net.layers[0].bias[1] = -50.0  # s < 0 for every example: dead
    net.layers[0].weights[:, 3] = [1.0, 0.0, 0.0]
    net.layers[0].bias[3] = -2.0  # active only where the first input is above 2: lazy
    s = X @ net.layers[0].weights + net.layers[0].bias
    active = (s > 0).mean(axis=0)
    assert active[1] == 0 and 0 < active[3] < 0.05
    fig = plots.plot_blame(net, X, y, input_names=["height", "weight", "age"], dpi=40)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[1] == "1\ndead" and labels[3] == "3\nlazy"
    assert [label for j, label in enumerate(labels) if j not in (1, 3)] == [str(j) for j in range(5) if j not in (1, 3)]
    heatmap = [ax for ax in fig.axes if ax.get_ylabel() == "input k"][0]
    assert [t.get_text() for t in heatmap.get_yticklabels()] == ["height", "weight", "age"]
