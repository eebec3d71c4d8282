"""The classroom page: run controls, presets and settings around plotly pictures of one incident.

Layout, made for a 1280x720 projector with nothing to scroll: a two-row
header (the presets and a Settings toggle; the run controls and the status
line), then the responders' network on the left and, on the right, one of
five panels chosen by tabs: the incident channel, the services, the progress
charts, "Why?" and the replayed seeds. The network stays on screen whatever
the tab, so a misreading drawn in it and its words in the channel are seen
together. The settings open above the pictures and close again. Each
misreading in the channel has a "What if read right?" button: the run is
replayed server-side, once, with that message understood as meant
(:mod:`jcs_sim.app.counterfactual`), and the answer shows above the channel.

Why our own run controls and not Mesa's ``SolaraViz``: its Reset rebuilt
the default incident instead of the chosen one, choosing a preset while it
played left Play and Step disabled, and it brought controls a class does not
need ("Use Threads", "Render Interval", a step counter ahead of the minute).
The controls here are a few lines over one :class:`Run`: Step, Play/Pause at
a chosen speed (a thread that keeps the nominal pace: it sleeps only for what
is left of each interval), Reset (the current scenario again).

Every browser session has a :class:`Lesson` (the scenario) and a
:class:`Run` (the model on screen). A bad value typed into a setting leaves
both as they were and shows a message; so does a valid value that makes an
impossible scenario (team size 0 with nobody on call): the lesson builds the
model once before accepting it. An error inside a step stops the run with a
message instead of replacing the page.

Serve it with ``jcs-sim viz`` (see :mod:`jcs_sim.app.cli`); the page is
:func:`Page`.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import solara
import solara.lab

from ..config import ConfigError
from ..model import IncidentModel
from ..organisation import org_for
from . import channel, charts, counterfactual, history, why
from . import components as C
from .presets import CONTROLS, PRESETS, Lesson
from .widgets import CSS, ChatView, PlotlyView, figure_json

__all__ = ["Page", "ClassroomModel", "Run", "Panel", "WhatIf", "CONFIG_ENV", "REPLAY_BATCH", "SPEEDS", "TABS"]

CONFIG_ENV = "JCS_SIM_VIZ_CONFIG"  # the CONFIG given to `jcs-sim viz`, for the server's sessions
REPLAY_BATCH = 50
# Play speeds a teacher picks from: label -> milliseconds per simulated minute.
SPEEDS: dict[str, int] = {"1/s": 1000, "2/s": 500, "4/s": 250, "8/s": 125}
DEFAULT_SPEED = "4/s"
TABS = ("Channel", "Services", "Progress", "Why?", "Seeds")
NETWORK_HEIGHT = 515  # px: the left half of a 1280x720 screen below the header
PANEL_HEIGHT = 455  # px: a right-hand panel below its tabs
SERVICES_HEIGHT = 385  # px: the service graph below its switch, legend included (it ran 30 px off a 720 px screen at 415)
WHY_TIMELINE_HEIGHT = 84  # px: the Why? panel's strip of decisions; the words below it get the rest


class ClassroomModel(IncidentModel):
    """An incident built from a browser session's :class:`Lesson`, always with its decision trace.

    With ``organisation.file`` in the lesson's config it is staffed from the
    organisation, as ``jcs-sim run`` staffs it (:func:`jcs_sim.organisation.org_for`):
    the same people, ties and knowledge, so the run on screen is the run the
    command line prints for that seed.

    ``retire()`` stops a model that was replaced (Reset, a new preset), so a
    play loop still holding it ends at its next step.
    """

    def __init__(self, lesson: Lesson | None = None) -> None:
        lesson = lesson if lesson is not None else Lesson()
        super().__init__(lesson.cfg, seed=lesson.seed, record_trace=True, org=org_for(lesson.cfg, lesson.seed))
        self.lesson = lesson
        self.preset = lesson.preset
        self.retired = False
        self.history: list[history.Snapshot] = [history.snapshot(self)]  # history[t]: the run at minute t

    def retire(self) -> None:
        self.retired = True
        self.running = False

    def step(self) -> None:
        if self.retired:
            self.running = False
            return
        super().step()
        self.history.append(history.snapshot(self, previous=self.history[-1]))


def _lesson_for_session() -> Lesson:
    path = os.environ.get(CONFIG_ENV) or None
    try:
        return Lesson.from_config_file(path)
    except ConfigError:
        return Lesson()  # `jcs-sim viz` checked the file before serving; it changed since: fall back to the default


def Figure(build: Callable[[], Any], name: str, **kwargs: Any):
    """A plotly figure in the page (see :class:`PlotlyView`); ``on_clicked`` receives clicked points.

    ``build`` makes the figure's spec (a plain dict: see :func:`~jcs_sim.app.components.trace`). If it fails (a corner of the model the
    pictures did not foresee), the panel says so and the rest of the page
    keeps working: a render error would otherwise replace the whole page
    with a traceback in front of the class.
    """
    try:
        fig = build()
    except Exception as exc:
        return solara.Error(f"Could not draw the {name} picture: {type(exc).__name__}: {exc}", classes=["jcs-error"])
    return PlotlyView.element(figure_json=figure_json(fig), name=name, **kwargs)


def _html(build: Callable[[], str], what: str) -> str:
    """HTML from ``build``, or an escaped message saying what could not be shown (see :func:`Figure`)."""
    try:
        return build()
    except Exception as exc:
        return f'<p class="jcs-error">Could not show {what}: {_escape(type(exc).__name__)}: {_escape(str(exc))}</p>'


@dataclass(frozen=True)
class WhatIf:
    """A "What if read right?" asked about the run on screen: which read, and the answer once it is known.

    ``model`` is the run it was asked about: a Reset or a new preset makes it
    stale, and its answer is then dropped instead of shown beside another run.
    """

    model: Any
    reader: int
    message: int
    html: str | None = None  # the comparison in words, once computed
    error: str | None = None  # why it could not be computed


@dataclass
class Run:
    """The model on screen and the state of its controls; one per browser session.

    ``tick`` is bumped after every change of the model (a step, a reset): the
    pictures read it, so they redraw exactly then.
    """

    lesson: Lesson
    model: solara.Reactive
    playing: solara.Reactive
    speed: solara.Reactive
    tick: solara.Reactive
    error: solara.Reactive  # why the run stopped, when a step failed
    look: solara.Reactive | None = None  # a past minute shown instead of the present (None: the present)
    what_if: solara.Reactive | None = None  # the WhatIf asked last (None: none shown)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def go_live(self) -> None:
        """Show the present again (stepping, playing and resetting always do)."""
        if self.look is not None and self.look.value is not None:
            self.look.set(None)

    def shown(self) -> Any:
        """The model as the pictures show it: the live one, or a look back at a past minute of it."""
        m = self.model.value
        at = self.look.value if self.look is not None else None
        if at is None or not 0 <= at < len(getattr(m, "history", ())) - 1:
            return m
        return history.PastView(m, m.history[at])

    def look_at(self, minute: int | None) -> None:
        """Show the run as it was at ``minute`` (pauses play: the past does not move)."""
        self.playing.set(False)
        if self.look is not None:
            self.look.set(None if minute is None or minute >= self.model.value.minute else max(0, int(minute)))

    def _changed(self) -> None:
        self.tick.set(self.tick.value + 1)

    def ask_read_right(self, reader: int, message: int) -> None:
        """Ask "what if ``reader`` had read ``message`` right?" of the run on screen; :meth:`answer_read_right` answers."""
        if self.what_if is None:
            return
        current = self.what_if.value
        model = self.model.value
        if current is not None and (current.model, current.reader, current.message) == (model, reader, message):
            return  # asked again while shown (or being computed): nothing new
        self.what_if.set(WhatIf(model, int(reader), int(message)))

    def close_read_right(self) -> None:
        if self.what_if is not None:
            self.what_if.set(None)

    def answer_read_right(self, cancel: threading.Event | None = None) -> None:
        """Compute the open question's comparison (in a thread: a replay takes up to a second) and show it.

        The answer is shown only if the question is still the open one: a
        Reset, a new preset, or another button pressed meanwhile drops it.
        """
        asked = self.what_if.value if self.what_if is not None else None
        if asked is None or asked.html is not None or asked.error is not None:
            return
        try:
            answer = replace(asked, html=counterfactual.comparison_html(counterfactual.for_run(asked.model, asked.reader, asked.message)))
        except Exception as exc:  # a corner the replay did not foresee: a message, not a traceback in front of the class
            answer = replace(asked, error=f"Could not replay this misreading: {type(exc).__name__}: {exc}")
        if self.what_if.value == asked and not (cancel is not None and cancel.is_set()):
            self.what_if.set(answer)

    def advance(self, model: ClassroomModel) -> bool:
        """One simulated minute of ``model`` if it is still the one on screen; False when it cannot go on."""
        with self.lock:
            if model is not self.model.value or not model.running:
                return False
            try:
                model.step()
            except Exception as exc:  # a model bug must not replace the page with a traceback
                model.running = False
                self.error.set(f"The run stopped at minute {model.minute}: {type(exc).__name__}: {exc}")
                self.playing.set(False)
                self._changed()
                return False
        self._changed()
        return model.running

    def step(self) -> None:
        if not self.playing.value:
            self.go_live()
            self.advance(self.model.value)

    def toggle(self) -> None:
        self.go_live()
        self.playing.set(not self.playing.value and self.model.value.running)

    def reset(self) -> None:
        """Start the lesson's current scenario again at minute 0 (stops playing)."""
        self.playing.set(False)
        self.go_live()
        self.close_read_right()
        with self.lock:
            self.model.value.retire()
            self.error.set(None)
            self.model.set(ClassroomModel(self.lesson))
        self._changed()

    def interval_s(self) -> float:
        return SPEEDS.get(self.speed.value, SPEEDS[DEFAULT_SPEED]) / 1000

    def play_loop(self, cancel: threading.Event) -> None:
        """Step while playing, one minute per interval measured from the previous step's start.

        Sleeping only for what is left of the interval keeps play at its
        nominal speed as long as a step and its redraw fit in it; when they do
        not, the next step starts at once (no burst to catch up).
        """
        if not self.playing.value:
            return
        model = self.model.value
        due = time.monotonic()
        while self.playing.value and not cancel.is_set():
            if not self.advance(model):
                break
            due += self.interval_s()
            now = time.monotonic()
            if due < now:
                due = now
            if cancel.wait(due - now):
                return
        if model is self.model.value and not cancel.is_set():
            self.playing.set(False)


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
    rebuild: Callable[[], None] | None = None

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
        if self.rebuild is not None:
            self.rebuild()
        return True


