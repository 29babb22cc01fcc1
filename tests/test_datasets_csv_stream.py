"""CSV files read as a stream (glassnet.datasets.csvstream): the same numbers, categories and messages as a
reading of the whole file with the standard library's csv module and float(), in bounded memory."""

from __future__ import annotations

import csv
import io
import os
import tracemalloc

import numpy as np
import pytest

from glassnet.datasets import DatasetError, csvstream, load_csv, load_csv_features
from glassnet.datasets.files import load_csv_table, read_csv_rows
from glassnet.datasets.tables import TableEncoding

MISSING = ("", "nan", "na", "n/a", "null", "none", "?")


# -- an independent reference: the whole file through csv.reader and float() ------------------------------
def reference_rows(text: str, delimiter: str = ","):
    """The header, the non-blank rows (cells stripped) and the line each ends on, read all at once."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter, skipinitialspace=True)
    header, rows, lines = None, [], []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            continue
        rows.append([cell.strip() for cell in row])
        lines.append(reader.line_num)
    return header, rows, lines


def reference_table(text: str, target: str, fill: bool):
    """X (one-hot text columns, missing numbers filled with the mean of the present ones, missing words with
    the most frequent word), the feature names and the target's classes, from the reference reading."""
    header, rows, _ = reference_rows(text)
    blocks, names = [], []
    for j, name in enumerate(header):
        if name == target:
            continue
        cells = [row[j] for row in rows]
        present = [c for c in cells if c.lower() not in MISSING]
        try:
            numbers = [float(c) for c in present]
        except ValueError:
            numbers = None
        if numbers is not None:
            mean = float(np.mean(numbers)) if fill else np.nan
            blocks.append(np.array([[float(c) if c.lower() not in MISSING else mean] for c in cells]))
            names.append(name)
            continue
        categories = sorted(set(present))
        counts = [present.count(c) for c in categories]
        common = categories[counts.index(max(counts))]
        filled = [c if c.lower() not in MISSING else common for c in cells]
        blocks.append(np.array([[1.0 if c == k else 0.0 for k in categories] for c in filled]))
        names.extend(f"{name}={k}" for k in categories)
    t = header.index(target)
    classes = sorted({row[t] for row in rows})
    y = [classes.index(row[t]) for row in rows]
    return np.hstack(blocks), names, classes, np.array(y)


def random_file(seed: int, n: int = 60) -> str:
    """A CSV with every feature a file can have: BOM, CRLF or LF, blank lines, spaces after commas, quoted
    fields with commas and newlines, text columns, missing cells (numbers and words), a text target."""
    rng = np.random.default_rng(seed)
    eol = "\r\n" if seed % 2 else "\n"
    words = ["red", '"dark, blue"', '"two\nlines"', "green", " spaced "]
    out = ["\ufeff" if seed % 3 == 0 else "", "x1,\"x,2\", colour,x3,label", eol]
    for _ in range(n):
        a = repr(float(rng.normal()) * 10 ** int(rng.integers(-5, 6)))
        b = "" if rng.random() < 0.1 else repr(float(rng.random()))
        c = "NA" if rng.random() < 0.1 else words[int(rng.integers(len(words)))]
        d = f'"{int(rng.integers(-50, 50))}"' if rng.random() < 0.5 else str(int(rng.integers(-50, 50)))
        label = ["yes", "no", '"may, be"'][int(rng.integers(3))]
        out.append(f"{a}, {b},{c},{d},{label}{eol}")
        if rng.random() < 0.05:
            out.append(eol)  # a blank line
        if rng.random() < 0.05:
            out.append(f",,,,{eol}")  # a row of blank cells: skipped as blank
    return "".join(out)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(csvstream, "CHUNK_CELLS", 7)  # one row a chunk: boundaries fall everywhere


