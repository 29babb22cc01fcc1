"""The playground end to end in a real browser: Debian's chromium driven by playwright, headless.

``make test`` runs tests/install_browser.sh first, which installs /usr/bin/chromium when it can. Playwright
only drives that browser (``executable_path``); it never downloads one. Without a browser these tests
skip and say why. Screenshots go to test-artifacts/ (ignored by git).
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the playground extra (starlette) is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the playground extra (uvicorn) is not installed")
pytest.importorskip("websockets", reason="the playground extra (websockets) is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

import glassnet  # noqa: E402
from glassnet.datasets import train_test_split, xor  # noqa: E402
from glassnet.playground import create_app  # noqa: E402

BROWSER = Path(os.environ.get("GLASSNET_TEST_BROWSER", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
# A run the test can reproduce: the settings in the URL, as a shared link carries them.
XOR_HASH = "#data=xor&n=200&noise=0.1&test=0.3&seed=2&layers=6:tanh&cost=cross_entropy&opt=sgd&lr=0.5&batch=10&l2=0"
TEST_COST_GOAL = 0.15


@pytest.fixture(scope="module")
def server_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(200):
        if server.started:
            started.set()
            break
        started.wait(0.05)
    assert started.is_set(), "the playground server did not start"
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser_context():
    if not BROWSER.exists():
        pytest.skip(f"no browser at {BROWSER}: run tests/install_browser.sh as root (apt-get install chromium)")
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory(prefix="glassnet-chromium-") as profile:
        try:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=str(BROWSER), headless=True, args=FLAGS,
                viewport={"width": 1400, "height": 1000}, accept_downloads=True,
            )
        except Exception as e:  # a browser that will not start: skip, saying why
            pytest.skip(f"{BROWSER} would not start: {str(e).splitlines()[0]}")
        yield context
        context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(60_000)  # a loaded 2-core machine (other test workers) can slow the page a lot
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    page.close()
    assert not errors, f"the page raised JavaScript errors: {errors}"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a real picture, not an empty one
    return path


def test_train_xor_then_the_backward_view_shows_the_engines_gradients(page, server_url, tmp_path):
    page.goto(server_url + XOR_HASH)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")
    page.select_option("#speed", "0")
    page.click("#play")
    page.wait_for_function(
        f"Number(document.getElementById('test-cost').dataset.value) < {TEST_COST_GOAL}", timeout=40_000
    )
    page.click("#play")  # pause
    page.wait_for_function("!window.glassnetPlayground.state.playing")
    screenshot(page, "playground-forward.png")

    page.click("#view-backward")
    page.click("#plane", position={"x": 270, "y": 90})  # a point in the upper right quadrant
    page.wait_for_function(
        """() => {
            const s = window.glassnetPlayground.state, box = document.getElementById('bp-point');
            return s.selected && box.dataset.index === String(s.selected.index)
                && box.dataset.part === s.selected.part && document.querySelectorAll('.bp-layer').length === 2;
        }"""
    )
    shown = page.evaluate(
        """() => ({
            x: JSON.parse(document.getElementById('bp-point').dataset.x),
            y: JSON.parse(document.getElementById('bp-point').dataset.y),
            testCost: Number(document.getElementById('test-cost').dataset.value),
            layers: Array.from(document.querySelectorAll('.bp-layer')).map((e) => ({
                layer: Number(e.dataset.layer), delta: JSON.parse(e.dataset.delta),
                gradWeights: JSON.parse(e.dataset.gradWeights), gradBias: JSON.parse(e.dataset.gradBias),
            })),
        })"""
    )
    assert shown["x"][0] > 0 and shown["x"][1] > 0
    screenshot(page, "playground-backward.png")

    with page.expect_download() as download:
        page.click("#download-model")
    path = tmp_path / "model.glassnet"
    download.value.save_as(str(path))
    if hasattr(glassnet, "load"):
        net = glassnet.load(path)
    else:
        from glassnet.modelfile import read_model_file

        header, arrays = read_model_file(path)
        net = glassnet.Network.from_config(header["config"], arrays["params"])

    # the test cost shown is the trained network's cost on the test part of that data
    d = xor(n_samples=200, noise=0.1, seed=2)
    _, X_test, _, y_test = train_test_split(d.X, d.y, test_size=0.3, seed=2)
    assert shown["testCost"] < TEST_COST_GOAL
    np.testing.assert_allclose(shown["testCost"], net.cost(X_test, y_test), rtol=1e-6)

    x = np.array([shown["x"]], dtype=np.float32)
    y = np.array([shown["y"]], dtype=np.float32)
    grads = net.gradients(x, y)
    by_layer = {entry["layer"]: entry for entry in shown["layers"]}
    for number, (layer, (dW, db)) in enumerate(zip(net.layers, grads, strict=True), start=1):
        entry = by_layer[number]
        np.testing.assert_array_equal(np.array(entry["delta"], dtype=np.float32), layer.delta[0])
        np.testing.assert_array_equal(np.array(entry["gradWeights"], dtype=np.float32), dW)
        np.testing.assert_array_equal(np.array(entry["gradBias"], dtype=np.float32), db)

    # the step-through walks glassnet's Trace of this example, part by part
    page.click("#trace-next")
    assert "forward" in page.inner_text("#trace-stage")
    assert "forward, layer 1" in page.inner_text("#trace-stage")
    assert "s = " in page.inner_text("#trace-body")


def test_invalid_settings_show_their_error(page, server_url):
    page.goto(server_url)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")
    page.fill("#units-1", "100")
    page.press("#units-1", "Tab")
    page.wait_for_selector("#error:not([hidden])")
    assert "the limit is 64" in page.inner_text("#error")
    assert "the limit is 64" in page.inner_text('.layer-card[data-layer="1"]')
    screenshot(page, "playground-error.png")

    page.fill("#units-1", "3")
    page.press("#units-1", "Tab")
    page.wait_for_selector("#error", state="hidden")

    page.select_option("#dataset", "upload")
    page.set_input_files("#upload", files=[
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": b"a,b,y\n1,2,0\n1,nan,1\n3,4,0\n5,6,1\n"},
    ])
    page.wait_for_function("document.getElementById('error').textContent.includes('line 3')")
    big = b"a,b,y\n" + b"1.000,2.000,0\n" * 80_000
    page.set_input_files("#upload", files=[{"name": "big.csv", "mimeType": "text/csv", "buffer": big}])
    page.wait_for_function("document.getElementById('error').textContent.includes('the limit is 1,000,000')")


def test_a_shared_link_restores_the_settings(page, server_url):
    page.goto(server_url + "#data=spiral&classes=4&n=300&noise=0&test=0.2&seed=7&layers=8:relu,5:sigmoid"
              "&cost=cross_entropy&opt=adam&lr=0.02&batch=0&l2=0.01")
    page.wait_for_function("window.glassnetPlayground.state.data !== null")
    data = page.evaluate("window.glassnetPlayground.state.data")
    assert data["sizes"] == [2, 8, 5, 4] and data["activations"] == ["relu", "sigmoid", "softmax"]
    assert data["config"]["optimizer"] == "adam" and data["config"]["batch_size"] is None
    assert page.input_value("#dataset") == "spiral" and page.input_value("#seed") == "7"
    assert json.loads(json.dumps(data["config"]["layers"])) == [
        {"units": 8, "activation": "relu"}, {"units": 5, "activation": "sigmoid"}]
