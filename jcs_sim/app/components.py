"""The classroom app's pictures of people and services: plain functions from a model to a plotly figure.

Why pure functions: they are the app's whole drawing logic, so they can be
tested and timed (``benchmarks/bench_app.py``) without a browser, and the
page in :mod:`jcs_sim.app.app` only places them. Nothing here changes the
model; layouts that do not change during a run (where each person and each
service sits) are computed once per model and cached.

Every figure names its traces (``fig.data[i].name``) so that a legend, a
test and a reader can tell what is drawn. The charts over time are in
:mod:`jcs_sim.app.charts`, the incident channel and the "why?" panel's rows
in :mod:`jcs_sim.app.channel`.
"""

from __future__ import annotations

import html
import math
import weakref
from collections import deque
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from . import core
from .core import describe

if TYPE_CHECKING:
    from ..model import IncidentModel

__all__ = [
    "network_spec",
    "network_figure",
    "service_spec",
    "service_figure",
    "trace",
    "knowers",
    "doing",
    "clock",
    "base_layout",
    "STATE_COLOURS",
    "ROUTE_COLOURS",
]

STATE_COLOURS = {"off": "#c8c8c8", "paged": "#f0a030", "active": "#3a7bd5"}
ROUTE_COLOURS = {"channel": "#3a7bd5", "dm": "#8e44ad", "page": "#f0a030", "external": "#7f8c8d"}
MISREAD = "#d62728"
SYMPTOMATIC = "#e4572e"
HEALTHY = "#9bc59d"
FONT = dict(family="DejaVu Sans, Arial, sans-serif", size=13)  # read from the back of a room on a 1280x720 projector
# What a responder is doing, in words, from the action registry; "none" before their first decision.
VERBS = {**core.VERBS, "none": ""}
PERSON_TARGETS = core.PERSON_TARGETS
ARROW_SIZE = 13  # px: a message's arrowhead in the network
MAX_TIE_LABELS = 24  # more tie-weight numbers than this overlap (a big incident): show them on hover

_layouts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # model -> cached positions


def _layout(model: IncidentModel) -> dict[str, Any]:
    live = getattr(model, "live", model)  # a look back at a past minute (history.PastView) shares its run's layout
    cached = _layouts.get(live)
    if cached is None:
        people = _people_positions(live)
        cached = {"people": people, "labels": _label_positions(live, people), "services": _service_positions(live)}
        _layouts[live] = cached
    return cached


def trace(kind: str, **props: Any) -> dict[str, Any]:
    """A plotly trace as a plain dict: the page sends it as JSON without plotly's per-property validation.

    Why: building ``go.Scatter`` objects validated every list on every step
    and took most of a step's server time (``benchmarks/bench_app.py``);
    the ``*_figure`` wrappers still validate the same specs in the tests.
    """
    return {"type": kind, **props}


def base_layout(title: str, height: int) -> dict[str, Any]:
    return dict(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=16)),
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        font=FONT,
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=True,
        legend=dict(orientation="h", yanchor="top", y=-0.02, x=0, font=dict(size=12)),
        uirevision="keep",  # keep the reader's zoom and legend choices across steps
    )


# --------------------------------------------------------------------------
# Responders
# --------------------------------------------------------------------------
def _people_positions(model: IncidentModel) -> list[tuple[float, float]]:
    """People on a circle, grouped by team then role, so a team's members sit together."""
    order = sorted(range(len(model.people)), key=lambda i: (model.people[i].team or "~", model.people[i].role, i))
    n = len(order)
    pos: list[tuple[float, float]] = [(0.0, 0.0)] * n
    for k, i in enumerate(order):
        a = math.pi / 2 - 2 * math.pi * k / max(n, 1)
        pos[i] = (math.cos(a), math.sin(a))
    return pos


def doing(model: IncidentModel, person, sep: str = " ") -> str:
    """What a responder is doing this minute, in words (their state when not active).

    ``sep`` goes between the verb and its target: the network's labels put
    the target on a line of its own so that neighbours' labels do not overlap.
    """
    if person.state == "off":
        return "not paged"
    if person.state == "paged":
        return "paged, asleep" if person.asleep else "paged, not yet answering"
    kind, target = person.action
    verb = VERBS.get(kind, kind.replace("_", " "))
    if target is None or target < 0:
        return verb
    if kind in PERSON_TARGETS and target < len(model.people):
        return f"{verb}{sep}{model.people[target].name}"
    if 0 <= target < model.sg.n:
        return f"{verb}{sep}{model.sg.names[target]}"
    return verb


