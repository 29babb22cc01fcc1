"""Taking a playground run home: the trained network as a model file, and Python that reproduces the run.

The snippet rebuilds the same data, split, network and seed and calls ``net.fit`` for the whole epochs
trained; because the session trains through the fit loop's own :meth:`Trainer.step`, the snippet's
network ends with the session's weights bit for bit.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING

from .config import FEATURES, MULTICLASS_SETS

if TYPE_CHECKING:
    from .session import PlaygroundSession

__all__ = ["model_file", "snippet"]


def model_file(session: PlaygroundSession) -> tuple[bytes, str]:
    """The trained network as a glassnet model file: (bytes, suggested file name)."""
    with tempfile.TemporaryDirectory(prefix="glassnet-model-") as folder:
        path = os.path.join(folder, "playground.glassnet")
        session.net.save(path)
        with open(path, "rb") as f:
            return f.read(), "playground.glassnet"


def snippet(session: PlaygroundSession) -> str:
    """Python that rebuilds this run with glassnet: the same data, split, network, seed and training."""
    c, net = session.config, session.net
    lines = ["# Reproduces a glassnet playground run.", "import numpy as np", "", "import glassnet"]
    lines += _data_lines(session)
    if session.info.get("featured"):
        columns = ", ".join(FEATURES[name] for name in session.info["features"])
        lines += ["", "", "def inputs(X):  # the network's inputs, made from each point's x1, x2",
                  "    x1, x2 = X[:, 0], X[:, 1]", f"    return np.column_stack([{columns}])", "",
                  "", "X_train, X_test = inputs(X_train), inputs(X_test)  # " + ", ".join(session.info["features"])]
    sizes = net.sizes
    dense = [f"    glassnet.Dense({sizes[i]}, {sizes[i + 1]}, {layer.activation.name!r}),"
             for i, layer in enumerate(net.layers)]
    lines += ["", "net = glassnet.Network(["] + dense + [f"], cost={c['cost']!r}, seed={c['seed']})"]
    y_train, y_test = "y_train", "y_test"
    if session.one_hot:
        lines += [f"Y_train, Y_test = np.eye({session.info['n_classes']})[y_train], "
                  f"np.eye({session.info['n_classes']})[y_test]  # one-hot targets for the mse cost"]
        y_train, y_test = "Y_train", "Y_test"
    epochs = session.epoch
    if epochs:
        lines += [
            f"history = net.fit(X_train, {y_train}, epochs={epochs}, batch_size={c['batch_size']!r}, "
            f"optimizer={c['optimizer']!r},",
            f"                  learning_rate={c['learning_rate']!r}, l2={c['l2']!r}, l1={c['l1']!r})",
        ]
    else:
        lines.append("# not trained yet: the playground had run no whole epoch")
    if session.position:
        lines.append(f"# (the playground was {session.position} rows into epoch {epochs + 1}; "
                     "the snippet stops at the last whole epoch)")
    lines += [
        f'print("training cost", net.cost(X_train, {y_train}), " test cost", net.cost(X_test, {y_test}))',
    ]
    if session.one_hot:
        lines.append('print("test accuracy", np.mean(net.predict(X_test).argmax(axis=1) == y_test))')
    elif session.info["task"] == "classification":
        lines.append('print("test accuracy", net.accuracy(X_test, y_test))')
    return "\n".join(lines) + "\n"


def _data_lines(session: PlaygroundSession) -> list[str]:
    """The lines that make X_train, X_test, y_train, y_test as the session made them."""
    c, upload = session.config, session.upload
    split = f"test_size={c['test_fraction']!r}, seed={c['seed']}"
    if c["dataset"] == "upload":
        assert upload is not None
        return [
            "from glassnet.datasets import Standardizer, load_csv, train_test_split",
            "",
            f"data = load_csv({upload.filename!r}, target={upload.target!r})  # the file you uploaded",
            f"X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, {split})",
            "scaler = Standardizer().fit(X_train)",
            "X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)",
        ]
    if c["dataset"] == "draw":
        pts = ",\n    ".join(f"[{x!r}, {y!r}, {int(k)}]" for x, y, k in c["points"])
        return [
            "from glassnet.datasets import train_test_split",
            "",
            f"points = np.array([\n    {pts},\n])",
            "X, y = points[:, :2], points[:, 2].astype(np.int64)",
            f"X_train, X_test, y_train, y_test = train_test_split(X, y, {split})",
        ]
    extra = f", n_classes={c['classes']}" if c["dataset"] in MULTICLASS_SETS else ""
    return [
        f"from glassnet.datasets import {c['dataset']}, train_test_split",
        "",
        f"data = {c['dataset']}(n_samples={c['samples']}, noise={c['noise']!r}, seed={c['seed']}{extra})",
        f"X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, {split})",
    ]
