"""Small helpers for the one-sentence error messages of :mod:`nnsim.io`."""

from __future__ import annotations


def short_repr(text: str, n: int = 60) -> str:
    """``repr(text)``, cut to at most ``n`` characters so a hostile name cannot flood a message."""
    r = repr(text)
    return r if len(r) <= n else r[: n - 4] + "...'"
