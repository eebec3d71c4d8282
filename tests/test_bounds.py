"""Bad input ends in one clear line and exit status 2, never a traceback, a silent guess or a damaged directory.

One test per case found by trying 186 kinds of bad input (issue 14). The CLI is called in-process
(``jcs_sim.cli.main``) so that each case costs milliseconds; ``user_error`` checks the contract: status 2,
one line on stderr, starting ``jcs-sim: error:``, naming what was wrong.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jcs_sim.cli import main
from jcs_sim.config import ConfigError, apply_overrides, default_config, validate

ROOT = Path(__file__).resolve().parents[1]
SWEEPS = ROOT / "tests" / "data" / "sweeps"


def call(capsys, *argv: str) -> tuple[int, str, str]:
    """Run ``jcs-sim ARGV`` in this process; argparse's exits become return codes."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def user_error(capsys, *argv: str, want: tuple[str, ...] = ()) -> str:
    code, _, err = call(capsys, *argv)
    lines = err.strip().splitlines()
    assert code == 2, (code, err)
    assert len(lines) == 1 and lines[0].startswith("jcs-sim: error: "), err
    for w in want:
        assert w in lines[0], f"{w!r} not in {lines[0]!r}"
    return lines[0]


def listing(folder: Path) -> dict[str, bytes | str]:
    """Everything in a folder, hidden files included, with contents (links as their targets)."""
    out: dict[str, bytes | str] = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = f"-> {os.readlink(p)}" if p.is_symlink() else (p.read_bytes() if p.is_file() else "dir")
    return out


# ----- config values ---------------------------------------------------------------------
def test_huge_integer_for_a_float_key_through_set(capsys):
    msg = user_error(capsys, "run", "--set", "fault.self_heal_rate=" + "9" * 400, want=("fault.self_heal_rate", "too large", "0 to 1"))
    assert len(msg) < 300  # the 400 digits are shortened, not printed whole


def test_huge_integer_for_a_float_key_in_a_file(capsys, tmp_path):
    cfg = tmp_path / "big.toml"
    cfg.write_text("[fault]\nself_heal_rate = " + "9" * 400 + "\n")
    user_error(capsys, "run", cfg, want=(str(cfg), "fault.self_heal_rate", "too large"))


def test_set_value_with_a_newline_is_refused(capsys):
    user_error(capsys, "run", "--set", "run.max_minutes=30\nfault.type='data'", want=("run.max_minutes", "one-line"))


def test_set_value_that_is_two_toml_keys_is_refused():
    with pytest.raises(ConfigError, match="one-line"):
        apply_overrides(default_config(), ["run.max_minutes=30\r\nx = 1"])


def test_set_single_values_still_parse():
    cfg = apply_overrides(default_config(), ["run.max_minutes=30", "communication.mode=direct", 'fault.root_cause="a b"'])
    assert cfg["run"]["max_minutes"] == 30 and cfg["communication"]["mode"] == "direct" and cfg["fault"]["root_cause"] == "a b"


def test_non_ascii_digits_are_not_a_seed(capsys):
    user_error(capsys, "run", "--seed=\u0663", want=("--seed", "not an integer"))


def test_seed_too_large_for_the_seed_columns(capsys):
    user_error(capsys, "run", "--seed", str(2**63), want=("--seed", "too large", "2^63 - 1"))
    user_error(capsys, "run", "--seed", "9" * 400, want=("--seed", "400 digits", "too large"))


def test_non_ascii_digits_elsewhere(capsys, tmp_path):
    user_error(capsys, "campaign", "--days", "\u0663", want=("--days", "not an integer"))
    user_error(capsys, "explain", tmp_path, "--responder", "Ana", "--minute", "\u0661\u0662", want=("--minute",))


def test_campaign_days_beyond_the_schema(capsys):
    user_error(capsys, "campaign", "--days", "100000", want=("--days", ">= 1 and <= 3650"))
    user_error(capsys, "campaign", "--days", "0", want=("--days", ">= 1 and <= 3650"))


@pytest.mark.parametrize("command", [("run",), ("campaign", "--days", "1"), ("sweep", str(SWEEPS / "small.toml"))])
def test_empty_out_is_refused(capsys, command):
    user_error(capsys, *command, "--out", "", want=("--out", "empty path"))


def test_alerting_layers_beyond_n_layers(capsys):
    user_error(
        capsys, "run", "--set", "system.alerting_layers=5", "--set", "system.n_layers=2", want=("system.alerting_layers", "n_layers")
    )


