"""Parity with PyTorch (float64): Dense, activations, BatchNorm, losses and optimizer updates."""

import numpy as np
import pytest

from nnsim.engine.kernels import optimizers as ko
from nnsim.engine.network import Network

from .chain import chain

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

TOL = 1e-10


@pytest.fixture(autouse=True)
def _float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def close(actual, expected, tol=TOL):
    if isinstance(expected, torch.Tensor):
        expected = expected.detach().numpy()
    expected = np.asarray(expected, dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * scale)


def t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64))


def net64(graph, loss="mse", max_batch=64):
    return Network(graph, loss, max_batch=max_batch, dtype=np.float64, seed=3)


# --- Dense and activations -------------------------------------------------------------------
@pytest.mark.parametrize("n,ni,no", [(5, 3, 4), (32, 16, 20)])
@pytest.mark.parametrize("bias", [True, False])
def test_dense_vs_linear(n, ni, no, bias):
    net = net64(chain((ni,), [("Dense", dict(units=no, activation="identity", use_bias=bias))]))
    lin = nn.Linear(ni, no, bias=bias)
    with torch.no_grad():
        lin.weight.copy_(t(net.weight_view("l0/weight")))
        if bias:
            lin.bias.copy_(t(np.random.default_rng(0).normal(size=no)))
            net.weight_view("l0/bias")[:] = lin.bias.numpy()
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(n, ni)), rng.normal(size=(n, no))
    out = lin(t(x))
    close(net.forward(x), out)
    loss = nn.MSELoss()(out, t(y))
    loss.backward()
    close(net.gradients(x, y), loss)
    grads = net.get_gradients()
    close(grads["l0/weight"], lin.weight.grad)
    if bias:
        close(grads["l0/bias"], lin.bias.grad)


def test_mlp_activations_vs_torch():
    acts = [("tanh", {}, torch.tanh), ("sigmoid", {}, torch.sigmoid), ("relu", {}, F.relu),
            ("leaky_relu", {"slope": 0.1}, lambda v: F.leaky_relu(v, 0.1)),
            ("elu", {"alpha": 0.7}, lambda v: F.elu(v, 0.7)),
            ("rrelu", {"lower": 0.1, "upper": 0.3}, lambda v: F.rrelu(v, 0.1, 0.3, training=False))]
    layers, mods = [], []
    width = 4
    for name, params, fn in acts:
        layers.append(("Dense", dict(units=width, activation=name, **params)))
        mods.append(fn)
    layers.append(("Dense", dict(units=2, activation="identity")))
    net = net64(chain((3,), layers))
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    ws = {k: t(v).requires_grad_() for k, v in net.get_weights().items()}
    for k in ws:
        if k.endswith("bias"):
            with torch.no_grad():
                ws[k].copy_(t(rng.normal(size=ws[k].shape)))
            net.weight_view(k)[:] = ws[k].detach().numpy()
    h = t(x)
    for i, fn in enumerate(mods):
        h = fn(h @ ws[f"l{i}/weight"].T + ws[f"l{i}/bias"])
    out = h @ ws[f"l{len(mods)}/weight"].T + ws[f"l{len(mods)}/bias"]
    close(net.forward(x), out)
    loss = F.mse_loss(out, t(y))
    loss.backward()
    # evaluation mode: rrelu uses its mean slope, like torch with training=False
    close(net.gradients(x, y, training=False), loss)
    for k, g in net.get_gradients().items():
        close(g, ws[k].grad)


