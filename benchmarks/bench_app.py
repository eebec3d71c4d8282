"""Benchmark the classroom app: one step of the model plus drawing everything the page shows.

Usage::

    .venv/bin/python benchmarks/bench_app.py            # default scenario, 200 minutes
    .venv/bin/python benchmarks/bench_app.py --preset big --minutes 120
    .venv/bin/python benchmarks/bench_app.py --json results/bench_app.json

Two measurements per minute of a run (the issue's target: a step of the
default scenario drawn well under 0.25 s):

* **step + figures**: ``model.step()``, then every picture the page draws
  (network, services, charts, histogram, chat log, status, the "why?"
  explanation), each serialised as it is sent to the browser (``to_json``).
* **step + page re-render**: ``model.step()``, then Mesa's redraw signal and
  the whole Solara dashboard re-rendered in this process (widgets diffed and
  updated; no browser): what the server does per step.

The browser's own drawing (plotly.js) is not included; the browser tests
check that steps show up, not how fast.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_S = 0.25


def _stats(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    return {
        "n": len(xs),
        "median_ms": 1000 * statistics.median(xs),
        "p95_ms": 1000 * xs[min(len(xs) - 1, int(0.95 * len(xs)))],
        "max_ms": 1000 * xs[-1],
    }


def bench_figures(preset: str, minutes: int, seed: int) -> dict[str, float]:
    from jcs_sim.app import channel, charts
    from jcs_sim.app import components as C
    from jcs_sim.app.app import ClassroomModel
    from jcs_sim.app.presets import Lesson
    from jcs_sim.explain import explain_decision

    lesson = Lesson()
    lesson.choose(preset, seed=seed)
    replays = [{"seed": s, "time_to_resolve": 60 + 7 * s if s % 9 else None} for s in range(50)]
    model = ClassroomModel(lesson)
    C.network_figure(model).to_json()  # warm plotly's validators once, as the first page load does
    times = []
    while model.running and model.minute < minutes:
        t0 = time.perf_counter()
        model.step()
        C.network_figure(model).to_json()
        C.service_figure(model, reveal_root=True).to_json()
        charts.charts_figure(model).to_json()
        charts.histogram_figure(replays, {"seed": seed, "minute": model.minute, "resolve": None}, 720).to_json()
        channel.chat_html(channel.chat_rows(model), len(model.messages))
        rows, _ = channel.decision_rows(model, 0, model.minute)
        if rows:
            explain_decision(rows)
        times.append(time.perf_counter() - t0)
    return _stats(times)


def bench_page(preset: str, minutes: int, seed: int) -> dict[str, float]:
    import solara
    from mesa.visualization.utils import force_update

    from jcs_sim.app.app import ClassroomModel, Dashboard
    from jcs_sim.app.presets import Lesson

    lesson = Lesson()
    lesson.choose(preset, seed=seed)
    model = solara.reactive(ClassroomModel(lesson))

    @solara.component
    def Bench():
        Dashboard(model, lesson)

    _box, rc = solara.render(Bench(), handle_error=False)
    times = []
    try:
        while model.value.running and model.value.minute < minutes:
            t0 = time.perf_counter()
            model.value.step()
            force_update()  # what Mesa's Step button does after stepping
            times.append(time.perf_counter() - t0)
    finally:
        rc.close()
    return _stats(times)


def main() -> int:
    from jcs_sim.app.presets import PRESETS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="default", choices=list(PRESETS))
    ap.add_argument("--minutes", type=int, default=200, help="minutes to step (fewer if the incident resolves first)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = ap.parse_args()
    out = {
        "preset": args.preset,
        "seed": args.seed,
        "step_and_figures": bench_figures(args.preset, args.minutes, args.seed),
        "step_and_page_rerender": bench_page(args.preset, args.minutes, args.seed),
        "target_ms": 1000 * TARGET_S,
    }
    print(f"jcs-sim app benchmark: preset {args.preset}, seed {args.seed}, up to {args.minutes} minutes")
    print(f"{'measure':<26}{'steps':>7}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    ok = True
    for key in ("step_and_figures", "step_and_page_rerender"):
        s = out[key]
        print(f"{key.replace('_', ' '):<26}{s['n']:>7}{s['median_ms']:>11.1f}{s['p95_ms']:>9.1f}{s['max_ms']:>9.1f}")
        ok &= s["p95_ms"] < out["target_ms"]
    print(f"{'PASS' if ok else 'MISS'}: p95 of a step drawn < {out['target_ms']:.0f} ms")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
