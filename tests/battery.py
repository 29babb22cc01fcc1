"""The bad-input batteries of issue 17, as data: bad calls to the library, to the estimators, to the command line.

Each :class:`Entry` is a name, a call and the outcome it must have: a clear glassnet error (an exception of
:mod:`glassnet.errors` whose message says what is wrong) and, for a refusal on an object (a network, a fitted
estimator), that object unchanged; for the command line, exit code 2 (usage) or 1 (data or model) with one
``glassnet: error:`` line, no traceback, no RuntimeWarning and nothing written. :func:`run_entry` and
:func:`run_cli_entry` judge one entry and return its outcome class, one of :data:`OUTCOMES`.
``tests/test_battery.py`` runs every entry; entries of a defect another module owns are marked ``xfail``.

``python tests/battery.py --report`` runs all three batteries, then the crafted-file fuzz of
``tests/test_fuzz_files.py`` (2,000 files with valid checksums, in a child process whose peak memory, VmHWM,
is read from /proc), then SIGKILL and SIGINT at random moments of ``glassnet train --checkpoint-dir`` and of a
save (``tests/battery_kills.py``), and prints the outcome table. ``--files N`` and ``--kills N`` change the
counts (defaults 2,000 and 30).
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import re
import stat
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import test_fuzz_files as fuzz

import glassnet
from glassnet.errors import GlassnetError

OUTCOMES = ("clear error", "refused-unchanged", "hang/timeout", "traceback", "warning leak", "silent garbage")
HANG_SECONDS = 20   # an entry taking longer is a hang
WORDS = 20          # the least a message says ("glassnet: error: " and the problem)


@dataclass(frozen=True)
class Entry:
    """One bad input: ``call(ctx, subject)`` (library and estimators) or ``argv`` (the command line).

    ``expect`` are the exception types a clear refusal may raise, ``words`` what its message must say;
    ``subject`` names the context's object the call is made on: a fresh copy is handed to ``call`` and must be
    unchanged after the refusal. ``xfail`` is the reason, when the defect is in a module another owns.
    """

    name: str
    call: Callable[[Any, Any], Any] | None = None
    argv: tuple[str, ...] = ()
    expect: tuple[type[BaseException], ...] = (GlassnetError,)
    words: tuple[str, ...] = ()
    subject: str | None = None
    xfail: str | None = None


# ---------------------------------------------------------------------------------------------- unchanged
def snapshot(obj: Any) -> dict:
    """What a refused call must leave as it was: for a fitted estimator every attribute that is not a parameter
    (deep-copied), its network's weights and generator and its optimizer's state; for a network its weights,
    their dtype, its widths and its generator."""
    if hasattr(obj, "get_params"):
        params = set(obj.get_params(deep=False))
        state = {k: copy.deepcopy(v) for k, v in obj.__dict__.items() if k not in params and k != "network_"}
        if not hasattr(obj, "network_"):
            return state
        net = obj.network_
        state["network.id"] = id(net)
        state["optimizer.state"] = {k: np.array(v) for k, v in obj._optimizer.state().items()}
    else:
        net, state = obj, {}
    state["network.params"] = net.params.copy()
    state["network.sizes"] = [layer.n_out for layer in net.layers]
    state["network.rng"] = copy.deepcopy(net.rng.bit_generator.state)
    return state


def same(a: Any, b: Any) -> bool:
    """``a`` and ``b`` equal all the way down: arrays by dtype and content, objects by their attributes."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, type(a)) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if hasattr(a, "__dict__") and not isinstance(a, type):
        return type(a) is type(b) and same(vars(a), vars(b))
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------------------------------------- the context
def make_context(folder: Path) -> SimpleNamespace:
    """The objects and files the entries use, made once in ``folder``: networks, fitted estimators, model
    files, CSV and NPZ files good and bad, a named pipe, a device node, a folder."""
    from glassnet.estimators import MLPClassifier, MLPRegressor

    folder = Path(folder)
    rng = np.random.default_rng(12345)
    c = SimpleNamespace(folder=folder, X=rng.normal(size=(10, 3)), Y=rng.normal(size=(10, 2)))
    c.net = glassnet.Network.from_sizes([3, 4, 2], activation="tanh", cost="mse", seed=0)
    c.clf_net = glassnet.Network.from_sizes([3, 4, 2], activation="tanh", cost="cross_entropy", seed=0)
    c.EX = rng.normal(size=(60, 3))
    c.y2 = np.where(c.EX[:, 0] > 0, "yes", "no")
    c.y3 = np.array(["a", "b", "c"])[np.arange(60) % 3]
    c.yr = c.EX[:, 0] - c.EX[:, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # a few epochs do not converge; that is not the question
        c.clf = MLPClassifier((4,), max_iter=5, random_state=0).fit(c.EX, c.y2)
        c.reg = MLPRegressor((4,), max_iter=5, random_state=0).fit(c.EX, c.yr)
    c.clf_new, c.reg_new = MLPClassifier((4,), max_iter=5), MLPRegressor((4,), max_iter=5)
    c.model = c.net.save(folder / "network.glassnet")
    c.clf_model = c.clf.save(folder / "classifier.glassnet")
    c.missing = folder / "missing.glassnet"
    c.dir = folder / "a-folder"
    c.dir.mkdir()
    c.fifo = folder / "pipe.csv"
    os.mkfifo(c.fifo)
    c.device = folder / "null-device"   # a character device of our own (the null device's numbers): never /dev's
    try:
        os.mknod(c.device, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        c.device = Path("/dev/null")
    files = {
        "empty.glassnet": b"", "garbage.glassnet": bytes(range(256)) * 8, "empty.csv": b"",
        "header.csv": b"a,b,y\n", "ragged.csv": b"a,b,y\n1,2,0\n3,4\n5,6,1,7\n",
        "nan.csv": b"a,b,y\n1,2,0\nnan,4,1\n5,6,0\n7,8,1\n",
        "huge.csv": b"a,b,y\n" + b"".join(b"%d,%d,%d\n" % (i % 5, i % 3, i % 2) for i in range(30)) + b"1e300,3,1\n",
        "oneclass.csv": b"a,b,y\n" + b"".join(b"%d,%d,yes\n" % (i, i % 3) for i in range(20)),
        "text.csv": b"a,b,y\n" + b"".join(b"%d,red,%d\n" % (i, i % 2) for i in range(20)),
        "binary.csv": bytes(range(256)) * 4, "notutf8.csv": b"a,b,y\n1,\xff\xfe,0\n",
        "bom.npz": b"PK\x03\x04" + b"\0" * 60,
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    c.csv = folder / "good.csv"
    c.csv.write_text("a,b,y\n" + "".join(f"{i % 7},{(i * 3) % 5},{['no', 'yes'][i % 2]}\n" for i in range(40)))
    c.truncated = folder / "truncated.glassnet"
    c.truncated.write_bytes(c.model.read_bytes()[: c.model.stat().st_size // 2])
    np.savez(folder / "pickle.npz", X=np.array([object(), 1], dtype=object), y=np.zeros(2))
    np.savez(folder / "nox.npz", y=np.zeros(4))
    np.savez(folder / "rows.npz", X=np.zeros((4, 2)), y=np.zeros(3))
    np.savez(folder / "threed.npz", X=np.zeros((4, 2, 2, 2)), y=np.zeros(4))
    np.savez(folder / "nan.npz", X=np.full((4, 2), np.nan), y=np.zeros(4))
    from glassnet.cli import main

    c.cli_model, c.checkpoint = folder / "cli.glassnet", folder / "cli.checkpoint.glassnet"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["train", str(c.csv), "--target", "y", "--epochs", "2", "--quiet", "--layers", "3",
                     "--checkpoint-every", "1", "--out", str(c.cli_model)]) == 0
    assert c.checkpoint.exists()
    np.savez_compressed(folder / "bomb.npz", X=np.zeros((1 << 21, 2)), y=np.zeros(1 << 21))   # 48 MB, deflated
    return c


def _with(a: np.ndarray, value: float, where: tuple = (3, 1)) -> np.ndarray:
    a = np.array(a, dtype=float)
    a[where] = value
    return a


# ---------------------------------------------------------------------------------------------- running one
# the fuzz's alarm: Hang raised in the main thread after ``seconds`` (SIGALRM; a no-op where there is none)
Hang = fuzz._Hang


def deadline(seconds: int = HANG_SECONDS) -> contextlib.AbstractContextManager[None]:
    """Raise :class:`Hang` in the main thread after ``seconds`` (the crafted-file fuzz's own alarm)."""
    return fuzz._deadline(seconds)


def run_entry(entry: Entry, c: SimpleNamespace) -> tuple[str, str]:
    """(outcome class, what happened) of a library or estimator entry, run in this process."""
    subject = copy.deepcopy(getattr(c, entry.subject)) if entry.subject else None
    before = snapshot(subject) if subject is not None else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with deadline():
                entry.call(c, subject)
        except Hang as exc:
            return "hang/timeout", str(exc)
        except entry.expect as exc:
            message = " ".join(str(exc).split())
            missing = [w for w in entry.words if w.lower() not in message.lower()]
            if len(message) < WORDS or missing:
                return "silent garbage", f"{type(exc).__name__} with too few words ({missing}): {message!r}"
            result = f"{type(exc).__name__}: {message[:160]}"
        except BaseException as exc:  # noqa: BLE001 - anything else is what the battery looks for
            if isinstance(exc, KeyboardInterrupt):
                raise
            return "traceback", f"{type(exc).__name__}: {' '.join(str(exc).split())[:160]}"
        else:
            return "silent garbage", "accepted"
    leaks = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    if leaks:
        return "warning leak", f"{len(leaks)} RuntimeWarning(s): {leaks[0][:100]}"
    if subject is not None:
        if not same(before, snapshot(subject)):
            return "silent garbage", "refused, but the object changed: " + result
        return "refused-unchanged", result
    return "clear error", result


_ERROR_LINE = re.compile(r"^glassnet(?: [\w-]+)?: error: ")


def _listing(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder`` with its kind, size and modification time (a named pipe is not opened)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            info = os.lstat(os.path.join(root, name))
            out[os.path.relpath(os.path.join(root, name), folder)] = (stat.S_IFMT(info.st_mode), info.st_size,
                                                                      info.st_mtime_ns)
    return out


def cli_argv(entry: Entry, c: SimpleNamespace) -> list[str]:
    return [a.format(**{k: v for k, v in vars(c).items() if isinstance(v, (str, Path))}) for a in entry.argv]


def judge_cli(code: Any, err: str, warned: Sequence[str], before: dict, after: dict) -> tuple[str, str]:
    """The outcome class of a command that ended with ``code`` and printed ``err`` on stderr."""
    if "Traceback" in err:
        return "traceback", err.strip().splitlines()[-1][:160]
    if warned or "Warning" in err:
        return "warning leak", (list(warned) or [err])[0][:160]
    written = sorted(set(after) ^ set(before) | {k for k in after if k in before and after[k] != before[k]})
    lines = [line for line in err.splitlines() if _ERROR_LINE.match(line)]
    if code not in (1, 2):
        return "silent garbage", f"exit code {code}"
    if written:
        return "silent garbage", f"refused, but wrote {written}"
    if len(lines) != 1 or len(lines[0]) < WORDS + 16:
        return "silent garbage", f"exit {code} with {len(lines)} error lines: {err.strip()[-160:]!r}"
    return "clear error", f"exit {code}: {lines[0][:160]}"


def run_cli_entry(entry: Entry, c: SimpleNamespace) -> tuple[str, str]:
    """(outcome class, what happened) of a command-line entry, run in this process through ``cli.main``."""
    from glassnet.cli import main

    argv = cli_argv(entry, c)
    before = _listing(c.folder)
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(c.folder)
    try:
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            warnings.simplefilter("always")
            try:
                with deadline():
                    code: Any = main(argv)
            except SystemExit as exc:
                code = exc.code
            except Hang as exc:
                return "hang/timeout", str(exc)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - what escapes main is a traceback for its user
                return "traceback", f"{type(exc).__name__}: {' '.join(str(exc).split())[:160]}"
    finally:
        os.chdir(cwd)
    warned = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    after = _listing(c.folder)
    for name in sorted(set(after) - set(before), reverse=True):   # what it wrote must not meet the next entry
        path = c.folder / name
        with contextlib.suppress(OSError):
            path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
    return judge_cli(code, err.getvalue(), warned, before, after)


# ---------------------------------------------------------------------------------------------- the report
def entries() -> dict[str, list[Entry]]:
    """The three batteries: {"api": [...], "estimators": [...], "cli": [...]}."""
    from battery_api import api_entries
    from battery_cli import cli_entries
    from battery_estimators import estimator_entries

    return {"api": api_entries(), "estimators": estimator_entries(), "cli": cli_entries()}


def run_batteries(c: SimpleNamespace) -> tuple[dict[str, Counter], list[tuple[str, str, str, str]]]:
    """Every entry run once: the counts per battery and outcome, and the entries not as expected."""
    counts: dict[str, Counter] = {}
    odd = []
    for battery, items in entries().items():
        counts[battery] = Counter()
        for entry in items:
            outcome, detail = (run_cli_entry if battery == "cli" else run_entry)(entry, c)
            counts[battery][outcome] += 1
            if outcome not in ("clear error", "refused-unchanged"):
                odd.append((battery, entry.name, outcome, detail + (f" [xfail: {entry.xfail}]" if entry.xfail
                                                                    else "")))
    return counts, odd


def print_table(rows: dict[str, Counter]) -> None:
    """The outcome classes as columns (then "loaded" for crafted files that load and round-trip, "intact" for
    kills after which everything held), one row per battery."""
    extra = [o for counts in rows.values() for o in counts if o not in OUTCOMES]
    columns = [*OUTCOMES, *dict.fromkeys(extra)]
    width = max(len(name) for name in rows) + 2
    print(f"{'':{width}}" + " | ".join(columns))
    for name, counts in rows.items():
        print(f"{name:{width}}" + " | ".join(f"{counts.get(o, 0):>{len(o)}}" for o in columns))


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="run the batteries, the fuzz and the kills")
    parser.add_argument("--files", type=int, default=2000, help="crafted files in the fuzz (2000)")
    parser.add_argument("--kills", type=int, default=30, help="kills of each sort (30)")
    args = parser.parse_args(argv)
    if not args.report:
        parser.print_help()
        return 0
    from battery_kills import fuzz_in_child, kill_runs

    with tempfile.TemporaryDirectory() as folder:
        counts, odd = run_batteries(make_context(Path(folder)))
    rows = {f"{k} ({sum(v.values())} entries)": v for k, v in counts.items()}
    fuzz = fuzz_in_child(args.files)
    rows[f"crafted files ({fuzz['files']})"] = fuzz["outcomes"]
    kills = kill_runs(args.kills)
    for name, outcome in kills.items():
        rows[name] = outcome
    print_table(rows)
    print(f"\ncrafted files: {dict(sorted(fuzz['detail'].items()))}")
    print(f"crafted files: peak memory of the loading process {fuzz['vmhwm'] / 2**20:.0f} MiB (VmHWM), "
          f"largest peak of one load {fuzz['peak'] / 2**20:.2f} MiB (tracemalloc)")
    for battery, name, outcome, detail in odd:
        print(f"{battery:10} {outcome:15} {name}: {detail}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