@solara.component
def Page():
    """The whole classroom page (one per browser session)."""
    lesson = solara.use_memo(_lesson_for_session, [])
    first = solara.use_memo(lambda: ClassroomModel(lesson), [])
    run = Run(
        lesson,
        solara.use_reactive(first),
        solara.use_reactive(False),
        solara.use_reactive(DEFAULT_SPEED),
        solara.use_reactive(0),
        solara.use_reactive(None),
    )
    run.lock = solara.use_memo(threading.Lock, [])
    run.look = solara.use_reactive(None)
    run.what_if = solara.use_reactive(None)
    panel = Panel(lesson, solara.use_reactive(lesson.control_values()), solara.use_reactive(str(lesson.seed)), solara.use_reactive(None))
    panel.rebuild = run.reset
    show_settings = solara.use_reactive(False)
    # The play loop: restarted when play is pressed or the model is replaced, cancelled when either changes.
    solara.use_thread(run.play_loop, dependencies=[run.playing.value, run.model.value], intrusive_cancel=False)
    # "What if read right?": answered in a thread when a new question is asked, never per frame.
    asked = run.what_if.value
    question = None if asked is None else (asked.model, asked.reader, asked.message)
    solara.use_thread(run.answer_read_right, dependencies=[question], intrusive_cancel=False)
    solara.Style(CSS)
    solara.Title("jcs-sim classroom")
    with solara.Column(classes=["jcs-page"], style="padding: 0; gap: 0"):
        # Keys keep each part mounted when the settings open or close: without them the dashboard below
        # would move one place down, be rebuilt, and lose the open tab and the Why? panel's choices.
        Header(run, panel, show_settings).key("header")
        if show_settings.value:
            SettingsPanel(panel).key("settings")
        Dashboard(run).key("dashboard")