def test_alerting_layers_beyond_n_layers_is_refused_by_validate_too():
    """Not only on the command line: sweeps, the app and the Python API go through config.validate (issue 14)."""
    from jcs_sim.config import ConfigError, validate

    with pytest.raises(ConfigError, match=r"system.alerting_layers' = 5 is more than system.n_layers = 2"):
        validate({"system": {"alerting_layers": 5, "n_layers": 2}}, where="sweep point 3")
    assert validate({"system": {"alerting_layers": 2, "n_layers": 2}})["system"]["alerting_layers"] == 2  # equal is fine


def test_too_big_for_memory_is_refused_up_front(capsys):
    # both keys within their bounds; together 1,984 responders' beliefs about 100 teams need ~15 GiB
    user_error(
        capsys,
        "run",
        "--set",
        "system.n_teams=100",
        "--set",
        "responders.sme_per_team=20",
        want=("1,984 responders", "GiB", "transactive memory", "JCS_SIM_MEMORY_LIMIT_GIB"),
    )


def test_campaign_organisation_too_big_is_refused_up_front(capsys):
    # within every key's bounds: 10,007 people x 50,000 services of knowledge
    argv = [
        "campaign",
        "--days",
        "1",
        "--set",
        "system.n_teams=100",
        "--set",
        "system.services_per_team=500",
        "--set",
        "campaign.team_size=100",
    ]
    user_error(capsys, *argv, want=("10,007 people", "50,000 services", "GiB", "campaign.team_size"))


def test_memory_limit_can_be_raised_and_must_be_a_number(capsys, monkeypatch):
    monkeypatch.setenv("JCS_SIM_MEMORY_LIMIT_GIB", "lots")
    user_error(capsys, "run", want=("JCS_SIM_MEMORY_LIMIT_GIB", "not a number"))
    monkeypatch.setenv("JCS_SIM_MEMORY_LIMIT_GIB", "0.0001")  # 100 KiB: the default scenario no longer fits
    user_error(capsys, "run", want=("allowed: at most",))


# ----- user files ------------------------------------------------------------------------
def test_graph_file_that_is_a_device(capsys):
    user_error(capsys, "run", "--set", "system.graph_file='/dev/zero'", want=("/dev/zero", "not a regular file", "system.graph_file"))


def test_graph_file_that_is_a_directory(capsys, tmp_path):
    user_error(capsys, "run", "--set", f"system.graph_file={json.dumps(str(tmp_path))}", want=("a directory",))