def network_spec(model: IncidentModel, height: int = 430) -> dict[str, Any]:
    """The responders: ties (width and label = familiarity), states, this minute's messages and misreadings."""
    pos = _layout(model)["people"]
    people = model.people
    fam = model.fam
    n = len(people)
    # Ties, in three width classes (plotly draws one width per trace).
    classes = (("ties (weak, < 0.33)", 0.0, 0.33, 1.0), ("ties (0.33-0.66)", 0.33, 0.66, 2.5), ("ties (strong, > 0.66)", 0.66, 1.01, 4.5))
    traces: list[dict[str, Any]] = []
    mid_x, mid_y, mid_text, mid_hover = [], [], [], []
    for name, lo, hi, width in classes:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for i in range(n):
            for j in range(i + 1, n):
                w = fam[i][j]
                if w > 0 and lo <= w < hi:
                    xs += [pos[i][0], pos[j][0], None]
                    ys += [pos[i][1], pos[j][1], None]
        traces.append(trace("scatter", x=xs, y=ys, mode="lines", name=name, line=dict(width=width, color="#b9c4d0"), hoverinfo="skip"))
    for i in range(n):
        for j in range(i + 1, n):
            if fam[i][j] > 0:
                mid_x.append(0.5 * (pos[i][0] + pos[j][0]))
                mid_y.append(0.5 * (pos[i][1] + pos[j][1]))
                mid_text.append(f"{fam[i][j]:.2f}")
                mid_hover.append(f"{html.escape(people[i].name)} and {html.escape(people[j].name)}: familiarity {fam[i][j]:.2f}")
    traces.append(
        trace(
            "scatter",
            x=mid_x,
            y=mid_y,
            # Numbers on every tie while they stay readable; beyond that, on hover only.
            mode="text" if len(mid_text) <= MAX_TIE_LABELS else "markers",
            text=mid_text,
            hovertext=mid_hover,
            hoverinfo="text",
            name="tie weight (familiarity)",
            textfont=dict(size=11, color="#6a7784"),
            marker=dict(size=6, color="rgba(0,0,0,0)"),
            showlegend=False,
        )
    )
    # This minute's messages, sender -> each recipient: a line per message, its arrowhead a marker at the
    # recipient's end (size 0 at the sender's), turned along the line by plotly.js (angleref "previous").
    # Why markers and not layout annotations: plotly.js redraws every annotation at every step, and the
    # network is redrawn every minute (benchmarks/bench_app.py).
    now = model.minute
    msg_x: dict[str, list] = {}
    msg_y: dict[str, list] = {}
    msg_size: dict[str, list] = {}
    for msg in _messages_at(model, now):
        for j in msg.recipients:
            if j == msg.sender or j >= n:
                continue
            (x0, y0), (x1, y1) = pos[msg.sender], pos[j]
            msg_x.setdefault(msg.route, []).extend([x0, x1, None])
            msg_y.setdefault(msg.route, []).extend([y0, y1, None])
            msg_size.setdefault(msg.route, []).extend([0, ARROW_SIZE, 0])
    for route, xs in msg_x.items():
        colour = ROUTE_COLOURS.get(route, "#333")
        traces.append(
            trace(
                "scatter",
                x=xs,
                y=msg_y[route],
                mode="lines+markers",
                name=f"message this minute ({route})",
                line=dict(width=2.5, color=colour),
                marker=dict(symbol="arrow", angleref="previous", size=msg_size[route], standoff=12, color=colour),
                hoverinfo="skip",
            )
        )
    # Misreadings this minute: a red dashed line from the sender to the reader, a cross at the reader.
    mx, my, cx, cy, ctext = [], [], [], [], []
    for msg, reader, understood in _misreads_at(model, now):
        if reader >= n:
            continue
        (x0, y0), (x1, y1) = pos[msg.sender], pos[reader]
        mx += [x0, x1, None]
        my += [y0, y1, None]
        cx.append(x1 * 0.86)
        cy.append(y1 * 0.86)
        ctext.append(
            f"{html.escape(people[reader].name)} misread {html.escape(people[msg.sender].name)}:<br>"
            f"meant: {html.escape(describe(model, msg.content))}<br>understood: {html.escape(describe(model, understood))}"
        )
    traces.append(
        trace(
            "scatter",
            x=mx,
            y=my,
            mode="lines",
            name="misread this minute",
            line=dict(width=2.5, color=MISREAD, dash="dash"),
            hoverinfo="skip",
        )
    )
    traces.append(
        trace(
            "scatter",
            x=cx,
            y=cy,
            mode="markers",
            name="misreading",
            showlegend=False,
            text=ctext,
            hovertemplate="%{text}<extra></extra>",
            marker=dict(symbol="x", size=14, color=MISREAD, line=dict(width=1, color="white")),
        )
    )
    # The people.
    xs = [p[0] for p in pos]
    ys = [p[1] for p in pos]
    labels = [
        f"<b>{html.escape(p.name)}</b> ({p.role}{', ' + html.escape(p.team) if p.team else ''})<br>{html.escape(doing(model, p, sep=chr(10))).replace(chr(10), '<br>')}"
        for p in people
    ]
    hover = [
        f"{html.escape(p.name)}: {p.role}{' of ' + html.escape(p.team) if p.team else ''}<br>state: {p.state}; fatigue {p.fatigue:.2f}"
        f"<br>sent {p.messages_sent}, read {p.messages_read}, misread {p.messages_misread}"
        for p in people
    ]
    positions = _layout(model)["labels"]
    traces.append(
        trace(
            "scatter",
            x=xs,
            y=ys,
            mode="markers+text",
            name="responders",
            text=labels,
            textposition=positions,
            hovertext=hover,
            hoverinfo="text",
            textfont=dict(size=13),
            cliponaxis=False,
            marker=dict(
                size=[22 if p.state == "active" else 16 for p in people],
                color=[STATE_COLOURS.get(p.state, "#999") for p in people],
                line=dict(
                    width=[3 if p.messages_misread else 1 for p in people],
                    color=[MISREAD if p.messages_misread else "white" for p in people],
                ),
            ),
            showlegend=False,
        )
    )
    layout = base_layout(f"Responders at minute {now} ({clock(model)})", height)
    # No fixed aspect ratio: the circle stretches to the panel's width, which leaves room for the labels.
    layout.update(xaxis=dict(visible=False, range=list(_X_RANGE)), yaxis=dict(visible=False, range=list(_Y_RANGE)))
    return {"data": traces, "layout": layout}


