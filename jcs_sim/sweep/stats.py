"""Statistics for sweeps: bootstrap CIs, effect sizes, Kaplan-Meier (lifelines) and SALib indices.

Conventions, chosen so that censoring is never silently dropped:

- A time that was not reached (an incident unresolved at the censoring
  horizon, a diagnosis that never came) counts as +infinity. Quantiles use the
  inverted-CDF definition (the smallest observed value with at least a share
  q of runs at or below it), which for a common censoring horizon equals the
  Kaplan-Meier quantile. A quantile that falls among the unreached runs is
  reported as ``None`` ("not reached").
- The geometric mean is taken over the runs that reached the time (it is
  conditional on reaching it), reported next to the share that did.
- Confidence intervals are percentile bootstrap intervals (Efron & Tibshirani
  1993, *An Introduction to the Bootstrap*, ch. 13). Between two conditions
  of a sweep with common random numbers, the bootstrap resamples the shared
  seeds jointly (a paired bootstrap), which is what makes the comparison sharp.
- Cliff's delta (Cliff 1993, Psychological Bulletin 114:494) is
  P(B > A) - P(B < A) from ranks, unreached runs tied at the top.
- The log-rank test (lifelines) compares whole survival curves; p values are
  Holm-adjusted over all pairs shown (Holm 1979, Scand. J. Statistics 6:65).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "TIMES",
    "quantile",
    "bootstrap_ci",
    "time_stats",
    "kaplan_meier",
    "cliffs_delta",
    "pairwise",
    "holm",
    "sensitivity",
    "paired_quantile_ratio",
    "paired_mean_difference",
    "pad_clusters",
    "interaction_ratio",
]

TIMES = ("time_to_detect", "time_to_acknowledge", "time_to_diagnose", "time_to_mitigate", "time_to_resolve")
LEVEL = 0.95
_CELLS = 4_000_000  # resample-matrix elements per block: bounds memory for large conditions


def _num(x: float) -> float | None:
    """JSON-friendly: ``None`` for infinite or missing values."""
    return float(x) if x is not None and math.isfinite(x) else None


def quantile(x: np.ndarray, q: float, axis: int = -1) -> np.ndarray:
    """Inverted-CDF quantile (an observed value, +inf allowed): the Kaplan-Meier quantile under a common horizon."""
    return np.quantile(x, q, axis=axis, method="inverted_cdf")


def _median(m: np.ndarray) -> np.ndarray:
    return quantile(m, 0.5)


def _p90(m: np.ndarray) -> np.ndarray:
    return quantile(m, 0.9)


def _geomean(m: np.ndarray) -> np.ndarray:
    return np.exp(np.log(m).mean(axis=-1))


def bootstrap_ci(
    x: np.ndarray, stat: Callable[[np.ndarray], np.ndarray], rng: np.random.Generator, B: int = 2000, level: float = LEVEL
) -> tuple[float | None, float | None]:
    """Percentile bootstrap CI of ``stat`` (which maps a (b, n) matrix to b values)."""
    n = len(x)
    if n < 2:
        return None, None
    block = max(1, min(B, _CELLS // n))
    vals = []
    for start in range(0, B, block):
        idx = rng.integers(0, n, size=(min(block, B - start), n))
        vals.append(stat(x[idx]))
    v = np.concatenate(vals)
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(v, [a, 1.0 - a], method="inverted_cdf")
    return _num(lo), _num(hi)


def time_stats(values: np.ndarray, rng: np.random.Generator, B: int = 2000) -> dict[str, Any]:
    """Median, geometric mean and p90 with bootstrap CIs; ``values`` has NaN where the time was not reached."""
    x = np.where(np.isnan(values), np.inf, values).astype(float)
    reached = x[np.isfinite(x)]
    out: dict[str, Any] = {
        "n": int(len(x)),
        "n_reached": int(len(reached)),
        "reached_fraction": _num(len(reached) / len(x)) if len(x) else None,
    }
    if len(x) == 0:
        return out | {
            k: ([None, None] if k.endswith("_ci") else None) for k in ("median", "median_ci", "p90", "p90_ci", "geomean", "geomean_ci")
        }
    out["median"] = _num(_median(x))
    out["median_ci"] = list(bootstrap_ci(x, _median, rng, B))
    out["p90"] = _num(_p90(x))
    out["p90_ci"] = list(bootstrap_ci(x, _p90, rng, B))
    if len(reached):
        pos = np.maximum(reached, 0.5)  # a time of 0 minutes would make the log undefined; none occurs (minutes start at 1)
        out["geomean"] = _num(float(_geomean(pos)))
        out["geomean_ci"] = list(bootstrap_ci(pos, _geomean, rng, B))
    else:
        out["geomean"], out["geomean_ci"] = None, [None, None]
    return out


def kaplan_meier(durations: np.ndarray, events: np.ndarray, label: str, level: float = LEVEL) -> dict[str, Any]:
    """Kaplan-Meier survival curve (lifelines) with its pointwise CI and the median with its CI."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    if len(durations) == 0:
        return {"timeline": [], "survival": [], "lower": [], "upper": [], "median": None, "median_ci": [None, None]}
    kmf = KaplanMeierFitter(alpha=1.0 - level).fit(durations, event_observed=events, label=label)
    sf = kmf.survival_function_[label]
    ci = kmf.confidence_interval_survival_function_
    med_ci = median_survival_times(kmf.confidence_interval_)
    return {
        "timeline": [float(t) for t in sf.index],
        "survival": [float(v) for v in sf.to_numpy()],
        "lower": [float(v) for v in ci.iloc[:, 0].to_numpy()],
        "upper": [float(v) for v in ci.iloc[:, 1].to_numpy()],
        "median": _num(float(kmf.median_survival_time_)),
        "median_ci": [_num(float(v)) for v in np.asarray(med_ci).ravel()[:2]],
    }


