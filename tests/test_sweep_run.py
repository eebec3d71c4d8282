"""Running sweeps: results stream to Parquet, a kill -9 resumes with no run lost or duplicated, failures are data,
and the local pool and Dask (a real LocalCluster) give identical rows."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import jcs_sim
from jcs_sim.config import ConfigError
from jcs_sim.sweep.design import load_sweep
from jcs_sim.sweep.execute import run_chunk, run_sweep
from jcs_sim.sweep.store import read_manifest, read_output, read_summary

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "sweeps"


def cli(*args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jcs_sim", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=timeout)


def user_error(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jcs-sim: error: "), proc.stderr
    for f in fragments:
        assert f in lines[0], f"{f!r} not in {lines[0]!r}"
    return lines[0]


def without_traceback(t):
    return t.drop_columns(["traceback"]) if "traceback" in t.column_names else t


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The small sweep, run once on the local pool (2 workers)."""
    out = tmp_path_factory.mktemp("small") / "out"
    res = run_sweep(load_sweep(DATA / "small.toml"), out, workers=2, progress=False)
    return out, res


def test_local_sweep_writes_every_run_once_with_its_outputs(small):
    out, res = small
    assert res["ran"] == 16 and res["errors"] == 0 and res["done_before"] == 0
    t = read_summary(out)
    assert t.column("run_id").to_pylist() == list(range(16))
    man = read_manifest(out)
    assert man["n_runs"] == 16 and len(man["sweep_hash"]) == 64
    # each row is exactly what the model gives for that run's config and seed
    sw = load_sweep(DATA / "small.toml")
    for rid in (0, 7, 13):
        row = t.slice(rid, 1).to_pylist()[0]
        point, rep = sw.locate(rid)
        direct = jcs_sim.run(sw.config(point), seed=sw.seed(point, rep))
        direct.pop("responders")
        assert row["seed"] == direct["seed"]
        assert {k: row[k] for k in direct} == direct
    timeline = read_output(out, "timeline")
    assert set(timeline.column("run_id").to_pylist()) == set(range(16))
    assert timeline.num_rows == sum(t.column("minutes_simulated").to_pylist())
    assert read_output(out, "responders").num_rows > 16


def test_resume_of_a_finished_sweep_runs_nothing(small):
    out, _ = small
    res = run_sweep(load_sweep(DATA / "small.toml"), out, workers=1, progress=False)
    assert res["ran"] == 0 and res["done_before"] == 16
    assert read_output(out, "summary").num_rows == 16


def test_dask_local_cluster_gives_identical_rows(small, tmp_path):
    """Dask for real: a LocalCluster of 2 worker processes through the CLI, and a threaded one through the API."""
    out, _ = small
    local = without_traceback(read_summary(out))
    proc = cli("sweep", DATA / "small.toml", "--out", tmp_path / "dask", "--backend", "dask", "--workers", "2", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "2 dask workers" in proc.stderr
    assert without_traceback(read_summary(tmp_path / "dask")).equals(local)
    assert read_output(tmp_path / "dask", "timeline").sort_by("run_id").equals(read_output(out, "timeline").sort_by("run_id"))
    res = run_sweep(
        load_sweep(DATA / "small.toml"), tmp_path / "threads", workers=2, backend="dask", dask_processes=False, chunk=3, progress=False
    )
    assert res["ran"] == 16
    assert without_traceback(read_summary(tmp_path / "threads")).equals(local)


def test_a_failing_run_is_recorded_with_its_error_and_seed_and_the_sweep_goes_on(tmp_path):
    sw = load_sweep(DATA / "failing.toml")
    res = run_sweep(sw, tmp_path / "out", workers=1, progress=False)
    assert res["ran"] == 6 and res["errors"] == 3
    rows = read_summary(tmp_path / "out").to_pylist()
    good, bad = rows[:3], rows[3:]
    assert all(r["error"] is None and r["resolved"] is not None for r in good)
    for r in bad:
        assert r["error"].startswith("ConfigError: ") and "no-such-service" in r["error"]
        assert "Traceback" in r["traceback"]
        point, rep = sw.locate(r["run_id"])
        assert r["seed"] == sw.seed(point, rep)
        assert r["resolved"] is None
        with pytest.raises(ConfigError):  # the recorded seed reproduces the failure
            jcs_sim.run(sw.config(point), seed=r["seed"])


def test_resume_after_kill_9_loses_and_duplicates_nothing(tmp_path):
    out = tmp_path / "out"
    args = [sys.executable, "-m", "jcs_sim", "sweep", str(DATA / "resume.toml"), "--out", str(out), "--workers", "2", "--no-progress"]
    small_parts = ["--chunk", "2", "--part-runs", "6", "--flush-seconds", "0.05"]
    proc = subprocess.Popen(args + small_parts, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            parts = list((out / "summary").glob("part-*.parquet")) if (out / "summary").is_dir() else []
            if len(parts) >= 3:
                break
            time.sleep(0.01)
        assert proc.poll() is None, f"the sweep ended before it could be killed: {proc.stderr.read()}"
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, as a lost machine or the OOM killer would
        proc.wait(timeout=10)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # and any worker still alive, so none outlives the test
        except ProcessLookupError:
            pass
    partial = read_output(out, "summary").num_rows
    assert 0 < partial < 300, partial

    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"({partial} were already done)" in proc.stderr
    raw = read_output(out, "summary")
    ids = raw.column("run_id").to_pylist()
    assert len(ids) == len(set(ids)) == 300 and set(ids) == set(range(300))
    assert not [p for p in (out / "summary").iterdir() if p.name.startswith(".tmp-")]

    # the same rows as an uninterrupted sweep (computed here in-process)
    sw = load_sweep(DATA / "resume.toml")
    reference = without_traceback(run_chunk(sw, list(range(300)))["summary"])
    assert without_traceback(read_summary(out)).equals(reference)


def test_an_output_directory_of_another_sweep_or_a_changed_file_is_refused(small, tmp_path):
    out, _ = small
    user_error(
        cli("sweep", DATA / "failing.toml", "--out", out),
        "manifest.json",
        "holds the results of a different sweep",
        "small.toml",
        "changed: ",
        "Allowed: the unchanged sweep file (to resume), or a new --out directory.",
    )
    changed = tmp_path / "small.toml"
    changed.write_text((DATA / "small.toml").read_text().replace("max_minutes = 60", "max_minutes = 61"))
    msg = user_error(cli("sweep", changed, "--out", out), "different sweep")
    assert "base.run.max_minutes" in msg
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    user_error(cli("sweep", DATA / "small.toml", "--out", tmp_path / "busy"), "not empty", "manifest.json is missing")
    user_error(cli("report", tmp_path / "busy"), "not a sweep directory")
    assert json.loads((out / "manifest.json").read_text())["n_runs"] == 16  # untouched


def test_parts_are_plain_parquet(small):
    out, _ = small
    part = next((out / "summary").glob("part-*.parquet"))
    t = pq.read_table(part)
    assert {"run_id", "point_id", "rep", "seed", "error", "time_to_resolve", "resolved"} <= set(t.column_names)
