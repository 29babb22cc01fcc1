"""Summarising a benchmark run: medians over rounds, paired ratios, the targets, and the markdown tables.

``summarise`` turns the runs of ``bench.interleaved`` into medians and ratios; every ratio is taken pair by
pair within a round (both legs saw the same machine at nearly the same time), then their median.
``check_targets`` judges each target of issue 14 against its limit; ``markdown`` writes the tables;
``write_sections`` puts them into README.md's Performance section and benchmarks/README.md's results
section, between ``<!-- bench:... -->`` markers, from one run's record.
"""

from __future__ import annotations

import os
import re
import statistics
from pathlib import Path

LEG_NAMES = {
    "glassnet": "glassnet",
    "sklearn": "scikit-learn",
    "torch": "PyTorch",
    "jax": "JAX",
    "gemm": "GEMM bound",
    "glassnet_f64": "glassnet (float64)",
    "gemm_f64": "GEMM bound (float64)",
    "small": "learner-sized network",
}
# The targets (floors and ceilings), each a ratio measured within one run.
TARGETS = {
    "vs_torch": 0.55,             # glassnet s/epoch / PyTorch's, at most
    "vs_jax": 0.75,               # glassnet s/epoch / JAX's, at most
    "vs_sklearn": 0.5,            # glassnet s/epoch / scikit-learn's, at most
    "gemm_fraction": 0.85,        # GEMM bound s/epoch / glassnet's, float32, at least
    "gemm_fraction_f64": 0.80,    # the same in float64 against the float64 bound, at least
    "small_vs_loop": 1.2,         # learner-sized: glassnet time / the hand-written loop's, at most
    "accuracy_points": 0.5,       # test accuracy within this many points of each peer (PyTorch, JAX)
    "rss_factor": 1.3,            # peak RSS at most 1.3 x (dataset + 100 MB)
}
TARGET_NAMES = {
    "seconds_vs_torch": "glassnet s/epoch / PyTorch's",
    "seconds_vs_jax": "glassnet s/epoch / JAX's",
    "seconds_vs_sklearn": "glassnet s/epoch / scikit-learn's",
    "gemm_fraction": "fraction of the GEMM bound (float32)",
    "gemm_fraction_f64": "fraction of the GEMM bound (float64)",
    "small_vs_loop": "learner-sized: glassnet time / hand-written loop's",
    "accuracy_gap_points": "test accuracy gap to PyTorch (points)",
    "accuracy_gap_jax_points": "test accuracy gap to JAX (points)",
    "peak_rss_mb": "glassnet peak RSS (MB)",
}
AT_LEAST = ("gemm_fraction", "gemm_fraction_f64")  # floors; every other target is a ceiling
MAIN_ROWS = ("glassnet", "jax", "torch", "sklearn", "gemm", "glassnet_f64", "gemm_f64")


def _ok(runs: list[dict]) -> list[dict]:
    return [r for r in runs if "error" not in r]


def _paired(results: dict, a: str, b: str, ratio) -> list[float]:
    """``ratio(a_run, b_run)`` for each round in which both legs ran."""
    pairs = zip(results.get(a, []), results.get(b, []), strict=False)
    return [ratio(x, y) for x, y in pairs if "error" not in x and "error" not in y]


def _small_summary(ok: list[dict]) -> dict:
    """Medians over rounds of the small-network leg's steps per second and its time ratios."""
    median = lambda key: statistics.median(r[key] for r in ok)  # noqa: E731
    return {
        "glassnet_steps_per_second": median("glassnet_steps_per_second"),
        "loop_steps_per_second": median("loop_steps_per_second"),
        "bare_loop_steps_per_second": median("bare_loop_steps_per_second"),
        "time_ratio": median("time_ratio"),
        "time_ratio_bare": median("time_ratio_bare"),
        "time_ratio_each_round": [r["time_ratio"] for r in ok],
        "max_parameter_difference": max(r["check"]["max_parameter_difference"] for r in ok),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in ok),
        "rounds": len(ok),
    }


