"""End-to-end tests of the ``glassnet`` command, each through a subprocess as a user would run it.

Numbers the command prints are checked against independent references: a forward pass written here in
plain numpy from the arrays of the model file (read with ``numpy.load``, not with glassnet), scikit-learn's
metrics, and the published numbers of Mazur's worked backpropagation example.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
COLOURS = ("blue", "green", "red")


def run(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 120):
    """``glassnet ARGS`` in a subprocess; returns the CompletedProcess (text output)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), full_env.get("PYTHONPATH")]))
    full_env.pop("GLASSNET_DATA", None)
    full_env["MPLBACKEND"] = "Agg"
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "glassnet", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


def ok(result) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


def one_line_error(result, *fragments: str) -> str:
    """Exit 1 with one line ``glassnet: error: ...`` on stderr (no traceback) naming ``fragments``."""
    assert result.returncode == 1, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassnet: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


# -- data written by the tests ----------------------------------------------------------------------------------
def _classes_table(n=150, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2)) * [3.0, 50.0] + [10.0, 100.0]  # features on very different scales
    angle = np.arctan2((X[:, 1] - 100) / 50, (X[:, 0] - 10) / 3)
    y = ((angle + np.pi) // (2 * np.pi / 3)).astype(int) % 3
    return X, np.array(COLOURS)[y]


def _write_table(path: Path, header: list[str], columns: list[np.ndarray]) -> Path:
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in zip(*columns, strict=True):
            writer.writerow([f"{v:.6f}" if isinstance(v, float | np.floating) else v for v in row])
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def colours_csv(folder) -> Path:
    X, y = _classes_table()
    return _write_table(folder / "colours.csv", ["width", "height", "colour"], [X[:, 0], X[:, 1], y])


@pytest.fixture(scope="module")
def prices_csv(folder) -> Path:
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 1, size=(120, 2))
    price = 300 * X[:, 0] - 80 * X[:, 1] + 50 + rng.normal(0, 3, size=120)
    return _write_table(folder / "prices.csv", ["area", "age", "price"], [X[:, 0], X[:, 1], price])


@pytest.fixture(scope="module")
def colours_model(folder, colours_csv) -> Path:
    out = folder / "colours.glassnet"
    stdout = ok(run("train", str(colours_csv), "--target", "colour", "--layers", "16", "--activation", "tanh",
                    "--epochs", "60", "--learning-rate", "0.02", "--seed", "1", "--out", str(out)))
    assert f"saved to {out}" in stdout
    return out


# -- an independent reading of the model file ---------------------------------------------------------------
def _reference(model: Path):
    """The model's header, its preprocessing and a plain-numpy forward pass, read with numpy.load and json only."""
    with zipfile.ZipFile(model) as zf:
        header = json.loads(zf.read("header.json"))
    arrays = np.load(model, allow_pickle=False)
    pre = header["preprocessing"]
    sizes = header["network"]["sizes"]
    activations = [a["name"] for a in header["network"]["activations"]]
    mean, scale = np.array(pre["inputs"]["mean"]), np.array(pre["inputs"]["scale"])

    functions = {
        "tanh": np.tanh, "relu": lambda s: np.maximum(s, 0), "identity": lambda s: s,
        "sigmoid": lambda s: 1 / (1 + np.exp(-s)),
        "softmax": lambda s: np.exp(s - s.max(axis=1, keepdims=True))
        / np.exp(s - s.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True),
    }

    def forward(X):
        a = (np.asarray(X, dtype=np.float64) - mean) / scale
        for i, name in enumerate(activations):
            W, b = arrays[f"layers.{i}.weights"].astype(np.float64), arrays[f"layers.{i}.bias"].astype(np.float64)
            assert W.shape == (sizes[i], sizes[i + 1])
            a = functions[name](a @ W + b)
        return a

    return header, pre, forward


def _printed(stdout: str, name: str) -> float:
    match = re.search(rf"{name} (-?[0-9.e+-]+)(%?)", stdout)
    assert match, f"no {name} in:\n{stdout}"
    value = float(match.group(1))
    return value / 100 if match.group(2) else value


