"""Responders: who is on the incident, what each knows, how tired each is, what each believes.

Why numpy arrays inside each agent: a responder's knowledge and beliefs are
per service, and the goodness function reads them every decision; arrays
keep that cheap for 500-service systems.

Beliefs are the responder's own: what they think is wrong (``suspicion``,
``status``, ``fault_belief``), what they think is being done (``remedy_belief``),
and what they think others know of each service (``knows_about``, transactive memory). Nothing here
is the true state; the model only ever updates beliefs through what a
responder sees (investigations, dashboards) and reads (messages).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from mesa import Agent

from .config import ConfigError

if TYPE_CHECKING:
    from .model import IncidentModel
    from .system import Fault, ServiceGraph

__all__ = ["Responder", "build_roster", "fatigue_at", "is_night", "UNKNOWN", "HEALTHY", "SYMPTOM", "ROOT"]

FIRST_NAMES = (
    "Ana", "Ben", "Chloe", "Dev", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lena", "Mateo",
    "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Viktor", "Wen", "Xavi", "Yara", "Zoe",
)  # fmt: skip

# Belief status of a service, as seen by one responder.
UNKNOWN, HEALTHY, SYMPTOM, ROOT = 0, 1, 2, 3


def _name(i: int) -> str:
    base = FIRST_NAMES[i % len(FIRST_NAMES)]
    return base if i < len(FIRST_NAMES) else f"{base}{i // len(FIRST_NAMES) + 1}"


def build_roster(cfg: dict[str, Any], sg: ServiceGraph, fault: Fault) -> list[dict[str, Any]]:
    """The people on call for this incident, as plain dicts (roster entries).

    Generated roster: the ops on-call of the team owning the first alerting
    service (paged by the alert), ``sme_per_team`` SMEs from every other team
    (paged only if someone decides to), and optionally a commander, a support
    on-call and a comms lead. An explicit ``responders.roster`` replaces it.

    With an explicit roster the alert, too, pages the owning team: every ``ops``
    of that team (or, if it has none, its first ``sme``) is paged at the start
    and the ``ops`` of other teams are not, whatever their ``paged_at_start``
    says (they are their own team's on-call, paged when someone decides to).
    Why: an alert on a payments service pages payments' on-call; paging the
    edge on-call because the roster listed them first was issue 12's bug.
    ``paged_at_start`` still marks who else sees the alert (the support
    on-call) and a central on-call (``ops`` without a team). Only if the owning
    team has nobody on the roster (``allow_unstaffed_teams``) does the alert
    fall back to the ``paged_at_start`` flags as written.
    """
    rc = cfg["responders"]
    if rc["roster"]:
        people = [dict(p) for p in rc["roster"]]
        for p in people:
            if p["team"] and p["team"] not in sg.team_names and p["role"] in ("ops", "sme"):
                raise ConfigError(
                    f"config: responders.roster '{p['name']}' has team {p['team']!r}, which owns no service "
                    f"(teams: {', '.join(sg.team_names)})."
                )
        if not any(p["paged_at_start"] for p in people) and not any(p["role"] in ("ops", "sme") and p["team"] for p in people):
            raise ConfigError("config: responders.roster has nobody with paged_at_start = true; the first alert must page someone.")
        alert_team = sg.team_names[int(sg.team_of[fault.first_alert])]
        owners = [p for p in people if p["role"] == "ops" and p["team"] == alert_team]
        owners = owners or [p for p in people if p["role"] == "sme" and p["team"] == alert_team][:1]
        if owners:
            for p in people:
                if p["role"] == "ops" and p["team"]:
                    p["paged_at_start"] = False  # other teams' on-calls wait to be paged
            for p in owners:
                p["paged_at_start"] = True
        if not any(p["paged_at_start"] for p in people):
            raise ConfigError(
                f"config: responders.roster: nobody is paged by the first alert on {sg.names[fault.first_alert]!r} (team {alert_team!r}); "
                f"add an ops or sme of team {alert_team!r}, or give someone paged_at_start = true."
            )
    else:
        ops_team = sg.team_names[int(sg.team_of[fault.first_alert])]
        people = [dict(role="ops", team=ops_team, paged_at_start=True)]
        for team in sg.team_names:
            if team != ops_team:
                people += [dict(role="sme", team=team, paged_at_start=False) for _ in range(rc["sme_per_team"])]
        if rc["include_commander"]:
            people.append(dict(role="commander", team="", paged_at_start=False))
        if rc["include_support"]:
            people.append(dict(role="support", team="", paged_at_start=True))  # sees the alert in the on-call channel
        if rc["include_comms"]:
            people.append(dict(role="comms", team="", paged_at_start=False))
        for i, p in enumerate(people):
            p.update(name=_name(i), experience=rc["experience"], hours_awake=rc["hours_awake"])
    staffed = {p["team"] for p in people if p["role"] in ("ops", "sme")}
    unstaffed = [t for t in sg.team_names if t not in staffed]
    if unstaffed and not rc["allow_unstaffed_teams"]:
        raise ConfigError(
            f"config: team(s) {', '.join(unstaffed)} own services but have no responder (ops or sme) on call; "
            "add one to responders.roster, raise responders.sme_per_team, or set responders.allow_unstaffed_teams = true "
            "to study an incident nobody from that team can join."
        )
    return people


def fatigue_at(cfg: dict[str, Any], hour: float, hours_awake: float) -> float:
    """Fatigue (0 rested .. ~1 exhausted) at clock ``hour``, from the clock, wakefulness and sleep debt.

    Circadian term: a cosine with its trough at ``fatigue.trough_hour`` (04:00;
    Folkard & Tucker 2003 report the night-shift performance low in the early
    morning hours). Wakefulness beyond ``fatigue.awake_threshold`` (16 h) adds
    linearly (Dawson & Reid 1997: 17 h awake impairs like 0.05% blood alcohol).
    """
    fc = cfg["fatigue"]
    circadian = fc["circadian"] * 0.5 * (1 + math.cos(2 * math.pi * (hour - fc["trough_hour"]) / 24.0))
    awake = fc["per_hour_awake"] * max(0.0, hours_awake - fc["awake_threshold"])
    debt = fc["per_hour_debt"] * cfg["responders"]["sleep_debt"]
    return circadian + awake + debt


def is_night(cfg: dict[str, Any], hour: float) -> bool:
    """Whether clock ``hour`` is night (run.night_start to run.night_end): people paged then are asleep,
    and paging anyone costs more. The window may wrap past midnight (23:00-07:00 by default)."""
    start, end = cfg["run"]["night_start"], cfg["run"]["night_end"]
    if start > end:
        return hour >= start or hour < end
    return start <= hour < end


class PersonStream:
    """One of a responder's random streams (``responder.NAME.PURPOSE``), keyed by minute, made the first time it is read.

    Reading it gives a ``numpy.random.Generator`` at the model's current minute: the k-th number drawn
    at minute M is a pure function of (seed, name, purpose, M, k), whatever was drawn at other minutes
    (``streams.MinuteStream``). Why: after a replay's change, a person who draws once more or once less
    at one minute draws the same numbers as before at every later minute.

    Why a descriptor: a person has three such streams, each made on first use (most of a large roster
    is never paged and never draws) and each replaceable in tests (a stand-in set on a person is read
    back as it is, at every minute); one descriptor says that once instead of three property pairs.
    """

    def __init__(self, purpose: str) -> None:
        self.purpose = purpose

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = f"_{name}"

    def __get__(self, person: Any, owner: type | None = None) -> Any:
        if person is None:
            return self
        stream = person.__dict__.get(self.attr)
        if stream is None:
            stream = person.__dict__[self.attr] = person._streams.minute_stream(f"responder.{person.name}.{self.purpose}")
        return stream.at(person.model.minute)

    def __set__(self, person: Any, rng: Any) -> None:
        person.__dict__[self.attr] = _StandIn(rng)


class _StandIn:
    """A test's stand-in for a stream: the same object at every minute."""

    __slots__ = ("rng",)

    def __init__(self, rng: Any) -> None:
        self.rng = rng

    def at(self, minute: int) -> Any:
        return self.rng


class Responder(Agent):
    """One person on the incident: a Mesa agent whose step is one minute of their work."""

    decide_rng = PersonStream("decide")  # decision noise (all of a decision's at its minute)
    read_rng = PersonStream("read")  # misreadings, what a misreading is taken to mean, dismissals
    work_rng = PersonStream("work")  # acknowledging a page, what an investigation shows

    def __init__(self, model: IncidentModel, idx: int, person: dict[str, Any], knowledge: np.ndarray) -> None:
        super().__init__(model)
        self.idx = idx
        self.name: str = person["name"]
        self.role: str = person["role"]
        self.team: str = person["team"]
        self.team_idx = model.sg.team_names.index(self.team) if self.team in model.sg.team_names else -1
        self.experience: float = person["experience"]
        self.knowledge = knowledge  # true knowledge per service, 0-1
        self._k_list: list[float] = knowledge.tolist()  # the same, for cheap scalar reads
        self._k_factor = 1.0  # fatigue and experience multiplier on knowledge, updated each minute
        self._slow = 1.0  # action-duration multiplier from fatigue, updated each minute
        self._n_top = model.cfg["investigation"]["suspects_considered"]
        self._doubt = model.cfg["beliefs"]["failure_doubt"]
        self._reopen = model.cfg["beliefs"]["failures_to_reopen"]
        self.hours_awake: float = person["hours_awake"]  # at the first alert
        self.extra_fatigue: float = person.get("extra_fatigue", 0.0)  # carried in from a campaign (burnout)
        self.base_fatigue = fatigue_at(model.cfg, model.cfg["run"]["start_hour"], self.hours_awake) + self.extra_fatigue
        self.fatigue = self.base_fatigue
        fc, rc = model.cfg["fatigue"], model.cfg["responders"]
        # Fatigue's numbers, read once (set_fatigue runs at every decision).
        self._judgement, self._cap, self._slowdown = fc["judgement"], fc["cap"], fc["slowdown"]
        self._experience_floor, self._experience_gain = rc["experience_floor"], rc["experience_gain"]
        self.set_fatigue(self.base_fatigue)
        self.asleep = False  # set when paged: at night a page wakes people up
        self.duty_load = (
            model.cfg["responders"]["support_duty_load"] if self.role == "support" else model.cfg["responders"]["other_duty_load"]
        )
        # Lifecycle: "off" (not paged) -> "paged" -> "active".
        self.state = "off"
        self.paged_at: int | None = None
        self.paged_by: int | None = None
        self.joined_at: int | None = None
        # This person's streams (decide, read, work) are made on first use (see PersonStream): most of a
        # large roster is never paged and never draws, and making a stream costs about 10 us.
        self._streams = model.streams
        # Current action.
        self.busy_until = -1
        self.action: tuple[str, int] = ("none", -1)
        self.watch_snapshot: tuple[int, int, int] = (0, 0, 0)  # what a waiting responder last saw
        self.pending: Any = None  # result to apply when the action ends
        # Beliefs.
        n = model.sg.n
        self.status = np.zeros(n, dtype=np.int8)
        self.suspicion = np.zeros(n)
        self.examined = [0] * n  # own investigations per service (a list: read one at a time)
        self._top: list[int] | None = None  # cached most-suspected services; None when beliefs changed
        self.fault_belief = -1  # index into FAULT_TYPES, or -1
        self.remedy_belief: dict[int, str] = {}  # service -> "running" | "failed" | "done" | "abandoned"
        self.attempts: dict[tuple[int, str], int] = {}  # (service, remedy) -> failed tries known of
        self.team_stuck = False  # believes nobody is doing anything useful
        self.done_remedy: dict[int, str] = {}  # service -> the remedy believed to have fixed it (until the alerts come back)
        self.failures_on: dict[int, int] = {}  # service -> remedies on it known to have failed (all kinds, ever)
        self.failures_since_regroup = 0  # failed remediations learnt of since joining or the last regroup (actions.regroup)
        self.escalated = False  # has escalated over the team's head (once is what a bystander can do)
        self.to_undo: list[int] = []  # services broken by one's own wrong change, known to need undoing
        self.anchor = -1  # the root cause one has been told about by others (fixation), or -1
        self.anchor_n = 0  # how many claims of it were read
        self.assigned = -1  # service the commander asked them to look at
        self.seen_version = -1  # last dashboard state looked at
        self.believes_fixed = False
        self.saw_quiet = False  # saw the alerts clear since last seeing them fire
        self.claims = [-1] * n  # who they think is looking at each service (a list: read one at a time)
        self._blocks: dict[int, np.ndarray] = {}  # transactive memory per team, drawn when first consulted (knows_about)
        self._knows: dict[int, list[float]] = {}  # the same per service, as lists for cheap scalar reads
        self.unshared: list[tuple] = []  # findings not yet told to anyone
        self.inbox: list[int] = []  # message ids not yet read
        self.last_update = 0
        self.relay_queue: list[int] = []  # commander mode: messages to relay
        self.recent: list[tuple[int, int, bool]] = []  # (message id, minute read, misread) to acknowledge or ask about
        self.own_failures: list[tuple[int, str]] = []  # own remediations reported failed, not yet owned openly
        # Workload accounting.
        self.minutes_active = 0
        self.minutes_by_kind: dict[str, int] = {}
        self.messages_sent = 0
        self.messages_read = 0
        self.messages_misread = 0
        self.unrepaired = 0  # misreadings, as reader or sender, never repaired (impeded connection)

    # The step is the model's per-minute call; all logic lives in the model's
    # submodules (goodness, communication) so that this class stays a record
    # of one person's state.
    def step(self) -> None:
        self.model.step_responder(self)

    def learn_failure(self, s: int, remedy: str) -> None:
        """A remediation on ``s`` is known to have failed: try it less, doubt the diagnosis a little."""
        key = (s, remedy)
        self.attempts[key] = self.attempts.get(key, 0) + 1
        self.failures_on[s] = self.failures_on.get(s, 0) + 1  # never reset: how often the usual fixes failed here
        self.failures_since_regroup += 1
        if self.status[s] == ROOT:
            self.fault_belief = -1  # the fix that should have worked on the cause did not: doubt the fault type
        self.suspicion[s] *= self._doubt
        self._top = None
        if sum(n for (svc, _), n in self.attempts.items() if svc == s) >= self._reopen and self.status[s] == ROOT:
            self.status[s] = UNKNOWN  # repeated failures: perhaps it is not the cause after all; look again

    def set_fatigue(self, fatigue: float) -> None:
        """Update fatigue and the multipliers derived from it (once a minute, not per read)."""
        self.fatigue = fatigue
        self._k_factor = (1.0 - self._judgement * min(fatigue, self._cap)) * (
            self._experience_floor + self._experience_gain * self.experience
        )
        self._slow = 1.0 + self._slowdown * fatigue

    def beliefs_changed(self) -> None:
        """Called wherever suspicion changes, so the ranking of suspects is recomputed lazily."""
        self._top = None

    def top_suspects(self) -> list[int]:
        """The most-suspected services (investigation.suspects_considered of them), most suspected first (ties: lower id first)."""
        if self._top is None:
            self._top = np.argsort(-self.suspicion, kind="stable")[: self._n_top].tolist()
        return self._top

    def gumbel(self, n: int) -> list[float]:
        """``n`` draws of decision noise from this responder's decide stream at the current minute.

        A person decides at most once a minute, so a decision's noise is the first ``n`` Gumbel numbers
        of (seed, name, "decide", minute): the same at that minute whatever was decided before.
        """
        return self.decide_rng.gumbel(size=n).tolist()

    def knows_about(self, s: int) -> list[float]:
        """Transactive memory: ``knows_about(s)[j]``, what this person believes j knows of service ``s``.

        Drawn for the whole of ``s``'s team on first use (``IncidentModel.transactive_block``),
        from this person's own stream for that team: only those who join consult it, and
        only about the teams of the services they suspect.
        """
        col = self._knows.get(s)
        if col is None:
            m = self.model
            t = m.sg.team_list[s]
            block = self._blocks.get(t)
            if block is None:
                block = self._blocks[t] = m.transactive_block(self, t)
            col = self._knows[s] = block[:, m.team_pos[s]].tolist()
        return col

    def set_beliefs_about(self, s: int, beliefs: list[float]) -> None:
        """Set what this person believes each person knows of service ``s`` (for tests and what-ifs)."""
        self._knows[s] = list(beliefs)

    def effective_knowledge(self, s: int) -> float:
        """Knowledge as usable now: dulled by fatigue, sharpened by experience."""
        return min(1.0, max(0.0, self._k_list[s] * self._k_factor))

    def slowdown(self) -> float:
        """Multiplier on action durations from fatigue."""
        return self._slow
