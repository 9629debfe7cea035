"""Replacing a file atomically: the new content goes to a fsynced temp file in the same folder,
the previous file (if any) is copied to ``<file>.bak``, then ``os.replace`` swaps the temp file in.

Any failure raises :class:`ProjectFileError` with the old file untouched and no temp file left.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

from nnsim.core.errors import ProjectFileError
from nnsim.io import limits

_NEW_FILE_MODE = 0o644
_COPY_CHUNK_BYTES = 1 * limits.MiB


def atomic_write(target: Path, name: str, write: Callable[[Any], None]) -> None:
    """Write ``target`` with ``write(binary file)``, keeping the previous file as ``<target>.bak``.

    ``name`` is the file name used in error messages.
    """
    folder = target.parent
    if target.is_dir():
        raise ProjectFileError(f"Cannot save {name}: a folder with that name already exists.")
    if not folder.is_dir():
        raise ProjectFileError(f"Cannot save {name}: the folder {folder} does not exist.")
    temps: list[str] = []
    try:
        mode = os.stat(target).st_mode & 0o777 if target.exists() else _NEW_FILE_MODE
        tmp = _write_temp(target, f".{target.name}.", mode, write, temps)
        if target.exists():
            _back_up(target, mode, temps)
        os.replace(tmp, target)
        temps.remove(tmp)
        _fsync_dir(folder)
    except ProjectFileError:
        raise
    except OSError as exc:
        raise ProjectFileError(_save_error_sentence(exc, name, folder)) from exc
    except MemoryError:
        raise ProjectFileError(f"Cannot save {name}: out of memory.") from None
    except Exception as exc:  # anything else while writing is still a failed save
        raise ProjectFileError(f"Cannot save {name}: writing failed ({type(exc).__name__}).") from exc
    finally:
        for t in temps:
            _remove_quietly(t)


def _write_temp(target: Path, prefix: str, mode: int, write: Callable[[Any], None], temps: list[str]) -> str:
    """A new fsynced temp file next to ``target`` filled by ``write``; its path is added to ``temps``."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
    temps.append(tmp)
    with os.fdopen(fd, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    _chmod_quietly(tmp, mode)
    return tmp


def _back_up(target: Path, mode: int, temps: list[str]) -> None:
    """Copy ``target`` to ``<target>.bak`` (itself through a temp file, so a .bak is never partial)."""

    def copy_target(out: Any) -> None:
        with open(target, "rb") as src:
            shutil.copyfileobj(src, out, _COPY_CHUNK_BYTES)

    bak_tmp = _write_temp(target, f".{target.name}.bak.", mode, copy_target, temps)
    os.replace(bak_tmp, target.with_name(target.name + ".bak"))
    temps.remove(bak_tmp)


def _chmod_quietly(path: str, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except OSError:
        pass


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _save_error_sentence(exc: OSError, name: str, folder: Path) -> str:
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return f"Cannot save {name}: permission denied in {folder}; choose another folder or check its permissions."
    if isinstance(exc, FileNotFoundError):
        return f"Cannot save {name}: the folder {folder} does not exist."
    if exc.errno == errno.ENOSPC:
        return f"Cannot save {name}: the disk is full; free some space and try again."
    if exc.errno == errno.EROFS:
        return f"Cannot save {name}: the disk is read-only; choose another folder."
    reason = exc.strerror or type(exc).__name__
    return f"Cannot save {name}: {reason}."
