"""Every bad input raises its own clear error, names the problem, and leaves the network as it was.

"As it was" means bit for bit: the same parameters and the same random-generator state (a refused call
must not even draw a shuffle or a validation split).
"""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import Dense, DivergenceError, InputError, InputTypeError, Network, NotTrainableError, gradcheck
from glassnet.activations import activation_names
from glassnet.costs import COSTS
from glassnet.optimizers import OPTIMIZERS


@pytest.fixture
def net():
    return Network.from_sizes([3, 4, 2], activation="tanh", cost="mse", seed=0)


@pytest.fixture
def data(rng):
    return rng.normal(size=(10, 3)), rng.normal(size=(10, 2))


# -- bad data, at every entry point that takes data --------------------------------------------------------
def _with_nan(a, value=np.nan):
    a = a.copy()
    a[3, 1] = value
    return a


def bad_x_cases(X):
    """(label, bad X, error type, words the message must contain)."""
    return [
        ("nan", _with_nan(X), InputError, ["NaN", "X", "index (3, 1)"]),
        ("inf", _with_nan(X, np.inf), InputError, ["infinite", "X"]),
        ("minus inf", _with_nan(X, -np.inf), InputError, ["infinite", "X"]),
        ("1-D", X[:, 0], InputError, ["2-D", "1-D", "reshape"]),
        ("3-D", X[None], InputError, ["2-D", "3-D"]),
        ("columns", X[:, :2], InputError, ["2 columns", "3 inputs"]),
        ("empty", X[:0], InputError, ["empty", "0 samples"]),
        ("strings", np.array([["a", "b", "c"]] * len(X)), InputTypeError, ["numbers", "'a'"]),
        ("None", None, InputTypeError, ["None"]),
    ]


def bad_y_cases(Y):
    return [
        ("nan", _with_nan(Y), InputError, ["NaN", "Y"]),
        ("inf", _with_nan(Y, np.inf), InputError, ["infinite", "Y"]),
        ("rows", Y[:-1], InputError, ["10 rows", "9", "match"]),
        ("columns", Y[:, :1], InputError, ["2 output", "shape"]),
        ("3-D", Y[None], InputError, ["1-D or 2-D"]),
        ("strings", np.array([["x", "y"]] * len(Y)), InputTypeError, ["numbers", "'x'"]),
    ]


XY_ENTRY_POINTS = {
    "fit": lambda net, X, Y: net.fit(X, Y, epochs=2, batch_size=4, validation_split=0.2),
    "cost": lambda net, X, Y: net.cost(X, Y),
    "accuracy": lambda net, X, Y: net.accuracy(X, Y),
    "gradients": lambda net, X, Y: net.gradients(X, Y),
    "gradcheck": lambda net, X, Y: gradcheck(net, X, Y),
}
X_ENTRY_POINTS = {
    "forward": lambda net, X, Y: net.forward(X),
    "predict": lambda net, X, Y: net.predict(X),
    "predict_classes": lambda net, X, Y: net.predict_classes(X),
    **XY_ENTRY_POINTS,
}


def check_refused(call, error, words, same):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    same()


@pytest.mark.parametrize("entry", list(X_ENTRY_POINTS))
def test_bad_X_is_refused_everywhere(entry, net, data, unchanged):
    X, Y = data
    for label, bad, error, words in bad_x_cases(X):
        if label in ("columns", "empty") and entry in XY_ENTRY_POINTS:
            Y_used = Y[: len(bad)]
        else:
            Y_used = Y
        same = unchanged(net)
        check_refused(lambda: X_ENTRY_POINTS[entry](net, bad, Y_used), error, words, same)  # noqa: B023


@pytest.mark.parametrize("entry", list(XY_ENTRY_POINTS))
def test_bad_Y_is_refused_everywhere(entry, net, data, unchanged):
    X, Y = data
    for _label, bad, error, words in bad_y_cases(Y):
        same = unchanged(net)
        check_refused(lambda: XY_ENTRY_POINTS[entry](net, X, bad), error, words, same)  # noqa: B023


