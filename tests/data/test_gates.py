import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data.gates import make_gate

TABLES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "xor": [0, 1, 1, 0],
}


@pytest.mark.parametrize("gate", sorted(TABLES))
def test_two_input_gate_truth_table_is_exact(gate):
    d = make_gate(gate)
    np.testing.assert_array_equal(d.x_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(d.labels_train, TABLES[gate])


def test_not_gate_has_one_input():
    d = make_gate("not")
    assert d.input_shape == (1,)
    np.testing.assert_array_equal(d.x_train, [[0], [1]])
    np.testing.assert_array_equal(d.labels_train, [1, 0])


def test_gate_test_set_is_the_truth_table():
    d = make_gate("xor")
    np.testing.assert_array_equal(d.x_train, d.x_test)
    np.testing.assert_array_equal(d.labels_train, d.labels_test)


def test_bipolar_encoding_uses_minus_one_and_keeps_labels():
    d = make_gate("and", "bipolar")
    np.testing.assert_array_equal(d.x_train, [[-1, -1], [-1, 1], [1, -1], [1, 1]])
    np.testing.assert_array_equal(d.labels_train, [0, 0, 0, 1])


def test_gate_dtypes_and_class_names():
    d = make_gate("or")
    assert d.x_train.dtype == np.float32 and d.labels_train.dtype == np.int64
    assert d.class_names == ["0", "1"] and d.task == "classification"


def test_unknown_gate_is_refused():
    with pytest.raises(DatasetError, match="Unknown logic gate"):
        make_gate("xnor")
