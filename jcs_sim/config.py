"""The one config schema: every parameter, its default, its bounds and its meaning.

Why one schema: the CLI, the browser app, the docs and any future fitting
method read defaults and bounds from here, so they cannot drift apart (the
warning from Mesa's examples, where the UI re-declared a default and it
drifted). Every key is a named, bounded, documented value so that a
calibration method can vary it.

A config is a nested ``dict`` ``{section: {key: value}}`` plus the optional
``responders.roster`` list of tables. :func:`load_config` reads TOML,
:func:`apply_overrides` applies ``--set section.key=value`` strings, and
:func:`validate` checks everything, raising :class:`ConfigError` whose
message names the file, the key, the bad value and what is allowed.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import json
import math
import stat
import tomllib
from pathlib import Path
from typing import Any

from .modes import MODE_NAMES
from .param import Param
from .parameters import ASSUMED, ASSUMED_10, BEHAVIOUR, EARLIER_SOURCES, FAULT_TYPES, REMEDIATIONS, SOURCE_LABELS

__all__ = [
    "ConfigError",
    "Param",
    "SCHEMA",
    "ROSTER_KEYS",
    "ROLES",
    "FAULT_TYPES",
    "REMEDIATIONS",
    "default_config",
    "load_config",
    "apply_overrides",
    "with_settings",
    "value_of",
    "validate",
    "config_to_toml",
    "check_mode",
    "load_for_mode",
    "MODES",
]

ROLES = ("commander", "ops", "sme", "support", "comms")


class ConfigError(ValueError):
    """A bad config: the message names where, which key, the value and what is allowed."""


P = Param
SCHEMA: dict[str, dict[str, Param]] = {
    "run": {
        "max_minutes": P(
            720, "Censoring horizon: an incident not resolved by then is reported as censored, never dropped.", 10, 100_000, unit="min"
        ),
        "start_hour": P(
            14.0,
            "Clock hour (0-24) at which the first alert fires. The clock then advances one minute per step; the hour drives circadian fatigue, whether a paged responder is asleep (23:00-07:00), and reluctance to page at night.",
            0.0,
            24.0,
            unit="h",
        ),
    },
    "system": {
        "graph_file": P(
            "",
            "Service dependency graph to load instead of generating one: JSON node-link (.json) or GraphML (.graphml). Each node needs a 'team' attribute; an edge A->B means A depends on B. Cycles are allowed. Empty: generate from the keys below.",
        ),
        "n_teams": P(4, "Number of teams owning services in a generated graph.", 1, 100),
        "services_per_team": P(8, "Services owned by each team in a generated graph.", 1, 500),
        "n_layers": P(4, "Layers of a generated microservice topology: layer 0 is user-facing, deeper layers are shared back-ends.", 2, 20),
        "deps_per_service": P(
            2.0,
            "Mean of the Poisson draw of dependencies per service on services in the next two layers (at least 1 is drawn, so the realised mean is a little higher; generated graph).",
            0.0,
            20.0,
        ),
        "team_locality": P(
            0.5,
            "Probability that a generated dependency stays inside the owning team's services when the team has one in a deeper layer; lower values make faults cross team boundaries more often.",
            0.0,
            1.0,
        ),
        "alerting_layers": P(1, "Services in the first N layers carry user-facing alerts; faults show there first.", 1, 20),
    },
    "fault": {
        "type": P("random", "Fault type at the root cause; 'random' draws one from the fault stream.", choices=FAULT_TYPES + ("random",)),
        "root_cause": P(
            "",
            "Name of the root-cause service. Empty: chosen by the fault stream among services with dependents (respecting fault.cross_team).",
        ),
        "cross_team": P(
            True,
            "If true and root_cause is empty, the root cause is owned by a team other than the team owning the first alerting service (the cross-team incident).",
        ),
        "self_heal_rate": P(
            0.001,
            "Per-minute hazard that the fault clears on its own (traffic subsides, a cache refills). Chosen for plausibility: about 6% per hour.",
            0.0,
            1.0,
            unit="1/min",
        ),
        "worsen_rate": P(
            0.004,
            "Per-minute hazard that the impact worsens one severity level (up to 3), raising time pressure. Chosen for plausibility: about one step per four hours.",
            0.0,
            1.0,
            unit="1/min",
        ),
        "initial_severity": P(2, "Severity at the first alert, 1 (minor) to 3 (major); scales time pressure.", 1, 3),
    },
    "remediation": {
        "failure_prob": P(0.15, "Probability that a fitting remediation on the right service fails anyway.", 0.0, 1.0),
        "misleading_report_prob": P(
            0.2,
            "Probability that the operational tool reports the opposite of what happened (the 'operational UX was misleading' story).",
            0.0,
            1.0,
        ),
        "rollback_minutes": P(12, "Minutes a rollback takes to complete.", 1, 600, unit="min"),
        "restart_minutes": P(5, "Minutes a restart takes.", 1, 600, unit="min"),
        "scale_minutes": P(8, "Minutes a scale-out takes.", 1, 600, unit="min"),
        "failover_minutes": P(15, "Minutes a failover takes; the service stays down until it completes.", 1, 600, unit="min"),
        "config_revert_minutes": P(6, "Minutes a config revert takes.", 1, 600, unit="min"),
        "data_repair_minutes": P(45, "Minutes a data repair takes.", 1, 6000, unit="min"),
        "relief_minutes": P(
            20,
            "A remedy that only partly fits (fit between 0 and 1, the [fit] section) gives temporary relief: symptoms clear for fit x this long, then return.",
            0,
            600,
            unit="min",
        ),
        "stability_window": P(
            15, "Minutes the system must stay healthy after a lasting fix before the incident is declared resolved.", 0, 600, unit="min"
        ),
    },
    "responders": {
        "sme_per_team": P(
            1,
            "Subject-matter experts available to be paged from each team other than the paged ops on-call's (in a campaign: that many of each team's engineers are on call each week, at most campaign.team_size).",
            0,
            20,
        ),
        "include_commander": P(
            True,
            "Include an incident commander: paged by any responder whose g chooses to, or automatically at severity >= coordination.commander_join_severity.",
        ),
        "include_support": P(
            True,
            "Include a support on-call who is notified by the first alert, watches the channel and answers internal users (the bystander).",
        ),
        "include_comms": P(True, "Include a communications lead, paged by the commander, who posts external status updates."),
        "deep_knowledge": P(
            0.8, "Mean knowledge (0-1) of a responder on the services of their own corner (all their team's when corners is off).", 0.0, 1.0
        ),
        "corners": P(
            True,
            "Split each team's services among the team's people (each knows their own corner deeply, the rest of the team's at teammate_knowledge). False: everyone knows all their team's services at deep_knowledge.",
        ),
        "teammate_knowledge": P(
            0.5,
            "Mean knowledge (0-1) of a responder on their own team's services outside their corner (only with corners). Unsourced: the brief gives the direction (a corner is known better than teammates know it), not the size; a key for calibration.",
            0.0,
            1.0,
        ),
        "shallow_knowledge": P(0.15, "Mean knowledge (0-1) of a responder on other teams' services.", 0.0, 1.0),
        "knowledge_sd": P(0.08, "Standard deviation of per-service knowledge around those means (clipped to 0-1).", 0.0, 0.5),
        "experience": P(0.5, "Mean experience (0-1): speeds investigation and sharpens judgement.", 0.0, 1.0),
        "hours_awake": P(6.0, "Hours each responder has been awake at the first alert (grows with the clock).", 0.0, 72.0, unit="h"),
        "sleep_debt": P(0.0, "Hours of sleep owed from previous nights (adds to fatigue).", 0.0, 48.0, unit="h"),
        "support_duty_load": P(
            0.5, "Load (0-1) of other duties on the support on-call (internal users' questions): a conflicting goal in g.", 0.0, 1.0
        ),
        "other_duty_load": P(0.1, "Load (0-1) of other duties on everyone else.", 0.0, 1.0),
        "allow_unstaffed_teams": P(
            False,
            "Allow teams that own services but have nobody on the roster (a what-if: nobody who knows that corner can join). False: such a roster is an error.",
        ),
    },
    "relationships": {
        "file": P(
            "",
            "Relationship graph to load: JSON node-link or GraphML with responder names as nodes and a 'weight' (familiarity 0-1) on each edge. Empty: generate from the keys below.",
        ),
        "within_team": P(0.7, "Mean familiarity between two people of the same team who know each other.", 0.0, 1.0),
        "across_team": P(0.25, "Mean familiarity between people of different teams who know each other.", 0.0, 1.0),
        "within_density": P(0.9, "Probability that two people of the same team have a tie at all.", 0.0, 1.0),
        "across_density": P(0.3, "Probability that two people of different teams have a tie at all.", 0.0, 1.0),
        "commander_familiarity": P(
            0.4, "Mean familiarity of the incident commander (and comms lead) with everyone (they meet many teams).", 0.0, 1.0
        ),
        "transactive_noise": P(0.4, "Error (sd) in a responder's belief about what a stranger knows; shrinks with familiarity.", 0.0, 2.0),
    },
    "communication": {
        "mode": P(
            "channel",
            "'channel': everyone posts to one shared channel; 'commander': findings go to the incident commander, who relays; 'direct': findings go by direct message to whom the sender believes needs them.",
            choices=MODE_NAMES,
        ),
        "update_cadence": P(15, "Minutes between status updates the commander (or ops on-call) is expected to post.", 1, 240, unit="min"),
        "structured_updates": P(
            False, "Templated messages (every incident message, not only status updates): clearer to strangers, slower to write."
        ),
        "structured_clarity": P(0.25, "Clarity added by a template.", 0.0, 1.0),
        "structured_write_factor": P(1.8, "Writing time multiplier of a templated message.", 1.0, 10.0),
        "write_minutes": P(1.5, "Minutes to write a free-form message (before fatigue and coordination load).", 0.1, 30.0, unit="min"),
        "base_clarity": P(0.65, "Clarity (0-1) of a free-form message from a rested writer.", 0.0, 1.0),
        "read_rate": P(4, "Messages a responder can read carefully in one minute of reading.", 1, 100, unit="msg/min"),
        "skim_threshold": P(8, "Unread messages above which a reader skims (reads everything at once, understanding less).", 1, 1000),
        "misreading": P(True, "Switch: when false, no message is ever misread."),
        "misread_base": P(
            -5.0, "Logit intercept of the misread probability (a clear message between close colleagues on a familiar topic).", -20.0, 20.0
        ),
        "misread_unfamiliarity": P(2.0, "Logit weight of (1 - familiarity between sender and reader).", 0.0, 20.0),
        "misread_ambiguity": P(1.5, "Logit weight of (1 - message clarity).", 0.0, 20.0),
        "misread_ignorance": P(1.0, "Logit weight of (1 - reader's knowledge of the message's service).", 0.0, 20.0),
        "misread_fatigue": P(1.0, "Logit weight of the reader's fatigue.", 0.0, 20.0),
        "misread_skim": P(1.0, "Logit weight added when the reader is skimming a busy channel.", 0.0, 20.0),
    },
    "coordination": {
        "ack_minutes_awake": P(
            3.0,
            "Time scale m for an awake responder to notice a page: the per-minute chance is 1 - exp(-(1 + re-pages) / m).",
            0.5,
            120.0,
            unit="min",
        ),
        "ack_minutes_asleep": P(12.0, "The same time scale for a responder paged at night (asleep).", 0.5, 240.0, unit="min"),
        "escalation_timeout": P(10, "Minutes after which an unacknowledged page is re-sent (an escalation).", 1, 240, unit="min"),
        "coordination_cost": P(
            0.06,
            "Fractional slow-down of every action per additional active responder (interruptions, keeping others in the loop).",
            0.0,
            2.0,
        ),
        "commander_join_severity": P(3, "Severity at which the commander is paged automatically, without anyone deciding to.", 1, 4),
    },
    "investigation": {
        "base_minutes": P(
            8.0, "Minutes an investigation of one service takes for a responder with knowledge 0.5, rested, alone.", 1.0, 240.0, unit="min"
        ),
        "misjudge_rate": P(
            0.35,
            "Scale of the chance that an investigator with little knowledge of a symptomatic service concludes it is the root cause.",
            0.0,
            1.0,
        ),
        "visible_suspicion": P(0.5, "Prior suspicion of a service a responder can see alerting.", 0.0, 1.0),
    },
    "fatigue": {
        "circadian": P(0.5, "Fatigue added at the circadian trough (around 4AM), scaled by a cosine over the day.", 0.0, 2.0),
        "per_hour_awake": P(0.05, "Fatigue added per hour awake beyond 16 hours.", 0.0, 1.0),
        "per_hour_debt": P(0.03, "Fatigue added per hour of sleep debt.", 0.0, 1.0),
        "per_incident_hour": P(0.05, "Fatigue added per hour of incident work.", 0.0, 1.0),
        "slowdown": P(0.6, "Fractional slow-down of actions at fatigue 1.", 0.0, 5.0),
        "judgement": P(0.3, "Fractional loss of effective knowledge at fatigue 1.", 0.0, 1.0),
    },
    "connective": {
        "enabled": P(
            True,
            "Switch: when false, no connective action (acknowledge or reflect back, ask a clarifying question, own a mistake) is offered, so misreadings are never repaired and ties can only fall (trust lost to unrepaired misreadings).",
        ),
        "w_connection": P(
            1.0,
            "Weight of the 'connection' component of g: the value a responder puts on seeing and being seen (Pugh's connective labor).",
            0.0,
            10.0,
        ),
        "ack_gain": P(
            0.05,
            "Familiarity gained by both people when one acknowledges or reflects back the other's message (scaled by 1 - familiarity).",
            0.0,
            1.0,
        ),
        "clarify_gain": P(
            0.08,
            "Familiarity gained by both when one asks the other a clarifying question and gets an answer (scaled by 1 - familiarity).",
            0.0,
            1.0,
        ),
        "own_mistake_gain": P(
            0.04,
            "Familiarity gained by the sender and each reader of a message owning a mistake openly (scaled by 1 - familiarity).",
            0.0,
            1.0,
        ),
        "repair_gain": P(0.06, "Extra familiarity gained by both when a misreading is caught and repaired in an exchange.", 0.0, 1.0),
        "unrepaired_loss": P(
            0.05, "Familiarity (trust) lost by both when a misread message is not repaired within repair_window.", 0.0, 1.0
        ),
        "repair_window": P(20, "Minutes within which a misreading must be repaired before it costs trust.", 1, 600, unit="min"),
        "reveal_prob": P(
            0.7, "Chance that reflecting a message back reveals that it was misread (a clarifying question always does).", 0.0, 1.0
        ),
        "ack_minutes": P(
            0.5,
            "Minutes to write an acknowledgement or reflection (before fatigue, coordination load and speed-up).",
            0.1,
            30.0,
            unit="min",
        ),
        "speedup": P(
            0.0,
            "Speed-up pressure (Pugh's systematization by speed-up), 0-1: less time allowed per exchange. Writing takes (1 - 0.5 speedup) as long, clarity falls by (1 - 0.3 speedup), tie gains by (1 - speedup), and connective actions feel more costly under time pressure.",
            0.0,
            1.0,
        ),
        "template_crowding": P(
            0.6,
            "With communication.structured_updates, the share of the connection value of a connective action that templates crowd out (less room to see each other).",
            0.0,
            1.0,
        ),
    },
    "campaign": {
        "days": P(90, "Days simulated by `jcs-sim campaign` (a quarter by default; --days overrides).", 1, 3650, unit="d"),
        "incidents_per_day": P(
            0.3,
            "Mean incidents per day (Poisson arrivals); each starts at a uniformly drawn hour. Chosen for plausibility: about two a week.",
            0.0,
            50.0,
            unit="1/d",
        ),
        "share_sev2": P(0.35, "Share of incidents starting at severity 2.", 0.0, 1.0),
        "share_sev3": P(0.15, "Share of incidents starting at severity 3 (the rest start at 1).", 0.0, 1.0),
        "team_size": P(5, "Engineers per team in the organisation; each team's on-call rotates weekly among them.", 1, 100),
        "commanders": P(3, "People in the incident-commander rotation (weekly).", 0, 50),
        "support_pool": P(2, "People in the support on-call rotation (weekly).", 0, 50),
        "comms_pool": P(2, "People in the communications rotation (weekly).", 0, 50),
        "team_daily_contact": P(
            True,
            "Team members work together every day, so ties within a team do not decay; only ties without contact (across teams, mostly) do.",
        ),
        "tie_decay_per_day": P(
            0.01,
            "Daily decay rate of a tie without contact: w <- w * exp(-rate). Chosen for plausibility: an unused tie halves in about ten weeks.",
            0.0,
            1.0,
            unit="1/d",
        ),
        "gameday_interval_days": P(0, "Days between game days / tabletop exercises (0: none).", 0, 3650, unit="d"),
        "gameday_participants": P(2, "Engineers per team taking part in each game day (drawn at random).", 1, 100),
        "gameday_gain": P(
            0.15, "Familiarity gained by each cross-team pair of game-day participants (scaled by 1 - familiarity).", 0.0, 1.0
        ),
        "gameday_knowledge": P(
            0.05, "Knowledge participants gain of the other participating teams' services (scaled by 1 - knowledge).", 0.0, 1.0
        ),
        "review_min_severity": P(2, "Incidents of at least this starting severity get a post-incident review.", 1, 4),
        "review_gain": P(
            0.15,
            "Knowledge each responder gains, in a review, of the services the incident involved (the root and every service investigated), scaled by 1 - knowledge.",
            0.0,
            1.0,
        ),
        "burnout_night_page": P(0.05, "Burnout added to a responder paged at night.", 0.0, 1.0),
        "burnout_impeded": P(
            0.3,
            "Burnout added per unit of impeded connection: the share of a responder's exchanges that ended in an unrepaired misreading.",
            0.0,
            5.0,
        ),
        "burnout_recovery_per_day": P(0.05, "Daily recovery: burnout <- burnout * (1 - rate).", 0.0, 1.0, unit="1/d"),
        "burnout_fatigue": P(0.5, "Fatigue carried into an incident per unit of burnout.", 0.0, 5.0),
        "gameday_teams": P(
            "",
            "Comma-separated teams that take part in game days (for example 'payments,platform'), at least two; empty: every team.",
        ),
        "rotation_days": P(7, "Days each on-call shift lasts before the rotations move on to the next person.", 1, 365, unit="d"),
    },
    "goodness": {
        "noise": P(0.25, "Scale of the Gumbel noise added to each candidate's g (0: always the arg-max). Grows with fatigue.", 0.0, 10.0),
        "w_evidence": P(
            1.0, "Weight of the 'evidence' component: expected value of the action's result given what the responder believes.", 0.0, 10.0
        ),
        "w_urgency": P(
            1.0, "Weight of 'urgency': time pressure (severity, minutes elapsed) favouring actions that stop impact fast.", 0.0, 10.0
        ),
        "w_effort": P(1.0, "Weight of 'effort': the action's time cost, heavier when tired.", 0.0, 10.0),
        "w_social": P(1.0, "Weight of 'social_cost': reluctance to page or message someone unfamiliar, more so at night.", 0.0, 10.0),
        "w_role": P(1.0, "Weight of 'role': what the responder's role expects of them.", 0.0, 10.0),
        "w_duty": P(1.0, "Weight of 'other_duties': pull of conflicting work outside the incident.", 0.0, 10.0),
        "w_coordination": P(
            1.0, "Weight of 'coordination': crowding, doing what someone else is believed to be doing, adding people.", 0.0, 10.0
        ),
        "watch_minutes": P(
            5,
            "Minutes a responder who chose to wait keeps watching before deciding again, unless a message, a result or a change on the dashboards arrives first.",
            1,
            60,
            unit="min",
        ),
        "pressure_minutes": P(
            60.0,
            "Time pressure while users are hurting is severity/3 x min(1, pressure_start + minute / pressure_minutes): it starts at pressure_start (30%) and is full after (1 - pressure_start) x this many minutes.",
            1.0,
            1000.0,
            unit="min",
        ),
        "risk_aversion": P(1.0, "Weight of 'risk': reluctance to act (remediate) on a service the responder knows little about.", 0.0, 5.0),
    },
}

# The behavioural numbers of the decision core (jcs_sim.parameters): new sections, and new keys of the sections above.
for _section, _keys in BEHAVIOUR.items():
    SCHEMA.setdefault(_section, {}).update(_keys)
# A section's switch is scenario, not behaviour: it comes first in its section, without a provenance line.
SCHEMA["regroup"] = {"enabled": P(True, "Switch: when false, nobody calls a regroup (ODD §7.23)."), **SCHEMA["regroup"]}
for _dotted, _source in EARLIER_SOURCES.items():
    _section, _key = _dotted.split(".")
    SCHEMA[_section][_key] = dataclasses.replace(SCHEMA[_section][_key], source=_source)

SCHEMA["organisation"] = {
    "file": P(
        "",
        "Organisation file (TOML): people with their team, role, experience and the services they know, each team's on-call rotation, and optionally a whole-organisation relationship file and a CSV of past incidents to derive familiarity from (docs/organisation.md). Empty: generated people.",
    ),
    "rotation_slot": P(
        0,
        "`run` with an organisation file: which shift of the rotations the incident falls in (0: the first person on each team's on_call list, 1: the second, ...). A campaign moves through the shifts itself.",
        0,
        100_000,
    ),
    "history_gain": P(
        0.15,
        "Familiarity a pair gains from each past incident both took part in (scaled by 1 - familiarity), when the organisation file has a history CSV. Chosen to match campaign.gameday_gain.",
        0.0,
        1.0,
    ),
    "history_half_life_days": P(
        70.0,
        "Half-life of what a past incident adds to a tie: an incident this many days before the latest one in the history counts half. Chosen to match campaign.tie_decay_per_day (0.01/day). 0: no decay.",
        0.0,
        10_000.0,
        unit="d",
    ),
}

# Keys that have an effect in only some modes. A key set to a non-default value
# in a mode that ignores it is refused (issue 12: a sweep over a campaign key
# gave identical arms, silently): see :func:`check_mode`.
CAMPAIGN_IGNORES = {
    "run.start_hour": "each incident of a campaign starts at an hour drawn from the campaign stream",
    "fault.initial_severity": "a campaign draws each incident's severity from campaign.share_sev2 and campaign.share_sev3",
    "responders.hours_awake": "in a campaign people have been up since 07:00",
    "responders.roster": "a campaign pages each team's on-call from its rotation; describe the people in an organisation file (organisation.file)",
    "relationships.file": "a campaign needs the ties of the whole organisation: give them in the organisation file (organisation.file)",
}
ORG_REPLACES = {
    "responders.roster": "the organisation file says who is on call",
    "relationships.file": "give the whole organisation's ties in the organisation file (its 'relationships' key)",
    "campaign.team_size": "the organisation file lists each team's people",
    "campaign.commanders": "the organisation file lists the commander rotation (people with role 'commander')",
    "campaign.support_pool": "the organisation file lists the support rotation (people with role 'support')",
    "campaign.comms_pool": "the organisation file lists the comms rotation (people with role 'comms')",
}
MODES = ("run", "campaign")


def check_mode(cfg: dict[str, Any], mode: str, where: str = "config") -> dict[str, Any]:
    """Refuse any key set (to a non-default value) that would have no effect in ``mode``.

    ``mode`` is ``'run'`` (one incident: ``run``, ``sweep``, ``compare``,
    ``viz``) or ``'campaign'`` (``campaign``, ``compare --campaign``,
    campaign sweeps). A key equal to its default changes nothing either way
    and passes. The message names the key, its value, the mode and the mode
    that does use it. Returns ``cfg`` unchanged.
    """
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}; allowed: {MODES}")
    default = default_config()

    def value(dotted: str) -> Any:
        sec, key = dotted.split(".", 1)
        return cfg[sec][key]

    def changed(dotted: str) -> bool:
        sec, key = dotted.split(".", 1)
        return cfg[sec][key] != default[sec][key]

    def shown(dotted: str) -> str:
        v = value(dotted)
        return f"[{len(v)} people]" if dotted == "responders.roster" else repr(v)

    if mode == "run":
        for key in SCHEMA["campaign"]:
            if changed(f"campaign.{key}"):
                raise ConfigError(
                    f"{where}: key 'campaign.{key}' = {shown('campaign.' + key)} has no effect in `run` (one incident); "
                    "it is used by `campaign`, `compare --campaign` and campaign sweeps ([sweep] campaign_days)."
                )
        if changed("organisation.history_gain") or changed("organisation.history_half_life_days"):
            if not cfg["organisation"]["file"]:
                dotted = "organisation.history_gain" if changed("organisation.history_gain") else "organisation.history_half_life_days"
                raise ConfigError(
                    f"{where}: key '{dotted}' = {shown(dotted)} has no effect without an organisation file; set organisation.file (docs/organisation.md)."
                )
    else:
        for dotted, why in CAMPAIGN_IGNORES.items():
            if changed(dotted) and not (cfg["organisation"]["file"] and dotted in ORG_REPLACES):
                raise ConfigError(f"{where}: key '{dotted}' = {shown(dotted)} has no effect in `campaign`: {why}; it is used by `run`.")
        if changed("organisation.rotation_slot"):
            raise ConfigError(
                f"{where}: key 'organisation.rotation_slot' = {shown('organisation.rotation_slot')} has no effect in `campaign`, "
                "which moves through the rotations every campaign.rotation_days; it is used by `run`."
            )
    if cfg["organisation"]["file"]:
        for dotted, why in ORG_REPLACES.items():
            if changed(dotted):
                raise ConfigError(f"{where}: key '{dotted}' = {shown(dotted)} has no effect with organisation.file: {why}.")
    return cfg


def load_for_mode(path: str | Path | None, sets: list[str], mode: str) -> dict[str, Any]:
    """Load a config, apply ``--set`` overrides, and refuse keys with no effect in ``mode``.

    The file is checked before the overrides so that the message names where
    the key came from: the file, or ``--set``.
    """
    cfg = check_mode(load_config(path), mode, where=str(path) if path is not None else "config")
    if sets:
        cfg = check_mode(apply_overrides(cfg, sets), mode, where="--set")
    return cfg


ROSTER_KEYS: dict[str, Param] = {
    "name": P("", "Unique name of the responder."),
    "role": P("sme", "Role.", choices=ROLES),
    "team": P("", "Team the responder belongs to (must own services, except for commander, support and comms)."),
    "experience": P(0.5, "Experience 0-1.", 0.0, 1.0),
    "hours_awake": P(6.0, "Hours awake when paged.", 0.0, 72.0),
    "paged_at_start": P(False, "Paged by the first alert (true for the ops on-call)."),
}


def default_config() -> dict[str, Any]:
    """A fresh copy of the built-in default scenario."""
    cfg: dict[str, Any] = {sec: {k: p.default for k, p in keys.items()} for sec, keys in SCHEMA.items()}
    cfg["responders"]["roster"] = []
    return cfg


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.5)
    return f" Did you mean '{close[0]}'?" if close else ""


def _check_value(where: str, key: str, value: Any, p: Param) -> Any:
    """Return the value coerced to the key's type, or raise a ConfigError naming it."""
    kind = p.kind
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: key '{key}' = {value!r} has the wrong type; allowed: {p.allowed()}.")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: key '{key}' = {value!r} has the wrong type; allowed: {p.allowed()}.")
        if p.choices is not None and value not in p.choices:
            raise ConfigError(f"{where}: key '{key}' = {value!r} is not allowed; allowed: {p.allowed()}.{_suggest(value, list(p.choices))}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: key '{key}' = {value!r} has the wrong type; allowed: {p.allowed()}.")
    if kind is int:
        if isinstance(value, float):
            if not math.isfinite(value) or value != int(value):
                raise ConfigError(f"{where}: key '{key}' = {value!r} is not an integer; allowed: {p.allowed()}.")
            value = int(value)
    else:
        try:
            value = float(value)
        except OverflowError:  # an integer too large for a float (hundreds of digits)
            raise ConfigError(f"{where}: key '{key}' = {_short(value)} is too large; allowed: {p.allowed()}.") from None
        if math.isnan(value) or math.isinf(value):
            raise ConfigError(f"{where}: key '{key}' = {value!r} is not a finite number; allowed: {p.allowed()}.")
    if (p.low is not None and value < p.low) or (p.high is not None and value > p.high):
        raise ConfigError(f"{where}: key '{key}' = {_short(value)} is out of range; allowed: {p.allowed()}.")
    return value


