"""``glassnet demo``, the main job, run as a new user runs it: in a subprocess, in an empty folder."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _forward(model: Path, X: np.ndarray) -> np.ndarray:
    """The saved network's outputs, computed here in plain numpy from the file's arrays (ReLU, softmax)."""
    with zipfile.ZipFile(model) as zf:
        header = json.loads(zf.read("header.json"))
    arrays = np.load(model, allow_pickle=False)
    inputs = header["preprocessing"]["inputs"]
    a = (X - np.array(inputs["mean"])) / np.array(inputs["scale"])
    n_layers = len(header["network"]["sizes"]) - 1
    for i in range(n_layers):
        s = a @ arrays[f"layers.{i}.weights"].astype(np.float64) + arrays[f"layers.{i}.bias"]
        a = np.maximum(s, 0) if i < n_layers - 1 else np.exp(s - s.max(axis=1, keepdims=True))
    return a / a.sum(axis=1, keepdims=True)


def test_demo_learns_the_digits_and_saves_the_model(tmp_path):
    datasets = pytest.importorskip("sklearn.datasets")
    result = _run(["-m", "glassnet", "demo"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    model = tmp_path / "digits.glassnet"
    assert f"saved to {model.name}" in out and model.exists()
    assert "epoch" in result.stderr and "cost" in result.stderr  # the progress bar, on stderr
    test_accuracy = float(re.search(r"test\s+cost \S+\s+accuracy ([0-9.]+)%", out).group(1)) / 100
    assert test_accuracy > 0.9
    assert "predicted" in out and "glassnet info" in out
    # the cost printed epoch by epoch is the model file's own history, and it falls
    with zipfile.ZipFile(model) as zf:
        history = json.loads(zf.read("header.json"))["training"]["history"]
    table = re.findall(r"^\s+(\d+)\s+([0-9.]+)\s+([0-9.]+)$", out, flags=re.MULTILINE)
    assert len(table) >= 5
    for epoch, cost, val_cost in table:
        assert float(cost) == pytest.approx(history["cost"][int(epoch) - 1], abs=6e-5)
        assert float(val_cost) == pytest.approx(history["val_cost"][int(epoch) - 1], abs=6e-5)
    assert float(table[-1][1]) < float(table[0][1]) / 10
    # the saved model, read without glassnet, reads scikit-learn's digits well
    digits = datasets.load_digits()
    accuracy = np.mean(_forward(model, digits.data).argmax(axis=1) == digits.target)
    assert accuracy > 0.95


def test_demo_without_scikit_learn_learns_a_spiral(tmp_path):
    hide_sklearn = (
        "import sys; sys.modules['sklearn'] = None\n"
        "from glassnet.cli import main\n"
        "raise SystemExit(main(['demo', '--epochs', '3', '--quiet']))\n"
    )
    result = _run(["-c", hide_sklearn], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "scikit-learn is not installed" in result.stdout and 'glassnet[demo]' in result.stdout
    assert (tmp_path / "spiral.glassnet").exists()


def test_the_demo_ends_with_the_course_map_and_its_commands_work(tmp_path, monkeypatch, capsys):
    """After "next:", the eleven lessons in order, each a notebook that exists, each with a command that runs."""
    import shlex

    from glassnet.cli import main
    from glassnet.cli.demo import COURSE

    pytest.importorskip("sklearn.datasets")
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--quiet", "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    tail = out[out.index("next:"):].splitlines()[1:]
    numbered = [line for line in tail if re.match(r"\s+# \d+\. ", line)]
    assert [int(re.match(r"\s+# (\d+)\.", line).group(1)) for line in numbered] == list(range(1, 12))
    lessons = sorted(p.stem for p in (REPO / "docs" / "lessons").glob("*.ipynb"))
    assert [re.search(r"\((\d\d_\w+)\.ipynb", line).group(1) for line in numbered] == lessons
    assert [lesson for _, lesson, _ in COURSE] == lessons
    commands = {}
    for index, comment in enumerate(tail):
        match = re.match(r"\s+# (\d+)\.", comment)
        if match:
            command = tail[index + 1]
            assert not command.lstrip().startswith("#")
            words = shlex.split(command)
            start = next(i for i, w in enumerate(words) if w == "glassnet" or w.endswith("/glassnet")) + 1
            commands[int(match.group(1))] = words[start:]
    for number in (2, 5, 7):  # the worked example's commands, run as printed
        assert main(commands[number]) == 0, commands[number]
    printed = capsys.readouterr().out
    assert "Forward as matrices" in printed and "A small shock on layer 2 w[0, 0]" in printed
    assert "0.0821670405" in printed  # Mazur's dE/dw5 = 0.082167041


def test_the_help_names_the_lessons(capsys):
    from glassnet.cli import main
    from glassnet.cli.demo import COURSE

    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "docs/lessons/" in text
    for number, (idea, _, _) in enumerate(COURSE, start=1):
        assert f"{number} {idea}" in text
