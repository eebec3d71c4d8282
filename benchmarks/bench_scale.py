"""How the cost of one incident grows with the size of the organisation: services and responders.

Usage::

    .venv/bin/python benchmarks/bench_scale.py                  # both sweeps (about 5-10 minutes on 2 cores)
    .venv/bin/python benchmarks/bench_scale.py --only services  # or: responders
    .venv/bin/python benchmarks/bench_scale.py --quick          # smaller sizes (a minute)
    .venv/bin/python benchmarks/bench_scale.py --json out.json

Each size runs in a fresh subprocess, so that its peak memory (``ru_maxrss``) is its own. Inside it:
construction of ``IncidentModel`` (setup) and ``run()`` are timed apart in CPU time
(``time.process_time``), for ``--seeds`` seeds; peak RSS growth is measured above the RSS after the
imports. The growth exponent ``b`` in ``cost ~ size^b`` is the slope of a least-squares line through
(log size, log median cost): 1 is linear, 2 quadratic.

- services: ``system.n_teams = 10`` (13 responders), ``n_layers = 5``, ``services_per_team`` from 50 to
  5,000 (500 to 50,000 services, the schema's range), then 100,000 services loaded from a graph file
  written by the generator (the only way a user reaches that size).
- responders: the default 32-service graph and an explicit roster of R people spread over its four
  teams (one ops on-call paged by the alert, the rest SMEs, plus commander, support and comms).

The run is cut at ``run.max_minutes = 240`` so that every size simulates a comparable number of
minutes; the run cost is reported per simulated minute.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SERVICES = {"full": [500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000], "quick": [500, 2_000, 10_000]}
RESPONDERS = {"full": [10, 30, 100, 300, 1_000, 2_000], "quick": [10, 100, 300]}
N_TEAMS = 10
MAX_MINUTES = 240
TEAMS = ("edge", "payments", "platform", "data")  # the default graph's teams


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _services_config(n: int, graph_dir: Path) -> dict:
    from jcs_sim.config import default_config

    cfg = default_config()
    cfg["run"]["max_minutes"] = MAX_MINUTES
    cfg["system"].update(n_teams=N_TEAMS, n_layers=5)
    per_team = n // N_TEAMS
    if per_team <= 5_000:  # within the schema: generated
        cfg["system"]["services_per_team"] = per_team
        return cfg
    # Beyond the schema's 50,000 generated services: write the generator's graph to a file and load it.
    from jcs_sim.streams import Streams
    from jcs_sim.system import build_service_graph

    gen = default_config()
    gen["system"].update(n_teams=N_TEAMS, n_layers=5, services_per_team=per_team)
    sg = build_service_graph(gen, Streams(0))
    path = graph_dir / f"services_{n}.json"
    nodes = [
        {"id": name, "team": sg.team_names[t], "alerting": bool(a)}
        for name, t, a in zip(sg.names, sg.team_list, sg.alerting.tolist(), strict=True)
    ]
    links = [{"source": sg.names[a], "target": sg.names[b]} for a in range(sg.n) for b in sg.deps[a]]
    path.write_text(json.dumps({"nodes": nodes, "links": links}))
    cfg["system"]["graph_file"] = str(path)
    return cfg


def _responders_config(r: int) -> dict:
    from jcs_sim.config import default_config

    cfg = default_config()
    cfg["run"]["max_minutes"] = MAX_MINUTES
    roster = [{"role": "ops", "team": "edge", "paged_at_start": True}]
    roster += [{"role": "sme", "team": TEAMS[i % len(TEAMS)], "paged_at_start": False} for i in range(max(0, r - 4))]
    roster += [{"role": role, "team": "", "paged_at_start": role == "support"} for role in ("commander", "support", "comms")]
    cfg["responders"]["roster"] = [{"name": f"p{i}", "experience": 0.5, "hours_awake": 6.0, **person} for i, person in enumerate(roster)]
    cfg["fault"]["root_cause"] = ""
    return cfg


def measure(kind: str, size: int, seeds: int) -> dict:
    """One size, in this (fresh) process."""
    rss0 = _rss_mib()
    from jcs_sim.model import IncidentModel

    rss_import = _rss_mib()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = _services_config(size, Path(tmp)) if kind == "services" else _responders_config(size)
        setup, run, minutes = [], [], []
        people = services = 0
        for seed in range(seeds):
            t0 = time.process_time()
            m = IncidentModel(cfg, seed=seed, record_trace=False)
            t1 = time.process_time()
            m.run()
            t2 = time.process_time()
            setup.append(t1 - t0)
            run.append(t2 - t1)
            minutes.append(m.minute)
            people, services = len(m.people), m.sg.n
            del m
            gc.collect()  # the model and its agents refer to each other: free it before the next seed is built
    return {
        "kind": kind,
        "size": size,
        "services": services,
        "responders": people,
        "seeds": seeds,
        "setup_s": float(np.median(setup)),
        "run_s": float(np.median(run)),
        "run_ms_per_minute": float(np.median(np.array(run) / np.maximum(1, np.array(minutes)))) * 1e3,
        "minutes": float(np.mean(minutes)),
        "rss_start_mib": rss0,
        "rss_after_import_mib": rss_import,
        "rss_peak_mib": _rss_mib(),
        "rss_growth_mib": _rss_mib() - rss_import,
    }


def exponent(sizes: list[float], costs: list[float]) -> float:
    """Slope of log(cost) on log(size): the b of cost ~ size^b."""
    x, y = np.log(np.asarray(sizes, float)), np.log(np.maximum(np.asarray(costs, float), 1e-9))
    return float(np.polyfit(x, y, 1)[0])


def sweep(kind: str, sizes: list[int], seeds: int) -> list[dict]:
    rows = []
    for size in sizes:
        print(f"  {kind} = {size:,} ...", file=sys.stderr, flush=True)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, str(size), "--seeds", str(seeds)]
        t0 = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if res.returncode != 0:
            rows.append(
                {
                    "kind": kind,
                    "size": size,
                    "error": res.stderr.strip().splitlines()[-1] if res.stderr.strip() else f"exit {res.returncode}",
                }
            )
            print(f"    failed: {rows[-1]['error']}", file=sys.stderr)
            continue
        row = json.loads(res.stdout.strip().splitlines()[-1])
        row["wall_s"] = time.perf_counter() - t0
        rows.append(row)
    return rows


def report(kind: str, rows: list[dict]) -> str:
    ok = [r for r in rows if "error" not in r]
    lines = [
        f"{kind}: {'size':>9}{'services':>10}{'people':>8}{'setup s':>10}{'run ms/min':>12}{'minutes':>9}{'peak RSS MiB':>14}{'growth MiB':>12}",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"{'':<{len(kind) + 2}}{r['size']:>9,}  FAILED: {r['error']}")
            continue
        lines.append(
            f"{'':<{len(kind) + 2}}{r['size']:>9,}{r['services']:>10,}{r['responders']:>8,}{r['setup_s']:>10.3f}"
            f"{r['run_ms_per_minute']:>12.3f}{r['minutes']:>9.0f}{r['rss_peak_mib']:>14.0f}{r['rss_growth_mib']:>12.0f}"
        )
    if len(ok) >= 3:
        sizes = [r["size"] for r in ok]
        lines.append(
            f"  growth exponent b (cost ~ size^b) over {sizes[0]:,}-{sizes[-1]:,}: setup {exponent(sizes, [r['setup_s'] for r in ok]):.2f}, "
            f"run per minute {exponent(sizes, [r['run_ms_per_minute'] for r in ok]):.2f}, "
            f"memory growth {exponent(sizes, [max(r['rss_growth_mib'], 1.0) for r in ok]):.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer, smaller sizes")
    ap.add_argument("--only", choices=("services", "responders"), help="one of the two sweeps")
    ap.add_argument("--seeds", type=int, default=2, help="seeds per size (median reported; default 2)")
    ap.add_argument("--json", metavar="PATH", help="also write every figure as JSON")
    ap.add_argument("--worker", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(args.worker[0], int(args.worker[1]), args.seeds)))
        return 0
    mode = "quick" if args.quick else "full"
    os.environ.setdefault("JCS_SIM_MEMORY_LIMIT_GIB", "16")  # measure past the default limit, to see the growth
    res: dict = {"mode": mode, "seeds": args.seeds, "date": time.strftime("%Y-%m-%d %H:%M %Z")}
    for kind, sizes in (("services", SERVICES[mode]), ("responders", RESPONDERS[mode])):
        if args.only and kind != args.only:
            continue
        res[kind] = sweep(kind, sizes, args.seeds)
        print(report(kind, res[kind]))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
