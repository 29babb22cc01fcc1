"""The playground end to end in a real browser: Debian's chromium driven by playwright, headless.

The server, the browser and the page come from tests/playground_pages.py (Debian's chromium, driven by
playwright, which never downloads a browser; without one these tests skip and say why).

The page is ES modules and puts nothing on ``window``; a test reads the page's store by importing its state
module, ``import('/static/state.js')``, which gives the very module instance the page runs (see ``store``).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

import playground_pages as pages  # noqa: E402
from playground_pages import STATIC, TEST_COST_GOAL, XOR_HASH, choose_a_point, screenshot, store  # noqa: E402

import glassnet  # noqa: E402
from glassnet.datasets import train_test_split, xor  # noqa: E402

browser_context, page, server_url = pages.browser_context, pages.page, pages.server_url   # the fixtures


def test_train_xor_then_the_backward_view_shows_the_engines_gradients(page, server_url, tmp_path):
    page.goto(server_url + XOR_HASH)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")
    page.select_option("#speed", "0")
    page.click("#play")
    page.wait_for_function(
        f"Number(document.getElementById('test-cost').dataset.value) < {TEST_COST_GOAL}", timeout=40_000
    )
    page.click("#play")  # pause
    page.wait_for_function("(s) => !s.playing", arg=store(page))
    screenshot(page, "playground-forward.png")

    page.click("#view-backward")
    choose_a_point(page, {"x": 270, "y": 90}, (1, 1))  # a point in the upper right quadrant
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
    net = glassnet.load(path)

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
    page.wait_for_function("(s) => s.data !== null", arg=store(page))
    data = page.evaluate("(s) => s.data", store(page))
    assert data["sizes"] == [2, 8, 5, 4] and data["activations"] == ["relu", "sigmoid", "softmax"]
    assert data["config"]["optimizer"] == "adam" and data["config"]["batch_size"] is None
    assert page.input_value("#dataset") == "spiral" and page.input_value("#seed") == "7"
    assert json.loads(json.dumps(data["config"]["layers"])) == [
        {"units": 8, "activation": "relu"}, {"units": 5, "activation": "sigmoid"}]


def choose_a_point_after_training(page, server_url, steps: int = 15):
    """Open the xor run, train ``steps`` mini-batches, and choose a point for the backward view."""
    page.goto(server_url + XOR_HASH)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")
    for _ in range(steps):
        page.click("#step")
    page.wait_for_function(f"Number(document.getElementById('epoch').dataset.value) >= {steps / 14 - 1e-9}")
    page.click("#view-backward")
    choose_a_point(page, {"x": 90, "y": 270}, (-1, -1))  # a point in the lower left quadrant


def only_the_trace_record(message: dict) -> dict:
    """A backward message cut down to what the page may use: which point, and its trace record."""
    return {key: message[key] for key in ("type", "part", "index", "trace") if key in message}


def pass_only_the_trace_record(ws) -> None:
    """Stand between page and server, dropping every backward field but the trace record."""
    server = ws.connect_to_server()

    def to_page(text):
        message = json.loads(text)
        if message.get("type") == "backward":
            message = only_the_trace_record(message)
        elif message.get("type") == "frame" and message.get("backward"):
            message["backward"] = only_the_trace_record(message["backward"])
        ws.send(json.dumps(message))

    server.on_message(to_page)


def test_the_backward_view_shows_the_numbers_of_glassnets_trace(page, server_url, tmp_path):
    # the page sees no other backward numbers than the record's (Trace.to_dict()), so all it shows is from there
    page.route_web_socket("**/ws/*", pass_only_the_trace_record)
    choose_a_point_after_training(page, server_url)
    shown = page.evaluate(
        """() => ({
            x: JSON.parse(document.getElementById('bp-point').dataset.x),
            y: JSON.parse(document.getElementById('bp-point').dataset.y),
            point: document.getElementById('bp-point').innerText,
            layers: Array.from(document.querySelectorAll('.bp-layer')).map((e) => ({
                layer: Number(e.dataset.layer), delta: JSON.parse(e.dataset.delta),
                newWeights: JSON.parse(e.dataset.newWeights), newBias: JSON.parse(e.dataset.newBias),
                // the numbers in the visible cells: the neurons' delta column and the gradient matrix
                deltaCells: Array.from(e.querySelectorAll('table.neurons tr'))
                    .slice(1).map((r) => Number(r.children[4].dataset.value)),
                gradCells: Array.from(e.querySelectorAll('table.grads tr'))
                    .slice(1).map((r) => Array.from(r.children).slice(2).map((c) => Number(c.dataset.value))),
            })),
        })"""
    )
    with page.expect_download() as download:
        page.click("#download-model")
    path = tmp_path / "model.glassnet"
    download.value.save_as(str(path))
    net = glassnet.load(path)  # the network as the page saw it (training is paused: only steps were taken)

    # the point is a training or test point of the xor data, in the lower left quadrant
    x = np.array([shown["x"]], dtype=np.float32)
    y = np.array([shown["y"]], dtype=np.float32)
    assert x[0, 0] < 0 and x[0, 1] < 0
    d = xor(n_samples=200, noise=0.1, seed=2)
    X_train, X_test, y_train, y_test = train_test_split(d.X, d.y, test_size=0.3, seed=2)
    X_all, y_all = np.vstack([X_train, X_test]).astype(np.float32), np.concatenate([y_train, y_test])
    row = int(np.flatnonzero((X_all == x[0]).all(axis=1))[0])
    assert y[0, y_all[row]] == 1 and y.sum() == 1
    assert f"target class {y_all[row]}" in shown["point"]

    # every delta and updated weight shown equals the engine's: BP1-BP4 from net.gradients, and one
    # plain gradient-descent step p - lr * dJ/dp in the network's float32, computed here
    lr = 0.5
    grads = net.gradients(x, y)
    by_layer = {entry["layer"]: entry for entry in shown["layers"]}
    for number, (layer, (dW, db)) in enumerate(zip(net.layers, grads, strict=True), start=1):
        entry = by_layer[number]
        np.testing.assert_array_equal(np.array(entry["delta"], dtype=np.float32), layer.delta[0])
        np.testing.assert_array_equal(np.array(entry["deltaCells"], dtype=np.float32), layer.delta[0])
        np.testing.assert_array_equal(np.array(entry["gradCells"], dtype=np.float32), dW)
        np.testing.assert_array_equal(np.array(entry["newWeights"], dtype=np.float32), layer.weights - lr * dW)
        np.testing.assert_array_equal(np.array(entry["newBias"], dtype=np.float32), layer.bias - lr * db)

    # the step-through is glassnet's own walkthrough, Trace.to_text(), stage by stage: every line it shows
    # is a line of the text, and every line of the text is shown in some stage
    features = page.evaluate("(s) => s.data.features", store(page))
    text = net.trace(x, y, learning_rate=lr, input_names=features).to_text()
    stages = {}
    while True:
        stage = page.inner_text("#trace-stage")
        stages[stage] = page.inner_text("#trace-body")
        if stage.startswith("8 / 8"):
            break
        page.click("#trace-next")
    assert [s.split(": ", 1)[1] for s in stages] == [
        "what the numbers mean", "forward, layer 1", "forward, layer 2", "cost", "backward, layer 2",
        "backward, layer 1", "gradients", "update"]
    expected = {line for line in text.splitlines() if line.strip()}
    seen = {line for body in stages.values() for line in body.splitlines() if line.strip()}
    assert seen == expected
    # one updated weight of the output layer (the loop's last), written as the walkthrough writes it
    gradient = f"{dW[0, 1]:.6g}"
    gradient = f"({gradient})" if gradient.startswith("-") else gradient
    line = f"      w[0, 1] = {layer.weights[0, 1]:.6g} - 0.5 * {gradient} = {layer.weights[0, 1] - lr * dW[0, 1]:.6g}"
    assert line in stages["8 / 8: update"].split("  layer 2\n")[1].splitlines()


def test_every_page_script_is_an_es_module_and_nothing_is_put_on_window(page, server_url):
    page.goto(server_url)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")
    scripts = page.evaluate(
        "Array.from(document.scripts).map((s) => ({type: s.type, src: s.getAttribute('src'), inline: s.text}))"
    )
    assert scripts and all(s["type"] == "module" and s["src"] and not s["inline"].strip() for s in scripts)
    # every JavaScript file of the page is loaded, as a module with a JavaScript type; none is left over
    loaded = page.evaluate(
        "performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)"
        ".filter((p) => p.endsWith('.js'))"
    )
    files = sorted(p.name for p in STATIC.glob("*.js"))
    assert sorted(p.rsplit("/", 1)[1] for p in set(loaded)) == files
    for name in files:
        response = page.request.get(server_url + f"static/{name}")
        assert response.ok and response.headers["content-type"].split(";")[0] in (
            "text/javascript", "application/javascript")
        assert len((STATIC / name).read_text().splitlines()) < 400, name
    # module scope: the page's names stay inside its modules
    leaked = page.evaluate("['glassnetPlayground', 'state', 'store', 'conn', 'drawAll', 'renderBackward']"
                           ".filter((name) => name in window)")
    assert leaked == []


DIVERGING_HASH = ("#data=plane&n=200&noise=0.1&test=0.3&seed=1&layers=" + ",".join(["4:identity"] * 8)
                  + "&cost=mse&opt=sgd&lr=10&batch=0&l2=0")


def connection_id(page) -> str:
    return page.evaluate("import('/static/socket.js').then((module) => module.conn.id)")


def test_a_diverging_run_stops_says_why_and_offers_reset(page, server_url):
    page.goto(server_url + DIVERGING_HASH)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")
    session_id = connection_id(page)
    page.select_option("#speed", "0")
    page.click("#play")
    page.wait_for_function("document.getElementById('error').textContent.includes('diverged')")
    banner = page.inner_text("#error")
    assert "the cost diverged at epoch 2" in banner and "try a smaller learning rate" in banner.lower()
    page.wait_for_function("(s) => !s.playing", arg=store(page))
    assert "Play" in page.inner_text("#play")
    # the last finite frame stays up: finite costs at epoch 2 at most, and the same connection (no reload)
    shown = page.evaluate("""() => ({epoch: Number(document.getElementById('epoch').dataset.value),
                                     cost: Number(document.getElementById('train-cost').dataset.value)})""")
    assert np.isfinite(shown["cost"]) and shown["epoch"] <= 2
    assert "connection lost" not in page.inner_text("body")
    screenshot(page, "playground-diverged.png")
    page.click("#error-action")   # the banner's Reset
    page.wait_for_selector("#error", state="hidden")
    page.wait_for_function("document.getElementById('epoch').dataset.value === '0'")
    page.click("#step")
    page.wait_for_function("document.getElementById('epoch').dataset.value === '1'")
    assert connection_id(page) == session_id


def test_a_refused_setting_puts_the_field_and_the_link_back(page, server_url):
    page.goto(server_url + XOR_HASH)
    page.wait_for_function("(s) => s.data !== null", arg=store(page))

    def refused(selector: str, value: str, words: str, shown: str, in_link: str) -> None:
        if selector.startswith("force"):   # a choice the controls no longer offer (its option is disabled)
            page.evaluate("([id, v]) => { const e = document.querySelector(id); e.value = v;"
                          " e.dispatchEvent(new Event('change')); }", [selector[len("force"):], value])
        else:
            page.fill(selector, value)
            page.press(selector, "Tab")
        page.wait_for_function(f"document.getElementById('error').textContent.includes({json.dumps(words)})")
        page.wait_for_function(f"document.querySelector({json.dumps(selector.removeprefix('force'))}).value"
                               f" === {json.dumps(shown)}")
        assert in_link in page.evaluate("location.hash")
        page.wait_for_function("(s) => s.config.learning_rate === 0.5 && s.config.layers[0].units === 6",
                               arg=store(page))

    refused("#units-1", "100", "the limit is 64", "6", "layers=6%3Atanh")
    refused("#learning_rate", "1000", "at most 10", "0.5", "lr=0.5")
    # the shared link gives the settings in use, not the refused ones
    assert "lr=1000" not in page.evaluate("location.hash")
    page.select_option("#dataset", "plane")
    page.wait_for_function("(s) => s.data.name === 'plane'", arg=store(page))
    refused("force#cost", "cross_entropy", "regression", "mse", "cost=mse")

    # an upload's target column that is refused: the column in use stays chosen
    rows = "\n".join(f"{i * 0.1:.2f},{(i * 7) % 5 * 0.3:.2f},{'yes' if i % 2 else 'no'}" for i in range(30))
    page.select_option("#dataset", "upload")
    page.set_input_files("#upload", files=[
        {"name": "mine.csv", "mimeType": "text/csv", "buffer": f"u,v,label\n{rows}\n".encode()},
    ])
    page.wait_for_function("(s) => s.data !== null && s.data.name === 'mine.csv'", arg=store(page))
    page.select_option("#target", "u")
    page.wait_for_function("document.getElementById('error').textContent.includes('is not a number')")
    assert page.input_value("#target") == "label"
    assert page.evaluate("(s) => s.config.target", store(page)) == "label"


def test_the_controls_offer_no_state_the_server_would_refuse(page, server_url):
    page.goto(server_url + XOR_HASH)
    page.wait_for_function("(s) => s.data !== null", arg=store(page))
    # "+ layer" stops at the limit of 8 hidden layers (the page had 1)
    for count in range(2, 9):
        page.click("#add-layer")
        page.wait_for_function(f"document.querySelectorAll('.layer-card').length === {count}")
    assert page.is_disabled("#add-layer")
    page.wait_for_function("(s) => s.data.sizes.length === 10", arg=store(page))   # 8 hidden layers trained
    assert page.is_hidden("#error")
    # binary cross-entropy is offered for two classes only
    disabled = "(v) => document.querySelector(`#cost option[value=\"${v}\"]`).disabled"
    assert page.evaluate(disabled, "binary_cross_entropy") is False
    page.select_option("#dataset", "spiral")
    page.wait_for_function("(s) => s.data.name === 'spiral'", arg=store(page))
    assert page.evaluate(disabled, "binary_cross_entropy") is True
    assert page.evaluate(disabled, "cross_entropy") is False
    # an empty learning rate is not sent as 0: the page says what is wanted and keeps the value in use
    page.fill("#learning_rate", "")
    page.press("#learning_rate", "Tab")
    page.wait_for_function("document.getElementById('error').textContent.includes('learning rate is empty')")
    assert "got 0" not in page.inner_text("#error")
    assert page.input_value("#learning_rate") == "0.5"
    assert page.evaluate("(s) => s.config.learning_rate", store(page)) == 0.5


def test_mean_squared_error_is_offered_for_classes(page, server_url):
    page.goto(server_url + XOR_HASH)
    page.wait_for_function("(s) => s.data !== null", arg=store(page))
    assert page.evaluate("document.querySelector('#cost option[value=\"mse\"]').disabled") is False
    page.select_option("#cost", "mse")
    page.wait_for_function("(s) => s.data.output === 'sigmoid'", arg=store(page))
    assert page.evaluate("(s) => s.data.sizes", store(page)) == [2, 6, 2]
    assert page.is_hidden("#error") and "output sigmoid" in page.inner_text("#data-description")
    page.select_option("#dataset", "spiral")   # the cost chosen stays for other classes
    page.wait_for_function("(s) => s.data.name === 'spiral' && s.data.output === 'sigmoid'", arg=store(page))
    assert page.input_value("#cost") == "mse"
    for _ in range(3):
        page.click("#step")
    page.wait_for_function("(s) => s.frame && s.frame.steps === 3", arg=store(page))
    assert page.inner_text("#test-accuracy").endswith("%")
    page.select_option("#dataset", "plane")   # numbers to predict: mse, an identity output
    page.wait_for_function("(s) => s.data.name === 'plane' && s.data.output === 'identity'", arg=store(page))
