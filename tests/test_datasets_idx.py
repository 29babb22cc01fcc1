"""IDX files and the MNIST family, on tiny files made here; nothing touches the network."""

from __future__ import annotations

import dataclasses
import gzip
import os
import struct
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassnet.datasets import (
    DatasetError,
    MissingExtraError,
    cache_dir,
    find_dataset_files,
    load,
    load_fashion_mnist,
    load_idx_dataset,
    load_mnist,
    read_idx,
    search_dirs,
    write_idx,
)
from glassnet.datasets import idx as idx_module

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
REAL_FASHION = idx_module.IDX_SETS["fashion-mnist"]  # read before the fixture below swaps it
STEMS = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No test sees the real cache, $GLASSNET_DATA or an installed Debian package."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("GLASSNET_DATA", raising=False)
    spec = idx_module.IDX_SETS["fashion-mnist"]
    system = tmp_path / "usr-share-datasets" / "fashion-mnist"
    monkeypatch.setitem(
        idx_module.IDX_SETS, "fashion-mnist", dataclasses.replace(spec, system_dirs=(str(system),))
    )
    return tmp_path


def _raw(code: int, shape: tuple[int, ...], payload: bytes) -> bytes:
    header = bytes([0, 0, code, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape)
    return header + payload


def _tiny_set(folder: Path, n_train=6, n_test=4, rows=4, cols=3, gz=True, seed=0) -> dict[str, np.ndarray]:
    """Write a miniature MNIST-like set (images rows x cols) into folder; return what was written."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        STEMS[0]: rng.integers(0, 256, size=(n_train, rows, cols), dtype=np.uint8),
        STEMS[1]: rng.integers(0, 10, size=n_train, dtype=np.uint8),
        STEMS[2]: rng.integers(0, 256, size=(n_test, rows, cols), dtype=np.uint8),
        STEMS[3]: rng.integers(0, 10, size=n_test, dtype=np.uint8),
    }
    for stem, array in arrays.items():
        write_idx(folder / (stem + (".gz" if gz else "")), array)
    return arrays


# --- read_idx / write_idx -----------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip(tmp_path, dtype, suffix):
    array = (np.arange(24).reshape(2, 3, 4) - 7).astype(dtype)
    path = write_idx(tmp_path / f"a.idx{suffix}", array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    np.testing.assert_array_equal(back, array)
    back[0, 0, 0] = 1  # a writable array of its own


@settings(max_examples=30, deadline=None)
@given(
    dtype=st.sampled_from(DTYPES),
    shape=st.lists(st.integers(0, 4), min_size=1, max_size=4).map(tuple),
    compress=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_round_trip_any_shape(tmp_path_factory, dtype, shape, compress, seed):
    rng = np.random.default_rng(seed)
    array = (rng.standard_normal(shape) * 50).astype(dtype)
    path = tmp_path_factory.mktemp("idx") / ("x.gz" if compress else "x")
    np.testing.assert_array_equal(read_idx(write_idx(path, array)), array)


def test_the_file_matches_the_spec_byte_for_byte(tmp_path):
    path = write_idx(tmp_path / "labels", np.array([1, 2, 3], dtype=np.int16))
    assert path.read_bytes() == bytes([0, 0, 0x0B, 1, 0, 0, 0, 3, 0, 1, 0, 2, 0, 3])
    path = write_idx(tmp_path / "f", np.array([[1.5]], dtype=np.float32))
    assert path.read_bytes()[:12] == bytes([0, 0, 0x0D, 2, 0, 0, 0, 1, 0, 0, 0, 1])
    assert read_idx(path).tolist() == [[1.5]]


# Files built by hand from the format's description (type code, big-endian dimensions, big-endian values),
# with struct, so that reading is checked apart from write_idx.
HAND_MADE = {
    0x08: ("B", [0, 7, 255, 128, 1, 2], np.uint8),
    0x09: ("b", [-128, -1, 0, 1, 64, 127], np.int8),
    0x0B: ("h", [-32768, -2, 0, 3, 1000, 32767], np.int16),
    0x0C: ("i", [-(2**31), -5, 0, 6, 70000, 2**31 - 1], np.int32),
    0x0D: ("f", [-1.5, 0.0, 0.25, 3.0e38, -1e-30, 7.0], np.float32),
    0x0E: ("d", [-1.5, 0.0, 0.1, 1e308, -5e-324, 2.0**-40], np.float64),
}


@pytest.mark.parametrize("code", list(HAND_MADE), ids=lambda c: f"0x{c:02x}")
def test_reads_a_file_built_by_hand_from_the_format(tmp_path, code):
    fmt, values, dtype = HAND_MADE[code]
    path = tmp_path / "hand-made"
    path.write_bytes(_raw(code, (2, 3), struct.pack(f">{len(values)}{fmt}", *values)))
    array = read_idx(path)
    assert array.dtype == np.dtype(dtype) and array.shape == (2, 3)
    assert array.tolist() == np.array(values, dtype=dtype).reshape(2, 3).tolist()


def test_gzip_is_told_by_magic_bytes_not_by_name(tmp_path):
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    raw_named_gz = tmp_path / "raw.gz"
    raw_named_gz.write_bytes(_raw(0x08, (2, 3), array.tobytes()))
    gz_named_raw = tmp_path / "compressed-idx3-ubyte"
    gz_named_raw.write_bytes(gzip.compress(_raw(0x08, (2, 3), array.tobytes())))
    np.testing.assert_array_equal(read_idx(raw_named_gz), array)
    np.testing.assert_array_equal(read_idx(gz_named_raw), array)


def test_writing_gzip_is_deterministic(tmp_path):
    array = np.arange(10, dtype=np.uint8)
    a = write_idx(tmp_path / "a.gz", array).read_bytes()
    b = write_idx(tmp_path / "b.gz", array).read_bytes()
    assert a == b and a[:2] == b"\x1f\x8b"


CORRUPT = {
    "empty": (b"", "too short"),
    "bad magic": (b"\x1f\x00\x08\x01\x00\x00\x00\x01\x05", "not an IDX file"),
    "text file": (b"label,pixel\n1,2\n", "not an IDX file"),
    "unknown type code": (_raw(0x0A, (1,), b"\x00"), "unknown IDX type code 0x0a"),
    "zero dimensions": (bytes([0, 0, 8, 0]), "0 dimensions"),
    "truncated header": (bytes([0, 0, 8, 3, 0, 0, 0, 2]), "truncated header"),
    "dims larger than the data": (_raw(0x08, (2, 28, 28), bytes(784)), "truncated"),
    "huge dims": (_raw(0x0C, (2**32 - 1, 2**32 - 1), bytes(16)), "truncated"),
    "truncated payload": (_raw(0x0C, (3,), bytes(11)), "truncated"),
    "trailing bytes": (_raw(0x08, (2, 2), bytes(5)), "1 trailing bytes"),
}


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("case", list(CORRUPT))
def test_corrupt_files_give_clear_errors_naming_the_file(tmp_path, case, compress):
    content, words = CORRUPT[case]
    path = tmp_path / "broken-idx-file"
    path.write_bytes(gzip.compress(content) if compress else content)
    with pytest.raises(DatasetError, match=words) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_payload_size_message_gives_both_sizes(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(_raw(0x08, (2, 3), bytes(5)))
    with pytest.raises(DatasetError, match=r"shape \(2, 3\) of uint8, 6 bytes of data.*but 5 bytes follow"):
        read_idx(path)


def test_damaged_gzip_stream(tmp_path):
    whole = gzip.compress(_raw(0x08, (100,), bytes(range(100))))
    path = tmp_path / "cut.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DatasetError, match="damaged gzip data") as info:
        read_idx(path)
    assert str(path) in str(info.value)
    path.write_bytes(whole[:10] + b"\xff" * 20 + whole[30:])
    with pytest.raises(DatasetError, match="damaged gzip data"):
        read_idx(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        read_idx(tmp_path / "nothing")
    with pytest.raises(DatasetError, match="could not be read"):
        read_idx(tmp_path)


@pytest.mark.parametrize("array", [np.zeros(3, dtype=bool), np.zeros(3, dtype=np.complex64), np.array(5)])
def test_write_idx_refuses_what_idx_cannot_hold(tmp_path, array):
    with pytest.raises(DatasetError, match="IDX files hold"):
        write_idx(tmp_path / "x", array)


def test_write_idx_converts_byte_order(tmp_path):
    array = np.array([1, 256, -2], dtype=">i4")
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "x", array)), [1, 256, -2])


# --- finding the files --------------------------------------------------------------------------------


def test_search_order(isolated, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(isolated / "data"))
    dirs = search_dirs("fashion-mnist", data_dir=isolated / "mine")
    assert dirs == [
        isolated / "mine",
        isolated / "mine" / "fashion-mnist",
        isolated / "data" / "fashion-mnist",
        isolated / "cache" / "glassnet" / "fashion-mnist",
        isolated / "usr-share-datasets" / "fashion-mnist",
    ]
    assert search_dirs("mnist") == [isolated / "data" / "mnist", isolated / "cache" / "glassnet" / "mnist"]


def test_debian_location_is_known():
    assert REAL_FASHION.system_dirs == ("/usr/share/datasets/fashion-mnist",)
    assert REAL_FASHION.system_package == "dataset-fashion-mnist"


def test_cache_dir_follows_xdg(isolated, monkeypatch):
    assert cache_dir() == isolated / "cache" / "glassnet"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the XDG spec says: ignore relative paths
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(isolated / "home"))
    assert cache_dir() == isolated / "home" / ".cache" / "glassnet"


def test_find_reports_each_file_and_the_first_place_wins(isolated, monkeypatch):
    assert find_dataset_files("mnist") == dict.fromkeys(STEMS)
    _tiny_set(isolated / "cache" / "glassnet" / "mnist")
    monkeypatch.setenv("GLASSNET_DATA", str(isolated / "data"))
    first = isolated / "data" / "mnist"
    first.mkdir(parents=True)
    write_idx(first / "train-images-idx3-ubyte", np.zeros((1, 2, 2), dtype=np.uint8))
    found = find_dataset_files("MNIST")
    assert found[STEMS[0]] == first / "train-images-idx3-ubyte"
    assert found[STEMS[1]] == isolated / "cache" / "glassnet" / "mnist" / "train-labels-idx1-ubyte.gz"


def test_dotted_names_and_raw_before_gzip(isolated):
    folder = isolated / "mine"
    folder.mkdir()
    write_idx(folder / "train-images.idx3-ubyte", np.zeros((1, 2, 2), dtype=np.uint8))
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(1, dtype=np.uint8))
    write_idx(folder / "train-labels-idx1-ubyte", np.zeros(1, dtype=np.uint8))
    found = find_dataset_files("mnist", data_dir=folder)
    assert found[STEMS[0]] == folder / "train-images.idx3-ubyte"
    assert found[STEMS[1]] == folder / "train-labels-idx1-ubyte"


def test_unknown_set_name():
    with pytest.raises(DatasetError, match="known: mnist, fashion-mnist"):
        find_dataset_files("cifar")


# --- loading ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
def test_load_from_data_dir(isolated, gz):
    written = _tiny_set(isolated / "mine", gz=gz)
    train, test = load_mnist(data_dir=isolated / "mine")
    assert train.X.shape == (6, 12) and test.X.shape == (4, 12)
    assert train.X.dtype == np.float32 and 0.0 <= train.X.min() and train.X.max() <= 1.0
    np.testing.assert_allclose(train.X * 255, written[STEMS[0]].reshape(6, 12), atol=1e-4)
    np.testing.assert_array_equal(test.y, written[STEMS[3]])
    assert train.y.dtype == np.int64
    assert train.image_shape == (4, 3) and train.feature_names[:2] == ("pixel_0_0", "pixel_0_1")
    assert train.target_names == tuple("0123456789") and train.task == "classification"
    assert "train split" in train.description and "test split" in test.description


def test_scale_false_keeps_raw_pixels(isolated):
    written = _tiny_set(isolated / "cache" / "glassnet" / "fashion-mnist")
    train, _ = load_fashion_mnist(scale=False)
    assert train.X.dtype == np.uint8
    np.testing.assert_array_equal(train.X, written[STEMS[0]].reshape(6, -1))
    assert train.target_names[0] == "T-shirt/top" and train.target_names[9] == "Ankle boot"


def test_debian_folder_is_searched_last(isolated):
    _tiny_set(isolated / "usr-share-datasets" / "fashion-mnist", seed=1)
    debian = load_idx_dataset("fashion-mnist", "test")
    _tiny_set(isolated / "cache" / "glassnet" / "fashion-mnist", seed=2)
    cached = load_idx_dataset("fashion-mnist", "test")
    assert not np.array_equal(debian.X, cached.X)


def test_glassnet_data_holds_one_folder_per_set(isolated, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(isolated / "data"))
    _tiny_set(isolated / "data" / "mnist")
    assert load("mnist", split="test").n_samples == 4
    assert load("mnist").n_samples == 6
    with pytest.raises(DatasetError, match="could not find"):
        load("fashion_mnist")


def test_only_the_requested_split_is_needed(isolated):
    folder = isolated / "mine"
    written = _tiny_set(folder)
    (folder / "train-images-idx3-ubyte.gz").unlink()
    test = load_idx_dataset("mnist", "test", folder)
    np.testing.assert_array_equal(test.y, written[STEMS[3]])
    with pytest.raises(DatasetError, match="could not find train-images-idx3-ubyte"):
        load_idx_dataset("mnist", "train", folder)


def test_missing_files_say_where_to_put_them(isolated):
    with pytest.raises(DatasetError) as info:
        load_fashion_mnist(data_dir=isolated / "mine")
    message = str(info.value)
    for place in search_dirs("fashion-mnist", isolated / "mine"):
        assert str(place) in message
    assert "train-images-idx3-ubyte.gz" in message and "$GLASSNET_DATA" in message
    assert "download=True" in message and 'pip install "glassnet[data]"' in message
    assert "apt install dataset-fashion-mnist" in message


def test_bad_split_name(isolated):
    with pytest.raises(ValueError, match="split must be one of 'train', 'test'"):
        load_idx_dataset("mnist", "validation")


def test_mismatched_files_are_refused(isolated):
    folder = isolated / "mine"
    _tiny_set(folder)
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.zeros(3, dtype=np.uint8))
    with pytest.raises(DatasetError, match="holds 4 images but .* holds 3 labels"):
        load_idx_dataset("mnist", "test", folder)
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.full(4, 10, dtype=np.uint8))
    with pytest.raises(DatasetError, match="label 10 is not one of mnist's classes"):
        load_idx_dataset("mnist", "test", folder)
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.zeros((4, 1), dtype=np.uint8))
    with pytest.raises(DatasetError, match="expected uint8 labels"):
        load_idx_dataset("mnist", "test", folder)
    write_idx(folder / "t10k-images-idx3-ubyte.gz", np.zeros((4, 9), dtype=np.uint8))
    with pytest.raises(DatasetError, match="expected uint8 images"):
        load_idx_dataset("mnist", "test", folder)


def test_a_corrupt_file_on_disk_names_itself(isolated):
    folder = isolated / "mine"
    _tiny_set(folder)
    bad = folder / "t10k-images-idx3-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:-12])
    with pytest.raises(DatasetError, match="t10k-images-idx3-ubyte.gz"):
        load_idx_dataset("mnist", "test", folder)


# --- downloading (with a stand-in for pooch: no network) ----------------------------------------------


class FakePooch:
    """Records pooch.retrieve calls and writes a tiny file instead of downloading."""

    def __init__(self, fail_urls: tuple[str, ...] = ()):
        self.calls: list[dict] = []
        self.fail_urls = fail_urls

    def module(self) -> types.ModuleType:
        module = types.ModuleType("pooch")
        module.retrieve = self.retrieve
        return module

    def retrieve(self, url, known_hash, fname, path, progressbar):
        self.calls.append(dict(url=url, known_hash=known_hash, fname=fname, path=Path(path)))
        if any(url.startswith(prefix) for prefix in self.fail_urls):
            raise ConnectionError(f"cannot reach {url}")
        Path(path).mkdir(parents=True, exist_ok=True)
        images = "images" in fname
        array = np.full((2, 3, 3), 255, dtype=np.uint8) if images else np.array([3, 7], dtype=np.uint8)
        return str(write_idx(Path(path) / fname, array))


def test_download_fetches_missing_files_into_the_cache_with_checksums(isolated, monkeypatch):
    fake = FakePooch()
    monkeypatch.setitem(sys.modules, "pooch", fake.module())
    train, test = load_fashion_mnist(download=True)
    assert train.X.shape == (2, 9) and np.all(train.X == 1.0) and test.y.tolist() == [3, 7]
    published = dict(idx_module.IDX_SETS["fashion-mnist"].md5)
    assert [c["fname"] for c in fake.calls] == [s + ".gz" for s in STEMS]
    for call in fake.calls:
        assert call["known_hash"] == "md5:" + published[call["fname"]]
        assert call["url"].startswith("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")
        assert call["path"] == isolated / "cache" / "glassnet" / "fashion-mnist"
    load_fashion_mnist(download=True)  # now on disk: nothing more to fetch
    assert len(fake.calls) == 4


def test_download_goes_to_data_dir_when_given(isolated, monkeypatch):
    fake = FakePooch()
    monkeypatch.setitem(sys.modules, "pooch", fake.module())
    load_idx_dataset("mnist", "test", isolated / "mine", download=True)
    assert {c["path"] for c in fake.calls} == {isolated / "mine"}
    assert fake.calls[0]["known_hash"] == "md5:9fb629c4189551a2d022fa330f9573f3"


def test_download_tries_the_next_mirror(isolated, monkeypatch):
    spec = idx_module.IDX_SETS["mnist"]
    fake = FakePooch(fail_urls=(spec.mirrors[0],))
    monkeypatch.setitem(sys.modules, "pooch", fake.module())
    assert load_idx_dataset("mnist", "test", download=True).n_samples == 2
    assert [c["url"].startswith(spec.mirrors[1]) for c in fake.calls] == [False, True, False, True]


def test_failed_download_says_where_to_put_the_file(isolated, monkeypatch):
    spec = idx_module.IDX_SETS["mnist"]
    monkeypatch.setitem(sys.modules, "pooch", FakePooch(fail_urls=spec.mirrors).module())
    with pytest.raises(DatasetError) as info:
        load_mnist(download=True)
    message = str(info.value)
    assert "could not download mnist's train-images-idx3-ubyte.gz" in message
    assert all(m + "train-images-idx3-ubyte.gz" in message for m in spec.mirrors)
    assert "ConnectionError" in message and "f68b3c2dcbeaaa9fbdd348bbdeb94873" in message
    assert str(isolated / "cache" / "glassnet" / "mnist") in message


def test_download_without_pooch_names_the_extra(isolated, monkeypatch):
    monkeypatch.setitem(sys.modules, "pooch", None)  # makes `import pooch` fail
    with pytest.raises(MissingExtraError, match=r'pip install "glassnet\[data\]"') as info:
        load_mnist(download=True)
    assert isinstance(info.value, ImportError)


def test_published_checksums_are_all_there():
    for spec in idx_module.IDX_SETS.values():
        md5 = dict(spec.md5)
        assert sorted(md5) == sorted(s + ".gz" for s in STEMS)
        assert all(len(v) == 32 and int(v, 16) >= 0 for v in md5.values())


# -- the size guard and regular files only (issue 17) ---------------------------------------------------------
def test_a_gzip_idx_that_expands_past_the_limit_is_refused_without_expanding(tmp_path):
    import tracemalloc

    from glassnet.datasets.idx import read_idx, write_idx

    path = write_idx(tmp_path / "bomb-idx3-ubyte.gz", np.zeros((2000, 100, 100), dtype=np.uint8))  # 20 MB
    assert path.stat().st_size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(DatasetError, match="its decompressed data \\(at least\\) is 1 MiB, over the 1 MiB"):
            read_idx(path, max_bytes="1M")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 6 << 20
    assert read_idx(path).shape == (2000, 100, 100)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_reading_an_idx_named_pipe_is_refused_not_waited_on(tmp_path):
    import subprocess

    fifo = tmp_path / "train-images-idx3-ubyte"
    os.mkfifo(fifo)
    code = ("import sys\nfrom glassnet.datasets.idx import read_idx\nfrom glassnet.errors import GlassnetError\n"
            "try:\n    read_idx(sys.argv[1])\nexcept GlassnetError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "named pipe (FIFO), not a regular file" in done.stdout
