"""User-supplied files: service graphs (JSON node-link, GraphML) and relationship graphs.

Every bad file gives a ConfigError naming the file; every good one runs a model.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from jcs_sim import IncidentModel
from jcs_sim.config import ConfigError, apply_overrides, default_config, load_config, validate
from jcs_sim.system import load_graph_file

# A small shop: a user-facing web service (team front) over an api and a database (team back),
# plus a search service (team front) that also reads the database.
SERVICES = [("web", "front"), ("api", "back"), ("db", "back"), ("search", "front")]
LINKS = [("web", "api"), ("api", "db"), ("search", "db")]


def graph_json(nodes=SERVICES, links=LINKS, key="links") -> dict:
    return {
        "directed": True,
        "nodes": [{"id": n, "team": t} for n, t in nodes],
        key: [{"source": a, "target": b} for a, b in links],
    }


def write_json(tmp_path: Path, data, name="services.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return path


def cfg_with(sets: list[str], **sections) -> dict:
    raw = default_config()
    for sec, body in sections.items():
        raw[sec].update(body)
    return apply_overrides(validate(raw), sets)


def run(cfg, seed=0) -> dict:
    return IncidentModel(cfg, seed=seed, record_trace=False).run().summary()


def build_error(cfg) -> str:
    with pytest.raises(ConfigError) as exc:
        IncidentModel(cfg, seed=0)
    return str(exc.value)


# ----- good service graphs --------------------------------------------------------


@pytest.mark.parametrize("key", ["links", "edges"])
def test_json_node_link_graph_loads_and_runs(tmp_path, key):
    path = write_json(tmp_path, graph_json(key=key))
    sg = load_graph_file(path)
    assert sg.names == ["web", "api", "db", "search"]
    assert sg.team_names == ["front", "back"]
    assert sg.team_of.tolist() == [0, 1, 1, 0]
    assert [sorted(sg.names[d] for d in deps) for deps in sg.deps] == [["api"], ["db"], [], ["db"]]
    # Without 'alerting' flags, the services nobody depends on are the user-facing ones.
    assert sg.alerting.tolist() == [True, False, False, True]

    cfg = cfg_with([f"system.graph_file={json.dumps(str(path))}", "run.max_minutes=240"])
    s = run(cfg)
    assert s["root_cause"] in sg.names and s["first_alert"] in ("web", "search")
    assert {r["team"] for r in s["responders"] if r["role"] in ("ops", "sme")} == {"front", "back"}
    assert s["minutes_simulated"] <= 240


def test_networkx_written_node_link_graph_loads(tmp_path):
    g = nx.DiGraph()
    for n, t in SERVICES:
        g.add_node(n, team=t)
    g.add_edges_from(LINKS)
    path = write_json(tmp_path, nx.node_link_data(g, edges="links"))
    sg = load_graph_file(path)
    assert sorted(sg.graph.edges) == sorted(LINKS)


def test_explicit_alerting_flags_are_used(tmp_path):
    data = graph_json()
    for node in data["nodes"]:
        node["alerting"] = node["id"] == "api"
    sg = load_graph_file(write_json(tmp_path, data))
    assert sg.alerting.tolist() == [False, True, False, False]


def test_graphml_graph_loads_and_runs(tmp_path):
    g = nx.DiGraph()
    for n, t in SERVICES:
        g.add_node(n, team=t)
    g.add_edges_from(LINKS)
    path = tmp_path / "services.graphml"
    nx.write_graphml(g, path)
    sg = load_graph_file(path)
    assert sorted(sg.names) == sorted(n for n, _ in SERVICES)
    assert sg.team_names[int(sg.team_of[sg.index("db")])] == "back"
    assert sorted((sg.names[a], sg.names[b]) for a in range(sg.n) for b in sg.deps[a]) == sorted(LINKS)
    s = run(cfg_with([f"system.graph_file={json.dumps(str(path))}", "run.max_minutes=120"]))
    assert s["root_cause"] in sg.names


@pytest.mark.parametrize("seed", range(6))
def test_graph_with_a_cycle_runs_to_completion(tmp_path, seed):
    # api -> db -> cache -> api is a cycle below the user-facing web service.
    nodes = [("web", "front"), ("api", "back"), ("db", "back"), ("cache", "store")]
    links = [("web", "api"), ("api", "db"), ("db", "cache"), ("cache", "api")]
    path = write_json(tmp_path, graph_json(nodes, links))
    cfg = cfg_with([f"system.graph_file={json.dumps(str(path))}", "run.max_minutes=300", "fault.root_cause=db"])
    model = IncidentModel(cfg, seed=seed, record_trace=False)
    # The fault at db reaches every service on the cycle and the service above it.
    assert model.fault.impacted.tolist() == [True, True, True, True]
    s = model.run().summary()
    assert s["root_cause"] == "db" and s["first_alert"] == "web"
    assert s["resolved"] or s["minutes_simulated"] == 300


def test_graph_that_is_only_a_cycle_runs(tmp_path):
    nodes = [("a", "one"), ("b", "two"), ("c", "three")]
    path = write_json(tmp_path, graph_json(nodes, [("a", "b"), ("b", "c"), ("c", "a")]))
    sg = load_graph_file(path)
    assert sg.alerting.all()  # nobody is upstream of anybody: everything is user-facing
    resolved = [run(cfg_with([f"system.graph_file={json.dumps(str(path))}", "run.max_minutes=300"]), seed)["resolved"] for seed in range(5)]
    assert any(resolved)


def test_self_loop_is_ignored(tmp_path):
    sg = load_graph_file(write_json(tmp_path, graph_json(links=LINKS + [("api", "api")])))
    assert sg.deps[sg.index("api")] == [sg.index("db")]


# ----- bad service graphs -----------------------------------------------------------


def test_missing_graph_file(tmp_path):
    path = tmp_path / "nowhere.json"
    msg = build_error(cfg_with([f"system.graph_file={json.dumps(str(path))}"]))
    assert str(path) in msg and "not found" in msg and "system.graph_file" in msg


@pytest.mark.parametrize("text", ["", "   \n\n"])
def test_empty_graph_file(tmp_path, text):
    path = write_json(tmp_path, text)
    with pytest.raises(ConfigError, match="graph file is empty") as exc:
        load_graph_file(path)
    assert str(path) in str(exc.value)


def test_malformed_json_names_file_and_line(tmp_path):
    path = write_json(tmp_path, '{\n  "nodes": [\n    {"id": "web", "team": "front"},\n    {"id": "api" "team": "back"}\n  ]\n}\n')
    with pytest.raises(ConfigError) as exc:
        load_graph_file(path)
    msg = str(exc.value)
    assert str(path) in msg and "not valid JSON" in msg and "line 4" in msg


def test_malformed_graphml(tmp_path):
    path = tmp_path / "broken.graphml"
    path.write_text("<graphml><graph><node id='a'></graph>", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.graphml: not a valid GraphML file"):
        load_graph_file(path)


def test_graph_with_no_nodes(tmp_path):
    path = write_json(tmp_path, {"nodes": [], "links": []})
    with pytest.raises(ConfigError, match="has no services") as exc:
        load_graph_file(path)
    assert str(path) in str(exc.value)


@pytest.mark.parametrize("data", [[1, 2], {"links": []}, {"nodes": {"web": {}}, "links": []}])
def test_json_that_is_not_node_link(tmp_path, data):
    path = write_json(tmp_path, data)
    with pytest.raises(ConfigError) as exc:
        load_graph_file(path)
    assert str(path) in str(exc.value)


def test_link_to_unknown_service(tmp_path):
    path = write_json(tmp_path, graph_json(links=LINKS + [("api", "ghost")]))
    with pytest.raises(ConfigError) as exc:
        load_graph_file(path)
    msg = str(exc.value)
    assert str(path) in msg and "links[3] target 'ghost' is not a service" in msg


def test_link_without_target(tmp_path):
    data = graph_json()
    data["links"].append({"source": "web"})
    with pytest.raises(ConfigError, match=r"links\[3\] must be an object with 'source' and 'target'"):
        load_graph_file(write_json(tmp_path, data))


@pytest.mark.parametrize("team", [None, ""])
def test_node_without_team(tmp_path, team):
    data = graph_json()
    if team is None:
        del data["nodes"][2]["team"]
    else:
        data["nodes"][2]["team"] = team
    path = write_json(tmp_path, data)
    msg = build_error(cfg_with([f"system.graph_file={json.dumps(str(path))}"]))
    assert str(path) in msg and "service 'db' has no 'team' attribute" in msg


def test_graphml_node_without_team(tmp_path):
    g = nx.DiGraph()
    g.add_node("web", team="front")
    g.add_node("db")
    g.add_edge("web", "db")
    path = tmp_path / "services.graphml"
    nx.write_graphml(g, path)
    with pytest.raises(ConfigError, match="service 'db' has no 'team'") as exc:
        load_graph_file(path)
    assert str(path) in str(exc.value)


def test_root_cause_not_in_graph(tmp_path):
    msg = build_error(apply_overrides(default_config(), ["fault.root_cause=nonexistent-svc"]))
    assert "fault.root_cause" in msg and "'nonexistent-svc'" in msg
    path = write_json(tmp_path, graph_json())
    msg = build_error(cfg_with([f"system.graph_file={json.dumps(str(path))}", "fault.root_cause=dB"]))
    assert "'dB' is not a service" in msg


# ----- teams without responders --------------------------------------------------------

ROSTER_FRONT_ONLY = [
    {"name": "Ana", "role": "ops", "team": "front", "paged_at_start": True},
    {"name": "Emeka", "role": "commander"},
]


def test_team_without_responders_is_an_error(tmp_path):
    path = write_json(tmp_path, graph_json())
    cfg = cfg_with([f"system.graph_file={json.dumps(str(path))}"], responders={"roster": ROSTER_FRONT_ONLY})
    msg = build_error(cfg)
    assert "team(s) back own services but have no responder" in msg
    assert "allow_unstaffed_teams" in msg


def test_team_without_responders_runs_when_allowed(tmp_path):
    path = write_json(tmp_path, graph_json())
    cfg = cfg_with(
        [f"system.graph_file={json.dumps(str(path))}", "responders.allow_unstaffed_teams=true", "run.max_minutes=200"],
        responders={"roster": ROSTER_FRONT_ONLY},
    )
    s = run(cfg)
    assert [r["name"] for r in s["responders"]] == ["Ana", "Emeka"]
    assert s["resolved"] or s["minutes_simulated"] == 200


# ----- relationship files ----------------------------------------------------------------

ROSTER = [
    {"name": "Ana", "role": "ops", "team": "front", "paged_at_start": True},
    {"name": "Ben", "role": "sme", "team": "back"},
    {"name": "Cho", "role": "commander"},
]


def rel_cfg(tmp_path, ties, name="people.json") -> dict:
    graph = write_json(tmp_path, graph_json())
    rel = write_json(
        tmp_path,
        {"nodes": [{"id": p["name"]} for p in ROSTER], "links": [{"source": a, "target": b, "weight": w} for a, b, w in ties]},
        name=name,
    )
    return cfg_with(
        [f"system.graph_file={json.dumps(str(graph))}", f"relationships.file={json.dumps(str(rel))}", "run.max_minutes=200"],
        responders={"roster": ROSTER},
    )


def test_relationship_file_sets_familiarity(tmp_path):
    model = IncidentModel(rel_cfg(tmp_path, [("Ana", "Ben", 0.9), ("Ben", "Cho", 0.2)]), seed=0)
    f = model.familiarity
    np.testing.assert_allclose(f, [[1.0, 0.9, 0.0], [0.9, 1.0, 0.2], [0.0, 0.2, 1.0]])
    model.run()
    assert model.minute > 0


def test_relationship_graphml_loads(tmp_path):
    g = nx.Graph()
    g.add_edge("Ana", "Cho", weight=0.5)
    rel = tmp_path / "people.graphml"
    nx.write_graphml(g, rel)
    cfg = rel_cfg(tmp_path, [])
    cfg["relationships"]["file"] = str(rel)
    f = IncidentModel(cfg, seed=0).familiarity
    assert f[0, 2] == f[2, 0] == 0.5 and f[0, 1] == 0.0


def test_relationship_file_with_unknown_person(tmp_path):
    msg = build_error(rel_cfg(tmp_path, [("Ana", "Zed", 0.5)]))
    assert "people.json" in msg and "'Zed' is not a responder" in msg and "Ana, Ben, Cho" in msg


def test_relationship_file_node_not_on_roster(tmp_path):
    cfg = rel_cfg(tmp_path, [])
    path = Path(cfg["relationships"]["file"])
    data = json.loads(path.read_text())
    data["nodes"].append({"id": "Zed"})
    path.write_text(json.dumps(data))
    msg = build_error(cfg)
    assert "node 'Zed' is not a responder" in msg and "set organisation.file instead" in msg  # issue 12: where whole-org files go


@pytest.mark.parametrize("weight", [-0.1, 1.5, "high", None, float("nan")])
def test_relationship_weight_outside_0_1(tmp_path, weight):
    msg = build_error(rel_cfg(tmp_path, [("Ana", "Ben", weight)]))
    assert "people.json" in msg and "tie Ana-Ben has weight" in msg and "from 0 to 1" in msg


@pytest.mark.parametrize("weight", [0.0, 1.0])
def test_relationship_weight_bounds_are_inclusive(tmp_path, weight):
    f = IncidentModel(rel_cfg(tmp_path, [("Ana", "Ben", weight)]), seed=0).familiarity
    assert f[0, 1] == weight


def test_missing_and_empty_relationship_file(tmp_path):
    cfg = rel_cfg(tmp_path, [])
    Path(cfg["relationships"]["file"]).write_text("")
    assert "relationship file is empty" in build_error(cfg)
    Path(cfg["relationships"]["file"]).unlink()
    assert "relationship file not found" in build_error(cfg)


def test_malformed_relationship_json(tmp_path):
    cfg = rel_cfg(tmp_path, [])
    Path(cfg["relationships"]["file"]).write_text('{"links": [\n{"source": "Ana",\n}]}')
    msg = build_error(cfg)
    assert "people.json" in msg and "not valid JSON (line 3" in msg


# ----- paths relative to the config file ---------------------------------------------------


def test_relative_paths_resolve_against_config_folder(tmp_path, monkeypatch):
    scenario = tmp_path / "scenario"
    (scenario / "data").mkdir(parents=True)
    write_json(scenario / "data", graph_json())
    write_json(scenario / "data", {"links": [{"source": "Ana", "target": "Ben", "weight": 0.8}]}, name="people.json")
    roster = "".join(
        f'[[responders.roster]]\nname = "{p["name"]}"\nrole = "{p["role"]}"\nteam = "{p.get("team", "")}"\npaged_at_start = {str(p.get("paged_at_start", False)).lower()}\n\n'
        for p in ROSTER
    )
    toml = scenario / "scenario.toml"
    toml.write_text(
        f'[system]\ngraph_file = "data/services.json"\n\n[relationships]\nfile = "data/people.json"\n\n{roster}', encoding="utf-8"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    cfg = load_config(Path("..") / "scenario" / "scenario.toml")
    assert Path(cfg["system"]["graph_file"]) == (scenario / "data" / "services.json").resolve()
    assert Path(cfg["relationships"]["file"]) == (scenario / "data" / "people.json").resolve()
    model = IncidentModel(apply_overrides(cfg, ["run.max_minutes=60"]), seed=0)
    assert model.sg.names == ["web", "api", "db", "search"]
    assert model.familiarity[0, 1] == 0.8
