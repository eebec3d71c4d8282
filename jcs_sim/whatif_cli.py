"""``jcs-sim whatif``: the effect of a change on a calibrated model, parameters drawn from the posterior (see :mod:`jcs_sim.whatif`)."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

__all__ = ["register", "sweep_table"]


def _fmt(t: tuple[float, float, float]) -> str:
    return f"{t[0]:.2f} [{t[1]:.2f}, {t[2]:.2f}]"


def _print_single(args: argparse.Namespace, r: dict[str, Any]) -> None:
    base, changed = r["resolve_median_minutes"]
    print(f"jcs-sim whatif {args.calibration}: {'; '.join(r['sets'])}")
    print(f"  {r['draws']} posterior draws x {r['per_draw']} seeds = {r['pairs']} paired runs (ratio changed / as calibrated; < 1: faster)")
    print(f"  time to resolve, median:          {_fmt(r['resolve_median'])}  ({base:.0f} -> {changed:.0f} min)")
    print(f"  time to resolve, geometric mean:  {_fmt(r['resolve_geomean'])}")
    for p in ("detect", "acknowledge", "diagnose", "mitigate"):
        print(f"  time to {p:<11} geometric mean: {_fmt(r[f'{p}_geomean'])}")
    print(
        f"  share of posterior draws in which the change helps: {r['share_draws_helped']:.0%} "
        f"(hurts: {r['share_draws_hurt']:.0%}; the rest: no difference on their seeds)"
    )
    print(f"  censored runs: {r['censored']['base']} as calibrated, {r['censored']['changed']} changed (counted at the horizon)")
    print("  intervals: 95% paired bootstrap over (posterior draw, seed) pairs, so they include parameter uncertainty")


def sweep_table(r: dict[str, Any]) -> list[str]:
    """The terminal table of :func:`jcs_sim.whatif.whatif_sweep`: a column per swept key, one line per value, aligned."""
    from .sweep.design import _label

    head = (*r["keys"], "median min", "median ratio [95%]", "geomean ratio [95%]", "helps", "hurts", "censored", "")
    body = [
        (
            *(_label(row["settings"][k]) for k in r["keys"]),
            f"{row['resolve_median_minutes']:.0f}",
            _fmt(row["resolve_median"]),
            _fmt(row["resolve_geomean"]),
            f"{row['share_draws_helped']:.0%}",
            f"{row['share_draws_hurt']:.0%}",
            f"{row['censored']}",
            "as calibrated" if row["as_calibrated"] else "",
        )
        for row in r["rows"]
    ]
    n = len(r["keys"])
    widths = [max(len(line[i]) for line in (head, *body)) for i in range(len(head))]
    return [
        "  ".join(
            c.ljust(w) if i < n or i == len(head) - 1 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in (head, *body)
    ]


def _print_sweep(args: argparse.Namespace, r: dict[str, Any]) -> None:
    fixed = f" with {'; '.join(r['sets'])}" if r["sets"] else ""
    print(f"jcs-sim whatif {args.calibration}: sweep {' x '.join(r['keys'])}{fixed}, {len(r['rows'])} values")
    print(
        f"  {r['draws']} posterior draws x {r['per_draw']} seeds = {r['pairs']} paired runs per value, every value on the same draws and seeds"
    )
    base = r["base"]
    at = "".join(f"; {k} = {v}" for k, v in base["values"].items())
    print(
        f"  as calibrated: median time to resolve {base['resolve_median_minutes']:.0f} min, {base['censored']} of {r['pairs']} runs censored{at}"
    )
    print("  ratio value / as calibrated of time to resolve (< 1: faster):")
    for line in sweep_table(r):
        print("    " + line)
    print("  helps / hurts: share of posterior draws in which the value makes the draw's geometric mean faster / slower")
    print("  intervals: 95% paired bootstrap over (posterior draw, seed) pairs, so they include parameter uncertainty")


def _write(out: Path, r: dict[str, Any]) -> list[Path]:
    """whatif.json (the whole result) and, for a sweep, whatif_sweep.csv (one row per value)."""
    from .results import write_atomic, write_text_atomic

    written = [write_text_atomic(out / "whatif.json", json.dumps(r, indent=1) + "\n")]
    if "rows" in r:
        stats = [k for k in r["rows"][0] if isinstance(r["rows"][0][k], tuple)]
        header = ["value", *r["keys"], "as_calibrated", "resolve_median_minutes"]
        header += [f"{k}{end}" for k in stats for end in ("", "_lo", "_hi")]
        header += ["share_draws_helped", "share_draws_hurt", "censored"]

        def write(tmp: Path) -> None:
            with open(tmp, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(header)
                for row in r["rows"]:
                    cells = [row["value"], *(row["settings"][k] for k in r["keys"]), row["as_calibrated"], row["resolve_median_minutes"]]
                    cells += [v for k in stats for v in row[k]]
                    cells += [row["share_draws_helped"], row["share_draws_hurt"], row["censored"]]
                    w.writerow(cells)

        written.append(write_atomic(out / "whatif_sweep.csv", write))
    return written


def _run(args: argparse.Namespace) -> int:
    from .config import ConfigError
    from .results import prepare_out_dir
    from .whatif import whatif, whatif_sweep

    if not args.set and not args.sweep:
        raise ConfigError("whatif: give a change, --set SECTION.KEY=VALUE, or values to compare, --sweep SECTION.KEY=V1,V2,...")
    progress = not args.json
    if args.sweep:
        r = whatif_sweep(args.calibration, args.sweep, args.set, runs=args.runs, per_draw=args.per_draw, seed=args.seed, progress=progress)
    else:
        r = whatif(args.calibration, args.set, runs=args.runs, per_draw=args.per_draw, seed=args.seed, progress=progress)
    if args.json:
        print(json.dumps(r))
    elif args.sweep:
        _print_sweep(args, r)
    else:
        _print_single(args, r)
    if args.out is not None:
        written = _write(prepare_out_dir(args.out), r)
        if not args.json:
            print(f"  wrote {', '.join(p.name for p in written)} to {args.out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``whatif`` subcommand (arguments only)."""
    p = sub.add_parser("whatif", help="effect of a change on a calibrated model, with parameter uncertainty from the posterior")
    p.add_argument("calibration", metavar="CALIBRATION_DIR", help="a directory written by `jcs-sim calibrate --out`")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="the change (repeatable)")
    p.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="SECTION.KEY=V1,V2,...",
        help="the effect of each value, on the same draws and seeds (repeatable: a grid); --set then applies to every value",
    )
    p.add_argument("--runs", type=int, default=100, help="posterior draws (default 100)")
    p.add_argument("--per-draw", type=int, default=4, help="paired incident seeds per draw (default 4)")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws and incident seeds (default 0)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--out", metavar="DIR", help="also write whatif.json (and whatif_sweep.csv for --sweep) to DIR")
    p.set_defaults(func=_run)
