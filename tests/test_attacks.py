"""Attacks on the model file, the estimators' refits and file paths (issue 17): nothing lost, nothing let in."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tracemalloc
import zipfile

import numpy as np
import pytest

import glassnet
from glassnet.errors import GlassnetError, InputError, ModelFileError

pytest.importorskip("sklearn")
from glassnet.estimators import MLPClassifier, MLPRegressor  # noqa: E402


def _toy(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, np.where(X[:, 0] > 0, "yes", "no"), np.array(["a", "b", "c"])[np.arange(n) % 3]


# -- a refused refit changes nothing ------------------------------------------------------------------------
# the snapshot of what a refused call must leave as it was, shared with the batteries of tests/battery.py
from battery import same as _same  # noqa: E402
from battery import snapshot as _snapshot  # noqa: E402


def _refusals():
    X, y2, y3 = _toy()
    yield "random_state -5 with three new classes", {"random_state": -5}, (X, y3)
    yield "negative class weight", {"class_weight": {"yes": -1.0, "no": 1.0}}, (X, y2)
    yield "unknown class in class_weight", {"class_weight": {"maybe": 2.0}}, (X, y2)
    yield "all-zero class weight", {"class_weight": {"yes": 0.0, "no": 0.0}}, (X, y2)
    yield "validation set too small", {"early_stopping": True, "validation_fraction": 0.01}, (X[:20], y2[:20])


@pytest.mark.parametrize("case", list(_refusals()), ids=lambda c: c[0])
def test_a_refused_refit_changes_nothing(case):
    _, params, (X_new, y_new) = case
    X, y2, _ = _toy()
    clf = MLPClassifier((4,), max_iter=5, random_state=0).fit(X, y2)
    before = _snapshot(clf)
    clf.set_params(**params)
    with pytest.raises((GlassnetError, ValueError)):
        clf.fit(X_new, y_new)
    assert _same(before, _snapshot(clf))
    clf.set_params(random_state=0, class_weight=None, early_stopping=False, validation_fraction=0.1)
    assert set(clf.predict(X)) <= {"yes", "no"}


def test_random_state_out_of_range_is_an_input_error():
    X, y2, _ = _toy()
    with pytest.raises(InputError, match="random_state"):
        MLPClassifier((4,), max_iter=2, random_state=-5).fit(X, y2)


def test_a_dataframe_with_nan_changes_no_feature_names():
    pd = pytest.importorskip("pandas")
    X, y2, _ = _toy()
    clf = MLPClassifier((4,), max_iter=5, random_state=0).fit(pd.DataFrame(X, columns=["a", "b", "c"]), y2)
    before = _snapshot(clf)
    bad = pd.DataFrame(X, columns=["p", "q", "r"])
    bad.iloc[3, 1] = np.nan
    with pytest.raises(ValueError):
        clf.fit(bad, y2)
    assert _same(before, _snapshot(clf))
    assert list(clf.feature_names_in_) == ["a", "b", "c"]


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_a_refused_regressor_refit_changes_nothing(method):
    X, _, _ = _toy()
    reg = MLPRegressor((4,), max_iter=5, random_state=0).fit(X, X[:, 0])
    before = _snapshot(reg)
    with pytest.raises(ValueError):
        getattr(reg, method)(X, X[:, :2] if method == "partial_fit" else np.full(len(X), np.nan))
    assert _same(before, _snapshot(reg))


# -- sizes and dtypes read from a header are bounded by what the file can hold ------------------------------
def _rewrite_header(src, dst, change, raw=lambda text: text) -> None:
    """Copy the model file ``src`` to ``dst`` with ``change(header)`` applied to header.json, then ``raw`` to
    its bytes (the zip stays valid: sizes and checksums are those of the new bytes)."""
    with zipfile.ZipFile(src) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    header = json.loads(members["header.json"])
    change(header)
    members["header.json"] = raw(json.dumps(header).encode())
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _load_peak(path) -> tuple[BaseException | None, int]:
    tracemalloc.start()
    try:
        glassnet.load(path)
        error = None
    except Exception as exc:  # noqa: BLE001 - the test inspects what came out
        error = exc
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return error, peak


@pytest.mark.parametrize(("dtype", "problem"), [("<U100000000", "more than the file can hold"),
                                              ("<U200000000", "more than the file can hold"),
                                              ("<U1000000", "more than the file can hold"),   # two labels of 4 MB each
                                              ("|S1000000000", "not one of the dtype kinds"),
                                              ("<U2147483647", "is not a dtype")])
def test_a_huge_classes_dtype_is_refused_before_allocating(tmp_path, dtype, problem):
    X, y2, _ = _toy()
    good = MLPClassifier((4,), max_iter=2, random_state=0).fit(X, y2).save(tmp_path / "good.glassnet")
    bad = tmp_path / "bad.glassnet"
    _rewrite_header(good, bad, lambda h: h["estimator"]["fitted"].update(classes_dtype=dtype))
    assert bad.stat().st_size < 10_000
    error, peak = _load_peak(bad)
    assert isinstance(error, ModelFileError), error
    assert "classes_dtype" in str(error) and problem in str(error)
    assert peak < 16 << 20   # a few MB at most, whatever the header asks for


def test_layer_sizes_beyond_the_files_arrays_are_refused_before_allocating(tmp_path):
    X, y2, _ = _toy()
    good = MLPClassifier((4,), max_iter=2, random_state=0).fit(X, y2).save(tmp_path / "good.glassnet")
    bad = tmp_path / "bad.glassnet"
    _rewrite_header(good, bad, lambda h: h["network"].update(sizes=[3, 100_000, 100_000, 1],
                                                            activations=h["network"]["activations"][:1] * 3))
    error, peak = _load_peak(bad)
    assert isinstance(error, ModelFileError), error
    assert "sizes" in str(error) and "more than the file can hold" in str(error)
    assert peak < 16 << 20


def test_the_bounds_let_real_files_through(tmp_path):
    X, _, y3 = _toy()
    long = np.array(["x" * 300, "y", "z"])[np.arange(len(X)) % 3]
    clf = MLPClassifier((4,), max_iter=2, random_state=0).fit(X, long.astype("<U400"))
    loaded = glassnet.load(clf.save(tmp_path / "m.glassnet"))
    assert loaded.classes_.dtype == clf.classes_.dtype == np.dtype("<U300")
    assert list(loaded.classes_) == list(clf.classes_)
    assert np.array_equal(loaded.predict(X), clf.predict(X))


# -- only regular files are read, and only regular files are replaced ---------------------------------------
_GUARD = 120  # seconds; only so that a regression fails instead of hanging (nothing writes to the pipes)

fifo_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=_GUARD)


@fifo_only
@pytest.mark.parametrize("call", [
    "import glassnet; glassnet.load(sys.argv[1])",
    "from glassnet.persistence import read_header; read_header(sys.argv[1])",
    "from glassnet.datasets import load_csv; load_csv(sys.argv[1], 'y')",
    "from glassnet.datasets import load_npz; load_npz(sys.argv[1])",
])
def test_reading_a_named_pipe_is_refused_not_waited_on(tmp_path, call):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    code = ("import sys\nfrom glassnet.errors import GlassnetError\ntry:\n    " + call.replace("; ", "\n    ") +
            "\nexcept GlassnetError as exc:\n    print(type(exc).__name__, exc)\n")
    done = _run(code, str(fifo))
    assert done.returncode == 0, done.stderr
    assert "named pipe (FIFO), not a regular file" in done.stdout and str(fifo) in done.stdout


@fifo_only
@pytest.mark.parametrize("argv", [["info", "{fifo}"], ["train", "{fifo}", "--target", "y", "--out", "{out}"],
                                  ["train", "{fifo}", "--out", "{out}"]])
def test_the_command_line_refuses_a_named_pipe(tmp_path, argv):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    done = _run("import sys; from glassnet.cli import main; sys.exit(main(sys.argv[1:]))",
                *[a.format(fifo=fifo, out=tmp_path / "m.glassnet") for a in argv])
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "named pipe" in done.stderr


@fifo_only
def test_a_write_never_replaces_a_named_pipe(tmp_path):
    from glassnet.fileio import NotRegularFileError, atomic_write_bytes
    from glassnet.modelfile import atomic_write_bytes as model_write

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFileError, match="named pipe"):
        atomic_write_bytes(fifo, b"data")
    with pytest.raises(ModelFileError, match="named pipe"):
        model_write(fifo, b"data")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]   # no temporary file left either


def test_a_folder_and_a_missing_file_are_still_named(tmp_path):
    with pytest.raises(ModelFileError, match="folder"):
        glassnet.load(tmp_path)
    with pytest.raises(ModelFileError, match="no such file"):
        glassnet.load(tmp_path / "missing.glassnet")


# -- the temporary files of killed writers are removed by the next write ------------------------------------
_KILLED_WRITER = """
import os, sys
from glassnet.fileio import atomic_file
with atomic_file(sys.argv[1]) as f:
    f.write(b"half a model")
    f.flush()
    print(os.listdir(os.path.dirname(sys.argv[1])), flush=True)
    os.kill(os.getpid(), 9)