@solara.component
def Header(run: Run, panel: Panel, show_settings: solara.Reactive):
    """Row 1: the presets, the Settings toggle. Row 2: Reset, Play/Pause, Step, speed, and the status line."""
    _ = run.tick.value  # the status line changes with every step
    m = run.model.value
    p = PRESETS.get(getattr(m, "preset", "default"), PRESETS["default"])
    with solara.Row(classes=["jcs-bar"], style="align-items: center; gap: 6px; flex-wrap: wrap"):
        for key, preset in PRESETS.items():
            chosen = key == panel.lesson.preset
            solara.Button(
                preset.title,
                on_click=lambda key=key: panel.choose(key),
                color="primary",
                outlined=not chosen,
                small=True,
                classes=["jcs-preset", "jcs-preset-chosen" if chosen else "jcs-preset-other"],
            )
        org = panel.lesson.org
        if org is not None:  # whose people these are: the organisation file's, not generated ones (issue 12)
            # In the room left of Settings, on two short lines: a third row would push the pictures off a 1280x720 screen.
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<div>People: <b>{_escape(org.name)}</b>, set by the organisation file</div><div>{_escape(org.path)}</div>",
                classes=["jcs-org"],
                attributes={"data-testid": "org-note", "title": org.note()},
            )
        else:
            solara.Div(style="flex: 1")
        solara.Button(
            "Hide settings" if show_settings.value else "Settings",
            on_click=lambda: toggle_settings(run, show_settings),
            small=True,
            outlined=True,
            classes=["jcs-settings-toggle"],
        )
    with solara.Row(classes=["jcs-bar"], style="align-items: center; gap: 6px"):
        solara.Button("Reset", on_click=run.reset, color="primary", small=True, classes=["jcs-reset"])
        solara.Button(
            "❚❚ Pause" if run.playing.value else "▶ Play",
            on_click=run.toggle,
            color="primary",
            small=True,
            disabled=not m.running,
            classes=["jcs-play"],
        )
        solara.Button(
            "Step", on_click=run.step, color="primary", small=True, disabled=run.playing.value or not m.running, classes=["jcs-step"]
        )
        solara.HTML(tag="span", unsafe_innerHTML="minutes per second:", classes=["jcs-speed-label"])
        solara.ToggleButtonsSingle(value=run.speed, values=list(SPEEDS), dense=True, classes=["jcs-speed"])
        status = _status(m)
        solara.HTML(
            tag="div",
            unsafe_innerHTML=status,
            classes=["jcs-status"],
            attributes={"data-testid": "status", "title": re.sub(r"<[^>]+>", "", status)},
        )
    shown = run.shown()
    if shown is not m:  # looking back: this line says so, with that minute's beliefs, in place of the story
        where = f"Looking back at minute {{}} ({C.clock(shown)}); the run is at minute {m.minute}."
        text = f"{where.format(f'<b>{shown.minute}</b>')} {history.beliefs_html(shown)}"
        tip = f"{where.format(shown.minute)} {history.beliefs_html(shown, plain=True)}"
        solara.HTML(
            tag="div", unsafe_innerHTML=text, classes=["jcs-looking-back"], attributes={"data-testid": "looking-back", "title": tip}
        )
    else:
        skipped = panel.lesson.skipped() if getattr(m, "preset", None) == panel.lesson.preset else []
        not_applied = (
            f" <i>(not applied: {_escape(', '.join(skipped))}, {_escape(next(iter(panel.lesson.replaced.values())))})</i>"
            if skipped
            else ""
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<b>{p.title}</b> (seed {m.seed}){not_applied}: {p.story}",
            classes=["jcs-story"],
            attributes={"title": p.story, "data-testid": "story"},
        )
    if run.error.value:
        solara.Error(run.error.value, classes=["jcs-error", "jcs-run-error"])


