"""Connective labor inside an incident: exchanges in which people see each other.

Why: in the seed texts relationships are not fixed. "Seeing and being seen"
is mutual and builds on itself (the connective-labor essay), and a mistake
owned openly draws people closer; Pugh (2021) describes how
systematization (scripts, speed-up) can crowd those exchanges out
("colliding intensification"). Here three actions carry that labor:

* ``acknowledge``: reflect back a message one has read ("you're saying X");
  may reveal a misreading, which the sender then repairs;
* ``clarify``: ask the sender a clarifying question; costs the sender a
  minute, always reveals a misreading;
* ``own_mistake``: say openly that one's own remediation failed or was on
  the wrong service.

They are candidates of g like any other, with a time cost and a named
'connection' component, so under time pressure or speed-up they can lose.
Each raises familiarity for *both* people (:func:`adjust_tie` is the only
way ties change during a run). A misreading not repaired within
``repair_window`` minutes lowers trust for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .communication import IMPORTANCE, Content, understand

if TYPE_CHECKING:
    from .model import IncidentModel
    from .responders import Responder

__all__ = ["adjust_tie", "connective_candidates", "execute", "note_read", "expire_misreads", "tie_changes"]

ACKABLE = {"root", "symptom", "remedy_result", "remedy_start", "status", "assign", "stuck", "healthy"}
RECENT_MINUTES = 15


def adjust_tie(model: IncidentModel, i: int, j: int, delta: float) -> None:
    """Change the familiarity of i and j by ``delta`` for both (ties are mutual), within 0-1."""
    if i == j or delta == 0.0:
        return
    w = min(1.0, max(0.0, model.fam[i][j] + delta))
    model.fam[i][j] = model.fam[j][i] = w
    model.familiarity[i, j] = model.familiarity[j, i] = w


def _gain(model: IncidentModel, i: int, j: int, gain: float) -> None:
    """A tie-building exchange: the gain shrinks as the tie nears 1, and with speed-up."""
    cc = model.cfg["connective"]
    adjust_tie(model, i, j, gain * (1.0 - cc["speedup"]) * (1.0 - model.fam[i][j]))


def note_read(model: IncidentModel, reader: Responder, mid: int, misread: bool) -> None:
    """Remember a message just read, for acknowledging or clarifying it; start the repair clock."""
    msg = model.messages[mid]
    if msg.sender == reader.idx:
        return
    if msg.content.kind == "mistake":  # a mistake owned openly draws people closer
        _gain(model, reader.idx, msg.sender, model.cfg["connective"]["own_mistake_gain"])
        return
    if msg.content.kind not in ACKABLE:
        return
    reader.recent.append((mid, model.minute, misread))
    if len(reader.recent) > 5:
        del reader.recent[0]
    if misread:
        model.open_misreads[(reader.idx, mid)] = model.minute


def _repair(model: IncidentModel, reader: Responder, mid: int) -> None:
    """A misreading caught in an exchange: the reader now understands what was meant."""
    msg = model.messages[mid]
    understand(model, reader, msg.content, msg.sender)
    if model.open_misreads.pop((reader.idx, mid), None) is not None:
        model.counts["repairs"] += 1
        _gain(model, reader.idx, msg.sender, model.cfg["connective"]["repair_gain"])
        model.events.append((model.minute, reader.name, f"repaired a misreading of {model.people[msg.sender].name}'s message"))


def expire_misreads(model: IncidentModel) -> None:
    """Misreadings left unrepaired past the window cost trust, for both people."""
    window = model.cfg["connective"]["repair_window"]
    expired = [key for key, t in model.open_misreads.items() if model.minute - t > window]
    for reader, mid in expired:
        del model.open_misreads[(reader, mid)]
        model.counts["unrepaired_misreads"] += 1
        model.people[reader].unrepaired += 1
        model.people[model.messages[mid].sender].unrepaired += 1
        adjust_tie(model, reader, model.messages[mid].sender, -model.cfg["connective"]["unrepaired_loss"])


def _connection_value(model: IncidentModel) -> float:
    cfg = model.cfg
    crowd = cfg["connective"]["template_crowding"] if cfg["communication"]["structured_updates"] else 0.0
    return 0.5 * (1.0 - crowd) * (1.0 - cfg["connective"]["speedup"])


def connective_candidates(model: IncidentModel, r: Responder, out: list, pressure: float, write: float) -> None:
    """Append the connective actions open to ``r`` (components in goodness.COMPONENTS order)."""
    cc = model.cfg["connective"]
    conn = _connection_value(model)
    hurry = -(0.3 + cc["speedup"]) * pressure  # exchanges feel like a delay under pressure
    fam = model.fam[r.idx]
    recent = [x for x in r.recent if model.minute - x[1] <= RECENT_MINUTES]
    r.recent = recent
    if recent:
        # Reflect back the most important recent message; ask about the least clear one.
        mid, _, _ = max(recent, key=lambda x: IMPORTANCE.get(model.messages[x[0]].content.kind, 0.2))
        msg = model.messages[mid]
        unf = 1.0 - fam[msg.sender]
        imp = IMPORTANCE.get(msg.content.kind, 0.2)
        ack_minutes = cc["ack_minutes"] * (1.0 - 0.5 * cc["speedup"]) * r.slowdown() * model.coord_factor
        out.append(("acknowledge", msg.sender, mid, (0.3 * imp * unf, hurry, -ack_minutes / 10, 0.0, 0.0, 0.0, 0.0, 0.0, conn * unf)))
        mid, _, _ = min(recent, key=lambda x: model.messages[x[0]].clarity * fam[model.messages[x[0]].sender])
        msg = model.messages[mid]
        doubt = 1.0 - msg.clarity * fam[msg.sender]
        imp = IMPORTANCE.get(msg.content.kind, 0.2)
        social = -0.3 * (1.0 - fam[msg.sender])  # asking a stranger a question is a small imposition
        out.append(
            (
                "clarify",
                msg.sender,
                mid,
                (0.6 * imp * doubt, hurry, -write / 10, social, 0.0, 0.0, 0.0, 0.0, 1.2 * conn * (1.0 - fam[msg.sender])),
            )
        )
    if r.own_failures and model.n_active > 1:
        unf = sum(1.0 - fam[j] for j in model.active_idx if j != r.idx) / (model.n_active - 1)
        s = r.own_failures[-1]
        out.append(("own_mistake", s[0], s, (0.2, hurry, -write / 10, 0.0, 0.0, 0.0, 0.0, 0.0, 0.8 * conn * unf)))


def execute(model: IncidentModel, r: Responder, action: str, target: int, detail: object) -> float:
    """Carry out a connective action; return its duration in minutes."""
    cc = model.cfg["connective"]
    model.counts["connective_acts"] += 1
    if action == "own_mistake":
        r.own_failures.remove(detail)
        service, remedy = detail
        model._send(r, Content("mistake", service, remedy))
        return model._write_minutes(r)
    mid = detail
    r.recent = [x for x in r.recent if x[0] != mid]
    misread = (r.idx, mid) in model.open_misreads
    sender = model.people[target]
    # What the reader took the message to mean: an acknowledgement reflects it back, a question asks about it,
    # so a misreading shows in the words the sender sees (and can be caught there).
    understood = _understood(model, r.idx, mid)
    if action == "acknowledge":
        model._send(r, Content("ack", model.messages[mid].content.service, (mid, understood)), route_override=("dm", (target,)))
        _gain(model, r.idx, target, cc["ack_gain"])
        if misread and r.read_rng.random() < cc["reveal_prob"]:
            _repair(model, r, mid)
        return cc["ack_minutes"] * (1.0 - 0.5 * cc["speedup"]) * r.slowdown() * model.coord_factor
    # clarify: the sender spends a minute answering, whatever they were doing.
    model._send(r, Content("question", model.messages[mid].content.service, (mid, understood)), route_override=("dm", (target,)))
    if sender.state == "active":
        sender.busy_until = max(sender.busy_until, model.minute) + 1
    _gain(model, r.idx, target, cc["clarify_gain"])
    if misread:
        _repair(model, r, mid)
    return model._write_minutes(r)


def _understood(model: IncidentModel, reader: int, mid: int) -> Content:
    """What ``reader`` understood message ``mid`` to say when they last read it (its content if never read)."""
    for _minute, who, _misread, understood in reversed(model.messages[mid].reads):
        if who == reader:
            return understood
    return model.messages[mid].content


def tie_changes(model: IncidentModel) -> dict[str, float]:
    """Change in familiarity over the run: total, within teams and across teams (sums over pairs)."""
    total = within = across = 0.0
    people = model.people
    for i in range(len(people)):
        for j in range(i + 1, len(people)):
            d = model.fam[i][j] - model.familiarity0[i, j]
            total += d
            if people[i].team and people[i].team == people[j].team:
                within += d
            else:
                across += d
    return {"tie_change_total": round(total, 6), "tie_change_within": round(within, 6), "tie_change_across": round(across, 6)}
