"""The Autoencoder model class: construction, weights, filters, encoding, one-sentence errors."""

from __future__ import annotations

import numpy as np
import pytest

from nnsim.core.errors import TrainingError
from nnsim.engine.autoencoder import Autoencoder


def test_same_seed_same_weights_and_float32_by_default():
    a, b = Autoencoder(6, 4, seed=3), Autoencoder(6, 4, seed=3)
    assert a.weight.dtype == np.float32 and a.weight.shape == (4, 6) and a.decoder_weight.shape == (6, 4)
    np.testing.assert_array_equal(a.weight, b.weight)
    np.testing.assert_array_equal(a.decoder_weight, b.decoder_weight)
    assert not np.array_equal(a.weight, Autoencoder(6, 4, seed=4).weight)
    assert a.bias.shape == (4,) and a.decoder_bias.shape == (6,) and not a.bias.any()
    r = 4 * np.sqrt(6 / 10)  # Glorot's range, times 4 for sigmoid layers
    assert np.abs(a.weight).max() <= r and np.abs(a.weight).max() > r / 2


def test_tied_weights_have_no_decoder_matrix_and_decode_with_the_transpose():
    ae = Autoencoder(6, 3, tied=True, seed=1, dtype=np.float64)
    assert ae.decoder_weight is None and ae.weight_names == ("weight", "bias", "decoder_bias")
    np.testing.assert_array_equal(ae.effective_decoder_weight(), ae.weight.T)
    h = np.random.default_rng(0).random((2, 3))
    expected = 1 / (1 + np.exp(-(h @ ae.weight + ae.decoder_bias)))
    np.testing.assert_allclose(ae.decode(h), expected, rtol=1e-12)


@pytest.mark.parametrize("args,kwargs,phrase", [
    ((0, 3), {}, "visible units from 1"), ((3, 2.5), {}, "code units from 1"), ((3, True), {}, "code units"),
    ((3, 2), {"seed": -1}, "seed must be a whole number from 0 up"),
    ((3, 2), {"dtype": np.int32}, "float32 or float64"),
    ((3, 2), {"code_activation": "tanh"}, "Unknown code activation 'tanh': use sigmoid, relu, linear"),
    ((3, 2), {"tied": 1}, "'tied' must be true or false"),
])
def test_bad_construction_raises_one_sentence(args, kwargs, phrase):
    with pytest.raises(TrainingError, match=phrase):
        Autoencoder(*args, **kwargs)


def test_get_and_set_weights_round_trip_and_refuse_wrong_keys_or_shapes():
    ae = Autoencoder(5, 3, seed=1)
    weights = ae.get_weights()
    assert set(weights) == {"weight", "bias", "decoder_weight", "decoder_bias"}
    weights["weight"][:] = 0  # a copy
    assert ae.weight.any()
    other = Autoencoder(5, 3, seed=2)
    other.set_weights(ae.get_weights())
    np.testing.assert_array_equal(other.decoder_weight, ae.decoder_weight)
    with pytest.raises(TrainingError, match="has shape \\(3, 3\\) but the autoencoder needs \\(3, 5\\)"):
        ae.set_weights({"weight": np.zeros((3, 3))})
    with pytest.raises(TrainingError, match="no weight 'decoder_weight' \\(tied weights use the transposed"):
        Autoencoder(5, 3, tied=True).set_weights({"decoder_weight": np.zeros((5, 3))})
    with pytest.raises(TrainingError, match="no weight 'visible_bias'"):
        ae.set_weights({"visible_bias": np.zeros(5)})


def test_filters_are_the_encoder_rows_as_images():
    ae = Autoencoder(64, 10, seed=0)
    f = ae.filters((8, 8))
    assert f.shape == (10, 8, 8)
    np.testing.assert_array_equal(f[3].ravel(), ae.weight[3])
    f[:] = 0
    assert ae.weight.any()


def test_rows_check_the_width_and_accept_images():
    ae = Autoencoder(64, 4)
    assert ae.encode(np.zeros((3, 1, 8, 8))).shape == (3, 4)
    assert ae.encode(np.zeros(64)).shape == (1, 4)
    with pytest.raises(TrainingError, match="has 64 visible units but the data has 10 values per sample"):
        ae.encode(np.zeros((2, 10)))
    with pytest.raises(TrainingError, match="has 4 code units but the data has 3 values"):
        ae.decode(np.zeros((2, 3)))


def test_relu_and_linear_codes():
    x = np.random.default_rng(0).random((4, 6))
    relu = Autoencoder(6, 5, code_activation="relu", seed=0, dtype=np.float64)
    h = relu.encode(x)
    np.testing.assert_allclose(h, np.maximum(x @ relu.weight.T, 0), rtol=1e-12)
    linear = Autoencoder(6, 5, code_activation="linear", seed=0, dtype=np.float64)
    np.testing.assert_allclose(linear.encode(x), x @ linear.weight.T, rtol=1e-12)
    assert np.abs(linear.weight).max() <= np.sqrt(6 / 11)  # plain Glorot range without a sigmoid


def test_loss_options_and_mismatched_batches_raise():
    ae = Autoencoder(4, 2)
    with pytest.raises(TrainingError, match="Unknown autoencoder loss 'l1': use mse, cross_entropy"):
        ae.loss_and_gradients(np.zeros((2, 4)), loss="l1")
    with pytest.raises(TrainingError, match="corrupted batch has 3 rows but the clean one 2"):
        ae.loss_and_gradients(np.zeros((2, 4)), np.zeros((3, 4)))
