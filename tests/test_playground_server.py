"""The playground's server, through starlette's TestClient: sessions, frames, limits and refusals.

The numbers the playground sends are checked against independent references: the weights after whole
epochs against ``Network.fit`` with the same settings, the backward view against finite differences
(and against ``Network.gradients`` on the downloaded model file), the costs against ``Network.cost``.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import re
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the playground extra (starlette) is not installed")
pytest.importorskip("httpx", reason="starlette's TestClient needs httpx")

with warnings.catch_warnings():  # newer starlette prefers httpx2; either works for these tests
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient  # noqa: E402
from starlette.websockets import WebSocketDisconnect  # noqa: E402

import glassnet  # noqa: E402
from glassnet.datasets import train_test_split, xor  # noqa: E402
from glassnet.gradcheck import numerical_gradient  # noqa: E402
from glassnet.playground import create_app  # noqa: E402
from glassnet.playground.config import LIMITS  # noqa: E402

STATIC = Path(glassnet.__file__).parent / "playground" / "static"
XOR = {
    "dataset": "xor", "samples": 120, "noise": 0.1, "test_fraction": 0.25, "seed": 3,
    "layers": [{"units": 5, "activation": "tanh"}], "cost": "cross_entropy", "optimizer": "sgd",
    "learning_rate": 0.5, "batch_size": 8, "l2": 0.001,
}


# requests must be addressed to the playground's own name (the Host check): a loopback name, as a browser sends
LOCAL, WS = "http://127.0.0.1:8765", "ws://127.0.0.1:8765"


def local_client(app) -> TestClient:
    """A TestClient whose requests carry ``Host: 127.0.0.1:8765``, as a browser on this machine sends."""
    return TestClient(app, base_url=LOCAL)


@pytest.fixture
def client():
    with local_client(create_app()) as c:
        yield c


def receive_until(ws, kind: str, limit: int = 50) -> dict:
    """The next message of type ``kind`` (skipping others, e.g. frames while waiting for an error)."""
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} message in {limit} messages")


@contextlib.contextmanager
def session(client, session_id: str = "test-session-0001", config: dict | None = XOR):
    with client.websocket_connect(f"{WS}/ws/{session_id}") as ws:
        assert receive_until(ws, "hello")["limits"]["max_neurons"] == LIMITS["max_neurons"]
        if config is not None:
            ws.send_json({"type": "config", "config": config})
            data = receive_until(ws, "data")
            frame = receive_until(ws, "frame")
            yield ws, data, frame
        else:
            yield ws, None, None


def load_model(content: bytes, tmp_path: Path) -> glassnet.Network:
    """A network from the playground's model file, read back through glassnet's own loader."""
    path = tmp_path / "model.glassnet"
    path.write_bytes(content)
    return glassnet.load(path)


def xor_split():
    d = xor(n_samples=XOR["samples"], noise=XOR["noise"], seed=XOR["seed"])
    return train_test_split(d.X, d.y, test_size=XOR["test_fraction"], seed=XOR["seed"])


# -- the page -------------------------------------------------------------------------------------------
def test_page_and_static_files_are_served_without_outside_references(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert '<script type="module" src="/static/app.js">' in page.text
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    for path in STATIC.iterdir():  # no CDN, no fonts from elsewhere: the page works offline
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", path.read_text()), path.name
        assert "@import" not in path.read_text()


def test_limits_are_published(client):
    info = client.get("/api/limits").json()
    assert info["limits"]["max_hidden_layers"] == 8 and info["limits"]["max_neurons"] == 64
    assert info["limits"]["max_upload_bytes"] == 1_000_000 and info["limits"]["max_sessions"] == 16
    assert {"xor", "circles", "moons", "spiral", "gaussians", "plane", "sine", "draw", "upload"} <= set(
        info["datasets"]
    )


def test_serve_binds_loopback_by_default():
    import inspect as pyinspect

    from glassnet.playground import server

    assert pyinspect.signature(server.serve).parameters["host"].default == "127.0.0.1"


# -- training -------------------------------------------------------------------------------------------
def test_whole_epochs_match_fit_and_the_snippet_reproduces_the_run(client, tmp_path):
    epochs = 3
    with session(client) as (ws, data, frame):
        assert data["sizes"] == [2, 5, 2] and frame["epoch"] == 0
        for _ in range(epochs * data["batches_per_epoch"]):
            ws.send_json({"type": "step"})
            frame = receive_until(ws, "frame")
        assert frame["epoch"] == epochs and frame["playing"] is False
        model = client.get("/api/sessions/test-session-0001/model")
        snippet = client.get("/api/sessions/test-session-0001/snippet").text
    assert model.status_code == 200
    trained = load_model(model.content, tmp_path)

    X_train, X_test, y_train, y_test = xor_split()
    net = glassnet.Network([glassnet.Dense(2, 5, "tanh"), glassnet.Dense(5, 2, "softmax")],
                           cost="cross_entropy", seed=XOR["seed"])
    net.fit(X_train, y_train, epochs=epochs, batch_size=8, optimizer="sgd", learning_rate=0.5, l2=0.001)
    np.testing.assert_array_equal(trained.params, net.params)
    # the test cost shown: the cost on the test rows plus the L2 term of training (n = training rows)
    expected = net.cost(X_test, y_test) + net.l2_penalty(0.001, len(X_train))
    np.testing.assert_allclose(frame["test_cost"], expected, rtol=1e-6)

    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(snippet, "playground_run.py", "exec"), namespace)
    np.testing.assert_array_equal(namespace["net"].params, net.params)
    assert "test cost" in out.getvalue()


def test_classes_train_with_mse_as_the_tutorials_do(client, tmp_path):
    """mse for classes: one sigmoid output per class against one-hot targets, as Network.fit does it."""
    epochs = 2
    config = {**XOR, "dataset": "spiral", "classes": 3, "samples": 150, "cost": "mse"}
    with session(client, config=config) as (ws, data, frame):
        assert data["sizes"] == [2, 5, 3] and data["output"] == "sigmoid" and data["task"] == "classification"
        for _ in range(epochs * data["batches_per_epoch"]):
            ws.send_json({"type": "step"})
            frame = receive_until(ws, "frame")
        model = client.get("/api/sessions/test-session-0001/model")
        snippet = client.get("/api/sessions/test-session-0001/snippet").text
    trained = load_model(model.content, tmp_path)
    d = glassnet.datasets.spiral(n_samples=150, noise=XOR["noise"], seed=XOR["seed"], n_classes=3)
    X_train, X_test, y_train, y_test = train_test_split(d.X, d.y, test_size=XOR["test_fraction"], seed=XOR["seed"])
    one_hot = np.eye(3)
    net = glassnet.Network([glassnet.Dense(2, 5, "tanh"), glassnet.Dense(5, 3, "sigmoid")], cost="mse",
                           seed=XOR["seed"])
    net.fit(X_train, one_hot[y_train], epochs=epochs, batch_size=8, optimizer="sgd", learning_rate=0.5, l2=0.001)
    np.testing.assert_array_equal(trained.params, net.params)
    expected = net.cost(X_test, one_hot[y_test]) + net.l2_penalty(0.001, len(X_train))
    np.testing.assert_allclose(frame["test_cost"], expected, rtol=1e-6)
    assert frame["test_accuracy"] == np.mean(net.predict(X_test).argmax(axis=1) == y_test)
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(snippet, "playground_run.py", "exec"), namespace)
    np.testing.assert_array_equal(namespace["net"].params, net.params)


def test_frames_carry_pictures_of_the_right_size(client):
    with session(client) as (ws, data, frame):
        res = frame["output"]["res"]
        output = np.frombuffer(base64.b64decode(frame["output"]["values"]), dtype="<f4").reshape(res * res, 2)
        np.testing.assert_allclose(output.sum(axis=1), 1.0, rtol=1e-5)  # softmax rows are probabilities
        hres = frame["hidden"]["res"]
        hidden = np.frombuffer(base64.b64decode(frame["hidden"]["layers"][0]), dtype="<f4")
        assert hidden.shape == (5 * hres * hres,) and np.all(np.abs(hidden) <= 1)  # tanh activations
        weights = [np.frombuffer(base64.b64decode(w["w"]), dtype="<f4") for w in frame["weights"]]
        assert [w.size for w in weights] == [2 * 5, 5 * 2]


def test_play_streams_frames_and_pause_stops_them(client):
    with session(client) as (ws, data, frame):
        ws.send_json({"type": "play", "playing": True, "speed": 0})
        assert receive_until(ws, "state")["playing"] is True
        epochs = [receive_until(ws, "frame")["progress"] for _ in range(3)]
        assert epochs == sorted(epochs) and epochs[-1] > 0
        ws.send_json({"type": "pause"})
        receive_until(ws, "state")
        ws.send_json({"type": "reset"})
        frame = receive_until(ws, "frame")
        while frame["steps"] != 0:   # a frame trained before the pause may still be on its way
            frame = receive_until(ws, "frame")
        assert frame["progress"] == 0


def test_divergence_is_reported_and_training_stops(client):
    config = {"dataset": "plane", "cost": "mse", "learning_rate": 10, "layers": [{"units": 8, "activation": "relu"}]}
    with session(client, config=config) as (ws, data, frame):
        ws.send_json({"type": "play", "playing": True, "speed": 0})
        error = receive_until(ws, "error")
        assert error["field"] == "learning_rate" and "diverged" in error["message"]


DIVERGING = {"dataset": "plane", "cost": "mse", "learning_rate": 10, "batch_size": None,
             "layers": [{"units": 4, "activation": "identity"}] * 8}


def finite_numbers(value) -> bool:
    """Whether every number in a received message is finite (json.loads reads NaN and Infinity)."""
    if isinstance(value, dict):
        return all(finite_numbers(v) for v in value.values())
    if isinstance(value, list):
        return all(finite_numbers(v) for v in value)
    return not isinstance(value, float) or math.isfinite(value)


@pytest.mark.parametrize("how", ["play", "step"])
def test_a_diverging_run_stops_with_a_message_and_the_session_stays_usable(client, how):
    with session(client, config=DIVERGING) as (ws, data, frame):
        if how == "play":
            ws.send_json({"type": "play", "playing": True, "speed": 0})
        else:
            for _ in range(4):
                ws.send_json({"type": "step"})
        frames = []
        for _ in range(50):
            message = ws.receive_json()
            if message["type"] == "error":
                break
            if message["type"] == "frame":
                frames.append(message)
        assert message["type"] == "error" and message["diverged"] is True, message
        assert message["field"] == "learning_rate" and message["epoch"] == 2
        assert "the cost diverged at epoch 2" in message["message"] and "smaller learning rate" in message["message"]
        assert message["config"]["learning_rate"] == 10
        assert frames and all(finite_numbers(f) for f in frames)
        assert frames[-1]["playing"] is False and frames[-1]["epoch"] <= 2   # the last finite frame, again
        # training stays stopped: play and step answer with the same error, and nothing is trained
        ws.send_json({"type": "play", "playing": True, "speed": 0})
        assert "diverged at epoch 2" in receive_until(ws, "error")["message"]
        ws.send_json({"type": "step"})
        assert "diverged at epoch 2" in receive_until(ws, "error")["message"]
        ws.send_json({"type": "backward", "part": "train", "index": 0})
        assert "diverged at epoch 2" in receive_until(ws, "error")["message"]
        ws.send_json({"type": "ping"})
        assert receive_until(ws, "pong")["type"] == "pong"
        # Reset starts again from the seed; the session trains on
        ws.send_json({"type": "reset"})
        assert receive_until(ws, "frame")["steps"] == 0
        ws.send_json({"type": "step"})
        first = receive_until(ws, "frame")
        assert first["steps"] == 1 and finite_numbers(first)
        # a smaller learning rate trains the same network without diverging
        ws.send_json({"type": "config", "config": {**DIVERGING, "learning_rate": 0.001}})
        receive_until(ws, "data")
        for _ in range(5):
            ws.send_json({"type": "step"})
        last = receive_until(ws, "frame")
        while last["steps"] < 5:
            last = receive_until(ws, "frame")
        assert finite_numbers(last) and last["train_cost"] < frame["train_cost"]


# -- the backward view ----------------------------------------------------------------------------------
def test_backward_view_equals_gradients_and_finite_differences(client, tmp_path):
    with session(client) as (ws, data, frame):
        for _ in range(20):
            ws.send_json({"type": "step"})
            receive_until(ws, "frame")
        ws.send_json({"type": "backward", "part": "test", "index": 4})
        back = receive_until(ws, "backward")
        model = client.get("/api/sessions/test-session-0001/model").content
    net = load_model(model, tmp_path)
    trace = back["trace"]
    x = np.array(trace["inputs"], dtype=np.float32)
    y = np.array(trace["targets"], dtype=np.float32)
    _, X_test, _, y_test = xor_split()
    np.testing.assert_array_equal(x[0], X_test[4].astype(np.float32))
    assert back["part"] == "test" and back["index"] == 4 and y[0, y_test[4]] == 1
    shown = _record_arrays(trace)

    grads = net.gradients(x, y)
    for layer, L, (dW, db) in zip(net.layers, shown, grads, strict=True):
        np.testing.assert_array_equal(L["grad_weights"], dW)
        np.testing.assert_array_equal(L["grad_bias"], db)
        np.testing.assert_array_equal(L["delta"], layer.delta[0])

    # independently: central differences of the cost in float64
    wide = net.copy(dtype="float64")
    numeric = numerical_gradient(wide, x.astype(np.float64), y.astype(np.float64), eps=1e-6)
    flat = np.concatenate([np.concatenate([np.ravel(L["grad_weights"]), L["grad_bias"]]) for L in shown])
    np.testing.assert_allclose(flat, numeric, rtol=1e-3, atol=1e-6)
    # BP2 by hand from the shown numbers: delta_k = f'(s_k) * sum_j w_kj delta_j
    hidden, output = shown
    expected = hidden["slope"].astype(np.float64) * (output["weights"].astype(np.float64) @ output["delta"])
    np.testing.assert_allclose(hidden["delta"], expected, rtol=1e-5, atol=1e-9)
    # the structured trace of the same step: the forward pass and the update of every weight
    assert [len(L["neurons"]) for L in trace["layers"]] == data["sizes"][1:]
    for layer, L in zip(net.layers, shown, strict=True):
        np.testing.assert_array_equal(L["new_bias"], layer.bias - np.float32(trace["learning_rate"]) * L["grad_bias"])
        np.testing.assert_array_equal(
            L["new_weights"], layer.weights - np.float32(trace["learning_rate"]) * L["grad_weights"]
        )


def _record_arrays(trace: dict) -> list[dict[str, np.ndarray]]:
    """The per-layer arrays of one example's trace record (complete, unshortened layers), as float32."""
    out = []
    for L in trace["layers"]:
        neurons = L["neurons"]
        assert L["neurons_omitted"] == 0 and all(u["weights_omitted"] == 0 for u in neurons)

        def column(key: str, neurons: list = neurons) -> np.ndarray:
            return np.array([u[key][0] for u in neurons], dtype=np.float32)

        def by_weight(key: str, neurons: list = neurons) -> np.ndarray:  # [input k, neuron j]
            return np.array([[w[key] for w in u["weights"]] for u in neurons], dtype=np.float32).T

        out.append({
            "delta": column("delta"),
            "slope": column("slope") if neurons[0]["slope"] is not None else None,
            "grad_bias": np.array([u["bias_gradient"] for u in neurons], dtype=np.float32),
            "new_bias": np.array([u["new_bias"] for u in neurons], dtype=np.float32),
            "weights": by_weight("value"),
            "grad_weights": by_weight("gradient"),
            "new_weights": by_weight("new_value"),
        })
    return out


