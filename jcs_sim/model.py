"""IncidentModel: one incident, one Mesa model, one step per minute.

Why a Mesa model: users of Mesa's tools (batch_run, SolaraViz) keep them.
The step order each minute is fixed and deterministic: the system advances
(remediations complete, the fault heals or worsens), automatic pages and
escalations are sent, then every responder acts in roster order. Every draw
comes from a named stream (:mod:`jcs_sim.streams`).
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any, Protocol

import numpy as np
from mesa import Model

from .actions import Action, Candidate, actions_by_role, build_actions, candidates
from .communication import Content, Message, clarity_factors, describe, importance, understand
from .config import ConfigError, default_config
from .connective import expire_misreads
from .detection import Monitor
from .goodness import best, choose, pressure, score, weights
from .knowledge import CORNER_STREAM, knowledge_means, team_positions
from .modes import make_mode
from .relationships import FamiliarityRows, relationship_matrix, transactive_beliefs, transactive_stream
from .responders import HEALTHY, UNKNOWN, Responder, build_roster, fatigue_at, is_night
from .streams import Streams
from .system import HARM_UNTIL_UNDONE, Fault, ServiceGraph, SystemState, build_service_graph, choose_fault

__all__ = ["IncidentModel", "OrgView"]


class OrgView(Protocol):
    """What a campaign's organisation provides to one incident (see ``jcs_sim.campaign``)."""

    sg: ServiceGraph

    def roster(self, fault: Fault) -> list[dict[str, Any]]: ...

    def familiarity(self, roster: list[dict[str, Any]]) -> np.ndarray: ...

    def knowledge(self, roster: list[dict[str, Any]]) -> np.ndarray: ...


