"""Autoencoder kernels stay off the backprop path: training a feed-forward network never imports them."""

from __future__ import annotations

import subprocess
import sys


def test_backprop_training_does_not_import_the_autoencoder_kernels():
    code = ("import sys\n"
            "from nnsim.project import Project\n"
            "import nnsim.training, nnsim.engine, nnsim.engine.interpreter\n"
            "Project.example('xor').trainer().run(2)\n"
            "print(sorted(m for m in sys.modules if 'kernels.autoencoder' in m))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