"""


@pytest.mark.skipif(not hasattr(os, "kill") or sys.platform == "win32", reason="SIGKILL needs POSIX")
def test_a_killed_writers_temporary_file_is_removed_by_the_next_save(tmp_path):
    from glassnet.fileio import atomic_write_bytes

    target = tmp_path / "model.glassnet"
    done = _run(_KILLED_WRITER, str(target))
    assert done.returncode == -9
    left = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1 and left[0].read_bytes() == b"half a model"
    other = tmp_path / ".other.glassnet.0123456789ab.tmp"   # another target's: not ours to judge
    other.write_bytes(b"x")
    old = left[0].stat().st_mtime - 3600
    for p in (left[0], other):
        os.utime(p, (old, old))
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, target.name]


@pytest.mark.skipif(sys.platform == "win32", reason="flock needs POSIX")
def test_a_live_writers_temporary_file_is_left_alone(tmp_path):
    import fcntl

    from glassnet.fileio import atomic_write_bytes, remove_stale_temporaries

    target = tmp_path / "model.glassnet"
    live, young = tmp_path / ".model.glassnet.00000000000a.tmp", tmp_path / ".model.glassnet.00000000000b.tmp"
    live.write_bytes(b"busy")
    young.write_bytes(b"just made")
    old = live.stat().st_mtime - 3600
    os.utime(live, (old, old))
    with open(live, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)   # what a writer holds while it writes
        atomic_write_bytes(target, b"new")
        assert live.exists() and young.exists()
    assert remove_stale_temporaries(target) == [live]   # its writer gone, it goes; the young one waits
    assert young.exists()


# -- a path that is not a path ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [None, 5, b"model.glassnet", ""])
def test_save_and_load_name_a_path_that_is_not_one(path):
    from glassnet.errors import InputTypeError
    from glassnet.fileio import atomic_write_bytes

    net = glassnet.Network.from_sizes([2, 3, 1], seed=0)
    for call in (lambda: glassnet.load(path), lambda: glassnet.save(net, path), lambda: net.save(path),
                 lambda: atomic_write_bytes(path, b"x")):
        with pytest.raises(InputTypeError, match="path|name"):
            call()


# -- the header is checked strictly ----------------------------------------------------------------------
def _crafted(tmp_path, change, raw=lambda text: text):
    X, y2, _ = _toy()
    good = MLPClassifier((4,), max_iter=2, random_state=0).fit(X, y2).save(tmp_path / "good.glassnet")
    bad = tmp_path / "bad.glassnet"
    _rewrite_header(good, bad, change, raw)
    return bad


def test_a_number_too_large_for_a_float_is_refused_not_read_as_inf(tmp_path):
    bad = _crafted(tmp_path, lambda h: h["estimator"]["fitted"].update(loss_=123.0),
                   lambda text: text.replace(b'"loss_": 123.0', b'"loss_": 1e999'))
    with pytest.raises(ModelFileError, match="1e999 is too large for a float"):
        glassnet.load(bad)


@pytest.mark.parametrize("key", ["n_iter_", "t_", "no_improvement_count"])
def test_a_negative_count_is_refused(tmp_path, key):
    bad = _crafted(tmp_path, lambda h: h["estimator"]["fitted"].update({key: -3}))
    with pytest.raises(ModelFileError, match=f"'{key}' is -3; a count is never negative"):
        glassnet.load(bad)


def test_an_activation_its_network_does_not_hold_is_refused(tmp_path):
    bad = _crafted(tmp_path, lambda h: h["network"]["activations"][0].update(name="step"))
    with pytest.raises(ModelFileError, match="activation 'relu' is not its network's hidden activation"):
        glassnet.load(bad)


# -- each array's digest ties its content to the header ------------------------------------------------------
def _swap_members(src, dst, a: str, b: str) -> None:
    """Copy ``src`` to ``dst`` with the contents of members ``a`` and ``b`` swapped (the zip's CRCs are valid)."""
    with zipfile.ZipFile(src) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    members[a], members[b] = members[b], members[a]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_same_shape_arrays_swapped_are_named(tmp_path):
    net = glassnet.Network.from_sizes([3, 3, 3, 1], seed=0)
    good = net.save(tmp_path / "good.glassnet")
    bad = tmp_path / "bad.glassnet"
    _swap_members(good, bad, "layers.0.weights.npy", "layers.1.weights.npy")
    with pytest.raises(ModelFileError, match="array 'layers.0.weights' does not match its sha256 digest"):
        glassnet.load(bad)


def test_the_adam_moments_swapped_are_named(tmp_path):
    X, y2, _ = _toy()
    good = MLPClassifier((4,), max_iter=3, random_state=0).fit(X, y2).save(tmp_path / "good.glassnet")
    with zipfile.ZipFile(good) as zf:
        names = zf.namelist()
    assert "optimizer.m.npy" in names and "optimizer.v.npy" in names
    bad = tmp_path / "bad.glassnet"
    _swap_members(good, bad, "optimizer.m.npy", "optimizer.v.npy")
    with pytest.raises(ModelFileError, match="does not match its sha256 digest"):
        glassnet.load(bad)


def test_a_version_2_manifest_without_a_digest_is_refused(tmp_path):
    good = glassnet.Network.from_sizes([2, 3, 1], seed=0).save(tmp_path / "good.glassnet")
    bad = tmp_path / "bad.glassnet"
    _rewrite_header(good, bad, lambda h: h["arrays"]["layers.0.bias"].pop("sha256"))
    with pytest.raises(ModelFileError, match="array 'layers.0.bias' no sha256 digest"):
        glassnet.load(bad)
    _rewrite_header(good, bad, lambda h: h["arrays"]["layers.0.bias"].update(sha256="0" * 63))
    with pytest.raises(ModelFileError, match="malformed sha256 digest"):
        glassnet.load(bad)


def _reforged(path, dst, change):
    """``path`` rewritten through glassnet's own writer with ``change(header, arrays)`` applied: the zip's CRCs
    and every array's sha256 are those of the new content, so only the meaning of the fields is judged."""
    from glassnet.modelfile import RESERVED_KEYS, read_model_file, write_model_file

    header, arrays = read_model_file(path)
    kind = header["kind"]
    header = {k: v for k, v in header.items() if k not in RESERVED_KEYS}
    change(header, arrays)
    return write_model_file(dst, header, arrays, kind=kind)


def test_adams_second_moment_below_zero_is_refused_in_an_estimator_file(tmp_path):
    X, y2, _ = _toy()
    good = MLPClassifier((4,), max_iter=3, random_state=0).fit(X, y2).save(tmp_path / "good.glassnet")
    bad = _reforged(good, tmp_path / "bad.glassnet",
                    lambda h, a: a.update({"optimizer.m": a["optimizer.v"], "optimizer.v": a["optimizer.m"]}))
    with pytest.raises(ModelFileError, match="optimizer.v, Adam's running mean of squared gradients, holds negative"):
        glassnet.load(bad)


# -- a model of glassnet train whose header holds the wrong types ---------------------------------------------
@pytest.fixture(scope="module")
def cli_model(tmp_path_factory):
    import contextlib
    import io

    from glassnet.cli import main

    folder = tmp_path_factory.mktemp("cli")
    csv = folder / "t.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i % 7},{(i * 3) % 5},{['no', 'yes'][i % 2]}\n" for i in range(40)))
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["train", str(csv), "--target", "y", "--epochs", "2", "--quiet", "--layers", "3",
                     "--out", str(folder / "m.glassnet")]) == 0
    return folder / "m.glassnet"


