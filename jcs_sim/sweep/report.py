"""``jcs-sim report DIR``: one self-contained HTML report (plotly) and a machine-readable summary JSON.

Why both: the HTML is for reading (survival curves, CIs, heatmaps); the JSON
carries every number in it so that scripts, papers and tests never scrape
HTML. The report depends on ``DIR`` alone (manifest, points, parts), not on
the sweep file, so a results folder can be moved and re-reported.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .._version import __version__
from ..results import write_text_atomic
from . import stats
from .store import read_manifest, read_points, read_summary

__all__ = ["analyse", "write_report", "export_static"]

_LABEL = {
    "time_to_detect": "detect",
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
        "pairwise": [],
        "errors": [
            {"run_id": int(r["run_id"]), "seed": int(r["seed"]), "condition": order[int(cond_of_point[r["point_id"]])], "error": r["error"]}
            for r in t.filter(pc.is_valid(t.column("error"))).slice(0, 20).to_pylist()
        ]
        if n
        else [],
    }
    _comparisons(result, factors, conditions, groups, rng, bootstrap, crn)
    norm = man.get("normalized") or {}
    result["campaign_days"] = norm.get("campaign_days")
    result["base_config"] = norm.get("base")
    result["design"] = {k: norm.get(k) for k in ("factors", "sample", "replications", "master_seed", "common_random_numbers")}
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


PRIMARY = (
    "ratio of median time to resolve against the reference condition, with a 95% percentile bootstrap CI "
    "(paired over the shared seeds when the sweep uses common random numbers)"
)
DISAGREE = (
    "The ratio of medians and the log-rank test answer different questions: the ratio compares the middle of the two "
    "distributions, the log-rank test whole survival curves (it weighs every minute at which incidents resolve, so a "
    "difference in the tail can make it significant while the medians agree, and a shift of the median with crossing "
    "curves can leave it non-significant). The primary result is the ratio and its CI; read a disagreeing log-rank p as "
    "'the curves differ somewhere else than at the median' and look at the survival curves and the p90 column."
)


def _comparisons(result, factors, conditions, groups, rng, bootstrap, crn) -> None:
    """Pairwise rows, comparisons with the reference, and (for factorial designs) main effects and interactions.

    Why not all pairs: in a factorial design a pair whose conditions differ in
    two factors mixes two effects, and with many pairs Holm's adjustment
    drowns everything; the main effect of a factor (each level against its
    first, the other factors held fixed and pooled) and the two-factor
    interactions are what a reader of a paper wants.
    """
    names = list(factors)
    levels = [tuple(c["levels"][f] for f in names) for c in conditions]
    n = len(groups)
    if n > 1:
        if len(names) >= 2:
            pairs = [
                (i, j) for i in range(n) for j in range(i + 1, n) if sum(a != b for a, b in zip(levels[i], levels[j], strict=True)) == 1
            ]
            scope = "pairs of conditions that differ in one factor only (the other factors held fixed)"
        else:
            pairs = None
            scope = "all pairs of conditions" if n <= 20 else "each condition against the first"
        result["pairwise"] = stats.pairwise(groups, rng, bootstrap, pairs=pairs)
        result["pairwise_scope"] = scope
        result["vs_reference"] = stats.pairwise(groups, rng, bootstrap, pairs=[(0, j) for j in range(1, n)])
    else:
        result["vs_reference"] = []
    result["reference"] = conditions[0]["label"] if conditions else None
    result["primary"] = PRIMARY
    for row in result["pairwise"] + result["vs_reference"]:
        lo, hi = row.get("ratio_ci") or [None, None]
        p = row.get("logrank_p_holm")
        row["ci_excludes_1"] = None if lo is None or hi is None else bool(lo > 1.0 or hi < 1.0)
        row["tests_disagree"] = None if row["ci_excludes_1"] is None or p is None else bool(row["ci_excludes_1"] != (p < 0.05))
    result["disagreement_note"] = DISAGREE if any(r.get("tests_disagree") for r in result["pairwise"] + result["vs_reference"]) else None
    result["main_effects"], result["interactions"] = [], []
    if not names or not crn:
        if names and not crn:
            result["effects_note"] = "main effects and interactions need common random numbers (paired runs); this sweep has none"
        return
    index = {lv: i for i, lv in enumerate(levels)}

    def aligned(cells: list[int]) -> list[np.ndarray]:
        keys = groups[cells[0]]["key"]
        for c in cells[1:]:
            keys = np.intersect1d(keys, groups[c]["key"])
        out = []
        for c in cells:
            order = {int(k): i for i, k in enumerate(groups[c]["key"])}
            out.append(groups[c]["x"][[order[int(k)] for k in keys]])
        return out

    for fi, f in enumerate(names):
        labels = factors[f]
        for li in range(1, len(labels)):
            xs0, xs1 = [], []
            for lv, ci in index.items():
                if lv[fi] != labels[li]:
                    continue
                c0 = index.get(lv[:fi] + (labels[0],) + lv[fi + 1 :])
                if c0 is not None:
                    a, b = aligned([c0, ci])
                    xs0.append(a)
                    xs1.append(b)
            if not xs0:
                continue
            x0, x1 = np.concatenate(xs0), np.concatenate(xs1)
            r = stats.paired_quantile_ratio(x0[:, None], x1[:, None], 0.5, rng, bootstrap)
            result["main_effects"].append(
                {"factor": f, "level": labels[li], "reference_level": labels[0], "n_pairs": int(len(x0)), "median_ref": r["a"],
                 "median": r["b"], "ratio": r["ratio"], "ratio_ci": r["ratio_ci"]}
            )  # fmt: skip
    for fa in range(len(names)):
        for fb in range(fa + 1, len(names)):
            la, lb = factors[names[fa]], factors[names[fb]]
            for i in range(1, len(la)):
                for j in range(1, len(lb)):
                    cols: list[list[np.ndarray]] = [[], [], [], []]
                    for lv in index:
                        if lv[fa] != la[0] or lv[fb] != lb[0]:
                            continue

                        four = [
                            _cell(index, lv, {fa: a, fb: b}) for a, b in ((la[0], lb[0]), (la[i], lb[0]), (la[0], lb[j]), (la[i], lb[j]))
                        ]
                        if None in four:
                            continue
                        for k, x in enumerate(aligned(four)):
                            cols[k].append(x)
                    if not cols[0]:
                        continue
                    r = stats.interaction_ratio([np.concatenate(c) for c in cols], rng, bootstrap)
                    result["interactions"].append(
                        {"factors": [names[fa], names[fb]], "levels": [la[i], lb[j]], "reference_levels": [la[0], lb[0]]} | r
                    )


def _cell(index: dict[tuple, int], lv: tuple, at: dict[int, str]) -> int | None:
    """The condition with the levels ``lv`` except those set in ``at`` (factor position -> level)."""
    return index.get(tuple(at.get(k, v) for k, v in enumerate(lv)))


def summary_text(res: dict[str, Any]) -> str:
    """The one-paragraph summary printed in the terminal and at the top of the report."""
    sw, runs = res["sweep"], res["runs"]
    conds = res["conditions"]
    unit = (
        f"each run is a campaign of {res['campaign_days']} days (its times: the median over its incidents)"
        if res.get("campaign_days")
        else "each run is one incident"
    )
    parts = [
        f"Sweep {sw['sweep_name']}: {len(conds)} condition(s), {runs['done']} of {runs['planned']} runs done"
        f"{'' if runs['complete'] else ' (INCOMPLETE)'}, {runs['errors']} error(s); {unit}."
    ]
    ttr = [(c["times"]["time_to_resolve"]["median"], c) for c in conds]
    known = [(m, c) for m, c in ttr if m is not None]
    if known:
        (m0, c0), (m1, c1) = min(known, key=lambda t: t[0]), max(known, key=lambda t: t[0])
        ci0, ci1 = c0["times"]["time_to_resolve"]["median_ci"], c1["times"]["time_to_resolve"]["median_ci"]
        parts.append(
            f"Median time to resolve ranges from {m0:g} min [{_plain(ci0)}] ({c0['short']}) to {m1:g} min [{_plain(ci1)}] ({c1['short']})."
        )
    if res.get("main_effects"):
        eff = "; ".join(
            f"{e['factor']} {e['level']} vs {e['reference_level']}: {_r(e['ratio'])} [{_plain(e['ratio_ci'], r=True)}]"
            for e in res["main_effects"]
        )
        parts.append(f"Main effects on the median (ratio, other factors pooled): {eff}.")
    if res.get("interactions"):
        inter = "; ".join(
            f"{' x '.join(i['factors'])} ({i['levels'][0]}, {i['levels'][1]}): {_r(i['ratio'])} [{_plain(i['ratio_ci'], r=True)}]"
            for i in res["interactions"]
        )
        parts.append(f"Interactions (ratio of ratios, 1 = none): {inter}.")
    vs = res.get("vs_reference") or []
    if vs:
        clear = sum(1 for r in vs if r.get("ci_excludes_1"))
        parts.append(f"Against the reference ({res['reference']}), {clear} of {len(vs)} condition(s) have a ratio CI excluding 1.")
    dis = sum(1 for r in res.get("pairwise", []) if r.get("tests_disagree"))
    parts.append(
        f"Primary statistic: {res.get('primary', PRIMARY)}."
        + (f" In {dis} pair(s) the log-rank test disagrees with it (see the report)." if dis else "")
    )
    return " ".join(parts)


def _r(v: float | None) -> str:
    return "not reached" if v is None else f"{v:.2f}"


def _plain(ci: list | None, r: bool = False) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "no CI"
    return f"{ci[0]:.2f}, {ci[1]:.2f}" if r else f"{ci[0]:g}, {ci[1]:g}"


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
    from plotly.subplots import make_subplots

    figs = []
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    conds = res["conditions"]
    factors = res["sweep"].get("factors") or []
    # Survival curves that can be told apart: with two or more factors, one panel per level of the first factor,
    # curves for the rest; bands only where a panel has at most two curves.
    if len(factors) >= 2:
        panel_of = [c["levels"][factors[0]["name"]] for c in conds]
        panels = list(factors[0]["labels"])
        curve_label = [" / ".join(str(v) for k, v in c["levels"].items() if k != factors[0]["name"]) for c in conds]
    else:
        per = 5
        panels = [f"conditions {i + 1}-{min(i + per, len(conds))}" for i in range(0, len(conds), per)] if len(conds) > 6 else ["all"]
        panel_of = [panels[i // per] if len(panels) > 1 else "all" for i in range(len(conds))]
        curve_label = [c["short"] for c in conds]
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    titles = [f"{factors[0]['name']} = {p}" for p in panels] if len(factors) >= 2 else ([] if panels == ["all"] else panels)
    km = make_subplots(rows=nrows, cols=ncols, subplot_titles=titles or None, shared_yaxes=True, horizontal_spacing=0.04)
    colour_of = {lab: palette[i % len(palette)] for i, lab in enumerate(dict.fromkeys(curve_label))}
    shown: set[str] = set()
    for pi, panel in enumerate(panels):
        members = [i for i, p in enumerate(panel_of) if p == panel]
        row, col = pi // ncols + 1, pi % ncols + 1
        for i in members:
            k, color = conds[i]["km"], colour_of[curve_label[i]]
            if len(members) <= 2:
                km.add_trace(
                    go.Scatter(x=k["timeline"], y=k["upper"], line=dict(width=0, shape="hv"), showlegend=False, hoverinfo="skip"), row, col
                )
                km.add_trace(
                    go.Scatter(x=k["timeline"], y=k["lower"], line=dict(width=0, shape="hv"), fill="tonexty", fillcolor=_rgba(color, 0.15),
                               showlegend=False, hoverinfo="skip"),
                    row, col,
                )  # fmt: skip
            km.add_trace(
                go.Scatter(x=k["timeline"], y=k["survival"], name=curve_label[i], legendgroup=curve_label[i],
                           showlegend=curve_label[i] not in shown, line=dict(color=color, shape="hv", width=2)),
                row, col,
            )  # fmt: skip
            shown.add(curve_label[i])
    ends = [next((t for t, v in zip(c["km"]["timeline"], c["km"]["survival"], strict=True) if v <= 0.01), None) for c in conds]
    if ends and None not in ends:
        km.update_xaxes(range=[0, max(ends) * 1.05])
    km.update_xaxes(title_text="minutes since the first alert", row=nrows)
    km.update_yaxes(title_text="share still unresolved", col=1)
    km.update_layout(
        title="Kaplan-Meier survival of time to resolve (unresolved runs censored at the horizon; bands: 95% CI)",
        legend_title_text=" / ".join(f["name"] for f in factors[1:]) if len(factors) >= 2 else None,
        height=300 + 260 * nrows,
        template="plotly_white",
    )
    figs.append(("Survival curves (Kaplan-Meier)", km))

    # Medians: each phase on its own linear axis, so a 2-minute acknowledgement does not flatten a 100-minute resolution.
    labels = [c["short"] for c in conds]
    med = make_subplots(
        rows=1, cols=len(stats.TIMES), subplot_titles=[f"time to {_LABEL[k]}" for k in stats.TIMES], horizontal_spacing=0.07
    )
    for j, k in enumerate(stats.TIMES):
        y = [c["times"][k]["median"] for c in conds]
        lo = [c["times"][k]["median_ci"][0] for c in conds]
        hi = [c["times"][k]["median_ci"][1] for c in conds]
        med.add_trace(
            go.Scatter(
                y=labels, x=y, mode="markers", marker=dict(color=palette[j], size=8), showlegend=False, name=_LABEL[k],
                error_x=dict(type="data", symmetric=False,
                             array=[(h - v) if h is not None and v is not None else 0 for h, v in zip(hi, y, strict=True)],
                             arrayminus=[(v - lw) if lw is not None and v is not None else 0 for lw, v in zip(lo, y, strict=True)]),
            ),
            1, j + 1,
        )  # fmt: skip
        med.update_xaxes(title_text="minutes", rangemode="tozero", row=1, col=j + 1)
        if j:
            med.update_yaxes(showticklabels=False, row=1, col=j + 1)
    med.update_yaxes(autorange="reversed")
    med.update_layout(title="Median times with 95% bootstrap CIs (each phase on its own linear scale)", height=220 + 26 * len(conds),
                      template="plotly_white")  # fmt: skip
    figs.append(("Median times by condition", med))

    # Forest plot: effects as ratios of medians with CIs, against the reference, then main effects and interactions.
    rows: list[tuple[str, float | None, list]] = []
    for r in res.get("vs_reference") or []:
        rows.append((f"{_short(res, r['b'])}  vs  {_short(res, r['a'])}", r["ratio_of_medians"], r["ratio_ci"]))
    for e in res.get("main_effects") or []:
        rows.append((f"main effect  {e['factor']}: {e['level']} vs {e['reference_level']}", e["ratio"], e["ratio_ci"]))
    for i in res.get("interactions") or []:
        rows.append((f"interaction  {' x '.join(i['factors'])}: {i['levels'][0]}, {i['levels'][1]}", i["ratio"], i["ratio_ci"]))
    if rows:
        ok = [(lab, r, ci) for lab, r, ci in rows if r is not None]
        forest = go.Figure(
            go.Scatter(
                x=[r for _, r, _ in ok], y=[lab for lab, _, _ in ok], mode="markers", marker=dict(size=9, color="#333", symbol="square"),
                error_x=dict(type="data", symmetric=False,
                             array=[(ci[1] - r) if ci[1] is not None else 0 for _, r, ci in ok],
                             arrayminus=[(r - ci[0]) if ci[0] is not None else 0 for _, r, ci in ok]),
                showlegend=False,
            )
        )  # fmt: skip
        forest.add_vline(x=1.0, line_dash="dash", line_color="#888")
        forest.update_layout(
            title="Effects on the median time to resolve: ratio with 95% CI (left of 1: faster)",
            xaxis_title="ratio of medians (log scale)", xaxis_type="log", yaxis=dict(autorange="reversed"),
            height=180 + 28 * len(ok), template="plotly_white", margin=dict(l=360),
        )  # fmt: skip
        figs.append(("Forest plot of effects", forest))

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
                colorscale="Blues",
                zmin=0,  # a zero-based scale: 105 and 115 minutes look as close as they are, not as far apart as two colours
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


def _short(res: dict[str, Any], label: str) -> str:
    return next((c["short"] for c in res["conditions"] if c["label"] == label), label)


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
            "<tr><th>A</th><th>B</th><th>ratio of medians B/A [95% CI]</th><th>paired</th><th>Cliff's delta</th><th>log-rank p</th><th>Holm p</th>"
            "<th>tests agree?</th></tr>"
        ]
        for p in res["pairwise"]:
            d = "" if p.get("cliffs_delta") is None else f"{p['cliffs_delta']:+.3f}"
            lp = "" if p.get("logrank_p") is None else f"{p['logrank_p']:.2g}"
            hp = "" if p.get("logrank_p_holm") is None else f"{p['logrank_p_holm']:.2g}"
            agree = {None: "", True: "<b>no</b> (see below)", False: "yes"}[p.get("tests_disagree")]
            rows.append(
                f"<tr><td>{e(p['a'])}</td><td>{e(p['b'])}</td><td>{_fmt(p['ratio_of_medians'], p['ratio_ci'])}</td>"
                f"<td>{'yes' if p.get('paired') else 'no'}</td><td>{d}</td><td>{lp}</td><td>{hp}</td><td>{agree}</td></tr>"
            )
        parts.append(
            f"<h3>Pairwise effect sizes, time to resolve ({e(res.get('pairwise_scope', ''))})</h3><p>Ratio &gt; 1: B takes longer. "
            "Cliff's delta = P(B&gt;A) &minus; P(B&lt;A). Paired: the bootstrap resamples the shared seeds of both conditions jointly "
            "(common random numbers). Holm's adjustment is over the rows of this table.</p>"
            f"<table>{''.join(rows)}</table>"
        )
        if res.get("disagreement_note"):
            parts.append(f"<p><b>When the tests disagree.</b> {e(res['disagreement_note'])}</p>")
    for name, title in (("main_effects", "Main effects"), ("interactions", "Two-factor interactions (ratio of ratios; 1 = none)")):
        rows_ = table_rows(res)[name]
        if rows_:
            head = "".join(f"<th>{e(k)}</th>" for k in rows_[0])
            body_ = "".join("<tr>" + "".join(f"<td>{e(_cellfmt(v))}</td>" for v in r.values()) + "</tr>" for r in rows_)
            parts.append(f"<h3>{title}, median time to resolve</h3><table><tr>{head}</tr>{body_}</table>")
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


def _cellfmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "" if v is None else str(v)


def table_rows(res: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every table of the report as rows (for the CSV files, and the HTML of the newer tables)."""
    out: dict[str, list[dict[str, Any]]] = {"conditions": [], "pairwise": [], "vs_reference": [], "main_effects": [], "interactions": []}
    for c in res["conditions"]:
        for k in stats.TIMES:
            t = c["times"][k]
            out["conditions"].append(
                {"condition": c["label"], **{f"factor:{f}": v for f, v in c["levels"].items()}, "time": k, "runs": c["runs_done"],
                 "errors": c["errors"], "reached_fraction": t["reached_fraction"], "median": t["median"], "median_lo": t["median_ci"][0],
                 "median_hi": t["median_ci"][1], "p90": t["p90"], "p90_lo": t["p90_ci"][0], "p90_hi": t["p90_ci"][1],
                 "geomean": t["geomean"], "geomean_lo": t["geomean_ci"][0], "geomean_hi": t["geomean_ci"][1]}
            )  # fmt: skip
    for name in ("pairwise", "vs_reference"):
        for r in res.get(name) or []:
            out[name].append(
                {"a": r["a"], "b": r["b"], "n_a": r["n_a"], "n_b": r["n_b"], "ratio_of_medians": r.get("ratio_of_medians"),
                 "ratio_lo": (r.get("ratio_ci") or [None, None])[0], "ratio_hi": (r.get("ratio_ci") or [None, None])[1],
                 "paired": r.get("paired"), "cliffs_delta": r.get("cliffs_delta"), "logrank_p": r.get("logrank_p"),
                 "logrank_p_holm": r.get("logrank_p_holm"), "tests_disagree": r.get("tests_disagree")}
            )  # fmt: skip
    for e in res.get("main_effects") or []:
        out["main_effects"].append(
            {"factor": e["factor"], "level": e["level"], "reference_level": e["reference_level"], "pairs": e["n_pairs"],
             "median_reference": e["median_ref"], "median": e["median"], "ratio": e["ratio"], "ratio_lo": e["ratio_ci"][0],
             "ratio_hi": e["ratio_ci"][1]}
        )  # fmt: skip
    for i in res.get("interactions") or []:
        out["interactions"].append(
            {"factors": " x ".join(i["factors"]), "levels": ", ".join(i["levels"]), "reference_levels": ", ".join(i["reference_levels"]),
             "pairs": i["n"], "ratio_of_ratios": i["ratio"], "ratio_lo": i["ratio_ci"][0], "ratio_hi": i["ratio_ci"][1]}
        )  # fmt: skip
    return out


