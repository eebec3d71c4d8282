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

__all__ = [
    "draw_tie", "build_relationships", "relationship_matrix", "generated_familiarity", "load_relationship_file",
    "familiarity_matrix", "transactive_beliefs", "transactive_stream", "FamiliarityRows",
]  # fmt: skip

HUB_ROLES = ("commander", "comms")


def _beta(rng: np.random.Generator, mean: float, concentration: float) -> float:
    """A Beta draw with the given mean and concentration (relationships.tie_concentration); degenerate means stay exact."""
    if mean <= 0.0 or mean >= 1.0:
        return float(mean)
    return float(rng.beta(mean * concentration, (1 - mean) * concentration))


def build_relationships(cfg: dict[str, Any], people: list[dict[str, Any]], streams: Streams) -> nx.Graph:
    """Load ``relationships.file`` or generate ties from team structure, as a graph (for users and files).

    The ties are those of :func:`relationship_matrix` (the model reads that matrix directly and
    never builds this graph: a networkx edge costs about 450 bytes, and there are r^2/2 pairs).
    """
    rc = cfg["relationships"]
    names = [p["name"] for p in people]
    if rc["file"]:
        return load_relationship_file(rc["file"], names)
    fam = generated_familiarity(rc, people, streams)
    g = nx.Graph()
    g.add_nodes_from(names)
    i, j = np.nonzero(np.triu(fam, 1))
    g.add_weighted_edges_from((names[a], names[b], float(fam[a, b])) for a, b in zip(i.tolist(), j.tolist(), strict=True))
    return g


def relationship_matrix(cfg: dict[str, Any], people: list[dict[str, Any]], streams: Streams) -> np.ndarray:
    """Familiarity in roster order (1 on the diagonal): from ``relationships.file``, or generated."""
    rc = cfg["relationships"]
    if rc["file"]:
        names = [p["name"] for p in people]
        return familiarity_matrix(load_relationship_file(rc["file"], names), names)
    return generated_familiarity(rc, people, streams)


# The kinds of pair, in the order their Beta weights are drawn within a row.
PAIR_KINDS = ("hub", "within", "across")