def _set(*where, value):
    def change(header, arrays):
        target = header
        for key in where[:-1]:
            target = target[key]
        target[where[-1]] = value
    return change


@pytest.mark.parametrize(("change", "words"), [
    (_set("training", "history", "best_epoch", value="x"), "history['best_epoch'] is 'x'"),
    (_set("training", "train_metrics", value=[1]), "train_metrics is '[1]', not null or an object of numbers"),
    (_set("training", "test_metrics", value={"cost": "low"}), "test_metrics is"),
    (_set("training", "epochs", value="2"), "epochs is '2', not a whole number"),
    (_set("training", "epochs", value=2.0), "epochs is '2.0', not a whole number"),
    (_set("training", "n_train", value=True), "n_train is 'True', not a whole number"),
    (_set("training", "seconds", value=-1), "seconds is '-1'"),
    (_set("training", "options", "seed", value="0"), "options['seed'] is '0'"),
    (_set("training", "held_out", "test_split", value=5), "held_out['test_split'] is '5'"),
    (_set("preprocessing", "classes", value=["only-one"]), "are not the 2 class names"),
    (_set("preprocessing", "classes", value=["a", "a"]), "repeat a name"),
    (_set("preprocessing", "classes", value=[1, 2]), "are not the 2 class names"),
    (_set("preprocessing", "image_shape", value=[3, 3]), "image_shape [3, 3] does not hold"),
])
def test_a_command_line_model_of_the_wrong_types_is_refused_clearly(cli_model, tmp_path, change, words):
    from glassnet.cli.models import Model

    bad = _reforged(cli_model, tmp_path / "bad.glassnet", change)
    with pytest.raises(ModelFileError) as info:
        Model.load(bad)
    assert str(bad) in str(info.value) and words in str(info.value)


