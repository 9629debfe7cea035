"""A minimal, Qt-free signal: views subscribe to model changes.

Modelled on napari's EventEmitter: ``connect`` a callback, ``emit`` calls every callback with the
keyword arguments, and ``blocker()`` silences the signal while a view mirrors a value back.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator


class Signal:
    def __init__(self) -> None:
        self._callbacks: list[Callable[..., Any]] = []
        self._blocked = 0

    def connect(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        if callback not in self._callbacks:
            self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable[..., Any]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, **kwargs: Any) -> None:
        if self._blocked:
            return
        for callback in list(self._callbacks):
            callback(**kwargs)

    @contextmanager
    def blocker(self) -> Iterator[None]:
        self._blocked += 1
        try:
            yield
        finally:
            self._blocked -= 1
