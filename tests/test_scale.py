"""The linear-time setup gives the same answers, and the same draws, as the plain quadratic forms it replaced.

Timings are in ``benchmarks/bench_scale.py``; here each faster form is checked against a brute-force
reference written out in the test: the alert reach of every service, the fault placement (root, first
alert, impacted services), the transactive beliefs and the generated ties.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from jcs_sim.config import FAULT_TYPES, apply_overrides, default_config
from jcs_sim.relationships import build_relationships, draw_tie, transactive_beliefs
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


def test_transactive_beliefs_filled_per_believer_are_the_one_shot_draw():
    rng = np.random.default_rng(3)
    fam, tk = rng.random((9, 9)), rng.random((9, 4))
    want_rng, got_rng = np.random.default_rng(11), np.random.default_rng(11)
    want = np.clip(tk[None, :, :] + want_rng.normal(0.0, 1.0, size=(9, 9, 4)) * (0.4 * (1.0 - fam))[:, :, None], 0.0, 1.0)
    assert np.array_equal(transactive_beliefs(fam, tk, 0.4, got_rng), want)
    assert want_rng.random() == got_rng.random()  # the stream is left where the one-shot draw leaves it


def test_generated_ties_are_draw_tie_per_pair():
    cfg = default_config()
    people = [
        dict(name=f"p{i}", role=("ops", "sme", "commander", "support", "comms")[i % 5], team=("a", "b", "")[i % 3]) for i in range(25)
    ]
    got = build_relationships(cfg, people, Streams(4))
    rng = Streams(4).get("relationships")
    want = {}
    for i, a in enumerate(people):
        for b in people[i + 1 :]:
            w = draw_tie(rng, a, b, cfg["relationships"])
            if w > 0:
                want[frozenset((a["name"], b["name"]))] = w
    assert {frozenset((a, b)): d["weight"] for a, b, d in got.edges(data=True)} == want
