"""Atomic file writes: readers see the old file or the new one, never a half-written mixture.

The data goes to a temporary file in the target's folder, which is flushed and fsynced, then renamed
onto the target with ``os.replace`` (atomic on POSIX and Windows), and the folder is fsynced so the
rename itself survives a crash. On any failure the temporary file is removed and whatever stood under
the target name before is untouched. A writer holds an exclusive lock (flock) on its temporary file, so
the temporary files of writers that were killed (SIGKILL, power loss) are told apart from live ones and
removed by the next write to the same target. Model files, checkpoints, pictures, reports and prediction CSVs
are all written this way.

The size limit of data files (:func:`data_size_limit`: ``max_bytes=``, else ``$GLASSNET_MAX_DATA_SIZE``, else
4 GiB) and the sizes a person writes (:func:`parse_size`: ``512M``, ``8G``) live here too, beside the reads they
guard.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import pathlib
import re
import secrets
import stat
import time
from collections.abc import Iterator
from typing import IO

from .errors import GlassnetError, InputError, InputTypeError

__all__ = ["DATA_SIZE_ENV", "NotRegularFileError", "atomic_file", "atomic_write_bytes", "check_path", "check_writable",
           "data_size_limit", "format_size", "open_regular", "parse_size", "remove_stale_temporaries"]

DATA_SIZE_ENV = "GLASSNET_MAX_DATA_SIZE"
DEFAULT_DATA_SIZE = 4 << 30
"""The largest data file the readers take unless ``max_bytes=`` or $GLASSNET_MAX_DATA_SIZE says otherwise."""
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)

_TOKEN_HEX = 6                 # bytes of randomness in a temporary name: ".<name>.<12 hex digits>.tmp"
_STALE_AFTER = 60.0            # seconds; a younger temporary file may belong to a writer not yet holding its lock

_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class NotRegularFileError(OSError):
    """The path names a named pipe, device or socket, which glassnet neither reads nor replaces."""


def check_path(path: object, doing: str = "use") -> pathlib.Path:
    """``path`` (a str or os.PathLike, not empty) as a Path; anything else is an InputTypeError naming it."""
    if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"cannot {doing} the file {path!r}: a path is a str or pathlib.Path, "
                             f"not {type(path).__name__}")
    if isinstance(path, str) and not path:
        raise InputTypeError(f"cannot {doing} a file with an empty name; give a path")
    return pathlib.Path(path)


def parse_size(text: object, what: str = "a size") -> int:
    """Bytes from ``512M``, ``8G``, ``1.5GiB``, ``4e9`` or an int (units are powers of 1024); InputError if not."""
    if isinstance(text, int) and not isinstance(text, bool):
        value: float = text
    else:
        match = _SIZE.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise InputError(f"{what} {text!r} is not a size; write it like 512M, 8G or 1.5T (or a number of bytes)")
        value = float(match.group(1)) * _UNITS[match.group(2).upper()]
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{what} {text!r} must be a positive size")
    return int(value)


def format_size(n: float) -> str:
    """``n`` bytes for a person, to three figures: 812 bytes, 3.42 MiB, 74.5 GiB, 336 GiB."""
    for unit, scale in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{int(n)} bytes"


def data_size_limit(limit: object = None) -> int:
    """The largest data file a reader takes (``max_bytes=``, else $GLASSNET_MAX_DATA_SIZE, else 4 GiB)."""
    if limit is not None:
        return parse_size(limit, "max_bytes")
    if os.environ.get(DATA_SIZE_ENV):
        return parse_size(os.environ[DATA_SIZE_ENV], f"${DATA_SIZE_ENV}")
    return DEFAULT_DATA_SIZE


def _special(mode: int) -> str | None:
    """What a non-regular, non-folder file is ("a named pipe (FIFO)", ...), or None for a file or folder."""
    return next((what for test, what in _SPECIAL if test(mode)), None)


def _refuse_special(path: str | os.PathLike[str], mode: int, doing: str) -> None:
    what = _special(mode)
    if what is not None:
        raise NotRegularFileError(errno.EINVAL, f"it is {what}, not a regular file; glassnet only {doing} "
                                                "regular files", str(path))
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", str(path))


def open_regular(path: str | os.PathLike[str], mode: str = "rb", **options) -> IO:
    """Open an existing regular file for reading (``mode`` "rb" or "r", ``options`` as for :func:`open`).

    A named pipe, device or socket is refused with :class:`NotRegularFileError` before it is opened (so
    reading never blocks on a pipe no one writes to), and a folder with IsADirectoryError. The file is
    opened with O_NONBLOCK and checked again on the open descriptor, so a path swapped for a pipe between
    the two checks is refused too; other OSErrors (no such file, no permission) pass through.
    """
    if mode not in ("r", "rb"):
        raise ValueError(f"open_regular reads; mode {mode!r} is not 'r' or 'rb'")
    path = check_path(path, "read")
    _refuse_special(path, os.stat(path).st_mode, "reads")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        _refuse_special(path, os.fstat(fd).st_mode, "reads")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: restore ordinary reads
        return os.fdopen(fd, mode, **options)
    except BaseException:
        os.close(fd)
        raise


def check_writable(path: object, error: type[GlassnetError] | None = None) -> pathlib.Path:
    """``path`` as a Path, if :func:`atomic_file` may write it: its folder exists and it is not a folder, named
    pipe, device or socket. Otherwise ``error`` (InputError for a missing folder when None; else the OSError)."""
    path = check_path(path, "write")
    folder = path.parent
    if not folder.is_dir():
        raise (error or InputError)(f"cannot write '{path}': the folder '{folder}' does not exist")
    try:
        _refuse_special(path, os.stat(path).st_mode, "replaces")
    except FileNotFoundError:
        pass
    except OSError as e:
        if error is None:
            raise
        raise error(f"cannot write '{path}': {e.strerror or e}") from e
    return path


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], error: type[GlassnetError] | None = None) -> Iterator[IO[bytes]]:
    """Yield a temporary binary file beside ``path``; on success fsync it and rename it onto ``path``.

    A missing folder raises ``error`` (InputError when None) naming the file. Operating-system errors
    are raised as ``error`` when one is given, else as they are; anything else raised inside the block
    passes through unchanged. In every case the temporary file is removed first.
    """
    path = check_writable(path, error)
    folder = path.parent
    remove_stale_temporaries(path)
    temp = folder / f".{path.name}.{secrets.token_hex(_TOKEN_HEX)}.tmp"
    try:
        # O_EXCL: never follow or reuse someone else's file; mode 0o666 lets the umask decide, as open() does.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as e:
        if error is None:
            raise
        raise error(f"cannot write '{path}': {e}") from e
    _lock(fd, blocking=True)  # held until the descriptor closes: this file is alive while its writer is
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if error is not None and isinstance(e, OSError):
            raise error(f"cannot write '{path}': {e}") from e
        raise
    _fsync_folder(folder)


def _lock(fd: int, *, blocking: bool) -> bool:
    """Take an exclusive flock on ``fd``; False if another holds it (or the system has no flock: then every
    temporary file counts as live and none is removed)."""
    try:
        import fcntl
    except ImportError:   # Windows
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[pathlib.Path]:
    """Delete the temporary files that killed writers of ``path`` left beside it; returns what was removed.

    Only glassnet's own are touched: regular files (not links) named ``.<name>.<12 hex digits>.tmp``, owned
    by this user, at least a minute old and not locked, that is whose writer is gone (a live writer holds
    the lock until it renames or removes its file). Best effort: a file that cannot be checked is left.
    """
    path = pathlib.Path(path)
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{{2 * _TOKEN_HEX}}}\.tmp")
    removed: list[pathlib.Path] = []
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        candidates = [entry for entry in os.scandir(path.parent) if pattern.fullmatch(entry.name)]
    except OSError:
        return removed
    for entry in candidates:
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if (not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid)
                    or time.time() - info.st_mtime < _STALE_AFTER):
                continue
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
            try:
                if _lock(fd, blocking=False):
                    os.unlink(entry.path)
                    removed.append(pathlib.Path(entry.path))
            finally:
                os.close(fd)
    return removed


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, error: type[GlassnetError] | None = None) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_file`)."""
    with atomic_file(path, error) as f:
        f.write(data)


def _fsync_folder(folder: pathlib.Path) -> None:
    """Make the rename itself durable where the system allows it (not on Windows); best effort."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
