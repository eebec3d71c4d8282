"""The README's figure: time to resolve over 300 seeds of the default scenario.

Writes ``docs/img/time_to_resolve.html`` (a plotly histogram; plotly.js is
loaded from its CDN so the file stays small) and, only if kaleido and a
Chromium it can drive are installed, ``docs/img/time_to_resolve.png``.
Prints the quantile table that the README embeds, so the README's numbers
can be checked by running this script:

    .venv/bin/python experiments/readme_figure.py

Censored runs (not resolved within run.max_minutes) are counted and
reported, never dropped silently; the histogram shows resolved runs only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

import jcs_sim

ROOT = Path(__file__).resolve().parent.parent
QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)


def run_seeds(n: int) -> list[dict]:
    """Summaries of the default scenario for seeds 0 .. n-1."""
    cfg = jcs_sim.default_config()
    return [jcs_sim.run(cfg, seed=s) for s in range(n)]


def quantile_table(summaries: list[dict]) -> str:
    """The plain-text table embedded in the README."""
    ttr = np.array([s["time_to_resolve"] for s in summaries if s["resolved"]], dtype=float)
    n, censored = len(summaries), sum(s["censored"] for s in summaries)
    horizon = jcs_sim.default_config()["run"]["max_minutes"]
    lines = [
        f"time to resolve, default scenario, seeds 0-{n - 1}: {n - censored} resolved, {censored} censored at {horizon} min",
        "quantile   minutes   hours",
    ]
    for q in QUANTILES:
        v = float(np.quantile(ttr, q))
        lines.append(f"  {int(q * 100):>3}%     {v:7.0f}   {v / 60:5.2f}")
    lines.append(f"  mean     {ttr.mean():7.0f}   {ttr.mean() / 60:5.2f}")
    return "\n".join(lines)


def figure(summaries: list[dict]) -> go.Figure:
    ttr = [s["time_to_resolve"] for s in summaries if s["resolved"]]
    censored = sum(s["censored"] for s in summaries)
    horizon = jcs_sim.default_config()["run"]["max_minutes"]
    fig = go.Figure(go.Histogram(x=ttr, xbins=dict(size=10), marker_color="#4c78a8"))
    fig.add_vline(x=float(np.median(ttr)), line_dash="dash", annotation_text=f"median {np.median(ttr):.0f} min (resolved runs)")
    fig.update_layout(
        title=f"Time to resolve, default scenario, {len(summaries)} seeds ({censored} censored at {horizon} min, not shown)",
        xaxis_title="minutes from the first alert to resolution",
        yaxis_title="runs",
        bargap=0.05,
        template="plotly_white",
    )
    return fig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--outdir", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    summaries = run_seeds(args.seeds)
    print(quantile_table(summaries))
    args.outdir.mkdir(parents=True, exist_ok=True)
    fig = figure(summaries)
    html = args.outdir / "time_to_resolve.html"
    fig.write_html(html, include_plotlyjs="cdn")
    print(f"wrote {html.relative_to(ROOT) if html.is_relative_to(ROOT) else html}")
    try:
        png = args.outdir / "time_to_resolve.png"
        fig.write_image(png, width=800, height=450)
        print(f"wrote {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")
    except Exception as exc:  # kaleido or Chromium missing: the HTML is the figure
        why = next((line.strip() for line in str(exc).splitlines() if line.strip()), "kaleido unavailable")
        print(f"no PNG ({type(exc).__name__}: {why})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
