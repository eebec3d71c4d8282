"""The behavioural parameters of the decision core: every number that shapes what responders do.

Why a table of its own: these numbers used to be literals inside the
goodness function, the model and the connective actions, where neither a
calibration nor a sensitivity analysis could reach them. Here each is a
named, bounded key with a unit, a meaning and its provenance, merged into the
one schema by :mod:`jcs_sim.config` (so ``jcs-sim config show``, ``--set``,
sweeps and the docs all see it). The code that uses a key reads it once per
run into plain attributes (see :mod:`jcs_sim.actions`), so the hot path pays
nothing for the indirection.

Provenance. Most values are the model's assumptions, hand-set when the
mechanism was written and checked only for plausible behaviour of the
default scenario (every one of seeds 0-299 resolves; median time to resolve
102 min); they are calibration targets, and ``source`` says so. Where a value
comes from the literature, ``source`` cites it.

Sections: new keys of existing sections (``run``, ``goodness``,
``investigation``, ``remediation``, ``communication``, ``fatigue``,
``responders``, ``connective``) and sections of their own for the
candidates of g that had none (``page``, ``share``, ``status_update``,
``read``, ``coordinate``, ``other_duty``, ``wait``), the role expectations
(``roles``), how messages move beliefs (``beliefs``) and how much each kind
of finding matters (``importance``).
"""

from __future__ import annotations

import dataclasses

from .param import Param

__all__ = ["BEHAVIOUR", "ASSUMED", "ASSUMED_10", "SOURCE_LABELS", "EARLIER_SOURCES", "CALIBRATION_DEFAULTS"]

ASSUMED = (
    "Assumption, hand-set with the mechanism (ee6225f); checked only for plausible default behaviour "
    "(seeds 0-299 all resolve, median 102 min); a calibration target."
)
ASSUMED_10 = (
    "Assumption, hand-set with the mechanism (issue 10, 2026-12-02) and not tuned to any figure; the default scenario's "
    "behaviour with it is in docs/ODD.md (generated); a calibration target."
)
SOURCE_LABELS = {ASSUMED: "*assumed*", ASSUMED_10: "*assumed (issue 10)*"}  # how tables show the two assumption lines
FOLKARD = "Folkard & Tucker 2003, Occup. Med. 53:95-101 (night-shift performance trough in the early morning)."
WEICK = (
    "Mechanism from Weick & Sutcliffe 2007, Managing the Unexpected, ch. 4 (deference to expertise) and incident-command practice "
    "(stop, state what was tried, decide together); value assumed (issue 10), a calibration target."
)
DAWSON = "Dawson & Reid 1997, Nature 388:235 (17 h awake impairs like 0.05% blood alcohol)."


def _p(default: float | int, doc: str, low: float, high: float, unit: str = "", source: str = ASSUMED) -> Param:
    return Param(default, doc, low, high, unit=unit, source=source)


def _role(role: str, action: str, default: float) -> Param:
    return _p(default, f"Role fit of a {role} for '{action}': the 'role' component of that candidate (what the role expects).", -5.0, 5.0)


# Which remedy fits which fault type (the [fit] section): 1 fixes, 0.5 gives temporary relief, absent: no effect.
# The categories are the model's definition of its fault types; the values are assumptions like the others.
FAULT_TYPES = ("bad_deploy", "capacity", "dependency_outage", "config", "data")
REMEDIATIONS = ("rollback", "restart", "scale", "failover", "config_revert", "data_repair", "code_fix")
_FIT = {
    "bad_deploy": {"rollback": 1.0, "restart": 0.5},
    "capacity": {"scale": 1.0, "restart": 0.5},
    "dependency_outage": {"failover": 1.0},
    "config": {"config_revert": 1.0, "rollback": 1.0},
    "data": {"data_repair": 1.0},
}
for _remedies in _FIT.values():
    _remedies["code_fix"] = 1.0  # a fix written for this fault fixes any kind of it; what it costs is time (remediation.code_fix_*)
_FIT_DEFAULTS = {f: {r: _FIT[f].get(r, 0.0) for r in REMEDIATIONS} for f in FAULT_TYPES}

