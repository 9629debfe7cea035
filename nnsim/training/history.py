"""Per-epoch history that stays small on long runs.

Up to :data:`MAX_ENTRIES` epochs, the history keeps every epoch: entry i of each series is epoch
i + 1, as project files have always stored it. Beyond that it keeps every s-th epoch, s the
smallest power of two that leaves at most :data:`MAX_ENTRIES` of them, plus the latest epoch, and
an ``epoch`` series numbers the entries. A spiral network ends an epoch every 0.2 ms: ten minutes
kept whole were three million entries per series, 1.5 GB with the curves drawn from them, and
every redraw slowed down with them.

Entries before the latest are never changed in place: thinning builds new lists, and only the
latest entry, when it is not on the stride, is replaced by the next epoch. So a frame that holds
a list with its length and a copy of its last value reads a consistent picture
(:class:`nnsim.training.live.FrameHistory`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

MAX_ENTRIES = 20_000
EPOCH_KEY = "epoch"


def epochs_done(history: Mapping[str, Sequence]) -> int:
    """How many epochs a history covers (its latest epoch's number)."""
    numbers = history.get(EPOCH_KEY)
    if numbers:
        return int(numbers[-1])
    return len(history.get("train_loss") or ())


def latest_values(history: Mapping[str, Sequence]) -> dict[str, float | None]:
    """Each series' latest value (a snapshot's metrics); the epoch numbering is not a metric."""
    return {key: values[-1] for key, values in history.items() if values and key != EPOCH_KEY}


def epoch_numbers(history: Mapping[str, Sequence], n: int | None = None) -> np.ndarray:
    """The epoch number of each entry (1..n when every epoch is kept), as floats."""
    numbers = history.get(EPOCH_KEY)
    if numbers:
        return np.asarray(list(numbers), dtype=np.float64)
    count = len(history.get("train_loss") or ()) if n is None else n
    return np.arange(1, count + 1, dtype=np.float64)


def stride(epochs: int, cap: int | None = None) -> int:
    """Every how many epochs an entry is kept once ``epochs`` have run."""
    cap = MAX_ENTRIES if cap is None else cap
    s = 1
    while epochs > cap * s:
        s *= 2
    return s


def aligned(history: Mapping[str, Sequence], keys: Sequence[str]) -> dict[str, list]:
    """``history`` (copied) with every series in ``keys`` present and of one length, and a valid
    ``epoch`` series or none.

    A series shorter than the longest (a file that recorded it only later, or not at all) is padded
    with None at the front: series line up at their latest epoch, as the curves draw them. An
    ``epoch`` series that does not fit (another length, numbers that are not whole, positive and
    increasing) is dropped: entry i is then epoch i + 1.
    """
    out = {key: list(values) for key, values in history.items()}
    n = max((len(out.get(key) or ()) for key in keys), default=0)
    for key in keys:
        values = out.get(key) or []
        out[key] = [None] * (n - len(values)) + values
    numbers = out.get(EPOCH_KEY)
    if numbers is not None:
        ok = (len(numbers) == n and all(isinstance(v, (int, float)) and v == int(v) and v >= 1 for v in numbers)
              and all(a < b for a, b in zip(numbers, numbers[1:])))
        if not ok:
            del out[EPOCH_KEY]
    return out


def record_epoch(history: dict[str, list], keys: Sequence[str], values: Mapping[str, float | None], epoch: int,
                 cap: int | None = None) -> None:
    """Add epoch number ``epoch`` (the one after the history's latest) to the series ``keys``, which
    must all have one length (see :func:`aligned`)."""
    cap = MAX_ENTRIES if cap is None else cap
    if epoch <= cap and EPOCH_KEY not in history:
        for key in keys:
            history[key].append(values.get(key))
        return
    s = stride(epoch, cap)
    if EPOCH_KEY not in history:  # the first thinning: number the entries kept so far
        history[EPOCH_KEY] = [float(i + 1) for i in range(len(history[keys[0]]))]
    numbers = history[EPOCH_KEY]
    if numbers and int(numbers[-1]) % s != 0:  # the previous latest was kept only as the latest
        for key in (*keys, EPOCH_KEY):
            history[key].pop()
    if any(int(v) % s for v in numbers[-2:]):  # the stride grew: keep only its multiples (new lists)
        keep = [i for i, v in enumerate(numbers) if int(v) % s == 0]
        for key in (*keys, EPOCH_KEY):
            old = history[key]
            history[key] = [old[i] for i in keep]
    for key in keys:
        history[key].append(values.get(key))
    history[EPOCH_KEY].append(float(epoch))
