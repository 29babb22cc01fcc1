"""The safe model-file container: one JSON header plus named numpy arrays in one file, no pickle anywhere.

A glassnet model file is a numpy ``.npz`` archive (an uncompressed zip) holding

- ``header.json``: a strict JSON object, at most 1 MB, laid out as::

      {
        "format": "glassnet",            # FORMAT_NAME
        "format_version": 1,             # FORMAT_VERSION
        "glassnet_version": "0.1.0",     # the glassnet that wrote the file
        "kind": "network",               # what the file holds; callers dispatch on it
        ...                              # the caller's own keys (architecture, cost, classes, ...)
        "arrays": {"layers.0.weights": {"dtype": "<f4", "shape": [2, 3], "sha256": "9f86..."}, ...}
      }                                  # the manifest: each array's dtype, shape and SHA-256 digest

- one ``<name>.npy`` member per array in the manifest (so ``numpy.load(path)[name]`` also works).

Loading trusts nothing: it checks the zip, the sizes every member declares (against the manifest and
against the size of the file itself) before reading a byte of them, the header, and each array's .npy
header before its data, and reads arrays with ``allow_pickle=False``; each array's content must match the
SHA-256 digest of its bytes in the manifest (format version 2; version 1 files, written before digests, load
without), so an altered or swapped array is named. Whatever is wrong with a file, the caller gets a
``ModelFileError`` naming the file and the problem.

Saving is atomic: the new file is written beside the target under a temporary name, flushed to disk, then
renamed over the target, so a crash mid-save leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import math
import os
import pathlib
import re
import struct
import zipfile
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from glassnet.errors import ModelFileError
from glassnet.fileio import NotRegularFileError, atomic_file, check_path, open_regular
from glassnet.fileio import atomic_write_bytes as _atomic_bytes

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "MAX_HEADER_VALUE_BYTES", "RESERVED_KEYS", "array_digest",
           "atomic_write_bytes",
           "check_header_allocation", "header_dtype", "plain_json", "read_model_file", "write_model_file"]

FORMAT_NAME = "glassnet"
FORMAT_VERSION = 2
"""Version 2 adds each array's SHA-256 digest to the manifest; version 1 files (no digests) still load."""
RESERVED_KEYS = frozenset({"format", "format_version", "glassnet_version", "kind", "arrays"})
"""Header keys the file format owns; a caller's header may not use them."""

_HEADER_MEMBER = "header.json"
_MAX_HEADER_BYTES = 1 << 20   # 1 MB of JSON is far beyond any model's description
MAX_HEADER_VALUE_BYTES = 4 * _MAX_HEADER_BYTES
"""The most memory an array built from header values may take: each of the header's at most 1 MB of JSON
characters can become at most one 4-byte character of a numpy text array (or less than one number)."""
_MAX_NPY_HEADER = 4096        # numpy writes ~128 bytes; 64 long dimensions still fit well inside this
_MAX_NDIM = 64
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,199}")
# bool, signed and unsigned integers, float16/32/64, complex64/128, in either byte order.
_DTYPES = frozenset(np.dtype(order + code).str for code in "?bBhHiIlLqQefdFD" for order in "<>")
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)   # the same model always gives the same bytes

# What the standard library and numpy raise on malformed input; each becomes a ModelFileError.
_LOW_LEVEL_ERRORS = (OSError, EOFError, ValueError, KeyError, IndexError, RuntimeError, OverflowError,
                     struct.error, zipfile.BadZipFile, zipfile.LargeZipFile)


class _Invalid(Exception):
    """A problem found while checking a file; read_model_file adds the file's name."""


@functools.lru_cache(maxsize=1)
def _glassnet_version() -> str:
    """The installed glassnet's version, or "0+unknown" when running from an uninstalled tree."""
    try:
        return importlib.metadata.version("glassnet")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


# ---------------------------------------------------------------------------------------------- writing

