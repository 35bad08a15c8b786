"""Atomic file writes: a half-written output never replaces a good one."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tradearea.errors import InputError

PRIVATE_MODE = 0o600  # outputs may hold personal data: readable by their owner only


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` in one step.

    The temporary file sits in the same folder (so the final rename is atomic on the same file
    system) and keeps ``target``'s suffix (so writers that choose a format by suffix still
    work). It is flushed to disk before the rename; if the block raises, or the process dies,
    ``target`` keeps its previous content and the temporary file is removed (or left with a
    ``.tmp`` name that nothing reads). The result is readable by its owner only
    (:data:`PRIVATE_MODE`). A ``target`` that exists and is not a regular file (a device such as
    ``/dev/null``, a pipe, a folder) is refused before anything is written.

    Parameters
    ----------
    target : str or pathlib.Path
        The file to write.

    Yields
    ------
    pathlib.Path
        Where to write instead (it does not exist yet).

    Raises
    ------
    InputError
        If ``target`` is a device, a pipe, a socket or a folder.

    Examples
    --------
    >>> with atomic_path("out.csv") as tmp:          # doctest: +SKIP
    ...     frame.to_csv(tmp, index=False)
    """
    target = Path(target)
    refuse_special_file(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f".{target.stem[:60]}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers such as GDAL refuse to write over an existing file
    try:
        yield tmp
        if not tmp.exists():
            msg = f"nothing was written to {target}"
            raise OSError(msg)
        os.chmod(tmp, PRIVATE_MODE)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        refuse_special_file(target)  # checked again: it may have appeared meanwhile
        _replace(tmp, target)
        fsync_folder(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def refuse_special_file(target: str | Path) -> None:
    """Raise :class:`InputError` if ``target`` exists and is not a regular file.

    Writing over ``/dev/null``, a named pipe or a socket would replace a system file or block
    forever; a folder is a mistake in the command line.

    Parameters
    ----------
    target : str or pathlib.Path
        Where an output is about to be written.
    """
    try:
        mode = os.stat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return
    if stat.S_ISREG(mode):
        return
    kind = "a folder" if stat.S_ISDIR(mode) else "a device, pipe or socket, not a regular file"
    msg = f"cannot write the output over it: it is {kind}"
    raise InputError(msg, file=str(target))


def _replace(tmp: Path, target: Path) -> None:
    os.replace(tmp, target)


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk (a rename in it survives a power cut); best effort."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_bytes_atomic(target: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return the path.

    Parameters
    ----------
    target : str or pathlib.Path
        The file.
    data : bytes
        Its new content.

    Returns
    -------
    pathlib.Path
        ``target``.
    """
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text_atomic(target: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically and return the path.

    Parameters
    ----------
    target : str or pathlib.Path
        The file.
    text : str
        Its new content.
    encoding : str
        Text encoding.

    Returns
    -------
    pathlib.Path
        ``target``.
    """
    return write_bytes_atomic(target, text.encode(encoding))


__all__ = [
    "PRIVATE_MODE",
    "atomic_path",
    "refuse_special_file",
    "write_bytes_atomic",
    "write_text_atomic",
]
