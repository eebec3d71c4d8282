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

The sweep form (:func:`whatif_sweep`, ``--sweep KEY=V1,V2,...``) asks the
same question of each value of one or more keys (a grid, as a sweep file's
``[grid]`` lists them). Every value is run on the *same* posterior draws and
seeds, against one shared as-calibrated arm, so values are compared with
each other on equal terms as well as with the calibrated model, and adding
a value never changes the numbers of the others.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .ablate import PHASES, paired_ratios, run_times
from .calibrate import Prior, set_params
from .config import ConfigError, _check_value, _parse_scalar, apply_overrides, check_mode, validate, value_of, with_settings

__all__ = ["load_calibration", "parse_sweep", "whatif", "whatif_sweep"]


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


def _check_sizes(runs: int, per_draw: int, seed: int) -> None:
    if seed < 0:
        raise ConfigError(f"--seed {seed}: allowed: an integer >= 0.")
    if runs < 2 or per_draw < 1:
        raise ConfigError(f"--runs {runs} / --per-draw {per_draw}: allowed: --runs >= 2 and --per-draw >= 1.")


def _progress(total: int, progress: bool):
    """A bar on stderr when it is a terminal (never inside captured output, such as the docs' tests)."""
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ModuleNotFoundError:  # a light install: no bar
        return None
    return tqdm(total=total, unit="run", desc="whatif", leave=False, delay=1.0, disable=None)


def _paired_runs(
    cfg: dict[str, Any],
    priors: list[Prior],
    samples: dict[str, np.ndarray],
    weights: np.ndarray,
    arms: dict[str, Callable[[dict[str, Any]], dict[str, Any]]],
    runs: int,
    per_draw: int,
    seed: int,
    progress: bool,
) -> tuple[dict[str, dict[str, list[float]]], dict[str, int], dict[str, list[float]]]:
    """Phase times per arm (``"base"`` and each of ``arms``), censored counts, and each arm's per-draw verdict.

    Every arm runs on the same posterior draws and incident seeds, drawn in
    one order from ``seed`` whatever the arms are, so a what-if with one
    change gives the same numbers as before the sweep form existed.
    """
    rng = np.random.default_rng(seed)
    draws = rng.choice(weights.size, size=runs, p=weights)
    names = ["base", *arms]
    times: dict[str, dict[str, list[float]]] = {arm: {p: [] for p in PHASES} for arm in names}
    censored = dict.fromkeys(names, 0)
    helps: dict[str, list[float]] = {arm: [] for arm in arms}
    bar = _progress(runs * per_draw * len(names), progress)
    try:
        for j in draws:
            values = {k: float(v[j]) for k, v in samples.items()}
            base = set_params(cfg, priors, values)
            configs = {"base": base} | {arm: change(base) for arm, change in arms.items()}
            draw_logs: dict[str, list[float]] = {arm: [] for arm in names}
            for s in rng.integers(0, 2**31 - 1, size=per_draw):
                for arm, c in configs.items():
                    run = run_times(c, int(s))  # censored phases at the minutes simulated, as ablate counts them
                    censored[arm] += not run["resolved"]
                    for p in PHASES:
                        times[arm][p].append(max(run[p], 1.0))  # a phase can take 0 minutes
                    draw_logs[arm].append(np.log(times[arm]["resolve"][-1]))
                    if bar is not None:
                        bar.update(1)
            for arm in arms:  # +1 helps, -1 hurts, 0 no difference on this draw's seeds
                helps[arm].append(float(np.sign(np.mean(draw_logs["base"]) - np.mean(draw_logs[arm]))))
    finally:
        if bar is not None:
            bar.close()
    return times, censored, helps


def _ratios(base: dict[str, list[float]], arm: dict[str, list[float]], seed: int) -> dict[str, tuple[float, float, float]]:
    """Ratios arm / base with 95% paired bootstrap intervals: median and geometric mean of time to resolve, each phase's geometric mean."""
    out: dict[str, tuple[float, float, float]] = {}
    for p in PHASES:
        r = paired_ratios(np.asarray(base[p]), np.asarray(arm[p]), seed=seed)
        for stat, (est, lo, hi) in r.items():
            if p == "resolve" or stat == "geomean":
                out[f"{p}_{stat}"] = (est, lo, hi)
    return out


