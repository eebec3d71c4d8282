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
from .relationships import draw_tie
from .responders import _name
from .results import prepare_out_dir, write_table_atomic, write_text_atomic
from .streams import Streams
from .system import Fault, ServiceGraph, build_service_graph

__all__ = ["Organisation", "Campaign", "run_campaign"]

INCIDENT_KEYS = (
    "resolved", "censored", "time_to_acknowledge", "time_to_diagnose", "time_to_mitigate", "time_to_resolve",
    "fault_type", "root_cause", "root_cause_team", "first_alert_team", "messages_sent", "messages_read", "messages_misread",
    "pages", "escalations", "remediations", "remediations_failed", "remediations_wrong", "connective_acts", "repairs",
    "unrepaired_misreads", "tie_change_total", "tie_change_within", "tie_change_across",
)  # fmt: skip


class Organisation:
    """The people, their ties, knowledge and burnout, persisting across incidents."""

    def __init__(self, cfg: dict[str, Any], streams: Streams) -> None:
        self.cfg = cfg
        cc, rc, rel = cfg["campaign"], cfg["responders"], cfg["relationships"]
        self.sg: ServiceGraph = build_service_graph(cfg, streams)
        rng = streams.get("campaign.people")
        self.people: list[dict[str, Any]] = []
        self.members: dict[str, list[int]] = {}
        for team in self.sg.team_names:
            self.members[team] = []
            for _ in range(cc["team_size"]):
                self.members[team].append(len(self.people))
                self.people.append(dict(name=_name(len(self.people)), team=team, role="engineer"))
        self.pools: dict[str, list[int]] = {}
        for pool, n in (("commander", cc["commanders"]), ("support", cc["support_pool"]), ("comms", cc["comms_pool"])):
            self.pools[pool] = []
            for _ in range(n):
                self.pools[pool].append(len(self.people))
                self.people.append(dict(name=_name(len(self.people)), team="", role=pool))
        n = len(self.people)
        self.index = {p["name"]: i for i, p in enumerate(self.people)}
        # Ties: the same generative rule as a single incident's (relationships.draw_tie).
        self.fam = np.zeros((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                self.fam[i, j] = self.fam[j, i] = draw_tie(rng, self.people[i], self.people[j], rel)
        np.fill_diagonal(self.fam, 1.0)
        own = np.array([[p["team"] == self.sg.team_names[t] for t in self.sg.team_of] for p in self.people])
        mean_k = np.where(own, rc["deep_knowledge"], rc["shallow_knowledge"])
        self.know = np.clip(mean_k + rng.normal(0, 1, mean_k.shape) * rc["knowledge_sd"], 0.0, 1.0)
        self.burnout = np.zeros(n)
        self.contact = np.zeros((n, n), dtype=bool)  # pairs in contact today
        self.week = 0
        self.hour = 14.0

    # ----- the OrgView protocol used by IncidentModel -----------------------
    def on_call(self, team: str, k: int = 0) -> int:
        """The k-th on-call of ``team`` this week (weekly rotation, offset by team)."""
        members = self.members[team]
        return members[(self.week + self.sg.team_names.index(team) + k) % len(members)]

    def roster(self, fault: Fault) -> list[dict[str, Any]]:
        """Who is paged this week for this fault: the alerting team's on-call, the others' as SMEs, the rotations."""
        ops_team = self.sg.team_names[int(self.sg.team_of[fault.first_alert])]
        hours_awake = (self.hour - 7.0) % 24.0  # up since 07:00
        picks = [(self.on_call(ops_team), "ops", True)]
        n_sme = min(self.cfg["responders"]["sme_per_team"], self.cfg["campaign"]["team_size"])
        picks += [(self.on_call(t, k), "sme", False) for t in self.sg.team_names if t != ops_team for k in range(n_sme)]
        for pool, role, at_start in (("commander", "commander", False), ("support", "support", True), ("comms", "comms", False)):
            if self.pools[pool]:
                picks.append((self.pools[pool][self.week % len(self.pools[pool])], role, at_start))
        bf = self.cfg["campaign"]["burnout_fatigue"]
        return [
            dict(name=self.people[i]["name"], role=role, team=self.people[i]["team"], experience=self.cfg["responders"]["experience"],
                 hours_awake=hours_awake, paged_at_start=at_start, extra_fatigue=bf * float(self.burnout[i]))
            for i, role, at_start in picks
        ]  # fmt: skip

    def _ids(self, roster: list[dict[str, Any]]) -> list[int]:
        return [self.index[p["name"]] for p in roster]

    def familiarity(self, roster: list[dict[str, Any]]) -> np.ndarray:
        ids = self._ids(roster)
        return self.fam[np.ix_(ids, ids)].copy()

    def knowledge(self, roster: list[dict[str, Any]]) -> np.ndarray:
        return self.know[self._ids(roster)].copy()

    # ----- what an incident leaves behind -------------------------------------
    def absorb(self, model: IncidentModel, night: bool) -> None:
        """Write back ties, hold a review, add burnout."""
        cc = self.cfg["campaign"]
        ids = np.array(self._ids([dict(name=p.name) for p in model.people]))
        self.fam[np.ix_(ids, ids)] = model.familiarity
        for m in model.messages:  # whoever exchanged a message was in contact today
            for _, reader, _, _ in m.reads:
                self.contact[ids[m.sender], ids[reader]] = self.contact[ids[reader], ids[m.sender]] = True
        if self.cfg["fault"]["initial_severity"] >= cc["review_min_severity"]:
            involved = {model.fault.root} | {s for p in model.people for s, n in enumerate(p.examined) if n}
            cols = np.array(sorted(involved))
            joined = ids[[p.joined_at is not None for p in model.people]]
            block = self.know[np.ix_(joined, cols)]
            self.know[np.ix_(joined, cols)] = block + cc["review_gain"] * (1.0 - block)
        for p, i in zip(model.people, ids, strict=True):
            if p.joined_at is None:
                continue
            impeded = p.unrepaired / max(1, p.messages_read + p.messages_sent)
            self.burnout[i] = min(1.0, self.burnout[i] + cc["burnout_impeded"] * impeded + (cc["burnout_night_page"] if night else 0.0))

    def end_of_day(self, day: int, rng: np.random.Generator) -> bool:
        """Decay ties without contact, recover burnout, hold a game day when one is due. Returns whether one was held."""
        cc = self.cfg["campaign"]
        held = False
        if cc["gameday_interval_days"] and (day + 1) % cc["gameday_interval_days"] == 0:
            held = True
            chosen: list[int] = []
            for members in self.members.values():
                k = min(cc["gameday_participants"], len(members))
                chosen += [members[int(x)] for x in rng.permutation(len(members))[:k]]
            ids = np.array(chosen)
            teams = np.array([self.people[i]["team"] for i in ids])
            cross = teams[:, None] != teams[None, :]
            block = self.fam[np.ix_(ids, ids)]
            self.fam[np.ix_(ids, ids)] = np.where(cross, block + cc["gameday_gain"] * (1.0 - block), block)
            self.contact[np.ix_(ids, ids)] = True
            for t in set(teams):
                cols = np.flatnonzero(np.array(self.sg.team_names)[self.sg.team_of] == t)
                rows = ids[teams != t]
                block = self.know[np.ix_(rows, cols)]
                self.know[np.ix_(rows, cols)] = block + cc["gameday_knowledge"] * (1.0 - block)
        if cc["team_daily_contact"]:
            teams = np.array([p["team"] for p in self.people])
            self.contact |= (teams[:, None] == teams[None, :]) & (teams[:, None] != "")
        decay = math.exp(-cc["tie_decay_per_day"])
        off = ~self.contact
        np.fill_diagonal(off, False)
        self.fam[off] *= decay
        self.contact[:] = False
        self.burnout *= 1.0 - cc["burnout_recovery_per_day"]
        return held

    def state(self) -> dict[str, float]:
        """The organisation's state for the per-day table."""
        eng = np.array([p["role"] == "engineer" for p in self.people])
        teams = np.array([p["team"] for p in self.people])
        upper = np.triu(np.ones_like(self.fam, dtype=bool), 1) & eng[:, None] & eng[None, :]
        within = upper & (teams[:, None] == teams[None, :])
        across = upper & (teams[:, None] != teams[None, :])
        k = self.know[eng]
        owner = np.array(self.sg.team_names)[self.sg.team_of]
        foreign = teams[eng][:, None] != owner[None, :]  # engineer x service of another team
        return {
            "tie_within_mean": float(self.fam[within].mean()) if within.any() else float("nan"),
            "tie_across_mean": float(self.fam[across].mean()) if across.any() else float("nan"),
            "knowledge_mean": float(k.mean()),
            "knowledge_coverage": float(k[foreign].mean()),  # what engineers know of other teams' services
            "burnout_mean": float(self.burnout.mean()),
            "burnout_max": float(self.burnout.max()),
        }


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
        # The responders switches apply to campaigns too: an excluded role has an empty rotation.
        rc = cfg["responders"]
        pools = {
            k: (cc[k] if rc[flag] else 0)
            for k, flag in (("commanders", "include_commander"), ("support_pool", "include_support"), ("comms_pool", "include_comms"))
        }
        cfg = {**cfg, "campaign": {**cc, **pools}}
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
            self.org.week = day // 7
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
        night = not (7.0 <= hour < 23.0)
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
