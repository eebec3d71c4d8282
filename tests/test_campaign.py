"""Campaigns: an organisation over weeks (``jcs_sim.campaign``, ``jcs-sim campaign``).

Issue 4: a campaign with no incidents changes only by decay and game days;
with connective actions and game days off, ties across teams never rise;
a campaign is reproducible from its seed (in-process and from the CLI);
the new config keys are validated; ``--out`` writes the two tables.
"""

from __future__ import annotations

import concurrent.futures
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from jcs_sim import IncidentModel
from jcs_sim.campaign import INCIDENT_KEYS, Campaign
from jcs_sim.config import apply_overrides, default_config

ROOT = Path(__file__).resolve().parents[1]
DAY_KEYS = ("tie_within_mean", "tie_across_mean", "knowledge_coverage", "burnout_mean")


def config(*sets: str) -> dict:
    return apply_overrides(default_config(), list(sets))


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jcs_sim", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=120)


def column(camp: Campaign, key: str) -> np.ndarray:
    return np.array([row[key] for row in camp.day_rows])


def same_team(camp: Campaign) -> np.ndarray:
    teams = np.array([p["team"] for p in camp.org.people])
    return (teams[:, None] == teams[None, :]) & (teams[:, None] != "")


# ----- no incidents: decay and game days only ------------------------------------------


def test_no_incidents_no_gamedays_only_decay():
    days = 60
    camp = Campaign(config("campaign.incidents_per_day=0", "campaign.gameday_interval_days=0"), seed=1, days=days)
    fam0, know0 = camp.org.fam.copy(), camp.org.know.copy()
    camp.run()
    assert camp.incidents == []
    across, within = column(camp, "tie_across_mean"), column(camp, "tie_within_mean")
    assert len(camp.day_rows) == days + 1
    assert across[0] > 0.0
    assert np.all(np.diff(across) < 0.0), "across-team ties must fall every day without contact"
    assert np.all(within == within[0]), "teammates are in daily contact: their ties do not decay"
    for key in ("knowledge_coverage", "knowledge_mean"):
        assert np.all(column(camp, key) == column(camp, key)[0]), key
    assert np.all(column(camp, "burnout_mean") == 0.0) and np.all(column(camp, "burnout_max") == 0.0)
    assert not any(row["gameday"] for row in camp.day_rows)
    # Exactly the decay rule: w * exp(-rate * days) for every pair without contact.
    decay = math.exp(-default_config()["campaign"]["tie_decay_per_day"])
    expected = np.where(same_team(camp), fam0, fam0 * decay**days)
    np.fill_diagonal(expected, 1.0)
    assert np.allclose(camp.org.fam, expected, rtol=1e-12, atol=0)
    assert np.array_equal(camp.org.know, know0)


def test_no_daily_contact_lets_within_team_ties_decay_too():
    camp = Campaign(config("campaign.incidents_per_day=0", "campaign.team_daily_contact=false"), seed=1, days=20).run()
    assert np.all(np.diff(column(camp, "tie_within_mean")) < 0.0)


def test_no_incidents_gamedays_raise_across_team_ties_on_game_days():
    interval, days = 7, 56
    camp = Campaign(config("campaign.incidents_per_day=0", f"campaign.gameday_interval_days={interval}"), seed=2, days=days).run()
    held = [row["day"] for row in camp.day_rows if row["gameday"]]
    assert held == list(range(interval, days + 1, interval))
    across, within = column(camp, "tie_across_mean"), column(camp, "tie_within_mean")
    coverage = column(camp, "knowledge_coverage")
    for d in range(1, days + 1):
        if d in held:
            assert across[d] > across[d - 1], f"day {d}: a game day did not raise the across-team mean"
            assert coverage[d] > coverage[d - 1], f"day {d}: a game day did not spread knowledge"
        else:
            assert across[d] < across[d - 1], f"day {d}: across-team ties rose without a game day or an incident"
            assert coverage[d] == coverage[d - 1]
    assert np.all(within == within[0])
    assert np.all(column(camp, "burnout_mean") == 0.0)
    assert camp.summary()["gamedays"] == len(held)