def _float64_step(params: list[tuple[np.ndarray, np.ndarray]], activations: list[str], cost: str,
                  x: np.ndarray, y: np.ndarray, lr: float) -> dict:
    """One gradient-descent step on one example, written out in float64 numpy: forward, cost, BP1-BP4."""
    f = {"tanh": np.tanh, "sigmoid": lambda s: 1 / (1 + np.exp(-s)), "identity": lambda s: s,
         "softmax": lambda s: np.exp(s - s.max()) / np.exp(s - s.max()).sum()}
    slope = {"tanh": lambda a: 1 - a**2, "sigmoid": lambda a: a * (1 - a), "identity": np.ones_like}
    inputs, s, a = [], [], []
    for (W, b), name in zip(params, activations, strict=True):
        inputs.append(x if not a else a[-1])
        s.append(inputs[-1] @ W + b)
        a.append(f[name](s[-1]))
    out = a[-1]
    if cost == "cross_entropy":  # softmax output: BP1 is a - y
        J, dcost_da, slopes, delta = -np.sum(y * np.log(out)), [None], [None], [out - y]
    else:  # mse, the mean over the k outputs of (a - y)^2
        dJ = 2 * (out - y) / out.size
        J, dcost_da, slopes = np.mean((out - y) ** 2), [dJ], [slope[activations[-1]](out)]
        delta = [dJ * slopes[0]]
    contributions = [None]
    for i in range(len(params) - 2, -1, -1):  # BP2: delta_k = f'(s_k) * sum_j w_kj delta_j
        W_up = params[i + 1][0]
        contributions.insert(0, W_up * delta[0])          # [k, j] = w_kj delta_j
        dcost_da.insert(0, contributions[0].sum(axis=1))
        slopes.insert(0, slope[activations[i]](a[i]))
        delta.insert(0, slopes[0] * dcost_da[0])
    grad_W = [np.outer(i, d) for i, d in zip(inputs, delta, strict=True)]   # BP4
    return {"cost": J, "out": out, "inputs": inputs, "s": s, "a": a, "dcost_da": dcost_da, "slope": slopes,
            "delta": delta, "contributions": contributions, "grad_W": grad_W, "grad_b": delta,   # BP3
            "new_W": [W - lr * g for (W, _), g in zip(params, grad_W, strict=True)],
            "new_b": [b - lr * d for (_, b), d in zip(params, delta, strict=True)]}


