"""2-D toy sets after TensorFlow Playground (dataset.ts), with its engineered input features.

The raw plane points are kept with a ``featurize`` function so plots can draw decision
boundaries by featurizing a grid exactly like the training inputs.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nnsim.core.errors import DatasetError
from nnsim.core.params import ParamSpec
from nnsim.data.batching import split_indices
from nnsim.data.dataset import Dataset, classification, regression

# (param name, display name, function of x1, x2)
FEATURES: tuple[tuple[str, str, Callable[[np.ndarray, np.ndarray], np.ndarray]], ...] = (
    ("feat_x1", "x1", lambda a, b: a),
    ("feat_x2", "x2", lambda a, b: b),
    ("feat_x1_sq", "x1²", lambda a, b: a * a),
    ("feat_x2_sq", "x2²", lambda a, b: b * b),
    ("feat_x1x2", "x1·x2", lambda a, b: a * b),
    ("feat_sin_x1", "sin(x1)", lambda a, b: np.sin(a)),
    ("feat_sin_x2", "sin(x2)", lambda a, b: np.sin(b)),
)

COMMON_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("n_samples", "int", 500, "Number of points, training and test together.", 10, 5000),
    ParamSpec("noise", "float", 0.0, "Noise as a fraction (0 to 0.5, like Playground's 0-50%).", 0.0, 0.5),
    ParamSpec("test_ratio", "float", 0.5, "Fraction of the points kept aside for testing.", 0.1, 0.9),
    ParamSpec("seed", "int", 0, "Random seed: the same seed always gives the same points.", 0, 2**31 - 1),
) + tuple(
    ParamSpec(key, "bool", key in ("feat_x1", "feat_x2"), f"Feed {label} to the network as an input.")
    for key, label, _ in FEATURES
)

MULTI_GAUSS_PARAMS: tuple[ParamSpec, ...] = COMMON_PARAMS[:4] + (
    ParamSpec("classes", "int", 4, "Number of gaussian clusters, one class each.", 3, 6),
) + COMMON_PARAMS[4:]

DEFAULT_FEATURES = ("feat_x1", "feat_x2")


def make_featurizer(features: tuple[str, ...] | list[str]) -> tuple[Callable[[np.ndarray], np.ndarray], list[str]]:
    """Return (featurize, feature names) for the enabled feature keys, in canonical order."""
    chosen = [(key, label, fn) for key, label, fn in FEATURES if key in features]
    unknown = sorted(set(features) - {key for key, _, _ in FEATURES})
    if unknown:
        raise DatasetError(f"Unknown input feature {unknown[0]!r}: use one of "
                           f"{', '.join(k for k, _, _ in FEATURES)}.")
    if not chosen:
        raise DatasetError("No input feature is switched on: enable at least one, for example x1 and x2.")
    fns = [fn for _, _, fn in chosen]

    def featurize(points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        a, b = p[:, 0], p[:, 1]
        return np.stack([fn(a, b) for fn in fns], axis=1).astype(np.float32)

    return featurize, [label for _, label, _ in chosen]


def _uniform(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return rng.uniform(lo, hi, n)


def _gauss_variance(noise: float) -> float:
    # Playground: d3.scale.linear().domain([0, .5]).range([0.5, 4])
    return 0.5 + noise / 0.5 * 3.5


def gen_circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0
    n_in = n // 2
    r = np.concatenate([_uniform(rng, 0, radius * 0.5, n_in), _uniform(rng, radius * 0.7, radius, n - n_in)])
    angle = _uniform(rng, 0, 2 * np.pi, n)
    x, y = r * np.sin(angle), r * np.cos(angle)
    nx, ny = _uniform(rng, -radius, radius, n) * noise, _uniform(rng, -radius, radius, n) * noise
    labels = (np.hypot(x + nx, y + ny) < radius * 0.5).astype(np.int64)
    return np.stack([x, y], axis=1), labels


def gen_xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    pad = 0.3
    x = _uniform(rng, -5, 5, n)
    y = _uniform(rng, -5, 5, n)
    x += np.where(x > 0, pad, -pad)
    y += np.where(y > 0, pad, -pad)
    nx, ny = _uniform(rng, -5, 5, n) * noise, _uniform(rng, -5, 5, n) * noise
    labels = ((x + nx) * (y + ny) >= 0).astype(np.int64)
    return np.stack([x, y], axis=1), labels


def _gaussians(centers: list[tuple[float, float]], n: int, noise: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    std = np.sqrt(_gauss_variance(noise))
    k = len(centers)
    counts = [n // k + (1 if i < n % k else 0) for i in range(k)]
    pts = [rng.normal(c, std, (m, 2)) for c, m in zip(centers, counts)]
    labels = np.concatenate([np.full(m, i, dtype=np.int64) for i, m in enumerate(counts)])
    return np.concatenate(pts), labels


def gen_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # class 1 ("positive") around (2, 2), class 0 around (-2, -2), as in Playground
    return _gaussians([(-2.0, -2.0), (2.0, 2.0)], n, noise, rng)


def gen_multi_gauss(n: int, noise: float, rng: np.random.Generator, classes: int) -> tuple[np.ndarray, np.ndarray]:
    angles = 2 * np.pi * np.arange(classes) / classes + np.pi / 4
    centers = [(3.5 * np.cos(a), 3.5 * np.sin(a)) for a in angles]
    std = np.sqrt(_gauss_variance(noise)) * 0.6  # tighter: k clusters share the same plane
    counts = [n // classes + (1 if i < n % classes else 0) for i in range(classes)]
    pts = [rng.normal(c, std, (m, 2)) for c, m in zip(centers, counts)]
    labels = np.concatenate([np.full(m, i, dtype=np.int64) for i, m in enumerate(counts)])
    return np.concatenate(pts), labels


def gen_spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    pts, labels = [], []
    for label, delta, m in ((1, 0.0, n // 2), (0, np.pi, n - n // 2)):
        i = np.arange(m)
        r = i / m * 5
        t = 1.75 * i / m * 2 * np.pi + delta
        x = r * np.sin(t) + _uniform(rng, -1, 1, m) * noise
        y = r * np.cos(t) + _uniform(rng, -1, 1, m) * noise
        pts.append(np.stack([x, y], axis=1))
        labels.append(np.full(m, label, dtype=np.int64))
    return np.concatenate(pts), np.concatenate(labels)


def gen_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 6.0
    x, y = _uniform(rng, -radius, radius, n), _uniform(rng, -radius, radius, n)
    nx, ny = _uniform(rng, -radius, radius, n) * noise, _uniform(rng, -radius, radius, n) * noise
    target = (x + nx + y + ny) / 10.0  # Playground: linear map [-10, 10] -> [-1, 1]
    return np.stack([x, y], axis=1), target.reshape(-1, 1)


GENERATORS = {"circle": gen_circle, "xor": gen_xor, "gauss": gen_gauss, "spiral": gen_spiral,
              "plane": gen_plane, "multi-gauss": gen_multi_gauss}

DESCRIPTIONS = {
    "circle": "Points inside a disc against a ring around it: not linearly separable in x1, x2.",
    "xor": "Four quadrants, same sign is one class: the 2-D XOR problem.",
    "gauss": "Two gaussian blobs: linearly separable.",
    "spiral": "Two interleaved spiral arms: hard, needs depth or sin features.",
    "plane": "Regression of a tilted plane, target (x1 + x2) / 10.",
    "multi-gauss": "Several gaussian blobs, one class each: multi-class softmax.",
}


def make_playground(kind: str, n_samples: int = 500, noise: float = 0.0, test_ratio: float = 0.5,
                    seed: int = 0, classes: int = 4, features: tuple[str, ...] | list[str] = DEFAULT_FEATURES,
                    name: str | None = None) -> Dataset:
    """Generate the Playground set ``kind``; deterministic for a given seed."""
    if kind not in GENERATORS:
        raise DatasetError(f"Unknown playground set {kind!r}: use one of {', '.join(GENERATORS)}.")
    featurize, names = make_featurizer(features)
    rng = np.random.default_rng(seed)
    if kind == "multi-gauss":
        points, target = gen_multi_gauss(n_samples, noise, rng, classes)
    else:
        points, target = GENERATORS[kind](n_samples, noise, rng)
    points = points.astype(np.float32)
    name = name or kind
    x = featurize(points)
    extra = dict(feature_names=names, description=DESCRIPTIONS[kind], featurize=featurize)
    if kind == "plane":
        train, test = split_indices(len(points), test_ratio, rng)
        return regression(name, x, target, train, test, points_train=points[train],
                          points_test=points[test], **extra)
    train, test = split_indices(len(points), test_ratio, rng, labels=target)
    if kind == "multi-gauss":
        class_names = [f"class {i}" for i in range(classes)]
    else:
        class_names = ["negative", "positive"]
    return classification(name, x, target, train, test, class_names,
                          points_train=points[train], points_test=points[test], **extra)


def build_from_params(kind: str, params: dict, name: str | None = None) -> Dataset:
    """Builder used by the registry: ``params`` already checked against the ParamSpecs."""
    features = tuple(key for key, _, _ in FEATURES if params.get(key))
    return make_playground(kind, params["n_samples"], params["noise"], params["test_ratio"],
                           params["seed"], params.get("classes", 4), features, name=name)