def toggle_settings(run: Run, show: solara.Reactive) -> None:
    """Open or close the settings; opening pauses play.

    Why pause: a change rebuilds the run anyway, and while a run plays the
    page re-renders several times a second; a value being typed into a field
    could be reset under the teacher's fingers before Enter (seen under load).
    """
    if not show.value:
        run.playing.set(False)
    show.set(not show.value)


@solara.component
def SettingsPanel(panel: Panel):
    """The main settings and the seed; a change rebuilds the model, a bad value shows a message instead."""
    lesson = panel.lesson
    values = panel.values.value
    message = panel.error.value

    def change(key: str, value: Any) -> None:
        panel.choose(lesson.preset, {**panel.values.value, key: value}, panel.seed.value)

    with solara.Card(classes=["jcs-settings"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"Settings on top of the preset <b>{PRESETS[lesson.preset].title}</b>. "
            "A change rebuilds the model at minute 0 (press Enter in a text field).",
            classes=["jcs-hint"],
        )
        org = lesson.org
        if org is not None:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=_escape(org.note()),
                classes=["jcs-hint", "jcs-org-note"],
                attributes={"data-testid": "org-settings"},
            )
        with solara.Div(classes=["jcs-settings-grid"]):
            for c in CONTROLS:
                current = values.get(c.key)
                note = org.control_note(c.key) if org is not None else None
                off = org is not None and c.key in org.replaced  # set by the organisation file: shown, not changeable

                def on_value(v, key=c.key):
                    change(key, v)

                if c.widget == "select":
                    solara.Select(c.label, value=current, values=list(c.param.choices), on_value=on_value, disabled=off)
                elif c.widget == "checkbox":
                    solara.Checkbox(label=c.label, value=bool(current), on_value=on_value, disabled=off)
                else:
                    bad = bool(message) and (c.key in message or f'"{c.label}"' in message)
                    hint = note if off else c.hint() + (f"; {note}" if note else "")
                    solara.InputText(
                        c.label,
                        value="" if off else str(current),
                        on_value=on_value,
                        message=hint,
                        error=bad,
                        hide_details=False,
                        disabled=off,
                    )
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
def Dashboard(run: Run):
    """The network on the left; the tabbed panels on the right (only the open one is drawn)."""
    _ = run.tick.value  # redraw after every step
    m = run.shown()
    tab = solara.use_reactive(TABS[0])
    LookBack(run, m, run.tick.value)
    with solara.Div(classes=["jcs-main"]):
        with solara.Div(classes=["jcs-card", "jcs-left"]):
            Figure(lambda: C.network_spec(m, height=NETWORK_HEIGHT), "network")
        with solara.Div(classes=["jcs-card", "jcs-right"]):
            solara.ToggleButtonsSingle(value=tab, values=list(TABS), classes=["jcs-tabs"])
            if tab.value == "Channel":
                Channel(m, run.tick.value, run)
            elif tab.value == "Services":
                Services(m, run.tick.value)
            elif tab.value == "Progress":
                Figure(lambda: charts.charts_spec(m, height=PANEL_HEIGHT), "charts")
            elif tab.value == "Why?":
                WhyPanel(m, run.tick.value)
            else:
                Replays(m, run.lesson, run.tick.value)


