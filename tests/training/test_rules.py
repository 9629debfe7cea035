"""The perceptron and Adaline rules against updates worked out by hand, and the graphs they refuse."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.errors import GraphError, TrainingError
from nnsim.engine import reference as ref
from nnsim.engine.kernels.activation import rule_backward
from nnsim.graph import sequential
from nnsim.project import Project


def one_neuron(gate: str, rule: str, activation: str, lr: float) -> Project:
    graph = sequential([("Input", {}), ("Neuron", {"activation": activation, "init": "zeros"})],
                       names=["input", "out"])
    return Project(graph, {"name": gate, "params": {}},
                   {"rule": rule, "loss": "mse", "optimizer": "sgd", "learning_rate": lr, "batch_size": 1,
                    "shuffle": False, "epochs": 4})


def trajectory(project: Project, steps: int) -> list[tuple[float, ...]]:
    """(w..., b) after each single-sample update."""
    trainer = project.trainer()
    out = []
    for _ in range(steps):
        trainer.step(max_steps=1)
        w = trainer.net.get_weights()
        out.append(tuple(float(v) for v in np.r_[w["out/weight"].ravel(), w["out/bias"]]))
    return out


def test_rule_backward_matches_the_reference():
    rng = np.random.default_rng(0)
    dy, dx0 = rng.normal(size=7), rng.normal(size=7)
    dx = dx0.copy()
    rule_backward(dy, dx, 0.5)
    np.testing.assert_allclose(dx, dx0 + ref.rule_backward(dy, 0.5))


def test_perceptron_rule_on_or_by_hand():
    """w <- w + α x (y - f(x)), α = 0.5, w = b = 0, rows (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->1 in order;
    step(0) = 1.
    Epoch 1: (0,0): f=1, y=0 -> b = -0.5.  (0,1): net -0.5, f=0, y=1 -> w2 = 0.5, b = 0.  (1,0), (1,1): right.
    Epoch 2: (0,0): net 0, f=1 -> b = -0.5.  (0,1): net 0, right.  (1,0): net -0.5, f=0 -> w1 = 0.5, b = 0.
             (1,1): right.
    Epoch 3: (0,0): net 0, f=1 -> b = -0.5; the rest right.  Epoch 4: everything right, nothing changes."""
    expected = [(0, 0, -0.5), (0, 0.5, 0), (0, 0.5, 0), (0, 0.5, 0),
                (0, 0.5, -0.5), (0, 0.5, -0.5), (0.5, 0.5, 0), (0.5, 0.5, 0),
                (0.5, 0.5, -0.5), (0.5, 0.5, -0.5), (0.5, 0.5, -0.5), (0.5, 0.5, -0.5),
                (0.5, 0.5, -0.5), (0.5, 0.5, -0.5), (0.5, 0.5, -0.5), (0.5, 0.5, -0.5)]
    assert trajectory(one_neuron("or", "perceptron", "step", 0.5), 16) == expected


def test_adaline_rule_on_not_by_hand():
    """w <- w + α x (y - net) on the weighted sum (the sign output is used only when evaluating);
    α = 0.25, w = b = 0, rows x=0 -> 1, x=1 -> 0.
    1: net 0, error 1 -> b = 0.25.  2: net 0.25, error -0.25 -> w = -0.0625, b = 0.1875.
    3: x=0, net 0.1875, error 0.8125 -> b = 0.390625.
    4: x=1, net 0.328125, error -0.328125 -> w = -0.14453125, b = 0.30859375."""
    expected = [(0, 0.25), (-0.0625, 0.1875), (-0.0625, 0.390625), (-0.14453125, 0.30859375)]
    project = one_neuron("not", "adaline", "sign", 0.25)
    assert trajectory(project, 4) == expected


def test_adaline_trains_on_the_sum_and_evaluates_through_the_activation():
    project = one_neuron("not", "adaline", "sign", 0.25)
    trainer = project.trainer()
    trainer.run(1)
    assert trainer.history["train_loss"][0] == pytest.approx((1.0 ** 2 + 0.25 ** 2) / 2)  # LMS loss of net
    assert trainer.net.forward(np.array([[0.0], [1.0]])).ravel().tolist() == [1.0, 1.0]  # sign(0.1875)


def test_perceptron_rule_trains_a_dense_layer_too():
    graph = sequential([("Input", {}), ("Dense", {"units": 1, "activation": "step"})])
    project = Project(graph, {"name": "and", "params": {}},
                      {"rule": "perceptron", "loss": "mse", "optimizer": "sgd", "learning_rate": 0.5,
                       "batch_size": 1, "epochs": 30})
    trainer = project.trainer()
    trainer.run()
    assert trainer.evaluate("train")["accuracy"] == 1.0


def test_backprop_cannot_train_a_step_neuron():
    trainer = one_neuron("or", "backprop", "step", 0.5).trainer()
    trainer.run(3)
    assert all(not w.any() for w in trainer.net.get_weights().values())


# --- refusals ---------------------------------------------------------------------------------------
def test_rules_refuse_a_hidden_layer_in_one_sentence():
    graph = sequential([("Input", {}), ("Neuron", {}), ("Neuron", {})], names=["input", "hidden", "out"])
    project = Project(graph, {"name": "xor", "params": {}}, {"rule": "perceptron"})
    with pytest.raises(GraphError) as info:
        project.build_network()
    assert str(info.value) == ("The perceptron rule trains one layer of Neuron or Dense units fed by the Input, "
                               "but 'out' gets input from 'hidden': connect 'out' straight to the Input, or "
                               "train this multi-layer network with backprop.")


def test_rules_refuse_an_output_that_is_not_a_unit():
    graph = sequential([("Input", {}), ("Activation", {})], names=["input", "act"])
    project = Project(graph, {"name": "xor", "params": {}}, {"rule": "adaline"})
    with pytest.raises(GraphError, match="'act' is of type Activation: make a Neuron or Dense unit the output"):
        project.build_network()


def test_rules_need_the_squared_error():
    graph = sequential([("Input", {}), ("Neuron", {})])
    project = Project(graph, {"name": "or", "params": {}}, {"rule": "perceptron", "loss": "bce"})
    with pytest.raises(TrainingError, match="set the loss to mse"):
        project.build_network()


def test_trainer_refuses_a_network_compiled_for_another_rule():
    project = one_neuron("or", "perceptron", "step", 0.5)
    net = project.build_network()
    project.set_training({**project.training, "rule": "adaline"})
    with pytest.raises(TrainingError, match="compiled for the perceptron rule"):
        project.trainer(net)


def test_rules_refuse_a_softmax_output():
    graph = sequential([("Input", {}), ("Dense", {"units": 3, "activation": "softmax"})], names=["input", "out"])
    project = Project(graph, {"name": "multi-gauss", "params": {}}, {"rule": "perceptron"})
    with pytest.raises(GraphError, match="'out' ends in softmax: choose step, sign, identity or sigmoid"):
        project.build_network()
