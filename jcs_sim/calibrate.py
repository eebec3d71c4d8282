"""Calibration: fit the free behavioural keys to an organisation's incident history with ABC-SMC (pyabc).

Why likelihood-free: the model has no likelihood one could write down, only
simulations; approximate Bayesian computation keeps the parameter sets whose
simulated incidents look like the history (on the statistics of
:mod:`jcs_sim.history`), and sequential Monte Carlo (pyabc's ``ABCSMC``)
tightens the tolerance generation by generation. The posterior says what
the data pinned down and what it did not, which is what a what-if needs.

Why a sampler of our own (``OrderedSampler``, made by ``_make_sampler``): pyabc's multicore
samplers reseed their workers from the operating system and accept
particles in the order they finish, so a run cannot be repeated. Here every
candidate particle ``i`` of generation ``t`` is evaluated with its own seed
derived from (``--seed``, t, i), and particles are accepted in index order:
the same seed gives the same posterior with any number of workers, and a
resumed run redraws a killed generation with the same particle seeds.

Why not pyabc's ``DaskDistributedSampler`` for ``--address``: it is the same
scheme as the multicore samplers (its submit function calls
``np.random.seed()`` from the operating system, and it keeps particles in
the order their jobs finish), so it cannot repeat a run either. With a Dask
client, ``OrderedSampler`` sends its chunks of particle seeds to the
cluster instead of to local processes: the posterior is the same as with
one local worker.

One simulation is a batch of incidents, one per history row (capped at
``batch``; above the cap a random subset of rows), each run with that
row's severity, start hour and cross-team setting when the history has
them, on incident seeds drawn from the particle's random stream.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import SCHEMA, ConfigError, config_to_toml, read_toml, validate
from .history import History, arrays_from_summaries, km_quantiles, observed_stats, stats_from_summaries
from .parameters import CALIBRATION_DEFAULTS

__all__ = [
    "DEFAULT_PARAMS",
    "Prior",
    "resolve_priors",
    "Simulator",
    "calibrate",
    "posterior_medians",
    "calibrated_config",
]

# Influential keys of the decision core (each moves the default scenario's time to resolve in the
# ablation and sweeps): how long a look takes and what it costs, how often a look at the root finds it,
# the reluctance to page a stranger, and how noisy choices are.
DEFAULT_PARAMS = CALIBRATION_DEFAULTS  # declared with the parameters, so the CLI can name them without importing numpy
DB_NAME = "abc.db"


@dataclass(frozen=True)
class Prior:
    """A uniform (or log-uniform) prior on one numeric config key."""

    key: str
    low: float
    high: float
    log: bool = False
    integer: bool = False

    def rv(self):
        import pyabc

        if self.log:
            return pyabc.RV("loguniform", self.low, self.high)
        return pyabc.RV("uniform", self.low, self.high - self.low)

    def quantile(self, p: float) -> float:
        if self.log:
            return float(math.exp(math.log(self.low) + p * (math.log(self.high) - math.log(self.low))))
        return self.low + p * (self.high - self.low)


def _schema_param(key: str, where: str):
    if key.count(".") != 1:
        raise ConfigError(f"{where} {key!r}: a key is section.key (for example investigation.base_minutes).")
    sec, name = key.split(".")
    p = SCHEMA.get(sec, {}).get(name)
    if p is None:
        raise ConfigError(f"{where} {key!r}: no such config key (see `jcs-sim config show`).")
    if p.kind not in (int, float) or p.low is None or p.high is None:
        raise ConfigError(f"{where} {key!r}: not a bounded numeric key ({p.allowed()}); calibration varies numbers only.")
    return p


def resolve_priors(params: list[str] | None, priors_file: str | Path | None) -> list[Prior]:
    """The free keys and their priors: ``--params`` (or the priors file's keys, or :data:`DEFAULT_PARAMS`).

    A key without an entry in the priors file gets a uniform prior over its
    schema bounds. A priors file is TOML, one table per key::

        [investigation.base_minutes]
        low = 2.0
        high = 30.0
        log = true      # optional: log-uniform (needs low > 0)
    """
    spec: dict[str, dict[str, Any]] = {}
    if priors_file is not None:
        path = Path(priors_file)
        raw = read_toml(path, "priors file")
        for sec, body in raw.items():
            if not isinstance(body, dict) or not all(isinstance(v, dict) for v in body.values()):
                raise ConfigError(f"{path}: [{sec}] must hold one table per key, e.g. [{sec}.KEY] with low and high.")
            for name, entry in body.items():
                key = f"{sec}.{name}"
                _schema_param(key, f"{path}: prior")
                bad = set(entry) - {"low", "high", "log"}
                if bad:
                    raise ConfigError(f"{path}: [{key}] has unknown entry '{sorted(bad)[0]}'; allowed: low, high, log.")
                spec[key] = entry
    keys = list(params) if params else (list(spec) or list(DEFAULT_PARAMS))
    if len(set(keys)) != len(keys):
        raise ConfigError(f"--params: a key is given twice ({', '.join(keys)}).")
    extra = [k for k in spec if k not in keys]
    if extra:
        raise ConfigError(f"{priors_file}: prior for {extra[0]!r}, which is not among --params ({', '.join(keys)}).")
    out = []
    for key in keys:
        p = _schema_param(key, "--params")
        entry = spec.get(key, {})
        low, high, log = entry.get("low", p.low), entry.get("high", p.high), entry.get("log", False)
        where = f"{priors_file}: [{key}]"
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high)) or not isinstance(log, bool):
            raise ConfigError(f"{where}: low and high must be numbers and log true or false.")
        if not (p.low <= low < high <= p.high):
            raise ConfigError(f"{where}: low {low} and high {high} must satisfy {p.low:g} <= low < high <= {p.high:g} (the key's bounds).")
        if log and low <= 0:
            raise ConfigError(f"{where}: a log-uniform prior needs low > 0, got {low}.")
        out.append(Prior(key, float(low), float(high), log, p.kind is int))
    return out


def set_params(cfg: dict[str, Any], priors: list[Prior], values: dict[str, float]) -> dict[str, Any]:
    """A copy of ``cfg`` with each free key set (integer keys rounded), clipped to its schema bounds."""
    out = {sec: (dict(body) if isinstance(body, dict) else body) for sec, body in cfg.items()}
    for pr in priors:
        sec, name = pr.key.split(".")
        p = SCHEMA[sec][name]
        v = min(max(float(values[pr.key]), p.low), p.high)
        out[sec][name] = int(round(v)) if pr.integer else v
    return out


class Simulator:
    """Parameters -> statistics of a simulated batch of incidents (the model pyabc calls).

    A plain class (not a closure) so worker processes can unpickle it.
    """

    def __init__(self, cfg: dict[str, Any], priors: list[Prior], history: History, batch: int) -> None:
        self.cfg = cfg
        self.priors = priors
        self.horizon = float(cfg["run"]["max_minutes"])
        self.phases = tuple(history.phases)
        self.n = history.n
        self.batch = min(batch, history.n)
        # Each row's observation window (history.py): an open row's open time, a resolved row's window_min.
        window = history.window if history.window is not None else np.full(history.n, np.nan)
        self.open_at = np.where(history.open, history.duration, window)
        # Per-row settings of the history, as (section, key, value) overrides.
        self.row_sets: list[tuple[tuple[str, str, Any], ...]] = []
        for i in range(history.n):
            sets = []
            if history.severity is not None:
                sets.append(("fault", "initial_severity", int(history.severity[i])))
            if history.hour is not None:
                sets.append(("run", "start_hour", float(history.hour[i]) % 24.0))
            if history.teams is not None:
                sets.append(("fault", "cross_team", bool(history.teams[i] > 1)))
            self.row_sets.append(tuple(sets))

    def simulate(self, values: dict[str, float], rng: np.random.RandomState | np.random.Generator) -> list[dict[str, Any]]:
        """Summaries of one batch: the rows (all, or a random subset) and each incident's seed drawn from ``rng``."""
        from .organisation import incident_model

        rows = np.arange(self.n) if self.batch >= self.n else np.sort(rng.choice(self.n, self.batch, replace=False))
        seeds = (
            rng.randint(0, 2**31 - 1, size=rows.size) if isinstance(rng, np.random.RandomState) else rng.integers(0, 2**31 - 1, rows.size)
        )
        base = set_params(self.cfg, self.priors, values)
        variants: dict[tuple, dict[str, Any]] = {}
        out = []
        for row, seed in zip(rows, seeds, strict=True):
            sets = self.row_sets[row]
            if sets not in variants:
                cfg = {sec: (dict(body) if isinstance(body, dict) else body) for sec, body in base.items()}
                for sec, key, v in sets:
                    cfg[sec][key] = v
                variants[sets] = cfg
            s = incident_model(variants[sets], seed=int(seed), record_trace=False).run().summary()
            s["row"] = int(row)
            out.append(s)
        return out

    def stats(self, summaries: list[dict[str, Any]]) -> dict[str, float]:
        open_at = self.open_at[[s["row"] for s in summaries]]
        return stats_from_summaries(summaries, self.horizon, self.phases, open_at)

    def __call__(self, pars: dict[str, float]) -> dict[str, float]:
        # pyabc's particle stream: OrderedSampler seeds numpy's global generator per particle.
        return self.stats(self.simulate(dict(pars), np.random.mtrand._rand))


def _particle_seed(seed: int, t: int, i: int) -> int:
    """The seed of candidate particle i of generation t (t = -1: pyabc's calibration sample)."""
    return int(np.random.SeedSequence([seed, t + 1, i]).generate_state(1)[0])


_SEEDED = threading.Lock()


def _eval_chunk(payload: bytes, seeds: list[int]) -> list:
    """A chunk of particles in a worker process (local pool or Dask worker).

    The lock: a particle's draws come from numpy's global generator, seeded
    per particle, so two threads of one process (a Dask worker started with
    more than one thread) must not interleave; they take turns instead.
    """
    import cloudpickle

    simulate_one = cloudpickle.loads(payload)
    with _SEEDED:
        return _eval_chunk_local(simulate_one, seeds)


def dask_processes(client: Any) -> int:
    """Worker processes of a Dask cluster (at least 1): how many chunks run at once (threads of one process take turns)."""
    return max(len(client.nthreads()), 1)


def _chunks(seeds: list[int], parts: int) -> list[list[int]]:
    """``seeds`` in order, cut into at most ``parts`` consecutive chunks of equal size (the last may be shorter)."""
    k = math.ceil(len(seeds) / parts)
    return [seeds[j : j + k] for j in range(0, len(seeds), k)]


def _make_sampler(workers: int, seed: int, progress: bool, client: Any = None):
    from pyabc.sampler import Sampler

    class OrderedSampler(Sampler):
        """Deterministic parallel sampling: particle i of generation t always gets the same seed; accepted in index order."""

        def __init__(self) -> None:
            super().__init__()
            self.workers, self.seed, self.progress, self.client = workers, seed, progress, client
            self.pool = None
            self.simulations = 0  # all evaluations, including the few past the last accepted one in a parallel round

        def _map(self, simulate_one, seeds: list[int]) -> list:
            if self.client is not None:
                return self._map_dask(simulate_one, seeds)
            if self.workers == 1:
                return _eval_chunk_local(simulate_one, seeds)
            import cloudpickle

            if self.pool is None:
                import concurrent.futures
                import multiprocessing

                self.pool = concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
            payload = cloudpickle.dumps(simulate_one)
            futures = [self.pool.submit(_eval_chunk, payload, chunk) for chunk in _chunks(seeds, self.workers)]
            return [p for f in futures for p in f.result()]

        def _map_dask(self, simulate_one, seeds: list[int]) -> list:
            import cloudpickle

            payload = cloudpickle.dumps(simulate_one)
            futures = [self.client.submit(_eval_chunk, payload, chunk, pure=False) for chunk in _chunks(seeds, dask_processes(self.client))]
            try:
                chunks = self.client.gather(futures)
            except Exception as exc:  # noqa: BLE001 - KilledWorker, a lost scheduler: the cluster's trouble, not a bug here
                raise ConfigError(
                    f"the Dask cluster lost a worker or the scheduler during the calibration ({type(exc).__name__}: {exc}); "
                    "the generations finished so far are kept in the --out directory: run the same command to resume."
                ) from None
            return [p for chunk in chunks for p in chunk]

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
            sample = self._create_empty_sample()
            i = accepted = 0
            bar = _bar(n, t) if self.progress else None
            parallel = dask_processes(self.client) if self.client is not None else self.workers
            round_size = 1 if parallel == 1 else 2 * parallel
            while accepted < n:
                seeds = [_particle_seed(self.seed, t, i + k) for k in range(round_size)]
                particles = self._map(simulate_one, seeds)
                self.simulations += len(particles)
                for particle in particles:
                    i += 1
                    sample.append(particle)
                    if particle.accepted:
                        accepted += 1
                        if bar is not None:
                            bar.update(1)
                            bar.set_postfix(simulations=i, refresh=False)
                        if accepted == n:
                            break
            if bar is not None:
                bar.close()
            self.nr_evaluations_ = i
            return sample

        def stop(self) -> None:
            if self.pool is not None:
                self.pool.shutdown()
                self.pool = None

    return OrderedSampler()


def _eval_chunk_local(simulate_one, seeds: list[int]) -> list:
    """Each particle with the global seeds pyabc's samplers draw from set to its own seed (as in a worker)."""
    out = []
    for s in seeds:
        np.random.seed(s)
        random.seed(s)
        out.append(simulate_one())
    return out


def _bar(n: int, t: int):
    try:
        from tqdm import tqdm
    except ModuleNotFoundError:
        return None
    label = "calibration sample" if t < 0 else f"generation {t}"
    return tqdm(total=n, unit="accepted", desc=label, leave=False, delay=1.0, mininterval=1.0)


def check_settings(budget: int, population: int, generations: int, batch: int, workers: int) -> None:
    """Raise a one-line ConfigError for a setting no calibration can run with."""
    for name, v, low in (
        ("--population", population, 2),
        ("--generations", generations, 1),
        ("--batch", batch, 1),
        ("--workers", workers, 1),
    ):
        if v < low:
            raise ConfigError(f"{name} {v}: allowed: an integer >= {low}.")
    if budget < population:
        raise ConfigError(f"--budget {budget}: allowed: at least --population ({population}) simulations.")


def _settings_hash(settings: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]


def calibrate(
    history: History,
    cfg: dict[str, Any],
    priors: list[Prior],
    out: Path,
    budget: int = 2000,
    population: int = 100,
    generations: int = 8,
    batch: int = 100,
    workers: int = 1,
    seed: int = 0,
    predictive: int = 20,
    progress: bool = True,
    client: Any = None,
) -> dict[str, Any]:
    """Run (or resume) ABC-SMC; write posterior.parquet, calibrated.toml and calibration.json (with the result) to ``out``.

    ``budget`` caps the total simulations (batches of incidents) over all
    generations, counting those of an earlier, killed run in ``out``; pyabc
    checks it between generations, so the last generation may pass it.
    Resume: if ``out`` holds the database of the same calibration (same
    history, config, priors and settings), the run continues from its last
    completed generation; a different calibration's directory is refused.
    With a Dask ``client`` (``--address``) the simulations run on its
    cluster instead of ``workers`` local processes; the posterior is the same.
    """
    import logging

    import pyabc

    check_settings(budget, population, generations, batch, workers)
    settings = {
        "history_sha256": hashlib.sha256(Path(history.path).read_bytes()).hexdigest(),
        "config": cfg,
        "priors": [pr.__dict__ for pr in priors],
        "population": population,
        "batch": batch,
        "seed": seed,
    }
    key = _settings_hash(settings)
    db_path = out / DB_NAME
    meta_path = out / "calibration.json"
    resume = db_path.exists()
    if resume:
        old = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        if old.get("settings_hash") != key:
            raise ConfigError(
                f"{out}: holds a different calibration (history, config, priors, --population, --batch or --seed differ); "
                "allowed: the same command (to resume), or a new --out directory."
            )
    meta = {"settings_hash": key, "settings": settings, "complete": False}
    meta_path.write_text(json.dumps(meta, indent=1, default=str) + "\n")

    simulator = Simulator(cfg, priors, history, batch)
    observed = observed_stats(history, simulator.horizon)
    prior = pyabc.Distribution(**{pr.key: pr.rv() for pr in priors})
    sampler = _make_sampler(workers, seed, progress, client)
    logger = logging.getLogger("ABC")
    old_level = logger.level
    logger.setLevel(logging.WARNING)  # our own progress lines instead of pyabc's INFO log
    np.random.seed(seed)
    random.seed(seed)
    abc = pyabc.ABCSMC(simulator, prior, pyabc.AdaptivePNormDistance(p=2), population_size=population, sampler=sampler)
    started = time.perf_counter()
    try:
        if resume:
            hist = abc.load(f"sqlite:///{db_path.resolve()}", 1, observed)
            done_before = int(hist.total_nr_simulations)
            if progress:
                print(f"calibrate: resuming {out}: {hist.max_t + 1} generations and {done_before} simulations already done")
        else:
            hist = abc.new(f"sqlite:///{db_path.resolve()}", observed)
            done_before = 0
        remaining = generations - (hist.max_t + 1)
        if remaining > 0 and hist.total_nr_simulations < budget:
            hist = abc.run(max_nr_populations=remaining, max_total_nr_simulations=budget)
    finally:
        sampler.stop()
        logger.setLevel(old_level)
    seconds = time.perf_counter() - started

    frame, weights = hist.get_distribution(m=0, t=hist.max_t)
    samples = {pr.key: frame[pr.key].to_numpy(float) for pr in priors}
    weights = np.asarray(weights, float) / np.sum(weights)
    _write_posterior(out / "posterior.parquet", samples, weights)
    medians = posterior_medians(samples, weights)
    calibrated = calibrated_config(cfg, priors, medians)
    (out / "calibrated.toml").write_text(
        f"# Calibrated by jcs-sim calibrate on {history.path}: posterior medians of {', '.join(pr.key for pr in priors)}.\n"
        + config_to_toml(calibrated)
    )
    pops = hist.get_all_populations()
    schedule = [
        {"t": int(r.t), "epsilon": float(r.epsilon), "simulations": int(r.samples), "accepted": population}
        for r in pops.itertuples()
        if r.t >= 0
    ]
    rng = np.random.default_rng([seed, 99])
    pred = posterior_predictive(simulator, samples, weights, predictive, rng)
    result = {
        "history": history.path,
        "history_summary": history.describe(),
        "observed": observed,
        "priors": [pr.__dict__ for pr in priors],
        "posterior": _posterior_table(priors, samples, weights),
        "schedule": schedule,
        "total_simulations": int(hist.total_nr_simulations),
        "simulations_this_run": int(sampler.simulations),
        "resumed_after": done_before,
        "seconds": round(seconds, 1),
        "workers": dask_processes(client) if client is not None else workers,
        "address": str(client.scheduler.address) if client is not None else None,
        "population": population,
        "batch": simulator.batch,
        "budget": budget,
        "seed": seed,
        "predictive": pred,
    }
    d_obs = np.minimum(history.duration, simulator.horizon)
    e_obs = ~history.open & (history.duration <= simulator.horizon)
    if pred["qq"]:
        for row, v in zip(pred["qq"], km_quantiles(np.log1p(d_obs), e_obs, QQ_PROBS), strict=True):
            row["observed"] = float(v)
    meta.update(complete=True, result=result)
    meta_path.write_text(json.dumps(meta, indent=1, default=str) + "\n")
    return result


def _write_posterior(path: Path, samples: dict[str, np.ndarray], weights: np.ndarray) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({**samples, "weight": weights}), path)


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """Quantile of a weighted sample (the inverse of its weighted empirical CDF, midpoint rule)."""
    order = np.argsort(x)
    xs, ws = x[order], w[order]
    cdf = (np.cumsum(ws) - 0.5 * ws) / ws.sum()
    return float(np.interp(q, cdf, xs))


