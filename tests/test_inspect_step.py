"""What a trace adds to a plain step: the optimizer's own update (checked against the optimizers' published
update rules written out here), dropout's masks (against a twin generator and a numpy pass with the same
masks), the largest-|delta| neurons in narrow layers, and output neurons named by class."""

from __future__ import annotations

import re

import numpy as np
import pytest

from glassnet import SGD, Adam, InputError, Network
from glassnet.inspect import blame, explain, trace


@pytest.fixture
def data(rng):
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int) + (X[:, 2] > 1).astype(int)
    return X, y


def _trained(optimizer, data):
    X, y = data
    net = Network.from_sizes([3, 5, 3], activation="tanh", cost="cross_entropy", seed=2, dtype="float64")
    net.fit(X, y, epochs=3, batch_size=8, optimizer=optimizer)
    return net


@pytest.mark.parametrize("nesterov", [False, True])
def test_the_update_is_a_momentum_step_with_its_velocity(data, nesterov):
    X, y = data
    opt = SGD(0.05, momentum=0.9, nesterov=nesterov)
    net = _trained(opt, data)
    velocity, params, iterations = opt.velocity.copy(), net.params.copy(), opt.iterations
    tr = trace(net, X[0], y[0], optimizer=opt)
    g = np.concatenate([np.concatenate([lt.grad_weights.ravel(), lt.grad_bias]) for lt in tr.layers])
    v = 0.9 * velocity - 0.05 * g  # Sutskever et al. 2013; PyTorch's SGD(momentum) up to the sign of v
    expected = params + (0.9 * v - 0.05 * g if nesterov else v)
    got = np.concatenate([np.concatenate([lt.new_weights.ravel(), lt.new_bias]) for lt in tr.layers])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    # nothing of the model changed: neither its weights nor the optimizer's memory
    np.testing.assert_array_equal(net.params, params)
    np.testing.assert_array_equal(opt.velocity, velocity)
    assert opt.iterations == iterations and tr.learning_rate == 0.05
    text = tr.to_text()
    assert f"Update by sgd with {'Nesterov momentum' if nesterov else 'momentum'} 0.9 (its velocity after " \
           f"{iterations} steps), learning rate 0.05" in text
    assert "p <- p - learning_rate * dJ/dp" not in text
    assert f"w[0, 0] = {params[0]:.6g} -> {expected[0]:.6g}" in text


def test_the_update_is_an_adam_step_with_its_moments(data):
    X, y = data
    opt = Adam(0.01)
    net = _trained(opt, data)
    m, v, t = opt.m.copy(), opt.v.copy(), opt.iterations + 1
    params = net.params.copy()
    tr = trace(net, X[:2], y[:2], optimizer=opt)
    g = np.concatenate([np.concatenate([lt.grad_weights.ravel(), lt.grad_bias]) for lt in tr.layers])
    # Kingma & Ba 2015, Algorithm 1
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * g**2
    expected = params - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    got = np.concatenate([np.concatenate([lt.new_weights.ravel(), lt.new_bias]) for lt in tr.layers])
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-13)
    assert opt.iterations == t - 1 and np.array_equal(net.params, params)
    assert tr.optimizer.startswith("adam (beta1 0.9, beta2 0.999, eps 1e-08; its moments m and v after 15 steps")
    md = tr.to_markdown()
    assert "the update is the step of adam" in md and "optimizer adam" in md
    assert tr.to_dict()["optimizer"] == tr.optimizer
    # a learning rate given overrides the optimizer's own
    assert trace(net, X[0], y[0], optimizer=opt, learning_rate=0.5).learning_rate == 0.5


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_explain_on_a_fitted_estimator_shows_its_optimizer_and_classes(data):
    pytest.importorskip("sklearn")
    from glassnet.estimators import MLPClassifier

    X, y = data
    labels = np.array(["low", "mid", "high"])[y]
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0, dtype="float64").fit(X, labels)
    text = explain(clf, X[0], 0)
    assert "Update by adam (beta1 0.9, beta2 0.999, eps 1e-08; its moments m and v after" in text
    assert "learning rate 0.001" in text
    assert re.search(r"neuron 0 \('high'\)", text)  # classes_ are sorted: high, low, mid
    momentum = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0, solver="sgd").fit(X, labels)
    assert "Update by sgd with Nesterov momentum 0.9" in explain(momentum, X[0], 0)


def test_a_plain_trace_still_says_plain_gradient_descent(data):
    X, y = data
    net = Network.from_sizes([3, 4, 3], cost="cross_entropy", seed=0)
    text = net.trace(X[0], y[0]).to_text()
    assert "one step of gradient descent" in text
    assert "Update: p <- p - learning_rate * dJ/dp, learning rate 0.1" in text
    assert net.trace(X[0], y[0]).optimizer is None


