"""The classroom app without a browser: presets, controls, figure builders, the why panel, the viz command.

The browser tests (tests/test_app_browser.py) check that the page works;
these check the pieces it is made of, fast, and the properties that must
always hold (every preset valid and steppable, every figure naming its
traces, a bad value refused with a message that names it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import plotly.graph_objects as go
import pytest

from jcs_sim import IncidentModel
from jcs_sim.app import channel, charts
from jcs_sim.app import components as C
from jcs_sim.app.presets import CONTROLS, PRESETS, Lesson, apply_preset, control_overrides, parse_seed
from jcs_sim.config import SCHEMA, ConfigError, apply_overrides, default_config, load_config
from jcs_sim.explain import explain_decision
from jcs_sim.results import trace_table

ROOT = Path(__file__).resolve().parents[1]


def stepped(preset: str = "failover", minutes: int = 60, seed: int = 0) -> IncidentModel:
    lesson = Lesson()
    lesson.choose(preset, seed=seed)
    m = IncidentModel(lesson.cfg, seed=seed, record_trace=True)
    while m.running and m.minute < minutes:
        m.step()
    return m


# ----- presets and controls -------------------------------------------------
@pytest.mark.parametrize("key", list(PRESETS))
def test_every_preset_applies_cleanly_and_its_model_steps(key):
    p = PRESETS[key]
    assert p.title and p.story and "\n" not in p.story
    cfg = apply_preset(default_config(), key)
    for item in p.overrides:  # each override took effect, with the schema's type
        sec, name = item.split("=", 1)[0].split(".")
        assert cfg[sec][name] == apply_overrides(default_config(), [item])[sec][name]
        assert type(cfg[sec][name]) is type(SCHEMA[sec][name].default)
    from jcs_sim.app.app import ClassroomModel

    lesson = Lesson()
    lesson.choose(key)
    m = ClassroomModel(lesson)
    assert m.record_trace and m.preset == key
    for _ in range(30):
        m.step()
    assert m.minute == 30 and len(m.timeline) == 30 and m.trace


@pytest.mark.parametrize("key, path", [("failover", "configs/failover_story.toml"), ("3am", "configs/three_am_page.toml")])
def test_presets_tell_the_same_story_as_the_config_files(key, path):
    assert apply_preset(default_config(), key) == load_config(ROOT / path)


def test_controls_are_schema_keys_with_schema_widgets():
    for c in CONTROLS:
        p = c.param  # raises KeyError for a key not in the schema
        assert c.widget == ("select" if p.choices else "checkbox" if p.kind is bool else "text")
        assert c.hint().startswith(p.allowed()) or c.least is not None
    keys = {c.key for c in CONTROLS}
    assert {"responders.sme_per_team", "relationships.within_team", "relationships.across_team"} <= keys
    assert {"communication.mode", "communication.structured_updates"} <= keys
    assert keys & {"run.start_hour", "responders.hours_awake"}


def test_control_values_show_the_preset_and_only_changes_become_overrides():
    lesson = Lesson()
    lesson.choose("3am")
    values = lesson.control_values()
    assert values["run.start_hour"] == "3.0" and values["communication.structured_updates"] is False
    assert control_overrides(values, lesson.cfg) == []
    changed = {**values, "responders.sme_per_team": "2", "communication.mode": "direct"}
    assert sorted(control_overrides(changed, lesson.cfg)) == ["communication.mode=direct", "responders.sme_per_team=2"]
    lesson.choose("3am", changed, seed="7")
    assert lesson.cfg["responders"]["sme_per_team"] == 2 and lesson.cfg["run"]["start_hour"] == 3.0 and lesson.seed == 7


@pytest.mark.parametrize(
    "key, text, words",
    [
        ("relationships.within_team", "2.5", ["relationships.within_team", "out of range", "a number from 0 to 1"]),
        ("responders.sme_per_team", "many", ["responders.sme_per_team", "wrong type", "an integer"]),
        ("run.start_hour", "", ["run.start_hour"]),
        ("communication.mode", "shouting", ["communication.mode", "not allowed", "'channel'"]),
    ],
)
def test_invalid_control_values_give_a_message_and_change_nothing(key, text, words):
    lesson = Lesson()
    lesson.choose("failover", seed=3)
    before = (lesson.preset, lesson.seed, lesson.cfg)
    with pytest.raises(ConfigError) as err:
        lesson.choose("failover", {**lesson.control_values(), key: text})
    for w in words:
        assert w in str(err.value)
    assert (lesson.preset, lesson.seed, lesson.cfg) == before


@pytest.mark.parametrize("text", ["-1", "abc", "1.5", ""])
def test_invalid_seeds_are_refused(text):
    with pytest.raises(ConfigError, match="seed"):
        parse_seed(text)
    assert parse_seed(" 12 ") == 12


def test_settings_panel_shows_the_message_instead_of_crashing():
    """The real panel, rendered by Solara in-process: typing a bad value shows a visible error."""
    import ipyvuetify as v
    import solara

    from jcs_sim.app.app import Panel, SettingsPanel

    lesson = Lesson()
    rebuilt = []

    @solara.component
    def Host():
        panel = Panel(lesson, solara.use_reactive(lesson.control_values()), solara.use_reactive("0"), solara.use_reactive(None))
        panel.rebuild = lambda: rebuilt.append(1)
        SettingsPanel(panel)

    _box, rc = solara.render(Host(), handle_error=False)
    try:
        field = rc.find(v.TextField, label="Familiarity within a team").widget
        field.v_model = "7"
        field.fire_event("keyup.enter", {})
        rc.find(v.Alert).assert_single()
        assert "relationships.within_team" in str(rc.find(v.Alert).widget.children)
        assert rebuilt == [] and lesson.cfg["relationships"]["within_team"] == 0.7
        field = rc.find(v.TextField, label="Familiarity within a team").widget
        field.v_model = "0.9"
        field.fire_event("keyup.enter", {})
        rc.find(v.Alert).assert_empty()
        assert rebuilt == [1] and lesson.cfg["relationships"]["within_team"] == 0.9
    finally:
        rc.close()


# ----- figures ----------------------------------------------------------------
def test_network_figure_traces_labels_and_messages():
    m = stepped("failover", 60)
    fig = C.network_figure(m)
    assert isinstance(fig, go.Figure)
    names = [t.name for t in fig.data]
    assert {"ties (weak, < 0.33)", "ties (0.33-0.66)", "ties (strong, > 0.66)", "tie weight (familiarity)", "responders"} <= set(names)
    assert {"misread this minute", "misreading"} <= set(names)
    people = fig.data[names.index("responders")]
    assert len(people.x) == len(m.people)
    for p, label in zip(m.people, people.text, strict=True):
        assert p.name in label and C.doing(m, p).split(" ")[0] in label
    assert f"minute {m.minute}" in fig.layout.title.text
    # Find a minute with a message and one with a misreading: drawn along edges, marked.
    m2 = IncidentModel(m.cfg, seed=0, record_trace=True)
    seen_msg = seen_misread = False
    while m2.running and m2.minute < 400 and not (seen_msg and seen_misread):
        m2.step()
        f = C.network_figure(m2)
        n = [t.name for t in f.data]
        sent = [x for x in m2.messages if x.minute == m2.minute and any(j != x.sender for j in x.recipients)]
        if sent:
            seen_msg = True
            lines = [t for t in f.data if t.name.startswith("message this minute")]
            assert lines and all(t.marker.symbol == "arrow" and t.marker.angleref == "previous" for t in lines)
            heads = sum(1 for t in lines for size in t.marker.size if size)  # one arrowhead per recipient other than the sender
            assert heads == sum(1 for x in sent for j in x.recipients if j != x.sender and j < len(m2.people))
        marks = f.data[n.index("misreading")]
        if len(marks.x):
            seen_misread = True
            assert "understood" in marks.text[0]
    assert seen_msg and seen_misread


def test_service_figure_symptoms_investigations_and_root():
    m = stepped("default", 80)
    fig = C.service_figure(m)
    names = [t.name for t in fig.data]
    assert names[:4] == ["depends on", "healthy", "symptomatic", "investigated"] and "root cause" not in names
    sym = fig.data[names.index("symptomatic")]
    healthy = fig.data[names.index("healthy")]
    assert len(sym.x) == int(m.system.symptomatic.sum()) and len(sym.x) + len(healthy.x) == m.sg.n
    examined = {s for p in m.people for s, k in enumerate(p.examined) if k}
    assert len(fig.data[names.index("investigated")].x) == len(examined)
    assert len(fig.layout.annotations) == len(m.sg.team_names)  # one "who knows which part" header per team
    shown = C.service_figure(m, reveal_root=True)
    root = shown.data[[t.name for t in shown.data].index("root cause")]
    assert m.sg.names[m.fault.root] in root.hovertext[0] and root.mode == "markers"  # the star; its words above the teams
    words = shown.layout.annotations[-1]
    assert len(shown.layout.annotations) == len(m.sg.team_names) + 1 and m.sg.names[m.fault.root] in words.text
    # Above every team's header (they start at y 0.55), in the room the axis gains when the root is revealed.
    assert words.yanchor == "top" and words.y == shown.layout.yaxis.range[1] > fig.layout.yaxis.range[1]


def test_the_root_cause_label_names_its_fault_type_as_a_fault_type():
    # "data" is a fault type and a team's name: "(data)" alone read as the team.
    cfg = apply_overrides(default_config(), ["fault.type=data"])
    m = IncidentModel(cfg, seed=0)
    text = C.service_figure(m, reveal_root=True).layout.annotations[-1].text
    assert text == f"★ root cause: {m.sg.names[m.fault.root]}, fault type: data"


def test_charts_figure_follows_the_timeline():
    m = stepped("failover", 70)
    fig = charts.charts_figure(m)
    by = {t.name: t for t in fig.data}
    for name in (
        "symptomatic services",
        "active responders",
        "messages sent",
        "messages misread",
        "belief on the true cause",
        "milestones",
    ):
        assert name in by
    assert len(by["messages sent"].y) == m.minute and by["messages sent"].y[-1] == m.counts["messages_sent"]
    assert by["messages misread"].y[-1] == m.counts["messages_misread"]
    assert all(v is None or 0.0 <= v <= 1.0 for v in by["belief on the true cause"].y)
    reached = [k for k, _ in charts.MILESTONES if m.times[k] is not None]
    assert list(by["milestones"].x) == [m.times[k] for k in reached]


def test_histogram_figure_marks_the_current_run_and_censored_runs():
    runs = [{"seed": s, "time_to_resolve": 40 + s} for s in range(10)] + [{"seed": 99, "time_to_resolve": None}]
    fig = charts.histogram_figure(runs, {"seed": 0, "minute": 50, "resolve": 47}, horizon=720)
    names = [t.name for t in fig.data]
    assert names[0] == "resolved runs" and len(fig.data[0].x) == 10
    assert "not resolved by minute 720" in names
    assert any(n.startswith("this run (seed 0): 47") for n in names)
    assert "over 11 other seeds" in fig.layout.title.text
    empty = charts.histogram_figure([], None, horizon=720)
    assert [t.name for t in empty.data] == ["resolved runs"] and empty.layout.annotations


def test_chat_rows_show_route_text_and_what_was_understood():
    m = stepped("failover", 200)
    rows = channel.chat_rows(m, last=10_000)
    assert [r["id"] for r in rows] == [x.id for x in m.messages]
    misread = [r for r in rows if r["misreads"]]
    assert misread, "the failover story should misread something within 200 minutes"
    assert all(mr["understood"] for r in misread for mr in r["misreads"])
    html = channel.chat_html(rows, len(m.messages))
    assert html.count('class="jcs-msg jcs-misread"') == len(misread) and "understood as:" in html
    hostile = [{**rows[0], "text": "<script>alert(1)</script>", "misreads": []}]
    assert "<script>" not in channel.chat_html(hostile, 1)


def test_the_empty_channel_says_who_was_paged_not_that_a_page_is_to_come():
    # The alert's pages go out at minute 0 but are no channel message; the first message may come at minute 28.
    from jcs_sim.app import history
    from jcs_sim.app.app import ClassroomModel

    lesson = Lesson()
    lesson.choose("failover", seed=0)
    m = ClassroomModel(lesson)
    for minute in (0, 1, 5):
        while m.minute < minute:
            m.step()
        assert not m.messages
        html = channel.chat_html([], 0, empty=channel.quiet_note(m))
        assert "goes out" not in html and "first page" not in html
        assert f"Minute {minute}: the alert at minute 0 paged Ana (ops) and Fatima (support)" in html
        assert "nobody has written in the channel yet" in html
    assert "; Ana and Fatima have joined, but" in channel.quiet_note(m)  # by minute 5 both have (at minute 3)
    assert [p.name for p in m.people if p.joined_at is not None] == ["Ana", "Fatima"]
    past = history.PastView(m, m.history[0])
    assert "Minute 0" in channel.quiet_note(past) and "joined" not in channel.quiet_note(past)
    # Before the incident is noticed nobody has been paged, and the note says so.
    cfg = apply_overrides(default_config(), ["detection.alert_minutes=60", "detection.miss_prob=0.0", "detection.report_minutes=1000"])
    late = IncidentModel(cfg, seed=0)
    assert late.times["detect"] is None
    assert "nobody has been paged" in channel.quiet_note(late)
    assert "first page goes out" not in channel.chat_html([], 0)


def test_why_panel_rows_are_the_trace_tables_rows():
    m = stepped("default", 60)
    me = 0
    rows, note = channel.decision_rows(m, me, m.minute)
    assert rows and (note == "" or note.startswith("No decision at minute"))
    d = rows[0]["decision"]
    full = [r for r in trace_table(m).to_pylist() if r["decision"] == d]
    # The same rows trace_table gives (reused, not re-derived), a remediation's remedy named where it can be told.
    assert [{k: v for k, v in r.items() if k != "remedy"} for r in rows] == full
    assert sum(r["chosen"] for r in rows) == 1
    text = explain_decision(rows)
    assert f"{m.people[me].name} (" in text and "chose to" in text
    first_minute = min(r[1] for r in m.trace if r[2] == me)
    early, note = channel.decision_rows(m, me, first_minute - 1)
    assert early and "first was at minute" in note
    never = next((p.idx for p in m.people if p.state == "off"), None)
    if never is not None:
        assert channel.decision_rows(m, never, m.minute) == ([], "")


def test_replays_are_other_seeds_and_kept_per_scenario():
    lesson = Lesson()
    lesson.choose("default", seed=2)
    got = lesson.replay(3)
    assert [s["seed"] for s in got] == [0, 1, 3]  # the session's own seed is skipped
    assert got[0]["time_to_resolve"] == IncidentModel(lesson.cfg, seed=0, record_trace=False).run().summary()["time_to_resolve"]
    lesson.choose("big")
    assert lesson.replayed() == []
    lesson.choose("default", seed=2)
    assert len(lesson.replayed()) == 3


def test_retired_model_stops_stepping():
    from jcs_sim.app.app import ClassroomModel

    m = ClassroomModel(Lesson())
    m.step()
    m.retire()
    m.step()
    assert m.minute == 1 and not m.running


# ----- the viz command and the served assets ------------------------------------
def test_viz_command_is_declared_without_importing_solara():
    code = (
        "import sys; from jcs_sim.cli import build_parser; p = build_parser(); "
        "a = p.parse_args(['viz', '--port', '0']); "
        "print(a.host, a.port, 'solara' in sys.modules, 'jcs_sim.app.app' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["127.0.0.1", "0", "False", "False"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["viz", "--port", "70000"], "out of range"),
        (["viz", "--port", "x"], "not an integer"),
        (["viz", "no/such/config.toml"], "no such config file"),
    ],
)
def test_viz_command_rejects_bad_arguments_in_one_line(args, words):
    done = subprocess.run([sys.executable, "-m", "jcs_sim", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr


def test_viz_refuses_a_port_in_use():
    import socket

    from jcs_sim.app.cli import _bindable

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(ConfigError, match="--port"):
            _bindable("127.0.0.1", s.getsockname()[1])
    assert _bindable("127.0.0.1", 0) > 0


def test_solara_front_end_packages_are_read_from_solara_itself():
    from jcs_sim.app.assets import needed_packages

    specs = needed_packages()
    assert any(s.startswith("@widgetti/solara-vuetify") for s in specs) and any(s.startswith("requirejs@") for s in specs)
    assert all("@" in s.lstrip("@") for s in specs)


def test_viz_config_is_the_base_the_presets_apply_to(monkeypatch):
    from jcs_sim.app.app import CONFIG_ENV, _lesson_for_session

    monkeypatch.setenv(CONFIG_ENV, str(ROOT / "configs" / "three_am_page.toml"))
    lesson = _lesson_for_session()
    assert lesson.base["run"]["start_hour"] == 3.0 and lesson.cfg["run"]["start_hour"] == 3.0
    lesson.choose("big")
    assert lesson.cfg["responders"]["sme_per_team"] == 3 and lesson.cfg["run"]["start_hour"] == 3.0


# ----- issue 12: the app stages an organisation file's people, as `jcs-sim run` does -------------------
ACME = ROOT / "examples" / "acme"


def _acme_lesson(monkeypatch) -> Lesson:
    from jcs_sim.app.app import CONFIG_ENV, _lesson_for_session

    monkeypatch.setenv(CONFIG_ENV, str(ACME / "acme.toml"))
    return _lesson_for_session()


def test_viz_with_an_organisation_file_serves_it_instead_of_refusing(monkeypatch):
    """Issue 12: `jcs-sim viz examples/acme/acme.toml` used to refuse the organisation; now it serves the app on it."""
    import jcs_sim.app.cli as viz_cli
    from jcs_sim.cli import main

    served = []
    monkeypatch.setattr(viz_cli, "serve", lambda config, host, port: served.append(config))
    assert main(["viz", str(ACME / "acme.toml"), "--port", "0"]) == 0
    assert served == [str(ACME / "acme.toml")]


def test_the_apps_model_has_the_organisations_people_as_jcs_sim_run(monkeypatch):
    """Every model the app builds (the page's, a replay's, the settings check's, the what-if's) is `run`'s, from the file."""
    from jcs_sim.app import counterfactual
    from jcs_sim.app.app import ClassroomModel
    from jcs_sim.organisation import incident_model, org_for

    lesson = _acme_lesson(monkeypatch)
    everyone = {p["name"] for p in org_for(lesson.cfg, 0).people}  # the file's 30 people
    org_people = {"Amara", "Bruno", "Elif", "Keiko", "Yusuf", "Abel", "Cyrus"}
    assert org_people <= everyone
    for preset in PRESETS:
        lesson.choose(preset, seed=4)
        want = incident_model(lesson.cfg, seed=4)
        m = ClassroomModel(lesson)
        assert [p.name for p in m.people] == [p.name for p in want.people], preset
        assert {p.name for p in m.people} <= everyone and {p.name for p in m.people} & org_people, preset
        assert (m.familiarity == want.familiarity).all() and m.sg.n == 60  # Acme's ties and its 60-service graph
    lesson.choose("default", seed=4)
    replayed = lesson.replay(3)
    assert [r["time_to_resolve"] for r in replayed] == [
        incident_model(lesson.cfg, seed=s).run().summary()["time_to_resolve"] for s in (0, 1, 2)
    ]
    assert all({r["name"] for r in s["responders"]} & org_people for s in replayed)
    # The what-if replays the run on screen: the same people as drawn (a generated roster would not have Amara).
    m = ClassroomModel(lesson)
    m.run()
    misread = [(who, i) for i, msg in enumerate(m.messages) for _, who, bad, _ in msg.reads if bad]
    if misread:
        c = counterfactual.for_run(m, misread[0][0], misread[0][1])
        assert c.reader in {p.name for p in m.people}


