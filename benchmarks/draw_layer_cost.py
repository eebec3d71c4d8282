"""The cost of the responders' draw layer alone, this tree against an older commit, on the same draw requests.

    .venv/bin/python benchmarks/draw_layer_cost.py --old abb9aba --seeds 200
    .venv/bin/python benchmarks/draw_layer_cost.py --old abb9aba --seeds 40 --set responders.sme_per_team=4

Why: when a change alters the draws (issue 11's keyed draws), a seed is a
different run in each version, and whole-run CPU per seed compares different
runs; over 1000 seeds the interval on the ratio is still about +-7%. Here the
default runs of this tree are recorded as the sequence of requests each
responder makes of its streams (decide, read, work: the method, its
arguments and the minute; each ``Responder.gumbel(n)``), and that same
sequence is then served by the old version's streams and by this tree's,
seed by seed, interleaved, in CPU time (``time.process_time``). The
difference is what the layer costs per run; divide by a run's CPU
(``compare_versions.py``) for the share. Needs an old version with the same
``PersonStream``/``Responder.gumbel`` interface (``abb9aba`` has it).
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from compare_versions import extract, load_package  # noqa: E402


def record(new: ModuleType, seeds: int, overrides: list[str]) -> list[tuple[list[str], list[tuple]]]:
    """Per seed: the roster's names and every draw request, in order: (person, minute, stream or None, method, args, kwargs)."""
    responders = importlib.import_module(f"{new.__name__}.responders")
    model_mod = importlib.import_module(f"{new.__name__}.model")
    config = importlib.import_module(f"{new.__name__}.config")
    cfg = config.apply_overrides(config.default_config(), overrides)
    PersonStream, Responder = responders.PersonStream, responders.Responder
    get, gumbel = PersonStream.__get__, Responder.gumbel
    log: list[tuple] = []

    class Logged:
        def __init__(self, gen, key):
            self.gen, self.key = gen, key

        def __getattr__(self, method):
            fn = getattr(self.gen, method)

            def call(*args, **kwargs):
                log.append((*self.key, method, args, kwargs))
                return fn(*args, **kwargs)

            return call

    def logged_get(self, person, owner=None):
        gen = get(self, person, owner)
        return gen if person is None else Logged(gen, (person.idx, person.model.minute, f"{self.purpose}_rng"))

    def logged_gumbel(self, n):
        log.append((self.idx, self.model.minute, None, "gumbel", (n,), {}))
        return get(Responder.__dict__["decide_rng"], self).gumbel(size=n).tolist()

    PersonStream.__get__, Responder.gumbel = logged_get, logged_gumbel
    try:
        runs = []
        for seed in range(seeds):
            log = []
            model = model_mod.IncidentModel(cfg, seed=seed, record_trace=False).run()
            runs.append(([p.name for p in model.people], log))
        return runs
    finally:
        PersonStream.__get__, Responder.gumbel = get, gumbel


def server(pkg: ModuleType):
    """A function serving one run's requests from ``pkg``'s streams, on stand-in people with its descriptors."""
    responders = importlib.import_module(f"{pkg.__name__}.responders")
    streams_mod = importlib.import_module(f"{pkg.__name__}.streams")

    class Clock:
        minute = 0

    class Person:
        decide_rng = responders.PersonStream("decide")
        read_rng = responders.PersonStream("read")
        work_rng = responders.PersonStream("work")
        gumbel = responders.Responder.gumbel

    def serve(seed: int, names: list[str], requests: list[tuple]) -> None:
        clock, streams, people = Clock(), streams_mod.Streams(seed), []
        for name in names:
            p = Person()
            p.name, p.model, p._streams, p._gumbel, p._gumbel_at = name, clock, streams, [], 0  # _gumbel*: the old buffer
            people.append(p)
        for idx, minute, stream, method, args, kwargs in requests:
            clock.minute = minute
            if stream is None:
                people[idx].gumbel(*args)
            else:
                getattr(getattr(people[idx], stream), method)(*args, **kwargs)

    return serve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", required=True, help="git ref of the version to compare with (e.g. abb9aba)")
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--set", action="append", default=[], help="config override (section.key=value)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = load_package(extract(args.old, Path(tmp)), "jcs_sim_old")
        import jcs_sim as new

        runs = record(new, args.seeds, args.set)
        serve = {"old": server(old), "new": server(new)}
        cpu: dict[str, list[float]] = {"old": [], "new": []}
        for rep in range(args.repeats):
            for seed, (names, requests) in enumerate(runs):
                for key in ("old", "new") if (seed + rep) % 2 == 0 else ("new", "old"):
                    t = time.process_time()
                    serve[key](seed, names, requests)
                    cpu[key].append(time.process_time() - t)
    n_req = statistics.mean(len(r) for _, r in runs)
    n_dec = statistics.mean(sum(1 for x in r if x[2] is None) for _, r in runs)
    print(
        f"{args.seeds} runs of this tree (overrides: {args.set or 'none'}): {n_req:.0f} draw requests per run, {n_dec:.0f} of them decisions' noise"
    )
    for key in ("old", "new"):
        print(f"  {key:<4} {args.old if key == 'old' else 'this tree':<10} {1000 * statistics.mean(cpu[key]):.3f} ms/run in the draw layer")
    print(f"  new - old: {1000 * (statistics.mean(cpu['new']) - statistics.mean(cpu['old'])):+.3f} ms/run")


if __name__ == "__main__":
    main()
