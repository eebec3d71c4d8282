"""Systematization: structured vs free-form updates, with and without speed-up, for familiar vs unfamiliar teams.

Pugh (2021) describes systematization of connective labor along three
dimensions and a "colliding intensification": templates and speed-up can
make exchanges legible to strangers while crowding out the seeing-and-being-
seen that builds relationships. The model has both knobs
(``communication.structured_updates``: clearer, slower to write, and
``connective.template_crowding`` of the connection value; and
``connective.speedup``: less time per exchange, less clear, smaller tie
gains, exchanges feel costlier), so the sign of the trade-off is an output.

Cells: cross-team familiarity (strangers / familiar) x updates (free-form /
structured) x speed-up (0 / 0.7), single incidents of the default scenario,
the same seeds in every cell (common random numbers: the same fault and
service graph), so differences between cells are paired by seed.

Run (about 4 minutes with --workers 1 on a busy 2-core machine):

    .venv/bin/python experiments/systematization/run.py

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

UPDATES = {"free-form": ["communication.structured_updates=false"], "structured": ["communication.structured_updates=true"]}
COLORS = {"strangers": "#e45756", "familiar": "#4c78a8"}


def cells(speedups: list[float]) -> list[tuple[str, str, float]]:
    return list(itertools.product(C.FAMILIARITY, UPDATES, speedups))


def condition(updates: str, speedup: float) -> str:
    return f"{updates}, speed-up {speedup:g}"


def collect(args: argparse.Namespace) -> dict[tuple[str, str, float], list[dict]]:
    out = {}
    for fam, upd, sp in cells(args.speedups):
        cfg = apply_overrides(default_config(), [*C.FAMILIARITY[fam], *UPDATES[upd], f"connective.speedup={sp}", *args.set])
        t = time.time()
        out[(fam, upd, sp)] = C.run_incidents(cfg, range(args.seeds), workers=args.workers)
        print(f"  {fam:>9}, {condition(upd, sp):>26}: {args.seeds} runs in {time.time() - t:.0f} s", flush=True)
    return out


def metrics(runs: list[dict], horizon: int) -> dict[str, C.CI]:
    col = lambda k: np.array([r[k] for r in runs], dtype=float)  # noqa: E731
    return {
        "ttr": C.median_ci(C.times(runs, "time_to_resolve", horizon)),
        "ttr_mean": C.mean_ci(C.times(runs, "time_to_resolve", horizon)),
        "misread": C.ratio_ci(col("messages_misread"), col("messages_read")),
        "acts": C.mean_ci(col("connective_acts")),
        "tie_across": C.mean_ci(col("tie_change_across")),
        "repairs": C.mean_ci(col("repairs")),
        "unrepaired": C.mean_ci(col("unrepaired_misreads")),
        "messages": C.mean_ci(col("messages_sent")),
    }


def censored(runs: list[dict]) -> int:
    return sum(r["censored"] for r in runs)


def paired(data: dict, horizon: int, fam: str, a: tuple[str, float], b: tuple[str, float]) -> C.CI:
    """Mean per-seed difference in time to resolve, cell a minus cell b, at one familiarity."""
    return C.paired_ci(C.times(data[(fam, *a)], "time_to_resolve", horizon), C.times(data[(fam, *b)], "time_to_resolve", horizon))


def interaction(data: dict, horizon: int, a: tuple[str, float], b: tuple[str, float]) -> C.CI:
    """(a - b) among strangers minus (a - b) among familiar teams, per seed, in minutes to resolve."""
    t = lambda fam, cell: C.times(data[(fam, *cell)], "time_to_resolve", horizon)  # noqa: E731
    d = (t("strangers", a) - t("strangers", b)) - (t("familiar", a) - t("familiar", b))
    return C.mean_ci(d)


def figure(res: dict, args: argparse.Namespace, outdir: Path) -> list[str]:
    conds = [(u, sp) for u in UPDATES for sp in args.speedups]
    labels = [f"{u}<br>speed-up {sp:g}" for u, sp in conds]
    panels = (
        ("ttr", "Median time to resolve, min"),
        ("misread", "Misread rate (misread / read)"),
        ("acts", "Connective acts per incident"),
        ("tie_across", "Across-team tie change per incident"),
    )
    fig = make_subplots(rows=2, cols=2, subplot_titles=[t for _, t in panels], vertical_spacing=0.16)
    for p, (key, _) in enumerate(panels):
        row, col = p // 2 + 1, p % 2 + 1
        for f, fam in enumerate(C.FAMILIARITY):
            cis = [res[(fam, u, sp)][key] for u, sp in conds]
            C.add_ci_series(fig, labels, cis, f"{fam} across teams", COLORS[fam], -0.1 + 0.2 * f, row=row, col=col, showlegend=p == 0)
    fig.add_hline(y=0, line_dash="dot", line_color="grey", row=2, col=2)
    fig.update_xaxes(tickangle=0)
    fig.update_layout(
        title=f"Systematization: templates and speed-up, {args.seeds} incidents per cell (95% bootstrap CIs)",
        template="plotly_white",
    )
    return C.write_figure(fig, outdir, "systematization", width=1150, height=800)


def report(data: dict, res: dict, args: argparse.Namespace, notes: list[str], elapsed: float) -> str:
    horizon = default_config()["run"]["max_minutes"]
    sp0, sp1 = args.speedups[0], args.speedups[-1]
    rows = []
    for fam, upd, sp in cells(args.speedups):
        r = res[(fam, upd, sp)]
        rows.append(
            [fam, upd, f"{sp:g}", r["ttr"].fmt(0), censored(data[(fam, upd, sp)]), r["misread"].fmt(3), r["acts"].fmt(1),
             r["repairs"].fmt(1), r["unrepaired"].fmt(1), r["tie_across"].fmt(2)]
        )  # fmt: skip
    table = C.markdown_table(
        ["cross-team ties", "updates", "speed-up", "median TTR, min", "censored", "misread rate", "connective acts",
         "repairs", "unrepaired misreads", "across-team tie change"],
        rows,
    )  # fmt: skip
    contrasts = []
    for fam in C.FAMILIARITY:
        for sp in args.speedups:
            contrasts.append(
                [fam, f"structured − free-form (speed-up {sp:g})", paired(data, horizon, fam, ("structured", sp), ("free-form", sp)).fmt(1)]
            )
        for upd in UPDATES:
            contrasts.append([fam, f"speed-up {sp1:g} − {sp0:g} ({upd})", paired(data, horizon, fam, (upd, sp1), (upd, sp0)).fmt(1)])
    for sp in args.speedups:
        contrasts.append(["strangers − familiar", f"(structured − free-form), speed-up {sp:g}",
                          interaction(data, horizon, ("structured", sp), ("free-form", sp)).fmt(1)])  # fmt: skip
    table2 = C.markdown_table(["teams", "contrast in time to resolve", "mean paired Δ, min"], contrasts)

    lines = [
        "# Systematization: structured vs free-form updates, for familiar vs unfamiliar teams",
        "",
        f"Generated by `experiments/systematization/run.py --seeds {args.seeds}` ({elapsed:.0f} s). Single incidents of the "
        f"default scenario, seeds 0–{args.seeds - 1} in every cell. Strangers: `{' '.join(C.FAMILIARITY['strangers'])}`; "
        f"familiar: `{' '.join(C.FAMILIARITY['familiar'])}`. Structured updates: `communication.structured_updates=true` "
        "(clarity +0.25, writing ×1.8, `connective.template_crowding` 0.6 of the connection value crowded out). "
        f"Speed-up: `connective.speedup` {sp0:g} vs {sp1:g}" + (f"; with `--set {' '.join(args.set)}`" if args.set else "") + ".",
        "",
        f"95% bootstrap CIs over runs; misread rate pooled (misread / read). Times never reached within {horizon} min count as {horizon}.",
        "",
        "## Cells",
        "",
        table,
        "",
        "## Paired contrasts (same seeds)",
        "",
        table2,
        "",
        "## What the model produced",
        "",
        *findings(data, res, args, horizon),
        "",
        EXPLANATION,
    ]
    if notes:
        lines += ["", "## Figures not written", "", *[f"- {n}" for n in notes]]
    lines += ["", "## Figure", "", "- `systematization.html` / `.png`: the four metrics per cell, strangers and familiar side by side.", ""]
    return "\n".join(lines)


def direction(ci: C.CI, neg: str, pos: str) -> str:
    return neg if ci.hi < 0 else (pos if ci.lo > 0 else "no detectable difference")


def drop_difference(data: dict, sp: float) -> C.CI:
    """(misread rate free-form − structured) among strangers minus the same among familiar teams, seeds resampled."""
    cols = []
    for fam in C.FAMILIARITY:
        for upd in ("free-form", "structured"):
            runs = data[(fam, upd, sp)]
            cols += [[r["messages_misread"] for r in runs], [r["messages_read"] for r in runs]]
    a = np.array(cols, dtype=float).T

    def stat(x: np.ndarray) -> float:
        rate = [x[:, 2 * k].sum() / x[:, 2 * k + 1].sum() for k in range(4)]
        return (rate[0] - rate[1]) - (rate[2] - rate[3])

    return C.bootstrap_ci(a, stat)


def findings(data: dict, res: dict, args: argparse.Namespace, horizon: int) -> list[str]:
    sp0, sp1 = args.speedups[0], args.speedups[-1]
    out = []
    for fam in C.FAMILIARITY:
        f, s = res[(fam, "free-form", sp0)], res[(fam, "structured", sp0)]
        d = paired(data, horizon, fam, ("structured", sp0), ("free-form", sp0))
        out.append(
            f"- {fam.capitalize()}, templates vs free-form (no speed-up): misread rate {f['misread'].fmt(3)} → {s['misread'].fmt(3)}, "
            f"connective acts {f['acts'].fmt(1)} → {s['acts'].fmt(1)}, across-team tie change {f['tie_across'].fmt(2)} → "
            f"{s['tie_across'].fmt(2)}; time to resolve {direction(d, 'faster', 'slower')} ({d.fmt(1, 'min')} paired)."
        )
    for fam in C.FAMILIARITY:
        f, s = res[(fam, "free-form", sp0)], res[(fam, "free-form", sp1)]
        d = paired(data, horizon, fam, ("free-form", sp1), ("free-form", sp0))
        out.append(
            f"- {fam.capitalize()}, speed-up {sp1:g} vs {sp0:g} (free-form): connective acts {f['acts'].fmt(1)} → {s['acts'].fmt(1)}, "
            f"unrepaired misreadings {f['unrepaired'].fmt(1)} → {s['unrepaired'].fmt(1)}, misread rate {f['misread'].fmt(3)} → "
            f"{s['misread'].fmt(3)}, across-team tie change {f['tie_across'].fmt(2)} → {s['tie_across'].fmt(2)}; "
            f"time to resolve {direction(d, 'faster', 'slower')} ({d.fmt(1, 'min')} paired)."
        )
    i = interaction(data, horizon, ("structured", sp0), ("free-form", sp0))
    drop = {fam: res[(fam, "free-form", sp0)]["misread"].est - res[(fam, "structured", sp0)]["misread"].est for fam in C.FAMILIARITY}
    dd = drop_difference(data, sp0)
    out.append(
        f"- Do templates help strangers more than familiar teams? Difference of the paired template effects "
        f"(strangers − familiar): {i.fmt(1, 'min')}: "
        + (
            "yes, templates save strangers more time."
            if i.hi < 0
            else ("no, the reverse: templates cost strangers more." if i.lo > 0 else "no detectable difference.")
        )
        + f" Templates remove {drop['strangers']:.3f} of the misread rate among strangers and {drop['familiar']:.3f} among "
        f"familiar teams (difference {dd.fmt(3)}, seeds resampled; "
        + (
            "more among strangers, as a shift in log-odds gives where misreading is more likely)"
            if dd.lo > 0
            else (
                "less among strangers; the pooled rate also moves with the mix of messages read, which templates change)"
                if dd.hi < 0
                else "not separable: no sign that templates remove more misreading among strangers)"
            )
        )
        + ", while the extra writing time is the same for both."
    )
    worst, best = res[("strangers", "structured", sp1)], res[("strangers", "free-form", sp0)]
    out.append(
        f"- Both systematizations together among strangers (structured, speed-up {sp1:g}) vs neither: connective acts "
        f"{best['acts'].fmt(1)} → {worst['acts'].fmt(1)}, across-team tie change {best['tie_across'].fmt(2)} → "
        f"{worst['tie_across'].fmt(2)}, median time to resolve {best['ttr'].fmt(0)} → {worst['ttr'].fmt(0)} min."
    )
    acts = 1.0 - worst["acts"].est / best["acts"].est
    both = paired(data, horizon, "strangers", ("structured", sp1), ("free-form", sp0))
    ties = (
        "ties that fall instead of grow"
        if worst["tie_across"].hi < 0 < best["tie_across"].lo
        else f"an across-team tie change of {worst['tie_across'].fmt(2)} instead of {best['tie_across'].fmt(2)}"
    )
    on_time = (
        f"for no detectable change in time to resolve ({both.fmt(1, 'min')} paired)"
        if not both.excludes(0)
        else f"for a {'slower' if both.lo > 0 else 'faster'} incident ({both.fmt(1, 'min')} paired)"
    )
    lead = "the cost of systematization falls on the relationship more than on the incident" if not both.excludes(0) else "systematization"
    out.append(
        f"- So, in this model, {lead}: {acts:.0%} fewer connective acts and {ties}, {on_time}. Among strangers the ties "
        "not built in this incident are the familiarity the next one starts from (see the game-days experiment for what ties "
        "are worth over a quarter)."
    )
    cens = {cell: censored(runs) for cell, runs in data.items()}
    n = len(next(iter(data.values())))
    out.append(
        f"- Censored (unresolved after {horizon} min, counted as {horizon}): {min(cens.values())}–{max(cens.values())} of {n} "
        "incidents per cell. They weigh heavily on the paired means of time to resolve and widen their intervals; the medians "
        "are not, while fewer than half are censored."
    )
    return out


EXPLANATION = """\
### Which mechanisms give these signs