def posterior_medians(samples: dict[str, np.ndarray], weights: np.ndarray) -> dict[str, float]:
    return {k: weighted_quantile(v, weights, 0.5) for k, v in samples.items()}


def calibrated_config(cfg: dict[str, Any], priors: list[Prior], values: dict[str, float]) -> dict[str, Any]:
    """The base config with the free keys at ``values``, validated (what `jcs-sim run` will accept)."""
    return validate(set_params(copy.deepcopy(cfg), priors, values), where="calibrated config")


def _posterior_table(priors: list[Prior], samples: dict[str, np.ndarray], weights: np.ndarray) -> list[dict[str, Any]]:
    """Per key: prior and posterior intervals, and how much the data narrowed the 90% interval."""
    rows = []
    for pr in priors:
        x = samples[pr.key]
        q = {p: weighted_quantile(x, weights, p) for p in (0.05, 0.25, 0.5, 0.75, 0.95)}
        prior90 = pr.quantile(0.95) - pr.quantile(0.05)
        ratio = (q[0.95] - q[0.05]) / prior90 if prior90 > 0 else 1.0
        verdict = "pinned down" if ratio < 0.5 else ("narrowed" if ratio < 0.8 else "not pinned down by this history")
        rows.append(
            {
                "key": pr.key,
                "prior_low": pr.low,
                "prior_high": pr.high,
                "log_prior": pr.log,
                "median": q[0.5],
                "q05": q[0.05],
                "q25": q[0.25],
                "q75": q[0.75],
                "q95": q[0.95],
                "width_ratio_90": round(ratio, 3),
                "verdict": verdict,
            }
        )
    return rows


