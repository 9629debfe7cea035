"""docs/api.md can't lie: its Python blocks run, and its generated tables match the code.

* Every ```python block of docs/api.md is executed, in order, in one namespace, with the current
  directory set to a fresh temporary folder (so files the snippets save land there). A block
  followed by a line "prints" and a ```text block must print exactly that text.
* The tables between ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->`` must
  equal what :data:`GENERATORS` produces from the registries. After changing a layer kind, a
  dataset or a training setting, rewrite them with ``python tests/test_docs.py``.
* Every activation, loss, optimizer, schedule, initializer, error class and CLI command is named
  in the document, so a new one can't go undocumented.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from nnsim.core.params import ParamSpec

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*\n"
                   r"(?:\s*^prints[ \t]*\n\s*^```text[ \t]*\n(?P<out>.*?)^```[ \t]*$)?", re.S | re.M)
GENERATED = re.compile(r"<!-- BEGIN GENERATED: ([\w-]+) -->\n(.*?)<!-- END GENERATED: \1 -->", re.S)


# --- table generators ---------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _number(value: float, kind: str) -> str:
    return str(int(value)) if kind == "int" else f"{value:g}"


def fmt_default(spec: ParamSpec) -> str:
    v = spec.default
    if spec.kind == "bool":
        return f"`{v}`"
    if spec.kind in ("int", "float"):
        return f"`{_number(v, spec.kind)}`"
    if spec.kind == "shape":
        return f"`{list(v)}`"
    if spec.kind == "str":
        return f"`{v!r}`"
    return f"`{v}`"


def fmt_range(spec: ParamSpec) -> str:
    if spec.kind == "choice":
        return ", ".join(f"`{c}`" for c in spec.choices)
    if spec.kind == "bool":
        return "`True`, `False`"
    if spec.kind == "shape":
        return "1 to 4 positive whole numbers"
    if spec.kind == "str":
        return "text"
    lo = None if spec.min is None else _number(spec.min, spec.kind)
    hi = None if spec.max is None else _number(spec.max, spec.kind)
    whole = "whole number " if spec.kind == "int" else ""
    if lo is not None and hi is not None:
        return f"{whole}{lo} to {hi}"
    if lo is not None:
        return f"{whole}≥ {lo}"
    if hi is not None:
        return f"{whole}≤ {hi}"
    return "any " + ("whole number" if spec.kind == "int" else "number")


def param_table(specs: tuple[ParamSpec, ...], first: str = "Parameter") -> list[str]:
    rows = [f"| {first} | Default | Range | Help |", "|---|---|---|---|"]
    rows += [f"| `{p.name}` | {fmt_default(p)} | {fmt_range(p)} | {_cell(p.help)} |" for p in specs]
    return rows


def training_settings_table() -> str:
    from nnsim.training import TRAINING_PARAMS

    return "\n".join(param_table(TRAINING_PARAMS, "Setting")) + "\n"


def rbm_settings_table() -> str:
    from nnsim.training.rbm_settings import RBM_TRAINING_PARAMS

    return "\n".join(param_table(RBM_TRAINING_PARAMS, "Setting")) + "\n"


def autoencoder_settings_table() -> str:
    from nnsim.training.autoencoder_settings import AUTOENCODER_TRAINING_PARAMS

    return "\n".join(param_table(AUTOENCODER_TRAINING_PARAMS, "Setting")) + "\n"


def _inputs(kind: Any) -> str:
    if kind.max_inputs == 0:
        return "none (the dataset)"
    if kind.max_inputs is None:
        return f"{kind.min_inputs} or more"
    if kind.min_inputs == kind.max_inputs:
        return str(kind.min_inputs)
    return f"{kind.min_inputs} to {kind.max_inputs}"


def layer_kinds_table() -> str:
    from nnsim.engine.layers import layer_kinds

    kinds = layer_kinds()
    lines = ["| Type | Category | Inputs | What it does |", "|---|---|---|---|"]
    lines += [f"| `{name}` | {kind.category} | {_inputs(kind)} | {_cell(kind.help)} |"
              for name, kind in kinds.items()]
    for name, kind in kinds.items():
        lines += ["", f"**{name}** parameters:" if kind.params else f"**{name}** has no parameters."]
        if kind.params:
            lines += [""] + param_table(kind.params)
    return "\n".join(lines) + "\n"


def datasets_table() -> str:
    from nnsim.data import dataset_kinds

    kinds = dataset_kinds()
    lines = ["| Name | Title | What it is |", "|---|---|---|"]
    lines += [f"| `{k.name}` | {_cell(k.title)} | {_cell(k.help)} |" for k in kinds.values()]
    used_by: dict[ParamSpec, list[str]] = {}
    for k in kinds.values():
        for p in k.params:
            used_by.setdefault(p, []).append(k.name)
    lines += ["", "Their parameters (`params` of the spec):", "",
              "| Parameter | Datasets | Default | Range | Help |", "|---|---|---|---|---|"]
    for p, names in used_by.items():
        lines.append(f"| `{p.name}` | {', '.join(f'`{n}`' for n in names)} | {fmt_default(p)} | "
                     f"{fmt_range(p)} | {_cell(p.help)} |")
    return "\n".join(lines) + "\n"


GENERATORS: dict[str, Callable[[], str]] = {
    "training-settings": training_settings_table,
    "rbm-settings": rbm_settings_table,
    "autoencoder-settings": autoencoder_settings_table,
    "layer-kinds": layer_kinds_table,
    "datasets": datasets_table,
}


def rewrite(text: str) -> str:
    """The document with every generated block replaced by fresh output."""
    return GENERATED.sub(lambda m: f"<!-- BEGIN GENERATED: {m[1]} -->\n{GENERATORS[m[1]]()}"
                                   f"<!-- END GENERATED: {m[1]} -->", text)


# --- tests --------------------------------------------------------------------------------------
def doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def python_blocks(text: str) -> list[tuple[int, str, str | None]]:
    """(first line number, code, the output it must print or None) of every ```python block."""
    return [(text.count("\n", 0, m.start(1)) + 1, m[1], m["out"]) for m in FENCE.finditer(text)]


def test_python_blocks_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks(doc_text())
    assert len(blocks) >= 10, "docs/api.md lost its examples"
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    for line, code, expected in blocks:
        # Pad with blank lines so a traceback's line number is the line in docs/api.md.
        compiled = compile("\n" * (line - 1) + code, str(DOC), "exec")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compiled, namespace)
        if expected is not None:
            assert printed.getvalue() == expected, f"docs/api.md line {line}: the block printed\n{printed.getvalue()}"
        else:
            sys.stdout.write(printed.getvalue())


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generated_table_matches_code(name: str) -> None:
    blocks = {m[1]: m[2] for m in GENERATED.finditer(doc_text())}
    assert name in blocks, f"docs/api.md has no generated '{name}' block"
    assert blocks[name] == GENERATORS[name](), (
        f"The '{name}' table in docs/api.md is out of date: run `python tests/test_docs.py` to rewrite it.")


def test_no_unknown_generated_blocks() -> None:
    names = [m[1] for m in GENERATED.finditer(doc_text())]
    assert sorted(names) == sorted(GENERATORS), names


def _documented_names() -> dict[str, list[str]]:
    from nnsim.cli import build_parser
    from nnsim.core import errors
    from nnsim.engine.activations import ACTIVATIONS
    from nnsim.engine.initializers import INITIALIZER_NAMES
    from nnsim.engine.losses import LOSSES
    from nnsim.training.settings import OPTIMIZERS, SCHEDULES

    error_classes = [n for n, v in vars(errors).items()
                     if isinstance(v, type) and issubclass(v, errors.NNSimError)]
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    return {"activation": list(ACTIVATIONS), "loss": list(LOSSES), "optimizer": list(OPTIMIZERS),
            "schedule": list(SCHEDULES), "initializer": list(INITIALIZER_NAMES), "error": error_classes,
            "CLI command": [f"nnsim {c}" for c in commands]}


@pytest.mark.parametrize("what", sorted(_documented_names()))
def test_every_name_is_documented(what: str) -> None:
    text = doc_text()
    # Code spans for API names; CLI commands also count inside a shell block.
    missing = [n for n in _documented_names()[what]
               if f"`{n}" not in text and not (n.startswith("nnsim ") and f"\n{n}" in text)]
    assert not missing, f"docs/api.md doesn't mention the {what}(s) {missing}"


if __name__ == "__main__":  # rewrite the generated tables in place
    old = doc_text()
    new = rewrite(old)
    DOC.write_text(new, encoding="utf-8")
    print("docs/api.md: " + ("tables rewritten" if new != old else "already up to date"), file=sys.stderr)