def _shares(helps: list[float]) -> dict[str, float]:
    """The share of posterior draws in which the change helps (and hurts) on that draw's seeds."""
    h = np.asarray(helps)
    return {"share_draws_helped": float(np.mean(h > 0)), "share_draws_hurt": float(np.mean(h < 0))}


def whatif(
    directory: str | Path, sets: list[str], runs: int = 100, per_draw: int = 4, seed: int = 0, progress: bool = False
) -> dict[str, Any]:
    """Paired runs with and without ``sets`` at ``runs`` posterior draws x ``per_draw`` seeds each."""
    if not sets:
        raise ConfigError("whatif: give at least one change, --set SECTION.KEY=VALUE.")
    _check_sizes(runs, per_draw, seed)
    cfg, priors, samples, weights = load_calibration(directory)
    check_mode(apply_overrides(cfg, sets), "run", where="--set")  # validate the change once; refuse a key one incident ignores
    arms = {"changed": lambda base: apply_overrides(base, sets)}
    times, censored, helps = _paired_runs(cfg, priors, samples, weights, arms, runs, per_draw, seed, progress)
    out: dict[str, Any] = {"sets": sets, "draws": runs, "per_draw": per_draw, "pairs": runs * per_draw, "seed": seed, "censored": censored}
    out |= _ratios(times["base"], times["changed"], seed)
    out["resolve_median_minutes"] = (float(np.median(times["base"]["resolve"])), float(np.median(times["changed"]["resolve"])))
    return out | _shares(helps["changed"])


# ----- the sweep form ------------------------------------------------------------------------


def _values(where: str, item: str, text: str) -> list[Any]:
    """``0.25,0.5`` or ``direct,broadcast`` or ``"a,b","c"``: a TOML array without its brackets, else comma-separated scalars."""
    import tomllib

    empty = ConfigError(
        f"{where} {item!r}: an empty value; allowed: SECTION.KEY=V1,V2,... (for example relationships.across_team=0.25,0.5)."
    )
    bare = "".join(text.split())
    if not bare or bare.startswith(",") or bare.endswith(",") or ",," in bare:
        raise empty
    try:
        values = tomllib.loads(f"v = [{text}]")["v"]
    except tomllib.TOMLDecodeError:
        values = [_parse_scalar(t.strip()) if t.strip() else "" for t in text.split(",")]
    if not values or any(v == "" for v in values):
        raise empty
    return values


def parse_sweep(items: list[str], cfg: dict[str, Any], sets: list[str] = ()) -> list[Any]:
    """The ``--sweep SECTION.KEY=V1,V2,...`` options as sweep-design factors, each value checked as a sweep file's would be.

    Why the sweep design's own parsing (:mod:`jcs_sim.sweep.design`): a
    value here means what it means in a sweep file's ``[grid]`` list, is
    labelled the same way, and a wrong one gets the same message naming the
    key and what is allowed. Every grid cell is then checked against the
    calibration's config, including the keys a single incident ignores
    (``check_mode``), before anything runs.
    """
    from .sweep.design import Factor, _label, _param

    where = "--sweep"
    factors: list[Factor] = []
    fixed = {s.split("=", 1)[0].strip() for s in sets}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"{where} {item!r}: expected SECTION.KEY=V1,V2,... (for example relationships.across_team=0.25,0.5,0.75).")
        name, text = (t.strip() for t in item.split("=", 1))
        p = _param(where, name, name)
        if name in fixed:
            raise ConfigError(f"{where} {item!r}: '{name}' is also given with --set; allowed: each key in one place.")
        if any(f.name == name for f in factors):
            raise ConfigError(f"{where} {item!r}: '{name}' is swept twice; allowed: each key once, with all its values.")
        values = [_check_value(where, name, v, p) for v in _values(where, item, text)]
        for i, v in enumerate(values):
            if v in values[:i]:
                raise ConfigError(f"{where} {item!r}: value {_label(v)} appears twice; allowed: distinct values, each {p.allowed()}.")
        factors.append(Factor(name, tuple(_label(v) for v in values), tuple({name: v} for v in values)))
    for cell in itertools.product(*(range(len(f.labels)) for f in factors)):
        label = _cell_label(factors, cell)
        check_mode(_with(apply_overrides(cfg, list(sets)), _cell(factors, cell), f"{where} {label}"), "run", where=f"{where} {label}")
    return factors


