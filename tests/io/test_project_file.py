import json
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nnsim
from nnsim.core.errors import ProjectFileError
from nnsim.io import CURRENT_SCHEMA, ProjectDocument, load_project, save_project
from nnsim.io import limits

from .helpers import build_zip, make_doc, npy_bytes, npz_bytes, project_json


def write(tmp_path: Path, data: bytes, name="p.nnsim") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def expect_error(path, *words):
    with pytest.raises(ProjectFileError) as info:
        load_project(path)
    msg = str(info.value)
    for w in words:
        assert w.lower() in msg.lower(), msg
    assert msg.endswith("."), msg
    return msg


# --- round trip ---------------------------------------------------------------------------------


def test_round_trip_all_fields(tmp_path, doc):
    p = tmp_path / "model.nnsim"
    save_project(p, doc)
    back = load_project(p)
    assert back == doc
    assert back.graph == doc.graph and back.dataset == doc.dataset and back.training == doc.training
    assert back.meta == doc.meta and back.app_version == "0.1.0"
    assert back.history["train_loss"] == [1.0, 0.5, None, None]
    assert back.history["test_loss"] == [None, 0.25]
    assert back.history["train_accuracy"] == []
    for k, a in doc.weights.items():
        b = back.weights[k]
        assert b.dtype == a.dtype and b.shape == a.shape
        assert b.tobytes() == a.tobytes()


def test_file_layout(tmp_path, doc):
    p = tmp_path / "model.nnsim"
    save_project(p, doc)
    with zipfile.ZipFile(p) as zf:
        assert sorted(zf.namelist()) == ["project.json", "weights.npz"]
        data = json.loads(zf.read("project.json"))  # strict JSON: no NaN literals
        assert data["schema_version"] == CURRENT_SCHEMA == 1
        assert set(data) == {"schema_version", "app_version", "meta", "graph", "dataset", "training", "history"}
        assert data["history"]["train_loss"] == [1.0, 0.5, None, None]
        raw = zf.read("weights.npz")
    import io

    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        assert sorted(npz.files) == sorted(doc.weights)


def test_default_app_version_and_empty_doc(tmp_path):
    d = ProjectDocument()
    assert d.app_version == nnsim.__version__
    p = tmp_path / "e.nnsim"
    save_project(p, d)
    assert load_project(p) == d


def test_float_bit_exact(tmp_path):
    vals = np.array([np.float32(1) / 3, -0.0, np.nextafter(np.float32(0), np.float32(1)), np.nan, np.inf],
                    dtype=np.float32)
    d = ProjectDocument(weights={"n/w": vals, "n/f": np.asfortranarray(np.arange(6.0).reshape(2, 3))})
    p = tmp_path / "b.nnsim"
    save_project(p, d)
    back = load_project(p)
    assert back.weights["n/w"].tobytes() == vals.tobytes()
    assert np.array_equal(back.weights["n/f"], d.weights["n/f"])


def test_numpy_scalars_in_settings(tmp_path):
    d = ProjectDocument(graph={"nodes": []}, training={"lr": np.float32(0.5), "epochs": np.int64(3)},
                        history={"loss": np.array([0.5, np.nan], dtype=np.float32)})
    p = tmp_path / "s.nnsim"
    save_project(p, d)
    back = load_project(p)
    assert back.training == {"lr": 0.5, "epochs": 3}
    assert back.history == {"loss": [0.5, None]}


def test_missing_weights_member_means_no_weights(tmp_path):
    p = write(tmp_path, build_zip([("project.json", project_json())]))
    assert load_project(p).weights == {}


def test_json_nan_literal_read_as_null(tmp_path):
    raw = b'{"schema_version": 1, "graph": {}, "history": {"a": [NaN, 1, Infinity]}, "meta": {"x": NaN}}'
    p = write(tmp_path, build_zip([("project.json", raw)]))
    d = load_project(p)
    assert d.history == {"a": [None, 1.0, None]} and d.meta == {"x": None}
    assert d.app_version == "unknown" and d.dataset == {} and d.training == {}


def test_unknown_members_are_ignored(tmp_path):
    p = write(tmp_path, build_zip([("../evil.txt", b"x"), ("/abs/project.json", b"x"), ("a\\b", b""),
                                   ("project.json", project_json()), ("thumbnail.png", b"\x89PNG")]))
    assert load_project(p).graph == {"nodes": [], "edges": []}
    assert not (tmp_path.parent / "evil.txt").exists()


