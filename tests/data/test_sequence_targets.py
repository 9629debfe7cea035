import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data import load_dataset
from nnsim.data.text import make_hello, make_zen


def test_step_labels_give_flat_one_hot_per_step():
    t = make_hello().targets("train", 16)
    assert t.shape == (1, 16) and t.dtype == np.float32
    np.testing.assert_array_equal(t.reshape(4, 4), np.eye(4)[[1, 2, 2, 3]])


def test_step_targets_for_many_windows():
    d = make_zen(seq_len=10)
    t = d.targets("test", 10 * d.n_classes).reshape(d.n_test, 10, d.n_classes)
    np.testing.assert_array_equal(t.argmax(axis=2), d.labels_test)
    assert np.all(t.sum(axis=2) == 1)


def test_step_targets_size_mismatch_names_steps_and_characters():
    with pytest.raises(DatasetError) as err:
        make_hello().targets("train", 12, node="out")
    assert str(err.value) == ("The output 'out' gives 4x3 values per sample but the dataset 'hello' needs "
                              "4 steps x 4 characters: give the last layer 4 units (one per character) at "
                              "each of the 4 steps, 16 values in all.")


def test_step_targets_refuse_a_single_sigmoid():
    with pytest.raises(DatasetError, match="gives 1 value per sample but the dataset 'hello' needs 4 steps x 4 characters"):
        make_hello().targets("train", 1)


def test_step_labels_report_their_steps():
    assert make_hello().label_steps == 4
    assert load_dataset({"name": "recall", "params": {"n_samples": 100}}).label_steps == 0


def test_many_to_one_regression_targets():
    d = load_dataset({"name": "sine", "params": {"n_samples": 100}})
    t = d.targets("train", 1)
    assert t.shape == (d.n_train, 1) and t.dtype == np.float32


def test_many_to_many_regression_targets_are_flattened_steps():
    d = load_dataset({"name": "running-sum", "params": {"seq_len": 6, "n_samples": 100}})
    t = d.targets("train", 6)
    assert t.shape == (d.n_train, 6)
    np.testing.assert_array_equal(t, d.y_train[:, :, 0])


def test_many_to_many_regression_size_mismatch():
    d = load_dataset({"name": "running-sum", "params": {"seq_len": 6, "n_samples": 100}})
    with pytest.raises(DatasetError, match="has 1 unit but the dataset 'running-sum' has 6 target values"):
        d.targets("train", 1)


def test_many_to_one_classification_of_sequences_is_one_hot():
    d = load_dataset({"name": "recall", "params": {"n_samples": 100}})
    assert d.targets("train", 8).shape == (d.n_train, 8)


def test_digits_image_summary():
    s = load_dataset({"name": "digits", "params": {"layout": "image"}}).summary()
    assert s["layout"] == "image" and s["image"] == {"channels": 1, "height": 8, "width": 8}
    assert s["output_units"] == 10


def test_token_summary_names_the_encoding():
    s = load_dataset({"name": "sentiment", "params": {"n_samples": 100}}).summary()
    assert s["layout"] == "tokens" and s["input_encoding"] == "ids" and s["sequence_length"] == 12


def test_vector_summary_has_no_sequence_fields():
    s = load_dataset({"name": "gauss"}).summary()
    assert s["layout"] == "vector" and "sequence_length" not in s and "vocab_size" not in s
