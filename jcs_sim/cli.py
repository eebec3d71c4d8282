"""The command line: ``jcs-sim run | explain | config show``.

Why errors are caught here and nowhere deeper: the model raises
:class:`ConfigError` with a message naming the file, key and allowed values;
the CLI prints that one line and exits with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any, NoReturn

from . import __version__
from .config import ConfigError, apply_overrides, config_markdown, config_to_toml, load_config

__all__ = ["main"]

# Modules that add subcommands: each has ``register(subparsers)``, which only
# declares arguments; heavy imports (dask, solara) happen inside the handler so
# `jcs-sim run` stays fast.
COMMAND_MODULES = (
    "jcs_sim.sweep.cli",
    "jcs_sim.app.cli",
    "jcs_sim.campaign_cli",
    "jcs_sim.ablate_cli",
    "jcs_sim.calibrate_cli",
    "jcs_sim.whatif_cli",
)


def _fmt(minutes: int | None) -> str:
    if minutes is None:
        return "not reached"
    h, m = divmod(int(minutes), 60)
    return f"{minutes} min" + (f" ({h}h{m:02d})" if h else "")


def format_summary(s: dict[str, Any]) -> str:
    """The readable summary printed by ``jcs-sim run``."""
    status = "resolved" if s["resolved"] else f"NOT resolved within {s['minutes_simulated']} min (censored)"
    lines = [
        f"jcs-sim {s['version']}  seed {s['seed']}: incident {status}",
        f"  fault: {s['fault_type']} at {s['root_cause']} ({s['root_cause_team']}); first alert on {s['first_alert']} ({s['first_alert_team']})",
        f"  fixed by: {s['fixed_by'] or 'nothing yet'}",
        f"  time to acknowledge  {_fmt(s['time_to_acknowledge'])}",
        f"  time to diagnose     {_fmt(s['time_to_diagnose'])}",
        f"  time to mitigate     {_fmt(s['time_to_mitigate'])}",
        f"  time to resolve      {_fmt(s['time_to_resolve'])}",
        f"  messages: {s['messages_sent']} sent, {s['messages_read']} reads, {s['messages_misread']} misread",
        f"  pages: {s['pages']} ({s['escalations']} escalations); remediations: {s['remediations']} "
        f"({s['remediations_failed']} failed, {s['remediations_wrong']} on the wrong service)",
        "  responders:",
    ]
    for r in s["responders"]:
        joined = (
            f"joined at {r['joined_at']}"
            if r["joined_at"] is not None
            else ("paged, never joined" if r["paged_at"] is not None else "not paged")
        )
        lines.append(
            f"    {r['name']:<8} {r['role']:<9} {r['team'] or '-':<9} {joined:<18} {r['minutes_active']:>4} min active, "
            f"{r['messages_sent']} sent, {r['messages_misread']}/{r['messages_read']} misread"
        )
    return "\n".join(lines)


def _cmd_run(args: argparse.Namespace) -> int:
    from .model import IncidentModel
    from .results import summarize, write_run

    cfg = load_config(args.config)
    if args.set:
        cfg = apply_overrides(cfg, args.set)
    model = IncidentModel(cfg, seed=args.seed, record_trace=args.out is not None).run()
    summary = summarize(model)
    if args.out:
        paths = write_run(model, args.out)
    if args.json:
        print(json.dumps(summary))
    else:
        print(format_summary(summary))
        if args.out:
            print(f"  wrote {', '.join(p.name for p in paths.values())} to {args.out}")
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from .explain import explain

    print(explain(args.dir, args.responder, args.minute))
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    if args.set:
        cfg = apply_overrides(cfg, args.set)
    if args.markdown:
        print(config_markdown(), end="")
    else:
        print(config_to_toml(cfg, with_docs=not args.bare))
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with the project's one-line error format (usage stays available through -h)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"jcs-sim: error: {self.prog}: {message} (see `{self.prog} -h`)\n")


def _seed(text: str) -> int:
    """A run seed: a non-negative integer (numpy's SeedSequence needs one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer; allowed: an integer >= 0") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; allowed: an integer >= 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jcs-sim", description="Simulate a joint cognitive incident team resolving an incident.")
    parser.add_argument("--version", action="version", version=f"jcs-sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one incident (the built-in default scenario without CONFIG)")
    run.add_argument("config", nargs="?", help="TOML config file (see `jcs-sim config show`)")
    run.add_argument("--seed", type=_seed, default=0, help="run seed (default 0); same config and seed, same result")
    run.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override one config key (repeatable)")
    run.add_argument("--out", metavar="DIR", help="write summary, timeline, decision trace and messages to DIR")
    run.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    run.set_defaults(func=_cmd_run)

    ex = sub.add_parser("explain", help="why a responder did what they did, from a run written with --out")
    ex.add_argument("dir", help="a run directory written by `jcs-sim run --out DIR`")
    ex.add_argument("--responder", required=True, help="responder name (see the run summary)")
    ex.add_argument("--minute", type=int, help="minute of interest (the decision at or before it); omit to list all decisions")
    ex.set_defaults(func=_cmd_explain)

    cfg = sub.add_parser("config", help="show the fully resolved config with every key documented")
    cfg_sub = cfg.add_subparsers(dest="config_command", required=True)
    show = cfg_sub.add_parser("show", help="print the resolved config as TOML")
    show.add_argument("config", nargs="?", help="TOML config to resolve (default: the built-in scenario)")
    show.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    show.add_argument("--bare", action="store_true", help="omit the documentation comments")
    show.add_argument("--markdown", action="store_true", help="print the key reference as markdown (docs/config.md)")
    show.set_defaults(func=_cmd_config)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (name == exc.name or name.startswith(exc.name + ".")):
                # the module exists but something it imports is missing: a real error
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"jcs-sim: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