# --- atomic save --------------------------------------------------------------------------------


def test_save_keeps_backup_and_no_temp_files(tmp_path, doc):
    p = tmp_path / "m.nnsim"
    save_project(p, doc)
    assert sorted(os.listdir(tmp_path)) == ["m.nnsim"]
    first = p.read_bytes()
    doc2 = make_doc()
    doc2.meta["title"] = "second"
    save_project(p, doc2)
    assert sorted(os.listdir(tmp_path)) == ["m.nnsim", "m.nnsim.bak"]
    assert (tmp_path / "m.nnsim.bak").read_bytes() == first
    assert load_project(p).meta["title"] == "second"
    assert load_project(tmp_path / "m.nnsim.bak").meta["title"] == "Spirals ✓"


def test_failed_replace_leaves_old_file(tmp_path, doc, monkeypatch):
    p = tmp_path / "m.nnsim"
    save_project(p, doc)
    before = p.read_bytes()

    def boom(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", boom)
    doc.meta["title"] = "changed"
    with pytest.raises(ProjectFileError, match="permission denied"):
        save_project(p, doc)
    monkeypatch.undo()
    assert p.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.nnsim"]


def test_failed_final_replace_only(tmp_path, doc, monkeypatch):
    p = tmp_path / "m.nnsim"
    save_project(p, doc)
    before = p.read_bytes()
    real = os.replace

    def fail_on_target(src, dst):
        if Path(dst) == p:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_target)
    with pytest.raises(ProjectFileError, match="disk is full"):
        save_project(p, doc)
    monkeypatch.undo()
    assert p.read_bytes() == before
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_failure_while_writing(tmp_path, doc, monkeypatch):
    p = tmp_path / "m.nnsim"
    save_project(p, doc)
    before = p.read_bytes()

    def bad_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", bad_fsync)
    with pytest.raises(ProjectFileError, match="Input/output error"):
        save_project(p, doc)
    monkeypatch.undo()
    assert p.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.nnsim"]


def test_save_into_missing_folder(tmp_path, doc):
    with pytest.raises(ProjectFileError, match="does not exist"):
        save_project(tmp_path / "nope" / "m.nnsim", doc)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions, non-root")
def test_save_permission_denied(tmp_path, doc):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(ProjectFileError, match="permission denied"):
            save_project(d / "m.nnsim", doc)
    finally:
        d.chmod(0o700)
    assert os.listdir(d) == []


def test_save_onto_folder(tmp_path, doc):
    (tmp_path / "m.nnsim").mkdir()
    with pytest.raises(ProjectFileError, match="folder"):
        save_project(tmp_path / "m.nnsim", doc)


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda d: d.weights.update({"noslash": np.zeros(1)}), ["weight name", "node name"]),
        (lambda d: d.weights.update({"a/../b": np.zeros(1)}), ["weight name"]),
        (lambda d: d.weights.update({"a\\b/c": np.zeros(1)}), ["backslash"]),
        (lambda d: d.weights.update({"a/b": np.array(["x"])}), ["only bool, int and float"]),
        (lambda d: d.weights.update({"a/b": np.array([object()])}), ["only bool, int and float"]),
        (lambda d: d.training.update({"lr": float("nan")}), ["training settings", "NaN"]),
        (lambda d: d.meta.update({"x": object()}), ["project details", "object"]),
        (lambda d: d.history.update({"x": ["a"]}), ["history", "non-number"]),
        (lambda d: setattr(d, "graph", []), ["graph", "dict"]),
    ],
)
def test_save_refuses_bad_documents(tmp_path, doc, change, words):
    p = tmp_path / "m.nnsim"
    save_project(p, doc)
    before = p.read_bytes()
    change(doc)
    with pytest.raises(ProjectFileError) as info:
        save_project(p, doc)
    for w in words:
        assert w.lower() in str(info.value).lower(), str(info.value)
    assert p.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.nnsim"]


def test_save_refuses_too_deep(tmp_path):
    deep: dict = {}
    cur = deep
    for _ in range(300):
        cur["x"] = {}
        cur = cur["x"]
    with pytest.raises(ProjectFileError, match="nested"):
        save_project(tmp_path / "d.nnsim", ProjectDocument(graph=deep))


