"""Tests for glassnet.modelfile: exact round trips, atomic writes, and refusal of every kind of bad file."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import struct
import sys
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from glassnet import modelfile
from glassnet.errors import ModelFileError
from glassnet.modelfile import (
    FORMAT_NAME,
    FORMAT_VERSION,
    RESERVED_KEYS,
    atomic_write_bytes,
    plain_json,
    read_model_file,
    write_model_file,
)

HEADER = {
    "architecture": [3, 4, 2],
    "activations": ["relu", "softmax"],
    "cost": "categorical_cross_entropy",
    "dtype": "float32",
    "classes": ["cat", "dog"],
    "preprocessing": {"mean": [0.5, -1.25, 3.0], "scale": None},
    "training": {"epochs": 3, "loss": [0.9, 0.5, 0.25], "stopped_early": False},
}


def make_arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "layers.0.weights": rng.standard_normal((3, 4)).astype(np.float32),
        "layers.0.bias": np.array([0.0, -0.0, 1e-40, -3.5], dtype=np.float32),
        "layers.1.weights": rng.standard_normal((4, 2)),
        "classes": np.array([7, -(2**62)], dtype=np.int64),
        "mask": np.array([[True, False, True], [False, False, True]]),
        "scalar": np.array(2.5),
        "empty": np.zeros((0, 5), dtype=np.float32),
    }


def same_array(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit-for-bit equality: same dtype, same shape, same bytes (so -0.0 differs from 0.0)."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def same_arrays(found: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> bool:
    return found.keys() == expected.keys() and all(same_array(found[k], expected[k]) for k in expected)


def caller_part(header: dict) -> dict:
    return {k: v for k, v in header.items() if k not in RESERVED_KEYS}


def npy_bytes(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def members_of(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def forge(path, header: dict | bytes, members: dict[str, bytes],
          compression: int = zipfile.ZIP_STORED) -> None:
    """Write a zip by hand: ``header`` becomes header.json (a dict is JSON-encoded), then ``members``."""
    data = header if isinstance(header, bytes) else json.dumps(header).encode()
    with zipfile.ZipFile(path, "w", compression) as zf:
        zf.writestr("header.json", data)
        for name, content in members.items():
            zf.writestr(name, content)


@pytest.fixture
def good(tmp_path):
    """A valid model file; returns (path, header.json as a dict, the array members as bytes)."""
    path = write_model_file(tmp_path / "model.glassnet", HEADER, make_arrays(), kind="network")
    members = members_of(path)
    document = json.loads(members.pop("header.json"))
    return path, document, members


def load_error(path, **kwargs) -> str:
    """Load a file that must be refused; return the message, which must name the file."""
    with pytest.raises(ModelFileError) as info:
        read_model_file(path, **kwargs)
    message = str(info.value)
    assert str(path) in message
    return message


# ------------------------------------------------------------------------------------------ round trips

def test_round_trip_is_exact(tmp_path):
    arrays = make_arrays()
    path = write_model_file(tmp_path / "model.glassnet", HEADER, arrays, kind="network")
    assert path == tmp_path / "model.glassnet"
    header, loaded = read_model_file(path, kind="network")
    assert caller_part(header) == HEADER
    assert header["format"] == FORMAT_NAME and header["format_version"] == FORMAT_VERSION
    assert header["kind"] == "network" and isinstance(header["glassnet_version"], str)
    # each entry: dtype, shape and the SHA-256 of the array's bytes (hashlib over tobytes, C order)
    assert header["arrays"]["layers.0.weights"] == {
        "dtype": "<f4", "shape": [3, 4], "sha256": hashlib.sha256(arrays["layers.0.weights"].tobytes()).hexdigest()}
    assert header["arrays"]["scalar"] == {
        "dtype": "<f8", "shape": [], "sha256": hashlib.sha256(arrays["scalar"].tobytes()).hexdigest()}
    assert same_arrays(loaded, arrays)
    assert all(a.flags.writeable for a in loaded.values())


def test_plain_json_makes_numpy_numbers_paths_and_tuples_fit_for_a_header(tmp_path):
    import pathlib

    value = {
        1: (np.int64(3), np.float32(0.5), np.bool_(True)),
        "nested": {"nan": np.float64("nan"), "inf": float("-inf"), "path": pathlib.Path("a") / "b.csv"},
        "kept": ["text", None, 2, 2.5],
    }
    plain = plain_json(value)
    assert plain == {
        "1": [3, 0.5, True],
        "nested": {"nan": None, "inf": None, "path": str(pathlib.Path("a/b.csv"))},
        "kept": ["text", None, 2, 2.5],
    }
    assert [type(v) for v in plain["1"]] == [int, float, bool]
    # the result is what a header takes, and reads back equal
    write_model_file(tmp_path / "m.glassnet", {"extra": plain}, {}, kind="test")
    assert read_model_file(tmp_path / "m.glassnet")[0]["extra"] == plain


def test_accepts_str_paths_and_any_kind_when_none_given(tmp_path):
    path = str(tmp_path / "m.glassnet")
    write_model_file(path, {}, {}, kind="MLPClassifier")
    header, arrays = read_model_file(path)
    assert header["kind"] == "MLPClassifier" and arrays == {}
    message = load_error(path, kind="network")
    assert "'MLPClassifier'" in message and "'network'" in message


def test_layouts_and_byte_orders_survive(tmp_path):
    base = np.arange(24, dtype=np.float64).reshape(4, 6)
    arrays = {"fortran": np.asfortranarray(base), "strided": base[::2, ::3], "big": base.astype(">f4"),
              "half": base.astype(np.float16), "complex": base.astype(np.complex64) * 1j,
              "u8": np.uint8([255])}
    write_model_file(tmp_path / "m", {}, arrays, kind="x")
    _, loaded = read_model_file(tmp_path / "m")
    for name, array in arrays.items():
        assert loaded[name].dtype == array.dtype and np.array_equal(loaded[name], array), name


def test_same_model_gives_same_bytes_and_numpy_can_read_it(tmp_path):
    for name in ("a", "b"):
        write_model_file(tmp_path / name, HEADER, make_arrays(), kind="network")
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    with np.load(tmp_path / "a", allow_pickle=False) as npz:
        assert same_array(npz["layers.0.weights"], make_arrays()["layers.0.weights"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=("Cs",))),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)
dtypes = st.sampled_from(["<f4", "<f8", "<i8", "|b1", "<f2", "|u1", ">i4", "<c16"]).map(np.dtype)
array_strategy = dtypes.flatmap(
    lambda dtype: hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
                             elements=hnp.from_dtype(dtype, allow_nan=False, allow_infinity=False)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.dictionaries(st.text(max_size=8).filter(lambda k: k not in RESERVED_KEYS), json_values,
                              max_size=4),
       arrays=st.dictionaries(st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,12}", fullmatch=True),
                              array_strategy, max_size=4))
def test_round_trip_property(tmp_path, header, arrays):
    write_model_file(tmp_path / "p.glassnet", header, arrays, kind="network")
    found_header, found_arrays = read_model_file(tmp_path / "p.glassnet", kind="network")
    assert caller_part(found_header) == header
    assert same_arrays(found_arrays, arrays)


# ------------------------------------------------------------------------------------- refused on write

@pytest.mark.parametrize(("header", "named"), [
    ({"loss": float("nan")}, "header['loss']"),
    ({"training": {"loss": [0.5, float("inf")]}}, "header['training']['loss'][1]"),
    ({"training": {"loss": [np.float32(0.5)]}}, "numpy.float32"),
    ({"sizes": (3, 4)}, "header['sizes'] is a tuple"),
    ({"classes": np.array([1, 2])}, "header['classes']"),
    ({"tags": {"a"}}, "header['tags'] is a set"),
    ({"map": {1: "a"}}, "header['map'] has the key 1"),
    ({3: "x"}, "header has the key 3"),
    ({"kind": "network"}, "reserved"),
    ({"arrays": {}}, "reserved"),
    ({"name": "\ud800"}, "not valid Unicode"),
    ({"blob": "x" * (1 << 20)}, "byte limit"),
    ({"seed": 10**5000}, "cannot be written as JSON"),
])
def test_write_refuses_non_json_headers(tmp_path, header, named):
    with pytest.raises(ModelFileError, match="cannot write") as info:
        write_model_file(tmp_path / "m.glassnet", header, {}, kind="network")
    assert named in str(info.value) and str(tmp_path / "m.glassnet") in str(info.value)
    assert list(tmp_path.iterdir()) == []   # nothing touched the disk


def test_write_refuses_self_containing_header(tmp_path):
    loop: list = []
    loop.append(loop)
    with pytest.raises(ModelFileError, match="nested too deeply"):
        write_model_file(tmp_path / "m", {"loop": loop}, {}, kind="network")


@pytest.mark.parametrize(("arrays", "named"), [
    ({"w": np.array([object()], dtype=object)}, "'w' has dtype object"),
    ({"w": np.array(["a", "b"])}, "'w' has dtype <U1"),
    ({"w": np.array(["2020-01-01"], dtype="datetime64[D]")}, "'w' has dtype datetime64"),
    ({"w": np.zeros(2, dtype=[("a", "f4")])}, "'w' has dtype"),
    ({"w": np.array([1.0, np.nan], dtype=np.float32)}, "'w' holds NaN"),
    ({"w": np.array([np.inf])}, "'w' holds NaN or infinite"),
    ({"": np.zeros(1)}, "array name ''"),
    ({"../w": np.zeros(1)}, "array name '../w'"),
    ({"a/b": np.zeros(1)}, "array name 'a/b'"),
    ({7: np.zeros(1)}, "array name 7"),
])
def test_write_refuses_bad_arrays(tmp_path, arrays, named):
    with pytest.raises(ModelFileError) as info:
        write_model_file(tmp_path / "m.glassnet", {}, arrays, kind="network")
    assert named in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("header", "arrays", "kind"), [
    ({}, {}, ""), ({}, {}, None), ([], {}, "network"), ({}, [np.zeros(1)], "network")])
def test_write_refuses_bad_arguments(tmp_path, header, arrays, kind):
    with pytest.raises(ModelFileError):
        write_model_file(tmp_path / "m", header, arrays, kind=kind)


def test_write_into_missing_folder_is_a_clear_error(tmp_path):
    target = tmp_path / "no" / "such" / "m.glassnet"
    with pytest.raises(ModelFileError, match="does not exist") as info:
        write_model_file(target, {}, {}, kind="network")
    assert str(target) in str(info.value)
    with pytest.raises(ModelFileError, match="does not exist"):
        atomic_write_bytes(target, b"data")


# ---------------------------------------------------------------------------------------- atomic writes

def test_overwrite_replaces_the_old_model(tmp_path):
    path = tmp_path / "m.glassnet"
    write_model_file(path, {"version": 1}, {"w": np.zeros(2)}, kind="network")
    write_model_file(path, {"version": 2}, {"w": np.ones(3)}, kind="network")
    header, arrays = read_model_file(path)
    assert header["version"] == 2 and same_array(arrays["w"], np.ones(3))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.glassnet"]


class Crash(Exception):
    """Stands in for a crash (power cut, kill, full disk) in the middle of saving."""


def crash_mid_array(monkeypatch):
    def half_then_crash(fp, array, **kwargs):
        fp.write(b"\x93NUMPY" + b"\0" * 100)
        raise Crash("crashed mid-write")
    monkeypatch.setattr(np.lib.format, "write_array", half_then_crash)


def crash_on_fsync(monkeypatch):
    def fail(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", fail)


def crash_on_replace(monkeypatch):
    def fail(src, dst):
        raise Crash("crashed before the rename")
    monkeypatch.setattr(os, "replace", fail)


@pytest.mark.parametrize("crash", [crash_mid_array, crash_on_fsync, crash_on_replace])
def test_a_crash_while_saving_keeps_the_old_file_and_leaves_no_temp_file(tmp_path, monkeypatch, crash):
    path = write_model_file(tmp_path / "m.glassnet", HEADER, make_arrays(), kind="network")
    before = path.read_bytes()
    crash(monkeypatch)
    with pytest.raises((Crash, ModelFileError)):
        write_model_file(path, {"new": True}, {"w": np.zeros((50, 50))}, kind="network")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.glassnet"]
    header, arrays = read_model_file(path, kind="network")
    assert caller_part(header) == HEADER and same_arrays(arrays, make_arrays())


def test_a_crash_on_first_save_leaves_nothing(tmp_path, monkeypatch):
    crash_mid_array(monkeypatch)
    with pytest.raises(Crash):
        write_model_file(tmp_path / "m.glassnet", {}, {"w": np.zeros(40)}, kind="network")
    assert list(tmp_path.iterdir()) == []


def test_os_errors_become_model_file_errors(tmp_path, monkeypatch):
    crash_on_fsync(monkeypatch)
    with pytest.raises(ModelFileError, match="No space left"):
        atomic_write_bytes(tmp_path / "out.csv", b"a,b\n")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_bytes(tmp_path):
    path = tmp_path / "out.csv"
    atomic_write_bytes(path, b"old")
    atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_saved_file_has_ordinary_permissions(tmp_path):
    (tmp_path / "plain").write_bytes(b"")
    write_model_file(tmp_path / "m", {}, {}, kind="network")
    assert (tmp_path / "m").stat().st_mode == (tmp_path / "plain").stat().st_mode


# ------------------------------------------------------------------------------------ refused on read

class Payload:
    """A pickle that creates a folder when unpickled: the tests check that it never is."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (os.mkdir, (self.target,))


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "empty"),
    (b"\x00" * 100, "not a zip"),
    (bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8)), "not a zip"),
    (b"architecture: 3-4-2\n", "not a zip"),
    (npy_bytes(np.zeros(3)), "not a zip"),
])
def test_read_refuses_non_zip_files(tmp_path, content, problem):
    path = tmp_path / "m.glassnet"
    path.write_bytes(content)
    assert problem in load_error(path)