def test_the_page_says_what_the_organisation_sets_and_which_settings_still_apply(monkeypatch):
    lesson = _acme_lesson(monkeypatch)
    org = lesson.org
    assert org is not None and org.name == "Acme" and org.people == 30
    assert (
        org.path.endswith("examples/acme/organisation.toml")
        and "set by the organisation file examples/acme/organisation.toml" in org.note()
    )
    assert "past incidents (past_incidents.csv)" in org.note()
    # Acme has no ties file: its ties are generated from the familiarity settings, so none is replaced, each says how it applies.
    assert org.replaced == {} and lesson.skipped() == []
    assert "past incidents" in org.control_note("relationships.within_team")
    assert "at most each team's engineers" in org.control_note("responders.sme_per_team")
    assert org.control_note("communication.mode") is None
    assert Lesson().org is None


def test_an_organisations_own_ties_replace_the_familiarity_settings_and_presets(tmp_path):
    """With a ties file the familiarity settings would do nothing: their controls are off, the presets' are not applied, and both are listed."""
    import json

    (tmp_path / "services.json").write_text((ACME / "services.json").read_text())
    org_text = (ACME / "organisation.toml").read_text().replace('history = "past_incidents.csv"', 'relationships = "ties.json"')
    (tmp_path / "organisation.toml").write_text(org_text)
    ties = {"nodes": [{"id": "Amara"}, {"id": "Elif"}], "links": [{"source": "Amara", "target": "Elif", "weight": 0.9}]}
    (tmp_path / "ties.json").write_text(json.dumps(ties))
    (tmp_path / "org.toml").write_text('[system]\ngraph_file = "services.json"\n\n[organisation]\nfile = "organisation.toml"\n')
    lesson = Lesson.from_config_file(str(tmp_path / "org.toml"))
    org = lesson.org
    assert org.ties == "ties.json" and "familiarity from its ties (ties.json)" in org.note()
    assert {"relationships.within_team", "relationships.across_team"} <= set(org.replaced)
    assert org.control_note("relationships.across_team") == "set by the organisation file's ties (ties.json)"
    base = lesson.cfg["relationships"]["across_team"]
    lesson.choose("failover")
    assert lesson.skipped() == ["relationships.across_team=0.1", "relationships.across_density=0.15"]
    assert lesson.cfg["relationships"]["across_team"] == base and lesson.cfg["responders"]["include_support"] is True
    lesson.choose("failover", {**lesson.control_values(), "relationships.across_team": "0.9"})  # a disabled control's value: not applied
    assert lesson.cfg["relationships"]["across_team"] == base and lesson.label() == PRESETS["failover"].title


