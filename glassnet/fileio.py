"""Atomic file writes: readers see the old file or the new one, never a half-written mixture.

The data goes to a temporary file in the target's folder, which is flushed and fsynced, then renamed
onto the target with ``os.replace`` (atomic on POSIX and Windows), and the folder is fsynced so the
rename itself survives a crash. On any failure the temporary file is removed and whatever stood under
the target name before is untouched. Model files, checkpoints, pictures, reports and prediction CSVs
are all written this way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import secrets
import stat
from collections.abc import Iterator
from typing import IO

from .errors import GlassnetError, InputError

__all__ = ["NotRegularFileError", "atomic_file", "atomic_write_bytes", "open_regular"]

_SPECIAL = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class NotRegularFileError(OSError):
    """The path names a named pipe, device or socket, which glassnet neither reads nor replaces."""


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


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], error: type[GlassnetError] | None = None) -> Iterator[IO[bytes]]:
    """Yield a temporary binary file beside ``path``; on success fsync it and rename it onto ``path``.

    A missing folder raises ``error`` (InputError when None) naming the file. Operating-system errors
    are raised as ``error`` when one is given, else as they are; anything else raised inside the block
    passes through unchanged. In every case the temporary file is removed first.
    """
    path = pathlib.Path(path)
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
        raise error(f"cannot write '{path}': {e.strerror if isinstance(e, NotRegularFileError) else e}") from e
    temp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        # O_EXCL: never follow or reuse someone else's file; mode 0o666 lets the umask decide, as open() does.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as e:
        if error is None:
            raise
        raise error(f"cannot write '{path}': {e}") from e
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
