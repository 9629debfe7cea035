"""Small graphs the graph tests share."""

from __future__ import annotations

import pytest

from nnsim.graph import Graph


@pytest.fixture
def graph() -> Graph:
    return Graph()


@pytest.fixture
def mlp() -> Graph:
    """input -> hidden1 -> out, named like the messages in the style guide."""
    g = Graph()
    g.add_node("Input", "input", id="i")
    g.add_node("Dense", "hidden1", {"units": 4}, id="h")
    g.add_node("Dense", "out", {"units": 1, "activation": "sigmoid"}, id="o")
    g.connect("i", "h")
    g.connect("h", "o")
    return g


@pytest.fixture
def branching() -> Graph:
    """input -> a, b -> cat (Concatenate a, b) -> out: a DAG with a merge."""
    g = Graph()
    g.add_node("Input", "input", id="i")
    g.add_node("Dense", "a", {"units": 3}, id="a")
    g.add_node("Dense", "b", {"units": 5}, id="b")
    g.add_node("Concatenate", "cat", id="c")
    g.add_node("Dense", "out", {"units": 2}, id="o")
    for src, dst in [("i", "a"), ("i", "b"), ("a", "c"), ("b", "c"), ("c", "o")]:
        g.connect(src, dst)
    return g
