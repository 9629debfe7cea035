"""Save and load ``.nnsim`` project files safely.

A project file is a zip archive with two members:

* ``project.json``: ``schema_version``, ``app_version``, ``meta``, ``graph``, ``dataset``,
  ``training`` and ``history`` (see docs/file-format.md);
* ``weights.npz``: the weights as written by :func:`numpy.savez` (no pickle), one array per
  ``"<node name>/<weight name>"`` key. It may be absent (no weights).

Files may come from strangers, so loading never unpickles, never extracts to disk, only reads the
two known members, checks every declared size before reading and reads with a hard cap. Any problem
raises :class:`ProjectFileError` with one sentence naming the problem.

Saving is atomic: the new file is written to a temp file in the same folder and fsynced, the
previous file (if any) is copied to ``<file>.bak``, and the temp file then replaces the target.
"""

from __future__ import annotations

import errno
import io
import json
import math
import numbers
import os
import re
import shutil
import stat
import struct
import tempfile
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any, Callable

import numpy as np
from numpy.lib import format as npy_format

from nnsim.core.errors import ProjectFileError
from nnsim.io import migrations
from nnsim.io.document import ProjectDocument

MiB = 1 << 20
GiB = 1 << 30

PROJECT_MEMBER = "project.json"
WEIGHTS_MEMBER = "weights.npz"

#: Largest ``project.json`` accepted (uncompressed).
MAX_JSON_BYTES = 32 * MiB
#: Largest ``weights.npz`` accepted (uncompressed), and largest total of its arrays.
MAX_WEIGHTS_BYTES = 2 * GiB
#: Largest number of elements in one weight array.
MAX_ARRAY_ELEMENTS = 2**28
#: Most arrays in ``weights.npz``.
MAX_ARRAYS = 100_000
#: Most entries in the outer zip (only two are read; others are ignored).
MAX_OUTER_ENTRIES = 1000
#: Largest central directory of the outer zip / of ``weights.npz``.
MAX_OUTER_DIRECTORY_BYTES = 4 * MiB
MAX_INNER_DIRECTORY_BYTES = 64 * MiB
#: Compression ratio cap (uncompressed / compressed) for members larger than RATIO_FLOOR_BYTES.
MAX_COMPRESSION_RATIO = 200
RATIO_FLOOR_BYTES = 1 * MiB
#: Deepest nesting of lists/objects accepted in ``project.json``.
MAX_JSON_DEPTH = 200
#: Longest weight key, and npy header size limit.
MAX_KEY_LENGTH = 256
MAX_NPY_HEADER_BYTES = 10_000

_BAD_KEY_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")
_ALLOWED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


# ---------------------------------------------------------------------------------------------
# shared checks


def weight_key_problem(key: object) -> str | None:
    """Why ``key`` is not a valid weight name (``"<node name>/<weight name>"``), or None if valid."""
    if not isinstance(key, str):
        return "it is not a string"
    if not key or len(key) > MAX_KEY_LENGTH:
        return f"it must be 1 to {MAX_KEY_LENGTH} characters long"
    if _BAD_KEY_CHARS.search(key):
        return "it contains a backslash or a control character"
    parts = key.split("/")
    if len(parts) < 2:
        return "it must look like '<node name>/<weight name>'"
    if any(p == "" or p in (".", "..") or p.strip() == "" for p in parts):
        return "it has an empty, '.' or '..' part"
    return None


def dtype_allowed(dt: np.dtype) -> bool:
    """Plain numbers only: bool, signed/unsigned ints and floats up to 8 bytes."""
    return (
        dt.kind in "biuf"
        and not dt.hasobject
        and dt.fields is None
        and dt.subdtype is None
        and dt.itemsize <= 8
    )


