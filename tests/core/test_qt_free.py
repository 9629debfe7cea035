"""The headless packages never import Qt, so the CLI and tests run without a display."""

import subprocess
import sys

HEADLESS = ["nnsim.engine", "nnsim.graph", "nnsim.io", "nnsim.data", "nnsim.training", "nnsim.cli",
            "nnsim.project", "nnsim.bench"]
QT = ["PySide6", "pyqtgraph", "shiboken6"]


def test_headless_packages_do_not_import_qt():
    code = (
        "import importlib, sys\n"
        f"for name in {HEADLESS!r}:\n"
        "    importlib.import_module(name)\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {QT!r})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_running_the_cli_does_not_import_qt():
    code = (
        "import sys\n"
        "from nnsim.cli import main\n"
        "assert main(['examples']) == 0\n"
        f"print('QT:' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] in {QT!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "QT:"