def test_a_trace_with_dropout_shows_the_masks_of_that_step(rng):
    x = rng.normal(size=(1, 4))
    y = np.array([[0.3, -0.2]])
    net = Network.from_sizes([4, 6, 5, 2], activation="tanh", seed=1, dtype="float64")
    before, state = net.params.copy(), net.rng.bit_generator.state
    tr = trace(net, x, y, dropout=[0.5, 0.4], seed=7)
    assert np.array_equal(net.params, before) and net.rng.bit_generator.state == state
    assert all(layer.dropout_mask is None for layer in net.layers)
    twin = np.random.default_rng(7)
    m1 = (twin.random((1, 6)) >= 0.5) / 0.5
    m2 = (twin.random((1, 5)) >= 0.4) / 0.6
    np.testing.assert_array_equal(tr.layers[0].mask, m1)
    np.testing.assert_array_equal(tr.layers[1].mask, m2)
    assert tr.layers[2].mask is None and tr.dropout == [0.5, 0.4]
    # the numbers: a numpy pass with the same masks
    W = [layer.weights for layer in net.layers]
    b = [layer.bias for layer in net.layers]
    a1 = np.tanh(x @ W[0] + b[0])
    a2 = np.tanh((a1 * m1) @ W[1] + b[1])
    out = (a2 * m2) @ W[2] + b[2]
    d3 = 2 * (out - y) / out.size
    d2 = (d3 @ W[2].T) * m2 * (1 - a2**2)
    d1 = (d2 @ W[1].T) * m1 * (1 - a1**2)
    for lt, delta in zip(tr.layers, (d1, d2, d3), strict=True):
        np.testing.assert_allclose(lt.delta, delta, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(tr.layers[1].inputs, a1 * m1, rtol=1e-14)
    text = tr.to_text()
    dropped = [int(j) for j in np.flatnonzero(m1[0] == 0)]
    assert dropped, "seed 7 drops some neuron of layer 1"
    for j in dropped:
        assert f"    neuron {j}: dropped in this step: delta = 0" in text
    names = ", ".join(str(j) for j in dropped)
    assert f"layer 1 (6 neurons, tanh): dropout, dropped in this step: neuron{'s' if len(dropped) > 1 else ''} " \
           f"{names}" in text
    kept = int(np.flatnonzero(m1[0])[0])
    assert f"kept: passes a * 2 = {a1[0, kept] * 2:.6g}" in text
    assert "dropout (layer 1: 0.5, layer 2: 0.4)" in text
    assert "dropout mask" in tr.to_markdown()
    assert tr.to_dict()["layers"][0]["neurons"][kept]["mask"] == [2.0]
    # without dropout, no masks and the same numbers as before
    assert trace(net, x, y).layers[0].mask is None
    with pytest.raises(InputError, match="seed"):
        trace(net, x, y, dropout=0.5, seed=-1)


def test_a_narrow_shortened_layer_shows_its_largest_delta_neurons(rng):
    net = Network.from_sizes([3, 12, 2], activation="tanh", cost="mse", seed=0, dtype="float64")
    x, y = rng.normal(size=3), rng.normal(size=2)
    tr = net.trace(x, y)
    # an independent backward pass: delta_1 = (delta_2 @ W2^T) * (1 - a1^2), delta_2 = 2 (a - y) / 2
    W1, b1, W2, b2 = (np.asarray(p) for p in (net.layers[0].weights, net.layers[0].bias,
                                              net.layers[1].weights, net.layers[1].bias))
    a1 = np.tanh(x @ W1 + b1)
    delta1 = ((a1 @ W2 + b2 - y) @ W2.T) * (1 - a1**2)
    largest = sorted(int(j) for j in np.argsort(-np.abs(delta1))[:4])
    text = tr.to_text(max_neurons=4)
    forward = text.split("\nCost")[0]
    shown = [int(j) for j in re.findall(r"\n    neuron (\d+): s = ", forward.split("layer 2 (")[0])]
    assert shown == largest
    assert "... 8 more neurons (smaller |delta|)" in text


def test_blame_names_output_neurons_by_class(rng):
    X = rng.normal(size=(30, 3))
    y = rng.integers(0, 3, size=30)
    net = Network.from_sizes([3, 4, 3], cost="cross_entropy", seed=0)
    result = blame(net, X, y, class_names=["cat", "dog", "emu"])
    text = result.to_text()
    output = text.split("layer 2 (3 neurons, softmax, output)")[1].split("layer 1 (")[0]
    for j, name in enumerate(["cat", "dog", "emu"]):
        assert f"{j} ('{name}')" in output
    assert "('cat')" not in text.split("layer 1 (")[1]  # hidden neurons have no class
    assert result.to_dict()["class_names"] == ["cat", "dog", "emu"]
    with pytest.raises(InputError, match="3 output neurons"):
        blame(net, X, y, class_names=["cat", "dog"])
    with pytest.raises(InputError, match="3 output neurons"):
        blame(net, X, y, class_names="cde")
