"""Counterfactual replay: a saved run again, with one change at one minute, sharing every draw the change does not reach.

A run is a pure function of its config and seed, so replaying the seed with
a change reproduces the run exactly up to the minute of the change. After
it, what is shared depends on how each draw is keyed:

- A responder's draws (``responder.<name>.decide``, ``.read``, ``.work``)
  are keyed by purpose, person and minute (``streams.MinuteStream``): the
  k-th number a person draws for a purpose at minute M depends only on the
  seed, the name, the purpose, M and k, never on how many that person drew
  before M. So whoever draws for the same purpose at the same minute in both
  runs gets the same numbers, as far as their calls that minute are the
  same, even if the change made them (or anyone) draw more or less earlier:
  the person who now reads differently, say, draws at minute 90 the same
  decision noise as in the run as drawn if they decide at minute 90 in both.
- Within a minute the draws are in order: a person who, after the change,
  makes one more draw early in a minute (one more message to read) shifts
  their own later draws of that purpose in that minute, and only those.
- The system's draws come from sequential streams named after what they are
  for (``system.dynamics``, ``system.remediation``, ``detection``, ...): one
  the change does not reach gives the same numbers in the same order; one it
  does reach (one remedy more or fewer, say) shifts its later draws, as a
  person's draws shifted before they were keyed by minute.

What differs after the change is then the counterfactual's own consequence
(someone decides at another minute, reads another message, starts another
remedy), not noise added by the replay. The per-person transactive-memory
errors (``responder.<name>.transactive``) are drawn whole at first use and
are the same whenever that is.

Changes (``--change``):

- ``read-right:PERSON:MESSAGE``: that read of message MESSAGE (an id of the
  run's messages table) is understood as meant, with the same draws;
  ``read-right:PERSON:all``: every read PERSON drew as a misreading;
- ``misread:PERSON:MESSAGE``: that read is misread (its one wrong reading);
- ``page:PERSON``: PERSON is paged at the minute (added to the incident);
- ``leave:PERSON``: PERSON leaves the incident at the minute, for good;
- ``skip-remediation:PERSON``: PERSON may not start a remedy at the minute.
"""

from __future__ import annotations

import concurrent.futures
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import ConfigError, validate

__all__ = ["Change", "KINDS", "parse_change", "load_run", "replay", "read_right_run", "divergence", "side_by_side", "batch"]

KINDS = {
    "read-right": "the read understood as meant (same draws)",
    "misread": "the read misread (its one wrong reading)",
    "page": "the person paged at the minute",
    "leave": "the person leaves the incident at the minute",
    "skip-remediation": "the person may not start a remedy at the minute",
}
PERSON_KINDS = ("page", "leave", "skip-remediation")


@dataclass(frozen=True)
class Change:
    """One change of a replay; ``message`` is a message id, -1 for every misreading of ``person``, None for person-only kinds."""

    kind: str
    person: str
    message: int | None = None

    def __str__(self) -> str:
        if self.message is None:
            return f"{self.kind}:{self.person}"
        return f"{self.kind}:{self.person}:{'all' if self.message < 0 else self.message}"


def parse_change(text: str) -> Change:
    """``KIND:PERSON`` or ``KIND:PERSON:MESSAGE``, with a one-line error naming what is allowed."""
    parts = text.split(":")
    kind = parts[0]
    allowed = "; ".join(f"{k} ({v})" for k, v in KINDS.items())
    if kind not in KINDS:
        raise ConfigError(f"--change {text!r}: unknown kind {kind!r}; allowed: {allowed}.")
    if kind in PERSON_KINDS:
        if len(parts) != 2 or not parts[1]:
            raise ConfigError(f"--change {text!r}: allowed: {kind}:PERSON (a name on the run's roster).")
        return Change(kind, parts[1])
    if len(parts) != 3 or not parts[1]:
        raise ConfigError(f"--change {text!r}: allowed: {kind}:PERSON:MESSAGE (a message id of the run, or 'all' for read-right).")
    if parts[2] == "all" and kind == "read-right":
        return Change(kind, parts[1], -1)
    if not parts[2].isascii() or not parts[2].isdigit():
        raise ConfigError(f"--change {text!r}: message {parts[2]!r} is not a message id; allowed: an integer >= 0 from the run's messages.")
    return Change(kind, parts[1], int(parts[2]))


