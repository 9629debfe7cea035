"""A snapshot computes only what it is asked for, and the same values whichever parts it computes."""

import numpy as np
import pytest

from nnsim.project import Project


@pytest.mark.parametrize("example", ["spiral", "digits-cnn", "hello-lstm"])
def test_activations_alone_equal_those_of_a_full_snapshot(example):
    trainer = Project.example(example).trainer()
    trainer.run_epoch()
    full = trainer.snapshot()
    alone = trainer.snapshot(gradients=False)
    assert not alone.gradients and not alone.grad_norms
    assert alone.activations.keys() == full.activations.keys()
    for node, values in full.activations.items():
        np.testing.assert_array_equal(alone.activations[node], values)
    for node, gates in full.internals.items():
        for name, values in gates.items():
            np.testing.assert_array_equal(alone.internals[node][name], values)
    np.testing.assert_array_equal(alone.probe_outputs, full.probe_outputs)


def test_nothing_on_the_probe_when_neither_is_asked():
    trainer = Project.example("spiral").trainer()
    trainer.run_epoch()
    snap = trainer.snapshot(activations=False, gradients=False)
    assert not snap.activations and not snap.gradients and snap.probe_outputs is None and snap.weights
