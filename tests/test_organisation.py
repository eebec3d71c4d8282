"""The organisation file (issue 12, item 1): people, teams, rotations, skills, whole-org ties, history.

Exact answers on small files (who is paged, what a past incident adds to a
tie), properties over seeds (the alert always pages the owning team's
on-call), the shipped example organisation, and one-line errors for bad
files. Commands run in-process through ``jcs_sim.cli.main``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from jcs_sim.campaign import Campaign
from jcs_sim.cli import main
from jcs_sim.config import ConfigError, apply_overrides, check_mode, load_config
from jcs_sim.organisation import Organisation, history_familiarity, incident_model
from jcs_sim.streams import Streams

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "examples" / "acme"

# A tiny organisation: web (team front) -> api -> db (team back).
GRAPH = {
    "directed": True,
    "nodes": [{"id": "web", "team": "front"}, {"id": "api", "team": "back"}, {"id": "db", "team": "back"}],
    "links": [{"source": "web", "target": "api"}, {"source": "api", "target": "db"}],
}
ORG = """
name = "tiny"

[[teams]]
name = "back"
on_call = ["Bo", "Bea"]

[[people]]
name = "Fay"
team = "front"
experience = 0.9

[[people]]
name = "Fin"
team = "front"

[[people]]
name = "Bea"
team = "back"
knows = ["web"]

[[people]]
name = "Bo"
team = "back"

[[people]]
name = "Cal"
role = "commander"

[[people]]
name = "Sol"
role = "support"

