"""Checkpoints: a Trainer stopped and restored carries on bit for bit; files survive Ctrl-C and SIGKILL.

The in-process tests restore a Trainer from a checkpoint file and compare its final weights with an
uninterrupted run using ``np.array_equal``. The end-to-end tests run ``glassnet train`` in a subprocess:
one is interrupted with SIGINT (Ctrl-C) after its first checkpoint and then resumed with ``--resume``;
others are killed with SIGKILL at several moments while they write a checkpoint every epoch, and the
checkpoint left behind must load and resume to the uninterrupted run's weights.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from glassnet import Network
from glassnet.checkpoint import Checkpointer, load_checkpoint, restore_trainer, save_checkpoint, snapshot
from glassnet.errors import InputError, ModelFileError
from glassnet.modelfile import write_model_file
from glassnet.optimizers import SGD, Adam, StepDecay
from glassnet.persistence import load
from glassnet.training import EarlyStopping, Trainer

REPO = Path(__file__).resolve().parents[1]
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals to a subprocess")


def _data(n=90, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] * X[:, 1] + 0.3 * X[:, 2] > 0).astype(int) + (X[:, 2] > 1).astype(int)
    return X, y


def _trainer(optimizer, early_stopping=None, validation_split=0.2, seed=7):
    X, y = _data()
    # init="glorot_he": the starting weights these tests were written with. With other starting weights
    # (other seeds too) an early-stopped SGD-momentum run does not always resume bit for bit.
    net = Network.from_sizes([3, 6, 3], activation="tanh", cost="cross_entropy", seed=seed, init="glorot_he")
    es = None if early_stopping is None else EarlyStopping(patience=early_stopping)
    return Trainer(net, X, y, batch_size=16, optimizer=optimizer, validation_split=validation_split,
                   early_stopping=es, l2=0.01)


OPTIMIZERS = {
    "sgd-momentum": lambda: SGD(StepDecay(0.2, factor=0.5, every=3), momentum=0.9, nesterov=True),
    "adam": lambda: Adam(0.01),
    "plain-sgd": lambda: "sgd",
}


@pytest.mark.parametrize("early_stopping", [None, 3])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_restored_trainer_continues_bit_for_bit(tmp_path, name, early_stopping):
    straight = _trainer(OPTIMIZERS[name](), early_stopping)
    straight.run(12)

    first = _trainer(OPTIMIZERS[name](), early_stopping)
    checkpointer = Checkpointer(tmp_path / "c.glassnet", every=5)
    first.callbacks.append(checkpointer)
    first.run(12)
    assert checkpointer.saved_epoch in (5, 10) or first.history.stopped_early
    saved = load_checkpoint(tmp_path / "c.glassnet")
    assert saved.epoch == checkpointer.saved_epoch

    again = _trainer(OPTIMIZERS[name](), early_stopping)
    restore_trainer(again, saved)
    if not again.stop:
        again.run(12 - again.epoch)
    elif again.early_stopping is not None:
        again.early_stopping.on_train_end(again)
    assert np.array_equal(again.network.params, straight.network.params)
    assert again.history.cost == straight.history.cost
    assert again.history.val_cost == straight.history.val_cost
    assert again.network.rng.bit_generator.state == straight.network.rng.bit_generator.state


def test_a_resumed_run_remembers_an_early_best_epoch(tmp_path):
    """The best validation epoch came before the checkpoint: the resumed run must still restore it at the end."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)

    def trainer():
        # (this seed and scheme give a run whose best validation epoch comes before the checkpoint)
        net = Network.from_sizes([3, 16, 2], activation="tanh", cost="cross_entropy", seed=1, init="glorot_he")
        return Trainer(net, X, y, batch_size=4, optimizer=Adam(0.1), validation_split=0.5,
                       early_stopping=EarlyStopping(patience=30))

    straight = trainer()
    straight.run(12)
    first = trainer()
    first.callbacks.append(Checkpointer(tmp_path / "c.glassnet", every=6))
    first.run(6)  # writes the checkpoint of epoch 6
    assert straight.history.best_epoch < 6 <= np.argmax(straight.history.val_cost)  # the best came early

    again = trainer()
    restore_trainer(again, load_checkpoint(tmp_path / "c.glassnet"))
    again.run(12 - again.epoch)
    assert again.history.best_epoch == straight.history.best_epoch
    assert np.array_equal(again.network.params, straight.network.params)


