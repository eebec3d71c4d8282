"""Prior relationships: a weighted familiarity graph between responders.

Why: familiarity shapes how well a message is understood, how readily one
person pages another ("a surprise call from someone you know at 3AM vs a
stranger"), and how accurately a responder knows who knows what
(transactive memory). The graph is a networkx ``Graph`` (weights in 0-1) for
users and files; the step loop reads the dense numpy matrix made from it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from .config import ConfigError, read_user_file
from .streams import Streams

__all__ = ["draw_tie", "build_relationships", "load_relationship_file", "familiarity_matrix", "transactive_beliefs"]

HUB_ROLES = ("commander", "comms")


def _beta(rng: np.random.Generator, mean: float, concentration: float) -> float:
    """A Beta draw with the given mean and concentration (relationships.tie_concentration); degenerate means stay exact."""
    if mean <= 0.0 or mean >= 1.0:
        return float(mean)
    return float(rng.beta(mean * concentration, (1 - mean) * concentration))


def build_relationships(cfg: dict[str, Any], people: list[dict[str, Any]], streams: Streams) -> nx.Graph:
    """Load ``relationships.file`` or generate ties from team structure.

    Same-team pairs are tied with probability ``within_density`` and weight
    ~Beta(mean ``within_team``); cross-team pairs with ``across_density`` and
    ``across_team``. The commander and comms lead know many people a little
    (``commander_familiarity``).
    """
    rc = cfg["relationships"]
    if rc["file"]:
        return load_relationship_file(rc["file"], [p["name"] for p in people])
    rng = streams.get("relationships")
    g = nx.Graph()
    g.add_nodes_from(p["name"] for p in people)
    # The same draws, in the same order, as draw_tie for each pair; the pair's kind is looked up
    # once per person instead of per pair, and the edges are added in one call. Every pair still
    # draws (quadratic in responders: docs/performance.md, "Scale").
    random, beta = rng.random, rng.beta
    conc = rc["tie_concentration"]
    kinds = {
        "hub": (rc["hub_density"], rc["commander_familiarity"]),
        "within": (rc["within_density"], rc["within_team"]),
        "across": (rc["across_density"], rc["across_team"]),
    }
    hub = [p["role"] in HUB_ROLES for p in people]
    team = [p["team"] for p in people]
    names = [p["name"] for p in people]
    edges = []
    for i in range(len(people)):
        for j in range(i + 1, len(people)):
            u = random()
            kind = "hub" if hub[i] or hub[j] else ("within" if team[i] and team[i] == team[j] else "across")
            density, mean = kinds[kind]
            w = float(beta(mean * conc, (1 - mean) * conc)) if 0.0 < mean < 1.0 else float(mean)
            if u < density and w > 0:
                edges.append((names[i], names[j], w))
    g.add_weighted_edges_from(edges)
    return g


def draw_tie(rng: np.random.Generator, a: dict[str, Any], b: dict[str, Any], rc: dict[str, Any]) -> float:
    """Familiarity of a new pair (0: no tie), by team structure; shared by incidents and campaigns."""
    u = rng.random()
    if a["role"] in HUB_ROLES or b["role"] in HUB_ROLES:
        density, mean = rc["hub_density"], rc["commander_familiarity"]
    elif a["team"] and a["team"] == b["team"]:
        density, mean = rc["within_density"], rc["within_team"]
    else:
        density, mean = rc["across_density"], rc["across_team"]
    w = _beta(rng, mean, rc["tie_concentration"])
    return w if u < density else 0.0


def _weight(path: Path, a: str, b: str, w: Any) -> float:
    """A tie's familiarity from a file: a real number from 0 to 1 (a JSON ``true`` is not one)."""
    allowed = "a number from 0 to 1"
    if isinstance(w, bool) or w is None:
        raise ConfigError(f"{path}: tie {a}-{b} has weight {w!r}; allowed: {allowed}.")
    try:
        weight = float(w)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{path}: tie {a}-{b} has weight {w!r}; allowed: {allowed}.") from None
    if not np.isfinite(weight) or weight < 0 or weight > 1:
        raise ConfigError(f"{path}: tie {a}-{b} has weight {w!r}; allowed: {allowed} (familiarity cannot be negative).")
    return weight


