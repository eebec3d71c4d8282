"""Calibration: the history file's errors, the statistics, and a small end-to-end ABC-SMC run at known values.

Why these tests: a history is user data (every mistake must be a one-line
error naming the row and column), the statistics must be computed the same
way on observed and simulated incidents (else calibration fits an artefact),
and a calibration is only worth something if it learns: on a history made by
the model at a known value, the posterior of that key must be narrower than
its prior and hold the true value.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from jcs_sim import IncidentModel
from jcs_sim.cli import main
from jcs_sim.config import ConfigError, apply_overrides, default_config, load_config
from jcs_sim.history import (
    MIN_ROWS,
    arrays_from_summaries,
    from_first_alert,
    km_quantiles,
    observed_stats,
    read_history,
    stats_from_summaries,
)

pyabc = pytest.importorskip("pyabc")  # the calibrate extra; the test extra installs it, so CI runs these

ROOT = Path(__file__).resolve().parent.parent

# ----- the history file ----------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "history.csv"
    p.write_text(text)
    return p


GOOD = "duration_min,open\n" + "".join(f"{30 + 7 * i},false\n" for i in range(12))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("minutes,open\n" + "10,false\n" * 12, "missing column 'duration_min'"),
        ("duration_min,colour\n" + "10,red\n" * 12, "unknown column 'colour'"),
        ("duration_min\n" + "10\n" * 11 + "-5\n", "row 13, column 'duration_min' = '-5' is out of range"),
        ("duration_min\n" + "10\n" * 5 + "soon\n" + "10\n" * 6, "row 7, column 'duration_min' = 'soon' is not a number"),
        ("duration_min\n" + "10\n" * 3 + "\n", f"needs at least {MIN_ROWS}"),
        ("duration_min,open\n" + "10,true\n" * 12, "every incident is open"),
        ("duration_min,open\n" + "10,maybe\n" * 12, "column 'open' = 'maybe'"),
        ("duration_min,diagnose_min\n" + "10,20\n" * 12, "column 'diagnose_min' = 20 is later than duration_min"),
        ("duration_min,severity\n" + "10,4\n" * 12, "column 'severity' = '4' is out of range; allowed: an integer from 1 to 3"),
        ("duration_min,hour\n" + "10,25\n" * 12, "column 'hour' = '25' is out of range"),
        ("duration_min\n" + "10\n" * 4 + ",\n" + "10\n" * 8, "more cells than the header"),
        ("duration_min,open,window_min\n" + "10,false,20\n" * 11 + "30,false,20\n", "row 13, column 'window_min' = 20 is shorter"),
        ("duration_min,open,window_min\n" + "10,false,20\n" * 11 + "30,true,40\n", "differs from duration_min = 30 of an open"),
        ("duration_min,window_min\n" + "10,soon\n" * 12, "column 'window_min' = 'soon' is not a number"),
    ],
)
def test_bad_history_files_get_one_line_errors(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        read_history(path)
    assert expected in str(exc.value) and str(path) in str(exc.value) and "\n" not in str(exc.value)


def test_missing_history_file(tmp_path):
    with pytest.raises(ConfigError, match="no such history file"):
        read_history(tmp_path / "nope.csv")


def test_history_reads_phases_covariates_and_censoring(tmp_path):
    text = "duration_min,detect_min,diagnose_min,severity,hour,teams,open\n" + "".join(
        f"{60 + i},{i % 5},{'' if i % 3 == 0 else 40},{1 + i % 3},{i % 24},{1 + i % 2},{'yes' if i == 4 else 'no'}\n" for i in range(12)
    )
    h = read_history(_write(tmp_path, text))
    assert h.n == 12 and h.open.sum() == 1 and h.open[4]
    assert set(h.phases) == {"acknowledge", "diagnose"} and np.isnan(h.phases["diagnose"][0]) and h.phases["diagnose"][1] == 40
    assert list(h.severity[:3]) == [1, 2, 3] and h.teams is not None and h.hour is not None


def test_a_resolved_rows_window_censors_its_simulated_incident_as_an_open_rows_time_does(tmp_path):
    """window_min: a simulated incident stands for its row, so it is censored where that row's record was taken."""
    from jcs_sim.calibrate import Simulator, resolve_priors

    text = "duration_min,open,window_min\n" + "".join(
        f"{40 + i},{'true' if i == 0 else 'false'},{'' if i == 1 else (40 + i if i == 0 else 100 + i)}\n" for i in range(12)
    )
    h = read_history(_write(tmp_path, text))
    assert h.window is not None and np.isnan(h.window[1]) and h.window[0] == 40 and h.window[2] == 102
    sim = Simulator(default_config(), resolve_priors(["investigation.base_minutes"], None), h, batch=12)
    assert sim.open_at[0] == 40 and np.isnan(sim.open_at[1]) and list(sim.open_at[2:4]) == [102, 103]  # open time, none, windows
    cfg = apply_overrides(default_config(), ["run.max_minutes=300"])
    runs = [dict(IncidentModel(cfg, seed=s, record_trace=False).run().summary(), row=2) for s in range(20)]
    long = [r for r in runs if r["time_to_resolve"] is not None and from_first_alert(r)["duration"] > 102]
    assert long  # some resolve after row 2's window: censored at it, as a resolved row never would be without one
    d, resolved, _ = arrays_from_summaries(long, (), sim.open_at[[2] * len(long)])
    assert (d == 102).all() and not resolved.any()
    assert read_history(_write(tmp_path, GOOD)).window is None  # no column: only open rows censor, as before
    assert "observation window of 11 rows" in h.describe()