# -- train, evaluate, predict, info ---------------------------------------------------------------------------
def test_train_writes_a_model_that_carries_its_preprocessing(colours_model, colours_csv):
    header, pre, forward = _reference(colours_model)
    X, y = _classes_table()
    assert header["kind"] == "network"
    assert pre["classes"] == sorted(COLOURS)
    assert pre["feature_names"] == ["width", "height"]
    # the standardizer was fitted on the training part only: close to, but not exactly, the full table's
    assert np.allclose(pre["inputs"]["mean"], X.mean(axis=0), rtol=0.05)
    assert not np.allclose(pre["inputs"]["mean"], X.mean(axis=0), rtol=1e-9, atol=0)
    predicted = np.array(pre["classes"])[forward(X).argmax(axis=1)]
    assert np.mean(predicted == y) > 0.85  # it learned the three sectors


def test_evaluate_matches_an_independent_forward_pass(colours_model, colours_csv):
    stdout = ok(run("evaluate", str(colours_model), str(colours_csv), "--rows", "all"))  # every row, as below
    _, _, forward = _reference(colours_model)
    X, y = _classes_table()
    probabilities = forward(X)
    classes = np.array(sorted(COLOURS))
    accuracy = np.mean(classes[probabilities.argmax(axis=1)] == y)
    assert _printed(stdout, "accuracy") == pytest.approx(accuracy, abs=0.00006)
    truth = np.searchsorted(classes, y)
    cross_entropy = -np.mean(np.log(probabilities[np.arange(len(y)), truth]))
    assert _printed(stdout, "cost") == pytest.approx(cross_entropy, rel=1e-3)


