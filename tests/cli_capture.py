"""Run ``jcs-sim`` in this process and capture what a terminal would show (shared by the doc and replay tests).

Why in-process: the tests and tests/update_pasted.py run dozens of commands, and a subprocess per
command would pay the start-up each time; a test that must check another process starts one itself.
"""

from __future__ import annotations

import contextlib
import io

from jcs_sim.cli import main

__all__ = ["run_cli", "norm"]


def run_cli(argv: list[str]) -> tuple[int | str | None, str, str]:
    """``jcs-sim ARGV``: its exit status (argparse's SystemExit code for --version, --help and usage errors), stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as exc:
            rc = exc.code
    return rc, out.getvalue(), err.getvalue()


def norm(text: str) -> str:
    """Compare outputs without trailing whitespace on lines or at the end."""
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())
