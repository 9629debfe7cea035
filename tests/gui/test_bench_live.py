"""`nnsim bench --gui` runs a case inside the real window and reports every field (no timing asserts)."""

from __future__ import annotations

import json
import math

from nnsim.cli import main
from nnsim.gui import bench_live

KEYS = {"case", "headless_steps_per_s", "gui_steps_per_s", "throughput_ratio", "ui_latency_p99_ms", "redraw_fps",
        "peak_rss_mb"}


def test_gui_bench_reports_every_field_for_a_case(tmp_path, capsys):
    path = tmp_path / "gui.json"
    assert main(["bench", "--gui", "--case", "xor", "--seconds", "1.5", "--json", str(path)]) == 0
    rows = json.loads(path.read_text())
    assert [row["case"] for row in rows] == ["xor"]
    row = rows[0]
    assert set(row) == KEYS
    assert row["headless_steps_per_s"] > 0 and row["gui_steps_per_s"] > 0  # the window really trained
    assert row["redraw_fps"] > 0 and row["peak_rss_mb"] > 0
    assert math.isfinite(row["throughput_ratio"]) and row["ui_latency_p99_ms"] >= 0
    out = capsys.readouterr().out
    assert "xor" in out and "targets:" in out


def test_gui_bench_cases_are_the_issue_examples():
    assert bench_live.CASES == ("spiral", "digits-cnn")
