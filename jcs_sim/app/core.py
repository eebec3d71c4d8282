"""The names the classroom app takes from the model's decision core, in one place.

Why one module: every other app module imports these names from here, so a
change in the core is an edit to this file only. The action names, the
words for what a responder is doing and which actions aim at a person come
from the action registry (``jcs_sim.actions``), so a new action shows in the
app without an edit here.
"""

from __future__ import annotations

from ..actions import ACTIONS, COMPONENTS, PERSON_TARGETS, VERBS
from ..communication import describe
from ..results import trace_table

__all__ = ["ACTIONS", "COMPONENTS", "PERSON_TARGETS", "VERBS", "describe", "trace_table"]
