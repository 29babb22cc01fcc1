"""The benchmark harness (benchmarks/bench.py, benchmarks/peers.py) on tiny synthetic data.

No timings are asserted (speed belongs to the benchmark itself); these check that the harness runs its
legs, pairs the ratios within rounds, judges the targets and writes its record. PyTorch is never
imported here: its leg is skipped when torch is not installed, as in `make test`. JAX's leg runs in a
subprocess (it sets XLA_FLAGS for its own process), and is skipped when JAX or optax is missing.

The hand-written loop of the learner-sized benchmark (benchmarks/smallnet.py) doubles as an independent check
of the engine: its gradient is checked against central differences of J, and glassnet must reach the same
parameters as it after the same steps.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import bench  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
import smallnet  # noqa: E402

HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None
HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_JAX = importlib.util.find_spec("jax") is not None and importlib.util.find_spec("optax") is not None
TINY: dict[str, Any] = {"data": "synthetic", "sizes": [12, 16, 8, 3], "n_synthetic": 600, "n_test_synthetic": 300,
        "epochs": 8, "batch_size": 32, "learning_rate": 0.01}


def test_gemm_flops_counts_every_product_of_an_epoch():
    # Counted by hand from the shapes: a (m x k) @ (k x n) product costs 2 m k n operations.
    sizes, rows = [5, 4, 3], 10
    forward = 2 * rows * 5 * 4 + 2 * rows * 4 * 3      # a_prev @ W, both layers
    bp4 = 2 * 5 * rows * 4 + 2 * 4 * rows * 3          # a_prev^T @ delta, both layers
    bp2 = 2 * rows * 3 * 4                             # delta @ W^T, only into the hidden layer
    assert peers.gemm_flops(sizes, rows) == forward + bp4 + bp2


def test_synthetic_data_is_seeded_and_labelled_by_its_teacher():
    X, y, X_test, y_test = peers.synthetic(200, 50, 6, 3, seed=1)
    again = peers.synthetic(200, 50, 6, 3, seed=1)
    assert X.shape == (200, 6) and X.dtype == np.float32 and X_test.shape == (50, 6)
    np.testing.assert_array_equal(X, again[0])
    assert set(np.unique(y)) <= {0, 1, 2} and len(np.unique(y)) > 1


def test_glassnet_leg_learns_the_tiny_task():
    result = peers.run("glassnet", TINY)
    assert len(result["seconds"]) == TINY["epochs"]
    assert all(s > 0 for s in result["seconds"])
    # A linear teacher with 3 classes: chance is about 1/3; a trained network does far better.
    assert result["test_accuracy"] > 0.7
    assert result["peak_rss_mb"] > 0
    assert result["flops_per_epoch"] == peers.gemm_flops(TINY["sizes"], TINY["n_synthetic"])


@pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn is not installed")
def test_sklearn_leg_learns_the_same_task():
    result = peers.run("sklearn", TINY)
    assert len(result["seconds"]) == TINY["epochs"]
    assert result["test_accuracy"] > 0.7


def test_gemm_leg_reports_times_and_no_accuracy():
    result = peers.run("gemm", {**TINY, "epochs": 2})
    assert len(result["seconds"]) == 2 and result["test_accuracy"] is None


def _run(leg, seconds, accuracy=0.8, rss=100.0):
    return {"leg": leg, "median_seconds": seconds, "seconds": [seconds], "test_accuracy": accuracy,
            "flops_per_epoch": 1e9, "peak_rss_mb": rss, "dataset_mb": 50.0}


def test_ratios_are_paired_within_rounds_not_taken_of_medians():
    results = {
        "glassnet": [_run("glassnet", 1.0), _run("glassnet", 4.0), _run("glassnet", 1.2)],
        "torch": [_run("torch", 2.0), _run("torch", 8.0), _run("torch", 2.0)],
    }
    summary = bench.summarise(results, epochs=3)
    # Per round: 0.5, 0.5, 0.6 -> median 0.5. (The ratio of the medians would be 1.2 / 2.0 = 0.6.)
    assert summary["ratios"]["vs_torch"] == pytest.approx(0.5)
    assert summary["legs"]["glassnet"]["seconds_per_epoch"] == pytest.approx(1.2)
    assert summary["targets"]["seconds_vs_torch"]["met"] is True
    assert summary["targets"]["seconds_vs_sklearn"]["met"] is None  # not measured


def test_targets_are_judged_against_their_limits():
    results = {
        "glassnet": [_run("glassnet", 1.0, accuracy=0.850, rss=300.0)],
        "torch": [_run("torch", 1.0, accuracy=0.860)],
        "sklearn": [_run("sklearn", 1.5)],
        "gemm": [_run("gemm", 0.9, accuracy=None)],
    }
    targets = bench.summarise(results, epochs=3)["targets"]
    assert targets["seconds_vs_torch"]["met"] is False          # 1.0 > 0.55
    assert targets["seconds_vs_sklearn"]["met"] is False        # 0.67 > 0.5
    assert targets["gemm_fraction"]["value"] == pytest.approx(0.9) and targets["gemm_fraction"]["met"] is True
    assert targets["accuracy_gap_points"]["value"] == pytest.approx(1.0) and not targets["accuracy_gap_points"]["met"]
    assert targets["peak_rss_mb"]["limit"] == pytest.approx(1.3 * (50.0 + 100))  # 195 MB < 300 MB
    assert targets["peak_rss_mb"]["met"] is False


def test_a_failed_leg_is_reported_not_fatal():
    results = {"glassnet": [_run("glassnet", 1.0)], "torch": [{"leg": "torch", "error": "exit code 1: boom"}]}
    summary = bench.summarise(results, epochs=3)
    assert "error" in summary["legs"]["torch"]
    assert summary["ratios"]["vs_torch"] is None
    assert "failed" in bench.markdown(summary, {"data": "synthetic", "rows_used": 10, "sizes": [2, 2],
                                                "batch_size": 1, "epochs": 1, "rounds": 1})


def test_torch_is_skipped_with_a_reason_when_missing():
    legs, skipped = bench.available_legs(["glassnet", "torch"])
    if HAS_TORCH:
        assert legs == ["glassnet", "torch"] and not skipped
    else:
        assert legs == ["glassnet"] and "torch" in skipped["torch"]


def test_whole_harness_in_subprocesses_writes_json_and_table(tmp_path, capsys):
    out = tmp_path / "results" / "latest.json"
    code = bench.main(["--synthetic", "200", "--rounds", "2", "--epochs", "1", "--legs", "glassnet,gemm",
                       "--out", str(out)])
    assert code == 0
    record = json.loads(out.read_text())
    assert [p.name for p in out.parent.iterdir()] == ["latest.json"]  # atomic write left no temporary file
    assert record["settings"]["rounds"] == 2 and record["settings"]["data"] == "synthetic"
    assert len(record["runs"]["glassnet"]) == 2 and len(record["runs"]["gemm"]) == 2
    assert all("error" not in run for run in record["runs"]["glassnet"] + record["runs"]["gemm"])
    assert len(record["summary"]["ratios_each_round"]["gemm_fraction"]) == 2
    assert [run["rows"] for run in record["runs"]["glassnet"]] == [200, 200]
    table = capsys.readouterr().out
    assert "| glassnet |" in table and "| GEMM bound |" in table and "fraction of the GEMM bound" in table


# -- the new legs: JAX, float64, the learner-sized network ----------------------------------------------
def _small(ratio, glassnet=10_000.0):
    return {"leg": "small", "median_seconds": 0.1, "seconds": [0.1], "test_accuracy": None, "peak_rss_mb": 80.0,
            "glassnet_steps_per_second": glassnet, "loop_steps_per_second": glassnet * ratio,
            "bare_loop_steps_per_second": glassnet * ratio * 1.1, "time_ratio": ratio, "time_ratio_bare": ratio * 1.1,
            "check": {"steps": 200, "max_parameter_difference": 0.0}}


def test_new_targets_are_paired_and_judged():
    results = {
        "glassnet": [_run("glassnet", 1.0, accuracy=0.860), _run("glassnet", 2.0, accuracy=0.862)],
        "jax": [_run("jax", 1.25, accuracy=0.858), _run("jax", 2.0, accuracy=0.860)],
        "glassnet_f64": [_run("glassnet_f64", 2.0), _run("glassnet_f64", 2.0)],
        "gemm_f64": [_run("gemm_f64", 1.5, accuracy=None), _run("gemm_f64", 1.7, accuracy=None)],
        "small": [_small(1.5), _small(1.1)],
    }
    summary = bench.summarise(results, epochs=3)
    targets = summary["targets"]
    # glassnet / JAX per round: 0.8, 1.0 -> median 0.9 > 0.75
    assert targets["seconds_vs_jax"]["value"] == pytest.approx(0.9) and targets["seconds_vs_jax"]["met"] is False
    # float64 GEMM bound / glassnet per round: 0.75, 0.85 -> 0.8, the float64 floor, met
    assert targets["gemm_fraction_f64"]["value"] == pytest.approx(0.8) and targets["gemm_fraction_f64"]["met"]
    # small network: median of the rounds' ratios (1.5, 1.1) = 1.3 > 1.2
    assert targets["small_vs_loop"]["value"] == pytest.approx(1.3) and targets["small_vs_loop"]["met"] is False
    # accuracy: median over rounds 86.1% against 85.9%: 0.2 points, within 0.5
    assert targets["accuracy_gap_jax_points"]["value"] == pytest.approx(0.2)
    assert targets["accuracy_gap_jax_points"]["met"] is True
    assert targets["seconds_vs_torch"]["met"] is None  # PyTorch not run: not measured, not "no"
    table = bench.markdown(summary, {"data": "synthetic", "rows_used": 10, "sizes": [2, 2], "batch_size": 1,
                                     "epochs": 3, "rounds": 2, "skipped": {"torch": "torch not installed"}})
    assert "| JAX |" in table and "| glassnet (float64) |" in table and "| GEMM bound (float64) |" in table
    assert "| PyTorch | skipped: torch not installed |" in table
    assert "| learner-sized: glassnet time / hand-written loop's | 1.300 (rounds: 1.10 to 1.50) | at most 1.2 | no |" \
        in table
    assert "| fraction of the GEMM bound (float64) | 0.800 (rounds: 0.75 to 0.85) | at least 0.8 | yes |" in table


def test_a_missing_jax_is_skipped_with_the_reason(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "optax" else real(name, *a))
    legs, skipped = bench.available_legs(["glassnet", "jax", "small"])
    assert legs == ["glassnet", "small"] and "optax" in skipped["jax"]


@pytest.mark.skipif(not HAS_JAX, reason="JAX or optax is not installed (benchmarks/setup.sh installs them)")
def test_jax_leg_learns_the_tiny_task_in_its_own_process():
    result = bench.run_leg("jax", TINY)
    assert "error" not in result, result.get("error")
    assert len(result["seconds"]) == TINY["epochs"] and result["test_accuracy"] > 0.7
    assert f"intra_op_parallelism_threads={result['threads']}" in result["xla_flags"]
    assert result["epoch_costs"][-1] < result["epoch_costs"][0]  # the device-side cost sum falls as it learns


def test_float64_legs_run_in_float64():
    glassnet = peers.run("glassnet_f64", {**TINY, "epochs": 4})
    gemm = peers.run("gemm_f64", {**TINY, "epochs": 2})
    assert glassnet["dtype"] == gemm["dtype"] == "float64" and glassnet["leg"] == "glassnet_f64"
    assert glassnet["test_accuracy"] > 0.5 and gemm["test_accuracy"] is None


def _loop_cost(loop, W, b):
    """J = -1/n sum y ln softmax(s_L) of the loop's network on all its rows, written out again."""
    a = loop.X
    for w, bias in zip(W[:-1], b[:-1], strict=True):
        a = np.tanh(a @ w + bias)
    s = a @ W[-1] + b[-1]
    s = s - s.max(axis=1, keepdims=True)
    return float(-np.sum(loop.Y * (s - np.log(np.exp(s).sum(axis=1, keepdims=True)))) / len(s))


