"""docs/actions.md works: following its three steps in a copy of the repository adds a working action.

Why: "a newcomer can add an action by following the doc" is only true while
the doc's code runs against today's package. This test takes the code blocks
of docs/actions.md by their tags, applies them to a copy (the working tree is
never touched), and checks that the new action is offered and chosen in runs,
that its keys are in ``jcs-sim config show``, and that the structure tests
still pass with it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "actions.md"
BLOCK = re.compile(r"```python (?P<tag>[a-z-]+)=(?P<arg>[^\n]*)\n(?P<code>.*?)```", re.S)


def blocks() -> list[tuple[str, str, str]]:
    return [(m["tag"], m["arg"], m["code"]) for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))]


def apply_doc(copy: Path) -> None:
    """Follow the doc: write the class, add its parameters, register it."""
    for tag, arg, code in blocks():
        if tag == "file":
            (copy / arg).write_text(code, encoding="utf-8")
        elif tag == "section":
            path = copy / arg
            text = path.read_text(encoding="utf-8")
            anchor = "BEHAVIOUR: dict[str, dict[str, Param]] = {\n"
            assert anchor in text
            path.write_text(text.replace(anchor, anchor + code), encoding="utf-8")
        elif tag == "registry":
            path = copy / arg
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("\nif TYPE_CHECKING:", code + "\nif TYPE_CHECKING:", 1), encoding="utf-8")
        elif tag == "insert-before":
            path = copy / "jcs_sim" / "actions" / "__init__.py"
            text = path.read_text(encoding="utf-8")
            assert text.count(arg) == 1, f"docs/actions.md inserts before {arg!r}, which is not in the registry once"
            path.write_text(text.replace(arg, code + arg), encoding="utf-8")
        else:
            raise AssertionError(f"docs/actions.md: unknown code block tag {tag!r}")


CHECK = """
from jcs_sim import IncidentModel
from jcs_sim.actions import ACTIONS, VERBS
from jcs_sim.config import apply_overrides, load_config
from jcs_sim.results import trace_table

assert "step_away" in ACTIONS and VERBS["step_away"] == "on a break"
tired = load_config("configs/three_am_page.toml")
offered = chosen = 0
for seed in range(3):
    for cfg in (tired, apply_overrides(tired, ["step_away.value=10.0"])):
        m = IncidentModel(cfg, seed=seed).run()
        table = trace_table(m).to_pydict()
        rows = [c for a, c in zip(table["action"], table["chosen"]) if a == "step_away"]
        offered += len(rows)
        chosen += sum(rows)
        assert sum(rows) == sum("stepped away" in what for _, _, what in m.events)
print(offered, chosen)
assert offered > 0 and chosen > 0
"""


def test_following_the_doc_adds_a_working_action(tmp_path):
    assert {tag for tag, _, _ in blocks()} == {"file", "section", "registry", "insert-before"}
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", "results"))
    apply_doc(copy)
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=600)

    shown = run("-m", "jcs_sim", "config", "show")
    assert shown.returncode == 0, shown.stderr
    assert "[step_away]" in shown.stdout and "\nminutes = 10\n" in shown.stdout
    checked = run("-c", CHECK)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    structure = run(
        "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_structure.py",
        "-k", "registry or literal or documented or config_show or each_action or circle",
    )  # fmt: skip
    assert structure.returncode == 0, structure.stdout[-3000:]
