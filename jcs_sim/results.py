"""Results of one run: the summary, the timeline, the decision trace, the messages.

Why tidy tables with the seed, config and version attached: a result must be
reproducible from what travels with it. Tables are built once at the end of
a run from the plain lists the model appended to, never per step.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ._version import __version__
from .actions import ACTIONS, COMPONENTS, PERSON_TARGETS
from .communication import describe
from .config import FAULT_TYPES, ConfigError
from .connective import tie_changes

if TYPE_CHECKING:
    from .model import IncidentModel

__all__ = [
    "prepare_out_dir",
    "write_atomic",
    "write_text_atomic",
    "write_table_atomic",
    "summarize",
    "timeline_table",
    "trace_table",
    "messages_table",
    "write_run",
    "TIMELINE_COLUMNS",
]

TIMELINE_COLUMNS = (
    "minute", "n_active", "severity", "user_impact", "fault_fixed", "n_symptomatic",
    "messages_sent", "messages_misread", "belief_on_root",
)  # fmt: skip


def summarize(model: IncidentModel) -> dict[str, Any]:
    """The run's metrics: times (minutes, None when not reached), counts, workload, who was there."""
    t = model.times
    resolved = t["resolve"] is not None
    workload = [p.minutes_active for p in model.people if p.joined_at is not None]
    return {
        "seed": model.seed,
        "version": __version__,
        "resolved": resolved,
        "censored": not resolved,
        "minutes_simulated": model.minute,
        "time_to_detect": t["detect"],
        "time_to_acknowledge": t["acknowledge"],
        "time_to_diagnose": t["diagnose"],
        "time_to_mitigate": t["mitigate"],
        "time_to_resolve": t["resolve"],
        "fault_type": model.fault.kind,
        "novel": model.fault.novel,
        "flapping": model.fault.flapping,
        "detected_by": model.monitor.how or None,
        "root_cause": model.sg.names[model.fault.root],
        "root_cause_team": model.sg.team_names[int(model.sg.team_of[model.fault.root])],
        "second_cause": model.sg.names[model.fault.second] if model.fault.second >= 0 else None,
        "first_alert": model.sg.names[model.fault.first_alert],
        "first_alert_team": model.sg.team_names[int(model.sg.team_of[model.fault.first_alert])],
        "fixed_by": model.system.fixed_by,
        **{k: int(v) for k, v in model.counts.items()},
        **tie_changes(model),
        "decisions": model.decisions,
        "workload_gini": _gini(workload),
        "responders": [
            {
                "name": p.name,
                "role": p.role,
                "team": p.team,
                "paged_at": p.paged_at,
                "joined_at": p.joined_at,
                "minutes_active": p.minutes_active,
                "messages_sent": p.messages_sent,
                "messages_read": p.messages_read,
                "messages_misread": p.messages_misread,
                "fatigue_at_page": round(p.base_fatigue, 4),
                "minutes_by_action": dict(sorted(p.minutes_by_kind.items())),
            }
            for p in model.people
        ],
    }


def _gini(x: list[int]) -> float:
    """Gini coefficient of workload across responders who joined (0 even, 1 one person did all)."""
    if len(x) < 2 or sum(x) == 0:
        return 0.0
    a = np.sort(np.asarray(x, dtype=float))
    n = a.size
    return float((2 * np.arange(1, n + 1) - n - 1) @ a / (n * a.sum()))


def timeline_table(model: IncidentModel) -> pa.Table:
    cols = list(zip(*model.timeline, strict=False)) if model.timeline else [[] for _ in TIMELINE_COLUMNS]
    return pa.table({name: list(col) for name, col in zip(TIMELINE_COLUMNS, cols, strict=False)})