(See `jcs_sim/connective.py`, `jcs_sim/communication.py`, `jcs_sim/model.py`.)

- **Templates** add 0.25 to every message's clarity, which lowers the
  misread log-odds (ambiguity term), and make every message 1.8 times
  slower to write. Under `template_crowding` the connection value of
  acknowledging, clarifying and owning a mistake is cut by 60%, so fewer of
  those acts win in g; with fewer misreadings there is also less to repair.
  Fewer exchanges build fewer ties: the trade-off Pugh describes, produced
  here by construction of the two parameters, with its net effect on time
  an output.
- **Speed-up** shortens writing (×(1 − 0.5·speedup)) but lowers clarity
  (×(1 − 0.3·speedup)), shrinks tie gains (×(1 − speedup)) and makes
  connective acts feel costlier under time pressure. Misreadings rise
  and fewer are caught in an exchange before `repair_window` expires, so
  more of them cost trust: ties across teams can *fall* over an incident.
- **Familiar teams** misread less (unfamiliarity term) and value connective
  acts less (the connection value is scaled by unfamiliarity, gains by
  1 − tie), so both knobs have less to crowd out among them.
- Whether the time saved or lost shows up in time to resolve depends on
  how much of an incident is spent writing and misunderstanding, against
  investigating and remediating, which neither knob touches.
- **Incidents differ in kind** (since the model of commit f12b51e,
  ODD §7.17-7.19): detection takes minutes, a share of faults are novel
  failure modes that only a code fix ends (hours of work), and wrong
  actions can break services until undone. These long incidents, some
  censored, dominate the spread of time to resolve, so a few minutes
  gained or lost in writing and reading are harder to separate than in the
  model before, even with paired seeds.

Of Pugh's three dimensions of systematization, the model represents two:
systems that target connective labor itself rather than "everything but"
(templates act on the messages, and `template_crowding` is how they
squeeze the exchanges in between), and scarcity or speed-up
(`connective.speedup`). The third, systems that augment human interaction
rather than subordinate or replace it, has no parameter of its own here.
Burnout from impeded connection (unrepaired misreadings) accumulates only
in campaigns (`campaign.burnout_impeded`), so single incidents report the
unrepaired misreadings that would feed it.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=500, help="incidents per cell (default 500)")
    parser.add_argument("--speedups", type=float, nargs=2, default=[0.0, 0.7], help="the two speed-up levels (default 0 0.7)")
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