@pytest.mark.parametrize("config", [
    XOR,
    {"dataset": "plane", "cost": "mse", "learning_rate": 0.05, "batch_size": 4, "noise": 0.1, "seed": 5,
     "layers": [{"units": 9, "activation": "tanh"}, {"units": 3, "activation": "sigmoid"}]},
    {**XOR, "layers": [{"units": 8, "activation": "tanh"}, {"units": 7, "activation": "tanh"}]},
], ids=["xor-softmax", "plane-mse", "xor-shortened"])
def test_the_backward_trace_record_equals_a_float64_numpy_step(client, tmp_path, config):
    with session(client, config=config) as (ws, data, frame):
        for _ in range(15):
            ws.send_json({"type": "step"})
            receive_until(ws, "frame")
        ws.send_json({"type": "backward", "part": "train", "index": 3})
        back = receive_until(ws, "backward")
        net = load_model(client.get("/api/sessions/test-session-0001/model").content, tmp_path)
    params = [(layer.weights.astype(np.float64), layer.bias.astype(np.float64)) for layer in net.layers]
    x, y = np.array(back["trace"]["inputs"][0]), np.array(back["trace"]["targets"][0])
    ref = _float64_step(params, data["activations"], config["cost"], x, y, config["learning_rate"])
    trace = back["trace"]

    def close(shown, expected):
        np.testing.assert_allclose(np.array(shown, dtype=np.float64), expected, rtol=2e-5, atol=1e-6)

    close(trace["cost"], ref["cost"])
    close(trace["outputs"][0], ref["out"])
    assert trace["learning_rate"] == config["learning_rate"] and trace["network"]["sizes"] == data["sizes"]
    for i, L in enumerate(trace["layers"]):
        neurons = L["neurons"]
        n_in, n_out = params[i][0].shape
        n, k = min(n_out, 6), min(n_in, 6)  # big layers are shortened as the text walkthrough shortens them
        assert len(neurons) == n and L["neurons_omitted"] == n_out - n
        assert all(len(u["weights"]) == k and u["weights_omitted"] == n_in - k for u in neurons)
        close(L["inputs"][0], ref["inputs"][i])
        for key in ("s", "a", "delta"):
            close([u[key][0] for u in neurons], ref[key][i][:n])
        for key in ("dcost_da", "slope"):
            if ref[key][i] is None:  # the fused softmax output: delta = a - y directly
                assert all(u[key] is None for u in neurons) and L["fused"]
            else:
                close([u[key][0] for u in neurons], ref[key][i][:n])
        close([u["bias_gradient"] for u in neurons], ref["grad_b"][i][:n])
        close([u["new_bias"] for u in neurons], ref["new_b"][i][:n])
        close([[w["value"] for w in u["weights"]] for u in neurons], params[i][0].T[:n, :k])
        close([[w["gradient"] for w in u["weights"]] for u in neurons], ref["grad_W"][i].T[:n, :k])
        close([[w["new_value"] for w in u["weights"]] for u in neurons], ref["new_W"][i].T[:n, :k])
        if ref["contributions"][i] is None:
            assert all("contributions" not in u for u in neurons)
        else:  # every neuron of the layer above, [neuron k here][neuron j above] = w_kj delta_j
            close([[c["product"][0] for c in u["contributions"]] for u in neurons], ref["contributions"][i][:n])
            close([[c["weight"] for c in u["contributions"]] for u in neurons], params[i + 1][0][:n])


