"""``jcs-sim compare A.toml B.toml``: two settings, paired runs, a verdict with a confidence interval.

Why paired: run i of A and run i of B share their seed, so they see the same
service graph, fault, arrivals and draws wherever the two settings do not
reach (common random numbers); the difference between them is the effect of
the settings, and a paired bootstrap over the seeds gives an honest interval
with few runs. With ``--campaign DAYS`` each run is a campaign of that many
days (the same arrivals, hours and severities in both arms), the incidents of
all campaigns are pooled per arm, and the bootstrap resamples whole
campaigns, because incidents within one share an organisation's history.

The primary statistic, stated in the verdict, is the ratio of the median
time to resolve (B / A) with its 95% paired bootstrap CI; incidents not
resolved within ``run.max_minutes`` count as never resolved (+inf), so a
setting cannot look faster by leaving incidents open. The 90th percentile
and the share of pairs in which B was faster are reported beside it.
"""

from __future__ import annotations

import csv
import html
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from ._version import __version__
from .config import ConfigError, config_to_toml, load_for_mode
from .sweep import stats

__all__ = ["run_pairs", "analyse", "verdict", "write_report", "compare"]

PHASES = ("time_to_detect", "time_to_acknowledge", "time_to_diagnose", "time_to_mitigate", "time_to_resolve")
CAMPAIGN_OUTCOMES = (
    ("tie_across_growth", "across-team ties, change over the campaign", "{:+.3f}"),
    ("knowledge_coverage_growth", "cross-team knowledge, change over the campaign", "{:+.3f}"),
    ("burnout_mean_end", "mean burnout at the end", "{:.3f}"),
)


def _incident(args: tuple[dict[str, Any], int]) -> dict[str, Any]:
    from .organisation import incident_model

    cfg, seed = args
    s = incident_model(cfg, seed=seed, record_trace=False).run().summary()
    return {"seed": seed, "resolved": [bool(s["resolved"])], **{k: [s[k]] for k in PHASES}}


def _campaign(args: tuple[dict[str, Any], int, int]) -> dict[str, Any]:
    from .campaign import Campaign

    cfg, seed, days = args
    camp = Campaign(cfg, seed=seed, days=days).run()
    rows = camp.incidents
    return {
        "seed": seed,
        "resolved": [bool(r["resolved"]) for r in rows],
        **{k: [r[k] for r in rows] for k in PHASES},
        "outcomes": camp.outcomes(),
    }


