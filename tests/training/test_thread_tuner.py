import pytest

from nnsim.training.thread_tuner import ThreadTuner


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make(threads: int = 2, settle: float = 1.0, keep: float = 10.0):
    clock, applied = FakeClock(), []
    tuner = ThreadTuner(threads, set_threads=applied.append, clock=clock, window_seconds=0.5,
                        settle_seconds=settle, keep_seconds=keep)
    return tuner, clock, applied


def train(tuner: ThreadTuner, clock: FakeClock, seconds: float, rate: dict[int, float], applied: list[int]) -> None:
    """Chunks of 0.1 s, each at ``rate[threads in use]`` updates per second."""
    for _ in range(round(seconds / 0.1)):
        tuner.before_chunk()
        clock.now += 0.1
        tuner.after_chunk(int(rate[applied[-1]] * 0.1))


def test_all_threads_until_the_first_trial():
    tuner, clock, applied = make(settle=1.0)
    train(tuner, clock, 0.9, {2: 100, 1: 200}, applied)
    assert applied == [2]


def test_a_trial_measures_both_then_keeps_the_faster():
    tuner, clock, applied = make(settle=0.0)
    train(tuner, clock, 2.0, {2: 4000, 1: 4400}, applied)  # four half-second windows: 2, 1, 1, 2
    assert applied == [2, 1, 2]
    train(tuner, clock, 5.0, {2: 4000, 1: 4400}, applied)
    assert tuner.current == 1 and applied == [2, 1, 2, 1]  # kept: no switching until the next trial
    assert tuner.rates == pytest.approx({2: 4000, 1: 4400})


def test_all_threads_are_kept_when_they_are_faster():
    tuner, clock, applied = make(settle=0.0)
    train(tuner, clock, 3.0, {2: 150, 1: 90}, applied)
    assert tuner.current == 2 and applied[-1] == 2


def test_the_choice_is_measured_again_after_a_while():
    tuner, clock, applied = make(settle=0.0, keep=1.0)
    train(tuner, clock, 2.2, {2: 4000, 1: 4400}, applied)  # four half-second windows and a little
    assert tuner.current == 1
    train(tuner, clock, 3.5, {2: 5000, 1: 4400}, applied)  # the load changed: now two threads are faster
    assert tuner.current == 2


def test_a_single_thread_machine_never_switches():
    tuner, clock, applied = make(threads=1, settle=0.0)
    train(tuner, clock, 5.0, {1: 1000}, applied)
    assert applied == [1] and tuner.current == 1


def test_a_pause_during_a_trial_does_not_count_against_the_thread_count_in_use():
    """Ten idle seconds inside the window of one thread would make it look ten times slower."""
    tuner, clock, applied = make(settle=0.0)
    train(tuner, clock, 0.7, {2: 4000, 1: 4400}, applied)  # the first window (2 threads), then into the second
    assert applied == [2, 1]
    tuner.interrupted()
    clock.now += 10.0  # paused
    train(tuner, clock, 2.0, {2: 4000, 1: 4400}, applied)  # the three windows left, and a little
    assert tuner.current == 1
    assert tuner.rates[1] == pytest.approx(4400)
