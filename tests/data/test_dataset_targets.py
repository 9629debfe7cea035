import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data import load_dataset


def test_two_class_targets_for_one_sigmoid_unit():
    d = load_dataset({"name": "xor"})
    np.testing.assert_array_equal(d.targets("train", 1), [[0], [1], [1], [0]])


def test_two_class_targets_for_two_softmax_units_are_one_hot():
    d = load_dataset({"name": "xor"})
    np.testing.assert_array_equal(d.targets("test", 2), [[1, 0], [0, 1], [0, 1], [1, 0]])


def test_targets_size_mismatch_message_for_two_classes():
    d = load_dataset({"name": "circle"})
    with pytest.raises(DatasetError) as err:
        d.targets("train", 3, node="out")
    assert str(err.value) == ("The output 'out' has 3 units but the dataset 'circle' has 2 classes: "
                              "give it 2 units (softmax) or 1 unit (sigmoid).")


def test_targets_size_mismatch_message_for_many_classes():
    d = load_dataset({"name": "multi-gauss", "params": {"classes": 5}})
    with pytest.raises(DatasetError, match="has 1 unit but the dataset 'multi-gauss' has 5 classes: give it 5 units"):
        d.targets("train", 1)


def test_regression_targets_mismatch_message():
    d = load_dataset({"name": "plane"})
    assert d.targets("train", 1).shape == (d.n_train, 1)
    with pytest.raises(DatasetError, match="'output' has 2 units but the dataset 'plane' has 1 target value"):
        d.targets("train", 2)


def test_targets_unknown_split():
    with pytest.raises(DatasetError, match="Unknown split"):
        load_dataset({"name": "and"}).targets("validation", 1)


def test_summary_reports_counts_and_balance():
    s = load_dataset({"name": "gauss", "params": {"n_samples": 100}}).summary()
    assert s["n_train"] + s["n_test"] == 100 and s["input_shape"] == [2]
    assert sum(s["class_balance"]["train"].values()) == s["n_train"]
    assert set(s["class_balance"]["test"]) == {"negative", "positive"}


def test_dataset_is_frozen():
    d = load_dataset({"name": "and"})
    with pytest.raises(AttributeError):
        d.name = "other"
