"""Size limits for ``.nnsim`` files (docs/file-format.md lists them for other tools).

The other modules read these as ``limits.NAME`` when they run, so a test can lower one with
``monkeypatch.setattr(limits, "NAME", ...)``.
"""

MiB = 1 << 20
GiB = 1 << 30

#: Largest ``project.json`` accepted (uncompressed).
MAX_JSON_BYTES = 32 * MiB
#: Largest ``weights.npz`` accepted (uncompressed), and largest total of its arrays.
MAX_WEIGHTS_BYTES = 2 * GiB
#: Largest number of elements in one weight array.
MAX_ARRAY_ELEMENTS = 2**28
#: Most arrays in ``weights.npz``.
MAX_ARRAYS = 100_000
#: Most entries in the outer zip (only two are read; others are ignored).
MAX_OUTER_ENTRIES = 1000
#: Largest central directory of the outer zip / of ``weights.npz``.
MAX_OUTER_DIRECTORY_BYTES = 4 * MiB
MAX_INNER_DIRECTORY_BYTES = 64 * MiB
#: Compression ratio cap (uncompressed / compressed) for members larger than RATIO_FLOOR_BYTES.
MAX_COMPRESSION_RATIO = 200
RATIO_FLOOR_BYTES = 1 * MiB
#: Deepest nesting of lists/objects accepted in ``project.json``.
MAX_JSON_DEPTH = 200
#: Longest weight key, and npy header size limit.
MAX_KEY_LENGTH = 256
MAX_NPY_HEADER_BYTES = 10_000
