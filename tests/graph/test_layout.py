"""Auto layout and the sequential builder."""

from __future__ import annotations

import pytest

from nnsim.core.errors import GraphError
from nnsim.graph import auto_layout, sequential
from nnsim.graph.layout import X_SPACING, Y_SPACING


def test_layout_places_columns_by_depth(branching):
    pos = auto_layout(branching)
    assert [pos[n][0] for n in ["i", "a", "c", "o"]] == [0, X_SPACING, 2 * X_SPACING, 3 * X_SPACING]


def test_layout_uses_longest_path_not_shortest(mlp):
    mlp.add_node("Concatenate", "cat", id="c")
    mlp.disconnect(next(e for e in mlp.edges if e.dst == "o"))
    mlp.connect("i", "c")
    mlp.connect("h", "c")
    mlp.connect("c", "o")
    assert auto_layout(mlp)["c"][0] == 2 * X_SPACING


def test_layout_centres_a_column_vertically(branching):
    pos = auto_layout(branching)
    assert sorted([pos["a"][1], pos["b"][1]]) == [-Y_SPACING / 2, Y_SPACING / 2]
    assert pos["i"][1] == 0


def test_sequential_builds_a_chain_with_positions():
    graph = sequential([("Input", {}), ("Dense", {"units": 8, "activation": "tanh"}),
                        ("Dense", {"units": 1, "activation": "sigmoid"})])
    nodes = graph.topological_order()
    assert [n.name for n in nodes] == ["input1", "dense1", "dense2"]
    assert [n.position for n in nodes] == [(0.0, 0.0), (X_SPACING, 0.0), (2 * X_SPACING, 0.0)]
    assert graph.resolve((2,)).output == "dense2" and nodes[1].params["activation"] == "tanh"


def test_sequential_uses_given_names():
    graph = sequential([("Input", {}), ("Dense", {})], names=["input", "hidden1"])
    assert graph.resolve((3,)).node("hidden1").inputs == ("input",)


def test_sequential_refuses_wrong_number_of_names():
    with pytest.raises(GraphError, match="one name per layer"):
        sequential([("Input", {})], names=["a", "b"])


def test_graph_package_imports_no_qt():
    import subprocess
    import sys
    code = "import sys, nnsim.graph; print(any(m.startswith(('PySide', 'pyqtgraph')) for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
