"""The linear-time setup gives the same answers as the plain forms, and the draws the ODD says.

Timings are in ``benchmarks/bench_scale.py``; here each faster form is checked against a brute-force
reference written out in the test: the alert reach of every service, the fault placement (root, first
alert, impacted services; the same draws as the quadratic form it replaced), the transactive beliefs
(drawn per person, only for those who join) and the generated ties (drawn by rows of numpy draws).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from jcs_sim.config import FAULT_TYPES, apply_overrides, default_config
from jcs_sim.model import IncidentModel
from jcs_sim.relationships import build_relationships, generated_familiarity, transactive_beliefs
from jcs_sim.streams import Streams
from jcs_sim.system import Fault, _from_networkx, alert_reach, build_service_graph, choose_fault, dependents_closure


def random_graph(rng: np.random.Generator, n: int, teams: int, p_edge: float, p_alert: float) -> nx.DiGraph:
    """A random dependency graph with cycles and self-loops allowed."""
    g = nx.DiGraph()
    for s in range(n):
        g.add_node(f"s{s}", team=f"t{rng.integers(teams)}", alerting=bool(rng.random() < p_alert))
    for a in range(n):
        for b in range(n):
            if rng.random() < p_edge:
                g.add_edge(f"s{a}", f"s{b}")
    return g


@pytest.mark.parametrize("seed", range(12))
def test_alert_reach_matches_a_search_from_every_service(seed):
    rng = np.random.default_rng(seed)
    sg = _from_networkx(random_graph(rng, int(rng.integers(2, 40)), int(rng.integers(1, 4)), 0.08, 0.3), "test")
    reaches, crosses = alert_reach(sg)
    for s in range(sg.n):
        alerts = np.flatnonzero(dependents_closure(sg.rdeps, s) & sg.alerting)
        assert reaches[s] == bool(alerts.size)
        assert crosses[s] == bool(np.any(sg.team_of[alerts] != sg.team_of[s]))


def reference_choose_fault(cfg, sg, streams) -> Fault:
    """The earlier form: the closure of every candidate root (quadratic), kept to check the draws."""
    fc = cfg["fault"]
    rng = streams.get("fault")
    kind = fc["type"] if fc["type"] != "random" else FAULT_TYPES[int(rng.integers(len(FAULT_TYPES)))]
    candidates = [sg.index(fc["root_cause"])] if fc["root_cause"] else [s for s in range(sg.n) if not sg.alerting[s] and sg.rdeps[s]]
    options, closures = [], {}
    for s in candidates:
        closure = dependents_closure(sg.rdeps, s)
        alerts = np.flatnonzero(closure & sg.alerting)
        if alerts.size or fc["root_cause"]:
            alerts = alerts if alerts.size else np.array([s])
            closures[s] = closure
            options.append((s, alerts, alerts[sg.team_of[alerts] != sg.team_of[s]]))
    if not options:
        for s in np.flatnonzero(sg.alerting):
            s = int(s)
            closures[s] = dependents_closure(sg.rdeps, s)
            alerts = np.flatnonzero(closures[s] & sg.alerting)
            options.append((s, alerts, alerts[sg.team_of[alerts] != sg.team_of[s]]))
    if fc["cross_team"] and not fc["root_cause"]:
        options = [o for o in options if o[2].size] or options
    root, alerts, cross = options[int(rng.integers(len(options)))]
    if not np.any(closures[root] & sg.alerting):
        sg.alerting[root] = True
    pool = cross if (fc["cross_team"] and cross.size) else alerts
    return Fault(root=int(root), kind=kind, first_alert=int(rng.choice(pool)), impacted=closures[root])


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        ["system.n_teams=6", "system.services_per_team=20", "system.n_layers=5", "system.team_locality=0.1"],
        ["fault.cross_team=false", "system.alerting_layers=2"],
        [
            "system.n_teams=2",
            "system.services_per_team=4",
            "system.n_layers=2",
            "system.deps_per_service=0",
        ],  # no back end reaches an alert
        ["fault.root_cause='data-store2'"],
    ],
)
def test_choose_fault_draws_as_before(overrides):
    cfg = apply_overrides(default_config(), overrides)
    for seed in range(15):
        sg_a, sg_b = build_service_graph(cfg, Streams(seed)), build_service_graph(cfg, Streams(seed))
        got, want = choose_fault(cfg, sg_a, Streams(seed)), reference_choose_fault(cfg, sg_b, Streams(seed))
        assert (got.root, got.kind, got.first_alert) == (want.root, want.kind, want.first_alert)
        assert np.array_equal(got.impacted, want.impacted) and np.array_equal(sg_a.alerting, sg_b.alerting)


def test_choose_fault_on_random_graphs_with_cycles():
    cfg = default_config()
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        g = random_graph(rng, 30, 3, 0.06, 0.2)
        a, b = _from_networkx(g.copy(), "t"), _from_networkx(g.copy(), "t")
        got, want = choose_fault(cfg, a, Streams(seed)), reference_choose_fault(cfg, b, Streams(seed))
        assert (got.root, got.first_alert) == (want.root, want.first_alert) and np.array_equal(got.impacted, want.impacted)


def reference_transactive(fam_row, knowledge, noise, rng) -> list[list[float]]:
    """ODD 5.8, one scalar draw at a time: knows[j][k] = clip(knowledge[j, k] + N(0,1) * noise * (1 - fam[j]), 0, 1)."""
    out = []
    for j in range(knowledge.shape[0]):
        row = []
        for k in range(knowledge.shape[1]):
            z = rng.normal()
            row.append(min(1.0, max(0.0, float(knowledge[j, k] + z * (noise * (1.0 - fam_row[j]))))))
        out.append(row)
    return out


def test_transactive_beliefs_are_the_scalar_draws_of_the_odd():
    rng = np.random.default_rng(3)
    fam, know = rng.random((9, 9)), rng.random((9, 4))
    for i in range(9):
        want_rng, got_rng = np.random.default_rng(11 + i), np.random.default_rng(11 + i)
        assert transactive_beliefs(fam[i], know, 0.4, got_rng).tolist() == reference_transactive(fam[i], know, 0.4, want_rng)
        assert want_rng.random() == got_rng.random()  # the stream is left where the scalar draws leave it


def roster_config(n: int, overrides: tuple[str, ...] = ()) -> dict:
    """An explicit roster of ``n`` people over the default graph's four teams (as benchmarks/bench_scale.py)."""
    cfg = apply_overrides(default_config(), list(overrides))
    teams = ("edge", "payments", "platform", "data")
    roster = [{"role": "ops", "team": "edge", "paged_at_start": True}]
    roster += [{"role": "sme", "team": teams[i % 4], "paged_at_start": False} for i in range(n - 4)]
    roster += [{"role": role, "team": "", "paged_at_start": role == "support"} for role in ("commander", "support", "comms")]
    cfg["responders"]["roster"] = [{"name": f"p{i}", "experience": 0.5, "hours_awake": 6.0, **p} for i, p in enumerate(roster)]
    return cfg