[[people]]
name = "Tom"
team = "back"
role = "comms"
"""


def tiny(tmp_path: Path, org: str = ORG, extra: str = "", **files: str) -> Path:
    (tmp_path / "services.json").write_text(json.dumps(GRAPH))
    (tmp_path / "org.toml").write_text(org)
    for name, text in files.items():
        (tmp_path / name.replace("_", ".")).write_text(text)
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(f'[system]\ngraph_file = "services.json"\n\n[organisation]\nfile = "org.toml"\n{extra}')
    return cfg


def jcs(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as exc:
        rc = int(exc.code)
    out, err = capsys.readouterr()
    return rc, out, err


# ----- who is on call ------------------------------------------------------------------------


def test_run_pages_the_owning_teams_on_call_from_the_rotation(tmp_path):
    cfg = load_config(tiny(tmp_path, extra='\n[fault]\nroot_cause = "db"\ncross_team = false\n'))
    s = incident_model(cfg, seed=0).run().summary()
    assert (s["first_alert"], s["first_alert_team"]) == ("web", "front")
    roles = [(r["name"], r["role"], r["team"]) for r in s["responders"]]
    # front's on-call is its first engineer in file order; back's is the first of its [[teams]] on_call list.
    assert roles == [
        ("Fay", "ops", "front"),
        ("Bo", "sme", "back"),
        ("Cal", "commander", ""),
        ("Sol", "support", ""),
        ("Tom", "comms", "back"),
    ]
    assert [r["name"] for r in s["responders"] if r["paged_at"] == 0] == ["Fay", "Sol"]
    # The next shift: the second person of each rotation.
    cfg = apply_overrides(cfg, ["organisation.rotation_slot=1"])
    s = incident_model(cfg, seed=0).run().summary()
    assert [r["name"] for r in s["responders"]][:2] == ["Fin", "Bea"]


def test_the_alert_always_pages_the_owning_teams_on_call_on_the_example_org():
    cfg = apply_overrides(load_config(ACME / "acme.toml"), ["detection.alert_minutes=0.0", "detection.miss_prob=0.0"])
    for seed in range(10):
        model = incident_model(cfg, seed=seed)
        team = model.sg.team_names[int(model.sg.team_of[model.fault.first_alert])]
        ops = [p for p in model.people if p.role == "ops"]
        assert len(ops) == 1 and ops[0].team == team and ops[0].paged_at == 0, seed
        assert {p.team for p in model.people if p.role == "sme"} == set(model.sg.team_names) - {team}


def test_people_file_has_more_people_than_are_on_call(tmp_path):
    """Issue 12: a whole-organisation relationship file (here with 'Fin', never on call in shift 0) is accepted."""
    ties = {"nodes": [{"id": n} for n in ("Fay", "Fin", "Bo", "Cal")], "links": [{"source": "Fay", "target": "Bo", "weight": 0.8}]}
    org = ORG.replace('name = "tiny"', 'name = "tiny"\nrelationships = "ties.json"')
    cfg = load_config(tiny(tmp_path, org=org, ties_json=json.dumps(ties)))
    model = incident_model(cfg, seed=0)
    names = [p.name for p in model.people]
    assert "Fin" not in names
    f = model.familiarity
    assert f[names.index("Fay"), names.index("Bo")] == 0.8 and f[names.index("Fay"), names.index("Cal")] == 0.0


def test_skills_make_knowledge_deep(tmp_path):
    cfg = load_config(tiny(tmp_path))
    org = Organisation(cfg, Streams(0), campaign=False)
    web = org.sg.names.index("web")
    bea, bo = org.index["Bea"], org.index["Bo"]
    # Bea knows web ('knows'), Bo does not: deep ~0.8 against shallow ~0.15 (sd 0.08).
    assert org.know[bea, web] > 0.5 > org.know[bo, web]


def test_run_with_an_organisation_is_reproducible_and_matches_the_cli(capsys):
    cfg = load_config(ACME / "acme.toml")
    a = incident_model(cfg, seed=3).run().summary()
    b = incident_model(cfg, seed=3).run().summary()
    assert a == b
    rc, out, err = jcs(capsys, "run", ACME / "acme.toml", "--seed", "3", "--json")
    assert rc == 0, err
    assert json.loads(out) == json.loads(json.dumps(a))
    assert {r["name"] for r in a["responders"]} <= {p["name"] for p in Organisation(cfg, Streams(3), False).people}


# ----- familiarity from past incidents ---------------------------------------------------------


def test_history_exact_answer(tmp_path):
    csv = tmp_path / "h.csv"
    csv.write_text("incident,date,participants\nA,2026-01-01,Ana;Ben\nB,2026-01-11,Ana;Ben;Cy\n")
    h = history_familiarity(csv, ["Ana", "Ben", "Cy"], gain=0.2, half_life_days=10.0)
    ab = 0.2 * 0.5  # incident A, halved over the 10 days to incident B
    ab = ab + 0.2 * (1 - ab)  # then incident B
    assert math.isclose(h[0, 1], ab) and math.isclose(h[1, 0], ab)
    assert math.isclose(h[0, 2], 0.2) and math.isclose(h[1, 2], 0.2)
    assert np.all(np.diag(h) == 0.0)
    # Without decay, two shared incidents: 1 - (1 - 0.2)^2.
    assert math.isclose(history_familiarity(csv, ["Ana", "Ben", "Cy"], 0.2, 0.0)[0, 1], 1 - 0.8**2)


def test_history_raises_cross_team_ties_in_the_example_org(tmp_path):
    """The same people and draws with and without the example's past incidents."""
    for name in ("services.json", "past_incidents.csv"):
        (tmp_path / name).write_text((ACME / name).read_text())
    (tmp_path / "organisation.toml").write_text((ACME / "organisation.toml").read_text().replace('history = "past_incidents.csv"', ""))
    (tmp_path / "acme.toml").write_text((ACME / "acme.toml").read_text())
    with_history = Organisation(load_config(ACME / "acme.toml"), Streams(0))
    without = Organisation(load_config(tmp_path / "acme.toml"), Streams(0))
    assert [p["name"] for p in with_history.people] == [p["name"] for p in without.people]
    assert np.all(with_history.fam >= without.fam - 1e-12)
    assert with_history.state()["tie_across_mean"] > without.state()["tie_across_mean"] + 0.02


def test_history_gain_zero_adds_nothing(tmp_path):
    org = ORG.replace('name = "tiny"', 'name = "tiny"\nhistory = "h.csv"')
    cfg = load_config(tiny(tmp_path, org=org, h_csv="participants\nFay;Bo;Cal\n"))
    zero = apply_overrides(cfg, ["organisation.history_gain=0"])
    a, b = Organisation(cfg, Streams(0)), Organisation(zero, Streams(0))
    fay, bo = a.index["Fay"], a.index["Bo"]
    assert math.isclose(a.fam[fay, bo], 1 - (1 - b.fam[fay, bo]) * (1 - 0.15))