def _json_depth_ok(obj: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    stack = [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((c, depth + 1) for c in children)
    return True


def _short(text: str, n: int = 60) -> str:
    r = repr(text)
    return r if len(r) <= n else r[: n - 4] + "...'"


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

    json_bytes = _encode_project_json(doc, name)
    npz = _encode_weights(doc.weights, name)

    def write(fh: Any) -> None:
        with zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
            info = zipfile.ZipInfo(PROJECT_MEMBER, date_time=_now())
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, json_bytes)
            info = zipfile.ZipInfo(WEIGHTS_MEMBER, date_time=_now())
            info.compress_type = zipfile.ZIP_STORED  # npz data rarely compresses; keeps ratio 1
            info.external_attr = 0o644 << 16
            with zf.open(info, "w", force_zip64=len(npz) > 0x7FFF0000) as out:
                out.write(npz)

    _atomic_write(target, name, write)


def _now() -> tuple[int, int, int, int, int, int]:
    t = time.localtime()
    return (max(t.tm_year, 1980), t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"a value of type {type(obj).__name__}")


def _dumps_field(value: Any, label: str, name: str) -> None:
    try:
        json.dumps(value, allow_nan=False, default=_json_default)
    except RecursionError:
        raise ProjectFileError(f"Cannot save {name}: the {label} are nested too deeply.") from None
    except ValueError as exc:
        why = "NaN or infinity" if "float" in str(exc) else "a circular reference"
        raise ProjectFileError(f"Cannot save {name}: the {label} contain {why}, which JSON cannot store.") from None
    except TypeError as exc:
        raise ProjectFileError(f"Cannot save {name}: the {label} contain {exc}, which JSON cannot store.") from None


def _clean_history(history: Any, name: str) -> dict[str, list[float | None]]:
    if not isinstance(history, dict):
        raise ProjectFileError(f"Cannot save {name}: the history must be a dict of lists.")
    out: dict[str, list[float | None]] = {}
    for key, series in history.items():
        if not isinstance(key, str):
            raise ProjectFileError(f"Cannot save {name}: history names must be strings, not {type(key).__name__}.")
        if isinstance(series, (str, bytes, dict)) or not hasattr(series, "__iter__"):
            raise ProjectFileError(f"Cannot save {name}: history {_short(key)} must be a list of numbers.")
        values: list[float | None] = []
        for v in series:
            if v is None:
                values.append(None)
            elif isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
                raise ProjectFileError(f"Cannot save {name}: history {_short(key)} holds a non-number.")
            else:
                f = float(v)
                values.append(f if math.isfinite(f) else None)
        out[key] = values
    return out


def _encode_project_json(doc: ProjectDocument, name: str) -> bytes:
    labels = {"meta": "project details (meta)", "graph": "network graph",
              "dataset": "dataset settings", "training": "training settings"}
    for field_name, label in labels.items():
        value = getattr(doc, field_name)
        if not isinstance(value, dict):
            raise ProjectFileError(f"Cannot save {name}: the {label} must be a dict.")
        _dumps_field(value, label, name)
    if not isinstance(doc.app_version, str):
        raise ProjectFileError(f"Cannot save {name}: app_version must be a string.")
    data = {
        "schema_version": migrations.CURRENT_SCHEMA,
        "app_version": doc.app_version,
        "meta": doc.meta,
        "graph": doc.graph,
        "dataset": doc.dataset,
        "training": doc.training,
        "history": _clean_history(doc.history, name),
    }
    try:
        text = json.dumps(data, allow_nan=False, default=_json_default, ensure_ascii=False, indent=1)
        encoded = text.encode("utf-8")
    except (ValueError, TypeError, RecursionError, UnicodeError):
        raise ProjectFileError(f"Cannot save {name}: the project data cannot be stored as JSON.") from None
    if len(encoded) > MAX_JSON_BYTES:
        raise ProjectFileError(
            f"Cannot save {name}: project.json would be larger than {MAX_JSON_BYTES // MiB} MiB."
        )
    if not _json_depth_ok(json.loads(text)):
        raise ProjectFileError(
            f"Cannot save {name}: the project data is nested deeper than {MAX_JSON_DEPTH} levels."
        )
    return encoded


def _encode_weights(weights: Any, name: str) -> bytes:
    if not isinstance(weights, dict):
        raise ProjectFileError(f"Cannot save {name}: the weights must be a dict of numpy arrays.")
    if len(weights) > MAX_ARRAYS:
        raise ProjectFileError(f"Cannot save {name}: more than {MAX_ARRAYS} weight arrays.")
    arrays: dict[str, np.ndarray] = {}
    total = 0
    for key, value in weights.items():
        problem = weight_key_problem(key)
        if problem:
            raise ProjectFileError(f"Cannot save {name}: weight name {_short(str(key))} is not valid ({problem}).")
        arr = value if isinstance(value, np.ndarray) else None
        if arr is None:
            try:
                arr = np.asarray(value)
            except Exception:
                arr = np.empty(0, dtype=object)
        if not dtype_allowed(arr.dtype):
            raise ProjectFileError(
                f"Cannot save {name}: weight {_short(key)} has type {arr.dtype}; only bool, int and float arrays can be saved."
            )
        if arr.size > MAX_ARRAY_ELEMENTS:
            raise ProjectFileError(
                f"Cannot save {name}: weight {_short(key)} has more than {MAX_ARRAY_ELEMENTS} elements."
            )
        total += arr.nbytes
        arrays[key] = arr
    if total > MAX_WEIGHTS_BYTES - 64 * MiB:
        raise ProjectFileError(f"Cannot save {name}: the weights take more than 2 GiB.")
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=False, **arrays)
    return buf.getvalue()


