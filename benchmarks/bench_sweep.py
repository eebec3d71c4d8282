"""Benchmark the sweep engine: per-core overhead, parallel efficiency, memory, and Mesa's batch_run.

Usage::

    .venv/bin/python benchmarks/bench_sweep.py                 # full (about 15 minutes on 2 cores)
    .venv/bin/python benchmarks/bench_sweep.py --quick         # smoke run (about 2 minutes)
    .venv/bin/python benchmarks/bench_sweep.py --json out.json --only memory,batch_run

Each measurement runs in its own fresh subprocess, so import state and peak
memory (``ru_maxrss``) are its own. Every figure is a ratio of two numbers
taken in the same invocation:

- **engine vs loop**: runs/s of ``run_sweep(workers=1)`` over the runs of a
  one-point sweep, against ``IncidentModel(cfg, seed).run().summary()`` in a
  plain loop over the same seeds (target: at least 0.95). Reported end to end
  (pool start, imports in the worker, Parquet writes included) and steady
  state (the fixed cost of a one-run sweep subtracted).
- **parallel efficiency** at 1, 2, 4, 8, 16 workers where the machine has the
  cores: ``rate(w) / (w * rate(1))`` with ``w * N1`` runs at ``w`` workers.
- **memory**: peak RSS of the parent and of the largest worker for 1,000 vs
  100,000 runs (target: at most 1.1 times), with ``run.max_minutes = 10`` so the
  100,000 runs take minutes, not an hour.
- **batch_run**: the same 10,000-run sweep (3 communication modes x 3,334
  seeds, default scenario) through ``run_sweep`` and through Mesa's
  ``batch_run`` with ``BatchRunModel``, both on every core: runs/s and memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TINY = {"run": {"max_minutes": 10}}


def _rss() -> dict:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"parent_peak_mib": round(me, 1), "largest_child_peak_mib": round(kids, 1)}


def _sweep(reps: int, base: dict | None = None, grid: dict | None = None):
    from jcs_sim.sweep.design import parse_sweep

    raw = {"sweep": {"name": "bench", "replications": reps, "master_seed": 1}, "base": base or {}}
    if grid:
        raw["grid"] = grid
    return parse_sweep(raw, where="bench")


# ----- measurements, each run in a fresh process (python bench_sweep.py --child NAME ARGS) -----
def child_loop(n: int, tiny: bool) -> dict:
    import jcs_sim  # noqa: F401 - imports outside the timing, as the engine's workers do before their first run
    from jcs_sim.model import IncidentModel

    sw = _sweep(n, TINY if tiny else None)
    cfg = sw.config(0)
    seeds = [sw.seed(0, r) for r in range(n)]
    t = time.perf_counter()
    for s in seeds:
        IncidentModel(cfg, seed=s, record_trace=False).run().summary()
    wall = time.perf_counter() - t
    return {"runs": n, "wall_s": wall, "runs_per_s": n / wall} | _rss()


def child_engine(n: int, workers: int, tiny: bool) -> dict:
    from jcs_sim.sweep.execute import run_sweep

    sw = _sweep(n, TINY if tiny else None)
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        res = run_sweep(sw, Path(d) / "out", workers=workers, progress=False)
        wall = time.perf_counter() - t
    assert res["ran"] == n and res["errors"] == 0, res
    return {"runs": n, "workers": workers, "wall_s": wall, "runs_per_s": n / wall} | _rss()


def child_batch_run(n_seeds: int, workers: int) -> dict:
    from mesa.batchrunner import batch_run

    from jcs_sim.sweep.interop import BatchRunModel

    base = _rss()["parent_peak_mib"]  # after the imports: what the results themselves add is measured above this
    t = time.perf_counter()
    rows = batch_run(
        BatchRunModel,
        {"communication__mode": ["channel", "commander", "direct"]},
        number_processes=workers,
        rng=list(range(n_seeds)),
        max_steps=100_000,
        display_progress=False,
    )
    wall = time.perf_counter() - t
    rss = _rss()
    return {
        "runs": len(rows),
        "workers": workers,
        "wall_s": wall,
        "runs_per_s": len(rows) / wall,
        "parent_growth_mib": rss["parent_peak_mib"] - base,
    } | rss


def child_engine_modes(n_seeds: int, workers: int) -> dict:
    import pyarrow.parquet  # noqa: F401 - imported by the engine anyway; counted in the baseline like mesa in batch_run's
    import tqdm.auto  # noqa: F401

    from jcs_sim.sweep.execute import run_sweep

    sw = _sweep(n_seeds, grid={"communication.mode": ["channel", "commander", "direct"]})
    base = _rss()["parent_peak_mib"]
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        res = run_sweep(sw, Path(d) / "out", workers=workers, progress=False)
        wall = time.perf_counter() - t
    rss = _rss()
    return {
        "runs": res["ran"],
        "workers": workers,
        "wall_s": wall,
        "runs_per_s": res["ran"] / wall,
        "parent_growth_mib": rss["parent_peak_mib"] - base,
    } | rss


CHILDREN = {"loop": child_loop, "engine": child_engine, "batch_run": child_batch_run, "engine_modes": child_engine_modes}


def run_child(name: str, *args) -> dict:
    cmd = [sys.executable, __file__, "--child", name, *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"child {name} {args} failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"  {name} {' '.join(map(str, args))}: {json.dumps(out)}", flush=True)
    return out


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# ----- the benchmark -----------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", help="write every figure to this file")
    ap.add_argument("--only", default="overhead,parallel,memory,batch_run", help="comma-separated sections")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        name, *args = a.child
        args = [x == "True" if x in ("True", "False") else int(x) for x in args]
        print(json.dumps(CHILDREN[name](*args)))
        return

    q = a.quick
    only = set(a.only.split(","))
    ncores = cores()
    res: dict = {
        "machine": {
            "cores": ncores,
            "cpu": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "loadavg_start": os.getloadavg(),
        },
        "quick": q,
    }
    print(f"{ncores} cores; load average {os.getloadavg()}", flush=True)

    if "overhead" in only:
        n = 300 if q else 2000
        print("engine vs plain loop, one core:", flush=True)
        # Interleaved repetitions (loop, engine, loop, engine, ...) and medians: on a shared machine the
        # background load drifts, and interleaving exposes both sides to the same drift.
        loops, engines, fixeds = [], [], []
        for _ in range(1 if q else 3):
            loops.append(run_child("loop", n, False)["wall_s"])
            engines.append(run_child("engine", n, 1, False)["wall_s"])
            fixeds.append(run_child("engine", 1, 1, False)["wall_s"])
        loop_w, eng_w, fixed_w = statistics.median(loops), statistics.median(engines), statistics.median(fixeds)
        steady = n / max(1e-9, eng_w - fixed_w)
        res["overhead"] = {
            "runs": n,
            "repetitions": len(loops),
            "loop_runs_per_s": n / loop_w,
            "engine_runs_per_s": n / eng_w,
            "engine_fixed_cost_s": fixed_w,
            "engine_steady_runs_per_s": steady,
            "ratio_end_to_end": loop_w / eng_w,
            "ratio_steady": steady * loop_w / n,
            "target": 0.95,
            "walls": {"loop": loops, "engine": engines, "engine_one_run": fixeds},
        }

    if "parallel" in only:
        n1 = 300 if q else 1500
        print("parallel efficiency:", flush=True)
        rows = []
        base = None
        for w in [w for w in (1, 2, 4, 8, 16) if w <= ncores]:
            r = run_child("engine", n1 * w, w, False)
            base = base or r["runs_per_s"]
            rows.append({"workers": w, "runs": n1 * w, "runs_per_s": r["runs_per_s"], "efficiency": r["runs_per_s"] / (w * base)})
        res["parallel"] = {"rows": rows, "target_at_16": 0.9, "cores_available": ncores}

    if "memory" in only:
        big = 10_000 if q else 100_000
        print(f"memory, 1,000 vs {big:,} runs (run.max_minutes = 10):", flush=True)
        small_r = run_child("engine", 1000, ncores, True)
        big_r = run_child("engine", big, ncores, True)
        res["memory"] = {
            "small": small_r,
            "big": big_r,
            "ratio_parent": big_r["parent_peak_mib"] / small_r["parent_peak_mib"],
            "ratio_largest_worker": big_r["largest_child_peak_mib"] / small_r["largest_child_peak_mib"],
            "target": 1.1,
        }

    if "batch_run" in only:
        n_seeds = 334 if q else 3334
        print(f"the same {3 * n_seeds:,}-run sweep: engine vs Mesa batch_run, {ncores} processes:", flush=True)
        engs, brs = [], []
        for _ in range(1 if q else 2):  # interleaved, as above
            engs.append(run_child("engine_modes", n_seeds, ncores))
            brs.append(run_child("batch_run", n_seeds, ncores))
        eng_w = statistics.median(r["wall_s"] for r in engs)
        br_w = statistics.median(r["wall_s"] for r in brs)
        eng_g = statistics.median(r["parent_growth_mib"] for r in engs)
        br_g = statistics.median(r["parent_growth_mib"] for r in brs)
        res["batch_run"] = {
            "engine": engs,
            "batch_run": brs,
            "speed_ratio": br_w / eng_w,
            "parent_peak_ratio": statistics.median(r["parent_peak_mib"] for r in brs)
            / statistics.median(r["parent_peak_mib"] for r in engs),
            "parent_growth_mib": {"engine": eng_g, "batch_run": br_g},
            "target_speed": 3.0,
            "target_memory": "a tenth",
        }

    res["machine"]["loadavg_end"] = os.getloadavg()
    print(json.dumps(res, indent=1))
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    main()