def test_the_command_line_says_what_is_wrong_with_a_model(cli_model, tmp_path, capsys):
    from glassnet.cli import main

    bad = _reforged(cli_model, tmp_path / "bad.glassnet", _set("training", "history", "best_epoch", value="x"))
    assert main(["info", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "its training summary is malformed" in err
    assert main(["info", str(cli_model)]) == 0   # the file it was made from is fine


# -- numpy's warnings never reach the command line's user; the words say what is wrong -----------------------
def _cli(argv, capsys):
    import warnings

    from glassnet.cli import main

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    return code, err, runtime


def _table(path, rows):
    path.write_text("a,b,y\n" + "".join(f"{a},{b},{y}\n" for a, b, y in rows))
    return path


def test_a_cell_too_large_to_standardize_is_named_not_called_infinite(tmp_path, capsys):
    data = _table(tmp_path / "t.csv", [(i % 5, i % 3, i % 2) for i in range(30)] + [("1e300", 3, 1)])
    code, err, runtime = _cli(["train", data, "--target", "y", "--epochs", "2", "--quiet",
                               "--out", tmp_path / "m.glassnet"], capsys)
    assert code == 1 and not runtime, runtime
    assert "column 'a' holds values as large as 1e+300, too large to standardize" in err
    assert "NaN or infinite" not in err


def test_noise_that_overflows_is_named(tmp_path, capsys):
    code, err, runtime = _cli(["train", "moons", "--noise", "1e308", "--quiet", "--out", tmp_path / "m.glassnet"],
                              capsys)
    assert code == 1 and not runtime, runtime
    assert "is inf; the inputs must be finite numbers (for a made-up set: a smaller --noise)" in err


def test_a_diverging_learning_rate_says_so_without_numpys_warnings(tmp_path, capsys):
    code, err, runtime = _cli(["train", "moons", "--learning-rate", "1e30", "--epochs", "2", "--quiet",
                               "--out", tmp_path / "m.glassnet"], capsys)
    assert code == 1 and not runtime, runtime
    assert "training diverged" in err and "RuntimeWarning" not in err


def test_a_value_beyond_the_models_float32_is_named_at_predict(tmp_path, capsys):
    data = _table(tmp_path / "t.csv", [(i % 5, i % 3, i % 2) for i in range(30)])
    assert _cli(["train", data, "--target", "y", "--epochs", "2", "--quiet", "--out", tmp_path / "m.glassnet"],
                capsys)[0] == 0
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b\n1,2\n1e39,1\n")
    code, err, runtime = _cli(["predict", tmp_path / "m.glassnet", rows], capsys)
    assert code == 1 and not runtime, runtime
    assert "row 2, column 'a': 1e+39 is beyond what the model's float32 inputs hold" in err


@pytest.mark.parametrize("argv", [["train", "moons", "--seed", "-1"], ["explain", "--demo", "--row", "-1"]])
def test_a_negative_seed_or_row_is_a_usage_error_in_our_words(argv, capsys):
    from glassnet.cli import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "expected a whole number of at least 0, got '-1'" in capsys.readouterr().err


# -- a checkpoint of glassnet train whose stored options hold the wrong types ---------------------------------
@pytest.mark.parametrize(("key", "value"), [("seed", "a"), ("epochs", "5"), ("layers", "x"), ("seed", True),
                                            ("samples", 2.5), ("l2", [1])])
def test_a_resumed_checkpoint_with_options_of_the_wrong_types_is_refused_in_one_line(tmp_path, capsys, key, value):
    from glassnet.cli import main

    out = tmp_path / "m.glassnet"
    assert main(["train", "moons", "--epochs", "2", "--quiet", "--checkpoint-every", "1", "--out", str(out)]) == 0
    checkpoint = tmp_path / "m.checkpoint.glassnet"
    _reforged(checkpoint, checkpoint, _set("extra", "options", key, value=value))
    capsys.readouterr()
    assert main(["train", "moons", "--resume", "--quiet", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"holds the option {key}=" in err and "train afresh without --resume" in err


# -- numbers too large for the dtype, and weights that are not finite ----------------------------------------
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_targets_whose_squares_overflow_are_named_not_blamed_on_the_learning_rate(solver):
    from glassnet.estimators.stochastic import SolverDivergenceError

    X, _, _ = _toy()
    y = X.sum(axis=1) * 1e30
    for fit in ("fit", "partial_fit"):
        reg = MLPRegressor((4,), solver=solver, max_iter=3, random_state=0)
        with pytest.raises(SolverDivergenceError) as info:
            getattr(reg, fit)(X, y)
        message = str(info.value)
        assert isinstance(info.value, ValueError)
        for words in ("starting weights", "before any step", f"|y| = {np.abs(y).max():.3g}", "3.4e+38",
                      "Scale the targets", "dtype='float64'"):
            assert words in message, (fit, words)
        assert "Try a smaller learning rate" not in message and "non-finite parameter weights" not in message
        assert "network_" not in reg.__dict__  # the refused first fit left nothing behind


def test_targets_beyond_the_dtype_and_a_float64_overflow_under_lbfgs_are_named():
    from glassnet.estimators.stochastic import SolverDivergenceError

    X, _, _ = _toy()
    y = X.sum(axis=1)
    with pytest.raises(InputError, match=r"y reaches \|y\| = .*e\+40, beyond float32's largest number"):
        MLPRegressor((4,), max_iter=3, random_state=0).fit(X, y * 1e40)
    assert int(np.abs(y * 1e200).max()) ** 2 > int(np.finfo(np.float64).max)  # squares past float64 too
    reg = MLPRegressor((4,), solver="lbfgs", dtype="float64", random_state=0)
    with pytest.warns(Warning), pytest.raises(SolverDivergenceError, match="starting weights .* before any iter"):
        reg.fit(X, y * 1e200)


def _fitted_pair():
    X, y2, _ = _toy()
    clf = MLPClassifier((4,), max_iter=5, random_state=0).fit(X, y2)
    reg = MLPRegressor((4,), max_iter=5, random_state=0).fit(X, X.sum(axis=1))
    return X, y2, clf, reg


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_an_estimator_whose_weights_are_nan_refuses_to_predict():
    from glassnet.errors import NotFiniteOutputError

    X, y2, clf, reg = _fitted_pair()
    for est in (clf, reg):
        est.network_.params[:] = np.nan
    calls = [clf.predict, clf.predict_proba, clf.predict_log_proba, lambda X: clf.score(X, y2), reg.predict,
             lambda X: reg.score(X, X.sum(axis=1))]
    for call in calls:
        with pytest.raises(NotFiniteOutputError, match="outputs are NaN: its weights are not finite.*Refit it"):
            call(X)
    assert issubclass(NotFiniteOutputError, ValueError)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_an_estimator_refuses_inputs_whose_outputs_overflow():
    from glassnet.errors import NotFiniteOutputError

    X, y2, clf, reg = _fitted_pair()
    reg.network_.params[:] = 1.0
    big = np.ones((4, 3))
    big[2] = 3e38  # within float32, but s = x1 + x2 + x3 + 1 is not
    assert 3 * int(3e38) > int(np.finfo(np.float32).max)
    for call in (reg.predict, lambda X: reg.score(X, np.ones(4))):
        with pytest.raises(NotFiniteOutputError, match=r"not finite for row 2 of X: .* overflows float32"):
            call(big)
    assert np.allclose(reg.predict(big[:2]), 4 * 4 + 1)  # the finite rows on their own: 4 hidden units of 3 + 1


def _flat(est, weights, biases):
    """The network's flat parameter layout holding ``weights`` and ``biases`` (written through coefs_)."""
    net = est.network_
    kept = net.params.copy()
    for layer, W, b in zip(net.layers, weights, biases, strict=True):
        layer.weights[...], layer.bias[...] = W, b
    flat = net.params.copy()
    net.params[...] = kept
    return flat


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_takes_a_new_learning_rate_and_keeps_the_optimizers_memory(solver):
    """After set_params, the next partial_fit is one step of the update rule at the new settings, from the
    optimizer's memory (velocity; m, v, t) as it was, computed here in numpy for a linear model."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    reg = MLPRegressor((), solver=solver, learning_rate_init=0.01, batch_size=30, alpha=0.0, dtype="float64",
                       random_state=0, momentum=0.9, nesterovs_momentum=False, shuffle=False)
    reg.partial_fit(X, y)
    reg.partial_fit(X, y)
    W, b = reg.coefs_[0].copy(), reg.intercepts_[0].copy()
    memory = {key: np.array(value) for key, value in reg._optimizer.state().items()}
    reg.set_params(learning_rate_init=0.2, momentum=0.5, beta_1=0.8, beta_2=0.99)
    reg.partial_fit(X, y)
    e = (X @ W + b)[:, 0] - y  # glassnet's cost J = mean (a - y)^2 over the rows (one output)
    g = _flat(reg, [2 * X.T @ e[:, None] / len(X)], [np.array([2 * e.mean()])])
    p = _flat(reg, [W], [b])
    if solver == "sgd":  # v = momentum v - lr g, w += v; the rate is learning_rate_init * k / 2
        expected = p + (0.5 * memory["velocity"] - 0.2 * 0.5 * g)
    else:  # Adam at learning_rate_init, eps = epsilon * 2 / k
        t = int(memory["iterations"]) + 1
        m = 0.8 * memory["m"] + 0.2 * g
        v = 0.99 * memory["v"] + 0.01 * g**2
        expected = p - 0.2 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.99**t)) + 2e-8)
    assert np.abs(expected - p).max() > 0.05  # a step the old rate (or forgotten memory) would not take
    np.testing.assert_allclose(reg.network_.params, expected, rtol=1e-12, atol=1e-14)


def test_a_classifiers_partial_fit_takes_a_new_learning_rate():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(40, 2))
    y = np.where(X[:, 0] - X[:, 1] > 0, "yes", "no")
    clf = MLPClassifier((), solver="sgd", learning_rate_init=0.01, batch_size=40, alpha=0.0, dtype="float64",
                        random_state=0, momentum=0.9, nesterovs_momentum=False, shuffle=False)
    clf.partial_fit(X, y, classes=["no", "yes"])
    W, b = clf.coefs_[0].copy(), clf.intercepts_[0].copy()
    velocity = np.array(clf._optimizer.state()["velocity"])
    clf.set_params(learning_rate_init=0.5)
    clf.partial_fit(X, y)
    a = 1 / (1 + np.exp(-(X @ W + b)))  # one sigmoid output; binary cross-entropy's delta is (a - y) / n
    delta = (a[:, 0] - (y == "yes")) / len(X)
    g = _flat(clf, [X.T @ delta[:, None]], [np.array([delta.sum()])])
    expected = _flat(clf, [W], [b]) + (0.9 * velocity - 0.5 * g)
    np.testing.assert_allclose(clf.network_.params, expected, rtol=1e-12, atol=1e-14)
    # a new solver: its own optimizer, from an empty memory (Adam's first step is lr * g / (|g| + eps))
    W, b = clf.coefs_[0].copy(), clf.intercepts_[0].copy()
    clf.set_params(solver="adam", learning_rate_init=0.05, epsilon=1e-8)
    clf.partial_fit(X, y)
    a = 1 / (1 + np.exp(-(X @ W + b)))
    delta = (a[:, 0] - (y == "yes")) / len(X)
    g = _flat(clf, [X.T @ delta[:, None]], [np.array([delta.sum()])])
    expected = _flat(clf, [W], [b]) - 0.05 * g / (np.abs(g) + 1e-8)
    np.testing.assert_allclose(clf.network_.params, expected, rtol=1e-10, atol=1e-12)


def test_partial_fit_after_a_decayed_schedule_steps_at_the_constant_rate_set():
    """invscaling decays the rate (learning_rate_init / (t + 1) ** power_t); set_params(learning_rate='constant')
    makes the next partial_fit step at learning_rate_init again, from the velocity kept."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    reg = MLPRegressor((), solver="sgd", learning_rate="invscaling", learning_rate_init=0.05, power_t=0.5,
                       batch_size=30, alpha=0.0, dtype="float64", random_state=0, momentum=0.9,
                       nesterovs_momentum=False, shuffle=False)
    for _ in range(4):
        reg.partial_fit(X, y)
    W, b = reg.coefs_[0].copy(), reg.intercepts_[0].copy()
    velocity = np.array(reg._optimizer.state()["velocity"])
    reg.set_params(learning_rate="constant")
    reg.partial_fit(X, y)
    e = (X @ W + b)[:, 0] - y
    g = _flat(reg, [2 * X.T @ e[:, None] / len(X)], [np.array([2 * e.mean()])])
    p = _flat(reg, [W], [b])
    expected = p + (0.9 * velocity - 0.05 * 0.5 * g)  # the rate learning_rate_init * k / 2, k = 1 here
    decayed = p + (0.9 * velocity - 0.05 / 5**0.5 * 0.5 * g)  # what the kept, decayed rate would step
    assert np.abs(expected - decayed).max() > 1e-3
    np.testing.assert_allclose(reg.network_.params, expected, rtol=1e-12, atol=1e-14)


# -- the last wrong words: sample_weight, score's targets, warm starts that would keep another network ------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_sample_weight_of_text_is_named_and_changes_nothing(method):
    X, y2, clf, reg = _fitted_pair()
    for est, y in ((clf, y2), (reg, X.sum(axis=1))):
        before = _snapshot(est)
        with pytest.raises(TypeError) as info:
            getattr(est, method)(X, y, sample_weight=np.array(["a"] * len(X)))
        message = str(info.value)
        assert "sample_weight must hold numbers, one weight >= 0 per sample" in message
        assert "'a'" in message and "could not convert" not in message
        assert _same(before, _snapshot(est))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_score_names_the_targets_row_that_is_nan():
    from sklearn.metrics import accuracy_score, r2_score

    X, y2, clf, reg = _fitted_pair()
    y = X.sum(axis=1)
    bad = y.copy()
    bad[4] = np.nan
    cases = [(reg, bad, "y contains NaN at index 4"), (reg, np.where(np.arange(60) == 7, np.inf, y),
                                                        "y contains an infinite value at index 7"),
             (clf, np.where(X[:, 0] > 0, 1.0, np.nan), "y contains NaN at index"),
             (clf, np.array([*y2[:2], np.nan, *y2[3:]], dtype=object), "y contains NaN at index 2")]
    for est, targets, words in cases:
        before = _snapshot(est)
        with pytest.raises(InputError) as info:
            est.score(X, targets)
        assert words in str(info.value) and "drop those rows" in str(info.value)
        assert "Input contains NaN" not in str(info.value) and _same(before, _snapshot(est))
    # finite targets are scored as scikit-learn's metrics score the same predictions
    assert reg.score(X, y) == pytest.approx(r2_score(y, reg.predict(X)), rel=1e-12)
    w = np.linspace(0.5, 2.0, 60)
    assert reg.score(X, y, sample_weight=w) == pytest.approx(r2_score(y, reg.predict(X), sample_weight=w), rel=1e-12)
    assert clf.score(X, y2) == accuracy_score(y2, clf.predict(X))
    with pytest.raises(InputError, match="X has 60 rows but y has 5"):
        reg.score(X, y[:5])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(("params", "words"), [
    ({"warm_start": True, "hidden_layer_sizes": (7,)},
     ["hidden layers are (4,)", "hidden_layer_sizes says (7,)", "warm_start=False", "back to (4,)"]),
    ({"warm_start": True, "hidden_layer_sizes": (4, 4)}, ["hidden layers are (4,)", "says (4, 4)"]),
    ({"warm_start": True, "activation": "tanh"}, ["hidden layers use 'relu'", "activation says 'tanh'"]),
])
def test_a_warm_start_refit_of_another_network_is_refused_and_changes_nothing(params, words):
    X, y2, clf, reg = _fitted_pair()
    before = _snapshot(clf)
    clf.set_params(**params)
    with pytest.raises(InputError) as info:
        clf.fit(X, y2)
    for word in words:
        assert word in str(info.value), word
    assert _same(before, _snapshot(clf))
    assert [c.shape for c in clf.coefs_] == [(3, 4), (4, 1)]
    clf.set_params(warm_start=False)
    assert [c.shape[1] for c in clf.fit(X, y2).coefs_[:-1]] == list(clf.get_params()["hidden_layer_sizes"])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_partial_fit_of_another_network_is_refused_and_a_same_one_goes_on():
    X, y2, clf, reg = _fitted_pair()
    y = X.sum(axis=1)
    before = _snapshot(reg)
    with pytest.raises(InputError, match=r"hidden layers are \(4,\).*says \(5,\).*call fit to start anew"):
        reg.set_params(hidden_layer_sizes=(5,)).partial_fit(X, y)
    assert _same(before, _snapshot(reg))
    n_iter = reg.n_iter_
    reg.set_params(hidden_layer_sizes=[4], activation="relu").partial_fit(X, y)  # the same network, as a list
    assert reg.n_iter_ == n_iter + 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_an_estimator_names_float64_inputs_beyond_float32_without_a_warning():
    import warnings

    X, y2, clf, reg = _fitted_pair()
    big = X.copy()
    big[5, 2] = 1e39
    assert 1e39 > (2 - 2.0**-23) * 2.0**127  # float32's largest number, written out
    calls = {"reg.fit": lambda: reg.fit(big, X.sum(axis=1)), "clf.partial_fit": lambda: clf.partial_fit(big, y2),
             "reg.predict": lambda: reg.predict(big), "clf.predict_proba": lambda: clf.predict_proba(big),
             "clf.score": lambda: clf.score(big, y2)}
    for name, call in calls.items():
        est = reg if name.startswith("reg") else clf
        before = _snapshot(est)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # no "overflow encountered in cast"
            with pytest.raises(InputError) as info:
                call()
        message = str(info.value)
        assert "X holds 1e+39 at index (5, 2): a finite number, but beyond float32's largest number" in message, name
        assert "dtype='float64'" in message and "infinity" not in message, name
        assert _same(before, _snapshot(est)), name
    wide = MLPRegressor((4,), max_iter=2, random_state=0, dtype="float64")
    with pytest.warns(Warning):  # two epochs do not converge; 1e39 is an ordinary float64
        wide.fit(big, X.sum(axis=1))
    with pytest.raises(InputError, match="X contains NaN"):   # NaN is still NaN
        reg.predict(np.where(big > 1e38, np.nan, big))
