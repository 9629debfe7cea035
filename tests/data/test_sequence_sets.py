import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data import load_dataset
from nnsim.data.sequences import RECALL_VOCAB, make_recall, make_running_sum, make_sine, recall_ids


def test_recall_shapes_and_vocab():
    d = make_recall(gap=20, n_samples=200)
    assert d.input_shape == (22, 10) and d.x_train.dtype == np.float32
    assert d.vocab == ["A", "B", "C", "D", "E", "F", "G", "H", ".", "?"]
    assert d.class_names == ["A", "B", "C", "D", "E", "F", "G", "H"] and d.labels_train.ndim == 1


def test_recall_length_is_gap_plus_two():
    for gap in (1, 7, 50):
        assert load_dataset({"name": "recall", "params": {"gap": gap, "n_samples": 100}}).input_shape == (gap + 2, 10)


@pytest.mark.parametrize("filler", ["noise", "blank"])
def test_recall_label_is_the_first_symbol(filler):
    d = make_recall(gap=10, filler=filler, n_samples=300)
    for x, labels in ((d.x_train, d.labels_train), (d.x_test, d.labels_test)):
        ids = x.argmax(axis=2)
        np.testing.assert_array_equal(ids[:, 0], labels)
        assert np.all(x.sum(axis=2) == 1)


def test_recall_ends_with_go_and_go_appears_only_there():
    ids = make_recall(gap=10, n_samples=300).x_train.argmax(axis=2)
    go = RECALL_VOCAB.index("?")
    assert np.all(ids[:, -1] == go) and not np.any(ids[:, :-1] == go)


def test_recall_blank_filler_is_only_blanks():
    ids = recall_ids(np.array([0, 3, 7]), 5, "blank", np.random.default_rng(0))
    np.testing.assert_array_equal(ids[:, 1:-1], np.full((3, 5), RECALL_VOCAB.index(".")))


def test_recall_noise_filler_varies():
    ids = recall_ids(np.zeros(50, dtype=np.int64), 20, "noise", np.random.default_rng(0))
    assert len(np.unique(ids[:, 1:-1])) == 9  # the eight signals and the blank


def test_recall_classes_are_balanced():
    d = make_recall(n_samples=800)
    counts = np.bincount(np.concatenate([d.labels_train, d.labels_test]), minlength=8)
    assert counts.tolist() == [100] * 8


def test_recall_is_deterministic_per_seed():
    np.testing.assert_array_equal(make_recall(n_samples=100, seed=2).x_test, make_recall(n_samples=100, seed=2).x_test)
    assert not np.array_equal(make_recall(n_samples=100, seed=2).x_test, make_recall(n_samples=100, seed=3).x_test)


def test_recall_unknown_filler():
    with pytest.raises(DatasetError, match="Unknown recall filler"):
        make_recall(filler="zeros")


def test_sine_shapes_and_range():
    d = make_sine()
    assert d.task == "regression" and d.input_shape == (20, 1) and d.y_train.shape == (d.n_train, 1)
    assert d.n_train + d.n_test == 1000 and d.x_train.dtype == np.float32
    assert np.abs(d.y_train).max() <= 1.0 and np.abs(d.x_train).max() < 1.2


def test_sine_target_is_the_next_clean_value():
    d = make_sine(seq_len=12, noise=0.0, n_samples=100)
    for x, y in zip(d.x_train, d.y_train):
        v = x[:, 0].astype(np.float64)
        # a sampled sinusoid obeys v[t+1] = 2 cos(w) v[t] - v[t-1]
        c = (v[2:] + v[:-2]) / (2 * v[1:-1])
        two_cos = 2 * np.median(c[np.abs(v[1:-1]) > 0.3])
        assert y[0] == pytest.approx(two_cos * v[-1] - v[-2], abs=2e-3)


def test_sine_noise_only_touches_the_inputs():
    clean, noisy = make_sine(noise=0.0), make_sine(noise=0.2)
    np.testing.assert_array_equal(clean.y_train, noisy.y_train)
    assert np.abs(clean.x_train - noisy.x_train).std() > 0.1


def test_sine_is_deterministic_per_seed():
    np.testing.assert_array_equal(make_sine(seed=1).x_train, make_sine(seed=1).x_train)
    assert not np.array_equal(make_sine(seed=1).x_train, make_sine(seed=2).x_train)


def test_running_sum_target_is_the_cumulative_sum():
    d = make_running_sum(seq_len=15, n_samples=200)
    assert d.input_shape == (15, 1) and d.y_train.shape == (d.n_train, 15, 1)
    np.testing.assert_allclose(d.y_train, np.cumsum(d.x_train, axis=1), atol=1e-6)


def test_running_sum_targets_stay_within_two():
    d = make_running_sum(seq_len=200, n_samples=2000)
    assert np.abs(d.y_train).max() <= 2.0 and np.abs(d.y_test).max() <= 2.0
    assert np.abs(d.x_train).max() <= 1 / np.sqrt(200) + 1e-7


def test_running_sum_is_deterministic_per_seed():
    np.testing.assert_array_equal(make_running_sum(seed=4).y_test, make_running_sum(seed=4).y_test)
    assert not np.array_equal(make_running_sum(seed=4).y_test, make_running_sum(seed=5).y_test)


def test_running_sum_summary_counts_every_step():
    s = make_running_sum(seq_len=8).summary()
    assert s["layout"] == "sequence" and s["n_targets"] == 8 and s["label_steps"] == 8
