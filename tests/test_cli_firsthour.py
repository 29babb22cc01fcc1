"""The first hour of a new user with the ``glassnet`` command: nothing lost, figures that say what they measured,
CSV files as people have them, held-out rows remembered, help on every option.

Run in-process through ``glassnet.cli.main`` (quick); the end-to-end subprocess runs are in test_cli.py.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from glassnet.cli import main


def _header(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("header.json"))


def _error(capsys, *fragments: str) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("glassnet: error: ") and "Traceback" not in err and len(err.splitlines()) == 1, err
    for fragment in fragments:
        assert fragment in err, err
    return err


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- nothing lost -----------------------------------------------------------------------------------------------
def test_train_never_overwrites_a_model_unless_forced(tmp_path, capsys):
    out = tmp_path / "xor.glassnet"
    assert main(["train", "xor", "--epochs", "2", "--layers", "4", "--quiet", "--out", str(out)]) == 0
    before = out.read_bytes()
    capsys.readouterr()
    assert main(["train", "xor", "--epochs", "3", "--layers", "8", "--quiet", "--out", str(out)]) == 1
    _error(capsys, str(out), "already exists", "--force", "--out")
    assert out.read_bytes() == before
    assert main(["train", "xor", "--epochs", "3", "--layers", "8", "--quiet", "--out", str(out), "--force"]) == 0
    assert _header(out)["network"]["sizes"] == [2, 8, 1]


def test_demo_replaces_its_own_model_but_no_other_file(tmp_path, capsys, monkeypatch):
    pytest.importorskip("sklearn")
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--quiet", "--epochs", "2"]) == 0
    assert main(["demo", "--quiet", "--epochs", "2"]) == 0  # the same demo again: the same file, nothing lost
    capsys.readouterr()
    assert main(["train", "digits", "--epochs", "1", "--layers", "4", "--quiet", "--out", "mine.glassnet"]) == 0
    Path("digits.glassnet").write_bytes(Path("mine.glassnet").read_bytes())
    before = Path("digits.glassnet").read_bytes()
    capsys.readouterr()
    assert main(["demo", "--quiet", "--epochs", "2"]) == 1
    _error(capsys, "digits.glassnet", "already exists")
    assert Path("digits.glassnet").read_bytes() == before
    assert main(["demo", "--quiet", "--epochs", "2", "--force"]) == 0


def test_task_classify_on_a_price_is_refused(tmp_path, capsys):
    rng = np.random.default_rng(0)
    area = rng.uniform(40, 200, 120)
    price = np.round(area * 3123.7 + rng.normal(0, 5000, 120), 2)
    rows = "\n".join(f"{a:.1f},{p:.2f}" for a, p in zip(area, price, strict=True))
    data = _write(tmp_path / "houses.csv", "area_m2,price\n" + rows + "\n")
    out = tmp_path / "h.glassnet"
    assert main(["train", str(data), "--target", "price", "--task", "classify", "--quiet", "--out", str(out)]) == 1
    _error(capsys, "120 classes", "'price'", "--task regress")
    assert not out.exists()


def test_the_summary_measures_the_rows_it_names(tmp_path, capsys):
    """The training figures of a run with validation rows: the validation rows are not counted as training
    rows, and the recorded validation cost is the curve's last validation cost."""
    out = tmp_path / "moons.glassnet"
    assert main(["train", "moons", "--samples", "200", "--epochs", "5", "--layers", "8", "--validation-split",
                 "0.25", "--test-split", "0.2", "--quiet", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    training = _header(out)["training"]
    n_test = 40  # 20% of 200, rounded up
    n_val = round(0.25 * (200 - n_test))
    assert (training["n_train"], training["n_validation"], training["n_test"]) == (200 - n_test - n_val, n_val, n_test)
    assert f"({200 - n_test - n_val} training rows" in stdout and f"({n_val} validation rows)" in stdout
    assert f"({n_test} held-out test rows)" in stdout
    assert training["validation_metrics"]["cost"] == pytest.approx(training["history"]["val_cost"][-1], rel=1e-5)
    assert training["validation_metrics"]["accuracy"] == pytest.approx(training["history"]["val_accuracy"][-1])
