"""ConfusionView and GalleryView: test-set predictions as a confusion matrix and an image gallery."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from nnsim.gui.live.views import all_views
from nnsim.gui.live.views.base import ViewContext
from nnsim.gui.live.views.predictions import GALLERY_SIZE, ConfusionView, GalleryView
from nnsim.project import Project
from nnsim.training.live import LiveFrameBuilder, Predictions


def frames(name, epochs=(2, 1)):
    project = Project.example(name)
    trainer = project.trainer()
    builder = LiveFrameBuilder(trainer)
    out = []
    for n in epochs:
        trainer.run(n)
        out.append(builder.build(predictions=True, boundary=False, neuron_maps=False))
    return project, out


@pytest.fixture(scope="module")
def digits():  # flat 8x8 digits: ten classes, images
    return frames("digits-mlp")


@pytest.fixture(scope="module")
def spiral():  # two classes, no images
    return frames("spiral", epochs=(2,))


def make(qtbot, cls, project, selected=None):
    v = cls(ViewContext(project=lambda: project, selected_node=lambda: selected))
    qtbot.addWidget(v)
    v.resize(520, 460)
    v.show()
    return v


def with_predicted(frame, predicted):
    p = frame.predictions
    return dataclasses.replace(frame, predictions=dataclasses.replace(p, predicted=predicted))


# --- confusion ------------------------------------------------------------------------------------
def test_confusion_registered_and_empty(qtbot, digits):
    assert ConfusionView in all_views() and GalleryView in all_views()
    assert ConfusionView.key == "confusion" and GalleryView.key == "gallery"
    view = make(qtbot, ConfusionView, digits[0])
    assert view.stack.is_empty and "Press Play" in view.stack.label.text()


def test_confusion_matches_the_frame(qtbot, digits):
    project, (first, second) = digits
    view = make(qtbot, ConfusionView, project)
    view.show_frame(first)
    assert not view.stack.is_empty
    confusion = first.predictions.confusion
    assert np.array_equal(view.image_data(), confusion.astype(np.float32))
    assert len(view.cell_texts) == 100
    assert view.cell_texts[3 * 10 + 3].textItem.toPlainText() == str(confusion[3, 3])
    assert view.cell_texts[3 * 10 + 5].textItem.toPlainText() == str(confusion[3, 5])
    heights = view.bars.opts["height"]
    assert heights == pytest.approx(np.nan_to_num(first.predictions.per_class_accuracy) * 100)
    ticks = view.matrix_plot.getAxis("bottom")._tickLevels[0]
    assert [t[1] for t in ticks] == [str(i) for i in range(10)]
    accuracy = 100 * np.trace(confusion) / confusion.sum()
    assert f"{accuracy:.1f}%" in view.summary.text()

    items = list(view.cell_texts)
    view.show_frame(second)  # a new frame updates the same items
    assert np.array_equal(view.image_data(), second.predictions.confusion.astype(np.float32))
    assert view.cell_texts == items
    view.show_frame(dataclasses.replace(second, predictions=None))  # no predictions: keep the last matrix
    assert not view.stack.is_empty

    view.reset()
    assert view.stack.is_empty


def test_confusion_binary_class_names(qtbot, spiral):
    project, (frame,) = spiral
    view = make(qtbot, ConfusionView, project)
    view.show_frame(frame)
    assert view.image_data().shape == (2, 2)
    ticks = view.matrix_plot.getAxis("left")._tickLevels[0]
    assert [t[1] for t in ticks] == ["negative", "positive"]


def test_confusion_applies_to_classification_only(qtbot, digits, spiral):
    project, (frame, _) = digits
    view = make(qtbot, ConfusionView, project)
    assert view.applies_to(frame)
    regression = Project.example("sine-gru")  # loads its dataset only, no training
    reg_view = make(qtbot, ConfusionView, regression)
    reg_frame = dataclasses.replace(frame, predictions=Predictions(frame.predictions.outputs, None, None, None, None))
    assert not reg_view.applies_to(reg_frame)
    assert not reg_view.applies_to(dataclasses.replace(frame, predictions=None))  # falls back on the dataset


# --- gallery --------------------------------------------------------------------------------------
def test_gallery_shows_images_and_marks_wrong_ones(qtbot, digits):
    project, (first, second) = digits
    view = make(qtbot, GalleryView, project)
    assert view.stack.is_empty and "Press Play" in view.stack.label.text()
    labels = first.predictions.labels[:GALLERY_SIZE]
    predicted = labels.copy()
    predicted[[1, 5]] = (labels[[1, 5]] + 1) % 10
    view.show_frame(with_predicted(first, np.concatenate([predicted, first.predictions.predicted[GALLERY_SIZE:]])))
    assert not view.stack.is_empty
    assert len(view.labels) == GALLERY_SIZE and len(view.frames) == GALLERY_SIZE
    assert [i for i, f in enumerate(view.frames) if f.isVisible()] == [1, 5]
    assert "true" in view.labels[1].textItem.toPlainText()
    assert view.labels[0].textItem.toPlainText() == str(labels[0])
    assert "22 right" in view.summary.text() and "2 wrong" in view.summary.text()
    # the mosaic holds the test images themselves (normalised), 6 columns x 4 rows
    mosaic = view.image.image
    x = project.load_dataset().x_test[0].reshape(8, 8)
    tile = mosaic[:8, :8]
    assert np.allclose(tile, (x - x.min()) / (x.max() - x.min()), atol=1e-6)

    image = view.image.image
    view.show_frame(second)  # a new frame: same mosaic, new labels
    assert view.image.image is image
    wrong = second.predictions.predicted[:GALLERY_SIZE] != second.predictions.labels[:GALLERY_SIZE]
    assert [f.isVisible() for f in view.frames] == list(wrong)

    view.reset()
    assert view.stack.is_empty


def test_gallery_applies_to_image_classification_only(qtbot, digits, spiral):
    _, (digits_frame, _) = digits
    spiral_project, (spiral_frame,) = spiral
    assert make(qtbot, GalleryView, digits[0]).applies_to(digits_frame)  # flat 64 digits
    assert not make(qtbot, GalleryView, spiral_project).applies_to(spiral_frame)  # plain vectors
    shapes = Project.example("shapes-cnn")  # (1, 16, 16) images; only its dataset is loaded
    assert make(qtbot, GalleryView, shapes).applies_to(dataclasses.replace(digits_frame, predictions=None))
    regression = Project.example("sine-gru")
    assert not make(qtbot, GalleryView, regression).applies_to(dataclasses.replace(digits_frame, predictions=None))


def test_views_look_right_offscreen(qtbot, digits, tmp_path):
    project, (frame, _) = digits
    for cls in (ConfusionView, GalleryView):
        view = make(qtbot, cls, project)
        view.show_frame(frame)
        pixmap = view.grab()
        assert not pixmap.isNull() and pixmap.width() >= 500
        assert pixmap.save(str(tmp_path / f"{cls.key}.png"))


def test_redraws_are_fast(qtbot, digits):
    project, (first, second) = digits
    for cls in (ConfusionView, GalleryView):
        view = make(qtbot, cls, project)
        view.show_frame(first)
        start = time.perf_counter()
        for i in range(10):
            view.show_frame(second if i % 2 else first)
        per_frame = (time.perf_counter() - start) / 10
        assert per_frame < 0.2, f"{cls.__name__} redraw took {per_frame * 1000:.1f} ms"
