"""jcs-sim: agent-based simulation of joint cognitive incident teams.

Modules, in dependency order (reading this list top to bottom shows the
architecture): ``param`` and ``parameters`` (every behavioural number, with
its provenance), ``modes`` (channel / commander / direct), ``config`` (the
one schema), ``streams`` (named random streams), ``system`` (services,
fault, remediations), ``relationships`` (familiarity), ``responders``
(people and beliefs), ``communication`` (messages, misreading),
``connective`` (ties and repairs), ``actions`` (one class per action: its
candidates with named g components, its effects), ``goodness`` (g),
``view`` (what mechanisms see of the model), ``model`` (the Mesa model),
``results`` (tables), ``explain`` (why A over B), ``cli``.

Importing the package is cheap on purpose: ``IncidentModel`` (and with it
Mesa, pandas and scipy) is imported on first use, so ``jcs-sim --version``
and ``--help`` answer at once (see docs/performance.md, "Start-up").
"""

import sys

if sys.version_info < (3, 12):  # noqa: UP036 - first, so an older Python gets this line, not a SyntaxError
    raise ImportError(
        f"jcs-sim needs Python 3.12 or later; this is Python {sys.version.split()[0]} ({sys.executable}). "
        "Create the environment with python3.12 (the repository's .python-version selects it for pyenv)."
    )

from ._version import __version__  # noqa: E402
from .config import ConfigError, default_config, load_config  # noqa: E402

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .model import IncidentModel


def run(cfg: dict | None = None, seed: int = 0, record_trace: bool = False) -> dict:
    """Run one incident and return its summary (the happy path in one line); on an organisation file's people when one is set."""
    from .config import default_config
    from .organisation import incident_model

    return incident_model(cfg if cfg is not None else default_config(), seed=seed, record_trace=record_trace).run().summary()


def __getattr__(name: str):
    """``jcs_sim.IncidentModel`` on first use: importing it loads Mesa, which costs about a second."""
    if name == "IncidentModel":
        from .model import IncidentModel

        return IncidentModel
    raise AttributeError(f"module 'jcs_sim' has no attribute {name!r}")


__all__ = ["IncidentModel", "ConfigError", "default_config", "load_config", "run", "__version__"]
