"""The "Why?" panel: one decision in plain words, and a timeline of a responder's decisions to pick it from.

Why not :func:`jcs_sim.explain.explain_decision` (the CLI's text): a class
reads the panel aloud from a projector. "Scored higher on risk (+0.83)" was
read backwards (the chosen action was the *less* risky one), and a decision
the random term settled looked like a reasoned one. Here every comparison
says which way it went ("it was less risky"), the noise term is named when
it decided, and every candidate can be opened to its component-by-component
numbers. Components are contributions to the score (higher is better for
that action), so a positive difference always favours the chosen action.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from ..reasons import NEAR, WORDS, comparison, label, sentence
from .components import FONT, base_layout, trace
from .core import ACTIONS

if TYPE_CHECKING:
    from ..model import IncidentModel

__all__ = [
    "WORDS",
    "decision_points",
    "explain_html",
    "option_label",
    "comparison",
    "timeline_spec",
    "timeline_figure",
    "NEAR",
    "MAX_OPTIONS",
]

MAX_OPTIONS = 12  # other options listed at once (two columns of six lines): more go behind "+k more"


def explain_html(rows: list[dict[str, Any]], minute_clock: str = "") -> str:
    """One decision (its candidate rows, as ``trace_table`` gives them) as HTML, escaped.

    Every other candidate is a ``<details>`` element: a short line (what,
    how far behind) that opens to its reason in words and the
    component-by-component numbers.

    Why so compact (issue 13): at 1280x720 the panel has about 330 px below
    the timeline, and the old layout (every reason spelled out, the context
    on three lines) was about 800 px tall, so a class scrolled to find the
    option they were asked about. The options now sit in two columns of one
    line each; opening one shows it alone (the page's CSS hides the others
    and the context while one is open). A line's label is cut with an
    ellipsis if it must be, never how far behind it is; a remediation names
    its remedy when :func:`jcs_sim.app.channel.decision_rows` could tell it
    ("rollback on payments-core2"); past :data:`MAX_OPTIONS` the furthest
    behind are under "+k more" (the big incident had 18, taller than the panel).
    """
    rows = sorted(rows, key=lambda r: -r["g"])
    chosen = next(r for r in rows if r["chosen"])
    others = [r for r in rows if not r["chosen"]]
    c = chosen
    e = html.escape
    when = f"Minute {c['minute']}" + (f" ({e(minute_clock)})" if minute_clock else "")
    out = [
        f'<p class="jcs-why-head">{when}: <b>{e(c["responder"])}</b> ({e(c["responder_role"])}) chose to '
        f'<b class="jcs-why-chosen">{e(option_label(c))}</b>.</p>'
    ]
    context = [
        f'<span title="0 rested, 1 exhausted">tiredness {c["fatigue"]:.2f}</span>',
        f"time pressure {c['pressure']:.2f}",
        f"{c['unread']} unread",
    ]
    belief = f"main suspect {e(c['top_suspect'])} ({c['top_suspicion']:.2f})"
    if c["fault_belief"]:
        belief += f", believed a {e(c['fault_belief'].replace('_', ' '))} fault"
    if c["believes_team_stuck"]:
        belief += ", believed nobody was fixing anything"
    # As they decided: what they read or concluded after it (later in the same minute) is not in it, so it can
    # differ from the look-back's beliefs, which are those at the end of the minute.
    out.append(f'<p class="jcs-why-context">What they had as they decided: {", ".join(context)}; {belief}.</p>')
    cmps = [{**comparison(c, o), "label": option_label(o)} for o in others]
    decided = [x for x in cmps if x["noise_decided"]]
    if decided:
        best = min(decided, key=lambda x: x["gap_without_noise"])
        out.append(
            f'<p class="jcs-why-noise" data-testid="noise-decided">Noise decided this one: without the random part of the score, '
            f"<b>{e(best['label'])}</b> would have won (by {-best['gap_without_noise']:.2f}).</p>"
        )
    elif cmps:
        close = cmps[0]
        how = "a close call" if close["gap"] < 0.1 else "a clear choice"
        out.append(
            f'<p class="jcs-why-margin">{how.capitalize()}: {close["gap"]:.2f} ahead of the next option; the random part did not decide it.</p>'
        )
    if not cmps:
        out.append('<p class="jcs-why-margin">It was their only option.</p>')
    else:
        out.append(f'<p class="jcs-why-others">Rather than the other {len(cmps)} options (how far behind; click one for why):</p>')
        out.append('<div class="jcs-why-options">')
        # The closest first; past MAX_OPTIONS (the big incident had 18, taller than the panel), the rest behind "+k more".
        shown = cmps if len(cmps) <= MAX_OPTIONS else cmps[: MAX_OPTIONS - 1]
        out += [_option_html(x) for x in shown]
        if len(shown) < len(cmps):
            rest = cmps[len(shown) :]
            out.append(
                f'<details class="jcs-why-more"><summary>+{len(rest)} more</summary>{"".join(_option_html(x) for x in rest)}</details>'
            )
        out.append("</div>")
    return "\n".join(out)


def option_label(row: dict[str, Any]) -> str:
    """An option in words: as :func:`jcs_sim.reasons.label`, with a remedy's kind when known ("rollback on payments-core2")."""
    remedy = row.get("remedy")
    if row["action"] == "remediate" and remedy:
        return f"{remedy.replace('_', ' ')} on {row['target']}".strip()
    return label(row)