def _atomic_write(target: Path, name: str, write: Callable[[Any], None]) -> None:
    folder = target.parent
    if target.is_dir():
        raise ProjectFileError(f"Cannot save {name}: a folder with that name already exists.")
    if not folder.is_dir():
        raise ProjectFileError(f"Cannot save {name}: the folder {folder} does not exist.")
    backup = target.with_name(target.name + ".bak")
    temps: list[str] = []
    try:
        mode = 0o644
        if target.exists():
            mode = os.stat(target).st_mode & 0o777
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        temps.append(tmp)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        _chmod(tmp, mode)
        if target.exists():
            fd, bak_tmp = tempfile.mkstemp(prefix=f".{target.name}.bak.", suffix=".tmp", dir=folder)
            temps.append(bak_tmp)
            with os.fdopen(fd, "wb") as out, open(target, "rb") as src:
                shutil.copyfileobj(src, out, 1 * MiB)
                out.flush()
                os.fsync(out.fileno())
            _chmod(bak_tmp, mode)
            os.replace(bak_tmp, backup)
            temps.remove(bak_tmp)
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
            try:
                os.unlink(t)
            except OSError:
                pass


def _chmod(path: str, mode: int) -> None:
    try:
        os.chmod(path, mode)
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
    try:
        st = os.stat(source)
    except FileNotFoundError:
        raise ProjectFileError(f"{name} does not exist; check the file name and folder.") from None
    except PermissionError:
        raise ProjectFileError(f"{name} cannot be opened: permission denied.") from None
    except (OSError, ValueError) as exc:
        raise ProjectFileError(f"{name} cannot be opened ({getattr(exc, 'strerror', None) or 'bad path'}).") from None
    if stat.S_ISDIR(st.st_mode):
        raise ProjectFileError(f"{name} is a folder, not an NNSim project file.")
    if not stat.S_ISREG(st.st_mode):  # never open FIFOs or devices: they could block forever
        raise ProjectFileError(f"{name} is not a regular file, so it is not an NNSim project.")
    try:
        fh = open(source, "rb")
    except FileNotFoundError:
        raise ProjectFileError(f"{name} does not exist; check the file name and folder.") from None
    except IsADirectoryError:
        raise ProjectFileError(f"{name} is a folder, not an NNSim project file.") from None
    except PermissionError:
        raise ProjectFileError(f"{name} cannot be opened: permission denied.") from None
    except (OSError, ValueError) as exc:
        raise ProjectFileError(f"{name} cannot be opened ({getattr(exc, 'strerror', None) or 'bad path'}).") from None
    with fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            raise ProjectFileError(f"{name} is empty, so it is not an NNSim project.")
        head = fh.read(4)
        fh.seek(0)
        _precheck_directory(fh, size, name, "the file", MAX_OUTER_ENTRIES, MAX_OUTER_DIRECTORY_BYTES)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, struct.error, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno != errno.EINVAL:
                raise
            if head == b"PK\x03\x04":
                raise ProjectFileError(f"{name} is damaged or incomplete (the zip archive is truncated or corrupt).") from None
            raise ProjectFileError(f"{name} is not an NNSim project (not a zip file).") from None
        with zf:
            infos = zf.infolist()
            if len(infos) > MAX_OUTER_ENTRIES:
                raise ProjectFileError(f"{name} is not an NNSim project (the zip holds too many entries).")
            project_info = _single_member(infos, PROJECT_MEMBER, name)
            weights_info = _single_member(infos, WEIGHTS_MEMBER, name)
            if project_info is None:
                raise ProjectFileError(f"{name} is not an NNSim project (it has no project.json).")
            raw_json = _read_member(zf, project_info, MAX_JSON_BYTES, name)
            data = _decode_project_json(raw_json, name)
            raw_weights = _read_member(zf, weights_info, MAX_WEIGHTS_BYTES, name) if weights_info else None
    weights = _decode_weights(raw_weights, name) if raw_weights is not None else {}
    del raw_weights
    return _build_document(data, weights, name)


def _single_member(infos: list[zipfile.ZipInfo], member: str, name: str) -> zipfile.ZipInfo | None:
    found = [i for i in infos if i.filename == member]
    if len(found) > 1:
        raise ProjectFileError(f"{name} is damaged: it holds {member} more than once.")
    return found[0] if found else None


