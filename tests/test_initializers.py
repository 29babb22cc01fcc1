"""The starting weights: each scheme's distribution against its stated formula (scikit-learn's MLP and
PyTorch's nn.Linear defaults), seeded reproducibility, the schemes' names, and bad names refused."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import Dense, InputError, InputTypeError, Network
from glassnet.initializers import DEFAULT_SCHEME, SCHEMES, initialize_network


def spread(values: np.ndarray, bound: float) -> None:
    """``values`` look like draws from U(-bound, bound): inside it, reaching its edges, std bound/sqrt(3)."""
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.99 * bound
    assert values.std() == pytest.approx(bound / np.sqrt(3), rel=0.03)
    assert abs(values.mean()) < 0.02 * bound


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_sklearn_scheme_draws_weights_and_biases_as_scikit_learn(activation):
    # scikit-learn's MLP (_init_coef): U(-r, r), r = sqrt(6 / (fan_in + fan_out)), sqrt(2 / ...) for logistic,
    # weights and intercepts alike, with the hidden activation's factor for every layer
    net = Network.from_sizes([300, 400, 2000], activation=activation, cost="cross_entropy", seed=0, init="sklearn")
    factor = 2.0 if activation == "sigmoid" else 6.0
    for layer in net.layers:
        bound = np.sqrt(factor / (layer.n_in + layer.n_out))
        spread(layer.weights.astype(np.float64), bound)
    spread(net.layers[1].bias.astype(np.float64), np.sqrt(factor / 2400))


def test_pytorch_scheme_draws_as_nn_linear():
    # nn.Linear.reset_parameters: kaiming_uniform_(a=sqrt(5)) -> bound sqrt(6 / ((1 + 5) fan_in)) = 1/sqrt(fan_in),
    # and the bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    net = Network.from_sizes([250, 2000, 300], activation="relu", seed=1, init="pytorch")
    for layer in net.layers:
        spread(layer.weights.astype(np.float64), 1 / np.sqrt(layer.n_in))
        assert np.abs(layer.bias).max() <= 1 / np.sqrt(layer.n_in) and np.all(layer.bias != 0)
    spread(net.layers[0].bias.astype(np.float64), 1 / np.sqrt(250))  # 2000 biases: enough to see their spread


def test_glorot_he_is_what_dense_layers_draw_by_themselves():
    for activation in ("relu", "tanh"):
        built = Network.from_sizes([5, 7, 3], activation=activation, seed=3, init="glorot_he")
        plain = Network([Dense(5, 7, activation), Dense(7, 3, "identity")], seed=3)
        np.testing.assert_array_equal(built.params, plain.params)
        assert np.all(built.layers[0].bias == 0)
    relu = Network.from_sizes([400, 500, 1], activation="relu", seed=3, init="glorot_he")
    assert relu.layers[0].weights.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)  # He normal


def test_schemes_are_seeded_and_the_default_is_named():
    for scheme in SCHEMES:
        a = Network.from_sizes([4, 6, 2], seed=9, init=scheme)
        b = Network.from_sizes([4, 6, 2], seed=9, init=scheme)
        np.testing.assert_array_equal(a.params, b.params)
        assert a.params.dtype == np.float32
    np.testing.assert_array_equal(
        Network.from_sizes([4, 6, 2], seed=9).params, Network.from_sizes([4, 6, 2], seed=9, init=DEFAULT_SCHEME).params
    )
    assert set(SCHEMES) == {"sklearn", "glorot_he", "pytorch"}


def test_bad_scheme_names_are_refused(unchanged):
    with pytest.raises(InputError) as info:
        Network.from_sizes([2, 3, 1], init="xavier")
    assert all(name in str(info.value) for name in SCHEMES)
    with pytest.raises(InputTypeError, match="init"):
        Network.from_sizes([2, 3, 1], init=None)
    net = Network.from_sizes([2, 3, 1], seed=0)
    same = unchanged(net)
    with pytest.raises(InputError, match="xavier"):
        initialize_network(net, "xavier")
    same()