def load_run(run_dir: str | Path) -> tuple[dict[str, Any], int]:
    """The config and seed of a run written with ``jcs-sim run --out``."""
    run_dir = Path(run_dir)
    try:
        cfg = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
        seed = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))["seed"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{run_dir}: not a run directory (needs config.json and summary.json with a seed: {exc}); "
            "write one with `jcs-sim run --out DIR`."
        ) from None
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ConfigError(f"{run_dir / 'summary.json'}: 'seed' = {seed!r}; allowed: an integer >= 0.")
    return validate(cfg, where=str(run_dir / "config.json")), seed


def _person(model: Any, name: str, change: Change) -> int:
    names = [p.name for p in model.people]
    if name not in names:
        raise ConfigError(f"--change {change}: {name!r} is not on this run's roster; allowed: {', '.join(names)}.")
    return names.index(name)


def _read_at(model: Any, reader: int, mid: int, minute: int, change: Change) -> bool:
    """Whether ``reader`` read message ``mid`` at ``minute`` in the run as drawn (and whether it was misread), or a clear error."""
    if not 0 <= mid < len(model.messages):
        raise ConfigError(f"--change {change}: message {mid} does not exist; allowed: 0 to {len(model.messages) - 1}.")
    reads = [(m, mis) for m, r, mis, _ in model.messages[mid].reads if r == reader]
    if not reads:
        raise ConfigError(f"--change {change}: {model.people[reader].name} never read message {mid} in this run.")
    at = [mis for m, mis in reads if m == minute]
    if not at:
        raise ConfigError(
            f"--change {change}: {model.people[reader].name} read message {mid} at minute {reads[0][0]}, not {minute}; use --at {reads[0][0]}."
        )
    return at[0]


def _apply(model: Any, drawn: Any, changes: list[Change], minute: int) -> None:
    """Set the replay's hooks on an unrun model (``drawn`` is the run as drawn, for checking message changes)."""
    for c in changes:
        who = _person(model, c.person, c)
        if c.kind == "read-right" and c.message == -1:
            model.read_right_readers.add(who)
        elif c.kind in ("read-right", "misread"):
            misread = _read_at(drawn, who, c.message, minute, c)
            if c.kind == "read-right" and not misread:
                raise ConfigError(f"--change {c}: that read was not a misreading; nothing to read right (try misread:...).")
            if c.kind == "misread" and misread:
                raise ConfigError(f"--change {c}: that read was already a misreading (try read-right:...).")
            (model.read_as_meant if c.kind == "read-right" else model.read_as_misread).add((who, c.message))
        elif c.kind == "skip-remediation":
            model.no_remediation.add((who, minute))
        else:
            model.interventions.setdefault(minute, []).append((c.kind, who))


def replay(cfg: dict[str, Any], seed: int, changes: list[Change], minute: int, record_trace: bool = True) -> tuple[Any, Any]:
    """The run as drawn and the run with the changes at ``minute``, both run to the end."""
    from .organisation import incident_model

    if minute < 0 or minute > cfg["run"]["max_minutes"]:
        raise ConfigError(f"--at {minute}: allowed: a minute from 0 to {cfg['run']['max_minutes']} (run.max_minutes).")
    drawn = incident_model(cfg, seed=seed, record_trace=record_trace).run()  # an organisation file's people too
    changed = incident_model(cfg, seed=seed, record_trace=record_trace)
    _apply(changed, drawn, changes, minute)
    return drawn, changed.run()


def read_right_run(cfg: dict[str, Any], seed: int, reads: set[tuple[int, int]], record_trace: bool = True) -> Any:
    """The run of ``seed`` with each (reader, message id) in ``reads`` understood as meant, same draws, run to its end.

    The one way the docs' generators and the classroom ask "what if it had been read right?".
    """
    from .organisation import incident_model

    model = incident_model(cfg, seed=seed, record_trace=record_trace)
    model.read_as_meant = set(reads)
    return model.run()


