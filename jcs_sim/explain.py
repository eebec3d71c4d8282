"""Why did a responder do what they did? Plain-word answers from a run's decision trace.

Why this exists: the model has no error variable, so the only honest answer
to "why did she restart the wrong service?" is the comparison of g between
what she chose and what she passed over, component by component, given her
context at that minute. This module reads ``trace.parquet`` written by
``jcs-sim run --out DIR`` and says that in words.
"""

from __future__ import annotations

from pathlib import Path

from .config import ConfigError, check_user_file
from .goodness import COMPONENTS
from .reasons import NEAR, comparison, sentence

__all__ = ["explain"]


def _label(row: dict) -> str:
    return f"{row['action']} {row['target']}".strip()


# Columns explain reads; a trace.parquet without them was not written by `jcs-sim run --out`.
TRACE_COLUMNS = (
    "decision", "minute", "responder", "responder_role", "action", "target", "chosen", "g", "g_without_noise",
    *COMPONENTS, "fatigue", "pressure", "unread", "top_suspect", "top_suspicion", "fault_belief", "believes_team_stuck",
)  # fmt: skip
MAX_TRACE_BYTES = 1 * 2**30  # a 720-minute run with 40 responders writes a few MiB; more is not a run's trace


def _load(run_dir: Path) -> list[dict]:
    path = run_dir / "trace.parquet"
    if not path.exists():
        raise ConfigError(f"{run_dir}: no trace.parquet here; write one with `jcs-sim run --out {run_dir}`.")
    check_user_file(path, "decision trace", MAX_TRACE_BYTES)
    try:
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
        missing = [c for c in TRACE_COLUMNS if c not in schema.names]
        if missing:
            raise ConfigError(
                f"{path}: not a decision trace of this version of jcs-sim (missing columns: {', '.join(missing)}); "
                f"write it again with `jcs-sim run --out {run_dir}`."
            )
        return pq.read_table(path, columns=list(TRACE_COLUMNS)).to_pylist()
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{path}: cannot read the decision trace ({exc}); write it again with `jcs-sim run --out {run_dir}`.") from None


def _last_minute(run_dir: Path, rows: list[dict]) -> int:
    """The run's last simulated minute: from summary.json when it is there, else the last decision."""
    import json

    last = max((r["minute"] for r in rows), default=0)
    try:
        minutes = json.loads((run_dir / "summary.json").read_text(encoding="utf-8")).get("minutes_simulated")
    except (OSError, ValueError, AttributeError):
        return last
    return minutes if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes >= last else last


def _why(chosen: dict, other: dict) -> str:
    """Why ``chosen`` won over ``other``, in words that say which way each reason went (jcs_sim.reasons), with the numbers."""
    cmp = comparison(chosen, other)
    text = sentence(cmp, numbers=True)
    noise = (chosen["g"] - chosen["g_without_noise"]) - (other["g"] - other["g_without_noise"])
    if not cmp["noise_decided"] and abs(noise) > NEAR:
        text += f"; the random part moved it by {noise:+.2f}"
    return text


def explain_decision(rows: list[dict]) -> str:
    """A paragraph for one decision: the choice, the runners-up, what separated them."""
    rows = sorted(rows, key=lambda r: -r["g"])
    chosen = next(r for r in rows if r["chosen"])
    others = [r for r in rows if not r["chosen"]]
    c = chosen
    lines = [
        f"Minute {c['minute']}: {c['responder']} ({c['responder_role']}) chose to {_label(c)} (g = {c['g']:.2f}).",
        f"  Context: fatigue {c['fatigue']:.2f}, time pressure {c['pressure']:.2f}, {c['unread']} unread messages, "
        f"main suspect {c['top_suspect']} (suspicion {c['top_suspicion']:.2f})"
        + (f", believed fault {c['fault_belief']}" if c["fault_belief"] else "")
        + (", believed nobody was fixing anything" if c["believes_team_stuck"] else "")
        + ".",
        "  Components of the choice: " + ", ".join(f"{k} {c[k]:+.2f}" for k in COMPONENTS if abs(c[k]) > 1e-9) + ".",
    ]
    for o in others[:3]:
        lines.append(f"  Over {_label(o)} (g = {o['g']:.2f}): {_why(c, o)}.")
    if len(others) > 3:
        lines.append(f"  ({len(others) - 3} more candidates scored lower.)")
    return "\n".join(lines)


def explain(run_dir: str | Path, responder: str, minute: int | None = None) -> str:
    """Explain one responder's decision at ``minute`` (the last at or before it), or list all of them."""
    run_dir = Path(run_dir)
    rows = _load(run_dir)
    names = sorted({r["responder"] for r in rows})
    mine = [r for r in rows if r["responder"] == responder]
    if not mine:
        raise ConfigError(f"{run_dir}: no decisions by '{responder}'; responders who decided: {', '.join(names)}.")
    by_decision: dict[int, list[dict]] = {}
    for r in mine:
        by_decision.setdefault(r["decision"], []).append(r)
    decisions = sorted(by_decision.values(), key=lambda rs: rs[0]["minute"])
    if minute is not None:
        end = _last_minute(run_dir, rows)
        if not 0 <= minute <= end:
            raise ConfigError(f"--minute {minute} is outside the run in {run_dir}; allowed: a minute from 0 to {end} (the run's last).")
    if minute is None:
        out = [f"{responder}: {len(decisions)} decisions. Pass --minute T for the full reasoning at minute T."]
        for rs in decisions:
            chosen = next(r for r in rs if r["chosen"])
            best_other = max((r for r in rs if not r["chosen"]), key=lambda r: r["g"], default=None)
            over = f" over {_label(best_other)}" if best_other else ""
            out.append(f"  minute {chosen['minute']:>4}: {_label(chosen)}{over}")
        return "\n".join(out)
    before = [rs for rs in decisions if rs[0]["minute"] <= minute]
    if not before:
        first = decisions[0][0]["minute"]
        return f"{responder} made no decision at or before minute {minute}; their first was at minute {first}.\n" + explain_decision(
            decisions[0]
        )
    rs = before[-1]
    note = (
        ""
        if rs[0]["minute"] == minute
        else f"(No decision at minute {minute}: {responder} was busy; this is the decision that started it.)\n"
    )
    return note + explain_decision(rs)
