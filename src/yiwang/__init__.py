"""yiwang (一网): one-stop government services platform."""

__version__ = "0.1.0"
