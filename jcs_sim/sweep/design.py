"""The sweep file: a base config, what to vary, how many replications, and the master seed.

Why a separate design object: the design (which runs exist, with which
config and seed) must be a pure function of the sweep file, so that a killed
sweep resumes onto exactly the same runs, a report can be rebuilt from the
run ids alone, and two backends produce the same rows. Every parameter is
checked against the one config schema (:data:`jcs_sim.config.SCHEMA`), and
every error names the file, the key and what is allowed.

A *point* is one combination of grid levels and (for sampled designs) one
sampled row; a *run* is one replication of a point, ``run_id = point_id *
replications + rep``. A *condition* is a grid cell: the unit the report
compares (all points of a sampled design within one cell belong to it).
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ..config import (
    PATH_KEYS,
    SCHEMA,
    ConfigError,
    Param,
    _check_value,
    check_mode,
    load_config,
    read_toml,
    validate,
    value_of,
    with_settings,
)

__all__ = [
    "Sweep",
    "Factor",
    "Sample",
    "load_sweep",
    "parse_sweep",
    "run_seed",
    "PARAMS",
    "OUTPUTS",
    "METHODS",
    "SENSITIVITY_OUTPUTS",
]

PARAMS: dict[str, Param] = {f"{sec}.{key}": p for sec, keys in SCHEMA.items() for key, p in keys.items()}
OUTPUTS = ("summary", "responders", "timeline", "trace")
METHODS = ("latin", "sobol", "morris")
SENSITIVITY_OUTPUTS = (
    "time_to_resolve", "time_to_mitigate", "time_to_diagnose", "time_to_acknowledge", "time_to_detect", "resolved",
    "messages_sent", "messages_misread", "pages", "escalations", "remediations", "remediations_failed",
    "remediations_wrong", "decisions", "workload_gini",
)  # fmt: skip
TOP_TABLES = ("sweep", "base", "grid", "sample")
SWEEP_KEYS = ("name", "replications", "master_seed", "common_random_numbers", "outputs", "campaign_days")
SAMPLE_KEYS = ("method", "n", "seed", "second_order", "levels", "output", "parameters")
FORMAT = 1  # bump when the meaning of a normalized sweep changes


def run_seed(master_seed: int, point: int, rep: int, common: bool = True) -> int:
    """The seed of one run, derived from the master seed alone (no global state).

    With common random numbers (the default) replication ``rep`` gets the
    same seed at every point, so two conditions are compared on the same
    service graphs, faults and draws: the paired differences are sharp with
    few replications. Without, every (point, rep) gets its own stream.
    The result fits a signed 64-bit integer (Parquet's int64).
    """
    key = (int(rep),) if common else (int(point), int(rep))
    return int(np.random.SeedSequence(int(master_seed), spawn_key=key).generate_state(1, np.uint64)[0] >> np.uint64(1))


def _suggest_param(name: str) -> str:
    """'Did you mean ...' for a parameter name, by full name or by its key alone."""
    options = list(PARAMS)
    if "." not in name:
        same = [p for p in options if p.split(".", 1)[1] == name]
        if same:
            return f" Did you mean '{same[0]}'?"
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if not close and "." in name:
        key = name.split(".", 1)[1]
        close = [p for p in options if p.split(".", 1)[1] == key] or difflib.get_close_matches(name, options, n=1, cutoff=0.4)
    return f" Did you mean '{close[0]}'?" if close else ""


def _param(where: str, at: str, name: str) -> Param:
    if name not in PARAMS:
        raise ConfigError(
            f"{where}: key '{at}': unknown parameter '{name}'.{_suggest_param(name)} "
            "Parameters are section.key names of the config schema (see `jcs-sim config show`)."
        )
    return PARAMS[name]


def _flatten(table: dict[str, Any]) -> dict[str, Any]:
    """``{"communication": {"mode": x}}`` (TOML's dotted keys) and ``{"communication.mode": x}`` alike."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        if "." not in k and k in SCHEMA and isinstance(v, dict):
            for kk, vv in v.items():
                out[f"{k}.{kk}"] = vv
        else:
            out[k] = v
    return out


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value) if value != "" else '""'


@dataclass(frozen=True)
class Factor:
    """One grid factor: a parameter with listed values, or a named factor whose levels set several keys."""

    name: str
    labels: tuple[str, ...]
    settings: tuple[dict[str, Any], ...]


@dataclass
class Sample:
    """A sampled design (SALib): parameter names, kinds and bounds, and the sampled matrix."""

    method: str
    n: int
    seed: int
    names: tuple[str, ...]
    kinds: tuple[str, ...]  # "int" or "float"
    bounds: tuple[tuple[float, float], ...]
    second_order: bool = False
    levels: int = 4
    output: str = "time_to_resolve"
    X: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def problem(self) -> dict[str, Any]:
        """SALib's problem dict. Integer keys are sampled on [low, high + 1) and floored."""
        bounds = [[lo, hi + 1.0] if kind == "int" else [lo, hi] for (lo, hi), kind in zip(self.bounds, self.kinds, strict=True)]
        return {"num_vars": len(self.names), "names": list(self.names), "bounds": bounds}

    def generate(self) -> None:
        problem = self.problem()
        if self.method == "latin":
            from SALib.sample import latin

            self.X = latin.sample(problem, self.n, seed=self.seed)
        elif self.method == "sobol":
            from SALib.sample import sobol

            self.X = sobol.sample(problem, self.n, calc_second_order=self.second_order, seed=self.seed)
        else:
            from SALib.sample import morris

            self.X = morris.sample(problem, self.n, num_levels=self.levels, seed=self.seed)

    @cached_property
    def values(self) -> list[list[Any]]:
        """The run values: floats as sampled, integers floored into [low, high]."""
        rows = []
        for row in self.X.tolist():
            out = []
            for v, kind, (lo, hi) in zip(row, self.kinds, self.bounds, strict=True):
                out.append(int(min(hi, max(lo, math.floor(v)))) if kind == "int" else float(min(hi, max(lo, v))))
            rows.append(out)
        return rows


@dataclass
class Sweep:
    """A parsed, validated sweep: everything that decides which runs exist and what each one is."""

    where: str
    name: str
    base: dict[str, Any]
    factors: list[Factor]
    sample: Sample | None
    replications: int
    master_seed: int
    common_random_numbers: bool = True
    outputs: tuple[str, ...] = ("summary",)
    campaign_days: int = 0  # > 0: every run is a campaign of this many days (one row per campaign)

    @property
    def mode(self) -> str:
        """``'campaign'`` when each run is a campaign, else ``'run'`` (one incident)."""
        return "campaign" if self.campaign_days else "run"

    # ----- sizes and indices ------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(f.labels) for f in self.factors)

    @property
    def n_cells(self) -> int:
        return math.prod(self.shape)

    @property
    def n_samples(self) -> int:
        return len(self.sample.X) if self.sample is not None else 1

    @property
    def n_points(self) -> int:
        return self.n_cells * self.n_samples

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replications

    def cell(self, point: int) -> tuple[int, ...]:
        """The grid levels (one index per factor) of a point."""
        return tuple(int(i) for i in np.unravel_index(point // self.n_samples, self.shape)) if self.factors else ()

    def sample_index(self, point: int) -> int:
        return point % self.n_samples

    def overrides(self, point: int) -> dict[str, Any]:
        """The ``section.key -> value`` settings of a point on top of the base config."""
        out: dict[str, Any] = {}
        for f, level in zip(self.factors, self.cell(point), strict=True):
            out.update(f.settings[level])
        if self.sample is not None:
            out.update(zip(self.sample.names, self.sample.values[self.sample_index(point)], strict=True))
        return out

    def config(self, point: int) -> dict[str, Any]:
        return with_settings(self.base, self.overrides(point))

    def condition(self, point: int) -> str:
        """The grid cell's label, e.g. ``familiarity=low, communication.mode=direct`` (``all`` without a grid)."""
        if not self.factors:
            return "all"
        return ", ".join(f"{f.name}={f.labels[i]}" for f, i in zip(self.factors, self.cell(point), strict=True))

    def seed(self, point: int, rep: int) -> int:
        return run_seed(self.master_seed, point, rep, self.common_random_numbers)

    def locate(self, run_id: int) -> tuple[int, int]:
        """``(point, rep)`` of a run id."""
        return divmod(int(run_id), self.replications)

    # ----- identity -----------------------------------------------------------
    def normalized(self) -> dict[str, Any]:
        """The design as canonical JSON-ready data: what the hash (and resume) compares."""
        s = self.sample
        sample = None
        if s is not None:
            sample = {
                "method": s.method,
                "n": s.n,
                "seed": s.seed,
                "second_order": s.second_order,
                "levels": s.levels,
                "output": s.output,
                "parameters": {name: [lo, hi] for name, (lo, hi) in zip(s.names, s.bounds, strict=True)},
                "rows": len(s.X),
                "matrix_sha256": hashlib.sha256(np.ascontiguousarray(s.X, dtype=np.float64).tobytes()).hexdigest(),
            }
        return {
            "format": FORMAT,
            "base": self.base,
            "factors": [{"name": f.name, "labels": list(f.labels), "settings": list(f.settings)} for f in self.factors],
            "sample": sample,
            "replications": self.replications,
            "master_seed": self.master_seed,
            "common_random_numbers": self.common_random_numbers,
            "outputs": sorted(self.outputs),
            **({"campaign_days": self.campaign_days} if self.campaign_days else {}),  # absent for incident sweeps: old digests hold
        }

    def digest(self) -> str:
        """SHA-256 of the normalized design: comments, key order and formatting do not count."""
        text = json.dumps(self.normalized(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def points(self) -> dict[str, list[Any]]:
        """One row per point: id, condition, grid levels and every varied parameter's value."""
        cols: dict[str, list[Any]] = {"point_id": [], "condition": [], "sample_index": []}
        for f in self.factors:
            cols[f"factor:{f.name}"] = []
        varied = sorted({k for f in self.factors for s in f.settings for k in s} | set(self.sample.names if self.sample else ()))
        for k in varied:
            cols[k] = []
        for p in range(self.n_points):
            cols["point_id"].append(p)
            cols["condition"].append(self.condition(p))
            cols["sample_index"].append(self.sample_index(p))
            for f, i in zip(self.factors, self.cell(p), strict=True):
                cols[f"factor:{f.name}"].append(f.labels[i])
            ov = self.overrides(p)
            for k in varied:
                cols[k].append(ov[k] if k in ov else value_of(self.base, k))
        if self.sample is not None:  # the unrounded sampled values, as SALib's analyses want them
            X = self.sample.X
            for j, name in enumerate(self.sample.names):
                cols[f"x:{name}"] = [float(X[p % self.n_samples, j]) for p in range(self.n_points)]
        return cols


# ----- parsing ------------------------------------------------------------------
def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep TOML file (see ``docs/sweeps.md``)."""
    path = Path(path)
    return parse_sweep(read_toml(path, "sweep file"), where=str(path), root=path.resolve().parent)


def _table(where: str, raw: dict[str, Any], name: str) -> dict[str, Any]:
    body = raw.get(name, {})
    if not isinstance(body, dict):
        raise ConfigError(f"{where}: '{name}' must be a table ([{name}]), got {body!r}.")
    return body


def _unknown(where: str, at: str, key: str, allowed: tuple[str, ...]) -> ConfigError:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return ConfigError(f"{where}: unknown key '{at}{key}'.{hint} Allowed: {', '.join(allowed)}.")


def parse_sweep(raw: dict[str, Any], where: str = "sweep", root: Path | None = None) -> Sweep:
    """Validate a parsed sweep table; relative paths resolve against ``root`` (the file's folder)."""
    root = root or Path.cwd()
    for k in raw:
        if k not in TOP_TABLES:
            raise _unknown(where, "", k, TOP_TABLES)
    head = _table(where, raw, "sweep")
    for k in head:
        if k not in SWEEP_KEYS:
            raise _unknown(where, "sweep.", k, SWEEP_KEYS)
    if "replications" not in head:
        raise ConfigError(f"{where}: key 'sweep.replications' is missing; allowed: an integer >= 1 (runs per design point).")
    reps = _check_value(where, "sweep.replications", head["replications"], Param(1, "", 1, None))
    master = _check_value(where, "sweep.master_seed", head.get("master_seed", 0), Param(0, "", 0, None))
    crn = _check_value(where, "sweep.common_random_numbers", head.get("common_random_numbers", True), Param(True, ""))
    name = _check_value(where, "sweep.name", head.get("name", Path(where).stem), Param("", ""))
    outputs = head.get("outputs", ["summary"])
    if not isinstance(outputs, list) or any(o not in OUTPUTS for o in outputs):
        raise ConfigError(f"{where}: key 'sweep.outputs' = {outputs!r} is not allowed; allowed: a list of {', '.join(map(repr, OUTPUTS))}.")
    outputs = tuple(dict.fromkeys(["summary", *outputs]))
    days = _check_value(where, "sweep.campaign_days", head.get("campaign_days", 0), Param(0, "", 0, 3650))
    if days and outputs != ("summary",):
        raise ConfigError(
            f"{where}: key 'sweep.outputs' = {list(outputs)!r} is not allowed with sweep.campaign_days; allowed: [\"summary\"] "
            "(a campaign sweep stores one row per campaign; run `jcs-sim campaign --out` for its incidents)."
        )

    base = _parse_base(where, _table(where, raw, "base"), root)
    factors = _parse_grid(where, _table(where, raw, "grid"))
    sample = _parse_sample(where, raw["sample"], master) if "sample" in raw else None
    taken: dict[str, str] = {}
    for f in factors:
        for k in dict.fromkeys(k for s in f.settings for k in s):
            if k in taken:
                raise ConfigError(
                    f"{where}: key 'grid.{f.name}': '{k}' is also set by the grid factor '{taken[k]}'; allowed: each parameter in one factor."
                )
            taken[k] = f.name
    if sample is not None:
        for n in sample.names:
            if n in taken:
                raise ConfigError(
                    f"{where}: key 'sample.parameters.{n}': '{n}' is also varied by the grid factor '{taken[n]}'; vary it in one place."
                )
        sample.generate()
    _check_modes(where, base, factors, sample, "campaign" if days else "run")
    return Sweep(where, name, base, factors, sample, reps, master, crn, outputs, days)


def _check_modes(where: str, base: dict[str, Any], factors: list[Factor], sample: Sample | None, mode: str) -> None:
    """Refuse a base, grid level or sampled parameter that would have no effect in the sweep's mode.

    Why: a sweep over ``campaign.gameday_interval_days`` of single incidents
    gave identical arms and said nothing (issue 12).
    """
    check_mode(base, mode, where=f"{where} [base]")
    for f in factors:
        for label, setting in zip(f.labels, f.settings, strict=True):
            check_mode(with_settings(base, setting), mode, where=f"{where} [grid.{f.name} = {label}]")
    if sample is not None:
        for name, kind, bounds in zip(sample.names, sample.kinds, sample.bounds, strict=True):
            for v in bounds:
                check_mode(with_settings(base, {name: int(v) if kind == "int" else v}), mode, where=f"{where} [sample.parameters.{name}]")


def _parse_base(where: str, body: dict[str, Any], root: Path) -> dict[str, Any]:
    body = dict(body)
    file = body.pop("file", None)
    if file is not None:
        if not isinstance(file, str) or not file:
            raise ConfigError(f"{where}: key 'base.file' = {file!r} is not allowed; allowed: a path to a config TOML file.")
        path = Path(file) if Path(file).is_absolute() else root / file
        if not path.is_file():
            raise ConfigError(f"{where}: key 'base.file' = {file!r}: no such config file ({path}).")
        cfg = load_config(path)
    else:
        cfg = validate({})
    for sec, keys in body.items():
        if sec not in SCHEMA:
            raise _unknown(where, "base.", sec, ("file", *SCHEMA))
        if not isinstance(keys, dict):
            raise ConfigError(f"{where}: 'base.{sec}' must be a table ([base.{sec}]), got {keys!r}.")
    merged = copy.deepcopy(cfg)
    for sec, keys in body.items():
        merged[sec].update(keys)
    cfg = validate(merged, where=f"{where} [base]")
    for sec, key in PATH_KEYS:
        if body.get(sec, {}).get(key) and not Path(cfg[sec][key]).is_absolute():
            cfg[sec][key] = str((root / cfg[sec][key]).resolve())
    return cfg


def _parse_grid(where: str, grid: dict[str, Any]) -> list[Factor]:
    factors: list[Factor] = []
    for name, body in _flatten(grid).items():
        at = f"grid.{name}"
        if "." not in name and isinstance(body, dict):  # a named factor: levels each set several keys
            if not body:
                raise ConfigError(f"{where}: key '{at}' has no levels; allowed: a table of levels, each a table of section.key = value.")
            labels, settings = [], []
            for label, level in body.items():
                if not isinstance(level, dict) or not level:
                    raise ConfigError(
                        f"{where}: key '{at}.{label}' = {level!r} is not allowed; allowed: a table of section.key = value settings."
                    )
                setting = {}
                for k, v in _flatten(level).items():
                    p = _param(where, f"{at}.{label}.{k}", k)
                    setting[k] = _check_value(where, f"{at}.{label}.{k}", v, p)
                labels.append(str(label))
                settings.append(setting)
            factors.append(Factor(name, tuple(labels), tuple(settings)))
            continue
        p = _param(where, at, name)
        if not isinstance(body, list) or not body:
            raise ConfigError(f"{where}: key '{at}' = {body!r} is not allowed; allowed: a non-empty list of values, each {p.allowed()}.")
        values = [_check_value(where, f"{at}[{i}]", v, p) for i, v in enumerate(body)]
        for i, v in enumerate(values):
            if v in values[:i]:
                raise ConfigError(f"{where}: key '{at}[{i}]' = {v!r} appears twice; allowed: distinct values.")
        factors.append(Factor(name, tuple(_label(v) for v in values), tuple({name: v} for v in values)))
    return factors


def _parse_sample(where: str, body: Any, master: int) -> Sample:
    if not isinstance(body, dict):
        raise ConfigError(f"{where}: 'sample' must be a table ([sample]), got {body!r}.")
    for k in body:
        if k not in SAMPLE_KEYS:
            raise _unknown(where, "sample.", k, SAMPLE_KEYS)
    method = body.get("method")
    if method not in METHODS:
        raise ConfigError(f"{where}: key 'sample.method' = {method!r} is not allowed; allowed: one of {', '.join(map(repr, METHODS))}.")
    if "n" not in body:
        raise ConfigError(f"{where}: key 'sample.n' is missing; allowed: an integer >= 1 (points, base samples or trajectories).")
    n = _check_value(where, "sample.n", body["n"], Param(1, "", 2 if method == "morris" else 1, None))
    if method == "sobol" and (n < 2 or n & (n - 1)):
        raise ConfigError(
            f"{where}: key 'sample.n' = {n} is not allowed for method 'sobol'; allowed: a power of 2 >= 2 (Sobol' sequences balance only then)."
        )
    seed = _check_value(where, "sample.seed", body.get("seed", master), Param(0, "", 0, None))
    second = _check_value(where, "sample.second_order", body.get("second_order", False), Param(False, ""))
    levels = _check_value(where, "sample.levels", body.get("levels", 4), Param(4, "", 2, 100))
    output = body.get("output", "time_to_resolve")
    if output not in SENSITIVITY_OUTPUTS:
        raise ConfigError(f"{where}: key 'sample.output' = {output!r} is not allowed; allowed: one of {', '.join(SENSITIVITY_OUTPUTS)}.")
    params = body.get("parameters")
    if not isinstance(params, dict) or not params:
        raise ConfigError(
            f"{where}: key 'sample.parameters' is missing or empty; allowed: a table of section.key = {{ low = .., high = .. }} (bounds default to the schema's)."
        )
    names, kinds, bounds = [], [], []
    for name, spec in _flatten(params).items():
        at = f"sample.parameters.{name}"
        p = _param(where, at, name)
        if p.kind not in (int, float) or p.choices is not None:
            raise ConfigError(
                f"{where}: key '{at}': a sampled design needs a numeric parameter, and '{name}' is {p.allowed()}; "
                "allowed: integer or real keys here, categorical and true/false keys in [grid]."
            )
        if spec == {} or spec is True:
            spec = {}
        if not isinstance(spec, dict) or any(k not in ("low", "high") for k in spec):
            raise ConfigError(
                f"{where}: key '{at}' = {spec!r} is not allowed; allowed: {{}} or {{ low = .., high = .. }} within {p.allowed()}."
            )
        lo = spec.get("low", p.low)
        hi = spec.get("high", p.high)
        if lo is None or hi is None:
            raise ConfigError(f"{where}: key '{at}' needs both low and high (the schema has no bound); allowed: {p.allowed()}.")
        lo = _check_value(where, f"{at}.low", lo, p)
        hi = _check_value(where, f"{at}.high", hi, p)
        if lo >= hi:
            raise ConfigError(f"{where}: key '{at}': low = {lo!r} is not below high = {hi!r}; allowed: low < high, both {p.allowed()}.")
        names.append(name)
        kinds.append("int" if p.kind is int else "float")
        bounds.append((float(lo), float(hi)))
    return Sample(method, n, seed, tuple(names), tuple(kinds), tuple(bounds), second, levels, output)


def expand(sweep: Sweep) -> Iterator[tuple[int, int]]:
    """All ``(point, rep)`` pairs in run-id order (for small sweeps and tests)."""
    return itertools.product(range(sweep.n_points), range(sweep.replications))