@pytest.mark.parametrize("seed", range(8))
def test_the_streamed_table_equals_the_reference_reading(tmp_path, seed, small_chunks):
    text = random_file(seed)
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode("utf-8"))
    data, encoding = load_csv_table(path, "label", text="one-hot", fill_missing="mean")
    X, names, classes, y = reference_table(text, "label", fill=True)
    assert list(data.feature_names) == names and list(data.target_names) == classes
    np.testing.assert_array_equal(data.X, X)  # exact: float(text), filled with the same mean
    np.testing.assert_array_equal(data.y, y)
    assert data.X.dtype == np.float64 and data.X.flags.c_contiguous
    header, rows, lines = reference_rows(text)
    got_header, got_rows, got_lines = read_csv_rows(path)
    assert got_header == header and list(got_lines) == lines
    assert [list(row) for row in got_rows] == rows  # every cell's text as the file spells it
    # the encoding applied to lists of rows (as older callers hold them) gives the same X
    again, met = TableEncoding.fit(path, header, rows, lines, encoding.columns, text="one-hot",
                                   fill_missing="mean").transform(path, header, rows, lines)
    np.testing.assert_array_equal(again, X)
    assert met == {}


@pytest.mark.parametrize("chunk", [3, 7, 64, 1 << 14])
def test_a_bad_cell_deep_in_the_file_is_named_by_its_line(tmp_path, chunk, monkeypatch):
    monkeypatch.setattr(csvstream, "CHUNK_CELLS", chunk)
    rows = [f"{i},{i * 0.5},{i % 3}" for i in range(3000)]
    rows[2500] = '"2500\nstill 2500",oops,1'  # a quoted newline before the bad cell: one row, two lines
    rows[2700] = "2700,again,1"
    text = "a,b,y\n" + "\n".join(rows[:1000]) + "\n\n\n" + "\n".join(rows[1000:]) + "\n"
    path = tmp_path / "deep.csv"
    path.write_text(text)
    _, _, lines = reference_rows(text)
    with pytest.raises(DatasetError, match=rf"line {lines[2500]}, column 'a': '2500\\nstill 2500' is not a number"):
        load_csv(path, target="y")
    with pytest.raises(DatasetError, match=rf"line {lines[2500]}, column 'b': 'oops' is not a number"):
        load_csv(path, target="y", columns=["b"])
    assert lines[2700] - lines[2500] == 200  # the rows between: one line each
    quoted = text.replace('"2500\nstill 2500",oops,1', '"2500\n",1250.0,1')  # a number with a newline in it
    path.write_text(quoted)
    _, _, lines = reference_rows(quoted)
    with pytest.raises(DatasetError, match=rf"line {lines[2700]}, column 'b': 'again' is not a number"):
        load_csv(path, target="y")
    assert load_csv_features(path, ["a"])[2500, 0] == 2500.0


def test_a_row_of_the_wrong_length_deep_in_the_file(tmp_path, small_chunks):
    path = tmp_path / "short.csv"
    path.write_text("a,y\n" + "1,2\n" * 500 + "3\n" + "4,5\n" * 10)
    with pytest.raises(DatasetError, match="line 502: 1 fields, but the header has 2 columns"):
        load_csv(path, target="y")
    with pytest.raises(DatasetError, match="line 502: 1 fields"):  # before the unknown target is looked at
        load_csv(path, target="nope")


def test_a_mixed_column_keeps_the_spelling_of_its_numbers(tmp_path, small_chunks):
    # the word comes after many chunks of numbers alone: the numbers' own spelling ("01", "1.0") names the
    # categories, read again from the file, never float() of them
    lines = ["code,other,y"] + [f"{['01', '1.0', '7'][i % 3]},{i},{i % 2}" for i in range(40)]
    lines += [f"{['A', 'B'][i % 2]},{i},{i % 2}" for i in range(50)]
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join(lines) + "\n")
    data = load_csv(path, target="y", text="one-hot")
    assert data.feature_names[:5] == ("code=01", "code=1.0", "code=7", "code=A", "code=B")
    cells = [line.split(",")[0] for line in lines[1:]]
    expected = np.array([[c == k for k in ("01", "1.0", "7", "A", "B")] for c in cells], dtype=float)
    np.testing.assert_array_equal(data.X[:, :5], expected)
    np.testing.assert_array_equal(data.X[:, 5], [*range(40), *range(50)])