# ----- statistics ---------------------------------------------------------------------------


def test_km_quantiles_exact_on_a_tiny_sample():
    t = np.array([1.0, 2.0, 3.0, 4.0])
    # Without censoring, the KM quantile is the empirical one (smallest t with F(t) >= p).
    assert list(km_quantiles(t, np.ones(4, bool), (0.25, 0.5, 0.75))) == [1.0, 2.0, 3.0]
    # Censoring at 2 moves the mass to the later times: S = 0.75 after 1, then 0.375 after 3, 0 after 4.
    assert list(km_quantiles(t, np.array([True, False, True, True]), (0.25, 0.5, 0.75))) == [1.0, 3.0, 4.0]
    # A quantile never reached is reported as the largest time (a finite lower bound).
    assert km_quantiles(t, np.array([True, False, False, False]), (0.9,))[0] == 4.0


def test_statistics_are_the_same_on_observed_and_simulated_incidents(tmp_path):
    """A history written from simulated runs has exactly the statistics of those runs: one computation for both."""
    cfg = apply_overrides(default_config(), ["run.max_minutes=200"])
    runs = [IncidentModel(cfg, seed=s, record_trace=False).run().summary() for s in range(12)]
    lines = ["duration_min,detect_min,diagnose_min,mitigate_min,open"]
    for t in map(from_first_alert, runs):  # a history's clock: minutes from the first alert
        f = lambda v: "" if v is None else str(v)  # noqa: E731
        lines.append(f"{t['duration']},{f(t['acknowledge'])},{f(t['diagnose'])},{f(t['mitigate'])},{'false' if t['resolved'] else 'true'}")
    h = read_history(_write(tmp_path, "\n".join(lines) + "\n"))
    assert observed_stats(h, 200.0) == stats_from_summaries(runs, 200.0, ("acknowledge", "diagnose", "mitigate"))


# ----- priors and the command line ---------------------------------------------------------


def test_priors_default_to_the_schema_bounds_and_the_default_set():
    from jcs_sim.calibrate import DEFAULT_PARAMS, resolve_priors

    priors = resolve_priors(None, None)
    assert [p.key for p in priors] == list(DEFAULT_PARAMS)
    base = next(p for p in priors if p.key == "investigation.base_minutes")
    assert (base.low, base.high, base.log) == (1.0, 240.0, False)


@pytest.mark.parametrize(
    ("params", "priors", "expected"),
    [
        (["communication.mode"], None, "not a bounded numeric key"),
        (["investigation.nope"], None, "no such config key"),
        (["base_minutes"], None, "a key is section.key"),
        (["goodness.noise"], "[goodness.noise]\nlow = 5.0\nhigh = 2.0\n", "must satisfy"),
        (["goodness.noise"], "[goodness.noise]\nlow = 0.0\nhigh = 2.0\nlog = true\n", "log-uniform prior needs low > 0"),
        (["goodness.noise"], "[page.social_cost]\nlow = 0.0\nhigh = 2.0\n", "not among --params"),
        (None, "[goodness.noise]\nlow = 0.0\nhigh = 2.0\nshape = 1\n", "unknown entry 'shape'"),
    ],
)
def test_bad_params_and_priors(tmp_path, params, priors, expected):
    from jcs_sim.calibrate import resolve_priors

    path = None
    if priors is not None:
        path = tmp_path / "priors.toml"
        path.write_text(priors)
    with pytest.raises(ConfigError, match=expected):
        resolve_priors(params, path)


