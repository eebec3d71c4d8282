"""The incident channel as a chat log, and the rows the "why?" panel explains.

Why here and not in :mod:`jcs_sim.results`: these are views for a page
that redraws every minute (only the last messages, only one decision's
trace rows), built from the same pieces: :func:`jcs_sim.communication.describe`
for words and :func:`jcs_sim.results.trace_table` for the decision trace.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from ..parameters import FAULT_TYPES
from .components import ROUTE_COLOURS
from .core import describe, trace_table

if TYPE_CHECKING:
    from ..model import IncidentModel

__all__ = ["chat_rows", "chat_html", "quiet_note", "decision_rows"]


def chat_rows(model: IncidentModel, last: int = 80) -> list[dict[str, Any]]:
    """The last ``last`` messages in time order: minute, sender, route, text, and every misreading of it."""
    people = model.people
    rows = []
    for msg in model.messages[-last:]:
        to = [people[j].name for j in msg.recipients if j < len(people)]
        if msg.route == "channel":
            route = "to the channel"
        elif msg.route == "external":
            route = "external status page"
        else:
            route = f"{'page' if msg.route == 'page' else 'DM'} to {', '.join(to) or 'nobody'}"
        misreads = [
            {"reader": people[reader].name, "reader_idx": reader, "minute": m, "understood": describe(model, understood)}
            for m, reader, misread, understood in msg.reads
            if misread
        ]
        rows.append(
            {
                "id": msg.id,
                "minute": msg.minute,
                "sender": people[msg.sender].name,
                "role": people[msg.sender].role,
                "route": msg.route,
                "route_text": route,
                "text": describe(model, msg.content),
                "misreads": misreads,
            }
        )
    return rows


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def quiet_note(model: IncidentModel) -> str:
    """What the empty channel means at this minute: whether the incident is noticed yet, who was paged, who joined.

    Why: the alert's pages are not channel messages, so at minute 0 the
    channel is empty although the first pages have gone out; the first
    message may come half an hour later.
    """
    detect = model.times["detect"]
    if detect is None:
        return (
            f"No messages yet. Minute {model.minute}: nobody has noticed the incident, so nobody has been paged. "
            "Step the model: the on-call is paged when the monitoring or a customer report notices it."
        )
    # By state, not paged_at: a look back (history.PastView) keeps only each person's state at that minute.
    paged = [p for p in model.people if p.state != "off"]
    how = getattr(getattr(model, "monitor", None), "how", "") or "alert"
    said = f"No messages yet. Minute {model.minute}: "
    if not paged:
        return f"{said}the incident was detected at minute {detect} ({how}); nobody has been paged or written in the channel yet."
    said += f"the {how} at minute {detect} paged {_names([f'{p.name} ({p.role})' for p in paged])}"
    joined = [p.name for p in paged if p.state in ("active", "left")]
    if joined:
        return f"{said}; {_names(joined)} {'has' if len(joined) == 1 else 'have'} joined, but nobody has written in the channel yet."
    return f"{said}; nobody has written in the channel yet."


def chat_html(rows: list[dict[str, Any]], total: int, what_if: bool = False, empty: str = "No messages yet.") -> str:
    """The chat log as HTML (escaped), one line per message. Newest last; the page keeps it scrolled to the bottom.

    ``what_if``: a "What if read right?" button after each misreading, which
    names the reader and the message (``data-reader``, ``data-message``) for
    the page's click handler (:class:`~jcs_sim.app.widgets.ChatView`). Each
    misreading's line names its minute (``data-minute``): a click on it goes
    back to that minute, where the page says what the reader did next.
    ``empty``: what to say while there is no message (:func:`quiet_note`).
    """
    if not rows:
        return f'<div class="jcs-chat-empty">{html.escape(empty)}</div>'
    out = []
    if total > len(rows):
        out.append(f'<div class="jcs-chat-more">... {total - len(rows)} earlier messages</div>')
    for r in rows:
        cls = "jcs-msg jcs-misread" if r["misreads"] else "jcs-msg"
        colour = ROUTE_COLOURS.get(r["route"], "#333")
        line = (
            f'<div class="{cls}" data-msg="{r["id"]}"><span class="jcs-min">{r["minute"]:>3}</span> '
            f'<b>{html.escape(r["sender"])}</b> <span class="jcs-role">{html.escape(r["role"])}</span> '
            f'<span class="jcs-route" style="color:{colour}">{html.escape(r["route_text"])}</span>'
            f'<div class="jcs-text">{html.escape(r["text"])}</div>'
        )
        for m in r["misreads"]:
            line += (
                f'<div class="jcs-understood" data-minute="{int(m["minute"])}" title="Click: go back to minute {int(m["minute"])} and see what '
                f'{html.escape(m["reader"])} did next">⚠ {html.escape(m["reader"])} (minute {m["minute"]}) understood as: '
                f"<i>{html.escape(m['understood'])}</i>{_read_right_button(r['id'], m) if what_if else ''}</div>"
            )
        out.append(line + "</div>")
    return "\n".join(out)


def _read_right_button(message: int, misread: dict[str, Any]) -> str:
    """Short markup: the channel is sent again every minute, with a button per misreading in view."""
    return f'<button class="jcs-readright" data-reader="{int(misread["reader_idx"])}" data-message="{int(message)}">What if read right?</button>'


# --------------------------------------------------------------------------
# The "why?" panel
# --------------------------------------------------------------------------
class _TraceSlice:
    """The model seen through a few of its trace rows, so results.trace_table builds only those."""

    def __init__(self, model: IncidentModel, rows: list[tuple]) -> None:
        self._model = model
        self.trace = rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def decision_rows(model: IncidentModel, responder: int, minute: int) -> tuple[list[dict], str]:
    """The candidate rows (as ``trace_table(...).to_pylist()``) of ``responder``'s decision at or before ``minute``.

    Returns the rows and a note (empty, or why this is not a decision taken
    exactly at ``minute``). No rows: the responder had not decided yet.
    """
    mine = [r for r in model.trace if r[2] == responder]
    if not mine:
        return [], ""
    before = [r for r in mine if r[1] <= minute]
    note = ""
    if not before:
        first = mine[0][1]
        note = f"No decision at or before minute {minute}; the first was at minute {first}."
        d = mine[0][0]
    else:
        d = before[-1][0]
        at = before[-1][1]
        if at != minute:
            note = f"No decision at minute {minute}: they were busy with what they chose at minute {at}."
    rows = [r for r in mine if r[0] == d]
    out = trace_table(_TraceSlice(model, rows)).to_pylist()
    _name_remedies(model, out)
    return out, note


def _name_remedies(model: IncidentModel, rows: list[dict]) -> None:
    """Set ``row["remedy"]`` (rollback, restart...) on one decision's remediate rows, when it can be told for sure.

    Why: the trace keeps a candidate's action and service, not which remedy
    it was, and the big incident's Why? listed "remediate payments-core2"
    seven times. The remedies a responder weighs on their top suspect are one
    of the action's fixed lists, in its order (an untested restart; those
    fitting the fault type they believe in; all of them when they do not
    know it): the one whose length matches the rows names them. No list, or
    two different ones, matching: the rows stay unnamed.
    """
    rem = [r for r in rows if r["action"] == "remediate"]
    action = next((a for a in getattr(model, "actions", ()) if getattr(a, "name", "") == "remediate"), None)
    if not rem or action is None:
        return
    try:
        lists = [action._untested, action._unknown_type]
        belief = rem[0]["fault_belief"]
        if belief in FAULT_TYPES:
            lists.append(action._by_belief[FAULT_TYPES.index(belief)])
        names = {tuple(o[0] for o in options) for options in lists if len(options) == len(rem)}
    except (AttributeError, IndexError, TypeError):
        return
    if len(names) == 1:
        for row, remedy in zip(rem, next(iter(names)), strict=True):
            row["remedy"] = remedy
