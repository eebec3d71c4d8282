"""The Action protocol and the Candidate with named g components.

Why one object per action: an action used to live in five places (the
action list, a branch of the candidate builder, a branch of the model's
start, the person-targeted sets, the app's verbs). Now an action is one
class that declares its name, its words, whether it is aimed at a person,
the candidates it offers (with named components of g), what starting it
does and, if it has a result, what finishing it does. The registry
(:mod:`jcs_sim.actions`) lists them; docs/actions.md says how to add one.

An action instance is made once per run from the config, so its numbers are
plain attributes on the hot path (no dict lookups per decision).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..config import ROLES

if TYPE_CHECKING:
    from ..responders import Responder
    from ..view import IncidentView

__all__ = ["Action", "Candidate", "candidate", "Situation", "COMPONENTS"]

# The components of g, in the order of the weights (goodness.weights) and the trace columns.
COMPONENTS = ("evidence", "urgency", "effort", "social_cost", "role", "other_duties", "coordination", "risk", "connection")


class Candidate:
    """One action open to a responder now, with its unweighted g components by name.

    Build one with :func:`candidate`, which takes every component by keyword;
    ``components`` is the tuple in :data:`COMPONENTS` order (what g and the
    trace read), so no call site depends on positions.
    """

    __slots__ = ("action", "target", "detail", "components")

    action: Action
    target: int  # a service, a responder (``action.targets_person``) or -1
    detail: Any  # the remedy, the message, the assignee, ...
    components: tuple[float, ...]

    def component(self, name: str) -> float:
        """One component by name (for tests and explanations; the hot path reads ``components``)."""
        return self.components[COMPONENTS.index(name)]

    def __repr__(self) -> str:
        named = ", ".join(f"{n}={v:+.3f}" for n, v in zip(COMPONENTS, self.components, strict=True) if v)
        return f"Candidate({self.action.name}, target={self.target}, {named})"


_new = object.__new__


def candidate(
    action: Action,
    target: int,
    detail: Any = None,
    *,
    evidence: float = 0.0,
    urgency: float = 0.0,
    effort: float = 0.0,
    social_cost: float = 0.0,
    role: float = 0.0,
    other_duties: float = 0.0,
    coordination: float = 0.0,
    risk: float = 0.0,
    connection: float = 0.0,
) -> Candidate:
    """A :class:`Candidate` with its components by name (any left out are 0).

    A function rather than ``Candidate.__init__``: a decision builds about ten
    candidates, and a plain call that fills the slots costs less than half of
    a class instantiation with keyword arguments (measured in
    docs/performance.md).
    """
    c = _new(Candidate)
    c.action = action
    c.target = target
    c.detail = detail
    c.components = (evidence, urgency, effort, social_cost, role, other_duties, coordination, risk, connection)
    return c


class Situation:
    """What every action's candidates share in one decision: computed once, read by all."""

    __slots__ = ("pressure", "slow", "n_others", "order", "top", "write")

    def __init__(self, m: IncidentView, r: Responder) -> None:
        self.pressure = m.pressure
        self.slow = r._slow * m.coord_factor  # r.slowdown(), read directly: once per decision
        self.n_others = m.n_active - 1
        self.order = r.top_suspects()
        self.top = self.order[0]
        self.write = m.write_base * self.slow


class Action:
    """Base class of an action: subclasses set the class attributes and override what they need.

    - ``candidates`` appends this action's candidates for ``r`` now (none, one, or several);
    - ``start`` carries out the chosen candidate and returns the minutes it keeps ``r`` busy;
    - ``finish`` applies a result when those minutes are over (only if ``has_result``).
    """

    name: ClassVar[str] = ""
    verb: ClassVar[str] = ""  # what someone doing it is doing, in words (the app's "paging Ben", "investigating X")
    targets_person: ClassVar[bool] = False  # the target is a responder index, not a service
    roles: ClassVar[tuple[str, ...] | None] = None  # the roles ever offered it (None: every role); skips needless calls
    has_result: ClassVar[bool] = False
    index: int = -1  # position in the registry (set by it): the action's code in the trace

    def __init__(self, cfg: dict[str, Any]) -> None:
        roles = cfg["roles"]
        # This action's role fit per role (the 'role' component); 0 where a role expects nothing of it.
        self.role_fit: dict[str, float] = {role: roles.get(f"{role}_{self.name}", 0.0) for role in ROLES}

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        raise NotImplementedError

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        raise NotImplementedError

    def finish(self, m: IncidentView, r: Responder, target: int) -> None:
        """The result of the action, applied when it ends (only called when ``has_result``)."""