# --- bad files ----------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    expect_error(tmp_path / "nope.nnsim", "nope.nnsim", "does not exist")


def test_folder(tmp_path):
    expect_error(tmp_path, "folder")


def test_empty_file(tmp_path):
    expect_error(write(tmp_path, b""), "empty")


def test_not_a_zip(tmp_path):
    expect_error(write(tmp_path, b"hello world, this is text" * 10), "not an NNSim project", "not a zip")


def test_truncated_zip(tmp_path, doc):
    p = tmp_path / "m.nnsim"
    save_project(p, doc)
    data = p.read_bytes()
    expect_error(write(tmp_path, data[: len(data) // 2], "t.nnsim"), "damaged")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "f.nnsim")
    expect_error(tmp_path / "f.nnsim", "not a regular file")


def test_bad_path_type():
    with pytest.raises(ProjectFileError):
        load_project(12.5)


def test_missing_project_json(tmp_path):
    expect_error(write(tmp_path, build_zip([("other.txt", b"x")])), "no project.json")


def test_duplicate_members(tmp_path):
    expect_error(write(tmp_path, build_zip([("project.json", project_json()), ("project.json", project_json())])),
                 "more than once")


def test_encrypted_member(tmp_path):
    data = bytearray(build_zip([("project.json", project_json())], zipfile.ZIP_STORED))
    # set the "encrypted" flag in the local header and the central directory
    data[6] |= 1
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 8] |= 1
    expect_error(write(tmp_path, bytes(data)), "encrypted")


def test_unsupported_compression(tmp_path):
    expect_error(write(tmp_path, build_zip([("project.json", project_json())], zipfile.ZIP_BZIP2)),
                 "compression method")


def test_json_bomb_ratio(tmp_path):
    raw = b'{"schema_version": 1, "graph": {}, "meta": {"x": "' + b"a" * (20 * 1024 * 1024) + b'"}}'
    expect_error(write(tmp_path, build_zip([("project.json", raw)])), "zip bomb")


def test_json_declared_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_JSON_BYTES", 100)
    expect_error(write(tmp_path, build_zip([("project.json", project_json(meta={"x": "y" * 200}))])),
                 "project.json", "too large")


def test_lying_declared_size_is_capped(tmp_path):
    real = project_json(meta={"x": "y" * 5000})
    data = bytearray(build_zip([("project.json", real)], zipfile.ZIP_DEFLATED))
    # claim only 100 bytes uncompressed in the central directory: reading must stop there
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (100).to_bytes(4, "little")
    expect_error(write(tmp_path, bytes(data)), "damaged")


def test_huge_central_directory(tmp_path):
    members = [(f"f{i}", b"") for i in range(limits.MAX_OUTER_ENTRIES + 1)] + [("project.json", project_json())]
    expect_error(write(tmp_path, build_zip(members, zipfile.ZIP_STORED)), "too large")


@pytest.mark.parametrize(
    "raw, words",
    [
        (b"{not json", ["not valid JSON", "line 1"]),
        (b'{\n"schema_version": 1,\n  "graph": {,}\n}', ["not valid JSON", "line 3"]),
        (b"\xff\xfe\x00", ["not UTF-8"]),
        (b"[1, 2]", ["not hold an object"]),
        (b'"text"', ["not hold an object"]),
        (b'{"graph": {}}', ["no schema_version"]),
        (b'{"schema_version": "1", "graph": {}}', ["schema_version", "whole number"]),
        (b'{"schema_version": 1.0, "graph": {}}', ["schema_version", "whole number"]),
        (b'{"schema_version": true, "graph": {}}', ["schema_version", "whole number"]),
        (b'{"schema_version": 0, "graph": {}}', ["schema_version 0", "not valid"]),
        (b'{"schema_version": -3, "graph": {}}', ["not valid"]),
        (b'{"schema_version": 7, "graph": {}}', ["newer NNSim", "schema 7", "update NNSim"]),
        (b'{"schema_version": 1}', ["no graph"]),
        (b'{"schema_version": 1, "graph": []}', ["graph", "must be an object"]),
        (b'{"schema_version": 1, "graph": {}, "dataset": 3}', ["dataset", "must be an object"]),
        (b'{"schema_version": 1, "graph": {}, "training": null}', ["training", "must be an object"]),
        (b'{"schema_version": 1, "graph": {}, "meta": "x"}', ["meta", "must be an object"]),
        (b'{"schema_version": 1, "graph": {}, "app_version": 2}', ["app_version", "string"]),
        (b'{"schema_version": 1, "graph": {}, "history": []}', ["history", "must be an object"]),
        (b'{"schema_version": 1, "graph": {}, "history": {"a": 1}}', ["history", "must be a list"]),
        (b'{"schema_version": 1, "graph": {}, "history": {"a": ["x"]}}', ["history", "non-number"]),
        (b'{"schema_version": 1, "graph": {}, "history": {"a": [true]}}', ["history", "non-number"]),
        (b'{"schema_version": 1, "graph": {}, "meta": {"n": 1' + b"0" * 5000 + b"}}", ["cannot be read"]),
        (b"[" * 100000 + b"]" * 100000, ["nested"]),
        (b'{"schema_version": 1, "graph": ' + b'{"a":' * 500 + b"1" + b"}" * 501, ["nested"]),
    ],
)
def test_bad_project_json(tmp_path, raw, words):
    expect_error(write(tmp_path, build_zip([("project.json", raw)])), *words)


def test_huge_history_number_is_null(tmp_path):
    raw = b'{"schema_version": 1, "graph": {}, "history": {"a": [1e999, ' + b"9" * 400 + b"]}}"
    d = load_project(write(tmp_path, build_zip([("project.json", raw)])))
    assert d.history["a"] == [None, None]


# --- bad weights ----------------------------------------------------------------------------------


def with_weights(tmp_path, npz: bytes) -> Path:
    return write(tmp_path, build_zip([("project.json", project_json()), ("weights.npz", npz)]))


def test_pickled_object_array_refused(tmp_path):
    arr = np.array([{"a": 1}, None], dtype=object)
    p = with_weights(tmp_path, npz_bytes([("n/w.npy", npy_bytes(arr))]))
    expect_error(p, "pickle", "refuses")


def test_pickle_payload_never_runs(tmp_path):
    import pickle

    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + pickle.dumps([Evil()])
    expect_error(with_weights(tmp_path, npz_bytes([("n/w.npy", npy)])), "pickle")
    assert not marker.exists()


@pytest.mark.parametrize(
    "arr, words",
    [
        (np.array(["a", "b"]), ["type", "only bool, int and float"]),
        (np.array([1 + 2j]), ["only bool, int and float"]),
        (np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]), ["only bool, int and float"]),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), ["only bool, int and float"]),
        (np.zeros(2, dtype=np.longdouble), ["only bool, int and float"]),
    ],
)
def test_non_numeric_dtypes_refused(tmp_path, arr, words):
    if arr.dtype == np.longdouble and arr.dtype.itemsize <= 8:
        pytest.skip("longdouble is double here")
    expect_error(with_weights(tmp_path, npz_bytes([("n/w.npy", npy_bytes(arr))])), *words)