# ----- issue 13: runnable scenarios, run controls, the Why? panel in plain words -------------------
@pytest.mark.parametrize("text", ["0", "0.0", "1e-400"])
def test_a_valid_value_that_makes_an_impossible_scenario_is_refused_with_the_models_message(text):
    lesson = Lesson()
    lesson.choose("3am", seed=4)
    before = (lesson.preset, lesson.seed, lesson.cfg)
    with pytest.raises(ConfigError, match="nobody on call") as err:
        lesson.choose("3am", {**lesson.control_values(), "responders.sme_per_team": text})
    # In words a student can act on: the field by its label, no config keys; and the field's hint agrees with it.
    assert str(err.value) == (
        "the edge, platform and data teams would have nobody on call, so nobody could work on their services. "
        'Set "Team size: experts per other team" to 1 or more.'
    )
    hint = next(c for c in CONTROLS if c.key == "responders.sme_per_team").hint()
    assert hint == "an integer from 1 to 20; 0 leaves teams with nobody on call"
    assert (lesson.preset, lesson.seed, lesson.cfg) == before


def test_an_unexpected_failure_building_the_model_becomes_a_message(monkeypatch):
    import jcs_sim.model

    def broken(self, *args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    lesson = Lesson()
    monkeypatch.setattr(jcs_sim.model.IncidentModel, "__init__", broken)
    with pytest.raises(ConfigError, match="cannot be run .ZeroDivisionError: float division by zero"):
        lesson.choose("big")
    assert lesson.preset == "default"


def _run(lesson: Lesson):
    import solara

    from jcs_sim.app.app import DEFAULT_SPEED, ClassroomModel, Run

    return Run(
        lesson,
        solara.reactive(ClassroomModel(lesson)),
        solara.reactive(False),
        solara.reactive(DEFAULT_SPEED),
        solara.reactive(0),
        solara.reactive(None),
    )


def test_reset_rebuilds_the_lessons_scenario_and_a_failing_step_stops_with_a_message(monkeypatch):
    lesson = Lesson()
    lesson.choose("3am", seed=5)
    run = _run(lesson)
    for _ in range(3):
        run.step()
    old = run.model.value
    assert old.minute == 3 and run.tick.value == 3
    run.playing.set(True)
    run.reset()
    m = run.model.value
    assert m is not old and old.retired and not run.playing.value
    assert (m.minute, m.preset, m.seed, m.cfg["run"]["start_hour"]) == (0, "3am", 5, 3.0)

    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(m, "step", broken)
    run.playing.set(True)
    assert run.advance(m) is False
    assert not run.playing.value and not m.running and "RuntimeError: boom" in run.error.value


def test_play_keeps_its_nominal_pace():
    import threading
    import time

    lesson = Lesson()
    run = _run(lesson)
    run.speed.set("8/s")  # 125 ms per minute
    run.playing.set(True)
    cancel = threading.Event()
    worker = threading.Thread(target=run.play_loop, args=(cancel,))
    started = time.monotonic()
    worker.start()
    time.sleep(1.0)
    cancel.set()
    worker.join(5)
    elapsed = time.monotonic() - started
    expected = elapsed / 0.125
    assert 0.7 * expected <= run.model.value.minute <= expected + 1.5, (run.model.value.minute, expected)


def _rows(chosen: dict, *others: dict) -> list[dict]:
    from jcs_sim.app.core import COMPONENTS

    base = {"minute": 7, "responder": "Ana <b>", "responder_role": "ops", "target": "edge-api1", "fatigue": 0.2, "pressure": 0.5}
    base |= {"unread": 1, "top_suspect": "edge-api1", "top_suspicion": 0.6, "fault_belief": "", "believes_team_stuck": False}
    zero = dict.fromkeys(COMPONENTS, 0.0)
    return [{**base, **zero, **chosen, "chosen": True}] + [{**base, **zero, **other, "chosen": False} for other in others]


def test_why_says_which_way_each_part_went_and_when_noise_decided():
    from jcs_sim.app import why

    # The chosen action carried a smaller risk penalty: it was LESS risky (the old text said "scored higher on risk").
    rows = _rows(
        {"action": "investigate", "risk": -0.1, "effort": -0.5, "g": 1.0, "g_without_noise": 0.9},
        {"action": "remediate", "risk": -0.9, "effort": -0.2, "g": 0.5, "g_without_noise": 0.4},
    )
    cmp = why.comparison(rows[0], rows[1])
    assert cmp["pros"] == [why.WORDS["risk"][0]] and "less risky" in cmp["pros"][0]
    assert cmp["cons"] == [why.WORDS["effort"][1]] and not cmp["noise_decided"]
    text = why.explain_html(rows)
    assert "less risky" in text and "took more time" in text and "Noise decided" not in text
    # The context is what they had as they decided (the look-back's beliefs are those at the end of the minute).
    assert "What they had as they decided:" in text
    assert "Ana &lt;b&gt;" in text and text.count("<details") == 1
    assert "main suspect edge-api1 (0.60)." in text  # no fault type believed: nothing said about one
    # The believed fault type in words (it read "main suspect edge-api2 (0.90), a data.").
    believed = why.explain_html([{**r, "fault_belief": "dependency_outage"} for r in rows])
    assert "main suspect edge-api1 (0.60), believed a dependency outage fault." in believed
    # Without its random part the other option scored higher: the noise decided, and the panel says so.
    noisy = _rows(
        {"action": "investigate", "risk": -0.1, "g": 1.0, "g_without_noise": 0.2},
        {"action": "page", "target": "Ben", "risk": 0.0, "g": 0.9, "g_without_noise": 0.5},
    )
    assert why.comparison(noisy[0], noisy[1])["noise_decided"]
    text = why.explain_html(noisy)
    assert "Noise decided this one" in text and "would have won (by 0.30)" in text
    # Two options each beat the chosen one without noise; only the better of them "would have won", and each
    # option's own line says only how it compared with the chosen action.
    two = _rows(
        {"action": "investigate", "risk": -0.1, "g": 1.0, "g_without_noise": 0.2},
        {"action": "page", "target": "Ben", "risk": 0.0, "g": 0.9, "g_without_noise": 0.5},
        {"action": "page", "target": "Dev", "risk": 0.0, "g": 0.8, "g_without_noise": 0.4},
    )
    text = why.explain_html(two)
    assert text.count("would have won") == 1 and "<b>page Ben</b> would have won (by 0.30)" in text
    assert text.count("would have scored") == 2 and "would have scored 0.20 above the chosen action" in text


def test_why_on_a_real_run_lists_every_candidate_and_marks_the_noise_decided_ones():
    from jcs_sim.app import why

    m = stepped("failover", 60)
    seen_noise = False
    for i in range(len(m.people)):
        for point in why.decision_points(m, i):
            rows, _ = channel.decision_rows(m, i, point["minute"])
            text = why.explain_html(rows)
            assert text.count('<details class="jcs-why-option') == len(rows) - 1
            assert ("Noise decided this one" in text) is point["noise_decided"]
            seen_noise |= point["noise_decided"]
        fig = why.timeline_figure(m, i, None)
        assert sum(len(t.x) for t in fig.data[:2]) == len(why.decision_points(m, i))
    assert seen_noise, "the failover story's first hour should have a decision settled by the random term"


def test_milestone_labels_near_the_right_edge_run_left_and_stay_in_the_plot():
    """The default incident, seed 0, minute 76 (where the lesson plan pauses): "diagnosed by Chloe" at minute 74 of a
    90-minute axis ran right, off the plot ("diagnosed by C")."""
    from jcs_sim.app import charts

    m = stepped("default", 76)
    spec = charts.charts_spec(m)
    ms = next(d for d in spec["data"] if d["name"] == "milestones")
    span = spec["layout"]["xaxis"]["range"][1]
    per_minute = charts.PLOT_WIDTH_PX / span
    placed = [(x, t, p) for x, t, p in zip(ms["x"], ms["text"], ms["textposition"], strict=True) if t]
    assert any(t.startswith("diagnosed by ") and p == "top left" for _, t, p in placed), placed
    extents = []
    for x, t, p in placed:
        w = (len(t) + 1) * charts.LABEL_CHAR_PX
        x0 = x * per_minute - (w if p == "top left" else 0)
        assert 0 <= x0 and x0 + w <= charts.PLOT_WIDTH_PX, (x, t, p)
        extents.append((x0, x0 + w))
    assert all(a[1] <= b[0] for a, b in zip(extents, extents[1:], strict=False)), extents  # apart
    # Close milestones are still joined, and a label that fits runs right.
    assert charts._label_groups([0, 3], ["detected", "acknowledged"], 30) == (["detected, acknowledged", ""], ["top right"] * 2)


def test_milestone_labels_at_the_end_of_a_run_stay_at_their_own_markers():
    """The failover story, seed 128, to its end (markers at 0, 5, 109, 150, 166 of 180): joining a label into the one
    before used to cascade until every milestone was written at minute 5 ("detected, acknowledged, diagnosed by Dev,
    mitigated, resolved"). A label is joined only where the joined one still fits; otherwise only its marker shows."""
    from jcs_sim.app import charts

    words = ["detected", "acknowledged", "diagnosed by Dev", "mitigated", "resolved"]
    labels, where = charts._label_groups([0, 5, 109, 150, 166], words, 180)
    assert labels[0] == "detected, acknowledged" and labels[2] == "diagnosed by Dev"
    assert labels[3] == labels[4] == ""  # no room beside the diagnosis: markers and hover text only
    m = stepped("failover", 400, seed=128)
    spec = charts.charts_spec(m)
    ms = next(d for d in spec["data"] if d["name"] == "milestones")
    assert all(t.count(",") <= 1 for t in ms["text"]), ms["text"]  # never the whole run at one marker
    assert ms["hovertext"][-1] == f"resolved at minute {m.times['resolve']}"  # an unlabelled marker still says itself


def test_status_line_at_the_end_of_a_run_is_compact():
    """The page clamps the status line at two lines; at the end of the failover story (seed 128) its tail was cut."""
    import re

    from jcs_sim.app.app import _status

    for preset, seed, expected in (
        ("failover", 128, "Minute 166 (16:46): resolved; Dev found the root cause at minute 109 (posted at 120); "
         "7 of 7 people active, 0 services symptomatic."),
        ("big", 0, "Minute 720 (02:00): not resolved by the end of the run; Goran found the root cause at minute 300 "
         "(posted at 332); 13 of 13 people active, 9 services symptomatic."),
    ):  # fmt: skip
        m = stepped(preset, 2000, seed)
        assert re.sub(r"<[^>]+>", "", _status(m)) == expected


def test_looking_back_beliefs_are_grouped_by_suspect():
    """One clause per suspect, not per person: the line wrapped to three lines in the big incident."""
    from jcs_sim.app import history

    m = stepped("big", 158)
    tops = {p.name: m.sg.names[p.top_suspects()[0]] for p in m.people if p.state == "active"}
    plain = history.beliefs_html(m, plain=True)
    assert plain.startswith("Beliefs at the end of the minute: ") and "<b>" not in plain
    assert plain.count("suspect") == len(set(tops.values())) and all(plain.count(name) == 1 for name in tops), plain
    assert "Ana, Ivan, Kofi, Mateo suspect payments-core2; " in plain
    assert history.beliefs_html(m).count("<b>") == len(tops)


def test_why_names_each_remedy_keeps_the_gap_apart_and_puts_the_rest_behind_more():
    """The big incident, Kofi at minute 158: seven options read "remediate payments-core2" and 18 options overflowed the panel."""
    import re

    from jcs_sim.app import why

    m = stepped("big", 158)
    kofi = [p.name for p in m.people].index("Kofi")
    rows, _ = channel.decision_rows(m, kofi, 158)
    remedies = [r.get("remedy") for r in rows if r["action"] == "remediate"]
    # Unknown fault type: every remedy, in the action's order (rollback's expected fit, and so its evidence, is twice
    # restart's; code fix carries the bonus of the fixes that failed there).
    assert remedies == ["rollback", "restart", "scale", "failover", "config_revert", "data_repair", "code_fix"]
    evidence = {r["remedy"]: r["evidence"] for r in rows if r["action"] == "remediate"}
    assert evidence["rollback"] == pytest.approx(2 * evidence["restart"]) and evidence["code_fix"] > evidence["rollback"]
    text = why.explain_html(rows)
    labels = re.findall(r'<b class="jcs-why-label">(.*?)</b> <span class="jcs-why-gap">\d+\.\d\d behind</span></summary>', text)
    assert len(labels) == len(rows) - 1 == 18 and len(set(labels)) == len(labels), labels
    assert "rollback on payments-core2" in labels and "code fix on payments-core2" in labels
    assert "remediate payments-core2" not in text
    # The closest options first, the rest behind "+k more".
    assert text.count('<details class="jcs-why-more"><summary>+7 more</summary>') == 1
    assert text.index("+7 more") > text.index(labels[why.MAX_OPTIONS - 2]) and text.index("+7 more") < text.index(labels[-1])


@pytest.mark.parametrize("preset", ["failover", "big"])
def test_looking_back_draws_exactly_what_the_run_showed_at_that_minute(preset):
    """A PastView at minute t gives the same pictures as a fresh run of the same scenario stopped at t."""
    from jcs_sim.app import history
    from jcs_sim.app.app import ClassroomModel

    lesson = Lesson()
    lesson.choose(preset, seed=1)
    live = ClassroomModel(lesson)
    for _ in range(70):
        live.step()
    assert [s.minute for s in live.history] == list(range(71))
    for t in (0, 13, 41, 69):
        past = history.PastView(live, live.history[t])
        fresh = ClassroomModel(lesson)
        for _ in range(t):
            fresh.step()
        assert C.network_spec(past) == C.network_spec(fresh)
        assert C.service_spec(past, reveal_root=True) == C.service_spec(fresh, reveal_root=True)
        assert charts.charts_spec(past) == charts.charts_spec(fresh)
        assert channel.chat_rows(past, last=10_000) == channel.chat_rows(fresh, last=10_000)
        assert history.beliefs_html(past) == history.beliefs_html(fresh)
        assert history.beliefs_html(past).startswith("Beliefs at the end of the minute: ")  # not what Why? shows at a decision
        for i in range(len(fresh.people)):
            assert channel.decision_rows(past, i, t) == channel.decision_rows(fresh, i, t)


def test_moments_are_read_from_the_record():
    from jcs_sim.app import history
    from jcs_sim.app.app import ClassroomModel

    lesson = Lesson()
    lesson.choose("failover", seed=0)
    m = ClassroomModel(lesson)
    wrong_at = []
    while m.running and m.minute < 200:
        before = m.counts["remediations_wrong"]
        m.step()
        if m.counts["remediations_wrong"] > before:
            wrong_at.append(m.minute)
    got = history.moments(m)
    assert set(got) == set(history.MOMENT_KINDS)
    misread_minutes = sorted({r[0] for msg in m.messages for r in msg.reads if r[2]})
    assert got["misreading"] == misread_minutes and misread_minutes
    assert got["page"] == sorted({msg.minute for msg in m.messages if msg.route == "page"})
    assert got["wrong fix"] == wrong_at and wrong_at, "the failover story should have a wrong fix within 200 minutes"
    if m.times["diagnose"] is not None:
        assert got["diagnosis"] and got["diagnosis"][0] <= m.times["diagnose"]
    assert history.neighbour([3, 8, 20], 8, forward=True) == 20 and history.neighbour([3, 8, 20], 8, forward=False) == 3
    assert history.neighbour([3], 3, forward=True) is None
    # After a misreading: who, what was meant and understood, and the reader's next decisions from the trace.
    t = misread_minutes[0]
    after = history.aftermath(m, t)
    assert after and all(a["meant"] and a["understood"] for a in after)
    for a in after:
        reader = next(p.idx for p in m.people if p.name == a["reader"])
        chosen = [r[1] for r in m.trace if r[2] == reader and r[5] and r[1] >= t][: history.AFTER]
        assert [x[0] for x in a["next"]] == chosen
    quiet = next(x for x in range(m.minute) if x not in misread_minutes)
    assert history.aftermath(m, quiet) == []
    assert "misread" in history.aftermath_html(m, t)


def test_two_scenarios_on_one_histogram_with_the_same_bins():
    lesson = Lesson()
    lesson.choose("default", seed=0)
    lesson.replay(4)
    lesson.pin()
    assert lesson.compared() is None  # the pinned scenario is the current one: nothing to compare yet
    lesson.choose("default", {**lesson.control_values(), "communication.mode": "commander"})
    assert lesson.label() == "The default incident with communication.mode=commander"
    lesson.replay(3)
    label, runs = lesson.compared()
    assert label == "The default incident" and len(runs) == 4
    fig = charts.histogram_figure(lesson.replayed(), None, 720, compare=(label, runs))
    hists = [t for t in fig.data if t.type == "histogram"]
    assert len(hists) == 2 and fig.layout.barmode == "overlay"
    assert hists[0].name.startswith("pinned: The default incident (4 runs") and hists[1].name.startswith("this scenario (3 runs")
    assert hists[0].xbins == hists[1].xbins and hists[0].xbins.size >= 1
    lesson.unpin()
    assert lesson.compared() is None


def test_compared_histogram_draws_each_scenarios_unresolved_runs_apart():
    # The pinned scenario's runs not resolved by the horizon get their own bar, told apart from this scenario's,
    # even when this scenario has none; and no overlap of the resolved bars looks like a "not resolved" one.
    ours = [{"time_to_resolve": t} for t in (40, 60, 90)]
    pinned = [{"time_to_resolve": t} for t in (50, 70)] + [{"time_to_resolve": None}] * 3
    for current, other in ((ours, pinned), (ours + [{"time_to_resolve": None}], pinned)):
        fig = charts.histogram_figure(current, None, 720, compare=("slow", other))
        bars = {t.name: t for t in fig.data if t.type == "bar"}
        pinned_bar = next(t for name, t in bars.items() if name.startswith("pinned") and "not resolved by minute 720" in name)
        assert list(pinned_bar.y) == [3]
        ours_censored = sum(1 for s in current if s["time_to_resolve"] is None)
        mine = [t for name, t in bars.items() if name.startswith("this scenario") and "not resolved" in name]
        assert [list(t.y) for t in mine] == ([[ours_censored]] if ours_censored else [])
        assert all(t.marker.pattern.shape for t in bars.values()), "a not-resolved bar is hatched, unlike the histograms"
        if len(mine) == 1:
            assert mine[0].x[0] != pinned_bar.x[0], "the two not-resolved bars stand side by side, not on top of each other"
        assert all(t.marker.line.width >= 1 for t in fig.data if t.type == "histogram"), "overlapping bars are outlined"


# ----- "What if read right?" -------------------------------------------------
# configs/failover_story.toml, seed 128: Fatima (support) reads Ana's "my rollback on payments-api2 didn't fix it; my
# mistake, I was wrong about it" (message 102) at minute 145 as "they are out of ideas" and escalates to management
# at minute 146.
STORY_SEED, STORY_MESSAGE, READ_AT = 128, 102, 145


def _failover_story_run():
    cfg = load_config(ROOT / "configs" / "failover_story.toml")
    drawn = IncidentModel(cfg, seed=STORY_SEED, record_trace=True).run()
    return cfg, drawn, [p.name for p in drawn.people].index("Fatima")


def test_read_right_compares_the_run_with_one_misreading_read_as_meant():
    from jcs_sim.app import counterfactual
    from jcs_sim.replay import Change, divergence, replay

    cfg, drawn, fatima = _failover_story_run()
    c = counterfactual.read_right(cfg, STORY_SEED, fatima, STORY_MESSAGE, drawn=drawn)
    assert (c.reader, c.sender, c.message, c.read_minute) == ("Fatima", "Ana", STORY_MESSAGE, READ_AT)
    assert c.meant == "my rollback on payments-api2 didn't fix it; my mistake, I was wrong about it" and "out of ideas" in c.understood
    assert (c.diverged_at, c.resolve_drawn, c.resolve_read_right, c.horizon) == (146, 166, 204, 720)
    escalated = "Fatima escalated to management: the team is out of ideas, interrupting 5 people"
    finished = "failover on payments-svc2 finished; the tool says failure"  # the same minute in both runs
    assert c.first_drawn == (finished, escalated)
    assert c.first_read_right == (finished,)
    counts = {words: (a, b) for words, a, b in c.counts}
    assert counts["escalations over the team's head (to management)"] == (1, 0)
    assert counts["wrong updates to stakeholders"] == (3, 4) and "people paged" not in counts  # only what differs
    assert c.only_drawn == ((146, escalated),)
    assert c.only_read_right == ()
    # The same comparison as the core's replay (jcs-sim replay --change read-right:Fatima:102 --at 145), and without a run given.
    a, b = replay(cfg, STORY_SEED, [Change("read-right", "Fatima", STORY_MESSAGE)], READ_AT)
    assert (a.times["resolve"], b.times["resolve"]) == (166, 204) and divergence(a, b)["minute"] == 146
    assert (a.counts["bystander_escalations"], b.counts["bystander_escalations"]) == (1, 0)
    assert counterfactual.read_right(cfg, STORY_SEED, fatima, STORY_MESSAGE) == c
    # The app's failover preset with the same seed is the same run.
    lesson = Lesson()
    lesson.choose("failover", seed=STORY_SEED)
    assert counterfactual.read_right(lesson.cfg, STORY_SEED, fatima, STORY_MESSAGE) == c
    words = counterfactual.comparison_html(c)
    for text in ("first differ at <b>minute 146</b>", "166 minutes", "204 minutes", "38 minutes later (minute 204 instead of 166)",
                 "Did not happen when read right:</b> minute 146: Fatima escalated to management"):  # fmt: skip
        assert text in words, text
    assert "didn&#x27;t fix it" in words and "didn't" not in words  # escaped
    # The first difference says only what differed, and not again what the lines below say.
    assert "first differ at <b>minute 146</b>.</p>" in words and words.count("Fatima escalated to management") == 1
    from dataclasses import replace as with_

    (same,) = c.first_read_right  # the failover finished in both runs
    told = counterfactual.comparison_html(with_(c, only_drawn=()))
    assert "first differ at <b>minute 146</b>: as it happened, Fatima escalated to management" in told
    assert "; read right, that did not happen.</p>" in told and same not in told
    swapped = counterfactual.comparison_html(with_(c, only_drawn=(), first_drawn=c.first_read_right, first_read_right=c.first_drawn))
    assert (
        ": read right, Fatima escalated to management: the team is out of ideas, interrupting 5 people; as it happened, that did not happen."
        in swapped
    )
    # docs/teaching.md's second example: the preset's seed 0, Emeka's misreading of Ana's message 12 at minute 55 (read
    # right, the run is faster).
    emeka = [p.name for p in drawn.people].index("Emeka")
    zero = counterfactual.read_right(cfg, 0, emeka, 12)
    assert (zero.sender, zero.read_minute, zero.resolve_drawn, zero.resolve_read_right) == ("Ana", 55, 233, 159)


def test_read_right_refuses_a_read_that_was_not_a_misreading():
    from jcs_sim.app import counterfactual

    cfg, drawn, fatima = _failover_story_run()
    right = next((r, msg.id) for msg in drawn.messages for _, r, mis, _ in msg.reads if not mis)
    with pytest.raises(ValueError, match="did not misread message"):
        counterfactual.read_right(cfg, STORY_SEED, right[0], right[1], drawn=drawn)
    with pytest.raises(ValueError, match="does not exist"):
        counterfactual.read_right(cfg, STORY_SEED, fatima, 10_000, drawn=drawn)


def test_read_right_of_the_run_on_screen_leaves_it_where_it_is_and_is_computed_once():
    from jcs_sim.app import counterfactual
    from jcs_sim.app.app import ClassroomModel

    cfg, drawn, fatima = _failover_story_run()
    lesson = Lesson()
    lesson.choose("failover", seed=STORY_SEED)
    live = ClassroomModel(lesson)
    for _ in range(READ_AT + 6):
        live.step()
    c = counterfactual.for_run(live, fatima, STORY_MESSAGE)
    assert live.minute == READ_AT + 6 and live.running  # the run on screen did not move
    assert c == counterfactual.read_right(cfg, STORY_SEED, fatima, STORY_MESSAGE, drawn=drawn)
    assert counterfactual.for_run(live, fatima, STORY_MESSAGE) is c  # asked twice: kept
    live.run()
    other = next((r, msg.id) for msg in live.messages for _, r, mis, _ in msg.reads if mis and (r, msg.id) != (fatima, STORY_MESSAGE))
    assert counterfactual.for_run(live, *other).resolve_drawn == 166


def test_channel_offers_read_right_on_each_misreading_and_the_page_answers_it():
    import solara

    from jcs_sim.app.app import WhatIf

    lesson = Lesson()
    lesson.choose("failover", seed=STORY_SEED)
    run = _run(lesson)
    run.what_if = solara.reactive(None)
    while run.model.value.minute < READ_AT + 1:
        run.step()
    m = run.model.value
    rows = channel.chat_rows(m, last=10_000)
    html = channel.chat_html(rows, len(m.messages), what_if=True)
    assert html.count('class="jcs-readright"') == sum(len(r["misreads"]) for r in rows) > 0
    fatima = [p.name for p in m.people].index("Fatima")
    assert f'data-reader="{fatima}" data-message="{STORY_MESSAGE}"' in html
    assert "jcs-readright" not in channel.chat_html(rows, len(m.messages))  # only where asked for
    run.ask_read_right(fatima, STORY_MESSAGE)
    assert run.what_if.value == WhatIf(m, fatima, STORY_MESSAGE)  # asked: "replaying..." until answered
    run.answer_read_right()
    answer = run.what_if.value
    assert answer.error is None and "166 minutes" in answer.html and "204 minutes" in answer.html
    run.step()
    assert run.what_if.value is answer  # the answer is about the whole run: it stays while the run goes on
    run.close_read_right()
    assert run.what_if.value is None
    run.ask_read_right(fatima, STORY_MESSAGE)
    run.reset()  # a new run before the answer came: the question is dropped, and a late answer too
    assert run.what_if.value is None
    run.answer_read_right()
    assert run.what_if.value is None
    run.what_if.set(WhatIf(run.model.value, fatima, STORY_MESSAGE))
    run.answer_read_right()  # minute 0: nobody has misread anything yet... but the run to the end has: it answers
    assert "204 minutes" in run.what_if.value.html
    run.what_if.set(WhatIf(run.model.value, 0, 0))
    run.answer_read_right()
    assert run.what_if.value.html is None and "Could not replay" in run.what_if.value.error


# ----- issue 13's leftovers: fit at 1280x720, no toolbar over titles, labels apart, who found it, distinct bars ----------
def test_the_plotly_toolbar_is_off_so_it_cannot_cover_a_title():
    from jcs_sim.app.widgets import _TEMPLATE

    assert "displayModeBar: false" in _TEMPLATE


@pytest.mark.parametrize("preset", list(PRESETS))
def test_network_labels_do_not_overlap_each_other_or_the_dots(preset):
    """Issue 13: in the 13-person network "Fatima ... not paged" sat on "Emeka ..."; the labels' estimated boxes are now apart.

    The boxes are each label at its widest (name line, longest state, longest target), so they stay apart whatever anyone does.
    """
    import itertools

    from jcs_sim.app.app import ClassroomModel

    for seed in range(10):
        lesson = Lesson()
        lesson.choose(preset, seed=seed)
        m = ClassroomModel(lesson)
        spec = C.network_spec(m)
        people = next(t for t in spec["data"] if t.get("name") == "responders")
        boxes = [
            C.label_box(x, y, q, C._label_lines(m, p))
            for x, y, q, p in zip(people["x"], people["y"], people["textposition"], m.people, strict=True)
        ]
        for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2):
            assert C._overlap(a, b) == 0, (preset, seed, m.people[i].name, m.people[j].name)
        assert all(0 <= b[0] and b[2] <= C.NETWORK_PX[0] and 30 <= b[1] and b[3] <= C.NETWORK_PX[1] for b in boxes), (preset, seed)


