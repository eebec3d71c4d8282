"""``jcs-sim ablate``: paired ratios computed right, mechanisms that switch something off, the command end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest

from jcs_sim.ablate import MECHANISMS, Mechanism, ablate, paired_ratios
from jcs_sim.cli import main
from jcs_sim.config import apply_overrides, default_config


def test_paired_ratios_of_a_doubling_are_two_with_no_spread():
    base = np.array([10.0, 40.0, 90.0, 300.0])
    r = paired_ratios(base, 2 * base)
    assert r["geomean"] == pytest.approx((2.0, 2.0, 2.0)) and r["median"] == pytest.approx((2.0, 2.0, 2.0))


def test_paired_ratios_use_the_pairs():
    """The same values in another pairing give another answer: the seeds are paired, not pooled."""
    base = np.array([10.0, 20.0, 40.0, 80.0])
    assert paired_ratios(base, base)["geomean"] == (1.0, 1.0, 1.0)
    shuffled = paired_ratios(base, base[::-1])
    assert shuffled["geomean"][0] == pytest.approx(1.0) and shuffled["geomean"][1] < 0.8 < 1.25 < shuffled["geomean"][2]


def test_every_mechanism_switch_is_valid_and_changes_the_config():
    cfg = default_config()
    assert len({m.name for m in MECHANISMS}) == len(MECHANISMS) >= 20
    for m in MECHANISMS:
        assert apply_overrides(cfg, list(m.off)) != cfg, m.name


def test_a_switch_that_changes_nothing_shows_no_effect_and_a_slower_team_shows_one():
    cfg = default_config()
    nothing = Mechanism("nothing", "sets a key to its default", ("investigation.base_minutes=8.0",))
    slower = Mechanism("slower", "investigations take five times as long", ("investigation.base_minutes=40.0",))
    rows = {r["mechanism"]: r for r in ablate(cfg, runs=8, mechanisms=(nothing, slower))}
    assert rows["nothing"]["resolve_geomean"] == 1.0 and not rows["nothing"]["detectable"]
    assert rows["nothing"]["resolve_geomean_lo"] == rows["nothing"]["resolve_geomean_hi"] == 1.0
    assert rows["slower"]["resolve_geomean_lo"] > 1.0 and rows["slower"]["detectable"]
    assert rows["slower"]["diagnose_geomean"] > 1.0


def test_the_command_prints_a_table_and_writes_its_files(tmp_path, capsys):
    out = tmp_path / "abl"
    assert main(["ablate", "--runs", "4", "--only", "misreading", "--only", "decision_noise", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "misreading" in text and "decision_noise" in text and "geomean TTR" in text
    assert {p.name for p in out.iterdir()} == {"ablation.csv", "ablation.json", "ablation.md", "ablation.html"}
    data = json.loads((out / "ablation.json").read_text())
    assert [r["mechanism"] for r in data["rows"]] == ["misreading", "decision_noise"] and data["config"]["run"]["max_minutes"] == 720
    assert "<svg" in (out / "ablation.html").read_text()


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--only", "nope"], "no such mechanism"), (["--runs", "1"], "at least two seeds"), (["--workers", "0"], "--workers 0")],
)
def test_bad_arguments_exit_2_with_one_line(args, words, capsys):
    assert main(["ablate", "--runs", "2", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and "\n" not in err


def test_ablate_refuses_keys_a_single_incident_ignores(capsys):
    """Issue 12: no key silently ignored; campaign keys do nothing in `ablate`, which runs single incidents."""
    assert main(["ablate", "--set", "campaign.gameday_interval_days=7", "--runs", "2"]) == 2
    assert "has no effect in `run`" in capsys.readouterr().err