BEHAVIOUR: dict[str, dict[str, Param]] = {
    "run": {
        "night_start": _p(
            23.0, "Clock hour at which night starts: people paged then are asleep, and paging anyone costs more.", 0.0, 24.0, "h"
        ),
        "night_end": _p(7.0, "Clock hour at which night ends.", 0.0, 24.0, "h"),
    },
    "relationships": {
        "tie_concentration": _p(
            12.0,
            "Concentration of the Beta draw of a generated tie's familiarity around its mean (higher: ties closer to the mean).",
            0.1,
            1000.0,
        ),
        "hub_density": _p(
            0.8, "Probability that the commander or comms lead has a tie with any given person (they meet many teams).", 0.0, 1.0
        ),
    },
    "goodness": {
        "pressure_start": _p(
            0.3,
            "Share of full time pressure felt at the first alert while users are hurting (it then builds over pressure_minutes).",
            0.0,
            1.0,
        ),
        "calm_pressure": _p(0.1, "Time pressure felt while no user is hurting (after a fix, before the incident is resolved).", 0.0, 1.0),
    },
    "investigation": {
        "suspects_considered": _p(3, "How many of their most-suspected services a responder considers investigating.", 1, 50),
        "min_suspicion": _p(0.02, "Suspicion below which a service is not worth investigating.", 0.0, 1.0),
        "knowledge_offset": _p(
            0.5, "Investigation minutes are base_minutes / (knowledge_offset + knowledge): the expert's speed advantage.", 0.01, 10.0
        ),
        "evidence_scale": _p(1.5, "Evidence value of investigating: scale on suspicion x usable knowledge.", 0.0, 10.0),
        "evidence_floor": _p(
            0.3, "Usable-knowledge factor of the evidence value at knowledge 0 (evidence_floor + evidence_per_knowledge x k).", 0.0, 2.0
        ),
        "evidence_per_knowledge": _p(0.7, "Increase of that factor per unit of knowledge.", 0.0, 2.0),
        "repeat_discount": _p(
            0.6,
            "Evidence value multiplier per earlier investigation of the same service by the same person (looking again tells less).",
            0.0,
            1.0,
        ),
        "urgency": _p(0.2, "'urgency' of investigating per unit of time pressure.", -5.0, 5.0),
        "effort_minutes": _p(
            20.0, "Minutes of investigation that count as one unit of 'effort' (the cost of a long look).", 0.1, 1000.0, "min"
        ),
        "own_team_bonus": _p(0.3, "'role' bonus for an SME investigating their own team's service.", -5.0, 5.0),
        "assigned_bonus": _p(0.3, "'role' bonus for investigating the service the commander assigned.", -5.0, 5.0),
        "crowding": _p(0.6, "'coordination' penalty for investigating a service someone else is believed to be on.", 0.0, 5.0),
        "root_base": _p(0.25, "Chance that investigating the visible root cause finds it, at knowledge 0.", 0.0, 1.0),
        "root_per_knowledge": _p(0.7, "Increase of that chance per unit of usable knowledge.", 0.0, 1.0),
        "type_base": _p(
            0.5, "Chance that the root cause, once found, is given the right fault type, at knowledge 0 (else a type at random).", 0.0, 1.0
        ),
        "type_per_knowledge": _p(0.5, "Increase of that chance per unit of usable knowledge.", 0.0, 1.0),
        "symptom_base": _p(
            0.3, "Chance that investigating a visible symptom traces it one hop towards the root, at knowledge 0.", 0.0, 1.0
        ),
        "symptom_per_knowledge": _p(0.65, "Increase of that chance per unit of usable knowledge.", 0.0, 1.0),
        "healthy_base": _p(0.4, "Chance that investigating a quiet service concludes it is healthy, at knowledge 0.", 0.0, 1.0),
        "healthy_per_knowledge": _p(0.5, "Increase of that chance per unit of usable knowledge.", 0.0, 1.0),
    },
    "remediation": {
        "suspicion_threshold": _p(
            0.6, "Suspicion of the top suspect above which a responder considers a remedy before concluding it is the root.", 0.0, 1.0
        ),
        "untested_fit": _p(
            0.5, "A restart on a service only suspected is scored at this share of its expected fit (the generic first try).", 0.0, 1.0
        ),
        "evidence_scale": _p(1.2, "Evidence value of a remedy: scale on suspicion x fit x retry discount.", 0.0, 10.0),
        "urgency_scale": _p(1.2, "'urgency' of a remedy: scale on time pressure x fit x retry discount.", 0.0, 10.0),
        "slow_fix_minutes": _p(
            120.0, "A remedy taking m minutes feels min(m / slow_fix_minutes, slow_fix_max_discount) less urgent.", 1.0, 10000.0, "min"
        ),
        "slow_fix_max_discount": _p(0.5, "Largest urgency discount of a slow remedy.", 0.0, 1.0),
        "retry_discount": _p(0.5, "Multiplier per known failed try of the same remedy on the same service.", 0.0, 1.0),
        "stuck_urgency": _p(
            0.3, "'urgency' added for ops and SMEs who believe the team is stuck (somebody must try something).", -5.0, 5.0
        ),
        "own_team_bonus": _p(0.2, "'role' bonus for remediating one's own team's service.", -5.0, 5.0),
        "crowding": _p(0.8, "'coordination' penalty for remediating a service someone else is believed to be on.", 0.0, 5.0),
        "hands_on_minutes": _p(3, "Minutes the remediator is busy starting a remedy (the rest runs on its own).", 1, 600, "min"),
        "code_fix_write_minutes": _p(
            30.0,
            "Minutes of hands-on work to write a code fix before it enters the deploy pipeline (slowed by fatigue and crowding).",
            1.0,
            6000.0,
            "min",
        ),
        "code_fix_minutes": _p(
            40, "Minutes a code fix takes through the deploy pipeline (build, test, canary, roll-out) when no stage fails.", 1, 6000, "min"
        ),
        "code_fix_per_failure": _p(
            0.3,
            "Evidence added to writing a code fix for each remedy on the service known to have failed (the usual fixes do not hold).",
            0.0,
            5.0,
        ),
        "pipeline_stages": _p(
            4, "Stages of a staged remedy (a code fix's pipeline, a data repair's restore steps), each of equal length.", 1, 50
        ),
        "stage_failure_prob": _p(
            0.2,
            "Chance that a stage of a staged remedy fails part-way and must be run again (a flaky test, a restore that stops).",
            0.0,
            0.95,
        ),
        "wrong_harm_prob": _p(
            0.3,
            "Chance that a restart, rollback, scale, failover or config revert of a service that is not the root harms it: "
            "cold caches or lost capacity (a restart or scale, for harm_minutes), or a second outage that lasts until undone "
            "(a rollback, failover or config revert).",
            0.0,
            1.0,
        ),
        "harm_minutes": _p(15, "Minutes a wrong restart or scale leaves its service degraded (cold caches, rebalancing).", 1, 600, "min"),
        "undo_minutes": _p(10, "Minutes undoing a harmful change takes to complete (the service stays down until then).", 1, 600, "min"),
        "undo_evidence": _p(1.5, "Evidence value of undoing a change one knows broke a service.", 0.0, 10.0),
        "undo_urgency": _p(0.5, "'urgency' of undoing it per unit of time pressure.", -5.0, 5.0),
        "effort_minutes": _p(20.0, "Minutes of hands-on remediation that count as one unit of 'effort'.", 0.1, 1000.0, "min"),
    },
    "detection": {
        "alert_minutes": _p(
            4.0, "Mean minutes for the monitoring to cross its threshold and page once the fault shows (0: at once).", 0.0, 600.0, "min"
        ),
        "miss_prob": _p(0.1, "Chance that the monitoring misses this incident altogether (a threshold set too loose).", 0.0, 1.0),
        "report_minutes": _p(
            30.0,
            "Mean minutes for a customer report to reach the on-call while users are hurting (detection when monitoring misses).",
            1.0,
            6000.0,
            "min",
        ),
        "unrelated_alert_prob": _p(
            0.25,
            "Chance that an unrelated alert fires on another user-facing service as the incident is detected (a red herring).",
            0.0,
            1.0,
        ),
        "unrelated_alert_minutes": _p(20, "Minutes the unrelated alert keeps firing.", 1, 600, "min"),
    },
    "incident": {
        "novel_share": _p(
            0.25,
            "Share of incidents whose failure mode nobody has seen before (no runbook): harder to recognise, and no quick remedy fixes it.",
            0.0,
            1.0,
        ),
        "novel_recognition": _p(
            0.3, "In a novel mode, the chance that a look at the root recognises it (and its fault type) is multiplied by this.", 0.0, 1.0
        ),
        "novel_quick_fit": _p(
            0.5,
            "In a novel mode, every remedy but a code fix fits at most this much: relief for that share of remediation.relief_minutes "
            "at best, never a fix (below 1).",
            0.0,
            1.0,
        ),
        "flapping_share": _p(0.2, "Share of incidents with intermittent symptoms: the fault's alerts come and go.", 0.0, 1.0),
        "second_cause_share": _p(
            0.0,
            "Share of incidents with a second, contributing cause at another back-end service (a fault type of its own): "
            "fixing one cause relieves the symptoms only it caused, and the incident lasts until both are fixed. "
            "0 by default (the landed scenarios' numbers are without it); a calibration target.",
            0.0,
            1.0,
        ),
        "flap_on_minutes": _p(10.0, "Mean minutes a flapping fault shows before it hides again.", 1.0, 600.0, "min"),
        "flap_off_minutes": _p(6.0, "Mean minutes a flapping fault hides before it shows again.", 1.0, 600.0, "min"),
    },
    "fixation": {
        "strength": _p(
            0.6,
            "Chance, at full anchoring, that a report contradicting the root cause one has been told about (it is only a symptom, it "
            "looks healthy) is dismissed; 0 switches fixation off (Hutchins 1995: confirmation bias of a group).",
            0.0,
            1.0,
            source="Mechanism from Hutchins 1995, Cognition in the Wild, ch. 5 (early settling under dense communication); strength assumed.",
        ),
        "endorsements": _p(
            3, "Root-cause claims about the same service read from others after which the anchoring is full (grows linearly to it).", 1, 100
        ),
    },
    "escalate": {
        "evidence": _p(
            1.0, "Evidence value, for a bystander (support, comms) who believes the team is stuck, of escalating over its head.", 0.0, 10.0
        ),
        "urgency": _p(0.3, "'urgency' of escalating per unit of time pressure.", -5.0, 5.0),
        "social_cost": _p(0.3, "'social_cost' of escalating over the team's head.", 0.0, 10.0),
        "interrupt_minutes": _p(
            4.0,
            "Minutes each active responder working the incident loses answering the escalation (managers asking for a status).",
            0.0,
            240.0,
            "min",
        ),
    },
    "regroup": {
        "evidence_per_failure": _p(
            0.15,
            "Evidence value, for the commander, of calling a regroup: per failed remediation they know of since the last regroup "
            "(or since joining).",
            0.0,
            5.0,
            source=WEICK,
        ),
        "urgency": _p(-0.2, "'urgency' of a regroup per unit of time pressure (negative: a meeting feels like a delay).", -5.0, 5.0),
        "minutes": _p(10.0, "Minutes a regroup takes: every active responder is in it.", 1.0, 120.0, "min"),
    },
    "page": {
        "evidence_scale": _p(1.3, "Evidence value of paging the person believed to know the top suspect's team best: scale.", 0.0, 10.0),
        "suspicion_floor": _p(0.3, "Suspicion of the top suspect counted at least this much in that value.", 0.0, 1.0),
        "urgency": _p(0.4, "'urgency' of paging per unit of time pressure.", -5.0, 5.0),
        "stuck_urgency": _p(0.5, "'urgency' added when the pager believes the team is stuck.", -5.0, 5.0),
        "effort": _p(0.05, "'effort' of sending a page.", 0.0, 5.0),
        "social_cost": _p(
            0.8,
            "'social_cost' of paging a complete stranger (scaled by 1 - familiarity): the surprise call from someone you do not know.",
            0.0,
            10.0,
        ),
        "night_factor": _p(1.0, "At night the social cost of paging is multiplied by 1 + night_factor (the 3AM call).", 0.0, 10.0),
        "crowding_per_person": _p(0.1, "'coordination' cost of paging one more person, per person already active.", 0.0, 5.0),
        "commander_evidence": _p(0.3, "Evidence value of paging the commander at severity 3 (scaled by severity / 3).", 0.0, 5.0),
        "commander_team_evidence": _p(
            0.3, "Evidence value added to paging the commander once commander_team_size people are active.", 0.0, 5.0
        ),
        "commander_team_size": _p(3, "Active responders from which a commander is needed.", 1, 100),
        "commander_role_bonus": _p(0.2, "'role' bonus for paging the commander (it is what the runbook says).", -5.0, 5.0),
        "comms_evidence": _p(
            0.4, "Evidence value, for the commander, of paging the comms lead at severity 3 (someone must tell the users).", 0.0, 5.0
        ),
        "comms_urgency": _p(0.2, "'urgency' of paging the comms lead per unit of time pressure.", -5.0, 5.0),
    },
    "share": {
        "urgency": _p(
            -0.2, "'urgency' of sharing or relaying a finding per unit of time pressure (negative: writing feels like a delay).", -5.0, 5.0
        ),
        "audience_full": _p(2.0, "Active others at which telling a finding has its full value (fewer: proportionally less).", 0.1, 100.0),
    },
    "status_update": {
        "evidence": _p(0.3, "Evidence value of a status update with audience_full others active.", 0.0, 5.0),
        "audience_full": _p(3.0, "Active others at which a status update has its full value.", 0.1, 100.0),
        "urgency": _p(-0.1, "'urgency' of a status update per unit of time pressure.", -5.0, 5.0),
        "role_pull": _p(0.6, "'role' pull of a due update on the commander and comms lead, per cadence period overdue.", 0.0, 5.0),
        "ops_role_pull": _p(0.4, "The same pull on the ops on-call (who posts when there is no active commander).", 0.0, 5.0),
        "overdue_cap": _p(2.0, "Cadence periods overdue beyond which the pull grows no more.", 1.0, 100.0),
        "suspect_threshold": _p(0.3, "Suspicion above which an update names the main suspect.", 0.0, 1.0),
    },
    "read": {
        "evidence": _p(0.6, "Evidence value of reading a full inbox: evidence x (1 - exp(-unread / inbox_scale)).", 0.0, 5.0),
        "inbox_scale": _p(3.0, "Unread messages at which reading has 63% of its full value.", 0.1, 100.0),
        "urgency": _p(-0.1, "'urgency' of reading per unit of time pressure.", -5.0, 5.0),
        "effort": _p(0.05, "'effort' of a minute of reading.", 0.0, 5.0),
    },
    "coordinate": {
        "suspicion_threshold": _p(0.3, "Suspicion above which the commander assigns an unclaimed suspect to someone.", 0.0, 1.0),
        "evidence_scale": _p(0.8, "Evidence value of an assignment: scale on suspicion x the assignee's believed knowledge.", 0.0, 5.0),
        "urgency": _p(0.1, "'urgency' of assigning work per unit of time pressure.", -5.0, 5.0),
        "crowding_per_person": _p(0.05, "'coordination' cost of an assignment per active person.", 0.0, 5.0),
    },
    "other_duty": {
        "pull": _p(1.2, "'other_duties' pull of the responder's other work, per unit of duty load.", 0.0, 10.0),
        "urgency": _p(-0.3, "'urgency' of turning to other work per unit of time pressure.", -5.0, 5.0),
        "effort": _p(0.1, "'effort' of switching to other work.", 0.0, 5.0),
        "minutes": _p(5, "Minutes spent on other work once chosen.", 1, 120, "min"),
    },
    "wait": {
        "own_remedy": _p(0.2, "Value of watching the dashboards while one's own remedy runs.", 0.0, 5.0),
        "believes_fixed": _p(0.3, "Value of watching when one believes the incident fixed.", 0.0, 5.0),
    },
    "roles": {
        "commander_investigate": _role("commander", "investigate", -0.6),
        "commander_remediate": _role("commander", "remediate", -0.5),
        "commander_share": _role("commander", "share", 0.2),
        "commander_relay": _role("commander", "relay", 0.4),
        "commander_page": _role("commander", "page", 0.3),
        "commander_read": _role("commander", "read", 0.3),
        "commander_coordinate": _role("commander", "coordinate", 0.4),
        "commander_regroup": _role("commander", "regroup", 0.3),
        "ops_investigate": _role("ops on-call", "investigate", 0.3),
        "ops_remediate": _role("ops on-call", "remediate", 0.3),
        "ops_share": _role("ops on-call", "share", 0.1),
        "ops_page": _role("ops on-call", "page", 0.1),
        "sme_investigate": _role("subject-matter expert", "investigate", 0.3),
        "sme_remediate": _role("subject-matter expert", "remediate", 0.2),
        "sme_share": _role("subject-matter expert", "share", 0.1),
        "support_investigate": _role("support on-call", "investigate", -0.8),
        "support_remediate": _role("support on-call", "remediate", -1.5),
        "support_page": _role("support on-call", "page", -0.2),
        "support_read": _role("support on-call", "read", 0.3),
        "comms_investigate": _role("comms lead", "investigate", -0.8),
        "comms_remediate": _role("comms lead", "remediate", -1.5),
        "comms_page": _role("comms lead", "page", -0.3),
        "comms_read": _role("comms lead", "read", 0.3),
    },
    "beliefs": {
        "root_suspicion": _p(0.9, "Suspicion of a service one concludes or hears is the root cause (at least).", 0.0, 1.0),
        "symptom_suspicion": _p(0.05, "Suspicion of a service one concludes or hears is only a symptom (at most).", 0.0, 1.0),
        "downstream_suspicion": _p(0.7, "Suspicion of the service a symptom is traced to (at least).", 0.0, 1.0),
        "mentioned_suspicion": _p(
            0.6, "Suspicion of the service a status update or a page names as the main suspect (at least).", 0.0, 1.0
        ),
        "assigned_suspicion": _p(0.6, "Suspicion of the service the commander assigns one to (at least).", 0.0, 1.0),
        "failure_doubt": _p(0.8, "Suspicion of a service is multiplied by this when a remedy on it is known to have failed.", 0.0, 1.0),
        "failures_to_reopen": _p(2, "Known failed remedies on a believed root after which it is looked at again.", 1, 100),
        "reopened_suspicion": _p(
            0.3, "Suspicion (at least) of a service ruled healthy while the alerts were quiet, when they come back (look again).", 0.0, 1.0
        ),
        "pass_on_stuck": _p(
            0.5, "Chance that someone who comes to believe 'they are out of ideas' passes it on (it joins what they will share).", 0.0, 1.0
        ),
    },
    "fit": {
        f"{fault}_{remedy}": _p(
            value,
            f"How well a {remedy.replace('_', ' ')} fits a {fault.replace('_', ' ')} fault on the root: 1 fixes it; between 0 and 1 gives "
            "temporary relief (for fit x remediation.relief_minutes) and counts that much in g; 0 does nothing.",
            0.0,
            1.0,
        )
        for fault, remedies in _FIT_DEFAULTS.items()
        for remedy, value in remedies.items()
    },
    "importance": {
        "root": _p(1.0, "How much telling 'X is the root cause' matters to others (evidence of sharing it).", 0.0, 5.0),
        "remedy_result": _p(0.8, "How much telling a remedy's result matters.", 0.0, 5.0),
        "symptom": _p(0.6, "How much telling 'X is only a symptom' matters.", 0.0, 5.0),
        "remedy_start": _p(0.5, "How much telling 'starting R on X' matters.", 0.0, 5.0),
        "stuck": _p(0.4, "How much telling 'they are out of ideas' matters.", 0.0, 5.0),
        "healthy": _p(0.3, "How much telling 'X looks healthy' matters.", 0.0, 5.0),
        "other": _p(0.2, "How much any other message matters (when reflected back).", 0.0, 5.0),
    },
    "communication": {
        "effort_minutes": _p(10.0, "Minutes of writing that count as one unit of 'effort'.", 0.1, 1000.0, "min"),
        "catch_up_channel": _p(15, "Channel mode: messages of the channel backlog a newcomer reads on joining.", 0, 1000),
        "catch_up_commander": _p(3, "Commander mode: the commander's last messages a newcomer reads on joining.", 0, 1000),
        "direct_share_social_cost": _p(
            0.2, "Direct mode: 'social_cost' of sharing by direct message, per unit of mean unfamiliarity with the active others.", 0.0, 5.0
        ),
        "fatigue_clarity_loss": _p(
            0.3, "Share of clarity lost per unit of the writer's fatigue (fatigue counted up to fatigue.cap).", 0.0, 1.0
        ),
        "clarity_remedy_result": _p(
            0.6, "Clarity multiplier of a remedy-result report ('X didn't work' leaves open what happens next).", 0.0, 1.0
        ),
        "clarity_remedy_start": _p(0.85, "Clarity multiplier of a 'starting R on X' message.", 0.0, 1.0),
        "topicless_knowledge": _p(
            0.5, "Reader knowledge assumed for a message about no particular service (in the misread chance).", 0.0, 1.0
        ),
    },
    "coordination": {
        "familiarity_relief": _p(
            0.6,
            "Share of the per-person coordination cost that mutual familiarity removes (at mean familiarity 1 among the active): "
            "people who know each other coordinate with less talk (Espinosa et al. 2007).",
            0.0,
            1.0,
            source="Direction from Espinosa, Slaughter, Kraut & Herbsleb 2007, Organization Science 18(4); size assumed.",
        ),
    },
    "fatigue": {
        "trough_hour": _p(4.0, "Clock hour of the circadian low point.", 0.0, 24.0, "h", FOLKARD),
        "awake_threshold": _p(16.0, "Hours awake after which wakefulness adds fatigue.", 0.0, 72.0, "h", DAWSON),
        "cap": _p(1.5, "Fatigue counted at most this much in the loss of judgement and of clarity.", 0.0, 10.0),
    },
    "responders": {
        "experience_floor": _p(0.8, "Usable knowledge is scaled by experience_floor + experience_gain x experience.", 0.0, 2.0),
        "experience_gain": _p(0.4, "See experience_floor.", 0.0, 2.0),
    },
    "connective": {
        "recent_minutes": _p(15, "Minutes for which a message read stays one that can be acknowledged or asked about.", 1, 600, "min"),
        "recent_max": _p(5, "Messages remembered for acknowledging or asking about.", 1, 100),
        "connection_value": _p(0.5, "'connection' value of an exchange with a stranger, before template crowding and speed-up.", 0.0, 5.0),
        "hurry": _p(0.3, "Connective actions lose (hurry + speedup) x time pressure of 'urgency' (they feel like a delay).", 0.0, 5.0),
        "ack_evidence": _p(0.3, "Evidence value of acknowledging: scale on importance x unfamiliarity.", 0.0, 5.0),
        "clarify_evidence": _p(0.6, "Evidence value of a clarifying question: scale on importance x doubt.", 0.0, 5.0),
        "clarify_social_cost": _p(0.3, "'social_cost' of asking a stranger a question (scaled by 1 - familiarity).", 0.0, 5.0),
        "clarify_connection": _p(1.2, "'connection' multiplier of a clarifying question.", 0.0, 5.0),
        "own_mistake_evidence": _p(0.2, "Evidence value of owning one's failed remedy openly.", 0.0, 5.0),
        "own_mistake_connection": _p(0.8, "'connection' multiplier of owning a mistake (scaled by mean unfamiliarity).", 0.0, 5.0),
        "speedup_write_cut": _p(0.5, "Share of writing time cut at full speed-up.", 0.0, 1.0),
        "speedup_clarity_loss": _p(0.3, "Share of clarity lost at full speed-up.", 0.0, 1.0),
    },
}