def write_model_file(path: str | os.PathLike[str], header: dict[str, Any],
                     arrays: Mapping[str, np.ndarray], *, kind: str) -> pathlib.Path:
    """Save ``header`` (JSON values) and ``arrays`` (numeric or bool numpy arrays) to ``path``, atomically.

    ``kind`` names what the file holds ("network", "MLPClassifier", "checkpoint", ...). Everything is
    checked before the disk is touched; any problem raises ``ModelFileError`` naming the file and the
    offending key or array. Returns the path written.
    """
    path = check_path(path, "write")
    data, checked = _prepare(path, header, arrays, kind)
    with atomic_file(path, ModelFileError) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(_zip_info(_HEADER_MEMBER), data)
        for name, array in checked.items():
            with zf.open(_zip_info(name + ".npy"), "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
    return path


def _prepare(path: pathlib.Path, header: dict[str, Any], arrays: Mapping[str, np.ndarray],
             kind: str) -> tuple[bytes, dict[str, np.ndarray]]:
    """Check the caller's header and arrays; return the bytes of header.json and the arrays to store."""
    def refuse(problem: str) -> ModelFileError:
        return ModelFileError(f"cannot write '{path}': {problem}")

    if not isinstance(kind, str) or not kind:
        raise refuse(f"kind must be a non-empty string, not {kind!r}")
    if not isinstance(header, dict):
        raise refuse(f"the header must be a dict, not {_type_name(header)}")
    if not isinstance(arrays, Mapping):
        raise refuse(f"the arrays must be a mapping of name to numpy array, not {_type_name(arrays)}")
    clash = sorted(k for k in header if k in RESERVED_KEYS)
    if clash:
        raise refuse(f"header key(s) {clash} are reserved by the file format ({sorted(RESERVED_KEYS)})")
    try:
        _check_json(header, "header")
    except RecursionError:
        raise refuse("the header is nested too deeply (or contains itself)") from None
    except ValueError as e:
        raise refuse(str(e)) from None

    manifest, checked = {}, {}
    for name, value in arrays.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise refuse(f"array name {name!r} must be 1-200 letters, digits, '_', '.' or '-', "
                         "not starting with '.' or '-'")
        array = np.asarray(value)
        if array.dtype.str not in _DTYPES:
            raise refuse(f"array {name!r} has dtype {array.dtype}; model files hold only bool, int, uint, "
                         "float16/32/64 and complex64/128 arrays")
        if array.dtype.kind in "fc" and not np.isfinite(array).all():
            raise refuse(f"array {name!r} holds NaN or infinite values")
        manifest[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "sha256": array_digest(array)}
        checked[name] = array

    document = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
                "glassnet_version": _glassnet_version(), "kind": kind, **header, "arrays": manifest}
    try:
        data = json.dumps(document, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise refuse("the header holds text that is not valid Unicode (a lone surrogate)") from None
    except ValueError as e:   # for example an integer too long to print
        raise refuse(f"the header cannot be written as JSON ({e})") from None
    if len(data) > _MAX_HEADER_BYTES:
        raise refuse(f"the header is {len(data)} bytes of JSON, over the {_MAX_HEADER_BYTES} byte limit; "
                     "store bulky data as arrays")
    return data, checked


def array_digest(array: np.ndarray) -> str:
    """The SHA-256 digest (hex) of an array's bytes in C order, as its .npy member stores them after its header.

    The manifest holds it for every array, so that a reader knows the content is the one the header describes.
    """
    data = np.ascontiguousarray(array)
    return hashlib.sha256(data.data.cast("B") if data.size else b"").hexdigest()


def _check_json(value: Any, where: str) -> None:
    """Raise ValueError naming ``where`` unless ``value`` is strict JSON that reads back equal."""
    if value is None or isinstance(value, (bool, int, str)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} is {value}, which strict JSON cannot hold")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where} has the key {key!r}; JSON object keys must be strings")
            _check_json(item, f"{where}[{key!r}]")
    else:
        raise ValueError(f"{where} is a {_type_name(value)}, not a JSON value; use None, bool, int, float, "
                         "str, list or dict (numpy numbers: .item(); arrays and tuples: list())")


def plain_json(value: Any) -> Any:
    """``value`` made fit for a header: numpy numbers as Python ones, NaN and infinities as None, paths as
    text, tuples as lists and dict keys as strings (nested values likewise); anything else unchanged."""
    if isinstance(value, dict):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pathlib.PurePath):
        return str(value)
    return value


