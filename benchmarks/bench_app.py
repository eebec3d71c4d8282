"""Benchmark the classroom app: a step drawn in the browser, and the same work on the server alone.

Usage::

    .venv/bin/python benchmarks/bench_app.py                 # server-side figures and page, default scenario
    .venv/bin/python benchmarks/bench_app.py --browser       # also: step-to-redraw, play pace, what-if, in headless Chromium
    .venv/bin/python benchmarks/bench_app.py --browser --root /path/to/other/checkout   # the same, another version's app
    .venv/bin/python benchmarks/bench_app.py --browser --root OLD --root NEW --rounds 3  # before/after, taking turns
    .venv/bin/python benchmarks/bench_app.py --json results/bench_app.json

Measurements (the issue's targets: a step of the default scenario drawn in
the browser within 0.25 s, and play keeping up with its nominal speed):

* **step + figures**: ``model.step()``, then every picture the page can
  show (network, services, charts, histogram, chat log, the "why?"
  explanation), each serialised as it is sent to the browser (plain specs, ``figure_json``).
* **step + page re-render**: ``model.step()``, then the dashboard as shown
  at first (network and channel) re-rendered by Solara in this process.
* **browser step-to-redraw** (``--browser``): ``jcs-sim viz`` in a
  subprocess, headless Chromium (Playwright) at 1280x720; ``--steps``
  clicks on Step with the right-hand panel on the channel (minutes 0 to
  ``--steps``), then as many on the progress charts, where the page has
  such tabs (older versions show everything). Each step is timed twice:
  *in page*, from the mouse press to the start of the animation frame after
  every visible figure among network, charts and histogram has been redrawn
  by plotly.js (their ``data-drawn`` counters) and, on the channel tab, the
  channel has changed (when a message came that minute); and *Playwright*,
  from the call of ``click()`` in this process until it sees every visible
  figure redrawn, which adds Playwright's own work (finding the button,
  waiting for it to be stable, round trips; about 50 ms).
* **play pace** (``--browser``): minutes advanced per second of play at the
  default speed, against the nominal 4 per second, and the share of those
  minutes the network was redrawn for.
* **the channel with "What if read right?" buttons** (``--browser``): play
  at 8 minutes per second to ``--what-if-minute`` (200), when the channel
  holds dozens of misreadings, each with its button; then ``--steps`` more
  steps timed as above on the channel tab, and ``--what-if`` buttons
  clicked, each timed from the click until its answer box shows the times
  (the replay of the run to its end, twice, on the server).

``--root`` twice or more measures each checkout's app in turn, ``--rounds``
times, so a load that comes and goes on a shared machine hits each alike;
the load average is printed per session.

This is a benchmark, not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_S = 0.25
PLAY = re.compile(r"^▶( Play)?$")  # the play button of every version of the page, not "next ▶"
PAUSE = re.compile(r"^❚❚")


def _stats(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    if not xs:
        return {"n": 0}
    return {
        "n": len(xs),
        "median_ms": 1000 * statistics.median(xs),
        "p95_ms": 1000 * xs[min(len(xs) - 1, int(0.95 * len(xs)))],
        "max_ms": 1000 * xs[-1],
    }


def bench_figures(preset: str, minutes: int, seed: int) -> dict[str, float]:
    from jcs_sim.app import channel, charts, why
    from jcs_sim.app import components as C
    from jcs_sim.app.app import ClassroomModel
    from jcs_sim.app.presets import Lesson
    from jcs_sim.app.widgets import figure_json

    lesson = Lesson()
    lesson.choose(preset, seed=seed)
    replays = [{"seed": s, "time_to_resolve": 60 + 7 * s if s % 9 else None} for s in range(50)]
    model = ClassroomModel(lesson)
    figure_json(C.network_spec(model))  # warm plotly's validators once, as the first page load does
    times = []
    while model.running and model.minute < minutes:
        t0 = time.perf_counter()
        model.step()
        figure_json(C.network_spec(model))
        figure_json(C.service_spec(model, reveal_root=True))
        figure_json(charts.charts_spec(model))
        figure_json(charts.histogram_spec(replays, {"seed": seed, "minute": model.minute, "resolve": None}, 720))
        channel.chat_html(channel.chat_rows(model), len(model.messages))
        rows, _ = channel.decision_rows(model, 0, model.minute)
        if rows:
            why.explain_html(rows)
        figure_json(why.timeline_spec(model, 0, None))
        times.append(time.perf_counter() - t0)
    return _stats(times)


def bench_page(preset: str, minutes: int, seed: int) -> dict[str, float]:
    import solara

    from jcs_sim.app.app import DEFAULT_SPEED, ClassroomModel, Dashboard, Run
    from jcs_sim.app.presets import Lesson

    lesson = Lesson()
    lesson.choose(preset, seed=seed)
    run = Run(
        lesson,
        solara.reactive(ClassroomModel(lesson)),
        solara.reactive(False),
        solara.reactive(DEFAULT_SPEED),
        solara.reactive(0),
        solara.reactive(None),
    )

    @solara.component
    def Bench():
        Dashboard(run)

    _box, rc = solara.render(Bench(), handle_error=False)
    times = []
    try:
        while run.model.value.running and run.model.value.minute < minutes:
            t0 = time.perf_counter()
            run.step()  # steps and bumps the tick: the dashboard re-renders, as after a click on Step
            times.append(time.perf_counter() - t0)
    finally:
        rc.close()
    return _stats(times)


# --------------------------------------------------------------------------
# In the browser
# --------------------------------------------------------------------------
_DRAWN = """(names) => Object.fromEntries(names.map(n => {
    const e = document.querySelector(`[data-figure=${n}]`);
    return [n, e && e.offsetParent !== null ? +(e.getAttribute('data-drawn') || 0) : null];
}))"""
_MINUTE = "() => +(/Minute (\\d+)/.exec(document.querySelector('[data-testid=status]').innerText) || [0, -1])[1]"
# Installed in the page before it loads: the time of the last press of a mouse button, and, for each
# figure and for the channel, the start of the first animation frame after its last change (the frame
# that paints it), all in performance.now() milliseconds. The "in page" figures are computed from these:
# they leave out Playwright's own work around a click (finding the button, waiting for it to be stable,
# round trips to this process), which the "Playwright" figures include.
_PROBE = """
window.__jcs = { down: null, drawn: {}, chat: null };
document.addEventListener('mousedown', () => { window.__jcs.down = performance.now(); }, true);
new MutationObserver((records) => {
  for (const r of records) {
    const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    if (!el) continue;
    if (r.type === 'attributes' && r.attributeName === 'data-drawn') {
      const name = el.getAttribute('data-figure');
      requestAnimationFrame(() => { window.__jcs.drawn[name] = performance.now(); });
    } else if (el.closest && el.closest('[data-testid=chat]')) {
      requestAnimationFrame(() => { window.__jcs.chat = performance.now(); });
    }
  }
}).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-drawn'] });
"""
SETTLE_S = 0.3  # s after the figures are drawn within which a change of the channel counts as this step's


def _load() -> float:
    import os

    return os.getloadavg()[0]


def bench_browser(
    root: Path, preset_title: str, steps: int, play_s: float, what_if: int = 3, what_if_minute: int = 120
) -> dict[str, object]:
    """Step-to-redraw, play pace and the "What if read right?" buttons in headless Chromium, against the app served from ``root``."""
    import os
    import socket
    import subprocess
    import urllib.request

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from browser_setup import CHROMIUM_ARGS, ensure_chromium
    from playwright.sync_api import sync_playwright

    from jcs_sim.app.assets import ensure_assets

    ensure_assets()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(root))  # that checkout's package, whatever this process imported
    server = subprocess.Popen(
        [sys.executable, "-m", "jcs_sim", "viz", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    out: dict[str, object] = {"root": str(root), "load_before": _load()}
    try:
        for _ in range(400):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                time.sleep(0.25)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(ensure_chromium()), args=CHROMIUM_ARGS)
            pg = browser.new_page(viewport={"width": 1280, "height": 720})
            pg.add_init_script(_PROBE)
            pg.goto(url)
            pg.wait_for_selector("[data-figure=network][data-drawn]", timeout=60_000)
            pg.get_by_role("button", name=preset_title).click()
            pg.wait_for_function(f"() => ({_MINUTE})() === 0", timeout=15_000)
            time.sleep(1.0)
            has_tabs = pg.get_by_role("button", name="Progress", exact=True).count() > 0
            views = [("channel", "Channel"), ("progress", "Progress")] if has_tabs else [("everything", None)]
            for label, tab in views:
                if tab:
                    pg.get_by_role("button", name=tab, exact=True).click()
                    time.sleep(1.0)
                out[f"step_to_redraw_{label}"] = _step_times(pg, steps, chat=label == "channel")
            if has_tabs:
                pg.get_by_role("button", name="Channel", exact=True).click()
            out["play"] = _play_pace(pg, play_s)
            if what_if and pg.locator("[data-testid=chat]").count():
                out.update(_what_if(pg, steps, what_if, what_if_minute))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    out["load_after"] = _load()
    return out


def _step_times(pg, steps: int, chat: bool = False) -> dict[str, object]:
    """``steps`` clicks on Step, each timed until the visible figures (and with ``chat``, the channel) are redrawn."""
    names = ["network", "charts", "histogram"]
    wall, in_page = [], []
    for _ in range(steps):
        before = pg.evaluate(_DRAWN, names)
        visible = [n for n, v in before.items() if v is not None]
        minute = pg.evaluate(_MINUTE)
        pg.evaluate("() => { window.__jcs.drawn = {}; window.__jcs.chat = null; window.__jcs.down = null; }")
        t0 = time.perf_counter()
        pg.get_by_role("button", name="Step", exact=True).click()
        pg.wait_for_function(
            f"([names, before, minute]) => {{ const now = ({_DRAWN})(names);"
            f" return ({_MINUTE})() > minute && names.every(n => now[n] > before[n] && window.__jcs.drawn[n]); }}",
            arg=[visible, before, minute],
            timeout=30_000,
            polling="raf",
        )
        wall.append(time.perf_counter() - t0)
        if chat:  # the channel is redrawn after a minute with a message: give it time to arrive, then count it
            time.sleep(SETTLE_S)
        probe = pg.evaluate("() => window.__jcs")
        done = [probe["drawn"][n] for n in visible] + ([probe["chat"]] if chat and probe["chat"] is not None else [])
        if probe["down"] is not None:
            in_page.append((max(done) - probe["down"]) / 1000)
    return {"in_page": in_page, "playwright": wall}


def _what_if(pg, steps: int, clicks: int, minute: int) -> dict[str, object]:
    """The channel with "What if read right?" buttons: step-to-redraw with them in view, and click-to-answer."""
    from playwright.sync_api import expect

    button = pg.locator("[data-testid=chat] .jcs-readright")
    fast = pg.get_by_role("button", name="8/s", exact=True)
    if fast.count():
        fast.click()
    start = pg.evaluate(_MINUTE)
    pg.get_by_role("button", name=PLAY).click()  # to a minute with misreadings in the channel, at the fastest speed
    t0 = time.perf_counter()
    pg.wait_for_function(
        f"(m) => ({_MINUTE})() >= m || /resolved/.test(document.querySelector('[data-testid=status]').innerText)",
        arg=minute,
        timeout=180_000,
    )
    played = pg.evaluate(_MINUTE) - start, time.perf_counter() - t0
    pg.get_by_role("button", name=PAUSE).click()
    if fast.count():
        pg.get_by_role("button", name="4/s", exact=True).click()
    time.sleep(1.0)
    out: dict[str, object] = {
        "what_if_buttons_at_start": button.count(),
        "what_if_from_minute": pg.evaluate(_MINUTE),
        "play_fast": {
            "minutes": played[0],
            "seconds": played[1],
            "minutes_per_s": played[0] / played[1],
            "share_of_nominal": played[0] / played[1] / 8,
        },
    }
    if not button.count():
        return out
    out["step_to_redraw_channel_what_if_buttons"] = _step_times(pg, steps, chat=True)
    out["what_if_buttons_at_end"] = button.count()
    box = pg.locator("[data-testid=whatif] :is([data-testid=whatif-times], .jcs-error)")
    answers = []
    n = button.count()
    for k in range(min(clicks, n)):
        b = button.nth(k * max(1, n // clicks))  # newest first in the markup; spread over the channel
        t0 = time.perf_counter()
        b.click()
        expect(box).to_be_visible(timeout=60_000)
        answers.append(time.perf_counter() - t0)
        pg.get_by_role("button", name="Close", exact=True).click()
        expect(box).to_have_count(0, timeout=10_000)
    out["what_if_click_to_answer"] = {"playwright": answers}
    return out


def _play_pace(pg, seconds: float) -> dict[str, float]:
    start_minute = pg.evaluate(_MINUTE)
    drawn0 = pg.evaluate(_DRAWN, ["network"])["network"]
    pg.get_by_role("button", name=PLAY).click()
    t0 = time.perf_counter()
    time.sleep(seconds)
    minutes = pg.evaluate(_MINUTE) - start_minute
    drawn = pg.evaluate(_DRAWN, ["network"])["network"] - drawn0
    elapsed = time.perf_counter() - t0
    pg.get_by_role("button", name=PAUSE).click()
    nominal = 4.0  # minutes per second at the default speed (250 ms per minute) of every version
    return {
        "seconds": elapsed,
        "minutes": minutes,
        "minutes_per_s": minutes / elapsed,
        "share_of_nominal": minutes / elapsed / nominal,
        "network_redraws_per_minute": drawn / max(minutes, 1),
    }


def _merge(into: dict[str, object], got: dict[str, object]) -> None:
    """Add one browser session's samples (and scalars, as lists) to ``into``."""
    for key, value in got.items():
        if isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):
            slot = into.setdefault(key, {})
            for k, v in value.items():
                slot.setdefault(k, []).extend(v)
        else:
            into.setdefault(key, []).append(value)


