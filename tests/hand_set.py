"""Helpers for exact tests on hand-set states: a config with overrides, an incident with everyone active, lookups.

Shared by tests/test_decision_core.py and tests/test_incident_mechanisms.py (pytest puts tests/ on the path).
"""

from __future__ import annotations

from jcs_sim import IncidentModel
from jcs_sim.config import apply_overrides, default_config

__all__ = ["config", "model", "by_role", "action"]


def config(*sets: str) -> dict:
    return apply_overrides(default_config(), list(sets))


def model(*sets: str, seed: int = 0) -> IncidentModel:
    """A fresh incident with everyone on the roster active (a hand-set state for exact answers)."""
    m = IncidentModel(config(*sets), seed=seed, record_trace=False)
    for p in m.people:
        p.state = "active"
    m.active_idx = [p.idx for p in m.people]
    m.n_active = len(m.people)
    return m


def by_role(m: IncidentModel, role: str):
    return next(p for p in m.people if p.role == role)


def action(m: IncidentModel, name: str):
    return next(a for a in m.actions if a.name == name)
