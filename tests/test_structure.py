"""The decision core's structure: no import circle, no stray numbers, one registry, every parameter live.

Why these are tests: the restructure (issue "The decision core, made of
parts") is only worth something if it stays true. A new numeric literal in a
mechanism module is a number a calibration cannot reach; an import circle is
the model leaking into its mechanisms; a parameter that no run responds to
is a constant in disguise.
"""

from __future__ import annotations

import ast
import hashlib
import json
import math
import sys
from pathlib import Path

import pytest

from jcs_sim import IncidentModel
from jcs_sim.actions import ACTION_INDEX, ACTIONS, COMPONENTS, PERSON_TARGETS, REGISTRY, VERBS, build_actions
from jcs_sim.config import SCHEMA, apply_overrides, config_to_toml, default_config
from jcs_sim.modes import MODES
from jcs_sim.parameters import BEHAVIOUR, EARLIER_SOURCES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "jcs_sim"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from update_docs import ODD, odd_with_table  # noqa: E402

# ----- imports -----------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path, modules: set[str]) -> set[str]:
    """Package modules imported by ``path`` at run time (imports under ``if TYPE_CHECKING:`` left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {
        id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)
    }
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if node.level else []
            target = ".".join(base + ([node.module] if node.module else [])) if node.level else (node.module or "")
            for alias in node.names:
                full = f"{target}.{alias.name}"
                out.add(full if full in modules else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return (out & modules) - {name}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_circles_are_found():
    assert _circles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_circle_in_the_package():
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {m: _runtime_imports(p, set(paths)) for m, p in paths.items()}
    assert graph["jcs_sim.model"], "the import reader found nothing; it is broken"
    assert _circles(graph) == []


def test_mechanisms_do_not_import_the_model():
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    mechanisms = [m for m in paths if m.startswith("jcs_sim.actions") or m.split(".")[-1] in MECHANISM_MODULES]
    for m in mechanisms:
        assert "jcs_sim.model" not in _runtime_imports(paths[m], set(paths)), m


# ----- numbers -----------------------------------------------------------------------------

MECHANISM_MODULES = ("goodness", "model", "connective", "communication", "responders", "modes")
# Numbers that are structure, not behaviour: identities, the severity scale's top (3), the
# clock (60 min, 24 h), half of a cosine's range, and what each named file allows besides.
STRUCTURAL = {0, 1, -1, 2, 0.5, 100, 60, 24, 3}
ALLOWED = {
    "jcs_sim/model.py": {4: "rounding digits of the trace's context columns"},
    "jcs_sim/connective.py": {6: "rounding digits of the tie-change outputs"},
    "jcs_sim/responders.py": {256: "block size of pre-drawn decision noise (speed; the sequence is the same)"},
}


def _numeric_literals(path: Path) -> list[tuple[int, float]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool)
    ]


def test_no_behavioural_number_is_a_literal_in_a_mechanism_module():
    files = [PACKAGE / f"{m}.py" for m in MECHANISM_MODULES] + sorted((PACKAGE / "actions").glob("*.py"))
    stray = []
    for path in files:
        rel = str(path.relative_to(ROOT))
        allowed = STRUCTURAL | set(ALLOWED.get(rel, {}))
        stray += [f"{rel}:{line} {value!r}" for line, value in _numeric_literals(path) if value not in allowed]
    assert not stray, "numbers in mechanism modules that are not config keys (add a key to jcs_sim/parameters.py): " + ", ".join(stray)


def test_the_literal_check_catches_a_new_number(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("x = 0.35 * y + 1\n")
    assert [v for _, v in _numeric_literals(probe) if v not in STRUCTURAL] == [0.35]


# ----- the registries ----------------------------------------------------------------------


def test_the_action_registry_gives_names_codes_targets_and_verbs():
    assert ACTIONS == tuple(cls.name for cls in REGISTRY)
    assert len(set(ACTIONS)) == len(ACTIONS)
    assert all(ACTION_INDEX[cls.name] == i == cls.index for i, cls in enumerate(REGISTRY))
    assert PERSON_TARGETS == {"page", "acknowledge", "clarify"}
    assert set(VERBS) == set(ACTIONS) and all(VERBS.values())
    assert ACTIONS[-2:] == ("other_duty", "wait")  # waiting is always the last resort offered


def test_every_action_class_overrides_candidates_and_start():
    for cls in REGISTRY:
        assert "candidates" in {k for c in cls.__mro__[:-2] for k in vars(c)}, cls
        assert "start" in {k for c in cls.__mro__[:-2] for k in vars(c)}, cls
        if cls.has_result:
            assert "finish" in vars(cls), cls


def test_the_mode_registry_is_the_configs_choices():
    assert SCHEMA["communication"]["mode"].choices == tuple(MODES)
    assert set(MODES) == {"channel", "commander", "direct"}


def test_components_are_named_and_weighted_in_order():
    from jcs_sim.goodness import WEIGHT_KEYS, weights

    assert len(COMPONENTS) == len(WEIGHT_KEYS) == 9
    cfg = default_config()
    for i, (sec, key) in enumerate(WEIGHT_KEYS):
        changed = apply_overrides(cfg, [f"{sec}.{key}=2.5"])
        assert weights(changed)[i] == 2.5 and sum(weights(changed)) == sum(weights(cfg)) + 1.5


# ----- parameters --------------------------------------------------------------------------


def _behaviour_keys() -> list[str]:
    return [f"{sec}.{key}" for sec, keys in BEHAVIOUR.items() for key in keys]


def test_every_behavioural_parameter_is_documented_and_bounded():
    for dotted in _behaviour_keys():
        sec, key = dotted.split(".")
        p = SCHEMA[sec][key]
        assert p.doc and p.source, dotted
        assert p.low is not None and p.high is not None and p.low <= p.default <= p.high, dotted
    for dotted in EARLIER_SOURCES:
        sec, key = dotted.split(".")
        assert SCHEMA[sec][key].source == EARLIER_SOURCES[dotted]


def test_config_show_lists_every_behavioural_parameter():
    shown = config_to_toml(default_config())
    sections = shown.split("\n[")
    for dotted in _behaviour_keys():
        sec, key = dotted.split(".")
        body = next(b for b in sections if b.startswith(f"{sec}]") or b.startswith(f"[{sec}]"))
        assert f"\n{key} = " in body, dotted


def test_the_odd_parameter_table_is_generated():
    text = ODD.read_text(encoding="utf-8")
    assert text == odd_with_table(text), "docs/ODD.md's parameter table is stale; run `python tests/update_docs.py`"


def _records(cfg: dict, seed: int) -> str:
    m = IncidentModel(cfg, seed=seed, record_trace=True).run()
    rows = [(r[1], r[2], r[3], r[4], r[5], round(r[6], 9)) for r in m.trace]
    return hashlib.sha256(json.dumps([rows, m.events, m.summary()["time_to_resolve"]], default=str).encode()).hexdigest()


# Scenarios that between them reach every branch the parameters shape.
PROBES = (
    ("default", (), (0, 1, 2)),
    ("commander", ("communication.mode='commander'",), (0,)),
    ("direct", ("communication.mode='direct'",), (0,)),
    ("night", ("run.start_hour=3.0",), (0,)),
    ("severe", ("fault.initial_severity=3",), (0,)),
    ("speedup", ("connective.speedup=0.5",), (0,)),
)
# Where a quarter of the range is not enough to reach a branch at the default scenario, a value that does
# (each still within bounds): the night window around the runs' clock, thresholds past the levels that occur.
PROBE_VALUES = {
    "run.night_start": 14.0,
    "run.night_end": 3.5,
    "investigation.min_suspicion": 0.55,
    "remediation.slow_fix_max_discount": 0.2,
    "beliefs.symptom_suspicion": 0.6,
    "communication.topicless_knowledge": 0.0,
    "fatigue.awake_threshold": 4.0,
    "fatigue.cap": 0.2,
    "detection.alert_minutes": 0.0,
    "detection.miss_prob": 1.0,
    "detection.report_minutes": 1.0,
    "incident.novel_share": 1.0,
    "incident.second_cause_share": 1.0,
    "communication.catch_up_commander": 0,
    "fixation.endorsements": 1,  # full anchoring from the first claim read (one more than the default rarely matters)
    "investigation.type_per_knowledge": 0.25,  # lower: above the default the chance is already 1 where the probes draw it
}
# Keys whose branch is rare at the defaults, with the setting that makes it common: messages about no
# particular service are status updates naming no suspect.
PROBE_CONTEXT = {
    "communication.topicless_knowledge": ("status_update.suspect_threshold=0.99",),
    "detection.report_minutes": ("detection.miss_prob=1.0",),
    "detection.unrelated_alert_minutes": ("detection.unrelated_alert_prob=1.0",),
    "remediation.undo_minutes": ("remediation.wrong_harm_prob=1.0",),
    "remediation.harm_minutes": ("remediation.wrong_harm_prob=1.0",),  # a temporary harm: a wrong restart or scale
    "incident.novel_quick_fit": ("incident.novel_share=1.0",),
    "beliefs.reopened_suspicion": ("incident.flapping_share=1.0",),
}


def _perturbed(p, value):
    """A different value within bounds: up by a quarter of the range where it fits, else down."""
    if isinstance(value, int):
        return value + 1 if value + 1 <= p.high else value - 1
    step = 0.25 * (p.high - p.low) if math.isfinite(p.high - p.low) else 1.0
    step = min(step, max(abs(value), 0.1))
    return value + step if value + step <= p.high else value - step


def test_every_behavioural_parameter_changes_some_run():
    """No parameter is a constant in disguise: changing it changes the decisions of at least one probe run."""
    base = {name: [_records(apply_overrides(default_config(), list(sets)), s) for s in seeds] for name, sets, seeds in PROBES}
    dead = []
    for dotted in _behaviour_keys():
        sec, key = dotted.split(".")
        p = SCHEMA[sec][key]
        new = PROBE_VALUES.get(dotted, _perturbed(p, p.default))
        moved = False
        for name, sets, seeds in PROBES:
            context = list(PROBE_CONTEXT.get(dotted, ()))
            before = base[name] if not context else [_records(apply_overrides(default_config(), [*sets, *context]), s) for s in seeds]
            cfg = apply_overrides(default_config(), [*sets, *context, f"{dotted}={new!r}"])
            if any(_records(cfg, s) != h for s, h in zip(seeds, before, strict=True)):
                moved = True
                break
        if not moved:
            dead.append(f"{dotted}={new!r}")
    assert not dead, f"parameters that change no probe run: {dead}"


@pytest.mark.parametrize("cls", REGISTRY, ids=ACTIONS)
def test_each_action_reads_its_numbers_from_the_config(cls):
    actions = {a.name: a for a in build_actions(default_config())}
    assert type(actions[cls.name]) is cls and actions[cls.name].index == cls.index
