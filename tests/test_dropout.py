"""Dropout: the gradient with a fixed mask against finite differences of a hand-written forward pass, the
masks' statistics, a training step against a numpy step with the same masks, reproducibility, checkpoints,
prediction without dropout, and refused rates."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import InputError, Network, Trainer
from glassnet.checkpoint import restore_trainer, snapshot
from glassnet.dropout import Dropout, dropout_rates

SIGMOID = {"tanh": np.tanh, "sigmoid": lambda s: 1 / (1 + np.exp(-s)), "identity": lambda s: s}


def numpy_cost(weights, biases, activations, masks, X, Y):
    """Mean squared error of a network written out in numpy, each hidden a multiplied by its fixed mask."""
    a = X
    for W, b, f, m in zip(weights, biases, activations, masks, strict=True):
        a = SIGMOID[f](a @ W + b)
        if m is not None:
            a = a * m
    return float(np.mean((a - Y) ** 2))


@pytest.fixture
def data(rng):
    X = rng.normal(size=(7, 3))
    Y = rng.normal(size=(7, 2))
    return X, Y


def test_the_gradient_with_a_fixed_mask_matches_finite_differences(data):
    X, Y = data
    net = Network.from_sizes([3, 6, 5, 2], activation="tanh", seed=3, dtype="float64")
    drop = Dropout([0.4, 0.3])
    drop.draw(net, len(X), np.random.default_rng(9))
    masks = [None if layer.dropout_mask is None else layer.dropout_mask.copy() for layer in net.layers]
    assert masks[0] is not None and masks[1] is not None and masks[2] is None
    assert (masks[0] == 0).any() and (masks[0] > 0).any()  # some neurons dropped, some kept
    drop.forward(net, X)
    net.backpropagate(Y)
    backprop = net.grads.copy()
    drop.clear(net)
    assert all(layer.dropout_mask is None for layer in net.layers)

    weights = [layer.weights.copy() for layer in net.layers]
    biases = [layer.bias.copy() for layer in net.layers]
    acts = ["tanh", "tanh", "identity"]
    numerical = []
    eps = 1e-6
    for i in range(len(weights)):
        for array in (weights[i], biases[i]):
            grad = np.zeros_like(array)
            for index in np.ndindex(array.shape):
                saved = array[index]
                array[index] = saved + eps
                up = numpy_cost(weights, biases, acts, masks, X, Y)
                array[index] = saved - eps
                down = numpy_cost(weights, biases, acts, masks, X, Y)
                array[index] = saved
                grad[index] = (up - down) / (2 * eps)
            numerical.append(grad.ravel())
    numerical_flat = np.concatenate(numerical)  # the same order as net.params: W1, b1, W2, b2, ...
    np.testing.assert_allclose(backprop, numerical_flat, rtol=1e-6, atol=1e-9)
    # a neuron dropped for every sample gets no gradient on its incoming weights and bias
    dropped = np.flatnonzero((masks[0] == 0).all(axis=0))
    grad_w1 = backprop[: 3 * 6].reshape(3, 6)
    assert all(np.all(grad_w1[:, j] == 0) for j in dropped)


def test_the_masks_drop_p_of_the_neurons_and_keep_the_expected_activation():
    rows, p = 40_000, 0.3
    net = Network.from_sizes([2, 5, 1], activation="sigmoid", seed=0, dtype="float64")
    X = np.tile([[0.3, -1.2]], (rows, 1))
    drop = Dropout([p])
    drop.propagate(net, X, np.random.default_rng(1))
    mask = net.layers[0].dropout_mask.copy()
    passed = net.layers[1].a_prev.copy()  # a~ = a * m, what the output layer saw
    a = net.layers[0].a[0].copy()  # a = f(s), the same for every row
    drop.clear(net)
    values = np.unique(mask)
    assert len(values) == 2 and values[0] == 0 and values[1] == pytest.approx(1 / (1 - p), rel=1e-15)
    # each entry is dropped with probability p: binomial counts within 5 standard deviations
    n = mask.size
    dropped = np.sum(mask == 0)
    assert abs(dropped - p * n) < 5 * np.sqrt(n * p * (1 - p))
    # E[a~] = a: the mean over the rows within 5 standard errors (sd of a~ is a sqrt(p / (1 - p)))
    se = a * np.sqrt(p / (1 - p)) / np.sqrt(rows)
    assert np.all(np.abs(passed.mean(axis=0) - a) < 5 * se)
    # and the dropped neurons passed exactly 0, the kept ones exactly a / (1 - p)
    np.testing.assert_array_equal(passed[mask == 0], 0)
    np.testing.assert_allclose(passed, np.where(mask > 0, a / (1 - p), 0), rtol=1e-15)


def test_a_training_step_with_dropout_equals_a_numpy_step_with_the_same_masks(data):
    X, Y = data
    p1, p2, lr = 0.5, 0.25, 0.3
    net = Network.from_sizes([3, 6, 4, 2], activation="sigmoid", seed=5, dtype="float64")
    W = [layer.weights.copy() for layer in net.layers]
    b = [layer.bias.copy() for layer in net.layers]
    # full batch, no shuffle: the only draws from the network's generator are the two masks, in layer order
    twin = np.random.default_rng()
    twin.bit_generator.state = net.rng.bit_generator.state
    m1 = (twin.random((7, 6)) >= p1) / (1 - p1)
    m2 = (twin.random((7, 4)) >= p2) / (1 - p2)
    net.fit(X, Y, epochs=1, batch_size=None, shuffle=False, learning_rate=lr, dropout=[p1, p2])

    def sig(s):
        return 1 / (1 + np.exp(-s))

    a1 = sig(X @ W[0] + b[0])
    d1 = a1 * m1
    a2 = sig(d1 @ W[1] + b[1])
    d2 = a2 * m2
    out = d2 @ W[2] + b[2]
    delta3 = 2 * (out - Y) / out.size                      # BP1 for the mean over samples and outputs
    delta2 = (delta3 @ W[2].T) * m2 * a2 * (1 - a2)        # BP2 with the mask
    delta1 = (delta2 @ W[1].T) * m1 * a1 * (1 - a1)
    grads = [(X.T @ delta1, delta1.sum(0)), (d1.T @ delta2, delta2.sum(0)), (d2.T @ delta3, delta3.sum(0))]
    for layer, w, bias, (gw, gb) in zip(net.layers, W, b, grads, strict=True):
        np.testing.assert_allclose(layer.weights, w - lr * gw, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.bias, bias - lr * gb, rtol=1e-12, atol=1e-15)
    assert net.rng.bit_generator.state == twin.bit_generator.state  # exactly those draws, nothing more


def test_prediction_and_validation_use_the_whole_network(data, rng):
    X, Y = data
    net = Network.from_sizes([3, 8, 2], activation="tanh", seed=0, dtype="float64")
    history = net.fit(X, Y, epochs=3, batch_size=4, dropout=0.5, validation_data=(X, Y))
    assert all(layer.dropout_mask is None for layer in net.layers)
    W1, b1, W2, b2 = net.layers[0].weights, net.layers[0].bias, net.layers[1].weights, net.layers[1].bias
    expected = np.tanh(X @ W1 + b1) @ W2 + b2
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-13)
    assert history.val_cost[-1] == pytest.approx(float(np.mean((expected - Y) ** 2)), rel=1e-12)


def test_dropout_is_seeded_and_changes_the_run(data):
    X, Y = data

    def run(seed, dropout):
        net = Network.from_sizes([3, 8, 8, 2], activation="relu", seed=seed, dtype="float32")
        net.fit(X, Y, epochs=4, batch_size=3, dropout=dropout)
        return net

    first, again, other = run(1, 0.3), run(1, 0.3), run(2, 0.3)
    np.testing.assert_array_equal(first.params, again.params)
    assert not np.array_equal(first.params, other.params)
    plain, zero = run(1, None), run(1, [0.0, 0.0])
    assert not np.array_equal(first.params, plain.params)
    # rates of 0 are no dropout at all: the same numbers and the same draws as without the option
    np.testing.assert_array_equal(plain.params, zero.params)
    assert plain.rng.bit_generator.state == zero.rng.bit_generator.state


def test_no_dropout_object_when_every_rate_is_zero(data):
    X, Y = data
    net = Network.from_sizes([3, 4, 2], seed=0)
    assert Trainer(net, X, Y, dropout=0.0)._dropout is None
    assert Trainer(net, X, Y, dropout=[0.2])._dropout is not None


def test_a_resumed_run_with_dropout_equals_the_uninterrupted_one(data):
    X, Y = data

    def trainer():
        net = Network.from_sizes([3, 8, 6, 2], activation="tanh", seed=4, dtype="float64")
        return Trainer(net, X, Y, batch_size=3, optimizer="adam", learning_rate=0.01, dropout=[0.3, 0.1])

    whole = trainer()
    whole.run(4)
    first = trainer()
    first.run(2)
    saved = snapshot(first)
    assert saved.options["dropout"] == [0.3, 0.1]
    resumed = restore_trainer(trainer(), saved)
    resumed.run(2)
    np.testing.assert_array_equal(resumed.network.params, whole.network.params)
    assert resumed.history.cost == whole.history.cost
    # a checkpoint of a dropout run is refused by a trainer with other rates
    other = Trainer(Network.from_sizes([3, 8, 6, 2], activation="tanh", seed=4, dtype="float64"), X, Y,
                    batch_size=3, optimizer="adam", learning_rate=0.01, dropout=[0.3, 0.2])
    with pytest.raises(InputError, match="dropout"):
        restore_trainer(other, saved)


@pytest.mark.parametrize(
    "spec, message",
    [
        (1.0, "dropout"),
        (-0.1, "dropout"),
        ([0.1], "2 hidden layers"),
        ([0.1, 0.2, 0.3], "2 hidden layers"),
        ([0.1, 1.5], r"dropout\[1\]"),
        ("0.5", "rate in"),
        (float("nan"), "dropout"),
    ],
)
def test_bad_rates_are_refused_and_change_nothing(spec, message, data, unchanged):
    X, Y = data
    net = Network.from_sizes([3, 4, 4, 2], seed=0)
    same = unchanged(net)
    with pytest.raises((InputError, TypeError), match=message):
        net.fit(X, Y, epochs=1, dropout=spec)
    same()


def test_a_network_without_hidden_layers_has_nothing_to_drop(data):
    X, Y = data
    net = Network.from_sizes([3, 2], seed=0)
    with pytest.raises(InputError, match="no"):
        net.fit(X, Y, epochs=1, dropout=0.5)
    assert dropout_rates(0.0, net) == [] and dropout_rates(None, net) == []
    deeper = Network.from_sizes([3, 4, 4, 2], seed=0)
    assert dropout_rates(np.array(0.25), deeper) == [0.25, 0.25]
    assert dropout_rates(np.array([0.1, 0.2]), deeper) == [0.1, 0.2]
