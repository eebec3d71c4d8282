"""Detection: when the incident is noticed and the first page goes out.

Why a phase of its own: real incidents start before anyone is paged. The
fault shows at minute 0; the monitoring crosses its threshold after a delay
(a per-minute hazard while the fault's symptoms show, ``detection.alert_minutes``),
or misses the incident altogether (``detection.miss_prob``), in which case
customers' reports reach the on-call (a hazard while users are hurting,
``detection.report_minutes``). Whichever comes first is the detection; its
minute is ``time_to_detect``. With it, an unrelated alert may fire on another
user-facing service (a red herring the team must rule out). All draws are
on the ``detection`` stream.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .streams import Streams

if TYPE_CHECKING:
    from .system import Fault, ServiceGraph, SystemState

__all__ = ["Monitor"]


def _hazard(mean_minutes: float) -> float:
    """Per-minute chance of an event whose waiting time has this mean (0: at once)."""
    return 1.0 if mean_minutes <= 0 else 1.0 - math.exp(-1.0 / mean_minutes)


class Monitor:
    """The monitoring and the customers, until the incident is detected."""

    def __init__(self, cfg: dict[str, Any], sg: ServiceGraph, fault: Fault, streams: Streams) -> None:
        dc = cfg["detection"]
        self.rng = streams.get("detection")
        self.missed = bool(self.rng.random() < dc["miss_prob"])
        self.alert_hazard = _hazard(dc["alert_minutes"])
        self.report_hazard = _hazard(dc["report_minutes"])
        self.unrelated_minutes = int(dc["unrelated_alert_minutes"])
        self.unrelated = -1
        if self.rng.random() < dc["unrelated_alert_prob"]:
            others = np.flatnonzero(sg.alerting & ~fault.impacted)
            if others.size:
                self.unrelated = int(others[int(self.rng.integers(others.size))])
        self.detected_at: int | None = None
        self.how = ""  # "alert" or "customer report"

    def check(self, minute: int, system: SystemState) -> bool:
        """Whether the incident is detected at ``minute`` (True once, at the detection)."""
        if self.detected_at is not None:
            return False
        u = self.rng.random(2)
        fault_shows = system.user_impact
        if not self.missed and fault_shows and u[0] < self.alert_hazard:
            self.how = "alert"
        elif fault_shows and u[1] < self.report_hazard:
            self.how = "customer report"
        else:
            return False
        self.detected_at = minute
        if self.unrelated >= 0:
            system.unrelated_alert(self.unrelated, minute + self.unrelated_minutes)
        return True