def test_hand_written_loop_steps_along_the_finite_difference_gradient():
    # One full batch is one SGD step: (W_before - W_after) / learning_rate is the loop's BP1-BP4 gradient,
    # which must equal central differences of J in every weight and bias (float64).
    cfg = {**smallnet.SMALL_DEFAULTS, "seed": 3, "small_rows": 20, "small_dtype": "float64"}
    net, X, Y, _ = smallnet.small_task(cfg)
    W0 = [layer.weights.copy() for layer in net.layers]
    b0 = [layer.bias.copy() for layer in net.layers]
    loop = smallnet.HandLoop(W0, b0, X, Y, batch_size=len(X), learning_rate=0.5, rng=np.random.default_rng(0))
    cost, _ = loop.run_epoch()
    assert cost == pytest.approx(_loop_cost(loop, W0, b0), rel=1e-12)  # the cost it kept is J before the step
    h = 1e-6
    for params, after in ((W0, loop.W), (b0, loop.b)):
        for k, p in enumerate(params):
            gradient = (p - after[k]) / 0.5
            numeric = np.zeros_like(p)
            for index in np.ndindex(p.shape):
                keep = p[index]
                p[index] = keep + h
                up = _loop_cost(loop, W0, b0)
                p[index] = keep - h
                down = _loop_cost(loop, W0, b0)
                p[index] = keep
                numeric[index] = (up - down) / (2 * h)
            np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-9)


