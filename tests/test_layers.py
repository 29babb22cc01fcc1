"""Dense layers: the forward pass against the formula, parameters as views into the network's buffer,
and the initialisers' statistics."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import Dense, Network
from glassnet.initializers import glorot_uniform, he_normal, initialize


def test_forward_is_s_equals_a_prev_W_plus_b(rng):
    W, b = rng.normal(size=(3, 4)), rng.normal(size=4)
    layer = Dense(3, 4, "tanh", weights=W, bias=b)
    Network([layer], dtype="float64")
    a_prev = rng.normal(size=(5, 3))
    a = layer.forward(a_prev)
    # written out neuron by neuron: s_j = sum_k a_prev_k w_kj + b_j
    s = np.array([[sum(a_prev[i, k] * W[k, j] for k in range(3)) + b[j] for j in range(4)] for i in range(5)])
    np.testing.assert_allclose(layer.s, s, rtol=1e-13)
    np.testing.assert_allclose(a, np.tanh(s), rtol=1e-13)
    assert layer.a_prev is a_prev and layer.a is a


def test_forward_reuses_buffers_and_evaluate_leaves_them(rng):
    layer = Dense(2, 3, "relu")
    Network([layer], seed=0, dtype="float64")
    first = layer.forward(rng.normal(size=(6, 2)))
    kept = first.copy()
    second = layer.forward(rng.normal(size=(4, 2)))
    assert np.shares_memory(first, second)  # one buffer, reused from batch to batch
    assert second.shape == (4, 3)
    s_kept = layer.s.copy()
    X = rng.normal(size=(3, 2))
    s, a = layer.evaluate(X)
    np.testing.assert_array_equal(layer.s, s_kept)  # kept arrays untouched
    np.testing.assert_allclose(a, np.maximum(X @ layer.weights + layer.bias, 0))
    assert not np.array_equal(kept[:4], second)


def test_parameters_are_views_into_the_network(rng):
    hidden, output = Dense(2, 3, "tanh"), Dense(3, 1, "identity")
    net = Network([hidden, output], seed=1, dtype="float64")
    assert net.n_params == 2 * 3 + 3 + 3 * 1 + 1
    assert np.shares_memory(hidden.weights, net.params) and np.shares_memory(output.bias, net.params)
    assert np.shares_memory(hidden.grad_weights, net.grads)
    net.params[:6] = np.arange(6)
    np.testing.assert_array_equal(hidden.weights, np.arange(6).reshape(2, 3))
    before = hidden.weights
    hidden.weights = np.ones((2, 3))  # assigning copies in, keeping the view
    assert hidden.weights is before and np.all(net.params[:6] == 1)
    output.bias = [7.0]
    assert net.params[-1] == 7.0
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        hidden.weights = np.ones((3, 2))
    with pytest.raises(ValueError, match="NaN"):
        output.bias = [np.nan]
    assert net.params[-1] == 7.0


def test_given_weights_are_used_and_biases_start_at_zero(rng):
    W = rng.normal(size=(2, 2))
    given, drawn = Dense(2, 2, weights=W), Dense(2, 1)
    net = Network([given, drawn], seed=0, dtype="float64")
    np.testing.assert_array_equal(given.weights, W)
    np.testing.assert_array_equal(given.bias, 0)
    np.testing.assert_array_equal(drawn.bias, 0)
    assert np.all(drawn.weights != 0)
    assert repr(given) == "Dense(2, 2, activation='sigmoid')"
    assert given.n_params == 6 and net.sizes == [2, 2, 1]


def test_glorot_uniform_range_and_variance():
    rng = np.random.default_rng(0)
    w = glorot_uniform(300, 200, rng, np.float64)
    limit = np.sqrt(6 / 500)
    assert w.shape == (300, 200) and w.dtype == np.float64
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit
    # variance of U(-r, r) is r^2 / 3 = 2 / (n_in + n_out); 60000 draws give ~1% precision
    assert w.var() == pytest.approx(2 / 500, rel=0.03)
    assert abs(w.mean()) < 0.01 * limit


def test_he_normal_variance():
    rng = np.random.default_rng(1)
    w = he_normal(400, 150, rng, np.float32)
    assert w.dtype == np.float32
    assert w.var() == pytest.approx(2 / 400, rel=0.03)
    assert abs(w.mean()) < 0.01 * np.sqrt(2 / 400)


def test_initialisers_follow_the_activation_and_the_seed():
    def first_weights(activation, seed):
        # the layers' own initialisers, which from_sizes keeps with init="glorot_he"
        net = Network.from_sizes([50, 40, 1], activation=activation, seed=seed, dtype="float64", init="glorot_he")
        return net.layers[0].weights

    relu, tanh = first_weights("relu", 0), first_weights("tanh", 0)
    assert relu.var() == pytest.approx(2 / 50, rel=0.1)  # He
    assert tanh.var() == pytest.approx(2 / 90, rel=0.1)  # Glorot
    assert np.abs(tanh).max() <= np.sqrt(6 / 90)
    np.testing.assert_array_equal(first_weights("tanh", 5), first_weights("tanh", 5))
    assert not np.array_equal(first_weights("tanh", 5), first_weights("tanh", 6))
    with pytest.raises(ValueError, match="glorot"):
        initialize("zeros", 2, 2, np.random.default_rng(0))


def test_a_layer_outside_a_network_says_its_weights_are_not_drawn_yet():
    layer = Dense(3, 2, "tanh")
    with pytest.raises(ValueError, match="drawn from the network's seed.*weights="):
        _ = layer.weights
    with pytest.raises(ValueError, match="bias are drawn"):
        _ = layer.bias
    assert not layer.bound
    # before any batch the kept arrays hold 0 samples, shaped like a batch would be, and the gradients are 0
    assert layer.a_prev.shape == (0, 3) and layer.s.shape == layer.a.shape == layer.delta.shape == (0, 2)
    assert layer.grad_weights.shape == (3, 2) and not layer.grad_weights.any() and not layer.grad_bias.any()
    Network([layer], seed=0)
    assert layer.bound and layer.weights.shape == (3, 2)
    with pytest.raises(ValueError, match="already belongs to a Network"):
        Network([layer])