def test_bad_validation_data_is_refused_before_training(net, data, unchanged):
    X, Y = data
    same = unchanged(net)
    check_refused(lambda: net.fit(X, Y, 1, validation_data=(_with_nan(X), Y)), InputError, ["NaN"], same)
    check_refused(lambda: net.fit(X, Y, 1, validation_data=(X, Y[:, :1])), InputError, ["output"], same)
    check_refused(lambda: net.fit(X, Y, 1, validation_data=X), InputError, ["validation_data must be"], same)
    check_refused(
        lambda: net.fit(X, Y, 1, validation_data=(X, Y), validation_split=0.2), InputError, ["not both"], same
    )
    check_refused(lambda: net.fit(X, Y, 1, validation_split=1.5), InputError, ["validation_split"], same)


def test_targets_outside_what_the_cost_accepts(rng, unchanged):
    X = rng.normal(size=(6, 2))
    bce = Network.from_sizes([2, 1], cost="binary_cross_entropy", seed=0)
    same = unchanged(bce)
    check_refused(lambda: bce.fit(X, np.arange(6.0), 1), InputError, ["between 0 and 1"], same)
    ce = Network.from_sizes([2, 3], cost="cross_entropy", seed=0)
    same = unchanged(ce)
    check_refused(lambda: ce.fit(X, np.array([0, 1, 2, 3, 0, 1]), 1), InputError, ["0..2", "3 outputs"], same)
    check_refused(lambda: ce.fit(X, np.full(6, 0.5), 1), InputError, ["fractions"], same)
    check_refused(lambda: ce.cost(X, np.full((6, 3), 0.5)), InputError, ["one-hot"], same)


# -- bad settings of fit ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"learning_rate": 0}, InputError, ["learning_rate", "greater than 0"]),
        ({"learning_rate": -0.1}, InputError, ["learning_rate", "greater than 0"]),
        ({"learning_rate": float("nan")}, InputError, ["learning_rate"]),
        ({"learning_rate": "fast"}, InputTypeError, ["learning_rate"]),
        ({"epochs": 0}, InputError, ["epochs", "greater than 0"]),
        ({"epochs": -3}, InputError, ["epochs", "greater than 0"]),
        ({"epochs": 2.5}, InputTypeError, ["epochs", "whole number"]),
        ({"batch_size": 0}, InputError, ["batch_size", "greater than 0"]),
        ({"batch_size": -8}, InputError, ["batch_size", "greater than 0"]),
        ({"batch_size": 4.0}, InputTypeError, ["batch_size", "whole number"]),
        ({"l2": -1.0}, InputError, ["l2"]),
        ({"optimizer": "rmsprop"}, InputError, ["unknown optimizer", "rmsprop", *OPTIMIZERS]),
        ({"optimizer": 3}, InputTypeError, ["optimizer"]),
        ({"early_stopping": 0}, InputError, ["patience"]),
        ({"callbacks": [42]}, InputTypeError, ["callback"]),
    ],
)
def test_bad_fit_settings_are_refused(options, error, words, net, data, unchanged):
    X, Y = data
    options = {"epochs": 3, "batch_size": 4, "validation_split": 0.2, **options}
    epochs = options.pop("epochs")
    same = unchanged(net)
    check_refused(lambda: net.fit(X, Y, epochs, **options), error, words, same)


def test_step_activation_cannot_be_trained(rng, unchanged):
    net = Network([Dense(2, 3, "step"), Dense(3, 1, "sigmoid")], cost="mse", seed=0)
    X, Y = rng.normal(size=(5, 2)), rng.uniform(size=(5, 1))
    net.forward(X)  # drawing the perceptron is fine
    same = unchanged(net)
    words = ["step", "slope", "zero everywhere", "sigmoid"]
    check_refused(lambda: net.fit(X, Y, 1), NotTrainableError, words, same)
    check_refused(lambda: net.gradients(X, Y), NotTrainableError, words, same)
    check_refused(lambda: gradcheck(net, X, Y), NotTrainableError, words, same)
    assert issubclass(NotTrainableError, ValueError)


