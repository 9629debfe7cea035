import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data import load_dataset
from nnsim.data.shapes import SHAPE_NAMES, draw_shapes, make_shapes


@pytest.fixture(scope="module")
def shapes():
    return make_shapes(n_samples=500)


def test_shapes_are_one_channel_images(shapes):
    assert shapes.input_shape == (1, 28, 28) and shapes.x_train.shape[1:] == (1, 28, 28)
    assert shapes.x_train.dtype == np.float32 and shapes.layout == "image"


def test_shapes_pixels_stay_in_unit_range(shapes):
    assert shapes.x_train.min() >= 0.0 and shapes.x_train.max() <= 1.0


def test_shapes_class_names_and_count(shapes):
    assert shapes.class_names == ["line", "cross", "circle", "square", "triangle"]
    assert shapes.n_train + shapes.n_test == 500 and abs(shapes.n_test - 100) <= 5


def test_shapes_classes_are_balanced(shapes):
    counts = np.bincount(np.concatenate([shapes.labels_train, shapes.labels_test]), minlength=5)
    assert counts.tolist() == [100] * 5


def test_shapes_are_deterministic_per_seed():
    a, b, c = make_shapes(n_samples=100, seed=3), make_shapes(n_samples=100, seed=3), make_shapes(n_samples=100, seed=4)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)


def test_shapes_size_param_gives_small_images():
    d = load_dataset({"name": "shapes", "params": {"size": 16, "n_samples": 100}})
    assert d.input_shape == (1, 16, 16)


def test_shapes_clean_strokes_are_inside_the_image_and_thin():
    kinds = np.arange(50) % len(SHAPE_NAMES)
    img = draw_shapes(kinds, 28, np.random.default_rng(0))
    assert img.max() == 1.0
    border = np.concatenate([img[:, 0], img[:, -1], img[:, :, 0], img[:, :, -1]], axis=1)
    assert border.max() <= 0.5
    ink = (img > 0.5).mean(axis=(1, 2))
    assert ink.min() > 0.01 and ink.max() < 0.3  # outlines, not filled shapes


def test_shapes_without_noise_have_a_black_background():
    d = make_shapes(n_samples=100, noise=0.0)
    assert np.median(d.x_train) == 0.0


def test_shapes_noise_changes_pixels():
    clean, noisy = make_shapes(n_samples=100, noise=0.0), make_shapes(n_samples=100, noise=0.3)
    assert noisy.x_train.mean() > clean.x_train.mean() + 0.05


def test_shapes_refuse_a_tiny_size():
    with pytest.raises(DatasetError, match="size is 4"):
        make_shapes(size=4)