def _type_name(value: Any) -> str:
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _zip_info(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date and permissions, so equal models give byte-equal files."""
    info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mixture."""
    _atomic_bytes(path, data, ModelFileError)


# ---------------------------------------------------------------------------------------------- bounds

def check_header_allocation(count: int, dtype: np.dtype, what: str, limit: int = MAX_HEADER_VALUE_BYTES) -> None:
    """Refuse (ModelFileError) to build ``count`` items of ``dtype`` from a header when they would take more
    than ``limit`` bytes, more than the file can hold; checked before anything is allocated.

    Every array a reader builds from sizes, counts or dtypes read from a header passes through here (the
    arrays stored in the file are bounded by their members' sizes in :func:`read_model_file`).
    """
    if type(count) is not int or count < 0:
        raise ModelFileError(f"{what}: {count!r} is not a count")
    needed = count * dtype.itemsize
    if needed > limit:
        raise ModelFileError(f"{what}: {count} items of {dtype} would take {needed} bytes, more than the file "
                             f"can hold ({limit} bytes); the file is damaged or crafted")


def header_dtype(text: Any, count: int, what: str, *, kinds: str) -> np.dtype:
    """The numpy dtype a header names for ``count`` items, of one of ``kinds`` (numpy kind letters, "O" for
    Python objects, named "object"), bounded by :func:`check_header_allocation`; ModelFileError if not."""
    if not isinstance(text, str) or len(text) > 32:
        raise ModelFileError(f"{what} {text!r} is not a dtype")
    try:
        dtype = np.dtype(object) if text == "object" else np.dtype(text)
    except (TypeError, ValueError, OverflowError, MemoryError):
        raise ModelFileError(f"{what} {text!r} is not a dtype") from None
    if dtype.kind not in kinds or dtype.fields is not None or dtype.subdtype is not None:
        raise ModelFileError(f"{what} {text!r} is not one of the dtype kinds {kinds!r}")
    check_header_allocation(count, dtype, what)
    return dtype


# ---------------------------------------------------------------------------------------------- reading

def read_model_file(path: str | os.PathLike[str], *,
                    kind: str | None = None) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Load and fully check a model file; return ``(header, arrays)``.

    ``header`` is the whole header.json object (format keys, ``kind``, the writer's own keys and the
    ``arrays`` manifest). With ``kind`` given, a file holding anything else is refused; with ``kind=None``
    any kind loads and the caller dispatches on ``header["kind"]``. Nothing is returned until every check
    has passed; every problem raises ``ModelFileError`` naming the file.
    """
    path = check_path(path, "load")
    try:
        with open_regular(path, "rb") as f:   # a named pipe or device is refused, never waited on
            return _read(f, os.fstat(f.fileno()).st_size, kind)
    except _Invalid as e:
        raise ModelFileError(f"cannot load '{path}': {e}") from None
    except NotRegularFileError as e:
        raise ModelFileError(f"cannot load '{path}': {e.strerror}") from None
    except FileNotFoundError:
        raise ModelFileError(f"cannot load '{path}': there is no such file") from None
    except IsADirectoryError:
        raise ModelFileError(f"cannot load '{path}': it is a folder, not a file") from None
    except _LOW_LEVEL_ERRORS as e:
        raise ModelFileError(f"cannot load '{path}': it is damaged or not a glassnet model file "
                             f"({type(e).__name__}: {e})") from e


def _read(f: IO[bytes], file_size: int, kind: str | None) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Check and read an open file, outermost layer first; raise _Invalid on the first problem."""
    if file_size == 0:
        raise _Invalid("the file is empty")
    if not zipfile.is_zipfile(f):
        raise _Invalid("it is not a zip archive, so not a glassnet model file")
    f.seek(0)
    with zipfile.ZipFile(f) as zf:
        members = _check_members(zf, file_size)
        header = _read_header(zf, members)
        specs = _check_header(header, kind)
        expected = {_HEADER_MEMBER} | {name + ".npy" for name in specs}
        missing, unexpected = sorted(expected - members.keys()), sorted(members.keys() - expected)
        if missing:
            raise _Invalid(f"the manifest lists members that are missing: {missing}")
        if unexpected:
            raise _Invalid(f"it holds members the manifest does not list: {unexpected}")
        arrays = {name: _read_array(zf, members[name + ".npy"], name, *spec[:2]) for name, spec in specs.items()}
    for name, (_, _, digest) in specs.items():   # after every other check, so those name their own problem
        if digest is None:
            if header["format_version"] >= 2:
                raise _Invalid(f"the manifest gives array {name!r} no sha256 digest")
        elif array_digest(arrays[name]) != digest:
            raise _Invalid(f"array {name!r} does not match its sha256 digest in the manifest: its content was "
                           "altered or swapped after the file was written")
    return header, arrays


def _check_members(zf: zipfile.ZipFile, file_size: int) -> dict[str, zipfile.ZipInfo]:
    """Check each zip entry's declarations before any is read: unique, plain, stored, plausibly sized."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        name = info.filename
        if name in members:
            raise _Invalid(f"the member {name!r} appears twice")
        if info.flag_bits & 0x1:
            raise _Invalid(f"the member {name!r} is encrypted")
        if info.compress_type != zipfile.ZIP_STORED:
            raise _Invalid(f"the member {name!r} is compressed (zip method {info.compress_type}); "
                           "glassnet model files store members uncompressed")
        if info.file_size != info.compress_size:
            raise _Invalid(f"the member {name!r} declares inconsistent sizes")
        members[name] = info
    declared = sum(info.compress_size for info in members.values())
    if declared > file_size:
        raise _Invalid(f"its members declare {declared} bytes but the file holds only {file_size}")
    return members


def _read_header(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> Any:
    """Read header.json (size-capped, strict UTF-8, strict JSON without duplicate keys)."""
    info = members.get(_HEADER_MEMBER)
    if info is None:
        raise _Invalid(f"it has no {_HEADER_MEMBER}, so it is not a glassnet model file")
    if info.file_size > _MAX_HEADER_BYTES:
        raise _Invalid(f"{_HEADER_MEMBER} declares {info.file_size} bytes, over the "
                       f"{_MAX_HEADER_BYTES} byte limit")
    with zf.open(info) as member:
        raw = member.read(_MAX_HEADER_BYTES + 1)   # never trust the declared size alone
    if len(raw) > _MAX_HEADER_BYTES:
        raise _Invalid(f"{_HEADER_MEMBER} is over the {_MAX_HEADER_BYTES} byte limit")
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constant,
                          parse_float=_finite_float)
    except UnicodeDecodeError:
        raise _Invalid(f"{_HEADER_MEMBER} is not UTF-8 text") from None
    except (ValueError, RecursionError) as e:
        raise _Invalid(f"{_HEADER_MEMBER} is not valid JSON ({e})") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("an object repeats a key")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not strict JSON")


def _finite_float(text: str) -> float:
    """A JSON number as a float; one too large for a float (``1e999``) would read as inf, so it is refused."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large for a float")
    return value


