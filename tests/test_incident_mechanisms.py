"""Exact tests of the mechanisms that make incidents differ (issue 10): detection, novel failure modes,
flapping symptoms, staged repairs, wrong actions that harm, undoing them, fixation, beliefs that travel,
escalation by a bystander, stakeholder updates and their accuracy, and familiarity in coordination.

Each test sets the state by hand and checks the answer the mechanism's rule gives, so that removing the
mechanism, or flipping its sign, fails here (tests/mutations.py does it).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hand_set import action, by_role, config, model

from jcs_sim import IncidentModel
from jcs_sim.actions import Situation, candidate
from jcs_sim.communication import Content, understand
from jcs_sim.detection import Monitor
from jcs_sim.responders import HEALTHY, ROOT, SYMPTOM, UNKNOWN
from jcs_sim.system import FAULT_INDEX, HARM_UNTIL_UNDONE, REMEDY_INDEX


class Draws:
    """A stand-in random stream: ``random`` returns the given uniforms in turn (a scalar, or n of them)."""

    def __init__(self, *u: float) -> None:
        self.u = list(u)

    def random(self, n: int | None = None):
        if n is None:
            return self.u.pop(0)
        out, self.u = self.u[:n], self.u[n:]
        return np.array(out)

    def integers(self, n: int) -> int:
        return 0


def a_wrong_service(m: IncidentModel) -> int:
    """A service that is not the root and has a dependent on the fault's path (so breaking it shows)."""
    return next(s for s in range(m.sg.n) if s != m.fault.root and m.sg.rdeps[s])


# ----- detection ----------------------------------------------------------------------------


def test_the_monitor_pages_at_its_hazard_and_customers_report_when_it_misses():
    m = model()
    hz_alert, hz_report = 1 - math.exp(-1 / 4.0), 1 - math.exp(-1 / 30.0)
    mon = Monitor(m.cfg, m.sg, m.fault, m.streams)
    mon.missed, mon.unrelated = False, -1
    mon.rng = Draws(hz_alert + 0.01, 0.9, hz_alert - 0.01, 0.9)
    assert not mon.check(5, m.system) and mon.detected_at is None  # just above the hazard: not yet
    assert mon.check(6, m.system) and (mon.detected_at, mon.how) == (6, "alert")
    assert not mon.check(7, m.system)  # detected once
    missed = Monitor(m.cfg, m.sg, m.fault, m.streams)
    missed.missed, missed.unrelated = True, -1
    missed.rng = Draws(0.0, hz_report + 0.01, 0.0, hz_report - 0.01)
    assert not missed.check(1, m.system)  # the monitor would have fired, but it missed the incident
    assert missed.check(2, m.system) and missed.how == "customer report"


def test_nothing_is_noticed_while_users_do_not_hurt():
    m = model()
    mon = Monitor(m.cfg, m.sg, m.fault, m.streams)
    mon.missed, mon.unrelated = False, -1
    mon.rng = Draws(0.0, 0.0)
    m.system.user_impact = False  # a flapping fault hiding
    assert not mon.check(3, m.system)


def test_nobody_is_paged_before_detection_and_the_on_call_is_paged_at_it():
    cfg = config("detection.alert_minutes=600.0", "detection.miss_prob=0.0", "detection.report_minutes=6000.0")
    m = IncidentModel(cfg, seed=1, record_trace=False)
    for _ in range(3):
        m.step()
    if m.times["detect"] is None:
        assert all(p.state == "off" for p in m.people)
    instant = IncidentModel(config("detection.alert_minutes=0.0", "detection.miss_prob=0.0"), seed=1, record_trace=False)
    assert instant.times["detect"] == 0 and instant.monitor.how == "alert"
    assert [p.paged_at for p in instant.people if p.state == "paged"] == [0] * len(instant.first_paged)


