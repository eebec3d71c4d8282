"""Re-paste the outputs that docs/cli.md, docs/organisation.md and the README show, after a model change.

    .venv/bin/python tests/update_pasted.py

Why: tests/test_docs.py and tests/test_organisation_doc.py fail when a pasted
output is no longer what the command prints; this writes what it prints now,
by the same rules those tests compare with (the same in-process runs, the
same `| head` and `| sed` filters, JSON cut to the responders shown, listings
cut at `...`). The prose around each block is not touched: re-read it (and
the numbers it quotes) after running this.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docs = _load("test_docs", ROOT / "tests" / "test_docs.py")
tutorial = _load("test_organisation_doc", ROOT / "tests" / "test_organisation_doc.py")
CONSOLE = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


def output_for(command: str, pasted: str, run=docs.jcs) -> str:
    """What the docs' test compares the pasted text with, formatted as it is pasted."""
    cmd, *stages = command.split(" | ")
    argv = shlex.split(cmd, comments=True)[1:]
    if run is docs.jcs:
        docs.ensure_calibration(argv)  # the whatif example's calibration, if the calibrate example above it has not run
    actual = run(argv)
    for stage in stages:
        actual = docs.pipe(actual, stage)
    if "--json" in argv:
        doc, now = json.loads(pasted), json.loads(actual)
        now["responders"] = now["responders"][: len(doc["responders"])]
        return json.dumps(now, indent=2)
    if docs.norm(pasted).endswith("\n..."):
        head = docs.norm(pasted).splitlines()[:-1]
        return "\n".join(docs.norm(actual).splitlines()[: len(head)] + ["..."])
    return docs.norm(actual)


def repaste_console_blocks(path: Path, run=docs.jcs) -> int:
    """Replace the output under each `$ jcs-sim ...` line of the file's console blocks; returns how many changed."""
    text = path.read_text(encoding="utf-8")
    changed = 0

    def block(m: re.Match) -> str:
        nonlocal changed
        out, command, lines = [], None, []
        for line in m[1].splitlines() + ["$ "]:
            if line.startswith("$ "):
                if command is not None:
                    pasted = "\n".join(lines)
                    new = output_for(command, pasted, run) if command.startswith("jcs-sim") else pasted
                    changed += docs.norm(new) != docs.norm(pasted)
                    out.extend(["$ " + command, *([new] if new else [])])
                command, lines = line[2:].strip(), []
            else:
                lines.append(line)
        return "```console\n" + "\n".join(out) + "\n```"

    path.write_text(CONSOLE.sub(block, text), encoding="utf-8")
    return changed


def repaste_readme() -> None:
    """The README's quick-start output and its `explain` example."""
    text = README.read_text(encoding="utf-8")
    found = docs.blocks(README)
    start = next(i for i, (_, body) in enumerate(found) if body.rstrip().endswith("jcs-sim run"))
    pasted = next(body for _, body in found[start + 1 :] if body.startswith("jcs-sim "))
    text = text.replace(pasted, docs.norm(docs.jcs(["run"])) + "\n", 1)
    i = next(i for i, (_, body) in enumerate(found) if "jcs-sim explain results/demo" in body)
    command = [line for line in found[i][1].splitlines() if "jcs-sim explain" in line][-1]
    text = text.replace(found[i + 1][1], docs.norm(docs.jcs(shlex.split(command.split("jcs-sim", 1)[1]))) + "\n", 1)
    README.write_text(text, encoding="utf-8")


README = ROOT / "README.md"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        # The scratch directory docs/cli.md assumes (as tests/test_docs.py's demo_dir fixture lays it out).
        shutil.copytree(ROOT / "configs", d / "configs")
        shutil.copytree(ROOT / "examples", d / "examples")
        (d / "bad.toml").write_text('[comunication]\nmode = "direct"\n')
        (d / "README.md").write_text("not a directory\n")
        cwd = Path.cwd()
        os.chdir(d)
        try:
            with contextlib.redirect_stdout(open(os.devnull, "w")):  # noqa: SIM115
                docs.jcs(["run", "--out", "results/demo"])
            print(f"docs/cli.md: {repaste_console_blocks(ROOT / 'docs' / 'cli.md')} outputs changed")
            repaste_readme()
            print("README.md: quick start and explain example re-pasted")
        finally:
            os.chdir(cwd)
    os.chdir(ROOT)  # the tutorial's commands run from the repository root
    print(f"docs/organisation.md: {repaste_console_blocks(ROOT / 'docs' / 'organisation.md', tutorial.terminal)} outputs changed")


if __name__ == "__main__":
    main()
