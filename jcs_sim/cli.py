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

from ._version import __version__
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
    "jcs_sim.compare_cli",
    "jcs_sim.calibrate_cli",
    "jcs_sim.whatif_cli",
    "jcs_sim.replay_cli",
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
        f"  kind: {'novel' if s['novel'] else 'known'} failure mode{', flapping symptoms' if s['flapping'] else ''}; "
        f"detected by {s['detected_by'] or 'nobody yet'}; fixed by: {s['fixed_by'] or 'nothing yet'}",
        f"  time to detect       {_fmt(s['time_to_detect'])}",
        f"  time to acknowledge  {_fmt(s['time_to_acknowledge'])}",
        f"  time to diagnose     {_fmt(s['time_to_diagnose'])}",
        f"  time to mitigate     {_fmt(s['time_to_mitigate'])}",
        f"  time to resolve      {_fmt(s['time_to_resolve'])}",
        f"  messages: {s['messages_sent']} sent, {s['messages_read']} reads, {s['messages_misread']} misread",
        f"  pages: {s['pages']} ({s['escalations']} escalations); remediations: {s['remediations']} "
        f"({s['remediations_failed']} failed, {s['remediations_wrong']} on the wrong service, {s['harms']} of them harmful, "
        f"{s['undos']} undone)",
        f"  stakeholder updates: {s['stakeholder_updates']} ({s['stakeholder_updates_wrong']} wrong); "
        f"escalations over the team's head: {s['bystander_escalations']}; reports dismissed by fixation: {s['dismissed_reports']}; "
        f"regroups: {s['regroups']}",
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
    from .config import load_for_mode
    from .organisation import incident_model
    from .results import summarize, write_run

    cfg = load_for_mode(args.config, args.set, "run")
    model = incident_model(cfg, seed=args.seed, record_trace=args.out is not None).run()
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


def ascii_int(text: str, allowed: str) -> int:
    """An integer written with ASCII digits only.

    Why not plain ``int``: it reads other scripts' digits (``int("٣") == 3``), so a
    mistyped or pasted value would run silently as something the user never wrote.
    """
    body = text.strip()
    digits = body[1:] if body[:1] in "+-" else body
    if not (digits.isascii() and digits.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer; allowed: {allowed}")
    if len(digits) > 30:  # no option here takes a number that long; keep the message one short line
        raise argparse.ArgumentTypeError(f"{body[:12]}... ({len(digits)} digits) is too large; allowed: {allowed}")
    return int(body)


def bounded_int(low: int, high: int | None = None) -> Any:
    """An argparse type: an ASCII integer from ``low`` to ``high`` (inclusive)."""
    allowed = f"an integer >= {low} and <= {high}" if high is not None else f"an integer >= {low}"

    def parse(text: str) -> int:
        value = ascii_int(text, allowed)
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{value} is out of range; allowed: {allowed}")
        return value

    return parse


MAX_SEED = 2**63 - 1  # seeds are stored in int64 columns (the sweep store, Parquet)


def _seed(text: str) -> int:
    """A run seed: a non-negative integer (numpy's SeedSequence needs one) that fits the int64 seed columns."""
    value = ascii_int(text, "an integer >= 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative; allowed: an integer >= 0")
    if value > MAX_SEED:
        raise argparse.ArgumentTypeError(f"{value} is too large; allowed: an integer from 0 to {MAX_SEED} (2^63 - 1)")
    return value


def out_dir(text: str) -> str:
    """An output directory path: not empty (``--out ""`` would otherwise run and write nothing)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is an empty path; allowed: a directory path")
    if "\x00" in text:
        raise argparse.ArgumentTypeError(f"{text!r} holds a NUL character; allowed: a directory path")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jcs-sim", description="Simulate a joint cognitive incident team resolving an incident.")
    parser.add_argument("--version", action="version", version=f"jcs-sim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one incident (the built-in default scenario without CONFIG)")
    run.add_argument("config", nargs="?", help="TOML config file (see `jcs-sim config show`)")
    run.add_argument("--seed", type=_seed, default=0, help="run seed (default 0); same config and seed, same result")
    run.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="override one config key (repeatable)")
    run.add_argument("--out", type=out_dir, metavar="DIR", help="write summary, timeline, decision trace and messages to DIR")
    run.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    run.set_defaults(func=_cmd_run)

    ex = sub.add_parser("explain", help="why a responder did what they did, from a run written with --out")
    ex.add_argument("dir", help="a run directory written by `jcs-sim run --out DIR`")
    ex.add_argument("--responder", required=True, help="responder name (see the run summary)")
    ex.add_argument("--minute", type=bounded_int(0), help="minute of interest (the decision at or before it); omit to list all decisions")
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


# Top-level modules of each extra (pyproject.toml), for the message when a command needs one that is not installed.
EXTRA_OF_MODULE = {
    "solara": "app", "ipyvue": "app", "ipyvuetify": "app", "uvicorn": "app", "starlette": "app", "traitlets": "app",
    "matplotlib": "app", "plotly": "sweep", "dask": "sweep", "distributed": "sweep", "SALib": "sweep",
    "lifelines": "sweep", "kaleido": "sweep", "ema_workbench": "calibration", "pyabc": "calibration",
}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"jcs-sim: error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        top = (exc.name or "").split(".")[0]
        extra = EXTRA_OF_MODULE.get(top)
        if extra is None:
            raise
        print(
            f"jcs-sim: error: `jcs-sim {args.command}` needs the '{extra}' extra ({top} is not installed); "
            f"install it with: pip install 'jcs-sim[{extra}]' (from a checkout: pip install -e '.[{extra}]').",
            file=sys.stderr,
        )
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