def _decisions(model: Any) -> dict[int, list[tuple]]:
    """Per minute: each decision's responder, action, target and g of the chosen candidate."""
    out: dict[int, list[tuple]] = {}
    for row in model.trace:
        if row[5]:
            out.setdefault(row[1], []).append((row[2], row[3], row[4], round(row[6], 9)))
    return out


def divergence(a: Any, b: Any) -> dict[str, Any] | None:
    """The first minute at which the two runs' events or decisions differ, with what each did then; None if identical."""
    ev_a: dict[int, list] = {}
    ev_b: dict[int, list] = {}
    for m, who, what in a.events:
        ev_a.setdefault(m, []).append((who, what))
    for m, who, what in b.events:
        ev_b.setdefault(m, []).append((who, what))
    da, db = _decisions(a), _decisions(b)
    last = max(a.minute, b.minute)
    for minute in range(last + 1):
        if ev_a.get(minute, []) != ev_b.get(minute, []) or da.get(minute, []) != db.get(minute, []):
            return {
                "minute": minute,
                "as_drawn": [f"{who}: {what}" for who, what in ev_a.get(minute, [])],
                "replayed": [f"{who}: {what}" for who, what in ev_b.get(minute, [])],
            }
    return None


def side_by_side(a: Any, b: Any, start: int, stop: int, width: int = 60) -> list[str]:
    """The two event logs from ``start`` to ``stop``, minute by minute, in two columns."""
    lines = [f"{'minute':>6}  {'as drawn':<{width}}  replayed"]
    for minute in range(start, stop + 1):
        left = [f"{who}: {what}" for m, who, what in a.events if m == minute]
        right = [f"{who}: {what}" for m, who, what in b.events if m == minute]
        for i in range(max(len(left), len(right))):
            lhs = left[i] if i < len(left) else ""
            rhs = right[i] if i < len(right) else ""
            lines.append(f"{minute if i == 0 else '':>6}  {lhs[:width]:<{width}}  {rhs}")
    return lines


def _pair(args: tuple[dict[str, Any], int, list[Change], int]) -> tuple[float, float, bool, bool]:
    cfg, seed, changes, minute = args
    drawn, changed = replay(cfg, seed, changes, minute, record_trace=False)
    horizon = float(cfg["run"]["max_minutes"])

    def ttr(m: Any) -> float:
        return float(m.times["resolve"]) if m.times["resolve"] is not None else horizon

    return ttr(drawn), ttr(changed), drawn.times["resolve"] is None, changed.times["resolve"] is None


def batch(cfg: dict[str, Any], seeds: int, changes: list[Change], minute: int, workers: int = 1) -> dict[str, Any]:
    """The average effect of the changes over seeds 0..seeds-1: paired ratios of time to resolve with 95% bootstrap CIs.

    Only changes that name a person (not a message of one run) make sense across seeds.
    """
    from .ablate import paired_ratios

    specific = [str(c) for c in changes if c.kind in ("read-right", "misread") and c.message != -1]
    if specific:
        raise ConfigError(f"--seeds with {specific[0]}: a message id belongs to one run; allowed across seeds: "
                          "read-right:PERSON:all, page, leave, skip-remediation.")  # fmt: skip
    if seeds < 2:
        raise ConfigError(f"--seeds {seeds}: allowed: an integer >= 2 (a paired comparison needs at least two seeds).")
    jobs = [(cfg, s, changes, minute) for s in range(seeds)]
    if workers > 1:
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            pairs = list(pool.map(_pair, jobs, chunksize=max(1, seeds // (4 * workers))))
    else:
        pairs = [_pair(j) for j in jobs]
    base = np.array([p[0] for p in pairs])
    arm = np.array([p[1] for p in pairs])
    r = paired_ratios(base, arm)
    return {
        "seeds": seeds,
        "changed_runs": int(np.sum(base != arm)),
        "geomean_ratio": r["geomean"],
        "median_ratio": r["median"],
        "mean_difference_minutes": float(np.mean(arm - base)),
        "censored": {"as_drawn": int(sum(p[2] for p in pairs)), "replayed": int(sum(p[3] for p in pairs))},
    }