def test_read_refuses_missing_files_and_folders(tmp_path):
    assert "no such file" in load_error(tmp_path / "absent.glassnet")
    assert "folder" in load_error(tmp_path) or sys.platform == "win32"


def test_read_never_unpickles(tmp_path):
    target = tmp_path / "pwned"
    path = tmp_path / "m.glassnet"
    path.write_bytes(pickle.dumps({"weights": Payload(str(target))}))
    load_error(path)
    for dtype in ("|O", "<f8"):   # an object .npy, whether or not the manifest admits it
        forge(path, {"format": "glassnet", "format_version": 1, "glassnet_version": "0", "kind": "network",
                     "arrays": {"w": {"dtype": dtype, "shape": [1]}}},
              {"w.npy": npy_bytes(np.array([Payload(str(target))], dtype=object), allow_pickle=True)})
        load_error(path)
    assert not target.exists()


def test_read_refuses_other_zips(tmp_path):
    path = tmp_path / "m.npz"
    np.savez(path, w=np.zeros(3))
    assert "no header.json" in load_error(path)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert "no header.json" in load_error(path)


def test_read_refuses_truncated_files(good):
    path, _, _ = good
    content = path.read_bytes()
    for length in [*range(0, len(content), 7), len(content) - 1]:
        path.write_bytes(content[:length])
        load_error(path)


