"""The `nnsim` command, called in-process through nnsim.cli.main."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import nnsim
from nnsim.cli import main
from nnsim.graph import Graph, sequential
from nnsim.project import Project, example_names

METRIC_KEYS = {"epochs", "seed", "train_loss", "test_loss", "train_accuracy", "test_accuracy", "test_rmse",
               "steps_per_second"}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nnsim: error: ")
    assert "Traceback" not in err


@pytest.fixture
def regression_file(tmp_path):
    graph = sequential([("Input", {}), ("Dense", {"units": 6, "activation": "tanh"}),
                        ("Dense", {"units": 1, "activation": "identity"})], names=["in", "hidden", "out"])
    path = tmp_path / "plane.nnsim"
    Project(graph, {"name": "plane", "params": {}},
            {"loss": "mse", "optimizer": "adam", "learning_rate": 0.01, "batch_size": 10, "epochs": 3}).save(path)
    return path


@pytest.fixture
def example_file(tmp_path):
    path = tmp_path / "xor.nnsim"
    Project.example("xor").save(path)
    return path


# --- version and examples -------------------------------------------------------------------------
def test_version_prints_the_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"nnsim {nnsim.__version__}"


def test_python_dash_m_nnsim_version_works():
    result = subprocess.run([sys.executable, "-m", "nnsim", "--version"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0
    assert result.stdout.strip() == f"nnsim {nnsim.__version__}"


def test_no_command_opens_the_app(monkeypatch):
    opened = []
    monkeypatch.setattr("nnsim.cli._run_app", lambda path: opened.append(path) or 0)
    assert main([]) == 0
    assert opened == [None]


def test_a_project_file_argument_opens_it_in_the_app(monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr("nnsim.cli._run_app", lambda path: opened.append(path) or 0)
    assert main([str(tmp_path / "net.nnsim")]) == 0
    assert opened == [str(tmp_path / "net.nnsim")]


def test_help_prints_usage(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "usage: nnsim" in capsys.readouterr().out


def test_examples_prints_one_line_per_example_name_first(capsys):
    code, out, _ = run(capsys, "examples")
    assert code == 0
    lines = out.strip().splitlines()
    assert [line.split()[0] for line in lines] == example_names()
    for line, name in zip(lines, example_names()):
        assert line[len(name):].strip() == Project.example(name).title


# --- train ----------------------------------------------------------------------------------------
def test_train_example_writes_metrics_and_the_trained_project(capsys, tmp_path):
    metrics, out_file = tmp_path / "m.json", tmp_path / "trained.nnsim"
    code, out, _ = run(capsys, "train", "--example", "xor", "--epochs", "5", "--metrics", str(metrics),
                       "--out", str(out_file))
    assert code == 0
    assert "Trained xor: 5 epochs" in out
    data = json.loads(metrics.read_text())
    assert METRIC_KEYS <= set(data)
    assert data["epochs"] == 5 and data["seed"] == 0
    assert data["test_rmse"] is None
    assert 0.0 <= data["test_accuracy"] <= 1.0 and 0.0 <= data["train_accuracy"] <= 1.0
    assert data["train_loss"] > 0 and data["test_loss"] > 0 and data["steps_per_second"] > 0
    saved = Project.load(out_file)
    assert set(saved.weights) == {"hidden/weight", "hidden/bias", "output/weight", "output/bias"}
    assert len(saved.history["train_loss"]) == 5
    assert saved.training["epochs"] == 5


def test_train_regression_reports_rmse_not_accuracy(capsys, tmp_path, regression_file):
    metrics = tmp_path / "m.json"
    code, _, _ = run(capsys, "train", str(regression_file), "--quiet", "--metrics", str(metrics))
    assert code == 0
    data = json.loads(metrics.read_text())
    assert METRIC_KEYS <= set(data)
    assert data["epochs"] == 3
    assert data["test_accuracy"] is None and data["train_accuracy"] is None
    assert isinstance(data["test_rmse"], float) and data["test_rmse"] > 0


def test_train_a_fixed_weight_gate_only_evaluates(capsys, tmp_path):
    metrics, out_file = tmp_path / "m.json", tmp_path / "gate.nnsim"
    code, out, err = run(capsys, "train", "--example", "or-gate", "--seed", "0", "--metrics", str(metrics),
                         "--out", str(out_file))
    assert code == 0 and "Traceback" not in err
    assert "Trained or-gate: 0 epochs, 0 updates" in out
    data = json.loads(metrics.read_text())
    assert METRIC_KEYS <= set(data)
    assert data["epochs"] == 0 and data["steps"] == 0
    assert data["train_accuracy"] == 1.0 and data["test_accuracy"] == 1.0
    assert Project.load(out_file).weights.keys() == {"output/weight", "output/bias"}


def test_train_adaline_reports_test_rmse(capsys, tmp_path):
    metrics = tmp_path / "m.json"
    code, _, _ = run(capsys, "train", "--example", "adaline-regression", "--seed", "0", "--quiet",
                     "--metrics", str(metrics))
    assert code == 0
    data = json.loads(metrics.read_text())
    assert data["test_accuracy"] is None and 0 < data["test_rmse"] < 0.06


def test_train_applies_batch_size_lr_and_seed_overrides(capsys, tmp_path, example_file):
    out_file = tmp_path / "out.nnsim"
    code, _, _ = run(capsys, "train", str(example_file), "--quiet", "--epochs", "2", "--batch-size", "2",
                     "--lr", "0.25", "--seed", "9", "--out", str(out_file))
    assert code == 0
    training = Project.load(out_file).training
    assert (training["batch_size"], training["learning_rate"], training["seed"], training["epochs"]) == \
        (2, 0.25, 9, 2)


def test_train_quiet_writes_nothing_to_stderr(capsys):
    code, _, err = run(capsys, "train", "--example", "xor", "--epochs", "2", "--quiet")
    assert code == 0 and err == ""


def test_train_unknown_example_is_one_error_line(capsys):
    code, _, err = run(capsys, "train", "--example", "nope")
    assert code == 1
    assert_one_error_line(err)
    assert "xor" in err


# --- check ----------------------------------------------------------------------------------------
def test_check_valid_project_prints_the_layer_table(capsys, example_file):
    code, out, _ = run(capsys, "check", str(example_file))
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("xor.nnsim: valid.")
    assert lines[1].split() == ["layer", "type", "output", "shape", "parameters"]
    rows = [line.split() for line in lines[2:]]
    assert rows[:-1] == [["input", "Input", "2", "0"], ["hidden", "Dense", "2", "6"],
                         ["output", "Dense", "1", "3"]]
    assert rows[-1] == ["total", "9"]


def test_train_rbm_example_reports_reconstruction_error_as_test_loss(capsys, tmp_path):
    metrics = tmp_path / "m.json"
    code, out, err = run(capsys, "train", "--example", "rbm-digits", "--epochs", "3", "--metrics", str(metrics))
    assert code == 0
    assert "Phase 1/1: training 'rbm' without labels" in err and "accuracy" not in out
    data = json.loads(metrics.read_text())
    assert METRIC_KEYS <= set(data) and data["epochs"] == 3
    assert 0 < data["test_loss"] < 0.1 and data["test_accuracy"] is None


def test_train_dbn_example_shows_each_phase_and_the_pretrained_errors(capsys, tmp_path):
    metrics, out_file = tmp_path / "m.json", tmp_path / "dbn.nnsim"
    code, out, err = run(capsys, "train", "--example", "dbn-digits", "--epochs", "2", "--metrics", str(metrics),
                         "--out", str(out_file))
    assert code == 0
    phases = [line for line in err.splitlines() if line.startswith("Phase ")]
    assert phases == ["Phase 1/3: pretraining 'rbm1' without labels (loss: reconstruction error)",
                      "Phase 2/3: pretraining 'rbm2' without labels (loss: reconstruction error)",
                      "Phase 3/3: fine-tuning the whole network by backprop on the labels"]
    assert "pretrained 'rbm2' for 20 epochs" in out
    data = json.loads(metrics.read_text())
    assert data["epochs"] == 2 and 0 < data["test_accuracy"] <= 1
    assert set(data["pretrain"]) == {"rbm1", "rbm2"} and data["pretrain"]["rbm1"]["test_loss"] > 0
    saved = Project.load(out_file)
    assert len(saved.history["pretrain/rbm1/train_loss"]) == 20 and len(saved.history["train_loss"]) == 2
    assert "rbm1/visible_bias" in saved.weights


def test_check_lists_rbm_nodes_with_their_parameters(capsys, tmp_path):
    path = tmp_path / "dbn.nnsim"
    Project.example("dbn-digits").save(path)
    code, out, _ = run(capsys, "check", str(path))
    rows = [line.split() for line in out.strip().splitlines()[2:]]
    assert code == 0 and ["rbm1", "RBM", "128", "8,384"] in rows  # 128x64 weights, 128 + 64 biases


def test_check_total_uses_thousands_separators(capsys, tmp_path):
    path = tmp_path / "digits.nnsim"
    Project.example("digits-mlp").save(path)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 0
    assert out.strip().splitlines()[-1].split() == ["total", f"{64 * 128 + 128 + 128 * 10 + 10:,}"]


def test_check_graph_with_an_unconnected_dense_fails_naming_it(capsys, tmp_path):
    graph = Graph()
    source = graph.add_node("Input", "in")
    graph.add_node("Dense", "lonely", {"units": 2})
    out = graph.add_node("Dense", "out", {"units": 1, "activation": "sigmoid"})
    graph.connect(source.id, out.id)
    path = tmp_path / "bad.nnsim"
    Project(graph, {"name": "gauss", "params": {}}, {"loss": "bce"}).save(path)
    code, _, err = run(capsys, "check", str(path))
    assert code == 1
    assert_one_error_line(err)
    assert "'lonely' has no input" in err


def test_check_graph_with_a_shape_mismatch_fails_naming_it(capsys, tmp_path):
    graph = sequential([("Input", {}), ("Dense", {"units": 8}), ("Reshape", {"shape": [1, 8, 8]}),
                        ("Flatten", {}), ("Dense", {"units": 1, "activation": "sigmoid"})],
                       names=["in", "dense", "reshape", "flat", "out"])
    path = tmp_path / "bad.nnsim"
    Project(graph, {"name": "gauss", "params": {}}, {"loss": "bce"}).save(path)
    code, _, err = run(capsys, "check", str(path))
    assert code == 1
    assert_one_error_line(err)
    assert "Reshape 'reshape'" in err and "1x8x8" in err


@pytest.mark.parametrize("command", ["check", "train"])
def test_corrupt_file_is_one_error_line(capsys, tmp_path, command):
    path = tmp_path / "corrupt.nnsim"
    path.write_bytes(b"\x00\x01garbage" * 10)
    code, _, err = run(capsys, command, str(path))
    assert code == 1
    assert_one_error_line(err)
    assert "corrupt.nnsim" in err


@pytest.mark.parametrize("command", ["check", "train"])
def test_missing_file_is_one_error_line(capsys, tmp_path, command):
    code, _, err = run(capsys, command, str(tmp_path / "missing.nnsim"))
    assert code == 1
    assert_one_error_line(err)
    assert "missing.nnsim" in err


# --- bad arguments --------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["frobnicate"], ["train"], ["train", "--example", "xor", "--epochs", "-3"],
                                  ["train", "--example", "xor", "--epochs", "abc"],
                                  ["train", "--example", "xor", "--epochs", "0"],
                                  ["train", "--example", "xor", "--lr", "nan"],
                                  ["train", "f.nnsim", "--example", "xor"], ["check"]],
                         ids=["unknown-command", "train-without-source", "negative-epochs", "text-epochs",
                              "zero-epochs", "nan-lr", "file-and-example", "check-without-file"])
def test_bad_arguments_exit_2_with_usage(capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: nnsim" in err
    assert "Traceback" not in err


# --- bench ----------------------------------------------------------------------------------------
def test_bench_json_has_one_row_per_case_without_torch_values(capsys, tmp_path):
    path = tmp_path / "bench.json"
    code, _, _ = run(capsys, "bench", "--seconds", "0.2", "--json", str(path), "--case", "mlp-tiny",
                        "--case", "mlp-digits")
    assert code == 0
    rows = json.loads(path.read_text())
    assert [row["case"] for row in rows] == ["mlp-tiny", "mlp-digits"]
    for row in rows:
        assert set(row) == {"case", "nnsim_steps_per_s", "torch_steps_per_s", "ratio"}
        assert row["nnsim_steps_per_s"] > 0
        assert row["torch_steps_per_s"] is None and row["ratio"] is None


def test_bench_vs_torch_gives_positive_ratios(capsys, tmp_path):
    pytest.importorskip("torch")
    path = tmp_path / "bench.json"
    code, out, _ = run(capsys, "bench", "--vs-torch", "--seconds", "0.2", "--json", str(path), "--case", "mlp-tiny")
    assert code == 0
    for row in json.loads(path.read_text()):
        assert row["torch_steps_per_s"] > 0
        assert row["ratio"] == pytest.approx(row["nnsim_steps_per_s"] / row["torch_steps_per_s"])
        assert row["ratio"] > 0
    assert "ratio" in out


def test_train_autoencoder_example_with_seed_0_reports_test_mse_below_0_02(capsys, tmp_path):
    metrics, out_file = tmp_path / "m.json", tmp_path / "ae.nnsim"
    code, out, err = run(capsys, "train", "--example", "autoencoder-digits", "--seed", "0", "--metrics", str(metrics),
                         "--out", str(out_file))
    assert code == 0
    assert "Phase 1/1: training 'autoencoder' without labels" in err and "accuracy" not in out
    data = json.loads(metrics.read_text())
    assert METRIC_KEYS <= set(data) and data["epochs"] == 20 and data["seed"] == 0
    assert 0 < data["test_loss"] <= 0.02 and data["test_accuracy"] is None  # the target (0.0060)
    saved = Project.load(out_file)
    assert {"autoencoder/weight", "autoencoder/bias", "autoencoder/decoder_bias"} == set(saved.weights)
    assert saved.history["test_loss"][-1] == data["test_loss"]


def test_check_lists_autoencoder_nodes_with_their_parameters(capsys, tmp_path):
    path = tmp_path / "sae.nnsim"
    Project.example("stacked-autoencoder-digits").save(path)
    code, out, _ = run(capsys, "check", str(path))
    rows = [line.split() for line in out.strip().splitlines()[2:]]
    assert code == 0 and ["ae1", "Autoencoder", "64", "4,224"] in rows  # tied 64x64 weights, 64 + 64 biases
