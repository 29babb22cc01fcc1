"""glassnet against scikit-learn, PyTorch and JAX on Fashion-MNIST: seconds per epoch, accuracy, memory.

Every implementation trains the same network, 784-256-128-10 with ReLU, softmax and cross-entropy, by
Adam (learning rate 1e-3, betas 0.9/0.999, eps 1e-8) on batches of 128 rows shuffled each epoch, in
float32, on the same rows with the same seed. Each run is a fresh process (``peers.py``), so its peak
resident memory is its own; the legs are interleaved (glassnet, scikit-learn, PyTorch, JAX, GEMM, the
float64 pair, the small network; and again) so that drift of the machine hits all alike, and glassnet's
ratio to each peer is taken within a round.

The GEMM leg is the bound: np.matmul alone doing one epoch's matrix products (forward, BP4, BP2) on the
same shapes into reused buffers. glassnet's fraction of it is GEMM time / glassnet time; the float64 pair
(glassnet_f64, gemm_f64) measures the same in float64. The small leg (``smallnet.py``) times a learner-sized
2-8-8-2 tanh network against a hand-written numpy loop of the same maths, in one process.

Usage, from the repository root (``make bench`` / ``make bench-quick`` do this in .venv)::

    python benchmarks/bench.py                 # full: all 60,000 rows, 3 epochs, 5 rounds -> results/latest.json
    python benchmarks/bench.py --quick         # a rough answer in one to two minutes -> results/quick.json
    python benchmarks/bench.py --scaling       # seconds per epoch against rows and against width
    python benchmarks/bench.py --memmap        # training from np.memmap files of growing size
    python benchmarks/bench.py --table benchmarks/results/latest.json --readme   # the tables into both READMEs

Results: a JSON record (written atomically) and markdown tables on stdout; ``--readme`` also writes them
into README.md's Performance section and benchmarks/README.md's results section (between the
``<!-- bench:results -->`` markers). See benchmarks/README.md for what is measured and why it is fair.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS = HERE / "peers.py"
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))  # glassnet from this checkout when it is not installed

import peers  # noqa: E402
from report import LEG_NAMES, TARGETS, check_targets, markdown, summarise, write_sections  # noqa: E402, F401

DEFAULT_LEGS = "glassnet,sklearn,torch,jax,gemm,glassnet_f64,gemm_f64,small"
# What each peer leg imports; a leg whose modules are missing is skipped with the reason in the table.
LEG_MODULES = {"sklearn": ("sklearn",), "torch": ("torch",), "jax": ("jax", "optax")}


# -- running legs ----------------------------------------------------------------------------------------
def child_env() -> dict:
    """The environment of a leg: this one, with the repository on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def run_leg(leg: str, config: dict, python: str = sys.executable, timeout: float = 3600) -> dict:
    """Run one leg in a fresh interpreter; its measurements, or ``{"leg", "error"}`` if it failed."""
    command = [python, str(PEERS), "--leg", leg, "--config", json.dumps(config)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=child_env(), timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"leg": leg, "error": f"timed out after {timeout:g} s"}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
    return {"leg": leg, "error": f"exit code {done.returncode}: " + " | ".join(tail)}


def available_legs(requested: list[str]) -> tuple[list[str], dict]:
    """The requested legs that can run here, and why any others cannot."""
    skipped = {}
    legs = []
    for leg in requested:
        missing = [m for m in LEG_MODULES.get(leg, ()) if importlib.util.find_spec(m) is None]
        if missing:
            skipped[leg] = f"{' and '.join(missing)} not installed (make bench installs it)"
        else:
            legs.append(leg)
    return legs, skipped


def interleaved(legs: list[str], config: dict, rounds: int, log=print) -> dict[str, list[dict]]:
    """``rounds`` rounds of every leg in turn: A B C, A B C, ..."""
    results: dict[str, list[dict]] = {leg: [] for leg in legs}
    for r in range(rounds):
        for leg in legs:  # each round its own seed, the same for every leg of the round
            result = run_leg(leg, {**config, "seed": config.get("seed", 0) + r})
            results[leg].append(result)
            if "error" in result:
                log(f"round {r + 1}/{rounds} {leg}: FAILED {result['error']}")
            elif leg == "small":
                log(f"round {r + 1}/{rounds} small: glassnet {result['glassnet_steps_per_second']:,.0f} steps/s, "
                    f"loop {result['loop_steps_per_second']:,.0f} steps/s, time ratio {result['time_ratio']:.2f}")
            else:
                log(f"round {r + 1}/{rounds} {leg}: {result['median_seconds']:.3f} s/epoch "
                    f"(epochs {', '.join(f'{s:.3f}' for s in result['seconds'])}), "
                    f"peak RSS {result['peak_rss_mb']:.0f} MB")
    return results


