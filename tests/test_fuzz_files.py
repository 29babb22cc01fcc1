"""A crafted-file fuzz (issue 17): thousands of model files and checkpoints whose checksums are all valid.

Each file starts as one glassnet really wrote (a network, a classifier with Adam, a regressor with SGD, a model
of ``glassnet train`` with a table encoding and its training summary, a checkpoint with early stopping), then has
its header's fields, types, shapes and nesting, or its arrays' dtypes, shapes and values, changed; the file is
then written as glassnet writes one: an uncompressed zip (CRCs of the new bytes), the manifest recomputed from
the arrays with each one's SHA-256. So every file passes the integrity checks and reaches the parser. Each must
load (and then save and load again to the same predictions) or be refused with glassnet's own error
(ModelFileError, InputError, InputTypeError) that says what is wrong: never another exception, never a hang,
and never more than a bounded peak of memory (tracemalloc) for one file.

``python tests/test_fuzz_files.py [N]`` prints the outcome counts and the largest peak for N files per kind.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import math
import os
import signal
import sys
import tracemalloc
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import glassnet
from glassnet.errors import InputError, InputTypeError, ModelFileError
from glassnet.modelfile import array_digest

pytest.importorskip("sklearn")

FILES_PER_KIND = 400          # 5 kinds: 2,000 files
CHUNKS = 4                    # per kind, so that two workers share the work
PEAK_LIMIT = 32 << 20         # bytes one file's load may allocate at its peak
HANG_SECONDS = 20             # a file taking longer is a hang
ACCEPTED = (ModelFileError, InputError, InputTypeError)


# ---------------------------------------------------------------------------------------------- the files
def _base_files(folder: Path) -> dict[str, Path]:
    """One file of each kind, written by glassnet itself."""
    from glassnet.checkpoint import Checkpointer
    from glassnet.cli import main
    from glassnet.estimators import MLPClassifier, MLPRegressor
    from glassnet.training import EarlyStopping, Trainer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 3))
    labels = np.array(["ant", "bee", "cat"])[np.arange(48) % 3]
    files = {"network": glassnet.Network.from_sizes([3, 5, 2], activation="tanh", cost="cross_entropy",
                                                    seed=0).save(folder / "network.glassnet")}
    files["classifier"] = MLPClassifier((5,), max_iter=3, random_state=0).fit(X, labels).save(
        folder / "classifier.glassnet")
    files["regressor"] = MLPRegressor((4,), solver="sgd", max_iter=3, random_state=0).fit(X, X[:, 0]).save(
        folder / "regressor.glassnet")
    csv = folder / "table.csv"
    csv.write_text("a,b,colour,y\n" + "".join(f"{i % 7},{(i * 3) % 5},{['red', 'blue'][i % 2]},{i % 2}\n"
                                                for i in range(40)))
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["train", str(csv), "--target", "y", "--epochs", "3", "--quiet", "--layers", "4",
                     "--early-stopping", "2", "--out", str(folder / "cli.glassnet")]) == 0
    files["cli-model"] = folder / "cli.glassnet"
    trainer = _trainer()
    trainer.callbacks.append(Checkpointer(folder / "checkpoint.glassnet", every=1))
    trainer.run(2)
    files["checkpoint"] = folder / "checkpoint.glassnet"
    assert isinstance(trainer.early_stopping, EarlyStopping) and isinstance(trainer, Trainer)
    return files


def _trainer():
    from glassnet.training import EarlyStopping, Trainer

    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    net = glassnet.Network.from_sizes([3, 4, 2], activation="tanh", cost="cross_entropy", seed=3)
    return Trainer(net, X, (X[:, 0] > 0).astype(int), batch_size=8, optimizer="adam", validation_split=0.25,
                   early_stopping=EarlyStopping(patience=2))


def _members(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """The header document and the arrays of a model file, read as plain zip members (no glassnet check)."""
    with zipfile.ZipFile(path) as zf:
        document = json.loads(zf.read("header.json"))
        arrays = {name[:-4]: np.lib.format.read_array(io.BytesIO(zf.read(name)), allow_pickle=False)
                  for name in zf.namelist() if name.endswith(".npy")}
    return document, arrays


def _npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array(out, array, allow_pickle=False)
    return out.getvalue()


def _manifest(arrays: dict[str, np.ndarray]) -> dict:
    """The manifest glassnet writes: each array's dtype, shape and SHA-256 (modelfile.array_digest)."""
    return {name: {"dtype": a.dtype.str, "shape": list(a.shape), "sha256": array_digest(a)}
            for name, a in arrays.items()}


