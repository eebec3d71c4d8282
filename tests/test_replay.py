"""Counterfactual replay (`jcs-sim replay`, issue 11): exact up to the change, the change's own consequences after it."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_capture import run_cli

from jcs_sim.cli import main
from jcs_sim.communication import misunderstand
from jcs_sim.replay import Change, divergence, load_run, parse_change, replay

ROOT = Path(__file__).resolve().parents[1]
# Seed 135 of the failover story: Fatima, the support on-call, reads Ana's "scale on edge-api2 didn't work"
# (message 27) at minute 88 as "they are out of ideas", and escalates at minute 89.
SEED, MESSAGE, READ_AT = 135, 27, 88


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("replay") / "story"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["run", str(ROOT / "configs" / "failover_story.toml"), "--seed", str(SEED), "--out", str(d)]) == 0
    return d


def terminal(argv: list[str]) -> tuple[int | str | None, str]:
    rc, out, err = run_cli(argv)
    return rc, out + err


def test_no_change_is_the_run_as_drawn(run_dir):
    cfg, seed = load_run(run_dir)
    drawn, again = replay(cfg, seed, [], 0)
    assert divergence(drawn, again) is None
    assert drawn.summary() == again.summary() and drawn.trace == again.trace
    saved = json.loads((run_dir / "summary.json").read_text())
    assert saved["time_to_resolve"] == drawn.summary()["time_to_resolve"]


def test_a_change_that_reaches_nothing_reproduces_the_run(run_dir):
    cfg, seed = load_run(run_dir)
    drawn, changed = replay(cfg, seed, [parse_change("skip-remediation:Fatima")], 1)  # nobody decides at minute 1
    assert divergence(drawn, changed) is None and drawn.events == changed.events


def test_reading_right_changes_only_what_follows_the_read(run_dir):
    cfg, seed = load_run(run_dir)
    drawn, changed = replay(cfg, seed, [Change("read-right", "Fatima", MESSAGE)], READ_AT)
    fatima = next(p.idx for p in drawn.people if p.name == "Fatima")
    assert [(m, mis) for m, r, mis, _ in drawn.messages[MESSAGE].reads if r == fatima] == [(READ_AT, True)]
    assert [(m, mis, u) for m, r, mis, u in changed.messages[MESSAGE].reads if r == fatima] == [
        (READ_AT, False, drawn.messages[MESSAGE].content)
    ]
    div = divergence(drawn, changed)
    assert div is not None and div["minute"] > READ_AT
    assert [e for e in drawn.events if e[0] < div["minute"]] == [e for e in changed.events if e[0] < div["minute"]]
    assert [r for r in drawn.trace if r[1] <= READ_AT] == [r for r in changed.trace if r[1] <= READ_AT]
    assert drawn.counts["bystander_escalations"] == 1 and changed.counts["bystander_escalations"] == 0


def test_misreading_a_read_gives_its_one_wrong_reading(run_dir):
    cfg, seed = load_run(run_dir)
    drawn, _ = replay(cfg, seed, [], 0)
    reader, mid, minute = next((r, m.id, t) for m in drawn.messages if m.content.kind == "root" for t, r, mis, _ in m.reads if not mis)
    name = drawn.people[reader].name
    _, changed = replay(cfg, seed, [Change("misread", name, mid)], minute)
    read = next(x for x in changed.messages[mid].reads if x[1] == reader)
    assert read[2] is True and read[3] == misunderstand(changed, drawn.messages[mid].content, None)


def test_someone_who_leaves_does_nothing_after_and_a_page_brings_someone_in(run_dir):
    cfg, seed = load_run(run_dir)
    drawn, changed = replay(cfg, seed, [Change("leave", "Ana")], 30)
    ana = next(p.idx for p in changed.people if p.name == "Ana")
    assert not [r for r in changed.trace if r[2] == ana and r[1] > 30]
    assert [r for r in drawn.trace if r[1] < 30] == [r for r in changed.trace if r[1] < 30]
    assert (30, "replay", "Ana leaves the incident") in changed.events
    off = next(p for p in drawn.people if p.paged_at is None)
    _, paged = replay(cfg, seed, [Change("page", off.name)], 10)
    assert paged.people[off.idx].paged_at is not None and (10, "replay", f"pages {off.name}") in paged.events


def test_the_command_prints_the_divergence_and_writes_both_runs(run_dir, tmp_path):
    rc, text = terminal(
        ["replay", str(run_dir), "--at", str(READ_AT), "--change", f"read-right:Fatima:{MESSAGE}", "--out", str(tmp_path / "r")]
    )
    assert rc == 0
    assert f"identical up to minute {READ_AT}" in text and "escalated to management" in text
    assert json.loads((tmp_path / "r" / "replay.json").read_text())["diverged_at"] == READ_AT + 1
    assert (tmp_path / "r" / "as_drawn" / "trace.parquet").exists() and (tmp_path / "r" / "replayed" / "summary.json").exists()


def test_replay_is_the_same_in_another_process(run_dir):
    argv = ["replay", str(run_dir), "--at", str(READ_AT), "--change", f"read-right:Fatima:{MESSAGE}", "--json"]
    rc, here = terminal(argv)
    there = subprocess.run([sys.executable, "-m", "jcs_sim", *argv], capture_output=True, text=True, check=True).stdout
    assert rc == 0 and json.loads(here) == json.loads(there)


def test_the_batch_form_gives_a_paired_ratio_and_refuses_a_message_of_one_run(run_dir):
    rc, text = terminal(["replay", str(run_dir), "--at", "0", "--change", "read-right:Fatima:all", "--seeds", "3"])
    assert rc == 0 and "ratio replayed / as drawn, geometric mean" in text and "of 3 runs" in text
    rc, text = terminal(["replay", str(run_dir), "--at", "0", "--change", f"read-right:Fatima:{MESSAGE}", "--seeds", "3"])
    assert rc == 2 and "a message id belongs to one run" in text


@pytest.mark.parametrize(
    ("change", "at", "words"),
    [
        ("teleport:Ana", "5", "unknown kind 'teleport'"),
        ("page:Zed", "5", "'Zed' is not on this run's roster; allowed: Ana"),
        ("read-right:Fatima:9999", str(READ_AT), "message 9999 does not exist"),
        (f"read-right:Fatima:{MESSAGE}", str(READ_AT - 9), f"use --at {READ_AT}"),
        ("read-right:Fatima:x", str(READ_AT), "is not a message id"),
        (f"misread:Fatima:{MESSAGE}", str(READ_AT), "already a misreading"),
        ("page:Ana", "99999", "--at 99999: allowed: a minute from 0"),
    ],
)
def test_bad_changes_exit_2_with_one_line(run_dir, change, at, words):
    rc, text = terminal(["replay", str(run_dir), "--at", at, "--change", change])
    assert rc == 2 and words in text and "Traceback" not in text
    assert len(text.strip().splitlines()) == 1


def test_a_directory_that_is_not_a_run_is_refused(tmp_path):
    rc, text = terminal(["replay", str(tmp_path), "--at", "1", "--change", "page:Ana"])
    assert rc == 2 and "not a run directory" in text


def test_a_run_of_an_organisation_file_replays_on_its_people(tmp_path):
    """Issue 12: commands that run incidents use the organisation file's people, never generated ones silently."""
    d = tmp_path / "acme"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["run", str(ROOT / "examples" / "acme" / "acme.toml"), "--seed", "4", "--out", str(d)]) == 0
    saved = json.loads((d / "summary.json").read_text())
    cfg, seed = load_run(d)
    drawn, again = replay(cfg, seed, [], 0)
    assert [p.name for p in drawn.people] == [r["name"] for r in saved["responders"]]
    assert drawn.summary()["time_to_resolve"] == saved["time_to_resolve"] and divergence(drawn, again) is None
