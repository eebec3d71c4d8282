"""An organisation's incident history (HISTORY.csv) and the summary statistics calibration compares.

Why a module of its own: the history is user data, so every way it can be
wrong gets a one-line :class:`ConfigError` naming the file, the row and the
column, and what is allowed (the CLI turns that into exit status 2, never a
traceback). And the statistics must be computed *the same way* on the
observed history and on simulated incidents, or calibration fits an
artefact of the computation instead of the model, so both go through
:func:`summary_stats`.

The file: one incident a row. ``duration_min`` (minutes from the first
alert to resolution) is required. Optional: ``detect_min``,
``diagnose_min``, ``mitigate_min`` (minutes from the first alert to the
first responder on it, to the root cause named, to user impact stopped:
compared with the model's time to acknowledge, diagnose and mitigate);
``severity`` (1-3), ``hour`` (clock hour 0-24 at the first alert), ``teams``
(teams involved, >= 1), ``open`` (true: still open, so ``duration_min``
is the time it has been open so far, a right-censored lower bound) and
``window_min`` (minutes from the first alert to when the record was taken:
an incident still open then would have been written as open; for an open
row it is ``duration_min``). A phase or window cell may be empty (not
recorded).

Statistics. Incident durations are right-skewed and some are censored, so
the quantiles are Kaplan-Meier quantiles of log duration (an open incident
counts as "at least this long", never dropped and never taken as resolved),
plus the censored share, plus the median log phase time of each phase
column present. Observed and simulated incidents are censored alike: at the
model's horizon ``run.max_minutes``, and a simulated incident paired with a
row is censored at that row's observation window: an open row's open time,
or a resolved row's ``window_min`` where given. Why the window of resolved
rows too: a history taken when its incidents had been open for different
times censors the long ones more often; pairing only the open rows would
censor the simulations less than the history, and calibration would make
incidents longer to make up for it.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import ConfigError

__all__ = [
    "History",
    "MIN_ROWS",
    "PHASE_COLUMNS",
    "QUANTILES",
    "read_history",
    "km_quantiles",
    "summary_stats",
    "observed_stats",
    "stats_from_summaries",
    "arrays_from_summaries",
    "stat_names",
]

MIN_ROWS = 10  # fewer incidents than this cannot pin down a quantile of anything
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
# History column -> the model's phase (key of model.times).
PHASE_COLUMNS = {"detect_min": "acknowledge", "diagnose_min": "diagnose", "mitigate_min": "mitigate"}
KNOWN = ("duration_min", *PHASE_COLUMNS, "severity", "hour", "teams", "open", "window_min")
TRUE_WORDS = {"true", "1", "yes", "y", "open"}
FALSE_WORDS = {"false", "0", "no", "n", "closed", "resolved", ""}


@dataclass(frozen=True)
class History:
    """The incidents of a history file, as arrays (NaN: a phase not recorded; -1: a covariate not given)."""

    path: str
    duration: np.ndarray  # minutes; a lower bound where ``open``
    open: np.ndarray  # bool
    phases: dict[str, np.ndarray]  # model phase name -> minutes (NaN where empty)
    severity: np.ndarray | None  # int 1-3
    hour: np.ndarray | None  # float 0-24
    teams: np.ndarray | None  # int >= 1
    window: np.ndarray | None = None  # minutes from the first alert to the record (NaN: not recorded); None: no column

    @property
    def n(self) -> int:
        return int(self.duration.size)

    def describe(self) -> str:
        extra = [c for c, v in (("severity", self.severity), ("hour", self.hour), ("teams", self.teams)) if v is not None]
        phases = [c for c, p in PHASE_COLUMNS.items() if p in self.phases]
        return (
            f"{self.n} incidents ({int(self.open.sum())} open), median duration of the resolved "
            f"{float(np.median(self.duration[~self.open])):.0f} min; phases: {', '.join(phases) or 'none'}; "
            f"per-incident settings: {', '.join(extra) or 'none'}"
            + (f"; observation window of {int((~np.isnan(self.window)).sum())} rows" if self.window is not None else "")
        )


def _number(path: Path, row: int, col: str, text: str, low: float, high: float, integer: bool = False) -> float:
    what = f"an integer from {low:g} to {high:g}" if integer else f"a number from {low:g} to {high:g}"
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{path}: row {row}, column '{col}' = {text!r} is not a number; allowed: {what}.") from None
    if not math.isfinite(value) or value < low or value > high or (integer and value != int(value)):
        raise ConfigError(f"{path}: row {row}, column '{col}' = {text!r} is out of range; allowed: {what}.")
    return value


def _window(path: Path, row: int, text: str, duration: float, is_open: bool) -> float:
    """A row's observation window (NaN when the cell is empty), checked against its duration."""
    if text == "":
        return math.nan
    w = _number(path, row, "window_min", text, 0.0, math.inf)
    if is_open and w != duration:
        raise ConfigError(
            f"{path}: row {row}, column 'window_min' = {text} differs from duration_min = {duration:g} of an open incident; "
            "allowed: for an open incident the window is the time it has been open, duration_min (or leave the cell empty)."
        )
    if not is_open and w < duration:
        raise ConfigError(
            f"{path}: row {row}, column 'window_min' = {text} is shorter than duration_min = {duration:g} of a resolved "
            "incident; allowed: a window at least as long as the incident (it was recorded after it resolved)."
        )
    return w