def _cell(factors: list[Any], cell: tuple[int, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f, i in zip(factors, cell, strict=True):
        out.update(f.settings[i])
    return out


def _cell_label(factors: list[Any], cell: tuple[int, ...]) -> str:
    """``relationships.across_team=0.5`` (and ``, KEY=V`` per further factor), as a sweep names its conditions."""
    return ", ".join(f"{f.name}={f.labels[i]}" for f, i in zip(factors, cell, strict=True))


def _with(cfg: dict[str, Any], overrides: dict[str, Any], where: str) -> dict[str, Any]:
    return validate(with_settings(cfg, overrides), where=where)


def whatif_sweep(
    directory: str | Path,
    sweep: list[str],
    sets: list[str] = (),
    runs: int = 100,
    per_draw: int = 4,
    seed: int = 0,
    progress: bool = False,
) -> dict[str, Any]:
    """One paired effect per grid cell of ``sweep`` (``SECTION.KEY=V1,V2,...``), all on the same posterior draws and seeds.

    ``sets`` are applied in every swept arm (not in the as-calibrated one),
    so ``--set A --sweep B=...`` asks "A, and B at each value?". A cell
    whose settings are those of the calibration on a key it did not fit is
    marked ``as_calibrated``: its ratio is exactly 1, a check on the pairing.
    """
    if not sweep:
        raise ConfigError("whatif: give a sweep, --sweep SECTION.KEY=V1,V2,...")
    _check_sizes(runs, per_draw, seed)
    cfg, priors, samples, weights = load_calibration(directory)
    sets = list(sets)
    if sets:
        apply_overrides(cfg, sets)  # its own error message first
    factors = parse_sweep(sweep, cfg, sets)
    free = {pr.key for pr in priors}
    cells = list(itertools.product(*(range(len(f.labels)) for f in factors)))
    labels = [_cell_label(factors, c) for c in cells]

    def change(overrides: dict[str, Any], label: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def apply(base: dict[str, Any]) -> dict[str, Any]:
            return _with(apply_overrides(base, sets) if sets else base, overrides, f"--sweep {label}")

        return apply

    arms = {label: change(_cell(factors, c), label) for label, c in zip(labels, cells, strict=True)}
    times, censored, helps = _paired_runs(cfg, priors, samples, weights, arms, runs, per_draw, seed, progress)
    rows = []
    for label, c in zip(labels, cells, strict=True):
        ov = _cell(factors, c)
        same = not sets and all(k not in free and value_of(cfg, k) == v for k, v in ov.items())
        row: dict[str, Any] = {"value": label, "settings": ov, "as_calibrated": same}
        row |= _ratios(times["base"], times[label], seed)
        row["resolve_median_minutes"] = float(np.median(times[label]["resolve"]))
        row |= _shares(helps[label])
        row["censored"] = censored[label]
        rows.append(row)
    return {
        "sweep": list(sweep),
        "sets": sets,
        "keys": [f.name for f in factors],
        "draws": runs,
        "per_draw": per_draw,
        "pairs": runs * per_draw,
        "seed": seed,
        "base": {
            "resolve_median_minutes": float(np.median(times["base"]["resolve"])),
            "censored": censored["base"],
            "values": {f.name: value_of(cfg, f.name) for f in factors if f.name not in free},
        },
        "rows": rows,
    }