_Spec = tuple[np.dtype, tuple[int, ...], str | None]   # dtype, shape, digest (None in a version 1 file)
_DIGEST = re.compile(r"[0-9a-f]{64}")


def _check_header(header: Any, kind: str | None) -> dict[str, _Spec]:
    """Check the format keys, the kind and the manifest; return name -> (dtype, shape)."""
    if not isinstance(header, dict):
        raise _Invalid(f"{_HEADER_MEMBER} holds a JSON {type(header).__name__}, not an object")
    if header.get("format") != FORMAT_NAME:
        raise _Invalid(f"its format is {header.get('format')!r}, not {FORMAT_NAME!r}")
    version = header.get("format_version")
    if type(version) is not int or version < 1:
        raise _Invalid(f"its format_version {version!r} is not a positive whole number")
    if version > FORMAT_VERSION:
        raise _Invalid(f"it uses model file format version {version} (written by glassnet "
                       f"{header.get('glassnet_version')}), but this glassnet ({_glassnet_version()}) reads "
                       f"format version {FORMAT_VERSION}; upgrade glassnet to load it")
    if not isinstance(header.get("glassnet_version"), str):
        raise _Invalid("its glassnet_version is missing or not a string")
    file_kind = header.get("kind")
    if not isinstance(file_kind, str) or not file_kind:
        raise _Invalid(f"its kind {file_kind!r} is not a non-empty string")
    if kind is not None and file_kind != kind:
        raise _Invalid(f"it holds a {file_kind!r}, not a {kind!r}")
    manifest = header.get("arrays")
    if not isinstance(manifest, dict):
        raise _Invalid("its array manifest is missing or not an object")
    return {name: _check_spec(name, spec, version) for name, spec in manifest.items()}


