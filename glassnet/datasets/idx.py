"""The MNIST family: read and write IDX files, find them on disk, download and verify them.

IDX is the file format of MNIST and Fashion-MNIST: a 4-byte magic number ``0x00 0x00 TYPE NDIM``, then
NDIM big-endian uint32 dimensions, then the values, big-endian, row-major. The files usually come
gzip-compressed; :func:`read_idx` tells by the first bytes, not by the file name.

Where the files are looked for, in this order (see :func:`search_dirs`):

1. ``data_dir``, and ``data_dir/<name>``, when given;
2. ``$GLASSNET_DATA/<name>``, when that variable is set;
3. the user cache, ``$XDG_CACHE_HOME/glassnet/<name>`` (by default ``~/.cache/glassnet/<name>``;
   ``~/Library/Caches/glassnet/<name>`` on macOS, ``%LOCALAPPDATA%\\glassnet\\<name>`` on Windows);
4. where a system package puts them: Debian's ``dataset-fashion-mnist`` installs Fashion-MNIST in
   ``/usr/share/datasets/fashion-mnist``.

Each file may be named ``train-images-idx3-ubyte`` or ``train-images-idx3-ubyte.gz`` (likewise
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``), or with a dot
before ``idx`` as some copies have (``train-images.idx3-ubyte``).
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import os
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..fileio import data_size_limit
from ..validation import check_choice
from .base import EXTRAS, Dataset, DatasetError, require

# IDX type code -> the big-endian numpy dtype of the values.
_IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_IDX_CODES = {dtype.newbyteorder("="): code for code, dtype in _IDX_DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path: str | os.PathLike, *, max_bytes: object = None) -> np.ndarray:
    """Read an IDX file, raw or gzip-compressed (told apart by its first bytes, not its name).

    Parameters
    ----------
    path : str or path-like
        The file.
    max_bytes : int or str, optional
        The largest file, and the most its gzip data may expand to (``"8G"``; default
        ``$GLASSNET_MAX_DATA_SIZE``, else 4 GiB); a larger one is refused before it is read in full.

    Returns
    -------
    ndarray
        A new, writable array in native byte order with the shape and dtype the header declares
        (uint8, int8, int16, int32, float32 or float64).

    Raises
    ------
    DatasetError
        If the file is missing or unreadable, its gzip stream is damaged, its magic number, type code
        or dimensions are wrong, or it holds fewer or more bytes of data than its header declares.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    if len(data) < 4:
        raise DatasetError(f"{path}: only {len(data)} bytes long, too short for the 4-byte IDX magic number")
    if data[0] != 0 or data[1] != 0:
        raise DatasetError(
            f"{path}: not an IDX file: it starts with bytes 0x{data[0]:02x} 0x{data[1]:02x}, but an IDX file "
            "starts with 0x00 0x00 (then the type code and the number of dimensions)"
        )
    code, ndim = data[2], data[3]
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02x} {t.name}" for c, t in _IDX_DTYPES.items())
        raise DatasetError(f"{path}: unknown IDX type code 0x{code:02x} in the magic number (known: {known})")
    if ndim == 0:
        raise DatasetError(f"{path}: the IDX magic number declares 0 dimensions; an IDX array has at least 1")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(
            f"{path}: truncated header: {ndim} dimensions need {header} header bytes; "
            f"the file has {len(data)}"
        )
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = _IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    payload = len(data) - header
    if payload != expected:
        problem = "truncated" if payload < expected else f"{payload - expected} trailing bytes"
        raise DatasetError(
            f"{path}: {problem}: its header declares shape {shape} of {dtype.name}, "
            f"{expected} bytes of data, "
            f"but {payload} bytes follow it; the file is damaged or incomplete, get it again"
        )
    array = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a copy: native byte order, writable