def cliffs_delta(a: np.ndarray, b: np.ndarray) -> float | None:
    """P(b > a) - P(b < a), ties counted half, from ranks (O(n log n)); +inf allowed."""
    from scipy.stats import rankdata

    na, nb = len(a), len(b)
    if not na or not nb:
        return None
    both = np.concatenate([a, b])
    both = np.where(np.isinf(both), np.finfo(float).max, both)  # rank +inf as the largest value, ties kept
    ranks = rankdata(both)
    u_b = ranks[na:].sum() - nb * (nb + 1) / 2.0
    return float(2.0 * u_b / (na * nb) - 1.0)


def holm(p: list[float | None]) -> list[float | None]:
    """Holm's step-down adjustment (None entries are skipped)."""
    idx = [i for i, v in enumerate(p) if v is not None]
    order = sorted(idx, key=lambda i: p[i])
    m = len(order)
    out: list[float | None] = [None] * len(p)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def _ratio_of_medians(xa: np.ndarray, xb: np.ndarray) -> np.ndarray:
    ma, mb = _median(xa), _median(xb)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(np.isfinite(ma) & np.isfinite(mb), mb / ma, np.inf)
    return r


def pairwise(
    groups: list[dict[str, Any]],
    rng: np.random.Generator,
    B: int = 2000,
    max_all_pairs: int = 20,
    pairs: list[tuple[int, int]] | None = None,
) -> list[dict[str, Any]]:
    """Effect sizes of time-to-resolve between conditions (B relative to A).

    ``groups``: dicts with ``label``, ``x`` (time with +inf when unresolved),
    ``duration`` and ``event`` (for the log-rank test) and ``key`` (the
    common-random-number key of each run, or None). ``pairs`` lists the
    (A, B) indices to compare; by default all pairs, or with more than
    ``max_all_pairs`` conditions each against the first only. Holm's
    adjustment is over the pairs compared.
    """
    from lifelines.statistics import logrank_test

    if pairs is not None:
        pass
    elif len(groups) <= max_all_pairs:
        pairs = list(itertools.combinations(range(len(groups)), 2))
    else:
        pairs = [(0, j) for j in range(1, len(groups))]
    out = []
    for i, j in pairs:
        A, Bg = groups[i], groups[j]
        xa, xb = A["x"], Bg["x"]
        row: dict[str, Any] = {"a": A["label"], "b": Bg["label"], "n_a": int(len(xa)), "n_b": int(len(xb))}
        if len(xa) == 0 or len(xb) == 0:
            out.append(row | {"ratio_of_medians": None, "ratio_ci": [None, None], "paired": False, "cliffs_delta": None, "logrank_p": None})
            continue
        row["ratio_of_medians"] = _num(float(_ratio_of_medians(xa, xb)))
        paired = A.get("key") is not None and Bg.get("key") is not None
        if paired:
            common, ia, ib = np.intersect1d(A["key"], Bg["key"], return_indices=True)
            paired = len(common) >= 2
        if paired:
            pa_, pb_ = xa[ia], xb[ib]
            n = len(common)
            block = max(1, min(B, _CELLS // n))
            vals = []
            for start in range(0, B, block):
                idx = rng.integers(0, n, size=(min(block, B - start), n))
                vals.append(_ratio_of_medians(pa_[idx], pb_[idx]))
        else:
            vals = []
            block = max(1, min(B, _CELLS // max(len(xa), len(xb))))
            for start in range(0, B, block):
                b = min(block, B - start)
                vals.append(_ratio_of_medians(xa[rng.integers(0, len(xa), (b, len(xa)))], xb[rng.integers(0, len(xb), (b, len(xb)))]))
        v = np.concatenate(vals)
        lo, hi = np.quantile(v, [(1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2], method="inverted_cdf")
        row["ratio_ci"] = [_num(lo), _num(hi)]
        row["paired"] = bool(paired)
        row["cliffs_delta"] = cliffs_delta(xa, xb)
        try:
            row["logrank_p"] = _num(float(logrank_test(A["duration"], Bg["duration"], A["event"], Bg["event"]).p_value))
        except (ValueError, ZeroDivisionError):
            row["logrank_p"] = None
        out.append(row)
    adj = holm([r.get("logrank_p") for r in out])
    for r, a in zip(out, adj, strict=True):
        r["logrank_p_holm"] = a
    return out


def pad_clusters(clusters: list[np.ndarray]) -> np.ndarray:
    """Clusters of unequal size (the incidents of each campaign) as rows of one matrix, padded with NaN."""
    width = max([len(c) for c in clusters] + [1])
    out = np.full((len(clusters), width), np.nan)
    for i, c in enumerate(clusters):
        out[i, : len(c)] = c
    return out


def paired_quantile_ratio(
    xa: np.ndarray, xb: np.ndarray, q: float, rng: np.random.Generator, B: int = 2000, level: float = LEVEL
) -> dict[str, Any]:
    """Ratio of the q-quantiles of B and A with a paired (cluster) percentile bootstrap CI.

    ``xa`` and ``xb`` are (pairs, cluster size) matrices padded with NaN
    (one column for single incidents; one row per campaign for campaigns,
    :func:`pad_clusters`), unreached times as +inf. Row i of both arms shares
    a seed, so rows are resampled jointly: the paired bootstrap that makes a
    common-random-numbers comparison sharp. Resampling whole campaigns keeps
    the correlation of incidents within one (a cluster bootstrap; Davison &
    Hinkley 1997, *Bootstrap Methods and their Application*, sec. 3.8).
    """
    n = len(xa)

    def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        qa = np.nanquantile(a, q, axis=-1, method="inverted_cdf")
        qb = np.nanquantile(b, q, axis=-1, method="inverted_cdf")
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(np.isfinite(qa) & np.isfinite(qb) & (qa > 0), qb / qa, np.nan)

    a_all, b_all = xa.reshape(1, -1), xb.reshape(1, -1)
    out: dict[str, Any] = {
        "a": _num(float(np.nanquantile(a_all, q, method="inverted_cdf"))) if n else None,
        "b": _num(float(np.nanquantile(b_all, q, method="inverted_cdf"))) if n else None,
        "ratio": _num(float(ratio(a_all, b_all)[0])) if n else None,
        "ratio_ci": [None, None],
    }
    if n < 2:
        return out
    block = max(1, min(B, _CELLS // max(1, xa.size)))
    vals = []
    for start in range(0, B, block):
        idx = rng.integers(0, n, size=(min(block, B - start), n))
        vals.append(ratio(xa[idx].reshape(len(idx), -1), xb[idx].reshape(len(idx), -1)))
    v = np.concatenate(vals)
    if np.isnan(v).mean() > (1 - level) / 2:  # the quantile is unreached in too many resamples: no interval
        return out
    a = (1.0 - level) / 2.0
    lo, hi = np.nanquantile(np.where(np.isnan(v), np.inf, v), [a, 1 - a], method="inverted_cdf")
    out["ratio_ci"] = [_num(float(lo)), _num(float(hi))]
    return out


def paired_mean_difference(a: np.ndarray, b: np.ndarray, rng: np.random.Generator, B: int = 2000, level: float = LEVEL) -> dict[str, Any]:
    """Mean of A, mean of B and the mean paired difference B - A with a percentile bootstrap CI."""
    d = np.asarray(b, float) - np.asarray(a, float)
    lo, hi = bootstrap_ci(d, lambda m: m.mean(axis=-1), rng, B, level)
    return {"a": _num(float(np.mean(a))), "b": _num(float(np.mean(b))), "difference": _num(float(d.mean())), "difference_ci": [lo, hi]}


def interaction_ratio(cells: list[np.ndarray], rng: np.random.Generator, B: int = 2000, level: float = LEVEL) -> dict[str, Any]:
    """Interaction of two factors on median time to resolve, as a ratio of ratios, with a paired bootstrap CI.

    ``cells`` are the runs of (a0, b0), (a1, b0), (a0, b1), (a1, b1), aligned
    row by row on their common-random-number key. The ratio is
    ``[m(a1, b1) / m(a0, b1)] / [m(a1, b0) / m(a0, b0)]``: how much the effect
    of a1 (against a0) is multiplied when b1 replaces b0. 1 means the effects
    multiply independently (no interaction on this scale).
    """
    x = np.column_stack(cells)  # (n, 4)
    n = len(x)

    def ror(m: np.ndarray) -> np.ndarray:  # (b, n, 4) -> (b,)
        q = np.quantile(m, 0.5, axis=1, method="inverted_cdf")
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (q[:, 3] / q[:, 2]) / (q[:, 1] / q[:, 0])
        return np.where(np.all(np.isfinite(q), axis=1), r, np.nan)

    point = ror(x[None])[0]
    out: dict[str, Any] = {"n": int(n), "ratio": _num(float(point)), "ratio_ci": [None, None]}
    if n < 2 or not np.isfinite(point):
        return out
    block = max(1, min(B, _CELLS // max(1, x.size)))
    vals = [ror(x[rng.integers(0, n, size=(min(block, B - s), n))]) for s in range(0, B, block)]
    v = np.concatenate(vals)
    if np.isnan(v).mean() > (1 - level) / 2:
        return out
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(np.where(np.isnan(v), np.inf, v), [a, 1 - a], method="inverted_cdf")
    out["ratio_ci"] = [_num(float(lo)), _num(float(hi))]
    return out


def sensitivity(
    method: str, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, seed: int, second_order: bool = False, levels: int = 4
) -> dict[str, Any]:
    """SALib indices for a Sobol or Morris design; Spearman rank correlations for a Latin hypercube."""
    names = list(problem["names"])
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem, Y, calc_second_order=second_order, seed=seed)
        out = {"method": "sobol", "names": names}
        for k in ("S1", "S1_conf", "ST", "ST_conf"):
            out[k] = [_num(float(v)) for v in res[k]]
        if second_order:
            out["S2"] = [[_num(float(v)) for v in row] for row in res["S2"]]
        return out
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, X, Y, num_levels=levels, seed=seed)
        return {"method": "morris", "names": names} | {
            k: [_num(float(v)) for v in res[k]] for k in ("mu", "mu_star", "sigma", "mu_star_conf")
        }
    from scipy.stats import spearmanr

    rho = []
    for j in range(X.shape[1]):
        r = spearmanr(X[:, j], Y).statistic if np.ptp(Y) > 0 else float("nan")
        rho.append(_num(float(r)))
    return {"method": "latin", "names": names, "spearman_rho": rho}