# -- refusals -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"layers": [{"units": 65, "activation": "tanh"}]}, "layer1", "limit is 64"),
        ({"layers": [{"units": 2, "activation": "tanh"}] * 9}, "layers", "at most 8 hidden layers"),
        ({"layers": [{"units": 2, "activation": "step"}]}, "layer1", "cannot be trained"),
        ({"learning_rate": float("nan")}, "learning_rate", "must be a number"),
        ({"learning_rate": 0}, "learning_rate", "greater than 0"),
        ({"samples": 100_000}, "samples", "at most 2000"),
        ({"dataset": "plane", "cost": "cross_entropy"}, "cost", "regression"),
        ({"dataset": "spiral", "classes": 3, "cost": "binary_cross_entropy"}, "cost", "two classes"),
        ({"dataset": "upload"}, "upload", "no file uploaded"),
        ({"dataset": "draw", "points": [[0.1, 0.2, 0]]}, "points", "at least 4 points"),
        ({"dataset": "draw", "points": [[9.0, 0.2, 0]] * 4}, "points", "inside the plane"),
    ],
)
def test_invalid_settings_are_refused_with_a_clear_message(client, change, field, words):
    with session(client) as (ws, data, frame):
        ws.send_text(json.dumps({"type": "config", "config": {**XOR, **change}}))  # NaN as JSON allows it
        error = receive_until(ws, "error")
        assert error["field"] == field and words in error["message"]
        assert error["config"] == data["config"]   # the settings in force, for the page to put back
        ws.send_json({"type": "step"})   # the session keeps the last good settings and still trains
        assert receive_until(ws, "frame")["steps"] == 1


