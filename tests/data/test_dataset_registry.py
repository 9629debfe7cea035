import json

import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data import dataset_kinds, default_spec, load_dataset

NAMES = ["and", "or", "not", "nand", "xor", "circle", "xor-2d", "gauss", "spiral", "plane",
         "multi-gauss", "digits", "bars", "shapes", "hello", "zen", "text", "recall", "sine", "running-sum",
         "sentiment", "csv", "npz"]


def test_registry_has_every_dataset_name():
    assert list(dataset_kinds()) == NAMES


def test_every_kind_has_title_help_and_params():
    for kind in dataset_kinds().values():
        assert kind.title and kind.help and isinstance(kind.params, tuple)


@pytest.mark.parametrize("name", NAMES)
def test_default_spec_is_plain_json(name):
    spec = default_spec(name)
    assert json.loads(json.dumps(spec)) == spec and spec["name"] == name


def test_default_spec_of_unknown_name():
    with pytest.raises(DatasetError, match="Unknown dataset 'moons'"):
        default_spec("moons")


def test_spec_that_is_not_a_dict():
    with pytest.raises(DatasetError, match="must be described as"):
        load_dataset(["circle"])


def test_spec_with_unknown_name():
    with pytest.raises(DatasetError, match="Unknown dataset 'mnist'"):
        load_dataset({"name": "mnist"})


def test_spec_without_name():
    with pytest.raises(DatasetError, match='no "name"'):
        load_dataset({"params": {}})


def test_spec_with_unknown_parameter():
    with pytest.raises(DatasetError, match="'circle' has no parameter 'radius'"):
        load_dataset({"name": "circle", "params": {"radius": 3}})


def test_spec_with_bad_parameter_value():
    with pytest.raises(DatasetError, match="'n_samples' of 'spiral' must be a whole number"):
        load_dataset({"name": "spiral", "params": {"n_samples": 10.5}})


def test_spec_with_params_not_a_mapping():
    with pytest.raises(DatasetError, match="must be a mapping"):
        load_dataset({"name": "gauss", "params": [1, 2]})


def test_spec_with_unknown_entry():
    with pytest.raises(DatasetError, match="unknown entry 'size'"):
        load_dataset({"name": "gauss", "size": 3})


def test_csv_spec_without_path():
    with pytest.raises(DatasetError, match="no file path"):
        load_dataset(default_spec("csv"))


def test_csv_spec_loads_a_file(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b,y\n" + "".join(f"{i},{i * 2},{i % 2}\n" for i in range(20)), encoding="utf-8")
    d = load_dataset({"name": "csv", "params": {"path": str(p), "target": "y"}})
    assert d.n_classes == 2 and d.input_shape == (2,)


def test_npz_spec_loads_a_file(tmp_path):
    p = tmp_path / "t.npz"
    np.savez(p, x=np.zeros((10, 2)), y=np.linspace(0, 1, 10))
    d = load_dataset({"name": "npz", "params": {"path": str(p)}})
    assert d.task == "regression"


def test_playground_xor_keeps_its_registry_name():
    assert load_dataset({"name": "xor-2d"}).name == "xor-2d"
