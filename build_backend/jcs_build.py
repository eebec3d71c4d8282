"""The build backend: setuptools, after a check of the Python version.

Why: pip resolves the dependencies before it compares the project's
``requires-python`` with the interpreter, so on Python 3.11 the install used to
end with "No matching distribution found for mesa<4,>=3.5", which names neither
jcs-sim nor Python. pip imports this module in the target interpreter first
(to ask what the build needs), so the check below is the first thing it reports.
"""

import sys

if sys.version_info < (3, 12):  # noqa: UP036 - this file exists to say so on older Pythons
    raise SystemExit(
        f"jcs-sim needs Python 3.12 or later; this is Python {sys.version.split()[0]} ({sys.executable}). "
        "Create the environment with Python 3.12: python3.12 -m venv .venv (the repository's .python-version selects 3.12 for pyenv)."
    )

from setuptools.build_meta import *  # noqa: E402, F403
from setuptools.build_meta import __all__  # noqa: E402, F401
