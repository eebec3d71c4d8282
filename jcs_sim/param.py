"""One config key: its type, default, bounds or choices, unit, meaning and provenance.

Why a module of its own: the schema (:mod:`jcs_sim.config`) and the
declarations of behavioural parameters (:mod:`jcs_sim.parameters`) both need
it, and neither should import the other's dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Param"]


@dataclass(frozen=True)
class Param:
    """One config key: its type, default, bounds (inclusive) or choices, meaning, and where its value comes from."""

    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    unit: str = ""
    source: str = ""  # provenance: a citation, or the assumption and what it was checked against

    @property
    def kind(self) -> type:
        return type(self.default)

    def allowed(self) -> str:
        """Human words for the allowed values, used in error messages and docs."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return "a string"
        word = "an integer" if self.kind is int else "a number"
        if self.low is not None and self.high is not None:
            return f"{word} from {self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{word} >= {self.low:g}"
        return word
