"""The classroom page: Mesa's SolaraViz controls around plotly pictures of one incident.

Layout: the sidebar holds the scenario (preset, the main settings, the seed)
and Mesa's own controls (step, play/pause, speed, reset); the main area shows
the responders' network, the service graph, the incident channel, the live
charts, the "why?" panel and the time-to-resolve histogram.

How a rebuild works: every browser session has a :class:`Lesson` (the
scenario: config, seed, replayed runs). :class:`ClassroomModel` is an
:class:`IncidentModel` built from a lesson, so Mesa's Reset button rebuilds
the current scenario. Choosing a preset or changing a setting updates the
lesson and mounts a fresh SolaraViz around a fresh model (its step loop is
stopped first: the old model is retired). A bad value typed into a setting
leaves the lesson and the running model as they were and shows the error.

Serve it with ``jcs-sim viz`` (see :mod:`jcs_sim.app.cli`); the page is
:func:`Page`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import solara
import solara.lab
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from ..config import ConfigError
from ..explain import explain_decision
from ..model import IncidentModel
from . import channel, charts
from . import components as C
from .presets import CONTROLS, PRESETS, Lesson
from .widgets import CSS, PlotlyView

__all__ = ["Page", "ClassroomModel", "CONFIG_ENV", "REPLAY_BATCH"]

CONFIG_ENV = "JCS_SIM_VIZ_CONFIG"  # the CONFIG given to `jcs-sim viz`, for the server's sessions
REPLAY_BATCH = 50
PLAY_INTERVAL_MS = 250  # a simulated minute every quarter second by default; the sidebar slider changes it


class ClassroomModel(IncidentModel):
    """An incident built from a browser session's :class:`Lesson`, always with its decision trace.

    Mesa's Reset calls ``ClassroomModel(lesson=...)`` again, which rebuilds
    the lesson's current scenario. ``retire()`` stops a model whose page was
    replaced, so a play loop still holding it ends at its next step.
    """

    def __init__(self, lesson: Lesson | None = None) -> None:
        lesson = lesson if lesson is not None else Lesson()
        super().__init__(lesson.cfg, seed=lesson.seed, record_trace=True)
        self.lesson = lesson
        self.preset = lesson.preset
        self.retired = False

    def retire(self) -> None:
        self.retired = True
        self.running = False

    def step(self) -> None:
        if self.retired:
            self.running = False
            return
        super().step()


def _lesson_for_session() -> Lesson:
    path = os.environ.get(CONFIG_ENV) or None
    try:
        return Lesson.from_config_file(path)
    except ConfigError:
        return Lesson()  # `jcs-sim viz` checked the file before serving; it changed since: fall back to the default


def Figure(fig, name: str):
    """A plotly figure in the page (see :class:`PlotlyView`)."""
    return PlotlyView.element(figure_json=fig.to_json(), name=name)


@dataclass
class Panel:
    """What the scenario controls show, kept by the page so it survives each rebuild.

    ``values`` and ``seed`` are what the fields show: the lesson's values after
    an accepted change, the typed text after a rejected one (with ``error``).
    """

    lesson: Lesson
    values: solara.Reactive
    seed: solara.Reactive
    error: solara.Reactive  # the last rejected change, shown until one is accepted
    rebuild: Any = None

    def choose(self, preset: str, values: dict[str, Any] | None = None, seed: Any = None) -> bool:
        """Apply a scenario to the lesson and rebuild; False (and the message shown) if it is invalid."""
        lesson = self.lesson
        seed = lesson.seed if seed is None else seed
        self.values.set(dict(values) if values else lesson.control_values())
        self.seed.set(str(seed))
        try:
            lesson.choose(preset, values, seed)
        except ConfigError as exc:
            self.error.set(str(exc))
            return False
        self.values.set(lesson.control_values())
        self.seed.set(str(lesson.seed))
        self.error.set(None)
        self.rebuild()
        return True


@solara.component
def Page():
    """The whole classroom page (one per browser session)."""
    lesson = solara.use_memo(_lesson_for_session, [])
    generation = solara.use_reactive(0)
    live: dict[str, Any] = solara.use_memo(dict, [])  # the mounted Classroom's model reactive
    panel = Panel(lesson, solara.use_reactive(lesson.control_values()), solara.use_reactive(str(lesson.seed)), solara.use_reactive(None))

    def rebuild() -> None:
        current = live.get("model")
        if current is not None:
            current.value.retire()  # its play loop, if any, stops at the next tick
        generation.set(generation.value + 1)

    panel.rebuild = rebuild
    solara.Style(CSS)
    solara.Title("jcs-sim classroom")
    with solara.Column(style="padding: 0; gap: 0"):
        # A new generation mounts a new Classroom (fresh Mesa controls around a fresh model); reacton
        # remounts a keyed child only when its key and its arguments change, so the generation is both.
        Classroom(panel, live, generation.value).key(f"classroom-{generation.value}")


@solara.component
def Classroom(panel: Panel, live: dict, generation: int):
    """Mesa's SolaraViz (controls) and the dashboard, around one model reactive."""
    lesson = panel.lesson
    first = solara.use_memo(lambda: ClassroomModel(lesson=lesson), [])
    model = solara.use_reactive(first)
    live["model"] = model
    SolaraViz(model, components=[], model_params={"lesson": lesson}, name="jcs-sim classroom", play_interval=PLAY_INTERVAL_MS)
    Presets(panel)
    SidebarSettings(panel)
    Dashboard(model, lesson)


