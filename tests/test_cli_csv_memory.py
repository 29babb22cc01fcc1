"""``glassnet train FILE.csv`` reads the file once and holds its rows at most about twice; its model is the one
an independent path (the csv module, the split, one-hot encoding and fill values done by hand) leads to."""

from __future__ import annotations

import csv
import hashlib
import tracemalloc
from pathlib import Path

import numpy as np

from glassnet.cli import main
from glassnet.cli.models import Model
from glassnet.datasets import train_test_split
from glassnet.network import Network
from glassnet.training import Trainer

COLOURS = ["red", "green", "blue", "amber", "teal", "plum"]
SHOPS = ["north", "south", "east"]


def write_table(path: Path, n: int = 30000, k: int = 24, seed: int = 7) -> None:
    """A CSV of ``k`` numeric columns (5% blank), two text columns (a few blank, a rare category in a handful
    of rows) and a text label of three classes."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(n, k)) * rng.uniform(0.5, 50, size=k)
    blank = rng.random((n, k)) < 0.05
    colour = np.array(COLOURS)[rng.integers(len(COLOURS), size=n)].astype(object)
    colour[rng.random(n) < 0.03] = ""
    rare = rng.choice(n, size=6, replace=False)
    colour[rare] = [f"rare{i}" for i in range(6)]
    shop = np.array(SHOPS)[rng.integers(len(SHOPS), size=n)].astype(object)
    shop[rng.random(n) < 0.03] = ""
    label = np.array(["no", "yes", "maybe"])[(values[:, 0] > 0).astype(int) + (values[:, 1] > 0)]
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*[f"x{j}" for j in range(k)], "colour", "shop", "label"])
        for i in range(n):
            cells = ["" if blank[i, j] else repr(float(values[i, j])) for j in range(k)]
            writer.writerow([*cells, colour[i], shop[i], label[i]])


def encode_by_hand(path: Path, fraction: float, seed: int):
    """The file read with the csv module, split with train_test_split, and encoded from the training rows: the
    categories (sorted) and fill values (mean; a text column's most frequent category) of those rows alone."""
    with path.open(newline="") as f:
        header, *rows = list(csv.reader(f))
    target = header.index("label")
    classes = sorted({row[target] for row in rows})
    y = np.array([classes.index(row[target]) for row in rows], dtype=np.int64)
    train, test, _, _ = train_test_split(np.arange(len(rows)), y, test_size=fraction, seed=seed)
    learning = np.zeros(len(rows), dtype=bool)
    learning[train] = True
    blocks, names, categories, fills, unseen = [], [], {}, {}, {}
    for j, name in enumerate(header):
        if j == target:
            continue
        cells = [row[j] for row in rows]
        if name in ("colour", "shop"):
            seen = [c for c, keep in zip(cells, learning, strict=True) if keep and c]
            cats = sorted(set(seen))
            counts = {c: seen.count(c) for c in cats}
            fill = min(cats, key=lambda c: (-counts[c], c))  # the most frequent; the smallest of a tie
            block = np.zeros((len(rows), len(cats)))
            for i, c in enumerate(cells):
                c = c or fill
                if c in cats:
                    block[i, cats.index(c)] = 1.0
            categories[name], fills[name] = cats, fill
            unseen[name] = sorted({c for c in cells if c and c not in cats})
            names += [f"{name}={c}" for c in cats]
        else:
            present = np.array([float(c) for c, keep in zip(cells, learning, strict=True) if keep and c])
            fills[name] = float(np.mean(present))
            block = np.array([[float(c) if c else fills[name]] for c in cells])
            names.append(name)
        blocks.append(block)
    return np.hstack(blocks), y, train, test, names, categories, fills, unseen, classes


def test_train_on_a_csv_is_the_model_an_independent_path_gives(tmp_path, capsys):
    path, out = tmp_path / "shops.csv", tmp_path / "shops.glassnet"
    write_table(path, n=3000, k=5)
    assert main(["train", str(path), "--target", "label", "--epochs", "2", "--fill-missing", "mean",
                 "--test-split", "0.25", "--seed", "3", "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err
    model = Model.load(out)
    X, y, train, test, names, categories, fills, unseen, classes = encode_by_hand(path, 0.25, 3)
    assert unseen["colour"], "the data must have categories only the test rows hold"
    assert f"only the held-out test rows have ({', '.join(map(repr, unseen['colour']))})" in err
    assert model.feature_names == names and model.classes == classes
    assert model.table["categories"] == categories and model.table["fill"] == fills
    held = model.training["held_out"]
    digest = hashlib.sha256()
    for array in (X, y):
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    assert held["n_rows"] == len(X) and held["digest"] == digest.hexdigest()
    X_train = X[train]
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    scale = np.where(std <= 10 * np.finfo(np.float64).eps * np.abs(mean), 1.0, std)
    assert np.array_equal(model.inputs.mean_, mean) and np.array_equal(model.inputs.scale_, scale)
    network = Network.from_sizes([X.shape[1], 64, 32, len(classes)], activation="relu", cost="cross_entropy",
                                 seed=3, dtype="float32")
    trainer = Trainer(network, ((X_train - mean) / scale).astype(np.float32), y[train], batch_size=32,
                      optimizer="adam", validation_split=0.0)
    trainer.run(2)
    assert np.array_equal(model.network.params, network.params)  # bit for bit
    assert model.training["n_test"] == len(test)


def test_evaluate_reads_a_csv_as_training_encoded_it(tmp_path, capsys):
    from glassnet.cli.data import _labelled_data

    path, out = tmp_path / "shops.csv", tmp_path / "shops.glassnet"
    write_table(path, n=2000, k=4, seed=11)
    assert main(["train", str(path), "--target", "label", "--epochs", "1", "--fill-missing", "mean",
                 "--out", str(out), "--quiet"]) == 0
    model = Model.load(out)
    X, y, _, _, _, _, _, unseen, _ = encode_by_hand(path, 0.2, 0)  # train's default split and seed
    assert unseen["colour"]
    X_read, y_read = _labelled_data(model, str(path), None, unseen="zeros")
    assert np.array_equal(X_read, X) and np.array_equal(y_read, y)  # an unseen category: all zeros
    capsys.readouterr()
    assert main(["evaluate", str(out), str(path), "--rows", "all", "--unseen", "zeros"]) == 0
    inputs = ((X - model.inputs.mean_) / model.inputs.scale_).astype(np.float32)
    accuracy = float(np.mean(model.network.predict(inputs).argmax(axis=1) == y))
    assert f"accuracy {accuracy:.2%}" in capsys.readouterr().out


def test_train_on_a_csv_holds_its_rows_about_twice(tmp_path):
    path, out = tmp_path / "big.csv", tmp_path / "big.glassnet"
    write_table(path)
    tracemalloc.start()
    try:
        code = main(["train", str(path), "--target", "label", "--epochs", "1", "--fill-missing", "mean",
                     "--test-split", "0.2", "--layers", "8", "--out", str(out), "--quiet"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 0
    x_bytes = 30000 * len(Model.load(out).feature_names) * 8  # the encoded X, float64, every row
    # all rows, then the training and test parts gathered from them: 2 X, and the reading's codes besides
    # (4.4 X before the file was read once and the parts replaced the whole)
    assert peak < 2.6 * x_bytes, f"peak {peak / 2**20:.1f} MiB, {peak / x_bytes:.2f} times X"


def test_load_csv_table_learns_the_encoding_from_the_rows_given(tmp_path):
    from glassnet.datasets.files import load_csv_table

    path = tmp_path / "shops.csv"
    write_table(path, n=1500, k=3, seed=5)
    X, y, train, _, names, categories, fills, unseen, _ = encode_by_hand(path, 0.3, 2)
    assert unseen["colour"]
    drawn = []

    def split(y_read):  # a function of the targets, as glassnet train draws its split
        drawn.append(y_read.copy())
        return train

    for learn in (train, split):
        dataset, encoding = load_csv_table(path, "label", text="one-hot", fill_missing="mean", learn=learn)
        assert encoding.categories == categories and encoding.fill == fills
        assert list(dataset.feature_names) == names
        assert np.array_equal(dataset.X, X) and np.array_equal(dataset.y, y)  # unseen categories: all zeros
    assert len(drawn) == 1 and np.array_equal(drawn[0], y)
    everything, _ = load_csv_table(path, "label", text="one-hot", fill_missing="mean")
    assert everything.X.shape[1] == X.shape[1] + sum(map(len, unseen.values()))  # learned from every row


def test_predict_on_a_csv_prepares_its_rows_a_block_at_a_time(tmp_path, capsys):
    path, out, answers = tmp_path / "big.csv", tmp_path / "big.glassnet", tmp_path / "answers.csv"
    write_table(path, n=20000)
    assert main(["train", str(path), "--target", "label", "--epochs", "1", "--fill-missing", "mean",
                 "--layers", "8", "--out", str(out), "--quiet"]) == 0
    model = Model.load(out)
    capsys.readouterr()
    tracemalloc.start()
    try:
        code = main(["predict", str(out), str(path), "--unseen", "zeros", "--out", str(answers)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 0
    X, *_ = encode_by_hand(path, 0.2, 0)  # train's default split and seed: the encoding it learned
    x_bytes = X.size * 8
    # the encoded rows (float64) and their float32 inputs, besides the reading's codes and the answers' text
    # (4.1 X when the float64 rows were standardized whole, with their temporaries; 2.1 X now)
    assert peak < 2.4 * x_bytes, f"peak {peak / 2**20:.1f} MiB, {peak / x_bytes:.2f} times X"
    probabilities = model.network.predict(((X - model.inputs.mean_) / model.inputs.scale_).astype(np.float32))
    with answers.open(newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header[0] == "prediction" and len(rows) == len(X)
    assert [row[0] for row in rows] == [model.classes[k] for k in probabilities.argmax(axis=1)]
    assert all(float(row[1 + k]) == float(f"{p:.6g}") for row, ps in zip(rows, probabilities, strict=True)
               for k, p in enumerate(ps))
