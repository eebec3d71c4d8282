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
from .responders import ROOT, SYMPTOM

if TYPE_CHECKING:
    from .model import IncidentModel
    from .responders import Responder

__all__ = ["Message", "Content", "route", "read_inbox", "misread_probability", "describe", "IMPORTANCE"]

# How much each kind of finding matters to others (drives the 'share' candidate's evidence).
IMPORTANCE = {"root": 1.0, "remedy_result": 0.8, "symptom": 0.6, "remedy_start": 0.5, "healthy": 0.3, "stuck": 0.4}
# Kinds whose wording is ambiguous by nature: a failed remediation report
# ("X didn't work") leaves open whether anything is still being done.
# Kinds with no plausible wrong reading ("got it", a question, an external post): never misread.
UNMISTAKABLE = frozenset({"ack", "question", "external"})
AMBIGUOUS = {"remedy_result": 0.6, "remedy_start": 0.85}


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


def route(model: IncidentModel, sender: Responder, content: Content) -> tuple[str, tuple[int, ...]]:
    """Who receives a message, by communication mode.

    channel: everyone active. commander: to the commander, who relays (the
    commander's own messages go to everyone). direct: to whom the sender
    believes needs it (the active person they think knows the service best,
    plus the commander), nobody else.
    """
    active = [r.idx for r in model.people if r.state == "active" and r.idx != sender.idx]
    mode = model.cfg["communication"]["mode"]
    if content.kind == "assign":
        return ("channel" if mode == "channel" else "dm"), (content.detail,)
    if mode == "channel" or content.kind == "status" or not active:
        return "channel", tuple(active)
    cmd = model.commander
    cmd_active = cmd is not None and cmd.state == "active"
    if mode == "commander":
        if sender.role == "commander" or not cmd_active:
            return "channel", tuple(active)
        return "dm", (cmd.idx,)
    # direct
    out: list[int] = []
    if content.service >= 0 and sender.knows is not None:
        team = int(model.sg.team_of[content.service])
        best = max(active, key=lambda j: (sender.knows[j][team], -j))
        out.append(best)
    if cmd_active and cmd.idx != sender.idx and cmd.idx not in out:
        out.append(cmd.idx)
    return "dm", tuple(out or active[:1])


def misread_probability(model: IncidentModel, msg: Message, reader: Responder, skimming: bool) -> float:
    """Logistic misread chance: unfamiliarity, ambiguity, ignorance of the topic, fatigue, skimming."""
    cc = model.cfg["communication"]
    if not cc["misreading"] or msg.content.kind in UNMISTAKABLE:
        return 0.0
    fam = model.fam[msg.sender][reader.idx]
    know = reader.knowledge[msg.content.service] if msg.content.service >= 0 else 0.5
    z = (
        cc["misread_base"]
        + cc["misread_unfamiliarity"] * (1.0 - fam)
        + cc["misread_ambiguity"] * (1.0 - msg.clarity)
        + cc["misread_ignorance"] * (1.0 - know)
        + cc["misread_fatigue"] * reader.fatigue
        + (cc["misread_skim"] if skimming else 0.0)
    )
    return 1.0 / (1.0 + math.exp(-z))


def _neighbour(model: IncidentModel, s: int, rng) -> int:
    """A service next to ``s`` in the graph: what a reader confuses it with."""
    near = model.sg.deps[s] + model.sg.rdeps[s]
    return int(near[int(rng.integers(len(near)))]) if near else s


def misunderstand(model: IncidentModel, c: Content, rng) -> Content:
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


def understand(model: IncidentModel, reader: Responder, c: Content, sender: int) -> None:
    """Update the reader's beliefs with what they understood."""
    reader._top = None  # beliefs_changed(), inlined: this runs for every message read
    s = c.service
    k = c.kind
    if k == "root":
        reader.status[s] = ROOT
        reader.suspicion[s] = max(reader.suspicion[s], 0.9)
        if c.detail is not None and c.detail >= 0:
            reader.fault_belief = c.detail
    elif k == "symptom":
        if reader.status[s] == ROOT:
            reader.fault_belief = -1  # the believed cause is ruled out, and its fault type with it
        reader.status[s] = SYMPTOM
        reader.suspicion[s] = min(reader.suspicion[s], 0.05)
        if c.detail is not None and c.detail >= 0:
            reader.suspicion[c.detail] = max(reader.suspicion[c.detail], 0.7)
    elif k == "healthy":
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
        if not ok:
            reader.learn_failure(s, remedy)
    elif k == "stuck":
        reader.remedy_belief[s] = "abandoned"
        reader.team_stuck = True
    elif k in ("status", "page"):
        if s >= 0:
            reader.suspicion[s] = max(reader.suspicion[s], 0.6)
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
            reader.suspicion[s] = max(reader.suspicion[s], 0.6)
            reader.assigned = s
        reader.claims[s] = c.detail


def read_inbox(model: IncidentModel, reader: Responder) -> list[tuple[int, bool]]:
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
        msg.reads.append((model.minute, reader.idx, misread, understood))
        understand(model, reader, understood, msg.sender)
        reader.messages_read += 1
        if misread:
            reader.messages_misread += 1
            model.counts["messages_misread"] += 1
        model.counts["messages_read"] += 1
        if reader.role == "commander" and msg.route == "dm" and understood.kind in IMPORTANCE:
            reader.relay_queue.append(understood)
        out.append((mid, misread))
    return out


def describe(model: IncidentModel, c: Content) -> str:
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
    if k == "external":
        return "external status update posted"
    if k == "ack":  # detail: (message id, what the acknowledger understood it to say)
        return f"got it: {describe(model, c.detail[1])}"
    if k == "question":
        return f"can you clarify: {describe(model, c.detail[1])}?"
    if k == "mistake":
        return f"my {c.detail} on {svc} didn't fix it; my mistake, I was wrong about it"
    return k
