"""LiveOverlay: edges coloured by their layer's weights and unit-map thumbnails under the nodes."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from nnsim.gui.canvas.live_overlay import MAX_UNITS, THUMB_PX, LiveOverlay
from nnsim.gui.canvas.scene import GraphScene
from nnsim.gui.document import Document
from nnsim.project import Project
from nnsim.training.live import LiveFrameBuilder


@pytest.fixture(scope="module")
def spiral_frame():
    project = Project.example("spiral")
    trainer = project.trainer()
    trainer.run(1)
    return LiveFrameBuilder(trainer).build()


@pytest.fixture
def scene(qapp):
    scene = GraphScene(Document(Project.example("spiral")))
    yield scene
    scene.deleteLater()


def with_weights(frame, sign: float):
    weights = {k: sign * np.abs(w) for k, w in frame.snapshot.weights.items()}
    return replace(frame, snapshot=replace(frame.snapshot, weights=weights))


def test_edges_get_bands_coloured_by_the_sign_of_their_layer_weights(scene, spiral_frame):
    overlay = LiveOverlay(scene)
    overlay.show_frame(with_weights(spiral_frame, +1.0))
    assert set(overlay.bands) == set(scene.edges)  # every edge leads into a Dense layer
    for edge, band in overlay.bands.items():
        assert band.parentItem() is scene.edges[edge]
        color = band.pen().color()
        assert color.red() > color.blue()  # positive: orange
    overlay.show_frame(with_weights(spiral_frame, -1.0))
    for band in overlay.bands.values():
        color = band.pen().color()
        assert color.blue() > color.red()  # negative: blue


def test_band_width_follows_the_mean_magnitude(scene, spiral_frame):
    overlay = LiveOverlay(scene)
    small = replace(spiral_frame, snapshot=replace(spiral_frame.snapshot, weights={
        k: 0.01 * w for k, w in spiral_frame.snapshot.weights.items()}))
    overlay.show_frame(small)
    thin = {e: b.pen().widthF() for e, b in overlay.bands.items()}
    overlay.show_frame(spiral_frame)
    assert all(overlay.bands[e].pen().widthF() > thin[e] for e in thin)


def test_thumbnails_show_the_unit_maps_below_each_node(scene, spiral_frame):
    overlay = LiveOverlay(scene)
    overlay.show_frame(spiral_frame)
    assert set(overlay.thumbnails) == set(scene.nodes)  # spiral: every node has maps
    for node_id, thumbs in overlay.thumbnails.items():
        node_item = scene.nodes[node_id]
        units = min(len(spiral_frame.neuron_maps[node_item.node.name]), MAX_UNITS)
        assert thumbs.item.parentItem() is node_item
        assert thumbs.item.pos().y() >= node_item.boundingRect().bottom() - 4  # below the card, not over its text
        rect = thumbs.item.mapRectToParent(thumbs.item.boundingRect())
        assert rect.height() == pytest.approx(THUMB_PX)
        assert rect.width() <= node_item.boundingRect().width()
        assert thumbs.units == units and not thumbs.item.pixmap().isNull()


def test_thumbnail_pixels_follow_the_maps(scene, spiral_frame):
    overlay = LiveOverlay(scene)
    overlay.show_frame(spiral_frame)
    thumbs = next(t for i, t in overlay.thumbnails.items() if scene.nodes[i].node.name == "output")
    image = thumbs.item.pixmap().toImage()
    maps = spiral_frame.neuron_maps["output"][0]
    g = maps.shape[0]
    high = np.unravel_index(np.argmax(maps), maps.shape)  # (row = x2, column = x1)
    color = image.pixelColor(int(high[1]), g - 1 - int(high[0]))  # x2 grows upwards
    assert color.red() > color.blue()  # high output: orange
    flipped = {k: -m for k, m in spiral_frame.neuron_maps.items()}
    overlay.show_frame(replace(spiral_frame, neuron_maps=flipped))  # the cached buffer is rewritten in place
    color = thumbs.item.pixmap().toImage().pixelColor(int(high[1]), g - 1 - int(high[0]))
    assert color.blue() > color.red()


def test_clear_removes_every_overlay(scene, spiral_frame):
    overlay = LiveOverlay(scene)
    overlay.show_frame(spiral_frame)
    items = [b for b in overlay.bands.values()] + [t.item for t in overlay.thumbnails.values()]
    overlay.clear()
    assert not overlay.bands and not overlay.thumbnails
    assert all(item.scene() is None for item in items)
    assert all(not e.childItems() for e in scene.edges.values())


def test_survives_a_scene_rebuild(scene, spiral_frame):
    overlay = LiveOverlay(scene)
    overlay.show_frame(spiral_frame)
    scene.rebuild()  # a new project: the old items (and our children) are gone
    overlay.show_frame(spiral_frame)
    assert all(b.parentItem() in scene.edges.values() for b in overlay.bands.values())
    overlay.clear()


def test_update_is_fast(scene, spiral_frame):
    overlay = LiveOverlay(scene)
    times = []
    for _ in range(20):
        start = time.perf_counter()
        overlay.show_frame(replace(spiral_frame))
        times.append(time.perf_counter() - start)
    print(f"overlay update: median {np.median(times) * 1e3:.2f} ms, max {max(times) * 1e3:.2f} ms")
    assert max(times) < 0.2
