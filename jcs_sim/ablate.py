"""Ablation: what each named mechanism does to time to resolve, by switching it off on paired seeds.

Why: a mechanism that changes nothing is a constant in disguise, and a
result is only explained when it is known which mechanisms produced it.
Every number of the core being a config key, switching a mechanism off is a
set of overrides (:data:`MECHANISMS`); ``ablate`` runs the scenario as given
and with each mechanism off on the same seeds (common random numbers), and
reports the paired ratio of geometric mean and of median time to resolve,
and of each phase, with 95% paired bootstrap intervals (seeds resampled).

Censored runs (not resolved by ``run.max_minutes``) count at the horizon, a
lower bound; how many there are is reported per arm, never hidden.
"""

from __future__ import annotations

import concurrent.futures
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .config import ConfigError, apply_overrides

__all__ = ["Mechanism", "MECHANISMS", "PHASES", "ablate", "run_times", "paired_ratios"]

PHASES = ("detect", "acknowledge", "diagnose", "mitigate", "resolve")


@dataclass(frozen=True)
class Mechanism:
    """A named mechanism and the overrides that switch it off."""

    name: str
    what: str
    off: tuple[str, ...]


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism("misreading", "messages can be misread", ("communication.misreading=false",)),
    Mechanism("familiarity_in_misreading", "strangers misread each other more", ("communication.misread_unfamiliarity=0.0",)),
    Mechanism("skimming", "a busy inbox is skimmed and misread more", ("communication.misread_skim=0.0",)),
    Mechanism("familiarity_in_paging", "paging a stranger has a social cost", ("page.social_cost=0.0",)),
    Mechanism("night_paging_cost", "paging at night costs more", ("page.night_factor=0.0",)),
    Mechanism(
        "transactive_memory_error", "who knows what is misjudged, less so between familiars", ("relationships.transactive_noise=0.0",)
    ),
    Mechanism("corners", "each person knows their own corner of their team's services best", ("responders.corners=false",)),
    Mechanism(
        "fatigue",
        "the clock, wakefulness, sleep debt and incident hours tire people",
        ("fatigue.circadian=0.0", "fatigue.per_hour_awake=0.0", "fatigue.per_hour_debt=0.0", "fatigue.per_incident_hour=0.0"),
    ),
    Mechanism("connective_labor", "acknowledging, clarifying and owning mistakes", ("connective.enabled=false",)),
    Mechanism("misleading_reports", "the tool reports the opposite of what happened", ("remediation.misleading_report_prob=0.0",)),
    Mechanism("remediation_failure", "a fitting remedy on the root can fail", ("remediation.failure_prob=0.0",)),
    Mechanism("misjudgement", "a symptom one knows little about is taken for the root", ("investigation.misjudge_rate=0.0",)),
    Mechanism("coordination_cost", "every extra person slows everyone", ("coordination.coordination_cost=0.0",)),
    Mechanism("time_pressure", "urgency in g", ("goodness.w_urgency=0.0",)),
    Mechanism("role_expectations", "what each role expects of its holder", ("goodness.w_role=0.0",)),
    Mechanism("other_duties", "the conflicting goal of other work", ("goodness.w_duty=0.0",)),
    Mechanism("risk_aversion", "reluctance to act on what one knows little about", ("goodness.risk_aversion=0.0",)),
    Mechanism("decision_noise", "choices vary beyond the components of g", ("goodness.noise=0.0",)),
    Mechanism("repeat_discount", "looking again tells less", ("investigation.repeat_discount=1.0",)),
    Mechanism("retry_discount", "a remedy that failed is tried less", ("remediation.retry_discount=1.0",)),
    Mechanism("self_healing", "the fault may clear on its own", ("fault.self_heal_rate=0.0",)),
    Mechanism(
        "detection_delay",
        "the monitoring takes time to page, or misses and customers report",
        ("detection.alert_minutes=0.0", "detection.miss_prob=0.0"),
    ),
    Mechanism("unrelated_alerts", "an unrelated alert fires with the incident (a red herring)", ("detection.unrelated_alert_prob=0.0",)),
    Mechanism(
        "novel_failure_modes", "some failure modes nobody has seen: hard to recognise, only a code fix", ("incident.novel_share=0.0",)
    ),
    Mechanism("flapping_symptoms", "some faults' symptoms come and go", ("incident.flapping_share=0.0",)),
    Mechanism(
        "staged_repair_failures",
        "a code fix's or data repair's stage can fail part-way and run again",
        ("remediation.stage_failure_prob=0.0",),
    ),
    Mechanism("wrong_action_harm", "a wrong restart, rollback or failover can break its service", ("remediation.wrong_harm_prob=0.0",)),
    Mechanism("fixation", "reports against a root cause one has been told about are dismissed", ("fixation.strength=0.0",)),
    Mechanism("stuck_belief_travels", "'they are out of ideas' is passed on", ("beliefs.pass_on_stuck=0.0",)),
    Mechanism("escalation_interrupts", "a bystander's escalation interrupts the team", ("escalate.interrupt_minutes=0.0",)),
    Mechanism("familiarity_in_coordination", "familiar people coordinate with less talk", ("coordination.familiarity_relief=0.0",)),
    Mechanism("worsening", "the impact may worsen, raising pressure", ("fault.worsen_rate=0.0",)),
    Mechanism("regroup", "the commander stops the flailing: the team pools failures and defers to expertise", ("regroup.enabled=false",)),
)


