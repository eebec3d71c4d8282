"""The package version, in a module of its own so that anything can import it without importing the model."""

__version__ = "0.1.0"
