"""Parameter sweeps: many incidents, streamed to Parquet, analysed with honest statistics.

Modules, in dependency order: ``design`` (the sweep TOML file: base config,
grid and sampled designs, replications, seeds), ``store`` (Parquet parts, the
manifest, resume), ``execute`` (a local process pool or Dask), ``stats``
(bootstrap CIs, effect sizes, Kaplan-Meier, SALib), ``report`` (HTML and a
summary JSON), ``interop`` (Mesa ``batch_run`` and EMA Workbench adapters),
``cli`` (``jcs-sim sweep`` and ``jcs-sim report``).

Importing this package imports none of dask, SALib, lifelines or plotly;
each is imported where it is used.
"""

__all__ = ["Sweep", "load_sweep", "run_seed", "run_sweep", "write_report"]


def __getattr__(name: str):
    """``Sweep``, ``load_sweep`` and ``run_seed`` on first use: ``jcs-sim run`` imports this package for its CLI only."""
    if name in ("Sweep", "load_sweep", "run_seed"):
        from . import design

        return getattr(design, name)
    raise AttributeError(f"module 'jcs_sim.sweep' has no attribute {name!r}")


def run_sweep(*args, **kwargs):
    """Run (or resume) a sweep; see :func:`jcs_sim.sweep.execute.run_sweep`."""
    from .execute import run_sweep as _run

    return _run(*args, **kwargs)


def write_report(*args, **kwargs):
    """Write the HTML report and summary JSON; see :func:`jcs_sim.sweep.report.write_report`."""
    from .report import write_report as _write

    return _write(*args, **kwargs)
