"""Optimizers against hand-written reference updates, step by step; learning-rate schedules' values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from glassnet import SGD, Adam, Constant, Cosine, ExponentialDecay, InputError, InputTypeError, StepDecay
from glassnet.optimizers import get_optimizer, get_schedule

STEPS = 5


@pytest.fixture
def start_and_grads(rng):
    return rng.normal(size=6), [rng.normal(size=6) for _ in range(STEPS)]


def run(optimizer, start, grads):
    params = start.copy()
    trail = []
    for g in grads:
        optimizer.step(params, g.copy())
        trail.append(params.copy())
    return trail


def test_plain_sgd(start_and_grads):
    start, grads = start_and_grads
    w, expected = start.copy(), []
    for g in grads:
        w = w - 0.3 * g  # w <- w - learning_rate * dJ/dw
        expected.append(w)
    np.testing.assert_allclose(run(SGD(0.3), start, grads), expected, rtol=1e-14)


def test_momentum(start_and_grads):
    start, grads = start_and_grads
    w, v, expected = start.copy(), np.zeros(6), []
    for g in grads:
        v = 0.9 * v - 0.1 * g
        w = w + v
        expected.append(w)
    np.testing.assert_allclose(run(SGD(0.1, momentum=0.9), start, grads), expected, rtol=1e-13)


def test_nesterov_as_documented(start_and_grads):
    # the docstring: v = momentum v - lr g; params += momentum v - lr g
    start, grads = start_and_grads
    w, v, expected = start.copy(), np.zeros(6), []
    for g in grads:
        v = 0.8 * v - 0.05 * g
        w = w + 0.8 * v - 0.05 * g
        expected.append(w)
    trail = run(SGD(0.05, momentum=0.8, nesterov=True), start, grads)
    np.testing.assert_allclose(trail, expected, rtol=1e-13)


def test_nesterov_equals_the_look_ahead_gradient_on_a_quadratic():
    # Nesterov's idea: take the gradient at the looked-ahead point. On J = 1/2 c w^2 (gradient c w) the
    # reformulated update above must trace the same path as the classic form in its own variables.
    c, lr, mu = 3.0, 0.1, 0.9
    theta, v_classic = np.array([1.0]), np.array([0.0])
    optimizer, w = SGD(lr, momentum=mu, nesterov=True), np.array([1.0])
    for _ in range(10):
        v_classic = mu * v_classic - lr * c * (theta + mu * v_classic)  # gradient at theta + mu v
        theta = theta + v_classic
        optimizer.step(w, c * w)
        # the reformulated parameters are the classic ones shifted by the look-ahead mu v
        assert w[0] == pytest.approx(theta[0] + mu * v_classic[0], rel=1e-12, abs=1e-15)


def test_adam_against_the_textbook_formula(start_and_grads):
    start, grads = start_and_grads
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    w, m, v, expected = start.copy(), np.zeros(6), np.zeros(6), []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        expected.append(w)
    np.testing.assert_allclose(run(Adam(lr), start, grads), expected, rtol=1e-12)
    # the first step is lr * sign(g) (up to eps): Adam's bias correction at work
    first = run(Adam(0.01), start, grads[:1])[0]
    np.testing.assert_allclose(start - first, 0.01 * np.sign(grads[0]), rtol=1e-6)


def test_adam_with_a_large_eps_still_matches(start_and_grads):
    # eps matters when gradients are tiny; the folded form must keep eps where the textbook puts it
    start, grads = start_and_grads
    grads = [g * 1e-4 for g in grads]
    lr, b1, b2, eps = 0.1, 0.5, 0.9, 1e-3
    w, m, v, expected = start.copy(), np.zeros(6), np.zeros(6), []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        expected.append(w)
    np.testing.assert_allclose(run(Adam(lr, beta1=b1, beta2=b2, eps=eps), start, grads), expected, rtol=1e-12)


def test_optimizers_keep_float32(start_and_grads):
    start, grads = start_and_grads
    for optimizer in (SGD(0.1), SGD(0.1, momentum=0.5), Adam(0.1)):
        params = start.astype(np.float32)
        optimizer.step(params, grads[0].astype(np.float32))
        assert params.dtype == np.float32


def test_state_round_trip_continues_identically(start_and_grads):
    start, grads = start_and_grads
    for make in (lambda: SGD(0.1, momentum=0.9), lambda: Adam(0.05)):
        reference = run(make(), start, grads)
        first = make()
        params = start.copy()
        for g in grads[:2]:
            first.step(params, g)
        resumed = make()
        resumed.load_state({k: np.array(v) for k, v in first.state().items()})
        for g in grads[2:]:
            resumed.step(params, g)
        np.testing.assert_array_equal(params, reference[-1])
        assert resumed.iterations == STEPS


def test_schedules():
    assert [Constant(0.3)(e) for e in (0, 5, 100)] == [0.3, 0.3, 0.3]
    step = StepDecay(0.8, factor=0.5, every=3)
    assert [step(e) for e in range(7)] == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2]
    cosine = Cosine(1.0, epochs=4, min_learning_rate=0.2)
    expected = [0.2 + 0.8 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(5)]
    assert [cosine(e) for e in range(5)] == pytest.approx(expected, rel=1e-15)
    assert cosine(0) == 1.0 and cosine(2) == pytest.approx(0.6) and cosine(4) == pytest.approx(0.2)
    assert cosine(10) == pytest.approx(0.2)
    exponential = ExponentialDecay(0.5, decay=0.9)
    assert [exponential(e) for e in range(3)] == pytest.approx([0.5, 0.45, 0.405], rel=1e-15)
    for schedule in (step, cosine, exponential):
        assert get_schedule(schedule.config()).config() == schedule.config()
    assert isinstance(get_schedule(0.2), Constant)


def test_optimizer_follows_its_schedule_per_epoch():
    optimizer = SGD(StepDecay(1.0, factor=0.1, every=2))
    rates = []
    for epoch in range(5):
        optimizer.start_epoch(epoch)
        rates.append(optimizer.learning_rate)
    assert rates == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01])
    params = np.zeros(2)
    optimizer.step(params, np.ones(2))
    np.testing.assert_allclose(params, [-0.01, -0.01])


def test_get_optimizer_and_defaults():
    assert get_optimizer("sgd").learning_rate == 0.1
    assert get_optimizer("ADAM").learning_rate == 0.001
    assert get_optimizer("adam", 0.02).learning_rate == 0.02
    mine = SGD(0.5, momentum=0.9)
    assert get_optimizer(mine) is mine and mine.learning_rate == 0.5
    assert get_optimizer(mine, 0.2).learning_rate == 0.2
    assert Adam().config()["beta2"] == 0.999


@pytest.mark.parametrize(
    ("make", "error", "word"),
    [
        (lambda: SGD(0), InputError, "learning_rate"),
        (lambda: SGD(-1), InputError, "learning_rate"),
        (lambda: SGD(0.1, momentum=1.0), InputError, "momentum"),
        (lambda: SGD(0.1, nesterov=True), InputError, "momentum"),
        (lambda: Adam(0.1, beta1=1.2), InputError, "beta1"),
        (lambda: Adam(0.1, eps=0), InputError, "eps"),
        (lambda: StepDecay(0.1, every=0), InputError, "every"),
        (lambda: Cosine(0.1, epochs=10, min_learning_rate=0.5), InputError, "min_learning_rate"),
        (lambda: get_schedule({"name": "warmup"}), InputError, "cosine"),
        (lambda: get_schedule({"name": "cosine", "learning_rate": 0.1}), InputTypeError, "cosine.*epochs"),
        (lambda: get_schedule({"name": "step", "learning_rate": 0.1, "gamma": 2}), InputTypeError, "gamma"),
        (lambda: get_optimizer("lbfgs"), InputError, "sgd, adam"),
        (lambda: get_optimizer(None), InputTypeError, "optimizer"),
    ],
)
def test_bad_settings(make, error, word):
    with pytest.raises(error, match=word):
        make()


# -- the file form: config and state out, the same optimizer back ------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: SGD(StepDecay(0.2, factor=0.5, every=2), momentum=0.9, nesterov=True),
    lambda: SGD(0.05),
    lambda: Adam(Cosine(0.01, epochs=4, min_learning_rate=0.001), beta1=0.8, beta2=0.99, eps=1e-7),
])
def test_an_optimizer_rebuilt_from_its_config_and_state_steps_as_the_original(make, start_and_grads):
    import json

    from glassnet.optimizers import optimizer_from_config

    start, grads = start_and_grads
    original = make()
    params = start.copy()
    for epoch, g in enumerate(grads[:3]):
        original.start_epoch(epoch)
        original.step(params, g.copy())
    config = json.loads(json.dumps(original.config()))  # through JSON, as a file holds it
    rebuilt = optimizer_from_config(config)
    assert type(rebuilt) is type(original) and rebuilt.config() == original.config()
    state = {key: np.array(value) for key, value in original.state().items()}
    rebuilt.check_state(state, like=params)
    rebuilt.load_state(state)
    twin = params.copy()
    for epoch, g in enumerate(grads[3:], start=3):  # the original, carrying on, is the reference
        original.start_epoch(epoch)
        rebuilt.start_epoch(epoch)
        original.step(params, g.copy())
        rebuilt.step(twin, g.copy())
    assert np.array_equal(twin, params)


def test_optimizer_from_config_and_check_state_refuse_what_they_cannot_use():
    from glassnet.optimizers import optimizer_from_config

    with pytest.raises(InputError, match="unknown optimizer"):
        optimizer_from_config({"name": "lbfgs", "learning_rate": 0.1})
    with pytest.raises(InputTypeError, match="learning_rate"):
        optimizer_from_config({"name": "sgd", "learning_rate": "fast"})
    with pytest.raises(InputTypeError, match="sgd"):
        optimizer_from_config({"name": "sgd", "learning_rate": 0.1, "speed": 2})
    with pytest.raises(InputError, match="schedule"):
        optimizer_from_config({"name": "adam", "learning_rate": {"name": "sometimes"}})
    assert optimizer_from_config({"name": "sgd", "learning_rate": 0.3}).learning_rate == 0.3  # a number: constant
    adam, params = Adam(), np.zeros(4, dtype=np.float32)
    with pytest.raises(InputError, match="iterations"):
        adam.check_state({}, like=params)
    with pytest.raises(InputError, match="incomplete"):
        adam.check_state({"iterations": np.asarray(2), "m": params}, like=params)
    with pytest.raises(InputError, match="velocity"):
        adam.check_state({"iterations": np.asarray(2), "velocity": params}, like=params)
    with pytest.raises(InputError, match="shape"):
        adam.check_state({"iterations": np.asarray(2), "m": params[:3], "v": params[:3]}, like=params)
    with pytest.raises(InputError, match="step count"):
        adam.check_state({"iterations": np.asarray(-1)})
