"""Sweep files: expansion, seeds and hashes are deterministic; every bad input names the file, the key and what is allowed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from jcs_sim.config import SCHEMA, ConfigError, default_config
from jcs_sim.sweep.design import load_sweep, parse_sweep, run_seed

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "sweeps"


def test_grid_expands_in_declared_order_with_labels_and_configs():
    sw = load_sweep(DATA / "small.toml")
    assert (sw.n_points, sw.replications, sw.n_runs) == (4, 4, 16)
    assert [sw.condition(p) for p in range(4)] == [
        "familiarity=low, communication.mode=channel",
        "familiarity=low, communication.mode=direct",
        "familiarity=high, communication.mode=channel",
        "familiarity=high, communication.mode=direct",
    ]
    cfg = sw.config(3)
    assert cfg["communication"]["mode"] == "direct"
    assert cfg["relationships"]["across_team"] == 0.6 and cfg["relationships"]["across_density"] == 0.8
    assert cfg["run"]["max_minutes"] == 60
    # keys the sweep does not touch keep the schema's defaults
    assert cfg["fault"] == default_config()["fault"]
    assert sw.locate(13) == (3, 1)
    assert sw.outputs == ("summary", "timeline", "responders")


def test_seeds_are_deterministic_and_common_across_points():
    a, b = load_sweep(DATA / "small.toml"), load_sweep(DATA / "small.toml")
    assert a.digest() == b.digest()
    seeds = [[a.seed(p, r) for r in range(a.replications)] for p in range(a.n_points)]
    assert seeds == [[b.seed(p, r) for r in range(b.replications)] for p in range(b.n_points)]
    # common random numbers: replication r has one seed at every point, and replications differ
    assert all(row == seeds[0] for row in seeds) and len(set(seeds[0])) == a.replications
    # one exact answer: SeedSequence(11, spawn_key=(0,)), first 64-bit word, shifted to fit int64
    assert run_seed(11, 0, 0) == int(np.random.SeedSequence(11, spawn_key=(0,)).generate_state(1, np.uint64)[0]) >> 1
    assert 0 <= run_seed(11, 0, 0) < 2**63
    independent = {run_seed(11, p, r, common=False) for p in range(4) for r in range(4)}
    assert len(independent) == 16


def test_digest_ignores_formatting_and_sees_values(tmp_path):
    dotted = (DATA / "small.toml").read_text()
    quoted = """
