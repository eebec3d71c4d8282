"""``jcs-sim report DIR``: one self-contained HTML report (plotly) and a machine-readable summary JSON.

Why both: the HTML is for reading (survival curves, CIs, heatmaps); the JSON
carries every number in it so that scripts, papers and tests never scrape
HTML. The report depends on ``DIR`` alone (manifest, points, parts), not on
the sweep file, so a results folder can be moved and re-reported.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import __version__
from . import stats
from .store import read_manifest, read_points, read_summary

__all__ = ["analyse", "write_report", "export_static"]

_LABEL = {
    "time_to_acknowledge": "acknowledge",
    "time_to_diagnose": "diagnose",
    "time_to_mitigate": "mitigate",
    "time_to_resolve": "resolve",
}


def _floats(t: pa.Table, name: str) -> np.ndarray:
    if name not in t.column_names:
        return np.full(t.num_rows, np.nan)
    return pc.cast(t.column(name), pa.float64()).fill_null(float("nan")).to_numpy(zero_copy_only=False)


def _sa_values(t: pa.Table, output: str) -> np.ndarray:
    """A run's value for the sensitivity analysis: times count unresolved runs at the horizon (a restricted mean)."""
    if output.startswith("time_to_"):
        v = _floats(t, output)
        return np.where(np.isnan(v), _floats(t, "minutes_simulated"), v)
    return _floats(t, output)


def analyse(out: str | Path, bootstrap: int = 2000) -> dict[str, Any]:
    """Every number of the report, as JSON-ready data."""
    out = Path(out)
    man = read_manifest(out)
    points = read_points(out)
    reps = int(man["replications"])
    crn = bool(man.get("common_random_numbers", True))
    sample = man.get("sample")
    cols = ["point_id", "rep", "seed", "error", "resolved", "minutes_simulated", *stats.TIMES]
    if sample:
        cols.append(sample["output"])
    t = read_summary(out, columns=cols)
    rng = np.random.default_rng(np.random.SeedSequence([int(man.get("master_seed", 0)), 0xB0075]))

    conds = points.column("condition").to_pylist()
    order = list(dict.fromkeys(conds))
    cond_of_point = np.array([order.index(c) for c in conds], dtype=np.int64)
    sidx_of_point = np.asarray(points.column("sample_index").to_numpy(), dtype=np.int64)
    n = t.num_rows
    pid = t.column("point_id").to_numpy() if n else np.zeros(0, np.int64)
    err = t.column("error").is_valid().to_numpy(zero_copy_only=False) if n else np.zeros(0, bool)
    rep = t.column("rep").to_numpy() if n else np.zeros(0, np.int64)
    cond = cond_of_point[pid] if n else np.zeros(0, np.int64)
    ok = ~err
    resolved = np.asarray(_floats(t, "resolved") == 1.0)
    minutes = _floats(t, "minutes_simulated")
    times = {k: _floats(t, k) for k in stats.TIMES}
    factors = {f["name"]: f["labels"] for f in man.get("factors", [])}

    conditions, groups = [], []
    for ci, label in enumerate(order):
        m = (cond == ci) & ok
        n_points = int((cond_of_point == ci).sum())
        levels = {}
        first = int(np.flatnonzero(cond_of_point == ci)[0])
        for f in factors:
            levels[f] = points.column(f"factor:{f}")[first].as_py()
        ttr = np.where(resolved[m], times["time_to_resolve"][m], np.inf)
        dur = np.where(resolved[m], times["time_to_resolve"][m], minutes[m])
        entry = {
            "label": label,
            "short": " / ".join(map(str, levels.values())) or label,
            "levels": levels,
            "runs_planned": n_points * reps,
            "runs_done": int((cond == ci).sum()),
            "errors": int(((cond == ci) & err).sum()),
            "resolved_fraction": stats._num(float(resolved[m].mean())) if m.any() else None,
            "censored_at": stats._num(float(np.max(minutes[m & ~resolved]))) if (m & ~resolved).any() else None,
            "times": {k: stats.time_stats(times[k][m], rng, bootstrap) for k in stats.TIMES},
            "km": stats.kaplan_meier(dur, resolved[m].astype(int), label),
        }
        conditions.append(entry)
        key = sidx_of_point[pid[m]] * reps + rep[m] if crn else None
        groups.append({"label": label, "x": ttr, "duration": dur, "event": resolved[m].astype(int), "key": key})

    result: dict[str, Any] = {
        "jcs_sim_version": __version__,
        "sweep": {
            k: man.get(k)
            for k in (
                "sweep_name",
                "sweep_file",
                "sweep_hash",
                "n_points",
                "n_runs",
                "replications",
                "master_seed",
                "common_random_numbers",
                "outputs",
                "factors",
            )
        },
        "runs": {"planned": int(man["n_runs"]), "done": int(n), "errors": int(err.sum()), "complete": int(n) == int(man["n_runs"])},
        "settings": {
            "bootstrap": bootstrap,
            "ci_level": stats.LEVEL,
            "quantiles": "inverted CDF, unreached = +inf (equals Kaplan-Meier under a common horizon)",
        },
        "conditions": conditions,
        "pairwise": stats.pairwise(groups, rng, bootstrap) if len(groups) > 1 else [],
        "errors": [
            {"run_id": int(r["run_id"]), "seed": int(r["seed"]), "condition": order[int(cond_of_point[r["point_id"]])], "error": r["error"]}
            for r in t.filter(pc.is_valid(t.column("error"))).slice(0, 20).to_pylist()
        ]
        if n
        else [],
    }
    if len(factors) == 2:
        (fa, la), (fb, lb) = factors.items()
        grid = {(c["levels"][fa], c["levels"][fb]): c for c in conditions}
        result["heatmap"] = {
            "rows": {"factor": fa, "labels": la},
            "columns": {"factor": fb, "labels": lb},
            "median_time_to_resolve": [[grid[(a, b)]["times"]["time_to_resolve"]["median"] for b in lb] for a in la],
            "median_ci": [[grid[(a, b)]["times"]["time_to_resolve"]["median_ci"] for b in lb] for a in la],
            "resolved_fraction": [[grid[(a, b)]["resolved_fraction"] for b in lb] for a in la],
        }
    if sample:
        result["sensitivity"] = _sensitivity(man, points, t, pid, ok, cond_of_point, order, sidx_of_point)
    return result


