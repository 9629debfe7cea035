"""Schema migrations for ``project.json``.

Each migrator takes the decoded ``project.json`` dict of schema ``N`` and returns the dict for
schema ``N + 1`` (it may change its argument in place). :func:`upgrade` chains them from the file's
version up to :data:`CURRENT_SCHEMA` and sets ``schema_version`` after each step.

To change the format: bump ``CURRENT_SCHEMA`` and add::

    @migrator(1)
    def _v1_to_v2(data: dict) -> dict:
        ...
        return data
"""

from __future__ import annotations

from typing import Any, Callable

from nnsim.core.errors import ProjectFileError

CURRENT_SCHEMA = 1

Migrator = Callable[[dict[str, Any]], dict[str, Any]]

#: ``from_version -> function`` upgrading a dict of that version by one step.
MIGRATORS: dict[int, Migrator] = {}


def migrator(from_version: int) -> Callable[[Migrator], Migrator]:
    """Decorator: register ``fn`` as the upgrade from ``from_version`` to ``from_version + 1``."""
    if isinstance(from_version, bool) or not isinstance(from_version, int) or from_version < 1:
        raise ValueError("from_version must be an int >= 1")

    def register(fn: Migrator) -> Migrator:
        if from_version in MIGRATORS:
            raise ValueError(f"a migrator from schema {from_version} is already registered")
        MIGRATORS[from_version] = fn
        return fn

    return register


def upgrade(data: dict[str, Any], name: str = "This project") -> dict[str, Any]:
    """Bring ``data`` (a decoded ``project.json``) to :data:`CURRENT_SCHEMA`.

    ``name`` starts the error sentences (usually the file name). Raises :class:`ProjectFileError`
    for a missing/non-int version, a version < 1, a version newer than this NNSim, a gap with no
    migrator, or a migrator that fails.
    """
    current = CURRENT_SCHEMA  # read at call time so tests may patch it
    if not isinstance(data, dict):
        raise ProjectFileError(f"{name} is damaged: project.json does not hold an object.")
    if "schema_version" not in data:
        raise ProjectFileError(f"{name} is damaged: project.json has no schema_version.")
    version = data["schema_version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectFileError(f"{name} is damaged: schema_version in project.json is not a whole number.")
    if version > current:
        raise ProjectFileError(
            f"{name} was written by a newer NNSim (schema {version}); update NNSim to open it."
        )
    if version < 1:
        raise ProjectFileError(f"{name} is damaged: schema_version {version} is not valid (it starts at 1).")
    while version < current:
        step = MIGRATORS.get(version)
        if step is None:
            raise ProjectFileError(
                f"{name} uses schema {version}, which this NNSim cannot upgrade (no migration from "
                f"schema {version} to {version + 1})."
            )
        try:
            data = step(data)
        except ProjectFileError:
            raise
        except Exception as exc:  # a migrator choking on odd input is the file's problem
            raise ProjectFileError(
                f"{name} could not be upgraded from schema {version} to {version + 1} ({type(exc).__name__})."
            ) from exc
        if not isinstance(data, dict):
            raise ProjectFileError(f"{name} could not be upgraded from schema {version} to {version + 1}.")
        version += 1
        data["schema_version"] = version
    return data