# -- the record ------------------------------------------------------------------------------------------
def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for name in ("scikit-learn", "torch", "jax", "jaxlib", "optax", "numba", "threadpoolctl"):
        try:  # the version without importing (an import would grow this process, and so every leg)
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(), "versions": versions,
            "openblas_env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                             "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}}


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as JSON atomically: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- scaling and memmap ----------------------------------------------------------------------------------
def scaling(base: dict, legs: list[str], repeats: int = 3, log=print) -> dict:
    """Seconds per epoch against the number of rows and against the width of the hidden layers.

    Each cell is the median of ``repeats`` runs (each a fresh process), legs interleaved.
    """

    def measure(config: dict) -> dict:
        runs: dict[str, list[float]] = {leg: [] for leg in legs}
        for _ in range(repeats):
            for leg in legs:
                seconds = run_leg(leg, config).get("median_seconds")
                if seconds is not None:
                    runs[leg].append(seconds)
        return {leg: (statistics.median(v) if v else None) for leg, v in runs.items()}

    table: dict[str, Any] = {"rows": [], "width": [], "repeats": repeats}
    for rows in (10_000, 20_000, 30_000, 40_000, 50_000, 60_000):
        row = {"rows": rows, **measure({**base, "rows": rows})}
        table["rows"].append(row)
        log(json.dumps(row))
    for width in (64, 128, 256, 512, 1024):
        sizes = [784, width, width // 2, 10]
        row = {"width": width, "sizes": sizes, **measure({**base, "sizes": sizes})}
        table["width"].append(row)
        log(json.dumps(row))
    return table


def scaling_markdown(table: dict, legs: list[str]) -> str:
    def cell(v):
        return "-" if v is None else f"{v:.3f}"

    head = " | ".join(f"{LEG_NAMES[leg]} s/epoch" for leg in legs)
    lines = [f"| training rows | {head} | glassnet s/epoch per 10k rows |", "|---:|" + "---:|" * (len(legs) + 1)]
    for row in table["rows"]:
        per = None if row.get("glassnet") is None else row["glassnet"] / (row["rows"] / 10_000)
        lines.append(f"| {row['rows']} | " + " | ".join(cell(row.get(leg)) for leg in legs) + f" | {cell(per)} |")
    lines += ["", f"| hidden widths | {head} |", "|---|" + "---:|" * len(legs)]
    for row in table["width"]:
        cells = " | ".join(cell(row.get(leg)) for leg in legs)
        lines.append(f"| {row['sizes'][1]}-{row['sizes'][2]} | {cells} |")
    return "\n".join(lines)


def make_memmap_file(folder: Path, rows: int, source: np.ndarray, labels: np.ndarray) -> Path:
    """A float32 .npy file of ``rows`` rows (the source rows repeated), and its labels beside it."""
    path = folder / f"train-{rows}.npy"
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, source.shape[1]))
    for begin in range(0, rows, len(source)):
        end = min(rows, begin + len(source))
        X[begin:end] = source[: end - begin]
    X.flush()
    del X
    np.save(str(path).replace(".npy", "-labels.npy"), np.resize(labels, rows).astype(np.int64))
    return path


def memmap_table(base: dict, folder: Path, sizes: list[int], log=print) -> list[dict]:
    """Train one epoch from np.memmap files of growing size; memory per file size."""
    from glassnet.datasets.idx import load_fashion_mnist

    train, _ = load_fashion_mnist(base.get("data_dir"))
    rows_out = []
    buffer_mb = base["batch_size"] * 784 * 4 / 1e6
    for rows in sizes:
        path = make_memmap_file(folder, rows, train.X, train.y)
        result = run_leg("glassnet", {**base, "memmap": str(path), "epochs": 1})
        file_mb = path.stat().st_size / 1e6
        row = {"rows": rows, "file_mb": file_mb, "file_over_batch_buffer": file_mb / buffer_mb,
               **{k: result.get(k) for k in ("median_seconds", "peak_rss_mb", "peak_anon_mb", "error")}}
        rows_out.append(row)
        log(json.dumps(row))
        path.unlink()
        Path(str(path).replace(".npy", "-labels.npy")).unlink()
    return rows_out


