"""Users of Mesa's batch_run and of EMA Workbench keep their tools: the adapters give the model's own numbers,
and the examples in docs/sweeps.md run."""

from __future__ import annotations

import math
import multiprocessing
import re
import warnings
from pathlib import Path

import pytest

import jcs_sim
from jcs_sim.config import ConfigError, apply_overrides, default_config
from jcs_sim.sweep.interop import OUTCOMES, BatchRunModel, config_from_flat, ema_model, ema_parameters, incident_outcomes

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.filterwarnings("ignore:ipyparallel not installed:UserWarning")


@pytest.fixture(autouse=True)
def keep_start_method():
    """Mesa's batch_run sets the global start method to spawn; put back what the session had."""
    before = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(before, force=True)


def direct(sets: list[str], seed: int) -> dict:
    return jcs_sim.run(apply_overrides(default_config(), sets), seed=seed)


def test_flat_parameters_are_checked_against_the_schema():
    cfg = config_from_flat({"communication__mode": "direct", "run__max_minutes": 90})
    assert cfg["communication"]["mode"] == "direct" and cfg["run"]["max_minutes"] == 90
    with pytest.raises(ConfigError, match=r"unknown key 'communication.mod'.*Did you mean 'mode'"):
        config_from_flat({"communication__mod": "direct"})
    with pytest.raises(ConfigError, match="not section__key"):
        config_from_flat({"mode": "direct"})


def test_mesa_batch_run_gives_the_models_numbers():
    from mesa.batchrunner import batch_run

    rows = batch_run(
        BatchRunModel,
        {"communication__mode": ["channel", "direct"], "run__max_minutes": 90},
        rng=[3, 4],
        max_steps=10_000,
        number_processes=1,
        display_progress=False,
    )
    assert len(rows) == 4
    for row in rows:
        s = direct([f"communication.mode={row['communication__mode']}", "run.max_minutes=90"], row["seed"])
        for k in OUTCOMES:
            assert row[k] == s[k], k
        assert row["Step"] == s["minutes_simulated"]


def test_batch_run_model_without_seed_draws_and_reports_one():
    m = BatchRunModel(None, run__max_minutes=30).run()
    assert m.seed >= 0 and m.datacollector.get_model_vars_dataframe()["seed"].iloc[-1] == m.seed


def test_ema_workbench_adapter_gives_the_models_numbers():
    from ema_workbench import perform_experiments

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ema_model(
            uncertainties=["relationships.across_team", "communication.mode", "responders.sme_per_team"],
            constants={"run.max_minutes": 60},
            bounds={"responders.sme_per_team": (1, 3)},
            replications=2,
        )
        experiments, outcomes = perform_experiments(model, scenarios=3, log_progress=False)
    assert outcomes["time_to_acknowledge"].shape == (3, 2)
    for i, row in experiments.iterrows():
        sets = [
            f"relationships.across_team={row['relationships__across_team']!r}",
            f'communication.mode="{row["communication__mode"]}"',
            f"responders.sme_per_team={int(row['responders__sme_per_team'])}",
            "run.max_minutes=60",
        ]
        for rep in range(2):
            s = direct(sets, seed=rep)
            for k in ("messages_sent", "minutes_simulated", "pages"):
                assert outcomes[k][i][rep] == s[k], k
            t = outcomes["time_to_resolve"][i][rep]
            assert (math.isnan(t) and s["time_to_resolve"] is None) or t == s["time_to_resolve"]


def test_ema_parameters_are_typed_and_bounded_by_the_schema():
    from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter

    p = ema_parameters(["coordination.coordination_cost", "responders.sme_per_team", "communication.mode"])
    assert isinstance(p[0], RealParameter) and (p[0].lower_bound, p[0].upper_bound) == (0.0, 2.0)
    assert isinstance(p[1], IntegerParameter) and p[1].name == "responders__sme_per_team"
    assert isinstance(p[2], CategoricalParameter)
    with pytest.raises(ConfigError, match="Did you mean 'coordination.coordination_cost'"):
        ema_parameters(["coordination.coordination_cst"])
    assert set(incident_outcomes(seed=1, run__max_minutes=30)) == set(OUTCOMES)


def test_the_examples_in_docs_sweeps_md_run(tmp_path, monkeypatch):
    """Docs that run cannot rot: every ```python block of docs/sweeps.md marked `example` runs here."""
    text = (ROOT / "docs" / "sweeps.md").read_text()
    blocks = re.findall(r"<!-- example -->\s*```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    for code in blocks:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, "docs/sweeps.md", "exec"), {"__name__": "__main__"})