class IncidentModel(Model):
    """A joint cognitive incident team resolving one incident.

    ``IncidentModel(cfg, seed).run()`` runs to resolution or the censoring
    horizon; :meth:`summary` gives the run's metrics.
    """

    def __init__(self, cfg: dict[str, Any] | None = None, seed: int = 0, record_trace: bool = True, org: OrgView | None = None) -> None:
        if int(seed) < 0:
            raise ConfigError(f"seed {seed} is negative; allowed: an integer >= 0.")
        super().__init__(rng=int(seed))
        self.cfg = cfg if cfg is not None else default_config()
        self.seed = int(seed)
        self.streams = Streams(self.seed)
        self.record_trace = record_trace
        self.minute = 0
        self.clock_hour = self.cfg["run"]["start_hour"]
        self.is_night = is_night(self.cfg, self.clock_hour)
        # The technical system.
        # With ``org`` (a campaign), the system, the people on call, their ties and
        # knowledge come from the organisation instead of being generated.
        self.sg = org.sg if org is not None else build_service_graph(self.cfg, self.streams)
        self.fault = choose_fault(self.cfg, self.sg, self.streams)
        self.system = SystemState(self.cfg, self.sg, self.fault, self.streams)
        self.distance_to_root = self._distance_to_root()
        self.monitor = Monitor(self.cfg, self.sg, self.fault, self.streams)
        # People.
        if org is None:
            roster = build_roster(self.cfg, self.sg, self.fault)
            self.familiarity = relationship_matrix(self.cfg, roster, self.streams)
            knowledge = self._knowledge(roster)
        else:
            roster = org.roster(self.fault)
            self.familiarity = org.familiarity(roster)
            knowledge = org.knowledge(roster)
        self.familiarity0 = self.familiarity.copy()  # ties at the start, to measure their change
        self.people: list[Responder] = [Responder(self, i, p, knowledge[i]) for i, p in enumerate(roster)]
        self.commander = next((p for p in self.people if p.role == "commander"), None)
        self.comms = next((p for p in self.people if p.role == "comms"), None)
        # Transactive memory is drawn per person and team when first consulted (Responder.knows_about,
        # transactive_block): what each person knows of each service is what it is believed about.
        self.knowledge = knowledge
        self.team_services, self.team_pos = team_positions(self.sg)
        self.fam = FamiliarityRows(self.familiarity)  # the same as lists, for scalar reads; a row made when first read
        # The decision core, its numbers read once per run: actions, weights of g, the communication mode.
        self.actions: list[Action] = build_actions(self.cfg)
        self.role_actions = actions_by_role(self.actions)
        self.weights: list[float] = weights(self.cfg)
        self.mode = make_mode(self.cfg)
        self.importance = importance(self.cfg)
        self.beliefs = SimpleNamespace(**self.cfg["beliefs"])
        self.fixation = SimpleNamespace(**self.cfg["fixation"])
        self.clarity_factor = clarity_factors(self.cfg)
        self.noise = float(self.cfg["goodness"]["noise"])
        # Fatigue's numbers, read once: the circadian term is the same for everyone in a minute,
        # so it is computed once per clock hour seen (see _fatigue_now), not once per person.
        fc = self.cfg["fatigue"]
        self._fatigue_k = (
            fc["circadian"],
            fc["trough_hour"],
            fc["per_hour_awake"],
            fc["awake_threshold"],
            fc["per_hour_debt"] * self.cfg["responders"]["sleep_debt"],
            fc["per_incident_hour"],
        )
        self._circadian_at: tuple[float, float] = (math.nan, 0.0)  # (clock hour, circadian term)
        cc, kc = self.cfg["communication"], self.cfg["connective"]
        # Minutes to write a message before fatigue and coordination: templates are slower.
        self.write_base = (
            cc["write_minutes"]
            * (cc["structured_write_factor"] if cc["structured_updates"] else 1.0)
            * (1.0 - kc["speedup_write_cut"] * kc["speedup"])  # speed-up: less time allowed per message
        )
        # Communication and records.
        self.messages: list[Message] = []
        self.message_importance: list[float] = []  # importance of each message's kind, by id (read when choosing what to acknowledge)
        self.open_misreads: dict[tuple[int, int], int] = {}  # (reader, message) -> minute misread
        # (reader, message id) pairs read as meant even where the draws say misread: the counterfactual of
        # one misreading, with every draw as in the run (see communication.read_inbox). Empty: the run as drawn.
        self.read_as_meant: set[tuple[int, int]] = set()
        self.read_as_misread: set[tuple[int, int]] = set()  # (reader, message id) read wrong whatever the draws say
        self.read_right_readers: set[int] = set()  # readers who read every message as meant
        # Interventions of a replay (jcs_sim.replay): minute -> [("page" | "leave", responder)], and the
        # (responder, minute) decisions in which no remedy may be chosen. Empty: the run as drawn.
        self.interventions: dict[int, list[tuple[str, int]]] = {}
        self.no_remediation: set[tuple[int, int]] = set()
        self.counts = dict(
            connective_acts=0,
            repairs=0,
            unrepaired_misreads=0,
            messages_sent=0,
            messages_read=0,
            messages_misread=0,
            pages=0,
            escalations=0,
            remediations=0,
            remediations_failed=0,
            remediations_wrong=0,
            harms=0,
            undos=0,
            regroups=0,
            dismissed_reports=0,
            bystander_escalations=0,
            stakeholder_updates=0,
            stakeholder_updates_wrong=0,
        )
        self.times: dict[str, int | None] = dict(detect=None, acknowledge=None, diagnose=None, mitigate=None, resolve=None)
        self.stakeholder_log: list[tuple[int, str, str, bool]] = []  # (minute, who, what they were told, true?)
        self.trace: list[tuple] = []  # one row per candidate per decision
        self.decisions = 0
        self.timeline: list[tuple] = []
        self.events: list[tuple[int, str, str]] = []  # (minute, who, what) for a readable log
        self.running = True
        self.n_active = 0
        self.active_idx: list[int] = []
        self.coord_factor = 1.0
        self._coord_key: tuple = ()
        self.ties_version = 0  # bumped when a tie changes during the incident (connective labor)
        self.pageable: list[Responder] = []
        self.pressure = 0.0
        self.first_paged = [p for p in self.people if roster[p.idx]["paged_at_start"]]
        self._detect()

    # ----- setup helpers -------------------------------------------------
    def _knowledge(self, roster: list[dict[str, Any]]) -> np.ndarray:
        """Per-person, per-service knowledge: deep on one's own corner, less on the rest of one's team's, shallow elsewhere."""
        rc = self.cfg["responders"]
        mean = knowledge_means(rc, [p["team"] for p in roster], self.sg, self.streams.get(CORNER_STREAM))
        rng = self.streams.get("knowledge")
        return np.clip(mean + rng.normal(0.0, 1.0, mean.shape) * rc["knowledge_sd"], 0.0, 1.0)

    def transactive_block(self, r: Responder, team: int) -> np.ndarray:
        """``r``'s beliefs about what each person knows of each of ``team``'s services (people x the team's services), drawn now.

        From ``r``'s own stream for that team and the familiarity at the start of
        the incident, so the beliefs are the same whenever, and in whatever order,
        they are first needed (which is after ``r`` joins: only an active
        responder pages, assigns or routes a message).
        """
        noise = self.cfg["relationships"]["transactive_noise"]
        rng = self.streams.get(transactive_stream(r.name, self.sg.team_names[team]))
        return transactive_beliefs(self.familiarity0[r.idx], self.knowledge[:, self.team_services[team]], noise, rng)

    def _distance_to_root(self) -> np.ndarray:
        """Hops from each impacted service down to the root (for tracing a symptom)."""
        dist = np.full(self.sg.n, -1, dtype=np.int64)
        frontier = list(self.fault.causes)  # the nearest cause, when there are two
        dist[frontier] = 0
        while frontier:
            nxt = []
            for s in frontier:
                for d in self.sg.rdeps[s]:
                    if dist[d] < 0:
                        dist[d] = dist[s] + 1
                        nxt.append(d)
            frontier = nxt
        return dist

    # ----- the minute ------------------------------------------------------
    def step(self) -> None:
        """One minute: the system, the paging system, then each responder in roster order."""
        self.minute += 1
        m = self.minute
        self.clock_hour = (self.cfg["run"]["start_hour"] + m / 60.0) % 24.0  # the clock moves on
        self.is_night = is_night(self.cfg, self.clock_hour)
        finished = self.system.step(m)
        if self.system.changed:
            self.events.append((m, "system", self.system.changed))
        for rem in finished:
            self._remediation_done(rem)
        if self.times["detect"] is None:
            self._detect()
        if self.interventions and m in self.interventions:
            self._intervene(self.interventions[m])
        self.active_idx = [p.idx for p in self.people if p.state == "active"]
        self.pageable = [p for p in self.people if p.state not in ("active", "left") and p.role in ("ops", "sme")]
        self.n_active = len(self.active_idx)
        key = (self.ties_version, *self.active_idx)
        if key != self._coord_key:
            self._coord_key = key
            self.coord_factor = self._coordination_factor()
        self.pressure = pressure(self.system, m, self.cfg["goodness"])
        cmd = self.commander
        if (
            cmd is not None
            and cmd.state == "off"
            and self.times["detect"] is not None  # nobody is paged for an incident not yet noticed
            and self.system.severity >= self.cfg["coordination"]["commander_join_severity"]
        ):
            self.page(cmd, by=None)
        for p in self.people:
            self.step_responder(p)
        if self.open_misreads:
            expire_misreads(self)  # Responder.step does the same; the direct call skips a frame per agent-step
        self._record_minute()
        self._check_end()

    def _intervene(self, changes: list[tuple[str, int]]) -> None:
        """A replay's interventions at this minute: page someone, or someone leaves the incident for good."""
        for kind, idx in changes:
            p = self.people[idx]
            if kind == "page":
                self.events.append((self.minute, "replay", f"pages {p.name}"))
                self.page(p, by=None)
            else:
                self.events.append((self.minute, "replay", f"{p.name} leaves the incident"))
                p.state = "left"
                p.pending = None
        self.active_idx = [p.idx for p in self.people if p.state == "active"]

    def _detect(self) -> None:
        """The monitoring or a customer report notices the incident: the on-call of the alerting team is paged."""
        if not self.monitor.check(self.minute, self.system):
            return
        self.times["detect"] = self.minute
        self.events.append((self.minute, "alerting", f"the incident is detected ({self.monitor.how})"))
        for p in self.first_paged:
            self.page(p, by=None)

    def _coordination_factor(self) -> float:
        """Slow-down of every action from keeping the others in the loop: per extra active person, less among familiars.

        Why familiarity: people who know each other coordinate with less talk
        (Espinosa et al. 2007), so the same crowd costs a familiar team less.
        """
        cc = self.cfg["coordination"]
        idx = self.active_idx
        n = len(idx)
        if n < 2:
            return 1.0
        fam = self.fam
        mean = sum(fam[i][j] for i in idx for j in idx if i != j) / (n * (n - 1))
        return 1.0 + cc["coordination_cost"] * (n - 1) * (1.0 - cc["familiarity_relief"] * mean)

    def post_to_stakeholders(self, r: Responder, says: str, service: int) -> Message:
        """``r`` tells the stakeholders something: the suspected cause (or 'still investigating'), or that the team is stuck.

        Whether it was true is recorded: a named cause is true when it is a
        root cause; 'the team is stuck' is true only when nobody is investigating,
        remediating or undoing and no remedy is running.
        """
        if says == "stuck":
            working = any(
                p.state == "active" and p.busy_until > self.minute and p.action[0] in ("investigate", "remediate", "undo")
                for p in self.people
            )
            true = not working and not self.system.running
        else:
            true = service < 0 or service in self.fault.causes
        self.counts["stakeholder_updates"] += 1
        if not true:
            self.counts["stakeholder_updates_wrong"] += 1
        self.stakeholder_log.append((self.minute, r.name, says, true))
        return self.send(r, Content("external", service, says), route_override=("external", ()))

    def step_responder(self, r: Responder) -> None:
        """One minute of one responder's work (called from ``Responder.step``)."""
        m = self.minute
        if r.state == "off":
            return
        if r.state == "paged":
            self._maybe_acknowledge(r)
            return
        if r.state == "left":
            return
        r.minutes_active += 1
        if self.system.version != r.seen_version:
            self._look_at_dashboards(r)
        if r.busy_until > m and not (r.action[0] == "wait" and self._news(r)):
            kind = r.action[0]
            r.minutes_by_kind[kind] = r.minutes_by_kind.get(kind, 0) + 1
            return
        # Fatigue is read only when deciding, finishing and reading, so update it here.
        r.set_fatigue(self._fatigue_now(r))
        if r.pending is not None:
            self._finish(r)
        self._decide(r)

    def _fatigue_now(self, r: Responder) -> float:
        """``r``'s fatigue now: :func:`fatigue_at` plus what they carried in and the incident's own toll.

        The same arithmetic as ``fatigue_at(cfg, clock_hour, hours_awake) + extra + per_incident_hour x hours``,
        in the same order, with the config read once per run and the clock's term once per minute.
        """
        circadian, trough, per_hour_awake, threshold, debt, per_incident_hour = self._fatigue_k
        hour = self.clock_hour
        if self._circadian_at[0] != hour:
            self._circadian_at = (hour, circadian * 0.5 * (1 + math.cos(2 * math.pi * (hour - trough) / 24.0)))
        awake = per_hour_awake * max(0.0, r.hours_awake + self.minute / 60.0 - threshold)
        now = self._circadian_at[1] + awake + debt + r.extra_fatigue
        return now + per_incident_hour * r.minutes_active / 60.0

    def _news(self, r: Responder) -> bool:
        """Whether something new reached a watching responder: a message, a changed dashboard, a result."""
        return (len(r.inbox), len(r.unshared), self.system.version) != r.watch_snapshot

    def _maybe_acknowledge(self, r: Responder) -> None:
        cc = self.cfg["coordination"]
        waited = self.minute - r.paged_at
        mean = cc["ack_minutes_asleep"] if r.asleep else cc["ack_minutes_awake"]
        repages = waited // cc["escalation_timeout"]
        if waited > 0 and waited % cc["escalation_timeout"] == 0:
            self.counts["escalations"] += 1  # the paging system re-sends, louder
        hazard = 1.0 - math.exp(-(1.0 + repages) / mean)
        if r.work_rng.random() < hazard:
            r.state = "active"
            r.joined_at = self.minute
            r.asleep = False
            if self.times["acknowledge"] is None:
                self.times["acknowledge"] = self.minute
            self.events.append((self.minute, r.name, "acknowledged the page"))
            self._catch_up(r)

    def _catch_up(self, r: Responder) -> None:
        """What a newcomer gets to read: the channel backlog, or what the mode gives them."""
        r.inbox.extend(self.mode.catch_up(self, r))
        r.seen_version = -1

    def _look_at_dashboards(self, r: Responder) -> None:
        """Everyone active sees which user-facing services alert, and whether they have cleared."""
        sym = self.system.symptomatic & self.sg.alerting
        prior = self.cfg["investigation"]["visible_suspicion"]
        idx = np.flatnonzero(sym & (r.status == 0))
        if idx.size:
            r.suspicion[idx] = np.maximum(r.suspicion[idx], prior)
            r.beliefs_changed()
        if sym.any():
            r.believes_fixed = False
            if r.saw_quiet:
                # The alerts came back: verdicts of "healthy" reached while the fault was
                # hidden (by a restart's relief, say) are no longer trusted; look again.
                r.saw_quiet = False
                cleared = r.status == HEALTHY
                r.status[cleared] = UNKNOWN
                r.suspicion[cleared] = np.maximum(r.suspicion[cleared], self.beliefs.reopened_suspicion)
                r.beliefs_changed()
                # And a remedy believed to have fixed it did not hold: it counts as failed.
                for s, remedy in r.done_remedy.items():
                    r.remedy_belief[s] = "failed"
                    r.learn_failure(s, remedy)
                r.done_remedy.clear()
        else:
            r.saw_quiet = True
        r.seen_version = self.system.version

    # ----- decisions -------------------------------------------------------
    def _decide(self, r: Responder) -> None:
        cands = candidates(self, r, self.role_actions[r.role])
        if self.no_remediation and (r.idx, self.minute) in self.no_remediation:
            cands = [c for c in cands if c.action.name != "remediate"]  # a replay: this remedy is not taken
        noise = self.noise * (1.0 + r.fatigue)
        gumbel = r.gumbel(len(cands)) if noise > 0 else None
        self.decisions += 1
        if self.record_trace:
            base = score(cands, self.weights)
            g, chosen = choose(base, noise, gumbel)
            self._record_decision(r, cands, g, base, chosen)
        else:
            chosen = best(cands, self.weights, noise, gumbel)  # the same winner, without the lists
        self._start(r, cands[chosen])

    def _record_decision(self, r: Responder, cands: list[Candidate], g: list[float], base: list[float], best: int) -> None:
        """One trace row per candidate: the action's code, target, whether chosen, g, and the components."""
        d = self.decisions
        top = r.top_suspects()[0]
        context = (
            round(r.fatigue, 4),
            round(self.pressure, 4),
            len(r.inbox),
            top,
            round(float(r.suspicion[top]), 4),
            r.fault_belief,
            r.team_stuck,
        )
        for i, c in enumerate(cands):
            self.trace.append((d, self.minute, r.idx, c.action.index, c.target, i == best, g[i], base[i], *c.components, *context))

    def _start(self, r: Responder, c: Candidate) -> None:
        """Carry out the chosen candidate; the responder is busy for the minutes its action says."""
        action = c.action
        minutes = action.start(self, r, c)
        dur = max(1, int(round(minutes)))
        r.busy_until = self.minute + dur
        r.action = (action.name, c.target)
        r.pending = (action, c.target) if action.has_result else None
        r.minutes_by_kind[action.name] = r.minutes_by_kind.get(action.name, 0) + 1

    def write_minutes(self, r: Responder) -> float:
        """Minutes ``r`` needs to write a message now (templates, speed-up, fatigue, crowding)."""
        return self.write_base * r.slowdown() * self.coord_factor

    def _finish(self, r: Responder) -> None:
        """Apply the result of a finished action (an investigation) to the actor's beliefs."""
        action, target = r.pending
        r.pending = None
        action.finish(self, r, target)

    def conclude(self, r: Responder, c: Content) -> None:
        """``r`` concludes ``c`` from their own investigation: beliefs, the finding to share, the log.

        Concluding the true root cause is the diagnosis (its time is recorded the first time).
        """
        understand(self, r, c, r.idx)
        if c.kind == "root" and c.service in self.fault.causes and self.times["diagnose"] is None:
            self.times["diagnose"] = self.minute
        if c.kind == "root":
            # Seeing it with one's own eyes renews the case for remedies that failed before.
            r.attempts = {key: n for key, n in r.attempts.items() if key[0] != c.service}
        if c.kind == "symptom":
            r.claims[c.service] = -1
        r.unshared.append(c)
        self.events.append((self.minute, r.name, "concluded: " + describe(self, c)))

    def _remediation_done(self, rem) -> None:
        r = self.people[rem.actor]
        ok = rem.reports_success
        r.remedy_belief[rem.service] = "done" if ok else "failed"
        r.believes_fixed = ok
        r.claims[rem.service] = -1
        if ok:
            r.done_remedy[rem.service] = rem.remedy
        if rem.harms:
            self.counts["harms"] += 1
            what = "until undone" if self.system.harms.get(rem.service) == HARM_UNTIL_UNDONE else "for a while"
            self.events.append((self.minute, "system", f"{rem.remedy} on {self.sg.names[rem.service]} broke it ({what})"))
            if self.system.harms.get(rem.service) == HARM_UNTIL_UNDONE and rem.service not in r.to_undo:
                r.to_undo.append(rem.service)  # the one who made the change sees it broke the service (one undo undoes it)
        if not ok:
            r.learn_failure(rem.service, rem.remedy)
            r.own_failures.append((rem.service, rem.remedy))
        if not rem.succeeds:
            self.counts["remediations_failed"] += 1
            if rem.service not in self.fault.causes:
                self.counts["remediations_wrong"] += 1
        # An unsent "starting R" is stale once R has finished: only the result is worth telling.
        r.unshared = [c for c in r.unshared if not (c.kind == "remedy_start" and c.service == rem.service)]
        r.unshared.append(Content("remedy_result", rem.service, (rem.remedy, ok)))
        self.events.append(
            (
                self.minute,
                "system",
                f"{rem.remedy} on {self.sg.names[rem.service]} finished; the tool says {'success' if ok else 'failure'}",
            )
        )

    # ----- communication and paging ---------------------------------------
    def send(self, r: Responder, c: Content, route_override: tuple[str, tuple[int, ...]] | None = None) -> Message:
        """``r`` sends ``c``: to whom the mode routes it (or ``route_override``), with a clarity that
        templates raise and fatigue, ambiguous wording and speed-up lower."""
        how, to = route_override or self.mode.route(self, r, c)
        cc, kc = self.cfg["communication"], self.cfg["connective"]
        clarity = cc["base_clarity"] + (cc["structured_clarity"] if cc["structured_updates"] else 0.0)
        clarity = (
            clarity
            * (1.0 - cc["fatigue_clarity_loss"] * min(r.fatigue, self.cfg["fatigue"]["cap"]))
            * self.clarity_factor.get(c.kind, 1.0)
            * (1.0 - kc["speedup_clarity_loss"] * kc["speedup"])
        )
        msg = Message(len(self.messages), self.minute, r.idx, to, how, c, min(1.0, max(0.0, clarity)))
        self.messages.append(msg)
        self.message_importance.append(self.importance.get(c.kind, self.importance["other"]))
        for j in to:
            self.people[j].inbox.append(msg.id)
        r.messages_sent += 1
        self.counts["messages_sent"] += 1
        return msg

    def page(self, p: Responder, by: Responder | None) -> None:
        """Page ``p`` (by a responder, or by the alerting when ``by`` is None); a page to someone already paged escalates."""
        if p.state in ("active", "left"):
            return
        if p.state == "paged":
            self.counts["escalations"] += 1
        p.state = "paged"
        p.paged_at = self.minute
        p.asleep = self.is_night
        p.base_fatigue = fatigue_at(self.cfg, self.clock_hour, p.hours_awake + self.minute / 60.0) + p.extra_fatigue
        p.paged_by = by.idx if by is not None else None
        self.counts["pages"] += 1
        who = by.name if by is not None else "alerting"
        self.events.append((self.minute, who, f"paged {p.name}"))
        if by is not None:
            top = by.top_suspects()[0]
            self.send(by, Content("page", top if by.suspicion[top] > 0 else -1, by.fault_belief), route_override=("page", (p.idx,)))

    # ----- records and the end --------------------------------------------
    def _record_minute(self) -> None:
        sys = self.system
        causes = self.fault.causes
        # The team's belief about the cause costs an argmax per person: only for recorded runs.
        correct = sum(1 for i in self.active_idx if self.people[i].top_suspects()[0] in causes) if self.record_trace else None
        self.timeline.append(
            (
                self.minute,
                self.n_active,
                sys.severity,
                sys.user_impact,
                sys.fixed,
                sys.n_symptomatic,
                self.counts["messages_sent"],
                self.counts["messages_misread"],
                None if correct is None else (correct / self.n_active if self.n_active else 0.0),
            )
        )
        # Mitigated: users no longer hurt, by a fix, a relief or the fault clearing; not a flapping fault hiding for a while.
        if self.times["mitigate"] is None and not sys.user_impact and (sys.fixed or sys.flap_visible):
            self.times["mitigate"] = self.minute

    def _check_end(self) -> None:
        sys = self.system
        window = self.cfg["remediation"]["stability_window"]
        if sys.fixed and sys.healthy_since is not None and self.minute - sys.healthy_since >= window and self.n_active:
            self.times["resolve"] = self.minute
            self.running = False
        elif sys.fixed and self.times["detect"] is None:
            # The fault cleared on its own before anyone noticed: it ends there, never detected.
            # Mitigation and resolution are this minute; nobody acknowledged or diagnosed anything,
            # so time_to_detect, _acknowledge and _diagnose stay None (not censored: the run resolved).
            for phase in ("mitigate", "resolve"):
                self.times[phase] = self.times[phase] if self.times[phase] is not None else self.minute
            self.running = False
        elif self.minute >= self.cfg["run"]["max_minutes"]:
            self.running = False

    def run(self) -> IncidentModel:
        """Run until resolved or censored; returns self so calls chain.

        Mesa's ``step()`` reaches this model's step through its event list (pop
        an event, format a log line, schedule the next): about a sixth of a
        default run. With no events but Mesa's own step schedule, ``run`` pauses
        that schedule, advances Mesa's counters (``steps``, ``time``) itself as
        ``step()`` would, and resumes it at the end, so a later ``step()`` (the
        app's) goes on from the right minute. A model with other scheduled
        events takes Mesa's path. tests/test_decision_core.py guards both.
        """
        schedule = self._default_schedule
        if len(self._event_list) != 1 or schedule.next_scheduled_time != self.time + 1:
            while self.running:
                self.step()
            return self
        schedule.pause()
        minute = self._user_step  # this class's step, as Mesa stored it
        while self.running:
            self.time += 1
            self.steps += 1
            minute()
        schedule.resume()
        return self

    def summary(self) -> dict[str, Any]:
        """The run's metrics as a JSON-ready dict (see ``docs/outputs.md``)."""
        from .results import summarize

        return summarize(self)
