"""Each cost's value against a direct formula and scikit-learn; output errors (BP1) against finite
differences; each sample's cross-entropy within a few ulps of mpmath, confident outputs included; targets
prepared and checked."""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
from mp_reference import grid, reference, ulp_errors
from scipy import special
from sklearn.metrics import log_loss, mean_squared_error

from glassnet import InputError, InputTypeError
from glassnet.activations import get_activation
from glassnet.costs import COSTS, get_cost


def test_mse_is_the_mean_over_samples_and_outputs(rng):
    a, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 3))
    mse = get_cost("mse")
    direct = sum((a[i, j] - y[i, j]) ** 2 for i in range(8) for j in range(3)) / 24
    assert mse.value(a, a, y) == pytest.approx(direct, rel=1e-14)
    assert mse.value(a, a, y) == pytest.approx(mean_squared_error(y, a), rel=1e-14)


def test_binary_cross_entropy_matches_direct_formula_and_log_loss(rng):
    bce = get_cost("binary_cross_entropy")
    s = rng.normal(scale=2, size=(10, 1))
    a = special.expit(s)
    y = rng.integers(0, 2, size=(10, 1)).astype(float)
    direct = -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a))
    assert bce.value(s, a, y) == pytest.approx(direct, rel=1e-12)
    assert bce.value(s, a, y) == pytest.approx(log_loss(y[:, 0], a[:, 0], labels=[0, 1]), rel=1e-12)
    # several outputs: summed over the outputs (each a yes/no question), averaged over the samples
    s3 = rng.normal(size=(10, 3))
    y3 = rng.uniform(size=(10, 3))  # soft targets are allowed
    a3 = special.expit(s3)
    direct3 = -np.sum(y3 * np.log(a3) + (1 - y3) * np.log(1 - a3)) / 10
    assert bce.value(s3, a3, y3) == pytest.approx(direct3, rel=1e-12)


def test_cross_entropy_matches_direct_formula_and_log_loss(rng):
    ce = get_cost("cross_entropy")
    s = rng.normal(scale=2, size=(12, 4))
    a = special.softmax(s, axis=1)
    labels = rng.integers(0, 4, size=12)
    y = np.eye(4)[labels]
    direct = -np.mean(np.log(a[np.arange(12), labels]))
    assert ce.value(s, a, y) == pytest.approx(direct, rel=1e-12)
    assert ce.value(s, a, y) == pytest.approx(log_loss(labels, a, labels=[0, 1, 2, 3]), rel=1e-12)


def test_cross_entropy_with_tied_largest_logits_and_a_strided_batch(rng):
    # ln softmax leaves the first largest logit of a row out of its sum; ties and a batch that is a view with
    # strides (a column slice) must give the float64 reference, scipy's log_softmax
    ce = get_cost("cross_entropy")
    wide = rng.normal(scale=3, size=(9, 10))
    s = wide[:, ::2]  # 9 x 5, not contiguous
    s[0] = [2.0, 2.0, 2.0, -1.0, 0.5]
    s[1] = [0.0, -0.0, -3.0, 0.0, -1.0]
    s[2] = [-1.0, 4.0, 4.0, 4.0, 4.0]
    labels = rng.integers(0, 5, size=9)
    y = np.eye(5)[labels]
    direct = -np.mean(special.log_softmax(s, axis=1)[np.arange(9), labels])
    assert ce.value(s, special.softmax(s, axis=1), y) == pytest.approx(direct, rel=1e-14)
    assert ce.value(np.ascontiguousarray(s), None, y) == ce.value(s, None, y)
    assert ce.accuracy(s, y) == np.mean(np.argmax(s, axis=1) == labels)


def test_accuracy_is_the_fraction_right_as_a_python_float():
    ce, bce = get_cost("cross_entropy"), get_cost("binary_cross_entropy")
    a = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]], dtype=np.float32)
    y = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    assert ce.accuracy(a, y) == 2 / 3 and type(ce.accuracy(a, y)) is float  # the tie: the first is the class
    assert bce.accuracy(a[:, :1], y[:, :1]) == 1 / 3 and type(bce.accuracy(a[:, :1], y[:, :1])) is float
    assert np.isnan(ce.accuracy(a[:0], y[:0])) and np.isnan(bce.accuracy(a[:0], y[:0]))


def test_cross_entropies_stay_finite_when_confident():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = np.array([[800.0], [-800.0]])
        a = get_activation("sigmoid").value(s)  # rounds to exactly 1 and 0
        bce = get_cost("binary_cross_entropy").value(s, a, np.array([[0.0], [1.0]]))
        assert bce == pytest.approx(800.0, rel=1e-12)  # ln(1 + e^800) ~ 800 per sample
        s2 = np.array([[900.0, 0.0, -900.0]])
        a2 = get_activation("softmax").value(s2)
        assert get_cost("cross_entropy").value(s2, a2, np.array([[0.0, 0.0, 1.0]])) == pytest.approx(1800.0)


