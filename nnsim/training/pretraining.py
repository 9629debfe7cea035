"""Phased training: greedy unsupervised pretraining of RBM nodes, then fine-tuning by backprop.

A graph with nodes that learn without labels (``RBM``; other kinds register a :class:`Pretrainer`)
trains in phases, in the graph's topological order:

1. ``pretrain``: each such node, one after the other, learns from the activity of its input (the
   network's forward pass up to that input, with the layers below already pretrained). A model
   built from the node's weights is trained by its own trainer (an RBM by contrastive divergence)
   and written back into the network after every chunk, so the live views follow it.
2. ``fine-tune``: the backprop :class:`~nnsim.training.trainer.Trainer` trains the whole network on
   the labels, for the settings' ``epochs``.

A graph whose output is itself such a node (Input -> RBM) has no labels to fine-tune on: its last
phase (``unsupervised``) trains the output node with the main settings (learning_rate, momentum,
l2 as weight decay, batch_size, epochs; the optimizer choice doesn't apply), and that node's
reconstruction error is the history's ``train_loss`` / ``test_loss``. Pretraining phases record
their history under ``pretrain/<node>/<key>``, so a resumed run skips the phases already done.

:class:`PhasedTrainer` has the Trainer's surface (step, run, epoch, history, reports, evaluate,
snapshot, ...), so the CLI and the GUI worker drive it unchanged; :attr:`PhasedTrainer.phase` says
where it is. No Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from nnsim.core.errors import DivergenceError, TrainingError
from nnsim.data.dataset import REGRESSION, Dataset
from nnsim.engine.network import Network
from nnsim.training.epoch_loop import EpochLoop
from nnsim.training.history import latest_values
from nnsim.training.settings import check_settings
from nnsim.training.snapshot import Snapshot
from nnsim.training.trainer import PROBE_SIZE, EpochReport, Trainer

PREFIX = "pretrain/"
PRETRAIN, UNSUPERVISED, FINE_TUNE = "pretrain", "unsupervised", "fine-tune"


@dataclass(frozen=True)
class Pretrainer:
    """How one node kind learns without labels; register it with :func:`register_pretrainer`.

    ``trainer`` is called as ``trainer(model, dataset, settings, history=..., chunk_seconds=...)`` and
    returns an object with :class:`~nnsim.training.rbm_trainer.RBMTrainer`'s surface (step, epoch,
    history with ``train_loss`` / ``test_loss``, reports, updates, steps_per_epoch, steps_per_second,
    chunk_seconds, set_learning_rate, evaluate, snapshot).
    """

    build: Callable[[int, dict[str, Any], np.dtype], Any]  # (input features, node params, dtype) -> model
    trainer: Callable[..., Any]
    load: Callable[[Any, dict[str, np.ndarray]], None]  # node weights ("weight", ...) in the network's layout -> model
    save: Callable[[Any], dict[str, np.ndarray]]  # model -> node weights in the network's layout
    settings: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]  # (node params, phase settings) -> trainer's


PRETRAINERS: dict[str, Pretrainer] = {}


def register_pretrainer(type_name: str, pretrainer: Pretrainer) -> None:
    PRETRAINERS[type_name] = pretrainer


def needs_phases(network: Network) -> bool:
    """True when some node of the compiled graph learns without labels (so it trains in phases)."""
    return any(node.type in PRETRAINERS for node in network.graph.nodes)


@dataclass(frozen=True)
class Phase:
    kind: str  # "pretrain", "unsupervised" (the graph ends in this node) or "fine-tune"
    node: str | None  # the node this phase trains (None for fine-tuning: the whole network)
    index: int  # 1-based position among ``count`` phases
    count: int
    epoch: int  # epochs this phase has done
    epochs: int  # epochs it runs (pretraining: pretrain_epochs; the last phase: the settings' epochs)


class PhasedTrainer(EpochLoop):
    def __init__(self, network: Network, dataset: Dataset, settings: dict[str, Any],
                 history: dict[str, list] | None = None, chunk_seconds: float = 0.02):
        self.net = network
        self.dataset = dataset
        self.settings = check_settings(settings)
        if self.settings["rule"] != "backprop":
            raise TrainingError(f"Pretrained nodes are fine-tuned by backprop, not the {self.settings['rule']} rule: "
                                f"set the learning rule to backprop.")
        graph = network.graph
        output = graph.node(graph.output)
        self.supervised = output.type not in PRETRAINERS
        saved = {key: list(v) for key, v in (history or {}).items()}
        self._saved = {node.name: {key[len(PREFIX) + len(node.name) + 1:]: v for key, v in saved.items()
                                   if key.startswith(f"{PREFIX}{node.name}/")}
                       for node in graph.nodes if node.type in PRETRAINERS}
        nodes = [node.name for node in graph.nodes if node.type in PRETRAINERS and node.name != output.name]
        self._plan = [(PRETRAIN, name) for name in nodes if self.settings["pretrain_epochs"] > 0]
        self._plan.append((FINE_TUNE, None) if self.supervised else (UNSUPERVISED, output.name))
        if self.supervised:
            self.finetune: Trainer | None = Trainer(network, dataset, settings,
                                                    {k: v for k, v in saved.items() if not k.startswith(PREFIX)},
                                                    chunk_seconds)
            self.x_train, self.x_test = self.finetune.x_train, self.finetune.x_test
            self.y_train, self.y_test = self.finetune.y_train, self.finetune.y_test
            self.classification = self.finetune.classification
        else:
            self.finetune = None
            self._saved[output.name] = {k: v for k, v in saved.items() if not k.startswith(PREFIX)}
            self.x_train, self.x_test = _rows(dataset.x_train, network.dtype), _rows(dataset.x_test, network.dtype)
            self.y_train = self.y_test = None  # no labels are used
            self.classification = False
        self._chunk_seconds = chunk_seconds
        self._phase_trainers: dict[str, Any] = {}
        self._models: dict[str, Any] = {}
        self.reports: list[EpochReport] = []
        self._current()  # the active phase's trainer compiles its kernels now, not in the first step

    # --- phases -------------------------------------------------------------------------------
    def _epochs_done(self, kind: str, node: str | None) -> int:
        if kind == FINE_TUNE:
            return self.finetune.epoch
        trainer = self._phase_trainers.get(node)
        return trainer.epoch if trainer is not None else len(self._saved[node].get("train_loss", []))

    def _epochs_of(self, kind: str) -> int:
        return self.settings["pretrain_epochs"] if kind == PRETRAIN else self.settings["epochs"]

    def _active(self) -> int:
        """Index in the plan of the phase that trains next: the first unfinished pretraining phase, else the last."""
        for i, (kind, node) in enumerate(self._plan[:-1]):
            if self._epochs_done(kind, node) < self._epochs_of(kind):
                return i
        return len(self._plan) - 1

    @property
    def phase(self) -> Phase:
        i = self._active()
        kind, node = self._plan[i]
        return Phase(kind, node, i + 1, len(self._plan), self._epochs_done(kind, node), self._epochs_of(kind))

    @property
    def phases(self) -> list[Phase]:
        """Every phase in order, with its progress."""
        n = len(self._plan)
        return [Phase(kind, node, i + 1, n, self._epochs_done(kind, node), self._epochs_of(kind))
                for i, (kind, node) in enumerate(self._plan)]

    @property
    def pretraining(self) -> bool:
        """True while a pretraining phase has epochs left (``epoch`` counts the last phase only)."""
        return self._plan[self._active()][0] == PRETRAIN

    @property
    def unsupervised_nodes(self) -> list[str]:
        """Every node that learns without labels, in graph order (each has a :meth:`phase_trainer`)."""
        return list(self._saved)

    def _current(self) -> Any:
        """The trainer of the active phase (created on first use)."""
        kind, node = self._plan[self._active()]
        return self.finetune if kind == FINE_TUNE else self.phase_trainer(node)

    def phase_trainer(self, node: str) -> Any:
        """The trainer of ``node``'s unsupervised phase (e.g. an RBMTrainer), created on first use.

        Created for a phase that is over (or was done in an earlier session), it holds that phase's
        history and never trains again; its model is refreshed from the network before snapshots.
        """
        trainer = self._phase_trainers.get(node)
        if trainer is not None:
            return trainer
        if node not in self._saved:
            raise TrainingError(f"Node '{node}' doesn't learn without labels: choose one of "
                                f"{', '.join(self._saved) or 'none'}.")
        resolved = self.net.graph.node(node)
        pre = PRETRAINERS[resolved.type]
        source = resolved.inputs[0]
        x_train, x_test = self.activity(source, self.x_train), self.activity(source, self.x_test)
        width = x_train.shape[1]
        labels = self.dataset.labels_test  # never trained on: they only colour a code scatter by class
        labels = labels if labels is not None and labels.ndim == 1 and len(labels) == len(x_test) else None
        data = Dataset(self.dataset.name if source == self.net.graph.input else source, x_train, x_test,
                       np.zeros((len(x_train), 1), np.float32), np.zeros((len(x_test), 1), np.float32),
                       (width,), REGRESSION, labels_test=labels, class_names=list(self.dataset.class_names))
        model = pre.build(width, resolved.params, self.net.dtype)
        pre.load(model, self._node_weights(node))
        kind = UNSUPERVISED if node == self.net.graph.output else PRETRAIN
        trainer = pre.trainer(model, data, pre.settings(resolved.params, self._phase_settings(kind)),
                              history=self._saved[node], chunk_seconds=self._chunk_seconds)
        self._models[node] = model
        self._phase_trainers[node] = trainer
        return trainer

    def _phase_settings(self, kind: str) -> dict[str, Any]:
        """Pretraining uses the pretrain_* settings; a graph's own output node (nothing to fine-tune) the
        main ones: learning_rate, momentum, l2 as weight decay, batch_size and epochs."""
        s = self.settings
        if kind == PRETRAIN:
            lr, momentum, decay, batch = (s["pretrain_learning_rate"], s["pretrain_momentum"],
                                          s["pretrain_weight_decay"], s["pretrain_batch_size"])
        else:
            lr, momentum, decay, batch = s["learning_rate"], s["momentum"], s["l2"], s["batch_size"]
        return {"learning_rate": lr, "momentum": momentum, "weight_decay": decay, "batch_size": batch,
                "epochs": max(self._epochs_of(kind), 1), "shuffle": s["shuffle"], "seed": s["seed"]}

    def activity(self, node: str, x: np.ndarray) -> np.ndarray:
        """The output of ``node`` for input rows ``x``, as (n, features) rows (forward passes in batches)."""
        net = self.net
        if node == net.graph.input:
            return np.ascontiguousarray(x.reshape(len(x), -1), dtype=net.dtype)
        width = math.prod(net.graph.node(node).out_shape)
        out = np.zeros((len(x), width), net.dtype)
        for start in range(0, len(x), net.max_batch):
            part = x[start:start + net.max_batch]
            net.forward(part)
            out[start:start + len(part)] = net.buffer_rows(node, len(part)).reshape(len(part), width)
        return out

    def _node_weights(self, node: str) -> dict[str, np.ndarray]:
        return {key.split("/", 1)[1]: self.net.weight_view(key).copy() for key in self.net.weight_keys(node)}

    def _write_back(self, node: str) -> None:
        pre = PRETRAINERS[self.net.graph.node(node).type]
        for name, value in pre.save(self._models[node]).items():
            self.net.weight_view(f"{node}/{name}")[...] = value

    # --- progress -----------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        """Epochs done in the last phase (fine-tuning, or the output node's own training)."""
        kind, node = self._plan[-1]
        return self._epochs_done(kind, node)

    @property
    def history(self) -> dict[str, list]:
        """The last phase's history (train_loss, test_loss, ...) plus ``pretrain/<node>/<key>`` per pretrained node."""
        out: dict[str, list] = {}
        for node, saved in self._saved.items():
            trainer = self._phase_trainers.get(node)
            values = trainer.history if trainer is not None else saved
            if node == self.net.graph.output:
                out.update(values)
            else:
                out.update({f"{PREFIX}{node}/{key}": v for key, v in values.items()})
        if self.finetune is not None:
            out.update(self.finetune.history)
        return out

    @property
    def chunk_seconds(self) -> float:
        return self._chunk_seconds

    @chunk_seconds.setter
    def chunk_seconds(self, value: float) -> None:
        self._chunk_seconds = value
        for trainer in [self.finetune, *self._phase_trainers.values()]:
            if trainer is not None:
                trainer.chunk_seconds = value

    @property
    def steps_per_epoch(self) -> int:
        return self._current().steps_per_epoch

    @property
    def steps_per_second(self) -> float:
        return self._current().steps_per_second

    @property
    def updates(self) -> int:
        """Updates of every phase so far (pretraining and fine-tuning)."""
        done = sum(t.updates for t in self._phase_trainers.values())
        return done + (self.finetune.updates if self.finetune is not None else 0)

    @property
    def learning_rate(self) -> float:
        return self._last_trainer().learning_rate

    def set_learning_rate(self, lr: float) -> None:
        """Change the last phase's learning rate (fine-tuning, or the output node's own training)."""
        self._last_trainer().set_learning_rate(lr)
        self.settings["learning_rate"] = float(lr)

    def _last_trainer(self) -> Any:
        return self.finetune if self.finetune is not None else self.phase_trainer(self._plan[-1][1])

    # --- running ------------------------------------------------------------------------------
    def step(self, max_steps: int | None = None, max_epochs: int | None = None) -> EpochReport | None:
        """Run one chunk of the active phase; never crosses the end of a pretraining phase.

        Returns the last epoch report of this call (the active phase's epochs; see :attr:`phase`).
        """
        i = self._active()
        kind, node = self._plan[i]
        trainer = self._current()
        if kind == PRETRAIN:
            left = self._epochs_of(kind) - trainer.epoch
            max_epochs = min(max_epochs, left) if max_epochs else left
        try:
            trainer.step(max_steps, max_epochs)
        except DivergenceError as err:
            if node is None:
                raise
            prefix = "pretrain_" if kind == PRETRAIN else ""  # a graph's own output node trains with the main settings
            lr = self.settings[f"{prefix}learning_rate"]
            raise DivergenceError(
                f"Training '{node}' without labels stopped at update {err.step} (epoch {trainer.epoch + 1}): its "
                f"weights became NaN or infinite, so lower {prefix}learning_rate (now {lr:g}) or {prefix}momentum.",
                step=err.step, layer=node) from None
        finally:
            if node is not None:
                self._write_back(node)
            epochs, count = self._epochs_of(kind), len(self._plan)
            self.reports = [replace(r, phase=Phase(kind, node, i + 1, count, r.epoch, epochs)) for r in trainer.reports]
        return self.reports[-1] if self.reports else None

    def run(self, epochs: int | None = None, on_epoch: Callable[[EpochReport], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> dict[str, list]:
        """Finish the pretraining phases, then train ``epochs`` more epochs of the last phase
        (default: the settings' epochs minus those done)."""
        todo = epochs if epochs is not None else max(self.settings["epochs"] - self.epoch, 0)
        target = self.epoch + todo
        while self.pretraining or self.epoch < target:
            if should_stop is not None and should_stop():
                break
            pretraining = self.pretraining
            self.step(max_epochs=1 if should_stop is not None else (None if pretraining else target - self.epoch))
            if on_epoch is not None:
                for report in self.reports:
                    on_epoch(report)
        return self.history

    # --- evaluation and snapshots ---------------------------------------------------------------
    def evaluate(self, split: str = "test") -> dict[str, Any]:
        """The fine-tuned network's loss and accuracy; a graph ending in an RBM: its reconstruction error as loss."""
        if self.finetune is not None:
            return self.finetune.evaluate(split)
        out: dict[str, Any] = {"loss": None, "accuracy": None, "rmse": None, "r2": None, "samples": 0}
        if split == "val":
            return out
        measured = self._last_trainer().evaluate(split)
        out.update(measured)
        out["loss"] = measured.get("reconstruction_error", measured.get("loss"))
        return out

    def phase_snapshot(self, node: str, **kwargs: Any) -> Any:
        """The snapshot of ``node``'s own trainer (an RBMSnapshot for an RBM), running or done.

        A phase that isn't running first reads the node's current weights from the network (after
        fine-tuning they differ from where pretraining left them). ``kwargs`` go to its snapshot().
        """
        trainer = self.phase_trainer(node)
        if self._plan[self._active()][1] != node:
            PRETRAINERS[self.net.graph.node(node).type].load(self._models[node], self._node_weights(node))
        return trainer.snapshot(**kwargs)

    def snapshot(self, weights: bool = True, activations: bool = True, gradients: bool = True) -> Snapshot:
        """The network's snapshot (as Trainer.snapshot); without labels there are no gradients."""
        latest = latest_values(self.history)
        if self.finetune is not None:
            return replace(self.finetune.snapshot(weights, activations, gradients), epoch=self.epoch,
                           step=self.updates, metrics=latest)
        net = self.net
        probe = (self.x_test if len(self.x_test) else self.x_train)[:PROBE_SIZE]
        acts: dict[str, np.ndarray] = {}
        outputs = None
        if activations and len(probe):
            outputs = net.forward(probe).copy()
            acts = {n.name: net.buffer_rows(n.name, len(probe)) for n in net.graph.nodes}
        return Snapshot(self.epoch, self.updates, latest, net.get_weights() if weights else {}, acts, {}, {}, {},
                        probe.copy(), outputs)


def _rows(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    x = np.asarray(x)
    return np.ascontiguousarray(x.reshape(len(x), -1), dtype=dtype)


# --- RBM nodes (the RBM modules load on first use: backprop-only runs never import their kernels) ----------
def _rbm_build(n_in: int, params: dict[str, Any], dtype: np.dtype) -> Any:
    from nnsim.engine.rbm import RBM

    return RBM(n_in, params["units"], dtype=dtype)


def _rbm_trainer(*args: Any, **kwargs: Any) -> Any:
    from nnsim.training.rbm_trainer import RBMTrainer

    return RBMTrainer(*args, **kwargs)


def _rbm_load(rbm: Any, weights: dict[str, np.ndarray]) -> None:
    rbm.set_weights({"weight": weights["weight"].T, "hidden_bias": weights["bias"],
                     "visible_bias": weights["visible_bias"]})


def _rbm_save(rbm: Any) -> dict[str, np.ndarray]:
    return {"weight": rbm.weight.T, "bias": rbm.hidden_bias, "visible_bias": rbm.visible_bias}


register_pretrainer("RBM", Pretrainer(
    build=_rbm_build,
    trainer=_rbm_trainer,
    load=_rbm_load,
    save=_rbm_save,
    # the data enters as it is (probabilities in [0, 1]): binarize the dataset itself if wanted
    settings=lambda params, s: {**s, "k": params["k"], "persistent": params["persistent"], "binarize": False},
))


from nnsim.training import autoencoder_pretrainer  # noqa: E402,F401  (registers the Autoencoder node)
