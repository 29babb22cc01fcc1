"""Backpropagation against finite differences ("small shocks") on random architectures and data.

Hypothesis chooses the architecture (1-4 layers, widths 1-7), the hidden activation, the cost and output
pairing, the L2 strength and a seed; the weights come from that seed and the data from a numpy Generator
seeded with it, so hypothesis never constructs adversarial values (exact zeros on a ReLU's kink).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from glassnet import Dense, InputError, InputTypeError, Network, gradcheck
from glassnet.activations import Sigmoid
from glassnet.gradcheck import numerical_gradient

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "arctan", "softplus", "identity"]
# (cost, output activation, kind of targets)
PAIRINGS = [
    ("mse", "identity", "real"),
    ("mse", "sigmoid", "real"),
    ("mse", "tanh", "real"),
    ("mse", "arctan", "real"),
    ("mse", "softplus", "real"),
    ("mse", "relu", "real"),
    ("mse", "leaky_relu", "real"),
    ("binary_cross_entropy", "sigmoid", "probability"),
    ("binary_cross_entropy", "sigmoid", "binary"),
    ("cross_entropy", "softmax", "one_hot"),
    ("cross_entropy", "softmax", "labels"),
]
KINKED = {"relu", "leaky_relu"}


def make_targets(kind: str, rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    if kind == "real":
        return rng.normal(size=(n, k))
    if kind == "probability":
        return rng.uniform(0, 1, size=(n, k))
    if kind == "binary":
        return rng.integers(0, 2, size=(n, k)).astype(float)
    labels = rng.integers(0, k, size=n)
    return labels if kind == "labels" else np.eye(k)[labels]


def build(sizes, hidden, output, cost, seed):
    layers = [Dense(sizes[i], sizes[i + 1], hidden) for i in range(len(sizes) - 2)]
    layers.append(Dense(sizes[-2], sizes[-1], output))
    return Network(layers, cost=cost, seed=seed, dtype="float64")


def kink_clearance(net: Network, X: np.ndarray) -> float:
    """The smallest |s| over the neurons with a kinked activation (inf if there are none)."""
    net.forward(X)
    gaps = [np.abs(layer.s).min() for layer in net.layers if layer.activation.name in KINKED]
    return min(gaps, default=np.inf)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    sizes=st.lists(st.integers(1, 7), min_size=2, max_size=5),
    hidden=st.sampled_from(HIDDEN),
    pairing=st.sampled_from(PAIRINGS),
    l2=st.sampled_from([0.0, 0.01, 0.5, 3.0]),
    n_samples=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
)
def test_backprop_agrees_with_finite_differences(sizes, hidden, pairing, l2, n_samples, seed):
    cost, output, kind = pairing
    net = build(sizes, hidden, output, cost, seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, sizes[0]))
    Y = make_targets(kind, rng, n_samples, sizes[-1])
    for layer in net.layers:  # non-zero biases, so that no layer starts symmetric about its kink
        layer.bias = rng.normal(scale=0.5, size=layer.n_out)
    # a shock of 1e-6 must not carry any s across a ReLU's kink: skip the (rare) draws that come close
    assume(kink_clearance(net, X) > 1e-3)
    result = gradcheck(net, X, Y, l2=l2)
    # Finite differences resolve a slope only down to about (float64 rounding) * J / eps: a layer whose
    # whole gradient is below 1e-4 * J (deep chains of small slopes, about 1 draw in 3000) is beyond what a
    # relative error of 1e-6 can measure, so such draws are skipped (judged on the numerical gradient,
    # which does not depend on backpropagation). Layers with no gradient at all (dead ReLUs) are kept.
    J = net.cost(X, Y, l2=l2)
    bounds = np.cumsum([0] + [layer.n_params for layer in net.layers])
    norms = [np.linalg.norm(result.numerical[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    assume(all(norm == 0 or norm >= 1e-4 * J for norm in norms))
    assert result.worst < 1e-6, str(result)
    assert result.passed


class BrokenSigmoid(Sigmoid):
    """A sigmoid whose slope is off by 10%: the kind of bug gradient checking exists to catch."""

    def slope(self, s, a, out=None):
        return 1.1 * super().slope(s, a, out)


def test_gradcheck_catches_a_wrong_slope(rng):
    layers = [Dense(3, 4, BrokenSigmoid()), Dense(4, 2, "identity")]
    net = Network(layers, cost="mse", seed=1, dtype="float64")
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    result = gradcheck(net, X, Y)
    assert not result.passed
    assert not bool(result)
    assert result.errors[0] > 1e-3  # the broken layer's gradient is wrong ...
    assert result.errors[1] < 1e-6  # ... the output layer's does not pass through the broken slope
    assert "FAILED" in str(result)


def test_numerical_gradient_matches_a_direct_difference_quotient(rng):
    net = Network.from_sizes([2, 3, 1], activation="tanh", seed=3, dtype="float64")
    X, Y = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    slopes = numerical_gradient(net, X, Y, eps=1e-6, l2=0.2)
    i = 4  # one weight of the first layer, shocked by hand
    base = net.params.copy()
    up, down = base.copy(), base.copy()
    up[i] += 1e-6
    down[i] -= 1e-6
    net.params[...] = up
    j_up = net.cost(X, Y, l2=0.2)
    net.params[...] = down
    j_down = net.cost(X, Y, l2=0.2)
    net.params[...] = base
    assert slopes[i] == pytest.approx((j_up - j_down) / 2e-6, rel=1e-9)


def test_gradcheck_leaves_a_float32_network_untouched(rng, unchanged):
    net = Network.from_sizes([3, 5, 2], activation="tanh", cost="cross_entropy", seed=7)
    X, Y = rng.normal(size=(6, 3)), rng.integers(0, 2, size=6)
    same = unchanged(net)
    result = gradcheck(net, X, Y, l2=0.1)
    same()
    assert net.dtype == np.float32
    assert result.numerical.dtype == np.float64 and result.backprop.dtype == np.float64
    assert result.numerical.shape == (net.n_params,)
    assert result.worst < 1e-6
    assert len(result.errors) == 2


def test_gradcheck_passes_on_a_confident_trained_binary_network():
    # Two well separated clouds, trained until every output is within 3e-4 of its label. The cost is then
    # tiny, and computed as ln(1 + e^s) - y s it cancelled: finite differences of that rounding noise
    # failed the check (2.3e-06 against 1e-06) on this correct network.
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(-2, 0.5, (40, 3)), rng.normal(2, 0.5, (40, 3))]
    y = np.r_[np.zeros(40), np.ones(40)]
    net = Network.from_sizes([3, 8, 1], activation="tanh", cost="binary_cross_entropy", seed=1, dtype="float64")
    net.fit(X, y, epochs=400, optimizer="adam", learning_rate=0.05)
    a = net.predict(X)[:, 0]
    assert np.all(np.minimum(a, 1 - a) < 1e-3), "the network is not confident: the test would prove nothing"
    result = gradcheck(net, X, y)
    assert result.passed, str(result)
    assert result.worst < 1e-7
    assert result.full and result.n_checked == net.n_params == 41


def test_gradcheck_passes_on_a_confident_softmax_network(rng):
    X = rng.normal(size=(6, 4))
    labels = np.array([0, 1, 2, 0, 1, 2])
    net = Network.from_sizes([4, 5, 3], activation="tanh", cost="cross_entropy", seed=2, dtype="float64")
    net.fit(X, labels, epochs=600, optimizer="adam", learning_rate=0.05)
    probabilities = net.predict(X)[np.arange(6), labels]
    assert probabilities.min() > 1 - 1e-3
    result = gradcheck(net, X, labels)
    assert result.passed, str(result)


def big_network_and_data(rng):
    net = Network.from_sizes([60, 80, 3], activation="tanh", cost="cross_entropy", seed=4, dtype="float64")
    X, labels = rng.normal(size=(5, 60)), rng.integers(0, 3, size=5)
    return net, X, labels


def test_a_big_network_is_checked_on_a_stated_seeded_sample(rng, unchanged):
    net, X, labels = big_network_and_data(rng)
    assert net.n_params == 4880 + 243
    same = unchanged(net)
    result = gradcheck(net, X, labels)
    same()
    assert result.n_checked == 2000 and result.n_params == 5123 and not result.full
    # shared evenly: the small output layer is checked whole, the rest of the budget goes to layer 1
    assert result.checked == [1757, 243] and result.sizes == [4880, 243]
    assert len(set(result.indices.tolist())) == 2000 and result.indices.max() < 5123
    assert result.passed and "checked 2000 of 5123 parameters" in str(result)
    assert "layer 1: relative error" in str(result) and "(1757 of 4880 parameters)" in str(result)
    again = gradcheck(net, X, labels)
    np.testing.assert_array_equal(again.indices, result.indices)  # seeded: the same sample every time
    assert not np.array_equal(gradcheck(net, X, labels, seed=1).indices, result.indices)
    # the compared numbers are the slopes at those positions: backprop's from net.gradients, and a
    # difference quotient of net.cost taken here by hand
    flat = np.concatenate([np.r_[w.ravel(), b] for w, b in net.gradients(X, labels)])
    np.testing.assert_allclose(result.backprop, flat[result.indices], rtol=1e-12, atol=1e-15)
    base = net.params.copy()
    for n in (0, 999, 1999):
        i = result.indices[n]
        up, down = base.copy(), base.copy()
        up[i] += 1e-6
        down[i] -= 1e-6
        net.params[...] = up
        j_up = net.cost(X, labels)
        net.params[...] = down
        j_down = net.cost(X, labels)
        net.params[...] = base
        assert result.numerical[n] == pytest.approx((j_up - j_down) / 2e-6, rel=1e-7, abs=1e-12)


def test_full_checks_every_parameter_and_sample_sets_the_budget(rng):
    net, X, labels = big_network_and_data(rng)
    small = gradcheck(net, X, labels, sample=300)
    assert small.n_checked == 300 and small.checked == [150, 150]
    every = gradcheck(net, X, labels, full=True)
    assert every.full and every.n_checked == 5123 and every.checked == [4880, 243]
    np.testing.assert_array_equal(every.indices, np.arange(5123))
    assert "checked all 5123 parameters" in str(every) and every.passed
    np.testing.assert_allclose(every.numerical[small.indices], small.numerical, rtol=0, atol=0)


class BrokenColumn(Sigmoid):
    """A sigmoid whose slope is 20% off for neuron 2 of its layer only."""

    def slope(self, s, a, out=None):
        out = super().slope(s, a, out)
        out[:, 2] *= 1.2
        return out


def test_the_worst_parameter_is_named(rng):
    net = Network([Dense(4, 5, BrokenColumn()), Dense(5, 2, "identity")], cost="mse", seed=3, dtype="float64")
    X, Y = rng.normal(size=(6, 4)), rng.normal(size=(6, 2))
    result = gradcheck(net, X, Y)
    worst = result.worst_parameter
    assert not result.passed and worst.layer == 1
    assert (worst.kind == "weights" and worst.index[1] == 2) or (worst.kind, worst.index) == ("bias", (2,))
    assert worst.share <= result.errors[0]
    assert f"worst parameter: layer 1 {worst.kind}[" in str(result)
    position = (worst.index[0] * 5 + worst.index[1]) if worst.kind == "weights" else 20 + worst.index[0]
    assert worst.backprop == pytest.approx(result.backprop[position], rel=1e-15)


def test_bad_sampling_settings_are_refused(rng, unchanged):
    net, X, labels = big_network_and_data(rng)
    same = unchanged(net)
    for options, error, word in (
        ({"full": "yes"}, InputTypeError, "full"),
        ({"sample": 0}, InputError, "sample"),
        ({"sample": 2.5}, InputTypeError, "sample"),
        ({"seed": -1}, InputError, "seed"),
        ({"seed": 1.5}, InputTypeError, "seed"),
    ):
        with pytest.raises(error, match=word):
            gradcheck(net, X, labels, **options)
        same()


def test_the_cli_checks_a_sample_or_everything(capsys):
    from glassnet.cli import main

    assert main(["gradcheck", "--layers", "40,40"]) == 0  # 3-40-40-3: 1,923 parameters, all checked
    assert "checked all 1923 parameters" in capsys.readouterr().out
    assert main(["gradcheck", "--layers", "60,40"]) == 0  # 3-60-40-3: 2,803, a sample of 2,000
    stdout = capsys.readouterr().out
    assert "checked 2000 of 2803 parameters (a random sample, seed 0" in stdout and "passed" in stdout
    assert main(["gradcheck", "--layers", "60,40", "--full"]) == 0
    assert "checked all 2803 parameters" in capsys.readouterr().out
