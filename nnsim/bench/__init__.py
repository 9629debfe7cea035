"""`nnsim bench`: training speed of NNSim and, side by side in one run, of PyTorch on the CPU."""

from nnsim.bench.runner import jit_times, print_jit, run_cases

__all__ = ["jit_times", "print_jit", "run_cases"]