def read_history(path: str | Path, min_rows: int = MIN_ROWS) -> History:
    """Read and check HISTORY.csv; raise a one-line ConfigError naming the file, row and column of any problem.

    Rows are numbered as a spreadsheet shows them (the header is row 1).
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such history file.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the history file: {exc}.") from None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise ConfigError(f"{path}: the history file is empty; expected a header with 'duration_min' and one incident a row.")
    reader = csv.DictReader(lines)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    if "duration_min" not in header:
        raise ConfigError(
            f"{path}: missing column 'duration_min' (minutes from first alert to resolution); columns found: "
            f"{', '.join(header) or 'none'}. Optional columns: {', '.join(KNOWN[1:])}."
        )
    unknown = [h for h in header if h not in KNOWN]
    if unknown:
        raise ConfigError(f"{path}: unknown column '{unknown[0]}'; allowed columns: {', '.join(KNOWN)}.")
    duration, is_open = [], []
    phases: dict[str, list[float]] = {p: [] for c, p in PHASE_COLUMNS.items() if c in header}
    sev: list[float] = []
    hour: list[float] = []
    teams: list[float] = []
    window: list[float] = []
    for i, rec in enumerate(reader, start=2):
        if None in rec:  # more cells than header columns
            raise ConfigError(f"{path}: row {i} has more cells than the header has columns ({len(header)}).")
        cell = {k: (v or "").strip() for k, v in rec.items()}
        if cell["duration_min"] == "":
            raise ConfigError(f"{path}: row {i}, column 'duration_min' is empty; allowed: a number of minutes >= 0.")
        d = _number(path, i, "duration_min", cell["duration_min"], 0.0, math.inf)
        o = False
        if "open" in cell:
            word = cell["open"].lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise ConfigError(f"{path}: row {i}, column 'open' = {cell['open']!r}; allowed: true or false (also yes/no, 1/0, empty).")
            o = word in TRUE_WORDS
        for col, phase in PHASE_COLUMNS.items():
            if col not in cell:
                continue
            if cell[col] == "":
                phases[phase].append(math.nan)
                continue
            v = _number(path, i, col, cell[col], 0.0, math.inf)
            if v > d:
                raise ConfigError(
                    f"{path}: row {i}, column '{col}' = {cell[col]} is later than duration_min = {cell['duration_min']}; "
                    "allowed: phase times count from the first alert, so none exceeds duration_min."
                )
            phases[phase].append(v)
        if "severity" in cell:
            sev.append(_number(path, i, "severity", cell["severity"], 1, 3, integer=True))
        if "hour" in cell:
            hour.append(_number(path, i, "hour", cell["hour"], 0.0, 24.0))
        if "teams" in cell:
            teams.append(_number(path, i, "teams", cell["teams"], 1, 1000, integer=True))
        if "window_min" in cell:
            window.append(_window(path, i, cell["window_min"], d, o))
        duration.append(d)
        is_open.append(o)
    if len(duration) < min_rows:
        raise ConfigError(f"{path}: {len(duration)} incident rows; calibration needs at least {min_rows}.")
    if all(is_open):
        raise ConfigError(f"{path}: every incident is open (censored); at least one resolved incident is needed.")
    return History(
        path=str(path),
        duration=np.asarray(duration, dtype=float),
        open=np.asarray(is_open, dtype=bool),
        phases={p: np.asarray(v, dtype=float) for p, v in phases.items()},
        severity=np.asarray(sev, dtype=int) if "severity" in header else None,
        hour=np.asarray(hour, dtype=float) if "hour" in header else None,
        teams=np.asarray(teams, dtype=int) if "teams" in header else None,
        window=np.asarray(window, dtype=float) if "window_min" in header else None,
    )


def km_quantiles(time: np.ndarray, event: np.ndarray, probs: tuple[float, ...] = QUANTILES) -> np.ndarray:
    """Kaplan-Meier quantiles of ``time`` (event False: right-censored at that time).

    A quantile the survival curve never reaches (too much censoring) is given
    as the largest time observed: an honest "at least this long" that keeps
    the statistic finite, which ABC's distance needs.
    """
    order = np.lexsort((~event, time))  # at equal times, events before censorings (the usual convention)
    t, e = time[order], event[order]
    n = t.size
    at_risk = n - np.arange(n)
    surv = np.cumprod(np.where(e, 1.0 - 1.0 / at_risk, 1.0))
    out = np.empty(len(probs))
    for j, p in enumerate(probs):
        hit = np.nonzero(surv <= 1.0 - p + 1e-12)[0]
        out[j] = t[hit[0]] if hit.size else t[-1]
    return out


def stat_names(phases: tuple[str, ...]) -> list[str]:
    """The names of the statistics, in order (also the keys of the dict pyabc compares)."""
    return [f"log_q{int(round(100 * p)):02d}" for p in QUANTILES] + ["censored_share"] + [f"log_median_{p}" for p in phases]


def summary_stats(
    duration: np.ndarray, resolved: np.ndarray, phases: dict[str, np.ndarray], horizon: float, phase_order: tuple[str, ...]
) -> dict[str, float]:
    """The statistics of a set of incidents (observed or simulated), censored at ``horizon``.

    ``duration`` is minutes (a lower bound where not ``resolved``); phase
    arrays hold NaN where a phase was not reached or not recorded. Log
    minutes use log(1 + t) so a 0-minute phase is fine.
    """
    d = np.minimum(duration, horizon)
    event = resolved & (duration <= horizon)
    q = km_quantiles(np.log1p(d), event)
    out = {name: float(v) for name, v in zip(stat_names(())[: len(QUANTILES)], q, strict=True)}
    out["censored_share"] = float(1.0 - event.mean())
    for p in phase_order:
        v = phases[p][event & ~np.isnan(phases[p])]
        out[f"log_median_{p}"] = float(np.median(np.log1p(v))) if v.size else float(np.log1p(horizon))
    return out


def observed_stats(history: History, horizon: float) -> dict[str, float]:
    """The statistics of the history itself."""
    return summary_stats(history.duration, ~history.open, history.phases, horizon, tuple(history.phases))


def from_first_alert(s: dict[str, Any]) -> dict[str, Any]:
    """A simulated incident's times as a history records them: minutes from the first alert.

    Why: the model's clock starts when the fault does (``time_to_detect`` is
    the monitoring's or customers' delay), while a history's ``duration_min``
    and phase columns count from the first alert. So durations and phases are
    taken from the detection; an incident never detected (the fault cleared
    first, under 1% of default runs) keeps the fault's clock. ``duration``
    of an unresolved run is the time it has been open; at least 1 minute.
    """
    start = s["time_to_detect"] or 0
    end = s["time_to_resolve"] if s["time_to_resolve"] is not None else s["minutes_simulated"]
    out: dict[str, Any] = {"duration": max(1, end - start), "resolved": s["time_to_resolve"] is not None}
    for p in ("acknowledge", "diagnose", "mitigate"):
        t = s[f"time_to_{p}"]
        out[p] = None if t is None else max(0, t - start)
    return out


def arrays_from_summaries(
    summaries: list[dict[str, Any]], phase_order: tuple[str, ...], open_at: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Durations, resolved flags and phase times of simulated incidents (``IncidentModel.summary()`` dicts).

    ``open_at[i]`` (NaN: none) censors simulated incident i at that minute, as
    the record of the history row it stands for was taken then (its window).
    """
    n = len(summaries)
    times = [from_first_alert(s) for s in summaries]  # a history's clock: from the first alert
    duration = np.array([t["duration"] for t in times], float)
    resolved = np.array([t["resolved"] for t in times], bool)
    phases = {p: np.array([np.nan if t[p] is None else t[p] for t in times], float) for p in phase_order}
    if open_at is not None:
        cut = ~np.isnan(open_at[:n]) & (duration > np.nan_to_num(open_at[:n], nan=np.inf))
        duration = np.where(cut, open_at[:n], duration)
        resolved = resolved & ~cut
    return duration, resolved, phases


def stats_from_summaries(
    summaries: list[dict[str, Any]], horizon: float, phase_order: tuple[str, ...], open_at: np.ndarray | None = None
) -> dict[str, float]:
    """The statistics of simulated incidents, censored like the history (see :func:`arrays_from_summaries`)."""
    duration, resolved, phases = arrays_from_summaries(summaries, phase_order, open_at)
    return summary_stats(duration, resolved, phases, horizon, phase_order)