def test_the_status_line_and_the_progress_chart_say_who_found_the_root_cause_and_whether_they_posted_it():
    """Issue 13: a responder concluded the root cause and posted nothing; "who found it?" could not be answered on screen."""
    from jcs_sim.app import history
    from jcs_sim.app.app import ClassroomModel, _status

    lesson = Lesson()
    lesson.choose("failover", seed=0)
    full = ClassroomModel(lesson).run()
    at = full.times["diagnose"]
    assert at is not None, "the failover story (seed 0) is diagnosed"
    root = {full.sg.names[c] for c in full.fault.causes}
    who = next(w for t, w, text in full.events if t == at and any(text.startswith(f"concluded: {r} is the root cause") for r in root))
    idx = [p.name for p in full.people].index(who)
    posted = next((msg.minute for msg in full.messages if msg.sender == idx and msg.minute >= at and msg.content.kind == "root"), None)
    m = ClassroomModel(lesson)
    while m.minute < at - 1:
        m.step()
    assert history.diagnosis(m) is None and "found the root cause" not in _status(m)
    m.step()  # the minute they concluded it
    assert history.diagnosis(m) == history.Diagnosis(who, at, posted if posted == at else None)
    if posted != at:
        assert f"<b>{who}</b> found the root cause at minute {at} (not posted yet)" in _status(m)
    spec = charts.charts_spec(m)
    assert f"diagnosed at {at} by {who}" in spec["layout"]["title"]["text"]
    assert any(f"diagnosed by {who}" in t for t in next(d for d in spec["data"] if d["name"] == "milestones")["text"])
    if posted is not None:
        while m.minute < posted:
            m.step()
        assert f"<b>{who}</b> found the root cause at minute {at} (posted at {posted})" in _status(m)