def _numerical_delta(cost, activation, s, y, h=1e-6):
    """dJ/ds by central differences, one s at a time."""
    delta = np.empty_like(s)
    for index in np.ndindex(s.shape):
        up, down = s.copy(), s.copy()
        up[index] += h
        down[index] -= h
        j_up = cost.value(up, activation.value(up), y)
        j_down = cost.value(down, activation.value(down), y)
        delta[index] = (j_up - j_down) / (2 * h)
    return delta


@pytest.mark.parametrize(
    ("cost_name", "activation_name", "targets"),
    [
        ("mse", "identity", "real"),
        ("mse", "sigmoid", "real"),
        ("mse", "tanh", "real"),
        ("binary_cross_entropy", "sigmoid", "probability"),
        ("cross_entropy", "softmax", "one_hot"),
    ],
)
def test_output_delta_is_dJ_ds(cost_name, activation_name, targets, rng):
    cost, activation = get_cost(cost_name), get_activation(activation_name)
    s = rng.normal(size=(5, 3))
    y = {
        "real": rng.normal(size=(5, 3)),
        "probability": rng.uniform(size=(5, 3)),
        "one_hot": np.eye(3)[rng.integers(0, 3, size=5)],
    }[targets]
    a = activation.value(s)
    delta = cost.output_delta(s, a, y, activation)
    np.testing.assert_allclose(delta, _numerical_delta(cost, activation, s, y), rtol=1e-6, atol=1e-10)
    if cost.fused_with:  # fused: (a - y) / n
        np.testing.assert_allclose(delta, (a - y) / 5, rtol=1e-14)
        # the unfused route (dJ/da times the slope) gives the same for the sigmoid
        if activation.elementwise:
            np.testing.assert_allclose(cost.gradient(a, y) * activation.slope(s, a), delta, rtol=1e-10)
    else:  # mse: 2 (a - y) / (n k) * f'(s)
        np.testing.assert_allclose(delta, 2 * (a - y) / 15 * activation.slope(s, a), rtol=1e-14)


def test_cost_gradient_is_dJ_da(rng):
    a, y = rng.uniform(0.1, 0.9, size=(4, 2)), rng.uniform(size=(4, 2))
    for name in ("mse", "binary_cross_entropy"):
        cost = get_cost(name)
        # value() takes s for the cross-entropy; express J through a via the logit s = ln(a / (1 - a))
        def J(a_, cost=cost):
            return cost.value(special.logit(a_), a_, y)

        numerical = np.empty_like(a)
        for index in np.ndindex(a.shape):
            up, down = a.copy(), a.copy()
            up[index] += 1e-7
            down[index] -= 1e-7
            numerical[index] = (J(up) - J(down)) / 2e-7
        np.testing.assert_allclose(cost.gradient(a, y), numerical, rtol=1e-6)


def test_prepare_targets():
    mse = get_cost("mse")
    assert mse.prepare_targets(np.arange(4.0), 1).shape == (4, 1)
    with pytest.raises(InputError, match="2 output"):
        mse.prepare_targets(np.arange(4.0), 2)
    ce = get_cost("cross_entropy")
    labels = np.array([2, 0, 1, 2])
    np.testing.assert_array_equal(ce.prepare_targets(labels, 3), np.eye(3)[labels])
    np.testing.assert_array_equal(ce.prepare_targets(labels.reshape(-1, 1), 3), np.eye(3)[labels])
    np.testing.assert_array_equal(ce.prepare_targets(labels.astype(float), 3), np.eye(3)[labels])
    one_hot = np.eye(3)[labels]
    assert ce.prepare_targets(one_hot, 3) is one_hot
    with pytest.raises(InputError, match="0..2"):
        ce.prepare_targets(np.array([0, 3]), 3)
    with pytest.raises(InputError, match="0..2"):
        ce.prepare_targets(np.array([0, -1]), 3)
    with pytest.raises(InputError, match="fractions"):
        ce.prepare_targets(np.array([0.5, 1.0]), 3)
    with pytest.raises(InputError, match="sum to 1"):
        ce.prepare_targets(np.array([[0.5, 0.2, 0.1]]), 3)
    bce = get_cost("binary_cross_entropy")
    assert bce.prepare_targets(np.array([0.0, 1.0, 0.25]), 1).shape == (3, 1)
    with pytest.raises(InputError, match="between 0 and 1"):
        bce.prepare_targets(np.array([0.0, 2.0]), 1)


def test_accuracy_and_classes():
    bce, ce, mse = get_cost("binary_cross_entropy"), get_cost("cross_entropy"), get_cost("mse")
    a = np.array([[0.9], [0.2], [0.6], [0.4]])
    y = np.array([[1.0], [0.0], [0.0], [0.0]])
    assert bce.accuracy(a, y) == 0.75
    assert bce.classes(a).tolist() == [1, 0, 1, 0]
    probs = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
    assert ce.classes(probs).tolist() == [1, 0]
    assert ce.accuracy(probs, np.eye(3)[[1, 2]]) == 0.5
    assert mse.accuracy(a, y) is None
    with pytest.raises(InputError, match="regression"):
        mse.classes(a)
    assert ce.is_classification and bce.is_classification and not mse.is_classification


