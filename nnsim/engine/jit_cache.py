"""Where Numba caches compiled kernels: a folder named by a fingerprint of the engine's sources.

Numba invalidates a cached function only when *its own* file changes, but the interpreter's entry
points embed every kernel they call: after editing a kernel (or upgrading NNSim) Numba would
silently reuse stale machine code. Keying the folder by all engine sources makes any change start
a fresh cache. This must run before the kernel modules are imported (nnsim/engine/__init__.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent
KEEP = 3  # fingerprints kept side by side (other NNSim versions on the machine)


def source_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(ENGINE_DIR.rglob("*.py")):
        digest.update(path.relative_to(ENGINE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nnsim" / "numba"


LLVM_OPT = "2"  # measured: cold compile 14.9 -> 13.4 s with level 3's speed on every benchmark case


def configure_cache() -> Path:
    """Point Numba's cache at ``<root>/<fingerprint>``; NUMBA_CACHE_DIR, if set, is the root.

    Also sets LLVM's optimisation level (NUMBA_OPT, unless the user chose one).
    """
    os.environ.setdefault("NUMBA_OPT", LLVM_OPT)  # read when Numba is imported, which comes after this
    fingerprint = source_fingerprint()
    given = os.environ.get("NUMBA_CACHE_DIR")
    root = Path(given) if given else default_root()
    target = root if root.name == fingerprint else root / fingerprint
    os.environ["NUMBA_CACHE_DIR"] = str(target)
    if "numba" in sys.modules:  # imported before us: its config has already read the environment
        sys.modules["numba"].config.CACHE_DIR = str(target)
    _prune(target.parent, keep=target)
    return target


def _prune(root: Path, keep: Path) -> None:
    """Remove the oldest fingerprint folders beyond KEEP (best effort)."""
    try:
        folders = sorted((p for p in root.iterdir() if p.is_dir() and len(p.name) == 16 and p != keep),
                         key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in folders[KEEP - 1:]:
        shutil.rmtree(old, ignore_errors=True)