# --- BatchNorm -------------------------------------------------------------------------------
@pytest.mark.parametrize("in_shape", [(4,), (3, 2, 2), (2, 5)])
def test_batchnorm_vs_torch(in_shape):
    momentum, eps = 0.2, 1e-4
    layers = [("BatchNorm", {"momentum": momentum, "eps": eps})]
    if len(in_shape) > 1:
        layers.append(("Flatten", {}))
    net = net64(chain(in_shape, layers))
    c = in_shape[0]
    bn = (nn.BatchNorm1d if len(in_shape) < 3 else nn.BatchNorm2d)(c, eps=eps, momentum=momentum)
    rng = np.random.default_rng(4)
    with torch.no_grad():
        bn.weight.copy_(t(rng.uniform(0.5, 1.5, c)))
        bn.bias.copy_(t(rng.normal(size=c)))
    net.weight_view("l0/weight")[:] = bn.weight.detach().numpy()
    net.weight_view("l0/bias")[:] = bn.bias.detach().numpy()
    n = 6
    for step in range(3):  # training: batch statistics, running stats updated every call
        x = rng.normal(loc=step, scale=2.0, size=(n,) + in_shape)
        y = rng.normal(size=(n, int(np.prod(in_shape))))
        bn.train()
        bn.zero_grad()
        out = bn(t(x)).reshape(n, -1)
        loss = F.mse_loss(out, t(y))
        loss.backward()
        if step == 0:
            close(net.forward(x, training=True), out)
            net.weight_view("l0/running_mean")[:] = 0.0  # undo that forward's running-stat update
            net.weight_view("l0/running_var")[:] = 1.0
        close(net.gradients(x, y, training=True), loss)
        close(net.buffer_rows("l0", n), out.detach().numpy().reshape((n,) + in_shape))
        grads = net.get_gradients()
        close(grads["l0/weight"], bn.weight.grad)
        close(grads["l0/bias"], bn.bias.grad)
        close(net.weight_view("l0/running_mean"), bn.running_mean)
        close(net.weight_view("l0/running_var"), bn.running_var)
    # evaluation: running statistics, unchanged by the call
    bn.eval()
    bn.zero_grad()
    x = rng.normal(size=(n,) + in_shape)
    y = rng.normal(size=(n, int(np.prod(in_shape))))
    out = bn(t(x)).reshape(n, -1)
    close(net.forward(x), out)
    loss = F.mse_loss(out, t(y))
    loss.backward()
    close(net.gradients(x, y, training=False), loss)
    grads = net.get_gradients()
    close(grads["l0/weight"], bn.weight.grad)
    close(grads["l0/bias"], bn.bias.grad)
    close(net.weight_view("l0/running_mean"), bn.running_mean)
    close(net.weight_view("l0/running_var"), bn.running_var)


def test_batchnorm_input_gradient_vs_torch():
    """dL/dx through BatchNorm (train and eval), read from the Dense layer in front of it."""
    for training in (True, False):
        net = net64(chain((3,), [("Dense", dict(units=4, activation="identity")), ("BatchNorm", {})]))
        rng = np.random.default_rng(5)
        x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
        lin = nn.Linear(3, 4)
        bn = nn.BatchNorm1d(4)
        with torch.no_grad():
            lin.weight.copy_(t(net.weight_view("l0/weight")))
            lin.bias.zero_()
            bn.running_mean.copy_(t(rng.normal(size=4)))
            bn.running_var.copy_(t(rng.uniform(0.5, 2, 4)))
        net.weight_view("l1/running_mean")[:] = bn.running_mean.numpy()
        net.weight_view("l1/running_var")[:] = bn.running_var.numpy()
        bn.train(training)
        loss = F.mse_loss(bn(lin(t(x))), t(y))
        loss.backward()
        close(net.gradients(x, y, training=training), loss)
        close(net.get_gradients()["l0/weight"], lin.weight.grad)
        close(net.get_gradients()["l0/bias"], lin.bias.grad)


# --- Losses ----------------------------------------------------------------------------------
def _loss_case(loss, act, extra=()):
    net = net64(chain((3,), [("Dense", dict(units=4, activation=act))] + list(extra)), loss)
    lin = nn.Linear(3, 4)
    rng = np.random.default_rng(6)
    with torch.no_grad():
        lin.weight.copy_(t(net.weight_view("l0/weight") * 3))
        lin.bias.copy_(t(rng.normal(size=4)))
    net.weight_view("l0/weight")[:] = lin.weight.detach().numpy()
    net.weight_view("l0/bias")[:] = lin.bias.detach().numpy()
    return net, lin, rng


