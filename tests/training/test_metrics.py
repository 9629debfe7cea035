"""Metrics against values worked out by hand."""

import math

import numpy as np
import pytest

from nnsim.training import metrics as M


def test_predicted_classes_uses_argmax_for_several_outputs():
    outputs = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3], [0.0, 0.1, 0.9]])
    assert M.predicted_classes(outputs).tolist() == [1, 0, 2]


def test_predicted_classes_thresholds_one_output_at_one_half():
    outputs = np.array([[0.49], [0.5], [0.51], [0.0]])
    assert M.predicted_classes(outputs).tolist() == [0, 1, 1, 0]


def test_accuracy_is_the_fraction_of_correct_predictions():
    outputs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    labels = np.array([0, 1, 1, 0])  # first two right, last two wrong
    assert M.accuracy(outputs, labels) == 0.5


def test_accuracy_with_a_single_sigmoid_output():
    outputs = np.array([[0.8], [0.3], [0.6]])
    labels = np.array([1, 0, 0])
    assert M.accuracy(outputs, labels) == pytest.approx(2 / 3)


def test_accuracy_of_no_samples_is_nan():
    assert math.isnan(M.accuracy(np.zeros((0, 2)), np.zeros(0, dtype=np.int64)))


def test_confusion_matrix_rows_are_true_classes_columns_predicted():
    outputs = np.array([[0.9, 0.05, 0.05],   # true 0, predicted 0
                        [0.1, 0.8, 0.1],     # true 0, predicted 1
                        [0.1, 0.1, 0.8],     # true 1, predicted 2
                        [0.2, 0.7, 0.1],     # true 1, predicted 1
                        [0.1, 0.1, 0.8]])    # true 2, predicted 2
    labels = np.array([0, 0, 1, 1, 2])
    expected = [[1, 1, 0],
                [0, 1, 1],
                [0, 0, 1]]
    assert M.confusion_matrix(outputs, labels, 3).tolist() == expected


def test_confusion_matrix_keeps_classes_never_seen():
    m = M.confusion_matrix(np.array([[0.9], [0.1]]), np.array([1, 0]), 3)
    assert m.shape == (3, 3) and m.sum() == 2
    assert m.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 0]]


def test_rmse_by_hand():
    outputs = np.array([[1.0], [2.0], [4.0]])
    targets = np.array([[1.0], [3.0], [2.0]])
    # errors 0, -1, 2 -> mean square 5/3
    assert M.rmse(outputs, targets) == pytest.approx(math.sqrt(5 / 3))


def test_rmse_reshapes_outputs_to_the_targets():
    assert M.rmse(np.array([[1.0], [3.0]]), np.array([0.0, 0.0])) == pytest.approx(math.sqrt(5.0))


def test_r2_by_hand():
    targets = np.array([1.0, 2.0, 3.0, 4.0])  # mean 2.5, total sum of squares 5
    outputs = np.array([1.5, 2.0, 3.0, 3.5])  # residual sum of squares 0.25 + 0.25 = 0.5
    assert M.r2_score(outputs, targets) == pytest.approx(1 - 0.5 / 5)


def test_r2_is_one_for_perfect_predictions_and_zero_for_the_mean():
    targets = np.array([[2.0], [4.0], [9.0]])
    assert M.r2_score(targets.copy(), targets) == 1.0
    assert M.r2_score(np.full_like(targets, targets.mean()), targets) == pytest.approx(0.0)


def test_r2_of_constant_targets_is_nan():
    assert math.isnan(M.r2_score(np.array([1.0, 2.0]), np.array([3.0, 3.0])))