def test_bad_messages_do_not_end_the_session(client):
    with session(client) as (ws, data, frame):
        ws.send_text("not json")
        assert "JSON" in receive_until(ws, "error")["message"]
        ws.send_json({"type": "fly"})
        assert "unknown message" in receive_until(ws, "error")["message"]
        ws.send_json({"type": "backward", "part": "train", "index": 10_000})
        assert receive_until(ws, "error")["field"] == "point"
        ws.send_bytes(b'{"type": "ping"}')
        assert "not binary" in receive_until(ws, "error")["message"]
        ws.send_text('{"type": "config", "config": {"layers": [{"units": Infinity}]}}')  # as JSON allows it
        assert receive_until(ws, "error")["field"] == "layer1"
        ws.send_json({"type": "ping"})
        assert receive_until(ws, "pong")["type"] == "pong"


def test_huge_numbers_and_deep_nesting_are_refused_with_a_clear_message(client):
    huge = "9" * 4000
    with session(client) as (ws, data, frame):
        cases = [
            ('{"type": "config", "config": {"seed": HUGE}}', "seed", "at most 2.14748e+09"),
            ('{"type": "config", "config": {"layers": [{"units": HUGE}]}}', "layer1", "the limit is 64"),
            ('{"type": "config", "config": {"dataset": "draw", "points": [[HUGE, 0, 0]]}}', "points",
             "(4,008 characters)"),
            ('{"type": "config", "config": {"seed": HUGE9}}', "message", "at most 4,300 digits"),
            ("[" * 100_000 + "]" * 100_000, "message", "nested too deep"),
            ('{"type": "config", "config": {"points": DEEP}}', "message", "nested too deep"),
            (json.dumps({"type": "x" * 100_000}), "message", "(100,002 characters)"),
        ]
        for text, field, words in cases:
            text = text.replace("HUGE9", "9" * 5000).replace("HUGE", huge).replace("DEEP", "[" * 500 + "]" * 500)
            ws.send_text(text)
            error = receive_until(ws, "error")
            assert error["field"] == field and words in error["message"], (text[:60], error)
            assert len(error["message"]) < 400 and error["config"] == data["config"]
        ws.send_json({"type": "step"})   # the session lives on, with its settings
        assert receive_until(ws, "frame")["steps"] == 1


