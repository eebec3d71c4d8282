"""Corners and service-level transactive memory (jcs_sim.knowledge, ODD 5.7-5.8): exact rules, then what they do.

A team's services are dealt out among the team's people on the incident; each knows their own corner
at ``deep_knowledge``, the rest of the team's at ``teammate_knowledge``, other teams' at
``shallow_knowledge``. Whom to page for a service is whom one believes knows *that service* best.
"""

from __future__ import annotations

import numpy as np
import pytest

from jcs_sim import IncidentModel
from jcs_sim.config import apply_overrides, default_config
from jcs_sim.knowledge import CORNER_STREAM, corner_mask, knowledge_means
from jcs_sim.organisation import Organisation
from jcs_sim.streams import Streams
from jcs_sim.system import build_service_graph


def graph(sets: tuple[str, ...] = ()):
    cfg = apply_overrides(default_config(), list(sets))
    return cfg, build_service_graph(cfg, Streams(0))


@pytest.mark.parametrize("members", (1, 2, 3, 5))
def test_each_teams_services_are_dealt_out_once_in_shares_that_differ_by_at_most_one(members):
    cfg, sg = graph()
    teams = [""] + [t for t in sg.team_names for _ in range(members)] + [""]
    mask = corner_mask(teams, sg, np.random.default_rng(7))
    assert not mask[0].any() and not mask[-1].any()  # no team, no corner
    for t, name in enumerate(sg.team_names):
        rows = [i for i, team in enumerate(teams) if team == name]
        services = np.flatnonzero(sg.team_of == t)
        assert (mask[rows][:, services].sum(axis=0) == 1).all()  # every service in exactly one corner
        assert not mask[rows][:, sg.team_of != t].any()  # nobody's corner is in another team
        shares = mask[rows][:, services].sum(axis=1)
        assert shares.max() - shares.min() <= 1 and shares.sum() == len(services)
        if members == 1:
            assert mask[rows[0], services].all()  # one person on call: their corner is the whole team's


def test_a_team_with_nobody_on_the_incident_is_nobodys_corner():
    cfg, sg = graph()
    teams = [sg.team_names[0]]
    mask = corner_mask(teams, sg, np.random.default_rng(1))
    assert mask[0, sg.team_of == 0].all() and mask.sum() == (sg.team_of == 0).sum()


def test_the_deal_is_random_but_fixed_by_the_stream():
    cfg, sg = graph()
    teams = [t for t in sg.team_names for _ in range(3)]
    a = corner_mask(teams, sg, Streams(4).get(CORNER_STREAM))
    b = corner_mask(teams, sg, Streams(4).get(CORNER_STREAM))
    c = corner_mask(teams, sg, Streams(5).get(CORNER_STREAM))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_knowledge_means_are_deep_in_the_corner_teammate_in_the_rest_of_the_team_and_shallow_elsewhere():
    cfg, sg = graph()
    rc = dict(cfg["responders"], deep_knowledge=0.9, teammate_knowledge=0.4, shallow_knowledge=0.1)
    teams = [t for t in sg.team_names for _ in range(2)] + [""]
    mean = knowledge_means(rc, teams, sg, np.random.default_rng(2))
    mask = corner_mask(teams, sg, np.random.default_rng(2))
    own = np.array([[team == sg.team_names[t] for t in sg.team_of] for team in teams])
    assert (mean[mask] == 0.9).all() and (mean[own & ~mask] == 0.4).all() and (mean[~own] == 0.1).all()
    assert (own & ~mask).any()
    off = knowledge_means(dict(rc, corners=False), teams, sg, np.random.default_rng(2))
    assert (off[own] == 0.9).all() and (off[~own] == 0.1).all()


def model(sets: tuple[str, ...], seed: int = 0) -> IncidentModel:
    return IncidentModel(apply_overrides(default_config(), list(sets)), seed=seed, record_trace=False)


EXACT = ("responders.sme_per_team=3", "responders.knowledge_sd=0.0", "relationships.transactive_noise=0.0")


@pytest.mark.parametrize("seed", (0, 3))
def test_with_accurate_beliefs_the_page_for_a_service_goes_to_whose_corner_it_is(seed):
    m = model(EXACT, seed)
    ops = next(p for p in m.people if p.role == "ops")
    m.pageable = [p for p in m.people if p.role in ("ops", "sme") and p is not ops]
    page = next(a for a in m.actions if a.name == "page")
    for t, name in enumerate(m.sg.team_names):
        if name == ops.team:
            continue
        targets = set()
        for s in np.flatnonzero(m.sg.team_of == t).tolist():
            owner = [p.idx for p in m.people if p.knowledge[s] == 0.8]  # deep: this service is in their corner
            assert len(owner) == 1 and m.people[owner[0]].team == name
            assert page.best_pageable(m, ops, s) == (owner[0], 0.8)
            targets.add(owner[0])
        assert len(targets) == 3  # per service, not per team: a team's three people each own a part


def test_corners_make_who_is_paged_matter_and_switching_them_off_restores_the_whole_team():
    on, off = model(EXACT), model((*EXACT, "responders.corners=false"))
    for m, teammates in ((on, 0.5), (off, 0.8)):
        sme = next(p for p in m.people if p.role == "sme")
        own = np.flatnonzero(m.sg.team_of == sme.team_idx)
        assert set(np.round(sme.knowledge[own], 6).tolist()) <= {0.8, teammates}
    sme_on = next(p for p in on.people if p.role == "sme")
    assert (sme_on.knowledge == 0.5).any()


def test_an_organisation_deals_each_teams_services_among_all_its_members_and_skills_stay_deep():
    cfg = apply_overrides(default_config(), ["campaign.team_size=4", "responders.knowledge_sd=0.0"])
    org = Organisation(cfg, Streams(0), campaign=True)
    for t, name in enumerate(org.sg.team_names):
        rows = org.members[name]
        services = np.flatnonzero(org.sg.team_of == t)
        deep = org.know[np.ix_(rows, services)] == cfg["responders"]["deep_knowledge"]
        assert (deep.sum(axis=0) == 1).all()  # each service known deeply by one of the team
        assert (org.know[np.ix_(rows, services)][~deep] == cfg["responders"]["teammate_knowledge"]).all()
