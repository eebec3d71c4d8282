"""``jcs-sim compare`` (issue 12, item 4): paired runs, a verdict with a CI, a report.

The statistics get exact answers on known inputs; the command is run
in-process on a few seeds (identical configs must give exactly "no
difference"), and bad input is a one-line error.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from jcs_sim.cli import main
from jcs_sim.compare import verdict
from jcs_sim.sweep import stats

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "examples" / "acme"


def jcs(capsys, *argv) -> tuple[int, str, str]:
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as exc:
        rc = int(exc.code)
    out, err = capsys.readouterr()
    return rc, out, err


# ----- statistics --------------------------------------------------------------------------


def test_paired_ratio_exact_when_b_is_half_of_a():
    rng = np.random.default_rng(0)
    a = np.array([[10.0], [20.0], [30.0], [40.0]])
    r = stats.paired_quantile_ratio(a, a / 2, 0.5, rng, B=500)
    assert (r["a"], r["b"], r["ratio"], r["ratio_ci"]) == (20.0, 10.0, 0.5, [0.5, 0.5])


def test_paired_ratio_pools_clusters_and_counts_unresolved_as_never():
    rng = np.random.default_rng(0)
    a = stats.pad_clusters([np.array([10.0, 20.0]), np.array([30.0])])
    b = stats.pad_clusters([np.array([10.0, np.inf]), np.array([np.inf])])
    r = stats.paired_quantile_ratio(a, b, 0.5, rng, B=200)
    assert r["a"] == 20.0 and r["b"] is None and r["ratio"] is None  # B's median is not reached


def test_paired_mean_difference():
    r = stats.paired_mean_difference(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0]), np.random.default_rng(0), B=100)
    assert r["difference"] == 1.0 and r["difference_ci"] == [1.0, 1.0]


def fake(ratio: float, lo: float, hi: float) -> dict:
    med = {"a": 100.0, "b": 100.0 * ratio, "ratio": ratio, "ratio_ci": [lo, hi]}
    p90 = {"a": 200.0, "b": 180.0, "ratio": 0.9, "ratio_ci": [0.8, 0.95]}
    return {
        "unit": "incident", "campaign_days": None, "runs": 50, "seeds": list(range(50)), "bootstrap": 2000, "ci_level": 0.95,
        "primary": "ratio of median time to resolve (B / A)", "time_to_resolve": {"median": med, "p90": p90},
        "pairs": {"b_faster": 30, "b_slower": 10, "same": 10}, "incidents_A": 50, "incidents_B": 50, "censored_A": 0, "censored_B": 1,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("ratio", "lo", "hi", "headline"),
    [
        (0.92, 0.88, 0.97, "B resolves incidents 8% faster [3%, 12%]: median 100 min vs 92 min; 90th percentile 200 min vs 180 min"),
        (1.10, 1.02, 1.20, "B resolves incidents 10% slower [2%, 20%]"),
        (0.97, 0.90, 1.05, "No clear difference: B/A = 0.97 [0.90, 1.05], from 10% faster to 5% slower"),
    ],
)
def test_verdict_headline(ratio, lo, hi, headline):
    lines = verdict(fake(ratio, lo, hi), ("a.toml", "b.toml"))
    assert lines[0] == "jcs-sim compare: 50 paired incidents (seeds 0-49, the same in A and B)"
    assert lines[3].startswith("  " + headline), lines[3]
    assert "B was faster in 30 of 50 pairs, slower in 10, the same in 10" in "\n".join(lines)


# ----- the command -----------------------------------------------------------------------------


def test_identical_configs_give_exactly_no_difference(capsys):
    rc, out, err = jcs(capsys, "compare", ROOT / "configs" / "default.toml", ROOT / "configs" / "default.toml", "--runs", "6")
    assert rc == 0, err
    assert "B/A = 1.00 [1.00, 1.00]" in out and "B was faster in 0 of 6 pairs, slower in 0, the same in 6" in out
    assert "resolve to the same config" in out


def test_compare_is_reproducible_and_writes_its_report(capsys, tmp_path):
    b = tmp_path / "direct.toml"
    b.write_text('[communication]\nmode = "direct"\n')
    args = ("compare", ROOT / "configs" / "default.toml", b, "--runs", "8", "--seed", "3")
    rc, first, err = jcs(capsys, *args, "--json")
    assert rc == 0, err
    rc, again, _ = jcs(capsys, *args, "--json", "--out", tmp_path / "rep")
    assert first == again
    res = json.loads(first)
    assert res["seeds"] == list(range(3, 11)) and res["unit"] == "incident"
    for name in ("report.html", "summary.json", "pairs.csv", "config_A.toml", "config_B.toml"):
        assert (tmp_path / "rep" / name).is_file(), name
    assert json.loads((tmp_path / "rep" / "summary.json").read_text()) == res
    rows = (tmp_path / "rep" / "pairs.csv").read_text().splitlines()
    assert len(rows) == 9 and rows[0].startswith("seed,incident,time_to_detect_A,time_to_acknowledge_A")
    # Pair 3 is `jcs-sim run` with seed 3 of each config.
    rc, out, _ = jcs(capsys, "run", b, "--seed", "3", "--json")
    assert rows[1].split(",")[-1] == str(json.loads(out)["time_to_resolve"] or "")


def test_compare_campaigns_on_the_example_org(capsys):
    rc, out, err = jcs(capsys, "compare", ACME / "acme.toml", ACME / "gamedays.toml", "--campaign", "14", "--runs", "2")
    assert rc == 0, err
    assert "2 paired campaigns of 14 days" in out
    assert "game days: A 0, B 2 (in all 2 campaigns)" in out
    assert "across-team ties, change over the campaign" in out


BAD = [
    (
        ("gamedays.toml", "acme.toml"),
        ("gamedays.toml", "'campaign.gameday_interval_days' = 14", "no effect in `run`", "compare --campaign"),
    ),
    (("acme.toml", "acme.toml", "--runs", "1"), ("--runs 1", ">= 2")),
    (("acme.toml", "nope.toml"), ("nope.toml", "no such config file")),
    (("acme.toml", "acme.toml", "--campaign", "0"), ("--campaign",)),
]


@pytest.mark.parametrize(("args", "fragments"), BAD, ids=["campaign-key", "runs", "missing", "days"])
def test_compare_errors_are_one_line(capsys, args, fragments):
    argv = [str(ACME / a) if a.endswith(".toml") else a for a in args]
    rc, out, err = jcs(capsys, "compare", *argv)
    assert rc == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jcs-sim: error: ") and "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_static_export_writes_png_and_svg(capsys, tmp_path):
    """--static: every figure as PNG and SVG (kaleido with a headless Chromium, as experiments/ use)."""
    pytest.importorskip("kaleido")
    default = ROOT / "configs" / "default.toml"
    rc, out, err = jcs(capsys, "compare", default, default, "--runs", "3", "--out", tmp_path / "rep", "--static")
    if rc == 2 and "Chrome or Chromium" in err:
        pytest.skip("no Chromium for kaleido here")
    assert rc == 0, err
    names = sorted(p.name for p in (tmp_path / "rep" / "figures").iterdir())
    assert names == ["phases_ratio.png", "phases_ratio.svg", "survival.png", "survival.svg"]
    assert (tmp_path / "rep" / "figures" / "survival.png").read_bytes()[:4] == b"\x89PNG"
    assert "4 figure files in figures/" in out