def summarise(results: dict[str, list[dict]], epochs: int) -> dict:
    """Medians over rounds, the paired ratios, and which targets are met."""
    legs: dict[str, dict] = {}
    for leg, runs in results.items():
        ok = _ok(runs)
        if not ok:
            legs[leg] = {"error": runs[0]["error"] if runs else "not run"}
            continue
        if leg == "small":
            legs[leg] = _small_summary(ok)
            continue
        seconds = statistics.median(r["median_seconds"] for r in ok)
        accuracies = [r["test_accuracy"] for r in ok if r["test_accuracy"] is not None]
        legs[leg] = {
            "seconds_per_epoch": seconds,
            "seconds_per_epoch_each_round": [r["median_seconds"] for r in ok],
            "gflops": ok[0]["flops_per_epoch"] / seconds / 1e9,
            "test_accuracy": statistics.median(accuracies) if accuracies else None,
            "peak_rss_mb": max(r["peak_rss_mb"] for r in ok),
            "dataset_mb": ok[0]["dataset_mb"],
            "rounds": len(ok),
        }
    speed = lambda a, b: a["median_seconds"] / b["median_seconds"]  # noqa: E731
    ratios = {
        "vs_torch": _paired(results, "glassnet", "torch", speed),
        "vs_jax": _paired(results, "glassnet", "jax", speed),
        "vs_sklearn": _paired(results, "glassnet", "sklearn", speed),
        "gemm_fraction": _paired(results, "gemm", "glassnet", speed),
        "gemm_fraction_f64": _paired(results, "gemm_f64", "glassnet_f64", speed),
        "small_vs_loop": [r["time_ratio"] for r in _ok(results.get("small", []))],
    }
    summary = {"legs": legs, "ratios": {k: (statistics.median(v) if v else None) for k, v in ratios.items()},
               "ratios_each_round": ratios}
    summary["targets"] = check_targets(summary, epochs)
    return summary


def _entry(value, limit, at_most: bool) -> dict:
    met = None if value is None else bool(value <= limit if at_most else value >= limit)
    return {"value": value, "limit": limit, "met": met}


def check_targets(summary: dict, epochs: int) -> dict:
    """Each target with the measured value and whether it is met (None: not measured in this run)."""
    legs, ratios = summary["legs"], summary["ratios"]
    targets = {
        "seconds_vs_torch": _entry(ratios.get("vs_torch"), TARGETS["vs_torch"], at_most=True),
        "seconds_vs_jax": _entry(ratios.get("vs_jax"), TARGETS["vs_jax"], at_most=True),
        "seconds_vs_sklearn": _entry(ratios.get("vs_sklearn"), TARGETS["vs_sklearn"], at_most=True),
        "gemm_fraction": _entry(ratios.get("gemm_fraction"), TARGETS["gemm_fraction"], at_most=False),
        "gemm_fraction_f64": _entry(ratios.get("gemm_fraction_f64"), TARGETS["gemm_fraction_f64"], at_most=False),
        "small_vs_loop": _entry(ratios.get("small_vs_loop"), TARGETS["small_vs_loop"], at_most=True),
    }
    glassnet = legs.get("glassnet", {})
    for key, peer in (("accuracy_gap_points", "torch"), ("accuracy_gap_jax_points", "jax")):
        other = legs.get(peer, {})
        gap = None
        if glassnet.get("test_accuracy") is not None and other.get("test_accuracy") is not None:
            gap = 100 * abs(glassnet["test_accuracy"] - other["test_accuracy"])
        targets[key] = {**_entry(gap, TARGETS["accuracy_points"], at_most=True), "epochs": epochs}
    if "peak_rss_mb" in glassnet:
        limit = TARGETS["rss_factor"] * (glassnet["dataset_mb"] + 100)
        targets["peak_rss_mb"] = _entry(glassnet["peak_rss_mb"], limit, at_most=True)
    return targets


def _spread(values: list[float]) -> str:
    return f" (rounds: {min(values):.2f} to {max(values):.2f})" if len(values) > 1 else ""