def trace_table(model: IncidentModel) -> pa.Table:
    """One row per candidate per decision, with each named g component (weighted)."""
    rows = model.trace
    names = [p.name for p in model.people]
    w = model.weights
    cols: dict[str, list] = {
        "decision": [r[0] for r in rows],
        "minute": [r[1] for r in rows],
        "responder": [names[r[2]] for r in rows],
        "responder_role": [model.people[r[2]].role for r in rows],
        "action": [ACTIONS[r[3]] for r in rows],
        "target": [_target_name(model, ACTIONS[r[3]], r[4]) for r in rows],
        "chosen": [r[5] for r in rows],
        "g": [r[6] for r in rows],
        "g_without_noise": [r[7] for r in rows],
    }
    for k, comp in enumerate(COMPONENTS):
        cols[comp] = [r[8 + k] * w[k] for r in rows]
    # The decider's context at that minute (repeated on each candidate row).
    c0 = 8 + len(COMPONENTS)
    cols["fatigue"] = [r[c0] for r in rows]
    cols["pressure"] = [r[c0 + 1] for r in rows]
    cols["unread"] = [r[c0 + 2] for r in rows]
    cols["top_suspect"] = [model.sg.names[r[c0 + 3]] for r in rows]
    cols["top_suspicion"] = [r[c0 + 4] for r in rows]
    cols["fault_belief"] = [FAULT_TYPES[r[c0 + 5]] if r[c0 + 5] >= 0 else "" for r in rows]
    cols["believes_team_stuck"] = [r[c0 + 6] for r in rows]
    return pa.table(cols)


def _target_name(model: IncidentModel, action: str, target: int) -> str:
    if target < 0:
        return ""
    if action in PERSON_TARGETS:
        return model.people[target].name
    return model.sg.names[target]


def messages_table(model: IncidentModel) -> pa.Table:
    """One row per message read (and one per unread message), with meant vs understood."""
    rows = []
    for m in model.messages:
        meant = describe(model, m.content)
        base = dict(
            id=m.id,
            minute=m.minute,
            sender=model.people[m.sender].name,
            route=m.route,
            kind=m.content.kind,
            clarity=round(m.clarity, 4),
            meant=meant,
        )
        if not m.reads:
            rows.append(dict(base, reader="", read_minute=None, misread=False, understood=""))
        for minute, reader, misread, understood in m.reads:
            rows.append(
                dict(base, reader=model.people[reader].name, read_minute=minute, misread=misread, understood=describe(model, understood))
            )
    if not rows:
        return pa.table(
            {
                k: []
                for k in ("id", "minute", "sender", "route", "kind", "clarity", "meant", "reader", "read_minute", "misread", "understood")
            }
        )
    return pa.Table.from_pylist(rows)


def prepare_out_dir(out: str | Path, option: str = "--out") -> Path:
    """Create an output directory, or say in one line why it cannot be one (leaving it as it was)."""
    if str(out).strip() == "":
        raise ConfigError(f"{option} '': an empty path; allowed: a directory path.")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a directory (option {option}).")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{out}: cannot create the output directory (option {option}): {exc.strerror}.") from None
    return out


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Write ``path`` through a new temporary file in its folder, then rename it into place.

    Why: ``open(path, "w")`` follows a symbolic link planted at ``path`` and would
    overwrite whatever it points to, outside the output directory. The temporary
    file is created exclusively (a link cannot be there), and ``os.replace``
    replaces a link at ``path`` itself, never its target. A reader also never
    sees a half-written file.
    """
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".tmp-{path.name}-")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"{path}: cannot write the output file: {exc.strerror or exc}.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """:func:`write_atomic` for a text file (UTF-8)."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_table_atomic(table: pa.Table, path: Path) -> Path:
    """:func:`write_atomic` for a Parquet table."""
    return write_atomic(path, lambda tmp: pq.write_table(table, tmp))


def write_run(model: IncidentModel, out: str | Path) -> dict[str, Path]:
    """Write summary.json, config.json, timeline/trace/messages Parquet and events.jsonl to ``out``.

    Every file goes through :func:`write_atomic`, so links planted in ``out`` are replaced, not followed.
    """
    out = prepare_out_dir(out)
    paths = {
        "summary": out / "summary.json",
        "config": out / "config.json",
        "timeline": out / "timeline.parquet",
        "trace": out / "trace.parquet",
        "messages": out / "messages.parquet",
        "events": out / "events.jsonl",
    }
    write_text_atomic(paths["summary"], json.dumps(summarize(model), indent=2) + "\n")
    write_text_atomic(paths["config"], json.dumps(model.cfg, indent=2) + "\n")
    write_table_atomic(timeline_table(model), paths["timeline"])
    write_table_atomic(trace_table(model), paths["trace"])
    write_table_atomic(messages_table(model), paths["messages"])
    events = "".join(json.dumps({"minute": minute, "who": who, "what": what}) + "\n" for minute, who, what in model.events)
    write_text_atomic(paths["events"], events)
    return paths
