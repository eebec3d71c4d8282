"""Adapters so users of Mesa's ``batch_run`` and of EMA Workbench keep their tools.

Both tools pass parameters as flat keyword arguments. Here a config key
``section.key`` is spelled ``section__key`` (``communication__mode="direct"``),
checked against the one schema like every other entry point.

Mesa::

    from mesa.batchrunner import batch_run
    from jcs_sim.sweep.interop import BatchRunModel

    rows = batch_run(BatchRunModel, {"communication__mode": ["channel", "direct"], "run__max_minutes": 120},
                     rng=range(10), max_steps=10_000, display_progress=False)

EMA Workbench::

    from ema_workbench import perform_experiments
    from jcs_sim.sweep.interop import ema_model

    model = ema_model(uncertainties=["relationships.across_team", "coordination.coordination_cost"],
                      constants={"run.max_minutes": 120}, replications=5)  # outcomes: one value per replication
    experiments, outcomes = perform_experiments(model, scenarios=20)
"""

from __future__ import annotations

import math
from typing import Any

from mesa import DataCollector

from ..config import SCHEMA, ConfigError, validate
from ..model import IncidentModel
from ..organisation import incident_model, org_for

__all__ = ["config_from_flat", "BatchRunModel", "REPORTERS", "incident_outcomes", "ema_parameters", "ema_model", "OUTCOMES"]

# The per-run metrics both adapters report (the summary's scalar fields that matter most).
OUTCOMES = (
    "resolved", "minutes_simulated", "time_to_detect", "time_to_acknowledge", "time_to_diagnose", "time_to_mitigate", "time_to_resolve",
    "messages_sent", "messages_misread", "pages", "escalations", "remediations", "remediations_failed", "decisions",
)  # fmt: skip


def config_from_flat(params: dict[str, Any], where: str = "parameters") -> dict[str, Any]:
    """A validated config from ``{"section__key": value}`` keyword parameters."""
    raw: dict[str, dict[str, Any]] = {}
    for name, value in params.items():
        if "__" not in name:
            raise ConfigError(
                f"{where}: parameter '{name}' is not section__key (for example communication__mode); sections: {', '.join(SCHEMA)}."
            )
        sec, key = name.split("__", 1)
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars from samplers
            value = value.item()
        raw.setdefault(sec, {})[key] = value
    return validate(raw, where=where)


def _reporter(name: str):
    def get(model: BatchRunModel) -> Any:
        return model.metric(name)

    return get


REPORTERS = {name: _reporter(name) for name in OUTCOMES} | {"seed": lambda m: m.seed}


class BatchRunModel(IncidentModel):
    """``IncidentModel`` with flat keyword parameters and a Mesa ``DataCollector`` (for ``batch_run``).

    Data is collected at the start and when the incident ends (resolved or
    censored at ``run.max_minutes``), so ``batch_run``'s default
    ``data_collection_period=-1`` returns the final metrics. Give ``batch_run`` a
    ``max_steps`` of at least ``run.max_minutes`` (720 by default): a run cut
    short by ``max_steps`` reports its start. ``seed=None`` (what ``batch_run``
    passes for ``iterations``) draws a fresh seed, reported in the ``seed`` column.
    """

    def __init__(self, seed: int | None = None, record_trace: bool = False, **params: Any) -> None:
        if seed is None:
            import numpy as np

            seed = int(np.random.SeedSequence().generate_state(1)[0])
        cfg = config_from_flat(params)
        super().__init__(cfg, seed=int(seed), record_trace=record_trace, org=org_for(cfg, int(seed)))  # an organisation file's people
        self._final: dict[str, Any] | None = None
        self.datacollector = DataCollector(model_reporters=REPORTERS)
        self.datacollector.collect(self)

    def metric(self, name: str) -> Any:
        """A summary metric as last collected: the run's final summary, or its start (times None, counts 0)."""
        if self._final is not None:
            return self._final[name]
        if name == "resolved":
            return False
        return None if name.startswith("time_to_") else 0

    def step(self) -> None:
        super().step()
        if not self.running:
            self._final = self.summary()
            self.datacollector.collect(self)


# ----- EMA Workbench -----------------------------------------------------------------------
def incident_outcomes(seed: int = 0, **params: Any) -> dict[str, float]:
    """One run as EMA Workbench wants a model: keyword parameters in, a dict of scalars out.

    Times not reached are NaN (an unresolved incident is censored at
    ``minutes_simulated``; use ``resolved`` to tell them apart).
    """
    s = incident_model(config_from_flat(params, where="EMA parameters"), seed=int(seed), record_trace=False).run().summary()
    return {k: (math.nan if s[k] is None else float(s[k])) for k in OUTCOMES}


def ema_parameters(keys: list[str], bounds: dict[str, tuple[float, float]] | None = None) -> list[Any]:
    """EMA parameters for ``section.key`` names, typed and bounded by the config schema."""
    from ema_workbench import BooleanParameter, CategoricalParameter, IntegerParameter, RealParameter

    from .design import _param

    bounds = bounds or {}
    out = []
    for key in keys:
        p = _param("ema_parameters", key, key)
        name = key.replace(".", "__")
        if p.choices is not None:
            out.append(CategoricalParameter(name, list(p.choices)))
        elif p.kind is bool:
            out.append(BooleanParameter(name))
        elif p.kind is str:
            raise ConfigError(f"ema_parameters: key '{key}' is a free string; allowed: numeric, true/false or categorical keys.")
        else:
            lo, hi = bounds.get(key, (p.low, p.high))
            if lo is None or hi is None or not lo < hi:
                raise ConfigError(f"ema_parameters: key '{key}' needs low < high; allowed: {p.allowed()}.")
            out.append(IntegerParameter(name, int(lo), int(hi)) if p.kind is int else RealParameter(name, float(lo), float(hi)))
    return out


def ema_model(
    uncertainties: list[str],
    levers: list[str] = (),
    constants: dict[str, Any] | None = None,
    replications: int | list[int] | None = None,
    bounds: dict[str, tuple[float, float]] | None = None,
    name: str = "jcs_sim",
    outcomes: tuple[str, ...] = OUTCOMES,
    seed: int = 0,
) -> Any:
    """An EMA Workbench model of the incident model.

    Without ``replications``: a ``Model`` whose every experiment runs seed
    ``seed`` (common random numbers across scenarios), outcomes are scalars.
    With ``replications`` (a count, meaning seeds 0..n-1, or a list of seeds):
    a ``ReplicatorModel`` whose outcomes are ``ArrayOutcome``s holding one value
    per replication, as in EMA's own Mesa example.
    """
    from ema_workbench import ArrayOutcome, Constant, Model, ReplicatorModel, ScalarOutcome

    fixed = [Constant(k.replace(".", "__"), v) for k, v in (constants or {}).items()]
    if replications is None:
        model = Model(name, function=incident_outcomes)
        fixed.append(Constant("seed", int(seed)))
        model.outcomes = [ScalarOutcome(o) for o in outcomes]
    else:
        model = ReplicatorModel(name, function=incident_outcomes)
        seeds = list(range(replications)) if isinstance(replications, int) else [int(s) for s in replications]
        model.replications = [{"seed": s} for s in seeds]
        model.outcomes = [ArrayOutcome(o) for o in outcomes]
    model.uncertainties = ema_parameters(list(uncertainties), bounds)
    if levers:
        model.levers = ema_parameters(list(levers), bounds)
    model.constants = fixed
    return model