def _precheck_directory(fh: Any, size: int, name: str, what: str, max_entries: int, max_bytes: int) -> None:
    """Read the end-of-central-directory record ourselves and refuse huge directories before
    :mod:`zipfile` parses them into memory. Anything odd is left for zipfile to reject."""
    tail_len = min(size, 22 + 0xFFFF)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    fh.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return
    _, _, _, _, entries, dir_size, dir_offset, _ = struct.unpack("<4sHHHHIIH", tail[at:at + 22])
    if entries == 0xFFFF or dir_size == 0xFFFFFFFF or dir_offset == 0xFFFFFFFF:
        locator = tail[at - 20:at] if at >= 20 else b""
        if len(locator) == 20 and locator[:4] == b"PK\x06\x07":
            (offset64,) = struct.unpack("<Q", locator[8:16])
            if offset64 + 56 <= size:
                fh.seek(offset64)
                rec = fh.read(56)
                fh.seek(0)
                if len(rec) == 56 and rec[:4] == b"PK\x06\x06":
                    entries, dir_size = struct.unpack("<QQ", rec[32:48])
    if entries > max_entries or dir_size > max_bytes:
        whose = "its" if what == "the file" else f"the {what}"
        raise ProjectFileError(
            f"{name} is damaged or hostile: {whose} zip directory is too large ({entries} entries, {dir_size} bytes)."
        )


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, name: str, where: str = "") -> bytes:
    """Read one member after checking its declared size and compression, with a hard cap."""
    label = f"{where}{info.filename}" if where else info.filename
    if info.flag_bits & 0x1:
        raise ProjectFileError(f"{name} cannot be opened: {label} is encrypted.")
    if info.compress_type not in _ALLOWED_METHODS:
        raise ProjectFileError(
            f"{name} cannot be opened: {label} uses an unsupported compression method (only stored and deflate are allowed)."
        )
    if info.file_size > limit:
        raise ProjectFileError(
            f"{name} is too large or hostile: {label} declares {info.file_size} bytes (limit {limit})."
        )
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        raise ProjectFileError(
            f"{name} looks like a zip bomb: {label} is compressed more than {MAX_COMPRESSION_RATIO} to 1."
        )
    try:
        with zf.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, struct.error, NotImplementedError, RuntimeError,
            OSError) as exc:
        if isinstance(exc, OSError) and exc.errno != errno.EINVAL:  # EINVAL: seek to a bogus offset
            raise
        raise ProjectFileError(f"{name} is damaged: {label} cannot be read (corrupt or truncated data).") from None
    if len(data) > limit or len(data) != info.file_size:
        raise ProjectFileError(f"{name} is damaged: {label} does not have its declared size.")
    return data


def _constant_as_null(token: str) -> None:
    return None  # NaN / Infinity literals (not standard JSON) are read as null


def _decode_project_json(raw: bytes, name: str) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProjectFileError(f"{name} is damaged: project.json is not UTF-8 text.") from None
    try:
        data = json.loads(text, parse_constant=_constant_as_null)
    except json.JSONDecodeError as exc:
        raise ProjectFileError(f"{name} is damaged: project.json is not valid JSON (line {exc.lineno}).") from None
    except RecursionError:
        raise ProjectFileError(f"{name} is damaged: project.json is nested too deeply.") from None
    except ValueError:  # e.g. an integer with too many digits
        raise ProjectFileError(f"{name} is damaged: project.json holds a value that cannot be read.") from None
    if not isinstance(data, dict):
        raise ProjectFileError(f"{name} is damaged: project.json does not hold an object.")
    if not _json_depth_ok(data):
        raise ProjectFileError(f"{name} is damaged: project.json is nested deeper than {MAX_JSON_DEPTH} levels.")
    return migrations.upgrade(data, name)


def _build_document(data: dict[str, Any], weights: dict[str, np.ndarray], name: str) -> ProjectDocument:
    if "graph" not in data:
        raise ProjectFileError(f"{name} is damaged: project.json has no graph.")
    fields: dict[str, Any] = {}
    for key in ("graph", "dataset", "training", "meta"):
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise ProjectFileError(f"{name} is damaged: '{key}' in project.json must be an object.")
        fields[key] = value
    app_version = data.get("app_version", "unknown")
    if not isinstance(app_version, str):
        raise ProjectFileError(f"{name} is damaged: 'app_version' in project.json must be a string.")
    history_raw = data.get("history", {})
    if not isinstance(history_raw, dict):
        raise ProjectFileError(f"{name} is damaged: 'history' in project.json must be an object.")
    history: dict[str, list[float | None]] = {}
    for key, series in history_raw.items():
        if not isinstance(series, list):
            raise ProjectFileError(f"{name} is damaged: history {_short(key)} in project.json must be a list.")
        values: list[float | None] = []
        for v in series:
            if v is None:
                values.append(None)
            elif isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ProjectFileError(f"{name} is damaged: history {_short(key)} in project.json holds a non-number.")
            else:
                try:
                    f = float(v)
                except OverflowError:
                    f = math.inf
                values.append(f if math.isfinite(f) else None)
        history[key] = values
    return ProjectDocument(history=history, weights=weights, app_version=app_version, **fields)


