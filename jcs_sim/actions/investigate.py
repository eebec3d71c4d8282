"""Investigate a suspected service: the main way a responder learns what is wrong.

Candidates: each of the responder's most-suspected services not yet
explained. Evidence grows with suspicion and with what the responder knows
of the service, and shrinks each time they have already looked (a second
look tells less); effort is the time it takes, which knowledge shortens.
Finishing it draws the result: found the root (and maybe its fault type),
traced a symptom one hop towards the root, wrongly took a symptom one knows
little about for the root, or cleared a quiet service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..communication import Content
from ..config import FAULT_TYPES
from ..responders import HEALTHY, SYMPTOM
from ..system import FAULT_INDEX
from .base import Action, Candidate, Situation, candidate

if TYPE_CHECKING:
    from ..responders import Responder
    from ..view import IncidentView

__all__ = ["Investigate"]

_EXPLAINED = (HEALTHY, SYMPTOM)


class Investigate(Action):
    name = "investigate"
    verb = "investigating"
    has_result = True

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        ic = cfg["investigation"]
        self.base_minutes = ic["base_minutes"]
        self.knowledge_offset = ic["knowledge_offset"]
        self.min_suspicion = ic["min_suspicion"]
        self.evidence_scale = ic["evidence_scale"]
        self.evidence_floor = ic["evidence_floor"]
        self.evidence_per_knowledge = ic["evidence_per_knowledge"]
        self.repeat_discount = ic["repeat_discount"]
        self.urgency = ic["urgency"]
        self.effort_minutes = ic["effort_minutes"]
        self.own_team_bonus = ic["own_team_bonus"]
        self.assigned_bonus = ic["assigned_bonus"]
        self.crowding = ic["crowding"]
        self.root_base, self.root_per_knowledge = ic["root_base"], ic["root_per_knowledge"]
        self.type_base, self.type_per_knowledge = ic["type_base"], ic["type_per_knowledge"]
        self.symptom_base, self.symptom_per_knowledge = ic["symptom_base"], ic["symptom_per_knowledge"]
        self.healthy_base, self.healthy_per_knowledge = ic["healthy_base"], ic["healthy_per_knowledge"]
        self.misjudge_rate = ic["misjudge_rate"]
        self.novel_recognition = cfg["incident"]["novel_recognition"]

    def minutes(self, r: Responder, s: int, slow: float) -> float:
        """How long looking at ``s`` takes ``r``: knowledge shortens it, fatigue and crowding lengthen it."""
        return self.base_minutes / (self.knowledge_offset + r.effective_knowledge(s)) * slow

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        susp = r.suspicion
        status = r.status
        team_of = m.sg.team_list
        sme = r.role == "sme"
        rf = self.role_fit[r.role]
        k_list, k_factor = r._k_list, r._k_factor  # r.effective_knowledge(svc), inlined: read per suspect per decision
        for svc in s.order:
            sv = float(susp[svc])
            if sv <= self.min_suspicion or status[svc] in _EXPLAINED:
                continue
            k = min(1.0, max(0.0, k_list[svc] * k_factor))
            minutes = self.base_minutes / (self.knowledge_offset + k) * s.slow
            own = self.own_team_bonus if (sme and team_of[svc] == r.team_idx) else 0.0
            crowd = -self.crowding if r.claims[svc] not in (-1, r.idx) else 0.0
            if r.assigned == svc:
                own += self.assigned_bonus
            evidence = (
                self.evidence_scale * sv * (self.evidence_floor + self.evidence_per_knowledge * k) * self.repeat_discount ** r.examined[svc]
            )
            out.append(
                candidate(
                    self,
                    svc,
                    evidence=evidence,
                    urgency=self.urgency * s.pressure,
                    effort=-minutes / self.effort_minutes,
                    role=rf + own,
                    coordination=crowd,
                )
            )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        r.claims[c.target] = r.idx
        return self.minutes(r, c.target, r.slowdown() * m.coord_factor)

    def finish(self, m: IncidentView, r: Responder, s: int) -> None:
        """What the look at ``s`` showed, drawn from the investigator's own stream."""
        r.examined[s] += 1
        k = r.effective_knowledge(s)
        u = r.work_rng.random(2)
        visible = bool(m.system.symptomatic[s])
        if s in m.fault.causes and visible:
            # A failure mode nobody has seen is hard to recognise, however well one knows the service.
            novel = self.novel_recognition if m.fault.novel else 1.0
            if u[0] < (self.root_base + self.root_per_knowledge * k) * novel:
                right = u[1] < (self.type_base + self.type_per_knowledge * k) * novel
                guess = FAULT_INDEX[m.fault.kind_at(s)] if right else int(r.work_rng.integers(len(FAULT_TYPES)))
                m.conclude(r, Content("root", s, guess))
        elif visible and m.distance_to_root[s] > 0:
            traced = self.symptom_base + self.symptom_per_knowledge * k
            if u[0] < traced:
                dist = m.distance_to_root
                nxt = min((d for d in m.sg.deps[s] if dist[d] >= 0), key=lambda d: (dist[d], d))
                m.conclude(r, Content("symptom", s, nxt))
            elif u[0] < traced + self.misjudge_rate * (1.0 - k):
                # A service one knows little about looks like the culprit: it is broken, after all.
                m.conclude(r, Content("root", s, int(r.work_rng.integers(len(FAULT_TYPES)))))
        elif (not visible or m.distance_to_root[s] < 0) and u[0] < self.healthy_base + self.healthy_per_knowledge * k:
            # Quiet, or alerting for a reason off the fault's path (an unrelated alert, a service a wrong
            # change broke): not this incident's cause.
            m.conclude(r, Content("healthy", s))
