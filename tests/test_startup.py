"""Start-up and the light install: what each command imports, and what it says when an extra is missing.

Timings belong in benchmarks (docs/performance.md, "Start-up"); these tests check the causes: ``--version``
and ``--help`` import no model library, the core commands import nothing from an extra, a command that
needs an extra names it, and an old Python gets one line naming the version needed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Top-level modules that only extras install (pyproject.toml): the core commands must not import them.
EXTRA_MODULES = (
    "solara",
    "ipyvue",
    "ipyvuetify",
    "uvicorn",
    "matplotlib",
    "plotly",
    "dask",
    "distributed",
    "SALib",
    "lifelines",
    "kaleido",
    "ema_workbench",
)

BLOCKER = textwrap.dedent(
    f"""
    import importlib.abc, sys
    class _Blocked(importlib.abc.MetaPathFinder):
        # as if the extras were not installed
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {EXTRA_MODULES!r}:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None
    sys.meta_path.insert(0, _Blocked())
    """
)


def python(code: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout)


def test_version_and_help_import_no_model_library():
    code = textwrap.dedent(
        """
        import contextlib, io, json, sys
        from jcs_sim.cli import main
        for argv in (["--version"], ["--help"], ["run", "--help"], ["sweep", "--help"]):
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    main(argv)
                except SystemExit:
                    pass
        heavy = sorted(m for m in ("mesa", "numpy", "pandas", "scipy", "pyarrow", "networkx", "jcs_sim.model") if m in sys.modules)
        print(json.dumps(heavy))
        """
    )
    proc = python(code)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_package_import_is_light_and_has_no_circle():
    proc = python("import sys, jcs_sim; print(jcs_sim.__version__, 'jcs_sim.model' in sys.modules, 'mesa' in sys.modules)")
    assert proc.returncode == 0, proc.stderr
    version, model_loaded, mesa_loaded = proc.stdout.split()
    assert f'__version__ = "{version}"' in (ROOT / "jcs_sim" / "_version.py").read_text()
    assert (model_loaded, mesa_loaded) == ("False", "False")
    # the model is a lazy attribute of the package (loaded here, where the test process has it already)
    import jcs_sim
    import jcs_sim.model

    assert jcs_sim.IncidentModel is jcs_sim.model.IncidentModel
    # no circle: the modules the model imports take the version from _version, not from the package root
    for name in ("results.py", "campaign.py", "sweep/store.py"):
        assert "from ._version import __version__" in (ROOT / "jcs_sim" / name).read_text().replace("from .._version", "from ._version")


def test_core_commands_need_no_extra(tmp_path):
    out = tmp_path / "run"
    code = BLOCKER + textwrap.dedent(
        f"""
        from jcs_sim.cli import main
        codes = [
            main(["run", "--set", "run.max_minutes=60", "--out", {str(out)!r}]),
            main(["explain", {str(out)!r}, "--responder", "Ana", "--minute", "10"]),
            main(["config", "show", "--bare"]),
            main(["campaign", "--days", "2", "--json"]),
        ]
        print("CODES", codes)
        """
    )
    proc = python(code)
    assert proc.returncode == 0, proc.stderr
    assert "CODES [0, 0, 0, 0]" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-2000:]


def test_a_missing_extra_is_named(tmp_path):
    code = BLOCKER + textwrap.dedent(
        """
        import sys
        from jcs_sim.cli import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    proc = python(code, "sweep", str(ROOT / "tests" / "data" / "sweeps" / "small.toml"), "--out", str(tmp_path / "o"), "--backend", "dask")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "needs the 'sweep' extra" in proc.stderr and "pip install 'jcs-sim[sweep]'" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_old_python_gets_one_clear_line():
    code = "import sys\nsys.version_info = (3, 11, 7, 'final', 0)\nimport jcs_sim"
    proc = python(code)
    assert proc.returncode != 0
    assert "jcs-sim needs Python 3.12 or later" in proc.stderr


def test_install_on_an_old_python_names_the_version():
    """pip imports the build backend in the target interpreter before resolving dependencies."""
    code = "import sys\nsys.version_info = (3, 11, 7, 'final', 0)\nsys.path.insert(0, 'build_backend')\nimport jcs_build"
    proc = python(code)
    assert proc.returncode == 1
    assert "jcs-sim needs Python 3.12 or later" in proc.stderr and "python3.12 -m venv" in proc.stderr