def test_graph_file_too_large(capsys, tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(300 * 2**20)
    user_error(capsys, "run", "--set", f"system.graph_file={json.dumps(str(big))}", want=("300 MiB", "at most 256 MiB"))


def test_config_file_that_is_a_device(capsys):
    user_error(capsys, "run", "/dev/zero", want=("/dev/zero", "not a regular file"))


def _graph(tmp_path: Path, nodes: list[dict], links: list[dict]) -> Path:
    path = tmp_path / "services.json"
    path.write_text(json.dumps({"nodes": nodes, "links": links}))
    return path


def test_graph_with_a_duplicate_node_id(capsys, tmp_path):
    path = _graph(
        tmp_path,
        [{"id": "a", "team": "t1"}, {"id": "b", "team": "t2"}, {"id": "a", "team": "t2"}],
        [{"source": "a", "target": "b"}],
    )
    user_error(capsys, "run", "--set", f"system.graph_file={json.dumps(str(path))}", want=("nodes[2]", "'a'", "nodes[0]"))


ROSTER = [
    {"name": "Ana", "role": "ops", "team": "front", "paged_at_start": True},
    {"name": "Ben", "role": "sme", "team": "back"},
]


def _rel_cfg(tmp_path: Path, rel: dict) -> dict:
    graph = _graph(tmp_path, [{"id": "web", "team": "front"}, {"id": "db", "team": "back"}], [{"source": "web", "target": "db"}])
    people = tmp_path / "people.json"
    people.write_text(json.dumps(rel))
    return validate(
        {"system": {"graph_file": str(graph)}, "relationships": {"file": str(people)}, "responders": {"roster": ROSTER}}, where="test"
    )


def _model_error(cfg: dict) -> str:
    from jcs_sim.model import IncidentModel

    with pytest.raises(ConfigError) as info:
        IncidentModel(cfg, seed=0)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


@pytest.mark.parametrize(
    ("rel", "want"),
    [
        ({"nodes": 5, "links": []}, ("'nodes' is int",)),
        (
            {"links": [{"source": "Ana", "target": "Ben", "weight": 0.9}, {"source": "Ben", "target": "Ana", "weight": 0.1}]},
            ("listed twice",),
        ),
        ({"links": [{"source": "Ana", "target": "Ben", "weight": True}]}, ("weight True", "a number from 0 to 1")),
        ({"links": [{"source": "Ana", "target": "Ana", "weight": 0}]}, ("Ana-Ana", "themselves")),
        ({"links": [{"source": "Ana", "target": "Ben", "weight": 10**400}]}, ("a number from 0 to 1",)),
    ],
    ids=["nodes-not-a-list", "duplicate-edge", "boolean-weight", "self-loop", "huge-weight"],
)
def test_bad_relationship_files(tmp_path, rel, want):
    msg = _model_error(_rel_cfg(tmp_path, rel))
    for w in want:
        assert w in msg, msg


def test_good_relationship_file_still_loads(tmp_path):
    from jcs_sim.model import IncidentModel

    cfg = _rel_cfg(tmp_path, {"nodes": [{"id": "Ana"}], "links": [{"source": "Ana", "target": "Ben", "weight": 0.9}]})
    assert IncidentModel(cfg, seed=0).familiarity.tolist() == [[1.0, 0.9], [0.9, 1.0]]


# ----- explain ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    assert main(["run", "--set", "run.max_minutes=120", "--out", str(out), "--json"]) == 0
    return out


def test_explain_minute_after_the_run(capsys, run_dir):
    minutes = json.loads((run_dir / "summary.json").read_text())["minutes_simulated"]
    user_error(capsys, "explain", run_dir, "--responder", "Ana", "--minute", "99999", want=("--minute 99999", f"0 to {minutes}"))


def test_explain_negative_minute(capsys, run_dir):
    user_error(capsys, "explain", run_dir, "--responder", "Ana", "--minute", "-1", want=("--minute",))


def test_explain_trace_with_other_columns(capsys, tmp_path):
    pq.write_table(pa.table({"x": [1, 2]}), tmp_path / "trace.parquet")
    user_error(capsys, "explain", tmp_path, "--responder", "Ana", want=("trace.parquet", "missing columns", "jcs-sim run --out"))


# ----- output directories ----------------------------------------------------------------
def test_run_out_does_not_follow_planted_links(capsys, tmp_path):
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("precious")
    for name in ("summary.json", "trace.parquet", "events.jsonl"):
        (out / name).symlink_to(victim if name != "trace.parquet" else Path("..") / "victim.txt")
    code, _, err = call(capsys, "run", "--set", "run.max_minutes=30", "--out", out)
    assert code == 0, err
    assert victim.read_text() == "precious"
    assert not (out / "summary.json").is_symlink() and json.loads((out / "summary.json").read_text())["seed"] == 0
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp-")]


def test_campaign_out_does_not_follow_planted_links(capsys, tmp_path):
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("precious")
    (out / "summary.json").symlink_to(victim)
    code, _, err = call(capsys, "campaign", "--days", "2", "--json", "--out", out)
    assert code == 0, err
    assert victim.read_text() == "precious" and not (out / "summary.json").is_symlink()


def test_refused_sweep_directory_is_left_as_it_was(capsys, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    before = listing(out)
    user_error(capsys, "sweep", SWEEPS / "small.toml", "--out", out, "--no-progress", want=("holds no sweep",))
    assert listing(out) == before  # no .lock left behind


@pytest.mark.parametrize("name", [".lock", "summary"])
def test_sweep_directory_with_a_planted_link_is_refused(capsys, tmp_path, name):
    out, victim = tmp_path / "out", tmp_path / "victim"
    out.mkdir()
    victim.mkdir() if name == "summary" else victim.write_text("precious")
    (out / name).symlink_to(victim)
    before = listing(tmp_path)
    user_error(capsys, "sweep", SWEEPS / "small.toml", "--out", out, "--no-progress", want=(name, "symbolic link"))
    assert listing(tmp_path) == before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_fails_before_writing(capsys, tmp_path):
    out = tmp_path / "out"
    port = _free_port()  # nothing listens there (loopback only)
    user_error(
        capsys,
        "sweep",
        SWEEPS / "small.toml",
        "--out",
        out,
        "--address",
        f"tcp://127.0.0.1:{port}",
        "--no-progress",
        want=("--address", "cannot reach"),
    )
    assert not out.exists()


def test_malformed_scheduler_address(capsys, tmp_path):
    user_error(
        capsys,
        "sweep",
        SWEEPS / "small.toml",
        "--out",
        tmp_path / "o",
        "--address",
        "tcp://:x",
        "--no-progress",
        want=("not a scheduler address",),
    )
    assert not (tmp_path / "o").exists()


def test_local_cluster_that_fails_to_start_is_retried_then_one_line(monkeypatch):
    import dask.distributed

    from jcs_sim.sweep import execute

    calls = []

    class Flaky:
        def __init__(self, **kwargs):
            calls.append(kwargs)
            raise RuntimeError("Worker failed to start")

    monkeypatch.setattr(dask.distributed, "LocalCluster", Flaky)
    with pytest.raises(ConfigError, match=r"did not start .*RuntimeError.*run the same command again"):
        execute._dask_connect(1, None, True)
    assert len(calls) == 2
