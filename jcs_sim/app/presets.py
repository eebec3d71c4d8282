"""Scenario presets and the app's controls, as ``--set``-style overrides on the one config schema.

Why overrides and not config dicts: a preset is then exactly what a student
could type at the command line (``jcs-sim run --set fault.type=...``), it is
validated by :func:`jcs_sim.config.apply_overrides` like any other input, and
it never re-declares a default or a bound: those live in
:data:`jcs_sim.config.SCHEMA` alone. The app's controls are schema keys too;
their widgets, labels and allowed values are read from the schema.

This module has no UI code: :class:`Lesson` is the per-browser-session state
(base config, preset, control values, seed, replayed runs) that the page in
:mod:`jcs_sim.app.app` reads and writes, and that the tests drive directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..config import SCHEMA, ConfigError, Param, apply_overrides, default_config, load_config

__all__ = [
    "Preset",
    "PRESETS",
    "Control",
    "CONTROLS",
    "apply_preset",
    "control_overrides",
    "parse_seed",
    "check_runnable",
    "Lesson",
    "literal",
]


@dataclass(frozen=True)
class Preset:
    """A named scenario: a title, a one-line story, and the overrides that make it."""

    key: str
    title: str
    story: str
    overrides: tuple[str, ...] = ()


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset(
            "default",
            "The default incident",
            "An afternoon alert on one team's service; the cause sits in another team's corner, and the on-call must find who knows it.",
        ),
        Preset(
            "failover",
            "The failover story",
            "A dependency outage that only a failover fixes, a tool that misreports half the time, and a support on-call "
            'who barely knows the other teams and may read "failover didn\'t work" as "they are out of ideas".',
            (
                "fault.type=dependency_outage",
                "incident.novel_share=0.0",
                "remediation.misleading_report_prob=0.5",
                "relationships.across_team=0.1",
                "relationships.across_density=0.15",
                "responders.include_support=true",
            ),  # the same story as configs/failover_story.toml
        ),
        Preset(
            "3am",
            "The 3AM page to a stranger",
            "The alert fires at 03:00 after a 20-hour day; the on-call wakes up and must page people on other teams they have barely met.",
            (
                "run.start_hour=3.0",
                "responders.hours_awake=20.0",
                "relationships.across_team=0.1",
                "relationships.across_density=0.15",
            ),  # the same story as configs/three_am_page.toml
        ),
        Preset(
            "big",
            "A big incident with too many people",
            "Three experts from every other team can be paged: more knowledge in the room, and more messages, "
            "interruptions and coordination cost for everyone.",
            ("responders.sme_per_team=3",),
        ),
    )
}


@dataclass(frozen=True)
class Control:
    """One setting a teacher can change in the app: a schema key and a short label.

    The widget follows the schema: a choice list for keys with choices, a
    checkbox for booleans, a text field (typed values, validated) otherwise.
    """

    key: str  # section.key in SCHEMA
    label: str

    @property
    def param(self) -> Param:
        sec, name = self.key.split(".")
        return SCHEMA[sec][name]

    @property
    def widget(self) -> str:
        p = self.param
        return "select" if p.choices is not None else ("checkbox" if p.kind is bool else "text")

    def hint(self) -> str:
        """Allowed values and unit, from the schema (shown under the field)."""
        p = self.param
        return p.allowed() + (f" ({p.unit})" if p.unit else "")

    def value(self, cfg: dict[str, Any]) -> Any:
        sec, name = self.key.split(".")
        return cfg[sec][name]


CONTROLS: tuple[Control, ...] = (
    Control("responders.sme_per_team", "Team size: experts per other team"),
    Control("relationships.within_team", "Familiarity within a team"),
    Control("relationships.across_team", "Familiarity across teams"),
    Control("communication.mode", "Communication mode"),
    Control("communication.structured_updates", "Structured (templated) updates"),
    Control("run.start_hour", "Fatigue: clock hour of the first alert"),
    Control("responders.hours_awake", "Fatigue: hours awake at the first alert"),
)


def literal(value: Any) -> str:
    """A config value as the text a control shows (and ``--set`` accepts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def apply_preset(cfg: dict[str, Any], key: str) -> dict[str, Any]:
    """``cfg`` with the preset's overrides applied (a new, validated dict)."""
    if key not in PRESETS:
        raise ConfigError(f"preset {key!r} does not exist; presets: {', '.join(PRESETS)}.")
    return apply_overrides(cfg, list(PRESETS[key].overrides), where=f"preset '{key}'")


def control_overrides(values: dict[str, Any], cfg: dict[str, Any]) -> list[str]:
    """``--set`` strings for the controls whose value differs from ``cfg`` (unknown keys are rejected)."""
    known = {c.key: c for c in CONTROLS}
    out = []
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"control {key!r} does not exist; controls: {', '.join(known)}.")
        text = literal(value).strip() if not isinstance(value, str) else value.strip()
        if text != literal(known[key].value(cfg)):
            out.append(f"{key}={text}")
    return out


