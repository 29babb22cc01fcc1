"""A fully connected network that reaches >= 90% test accuracy on Fashion-MNIST, and how it was chosen.

Two stages, kept apart so the test set never steers a choice:

1. ``--search``: carve a validation split of 10,000 rows (seeded) out of the 60,000 training rows, train
   each candidate on the remaining 50,000 and measure it on the validation rows only. The candidate with
   the best validation accuracy is the recipe.
2. (default) train the recipe on all 60,000 training rows and measure it once on the 10,000 test rows,
   with the wall time.

Run from the repository root::

    PYTHONPATH=. python benchmarks/fashion_recipe.py --search     # choose (validation only)
    PYTHONPATH=. python benchmarks/fashion_recipe.py              # train the recipe, report test accuracy

Results go to benchmarks/results/fashion_recipe.json (search) and fashion_recipe_final.json (test).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from glassnet.datasets.idx import load_fashion_mnist  # noqa: E402
from glassnet.network import Network  # noqa: E402
from glassnet.optimizers import Adam, Cosine  # noqa: E402
from glassnet.training import fit  # noqa: E402

# The candidates tried on the validation split: widths, epochs, L2 strength (in glassnet's units,
# cost + l2/(2n) sum W^2), all with Adam and a cosine-annealed learning rate, batch 128, ReLU.
CANDIDATES = [
    {"sizes": [784, 512, 256, 10], "epochs": 30, "learning_rate": 1e-3, "l2": 0.0},
    {"sizes": [784, 512, 256, 10], "epochs": 30, "learning_rate": 1e-3, "l2": 5.0},
    {"sizes": [784, 512, 256, 10], "epochs": 20, "learning_rate": 1e-3, "l2": 0.0},
]
# The recipe: the candidate the validation split chose (see results/fashion_recipe.json).
RECIPE = {"sizes": [784, 512, 256, 10], "epochs": 20, "learning_rate": 1e-3, "l2": 0.0}
SEED = 0
N_VALIDATION = 10_000


def train(settings: dict, X: np.ndarray, y: np.ndarray, validation=None, verbose: bool = False):
    """A network trained with ``settings`` on (X, y); returns (network, history, seconds)."""
    net = Network.from_sizes(settings["sizes"], activation="relu", cost="cross_entropy", seed=SEED)
    schedule = Cosine(settings["learning_rate"], epochs=settings["epochs"])
    start = time.perf_counter()
    history = fit(
        net, X, y, settings["epochs"], batch_size=128, optimizer=Adam(schedule), l2=settings["l2"],
        validation_data=validation, verbose=verbose,
    )
    return net, history, time.perf_counter() - start


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as JSON atomically (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)


def search(X: np.ndarray, y: np.ndarray, verbose: bool) -> dict:
    order = np.random.default_rng(SEED).permutation(len(X))
    val_rows, train_rows = np.sort(order[:N_VALIDATION]), np.sort(order[N_VALIDATION:])
    X_train, y_train, X_val, y_val = X[train_rows], y[train_rows], X[val_rows], y[val_rows]
    path = HERE / "results" / "fashion_recipe.json"
    # Resumable: candidates already measured (same settings, same split) are kept, not run again.
    results = json.loads(path.read_text())["candidates"] if path.exists() else []
    for settings in CANDIDATES:
        if any(all(r[k] == v for k, v in settings.items()) for r in results):
            continue
        net, history, seconds = train(settings, X_train, y_train, (X_val, y_val), verbose)
        row = {**settings, "val_accuracy": history.val_accuracy[-1], "best_val_accuracy": max(history.val_accuracy),
               "seconds": seconds}
        results.append(row)
        print(json.dumps(row), flush=True)
        write_json(path, {"validation_rows": N_VALIDATION, "seed": SEED, "candidates": results})
    best = max(results, key=lambda r: r["val_accuracy"])
    return {"validation_rows": N_VALIDATION, "seed": SEED, "candidates": results, "chosen": best}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", action="store_true", help="choose among the candidates on a validation split")
    parser.add_argument("--data-dir", default=None, help="folder with the Fashion-MNIST IDX files")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    train_set, test_set = load_fashion_mnist(args.data_dir)
    if args.search:
        report = search(train_set.X, train_set.y, args.verbose)
        write_json(HERE / "results" / "fashion_recipe.json", report)
        print("chosen:", json.dumps(report["chosen"]))
        return 0
    net, history, seconds = train(RECIPE, train_set.X, train_set.y, verbose=args.verbose)
    accuracy = float(np.mean(net.predict_classes(test_set.X) == test_set.y))
    report = {
        "recipe": RECIPE, "batch_size": 128, "optimizer": "adam + cosine", "seed": SEED,
        "test_accuracy": accuracy, "train_seconds": seconds, "seconds_per_epoch": seconds / RECIPE["epochs"],
        "final_train_accuracy": history.accuracy[-1], "cpu_count": os.cpu_count(),
    }
    write_json(HERE / "results" / "fashion_recipe_final.json", report)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
