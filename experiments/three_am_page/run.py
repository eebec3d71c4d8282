"""The 3AM page: fatigue and paging a stranger.

The same incidents (seeds) at 14:00 after 7 hours awake and at 03:00 after
20 hours awake (near the model's circadian trough at 04:00, 4 hours past the
16 after which wakefulness adds fatigue), for responders whose cross-team
ties are those of strangers or of familiar colleagues. At night people are
asleep when paged (slower to acknowledge) and the social cost of paging
someone unfamiliar doubles; fatigue raises misreading and slows actions.

Measured per cell, with 95% bootstrap CIs: time to acknowledge, time until
the first subject-matter expert of another team is paged, time to resolve,
pages, and the misread rate; and paired contrasts (same seeds: the same
fault and service graph in every cell): night − day for each kind of team,
and whether the night costs strangers more than familiar teams.

Run (about 3 minutes with --workers 1 on a busy 2-core machine):

    .venv/bin/python experiments/three_am_page/run.py

Writes results/README.md (the numbers), results/*.html and results/*.png.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
from plotly.subplots import make_subplots

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _common as C  # noqa: E402

from jcs_sim.config import apply_overrides, default_config  # noqa: E402

CLOCK = {
    "14:00, 7 h awake": ["run.start_hour=14", "responders.hours_awake=7"],
    "03:00, 20 h awake": ["run.start_hour=3", "responders.hours_awake=20"],
}
DAY, NIGHT = list(CLOCK)
COLORS = {"strangers": "#e45756", "familiar": "#4c78a8"}


def first_sme_page(run: dict) -> float | None:
    """Minutes from the first alert until the first subject-matter expert (another team's on-call) is paged."""
    pages = [r["paged_at"] for r in run["responders"] if r["role"] == "sme" and r["paged_at"] is not None]
    return min(pages) if pages else None


def collect(args: argparse.Namespace) -> dict[tuple[str, str], list[dict]]:
    out = {}
    for clock, fam in itertools.product(CLOCK, C.FAMILIARITY):
        cfg = apply_overrides(default_config(), [*CLOCK[clock], *C.FAMILIARITY[fam], *args.set])
        t = time.time()
        runs = C.run_incidents(cfg, range(args.seeds), workers=args.workers, responders=True)
        for r in runs:
            r["time_to_sme_page"] = first_sme_page(r)
            r["people_paged"] = sum(x["paged_at"] is not None for x in r["responders"])
            r["roster"] = len(r["responders"])
            del r["responders"]
        out[(clock, fam)] = runs
        print(f"  {clock:>17}, {fam:>9}: {args.seeds} runs in {time.time() - t:.0f} s", flush=True)
    return out


def detected_times(runs: list[dict], key: str, horizon: int) -> np.ndarray:
    """A time per run; NaN for a run whose fault cleared on its own before it was detected (nobody was paged), except
    for time to resolve (the minute the fault cleared). Other times never reached count as the horizon."""
    x = C.times(runs, key, horizon)
    if key != "time_to_resolve":
        x[[r["time_to_detect"] is None for r in runs]] = np.nan
    return x


def undetected(runs: list[dict]) -> int:
    return sum(r["time_to_detect"] is None for r in runs)


def undetected_note(data: dict, seeds: int) -> str:
    counts = sorted({undetected(runs) for runs in data.values()})
    if len(counts) == 1:
        return f"{counts[0]} of {seeds} incidents in every cell"
    return f"{counts[0]}–{counts[-1]} of {seeds} incidents per cell"


def metrics(runs: list[dict], horizon: int) -> dict[str, C.CI]:
    col = lambda k: np.array([r[k] for r in runs], dtype=float)  # noqa: E731
    nan = lambda key, stat: C.bootstrap_ci(detected_times(runs, key, horizon), stat)  # noqa: E731
    return {
        "detect": nan("time_to_detect", np.nanmedian),
        "detect_mean": nan("time_to_detect", np.nanmean),
        "tta": nan("time_to_acknowledge", np.nanmedian),
        "tta_mean": nan("time_to_acknowledge", np.nanmean),
        "sme": nan("time_to_sme_page", np.nanmedian),
        "ttd": nan("time_to_diagnose", np.nanmedian),
        "ttr": C.median_ci(C.times(runs, "time_to_resolve", horizon)),
        "pages": C.mean_ci(col("pages")),
        "escalations": C.mean_ci(col("escalations")),
        "people_paged": C.mean_ci(col("people_paged")),
        "misread": C.ratio_ci(col("messages_misread"), col("messages_read")),
        "acts": C.mean_ci(col("connective_acts")),
        "unrepaired": C.mean_ci(col("unrepaired_misreads")),
    }


def t(data: dict, clock: str, fam: str, key: str, horizon: int) -> np.ndarray:
    return detected_times(data[(clock, fam)], key, horizon)


def night_minus_day(data: dict, fam: str, key: str, horizon: int) -> C.CI:
    return C.paired_ci(t(data, NIGHT, fam, key, horizon), t(data, DAY, fam, key, horizon), stat=np.nanmean)


def strangers_minus_familiar(data: dict, clock: str, key: str, horizon: int) -> C.CI:
    return C.paired_ci(t(data, clock, "strangers", key, horizon), t(data, clock, "familiar", key, horizon), stat=np.nanmean)


def interaction(data: dict, key: str, horizon: int) -> C.CI:
    """(night − day) among strangers minus (night − day) among familiar teams, per seed."""
    d = (t(data, NIGHT, "strangers", key, horizon) - t(data, DAY, "strangers", key, horizon)) - (
        t(data, NIGHT, "familiar", key, horizon) - t(data, DAY, "familiar", key, horizon)
    )
    return C.bootstrap_ci(d, np.nanmean)


def figure(res: dict, args: argparse.Namespace, outdir: Path) -> list[str]:
    panels = (
        ("tta", "Median time to acknowledge (from the fault's start), min"),
        ("sme", "Median time to first SME page, min"),
        ("ttr", "Median time to resolve, min"),
        ("misread", "Misread rate (misread / read)"),
        ("pages", "Pages sent (mean)"),
        ("people_paged", "People paged (mean)"),
        ("unrepaired", "Unrepaired misreadings (mean)"),
        ("acts", "Connective acts (mean)"),
    )
    fig = make_subplots(rows=2, cols=4, subplot_titles=[p[1] for p in panels], vertical_spacing=0.18, horizontal_spacing=0.06)
    for p, (key, _) in enumerate(panels):
        row, col = p // 4 + 1, p % 4 + 1
        for f, fam in enumerate(C.FAMILIARITY):
            cis = [res[(clock, fam)][key] for clock in CLOCK]
            C.add_ci_series(
                fig, list(CLOCK), cis, f"{fam} across teams", COLORS[fam], -0.08 + 0.16 * f, row=row, col=col, showlegend=p == 0
            )
        fig.update_xaxes(range=[-0.5, len(CLOCK) - 0.5], row=row, col=col)
    fig.update_layout(
        title=f"The 3AM page: {args.seeds} incidents per cell (95% bootstrap CIs)",
        template="plotly_white",
        legend=dict(orientation="h", y=-0.08),
        font=dict(size=11),
    )
    return C.write_figure(fig, outdir, "three_am_page", width=1450, height=720)


def direction(ci: C.CI, neg: str, pos: str) -> str:
    return neg if ci.hi < 0 else (pos if ci.lo > 0 else "no detectable difference")


def report(data: dict, res: dict, args: argparse.Namespace, notes: list[str], elapsed: float) -> str:
    horizon = default_config()["run"]["max_minutes"]
    rows = [
        [clock, fam, r["detect"].fmt(0), r["tta"].fmt(0), r["tta_mean"].fmt(1), r["sme"].fmt(0), r["ttd"].fmt(0), r["ttr"].fmt(0),
         sum(x["censored"] for x in data[(clock, fam)]), sum(x["time_to_sme_page"] is None for x in data[(clock, fam)]),
         r["pages"].fmt(2), r["people_paged"].fmt(2), r["escalations"].fmt(2), r["misread"].fmt(3), r["unrepaired"].fmt(1), r["acts"].fmt(1)]
        for (clock, fam), r in res.items()
    ]  # fmt: skip
    table = C.markdown_table(
        ["clock", "cross-team ties", "median time to detect, min", "median TTA, min", "mean TTA, min", "median first SME page, min",
         "median time to diagnose, min",
         "median TTR, min", "censored", "no SME paged", "pages", "people paged", "escalations", "misread rate", "unrepaired misreadings",
         "connective acts"],
        rows,
    )  # fmt: skip
    keys = (("time_to_acknowledge", "time to acknowledge"), ("time_to_sme_page", "first SME page"), ("time_to_resolve", "time to resolve"))
    contrasts = []
    for fam in C.FAMILIARITY:
        contrasts.append([f"night − day, {fam}", *[night_minus_day(data, fam, k, horizon).fmt(1) for k, _ in keys]])
    for clock in CLOCK:
        contrasts.append([f"strangers − familiar, {clock}", *[strangers_minus_familiar(data, clock, k, horizon).fmt(1) for k, _ in keys]])
    contrasts.append(["(night − day) strangers − (night − day) familiar", *[interaction(data, k, horizon).fmt(1) for k, _ in keys]])
    table2 = C.markdown_table(["paired contrast (same seeds), mean minutes", *[name for _, name in keys]], contrasts)

    lines = [
        "# The 3AM page: fatigue and paging a stranger",
        "",
        f"Generated by `experiments/three_am_page/run.py --seeds {args.seeds}` ({elapsed:.0f} s). Single incidents of the "
        f"default scenario, seeds 0–{args.seeds - 1} in every cell. Day: `{' '.join(CLOCK[DAY])}`; night: "
        f"`{' '.join(CLOCK[NIGHT])}` (as in `configs/three_am_page.toml`). Strangers: `{' '.join(C.FAMILIARITY['strangers'])}`; "
        f"familiar: `{' '.join(C.FAMILIARITY['familiar'])}`" + (f"; with `--set {' '.join(args.set)}`" if args.set else "") + ".",
        "",
        f"95% bootstrap CIs over runs; misread rate pooled (misread / read). Times never reached within {horizon} min count "
        f"as {horizon} (a first SME page that never happens too, counted in 'no SME paged'). 'Pages' counts pages sent (by alerting "
        "or a person; a second page to someone not yet answering counts too), 'people paged' the people ever paged, "
        "'escalations' the paging system's automatic re-sends to someone not yet answering. TTA: time to acknowledge the first page; "
        "first SME page: minutes until another team's on-call is first paged. Every time counts from the fault's start "
        "(minute 0), so time to acknowledge includes time to detect (ODD §7.17). "
        + undetected_note(data, args.seeds)
        + " end with a fault that cleared "
        "on its own before anyone detected it: nobody was paged, so they are left out of the times to detect, acknowledge, "
        "page an SME and diagnose and of their paired contrasts (they count in time to resolve, at the minute the fault "
        "cleared, and in 'no SME paged').",
        "",
        "## Cells",
        "",
        table,
        "",
        "## Paired contrasts",
        "",
        table2,
        "",
        "## What the model produced",
        "",
        *findings(data, res, horizon),
        "",
        EXPLANATION,
    ]
    if notes:
        lines += ["", "## Figures not written", "", *[f"- {n}" for n in notes]]
    lines += ["", "## Figure", "", "- `three_am_page.html` / `.png`: eight metrics per cell, strangers and familiar side by side.", ""]
    return "\n".join(lines)


def findings(data: dict, res: dict, horizon: int) -> list[str]:
    out = []
    for fam in C.FAMILIARITY:
        d, n = res[(DAY, fam)], res[(NIGHT, fam)]
        tta = night_minus_day(data, fam, "time_to_acknowledge", horizon)
        ttr = night_minus_day(data, fam, "time_to_resolve", horizon)
        out.append(
            f"- {fam.capitalize()}, 3AM vs 2PM: time to acknowledge {d['tta'].fmt(0)} → {n['tta'].fmt(0)} min (median; paired mean "
            f"{tta.fmt(1, 'min')}, {direction(tta, 'faster', 'slower')}), misread rate {d['misread'].fmt(3)} → {n['misread'].fmt(3)}, "
            f"pages {d['pages'].fmt(2)} → {n['pages'].fmt(2)} (people paged {d['people_paged'].fmt(2)} → "
            f"{n['people_paged'].fmt(2)}; automatic re-sends to people not yet answering {d['escalations'].fmt(2)} → "
            f"{n['escalations'].fmt(2)}), time to resolve {d['ttr'].fmt(0)} → {n['ttr'].fmt(0)} min "
            f"(paired mean {ttr.fmt(1, 'min')}, {direction(ttr, 'faster', 'slower')})."
        )
    for key, what in (("time_to_sme_page", "the first SME page"), ("time_to_resolve", "time to resolve")):
        s = strangers_minus_familiar(data, NIGHT, key, horizon)
        i = interaction(data, key, horizon)
        out.append(
            f"- At 3AM, strangers vs familiar teams, {what}: {s.fmt(1, 'min')} ({direction(s, 'sooner', 'later')}); "
            f"does the night cost strangers more? {i.fmt(1, 'min')}: "
            + ("yes." if i.lo > 0 else ("no, less." if i.hi < 0 else "no detectable difference."))
        )
    pp = {cell: r["people_paged"] for cell, r in res.items()}
    never = {cell: sum(x["time_to_sme_page"] is None for x in runs) for cell, runs in data.items()}
    n = len(data[(DAY, "strangers")])
    rosters = sorted({x["roster"] for runs in data.values() for x in runs})
    roster = f"{rosters[0]}" if len(rosters) == 1 else f"{rosters[0]}–{rosters[-1]}"
    spread = max(r.est for r in pp.values()) - min(r.est for r in pp.values())
    out.append(
        f"- People paged per incident: {pp[(DAY, 'familiar')].est:.2f} / {pp[(DAY, 'strangers')].est:.2f} by day (familiar / "
        f"strangers), {pp[(NIGHT, 'familiar')].est:.2f} / {pp[(NIGHT, 'strangers')].est:.2f} at 3AM, of a roster of {roster}"
        + (
            ": the four cells page about as many people (within half a person), so the night and unfamiliarity mostly "
            "*delay* the pages (first SME page above) rather than prevent them"
            if spread < 0.5
            else f": the cells differ by up to {spread:.2f} people paged, so the night or unfamiliarity also prevents some pages"
        )
        + f"; no SME of another team is paged at all in {never[(NIGHT, 'strangers')]} of {n} night incidents "
        f"among strangers ({never[(NIGHT, 'familiar')]} among familiar teams; {never[(DAY, 'strangers')]} and "
        f"{never[(DAY, 'familiar')]} by day)."
    )
    tta_i = interaction(data, "time_to_acknowledge", horizon)
    out.append(
        f"- Familiarity and time to acknowledge: (night − day) strangers − (night − day) familiar = {tta_i.fmt(1, 'min')}"
        + (
            " — as expected, the first page comes at detection (the monitoring or a customer's report), not from a person, "
            "so who knows whom cannot matter to it."
            if not tta_i.excludes(0)
            else "."
        )
    )
    return out


EXPLANATION = """\
### Which mechanisms give these signs

(See `jcs_sim/responders.py` `fatigue_at`, `jcs_sim/model.py` paging and acknowledging, `jcs_sim/goodness.py` the page candidate.)

- **Detecting and acknowledging**: nobody is paged until the fault is
  detected (the monitoring's hazard, or a customer's report when the
  monitoring missed it; ODD §7.17), which depends on neither the hour nor
  the ties, so with the same seeds it is the same in every cell. At night
  the page then wakes the on-call up (`asleep`), so the first
  acknowledgement is later whoever they know. The first page comes at
  detection, not from a person, so familiarity cannot change it.
- **Fatigue** at 03:00 after 20 h awake is the circadian term near its
  trough plus 0.05 per hour beyond 16 h; it raises the misread log-odds
  (`misread_fatigue`), slows actions (`fatigue.slowdown`), lowers effective
  knowledge (`fatigue.judgement`) and adds decision noise, for everyone:
  most of the night's cost in time to resolve is this, whoever knows whom;
  the part that depends on familiarity is the interaction row above.
- **Paging a stranger**: the social cost of the page candidate in g is
  −0.8 × (1 − familiarity) × (1 + night), so at night a page to someone
  unfamiliar weighs twice as much against its evidence and urgency; once
  paged, the SME is also asleep and slower to answer. Among familiar teams
  the same term is small.
- **Strangers misread more** (unfamiliarity term of the misread model),
  and do more connective labor to make up for it (its value is scaled by
  unfamiliarity), which costs minutes.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=500, help="incidents per cell (default 500)")
    C.add_common_arguments(parser, __file__)
    args = parser.parse_args(argv)
    t0 = time.time()
    horizon = default_config()["run"]["max_minutes"]
    data = collect(args)
    res = {cell: metrics(runs, horizon) for cell, runs in data.items()}
    notes = figure(res, args, args.outdir)
    text = report(data, res, args, notes, time.time() - t0)
    C.write_readme(args.outdir, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
