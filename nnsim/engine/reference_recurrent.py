"""Plain NumPy references for the recurrent kernels (SimpleRNN, LSTM, GRU), written from the math.

float64, batch first: ``x`` is (n, T, I), states are (n, H). Weight layouts follow PyTorch:
``weight_ih`` (G*H, I), ``weight_hh`` (G*H, H), ``bias_ih`` and ``bias_hh`` (G*H,), with the gate
blocks stacked in rows (LSTM i, f, g, o; coupled LSTM f, g, o; GRU r, z, n; SimpleRNN one block).

Direction: the forward direction processes t = 0..T-1, the reverse one t = T-1..0; "step k" below
is the k-th processed step and "the previous state" is the state before it (``h0``, zero unless
given, before step 0). The cell state of an LSTM always starts at zero.

Truncated backpropagation through time (``bptt`` = k > 0): the gradient flowing from processed
step s into the state before it is dropped whenever s is a positive multiple of k. Equivalently
the sequence is cut into chunks of k processed steps and the state is detached (as with torch's
``h.detach()``) before each chunk but the first; the forward pass is unchanged. The gradient into
``h0`` flows from step 0 and is never cut.

Each ``*_forward`` returns a dict of (n, T, H) arrays in time order (``h`` plus the gates); each
``*_backward`` takes ``dh`` (n, T, H), the loss gradient with respect to every output state (zero
where a state is not an output), and returns gradients of x, the weights and h0.
"""

from __future__ import annotations

import numpy as np


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _order(steps: int, reverse: bool) -> list[int]:
    return list(range(steps - 1, -1, -1)) if reverse else list(range(steps))


def _cut(k: int, bptt: int) -> bool:
    """True when the recurrent gradient from processed step ``k`` into the previous state is dropped."""
    return bptt > 0 and k > 0 and k % bptt == 0


def _h0(x, hidden, h0):
    return np.zeros((x.shape[0], hidden)) if h0 is None else _f(h0).copy()


# --- SimpleRNN (Elman) -----------------------------------------------------------------------
def rnn_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, activation="tanh", reverse=False):
    """a_t = b_ih + b_hh + U x_t + W s_prev, s_t = act(a_t) with U = weight_ih, W = weight_hh."""
    x = _f(x)
    n, steps, _ = x.shape
    hidden = w_hh.shape[0]
    h = np.zeros((n, steps, hidden))
    s = _h0(x, hidden, h0)
    for t in _order(steps, reverse):
        a = x[:, t] @ _f(w_ih).T + b_ih + s @ _f(w_hh).T + b_hh
        s = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
        h[:, t] = s
    return {"h": h}


def rnn_backward(x, w_ih, w_hh, b_ih, b_hh, cache, dh, h0=None, activation="tanh", reverse=False, bptt=0):
    x, dh = _f(x), _f(dh)
    n, steps, _ = x.shape
    hidden = w_hh.shape[0]
    h = cache["h"]
    order = _order(steps, reverse)
    prev = [_h0(x, hidden, h0)] + [h[:, t] for t in order[:-1]]
    grads = {"x": np.zeros_like(x), "weight_ih": np.zeros_like(_f(w_ih)), "weight_hh": np.zeros_like(_f(w_hh)),
             "bias_ih": np.zeros(hidden), "bias_hh": np.zeros(hidden)}
    carry = np.zeros((n, hidden))
    for k in range(steps - 1, -1, -1):
        t = order[k]
        ds = dh[:, t] + carry
        s = h[:, t]
        da = ds * (1.0 - s * s) if activation == "tanh" else ds * (s > 0)
        grads["x"][:, t] = da @ w_ih
        grads["weight_ih"] += da.T @ x[:, t]
        grads["weight_hh"] += da.T @ prev[k]
        grads["bias_ih"] += da.sum(0)
        grads["bias_hh"] += da.sum(0)
        carry = da @ w_hh
        if _cut(k, bptt):
            carry = np.zeros_like(carry)
    grads["h0"] = carry
    return grads


