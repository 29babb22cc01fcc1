"""The file-level runs of ``python tests/battery.py --report`` (issue 17): the crafted-file fuzz in a child
process, and SIGKILL and SIGINT at random moments of ``glassnet train --checkpoint-dir`` and of a save.

A kill is "intact" when afterwards the model file is the one from before or the new one, and loads; a
checkpoint left beside it loads and ``--resume`` finishes the run; and no temporary file is left once the next
save has run (a temporary file is judged stale, and removed, when its writer is gone and it is a minute old:
the runs age what a kill left by two minutes, rather than wait). A train is signalled after it printed its
first line: a Ctrl-C while Python itself starts (importing numpy) ends in Python's traceback before any glassnet
code runs. Not collected as tests.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent
GUARD = 300   # seconds a child may take before it is called a hang

_FUZZ = r"""
import contextlib, io, json, os, sys, warnings
from collections import Counter
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import test_fuzz_files as fuzz
folder = Path(sys.argv[2]); os.chdir(folder)
bases = fuzz._base_files(folder)
outcomes, detail, peak = Counter(), Counter(), 0
per = int(sys.argv[3]) // len(fuzz.KINDS)
for kind in fuzz.KINDS:
    for seed in range(per):
        fuzz.craft(bases[kind], folder / "crafted.glassnet", seed)
        try:
            outcome, used = fuzz.judge(kind, folder / "crafted.glassnet", folder / "again.glassnet")
        except fuzz._Hang:
            outcomes["hang/timeout"] += 1; continue
        except BaseException as exc:
            outcomes["traceback"] += 1; detail[f"{kind}: {type(exc).__name__}"] += 1; continue
        peak = max(peak, used)
        outcomes["loaded" if outcome == "loaded" else "clear error"] += 1
        detail[f"{kind} {outcome}"] += 1
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print(json.dumps({"outcomes": outcomes, "detail": detail, "peak": peak, "files": per * len(fuzz.KINDS),
                  "vmhwm": int(status["VmHWM"].split()[0]) * 1024}))