def test_predict_writes_csv_atomically_and_reads_a_csv_without_the_target(folder, colours_model):
    X, _ = _classes_table(n=20, seed=9)
    features = _write_table(folder / "new.csv", ["height", "width"], [X[:, 1], X[:, 0]])  # other order
    out = folder / "predictions.csv"
    ok(run("predict", str(colours_model), str(features), "--out", str(out)))
    rows = list(csv.reader(out.open()))
    classes = sorted(COLOURS)
    assert rows[0] == ["prediction", *(f"p({c})" for c in classes)]
    _, _, forward = _reference(colours_model)
    probabilities = forward(X)
    assert [r[0] for r in rows[1:]] == [classes[k] for k in probabilities.argmax(axis=1)]
    assert np.allclose(np.array([r[1:] for r in rows[1:]], dtype=float), probabilities, atol=1e-4)
    assert not list(folder.glob(".predictions.csv.*"))  # no temporary file left behind
    to_stdout = ok(run("predict", str(colours_model), str(features)))
    assert to_stdout.splitlines() == out.read_text().splitlines()
    # as a spreadsheet may save it: a byte-order mark, blank lines before the header, Windows line ends
    windows = folder / "windows.csv"
    windows.write_bytes(b"\xef\xbb\xbf\r\n\r\n" + features.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert ok(run("predict", str(colours_model), str(windows))).splitlines() == to_stdout.splitlines()


def test_info_shows_layers_shapes_and_parameter_counts(colours_model):
    stdout = ok(run("info", str(colours_model)))
    assert "2 x 16" in stdout and "16 x 3" in stdout and "tanh" in stdout and "softmax" in stdout
    assert f"parameters: {(2 + 1) * 16 + (16 + 1) * 3}" in stdout
    assert "blue, green, red" in stdout
    assert "epochs      60" in stdout and "test" in stdout


def test_regression_round_trip_in_the_targets_units(folder, prices_csv):
    from sklearn.metrics import mean_absolute_error, r2_score

    out = folder / "prices.glassnet"
    stdout = ok(run("train", str(prices_csv), "--target", "price", "--layers", "", "--optimizer", "sgd",
                    "--learning-rate", "0.05", "--epochs", "40", "--test-split", "0", "--quiet", "--out", str(out)))
    assert "identity output, cost mse" in stdout
    _, pre, forward = _reference(out)
    assert pre["task"] == "regression" and pre["classes"] is None
    table = np.loadtxt(prices_csv, delimiter=",", skiprows=1)
    X, price = table[:, :2], table[:, 2]
    predicted = forward(X)[:, 0] * pre["target_scaling"]["scale"] + pre["target_scaling"]["mean"]
    assert r2_score(price, predicted) > 0.98  # a linear model of a linear truth
    evaluated = ok(run("evaluate", str(out), str(prices_csv)))
    assert _printed(evaluated, "r2") == pytest.approx(r2_score(price, predicted), abs=1e-4)
    assert _printed(evaluated, "mae") == pytest.approx(mean_absolute_error(price, predicted), rel=1e-3)


def test_train_on_synthetic_data_with_early_stopping_and_report(folder):
    out, report = folder / "moons.glassnet", folder / "moons.html"
    stdout = ok(run("train", "moons", "--samples", "120", "--layers", "8,8", "--epochs", "15", "--batch-size", "full",
                    "--early-stopping", "3", "--optimizer", "sgd", "--l2", "0.01", "--out", str(out),
                    "--report", str(report)))
    assert "validation" in stdout and "best epoch" in stdout
    assert report.read_text().lstrip().startswith("<!DOCTYPE html>")


def test_a_made_up_set_is_made_again_as_it_was_for_training(folder):
    """evaluate and predict on a made-up set's name use the rows the model was trained on, not new random ones."""
    from glassnet.datasets import xor

    out = folder / "xor40.glassnet"
    ok(run("train", "xor", "--samples", "40", "--noise", "0.2", "--seed", "3", "--layers", "4", "--epochs", "5",
           "--quiet", "--out", str(out)))
    data = xor(n_samples=40, noise=0.2, seed=3)
    p = _reference(out)[2](data.X)[:, 0]
    evaluated = ok(run("evaluate", str(out), "xor", "--rows", "all"))
    assert "xor: 40 rows" in evaluated
    assert _printed(evaluated, "accuracy") == pytest.approx(np.mean((p > 0.5) == data.y), abs=1e-6)
    cost = -np.mean(data.y * np.log(p) + (1 - data.y) * np.log(1 - p))
    assert _printed(evaluated, "cost") == pytest.approx(cost, rel=1e-3)
    rows = list(csv.reader(io.StringIO(ok(run("predict", str(out), "xor")))))
    assert np.allclose([float(r[2]) for r in rows[1:]], p, atol=1e-5)


def test_mnist_family_uses_its_own_test_split(tmp_path):
    from glassnet.datasets import write_idx

    folder = tmp_path / "mnist"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for stem, n in (("train", 40), ("t10k", 16)):
        write_idx(folder / f"{stem}-images-idx3-ubyte", rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8))
        write_idx(folder / f"{stem}-labels-idx1-ubyte", (np.arange(n) % 10).astype(np.uint8))
    env = {"GLASSNET_DATA": str(tmp_path)}
    listing = ok(run("datasets", env=env))
    assert re.search(rf"mnist .*\n.*found in {re.escape(str(folder))}", listing)
    assert "fashion-mnist" in listing and "xor" in listing and "[synthetic]" in listing
    out = tmp_path / "m.glassnet"
    stdout = ok(run("train", "mnist", "--epochs", "1", "--layers", "4", "--quiet", "--out", str(out), env=env))
    assert "40 training, 0 validation, 16 test rows" in stdout


# -- gradcheck, explain, plot, report, compare-training, playground ---------------------------------------------
def test_gradcheck_built_in_and_on_a_model(colours_model, colours_csv):
    stdout = ok(run("gradcheck"))
    assert re.search(r"layer 1: relative error [0-9.e-]+", stdout) and "passed" in stdout
    failed = run("gradcheck", "--tolerance", "1e-30")
    assert "FAILED" in failed.stdout
    one_line_error(failed, "gradient check failed")
    stdout = ok(run("gradcheck", str(colours_model), str(colours_csv), "--rows", "5"))
    assert "layer 2" in stdout and "passed" in stdout


def test_explain_demo_reproduces_mazurs_published_numbers():
    stdout = ok(run("explain", "--demo"))
    # Mazur, "A Step by Step Backpropagation Example": E_total = 0.298371109, out_o1 = 0.75136507,
    # w5 after one step 0.35891648, w1 after one step 0.149780716
    for published in ("0.298371", "0.751365", "0.358916", "0.149781"):
        assert published in stdout