def test_detection_delay_shows_as_time_to_detect_and_delays_everything_after():
    fast = config("detection.alert_minutes=0.0", "detection.miss_prob=0.0")
    slow = config("detection.alert_minutes=60.0", "detection.miss_prob=0.0", "detection.report_minutes=6000.0")
    det_fast = [IncidentModel(fast, seed=s, record_trace=False).run().times for s in range(12)]
    det_slow = [IncidentModel(slow, seed=s, record_trace=False).run().times for s in range(12)]
    assert all(t["detect"] == 0 for t in det_fast)
    assert np.mean([t["detect"] for t in det_slow if t["detect"] is not None]) > 15
    assert np.mean([t["acknowledge"] - t["detect"] for t in det_slow if t["acknowledge"] is not None]) < 10  # the page, not the ack, waited


def test_an_unrelated_alert_fires_at_detection_for_its_minutes_and_a_look_rules_it_out():
    cfg = config("detection.unrelated_alert_prob=1.0", "detection.alert_minutes=0.0", "detection.miss_prob=0.0")
    m = IncidentModel(cfg, seed=2, record_trace=False)
    noise = m.monitor.unrelated
    assert noise >= 0 and m.sg.alerting[noise] and not m.fault.impacted[noise]
    m.step()
    assert m.system.symptomatic[noise]
    m.system.step(m.cfg["detection"]["unrelated_alert_minutes"])
    assert not m.system.symptomatic[noise]
    # A look while it fires: it is off the fault's path, so (at a low draw) it is ruled out.
    m2 = model("detection.unrelated_alert_prob=1.0", "detection.alert_minutes=0.0", "detection.miss_prob=0.0", seed=2)
    m2.step()
    r = by_role(m2, "ops")
    r.work_rng = Draws(0.0, 0.0)
    action(m2, "investigate").finish(m2, r, noise)
    assert r.status[noise] == HEALTHY and r.suspicion[noise] == 0.0


# ----- incidents that differ in kind ----------------------------------------------------------


def test_a_novel_mode_leaves_only_a_code_fix_that_fixes():
    known = model("incident.novel_share=0.0")
    novel = model("incident.novel_share=1.0", "incident.novel_quick_fit=0.4")
    assert novel.fault.novel and not known.fault.novel
    fk, fn = known.system.fit, novel.system.fit
    assert fn[:, REMEDY_INDEX["code_fix"]].tolist() == [1.0] * fn.shape[0]
    for j in range(fk.shape[1]):
        if j != REMEDY_INDEX["code_fix"]:
            assert fn[:, j].tolist() == np.minimum(fk[:, j], 0.4).tolist()


@pytest.mark.parametrize(("novel", "draw", "found"), [(False, 0.5, True), (True, 0.5, False), (True, 0.2, True)])
def test_a_novel_mode_is_harder_to_recognise(novel, draw, found):
    """An expert's chance is 0.95 in a known mode and 0.95 x 0.3 = 0.285 in a novel one."""
    m = model(f"incident.novel_share={1.0 if novel else 0.0}")
    r = by_role(m, "sme")
    s = m.fault.root
    r._k_list[s], r._k_factor = 1.0, 1.0
    r.work_rng = Draws(draw, 0.0)
    action(m, "investigate").finish(m, r, s)
    assert bool(r.status[s] == ROOT) == found


def test_relief_lasts_the_remedys_fit_times_relief_minutes():
    m = model("incident.novel_share=1.0", "incident.novel_quick_fit=0.5", "remediation.failure_prob=0.0", "remediation.relief_minutes=40")
    root = m.fault.root
    m.system.remedy_rng = Draws(0.9, 0.9, 0.9)
    m.fault.kind = "bad_deploy"  # a rollback fixes a known bad deploy; in a novel mode it fits 0.5
    rem = m.system.start_remediation(0, "rollback", root, 10, 5)
    assert rem.succeeds
    m.system.step(15)
    assert not m.system.fixed and m.system.relief_until == 15 + round(0.5 * 40)


