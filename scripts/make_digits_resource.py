"""Extract scikit-learn's bundled 8x8 digits into ``resources/datasets/digits.npz``.

Run once by a developer (``python scripts/make_digits_resource.py``); NNSim itself only reads
the .npz, so scikit-learn is not a runtime dependency.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "resources" / "datasets" / "digits.npz"


def main() -> None:
    from sklearn.datasets import load_digits  # developer-only dependency

    digits = load_digits()
    images = np.asarray(digits.images)
    labels = np.asarray(digits.target)
    assert images.shape == (1797, 8, 8) and images.min() >= 0 and images.max() <= 16
    assert np.array_equal(images, np.round(images))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, images=images.astype(np.uint8), labels=labels.astype(np.uint8))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
