"""The Trainer: runs many steps per call into compiled code; no Qt."""

from nnsim.training.settings import TRAINING_PARAMS, check_settings, default_settings
from nnsim.training.snapshot import Snapshot
from nnsim.training.trainer import EpochReport, Trainer

__all__ = ["TRAINING_PARAMS", "check_settings", "default_settings", "Snapshot", "Trainer", "EpochReport"]