def test_a_staged_remedy_runs_again_the_stages_that_fail():
    for p in (0.0, 0.5):
        m = model(f"remediation.stage_failure_prob={p}", "remediation.pipeline_stages=4")
        lengths = [m.system.start_remediation(0, "code_fix", m.fault.root, 0, 40).done_at for _ in range(400)]
        if p == 0.0:
            assert set(lengths) == {40}
        else:  # each stage runs 1 / (1 - p) = 2 times on average: 80 minutes
            assert min(lengths) == 40 and 70 < np.mean(lengths) < 90
    m = model("remediation.stage_failure_prob=0.5")
    assert {m.system.start_remediation(0, "rollback", m.fault.root, 0, 12).done_at for _ in range(50)} == {12}  # not staged


def test_a_code_fix_is_written_before_it_enters_the_pipeline():
    m = model("incident.novel_share=1.0", "remediation.stage_failure_prob=0.0", "remediation.code_fix_write_minutes=30.0")
    r = by_role(m, "sme")
    r._slow = 1.0
    m.coord_factor = 1.0
    act = action(m, "remediate")
    busy = act.start(m, r, candidate(act, m.fault.root, "code_fix"))
    assert busy == 30.0
    assert m.system.running[-1].done_at == 30 + m.cfg["remediation"]["code_fix_minutes"]


def test_the_case_for_a_code_fix_grows_with_the_fixes_that_failed():
    m = model("remediation.code_fix_per_failure=0.3")
    r = by_role(m, "sme")
    s = m.fault.root
    r.status[s], r.suspicion[s], r.fault_belief = ROOT, 0.9, 0
    r.beliefs_changed()

    def evidence() -> float:
        out = []
        action(m, "remediate").candidates(m, r, Situation(m, r), out)
        return next(c.component("evidence") for c in out if c.detail == "code_fix")

    before = evidence()
    r.learn_failure(s, "rollback")
    r.status[s], r.suspicion[s] = ROOT, 0.9
    r.beliefs_changed()
    assert evidence() == pytest.approx(before + 0.3)


def test_a_remedy_that_did_not_hold_counts_as_failed_when_the_alerts_come_back():
    m = model()
    r = by_role(m, "ops")
    s = m.fault.root
    r.done_remedy[s] = "restart"
    r.remedy_belief[s] = "done"
    r.saw_quiet = True
    m.system.symptomatic[:] = m.fault.impacted
    m._look_at_dashboards(r)
    assert r.remedy_belief[s] == "failed" and r.attempts[(s, "restart")] == 1 and not r.done_remedy


def test_a_service_ruled_healthy_while_quiet_is_suspected_again_when_the_alerts_return():
    m = model("beliefs.reopened_suspicion=0.3")
    r = by_role(m, "ops")
    s = m.fault.root
    understand(m, r, Content("healthy", s), r.idx)
    assert r.status[s] == HEALTHY and r.suspicion[s] == 0.0
    r.saw_quiet = True
    m._look_at_dashboards(r)
    assert r.status[s] == UNKNOWN and r.suspicion[s] == pytest.approx(0.3)


def test_a_flapping_fault_hides_and_shows_and_hiding_is_not_mitigation():
    cfg = config("incident.flapping_share=1.0", "incident.flap_on_minutes=3.0", "incident.flap_off_minutes=3.0", "fault.self_heal_rate=0.0")
    m = IncidentModel(cfg, seed=3, record_trace=False)
    assert m.fault.flapping
    seen = []
    for _ in range(8):  # before anyone can have done anything
        m.system.step(len(seen) + 1)
        seen.append((m.system.flap_visible, m.system.user_impact))
    assert any(not v for v, _ in seen) and any(v for v, _ in seen)  # it hid and showed
    assert all(visible == impact for visible, impact in seen)  # users hurt exactly while it shows
    m = IncidentModel(cfg, seed=3, record_trace=False)
    m.system.flap_visible = False
    m.system._update_symptoms(1)
    m._record_minute()
    assert not m.system.user_impact and m.times["mitigate"] is None  # hiding is not mitigation


# ----- wrong actions cost ---------------------------------------------------------------------


