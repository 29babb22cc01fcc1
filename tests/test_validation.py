"""The one validation module: numbers, choices, dtypes and one-hot rows, checked by every entry point."""

import numpy as np
import pytest

from glassnet import Network
from glassnet.errors import InputError, InputTypeError
from glassnet.validation import check_choice, check_float_dtype, check_number, one_hot_rows


@pytest.mark.parametrize(
    ("kwargs", "value", "expected"),
    [({}, 2.5, 2.5), ({"integer": True}, 3, 3), ({"low": 0, "high": 1}, 1, 1.0), ({"low": 0}, 0, 0.0),
     ({"integer": True, "low": 1}, np.int64(7), 7), ({"allow_none": True}, None, None)],
)
def test_check_number_accepts_and_converts(kwargs, value, expected):
    out = check_number("x", value, **kwargs)
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize(
    ("kwargs", "value", "error", "words"),
    [
        ({}, "3", InputTypeError, "x must be a number, got str '3'"),
        ({}, True, InputTypeError, "x must be a number, got True"),
        ({"integer": True}, 2.5, InputTypeError, "x must be a whole number, got 2.5"),
        ({}, float("nan"), InputError, "x must be a number, got nan"),
        ({}, float("inf"), InputError, "x must be a finite number, got inf"),
        ({"low": 0, "low_open": True}, 0, InputError, "x must be a finite number greater than 0, got 0"),
        ({"low": 0, "high": 1, "high_open": True}, 1.0, InputError, "at least 0 and below 1, got 1.0"),
        ({"integer": True, "low": 1, "high": 9}, 10, InputError, "x must be at least 1 and at most 9, got 10"),
        ({}, None, InputTypeError, "x must be a number, got None"),
    ],
)
def test_check_number_refuses_with_the_range(kwargs, value, error, words):
    with pytest.raises(error) as info:
        check_number("x", value, **kwargs)
    assert words in str(info.value)


def test_a_huge_whole_number_is_refused_briefly_not_with_an_overflow():
    huge = 10**4000
    with pytest.raises(InputError) as info:
        check_number("seed", huge, integer=True, low=0, high=2**32 - 1)
    assert "at most 4.29497e+09" in str(info.value) and len(str(info.value)) < 120


def test_check_choice_and_float_dtype():
    assert check_choice("cost", "mse", ("mse", "cross_entropy")) == "mse"
    with pytest.raises(InputError, match="cost must be one of 'mse', 'cross_entropy'; got 'hinge'"):
        check_choice("cost", "hinge", ("mse", "cross_entropy"))
    assert check_float_dtype("float64") == np.float64 and check_float_dtype(np.float32) == np.float32
    for bad in ("float16", "int32", "nonsense", object):
        with pytest.raises(InputError, match="dtype must be 'float32' or 'float64'"):
            check_float_dtype(bad)


def test_one_hot_rows_against_identity_rows():
    labels = np.array([2, 0, 1, 2])
    out = one_hot_rows(labels, 4, np.float32)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(4, dtype=np.float32)[labels])


