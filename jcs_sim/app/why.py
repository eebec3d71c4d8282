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

from .components import FONT, base_layout, trace
from .core import ACTIONS, COMPONENTS

if TYPE_CHECKING:
    from ..model import IncidentModel

__all__ = ["WORDS", "decision_points", "explain_html", "comparison", "timeline_spec", "timeline_figure", "NEAR"]

# For each component: what it means when the chosen action was better on it, and when it was worse.
WORDS: dict[str, tuple[str, str]] = {
    "evidence": ("it promised more, given what they believed", "it promised less, given what they believed"),
    "urgency": ("it answered the time pressure better", "it answered the time pressure less"),
    "effort": ("it took less time and effort, tired as they were", "it took more time and effort, tired as they were"),
    "social_cost": (
        "it meant less reluctance about paging or messaging someone they barely know",
        "it meant more reluctance about paging or messaging someone they barely know",
    ),
    "role": ("it fitted their role better", "it fitted their role less"),
    "other_duties": ("their other work pulled towards it", "their other work pulled away from it"),
    "coordination": ("nobody else seemed to be on it, or the team was less crowded", "someone else seemed to be on it already"),
    "risk": (
        "it was less risky (acting on a service they know little about)",
        "it was riskier (acting on a service they know little about)",
    ),
    "connection": ("it offered more contact with someone they barely know", "it offered less contact with someone they barely know"),
}
NEAR = 0.01  # differences below this are "nearly equal" and not worth a sentence
MAX_REASONS = 3


def _label(row: dict[str, Any]) -> str:
    words = {"other_duty": "go back to other duties", "status_update": "write a status update", "own_mistake": "own a mistake"}
    action = words.get(row["action"], row["action"].replace("_", " "))
    return f"{action} {row['target']}".strip()


def comparison(chosen: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """How the chosen action compared with one other candidate, in words and numbers.

    ``gap`` is the score difference (always >= 0: the chosen one scored
    highest), ``gap_without_noise`` the same without the random term; when it
    is negative the other would have won without noise: ``noise_decided``.
    """
    diffs = sorted(((chosen[c] - other[c], c) for c in COMPONENTS), reverse=True)
    pros = [WORDS[c][0] for d, c in diffs if d > NEAR][:MAX_REASONS]
    cons = [WORDS[c][1] for d, c in reversed(diffs) if d < -NEAR][:MAX_REASONS]
    gap = chosen["g"] - other["g"]
    gap_wn = chosen["g_without_noise"] - other["g_without_noise"]
    return {
        "label": _label(other),
        "gap": gap,
        "gap_without_noise": gap_wn,
        "noise_decided": gap_wn < 0,
        "pros": pros,
        "cons": cons,
        "diffs": {c: chosen[c] - other[c] for c in COMPONENTS},
    }


def _sentence(cmp: dict[str, Any]) -> str:
    if cmp["noise_decided"]:
        head = f"the random part of the score decided: without it, this would have won by {-cmp['gap_without_noise']:.2f}"
        if cmp["pros"]:
            head += f". For the chosen action: {'; '.join(cmp['pros'])}"
        return head
    parts = []
    if cmp["pros"]:
        parts.append("; ".join(cmp["pros"]))
    else:
        parts.append("the reasons were nearly equal")
    if cmp["cons"]:
        parts.append("although " + "; ".join(cmp["cons"]))
    return ", ".join(parts)


def explain_html(rows: list[dict[str, Any]], minute_clock: str = "") -> str:
    """One decision (its candidate rows, as ``trace_table`` gives them) as HTML, escaped.

    Every other candidate is a ``<details>`` element: its one-line reason
    opens to the component-by-component numbers.
    """
    rows = sorted(rows, key=lambda r: -r["g"])
    chosen = next(r for r in rows if r["chosen"])
    others = [r for r in rows if not r["chosen"]]
    c = chosen
    e = html.escape
    when = f"Minute {c['minute']}" + (f" ({e(minute_clock)})" if minute_clock else "")
    out = [
        f'<p class="jcs-why-head">{when}: <b>{e(c["responder"])}</b> ({e(c["responder_role"])}) chose to '
        f'<b class="jcs-why-chosen">{e(_label(c))}</b>.</p>'
    ]
    context = [
        f"tiredness {c['fatigue']:.2f} (0 rested, 1 exhausted)",
        f"time pressure {c['pressure']:.2f}",
        f"{c['unread']} unread messages",
    ]
    belief = f"main suspect {e(c['top_suspect'])} (suspicion {c['top_suspicion']:.2f})"
    if c["fault_belief"]:
        belief += f", believed the fault was a {e(c['fault_belief'].replace('_', ' '))}"
    if c["believes_team_stuck"]:
        belief += ", believed nobody was fixing anything"
    out.append(f'<p class="jcs-why-context">What they had: {", ".join(context)}; {belief}.</p>')
    cmps = [comparison(c, o) for o in others]
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
        out.append(f'<p class="jcs-why-others">Why not the other {len(cmps)} options (click one for the numbers):</p>')
    for x in cmps:
        tag = " jcs-why-noisy" if x["noise_decided"] else ""
        table = "".join(
            f"<tr><td>{e(comp.replace('_', ' '))}</td><td>{d:+.2f}</td><td>{e(_direction(comp, d))}</td></tr>"
            for comp, d in sorted(x["diffs"].items(), key=lambda kv: -abs(kv[1]))
            if abs(d) > 1e-9
        )
        out.append(
            f'<details class="jcs-why-option{tag}"><summary>Rather than <b>{e(x["label"])}</b> '
            f"({x['gap']:.2f} behind): {e(_sentence(x))}.</summary>"
            f'<table class="jcs-why-table"><tr><th>part of the score</th><th>chosen minus this</th><th>which way</th></tr>{table}'
            f"<tr><td>random part</td><td>{x['gap'] - x['gap_without_noise']:+.2f}</td>"
            f"<td>{'for the chosen action' if x['gap'] > x['gap_without_noise'] else 'for this option'}</td></tr></table></details>"
        )
    return "\n".join(out)


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
    for label, want, symbol, colour in (("decided by reasons", False, "circle", "#3a7bd5"), ("decided by noise", True, "x", "#d62728")):
        pts = [p for p in points if p["noise_decided"] is want]
        traces.append(
            trace(
                "scatter",
                x=[p["minute"] for p in pts],
                y=[0] * len(pts),
                mode="markers",
                name=label,
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
        margin=dict(l=10, r=10, t=34, b=28),
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
