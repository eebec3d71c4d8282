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

With ``organisation.file`` in the config (``jcs-sim viz examples/acme/acme.toml``)
every incident is staffed from the organisation file exactly as ``jcs-sim run``
does (:func:`jcs_sim.organisation.incident_model`): its people, on-call
rotations, familiarity and knowledge. :class:`OrgSource` says what the file
sets instead of the app's settings; a setting it replaces (the familiarity
keys, when the file gives the ties) is not applied, by a control or by a
preset, and the page says so, so no setting is silently ignored.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import SCHEMA, ConfigError, Param, apply_overrides, default_config, load_config
from ..organisation import incident_model, org_for

__all__ = [
    "Preset",
    "PRESETS",
    "Control",
    "CONTROLS",
    "apply_preset",
    "control_overrides",
    "parse_seed",
    "check_runnable",
    "in_words",
    "Lesson",
    "literal",
    "OrgSource",
    "org_source",
    "model_for",
    "FAMILIARITY_KEYS",
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
    least: int | None = None  # the least value that runs with the presets, when above the schema's (team size: 1)
    below_least: str = ""  # what a value below ``least`` does, in a class's words

    @property
    def param(self) -> Param:
        sec, name = self.key.split(".")
        return SCHEMA[sec][name]

    @property
    def widget(self) -> str:
        p = self.param
        return "select" if p.choices is not None else ("checkbox" if p.kind is bool else "text")

    def hint(self) -> str:
        """Allowed values and unit, from the schema (shown under the field); from ``least`` where it is higher.

        Why ``least``: team size 0 is a valid value of the key, but with the
        presets' rosters it leaves teams with nobody on call and the app
        refuses it; a hint that said "from 0" under a message that refused 0
        contradicted it.
        """
        p = self.param
        if self.least is not None and p.low is not None and self.least > p.low and p.high is not None:
            word = "an integer" if p.kind is int else "a number"
            return f"{word} from {self.least:g} to {p.high:g}" + (f" ({p.unit})" if p.unit else "") + f"; {self.below_least}"
        return p.allowed() + (f" ({p.unit})" if p.unit else "")

    def value(self, cfg: dict[str, Any]) -> Any:
        sec, name = self.key.split(".")
        return cfg[sec][name]


CONTROLS: tuple[Control, ...] = (
    Control("responders.sme_per_team", "Team size: experts per other team", 1, "0 leaves teams with nobody on call"),
    Control("relationships.within_team", "Familiarity within a team"),
    Control("relationships.across_team", "Familiarity across teams"),
    Control("communication.mode", "Communication mode"),
    Control("communication.structured_updates", "Structured (templated) updates"),
    Control("run.start_hour", "Fatigue: clock hour of the first alert"),
    Control("responders.hours_awake", "Fatigue: hours awake at the first alert"),
)


# The keys that generate familiarity from team structure (relationships.draw_tie): an organisation file's own ties replace them all.
FAMILIARITY_KEYS: tuple[str, ...] = tuple(f"relationships.{k}" for k in SCHEMA["relationships"] if k not in ("file", "transactive_noise"))


def _shown(path: Path) -> str:
    """A file's path as the teacher typed it: relative to the working directory when under it."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except (OSError, ValueError):
        return str(path)


@dataclass(frozen=True)
class OrgSource:
    """What the config's organisation file sets instead of the app's settings (None without one: see :func:`org_source`).

    Why the page needs it: the roster, ties and knowledge of an organisation's
    incident come from the file, so a control or a preset that changes what the
    file replaces would be silently ignored. ``replaced`` maps each such key to
    why; its control is disabled and its preset override is not applied.
    """

    path: str  # the organisation file, as shown
    name: str  # the organisation's name in the file
    people: int
    ties: str | None  # the file's own ties (a relationships file), or None: generated from the familiarity settings
    history: str | None  # past incidents that add to the ties, or None
    replaced: dict[str, str] = field(default_factory=dict)  # key -> why it does not apply

    @property
    def set_by(self) -> str:
        return f"set by the organisation file {self.path}"

    def note(self) -> str:
        """What the file sets, in one sentence (the header's note and the settings' first line; plain text)."""
        fam = (
            f"familiarity from its ties ({self.ties})"
            if self.ties
            else "familiarity generated from the familiarity settings below for its people"
        )
        if self.history:
            fam += f", plus past incidents ({self.history})"
        return f"People, teams, on-call rotations, experience and knowledge: {self.set_by} ({self.name}, {self.people} people); {fam}."

    def control_note(self, key: str) -> str | None:
        """How the organisation changes a control: why it is disabled, or what it still does; None if it is unaffected."""
        if key in self.replaced:
            return self.replaced[key]
        if key == "responders.sme_per_team":
            return "at most each team's engineers in the organisation file"
        if key in FAMILIARITY_KEYS and self.history:
            return f"for the organisation's people; past incidents ({self.history}) add to it"
        return None


def org_source(cfg: dict[str, Any]) -> OrgSource | None:
    """The organisation file of ``cfg`` as the page describes it, or None without ``organisation.file``.

    Reads the file (a bad one is the same one-line :class:`ConfigError` as ``jcs-sim run``'s).
    """
    org = org_for(cfg, 0)
    if org is None or org.file is None:
        return None
    f = org.file
    ties = f.relationships.name if f.relationships is not None else None
    replaced = {k: f"set by the organisation file's ties ({ties})" for k in FAMILIARITY_KEYS} if ties else {}
    return OrgSource(
        path=_shown(f.path),
        name=f.name,
        people=len(org.people),
        ties=ties,
        history=f.history.name if f.history is not None else None,
        replaced=replaced,
    )


def model_for(cfg: dict[str, Any], seed: int, record_trace: bool = True) -> Any:
    """An unrun incident of ``cfg`` and ``seed``, staffed as ``jcs-sim run`` staffs it (from the organisation file when set).

    Why one function: the page, the replays, the settings check and the
    "What if read right?" replay must all build the same incident, or a
    replay would not be the run on screen.
    """
    return incident_model(cfg, seed=seed, record_trace=record_trace)


def literal(value: Any) -> str:
    """A config value as the text a control shows (and ``--set`` accepts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def skipped_overrides(key: str, replaced: dict[str, str] | None) -> list[str]:
    """The preset's overrides of keys an organisation file replaces: not applied, and listed on the page."""
    return [o for o in PRESETS[key].overrides if replaced and o.split("=", 1)[0].strip() in replaced] if key in PRESETS else []


def apply_preset(cfg: dict[str, Any], key: str, replaced: dict[str, str] | None = None) -> dict[str, Any]:
    """``cfg`` with the preset's overrides applied (a new, validated dict), except those of keys in ``replaced``.

    Why skip and not refuse: a preset is a story (the 3AM page, the failover);
    on an organisation whose file gives the ties, its other settings still tell
    it, and the page lists the ones not applied (:func:`skipped_overrides`).
    """
    if key not in PRESETS:
        raise ConfigError(f"preset {key!r} does not exist; presets: {', '.join(PRESETS)}.")
    skipped = set(skipped_overrides(key, replaced))
    return apply_overrides(cfg, [o for o in PRESETS[key].overrides if o not in skipped], where=f"preset '{key}'")


def control_overrides(values: dict[str, Any], cfg: dict[str, Any], replaced: dict[str, str] | None = None) -> list[str]:
    """``--set`` strings for the controls whose value differs from ``cfg`` (unknown keys are rejected).

    Controls of keys in ``replaced`` (set by an organisation file) are disabled on the page; a value for one is not applied.
    """
    known = {c.key: c for c in CONTROLS}
    out = []
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"control {key!r} does not exist; controls: {', '.join(known)}.")
        if replaced and key in replaced:
            continue
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
    the teacher then sees a one-line message (the command line's, or for
    teams with nobody on call the same in the app's words, :func:`in_words`)
    instead of a page replaced by a traceback. Any other failure becomes a
    :class:`ConfigError` that names it.
    """
    try:
        model_for(cfg, seed, record_trace=False)
    except ConfigError as exc:
        words = in_words(str(exc))
        if words == str(exc):
            raise
        raise ConfigError(words) from exc
    except Exception as exc:  # a bug in the model for this corner of the settings: say so, do not crash the page
        raise ConfigError(f"these settings cannot be run ({type(exc).__name__}: {exc}).") from exc


_UNSTAFFED = re.compile(r"team\(s\) (.+?) own services but have no responder \(ops or sme\) on call")


def in_words(message: str) -> str:
    """A model's refusal in words a class can act on, naming the field to change; other messages as they are.

    Why: the model's message for team size 0 ("... add one to
    responders.roster, raise responders.sme_per_team, or set
    responders.allow_unstaffed_teams = true ...") is right for a config
    file, but names keys a student cannot see in the app.
    """
    m = _UNSTAFFED.search(message)
    if m is None:
        return message
    teams = [t.strip() for t in m.group(1).split(",")]
    named = teams[0] if len(teams) == 1 else f"{', '.join(teams[:-1])} and {teams[-1]}"
    label = next(c.label for c in CONTROLS if c.key == "responders.sme_per_team")
    return (
        f"the {named} team{'s' if len(teams) > 1 else ''} would have nobody on call, so nobody could work on "
        f'{"its" if len(teams) == 1 else "their"} services. Set "{label}" to 1 or more.'
    )


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
    org: OrgSource | None = None  # the base config's organisation file, read once (None: generated people)

    def __post_init__(self) -> None:
        if self.org is None:
            self.org = org_source(self.base)
        if not self.cfg:
            self.cfg = apply_preset(self.base, self.preset, self.replaced)

    @property
    def replaced(self) -> dict[str, str]:
        """Keys the organisation file sets instead of the settings and presets (empty without one)."""
        return self.org.replaced if self.org is not None else {}

    def skipped(self) -> list[str]:
        """The current preset's overrides that the organisation file replaces (not applied; the page lists them)."""
        return skipped_overrides(self.preset, self.replaced)

    @classmethod
    def from_config_file(cls, path: str | None) -> Lesson:
        """A lesson whose presets apply on top of a config file (``jcs-sim viz CONFIG``)."""
        return cls(base=load_config(path or None))

    def choose(self, preset: str, values: dict[str, Any] | None = None, seed: Any = None) -> None:
        """Switch to ``preset`` with control ``values`` on top and ``seed``; all or nothing."""
        cfg = apply_preset(self.base, preset, self.replaced)
        sets = control_overrides(values or {}, cfg, self.replaced)
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
        changed = control_overrides(self.control_values(), apply_preset(self.base, self.preset, self.replaced), self.replaced)
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
        done = self.replayed()
        cfg = self.cfg
        used = {s["seed"] for s in done} | {self.seed}
        seed = 0
        for i in range(n):
            while seed in used:
                seed += 1
            used.add(seed)
            done.append(model_for(cfg, seed, record_trace=False).run().summary())
            if progress is not None:
                progress(i + 1, n)
        return done