def _short(value: Any, limit: int = 40) -> str:
    """``repr(value)``, cut in the middle when long, so a 400-digit number still gives a one-line message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit // 2]}...{text[-limit // 2 :]} ({len(text)} characters)"


def validate(cfg: dict[str, Any], where: str = "config") -> dict[str, Any]:
    """Check every section and key; return a complete config with defaults filled in.

    Unknown sections and keys are rejected with the closest valid name, so a
    typo never silently falls back to a default.
    """
    if not isinstance(cfg, dict):
        raise ConfigError(f"{where}: expected a table of sections, got {type(cfg).__name__}.")
    out = default_config()
    for sec, body in cfg.items():
        if sec not in SCHEMA:
            raise ConfigError(f"{where}: unknown section '{sec}'.{_suggest(sec, list(SCHEMA))} Sections: {', '.join(SCHEMA)}.")
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: '{sec}' must be a table ([{sec}]), got {body!r}.")
        for key, value in body.items():
            dotted = f"{sec}.{key}"
            if sec == "responders" and key == "roster":
                out["responders"]["roster"] = _validate_roster(value, where)
                continue
            if key not in SCHEMA[sec]:
                valid = list(SCHEMA[sec]) + (["roster"] if sec == "responders" else [])
                raise ConfigError(f"{where}: unknown key '{dotted}'.{_suggest(key, valid)} Keys in [{sec}]: {', '.join(valid)}.")
            out[sec][key] = _check_value(where, dotted, value, SCHEMA[sec][key])
    _check_across(out, where)
    return out


def _check_across(cfg: dict[str, Any], where: str) -> None:
    """Checks across keys that per-key bounds cannot make.

    ``system.alerting_layers`` above ``system.n_layers`` (for a generated graph): each key is
    within its bounds, but together they say "alerts on five of two layers"; every service would
    alert, and whoever wrote 5 likely meant another graph. Here rather than in the CLI, so that
    sweeps, the app and the Python API refuse it too (issue 14).
    """
    sc = cfg["system"]
    if not sc["graph_file"] and sc["alerting_layers"] > sc["n_layers"]:
        raise ConfigError(
            f"{where}: key 'system.alerting_layers' = {sc['alerting_layers']} is more than system.n_layers = {sc['n_layers']}; "
            f"allowed: an integer from 1 to system.n_layers ({sc['n_layers']})."
        )


def _validate_roster(roster: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(roster, list):
        raise ConfigError(f"{where}: 'responders.roster' must be an array of tables ([[responders.roster]]).")
    seen: set[str] = set()
    out = []
    for i, entry in enumerate(roster):
        at = f"responders.roster[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: '{at}' must be a table with keys {', '.join(ROSTER_KEYS)}.")
        person = {k: p.default for k, p in ROSTER_KEYS.items()}
        for key, value in entry.items():
            if key not in ROSTER_KEYS:
                raise ConfigError(f"{where}: unknown key '{at}.{key}'.{_suggest(key, list(ROSTER_KEYS))} Keys: {', '.join(ROSTER_KEYS)}.")
            person[key] = _check_value(where, f"{at}.{key}", value, ROSTER_KEYS[key])
        if not person["name"]:
            raise ConfigError(f"{where}: '{at}.name' is missing; every responder needs a unique name.")
        if person["name"] in seen:
            raise ConfigError(f"{where}: '{at}.name' = {person['name']!r} is used twice; names must be unique.")
        seen.add(person["name"])
        out.append(person)
    return out


# Keys naming files: relative paths resolve against the folder of the file that names them.
PATH_KEYS = (("system", "graph_file"), ("relationships", "file"), ("organisation", "file"))


def load_config(path: str | Path | None) -> dict[str, Any]:
    """Read and validate a TOML config; ``None`` gives the built-in default scenario.

    Relative graph and relationship file paths are resolved against the
    config file's folder, so a config travels with its data.
    """
    if path is None:
        return default_config()
    path = Path(path)
    cfg = validate(read_toml(path, "config file"), where=str(path))
    for sec, key in PATH_KEYS:
        if cfg[sec][key] and not Path(cfg[sec][key]).is_absolute():
            cfg[sec][key] = str((path.parent / cfg[sec][key]).resolve())
    return cfg


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML file, or raise a one-line ConfigError naming it (with the line of a syntax error)."""
    check_user_file(path, what, MAX_TOML_BYTES)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax error: {exc}.") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: cannot read the file: {exc}.") from None