def test_read_refuses_corrupted_array_data(good):
    path, _, _ = good
    content = bytearray(path.read_bytes())
    weights = make_arrays()["layers.1.weights"].tobytes()
    at = bytes(content).index(weights) + 13
    content[at] ^= 0x40
    path.write_bytes(bytes(content))
    assert "CRC" in load_error(path)


def central_entries(content: bytes) -> list[int]:
    """Offsets of the central-directory records of a zip."""
    offsets, at = [], content.find(b"PK\x01\x02")
    while at != -1:
        offsets.append(at)
        at = content.find(b"PK\x01\x02", at + 1)
    return offsets


def test_read_refuses_encrypted_and_oversized_members(good):
    path, _, _ = good
    content = path.read_bytes()
    first = central_entries(content)[0]
    encrypted = bytearray(content)
    encrypted[first + 8] |= 0x1
    path.write_bytes(bytes(encrypted))
    assert "encrypted" in load_error(path)
    huge = bytearray(content)   # both sizes claim a gigabyte: more than the file holds
    huge[first + 20:first + 28] = struct.pack("<II", 10**9, 10**9)
    path.write_bytes(bytes(huge))
    assert "declare" in load_error(path)


def test_read_refuses_zip_bombs(good):
    path, document, members = good
    forge(path, b" " * (64 << 20), members, compression=zipfile.ZIP_DEFLATED)
    assert "compressed" in load_error(path)
    forge(path, document, {**members, "layers.0.bias.npy": npy_bytes(np.zeros(1 << 22, np.float32))},
          compression=zipfile.ZIP_DEFLATED)
    assert "compressed" in load_error(path)
    forge(path, json.dumps(document).encode() + b" " * (1 << 20), members)
    assert "byte limit" in load_error(path)