def fake_npy(shape, descr="<f4", data=b"", version=1):
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}".encode()
    pre = 10 if version == 1 else 12
    header += b" " * (63 - (pre + len(header)) % 64) + b"\n"
    size = len(header).to_bytes(2 if version == 1 else 4, "little")
    return b"\x93NUMPY" + bytes([version, 0]) + size + header + data


def test_huge_declared_shape_refused(tmp_path):
    p = with_weights(tmp_path, npz_bytes([("n/w.npy", fake_npy("(100000, 100000)"))]))
    expect_error(p, "elements", "limit")


def test_shape_data_mismatch(tmp_path):
    p = with_weights(tmp_path, npz_bytes([("n/w.npy", fake_npy("(10,)", data=b"\0" * 12))]))
    expect_error(p, "does not hold as much data")


def test_npy_version_2_accepted_and_3_refused(tmp_path):
    ok = fake_npy("(2,)", data=np.array([1, 2], "<f4").tobytes(), version=2)
    d = load_project(with_weights(tmp_path, npz_bytes([("n/w.npy", ok)])))
    assert d.weights["n/w"].tolist() == [1.0, 2.0]
    bad = fake_npy("(2,)", data=np.array([1, 2], "<f4").tobytes(), version=2).replace(b"NUMPY\x02", b"NUMPY\x03")
    expect_error(with_weights(tmp_path, npz_bytes([("n/w.npy", bad)])), "format 3.0")


