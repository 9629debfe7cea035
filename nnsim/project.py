"""A project: the editable graph, the dataset spec, training settings, history and weights.

This is the object the CLI and the GUI work with. It ties the graph model, datasets, the engine
and the file format together, and nothing else: each of those stays usable on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnsim.core.errors import GraphError, NNSimError, ProjectFileError
from nnsim.core.resources import resource_path
from nnsim.data import Dataset, check_spec, default_spec, load_dataset
from nnsim.engine.network import DEFAULT_MAX_BATCH, Network
from nnsim.graph import Graph
from nnsim.io import ProjectDocument, load_project, save_project
from nnsim.training import Trainer, check_settings, default_settings
from nnsim.training.pretraining import PhasedTrainer, needs_phases

EXAMPLES_DIR = resource_path("examples")


@dataclass
class Project:
    graph: Graph
    dataset: dict[str, Any] = field(default_factory=lambda: default_spec("spiral"))
    training: dict[str, Any] = field(default_factory=default_settings)
    history: dict[str, list] = field(default_factory=dict)
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.dataset = check_spec(self.dataset)
        self.training = check_settings(self.training)
        self._dataset_cache: tuple[str, Dataset] | None = None

    # --- files ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path) -> "Project":
        """Open a ``.nnsim`` file; any problem raises one ProjectFileError sentence."""
        doc = load_project(path)
        name = Path(path).name
        try:
            graph = Graph.from_dict(doc.graph)
            return cls(graph, doc.dataset or default_spec("spiral"), doc.training, doc.history, doc.weights,
                       doc.meta)
        except NNSimError as err:
            raise ProjectFileError(f"{name} can't be opened: {err}") from None

    def save(self, path: str | Path) -> None:
        save_project(path, ProjectDocument(graph=self.graph.to_dict(), dataset=self.dataset,
                                           training=self.training, history=self.history,
                                           weights=self.weights, meta=self.meta))

    @classmethod
    def example(cls, name: str) -> "Project":
        path = EXAMPLES_DIR / f"{name}.nnsim"
        if not path.is_file():
            known = ", ".join(example_names()) or "none"
            raise ProjectFileError(f"There is no bundled example '{name}': choose one of {known}.")
        return cls.load(path)

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    @property
    def description(self) -> str:
        return str(self.meta.get("description", ""))

    # --- data, network, training ----------------------------------------------------------------
    def load_dataset(self) -> Dataset:
        """The dataset the spec describes (cached until the spec changes)."""
        key = json.dumps(self.dataset, sort_keys=True)
        if self._dataset_cache is None or self._dataset_cache[0] != key:
            self._dataset_cache = (key, load_dataset(self.dataset))
        return self._dataset_cache[1]

    def set_dataset(self, spec: dict[str, Any]) -> None:
        self.dataset = check_spec(spec)

    def set_training(self, settings: dict[str, Any]) -> None:
        self.training = check_settings(settings)

    def build_network(self, dtype=np.float32, use_saved_weights: bool = True) -> Network:
        """Validate the graph against the dataset, compile it, and load saved weights that fit."""
        data = self.load_dataset()
        resolved = self.graph.resolve(tuple(data.input_shape))
        batch = self.training["batch_size"] or data.n_train
        net = Network(resolved, self.training["loss"], max_batch=max(DEFAULT_MAX_BATCH, batch), dtype=dtype,
                      seed=self.training["seed"], rule=self.training["rule"])
        if use_saved_weights and self.weights:
            self._apply_saved_weights(net)
        return net

    def network_weights(self) -> dict[str, np.ndarray]:
        """The weights training starts from: the saved ones when they fit the network, else the seeded
        initial ones (what Play would draw). Raises when the graph or dataset is invalid."""
        try:
            return self.build_network().get_weights()
        except GraphError:
            if not self.weights:
                raise
            return self.build_network(use_saved_weights=False).get_weights()

    def _apply_saved_weights(self, net: Network) -> None:
        try:
            net.set_weights(self.weights, strict=True)
        except NNSimError as err:
            raise GraphError(f"The saved weights don't fit the network: {err} Reset the weights to "
                             f"train from scratch.") from None

    def trainer(self, network: Network | None = None, keep_history: bool = True) -> Trainer | PhasedTrainer:
        """A Trainer, or a PhasedTrainer (pretraining, then fine-tuning) when nodes learn without labels."""
        net = network or self.build_network()
        kind = PhasedTrainer if needs_phases(net) else Trainer
        return kind(net, self.load_dataset(), self.training, self.history if keep_history else None)

    def capture(self, trainer: Trainer | PhasedTrainer) -> None:
        """Store a trainer's weights and history in the project (for saving)."""
        self.weights = trainer.net.get_weights()
        self.history = {k: list(v) for k, v in trainer.history.items()}

    def reset(self) -> None:
        """Forget trained weights and history."""
        self.weights = {}
        self.history = {}


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.nnsim"))


def example_catalog() -> list[tuple[str, str, str]]:
    """(name, title, description) of every bundled example."""
    out = []
    for name in example_names():
        try:
            p = Project.example(name)
            out.append((name, p.title, p.description))
        except NNSimError as err:
            out.append((name, f"(damaged: {err})", ""))
    return out