def test_read_refuses_arrays_larger_than_the_file(good):
    path, document, members = good
    document["arrays"]["layers.0.weights"]["shape"] = [10**6, 10**6]
    forge(path, document, members)
    assert "needs 4000000000000 bytes" in load_error(path)


DELETE = object()


def edited(document: dict, path: tuple, value) -> dict:
    """A copy of ``document`` with the key at ``path`` set to ``value`` (or deleted); unchanged if absent."""
    copy = json.loads(json.dumps(document))
    node = copy
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        if value is DELETE:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value
    return copy


@pytest.mark.parametrize(("where", "value", "problem"), [
    (("format",), "numpy", "format is 'numpy'"),
    (("format",), DELETE, "format is None"),
    (("format_version",), 0, "format_version 0"),
    (("format_version",), "1", "format_version '1'"),
    (("format_version",), 1.0, "format_version 1.0"),
    (("format_version",), True, "format_version True"),
    (("glassnet_version",), DELETE, "glassnet_version"),
    (("kind",), DELETE, "kind None"),
    (("kind",), "", "kind ''"),
    (("kind",), "MLPRegressor", "holds a 'MLPRegressor', not a 'network'"),
    (("arrays",), DELETE, "manifest"),
    (("arrays",), [], "manifest"),
    (("arrays", "mask"), DELETE, "does not list: ['mask.npy']"),
    (("arrays", "extra"), {"dtype": "<f4", "shape": [1]}, "missing: ['extra.npy']"),
    (("arrays", "../extra"), {"dtype": "<f4", "shape": [1]}, "invalid array name"),
    (("arrays", "mask", "order"), "C", "exactly"),
    (("arrays", "mask", "dtype"), "|O", "unsupported dtype '|O'"),
    (("arrays", "mask", "dtype"), "<U1", "unsupported dtype"),
    (("arrays", "mask", "dtype"), "|u1", "manifest says uint8"),
    (("arrays", "mask", "dtype"), 1, "unsupported dtype 1"),
    (("arrays", "layers.0.weights", "dtype"), "<i4", "manifest says int32"),
    (("arrays", "layers.0.weights", "dtype"), ">f4", "manifest says >f4"),
    (("arrays", "layers.0.weights", "shape"), [4, 3], "shape (4, 3)"),
    (("arrays", "layers.0.weights", "shape"), [3, 5000], "stored in 176 bytes"),
    (("arrays", "layers.0.weights", "shape"), [-3, -4], "invalid shape"),
    (("arrays", "layers.0.weights", "shape"), [3.0, 4], "invalid shape"),
    (("arrays", "layers.0.weights", "shape"), [1] * 65, "invalid shape"),
    (("arrays", "layers.0.weights", "shape"), 12, "invalid shape"),
])
def test_read_refuses_edited_headers(good, where, value, problem):
    path, document, members = good
    forge(path, edited(document, where, value), members)
    assert problem in load_error(path, kind="network")