def run_times(cfg: dict[str, Any], seed: int) -> dict[str, Any]:
    """The phase times of one run (censored phases at the minutes simulated) and whether it resolved."""
    from .organisation import incident_model

    m = incident_model(cfg, seed=seed, record_trace=False).run()  # on the organisation file's people when one is set
    out: dict[str, Any] = {p: float(m.times[p]) if m.times[p] is not None else float(m.minute) for p in PHASES}
    out["resolved"] = m.times["resolve"] is not None
    return out


def _chunk(cfg: dict[str, Any], seeds: list[int]) -> list[dict[str, Any]]:
    return [run_times(cfg, s) for s in seeds]


def paired_ratios(base: np.ndarray, arm: np.ndarray, reps: int = 2000, seed: int = 0) -> dict[str, tuple[float, float, float]]:
    """Ratio arm/base of the geometric mean and of the median, each with a 95% paired bootstrap interval."""
    rng = np.random.default_rng(seed)
    n = base.size
    idx = rng.integers(0, n, size=(reps, n))
    log_diff = np.log(arm) - np.log(base)
    gm = np.exp(log_diff[idx].mean(axis=1))
    med = np.median(arm[idx], axis=1) / np.median(base[idx], axis=1)
    return {
        "geomean": (float(np.exp(log_diff.mean())), float(np.percentile(gm, 2.5)), float(np.percentile(gm, 97.5))),
        "median": (float(np.median(arm) / np.median(base)), float(np.percentile(med, 2.5)), float(np.percentile(med, 97.5))),
    }


def ablate(
    cfg: dict[str, Any],
    runs: int = 200,
    mechanisms: tuple[Mechanism, ...] = MECHANISMS,
    workers: int = 1,
    progress: bool = False,
) -> list[dict[str, Any]]:
    """One row per mechanism: its effect when switched off, against the scenario as given, on seeds 0..runs-1."""
    if runs < 2:
        raise ConfigError(f"--runs {runs}: allowed: an integer >= 2 (a paired comparison needs at least two seeds).")
    arms = {"as given": cfg} | {m.name: apply_overrides(cfg, list(m.off), where=f"mechanism {m.name}") for m in mechanisms}
    seeds = list(range(runs))
    chunks = [seeds[i : i + 25] for i in range(0, runs, 25)]
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in arms}
    jobs = [(name, chunk) for name in arms for chunk in chunks]
    bar = _progress(len(jobs) * 25) if progress else None
    if workers > 1:
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_chunk, arms[name], chunk): (name, k) for k, (name, chunk) in enumerate(jobs)}
            done: dict[int, list[dict[str, Any]]] = {}
            for fut in concurrent.futures.as_completed(futures):
                done[futures[fut][1]] = fut.result()
                if bar is not None:
                    bar.update(25)
        for k, (name, _) in enumerate(jobs):
            results[name] += done[k]
    else:
        for name, chunk in jobs:
            results[name] += _chunk(arms[name], chunk)
            if bar is not None:
                bar.update(len(chunk))
    if bar is not None:
        bar.close()
    base = results["as given"]
    rows = []
    for m in mechanisms:
        arm = results[m.name]
        row: dict[str, Any] = {"mechanism": m.name, "what": m.what, "off": "; ".join(m.off), "runs": runs}
        row["censored_as_given"] = sum(not r["resolved"] for r in base)
        row["censored_off"] = sum(not r["resolved"] for r in arm)
        for phase in PHASES:
            b = np.array([r[phase] for r in base])
            a = np.array([r[phase] for r in arm])
            ratios = paired_ratios(np.maximum(b, 1.0), np.maximum(a, 1.0))  # a phase can take 0 minutes
            for stat, (est, lo, hi) in ratios.items():
                if phase == "resolve" or stat == "geomean":
                    key = f"{phase}_{stat}"
                    row[key], row[key + "_lo"], row[key + "_hi"] = round(est, 4), round(lo, 4), round(hi, 4)
        row["detectable"] = not (row["resolve_geomean_lo"] <= 1.0 <= row["resolve_geomean_hi"])
        rows.append(row)
    return rows


def _progress(total: int):
    try:
        from tqdm import tqdm
    except ModuleNotFoundError:  # a light install: no bar
        return None
    return tqdm(total=total, unit="run", desc="ablate", leave=False, delay=2.0)


def format_ratio(row: dict[str, Any], key: str) -> str:
    est, lo, hi = row[key], row[key + "_lo"], row[key + "_hi"]
    return f"{est:.2f} [{lo:.2f}, {hi:.2f}]" if math.isfinite(est) else "n/a"
