"""Issue 17's bad-input batteries (tests/battery.py and its battery_*.py), every entry run.

Library and estimator entries run in this process: each must raise a clear glassnet error (for the estimators,
or scikit-learn's ValueError) that says what is wrong, leave the object it was called on unchanged, and let no
RuntimeWarning out. Command-line entries run through ``glassnet.cli.main(argv)`` with stdout and stderr
captured: exit code 2 or 1, one ``glassnet: error:`` line, no traceback, no warning, nothing written; a few run
as real processes for the exit code the shell sees. An entry whose defect is in a module another engineer owns
is a strict xfail, so it fails here the day it is fixed.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

pytest.importorskip("sklearn")

import battery  # noqa: E402
from battery_api import api_entries  # noqa: E402
from battery_cli import _OUT, _TRAIN, SUBPROCESS, cli_entries  # noqa: E402
from battery_estimators import estimator_entries  # noqa: E402

CLEAR = ("clear error", "refused-unchanged")


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    return battery.make_context(tmp_path_factory.mktemp("battery"))


def _params(entries: list[battery.Entry]) -> list:
    return [pytest.param(e, id=e.name, marks=[pytest.mark.xfail(reason=e.xfail, strict=True)] if e.xfail else [])
            for e in entries]


def test_the_batteries_are_as_large_as_the_issue_says():
    api, estimators, cli = api_entries(), estimator_entries(), cli_entries()
    assert (len(api), len(estimators), len(cli)) >= (150, 125, 99)
    assert len(api) >= 150 and len(estimators) >= 125 and len(cli) >= 99
    names = [e.name for e in api + estimators + cli]
    assert len(names) == len(set(names)), "each entry has a name of its own"


@pytest.mark.parametrize("entry", _params(api_entries()))
def test_a_bad_library_call_is_refused_clearly(entry, context):
    outcome, detail = battery.run_entry(entry, context)
    assert outcome == ("refused-unchanged" if entry.subject else "clear error"), detail


@pytest.mark.parametrize("entry", _params(estimator_entries()))
def test_a_bad_estimator_call_is_refused_and_changes_nothing(entry, context):
    outcome, detail = battery.run_entry(entry, context)
    assert outcome == "refused-unchanged", detail


@pytest.mark.parametrize("entry", _params(cli_entries()))
def test_a_bad_command_says_so_in_one_line(entry, context):
    outcome, detail = battery.run_cli_entry(entry, context)
    assert outcome == "clear error", detail


@pytest.mark.parametrize("line", SUBPROCESS)
def test_a_bad_command_exits_as_the_shell_sees_it(line, context):
    argv = shlex.split(line.replace("TRAIN ", _TRAIN).replace(" OUT", _OUT))
    argv = battery.cli_argv(battery.Entry(line, argv=tuple(argv)), context)
    before = battery._listing(context.folder)
    done = subprocess.run([sys.executable, "-m", "glassnet", *argv], capture_output=True, text=True, timeout=120,
                          cwd=context.folder, env={**os.environ, "PYTHONWARNINGS": "always"})
    outcome, detail = battery.judge_cli(done.returncode, done.stderr, [], before, battery._listing(context.folder))
    assert outcome == "clear error", detail
    assert done.stdout == "" or "glassnet: error" not in done.stdout


def test_the_judge_tells_the_outcomes_apart(context, tmp_path):
    """The battery's own checks can fail: an accepted call, a changed object, a raw exception, a warning."""
    import warnings

    import numpy as np

    from glassnet.errors import InputError

    def change(c, o):
        o.layers[0].weights[0, 0] += 1.0
        raise InputError("refused, but only after changing a weight")

    def warn(c, o):
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
        raise InputError("refused with a warning on the way out")

    cases = {
        "silent garbage": [battery.Entry("accepted", lambda c, o: None), battery.Entry("changed", change,
                                                                                       subject="net")],
        "traceback": [battery.Entry("raw", lambda c, o: np.zeros(3)[5])],
        "warning leak": [battery.Entry("warns", warn, subject="net")],
    }
    for expected, entries in cases.items():
        for entry in entries:
            assert battery.run_entry(entry, context)[0] == expected, entry.name
    ok = battery.Entry("fine", lambda c, o: (_ for _ in ()).throw(InputError("X must hold numbers, got 'a'")),
                       subject="net")
    assert battery.run_entry(ok, context)[0] == "refused-unchanged"
    listing = {"a": (1, 2, 3)}
    assert battery.judge_cli(0, "", [], listing, listing)[0] == "silent garbage"
    assert battery.judge_cli(1, "Traceback (most recent call last):\n  ...\nKeyError: 'x'", [], listing,
                             listing)[0] == "traceback"
    assert battery.judge_cli(1, "glassnet: error: the file holds no rows at all", [], listing,
                             {**listing, "b": (1, 0, 0)})[0] == "silent garbage"
    assert battery.judge_cli(1, "glassnet: error: the file holds no rows at all", [], listing, listing)[0] == \
        "clear error"


# -- the defects the batteries found, each on its own --------------------------------------------------------
def test_ctrl_c_while_the_command_starts_exits_130_without_a_traceback(monkeypatch, capsys):
    import glassnet.cli as cli

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert cli.main(["info", "x.glassnet"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_an_operating_system_error_is_one_line_that_names_the_file_first():
    from glassnet.cli import _one_line

    error = IsADirectoryError(21, "it is a folder, not a file", "/data/out")
    assert _one_line(error) == "/data/out: it is a folder, not a file"
    assert _one_line(OSError("disk on fire")) == "disk on fire"


def test_check_writable_refuses_before_anything_is_written(tmp_path):
    from glassnet.errors import InputError
    from glassnet.fileio import check_writable

    assert check_writable(tmp_path / "new.glassnet") == tmp_path / "new.glassnet"
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    for path, words in ((tmp_path, "it is a folder"), (pipe, "named pipe"),
                        (tmp_path / "nowhere" / "m.glassnet", "does not exist")):
        with pytest.raises(InputError, match=words):
            check_writable(path, InputError)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_report_into_a_folder_is_refused_before_the_model_is_trained(tmp_path, capsys):
    from glassnet.cli import main

    out = tmp_path / "m.glassnet"
    assert main(["train", "moons", "--epochs", "2", "--quiet", "--out", str(out), "--report", str(tmp_path)]) == 1
    assert "it is a folder" in capsys.readouterr().err
    assert not out.exists()
