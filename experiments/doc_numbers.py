"""The numbers the docs quote about the example configs, from one generated file.

Runs seeds 0-299 of each scenario below and writes ``doc_numbers.json``:
every run's outcomes (so that a test can re-run a sample of seeds and tell
when the model moved) and the statistics the docs quote (medians, censored
seeds, how often a failed-attempt report is read as "they are out of ideas").
``tests/test_doc_numbers.py`` checks configs/README.md, docs/cli.md and the
README's quantile table against it (issue 12, item 6: docs that cannot go
stale). Regenerate after a change to the model (about a minute on 2 cores):

    .venv/bin/python experiments/doc_numbers.py
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jcs_sim import IncidentModel  # noqa: E402
from jcs_sim.config import apply_overrides, load_config  # noqa: E402
from jcs_sim.replay import read_right_run  # noqa: E402

OUT = Path(__file__).resolve().parent / "doc_numbers.json"
SEEDS = 300
# name -> (config file or None for the default, --set overrides)
SCENARIOS: dict[str, tuple[str | None, list[str]]] = {
    "default": (None, []),
    "failover_story": ("configs/failover_story.toml", []),
    "three_am_page": ("configs/three_am_page.toml", []),
    "no_misreading": (None, ["communication.misreading=false"]),
    "commander_mode": (None, ["communication.mode=commander"]),
    "familiar_across": (None, ["relationships.across_team=0.6", "relationships.across_density=0.8"]),
    "no_regroup": (None, ["regroup.enabled=false"]),
}


def scenario_config(name: str) -> dict[str, Any]:
    path, sets = SCENARIOS[name]
    return apply_overrides(load_config(ROOT / path if path else None), sets)


def one_run(cfg: dict[str, Any], seed: int) -> dict[str, Any]:
    """The outcomes of one run the docs draw on."""
    model = IncidentModel(cfg, seed=seed, record_trace=False).run()
    s = model.summary()
    ideas = [
        model.people[reader].role
        for m in model.messages
        if m.content.kind in ("remedy_result", "mistake")
        for _, reader, misread, understood in m.reads
        if misread and understood.kind == "stuck"
    ]
    return {
        "seed": seed,
        "time_to_resolve": s["time_to_resolve"] if s["resolved"] else None,
        "time_to_detect": s["time_to_detect"],
        "time_to_acknowledge": s["time_to_acknowledge"],
        "time_to_diagnose": s["time_to_diagnose"],
        "time_to_mitigate": s["time_to_mitigate"],
        "novel": s["novel"],
        "flapping": s["flapping"],
        "harms": s["harms"],
        "bystander_escalations": s["bystander_escalations"],
        "stakeholder_updates": s["stakeholder_updates"],
        "stakeholder_updates_wrong": s["stakeholder_updates_wrong"],
        "dismissed_reports": s["dismissed_reports"],
        "remediations": s["remediations"],
        "remediations_wrong": s["remediations_wrong"],
        "regroups": s["regroups"],
        # When the first person of the root cause's team joined: the diagnosis waits for them (None: never).
        "root_team_joined": min(
            (p["joined_at"] for p in s["responders"] if p["team"] == s["root_cause_team"] and p["joined_at"] is not None),
            default=None,
        ),
        "messages_read": s["messages_read"],
        "messages_misread": s["messages_misread"],
        "out_of_ideas": bool(ideas),
        "out_of_ideas_support": "support" in ideas,
    }


def _median(values: list[float]) -> float | None:
    """Median by the inverted CDF (an observed value); +inf counts as not reached (None: over half never reached it)."""
    return _finite(float(np.quantile(np.array(values, dtype=float), 0.5, method="inverted_cdf")))


def _finite(x: float) -> float | None:
    """JSON has no infinity: a quantile among censored runs is None (not reached)."""
    return x if math.isfinite(x) else None


def _ratio(q: float, ttr: np.ndarray, med: float) -> float | None:
    """A quantile of time to resolve over its median; None when that quantile is censored."""
    x = float(np.quantile(ttr, q, method="inverted_cdf"))
    return round(x / med, 2) if math.isfinite(x) and math.isfinite(med) else None


def stats(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """What the docs quote. Medians count unresolved runs as +inf (inverted CDF), as the reports do."""
    ttr = np.array([np.inf if r["time_to_resolve"] is None else r["time_to_resolve"] for r in runs], dtype=float)
    resolved = ttr[np.isfinite(ttr)]
    med = float(np.quantile(ttr, 0.5, method="inverted_cdf"))

    def phase(key: str) -> float:
        return _median([np.inf if r[key] is None else r[key] for r in runs])

    novel = [r for r in runs if r["novel"]]
    return {
        "runs": len(runs),
        "median_time_to_resolve": med,
        "p90_over_median": _ratio(0.9, ttr, med),
        "p95_over_median": _ratio(0.95, ttr, med),
        "median_time_to_detect": phase("time_to_detect"),
        "median_time_to_diagnose": phase("time_to_diagnose"),
        "median_time_to_mitigate": phase("time_to_mitigate"),
        "novel_runs": len(novel),
        "novel_censored": sum(r["time_to_resolve"] is None for r in novel),
        "median_time_to_resolve_novel": _median([np.inf if r["time_to_resolve"] is None else r["time_to_resolve"] for r in novel])
        if novel
        else None,
        "median_time_to_resolve_known": _median(
            [np.inf if r["time_to_resolve"] is None else r["time_to_resolve"] for r in runs if not r["novel"]]
        ),
        "runs_with_harm": sum(r["harms"] > 0 for r in runs),
        "runs_with_escalation": sum(r["bystander_escalations"] > 0 for r in runs),
        "stakeholder_updates_wrong_share": round(
            sum(r["stakeholder_updates_wrong"] for r in runs) / max(1, sum(r["stakeholder_updates"] for r in runs)), 3
        ),
        "runs_with_dismissed_report": sum(r["dismissed_reports"] > 0 for r in runs),
        "runs_with_regroup": sum(r["regroups"] > 0 for r in runs),
        "median_remediations": statistics.median(r["remediations"] for r in runs),
        "max_remediations": max(r["remediations"] for r in runs),
        # Where the diagnosis's minutes go (runs diagnosed with the root's team present): waiting for the root's
        # team to join, then finding the cause once someone who knows it is there; then fixing it (negative: mitigated first).
        "median_root_team_joined": _median(
            [r["root_team_joined"] for r in runs if r["time_to_diagnose"] is not None and r["root_team_joined"] is not None]
        ),
        "median_diagnose_after_root_team_joined": _median(
            [
                r["time_to_diagnose"] - r["root_team_joined"]
                for r in runs
                if r["time_to_diagnose"] is not None and r["root_team_joined"] is not None
            ]
        ),
        "median_mitigate_minus_diagnose": _median(
            [
                r["time_to_mitigate"] - r["time_to_diagnose"]
                for r in runs
                if r["time_to_diagnose"] is not None and r["time_to_mitigate"] is not None
            ]
        ),
        "mean_time_to_resolve_resolved": round(float(resolved.mean()), 1),
        "p5_p95_resolved": [float(np.quantile(resolved, 0.05)), float(np.quantile(resolved, 0.95))],
        "max_resolved": float(resolved.max()),
        "censored": len(runs) - len(resolved),
        "censored_seeds": [r["seed"] for r in runs if r["time_to_resolve"] is None],
        "median_time_to_acknowledge": statistics.median([r["time_to_acknowledge"] for r in runs if r["time_to_acknowledge"] is not None]),
        "misread_share": round(sum(r["messages_misread"] for r in runs) / max(1, sum(r["messages_read"] for r in runs)), 3),
        "out_of_ideas_runs": sum(r["out_of_ideas"] for r in runs),
        "out_of_ideas_support_runs": sum(r["out_of_ideas_support"] for r in runs),
    }


def bystander_misreadings(model: IncidentModel) -> set[tuple[int, int]]:
    """(reader, message) of every failed-attempt report the support on-call read as 'they are out of ideas'."""
    return {
        (reader, m.id)
        for m in model.messages
        if m.content.kind in ("remedy_result", "mistake")
        for _, reader, misread, understood in m.reads
        if misread and understood.kind == "stuck" and model.people[reader].role == "support"
    }


def read_right(cfg: dict[str, Any], seed: int) -> dict[str, Any] | None:
    """The failover story's seed run as drawn and again with the bystander's misreadings read as meant.

    Same seed, same draws (communication.read_inbox keeps them): only what the
    support on-call understood of those messages differs. None when the
    support on-call misread no failed-attempt report in this run.
    """
    drawn = IncidentModel(cfg, seed=seed, record_trace=False).run()
    pairs = bystander_misreadings(drawn)
    if not pairs:
        return None
    right = read_right_run(cfg, seed, pairs, record_trace=False)

    def outcome(m: IncidentModel) -> dict[str, Any]:
        s = m.summary()
        return {
            "time_to_resolve": s["time_to_resolve"] if s["resolved"] else None,
            "bystander_escalations": s["bystander_escalations"],
            "stakeholder_updates_wrong": s["stakeholder_updates_wrong"],
        }

    return {"seed": seed, "misreadings": len(pairs), "as_drawn": outcome(drawn), "read_right": outcome(right)}


def counterfactual_stats(pairs: list[dict[str, Any]], horizon: int) -> dict[str, Any]:
    """How often reading right changes what happens, and by how much (censored runs at the horizon)."""
    changed = [p for p in pairs if p["as_drawn"]["time_to_resolve"] != p["read_right"]["time_to_resolve"]]

    def t(o: dict[str, Any]) -> float:
        return float(o["time_to_resolve"] if o["time_to_resolve"] is not None else horizon)

    logs = [math.log(t(p["as_drawn"]) / t(p["read_right"])) for p in pairs]
    return {
        "runs_with_bystander_misreading": len(pairs),
        "time_to_resolve_changed": len(changed),
        "slower_as_drawn": sum(t(p["as_drawn"]) > t(p["read_right"]) for p in changed),
        "geomean_ratio_as_drawn_over_read_right": round(math.exp(sum(logs) / len(logs)), 3) if logs else None,
        "escalations_as_drawn": sum(p["as_drawn"]["bystander_escalations"] for p in pairs),
        "escalations_read_right": sum(p["read_right"]["bystander_escalations"] for p in pairs),
        "wrong_updates_as_drawn": sum(p["as_drawn"]["stakeholder_updates_wrong"] for p in pairs),
        "wrong_updates_read_right": sum(p["read_right"]["stakeholder_updates_wrong"] for p in pairs),
    }


def main() -> None:
    out: dict[str, Any] = {"seeds": f"0-{SEEDS - 1}", "scenarios": {}}
    for name, (path, sets) in SCENARIOS.items():
        cfg = scenario_config(name)
        runs = [one_run(cfg, s) for s in range(SEEDS)]
        out["scenarios"][name] = {"config": path, "set": sets, "stats": stats(runs), "runs": runs}
        print(name, json.dumps(out["scenarios"][name]["stats"]), flush=True)
    cfg = scenario_config("failover_story")
    pairs = [p for p in (read_right(cfg, s) for s in range(SEEDS)) if p is not None]
    out["failover_read_right"] = {"stats": counterfactual_stats(pairs, cfg["run"]["max_minutes"]), "runs": pairs}
    print("failover_read_right", json.dumps(out["failover_read_right"]["stats"]), flush=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
