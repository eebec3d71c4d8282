"""``jcs-sim ablate``: every named mechanism switched off in turn, on paired seeds (see :mod:`jcs_sim.ablate`)."""

from __future__ import annotations

import argparse
import csv
import html
import json
from typing import Any

__all__ = ["register", "markdown_table", "html_page"]

COLUMNS = ("resolve_geomean", "resolve_median", "detect_geomean", "acknowledge_geomean", "diagnose_geomean", "mitigate_geomean")


def _run(args: argparse.Namespace) -> int:
    from .ablate import MECHANISMS, ablate, format_ratio
    from .config import ConfigError, load_for_mode
    from .results import prepare_out_dir

    cfg = load_for_mode(args.config, args.set, "run")  # campaign keys, which a single incident ignores, are refused
    names = [m.name for m in MECHANISMS]
    unknown = [n for n in args.only if n not in names]
    if unknown:
        raise ConfigError(f"--only {unknown[0]!r}: no such mechanism; allowed: {', '.join(names)}.")
    if args.workers < 1:
        raise ConfigError(f"--workers {args.workers}: allowed: an integer >= 1.")
    out = prepare_out_dir(args.out) if args.out else None
    chosen = tuple(m for m in MECHANISMS if not args.only or m.name in args.only)
    rows = ablate(cfg, runs=args.runs, mechanisms=chosen, workers=args.workers, progress=not (args.json or args.markdown))
    scenario = args.config or "the default scenario"
    if args.json:
        print(json.dumps(rows))
    elif args.markdown:
        print(markdown_table(rows), end="")
    else:
        print(f"jcs-sim ablate: {scenario}, seeds 0-{args.runs - 1}; each mechanism off vs as given (ratio > 1: slower without it)")
        print(f"  {'mechanism':<26} {'geomean TTR':<20} {'median TTR':<20} {'diagnose':<20} {'censored off/given':<18}")
        for r in rows:
            flag = "" if r["detectable"] else "  (no detectable effect)"
            print(
                f"  {r['mechanism']:<26} {format_ratio(r, 'resolve_geomean'):<20} {format_ratio(r, 'resolve_median'):<20} "
                f"{format_ratio(r, 'diagnose_geomean'):<20} {r['censored_off']}/{r['censored_as_given']}{flag}"
            )
    if out is not None:
        with (out / "ablation.csv").open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        (out / "ablation.json").write_text(json.dumps({"scenario": scenario, "config": cfg, "rows": rows}, indent=1) + "\n")
        (out / "ablation.html").write_text(html_page(rows, scenario, cfg), encoding="utf-8")
        (out / "ablation.md").write_text(markdown_table(rows), encoding="utf-8")
        if not (args.json or args.markdown):
            print(f"  wrote ablation.csv, ablation.json, ablation.md, ablation.html to {out}")
    return 0


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The ablation as a markdown table (docs/mechanisms.md quotes these)."""
    from .ablate import format_ratio

    lines = [
        "| mechanism switched off | geometric mean TTR | median TTR | detect | acknowledge | diagnose | mitigate | censored off / as given |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        name = r["mechanism"] if r["detectable"] else f"{r['mechanism']} (no detectable effect)"
        cells = " | ".join(format_ratio(r, c) for c in COLUMNS)
        lines.append(f"| {name} | {cells} | {r['censored_off']} / {r['censored_as_given']} |")
    return "\n".join(lines) + "\n"


def html_page(rows: list[dict[str, Any]], scenario: str, cfg: dict[str, Any]) -> str:
    """A self-contained page: a forest plot of the geometric-mean ratio (SVG), the table, and the config."""
    width, left, row_h = 760, 230, 22
    height = 40 + row_h * len(rows)
    values = [v for r in rows for v in (r["resolve_geomean_lo"], r["resolve_geomean_hi"])] + [1.0]
    lo, hi = min(values) * 0.95, max(values) * 1.05

    def x(v: float) -> float:
        return left + (width - left - 20) * (v - lo) / (hi - lo)

    svg = [f'<svg width="{width}" height="{height}" font-family="sans-serif" font-size="12">']
    svg.append(f'<line x1="{x(1.0):.1f}" y1="10" x2="{x(1.0):.1f}" y2="{height - 20}" stroke="#888" stroke-dasharray="4 3"/>')
    for i, r in enumerate(rows):
        y = 25 + i * row_h
        colour = "#c0392b" if r["detectable"] else "#7f8c8d"
        svg.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{html.escape(r["mechanism"])}</text>')
        svg.append(
            f'<line x1="{x(r["resolve_geomean_lo"]):.1f}" y1="{y}" x2="{x(r["resolve_geomean_hi"]):.1f}" y2="{y}" stroke="{colour}" stroke-width="2"/>'
        )
        svg.append(f'<circle cx="{x(r["resolve_geomean"]):.1f}" cy="{y}" r="4" fill="{colour}"/>')
    svg.append(f'<text x="{x(1.0):.1f}" y="{height - 5}" text-anchor="middle">1 (no effect)</text>')
    svg.append(f'<text x="{x(lo):.1f}" y="{height - 5}">{lo:.2f}</text><text x="{x(hi) - 30:.1f}" y="{height - 5}">{hi:.2f}</text>')
    svg.append("</svg>")
    table = markdown_table(rows).splitlines()
    head = "".join(f"<th>{html.escape(c.strip())}</th>" for c in table[0].strip("|").split("|"))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in line.strip("|").split("|")) + "</tr>" for line in table[2:]
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>jcs-sim ablate</title>"
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}td,th{padding:2px 8px;border-bottom:1px solid #ddd}</style>"
        f"</head><body><h1>What each mechanism does: {html.escape(scenario)}</h1>"
        f"<p>Seeds 0-{rows[0]['runs'] - 1}, paired. Each row: time to resolve with the mechanism switched off, over time to "
        "resolve as given (geometric mean ratio, 95% paired bootstrap interval; above 1: resolution is slower without the "
        "mechanism). Red: the interval excludes 1. Censored runs count at the horizon.</p>"
        + "\n".join(svg)
        + f"<table><tr>{head}</tr>{body}</table><h2>Config</h2><pre>{html.escape(json.dumps(cfg, indent=1))}</pre></body></html>\n"
    )


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``ablate`` subcommand (arguments only; the work is imported when it runs)."""
    p = sub.add_parser("ablate", help="switch each named mechanism off in turn and show its effect on paired seeds, with CIs")
    p.add_argument("config", nargs="?", help="TOML config file (default: the built-in scenario)")
    p.add_argument("--runs", type=int, default=200, help="paired seeds per arm (default 200)")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override one config key (repeatable)")
    p.add_argument("--only", action="append", default=[], metavar="MECHANISM", help="ablate only this mechanism (repeatable)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--out", metavar="DIR", help="write ablation.csv, .json, .md and .html to DIR")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.add_argument("--markdown", action="store_true", help="print the table as markdown")
    p.set_defaults(func=_run)
