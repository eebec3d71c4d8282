"""``jcs-sim compare A.toml B.toml``: paired runs of two settings and a verdict (see :mod:`jcs_sim.compare`)."""

from __future__ import annotations

import argparse
import json

__all__ = ["register"]


def _run(args: argparse.Namespace) -> int:
    from .compare import compare, verdict, write_report

    runs = args.runs or (20 if args.campaign else 200)
    res, pairs, configs = compare(args.a, args.b, runs, args.campaign, args.seed, args.set, args.workers)
    if args.out:
        paths = write_report(args.out, pairs, res, (args.a, args.b), configs, static=args.static)
    if args.json:
        print(json.dumps(res))
        return 0
    print("\n".join(verdict(res, (args.a, args.b))))
    if res.get("identical_configs"):
        print("  note: A and B resolve to the same config; any difference is chance (there should be none)")
    if args.out:
        print(
            f"  wrote {', '.join(p.name for p in paths if p.parent.name != 'figures')}"
            + (f" and {sum(1 for p in paths if p.parent.name == 'figures')} figure files in figures/" if args.static else "")
            + f" to {args.out}"
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``compare`` subcommand (arguments only; the work is imported when it runs)."""
    from .cli import _seed
    from .sweep.cli import _positive

    p = sub.add_parser("compare", help="compare two configs on paired runs (same seeds): a verdict with a CI, and a report")
    p.add_argument("a", metavar="A.toml", help="the reference config")
    p.add_argument("b", metavar="B.toml", help="the alternative config (the verdict says how B differs from A)")
    p.add_argument(
        "--runs", type=_positive, default=None, metavar="N", help="paired runs (default 200 incidents, or 20 campaigns with --campaign)"
    )
    p.add_argument("--campaign", type=_positive, metavar="DAYS", help="each run is a campaign of DAYS days (game days, rotations, reviews)")
    p.add_argument("--seed", type=_seed, default=0, help="first seed (default 0); run i uses seed SEED + i in both A and B")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override a key in both A and B (repeatable)")
    p.add_argument("--workers", type=_positive, default=1, metavar="N", help="worker processes (default 1)")
    p.add_argument("--out", metavar="DIR", help="write report.html, summary.json, pairs.csv and both configs to DIR")
    p.add_argument("--static", action="store_true", help="with --out: also PNG and SVG of every figure (needs Chromium for kaleido)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(func=_run)