def test_a_file_replaced_before_its_mixed_column_is_read_again_is_refused(tmp_path, monkeypatch, small_chunks):
    # the numbers' spelling is read again from the file: a file replaced in between (as editors and atomic
    # writers do: a new inode, the same number of rows) must not lend the categories its new content
    lines = ["code,y"] + [f"{['01', '7'][i % 2]},{i % 2}" for i in range(20)]
    lines += [f"{'AB'[i % 2]},{i % 2}" for i in range(30)]
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join(lines) + "\n")
    feed = csvstream._feed

    def replaced_before_the_second_read(*args, **kwargs):
        if kwargs.get("raw"):
            other = tmp_path / "other.csv"
            other.write_text("\n".join(line.replace("01", "02") for line in lines) + "\n")
            os.replace(other, path)
        return feed(*args, **kwargs)

    monkeypatch.setattr(csvstream, "_feed", replaced_before_the_second_read)
    with pytest.raises(DatasetError, match="the file changed while it was read; read it again"):
        load_csv(path, target="y", text="one-hot")


def test_a_target_of_numbers_and_words_is_classes_as_spelt(tmp_path, small_chunks):
    path = tmp_path / "t.csv"
    path.write_text("a,y\n" + "".join(f"{i},{['1', '01', 'one'][i % 3] if i > 20 else '1'}\n" for i in range(40)))
    data = load_csv(path, target="y")
    assert data.target_names == ("01", "1", "one")
    assert data.y[:21].tolist() == [1] * 21


def test_numbers_parse_as_float_does_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(size=500) * 10.0 ** rng.integers(-300, 300, 500),
                             [5e-324, 1.7976931348623157e308, -0.0, 0.1, 1 / 3]])
    spelt = [repr(float(v)) for v in values] + ["1_000", " 2.5 ", "1e5", ".5", "+3", "\u0661\u0662"]
    path = tmp_path / "r.csv"
    path.write_text("a,y\n" + "".join(f"{s},0\n" for s in spelt))
    X = load_csv(path, target="y", task="regression").X.ravel()
    assert X.tolist() == [float(s) for s in spelt]  # bit for bit what float(text) gives
    assert np.signbit(X[502]) and X[502] == 0  # -0.0 keeps its sign


def test_rows_grow_past_the_estimate_from_the_first_chunk(tmp_path, monkeypatch):
    monkeypatch.setattr(csvstream, "CHUNK_CELLS", 40)
    long_rows = [",".join(repr(0.1 * i + 1e-9 * j) for j in range(10)) + ",1" for i in range(8)]
    short_rows = [",".join(str(j) for j in range(10)) + f",{i % 2}" for i in range(3000)]  # far more rows a byte
    text = ",".join(f"c{j}" for j in range(10)) + ",y\n" + "\n".join(long_rows + short_rows) + "\n"
    path = tmp_path / "grow.csv"
    path.write_text(text)
    data = load_csv(path, target="y")
    _, rows, _ = reference_rows(text)
    np.testing.assert_array_equal(data.X, [[float(c) for c in row[:10]] for row in rows])
    assert data.X.shape == (3008, 10)


def test_errors_of_reading_outrank_the_table_s_own(tmp_path):
    path = tmp_path / "late.csv"
    path.write_bytes(b"a,a,y\n" + b"1,2,3\n" * 5000 + b"\xff,1,2\n")  # a repeated name, and not UTF-8 at the end
    with pytest.raises(DatasetError, match="not UTF-8 text"):
        load_csv(path, target="y")
    path.write_bytes(b"a,y\n1,2\n" + b'"' + b"x\n" * 70_000 + b'",1\n' + b"3,4\n" * 10)  # a field over the limit
    with pytest.raises(DatasetError, match="line 3: malformed CSV: field larger than field limit"):
        load_csv(path, target="y")  # the line the bad row begins on, though csv finds it 65,000 lines later


