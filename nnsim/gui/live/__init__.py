"""Live training: the worker thread, its controller, the training controls and the live views."""