def pair_kind_params(rc: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """(density, mean familiarity) of each kind of pair."""
    return {
        "hub": (rc["hub_density"], rc["commander_familiarity"]),
        "within": (rc["within_density"], rc["within_team"]),
        "across": (rc["across_density"], rc["across_team"]),
    }


def generated_familiarity(rc: dict[str, Any], people: list[dict[str, Any]], streams: Streams) -> np.ndarray:
    """Generated ties from team structure, as a dense symmetric matrix (1 on the diagonal).

    Same-team pairs are tied with probability ``within_density`` and weight
    ~Beta(mean ``within_team``, concentration ``tie_concentration``); cross-team
    pairs with ``across_density`` and ``across_team``; pairs with the commander
    or comms lead with ``hub_density`` and ``commander_familiarity`` (they know
    many people a little). A mean of 0 or 1 is taken exactly (no draw); a pair
    is tied if its uniform is below the density and its weight is above 0.

    Drawn a row at a time, in roster order, on the ``relationships`` stream: for
    person i, one uniform for each later person j (in order), then the Beta
    weights of those pairs, kind by kind (:data:`PAIR_KINDS`), each in order of
    j. Why by rows of numpy draws: the pairs are r(r-1)/2 and the values are
    needed for every one of them, so only the constant can shrink; drawing
    pair by pair in Python took 1.5 s at 1,000 responders, and a networkx graph
    of the ties about 450 bytes an edge (docs/performance.md, "Scale").
    """
    rng = streams.get("relationships")
    params = pair_kind_params(rc)
    conc = rc["tie_concentration"]
    n = len(people)
    hub = np.array([p["role"] in HUB_ROLES for p in people], dtype=bool)
    teams = sorted({p["team"] for p in people})
    team = np.array([teams.index(p["team"]) for p in people], dtype=np.int64)
    has_team = np.array([bool(p["team"]) for p in people], dtype=bool)
    fam = np.eye(n)
    for i in range(n - 1):
        u = rng.random(n - i - 1)
        is_hub = hub[i + 1 :] | hub[i]
        within = ~is_hub & has_team[i] & (team[i + 1 :] == team[i])
        kinds = {"hub": is_hub, "within": within, "across": ~is_hub & ~within}
        w = np.empty(n - i - 1)
        density = np.empty(n - i - 1)
        for kind in PAIR_KINDS:
            mask = kinds[kind]
            d, mean = params[kind]
            density[mask] = d
            if 0.0 < mean < 1.0:
                w[mask] = rng.beta(mean * conc, (1 - mean) * conc, size=int(mask.sum()))
            else:
                w[mask] = mean
        row = np.where((u < density) & (w > 0), w, 0.0)
        fam[i, i + 1 :] = row
        fam[i + 1 :, i] = row
    return fam


def draw_tie(rng: np.random.Generator, a: dict[str, Any], b: dict[str, Any], rc: dict[str, Any]) -> float:
    """Familiarity of a new pair (0: no tie), by team structure; shared by incidents and campaigns."""
    u = rng.random()
    kind = "hub" if a["role"] in HUB_ROLES or b["role"] in HUB_ROLES else ("within" if a["team"] and a["team"] == b["team"] else "across")
    density, mean = pair_kind_params(rc)[kind]
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


class FamiliarityRows(dict):
    """Familiarity as Python lists, ``rows[i][j]``, a row made from the matrix the first time it is read.

    Why: g reads familiarity one value at a time, which is cheaper from Python
    lists than from numpy, but lists of every row are r x r Python floats
    (about 130 MiB at 2,000 responders), and only the rows of people who take
    part are ever read (the reader's, the sender's, the pager's). A dict with
    ``__missing__``: a row already made is read at a dict's speed. Iterating
    gives every row in roster order, ``len`` is the roster's size. The matrix
    and the rows are kept equal by ``connective.adjust_tie``, the one place a
    tie changes during a run.
    """

    def __init__(self, matrix: np.ndarray) -> None:
        super().__init__()
        self.matrix = matrix

    def __missing__(self, i: int) -> list[float]:
        row = self[i] = self.matrix[i].tolist()
        return row

    def __iter__(self):  # type: ignore[override]  # rows, as a list of lists iterates
        return (self[i] for i in range(len(self.matrix)))

    def __len__(self) -> int:
        return len(self.matrix)


def transactive_stream(name: str, team: str) -> str:
    """The stream of ``name``'s transactive-memory errors about ``team``'s services: one per believer and team,
    so a belief does not depend on when, or after which others, it is drawn."""
    return f"responder.{name}.transactive.{team}"


def transactive_beliefs(fam_row: np.ndarray, knowledge: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """What one responder i believes each person knows about each of one team's services (transactive memory).

    ``knowledge[j, k]`` is j's true knowledge of the team's k-th service and
    ``fam_row[j]`` i's familiarity with j at the start of the incident. Belief
    ``[j, k] = clip(knowledge[j, k] + N(0, 1) * noise * (1 - fam_row[j]), 0, 1)``:
    you know which corner your close colleagues know, and guess about
    strangers. The normals are drawn from ``rng`` (i's own stream for that
    team, :func:`transactive_stream`) in order of j, then k.

    Why per service: people know their own corners of a team's services
    (:mod:`jcs_sim.knowledge`), so whom to page for a service depends on
    knowing who knows that service, not the team on average (Ren, Carley &
    Argote 2006). Why per believer, per team and lazily: only those who join
    consult it, and only about the teams of the services they suspect; all of
    it for everyone would be responders x responders x services floats.
    """
    sd = noise * (1.0 - fam_row)[:, None]
    return np.clip(knowledge + rng.normal(0.0, 1.0, size=knowledge.shape) * sd, 0.0, 1.0)