def test_newer_format_versions_are_named(good):
    path, document, members = good
    forge(path, edited(document, ("format_version",), FORMAT_VERSION + 1), members)
    message = load_error(path)
    assert f"format version {FORMAT_VERSION + 1}" in message
    assert f"reads format version {FORMAT_VERSION}" in message


@pytest.mark.parametrize(("header", "problem"), [
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"format": "glassnet"', "not valid JSON"),
    (b"[1, 2]", "JSON list, not an object"),
    (b'{"format": "glassnet", "format": "glassnet"}', "repeats a key"),
    (b'{"loss": NaN}', "NaN is not strict JSON"),
    (b'{"loss": -Infinity}', "not strict JSON"),
    (b"[" * 100_000, "not valid JSON"),
    (b'{"n": ' + b"9" * 10_000 + b"}", "not valid JSON"),
])
def test_read_refuses_malformed_header_json(good, header, problem):
    path, _, members = good
    forge(path, header, members)
    assert problem in load_error(path)


def test_read_refuses_member_problems(good):
    path, document, members = good
    forge(path, document, {**members, "notes.txt": b"hi"})
    assert "does not list: ['notes.txt']" in load_error(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # zipfile warns about the duplicate name it is asked to write
        forge(path, document, members)
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("mask.npy", members["mask.npy"])
    assert "appears twice" in load_error(path)


@pytest.mark.parametrize(("member", "problem"), [
    (npy_bytes(np.array([[1.0, np.nan, 0.0], [0.0, 0.0, 0.0]], dtype=np.float32)), "NaN or infinite"),
    (npy_bytes(np.full((2, 3), np.inf, dtype=np.float32)), "NaN or infinite"),
    (npy_bytes(np.zeros((2, 3), dtype=">f4")), "manifest says float32"),
    (npy_bytes(np.zeros((3, 2), dtype=np.float32)), "shape (3, 2)"),
    (npy_bytes(np.zeros((2, 3), dtype=np.float32)) + b"\0" * 8, "do not add up"),
    (b"\x93NUMPY\x03\x00" + npy_bytes(np.zeros((2, 3), dtype=np.float32))[8:], "unsupported .npy version"),
    (b"PK" + npy_bytes(np.zeros((2, 3), dtype=np.float32))[2:], "damaged"),
    (npy_bytes(np.zeros((2, 3), dtype=np.float32)).replace(b"'descr'", b"'descX'"), "damaged"),
])
def test_read_refuses_bad_array_members(good, member, problem):
    path, document, members = good
    document["arrays"]["bad"] = {"dtype": "<f4", "shape": [2, 3]}
    forge(path, document, {**members, "bad.npy": member})
    assert problem in load_error(path)


# ----------------------------------------------------------------------------------------------- fuzz

EDIT_PATHS = [("format",), ("format_version",), ("kind",), ("arrays",), ("arrays", "mask"),
              ("arrays", "extra"), ("arrays", "layers.0.weights", "shape"),
              ("arrays", "layers.0.weights", "dtype"),
              ("arrays", "mask", "dtype"), ("arrays", "scalar", "shape"), ("arrays", "empty", "shape")]
edit_values = st.one_of(
    st.just(DELETE), st.none(), st.booleans(), st.integers(-3, 2**70), st.floats(allow_nan=False),
    st.text(max_size=6), st.lists(st.integers(-2, 10**7), max_size=4),
    st.sampled_from(["<f4", "<f8", ">f4", "<i4", "<i8", "|b1", "|u1", "|O", "<U3", "network", "glassnet"]),
    st.fixed_dictionaries({"dtype": st.sampled_from(["<f4", "|b1"]), "shape": st.lists(st.integers(0, 4))}),
)
byte_ops = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1, exclude_max=True), st.integers(1, 255)),
    st.tuples(st.just("truncate"), st.floats(0, 1, exclude_max=True)),
    st.tuples(st.just("append"), st.binary(min_size=1, max_size=40)),
)