def test_explain_a_row_of_a_model(colours_model, colours_csv):
    stdout = ok(run("explain", str(colours_model), str(colours_csv), "--row", "2", "--format", "markdown"))
    assert "width" in stdout and "delta" in stdout
    one_line_error(run("explain", str(colours_model), str(colours_csv), "--row", "1000"), "out of range")
    # without DATA, the data the model was trained on (recorded by glassnet train) is used
    given = ok(run("explain", str(colours_model), str(colours_csv), "--row", "2"))
    recorded = ok(run("explain", str(colours_model), "--row", "2"))
    assert recorded.splitlines()[0] == f"data     {colours_csv} (recorded in {colours_model})"
    assert recorded.splitlines()[1:] == given.splitlines()
    as_json = run("explain", str(colours_model), "--row", "2", "--format", "json")
    assert json.loads(ok(as_json)) == json.loads(ok(run("explain", str(colours_model), str(colours_csv), "--row",
                                                        "2", "--format", "json")))
    assert f"recorded in {colours_model}" in as_json.stderr


def test_plot_and_report(folder, colours_model, colours_csv):
    pytest.importorskip("matplotlib")
    png, svg = folder / "activations.png", folder / "boundary.svg"
    ok(run("plot", "activations", "--out", str(png)))
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 5000
    ok(run("plot", "boundary", str(colours_model), str(colours_csv), "--out", str(svg)))
    assert b"<svg" in svg.read_bytes()[:2000]
    one_line_error(run("plot", "curves", "--out", str(folder / "c.png")), "needs a MODEL")
    report = folder / "report.html"
    ok(run("report", str(colours_model), str(colours_csv), "--out", str(report)))
    page = report.read_text()
    assert "Confusion matrix" in page and "data:image/png;base64," in page
    # without DATA: the recorded training data while it can be found, else the model alone
    recorded = folder / "recorded.html"
    ok(run("report", str(colours_model), "--out", str(recorded)))
    assert "Confusion matrix" in recorded.read_text()
    from glassnet import Network
    alone = folder / "alone.html"
    ok(run("report", str(Network.from_sizes([3, 2, 1], seed=0).save(folder / "py3.glassnet")), "--out", str(alone)))
    assert "Confusion matrix" not in alone.read_text() and "<h1" in alone.read_text()


def test_compare_training_prints_every_method():
    stdout = ok(run("compare-training", "--task", "xor", "--budget", "0.2", "--max-steps", "5"))
    for method in ("backpropagation", "finite differences", "tweak and keep", "population"):
        assert method in stdout


def test_help_of_every_command_and_usage_errors():
    top = ok(run("--help"))
    commands = ["train", "evaluate", "predict", "info", "gradcheck", "datasets", "demo", "explain", "plot", "report",
                "compare-training", "playground"]
    for command in commands:
        assert command in top
    assert "--port" in ok(run("playground", "--help"))
    assert run("train").returncode == 2  # DATA missing
    assert run("train", "xor", "--epochs", "-3").returncode == 2
    assert run("train", "xor", "--checkpoint-every", "-1").returncode == 2
    assert run("frobnicate").returncode == 2


# -- bad inputs: exit 1 with one line -------------------------------------------------------------------------
def test_bad_inputs_exit_1_with_one_line(folder, colours_csv, colours_model):
    one_line_error(run("train", str(folder / "missing.csv"), "--target", "y"), "missing.csv", "no such file")
    one_line_error(run("train", str(colours_csv), "--target", "shade"), "no column named 'shade'", "colour")
    one_line_error(run("train", str(colours_csv)), "name the target column with --target", "colour")
    text = folder / "text.csv"
    text.write_text("width,height,colour\n1,2,red\n3,tall,blue\n5,6,red\n")
    one_line_error(run("train", str(text), "--target", "colour"), "line 3", "'height'", "not a number")
    nan = folder / "nan.csv"
    nan.write_text("width,height,colour\n1,2,red\n3,nan,blue\n5,6,red\n")
    one_line_error(run("train", str(nan), "--target", "colour"), "line 3", "missing value")
    stranger = folder / "stranger.glassnet"
    stranger.write_bytes(b"PK\x03\x04 this is not what glassnet writes")
    one_line_error(run("evaluate", str(stranger), str(colours_csv)), "stranger.glassnet")
    with zipfile.ZipFile(folder / "zip.glassnet", "w") as zf:
        zf.writestr("weights.txt", "1 2 3")
    one_line_error(run("info", str(folder / "zip.glassnet")), "not a glassnet model file")
    one_line_error(run("info", str(folder / "absent.glassnet")), "no such file")
    one_line_error(run("train", "no-such-set"), "unknown data set")
    one_line_error(run("evaluate", str(colours_model), "houses"), "feature column")


