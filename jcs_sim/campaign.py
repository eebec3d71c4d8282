"""Incidents over time: an organisation over weeks, with rotations, reviews, game days, decay and burnout.

Why: whether investing in game days pays off is a question about a quarter,
not one incident (MODEL_BRIEF mechanism 8). Ties built in incidents and
practice decay without contact; reviews spread knowledge of the services an
incident involved; night pages and impeded connection (misreadings never
repaired) accumulate as burnout, which recovers slowly and is carried into
the next incident as fatigue.

Each day: incidents arrive (Poisson), each is one :class:`IncidentModel` run
on the organisation's current state (the on-call people, their ties and
knowledge); afterwards ties among the responders are written back, a review
may follow, burnout is updated. At the end of the day ties without contact
decay, burnout recovers, and a game day may take place. Everything draws
from named streams of the campaign seed; incident ``k`` runs with its own
seed derived from it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ._version import __version__
from .config import ConfigError
from .model import IncidentModel
from .organisation import Organisation
from .responders import is_night
from .results import prepare_out_dir, write_table_atomic, write_text_atomic
from .streams import Streams

__all__ = ["Organisation", "Campaign", "run_campaign"]

INCIDENT_KEYS = (
    "resolved", "censored", "time_to_detect", "time_to_acknowledge", "time_to_diagnose", "time_to_mitigate", "time_to_resolve",
    "fault_type", "root_cause", "root_cause_team", "first_alert_team", "messages_sent", "messages_read", "messages_misread",
    "pages", "escalations", "remediations", "remediations_failed", "remediations_wrong", "connective_acts", "repairs",
    "unrepaired_misreads", "tie_change_total", "tie_change_within", "tie_change_across",
)  # fmt: skip


class Campaign:
    """An organisation over ``days`` days. ``Campaign(cfg, seed).run()`` then :meth:`write`."""

    def __init__(self, cfg: dict[str, Any], seed: int = 0, days: int | None = None) -> None:
        if int(seed) < 0:
            raise ConfigError(f"seed {seed} is negative; allowed: an integer >= 0.")
        self.cfg = cfg
        self.seed = int(seed)
        self.days = int(days if days is not None else cfg["campaign"]["days"])
        if self.days < 1:
            raise ConfigError(f"--days {self.days}: allowed: an integer >= 1.")
        cc = cfg["campaign"]
        if cc["share_sev2"] + cc["share_sev3"] > 1.0:
            raise ConfigError("config: campaign.share_sev2 + campaign.share_sev3 must not exceed 1.")
        # The responders switches apply to campaigns too: an excluded role has an empty rotation (Organisation).
        self.streams = Streams(self.seed)
        self.org = Organisation(cfg, self.streams)
        self.incidents: list[dict[str, Any]] = []
        self.day_rows: list[dict[str, Any]] = []

    def run(self, progress: bool = False) -> Campaign:
        cc = self.cfg["campaign"]
        arrivals = self.streams.get("campaign.arrivals")
        gamedays = self.streams.get("campaign.gamedays")
        bar = _progress(self.days) if progress else None
        self.day_rows.append({"day": 0, "incidents": 0, "gameday": False, **self.org.state()})
        for day in range(self.days):
            self.org.shift = day // cc["rotation_days"]
            n = int(arrivals.poisson(cc["incidents_per_day"]))
            hours = np.sort(arrivals.uniform(0.0, 24.0, size=n))
            sev_u = arrivals.random(n)
            for hour, u in zip(hours, sev_u, strict=True):
                self._incident(day, float(hour), 3 if u < cc["share_sev3"] else (2 if u < cc["share_sev3"] + cc["share_sev2"] else 1))
            held = self.org.end_of_day(day, gamedays)
            self.day_rows.append({"day": day + 1, "incidents": n, "gameday": held, **self.org.state()})
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
        return self

    def _incident(self, day: int, hour: float, severity: int) -> None:
        k = len(self.incidents)
        cfg = {**self.cfg, "run": {**self.cfg["run"], "start_hour": hour}, "fault": {**self.cfg["fault"], "initial_severity": severity}}
        seed = int(np.random.SeedSequence(self.seed, spawn_key=(7, k)).generate_state(1)[0])
        self.org.hour = hour
        self.org.cfg = cfg
        model = IncidentModel(cfg, seed=seed, record_trace=False, org=self.org).run()
        night = is_night(cfg, hour)
        self.org.absorb(model, night)
        self.org.cfg = self.cfg
        s = model.summary()
        row = {"incident": k, "day": day, "hour": round(hour, 3), "severity": severity, "seed": seed}
        row.update({key: s[key] for key in INCIDENT_KEYS})
        row["responders"] = json.dumps(
            [{"name": r["name"], "role": r["role"], "team": r["team"], "joined_at": r["joined_at"]} for r in s["responders"]]
        )
        self.incidents.append(row)

    def summary(self) -> dict[str, Any]:
        ttr = [r["time_to_resolve"] for r in self.incidents if r["resolved"]]
        first, last = self.day_rows[0], self.day_rows[-1]
        return {
            "seed": self.seed,
            "version": __version__,
            "days": self.days,
            "incidents": len(self.incidents),
            "resolved": len(ttr),
            "censored": len(self.incidents) - len(ttr),
            "median_time_to_resolve": float(np.median(ttr)) if ttr else None,
            "gamedays": sum(1 for d in self.day_rows if d["gameday"]),
            "tie_within_start": first["tie_within_mean"],
            "tie_within_end": last["tie_within_mean"],
            "tie_across_start": first["tie_across_mean"],
            "tie_across_end": last["tie_across_mean"],
            "knowledge_coverage_start": first["knowledge_coverage"],
            "knowledge_coverage_end": last["knowledge_coverage"],
            "burnout_mean_end": last["burnout_mean"],
        }

    def outcomes(self) -> dict[str, Any]:
        """One row of per-campaign outcomes: what a campaign sweep stores and ``compare --campaign`` compares.

        Why medians with censored incidents counted as never resolved: a
        campaign whose hardest incidents never resolve must not look faster
        for it; the median stays exact while fewer than half are censored
        (otherwise it is unreached and ``resolved`` is false, as for a
        censored single run). The phase times
        carry the names of a single run's summary so that ``jcs-sim report``
        reads a campaign sweep like an incident sweep, one campaign a "run".
        """
        horizon = int(self.cfg["run"]["max_minutes"])
        row: dict[str, Any] = {"days": self.days, "incidents": len(self.incidents)}
        ttr = np.array([r["time_to_resolve"] if r["resolved"] else np.inf for r in self.incidents], dtype=float)
        row["incidents_censored"] = int(sum(1 for r in self.incidents if not r["resolved"]))
        row["resolved"] = bool(ttr.size) and row["incidents_censored"] < ttr.size / 2
        row["censored"] = not row["resolved"]
        row["minutes_simulated"] = horizon

        def median(v: np.ndarray) -> int | None:  # inverted CDF: an observed minute, unreached (+inf) when over half never came
            m = float(np.quantile(v, 0.5, method="inverted_cdf")) if v.size else math.inf
            return int(m) if math.isfinite(m) else None

        for key in ("time_to_detect", "time_to_acknowledge", "time_to_diagnose", "time_to_mitigate"):
            row[key] = median(np.array([np.inf if r[key] is None else r[key] for r in self.incidents], dtype=float))
        row["time_to_resolve"] = median(ttr)
        p90 = float(np.quantile(ttr, 0.9, method="inverted_cdf")) if ttr.size else math.inf
        row["p90_time_to_resolve"] = p90 if math.isfinite(p90) else None
        capped = np.minimum(ttr, horizon)
        row["restricted_mean_time_to_resolve"] = float(capped.mean()) if ttr.size else None  # censored counted at the horizon
        first, last = self.day_rows[0], self.day_rows[-1]
        row["gamedays"] = sum(1 for d in self.day_rows if d["gameday"])
        row["tie_across_growth"] = last["tie_across_mean"] - first["tie_across_mean"]
        row["tie_within_growth"] = last["tie_within_mean"] - first["tie_within_mean"]
        row["knowledge_coverage_growth"] = last["knowledge_coverage"] - first["knowledge_coverage"]
        row["burnout_mean_end"] = last["burnout_mean"]
        row["burnout_max_end"] = last["burnout_max"]
        for key in ("messages_misread", "pages", "remediations_wrong"):
            row[f"{key}_per_incident"] = float(np.mean([r[key] for r in self.incidents])) if self.incidents else None
        return row

    def write(self, out: str | Path) -> dict[str, Path]:
        """incidents.parquet (one row per incident), days.parquet (one row per day), summary.json, config.json."""
        out = prepare_out_dir(out)
        paths = {
            "incidents": out / "incidents.parquet",
            "days": out / "days.parquet",
            "summary": out / "summary.json",
            "config": out / "config.json",
        }
        schema_row = {"incident": 0, "day": 0, "hour": 0.0, "severity": 0, "seed": 0, **{k: None for k in INCIDENT_KEYS}, "responders": ""}
        table = pa.Table.from_pylist(self.incidents) if self.incidents else pa.Table.from_pylist([schema_row]).slice(0, 0)
        # Through a temporary file and a rename: a link planted in ``out`` is replaced, not followed.
        write_table_atomic(table, paths["incidents"])
        write_table_atomic(pa.Table.from_pylist(self.day_rows), paths["days"])
        write_text_atomic(paths["summary"], json.dumps(self.summary(), indent=2) + "\n")
        write_text_atomic(paths["config"], json.dumps(self.cfg, indent=2) + "\n")
        return paths


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, unit="day", desc="campaign", leave=False, delay=2.0)  # shown only if slow


def run_campaign(cfg: dict[str, Any], seed: int = 0, days: int | None = None) -> Campaign:
    """Run a campaign and return it (tables in ``.incidents`` and ``.day_rows``)."""
    return Campaign(cfg, seed, days).run()
