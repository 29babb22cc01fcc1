"""``glassnet train --dropout --l1``: the options reach the trainer, the model file records them, bad values
are refused in one line, and the help says what they do."""

from __future__ import annotations

import json
import zipfile

import numpy as np
from test_cli import ok, one_line_error, run


def _training_record(path) -> dict:
    """The model file's training record, read with zipfile and json (not with glassnet)."""
    with zipfile.ZipFile(path) as archive:
        names = [name for name in archive.namelist() if name.endswith(".json")]
        header = json.loads(archive.read(names[0]))
    return header["training"]


def test_train_with_dropout_and_l1_records_them(tmp_path):
    out = tmp_path / "moons.glassnet"
    text = ok(run("train", "moons", "--samples", "200", "--layers", "8,6", "--epochs", "3", "--dropout", "0.2,0.1",
                  "--l1", "0.001", "--quiet", "--out", str(out)))
    assert "l1 0.001" in text and "dropout 0.2,0.1" in text
    options = _training_record(out)["options"]
    assert options["dropout"] == [0.2, 0.1] and options["l1"] == 0.001
    plain = tmp_path / "plain.glassnet"
    ok(run("train", "moons", "--samples", "200", "--layers", "8,6", "--epochs", "3", "--quiet", "--out", str(plain)))
    with np.load(out) as a, np.load(plain) as b:
        weights = [name for name in a.files if name.endswith("weights.npy") or name.endswith("weights")]
        assert weights and any(not np.array_equal(a[name], b[name]) for name in weights)


def test_one_rate_serves_every_hidden_layer_and_bad_rates_are_refused(tmp_path):
    out = tmp_path / "m.glassnet"
    ok(run("train", "moons", "--samples", "100", "--layers", "4,4", "--epochs", "1", "--dropout", "0.5", "--quiet",
           "--out", str(out)))
    assert _training_record(out)["options"]["dropout"] == 0.5
    refused = run("train", "moons", "--samples", "100", "--layers", "4,4", "--dropout", "1.5", "--out",
                  str(tmp_path / "x.glassnet"))
    assert refused.returncode == 2 and "below 1" in refused.stderr
    one_line_error(run("train", "moons", "--samples", "100", "--layers", "4,4", "--dropout", "0.1,0.2,0.3",
                       "--out", str(tmp_path / "y.glassnet")), "3 rates", "2 hidden layers")
    assert not (tmp_path / "x.glassnet").exists() and not (tmp_path / "y.glassnet").exists()


def test_the_help_explains_dropout_and_l1():
    text = ok(run("train", "--help"))
    flat = " ".join(text.split())
    assert "--dropout P" in flat and "inverted dropout" in flat and "one per hidden layer" in flat
    assert "--l1 L1" in flat and "l1/n sum |W|" in flat


def test_explain_shows_the_recorded_dropout_and_optimizer(tmp_path):
    out = tmp_path / "m.glassnet"
    ok(run("train", "moons", "--samples", "100", "--layers", "6", "--epochs", "1", "--dropout", "0.5", "--quiet",
           "--out", str(out)))
    text = ok(run("explain", str(out), "--row", "0"))
    assert "dropout (layer 1: 0.5)" in text and "dropout, " in text
    assert "was trained with adam but keeps no moments" in text
    assert "Update by adam (beta1 0.9, beta2 0.999, eps 1e-08; its moments m and v empty" in text
    assert "learning rate 0.001" in text
    given = ok(run("explain", str(out), "--row", "0", "--learning-rate", "0.5"))
    assert "learning rate 0.5" in given
    as_json = run("explain", str(out), "--row", "0", "--format", "json")
    record = json.loads(ok(as_json))
    assert record["dropout"] == [0.5] and record["optimizer"].startswith("adam")
    assert "keeps no moments" in as_json.stderr
