"""The technical system: services, their dependencies and owners, the fault, remediations.

Why this shape: a fault at one service shows first on the services that
depend on it, often owned by another team; that is what makes an incident a
joint, cross-team problem. The graph is built (or loaded) once with
networkx; the step loop only touches the numpy arrays and plain lists
prepared here.

Edge convention: an edge ``A -> B`` means *A depends on B*. A fault at B
shows as symptoms on B and on every service that (transitively) depends on
it. Cycles are allowed and handled by the reachability search.
"""

from __future__ import annotations

import json
import math
import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from .config import FAULT_TYPES, REMEDIATIONS, ConfigError, read_user_file
from .streams import Streams

__all__ = [
    "HARM_UNTIL_UNDONE",
    "ServiceGraph",
    "Fault",
    "SystemState",
    "fit_matrix",
    "build_service_graph",
    "load_graph_file",
    "choose_fault",
    "dependents_closure",
]

TEAM_NAMES = ("edge", "payments", "platform", "data", "identity", "search", "mobile", "billing")
LAYER_WORDS = ("api", "svc", "core", "store")

FAULT_INDEX = {f: i for i, f in enumerate(FAULT_TYPES)}
HARM_UNTIL_UNDONE = math.inf  # a harm's recovery minute when only undoing the change ends it
REMEDY_INDEX = {r: i for i, r in enumerate(REMEDIATIONS)}


def fit_matrix(cfg: dict[str, Any]) -> np.ndarray:
    """[fault, remedy] -> fit from the [fit] section: 1 fixes the fault, between 0 and 1 gives temporary relief, 0 nothing."""
    fc = cfg["fit"]
    return np.array([[float(fc[f"{f}_{r}"]) for r in REMEDIATIONS] for f in FAULT_TYPES])