# ----- campaigns ---------------------------------------------------------------------------------


def test_campaign_uses_the_files_people_and_aims_game_days(tmp_path):
    cfg = load_config(ACME / "gamedays.toml")
    check_mode(cfg, "campaign")
    camp = Campaign(cfg, seed=1, days=28)
    people = {p["name"] for p in camp.org.people}
    fam0 = camp.org.fam.copy()
    camp.run()
    paged = {r["name"] for row in camp.incidents for r in json.loads(row["responders"])}
    assert paged and paged <= people
    assert camp.summary()["gamedays"] == 2
    # Game days between payments and platform only: no edge-checkout pair gained.
    teams = np.array([p["team"] for p in camp.org.people])
    edge, checkout = np.flatnonzero(teams == "edge"), np.flatnonzero(teams == "checkout")
    pay, plat = np.flatnonzero(teams == "payments"), np.flatnonzero(teams == "platform")
    quiet = Campaign(load_config(ACME / "acme.toml"), seed=1, days=28).run()
    assert edge.size == checkout.size == 4
    assert camp.org.fam[np.ix_(pay, plat)].mean() > quiet.org.fam[np.ix_(pay, plat)].mean() > 0
    assert fam0.shape == camp.org.fam.shape


def test_no_incidents_game_days_touch_only_the_named_teams(tmp_path):
    cfg = apply_overrides(load_config(ACME / "gamedays.toml"), ["campaign.incidents_per_day=0", "campaign.tie_decay_per_day=0"])
    camp = Campaign(cfg, seed=0, days=14)
    fam0 = camp.org.fam.copy()
    camp.run()
    teams = np.array([p["team"] for p in camp.org.people])
    chosen = np.isin(teams, ["payments", "platform"])
    changed = camp.org.fam != fam0
    assert changed.any()
    assert not changed[~chosen].any() and not changed[:, ~chosen].any()


# ----- errors ------------------------------------------------------------------------------------

BAD = [
    (
        "people_team",
        ORG.replace('team = "front"\nexperience', 'team = "frnt"\nexperience'),
        ("people[0] (Fay).team", "'frnt'", "front, back", "Did you mean 'front'"),
    ),
    ("role", ORG.replace('role = "support"', 'role = "suport"'), ("people[5] (Sol).role", "'suport'", "'engineer'")),
    (
        "on_call",
        ORG.replace('on_call = ["Bo", "Bea"]', 'on_call = ["Bo", "Fay"]'),
        ("teams[0].on_call", "'Fay'", "not an engineer of team 'back'"),
    ),
    (
        "knows",
        ORG.replace('knows = ["web"]', 'knows = ["wbe"]'),
        ("people[2] (Bea).knows", "'wbe'", "neither a service nor a team", "Did you mean 'web'"),
    ),
    ("top_key", "nmae = 'x'\n" + ORG, ("unknown key 'nmae'", "Did you mean 'name'")),
    ("experience", ORG.replace("experience = 0.9", "experience = 1.5"), ("people[0] (Fay).experience", "1.5", "from 0 to 1")),
    ("duplicate", ORG + '\n[[people]]\nname = "Bo"\nteam = "back"\n', ("'Bo' is used twice",)),
    (
        "history_missing",
        ORG.replace('name = "tiny"', 'name = "tiny"\nhistory = "nope.csv"'),
        ("key 'history' = 'nope.csv'", "no such file"),
    ),
    (
        "unstaffed",
        ORG.replace('name = "Fay"\nteam = "front"', 'name = "Fay"\nteam = "back"').replace(
            'name = "Fin"\nteam = "front"', 'name = "Fin"\nteam = "back"'
        ),
        ("team(s) front", "allow_unstaffed_teams"),
    ),
]