# Largest user files read, checked before reading: a config or sweep file is a few KiB; a graph of
# 100,000 services in node-link JSON is about 15 MiB. Anything far larger is a mistake (a wrong path,
# /dev/zero, a log file) that would otherwise be read whole into memory.
MAX_TOML_BYTES = 16 * 2**20
MAX_DATA_BYTES = 256 * 2**20


def check_user_file(path: Path, what: str, max_bytes: int, key: str | None = None) -> int:
    """Refuse, before reading, a path that is missing, not a regular file, or too large; return its size.

    Why before reading: ``Path.read_text`` on ``/dev/zero`` or a FIFO never ends,
    and on a multi-gigabyte file it exhausts memory before any check could run.
    """
    via = f" (key {key})" if key else ""
    try:
        st = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise ConfigError(f"{path}: {what} not found{via}." if key else f"{path}: no such {what}.") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what}{via}: {exc.strerror}.") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device, a pipe or a socket)"
        raise ConfigError(f"{path}: the {what}{via} is {kind}; allowed: a regular file.")
    if st.st_size > max_bytes:
        raise ConfigError(f"{path}: the {what}{via} is {st.st_size / 2**20:.0f} MiB; allowed: at most {max_bytes // 2**20} MiB.")
    return st.st_size


def _parse_scalar(text: str) -> Any:
    """Parse the right-hand side of ``--set`` as a TOML value, falling back to a bare string.

    Only a one-line value is accepted: ``1\nx = 2`` parses as a TOML document with two
    keys, and silently keeping the first would drop what the user wrote after it.
    """
    if any(ch in text for ch in "\n\r\x00"):
        raise ConfigError(f"value {text!r} spans several lines (or holds a NUL); allowed: a one-line TOML value.")
    try:
        doc = tomllib.loads(f"v = {text}")
    except tomllib.TOMLDecodeError:
        return text
    if list(doc) != ["v"]:  # e.g. 'a"\tb = 1' style tricks that add keys
        raise ConfigError(f"value {text!r} is not a single TOML value; allowed: one value, quoted if it is a string.")
    return doc["v"]


