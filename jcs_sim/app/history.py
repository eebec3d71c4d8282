"""Looking back: the run as it was at any past minute, and the moments worth jumping to.

Why snapshots in the app and not a replay: the model keeps only its present
state (who is doing what, ties, symptoms) and an append-only record of
messages, reads, events and decisions. A replay from the seed to minute t
would cost t steps per look; a snapshot of the few fields the pictures read
costs a few kilobytes per minute. :class:`PastView` puts a snapshot in front
of the live model, so the same drawing functions draw the past: whatever is
not in the snapshot (messages, reads, the decision trace) is the model's
record, cut at that minute.

The moments (misreadings, pages, wrong fixes, diagnoses) are read from the
model's public record: ``messages`` and their ``reads``, ``events``, and
the ``counts`` kept in the snapshots (a wrong fix is the model's own
``remediations_wrong``: a failed remediation of a service that is not the
root cause, at the minute it finished).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .core import ACTIONS, describe

if TYPE_CHECKING:
    from ..model import IncidentModel

__all__ = [
    "PersonAt",
    "Snapshot",
    "snapshot",
    "PastView",
    "moments",
    "MOMENT_KINDS",
    "beliefs_html",
    "neighbour",
    "aftermath",
    "aftermath_html",
    "action_words",
    "Diagnosis",
    "diagnosis",
]

# What a class can jump between, in the order the buttons show them.
MOMENT_KINDS = ("misreading", "page", "wrong fix", "diagnosis")


@dataclass(frozen=True)
class PersonAt:
    """What the pictures read of one responder, as it was at one minute."""

    idx: int
    name: str
    role: str
    team: str
    state: str
    asleep: bool
    action: tuple[str, Any]
    fatigue: float
    messages_sent: int
    messages_read: int
    messages_misread: int
    examined: tuple[int, ...]
    knowledge: tuple[float, ...]
    top_suspect: int  # -1: no suspect yet
    suspicion: float


@dataclass(frozen=True)
class SystemAt:
    """The services' state at one minute (what the status line and the service graph read)."""

    symptomatic: Any  # a numpy bool array, copied
    n_symptomatic: int
    severity: int
    user_impact: bool


@dataclass(frozen=True)
class Snapshot:
    minute: int
    clock_hour: float
    people: tuple[PersonAt, ...]
    fam: tuple[tuple[float, ...], ...]
    system: SystemAt
    counts: dict[str, int]


def _same(new: tuple, old: tuple | None) -> tuple:
    """``old`` when it holds the same values: minutes that change nothing share one copy (a long run stays small)."""
    return old if old is not None and old == new else new


def snapshot(model: IncidentModel, previous: Snapshot | None = None) -> Snapshot:
    """The fields the pictures read, copied now (lists and arrays change in place as the model steps).

    ``previous``: the snapshot of the minute before; unchanged tuples
    (knowledge, examined services, ties) are shared with it.
    """
    people = []
    before = {q.idx: q for q in previous.people} if previous is not None else {}
    for p in model.people:
        top = p.top_suspects()
        first = int(top[0]) if top else -1
        old = before.get(p.idx)
        people.append(
            PersonAt(
                idx=p.idx,
                name=p.name,
                role=p.role,
                team=p.team,
                state=p.state,
                asleep=bool(p.asleep),
                action=tuple(p.action),
                fatigue=float(p.fatigue),
                messages_sent=p.messages_sent,
                messages_read=p.messages_read,
                messages_misread=p.messages_misread,
                examined=_same(tuple(int(k) for k in p.examined), old.examined if old else None),
                knowledge=_same(tuple(float(k) for k in p.knowledge), old.knowledge if old else None),
                top_suspect=first,
                suspicion=float(p.suspicion[first]) if first >= 0 else 0.0,
            )
        )
    sys = model.system
    return Snapshot(
        minute=model.minute,
        clock_hour=float(model.clock_hour),
        people=tuple(people),
        fam=_same(tuple(tuple(float(w) for w in row) for row in model.fam), previous.fam if previous is not None else None),
        system=SystemAt(sys.symptomatic.copy(), int(sys.n_symptomatic), int(sys.severity), bool(sys.user_impact)),
        counts=dict(model.counts),
    )