# -- uploads --------------------------------------------------------------------------------------------
def test_upload_trains_on_your_csv(client):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    rows = "\n".join(f"{a:.4f},{b:.4f},{'yes' if a * b > 0 else 'no'}" for a, b in X)
    with session(client, config=None) as (ws, _, _):
        r = client.post("/api/sessions/test-session-0001/upload?name=mine.csv", content=f"u,v,label\n{rows}\n")
        assert r.status_code == 200
        assert r.json()["features"] == ["u", "v"] and r.json()["classes"] == ["no", "yes"]
        ws.send_json({"type": "config", "config": {**XOR, "dataset": "upload"}})
        data = receive_until(ws, "data")
        assert data["sizes"] == [2, 5, 2] and data["standardized"] is True
        assert len(data["train"]["y"]) + len(data["test"]["y"]) == 60
        assert receive_until(ws, "frame")["steps"] == 0
        ws.send_json({"type": "step"})
        assert receive_until(ws, "frame")["steps"] == 1
        snippet = client.get("/api/sessions/test-session-0001/snippet").text
        assert "load_csv('mine.csv', target='label')" in snippet and "Standardizer" in snippet
        # quoted names (a comma inside one) after a blank line: the last column is still the target
        r = client.post("/api/sessions/test-session-0001/upload", content=f'\n"u, left","v","label"\n{rows}\n')
        assert r.status_code == 200, r.json()
        assert r.json()["features"] == ["u, left", "v"] and r.json()["target"] == "label"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ("a,b,y\n1,2,0\n1,nan,1\n3,4,0\n5,6,1\n", 400, "line 3"),
        ("a,b,y\n" + "1,2,0\n" * 10_001, 400, "limit is 10,000"),
        ("a,b,y\n1,2,0\n", 400, "at least 4"),
        ("just one line", 400, "header row"),
        ("a,b,y\n" + "1,2,0\n" * 200_000, 413, "larger than the limit"),
    ],
)
def test_bad_uploads_are_refused(client, body, status, words):
    with session(client, config=None):
        r = client.post("/api/sessions/test-session-0001/upload?name=../../etc/bad.csv", content=body)
        assert r.status_code == status and words in r.json()["error"]
        assert "/tmp" not in r.json()["error"]


def test_non_utf8_upload_is_refused(client):
    with session(client, config=None):
        r = client.post("/api/sessions/test-session-0001/upload", content=b"a,b\n\xff\xfe,1\n")
        assert r.status_code == 400 and "UTF-8" in r.json()["error"]


def test_unknown_session_has_nothing_to_download(client):
    assert client.get("/api/sessions/nobody-at-all-here/model").status_code == 404
    assert client.post("/api/sessions/nobody-at-all-here/upload", content="a,b\n1,2\n").status_code == 404


