"""Errors that carry one sentence meant for the user.

Every error raised on purpose by NNSim derives from :class:`NNSimError`; its message names the
problem and the fix. Anything else escaping to the CLI or GUI is a bug and is logged, not shown.
"""


class NNSimError(Exception):
    """Base class: ``str(err)`` is a complete sentence for the user."""


class GraphError(NNSimError):
    """The network graph is invalid (cycle, missing input, bad parameter...)."""

    def __init__(self, message: str, node: str | None = None):
        super().__init__(message)
        self.node = node


class ShapeError(GraphError):
    """A node cannot accept the shape it is given."""


class DatasetError(NNSimError):
    """A dataset cannot be built or imported."""


class ProjectFileError(NNSimError):
    """A project file cannot be read or written."""


class TrainingError(NNSimError):
    """Training cannot start or had to stop."""


class DivergenceError(TrainingError):
    """NaN or Inf appeared during training (exploding gradients or a too-large learning rate)."""

    def __init__(self, message: str, step: int, layer: str | None):
        super().__init__(message)
        self.step = step
        self.layer = layer