def test_cli_errors_are_one_line_and_exit_2(tmp_path, capsys):
    bad = _write(tmp_path, "duration_min\n" + "10\n" * 3)
    assert main(["calibrate", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs at least" in err
    good = _write(tmp_path, GOOD)
    assert main(["calibrate", str(good), "--params", "communication.mode", "--out", str(tmp_path / "o")]) == 2
    assert "not a bounded numeric key" in capsys.readouterr().err
    assert main(["calibrate", str(good), "--budget", "5", "--out", str(tmp_path / "o")]) == 2
    captured = capsys.readouterr()
    assert "at least --population (100)" in captured.err and captured.out == ""  # checked before anything is printed


# ----- end to end ----------------------------------------------------------------------------

TRUE_BASE_MINUTES = 30.0
TINY = dict(population=8, generations=2, batch=10, budget=200, predictive=2)


@pytest.fixture(scope="module")
def known_history(tmp_path_factory):
    """10 incidents from the model with investigation.base_minutes = 30 (default 8), horizon 300 min."""
    d = tmp_path_factory.mktemp("cal")
    cfg = apply_overrides(default_config(), ["run.max_minutes=300", f"investigation.base_minutes={TRUE_BASE_MINUTES}"])
    lines = ["duration_min,open"]
    for s in range(10):
        t = from_first_alert(IncidentModel(cfg, seed=500 + s, record_trace=False).run().summary())
        lines.append(f"{t['duration']},{'false' if t['resolved'] else 'true'}")
    (d / "history.csv").write_text("\n".join(lines) + "\n")
    (d / "base.toml").write_text("[run]\nmax_minutes = 300\n")
    (d / "priors.toml").write_text("[investigation.base_minutes]\nlow = 2.0\nhigh = 120.0\n")
    return d


def _calibrate_cli(d: Path, out: Path, **over) -> int:
    opts = TINY | over
    argv = ["calibrate", str(d / "history.csv"), "--config", str(d / "base.toml"), "--priors", str(d / "priors.toml"), "--out", str(out)]
    for k, v in opts.items():
        argv += [f"--{k}", str(v)]
    return main(argv)


@pytest.fixture(scope="module")
def calibrated(known_history):
    out = known_history / "out"
    assert _calibrate_cli(known_history, out, seed=3) == 0
    return out


def test_calibration_learns_the_known_value(calibrated):
    """The posterior of the free key is narrower than its prior and its median nearer the true value than the prior's.

    (Whether 90% intervals hold the truth 90% of the time is a property of many trials, not one:
    benchmarks/bench_calibration.py measures it; one tiny trial checking it would fail by design now and then.)
    """
    meta = json.loads((calibrated / "calibration.json").read_text())
    row = meta["result"]["posterior"][0]
    assert row["key"] == "investigation.base_minutes"
    assert row["width_ratio_90"] < 0.9, row
    prior_median = (2.0 + 120.0) / 2
    assert abs(row["median"] - TRUE_BASE_MINUTES) < abs(prior_median - TRUE_BASE_MINUTES), row
    assert len(meta["result"]["schedule"]) == 2


def test_outputs_are_a_posterior_a_runnable_config_and_a_report(calibrated):
    import pyarrow.parquet as pq

    post = pq.read_table(calibrated / "posterior.parquet").to_pydict()
    assert set(post) == {"investigation.base_minutes", "weight"} and len(post["weight"]) == TINY["population"]
    assert abs(sum(post["weight"]) - 1.0) < 1e-9
    cfg = load_config(calibrated / "calibrated.toml")
    med = json.loads((calibrated / "calibration.json").read_text())["result"]["posterior"][0]["median"]
    assert cfg["investigation"]["base_minutes"] == pytest.approx(med) and cfg["run"]["max_minutes"] == 300
    assert main(["run", str(calibrated / "calibrated.toml"), "--json"]) == 0
    page = (calibrated / "report.html").read_text()
    for needle in ("Pinned down by the data", "QQ plot", "Tolerance and acceptance schedule", "Resume", "<svg"):
        assert needle in page


@pytest.fixture(scope="module")
def one_generation(known_history):
    out = known_history / "one"
    assert _calibrate_cli(known_history, out, seed=3, generations=1) == 0
    return out


def test_same_seed_same_posterior_with_any_number_of_workers(known_history, one_generation, tmp_path):
    """The ordered sampler: particle seeds depend on (seed, generation, index), not on which worker ran it."""
    out = tmp_path / "w2"
    assert _calibrate_cli(known_history, out, seed=3, generations=1, workers=2) == 0
    a = json.loads((one_generation / "calibration.json").read_text())["result"]
    b = json.loads((out / "calibration.json").read_text())["result"]
    assert a["posterior"] == b["posterior"] and a["schedule"] == b["schedule"]


def test_resume_continues_where_it_stopped(known_history, one_generation, calibrated, tmp_path, capsys):
    """A calibration stopped after one generation and run again continues from it (the stored generation is kept).

    Not bit-identical to an uninterrupted run: pyabc re-derives the adaptive distance weights and the
    first tolerance from the stored population on load (docs/calibration.md says so).
    """
    out = tmp_path / "resume"
    shutil.copytree(one_generation, out)
    capsys.readouterr()
    assert _calibrate_cli(known_history, out, seed=3, generations=2) == 0
    assert "resuming" in capsys.readouterr().out
    resumed = json.loads((out / "calibration.json").read_text())["result"]
    full = json.loads((calibrated / "calibration.json").read_text())["result"]
    assert resumed["resumed_after"] > 0 and len(resumed["schedule"]) == 2
    assert resumed["schedule"][0] == full["schedule"][0] and resumed["total_simulations"] > resumed["simulations_this_run"]


def test_a_different_calibrations_directory_is_refused(known_history, one_generation, capsys):
    assert _calibrate_cli(known_history, one_generation, seed=4) == 2
    assert "holds a different calibration" in capsys.readouterr().err


# ----- the public history (examples/history_github_2025.csv) ---------------------------------


def _github_example():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_history_github", ROOT / "examples" / "make_history_github.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_github_history_rows_keep_2025s_unplanned_incidents():
    """The converter keeps 2025's incidents, drops maintenance, maps impact to severity, and refuses an unresolved one."""
    make = _github_example()

    def line(started: str, impact: str, minutes: int | None = 30, statuses=("Investigating", "Resolved")) -> str:
        resolved = None if minutes is None else "x"
        return json.dumps(
            {
                "id": "1",
                "started_at": started,
                "resolved_at": resolved,
                "duration_minutes": minutes,
                "impact": impact,
                "status_sequence": list(statuses),
            }
        )

    lines = [
        line("2024-12-31T23:59:00Z", "major"),
        line("2025-01-01T00:00:00Z", "minor", 12),
        line("2025-03-01T10:00:00Z", "critical", 0),
        line("2025-04-01T10:00:00Z", "none", 7),
        line("2025-05-01T10:00:00Z", "maintenance", 240, ("Scheduled", "In progress", "Completed")),
        line("2025-06-01T10:00:00Z", "minor", 240, ("Scheduled", "Completed")),
        line("2025-12-31T23:59:00Z", "major", 95),
        line("2026-01-01T00:00:00Z", "minor", 5),
        "",
    ]
    assert make.rows(lines) == [(12, 1), (0, 3), (7, 1), (95, 2)]
    with pytest.raises(SystemExit, match="no resolution time"):
        make.rows([line("2025-02-01T00:00:00Z", "minor", None)])


def test_github_history_is_a_valid_history_as_documented():
    """The shipped file: 200 resolved incidents, severities as examples/history_github_2025.md counts them."""
    h = read_history(ROOT / "examples" / "history_github_2025.csv")
    assert h.n == 200 and not h.open.any() and not h.phases and h.hour is None and h.teams is None
    assert [int((h.severity == k).sum()) for k in (1, 2, 3)] == [163, 36, 1]
    assert int((h.duration == 0).sum()) == 14 and float(np.median(h.duration)) == 78.5


# ----- a Dask scheduler (--address) ----------------------------------------------------------


def test_calibrate_on_a_dask_scheduler_gives_the_same_posterior(known_history, one_generation, tmp_path, capsys):
    """--address: a LocalCluster started here (2 worker processes of 2 threads each) gives the 1-worker posterior exactly.

    Two threads per worker: the chunks that land in one process take turns (a particle's draws come from
    numpy's global generator), which the equality checks as well.
    """
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        capsys.readouterr()
        assert _calibrate_cli(known_history, tmp_path / "dask", seed=3, generations=1, address=cluster.scheduler_address) == 0
        out = capsys.readouterr().out
    assert f"simulations run on the Dask scheduler at {cluster.scheduler_address} (2 worker processes now)" in out
    assert "with 2 Dask workers" in out
    a = json.loads((one_generation / "calibration.json").read_text())["result"]
    b = json.loads((tmp_path / "dask" / "calibration.json").read_text())["result"]
    assert a["posterior"] == b["posterior"] and a["schedule"] == b["schedule"] and a["total_simulations"] == b["total_simulations"]
    assert b["address"] == cluster.scheduler_address and b["workers"] == 2


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("address", "extra", "expected"),
    [
        (f"tcp://127.0.0.1:{_free_port()}", [], "cannot reach a Dask scheduler there"),  # nothing listens there (loopback only)
        ("tcp://:x", [], "is not a scheduler address; allowed: HOST:PORT or tcp://HOST:PORT"),
        ("127.0.0.1:1", ["--workers", "2"], "--workers 2 with --address 127.0.0.1:1: the cluster's workers run the simulations"),
    ],
)
def test_calibrate_address_errors_are_one_line_before_writing(known_history, tmp_path, capsys, address, extra, expected):
    capsys.readouterr()
    out = tmp_path / "o"
    argv = ["calibrate", str(known_history / "history.csv"), "--address", address, *extra, "--out", str(out)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert expected in captured.err and captured.err.count("\n") == 1 and captured.out == "", captured.err
    assert not out.exists()


def test_calibrate_address_of_a_scheduler_without_workers(known_history, tmp_path, capsys, monkeypatch):
    from dask.distributed import LocalCluster

    from jcs_sim import calibrate_cli

    monkeypatch.setattr(calibrate_cli, "WORKER_WAIT_S", 0.5)
    with LocalCluster(n_workers=0, processes=False, protocol="tcp://", dashboard_address=None) as cluster:
        argv = ["calibrate", str(known_history / "history.csv"), "--address", cluster.scheduler_address, "--out", str(tmp_path / "o")]
        assert main(argv) == 2
    assert "has no workers (waited 0.5 s)" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


# ----- what-if -------------------------------------------------------------------------------


def test_whatif_a_no_op_change_has_no_effect(calibrated, capsys):
    """Setting a key to the value it has: every pair identical, ratio exactly 1 with a zero-width interval."""
    assert main(["whatif", str(calibrated), "--set", "run.max_minutes=300", "--runs", "3", "--per-draw", "1", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert (
        r["resolve_geomean"] == [1.0, 1.0, 1.0]
        and r["resolve_median"] == [1.0, 1.0, 1.0]
        and r["share_draws_helped"] == 0.0
        and r["share_draws_hurt"] == 0.0
    )


def test_whatif_finds_a_change_that_helps(calibrated, capsys):
    """No stability window: an incident is declared resolved as soon as it is fixed, not 15 minutes later."""
    argv = ["whatif", str(calibrated), "--set", "remediation.stability_window=0", "--runs", "6", "--per-draw", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "share of posterior draws in which the change helps" in out and "include parameter uncertainty" in out
    assert main([*argv, "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["resolve_geomean"][0] < 1.0 and r["share_draws_helped"] > 0.5, r


def test_whatif_errors(calibrated, tmp_path, capsys):
    assert main(["whatif", str(tmp_path), "--set", "goodness.noise=0"]) == 2
    assert "not a finished calibration" in capsys.readouterr().err
    assert main(["whatif", str(calibrated), "--set", "goodness.nois=0"]) == 2
    assert "unknown key 'goodness.nois'" in capsys.readouterr().err
    assert main(["whatif", str(calibrated), "--set", "campaign.gameday_interval_days=7"]) == 2  # identical arms otherwise (issue 12)
    assert "--set: key 'campaign.gameday_interval_days' = 7 has no effect in `run`" in capsys.readouterr().err


# ----- what-if on a sweep ---------------------------------------------------------------------

SWEEP_ARGS = ["--runs", "4", "--per-draw", "1", "--seed", "5", "--json"]


def _whatif_json(capsys, *argv: str) -> dict:
    capsys.readouterr()
    assert main(["whatif", *map(str, argv)]) == 0
    return json.loads(capsys.readouterr().out)


def test_whatif_sweep_pairs_every_value_with_the_same_draws_and_seeds(calibrated, capsys):
    """Each value's row is exactly what `--set` of that value gives; the calibrated value's ratio is exactly 1.

    Why exact: every arm runs on the same posterior draws and seeds, drawn in one
    order from --seed whatever the values, so adding a value changes no other row
    and the sweep is the same question as a series of `--set` what-ifs.
    """
    r = _whatif_json(capsys, calibrated, "--sweep", "remediation.stability_window=0,15,60", *SWEEP_ARGS)
    assert r["keys"] == ["remediation.stability_window"] and r["pairs"] == 4
    rows = {row["value"]: row for row in r["rows"]}
    assert list(rows) == [f"remediation.stability_window={v}" for v in (0, 15, 60)]
    same = rows["remediation.stability_window=15"]  # the default, and not a free key of this calibration
    assert same["as_calibrated"] and same["resolve_geomean"] == [1.0, 1.0, 1.0] and same["share_draws_helped"] == 0.0
    assert not rows["remediation.stability_window=0"]["as_calibrated"]
    # No stability window: an incident is declared resolved as soon as it is fixed, so sooner unless censored either way.
    assert rows["remediation.stability_window=0"]["resolve_geomean"][2] < 1.0
    assert rows["remediation.stability_window=0"]["share_draws_helped"] > 0.5
    assert rows["remediation.stability_window=60"]["resolve_geomean"][0] > 1.0
    single = _whatif_json(capsys, calibrated, "--set", "remediation.stability_window=0", *SWEEP_ARGS)
    row = rows["remediation.stability_window=0"]
    for k in ("resolve_median", "resolve_geomean", "diagnose_geomean", "share_draws_helped", "share_draws_hurt"):
        assert row[k] == single[k], k
    assert row["censored"] == single["censored"]["changed"] and r["base"]["censored"] == single["censored"]["base"]
    assert [row["resolve_median_minutes"], r["base"]["resolve_median_minutes"]] == single["resolve_median_minutes"][::-1]
    fewer = _whatif_json(capsys, calibrated, "--sweep", "remediation.stability_window=60", *SWEEP_ARGS)
    assert fewer["rows"][0] == rows["remediation.stability_window=60"]  # the other values did not change it
    assert _whatif_json(capsys, calibrated, "--sweep", "remediation.stability_window=0,15,60", *SWEEP_ARGS) == r  # same seed, same result


def test_whatif_sweep_grid_table_and_files(calibrated, tmp_path, capsys):
    """Two --sweep options make a grid; the terminal table has a line per cell; --out writes the JSON and a CSV of it."""
    out = tmp_path / "w"
    argv = ["whatif", str(calibrated), "--sweep", "communication.mode=direct,channel", "--sweep", "relationships.across_team=0.25,0.75"]
    assert main([*argv, "--runs", "2", "--per-draw", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if "median ratio [95%]" in line)
    table = lines[header + 1 : header + 5]
    assert [line.split()[:2] for line in table] == [["direct", "0.25"], ["direct", "0.75"], ["channel", "0.25"], ["channel", "0.75"]]
    assert table[2].rstrip().endswith("as calibrated") and sum("as calibrated" in line for line in table) == 1
    assert "every value on the same draws and seeds" in text and f"wrote whatif.json, whatif_sweep.csv to {out}" in text
    r = json.loads((out / "whatif.json").read_text())
    import csv

    with open(out / "whatif_sweep.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [row["value"] for row in rows] == [row["value"] for row in r["rows"]]
    assert [float(row["resolve_geomean_lo"]) for row in rows] == [row["resolve_geomean"][1] for row in r["rows"]]
    assert [row["communication.mode"] for row in rows] == ["direct", "direct", "channel", "channel"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--sweep", "relationships.across_team=0.5,2"],
            "key 'relationships.across_team' = 2.0 is out of range; allowed: a number from 0 to 1",
        ),
        (["--sweep", "communication.mode=direct,shouting"], "'shouting' is not allowed; allowed: "),
        (
            ["--sweep", "relationships.across_tem=0.5"],
            "unknown parameter 'relationships.across_tem'. Did you mean 'relationships.across_team'?",
        ),
        (["--sweep", "relationships.across_team=0.5,0.5"], "value 0.5 appears twice; allowed: distinct values"),
        (["--sweep", "relationships.across_team=0.5,"], "an empty value; allowed: SECTION.KEY=V1,V2,..."),
        (["--sweep", "relationships.across_team"], "expected SECTION.KEY=V1,V2,..."),
        (["--sweep", "goodness.noise=0.1", "--sweep", "goodness.noise=0.2"], "'goodness.noise' is swept twice"),
        (["--sweep", "goodness.noise=0.1,0.2", "--set", "goodness.noise=0.3"], "'goodness.noise' is also given with --set"),
        (["--sweep", "campaign.gameday_interval_days=7,14"], "'campaign.gameday_interval_days' = 7 has no effect in `run`"),
        ([], "give a change, --set SECTION.KEY=VALUE, or values to compare, --sweep SECTION.KEY=V1,V2,..."),
        (["--sweep", "goodness.noise=0.1", "--runs", "1"], "--runs 1 / --per-draw 4: allowed"),
    ],
)
def test_whatif_sweep_errors_are_one_line_and_exit_2(calibrated, tmp_path, capsys, argv, expected):
    """Bad input is refused before anything runs or is written, naming the key and what is allowed."""
    capsys.readouterr()
    assert main(["whatif", str(calibrated), *argv, "--out", str(tmp_path / "w")]) == 2
    captured = capsys.readouterr()
    assert expected in captured.err and captured.err.count("\n") == 1 and captured.out == "", captured.err
    assert not (tmp_path / "w").exists()


def test_calibrate_without_pyabc_says_how_to_install(tmp_path):
    """A light install (no pyabc): one line naming the extra, exit 2."""
    code = (
        "import sys; sys.modules['pyabc'] = None\n"
        "from jcs_sim.cli import main\n"
        f"sys.exit(main(['calibrate', {str(_write(tmp_path, GOOD))!r}, '--out', {str(tmp_path / 'o')!r}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "jcs-sim[calibration]" in proc.stderr and "Traceback" not in proc.stderr


def test_calibration_simulates_an_organisation_files_incidents():
    """Issue 12: calibrating on an organisation's config runs its people, not generated ones."""
    import tomllib

    from jcs_sim.calibrate import Simulator, resolve_priors
    from jcs_sim.config import load_config

    acme = Path(__file__).resolve().parents[1] / "examples" / "acme"
    people = {p["name"] for p in tomllib.loads((acme / "organisation.toml").read_text())["people"]}
    cfg = load_config(acme / "acme.toml")
    history = read_history(acme.parent / "history_example.csv")
    sim = Simulator(cfg, resolve_priors(["investigation.base_minutes"], None), history, batch=2)
    summaries = sim.simulate({"investigation.base_minutes": 8.0}, np.random.default_rng(1))
    assert len(summaries) == 2
    assert all(r["name"] in people for s in summaries for r in s["responders"])


def test_a_cluster_that_loses_a_worker_mid_calibration_gives_one_line_and_keeps_the_generations():
    """A worker killed mid-run (Dask's KilledWorker) ends in one line saying how to resume, not a traceback."""
    from distributed import KilledWorker

    from jcs_sim.calibrate import _make_sampler

    class LosingClient:
        def nthreads(self) -> dict:
            return {"tcp://w1": 1}

        def submit(self, *args, **kwargs):
            return None

        def gather(self, futures):
            raise KilledWorker("chunk", "tcp://w1")

    sampler = _make_sampler(1, 0, False, LosingClient())
    with pytest.raises(ConfigError, match="lost a worker or the scheduler .*KilledWorker.*run the same command to resume"):
        sampler._map(lambda: None, [1, 2])
