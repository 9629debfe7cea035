"""Reading members of an untrusted zip archive: every declared size is checked before reading,
and every read has a hard cap. Problems raise :class:`ProjectFileError`."""

from __future__ import annotations

import errno
import struct
import zipfile
import zlib
from typing import Any

from nnsim.core.errors import ProjectFileError
from nnsim.io import limits

ALLOWED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

_EOCD_SIGNATURE = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_ZIP64_EOCD_SIZE = 56

#: Errors :mod:`zipfile` raises on corrupt or truncated member data.
_CORRUPT_MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, struct.error,
                          NotImplementedError, RuntimeError, OSError)


def single_member(infos: list[zipfile.ZipInfo], member: str, name: str) -> zipfile.ZipInfo | None:
    """The one entry called ``member``, None if absent; refuses an archive that holds it twice."""
    found = [i for i in infos if i.filename == member]
    if len(found) > 1:
        raise ProjectFileError(f"{name} is damaged: it holds {member} more than once.")
    return found[0] if found else None


def precheck_directory(fh: Any, size: int, name: str, what: str, max_entries: int, max_bytes: int) -> None:
    """Read the end-of-central-directory record ourselves and refuse huge directories before
    :mod:`zipfile` parses them into memory. Anything odd is left for zipfile to reject."""
    counts = _directory_counts(fh, size)
    if counts is None:
        return
    entries, dir_size = counts
    if entries > max_entries or dir_size > max_bytes:
        whose = "its" if what == "the file" else f"the {what}"
        raise ProjectFileError(
            f"{name} is damaged or hostile: {whose} zip directory is too large ({entries} entries, {dir_size} bytes)."
        )


def _directory_counts(fh: Any, size: int) -> tuple[int, int] | None:
    """``(entries, directory bytes)`` declared at the end of the archive, None if not found."""
    tail_len = min(size, _EOCD_SIZE + 0xFFFF)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    fh.seek(0)
    at = tail.rfind(_EOCD_SIGNATURE)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return None
    _, _, _, _, entries, dir_size, dir_offset, _ = struct.unpack("<4sHHHHIIH", tail[at:at + _EOCD_SIZE])
    if entries == 0xFFFF or dir_size == 0xFFFFFFFF or dir_offset == 0xFFFFFFFF:
        locator = tail[at - _ZIP64_LOCATOR_SIZE:at] if at >= _ZIP64_LOCATOR_SIZE else b""
        zip64_counts = _zip64_directory_counts(fh, size, locator)
        if zip64_counts is not None:
            return zip64_counts
    return entries, dir_size


def _zip64_directory_counts(fh: Any, size: int, locator: bytes) -> tuple[int, int] | None:
    """The counts from the zip64 end-of-central-directory record the ``locator`` points at."""
    if len(locator) != _ZIP64_LOCATOR_SIZE or locator[:4] != _ZIP64_LOCATOR_SIGNATURE:
        return None
    (offset64,) = struct.unpack("<Q", locator[8:16])
    if offset64 + _ZIP64_EOCD_SIZE > size:
        return None
    fh.seek(offset64)
    rec = fh.read(_ZIP64_EOCD_SIZE)
    fh.seek(0)
    if len(rec) != _ZIP64_EOCD_SIZE or rec[:4] != _ZIP64_EOCD_SIGNATURE:
        return None
    entries, dir_size = struct.unpack("<QQ", rec[32:48])
    return entries, dir_size


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, name: str, where: str = "") -> bytes:
    """Read one member after checking its declared size and compression, with a hard cap."""
    label = f"{where}{info.filename}" if where else info.filename
    _check_declared(info, limit, name, label)
    try:
        with zf.open(info) as member:
            data = member.read(limit + 1)
    except _CORRUPT_MEMBER_ERRORS as exc:
        if isinstance(exc, OSError) and exc.errno != errno.EINVAL:  # EINVAL: seek to a bogus offset
            raise
        raise ProjectFileError(f"{name} is damaged: {label} cannot be read (corrupt or truncated data).") from None
    if len(data) > limit or len(data) != info.file_size:
        raise ProjectFileError(f"{name} is damaged: {label} does not have its declared size.")
    return data


def _check_declared(info: zipfile.ZipInfo, limit: int, name: str, label: str) -> None:
    """Refuse encrypted members, unknown compression, oversized members and zip bombs."""
    if info.flag_bits & 0x1:
        raise ProjectFileError(f"{name} cannot be opened: {label} is encrypted.")
    if info.compress_type not in ALLOWED_METHODS:
        raise ProjectFileError(
            f"{name} cannot be opened: {label} uses an unsupported compression method (only stored and deflate are allowed)."
        )
    if info.file_size > limit:
        raise ProjectFileError(
            f"{name} is too large or hostile: {label} declares {info.file_size} bytes (limit {limit})."
        )
    ratio_cap = limits.MAX_COMPRESSION_RATIO
    if info.file_size > limits.RATIO_FLOOR_BYTES and info.file_size > ratio_cap * max(info.compress_size, 1):
        raise ProjectFileError(f"{name} looks like a zip bomb: {label} is compressed more than {ratio_cap} to 1.")