# --- LSTM ------------------------------------------------------------------------------------
def lstm_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, reverse=False, variant="standard", peephole=None):
    """Gates from z = W_ih x_t + b_ih + W_hh h_prev + b_hh, split in blocks of H rows.

    standard: i, f, o = σ(z_i), σ(z_f), σ(z_o); g = tanh(z_g); c = f c_prev + i g; h = o tanh(c).
    peephole (Gers & Schmidhuber): z_i += w_ci ∘ c_prev, z_f += w_cf ∘ c_prev, z_o += w_co ∘ c
      (``peephole`` = (w_ci, w_cf, w_co)).
    coupled (input gate tied to the forget gate): blocks f, g, o; c = f c_prev + (1 - f) g;
      the returned "input" gate is 1 - f.
    """
    x = _f(x)
    n, steps, _ = x.shape
    hidden = w_hh.shape[1]
    names = ("h", "input", "forget", "candidate", "output", "cell")
    out = {k: np.zeros((n, steps, hidden)) for k in names}
    h = _h0(x, hidden, h0)
    c = np.zeros((n, hidden))
    H = hidden
    for t in _order(steps, reverse):
        z = x[:, t] @ _f(w_ih).T + b_ih + h @ _f(w_hh).T + b_hh
        if variant == "coupled":
            f = sigmoid(z[:, :H])
            g = np.tanh(z[:, H:2 * H])
            i = 1.0 - f
            c = f * c + i * g
            o = sigmoid(z[:, 2 * H:])
        else:
            zi, zf, zg, zo = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
            if variant == "peephole":
                zi = zi + peephole[0] * c
                zf = zf + peephole[1] * c
            i, f, g = sigmoid(zi), sigmoid(zf), np.tanh(zg)
            c = f * c + i * g
            if variant == "peephole":
                zo = zo + peephole[2] * c
            o = sigmoid(zo)
        h = o * np.tanh(c)
        for name, v in zip(names, (h, i, f, g, o, c)):
            out[name][:, t] = v
    return out


def lstm_backward(x, w_ih, w_hh, b_ih, b_hh, cache, dh, h0=None, reverse=False, bptt=0, variant="standard",
                  peephole=None):
    x, dh = _f(x), _f(dh)
    n, steps, _ = x.shape
    H = w_hh.shape[1]
    order = _order(steps, reverse)
    hs, cs = cache["h"], cache["cell"]
    prev_h = [_h0(x, H, h0)] + [hs[:, t] for t in order[:-1]]
    prev_c = [np.zeros((n, H))] + [cs[:, t] for t in order[:-1]]
    grads = {"x": np.zeros_like(x), "weight_ih": np.zeros_like(_f(w_ih)), "weight_hh": np.zeros_like(_f(w_hh)),
             "bias_ih": np.zeros(w_ih.shape[0]), "bias_hh": np.zeros(w_ih.shape[0])}
    if variant == "peephole":
        for name in ("peephole_i", "peephole_f", "peephole_o"):
            grads[name] = np.zeros(H)
    dh_carry = np.zeros((n, H))
    dc_carry = np.zeros((n, H))
    for k in range(steps - 1, -1, -1):
        t = order[k]
        i, f, g, o, c = (cache[name][:, t] for name in ("input", "forget", "candidate", "output", "cell"))
        cp = prev_c[k]
        d = dh[:, t] + dh_carry
        tc = np.tanh(c)
        dzo = d * tc * o * (1 - o)
        dc = dc_carry + d * o * (1 - tc * tc)
        if variant == "peephole":
            dc = dc + dzo * peephole[2]
            grads["peephole_o"] += (dzo * c).sum(0)
        dzg = dc * (1 - f if variant == "coupled" else i) * (1 - g * g)
        if variant == "coupled":
            dzf = dc * (cp - g) * f * (1 - f)
            dz = np.concatenate([dzf, dzg, dzo], axis=1)
            dc_carry = dc * f
        else:
            dzi = dc * g * i * (1 - i)
            dzf = dc * cp * f * (1 - f)
            dz = np.concatenate([dzi, dzf, dzg, dzo], axis=1)
            dc_carry = dc * f
            if variant == "peephole":
                dc_carry = dc_carry + dzi * peephole[0] + dzf * peephole[1]
                grads["peephole_i"] += (dzi * cp).sum(0)
                grads["peephole_f"] += (dzf * cp).sum(0)
        grads["x"][:, t] = dz @ w_ih
        grads["weight_ih"] += dz.T @ x[:, t]
        grads["weight_hh"] += dz.T @ prev_h[k]
        grads["bias_ih"] += dz.sum(0)
        grads["bias_hh"] += dz.sum(0)
        dh_carry = dz @ w_hh
        if _cut(k, bptt):
            dh_carry = np.zeros_like(dh_carry)
            dc_carry = np.zeros_like(dc_carry)
    grads["h0"] = dh_carry
    return grads


