"""How many kernel threads a training thread should use, measured while it trains.

Conv2D and LSTM kernels split big batches over two threads (:mod:`nnsim.engine.kernels.parts`), one
fork and join per call. That pays off when the second core is free. Next to the window it often is
not: the GUI thread paints on it, the kernel's second thread waits to be scheduled and the first
one waits for it at the join (digits-cnn in ``nnsim bench --gui``: 0.85 of headless speed with two
threads, 0.89-0.93 with one). Where kernels split much more work, two threads can still win (LeNet:
8 ms a step with two, 13 ms with one, while another process held a core; see
:mod:`nnsim.engine.kernel_threads`). So the tuner measures both and keeps the faster for a while
before it measures again (the window's load changes when views open or close).

The numbers do not depend on the thread count (the parts of a batch are fixed by its size), so
switching changes only the speed. Numba's thread count is per calling thread: call
:meth:`ThreadTuner.before_chunk` on the thread that trains. No Qt.
"""

from __future__ import annotations

import time
from typing import Callable

WINDOW_SECONDS = 0.5  # one measurement: the updates a thread count achieves in this much wall time
TRIAL = (0, 1, 1, 0)  # windows of a trial, as indices into the choices: A B B A cancels a steady drift
SETTLE_SECONDS = 2.0  # the first trial waits this long (compiling, warming caches, the window opening)
KEEP_SECONDS = 15.0  # how long a choice is kept before the next trial


def _set_threads(n: int) -> None:
    import numba

    numba.set_num_threads(n)


def _available_threads() -> int:
    import numba

    return int(numba.config.NUMBA_NUM_THREADS)


class ThreadTuner:
    """Chooses between all kernel threads and one, by the updates per second each achieves.

    A trial is four windows of about half a second (all, one, one, all threads); a window's rate is
    its updates over its wall time, frames and waits included, so it is the speed a user sees. Whole
    windows rather than single chunks are compared because chunks differ (some end epochs and
    evaluate, some do not) and alternate in patterns.
    """

    def __init__(self, threads: int | None = None, set_threads: Callable[[int], None] = _set_threads,
                 clock: Callable[[], float] = time.perf_counter, window_seconds: float = WINDOW_SECONDS,
                 settle_seconds: float = SETTLE_SECONDS, keep_seconds: float = KEEP_SECONDS):
        most = _available_threads() if threads is None else threads
        self.choices = (most, 1) if most > 1 else (most,)
        self._set_threads, self._clock = set_threads, clock
        self.window_seconds, self.settle_seconds, self.keep_seconds = window_seconds, settle_seconds, keep_seconds
        self.current = self.choices[0]
        self.rates: dict[int, float] = {}  # threads -> updates per second, from the latest trial
        self._applied: int | None = None
        self._next_trial: float | None = None  # clock time of the next trial (set by the first chunk)
        self._trial: list[list[float]] | None = None  # per choice: [updates, seconds] while measuring
        self._window = 0  # index into TRIAL
        self._window_start: float | None = 0.0  # None: restart at the next chunk
        self._window_updates = 0

    def before_chunk(self) -> None:
        """Set the thread count for the next chunk (the running trial's, or the choice)."""
        now = self._clock()
        if self._next_trial is None:
            self._next_trial = now + self.settle_seconds
        if len(self.choices) > 1 and self._trial is None and now >= self._next_trial:
            self._trial = [[0.0, 0.0] for _ in self.choices]
            self._window, self._window_start, self._window_updates = 0, now, 0
        if self._trial is not None:
            self.current = self.choices[TRIAL[self._window]]
            if self._window_start is None:
                self._window_start = now
        if self.current != self._applied:
            self._set_threads(self.current)
            self._applied = self.current

    def interrupted(self) -> None:
        """Training stopped for a while (paused, stepped by hand, slowed down): the window being measured
        starts again at the next full-speed chunk, so idle time never counts against a thread count."""
        if self._trial is not None:
            self._window_start, self._window_updates = None, 0

    def after_chunk(self, updates: int) -> None:
        """Count a full-speed chunk's updates; a window ends once it has lasted ``window_seconds``."""
        if self._trial is None:
            return
        self._window_updates += updates
        now = self._clock()
        if now - self._window_start < self.window_seconds:
            return
        totals = self._trial[TRIAL[self._window]]
        totals[0] += self._window_updates
        totals[1] += now - self._window_start
        self._window, self._window_start, self._window_updates = self._window + 1, now, 0
        if self._window == len(TRIAL):
            rates = [u / s if s > 0 else 0.0 for u, s in self._trial]
            self.current = self.choices[max(range(len(rates)), key=rates.__getitem__)]  # a tie keeps all threads
            self.rates = dict(zip(self.choices, rates))
            self._trial = None
            self._next_trial = now + self.keep_seconds