def _check_spec(name: str, spec: Any, version: int) -> _Spec:
    """Check one manifest entry {"dtype": ..., "shape": [...], "sha256": ...} and return (dtype, shape, digest);
    the digest may be absent (None), which only a version 1 file may be (checked once its arrays are read)."""
    if not _NAME.fullmatch(name):
        raise _Invalid(f"the manifest has an invalid array name {name!r}")
    if not isinstance(spec, dict) or not {"dtype", "shape"} <= spec.keys() <= {"dtype", "shape", "sha256"}:
        raise _Invalid(f"the manifest entry for {name!r} must be exactly "
                       "{'dtype': ..., 'shape': [...], 'sha256': ...}")
    digest = spec.get("sha256")
    if digest is not None and (not isinstance(digest, str) or not _DIGEST.fullmatch(digest)):
        raise _Invalid(f"the manifest gives array {name!r} the malformed sha256 digest {str(digest)[:80]!r}")
    if digest is None and "sha256" in spec:
        raise _Invalid(f"the manifest gives array {name!r} the malformed sha256 digest None")
    dtype, shape = spec["dtype"], spec["shape"]
    if not isinstance(dtype, str) or dtype not in _DTYPES:
        raise _Invalid(f"the manifest gives array {name!r} the unsupported dtype {dtype!r}")
    if (not isinstance(shape, list) or len(shape) > _MAX_NDIM
            or not all(type(n) is int and n >= 0 for n in shape)):
        raise _Invalid(f"the manifest gives array {name!r} the invalid shape {str(shape)[:200]}")
    return np.dtype(dtype), tuple(shape), digest


def _read_array(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, dtype: np.dtype,
                shape: tuple[int, ...]) -> np.ndarray:
    """Read one array: sizes first, then its .npy header, then its data (no pickle), then its values."""
    nbytes = dtype.itemsize * math.prod(shape)
    if not nbytes < info.file_size <= nbytes + _MAX_NPY_HEADER:
        raise _Invalid(f"array {name!r} is stored in {info.file_size} bytes, but a {dtype} array of "
                       f"shape {shape} needs {nbytes} bytes plus a small .npy header")
    with zf.open(info) as member:
        found_shape, found_dtype = _read_npy_header(member, name)
        if found_dtype.str != dtype.str or found_shape != shape:
            raise _Invalid(f"array {name!r} is a {found_dtype} array of shape {found_shape}, but the "
                           f"manifest says {dtype} of shape {shape}")
        if member.tell() + nbytes != info.file_size:
            raise _Invalid(f"array {name!r}: its .npy header and data do not add up to its stored size")
        member.seek(0)
        array = np.lib.format.read_array(member, allow_pickle=False)   # what np.load does for one .npy
        if member.read(1):   # also reaches the end of the member, where zipfile checks the CRC
            raise _Invalid(f"array {name!r} has trailing bytes")
    if array.dtype.str != dtype.str or array.shape != shape:
        raise _Invalid(f"array {name!r} changed while being read")
    if dtype.kind in "fc" and not np.isfinite(array).all():
        raise _Invalid(f"array {name!r} holds NaN or infinite values")
    return array


def _read_npy_header(member: IO[bytes], name: str) -> tuple[tuple[int, ...], np.dtype]:
    """Parse a .npy header (the dict literal naming dtype and shape) with numpy's own safe parser."""
    readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    try:
        version = np.lib.format.read_magic(member)
        if version not in readers:
            raise _Invalid(f"array {name!r} uses the unsupported .npy version {version}")
        shape, _, dtype = readers[version](member)
    except _Invalid:
        raise
    except Exception as e:   # numpy's parser of untrusted text raises ValueError, tokenize.TokenError, ...
        raise _Invalid(f"array {name!r} has a damaged .npy header ({type(e).__name__}: {e})") from e
    return shape, dtype