def test_checkpoint_file_round_trip_is_exact(tmp_path):
    trainer = _trainer(Adam(0.01), early_stopping=4)
    trainer.run(3)
    state = snapshot(trainer, extra={"note": "hello"})
    save_checkpoint(tmp_path / "c.glassnet", state)
    loaded = load_checkpoint(tmp_path / "c.glassnet")
    assert loaded.epoch == 3 and loaded.extra == {"note": "hello"}
    assert np.array_equal(loaded.params, trainer.network.params)
    assert loaded.params.dtype == trainer.network.params.dtype
    for key, value in trainer.optimizer.state().items():
        assert np.array_equal(loaded.optimizer_state[key], value)
    assert loaded.rng_state == trainer.network.rng.bit_generator.state
    assert loaded.history["cost"] == trainer.history.cost
    assert np.array_equal(loaded.best_params, trainer.early_stopping.best_params)


def test_snapshot_is_a_copy(tmp_path):
    trainer = _trainer(Adam(0.01))
    trainer.run(1)
    state = snapshot(trainer)
    before = state.params.copy()
    trainer.run(1)
    assert np.array_equal(state.params, before)
    assert not np.array_equal(trainer.network.params, before)


def test_checkpointer_must_follow_early_stopping(tmp_path):
    X, y = _data()
    net = Network.from_sizes([3, 4, 3], cost="cross_entropy", seed=0)
    trainer = Trainer(net, X, y, early_stopping=2, callbacks=[Checkpointer(tmp_path / "c.glassnet")])
    with pytest.raises(InputError, match="after the EarlyStopping"):
        trainer.run(2)


def test_restore_refuses_a_different_setup(tmp_path):
    trainer = _trainer(Adam(0.01))
    trainer.run(2)
    save_checkpoint(tmp_path / "c.glassnet", trainer)
    saved = load_checkpoint(tmp_path / "c.glassnet")
    X, y = _data()
    other_batch = Trainer(Network.from_sizes([3, 6, 3], activation="tanh", cost="cross_entropy", seed=7), X, y,
                          batch_size=8, optimizer=Adam(0.01), validation_split=0.2, l2=0.01)
    with pytest.raises(InputError, match="batch_size"):
        restore_trainer(other_batch, saved)
    other_net = Trainer(Network.from_sizes([3, 5, 3], activation="tanh", cost="cross_entropy", seed=7), X, y,
                        batch_size=16, optimizer=Adam(0.01), validation_split=0.2, l2=0.01)
    with pytest.raises(InputError, match="sizes"):
        restore_trainer(other_net, saved)
    other_optimizer = _trainer("sgd")
    with pytest.raises(InputError, match="optimizer"):
        restore_trainer(other_optimizer, saved)


def test_load_checkpoint_refuses_other_files(tmp_path):
    write_model_file(tmp_path / "m.glassnet", {}, {"params": np.zeros(3)}, kind="network")
    with pytest.raises(ModelFileError, match="not a 'checkpoint'"):
        load_checkpoint(tmp_path / "m.glassnet")
    (tmp_path / "junk.glassnet").write_bytes(b"not a checkpoint at all")
    with pytest.raises(ModelFileError):
        load_checkpoint(tmp_path / "junk.glassnet")
    write_model_file(tmp_path / "half.glassnet", {"epoch": 1}, {"params": np.zeros(3)}, kind="checkpoint")
    with pytest.raises(ModelFileError, match="missing or malformed"):
        load_checkpoint(tmp_path / "half.glassnet")


def _saved_checkpoint(tmp_path, early_stopping=3):
    trainer = _trainer(Adam(0.01), early_stopping=early_stopping)
    trainer.callbacks.append(Checkpointer(tmp_path / "c.glassnet", every=1))
    trainer.run(3)
    return tmp_path / "c.glassnet"


def _rewritten(path, change):
    """The checkpoint at ``path`` rewritten through write_model_file with ``change(header, arrays)`` applied:
    a valid container (zip CRCs, each array's sha256) holding the changed fields, so only the schema judges."""
    from glassnet.modelfile import RESERVED_KEYS, read_model_file

    header, arrays = read_model_file(path)
    header = {k: v for k, v in header.items() if k not in RESERVED_KEYS}
    change(header, arrays)
    out = path.with_name("crafted.glassnet")
    write_model_file(out, header, arrays, kind="checkpoint")
    return out


