"""Connective labor inside an incident: exchanges in which people see each other.

Why: in the seed texts relationships are not fixed. "Seeing and being seen"
is mutual and builds on itself (the connective-labor essay), and a mistake
owned openly draws people closer; Pugh (2021) describes how
systematization (scripts, speed-up) can crowd those exchanges out
("colliding intensification"). Three actions carry that labor (their
candidates and effects are in :mod:`jcs_sim.actions.connective`); this
module holds what they do to ties and to misreadings:

* ``acknowledge``: reflect back a message one has read ("you're saying X");
  may reveal a misreading, which the sender then repairs;
* ``clarify``: ask the sender a clarifying question; costs the sender a
  minute, always reveals a misreading;
* ``own_mistake``: say openly that one's own remediation failed or was on
  the wrong service.

Each raises familiarity for *both* people (:func:`adjust_tie` is the only
way ties change during a run). A misreading not repaired within
``repair_window`` minutes lowers trust for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .communication import Content, understand

if TYPE_CHECKING:
    from .responders import Responder
    from .view import IncidentView

__all__ = ["adjust_tie", "gain", "note_read", "repair", "expire_misreads", "understood_by", "tie_changes"]

ACKABLE = {"root", "symptom", "remedy_result", "remedy_start", "status", "assign", "stuck", "healthy"}


def adjust_tie(model: IncidentView, i: int, j: int, delta: float) -> None:
    """Change the familiarity of i and j by ``delta`` for both (ties are mutual), within 0-1."""
    if i == j or delta == 0.0:
        return
    w = min(1.0, max(0.0, model.fam[i][j] + delta))
    model.fam[i][j] = model.fam[j][i] = w
    model.ties_version += 1  # the coordination cost among the active depends on their ties
    model.familiarity[i, j] = model.familiarity[j, i] = w


def gain(model: IncidentView, i: int, j: int, amount: float) -> None:
    """A tie-building exchange: the gain shrinks as the tie nears 1, and with speed-up."""
    cc = model.cfg["connective"]
    adjust_tie(model, i, j, amount * (1.0 - cc["speedup"]) * (1.0 - model.fam[i][j]))


def note_read(model: IncidentView, reader: Responder, mid: int, misread: bool) -> None:
    """Remember a message just read, for acknowledging or clarifying it; start the repair clock."""
    msg = model.messages[mid]
    if msg.sender == reader.idx:
        return
    if msg.content.kind == "mistake":  # a mistake owned openly draws people closer
        gain(model, reader.idx, msg.sender, model.cfg["connective"]["own_mistake_gain"])
        return
    if msg.content.kind not in ACKABLE:
        return
    reader.recent.append((mid, model.minute, misread))
    if len(reader.recent) > model.cfg["connective"]["recent_max"]:
        del reader.recent[0]
    if misread:
        model.open_misreads[(reader.idx, mid)] = model.minute


def repair(model: IncidentView, reader: Responder, mid: int) -> None:
    """A misreading caught in an exchange: the reader now understands what was meant."""
    msg = model.messages[mid]
    understand(model, reader, msg.content, msg.sender, weighed=False)
    if model.open_misreads.pop((reader.idx, mid), None) is not None:
        model.counts["repairs"] += 1
        gain(model, reader.idx, msg.sender, model.cfg["connective"]["repair_gain"])
        model.events.append((model.minute, reader.name, f"repaired a misreading of {model.people[msg.sender].name}'s message"))


def expire_misreads(model: IncidentView) -> None:
    """Misreadings left unrepaired past the window cost trust, for both people."""
    window = model.cfg["connective"]["repair_window"]
    expired = [key for key, t in model.open_misreads.items() if model.minute - t > window]
    for reader, mid in expired:
        del model.open_misreads[(reader, mid)]
        model.counts["unrepaired_misreads"] += 1
        model.people[reader].unrepaired += 1
        model.people[model.messages[mid].sender].unrepaired += 1
        adjust_tie(model, reader, model.messages[mid].sender, -model.cfg["connective"]["unrepaired_loss"])


def understood_by(model: IncidentView, reader: int, mid: int) -> Content:
    """What ``reader`` understood message ``mid`` to say when they last read it (its content if never read)."""
    for _minute, who, _misread, understood in reversed(model.messages[mid].reads):
        if who == reader:
            return understood
    return model.messages[mid].content


def tie_changes(model: IncidentView) -> dict[str, float]:
    """Change in familiarity over the run: total, within teams and across teams (sums over pairs)."""
    total = within = across = 0.0
    people = model.people
    # Only the pairs whose tie changed, in the order of a loop over every pair (i < j): the others add
    # exactly 0, and a loop over all r^2/2 pairs would read every row of model.fam (made when first read).
    changed = np.argwhere(np.triu(model.familiarity != model.familiarity0, 1)).tolist()
    for i, j in changed:
        d = model.fam[i][j] - model.familiarity0[i, j]
        total += d
        if people[i].team and people[i].team == people[j].team:
            within += d
        else:
            across += d
    return {"tie_change_total": round(total, 6), "tie_change_within": round(within, 6), "tie_change_across": round(across, 6)}