def test_a_huge_learning_rate_raises_divergence_with_finite_weights(rng):
    X, Y = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))
    net = Network.from_sizes([2, 4, 1], activation="tanh", cost="mse", seed=0, dtype="float64")
    at_epoch_start = {}

    def remember(trainer_epoch, logs):  # after each epoch: the weights the next epoch starts from
        at_epoch_start[trainer_epoch + 1] = net.params.copy()

    at_epoch_start[0] = net.params.copy()
    with pytest.raises(DivergenceError) as info:
        net.fit(X, Y, epochs=1000, learning_rate=1e4, callbacks=[remember])
    error = info.value
    message = str(error)
    assert f"epoch {error.epoch}" in message
    assert "smaller learning rate" in message
    assert 1 <= error.epoch < 1000
    assert np.isfinite(net.params).all()
    # the network keeps the weights it had when the diverging epoch began
    assert np.array_equal(net.params, at_epoch_start[error.epoch - 1])


# -- bad construction ----------------------------------------------------------------------------------------
def test_unknown_names_list_the_valid_ones():
    with pytest.raises(InputError) as info:
        Dense(2, 3, "relux")
    assert "relux" in str(info.value)
    assert all(name in str(info.value) for name in activation_names())
    for kwargs in ({"activation": "swish"}, {"output": "swish"}):
        with pytest.raises(InputError, match="swish"):
            Network.from_sizes([2, 3, 1], **kwargs)
    makers = (lambda: Network([Dense(2, 1)], cost="hinge"), lambda: Network.from_sizes([2, 1], cost="hinge"))
    for make in makers:
        with pytest.raises(InputError) as info:
            make()
        assert "hinge" in str(info.value) and all(name in str(info.value) for name in COSTS)
    with pytest.raises(InputTypeError, match="by name"):
        Dense(2, 3, 17)
    with pytest.raises(InputTypeError, match="by name"):
        Network([Dense(2, 1)], cost=None)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Network([Dense(2, 3, "softmax")], cost="mse"),
        lambda: Network([Dense(2, 3, "softmax")], cost="binary_cross_entropy"),
        lambda: Network.from_sizes([2, 4, 3], output="softmax", cost="mse"),
        lambda: Network.from_sizes([2, 4, 3], activation="softmax", cost="cross_entropy"),
    ],
)
def test_softmax_needs_cross_entropy(make):
    with pytest.raises(InputError) as info:
        make()
    assert "softmax" in str(info.value)
    assert "cross_entropy" in str(info.value) or "output layer" in str(info.value)


