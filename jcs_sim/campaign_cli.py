"""``jcs-sim campaign``: an organisation over weeks (see :mod:`jcs_sim.campaign`)."""

from __future__ import annotations

import argparse
import json

__all__ = ["register"]


def _run(args: argparse.Namespace) -> int:
    from .campaign import Campaign
    from .config import load_for_mode

    cfg = load_for_mode(args.config, args.set, "campaign")
    camp = Campaign(cfg, seed=args.seed, days=args.days).run(progress=not args.json)
    summary = camp.summary()
    if args.out:
        camp.write(args.out)
    if args.json:
        print(json.dumps(summary))
        return 0
    print(
        f"jcs-sim campaign: {summary['days']} days, seed {summary['seed']}: {summary['incidents']} incidents "
        f"({summary['resolved']} resolved, {summary['censored']} censored), {summary['gamedays']} game days"
    )
    print(f"  organisation             {camp.org.describe()}")
    mt = summary["median_time_to_resolve"]
    print(f"  median time to resolve   {mt if mt is not None else 'n/a'} min")
    print(f"  mean tie within teams    {summary['tie_within_start']:.3f} -> {summary['tie_within_end']:.3f}")
    print(f"  mean tie across teams    {summary['tie_across_start']:.3f} -> {summary['tie_across_end']:.3f}")
    print(f"  cross-team knowledge     {summary['knowledge_coverage_start']:.3f} -> {summary['knowledge_coverage_end']:.3f}")
    print(f"  mean burnout at the end  {summary['burnout_mean_end']:.3f}")
    if args.out:
        print(f"  wrote incidents.parquet, days.parquet, summary.json, config.json to {args.out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``campaign`` subcommand (arguments only; the work is imported when it runs)."""
    from .cli import _seed

    p = sub.add_parser("campaign", help="simulate an organisation over weeks: incidents, rotations, reviews, game days")
    p.add_argument("config", nargs="?", help="TOML config file (the [campaign] section and everything else)")
    p.add_argument("--days", type=int, help="days to simulate (default campaign.days, 90)")
    p.add_argument("--seed", type=_seed, default=0, help="campaign seed (default 0)")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override one config key (repeatable)")
    p.add_argument("--out", metavar="DIR", help="write incidents.parquet, days.parquet and summary.json to DIR")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.set_defaults(func=_run)