def _sensitivity(man, points, t, pid, ok, cond_of_point, order, sidx_of_point) -> dict[str, Any]:
    s = man["sample"]
    y_run = _sa_values(t, s["output"])
    n_points = int(man["n_points"])
    sums = np.bincount(pid[ok], weights=y_run[ok], minlength=n_points)
    counts = np.bincount(pid[ok], minlength=n_points)
    X_all = np.column_stack([points.column(f"x:{n}").to_numpy() for n in s["names"]])
    out: dict[str, Any] = {
        "method": s["method"],
        "output": s["output"],
        "aggregate": "mean over replications (times: unresolved runs counted at the censoring horizon)",
        "by_condition": [],
    }
    for ci, label in enumerate(order):
        pts = np.flatnonzero(cond_of_point == ci)
        pts = pts[np.argsort(sidx_of_point[pts])]
        if (counts[pts] == 0).any():
            out["by_condition"].append(
                {"condition": label, "skipped": f"{int((counts[pts] == 0).sum())} design points have no finished run"}
            )
            continue
        Y = sums[pts] / counts[pts]
        try:
            res = stats.sensitivity(
                s["method"],
                s["problem"],
                X_all[pts],
                Y,
                seed=int(man.get("master_seed", 0)),
                second_order=s["second_order"],
                levels=s["levels"],
            )
        except (ValueError, RuntimeError, ZeroDivisionError) as exc:
            res = {"skipped": f"SALib could not analyse this design: {exc}"}
        out["by_condition"].append({"condition": label} | res)
    return out


# ----- HTML -------------------------------------------------------------------------------
def _fmt(v: float | None, ci: list | None = None) -> str:
    def one(x):
        return "n.r." if x is None else (f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}")

    s = one(v)
    if ci is not None:
        s += f" <span class=ci>[{one(ci[0])}, {one(ci[1])}]</span>"
    return s