# -- sessions -------------------------------------------------------------------------------------------
def test_the_number_of_sessions_is_capped():
    with local_client(create_app(max_sessions=1)) as client, session(client, "first-session-1", config=None):
        with client.websocket_connect(f"{WS}/ws/second-session-2") as ws2:
            message = ws2.receive_json()
            assert message["type"] == "fatal" and "1 sessions" in message["message"]
            with pytest.raises(WebSocketDisconnect):
                ws2.receive_json()


def test_bad_session_ids_and_foreign_origins_are_refused(client):
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(f"{WS}/ws/x") as ws:
        ws.receive_json()
    headers = {"origin": "http://evil.example"}
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(f"{WS}/ws/good-session-id",
                                                                      headers=headers) as ws:
        ws.receive_json()


def test_requests_addressed_to_another_host_are_refused():
    """DNS rebinding: a foreign page whose name resolves to this machine sends its own name as Host."""
    with local_client(create_app()) as client:
        for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "127.0.0.1", "LOCALHOST:9000"):
            assert client.get("/api/limits", headers={"host": host}).status_code == 200, host
        for host in ("evil.example", "evil.example:8765", "127.0.0.1.evil.example:8765", "localhost:x", ""):
            r = client.get("/", headers={"host": host})
            assert r.status_code == 403 and "not to the glassnet playground's address" in r.text, host
        r = client.post("/api/sessions/test-session-0001/upload", headers={"host": "evil.example"}, content="a\n")
        assert r.status_code == 403
        for headers in ({"host": "evil.example:8765", "origin": "http://evil.example:8765"},
                        {"host": "evil.example"}):
            with pytest.raises(WebSocketDisconnect) as refused:
                with client.websocket_connect(f"{WS}/ws/good-session-id", headers=headers) as ws:
                    ws.receive_json()
            assert refused.value.code == 1008 and "Host" in refused.value.reason
        assert not client.app.state.sessions.sessions
    # started with --host and --port: that address (at that port) and the loopback names, nothing else
    with local_client(create_app(host="192.168.1.5", port=8765)) as client:
        assert client.get("/", headers={"host": "192.168.1.5:8765"}).status_code == 200
        assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200
        for host in ("192.168.1.5:8766", "192.168.1.6:8765", "evil.example:8765"):
            assert client.get("/", headers={"host": host}).status_code == 403, host
        assert "open http://192.168.1.5:8765/" in client.get("/", headers={"host": "evil.example"}).text
    # bound to every interface: any IP address (a page served by it) but no domain name
    with local_client(create_app(host="0.0.0.0", port=8765)) as client:
        assert client.get("/", headers={"host": "10.0.0.7:8765"}).status_code == 200
        assert client.get("/", headers={"host": "[fe80::1]:8765"}).status_code == 200
        assert client.get("/", headers={"host": "evil.example:8765"}).status_code == 403


def test_a_session_ends_when_its_tab_goes_away_mid_stream():
    app = create_app()
    with local_client(app) as client:
        with session(client, "going-away-0001") as (ws, _, _):
            ws.send_json({"type": "play", "playing": True, "speed": 0})
            receive_until(ws, "frame")
            assert "going-away-0001" in app.state.sessions.sessions
        # the socket closed while frames were streaming: the session and its training must go
        done = threading.Event()
        for _ in range(200):
            if "going-away-0001" not in app.state.sessions.sessions:
                done.set()
                break
            done.wait(0.05)
        assert done.is_set(), "the session outlived its WebSocket"
        with session(client, "going-away-0001") as (ws, data, frame):  # the server still serves
            assert frame["steps"] == 0


def test_a_silent_tab_is_dropped_after_the_heartbeat_timeout():
    app = create_app(heartbeat_timeout=0.3)
    with local_client(app) as client, client.websocket_connect(f"{WS}/ws/silent-tab-0001") as ws:
        assert ws.receive_json()["type"] == "hello"
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()   # nothing sent: the server gives up on this tab and closes
        assert "silent-tab-0001" not in app.state.sessions.sessions


def test_a_weight_set_by_hand_is_in_the_next_frame_and_the_model_file(client, tmp_path):
    with session(client) as (ws, data, frame):
        before = np.frombuffer(base64.b64decode(frame["weights"][1]["w"]), dtype="<f4").reshape(5, 2)
        ws.send_json({"type": "set_weight", "layer": 2, "row": 3, "column": 1, "value": -1.25})
        after = np.frombuffer(base64.b64decode(receive_until(ws, "frame")["weights"][1]["w"]), dtype="<f4")
        expected = before.copy()
        expected[3, 1] = -1.25
        np.testing.assert_array_equal(after.reshape(5, 2), expected)
        net = load_model(client.get(f"{LOCAL}/api/sessions/test-session-0001/model").content, tmp_path)
        assert net.layers[1].weights[3, 1] == np.float32(-1.25)
        # refused, saying what is wanted, and nothing changes: no such layer, row, a huge or non-finite value
        for change, words in [({"layer": 3}, "from 0 to 2"), ({"layer": 0}, "numbered from 1"),
                              ({"row": 5}, "row must be a whole number from 0 to 4"),
                              ({"value": 10**400}, "from -100 to 100"), ({"value": "x"}, "from -100 to 100"),
                              ({"value": True}, "from -100 to 100")]:
            ws.send_json({"type": "set_weight", "layer": 2, "row": 0, "column": 0, "value": 0.5, **change})
            error = receive_until(ws, "error")
            assert error["field"] == "weight" and words in error["message"], (change, error)
        net_after = load_model(client.get(f"{LOCAL}/api/sessions/test-session-0001/model").content, tmp_path)
        np.testing.assert_array_equal(net_after.layers[1].weights, expected)   # no refused value got in


