import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data.batching import epoch_order, split_indices, train_validation_split


def test_epoch_order_without_shuffle_is_sequential():
    np.testing.assert_array_equal(epoch_order(5, False, np.random.default_rng(0)), np.arange(5))


def test_epoch_order_with_shuffle_is_a_permutation():
    order = epoch_order(100, True, np.random.default_rng(0))
    assert order.dtype == np.int64 and sorted(order) == list(range(100))
    assert not np.array_equal(order, np.arange(100))


def test_train_validation_split_is_disjoint_and_complete():
    train, val = train_validation_split(100, 0.2, seed=1)
    assert len(val) == 20 and len(train) == 80
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(100))


def test_train_validation_split_is_deterministic():
    a, b = train_validation_split(50, 0.3, 7), train_validation_split(50, 0.3, 7)
    np.testing.assert_array_equal(a[1], b[1])


def test_train_validation_split_zero_fraction_is_empty():
    train, val = train_validation_split(10, 0.0, 0)
    assert len(val) == 0 and len(train) == 10


def test_train_validation_split_bad_fraction():
    with pytest.raises(DatasetError):
        train_validation_split(10, 1.0, 0)


def test_split_indices_keeps_every_class_in_both_splits():
    labels = np.array([0] * 18 + [1] * 2)
    train, test = split_indices(20, 0.1, np.random.default_rng(0), labels=labels)
    assert set(labels[train]) == {0, 1} and set(labels[test]) == {0, 1}