def _figures(res: dict[str, Any]) -> list[tuple[str, Any]]:
    import plotly.graph_objects as go

    figs = []
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    km = go.Figure()
    for i, c in enumerate(res["conditions"]):
        k = c["km"]
        color = palette[i % len(palette)]
        km.add_trace(
            go.Scatter(
                x=k["timeline"], y=k["upper"], line=dict(width=0, shape="hv"), showlegend=False, hoverinfo="skip", legendgroup=c["label"]
            )
        )
        km.add_trace(
            go.Scatter(
                x=k["timeline"],
                y=k["lower"],
                line=dict(width=0, shape="hv"),
                fill="tonexty",
                fillcolor=_rgba(color, 0.12),
                showlegend=False,
                hoverinfo="skip",
                legendgroup=c["label"],
            )
        )
        km.add_trace(
            go.Scatter(x=k["timeline"], y=k["survival"], name=c["short"], line=dict(color=color, shape="hv"), legendgroup=c["label"])
        )
    # Show the curves up to where 1% of incidents are left in the slowest condition (the tail is in the tables).
    ends = [next((t for t, v in zip(c["km"]["timeline"], c["km"]["survival"], strict=True) if v <= 0.01), None) for c in res["conditions"]]
    if ends and None not in ends:
        km.update_xaxes(range=[0, max(ends) * 1.05])
    km.update_layout(
        legend_title_text=" / ".join(f["name"] for f in res["sweep"].get("factors") or []) or None,
        title="Kaplan-Meier survival of time to resolve (unresolved runs censored at the horizon; bands: 95% CI)",
        xaxis_title="minutes since the first alert",
        yaxis_title="share of incidents still unresolved",
        height=520,
    )
    figs.append(("Survival curves (Kaplan-Meier)", km))

    med = go.Figure()
    labels = [c["short"] for c in res["conditions"]]
    for k in stats.TIMES:
        y = [c["times"][k]["median"] for c in res["conditions"]]
        lo = [c["times"][k]["median_ci"][0] for c in res["conditions"]]
        hi = [c["times"][k]["median_ci"][1] for c in res["conditions"]]
        med.add_trace(
            go.Scatter(
                x=labels,
                y=y,
                mode="markers",
                name=_LABEL[k],
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=[(h - v) if h is not None and v is not None else 0 for h, v in zip(hi, y, strict=True)],
                    arrayminus=[(v - lw) if lw is not None and v is not None else 0 for lw, v in zip(lo, y, strict=True)],
                ),
            )
        )
    xt = " / ".join(f["name"] for f in res["sweep"].get("factors") or []) or "condition"
    med.update_layout(
        title="Median times with 95% bootstrap CIs", xaxis_title=xt, yaxis_title="minutes (log scale)", yaxis_type="log", height=480
    )
    figs.append(("Median times by condition", med))

    if "heatmap" in res:
        h = res["heatmap"]
        text = [
            [_fmt(v, ci).replace("<span class=ci>", "<br>").replace("</span>", "") for v, ci in zip(row, cis, strict=True)]
            for row, cis in zip(h["median_time_to_resolve"], h["median_ci"], strict=True)
        ]
        hm = go.Figure(
            go.Heatmap(
                z=h["median_time_to_resolve"],
                x=h["columns"]["labels"],
                y=h["rows"]["labels"],
                text=text,
                texttemplate="%{text}",
                colorscale="Viridis",
                colorbar=dict(title="min"),
            )
        )
        hm.update_layout(
            title="Median time to resolve [95% CI]", xaxis_title=h["columns"]["factor"], yaxis_title=h["rows"]["factor"], height=460
        )
        figs.append(("Two-factor heatmap", hm))

    for entry in res.get("sensitivity", {}).get("by_condition", [])[:6]:
        if "skipped" in entry:
            continue
        f = go.Figure()
        if entry["method"] == "sobol":
            for key in ("S1", "ST"):
                f.add_trace(go.Bar(x=entry["names"], y=entry[key], name=key, error_y=dict(type="data", array=entry[f"{key}_conf"])))
            title = "Sobol indices (first order S1, total ST; bars: 95% CI)"
        elif entry["method"] == "morris":
            f.add_trace(
                go.Scatter(
                    x=entry["mu_star"],
                    y=entry["sigma"],
                    text=entry["names"],
                    mode="markers+text",
                    textposition="top center",
                    error_x=dict(type="data", array=entry["mu_star_conf"]),
                )
            )
            f.update_layout(xaxis_title="mu* (mean |elementary effect|)", yaxis_title="sigma (interaction / non-linearity)")
            title = "Morris screening"
        else:
            f.add_trace(go.Bar(x=entry["names"], y=entry["spearman_rho"], name="Spearman rho"))
            title = "Latin hypercube: Spearman rank correlation with the output"
        f.update_layout(title=f"{title} - {entry['condition']}", height=420, barmode="group")
        figs.append((f"Sensitivity: {entry['condition']}", f))
    return figs


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _tables(res: dict[str, Any]) -> str:
    e = html.escape
    parts = []
    for k in stats.TIMES:
        rows = [
            "<tr><th>condition</th><th>runs</th><th>errors</th><th>reached</th><th>median [95% CI]</th><th>geometric mean of reached [CI]</th><th>p90 [CI]</th>"
            + ("<th>KM median [CI]</th>" if k == "time_to_resolve" else "")
            + "</tr>"
        ]
        for c in res["conditions"]:
            s = c["times"][k]
            reached = "" if s["reached_fraction"] is None else f"{100 * s['reached_fraction']:.1f}%"
            km = f"<td>{_fmt(c['km']['median'], c['km']['median_ci'])}</td>" if k == "time_to_resolve" else ""
            rows.append(
                f"<tr><td>{e(c['label'])}</td><td>{c['runs_done']}/{c['runs_planned']}</td><td>{c['errors']}</td><td>{reached}</td>"
                f"<td>{_fmt(s['median'], s['median_ci'])}</td><td>{_fmt(s['geomean'], s['geomean_ci'])}</td><td>{_fmt(s['p90'], s['p90_ci'])}</td>{km}</tr>"
            )
        parts.append(f"<h3>Time to {_LABEL[k]} (minutes)</h3><table>{''.join(rows)}</table>")
    if res["pairwise"]:
        rows = [
            "<tr><th>A</th><th>B</th><th>ratio of medians B/A [95% CI]</th><th>paired</th><th>Cliff's delta</th><th>log-rank p</th><th>Holm p</th></tr>"
        ]
        for p in res["pairwise"]:
            d = "" if p.get("cliffs_delta") is None else f"{p['cliffs_delta']:+.3f}"
            lp = "" if p.get("logrank_p") is None else f"{p['logrank_p']:.2g}"
            hp = "" if p.get("logrank_p_holm") is None else f"{p['logrank_p_holm']:.2g}"
            rows.append(
                f"<tr><td>{e(p['a'])}</td><td>{e(p['b'])}</td><td>{_fmt(p['ratio_of_medians'], p['ratio_ci'])}</td>"
                f"<td>{'yes' if p.get('paired') else 'no'}</td><td>{d}</td><td>{lp}</td><td>{hp}</td></tr>"
            )
        parts.append(
            "<h3>Pairwise effect sizes, time to resolve</h3><p>Ratio &gt; 1: B takes longer. Cliff's delta = P(B&gt;A) &minus; P(B&lt;A). "
            "Paired: the bootstrap resamples the shared seeds of both conditions jointly (common random numbers).</p>"
            f"<table>{''.join(rows)}</table>"
        )
    if res["errors"]:
        rows = ["<tr><th>run</th><th>seed</th><th>condition</th><th>error</th></tr>"]
        rows += [
            f"<tr><td>{r['run_id']}</td><td>{r['seed']}</td><td>{e(r['condition'])}</td><td>{e(r['error'])}</td></tr>"
            for r in res["errors"]
        ]
        parts.append(f"<h3>Runs that raised (first {len(res['errors'])} of {res['runs']['errors']})</h3><table>{''.join(rows)}</table>")
    return "\n".join(parts)


