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
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jcs_sim import IncidentModel  # noqa: E402
from jcs_sim.config import apply_overrides, load_config  # noqa: E402

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
        "time_to_acknowledge": s["time_to_acknowledge"],
        "messages_read": s["messages_read"],
        "messages_misread": s["messages_misread"],
        "out_of_ideas": bool(ideas),
        "out_of_ideas_support": "support" in ideas,
    }


def stats(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """What the docs quote. Medians count unresolved runs as +inf (inverted CDF), as the reports do."""
    ttr = np.array([np.inf if r["time_to_resolve"] is None else r["time_to_resolve"] for r in runs], dtype=float)
    resolved = ttr[np.isfinite(ttr)]
    return {
        "runs": len(runs),
        "median_time_to_resolve": float(np.quantile(ttr, 0.5, method="inverted_cdf")),
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


def main() -> None:
    out: dict[str, Any] = {"seeds": f"0-{SEEDS - 1}", "scenarios": {}}
    for name, (path, sets) in SCENARIOS.items():
        cfg = scenario_config(name)
        runs = [one_run(cfg, s) for s in range(SEEDS)]
        out["scenarios"][name] = {"config": path, "set": sets, "stats": stats(runs), "runs": runs}
        print(name, json.dumps(out["scenarios"][name]["stats"]), flush=True)
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
