"""SimpleRNN, LSTM and GRU against torch.nn.RNN/LSTM/GRU (batch_first) in float64: forward values and
the gradients of every weight, bias, the input sequence and the initial state."""

import numpy as np
import pytest

from nnsim.engine.network import Network
from tests.engine.chain import resolved

torch = pytest.importorskip("torch")

TOL = 1e-6
KINDS = {"SimpleRNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}


def _graph(kind, steps, n_in, params, with_h0):
    hidden = params["units"]
    nodes = [("pre", "Dense", dict(units=n_in, activation="identity"), ["in"])]
    inputs = ["pre"]
    if with_h0:
        nodes += [("flat", "Flatten", {}, ["in"]), ("h0", "Dense", dict(units=hidden, activation="tanh"), ["flat"])]
        inputs.append("h0")
    nodes.append(("rnn", kind, params, inputs))
    return resolved((steps, n_in), nodes)


def _t(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def run_both(kind, steps, n_in, n, params, with_h0=False, seed=0):
    """Gradients of an mse loss through nnsim and torch with the same weights; returns both sides."""
    params = dict(params)
    hidden = params["units"]
    bi = params.get("bidirectional", False)
    seq = params.get("return_sequences", True)
    merge = params.get("merge", "concat")
    g = _graph(kind, steps, n_in, params, with_h0)
    net = Network(g, "mse", max_batch=n, dtype=np.float64, seed=seed)
    rng = np.random.default_rng(seed + 100)
    x = rng.normal(size=(n, steps, n_in))
    y = rng.normal(size=(n,) + g.node("rnn").out_shape)
    loss = net.gradients(x, y)
    ours = net.get_gradients()
    buf = net.buffers["pre"]
    ours["dx"] = net.D[buf.offset:buf.offset + n * buf.size].reshape(n, steps, n_in).copy()
    out = net.buffer_rows("rnn", n)

    w = net.get_weights()
    extra = {"nonlinearity": params.get("activation", "tanh")} if kind == "SimpleRNN" else {}
    mod = KINDS[kind](n_in, hidden, batch_first=True, bidirectional=bi, **extra).double()
    with torch.no_grad():
        for suffix in ([""] + (["_reverse"] if bi else [])):
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(mod, f"{name}_l0{suffix}").copy_(_t(w[f"rnn/{name}{suffix}"]))
    pre_w, pre_b = _t(w["pre/weight"], True), _t(w["pre/bias"], True)
    xin = _t(x) @ pre_w.T + pre_b
    xin.retain_grad()
    dirs = 2 if bi else 1
    args = []
    h0 = None
    if with_h0:
        hw, hb = _t(w["h0/weight"], True), _t(w["h0/bias"], True)
        h0 = torch.tanh(_t(x.reshape(n, -1)) @ hw.T + hb)
        h0.retain_grad()
        state = h0.unsqueeze(0).expand(dirs, n, hidden).contiguous()
        args = [(state, torch.zeros_like(state))] if kind == "LSTM" else [state]
    seq_out, hn = mod(xin, *args)
    if kind == "LSTM":
        hn = hn[0]
    if seq:
        res = seq_out if not (bi and merge == "sum") else seq_out[..., :hidden] + seq_out[..., hidden:]
    else:
        res = torch.cat([hn[0], hn[1]], dim=1) if bi and merge == "concat" else (
            hn[0] + hn[1] if bi else hn[0])
    expected = torch.nn.functional.mse_loss(res, _t(y))
    expected.backward()
    theirs = {"dx": xin.grad.numpy(), "rnn/out": res.detach().numpy(), "pre/weight": pre_w.grad.numpy()}
    for suffix in ([""] + (["_reverse"] if bi else [])):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            theirs[f"rnn/{name}{suffix}"] = getattr(mod, f"{name}_l0{suffix}").grad.numpy()
    if with_h0:
        theirs["h0/weight"] = hw.grad.numpy()
        hbuf = net.buffers["h0"]
        ours["dh0"] = net.D[hbuf.offset:hbuf.offset + n * hidden].reshape(n, hidden).copy()
        theirs["dh0"] = h0.grad.numpy()
    ours["rnn/out"] = out
    return loss, expected.item(), ours, theirs


def assert_match(loss, expected, ours, theirs):
    assert loss == pytest.approx(expected, rel=TOL)
    for key, value in theirs.items():
        scale = max(np.abs(value).max(), 1e-3)
        err = np.abs(ours[key] - value).max() / scale
        assert err <= TOL, f"{key}: error {err:.3g}"


CONFIGS = [
    dict(return_sequences=True),
    dict(return_sequences=False),
    dict(return_sequences=True, bidirectional=True),
    dict(return_sequences=False, bidirectional=True),
    dict(return_sequences=True, bidirectional=True, merge="sum"),
    dict(return_sequences=False, bidirectional=True, merge="sum"),
]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("cfg", range(len(CONFIGS)))
def test_matches_torch(kind, cfg):
    rng = np.random.default_rng(cfg * 7 + len(kind))
    steps, n_in, hidden, n = (int(v) for v in rng.integers([1, 1, 1, 1], [7, 6, 6, 5]))
    params = dict(CONFIGS[cfg], units=hidden)
    assert_match(*run_both(kind, steps, n_in, n, params, seed=cfg))


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("bi", [False, True])
@pytest.mark.parametrize("seq", [False, True])
def test_initial_state_matches_torch(kind, bi, seq):
    params = dict(units=3, bidirectional=bi, return_sequences=seq)
    assert_match(*run_both(kind, 4, 2, 3, params, with_h0=True, seed=5))


def test_relu_rnn_matches_torch():
    params = dict(units=5, activation="relu", bidirectional=True)
    assert_match(*run_both("SimpleRNN", 5, 3, 4, params, seed=2))


@pytest.mark.parametrize("kind", list(KINDS))
def test_larger_shapes_match_torch(kind):
    """Sizes where the GEMMs are not trivial (and the batch is not a multiple of anything)."""
    params = dict(units=37, bidirectional=True)
    assert_match(*run_both(kind, 9, 11, 7, params, seed=3))


def test_torch_initialization_range():
    g = resolved((3, 2), [("rnn", "LSTM", dict(units=16, forget_bias=0.0), ["in"])])
    net = Network(g, "mse", max_batch=2, dtype=np.float64)
    for key, w in net.get_weights().items():
        assert np.abs(w).max() <= 0.25 and np.abs(w).max() > 0.2, key