def write_tables(res: dict[str, Any], folder: str | Path) -> list[Path]:
    """``tables/NAME.csv`` for every table of the report (empty tables are not written)."""
    import csv

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in table_rows(res).items():
        if not rows:
            continue
        path = folder / f"{name}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        written.append(path)
    return written


def render_html(res: dict[str, Any], plotlyjs: str = "inline") -> str:
    e = html.escape
    sw, runs = res["sweep"], res["runs"]
    body = [
        f"<h1>Sweep report: {e(str(sw['sweep_name']))}</h1>",
        f"<p class=summary><b>Summary.</b> {e(summary_text(res))}</p>",
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
    body.append("<h2>Tables</h2><p>Every table is also a CSV file in <code>tables/</code> next to this report.</p>" + _tables(res))
    if res.get("base_config") is not None:
        from ..config import config_to_toml

        try:
            base = config_to_toml(res["base_config"], with_docs=False)
        except KeyError:  # a sweep written by an older version with fewer keys
            base = json.dumps(res["base_config"], indent=1)
        body.append(
            f"<h2>Base config</h2><details><summary>the config every point starts from (TOML)</summary><pre>{e(base)}</pre></details>"
        )
        body.append(
            f"<h2>Sweep design</h2><details><summary>factors, sample, replications, seeds (JSON)</summary><pre>{e(json.dumps(res['design'], indent=1))}</pre></details>"
        )
    if "sensitivity" in res:
        body.append(f"<h2>Sensitivity indices (JSON)</h2><pre>{e(json.dumps(res['sensitivity'], indent=1))}</pre>")
    return f'<!doctype html><html><head><meta charset="utf-8"><title>{e(str(sw["sweep_name"]))} - jcs-sim sweep report</title><style>{_CSS}</style></head><body>{"".join(body)}</body></html>\n'


def write_report(
    out: str | Path,
    html: str | Path | None = None,
    json_path: str | Path | None = None,
    plotlyjs: str = "inline",
    bootstrap: int = 2000,
    static: bool = False,
) -> dict[str, Path]:
    """Write ``report.html``, ``summary.json``, ``summary.txt`` and ``tables/*.csv`` (by default into ``out``).

    With ``static``, every figure also as PNG and SVG in ``figures/`` next to
    the HTML (for slides and a paper's appendix).
    """
    out = Path(out)
    res = analyse(out, bootstrap=bootstrap)
    html_path = Path(html) if html else out / "report.html"
    json_out = Path(json_path) if json_path else out / "summary.json"
    for p in (html_path, json_out):
        p.parent.mkdir(parents=True, exist_ok=True)
    # Written to a temporary file and renamed, so a link planted in the sweep folder is replaced, not followed.
    write_text_atomic(json_out, json.dumps(_strip_curves(res), indent=1, allow_nan=False) + "\n")
    write_text_atomic(html_path, render_html(res, plotlyjs))
    text = html_path.parent / "summary.txt"
    write_text_atomic(text, summary_text(res) + "\n")
    paths = {"html": html_path, "json": json_out, "text": text, "tables": html_path.parent / "tables"}
    write_tables(res, paths["tables"])
    if static:
        figs = [(_slug(title), fig) for title, fig in _figures(res)]
        export_static(figs, html_path.parent)
        paths["figures"] = html_path.parent / "figures"
    return paths


def _slug(title: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in title.lower()).strip("_").replace("__", "_")


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
