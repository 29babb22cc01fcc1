"""The first hour of a new user with the ``glassnet`` command: nothing lost, figures that say what they measured,
CSV files as people have them, held-out rows remembered, help on every option.

Run in-process through ``glassnet.cli.main`` (quick); the end-to-end subprocess runs are in test_cli.py.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from glassnet.cli import build_parser, main


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


# -- CSV files as people have them ------------------------------------------------------------------------------
HOUSES = [  # area, bedrooms, town, price: price = 2000 * area + 10000 * bedrooms + a town's premium
    (50, 1, "Riverside"), (70, 2, "Oldtown"), (90, 3, "Riverside"), (65, 2, "Hilltop"), (120, 4, "Oldtown"),
    (60, 1, "Hilltop"), (85, 3, "Oldtown"), (100, 3, "Riverside"), (55, 1, "Oldtown"), (110, 4, "Hilltop"),
] * 4
PREMIUM = {"Hilltop": 30000.0, "Oldtown": 0.0, "Riverside": 55000.0}


def _houses_csv(path: Path, delimiter: str = ",", blank: tuple[int, str] | None = None) -> Path:
    lines = [delimiter.join(["area_m2", "bedrooms", "town", "note", "price"])]
    for i, (area, rooms, town) in enumerate(HOUSES):
        cells = [str(area + i % 3), str(rooms), town, f"listing {i}",
                 f"{2000.0 * (area + i % 3) + 10000 * rooms + PREMIUM[town]:.1f}"]
        if blank is not None and blank[0] == i:
            cells[["area_m2", "bedrooms", "town"].index(blank[1])] = ""
        lines.append(delimiter.join(cells))
    return _write(path, "\n".join(lines) + "\n")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_found_and_text_columns_are_one_hot_encoded(tmp_path, capsys, delimiter):
    data = _houses_csv(tmp_path / "houses.csv", delimiter)
    out = tmp_path / "houses.glassnet"
    assert main(["train", str(data), "--target", "price", "--drop", "note", "--layers", "", "--epochs", "2",
                 "--quiet", "--out", str(out)]) == 0
    pre = _header(out)["preprocessing"]
    assert pre["feature_names"] == ["area_m2", "bedrooms", "town=Hilltop", "town=Oldtown", "town=Riverside"]
    assert pre["table"]["columns"] == ["area_m2", "bedrooms", "town"]
    assert pre["table"]["categories"] == {"town": ["Hilltop", "Oldtown", "Riverside"]}
    assert _header(out)["training"]["options"]["drop"] == ["note"]


def test_the_encoding_recorded_is_applied_at_predict(tmp_path, capsys):
    """Predictions on new rows, checked against a forward pass written here from the file's arrays and the
    one-hot columns built by hand (independent of glassnet's encoder)."""
    data = _houses_csv(tmp_path / "houses.csv", ";")
    out = tmp_path / "houses.glassnet"
    assert main(["train", str(data), "--target", "price", "--columns", "town,area_m2", "--layers", "",
                 "--task", "regress", "--epochs", "3", "--quiet", "--out", str(out)]) == 0
    new = _write(tmp_path / "new.csv", "town;area_m2;bedrooms\nOldtown;80;2\nRiverside;60;1\nHilltop;100;5\n")
    capsys.readouterr()
    assert main(["predict", str(out), str(new)]) == 0
    printed = np.array([float(v) for v in capsys.readouterr().out.split()[2:]])
    header, arrays = _header(out), np.load(out, allow_pickle=False)
    X = np.array([[0, 1, 0, 80], [0, 0, 1, 60], [1, 0, 0, 100]], dtype=np.float64)  # town=H, O, R, area
    pre = header["preprocessing"]
    assert pre["feature_names"] == ["town=Hilltop", "town=Oldtown", "town=Riverside", "area_m2"]
    s = (X - pre["inputs"]["mean"]) / np.array(pre["inputs"]["scale"]) @ arrays["layers.0.weights"].astype(
        np.float64) + arrays["layers.0.bias"]
    scaling = pre["target_scaling"]
    expected = s[:, 0] * np.ravel(scaling["scale"])[0] + np.ravel(scaling["mean"])[0]
    np.testing.assert_allclose(printed, expected, rtol=1e-5)


def test_an_unseen_category_is_refused_or_zeroed_as_asked(tmp_path, capsys):
    data = _houses_csv(tmp_path / "houses.csv")
    out = tmp_path / "houses.glassnet"
    assert main(["train", str(data), "--target", "price", "--drop", "note", "--task", "regress", "--layers", "",
                 "--epochs", "2", "--quiet", "--out", str(out)]) == 0
    new = _write(tmp_path / "new.csv", "area_m2,bedrooms,town\n80,2,Seaside\n80,2,Oldtown\n")
    capsys.readouterr()
    assert main(["predict", str(out), str(new)]) == 1
    _error(capsys, "line 2", "'town'", "'Seaside'", "'Hilltop', 'Oldtown', 'Riverside'", "--unseen zeros")
    assert main(["predict", str(out), str(new), "--unseen", "zeros"]) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and "'Seaside'" in captured.err and "all zeros" in captured.err
    assert len(captured.out.splitlines()) == 3  # the header and two predictions


def test_missing_values_are_refused_or_filled_and_the_fill_is_recorded(tmp_path, capsys):
    data = _houses_csv(tmp_path / "houses.csv", blank=(3, "area_m2"))
    out = tmp_path / "houses.glassnet"
    args = ["train", str(data), "--target", "price", "--drop", "note", "--task", "regress", "--layers", "",
            "--epochs", "2", "--quiet", "--out", str(out)]
    assert main(args) == 1
    _error(capsys, "line 5", "'area_m2'", "missing value", "--fill-missing")
    assert main([*args, "--fill-missing", "median"]) == 0
    train = set(_training_rows(len(HOUSES)).tolist())  # the fill is learned from the training rows only
    areas = [area + i % 3 for i, (area, _, _) in enumerate(HOUSES) if i != 3 and i in train]
    table = _header(out)["preprocessing"]["table"]
    assert table["fill_missing"] == "median" and table["fill"]["area_m2"] == pytest.approx(np.median(areas))
    towns = [town for i, (_, _, town) in enumerate(HOUSES) if i in train]
    assert table["fill"]["town"] == max(sorted(set(towns)), key=towns.count)
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "town: one-hot, 3 categories (Hilltop, Oldtown, Riverside)" in info and "median" in info
    # at predict, a missing cell gets the recorded fill: the same prediction as the filled-in value
    new = _write(tmp_path / "new.csv", f"area_m2,bedrooms,town\n,2,Oldtown\n{np.median(areas)},2,Oldtown\n")
    capsys.readouterr()
    assert main(["predict", str(out), str(new)]) == 0
    first, second = (float(v) for v in capsys.readouterr().out.split()[2:])
    assert first == second


def _training_rows(n: int, fraction: float = 0.2, seed: int = 0) -> np.ndarray:
    """The rows ``glassnet train`` trains on for a regression target: numpy's permutation with the seed, the
    first ``round(fraction * n)`` of it held out (train_test_split's documented draw, without strata)."""
    held = np.random.default_rng(seed).permutation(n)[: int(round(fraction * n))]
    return np.setdiff1d(np.arange(n), held)


def test_categories_and_fill_values_are_learned_from_the_training_rows_only(tmp_path, capsys):
    """The held-out test rows have a town of their own and areas ten times larger: with the encoding learned
    from every row (the old leak), the town would be a category and the mean area would move; learned from
    the training rows, the town is unseen (all zeros, with a warning) and the mean is the training rows'."""
    from glassnet.datasets import train_test_split

    n = 20
    train = _training_rows(n)
    drawn, _, _, _ = train_test_split(np.arange(n), np.linspace(0.5, 1.5, n), test_size=0.2, seed=0)
    assert sorted(drawn.tolist()) == train.tolist()  # the draw the docstring states is the one glassnet makes
    lines, areas = ["area_m2,town,price"], []
    for i in range(n):
        held = i not in train
        area = 800.0 + 10 * i if held else 50.0 + 3 * i
        town = "Seaside" if held else ("Hilltop", "Oldtown")[i % 2]
        if i == train[0]:
            lines.append(f",{town},{1000.0 * i + 1.5}")  # a missing area in a training row
            continue
        if not held:
            areas.append(area)
        lines.append(f"{area},{town},{1000.0 * i + 1.5}")
    data = _write(tmp_path / "homes.csv", "\n".join(lines) + "\n")
    out = tmp_path / "homes.glassnet"
    assert main(["train", str(data), "--target", "price", "--fill-missing", "mean", "--layers", "", "--epochs", "1",
                 "--quiet", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "'Seaside'" in err and "held-out" in err and "--unseen zeros" in err, err
    pre = _header(out)["preprocessing"]
    assert pre["table"]["categories"] == {"town": ["Hilltop", "Oldtown"]}
    assert pre["feature_names"] == ["area_m2", "town=Hilltop", "town=Oldtown"]
    assert pre["table"]["fill"]["area_m2"] == pytest.approx(float(np.mean(areas)))  # not the mean with 800s
    assert pre["table"]["fill"]["town"] in ("Hilltop", "Oldtown")
    # the inputs are standardized on the training rows: the filled training column's mean is its fill value
    assert pre["inputs"]["mean"][0] == pytest.approx(float(np.mean(areas)))
    training = _header(out)["training"]
    assert (training["n_train"], training["n_test"]) == (len(train), n - len(train))
    # the held-out rows are measured as trained: their town as all zeros, when asked to
    assert main(["evaluate", str(out), str(data)]) == 1
    _error(capsys, "'Seaside'", "--unseen zeros")
    assert main(["evaluate", str(out), str(data), "--unseen", "zeros"]) == 0
    assert f"the {n - len(train)} test rows" in capsys.readouterr().out


def test_a_semicolon_file_read_as_one_column_says_why(tmp_path, capsys):
    data = _write(tmp_path / "odd.csv", "area_m2|price\n1|2\n3|4\n")
    assert main(["train", str(data), "--target", "price", "--quiet", "--out", str(tmp_path / "o.glassnet")]) == 1
    _error(capsys, "no column named 'price'", "one column only", "comma, semicolon or tab")


def test_columns_the_file_lacks_are_named_with_how_many_more(tmp_path, capsys):
    data = _write(tmp_path / "wide.csv", "a,b,c,d,e,f,g,y\n" + "1,2,3,4,5,6,7,0\n2,3,4,5,6,7,8,1\n" * 5)
    out = tmp_path / "wide.glassnet"
    assert main(["train", str(data), "--target", "y", "--epochs", "1", "--layers", "2", "--quiet",
                 "--out", str(out)]) == 0
    narrow = _write(tmp_path / "narrow.csv", "a,y\n1,0\n")
    capsys.readouterr()
    assert main(["evaluate", str(out), str(narrow)]) == 1
    _error(capsys, "'b', 'c', 'd', 'e', 'f' and 1 more")
    assert main(["train", str(data), "--target", "y", "--columns", "a,zz", "--quiet", "--out",
                 str(tmp_path / "z.glassnet")]) == 1
    _error(capsys, "no column(s) named 'zz'", "the columns are: a, b")


# -- held-out rows ----------------------------------------------------------------------------------------------
def test_evaluate_plot_and_report_measure_the_held_out_rows(tmp_path, capsys):
    from glassnet.datasets import moons, train_test_split

    out = tmp_path / "moons.glassnet"
    assert main(["train", "moons", "--samples", "200", "--seed", "4", "--epochs", "5", "--layers", "8",
                 "--quiet", "--out", str(out)]) == 0
    training = _header(out)["training"]
    capsys.readouterr()
    assert main(["evaluate", str(out), "moons"]) == 0
    held = capsys.readouterr().out
    assert "40 rows, the 40 test rows of moons held out" in held
    # the same figure the training printed for its test rows, and an independent forward pass on them
    data = moons(n_samples=200, seed=4)
    _, X_test, _, y_test = train_test_split(data.X, data.y, test_size=0.2, seed=4)
    arrays, pre = np.load(out, allow_pickle=False), _header(out)["preprocessing"]
    a = (X_test - pre["inputs"]["mean"]) / np.array(pre["inputs"]["scale"])
    a = np.maximum(a @ arrays["layers.0.weights"].astype(np.float64) + arrays["layers.0.bias"], 0)
    p = 1 / (1 + np.exp(-(a @ arrays["layers.1.weights"].astype(np.float64) + arrays["layers.1.bias"])))[:, 0]
    accuracy = float(held.split("accuracy")[1].split("%")[0]) / 100
    assert accuracy == pytest.approx(np.mean((p > 0.5) == y_test), abs=1e-4)
    assert accuracy == pytest.approx(training["test_metrics"]["accuracy"], abs=1e-4)
    assert main(["evaluate", str(out), "moons", "--rows", "all"]) == 0
    assert "all 200 rows of moons" in capsys.readouterr().out
    pytest.importorskip("matplotlib")
    assert main(["plot", "confusion", str(out), "--out", str(tmp_path / "c.png")]) == 0
    assert "the 40 test rows" in capsys.readouterr().out
    assert main(["report", str(out), "--out", str(tmp_path / "r.html")]) == 0
    assert "the 40 test rows" in capsys.readouterr().out
    assert "measured on the 40 test rows of moons" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_report_and_boundary_speak_of_the_columns_in_their_units(tmp_path, capsys, monkeypatch):
    """The report's blame names the inputs by their columns and its output neurons by class; plot boundary
    is given the rows in the file's units, the columns' names and the recorded standardization."""
    pytest.importorskip("matplotlib")
    import html

    import glassnet.plots

    lines = ["area_m2,bedrooms,kind"] + [f"{50 + 7 * i % 90},{1 + i % 5},{'big' if 7 * i % 90 > 40 else 'small'}"
                                         for i in range(40)]
    data = _write(tmp_path / "kinds.csv", "\n".join(lines) + "\n")
    out = tmp_path / "kinds.glassnet"
    assert main(["train", str(data), "--target", "kind", "--layers", "4", "--epochs", "3", "--quiet",
                 "--out", str(out), "--report", str(tmp_path / "train.html")]) == 0
    for page in (tmp_path / "train.html", tmp_path / "r.html"):
        if page.name == "r.html":
            assert main(["report", str(out), str(data), "--out", str(page)]) == 0
        text = html.unescape(page.read_text(encoding="utf-8"))
        blame = text[text.index("<h2>Blame</h2>") : text.index("<h2>Confusion matrix</h2>")]
        assert "area_m2: " in blame and "bedrooms: " in blame and "x0:" not in blame, blame
        assert "0 = P('small'), against 'big'" in blame
        assert "in the data's units" in text
    seen = {}
    monkeypatch.setattr(glassnet.plots, "plot_decision_boundary", lambda net, X, y, **kw: seen.update(X=X, **kw))
    assert main(["plot", "boundary", str(out), str(data), "--out", str(tmp_path / "b.png")]) == 0
    rows = np.array([[float(v) for v in line.split(",")[:2]] for line in lines[1:]])
    np.testing.assert_array_equal(seen["X"], rows)
    assert seen["feature_names"] == ["area_m2", "bedrooms"] and seen["class_names"] == ["big", "small"]
    pre = _header(out)["preprocessing"]["inputs"]
    np.testing.assert_allclose(seen["inputs"].transform(rows), (rows - pre["mean"]) / np.array(pre["scale"]))


def test_a_regression_surface_is_given_the_prices_as_the_file_has_them(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    import glassnet.plots

    data = _houses_csv(tmp_path / "houses.csv")
    out = tmp_path / "houses.glassnet"
    assert main(["train", str(data), "--target", "price", "--columns", "area_m2,bedrooms", "--layers", "4",
                 "--epochs", "2", "--quiet", "--out", str(out), "--report", str(tmp_path / "r.html")]) == 0
    assert "regression surface" in (tmp_path / "r.html").read_text(encoding="utf-8")
    seen = {}
    monkeypatch.setattr(glassnet.plots, "plot_decision_boundary", lambda net, X, y, **kw: seen.update(y=y, **kw))
    assert main(["plot", "boundary", str(out), str(data), "--rows", "all", "--out", str(tmp_path / "b.png")]) == 0
    prices = [2000.0 * (area + i % 3) + 10000 * rooms + PREMIUM[town] for i, (area, rooms, town) in enumerate(HOUSES)]
    np.testing.assert_allclose(seen["y"], prices)
    scaling = _header(out)["preprocessing"]["target_scaling"]
    np.testing.assert_allclose(seen["targets"].inverse_transform(np.array([0.0, 1.0])),
                               np.ravel(scaling["mean"])[0] + np.ravel(scaling["scale"])[0] * np.array([0.0, 1.0]))


def test_changed_data_is_measured_whole_and_said_so(tmp_path, capsys):
    data = _houses_csv(tmp_path / "houses.csv")
    out = tmp_path / "houses.glassnet"
    assert main(["train", str(data), "--target", "price", "--drop", "note", "--task", "regress", "--layers", "",
                 "--epochs", "2", "--quiet", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(out), str(data)]) == 0
    assert "the 8 test rows" in capsys.readouterr().out
    _write(data, data.read_text(encoding="utf-8").replace("Oldtown", "Riverside", 1))
    assert main(["evaluate", str(out), str(data)]) == 0
    assert "has changed since training" in capsys.readouterr().out


def test_a_model_of_two_inputs_on_wide_data_says_so(tmp_path, capsys):
    out = tmp_path / "moons.glassnet"
    assert main(["train", "moons", "--epochs", "1", "--layers", "2", "--quiet", "--out", str(out)]) == 0
    wide = tmp_path / "wide.npz"
    np.savez(wide, X=np.zeros((5, 784)), y=np.zeros(5, dtype=int))
    capsys.readouterr()
    assert main(["evaluate", str(out), str(wide)]) == 1
    _error(capsys, "the model takes 2 inputs", "784 feature columns", "(moons)")


# -- help and names ---------------------------------------------------------------------------------------------
def _walk(parser: argparse.ArgumentParser, path: str = "glassnet"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, f"{path} {name}")
        else:
            yield path, action


def test_every_option_and_argument_has_help():
    missing = [f"{path} {'/'.join(action.option_strings) or action.dest}"
               for path, action in _walk(build_parser()) if not action.help]
    assert not missing, f"without help text: {missing}"


def test_method_names_take_hyphens(capsys):
    from glassnet.compare import METHODS

    parser = build_parser()
    args = parser.parse_args(["compare-training", "--methods", "finite-differences,tweak-and-keep,Backpropagation"])
    assert args.methods == ["finite differences", "tweak and keep", "backpropagation"]
    assert set(args.methods) <= set(METHODS)
    with pytest.raises(SystemExit):
        parser.parse_args(["compare-training", "--methods", "finite"])
    assert "finite-differences" in capsys.readouterr().err


def test_the_unclear_messages_say_what_is_wrong_and_what_to_do(tmp_path, capsys):
    data = _houses_csv(tmp_path / "houses.csv")
    out = tmp_path / "houses.glassnet"
    assert main(["train", str(data), "--target", "price", "--drop", "note", "--task", "regress", "--layers", "3",
                 "--epochs", "1", "--quiet", "--out", str(out)]) == 0
    capsys.readouterr()
    pytest.importorskip("matplotlib")
    assert main(["plot", "weights", str(out), "--out", str(tmp_path / "w.png")]) == 1
    _error(capsys, "5 inputs of a table", "an image's pixels", "glassnet plot network")
    cut = tmp_path / "cut.glassnet"
    cut.write_bytes(out.read_bytes()[: len(out.read_bytes()) // 2])
    assert main(["info", str(cut)]) == 1
    _error(capsys, "cut.glassnet", "cut short or damaged", "train it again")
    rows = _write(tmp_path / "rows.csv", "area_m2,bedrooms,town\n80,2,Oldtown\n")
    assert main(["explain", str(out), str(rows)]) == 1
    _error(capsys, "no column named 'price'", "needs to measure", "the columns are: area_m2, bedrooms, town")
