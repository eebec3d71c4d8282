"""The "what if this message had been read right?" of the classroom app: one misreading of the run on screen, replayed as meant.

Why a replay and not a guess: the model core can run the same config and
seed with one read understood as meant while every random draw stays as
drawn (``IncidentModel.read_as_meant``, see :mod:`jcs_sim.replay`). The two
runs are identical up to that read; whatever differs after it follows from
the reading alone, which is the point a class is meant to see.

Why here and not in the page: the comparison is plain data
(:class:`Comparison`) built from two finished runs, so it is tested without
a browser and its words (:func:`comparison_html`) are checked exactly. It is
computed once per click, server-side, never per frame: a replay of one run
costs well under a second of CPU. :func:`for_run` keeps, per run on screen,
the run as drawn to its end and every comparison asked for, so asking twice
costs nothing and asking about a second misreading costs one replay.
"""

from __future__ import annotations

import html
import re
import threading
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..replay import divergence, read_right_run
from .core import ACTIONS, describe
from .history import action_words

if TYPE_CHECKING:
    from ..model import IncidentModel

__all__ = ["Comparison", "read_right", "compare", "for_run", "comparison_html", "COUNTS", "KEY_EVENTS"]

# The counts a class reads in the comparison, in words, in the order shown (only those that changed are shown).
COUNTS = (
    ("bystander_escalations", "escalations over the team's head (to management)"),
    ("pages", "people paged"),
    ("remediations", "fixes tried"),
    ("remediations_wrong", "fixes of the wrong service"),
    ("harms", "fixes that made things worse"),
    ("messages_misread", "messages misread"),
    ("stakeholder_updates_wrong", "wrong updates to stakeholders"),
)
# Events that happened in one run and not the other, listed by name: the moments a class talks about.
KEY_EVENTS = ("escalated to management", "paged ")
_INTERRUPTED = re.compile(r" \((\d+) interrupted\)$")  # an escalation's "(4 interrupted)"
# The same counts in a few words, for the answer's one line of counts.
SHORT_COUNTS = {
    "escalations over the team's head (to management)": "escalations to management",
    "fixes of the wrong service": "fixes of the wrong service",
    "fixes that made things worse": "fixes that made it worse",
    "wrong updates to stakeholders": "wrong updates to stakeholders",
}
MAX_EVENTS = 4  # per side: more would not fit the panel; the counts say the rest


@dataclass(frozen=True)
class Comparison:
    """The run as drawn against the same run with one misreading read as meant.

    ``resolve_*`` are the minutes the incident was resolved (None: not by
    ``horizon``, the run's last minute). ``first_*`` say what each run did at
    ``diverged_at`` (None: the two runs are the same to the end).
    ``counts`` are (words, as drawn, read right) for the :data:`COUNTS` that
    changed; ``only_drawn`` / ``only_read_right`` are the :data:`KEY_EVENTS`
    (minute, words) that happened in one run only.
    """

    reader: str
    sender: str
    message: int
    read_minute: int
    meant: str
    understood: str
    horizon: int
    diverged_at: int | None
    first_drawn: tuple[str, ...]
    first_read_right: tuple[str, ...]
    resolve_drawn: int | None
    resolve_read_right: int | None
    counts: tuple[tuple[str, int, int], ...]
    only_drawn: tuple[tuple[int, str], ...]
    only_read_right: tuple[tuple[int, str], ...]


def _misread_at(drawn: Any, reader: int, message: int) -> tuple[int, Any]:
    """(minute, understood) of ``reader``'s misreading of ``message`` in ``drawn``, or a ValueError that says why not."""
    if not 0 <= message < len(drawn.messages):
        raise ValueError(f"message {message} does not exist in this run (0 to {len(drawn.messages) - 1}).")
    if not 0 <= reader < len(drawn.people):
        raise ValueError(f"responder {reader} is not on this run's roster.")
    for minute, who, misread, understood in drawn.messages[message].reads:
        if who == reader and misread:
            return minute, understood
    raise ValueError(f"{drawn.people[reader].name} did not misread message {message} in this run: nothing to read right.")


def read_right(cfg: dict[str, Any], seed: int, reader: int, message: int, drawn: Any = None) -> Comparison:
    """Replay ``cfg`` and ``seed`` with ``reader``'s misreading of ``message`` understood as meant, and compare.

    ``drawn``: the run as drawn, already run to its end with its decision
    trace (the app passes the finished run on screen); None runs it here.
    """
    from ..organisation import incident_model

    if drawn is None:
        drawn = incident_model(cfg, seed=seed, record_trace=True).run()  # an organisation file's people too, as read_right_run
    _misread_at(drawn, reader, message)  # a clear message before a replay that would change nothing
    return compare(drawn, read_right_run(cfg, seed, {(reader, message)}), reader, message)


def _choices(model: Any, minute: int) -> dict[str, str]:
    """What each responder chose at ``minute`` (from the decision trace), in words."""
    return {model.people[r[2]].name: action_words(model, ACTIONS[r[3]], r[4]) for r in model.trace if r[1] == minute and r[5]}


