"""Docs that run: the outputs pasted into README.md and docs/cli.md are what the code prints now.

Every command is run in-process through ``jcs_sim.cli.main``, so the whole
file takes a few seconds, plus about 20 s for docs/cli.md's tiny calibration
(the what-if example needs one; it is run once, by whichever of the two
examples comes first). When a test here fails, the code changed and the
docs did not: the failure names the command to re-run (from the repository
root) and shows a diff between the pasted and the real output. Paste the new
output, then re-read the prose around it (the story it tells may have
changed), and re-measure the numbers in docs/ODD.md ("Measured behaviour of
the default scenario") and docs/performance.md if the model changed.

The README's quantile table (300 runs, several seconds) is checked only with
``JCS_SLOW_DOC_TESTS=1``.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from cli_capture import norm, run_cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CLI_MD = ROOT / "docs" / "cli.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


# ----- helpers -------------------------------------------------------------------


def blocks(path: Path) -> list[tuple[str, str]]:
    """The fenced code blocks of a markdown file, as (info string, body)."""
    return FENCE.findall(path.read_text(encoding="utf-8"))


def jcs(argv: list[str]) -> str:
    """What a terminal shows for ``jcs-sim ARGV``: stdout then stderr, whatever the exit status."""
    _, out, err = run_cli(argv)
    return out + err


def assert_same(doc: Path, pasted: str, actual: str, command: str, fix: str = "") -> None:
    pasted, actual = norm(pasted), norm(actual)
    if pasted != actual:
        diff = "\n".join(difflib.unified_diff(pasted.splitlines(), actual.splitlines(), f"{doc.name} (pasted)", "now", lineterm=""))
        fix = fix or f"Re-run `{command}` from the repository root and paste its output."
        pytest.fail(f"{doc.relative_to(ROOT)} is out of date for `{command}`.\n{fix}\n{diff}", pytrace=False)


def pipe(text: str, stage: str) -> str:
    """The two filters the docs use after `|`: `head -N` and `sed -n '/A/,/B/p'`."""
    args = shlex.split(stage)
    if args[0] == "head":
        n = int(args[1].lstrip("-n").lstrip("-"))
        return "\n".join(text.splitlines()[:n])
    m = re.fullmatch(r"/(.*)/,/(.*)/p", args[2]) if args[:2] == ["sed", "-n"] else None
    assert m, f"test_docs.py cannot emulate `{stage}`; add it to pipe()"
    start, stop = re.compile(m[1]), re.compile(m[2])
    out, inside = [], False
    for line in text.splitlines():
        if not inside and start.search(line):
            inside = True
            out.append(line)
        elif inside:
            out.append(line)
            if stop.search(line):
                inside = False
    return "\n".join(out)


# ----- README ---------------------------------------------------------------------


def test_readme_quick_start_output_is_jcs_sim_run():
    """(a) The first output block after the quick-start command is exactly `jcs-sim run` (seed 0)."""
    found = blocks(README)
    start = next(i for i, (_, body) in enumerate(found) if body.rstrip().endswith("jcs-sim run"))
    pasted = next(body for _, body in found[start + 1 :] if body.startswith("jcs-sim "))
    assert_same(README, pasted, jcs(["run"]), ".venv/bin/jcs-sim run")


def test_readme_explain_example(demo_dir, monkeypatch):
    """The README's `explain` example is the output of the commands above it."""
    found = blocks(README)
    i = next(i for i, (_, body) in enumerate(found) if "jcs-sim explain results/demo" in body)
    command = [line for line in found[i][1].splitlines() if "jcs-sim explain" in line][-1]
    argv = shlex.split(command.split("jcs-sim", 1)[1])
    monkeypatch.chdir(demo_dir)
    assert_same(README, found[i + 1][1], jcs(argv), ".venv/bin/jcs-sim run --out results/demo && " + command)


def test_readme_python_example(monkeypatch):
    """The values in the README's Python example (`... # 75`) are what the calls return."""
    import jcs_sim

    body = next(body for info, body in blocks(README) if info.strip() == "python")
    monkeypatch.chdir(ROOT)
    namespace: dict = {"jcs_sim": jcs_sim}
    for line in body.splitlines():
        m = re.fullmatch(r"(.*?)\s+#\s*(-?\d+)\s*", line)
        if m:
            got = eval(m[1], namespace)  # noqa: S307 - our own README
            assert got == int(m[2]), (
                f"README.md Python example: `{m[1].strip()}` now gives {got}, the README says {m[2]}; "
                "update the comment (run the lines from the repository root)"
            )
        elif line.strip() and not line.startswith("import"):
            exec(line.split("  #")[0], namespace)  # noqa: S102


@pytest.mark.skipif(not os.environ.get("JCS_SLOW_DOC_TESTS"), reason="300 runs; set JCS_SLOW_DOC_TESTS=1")
def test_readme_quantile_table():
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_figure", ROOT / "experiments" / "readme_figure.py")
    fig = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fig)
    pasted = next(body for _, body in blocks(README) if body.startswith("time to resolve, default scenario"))
    assert_same(README, pasted, fig.quantile_table(fig.run_seeds(300)), ".venv/bin/python experiments/readme_figure.py")


