"""Exact tests of the decision core's parts: routing per mode, catching up, paging, time pressure,
the investigation and retry discounts, misreading, fatigue, role fit, g itself, and Mesa's counters.

Why exact: each of these is a mechanism that a hand mutation can break while
every run still "looks fine" (tests/mutations.py lists them). An exact
answer on a small, hand-set state fails when the mechanism is removed or its
sign is flipped, without waiting for a statistical effect to show.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from hand_set import action, by_role, config, model

from jcs_sim import IncidentModel
from jcs_sim.actions import candidate, candidates
from jcs_sim.communication import Content, read_inbox
from jcs_sim.config import default_config
from jcs_sim.goodness import choose, pressure, score
from jcs_sim.responders import ROOT, SYMPTOM, UNKNOWN

# ----- time pressure ------------------------------------------------------------------------


def test_time_pressure_builds_from_its_start_to_full_and_is_calm_without_impact():
    gc = default_config()["goodness"]
    hurting = SimpleNamespace(user_impact=True, severity=2)
    assert pressure(hurting, 0, gc) == pytest.approx(2 / 3 * 0.3)
    assert pressure(hurting, 21, gc) == pytest.approx(2 / 3 * (0.3 + 21 / 60))
    assert pressure(hurting, 42, gc) == pytest.approx(2 / 3)
    assert pressure(hurting, 400, gc) == pytest.approx(2 / 3)
    assert pressure(SimpleNamespace(user_impact=True, severity=3), 10, gc) > pressure(hurting, 10, gc)
    assert pressure(SimpleNamespace(user_impact=False, severity=3), 100, gc) == gc["calm_pressure"] == 0.1


# ----- g ------------------------------------------------------------------------------------


def test_g_is_the_weighted_sum_of_named_components_and_the_first_of_equals_wins():
    a = SimpleNamespace(name="x")
    cands = [candidate(a, 1, evidence=1.0, effort=-0.5), candidate(a, 2, urgency=0.25, connection=0.25), candidate(a, 3, risk=-1.0)]
    w = [2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0, 4.0]
    assert score(cands, w) == [1.5, 1.25, -3.0]
    assert cands[1].component("connection") == 0.25
    assert choose([1.0, 2.0, 2.0], 0.0, None) == ([1.0, 2.0, 2.0], 1)
    g, best = choose([1.0, 2.0], 0.5, [3.0, 0.0])
    assert g == [2.5, 2.0] and best == 0  # the noise decided


# ----- routing and catching up, per mode -------------------------------------------------------


def test_channel_mode_routes_findings_to_everyone_active():
    m = model()
    sme = by_role(m, "sme")
    others = tuple(p.idx for p in m.people if p is not sme)
    assert m.mode.route(m, sme, Content("symptom", 3, -1)) == ("channel", others)
    assert m.mode.route(m, sme, Content("assign", 3, 0)) == ("channel", (0,))


def test_commander_mode_routes_findings_to_the_commander_who_posts_to_everyone():
    m = model("communication.mode='commander'")
    sme, cmd = by_role(m, "sme"), by_role(m, "commander")
    assert m.mode.route(m, sme, Content("symptom", 3, -1)) == ("dm", (cmd.idx,))
    assert m.mode.route(m, cmd, Content("root", 3, 0)) == ("channel", tuple(p.idx for p in m.people if p is not cmd))
    assert m.mode.route(m, sme, Content("status", 3, -1))[0] == "channel"
    assert m.mode.route(m, sme, Content("assign", 3, 0)) == ("dm", (0,))
    cmd.state = "off"
    assert m.mode.route(m, sme, Content("symptom", 3, -1))[0] == "channel"  # no commander to go through


def test_direct_mode_routes_findings_to_who_the_sender_believes_knows_and_the_commander():
    m = model("communication.mode='direct'")
    ops, cmd = by_role(m, "ops"), by_role(m, "commander")
    service = m.fault.root
    others = [p.idx for p in m.people if p is not ops]
    for expected in (others[1], others[-2]):  # whoever the sender believes knows that service best
        beliefs = [0.2] * len(m.people)
        beliefs[expected] = 0.7
        ops.set_beliefs_about(service, beliefs)
        how, to = m.mode.route(m, ops, Content("symptom", service, -1))
        assert how == "dm" and to == ((expected, cmd.idx) if expected != cmd.idx else (expected,))
    assert len(to) < len(others)  # not everyone: that would be the channel
    assert m.mode.route(m, ops, Content("status", service, -1)) == ("channel", tuple(others))


def test_catching_up_per_mode():
    for mode, expect in (("channel", "last 15 of the channel"), ("commander", "the commander's last 3"), ("direct", "nothing")):
        m = model(f"communication.mode='{mode}'")
        cmd, ops = by_role(m, "commander"), by_role(m, "ops")
        for i in range(20):
            m.send(cmd if i % 4 == 0 else ops, Content("symptom", 3, -1), route_override=("channel", ()))
        m.send(ops, Content("symptom", 3, -1), route_override=("dm", (cmd.idx,)))
        channel = [msg.id for msg in m.messages if msg.route == "channel"]
        got = m.mode.catch_up(m, ops)
        if expect == "last 15 of the channel":
            assert got == channel[-15:]
        elif expect == "the commander's last 3":
            assert got == [i for i in channel if m.messages[i].sender == cmd.idx][-3:] and len(got) == 3
        else:
            assert got == []


def test_direct_mode_sharing_costs_more_among_strangers():
    m = model("communication.mode='direct'")
    ops = by_role(m, "ops")
    share = action(m, "share")
    strangers = share.social_cost(m, ops)
    m.familiarity[ops.idx, :] = 1.0
    assert strangers < 0 and share.social_cost(m, ops) == 0.0
    assert action(model(), "share").social_cost(model(), ops) == 0.0  # the channel costs nothing socially


# ----- paging -------------------------------------------------------------------------------


def test_the_social_cost_of_paging_falls_with_familiarity_and_doubles_at_night():
    page = action(model(), "page")
    assert page.social_cost(0.25, False) == pytest.approx(-0.8 * 0.75)
    assert page.social_cost(0.25, True) == pytest.approx(2 * -0.8 * 0.75)
    assert page.social_cost(1.0, True) == 0.0
    assert page.social_cost(0.0, False) < page.social_cost(0.5, False) < 0


def test_the_page_goes_to_whom_the_pager_believes_knows_the_service_best():
    m = IncidentModel(config(), seed=0, record_trace=False)
    m.step()
    ops = by_role(m, "ops")
    smes = [p for p in m.people if p.role == "sme"]
    service, other = 5, 6
    beliefs = [0.1] * len(m.people)
    beliefs[smes[-1].idx], beliefs[smes[0].idx] = 0.9, 0.5
    ops.set_beliefs_about(service, beliefs)
    swapped = list(beliefs)
    swapped[smes[-1].idx], swapped[smes[0].idx] = 0.5, 0.9
    ops.set_beliefs_about(other, swapped)  # about another service, the other way round: per service, not per team
    m.pageable = [p for p in m.people if p.state != "active" and p.role in ("ops", "sme")]
    page = action(m, "page")
    assert page.best_pageable(m, ops, service) == (smes[-1].idx, 0.9)
    assert page.best_pageable(m, ops, other) == (smes[0].idx, 0.9)


def test_a_familiar_page_target_has_a_smaller_social_cost_in_the_candidate():
    m = IncidentModel(config(), seed=0, record_trace=False)
    while by_role(m, "ops").state != "active":
        m.step()
    ops = by_role(m, "ops")
    page = action(m, "page")
    target = page.best_pageable(m, ops, ops.top_suspects()[0])[0]
    assert target >= 0

    def social() -> float:
        cands = [c for c in candidates(m, ops, [page]) if c.target == target]
        return cands[0].component("social_cost")

    m.fam[ops.idx][target] = 0.1
    stranger = social()
    m.fam[ops.idx][target] = 0.9
    assert social() > stranger
    assert stranger == pytest.approx(page.social_cost(0.1, m.is_night))


# ----- investigating and remediating ---------------------------------------------------------------


def test_looking_again_at_the_same_service_is_worth_less_each_time():
    m = model()
    sme = by_role(m, "sme")
    s = m.fault.root
    sme.suspicion[s] = 0.9
    sme.beliefs_changed()
    inv = action(m, "investigate")

    def evidence() -> float:
        return next(c for c in candidates(m, sme, [inv]) if c.target == s).component("evidence")

    first = evidence()
    sme.examined[s] = 2
    assert evidence() == pytest.approx(first * 0.6**2)


def test_the_role_component_is_the_roles_fit():
    m = model()
    inv = action(m, "investigate")
    for role, fit in (("support", -0.8), ("commander", -0.6), ("comms", -0.8)):
        r = by_role(m, role)
        r.suspicion[m.fault.root] = 0.9
        r.beliefs_changed()
        c = next(c for c in candidates(m, r, [inv]) if c.target == m.fault.root)
        assert c.component("role") == pytest.approx(fit + (0.3 if r.assigned == m.fault.root else 0.0))


def test_a_remedy_known_to_have_failed_is_worth_half_as_much():
    m = model()
    ops = by_role(m, "ops")
    s = m.fault.root
    ops.suspicion[s] = 1.0
    ops.status[s] = ROOT
    ops.fault_belief = -1
    ops.beliefs_changed()
    rem = action(m, "remediate")

    def evidence(remedy: str) -> float:
        return next(c for c in candidates(m, ops, [rem]) if c.detail == remedy).component("evidence")

    before = evidence("rollback")
    ops.attempts[(s, "rollback")] = 1
    assert evidence("rollback") == pytest.approx(before * 0.5)


def test_a_failed_remedy_lowers_suspicion_and_two_reopen_the_question():
    m = model()
    ops = by_role(m, "ops")
    s = m.fault.root
    ops.suspicion[s] = 1.0
    ops.status[s] = ROOT
    ops.learn_failure(s, "rollback")
    assert ops.suspicion[s] == pytest.approx(0.8) and ops.status[s] == ROOT
    ops.learn_failure(s, "restart")
    assert ops.suspicion[s] == pytest.approx(0.64) and ops.status[s] == UNKNOWN


def test_fatigue_dulls_usable_knowledge():
    m = model()
    r = by_role(m, "sme")
    s = int(m.sg.team_of.argmax())
    r.set_fatigue(0.0)
    rested = r.effective_knowledge(s)
    r.set_fatigue(1.0)
    assert r.effective_knowledge(s) == pytest.approx(min(1.0, rested * (1 - 0.3)))
    assert r.effective_knowledge(s) < rested or rested == 0.0


# ----- reading ------------------------------------------------------------------------------


def test_a_misread_message_changes_the_readers_beliefs_to_what_they_understood():
    m = model("communication.misread_base=20.0")  # every read is a misread
    sender, reader = by_role(m, "sme"), by_role(m, "support")
    s = m.fault.root
    m.send(sender, Content("root", s, 0), route_override=("dm", (reader.idx,)))
    reader.inbox = [len(m.messages) - 1]
    [(mid, misread)] = read_inbox(m, reader)
    assert misread and m.messages[mid].reads[0][3].kind == "symptom"
    assert reader.status[s] == SYMPTOM and reader.suspicion[s] <= 0.05  # read as "ruled out"


def test_a_message_read_right_sets_the_meant_belief():
    m = model("communication.misreading=false")
    sender, reader = by_role(m, "sme"), by_role(m, "support")
    s = m.fault.root
    m.send(sender, Content("root", s, 0), route_override=("dm", (reader.idx,)))
    reader.inbox = [len(m.messages) - 1]
    read_inbox(m, reader)
    assert reader.status[s] == ROOT and reader.suspicion[s] >= 0.9 and reader.fault_belief == 0


# ----- Mesa's counters ----------------------------------------------------------------------


def test_run_keeps_mesas_counters_and_a_later_step_goes_on_from_there():
    m = IncidentModel(config(), seed=1, record_trace=False).run()
    assert m.steps == m.minute and m.time == float(m.minute)
    minute = m.minute
    m.step()
    assert m.minute == m.steps == minute + 1 and m.time == float(minute + 1)


def test_a_model_with_its_own_scheduled_event_takes_mesas_path_with_the_same_result():
    plain = IncidentModel(config(), seed=2, record_trace=False).run().summary()
    m = IncidentModel(config(), seed=2, record_trace=False)
    seen: list[int] = []

    def note() -> None:
        seen.append(m.minute)

    m.schedule_event(note, at=5.5)
    assert m.run().summary() == plain
    assert seen == [5] and m.steps == m.minute


def test_stepping_by_hand_and_running_give_the_same_incident():
    a = IncidentModel(config(), seed=3, record_trace=False)
    while a.running:
        a.step()
    b = IncidentModel(config(), seed=3, record_trace=False).run()
    assert a.summary() == b.summary() and a.steps == b.steps


# ----- direction, paired seeds -----------------------------------------------------------------


def first_page_by_a_responder(cfg: dict, seeds: range) -> float:
    """Mean minute of the first page someone decided to send (the alert's own pages left out)."""
    out = []
    for seed in seeds:
        m = IncidentModel(cfg, seed=seed, record_trace=False).run()
        names = {p.name for p in m.people}
        minutes = [t for t, who, what in m.events if who in names and what.startswith("paged ")]
        out.append(min(minutes) if minutes else m.minute)
    return sum(out) / len(out)


def test_strangers_page_each_other_later_than_colleagues():
    keys = ("within_team", "across_team", "commander_familiarity")
    colleagues = config(*(f"relationships.{k}=0.95" for k in keys), "relationships.across_density=1.0")
    strangers = config(*(f"relationships.{k}=0.05" for k in keys), "relationships.across_density=1.0")
    assert first_page_by_a_responder(strangers, range(25)) > 1.15 * first_page_by_a_responder(colleagues, range(25))


def test_paging_at_night_comes_later_than_by_day_when_nobody_is_tired():
    calm = ("fatigue.circadian=0.0", "responders.hours_awake=0.0")
    day = config(*calm, "run.start_hour=14.0", "run.night_start=23.0")
    night = config(*calm, "run.start_hour=14.0", "run.night_start=13.0", "run.night_end=12.0")  # the same hours, called night
    assert first_page_by_a_responder(night, range(25)) > first_page_by_a_responder(day, range(25))


def test_is_night_wraps_midnight():
    from jcs_sim.responders import is_night

    cfg = default_config()
    assert [is_night(cfg, h) for h in (22.9, 23.0, 3.0, 6.99, 7.0, 12.0)] == [False, True, True, True, False, False]
    cfg["run"].update(night_start=1.0, night_end=5.0)
    assert [is_night(cfg, h) for h in (0.5, 1.0, 4.9, 5.0)] == [False, True, True, False]
    assert math.isclose(default_config()["run"]["night_start"], 23.0)


# ----- connective actions ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "gain_key"), [("acknowledge", "ack_gain"), ("clarify", "clarify_gain")])
def test_an_exchange_about_a_message_read_right_builds_the_tie_by_its_gain(name, gain_key):
    m = model()
    sender, reader = by_role(m, "sme"), by_role(m, "support")
    msg = m.send(sender, Content("symptom", m.fault.root, -1), route_override=("dm", (reader.idx,)))
    tie = m.fam[reader.idx][sender.idx]
    act = action(m, name)
    act.start(m, reader, candidate(act, sender.idx, msg.id))
    expected = tie + m.cfg["connective"][gain_key] * (1.0 - tie)  # no speed-up: the whole gain, shrinking as the tie nears 1
    assert m.fam[reader.idx][sender.idx] == m.fam[sender.idx][reader.idx] == pytest.approx(expected)
    assert m.counts["repairs"] == 0  # nothing was misread, so nothing was repaired


class FixedDraws:
    """A stand-in for a responder's work stream: the uniform draws an investigation's result is decided by."""

    def __init__(self, u: float) -> None:
        self.u = u

    def random(self, n: int) -> np.ndarray:
        return np.full(n, self.u)

    def integers(self, n: int) -> int:
        return 0


@pytest.mark.parametrize(("knowledge", "found"), [(1.0, True), (0.0, False)])
def test_whether_a_look_at_the_root_finds_it_depends_on_knowing_the_service(knowledge, found):
    """At a draw of 0.5: the chance is root_base + root_per_knowledge x k = 0.95 for an expert, 0.25 for a novice (a known mode)."""
    m = model("incident.novel_share=0.0")
    r = by_role(m, "sme")
    s = m.fault.root
    r._k_list[s] = knowledge
    r._k_factor = 1.0
    r.work_rng = FixedDraws(0.5)
    action(m, "investigate").finish(m, r, s)
    assert bool(r.status[s] == ROOT) == found
    assert (m.times["diagnose"] == m.minute) == found