def _write(path: Path, document: Any, arrays: dict[str, np.ndarray], header_text: bytes | None = None) -> None:
    """An uncompressed zip as glassnet writes it; zipfile computes each member's CRC-32 from its bytes."""
    text = header_text if header_text is not None else json.dumps(document).encode("utf-8")
    # what json.dumps cannot write: nesting 20,000 deep, and a number too large for a float
    text = text.replace(b'"__DEEP__"', b"[" * 20_000 + b"1" + b"]" * 20_000).replace(b'"__HUGE__"', b"1e999")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("header.json", text)
        for name, array in arrays.items():
            zf.writestr(name + ".npy", _npy(array))


# ---------------------------------------------------------------------------------------------- mutations
def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


_EVIL: list[Callable[[np.random.Generator], Any]] = [
    lambda r: None, lambda r: True, lambda r: False, lambda r: 0, lambda r: -1, lambda r: -(2**63),
    lambda r: 2**64, lambda r: 10**200, lambda r: 1e308, lambda r: -1e308, lambda r: 5e-324, lambda r: 0.5,
    lambda r: -3.5, lambda r: "", lambda r: "x", lambda r: "1", lambda r: "\u202eevil\u0000", lambda r: "\ud800",
    lambda r: "\U0001f600" * int(r.integers(1, 3000)), lambda r: "é" * 200_000, lambda r: [], lambda r: {},
    lambda r: [1], lambda r: ["only-one"], lambda r: [None, "a", 2.5], lambda r: {"a": {"b": {"c": [1, {}]}}},
    lambda r: list(range(int(r.integers(1, 60_000)))), lambda r: _deep(int(r.integers(2, 60))),
    lambda r: "__DEEP__", lambda r: "__HUGE__", lambda r: {"dtype": "<f4", "shape": [2]}, lambda r: "<U100000000",
    lambda r: "|S1000000000", lambda r: "object", lambda r: "<f4", lambda r: "float64", lambda r: [10**12],
    lambda r: [3, 10**9, 10**9], lambda r: [-1, 2], lambda r: {"name": "step"}, lambda r: {"name": "adam"},
    lambda r: "relu", lambda r: "sgd", lambda r: int(r.integers(-5, 100_000)),
    lambda r: float(r.normal() * 10.0 ** int(r.integers(-300, 300))),
]


def _nodes(value: Any, path: tuple = ()) -> list[tuple]:
    """Every place in a JSON tree, as the path of keys and indices that reaches it."""
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _nodes(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:50]):
            out += _nodes(item, (*path, i))
    return out


def _get(document: Any, path: tuple) -> Any:
    for key in path:
        document = document[key]
    return document


