"""Recurrent layers: float64 central-difference gradient checks through Network, the NumPy
references (every LSTM variant, truncated BPTT), internals for the live views, shapes and errors."""

import numpy as np
import pytest

from nnsim.core.errors import ShapeError
from nnsim.engine import reference_recurrent as ref
from nnsim.engine.kernels.parts import sample_parts
from nnsim.engine.layers import layer_kind
from nnsim.engine.network import Network
from tests.engine.chain import chain, resolved
from tests.engine.test_gradcheck import gradcheck


def seq_data(n, steps, features, out_shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, steps, features)), rng.normal(size=(n,) + tuple(out_shape))


LAYERS = [
    ("SimpleRNN", {}),
    ("SimpleRNN", {"activation": "relu"}),
    ("LSTM", {}),
    ("LSTM", {"variant": "peephole"}),
    ("LSTM", {"variant": "coupled"}),
    ("GRU", {}),
]


@pytest.mark.parametrize("kind,extra", LAYERS)
@pytest.mark.parametrize("seq,bi,merge", [(True, False, "concat"), (False, False, "concat"), (True, True, "concat"),
                                          (False, True, "sum")])
def test_gradcheck(kind, extra, seq, bi, merge):
    params = dict(extra, units=3, return_sequences=seq, bidirectional=bi, merge=merge)
    g = chain((4, 2), [("Dense", dict(units=3, activation="tanh")), (kind, params),
                       ("Dense", dict(units=2, activation="identity"))])
    x, y = seq_data(3, 4, 2, g.node(g.output).out_shape, seed=1)
    _, grads = gradcheck(g, "mse", x, y)
    if extra.get("variant") == "peephole":
        assert {"l1/peephole_i", "l1/peephole_f", "l1/peephole_o"} <= set(grads)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_gradcheck_with_initial_state_and_stacking(kind):
    g = resolved((5, 2), [
        ("flat", "Flatten", {}, ["in"]),
        ("h0", "Dense", dict(units=3, activation="tanh"), ["flat"]),
        ("pre", "Dense", dict(units=2, activation="tanh"), ["in"]),
        ("r1", kind, dict(units=3, bidirectional=True), ["pre", "h0"]),
        ("r2", kind, dict(units=3, return_sequences=False), ["r1", "h0"]),
        ("out", "Dense", dict(units=2, activation="softmax"), ["r2"]),
    ])
    x = np.random.default_rng(2).normal(size=(3, 5, 2))
    y = np.eye(2)[[0, 1, 1]]
    gradcheck(g, "cross_entropy", x, y)


def test_per_step_softmax_after_lstm():
    g = chain((4, 3), [("LSTM", dict(units=4)), ("Dense", dict(units=5, activation="softmax"))])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 3))
    y = np.eye(5)[rng.integers(0, 5, (3, 4))]
    net, _ = gradcheck(g, "cross_entropy", x, y)
    assert net.groups == 4