"""


def fuzz_in_child(n_files: int) -> dict:
    """The crafted-file fuzz of test_fuzz_files (its craft and judge) over ``n_files`` files, in a child process
    whose peak resident memory (VmHWM) is read from /proc when it is done."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run([sys.executable, "-c", _FUZZ, str(HERE), folder, str(n_files)], capture_output=True,
                              text=True, timeout=GUARD * 10, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    if done.returncode != 0:
        raise RuntimeError(f"the fuzz failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["outcomes"], result["detail"] = Counter(result["outcomes"]), Counter(result["detail"])
    return result


def _temporaries(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.is_dir() for p in folder.iterdir() if p.name.endswith(".tmp")]


def _age(paths: list[Path], seconds: float = 120.0) -> None:
    for p in paths:
        old = p.stat().st_mtime - seconds
        os.utime(p, (old, old))


def _glassnet(*argv: str) -> list[str]:
    return [sys.executable, "-m", "glassnet", *argv]


def _params(path: Path) -> np.ndarray:
    from glassnet.cli.models import Model

    return Model.load(path).network.params


def _signalled(child: subprocess.Popen, sig: signal.Signals, delay: float) -> Any:
    """``sig`` sent to ``child`` after ``delay`` seconds; its stderr once it ends, or None when it did not end
    within GUARD seconds (it is killed then: a hang)."""
    time.sleep(delay)
    child.send_signal(sig)
    try:
        return child.communicate(timeout=GUARD)[1]
    except subprocess.TimeoutExpired:
        child.kill()
        return None


def _train_kills(sig: int, n: int, rng: random.Random) -> Counter:
    """``n`` runs of glassnet train with checkpoints each epoch, each sent ``sig`` at a random moment."""
    from glassnet.checkpoint import load_checkpoint

    outcomes: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        out, checkpoints = folder / "m.glassnet", folder / "checkpoints"
        command = _glassnet("train", "moons", "--samples", "3000", "--epochs", "25", "--quiet", "--seed", "1",
                            "--checkpoint-dir", str(checkpoints), "--out", str(out), "--force")
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert child.stdout is not None
        child.stdout.readline()
        start = time.monotonic()
        child.communicate(timeout=GUARD)
        span = time.monotonic() - start   # only to spread the kills over a run, never judged
        final = _params(out)
        for _ in range(n):
            before = out.read_bytes()
            child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            assert child.stdout is not None
            child.stdout.readline()   # its first line: the command runs (not Python importing numpy)
            err = _signalled(child, sig, rng.uniform(0.0, span))
            if err is None:
                outcomes["hang/timeout"] += 1
                continue
            outcome = _judge_train(sig, child.returncode, err.decode(errors="replace"), out, before, final,
                                   checkpoints, command, load_checkpoint)
            outcomes[outcome] += 1
            if outcome != "intact":
                print(f"train {sig.name}: {outcome}: {err.decode(errors='replace')[-600:]}", file=sys.stderr)
    return outcomes


def _judge_train(sig, code, err, out, before, final, checkpoints, command, load_checkpoint) -> str:
    if "Traceback" in err:
        return "traceback"
    if "Warning" in err:
        return "warning leak"
    try:
        now = _params(out)
    except Exception:  # noqa: BLE001 - a model file that does not load is what the run looks for
        return "silent garbage"
    if out.read_bytes() != before and sig == signal.SIGKILL and not np.array_equal(now, final):
        return "silent garbage"   # neither the old file nor the finished run's
    checkpoint = checkpoints / "checkpoint.glassnet"
    if checkpoint.exists():
        try:
            load_checkpoint(checkpoint)
        except Exception:  # noqa: BLE001
            return "silent garbage"
    left = _temporaries(out.parent, checkpoints)
    _age(left)
    resumed = subprocess.run(command + (["--resume"] if checkpoint.exists() else []), capture_output=True,
                             text=True, timeout=GUARD)
    if resumed.returncode != 0 or "Traceback" in resumed.stderr:
        return "traceback" if "Traceback" in resumed.stderr else "silent garbage"
    if not np.array_equal(_params(out), final) or _temporaries(out.parent, checkpoints):
        return "silent garbage"
    return "intact"


_SAVER = r"""
import sys
import glassnet
nets = [glassnet.Network.from_sizes([40, 300, 300, 10], seed=s) for s in (1, 2)]
i = 0
while True:
    glassnet.save(nets[i % 2], sys.argv[1])
    if i == 1:
        print("ready", flush=True)
    i += 1
"""


def _save_kills(sig: int, n: int, rng: random.Random) -> Counter:
    """``n`` processes saving two networks in turn onto one file, each sent ``sig`` at a random moment."""
    import glassnet

    nets = [glassnet.Network.from_sizes([40, 300, 300, 10], seed=s).params for s in (1, 2)]
    outcomes: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.glassnet"
        for _ in range(n):
            child = subprocess.Popen([sys.executable, "-c", _SAVER, str(path)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            err = _signalled(child, sig, rng.uniform(0.0, 0.3))
            if err is None:
                outcomes["hang/timeout"] += 1
                continue
            try:
                params = glassnet.load(path).params
            except Exception:  # noqa: BLE001
                outcomes["silent garbage"] += 1
                continue
            left = _temporaries(path.parent)
            if sig == signal.SIGINT and left:   # an interrupted save removes its own temporary file
                outcomes["silent garbage"] += 1
                continue
            _age(left)
            glassnet.save(glassnet.Network.from_sizes([2, 2], seed=0), path)   # the next save
            again = _temporaries(path.parent)
            intact = any(np.array_equal(params, p) for p in nets) and not again
            outcomes["intact" if intact else "silent garbage"] += 1
            outcomes["temporary file left by the kill"] += bool(left)
            _ = err
    return outcomes


def kill_runs(n: int, seed: int = 17) -> dict[str, Counter]:
    """Rows of the outcome table: SIGKILL and SIGINT, ``n`` each, of glassnet train and of a save."""
    rng = random.Random(seed)
    return {f"{name} {sig.name} ({n})": run(sig, n, rng)
            for name, run in (("train --checkpoint-dir", _train_kills), ("save", _save_kills))
            for sig in (signal.SIGKILL, signal.SIGINT)}
