"""Datasets: logic gates, Playground 2-D sets, digits and shapes images, text and sequence tasks,
and CSV/.npz import."""

from nnsim.data.dataset import Dataset
from nnsim.data.importers import load_csv, load_npz
from nnsim.data.registry import DatasetKind, check_spec, dataset_kinds, default_spec, load_dataset

__all__ = ["Dataset", "DatasetKind", "check_spec", "dataset_kinds", "default_spec", "load_csv",
           "load_dataset", "load_npz"]
