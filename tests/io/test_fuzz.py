"""Hostile-input fuzzing: every input must either load or raise ProjectFileError."""

import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnsim.core.errors import ProjectFileError
from nnsim.io import ProjectDocument, load_project, save_project

from .helpers import build_zip, make_doc, npy_bytes, raw_zip

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def load_bytes(tmp_path, data: bytes, name="fuzz.nnsim"):
    p = tmp_path / name
    p.write_bytes(data)
    try:
        doc = load_project(p)
    except ProjectFileError as exc:
        msg = str(exc)
        assert msg and "\n" not in msg and msg.endswith("."), msg
        return None
    assert isinstance(doc, ProjectDocument)
    for arr in doc.weights.values():
        assert isinstance(arr, np.ndarray) and arr.dtype.kind in "biuf"
    return doc


@pytest.fixture(scope="module")
def valid_bytes(tmp_path_factory) -> bytes:
    p = tmp_path_factory.mktemp("valid") / "v.nnsim"
    save_project(p, make_doc())
    return p.read_bytes()


@FUZZ
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes(tmp_path, data):
    load_bytes(tmp_path, data)


@FUZZ
@given(data=st.binary(max_size=64))
def test_arbitrary_bytes_with_zip_magic(tmp_path, data):
    load_bytes(tmp_path, b"PK\x03\x04" + data)
    load_bytes(tmp_path, data + b"PK\x05\x06" + data)


@FUZZ
@given(st.data())
def test_byte_flips_and_truncation(tmp_path, valid_bytes, data):
    buf = bytearray(valid_bytes)
    n_flips = data.draw(st.integers(0, 8))
    for _ in range(n_flips):
        i = data.draw(st.integers(0, len(buf) - 1))
        buf[i] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        buf = buf[: data.draw(st.integers(0, len(buf)))]
    load_bytes(tmp_path, bytes(buf))


@FUZZ
@given(st.data())
def test_flips_in_zip_structures(tmp_path, valid_bytes, data):
    """Aim flips at headers (local, central directory, end record) where parsers are most fragile."""
    buf = bytearray(valid_bytes)
    sigs = [b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"\x93NUMPY"]
    starts = [i for s in sigs for i in _find_all(valid_bytes, s)]
    for _ in range(data.draw(st.integers(1, 4))):
        base = data.draw(st.sampled_from(starts))
        i = min(len(buf) - 1, base + data.draw(st.integers(0, 60)))
        buf[i] = data.draw(st.integers(0, 255))
    load_bytes(tmp_path, bytes(buf))


def _find_all(hay: bytes, needle: bytes):
    i = hay.find(needle)
    while i >= 0:
        yield i
        i = hay.find(needle, i + 1)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)

top_keys = st.sampled_from(["schema_version", "app_version", "meta", "graph", "dataset", "training", "history"])


@FUZZ
@given(value=json_values)
def test_random_json_values(tmp_path, value):
    raw = json.dumps(value).encode()
    load_bytes(tmp_path, build_zip([("project.json", raw)]))


@FUZZ
@given(obj=st.dictionaries(top_keys | st.text(max_size=8), json_values, max_size=8), version=st.sampled_from([1, 1, 1, 0, 2, -1, "1", None]))
def test_random_project_objects(tmp_path, obj, version):
    obj = dict(obj)
    obj.setdefault("schema_version", version)
    obj.setdefault("graph", {})
    raw = json.dumps(obj).encode()
    load_bytes(tmp_path, build_zip([("project.json", raw)]))


member_names = st.binary(max_size=12) | st.sampled_from(["project.json", "weights.npz", "/project.json", "../project.json",
                                "a\\project.json", "weights.npz/", "", "dir/", "./weights.npz"]) | st.text(max_size=20)


@FUZZ
@given(members=st.lists(st.tuples(member_names, st.binary(max_size=200)), max_size=6),
       stored=st.booleans())
def test_random_zip_members(tmp_path, members, stored):
    load_bytes(tmp_path, raw_zip(members, deflate=not stored))


valid_json = json.dumps({"schema_version": 1, "graph": {}}).encode()


@FUZZ
@given(arrays=st.lists(st.tuples(st.text(max_size=12), st.binary(max_size=120)), max_size=4))
def test_random_weights_members(tmp_path, arrays):
    members = []
    for name, blob in arrays:
        members.append((name + ".npy", blob))
    npz = raw_zip(members)
    load_bytes(tmp_path, build_zip([("project.json", valid_json), ("weights.npz", npz)]))


dtypes = st.sampled_from(["<f4", ">f8", "<i4", "|u1", "|b1", "<f2", "|O", "<U3", "<c8", "|V4", "<M8[D]"])


@FUZZ
@given(descr=dtypes, shape=st.lists(st.integers(-2, 2**20), max_size=4), payload=st.binary(max_size=64),
       fortran=st.booleans())
def test_random_npy_headers(tmp_path, descr, shape, payload, fortran):
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {tuple(shape)}, }}".encode()
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + payload
    npz = build_zip([("n/w.npy", npy)], zipfile.ZIP_STORED)
    load_bytes(tmp_path, build_zip([("project.json", valid_json), ("weights.npz", npz)]))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(arr=st.sampled_from([np.float32, np.float64, np.int32, np.int64, np.uint8, np.bool_]).flatmap(
    lambda dt: st.lists(st.integers(0, 4), max_size=3).map(
        lambda shape: np.random.default_rng(len(shape)).standard_normal(shape).astype(dt))))
def test_valid_arrays_round_trip(tmp_path, arr):
    doc = ProjectDocument(weights={"n/w": arr})
    save_project(tmp_path / "r.nnsim", doc)
    assert load_project(tmp_path / "r.nnsim") == doc


def test_npy_helper_sanity():
    assert npy_bytes(np.zeros(1)).startswith(b"\x93NUMPY")


def test_raw_zip_helper_builds_loadable_files(tmp_path):
    npz = raw_zip([("n/w.npy", npy_bytes(np.arange(3, dtype=np.float32)))])
    for deflate in (False, True):
        doc = load_bytes(tmp_path, raw_zip([("project.json", valid_json), ("weights.npz", npz)], deflate))
        assert doc is not None and doc.weights["n/w"].tolist() == [0.0, 1.0, 2.0]
