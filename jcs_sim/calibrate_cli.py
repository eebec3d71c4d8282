"""``jcs-sim calibrate``: fit the free keys to an incident history (see :mod:`jcs_sim.calibrate`), and its HTML report."""

from __future__ import annotations

import argparse
import html
import json
import math
import sys
from typing import Any

__all__ = ["register", "report_html"]

WORKER_WAIT_S = 10.0  # how long --address waits for a scheduler's first worker before saying it has none


def _run(args: argparse.Namespace) -> int:
    from .calibrate import check_settings, resolve_priors
    from .config import ConfigError, apply_overrides, load_config
    from .history import read_history

    try:
        import pyabc  # noqa: F401
    except ModuleNotFoundError:
        raise ConfigError("calibrate needs pyabc, which is not installed; allowed: pip install 'jcs-sim[calibration]'.") from None
    if args.seed < 0:
        raise ConfigError(f"--seed {args.seed}: allowed: an integer >= 0.")
    check_settings(args.budget, args.population, args.generations, args.batch, args.workers)
    if args.address is not None and args.workers != 1:
        raise ConfigError(
            f"--workers {args.workers} with --address {args.address}: the cluster's workers run the simulations; allowed: one of the two."
        )
    cfg = load_config(args.config)
    if args.set:
        cfg = apply_overrides(cfg, args.set)
    history = read_history(args.history)
    priors = resolve_priors(args.params, args.priors)
    horizon = cfg["run"]["max_minutes"]
    beyond = int(((history.duration > horizon) & ~history.open).sum())
    client = None
    if args.address is not None:  # connect first: an unreachable scheduler must leave --out untouched
        from .sweep.execute import _dask_connect  # the sweep's check and connection, with its one-line errors

        client, _ = _dask_connect(1, args.address, True)
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except TimeoutError:
            client.close()
            raise ConfigError(
                f"--address {args.address}: the Dask scheduler there has no workers (waited {WORKER_WAIT_S:g} s); "
                "allowed: a scheduler with at least one worker (start one with `dask worker ADDRESS`)."
            ) from None
    try:
        return _calibrate(args, cfg, history, priors, horizon, beyond, client)
    finally:
        if client is not None:
            client.close()  # the cluster itself is not ours: it stays up


def _calibrate(args: argparse.Namespace, cfg: dict[str, Any], history: Any, priors: list, horizon: float, beyond: int, client: Any) -> int:
    from .calibrate import calibrate, dask_processes
    from .results import prepare_out_dir

    out = prepare_out_dir(args.out)
    print(f"jcs-sim calibrate: {history.describe()}")
    print(f"  free keys: {', '.join(p.key for p in priors)}; budget {args.budget} simulations of up to {args.batch} incidents each")
    if client is not None:
        print(f"  simulations run on the Dask scheduler at {args.address} ({dask_processes(client)} worker processes now)")
    if beyond:
        print(f"  note: {beyond} resolved incidents last longer than run.max_minutes = {horizon}; both sides count them as censored there")
    try:
        r = calibrate(
            history,
            cfg,
            priors,
            out,
            budget=args.budget,
            population=args.population,
            generations=args.generations,
            batch=args.batch,
            workers=args.workers,
            seed=args.seed,
            predictive=args.predictive,
            progress=True,
            client=client,
        )
    except KeyboardInterrupt:
        print(f"jcs-sim: interrupted; finished generations are saved in {args.out}. Run the same command again to resume.", file=sys.stderr)
        return 130
    (out / "report.html").write_text(report_html(r), encoding="utf-8")
    print(
        f"  {len(r['schedule'])} generations, {r['total_simulations']} simulations in all ({r['simulations_this_run']} in this run, "
        f"{r['seconds']:.0f} s with {r['workers']} {'Dask ' if r.get('address') else ''}workers); final epsilon {r['schedule'][-1]['epsilon']:.3g}"
    )
    for row in r["posterior"]:
        print(f"  {row['key']:<34} median {row['median']:.4g}  90% [{row['q05']:.4g}, {row['q95']:.4g}]  {row['verdict']}")
    print(f"  wrote posterior.parquet, calibrated.toml, report.html, calibration.json, abc.db to {out}")
    return 0


def _minutes(log1p_value: float) -> str:
    return f"{math.expm1(log1p_value):.0f}"