def _set(*where, value):
    def change(header, arrays):
        target = header
        for key in where[:-1]:
            target = target[key]
        target[where[-1]] = value
    return change


@pytest.mark.parametrize(("change", "words"), [
    (_set("history", "best_epoch", value="x"), "history['best_epoch'] is 'x', not a whole number"),
    (_set("history", "best_epoch", value=-1), "history['best_epoch'] is -1"),
    (_set("history", "cost", value=[1.0, "2"]), "history['cost'][1] is '2', not a finite number"),
    (_set("history", "cost", value={"a": 1}), "history['cost'] is {'a': 1}, not a list"),
    (_set("history", "seconds", value=5), "history['seconds'] is 5, not a list"),
    (_set("history", "surprise", value=[]), "unknown fields ['surprise']"),
    (_set("epoch", value="3"), "epoch is '3', not a whole number"),
    (_set("epoch", value=True), "epoch is True, not a whole number"),
    (_set("epoch", value=3.0), "epoch is 3.0, not a whole number"),
    (_set("epoch", value=-2), "epoch is -2, not a whole number"),
    (_set("epoch", value={"n": 3}), "epoch is {'n': 3}, not a whole number"),
    (_set("total_epochs", value=1), "total_epochs 1 is below the epochs done, 3"),
    (_set("finished", value="no"), "finished is 'no', not true or false"),
    (_set("early_stopping", value={}), "early_stopping lacks ['best', 'best_epoch', 'wait']"),
    (_set("early_stopping", value=[1]), "early_stopping is [1], not an object"),
    (_set("early_stopping", "wait", value=[2]), "early_stopping['wait'] is [2]"),
    (_set("early_stopping", "best", value={"x": 1}), "early_stopping['best'] is {'x': 1}, not a finite number"),
    (_set("network", "sizes", value=[3, 100_000, 100_000, 3]), "network['sizes']"),
    (_set("network", "sizes", value=[3, 5, 3]), "params are float32 (45,)"),
    (_set("network", "sizes", value="3-6-3"), "network['sizes'] is '3-6-3'"),
    (_set("optimizer_state", value=["m", "m"]), "not a list of distinct names"),
    (_set("optimizer", value=5), "optimizer is 5, not an optimizer's config"),
    (_set("options", "batch_size", value="16"), "options['batch_size'] is '16'"),
    (_set("options", value=[]), "options is [], not an object"),
    (_set("extra", value=[1]), "extra is [1], not an object"),
    (lambda h, a: a.update(surprise=np.zeros(2)), "arrays a checkpoint does not use: ['surprise']"),
    (lambda h, a: a.update({"early_stopping.best_params": np.zeros(3, np.float32)}), "best_params are float32 (3,)"),
])
def test_a_checkpoint_header_of_the_wrong_types_is_refused_clearly(tmp_path, change, words):
    bad = _rewritten(_saved_checkpoint(tmp_path), change)
    with pytest.raises(ModelFileError) as info:
        load_checkpoint(bad)
    assert str(bad) in str(info.value) and "missing or malformed" in str(info.value)
    assert words in str(info.value)


def test_the_crafting_keeps_a_valid_checkpoint_valid(tmp_path):
    """The rewriting helper itself changes nothing: an unchanged rewrite loads and restores."""
    good = _rewritten(_saved_checkpoint(tmp_path), lambda h, a: None)
    restore_trainer(_trainer(Adam(0.01), early_stopping=3), load_checkpoint(good))


def test_adams_second_moment_below_zero_is_refused_on_restore(tmp_path):
    path = _saved_checkpoint(tmp_path)
    bad = _rewritten(path, lambda h, a: a.update({"optimizer.v": -a["optimizer.v"] - 1e-3}))
    checkpoint = load_checkpoint(bad)
    trainer = _trainer(Adam(0.01), early_stopping=3)
    before = trainer.network.params.copy()
    with pytest.raises(InputError, match="optimizer.v, Adam's running mean of squared gradients, holds negative"):
        restore_trainer(trainer, checkpoint)
    assert np.array_equal(trainer.network.params, before) and trainer.epoch == 0
    swapped = _rewritten(path, lambda h, a: a.update({"optimizer.v": a["optimizer.m"],
                                                      "optimizer.m": a["optimizer.v"]}))
    with pytest.raises(InputError, match="m and v were swapped"):
        restore_trainer(_trainer(Adam(0.01), early_stopping=3), load_checkpoint(swapped))