@pytest.mark.parametrize(("remedy", "persistent"), [("rollback", True), ("failover", True), ("restart", False), ("scale", False)])
def test_a_wrong_change_can_break_its_service_until_undone_or_for_a_while(remedy, persistent):
    m = model("remediation.wrong_harm_prob=1.0", "remediation.harm_minutes=15")
    wrong = a_wrong_service(m)
    rem = m.system.start_remediation(0, remedy, wrong, 10, 5)
    assert rem.harms
    m.system.step(15)
    until = m.system.harms[wrong]
    assert until == (HARM_UNTIL_UNDONE if persistent else 30)
    assert m.system.symptomatic[wrong] and all(m.system.symptomatic[d] for d in m.sg.rdeps[wrong])
    assert not m.system.start_remediation(0, remedy, m.fault.root, 10, 5).harms  # the root is never harmed


def test_no_harm_without_the_mechanism_and_never_from_a_code_fix():
    m = model("remediation.wrong_harm_prob=0.0")
    assert not m.system.start_remediation(0, "failover", a_wrong_service(m), 0, 5).harms
    m = model("remediation.wrong_harm_prob=1.0")
    assert not m.system.start_remediation(0, "code_fix", a_wrong_service(m), 0, 5).harms


def test_the_one_who_broke_it_undoes_it_and_it_recovers_when_the_undo_completes():
    m = model("remediation.wrong_harm_prob=1.0", "remediation.undo_minutes=10")
    r = by_role(m, "ops")
    wrong = a_wrong_service(m)
    m.system.running = [m.system.start_remediation(r.idx, "rollback", wrong, 0, 5)]
    m.minute = 5
    for rem in m.system.step(5):
        m._remediation_done(rem)
    assert r.to_undo == [wrong] and m.counts["harms"] == 1
    others = [p for p in m.people if p is not r]
    assert all(not p.to_undo for p in others)
    out = []
    undo = action(m, "undo")
    undo.candidates(m, r, Situation(m, r), out)
    assert [(c.action.name, c.target) for c in out] == [("undo", wrong)]
    undo.start(m, r, out[0])
    assert r.to_undo == [] and m.system.harms[wrong] == 15
    m.system.step(14)
    assert wrong in m.system.harms
    m.system.step(15)
    assert wrong not in m.system.harms


def test_a_service_broken_twice_by_the_same_person_is_undone_once():
    m = model("remediation.wrong_harm_prob=1.0")
    r = by_role(m, "ops")
    wrong = a_wrong_service(m)
    for minute, remedy in ((5, "rollback"), (10, "failover")):
        m.system.running = [m.system.start_remediation(r.idx, remedy, wrong, minute - 5, 5)]
        m.minute = minute
        for rem in m.system.step(minute):
            m._remediation_done(rem)
    assert r.to_undo == [wrong] and m.counts["harms"] == 2


# ----- fixation ---------------------------------------------------------------------------------


def test_claims_read_from_others_anchor_and_a_contradicting_report_is_dismissed():
    m = model("fixation.strength=0.6", "fixation.endorsements=3")
    reader, a, b = m.people[0], m.people[1], m.people[2]
    s = m.fault.root
    for sender in (a, b, a):
        understand(m, reader, Content("root", s, -1), sender.idx)
    assert (reader.anchor, reader.anchor_n) == (s, 3)
    reader.read_rng = Draws(0.59)  # below strength x full anchoring = 0.6: dismissed
    understand(m, reader, Content("symptom", s, -1), b.idx)
    assert reader.status[s] == ROOT and m.counts["dismissed_reports"] == 1
    reader.read_rng = Draws(0.61)  # above it: taken in
    understand(m, reader, Content("symptom", s, -1), b.idx)
    assert reader.status[s] == SYMPTOM and m.counts["dismissed_reports"] == 1


def test_anchoring_grows_with_the_claims_read_and_ones_own_look_lifts_it():
    m = model("fixation.strength=0.6", "fixation.endorsements=3")
    reader, a = m.people[0], m.people[1]
    s = m.fault.root
    understand(m, reader, Content("root", s, -1), a.idx)
    reader.read_rng = Draws(0.21)  # 0.6 x 1/3 = 0.2: one claim anchors a third as much
    understand(m, reader, Content("healthy", s), a.idx)
    assert m.counts["dismissed_reports"] == 0
    assert reader.status[s] == HEALTHY and reader.anchor == s  # taken in; the anchor stays until one looks oneself
    understand(m, reader, Content("symptom", s, -1), reader.idx)  # one's own conclusion is never dismissed
    assert reader.anchor == -1 and reader.status[s] == SYMPTOM


