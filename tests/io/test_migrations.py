import json

import pytest

from nnsim.core.errors import ProjectFileError
from nnsim.io import load_project, migrations

from .helpers import build_zip


@pytest.fixture
def schema3(monkeypatch):
    """Pretend the current schema is 3, with migrators 1->2 and 2->3 (cleaned up afterwards)."""
    monkeypatch.setattr(migrations, "CURRENT_SCHEMA", 3)
    monkeypatch.setattr(migrations, "MIGRATORS", dict(migrations.MIGRATORS))

    @migrations.migrator(1)
    def _v1(data):
        data["graph"]["renamed"] = data["graph"].pop("old", None)
        return data

    @migrations.migrator(2)
    def _v2(data):
        assert data["schema_version"] == 2
        data["meta"] = {"upgraded": True}
        return data

    yield


def test_upgrade_chain(schema3):
    out = migrations.upgrade({"schema_version": 1, "graph": {"old": 5}})
    assert out == {"schema_version": 3, "graph": {"renamed": 5}, "meta": {"upgraded": True}}


def test_load_old_file_runs_migrators(schema3, tmp_path):
    p = tmp_path / "old.nnsim"
    p.write_bytes(build_zip([("project.json", json.dumps({"schema_version": 1, "graph": {"old": 1}}).encode())]))
    d = load_project(p)
    assert d.graph == {"renamed": 1} and d.meta == {"upgraded": True}


def test_registry_restored_after_fixture():
    assert migrations.CURRENT_SCHEMA == 1
    assert 1 not in migrations.MIGRATORS


def test_gap_refused(monkeypatch):
    monkeypatch.setattr(migrations, "CURRENT_SCHEMA", 3)
    monkeypatch.setattr(migrations, "MIGRATORS", {1: lambda d: d})
    with pytest.raises(ProjectFileError, match="no migration from schema 2 to 3"):
        migrations.upgrade({"schema_version": 1})


def test_failing_migrator(monkeypatch):
    monkeypatch.setattr(migrations, "CURRENT_SCHEMA", 2)
    monkeypatch.setattr(migrations, "MIGRATORS", {1: lambda d: d["missing"]})
    with pytest.raises(ProjectFileError, match="could not be upgraded from schema 1 to 2"):
        migrations.upgrade({"schema_version": 1}, "x.nnsim")
    monkeypatch.setattr(migrations, "MIGRATORS", {1: lambda d: None})
    with pytest.raises(ProjectFileError, match="could not be upgraded"):
        migrations.upgrade({"schema_version": 1}, "x.nnsim")


def test_newer_refused():
    with pytest.raises(ProjectFileError) as info:
        migrations.upgrade({"schema_version": 2}, "model.nnsim")
    assert str(info.value) == "model.nnsim was written by a newer NNSim (schema 2); update NNSim to open it."


@pytest.mark.parametrize("v", [0, -1, "1", 1.5, None, True])
def test_bad_versions(v):
    with pytest.raises(ProjectFileError, match="schema_version"):
        migrations.upgrade({"schema_version": v})


def test_decorator_validation(monkeypatch):
    monkeypatch.setattr(migrations, "MIGRATORS", {})
    with pytest.raises(ValueError):
        migrations.migrator(0)
    migrations.migrator(5)(lambda d: d)
    with pytest.raises(ValueError):
        migrations.migrator(5)(lambda d: d)


def test_current_schema_reexported():
    from nnsim.io import CURRENT_SCHEMA

    assert CURRENT_SCHEMA == migrations.CURRENT_SCHEMA == 1
