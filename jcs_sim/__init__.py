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
"""

from ._version import __version__
from .config import ConfigError, default_config, load_config  # noqa: E402
from .model import IncidentModel  # noqa: E402


def run(cfg: dict | None = None, seed: int = 0, record_trace: bool = False) -> dict:
    """Run one incident and return its summary (the happy path in one line)."""
    return IncidentModel(cfg, seed=seed, record_trace=record_trace).run().summary()


__all__ = ["IncidentModel", "ConfigError", "default_config", "load_config", "run", "__version__"]