def _check_loss(net, lin, x, y, loss):
    loss.backward()
    close(net.gradients(x, y), loss)
    g = net.get_gradients()
    close(g["l0/weight"], lin.weight.grad)
    close(g["l0/bias"], lin.bias.grad)


def test_mse_vs_torch():
    net, lin, rng = _loss_case("mse", "tanh")
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    _check_loss(net, lin, x, y, nn.MSELoss()(torch.tanh(lin(t(x))), t(y)))


@pytest.mark.parametrize("soft", [False, True])
def test_bce_fused_vs_bce_with_logits(soft):
    net, lin, rng = _loss_case("bce", "sigmoid")
    assert net.io[4] == 1
    x = rng.normal(size=(5, 3))
    y = rng.uniform(size=(5, 4)) if soft else (rng.uniform(size=(5, 4)) > 0.5) * 1.0
    _check_loss(net, lin, x, y, nn.BCEWithLogitsLoss()(lin(t(x)), t(y)))


def test_bce_unfused_vs_bce_loss():
    net, lin, rng = _loss_case("bce", "sigmoid", [("Dropout", {"rate": 0.0})])
    assert net.io[4] == 0
    x = rng.normal(size=(5, 3))
    y = (rng.uniform(size=(5, 4)) > 0.5) * 1.0
    _check_loss(net, lin, x, y, nn.BCELoss()(torch.sigmoid(lin(t(x))), t(y)))


@pytest.mark.parametrize("soft", [False, True])
def test_cross_entropy_vs_torch(soft):
    net, lin, rng = _loss_case("cross_entropy", "softmax")
    x = rng.normal(size=(6, 3))
    labels = rng.integers(0, 4, 6)
    if soft:
        y = rng.uniform(size=(6, 4))
        y /= y.sum(axis=1, keepdims=True)
        target = t(y)
    else:
        y = np.eye(4)[labels]
        target = torch.tensor(labels)
    _check_loss(net, lin, x, y, nn.CrossEntropyLoss()(lin(t(x)), target))


def test_kl_div_vs_torch():
    net, lin, rng = _loss_case("kl_div", "softmax")
    x = rng.normal(size=(6, 3))
    y = rng.uniform(size=(6, 4))
    y[0, 1] = 0.0
    y /= y.sum(axis=1, keepdims=True)
    loss = nn.KLDivLoss(reduction="batchmean")(F.log_softmax(lin(t(x)), dim=1), t(y))
    _check_loss(net, lin, x, y, loss)


# --- Optimizers ------------------------------------------------------------------------------
def make_hp(lr, h1=0.0, h2=0.0, eps=0.0, l1=0.0, l2=0.0):
    hp = np.zeros(ko.N_HP)
    hp[ko.HP_LR], hp[ko.HP_H1], hp[ko.HP_H2], hp[ko.HP_EPS], hp[ko.HP_L1], hp[ko.HP_L2] = lr, h1, h2, eps, l1, l2
    hp[ko.HP_C2] = hp[ko.HP_STEP_SIZE] = hp[ko.HP_GAMMA] = 1.0
    return hp


