from nnsim.training.thread_tuner import ThreadTuner


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_chunks(tuner: ThreadTuner, clock: FakeClock, chunks: int, rate: dict[int, float], applied: list[int]) -> None:
    """Train ``chunks`` chunks of 0.04 s, each at ``rate[threads in use]`` updates per second."""
    for _ in range(chunks):
        tuner.before_chunk()
        clock.now += 0.04
        tuner.after_chunk(int(rate[applied[-1]] * 0.04), 0.04)


def make(threads: int = 2, trial_chunks: int = 3, keep: float = 10.0):
    clock, applied = FakeClock(), []
    tuner = ThreadTuner(threads, set_threads=applied.append, clock=clock, trial_chunks=trial_chunks,
                        keep_seconds=keep)
    return tuner, clock, applied


def test_a_trial_alternates_the_thread_counts_then_keeps_the_faster():
    tuner, clock, applied = make()
    run_chunks(tuner, clock, 6, {2: 4000, 1: 4400}, applied)
    assert applied == [2, 1, 2, 1, 2, 1]
    run_chunks(tuner, clock, 5, {2: 4000, 1: 4400}, applied)
    assert tuner.current == 1 and applied[-1] == 1 and len(applied) == 6  # kept: no more switching


def test_all_threads_are_kept_when_they_are_faster():
    tuner, clock, applied = make()
    run_chunks(tuner, clock, 6, {2: 150, 1: 90}, applied)
    tuner.before_chunk()
    assert tuner.current == 2 and applied[-1] == 2


def test_the_choice_is_measured_again_after_a_while():
    tuner, clock, applied = make(keep=1.0)
    run_chunks(tuner, clock, 6, {2: 4000, 1: 4400}, applied)
    assert tuner.current == 1
    clock.now += 1.0  # the load changed meanwhile: now two threads are faster
    run_chunks(tuner, clock, 6, {2: 5000, 1: 4400}, applied)
    tuner.before_chunk()
    assert tuner.current == 2


def test_a_single_thread_machine_never_switches():
    tuner, clock, applied = make(threads=1)
    run_chunks(tuner, clock, 10, {1: 1000}, applied)
    assert applied == [1] and tuner.current == 1


def test_chunks_without_updates_do_not_count():
    tuner, clock, applied = make()
    tuner.before_chunk()
    tuner.after_chunk(0, 0.04)  # e.g. a chunk that only evaluated
    tuner.before_chunk()
    assert applied == [2]  # still the first candidate's turn