# --- GRU -------------------------------------------------------------------------------------
def gru_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, reverse=False):
    """PyTorch's GRU: r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise,
    n = tanh(W_in x + b_in + r ∘ (W_hn h + b_hn)), h' = (1 - z) ∘ n + z ∘ h."""
    x = _f(x)
    n_, steps, _ = x.shape
    H = w_hh.shape[1]
    names = ("h", "reset", "update", "candidate")
    out = {k: np.zeros((n_, steps, H)) for k in names}
    h = _h0(x, H, h0)
    for t in _order(steps, reverse):
        gx = x[:, t] @ _f(w_ih).T + b_ih
        gh = h @ _f(w_hh).T + b_hh
        r = sigmoid(gx[:, :H] + gh[:, :H])
        z = sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])
        nn = np.tanh(gx[:, 2 * H:] + r * gh[:, 2 * H:])
        h = (1 - z) * nn + z * h
        for name, v in zip(names, (h, r, z, nn)):
            out[name][:, t] = v
    return out


def gru_backward(x, w_ih, w_hh, b_ih, b_hh, cache, dh, h0=None, reverse=False, bptt=0):
    x, dh = _f(x), _f(dh)
    n_, steps, _ = x.shape
    H = w_hh.shape[1]
    order = _order(steps, reverse)
    prev_h = [_h0(x, H, h0)] + [cache["h"][:, t] for t in order[:-1]]
    grads = {"x": np.zeros_like(x), "weight_ih": np.zeros_like(_f(w_ih)), "weight_hh": np.zeros_like(_f(w_hh)),
             "bias_ih": np.zeros(3 * H), "bias_hh": np.zeros(3 * H)}
    carry = np.zeros((n_, H))
    for k in range(steps - 1, -1, -1):
        t = order[k]
        r, z, nn = cache["reset"][:, t], cache["update"][:, t], cache["candidate"][:, t]
        hp = prev_h[k]
        ghn = hp @ w_hh[2 * H:].T + b_hh[2 * H:]
        d = dh[:, t] + carry
        dan = d * (1 - z) * (1 - nn * nn)
        daz = d * (hp - nn) * z * (1 - z)
        dar = dan * ghn * r * (1 - r)
        dx_side = np.concatenate([dar, daz, dan], axis=1)
        dh_side = np.concatenate([dar, daz, dan * r], axis=1)
        grads["x"][:, t] = dx_side @ w_ih
        grads["weight_ih"] += dx_side.T @ x[:, t]
        grads["weight_hh"] += dh_side.T @ hp
        grads["bias_ih"] += dx_side.sum(0)
        grads["bias_hh"] += dh_side.sum(0)
        carry = d * z + dh_side @ w_hh
        if _cut(k, bptt):
            carry = np.zeros_like(carry)
    grads["h0"] = carry
    return grads