def test_no_fixation_without_the_mechanism_and_no_anchor_from_ones_own_claims():
    m = model("fixation.strength=0.0")
    reader, a = m.people[0], m.people[1]
    s = m.fault.root
    for _ in range(5):
        understand(m, reader, Content("root", s, -1), a.idx)
    understand(m, reader, Content("symptom", s, -1), a.idx)
    assert reader.status[s] == SYMPTOM and m.counts["dismissed_reports"] == 0
    m2 = model()
    understand(m2, m2.people[0], Content("root", s, -1), m2.people[0].idx)
    assert m2.people[0].anchor == -1


# ----- beliefs travel, escalation, stakeholders ---------------------------------------------------


@pytest.mark.parametrize(("chance", "passed"), [(1.0, True), (0.0, False)])
def test_someone_who_comes_to_believe_the_team_is_stuck_passes_it_on(chance, passed):
    m = model(f"beliefs.pass_on_stuck={chance}")
    reader, sender = by_role(m, "support"), by_role(m, "ops")
    reader.read_rng = Draws(0.5)
    understand(m, reader, Content("stuck", m.fault.root, "failover"), sender.idx)
    assert reader.team_stuck
    assert any(c.kind == "stuck" for c in reader.unshared) == passed


def test_a_bystander_who_believes_the_team_is_stuck_escalates_once_and_interrupts_the_team():
    m = model("escalate.interrupt_minutes=4.0")
    m.minute = 20
    bystander = by_role(m, "support")
    sme, ops = by_role(m, "sme"), by_role(m, "ops")
    sme.busy_until, sme.action = 30, ("investigate", m.fault.root)
    ops.busy_until = 5  # idle

    esc = action(m, "escalate")
    out = []
    esc.candidates(m, bystander, Situation(m, bystander), out)
    assert out == []  # not believing the team stuck: nothing to escalate
    bystander.team_stuck = True
    esc.candidates(m, bystander, Situation(m, bystander), out)
    assert [c.action.name for c in out] == ["escalate"]
    esc.start(m, bystander, out[0])
    assert sme.busy_until == 34 and ops.busy_until == 24
    assert m.counts["bystander_escalations"] == 1
    # Someone was investigating: "the team is out of ideas" was not true.
    assert m.counts["stakeholder_updates"] == 1 and m.counts["stakeholder_updates_wrong"] == 1
    assert m.stakeholder_log[-1] == (20, bystander.name, "stuck", False)
    bystander.team_stuck = True
    out = []
    esc.candidates(m, bystander, Situation(m, bystander), out)
    assert out == []  # once is what a bystander can do


def test_a_stakeholder_update_is_true_when_it_names_the_root_or_no_cause():
    m = model()
    comms = by_role(m, "comms")
    m.post_to_stakeholders(comms, "cause", m.fault.root)
    m.post_to_stakeholders(comms, "cause", -1)
    m.post_to_stakeholders(comms, "cause", a_wrong_service(m))
    assert [t for *_, t in m.stakeholder_log] == [True, True, False]
    assert m.counts["stakeholder_updates_wrong"] == 1
    assert m.messages[-1].route == "external"


# ----- coordination ---------------------------------------------------------------------------


def test_familiar_people_coordinate_at_less_cost():
    m = model("coordination.coordination_cost=0.1", "coordination.familiarity_relief=0.6")
    m.active_idx = [0, 1, 2]
    for i in m.active_idx:
        for j in m.active_idx:
            m.fam[i][j] = 1.0 if i != j else 0.0
    assert m._coordination_factor() == pytest.approx(1.0 + 0.1 * 2 * (1.0 - 0.6))
    for i in m.active_idx:
        for j in m.active_idx:
            m.fam[i][j] = 0.0
    assert m._coordination_factor() == pytest.approx(1.0 + 0.1 * 2)
    m.active_idx = [0]
    assert m._coordination_factor() == 1.0