# The keys issue 10 added (new mechanisms): their own provenance line, unless they cite a source.
_ISSUE_10 = [f"{sec}.{key}" for sec in ("detection", "incident", "escalate", "regroup") for key in BEHAVIOUR[sec]] + [
    f"remediation.{key}"
    for key in (
        "code_fix_write_minutes", "code_fix_minutes", "code_fix_per_failure", "pipeline_stages", "stage_failure_prob",
        "wrong_harm_prob", "harm_minutes", "undo_minutes", "undo_evidence", "undo_urgency",
    )
] + ["roles.commander_regroup", "fixation.endorsements", "beliefs.reopened_suspicion", "beliefs.pass_on_stuck"] + [f"fit.{f}_code_fix" for f in FAULT_TYPES]  # fmt: skip
for _dotted in _ISSUE_10:
    _sec, _key = _dotted.split(".")
    if BEHAVIOUR[_sec][_key].source == ASSUMED:  # a key that cites its mechanism's source keeps it
        BEHAVIOUR[_sec][_key] = dataclasses.replace(BEHAVIOUR[_sec][_key], source=ASSUMED_10)

# Provenance of the behavioural keys that were in the schema before this table: assumptions
# like the ones above unless cited. Keys not listed (graph sizes, files, switches, the mode,
# the roster, the clock, campaign design) describe the scenario the user chooses.
_ASSUMED_EARLIER = (
    "fault.self_heal_rate fault.worsen_rate remediation.failure_prob remediation.misleading_report_prob "
    "remediation.rollback_minutes remediation.restart_minutes remediation.scale_minutes remediation.failover_minutes "
    "remediation.config_revert_minutes remediation.data_repair_minutes remediation.relief_minutes remediation.stability_window "
    "responders.deep_knowledge responders.shallow_knowledge responders.knowledge_sd responders.experience "
    "responders.support_duty_load responders.other_duty_load relationships.within_team relationships.across_team "
    "relationships.within_density relationships.across_density relationships.commander_familiarity relationships.transactive_noise "
    "communication.structured_clarity communication.structured_write_factor communication.write_minutes communication.base_clarity "
    "communication.read_rate communication.skim_threshold communication.misread_base communication.misread_unfamiliarity "
    "communication.misread_ambiguity communication.misread_ignorance communication.misread_fatigue communication.misread_skim "
    "coordination.ack_minutes_awake coordination.ack_minutes_asleep coordination.coordination_cost "
    "investigation.base_minutes investigation.misjudge_rate investigation.visible_suspicion "
    "fatigue.per_hour_debt fatigue.per_incident_hour fatigue.slowdown fatigue.judgement "
    "connective.w_connection connective.ack_gain connective.clarify_gain connective.own_mistake_gain connective.repair_gain "
    "connective.unrepaired_loss connective.repair_window connective.reveal_prob connective.ack_minutes connective.template_crowding "
    "campaign.tie_decay_per_day campaign.gameday_gain campaign.gameday_knowledge campaign.review_gain campaign.burnout_night_page "
    "campaign.burnout_impeded campaign.burnout_recovery_per_day campaign.burnout_fatigue "
    "goodness.noise goodness.w_evidence goodness.w_urgency goodness.w_effort goodness.w_social goodness.w_role goodness.w_duty "
    "goodness.w_coordination goodness.watch_minutes goodness.pressure_minutes goodness.risk_aversion"
).split()
EARLIER_SOURCES: dict[str, str] = {key: ASSUMED for key in _ASSUMED_EARLIER}
EARLIER_SOURCES["fatigue.circadian"] = FOLKARD
EARLIER_SOURCES["fatigue.per_hour_awake"] = DAWSON
EARLIER_SOURCES["responders.teammate_knowledge"] = ASSUMED_10  # corners (jcs_sim.knowledge): direction from the brief, size assumed


# The keys `jcs-sim calibrate` frees when --params is not given: among the numbers that move time to
# resolve most (docs/mechanisms.md; the effort scale and root-finding intercept of investigations).
CALIBRATION_DEFAULTS = (
    "investigation.base_minutes",
    "investigation.effort_minutes",
    "investigation.root_base",
    "page.social_cost",
    "goodness.noise",
)


def markdown_table() -> str:
    """The behavioural parameters as a markdown table (docs/ODD.md embeds it; tests/update_docs.py writes it)."""
    lines = ["| key | default | allowed | meaning | source |", "|---|---|---|---|---|"]
    for section, keys in BEHAVIOUR.items():
        for key, p in keys.items():
            unit = f" ({p.unit})" if p.unit else ""
            source = SOURCE_LABELS.get(p.source, p.source)
            lines.append(f"| `{section}.{key}` | {p.default!r} | {p.allowed()}{unit} | {p.doc} | {source} |")
    return "\n".join(lines) + "\n"