OPTIMIZERS = {  # name: (our code, hp kwargs, torch factory(params, lr, weight_decay))
    "sgd": (ko.SGD, {}, lambda p, lr, wd: torch.optim.SGD(p, lr=lr, weight_decay=wd)),
    "momentum": (ko.MOMENTUM, {"h1": 0.9},
                 lambda p, lr, wd: torch.optim.SGD(p, lr=lr, momentum=0.9, weight_decay=wd)),
    "nesterov": (ko.NESTEROV, {"h1": 0.85},
                 lambda p, lr, wd: torch.optim.SGD(p, lr=lr, momentum=0.85, nesterov=True, weight_decay=wd)),
    "adagrad": (ko.ADAGRAD, {"eps": 1e-10},
                lambda p, lr, wd: torch.optim.Adagrad(p, lr=lr, eps=1e-10, initial_accumulator_value=0.0,
                                                      weight_decay=wd)),
    "adadelta": (ko.ADADELTA, {"h1": 0.9, "eps": 1e-6},
                 lambda p, lr, wd: torch.optim.Adadelta(p, lr=lr, rho=0.9, eps=1e-6, weight_decay=wd)),
    "rmsprop": (ko.RMSPROP, {"h1": 0.95, "eps": 1e-8},
                lambda p, lr, wd: torch.optim.RMSprop(p, lr=lr, alpha=0.95, eps=1e-8, weight_decay=wd)),
    "adam": (ko.ADAM, {"h1": 0.9, "h2": 0.999, "eps": 1e-8},
             lambda p, lr, wd: torch.optim.Adam(p, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=wd)),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_optimizer_vs_torch(name, l2):
    code, kw, factory = OPTIMIZERS[name]
    lr = 1.0 if name == "adadelta" else 0.05
    rng = np.random.default_rng(7)
    n = 12
    P = rng.normal(size=n)
    S1, S2 = np.zeros(n), np.zeros(n)
    segs = np.array([[0, n, 1, 1]], dtype=np.int64)
    hp = make_hp(lr, l2=l2, **kw)
    param = t(P.copy()).requires_grad_()
    opt = factory([param], lr, l2)
    for step in range(1, 7):
        g = rng.normal(size=n)
        param.grad = t(g)
        opt.step()
        assert ko.apply_update(code, P, g.copy(), S1, S2, segs, hp, lr, step)
        close(P, param)


def test_no_decay_segment_vs_torch_param_groups():
    """Biases (decay 0) behave like a torch param group with weight_decay=0."""
    rng = np.random.default_rng(8)
    P = rng.normal(size=10)
    S1, S2 = np.zeros(10), np.zeros(10)
    segs = np.array([[0, 6, 1, 1], [6, 4, 1, 0]], dtype=np.int64)
    hp = make_hp(0.01, h1=0.9, h2=0.999, eps=1e-8, l2=0.1)
    w, b = t(P[:6]).requires_grad_(), t(P[6:]).requires_grad_()
    opt = torch.optim.Adam([{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}],
                           lr=0.01)
    for step in range(1, 5):
        g = rng.normal(size=10)
        w.grad, b.grad = t(g[:6]), t(g[6:])
        opt.step()
        ko.apply_update(ko.ADAM, P, g, S1, S2, segs, hp, 0.01, step)
        close(P[:6], w)
        close(P[6:], b)


def test_clip_gradients_vs_torch():
    rng = np.random.default_rng(9)
    G = rng.normal(size=10)
    segs = np.array([[0, 6, 1, 1], [6, 4, 1, 0]], dtype=np.int64)
    a, b = t(G[:6]).requires_grad_(), t(G[6:]).requires_grad_()
    a.grad, b.grad = t(G[:6]), t(G[6:])
    total = torch.nn.utils.clip_grad_norm_([a, b], max_norm=0.5)
    norm = ko.grad_norm(G, segs)
    close(norm, total)
    ko.clip_gradients(G, segs, norm, 0.5)
    close(G[:6], a.grad)
    close(G[6:], b.grad)


def test_step_schedule_vs_torch_steplr():
    param = t(np.zeros(1)).requires_grad_()
    opt = torch.optim.SGD([param], lr=0.3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    hp = make_hp(0.3)
    hp[ko.HP_SCHED], hp[ko.HP_STEP_SIZE], hp[ko.HP_GAMMA] = ko.STEP, 3, 0.5
    for k in range(10):
        close(ko.scheduled_lr(hp, k), opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
