"""A frame's history shares the trainer's lists (no per-frame copy) yet shows only the epochs it was built with."""

import numpy as np
import pytest

from nnsim.project import Project
from nnsim.training.live import FrameHistory, HistoryPrefix, LiveFrameBuilder


def test_a_prefix_reads_like_the_list_it_was_cut_from():
    values = [0.5, None, 0.25, 0.125]
    p = HistoryPrefix(values, 3, values[2])
    values.append(9.0)  # the trainer goes on appending
    assert len(p) == 3 and list(p) == [0.5, None, 0.25]
    assert p[-1] == 0.25 and p[0] == 0.5 and p[1:] == [None, 0.25] and p[::-1] == [0.25, None, 0.5]
    assert p == [0.5, None, 0.25] and p != [0.5, None, 0.25, 0.125]
    with pytest.raises(IndexError):
        p[3]
    with pytest.raises(IndexError):
        p[-4]
    assert not HistoryPrefix(values, 0) and HistoryPrefix(values, 0) == []


def test_frame_history_is_frozen_at_its_epoch_count():
    history = {"train_loss": [1.0, 0.5], "test_accuracy": [None, 0.9]}
    frame = FrameHistory(history)
    history["train_loss"].append(0.25)
    history["test_accuracy"].append(0.95)
    assert dict(frame) == {"train_loss": [1.0, 0.5], "test_accuracy": [None, 0.9]}
    assert frame.get("missing") is None and set(frame) == {"train_loss", "test_accuracy"}


def test_frames_built_while_training_keep_their_own_epochs():
    project = Project.example("xor")
    project.set_training({**project.training, "epochs": 50})
    trainer = project.trainer()
    builder = LiveFrameBuilder(trainer)
    trainer.run_epoch()
    first = builder.build(predictions=False, sample=False)
    for _ in range(3):
        trainer.run_epoch()
    second = builder.build(predictions=False, sample=False)
    assert len(first.history["train_loss"]) == 1 and len(second.history["train_loss"]) == 4
    assert list(first.history["train_loss"]) == trainer.history["train_loss"][:1]
    assert np.allclose(np.asarray(second.history["train_loss"], dtype=float), trainer.history["train_loss"])
    assert first.history["train_loss"]._values is trainer.history["train_loss"]  # shared, not copied