@solara.component
def LookBack(run: Run, m: Any, tick: int):
    """A slider over the minutes so far, and jumps to the previous or next moment of a kind.

    When a past minute is shown, a line says so, with the beliefs of that
    minute; at a misreading, what the reader did next.
    """
    live = run.model.value
    kind = solara.use_reactive(history.MOMENT_KINDS[0])
    found = history.moments(live)[kind.value]
    at = m.minute
    back = history.neighbour(found, at, forward=False)
    ahead = history.neighbour(found, at, forward=True)
    with solara.Row(classes=["jcs-bar", "jcs-scrub"], style="align-items: center; gap: 6px"):
        with solara.Div(classes=["jcs-scrub-slider"]):
            solara.SliderInt(
                "Minute shown", value=at, min=0, max=max(live.minute, 1), on_value=run.look_at, disabled=live.minute == 0, thumb_label=True
            )
        solara.Button("Live", on_click=run.go_live, small=True, outlined=True, disabled=m is live, classes=["jcs-live"])
        solara.HTML(tag="span", unsafe_innerHTML="jump to the", classes=["jcs-speed-label"])
        solara.Button(
            "◀ previous", on_click=lambda: run.look_at(back), small=True, outlined=True, disabled=back is None, classes=["jcs-jump-back"]
        )
        solara.ToggleButtonsSingle(value=kind, values=list(history.MOMENT_KINDS), dense=True, classes=["jcs-kinds"])
        solara.Button(
            "next ▶", on_click=lambda: run.look_at(ahead), small=True, outlined=True, disabled=ahead is None, classes=["jcs-jump-next"]
        )


