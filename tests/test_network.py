"""The Network: construction, forward/predict, cost with L2, gradients with L2 (finite differences),
copies, config round trip and summary."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import special

from glassnet import Dense, InputError, Network


def test_from_sizes_picks_the_output_the_cost_pairs_with():
    pairs = (("mse", "identity"), ("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax"))
    for cost, output in pairs:
        net = Network.from_sizes([3, 5, 4, 2], activation="relu", cost=cost, seed=0)
        assert [layer.activation.name for layer in net.layers] == ["relu", "relu", output]
        assert net.sizes == [3, 5, 4, 2] and net.n_inputs == 3 and net.n_outputs == 2
        assert net.n_params == 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2
        assert net.cost_function.name == cost
        assert net.dtype == np.float32 and net.params.dtype == np.float32
    net = Network.from_sizes([2, 1], output="tanh", cost="mse", dtype="float64")
    assert net.layers[0].activation.name == "tanh" and net.dtype == np.float64
    assert "sizes=[2, 1]" in repr(net) and "tanh" in repr(net)


def test_forward_against_a_hand_written_pass(rng):
    net = Network.from_sizes([3, 4, 2], activation="arctan", cost="cross_entropy", seed=2, dtype="float64")
    X = rng.normal(size=(5, 3))
    (W1, b1), (W2, b2) = ((layer.weights, layer.bias) for layer in net.layers)
    expected = special.softmax(np.arctan(X @ W1 + b1) @ W2 + b2, axis=1)
    out = net.forward(X)
    np.testing.assert_allclose(out, expected, rtol=1e-13)
    assert not np.shares_memory(out, net.layers[-1].a)  # forward returns a copy
    np.testing.assert_allclose(net.layers[0].a, np.arctan(X @ W1 + b1), rtol=1e-13)
    np.testing.assert_allclose(net.predict(X), expected, rtol=1e-13)
    assert net.predict_classes(X).tolist() == expected.argmax(axis=1).tolist()


def test_predict_works_in_slices_and_keeps_nothing(rng):
    net = Network.from_sizes([2, 3, 1], activation="tanh", seed=0, dtype="float64")
    small = rng.normal(size=(3, 2))
    net.forward(small)
    kept = net.layers[0].s.copy()
    X = rng.normal(size=(10_000, 2))  # more rows than one slice
    big = net.predict(X)
    (W1, b1), (W2, b2) = ((layer.weights, layer.bias) for layer in net.layers)
    np.testing.assert_allclose(big, np.tanh(X @ W1 + b1) @ W2 + b2, rtol=1e-12)
    np.testing.assert_array_equal(net.layers[0].s, kept)
    # the cost over slices is the cost over all rows
    Y = rng.normal(size=(10_000, 1))
    assert net.cost(X, Y) == pytest.approx(np.mean((big - Y) ** 2), rel=1e-12)


def test_float32_network_keeps_float32_everywhere(rng):
    net = Network.from_sizes([3, 4, 3], activation="tanh", cost="cross_entropy", seed=0)
    X, Y = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    assert net.forward(X).dtype == np.float32 and net.predict(X).dtype == np.float32
    grads = net.gradients(X, Y)
    assert all(dW.dtype == np.float32 and db.dtype == np.float32 for dW, db in grads)
    assert all(layer.s.dtype == np.float32 and layer.delta.dtype == np.float32 for layer in net.layers)
    assert isinstance(net.cost(X, Y), float)


def test_cost_includes_l2_on_weights_only(rng):
    net = Network.from_sizes([2, 3, 1], activation="tanh", seed=0, dtype="float64")
    for layer in net.layers:
        layer.bias = rng.normal(size=layer.n_out)  # biases non-zero: they must not count
    X, Y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    plain = np.mean((net.predict(X) - Y) ** 2)
    squares = sum(float((layer.weights**2).sum()) for layer in net.layers)
    assert net.cost(X, Y) == pytest.approx(plain, rel=1e-13)
    assert net.cost(X, Y, l2=0.7) == pytest.approx(plain + 0.7 / (2 * 8) * squares, rel=1e-13)


def _numerical_gradient(net, X, Y, l2, h=1e-6):
    slopes = np.empty_like(net.params)
    for i in range(net.n_params):
        keep = net.params[i]
        net.params[i] = keep + h
        up = net.cost(X, Y, l2=l2)
        net.params[i] = keep - h
        down = net.cost(X, Y, l2=l2)
        net.params[i] = keep
        slopes[i] = (up - down) / (2 * h)
    return slopes


@pytest.mark.parametrize("cost", ["mse", "binary_cross_entropy", "cross_entropy"])
def test_l2_gradient_against_finite_differences(cost, rng):
    net = Network.from_sizes([3, 4, 2], activation="softplus", cost=cost, seed=4, dtype="float64")
    for layer in net.layers:
        layer.bias = rng.normal(size=layer.n_out)
    X = rng.normal(size=(7, 3))
    Y = rng.integers(0, 2, size=7) if cost == "cross_entropy" else rng.uniform(size=(7, 2))
    l2 = 2.5
    grads = net.gradients(X, Y, l2=l2)
    flat = np.concatenate([part.ravel() for pair in grads for part in pair])
    np.testing.assert_array_equal(flat, net.grads)
    np.testing.assert_allclose(flat, _numerical_gradient(net, X, Y, l2), rtol=1e-6, atol=1e-9)
    # the L2 part is (l2 / n) W on the weights and nothing on the biases
    plain = net.gradients(X, Y)
    for layer, (dW, db), (dW0, db0) in zip(net.layers, grads, plain, strict=True):
        np.testing.assert_allclose(dW - dW0, l2 / 7 * layer.weights, rtol=1e-10, atol=1e-14)
        np.testing.assert_array_equal(db, db0)


def test_gradients_returns_copies_and_leaves_the_batch_in_the_layers(rng):
    net = Network.from_sizes([2, 3, 1], activation="sigmoid", seed=0, dtype="float64")
    X, Y = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    grads = net.gradients(X, Y)
    assert not np.shares_memory(grads[0][0], net.grads)
    assert net.layers[0].delta.shape == (4, 3) and net.layers[1].delta.shape == (4, 1)
    # the kept arrays are this batch's, written out in plain numpy: J = mean (a2 - y)^2, sigmoid hidden layer
    (W1, b1), (W2, b2) = ((layer.weights, layer.bias) for layer in net.layers)
    a1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
    a2 = a1 @ W2 + b2
    delta2 = 2 * (a2 - Y) / Y.size                      # BP1, identity output: f'(s) = 1
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)            # BP2, sigmoid: f'(s) = a (1 - a)
    for layer, a_prev, delta in zip(net.layers, (X, a1), (delta1, delta2), strict=True):
        np.testing.assert_allclose(layer.a_prev, a_prev, rtol=1e-14)
        np.testing.assert_allclose(layer.delta, delta, rtol=1e-12, atol=1e-16)
    # BP3 and BP4: each gradient equals the sum written out sample by sample, from the reference deltas
    for (dW, db), a_prev, delta in zip(grads, (X, a1), (delta1, delta2), strict=True):
        by_sample = sum(np.outer(a_prev[i], delta[i]) for i in range(len(X)))
        np.testing.assert_allclose(db, sum(delta[i] for i in range(len(X))), rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(dW, by_sample, rtol=1e-12, atol=1e-16)
    # and they read straight off the kept arrays
    for layer, (dW, db) in zip(net.layers, grads, strict=True):
        np.testing.assert_allclose(db, layer.delta.sum(axis=0), rtol=1e-14)
        np.testing.assert_allclose(dW, layer.a_prev.T @ layer.delta, rtol=1e-14)


def test_bp1_to_bp4_through_two_hidden_layers_against_finite_differences(rng):
    """delta_l = dJ/ds_l checked one neuron of one sample at a time: moving s_l[i, j] alone by h (in a forward
    pass written out in numpy) moves J by delta_l[i, j] h; and dJ/dW, dJ/db against central differences."""
    net = Network.from_sizes([3, 4, 3, 3], activation="tanh", cost="cross_entropy", seed=5, dtype="float64")
    for layer in net.layers:
        layer.bias = rng.normal(size=layer.n_out)
    X, labels = rng.normal(size=(5, 3)), rng.integers(0, 3, size=5)
    grads = net.gradients(X, labels)
    deltas = [layer.delta.copy() for layer in net.layers]
    Y = np.eye(3)[labels]

    def cost_with_shift(shifted, i, j, h):
        """J (float64, written out) with s[i, j] of layer ``shifted`` moved by h: the forward pass in plain numpy."""
        a = X
        for k, layer in enumerate(net.layers):
            s = a @ layer.weights + layer.bias
            if k == shifted:
                s[i, j] += h
            if k < len(net.layers) - 1:
                a = np.tanh(s)
        log_p = s - special.logsumexp(s, axis=1, keepdims=True)
        return -np.sum(Y * log_p) / len(X)

    h = 1e-6
    for index, delta in enumerate(deltas):
        numeric = np.array([
            [
                (cost_with_shift(index, i, j, h) - cost_with_shift(index, i, j, -h)) / (2 * h)
                for j in range(delta.shape[1])
            ]
            for i in range(len(X))
        ])
        np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-10)  # BP1 (l = 2) and BP2 (l = 0, 1)
    flat = np.concatenate([part.ravel() for pair in grads for part in pair])
    np.testing.assert_allclose(flat, _numerical_gradient(net, X, labels, 0.0), rtol=1e-6, atol=1e-10)  # BP3, BP4


def test_accuracy(rng):
    net = Network.from_sizes([2, 3], cost="cross_entropy", seed=0, dtype="float64")
    X = rng.normal(size=(20, 2))
    predicted = net.predict_classes(X)
    Y = predicted.copy()
    Y[:5] = (Y[:5] + 1) % 3
    assert net.accuracy(X, Y) == pytest.approx(0.75)
    binary = Network.from_sizes([2, 1], cost="binary_cross_entropy", seed=0, dtype="float64")
    p = binary.predict(X)[:, 0]
    assert binary.accuracy(X, (p > 0.5).astype(float)) == 1.0
    assert binary.predict_classes(X).tolist() == (p > 0.5).astype(int).tolist()


def test_copy_is_independent_and_converts_dtype(rng):
    net = Network.from_sizes([2, 3, 2], activation={"name": "leaky_relu", "alpha": 0.1},
                             cost="binary_cross_entropy", seed=9)
    net.rng.random(3)  # the generator's state travels with the copy
    twin = net.copy()
    assert np.array_equal(twin.params, net.params) and twin.params.dtype == np.float32
    assert twin.rng.bit_generator.state == net.rng.bit_generator.state
    assert twin.config() == net.config()
    twin.params[0] += 1
    assert twin.params[0] != net.params[0]
    wide = net.copy(dtype="float64")
    assert wide.dtype == np.float64 and wide.params.dtype == np.float64
    np.testing.assert_array_equal(wide.params, net.params.astype(np.float64))
    assert wide.layers[0].activation.alpha == 0.1
    X = rng.normal(size=(5, 2))
    np.testing.assert_allclose(wide.predict(X), net.predict(X), rtol=1e-5)


def test_config_round_trip(rng):
    net = Network([Dense(3, 4, "tanh"), Dense(4, 4, {"name": "leaky_relu", "alpha": 0.05}),
                   Dense(4, 3, "softmax")], cost="cross_entropy", seed=11, dtype="float64")
    config = net.config()
    assert json.loads(json.dumps(config)) == config  # JSON-able
    rebuilt = Network.from_config(json.loads(json.dumps(config)), net.params.copy())
    assert rebuilt.config() == config
    np.testing.assert_array_equal(rebuilt.params, net.params)
    X = rng.normal(size=(4, 3))
    np.testing.assert_array_equal(rebuilt.predict(X), net.predict(X))
    # without params the weights come again from the seed
    np.testing.assert_array_equal(Network.from_config(config).params, net.params)
    with pytest.raises(ValueError, match="shape"):
        Network.from_config(config, np.zeros(3))
    with pytest.raises(ValueError, match="activations"):
        Network.from_config({**config, "activations": config["activations"][:1]})


def test_summary_lists_every_layer():
    net = Network.from_sizes([4, 8, 3], activation="relu", cost="cross_entropy", seed=0)
    text = net.summary()
    lines = text.splitlines()
    assert len(lines) == 4
    assert "4 x 8" in lines[1] and "relu" in lines[1] and lines[1].rstrip().endswith(str(4 * 8 + 8))
    assert "8 x 3" in lines[2] and "softmax" in lines[2] and lines[2].rstrip().endswith(str(8 * 3 + 3))
    assert "cross_entropy" in lines[3] and "float32" in lines[3] and str(net.n_params) in lines[3]


def test_a_layer_belongs_to_one_network():
    # Sharing would rebind the first network's layers to the second one's params: training the first
    # would then move its params while its layers (what predict, trace and the pictures read) stood still.
    first = Network.from_sizes([2, 3, 1], seed=0)
    with pytest.raises(InputError, match="already belongs"):
        Network(first.layers, seed=1)
    assert all(np.shares_memory(layer.weights, first.params) for layer in first.layers)
    layer = Dense(2, 2)
    with pytest.raises(InputError, match="already belongs"):
        Network([layer, layer])
    own = [Dense(d.n_in, d.n_out, d.activation, d.weights, d.bias) for d in first.layers]
    np.testing.assert_array_equal(Network(own).params, first.params)


def test_from_config_refuses_params_that_dense_would_refuse():
    net = Network.from_sizes([2, 1], seed=0)
    bad = net.params.astype(np.float64)
    bad[0] = np.nan
    with pytest.raises(InputError, match="NaN"):
        Network.from_config(net.config(), bad)
    with pytest.raises(TypeError, match="params"):
        Network.from_config(net.config(), ["a", "b", "c"])
