"""Builders for project files and hostile inputs."""

import io
import json
import zipfile

import numpy as np
from nnsim.io import ProjectDocument


def make_doc() -> ProjectDocument:
    rng = np.random.default_rng(0)
    return ProjectDocument(
        graph={
            "nodes": [
                {"id": 1, "type": "Input", "name": "input", "params": {"shape": [4]}, "position": [0.0, 0.0]},
                {"id": 2, "type": "Dense", "name": "hidden1", "params": {"units": 3}, "position": [120.5, -3.0]},
            ],
            "edges": [{"src": 1, "dst": 2}],
        },
        dataset={"name": "spirals", "params": {"n": 200, "noise": 0.1}},
        training={"loss": "cross_entropy", "optimizer": "adam", "optimizer_params": {"lr": 0.001},
                  "batch_size": 32, "epochs": 10, "seed": 42},
        history={"train_loss": [1.0, 0.5, float("nan"), float("inf")], "test_loss": [None, 0.25],
                 "train_accuracy": []},
        weights={
            "hidden1/weight": rng.standard_normal((3, 4)).astype(np.float32),
            "hidden1/bias": np.zeros(3, dtype=np.float32),
            "bn/running_mean": rng.standard_normal(5),
            "bn/num_batches": np.array(7, dtype=np.int64),
            "emb/mask": np.array([True, False]),
        },
        meta={"title": "Spirals ✓", "description": "two arms", "tags": ["demo"], "n": None},
        app_version="0.1.0",
    )


def npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=True)
    return buf.getvalue()


def build_zip(members, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """members: list of (name, bytes) — duplicates allowed."""
    buf = io.BytesIO()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names warn
        with zipfile.ZipFile(buf, "w", compression) as zf:
            for name, data in members:
                zf.writestr(name, data)
    return buf.getvalue()


def project_json(**overrides) -> bytes:
    data = {"schema_version": 1, "app_version": "0.1.0", "meta": {}, "graph": {"nodes": [], "edges": []},
            "dataset": {}, "training": {}, "history": {}}
    data.update(overrides)
    return json.dumps(data).encode()


def npz_bytes(members) -> bytes:
    return build_zip(members, zipfile.ZIP_STORED)


def raw_zip(members, deflate=False) -> bytes:
    """A zip written by hand so that any name bytes (empty, invalid UTF-8, duplicates) are possible.

    members: list of (name: bytes | str, data: bytes)."""
    import struct
    import zlib

    out = bytearray()
    central = bytearray()
    for name, data in members:
        if isinstance(name, str):
            name = name.encode("utf-8", "surrogatepass")
        crc = zlib.crc32(data)
        if deflate:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = c.compress(data) + c.flush()
            method = 8
        else:
            body, method = data, 0
        offset = len(out)
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, method, 0, 0x21,
                           crc, len(body), len(data), len(name), 0) + name + body
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, method, 0, 0x21,
                               crc, len(body), len(data), len(name), 0, 0, 0, 0, 0o644 << 16, offset) + name
    cd_offset = len(out)
    out += central
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), cd_offset, 0)
    return bytes(out)
