"""The library battery of issue 17: bad calls to Network, fit, Trainer, predict, trace/explain/blame, gradcheck,
save/load, the data sets and export. Data for :mod:`battery` (see there); not collected as tests.

The bad X and Y of every entry point are test_bad_input's generators (``bad_x_cases``, ``bad_y_cases`` over its
``X_ENTRY_POINTS`` and ``XY_ENTRY_POINTS``), with the error types and words that file expects.
"""

from __future__ import annotations

import numpy as np
from battery import Entry, _with

import glassnet
from glassnet import datasets
from glassnet.errors import InputError, InputTypeError, ModelFileError, NotFiniteOutputError

SAVE = (ModelFileError, InputError, InputTypeError)


def _entry_points() -> list[Entry]:
    from test_bad_input import X_ENTRY_POINTS, XY_ENTRY_POINTS, bad_x_cases, bad_y_cases

    rng = np.random.default_rng(12345)   # the data of make_context: X (10, 3), Y (10, 2)
    X, Y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    out = []
    for point, call in X_ENTRY_POINTS.items():
        for label, bad, error, words in bad_x_cases(X):
            Y_used = Y[: len(bad)] if label in ("columns", "empty") and point in XY_ENTRY_POINTS else Y
            out.append(Entry(f"{point}: X {label}", lambda c, o, f=call, b=bad, y=Y_used: f(o, b, y),
                             expect=(error,), words=tuple(words), subject="net"))
    for point, call in XY_ENTRY_POINTS.items():
        for label, bad, error, words in bad_y_cases(Y):
            out.append(Entry(f"{point}: Y {label}", lambda c, o, f=call, b=bad: f(o, X, b), expect=(error,),
                             words=tuple(words), subject="net"))
    return out


def _on_net(name: str, call, expect=(InputError, InputTypeError), words=(), xfail=None) -> Entry:
    return Entry(name, call, expect=expect, words=tuple(words), subject="net", xfail=xfail)


def _plain(name: str, call, expect=(InputError, InputTypeError), words=(), xfail=None) -> Entry:
    return Entry(name, call, expect=expect, words=tuple(words), xfail=xfail)


def _unsaturated():
    """A ReLU network whose every weight and bias is 1: from three inputs of 3e38 (float32's largest number is
    about 3.4e38) each hidden unit gets s = 3 * 3e38 + 1, which no float32 holds, so the outputs overflow."""
    net = glassnet.Network.from_sizes([3, 4, 2], activation="relu", cost="mse", seed=0)
    net.params[...] = 1.0
    assert 3 * int(3e38) > int(np.finfo(np.float32).max)   # the reference, in exact integers
    return net


def _trainer(o, c, **options):
    return glassnet.Trainer(o, c.X, c.Y, **options)


