"""Remediate the top suspect: rollback, restart, scale, failover, config revert, data repair.

Candidates: on a service believed to be the root, the remedies that fit the
believed fault type (or, with the type unknown, every remedy weighted by its
expected fit over the fault types); on a service only suspected, a restart,
the generic first try under pressure. Only while the alerts the responder
sees still fire (repeating a finished failover on a quiet system would take
the service down again), and not while a remedy is already running there.
Risk is acting on a service one knows little about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..communication import Content
from ..config import REMEDIATIONS
from ..responders import ROOT
from ..system import REMEDY_INDEX, fit_matrix
from .base import Action, Candidate, Situation, candidate

if TYPE_CHECKING:
    from ..responders import Responder
    from ..view import IncidentView

__all__ = ["Remediate", "Undo"]


class Remediate(Action):
    name = "remediate"
    verb = "remediating"

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        rc = cfg["remediation"]
        self.fit = fit_matrix(cfg)
        expected = self.fit.mean(axis=0)  # the expected fit of each remedy when the fault type is unknown (uniform belief)
        self.remedy_minutes = {m: rc[f"{m}_minutes"] for m in REMEDIATIONS}
        self.suspicion_threshold = rc["suspicion_threshold"]
        self.untested = [("restart", rc["untested_fit"] * expected[REMEDY_INDEX["restart"]])]
        self.unknown_type = [(m, expected[REMEDY_INDEX[m]]) for m in REMEDIATIONS]
        self.evidence_scale = rc["evidence_scale"]
        self.urgency_scale = rc["urgency_scale"]
        self.slow_fix_minutes = rc["slow_fix_minutes"]
        self.slow_fix_max_discount = rc["slow_fix_max_discount"]
        self.retry_discount = rc["retry_discount"]
        self.stuck_urgency = rc["stuck_urgency"]
        self.own_team_bonus = rc["own_team_bonus"]
        self.crowding = rc["crowding"]
        self.hands_on_minutes = rc["hands_on_minutes"]
        self.effort_minutes = rc["effort_minutes"]
        # Hands-on minutes of each remedy: starting it, except a code fix, which must be written first.
        self.hands_on = {m: min(self.remedy_minutes[m], self.hands_on_minutes) for m in REMEDIATIONS}
        self.hands_on["code_fix"] = rc["code_fix_write_minutes"]
        self.code_fix_per_failure = rc["code_fix_per_failure"]
        # What a decision needs of each remedy, worked out once per run: (remedy, fit, slow-fix
        # factor, minus the hands-on minutes), for the untested restart, an unknown fault type, and each
        # believed fault type; remedies that do not fit are left out, as the loop skipped them.
        self._untested = self._plan(self.untested)
        self._unknown_type = self._plan(self.unknown_type)
        self._by_belief = [self._plan([(rem, self.fit[f, REMEDY_INDEX[rem]]) for rem in REMEDIATIONS]) for f in range(self.fit.shape[0])]

    def _plan(self, options: list[tuple[str, float]]) -> list[tuple[str, float, float, float]]:
        out = []
        for rem, fit in options:
            if fit <= 0:
                continue
            minutes = self.remedy_minutes[rem]
            slow_fix = 1.0 - min(minutes / self.slow_fix_minutes, self.slow_fix_max_discount)
            out.append((rem, fit, slow_fix, -self.hands_on[rem]))
        return out

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        top = s.top
        susp = r.suspicion
        concluded = r.status[top] == ROOT
        if not (concluded or susp[top] >= self.suspicion_threshold) or r.saw_quiet or r.remedy_belief.get(top) == "running":
            return
        k = r.effective_knowledge(top)
        if not concluded:
            options = self._untested
        elif r.fault_belief >= 0:
            options = self._by_belief[r.fault_belief]
        else:
            options = self._unknown_type
        own = self.own_team_bonus if m.sg.team_list[top] == r.team_idx else 0.0
        stuck = self.stuck_urgency if r.team_stuck and r.role in ("ops", "sme") else 0.0
        crowd = -self.crowding if r.claims[top] not in (-1, r.idx) else 0.0
        role = self.role_fit[r.role] + own
        # The more of the usual fixes have failed here, the stronger the case for writing one.
        failed_here = self.code_fix_per_failure * r.failures_on.get(top, 0)
        sv = susp[top]
        attempts = r.attempts
        for rem, fit, slow_fix, minus_hands_on in options:
            retry = self.retry_discount ** attempts.get((top, rem), 0) if attempts else 1.0
            out.append(
                candidate(
                    self,
                    top,
                    rem,
                    # A code fix that failed here is tried less too: its case from others' failures is discounted with it.
                    evidence=(self.evidence_scale * sv * fit + (failed_here if rem == "code_fix" else 0.0)) * retry,
                    urgency=self.urgency_scale * s.pressure * fit * retry * slow_fix + stuck,
                    effort=minus_hands_on * s.slow / self.effort_minutes,
                    role=role,
                    coordination=crowd,
                    risk=-(1.0 - k),
                )
            )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        target, remedy = c.target, c.detail
        hands_on = self.hands_on[remedy] * r.slowdown() * m.coord_factor
        # A code fix enters the pipeline once written; any other remedy runs from the moment it is started.
        begins = m.minute + (int(round(hands_on)) if remedy == "code_fix" else 0)
        m.system.start_remediation(r.idx, remedy, target, begins, self.remedy_minutes[remedy])
        m.counts["remediations"] += 1
        r.remedy_belief[target] = "running"
        r.claims[target] = r.idx
        r.unshared.append(Content("remedy_start", target, remedy))
        m.events.append((m.minute, r.name, f"started {remedy} on {m.sg.names[target]}"))
        return hands_on


class Undo(Action):
    """Undo one's own change that broke a service (a wrong rollback, failover or config revert).

    Why an action: a wrong action's cost is not only the minutes it took;
    the damage lasts until someone spends time and attention undoing it, and
    only the person who made the change knows to (``Responder.to_undo``).
    """

    name = "undo"
    verb = "undoing a change"
    roles = ("commander", "ops", "sme", "support", "comms")

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        rc = cfg["remediation"]
        self.undo_minutes = rc["undo_minutes"]
        self.evidence = rc["undo_evidence"]
        self.urgency = rc["undo_urgency"]
        self.hands_on_minutes = rc["hands_on_minutes"]
        self.effort_minutes = rc["effort_minutes"]

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        for svc in r.to_undo:
            out.append(
                candidate(
                    self,
                    svc,
                    evidence=self.evidence,
                    urgency=self.urgency * s.pressure,
                    effort=-min(self.undo_minutes, self.hands_on_minutes) * s.slow / self.effort_minutes,
                    role=self.role_fit[r.role],
                )
            )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        r.to_undo.remove(c.target)
        m.system.undo(c.target, m.minute + self.undo_minutes)
        m.counts["undos"] += 1
        m.events.append((m.minute, r.name, f"started undoing the change that broke {m.sg.names[c.target]}"))
        return min(self.undo_minutes, self.hands_on_minutes) * r.slowdown() * m.coord_factor
