"""``jcs-sim sweep`` and ``jcs-sim report``: argument declarations only; the work is imported in the handlers.

Why lazy: ``jcs-sim run`` builds the whole parser, so importing dask, SALib,
lifelines or plotly here would slow every command down.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["register"]


def _positive(text: str) -> int:
    from ..cli import ascii_int

    value = ascii_int(text, "an integer >= 1")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; allowed: an integer >= 1")
    return value


def _out_dir(text: str) -> str:
    from ..cli import out_dir

    return out_dir(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number; allowed: seconds > 0") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; allowed: seconds > 0")
    return value


def _cmd_sweep(args: argparse.Namespace) -> int:
    from .design import load_sweep
    from .execute import run_sweep

    sweep = load_sweep(args.sweep)
    if args.address and args.backend != "dask":
        args.backend = "dask"  # an address only makes sense for Dask

    def announce(before: int, workers: int) -> None:
        resuming = f"; resuming, {before} already done" if before else ""
        print(
            f"jcs-sim sweep {sweep.name}: {sweep.n_points} points x {sweep.replications} replications = {sweep.n_runs} runs"
            f" -> {args.out}{resuming}",
            file=sys.stderr,
        )

    try:
        res = run_sweep(
            sweep,
            args.out,
            workers=args.workers,
            backend=args.backend,
            address=args.address,
            chunk=args.chunk,
            part_runs=args.part_runs,
            flush_seconds=args.flush_seconds,
            progress=not args.no_progress,
            on_start=announce,
        )
    except KeyboardInterrupt:
        print(f"jcs-sim: interrupted; finished runs are saved in {args.out}. Run the same command again to resume.", file=sys.stderr)
        return 130
    resumed = f" ({res['done_before']} were already done)" if res["done_before"] else ""
    print(
        f"{res['ran']} runs in {res['seconds']:.1f} s with {res['workers']} {res['backend']} workers{resumed}; "
        f"{res['errors']} raised an error (recorded with their seeds). Next: jcs-sim report {args.out}",
        file=sys.stderr,
    )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    paths = write_report(
        args.dir, html=args.html, json_path=args.json, plotlyjs=args.plotlyjs, bootstrap=args.bootstrap, static=args.static
    )
    print(paths["text"].read_text(encoding="utf-8").rstrip())
    extra = f", {paths['tables']}/*.csv" + (f" and {paths['figures']}/*.png|svg" if "figures" in paths else "")
    print(f"wrote {paths['html']}, {paths['json']}{extra}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``sweep`` and ``report`` to the ``jcs-sim`` parser."""
    sw = subparsers.add_parser("sweep", help="run a parameter sweep (resumes when DIR holds the same sweep)")
    sw.add_argument("sweep", help="sweep TOML file (see docs/sweeps.md)")
    sw.add_argument(
        "--out", required=True, type=_out_dir, metavar="DIR", help="output directory: Parquet parts + manifest; rerun to resume"
    )
    sw.add_argument("--workers", type=_positive, metavar="N", help="worker processes (default: every core; Dask LocalCluster too)")
    sw.add_argument("--backend", choices=("local", "dask"), default="local", help="local process pool (default) or Dask distributed")
    sw.add_argument("--address", metavar="HOST:PORT", help="join this Dask scheduler (implies --backend dask)")
    sw.add_argument("--chunk", type=_positive, metavar="N", help="runs per task (default: automatic, at most 64)")
    sw.add_argument("--part-runs", type=_positive, default=10_000, metavar="N", help="runs per Parquet part at most (default 10000)")
    sw.add_argument("--flush-seconds", type=_seconds, default=10.0, metavar="S", help="write a part at least every S seconds (default 10)")
    sw.add_argument("--no-progress", action="store_true", help="no progress bar")
    sw.set_defaults(func=_cmd_sweep)

    rp = subparsers.add_parser("report", help="HTML report and summary JSON of a sweep directory")
    rp.add_argument("dir", help="a directory written by `jcs-sim sweep`")
    rp.add_argument("--html", metavar="PATH", help="report path (default DIR/report.html)")
    rp.add_argument("--json", metavar="PATH", help="summary JSON path (default DIR/summary.json)")
    rp.add_argument(
        "--plotlyjs",
        choices=("inline", "cdn"),
        default="inline",
        help="inline plotly.js (about 4.8 MB, opens offline; default) or load it from the CDN (small file, needs a network)",
    )
    rp.add_argument("--bootstrap", type=_positive, default=2000, metavar="B", help="bootstrap resamples for CIs (default 2000)")
    rp.add_argument("--static", action="store_true", help="also write every figure as PNG and SVG in figures/ (needs Chromium for kaleido)")
    rp.set_defaults(func=_cmd_report)
