"""Escalate over the team's head: a bystander who believes "they are out of ideas" acts on it.

Why: in the seed story the support on-call misreads "failover didn't work"
as "he is out of ideas". A belief matters when it is acted on: the bystander
(support on-call or comms lead) tells the stakeholders the team is stuck and
pulls managers in, whose questions interrupt everyone working the incident
(``escalate.interrupt_minutes`` each). The post to stakeholders is recorded
with whether it was true (see ``IncidentModel.post_to_stakeholders``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Action, Candidate, Situation, candidate

if TYPE_CHECKING:
    from ..responders import Responder
    from ..view import IncidentView

__all__ = ["Escalate", "WORKING_ROLES"]

# The roles that work the incident itself, and so are interrupted by an escalation.
WORKING_ROLES = ("commander", "ops", "sme")


class Escalate(Action):
    name = "escalate"
    verb = "escalating to management"
    roles = ("support", "comms")

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        ec = cfg["escalate"]
        self.evidence = ec["evidence"]
        self.urgency = ec["urgency"]
        self.social = ec["social_cost"]
        self.interrupt_minutes = ec["interrupt_minutes"]
        self.effort_minutes = cfg["communication"]["effort_minutes"]

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        if not r.team_stuck or r.escalated:
            return
        out.append(
            candidate(
                self,
                -1,
                evidence=self.evidence,
                urgency=self.urgency * s.pressure,
                effort=-s.write / self.effort_minutes,
                social_cost=-self.social,
                role=self.role_fit[r.role],
            )
        )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        r.team_stuck = False  # they have done what a bystander can
        r.escalated = True
        m.post_to_stakeholders(r, "stuck", -1)
        m.counts["bystander_escalations"] += 1
        lost = max(0, int(round(self.interrupt_minutes)))
        interrupted = 0
        for p in m.people:
            if p is not r and p.state == "active" and p.role in WORKING_ROLES and lost:
                p.busy_until = max(p.busy_until, m.minute) + lost  # answering the managers' questions
                interrupted += 1
        m.events.append((m.minute, r.name, f"escalated to management: the team is out of ideas ({interrupted} interrupted)"))
        return m.write_minutes(r)