class _MessageAt:
    """A message with only the reads made up to a minute (the rest had not happened yet)."""

    __slots__ = ("_msg", "reads")

    def __init__(self, msg: Any, minute: int) -> None:
        self._msg = msg
        self.reads = [r for r in msg.reads if r[0] <= minute]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._msg, name)


class PastView:
    """The live model seen at a past minute: the snapshot's fields, the model's record cut at that minute.

    Everything else (the service graph, the fault, the config, the seed) is
    the live model's, which does not change during a run.
    """

    def __init__(self, model: IncidentModel, snap: Snapshot) -> None:
        self.live = model
        self.minute = snap.minute
        self.clock_hour = snap.clock_hour
        self.people = list(snap.people)
        self.fam = snap.fam
        self.system = snap.system
        self.counts = snap.counts
        self.running = True
        self.messages = [_MessageAt(m, snap.minute) for m in model.messages if m.minute <= snap.minute]
        self.timeline = [r for r in model.timeline if r[0] <= snap.minute]
        self.trace = [r for r in model.trace if r[1] <= snap.minute]
        self.times = {k: (v if v is not None and v <= snap.minute else None) for k, v in model.times.items()}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.live, name)


def moments(model: IncidentModel) -> dict[str, list[int]]:
    """Minutes of each kind of moment so far (sorted, without repeats)."""
    out: dict[str, set[int]] = {k: set() for k in MOMENT_KINDS}
    for msg in model.messages:
        if msg.route == "page":
            out["page"].add(msg.minute)
        for read_minute, _reader, misread, _understood in msg.reads:
            if misread:
                out["misreading"].add(read_minute)
    for minute, _who, text in model.events:
        if text.startswith("concluded:") and "root cause" in text:
            out["diagnosis"].add(minute)
    # A wrong fix as the model counts it (a remediation of a service other than the root that failed), at the
    # minute it finished: where the count in the snapshots goes up.
    snaps = getattr(model, "history", [])
    for before, after in zip(snaps, snaps[1:], strict=False):
        if after.counts.get("remediations_wrong", 0) > before.counts.get("remediations_wrong", 0):
            out["wrong fix"].add(after.minute)
    return {k: sorted(v) for k, v in out.items()}


@dataclass(frozen=True)
class Diagnosis:
    """Who first concluded the true root cause, when, and when (if ever) they told anyone.

    Why the page needs it (issue 13): the diagnosis is a milestone, but the
    person who made it may post nothing for a long time, so "who found it?"
    could not be answered from the channel.
    """

    name: str
    minute: int
    shared_at: int | None  # the first message of theirs carrying the root cause (None: not yet)


def diagnosis(model: IncidentModel) -> Diagnosis | None:
    """The run's diagnosis so far (see :class:`Diagnosis`), or None before it."""
    at = model.times.get("diagnose")
    if at is None:
        return None
    causes = {model.sg.names[c] for c in model.fault.causes}
    who = next(
        (
            w
            for m, w, text in model.events
            if m == at and text.startswith("concluded: ") and text[11:].split(" is the root cause")[0] in causes
        ),
        None,
    )
    if who is None:
        return None
    idx = next((p.idx for p in model.people if p.name == who), None)
    shared = next(
        (
            m.minute
            for m in model.messages
            if m.sender == idx and m.minute >= at and m.content.kind == "root" and m.content.service in model.fault.causes
        ),
        None,
    )
    return Diagnosis(who, at, shared)


def neighbour(minutes: list[int], at: int, forward: bool) -> int | None:
    """The next (or previous) minute in ``minutes`` after (before) ``at``; None when there is none."""
    if forward:
        return next((t for t in minutes if t > at), None)
    return next((t for t in reversed(minutes) if t < at), None)