def _decode_weights(raw: bytes, name: str) -> dict[str, np.ndarray]:
    where = "weights.npz: "
    bio = io.BytesIO(raw)
    _precheck_directory(bio, len(raw), name, "weights.npz", MAX_ARRAYS, MAX_INNER_DIRECTORY_BYTES)
    try:
        zf = zipfile.ZipFile(bio)
    except (zipfile.BadZipFile, ValueError, EOFError, struct.error, NotImplementedError):
        raise ProjectFileError(f"{name} is damaged: weights.npz is not a valid npz archive.") from None
    out: dict[str, np.ndarray] = {}
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ARRAYS:
            raise ProjectFileError(f"{name} is damaged or hostile: weights.npz holds more than {MAX_ARRAYS} arrays.")
        total = 0
        keys: list[str] = []
        for info in infos:
            member = info.filename
            if not member.endswith(".npy"):
                raise ProjectFileError(f"{name} is damaged: weights.npz holds an unexpected entry {_short(member)}.")
            key = member[:-4]
            problem = weight_key_problem(key)
            if problem:
                raise ProjectFileError(f"{name} is damaged: weight name {_short(key)} is not valid ({problem}).")
            if key in keys:
                raise ProjectFileError(f"{name} is damaged: weight {_short(key)} appears more than once.")
            keys.append(key)
            total += info.file_size
            if total > MAX_WEIGHTS_BYTES:
                raise ProjectFileError(f"{name} is too large or hostile: its weights declare more than 2 GiB.")
        for info, key in zip(infos, keys):
            data = _read_member(zf, info, MAX_WEIGHTS_BYTES, name, where)
            out[key] = _parse_npy(data, key, name)
    return out


def _parse_npy(data: bytes, key: str, name: str) -> np.ndarray:
    """Validate an .npy header (dtype, shape, size) before letting numpy load the array."""
    label = f"weight {_short(key)}"
    bio = io.BytesIO(data)
    try:
        version = npy_format.read_magic(bio)
    except Exception:
        raise ProjectFileError(f"{name} is damaged: {label} is not a numpy array (.npy).") from None
    try:
        if version == (1, 0):
            shape, fortran, dtype = npy_format.read_array_header_1_0(bio, max_header_size=MAX_NPY_HEADER_BYTES)
        elif version == (2, 0):
            shape, fortran, dtype = npy_format.read_array_header_2_0(bio, max_header_size=MAX_NPY_HEADER_BYTES)
        else:
            raise ProjectFileError(
                f"{name} cannot be opened: {label} uses .npy format {version[0]}.{version[1]}, which NNSim does not read."
            )
    except ProjectFileError:
        raise
    except Exception:
        raise ProjectFileError(f"{name} is damaged: {label} has a bad .npy header.") from None
    if dtype.hasobject:
        raise ProjectFileError(
            f"{name} is unsafe: {label} holds Python objects (pickled data), which NNSim refuses to load."
        )
    if not dtype_allowed(dtype):
        raise ProjectFileError(f"{name} cannot be opened: {label} has type {dtype}; only bool, int and float arrays are allowed.")
    if not isinstance(shape, tuple) or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in shape):
        raise ProjectFileError(f"{name} is damaged: {label} has an invalid shape.")
    if len(shape) > 32:
        raise ProjectFileError(f"{name} is damaged: {label} has more than 32 dimensions.")
    count = math.prod(shape)
    if count > MAX_ARRAY_ELEMENTS:
        raise ProjectFileError(
            f"{name} is too large or hostile: {label} declares {count} elements (limit {MAX_ARRAY_ELEMENTS})."
        )
    if bio.tell() + count * dtype.itemsize != len(data):
        raise ProjectFileError(f"{name} is damaged: {label} does not hold as much data as its shape declares.")
    try:
        arr = np.load(io.BytesIO(data), allow_pickle=False, max_header_size=MAX_NPY_HEADER_BYTES)
    except Exception:
        raise ProjectFileError(f"{name} is damaged: {label} cannot be read.") from None
    if not isinstance(arr, np.ndarray) or arr.dtype != dtype or arr.shape != shape:
        raise ProjectFileError(f"{name} is damaged: {label} cannot be read.")
    return arr