# -- memory ---------------------------------------------------------------------------------------------------
def _peak(call, tmp_path):
    warm = tmp_path / "warm.csv"
    warm.write_text("a,b,y\n1,x,2\n")
    load_csv(warm, target="y", text="one-hot")  # modules imported on first use are not counted
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_numeric_file_peaks_near_the_size_of_its_arrays(tmp_path, monkeypatch):
    monkeypatch.setattr(csvstream, "CHUNK_CELLS", 4096)  # a smaller chunk, for a smaller file
    rng = np.random.default_rng(0)
    X = rng.random((3000, 100))
    path = tmp_path / "big.csv"
    with path.open("w") as f:
        f.write(",".join(f"p{j}" for j in range(100)) + ",label\n")
        f.writelines(",".join(map(repr, row)) + f",{i % 10}\n" for i, row in enumerate(X.tolist()))
    assert path.stat().st_size > 5_000_000
    data, peak = _peak(lambda: load_csv(path, target="label"), tmp_path)
    np.testing.assert_array_equal(data.X, X)
    arrays = data.X.nbytes + data.y.nbytes
    assert peak < 1.5 * arrays  # the whole file as rows of strings took 13 times the arrays


def test_a_file_with_text_columns_peaks_near_the_size_of_its_arrays(tmp_path, monkeypatch):
    monkeypatch.setattr(csvstream, "CHUNK_CELLS", 4096)
    rng = np.random.default_rng(1)
    path = tmp_path / "text.csv"
    colours = ["red", "green", "blue", "dark, blue"]
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([f"x{j}" for j in range(30)] + ["colour", "shop", "label"])
        for i in range(6000):
            cells = [repr(v) for v in rng.normal(size=30).tolist()]
            if i % 17 == 0:
                cells[i % 30] = ""
            writer.writerow(cells + [colours[i % 4], f"shop {i % 60}", ["yes", "no"][i % 2]])
    data, peak = _peak(lambda: load_csv(path, target="label", text="one-hot", fill_missing="median"), tmp_path)
    assert data.X.shape == (6000, 30 + 4 + 60)
    arrays = data.X.nbytes + data.y.nbytes
    assert peak < 1.5 * arrays  # the whole file as rows of strings took 3.3 times the arrays


def test_arrays_grow_in_place_or_by_a_copy_when_something_else_holds_them():
    a = np.arange(6.0).reshape(3, 2)
    arrays = [a]
    del a
    grown = csvstream.resized(arrays, 0, (5, 2))
    np.testing.assert_array_equal(grown[:3], np.arange(6.0).reshape(3, 2))
    view = grown[:1]  # a view pins the memory: resize is refused, so the rows are copied
    again = csvstream.resized([grown], 0, (2, 2))
    assert again is not grown and view.base is grown
    np.testing.assert_array_equal(again, [[0, 1], [2, 3]])


def test_reading_under_a_profiler_gives_the_same_table(tmp_path, monkeypatch):
    import cProfile  # a profiler holds each array a method is called on: resize in place is refused

    monkeypatch.setattr(csvstream, "CHUNK_CELLS", 8)
    path = tmp_path / "p.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{['u', 'v'][i % 2]},{i % 3}\n" for i in range(300)))
    profile = cProfile.Profile()
    data = profile.runcall(load_csv, path, target="y", text="one-hot")
    np.testing.assert_array_equal(data.X, [[i, i % 2 == 0, i % 2 == 1] for i in range(300)])
    np.testing.assert_array_equal(data.y, np.arange(300) % 3)


def test_an_encoding_of_no_columns_gives_no_inputs(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("y\n1\n2\n")
    header, rows, lines = read_csv_rows(path)
    X, met = TableEncoding.fit(path, header, rows, lines, []).transform(path, header, rows, lines)
    assert X.shape == (2, 0) and met == {}
