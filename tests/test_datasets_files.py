"""CSV and NPZ files, and load(), which resolves a name or a path."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.datasets import (
    DatasetError,
    available,
    houses,
    load,
    load_csv,
    load_csv_features,
    load_npz,
    save_npz,
    spiral,
)
from glassnet.errors import InputError


def _csv(tmp_path, text: str, name: str = "data.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- CSV ----------------------------------------------------------------------------------------------


def test_regression_csv(tmp_path):
    path = _csv(tmp_path, "area,rooms,price\n50,2,150.5\n80.5,3,210\n120,4,330.25\n")
    data = load_csv(path, target="price")
    assert data.task == "regression" and data.name == "data"
    assert data.feature_names == ("area", "rooms") and data.target_names == ("price",)
    np.testing.assert_array_equal(data.X, [[50, 2], [80.5, 3], [120, 4]])
    np.testing.assert_array_equal(data.y, [150.5, 210, 330.25])
    assert data.X.dtype == np.float64 and data.y.dtype == np.float64


def test_text_classes_are_encoded_in_sorted_order(tmp_path):
    path = _csv(tmp_path, "species,length,width\nsetosa,1,2\nvirginica,3,4\nsetosa,5,6\nversicolor,7,8\n")
    data = load_csv(path, target="species")
    assert data.task == "classification"
    assert data.target_names == ("setosa", "versicolor", "virginica")
    assert data.y.tolist() == [0, 2, 0, 1] and data.y.dtype == np.int64
    assert data.feature_names == ("length", "width")  # the target may be any column


def test_whole_number_targets_with_few_values_are_classes(tmp_path):
    path = _csv(tmp_path, "a,label\n1,3\n2,1\n3,3\n4,2\n")
    data = load_csv(path, target="label")
    assert data.task == "classification" and data.target_names == ("1", "2", "3")
    assert data.y.tolist() == [2, 0, 2, 1]
    assert load_csv(path, target="label", task="regression").y.tolist() == [3.0, 1.0, 3.0, 2.0]


def test_many_whole_numbers_are_a_regression_target(tmp_path):
    rows = "".join(f"{i},{1000 * i}\n" for i in range(30))
    data = load_csv(_csv(tmp_path, "a,price\n" + rows), target="price")
    assert data.task == "regression"


def test_numeric_non_integer_classes_when_asked(tmp_path):
    data = load_csv(_csv(tmp_path, "a,t\n1,0.5\n2,1.5\n3,0.5\n"), target="t", task="classification")
    assert data.target_names == ("0.5", "1.5") and data.y.tolist() == [0, 1, 0]


def test_bom_quotes_spaces_blank_lines_and_other_delimiters(tmp_path):
    text = '\ufeff "x" ; label \n\n 1.5 ; "yes" \n\n2;no\n'
    data = load_csv(_csv(tmp_path, text), target="label", delimiter=";")
    assert data.feature_names == ("x",) and data.target_names == ("no", "yes")
    assert data.X.ravel().tolist() == [1.5, 2.0] and data.y.tolist() == [1, 0]


def test_blank_lines_before_the_header_are_skipped_too(tmp_path):
    path = _csv(tmp_path, "\ufeff\r\n \r\nx,label\r\n1.5,yes\r\n\r\n2,no\r\n")  # Windows line ends
    data = load_csv(path, target="label")
    assert data.feature_names == ("x",) and data.X.ravel().tolist() == [1.5, 2.0] and data.y.tolist() == [1, 0]
    assert load_csv_features(path, ["x"]).ravel().tolist() == [1.5, 2.0]
    with pytest.raises(DatasetError, match="line 3: repeated column names 'x'"):  # the header's own line
        load_csv(_csv(tmp_path, "\n\nx,x,label\n1,2,yes\n"), target="label")


def test_unknown_target_lists_the_columns(tmp_path):
    path = _csv(tmp_path, "area,rooms,price\n1,2,3\n")
    with pytest.raises(DatasetError, match=r"no column named 'Price'; the columns are: area, rooms, price"):
        load_csv(path, target="Price")


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("a,b,y\n1,2,3\n4,,6\n", 3, "b", "missing value ''"),
        ("a,b,y\n1,2,3\n4,5,6\nNaN,5,6\n", 4, "a", "missing value 'NaN'"),
        ("a,b,y\n1,2,3\n4,five,6\n", 3, "b", "'five' is not a number"),
        ("a,b,y\n1,inf,3\n", 2, "b", "'inf' is not a finite number"),
        ("a,b,y\n\n\n1,2,3\n# note,2,3\n", 5, "a", "'# note' is not a number"),
        ('a,b,y\n"1\n",2,3\n4,x,6\n', 4, "b", "'x' is not a number"),  # a quoted newline is two lines
        ("a,b,y\n1,2,\n", 2, "y", "missing target value"),
        ("a,b,y\n1,2,3\n1,2,nan\n", 3, "y", "missing target value 'nan'"),
        ("a,b,y\n1,2,3\n1,2,-inf\n", 3, "y", "'-inf' is not a finite number, as a regression target"),
        ("a,b,y\n1,2,3\n1,2,cat\n", 3, "y", "'cat' is not a finite number, as a regression target"),
    ],
)
def test_bad_values_name_the_line_and_column(tmp_path, text, line, column, words):
    path = _csv(tmp_path, text)
    task = "regression" if "regression" in words else None
    with pytest.raises(DatasetError) as info:
        load_csv(path, target="y", task=task)
    message = str(info.value)
    assert f"{path}, line {line}, column '{column}'" in message
    assert words in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "the file is empty"),
        ("a,y\n", "no data rows"),
        ("a,y\n1,2\n3\n", "line 3: 1 fields, but the header has 2 columns"),
        ("a,y\n1,2,3\n", "line 2: 3 fields"),
        ("a,a,y\n1,2,3\n", "repeated column names 'a'"),
        ("a,,y\n1,2,3\n", "column 2 has no name"),
        ("y\n1\n", "at least one feature"),
        ("a,y\n1,2\n" + "9" * 200_000 + ",1\n", "line 3: malformed CSV: field larger than field limit"),
    ],
)
def test_malformed_files(tmp_path, text, words):
    path = _csv(tmp_path, text)
    with pytest.raises(DatasetError, match=words) as info:
        load_csv(path, target="y")
    assert str(path) in str(info.value)


def test_not_utf8_and_missing_file(tmp_path):
    path = _csv(tmp_path, "a,y\n\xe9,1\n", encoding="latin-1")
    with pytest.raises(DatasetError, match="not UTF-8 text"):
        load_csv(path, target="y")
    with pytest.raises(DatasetError, match="no such file"):
        load_csv(tmp_path / "absent.csv", target="y")


def test_csv_features_without_a_target_in_the_order_asked(tmp_path):
    path = _csv(tmp_path, "\ufeffa, b ,c\n1,2,3\n\n4.5,-5,6e1\n")
    expected = np.array([[1.0, 2.0, 3.0], [4.5, -5.0, 60.0]])
    np.testing.assert_array_equal(load_csv_features(path), expected)
    X = load_csv_features(path, ["c", "a"])
    assert X.dtype == np.float64
    np.testing.assert_array_equal(X, expected[:, [2, 0]])
    with pytest.raises(DatasetError, match=r"no column\(s\) named 'd', 'e'; the columns are: a, b, c"):
        load_csv_features(path, ["a", "d", "e"])
    bad = _csv(tmp_path, "a,b\n1,2\n3,oops\n", name="bad.csv")
    np.testing.assert_array_equal(load_csv_features(bad, ["a"]), [[1.0], [3.0]])  # only the columns asked
    with pytest.raises(DatasetError, match=r"line 3, column 'b': 'oops' is not a number"):
        load_csv_features(bad)
    with pytest.raises(DatasetError, match="no such file"):
        load_csv_features(tmp_path / "absent.csv")


def test_bad_task_name(tmp_path):
    with pytest.raises(InputError, match="task must be one of"):
        load_csv(_csv(tmp_path, "a,y\n1,2\n"), target="y", task="ranking")


def test_a_large_csv_reads_quickly(tmp_path):
    data = houses(n_samples=5000, seed=0)
    lines = ["area,rooms,age,distance,price"] + [
        ",".join(repr(float(v)) for v in (*row, target)) for row, target in zip(data.X, data.y, strict=True)
    ]
    back = load_csv(_csv(tmp_path, "\n".join(lines) + "\n"), target="price")
    np.testing.assert_array_equal(back.X, data.X)
    np.testing.assert_array_equal(back.y, data.y)


# --- NPZ ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [spiral, houses], ids=["classification", "regression"])
def test_save_and_load_npz_round_trip(tmp_path, make):
    data = make(n_samples=40, seed=0)
    path = save_npz(tmp_path / "set", data)
    assert path.name == "set.npz"
    back = load_npz(path)
    np.testing.assert_array_equal(back.X, data.X)
    np.testing.assert_array_equal(back.y, data.y)
    assert back.y.dtype == data.y.dtype
    for field in ("feature_names", "target_names", "task", "name"):
        assert getattr(back, field) == getattr(data, field)


def test_plain_savez_guesses_the_task_from_y(tmp_path):
    X = np.arange(8.0).reshape(4, 2)
    np.savez(tmp_path / "c.npz", X=X, y=np.array([0, 2, 1, 2]))
    c = load_npz(tmp_path / "c.npz")
    assert c.task == "classification" and c.target_names == ("0", "1", "2")
    assert c.feature_names == ("x1", "x2")
    np.savez(tmp_path / "r.npz", X=X, y=np.array([0.5, 1.0, 2.0, 3.0]))
    assert load_npz(tmp_path / "r.npz").task == "regression"
    assert load_npz(tmp_path / "r.npz", task="classification").target_names == ("0.5", "1", "2", "3")


def test_text_and_odd_integer_labels_are_encoded(tmp_path):
    X = np.zeros((3, 1))
    np.savez(tmp_path / "t.npz", X=X, y=np.array(["dog", "cat", "dog"]))
    t = load_npz(tmp_path / "t.npz")
    assert t.target_names == ("cat", "dog") and t.y.tolist() == [1, 0, 1]
    np.savez(tmp_path / "n.npz", X=X, y=np.array([-1, 1, -1]))
    n = load_npz(tmp_path / "n.npz")
    assert n.target_names == ("-1", "1") and n.y.tolist() == [0, 1, 0]


@pytest.mark.parametrize(
    ("arrays", "words"),
    [
        ({"X": np.zeros((2, 2))}, r"no array named 'y' \(it has: X\)"),
        ({"data": np.zeros((2, 2)), "target": np.zeros(2)}, "no array named 'X'"),
        ({"X": np.zeros(4), "y": np.zeros(4)}, "X must be a 2-D array of numbers"),
        ({"X": np.array([["a"]]), "y": np.zeros(1)}, "X must be a 2-D array of numbers"),
        ({"X": np.zeros((3, 2)), "y": np.zeros(2)}, r"one value per row of X \(3\)"),
        ({"X": np.array([[1.0, np.nan]]), "y": np.zeros(1)}, r"X\[0, 1\] is nan"),
        ({"X": np.zeros((2, 1)), "y": np.zeros(2), "feature_names": np.array(["a", "b"])}, "2 feature_names"),
        ({"X": np.zeros((2, 1)), "y": np.array([0, 3]), "target_names": np.array(["a", "b"])}, "label 3"),
        ({"X": np.zeros((1, 1)), "y": np.zeros(1), "feature_names": np.array([1])}, "must hold text"),
        ({"X": np.zeros((1, 1)), "y": np.zeros(1), "task": np.array("ranking")}, "stored task 'ranking'"),
    ],
)
def test_npz_problems_are_named(tmp_path, arrays, words):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DatasetError, match=words) as info:
        load_npz(path)
    assert str(path) in str(info.value)


def test_npz_never_unpickles(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, X=np.array([[1, "a"]], dtype=object), y=np.zeros(1))
    with pytest.raises(DatasetError, match="not a readable .npz archive of plain arrays"):
        load_npz(path)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not a zip file at all", "not a readable .npz archive"),
        (b"PK\x03\x04broken", "not a readable .npz archive"),
    ],
)
def test_npz_that_is_not_an_archive(tmp_path, content, words):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=words):
        load_npz(path)


def test_npy_file_and_missing_file(tmp_path):
    np.save(tmp_path / "one.npy", np.zeros(3))
    with pytest.raises(DatasetError, match="single .npy array"):
        load_npz(tmp_path / "one.npy")
    with pytest.raises(DatasetError, match="no such file"):
        load_npz(tmp_path / "absent.npz")


# --- load(): names and paths --------------------------------------------------------------------------


def test_load_by_name_passes_options():
    a = load("Spiral", n_samples=50, n_classes=4, seed=1)
    b = spiral(n_samples=50, n_classes=4, seed=1)
    np.testing.assert_array_equal(a.X, b.X)


def test_load_paths(tmp_path):
    csv_path = _csv(tmp_path, "a,y\n1,2\n3,4.5\n")
    assert load(str(csv_path), target="y").task == "regression"
    assert load(csv_path, target="y", task="classification").n_classes == 2
    npz_path = save_npz(tmp_path / "s.npz", spiral(n_samples=9, seed=0))
    assert load(npz_path).n_samples == 9


def test_load_errors(tmp_path):
    with pytest.raises(DatasetError, match=r"unknown data set 'spirals'; the names are: xor, circles"):
        load("spirals")
    with pytest.raises(DatasetError, match="name the target column"):
        load(_csv(tmp_path, "a,y\n1,2\n"))
    with pytest.raises(DatasetError, match="target= names a CSV column"):
        load("xor", target="y")
    with pytest.raises(DatasetError, match="reads .csv and .npz files, not .xlsx"):
        load(tmp_path / "table.xlsx")
    (tmp_path / "table").write_text("a,y\n")
    with pytest.raises(DatasetError, match="a file\\? give its path ending in .csv"):
        load(str(tmp_path / "table"))


def test_available_lists_every_set_with_a_summary():
    names = available()
    assert list(names)[:8] == ["xor", "circles", "moons", "spiral", "gaussians", "sine", "plane", "houses"]
    assert {"digits", "iris", "wine", "breast-cancer", "diabetes", "mnist", "fashion-mnist"} <= set(names)
    assert names["houses"].startswith("[synthetic] House prices")
    assert all(summary.strip() for summary in names.values())


# -- a size guard for every data file (issue 17) --------------------------------------------------------------
def test_a_csv_over_the_data_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    from glassnet.datasets.files import load_csv

    path = tmp_path / "big.csv"
    path.write_text("a,y\n" + "1,0\n2,1\n" * 100)
    with pytest.raises(DatasetError, match=r"big.csv: the file is 804 bytes, over the 100 bytes limit on data files"):
        load_csv(path, "y", max_bytes=100)
    monkeypatch.setenv("GLASSNET_MAX_DATA_SIZE", "500")
    with pytest.raises(DatasetError, match="raise it with GLASSNET_MAX_DATA_SIZE=SIZE"):
        load_csv(path, "y")
    assert load_csv(path, "y", max_bytes="1K").X.shape == (200, 1)


def test_a_deflated_npz_that_expands_past_the_limit_is_refused_before_expanding(tmp_path):
    import tracemalloc

    from glassnet.datasets.files import load_npz

    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, X=np.zeros((40_000, 100)), y=np.zeros(40_000, dtype=int))   # 32 MB of zeros
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(DatasetError, match=r"what its arrays expand to is 30\.8 MiB, over the 8 MiB limit"):
            load_npz(path, max_bytes="8M")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20
    assert load_npz(path, max_bytes="64M").X.shape == (40_000, 100)


def test_the_command_line_names_the_data_size_limit(tmp_path, monkeypatch, capsys):
    from glassnet.cli import main

    path = tmp_path / "big.csv"
    path.write_text("a,y\n" + "1,0\n2,1\n" * 100)
    monkeypatch.setenv("GLASSNET_MAX_DATA_SIZE", "100")
    assert main(["train", str(path), "--target", "y", "--out", str(tmp_path / "m.glassnet")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "over the 100 bytes limit on data files" in err
    assert "GLASSNET_MAX_DATA_SIZE" in err