# --- NumPy references ------------------------------------------------------------------------
def _weights(net, node, suffix=""):
    w = net.get_weights()
    return [w[f"{node}/{k}{suffix}"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def _reference(kind, params, net, x, dout, reverse, bptt):
    """Forward dict and backward grads of the reference for the first recurrent node ('l0')."""
    sfx = "_reverse" if reverse else ""
    w = _weights(net, "l0", sfx)
    kw = {}
    if kind == "LSTM":
        variant = params.get("variant", "standard")
        peep = None
        if variant == "peephole":
            peep = [net.weight_view(f"l0/peephole_{g}{sfx}") for g in "ifo"]
        kw = dict(variant=variant, peephole=peep)
        fwd, bwd = ref.lstm_forward, ref.lstm_backward
    elif kind == "GRU":
        fwd, bwd = ref.gru_forward, ref.gru_backward
    else:
        kw = dict(activation=params.get("activation", "tanh"))
        fwd, bwd = ref.rnn_forward, ref.rnn_backward
    cache = fwd(x, *w, reverse=reverse, **kw)
    grads = bwd(x, *w, cache, dout, reverse=reverse, bptt=bptt, **kw)
    return cache, grads


@pytest.mark.parametrize("kind,extra", LAYERS)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bptt", [0, 1, 2, 3, 7])
def test_kernels_match_reference(kind, extra, reverse, bptt):
    """Single direction via a bidirectional sum layer: each direction against its reference."""
    steps, n_in, hidden, n = 6, 3, 4, 3
    params = dict(extra, units=hidden, bidirectional=True, merge="sum", bptt_steps=bptt)
    g = chain((steps, n_in), [(kind, params)])
    net = Network(g, "mse", max_batch=n, dtype=np.float64, seed=4)
    x, y = seq_data(n, steps, n_in, (steps, hidden), seed=3)
    loss = net.gradients(x, y)
    out = net.buffer_rows("l0", n)
    dout = 2.0 * (out - y) / out.size  # mse over all values
    cache, grads = _reference(kind, params, net, x, dout, reverse, bptt)
    sfx = "_reverse" if reverse else ""
    internals = net.internals("l0", n)
    for name, value in cache.items():
        np.testing.assert_allclose(internals[name + sfx], value, rtol=1e-10, atol=1e-12, err_msg=name)
    ours = net.get_gradients()
    for key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "peephole_i", "peephole_f", "peephole_o"):
        if key in grads:
            np.testing.assert_allclose(ours[f"l0/{key}{sfx}"], grads[key], rtol=1e-9, atol=1e-12, err_msg=key)
    assert np.isfinite(loss)


@pytest.mark.parametrize("kind,extra", [k for k in LAYERS if k[0] == "LSTM"])
def test_lstm_split_batch_matches_reference(kind, extra):
    """A batch big enough to run as two sample ranges side by side (kernels.parts), odd-sized."""
    steps, n_in, hidden, n = 16, 5, 32, 15
    assert sample_parts(n, steps * 4 * hidden * (hidden + 8)) == 2
    params = dict(extra, units=hidden, bidirectional=True, merge="sum", bptt_steps=5)
    g = chain((steps, n_in), [(kind, params)])
    net = Network(g, "mse", max_batch=n, dtype=np.float64, seed=4)
    x, y = seq_data(n, steps, n_in, (steps, hidden), seed=3)
    net.gradients(x, y)
    out = net.buffer_rows("l0", n)
    dout = 2.0 * (out - y) / out.size
    ours = net.get_gradients()
    internals = net.internals("l0", n)
    for reverse in (False, True):
        cache, grads = _reference(kind, params, net, x, dout, reverse, 5)
        sfx = "_reverse" if reverse else ""
        for name, value in cache.items():
            np.testing.assert_allclose(internals[name + sfx], value, rtol=1e-10, atol=1e-12, err_msg=name)
        for key, value in grads.items():
            if f"l0/{key}{sfx}" in ours:
                np.testing.assert_allclose(ours[f"l0/{key}{sfx}"], value, rtol=1e-9, atol=1e-12, err_msg=key)


def test_truncation_changes_gradients_only_when_shorter_than_the_sequence():
    g_full = chain((5, 2), [("LSTM", dict(units=3, return_sequences=True))])
    x, y = seq_data(2, 5, 2, (5, 3))
    grads = {}
    for bptt in (0, 2, 5, 9):
        net = Network(chain((5, 2), [("LSTM", dict(units=3, bptt_steps=bptt))]), "mse", max_batch=2,
                      dtype=np.float64)
        net.gradients(x, y)
        grads[bptt] = net.get_gradients()["l0/weight_hh"]
    np.testing.assert_array_equal(grads[0], grads[5])
    np.testing.assert_array_equal(grads[0], grads[9])
    assert np.abs(grads[0] - grads[2]).max() > 1e-6
    assert g_full.node("l0").out_shape == (5, 3)


def test_truncated_bptt_matches_torch_detach():
    torch = pytest.importorskip("torch")
    steps, n_in, hidden, n, bptt = 7, 2, 3, 2, 3
    g = chain((steps, n_in), [("LSTM", dict(units=hidden, bptt_steps=bptt))])
    net = Network(g, "mse", max_batch=n, dtype=np.float64)
    x, y = seq_data(n, steps, n_in, (steps, hidden), seed=5)
    net.gradients(x, y)
    cell = torch.nn.LSTMCell(n_in, hidden).double()
    w = net.get_weights()
    with torch.no_grad():
        for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, k).copy_(torch.tensor(w[f"l0/{k}"]))
    h = c = torch.zeros(n, hidden, dtype=torch.float64)
    outs = []
    for t in range(steps):
        if t > 0 and t % bptt == 0:
            h, c = h.detach(), c.detach()
        h, c = cell(torch.tensor(x[:, t]), (h, c))
        outs.append(h)
    torch.nn.functional.mse_loss(torch.stack(outs, 1), torch.tensor(y)).backward()
    for k in ("weight_ih", "weight_hh", "bias_ih"):
        np.testing.assert_allclose(net.get_gradients()[f"l0/{k}"], getattr(cell, k).grad.numpy(), rtol=1e-9)


