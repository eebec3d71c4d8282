"""Who knows which service: each person's own corner of their team's services, and the mean knowledge it gives.

Why corners: "we each know our own corners of the system better than our
teammates" (MODEL_BRIEF, mechanism 2). A team's services are split among the
team's people on the incident (or, in an organisation, among all its members),
each taking an equal share in a random order: a person knows their own corner
deeply (``responders.deep_knowledge``), the rest of their team's services less
(``responders.teammate_knowledge``) and other teams' shallowly
(``responders.shallow_knowledge``). With one person of a team on call, that
person's corner is the whole team's, as before corners existed; with several,
who is paged for a service matters, and so does knowing who knows what
(transactive memory, which is therefore per service: see
:func:`jcs_sim.relationships.transactive_beliefs`). ``responders.corners =
false`` gives everyone the whole of their team's services.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .system import ServiceGraph

__all__ = ["CORNER_STREAM", "corner_mask", "knowledge_means", "team_positions"]

CORNER_STREAM = "knowledge.corners"  # the order in which each team's services are dealt out


def corner_mask(teams: list[str], sg: ServiceGraph, rng: np.random.Generator) -> np.ndarray:
    """``mask[i, s]``: service ``s`` is in person ``i``'s corner (people x services, bool).

    Each team's services, in an order drawn from ``rng`` (one permutation per
    team, in the graph's team order), are dealt round-robin to the people whose
    team is that team, in roster order: shares differ by at most one service.
    A team with nobody gets no corner; people without a team have none.
    """
    mask = np.zeros((len(teams), sg.n), dtype=bool)
    people_teams = np.array(teams, dtype=str)
    for name, services in zip(sg.team_names, team_positions(sg)[0], strict=True):
        order = services[rng.permutation(len(services))]  # drawn for every team, staffed or not
        members = np.flatnonzero(people_teams == name)
        if members.size:
            mask[members[np.arange(order.size) % members.size], order] = True
    return mask


def knowledge_means(rc: dict[str, Any], teams: list[str], sg: ServiceGraph, rng: np.random.Generator) -> np.ndarray:
    """Mean knowledge per person and service before the per-service spread (``responders.knowledge_sd``).

    Own corner: ``deep_knowledge``; the rest of the own team's services:
    ``teammate_knowledge`` (``deep_knowledge`` when ``corners`` is off); other
    teams': ``shallow_knowledge``. ``rng`` deals the corners and is drawn from
    whether or not corners are on, so switching them off changes nothing else.
    """
    own = np.array(teams, dtype=str)[:, None] == np.array(sg.team_names, dtype=str)[sg.team_of][None, :]
    corner = corner_mask(teams, sg, rng)
    teammate = rc["teammate_knowledge"] if rc["corners"] else rc["deep_knowledge"]
    return np.where(corner, rc["deep_knowledge"], np.where(own, teammate, rc["shallow_knowledge"]))


def team_positions(sg: ServiceGraph) -> tuple[list[np.ndarray], list[int]]:
    """Each team's services (ascending ids) and each service's position among its team's: the columns of a team's block."""
    services = [np.flatnonzero(sg.team_of == t) for t in range(len(sg.team_names))]
    pos = [0] * sg.n
    for members in services:
        for k, s in enumerate(members.tolist()):
            pos[s] = k
    return services, pos