def api_entries() -> list[Entry]:
    from glassnet import blame, explain, gradcheck, trace
    from glassnet.checkpoint import load_checkpoint
    from glassnet.export import from_torch, to_onnx, to_torch
    from glassnet.persistence import read_header

    Network, Dense = glassnet.Network, glassnet.Dense
    return _entry_points() + [
        # construction
        _plain("Network.from_sizes of widths too large to hold", lambda c, o: Network.from_sizes([2, 10**7, 10**7]),
               words=["memory"]),
        _plain("Dense with infinite weights", lambda c, o: Dense(2, 3, weights=np.full((2, 3), np.inf)),
               words=["weights"]),
        _plain("Network of int32", lambda c, o: Network([Dense(2, 3)], cost="mse", dtype="int32"), words=["dtype"]),
        _plain("from_sizes with a negative width", lambda c, o: Network.from_sizes([2, -3, 1])),
        _plain("from_sizes(None)", lambda c, o: Network.from_sizes(None), words=["sizes"]),
        _plain("from_sizes of a 2-D array", lambda c, o: Network.from_sizes(np.array([[2, 3, 1]])),
               words=["flat list of widths", "2-D"]),
        _plain("from_sizes of lists of widths", lambda c, o: Network.from_sizes([[2, 3], [1]]),
               words=["flat list of widths"]),
        _plain("seed 'x'", lambda c, o: Network.from_sizes([2, 3, 1], seed="x"), words=["seed"]),
        _plain("seed -2**70", lambda c, o: Network.from_sizes([2, 3, 1], seed=-(2**70)), words=["seed"]),
        _plain("unknown cost", lambda c, o: Network.from_sizes([2, 3, 1], cost="hinge"), words=["hinge"]),
        _plain("Dense(2, 3, activation=None)", lambda c, o: Dense(2, 3, None)),
        _plain("layer widths as strings", lambda c, o: Network.from_sizes(["2", "3"]), words=["whole number"]),
        # fit and the Trainer
        _on_net("fit learning_rate inf", lambda c, o: o.fit(c.X, c.Y, 2, learning_rate=float("inf")),
                words=["learning_rate"]),
        _on_net("fit callbacks=5", lambda c, o: o.fit(c.X, c.Y, 2, callbacks=5), words=["callbacks"]),
        _on_net("fit batch_size=True", lambda c, o: o.fit(c.X, c.Y, 2, batch_size=True), words=["batch_size"]),
        _on_net("fit optimizer 'rmsprop'", lambda c, o: o.fit(c.X, c.Y, 2, optimizer="rmsprop"), words=["rmsprop"]),
        _on_net("fit validation_data of other rows", lambda c, o: o.fit(c.X, c.Y, 2, validation_data=(c.X, c.Y[:3]))),
        _on_net("fit validation_split leaving no rows", lambda c, o: o.fit(c.X[:1], c.Y[:1], 2, validation_split=0.5)),
        _on_net("fit epochs '3'", lambda c, o: o.fit(c.X, c.Y, "3"), words=["epochs"]),
        _on_net("fit l2 nan", lambda c, o: o.fit(c.X, c.Y, 2, l2=float("nan")), words=["l2"]),
        _on_net("glassnet.fit epochs 0", lambda c, o: glassnet.fit(o, c.X, c.Y, 0), words=["epochs"]),
        _on_net("Trainer batch_size 0", lambda c, o: _trainer(o, c, batch_size=0), words=["batch_size"]),
        _on_net("Trainer optimizer 3", lambda c, o: _trainer(o, c, optimizer=3), words=["optimizer"]),
        _on_net("Trainer learning_rate -1", lambda c, o: _trainer(o, c, learning_rate=-1), words=["learning_rate"]),
        _on_net("Trainer validation_split 1.0", lambda c, o: _trainer(o, c, validation_split=1.0),
                words=["validation_split"]),
        _on_net("Trainer early_stopping -1", lambda c, o: _trainer(o, c, early_stopping=-1), words=["patience"]),
        _on_net("Trainer.run(0)", lambda c, o: _trainer(o, c).run(0), words=["epochs"]),
        _on_net("Trainer.run(-1)", lambda c, o: _trainer(o, c).run(-1), words=["epochs"]),
        _on_net("Trainer.run('3')", lambda c, o: _trainer(o, c).run("3"), words=["epochs"]),
        _on_net("Trainer of a step network", lambda c, o: glassnet.Trainer(
            Network([Dense(3, 2, "step")], cost="mse"), c.X, c.Y).run(1), words=["step"]),
        # predict
        _plain("predict on 3e38", lambda c, o: _unsaturated().predict(np.full((2, 3), 3e38, dtype=np.float32)),
               (NotFiniteOutputError,), ["not finite", "overflows float32"]),
        _on_net("predict on 1e39 in float64", lambda c, o: o.predict(_with(c.X, 1e39)),
                words=["1e+39", "index (3, 1)", "beyond float32's largest number", "dtype='float64'"]),
        _on_net("fit Y of 1e40", lambda c, o: o.fit(c.X, _with(c.Y, 1e40), 2),
                words=["Y holds 1e+40", "beyond float32's largest number", "dtype='float64'"]),
        _on_net("cost of Y -1e40", lambda c, o: o.cost(c.X, _with(c.Y, -1e40)), words=["Y holds -1e+40", "float32"]),
        _on_net("fit sample_weight of strings", lambda c, o: o.fit(c.X, c.Y, 2, sample_weight=["a"] * len(c.X)),
                words=["sample_weight must hold numbers"]),
        _on_net("predict object array", lambda c, o: o.predict(np.array([[object(), 1, 2]], dtype=object))),
        _on_net("predict a string in a row", lambda c, o: o.predict([[1, 2, "x"]]), words=["numbers"]),
        _on_net("predict complex", lambda c, o: o.predict(np.zeros((2, 3), dtype=complex))),
        _on_net("predict a ragged list", lambda c, o: o.predict([[1, 2, 3], [1, 2]])),
        # trace, explain, blame
        _on_net("trace learning_rate -1", lambda c, o: trace(o, c.X[0], c.Y[0], learning_rate=-1),
                words=["learning_rate"]),
        _on_net("trace a short row", lambda c, o: trace(o, c.X[0][:2], c.Y[0])),
        _on_net("trace a NaN input", lambda c, o: trace(o, [np.nan, 0, 0], c.Y[0]), words=["NaN"]),
        _on_net("trace a target of 3 for 2 outputs", lambda c, o: trace(o, c.X[0], [1.0, 2.0, 3.0])),
        _on_net("trace x 'abc'", lambda c, o: trace(o, "abc", c.Y[0])),
        _on_net("trace optimizer 'rmsprop'", lambda c, o: trace(o, c.X[0], c.Y[0], optimizer="rmsprop"),
                words=["rmsprop"]),
        _on_net("trace one input name for 3", lambda c, o: trace(o, c.X[0], c.Y[0], input_names=["a"])),
        _on_net("trace 3 class names for 2", lambda c, o: trace(o, c.X[0], c.Y[0], class_names=["a", "b", "c"])),
        _on_net("trace dropout 1.5", lambda c, o: trace(o, c.X[0], c.Y[0], dropout=1.5), words=["dropout"]),
        _on_net("trace seed -1", lambda c, o: trace(o, c.X[0], c.Y[0], seed=-1), words=["seed"]),
        _on_net("explain format 'pdf'", lambda c, o: explain(o, c.X[0], c.Y[0], format="pdf"), words=["pdf"]),
        _on_net("explain max_neurons -1", lambda c, o: explain(o, c.X[0], c.Y[0], max_neurons=-1),
                words=["max_neurons"]),
        _plain("explain of 5", lambda c, o: explain(5, c.X[0], c.Y[0])),
        _on_net("explain learning_rate nan", lambda c, o: explain(o, c.X[0], c.Y[0], learning_rate=float("nan")),
                words=["learning_rate"]),
        _on_net("blame top_k 0", lambda c, o: blame(o, c.X, c.Y, top_k=0), words=["top_k"]),
        _on_net("blame chunk_rows 0", lambda c, o: blame(o, c.X, c.Y, chunk_rows=0), words=["chunk_rows"]),
        _on_net("blame two columns", lambda c, o: blame(o, c.X[:, :2], c.Y), words=["columns"]),
        _on_net("blame lazy -1", lambda c, o: blame(o, c.X, c.Y, lazy=-1), words=["lazy"]),
        _on_net("blame one output column", lambda c, o: blame(o, c.X, c.Y[:, :1])),
        _on_net("blame NaN", lambda c, o: blame(o, _with(c.X, np.nan), c.Y), words=["NaN"]),
        # gradcheck
        _on_net("gradcheck eps -1", lambda c, o: gradcheck(o, c.X, c.Y, eps=-1), words=["eps"]),
        _on_net("gradcheck sample 0", lambda c, o: gradcheck(o, c.X, c.Y, sample=0), words=["sample"]),
        _on_net("gradcheck seed -1", lambda c, o: gradcheck(o, c.X, c.Y, seed=-1), words=["seed"]),
        _on_net("gradcheck eps nan", lambda c, o: gradcheck(o, c.X, c.Y, eps=float("nan")), words=["eps"]),
        _on_net("gradcheck tolerance 'x'", lambda c, o: gradcheck(o, c.X, c.Y, tolerance="x"), words=["tolerance"]),
        # save and load
        _on_net("save to None", lambda c, o: glassnet.save(o, None), SAVE, ["path"]),
        _plain("load None", lambda c, o: glassnet.load(None), SAVE, ["path"]),
        _on_net("save onto a folder", lambda c, o: glassnet.save(o, c.dir), SAVE + (IsADirectoryError,), ["folder"]),
        _on_net("save onto a named pipe", lambda c, o: glassnet.save(o, c.fifo), SAVE, ["named pipe"]),
        _on_net("save onto a device", lambda c, o: glassnet.save(o, c.device), SAVE, ["device"]),
        _on_net("save into a missing folder", lambda c, o: glassnet.save(o, c.folder / "nowhere" / "m.glassnet"),
                SAVE + (FileNotFoundError,)),
        _plain("save 5", lambda c, o: glassnet.save(5, c.folder / "five.glassnet"), SAVE),
        _on_net("net.save onto a named pipe", lambda c, o: o.save(c.fifo), SAVE, ["named pipe"]),
        _plain("load a named pipe", lambda c, o: glassnet.load(c.fifo), SAVE, ["named pipe"]),
        _plain("load a device", lambda c, o: glassnet.load(c.device), SAVE, ["device"]),
        _plain("load a folder", lambda c, o: glassnet.load(c.dir), SAVE, ["folder"]),
        _plain("load a missing file", lambda c, o: glassnet.load(c.missing), SAVE, ["no such file"]),
        _plain("load an empty file", lambda c, o: glassnet.load(c.folder / "empty.glassnet"), SAVE),
        _plain("load 2 KB of garbage", lambda c, o: glassnet.load(c.folder / "garbage.glassnet"), SAVE),
        _plain("load a CSV", lambda c, o: glassnet.load(c.csv), SAVE),
        _plain("load half a model file", lambda c, o: glassnet.load(c.truncated), SAVE),
        _plain("load_checkpoint of a network file", lambda c, o: load_checkpoint(c.model), SAVE, ["checkpoint"]),
        _plain("load_checkpoint of a named pipe", lambda c, o: load_checkpoint(c.fifo), SAVE, ["named pipe"]),
        _plain("read_header of garbage", lambda c, o: read_header(c.folder / "garbage.glassnet"), SAVE),
        _plain("load a .npz as a model", lambda c, o: glassnet.load(c.folder / "nox.npz"), SAVE),
        # data sets
        _plain("datasets.load of an unknown name", lambda c, o: datasets.load("nope"), words=["nope"]),
        _plain("moons of 0 samples", lambda c, o: datasets.moons(0), words=["n_samples"]),
        _plain("moons of -5 samples", lambda c, o: datasets.moons(-5), words=["n_samples"]),
        _plain("moons noise -1", lambda c, o: datasets.moons(noise=-1), words=["noise"]),
        _plain("moons noise nan", lambda c, o: datasets.moons(noise=float("nan")), words=["noise"]),
        _plain("spiral of 0 classes", lambda c, o: datasets.spiral(n_classes=0), words=["n_classes"]),
        _plain("xor n_samples 'x'", lambda c, o: datasets.xor("x"), words=["n_samples"]),
        _plain("load_csv of a named pipe", lambda c, o: datasets.load_csv(c.fifo, "y"), words=["named pipe"]),
        _plain("load_csv of a missing file", lambda c, o: datasets.load_csv(c.missing, "y")),
        _plain("load_csv without the target", lambda c, o: datasets.load_csv(c.csv, "nope"), words=["nope"]),
        _plain("load_csv of an empty file", lambda c, o: datasets.load_csv(c.folder / "empty.csv", "y")),
        _plain("load_csv of ragged rows", lambda c, o: datasets.load_csv(c.folder / "ragged.csv", "y")),
        _plain("load_csv of binary bytes", lambda c, o: datasets.load_csv(c.folder / "binary.csv", "y")),
        _plain("load_csv over max_bytes", lambda c, o: datasets.load_csv(c.csv, "y", max_bytes=10), words=["10"]),
        _plain("load_npz of a named pipe", lambda c, o: datasets.load_npz(c.fifo), words=["named pipe"]),
        _plain("load_npz of garbage", lambda c, o: datasets.load_npz(c.folder / "garbage.glassnet")),
        _plain("load_npz of an object array", lambda c, o: datasets.load_npz(c.folder / "pickle.npz")),
        _plain("load_npz without X", lambda c, o: datasets.load_npz(c.folder / "nox.npz"), words=["X"]),
        _plain("load_npz of X and y of other rows", lambda c, o: datasets.load_npz(c.folder / "rows.npz")),
        _plain("load_npz of a deflate bomb", lambda c, o: datasets.load_npz(c.folder / "bomb.npz", max_bytes="1M")),
        _plain("train_test_split test_size 1.5", lambda c, o: datasets.train_test_split(c.X, c.Y[:, 0], test_size=1.5),
               words=["test_size"]),
        _plain("one_hot of a label past n_classes", lambda c, o: datasets.one_hot([0, 1, 5], 3)),
        _plain("one_hot of -1", lambda c, o: datasets.one_hot([0, -1])),
        # export
        _on_net("to_onnx onto a named pipe", lambda c, o: to_onnx(o, c.fifo), SAVE, ["named pipe"]),
        _plain("to_onnx of 5", lambda c, o: to_onnx(5)),
        _on_net("to_onnx inputs 'x'", lambda c, o: to_onnx(o, inputs="x"), words=["inputs"]),
        _on_net("to_onnx onto a folder", lambda c, o: to_onnx(o, c.dir), SAVE + (IsADirectoryError,)),
        _plain("to_torch of 5", lambda c, o: to_torch(5)),
        _on_net("to_torch dtype float16", lambda c, o: to_torch(o, dtype="float16"), words=["dtype"]),
        _plain("from_torch of 5", lambda c, o: from_torch(5)),
    ]
