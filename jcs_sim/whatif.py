"""What-if from a calibration: the effect of a change, with an interval that includes what the data did not pin down.

Why draw from the posterior: a what-if run at the posterior medians alone
would pretend the calibrated keys are known exactly. Here each pair of runs
(as calibrated, and with the change) uses its own parameter set drawn from
the posterior (by weight) and its own incident seed, shared by both arms
(common random numbers). The paired bootstrap over pairs
(:func:`jcs_sim.ablate.paired_ratios`) then carries both the run-to-run
noise and the parameter uncertainty into the interval. Each draw runs
``per_draw`` seeds, so the share of draws in which the change helps (its
geometric-mean ratio below 1) says how much the answer depends on values
the history left open.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .ablate import PHASES, paired_ratios
from .calibrate import Prior, set_params
from .config import ConfigError, apply_overrides, validate

__all__ = ["load_calibration", "whatif"]


def load_calibration(directory: str | Path) -> tuple[dict[str, Any], list[Prior], dict[str, np.ndarray], np.ndarray]:
    """The base config, priors, posterior samples and weights of a finished `jcs-sim calibrate --out DIR`."""
    import pyarrow.parquet as pq

    d = Path(directory)
    meta_path, post_path = d / "calibration.json", d / "posterior.parquet"
    if not meta_path.is_file() or not post_path.is_file():
        raise ConfigError(
            f"{d}: not a finished calibration (expected calibration.json and posterior.parquet from `jcs-sim calibrate --out`)."
        )
    meta = json.loads(meta_path.read_text())
    if not meta.get("complete"):
        raise ConfigError(f"{d}: the calibration did not finish; run the same `jcs-sim calibrate` command again to resume it.")
    settings = meta["settings"]
    cfg = validate(settings["config"], where=str(meta_path))
    priors = [Prior(**p) for p in settings["priors"]]
    table = pq.read_table(post_path).to_pydict()
    samples = {p.key: np.asarray(table[p.key], float) for p in priors}
    weights = np.asarray(table["weight"], float)
    return cfg, priors, samples, weights / weights.sum()


def whatif(directory: str | Path, sets: list[str], runs: int = 100, per_draw: int = 4, seed: int = 0) -> dict[str, Any]:
    """Paired runs with and without ``sets`` at ``runs`` posterior draws x ``per_draw`` seeds each."""
    from .organisation import incident_model

    if not sets:
        raise ConfigError("whatif: give at least one change, --set SECTION.KEY=VALUE.")
    if seed < 0:
        raise ConfigError(f"--seed {seed}: allowed: an integer >= 0.")
    if runs < 2 or per_draw < 1:
        raise ConfigError(f"--runs {runs} / --per-draw {per_draw}: allowed: --runs >= 2 and --per-draw >= 1.")
    cfg, priors, samples, weights = load_calibration(directory)
    apply_overrides(cfg, sets)  # validate the change once, with its own error message
    rng = np.random.default_rng(seed)
    draws = rng.choice(weights.size, size=runs, p=weights)
    times: dict[str, dict[str, list[float]]] = {arm: {p: [] for p in PHASES} for arm in ("base", "changed")}
    censored = {"base": 0, "changed": 0}
    helps: list[float] = []
    for j in draws:
        values = {k: float(v[j]) for k, v in samples.items()}
        base = set_params(cfg, priors, values)
        arms = {"base": base, "changed": apply_overrides(base, sets)}
        draw_logs = {"base": [], "changed": []}
        for s in rng.integers(0, 2**31 - 1, size=per_draw):
            for arm, c in arms.items():
                m = incident_model(c, seed=int(s), record_trace=False).run()
                censored[arm] += m.times["resolve"] is None
                for p in PHASES:
                    v = m.times[p] if m.times[p] is not None else m.minute
                    times[arm][p].append(max(float(v), 1.0))  # a phase can take 0 minutes
                draw_logs[arm].append(np.log(times[arm]["resolve"][-1]))
        helps.append(np.sign(np.mean(draw_logs["base"]) - np.mean(draw_logs["changed"])))  # +1 helps, -1 hurts, 0 no difference
    out: dict[str, Any] = {"sets": sets, "draws": runs, "per_draw": per_draw, "pairs": runs * per_draw, "seed": seed, "censored": censored}
    for p in PHASES:
        r = paired_ratios(np.asarray(times["base"][p]), np.asarray(times["changed"][p]), seed=seed)
        for stat, (est, lo, hi) in r.items():
            if p == "resolve" or stat == "geomean":
                out[f"{p}_{stat}"] = (est, lo, hi)
    out["resolve_median_minutes"] = (float(np.median(times["base"]["resolve"])), float(np.median(times["changed"]["resolve"])))
    out["share_draws_helped"] = float(np.mean(np.asarray(helps) > 0))
    out["share_draws_hurt"] = float(np.mean(np.asarray(helps) < 0))
    return out