def _svg_qq(qq: list[dict[str, float]]) -> str:
    """Observed vs posterior-predictive quantiles of log(1 + duration), with the predictive 90% range."""
    size, pad = 360, 40
    vals = [v for r in qq for v in (r["observed"], r["sim_lo"], r["sim_hi"])]
    lo, hi = min(vals) - 0.1, max(vals) + 0.1

    def s(v: float) -> float:
        return pad + (size - 2 * pad) * (v - lo) / (hi - lo)

    out = [f'<svg width="{size}" height="{size}" font-family="sans-serif" font-size="11">']
    out.append(f'<line x1="{s(lo)}" y1="{size - s(lo)}" x2="{s(hi)}" y2="{size - s(hi)}" stroke="#999" stroke-dasharray="4 3"/>')
    for r in qq:
        x = s(r["observed"])
        out.append(f'<line x1="{x:.1f}" y1="{size - s(r["sim_lo"]):.1f}" x2="{x:.1f}" y2="{size - s(r["sim_hi"]):.1f}" stroke="#7fa7d9"/>')
        out.append(f'<circle cx="{x:.1f}" cy="{size - s(r["sim_median"]):.1f}" r="3" fill="#2c5d9e"/>')
    out.append(f'<text x="{size / 2}" y="{size - 5}" text-anchor="middle">observed quantile (minutes, log scale)</text>')
    out.append(f'<text x="12" y="{size / 2}" transform="rotate(-90 12 {size / 2})" text-anchor="middle">simulated quantile</text>')
    for v in (lo + 0.1, (lo + hi) / 2, hi - 0.1):
        out.append(f'<text x="{s(v):.1f}" y="{size - pad + 14:.1f}" text-anchor="middle">{_minutes(v)}</text>')
    out.append("</svg>")
    return "".join(out)


def _svg_prior_posterior(row: dict[str, Any], samples: list[float] | None) -> str:
    """A bar of the prior range with the posterior's 50% and 90% intervals and median marked on it."""
    width, left = 520, 10
    lo, hi = row["prior_low"], row["prior_high"]

    def x(v: float) -> float:
        return left + (width - 2 * left) * (v - lo) / (hi - lo)

    return (
        f'<svg width="{width}" height="46" font-family="sans-serif" font-size="11">'
        f'<rect x="{x(lo):.1f}" y="8" width="{x(hi) - x(lo):.1f}" height="14" fill="#eee" stroke="#bbb"/>'
        f'<rect x="{x(row["q05"]):.1f}" y="8" width="{max(x(row["q95"]) - x(row["q05"]), 1):.1f}" height="14" fill="#b7cde8"/>'
        f'<rect x="{x(row["q25"]):.1f}" y="8" width="{max(x(row["q75"]) - x(row["q25"]), 1):.1f}" height="14" fill="#6f98cc"/>'
        f'<line x1="{x(row["median"]):.1f}" y1="4" x2="{x(row["median"]):.1f}" y2="26" stroke="#1b3a66" stroke-width="2"/>'
        f'<text x="{x(lo):.1f}" y="40">{lo:g}</text><text x="{x(hi):.1f}" y="40" text-anchor="end">{hi:g}</text></svg>'
    )