@dataclass
class ServiceGraph:
    """Services as integer ids with owner teams and adjacency lists."""

    names: list[str]
    team_names: list[str]
    team_of: np.ndarray  # int, per service
    deps: list[list[int]]  # services each service depends on
    rdeps: list[list[int]]  # services depending on each service
    alerting: np.ndarray  # bool, per service: carries a user-facing alert
    graph: nx.DiGraph = field(repr=False)

    def __post_init__(self) -> None:
        self.team_list: list[int] = self.team_of.tolist()  # for cheap scalar reads in the step loop

    @property
    def n(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        return self.names.index(name)


def dependents_closure(rdeps: list[list[int]], start: int) -> np.ndarray:
    """All services that transitively depend on ``start`` (and ``start``), as a bool mask.

    A plain breadth-first search on prebuilt lists: cycles are fine, and it
    costs no networkx call in the step loop.
    """
    seen = np.zeros(len(rdeps), dtype=bool)
    seen[start] = True
    queue = deque([start])
    while queue:
        s = queue.popleft()
        for d in rdeps[s]:
            if not seen[d]:
                seen[d] = True
                queue.append(d)
    return seen


def _from_networkx(g: nx.DiGraph, source: str) -> ServiceGraph:
    names = [str(n) for n in g.nodes]
    if not names:
        raise ConfigError(f"{source}: the service graph has no services.")
    idx = {n: i for i, n in enumerate(g.nodes)}
    team_index: dict[str, int] = {}  # a dict, not list.index: linear in the number of services and teams
    team_of = np.zeros(len(names), dtype=np.int64)
    for n, data in g.nodes(data=True):
        team = data.get("team")
        if team is None or str(team) == "":
            raise ConfigError(f"{source}: service '{n}' has no 'team' attribute; every service must be owned by a team.")
        team_of[idx[n]] = team_index.setdefault(str(team), len(team_index))
    teams = list(team_index)
    deps: list[list[int]] = [[] for _ in names]
    rdeps: list[list[int]] = [[] for _ in names]
    for a, b in g.edges:
        if a == b:
            continue
        deps[idx[a]].append(idx[b])
        rdeps[idx[b]].append(idx[a])
    flags = [data.get("alerting") for _, data in g.nodes(data=True)]
    if any(f is not None for f in flags):
        alerting = np.array([str(f).lower() in ("true", "1", "yes") for f in flags], dtype=bool)
    else:
        alerting = np.array([len(r) == 0 for r in rdeps], dtype=bool)
    if not alerting.any():  # a graph that is all cycles: every service is user-facing
        alerting[:] = True
    return ServiceGraph(names, teams, team_of, deps, rdeps, alerting, g)


def load_graph_file(path: str | Path) -> ServiceGraph:
    """Load a user's service graph (JSON node-link or GraphML), with clear errors."""
    path = Path(path)
    text = read_user_file(path, "graph file", "system.graph_file")
    if path.suffix.lower() in (".graphml", ".xml"):
        try:
            g = nx.read_graphml(path)
        except Exception as exc:  # networkx raises several types for bad XML
            raise ConfigError(f"{path}: not a valid GraphML file: {exc}.") from None
        return _from_networkx(nx.DiGraph(g), str(path))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}.") from None
    except RecursionError:
        raise ConfigError(f"{path}: JSON nested too deeply; expected a node-link object with 'nodes' and 'links'.") from None
    if not isinstance(data, dict) or "nodes" not in data:
        raise ConfigError(f"{path}: expected a JSON node-link object with 'nodes' and 'links' (or 'edges').")
    nodes = data["nodes"]
    links = data.get("links", data.get("edges", []))
    if not isinstance(nodes, list) or not isinstance(links, list):
        raise ConfigError(f"{path}: 'nodes' and 'links' must be lists.")
    g = nx.DiGraph()
    first: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if not isinstance(node, dict) or "id" not in node:
            raise ConfigError(f"{path}: nodes[{i}] must be an object with an 'id'.")
        nid = str(node["id"])
        if nid in first:  # networkx would merge the two, the second silently changing the first's team
            raise ConfigError(f"{path}: nodes[{i}] repeats the id '{nid}' of nodes[{first[nid]}]; allowed: each service id once.")
        first[nid] = i
        g.add_node(nid, **{k: v for k, v in node.items() if k != "id"})
    for i, link in enumerate(links):
        if not isinstance(link, dict) or "source" not in link or "target" not in link:
            raise ConfigError(f"{path}: links[{i}] must be an object with 'source' and 'target'.")
        for end in ("source", "target"):
            if str(link[end]) not in g:
                raise ConfigError(f"{path}: links[{i}] {end} '{link[end]}' is not a service in 'nodes'.")
        g.add_edge(str(link["source"]), str(link["target"]))
    return _from_networkx(g, str(path))


# Memory one incident needs, per unit of size, measured with benchmarks/bench_scale.py (peak RSS
# growth; rounded up). What grows: per service the networkx graph and the adjacency lists; per
# responder and service the knowledge, beliefs and claims each responder keeps; per pair of
# responders the familiarity matrix and its copy at the start (16 bytes), and the row of Python
# floats of each person who reads it (32); per responder pair and service the transactive memory (8 for
# the float64 block of a team, 32 for the Python float of a column read as a list). The last two are held
# only by people who join, and transactive memory only about the teams they ask about
# (relationships.FamiliarityRows, Responder.knows_about): the estimate counts everyone and every
# service, an upper bound.
BYTES_PER_SERVICE = 4_000
BYTES_PER_RESPONDER_SERVICE = 120
BYTES_PER_RESPONDER_PAIR = 64  # measured: 2,000 responders grew 21 bytes per pair (10 of them joined), 4 teams
BYTES_PER_RESPONDER_PAIR_SERVICE = 40
MEMORY_LIMIT_ENV = "JCS_SIM_MEMORY_LIMIT_GIB"
DEFAULT_MEMORY_LIMIT_GIB = 4.0


def roster_size(cfg: dict[str, Any], n_teams: int) -> int:
    """People on the incident: the explicit roster, or the generated one (see responders.build_roster)."""
    rc = cfg["responders"]
    if rc["roster"]:
        return len(rc["roster"])
    return 1 + max(0, n_teams - 1) * rc["sme_per_team"] + rc["include_commander"] + rc["include_support"] + rc["include_comms"]