@pytest.mark.parametrize("header", [b"garbage", b"{'descr': '<f4'}", b"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
                                    b"{'descr': '<f4', 'fortran_order': False, 'shape': 'x'}",
                                    b"{'descr': 'zz', 'fortran_order': False, 'shape': (1,)}"])
def test_bad_npy_headers(tmp_path, header):
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + b"\0" * 4
    expect_error(with_weights(tmp_path, npz_bytes([("n/w.npy", npy)])), "damaged")


def test_not_npy(tmp_path):
    expect_error(with_weights(tmp_path, npz_bytes([("n/w.npy", b"just bytes")])), "not a numpy array")


def test_weights_not_zip(tmp_path):
    expect_error(with_weights(tmp_path, b"nope"), "weights.npz", "not a valid npz")


@pytest.mark.parametrize(
    "member, words",
    [
        ("noslash.npy", ["weight name", "node name"]),
        ("/abs/w.npy", ["weight name"]),
        ("a/../w.npy", ["weight name"]),
        ("a/./w.npy", ["weight name"]),
        ("a\\b/w.npy", ["backslash"]),
        ("a//w.npy", ["weight name"]),
        ("a/w.txt", ["unexpected entry"]),
        ("a/", ["unexpected entry"]),
        ("a/" + "x" * 300 + ".npy", ["weight name"]),
    ],
)
def test_bad_weight_names(tmp_path, member, words):
    npz = npz_bytes([(member, npy_bytes(np.zeros(2, np.float32)))])
    expect_error(with_weights(tmp_path, npz), *words)


def test_duplicate_weight_names(tmp_path):
    a = npy_bytes(np.zeros(2, np.float32))
    expect_error(with_weights(tmp_path, npz_bytes([("n/w.npy", a), ("n/w.npy", a)])), "more than once")


def test_weights_zip_bomb(tmp_path):
    npz = build_zip([("n/w.npy", fake_npy("(5000000,)", data=b"\0" * 20_000_000))], zipfile.ZIP_DEFLATED)
    expect_error(with_weights(tmp_path, npz), "zip bomb")


def test_outer_weights_bomb(tmp_path):
    npz = npz_bytes([("n/w.npy", fake_npy("(5000000,)", data=b"\0" * 20_000_000))])
    p = write(tmp_path, build_zip([("project.json", project_json()), ("weights.npz", npz)], zipfile.ZIP_DEFLATED))
    expect_error(p, "zip bomb", "weights.npz")


def test_weights_declared_total_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_WEIGHTS_BYTES", 1000)
    a = npy_bytes(np.zeros(100, np.float32))
    expect_error(with_weights(tmp_path, npz_bytes([("n/a.npy", a), ("n/b.npy", a), ("n/c.npy", a)])),
                 "too large")


def test_other_tools_npz_compressed(tmp_path):
    import io

    buf = io.BytesIO()
    w = np.arange(12, dtype=np.float64).reshape(3, 4)
    np.savez_compressed(buf, **{"n/w": w, "n/b": np.ones(3, ">f4")})
    d = load_project(with_weights(tmp_path, buf.getvalue()))
    assert np.array_equal(d.weights["n/w"], w) and d.weights["n/b"].dtype == np.dtype(">f4")


def test_save_permission_denied_simulated(tmp_path, doc, monkeypatch):
    import tempfile

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(ProjectFileError, match="permission denied"):
        save_project(tmp_path / "m.nnsim", doc)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_unreadable_previous_file_aborts_save(tmp_path, doc, monkeypatch):
    p = tmp_path / "m.nnsim"
    save_project(p, doc)
    before = p.read_bytes()
    real_copy = shutil.copyfileobj

    def broken_copy(*a, **k):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(shutil, "copyfileobj", broken_copy)
    with pytest.raises(ProjectFileError, match="Input/output error"):
        save_project(p, doc)
    monkeypatch.setattr(shutil, "copyfileobj", real_copy)
    assert p.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.nnsim"]
