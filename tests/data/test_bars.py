"""Bars and stripes: every distinct pattern once in the test set, copies of them for training."""

import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data import load_dataset
from nnsim.data.bars import BARS_CLASSES, bars_and_stripes, make_bars


@pytest.mark.parametrize("size, count", [(2, 6), (3, 14), (4, 30)])
def test_there_are_2_times_2_to_the_n_minus_2_patterns(size, count):
    images, labels = bars_and_stripes(size)
    assert images.shape == (count, size * size)
    assert len(np.unique(images, axis=0)) == count  # blank and full appear once, not twice
    for image, label in zip(images.reshape(-1, size, size), labels):
        columns_uniform = (image == image[0:1, :]).all()
        rows_uniform = (image == image[:, 0:1]).all()
        if label == 2:
            assert image.min() == image.max()
        else:
            assert columns_uniform if label == 0 else rows_uniform
            assert image.min() != image.max()


def test_the_dataset_repeats_each_pattern_for_training_and_tests_each_once():
    d = load_dataset({"name": "bars", "params": {"copies": 5}})
    assert d.x_train.shape == (70, 9) and d.x_test.shape == (14, 9)
    _, counts = np.unique(d.x_train, axis=0, return_counts=True)
    assert (counts == 5).all()
    assert d.class_names == BARS_CLASSES
    assert not np.array_equal(d.x_train[:14], d.x_test)  # shuffled
    again = make_bars(3, 5, 0)
    np.testing.assert_array_equal(again.x_train, d.x_train)  # the seed fixes the order


def test_a_bad_size_is_one_sentence():
    with pytest.raises(DatasetError, match="size from 2 to 4"):
        bars_and_stripes(7)
