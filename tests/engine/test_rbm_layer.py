"""The RBM layer kind: registry entry, shapes, weights, parameters and errors."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.errors import GraphError, ShapeError
from nnsim.engine.layers import layer_kind, layer_kinds
from nnsim.engine.network import Network

from .chain import chain


def test_registered_in_its_own_category_with_help():
    kind = layer_kinds()["RBM"]
    assert kind.category == "Unsupervised and generative" and "contrastive divergence" in kind.help
    assert [p.name for p in kind.params] == ["units", "k", "persistent", "init"]


def test_params_fill_defaults_and_refuse_bad_values():
    kind = layer_kind("RBM")
    assert kind.check_params({}, "rbm") == {"units": 64, "k": 1, "persistent": False, "init": "normal"}
    with pytest.raises(GraphError, match="'k'"):
        kind.check_params({"k": 0}, "rbm")
    assert kind.key_params({"units": 16, "k": 3, "persistent": True, "init": "normal"}) == "16 hidden, PCD-3"


def test_weights_are_dense_layout_plus_a_visible_bias_counted_as_parameters():
    kind = layer_kind("RBM")
    specs = kind.weight_specs([(64,)], kind.check_params({"units": 16}, "rbm"))
    assert [(w.name, w.shape, w.trainable) for w in specs] == [
        ("weight", (16, 64), True), ("bias", (16,), True), ("visible_bias", (64,), False)]
    assert kind.param_count([(64,)], kind.check_params({"units": 16}, "rbm")) == 16 * 64 + 16 + 64


def test_a_non_flat_input_asks_for_a_flatten_node():
    kind = layer_kind("RBM")
    with pytest.raises(ShapeError, match="RBM 'rbm' needs a flat input but gets 1x8x8 from 'in': add a Flatten"):
        kind.output_shape([(1, 8, 8)], kind.check_params({}, "rbm"), "rbm", ["in"])


def test_the_visible_bias_survives_get_and_set_weights():
    net = Network(chain((6,), [("RBM", {"units": 3})]), "mse", max_batch=2, seed=0)
    assert np.all(net.weight_view("l0/visible_bias") == 0) and np.std(net.weight_view("l0/weight")) > 0
    weights = net.get_weights()
    weights["l0/visible_bias"] = np.arange(6, dtype=np.float32)
    net.set_weights(weights)
    np.testing.assert_array_equal(net.get_weights()["l0/visible_bias"], np.arange(6))
