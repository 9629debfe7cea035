"""NNSim: build, train and watch neural networks learn.

The public API lives in :mod:`nnsim.api`; the most used names are re-exported here.
"""

__version__ = "0.1.0"