[sweep]
outputs = ["responders", "timeline"]   # order and comments do not matter
master_seed = 11
replications = 4
name = "another name"
[base]
run = { max_minutes = 60 }
[grid.familiarity]
low = { "relationships.across_team" = 0.1, "relationships.across_density" = 0.1 }
high = { "relationships.across_team" = 0.6, "relationships.across_density" = 0.8 }
[grid]
"communication.mode" = ["channel", "direct"]
"""
    (tmp_path / "a.toml").write_text(dotted)
    (tmp_path / "b.toml").write_text(quoted)
    (tmp_path / "c.toml").write_text(dotted.replace("replications = 4", "replications = 5"))
    a, b, c = (load_sweep(tmp_path / f"{x}.toml") for x in "abc")
    assert a.digest() == b.digest()
    assert a.digest() != c.digest()


@pytest.mark.parametrize(
    "method, n, rows",
    [("latin", 8, 8), ("sobol", 4, 4 * (2 + 2)), ("morris", 3, 3 * (2 + 1))],
)
def test_sampled_designs_are_deterministic_and_bounded(method, n, rows):
    raw = {
        "sweep": {"replications": 2, "master_seed": 9},
        "sample": {
            "method": method,
            "n": n,
            "parameters": {"responders": {"sme_per_team": {"low": 0, "high": 3}}, "coordination.coordination_cost": {}},
        },
    }
    a, b = parse_sweep(raw), parse_sweep(raw)
    assert a.n_points == rows and a.n_runs == 2 * rows
    assert np.array_equal(a.sample.X, b.sample.X) and a.digest() == b.digest()
    smes = [a.overrides(p)["responders.sme_per_team"] for p in range(a.n_points)]
    costs = [a.overrides(p)["coordination.coordination_cost"] for p in range(a.n_points)]
    assert all(isinstance(v, int) and 0 <= v <= 3 for v in smes)
    p = SCHEMA["coordination"]["coordination_cost"]
    assert all(isinstance(v, float) and p.low <= v <= p.high for v in costs)
    if method == "latin":  # a Latin hypercube hits every stratum of each parameter once
        strata = np.floor((np.array(costs) - p.low) / (p.high - p.low) * n).clip(0, n - 1)
        assert sorted(strata) == list(range(n))
    other = parse_sweep(raw | {"sweep": {"replications": 2, "master_seed": 10}})
    assert not np.array_equal(a.sample.X, other.sample.X)  # the sample seed defaults to the master seed


BAD = {
    "unknown parameter, with the closest suggested": (
        {"sweep": {"replications": 2}, "grid": {"relationships.acros_team": [0.1, 0.5]}},
        ["key 'grid.relationships.acros_team'", "unknown parameter", "Did you mean 'relationships.across_team'?"],
    ),
    "a bare key suggests its section": (
        {"sweep": {"replications": 2}, "grid": {"mode": ["channel"]}},
        ["unknown parameter 'mode'", "Did you mean 'communication.mode'?"],
    ),
    "unknown parameter inside a named factor": (
        {"sweep": {"replications": 2}, "grid": {"familiarity": {"low": {"relationships.across_tem": 0.1}}}},
        ["grid.familiarity.low.relationships.across_tem", "Did you mean 'relationships.across_team'?"],
    ),
    "low above high": (
        {
            "sweep": {"replications": 2},
            "sample": {"method": "latin", "n": 4, "parameters": {"coordination.coordination_cost": {"low": 0.5, "high": 0.1}}},
        },
        ["sample.parameters.coordination.coordination_cost", "low = 0.5 is not below high = 0.1", "allowed: low < high"],
    ),
    "a bound outside the schema": (
        {
            "sweep": {"replications": 2},
            "sample": {"method": "latin", "n": 4, "parameters": {"coordination.coordination_cost": {"high": 9.0}}},
        },
        ["sample.parameters.coordination.coordination_cost.high", "out of range", "from 0 to 2"],
    ),
    "sampled design on a categorical key": (
        {"sweep": {"replications": 2}, "sample": {"method": "sobol", "n": 4, "parameters": {"communication.mode": {}}}},
        ["sample.parameters.communication.mode", "needs a numeric parameter", "one of 'channel', 'commander', 'direct'", "in [grid]"],
    ),
    "sampled design on a true/false key": (
        {"sweep": {"replications": 2}, "sample": {"method": "morris", "n": 4, "parameters": {"responders.include_support": {}}}},
        ["sample.parameters.responders.include_support", "true or false"],
    ),
    "zero replications": ({"sweep": {"replications": 0}}, ["key 'sweep.replications' = 0", "allowed: an integer >= 1"]),
    "missing replications": ({"sweep": {}}, ["key 'sweep.replications' is missing"]),
    "a grid value out of range": (
        {"sweep": {"replications": 2}, "grid": {"relationships.across_team": [0.1, 1.5]}},
        ["key 'grid.relationships.across_team[1]' = 1.5", "from 0 to 1"],
    ),
    "a grid value not among the choices": (
        {"sweep": {"replications": 2}, "grid": {"communication.mode": ["chanel"]}},
        ["grid.communication.mode[0]", "Did you mean 'channel'?"],
    ),
    "sobol needs a power of two": (
        {"sweep": {"replications": 2}, "sample": {"method": "sobol", "n": 6, "parameters": {"coordination.coordination_cost": {}}}},
        ["key 'sample.n' = 6", "power of 2"],
    ),
    "an unknown method": (
        {"sweep": {"replications": 2}, "sample": {"method": "fast", "n": 6, "parameters": {}}},
        ["key 'sample.method' = 'fast'", "'latin', 'sobol', 'morris'"],
    ),
    "an unknown table": ({"sweep": {"replications": 2}, "grids": {}}, ["unknown key 'grids'", "Did you mean 'grid'?"]),
    "an unknown output": ({"sweep": {"replications": 2, "outputs": ["traces"]}}, ["sweep.outputs", "'timeline', 'trace'"]),
    "one parameter in two factors": (
        {"sweep": {"replications": 2}, "grid": {"communication.mode": ["direct"], "style": {"a": {"communication.mode": "channel"}}}},
        ["'communication.mode' is also set by the grid factor 'communication.mode'"],
    ),
    "a bad base value": (
        {"sweep": {"replications": 2}, "base": {"run": {"max_minutes": 5}}},
        ["[base]", "run.max_minutes", "from 10 to 100000"],
    ),
}


@pytest.mark.parametrize("raw, fragments", BAD.values(), ids=BAD.keys())
def test_bad_sweeps_name_the_file_the_key_and_what_is_allowed(raw, fragments):
    with pytest.raises(ConfigError) as info:
        parse_sweep(raw, where="my_sweep.toml")
    msg = str(info.value)
    assert msg.startswith("my_sweep.toml"), msg
    for f in fragments:
        assert f in msg, f"{f!r} not in {msg!r}"


def test_base_file_resolves_next_to_the_sweep(tmp_path):
    (tmp_path / "cfg.toml").write_text("[communication]\nmode = 'direct'\n[run]\nmax_minutes = 100\n")
    (tmp_path / "s.toml").write_text("[sweep]\nreplications = 1\n[base]\nfile = 'cfg.toml'\n[base.run]\nmax_minutes = 50\n")
    sw = load_sweep(tmp_path / "s.toml")
    assert sw.base["communication"]["mode"] == "direct" and sw.base["run"]["max_minutes"] == 50
    (tmp_path / "t.toml").write_text("[sweep]\nreplications = 1\n[base]\nfile = 'missing.toml'\n")
    with pytest.raises(ConfigError, match=r"t.toml: key 'base.file' = 'missing.toml': no such config file"):
        load_sweep(tmp_path / "t.toml")


@pytest.mark.parametrize(
    "name, fragments",
    [
        ("bad_unknown.toml", ["bad_unknown.toml", "grid.relationships.acros_team", "Did you mean 'relationships.across_team'?"]),
        ("bad_low_high.toml", ["bad_low_high.toml", "sample.parameters.coordination.coordination_cost", "is not below high"]),
    ],
)
def test_cli_exits_2_with_one_line(tmp_path, name, fragments):
    proc = subprocess.run(
        [sys.executable, "-m", "jcs_sim", "sweep", str(DATA / name), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jcs-sim: error: "), proc.stderr
    for f in fragments:
        assert f in lines[0]
    assert not (tmp_path / "out").exists()  # nothing is created for a bad file