def report_html(r: dict[str, Any]) -> str:
    """A self-contained page: the fit (predictive vs observed, QQ), prior vs posterior per key, the tolerance schedule."""
    e = html.escape
    obs, pred = r["observed"], r["predictive"]
    stat_rows = []
    for k, v in obs.items():
        p = pred["stats"].get(k)
        fmt = (lambda z: f"{z:.2f}") if k == "censored_share" else _minutes
        inside = p is not None and p["lo"] - 1e-9 <= v <= p["hi"] + 1e-9
        cells = (
            f"<td>{fmt(p['median'])} [{fmt(p['lo'])}, {fmt(p['hi'])}]</td><td>{'yes' if inside else '<b>no</b>'}</td>"
            if p
            else "<td>-</td><td>-</td>"
        )
        label = (
            k.replace("log_", "").replace("q", "quantile 0.", 1) if k.startswith("log_q") else k.replace("log_median_", "median time to ")
        )
        stat_rows.append(f"<tr><td>{e(label)}</td><td>{fmt(v)}</td>{cells}</tr>")
    par_rows = "".join(
        f"<tr><td><code>{e(p['key'])}</code></td><td>{'log-' if p['log_prior'] else ''}uniform {p['prior_low']:g} to {p['prior_high']:g}</td>"
        f"<td>{p['median']:.4g}</td><td>[{p['q25']:.4g}, {p['q75']:.4g}]</td><td>[{p['q05']:.4g}, {p['q95']:.4g}]</td>"
        f"<td>{p['width_ratio_90']:.2f}</td><td>{e(p['verdict'])}</td></tr>"
        f"<tr><td colspan='7'>{_svg_prior_posterior(p, None)}</td></tr>"
        for p in r["posterior"]
    )
    pinned = [p["key"] for p in r["posterior"] if p["verdict"] == "pinned down"]
    loose = [p["key"] for p in r["posterior"] if p["verdict"] != "pinned down"]
    sched = "".join(
        f"<tr><td>{s['t']}</td><td>{s['epsilon']:.4g}</td><td>{s['simulations']}</td><td>{s['accepted']}</td><td>{s['accepted'] / max(s['simulations'], 1):.1%}</td></tr>"
        for s in r["schedule"]
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>jcs-sim calibrate</title>"
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}</style>"
        f"</head><body><h1>Calibration of {e(', '.join(p['key'] for p in r['posterior']))}</h1>"
        f"<p>History <code>{e(str(r['history']))}</code>: {e(r['history_summary'])}. ABC-SMC (pyabc), population {r['population']}, "
        f"{len(r['schedule'])} generations, {r['total_simulations']} simulations of {r['batch']} incidents each "
        f"(budget {r['budget']}), seed {r['seed']}, {r['seconds']:.0f} s with {r['workers']} {'Dask ' if r.get('address') else ''}workers"
        f"{f' in this run, resumed after {r["resumed_after"]} simulations' if r['resumed_after'] else ''}.</p>"
        f"<p><b>Pinned down by the data:</b> {e(', '.join(pinned) or 'none')}. <b>Not (or only partly):</b> {e(', '.join(loose) or 'none')}. "
        "A key is 'pinned down' when its posterior 90% interval is under half as wide as the prior's, 'narrowed' under 0.8; "
        "a key that is not pinned down keeps most of its prior uncertainty, and a what-if should carry it (draw from the posterior).</p>"
        "<h2>Prior and posterior per key</h2><p>Grey: prior range; light blue: posterior 90% interval; blue: 50%; line: median. "
        "Width ratio: posterior over prior 90% interval.</p>"
        "<table><tr><th>key</th><th>prior</th><th>median</th><th>50%</th><th>90%</th><th>width ratio</th><th></th></tr>"
        f"{par_rows}</table>"
        f"<h2>Fit: observed vs posterior predictive</h2><p>{pred['draws']} batches simulated at parameters drawn from the posterior; "
        "median and 5%-95% range. Durations in minutes (Kaplan-Meier quantiles: open incidents count as at least as long as they have been open).</p>"
        "<table><tr><th>statistic</th><th>observed</th><th>predictive median [5%, 95%]</th><th>inside</th></tr>"
        + "".join(stat_rows)
        + "</table><h3>QQ plot of time to resolve</h3><p>Dot: median simulated quantile; bar: its 5%-95% range; dashed: perfect fit.</p>"
        + (_svg_qq(pred["qq"]) if pred.get("qq") else "<p>(no predictive draws)</p>")
        + "<h2>Tolerance and acceptance schedule</h2><table><tr><th>generation</th><th>epsilon</th><th>simulations</th><th>accepted</th><th>acceptance rate</th></tr>"
        f"{sched}</table>"
        "<h2>Resume</h2><p>The pyabc database <code>abc.db</code> in this directory holds every completed generation. "
        "Running the same command again with the same <code>--out</code> continues from the last completed generation "
        "(a generation killed half-way is drawn again from its start). pyabc re-derives the adaptive distance weights and the "
        "tolerance from the stored population, so a resumed run is a valid continuation but not bit-identical to an uninterrupted one. "
        "A larger <code>--budget</code> or <code>--generations</code> extends a finished calibration.</p>"
        f"<h2>Config and settings</h2><pre>{e(json.dumps({k: r[k] for k in ('priors', 'budget', 'population', 'batch', 'seed')}, indent=1))}</pre>"
        "</body></html>\n"
    )


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` subcommand (arguments only; pyabc is imported when it runs)."""
    p = sub.add_parser("calibrate", help="fit behavioural keys to an incident history (HISTORY.csv) with ABC-SMC; resumes in DIR")
    p.add_argument(
        "history", metavar="HISTORY.csv", help="one incident a row: duration_min, optional phase, severity, hour, teams, open columns"
    )
    p.add_argument("--config", help="base TOML config (default: the built-in scenario); the free keys start from it")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override one base config key (repeatable)")
    from .parameters import CALIBRATION_DEFAULTS  # no numpy: --help stays fast

    p.add_argument("--params", nargs="+", metavar="KEY", help="free keys (section.key); default: " + ", ".join(CALIBRATION_DEFAULTS))
    p.add_argument(
        "--priors", metavar="PRIORS.toml", help="priors per key: [section.key] low, high, log (default: uniform over the key's bounds)"
    )
    p.add_argument(
        "--budget", type=int, default=2000, help="most simulations (each a batch of incidents) over all generations (default 2000)"
    )
    p.add_argument("--population", type=int, default=100, help="particles per generation (default 100)")
    p.add_argument("--generations", type=int, default=8, help="most generations (default 8)")
    p.add_argument("--batch", type=int, default=100, help="most incidents per simulation (default 100; above it a random subset of rows)")
    p.add_argument("--predictive", type=int, default=20, help="posterior draws simulated for the report's fit check (default 20)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1); the result does not depend on it")
    p.add_argument(
        "--address",
        metavar="HOST:PORT",
        help="run the simulations on the Dask scheduler there instead of local processes (same result); its workers need jcs-sim installed",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the calibration (default 0); same seed, same posterior")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory; rerun the same command to resume")
    p.set_defaults(func=_run)
