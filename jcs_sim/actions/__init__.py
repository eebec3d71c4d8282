"""The registry of actions: the one list from which the action names, their trace codes,
the person-targeted set and the app's verbs all come.

Adding an action is one new class (see :mod:`jcs_sim.actions.base` and
docs/actions.md) and one line in :data:`REGISTRY`. The order of the registry
is the order in which candidates are offered, which fixes the order of the
decision-noise draws: append new actions before ``OtherDuty`` and ``Wait``
only on purpose, and expect the baseline to move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..config import ROLES
from .base import COMPONENTS, Action, Candidate, Situation, candidate
from .connective import Acknowledge, Clarify, OwnMistake
from .duty import OtherDuty, Wait
from .escalate import Escalate
from .investigate import Investigate
from .messages import Coordinate, Read, Relay, Share, StatusUpdate
from .page import Page
from .regroup import Regroup
from .remediate import Remediate, Undo

if TYPE_CHECKING:
    from ..responders import Responder
    from ..view import IncidentView

__all__ = [
    "REGISTRY", "ACTIONS", "ACTION_INDEX", "PERSON_TARGETS", "VERBS", "COMPONENTS",
    "Action", "Candidate", "Situation", "candidate", "build_actions", "actions_by_role", "candidates",
]  # fmt: skip

REGISTRY: tuple[type[Action], ...] = (
    Investigate, Remediate, Undo, Share, Relay, StatusUpdate, Escalate, Page, Read, Coordinate,
    Acknowledge, Clarify, OwnMistake, Regroup, OtherDuty, Wait,
)  # fmt: skip
for _i, _cls in enumerate(REGISTRY):
    _cls.index = _i

ACTIONS: tuple[str, ...] = tuple(cls.name for cls in REGISTRY)
ACTION_INDEX: dict[str, int] = {name: i for i, name in enumerate(ACTIONS)}
PERSON_TARGETS: frozenset[str] = frozenset(cls.name for cls in REGISTRY if cls.targets_person)
VERBS: dict[str, str] = {cls.name: cls.verb for cls in REGISTRY}


def build_actions(cfg: dict[str, Any]) -> list[Action]:
    """One instance of every registered action, with its numbers read from ``cfg`` (once per run)."""
    return [cls(cfg) for cls in REGISTRY]


def actions_by_role(actions: list[Action]) -> dict[str, list[Action]]:
    """For each role, the actions ever offered to it, in registry order (the order of the noise draws is kept)."""
    return {role: [a for a in actions if a.roles is None or role in a.roles] for role in ROLES}


def candidates(m: IncidentView, r: Responder, actions: list[Action]) -> list[Candidate]:
    """Every action open to ``r`` now, with its named g components (unweighted), in registry order."""
    situation = Situation(m, r)
    out: list[Candidate] = []
    for action in actions:
        action.candidates(m, r, situation, out)
    return out
