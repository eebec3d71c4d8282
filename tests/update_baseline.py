"""Regenerate ``tests/baseline.json``: fixed-seed runs of several scenarios, with digests of their records.

Run this on purpose, when a change to the model is meant to move the results:

    .venv/bin/python tests/update_baseline.py

then review ``git diff tests/baseline.json`` and commit it with the change
that caused it. ``test_reproducibility.py::test_baseline`` diffs new runs
against this file and prints which keys moved.

Why several scenarios: the default scenario alone does not exercise the
commander and direct modes, night, structured updates, the stories or a
campaign, so a change that alters only those (direct mode routed like the
channel, say) would pass it. Why digests: the summary can stay put while the
decisions behind it change; ``records_sha256`` hashes the decision trace,
the messages (meant and understood) and the event log of each run, so a
restructure that claims "same results" is checked decision by decision.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

BASELINE_PATH = Path(__file__).resolve().with_name("baseline.json")
CONFIGS = Path(__file__).resolve().parent.parent / "configs"
BASELINE_SEEDS = (0, 1, 2, 3, 4)

# Scenario name -> (config file or None, --set overrides, seeds).
SCENARIOS: dict[str, tuple[str | None, tuple[str, ...], tuple[int, ...]]] = {
    "default": (None, (), BASELINE_SEEDS),
    "commander": (None, ("communication.mode='commander'",), (0, 1, 2)),
    "direct": (None, ("communication.mode='direct'",), (0, 1, 2)),
    "night": (None, ("run.start_hour=3.0",), (0, 1, 2)),
    "structured": (None, ("communication.structured_updates=true",), (0, 1, 2)),
    "failover_story": ("failover_story.toml", (), (0, 1, 2)),
    "three_am_page": ("three_am_page.toml", (), (0, 1, 2)),
}
CAMPAIGN_DAYS = 30
CAMPAIGN_SEEDS = (0,)


def _rounded(value: Any) -> Any:
    """Floats rounded to 9 significant digits, so that a digest ignores summation order in the last bits."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def records_digest(model: Any) -> str:
    """SHA-256 of the run's decision trace, messages and events (what was decided, said, understood, done)."""
    from jcs_sim.results import messages_table, trace_table

    h = hashlib.sha256()
    for table in (trace_table(model), messages_table(model)):
        for name, column in zip(table.column_names, table.columns, strict=True):
            h.update(name.encode())
            h.update(json.dumps(_rounded(column.to_pylist())).encode())
    h.update(json.dumps(model.events).encode())
    return h.hexdigest()


def scenario_config(name: str) -> dict[str, Any]:
    from jcs_sim.config import apply_overrides, load_config

    path, sets, _ = SCENARIOS[name]
    return apply_overrides(load_config(CONFIGS / path if path else None), list(sets))


def baseline_summaries() -> dict[str, dict[str, Any]]:
    """'scenario:seed' -> summary (without the package version) and records digest; 'campaign30:seed' -> campaign summary."""
    from jcs_sim import IncidentModel
    from jcs_sim.campaign import run_campaign
    from jcs_sim.config import default_config

    out: dict[str, dict[str, Any]] = {}
    for name, (_, _, seeds) in SCENARIOS.items():
        cfg = scenario_config(name)
        for seed in seeds:
            model = IncidentModel(cfg, seed=seed, record_trace=True).run()
            summary = model.summary()
            summary.pop("version")
            summary["records_sha256"] = records_digest(model)
            out[f"{name}:{seed}"] = summary
    for seed in CAMPAIGN_SEEDS:
        campaign = run_campaign(default_config(), seed=seed, days=CAMPAIGN_DAYS)
        summary = campaign.summary()
        summary.pop("version")
        summary["incidents_sha256"] = hashlib.sha256(json.dumps(_rounded_rows(campaign.incidents), sort_keys=True).encode()).hexdigest()
        out[f"campaign{CAMPAIGN_DAYS}:{seed}"] = summary
    return out


def _rounded_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _rounded(v) for k, v in row.items()} for row in rows]


def main() -> None:
    BASELINE_PATH.write_text(json.dumps(baseline_summaries(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {BASELINE_PATH} ({', '.join(SCENARIOS)}, campaign{CAMPAIGN_DAYS})")


if __name__ == "__main__":
    main()