def test_without_connective_actions_or_gamedays_across_ties_never_rise():
    cfg = config("connective.enabled=false", "campaign.gameday_interval_days=0", "campaign.incidents_per_day=2")
    for seed in range(2):
        camp = Campaign(cfg, seed=seed, days=30).run()
        assert len(camp.incidents) > 30
        across = column(camp, "tie_across_mean")
        assert np.all(np.diff(across) <= 0.0), f"seed {seed}: across-team ties rose on day {int(np.argmax(np.diff(across))) + 1}"
        assert all(row["connective_acts"] == 0 and row["tie_change_total"] <= 0.0 for row in camp.incidents)


def test_with_connective_actions_incidents_build_across_team_ties():
    """The positive control of the test above: the same campaigns with connective actions on."""
    cfg = config("campaign.gameday_interval_days=0", "campaign.incidents_per_day=2")
    rises = 0
    for seed in range(2):
        across = column(Campaign(cfg, seed=seed, days=30).run(), "tie_across_mean")
        rises += int(np.sum(np.diff(across) > 0.0))
    assert rises > 0


def test_incidents_leave_burnout_and_reviews_behind():
    camp = Campaign(config("campaign.incidents_per_day=2"), seed=0, days=30).run()
    assert max(column(camp, "burnout_mean")) > 0.0
    assert np.all(column(camp, "burnout_max") <= 1.0)
    assert column(camp, "knowledge_coverage")[-1] > column(camp, "knowledge_coverage")[0]


# ----- reproducibility --------------------------------------------------------------------


def test_campaign_is_reproducible_from_its_seed():
    cfg = config("campaign.gameday_interval_days=14")
    a = Campaign(cfg, seed=5, days=45).run()
    b = Campaign(cfg, seed=5, days=45).run()
    assert a.incidents == b.incidents and len(a.incidents) > 0
    assert a.day_rows == b.day_rows
    assert np.array_equal(a.org.fam, b.org.fam) and np.array_equal(a.org.burnout, b.org.burnout)


