"""The names the classroom app takes from the model's decision core, in one place.

Why one module: the decision core is being restructured (actions moving into
a registry). Every other app module imports these names from here, so
re-pointing them is an edit to this file only.
"""

from __future__ import annotations

from ..communication import describe
from ..goodness import ACTIONS, COMPONENTS
from ..results import trace_table

__all__ = ["ACTIONS", "COMPONENTS", "describe", "trace_table"]