# The panels take ``tick`` (the step counter) only so that they re-render after each step: a component
# whose arguments are unchanged is not rendered again, and the model object stays the same while it steps.
@solara.component
def Channel(m: Any, tick: int, run: Run):
    """The incident channel, newest message at the bottom; a misread message highlighted with what was understood.

    Each misreading has a "What if read right?" button; the answer (or
    "replaying...") shows in a box above the channel until closed. A click
    on a misreading's line looks back at its minute. Looking back at a
    minute with a misreading, a box above the channel says who misread what
    and what the reader did next (from the live run's trace).
    """
    live = run.model.value
    asked = run.what_if.value if run.what_if is not None else None
    if asked is not None and asked.model is not live:
        asked = None  # asked about a run that was replaced
    if asked is not None:
        WhatIfBox(run, asked)
    elif m is not live:
        after = _html(lambda: history.aftermath_html(live, m.minute), "what followed")
        if after:
            solara.HTML(tag="div", unsafe_innerHTML=after, classes=["jcs-aftermath-box"], attributes={"data-testid": "aftermath"})
    solara.HTML(tag="h3", unsafe_innerHTML=f"Incident channel ({len(m.messages)} messages, {m.counts['messages_misread']} misread)")

    def asked_about(value: dict) -> None:
        if isinstance(value.get("reader"), int) and isinstance(value.get("message"), int):
            run.ask_read_right(value["reader"], value["message"])

    def selected(value: dict) -> None:
        if isinstance(value.get("minute"), int):
            run.look_at(value["minute"])

    ChatView.element(chat_html=_html(lambda: _chat(m), "the channel"), short=asked is not None, on_asked=asked_about, on_selected=selected)


