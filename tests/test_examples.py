"""Each bundled example, trained with its own settings at seed 0, reaches the accuracy it promises."""

import pytest

from nnsim.project import Project


def train_example(name: str):
    project = Project.example(name)
    assert project.training["seed"] == 0
    trainer = project.trainer()
    trainer.run()  # the project's own number of epochs
    assert trainer.epoch == project.training["epochs"]
    return trainer


@pytest.mark.slow
def test_xor_reaches_full_train_accuracy():
    trainer = train_example("xor")
    assert trainer.evaluate("train")["accuracy"] == 1.0


@pytest.mark.slow
def test_spiral_reaches_95_percent_test_accuracy():
    trainer = train_example("spiral")
    assert trainer.evaluate("test")["accuracy"] >= 0.95


@pytest.mark.slow
def test_digits_mlp_reaches_95_percent_test_accuracy():
    trainer = train_example("digits-mlp")
    assert trainer.evaluate("test")["accuracy"] >= 0.95


@pytest.mark.parametrize("name", ["xor", "spiral", "digits-mlp"])
def test_training_an_example_is_reproducible(name):
    """Two runs of a few epochs at seed 0 give the same loss history."""
    runs = []
    for _ in range(2):
        project = Project.example(name)
        trainer = project.trainer()
        trainer.run(3)
        runs.append(trainer.history["train_loss"])
    assert runs[0] == runs[1]
