"""The goodness function g: how a responder scores the actions open to them.

Why: following the seed essay, every decision is the choice of the candidate
with the highest g, and g depends only on the responder's own history and
context (what they have seen and heard, time pressure, fatigue, conflicting
duties). There is no error variable: an action that made things worse is the
one that scored highest for that person at that minute.

g(a) = sum_k w_k * c_k(a) + noise * (1 + fatigue) * Gumbel

with named components c_k (:data:`COMPONENTS`), which each action declares
for its candidates (:mod:`jcs_sim.actions`). Each decision keeps every
candidate with its components so the model can record it and
``jcs-sim explain`` can say why A beat B.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .actions.base import COMPONENTS, Candidate

if TYPE_CHECKING:
    from .system import SystemState

__all__ = ["COMPONENTS", "WEIGHT_KEYS", "weights", "score", "choose", "best", "pressure"]

# Where each component's weight lives in the config, in COMPONENTS order.
WEIGHT_KEYS = (
    ("goodness", "w_evidence"), ("goodness", "w_urgency"), ("goodness", "w_effort"), ("goodness", "w_social"),
    ("goodness", "w_role"), ("goodness", "w_duty"), ("goodness", "w_coordination"), ("goodness", "risk_aversion"),
    ("connective", "w_connection"),
)  # fmt: skip


def weights(cfg: dict[str, Any]) -> list[float]:
    """Component weights, in :data:`COMPONENTS` order."""
    return [float(cfg[sec][key]) for sec, key in WEIGHT_KEYS]


def score(cands: list[Candidate], w: list[float]) -> list[float]:
    """g without noise: the weighted sum of each candidate's components.

    Plain Python on purpose: for ~10 candidates x 9 components numpy's
    per-call overhead costs more than the arithmetic (docs/performance.md).
    """
    w0, w1, w2, w3, w4, w5, w6, w7, w8 = w
    return [
        w0 * a + w1 * b + w2 * c + w3 * d + w4 * e + w5 * f + w6 * g + w7 * h + w8 * i
        for a, b, c, d, e, f, g, h, i in (cand.components for cand in cands)
    ]


def choose(base: list[float], noise: float, gumbel: list[float] | None) -> tuple[list[float], int]:
    """g with its noise, and the index of the winner (the first of equals)."""
    g = [b + noise * e for b, e in zip(base, gumbel, strict=True)] if gumbel is not None else base
    return g, max(range(len(g)), key=g.__getitem__)


def best(cands: list[Candidate], w: list[float], noise: float, gumbel: list[float] | None) -> int:
    """The index of the winner, as ``choose(score(cands, w), noise, gumbel)[1]``, without building g.

    The study path (no trace) needs only the winner: one pass, no lists. The
    arithmetic is the same expression as :func:`score` and :func:`choose`, so
    the winner is the same float comparison (the first of equals).
    """
    w0, w1, w2, w3, w4, w5, w6, w7, w8 = w
    top = -1
    g_top = 0.0
    for n, cand in enumerate(cands):
        a, b, c, d, e, f, g, h, i = cand.components
        v = w0 * a + w1 * b + w2 * c + w3 * d + w4 * e + w5 * f + w6 * g + w7 * h + w8 * i
        if gumbel is not None:
            v = v + noise * gumbel[n]
        if top < 0 or v > g_top:
            top, g_top = n, v
    return top


def pressure(system: SystemState, minute: int, gc: dict[str, Any]) -> float:
    """Time pressure felt by everyone: severity, and how long users have been hurting.

    ``calm_pressure`` while nobody is hurting; otherwise severity/3 x a build-up
    from ``pressure_start`` to 1 over ``pressure_minutes`` (severity 3 is the maximum).
    """
    if not system.user_impact:
        return gc["calm_pressure"]
    build = min(1.0, gc["pressure_start"] + minute / gc["pressure_minutes"])
    return system.severity / 3.0 * build
