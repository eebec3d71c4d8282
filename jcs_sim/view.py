"""What the mechanisms see of an incident: a narrow, typed view of the model's state.

Why: actions, communication modes and the reading of messages need part of
the model's state and a few of its services (send a message, page someone,
record a conclusion). Typing them against this protocol, instead of
importing :class:`jcs_sim.model.IncidentModel`, keeps the core free of
import circles and says exactly what a mechanism may touch; the model is
the only class that implements it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from .communication import Content, Message
    from .modes import Mode
    from .relationships import FamiliarityRows
    from .responders import Responder
    from .system import Fault, ServiceGraph, SystemState

__all__ = ["IncidentView"]


class IncidentView(Protocol):
    """The state and services of one incident that mechanisms use (implemented by ``IncidentModel``)."""

    cfg: dict[str, Any]
    minute: int
    is_night: bool
    sg: ServiceGraph
    fault: Fault
    system: SystemState
    people: list[Responder]
    commander: Responder | None
    comms: Responder | None
    active_idx: list[int]
    n_active: int
    pageable: list[Responder]
    pressure: float
    coord_factor: float
    write_base: float
    fam: FamiliarityRows  # familiarity[i][j] as Python lists (rows made when first read)
    familiarity: np.ndarray
    familiarity0: np.ndarray
    messages: list[Message]
    message_importance: list[float]  # importance of each message's kind, by message id
    open_misreads: dict[tuple[int, int], int]
    read_as_meant: set[tuple[int, int]]
    read_as_misread: set[tuple[int, int]]
    read_right_readers: set[int]
    counts: dict[str, int]
    events: list[tuple[int, str, str]]
    distance_to_root: np.ndarray
    importance: dict[str, float]  # kind of message -> how much it matters to others
    beliefs: Any  # the [beliefs] section as attributes
    fixation: Any  # the [fixation] section as attributes
    ties_version: int  # bumped when a tie changes during the incident
    mode: Mode

    def send(self, r: Responder, c: Content, route_override: tuple[str, tuple[int, ...]] | None = None) -> Message: ...

    def page(self, p: Responder, by: Responder | None) -> None: ...

    def conclude(self, r: Responder, c: Content) -> None: ...

    def post_to_stakeholders(self, r: Responder, says: str, service: int) -> Message: ...

    def write_minutes(self, r: Responder) -> float: ...
