"""Simulation-based calibration of `jcs-sim calibrate`: do credible intervals hold the truth at their nominal rate?

Why: a posterior is only an honest statement of uncertainty if, over many
histories generated at parameter values drawn from the prior, its 50%
intervals hold the true value about half the time and its 90% intervals
about nine times in ten (Talts et al. 2018, "Validating Bayesian inference
algorithms with simulation-based calibration", arXiv:1804.06788). ABC with
a small population and few generations is expected to be *wider* than the
exact posterior (over-coverage) rather than narrower; under-coverage would
mean over-confident what-ifs.

Each trial: draw the true values from the priors, generate a history of
ROWS incidents from the model at them (the default scenario,
run.max_minutes = 300, incident seeds from the trial), calibrate with the
given settings, and record whether each true value lies in the posterior's
central 50% and 90% intervals, and its posterior rank (the weighted share
of particles below it; uniform on 0-1 if calibrated). Trials run in
parallel, one per worker process; each calibration uses one worker.

    python benchmarks/bench_calibration.py --trials 10 --workers 2 --out results/bench_calibration.json
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np

PRIORS = {"investigation.base_minutes": (2.0, 40.0), "goodness.noise": (0.0, 2.0)}
HORIZON = 300


def trial(k: int, rows: int, population: int, generations: int, budget: int) -> dict:
    """One SBC trial (its own process): truth from the prior, history from the model, calibration, coverage."""
    from jcs_sim import IncidentModel
    from jcs_sim.calibrate import calibrate, resolve_priors, weighted_quantile
    from jcs_sim.config import apply_overrides, default_config
    from jcs_sim.history import from_first_alert, read_history

    rng = np.random.default_rng([2026, k])
    truth = {key: float(rng.uniform(lo, hi)) for key, (lo, hi) in PRIORS.items()}
    base = apply_overrides(default_config(), [f"run.max_minutes={HORIZON}"])
    cfg = apply_overrides(base, [f"{key}={v}" for key, v in truth.items()])
    lines = ["duration_min,open"]
    for _ in range(rows):
        t = from_first_alert(IncidentModel(cfg, seed=int(rng.integers(2**31 - 1)), record_trace=False).run().summary())
        lines.append(f"{t['duration']},{'false' if t['resolved'] else 'true'}")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        (d / "h.csv").write_text("\n".join(lines) + "\n")
        (d / "priors.toml").write_text("".join(f"[{key}]\nlow = {lo}\nhigh = {hi}\n" for key, (lo, hi) in PRIORS.items()))
        priors = resolve_priors(None, d / "priors.toml")
        cpu0, t0 = time.process_time(), time.perf_counter()
        r = calibrate(
            read_history(d / "h.csv"),
            base,
            priors,
            d,
            budget=budget,
            population=population,
            generations=generations,
            batch=rows,
            workers=1,
            seed=k,
            predictive=0,
            progress=False,
        )
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
        import pyarrow.parquet as pq

        post = pq.read_table(d / "posterior.parquet").to_pydict()
    w = np.asarray(post["weight"])
    out = {"trial": k, "truth": truth, "simulations": r["total_simulations"], "cpu_s": cpu, "wall_s": wall, "keys": {}}
    for key in PRIORS:
        x = np.asarray(post[key])
        q = {p: weighted_quantile(x, w, p) for p in (0.05, 0.25, 0.75, 0.95)}
        out["keys"][key] = {
            "in50": bool(q[0.25] <= truth[key] <= q[0.75]),
            "in90": bool(q[0.05] <= truth[key] <= q[0.95]),
            "rank": float(w[x < truth[key]].sum()),
            "width90_ratio": (q[0.95] - q[0.05]) / (0.9 * (PRIORS[key][1] - PRIORS[key][0])),
        }
    return out


def _wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson interval of a proportion (honest with few trials)."""
    if n == 0:
        return (0.0, 1.0)
    p, z = k / n, 1.96
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (c - h, c + h)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rows", type=int, default=20, help="incidents per generated history (and per simulation)")
    ap.add_argument("--population", type=int, default=20)
    ap.add_argument("--generations", type=int, default=3)
    ap.add_argument("--budget", type=int, default=1000)
    ap.add_argument("--out", default="results/bench_calibration.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(args.workers) as pool:
        futs = [pool.submit(trial, k, args.rows, args.population, args.generations, args.budget) for k in range(args.trials)]
        trials = []
        for f in concurrent.futures.as_completed(futs):
            trials.append(f.result())
            print(f"trial {trials[-1]['trial']} done ({len(trials)}/{args.trials}), {time.perf_counter() - t0:.0f} s", flush=True)
    trials.sort(key=lambda t: t["trial"])
    wall = time.perf_counter() - t0
    n = len(trials)
    summary = {
        "settings": vars(args) | {"priors": PRIORS, "horizon": HORIZON, "cpus": os.cpu_count()},
        "wall_minutes": wall / 60,
        "cpu_minutes": sum(t["cpu_s"] for t in trials) / 60,
        "simulations_per_trial": float(np.mean([t["simulations"] for t in trials])),
        "incident_runs_per_trial": float(np.mean([t["simulations"] for t in trials])) * args.rows,
        "cpu_minutes_per_trial": float(np.mean([t["cpu_s"] for t in trials])) / 60,
        "keys": {},
        "trials": trials,
    }
    lines = [
        f"SBC: {n} trials, {args.rows} incidents per history, population {args.population}, {args.generations} generations; "
        f"{wall / 60:.1f} min wall with {args.workers} workers, {summary['cpu_minutes']:.1f} CPU min; "
        f"{summary['simulations_per_trial']:.0f} simulations ({summary['incident_runs_per_trial']:.0f} incident runs) and "
        f"{summary['cpu_minutes_per_trial']:.2f} CPU min per trial",
        "| key | prior | 50% interval coverage [95% CI] | 90% interval coverage [95% CI] | mean 90% width / prior's | ranks in quarters |",
        "|---|---|---|---|---|---|",
    ]
    for key, (lo, hi) in PRIORS.items():
        k50 = sum(t["keys"][key]["in50"] for t in trials)
        k90 = sum(t["keys"][key]["in90"] for t in trials)
        ranks = np.array([t["keys"][key]["rank"] for t in trials])
        quarters = np.histogram(ranks, bins=[0, 0.25, 0.5, 0.75, 1.0 + 1e-9])[0].tolist()
        width = float(np.mean([t["keys"][key]["width90_ratio"] for t in trials]))
        a, b = _wilson(k50, n)
        c, d = _wilson(k90, n)
        summary["keys"][key] = {"cover50": k50 / n, "cover90": k90 / n, "rank_quarters": quarters, "width90_ratio": width}
        lines.append(
            f"| `{key}` | uniform {lo:g}-{hi:g} | {k50}/{n} = {k50 / n:.0%} [{a:.0%}, {b:.0%}] | {k90}/{n} = {k90 / n:.0%} [{c:.0%}, {d:.0%}] "
            f"| {width:.2f} | {quarters} |"
        )
    summary["markdown"] = "\n".join(lines)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(summary, indent=1) + "\n")
    print(summary["markdown"])


if __name__ == "__main__":
    main()