_CSS = """body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}td,th{border:1px solid #ccc;padding:3px 7px;text-align:left}
th{background:#f3f3f3}.ci{color:#777;font-size:0.9em}code{background:#f5f5f5;padding:0 3px}"""


def render_html(res: dict[str, Any], plotlyjs: str = "inline") -> str:
    e = html.escape
    sw, runs = res["sweep"], res["runs"]
    body = [
        f"<h1>Sweep report: {e(str(sw['sweep_name']))}</h1>",
        f"<p>jcs-sim {e(res['jcs_sim_version'])}; sweep file <code>{e(str(sw['sweep_file']))}</code> (hash <code>{e(str(sw['sweep_hash'])[:12])}</code>); "
        f"{sw['n_points']} points &times; {sw['replications']} replications; master seed {sw['master_seed']}; "
        f"common random numbers: {'yes' if sw['common_random_numbers'] else 'no'}.</p>",
        f"<p>Runs: {runs['done']} of {runs['planned']} done{'' if runs['complete'] else ' (INCOMPLETE: resume the sweep for the rest)'}; {runs['errors']} raised an error.</p>",
        "<p>Statistics: times not reached count as +&infin; (incidents unresolved at the horizon are censored, never dropped); "
        "quantiles are inverted-CDF (equal to Kaplan&ndash;Meier's under a common horizon; n.r. = not reached); the geometric mean is over runs "
        f"that reached the time; CIs are {int(100 * res['settings']['ci_level'])}% percentile bootstrap intervals with {res['settings']['bootstrap']} resamples.</p>",
    ]
    first = True
    for title, fig in _figures(res):
        include: Any = ("cdn" if plotlyjs == "cdn" else True) if first else False
        body.append(f"<h2>{e(title)}</h2>" + fig.to_html(full_html=False, include_plotlyjs=include, config={"displaylogo": False}))
        first = False
    body.append("<h2>Tables</h2>" + _tables(res))
    if "sensitivity" in res:
        body.append(f"<h2>Sensitivity indices (JSON)</h2><pre>{e(json.dumps(res['sensitivity'], indent=1))}</pre>")
    return f'<!doctype html><html><head><meta charset="utf-8"><title>{e(str(sw["sweep_name"]))} - jcs-sim sweep report</title><style>{_CSS}</style></head><body>{"".join(body)}</body></html>\n'