def test_cross_entropies_need_their_own_output():
    with pytest.raises(InputError, match="'softmax' output layer"):
        Network([Dense(2, 3, "sigmoid")], cost="cross_entropy")
    with pytest.raises(InputError, match="'sigmoid' output layer"):
        Network.from_sizes([2, 3], output="tanh", cost="binary_cross_entropy")


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: Dense(0, 3), InputError, ["n_in", "at least 1"]),
        (lambda: Dense(2, -1), InputError, ["n_out", "at least 1"]),
        (lambda: Dense(2.5, 3), InputTypeError, ["n_in", "whole number"]),
        (lambda: Dense(True, 3), InputTypeError, ["n_in"]),
        (lambda: Dense(2, 3, weights=np.ones((3, 2))), InputError, ["weights", "(2, 3)"]),
        (lambda: Dense(2, 3, weights=np.full((2, 3), np.nan)), InputError, ["weights", "NaN"]),
        (lambda: Dense(2, 3, bias=np.ones(2)), InputError, ["bias", "(3,)"]),
        (lambda: Dense(2, 3, bias=["a", "b", "c"]), InputTypeError, ["bias", "numbers"]),
        (lambda: Dense(2, 3, {"name": "leaky_relu", "alpha": 2}), InputError, ["alpha"]),
        (lambda: Dense(2, 3, {"name": "tanh", "alpha": 2}), InputError, ["tanh", "alpha"]),
        (lambda: Network([]), InputError, ["non-empty"]),
        (lambda: Network(["dense"]), InputTypeError, ["layer 0", "Dense"]),
        (lambda: Network([Dense(2, 3), Dense(4, 1)]), InputError, ["layer 1 takes 4", "gives 3"]),
        (lambda: Network([Dense(2, 1)], dtype="float16"), InputError, ["dtype", "float32", "float64"]),
        (lambda: Network([Dense(2, 1)], seed=-1), InputError, ["seed"]),
        (lambda: Network([Dense(2, 1)], seed=1.5), InputError, ["seed"]),
        (lambda: Network.from_sizes([3]), InputError, ["sizes", "two widths"]),
        (lambda: Network.from_sizes("23"), InputError, ["sizes"]),
        (lambda: Network.from_sizes([2, 0, 1]), InputError, ["at least 1"]),
        (lambda: Network.from_sizes([2, 3.5, 1]), InputTypeError, ["whole number"]),
    ],
)
def test_bad_construction_is_refused(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_bad_gradcheck_and_cost_settings(net, data, unchanged):
    X, Y = data
    same = unchanged(net)
    check_refused(lambda: gradcheck(net, X, Y, eps=0), InputError, ["eps"], same)
    check_refused(lambda: gradcheck(net, X, Y, tolerance=-1), InputError, ["tolerance"], same)
    check_refused(lambda: gradcheck(net, X, Y, l2=-1), InputError, ["l2"], same)
    check_refused(lambda: net.cost(X, Y, l2=-0.5), InputError, ["l2"], same)
    check_refused(lambda: net.gradients(X, Y, l2=float("inf")), InputError, ["l2"], same)
    check_refused(lambda: net.accuracy(X, Y), InputError, ["classification"], same)
    check_refused(lambda: net.predict_classes(X), InputError, ["regression"], same)


def test_errors_are_builtin_subclasses():
    # callers who catch ValueError / TypeError keep working
    assert issubclass(InputError, ValueError)
    assert issubclass(InputTypeError, TypeError)
    assert issubclass(DivergenceError, ArithmeticError)


def test_callbacks_that_are_not_a_list_of_callbacks_are_refused_clearly():
    from glassnet.training import Trainer

    net = Network.from_sizes([2, 3, 1], seed=0)
    X, y = np.zeros((4, 2)), np.zeros(4)
    for bad in (5, "print", None):
        with pytest.raises(InputTypeError, match="callbacks must be a list"):
            net.fit(X, y, epochs=1, callbacks=bad)
    seen = []
    Trainer(net, X, y, callbacks=lambda epoch, logs: seen.append(epoch)).run(2)  # one function on its own
    assert seen == [0, 1]


# -- numbers too large for the dtype (issue 17) -------------------------------------------------------------
def test_a_cost_not_finite_before_any_step_blames_the_data_not_the_learning_rate(rng, unchanged):
    from glassnet.errors import NotFiniteCostError

    X = rng.normal(size=(20, 3))
    y = X.sum(axis=1, keepdims=True) * 1e30
    net = Network.from_sizes([3, 4, 1], activation="relu", output="identity", cost="mse", seed=0)
    # the reference, in float64: the starting weights' squared errors pass float32's largest number
    a = net.forward(X).astype(np.float64)
    assert np.mean((a - y) ** 2) > np.finfo(np.float32).max
    same = unchanged(net)
    with pytest.raises(NotFiniteCostError) as info:
        net.fit(X, y, epochs=3, learning_rate=1e-9)
    same()
    message = str(info.value)
    assert isinstance(info.value, DivergenceError) and isinstance(info.value, InputError)
    assert (info.value.epoch, info.value.batch) == (1, 1)
    for words in ("starting weights", "before any step", f"|y| = {np.abs(y).max():.3g}", "float32", "3.4e+38",
                  "Scale the targets", "float64"):
        assert words in message, words
    assert "Try a smaller learning rate" not in message and "1e-09" not in message


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # the training loop's own matmul
def test_inputs_that_overflow_before_any_step_are_named(rng):
    from glassnet.errors import NotFiniteCostError

    net = Network.from_sizes([3, 4, 1], activation="relu", output="identity", cost="mse", seed=0)
    net.params[...] = 1.0
    X = np.full((4, 3), 3e38)
    assert 3 * int(3e38) > int(np.finfo(np.float32).max)  # s = x1 + x2 + x3 + 1 of each hidden neuron overflows
    with pytest.raises(NotFiniteCostError, match=r"outputs overflow float32.*\|x\| = 3e\+38.*Scale the inputs"):
        net.fit(X, np.ones((4, 1)), epochs=1)


def test_a_saturated_sigmoid_output_of_overflowing_inputs_names_the_inputs_not_the_targets():
    from glassnet.errors import NotFiniteCostError

    net = Network.from_sizes([1, 1], output="sigmoid", cost="binary_cross_entropy", seed=0)
    net.layers[0].weights[...] = 1e30
    X = np.array([[1e10], [1.0]], np.float32)
    assert 1e10 * 1e30 > float(np.finfo(np.float32).max)  # s = inf, a = sigmoid(s) = 1: finite, the cost NaN
    with pytest.raises(NotFiniteCostError, match=r"outputs overflow float32.*\|x\| = 1e\+10.*Scale the inputs") as info:
        net.fit(X, np.array([[0.0], [1.0]]), epochs=1, batch_size=2)
    assert "squares" not in str(info.value) and "Scale the targets" not in str(info.value)


@pytest.mark.parametrize("dtype, big", [("float32", 3e38), ("float64", 1e308)])
def test_predict_refuses_outputs_that_overflow_and_names_the_rows(dtype, big):
    import warnings

    from glassnet.errors import NotFiniteOutputError

    net = Network.from_sizes([3, 4, 1], activation="relu", output="identity", cost="mse", seed=0, dtype=dtype)
    net.params[...] = 1.0
    X = np.ones((5, 3), dtype=dtype)
    X[1], X[3] = big, 0.7 * big
    # the reference, in exact integers: s = x1 + x2 + x3 + 1 passes the dtype's largest number
    assert 3 * int(0.7 * big) > int(np.finfo(dtype).max)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the refusal is in words, without numpy's overflow warnings
        with pytest.raises(NotFiniteOutputError) as info:
            net.predict(X)
    message = str(info.value)
    assert isinstance(info.value, InputError)
    for words in ("rows 1, 3 of X", dtype, f"{np.finfo(dtype).max:.3g}", f"|x| = {big:.3g}", "Scale the inputs"):
        assert words in message, words
    assert ("float64" in message.replace(dtype, "")) == (dtype == "float32")  # float32 is told of float64
    with pytest.raises(NotFiniteOutputError, match="for row 0 of X"):
        net.predict(X[1:2])
    good = net.predict(X[[0, 2, 4]])  # the finite rows on their own: 3 * 1 + 1 = 4 into the output, 4 * 4 + 1
    assert np.array_equal(good, np.full((3, 1), 17.0, dtype=dtype))


def test_predict_refuses_weights_that_are_not_finite(rng):
    from glassnet.errors import NotFiniteOutputError

    net = Network.from_sizes([2, 3, 2], activation="tanh", output="softmax", cost="cross_entropy", seed=0)
    net.layers[0].weights[0, 1] = np.nan
    X = rng.normal(size=(4, 2))
    for call in (net.predict, net.predict_classes):
        with pytest.raises(NotFiniteOutputError, match=r"weights are not finite \(1 of 17 .*Refit it"):
            call(X)


def test_save_and_load_of_none_say_what_a_path_is():
    import glassnet

    net = Network.from_sizes([2, 3, 1], seed=0)
    for call in (lambda: glassnet.save(net, None), lambda: net.save(None), lambda: glassnet.load(None)):
        with pytest.raises(InputTypeError, match="None: a path is a str or pathlib.Path"):
            call()


@pytest.mark.parametrize(("sizes", "what"), [(np.array([[2, 3, 1]]), "a 2-D array of shape (1, 3)"),
                                             ([[2, 3], [1]], "a list of lists"), (np.array(3), "a 0-D array")])
def test_from_sizes_of_a_table_says_it_must_be_a_flat_list(sizes, what):
    with pytest.raises(InputError) as info:
        Network.from_sizes(sizes)
    assert "sizes must be a flat list of widths" in str(info.value) and what in str(info.value)
    assert "at least two widths" not in str(info.value)
    assert Network.from_sizes(np.array([2, 3, 1])).sizes == [2, 3, 1]  # one row of widths is a list of widths