def test_evaluate_against_a_plain_numpy_forward_pass():
    net = Network.from_sizes([3, 4, 2], activation="tanh", output="softmax", cost="cross_entropy",
                             seed=1, dtype="float64")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 3))
    y = np.array([0, 1, 1, 0, 1, 0, 0])
    w = rng.uniform(0.5, 2, size=7)
    # the reference: the maths written out with numpy, not the engine's layers
    (W1, b1), (W2, b2) = [(layer.weights, layer.bias) for layer in net.layers]
    s2 = np.tanh(X @ W1 + b1) @ W2 + b2
    p = np.exp(s2 - s2.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    sample_costs = -np.log(p[np.arange(7), y])
    result = net.evaluate(X, y, sample_weight=w)
    np.testing.assert_allclose(result.outputs, p, rtol=1e-12)
    assert result.cost == pytest.approx(np.dot(w, sample_costs) / w.sum(), rel=1e-12)
    assert result.accuracy == pytest.approx(np.mean(p.argmax(axis=1) == y))
    outputs, cost, accuracy = net.evaluate(X)
    np.testing.assert_allclose(outputs, p, rtol=1e-12)
    assert np.isnan(cost) and accuracy is None
    with pytest.raises(InputError, match="columns"):
        net.evaluate(X[:, :2], y)


# -- finite numbers too large for the network's dtype are named as such, not as missing values -------------
F32_MAX = 3.4028234663852886e38  # float32's largest number, (2 - 2**-23) * 2**127, written out


def test_the_written_out_float32_maximum_is_float32s():
    assert F32_MAX == (2 - 2.0**-23) * 2.0**127


@pytest.mark.parametrize("big", [1e39, -3.5e38, 1e300])
def test_a_float64_input_beyond_float32_is_named_without_a_warning(big):
    import warnings

    from glassnet.validation import check_X

    X = np.zeros((5, 3))
    X[3, 1] = big
    assert abs(big) > F32_MAX
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "overflow encountered in cast"
        with pytest.raises(InputError) as info:
            check_X(X, 3, np.dtype(np.float32))
    message = str(info.value)
    for words in (f"X holds {big:.3g} at index (3, 1)", "a finite number", "beyond float32's largest number",
                  "3.4e+38", "Scale X", "dtype='float64'"):
        assert words in message, words
    assert "infinite value" not in message and "impute" not in message
    assert check_X(X, 3, np.dtype(np.float64)).dtype == np.float64  # float64 holds it


def test_float32s_largest_number_itself_passes_and_nan_and_inf_keep_their_names():
    from glassnet.validation import check_X

    X = np.full((2, 2), F32_MAX)
    assert np.all(check_X(X, 2, np.dtype(np.float32)) == np.float32(F32_MAX))
    for value, words in ((np.nan, r"contains NaN at index \(1, 0\)"), (np.inf, "contains an infinite value")):
        X[1, 0] = value
        with pytest.raises(InputError, match=words):
            check_X(X, 2, np.dtype(np.float32))


@pytest.mark.parametrize("call", ["fit", "cost", "gradients"])
def test_targets_beyond_float32_are_refused_before_the_cast_without_a_warning(call):
    import warnings

    net = Network.from_sizes([3, 4, 2], activation="tanh", cost="mse", seed=0)
    X, Y = np.zeros((6, 3)), np.zeros((6, 2))
    Y[2, 1] = 1e40
    weights = net.params.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match=r"Y holds 1e\+40 at index \(2, 1\): a finite number, but beyond "
                                             r"float32's largest number \(3\.4e\+38\).*dtype='float64'"):
            {"fit": lambda: net.fit(X, Y, 1), "cost": lambda: net.cost(X, Y),
             "gradients": lambda: net.gradients(X, Y)}[call]()
    assert np.array_equal(net.params, weights)
    wide = Network.from_sizes([3, 4, 2], activation="tanh", cost="mse", seed=0, dtype="float64")
    assert wide.cost(X, Y) == pytest.approx(1e80 / 12, rel=1e-9)  # float64 holds (1e40)^2 over 6 rows x 2 outputs


def test_sample_weight_of_text_or_beyond_the_dtype_is_named():
    from glassnet.validation import check_sample_weight

    with pytest.raises(InputTypeError, match=r"sample_weight must hold numbers, one weight >= 0 per sample.*'a'"
                                             r".*np\.ones\(3\)"):
        check_sample_weight(["a", "b", "c"], 3)
    with pytest.raises(InputError, match="sample_weight holds 1e\\+39 at index 1: a finite number, but beyond"):
        check_sample_weight([1.0, 1e39, 1.0], 3, np.dtype(np.float32))
    np.testing.assert_array_equal(check_sample_weight(2, 3), [2, 2, 2])