def test_campaign_cli_json_matches_a_fresh_process_and_in_process():
    proc = cli("campaign", "--json", "--days", "30", "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    again = cli("campaign", "--json", "--days", "30", "--seed", "3")
    assert again.stdout == proc.stdout
    here = json.loads(json.dumps(Campaign(default_config(), seed=3, days=30).run().summary()))
    assert json.loads(lines[0]) == here
    assert here["days"] == 30 and here["seed"] == 3


def test_different_seeds_differ():
    a = Campaign(default_config(), seed=0, days=30).run()
    b = Campaign(default_config(), seed=1, days=30).run()
    assert a.incidents != b.incidents
    assert a.day_rows != b.day_rows


def test_incident_seeds_differ_within_a_campaign():
    camp = Campaign(config("campaign.incidents_per_day=1"), seed=0, days=20).run()
    seeds = [row["seed"] for row in camp.incidents]
    assert len(set(seeds)) == len(seeds) > 5


# ----- validation through the CLI -------------------------------------------------------------


BAD_ARGS = [
    (("--set", "campaign.team_size=0"), ("campaign.team_size", "out of range")),
    (("--set", "connective.speedup=2"), ("connective.speedup", "out of range", "0 to 1")),
    (("--set", "campaign.incidents_per_day=-1"), ("campaign.incidents_per_day", "out of range")),
    (("--set", "campaign.gameday_interval_days=1.5"), ("campaign.gameday_interval_days",)),
    (("--set", "connective.enabled=maybe"), ("connective.enabled",)),
    (("--set", "campaign.share_sev2=0.9", "--set", "campaign.share_sev3=0.5"), ("share_sev2", "share_sev3")),
    (("--days", "0"), ("--days", ">= 1")),
    (("--days", "-3"), ("--days",)),
    (("--set", "campaign.gameday_intreval_days=7"), ("unknown key", "Did you mean 'gameday_interval_days'")),
    (("--set", "connectve.speedup=0.5"), ("unknown section", "Did you mean 'connective'")),
]


@pytest.fixture(scope="module")
def bad_runs() -> dict[tuple[str, ...], subprocess.CompletedProcess]:
    """All the invalid invocations at once, in parallel (each is a fresh interpreter)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        procs = pool.map(lambda args: cli("campaign", "--json", *args), [args for args, _ in BAD_ARGS])
        return {args: proc for (args, _), proc in zip(BAD_ARGS, procs, strict=True)}


@pytest.mark.parametrize(("args", "fragments"), BAD_ARGS, ids=[" ".join(a) for a, _ in BAD_ARGS])
def test_campaign_cli_rejects_bad_values_with_one_error_line(bad_runs, args, fragments):
    proc = bad_runs[args]
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("jcs-sim: error: ")
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert proc.stdout == ""


def test_campaign_config_file_is_validated(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[campaign]\nburnout_recovery_per_day = 1.5\n")
    proc = cli("campaign", bad, "--days", "5")
    assert proc.returncode == 2 and proc.stderr.startswith("jcs-sim: error: ")
    assert "campaign.burnout_recovery_per_day" in proc.stderr or "burnout_recovery_per_day" in proc.stderr


# ----- the tables ---------------------------------------------------------------------------


def test_campaign_out_writes_incident_and_day_tables(tmp_path):
    out = tmp_path / "camp"
    days, seed = 21, 4
    proc = cli("campaign", "--days", days, "--seed", seed, "--set", "campaign.incidents_per_day=1", "--out", out)
    assert proc.returncode == 0, proc.stderr
    incidents = pq.read_table(out / "incidents.parquet").to_pylist()
    day_rows = pq.read_table(out / "days.parquet").to_pylist()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["incidents"] == len(incidents) > 0 and summary["days"] == days

    single = IncidentModel(default_config(), seed=0, record_trace=False).run().summary()
    for key in INCIDENT_KEYS:
        assert key in single, f"{key} is not a single-incident metric"
    for row in incidents:
        for key in (*INCIDENT_KEYS, "incident", "day", "hour", "severity", "seed", "responders"):
            assert key in row, key
        assert 0 <= row["day"] < days and 0.0 <= row["hour"] < 24.0 and row["severity"] in (1, 2, 3)
        responders = json.loads(row["responders"])
        assert responders and {"name", "role", "team", "joined_at"} <= set(responders[0])
        assert any(r["role"] == "ops" for r in responders)
    assert [r["incident"] for r in incidents] == list(range(len(incidents)))

    assert [r["day"] for r in day_rows] == list(range(days + 1))  # day 0 is the state before the first day
    for row in day_rows:
        for key in DAY_KEYS:
            assert key in row and row[key] is not None and 0.0 <= row[key] <= 1.0, key
    assert sum(r["incidents"] for r in day_rows) == len(incidents)

    # The files hold what an in-process campaign computes.
    camp = Campaign(config("campaign.incidents_per_day=1"), seed=seed, days=days).run()
    assert incidents == json.loads(json.dumps(camp.incidents))
    assert day_rows == camp.day_rows


def test_campaign_with_no_incidents_writes_an_empty_incident_table(tmp_path):
    camp = Campaign(config("campaign.incidents_per_day=0"), seed=0, days=3).run()
    paths = camp.write(tmp_path / "empty")
    table = pq.read_table(paths["incidents"])
    assert table.num_rows == 0
    assert {"responders", *INCIDENT_KEYS} <= set(table.column_names)
    assert pq.read_table(paths["days"]).num_rows == 4


def test_campaign_cli_prints_a_readable_summary():
    proc = cli("campaign", "--days", "10", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    assert "jcs-sim campaign: 10 days, seed 1" in proc.stdout
    for fragment in ("median time to resolve", "mean tie across teams", "cross-team knowledge", "mean burnout"):
        assert fragment in proc.stdout


def test_campaign_out_onto_a_file_is_a_user_error(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("")
    proc = cli("campaign", "--days", "2", "--out", target)
    assert proc.returncode == 2 and proc.stderr.startswith("jcs-sim: error: ") and "--out" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# ----- the responders switches ------------------------------------------------------------------


def roles_paged(*sets: str) -> set[str]:
    camp = Campaign(config("campaign.incidents_per_day=1", *sets), seed=0, days=10).run()
    return {r["role"] for row in camp.incidents for r in json.loads(row["responders"])}


def test_campaign_honours_include_commander():
    assert "commander" in roles_paged()
    assert "commander" not in roles_paged("responders.include_commander=false")


def test_campaign_honours_include_support_and_include_comms():
    roles = roles_paged("responders.include_support=false", "responders.include_comms=false")
    assert "support" not in roles and "comms" not in roles
