"""The playground's hints (glassnet/playground/hints.py): each one appears when the run shows it and not
otherwise, checked against the activations computed here in float64 numpy; and in the browser, a diverging
learning rate on the spiral shows the oscillation hint, whose button makes the change it offers."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.playground.hints import cost_hints, neuron_hints
from glassnet.playground.session import PlaygroundSession
from glassnet.playground.views import frame

LAYERS = [{"units": 4, "activation": "tanh"}]


def test_an_oscillating_cost_hints_at_a_smaller_learning_rate():
    swinging = [1.0] + [30.0 if i % 2 else 2.0 for i in range(39)]
    (hint,) = cost_hints(swinging, 10.0, LAYERS, progress=40, accurate=False)
    assert hint["id"] == "oscillating" and hint["action"]["change"] == {"learning_rate": 1.0}
    assert "lower the learning rate to 1" == hint["action"]["label"] and "between 1 and 30" in hint["why"]
    (hint,) = cost_hints(swinging, 0.3, LAYERS, progress=40, accurate=False)
    assert hint["action"]["change"] == {"learning_rate": 0.03}


def test_a_falling_cost_with_noise_earns_no_hint_and_a_rising_one_does():
    rng = np.random.default_rng(0)
    falling = list(np.exp(-np.linspace(0, 3, 40)) * (1 + 0.05 * rng.standard_normal(40)))
    assert cost_hints(falling, 0.5, LAYERS, progress=40, accurate=False) == []
    rising = list(np.linspace(0.5, 3.0, 40))
    assert [h["id"] for h in cost_hints(rising, 0.5, LAYERS, progress=40, accurate=False)] == ["rising"]


def test_a_stalled_cost_hints_at_a_change_unless_the_data_is_fitted():
    flat = [0.9] + [0.85 + 0.002 * (i % 3) for i in range(39)]
    (hint,) = cost_hints(flat, 0.3, LAYERS, progress=20, accurate=False)
    assert hint["id"] == "stalled" and hint["action"]["change"] == {"layers": [{"units": 8, "activation": "tanh"}]}
    (hint,) = cost_hints(flat, 0.01, LAYERS, progress=20, accurate=False)
    assert hint["action"]["change"] == {"learning_rate": 0.1}
    assert cost_hints(flat, 0.3, LAYERS, progress=20, accurate=True) == []
    assert cost_hints(flat, 0.3, LAYERS, progress=3, accurate=False) == []   # too early to tell


def session_with(activation: str, units: int = 8) -> PlaygroundSession:
    s = PlaygroundSession()
    s.configure({"dataset": "circles", "samples": 200, "seed": 3,
                 "layers": [{"units": units, "activation": activation}]})
    return s


def reference_activations(s: PlaygroundSession, f) -> np.ndarray:
    layer = s.net.layers[0]
    return f(s.X_train.astype(np.float64) @ layer.weights.astype(np.float64) + layer.bias.astype(np.float64))


def test_dead_relu_neurons_are_counted_as_numpy_counts_them():
    s = session_with("relu")
    s.net.layers[0].bias[:3] = -50.0   # three neurons whose s is below 0 for every point
    s.train(3)
    a = reference_activations(s, lambda z: np.maximum(z, 0))
    dead = int(((a <= 0).all(axis=0)).sum())
    assert dead >= 3
    (hint,) = [h for h in frame(s)["hints"] if h["id"] == "dead_relu"]
    assert hint["count"] == dead and hint["title"] == f"{dead} of 8 ReLU neurons in layer 1 are dead"
    assert hint["action"]["change"]["layers"][0]["activation"] == "leaky_relu"
    # a healthy relu layer: no hint
    healthy = session_with("relu")
    healthy.train(3)
    assert not [h for h in frame(healthy)["hints"] if h["id"] == "dead_relu"]


def test_saturated_tanh_neurons_are_counted_as_numpy_counts_them():
    s = session_with("tanh")
    s.net.layers[0].weights[:, :4] *= 20.0   # four neurons pushed to tanh's flat ends
    s.net.layers[0].bias[:4] = 30.0
    s.train(1)
    a = reference_activations(s, np.tanh)
    saturated = int(((np.abs(a) > 0.99).mean(axis=0) >= 0.9).sum())
    assert saturated >= 4
    hints = neuron_hints([np.tanh(s.X_train @ s.net.layers[0].weights + s.net.layers[0].bias)], ["tanh"],
                         s.config["layers"])
    assert [h["count"] for h in hints] == [saturated]
    (hint,) = [h for h in frame(s)["hints"] if h["id"] == "saturated"]
    assert hint["count"] == saturated and "slope f'(s) is almost 0" in hint["why"]


def test_a_real_run_at_learning_rate_10_on_the_spiral_oscillates():
    s = PlaygroundSession()
    s.configure({"dataset": "spiral", "classes": 3, "samples": 200, "learning_rate": 10.0})
    ids = set()
    for _ in range(30):
        s.train(7)
        ids |= {h["id"] for h in frame(s)["hints"]}
    assert "oscillating" in ids
    good = PlaygroundSession()   # the xor run the browser tests train: it learns, and earns no cost hint
    good.configure({"dataset": "xor", "samples": 200, "seed": 2, "learning_rate": 0.5, "layers": [{"units": 6}]})
    for _ in range(60):
        good.train(7)
        assert not [h for h in frame(good)["hints"] if h["id"] in ("oscillating", "rising", "stalled")]


# -- in the browser
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
import playground_pages as pages  # noqa: E402
from playground_pages import store  # noqa: E402

browser_context, page, server_url = pages.browser_context, pages.page, pages.server_url   # the fixtures
SPIRAL_10 = "#data=spiral&classes=3&n=200&noise=0.1&test=0.3&seed=1&layers=4:tanh,4:tanh&cost=cross_entropy" \
            "&opt=sgd&lr=10&batch=10&l2=0"


def test_the_page_shows_the_oscillation_hint_and_its_button_lowers_the_learning_rate(page, server_url):
    page.goto(server_url + SPIRAL_10)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")
    page.select_option("#speed", "20")
    page.click("#play")
    page.wait_for_selector('.hint[data-hint="oscillating"]', timeout=60_000)
    text = page.inner_text('.hint[data-hint="oscillating"]')
    assert "The cost swings up and down" in text and "A learning rate of 10 is too large" in text
    page.click('.hint[data-hint="oscillating"] button')
    page.wait_for_function("(s) => s.data.config.learning_rate === 1", arg=store(page))
    assert page.input_value("#learning_rate") == "1"
    assert "lr=1&" in page.evaluate("location.hash")
