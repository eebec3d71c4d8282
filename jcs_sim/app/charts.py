"""The live charts and the time-to-resolve histogram of the classroom app (plotly).

Why a hand-made three-panel layout instead of ``make_subplots``: it is
redrawn every simulated minute, and plain axis domains cost a fraction of
the time (see ``benchmarks/bench_app.py``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from .components import MISREAD, STATE_COLOURS, SYMPTOMATIC, base_layout, trace
from .history import diagnosis

if TYPE_CHECKING:
    from ..model import IncidentModel

__all__ = ["charts_spec", "charts_figure", "histogram_spec", "histogram_figure", "MILESTONES"]

AXIS_STEP = 30  # minutes: the time axis of the progress charts ends at the next multiple of this
PLOT_WIDTH_PX = 500  # the progress charts' plotting width in the right-hand panel at 1280x720 (about 515 px)
LABEL_CHAR_PX = 8  # width of one character of a milestone label (13 px DejaVu Sans), rounded up

# The compared scenarios' colours (fill, darker edge): their histograms and their not-resolved bars alike.
PINNED = ("#f0a030", "#a0600a")
CURRENT = ("#3a7bd5", "#1d4f94")

MILESTONES = (
    ("detect", "detected"),
    ("acknowledge", "acknowledged"),
    ("diagnose", "diagnosed"),
    ("mitigate", "mitigated"),
    ("resolve", "resolved"),
)


def charts_spec(model: IncidentModel, height: int = 430) -> dict[str, Any]:
    """Three stacked panels: progress (symptoms, people, milestones), messages, belief about the cause."""
    tl = model.timeline
    minute = [r[0] for r in tl]
    col = {
        name: k
        for k, name in enumerate(
            ("minute", "n_active", "severity", "user_impact", "fault_fixed", "n_symptomatic", "sent", "misread", "belief")
        )
    }
    traces = [
        trace(
            "scatter",
            x=minute,
            y=[r[col["n_symptomatic"]] for r in tl],
            name="symptomatic services",
            line=dict(color=SYMPTOMATIC, width=2),
            xaxis="x",
            yaxis="y",
        ),
        trace(
            "scatter",
            x=minute,
            y=[r[col["n_active"]] for r in tl],
            name="active responders",
            line=dict(color=STATE_COLOURS["active"], width=2),
            xaxis="x",
            yaxis="y",
        ),
        trace(
            "scatter",
            x=minute,
            y=[r[col["sent"]] for r in tl],
            name="messages sent",
            line=dict(color="#555", width=2),
            xaxis="x",
            yaxis="y2",
        ),
        trace(
            "scatter",
            x=minute,
            y=[r[col["misread"]] for r in tl],
            name="messages misread",
            line=dict(color=MISREAD, width=2),
            xaxis="x",
            yaxis="y2",
        ),
        trace(
            "scatter",
            x=minute,
            y=[r[col["belief"]] for r in tl],
            name="belief on the true cause",
            line=dict(color="#2ca02c", width=2),
            fill="tozeroy",
            xaxis="x",
            yaxis="y3",
        ),
    ]
    top = max([r[col["n_symptomatic"]] for r in tl] + [r[col["n_active"]] for r in tl] + [1])
    mx, my, mtext = [], [], []
    shapes = []
    found = diagnosis(model)
    for key, word in MILESTONES:
        t = model.times.get(key)
        if t is not None:
            mx.append(t)
            my.append(top * 1.05)
            mtext.append(f"{word} by {found.name}" if key == "diagnose" and found is not None else word)  # who found it (issue 13)
            shapes.append(dict(type="line", x0=t, x1=t, xref="x", yref="paper", y0=0, y1=1, line=dict(color="#999", width=1, dash="dot")))
    span = [0, AXIS_STEP * max(1, math.ceil(model.minute / AXIS_STEP))]
    labels, positions = _label_groups(mx, mtext, span[1])
    traces.append(
        trace(
            "scatter",
            x=mx,
            y=my,
            mode="markers+text",
            name="milestones",
            text=labels,
            textposition=positions,
            xaxis="x",
            yaxis="y",
            marker=dict(symbol="triangle-down", size=9, color="#333"),
            hovertext=[f"{w} at minute {t}" for w, t in zip(mtext, mx, strict=True)],
            hoverinfo="text",
            textfont=dict(size=13),
            cliponaxis=False,
        )
    )
    reached = [
        f"{w} at {model.times[k]}" + (f" by {found.name}" if k == "diagnose" and found is not None else "")
        for k, w in MILESTONES
        if model.times.get(k) is not None
    ]
    # Neither the title nor the time axis changes every minute: plotly.js then redraws only the lines
    # (benchmarks/bench_app.py: a redraw of this figure took about half as long in Chromium). The minute is in
    # the status line; the axis grows by half hours.
    layout = base_layout("Progress: " + ("; ".join(reached) if reached else "nothing reached yet"), height)
    layout.update(
        xaxis=dict(range=span, anchor="y3", gridcolor="#eee"),
        margin=dict(l=70, r=10, t=40, b=40),  # room for the axis titles beside the tick numbers
        legend=dict(layout["legend"], y=-0.07),
        yaxis=dict(domain=[0.68, 1.0], title=dict(text="count", font=dict(size=13), standoff=6), range=[0, top * 1.3], gridcolor="#eee"),
        yaxis2=dict(domain=[0.36, 0.62], title=dict(text="messages", font=dict(size=13), standoff=6), rangemode="tozero", gridcolor="#eee"),
        yaxis3=dict(domain=[0.0, 0.30], title=dict(text="share", font=dict(size=13), standoff=6), range=[0, 1.05], gridcolor="#eee"),
        shapes=shapes,
    )
    return {"data": traces, "layout": layout}


def _label_groups(minutes: list[int], words: list[str], span: int) -> tuple[list[str], list[str]]:
    """The milestones' labels and their plotly text positions, kept apart and inside the plot.

    A label runs right from its milestone ("top right"), or left ("top
    left") when running right would take it past the plot's right edge
    ("diagnosed by Chloe" at minute 74 of 90 was cut to "diagnosed by C").
    A label that would overlap the one before is joined into it
    ("detected, acknowledged"; its marker stays) when the joined label still
    runs right inside the plot; otherwise it is left off the plot (its marker
    and hover text stay, and the title lists every milestone with its
    minute). Why not always join: a joined label grows, flips left and joins
    the one before it, until every milestone was written at the first marker
    ("detected, acknowledged, diagnosed by Dev, mitigated, resolved" at minute
    5 of 166). The widths are estimated for the progress panel at 1280x720
    (:data:`PLOT_WIDTH_PX`, :data:`LABEL_CHAR_PX`).
    """
    per_minute = PLOT_WIDTH_PX / max(span, 1)

    def place(at: int, text: str) -> tuple[str, float, float]:
        x = minutes[at] * per_minute
        w = (len(text) + 1) * LABEL_CHAR_PX
        if x + w <= PLOT_WIDTH_PX or x - w < 0:
            return "top right", x, x + w
        return "top left", x - w, x

    out, where = [""] * len(words), ["top right"] * len(words)
    last: int | None = None  # the milestone whose label is the last one drawn
    for k, text in enumerate(words):
        pos, start, _ = place(k, text)
        if last is None or start >= place(last, out[last])[2]:
            out[k], where[k], last = text, pos, k
            continue
        joined = f"{out[last]}, {text}"
        if place(last, joined)[0] == "top right" and place(last, joined)[2] <= PLOT_WIDTH_PX:
            out[last] = joined  # close milestones share one label
        # else: no room; the marker and its hover text say it
    return out, where


def _median(xs: list[int]) -> int | None:
    srt = sorted(xs)
    return srt[len(srt) // 2] if srt else None


def _not_resolved_bar(x: float, n: int, name: str, colour: str, width: float, edge: str = "#555") -> dict[str, Any]:
    """Runs not resolved by the horizon: one hatched bar, so it never reads as a bin of resolved runs.

    The hatching lies over the bar's own colour (``fillmode="overlay"``) and is
    drawn in ``edge``, a darker shade of it: with plotly's default ("replace")
    the pattern replaced the fill, and the pinned and the current scenario's
    bars were both grey hatching (issue 13).
    """
    return trace(
        "bar",
        x=[x],
        y=[n],
        name=name,
        marker=dict(
            color=colour, line=dict(width=1.5, color=edge), pattern=dict(shape="/", fillmode="overlay", fgcolor=edge, solidity=0.3)
        ),
        width=width,
        hovertemplate=f"{name}<extra></extra>",
    )


def histogram_spec(
    summaries: list[dict[str, Any]],
    current: dict[str, Any] | None,
    horizon: int,
    height: int = 330,
    compare: tuple[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """Time to resolve over replayed seeds; censored runs in their own bar; the current run marked.

    ``current``: ``{"seed", "minute", "resolve"}`` of the run on screen (``resolve`` None while it runs).
    ``compare``: (label, runs) of a pinned scenario, drawn over this one with the same bins, so a class
    compares two settings on one chart.
    """
    done = [s["time_to_resolve"] for s in summaries if s.get("time_to_resolve") is not None]
    censored = sum(1 for s in summaries if s.get("time_to_resolve") is None)
    if compare is None:
        traces: list[dict[str, Any]] = [
            trace("histogram", x=done, name="resolved runs", marker=dict(color="#3a7bd5", line=dict(width=0.5, color="white")), nbinsx=25)
        ]
    else:
        label, other = compare
        other_done = [s["time_to_resolve"] for s in other if s.get("time_to_resolve") is not None]
        other_censored = sum(1 for s in other if s.get("time_to_resolve") is None)
        top = max(done + other_done + [1])
        size = max(1, -(-top // 25))  # the same bins for both, or the bars would not compare
        bins = dict(start=0, end=top + size, size=size)
        # Outlined in a darker shade of their own colour, so where the two overlap each bar's edge still shows.
        traces = [
            trace(
                "histogram",
                x=other_done,
                name=f"pinned: {label} ({len(other)} runs, median {_median(other_done)}, {other_censored} not resolved)",
                marker=dict(color=PINNED[0], line=dict(width=1.5, color=PINNED[1])),
                opacity=0.6,
                xbins=bins,
            ),
            trace(
                "histogram",
                x=done,
                name=f"this scenario ({len(summaries)} runs, median {_median(done)}, {censored} not resolved)",
                marker=dict(color=CURRENT[0], line=dict(width=1.5, color=CURRENT[1])),
                opacity=0.6,
                xbins=bins,
            ),
        ]
    width = max(horizon / 40, 1)
    if compare is None:
        if censored:
            traces.append(_not_resolved_bar(horizon, censored, f"not resolved by minute {horizon}", "#999", width))
    else:
        # One hatched bar per scenario in that scenario's colour, side by side just past the horizon.
        for x, n, who, (colour, edge) in (
            (horizon + width / 2, other_censored, "pinned", PINNED),
            (horizon + 3 * width / 2, censored, "this scenario", CURRENT),
        ):
            if n:
                traces.append(_not_resolved_bar(x, n, f"{who}: {n} not resolved by minute {horizon}", colour, width, edge))
    shapes = []
    title = f"Time to resolve over {len(summaries)} other seeds"
    if done:
        srt = sorted(done)
        median = srt[len(srt) // 2]
        title += f'<br><span style="font-size:13px">median {median} min, range {srt[0]}-{srt[-1]} min; {censored} not resolved</span>'
    if current is not None:
        value = current.get("resolve")
        x = value if value is not None else current.get("minute", 0)
        label = (
            f"this run (seed {current.get('seed')}): {value} min"
            if value is not None
            else f"this run (seed {current.get('seed')}): still running at {x}"
        )
        traces.append(
            trace(
                "scatter",
                x=[x],
                y=[0],
                mode="markers+text",
                name=label,
                text=["this run"],
                textposition="top center",
                marker=dict(symbol="star", size=16, color=MISREAD),
            )
        )
        shapes.append(dict(type="line", x0=x, x1=x, xref="x", yref="paper", y0=0, y1=1, line=dict(color=MISREAD, width=2, dash="dash")))
    layout = base_layout(title, height)
    if not summaries:
        layout["annotations"] = [
            dict(
                text="Press the button to replay this scenario with 50 other seeds",
                x=0.5,
                y=0.6,
                xref="paper",
                yref="paper",
                showarrow=False,
                font=dict(size=13, color="#777"),
            )
        ]
    layout.update(
        xaxis=dict(title=dict(text="minutes to resolve", font=dict(size=13)), rangemode="tozero", gridcolor="#eee"),
        yaxis=dict(title=dict(text="runs", font=dict(size=13)), rangemode="tozero", gridcolor="#eee"),
        margin=dict(l=60, r=10, t=55, b=50),  # room for the axis title beside the tick numbers
        legend=dict(layout["legend"], y=-0.22),
        shapes=shapes,
        bargap=0.05,
    )
    if compare is not None:
        layout.update(barmode="overlay", legend=dict(layout["legend"], y=-0.2, orientation="v"), margin=dict(l=60, r=10, t=55, b=110))
        layout["title"] = dict(layout["title"], text="Time to resolve: this scenario and the pinned one")
    return {"data": traces, "layout": layout}


def charts_figure(model: IncidentModel, height: int = 430) -> go.Figure:
    """:func:`charts_spec` as a validated plotly Figure (for tests, notebooks and static export; the page sends the spec)."""
    return go.Figure(charts_spec(model, height))


def histogram_figure(
    summaries: list[dict[str, Any]],
    current: dict[str, Any] | None,
    horizon: int,
    height: int = 330,
    compare: tuple[str, list[dict[str, Any]]] | None = None,
) -> go.Figure:
    """:func:`histogram_spec` as a validated plotly Figure (for tests, notebooks and static export; the page sends the spec)."""
    return go.Figure(histogram_spec(summaries, current, horizon, height, compare))
