"""Reports: the HTML has the survival curves and CIs, the JSON every number; the statistics give known answers;
SALib's Sobol and Morris analyses run on their designs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from jcs_sim.sweep import stats
from jcs_sim.sweep.design import load_sweep
from jcs_sim.sweep.execute import run_sweep
from jcs_sim.sweep.report import write_report

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "sweeps"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "out"
    run_sweep(load_sweep(DATA / "small.toml"), out, workers=2, progress=False)
    paths = write_report(out, bootstrap=300)
    return out, paths, json.loads(paths["json"].read_text())


def test_report_html_is_self_contained_with_survival_curves_and_cis(report):
    out, paths, res = report
    text = paths["html"].read_text()
    assert paths["html"] == out / "report.html"
    assert "Kaplan-Meier survival of time to resolve" in text
    assert "Median time to resolve [95% CI]" in text  # the two-factor heatmap
    assert "Pairwise effect sizes" in text and "Cliff's delta" in text
    assert 'src="https://cdn.plot.ly/plotly' not in text and len(text) > 3_000_000  # plotly.js inline: it opens offline
    cdn = write_report(out, html=out / "small.html", json_path=out / "s.json", plotlyjs="cdn", bootstrap=100)
    cdn_text = cdn["html"].read_text()
    assert 'src="https://cdn.plot.ly/plotly' in cdn_text and len(cdn_text) < 500_000


def test_summary_json_has_cis_for_every_condition_and_time(report):
    _, _, res = report
    assert res["runs"] == {"planned": 16, "done": 16, "errors": 0, "complete": True}
    assert [c["label"] for c in res["conditions"]][0] == "familiarity=low, communication.mode=channel"
    for c in res["conditions"]:
        assert c["runs_done"] == 4
        for k in stats.TIMES:
            s = c["times"][k]
            assert s["n"] == 4
            for name in ("median", "p90", "geomean"):
                lo, hi = s[f"{name}_ci"]
                if s[name] is not None and lo is not None and hi is not None:
                    assert lo <= s[name] <= hi or name == "geomean"
        km = c["km"]
        assert km["survival"][0] <= 1.0 and all(a >= b for a, b in zip(km["survival"], km["survival"][1:], strict=False))
    # A 2 x 2 design: the four pairs that differ in one factor, not the two that change both.
    assert len(res["pairwise"]) == 4 and all(p["paired"] for p in res["pairwise"])
    assert res["pairwise_scope"].startswith("pairs of conditions that differ in one factor only")
    assert [e["factor"] for e in res["main_effects"]] == ["familiarity", "communication.mode"]
    assert len(res["interactions"]) == 1 and len(res["vs_reference"]) == 3
    assert len(res["heatmap"]["median_time_to_resolve"]) == 2
    assert res["sweep"]["common_random_numbers"] is True


# ----- statistics: exact answers on small known inputs --------------------------------------
def test_quantiles_treat_unreached_times_as_infinite_and_match_kaplan_meier():
    rng = np.random.default_rng(0)
    x = np.array([5.0, 7.0, 9.0, np.nan, np.nan])  # 2 of 5 unreached
    s = stats.time_stats(x, rng, B=200)
    assert s["median"] == 9.0 and s["p90"] is None and s["n_reached"] == 3
    assert s["geomean"] == pytest.approx((5 * 7 * 9) ** (1 / 3))
    km = stats.kaplan_meier(np.array([5, 7, 9, 60, 60]), np.array([1, 1, 1, 0, 0]), "x")
    assert km["median"] == 9.0
    s2 = stats.time_stats(np.array([5.0, np.nan, np.nan]), rng, B=200)
    assert s2["median"] is None  # more than half never reached it: the median is not reached


def test_cliffs_delta_and_holm_exact():
    assert stats.cliffs_delta(np.array([1.0, 2.0]), np.array([3.0, 4.0])) == 1.0
    assert stats.cliffs_delta(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == -1.0
    assert stats.cliffs_delta(np.array([1.0, 2.0, 3.0]), np.array([2.0])) == 0.0
    assert stats.cliffs_delta(np.array([1.0, np.inf]), np.array([np.inf])) == 0.5  # unreached runs tie at the top
    assert stats.holm([0.01, 0.04, 0.03, None]) == [0.03, 0.06, 0.06, None]


def test_bootstrap_ci_covers_and_is_reproducible():
    x = np.random.default_rng(1).lognormal(3.0, 1.0, 400)
    a = stats.bootstrap_ci(x, stats._median, np.random.default_rng(5), B=500)
    b = stats.bootstrap_ci(x, stats._median, np.random.default_rng(5), B=500)
    assert a == b and a[0] < np.median(x) < a[1]
    assert a[0] < np.exp(3.0) < a[1]


def test_paired_bootstrap_is_sharper_under_common_random_numbers():
    rng = np.random.default_rng(2)
    base = rng.lognormal(4.0, 1.0, 300)
    slower = base * 1.05  # the same incidents, each 5% slower
    key = np.arange(300)
    g = [{"label": "A", "x": base, "duration": base, "event": np.ones(300), "key": key}]
    paired = stats.pairwise(g + [{"label": "B", "x": slower, "duration": slower, "event": np.ones(300), "key": key}], rng, B=400)[0]
    unpaired = stats.pairwise(g[:1] + [{"label": "B", "x": slower, "duration": slower, "event": np.ones(300), "key": None}], rng, B=400)[0]
    assert paired["paired"] and not unpaired["paired"]
    assert paired["ratio_of_medians"] == pytest.approx(1.05)
    assert paired["ratio_ci"][0] == pytest.approx(1.05) and paired["ratio_ci"][1] == pytest.approx(1.05)
    assert unpaired["ratio_ci"][0] < 1.0 < unpaired["ratio_ci"][1]  # without pairing, 300 runs cannot see 5%


# ----- SALib designs --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, keys", [("sobol.toml", ("S1", "S1_conf", "ST", "ST_conf")), ("morris.toml", ("mu", "mu_star", "sigma", "mu_star_conf"))]
)
def test_sobol_and_morris_designs_give_salib_indices(tmp_path, name, keys):
    sw = load_sweep(DATA / name)
    res = run_sweep(sw, tmp_path / "out", workers=1, progress=False)
    assert res["ran"] == sw.n_runs and res["errors"] == 0
    paths = write_report(tmp_path / "out", bootstrap=100)
    out = json.loads(paths["json"].read_text())
    sens = out["sensitivity"]
    assert sens["method"] == sw.sample.method and sens["output"] == sw.sample.output
    [entry] = sens["by_condition"]
    assert entry["names"] == list(sw.sample.names)
    for k in keys:
        assert len(entry[k]) == 2
    assert "Sensitivity" in paths["html"].read_text()


# ----- issue 12: reports fit for a paper -------------------------------------------------------


def _synthetic(scale_11: float):
    """A 2 x 2 design with known answers: B doubles every time, A triples it, and (a1, b1) is scaled by ``scale_11``."""
    from jcs_sim.sweep.report import _comparisons

    t = np.arange(10.0, 60.0, 1.0)
    key = np.arange(len(t))
    cells = {("a0", "b0"): t, ("a1", "b0"): 2 * t, ("a0", "b1"): 3 * t, ("a1", "b1"): 6 * t * scale_11}
    conditions, groups = [], []
    for (a, b), x in cells.items():
        conditions.append({"label": f"A={a}, B={b}", "levels": {"A": a, "B": b}})
        groups.append({"label": f"A={a}, B={b}", "x": x, "duration": x, "event": np.ones(len(x)), "key": key})
    result = {"pairwise": []}
    _comparisons(result, {"A": ["a0", "a1"], "B": ["b0", "b1"]}, conditions, groups, np.random.default_rng(0), 200, True)
    return result


def test_main_effects_and_interactions_exact():
    res = _synthetic(1.0)
    effects = {e["factor"]: (e["ratio"], e["ratio_ci"]) for e in res["main_effects"]}
    assert effects["A"] == (2.0, [2.0, 2.0])  # A doubles the time at either level of B
    assert effects["B"] == (3.0, [3.0, 3.0])
    (inter,) = res["interactions"]
    assert (inter["ratio"], inter["ratio_ci"]) == (1.0, [1.0, 1.0])  # the effects multiply: no interaction
    inter2 = _synthetic(2.0)["interactions"][0]
    assert inter2["ratio"] == 2.0 and inter2["ratio_ci"] == [2.0, 2.0]
    assert len(res["pairwise"]) == 4 and len(res["vs_reference"]) == 3


def test_report_writes_csv_tables_summary_and_embeds_the_design(report):
    out, paths, res = report
    import csv

    tables = {p.stem: list(csv.DictReader(p.open())) for p in (out / "tables").glob("*.csv")}
    assert set(tables) == {"conditions", "pairwise", "vs_reference", "main_effects", "interactions"}
    assert len(tables["conditions"]) == 4 * len(stats.TIMES) and len(tables["pairwise"]) == 4
    assert tables["main_effects"][0]["factor"] == "familiarity"
    text = paths["html"].read_text()
    assert "<h2>Base config</h2>" in text and "max_minutes = 60" in text and "Sweep design" in text
    assert "Forest plot" in text and "Main effects" in text
    summary = (out / "summary.txt").read_text()
    assert summary.startswith("Sweep small: 4 condition(s), 16 of 16 runs done, 0 error(s); each run is one incident.")
    assert res["base_config"]["run"]["max_minutes"] == 60


def test_report_cli_prints_the_summary_paragraph(report, capsys):
    from jcs_sim.cli import main

    out, _, _ = report
    assert main(["report", str(out), "--bootstrap", "100"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Sweep small: 4 condition(s)") and "Primary statistic" in printed and "tables/*.csv" in printed


def test_campaign_sweep_runs_and_reports(tmp_path):
    sweep_file = tmp_path / "gd.toml"
    sweep_file.write_text(
        "[sweep]\nreplications = 2\ncampaign_days = 14\n[base.campaign]\nincidents_per_day = 1.0\n"
        "[grid]\ncampaign.gameday_interval_days = [0, 7]\n"
    )
    out = tmp_path / "out"
    run_sweep(load_sweep(sweep_file), out, workers=1, progress=False)
    res = json.loads(write_report(out, bootstrap=100)["json"].read_text())
    assert res["campaign_days"] == 14 and res["runs"]["errors"] == 0 and res["runs"]["done"] == 4
    from jcs_sim.campaign import Campaign
    from jcs_sim.config import apply_overrides, default_config
    from jcs_sim.sweep.store import read_summary

    rows = read_summary(out).to_pylist()
    sweep = load_sweep(sweep_file)
    for row in rows:
        cfg = apply_overrides(
            default_config(), ["campaign.incidents_per_day=1.0", f"campaign.gameday_interval_days={[0, 7][row['point_id']]}"]
        )
        expected = Campaign(cfg, seed=sweep.seed(row["point_id"], row["rep"]), days=14).run().outcomes()
        assert {k: row[k] for k in expected} == expected
    assert (
        (out / "summary.txt")
        .read_text()
        .startswith("Sweep gd: 2 condition(s), 4 of 4 runs done, 0 error(s); each run is a campaign of 14 days")
    )