# Bytes changed inside an array's .npy header (its first 128 bytes), the zip's CRC made valid again.
npy_edits = st.tuples(st.sampled_from([name + ".npy" for name in make_arrays()]), st.integers(0, 127),
                      st.integers(0, 255) | st.sampled_from(b"0123456789,()[]{}'\"<>|:fiubcTFNL "))


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory):
    """A path for fuzz examples to overwrite, and the bytes of a valid model file (written once)."""
    path = tmp_path_factory.mktemp("fuzz") / "m.glassnet"
    return path, write_model_file(path, HEADER, make_arrays(), kind="network").read_bytes()


@settings(max_examples=200, deadline=None)
@given(edits=st.lists(st.tuples(st.sampled_from(EDIT_PATHS), edit_values), max_size=2),
       npy=st.lists(npy_edits, max_size=2), ops=st.lists(byte_ops, max_size=3))
def test_fuzz_any_damage_gives_the_model_or_a_model_file_error(fuzz_file, edits, npy, ops):
    """Edited header values, edited .npy headers, flipped bytes, truncation, junk: the model or an error."""
    path, pristine = fuzz_file
    path.write_bytes(pristine)
    if edits or npy:
        members = members_of(path)
        document = json.loads(members.pop("header.json"))
        for where, value in edits:
            document = edited(document, where, value)
        for member, at, byte in npy:
            members[member] = members[member][:at] + bytes([byte]) + members[member][at + 1:]
        forge(path, document, members)
    content = bytearray(path.read_bytes())
    for op in ops:
        if op[0] == "flip" and content:
            content[int(op[1] * len(content))] ^= op[2]
        elif op[0] == "truncate":
            content = content[:int(op[1] * len(content))]
        elif op[0] == "append":
            content += op[1]
    path.write_bytes(bytes(content))
    try:
        header, arrays = read_model_file(path, kind="network")
    except ModelFileError:
        return
    assert caller_part(header) == HEADER and same_arrays(arrays, make_arrays())
    assert header["format_version"] == FORMAT_VERSION and header["kind"] == "network"