def write_report(
    out: str | Path, html: str | Path | None = None, json_path: str | Path | None = None, plotlyjs: str = "inline", bootstrap: int = 2000
) -> dict[str, Path]:
    """Write ``report.html`` and ``summary.json`` (by default into ``out``)."""
    out = Path(out)
    res = analyse(out, bootstrap=bootstrap)
    html_path = Path(html) if html else out / "report.html"
    json_out = Path(json_path) if json_path else out / "summary.json"
    for p in (html_path, json_out):
        p.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps(_strip_curves(res), indent=1, allow_nan=False) + "\n", encoding="utf-8")
    html_path.write_text(render_html(res, plotlyjs), encoding="utf-8")
    return {"html": html_path, "json": json_out}


def _strip_curves(res: dict[str, Any]) -> dict[str, Any]:
    """The JSON keeps each survival curve at most 200 points (the HTML has them whole)."""
    res = json.loads(json.dumps(res))
    for c in res["conditions"]:
        k = c["km"]
        n = len(k["timeline"])
        if n > 200:
            idx = np.unique(np.linspace(0, n - 1, 200).round().astype(int))
            for key in ("timeline", "survival", "lower", "upper"):
                k[key] = [k[key][i] for i in idx]
    return res


def export_static(figs: list[tuple[str, Any]], outdir: str | Path, width: int = 900, height: int = 520) -> list[Path]:
    """Write each figure as ``figures/NAME.png`` and ``figures/NAME.svg`` (for slides and papers).

    Why optional: kaleido starts a headless Chromium, which takes seconds; a
    missing browser is a one-line error naming what to install, never a
    traceback.
    """
    from ..config import ConfigError

    folder = Path(outdir) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fig in figs:
        for ext in ("png", "svg"):
            path = folder / f"{name}.{ext}"
            try:
                fig.write_image(path, width=width, height=height, scale=2 if ext == "png" else 1)
            except Exception as exc:  # kaleido raises several types when Chromium is missing or fails
                first = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
                raise ConfigError(
                    f"--static: cannot write {path} ({first}); kaleido needs Chrome or Chromium (`plotly_get_chrome`), or omit --static."
                ) from None
            written.append(path)
    return written