QQ_PROBS = tuple(float(p) for p in np.round(np.arange(0.05, 0.96, 0.05), 2))


def posterior_predictive(
    simulator: Simulator, samples: dict[str, np.ndarray], weights: np.ndarray, draws: int, rng: np.random.Generator
) -> dict[str, Any]:
    """Batches simulated at ``draws`` posterior draws: each statistic's median and 5%-95% range, and QQ quantiles.

    This is the check that the fit is good where it matters: the observed
    statistics should fall inside the predictive ranges.
    """
    if draws < 1:
        return {"draws": 0, "stats": {}, "qq": []}
    idx = rng.choice(weights.size, size=draws, p=weights)
    stats: dict[str, list[float]] = {}
    qq: list[np.ndarray] = []
    for j in idx:
        values = {k: float(v[j]) for k, v in samples.items()}
        runs = simulator.simulate(values, np.random.RandomState(int(rng.integers(2**31 - 1))))
        for k, v in simulator.stats(runs).items():
            stats.setdefault(k, []).append(v)
        d, resolved, _ = arrays_from_summaries(runs, (), simulator.open_at[[s["row"] for s in runs]])
        event = resolved & (d <= simulator.horizon)
        qq.append(km_quantiles(np.log1p(np.minimum(d, simulator.horizon)), event, QQ_PROBS))
    sim_q = np.asarray(qq)
    return {
        "draws": draws,
        "stats": {
            k: {"median": float(np.median(v)), "lo": float(np.percentile(v, 5)), "hi": float(np.percentile(v, 95))}
            for k, v in stats.items()
        },
        "qq": [
            {
                "p": p,
                "sim_median": float(np.median(sim_q[:, i])),
                "sim_lo": float(np.percentile(sim_q[:, i], 5)),
                "sim_hi": float(np.percentile(sim_q[:, i], 95)),
            }
            for i, p in enumerate(QQ_PROBS)
        ],
    }
