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
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from .config import FAULT_TYPES, REMEDIATIONS, ConfigError, read_user_file
from .streams import Streams

__all__ = [
    "ServiceGraph",
    "Fault",
    "SystemState",
    "FIT",
    "build_service_graph",
    "load_graph_file",
    "choose_fault",
    "dependents_closure",
]

TEAM_NAMES = ("edge", "payments", "platform", "data", "identity", "search", "mobile", "billing")
LAYER_WORDS = ("api", "svc", "core", "store")

# FIT[fault][remedy]: 1.0 fixes the fault, 0.5 gives temporary relief, absent: no effect.
FIT: dict[str, dict[str, float]] = {
    "bad_deploy": {"rollback": 1.0, "restart": 0.5},
    "capacity": {"scale": 1.0, "restart": 0.5},
    "dependency_outage": {"failover": 1.0},
    "config": {"config_revert": 1.0, "rollback": 1.0},
    "data": {"data_repair": 1.0},
}
FAULT_INDEX = {f: i for i, f in enumerate(FAULT_TYPES)}
REMEDY_INDEX = {r: i for i, r in enumerate(REMEDIATIONS)}
# FIT as a matrix [fault, remedy] for the goodness function's vectorised lookups.
FIT_MATRIX = np.array([[FIT[f].get(r, 0.0) for r in REMEDIATIONS] for f in FAULT_TYPES])


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
    teams: list[str] = []
    team_of = np.zeros(len(names), dtype=np.int64)
    for n, data in g.nodes(data=True):
        team = data.get("team")
        if team is None or str(team) == "":
            raise ConfigError(f"{source}: service '{n}' has no 'team' attribute; every service must be owned by a team.")
        team = str(team)
        if team not in teams:
            teams.append(team)
        team_of[idx[n]] = teams.index(team)
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
    if not isinstance(data, dict) or "nodes" not in data:
        raise ConfigError(f"{path}: expected a JSON node-link object with 'nodes' and 'links' (or 'edges').")
    nodes = data["nodes"]
    links = data.get("links", data.get("edges", []))
    if not isinstance(nodes, list) or not isinstance(links, list):
        raise ConfigError(f"{path}: 'nodes' and 'links' must be lists.")
    g = nx.DiGraph()
    for i, node in enumerate(nodes):
        if not isinstance(node, dict) or "id" not in node:
            raise ConfigError(f"{path}: nodes[{i}] must be an object with an 'id'.")
        g.add_node(str(node["id"]), **{k: v for k, v in node.items() if k != "id"})
    for i, link in enumerate(links):
        if not isinstance(link, dict) or "source" not in link or "target" not in link:
            raise ConfigError(f"{path}: links[{i}] must be an object with 'source' and 'target'.")
        for end in ("source", "target"):
            if str(link[end]) not in g:
                raise ConfigError(f"{path}: links[{i}] {end} '{link[end]}' is not a service in 'nodes'.")
        g.add_edge(str(link["source"]), str(link["target"]))
    return _from_networkx(g, str(path))


def build_service_graph(cfg: dict[str, Any], streams: Streams) -> ServiceGraph:
    """Load ``system.graph_file`` or generate a layered microservice topology.

    Generation: each team owns ``services_per_team`` services spread over
    ``n_layers`` layers. Every service outside the deepest layer depends on
    about ``deps_per_service`` services in the next one or two layers,
    choosing its own team's with probability ``team_locality``.
    """
    sc = cfg["system"]
    if sc["graph_file"]:
        return load_graph_file(sc["graph_file"])
    rng = streams.get("system.graph")
    n_teams, per_team, n_layers = sc["n_teams"], sc["services_per_team"], sc["n_layers"]
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
    for s, name in enumerate(names):
        lay = layer_arr[s]
        if lay >= n_layers - 1:
            continue
        deeper = np.flatnonzero((layer_arr > lay) & (layer_arr <= lay + 2))
        if deeper.size == 0:
            continue
        k = max(1, int(rng.poisson(sc["deps_per_service"]))) if sc["deps_per_service"] > 0 else 0
        for _ in range(min(k, deeper.size)):
            own = deeper[team_arr[deeper] == team_arr[s]]
            pool = own if own.size and rng.random() < sc["team_locality"] else deeper[team_arr[deeper] != team_arr[s]]
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


