"""Recurrent internals (state and gates over time, token axis, reverse toggle) and the generated-text view."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from nnsim.gui.live.views import all_views
from nnsim.gui.live.views.base import ViewContext
from nnsim.gui.live.views.recurrent import RecurrentView, TextSampleView, decode_tokens
from nnsim.project import Project
from nnsim.training.live import LiveFrameBuilder


def _frame(name: str, epochs: int = 1, sample: bool = False):
    project = Project.example(name)
    trainer = project.trainer()
    trainer.run(epochs)
    return project, LiveFrameBuilder(trainer).build(sample=sample, neuron_maps=False)


@pytest.fixture(scope="module")
def lstm():
    return _frame("zen-lstm", sample=True)


@pytest.fixture(scope="module")
def gru():
    return _frame("sine-gru", sample=True)


@pytest.fixture(scope="module")
def rnn():
    return _frame("hello-rnn")


@pytest.fixture(scope="module")
def bilstm():
    return _frame("sentiment-bilstm")


def _view(qtbot, project, cls=RecurrentView, selection=None):
    view = cls(ViewContext(project=lambda: project, selected_node=selection or (lambda: None)))
    qtbot.addWidget(view)
    view.resize(900, 480)
    view.show()
    return view


def test_registered():
    views = all_views()
    assert RecurrentView in views and TextSampleView in views
    assert (RecurrentView.title, RecurrentView.key) == ("Recurrent internals", "recurrent")
    assert (TextSampleView.title, TextSampleView.key) == ("Generated text", "text_sample")


def test_lstm_state_and_gates_equal_the_internals(qtbot, lstm):
    project, frame = lstm
    view = _view(qtbot, project)
    assert view.stack.is_empty and not view.panels
    view.show_frame(frame)
    assert not view.stack.is_empty and view.node == "lstm"
    assert set(view.panels) == {"h", "input", "forget", "output", "candidate", "cell"}
    internals = frame.snapshot.internals["lstm"]
    for name, panel in view.panels.items():  # rows = units, columns = time steps
        assert np.array_equal(panel.data, internals[name][0].T), name
        assert np.array_equal(panel.item.image, internals[name][0].T)
    assert view.panels["forget"].item.levels.tolist() == [0.0, 1.0]  # gates on 0..1
    assert view.panels["candidate"].item.levels.tolist() == [-1.0, 1.0]
    assert not view.reverse_box.isVisible()


def test_sequence_picker_and_token_axis(qtbot, lstm):
    project, frame = lstm
    view = _view(qtbot, project)
    view.show_frame(frame)
    dataset = project.load_dataset()
    expected = decode_tokens(dataset, frame.snapshot.probe_inputs[0])
    assert view.tokens == expected and len(expected) == 25
    ticks = view.panels["forget"].plot.getAxis("bottom")._tickLevels[0]
    assert [t for _, t in ticks] == expected
    before = view.panels["h"].data.copy()
    view.sample_box.setValue(4)
    internals = frame.snapshot.internals["lstm"]
    assert not np.array_equal(view.panels["h"].data, before)
    assert np.array_equal(view.panels["forget"].data, internals["forget"][4].T)
    chars = [dataset.vocab[i] for i in frame.snapshot.probe_inputs[4].reshape(dataset.input_shape).argmax(1)]
    assert view.tokens == [{" ": "␣", "\n": "↵"}.get(c, c) for c in chars]


def test_gru_shows_its_gates(qtbot, gru):
    project, frame = gru
    view = _view(qtbot, project)
    view.show_frame(frame)
    assert set(view.panels) == {"h", "reset", "update", "candidate"}
    internals = frame.snapshot.internals["gru"]
    for name, panel in view.panels.items():
        assert np.array_equal(panel.data, internals[name][0].T)
    assert view.tokens is None  # no vocabulary: numbered steps


def test_simple_rnn_shows_only_h(qtbot, rnn):
    project, frame = rnn
    view = _view(qtbot, project)
    view.show_frame(frame)
    assert list(view.panels) == ["h"]
    assert np.array_equal(view.panels["h"].data, frame.snapshot.internals["rnn"]["h"][0].T)
    assert view.tokens == ["h", "e", "l", "l"]


def test_bidirectional_reverse_toggle_and_word_tokens(qtbot, bilstm):
    project, frame = bilstm
    view = _view(qtbot, project)
    view.show_frame(frame)
    assert view.reverse_box.isVisible()
    internals = frame.snapshot.internals["bilstm"]
    assert np.array_equal(view.panels["forget"].data, internals["forget"][0].T)
    view.reverse_box.setChecked(True)
    assert np.array_equal(view.panels["forget"].data, internals["forget_reverse"][0].T)
    assert np.array_equal(view.panels["h"].data, internals["h_reverse"][0].T)
    assert "reverse" in view.layer_label.text()
    vocab = project.load_dataset().vocab
    ids = frame.snapshot.probe_inputs[0].astype(int)
    assert view.tokens == [("·" if vocab[i] == "<pad>" else vocab[i]) for i in ids]
    assert "label:" in view.sequence_label.text()


def test_follows_the_canvas_selection(qtbot, bilstm):
    project, frame = bilstm
    selected = {"name": None}
    view = _view(qtbot, project, selection=lambda: selected["name"])
    view.show_frame(frame)
    assert view.node == "bilstm"
    selected["name"] = "embedding"  # not recurrent: the first recurrent layer stays
    view.node_selected("embedding")
    assert view.node == "bilstm"
    selected["name"] = "bilstm"
    view.node_selected("bilstm")
    assert view.node == "bilstm"


def test_applies_to(qtbot, lstm, gru, rnn):
    cnn = Project.example("digits-cnn")
    trainer = cnn.trainer()
    cnn_frame = LiveFrameBuilder(trainer).build(neuron_maps=False)
    assert not _view(qtbot, cnn).applies_to(cnn_frame)
    for project, frame in (lstm, gru, rnn):
        assert _view(qtbot, project).applies_to(frame)
    text = _view(qtbot, lstm[0], TextSampleView)
    assert text.applies_to(lstm[1])
    assert gru[1].sample is None and not text.applies_to(gru[1])


def test_text_view_keeps_newest_first_and_resets(qtbot, lstm):
    project, frame = lstm
    view = _view(qtbot, project, TextSampleView)
    assert view.stack.is_empty
    snap = frame.snapshot
    for k in range(13):
        step_snap = dataclasses.replace(snap, step=k, epoch=k // 4)
        view.show_frame(dataclasses.replace(frame, snapshot=step_snap, sample=f"sample number {k}"))
    view.show_frame(view.frame)  # the same frame again adds nothing
    assert [s[1] for s in view.samples] == list(range(12, 2, -1))  # the last 10, newest first
    text = view.text.toPlainText()
    assert view.text.isReadOnly()
    assert text.index("sample number 12") < text.index("sample number 11") < text.index("sample number 3")
    assert "sample number 2" not in text.splitlines() and "update 12" in text and "epoch 3" in text
    assert not view.stack.is_empty
    view.reset()
    assert view.stack.is_empty and not view.samples and view.text.toPlainText() == ""
    view.show_frame(frame)
    assert frame.sample in view.text.toPlainText()


def test_redraw_is_fast(qtbot, lstm, gru, bilstm):
    for project, frame in (lstm, gru, bilstm):
        view = _view(qtbot, project)
        view.show_frame(frame)
        times = []
        for k in range(20):
            view.sample_box.setValue(k % 4)
            start = time.perf_counter()
            view.show_frame(frame)
            qtbot.wait(0)
            times.append(time.perf_counter() - start)
        assert max(times) < 0.2, times
    text = _view(qtbot, lstm[0], TextSampleView)
    start = time.perf_counter()
    for k in range(10):
        text.show_frame(dataclasses.replace(frame, snapshot=dataclasses.replace(frame.snapshot, step=k),
                                            sample="x" * 160))
    assert (time.perf_counter() - start) / 10 < 0.2


def _rows_and_columns(view):
    grid = view.plots.ci.layout
    cells = {}
    for name, panel in view.panels.items():
        for r in range(grid.rowCount()):
            for c in range(grid.columnCount()):
                if grid.itemAt(r, c) is panel.plot:
                    cells.setdefault(name, (r, c))  # a panel spanning columns: its first cell
    return cells


def test_a_short_wide_dock_puts_state_and_gates_in_one_row(qtbot, lstm):
    """Stacked in three rows, a 260-pixel dock left each heatmap a sliver; side by side they stay readable."""
    project, frame = lstm
    view = _view(qtbot, project)
    view.show_frame(frame)
    cells = _rows_and_columns(view)
    assert cells["h"] == (0, 0) and {r for r, _ in cells.values()} == {0, 1, 2}  # tall: h above the gates
    view.resize(1600, 260)
    qtbot.waitUntil(lambda: {r for r, _ in _rows_and_columns(view).values()} == {0})
    assert [c for _, c in sorted(_rows_and_columns(view).values())] == list(range(6))
    assert np.array_equal(view.panels["forget"].data.shape, view.panels["h"].data.shape)
    view.resize(900, 480)
    qtbot.waitUntil(lambda: {r for r, _ in _rows_and_columns(view).values()} == {0, 1, 2})
