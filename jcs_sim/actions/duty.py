"""Turn to other work (the conflicting goal), or wait and watch the dashboards.

Why other work is a candidate: the support on-call answers internal users
while the incident runs; its pull (duty load) competes with the incident in
g, and time pressure pushes back. Waiting is always open: it is what a
responder does when nothing else scores higher, and it ends early when
something new arrives (a message, a changed dashboard, a result).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Action, Candidate, Situation, candidate

if TYPE_CHECKING:
    from ..responders import Responder
    from ..view import IncidentView

__all__ = ["OtherDuty", "Wait"]


class OtherDuty(Action):
    name = "other_duty"
    verb = "on other duties"

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        oc = cfg["other_duty"]
        self.pull, self.urgency, self.effort, self.minutes = oc["pull"], oc["urgency"], oc["effort"], oc["minutes"]

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        if r.duty_load > 0:
            out.append(candidate(self, -1, urgency=self.urgency * s.pressure, effort=-self.effort, other_duties=self.pull * r.duty_load))

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        return self.minutes


class Wait(Action):
    name = "wait"
    verb = "watching"

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        self.own_remedy = cfg["wait"]["own_remedy"]
        self.believes_fixed = cfg["wait"]["believes_fixed"]
        self.watch_minutes = cfg["goodness"]["watch_minutes"]

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        running = m.system.running
        watching = self.own_remedy if running and any(rem.actor == r.idx for rem in running) else 0.0
        watching += self.believes_fixed if r.believes_fixed else 0.0
        out.append(candidate(self, -1, evidence=watching))

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        # Watch until the time is up or something new arrives (the model checks this snapshot each minute).
        r.watch_snapshot = (len(r.inbox), len(r.unshared), m.system.version)
        return self.watch_minutes