def apply_overrides(cfg: dict[str, Any], sets: list[str], where: str = "--set") -> dict[str, Any]:
    """Apply ``section.key=value`` overrides and re-validate. Values are TOML literals."""
    raw = copy.deepcopy(cfg)
    for item in sets:
        if "=" not in item:
            raise ConfigError(f"{where} {item!r}: expected section.key=value (for example communication.mode=direct).")
        dotted, text = item.split("=", 1)
        dotted = dotted.strip()
        if dotted.count(".") != 1:
            raise ConfigError(f"{where} {item!r}: the key must be section.key (for example fault.type); sections: {', '.join(SCHEMA)}.")
        sec, key = dotted.split(".")
        if sec not in SCHEMA:
            raise ConfigError(f"{where} {item!r}: unknown section '{sec}'.{_suggest(sec, list(SCHEMA))} Sections: {', '.join(SCHEMA)}.")
        try:
            raw[sec][key] = _parse_scalar(text.strip())
        except ConfigError as exc:
            raise ConfigError(f"{where} {dotted}: {exc}") from None
    return validate(raw, where=where)


def with_settings(cfg: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``cfg`` with each ``section.key -> value`` of ``settings`` set (not validated).

    One place for what sweep points, their mode checks and whatif's swept values all do; callers
    whose values come from a user validate the result.
    """
    out = copy.deepcopy(cfg)
    for dotted, value in settings.items():
        sec, key = dotted.split(".", 1)
        out[sec][key] = value
    return out


def value_of(cfg: dict[str, Any], dotted: str) -> Any:
    """The value of ``section.key`` in ``cfg``."""
    sec, key = dotted.split(".", 1)
    return cfg[sec][key]


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        # JSON string escapes are valid TOML basic-string escapes; DEL must be escaped in TOML too.
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    return repr(v)


def config_to_toml(cfg: dict[str, Any], with_docs: bool = True) -> str:
    """Render a full config as TOML, each key preceded by its documentation."""
    lines: list[str] = []
    for sec, keys in SCHEMA.items():
        lines.append(f"[{sec}]")
        for key, p in keys.items():
            if with_docs:
                unit = f" [{p.unit}]" if p.unit else ""
                lines.append(f"# {p.doc} Allowed: {p.allowed()}.{unit}")
            lines.append(f"{key} = {_toml_value(cfg[sec][key])}")
        lines.append("")
    for person in cfg["responders"].get("roster", []):
        lines.append("[[responders.roster]]")
        lines.extend(f"{k} = {_toml_value(person[k])}" for k in ROSTER_KEYS)
        lines.append("")
    return "\n".join(lines)


def config_markdown() -> str:
    """Every config key as a markdown reference (``docs/config.md`` is generated from this)."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from `jcs_sim/config.py` by `jcs-sim config show --markdown`; do not edit by hand.",
        "Every key can be set in a TOML file (`[section]` / `key = value`) or with `--set section.key=value`.",
        "",
    ]
    lines += [
        "Source: where a value comes from. *Assumed* means: " + ASSUMED,
        "*Assumed (issue 10)* means: " + ASSUMED_10,
        "*Scenario* means: a setting of the scenario or a switch, chosen by the user rather than estimated.",
        "",
    ]
    for sec, keys in SCHEMA.items():
        lines += [f"## [{sec}]", "", "| key | default | allowed | meaning | source |", "|---|---|---|---|---|"]
        for key, p in keys.items():
            unit = f" ({p.unit})" if p.unit else ""
            source = SOURCE_LABELS.get(p.source, p.source or "*scenario*")
            lines.append(f"| `{key}` | `{_toml_value(p.default)}` | {p.allowed()}{unit} | {p.doc} | {source} |")
        lines.append("")
    lines += [
        "## [[responders.roster]]",
        "",
        "An explicit roster replaces the generated one. One table per person:",
        "",
        "| key | default | allowed | meaning |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{k}` | `{_toml_value(p.default)}` | {p.allowed()} | {p.doc} |" for k, p in ROSTER_KEYS.items()]
    return "\n".join(lines) + "\n"


def read_user_file(path: Path, what: str, key: str) -> str:
    """The text of a file a config points to, or a one-line error naming the file and the key.

    The file's kind and size are checked first (:func:`check_user_file`).
    """
    check_user_file(path, what, MAX_DATA_BYTES, key)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what} (key {key}): {exc.strerror}.") from None
    if not text.strip():
        raise ConfigError(f"{path}: {what} is empty (key {key}).")
    return text
