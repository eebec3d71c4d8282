"""Communication: messages, who receives them, reading, and misreading.

Why it is built this way: the seed story (a bystander reads "failover didn't
work" as "he is out of ideas") needs messages that carry a kind and content,
a clarity, a sender and readers, and a reading step where the reader may
understand something other than what was meant, then act on it. The chance
of that rises with unfamiliarity, ambiguity, the reader's ignorance of the
topic, fatigue and skimming a busy channel (a logistic model, see
``docs/ODD.md``). There is no error flag: a misread message simply updates the
reader's beliefs with what they understood.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .config import FAULT_TYPES
from .responders import HEALTHY, ROOT, SYMPTOM

if TYPE_CHECKING:
    from .responders import Responder
    from .view import IncidentView

__all__ = ["Message", "Content", "FINDINGS", "read_inbox", "misread_probability", "describe", "importance", "clarity_factors"]

# The kinds of message that carry a finding: how much each matters to others is the
# [importance] section of the config; a commander relays what they understood of these.
FINDINGS = frozenset({"root", "remedy_result", "symptom", "remedy_start", "healthy", "stuck"})
# Kinds with no plausible wrong reading ("got it", a question, an external post): never misread.
UNMISTAKABLE = frozenset({"ack", "question", "external"})


def importance(cfg: dict[str, Any]) -> dict[str, float]:
    """Kind of message -> how much it matters to others (the [importance] section; 'other' for any other kind)."""
    return dict(cfg["importance"])


def clarity_factors(cfg: dict[str, Any]) -> dict[str, float]:
    """Kinds whose wording is ambiguous by nature, and their clarity multiplier: a failed remediation
    report ("X didn't work") leaves open whether anything is still being done."""
    cc = cfg["communication"]
    return {"remedy_result": cc["clarity_remedy_result"], "remedy_start": cc["clarity_remedy_start"]}


@dataclass(frozen=True, slots=True)
class Content:
    """What a message says (or what a reader understood it to say)."""

    kind: str  # root | symptom | healthy | remedy_start | remedy_result | status | assign | stuck | page | external
    service: int = -1
    detail: Any = None  # fault index, downstream service, (remedy, reported_success), assignee, ...


@dataclass(slots=True)
class Message:
    """One message in the channel or a direct message."""

    id: int
    minute: int
    sender: int
    recipients: tuple[int, ...]
    route: str  # channel | dm | page | external
    content: Content
    clarity: float
    reads: list[tuple[int, int, bool, Content]] = field(default_factory=list)  # (minute, reader, misread, understood)


def misread_probability(model: IncidentView, msg: Message, reader: Responder, skimming: bool) -> float:
    """Logistic misread chance: unfamiliarity, ambiguity, ignorance of the topic, fatigue, skimming."""
    cc = model.cfg["communication"]
    if not cc["misreading"] or msg.content.kind in UNMISTAKABLE:
        return 0.0
    fam = model.fam[msg.sender][reader.idx]
    know = reader.knowledge[msg.content.service] if msg.content.service >= 0 else cc["topicless_knowledge"]
    z = (
        cc["misread_base"]
        + cc["misread_unfamiliarity"] * (1.0 - fam)
        + cc["misread_ambiguity"] * (1.0 - msg.clarity)
        + cc["misread_ignorance"] * (1.0 - know)
        + cc["misread_fatigue"] * reader.fatigue
        + (cc["misread_skim"] if skimming else 0.0)
    )
    return 1.0 / (1.0 + math.exp(-z))


def _neighbour(model: IncidentView, s: int, rng) -> int:
    """A service next to ``s`` in the graph: what a reader confuses it with."""
    near = model.sg.deps[s] + model.sg.rdeps[s]
    return int(near[int(rng.integers(len(near)))]) if near else s


def misunderstand(model: IncidentView, c: Content, rng) -> Content:
    """What a reader takes a message to mean when they misread it.

    Each kind has one plausible wrong reading, the kind of slip the seed
    texts describe: a failed-attempt report read as giving up, a root-cause
    finding read as ruling the service out, a pointer read as pointing at
    the service next door.
    """
    k = c.kind
    if k == "root":
        return Content("symptom", c.service, -1)  # read as "ruled out"
    if k == "symptom":
        return Content("root", c.service, -1)  # read as "this is the cause"
    if k == "healthy":
        return Content("symptom", c.service, -1)
    if k == "remedy_start":
        return Content("remedy_result", c.service, (c.detail, False))
    if k == "remedy_result":
        remedy, ok = c.detail
        return Content("stuck", c.service, remedy) if not ok else Content("remedy_result", c.service, (remedy, False))
    if k in ("status", "page"):
        return Content(k, _neighbour(model, c.service, rng) if c.service >= 0 else -1, c.detail)
    if k == "assign":
        return Content("assign", _neighbour(model, c.service, rng), c.detail)
    if k == "stuck":
        return Content("stuck", c.service, c.detail)
    if k == "mistake":  # "my failover didn't fix it" read as "they are out of ideas"
        return Content("stuck", c.service, c.detail)
    return c


def anchored_dismissal(model: IncidentView, reader: Responder, c: Content, sender: int) -> bool:
    """Fixation: whether ``reader`` dismisses a report against the root cause they have been told about.

    Each root-cause claim (or status update naming a suspect) about the same
    service read from others strengthens the reader's anchor on it, up to
    full anchoring after ``fixation.endorsements`` of them; a report from
    someone else that the anchored service is only a symptom, or healthy, is
    then dismissed with chance ``fixation.strength`` x anchoring. In a busy
    channel everyone reads every claim, so anchors form faster than through
    a commander (Hutchins 1995). One's own look at the service is never
    dismissed, and it lifts the anchor. Draws on the reader's read stream,
    only when a contradicting report meets an anchor.
    """
    if c.service != reader.anchor or c.kind not in ("symptom", "healthy"):
        return False
    if sender == reader.idx:
        reader.anchor, reader.anchor_n = -1, 0
        return False
    fix = model.fixation
    if fix.strength <= 0.0:
        return False
    if reader.read_rng.random() < fix.strength * min(1.0, reader.anchor_n / fix.endorsements):
        model.counts["dismissed_reports"] += 1
        return True
    return False


def _endorse(reader: Responder, s: int, sender: int) -> None:
    """A claim that ``s`` is the cause, heard from someone else: the anchor grows, or a weak one moves."""
    if sender == reader.idx or s < 0:
        return
    if s == reader.anchor:
        reader.anchor_n += 1
    elif reader.anchor_n <= 1:
        reader.anchor, reader.anchor_n = s, 1


def understand(model: IncidentView, reader: Responder, c: Content, sender: int, weighed: bool = True) -> None:
    """Update the reader's beliefs with what they understood (how far: the [beliefs] section).

    ``weighed``: whether an anchored reader may dismiss it (fixation); a
    misreading repaired in an exchange is taken in as meant.
    """
    if weighed and reader.anchor >= 0 and anchored_dismissal(model, reader, c, sender):
        return
    # Where suspicion changes, the ranking of suspects is dropped (reader._top = None: beliefs_changed(),
    # inlined, as this runs for every message read); kinds that leave suspicion as it was keep it.
    s = c.service
    k = c.kind
    b = model.beliefs
    if k == "root":
        _endorse(reader, s, sender)
        reader._top = None
        reader.status[s] = ROOT
        reader.suspicion[s] = max(reader.suspicion[s], b.root_suspicion)
        if c.detail is not None and c.detail >= 0:
            reader.fault_belief = c.detail
    elif k == "symptom":
        reader._top = None
        if reader.status[s] == ROOT:
            reader.fault_belief = -1  # the believed cause is ruled out, and its fault type with it
        reader.status[s] = SYMPTOM
        reader.suspicion[s] = min(reader.suspicion[s], b.symptom_suspicion)
        if c.detail is not None and c.detail >= 0:
            reader.suspicion[c.detail] = max(reader.suspicion[c.detail], b.downstream_suspicion)
    elif k == "healthy":
        reader._top = None
        if reader.status[s] == ROOT:
            reader.fault_belief = -1
        reader.status[s] = HEALTHY  # ruled out until the alerts come back after a quiet spell (then looked at again)
        reader.suspicion[s] = 0.0
    elif k == "remedy_start":
        reader.remedy_belief[s] = "running"
        reader.claims[s] = sender
        reader.team_stuck = False
    elif k == "remedy_result":
        remedy, ok = c.detail
        reader.remedy_belief[s] = "done" if ok else "failed"
        reader.believes_fixed = ok
        reader.team_stuck = False
        if ok:
            reader.done_remedy[s] = remedy
        else:
            reader.learn_failure(s, remedy)
    elif k == "stuck":
        reader.remedy_belief[s] = "abandoned"
        if not reader.team_stuck and sender != reader.idx and reader.read_rng.random() < b.pass_on_stuck:
            reader.unshared.append(c)  # a belief travels: right or wrong, it is passed on
        reader.team_stuck = True
    elif k in ("status", "page"):
        if k == "status":
            _endorse(reader, s, sender)
        if s >= 0:
            reader._top = None
            reader.suspicion[s] = max(reader.suspicion[s], b.mentioned_suspicion)
        if c.detail is not None and c.detail >= 0:
            reader.fault_belief = reader.fault_belief if reader.fault_belief >= 0 else c.detail
        reader.team_stuck = False
    elif k == "mistake":
        if reader.remedy_belief.get(s) != "failed":
            reader.remedy_belief[s] = "failed"
            reader.learn_failure(s, c.detail)
        reader.team_stuck = False
    elif k == "assign":
        if c.detail == reader.idx:
            reader._top = None
            reader.suspicion[s] = max(reader.suspicion[s], b.assigned_suspicion)
            reader.assigned = s
        reader.claims[s] = c.detail


def read_inbox(model: IncidentView, reader: Responder) -> list[tuple[int, bool]]:
    """One minute of reading: carefully up to ``read_rate`` messages, or skim all of a busy inbox.

    Returns (message id, misread) for each message read.
    """
    cc = model.cfg["communication"]
    skimming = len(reader.inbox) > cc["skim_threshold"]
    n = len(reader.inbox) if skimming else cc["read_rate"]
    batch, reader.inbox = reader.inbox[:n], reader.inbox[n:]
    out = []
    for mid in batch:
        msg = model.messages[mid]
        p = misread_probability(model, msg, reader, skimming)
        misread = p > 0.0 and reader.read_rng.random() < p
        understood = misunderstand(model, msg.content, reader.read_rng) if misread else msg.content
        if misread and (reader.idx in model.read_right_readers or (reader.idx, mid) in model.read_as_meant):
            # The counterfactual "what if this had been read right?": the same draws, the meaning kept.
            misread, understood = False, msg.content
        elif model.read_as_misread and not misread and (reader.idx, mid) in model.read_as_misread:
            # ... and its opposite, "what if it had been misread?" (its one wrong reading, ODD §7.6).
            misread, understood = True, misunderstand(model, msg.content, reader.read_rng)
        msg.reads.append((model.minute, reader.idx, misread, understood))
        understand(model, reader, understood, msg.sender)
        reader.messages_read += 1
        if misread:
            reader.messages_misread += 1
            model.counts["messages_misread"] += 1
        model.counts["messages_read"] += 1
        if reader.role == "commander" and msg.route == "dm" and understood.kind in FINDINGS:
            reader.relay_queue.append(understood)
        out.append((mid, misread))
    return out


def describe(model: IncidentView, c: Content) -> str:
    """Plain words for a message's content, for the chat log and explanations."""
    names = model.sg.names
    svc = names[c.service] if c.service >= 0 else "?"
    k = c.kind
    if k == "root":
        fault = FAULT_TYPES[c.detail] if c.detail is not None and c.detail >= 0 else "cause unclear"
        return f"{svc} is the root cause ({fault})"
    if k == "symptom":
        tail = f"; {names[c.detail]} looks bad" if c.detail is not None and c.detail >= 0 else "; ruled out"
        return f"{svc} is only a symptom{tail}"
    if k == "healthy":
        return f"{svc} looks healthy"
    if k == "remedy_start":
        return f"starting {c.detail} on {svc}"
    if k == "remedy_result":
        remedy, ok = c.detail
        return f"{remedy} on {svc} worked" if ok else f"{remedy} on {svc} didn't work"
    if k == "stuck":
        return f"nothing is being done about {svc}; they are out of ideas"
    if k == "status":
        fault = FAULT_TYPES[c.detail] if c.detail is not None and c.detail >= 0 else "unknown cause"
        return f"status: main suspect {svc}, {fault}" if c.service >= 0 else "status: still investigating"
    if k == "page":
        return f"paged you: we suspect {svc}" if c.service >= 0 else "paged you: please join the incident"
    if k == "assign":
        return f"{model.people[c.detail].name}, please look at {svc}"
    if k == "external":  # detail: what the stakeholders are told ("cause": the service named, or still investigating; "stuck")
        if c.detail == "stuck":
            return "to stakeholders: the team is out of ideas; escalating"
        return f"to stakeholders: we suspect {svc}" if c.service >= 0 else "to stakeholders: still investigating"
    if k == "ack":  # detail: (message id, what the acknowledger understood it to say)
        return f"got it: {describe(model, c.detail[1])}"
    if k == "question":
        return f"can you clarify: {describe(model, c.detail[1])}?"
    if k == "mistake":
        return f"my {c.detail} on {svc} didn't fix it; my mistake, I was wrong about it"
    return k