# The network as drawn on a 1280x720 projector (the left half below the header), for placing its labels.
NETWORK_PX = (640, 515)  # px: the figure's width and height there
LABEL_FONT_PX = 13
_CHAR_PX = 0.56 * LABEL_FONT_PX  # DejaVu Sans at 13 px measured ~7.0 px a character in Chromium (names in bold included); erring wide
_LINE_PX = 1.3 * LABEL_FONT_PX
_DOT_PX = 12  # a marker's radius (22 px when active) and the gap plotly leaves to its text
_X_RANGE, _Y_RANGE = (-1.6, 1.6), (-1.45, 1.4)  # the axes' ranges: room around the unit circle for the labels
_MARGINS = (10, 10, 40, 10)  # l, r, t, b, as base_layout
POSITIONS = tuple(f"{v} {h}" for v in ("top", "middle", "bottom") for h in ("left", "center", "right") if (v, h) != ("middle", "center"))


def _label_lines(model: IncidentModel, p) -> list[str]:
    """A person's label at its widest: the name line, then the longest state or verb, then the longest target.

    Why the widest and not this minute's: the positions are chosen once per
    run, so labels do not jump about as people change what they do.
    """
    states = ["not paged", "paged, asleep", "paged, not yet answering", *VERBS.values()]
    targets = [*model.sg.names, *(q.name for q in model.people)]
    name = f"{p.name} ({p.role}{', ' + p.team if p.team else ''})"
    return [name, max(states, key=len), max(targets, key=len)]


def _to_px(x: float, y: float, size: tuple[int, int] = NETWORK_PX) -> tuple[float, float]:
    """A point of the network's axes in the figure's pixels (from its top left)."""
    left, right, top, bottom = _MARGINS
    px = left + (x - _X_RANGE[0]) / (_X_RANGE[1] - _X_RANGE[0]) * (size[0] - left - right)
    py = top + (_Y_RANGE[1] - y) / (_Y_RANGE[1] - _Y_RANGE[0]) * (size[1] - top - bottom)
    return px, py


