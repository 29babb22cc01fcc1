"""Which starting weights should ``Network.from_sizes`` draw? A measurement on small real data sets.

For each hidden activation (relu, tanh, sigmoid) and each data set that ships with scikit-learn and loads
offline (digits, breast_cancer, wine, iris: accuracy; diabetes: R^2), ten paired seeds: seed k draws one
held-out split (25%, stratified for classification) that every leg shares, and seeds every leg's weights.

Legs (one hidden layer of 64 neurons, the same training for all; see ``glassnet.initializers``):

- ``glorot_he``: glassnet's Dense default, Glorot uniform (sigmoid, tanh) or He normal (relu), biases 0;
- ``sklearn``: Glorot uniform weights and biases with scikit-learn's bound (sqrt(2/...) for sigmoid);
- ``pytorch``: nn.Linear's default, U(-1/sqrt(n_in), 1/sqrt(n_in)) for weights and biases;
- ``scikit-learn``: scikit-learn's own MLPClassifier / MLPRegressor, the reference.

Training, alike in every leg: Adam, learning rate 1e-3, batches of min(200, n) rows shuffled each epoch
(scikit-learn's defaults), L2 1e-4 (scikit-learn's alpha, the same ``alpha / (2 n) sum W^2``), 200 epochs
with no early stop (scikit-learn: ``tol=0, n_iter_no_change=10**9``). Inputs standardised on the training
rows; for diabetes the target too (R^2 does not change under that rescaling). One difference remains:
scikit-learn's regression loss is half the mean squared error, glassnet's is the mean, so glassnet's
regression steps are twice as large at the same learning rate.

Usage: ``python benchmarks/init_study.py [--seeds 10] [--epochs 200]``; writes
``benchmarks/results/init_study.json`` (atomically) and prints a markdown table: each leg's mean score over
the seeds, its mean paired difference from scikit-learn's MLP, and wins/losses against it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sklearn import datasets  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import accuracy_score, r2_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from glassnet import Network  # noqa: E402

DATASETS = {
    "digits": (datasets.load_digits, "classify"),
    "breast_cancer": (datasets.load_breast_cancer, "classify"),
    "wine": (datasets.load_wine, "classify"),
    "iris": (datasets.load_iris, "classify"),
    "diabetes": (datasets.load_diabetes, "regress"),
}
ACTIVATIONS = ("relu", "tanh", "sigmoid")
SCHEMES = ("glorot_he", "sklearn", "pytorch")
HIDDEN = 64
SKLEARN_NAMES = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic"}


def split(name: str, seed: int):
    load, task = DATASETS[name]
    X, y = load(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y if task == "classify" else None
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    if task == "regress":
        mean, std = y_train.mean(), y_train.std()
        y_train, y_test = (y_train - mean) / std, (y_test - mean) / std
    return X_train, X_test, y_train, y_test, task


def run_glassnet(scheme, activation, data, seed, epochs):
    X_train, X_test, y_train, y_test, task = data
    if task == "regress":
        n_out, cost = 1, "mse"
    else:
        n_classes = len(np.unique(y_train))
        n_out, cost = (1, "binary_cross_entropy") if n_classes == 2 else (n_classes, "cross_entropy")
    net = Network.from_sizes(
        [X_train.shape[1], HIDDEN, n_out], activation=activation, cost=cost, seed=seed, init=scheme
    )
    net.fit(X_train, y_train, epochs=epochs, batch_size=min(200, len(X_train)), optimizer="adam",
            learning_rate=1e-3, l2=1e-4)
    if task == "regress":
        return float(r2_score(y_test, net.predict(X_test)[:, 0]))
    return float(accuracy_score(y_test, net.predict_classes(X_test)))


def run_sklearn(activation, data, seed, epochs):
    X_train, X_test, y_train, y_test, task = data
    kind = MLPRegressor if task == "regress" else MLPClassifier
    model = kind(hidden_layer_sizes=(HIDDEN,), activation=SKLEARN_NAMES[activation], solver="adam",
                 learning_rate_init=1e-3, alpha=1e-4, batch_size=min(200, len(X_train)), max_iter=epochs,
                 tol=0.0, n_iter_no_change=10**9, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    score = r2_score if task == "regress" else accuracy_score
    return float(score(y_test, model.predict(X_test)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--out", default=str(HERE / "results" / "init_study.json"))
    args = parser.parse_args(argv)
    legs = [*SCHEMES, "scikit-learn"]
    scores: dict = {}
    start = time.perf_counter()
    for name in args.datasets.split(","):
        for seed in range(args.seeds):
            data = split(name, seed)
            for activation in ACTIVATIONS:
                row = scores.setdefault(name, {}).setdefault(activation, {leg: [] for leg in legs})
                for scheme in SCHEMES:
                    row[scheme].append(run_glassnet(scheme, activation, data, seed, args.epochs))
                row["scikit-learn"].append(run_sklearn(activation, data, seed, args.epochs))
        print(f"{name} done ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    record = {"seeds": args.seeds, "epochs": args.epochs, "hidden": HIDDEN, "scores": scores}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=out.parent, delete=False, suffix=".tmp") as handle:
        json.dump(record, handle, indent=1)
    os.replace(handle.name, out)
    print(table(record))


def table(record: dict) -> str:
    """Markdown: mean score per leg; for each glassnet leg the mean paired difference from scikit-learn."""
    lines = [
        "| data (metric) | activation | scikit-learn | " + " | ".join(f"{s} (diff, W/L)" for s in SCHEMES) + " |",
        "|---|---|---|" + "---|" * len(SCHEMES),
    ]
    totals = {s: [] for s in SCHEMES}
    for name, by_activation in record["scores"].items():
        metric = "R^2" if DATASETS[name][1] == "regress" else "acc"
        for activation, legs in by_activation.items():
            reference = np.array(legs["scikit-learn"])
            cells = []
            for scheme in SCHEMES:
                diff = np.array(legs[scheme]) - reference
                totals[scheme].append(diff.mean())
                cells.append(f"{np.mean(legs[scheme]):.4f} ({diff.mean():+.4f}, {np.sum(diff > 0)}/{np.sum(diff < 0)})")
            lines.append(f"| {name} ({metric}) | {activation} | {reference.mean():.4f} | " + " | ".join(cells) + " |")
    lines.append(
        "| mean paired difference from scikit-learn | | | "
        + " | ".join(f"{np.mean(totals[s]):+.4f}" for s in SCHEMES) + " |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