def choose_fault(cfg: dict[str, Any], sg: ServiceGraph, streams: Streams) -> Fault:
    """Place the fault with the ``fault`` stream.

    Without ``fault.root_cause`` the root is drawn among back-end services
    whose failure reaches an alerting service (among the alerting services
    themselves if there is none); with ``fault.cross_team`` the first
    alert fires on a service of another team, when the graph allows it.
    """
    fc = cfg["fault"]
    rng = streams.get("fault")
    kind = fc["type"] if fc["type"] != "random" else FAULT_TYPES[int(rng.integers(len(FAULT_TYPES)))]
    if fc["root_cause"]:
        if fc["root_cause"] not in sg.names:
            raise ConfigError(
                f"config: key 'fault.root_cause' = {fc['root_cause']!r} is not a service in the graph (e.g. {', '.join(sg.names[:3])})."
            )
        candidates = [sg.index(fc["root_cause"])]
    else:
        candidates = [s for s in range(sg.n) if not sg.alerting[s] and sg.rdeps[s]]
    options = []
    closures = {}
    for s in candidates:
        closure = dependents_closure(sg.rdeps, s)
        alerts = np.flatnonzero(closure & sg.alerting)
        if alerts.size or fc["root_cause"]:
            # A root that reaches no alert (only possible when the user names it) alerts on itself.
            alerts = alerts if alerts.size else np.array([s])
            closures[s] = closure
            options.append((s, alerts, alerts[sg.team_of[alerts] != sg.team_of[s]]))
    if not options:  # no back-end failure would be seen: the fault sits on a user-facing service
        for s in np.flatnonzero(sg.alerting):
            s = int(s)
            closures[s] = dependents_closure(sg.rdeps, s)
            alerts = np.flatnonzero(closures[s] & sg.alerting)
            options.append((s, alerts, alerts[sg.team_of[alerts] != sg.team_of[s]]))
    if fc["cross_team"] and not fc["root_cause"]:
        crossing = [o for o in options if o[2].size]
        options = crossing or options
    root, alerts, cross = options[int(rng.integers(len(options)))]
    if not np.any(closures[root] & sg.alerting):
        sg.alerting[root] = True  # a named root no alert reaches would be invisible: it alerts on itself
    pool = cross if (fc["cross_team"] and cross.size) else alerts
    first = int(rng.choice(pool))
    return Fault(root=int(root), kind=kind, first_alert=first, impacted=closures[root])


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


class SystemState:
    """The live state of the system during one incident.

    Symptoms are derived each minute from: the fault (until fixed or while
    relieved), services taken down by an in-flight failover, and their
    dependents. Self-healing and worsening are per-minute hazards on the
    ``system.dynamics`` stream.
    """

    def __init__(self, cfg: dict[str, Any], sg: ServiceGraph, fault: Fault, streams: Streams) -> None:
        self.cfg = cfg
        self.sg = sg
        self.fault = fault
        self.rng = streams.get("system.dynamics")
        self.remedy_rng = streams.get("system.remediation")
        self.severity = int(cfg["fault"]["initial_severity"])
        self.fixed = False
        self.fixed_at: int | None = None
        self.fixed_by: str | None = None  # the remedy that fixed it, or "self_heal"
        self.relief_until = -1
        self.running: list[Remediation] = []
        self._down_closure: dict[int, np.ndarray] = {}
        self.symptomatic = fault.impacted.copy()
        self.healthy_since: int | None = None
        self.version = 0
        self.changed = ""
        self.user_impact = bool(np.any(self.symptomatic & sg.alerting))
        self.n_symptomatic = int(self.symptomatic.sum())
        self._symptom_key: tuple = (True, ())  # what the current symptoms were derived from

    @property
    def fault_active(self) -> bool:
        return not self.fixed

    def start_remediation(self, actor: int, remedy: str, service: int, minute: int, minutes: int) -> Remediation:
        """Begin a remediation; its true and reported outcomes are drawn now, on its own stream."""
        fit = FIT[self.fault.kind].get(remedy, 0.0) if service == self.fault.root else 0.0
        rc = self.cfg["remediation"]
        works = fit > 0 and self.remedy_rng.random() >= rc["failure_prob"]
        misleading = self.remedy_rng.random() < rc["misleading_report_prob"]
        rem = Remediation(actor, remedy, service, minute, minute + minutes, works, works != misleading)
        self.running.append(rem)
        return rem

    def step(self, minute: int) -> list[Remediation]:
        """Advance one minute; return the remediations that completed this minute."""
        finished = [r for r in self.running if r.done_at <= minute]
        if finished:
            self.running = [r for r in self.running if r.done_at > minute]
        for rem in finished:
            if rem.succeeds and not self.fixed:
                fit = FIT[self.fault.kind].get(rem.remedy, 0.0)
                if fit >= 1.0:
                    self.fixed, self.fixed_at, self.fixed_by = True, minute, rem.remedy
                else:
                    self.relief_until = minute + self.cfg["remediation"]["relief_minutes"]
        self.changed = ""  # what happened on its own this minute, for the event log
        if not self.fixed:
            u = self.rng.random(2)
            if u[0] < self.cfg["fault"]["self_heal_rate"]:
                self.fixed, self.fixed_at, self.fixed_by = True, minute, "self_heal"
                self.changed = "the fault cleared on its own"
            elif u[1] < self.cfg["fault"]["worsen_rate"] and self.severity < 3:
                self.severity += 1
                self.changed = f"the impact worsened to severity {self.severity}"
        self._update_symptoms(minute)
        return finished

    def _update_symptoms(self, minute: int) -> None:
        fault_visible = (not self.fixed) and minute >= self.relief_until
        key = (fault_visible, tuple(r.service for r in self.running if r.remedy == "failover"))
        if key == self._symptom_key:  # nothing that shapes the symptoms changed this minute
            return
        self._symptom_key = key
        sym = self.fault.impacted.copy() if fault_visible else np.zeros(self.sg.n, dtype=bool)
        for rem in self.running:
            if rem.remedy == "failover":  # a failover leaves the service down until it completes
                closure = self._down_closure.get(rem.service)
                if closure is None:
                    closure = self._down_closure[rem.service] = dependents_closure(self.sg.rdeps, rem.service)
                sym |= closure
        if not np.array_equal(sym, self.symptomatic):
            self.version += 1  # responders re-read the dashboards only when they change
        self.symptomatic = sym
        self.user_impact = bool(np.any(sym & self.sg.alerting))  # computed on change, read often
        self.n_symptomatic = int(sym.sum())
        if self.n_symptomatic:
            self.healthy_since = None
        elif self.healthy_since is None:
            self.healthy_since = minute
