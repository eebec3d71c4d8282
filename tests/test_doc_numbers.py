"""Numbers quoted in the docs come from experiments/doc_numbers.json, and that file is still what the model gives.

Issue 12, item 6: docs that cannot go stale. The generated file holds every
run of 300 seeds per scenario; here a sample of its seeds is re-run (a few
seconds) and must match exactly, so a model change that moves the numbers
fails here with the command that regenerates them. The quoted numbers are
then compared with the file: configs/README.md, docs/cli.md and the README's
quantile table (the reduced form of the 300-run README test in test_docs.py).
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REGENERATE = "run `.venv/bin/python experiments/doc_numbers.py` and update the numbers the failing tests name"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load("doc_numbers", ROOT / "experiments" / "doc_numbers.py")
DATA = json.loads(gen.OUT.read_text())
SAMPLE = range(0, 300, 37)  # 9 seeds per scenario


def stats(name: str) -> dict:
    return DATA["scenarios"][name]["stats"]


@pytest.mark.parametrize("name", list(gen.SCENARIOS))
def test_generated_file_is_what_the_model_gives_now(name):
    cfg = gen.scenario_config(name)
    stored = DATA["scenarios"][name]["runs"]
    for seed in SAMPLE:
        now = gen.one_run(cfg, seed)
        assert now == stored[seed], (
            f"experiments/doc_numbers.json is stale ({name}, seed {seed}): {REGENERATE}.\nstored {stored[seed]}\nnow    {now}"
        )


def test_generated_stats_follow_from_its_runs():
    for name, body in DATA["scenarios"].items():
        assert gen.stats(body["runs"]) == body["stats"], name


def _median(text: str, marker: str) -> float:
    m = re.search(re.escape(marker) + r".*?[Mm]edian(?: time to resolve)? (\d+) min", text, re.DOTALL)
    assert m, marker
    return float(m[1])


def test_configs_readme_numbers():
    text = (ROOT / "configs" / "README.md").read_text()
    d, f, t = stats("default"), stats("failover_story"), stats("three_am_page")
    assert _median(text, "[`default.toml`]") == d["median_time_to_resolve"], REGENERATE
    assert _median(text, "[`failover_story.toml`]") == f["median_time_to_resolve"], REGENERATE
    assert _median(text, "[`three_am_page.toml`]") == t["median_time_to_resolve"], REGENERATE
    words = "all novel failure modes" if d["novel_censored"] == d["censored"] else "almost all novel failure modes"
    assert f"({d['censored']} of 300 censored at 12 h, {words})" in text
    assert d["novel_censored"] >= 0.8 * d["censored"], (
        "the default's censored runs are no longer almost all novel: reword configs/README.md"
    )
    assert f"({f['censored']} of 300 censored at 12 h)" in text
    assert (
        f'"they are out of ideas" in {f["out_of_ideas_runs"]} of 300 runs (the support on-call in {f["out_of_ideas_support_runs"]})' in text
    )
    assert f"({t['censored']} of 300 censored at 12 h)" in text
    assert (
        f"median time to acknowledge {t['median_time_to_acknowledge']:g} min against {d['median_time_to_acknowledge']:g} in the default"
        in text
    )


def test_cli_md_median():
    text = (ROOT / "docs" / "cli.md").read_text()
    m = re.search(r"the median over 300 seeds is\s+(\d+) minutes", text)
    assert m and float(m[1]) == stats("default")["median_time_to_resolve"], REGENERATE


def test_readme_quantile_table_from_the_generated_runs():
    """The README's table, computed from the stored 300 default runs (test_docs.py re-runs them all when JCS_SLOW_DOC_TESTS=1)."""
    fig = _load("readme_figure", ROOT / "experiments" / "readme_figure.py")
    runs = DATA["scenarios"]["default"]["runs"]
    summaries = [{"time_to_resolve": r["time_to_resolve"], "resolved": r["time_to_resolve"] is not None,
                  "censored": r["time_to_resolve"] is None} for r in runs]  # fmt: skip
    table = fig.quantile_table(summaries)
    readme = (ROOT / "README.md").read_text()
    assert table in readme, f"README.md's quantile table differs from the generated runs; paste:\n{table}"


def test_familiarity_x_communication_readme_quotes_its_committed_summary():
    """The headline experiment's median table and main effects are those of its committed results/summary.json."""
    folder = ROOT / "experiments" / "familiarity_x_communication"
    res = json.loads((folder / "results" / "summary.json").read_text())
    text = (folder / "README.md").read_text()
    by = {(c["levels"]["familiarity"], c["levels"]["communication.mode"]): c["times"]["time_to_resolve"] for c in res["conditions"]}
    for fam, label in (("low", "low"), ("medium", "medium (default)"), ("high", "high")):
        row = next(line for line in text.splitlines() if line.startswith(f"| {label} |"))
        cells = [c.strip().replace("**", "") for c in row.strip("|").split("|")[1:]]
        for mode, cell in zip(("channel", "commander", "direct"), cells, strict=True):
            t = by[(fam, mode)]
            assert cell == f"{t['median']:g} [{t['median_ci'][0]:g}, {t['median_ci'][1]:g}]", (fam, mode, cell)
    for e in res["main_effects"]:
        quoted = (
            f"{e['level']} vs {e['reference_level']}\n  {e['ratio']:.2f}"
            if False
            else f"{e['ratio']:.2f} [{e['ratio_ci'][0]:.2f}, {e['ratio_ci'][1]:.2f}]"
        )
        assert quoted in text.replace("\n  ", " "), (e["factor"], e["level"], quoted)


def test_the_failover_story_doc_is_generated():
    """docs/failover_story.md is what experiments/failover_story.py writes from the stored numbers (two runs)."""
    story = _load("failover_story", ROOT / "experiments" / "failover_story.py")
    now = story.story(DATA)
    assert (ROOT / "docs" / "failover_story.md").read_text(encoding="utf-8") == now, (
        "docs/failover_story.md is stale: run `.venv/bin/python experiments/failover_story.py`"
    )


def test_the_read_right_counts_follow_from_their_runs():
    gen_rr = DATA["failover_read_right"]
    assert gen.counterfactual_stats(gen_rr["runs"], 720) == gen_rr["stats"]
    seed = gen_rr["runs"][0]["seed"]
    assert gen.read_right(gen.scenario_config("failover_story"), seed) == gen_rr["runs"][0], REGENERATE