def test_glassnet_reaches_the_hand_written_loops_parameters():
    # 3 epochs of 20 steps in float64 from the same start and the same batches: the same maths in the same
    # order, so the same parameters to rounding (an independent check of Trainer.run_epoch's SGD path).
    cfg = {**smallnet.SMALL_DEFAULTS, "seed": 1, "small_dtype": "float64"}
    check = smallnet.check_same_parameters(cfg, epochs=3)
    assert check["steps"] == 60
    assert check["max_parameter_difference"] <= smallnet.TOLERANCE["float64"]
    for glassnet_cost, loop_cost, glassnet_accuracy, loop_accuracy in check["costs"]:
        assert glassnet_cost == pytest.approx(loop_cost, rel=1e-12) and glassnet_accuracy == loop_accuracy
    assert check["costs"][-1][1] < check["costs"][0][1]  # and it learns: the cost falls


def test_the_parameter_check_fails_when_the_maths_differ():
    cfg = {**smallnet.SMALL_DEFAULTS, "seed": 1, "small_dtype": "float64"}
    trainer, loop = smallnet.pair(cfg)
    loop.learning_rate *= 1.01  # a 1% different step must show
    for _ in range(2):
        trainer.run_epoch()
        loop.run_epoch()
    assert smallnet.max_difference(trainer, loop) > 1e3 * smallnet.TOLERANCE["float64"]


def test_small_leg_reports_steps_per_second_and_ratios():
    result = peers.run("small", {"small_epochs_per_block": 2, "small_blocks": 2})
    assert result["steps_per_block"] == 2 * 200 // 10
    assert len(result["seconds_each_block"]["glassnet"]) == 2
    assert result["glassnet_steps_per_second"] > 0 and result["loop_steps_per_second"] > 0
    assert result["time_ratio"] > 0 and result["check"]["max_parameter_difference"] <= result["check"]["tolerance"]


def test_readme_sections_are_replaced_between_their_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# x\nbefore\n<!-- bench:results -->\nold table\n<!-- bench:results end -->\nafter\n")
    report.write_sections("| new | table |", "python benchmarks/bench.py", [readme])
    text = readme.read_text()
    assert text == ("# x\nbefore\n<!-- bench:results -->\n`python benchmarks/bench.py`:\n\n| new | table |\n"
                    "<!-- bench:results end -->\nafter\n")
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]
    (tmp_path / "other.md").write_text("no markers\n")
    with pytest.raises(ValueError, match="markers"):
        report.write_sections("t", "c", [tmp_path / "other.md"])
    assert (tmp_path / "other.md").read_text() == "no markers\n"
