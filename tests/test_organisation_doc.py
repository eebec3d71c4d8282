"""docs/organisation.md runs: every `$ jcs-sim ...` command in its console blocks prints what is pasted under it.

Run from the repository root, in-process. When this fails the code changed
and the tutorial did not: re-run the command named in the failure, paste
its output, and re-read the prose around it (the story may have changed).
The `compare --campaign 90 --runs 10` block takes about 30 s on 2 cores.
"""

from __future__ import annotations

import difflib
import re
import shlex
from pathlib import Path

import pytest
from cli_capture import norm, run_cli

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "organisation.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def sessions() -> list[tuple[str, str]]:
    out = []
    for info, body in FENCE.findall(DOC.read_text(encoding="utf-8")):
        if info.strip() != "console":
            continue
        command, lines = None, []
        for line in body.splitlines() + ["$ "]:
            if line.startswith("$ "):
                if command:
                    out.append((command, "\n".join(lines)))
                command, lines = line[2:].strip(), []
            else:
                lines.append(line)
    return out


def terminal(argv: list[str]) -> str:
    """stdout, and stderr when the command fails (a progress bar on stderr is not part of the output)."""
    rc, out, err = run_cli(argv)
    return out + (err if rc else "")


def test_the_tutorial_has_its_commands():
    commands = [c for c, _ in sessions()]
    assert len(commands) >= 5
    assert any("compare" in c and "--campaign" in c for c in commands)


@pytest.mark.parametrize(("command", "pasted"), sessions(), ids=[c for c, _ in sessions()])
def test_tutorial_output(command, pasted, monkeypatch):
    monkeypatch.chdir(ROOT)
    cmd, *stages = command.split(" | ")
    actual = terminal(shlex.split(cmd)[1:])
    for stage in stages:
        n = int(shlex.split(stage)[1].lstrip("-n"))
        assert stage.startswith("head"), stage
        actual = "\n".join(actual.splitlines()[:n])
    if norm(actual) != norm(pasted):
        diff = "\n".join(difflib.unified_diff(norm(pasted).splitlines(), norm(actual).splitlines(), "pasted", "now", lineterm=""))
        pytest.fail(f"docs/organisation.md is out of date for `{command}`: re-run `.venv/bin/{command}` and paste.\n{diff}", pytrace=False)
