"""The package version, in a module of its own.

Why a separate module: ``jcs-sim --version`` and the result writers need the
version without importing the model (and with it Mesa, pandas and scipy), and
``results``/``campaign`` must not import the package root, which would make an
import circle (``jcs_sim`` -> ``model`` -> ``results`` -> ``jcs_sim``).
``pyproject.toml`` reads the version from here.
"""

__version__ = "0.1.0"
