"""Long runs keep a bounded history: every epoch up to a cap, then every s-th epoch plus the latest."""

import pytest

from nnsim.project import Project
from nnsim.training.history import EPOCH_KEY, aligned, epoch_numbers, epochs_done, record_epoch, stride
from nnsim.training.live import FrameHistory

KEYS = ("train_loss", "test_loss")


def run(epochs: int, cap: int, history=None) -> dict:
    history = history if history is not None else {key: [] for key in KEYS}
    start = epochs_done(history)
    for e in range(start + 1, start + epochs + 1):
        record_epoch(history, KEYS, {"train_loss": float(e), "test_loss": None if e % 3 else -float(e)}, e, cap=cap)
    return history


def test_short_histories_keep_every_epoch_without_numbers():
    history = run(10, cap=10)
    assert history["train_loss"] == [float(e) for e in range(1, 11)] and EPOCH_KEY not in history
    assert epochs_done(history) == 10 and list(epoch_numbers(history)) == list(range(1, 11))


@pytest.mark.parametrize("epochs", [11, 25, 40, 41, 163, 1000])
def test_long_histories_keep_every_stride_th_epoch_and_the_latest(epochs):
    cap = 10
    history = run(epochs, cap=cap)
    s = stride(epochs, cap)
    expected = [e for e in range(1, epochs + 1) if e % s == 0]
    if expected[-1] != epochs:
        expected.append(epochs)
    assert history[EPOCH_KEY] == [float(e) for e in expected]
    assert history["train_loss"] == [float(e) for e in expected]  # each value stays with its epoch
    assert history["test_loss"] == [None if e % 3 else -float(e) for e in expected]
    assert len(history["train_loss"]) <= cap + 1 and epochs_done(history) == epochs


def test_thinning_swaps_in_new_lists_and_older_entries_never_change_in_place():
    history = run(10, cap=10)
    before = history["train_loss"]
    snapshot = list(before)
    run(1, cap=10, history=history)  # epoch 11: the stride becomes 2
    assert history["train_loss"] is not before and before == snapshot
    kept = history["train_loss"]
    frozen = FrameHistory(history)
    run(3, cap=10, history=history)  # epochs 12 (replaces the latest, 11), 13, 14
    assert list(frozen["train_loss"]) == [2.0, 4.0, 6.0, 8.0, 10.0, 11.0]  # what the frame saw
    assert kept is history["train_loss"] and kept[:5] == [2.0, 4.0, 6.0, 8.0, 10.0]


def test_a_history_resumes_from_its_latest_epoch():
    history = run(25, cap=10)
    run(10, cap=10, history=history)
    assert epochs_done(history) == 35 and history[EPOCH_KEY][-1] == 35.0


@pytest.mark.parametrize("numbers", [[1.0, 2.0], [1.0, 1.0, 2.0], [0.0, 1.0, 2.0], [1.5, 2.0, 3.0], [3.0, 2.0, 4.0]])
def test_numbers_that_do_not_fit_their_series_are_dropped(numbers):
    history = {"train_loss": [0.5, 0.4, 0.3], "test_loss": [None, None, 0.2], EPOCH_KEY: numbers}
    fixed = aligned(history, KEYS)
    assert EPOCH_KEY not in fixed and epochs_done(fixed) == 3
    assert EPOCH_KEY in history  # the caller's dict is left alone


def test_a_trainer_thins_its_history_and_counts_epochs_across_a_save(monkeypatch, tmp_path):
    import nnsim.training.history as H

    monkeypatch.setattr(H, "MAX_ENTRIES", 8)
    project = Project.example("xor")
    project.set_training({**project.training, "epochs": 30})
    trainer = project.trainer()
    trainer.run()
    assert trainer.epoch == 30 and len(trainer.history["train_loss"]) <= 9
    assert trainer.history[EPOCH_KEY][0] == 4.0 and trainer.history[EPOCH_KEY][-1] == 30.0
    project.capture(trainer)
    project.save(tmp_path / "long.nnsim")
    loaded = Project.load(tmp_path / "long.nnsim")
    assert loaded.history[EPOCH_KEY] == trainer.history[EPOCH_KEY]
    again = loaded.trainer()
    assert again.epoch == 30
    again.run_epoch()
    assert again.history[EPOCH_KEY][-1] == 31.0 and again.history[EPOCH_KEY][-2] == 28.0  # 30 was only the latest


def test_series_of_different_lengths_are_aligned_at_their_latest_epoch():
    history = aligned({"train_loss": [0.5, 0.4, 0.3], "test_loss": [0.6]}, ("train_loss", "test_loss", "val_loss"))
    assert history == {"train_loss": [0.5, 0.4, 0.3], "test_loss": [None, None, 0.6], "val_loss": [None] * 3}


def test_a_file_with_some_series_and_epoch_numbers_keeps_them_and_thins_on(tmp_path):
    project = Project.example("xor")
    project.history = {EPOCH_KEY: [2.0, 4.0, 6.0, 40000.0, 40001.0], "train_loss": [0.6, 0.5, 0.4, 0.02, 0.02]}
    trainer = project.trainer()
    assert trainer.epoch == 40001
    assert trainer.history["test_loss"] == [None] * 5 and trainer.history["train_loss"][-1] == 0.02
    trainer.run_epoch()  # epoch 40002: past twice the cap, so every 4th epoch plus the latest
    assert trainer.history[EPOCH_KEY] == [4.0, 40000.0, 40002.0]
    assert len({len(trainer.history[k]) for k in (EPOCH_KEY, "train_loss", "test_loss", "grad_norm")}) == 1
