import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data import load_npz


def test_npz_x_y_int_labels_is_classification(tmp_path):
    p = tmp_path / "d.npz"
    np.savez(p, x=np.arange(40, dtype=np.float64).reshape(20, 2), y=np.arange(20) % 2)
    d = load_npz(p)
    assert d.task == "classification" and d.n_classes == 2
    assert d.n_train + d.n_test == 20 and d.x_train.dtype == np.float32


def test_npz_capital_x_and_float_y_is_regression(tmp_path):
    p = tmp_path / "d.npz"
    np.savez(p, X=np.ones((10, 3)), y=np.linspace(0, 1, 10))
    d = load_npz(p)
    assert d.task == "regression" and d.y_train.shape[1] == 1 and d.input_shape == (3,)


def test_npz_presplit_arrays_keep_their_split_and_shape(tmp_path):
    p = tmp_path / "d.npz"
    np.savez(p, x_train=np.zeros((8, 1, 4, 4)), y_train=np.arange(8) % 3,
             x_test=np.ones((3, 1, 4, 4)), y_test=np.array([0, 1, 2]))
    d = load_npz(p)
    assert d.n_train == 8 and d.n_test == 3 and d.input_shape == (1, 4, 4)
    np.testing.assert_array_equal(d.labels_test, [0, 1, 2])
    assert d.x_test.max() == 1.0


def test_npz_object_array_is_refused(tmp_path):
    p = tmp_path / "evil.npz"
    np.savez(p, x=np.array([{"a": 1}, None], dtype=object), y=np.array([0, 1]))
    with pytest.raises(DatasetError, match="Python objects"):
        load_npz(p)


def test_npz_missing_keys_are_named(tmp_path):
    p = tmp_path / "d.npz"
    np.savez(p, inputs=np.zeros((3, 2)))
    with pytest.raises(DatasetError, match="must contain arrays x and y.*inputs"):
        load_npz(p)


def test_npz_not_an_archive(tmp_path):
    p = tmp_path / "d.npz"
    p.write_bytes(b"hello")
    with pytest.raises(DatasetError, match="not a NumPy .npz archive"):
        load_npz(p)


def test_npz_absurd_size_is_refused_before_loading(tmp_path, monkeypatch):
    import nnsim.data.importers as importers
    monkeypatch.setattr(importers, "MAX_ELEMENTS", 10)
    p = tmp_path / "d.npz"
    np.savez(p, x=np.zeros((20, 2)), y=np.zeros(20, dtype=int))
    with pytest.raises(DatasetError, match="more than the limit"):
        load_npz(p)


def test_npz_row_count_mismatch(tmp_path):
    p = tmp_path / "d.npz"
    np.savez(p, x=np.zeros((5, 2)), y=np.zeros(4, dtype=int))
    with pytest.raises(DatasetError, match="5 rows but y has 4"):
        load_npz(p)


def test_npz_one_hot_targets_become_labels(tmp_path):
    p = tmp_path / "d.npz"
    np.savez(p, x=np.zeros((6, 2)), y=np.eye(3)[[0, 1, 2, 0, 1, 2]])
    d = load_npz(p, task="classification")
    assert d.n_classes == 3
