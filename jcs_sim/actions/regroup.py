"""Regroup: the commander stops the flailing and the team pools what it knows.

Why: a team whose fixes keep failing can go on trying them for hours, each
person on the hypothesis they last held (before this action, the README's
first run had 65 remediations in 12 hours, most on the wrong service).
Incident command practice has a counter-move: step back, say aloud what has
been tried and what each person believes, and let the person who knows the
suspect best decide what to believe ("deference to expertise", Weick &
Sutcliffe 2007, *Managing the Unexpected*, ch. 4). The commander weighs
calling one like any other action: each failed remediation they know of
since the last regroup adds evidence (``regroup.evidence_per_failure``); the
meeting costs every active person ``regroup.minutes``.

What the meeting does (:func:`pool`, ODD §7.23):
- everyone learns every failure anyone knows of (per service and remedy, the
  largest count any participant knows, as a union of what was seen), so the
  case for a code fix where the usual fixes failed reaches the whole team;
- every service someone holds to be the root cause is judged by the
  participant with a view of it who knows it best (their usable knowledge
  now; ties: the earlier on the roster): the owner who ruled it out
  overrides the outsider who blamed it, and the judge's verdict becomes
  everyone's. Among the claims upheld, the team adopts the one whose judge
  knows it best, with that judge's fault type, and leaves the others to look
  at again (one hypothesis at a time). If the judge is wrong, the team
  converges on the wrong cause: deference is not truth;
- anchors are lifted (fixation is broken by saying it aloud), and nobody is
  left believing the team is stuck.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..responders import ROOT, UNKNOWN
from .base import Action, Candidate, Situation, candidate

if TYPE_CHECKING:
    from ..responders import Responder
    from ..view import IncidentView

__all__ = ["Regroup", "pool"]


class Regroup(Action):
    name = "regroup"
    verb = "running a regroup"
    roles = ("commander",)

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        gc = cfg["regroup"]
        self.enabled = gc["enabled"]
        self.per_failure = gc["evidence_per_failure"]
        self.urgency = gc["urgency"]
        self.minutes = gc["minutes"]
        self.effort_minutes = cfg["communication"]["effort_minutes"]

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        if not self.enabled or r.failures_since_regroup == 0 or s.n_others < 1:
            return
        out.append(
            candidate(
                self,
                -1,
                evidence=self.per_failure * r.failures_since_regroup,
                urgency=self.urgency * s.pressure,
                effort=-self.minutes * s.slow / self.effort_minutes,
                role=self.role_fit[r.role],
            )
        )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        people = [p for p in m.people if p.state == "active"]
        adopted, expert = pool(people)
        minutes = max(1, int(round(self.minutes * r.slowdown() * m.coord_factor)))
        for p in people:
            if p is not r:
                p.busy_until = max(p.busy_until, m.minute) + minutes  # in the meeting, then back to what they were doing
        m.counts["regroups"] += 1
        what = (
            f"the team takes {m.sg.names[adopted]} as the root cause ({expert.name}'s call)"
            if adopted >= 0
            else "nobody holds a root-cause hypothesis yet"
        )
        m.events.append((m.minute, r.name, f"called a regroup with {len(people) - 1} others: {what}"))
        return minutes


def pool(people: list[Responder]) -> tuple[int, Responder | None]:
    """What a regroup does to its participants' beliefs; returns the adopted root (or -1) and whose call it was.

    Exact and draw-free, so tests can pin it (tests/test_incident_mechanisms.py).
    """
    attempts: dict[tuple[int, str], int] = {}
    failures: dict[int, int] = {}
    for p in people:
        for key, n in p.attempts.items():
            attempts[key] = max(attempts.get(key, 0), n)
        for svc, n in p.failures_on.items():
            failures[svc] = max(failures.get(svc, 0), n)
    # Every service someone holds to be the root cause is judged by the participant with a view of it
    # (not UNKNOWN) who knows it best: their status of it becomes everyone's.
    claims = sorted({int(s) for p in people for s in np.flatnonzero(p.status == ROOT)})
    judges: dict[int, Responder] = {}
    for s in claims:
        best = -1.0
        for p in people:
            if p.status[s] != UNKNOWN and p.effective_knowledge(s) > best:
                judges[s], best = p, p.effective_knowledge(s)
    upheld = [s for s in claims if judges[s].status[s] == ROOT]
    adopted = max(upheld, key=lambda s: judges[s].effective_knowledge(s), default=-1)  # ties: the lower service id
    expert = judges[adopted] if adopted >= 0 else None
    verdicts = {s: (judges[s].status[s], judges[s].suspicion[s]) for s in claims}
    for p in people:
        p.attempts = dict(attempts)
        p.failures_on = dict(failures)
        p.failures_since_regroup = 0
        p.anchor, p.anchor_n = -1, 0
        p.team_stuck = False
        for s, (status, suspicion) in verdicts.items():
            # One hypothesis at a time: an upheld claim other than the adopted one is left to look at again.
            p.status[s] = status if s == adopted or status != ROOT else UNKNOWN
            p.suspicion[s] = suspicion
        if expert is not None:
            p.fault_belief = expert.fault_belief
        p.beliefs_changed()
    return adopted, expert
