"""Atomic file writes: readers see the old file or the new one, never a half-written mixture.

The data goes to a temporary file in the target's folder, which is flushed and fsynced, then renamed
onto the target with ``os.replace`` (atomic on POSIX and Windows), and the folder is fsynced so the
rename itself survives a crash. On any failure the temporary file is removed and whatever stood under
the target name before is untouched. Model files, checkpoints, pictures, reports and prediction CSVs
are all written this way.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import secrets
from collections.abc import Iterator
from typing import IO

from .errors import GlassnetError, InputError

__all__ = ["atomic_file", "atomic_write_bytes"]


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
