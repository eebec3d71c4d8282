"""Benchmark jcs-sim: runs per second, peak memory, and agent-step cost against a trivial Mesa model.

Usage::

    .venv/bin/python benchmarks/bench.py            # full benchmark (about 1-2 minutes on 2 cores)
    .venv/bin/python benchmarks/bench.py --quick    # smoke run (seconds)
    .venv/bin/python benchmarks/bench.py --json results/bench.json

Each scenario is measured in a fresh subprocess so that its peak memory
(``ru_maxrss``) is its own. Inside that subprocess: the full model over N
seeds (``record_trace=False``, the study mode), then the agent-step ratio:
seed by seed, one full run and at once a trivial Mesa model with the same
number of agents stepped the same number of minutes, both in CPU time
(``time.process_time``), so that a loaded machine gives the same ratio as a
quiet one (see :func:`interleaved_ratio`), then (default
scenario only) the same seeds with ``record_trace=True`` (the CLI's ``--out``
mode), then one run under ``tracemalloc``. See ``benchmarks/README.md`` for what
each figure means and ``docs/performance.md`` for recorded results.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

# Targets from the issue.
TARGET_RATIO = 4.0  # full agent-step cost / trivial agent-step cost
TARGET_MS_PER_RUN = 50.0  # a default run "well under" this
STUDY_RUNS = 48_000
STUDY_CORES = 2
TARGET_STUDY_MINUTES = 10.0

LARGE_OVERRIDES = ["system.n_teams=10", "system.services_per_team=50", "system.n_layers=5", "responders.sme_per_team=4"]

# (seeds per repetition, repetitions of the seed sweep, trivial-model repetitions)
PLAN = {
    "full": {"default": (200, 3, 21), "large": (40, 3, 21), "trace_reps": 1, "parallel": (300, 3)},
    "quick": {"default": (30, 1, 5), "large": (5, 1, 5), "trace_reps": 1, "parallel": (60, 1)},
}


# --------------------------------------------------------------------------
# The trivial Mesa model: the baseline an agent-step is compared with.
# --------------------------------------------------------------------------
def _trivial_classes():
    import mesa

    class TrivialAgent(mesa.Agent):
        """An agent whose step is one in-place numpy operation on a small array."""

        def __init__(self, model: mesa.Model) -> None:
            super().__init__(model)
            self.v = np.zeros(8)

        def step(self) -> None:
            np.add(self.v, 1.0, out=self.v)

    class TrivialModel(mesa.Model):
        """``n`` trivial agents; the model's step is Mesa's idiomatic ``self.agents.do("step")``."""

        def __init__(self, n: int, seed: int = 0) -> None:
            super().__init__(rng=seed)
            for _ in range(n):
                TrivialAgent(self)

        def step(self) -> None:
            self.agents.do("step")

    return TrivialModel


def time_trivial(n_agents: int, n_steps: int, reps: int) -> dict:
    """Median seconds per agent-step of the trivial model (step loop only, setup excluded)."""
    TrivialModel = _trivial_classes()
    warm = TrivialModel(n_agents, seed=0)
    for _ in range(n_steps):
        warm.step()
    per_step = []
    for rep in range(reps):
        m = TrivialModel(n_agents, seed=rep + 1)
        gc.collect()
        t0 = time.process_time()
        for _ in range(n_steps):
            m.step()
        per_step.append((time.process_time() - t0) / (n_agents * n_steps))
    return {"agents": n_agents, "steps": n_steps, "reps": reps, "us_per_agent_step": statistics.median(per_step) * 1e6}


def interleaved_ratio(cfg, seeds: list[int], reps: int) -> dict:
    """Agent-step cost of the full model over the trivial one, measured seed by seed, in CPU time.

    For each seed: one full run (construction and step loop timed apart), then at once a trivial
    model with the same number of agents stepped the same number of minutes. The two are measured
    back to back in the same process, in CPU time, so a load that comes and goes on a shared
    machine affects both sides alike: a busy machine gives the same ratio as a quiet one (the old
    form timed the two models in separate blocks of wall time and reported 17.5x loaded, 6.4x quiet).
    The spread is over seeds (and repetitions): the median, the quartiles and the extremes.
    """
    from jcs_sim import IncidentModel

    TrivialModel = _trivial_classes()
    warm = IncidentModel(cfg, seed=10_000, record_trace=False).run()  # warm-up of both
    triv = TrivialModel(len(warm.people), seed=0)
    for _ in range(warm.minute):
        triv.step()
    loop_ratio, total_ratio = [], []
    sums = np.zeros(3)  # full loop, full setup, trivial loop (seconds of CPU)
    for _rep in range(reps):
        for s in seeds:
            gc.collect()
            t0 = time.process_time()
            m = IncidentModel(cfg, seed=s, record_trace=False)
            t1 = time.process_time()
            m.run()
            t2 = time.process_time()
            agents, steps = len(m.people), m.minute
            del m
            tm = TrivialModel(agents, seed=s)
            t3 = time.process_time()
            for _ in range(steps):
                tm.step()
            t4 = time.process_time()
            del tm
            if t4 > t3:  # a run too short for the clock's resolution says nothing
                loop_ratio.append((t2 - t1) / (t4 - t3))
                total_ratio.append((t2 - t0) / (t4 - t3))
            sums += (t2 - t1, t1 - t0, t4 - t3)
    lr, tr = np.array(loop_ratio), np.array(total_ratio)
    return {
        "seeds": len(seeds),
        "reps": reps,
        "clock": "time.process_time (CPU time of this process)",
        "ratio_loop_median": float(np.median(lr)),
        "ratio_loop_q25": float(np.percentile(lr, 25)),
        "ratio_loop_q75": float(np.percentile(lr, 75)),
        "ratio_loop_min": float(lr.min()),
        "ratio_loop_max": float(lr.max()),
        "ratio_loop_of_sums": float(sums[0] / sums[2]),
        "ratio_total_median": float(np.median(tr)),
        "ratio_total_of_sums": float((sums[0] + sums[1]) / sums[2]),
    }


# --------------------------------------------------------------------------
# The full model.
# --------------------------------------------------------------------------
def scenario_config(name: str):
    from jcs_sim.config import apply_overrides, default_config

    if name == "default":
        return None
    if name == "large":
        return apply_overrides(default_config(), LARGE_OVERRIDES)
    raise ValueError(name)


def time_full(cfg, seeds: list[int], reps: int, record_trace: bool) -> dict:
    """CPU time of ``IncidentModel(cfg, seed).run()`` per seed; setup (construction) and the step loop separately.

    CPU time of this process (``time.process_time``), not wall time: on a shared machine wall time
    also counts the minutes other processes held the core.
    """
    from jcs_sim import IncidentModel

    IncidentModel(cfg, seed=10_000, record_trace=record_trace).run()  # warm-up
    setup = np.zeros((reps, len(seeds)))
    loop = np.zeros((reps, len(seeds)))
    minutes = np.zeros(len(seeds), dtype=np.int64)
    agents = np.zeros(len(seeds), dtype=np.int64)
    for rep in range(reps):
        gc.collect()
        for i, s in enumerate(seeds):
            t0 = time.process_time()
            m = IncidentModel(cfg, seed=s, record_trace=record_trace)
            t1 = time.process_time()
            m.run()
            t2 = time.process_time()
            setup[rep, i], loop[rep, i] = t1 - t0, t2 - t1
            minutes[i], agents[i] = m.minute, len(m.people)
            del m
    total = setup + loop
    # Runs/s from the median repetition; per-run distribution from each seed's median over repetitions.
    rep_totals = total.sum(axis=1)
    per_run = np.median(total, axis=0)
    agent_steps = int((minutes * agents).sum())
    med_rep = int(np.argsort(rep_totals)[len(rep_totals) // 2])
    return {
        "runs": len(seeds),
        "reps": reps,
        "record_trace": record_trace,
        "agents": int(agents.max()),
        "mean_minutes": float(minutes.mean()),
        "agent_steps": agent_steps,
        "runs_per_s": len(seeds) / float(np.median(rep_totals)),
        "ms_per_run_mean": float(per_run.mean()) * 1e3,
        "ms_per_run_p50": float(np.percentile(per_run, 50)) * 1e3,
        "ms_per_run_p95": float(np.percentile(per_run, 95)) * 1e3,
        "ms_setup_mean": float(np.median(setup, axis=0).mean()) * 1e3,
        "us_per_agent_step_total": float(total[med_rep].sum()) / agent_steps * 1e6,
        "us_per_agent_step_loop": float(loop[med_rep].sum()) / agent_steps * 1e6,
    }


def time_summary(cfg, seeds: list[int]) -> float:
    """Mean ms for ``summary()`` after a run (what a study calls on every run)."""
    from jcs_sim import IncidentModel

    ts = []
    for s in seeds:
        m = IncidentModel(cfg, seed=s, record_trace=False).run()
        t0 = time.process_time()
        m.summary()
        ts.append(time.process_time() - t0)
    return statistics.mean(ts) * 1e3


def tracemalloc_peak(cfg, seed: int, record_trace: bool) -> float:
    """Peak Python-allocated MiB during one run (construction + run), by tracemalloc."""
    from jcs_sim import IncidentModel

    gc.collect()
    tracemalloc.start()
    IncidentModel(cfg, seed=seed, record_trace=record_trace).run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker(name: str, mode: str) -> dict:
    """Everything for one scenario; runs in its own process."""
    rss_start = maxrss_mib()
    import mesa  # noqa: F401

    import jcs_sim  # noqa: F401

    rss_import = maxrss_mib()
    n, reps, triv_reps = PLAN[mode][name]
    cfg = scenario_config(name)
    seeds = list(range(n))
    out: dict = {"scenario": name, "rss_start_mib": rss_start, "rss_after_import_mib": rss_import}
    out["full"] = time_full(cfg, seeds, reps, record_trace=False)
    out["rss_peak_mib"] = maxrss_mib()  # before anything else allocates: the study-mode peak
    steps = max(1, round(out["full"]["mean_minutes"]))
    out["trivial"] = time_trivial(out["full"]["agents"], steps, triv_reps)  # for the table's absolute figure
    out["interleaved"] = interleaved_ratio(cfg, seeds, reps)
    out["ratio_loop"] = out["interleaved"]["ratio_loop_median"]
    out["ratio_total"] = out["interleaved"]["ratio_total_median"]
    out["summary_ms"] = time_summary(cfg, seeds[: min(n, 50)])
    if name == "default":
        out["trace"] = time_full(cfg, seeds, PLAN[mode]["trace_reps"], record_trace=True)
        out["rss_peak_with_trace_mib"] = maxrss_mib()
    out["tracemalloc_peak_mib"] = tracemalloc_peak(cfg, 0, record_trace=False)
    if name == "default":
        out["tracemalloc_peak_trace_mib"] = tracemalloc_peak(cfg, 0, record_trace=True)
    return out


# --------------------------------------------------------------------------
# Parallel throughput: what a 2-core study actually gets.
# --------------------------------------------------------------------------
def _one_default_run(seed: int) -> int:
    from jcs_sim import IncidentModel

    m = IncidentModel(None, seed=seed, record_trace=False).run()
    m.summary()
    return m.minute


def parallel_throughput(n_runs: int, procs: int, reps: int) -> dict:
    """Runs/s of default runs (run + summary) over a pool of ``procs`` processes, after a warm-up; median of ``reps``."""
    import multiprocessing as mp

    rates = []
    c0 = os.times()
    with mp.get_context("fork").Pool(procs) as pool:
        pool.map(_one_default_run, range(50_000, 50_000 + 2 * procs), chunksize=1)
        for _ in range(reps):
            t0 = time.perf_counter()
            pool.map(_one_default_run, range(n_runs), chunksize=4)
            rates.append(n_runs / (time.perf_counter() - t0))
    c1 = os.times()
    # Share of the pool's wall time x procs that the workers spent on a CPU: about 1.0 when every core was
    # really available; about 1/procs when the (virtual) machine ran them one at a time.
    busy = (c1.children_user + c1.children_system - c0.children_user - c0.children_system) / ((c1.elapsed - c0.elapsed) * procs)
    return {
        "procs": procs,
        "runs": n_runs,
        "reps": reps,
        "runs_per_s": statistics.median(rates),
        "runs_per_s_all": rates,
        "cpu_utilisation": busy,
    }


# --------------------------------------------------------------------------
# Driver and report.
# --------------------------------------------------------------------------
def run_worker_subprocess(name: str, mode: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name] + (["--quick"] if mode == "quick" else [])
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        raise SystemExit(f"benchmark worker for '{name}' failed (exit {res.returncode})")
    return json.loads(res.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import mesa

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "mesa": mesa.__version__,
        "numpy": np.__version__,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(res: dict) -> str:
    d, lg = res["default"], res["large"]
    rows = []
    hdr = f"{'scenario':<26}{'agents':>7}{'min/run':>9}{'runs/s':>9}{'ms/run':>9}{'p95 ms':>9}{'µs/a-step':>11}{'loop µs/a-step':>16}"
    rows.append(hdr)
    rows.append("-" * len(hdr))

    def line(label: str, f: dict) -> str:
        return (
            f"{label:<26}{f['agents']:>7}{f['mean_minutes']:>9.1f}{f['runs_per_s']:>9.1f}{f['ms_per_run_mean']:>9.2f}"
            f"{f['ms_per_run_p95']:>9.2f}{f['us_per_agent_step_total']:>11.2f}{f['us_per_agent_step_loop']:>16.2f}"
        )

    rows.append(line(f"default ({d['full']['runs']} seeds)", d["full"]))
    tr = d["trace"]
    rows.append(line("default, record_trace=True", tr))
    rows.append(line(f"large ({lg['full']['runs']} seeds)", lg["full"]))
    rows.append("")
    rows.append(f"{'memory (MiB)':<26}{'rss@import':>12}{'peak rss':>10}{'tracemalloc 1 run':>19}")
    rows.append(f"{'default':<26}{d['rss_after_import_mib']:>12.1f}{d['rss_peak_mib']:>10.1f}{d['tracemalloc_peak_mib']:>19.2f}")
    rows.append(f"{'default, record_trace=True':<26}{'':>12}{d['rss_peak_with_trace_mib']:>10.1f}{d['tracemalloc_peak_trace_mib']:>19.2f}")
    rows.append(f"{'large':<26}{lg['rss_after_import_mib']:>12.1f}{lg['rss_peak_mib']:>10.1f}{lg['tracemalloc_peak_mib']:>19.2f}")
    rows.append("")
    rows.append("agent-step vs trivial Mesa model, interleaved seed by seed in CPU time (median over seeds, quartiles, extremes):")
    rows.append(f"{'':<26}{'trivial µs':>11}{'ratio (loop)':>14}{'q25-q75':>14}{'min-max':>14}{'of sums':>10}{'(+setup)':>10}")
    for name, s in (("default", d), ("large", lg)):
        iv = s["interleaved"]
        rows.append(
            f"{name:<26}{s['trivial']['us_per_agent_step']:>11.2f}{iv['ratio_loop_median']:>14.2f}"
            f"{iv['ratio_loop_q25']:>8.2f}-{iv['ratio_loop_q75']:<5.2f}{iv['ratio_loop_min']:>8.2f}-{iv['ratio_loop_max']:<5.2f}"
            f"{iv['ratio_loop_of_sums']:>10.2f}{iv['ratio_total_median']:>10.2f}"
        )
    rows.append("")
    trace_cost = tr["ms_per_run_mean"] / d["full"]["ms_per_run_mean"]
    rows.append(f"record_trace=True costs {trace_cost:.2f}x a study-mode run; summary() adds {d['summary_ms']:.2f} ms/run (default).")
    per_run_s = (d["full"]["ms_per_run_mean"] + d["summary_ms"]) / 1e3
    proj = STUDY_RUNS * per_run_s / STUDY_CORES / 60
    par = res["parallel"]
    rows.append(f"48,000-run study on {STUDY_CORES} cores, projected from the serial mean (run + summary): {proj:.1f} min.")
    if par is not None:
        rates = ", ".join(f"{r:.0f}" for r in par["runs_per_s_all"])
        rows.append(
            f"Measured {par['procs']}-process pool: {par['runs_per_s']:.1f} runs/s (median of {par['reps']} x {par['runs']} runs: {rates}) "
            f"= {STUDY_RUNS / par['runs_per_s'] / 60:.1f} min for the study; "
            f"scaling {par['runs_per_s'] * per_run_s:.2f}x the serial rate; workers were on a CPU {100 * par['cpu_utilisation']:.0f}% "
            f"of the pool's wall time x {par['procs']} (below ~90%: the machine did not give {par['procs']} full cores)."
        )
    rows.append("")
    targets = res["targets"]
    rows.append("Targets:")
    for t in targets:
        rows.append(f"  {t['verdict']}  {t['what']}: {t['value']}")
    return "\n".join(rows)


def targets(res: dict) -> list[dict]:
    d, lg = res["default"], res["large"]
    per_run_s = (d["full"]["ms_per_run_mean"] + d["summary_ms"]) / 1e3
    proj = STUDY_RUNS * per_run_s / STUDY_CORES / 60
    proj_meas = None if res["parallel"] is None else STUDY_RUNS / res["parallel"]["runs_per_s"] / 60
    ms = d["full"]["ms_per_run_mean"]
    return [
        {
            "what": f"default agent-step <= {TARGET_RATIO:g}x trivial (step loop, interleaved CPU time, median over seeds)",
            "value": f"{d['ratio_loop']:.2f}x",
            "verdict": verdict(d["ratio_loop"] <= TARGET_RATIO),
        },
        {
            "what": f"large agent-step <= {TARGET_RATIO:g}x trivial (step loop, interleaved CPU time, median over seeds)",
            "value": f"{lg['ratio_loop']:.2f}x",
            "verdict": verdict(lg["ratio_loop"] <= TARGET_RATIO),
        },
        {
            "what": f"default run well under {TARGET_MS_PER_RUN:g} ms (mean; p95 {d['full']['ms_per_run_p95']:.1f} ms)",
            "value": f"{ms:.1f} ms",
            "verdict": verdict(ms < TARGET_MS_PER_RUN / 2),  # "well under": at most half
        },
        {
            "what": f"{STUDY_RUNS:,} runs in <= {TARGET_STUDY_MINUTES:g} min on {STUDY_CORES} cores (projected: serial mean x runs / cores)",
            "value": f"{proj:.1f} min",
            "verdict": verdict(proj <= TARGET_STUDY_MINUTES),
        },
    ] + (
        []
        if proj_meas is None
        else [
            {
                "what": f"{STUDY_RUNS:,} runs in <= {TARGET_STUDY_MINUTES:g} min, measured {STUDY_CORES}-process pool (noisy on a shared VM)",
                "value": f"{proj_meas:.1f} min",
                "verdict": verdict(proj_meas <= TARGET_STUDY_MINUTES),
            }
        ]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smoke mode: few seeds, one repetition (seconds, not minutes)")
    ap.add_argument("--json", metavar="PATH", help="also write all figures as JSON to PATH")
    ap.add_argument("--no-parallel", action="store_true", help="skip the 2-process pool throughput measurement")
    ap.add_argument("--worker", choices=("default", "large"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    mode = "quick" if args.quick else "full"
    if args.worker:
        print(json.dumps(worker(args.worker, mode)))
        return 0

    t0 = time.perf_counter()
    res: dict = {"mode": mode, "machine": machine(), "command": " ".join(["python", "benchmarks/bench.py", *sys.argv[1:]])}
    for name in ("default", "large"):
        print(f"measuring {name} scenario in a subprocess ...", file=sys.stderr, flush=True)
        res[name] = run_worker_subprocess(name, mode)
    if args.no_parallel:
        res["parallel"] = None
    else:
        print(f"measuring {STUDY_CORES}-process pool throughput ...", file=sys.stderr, flush=True)
        n_par, reps_par = PLAN[mode]["parallel"]
        res["parallel"] = parallel_throughput(n_par, STUDY_CORES, reps_par)
    res["targets"] = targets(res)
    res["wall_s"] = time.perf_counter() - t0
    mc = res["machine"]
    print(f"jcs-sim benchmark ({mode}) on {mc['cpu']}, {mc['cores']} cores, Python {mc['python']}, Mesa {mc['mesa']}, {mc['date']}")
    print(report(res))
    print(f"(benchmark wall time {res['wall_s']:.0f} s)")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