def memory_estimate(n_services: int, n_people: int) -> dict[str, float]:
    """Bytes one incident of this size needs, by what grows (an upper estimate)."""
    return {
        "services": BYTES_PER_SERVICE * n_services,
        "responders x services": BYTES_PER_RESPONDER_SERVICE * n_people * n_services,
        "responders x responders": BYTES_PER_RESPONDER_PAIR * n_people**2,
        "responders x responders x services (transactive memory, if everyone joined and asked about every team)": (
            BYTES_PER_RESPONDER_PAIR_SERVICE * n_people**2 * n_services
        ),
    }


def memory_limit() -> float:
    """The most memory (bytes) one incident may plan to use: $JCS_SIM_MEMORY_LIMIT_GIB, default 4 GiB."""
    text = os.environ.get(MEMORY_LIMIT_ENV, "")
    try:
        gib = float(text) if text.strip() else DEFAULT_MEMORY_LIMIT_GIB
    except ValueError:
        raise ConfigError(f"environment variable {MEMORY_LIMIT_ENV} = {text!r} is not a number; allowed: GiB > 0.") from None
    if not (gib > 0 and math.isfinite(gib)):
        raise ConfigError(f"environment variable {MEMORY_LIMIT_ENV} = {text!r}; allowed: a number of GiB > 0.")
    return gib * 2**30


def check_fits(cfg: dict[str, Any], n_services: int, n_teams: int, where: str) -> None:
    """Refuse, before anything is allocated, an incident whose estimated memory exceeds the limit.

    Why up front: the alternative is minutes of work and then a MemoryError (or
    the machine swapping), with nothing said about which input was too big.
    """
    people = roster_size(cfg, n_teams)
    parts = memory_estimate(n_services, people)
    total, limit = sum(parts.values()), memory_limit()
    if total <= limit:
        return
    worst = max(parts, key=parts.__getitem__)
    raise ConfigError(
        f"{where}: an incident with {n_services:,} services in {n_teams:,} teams and {people:,} responders needs about "
        f"{total / 2**30:.1f} GiB ({parts[worst] / 2**30:.1f} GiB for {worst}); allowed: at most {limit / 2**30:g} GiB "
        f"(set {MEMORY_LIMIT_ENV} to allow more). Lower responders.sme_per_team, system.n_teams or the number of services."
    )


def build_service_graph(cfg: dict[str, Any], streams: Streams) -> ServiceGraph:
    """Load ``system.graph_file`` or generate a layered microservice topology.

    Generation: each team owns ``services_per_team`` services spread over
    ``n_layers`` layers. Every service outside the deepest layer depends on
    about ``deps_per_service`` services in the next one or two layers,
    choosing its own team's with probability ``team_locality``.
    """
    sc = cfg["system"]
    if sc["graph_file"]:
        sg = load_graph_file(sc["graph_file"])
        check_fits(cfg, sg.n, len(sg.team_names), f"{sc['graph_file']} (key system.graph_file)")
        return sg
    n_teams, per_team, n_layers = sc["n_teams"], sc["services_per_team"], sc["n_layers"]
    check_fits(cfg, n_teams * per_team, n_teams, "config")
    rng = streams.get("system.graph")
    team_names = [TEAM_NAMES[t] if t < len(TEAM_NAMES) else f"team{t + 1}" for t in range(n_teams)]
    g = nx.DiGraph()
    layer_of: list[int] = []
    team_of: list[int] = []
    for t in range(n_teams):
        for j in range(per_team):
            layer = j % n_layers
            word = LAYER_WORDS[layer] if layer < len(LAYER_WORDS) else f"l{layer}-"
            name = f"{team_names[t]}-{word}{j // n_layers + 1}"
            g.add_node(name, team=team_names[t], layer=layer, alerting=layer < sc["alerting_layers"])
            layer_of.append(layer)
            team_of.append(t)
    names = list(g.nodes)
    layer_arr = np.array(layer_of)
    team_arr = np.array(team_of)
    # The candidates of a service in layer L are the services of layers L+1 and L+2, in id order, split
    # into its own team's and the others'. They are built once per (layer, team), not per service:
    # building them per service made generation quadratic in the number of services.
    pools: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for lay in range(n_layers - 1):
        deeper = np.flatnonzero((layer_arr > lay) & (layer_arr <= lay + 2))
        teams_deeper = team_arr[deeper]
        for t in np.unique(team_arr[layer_arr == lay]).tolist():
            mine = teams_deeper == t
            pools[lay, t] = (deeper, deeper[mine], deeper[~mine])
    for s, name in enumerate(names):
        lay = int(layer_arr[s])
        if lay >= n_layers - 1:
            continue
        deeper, own, others = pools[lay, team_of[s]]
        if deeper.size == 0:
            continue
        k = max(1, int(rng.poisson(sc["deps_per_service"]))) if sc["deps_per_service"] > 0 else 0
        for _ in range(min(k, deeper.size)):
            pool = own if own.size and rng.random() < sc["team_locality"] else others
            if pool.size == 0:
                pool = deeper
            g.add_edge(name, names[int(pool[rng.integers(len(pool))])])  # same draw as rng.choice, faster
    return _from_networkx(g, "generated graph")


