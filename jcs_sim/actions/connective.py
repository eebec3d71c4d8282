"""Connective labor as actions: acknowledge (reflect back), ask a clarifying question, own a mistake.

Why: in the seed texts "seeing and being seen" is mutual and builds on
itself, and a mistake owned openly draws people closer; Pugh (2021)
describes how systematization (scripts, speed-up) crowds those exchanges
out. These are candidates of g like any other, with a time cost and a named
'connection' component, so under time pressure or speed-up they can lose.
What they do to ties and misreadings is :mod:`jcs_sim.connective`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..communication import Content
from ..connective import gain, repair, understood_by
from .base import Action, Candidate, Situation, candidate

if TYPE_CHECKING:
    from ..responders import Responder
    from ..view import IncidentView

__all__ = ["Acknowledge", "Clarify", "OwnMistake"]


class _Connective(Action):
    """Shared settings: the switch, the value put on connection, the feeling of delay under pressure."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        cc = cfg["connective"]
        self.enabled = cc["enabled"]
        crowd = cc["template_crowding"] if cfg["communication"]["structured_updates"] else 0.0
        self.connection = cc["connection_value"] * (1.0 - crowd) * (1.0 - cc["speedup"])
        self.hurry = cc["hurry"] + cc["speedup"]
        self.speedup = cc["speedup"]
        self.recent_minutes = cc["recent_minutes"]
        self.effort_minutes = cfg["communication"]["effort_minutes"]
        self.ack_minutes = cc["ack_minutes"] * (1.0 - cc["speedup_write_cut"] * cc["speedup"])
        self.reveal_prob = cc["reveal_prob"]
        self.ack_gain, self.clarify_gain = cc["ack_gain"], cc["clarify_gain"]

    def exchange(self, m: IncidentView, r: Responder, c: Candidate, kind: str) -> bool:
        """Send ``kind`` ('ack' or 'question') about message ``c.detail`` to its sender; return whether ``r`` had misread it.

        The words quote what the reader understood, so a misreading shows in what the sender sees.
        """
        m.counts["connective_acts"] += 1
        mid = c.detail
        r.recent = [x for x in r.recent if x[0] != mid]
        misread = (r.idx, mid) in m.open_misreads
        m.send(r, Content(kind, m.messages[mid].content.service, (mid, understood_by(m, r.idx, mid))), route_override=("dm", (c.target,)))
        return misread

    def recent(self, m: IncidentView, r: Responder) -> list[tuple[int, int, bool]]:
        """Messages read recently enough to acknowledge or ask about (older ones are forgotten).

        ``r.recent`` is in the order read, so it holds an old message only if its first one is old:
        the list is rebuilt only then (twice per decision otherwise, for nothing).
        """
        recent = r.recent
        if recent and m.minute - recent[0][1] > self.recent_minutes:
            recent = r.recent = [x for x in recent if m.minute - x[1] <= self.recent_minutes]
        return recent


class Acknowledge(_Connective):
    """Reflect back the most important recent message ("you're saying X"); may reveal a misreading."""

    name = "acknowledge"
    verb = "acknowledging"
    targets_person = True

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        self.evidence = cfg["connective"]["ack_evidence"]

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        if not self.enabled:
            return
        recent = self.recent(m, r)
        if not recent:
            return
        imps = m.message_importance
        mid = recent[0][0] if len(recent) == 1 else max((x[0] for x in recent), key=imps.__getitem__)
        msg = m.messages[mid]
        unf = 1.0 - m.fam[r.idx][msg.sender]
        out.append(
            candidate(
                self,
                msg.sender,
                mid,
                evidence=self.evidence * imps[mid] * unf,
                urgency=-self.hurry * s.pressure,
                effort=-(self.ack_minutes * r._slow * m.coord_factor) / self.effort_minutes,
                connection=self.connection * unf,
            )
        )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        misread = self.exchange(m, r, c, "ack")
        gain(m, r.idx, c.target, self.ack_gain)
        if misread and r.read_rng.random() < self.reveal_prob:
            repair(m, r, c.detail)
        return self.ack_minutes * r.slowdown() * m.coord_factor


class Clarify(_Connective):
    """Ask the sender of the least clear recent message what they meant; always reveals a misreading."""

    name = "clarify"
    verb = "asking to clarify"
    targets_person = True

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        cc = cfg["connective"]
        self.evidence = cc["clarify_evidence"]
        self.social = cc["clarify_social_cost"]
        self.connection_scale = cc["clarify_connection"]

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        if not self.enabled:
            return
        recent = self.recent(m, r)
        if not recent:
            return
        fam, msgs = m.fam[r.idx], m.messages
        mid = recent[0][0] if len(recent) == 1 else min(recent, key=lambda x: msgs[x[0]].clarity * fam[msgs[x[0]].sender])[0]
        msg = msgs[mid]
        unf = 1.0 - fam[msg.sender]
        out.append(
            candidate(
                self,
                msg.sender,
                mid,
                evidence=self.evidence * m.importance.get(msg.content.kind, m.importance["other"]) * (1.0 - msg.clarity * fam[msg.sender]),
                urgency=-self.hurry * s.pressure,
                effort=-s.write / self.effort_minutes,
                social_cost=-self.social * unf,  # asking a stranger a question is a small imposition
                connection=self.connection_scale * self.connection * unf,
            )
        )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        misread = self.exchange(m, r, c, "question")
        sender = m.people[c.target]
        if sender.state == "active":  # the sender spends a minute answering, whatever they were doing
            sender.busy_until = max(sender.busy_until, m.minute) + 1
        gain(m, r.idx, c.target, self.clarify_gain)
        if misread:
            repair(m, r, c.detail)
        return m.write_minutes(r)


class OwnMistake(_Connective):
    """Say openly that one's own remedy failed or was on the wrong service."""

    name = "own_mistake"
    verb = "owning a mistake"

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        self.evidence = cfg["connective"]["own_mistake_evidence"]
        self.connection_scale = cfg["connective"]["own_mistake_connection"]

    def candidates(self, m: IncidentView, r: Responder, s: Situation, out: list[Candidate]) -> None:
        if not self.enabled or not r.own_failures or m.n_active <= 1:
            return
        fam = m.fam[r.idx]
        unf = sum(1.0 - fam[j] for j in m.active_idx if j != r.idx) / (m.n_active - 1)
        failure = r.own_failures[-1]
        out.append(
            candidate(
                self,
                failure[0],
                failure,
                evidence=self.evidence,
                urgency=-self.hurry * s.pressure,
                effort=-s.write / self.effort_minutes,
                connection=self.connection_scale * self.connection * unf,
            )
        )

    def start(self, m: IncidentView, r: Responder, c: Candidate) -> float:
        m.counts["connective_acts"] += 1
        r.own_failures.remove(c.detail)
        service, remedy = c.detail
        m.send(r, Content("mistake", service, remedy))
        return m.write_minutes(r)