@solara.component
def WhatIfBox(run: Run, asked: WhatIf):
    """The answer to "What if read right?" (or that it is being computed), with a button to close it."""
    reader = asked.model.people[asked.reader].name if 0 <= asked.reader < len(asked.model.people) else "?"
    with solara.Div(classes=["jcs-whatif-box"], attributes={"data-testid": "whatif"}):
        solara.Button("Close", on_click=run.close_read_right, small=True, outlined=True, classes=["jcs-whatif-close"])
        if asked.error is not None:
            solara.Error(asked.error, classes=["jcs-error"])
        elif asked.html is None:
            solara.HTML(
                tag="p",
                unsafe_innerHTML=f"Replaying the run with {_escape(reader)} reading message {asked.message} as meant...",
                classes=["jcs-whatif-pending"],
            )
        else:
            solara.HTML(tag="div", unsafe_innerHTML=asked.html, classes=["jcs-whatif"])


@solara.component
def Services(m: IncidentModel, tick: int):
    """The service graph; the root cause only on request (let the class guess first)."""
    reveal = solara.use_reactive(False)
    solara.Switch(label="Reveal the root cause", value=reveal, classes=["jcs-reveal"])
    Figure(lambda: C.service_spec(m, reveal_root=reveal.value, height=SERVICES_HEIGHT), "services")


def _chat(m: IncidentModel) -> str:
    rows = channel.chat_rows(m)
    # column-reverse keeps the newest message in view: the newest goes first in the markup.
    return "\n".join(reversed(channel.chat_html(rows, len(m.messages), what_if=True, empty=channel.quiet_note(m)).split("\n")))


def _status(m: IncidentModel) -> str:
    """The status line: the minute, how the incident stands, who found the root cause, the headcount.

    Compact (the lesson plan's walk-through): the page clamps it at two
    lines, and at the end of the failover story ("resolved at minute 166;
    ... (posted at minute 120); 7 of 7 responders active, 0 services
    symptomatic.") the tail was cut. The minute is said once, and the whole
    line is also the element's tooltip.
    """
    sys = m.system
    active = sum(1 for p in m.people if p.state == "active")
    resolved = m.times["resolve"]
    if resolved is not None:
        state = "<b>resolved</b>" + ("" if resolved == m.minute else f" at minute {resolved}")
    elif not m.running:
        state = "<b>not resolved</b> by the end of the run"
    elif sys.user_impact:
        state = f"users hurting (severity {sys.severity})"
    else:
        state = "users no longer hurting; waiting to be sure it holds"
    # Who found the root cause, and whether they told anyone (issue 13: it could not be read off the channel).
    # Before the headcount: the line is cut at two lines, and this is what a class asks about.
    d = history.diagnosis(m)
    if d is not None:
        told = "not posted yet" if d.shared_at is None else f"posted at {d.shared_at}"
        state += f"; <b>{_escape(d.name)}</b> found the root cause at minute {d.minute} ({told})"
    return f"Minute <b>{m.minute}</b> ({C.clock(m)}): {state}; {active} of {len(m.people)} people active, {sys.n_symptomatic} services symptomatic."