@dataclass
class Fault:
    """Where the fault is, what kind it is, and where it is first seen."""

    root: int
    kind: str
    first_alert: int  # the alerting service whose page starts the incident
    impacted: np.ndarray  # bool per service: symptomatic while the fault is active
    novel: bool = False  # a failure mode nobody has seen: hard to recognise, only a code fix fixes it ([incident])
    flapping: bool = False  # intermittent: the fault's symptoms come and go ([incident])
    second: int = -1  # a second, contributing cause (incident.second_cause_share), or -1
    second_kind: str = ""
    second_impacted: np.ndarray | None = None  # its symptoms: it and its dependents

    @property
    def causes(self) -> tuple[int, ...]:
        """The root-cause services: the root, and the contributing cause if there is one."""
        return (self.root,) if self.second < 0 else (self.root, self.second)

    def kind_at(self, service: int) -> str:
        """The fault type of the cause at ``service`` (the root's for any other service)."""
        return self.second_kind if service == self.second else self.kind


def draw_incident_kind(cfg: dict[str, Any], streams: Streams) -> tuple[bool, bool, bool]:
    """Whether this incident's failure mode is novel, whether its symptoms flap, whether it has a second cause.

    Drawn on a stream of its own ("incident"), so the fault's placement draws
    do not depend on the incident mix the user sets.
    """
    ic = cfg["incident"]
    u = streams.get("incident").random(3)
    return bool(u[0] < ic["novel_share"]), bool(u[1] < ic["flapping_share"]), bool(u[2] < ic["second_cause_share"])


def alert_reach(sg: ServiceGraph) -> tuple[np.ndarray, np.ndarray]:
    """For every service: does its failure reach an alert, and an alert of another team?

    A failure at ``s`` shows on every service that transitively depends on it,
    so it reaches an alert when an alerting service depends on ``s``. Instead of
    one search per service (quadratic in time, and the old closures were kept
    in memory: quadratic in space), the teams of the alerts are pushed down the
    dependency edges once. Each service keeps at most two distinct alert teams,
    which is enough to tell whether one differs from its own; a service is
    revisited only when its set grows, so at most three times: linear in
    services plus edges, cycles included.
    """
    n = sg.n
    seen: list[tuple[int, ...]] = [()] * n
    queue: deque[int] = deque()
    for s in np.flatnonzero(sg.alerting).tolist():
        seen[s] = (sg.team_list[s],)
        queue.append(s)
    while queue:
        s = queue.popleft()
        mine = seen[s]
        for d in sg.deps[s]:
            theirs = seen[d]
            if len(theirs) >= 2:
                continue
            grown = tuple(dict.fromkeys(theirs + mine))[:2]
            if grown != theirs:
                seen[d] = grown
                queue.append(d)
    reaches = np.array([bool(t) for t in seen], dtype=bool)
    crosses = np.array([len(t) == 2 or (len(t) == 1 and t[0] != sg.team_list[s]) for s, t in enumerate(seen)], dtype=bool)
    return reaches, crosses