@solara.component
def Presets(panel: Panel):
    """One button per preset, above the pictures."""
    with solara.Row(classes=["jcs-presets"], style="flex-wrap: wrap; gap: 6px; padding: 4px 8px 0 8px"):
        for key, p in PRESETS.items():
            chosen = key == panel.lesson.preset
            solara.Button(
                p.title,
                on_click=lambda key=key: panel.choose(key),
                color="primary",
                outlined=not chosen,
                classes=["jcs-preset", "jcs-preset-chosen" if chosen else "jcs-preset-other"],
            )


@solara.component
def SidebarSettings(panel: Panel):
    # Solara orders sidebar content by component depth: two levels below SolaraViz's
    # siblings puts this card after Mesa's controls (step, play, reset first).
    _SettingsInSidebar(panel)


@solara.component
def _SettingsInSidebar(panel: Panel):
    with solara.Sidebar():
        SettingsPanel(panel)


@solara.component
def SettingsPanel(panel: Panel):
    """The main settings and the seed; a change rebuilds the model, a bad value shows a message instead."""
    lesson = panel.lesson
    values = panel.values.value
    message = panel.error.value

    def change(key: str, value: Any) -> None:
        panel.choose(lesson.preset, {**panel.values.value, key: value}, panel.seed.value)

    with solara.Card("Settings"):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"On top of the preset <b>{PRESETS[lesson.preset].title}</b>. A change rebuilds the model (Enter in a text field).",
            classes=["jcs-hint"],
        )
        for c in CONTROLS:
            current = values.get(c.key)

            def on_value(v, key=c.key):
                change(key, v)

            if c.widget == "select":
                solara.Select(c.label, value=current, values=list(c.param.choices), on_value=on_value)
            elif c.widget == "checkbox":
                solara.Checkbox(label=c.label, value=bool(current), on_value=on_value)
            else:
                bad = bool(message) and f"'{c.key}'" in message
                solara.InputText(c.label, value=str(current), on_value=on_value, message=c.hint(), error=bad, hide_details=False)
        solara.InputText(
            "Seed",
            value=panel.seed.value,
            on_value=lambda v: panel.choose(lesson.preset, panel.values.value, v),
            message="an integer >= 0; same settings and seed, same run",
            error=bool(message) and message.startswith("seed"),
            hide_details=False,
        )
        if message:
            solara.Error(f"Not applied: {message}", classes=["jcs-error"])