def beliefs_html(view: Any, plain: bool = False) -> str:
    """One line: each active responder's main suspect at the end of the view's minute (escaped; ``plain``: text without tags).

    Why "at the end": the Why? panel shows what someone had as they decided, earlier in the minute; a message
    read by that decision moves their beliefs after it, and the two must not read as a contradiction.

    Why grouped by suspect ("Ana, Ben, Kofi suspect payments-core2"): one
    clause per person wrapped to a second and third line with six or more
    responders, and the page's header then pushed the network's legend below
    a 1280x720 screen. The page shows the line on one line, cut with an
    ellipsis if it must be, and the whole of it as its tooltip.
    """
    names = view.sg.names
    groups: dict[int, list[str]] = {}
    for p in view.people:
        if p.state != "active":
            continue
        top = p.top_suspect if isinstance(p, PersonAt) else (p.top_suspects() or [-1])[0]
        if top is None or top < 0:
            continue
        groups.setdefault(top, []).append(p.name)
    b = (lambda t: t) if plain else (lambda t: f"<b>{t}</b>")
    e = (lambda t: t) if plain else html.escape
    parts = [
        f"{', '.join(b(e(n)) for n in who)} {'suspects' if len(who) == 1 else 'suspect'} {e(names[top])}"
        for top, who in sorted(groups.items(), key=lambda kv: -len(kv[1]))  # the most shared suspect first
    ]
    return "Beliefs at the end of the minute: " + ("; ".join(parts) if parts else "nobody active has a suspect yet") + "."


AFTER = 3  # decisions shown after a misreading


def action_words(model: Any, action: str, target: int) -> str:
    """What a decision chose, in words ("investigating edge-core2"); also used by :mod:`jcs_sim.app.counterfactual`."""
    from .components import PERSON_TARGETS, VERBS

    verb = VERBS.get(action, action.replace("_", " ")) or action
    if target is None or target < 0:
        return verb
    if action in PERSON_TARGETS and target < len(model.people):
        return f"{verb} {model.people[target].name}"
    return f"{verb} {model.sg.names[target]}" if target < model.sg.n else verb


def aftermath(model: IncidentModel, minute: int) -> list[dict[str, Any]]:
    """Each misreading at ``minute``: who misread whom, meant and understood, and the reader's next decisions.

    "Next" is what the reader chose from that minute on (their first
    :data:`AFTER` decisions), read from the decision trace: the choices made
    while believing what they understood, not a claim that the misreading
    alone caused them.
    """
    out = []
    for msg in model.messages:
        if msg.minute > minute:
            break
        for read_minute, reader, misread, understood in msg.reads:
            if not misread or read_minute != minute:
                continue
            nxt = []
            for r in model.trace:
                if r[2] == reader and r[5] and r[1] >= minute:
                    nxt.append((r[1], action_words(model, ACTIONS[r[3]], r[4])))
                    if len(nxt) == AFTER:
                        break
            out.append(
                {
                    "reader": model.people[reader].name,
                    "sender": model.people[msg.sender].name,
                    "message": msg.id,
                    "meant": describe(model, msg.content),
                    "understood": describe(model, understood),
                    "next": nxt,
                }
            )
    return out


def aftermath_html(model: IncidentModel, minute: int) -> str:
    """:func:`aftermath` as one escaped sentence per misreading (empty when none happened at ``minute``)."""
    e = html.escape
    parts = []
    for a in aftermath(model, minute):
        did = "; ".join(f"minute {t}: {e(w)}" for t, w in a["next"]) or "nothing yet"
        parts.append(
            f'<span class="jcs-aftermath"><b>{e(a["reader"])}</b> misread {e(a["sender"])}: meant <i>{e(a["meant"])}</i>, '
            f"understood <i>{e(a['understood'])}</i>. What {e(a['reader'])} did next: {did}.</span>"
        )
    return " ".join(parts)
