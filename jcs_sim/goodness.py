"""The goodness function g: how a responder scores the actions open to them.

Why: following the seed essay, every decision is the choice of the candidate
with the highest g, and g depends only on the responder's own history and
context (what they have seen and heard, time pressure, fatigue, conflicting
duties). There is no error variable: an action that made things worse is the
one that scored highest for that person at that minute.

g(a) = sum_k w_k * c_k(a) + noise * (1 + fatigue) * Gumbel

with named components c_k (:data:`COMPONENTS`). Each decision returns every
candidate with its components so the model can record it and
``jcs-sim explain`` can say why A beat B.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .communication import IMPORTANCE
from .config import REMEDIATIONS
from .connective import connective_candidates
from .responders import HEALTHY, ROOT, SYMPTOM
from .system import FIT_MATRIX, REMEDY_INDEX

# Expected fit of each remedy when the fault type is unknown (uniform belief over types).
EXPECTED_FIT = FIT_MATRIX.mean(axis=0)

if TYPE_CHECKING:
    from .model import IncidentModel
    from .responders import Responder

__all__ = ["COMPONENTS", "ACTIONS", "Candidate", "candidates", "weights", "pressure"]

COMPONENTS = ("evidence", "urgency", "effort", "social_cost", "role", "other_duties", "coordination", "risk", "connection")
ACTIONS = (
    "investigate", "remediate", "share", "relay", "status_update", "page", "read", "coordinate", "other_duty", "wait",
    "acknowledge", "clarify", "own_mistake",
)  # fmt: skip
ACTION_INDEX = {a: i for i, a in enumerate(ACTIONS)}

# Role expectations (the 'role' component), per action. Numbers are the
# model's assumptions about what each role is for (see docs/ODD.md).
ROLE_FIT = {
    "commander": {"investigate": -0.6, "remediate": -0.5, "share": 0.2, "relay": 0.4, "page": 0.3, "read": 0.3, "coordinate": 0.4},
    "ops": {"investigate": 0.3, "remediate": 0.3, "share": 0.1, "page": 0.1},
    "sme": {"investigate": 0.3, "remediate": 0.2, "share": 0.1},
    "support": {"investigate": -0.8, "remediate": -1.5, "page": -0.2, "read": 0.3},
    "comms": {"investigate": -0.8, "remediate": -1.5, "page": -0.3, "read": 0.3},
}

Candidate = tuple[str, int, object, tuple[float, ...]]  # (action, target, detail, components)


def weights(cfg: dict) -> np.ndarray:
    """Component weights, in :data:`COMPONENTS` order."""
    gc = cfg["goodness"]
    return np.array(
        [
            gc["w_evidence"], gc["w_urgency"], gc["w_effort"], gc["w_social"], gc["w_role"],
            gc["w_duty"], gc["w_coordination"], gc["risk_aversion"], cfg["connective"]["w_connection"],
        ]
    )  # fmt: skip


def pressure(model: IncidentModel) -> float:
    """Time pressure felt by everyone: severity, and how long users have been hurting."""
    if not model.system.user_impact:
        return 0.1
    build = min(1.0, 0.3 + model.minute / model.cfg["goodness"]["pressure_minutes"])
    return model.system.severity / 3.0 * build


def _role(rf: dict[str, float], action: str) -> float:
    return rf.get(action, 0.0)


def candidates(model: IncidentModel, r: Responder) -> list[Candidate]:
    """Every action open to ``r`` now, with its g components (unweighted)."""
    cfg = model.cfg
    P = model.pressure
    slow = r.slowdown() * model.coord_factor
    n_others = model.n_active - 1
    out: list[Candidate] = []
    role = r.role
    rf = ROLE_FIT[role]
    ek = r.effective_knowledge
    write = model.write_base * slow

    # Investigate: the most suspicious services not yet explained.
    susp = r.suspicion
    order = r.top_suspects()
    team_of = model.sg.team_list
    for s in order:
        if susp[s] <= 0.02 or r.status[s] in (HEALTHY, SYMPTOM):
            continue
        k = ek(s)
        minutes = cfg["investigation"]["base_minutes"] / (0.5 + k) * slow
        own = 0.3 if (role == "sme" and team_of[s] == r.team_idx) else 0.0
        crowd = -0.6 if r.claims[s] not in (-1, r.idx) else 0.0
        if r.assigned == s:
            own += 0.3
        evidence = 1.5 * float(susp[s]) * (0.3 + 0.7 * k) * 0.6 ** r.examined[s]
        out.append(("investigate", s, None, (evidence, 0.2 * P, -minutes / 20, 0.0, _role(rf, "investigate") + own, 0.0, crowd, 0.0, 0.0)))

    # Remediate. On a service believed to be the root: the remedies that fit the
    # believed fault type (or, with the type unknown, every remedy weighted by
    # its expected fit over the fault types). On a service only suspected: a
    # restart, the generic first try under pressure.
    top = order[0]
    concluded = r.status[top] == ROOT
    # Only while the alerts they see still fire (repeating a finished failover on a
    # quiet system would take the service down again), and not while a remedy is running.
    if (concluded or susp[top] >= 0.6) and not r.saw_quiet and r.remedy_belief.get(top) != "running":
        k = ek(top)
        if not concluded:
            options = [("restart", 0.5 * EXPECTED_FIT[REMEDY_INDEX["restart"]])]
        elif r.fault_belief >= 0:
            options = [(m, FIT_MATRIX[r.fault_belief, REMEDY_INDEX[m]]) for m in REMEDIATIONS]
        else:
            options = [(m, EXPECTED_FIT[REMEDY_INDEX[m]]) for m in REMEDIATIONS]
        own = 0.2 if team_of[top] == r.team_idx else 0.0
        stuck = 0.3 if r.team_stuck and role in ("ops", "sme") else 0.0
        crowd = -0.8 if r.claims[top] not in (-1, r.idx) else 0.0
        for m, fit in options:
            if fit <= 0:
                continue
            minutes = cfg["remediation"][f"{m}_minutes"]
            retry = 0.5 ** r.attempts.get((top, m), 0)
            evidence = 1.2 * susp[top] * fit * retry
            urgency = 1.2 * P * fit * retry * (1.0 - min(minutes, 60) / 120) + stuck
            out.append(
                (
                    "remediate",
                    top,
                    m,
                    (evidence, urgency, -min(minutes, 3) * slow / 20, 0.0, _role(rf, "remediate") + own, 0.0, crowd, -(1.0 - k), 0.0),
                )
            )

    # Share the most important finding not yet told.
    if r.unshared and n_others > 0:
        best = max(r.unshared, key=lambda c: IMPORTANCE.get(c.kind, 0.2))
        evidence = IMPORTANCE.get(best.kind, 0.2) * min(1.0, n_others / 2)
        social = 0.0
        if cfg["communication"]["mode"] == "direct":
            social = -0.2 * float(np.mean(1.0 - model.familiarity[r.idx, model.active_idx]))
        out.append(("share", best.service, best, (evidence, -0.2 * P, -write / 10, social, _role(rf, "share"), 0.0, 0.0, 0.0, 0.0)))

    # Relay (commander mode): pass on what the commander has understood.
    if r.relay_queue:
        best = max(r.relay_queue, key=lambda c: IMPORTANCE.get(c.kind, 0.2))
        evidence = IMPORTANCE.get(best.kind, 0.2) * min(1.0, n_others / 2)
        out.append(("relay", best.service, best, (evidence, -0.2 * P, -write / 10, 0.0, _role(rf, "relay"), 0.0, 0.0, 0.0, 0.0)))

    # Status update at the expected cadence (commander; ops when no commander; comms externally).
    cmd = model.commander
    if role == "commander" or role == "comms" or (role == "ops" and (cmd is None or cmd.state != "active")):
        due = (model.minute - r.last_update) / cfg["communication"]["update_cadence"]
        if due >= 1.0:
            duty = (0.6 if role != "ops" else 0.4) * min(due, 2.0)
            out.append(
                (
                    "status_update",
                    int(order[0]) if susp[top] > 0.3 else -1,
                    None,
                    (0.3 * min(1.0, n_others / 3), -0.1 * P, -write / 10, 0.0, duty, 0.0, 0.0, 0.0, 0.0),
                )
            )

    # Page: whoever they believe knows most about the top suspect's team, and the commander.
    if r.knows is not None:
        t = team_of[top]
        k_top = ek(top)
        night = 1.0 if model.is_night else 0.0
        timeout = cfg["coordination"]["escalation_timeout"]
        best_j, best_k = -1, -1.0
        for p in model.pageable:  # ops and SMEs not yet active (updated once a minute)
            if p.state == "active" or (p.state == "paged" and model.minute - p.paged_at < timeout):
                continue  # joined earlier this minute, or paged recently enough to wait for
            if r.knows[p.idx][t] > best_k:
                best_j, best_k = p.idx, r.knows[p.idx][t]
        stuck = 0.5 if r.team_stuck else 0.0
        if best_j >= 0:
            fam = model.fam[r.idx][best_j]
            evidence = 1.3 * best_k * max(susp[top], 0.3) * (1.0 - k_top)
            social = -0.8 * (1.0 - fam) * (1.0 + night)
            out.append(
                ("page", best_j, None, (evidence, 0.4 * P + stuck, -0.05, social, _role(rf, "page"), 0.0, -0.1 * model.n_active, 0.0, 0.0))
            )
        if cmd is not None and cmd is not r and cmd.state == "off":
            fam = model.fam[r.idx][cmd.idx]
            evidence = 0.3 * model.system.severity / 3 + (0.3 if model.n_active >= 3 else 0.0)
            social = -0.8 * (1.0 - fam) * (1.0 + night)
            out.append(("page", cmd.idx, None, (evidence, 0.4 * P + stuck, -0.05, social, _role(rf, "page") + 0.2, 0.0, 0.0, 0.0, 0.0)))
        comms = model.comms
        if role == "commander" and comms is not None and comms.state == "off":
            evidence = 0.4 * model.system.severity / 3  # someone must tell the users
            social = -0.8 * (1.0 - model.fam[r.idx][comms.idx]) * (1.0 + night)
            out.append(("page", comms.idx, None, (evidence, 0.2 * P, -0.05, social, _role(rf, "page"), 0.0, 0.0, 0.0, 0.0)))

    # Read the channel / direct messages.
    if r.inbox:
        n = len(r.inbox)
        evidence = 0.6 * (1.0 - math.exp(-n / 3.0))
        out.append(("read", -1, None, (evidence, -0.1 * P, -0.05, 0.0, _role(rf, "read"), 0.0, 0.0, 0.0, 0.0)))

    # Coordinate (commander): ask the best-placed idle person to take a suspect.
    if role == "commander" and n_others > 0:
        for s in order:
            s = int(s)
            if susp[s] <= 0.3 or r.claims[s] != -1 or r.status[s] in (HEALTHY, SYMPTOM):
                continue
            t = team_of[s]
            j = max(model.active_idx, key=lambda j: (r.knows[j][t] if j != r.idx else -1.0, -j))
            if j == r.idx:
                continue
            evidence = 0.8 * susp[s] * r.knows[j][t]
            out.append(
                ("coordinate", s, j, (evidence, 0.1 * P, -write / 10, 0.0, _role(rf, "coordinate"), 0.0, -0.05 * model.n_active, 0.0, 0.0))
            )
            break

    # Connective labor: acknowledge, clarify, own a mistake (jcs_sim.connective).
    if cfg["connective"]["enabled"]:
        connective_candidates(model, r, out, P, write)

    # Other duties: the conflicting goal.
    if r.duty_load > 0:
        out.append(("other_duty", -1, None, (0.0, -0.3 * P, -0.1, 0.0, 0.0, 1.2 * r.duty_load, 0.0, 0.0, 0.0)))

    # Wait / watch the dashboards.
    watching = 0.2 if any(rem.actor == r.idx for rem in model.system.running) else 0.0
    watching += 0.3 if r.believes_fixed else 0.0
    out.append(("wait", -1, None, (watching, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)))
    return out