def markdown(summary: dict, settings: dict) -> str:
    """The results as markdown tables: the benchmark network, the learner-sized network, the targets."""
    legs, ratios = summary["legs"], summary["ratios"]
    skipped = settings.get("skipped") or {}
    lines = [
        f"{settings['data']}, {settings['rows_used']} training rows, {'-'.join(map(str, settings['sizes']))} ReLU, "
        f"Adam, batch {settings['batch_size']}, {settings['epochs']} epochs, {settings['rounds']} interleaved rounds, "
        f"{os.cpu_count()} cores",
        "",
        "| implementation | s/epoch (median) | GFLOP/s | test accuracy | peak RSS (MB) | glassnet time / this |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    inverse = lambda r: None if not r else 1 / r  # noqa: E731
    ratio_of = {"glassnet": 1.0, "torch": ratios.get("vs_torch"), "jax": ratios.get("vs_jax"),
                "sklearn": ratios.get("vs_sklearn"), "gemm": inverse(ratios.get("gemm_fraction")),
                "glassnet_f64": 1.0, "gemm_f64": inverse(ratios.get("gemm_fraction_f64"))}
    for leg in MAIN_ROWS:
        if leg in skipped:
            lines.append(f"| {LEG_NAMES[leg]} | skipped: {skipped[leg]} | | | | |")
            continue
        if leg not in legs:
            continue
        row = legs[leg]
        if "error" in row:
            lines.append(f"| {LEG_NAMES[leg]} | failed: {row['error'][:60]} | | | | |")
            continue
        accuracy = "-" if row["test_accuracy"] is None else f"{100 * row['test_accuracy']:.2f}%"
        ratio = "-" if ratio_of[leg] is None else f"{ratio_of[leg]:.2f}"
        lines.append(f"| {LEG_NAMES[leg]} | {row['seconds_per_epoch']:.3f} | {row['gflops']:.1f} | {accuracy} | "
                     f"{row['peak_rss_mb']:.0f} | {ratio} |")
    if "glassnet_f64" in legs or "gemm_f64" in legs:
        lines += ["", "(The float64 rows' ratio is against glassnet in float64.)"]
    small = legs.get("small")
    if small is not None or "small" in skipped:
        lines += ["", "Learner-sized network: 2-8-8-2 tanh, softmax cross-entropy, SGD 0.3, batch 10, 200 xor points, "
                  "float32; interleaved blocks in one process.", "",
                  "| implementation | steps/s (median) | glassnet time / this |", "|---|---:|---:|"]
        if "small" in skipped:
            lines.append(f"| {LEG_NAMES['small']} | skipped: {skipped['small']} | |")
        elif "error" in small:
            lines.append(f"| {LEG_NAMES['small']} | failed: {small['error'][:60]} | |")
        else:
            lines += [
                f"| glassnet `Trainer.run_epoch` | {small['glassnet_steps_per_second']:,.0f} | 1.00 |",
                f"| hand-written numpy loop (same maths, keeps cost and accuracy) | "
                f"{small['loop_steps_per_second']:,.0f} | {small['time_ratio']:.2f} |",
                f"| the same loop without cost and accuracy | {small['bare_loop_steps_per_second']:,.0f} | "
                f"{small['time_ratio_bare']:.2f} |",
                "",
                f"Largest parameter difference, glassnet against the loop, after the check's steps: "
                f"{small['max_parameter_difference']:.3g}.",
            ]
    lines += ["", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    each = summary.get("ratios_each_round", {})
    spread_of = {"seconds_vs_torch": "vs_torch", "seconds_vs_jax": "vs_jax", "seconds_vs_sklearn": "vs_sklearn",
                 "gemm_fraction": "gemm_fraction", "gemm_fraction_f64": "gemm_fraction_f64",
                 "small_vs_loop": "small_vs_loop"}
    for key, target in summary["targets"].items():
        # three decimals, so that a ratio just past its limit (1.2004 against 1.2) does not print as the limit
        value = "-" if target["value"] is None else f"{target['value']:.{0 if key == 'peak_rss_mb' else 3}f}"
        if target["value"] is not None and key in spread_of:
            value += _spread(each.get(spread_of[key], []))
        met = {True: "yes", False: "no", None: "not measured"}[target["met"]]
        limit = f"{'at least' if key in AT_LEAST else 'at most'} {target['limit']:.3g}"
        lines.append(f"| {TARGET_NAMES[key]} | {value} | {limit} | {met} |")
    return "\n".join(lines)


# -- writing the READMEs ---------------------------------------------------------------------------------
def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with what lies between ``<!-- bench:NAME -->`` and ``<!-- bench:NAME end -->`` replaced."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- bench:{name} end -->"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"no {begin} ... {end} markers to write the results between")
    return pattern.sub(lambda _: f"{begin}\n{body.strip()}\n{end}", text, count=1)


def write_sections(table: str, command: str, paths: list[Path], name: str = "results") -> None:
    """Write ``table`` (with the command that produced it) between the markers of each file, atomically."""
    body = f"`{command}`:\n\n{table}"
    texts = [replace_section(path.read_text(), name, body) for path in paths]  # every file checked first
    for path, text in zip(paths, texts, strict=True):
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
