"""Each activation's value against its closed form (scipy where it has one) and its slope against
central finite differences; numerical stability at extreme inputs; values and slopes within a few ulps of
mpmath over dense grids in float32 and float64; lookup by name."""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
from mp_reference import grid, reference, ulp_errors
from scipy import special

from glassnet import InputError, InputTypeError, NotTrainableError
from glassnet.activations import ACTIVATIONS, Activation, activation_names, get_activation

# closed forms written independently of glassnet
CLOSED_FORMS = {
    "identity": lambda s: s,
    "sigmoid": special.expit,
    "tanh": np.tanh,
    "relu": lambda s: np.where(s > 0, s, 0.0),
    "leaky_relu": lambda s: np.where(s > 0, s, 0.01 * s),
    "arctan": np.arctan,
    "softplus": lambda s: np.log1p(np.exp(s)),
    "step": lambda s: (s > 0).astype(float),
}
ELEMENTWISE_TRAINABLE = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "arctan", "softplus"]


@pytest.fixture
def s(rng):
    # moderate values, none within 1e-3 of the ReLU kink at 0 (finite differences would straddle it)
    values = rng.uniform(-6, 6, size=(7, 5))
    values[np.abs(values) < 1e-3] = 0.5
    return values


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
def test_value_matches_closed_form(name, s):
    f = get_activation(name)
    np.testing.assert_allclose(f.value(s), CLOSED_FORMS[name](s), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(f(s), CLOSED_FORMS[name](s), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE_TRAINABLE)
def test_slope_matches_finite_differences(name, s):
    f = get_activation(name)
    h = 1e-6
    numerical = (CLOSED_FORMS[name](s + h) - CLOSED_FORMS[name](s - h)) / (2 * h)
    np.testing.assert_allclose(f.slope(s, f.value(s)), numerical, rtol=1e-7, atol=1e-9)


def test_slopes_closed_forms(s):
    sig = special.expit(s)
    # f(s)(1 - f(s)) with 1 - f(s) = f(-s): written as sig * (1 - sig) the reference itself would cancel
    # (11 ulps off at s = 5.18), and the slope is more exact than that
    np.testing.assert_allclose(get_activation("sigmoid").slope(s, sig), sig * special.expit(-s), rtol=1e-14)
    tanh_slope = get_activation("tanh").slope(s, np.tanh(s))
    np.testing.assert_allclose(tanh_slope, 1 / np.cosh(s) ** 2, rtol=1e-10)  # 1 - a^2 cancels a little
    np.testing.assert_allclose(get_activation("arctan").slope(s, np.arctan(s)), 1 / (1 + s**2), rtol=1e-14)
    np.testing.assert_allclose(get_activation("softplus").slope(s, None), sig, rtol=1e-13)
    relu_slope = get_activation("relu").slope(np.array([-2.0, 0.0, 3.0]), None)
    assert relu_slope.tolist() == [0.0, 0.0, 1.0]  # the slope at the kink is taken as 0
    leaky = get_activation({"name": "leaky_relu", "alpha": 0.2})
    assert leaky.value(np.array([-2.0, 3.0])).tolist() == [-0.4, 3.0]
    assert leaky.slope(np.array([-2.0, 3.0]), None).tolist() == [0.2, 1.0]


@pytest.mark.parametrize("name", ELEMENTWISE_TRAINABLE + ["step"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_buffers_give_the_same_numbers_and_keep_dtype(name, dtype, s):
    f = get_activation(name)
    s = s.astype(dtype)
    expected = f.value(s)
    assert expected.dtype == dtype
    out = np.empty_like(s)
    assert f.value(s, out=out) is out
    np.testing.assert_array_equal(out, expected)
    in_place = s.copy()  # the training loop may reuse s's own buffer for a
    f.value(in_place, out=in_place)
    np.testing.assert_array_equal(in_place, expected)
    if f.trainable:
        slope = f.slope(s, expected)
        assert slope.dtype == dtype
        buffer = np.empty_like(s)
        assert f.slope(s, expected, out=buffer) is buffer
        np.testing.assert_array_equal(buffer, slope)


def test_sigmoid_is_stable_at_extremes():
    s = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    sigmoid = get_activation("sigmoid")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning may escape
        with np.errstate(all="raise"):
            a = sigmoid.value(s)
            slope = sigmoid.slope(s, a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(slope))
    assert a[0] == 0.0 and a[-1] == 1.0 and a[2] == 0.5
    np.testing.assert_allclose(a, special.expit(s), rtol=0, atol=1e-15)
    assert slope[0] == 0.0 and slope[-1] == 0.0 and slope[2] == 0.25
    a32 = sigmoid.value(s.astype(np.float32))
    assert a32.dtype == np.float32 and np.all(np.isfinite(a32))


def test_softplus_is_stable_at_extremes():
    s = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    softplus = get_activation("softplus")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            a = softplus.value(s)
            slope = softplus.slope(s, a)
    assert a[-1] == 1000.0  # ln(1 + e^1000) = 1000 + ln(1 + e^-1000)
    assert a[0] == 0.0 or a[0] < 1e-300
    np.testing.assert_allclose(a[1:4], [np.exp(-40.0), np.log(2.0), 40.0], rtol=1e-14)
    np.testing.assert_allclose(slope, special.expit(s), atol=1e-15)


def test_softmax_is_a_stable_row_wise_distribution(rng):
    softmax = get_activation("softmax")
    s = rng.normal(scale=3, size=(6, 4))
    a = softmax.value(s)
    np.testing.assert_allclose(a, special.softmax(s, axis=1), rtol=1e-13)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-14)
    big = np.array([[1000.0, 999.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(softmax.value(big), special.softmax(big, axis=1), rtol=1e-13)
    assert not softmax.elementwise
    with pytest.raises(NotTrainableError, match="cross_entropy"):
        softmax.slope(s, a)
    with pytest.raises(InputError, match="n_samples, n_outputs"):
        softmax.value(np.zeros(3))


def test_step_refuses_to_give_a_slope():
    step = get_activation("step")
    assert not step.trainable
    assert step.value(np.array([-1.0, 0.0, 2.0])).tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(NotTrainableError, match="zero everywhere"):
        step.slope(np.zeros(2), np.zeros(2))


def test_lookup_by_name_alias_dict_and_object():
    assert set(activation_names()) == set(ACTIVATIONS)
    for name in ACTIVATIONS:
        f = get_activation(name)
        assert isinstance(f, Activation) and f.name == name
        assert get_activation(f.config()) == f  # config round trip
        assert get_activation(name.upper()).name == name
    assert get_activation("logistic").name == "sigmoid"
    assert get_activation("linear").name == "identity"
    leaky = get_activation({"name": "leaky_relu", "alpha": 0.3})
    assert leaky.alpha == 0.3 and leaky.config() == {"name": "leaky_relu", "alpha": 0.3}
    assert leaky != get_activation("leaky_relu")
    assert get_activation(leaky) is leaky
    assert get_activation("relu").init == "he" and get_activation("tanh").init == "glorot"


def test_lookup_errors_name_the_choices():
    with pytest.raises(InputError) as info:
        get_activation("gelu")
    assert "gelu" in str(info.value) and all(name in str(info.value) for name in ACTIVATIONS)
    with pytest.raises(InputTypeError):
        get_activation(3.0)
    with pytest.raises(InputError, match="alpha"):
        get_activation({"name": "leaky_relu", "alpha": 1.5})
    with pytest.raises(InputError, match="bad settings"):
        get_activation({"name": "relu", "beta": 1})


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3,), (128, 256), (300, 300), (0, 4)])
def test_relu_equals_max_with_zero_for_any_shape(dtype, shape, rng):
    # ReLU compares with a shared buffer of zeros (grown past its first 65,536 entries by (300, 300)).
    s = rng.standard_normal(shape).astype(dtype)
    out = np.empty_like(s)
    expected = np.where(s > 0, s, 0).astype(dtype)
    relu = get_activation("relu")
    np.testing.assert_array_equal(relu.value(s), expected)
    np.testing.assert_array_equal(relu.value(s, out=out), expected)
    assert relu.value(s).dtype == dtype


def test_calling_an_activation_on_whole_numbers():
    s = [[1, 2, 3], [0, 0, 0]]
    for name in activation_names():
        np.testing.assert_allclose(get_activation(name)(s), get_activation(name)(np.array(s, dtype=float)))
    np.testing.assert_allclose(get_activation("softmax")(s), special.softmax(np.array(s, float), axis=1))


# -- precision across the whole range, against mpmath at 120 bits ---------------------------------------------
# The true value and slope of each activation at the (exact) float input, written from the definitions.
MP_FORMS = {
    "identity": (lambda s: s, lambda s: mpmath.mpf(1)),
    "sigmoid": (lambda s: 1 / (1 + mpmath.exp(-s)), lambda s: mpmath.exp(-s) / (1 + mpmath.exp(-s)) ** 2),
    "tanh": (mpmath.tanh, lambda s: mpmath.sech(s) ** 2),
    "relu": (lambda s: max(s, 0), lambda s: mpmath.mpf(s > 0)),
    "leaky_relu": (lambda s: s if s > 0 else s / 100, lambda s: mpmath.mpf(1) if s > 0 else mpmath.mpf(1) / 100),
    "arctan": (mpmath.atan, lambda s: 1 / (1 + s**2)),
    "softplus": (lambda s: mpmath.log1p(mpmath.exp(s)), lambda s: 1 / (1 + mpmath.exp(-s))),
}
# A few ulps: numpy's exp, tanh and cosh are within about 2.5-4 ulps in float32 (its vectorised loops) and 1-2
# in float64, and each formula adds a rounding or two. The float32 slope of tanh squares cosh(s), so its
# error doubles. Found on dense grids: at most 3.4 (sigmoid), 4.3 (its slope), 7.0 (tanh's float32 slope).
ULPS = {np.dtype(np.float32): 5.0, np.dtype(np.float64): 5.0}
ULPS_TANH_SLOPE_FLOAT32 = 8.0
# past exp's overflow in float32 (88.7) and float64 (709.8), where 1/(1 + e^-s) = 0 and the true value is
# subnormal, and the largest floats, where s^2 or cosh(s) overflow
EXTREMES = (87.3, 88.7, 88.8, 89.0, 103.3, 104.0, 708.4, 709.7, 709.8, 710.0, 745.2, 746.0, 1e4, 1e19, 1e30)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(MP_FORMS))
def test_values_and_slopes_are_within_a_few_ulps_everywhere(name, dtype):
    f = get_activation(name)
    s = grid(dtype, EXTREMES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning may escape, even at 1e30
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            a = f.value(s)
            slope = f.slope(s, a)
    assert a.dtype == dtype and slope.dtype == dtype
    value_form, slope_form = MP_FORMS[name]
    for what, result, form in (("value", a, value_form), ("slope", slope, slope_form)):
        ulps, normal = ulp_errors(result, reference(form, s), dtype)
        bound = ULPS[np.dtype(dtype)]
        if (name, what, dtype) == ("tanh", "slope", np.float32):
            bound = ULPS_TANH_SLOPE_FLOAT32
        worst = int(np.argmax(np.where(normal, ulps, 0)))
        assert ulps[normal].max() <= bound, f"{name} {what} is {ulps[worst]:.1f} ulps off at s = {s[worst]!r}"
        # where the truth is below the smallest normal float, the result is within one of it (0 or subnormal)
        assert np.all(ulps[~normal] <= 1), f"{name} {what} far off where the true value is subnormal"


def test_sigmoid_float32_tails_are_the_true_values():
    sigmoid = get_activation("sigmoid")
    s = np.array([-19.3137, -25.0, -30.0, -80.0, 20.0], dtype=np.float32)
    a = sigmoid.value(s)
    slope = sigmoid.slope(s, a)
    with mpmath.workprec(120):
        true = [1 / (1 + mpmath.exp(-mpmath.mpf(float(x)))) for x in s]
        true_slope = [t * (1 - t) for t in true]
    np.testing.assert_allclose(a, np.array(true, dtype=float), rtol=3e-7)
    np.testing.assert_allclose(slope, np.array(true_slope, dtype=float), rtol=5e-7)
    assert a[0] == pytest.approx(4.09417746e-09, rel=1e-6)  # (1 + tanh(s/2)) / 2 gave 2.98e-08
    assert a[2] == pytest.approx(9.3576229e-14, rel=1e-6)  # and 0 for s <= -25
    assert slope[-1] == pytest.approx(2.0611537e-09, rel=1e-6)  # a (1 - a) gives 0 where a rounds to 1


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_softmax_is_within_a_few_ulps_for_mixed_scales(dtype, rng):
    softmax = get_activation("softmax")
    limit = 80 if dtype == np.float32 else 700  # the spread of one row, below exp's underflow
    scales = rng.choice([1e-3, 1.0, 10.0, limit / 4, limit], size=(400, 1))
    s = (rng.normal(size=(400, 5)) * scales).astype(dtype)
    s[:10] = [17.3, 0.0123, -5.0, 1e-20, 3.0]  # d = s - max rounds: e^d is then 8 float32 ulps off
    s[10:20] = [limit, -limit / 20, 1e-3, limit - 0.7, 0.0]
    a = softmax.value(s)

    def row_softmax(*row):
        top = max(row)
        total = sum(mpmath.exp(x - top) for x in row)
        return [mpmath.exp(x - top) / total for x in row]

    with mpmath.workprec(120):
        exact = [p for row in s for p in row_softmax(*(mpmath.mpf(float(x)) for x in row))]
    ulps, normal = ulp_errors(a, exact, dtype)
    assert ulps[normal].max() <= ULPS[np.dtype(dtype)]
    assert np.all(ulps[~normal] <= 1)
    in_place = s.copy()
    np.testing.assert_array_equal(softmax.value(in_place, out=in_place), a)


def test_quiet_errors_lets_the_intended_overflow_pass_once_for_many_calls():
    # Inside quiet_errors() (the fit loop opens one per epoch) the slopes open no errstate of their own, yet
    # give the same numbers and let no warning escape; outside, numpy's settings are as they were.
    from glassnet.activations import quiet_errors

    s = np.array([-1e30, -100.0, -45.0, 0.0, 3.0, 90.0, 1e30], dtype=np.float32)
    tanh, sigmoid, arctan = get_activation("tanh"), get_activation("sigmoid"), get_activation("arctan")
    before = np.geterr()
    outside = [tanh.slope(s, np.tanh(s)), sigmoid.value(s), arctan.slope(s, np.arctan(s))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with quiet_errors():
            inside = [tanh.slope(s, np.tanh(s)), sigmoid.value(s), arctan.slope(s, np.arctan(s))]
            assert np.geterr()["over"] == "ignore"
    for a, b in zip(inside, outside, strict=True):
        np.testing.assert_array_equal(a, b)
    assert inside[0][0] == 0.0 and inside[0][3] == 1.0  # 1 / cosh(s)^2: 0 where cosh^2 overflows, 1 at 0
    assert np.geterr() == before
    with pytest.raises(ZeroDivisionError), quiet_errors():
        raise ZeroDivisionError  # an exception inside leaves numpy's settings, and the flag, as they were
    assert np.geterr() == before
    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        np.exp(np.float32(100.0))  # outside, numpy's settings hold again ...
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(tanh.slope(s, np.tanh(s)), outside[0])  # ... and the slope quiets its own
