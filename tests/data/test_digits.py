import numpy as np
import pytest

from nnsim.data import load_dataset
from nnsim.data.digits import make_digits


@pytest.fixture(scope="module")
def digits():
    return make_digits()


def test_digits_flat_shapes(digits):
    assert digits.n_train + digits.n_test == 1797
    assert digits.x_train.shape[1:] == (64,) and digits.input_shape == (64,)
    assert digits.n_classes == 10 and digits.class_names == [str(i) for i in range(10)]


def test_digits_default_split_is_twenty_percent(digits):
    assert abs(digits.n_test - 0.2 * 1797) <= 10


def test_digits_pixels_are_scaled_to_unit_range(digits):
    assert digits.x_train.dtype == np.float32
    assert digits.x_train.min() == 0.0 and digits.x_train.max() == 1.0


def test_digits_split_is_stratified(digits):
    train = np.bincount(digits.labels_train, minlength=10) / digits.n_train
    test = np.bincount(digits.labels_test, minlength=10) / digits.n_test
    assert np.abs(train - test).max() < 0.01


def test_digits_image_layout():
    d = load_dataset({"name": "digits", "params": {"layout": "image"}})
    assert d.input_shape == (1, 8, 8) and d.x_test.shape[1:] == (1, 8, 8)


def test_digits_layouts_hold_the_same_pixels(digits):
    img = make_digits(layout="image")
    np.testing.assert_array_equal(img.x_train.reshape(len(img.x_train), 64), digits.x_train)


def test_digits_split_depends_on_seed(digits):
    other = make_digits(seed=1)
    assert not np.array_equal(other.labels_test, digits.labels_test)
    np.testing.assert_array_equal(make_digits(seed=0).labels_test, digits.labels_test)


def test_digits_resource_is_plain_uint8():
    from nnsim.core.resources import resource_path
    with np.load(resource_path("datasets", "digits.npz"), allow_pickle=False) as data:
        assert data["images"].dtype == np.uint8 and data["images"].shape == (1797, 8, 8)
        assert data["labels"].dtype == np.uint8 and data["images"].max() == 16