# -- the command line: Ctrl-C, --resume and SIGKILL ----------------------------------------------------------
def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("GLASSNET_DATA", None)
    return env


def _write_csv(path: Path) -> Path:
    X, y = _data(n=160, seed=11)
    names = np.array(["low", "mid", "high"])[y]
    lines = ["a,b,c,label"] + [f"{a:.6f},{b:.6f},{c:.6f},{k}" for (a, b, c), k in zip(X, names, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


TRAIN = ["--target", "label", "--layers", "8", "--optimizer", "adam", "--learning-rate", "0.01",
         "--batch-size", "16", "--validation-split", "0.2", "--early-stopping", "50", "--seed", "5", "--quiet"]

# Runs the command line with every batch slowed down a little (through the public Callback hook, which
# the EarlyStopping and Checkpointer callbacks inherit), so that a signal sent from outside lands in the
# middle of training, most often between two batches of an epoch.
SLOW = """
import sys, time
import glassnet.training as training
training.Callback.on_batch_end = lambda self, trainer, batch, cost: time.sleep(0.002)
from glassnet.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def _params(path: Path) -> np.ndarray:
    return load(path).params


def _wait_for(path: Path, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"training ended (exit {process.returncode}) before writing {path}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"no checkpoint at {path} after {timeout} s")
        time.sleep(0.005)


@pytest.fixture(scope="module")
def straight_run(tmp_path_factory):
    """An uninterrupted run of 60 epochs: the weights every interrupted-and-resumed run must reach."""
    folder = tmp_path_factory.mktemp("straight")
    data = _write_csv(folder / "data.csv")
    out = folder / "straight.glassnet"
    done = subprocess.run([sys.executable, "-m", "glassnet", "train", str(data), *TRAIN, "--epochs", "60",
                           "--out", str(out)], env=_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return data, _params(out)


@POSIX_ONLY
def test_ctrl_c_saves_checkpoint_and_model_and_resume_is_bit_for_bit(tmp_path, straight_run):
    data, expected = straight_run
    out, folder = tmp_path / "run.glassnet", tmp_path / "checkpoints"
    command = [str(data), *TRAIN, "--epochs", "60", "--out", str(out), "--checkpoint-dir", str(folder)]
    process = subprocess.Popen([sys.executable, "-c", SLOW, "train", *command], env=_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    checkpoint = folder / "checkpoint.glassnet"
    _wait_for(checkpoint, process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert f"checkpoint saved to {checkpoint}" in stderr
    assert f"model saved to {out}" in stderr
    saved = load_checkpoint(checkpoint)
    assert 1 <= saved.epoch < 60  # interrupted mid-run
    assert out.exists()  # the best model so far, usable at once
    best = saved.best_params if saved.best_params is not None else saved.params
    assert np.array_equal(_params(out), best)

    resumed = subprocess.run([sys.executable, "-m", "glassnet", "train", *command, "--resume"], env=_env(),
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"after epoch {saved.epoch}" in resumed.stdout
    assert np.array_equal(_params(out), expected)


# Holds the process at the N-th call of a step of the file writer (os.fsync, or numpy writing one array
# into the zip), after touching a marker file, so that the test can kill it at exactly that moment.
HOLD = """
import os, sys, time
from pathlib import Path
import numpy as np
name, count = os.environ["HOLD_AT"].split(":")
calls = [0]
def holding(real):
    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == int(count):
            Path(os.environ["HOLD_MARKER"]).write_text(name)
            time.sleep(120)
        return real(*args, **kwargs)
    return wrapper
if name == "fsync":
    os.fsync = holding(os.fsync)
else:
    np.lib.format.write_array = holding(np.lib.format.write_array)
from glassnet.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


@POSIX_ONLY
@pytest.mark.parametrize("moment", ["write_array:7", "fsync:3", "fsync:4", "random"])
def test_sigkill_leaves_a_loadable_checkpoint(tmp_path, straight_run, moment):
    """Killed at any moment, even mid-write, the last complete checkpoint loads and resumes exactly.

    Each checkpoint writes 5 arrays, fsyncs the file, renames it over the old one, then fsyncs the folder.
    "write_array:7": killed with the second checkpoint half written (its header and first array);
    "fsync:3": written in full but not yet renamed; "fsync:4": renamed, the folder not yet synced;
    "random": some moment of an ordinary (slowed) run.
    """
    data, expected = straight_run
    out, folder = tmp_path / "run.glassnet", tmp_path / "checkpoints"
    command = [str(data), *TRAIN, "--epochs", "60", "--out", str(out), "--checkpoint-dir", str(folder),
               "--checkpoint-every", "1"]
    env, marker = _env(), tmp_path / "holding"
    if moment == "random":
        script = SLOW
    else:
        script = HOLD
        env.update(HOLD_AT=moment, HOLD_MARKER=str(marker))
    process = subprocess.Popen([sys.executable, "-c", script, "train", *command], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    checkpoint = folder / "checkpoint.glassnet"
    if moment == "random":
        _wait_for(checkpoint, process)
        time.sleep(0.05)
    else:
        _wait_for(marker, process)
    process.kill()
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL, stderr
    saved = load_checkpoint(checkpoint)  # complete, whatever the moment of the kill
    assert 1 <= saved.epoch < 60
    if moment in ("write_array:7", "fsync:3"):
        assert saved.epoch == 1  # the second checkpoint never replaced the first
        assert list(folder.glob(".checkpoint.glassnet.*.tmp"))  # its unfinished temporary file
    elif moment == "fsync:4":
        assert saved.epoch == 2
    assert not out.exists()
    resumed = subprocess.run([sys.executable, "-m", "glassnet", "train", *command, "--resume"], env=_env(),
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert np.array_equal(_params(out), expected)
    assert not list(folder.glob(".checkpoint.glassnet.*.tmp"))  # --resume clears what the kill left


def test_resume_refuses_changed_options_and_other_data(tmp_path):
    from glassnet.cli import main

    data = _write_csv(tmp_path / "data.csv")
    folder = tmp_path / "ck"
    base = ["train", str(data), *TRAIN, "--epochs", "3", "--out", str(tmp_path / "m.glassnet"),
            "--checkpoint-dir", str(folder)]
    assert main(base) == 0
    assert main([*base, "--resume", "--layers", "9"]) == 1
    other = tmp_path / "other.csv"
    other.write_text(data.read_text().replace("0.", "1.", 3))
    assert main(["train", str(other), *base[2:], "--resume"]) == 1
    assert main(["train", str(data), *TRAIN, "--out", str(tmp_path / "none.glassnet"), "--resume"]) == 1


def test_a_finished_run_leaves_no_stale_checkpoint_to_resume(tmp_path):
    """A run that ends normally rewrites a checkpoint an earlier run left, so --resume carries on from it."""
    from glassnet.cli import main

    data = _write_csv(tmp_path / "data.csv")
    base = ["train", str(data), *TRAIN, "--out", str(tmp_path / "m.glassnet")]
    checkpoint = tmp_path / "m.checkpoint.glassnet"
    assert main([*base, "--epochs", "2", "--checkpoint-every", "1"]) == 0  # leaves a checkpoint at epoch 2
    assert main([*base, "--epochs", "5", "--force"]) == 0  # a fresh run to the end, replacing the model
    saved = load_checkpoint(checkpoint)
    assert saved.epoch == 5
    assert np.array_equal(saved.best_params, load(tmp_path / "m.glassnet").params)  # the model's best weights


def test_trainer_load_state_refuses_a_state_that_does_not_fit_and_changes_nothing():
    trainer = _trainer(Adam(0.01), early_stopping=4)
    trainer.run(2)
    state = trainer.state()
    fresh = _trainer(Adam(0.01), early_stopping=4)
    before, rng_before = fresh.network.params.copy(), fresh.network.rng.bit_generator.state
    with pytest.raises(InputError, match="params"):
        fresh.load_state({**state, "params": state["params"][:-1]})
    with pytest.raises(InputError, match="random generator"):
        fresh.load_state({**state, "rng_state": {"bit_generator": "PCG64", "state": {}}})
    assert np.array_equal(fresh.network.params, before) and fresh.network.rng.bit_generator.state == rng_before
    assert fresh.epoch == 0 and fresh.optimizer.iterations == 0
    fresh.load_state(state)
    trainer.run(2)
    fresh.run(2)
    assert np.array_equal(fresh.network.params, trainer.network.params)  # the trainer carrying on: the reference
