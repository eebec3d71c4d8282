"""Page someone: the person believed to know the top suspect best, the commander, the comms lead.

Evidence is what the pager believes the other knows (transactive memory)
where they themselves know little; the social cost is paging someone one
does not know, doubled at night ("a surprise call from someone you know at
3AM vs a stranger"): the term through which familiarity changes who gets
paged, and when.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Action, Candidate, Situation, candidate

if TYPE_CHECKING:
    from ..responders import Responder
    from ..view import IncidentView

__all__ = ["Page"]


class Page(Action):
    name = "page"
    verb = "paging"
    targets_person = True

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        pc = cfg["page"]
        self.timeout = cfg["coordination"]["escalation_timeout"]
        self.evidence_scale = pc["evidence_scale"]
        self.suspicion_floor = pc["suspicion_floor"]
        self.urgency = pc["urgency"]
        self.stuck_urgency = pc["stuck_urgency"]
        self.effort = pc["effort"]
        self.social = pc["social_cost"]
        self.night_factor = pc["night_factor"]
        self.crowding_per_person = pc["crowding_per_person"]
        self.commander_evidence = pc["commander_evidence"]
        self.commander_team_evidence = pc["commander_team_evidence"]
        self.commander_team_size = pc["commander_team_size"]
        self.commander_role_bonus = pc["commander_role_bonus"]
        self.comms_evidence = pc["comms_evidence"]
        self.comms_urgency = pc["comms_urgency"]

    def social_cost(self, familiarity: float, night: bool) -> float:
        """Reluctance to page someone: zero for a close colleague, largest for a stranger at night."""
        return -self.social * (1.0 - familiarity) * (1.0 + self.night_factor * (1.0 if night else 0.0))

    def best_pageable(self, m: IncidentView, r: Responder, service: int) -> tuple[int, float]:
        """The not-yet-active ops or SME whom ``r`` believes knows ``service`` best, and that belief; (-1, -1.0) if none."""
        best_j, best_k = -1, -1.0
        knows = r.knows_about(service)
        for p in m.pageable:  # ops and SMEs not yet active (updated once a minute)
            if p.state == "active" or (p.state == "paged" and m.minute - p.paged_at < self.timeout):
                continue  # joined earlier this minute, or paged recently enough to wait for
            if knows[p.idx] > best_k:
                best_j, best_k = p.idx, knows[p.idx]
        return best_j, best_k

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        top = s.top
        rf = self.role_fit[r.role]
        fam = m.fam[r.idx]
        night = m.is_night
        stuck = self.stuck_urgency if r.team_stuck else 0.0
        best_j, best_k = self.best_pageable(m, r, top)
        if best_j >= 0:
            out.append(
                candidate(
                    self,
                    best_j,
                    evidence=self.evidence_scale
                    * best_k
                    * max(r.suspicion[top], self.suspicion_floor)
                    * (1.0 - r.effective_knowledge(top)),
                    urgency=self.urgency * s.pressure + stuck,
                    effort=-self.effort,
                    social_cost=self.social_cost(fam[best_j], night),
                    role=rf,
                    coordination=-self.crowding_per_person * m.n_active,
                )
            )
        cmd = m.commander
        severity = m.system.severity
        if cmd is not None and cmd is not r and cmd.state == "off":
            team_big = self.commander_team_evidence if m.n_active >= self.commander_team_size else 0.0
            out.append(
                candidate(
                    self,
                    cmd.idx,
                    evidence=self.commander_evidence * severity / 3 + team_big,
                    urgency=self.urgency * s.pressure + stuck,
                    effort=-self.effort,
                    social_cost=self.social_cost(fam[cmd.idx], night),
                    role=rf + self.commander_role_bonus,
                )
            )
        comms = m.comms
        if r.role == "commander" and comms is not None and comms.state == "off":
            out.append(
                candidate(
                    self,
                    comms.idx,
                    evidence=self.comms_evidence * severity / 3,  # someone must tell the users
                    urgency=self.comms_urgency * s.pressure,
                    effort=-self.effort,
                    social_cost=self.social_cost(fam[comms.idx], night),
                    role=rf,
                )
            )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        m.page(m.people[c.target], by=r)
        return 1