def run_pairs(
    cfg_a: dict[str, Any], cfg_b: dict[str, Any], runs: int, seed: int = 0, campaign_days: int | None = None, workers: int = 1
) -> dict[str, list[dict[str, Any]]]:
    """Run seeds ``seed .. seed + runs - 1`` of both settings; ``{'A': [...], 'B': [...]}`` in seed order."""
    seeds = list(range(seed, seed + runs))
    out = {}
    for arm, cfg in (("A", cfg_a), ("B", cfg_b)):
        if campaign_days:
            fn, jobs = _campaign, [(cfg, s, campaign_days) for s in seeds]
        else:
            fn, jobs = _incident, [(cfg, s) for s in seeds]
        if workers > 1:
            # spawn, as the sweep engine does: forking a threaded process can deadlock, and results depend only on (config, seed)
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                out[arm] = list(pool.map(fn, jobs, chunksize=max(1, len(jobs) // (4 * workers))))
        else:
            out[arm] = [fn(j) for j in jobs]
    return out


def _times(rows: list[dict[str, Any]], key: str) -> np.ndarray:
    """(runs, incidents per run) matrix, +inf where the time was not reached, NaN padding."""
    return stats.pad_clusters([np.array([np.inf if v is None else float(v) for v in r[key]], dtype=float) for r in rows])


def analyse(
    pairs: dict[str, list[dict[str, Any]]], campaign_days: int | None = None, bootstrap: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """Every number of the verdict and the report, JSON-ready."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xC0A7]))
    a_rows, b_rows = pairs["A"], pairs["B"]
    res: dict[str, Any] = {
        "jcs_sim_version": __version__,
        "unit": "campaign" if campaign_days else "incident",
        "campaign_days": campaign_days,
        "runs": len(a_rows),
        "seeds": [r["seed"] for r in a_rows],
        "bootstrap": bootstrap,
        "ci_level": stats.LEVEL,
        "primary": "ratio of median time to resolve (B / A), paired bootstrap over seeds"
        + (" resampling whole campaigns" if campaign_days else ""),
    }
    for arm, rows in (("A", a_rows), ("B", b_rows)):
        res[f"incidents_{arm}"] = int(sum(len(r["resolved"]) for r in rows))
        res[f"censored_{arm}"] = int(sum(1 for r in rows for ok in r["resolved"] if not ok))
    for key in PHASES:
        xa, xb = _times(a_rows, key), _times(b_rows, key)
        res[key] = {
            "median": stats.paired_quantile_ratio(xa, xb, 0.5, rng, bootstrap),
            "p90": stats.paired_quantile_ratio(xa, xb, 0.9, rng, bootstrap),
        }
    if not campaign_days:
        ta, tb = _times(a_rows, "time_to_resolve")[:, 0], _times(b_rows, "time_to_resolve")[:, 0]
        res["pairs"] = {"b_faster": int(np.sum(tb < ta)), "b_slower": int(np.sum(tb > ta)), "same": int(np.sum(tb == ta))}
    else:
        res["outcomes"] = {}
        for key, _, _ in CAMPAIGN_OUTCOMES:
            a = np.array([r["outcomes"][key] for r in a_rows], dtype=float)
            b = np.array([r["outcomes"][key] for r in b_rows], dtype=float)
            res["outcomes"][key] = stats.paired_mean_difference(a, b, rng, bootstrap)
        res["gamedays_A"] = int(sum(r["outcomes"]["gamedays"] for r in a_rows))
        res["gamedays_B"] = int(sum(r["outcomes"]["gamedays"] for r in b_rows))
    return res


def _pct(r: float) -> float:
    return abs(1.0 - r) * 100.0


def _min(v: float | None) -> str:
    return "not reached" if v is None else f"{v:g} min"


def verdict(res: dict[str, Any], names: tuple[str, str] = ("A", "B")) -> list[str]:
    """The terminal verdict: one headline with its CI, then the evidence beside it."""
    a, b = names
    what = "incidents" if res["unit"] == "incident" else f"incidents over {res['campaign_days']} days"
    med, p90 = res["time_to_resolve"]["median"], res["time_to_resolve"]["p90"]
    r, (lo, hi) = med["ratio"], med["ratio_ci"]
    tail = f"median {_min(med['a'])} vs {_min(med['b'])}; 90th percentile {_min(p90['a'])} vs {_min(p90['b'])}"
    if r is None:
        head = f"No verdict: the median time to resolve is not reached in {a if med['a'] is None else b} (over half its incidents unresolved): {tail}"
    elif lo is None or hi is None:
        head = f"B/A = {r:.2f} with no interval (too few runs, or the median unreached in many resamples): {tail}"
    elif lo > 1.0 and r >= 1.5:  # "113% slower" reads worse than "2.13 times as long"
        head = f"B takes {r:.2f} times as long to resolve {what} [{lo:.2f}, {hi:.2f}]: {tail}"
    elif hi < 1.0 and r <= 0.5:
        head = f"B resolves {what} in {r:.2f} of the time [{lo:.2f}, {hi:.2f}]: {tail}"
    elif hi < 1.0:
        head = f"B resolves {what} {_pct(r):.0f}% faster [{_pct(hi):.0f}%, {_pct(lo):.0f}%]: {tail}"
    elif lo > 1.0:
        head = f"B resolves {what} {_pct(r):.0f}% slower [{_pct(lo):.0f}%, {_pct(hi):.0f}%]: {tail}"
    else:
        head = (
            f"No clear difference: B/A = {r:.2f} [{lo:.2f}, {hi:.2f}], from {_pct(lo):.0f}% "
            f"{'faster' if lo < 1 else 'slower'} to {_pct(hi):.0f}% {'slower' if hi > 1 else 'faster'}: {tail}"
        )
    unit = "paired incidents" if res["unit"] == "incident" else f"paired campaigns of {res['campaign_days']} days"
    seeds = res["seeds"]
    lines = [
        f"jcs-sim compare: {res['runs']} {unit} (seeds {seeds[0]}-{seeds[-1]}, the same in A and B)",
        f"  A  {a}",
        f"  B  {b}",
        "  " + head,
    ]
    if p90["ratio"] is not None and p90["ratio_ci"][0] is not None:
        lines.append(f"  90th percentile B/A = {p90['ratio']:.2f} [{p90['ratio_ci'][0]:.2f}, {p90['ratio_ci'][1]:.2f}]")
    if "pairs" in res:
        p = res["pairs"]
        lines.append(f"  B was faster in {p['b_faster']} of {res['runs']} pairs, slower in {p['b_slower']}, the same in {p['same']}")
    lines.append(
        f"  incidents: A {res['incidents_A']} ({res['censored_A']} censored), B {res['incidents_B']} ({res['censored_B']} censored)"
    )
    if "outcomes" in res:
        lines.append(f"  game days: A {res['gamedays_A']}, B {res['gamedays_B']} (in all {res['runs']} campaigns)")
        for key, label, fmt in CAMPAIGN_OUTCOMES:
            o = res["outcomes"][key]
            lo, hi = o["difference_ci"]
            ci = f" [{lo:+.3f}, {hi:+.3f}]" if lo is not None and hi is not None else ""
            lines.append(f"  {label}: A {fmt.format(o['a'])}, B {fmt.format(o['b'])}, B - A {o['difference']:+.3f}{ci}")
    lines.append(
        f"  {res['ci_level']:.0%} CIs: {res['primary']} ({res['bootstrap']} resamples); unresolved incidents count as never resolved"
    )
    return lines


def _figures(pairs: dict[str, list[dict[str, Any]]], res: dict[str, Any], names: tuple[str, str]) -> list[tuple[str, Any]]:
    import plotly.graph_objects as go

    colors = {"A": "#4C78A8", "B": "#F58518"}
    figs = []
    surv = go.Figure()
    for arm, name in zip(("A", "B"), names, strict=True):
        x = _times(pairs[arm], "time_to_resolve").ravel()
        x = x[~np.isnan(x)]
        horizon = max([v for v in x if np.isfinite(v)] + [1.0])
        dur = np.where(np.isfinite(x), x, horizon)
        km = stats.kaplan_meier(dur, np.isfinite(x).astype(int), arm)
        surv.add_trace(
            go.Scatter(x=km["timeline"], y=km["survival"], mode="lines", line_shape="hv", name=f"{arm}: {name}", line_color=colors[arm])
        )
    surv.update_layout(
        title="Share of incidents still unresolved (Kaplan-Meier)",
        xaxis_title="minutes since the first alert",
        yaxis_title="share unresolved",
        template="plotly_white",
        legend=dict(orientation="h", y=-0.2),
    )
    figs.append(("survival", surv))
    labels = [k.replace("time_to_", "") for k in PHASES]
    ratios = [res[k]["median"]["ratio"] for k in PHASES]
    cis = [res[k]["median"]["ratio_ci"] for k in PHASES]
    forest = go.Figure(
        go.Scatter(
            x=[r if r is not None else np.nan for r in ratios],
            y=labels,
            mode="markers",
            marker=dict(size=10, color="#333"),
            error_x=dict(
                type="data",
                symmetric=False,
                array=[(c[1] - r) if r is not None and c[1] is not None else 0 for r, c in zip(ratios, cis, strict=True)],
                arrayminus=[(r - c[0]) if r is not None and c[0] is not None else 0 for r, c in zip(ratios, cis, strict=True)],
            ),
            name="B / A",
        )
    )
    forest.add_vline(x=1.0, line_dash="dash", line_color="#999")
    forest.update_layout(
        title="Median time of each phase, B / A, with 95% CI (left of 1: B faster)",
        xaxis_title="ratio of medians (B / A)",
        template="plotly_white",
        yaxis=dict(autorange="reversed"),
    )
    figs.append(("phases_ratio", forest))
    return figs


def write_report(
    out: str | Path,
    pairs: dict[str, list[dict[str, Any]]],
    res: dict[str, Any],
    names: tuple[str, str],
    configs: tuple[dict[str, Any], dict[str, Any]],
    static: bool = False,
) -> list[Path]:
    """report.html, summary.json, pairs.csv, config_A.toml, config_B.toml; PNG and SVG of each figure with ``static``."""
    from .results import prepare_out_dir
    from .sweep.report import export_static

    out = prepare_out_dir(out)
    written = []
    (out / "summary.json").write_text(json.dumps(res, indent=2) + "\n")
    with open(out / "pairs.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["seed", "incident", *[f"{k}_{arm}" for arm in ("A", "B") for k in PHASES]])
        for ra, rb in zip(pairs["A"], pairs["B"], strict=True):
            n = max(len(ra["resolved"]), len(rb["resolved"]))
            for i in range(n):
                row = [ra["seed"], i]
                for r in (ra, rb):
                    row += [(r[k][i] if i < len(r[k]) and r[k][i] is not None else "") for k in PHASES]
                w.writerow(row)
    for arm, cfg in zip(("A", "B"), configs, strict=True):
        (out / f"config_{arm}.toml").write_text(config_to_toml(cfg, with_docs=False))
    figs = _figures(pairs, res, names)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>jcs-sim compare</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em}pre{white-space:pre-wrap}</style>",
        "</head><body><h1>jcs-sim compare</h1>",
        f"<pre>{html.escape(chr(10).join(verdict(res, names)))}</pre>",
    ]
    for i, (_, fig) in enumerate(figs):
        parts.append(fig.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False))
    for arm, cfg in zip(("A", "B"), configs, strict=True):
        parts.append(f"<details><summary>Config {arm}: {html.escape(names[ord(arm) - 65])}</summary><pre>")
        parts.append(html.escape(config_to_toml(cfg, with_docs=False)) + "</pre></details>")
    parts.append(f"<p>jcs-sim {__version__}; tables: summary.json, pairs.csv.</p></body></html>")
    (out / "report.html").write_text("\n".join(parts), encoding="utf-8")
    written += [out / n for n in ("report.html", "summary.json", "pairs.csv", "config_A.toml", "config_B.toml")]
    if static:
        written += export_static(figs, out)
    return written


def compare(
    a: str, b: str, runs: int = 30, campaign_days: int | None = None, seed: int = 0, sets: list[str] | None = None, workers: int = 1
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], tuple[dict[str, Any], dict[str, Any]]]:
    """Load both configs (checked for the mode), run the pairs, analyse. Returns (result, pairs, configs)."""
    if runs < 2:
        raise ConfigError(f"--runs {runs}: allowed: an integer >= 2 (a CI needs pairs to resample).")
    if campaign_days is not None and campaign_days < 1:
        raise ConfigError(f"--campaign {campaign_days}: allowed: an integer >= 1 (days).")
    mode = "campaign" if campaign_days else "run"
    cfg_a = load_for_mode(a, list(sets or []), mode)
    cfg_b = load_for_mode(b, list(sets or []), mode)
    pairs = run_pairs(cfg_a, cfg_b, runs, seed, campaign_days, workers)
    res = analyse(pairs, campaign_days, seed=seed)
    res["configs"] = {"A": str(a), "B": str(b)}
    if cfg_a == cfg_b:
        res["identical_configs"] = True
    return res, pairs, (cfg_a, cfg_b)