def choose_fault(cfg: dict[str, Any], sg: ServiceGraph, streams: Streams) -> Fault:
    """Place the fault with the ``fault`` stream.

    Without ``fault.root_cause`` the root is drawn among back-end services
    whose failure reaches an alerting service (among the alerting services
    themselves if there is none); with ``fault.cross_team`` the first
    alert fires on a service of another team, when the graph allows it.
    The draws are those of the earlier form that searched from every
    candidate; only the chosen root's dependents are searched now.
    """
    fc = cfg["fault"]
    rng = streams.get("fault")
    kind = fc["type"] if fc["type"] != "random" else FAULT_TYPES[int(rng.integers(len(FAULT_TYPES)))]
    if fc["root_cause"]:
        if fc["root_cause"] not in sg.names:
            raise ConfigError(
                f"config: key 'fault.root_cause' = {fc['root_cause']!r} is not a service in the graph (e.g. {', '.join(sg.names[:3])})."
            )
        options = [sg.index(fc["root_cause"])]  # a root that reaches no alert alerts on itself (below)
    else:
        reaches, crosses = alert_reach(sg)
        has_rdeps = np.array([bool(r) for r in sg.rdeps], dtype=bool)
        backend = ~sg.alerting & has_rdeps & reaches
        pool_mask = backend if backend.any() else sg.alerting.copy()  # else the fault sits on a user-facing service
        if fc["cross_team"] and (pool_mask & crosses).any():
            pool_mask &= crosses
        options = np.flatnonzero(pool_mask).tolist()
    root = options[int(rng.integers(len(options)))]
    closure = dependents_closure(sg.rdeps, root)
    alerts = np.flatnonzero(closure & sg.alerting)
    if not alerts.size:
        sg.alerting[root] = True  # a named root no alert reaches would be invisible: it alerts on itself
        alerts = np.array([root])
    cross = alerts[sg.team_of[alerts] != sg.team_of[root]]
    pool = cross if (fc["cross_team"] and cross.size) else alerts
    first = int(rng.choice(pool))
    novel, flapping, two = draw_incident_kind(cfg, streams)
    fault = Fault(root=int(root), kind=kind, first_alert=first, impacted=closure, novel=novel, flapping=flapping)
    if two:
        _add_second_cause(fault, sg, streams)
    return fault


def _add_second_cause(fault: Fault, sg: ServiceGraph, streams: Streams) -> None:
    """A contributing cause at another back-end service whose failure shows on an alert (on the ``incident`` stream)."""
    rng = streams.get("incident")
    reaches, _ = alert_reach(sg)  # the same pool as choose_fault's: a back-end service whose failure shows on an alert
    has_rdeps = np.array([bool(r) for r in sg.rdeps], dtype=bool)
    pool = np.flatnonzero(~sg.alerting & has_rdeps & reaches)
    pool = pool[pool != fault.root]
    if not pool.size:
        return  # no other back-end service would show anywhere anyone looks: no contributing cause
    second = int(pool[int(rng.integers(pool.size))])
    closure = dependents_closure(sg.rdeps, second)
    fault.second = second
    fault.second_kind = FAULT_TYPES[int(rng.integers(len(FAULT_TYPES)))]
    fault.second_impacted = closure


@dataclass
class Remediation:
    """A remediation in progress."""

    actor: int
    remedy: str
    service: int
    started: int
    done_at: int
    succeeds: bool  # what really happens
    reports_success: bool  # what the tool will say
    harms: bool = False  # a wrong action that breaks its service (remediation.wrong_harm_prob)


# Remedies whose harm to a wrong service lasts until someone undoes the change; the others
# (a restart, a scale-out) leave it degraded for remediation.harm_minutes and then it recovers.
PERSISTENT_CHANGES = frozenset({"rollback", "failover", "config_revert"})
HARMFUL = PERSISTENT_CHANGES | {"restart", "scale"}
# Remedies that run in stages, each of which can fail part-way and run again.
STAGED = frozenset({"code_fix", "data_repair"})


