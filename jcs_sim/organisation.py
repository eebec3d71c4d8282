"""An organisation: its people, their teams, rotations, skills, ties and knowledge.

Why one object for ``run`` and ``campaign``: an SRE lead describes their own
organisation once (an organisation file: people, teams, on-call rotations,
whole-organisation relationships, past incidents) and every mode takes from
it who is on call for an incident. A campaign keeps the same object for a
quarter and lets incidents, reviews, game days, decay and burnout change it;
``run`` builds it fresh for one incident. Without a file the people are
generated from team structure, exactly as campaigns always did (the same
draws from the same named streams, so fixed-seed campaigns do not move).

The incident model reads an organisation through the ``OrgView`` protocol of
:mod:`jcs_sim.model`: ``sg``, ``roster(fault)``, ``familiarity(roster)`` and
``knowledge(roster)``. The alert pages the on-call of the team owning the
first alerting service; the other teams' current on-calls are the SMEs.

The file format is described in ``docs/organisation.md``; every error names
the file, the key, the bad value and what is allowed.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .config import ROLES, ConfigError, read_toml
from .knowledge import CORNER_STREAM, knowledge_means
from .relationships import draw_tie, familiarity_matrix, load_relationship_file
from .responders import _name
from .streams import Streams
from .system import Fault, ServiceGraph, build_service_graph

__all__ = ["OrgFile", "Organisation", "load_org_file", "history_familiarity", "incident_model", "PERSON_ROLES"]

# Roles a person holds in the organisation: engineers are in their team's
# on-call rotation (ops when their team is alerted, SME otherwise); the others
# form the incident-commander, support and communications rotations.
PERSON_ROLES = ("engineer", "commander", "support", "comms")
POOLS = ("commander", "support", "comms")
TOP_KEYS = ("name", "relationships", "history", "teams", "people")
PERSON_KEYS = ("name", "team", "role", "experience", "knows")
TEAM_KEYS = ("name", "on_call")
assert set(POOLS) <= set(ROLES)


def _hint(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.5)
    return f" Did you mean '{close[0]}'?" if close else ""


def _some(names: list[str], n: int = 12) -> str:
    return ", ".join(names[:n]) + (f", ... ({len(names)} in all)" if len(names) > n else "")


@dataclass
class OrgFile:
    """An organisation file, read and checked against the service graph."""

    path: Path
    name: str
    people: list[dict[str, Any]]  # name, team, role, experience (or None), knows (service indices)
    on_call: dict[str, list[str]]  # team -> rotation order (names)
    pools: dict[str, list[str]]  # commander/support/comms -> rotation order
    relationships: Path | None = None
    history: Path | None = None
    teams_without_people: list[str] = field(default_factory=list)


def load_org_file(path: str | Path, sg: ServiceGraph, allow_unstaffed: bool = False) -> OrgFile:
    """Read an organisation file (TOML) and check every person, team and skill against the service graph."""
    path = Path(path)
    raw = read_toml(path, "organisation file")
    for k in raw:
        if k not in TOP_KEYS:
            raise ConfigError(f"{path}: unknown key '{k}'.{_hint(k, list(TOP_KEYS))} Allowed: {', '.join(TOP_KEYS)}.")
    teams = list(sg.team_names)
    services = {n: i for i, n in enumerate(sg.names)}
    by_team = {t: [i for i in range(sg.n) if sg.team_of[i] == j] for j, t in enumerate(teams)}
    people_raw = raw.get("people")
    if not isinstance(people_raw, list) or not people_raw or not all(isinstance(p, dict) for p in people_raw):
        raise ConfigError(f"{path}: key 'people' is missing or not an array of tables; allowed: one [[people]] table per person.")
    people: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, entry in enumerate(people_raw):
        at = f"people[{i}]"
        for k in entry:
            if k not in PERSON_KEYS:
                raise ConfigError(f"{path}: unknown key '{at}.{k}'.{_hint(k, list(PERSON_KEYS))} Allowed: {', '.join(PERSON_KEYS)}.")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{path}: key '{at}.name' = {name!r} is not allowed; allowed: a non-empty unique name.")
        at = f"people[{i}] ({name})"
        if name in seen:
            raise ConfigError(f"{path}: key '{at}.name' = {name!r} is used twice; allowed: unique names.")
        seen.add(name)
        role = entry.get("role", "engineer")
        if role not in PERSON_ROLES:
            raise ConfigError(
                f"{path}: key '{at}.role' = {role!r} is not allowed; allowed: one of {', '.join(map(repr, PERSON_ROLES))}.{_hint(str(role), list(PERSON_ROLES))}"
            )
        team = entry.get("team", "")
        if not isinstance(team, str):
            raise ConfigError(f"{path}: key '{at}.team' = {team!r} has the wrong type; allowed: a team name.")
        if role == "engineer" and team not in teams:
            raise ConfigError(
                f"{path}: key '{at}.team' = {team!r} is not allowed; allowed: a team that owns services ({', '.join(teams)}).{_hint(team, teams)}"
            )
        exp = entry.get("experience")
        if exp is not None and (isinstance(exp, bool) or not isinstance(exp, (int, float)) or not 0.0 <= exp <= 1.0):
            raise ConfigError(f"{path}: key '{at}.experience' = {exp!r} is not allowed; allowed: a number from 0 to 1.")
        knows_raw = entry.get("knows", [])
        if not isinstance(knows_raw, list) or not all(isinstance(k, str) for k in knows_raw):
            raise ConfigError(f"{path}: key '{at}.knows' = {knows_raw!r} is not allowed; allowed: a list of service or team names.")
        knows: set[int] = set()
        for k in knows_raw:
            if k in services:
                knows.add(services[k])
            elif k in by_team:
                knows.update(by_team[k])
            else:
                raise ConfigError(
                    f"{path}: key '{at}.knows' has {k!r}, which is neither a service nor a team of the service graph; "
                    f"allowed: a service name or one of the teams {', '.join(teams)}.{_hint(k, [*teams, *services])}"
                )
        people.append(dict(name=name, team=team, role=role, experience=None if exp is None else float(exp), knows=sorted(knows)))
    person = {p["name"]: p for p in people}
    on_call = {t: [p["name"] for p in people if p["role"] == "engineer" and p["team"] == t] for t in teams}
    teams_raw = raw.get("teams", [])
    if not isinstance(teams_raw, list) or not all(isinstance(t, dict) for t in teams_raw):
        raise ConfigError(f"{path}: key 'teams' must be an array of tables ([[teams]] with name and on_call).")
    for i, entry in enumerate(teams_raw):
        for k in entry:
            if k not in TEAM_KEYS:
                raise ConfigError(f"{path}: unknown key 'teams[{i}].{k}'.{_hint(k, list(TEAM_KEYS))} Allowed: {', '.join(TEAM_KEYS)}.")
        t = entry.get("name")
        if t not in teams:
            raise ConfigError(
                f"{path}: key 'teams[{i}].name' = {t!r} is not allowed; allowed: a team that owns services ({', '.join(teams)}).{_hint(str(t), teams)}"
            )
        order = entry.get("on_call")
        if not isinstance(order, list) or not order or not all(isinstance(n, str) for n in order):
            raise ConfigError(f"{path}: key 'teams[{i}].on_call' = {order!r} is not allowed; allowed: a non-empty list of {t}'s engineers.")
        for n in order:
            if n not in person or person[n]["role"] != "engineer" or person[n]["team"] != t:
                mates = [p["name"] for p in people if p["role"] == "engineer" and p["team"] == t]
                raise ConfigError(
                    f"{path}: key 'teams[{i}].on_call' has {n!r}, who is not an engineer of team {t!r}; allowed: {_some(mates) or 'none listed'}."
                    + _hint(n, mates)
                )
        if len(set(order)) != len(order):
            raise ConfigError(f"{path}: key 'teams[{i}].on_call' lists someone twice; allowed: each engineer once per rotation.")
        on_call[t] = list(order)
    unstaffed = [t for t in teams if not on_call[t]]
    if unstaffed and not allow_unstaffed:
        raise ConfigError(
            f"{path}: team(s) {', '.join(unstaffed)} own services but have no engineer in the organisation file; "
            "add people with that team, or set responders.allow_unstaffed_teams = true to study incidents nobody from there can join."
        )
    pools = {pool: [p["name"] for p in people if p["role"] == pool] for pool in POOLS}

    def file_key(key: str) -> Path | None:
        value = raw.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ConfigError(f"{path}: key '{key}' = {value!r} has the wrong type; allowed: a file path (relative to {path.parent}).")
        p = Path(value) if Path(value).is_absolute() else (path.parent / value).resolve()
        if not p.is_file():
            raise ConfigError(f"{path}: key '{key}' = {value!r}: no such file ({p}).")
        return p

    name = raw.get("name", path.stem)
    return OrgFile(path, str(name), people, on_call, pools, file_key("relationships"), file_key("history"), unstaffed)


def history_familiarity(path: Path, names: list[str], gain: float, half_life_days: float) -> np.ndarray:
    """Familiarity built by past incidents worked together, from a CSV of incidents and their participants.

    Columns: ``participants`` (names separated by ``;``), optional ``date``
    (YYYY-MM-DD) and ``incident`` (an id, used in messages). In date order,
    each incident adds ``gain * (1 - w)`` to the tie of every pair of its
    participants (the same rule as a game day or a connective exchange);
    between incidents, what was added decays with ``half_life_days`` (ties
    without contact fade). The result is as of the latest incident.
    """
    idx = {n: i for i, n in enumerate(names)}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the history file: {exc}.") from None
    reader = csv.DictReader(text.splitlines())
    cols = reader.fieldnames or []
    if "participants" not in cols:
        raise ConfigError(
            f"{path}: the history CSV has no 'participants' column (columns: {', '.join(cols) or 'none'}); allowed: incident,date,participants."
        )
    rows: list[tuple[dt.date | None, int, list[int]]] = []
    for line, row in enumerate(reader, start=2):
        label = row.get("incident") or f"line {line}"
        date = None
        if "date" in cols:
            try:
                date = dt.date.fromisoformat((row.get("date") or "").strip())
            except ValueError:
                raise ConfigError(f"{path}: line {line} ({label}): date {row.get('date')!r} is not allowed; allowed: YYYY-MM-DD.") from None
        who = []
        for n in (x.strip() for x in (row.get("participants") or "").split(";")):
            if not n:
                continue
            if n not in idx:
                raise ConfigError(
                    f"{path}: line {line} ({label}): participant {n!r} is not in the organisation file "
                    f"(a typo, or someone who left? remove them from the CSV).{_hint(n, names)}"
                )
            who.append(idx[n])
        rows.append((date, line, sorted(set(who))))
    if not rows:
        raise ConfigError(f"{path}: the history CSV has no incidents; allowed: one row per past incident.")
    rows.sort(key=lambda r: (r[0] or dt.date.min, r[1]))
    rate = math.log(2.0) / half_life_days if half_life_days > 0 else 0.0
    h = np.zeros((len(names), len(names)))
    last: dt.date | None = None
    for date, _, who in rows:
        if last is not None and date is not None and rate:
            h *= math.exp(-rate * (date - last).days)
        last = date if date is not None else last
        ix = np.array(who, dtype=int)
        if ix.size > 1:
            block = h[np.ix_(ix, ix)]
            h[np.ix_(ix, ix)] = block + gain * (1.0 - block)
    np.fill_diagonal(h, 0.0)
    return h


class Organisation:
    """The people, their ties, knowledge and burnout; who is on call in each shift.

    ``Organisation(cfg, streams)`` reads ``organisation.file`` if set, else
    generates ``campaign.team_size`` engineers per team and the commander,
    support and comms rotations. ``campaign=False`` builds it for one incident
    of ``run`` (the shift is ``organisation.rotation_slot``, people have been
    awake ``responders.hours_awake``).
    """

    def __init__(self, cfg: dict[str, Any], streams: Streams, campaign: bool = True) -> None:
        self.cfg = cfg
        self.campaign = campaign
        cc, rc = cfg["campaign"], cfg["responders"]
        self.sg: ServiceGraph = build_service_graph(cfg, streams)
        rng = streams.get("campaign.people")
        self.file: OrgFile | None = None
        if cfg["organisation"]["file"]:
            self.file = load_org_file(cfg["organisation"]["file"], self.sg, rc["allow_unstaffed_teams"])
            self._from_file(self.file)
            self.offset = {t: 0 for t in self.sg.team_names}  # the file's rotation order, as written
        else:
            self._generate(cc, rc)
            self.offset = {t: i for i, t in enumerate(self.sg.team_names)}  # staggered, as campaigns always were
        n = len(self.people)
        self.index = {p["name"]: i for i, p in enumerate(self.people)}
        self.fam = self._ties(rng)
        # Each team's services dealt out among all its members (knowledge.corners); skills known as well as one's corner.
        mean_k = knowledge_means(rc, [p["team"] for p in self.people], self.sg, streams.get(CORNER_STREAM))
        for i, p in enumerate(self.people):
            mean_k[i, p.get("knows", [])] = rc["deep_knowledge"]
        self.know = np.clip(mean_k + rng.normal(0, 1, mean_k.shape) * rc["knowledge_sd"], 0.0, 1.0)
        self.burnout = np.zeros(n)
        self.contact = np.zeros((n, n), dtype=bool)  # pairs in contact today
        self.shift = cfg["organisation"]["rotation_slot"] if not campaign else 0
        self.hour = cfg["run"]["start_hour"]
        self.gameday_teams = self._gameday_teams()

    # ----- who the organisation is ---------------------------------------------
    def _generate(self, cc: dict[str, Any], rc: dict[str, Any]) -> None:
        self.people: list[dict[str, Any]] = []
        self.members: dict[str, list[int]] = {}
        for team in self.sg.team_names:
            self.members[team] = []
            for _ in range(cc["team_size"]):
                self.members[team].append(len(self.people))
                self.people.append(dict(name=_name(len(self.people)), team=team, role="engineer"))
        self.pools: dict[str, list[int]] = {}
        for pool, n, flag in (
            ("commander", cc["commanders"], "include_commander"),
            ("support", cc["support_pool"], "include_support"),
            ("comms", cc["comms_pool"], "include_comms"),
        ):
            self.pools[pool] = []
            for _ in range(n if rc[flag] else 0):  # an excluded role has an empty rotation
                self.pools[pool].append(len(self.people))
                self.people.append(dict(name=_name(len(self.people)), team="", role=pool))

    def _from_file(self, f: OrgFile) -> None:
        self.people = [dict(p) for p in f.people]
        at = {p["name"]: i for i, p in enumerate(self.people)}
        self.members = {t: [at[n] for n in names] for t, names in f.on_call.items()}
        rc = self.cfg["responders"]
        flags = {"commander": "include_commander", "support": "include_support", "comms": "include_comms"}
        self.pools = {pool: ([at[n] for n in names] if rc[flags[pool]] else []) for pool, names in f.pools.items()}

    def _ties(self, rng: np.random.Generator) -> np.ndarray:
        """Whole-organisation familiarity: the relationship file or team structure, then the history on top."""
        n = len(self.people)
        names = [p["name"] for p in self.people]
        f = self.file
        if f is not None and f.relationships is not None:
            fam = familiarity_matrix(load_relationship_file(f.relationships, names), names)
        else:
            # The same generative rule as a single incident's (relationships.draw_tie).
            fam = np.zeros((n, n))
            rel = self.cfg["relationships"]
            for i in range(n):
                for j in range(i + 1, n):
                    fam[i, j] = fam[j, i] = draw_tie(rng, self.people[i], self.people[j], rel)
        if f is not None and f.history is not None:
            oc = self.cfg["organisation"]
            h = history_familiarity(f.history, names, oc["history_gain"], oc["history_half_life_days"])
            fam = 1.0 - (1.0 - fam) * (1.0 - h)  # either source of acquaintance makes a tie
        np.fill_diagonal(fam, 1.0)
        return fam

    def _gameday_teams(self) -> list[str]:
        text = self.cfg["campaign"]["gameday_teams"].strip()
        if not text:
            return list(self.sg.team_names)
        chosen = [t.strip() for t in text.split(",") if t.strip()]
        for t in chosen:
            if t not in self.sg.team_names:
                raise ConfigError(
                    f"config: key 'campaign.gameday_teams' has {t!r}, which owns no service; allowed: comma-separated teams of "
                    f"{', '.join(self.sg.team_names)}.{_hint(t, list(self.sg.team_names))}"
                )
        if len(set(chosen)) < 2:
            raise ConfigError(
                f"config: key 'campaign.gameday_teams' = {text!r} names fewer than two teams; allowed: two or more teams "
                "(a game day builds ties and knowledge across teams), or empty for every team."
            )
        return list(dict.fromkeys(chosen))

    def describe(self) -> str:
        """Who the organisation is, in one line: so a user sees that their file (not generated people) was used."""
        eng = sum(1 for p in self.people if p["role"] == "engineer")
        pools = ", ".join(f"{len(v)} {k}" for k, v in self.pools.items())
        teams = len(self.sg.team_names)
        if self.file is not None:
            return f"{self.file.name}: {len(self.people)} people from {self.file.path.name} ({eng} engineers in {teams} teams; {pools})"
        return f"generated: {eng} engineers in {teams} teams of {self.cfg['campaign']['team_size']}; {pools}"

    # ----- the OrgView protocol used by IncidentModel -----------------------
    def on_call(self, team: str, k: int = 0) -> int | None:
        """The k-th on-call of ``team`` in the current shift (None if the team has nobody)."""
        members = self.members[team]
        if not members:
            return None
        return members[(self.shift + self.offset[team] + k) % len(members)]

    def roster(self, fault: Fault) -> list[dict[str, Any]]:
        """Who is on call for this fault: the alerting team's on-call (paged), the others' as SMEs, the rotations."""
        cfg = self.cfg
        ops_team = self.sg.team_names[int(self.sg.team_of[fault.first_alert])]
        if self.campaign:
            hours_awake = (self.hour - cfg["run"]["night_end"]) % 24.0  # up since the night ended (07:00)
        else:
            hours_awake = cfg["responders"]["hours_awake"]
        picks = [(self.on_call(ops_team), "ops", True)]
        n_sme = cfg["responders"]["sme_per_team"]
        if self.file is None:
            n_sme = min(n_sme, cfg["campaign"]["team_size"])
        for t in self.sg.team_names:
            if t != ops_team:
                picks += [(self.on_call(t, k), "sme", False) for k in range(min(n_sme, len(self.members[t])))]
        for pool, role, at_start in (("commander", "commander", False), ("support", "support", True), ("comms", "comms", False)):
            if self.pools[pool]:
                picks.append((self.pools[pool][self.shift % len(self.pools[pool])], role, at_start))
        picks = [(i, role, at_start) for i, role, at_start in picks if i is not None]
        if not any(at_start for _, _, at_start in picks):
            raise ConfigError(
                f"config: nobody is paged by the alert on {self.sg.names[fault.first_alert]!r}: team {ops_team!r} has no engineer "
                "and there is no support rotation; add people to that team in the organisation file."
            )
        bf = cfg["campaign"]["burnout_fatigue"]
        default_exp = cfg["responders"]["experience"]
        out = []
        for i, role, at_start in picks:
            p = self.people[i]
            exp = p.get("experience")
            out.append(
                dict(name=p["name"], role=role, team=p["team"], experience=default_exp if exp is None else exp,
                     hours_awake=hours_awake, paged_at_start=at_start, extra_fatigue=bf * float(self.burnout[i]))
            )  # fmt: skip
        return out

    def _ids(self, roster: list[dict[str, Any]]) -> list[int]:
        return [self.index[p["name"]] for p in roster]

    def familiarity(self, roster: list[dict[str, Any]]) -> np.ndarray:
        ids = self._ids(roster)
        return self.fam[np.ix_(ids, ids)].copy()

    def knowledge(self, roster: list[dict[str, Any]]) -> np.ndarray:
        return self.know[self._ids(roster)].copy()

    # ----- what an incident leaves behind (campaigns) ---------------------------
    def absorb(self, model: Any, night: bool) -> None:
        """Write back ties, hold a review, add burnout."""
        cc = self.cfg["campaign"]
        ids = np.array(self._ids([dict(name=p.name) for p in model.people]))
        self.fam[np.ix_(ids, ids)] = model.familiarity
        for m in model.messages:  # whoever exchanged a message was in contact today
            for _, reader, _, _ in m.reads:
                self.contact[ids[m.sender], ids[reader]] = self.contact[ids[reader], ids[m.sender]] = True
        if self.cfg["fault"]["initial_severity"] >= cc["review_min_severity"]:
            involved = {model.fault.root} | {s for p in model.people for s, n in enumerate(p.examined) if n}
            cols = np.array(sorted(involved))
            joined = ids[[p.joined_at is not None for p in model.people]]
            block = self.know[np.ix_(joined, cols)]
            self.know[np.ix_(joined, cols)] = block + cc["review_gain"] * (1.0 - block)
        for p, i in zip(model.people, ids, strict=True):
            if p.joined_at is None:
                continue
            impeded = p.unrepaired / max(1, p.messages_read + p.messages_sent)
            self.burnout[i] = min(1.0, self.burnout[i] + cc["burnout_impeded"] * impeded + (cc["burnout_night_page"] if night else 0.0))

    def end_of_day(self, day: int, rng: np.random.Generator) -> bool:
        """Decay ties without contact, recover burnout, hold a game day when one is due. Returns whether one was held."""
        cc = self.cfg["campaign"]
        held = False
        if cc["gameday_interval_days"] and (day + 1) % cc["gameday_interval_days"] == 0:
            held = True
            chosen: list[int] = []
            for team in self.gameday_teams:
                members = self.members[team]
                k = min(cc["gameday_participants"], len(members))
                chosen += [members[int(x)] for x in rng.permutation(len(members))[:k]]
            ids = np.array(chosen, dtype=int)
            teams = np.array([self.people[i]["team"] for i in ids])
            cross = teams[:, None] != teams[None, :]
            block = self.fam[np.ix_(ids, ids)]
            self.fam[np.ix_(ids, ids)] = np.where(cross, block + cc["gameday_gain"] * (1.0 - block), block)
            self.contact[np.ix_(ids, ids)] = True
            for t in set(teams):
                cols = np.flatnonzero(np.array(self.sg.team_names)[self.sg.team_of] == t)
                rows = ids[teams != t]
                block = self.know[np.ix_(rows, cols)]
                self.know[np.ix_(rows, cols)] = block + cc["gameday_knowledge"] * (1.0 - block)
        if cc["team_daily_contact"]:
            teams = np.array([p["team"] for p in self.people])
            self.contact |= (teams[:, None] == teams[None, :]) & (teams[:, None] != "")
        decay = math.exp(-cc["tie_decay_per_day"])
        off = ~self.contact
        np.fill_diagonal(off, False)
        self.fam[off] *= decay
        self.contact[:] = False
        self.burnout *= 1.0 - cc["burnout_recovery_per_day"]
        return held

    def state(self) -> dict[str, float]:
        """The organisation's state for the per-day table."""
        eng = np.array([p["role"] == "engineer" for p in self.people])
        teams = np.array([p["team"] for p in self.people])
        upper = np.triu(np.ones_like(self.fam, dtype=bool), 1) & eng[:, None] & eng[None, :]
        within = upper & (teams[:, None] == teams[None, :])
        across = upper & (teams[:, None] != teams[None, :])
        k = self.know[eng]
        owner = np.array(self.sg.team_names)[self.sg.team_of]
        foreign = teams[eng][:, None] != owner[None, :]  # engineer x service of another team
        return {
            "tie_within_mean": float(self.fam[within].mean()) if within.any() else float("nan"),
            "tie_across_mean": float(self.fam[across].mean()) if across.any() else float("nan"),
            "knowledge_mean": float(k.mean()),
            "knowledge_coverage": float(k[foreign].mean()) if foreign.any() else float("nan"),
            "burnout_mean": float(self.burnout.mean()),
            "burnout_max": float(self.burnout.max()),
        }


def incident_model(cfg: dict[str, Any], seed: int = 0, record_trace: bool = True) -> Any:
    """One incident (an unrun :class:`IncidentModel`), on the organisation file's people when ``organisation.file`` is set.

    Why a function and not a flag on the model: the model knows only the
    ``OrgView`` protocol; which organisation stands behind it is decided here.
    The organisation draws from its own named streams of ``seed``, so the
    service graph and the fault are those of the same seed without a file.
    """
    from .model import IncidentModel

    return IncidentModel(cfg, seed=seed, record_trace=record_trace, org=org_for(cfg, seed))


def org_for(cfg: dict[str, Any], seed: int) -> Organisation | None:
    """The organisation one incident of ``seed`` is staffed from: None without ``organisation.file``.

    For code that builds the model itself (Mesa's ``batch_run`` subclass); others call :func:`incident_model`.
    """
    if not cfg["organisation"]["file"]:
        return None
    if int(seed) < 0:
        raise ConfigError(f"seed {seed} is negative; allowed: an integer >= 0.")
    return Organisation(cfg, Streams(int(seed)), campaign=False)