@solara.component
def WhyPanel(m: IncidentModel, tick: int):
    """Pick a responder, then a decision on their timeline (click it, or step through): the choice in plain words."""
    names = [p.name for p in m.people]
    who = solara.use_reactive(names[0] if names else "")
    chosen_minute = solara.use_reactive(None)  # None: follow their latest decision
    idx = names.index(who.value) if who.value in names else 0
    points = why.decision_points(m, idx) if names else []
    minutes = [p["minute"] for p in points]
    # A clicked minute that is not (or no longer, after Reset) one of their decisions falls back to the latest.
    at = chosen_minute.value if chosen_minute.value in minutes else (minutes[-1] if minutes else None)
    earlier = [t for t in minutes if at is not None and t < at]
    later = [t for t in minutes if at is not None and t > at]

    def pick(name: str) -> None:
        who.set(name)
        chosen_minute.set(None)

    def clicked(point: dict) -> None:
        value = point.get("custom", point.get("x"))
        if isinstance(value, (int, float)):
            chosen_minute.set(int(value))

    with solara.Row(style="align-items: center; gap: 8px", classes=["jcs-why-controls"]):
        with solara.Div(style="min-width: 160px"):
            solara.Select(
                "Responder", value=who.value if who.value in names else (names[0] if names else ""), values=names, on_value=pick, dense=True
            )
        solara.Button("◀ earlier", on_click=lambda: chosen_minute.set(earlier[-1]), disabled=not earlier, small=True, outlined=True)
        solara.Button("later ▶", on_click=lambda: chosen_minute.set(later[0]), disabled=not later, small=True, outlined=True)
        solara.Button("latest", on_click=lambda: chosen_minute.set(None), disabled=chosen_minute.value is None, small=True, text=True)
    Figure(lambda: why.timeline_spec(m, idx, at, height=WHY_TIMELINE_HEIGHT), "decisions", on_clicked=clicked)
    if not names:
        body = "<p>Nobody on the roster.</p>"
    elif at is None:
        person = m.people[idx]
        body = f"<p>{_escape(who.value)} has not decided anything yet ({_escape(C.doing(m, person))}).</p>"
    else:
        rows, _note = channel.decision_rows(m, idx, at)
        body = (
            _html(lambda: why.explain_html(rows, _clock_at(m, at)), "this decision")
            if rows
            else f"<p>No decision by {_escape(who.value)} at minute {at}.</p>"
        )
    solara.HTML(tag="div", unsafe_innerHTML=body, classes=["jcs-why"], attributes={"data-testid": "why"})


def _clock_at(m: IncidentModel, minute: int) -> str:
    h = (m.cfg["run"]["start_hour"] + minute / 60.0) % 24
    return f"{int(h):02d}:{int(round((h % 1) * 60)) % 60:02d}"


def _escape(text: str) -> str:
    import html

    return html.escape(text)


@solara.component
def Replays(m: IncidentModel, lesson: Lesson, tick: int):
    """Replay this scenario with other seeds: one run is one draw from a distribution."""
    progress = solara.use_reactive(0)
    version = solara.use_reactive(0)  # bumped when the replays or the pin change: read below, so this panel redraws
    _ = version.value

    def replay() -> None:
        lesson.replay(REPLAY_BATCH, progress=lambda i, n: progress.set(i))
        version.set(version.value + 1)

    task = solara.lab.use_task(replay, dependencies=None, prefer_threaded=True)
    summaries = list(lesson.replayed())
    current = {"seed": m.seed, "minute": m.minute, "resolve": m.times["resolve"]}
    compare = lesson.compared()

    def pin() -> None:
        lesson.pin()
        version.set(version.value + 1)

    def unpin() -> None:
        lesson.unpin()
        version.set(version.value + 1)

    with solara.Row(style="align-items: center; gap: 6px; flex-wrap: wrap"):
        solara.Button(f"Run {REPLAY_BATCH} more seeds", color="primary", on_click=lambda: task(), disabled=task.pending, small=True)
        if task.pending:
            solara.Text(f"running seed {progress.value} of {REPLAY_BATCH}...")
        else:
            solara.Text(f"{len(summaries)} seeds replayed")
        solara.Button("Pin to compare", on_click=pin, small=True, outlined=True, disabled=not summaries, classes=["jcs-pin"])
        if lesson.pinned is not None:
            solara.Button("Unpin", on_click=unpin, small=True, text=True, classes=["jcs-unpin"])
    if lesson.pinned is not None and compare is None:
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"Pinned: <b>{_escape(lesson.pinned[1])}</b>. Change a preset or a setting and replay it: both show here.",
            classes=["jcs-hint"],
        )
    Figure(
        lambda: charts.histogram_spec(summaries, current, m.cfg["run"]["max_minutes"], height=PANEL_HEIGHT - 60, compare=compare),
        "histogram",
    )
