"""Generated grayscale images of five outline shapes, for convolution networks.

Each image is drawn with numpy alone: the distance of every pixel centre to the shape's outline
becomes an anti-aliased stroke, then gaussian noise is added and values are clipped to [0, 1].
"""

from __future__ import annotations

import numpy as np

from nnsim.core.errors import DatasetError
from nnsim.core.params import ParamSpec
from nnsim.data.batching import split_indices
from nnsim.data.dataset import Dataset, classification

SHAPE_NAMES = ["line", "cross", "circle", "square", "triangle"]

SHAPES_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("n_samples", "int", 2000, "Number of images, training and test together.", 100, 20000),
    ParamSpec("size", "int", 28, "Image width and height in pixels (16 and 28 are typical).", 12, 32),
    ParamSpec("noise", "float", 0.1, "Standard deviation of the gaussian pixel noise.", 0.0, 0.5),
    ParamSpec("test_ratio", "float", 0.2, "Fraction of the images kept aside for testing.", 0.1, 0.9),
    ParamSpec("seed", "int", 0, "Random seed: the same seed always gives the same images.", 0, 2**31 - 1),
)

_CHUNK = 256  # images drawn at once: bounds the temporary (chunk, size, size) arrays


def _segment_distance(px: np.ndarray, py: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of each pixel (px, py: (H, W)) to the segments a->b (a, b: (m, 2)), shape (m, H, W)."""
    ax, ay = a[:, 0, None, None], a[:, 1, None, None]
    dx, dy = (b[:, 0] - a[:, 0])[:, None, None], (b[:, 1] - a[:, 1])[:, None, None]
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / np.maximum(dx * dx + dy * dy, 1e-9), 0.0, 1.0)
    return np.hypot(px - ax - t * dx, py - ay - t * dy)


def _polygon_distance(px: np.ndarray, py: np.ndarray, centre: np.ndarray, radius: np.ndarray,
                      angle: np.ndarray, corners: int) -> np.ndarray:
    """Distance to the outline of regular polygons (circumradius ``radius``), shape (m, H, W)."""
    phis = angle[:, None] + 2 * np.pi * np.arange(corners + 1)[None, :] / corners
    vx = centre[:, 0, None] + radius[:, None] * np.cos(phis)
    vy = centre[:, 1, None] + radius[:, None] * np.sin(phis)
    dist = None
    for k in range(corners):
        d = _segment_distance(px, py, np.stack([vx[:, k], vy[:, k]], 1), np.stack([vx[:, k + 1], vy[:, k + 1]], 1))
        dist = d if dist is None else np.minimum(dist, d)
    return dist


def outline_distance(kind: int, px: np.ndarray, py: np.ndarray, centre: np.ndarray, radius: np.ndarray,
                     angle: np.ndarray) -> np.ndarray:
    """Distance of every pixel to the outline of shape ``kind`` (index into SHAPE_NAMES)."""
    name = SHAPE_NAMES[kind]
    if name in ("line", "cross"):
        u = np.stack([np.cos(angle), np.sin(angle)], 1) * radius[:, None]
        dist = _segment_distance(px, py, centre - u, centre + u)
        if name == "cross":
            v = np.stack([-u[:, 1], u[:, 0]], 1)
            dist = np.minimum(dist, _segment_distance(px, py, centre - v, centre + v))
        return dist
    if name == "circle":
        return np.abs(np.hypot(px - centre[:, 0, None, None], py - centre[:, 1, None, None])
                      - radius[:, None, None])
    return _polygon_distance(px, py, centre, radius, angle, 4 if name == "square" else 3)


def draw_shapes(kinds: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Clean (noise-free) images (n, size, size) in [0, 1] of the shapes ``kinds``.

    Random centre, size, orientation and stroke width (1.2 to 2 px), always fully inside the image.
    """
    n = len(kinds)
    radius = np.minimum(rng.uniform(0.24, 0.4, n) * size, size / 2 - 1.5)
    margin = radius + 1.5  # the stroke (at most 1 px each side of the outline) stays off the border
    centre = np.stack([rng.uniform(margin, size - margin), rng.uniform(margin, size - margin)], 1)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    half_width = rng.uniform(0.6, 1.0, n)
    py, px = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    images = np.zeros((n, size, size), dtype=np.float32)
    for start in range(0, n, _CHUNK):
        sl = slice(start, start + _CHUNK)
        k_chunk = kinds[sl]
        for kind in np.unique(k_chunk):
            idx = np.flatnonzero(k_chunk == kind) + start
            dist = outline_distance(int(kind), px, py, centre[idx], radius[idx], angle[idx])
            # anti-aliased stroke: 1 inside the half width, fading to 0 over one pixel
            images[idx] = np.clip(half_width[idx, None, None] + 0.5 - dist, 0.0, 1.0)
    return images


def make_shapes(n_samples: int = 2000, size: int = 28, noise: float = 0.1, test_ratio: float = 0.2,
                seed: int = 0) -> Dataset:
    """Balanced classes line/cross/circle/square/triangle as (1, size, size) images in [0, 1]."""
    if not 12 <= size <= 64:
        raise DatasetError(f"The shapes image size is {size}: use 12 to 64 pixels, for example 16 or 28.")
    if n_samples < len(SHAPE_NAMES) * 2:
        raise DatasetError(f"The shapes dataset needs at least {len(SHAPE_NAMES) * 2} images, not {n_samples}.")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n_samples) % len(SHAPE_NAMES)).astype(np.int64)
    images = draw_shapes(labels, size, rng)
    if noise > 0:
        images += rng.normal(0.0, noise, images.shape).astype(np.float32)
    x = np.clip(images, 0.0, 1.0).reshape(n_samples, 1, size, size)
    train, test = split_indices(n_samples, test_ratio, rng, labels=labels)
    return classification(
        "shapes", x, labels, train, test, list(SHAPE_NAMES),
        description=f"{size}x{size} grayscale outlines of a line, cross, circle, square or triangle at "
                    "random positions, sizes and angles, with gaussian noise; pixels in [0, 1].")