def _row(label: str, s: dict[str, float]) -> str:
    if not s.get("n"):
        return f"{label:<54}{0:>7}"
    return f"{label:<54}{s['n']:>7}{s['median_ms']:>11.1f}{s['p95_ms']:>9.1f}{s['max_ms']:>9.1f}"


def main() -> int:
    from jcs_sim.app.presets import PRESETS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="default", choices=list(PRESETS))
    ap.add_argument("--minutes", type=int, default=200, help="minutes to step (fewer if the incident resolves first)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--browser", action="store_true", help="also measure in headless Chromium (step-to-redraw, play pace, what-if)")
    ap.add_argument(
        "--root",
        type=Path,
        action="append",
        help="checkout whose app the browser measures (default: this one); given twice or more, the checkouts take turns in each round",
    )
    ap.add_argument("--rounds", type=int, default=1, help="browser sessions per checkout, interleaved between checkouts")
    ap.add_argument("--steps", type=int, default=40, help="steps clicked per browser measurement")
    ap.add_argument("--play-seconds", type=float, default=10.0)
    ap.add_argument("--what-if", type=int, default=3, help="What if read right? buttons clicked per session (0: none)")
    ap.add_argument("--what-if-minute", type=int, default=120, help="minute played to before the what-if measurements")
    ap.add_argument("--server-side", action=argparse.BooleanOptionalAction, default=True, help="measure the server-side work too")
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = ap.parse_args()
    roots = args.root or [Path(__file__).resolve().parents[1]]
    out: dict[str, object] = {"preset": args.preset, "seed": args.seed, "target_ms": 1000 * TARGET_S}
    print(f"jcs-sim app benchmark: preset {args.preset}, seed {args.seed}")
    header = f"{'measure':<54}{'n':>7}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}"
    if args.server_side:
        print(header)
        for key, fn in (("step_and_figures", bench_figures), ("step_and_page_rerender", bench_page)):
            out[key] = fn(args.preset, args.minutes, args.seed)
            print(_row(key.replace("_", " "), out[key]))
    if args.browser:
        samples: dict[Path, dict[str, object]] = {root: {} for root in roots}
        for r in range(args.rounds):
            for root in roots:
                got = bench_browser(root, PRESETS[args.preset].title, args.steps, args.play_seconds, args.what_if, args.what_if_minute)
                _merge(samples[root], got)
                print(f"round {r + 1}, {root}: load average {got['load_before']:.1f} before, {got['load_after']:.1f} after", flush=True)
        out["browser"] = {}
        for root in roots:
            got = samples[root]
            summary: dict[str, object] = {"raw": got}
            print(
                f"\n{root}  (load average per session: {', '.join(f'{a:.1f}-{b:.1f}' for a, b in zip(got['load_before'], got['load_after'], strict=True))})"
            )
            print(header)
            for key, value in got.items():
                if isinstance(value, dict):
                    for how in ("in_page", "playwright"):
                        if how in value:
                            summary[f"{key}.{how}"] = _stats(value[how])
                            print(_row(f"{key.replace('_', ' ')} ({how.replace('_', ' ')})", summary[f"{key}.{how}"]))
            for p in got.get("play", []):
                print(
                    f"play at 4 minutes/s for {p['seconds']:.1f} s: {p['minutes']} minutes ({p['minutes_per_s']:.2f}/s, "
                    f"{100 * p['share_of_nominal']:.0f}% of nominal); network redrawn for {100 * p['network_redraws_per_minute']:.0f}% of minutes"
                )
            for p in got.get("play_fast", []):
                print(
                    f"play at 8 minutes/s for {p['seconds']:.1f} s (to the what-if minute): {p['minutes']} minutes "
                    f"({p['minutes_per_s']:.2f}/s, {100 * p['share_of_nominal']:.0f}% of nominal)"
                )
            if "what_if_buttons_at_start" in got:
                print(
                    f"what-if buttons in the channel: {got['what_if_buttons_at_start']} to {got.get('what_if_buttons_at_end')}, from minute {got['what_if_from_minute']}"
                )
            worst = [summary[k] for k in summary if k.startswith("step_to_redraw") and k.endswith("in_page") and summary[k].get("n")]
            if worst:
                ok = max(s["p95_ms"] for s in worst) <= out["target_ms"]
                print(f"{'MEETS' if ok else 'MISSES'}: step-to-redraw in the page, p95 of every view <= {out['target_ms']:.0f} ms")
            out["browser"][str(root)] = summary
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
