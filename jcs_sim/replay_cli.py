"""``jcs-sim replay``: a saved run again with one change at one minute (see :mod:`jcs_sim.replay`)."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register"]

PHASES = ("detect", "acknowledge", "diagnose", "mitigate", "resolve")
CONTEXT = 3  # minutes of the logs shown before the first difference


def _fmt(t: int | None) -> str:
    return "not reached" if t is None else f"{t} min"


def _single(args: argparse.Namespace, cfg: dict[str, Any], seed: int, changes: list) -> int:
    from .replay import divergence, replay, side_by_side
    from .results import prepare_out_dir, write_run, write_text_atomic

    out = prepare_out_dir(args.out) if args.out else None
    drawn, changed = replay(cfg, seed, changes, args.at)
    div = divergence(drawn, changed)
    shown = ", ".join(str(c) for c in changes)
    result = {
        "run": str(args.run_dir),
        "seed": seed,
        "at": args.at,
        "changes": [str(c) for c in changes],
        "diverged_at": None if div is None else div["minute"],
        "first_difference": div,
        "as_drawn": {p: drawn.times[p] for p in PHASES},
        "replayed": {p: changed.times[p] for p in PHASES},
        "counts": {k: [drawn.counts[k], changed.counts[k]] for k in drawn.counts},
    }
    start = max(0, (div["minute"] if div else args.at) - CONTEXT)
    lines = side_by_side(drawn, changed, start, min(max(drawn.minute, changed.minute), start + args.window))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"jcs-sim replay {args.run_dir} (seed {seed}): {shown} at minute {args.at}")
        if div is None:
            print("  no difference: the change reached nothing, and the replay is the run as drawn")
        else:
            print(f"  identical up to minute {div['minute'] - 1}; first difference at minute {div['minute']}:")
            print("    as drawn: " + ("; ".join(div["as_drawn"]) or "(nothing logged this minute)"))
            print("    replayed: " + ("; ".join(div["replayed"]) or "(nothing logged this minute)"))
        print(f"  {'':<26} {'as drawn':<14} replayed")
        for p in PHASES:
            print(f"  {'time to ' + p:<26} {_fmt(drawn.times[p]):<14} {_fmt(changed.times[p])}")
        for key in ("remediations", "harms", "bystander_escalations", "stakeholder_updates_wrong", "messages_misread"):
            print(f"  {key.replace('_', ' '):<26} {drawn.counts[key]:<14} {changed.counts[key]}")
        if div is not None:
            print(f"  the two logs from minute {start}:")
            for line in lines:
                print("  " + line)
    if out is not None:
        write_run(drawn, out / "as_drawn")
        write_run(changed, out / "replayed")
        write_text_atomic(out / "replay.json", json.dumps(result, indent=1) + "\n")
        write_text_atomic(out / "side_by_side.txt", "\n".join(lines) + "\n")
        if not args.json:
            print(f"  wrote replay.json, side_by_side.txt, as_drawn/ and replayed/ to {out}")
    return 0


def _batch(args: argparse.Namespace, cfg: dict[str, Any], changes: list) -> int:
    from .ablate import format_ratio
    from .replay import batch

    r = batch(cfg, args.seeds, changes, args.at, workers=args.workers)
    if args.json:
        print(json.dumps(r))
        return 0
    row = {"g": r["geomean_ratio"][0], "g_lo": r["geomean_ratio"][1], "g_hi": r["geomean_ratio"][2]}
    row |= {"m": r["median_ratio"][0], "m_lo": r["median_ratio"][1], "m_hi": r["median_ratio"][2]}
    print(
        f"jcs-sim replay {args.run_dir}: {', '.join(str(c) for c in changes)} at minute {args.at}, seeds 0-{args.seeds - 1} of its config"
    )
    print(f"  time to resolve changed in {r['changed_runs']} of {r['seeds']} runs; mean difference {r['mean_difference_minutes']:+.1f} min")
    print(f"  ratio replayed / as drawn, geometric mean: {format_ratio(row, 'g')}; median: {format_ratio(row, 'm')}")
    print(f"  censored runs (counted at the horizon): {r['censored']['as_drawn']} as drawn, {r['censored']['replayed']} replayed")
    print("  intervals: 95% paired bootstrap over seeds")
    return 0


def _run(args: argparse.Namespace) -> int:
    from .config import ConfigError
    from .replay import load_run, parse_change

    if args.workers < 1:
        raise ConfigError(f"--workers {args.workers}: allowed: an integer >= 1.")
    if args.window < 1:
        raise ConfigError(f"--window {args.window}: allowed: an integer >= 1.")
    cfg, seed = load_run(args.run_dir)
    changes = [parse_change(c) for c in args.change]
    if args.seeds is not None:
        if args.out:
            raise ConfigError("--out with --seeds: a batch writes no run directories; allowed: one of them.")
        return _batch(args, cfg, changes)
    return _single(args, cfg, seed, changes)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``replay`` subcommand (arguments only)."""
    p = sub.add_parser("replay", help="a saved run again with one change at one minute: where it diverges, and what it changes")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a directory written by `jcs-sim run --out`")
    p.add_argument(
        "--at", type=int, required=True, metavar="MINUTE", help="the minute of the change (for a message: the minute it was read)"
    )
    p.add_argument(
        "--change",
        action="append",
        required=True,
        metavar="CHANGE",
        help="read-right:PERSON:MESSAGE|all, misread:PERSON:MESSAGE, page:PERSON, leave:PERSON, skip-remediation:PERSON (repeatable)",
    )
    p.add_argument("--out", metavar="DIR", help="write replay.json, side_by_side.txt and both runs' tables to DIR")
    p.add_argument("--seeds", type=int, metavar="N", help="instead: the average effect over seeds 0..N-1 of the run's config")
    p.add_argument("--workers", type=int, default=1, help="worker processes for --seeds (default 1)")
    p.add_argument("--window", type=int, default=25, help="minutes of the side-by-side logs shown (default 25)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_run)
