"""How many kernel threads a training thread should use, measured while it trains.

Conv2D and LSTM kernels split big batches over two threads (:mod:`nnsim.engine.kernels.parts`), one
fork and join per call. That pays off when the second core is free. Next to the window it often is
not: the GUI thread paints on it, the kernel's second thread waits to be scheduled and the first
one waits for it at the join (digits-cnn in ``nnsim bench --gui``: 0.85 of headless speed with two
threads, 0.89-0.93 with one). For a network whose kernels split much more work (LeNet), two threads
still win. So the tuner times both, alternating chunk by chunk, and keeps the faster for a while
before it measures again (the window's load changes when views open or close).

The numbers do not depend on the thread count (the parts of a batch are fixed by its size), so
switching changes only the speed. Numba's thread count is per calling thread: call
:meth:`ThreadTuner.before_chunk` on the thread that trains. No Qt.
"""

from __future__ import annotations

import time
from typing import Callable

TRIAL_CHUNKS = 8  # chunks timed per thread count in one trial (alternating, so drift hits both alike)
KEEP_SECONDS = 15.0  # how long a choice is kept before the next trial


def _set_threads(n: int) -> None:
    import numba

    numba.set_num_threads(n)


def _available_threads() -> int:
    import numba

    return int(numba.config.NUMBA_NUM_THREADS)


class ThreadTuner:
    """Chooses between all kernel threads and one, by the updates per second each achieves."""

    def __init__(self, threads: int | None = None, set_threads: Callable[[int], None] = _set_threads,
                 clock: Callable[[], float] = time.perf_counter, trial_chunks: int = TRIAL_CHUNKS,
                 keep_seconds: float = KEEP_SECONDS):
        most = _available_threads() if threads is None else threads
        self.choices = (most, 1) if most > 1 else (1,)
        self._set_threads, self._clock = set_threads, clock
        self.trial_chunks, self.keep_seconds = trial_chunks, keep_seconds
        self.current = self.choices[0]
        self._applied: int | None = None
        self._trial: dict[int, list[float]] | None = None  # threads -> [updates, seconds] while measuring
        self._turn = 0
        self._keep_until = 0.0  # a trial starts with the first chunk

    def before_chunk(self) -> None:
        """Set the thread count for the next chunk (a trial's next candidate, or the choice)."""
        if len(self.choices) > 1 and self._trial is None and self._clock() >= self._keep_until:
            self._trial, self._turn = {n: [0.0, 0.0] for n in self.choices}, 0
        if self._trial is not None:
            self.current = self.choices[self._turn % len(self.choices)]
        if self.current != self._applied:
            self._set_threads(self.current)
            self._applied = self.current

    def after_chunk(self, updates: int, seconds: float) -> None:
        """Count a full-speed chunk's updates and wall time towards the running trial."""
        if self._trial is None or updates <= 0 or seconds <= 0:
            return
        totals = self._trial[self.current]
        totals[0] += updates
        totals[1] += seconds
        self._turn += 1
        if self._turn >= self.trial_chunks * len(self.choices):
            rates = {n: u / s for n, (u, s) in self._trial.items() if s > 0}
            self.current = max(rates, key=rates.get)  # ties keep the first: all threads
            self._trial = None
            self._keep_until = self._clock() + self.keep_seconds