def parse_seed(text: Any) -> int:
    """A run seed typed into the app: an integer >= 0, or a ConfigError that says so."""
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ConfigError(f"seed {str(text)!r} is not an integer; allowed: an integer >= 0.") from None
    if value < 0:
        raise ConfigError(f"seed {value} is negative; allowed: an integer >= 0.")
    return value


def check_runnable(cfg: dict[str, Any], seed: int) -> None:
    """Build the model once: a config each of whose values is allowed can still be impossible as a whole.

    Why: team size 0 is a valid value of ``responders.sme_per_team``, but
    with the default roster it leaves teams with nobody on call, which only
    the model's constructor detects. Building costs a few milliseconds, and
    the teacher then sees the same one-line message as on the command line
    instead of a page replaced by a traceback. Any other failure becomes a
    :class:`ConfigError` that names it.
    """
    from ..model import IncidentModel

    try:
        IncidentModel(cfg, seed=seed, record_trace=False)
    except ConfigError:
        raise
    except Exception as exc:  # a bug in the model for this corner of the settings: say so, do not crash the page
        raise ConfigError(f"these settings cannot be run ({type(exc).__name__}: {exc}).") from exc


@dataclass
class Lesson:
    """One browser session's scenario: what the next model is built from, and replayed runs.

    ``cfg`` and ``seed`` always hold the last *valid* scenario: a bad value
    typed into a control raises :class:`ConfigError` from :meth:`choose`, and
    the running model and this state stay as they were.
    """

    base: dict[str, Any] = field(default_factory=default_config)
    preset: str = "default"
    seed: int = 0
    cfg: dict[str, Any] = field(default_factory=dict)
    replays: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # scenario key -> run summaries
    pinned: tuple[str, str] | None = None  # (scenario key, label) the histogram compares with, or None

    def __post_init__(self) -> None:
        if not self.cfg:
            self.cfg = apply_preset(self.base, self.preset)

    @classmethod
    def from_config_file(cls, path: str | None) -> Lesson:
        """A lesson whose presets apply on top of a config file (``jcs-sim viz CONFIG``)."""
        return cls(base=load_config(path or None))

    def choose(self, preset: str, values: dict[str, Any] | None = None, seed: Any = None) -> None:
        """Switch to ``preset`` with control ``values`` on top and ``seed``; all or nothing."""
        cfg = apply_preset(self.base, preset)
        sets = control_overrides(values or {}, cfg)
        if sets:
            cfg = apply_overrides(cfg, sets, where="settings")
        new_seed = self.seed if seed is None else parse_seed(seed)
        check_runnable(cfg, new_seed)
        self.preset, self.cfg, self.seed = preset, cfg, new_seed

    def control_values(self) -> dict[str, Any]:
        """The current scenario's value of every control (what the fields show)."""
        return {c.key: c.value(self.cfg) if c.widget != "text" else literal(c.value(self.cfg)) for c in CONTROLS}

    def scenario_key(self) -> str:
        """Identifies the scenario (config without the seed): replays are kept per scenario."""
        return json.dumps(self.cfg, sort_keys=True)

    def label(self) -> str:
        """The scenario in words: the preset's title and each setting changed on top of it (what a class compares)."""
        changed = control_overrides(self.control_values(), apply_preset(self.base, self.preset))
        return PRESETS[self.preset].title + (f" with {', '.join(changed)}" if changed else "")

    def pin(self) -> None:
        """Keep this scenario's replays on the histogram while another scenario is explored."""
        self.pinned = (self.scenario_key(), self.label())

    def unpin(self) -> None:
        self.pinned = None

    def compared(self) -> tuple[str, list[dict[str, Any]]] | None:
        """(label, replayed runs) of the pinned scenario when it differs from the current one, else None."""
        if self.pinned is None or self.pinned[0] == self.scenario_key():
            return None
        key, label = self.pinned
        return label, self.replays.get(key, [])

    def replayed(self) -> list[dict[str, Any]]:
        return self.replays.setdefault(self.scenario_key(), [])

    def replay(self, n: int = 50, progress=None) -> list[dict[str, Any]]:
        """Run ``n`` more seeds of this scenario (not the current seed) and keep their summaries.

        Seeds are taken in order 1, 2, 3, ... skipping the session's own seed,
        so the histogram is the same for everyone who replays the same scenario.
        """
        from .. import IncidentModel

        done = self.replayed()
        cfg = self.cfg
        used = {s["seed"] for s in done} | {self.seed}
        seed = 0
        for i in range(n):
            while seed in used:
                seed += 1
            used.add(seed)
            done.append(IncidentModel(cfg, seed=seed, record_trace=False).run().summary())
            if progress is not None:
                progress(i + 1, n)
        return done