# ----- docs/cli.md --------------------------------------------------------------------


def cli_sessions() -> list[tuple[str, str]]:
    """Every `$ jcs-sim ...` command in docs/cli.md's console blocks, with the output pasted under it."""
    out = []
    for info, body in blocks(CLI_MD):
        if info.strip() != "console":
            continue
        command, lines = None, []
        for line in body.splitlines() + ["$ "]:
            if line.startswith("$ "):
                if command is not None:
                    out.append((command, "\n".join(lines)))
                command, lines = line[2:].strip(), []
            else:
                lines.append(line)
    return [(c, o) for c, o in out if c.startswith("jcs-sim")]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """A scratch directory laid out as the docs assume: configs/, a bad config, a README.md file, a run in results/demo."""
    d = tmp_path_factory.mktemp("docs")
    shutil.copytree(ROOT / "configs", d / "configs")
    shutil.copytree(ROOT / "examples", d / "examples")  # the history and priors the calibrate example reads
    (d / "bad.toml").write_text('[comunication]\nmode = "direct"\n')  # the misspelt section cli.md shows
    (d / "README.md").write_text("not a directory\n")
    cwd = Path.cwd()
    os.chdir(d)
    try:
        jcs(["run", "--out", "results/demo"])
    finally:
        os.chdir(cwd)
    return d


def ensure_calibration(argv: list[str], run=jcs) -> None:
    """Before `jcs-sim whatif DIR`: run the `jcs-sim calibrate ... --out DIR` shown in docs/cli.md, unless DIR holds it.

    Why: the whatif example reads the calibration the example above it writes; run alone
    (`pytest -k whatif`) or first, it would otherwise find no calibration.
    """
    if argv[:1] != ["whatif"] or (Path(argv[1]) / "calibration.json").is_file():
        return
    pytest.importorskip("pyabc")
    for command, _ in cli_sessions():
        other = shlex.split(command.split(" | ")[0], comments=True)[1:]
        if other[:1] == ["calibrate"] and other[other.index("--out") + 1] == argv[1]:
            run(other)
            return
    raise AssertionError(f"docs/cli.md shows no `jcs-sim calibrate ... --out {argv[1]}` for `jcs-sim {' '.join(argv)}`")


@pytest.mark.parametrize("command, pasted", cli_sessions(), ids=[c for c, _ in cli_sessions()])
def test_cli_md_output(command, pasted, demo_dir, monkeypatch):
    """(b) Each output pasted in docs/cli.md is what the command prints now."""
    monkeypatch.chdir(demo_dir)
    cmd, *stages = command.split(" | ")
    argv = shlex.split(cmd, comments=True)[1:]
    if argv[:1] in (["calibrate"], ["whatif"]):
        pytest.importorskip("pyabc")  # the calibration extra (the test extra installs it)
    ensure_calibration(argv)
    actual = jcs(argv)
    for stage in stages:
        actual = pipe(actual, stage)
    rerun = ".venv/bin/" + re.sub(r"\s+#.*$", "", command)  # without the comment
    if "--json" in argv:
        # Pasted pretty-printed, with only the first responder(s) kept.
        doc, now = json.loads(pasted), json.loads(actual)
        now["responders"] = now["responders"][: len(doc["responders"])]
        assert_same(CLI_MD, json.dumps(doc, indent=2), json.dumps(now, indent=2), rerun)
    elif norm(pasted).endswith("\n..."):
        # A listing cut short: the pasted lines are the first lines of the output.
        head = norm(pasted).splitlines()[:-1]
        assert_same(CLI_MD, "\n".join(head), "\n".join(norm(actual).splitlines()[: len(head)]), rerun)
    else:
        assert_same(CLI_MD, pasted, actual, rerun)


def test_cli_md_has_sessions():
    """The parser above still finds the pasted commands (a guard against a silently empty parametrization)."""
    commands = [c for c, _ in cli_sessions()]
    assert "jcs-sim run --out results/demo" in commands
    assert any(c.startswith("jcs-sim run --seed") for c in commands)
    assert len(commands) >= 20


# ----- configs/default.toml -------------------------------------------------------------


def test_default_toml_is_config_show():
    """(c) configs/default.toml is exactly what `jcs-sim config show` prints."""
    shown = jcs(["config", "show"])
    on_disk = (ROOT / "configs" / "default.toml").read_text(encoding="utf-8")
    if shown != on_disk:
        regenerate = ".venv/bin/jcs-sim config show > configs/default.toml"
        assert_same(ROOT / "configs" / "default.toml", on_disk, shown, "jcs-sim config show", f"Regenerate it: `{regenerate}`.")
        pytest.fail(
            "configs/default.toml differs from `jcs-sim config show` only in whitespace; "
            "regenerate it with `.venv/bin/jcs-sim config show > configs/default.toml`.",
            pytrace=False,
        )
