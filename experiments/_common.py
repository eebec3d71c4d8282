"""Shared code of the experiment scripts: running seeds, bootstrap intervals, tables, figures.

Every experiment in ``experiments/<name>/run.py`` puts ``experiments/`` on
``sys.path`` and imports this module, so the statistics and the figure
export are written once:

* :func:`run_incidents` / :func:`run_campaigns`: many seeds of one
  configuration, in up to ``workers`` processes (results are in seed order,
  so they do not depend on the number of workers);
* :func:`bootstrap_ci`: a percentile bootstrap over independent units
  (runs, or whole campaigns when incidents inside one are correlated);
  :func:`median_ci`, :func:`mean_ci`, :func:`ratio_ci`, :func:`paired_ci`
  and :func:`clustered_ci` wrap it for the usual cases;
* :func:`write_figure`: a plotly figure as HTML (plotly.js from its CDN, so
  the file stays small) and as PNG through kaleido, which drives Debian's
  Chromium (``/usr/bin/chromium``; installed with apt-get when missing, never
  downloaded). When no PNG can be made the HTML is still written and the
  reason is returned, for the experiment's markdown to say so.

Censoring: a time never reached within ``run.max_minutes`` is counted as the
horizon (:func:`times`), so medians are correct while fewer than half of the
runs are censored; the scripts report how many were.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import importlib.util
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
PNG_LIMIT_BYTES = 300_000

# Cross-team relationships used by the experiments that compare familiar and unfamiliar teams.
# Strangers: the values of configs/three_am_page.toml; familiar: as close as teammates by default.
FAMILIARITY = {
    "strangers": ["relationships.across_team=0.1", "relationships.across_density=0.15"],
    "familiar": ["relationships.across_team=0.7", "relationships.across_density=0.9"],
}

__all__ = [
    "CI",
    "FAMILIARITY",
    "bootstrap_ci",
    "mean_ci",
    "median_ci",
    "ratio_ci",
    "pooled_rate",
    "clustered_ci",
    "paired_ci",
    "times",
    "run_incidents",
    "run_campaigns",
    "markdown_table",
    "ensure_browser",
    "write_figure",
    "add_ci_series",
    "results_dir",
    "rel",
]


# ----- running ----------------------------------------------------------------------------


def _incident(args: tuple[dict[str, Any], int, bool]) -> dict[str, Any]:
    from jcs_sim import IncidentModel

    cfg, seed, responders = args
    s = IncidentModel(cfg, seed=seed, record_trace=False).run().summary()
    if not responders:
        s.pop("responders", None)
    return s


def _campaign(args: tuple[dict[str, Any], int, int]) -> dict[str, Any]:
    from jcs_sim.campaign import Campaign

    cfg, seed, days = args
    camp = Campaign(cfg, seed=seed, days=days).run()
    return {"seed": seed, "incidents": camp.incidents, "days": camp.day_rows, "summary": camp.summary()}


def _map(func: Callable, items: list, workers: int) -> list:
    if workers <= 1 or len(items) < 2:
        return [func(x) for x in items]
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, items, chunksize=max(1, len(items) // (4 * workers))))


def run_incidents(cfg: dict[str, Any], seeds: Iterable[int], workers: int = 1, responders: bool = False) -> list[dict[str, Any]]:
    """Summaries of single incidents, in seed order (the per-responder list only with ``responders``)."""
    return _map(_incident, [(cfg, int(s), responders) for s in seeds], workers)


def run_campaigns(cfg: dict[str, Any], seeds: Iterable[int], days: int, workers: int = 1) -> list[dict[str, Any]]:
    """Campaigns as dicts with 'seed', 'incidents' (rows), 'days' (rows) and 'summary', in seed order."""
    return _map(_campaign, [(cfg, int(s), days) for s in seeds], workers)


def times(rows: Sequence[dict[str, Any]], key: str, horizon: float) -> np.ndarray:
    """A time metric per run, a time never reached counted as the censoring horizon."""
    return np.array([horizon if r[key] is None else r[key] for r in rows], dtype=float)


# ----- statistics -------------------------------------------------------------------------


@dataclass(frozen=True)
class CI:
    """An estimate with a bootstrap confidence interval."""

    est: float
    lo: float
    hi: float
    level: float = 0.95

    def fmt(self, digits: int = 1, unit: str = "") -> str:
        u = f" {unit}" if unit else ""
        return f"{self.est:.{digits}f}{u} [{self.lo:.{digits}f}, {self.hi:.{digits}f}]"

    def excludes(self, value: float = 0.0) -> bool:
        return not (self.lo <= value <= self.hi)


def bootstrap_ci(
    units: Sequence[Any] | np.ndarray,
    stat: Callable[[Any], float],
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> CI:
    """Percentile bootstrap: resample the units (rows of an array, or items of a list) with replacement.

    ``stat`` receives what it would receive for the original data: an array
    with the resampled rows, or a list of the resampled items (use a list of
    arrays to resample whole clusters, e.g. the incidents of one campaign).
    """
    rng = np.random.default_rng(seed)
    n = len(units)
    if n == 0:
        return CI(float("nan"), float("nan"), float("nan"), level)
    is_array = isinstance(units, np.ndarray)
    draws = np.empty(n_boot)
    for b in range(n_boot):
        idx = rng.integers(0, n, n)
        draws[b] = stat(units[idx] if is_array else [units[i] for i in idx])
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(draws, [alpha, 1.0 - alpha])
    return CI(float(stat(units)), float(lo), float(hi), level)


def median_ci(x: Sequence[float] | np.ndarray, **kw: Any) -> CI:
    return bootstrap_ci(np.asarray(x, dtype=float), np.median, **kw)


def mean_ci(x: Sequence[float] | np.ndarray, **kw: Any) -> CI:
    return bootstrap_ci(np.asarray(x, dtype=float), np.mean, **kw)


def pooled_rate(a: np.ndarray) -> float:
    """Sum of column 0 over sum of column 1 (e.g. messages misread / messages read)."""
    return float(a[:, 0].sum() / a[:, 1].sum())


def ratio_ci(numerators: Sequence[float], denominators: Sequence[float], **kw: Any) -> CI:
    """A rate pooled over runs (sum of numerators / sum of denominators), resampling runs."""
    data = np.column_stack([np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)])
    return bootstrap_ci(data, pooled_rate, **kw)


def clustered_ci(groups: Sequence[np.ndarray], stat: Callable[[np.ndarray], float] = np.median, **kw: Any) -> CI:
    """``stat`` of the rows of all groups pooled, resampling whole groups (e.g. the incidents of one campaign)."""
    return bootstrap_ci(list(groups), lambda gs: float(stat(np.concatenate(gs))), **kw)


def paired_ci(a: Sequence[float], b: Sequence[float], stat: Callable[[np.ndarray], float] = np.mean, **kw: Any) -> CI:
    """``stat`` of the per-unit differences a - b (the same seeds in both arms: common random numbers)."""
    return bootstrap_ci(np.asarray(a, dtype=float) - np.asarray(b, dtype=float), stat, **kw)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# ----- figures ----------------------------------------------------------------------------

_browser: tuple[str | None, str] | None = None  # (path, why not) once looked for


def _load_browser_setup():
    """tests/browser_setup.py (the project's one place that installs Chromium), if it is there."""
    path = ROOT / "tests" / "browser_setup.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("_jcs_browser_setup", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _apt_install_chromium() -> None:
    """Debian's chromium package through apt-get (never a downloaded browser)."""
    apt = shutil.which("apt-get")
    if apt is None:
        raise RuntimeError("no apt-get on this machine")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in ([apt, "install", "-y", "chromium"], [apt, "update"], [apt, "install", "-y", "chromium"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode == 0 and CHROMIUM.exists():
            return
    raise RuntimeError(f"apt-get install -y chromium failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}")


def ensure_browser() -> tuple[str | None, str]:
    """Find (or install) Chromium and point kaleido at it (``BROWSER_PATH``). Returns (path or None, why not)."""
    global _browser
    if _browser is not None:
        return _browser
    try:
        setup = _load_browser_setup()
        if setup is not None:
            path = str(setup.ensure_chromium())
        else:
            if not CHROMIUM.exists():
                _apt_install_chromium()
            path = str(CHROMIUM)
        os.environ.setdefault("BROWSER_PATH", path)  # choreographer (kaleido 1.x) reads it
        _browser = (path, "")
    except Exception as exc:  # no browser: HTML only, and the markdown says why
        _browser = (None, f"{type(exc).__name__}: {exc}")
    return _browser


def write_figure(fig, outdir: Path, name: str, width: int = 900, height: int = 520) -> list[str]:
    """Write ``name.html`` and ``name.png`` under ``outdir``; return notes on anything not written."""
    outdir.mkdir(parents=True, exist_ok=True)
    fig.write_html(outdir / f"{name}.html", include_plotlyjs="cdn", full_html=True)
    path, why = ensure_browser()
    if path is None:
        return [f"{name}.png not written: no Chromium for kaleido ({why})"]
    png = outdir / f"{name}.png"
    try:
        fig.write_image(png, width=width, height=height, scale=1)
    except Exception as exc:  # kaleido or Chromium failed: the HTML is the figure
        first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
        return [f"{name}.png not written: {type(exc).__name__}: {first}"]
    if png.stat().st_size > PNG_LIMIT_BYTES:
        return [f"{name}.png is {png.stat().st_size // 1000} kB (over {PNG_LIMIT_BYTES // 1000} kB)"]
    return []


def add_ci_series(
    fig,
    labels: Sequence[str],
    cis: Sequence[CI],
    name: str,
    color: str,
    offset: float = 0.0,
    row: int | None = None,
    col: int | None = None,
    showlegend: bool = True,
) -> None:
    """Point estimates with asymmetric CI error bars at categorical positions (shifted by ``offset``, so that series sit side by side)."""
    import plotly.graph_objects as go

    trace = go.Scatter(
        x=[i + offset for i in range(len(labels))],
        y=[c.est for c in cis],
        error_y=dict(type="data", symmetric=False, array=[c.hi - c.est for c in cis], arrayminus=[c.est - c.lo for c in cis]),
        mode="markers",
        marker=dict(color=color, size=9),
        name=name,
        legendgroup=name,
        showlegend=showlegend,
        customdata=[[lab, c.lo, c.hi] for lab, c in zip(labels, cis, strict=True)],
        hovertemplate="%{customdata[0]}: %{y:.3g} [%{customdata[1]:.3g}, %{customdata[2]:.3g}]<extra>" + name + "</extra>",
    )
    fig.add_trace(trace, row=row, col=col)
    fig.update_xaxes(tickvals=list(range(len(labels))), ticktext=list(labels), row=row, col=col)


def results_dir(script: str | Path) -> Path:
    """``experiments/<name>/results/`` next to the running script."""
    return Path(script).resolve().parent / "results"


def rel(path: Path) -> str:
    """A path relative to the repository root, for printing."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def add_common_arguments(parser: argparse.ArgumentParser, script: str | Path) -> None:
    """The options every experiment script shares: --set, --workers, --outdir."""
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="extra config override")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--outdir", type=Path, default=results_dir(script))


def write_readme(outdir: Path, text: str) -> None:
    """Write the experiment's results/README.md and echo it."""
    (outdir / "README.md").write_text(text)
    print(text)
    print(f"wrote {rel(outdir)}/README.md and figures")
