"""Compare the speed of two versions of jcs-sim side by side, in one process, seed by seed.

    .venv/bin/python benchmarks/compare_versions.py --old ee6225f            # this tree vs that commit
    .venv/bin/python benchmarks/compare_versions.py --old ee6225f --seeds 300 --set communication.mode='direct'

Why one process: these machines are shared and noisy, so two versions timed
in separate blocks of wall time measure the machine as much as the code.
Here the old version is loaded from ``git archive`` under another package
name, and every seed is run by the old version, the new one and a trivial
Mesa model in turn (the order rotating), each timed in CPU time
(``time.process_time``); the ratios are taken seed by seed and summarised
with a bootstrap interval. Where the versions draw different numbers (a
change of the random streams), a seed is a different run in each, so the
per-seed ratio compares different runs; the ratio of the mean CPU per run
and of CPU per agent-step (both with a bootstrap interval over seeds) are
then the figures to read, over enough seeds (1000) for the runs' spread to
average out. The agent-step ratio is the issue's yardstick:
CPU time per agent-step of the full model over that of a trivial Mesa model
with the same number of agents stepped the same number of minutes.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import _trivial_classes  # noqa: E402  (the same trivial Mesa model as bench.py's ratio)


def load_package(src: Path, name: str) -> ModuleType:
    """Import the package at ``src`` under ``name`` (its relative imports resolve inside it)."""
    spec = importlib.util.spec_from_file_location(name, src / "__init__.py", submodule_search_locations=[str(src)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def extract(ref: str, dest: Path) -> Path:
    """The ``jcs_sim`` folder of commit ``ref``, written under ``dest``."""
    data = subprocess.run(["git", "archive", ref, "jcs_sim"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest / "jcs_sim"


def timed(fn) -> tuple[float, object]:
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def bootstrap(values: list[float], reps: int = 2000) -> tuple[float, float, float]:
    """Median of ratios with a 95% bootstrap interval."""
    rng = np.random.default_rng(0)
    arr = np.asarray(values)
    meds = [float(np.median(rng.choice(arr, arr.size))) for _ in range(reps)]
    return float(np.median(arr)), float(np.percentile(meds, 2.5)), float(np.percentile(meds, 97.5))


def ratio_of_means(
    a: list[float], b: list[float], na: list[int] | None = None, nb: list[int] | None = None, reps: int = 2000
) -> tuple[float, float, float]:
    """sum(a)/sum(na) over sum(b)/sum(nb) (per run if no counts), with a 95% bootstrap interval resampling seeds."""
    xa, xb = np.asarray(a), np.asarray(b)
    ca = np.ones_like(xa) if na is None else np.asarray(na, dtype=float)
    cb = np.ones_like(xb) if nb is None else np.asarray(nb, dtype=float)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, xa.size, size=(reps, xa.size))
    boot = (xa[idx].sum(1) / ca[idx].sum(1)) / (xb[idx].sum(1) / cb[idx].sum(1))
    est = (xa.sum() / ca.sum()) / (xb.sum() / cb.sum())
    return float(est), float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, help="git ref of the version to compare with (e.g. ee6225f)")
    parser.add_argument("--seeds", type=int, default=150)
    parser.add_argument("--set", action="append", default=[], help="config override for both versions (section.key=value)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = load_package(extract(args.old, Path(tmp)), "jcs_sim_old")
        import jcs_sim as new

        versions = {"old": old, "new": new}
        cfgs = {k: v.config.apply_overrides(v.config.default_config(), args.set) for k, v in versions.items()}
        Trivial = _trivial_classes()
        cpu: dict[str, list[float]] = {"old": [], "new": [], "trivial": []}
        agent_steps: list[int] = []
        steps: dict[str, list[int]] = {"old": [], "new": []}
        for seed in range(args.seeds):
            order = ["old", "new"] if seed % 2 == 0 else ["new", "old"]
            minutes = people = None
            for key in order:
                seconds, model = timed(lambda k=key, s=seed: versions[k].IncidentModel(cfgs[k], seed=s, record_trace=False).run())
                cpu[key].append(seconds)
                steps[key].append(model.minute * len(model.people))
                if minutes is not None and (model.minute, len(model.people)) != (minutes, people):
                    print(f"note: seed {seed} differs between the versions ({minutes} vs {model.minute} min)", file=sys.stderr)
                minutes, people = model.minute, len(model.people)

            def trivial(n: int = people, steps: int = minutes) -> None:
                m = Trivial(n, seed=0)
                for _ in range(steps):
                    m.step()

            seconds, _ = timed(trivial)
            cpu["trivial"].append(seconds)
            agent_steps.append(people * minutes)
    new_over_old = bootstrap([n / o for n, o in zip(cpu["new"], cpu["old"], strict=True)])
    ratio = {k: bootstrap([c / t for c, t in zip(cpu[k], cpu["trivial"], strict=True)]) for k in ("old", "new")}
    print(f"{args.seeds} seeds, interleaved, CPU time; overrides: {args.set or 'none'}")
    for k in ("old", "new"):
        print(
            f"  {k:<4} {args.old if k == 'old' else 'this tree':<10} {1000 * statistics.mean(cpu[k]):6.2f} ms/run   "
            f"agent-step ratio vs trivial Mesa: {ratio[k][0]:.2f} [{ratio[k][1]:.2f}, {ratio[k][2]:.2f}]"
        )
    print(f"  new/old CPU per run (median of per-seed ratios): {new_over_old[0]:.3f} [{new_over_old[1]:.3f}, {new_over_old[2]:.3f}]")
    per_run = ratio_of_means(cpu["new"], cpu["old"])
    per_step = ratio_of_means(cpu["new"], cpu["old"], steps["new"], steps["old"])
    print(
        f"  new/old mean CPU per run: {per_run[0]:.3f} [{per_run[1]:.3f}, {per_run[2]:.3f}]   "
        f"agent-steps per run: new {statistics.mean(steps['new']):.0f}, old {statistics.mean(steps['old']):.0f}"
    )
    print(f"  new/old CPU per agent-step: {per_step[0]:.3f} [{per_step[1]:.3f}, {per_step[2]:.3f}]")


if __name__ == "__main__":
    main()