@pytest.mark.parametrize("seed", (0, 1, 2, 4))  # seed 3's fault clears before anyone joins
def test_each_joiner_holds_the_transactive_memory_of_the_odd_and_nobody_else_does(seed):
    """Transactive memory is drawn per person and team from its own stream, when first needed, and only for people who act.

    Exact: each holder's beliefs about a team's services equal the scalar draws of ODD 5.8 on
    ``responder.NAME.transactive.TEAM``, with the familiarity at the start and each person's true knowledge
    of those services. Linear: after setup nobody holds any (no responders x responders x services array),
    and after the run only people who joined do, each responders x (services of the teams they asked about);
    the same for the rows of familiarity as Python lists.
    """
    cfg = roster_config(40, ("run.max_minutes=180",))
    m = IncidentModel(cfg, seed=seed, record_trace=False)
    assert all(not p._blocks and not p._knows for p in m.people) and not m.fam.keys()
    m.run()
    joined = [p for p in m.people if p.joined_at is not None]
    holders = [p for p in m.people if p._blocks]
    assert holders and set(holders) <= set(joined)
    assert set(m.fam.keys()) <= {p.idx for p in joined}  # familiarity as lists: only the rows of people who took part
    noise = cfg["relationships"]["transactive_noise"]
    true = np.array([p.knowledge for p in m.people])
    for p in holders:
        for t, block in p._blocks.items():
            services = [s for s in range(m.sg.n) if m.sg.team_of[s] == t]
            rng = Streams(seed).get(f"responder.{p.name}.transactive.{m.sg.team_names[t]}")
            want = reference_transactive(m.familiarity0[p.idx], true[:, services], noise, rng)
            assert block.tolist() == want and block.shape == (len(m.people), len(services))
        for s, col in p._knows.items():  # a service's column, as read
            assert col == p._blocks[m.sg.team_list[s]][:, m.team_pos[s]].tolist()


