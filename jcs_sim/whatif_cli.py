"""``jcs-sim whatif``: the effect of a change on a calibrated model, parameters drawn from the posterior (see :mod:`jcs_sim.whatif`)."""

from __future__ import annotations

import argparse
import json

__all__ = ["register"]


def _fmt(t: tuple[float, float, float]) -> str:
    return f"{t[0]:.2f} [{t[1]:.2f}, {t[2]:.2f}]"


def _run(args: argparse.Namespace) -> int:
    from .whatif import whatif

    r = whatif(args.calibration, args.set, runs=args.runs, per_draw=args.per_draw, seed=args.seed)
    if args.json:
        print(json.dumps(r))
        return 0
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
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``whatif`` subcommand (arguments only)."""
    p = sub.add_parser("whatif", help="effect of a change on a calibrated model, with parameter uncertainty from the posterior")
    p.add_argument("calibration", metavar="CALIBRATION_DIR", help="a directory written by `jcs-sim calibrate --out`")
    p.add_argument("--set", action="append", required=True, metavar="SECTION.KEY=VALUE", help="the change (repeatable)")
    p.add_argument("--runs", type=int, default=100, help="posterior draws (default 100)")
    p.add_argument("--per-draw", type=int, default=4, help="paired incident seeds per draw (default 4)")
    p.add_argument("--seed", type=int, default=0, help="seed of the draws and incident seeds (default 0)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_run)