def _read_bytes(path: Path, max_bytes: object = None) -> bytes:
    """The file's bytes, decompressed if they start with the gzip magic number; a file, or its decompressed
    data, over the data-size limit (``max_bytes``, else $GLASSNET_MAX_DATA_SIZE, else 4 GiB) is refused without
    reading more than the limit. Only regular files are read (a named pipe is refused, never waited on)."""
    from ..fileio import NotRegularFileError, open_regular
    from .files import check_data_size

    limit = data_size_limit(max_bytes)
    try:
        with open_regular(path, "rb") as raw:
            check_data_size(path, os.fstat(raw.fileno()).st_size, limit)
            if raw.read(2) != _GZIP_MAGIC:
                raw.seek(0)
                return raw.read()
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw) as unzipped:
                data = unzipped.read(limit + 1)   # never more than the limit, whatever the stream expands to
            check_data_size(path, len(data), limit, "its decompressed data (at least)")
            return data
    except FileNotFoundError:
        raise DatasetError(f"{path}: no such file") from None
    except NotRegularFileError as exc:
        raise DatasetError(f"{path}: {exc.strerror}") from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DatasetError(
            f"{path}: damaged gzip data ({exc}); the file is incomplete, get it again"
        ) from None
    except OSError as exc:
        raise DatasetError(f"{path}: could not be read: {exc.strerror or exc}") from None


def write_idx(path: str | os.PathLike, array: np.ndarray) -> Path:
    """Write ``array`` as an IDX file, gzip-compressed when ``path`` ends in ``.gz``.

    Parameters
    ----------
    path : str or path-like
        Where to write; an existing file is replaced.
    array : array_like
        uint8, int8, int16, int32, float32 or float64 values, with 1 to 255 dimensions.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _IDX_CODES:
        kinds = ", ".join(t.name for t in _IDX_DTYPES.values())
        raise DatasetError(
            f"IDX files hold {kinds} values; convert the {array.dtype} array with .astype() first"
        )
    if not 1 <= array.ndim <= 255 or any(n >= 2**32 for n in array.shape):
        raise DatasetError(f"IDX files hold 1 to 255 dimensions each below 2**32; got shape {array.shape}")
    header = bytes([0, 0, _IDX_CODES[native], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    body = np.ascontiguousarray(array, dtype=_IDX_DTYPES[_IDX_CODES[native]]).tobytes()
    if path.name.endswith(".gz"):
        # No name and mtime=0 in the gzip header: the same array always gives the same bytes.
        with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
            f.write(header + body)
    else:
        path.write_bytes(header + body)
    return path


# --- the MNIST family: where the files are, and how to get them -------------------------------------


@dataclass(frozen=True)
class IdxSet:
    """One data set of the MNIST family: its name, classes, download mirrors and checksums."""

    name: str
    title: str
    class_names: tuple[str, ...]
    mirrors: tuple[str, ...]
    md5: tuple[tuple[str, str], ...]  # (canonical .gz file name, MD5 of that file as published)
    system_dirs: tuple[str, ...] = ()
    system_package: str = ""  # the Debian package that installs the files in system_dirs


# The four files of each set; a split is an (images, labels) pair.
SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
FILE_STEMS = SPLIT_FILES["train"] + SPLIT_FILES["test"]

IDX_SETS = {
    "mnist": IdxSet(
        name="mnist",
        title="MNIST handwritten digits (LeCun, Cortes, Burges)",
        class_names=tuple(str(d) for d in range(10)),
        mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"),
        md5=(
            ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
            ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
            ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
        ),
    ),
    "fashion-mnist": IdxSet(
        name="fashion-mnist",
        title="Fashion-MNIST clothing images (Zalando Research)",
        class_names=(
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ),  # fmt: skip
        mirrors=(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
        ),
        # The MD5 sums published in Fashion-MNIST's README. Debian's package recompresses the files, so
        # its .gz files have other sums; files found on disk are checked by structure, not by checksum.
        md5=(
            ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
            ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
            ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
            ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
        ),
        system_dirs=("/usr/share/datasets/fashion-mnist",),
        system_package="dataset-fashion-mnist",
    ),
}


def _spec(name: str) -> IdxSet:
    key = str(name).lower().replace("_", "-")
    if key not in IDX_SETS:
        raise DatasetError(f"unknown IDX data set {name!r}; known: {', '.join(IDX_SETS)}")
    return IDX_SETS[key]


def cache_dir() -> Path:
    """glassnet's folder in the user cache: ``$XDG_CACHE_HOME/glassnet`` or the platform's equivalent."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        base = Path(xdg)
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        base = Path.home() / ".cache"
    return base / "glassnet"


def search_dirs(name: str, data_dir: str | os.PathLike | None = None) -> list[Path]:
    """The folders searched for data set ``name``'s files, in the order they are searched."""
    spec = _spec(name)
    dirs: list[Path] = []
    if data_dir is not None:
        given = Path(data_dir).expanduser()
        dirs += [given, given / spec.name]
    if os.environ.get("GLASSNET_DATA"):
        dirs.append(Path(os.environ["GLASSNET_DATA"]).expanduser() / spec.name)
    dirs.append(cache_dir() / spec.name)
    dirs += [Path(d) for d in spec.system_dirs]
    return list(dict.fromkeys(dirs))  # drop repeats, keep the order