def _similar(value: Any, r: np.random.Generator) -> Any:
    """A value of another type that looks like ``value``: "3" for 3, 3.0 for 3, [3] for 3, True for 1, ..."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return [str(value), float(value), [value], {"value": value}, value == 1, -value - 1, value * 10**6][
            int(r.integers(7))]
    if isinstance(value, float):
        return [str(value), int(value) if math.isfinite(value) else 0, [value], -value, value * 1e300][
            int(r.integers(5))]
    if isinstance(value, str):
        return [value.upper(), value + "x", [value], len(value), value * 3, value[:1]][int(r.integers(6))]
    if isinstance(value, list):
        return [value[::-1], value[:-1], value + value[-1:], {str(i): v for i, v in enumerate(value)},
                [value], len(value)][int(r.integers(6))]
    if isinstance(value, dict):
        return [list(value.values()), list(value), {k: None for k in value}, [value]][int(r.integers(4))]
    return "null"


def _mutate_header(document: dict, r: np.random.Generator) -> None:
    """One change at a random place of the header (rarely inside the manifest, which the container judges)."""
    places = [p for p in _nodes(document)[1:] if p[0] != "arrays" or r.random() < 0.1]
    path = places[int(r.integers(len(places)))]
    parent, key = _get(document, path[:-1]), path[-1]
    choice = r.random()
    if choice < 0.15 and isinstance(parent, dict):
        del parent[key]
    elif choice < 0.25 and isinstance(parent, dict):
        parent["surprise" + str(int(r.integers(10)))] = _EVIL[int(r.integers(len(_EVIL)))](r)
    elif choice < 0.55:
        parent[key] = _similar(parent[key], r)
    else:
        parent[key] = _EVIL[int(r.integers(len(_EVIL)))](r)


def _mutate_arrays(arrays: dict[str, np.ndarray], r: np.random.Generator) -> None:
    """One change to the arrays: a dtype, a shape, extreme values, one gone, one more, two swapped."""
    names = sorted(arrays)
    name = names[int(r.integers(len(names)))]
    a = arrays[name]
    choice = int(r.integers(9))
    if choice == 0:
        arrays[name] = a.astype(["<f8", "<f4", ">f4", "<i4", "|b1", "<c8", "<f2", "|u1", "<i8"][int(r.integers(9))])
    elif choice == 1:
        arrays[name] = a.reshape(-1) if a.ndim != 1 else a.reshape(1, -1)
    elif choice == 2:
        arrays[name] = a[: max(0, a.shape[0] - 1)] if a.ndim else a.reshape(1)
    elif choice == 3:
        arrays[name] = np.concatenate([a.reshape(-1), a.reshape(-1)[:1] if a.size else [0]]).astype(a.dtype)
    elif choice == 4 and a.dtype.kind == "f":
        extreme = [np.finfo(a.dtype).max, -np.finfo(a.dtype).max, np.finfo(a.dtype).tiny, -1.0, 1e30][
            int(r.integers(5))]
        arrays[name] = np.full_like(a, extreme)
    elif choice == 5 and len(names) > 1:
        del arrays[name]
    elif choice == 6:
        arrays["extra." + name] = a.copy()
    elif choice == 7 and len(names) > 1:
        other = names[int(r.integers(len(names)))]
        arrays[name], arrays[other] = arrays[other], arrays[name]
    else:
        arrays[name] = np.zeros((0,) + a.shape[1:], dtype=a.dtype) if a.ndim else np.zeros(0, a.dtype)


_BASES: dict[Path, tuple[dict, dict[str, np.ndarray]]] = {}


def craft(base: Path, out: Path, seed: int) -> str:
    """Write ``out``: ``base`` with one to three random changes; returns a word for what was changed."""
    r = np.random.default_rng(seed)
    if base not in _BASES:
        _BASES[base] = _members(base)
    document, arrays = copy.deepcopy(_BASES[base][0]), dict(_BASES[base][1])  # the mutations replace arrays
    what = []
    for _ in range(int(r.integers(1, 4))):
        if r.random() < 0.3:
            _mutate_arrays(arrays, r)
            what.append("arrays")
        else:
            what.append("header")
    document["arrays"] = _manifest(arrays)   # recomputed the way glassnet writes it
    for step in what:
        if step == "header":
            _mutate_header(document, r)
    _write(out, document, arrays)
    return "+".join(sorted(set(what)))


# ---------------------------------------------------------------------------------------------- loading
class _Hang(Exception):
    pass


@contextlib.contextmanager
def _deadline(seconds: int):
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def ring(signum, frame):
        raise _Hang(f"still loading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _use(kind: str, path: Path, scratch: Path) -> None:
    """What a user does with a file of this kind; everything it returns must work."""
    X = np.linspace(-1, 1, 12).reshape(4, 3)
    if kind == "checkpoint":
        from glassnet.checkpoint import load_checkpoint, restore_trainer

        restore_trainer(_trainer(), load_checkpoint(path))
        return
    if kind == "cli-model":
        from glassnet.cli.models import Model, cmd_info

        model = Model.load(path)
        with contextlib.redirect_stdout(io.StringIO()):
            cmd_info(argparse.Namespace(model=str(path)))
        again = Model.load(model.save(scratch))
        assert np.array_equal(again.network.params, model.network.params)
        return
    model = glassnet.load(path)
    net = getattr(model, "network_", model)
    rows = np.resize(X, (4, net.n_inputs))
    before = model.predict(rows)
    again = glassnet.load(model.save(scratch) if hasattr(model, "network_") else glassnet.save(model, scratch))
    assert np.array_equal(np.asarray(again.predict(rows)), np.asarray(before), equal_nan=before.dtype.kind == "f")


def judge(kind: str, path: Path, scratch: Path) -> tuple[str, int]:
    """("loaded" or the refusal's type, the peak bytes allocated while loading); other exceptions propagate."""
    tracemalloc.start()   # only around the load: crafting the file is not what is measured
    try:
        return _judged(kind, path, scratch), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _judged(kind: str, path: Path, scratch: Path) -> str:
    with _deadline(HANG_SECONDS), warnings.catch_warnings():
        warnings.simplefilter("ignore")   # a crafted model may overflow when it predicts; that is not the question
        try:
            _use(kind, path, scratch)
            outcome = "loaded"
        except ACCEPTED as exc:
            message = str(exc)
            assert len(message) > 20, message   # says what is wrong
            if isinstance(exc, ModelFileError) and "cannot load" in message:
                assert str(path) in message
            outcome = f"refused ({type(exc).__name__})"
            _REASONS[" ".join(message.replace(str(path), "FILE").split()[:7])[:70]] += 1
    return outcome


_REASONS: Counter = Counter()   # the refusals' first words, for the figures


def run_battery(folder: Path, bases: dict[str, Path], kinds: list[str], seeds: range) -> tuple[Counter, int]:
    counts: Counter = Counter()
    peak = 0
    crafted, scratch = folder / "crafted.glassnet", folder / "again.glassnet"
    for kind in kinds:
        for seed in seeds:
            craft(bases[kind], crafted, seed)
            try:
                outcome, used = judge(kind, crafted, scratch)
            except BaseException as exc:
                raise AssertionError(f"{kind} file of seed {seed}: {type(exc).__name__}: {exc}") from exc
            counts[(kind, outcome)] += 1
            peak = max(peak, used)
            assert used < PEAK_LIMIT, f"{kind} file of seed {seed} took {used} bytes at its peak"
    return counts, peak


KINDS = ["network", "classifier", "regressor", "cli-model", "checkpoint"]


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bases")
    cwd = os.getcwd()
    os.chdir(folder)   # glassnet train writes nothing else, but keep the work tree clean regardless
    try:
        return _base_files(folder)
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("kind", KINDS)
def test_crafted_files_load_or_are_refused_clearly(tmp_path, bases, kind, chunk):
    per = FILES_PER_KIND // CHUNKS
    counts, _ = run_battery(tmp_path, bases, [kind], range(chunk * per, (chunk + 1) * per))
    assert sum(counts.values()) == per
    assert sum(n for (_, outcome), n in counts.items() if outcome != "loaded") > per // 4   # the changes bite


def test_the_crafted_files_have_valid_checksums(bases, tmp_path):
    """The premise: every crafted file passes the zip's CRC-32 checks, and in those whose manifest no change
    touched (most), every array's sha256 is the digest of the array stored."""
    untouched = 0
    for kind in KINDS:
        for seed in range(40):
            out = tmp_path / f"{kind}-{seed}.glassnet"
            craft(bases[kind], out, seed)
            with zipfile.ZipFile(out) as zf:
                assert zf.testzip() is None   # reads every member and checks its CRC-32
            try:
                document, arrays = _members(out)
            except (ValueError, RecursionError):
                continue   # a header nested too deeply for json, or with 1e999: still a valid zip
            if isinstance(document, dict) and document.get("arrays") == _manifest(arrays):
                untouched += 1
                assert all(document["arrays"][name]["sha256"] == array_digest(a) for name, a in arrays.items())
    assert untouched > 0.6 * 40 * len(KINDS)


if __name__ == "__main__":   # the figures for the closing note
    import tempfile

    n = int(sys.argv[1]) if len(sys.argv) > 1 else FILES_PER_KIND
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        counts, peak = run_battery(Path(folder), _base_files(Path(folder)), KINDS, range(n))
    for (kind, outcome), count in sorted(counts.items()):
        print(f"{kind:12} {outcome:28} {count}")
    print(f"files {sum(counts.values())}, largest peak of one load {peak / 2**20:.2f} MiB (tracemalloc)")
    for reason, count in _REASONS.most_common(25):
        print(f"{count:5}  {reason}")
