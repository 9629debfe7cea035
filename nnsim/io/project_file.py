"""Save and load ``.nnsim`` project files safely.

A project file is a zip archive with two members:

* ``project.json``: ``schema_version``, ``app_version``, ``meta``, ``graph``, ``dataset``,
  ``training`` and ``history`` (see docs/file-format.md; :mod:`nnsim.io.json_codec`);
* ``weights.npz``: the weights as written by :func:`numpy.savez` (no pickle), one array per
  ``"<node name>/<weight name>"`` key (:mod:`nnsim.io.weights_codec`). It may be absent (no weights).

Files may come from strangers, so loading never unpickles, never extracts to disk, only reads the
two known members, checks every declared size before reading and reads with a hard cap
(:mod:`nnsim.io.safe_zip`, :mod:`nnsim.io.npy_checks`, limits in :mod:`nnsim.io.limits`). Any
problem raises :class:`ProjectFileError` with one sentence naming the problem.

Saving is atomic (:mod:`nnsim.io.atomic_write`): the new file is written to a temp file in the same
folder and fsynced, the previous file (if any) is copied to ``<file>.bak``, and the temp file then
replaces the target.
"""

from __future__ import annotations

import errno
import os
import stat
import struct
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO


from nnsim.core.errors import ProjectFileError
from nnsim.io import limits
from nnsim.io.atomic_write import atomic_write
from nnsim.io.document import ProjectDocument
from nnsim.io.json_codec import decode_project_json, document_from_json, encode_project_json
from nnsim.io.safe_zip import precheck_directory, read_member, single_member
from nnsim.io.weights_codec import decode_weights, encode_weights

PROJECT_MEMBER = "project.json"
WEIGHTS_MEMBER = "weights.npz"

_ZIP_LOCAL_HEADER = b"PK\x03\x04"
#: Above this size a member needs zip64 headers, which must be asked for before writing it.
_ZIP64_MEMBER_BYTES = 0x7FFF0000


def _display_name(path: Path) -> str:
    return path.name or str(path)


# ---------------------------------------------------------------------------------------------
# saving


def save_project(path: str | os.PathLike[str], doc: ProjectDocument) -> None:
    """Write ``doc`` to ``path`` atomically, keeping the previous file as ``<path>.bak``.

    Raises :class:`ProjectFileError` (with the old file untouched and no temp file left) if the
    document cannot be stored or the file cannot be written.
    """
    try:
        target = Path(os.fspath(path))
    except TypeError:
        raise ProjectFileError(f"Cannot save the project: {path!r} is not a file path.") from None
    name = _display_name(target)
    if not isinstance(doc, ProjectDocument):
        raise ProjectFileError(f"Cannot save {name}: the project data is not a ProjectDocument.")

    json_bytes = encode_project_json(doc, name)
    npz = encode_weights(doc.weights, name)

    def write(fh: Any) -> None:
        with zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
            zf.writestr(_member_info(PROJECT_MEMBER, zipfile.ZIP_DEFLATED), json_bytes)
            # npz data rarely compresses; storing it keeps the compression ratio at 1
            weights_info = _member_info(WEIGHTS_MEMBER, zipfile.ZIP_STORED)
            with zf.open(weights_info, "w", force_zip64=len(npz) > _ZIP64_MEMBER_BYTES) as out:
                out.write(npz)

    atomic_write(target, name, write)