def test_debug_shows_the_traceback(folder):
    result = run("--debug", "info", str(folder / "absent.glassnet"))
    assert result.returncode == 1 and "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("glassnet: error: ")


def test_main_in_process_returns_the_exit_code(colours_model, capsys):
    from glassnet.cli import main

    assert main(["info", str(colours_model)]) == 0
    assert "softmax" in capsys.readouterr().out
    assert main(["info", str(colours_model) + ".nope"]) == 1
    assert capsys.readouterr().err.startswith("glassnet: error: ")


def test_predictions_csv_parses(folder, colours_model, colours_csv):
    stdout = ok(run("predict", str(colours_model), str(colours_csv)))
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert len(rows) == 150 and {row["prediction"] for row in rows} <= set(COLOURS)
    sums = [sum(float(v) for k, v in row.items() if k.startswith("p(")) for row in rows]
    assert np.allclose(sums, 1.0, atol=1e-4)


def test_a_network_saved_from_python_works_too(folder):
    from glassnet import Network
    from glassnet.datasets import save_npz, xor

    net = Network.from_sizes([2, 3, 1], activation="tanh", cost="binary_cross_entropy", seed=0)
    path = net.save(folder / "python.glassnet")
    data = xor(n_samples=12, seed=1)
    npz = save_npz(folder / "xor.npz", data)
    assert "2 x 3" in ok(run("info", str(path)))
    rows = list(csv.reader(io.StringIO(ok(run("predict", str(path), str(npz))))))
    (W1, b1), (W2, b2) = [(layer.weights.astype(float), layer.bias.astype(float)) for layer in net.layers]
    p = 1 / (1 + np.exp(-(np.tanh(data.X @ W1 + b1) @ W2 + b2)))[:, 0]  # no preprocessing in such a file
    assert rows[0] == ["prediction", "p(0)", "p(1)"]
    assert [r[0] for r in rows[1:]] == [str(int(v > 0.5)) for v in p]
    assert np.allclose([float(r[2]) for r in rows[1:]], p, atol=1e-5)
    # such a file records no training data, so the pictures that need data ask for it
    one_line_error(run("plot", "blame", str(path), "--out", str(folder / "b.png")), "needs DATA")


def test_progress_falls_back_to_plain_lines_without_tqdm(tmp_path, capsys, monkeypatch):
    from glassnet.cli import main

    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now fails, as when it is not installed
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    assert main(["train", "xor", "--epochs", "3", "--layers", "4", "--out", str(tmp_path / "x.glassnet")]) == 0
    err = capsys.readouterr().err
    assert re.search(r"^epoch 1/3  cost [0-9.]+  accuracy [0-9.]+%$", err, re.M)
    assert re.search(r"^epoch 3/3  cost ", err, re.M)


def test_task_flag_overrides_the_guess_and_is_checked(folder):
    # Whole numbers 0..4 in the target look like classes; --task regress makes them a value to predict.
    rng = np.random.default_rng(3)
    X = rng.uniform(0, 1, size=(80, 2))
    rating = np.round(4 * X[:, 0]).astype(int)
    data = _write_table(folder / "ratings.csv", ["x1", "x2", "rating"], [X[:, 0], X[:, 1], rating])
    guessed = ok(run("train", str(data), "--target", "rating", "--epochs", "2", "--quiet",
                     "--out", str(folder / "guessed.glassnet")))
    assert "classes" in guessed
    stdout = ok(run("train", str(data), "--target", "rating", "--task", "regress", "--epochs", "2", "--quiet",
                    "--out", str(folder / "ratings.glassnet")))
    assert "identity output, cost mse" in stdout
    assert _reference(folder / "ratings.glassnet")[1]["task"] == "regression"
    ok(run("train", "moons", "--task", "classify", "--epochs", "2", "--quiet", "--out", str(folder / "m.glassnet")))
    one_line_error(run("train", "moons", "--task", "regress", "--epochs", "2", "--out", str(folder / "x.glassnet")),
                   "--task regress")
