"""Actions that move words: share a finding, relay one (commander mode), post a status update,
read the inbox, and assign work (the commander's coordinate).

Their evidence is how much the words matter to others (``importance``) and
how many others there are to hear them; their effort is the time it takes to
write (longer with templates, fatigue and a crowded incident) or read.
Where the words go is the communication mode's business (:mod:`jcs_sim.modes`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..communication import Content, read_inbox
from ..connective import note_read
from ..responders import HEALTHY, SYMPTOM
from .base import Action, Candidate, Situation, candidate

if TYPE_CHECKING:
    from ..responders import Responder
    from ..view import IncidentView

__all__ = ["Share", "Relay", "StatusUpdate", "Read", "Coordinate"]


class _Telling(Action):
    """Share or relay: tell the most important finding in a queue of the responder's."""

    needs_audience = True  # offered only when someone else is active

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        self.urgency = cfg["share"]["urgency"]
        self.audience_full = cfg["share"]["audience_full"]
        self.effort_minutes = cfg["communication"]["effort_minutes"]

    def queue(self, r: Responder) -> list:
        raise NotImplementedError

    def social_cost(self, m: IncidentView, r: Responder) -> float:
        return 0.0

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        queue = self.queue(r)
        if not queue or (self.needs_audience and s.n_others <= 0):
            return
        imp = m.importance
        other = imp["other"]
        best = queue[0] if len(queue) == 1 else max(queue, key=lambda c: imp.get(c.kind, other))
        out.append(
            candidate(
                self,
                best.service,
                best,
                evidence=imp.get(best.kind, other) * min(1.0, s.n_others / self.audience_full),
                urgency=self.urgency * s.pressure,
                effort=-s.write / self.effort_minutes,
                social_cost=self.social_cost(m, r),
                role=self.role_fit[r.role],
            )
        )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        self.queue(r).remove(c.detail)
        m.send(r, c.detail)
        return m.write_minutes(r)


class Share(_Telling):
    """Tell others a finding of one's own (where it goes depends on the mode)."""

    name = "share"
    verb = "posting a finding"

    def queue(self, r: Responder) -> list:
        return r.unshared

    def social_cost(self, m: IncidentView, r: Responder) -> float:
        return m.mode.share_social_cost(m, r)


class Relay(_Telling):
    """Commander mode: pass on what the commander has understood from direct messages."""

    name = "relay"
    verb = "relaying a finding"
    roles = ("commander",)  # only a commander's relay queue fills (communication.read_inbox)
    needs_audience = False

    def queue(self, r: Responder) -> list:
        return r.relay_queue


class StatusUpdate(Action):
    """A status update at the expected cadence (commander; ops when no commander; comms externally)."""

    name = "status_update"
    verb = "writing a status update"
    roles = ("commander", "comms", "ops")

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        sc = cfg["status_update"]
        self.cadence = cfg["communication"]["update_cadence"]
        self.evidence = sc["evidence"]
        self.audience_full = sc["audience_full"]
        self.urgency = sc["urgency"]
        self.role_pull = sc["role_pull"]
        self.ops_role_pull = sc["ops_role_pull"]
        self.overdue_cap = sc["overdue_cap"]
        self.suspect_threshold = sc["suspect_threshold"]
        self.effort_minutes = cfg["communication"]["effort_minutes"]

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        role = r.role
        cmd = m.commander
        if not (role == "commander" or role == "comms" or (role == "ops" and (cmd is None or cmd.state != "active"))):
            return
        due = (m.minute - r.last_update) / self.cadence
        if due < 1.0:
            return
        pull = (self.role_pull if role != "ops" else self.ops_role_pull) * min(due, self.overdue_cap)
        out.append(
            candidate(
                self,
                int(s.order[0]) if r.suspicion[s.top] > self.suspect_threshold else -1,
                evidence=self.evidence * min(1.0, s.n_others / self.audience_full),
                urgency=self.urgency * s.pressure,
                effort=-s.write / self.effort_minutes,
                role=pull,
            )
        )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        r.last_update = m.minute
        if r.role == "comms":
            m.post_to_stakeholders(r, "cause", c.target)
        else:
            m.send(r, Content("status", c.target, r.fault_belief))
        return m.write_minutes(r)


class Read(Action):
    """A minute of reading the channel and direct messages (where misreading happens)."""

    name = "read"
    verb = "reading messages"

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        rc = cfg["read"]
        self.evidence, self.inbox_scale, self.urgency, self.effort = rc["evidence"], rc["inbox_scale"], rc["urgency"], rc["effort"]

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        if r.inbox:
            out.append(
                candidate(
                    self,
                    -1,
                    evidence=self.evidence * (1.0 - math.exp(-len(r.inbox) / self.inbox_scale)),
                    urgency=self.urgency * s.pressure,
                    effort=-self.effort,
                    role=self.role_fit[r.role],
                )
            )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        for mid, misread in read_inbox(m, r):
            note_read(m, r, mid, misread)
        return 1


class Coordinate(Action):
    """The commander asks the best-placed active person to take an unclaimed suspect."""

    name = "coordinate"
    verb = "assigning work on"
    roles = ("commander",)

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        cc = cfg["coordinate"]
        self.suspicion_threshold = cc["suspicion_threshold"]
        self.evidence_scale = cc["evidence_scale"]
        self.urgency = cc["urgency"]
        self.crowding_per_person = cc["crowding_per_person"]
        self.effort_minutes = cfg["communication"]["effort_minutes"]

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        if r.role != "commander" or s.n_others <= 0:
            return
        susp = r.suspicion
        for svc in s.order:
            svc = int(svc)
            if susp[svc] <= self.suspicion_threshold or r.claims[svc] != -1 or r.status[svc] in (HEALTHY, SYMPTOM):
                continue
            knows = r.knows_about(svc)
            j = max(m.active_idx, key=lambda j: (knows[j] if j != r.idx else -1.0, -j))
            if j == r.idx:
                continue
            out.append(
                candidate(
                    self,
                    svc,
                    j,
                    evidence=self.evidence_scale * susp[svc] * knows[j],
                    urgency=self.urgency * s.pressure,
                    effort=-s.write / self.effort_minutes,
                    role=self.role_fit[r.role],
                    coordination=-self.crowding_per_person * m.n_active,
                )
            )
            return

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        m.send(r, Content("assign", c.target, c.detail))
        r.claims[c.target] = c.detail
        return m.write_minutes(r)