def test_the_compared_not_resolved_bars_are_in_their_scenarios_colours():
    """Issue 13: both scenarios' not-resolved bars were grey hatching (the pattern replaced the fill); now each is its histogram's colour."""
    this = [{"time_to_resolve": t} for t in (50, 60, None, None)]
    pinned = [{"time_to_resolve": t} for t in (80, None)]
    spec = charts.histogram_spec(this, None, 720, compare=("pinned one", pinned))
    hist = {t["name"].split(" ")[0].rstrip(":"): t["marker"] for t in spec["data"] if t["type"] == "histogram"}
    bars = {t["name"].split(":")[0]: t["marker"] for t in spec["data"] if t["type"] == "bar"}
    assert set(bars) == {"pinned", "this scenario"}
    assert bars["pinned"]["color"] == hist["pinned"]["color"] and bars["this scenario"]["color"] == hist["this"]["color"]
    assert bars["pinned"]["color"] != bars["this scenario"]["color"]
    for who, key in (("pinned", "pinned"), ("this scenario", "this")):
        pattern = bars[who]["pattern"]
        assert pattern["fillmode"] == "overlay" and pattern["fgcolor"] == hist[key]["line"]["color"], who
    assert bars["pinned"]["pattern"]["fgcolor"] != bars["this scenario"]["pattern"]["fgcolor"]
    go.Figure(spec)  # a valid plotly figure