@pytest.mark.parametrize(("case", "org", "fragments"), BAD, ids=[c for c, _, _ in BAD])
def test_bad_organisation_files_are_one_line_errors(capsys, tmp_path, case, org, fragments):
    cfg = tiny(tmp_path, org=org)
    rc, out, err = jcs(capsys, "run", cfg)
    assert rc == 2 and out == "", (case, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jcs-sim: error: ") and "Traceback" not in err
    assert "org.toml" in lines[0], lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


BAD_HISTORY = [
    ("participants\nFay;Zed\n", ("line 2", "'Zed' is not in the organisation file")),
    ("incident,date,participants\nX,2026-13-01,Fay;Bo\n", ("line 2 (X)", "'2026-13-01'", "YYYY-MM-DD")),
    ("incident,who\nX,Fay\n", ("no 'participants' column", "incident, who")),
    ("participants\n", ("no incidents",)),
]


@pytest.mark.parametrize(("text", "fragments"), BAD_HISTORY, ids=["unknown", "date", "column", "empty"])
def test_bad_history_files_are_one_line_errors(capsys, tmp_path, text, fragments):
    org = ORG.replace('name = "tiny"', 'name = "tiny"\nhistory = "h.csv"')
    cfg = tiny(tmp_path, org=org, h_csv=text)
    rc, _, err = jcs(capsys, "run", cfg)
    assert rc == 2
    line = err.strip()
    assert "\n" not in line and "h.csv" in line
    for fragment in fragments:
        assert fragment in line, (fragment, line)


def test_gameday_teams_are_checked(tmp_path):
    cfg = load_config(ACME / "acme.toml")
    for value, fragment in (("payments,platfrom", "Did you mean 'platform'"), ("payments", "fewer than two teams")):
        bad = apply_overrides(cfg, [f'campaign.gameday_teams="{value}"'])
        with pytest.raises(ConfigError, match=fragment):
            Campaign(bad, seed=0, days=1)


def test_organisation_replaces_generated_people_keys(capsys):
    rc, _, err = jcs(capsys, "campaign", ACME / "acme.toml", "--days", "1", "--set", "campaign.team_size=7")
    assert rc == 2 and "'campaign.team_size' = 7 has no effect with organisation.file" in err


def test_a_sweep_runs_on_the_organisation_file(tmp_path):
    """`sweep` uses the organisation file like `run`: a sweep run equals `run` of the same config and seed."""
    from jcs_sim.sweep.design import parse_sweep
    from jcs_sim.sweep.execute import run_chunk

    raw = {"sweep": {"replications": 2}, "base": {"file": str(ACME / "acme.toml")}, "grid": {"organisation.rotation_slot": [0, 1]}}
    sweep = parse_sweep(raw, where="org-sweep", root=tmp_path)
    rows = run_chunk(sweep, list(range(sweep.n_runs)))["summary"].to_pylist()
    assert all(r["error"] is None for r in rows)
    for r in rows:
        s = incident_model(sweep.config(r["point_id"]), seed=r["seed"]).run().summary()
        assert r["time_to_resolve"] == s["time_to_resolve"] and r["messages_sent"] == s["messages_sent"]


def test_campaign_says_whose_people_it_ran(capsys):
    """Issue 12: a campaign used generated people while the user believed their roster was in; now it says which."""
    rc = main(["campaign", str(ACME / "acme.toml"), "--days", "2"])
    out = capsys.readouterr().out
    assert rc == 0 and "organisation             Acme: 30 people from organisation.toml (24 engineers in 6 teams;" in out
    main(["campaign", "--days", "2"])
    assert "organisation             generated: 20 engineers in 4 teams of 5" in capsys.readouterr().out


def test_every_way_of_running_an_incident_uses_the_organisation_file():
    """Issue 12: the Python API, Mesa's batch_run model and the EMA adapter staff the incident from the file, like `run`."""
    from jcs_sim import run
    from jcs_sim.organisation import incident_model
    from jcs_sim.sweep.interop import BatchRunModel, incident_outcomes

    cfg = load_config(ACME / "acme.toml")
    want = [p.name for p in incident_model(cfg, seed=4).people]
    assert [r["name"] for r in run(cfg, seed=4)["responders"]] == want
    files = {"system__graph_file": str(ACME / "services.json"), "organisation__file": str(ACME / "organisation.toml")}
    assert [p.name for p in BatchRunModel(seed=4, **files).people] == want
    assert incident_outcomes(seed=4, **files)["time_to_resolve"] == run(cfg, seed=4)["time_to_resolve"]
