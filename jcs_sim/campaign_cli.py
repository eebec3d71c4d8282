"""``jcs-sim campaign``: an organisation over weeks (see :mod:`jcs_sim.campaign`)."""

from __future__ import annotations

import argparse
import json

__all__ = ["register"]


def _run(args: argparse.Namespace) -> int:
    from .campaign import Campaign
    from .config import load_for_mode

    cfg = load_for_mode(args.config, args.set, "campaign")
    check_organisation_fits(cfg, args.config or "config")
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


# Bytes per unit of a campaign's organisation (jcs_sim.campaign): per person and service the knowledge
# (a float, with the temporaries of its draw and a Python bool list for team membership); per pair of
# people the familiarity (float) and the daily contact (bool) matrices and their temporaries.
ORG_BYTES_PER_PERSON_SERVICE = 40
ORG_BYTES_PER_PERSON_PAIR = 24


def check_organisation_fits(cfg: dict, where: str) -> None:
    """Refuse, before building it, an organisation whose matrices would exceed the memory limit.

    Why here: a campaign's organisation is every engineer of every team (``n_teams x team_size``,
    up to 10,000 people within the schema), with a knowledge value per person and service and a
    familiarity per pair; at the schema's extremes that is tens of GiB, which used to end in a
    MemoryError after minutes of drawing ties. Only a generated service graph is sized here; a
    graph file is sized when it is loaded (``system.check_fits``).
    """
    from .config import ConfigError
    from .system import MEMORY_LIMIT_ENV, memory_limit

    sc, cc = cfg["system"], cfg["campaign"]
    if sc["graph_file"]:
        return
    services = sc["n_teams"] * sc["services_per_team"]
    people = sc["n_teams"] * cc["team_size"] + cc["commanders"] + cc["support_pool"] + cc["comms_pool"]
    need = ORG_BYTES_PER_PERSON_SERVICE * people * services + ORG_BYTES_PER_PERSON_PAIR * people**2
    limit = memory_limit()
    if need > limit:
        raise ConfigError(
            f"{where}: a campaign organisation of {people:,} people ({sc['n_teams']} teams x {cc['team_size']} engineers, plus the "
            f"rotations) and {services:,} services needs about {need / 2**30:.1f} GiB; allowed: at most {limit / 2**30:g} GiB "
            f"(set {MEMORY_LIMIT_ENV} to allow more). Lower campaign.team_size, system.n_teams or system.services_per_team."
        )


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``campaign`` subcommand (arguments only; the work is imported when it runs)."""
    from .cli import _seed, bounded_int, out_dir
    from .config import SCHEMA

    days = SCHEMA["campaign"]["days"]  # the schema's bounds, so --days and [campaign] days agree
    p = sub.add_parser("campaign", help="simulate an organisation over weeks: incidents, rotations, reviews, game days")
    p.add_argument("config", nargs="?", help="TOML config file (the [campaign] section and everything else)")
    p.add_argument("--days", type=bounded_int(int(days.low), int(days.high)), help="days to simulate (default campaign.days, 90)")
    p.add_argument("--seed", type=_seed, default=0, help="campaign seed (default 0)")
    p.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override one config key (repeatable)")
    p.add_argument("--out", type=out_dir, metavar="DIR", help="write incidents.parquet, days.parquet and summary.json to DIR")
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.set_defaults(func=_run)
