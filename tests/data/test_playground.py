import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data import load_dataset

CLASSIFICATION_SETS = ["circle", "xor-2d", "gauss", "spiral", "multi-gauss"]
ALL_SETS = CLASSIFICATION_SETS + ["plane"]
ALL_FEATURES = ["feat_x1", "feat_x2", "feat_x1_sq", "feat_x2_sq", "feat_x1x2", "feat_sin_x1", "feat_sin_x2"]


def build(name, **params):
    return load_dataset({"name": name, "params": params})


@pytest.mark.parametrize("name", ALL_SETS)
def test_playground_set_is_deterministic_per_seed(name):
    a, b = build(name, seed=3, noise=0.2), build(name, seed=3, noise=0.2)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)


@pytest.mark.parametrize("name", ALL_SETS)
def test_playground_set_changes_with_seed(name):
    assert not np.array_equal(build(name, seed=1).x_train, build(name, seed=2).x_train)


@pytest.mark.parametrize("name", ALL_SETS)
def test_playground_set_has_the_right_shapes(name):
    d = build(name, n_samples=200, test_ratio=0.25)
    assert d.n_train + d.n_test == 200 and d.n_test == 50
    assert d.x_train.shape == (150, 2) and d.x_train.dtype == np.float32
    assert d.input_shape == (2,)
    assert d.points_train.shape == (150, 2) and d.points_test.shape == (50, 2)
    assert d.y_train.shape == (150, 1)


@pytest.mark.parametrize("name", ALL_SETS)
def test_playground_points_stay_in_the_plane(name):
    d = build(name, noise=0.5)
    inside = (np.abs(d.points_train) <= 6.0).all(axis=1)
    assert inside.mean() > 0.9 and np.abs(d.points_train).max() < 12.0


@pytest.mark.parametrize("name", CLASSIFICATION_SETS)
def test_playground_classes_are_roughly_balanced(name):
    d = build(name, n_samples=1000)
    counts = np.bincount(np.concatenate([d.labels_train, d.labels_test]))
    assert counts.min() >= 0.8 * counts.max()


def test_multi_gauss_class_count_is_a_parameter():
    d = build("multi-gauss", classes=6)
    assert d.n_classes == 6 and set(d.labels_train) == set(range(6))


def test_plane_is_regression_in_about_minus_one_to_one():
    d = build("plane")
    assert d.task == "regression" and d.labels_train is None and d.n_classes == 0
    assert np.abs(d.y_train).max() <= 1.2 + 1e-6
    expected = (d.points_train[:, 0] + d.points_train[:, 1]) / 10
    np.testing.assert_allclose(d.y_train[:, 0], expected, rtol=1e-5, atol=1e-6)


def test_features_switch_on_and_change_input_shape():
    d = build("circle", **{k: True for k in ALL_FEATURES})
    assert d.input_shape == (7,) and d.x_train.shape[1] == 7
    assert d.feature_names == ["x1", "x2", "x1²", "x2²", "x1·x2", "sin(x1)", "sin(x2)"]


def test_features_switch_off():
    d = build("circle", feat_x1=False, feat_x2=False, feat_x1_sq=True, feat_x2_sq=True)
    assert d.input_shape == (2,) and d.feature_names == ["x1²", "x2²"]
    np.testing.assert_allclose(d.x_train, d.points_train ** 2, rtol=1e-6)


def test_no_feature_switched_on_is_a_clear_error():
    with pytest.raises(DatasetError, match="No input feature is switched on"):
        build("spiral", feat_x1=False, feat_x2=False)


@pytest.mark.parametrize("name", ALL_SETS)
def test_featurize_matches_x_train(name):
    d = build(name, **{k: True for k in ALL_FEATURES})
    np.testing.assert_array_equal(d.featurize(d.points_train), d.x_train)
    np.testing.assert_array_equal(d.featurize(d.points_test), d.x_test)


def test_featurize_works_on_a_plot_grid():
    d = build("xor-2d", feat_x1x2=True)
    grid = np.stack(np.meshgrid(np.linspace(-6, 6, 5), np.linspace(-6, 6, 5)), -1).reshape(-1, 2)
    out = d.featurize(grid)
    assert out.shape == (25, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out[:, 2], grid[:, 0] * grid[:, 1])


def test_xor_2d_labels_follow_the_quadrants_without_noise():
    d = build("xor-2d")
    p = d.points_train
    np.testing.assert_array_equal(d.labels_train, (p[:, 0] * p[:, 1] >= 0).astype(int))


def test_circle_labels_follow_the_radius_without_noise():
    d = build("circle")
    r = np.hypot(d.points_train[:, 0], d.points_train[:, 1])
    np.testing.assert_array_equal(d.labels_train, (r < 2.5).astype(int))


def test_noise_out_of_range_is_refused():
    with pytest.raises(DatasetError, match="noise"):
        build("gauss", noise=0.8)