def memmap_markdown(rows: list[dict]) -> str:
    lines = ["| rows in the file | file (MB) | file / batch buffer | s/epoch | peak anonymous memory (MB) | "
             "peak RSS incl. mapped file pages (MB) |", "|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r.get("error"):
            lines.append(f"| {r['rows']} | {r['file_mb']:.0f} | | failed: {r['error'][:60]} | | |")
            continue
        lines.append(f"| {r['rows']} | {r['file_mb']:.0f} | {r['file_over_batch_buffer']:.0f}x | "
                     f"{r['median_seconds']:.2f} | {r['peak_anon_mb']:.0f} | {r['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


# -- main ------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="15,000 rows, 3 epochs, 3 rounds: one to two minutes")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 5, quick 3)")
    parser.add_argument("--epochs", type=int, help="epochs per run (default 3)")
    parser.add_argument("--rows", type=int, help="training rows (default all 60,000; quick 15,000)")
    parser.add_argument("--legs", default=DEFAULT_LEGS, help=f"comma-separated legs to run (default {DEFAULT_LEGS})")
    parser.add_argument("--data-dir", help="folder with the Fashion-MNIST IDX files (else the usual places)")
    parser.add_argument("--synthetic", type=int, metavar="N",
                        help="use N random rows instead of Fashion-MNIST (tests the harness)")
    parser.add_argument("--scaling", action="store_true", help="s/epoch against rows and against width")
    parser.add_argument("--memmap", action="store_true", help="train from np.memmap files of growing size")
    parser.add_argument("--memmap-dir", help="where to write the memmap files (default: a temporary folder)")
    parser.add_argument("--out", type=Path, help="the JSON file (default benchmarks/results/latest.json, "
                        "quick.json with --quick, scaling.json or memmap.json)")
    parser.add_argument("--table", type=Path, metavar="JSON", help="print the tables of an earlier run's record")
    parser.add_argument("--readme", action="store_true", help="also write the tables into README.md's "
                        "Performance section and benchmarks/README.md (do this from a full run on an idle machine)")
    args = parser.parse_args(argv)
    readmes = [ROOT / "README.md", HERE / "README.md"]
    if args.table:
        record = json.loads(args.table.read_text())
        table = markdown(record["summary"], record["settings"])
        print(table)
        if args.readme:
            write_sections(table, record["command"], readmes)
        return 0

    epochs = args.epochs or 3
    rounds = args.rounds or (3 if args.quick else 5)
    rows = args.rows or (15_000 if args.quick else None)
    config = {"epochs": epochs, "rows": rows, "data_dir": args.data_dir}
    if args.synthetic:
        config.update(data="synthetic", n_synthetic=args.synthetic, n_test_synthetic=max(args.synthetic // 4, 10))
    legs, skipped = available_legs([leg.strip() for leg in args.legs.split(",") if leg.strip()])
    for leg, why in skipped.items():
        print(f"skipping {leg}: {why}", file=sys.stderr)
    settings = {**peers.settings(config), "rounds": rounds, "legs": legs, "skipped": skipped}
    record = {"command": " ".join([Path(sys.executable).name, *sys.argv]),
              "started": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(), "settings": settings}
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    if args.scaling:
        scale_legs = [leg for leg in legs if leg in ("glassnet", "gemm", "torch")]
        record["scaling"] = scaling({**config, "epochs": max(epochs, 3)}, scale_legs, args.rounds or 3, log)
        write_json(args.out or HERE / "results" / "scaling.json", record)
        print(scaling_markdown(record["scaling"], scale_legs))
        return 0
    if args.memmap:
        sizes = [12_800, 64_000, 256_000, 512_000]
        with tempfile.TemporaryDirectory(dir=args.memmap_dir) as folder:
            record["memmap"] = memmap_table({**config, "batch_size": 128}, Path(folder), sizes, log)
        write_json(args.out or HERE / "results" / "memmap.json", record)
        print(memmap_markdown(record["memmap"]))
        return 0

    results = interleaved(legs, config, rounds, log)
    summary = summarise(results, epochs)
    first = next((r for runs in results.values() for r in runs if "rows" in r), {})
    settings["rows_used"] = first.get("rows", rows)
    settings["blas"] = first.get("blas")
    record.update(summary=summary, runs=results, finished=time.strftime("%Y-%m-%d %H:%M:%S"))
    write_json(args.out or HERE / "results" / ("quick.json" if args.quick else "latest.json"), record)
    table = markdown(summary, settings)
    print(table)
    if args.readme:
        write_sections(table, record["command"], readmes)
    if settings["blas"]:
        blas = settings["blas"][0]
        print(f"\nBLAS: {blas.get('internal_api')} {blas.get('version')}, kernel {blas.get('architecture')}, "
              f"{blas.get('num_threads')} threads. Command: {record['command']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
