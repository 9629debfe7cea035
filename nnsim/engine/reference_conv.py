"""Plain NumPy references for the convolution and pooling kernels, written from the math (float64).

Like :mod:`nnsim.engine.reference`, these allocate freely and exist to test the Numba kernels.
Conventions shared with the kernels and PyTorch:

* Images are (n, C, H, W); Conv2D is a cross-correlation with weight (F, C, KH, KW), bias (F,):
  ``y[r, f, a, b] = bias[f] + Σ_{c,i,j} W[f, c, i, j] · xpad[r, c, a·s + i, b·s + j]``
  where ``xpad`` is ``x`` with ``pads = (top, bottom, left, right)`` zeros around it.
* Sequences are (n, T, C), channels last; Conv1D weight is (F, C, K) as in torch.nn.Conv1d:
  ``y[r, t, f] = bias[f] + Σ_{c,j} W[f, c, j] · xpad[r, t·s + j, c]`` with ``pads = (left, right)``.
* Output length ``(L + before + after - K) // s + 1`` (floor mode, as PyTorch).
* Pooling windows never pad. Max pooling sends the gradient to the *first* maximum of a window in
  row-major order (as PyTorch on the CPU); average pooling divides by the full window size.
"""

from __future__ import annotations

import numpy as np


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def out_size(length: int, k: int, s: int, before: int = 0, after: int = 0) -> int:
    return (length + before + after - k) // s + 1


# --- Conv2D ----------------------------------------------------------------------------------
def conv2d_forward(x, w, b, stride: int, pads=(0, 0, 0, 0)) -> np.ndarray:
    x, w = _f(x), _f(w)
    top, bottom, left, right = pads
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    f, _, kh, kw = w.shape
    oh = out_size(x.shape[2], kh, stride, top, bottom)
    ow = out_size(x.shape[3], kw, stride, left, right)
    y = np.zeros((x.shape[0], f, oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + stride * (oh - 1) + 1:stride, j:j + stride * (ow - 1) + 1:stride]
            y += np.einsum("ncab,fc->nfab", patch, w[:, :, i, j])
    if b is not None:
        y += _f(b)[None, :, None, None]
    return y


def conv2d_backward(x, w, dy, stride: int, pads=(0, 0, 0, 0)):
    """Return (dx, dW, db) for the loss gradient ``dy`` (n, F, OH, OW)."""
    x, w, dy = _f(x), _f(w), _f(dy)
    top, bottom, left, right = pads
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    _, _, kh, kw = w.shape
    oh, ow = dy.shape[2], dy.shape[3]
    for i in range(kh):
        for j in range(kw):
            rows = slice(i, i + stride * (oh - 1) + 1, stride)
            cols = slice(j, j + stride * (ow - 1) + 1, stride)
            dw[:, :, i, j] = np.einsum("nfab,ncab->fc", dy, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfab,fc->ncab", dy, w[:, :, i, j])
    h, wd = x.shape[2], x.shape[3]
    return dxp[:, :, top:top + h, left:left + wd], dw, dy.sum(axis=(0, 2, 3))


# --- Conv1D ----------------------------------------------------------------------------------
def conv1d_forward(x, w, b, stride: int, pads=(0, 0)) -> np.ndarray:
    """x (n, T, C) channels last, W (F, C, K): returns (n, T', F)."""
    x = _f(x)
    img = x.transpose(0, 2, 1)[:, :, None, :]  # (n, C, 1, T)
    y = conv2d_forward(img, _f(w)[:, :, None, :], b, stride, (0, 0) + tuple(pads))
    return y[:, :, 0, :].transpose(0, 2, 1)


def conv1d_backward(x, w, dy, stride: int, pads=(0, 0)):
    """Return (dx (n, T, C), dW (F, C, K), db (F,)) for ``dy`` (n, T', F)."""
    img = _f(x).transpose(0, 2, 1)[:, :, None, :]
    dimg = _f(dy).transpose(0, 2, 1)[:, :, None, :]
    dx, dw, db = conv2d_backward(img, _f(w)[:, :, None, :], dimg, stride, (0, 0) + tuple(pads))
    return dx[:, :, 0, :].transpose(0, 2, 1), dw[:, :, 0, :], db


# --- pooling ---------------------------------------------------------------------------------
def _windows(h: int, w: int, k: int, s: int):
    for a in range(out_size(h, k, s)):
        for b in range(out_size(w, k, s)):
            yield a, b, slice(a * s, a * s + k), slice(b * s, b * s + k)


def maxpool2d_forward(x, k: int, s: int) -> np.ndarray:
    x = _f(x)
    n, c, h, w = x.shape
    y = np.zeros((n, c, out_size(h, k, s), out_size(w, k, s)))
    for a, b, rows, cols in _windows(h, w, k, s):
        y[:, :, a, b] = x[:, :, rows, cols].max(axis=(2, 3))
    return y


def maxpool2d_backward(x, dy, k: int, s: int) -> np.ndarray:
    x, dy = _f(x), _f(dy)
    n, c, h, w = x.shape
    dx = np.zeros_like(x)
    for a, b, rows, cols in _windows(h, w, k, s):
        win = x[:, :, rows, cols].reshape(n, c, -1)
        first = win.argmax(axis=2)  # the first maximum in row-major order
        i, j = np.unravel_index(first, (k, k))
        nn, cc = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
        np.add.at(dx, (nn, cc, a * s + i, b * s + j), dy[:, :, a, b])
    return dx


def avgpool2d_forward(x, k: int, s: int) -> np.ndarray:
    x = _f(x)
    n, c, h, w = x.shape
    y = np.zeros((n, c, out_size(h, k, s), out_size(w, k, s)))
    for a, b, rows, cols in _windows(h, w, k, s):
        y[:, :, a, b] = x[:, :, rows, cols].mean(axis=(2, 3))
    return y


def avgpool2d_backward(x_shape, dy, k: int, s: int) -> np.ndarray:
    dy = _f(dy)
    dx = np.zeros(x_shape)
    for a, b, rows, cols in _windows(x_shape[2], x_shape[3], k, s):
        dx[:, :, rows, cols] += dy[:, :, a, b][:, :, None, None] / (k * k)
    return dx


def maxpool1d_forward(x, k: int, s: int) -> np.ndarray:
    """Max over windows of ``k`` time steps of (n, T, F), per feature."""
    x = _f(x)
    t_out = out_size(x.shape[1], k, s)
    return np.stack([x[:, t * s:t * s + k, :].max(axis=1) for t in range(t_out)], axis=1)


def maxpool1d_backward(x, dy, k: int, s: int) -> np.ndarray:
    x, dy = _f(x), _f(dy)
    dx = np.zeros_like(x)
    n, _, feats = x.shape
    rr, ff = np.meshgrid(np.arange(n), np.arange(feats), indexing="ij")
    for t in range(dy.shape[1]):
        first = x[:, t * s:t * s + k, :].argmax(axis=1)
        np.add.at(dx, (rr, t * s + first, ff), dy[:, t, :])
    return dx