def test_module_imports_only_the_lowest_rooms_of_glassnet():
    source = open(modelfile.__file__, encoding="utf-8").read()
    imports = [line for line in source.splitlines()
               if line.startswith(("import ", "from ")) and "glassnet" in line]
    assert imports == [
        "from glassnet.errors import ModelFileError",
        "from glassnet.fileio import NotRegularFileError, atomic_file, check_path, open_regular",
        "from glassnet.fileio import atomic_write_bytes as _atomic_bytes",
    ]


# -- the random generator's state -------------------------------------------------------------------------
def test_rng_state_codec_gives_back_a_generator_that_draws_the_same_numbers():
    from glassnet.randomness import rng_state_from_json, rng_state_to_json

    rng = np.random.default_rng(12345)
    rng.random(3)
    rng.integers(0, 10, dtype=np.uint32)  # leaves a buffered 32-bit half (has_uint32 = 1)
    text = json.loads(json.dumps(rng_state_to_json(rng.bit_generator.state)))
    assert isinstance(text["state"]["state"], str)  # 128-bit integers as text, for 64-bit JSON readers
    twin = np.random.default_rng()
    twin.bit_generator.state = rng_state_from_json(text)
    assert np.array_equal(twin.integers(0, 2**32, 5, dtype=np.uint32), rng.integers(0, 2**32, 5, dtype=np.uint32))
    assert np.array_equal(twin.random(4), rng.random(4))
    # the integers may also be JSON numbers, as glassnet 0.1's checkpoints stored them
    assert rng_state_from_json(rng.bit_generator.state) == rng.bit_generator.state


@pytest.mark.parametrize("edit, problem", [
    (lambda s: s.update(bit_generator="MT19937"), "random generator"),
    (lambda s: s.pop("state"), "lacks"),
    (lambda s: s["state"].update(state="-1"), "not valid"),
    (lambda s: s["state"].update(inc=2.5), "not valid"),
    (lambda s: s.update(uinteger=str(2**32)), "not valid"),
    (lambda s: s.update(has_uint32=True), "not valid"),
    (lambda s: s.pop("uinteger"), "not valid"),
])
def test_rng_state_codec_refuses_damaged_states(edit, problem):
    from glassnet.randomness import rng_state_from_json, rng_state_to_json

    spec = rng_state_to_json(np.random.default_rng(1).bit_generator.state)
    edit(spec)
    with pytest.raises(ValueError, match=problem):
        rng_state_from_json(spec)
