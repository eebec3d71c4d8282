"""Hand mutations of the decision core, one per mechanism: each must be caught by a test other than the baseline.

    .venv/bin/python tests/mutations.py            # all mutations; prints the table for docs/testing.md
    .venv/bin/python tests/mutations.py --list     # what each mutation does, without running
    .venv/bin/python tests/mutations.py M05 M07    # some of them

Each mutation is a text replacement in one file of a copy of the repository
(the working tree is never touched). The copy's tests then run without the
fixed-seed baseline (``-k "not baseline"``), stopping at the first failure;
a mutation is *caught* when a test fails. Why not a mutation-testing
package: mutmut and cosmic-ray mutate operators at random, and most of their
mutants of this code are caught by the baseline or are equivalent; the
question here is narrower: does each named mechanism have a test that
notices it is gone?

Slow (a few minutes per mutation on 2 cores): not part of the README's test
command. The table it prints is in docs/testing.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The tests that guard mechanisms; each mutation runs these (the baseline deselected).
TESTS = [
    "tests/test_decision_core.py",
    "tests/test_incident_mechanisms.py",
    "tests/test_mechanisms.py",
    "tests/test_connective.py",
    "tests/test_knowledge.py",
]


@dataclass(frozen=True)
class Mutation:
    key: str
    mechanism: str
    file: str
    old: str
    new: str


MUTATIONS = (
    Mutation(
        "M01",
        "paging cost without familiarity",
        "jcs_sim/actions/page.py",
        "return -self.social * (1.0 - familiarity) *",
        "return -self.social * 1.0 *",
    ),
    Mutation(
        "M02",
        "a misreading that changes no belief",
        "jcs_sim/communication.py",
        "understand(model, reader, understood, msg.sender)",
        "understand(model, reader, msg.content, msg.sender)",
    ),
    Mutation(
        "M03",
        "no time-pressure build-up",
        "jcs_sim/goodness.py",
        'build = min(1.0, gc["pressure_start"] + minute / gc["pressure_minutes"])',
        "build = 1.0",
    ),
    Mutation(
        "M04",
        "no discount for re-investigating",
        "jcs_sim/actions/investigate.py",
        "* self.repeat_discount ** r.examined[svc]",
        "* 1.0",
    ),
    Mutation(
        "M05",
        "direct mode routed like the channel",
        "jcs_sim/modes.py",
        'return "dm", tuple(out or active[:1])',
        'return "channel", tuple(active)',
    ),
    Mutation(
        "M06",
        "night does not raise the cost of paging",
        "jcs_sim/actions/page.py",
        "(1.0 + self.night_factor * (1.0 if night else 0.0))",
        "(1.0 + self.night_factor * 0.0)",
    ),
    Mutation(
        "M07",
        "fatigue does not dull judgement",
        "jcs_sim/responders.py",
        "(1.0 - self._judgement * min(fatigue, self._cap))",
        "(1.0 - 0.0)",
    ),
    Mutation(
        "M08",
        "paging ignores who is believed to know (transactive memory)",
        "jcs_sim/actions/page.py",
        "if knows[p.idx] > best_k:",
        "if best_j < 0:",
    ),
    Mutation(
        "M09",
        "misreading ignores unfamiliarity",
        "jcs_sim/communication.py",
        '+ cc["misread_unfamiliarity"] * (1.0 - fam)',
        "+ 0.0",
    ),
    Mutation(
        "M10",
        "no discount for a remedy known to have failed",
        "jcs_sim/actions/remediate.py",
        "retry = self.retry_discount ** attempts.get((top, rem), 0) if attempts else 1.0",
        "retry = 1.0",
    ),
    Mutation(
        "M11",
        "acknowledging builds no tie",
        "jcs_sim/actions/connective.py",
        "        gain(m, r.idx, c.target, self.ack_gain)\n",
        "",
    ),
    Mutation(
        "M12",
        "an unrepaired misreading costs no trust",
        "jcs_sim/connective.py",
        'adjust_tie(model, reader, model.messages[mid].sender, -model.cfg["connective"]["unrepaired_loss"])',
        "pass",
    ),
    Mutation(
        "M13",
        "commander mode: newcomers read the whole channel",
        "jcs_sim/modes.py",
        'return _last([i for i in _backlog(m) if m.messages[i].sender == cmd], self.cfg["communication"]["catch_up_commander"])',
        'return _last(_backlog(m), self.cfg["communication"]["catch_up_channel"])',
    ),
    Mutation(
        "M14",
        "coordination cost does not grow with the team",
        "jcs_sim/model.py",
        'cc["coordination_cost"] * (n - 1)',
        'cc["coordination_cost"] * 0',
    ),
    Mutation(
        "M15",
        "a failed remedy leaves suspicion where it was",
        "jcs_sim/responders.py",
        "self.suspicion[s] *= self._doubt",
        "self.suspicion[s] *= 1.0",
    ),
    Mutation(
        "M16",
        "templates do not make messages clearer",
        "jcs_sim/model.py",
        '(cc["structured_clarity"] if cc["structured_updates"] else 0.0)',
        "0.0",
    ),
    Mutation(
        "M17",
        "role fit with its sign flipped",
        "jcs_sim/actions/investigate.py",
        "role=rf + own,",
        "role=-rf + own,",
    ),
    Mutation(
        "M19",
        "finding the root does not depend on knowing the service",
        "jcs_sim/actions/investigate.py",
        "if u[0] < (self.root_base + self.root_per_knowledge * k) * novel:",
        "if u[0] < (self.root_base + self.root_per_knowledge * 0.5) * novel:",
    ),
    Mutation(
        "M18",
        "a repair does not restore what was meant",
        "jcs_sim/connective.py",
        "    understand(model, reader, msg.content, msg.sender, weighed=False)\n    if model.open_misreads.pop",
        "    if model.open_misreads.pop",
    ),
    Mutation(
        "M20",
        "detection at once, whatever the monitor's delay",
        "jcs_sim/detection.py",
        "if not self.missed and fault_shows and u[0] < self.alert_hazard:",
        "if not self.missed and fault_shows:",
    ),
    Mutation(
        "M21",
        "a novel mode as easy to recognise as a known one",
        "jcs_sim/actions/investigate.py",
        "novel = self.novel_recognition if m.fault.novel else 1.0",
        "novel = 1.0",
    ),
    Mutation(
        "M22",
        "a novel mode fixed by the usual remedies",
        "jcs_sim/system.py",
        "self.fit[:, j] = np.minimum(self.fit[:, j], quick)",
        "self.fit[:, j] = self.fit[:, j]",
    ),
    Mutation(
        "M23",
        "a staged remedy whose failed stages cost nothing",
        "jcs_sim/system.py",
        "minutes = minutes * runs / stages",
        "minutes = minutes",
    ),
    Mutation(
        "M24",
        "a wrong change that never harms",
        "jcs_sim/system.py",
        'harms = wrong and remedy in HARMFUL and self.remedy_rng.random() < rc["wrong_harm_prob"]',
        'harms = wrong and remedy in HARMFUL and self.remedy_rng.random() < 0.0 * rc["wrong_harm_prob"]',
    ),
    Mutation(
        "M25",
        "a harm that the undo does not end",
        "jcs_sim/system.py",
        "            self.harms[service] = done_at",
        "            pass",
    ),
    Mutation(
        "M26",
        "fixation that never dismisses",
        "jcs_sim/communication.py",
        "if reader.read_rng.random() < fix.strength * min(1.0, reader.anchor_n / fix.endorsements):",
        "if reader.read_rng.random() < 0.0 * fix.strength * min(1.0, reader.anchor_n / fix.endorsements):",
    ),
    Mutation(
        "M27",
        "anchoring that does not grow with the claims read",
        "jcs_sim/communication.py",
        "        reader.anchor_n += 1",
        "        pass",
    ),
    Mutation(
        "M28",
        "a stuck belief that is never passed on",
        "jcs_sim/communication.py",
        "            reader.unshared.append(c)  # a belief travels",
        "            pass  # a belief travels",
    ),
    Mutation(
        "M29",
        "an escalation that interrupts nobody",
        "jcs_sim/actions/escalate.py",
        "p.busy_until = max(p.busy_until, m.minute) + lost",
        "p.busy_until = p.busy_until",
    ),
    Mutation(
        "M30",
        "coordination cost blind to familiarity",
        "jcs_sim/model.py",
        '(1.0 - cc["familiarity_relief"] * mean)',
        '(1.0 + cc["familiarity_relief"] * mean)',
    ),
    Mutation(
        "M31",
        "stakeholder updates all counted true",
        "jcs_sim/model.py",
        "            true = service < 0 or service in self.fault.causes",
        "            true = True",
    ),
    Mutation(
        "M32",
        "fixing one cause ends an incident with two",
        "jcs_sim/system.py",
        "self.open_causes.discard(rem.service)  # this cause is fixed",
        "self.open_causes.clear()  # this cause is fixed",
    ),
    Mutation(
        "M33",
        "a regroup's case does not grow with failures",
        "jcs_sim/actions/regroup.py",
        "evidence=self.per_failure * r.failures_since_regroup,",
        "evidence=self.per_failure,",
    ),
    Mutation(
        "M34",
        "a regroup defers to whoever knows a claimed service least",
        "jcs_sim/actions/regroup.py",
        "if p.status[s] != UNKNOWN and p.effective_knowledge(s) > best:",
        "if p.status[s] != UNKNOWN and -p.effective_knowledge(s) > best:",
    ),
    Mutation(
        "M35",
        "a regroup does not pool failures",
        "jcs_sim/actions/regroup.py",
        "        p.failures_on = dict(failures)\n",
        "",
    ),
    Mutation(
        "M36",
        "a failed code fix keeps its case from others' failures",
        "jcs_sim/actions/remediate.py",
        '(self.evidence_scale * sv * fit + (failed_here if rem == "code_fix" else 0.0)) * retry',
        'self.evidence_scale * sv * fit * retry + (failed_here if rem == "code_fix" else 0.0)',
    ),
    Mutation(
        "M37",
        "everyone knows all of their team's services (no corners)",
        "jcs_sim/knowledge.py",
        'teammate = rc["teammate_knowledge"] if rc["corners"] else rc["deep_knowledge"]',
        'teammate = rc["deep_knowledge"]',
    ),
    Mutation(
        "M38",
        "transactive memory per team, not per service",
        "jcs_sim/responders.py",
        "col = self._knows[s] = block[:, m.team_pos[s]].tolist()",
        "col = self._knows[s] = block.mean(axis=1).tolist()",
    ),
)


# The unmutated copy: its tests must pass, or a "caught" mutation would mean nothing.
CONTROL = Mutation("M00", "none (control: the tests pass on the unmutated copy)", "", "", "")


def _copy_repo(dest: Path) -> None:
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", "results", "*.egg-info")
    shutil.copytree(ROOT, dest, ignore=ignore, dirs_exist_ok=True)


def run_one(mutation: Mutation, python: str) -> tuple[str, str, float]:
    """('caught' | 'missed' | 'not applied', the first failing test or '', seconds)."""
    with tempfile.TemporaryDirectory(prefix="jcs-mutant-") as tmp:
        copy = Path(tmp)
        _copy_repo(copy)
        if mutation is not CONTROL:
            path = copy / mutation.file
            text = path.read_text(encoding="utf-8")
            if text.count(mutation.old) != 1:
                return "not applied", f"the text to replace occurs {text.count(mutation.old)} times in {mutation.file}", 0.0
            path.write_text(text.replace(mutation.old, mutation.new), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
        check = f"import jcs_sim, sys; sys.exit(0 if jcs_sim.__file__.startswith({str(copy)!r}) else 1)"
        if subprocess.run([python, "-c", check], cwd=copy, env=env).returncode:
            raise SystemExit("the copy's package is not the one imported; the mutation test would test nothing")
        start = time.monotonic()
        proc = subprocess.run(
            [python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-k", "not baseline", *TESTS],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - start
        failed = [line.split(" ", 1)[1].split(" - ")[0] for line in proc.stdout.splitlines() if line.startswith("FAILED ")]
        if proc.returncode == 0:
            return "missed", "", seconds
        return "caught", failed[0] if failed else proc.stdout.strip().splitlines()[-1], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("keys", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.keys or m.key in args.keys]
    if args.list:
        for m in chosen:
            print(f"{m.key}  {m.mechanism}  ({m.file})")
        return
    result, test, seconds = run_one(CONTROL, sys.executable)
    print(f"M00 control {'passes' if result == 'missed' else 'FAILS'} ({seconds:.1f} s)", file=sys.stderr, flush=True)
    if result != "missed":
        raise SystemExit(f"the tests fail without any mutation ({test}); fix them first")
    rows = ["| mutation | mechanism | file | result | first test that failed |", "|---|---|---|---|---|"]
    missed = 0
    for m in chosen:
        result, test, seconds = run_one(m, sys.executable)
        missed += result != "caught"
        print(f"{m.key} {result:<11} {seconds:6.1f} s  {m.mechanism}: {test}", file=sys.stderr, flush=True)
        rows.append(f"| {m.key} | {m.mechanism} | `{m.file}` | {result} | `{test}` |")
    print("\n".join(rows))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