def test_extra_input_features_train_as_fit_on_those_columns_and_the_snippet_reproduces_it(client, tmp_path):
    epochs = 2
    config = {**XOR, "features": ["x1", "x2", "x1*x2", "sin x1", "x1^2"]}
    with session(client, config=config) as (ws, data, frame):
        # in the page's order of the features, whatever the order sent; the points keep their two coordinates
        assert data["features"] == ["x1", "x2", "x1^2", "x1*x2", "sin x1"] and data["sizes"] == [5, 5, 2]
        assert len(data["train"]["X"][0]) == 2 and len(data["extent"]) == 4
        assert len(np.frombuffer(base64.b64decode(frame["inputs"]["values"]), dtype="<f4")) == 5 * 12 * 12
        for _ in range(epochs * data["batches_per_epoch"]):
            ws.send_json({"type": "step"})
            frame = receive_until(ws, "frame")
        trained = load_model(client.get("/api/sessions/test-session-0001/model").content, tmp_path)
        snippet = client.get("/api/sessions/test-session-0001/snippet").text
        ws.send_json({"type": "config", "config": {**XOR, "features": ["x1", "x1"]}})
        assert receive_until(ws, "error")["field"] == "features"
        ws.send_json({"type": "config", "config": {**XOR, "features": ["x3"]}})
        assert "x1, x2, x1^2" in receive_until(ws, "error")["message"]

    X_train, X_test, y_train, _ = xor_split()
    x1, x2 = X_train[:, 0], X_train[:, 1]
    columns = np.column_stack([x1, x2, x1 * x1, x1 * x2, np.sin(x1)])   # written here, independently
    net = glassnet.Network([glassnet.Dense(5, 5, "tanh"), glassnet.Dense(5, 2, "softmax")],
                           cost="cross_entropy", seed=XOR["seed"])
    net.fit(columns, y_train, epochs=epochs, batch_size=8, optimizer="sgd", learning_rate=0.5, l2=0.001)
    np.testing.assert_array_equal(trained.params, net.params)
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(snippet, "playground_run.py", "exec"), namespace)
    np.testing.assert_array_equal(namespace["net"].params, net.params)


def test_l1_trains_as_fit_and_its_term_is_in_the_costs_shown(client, tmp_path):
    epochs, l1 = 2, 0.01
    config = {**XOR, "l1": l1}
    with session(client, config=config) as (ws, data, frame):
        for _ in range(epochs * data["batches_per_epoch"]):
            ws.send_json({"type": "step"})
            frame = receive_until(ws, "frame")
        trained = load_model(client.get("/api/sessions/test-session-0001/model").content, tmp_path)
        snippet = client.get("/api/sessions/test-session-0001/snippet").text
        for bad in (-1, LIMITS["max_l1"] * 2, "much"):
            ws.send_json({"type": "config", "config": {**XOR, "l1": bad}})
            assert receive_until(ws, "error")["field"] == "l1"

    X_train, X_test, y_train, y_test = xor_split()
    net = glassnet.Network([glassnet.Dense(2, 5, "tanh"), glassnet.Dense(5, 2, "softmax")],
                           cost="cross_entropy", seed=XOR["seed"])
    net.fit(X_train, y_train, epochs=epochs, batch_size=8, optimizer="sgd", learning_rate=0.5, l2=0.001, l1=l1)
    np.testing.assert_array_equal(trained.params, net.params)
    # the test cost shown: J on the test rows plus both terms of training, written out here (n = training rows)
    weights = [layer.weights.astype(np.float64) for layer in net.layers]
    penalty = (0.001 / (2 * len(X_train)) * sum(float((w * w).sum()) for w in weights)
               + l1 / len(X_train) * sum(float(np.abs(w).sum()) for w in weights))
    np.testing.assert_allclose(frame["test_cost"], net.cost(X_test, y_test) + penalty, rtol=1e-6)
    assert f"l1={l1!r}" in snippet
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(snippet, "playground_run.py", "exec"), namespace)
    np.testing.assert_array_equal(namespace["net"].params, net.params)
