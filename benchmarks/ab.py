"""A change's effect on training speed, as a ratio measured in one process: this checkout against a git ref.

The glassnet package of ``--base`` (a commit, branch or tag; default ``HEAD``) is extracted with ``git
archive`` into a temporary folder and imported as ``glassnet_base`` beside this checkout's ``glassnet``. Both
train the same network on the same rows from the same seed; their epochs alternate (base, this; this, base;
...) so that the machine's drift hits both alike, and the ratio this / base is taken within each pair. The
first epoch of each is a warm-up and not counted. A ratio below 1 means this checkout is faster.

    python benchmarks/ab.py --base HEAD                 # the benchmark network (784-256-128-10, Adam, batch 128)
    python benchmarks/ab.py --base HEAD --small         # the learner-sized network of smallnet.py (SGD, batch 10)
    python benchmarks/ab.py --base main --rows 20000 --pairs 9
    python benchmarks/ab.py --gemm                      # this checkout's fraction of the GEMM bound instead

Both sides must train to the same parameters up to rounding; the largest difference is printed with the ratio.
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))

import numpy as np  # noqa: E402
import peers  # noqa: E402
import smallnet  # noqa: E402


def import_base(ref: str, folder: Path):
    """The glassnet package as it is at ``ref``, imported as the module ``glassnet_base``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref, "glassnet"],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "glassnet").rename(folder / "glassnet_base")
    sys.path.insert(0, str(folder))
    return importlib.import_module("glassnet_base")


def big_trainer(package: str, rows: int | None, dtype: str):
    network = importlib.import_module(f"{package}.network")
    optimizers = importlib.import_module(f"{package}.optimizers")
    training = importlib.import_module(f"{package}.training")
    cfg = peers.settings({"rows": rows})
    X, y, _, _ = peers.load_data(cfg)
    net = network.Network.from_sizes(cfg["sizes"], activation="relu", cost="cross_entropy", seed=0, dtype=dtype)
    return training.Trainer(net, X, y, batch_size=128, optimizer=optimizers.Adam(1e-3), shuffle=True)


def small_trainer(package: str):
    network = importlib.import_module(f"{package}.network")
    optimizers = importlib.import_module(f"{package}.optimizers")
    training = importlib.import_module(f"{package}.training")
    cfg = {**smallnet.SMALL_DEFAULTS, "seed": 0}
    current, X, Y, _ = smallnet.small_task(cfg)
    net = network.Network.from_sizes(current.sizes, activation="tanh", cost="cross_entropy", seed=0,
                                     dtype=str(current.dtype))
    net.params[...] = current.params
    return training.Trainer(net, X, Y, batch_size=cfg["small_batch_size"],
                            optimizer=optimizers.SGD(cfg["small_learning_rate"]),
                            shuffle=True)


def timed(trainer, epochs: int) -> float:
    start = time.perf_counter()
    for _ in range(epochs):
        trainer.run_epoch()
    return time.perf_counter() - start


def gemm_fraction(rows: int, dtype: str, pairs: int) -> int:
    """GEMM time / glassnet time for one epoch each, interleaved: the share of the bound glassnet reaches."""
    cfg = peers.settings({"rows": rows, "dtype": dtype, "epochs": 1})
    data = peers.load_data(cfg)
    if dtype != "float32":
        data = (data[0].astype(dtype), *data[1:])
    this = big_trainer("glassnet", rows, dtype)
    this.X = np.ascontiguousarray(this.X, dtype=dtype)

    def gemm() -> float:
        return peers.leg_gemm(cfg, *data)[0][0]

    timed(this, 1), gemm()  # warm-up
    fractions = []
    for i in range(pairs):
        if i % 2 == 0:
            t_this, t_gemm = timed(this, 1), gemm()
        else:
            t_gemm, t_this = gemm(), timed(this, 1)
        fractions.append(t_gemm / t_this)
    print(f"784-256-128-10 ReLU, Adam, batch 128, {rows} rows, {dtype}: GEMM time / glassnet time, per pair: "
          + ", ".join(f"{f:.3f}" for f in fractions))
    print(f"median {statistics.median(fractions):.3f} over {pairs} pairs of one epoch each")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the git ref to compare against (default HEAD)")
    parser.add_argument("--small", action="store_true", help="the learner-sized network instead")
    parser.add_argument("--rows", type=int, default=20_000, help="Fashion-MNIST rows for the benchmark network")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--pairs", type=int, default=7, help="timed pairs of epochs (default 7)")
    parser.add_argument("--epochs", type=int, help="epochs per timing (default 1; 50 with --small)")
    parser.add_argument("--gemm", action="store_true",
                        help="time the matrix products alone (peers.leg_gemm) against this checkout instead")
    args = parser.parse_args(argv)
    if args.gemm:
        return gemm_fraction(args.rows, args.dtype, args.pairs)
    epochs = args.epochs or (50 if args.small else 1)
    with tempfile.TemporaryDirectory() as folder:
        import_base(args.base, Path(folder))
        make = small_trainer if args.small else (lambda p: big_trainer(p, args.rows, args.dtype))
        base, this = make("glassnet_base"), make("glassnet")
        timed(base, epochs), timed(this, epochs)  # warm-up
        ratios = []
        for i in range(args.pairs):
            if i % 2 == 0:
                t_base = timed(base, epochs)
                t_this = timed(this, epochs)
            else:
                t_this = timed(this, epochs)
                t_base = timed(base, epochs)
            ratios.append(t_this / t_base)
        difference = float(np.max(np.abs(base.network.params.astype(np.float64) - this.network.params)))
    what = "2-8-8-2 tanh, SGD, batch 10" if args.small else f"784-256-128-10 ReLU, Adam, batch 128, {args.rows} rows"
    print(f"{what}, {args.dtype}: time of this checkout / {args.base}, per pair: "
          + ", ".join(f"{r:.3f}" for r in ratios))
    print(f"median ratio {statistics.median(ratios):.3f} over {args.pairs} pairs of {epochs} epoch(s); "
          f"largest parameter difference after training {difference:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