def load_relationship_file(path: str | Path, names: list[str]) -> nx.Graph:
    """Read a relationship graph (JSON node-link or GraphML) and check it against the roster.

    Refused, each with its own line: a tie to someone not on the roster, a weight
    that is not a number from 0 to 1 (a boolean included), a tie of a person with
    themselves (familiarity with oneself is 1 by definition), and the same pair
    listed twice (which weight was meant?).
    """
    path = Path(path)
    text = read_user_file(path, "relationship file", "relationships.file")
    if path.suffix.lower() in (".graphml", ".xml"):
        try:
            raw = nx.read_graphml(path)
        except Exception as exc:  # networkx raises several types for bad XML
            raise ConfigError(f"{path}: not a valid GraphML file: {exc}.") from None
        edges = [(str(a), str(b), d.get("weight")) for a, b, d in raw.edges(data=True)]
        node_ids = [str(n) for n in raw.nodes]
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}.") from None
        except RecursionError:
            raise ConfigError(f"{path}: JSON nested too deeply; expected a node-link object with a 'links' list.") from None
        if not isinstance(data, dict) or not isinstance(data.get("links", data.get("edges")), list):
            raise ConfigError(f"{path}: expected a JSON node-link object with a 'links' list.")
        nodes = data.get("nodes", [])
        if not isinstance(nodes, list):
            raise ConfigError(f"{path}: 'nodes' is {type(nodes).__name__} {_short(nodes)}; allowed: a list of responders ({{'id': NAME}}).")
        edges = []
        for i, link in enumerate(data.get("links", data.get("edges"))):
            if not isinstance(link, dict) or "source" not in link or "target" not in link:
                raise ConfigError(f"{path}: links[{i}] must be an object with 'source', 'target' and 'weight'.")
            edges.append((str(link["source"]), str(link["target"]), link.get("weight")))
        node_ids = [str(node.get("id")) if isinstance(node, dict) else str(node) for node in nodes]
    for nid in node_ids:
        if nid not in names:
            raise ConfigError(
                f"{path}: node '{nid}' is not a responder (responders: {', '.join(names)}); for a whole-organisation file, "
                "set organisation.file instead, which takes each incident's on-call people from it (docs/organisation.md)."
            )
    known = set(names)
    out = nx.Graph()
    out.add_nodes_from(names)
    for a, b, w in edges:
        for person in (a, b):
            if person not in known:
                raise ConfigError(
                    f"{path}: '{person}' is not a responder (responders: {', '.join(names)}); for a whole-organisation file, "
                    "set organisation.file instead, which takes each incident's on-call people from it (docs/organisation.md)."
                )
        weight = _weight(path, a, b, w)
        if a == b:
            raise ConfigError(f"{path}: tie {a}-{b} links a person with themselves; allowed: ties between two different responders.")
        if out.has_edge(a, b):
            before = out.edges[a, b]["weight"]
            raise ConfigError(
                f"{path}: tie {a}-{b} is listed twice (weights {before:g} and {weight:g}); allowed: each pair once (ties are undirected)."
            )
        out.add_edge(a, b, weight=weight)
    return out


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def familiarity_matrix(g: nx.Graph, names: list[str]) -> np.ndarray:
    """Dense symmetric familiarity matrix in roster order; 1 on the diagonal."""
    idx = {n: i for i, n in enumerate(names)}
    f = np.eye(len(names))
    for a, b, d in g.edges(data=True):
        if a != b:  # the diagonal stays 1: one knows oneself (a loaded self-loop is refused above)
            f[idx[a], idx[b]] = f[idx[b], idx[a]] = d.get("weight", 0.0)
    return f


# Bytes per entry of the transactive-memory array while the model holds it: 8 for the float64 array
# and about 32 for the nested Python lists the model makes of it (see system.check_fits).
TRANSACTIVE_BYTES_PER_ENTRY = 40


def transactive_beliefs(fam: np.ndarray, team_knowledge: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """What each responder believes each other knows about each team's services.

    ``team_knowledge[j, t]`` is j's true mean knowledge of team t's services.
    ``result[i, j, t]`` adds error with sd ``noise * (1 - fam[i, j])``: you
    know what your close colleagues know, and guess about strangers.

    Filled one believer at a time: the draws are the same as one
    ``normal(size=(r, r, t))`` call (numpy's generator fills arrays in order),
    so results are unchanged, but no temporary of the full size is made (the
    old form made three, four times the result at its peak).
    """
    r, t = team_knowledge.shape
    out = np.empty((r, r, t))
    for i in range(r):
        sd = noise * (1.0 - fam[i])[:, None]
        np.clip(team_knowledge + rng.normal(0.0, 1.0, size=(r, t)) * sd, 0.0, 1.0, out=out[i])
    return out