def label_box(x: float, y: float, position: str, lines: list[str], size: tuple[int, int] = NETWORK_PX) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in pixels of a label at ``position`` of the marker at (x, y), as plotly places it.

    An estimate from character counts (erring wide), good enough to keep labels apart; the browser test measures the real ones.
    """
    px, py = _to_px(x, y, size)
    w = max(len(line) for line in lines) * _CHAR_PX
    h = len(lines) * _LINE_PX
    v, hz = position.split()
    x0 = {"left": px - _DOT_PX - w, "center": px - w / 2, "right": px + _DOT_PX}[hz]
    y0 = {"top": py - _DOT_PX - h, "middle": py - h / 2, "bottom": py + _DOT_PX}[v]
    return (x0, y0, x0 + w, y0 + h)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _label_positions(model: IncidentModel, pos: list[tuple[float, float]], size: tuple[int, int] = NETWORK_PX) -> list[str]:
    """Where each person's label goes (a plotly ``textposition``), so that no two labels, and no label and dot, overlap.

    Why: with a dozen people (the big incident) labels placed by a fixed rule
    sat on their neighbours' ("Fatima ... not paged" over "Emeka ..."). Each
    label, in turn, takes the most outward of the eight positions around its
    dot that collides with nothing placed so far and stays in the figure; if
    none does, the one that collides least.
    """
    dots = []
    for x, y in pos:
        cx, cy = _to_px(x, y, size)
        dots.append((cx - _DOT_PX + 2, cy - _DOT_PX + 2, cx + _DOT_PX - 2, cy + _DOT_PX - 2))
    frame = (0.0, _MARGINS[2] - 8, float(size[0]), float(size[1]))
    lines = [_label_lines(model, p) for p in model.people]
    options = []  # per person: its eight positions, most outward first, with their boxes
    for (x, y), ls in zip(pos, lines, strict=True):
        r = math.hypot(x, y) or 1.0

        def outward(position: str, x=x, y=y, r=r) -> float:
            v, hz = position.split()
            dx = {"left": -1.0, "center": 0.0, "right": 1.0}[hz]
            dy = {"top": 1.0, "middle": 0.0, "bottom": -1.0}[v]
            return -(dx * x + dy * y) / (r * math.hypot(dx, dy))

        options.append([(q, label_box(x, y, q, ls, size)) for q in sorted(POSITIONS, key=outward)])
    fixed = []  # what a label pays wherever it is: the other dots, and running out of the figure
    for i, opts in enumerate(options):
        fixed.append(
            [
                sum(_overlap(box, d) for j, d in enumerate(dots) if j != i) + (box[2] - box[0]) * (box[3] - box[1]) - _overlap(box, frame)
                for _, box in opts
            ]
        )
    chosen = [0] * len(options)
    placed: list[tuple[float, float, float, float] | None] = [None] * len(options)
    # A greedy first pass, then passes that move one label at a time to its cheapest place given all the others,
    # until none moves (a greedy pass alone left two labels of the big incident on each other).
    for sweep in range(12):
        moved = False
        for i, opts in enumerate(options):
            others = [b for j, b in enumerate(placed) if j != i and b is not None]
            costs = [fixed[i][k] + sum(_overlap(box, b) for b in others) for k, (_, box) in enumerate(opts)]
            best = min(range(len(opts)), key=lambda k: (costs[k], k))  # ties: the more outward
            if sweep == 0 or costs[best] < costs[chosen[i]]:
                moved = moved or (sweep > 0 and best != chosen[i])
                chosen[i] = best
                placed[i] = opts[best][1]
        if sweep > 0 and not moved:
            break
    return [options[i][k][0] for i, k in enumerate(chosen)]


def _messages_at(model: IncidentModel, minute: int):
    """Messages sent at ``minute`` (the list is in time order: walk back from the end)."""
    out = deque()
    for msg in reversed(model.messages):
        if msg.minute < minute:
            break
        if msg.minute == minute:
            out.appendleft(msg)
    return out


def _misreads_at(model: IncidentModel, minute: int):
    """(message, reader, understood) for every misreading at ``minute`` (reads of messages up to then)."""
    horizon = minute - 240  # a message waits in an inbox a while before it is read; older ones are long read
    out = []
    for msg in reversed(model.messages):
        if msg.minute < horizon:
            break
        for read_minute, reader, misread, understood in msg.reads:
            if misread and read_minute == minute:
                out.append((msg, reader, understood))
    return out


def clock(model: IncidentModel) -> str:
    h = model.clock_hour
    return f"{int(h):02d}:{int(round((h % 1) * 60)) % 60:02d}"


# --------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------
def _service_positions(model: IncidentModel) -> dict[str, Any]:
    """Services in a grid: one column block per team, one row per layer (depth from the user-facing ones)."""
    sg = model.sg
    layer = [sg.graph.nodes[name].get("layer") for name in sg.names]
    if any(v is None for v in layer):
        layer = _depths(sg)
    teams = sg.team_names
    cells: dict[tuple[int, int], list[int]] = {}
    for s in range(sg.n):
        cells.setdefault((int(sg.team_of[s]), int(layer[s])), []).append(s)
    width = [max((len(v) for (t, _), v in cells.items() if t == ti), default=1) for ti in range(len(teams))]
    x0 = [sum(width[:t]) + t * 0.8 for t in range(len(teams))]
    pos = [(0.0, 0.0)] * sg.n
    for (t, lay), members in cells.items():
        offset = (width[t] - len(members)) / 2
        for k, s in enumerate(members):
            pos[s] = (x0[t] + offset + k, -float(lay))
    centres = [x0[t] + (width[t] - 1) / 2 for t in range(len(teams))]
    return {"pos": pos, "team_x": centres, "depth": max(layer) if layer else 0}


def _depths(sg) -> list[int]:
    """Hops from the nearest service nobody depends on (for loaded graphs without a 'layer')."""
    depth = [-1] * sg.n
    frontier = [s for s in range(sg.n) if not sg.rdeps[s]] or [0]
    for s in frontier:
        depth[s] = 0
    while frontier:
        nxt = []
        for s in frontier:
            for d in sg.deps[s]:
                if depth[d] < 0:
                    depth[d] = depth[s] + 1
                    nxt.append(d)
        frontier = nxt
    return [d if d >= 0 else 0 for d in depth]


def knowers(model: IncidentModel) -> list[tuple[str, float] | None]:
    """Per team: the responder who knows its services best (name, mean knowledge), or None."""
    sg = model.sg
    out: list[tuple[str, float] | None] = []
    for t in range(len(sg.team_names)):
        idx = [s for s in range(sg.n) if sg.team_list[s] == t]
        best = max(((sum(p.knowledge[s] for s in idx) / max(len(idx), 1), p.name) for p in model.people), default=None)
        out.append((best[1], best[0]) if best else None)
    return out


def service_spec(model: IncidentModel, reveal_root: bool = False, height: int = 430) -> dict[str, Any]:
    """The service graph: symptoms, what has been investigated, who knows which part; the root cause on request."""
    sg = model.sg
    lay = _layout(model)["services"]
    pos = lay["pos"]
    sym = model.system.symptomatic
    examined = [0] * sg.n
    lookers: list[list[str]] = [[] for _ in range(sg.n)]
    for p in model.people:
        for s, k in enumerate(p.examined):
            if k:
                examined[s] += k
                lookers[s].append(p.name)
    ex, ey = [], []
    for s in range(sg.n):
        for d in sg.deps[s]:
            ex += [pos[s][0], pos[d][0], None]
            ey += [pos[s][1], pos[d][1], None]
    best = knowers(model)
    traces: list[dict[str, Any]] = [
        trace("scatter", x=ex, y=ey, mode="lines", name="depends on", line=dict(width=0.8, color="#d0d6dd"), hoverinfo="skip"),
    ]
    for name, colour, want in (("healthy", HEALTHY, False), ("symptomatic", SYMPTOMATIC, True)):
        idx = [s for s in range(sg.n) if bool(sym[s]) is want]
        traces.append(
            trace(
                "scatter",
                x=[pos[s][0] for s in idx],
                y=[pos[s][1] for s in idx],
                mode="markers+text",
                name=name,
                # The name without its team prefix: the team's header sits above its columns.
                text=[_short_name(sg, s) for s in idx],
                textposition="bottom center",
                textfont=dict(size=11, color="#333"),
                cliponaxis=False,
                marker=dict(
                    size=13,
                    color=colour,
                    symbol=["diamond" if sg.alerting[s] else "circle" for s in idx],
                    line=dict(width=0.5, color="#555"),
                ),
                hovertext=[_service_hover(model, s, best, lookers) for s in idx],
                hoverinfo="text",
            )
        )
    inv = [s for s in range(sg.n) if examined[s]]
    traces.append(
        trace(
            "scatter",
            x=[pos[s][0] for s in inv],
            y=[pos[s][1] for s in inv],
            mode="markers+text",
            name="investigated",
            text=[f"×{examined[s]}" for s in inv],
            textposition="top right",
            textfont=dict(size=12),
            cliponaxis=False,
            marker=dict(size=22, symbol="circle-open", color="#222", line=dict(width=2)),
            hovertext=[f"{sg.names[s]}: looked at by {', '.join(lookers[s])}" for s in inv],
            hoverinfo="text",
        )
    )
    xs_min = min((p[0] for p in pos), default=0.0)
    xs_max = max((p[0] for p in pos), default=0.0)
    top = 2.1  # the y axis's top: room above the teams' headers
    root_words = None
    if reveal_root:
        r = model.fault.root
        # "fault type:" spelled out: some fault types (data) are also teams' names.
        root_words = f"root cause: {sg.names[r]}, fault type: {model.fault.kind.replace('_', ' ')}"
        traces.append(
            trace(
                "scatter",
                x=[pos[r][0]],
                y=[pos[r][1]],
                mode="markers",
                name="root cause",
                hovertext=[html.escape(root_words)],
                hoverinfo="text",
                cliponaxis=False,
                marker=dict(size=30, symbol="star", color="rgba(255,215,0,0.85)", line=dict(width=1.5, color="#8b0000")),
            )
        )
        top = 2.5
    annotations = []
    for t, team in enumerate(sg.team_names):
        on_call = [p.name for p in model.people if p.team == team]
        who = best[t]
        text = f"<b>{html.escape(team)}</b><br>{html.escape(', '.join(on_call) or 'nobody on call')}"
        if who:
            text += f"<br>best: {html.escape(who[0])} {who[1]:.2f}"
        annotations.append(
            dict(x=lay["team_x"][t], y=0.55, xref="x", yref="y", text=text, showarrow=False, yanchor="bottom", font=dict(size=12))
        )
    if root_words is not None:
        # The words on one line at the top, above the teams' headers, where they cover no service's name: beside the
        # star, on two lines, they were drawn over the names of the row above. The star marks the service.
        annotations.append(
            dict(
                x=0.5,
                y=top,
                xref="paper",
                yref="y",
                text=f"★ {html.escape(root_words)}",
                showarrow=False,
                xanchor="center",
                yanchor="top",
                font=dict(size=13, color="#8b0000"),
            )
        )
    status = f"{int(sym.sum())} of {sg.n} services symptomatic; {len(inv)} investigated"
    layout = base_layout(f"Services: {status}", height)
    layout.update(
        xaxis=dict(visible=False, range=[xs_min - 0.7, xs_max + 0.7]),
        yaxis=dict(visible=False, range=[-lay["depth"] - 0.8, top]),
        annotations=annotations,
    )
    return {"data": traces, "layout": layout}


def _short_name(sg, s: int) -> str:
    """A service's name without its team's prefix ("payments-core2" -> "core2"), as drawn under its marker."""
    name = sg.names[s]
    team = sg.team_names[int(sg.team_of[s])]
    return name[len(team) + 1 :] if name.startswith(team + "-") else name


def _service_hover(model: IncidentModel, s: int, best, lookers) -> str:
    sg = model.sg
    t = int(sg.team_of[s])
    who = best[t]
    parts = [
        f"<b>{html.escape(sg.names[s])}</b> (team {html.escape(sg.team_names[t])})",
        "symptomatic" if model.system.symptomatic[s] else "healthy",
        "carries a user-facing alert" if sg.alerting[s] else "",
        f"best knower of this team's services: {html.escape(who[0])}" if who else "",
        f"investigated by {', '.join(lookers[s])}" if lookers[s] else "",
    ]
    return "<br>".join(p for p in parts if p)


def network_figure(model: IncidentModel, height: int = 430) -> go.Figure:
    """:func:`network_spec` as a validated plotly Figure (for tests, notebooks and static export; the page sends the spec)."""
    return go.Figure(network_spec(model, height))


def service_figure(model: IncidentModel, reveal_root: bool = False, height: int = 430) -> go.Figure:
    """:func:`service_spec` as a validated plotly Figure (for tests, notebooks and static export; the page sends the spec)."""
    return go.Figure(service_spec(model, reveal_root, height))
