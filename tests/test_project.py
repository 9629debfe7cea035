"""Project: files, examples, and building networks from saved weights."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from nnsim.core.errors import GraphError, ProjectFileError
from nnsim.graph import sequential
from nnsim.project import EXAMPLES_DIR, Project, example_catalog, example_names

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_EXAMPLES = sorted(["xor", "spiral", "digits-mlp", "digits-cnn", "shapes-cnn", "hello-rnn", "hello-lstm",
                           "recall-rnn", "recall-lstm", "sine-gru", "sentiment-textcnn", "sentiment-bilstm",
                           "zen-lstm", "and-gate", "or-gate", "not-gate", "perceptron-or", "perceptron-xor",
                           "xor-neurons", "adaline-regression", "rbm-digits", "dbn-digits", "rbm-bars", "autoencoder-digits",
                           "stacked-autoencoder-digits"])
FIXED_WEIGHT_EXAMPLES = {"and-gate", "or-gate", "not-gate"}  # shipped with their weights, epochs 0


def small_project(**training) -> Project:
    graph = sequential([("Input", {}), ("Dense", {"units": 3, "activation": "tanh"}),
                        ("Dense", {"units": 1, "activation": "sigmoid"})], names=["in", "hidden", "out"])
    return Project(graph, {"name": "circle", "params": {"noise": 0.05, "n_samples": 100}},
                   {"loss": "bce", "optimizer": "rmsprop", "learning_rate": 0.02, "batch_size": 8, "epochs": 7,
                    "validation_split": 0.1, "seed": 3, **training},
                   meta={"title": "Circle ✓", "description": "a disc in a ring", "tags": ["demo"]})


def trained_project() -> Project:
    project = small_project()
    trainer = project.trainer()
    trainer.run(2)
    project.capture(trainer)
    return project


def load_build_script():
    spec = importlib.util.spec_from_file_location("build_examples", ROOT / "scripts" / "build_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- files ----------------------------------------------------------------------------------------
def test_save_and_load_round_trip_keeps_everything(tmp_path):
    project = trained_project()
    path = tmp_path / "p.nnsim"
    project.save(path)
    loaded = Project.load(path)
    assert loaded.graph.to_dict() == project.graph.to_dict()
    assert loaded.dataset == project.dataset
    assert loaded.training == project.training
    assert loaded.history == project.history
    assert loaded.meta == project.meta
    assert loaded.weights.keys() == project.weights.keys()
    for key, value in project.weights.items():
        assert loaded.weights[key].dtype == value.dtype
        assert loaded.weights[key].shape == value.shape
        assert loaded.weights[key].tobytes() == value.tobytes(), key


def test_round_trip_keeps_none_entries_of_history(tmp_path):
    project = trained_project()
    project.history["test_rmse"] = [None, None]
    project.save(tmp_path / "p.nnsim")
    assert Project.load(tmp_path / "p.nnsim").history["test_rmse"] == [None, None]


def test_build_network_loads_the_saved_weights(tmp_path):
    project = trained_project()
    project.save(tmp_path / "p.nnsim")
    net = Project.load(tmp_path / "p.nnsim").build_network()
    weights = net.get_weights()
    assert all(np.array_equal(weights[k], project.weights[k]) for k in project.weights)


def test_build_network_can_ignore_saved_weights():
    project = trained_project()
    fresh = project.build_network(use_saved_weights=False).get_weights()
    assert not np.array_equal(fresh["hidden/weight"], project.weights["hidden/weight"])


def test_weights_of_the_wrong_shape_raise_graph_error():
    project = trained_project()
    project.weights["hidden/weight"] = np.zeros((5, 2), np.float32)
    with pytest.raises(GraphError, match=r"saved weights don't fit.*'hidden/weight'.*Reset the weights"):
        project.build_network()


def test_weights_for_an_unknown_node_raise_graph_error():
    project = trained_project()
    project.weights["gone/weight"] = np.zeros((3, 2), np.float32)
    with pytest.raises(GraphError, match=r"saved weights don't fit.*'gone/weight'"):
        project.build_network()


def test_reset_forgets_weights_and_history():
    project = trained_project()
    project.reset()
    assert project.weights == {} and project.history == {}


def test_corrupt_file_raises_project_file_error(tmp_path):
    path = tmp_path / "broken.nnsim"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file")
    with pytest.raises(ProjectFileError):
        Project.load(path)


def test_missing_file_raises_project_file_error(tmp_path):
    with pytest.raises(ProjectFileError):
        Project.load(tmp_path / "nowhere.nnsim")


# --- examples -------------------------------------------------------------------------------------
def test_example_names_are_the_shipped_files():
    assert example_names() == EXPECTED_EXAMPLES


def test_unknown_example_lists_the_known_names():
    with pytest.raises(ProjectFileError, match=r"no bundled example 'nope'") as info:
        Project.example("nope")
    for name in EXPECTED_EXAMPLES:
        assert name in str(info.value)


def test_example_catalog_gives_a_title_and_description_for_each():
    catalog = example_catalog()
    assert [name for name, _, _ in catalog] == EXPECTED_EXAMPLES
    assert all(title and description and "damaged" not in title for _, title, description in catalog)


def test_build_script_builds_exactly_the_shipped_examples():
    assert sorted(load_build_script().examples()) == example_names()


@pytest.mark.parametrize("name", EXPECTED_EXAMPLES)
def test_shipped_example_equals_what_the_build_script_builds(name):
    expected = load_build_script().examples()[name]
    shipped = Project.example(name)
    assert shipped.graph.to_dict() == expected.graph.to_dict()
    assert shipped.dataset == expected.dataset
    assert shipped.training == expected.training
    assert shipped.meta == expected.meta
    assert shipped.history == {}
    assert shipped.weights.keys() == expected.weights.keys()
    assert bool(shipped.weights) == (name in FIXED_WEIGHT_EXAMPLES)
    for key, value in expected.weights.items():
        np.testing.assert_array_equal(shipped.weights[key], value)


def test_examples_dir_holds_only_project_files():
    assert sorted(p.name for p in EXAMPLES_DIR.iterdir()) == sorted(f"{n}.nnsim" for n in EXPECTED_EXAMPLES)


@pytest.mark.parametrize("name", EXPECTED_EXAMPLES)
def test_a_trained_example_survives_save_and_load_with_identical_outputs(name, tmp_path):
    """Every layer kind the examples use (conv, pooling, embedding, RNN/LSTM/GRU, bidirectional)
    goes through the file format: same weights, same predictions."""
    project = Project.example(name)
    project.set_training({**project.training, "epochs": 1})
    trainer = project.trainer()
    trainer.run(1)
    project.capture(trainer)
    path = tmp_path / f"{name}.nnsim"
    project.save(path)
    loaded = Project.load(path)
    x = project.load_dataset().x_test[:5]
    np.testing.assert_array_equal(loaded.build_network().forward(x), trainer.net.forward(x))