def _member_info(member: str, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(member, date_time=_now())
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    return info


def _now() -> tuple[int, int, int, int, int, int]:
    t = time.localtime()
    return (max(t.tm_year, 1980), t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


# ---------------------------------------------------------------------------------------------
# loading


def load_project(path: str | os.PathLike[str]) -> ProjectDocument:
    """Read a ``.nnsim`` file. Any problem raises :class:`ProjectFileError`, never anything else.

    History values stored as ``null`` (missing or non-finite) come back as ``None``.
    """
    try:
        source = Path(os.fspath(path))
    except TypeError:
        raise ProjectFileError(f"Cannot open the project: {path!r} is not a file path.") from None
    except Exception:
        raise ProjectFileError("Cannot open the project: the file path is not valid.") from None
    name = _display_name(source)
    try:
        return _load(source, name)
    except ProjectFileError:
        raise
    except MemoryError:
        raise ProjectFileError(f"{name} is too large to open (out of memory).") from None
    except RecursionError:
        raise ProjectFileError(f"{name} is damaged: its data is nested too deeply.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, struct.error):
        raise ProjectFileError(f"{name} is damaged: the zip archive is corrupt.") from None
    except OSError as exc:
        raise ProjectFileError(f"{name} could not be read ({exc.strerror or type(exc).__name__}).") from None
    except Exception as exc:  # safety net: a bad file must never crash the app
        raise ProjectFileError(
            f"{name} could not be opened: it is damaged or not an NNSim project ({type(exc).__name__})."
        ) from None


def _load(source: Path, name: str) -> ProjectDocument:
    with _open_regular_file(source, name) as fh:
        data, raw_weights = _read_archive(fh, name)
    weights = decode_weights(raw_weights, name) if raw_weights is not None else {}
    del raw_weights
    return document_from_json(data, weights, name)


def _open_regular_file(source: Path, name: str) -> BinaryIO:
    try:
        st = os.stat(source)
    except (OSError, ValueError) as exc:
        raise _cannot_open(exc, name) from None
    if stat.S_ISDIR(st.st_mode):
        raise ProjectFileError(f"{name} is a folder, not an NNSim project file.")
    if not stat.S_ISREG(st.st_mode):  # never open FIFOs or devices: they could block forever
        raise ProjectFileError(f"{name} is not a regular file, so it is not an NNSim project.")
    try:
        return open(source, "rb")
    except (OSError, ValueError) as exc:
        raise _cannot_open(exc, name) from None


def _cannot_open(exc: OSError | ValueError, name: str) -> ProjectFileError:
    if isinstance(exc, FileNotFoundError):
        return ProjectFileError(f"{name} does not exist; check the file name and folder.")
    if isinstance(exc, IsADirectoryError):
        return ProjectFileError(f"{name} is a folder, not an NNSim project file.")
    if isinstance(exc, PermissionError):
        return ProjectFileError(f"{name} cannot be opened: permission denied.")
    return ProjectFileError(f"{name} cannot be opened ({getattr(exc, 'strerror', None) or 'bad path'}).")


def _read_archive(fh: BinaryIO, name: str) -> tuple[dict[str, Any], bytes | None]:
    """The decoded ``project.json`` and the raw ``weights.npz`` (None if absent) of an open file."""
    size = os.fstat(fh.fileno()).st_size
    if size == 0:
        raise ProjectFileError(f"{name} is empty, so it is not an NNSim project.")
    with _open_outer_zip(fh, size, name) as zf:
        infos = zf.infolist()
        if len(infos) > limits.MAX_OUTER_ENTRIES:
            raise ProjectFileError(f"{name} is not an NNSim project (the zip holds too many entries).")
        project_info = single_member(infos, PROJECT_MEMBER, name)
        weights_info = single_member(infos, WEIGHTS_MEMBER, name)
        if project_info is None:
            raise ProjectFileError(f"{name} is not an NNSim project (it has no project.json).")
        raw_json = read_member(zf, project_info, limits.MAX_JSON_BYTES, name)
        data = decode_project_json(raw_json, name)
        raw_weights = read_member(zf, weights_info, limits.MAX_WEIGHTS_BYTES, name) if weights_info else None
    return data, raw_weights


def _open_outer_zip(fh: BinaryIO, size: int, name: str) -> zipfile.ZipFile:
    head = fh.read(4)
    fh.seek(0)
    precheck_directory(fh, size, name, "the file", limits.MAX_OUTER_ENTRIES, limits.MAX_OUTER_DIRECTORY_BYTES)
    try:
        return zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, struct.error, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno != errno.EINVAL:
            raise
        if head == _ZIP_LOCAL_HEADER:
            raise ProjectFileError(f"{name} is damaged or incomplete (the zip archive is truncated or corrupt).") from None
        raise ProjectFileError(f"{name} is not an NNSim project (not a zip file).") from None