# ----- a second, contributing cause ------------------------------------------------------------


def _fix(m, service: int, remedy: str, minute: int) -> None:
    """Start a remedy on ``service`` that works (draws above the failure chances) and let it complete."""
    m.system.remedy_rng = Draws(0.99, 0.99)
    m.fault.novel = False
    m.system.running = [m.system.start_remediation(0, remedy, service, minute, 1)]
    m.system.step(minute + 1)


def _fixing_remedy(m, service: int) -> str:
    from jcs_sim.config import REMEDIATIONS

    row = m.system.fit[FAULT_INDEX[m.fault.kind_at(service)]]
    return next(r for r in REMEDIATIONS if row[REMEDY_INDEX[r]] >= 1.0)


def test_no_second_cause_by_default_and_one_when_the_share_says_so():
    assert all(model(seed=s).fault.second == -1 for s in range(5))
    m = model("incident.second_cause_share=1.0", "incident.novel_share=0.0")
    f = m.fault
    assert f.second >= 0 and f.second != f.root and f.causes == (f.root, f.second)
    assert not m.sg.alerting[f.second] and (f.second_impacted & m.sg.alerting).any()
    assert m.system.symptomatic[f.impacted | f.second_impacted].all()


def test_fixing_one_cause_relieves_only_its_symptoms_and_the_incident_lasts_until_both_are_fixed():
    m = model("incident.second_cause_share=1.0", "incident.novel_share=0.0", "fault.self_heal_rate=0.0", seed=1)
    f = m.fault
    _fix(m, f.root, _fixing_remedy(m, f.root), 10)
    assert not m.system.fixed and m.system.open_causes == {f.second}
    assert m.system.symptomatic[f.second_impacted].all()
    only_root = f.impacted & ~f.second_impacted
    assert not m.system.symptomatic[only_root].any()
    _fix(m, f.second, _fixing_remedy(m, f.second), 20)
    assert m.system.fixed and m.system.fixed_at == 21 and not m.system.open_causes


def test_the_second_cause_is_a_cause_for_looks_remedies_and_stakeholders():
    m = model("incident.second_cause_share=1.0", "incident.novel_share=0.0", "remediation.wrong_harm_prob=1.0", seed=1)
    f = m.fault
    r = by_role(m, "sme")
    r._k_list[f.second], r._k_factor = 1.0, 1.0
    r.work_rng = Draws(0.0, 0.0)
    action(m, "investigate").finish(m, r, f.second)
    assert r.status[f.second] == ROOT and r.fault_belief == FAULT_INDEX[f.second_kind] and m.times["diagnose"] == m.minute
    assert not m.system.start_remediation(0, "restart", f.second, 0, 5).harms  # not a wrong action
    m.post_to_stakeholders(by_role(m, "comms"), "cause", f.second)
    assert m.stakeholder_log[-1][-1] is True


def test_a_code_fix_that_failed_here_is_tried_less_with_its_whole_case():
    m = model("remediation.code_fix_per_failure=0.3", "remediation.retry_discount=0.5")
    r = by_role(m, "sme")
    s = m.fault.root

    def evidence() -> float:
        r.status[s], r.suspicion[s], r.fault_belief = ROOT, 0.9, 0
        r.beliefs_changed()
        out = []
        action(m, "remediate").candidates(m, r, Situation(m, r), out)
        return next(c.component("evidence") for c in out if c.detail == "code_fix")

    r.learn_failure(s, "rollback")
    before = evidence()
    r.learn_failure(s, "code_fix")  # one more failure here, and it was the code fix's own
    assert evidence() == pytest.approx((before + 0.3) * 0.5)