def _file_names(stem: str) -> tuple[str, ...]:
    """The names a file may have on disk: raw before gzip, canonical before the dotted variant."""
    dotted = stem.replace("-idx", ".idx")
    return (stem, stem + ".gz", dotted, dotted + ".gz")


def find_dataset_files(name: str, data_dir: str | os.PathLike | None = None) -> dict[str, Path | None]:
    """Where each of data set ``name``'s four files is, or None where it is nowhere to be found.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
    data_dir : str or path-like, optional
        A folder to look in first.

    Returns
    -------
    dict
        Canonical file name (such as ``"train-images-idx3-ubyte"``) -> the first match in
        :func:`search_dirs` order, or None.
    """
    dirs = search_dirs(name, data_dir)
    found: dict[str, Path | None] = {}
    for stem in FILE_STEMS:
        found[stem] = next(
            (d / f for d in dirs for f in _file_names(stem) if (d / f).is_file()),
            None,
        )
    return found


def _download_dir(spec: IdxSet, data_dir: str | os.PathLike | None) -> Path:
    """Where a download goes: ``data_dir`` if given, else ``$GLASSNET_DATA/<name>`` if set, else the cache."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    if os.environ.get("GLASSNET_DATA"):
        return Path(os.environ["GLASSNET_DATA"]).expanduser() / spec.name
    return cache_dir() / spec.name


def _download(spec: IdxSet, stem: str, folder: Path) -> Path:
    """Fetch ``stem.gz`` into ``folder`` with pooch, checking its MD5; try each mirror in turn."""
    pooch = require("pooch", f"Downloading {spec.name} (download=True)")
    fname = stem + ".gz"
    known_hash = "md5:" + dict(spec.md5)[fname]
    show_progress = importlib.util.find_spec("tqdm") is not None  # pooch's progress bar needs tqdm
    failures = []
    for mirror in spec.mirrors:
        try:
            fetched = pooch.retrieve(
                url=mirror + fname, known_hash=known_hash, fname=fname, path=folder, progressbar=show_progress
            )
        except Exception as exc:  # network, HTTP and checksum errors all mean: try the next mirror
            failures.append(f"  {mirror}{fname}: {type(exc).__name__}: {exc}")
            continue
        return Path(fetched)
    raise DatasetError(
        f"could not download {spec.name}'s {fname}:\n" + "\n".join(failures) + "\n"
        f"Download it by hand (it must have MD5 {known_hash[4:]}) and put it in {folder}, "
        f"or in any folder listed by glassnet.datasets.search_dirs({spec.name!r})"
    )


def _missing_message(spec: IdxSet, missing: list[str], data_dir: str | os.PathLike | None) -> str:
    looked = "\n".join(f"  {d}" for d in search_dirs(spec.name, data_dir))
    how = [
        f"put the files ({', '.join(s + '.gz' for s in FILE_STEMS)}) in one of those folders, "
        f"or in a folder named {spec.name!r} inside $GLASSNET_DATA, or pass data_dir=",
        f"or pass download=True to fetch them from {spec.mirrors[0]} (needs {EXTRAS['pooch']})",
    ]
    if spec.system_package:
        how.append(f"or install Debian's {spec.system_package} package (apt install {spec.system_package})")
    return (
        f"{spec.name}: could not find {', '.join(missing)} (with or without .gz). Looked in:\n{looked}\n"
        + ";\n".join(how)
    )


def _pixel_names(rows: int, cols: int) -> tuple[str, ...]:
    return tuple(f"pixel_{r}_{c}" for r in range(rows) for c in range(cols))


def _read_split(spec: IdxSet, split: str, images_path: Path, labels_path: Path, scale: bool) -> Dataset:
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DatasetError(
            f"{images_path}: expected uint8 images shaped (n, rows, cols), got {images.dtype} {images.shape}"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise DatasetError(
            f"{labels_path}: expected uint8 labels shaped (n,), got {labels.dtype} {labels.shape}"
        )
    if len(images) != len(labels):
        raise DatasetError(
            f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels; "
            "the two files must come from the same split of the same data set"
        )
    if labels.size and labels.max() >= len(spec.class_names):
        raise DatasetError(
            f"{labels_path}: label {labels.max()} is not one of {spec.name}'s classes, "
            f"0..{len(spec.class_names) - 1}"
        )
    n, rows, cols = images.shape
    X = images.reshape(n, rows * cols)
    if scale:
        X = X.astype(np.float32)
        X /= 255.0  # in place, on the new float32 copy
    return Dataset(
        X=X,
        y=labels.astype(np.int64),
        feature_names=_pixel_names(rows, cols),
        target_names=spec.class_names,
        task="classification",
        name=spec.name,
        description=f"{spec.title}: the {split} split, {n} images of {rows}x{cols} pixels.",
        image_shape=(rows, cols),
    )


def load_idx_dataset(
    name: str,
    split: str = "train",
    data_dir: str | os.PathLike | None = None,
    *,
    download: bool = False,
    scale: bool = True,
) -> Dataset:
    """One split of an MNIST-family data set, found on disk or (with ``download=True``) fetched.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
    split : {"train", "test"}
    data_dir : str or path-like, optional
        A folder to look in first (see the module docstring for the full search order); downloads go
        here when given.
    download : bool
        Fetch missing files (MD5-checked, with a progress bar) into ``data_dir``, else
        ``$GLASSNET_DATA/<name>``, else the user cache. Needs ``pip install "glassnet[data]"``.
    scale : bool
        True: X is float32 in [0, 1] (pixel / 255). False: X is the raw uint8 pixels, 0..255.

    Returns
    -------
    Dataset
        X shaped (n, rows * cols) (784 columns for 28x28 images; ``image_shape`` says how to fold a
        row back), y int64 class labels 0..9.
    """
    spec = _spec(name)
    split = check_choice("split", split, tuple(SPLIT_FILES))
    stems = SPLIT_FILES[split]
    found = find_dataset_files(spec.name, data_dir)
    missing = [stem for stem in stems if found[stem] is None]
    if missing and not download:
        raise DatasetError(_missing_message(spec, missing, data_dir))
    images_path, labels_path = (
        path if (path := found[stem]) is not None else _download(spec, stem, _download_dir(spec, data_dir))
        for stem in stems
    )
    return _read_split(spec, split, images_path, labels_path, scale)


def _train_and_test(
    name: str, data_dir: str | os.PathLike | None, download: bool, scale: bool
) -> tuple[Dataset, Dataset]:
    """Both splits of an IDX data set, as :func:`load_idx_dataset` loads each."""
    return (
        load_idx_dataset(name, "train", data_dir, download=download, scale=scale),
        load_idx_dataset(name, "test", data_dir, download=download, scale=scale),
    )


def load_mnist(
    data_dir: str | os.PathLike | None = None, *, download: bool = False, scale: bool = True
) -> tuple[Dataset, Dataset]:
    """MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 pixels, classes 0..9.

    Parameters
    ----------
    data_dir : str or path-like, optional
        A folder to look in first; see :func:`load_idx_dataset` for the search order and downloads.
    download : bool
        Fetch missing files, MD5-checked (needs ``pip install "glassnet[data]"``).
    scale : bool
        True: X float32 in [0, 1]. False: X uint8 0..255.

    Returns
    -------
    train, test : Dataset
        X shaped (n, 784), y int64 in 0..9; ``X[i].reshape(28, 28)`` is image ``i``.
    """
    return _train_and_test("mnist", data_dir, download, scale)


def load_fashion_mnist(
    data_dir: str | os.PathLike | None = None, *, download: bool = False, scale: bool = True
) -> tuple[Dataset, Dataset]:
    """Fashion-MNIST: 60,000 training and 10,000 test images of clothing, 28x28 pixels, 10 classes.

    Debian's ``dataset-fashion-mnist`` package provides the files in ``/usr/share/datasets/fashion-mnist``,
    which is searched last.

    Parameters
    ----------
    data_dir : str or path-like, optional
        A folder to look in first; see :func:`load_idx_dataset` for the search order and downloads.
    download : bool
        Fetch missing files, MD5-checked (needs ``pip install "glassnet[data]"``).
    scale : bool
        True: X float32 in [0, 1]. False: X uint8 0..255.

    Returns
    -------
    train, test : Dataset
        X shaped (n, 784), y int64 in 0..9 (``target_names`` gives "T-shirt/top", "Trouser", ...).
    """
    return _train_and_test("fashion-mnist", data_dir, download, scale)
