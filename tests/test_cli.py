"""The command line, end to end: ``python -m jcs_sim ...`` in a subprocess, as a user runs it."""

from __future__ import annotations

import concurrent.futures
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from jcs_sim.config import SCHEMA
from jcs_sim.goodness import COMPONENTS

ROOT = Path(__file__).resolve().parents[1]

JSON_KEYS = (
    "resolved", "censored", "time_to_acknowledge", "time_to_diagnose", "time_to_mitigate", "time_to_resolve",
    "messages_sent", "messages_misread", "pages", "remediations_failed", "responders", "seed",
)  # fmt: skip


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jcs_sim", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)


def ok(*args: str, cwd: Path = ROOT) -> str:
    proc = cli(*args, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def run_json(*args: str) -> dict:
    out = ok("run", "--json", *args)
    lines = out.strip().splitlines()
    assert len(lines) == 1, "--json must print exactly one line"
    return json.loads(lines[0])


def assert_user_error(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one error line, got:\n{proc.stderr}"
    assert lines[0].startswith("jcs-sim: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert proc.stdout == ""
    return lines[0]


# ----- run -------------------------------------------------------------------------


def test_run_prints_a_summary():
    out = ok("run")
    assert out.startswith("jcs-sim ")
    assert "seed 0: incident" in out
    for label in (
        "fault:",
        "time to acknowledge",
        "time to diagnose",
        "time to mitigate",
        "time to resolve",
        "messages:",
        "pages:",
        "responders:",
    ):
        assert label in out, label
    assert "Ana" in out and "ops" in out


def test_run_json_has_the_documented_keys():
    s = run_json("--seed", "3")
    for key in JSON_KEYS:
        assert key in s, key
    assert s["seed"] == 3
    assert s["resolved"] is not s["censored"]
    assert isinstance(s["responders"], list) and s["responders"]
    for r in s["responders"]:
        assert isinstance(r["name"], str) and r["name"]
        assert r["role"] in ("commander", "ops", "sme", "support", "comms")
    for key in ("time_to_acknowledge", "time_to_resolve"):
        assert s[key] is None or isinstance(s[key], int)


def test_set_overrides_keys():
    s = run_json("--set", "communication.misreading=false", "--set", "run.max_minutes=120", "--set", "remediation.failure_prob=1")
    assert s["messages_misread"] == 0 and s["messages_read"] > 0
    assert s["minutes_simulated"] <= 120
    assert s["fixed_by"] in (None, "self_heal")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A default run of seed 5 written with --out (shared by the --out and explain tests)."""
    out = tmp_path_factory.mktemp("run") / "seed5"
    text = ok("run", "--seed", "5", "--out", out)
    assert f"to {out}" in text and "seed 5: incident" in text
    return out


def test_run_with_a_config_file(tmp_path, run_dir):
    toml = tmp_path / "night.toml"
    toml.write_text("[run]\nmax_minutes = 40\nstart_hour = 3.0\n\n[responders]\ninclude_comms = false\n", encoding="utf-8")
    # --set applies on top of the file.
    s = run_json(toml, "--seed", "5", "--set", "run.max_minutes=20")
    assert s["minutes_simulated"] <= 20
    assert "comms" not in {r["role"] for r in s["responders"]}
    day = json.loads((run_dir / "summary.json").read_text())  # the same seed at the default 14:00
    assert s["responders"][0]["fatigue_at_page"] > day["responders"][0]["fatigue_at_page"]


def test_seed_changes_results(run_dir):
    a = json.loads((run_dir / "summary.json").read_text())
    b = run_json("--seed", "6")
    assert a["seed"] == 5 and b["seed"] == 6
    assert {k: v for k, v in a.items() if k != "seed"} != {k: v for k, v in b.items() if k != "seed"}


def test_out_writes_every_file(run_dir):
    for name in ("summary.json", "config.json", "timeline.parquet", "trace.parquet", "messages.parquet", "events.jsonl"):
        assert (run_dir / name).is_file(), name
        assert (run_dir / name).stat().st_size > 0, name
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["seed"] == 5
    assert summary["time_to_acknowledge"] is not None
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    assert events and set(events[0]) == {"minute", "who", "what"}
    timeline = pq.read_table(run_dir / "timeline.parquet")
    assert timeline.num_rows == summary["minutes_simulated"]
    messages = pq.read_table(run_dir / "messages.parquet")
    assert sum(messages.column("misread").to_pylist()) == summary["messages_misread"]


def test_trace_has_per_candidate_components(run_dir):
    trace = pq.read_table(run_dir / "trace.parquet")
    for col in ("decision", "minute", "responder", "action", "target", "chosen", "g", "g_without_noise", *COMPONENTS):
        assert col in trace.column_names, col
    rows = trace.to_pylist()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert len({r["decision"] for r in rows}) == summary["decisions"]
    chosen = {}
    for r in rows:
        chosen[r["decision"]] = chosen.get(r["decision"], 0) + r["chosen"]
        # g without noise is the sum of the weighted components.
        assert r["g_without_noise"] == pytest.approx(sum(r[c] for c in COMPONENTS), abs=1e-9)
    assert set(chosen.values()) == {1}  # exactly one chosen candidate per decision


# ----- explain ------------------------------------------------------------------------


def test_explain_names_choice_runner_up_and_components(run_dir):
    rows = pq.read_table(run_dir / "trace.parquet").to_pylist()
    per_decision: dict[int, list[dict]] = {}
    for r in rows:
        per_decision.setdefault(r["decision"], []).append(r)
    decision = next(rs for rs in per_decision.values() if rs[0]["responder"] == "Ana" and len(rs) >= 2)
    minute = decision[0]["minute"]
    picked = next(r for r in decision if r["chosen"])
    out = ok("explain", run_dir, "--responder", "Ana", "--minute", minute)
    assert f"Minute {minute}: Ana (ops) chose to {picked['action']}" in out
    assert "  Over " in out
    assert "Components of the choice:" in out
    assert any(c in out for c in COMPONENTS)


def test_explain_lists_decisions_without_minute(run_dir):
    out = ok("explain", run_dir, "--responder", "Ana")
    assert out.startswith("Ana: ") and " decisions." in out
    assert "  minute " in out


def test_explain_unknown_responder(run_dir):
    line = assert_user_error(cli("explain", run_dir, "--responder", "Nobody", "--minute", "5"), "'Nobody'", "Ana")
    assert "responders who decided" in line


def test_explain_dir_without_trace(tmp_path):
    assert_user_error(cli("explain", tmp_path, "--responder", "Ana"), "no trace.parquet")


# ----- config show --------------------------------------------------------------------


@pytest.mark.parametrize("flag", [[], ["--bare"]], ids=["documented", "bare"])
def test_config_show_prints_every_key_as_toml(flag):
    text = ok("config", "show", *flag)
    parsed = tomllib.loads(text)
    assert set(parsed) == set(SCHEMA)
    for sec, keys in SCHEMA.items():
        assert set(parsed[sec]) == set(keys), sec
        for key, p in keys.items():
            assert parsed[sec][key] == p.default, f"{sec}.{key}"
    assert ("# " in text) is (not flag)


def test_config_show_resolves_file_and_set(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text('[communication]\nmode = "direct"\n')
    parsed = tomllib.loads(ok("config", "show", toml, "--set", "run.max_minutes=99"))
    assert parsed["communication"]["mode"] == "direct" and parsed["run"]["max_minutes"] == 99


def test_version():
    import jcs_sim

    assert ok("--version").strip() == f"jcs-sim {jcs_sim.__version__}"


# ----- bad inputs: one line on stderr, status 2, no traceback ---------------------------
# The command-line path of each error class (test_config and test_files check every message).
# Each case is its own subprocess; they are started together (each costs about a second of
# interpreter start-up and imports) and the parametrized tests below check one result each.

BAD_ARGS = {
    "unknown-key": (["run", "--set", "communication.mod=direct"], ["communication.mod", "Did you mean 'mode'?"]),
    "wrong-type": (["run", "--set", "run.max_minutes=lots"], ["run.max_minutes", "wrong type"]),
    "nan": (["run", "--set", "run.start_hour=nan"], ["run.start_hour", "not a finite number"]),
    "set-without-equals": (["run", "--set", "communication.mode"], ["expected section.key=value"]),
    "missing-config": (["run", "missing.toml"], ["missing.toml", "no such config file"]),
    "missing-graph": (["run", "--set", "system.graph_file=no/such/graph.json"], ["no/such/graph.json", "graph file not found"]),
    "config-show": (["config", "show", "--set", "fatigue.slowdown=-1"], ["fatigue.slowdown", "out of range"]),
}

BAD_FILES = {
    "syntax": ("[run]\nmax_minutes = 30\nstart_hour = = 3\n", ["bad.toml", "TOML syntax error", "line 3"]),
    "inf-in-file": ("[run]\nstart_hour = inf\n", ["bad.toml", "run.start_hour", "not a finite number"]),
    "graph-without-team": ('[system]\ngraph_file = "teamless.json"\n', ["teamless.json", "'web' has no 'team'"]),
}


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    jobs = {name: args for name, (args, _) in BAD_ARGS.items()}
    for name, (text, _) in BAD_FILES.items():
        folder = tmp_path_factory.mktemp(name)
        (folder / "bad.toml").write_text(text, encoding="utf-8")
        (folder / "teamless.json").write_text('{"nodes": [\n {"id": "web"}\n]}', encoding="utf-8")
        jobs[name] = ["run", folder / "bad.toml"]
    folder = tmp_path_factory.mktemp("bugs")
    (folder / "a-file").write_text("not a folder")
    (folder / "corrupt").mkdir()
    (folder / "corrupt" / "trace.parquet").write_bytes(b"junk")
    jobs["negative-seed"] = ["run", "--seed", "-1", "--set", "run.max_minutes=10"]
    jobs["out-is-a-file"] = ["run", "--set", "run.max_minutes=10", "--out", folder / "a-file"]
    jobs["corrupt-trace"] = ["explain", folder / "corrupt", "--responder", "Ana"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(cli, *args) for name, args in jobs.items()}
        return {name: f.result() for name, f in futures.items()}


@pytest.mark.parametrize("case", list(BAD_ARGS) + list(BAD_FILES))
def test_bad_input_is_one_error_line(bad_runs, case):
    fragments = BAD_ARGS[case][1] if case in BAD_ARGS else BAD_FILES[case][1]
    assert_user_error(bad_runs[case], *fragments)


def _no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr[-600:]
    assert proc.returncode in (0, 2), proc.returncode
    if proc.returncode == 2:
        assert_user_error(proc)


def test_negative_seed_is_handled(bad_runs):
    _no_traceback(bad_runs["negative-seed"])


def test_out_that_is_a_file_is_one_error_line(bad_runs):
    assert_user_error(bad_runs["out-is-a-file"])


def test_explain_corrupt_trace_is_one_error_line(bad_runs):
    assert_user_error(bad_runs["corrupt-trace"])