def test_transactive_memory_is_the_same_whenever_it_is_drawn():
    """Drawn before the run, in reverse roster order, or during it: the same beliefs (a stream per believer and team)."""
    cfg = roster_config(12)
    early = IncidentModel(cfg, seed=5, record_trace=False)
    want = {p.name: [p.knows_about(s) for s in reversed(range(early.sg.n))][::-1] for p in reversed(early.people)}
    late = IncidentModel(cfg, seed=5, record_trace=False).run()
    asked = [p for p in late.people if p._knows]
    assert asked
    for p in asked:
        for s, col in p._knows.items():
            assert col == want[p.name][s]


def reference_ties(cfg, people, seed) -> np.ndarray:
    """ODD 5.5, one scalar draw at a time: per row i, a uniform for each later j, then the Beta weights kind by kind."""
    rc = cfg["relationships"]
    rng = Streams(seed).get("relationships")
    kinds = {
        "hub": (rc["hub_density"], rc["commander_familiarity"]),
        "within": (rc["within_density"], rc["within_team"]),
        "across": (rc["across_density"], rc["across_team"]),
    }
    n = len(people)
    fam = np.eye(n)
    for i, a in enumerate(people):
        later = list(range(i + 1, n))
        u = {j: rng.random() for j in later}

        def kind(b, a=a):
            if a["role"] in ("commander", "comms") or b["role"] in ("commander", "comms"):
                return "hub"
            return "within" if a["team"] and a["team"] == b["team"] else "across"

        w = {}
        for k in ("hub", "within", "across"):
            density, mean = kinds[k]
            for j in later:
                if kind(people[j]) == k:
                    w[j] = rng.beta(mean * rc["tie_concentration"], (1 - mean) * rc["tie_concentration"]) if 0 < mean < 1 else mean
        for j in later:
            density = kinds[kind(people[j])][0]
            fam[i, j] = fam[j, i] = w[j] if (u[j] < density and w[j] > 0) else 0.0
    return fam


@pytest.mark.parametrize(
    "overrides",
    [(), ("relationships.within_team=1.0", "relationships.across_density=0.0"), ("relationships.commander_familiarity=0.0",)],
)
def test_generated_ties_are_the_scalar_draws_of_the_odd(overrides):
    cfg = apply_overrides(default_config(), list(overrides))
    people = [
        dict(name=f"p{i}", role=("ops", "sme", "commander", "support", "comms")[i % 5], team=("a", "b", "")[i % 3]) for i in range(25)
    ]
    got = generated_familiarity(cfg["relationships"], people, Streams(4))
    assert np.array_equal(got, reference_ties(cfg, people, 4))
    graph = build_relationships(cfg, people, Streams(4))  # the same ties as a graph, for users
    assert {frozenset((a, b)): d["weight"] for a, b, d in graph.edges(data=True)} == {
        frozenset((people[i]["name"], people[j]["name"])): got[i, j] for i in range(25) for j in range(i + 1, 25) if got[i, j] > 0
    }
