"""Communication modes: who receives a message, what a newcomer catches up on, what a mode costs.

Why one object per mode: a mode used to live in four places (the config's
choices, the routing function, the model's catch-up, the direct-only cost of
sharing). Each mode is now one class; :data:`MODES` is the registry from
which the config's allowed values come. Adding a mode is one class and one
entry.

- ``channel``: everyone posts to one shared channel; newcomers read its recent backlog.
- ``commander``: findings go to the incident commander, who relays; the
  commander's own messages go to everyone; newcomers read the commander's last few.
- ``direct``: findings go by direct message to whom the sender believes needs
  them (the active person believed to know the service best, and the
  commander); newcomers read nothing; sharing costs more the less the sender
  knows the others (a direct message to a stranger is an imposition).

Status updates always go to the channel, and nothing is routed when nobody
else is active.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .communication import Content
    from .responders import Responder
    from .view import IncidentView

__all__ = ["Mode", "MODES", "MODE_NAMES", "make_mode"]

Route = tuple[str, tuple[int, ...]]  # (how: channel | dm, recipients)


class Mode:
    """Base class: the rules every mode shares, and hooks a mode overrides."""

    name: ClassVar[str] = ""
    assign_route: ClassVar[str] = "dm"  # how a commander's assignment travels

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = cfg

    def route(self, m: IncidentView, sender: Responder, content: Content) -> Route:
        """Who receives ``content`` from ``sender``."""
        if content.kind == "assign":
            return self.assign_route, (content.detail,)
        active = [r.idx for r in m.people if r.state == "active" and r.idx != sender.idx]
        if content.kind == "status" or not active:
            return "channel", tuple(active)
        return self.route_finding(m, sender, content, active)

    def route_finding(self, m: IncidentView, sender: Responder, content: Content, active: list[int]) -> Route:
        return "channel", tuple(active)

    def catch_up(self, m: IncidentView, r: Responder) -> list[int]:
        """Ids of the messages a newcomer reads on joining."""
        return []

    def share_social_cost(self, m: IncidentView, r: Responder) -> float:
        """The 'social_cost' component of sharing a finding (0 where posting costs nothing socially)."""
        return 0.0


def _backlog(m: IncidentView) -> list[int]:
    return [msg.id for msg in m.messages if msg.route == "channel"]


def _last(ids: list[int], n: int) -> list[int]:
    return ids[-n:] if n > 0 else []


class Channel(Mode):
    name = "channel"
    assign_route = "channel"

    def catch_up(self, m: IncidentView, r: Responder) -> list[int]:
        return _last(_backlog(m), self.cfg["communication"]["catch_up_channel"])


class CommanderHub(Mode):
    name = "commander"

    def route_finding(self, m: IncidentView, sender: Responder, content: Content, active: list[int]) -> Route:
        cmd = m.commander
        if sender.role == "commander" or cmd is None or cmd.state != "active":
            return "channel", tuple(active)
        return "dm", (cmd.idx,)

    def catch_up(self, m: IncidentView, r: Responder) -> list[int]:
        cmd = -1 if m.commander is None else m.commander.idx
        return _last([i for i in _backlog(m) if m.messages[i].sender == cmd], self.cfg["communication"]["catch_up_commander"])


class Direct(Mode):
    name = "direct"

    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__(cfg)
        self.share_cost = cfg["communication"]["direct_share_social_cost"]

    def route_finding(self, m: IncidentView, sender: Responder, content: Content, active: list[int]) -> Route:
        cmd = m.commander
        cmd_active = cmd is not None and cmd.state == "active"
        out: list[int] = []
        if content.service >= 0:
            knows = sender.knows_about(content.service)
            out.append(max(active, key=lambda j: (knows[j], -j)))
        if cmd_active and cmd.idx != sender.idx and cmd.idx not in out:
            out.append(cmd.idx)
        return "dm", tuple(out or active[:1])

    def share_social_cost(self, m: IncidentView, r: Responder) -> float:
        import numpy as np

        return -self.share_cost * float(np.mean(1.0 - m.familiarity[r.idx, m.active_idx]))


MODES: dict[str, type[Mode]] = {cls.name: cls for cls in (Channel, CommanderHub, Direct)}
MODE_NAMES: tuple[str, ...] = tuple(MODES)


def make_mode(cfg: dict[str, Any]) -> Mode:
    """The mode object for ``cfg``'s communication.mode."""
    return MODES[cfg["communication"]["mode"]](cfg)