@solara.component
def Dashboard(model: solara.Reactive, lesson: Lesson):
    """The main area: status, network, services, channel, charts, why?, histogram."""
    update_counter.get()  # Mesa bumps this after every step: redraw (children given the same model redraw too)
    m = model.value
    reveal = solara.use_reactive(False)
    p = PRESETS.get(getattr(m, "preset", "default"), PRESETS["default"])
    with solara.Column(style="padding: 4px 8px; gap: 0"):
        solara.HTML(tag="div", unsafe_innerHTML=f"<b>{p.title}</b> (seed {m.seed}): {p.story}", classes=["jcs-story"])
        solara.HTML(tag="div", unsafe_innerHTML=_status(m), classes=["jcs-status"], attributes={"data-testid": "status"})
        with solara.Columns([1, 1]):
            with solara.Div(classes=["jcs-card"]):
                Figure(C.network_figure(m), "network")
            with solara.Div(classes=["jcs-card"]):
                solara.Switch(label="Reveal the root cause", value=reveal)
                Figure(C.service_figure(m, reveal_root=reveal.value, height=400), "services")
        with solara.Columns([1, 1]):
            with solara.Div(classes=["jcs-card"]):
                solara.HTML(
                    tag="h3", unsafe_innerHTML=f"Incident channel ({len(m.messages)} messages, {m.counts['messages_misread']} misread)"
                )
                solara.HTML(tag="div", unsafe_innerHTML=_chat(m), classes=["jcs-chat"], attributes={"data-testid": "chat"})
            with solara.Div(classes=["jcs-card"]):
                Figure(charts.charts_figure(m), "charts")
        with solara.Columns([1, 1]):
            with solara.Div(classes=["jcs-card"]):
                WhyPanel(m)
            with solara.Div(classes=["jcs-card"]):
                Replays(m, lesson)


def _chat(m: IncidentModel) -> str:
    rows = channel.chat_rows(m)
    # column-reverse keeps the newest message in view: the newest goes first in the markup.
    return "\n".join(reversed(channel.chat_html(rows, len(m.messages)).split("\n")))


def _status(m: IncidentModel) -> str:
    sys = m.system
    active = sum(1 for p in m.people if p.state == "active")
    if m.times["resolve"] is not None:
        state = f"<b>resolved</b> at minute {m.times['resolve']}"
    elif not m.running:
        state = f"<b>not resolved</b> by minute {m.minute} (censored)"
    elif sys.user_impact:
        state = f"users hurting (severity {sys.severity})"
    else:
        state = "users no longer hurting; waiting to be sure it holds"
    return f"Minute <b>{m.minute}</b> ({C.clock(m)}): {state}; {active} of {len(m.people)} responders active, {sys.n_symptomatic} services symptomatic."


@solara.component
def WhyPanel(m: IncidentModel):
    """Pick a responder and a minute: the decision in plain words (chosen action, runners-up, what separated them)."""
    update_counter.get()
    names = [p.name for p in m.people]
    who = solara.use_reactive(names[0] if names else "")
    minute = solara.use_reactive(None)  # None: follow the model's current minute
    solara.HTML(tag="h3", unsafe_innerHTML="Why? A decision, explained")
    with solara.Row(style="align-items: center; gap: 12px"):
        solara.Select("Responder", value=who.value if who.value in names else names[0], values=names, on_value=who.set)
        at = m.minute if minute.value is None else min(minute.value, m.minute)
        solara.SliderInt("Minute", value=at, min=0, max=max(m.minute, 1), on_value=minute.set, thumb_label=True)
        solara.Button("now", text=True, on_click=lambda: minute.set(None))
    idx = names.index(who.value) if who.value in names else 0
    rows, note = channel.decision_rows(m, idx, at)
    if not rows:
        person = m.people[idx] if m.people else None
        text = f"{who.value} has not decided anything yet ({C.doing(m, person)})." if person else "Nobody on the roster."
    else:
        text = (note + "\n" if note else "") + explain_decision(rows)
    solara.HTML(tag="pre", unsafe_innerHTML=_escape(text), classes=["jcs-why"], attributes={"data-testid": "why"})


def _escape(text: str) -> str:
    import html

    return html.escape(text)


@solara.component
def Replays(m: IncidentModel, lesson: Lesson):
    """Replay this scenario with other seeds: one run is one draw from a distribution."""
    update_counter.get()
    progress = solara.use_reactive(0)
    version = solara.use_reactive(0)

    def replay() -> None:
        lesson.replay(REPLAY_BATCH, progress=lambda i, n: progress.set(i))
        version.set(version.value + 1)

    task = solara.lab.use_task(replay, dependencies=None, prefer_threaded=True)
    summaries = list(lesson.replayed())
    current = {"seed": m.seed, "minute": m.minute, "resolve": m.times["resolve"]}
    with solara.Row(style="align-items: center"):
        solara.Button(f"Run {REPLAY_BATCH} more seeds", color="primary", on_click=lambda: task(), disabled=task.pending)
        if task.pending:
            solara.Text(f"running seed {progress.value} of {REPLAY_BATCH}...")
        else:
            solara.Text(f"{len(summaries)} seeds replayed for this scenario")
    Figure(charts.histogram_figure(summaries, current, m.cfg["run"]["max_minutes"]), "histogram")