def _event_words(who: str, what: str) -> str:
    """One event as a sentence: a person's with their name first, the system's and the pager's alone."""
    what = _INTERRUPTED.sub(lambda g: f", interrupting {g.group(1)} {'person' if g.group(1) == '1' else 'people'}", what)
    return what if who in ("system", "alerting", "replay") else f"{who} {what}"


def _events_at(model: Any, minute: int) -> list[str]:
    return [_event_words(who, what) for m, who, what in model.events if m == minute]


def _first(a: Any, b: Any, minute: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What each run did at the first differing minute: its events if they differ, else the choices that differ.

    Why both: :func:`jcs_sim.replay.divergence` also counts a decision whose
    scores changed with its outcome the same; then the lines say so instead of
    showing two identical lists.
    """
    ea, eb = _events_at(a, minute), _events_at(b, minute)
    if ea != eb:
        return tuple(ea) or ("nothing of note happened",), tuple(eb) or ("nothing of note happened",)
    ca, cb = _choices(a, minute), _choices(b, minute)
    names = [n for n in dict.fromkeys([*ca, *cb]) if ca.get(n) != cb.get(n)]
    if names:
        return (
            tuple(f"{n} started {ca[n]}" if n in ca else f"{n} carried on with what they were doing" for n in names),
            tuple(f"{n} started {cb[n]}" if n in cb else f"{n} carried on with what they were doing" for n in names),
        )
    same = "everyone made the same choices, but weighed them differently (what someone believed had changed)"
    return (same,), (same,)


def _key(what: str) -> str:
    """An event's words without what varies with the moment ("(4 interrupted)"), so a moved event counts as the same."""
    return _INTERRUPTED.sub("", what)


def _key_events(model: Any, start: int) -> Counter:
    return Counter((who, _key(what)) for m, who, what in model.events if m >= start and any(k in what for k in KEY_EVENTS))


def _only(model: Any, start: int, missing: Counter) -> tuple[tuple[int, str], ...]:
    """The key events of ``model`` from ``start`` that the other run does not have (``missing``: their surplus)."""
    left = Counter(missing)
    out = []
    for m, who, what in model.events:
        if m >= start and left[(who, _key(what))] > 0:
            left[(who, _key(what))] -= 1
            out.append((m, _event_words(who, what)))
    return tuple(out)


def compare(drawn: Any, changed: Any, reader: int, message: int) -> Comparison:
    """:class:`Comparison` of two finished runs of the same config and seed (``changed`` read ``message`` right)."""
    minute, understood = _misread_at(drawn, reader, message)
    msg = drawn.messages[message]
    div = divergence(drawn, changed)
    first = _first(drawn, changed, div["minute"]) if div is not None else ((), ())
    start = div["minute"] if div is not None else drawn.minute + 1
    ea, eb = _key_events(drawn, start), _key_events(changed, start)
    return Comparison(
        reader=drawn.people[reader].name,
        sender=drawn.people[msg.sender].name,
        message=message,
        read_minute=minute,
        meant=describe(drawn, msg.content),
        understood=describe(drawn, understood),
        horizon=int(drawn.cfg["run"]["max_minutes"]),
        diverged_at=None if div is None else div["minute"],
        first_drawn=first[0],
        first_read_right=first[1],
        resolve_drawn=drawn.times["resolve"],
        resolve_read_right=changed.times["resolve"],
        counts=tuple((words, drawn.counts[k], changed.counts[k]) for k, words in COUNTS if drawn.counts[k] != changed.counts[k]),
        only_drawn=_only(drawn, start, ea - eb),
        only_read_right=_only(changed, start, eb - ea),
    )


# --------------------------------------------------------------------------
# Per run on screen: the run as drawn to its end, and the comparisons asked for
# --------------------------------------------------------------------------
class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()  # one replay at a time per run: a second click waits and finds the first's result
        self.drawn: Any = None
        self.done: dict[tuple[int, int], Comparison] = {}


_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # live model -> _Cache
_caches_lock = threading.Lock()


def _finished(model: Any) -> bool:
    return model.times["resolve"] is not None or model.minute >= model.cfg["run"]["max_minutes"]


def for_run(live: IncidentModel, reader: int, message: int) -> Comparison:
    """The comparison for a misreading of the run on screen (``live``), computed once and kept with the run.

    The run as drawn is ``live`` itself when it has finished; otherwise a copy
    of it (same config and seed) run to its end here, so the run on screen
    does not move.
    """
    with _caches_lock:
        cache = _caches.get(live)
        if cache is None:
            cache = _caches[live] = _Cache()
    with cache.lock:
        if (reader, message) not in cache.done:
            if cache.drawn is None and _finished(live):
                cache.drawn = live
            if cache.drawn is None:
                from ..organisation import incident_model

                cache.drawn = incident_model(live.cfg, seed=live.seed, record_trace=True).run()
            cache.done[(reader, message)] = read_right(live.cfg, live.seed, reader, message, drawn=cache.drawn)
        return cache.done[(reader, message)]


# --------------------------------------------------------------------------
# In words
# --------------------------------------------------------------------------
def _ttr(minute: int | None, horizon: int) -> str:
    return f"{minute} minutes" if minute is not None else f"not resolved by minute {horizon}"


def _outcome(c: Comparison) -> str:
    """One sentence on time to resolve, both ways."""
    a, b = c.resolve_drawn, c.resolve_read_right
    if a == b:
        return (
            f"Either way, the incident was resolved at minute {a}."
            if a is not None
            else f"Either way, the incident was not resolved by minute {c.horizon}, when the run stops."
        )
    if a is not None and b is not None:
        return f"Read right, resolved {abs(a - b)} minutes {'sooner' if b < a else 'later'} (minute {b} instead of {a})."
    if b is not None:
        return f"Read right, the incident was resolved at minute {b}; as it happened, it was not resolved by minute {c.horizon}, when the run stops."
    return f"Read right, the incident was not resolved by minute {c.horizon}; as it happened, it was resolved at minute {a}."


def _short_count(words: str) -> str:
    """A count's words without their explanation in brackets, for the one-line list of counts."""
    return SHORT_COUNTS.get(words, words)


def comparison_html(c: Comparison) -> str:
    """The comparison in plain words for a class (escaped HTML), the answer first.

    Order: the outcome in one sentence, the minute the runs part and what
    differed then, the moments that happened in one run only, the time to
    resolve and the counts that changed (one line: "as it happened → read
    right"), then the misreading itself and a hint.

    Why so compact (the lesson plan's walk-through at 1280x720): a table of
    counts and the sentences around it were 460-570 px tall in a 245 px box,
    so "did not happen when read right", the line a class talks about, was
    only seen by scrolling inside the box. The whole answer now fits at
    1280x720 in the room the channel gives up while it is shown; the
    method and its caveat are one line, in full in its tooltip.
    """
    e = html.escape
    out = [
        f'<p class="jcs-whatif-title"><b>What if {e(c.reader)} had read {e(c.sender)}\'s message {c.message} right?</b></p>',
        f'<p class="jcs-whatif-outcome"><b>{e(_outcome(c))}</b></p>',
    ]
    if c.diverged_at is None:
        out.append("<p>Nothing changed: the two runs are the same to the end (the reading did not change what anyone did).</p>")
    else:
        # What happened in both at that minute is left out, and so is what the lines below say (the moments of one run only).
        below = {w for m, w in (*c.only_drawn[:MAX_EVENTS], *c.only_read_right[:MAX_EVENTS]) if m == c.diverged_at}
        a = [x for x in c.first_drawn if x not in c.first_read_right]
        b = [x for x in c.first_read_right if x not in c.first_drawn]
        if c.first_drawn == c.first_read_right:
            both = f": {e('; '.join(c.first_drawn))}"
        elif set(a) | set(b) <= below:
            both = ""
        elif a:
            both = f": as it happened, {e('; '.join(a))}; read right, {e('; '.join(b) or 'that did not happen')}"
        else:
            both = f": read right, {e('; '.join(b))}; as it happened, that did not happen"
        out.append(
            f'<p class="jcs-whatif-diverged">Same until minute {c.diverged_at - 1}; first differ at <b>minute {c.diverged_at}</b>{both}.</p>'
        )
    for label, events, cls in (
        ("Did not happen when read right", c.only_drawn, "jcs-whatif-only-drawn"),
        ("Happened only when read right", c.only_read_right, "jcs-whatif-only-read-right"),
    ):
        if events:
            shown = "; ".join(f"minute {m}: {e(w)}" for m, w in events[:MAX_EVENTS])
            more = f" (and {len(events) - MAX_EVENTS} more)" if len(events) > MAX_EVENTS else ""
            out.append(f'<p class="{cls}"><b>{label}:</b> {shown}{more}.</p>')
    counts = "".join(
        f'<span class="jcs-whatif-count">; {e(_short_count(words))} <b>{a}</b> → <b>{b}</b></span>' for words, a, b in c.counts
    )
    out.append(
        '<p class="jcs-whatif-counts" data-testid="whatif-times">'
        f"<i>As it happened → read right:</i> time to resolve <b>{e(_ttr(c.resolve_drawn, c.horizon))}</b> → "
        f"<b>{e(_ttr(c.resolve_read_right, c.horizon))}</b>{counts}.</p>"
    )
    out.append(
        f'<p class="jcs-whatif-read">At minute {c.read_minute} {e(c.reader)} understood <i>{e(c.understood)}</i>; {e(c.sender)} meant <i>{e(c.meant)}</i>.</p>'
    )
    out.append(
        '<p class="jcs-hint" title="The run was replayed with this one message understood as meant: same settings, same seed, '
        "the same dice for everything else. After the first difference everything happens a little differently, so reading right "
        'can make a run slower as well as faster.">One replay, one story: only this read changed (same seed, same dice).</p>'
    )
    return "\n".join(out)