# --- internals, shapes, registry -----------------------------------------------------------------
def test_internals_names_and_shapes():
    g = chain((4, 3), [("LSTM", dict(units=5, bidirectional=True)), ("GRU", dict(units=2)),
                       ("SimpleRNN", dict(units=3, return_sequences=False))])
    net = Network(g, "mse", max_batch=4, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(2, 4, 3))
    net.forward(x)
    lstm = net.internals("l0", 2)
    names = {"h", "input", "forget", "candidate", "output", "cell"}
    assert set(lstm) == names | {k + "_reverse" for k in names}
    assert all(v.shape == (2, 4, 5) for v in lstm.values())
    np.testing.assert_allclose(net.buffer_rows("l0", 2), np.concatenate([lstm["h"], lstm["h_reverse"]], -1))
    assert set(net.internals("l1", 2)) == {"h", "reset", "update", "candidate"}
    rnn = net.internals("l2", 2)
    np.testing.assert_allclose(net.buffer_rows("l2", 2), rnn["h"][:, -1])


def test_reverse_last_state_is_after_time_zero():
    g = chain((4, 3), [("GRU", dict(units=2, return_sequences=False, bidirectional=True))])
    net = Network(g, "mse", max_batch=4, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(2, 4, 3))
    out = net.forward(x)
    ints = net.internals("l0", 2)
    np.testing.assert_allclose(out, np.concatenate([ints["h"][:, -1], ints["h_reverse"][:, 0]], -1))


@pytest.mark.parametrize("params,shape,count", [
    (dict(units=8), (6, 8), 4 * 8 * (3 + 8 + 2)),
    (dict(units=8, return_sequences=False), (8,), 4 * 8 * (3 + 8 + 2)),
    (dict(units=8, bidirectional=True), (6, 16), 2 * 4 * 8 * (3 + 8 + 2)),
    (dict(units=8, bidirectional=True, merge="sum", return_sequences=False), (8,), 2 * 4 * 8 * (3 + 8 + 2)),
    (dict(units=8, variant="peephole"), (6, 8), 4 * 8 * (3 + 8 + 2) + 3 * 8),
    (dict(units=8, variant="coupled"), (6, 8), 3 * 8 * (3 + 8 + 2)),
])
def test_lstm_shapes_and_parameter_counts(params, shape, count):
    kind = layer_kind("LSTM")
    p = kind.check_params(params, "l")
    assert kind.output_shape([(6, 3)], p, "l", ["in"]) == shape
    assert kind.param_count([(6, 3)], p) == count


def test_key_params_and_category():
    for name in ("SimpleRNN", "LSTM", "GRU"):
        kind = layer_kind(name)
        assert kind.category == "Recurrent" and kind.help
        assert kind.key_params(kind.check_params({}, "x")) == "32, seq"
        assert kind.key_params(kind.check_params(dict(return_sequences=False, bidirectional=True), "x")) == \
            "32, last, bi"
        assert kind.min_inputs == 1 and kind.max_inputs == 2


def test_shape_errors_speak():
    kind = layer_kind("LSTM")
    p = kind.check_params(dict(units=4), "rnn")
    with pytest.raises(ShapeError, match="needs a sequence"):
        kind.output_shape([(12,)], p, "rnn", ["flat"])
    with pytest.raises(ShapeError, match="initial state"):
        kind.output_shape([(5, 3), (3,)], p, "rnn", ["in", "h0"])


def test_float32_training_chunk_runs():
    g = chain((6, 4), [("LSTM", dict(units=8)), ("Dense", dict(units=4, activation="softmax"))])
    net = Network(g, "cross_entropy", max_batch=8)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 6, 4)).astype(np.float32)
    y = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (8, 6))]
    first = net.gradients(x, y)
    assert np.isfinite(first)
    assert all(np.all(np.isfinite(v)) for v in net.get_gradients().values())


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_float32_forward_close_to_reference(kind):
    """float32 uses a rational tanh approximation (vectorizable); it stays within float32 noise."""
    g = chain((6, 3), [(kind, dict(units=5, bidirectional=True, merge="sum"))])
    net = Network(g, "mse", max_batch=4)
    x = np.random.default_rng(0).normal(size=(3, 6, 3))
    out = net.forward(x.astype(np.float32))
    w = {k: v.astype(np.float64) for k, v in net.get_weights().items()}
    fwd = {"SimpleRNN": ref.rnn_forward, "LSTM": ref.lstm_forward, "GRU": ref.gru_forward}[kind]
    expected = sum(fwd(x, *[w[f"l0/{k}{s}"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")],
                       reverse=bool(s))["h"] for s in ("", "_reverse"))
    np.testing.assert_allclose(out, expected, atol=2e-6)


def test_tanh32_approximation():
    from nnsim.engine.kernels.rnn import tanh32
    v = np.linspace(-12, 12, 20001).astype(np.float32)
    approx = np.array([tanh32(np.float32(a)) for a in v[::50]])
    np.testing.assert_allclose(approx, np.tanh(v[::50].astype(np.float64)), atol=5e-7)