class SystemState:
    """The live state of the system during one incident.

    Symptoms are derived each minute from: the fault (until fixed or while
    relieved), services taken down by an in-flight failover, and their
    dependents. Self-healing and worsening are per-minute hazards on the
    ``system.dynamics`` stream.
    """

    def __init__(self, cfg: dict[str, Any], sg: ServiceGraph, fault: Fault, streams: Streams) -> None:
        self.cfg = cfg
        self.fit = fit_matrix(cfg)  # [fault, remedy] -> 1 fixes, (0, 1) relief, 0 nothing
        if fault.novel:  # a mode nobody has seen: the usual remedies relieve at best; only a code fix fixes it
            quick = cfg["incident"]["novel_quick_fit"]
            code_fix = REMEDY_INDEX["code_fix"]
            for j in range(self.fit.shape[1]):
                if j != code_fix:
                    self.fit[:, j] = np.minimum(self.fit[:, j], quick)
        self.sg = sg
        self.fault = fault
        self.rng = streams.get("system.dynamics")
        self.remedy_rng = streams.get("system.remediation")
        self.severity = int(cfg["fault"]["initial_severity"])
        self.fixed = False  # every cause fixed
        self.fixed_at: int | None = None
        self.fixed_by: str | None = None  # the remedy that fixed it (the last cause), or "self_heal"
        self.open_causes: set[int] = set(fault.causes)  # causes not yet fixed
        self.relief_until = -1
        self.running: list[Remediation] = []
        self._down_closure: dict[int, np.ndarray] = {}
        self.harms: dict[int, float] = {}  # service broken by a wrong action -> minute it recovers (HARM_UNTIL_UNDONE: until undone)
        self.noise_alert = -1  # an unrelated alerting service firing (detection.unrelated_alert_prob)
        self.noise_until = -1
        ic = cfg["incident"]
        self.flap_rng = streams.get("system.flap")
        self.flap_visible = True
        self.flap_hazard = (1.0 - math.exp(-1.0 / ic["flap_on_minutes"]), 1.0 - math.exp(-1.0 / ic["flap_off_minutes"]))
        self.symptomatic = fault.impacted.copy()
        if fault.second >= 0:
            self.symptomatic |= fault.second_impacted
        self.healthy_since: int | None = None
        self.version = 0
        self.changed = ""
        self.user_impact = bool(np.any(self.symptomatic & sg.alerting))
        self.n_symptomatic = int(self.symptomatic.sum())
        self._symptom_key: tuple = (True, fault.second >= 0, (), (), -1)  # what the current symptoms were derived from

    @property
    def fault_active(self) -> bool:
        return not self.fixed

    def start_remediation(self, actor: int, remedy: str, service: int, minute: int, minutes: float) -> Remediation:
        """Begin a remediation; its true and reported outcomes, its stage re-runs and any harm are drawn now, on its own stream.

        A staged remedy (a code fix, a data repair) runs remediation.pipeline_stages
        stages; each that fails part-way runs again, so its length is the
        work's, not a drawn duration. A wrong restart, rollback, scale, failover
        or config revert harms its service with remediation.wrong_harm_prob.
        """
        wrong = service not in self.fault.causes
        fit = 0.0 if wrong else self.fit[FAULT_INDEX[self.fault.kind_at(service)], REMEDY_INDEX[remedy]]
        rc = self.cfg["remediation"]
        works = fit > 0 and self.remedy_rng.random() >= rc["failure_prob"]
        misleading = self.remedy_rng.random() < rc["misleading_report_prob"]
        if remedy in STAGED:
            stages = rc["pipeline_stages"]
            runs = stages + int(self.remedy_rng.negative_binomial(stages, 1.0 - rc["stage_failure_prob"]))
            minutes = minutes * runs / stages
        harms = wrong and remedy in HARMFUL and self.remedy_rng.random() < rc["wrong_harm_prob"]
        done = minute + max(1, int(round(minutes)))
        rem = Remediation(actor, remedy, service, minute, done, works, works != misleading, harms)
        self.running.append(rem)
        return rem

    def undo(self, service: int, done_at: int) -> None:
        """Someone undoes the change that broke ``service``: it recovers at ``done_at``."""
        if service in self.harms:
            self.harms[service] = done_at

    def unrelated_alert(self, service: int, until: int) -> None:
        """An alert unrelated to the fault fires on ``service`` until minute ``until`` (a red herring)."""
        self.noise_alert, self.noise_until = service, until

    def step(self, minute: int) -> list[Remediation]:
        """Advance one minute; return the remediations that completed this minute."""
        finished = [r for r in self.running if r.done_at <= minute]
        if finished:
            self.running = [r for r in self.running if r.done_at > minute]
        for rem in finished:
            if rem.harms:
                self.harms[rem.service] = (
                    HARM_UNTIL_UNDONE if rem.remedy in PERSISTENT_CHANGES else minute + self.cfg["remediation"]["harm_minutes"]
                )
            if rem.succeeds and not self.fixed and rem.service in self.open_causes:
                fit = self.fit[FAULT_INDEX[self.fault.kind_at(rem.service)], REMEDY_INDEX[rem.remedy]]
                if fit >= 1.0:
                    self.open_causes.discard(rem.service)  # this cause is fixed; the incident lasts while another is open
                    if not self.open_causes:
                        self.fixed, self.fixed_at, self.fixed_by = True, minute, rem.remedy
                else:
                    # Relief: the symptoms clear for a share of relief_minutes as large as the remedy's fit.
                    self.relief_until = minute + int(round(fit * self.cfg["remediation"]["relief_minutes"]))
        self.changed = ""  # what happened on its own this minute, for the event log
        if not self.fixed:
            u = self.rng.random(2)
            if u[0] < self.cfg["fault"]["self_heal_rate"]:
                self.open_causes.clear()  # traffic subsides, caches refill: whatever was broken recovers
                self.fixed, self.fixed_at, self.fixed_by = True, minute, "self_heal"
                self.changed = "the fault cleared on its own"
            elif u[1] < self.cfg["fault"]["worsen_rate"] and self.severity < 3:
                self.severity += 1
                self.changed = f"the impact worsened to severity {self.severity}"
        if self.fault.flapping and not self.fixed:
            # Intermittent symptoms: the fault shows, hides, shows again (on its own stream).
            if self.flap_rng.random() < self.flap_hazard[0 if self.flap_visible else 1]:
                self.flap_visible = not self.flap_visible
        if self.harms:
            for s in [s for s, until in self.harms.items() if until <= minute]:
                del self.harms[s]
        self._update_symptoms(minute)
        return finished

    def _closure(self, service: int) -> np.ndarray:
        closure = self._down_closure.get(service)
        if closure is None:
            closure = self._down_closure[service] = dependents_closure(self.sg.rdeps, service)
        return closure

    def _update_symptoms(self, minute: int) -> None:
        fault_visible = (not self.fixed) and minute >= self.relief_until and self.flap_visible
        noise = self.noise_alert if minute < self.noise_until else -1
        second = self.fault.second
        root_shows = fault_visible and self.fault.root in self.open_causes
        second_shows = fault_visible and second >= 0 and second in self.open_causes
        key = (root_shows, second_shows, tuple(r.service for r in self.running if r.remedy == "failover"), tuple(self.harms), noise)
        if key == self._symptom_key:  # nothing that shapes the symptoms changed this minute
            return
        self._symptom_key = key
        sym = self.fault.impacted.copy() if root_shows else np.zeros(self.sg.n, dtype=bool)
        if second_shows:
            sym |= self.fault.second_impacted
        for rem in self.running:
            if rem.remedy == "failover":  # a failover leaves the service down until it completes
                sym |= self._closure(rem.service)
        for s in self.harms:  # a service broken by a wrong action, and everything that depends on it
            sym |= self._closure(s)
        if noise >= 0:
            sym[noise] = True
        if not np.array_equal(sym, self.symptomatic):
            self.version += 1  # responders re-read the dashboards only when they change
        self.symptomatic = sym
        self.user_impact = bool(np.any(sym & self.sg.alerting))  # computed on change, read often
        self.n_symptomatic = int(sym.sum())
        if self.n_symptomatic:
            self.healthy_since = None
        elif self.healthy_since is None:
            self.healthy_since = minute