def test_lookup():
    for name in COSTS:
        assert get_cost(name).name == name
    assert get_cost("log_loss").name == "binary_cross_entropy"
    assert get_cost("categorical_cross_entropy").name == "cross_entropy"
    assert get_cost("MSE").name == "mse"
    cost = get_cost("mse")
    assert get_cost(cost) is cost
    with pytest.raises(InputError) as info:
        get_cost("hinge")
    assert all(name in str(info.value) for name in COSTS)
    with pytest.raises(InputTypeError):
        get_cost(1)


# -- precision for confident outputs, against mpmath at 120 bits ----------------------------------------------
ULPS = 5.0  # exp and log1p within about 2.5 ulps (float32's vectorised loops), plus two roundings


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("target", [0.0, 1.0, 0.25, 0.9])
def test_binary_cross_entropy_is_within_a_few_ulps_everywhere(target, dtype):
    bce = get_cost("binary_cross_entropy")
    s = grid(dtype, (20.0, 30.0, 88.7, 104.0, 709.8, 746.0, 1e4)).reshape(-1, 1)
    y = np.full_like(s, target)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            costs = bce.sample_costs(s, None, y)
    assert costs.dtype == dtype

    def definition(s_, y_):  # -[y ln a + (1 - y) ln(1 - a)], with ln a = -ln(1 + e^-s), ln(1 - a) = -ln(1 + e^s)
        return y_ * mpmath.log1p(mpmath.exp(-s_)) + (1 - y_) * mpmath.log1p(mpmath.exp(s_))

    ulps, normal = ulp_errors(costs, reference(definition, s, y), dtype)
    worst = int(np.argmax(np.where(normal, ulps, 0)))
    assert ulps[normal].max() <= ULPS, f"{ulps[worst]:.1f} ulps off at s = {s[worst, 0]!r}, y = {target}"
    assert np.all(ulps[~normal] <= 1)


def test_binary_cross_entropy_of_confident_right_answers():
    bce = get_cost("binary_cross_entropy")
    with mpmath.workprec(120):
        exact = [float(mpmath.log1p(mpmath.exp(-x))) for x in (30, 30, 50)]  # -ln a for y = 1, -ln(1 - a) for y = 0
    for dtype in (np.float32, np.float64):
        s = np.array([[30.0], [-30.0], [50.0]], dtype=dtype)
        y = np.array([[1.0], [0.0], [1.0]], dtype=dtype)
        # logaddexp(0, s) - y s gave 0 in float32 (and 3.6e-15, 26 times too much, in float64)
        rtol = 1e-6 if dtype == np.float32 else 1e-14
        np.testing.assert_allclose(bce.sample_costs(s, None, y), exact, rtol=rtol)
        assert bce.value(s, None, y) == pytest.approx(sum(exact) / 3, rel=rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_cross_entropy_is_within_a_few_ulps_for_confident_outputs(dtype, rng):
    ce = get_cost("cross_entropy")
    limit = 80 if dtype == np.float32 else 700
    scales = rng.choice([1e-3, 1.0, 10.0, limit / 4, limit], size=(300, 1))
    s = (rng.normal(size=(300, 4)) * scales).astype(dtype)
    s[:10] = [20.0, 0.0, -3.0, 1.5]  # -ln p = ln(1 + e^-20 + ...) = 2.1e-9: rounded to 0 before
    s[10:20] = [1e4, 0.0, -1e4, 5.0]
    y = np.eye(4, dtype=dtype)[np.r_[np.zeros(20, dtype=int), rng.integers(0, 4, size=280)]]
    costs = ce.sample_costs(s, None, y)

    def minus_log_p(*row_and_label):  # -ln(e^{s_j} / sum_k e^{s_k}) = ln(1 + sum_{k != j} e^{s_k - s_j})
        *row, label = row_and_label
        j = int(label)
        return mpmath.log1p(sum(mpmath.exp(x - row[j]) for k, x in enumerate(row) if k != j))

    labels = y.argmax(axis=1).astype(np.float64)
    ulps, normal = ulp_errors(costs, reference(minus_log_p, *s.T, labels), dtype)
    assert ulps[normal].max() <= ULPS
    assert np.all(ulps[~normal] <= 1)
    assert costs[0] == pytest.approx(2.0611537e-09 + np.exp(-23.0) + np.exp(-18.5), rel=1e-5)


def test_fused_output_deltas_are_still_a_minus_y():
    for cost_name, activation_name in (("binary_cross_entropy", "sigmoid"), ("cross_entropy", "softmax")):
        cost, activation = get_cost(cost_name), get_activation(activation_name)
        for dtype in (np.float32, np.float64):
            s = np.array([[40.0, -3.0], [-40.0, 0.5], [0.0, 2.0]], dtype=dtype)
            a = activation.value(s)
            y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], dtype=dtype)
            delta = cost.output_delta(s, a, y, activation)
            assert delta.dtype == dtype
            np.testing.assert_array_equal(delta, (a - y) * dtype(1 / 3))