def _option_html(x: dict[str, Any]) -> str:
    """One other option: a line (its label, cut with an ellipsis if it must be, then how far behind, never cut) that opens to why."""
    e = html.escape
    tag = " jcs-why-noisy" if x["noise_decided"] else ""
    table = "".join(
        f"<tr><td>{e(comp.replace('_', ' '))}</td><td>{d:+.2f}</td><td>{e(_direction(comp, d))}</td></tr>"
        for comp, d in sorted(x["diffs"].items(), key=lambda kv: -abs(kv[1]))
        if abs(d) > 1e-9
    )
    return (
        f'<details class="jcs-why-option{tag}"><summary title="{e(x["label"])} ({x["gap"]:.2f} behind)">'
        f'<b class="jcs-why-label">{e(x["label"])}</b> <span class="jcs-why-gap">{x["gap"]:.2f} behind</span></summary>'
        f'<p class="jcs-why-reason">Rather than {e(x["label"])}: {e(sentence(x))}.</p>'
        f'<table class="jcs-why-table"><tr><th>part of the score</th><th>chosen − this</th><th>which way</th></tr>{table}'
        f"<tr><td>random part</td><td>{x['gap'] - x['gap_without_noise']:+.2f}</td>"
        f"<td>{'for the chosen action' if x['gap'] > x['gap_without_noise'] else 'for this option'}</td></tr></table></details>"
    )


def _direction(component: str, diff: float) -> str:
    better, worse = WORDS.get(component, ("for the chosen action", "for this option"))
    return better if diff > 0 else worse


# --------------------------------------------------------------------------
# The timeline of one responder's decisions (click a point to explain it)
# --------------------------------------------------------------------------
def decision_points(model: IncidentModel, responder: int) -> list[dict[str, Any]]:
    """Each decision of ``responder``: minute, chosen action, and whether the random term decided it."""
    by: dict[int, dict[str, Any]] = {}
    for r in model.trace:
        if r[2] != responder:
            continue
        d = by.setdefault(r[0], {"minute": r[1], "action": "", "g_wn": 0.0, "best_other_wn": None})
        if r[5]:
            d["action"] = ACTIONS[r[3]]
            d["g_wn"] = r[7]
        elif d["best_other_wn"] is None or r[7] > d["best_other_wn"]:
            d["best_other_wn"] = r[7]
    out = []
    for d in by.values():
        noisy = bool(d["best_other_wn"] is not None and d["best_other_wn"] > d["g_wn"])
        out.append({"minute": d["minute"], "action": d["action"], "noise_decided": noisy})
    return sorted(out, key=lambda d: d["minute"])


def timeline_spec(model: IncidentModel, responder: int, selected: int | None, height: int = 120) -> dict[str, Any]:
    """A strip of ``responder``'s decisions over the run; the selected minute ringed; noise-decided ones as crosses."""
    points = decision_points(model, responder)
    name = model.people[responder].name if 0 <= responder < len(model.people) else ""
    traces: list[dict[str, Any]] = []
    for legend, want, symbol, colour in (("decided by reasons", False, "circle", "#3a7bd5"), ("decided by noise", True, "x", "#d62728")):
        pts = [p for p in points if p["noise_decided"] is want]
        traces.append(
            trace(
                "scatter",
                x=[p["minute"] for p in pts],
                y=[0] * len(pts),
                mode="markers",
                name=legend,
                customdata=[p["minute"] for p in pts],
                hovertext=[f"minute {p['minute']}: {p['action'].replace('_', ' ')}" for p in pts],
                hoverinfo="text",
                marker=dict(size=14, symbol=symbol, color=colour, line=dict(width=1, color="white")),
            )
        )
    sel = [p for p in points if p["minute"] == selected]
    traces.append(
        trace(
            "scatter",
            x=[p["minute"] for p in sel],
            y=[0] * len(sel),
            mode="markers",
            name="explained below",
            hoverinfo="skip",
            marker=dict(size=24, symbol="circle-open", color="#222", line=dict(width=3)),
        )
    )
    layout = base_layout(f"{html.escape(name)}'s decisions (× decided by noise): click one to explain it", height)
    layout.update(
        font=FONT,
        margin=dict(l=10, r=10, t=28, b=22),
        xaxis=dict(range=[-1, max(10, model.minute) + 1], gridcolor="#eee", title=None, fixedrange=True),
        yaxis=dict(visible=False, range=[-1, 1], fixedrange=True),
        showlegend=False,
        clickmode="event",
        hovermode="closest",
        dragmode=False,
    )
    return {"data": traces, "layout": layout}


def timeline_figure(model: IncidentModel, responder: int, selected: int | None, height: int = 120) -> go.Figure:
    """:func:`timeline_spec` as a validated plotly Figure (for tests, notebooks and static export; the page sends the spec)."""
    return go.Figure(timeline_spec(model, responder, selected, height))