def test_the_commander_weighs_a_regroup_by_the_failures_known_since_the_last():
    m = model("regroup.evidence_per_failure=0.2", "regroup.minutes=10.0")
    commander, sme = by_role(m, "commander"), by_role(m, "sme")
    rg = action(m, "regroup")
    assert rg.roles == ("commander",)

    def offered(r) -> list:
        out = []
        rg.candidates(m, r, Situation(m, r), out)
        return out

    assert offered(commander) == []  # nothing has failed: nothing to regroup about
    for remedy in ("rollback", "restart", "failover"):
        commander.learn_failure(m.fault.root, remedy)
    (c,) = offered(commander)
    assert c.component("evidence") == pytest.approx(0.6)
    assert c.component("effort") == pytest.approx(-10.0 * Situation(m, commander).slow / m.cfg["communication"]["effort_minutes"])
    assert sme.failures_since_regroup == 0  # what the commander learnt, not what the team did
    off = model("regroup.enabled=false")
    off_commander = by_role(off, "commander")
    off_commander.learn_failure(off.fault.root, "rollback")
    out: list = []
    action(off, "regroup").candidates(off, off_commander, Situation(off, off_commander), out)
    assert out == []  # switched off


def test_a_regroup_pools_failures_and_defers_to_whoever_knows_each_claimed_service_best():
    m = model("regroup.minutes=10.0")
    m.minute = 50
    commander, ops, support = by_role(m, "commander"), by_role(m, "ops"), by_role(m, "support")
    smes = [p for p in m.people if p.role == "sme"]
    a, b = m.fault.root, int(np.flatnonzero(m.sg.alerting)[0])
    for p in m.people:
        p._k_factor = 1.0
        p._k_list[a], p._k_list[b] = 0.1, 0.1
    ops.learn_failure(a, "rollback")
    ops.learn_failure(a, "rollback")
    smes[1].learn_failure(b, "restart")
    # The outsider blames a; the one who knows a best has ruled it out; another holds b to be the cause.
    ops.status[a], ops.suspicion[a], ops.fault_belief = ROOT, 0.9, 1
    smes[0]._k_list[a], smes[0].status[a], smes[0].suspicion[a] = 0.9, SYMPTOM, 0.05
    smes[1]._k_list[b], smes[1].status[b], smes[1].suspicion[b], smes[1].fault_belief = 0.6, ROOT, 0.8, 3
    support.team_stuck, ops.anchor, ops.anchor_n = True, a, 3
    commander.busy_until, smes[0].busy_until = 50, 70

    rg = action(m, "regroup")
    minutes = rg.start(m, commander, candidate(rg, -1))
    assert minutes == 10 and m.counts["regroups"] == 1
    assert smes[0].busy_until == 80 and ops.busy_until == 60  # in the meeting, then back to what they were doing
    assert "takes " + m.sg.names[b] + " as the root cause (" + smes[1].name in m.events[-1][2]
    for p in m.people:
        assert p.status[a] == SYMPTOM and p.suspicion[a] == 0.05  # the owner's word on a
        assert p.status[b] == ROOT and p.suspicion[b] == 0.8 and p.fault_belief == 3  # b adopted, its judge's fault type
        assert p.attempts == {(a, "rollback"): 2, (b, "restart"): 1} and p.failures_on == {a: 2, b: 1}
        assert p.failures_since_regroup == 0 and p.anchor == -1 and not p.team_stuck


def test_a_regroup_leaves_rival_upheld_claims_to_look_at_again_and_adopts_none_without_claims():
    m = model()
    ops, sme = by_role(m, "ops"), by_role(m, "sme")
    a, b = m.fault.root, int(np.flatnonzero(m.sg.alerting)[0])
    from jcs_sim.actions.regroup import pool

    assert pool(m.people) == (-1, None)
    for p in m.people:
        p._k_factor = 1.0
        p._k_list[a], p._k_list[b] = 0.2, 0.2
    ops._k_list[a], ops.status[a] = 0.5, ROOT
    sme._k_list[b], sme.status[b] = 0.7, ROOT
    adopted, expert = pool(m.people)
    assert (adopted, expert) == (b, sme)
    assert all(p.status[b] == ROOT and p.status[a] == UNKNOWN for p in m.people)
