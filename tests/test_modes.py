"""No key is silently ignored (issue 12, item 2), and an explicit roster's alert pages the owning team.

A key set to a non-default value in a mode that ignores it is refused with
exit 2 and one line naming where it came from, the key, the value, the mode
and the mode that uses it. Commands run in-process (``jcs_sim.cli.main``)
so the file takes a few seconds.
"""

from __future__ import annotations

import pytest

from jcs_sim import IncidentModel
from jcs_sim.cli import main
from jcs_sim.config import ConfigError, check_mode, default_config, validate
from jcs_sim.sweep.design import parse_sweep


def jcs(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        rc = main(list(argv))
    except SystemExit as exc:  # argparse errors
        rc = int(exc.code)
    out, err = capsys.readouterr()
    return rc, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jcs-sim: error: ") and "Traceback" not in err, err
    return lines[0]


# ----- run refuses campaign keys --------------------------------------------------------


def test_run_refuses_a_campaign_key_from_set(capsys):
    rc, out, err = jcs(capsys, "run", "--set", "campaign.gameday_interval_days=7")
    assert rc == 2 and out == ""
    line = one_error_line(err)
    for fragment in ("--set", "'campaign.gameday_interval_days' = 7", "no effect in `run`", "`campaign`"):
        assert fragment in line, (fragment, line)


def test_run_refuses_a_campaign_key_from_a_file_naming_the_file(capsys, tmp_path):
    cfg = tmp_path / "org.toml"
    cfg.write_text("[campaign]\ngameday_participants = 3\n")
    rc, _, err = jcs(capsys, "run", str(cfg))
    assert rc == 2
    line = one_error_line(err)
    assert str(cfg) in line and "campaign.gameday_participants" in line and "no effect in `run`" in line


def test_a_campaign_key_at_its_default_changes_nothing_and_passes(capsys):
    rc, out, _ = jcs(capsys, "run", "--json", "--set", "campaign.gameday_interval_days=0")
    assert rc == 0 and out.startswith("{")


# ----- campaign refuses single-incident keys -------------------------------------------------

CAMPAIGN_REFUSED = [
    ("run.start_hour=3", "run.start_hour"),
    ("fault.initial_severity=3", "fault.initial_severity"),
    ("responders.hours_awake=20", "responders.hours_awake"),
    ('relationships.file="people.json"', "relationships.file"),
    ("organisation.rotation_slot=2", "organisation.rotation_slot"),
]


@pytest.mark.parametrize(("setting", "key"), CAMPAIGN_REFUSED, ids=[k for _, k in CAMPAIGN_REFUSED])
def test_campaign_refuses_keys_it_ignores(capsys, setting, key):
    rc, out, err = jcs(capsys, "campaign", "--days", "2", "--set", setting)
    assert rc == 2 and out == ""
    line = one_error_line(err)
    assert f"'{key}'" in line and "no effect in `campaign`" in line and "used by `run`" in line, line


def test_campaign_refuses_an_explicit_roster():
    cfg = validate({"responders": {"roster": [{"name": "Ana", "role": "ops", "team": "edge", "paged_at_start": True}]}})
    with pytest.raises(ConfigError, match=r"'responders.roster' = \[1 people\] has no effect in `campaign`.*organisation.file"):
        check_mode(cfg, "campaign")
    check_mode(cfg, "run")  # an explicit roster is what `run` uses


def test_history_keys_without_an_organisation_file_are_refused():
    cfg = default_config()
    cfg["organisation"]["history_gain"] = 0.3
    with pytest.raises(ConfigError, match="organisation.history_gain.*no effect without an organisation file"):
        check_mode(cfg, "run")


def test_the_default_config_passes_both_modes():
    for mode in ("run", "campaign"):
        assert check_mode(default_config(), mode) == default_config()


# ----- sweeps ---------------------------------------------------------------------------------


def test_sweep_over_a_campaign_key_of_single_incidents_is_refused():
    """The issue's sweep: identical arms over campaign.gameday_interval_days = [0, 14]."""
    raw = {"sweep": {"replications": 2}, "grid": {"campaign.gameday_interval_days": [0, 14]}}
    with pytest.raises(ConfigError) as exc:
        parse_sweep(raw, where="gd.toml")
    msg = str(exc.value)
    assert msg.startswith("gd.toml [grid.campaign.gameday_interval_days = 14]: key 'campaign.gameday_interval_days' = 14")
    assert "no effect in `run`" in msg and "campaign_days" in msg


def test_sweep_base_and_sample_are_checked_too():
    with pytest.raises(ConfigError, match=r"\[base\]: key 'campaign.days'"):
        parse_sweep({"sweep": {"replications": 1}, "base": {"campaign": {"days": 30}}}, where="s.toml")
    raw = {"sweep": {"replications": 1}, "sample": {"method": "latin", "n": 4, "parameters": {"campaign.gameday_gain": {}}}}
    with pytest.raises(ConfigError, match=r"\[sample.parameters.campaign.gameday_gain\]"):
        parse_sweep(raw, where="s.toml")


def test_campaign_sweep_accepts_campaign_keys_and_refuses_single_incident_ones():
    ok = parse_sweep({"sweep": {"replications": 1, "campaign_days": 30}, "grid": {"campaign.gameday_interval_days": [0, 14]}})
    assert ok.mode == "campaign" and ok.n_runs == 2
    with pytest.raises(ConfigError, match="'run.start_hour' = 3.0 has no effect in `campaign`"):
        parse_sweep({"sweep": {"replications": 1, "campaign_days": 30}, "grid": {"run.start_hour": [3.0, 14.0]}})
    with pytest.raises(ConfigError, match="sweep.outputs"):
        parse_sweep({"sweep": {"replications": 1, "campaign_days": 30, "outputs": ["trace"]}})


def test_incident_sweep_digest_is_unchanged_by_the_campaign_option():
    """Old sweep folders resume: campaign_days enters the design's identity only when it is set."""
    sweep = parse_sweep({"sweep": {"replications": 1}, "grid": {"communication.mode": ["channel", "direct"]}})
    assert "campaign_days" not in sweep.normalized()


# ----- the explicit roster pages the team owning the first alert ---------------------------------

ROSTER = [
    {"name": "Ana", "role": "ops", "team": "edge", "paged_at_start": True},
    {"name": "Ben", "role": "ops", "team": "payments"},
    {"name": "Chloe", "role": "ops", "team": "platform"},
    {"name": "Dev", "role": "ops", "team": "data"},
    {"name": "Emeka", "role": "commander"},
    {"name": "Fatima", "role": "support", "paged_at_start": True},
]


# Detected at minute 0: these tests are about whom the alert pages, not when.
INSTANT = {"alert_minutes": 0.0, "miss_prob": 0.0}


def paged_at_start(roster: list[dict], seed: int) -> tuple[str, list[str]]:
    model = IncidentModel(validate({"responders": {"roster": roster}, "run": {"max_minutes": 10}, "detection": INSTANT}), seed=seed)
    s = model.run().summary()
    return s["first_alert_team"], [r["name"] for r in s["responders"] if r["paged_at"] == 0]


def test_explicit_roster_alert_pages_the_owning_teams_on_call():
    """Issue 12's seed 4: the first alert is on payments-api1 (payments); edge's on-call used to be paged."""
    assert paged_at_start(ROSTER, seed=4) == ("payments", ["Ben", "Fatima"])
    assert paged_at_start(ROSTER, seed=1) == ("data", ["Dev", "Fatima"])
    assert paged_at_start(ROSTER, seed=0) == ("edge", ["Ana", "Fatima"])


def test_the_alert_pages_the_owning_teams_sme_when_it_has_no_ops():
    roster = [dict(p) for p in ROSTER]
    roster[1] = {"name": "Ben", "role": "sme", "team": "payments"}
    assert paged_at_start(roster, seed=4) == ("payments", ["Ben", "Fatima"])


def test_the_alert_always_pages_the_owning_team():
    """Property: over many seeds, someone of the first alert's team is paged at minute 0, and no other team's ops."""
    for seed in range(12):
        model = IncidentModel(
            validate({"responders": {"roster": ROSTER}, "run": {"max_minutes": 10}, "detection": INSTANT}), seed=seed
        ).run()
        team = model.sg.team_names[int(model.sg.team_of[model.fault.first_alert])]
        at_zero = [p for p in model.people if p.paged_at == 0]
        assert any(p.team == team for p in at_zero), seed
        assert all(p.team in ("", team) for p in at_zero), seed


def test_the_campaign_sweep_example_in_docs_sweeps_md_parses():
    """docs/sweeps.md's campaign sweep (base file relative to a sweep file in experiments/) is a valid 8-point campaign design."""
    import re
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "sweeps.md").read_text()
    block = next(b for b in re.findall(r"```toml\n(.*?)```", text, re.DOTALL) if "campaign_days = 90" in b)
    sweep = parse_sweep(tomllib.loads(block), where="docs/sweeps.md", root=root / "experiments")
    assert sweep.mode == "campaign" and sweep.campaign_days == 90 and sweep.n_points == 8 and sweep.n_runs == 240
    assert sweep.config(0)["organisation"]["file"].endswith("examples/acme/organisation.toml")
