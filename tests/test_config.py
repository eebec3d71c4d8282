"""The config schema rejects every bad input with a message naming the key, the value and what is allowed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from jcs_sim import IncidentModel
from jcs_sim.config import (
    ROSTER_KEYS,
    SCHEMA,
    ConfigError,
    apply_overrides,
    config_markdown,
    config_to_toml,
    default_config,
    load_config,
    validate,
)

DOCS_CONFIG = Path(__file__).resolve().parents[1] / "docs" / "config.md"


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----- defaults and round trips ------------------------------------------------


def test_defaults_validate_to_themselves():
    cfg = default_config()
    assert validate(cfg) == cfg
    assert validate({}) == cfg


def test_default_config_is_a_fresh_copy():
    a = default_config()
    a["run"]["max_minutes"] = 11
    a["responders"]["roster"].append({"name": "x"})
    b = default_config()
    assert b["run"]["max_minutes"] == SCHEMA["run"]["max_minutes"].default
    assert b["responders"]["roster"] == []


def test_every_default_is_within_its_own_bounds_and_choices():
    for sec, keys in SCHEMA.items():
        for key, p in keys.items():
            if p.low is not None:
                assert p.default >= p.low, f"{sec}.{key}"
            if p.high is not None:
                assert p.default <= p.high, f"{sec}.{key}"
            if p.choices is not None:
                assert p.default in p.choices, f"{sec}.{key}"
            assert p.doc.strip(), f"{sec}.{key} has no documentation"


def test_config_to_toml_round_trips_default():
    cfg = default_config()
    assert validate(tomllib.loads(config_to_toml(cfg))) == cfg
    assert validate(tomllib.loads(config_to_toml(cfg, with_docs=False))) == cfg


def test_config_to_toml_round_trips_changed_values_and_roster():
    cfg = apply_overrides(
        default_config(),
        ['communication.mode="direct"', "run.start_hour=3.5", "responders.include_comms=false"],
    )
    cfg["fault"]["root_cause"] = 'a "quoted" \\ name'  # quotes and a backslash must be escaped
    cfg["responders"]["roster"] = validate(
        {
            "responders": {
                "roster": [{"name": "Ana", "role": "ops", "team": "edge", "paged_at_start": True}, {"name": "Ben", "experience": 0.9}]
            }
        }
    )["responders"]["roster"]
    back = validate(tomllib.loads(config_to_toml(cfg)))
    assert back == cfg
    assert back["fault"]["root_cause"] == 'a "quoted" \\ name'


def test_config_to_toml_round_trips_control_characters():
    cfg = default_config()
    cfg["fault"]["root_cause"] = "line one\nline two"
    assert validate(tomllib.loads(config_to_toml(cfg))) == cfg


def test_docs_config_md_is_generated_from_the_schema():
    assert DOCS_CONFIG.exists(), "docs/config.md is missing; run `jcs-sim config show --markdown > docs/config.md`"
    assert DOCS_CONFIG.read_text(encoding="utf-8") == config_markdown(), (
        "docs/config.md is out of date with jcs_sim/config.py; run `jcs-sim config show --markdown > docs/config.md`"
    )


def test_config_markdown_lists_every_key():
    md = config_markdown()
    for sec, keys in SCHEMA.items():
        assert f"## [{sec}]" in md
        for key in keys:
            assert f"| `{key}` |" in md
    for key in ROSTER_KEYS:
        assert f"| `{key}` |" in md


# ----- unknown names ------------------------------------------------------------


def test_unknown_section_suggests_closest():
    with pytest.raises(ConfigError) as exc:
        validate({"comunication": {"mode": "channel"}})
    msg = str(exc.value)
    assert "unknown section 'comunication'" in msg
    assert "Did you mean 'communication'?" in msg


def test_unknown_key_suggests_closest_and_lists_keys():
    with pytest.raises(ConfigError) as exc:
        validate({"communication": {"mod": "channel"}})
    msg = str(exc.value)
    assert "'communication.mod'" in msg
    assert "Did you mean 'mode'?" in msg
    assert "update_cadence" in msg  # the valid keys are listed


def test_unknown_key_in_file_names_file(tmp_path):
    path = write(tmp_path, "[run]\nmax_minute = 100\n")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    msg = str(exc.value)
    assert str(path) in msg
    assert "'run.max_minute'" in msg and "Did you mean 'max_minutes'?" in msg


def test_unknown_key_via_set():
    with pytest.raises(ConfigError, match=r"communication\.mod.*Did you mean 'mode'"):
        apply_overrides(default_config(), ["communication.mod=direct"])


def test_unknown_section_via_set():
    with pytest.raises(ConfigError, match=r"unknown section 'runn'.*Did you mean 'run'"):
        apply_overrides(default_config(), ["runn.max_minutes=10"])


def test_section_that_is_not_a_table():
    with pytest.raises(ConfigError, match=r"'run' must be a table"):
        validate({"run": 5})


# ----- types, ranges, non-finite numbers ------------------------------------------------


@pytest.mark.parametrize(
    ("section", "key", "value", "words"),
    [
        ("run", "max_minutes", "100", "wrong type"),  # string for int
        ("responders", "include_commander", 1, "wrong type"),  # int for bool
        ("communication", "misreading", "false", "wrong type"),  # string for bool
        ("run", "max_minutes", True, "wrong type"),  # bool for int
        ("fault", "self_heal_rate", True, "wrong type"),  # bool for float
        ("fault", "root_cause", 3, "wrong type"),  # int for string
        ("run", "max_minutes", 10.5, "is not an integer"),
        ("run", "max_minutes", 5, "out of range"),
        ("run", "max_minutes", 100_001, "out of range"),
        ("run", "start_hour", 24.5, "out of range"),
        ("fault", "self_heal_rate", -0.1, "out of range"),
        ("run", "start_hour", float("nan"), "not a finite number"),
        ("run", "start_hour", float("inf"), "not a finite number"),
        ("run", "max_minutes", float("inf"), "is not an integer"),
    ],
)
def test_bad_value_is_rejected_naming_key_value_and_allowed(section, key, value, words):
    with pytest.raises(ConfigError) as exc:
        validate({section: {key: value}})
    msg = str(exc.value)
    assert f"'{section}.{key}'" in msg
    assert words in msg
    assert repr(value) in msg
    assert SCHEMA[section][key].allowed() in msg


def test_allowed_words_name_the_bounds():
    assert SCHEMA["run"]["max_minutes"].allowed() == "an integer from 10 to 100000"
    assert SCHEMA["fault"]["self_heal_rate"].allowed() == "a number from 0 to 1"
    assert SCHEMA["communication"]["misreading"].allowed() == "true or false"


def test_integer_valued_float_is_accepted_as_int():
    cfg = validate({"run": {"max_minutes": 30.0}})
    assert cfg["run"]["max_minutes"] == 30 and type(cfg["run"]["max_minutes"]) is int


def test_int_for_float_key_becomes_float():
    cfg = validate({"run": {"start_hour": 3}})
    assert cfg["run"]["start_hour"] == 3.0 and type(cfg["run"]["start_hour"]) is float


def test_bounds_are_inclusive():
    cfg = validate({"run": {"max_minutes": 10, "start_hour": 24.0}, "fault": {"self_heal_rate": 0.0}})
    assert cfg["run"]["max_minutes"] == 10 and cfg["run"]["start_hour"] == 24.0


@pytest.mark.parametrize(("literal", "key"), [("nan", "start_hour"), ("inf", "start_hour"), ("-inf", "start_hour"), ("nan", "max_minutes")])
def test_nan_and_inf_in_toml_file_are_rejected(tmp_path, literal, key):
    path = write(tmp_path, f"[run]\n{key} = {literal}\n")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    msg = str(exc.value)
    assert str(path) in msg and f"'run.{key}'" in msg
    assert "not a finite number" in msg or "not an integer" in msg


def test_nan_via_set_is_rejected():
    with pytest.raises(ConfigError, match="not a finite number"):
        apply_overrides(default_config(), ["fatigue.slowdown=nan"])


def test_choice_rejected_with_allowed_values_listed():
    with pytest.raises(ConfigError) as exc:
        validate({"communication": {"mode": "chanel"}})
    msg = str(exc.value)
    assert "'communication.mode' = 'chanel' is not allowed" in msg
    for choice in ("'channel'", "'commander'", "'direct'"):
        assert choice in msg
    assert "Did you mean 'channel'?" in msg


def test_fault_type_choice_rejected():
    with pytest.raises(ConfigError, match=r"fault\.type.*'bad_deploy'"):
        apply_overrides(default_config(), ["fault.type=meteor"])


# ----- files ------------------------------------------------------------------


def test_load_config_none_is_default():
    assert load_config(None) == default_config()


def test_load_config_reads_values_and_fills_defaults(tmp_path):
    path = write(tmp_path, '[run]\nmax_minutes = 90\n\n[communication]\nmode = "direct"\n')
    cfg = load_config(path)
    assert cfg["run"]["max_minutes"] == 90
    assert cfg["communication"]["mode"] == "direct"
    assert cfg["fault"] == default_config()["fault"]


def test_toml_syntax_error_names_file_and_line(tmp_path):
    path = write(tmp_path, "[run]\nmax_minutes = 90\nstart_hour = = 3\n", name="broken.toml")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    msg = str(exc.value)
    assert "broken.toml" in msg
    assert "TOML syntax error" in msg
    assert "line 3" in msg


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.toml: no such config file"):
        load_config(tmp_path / "nope.toml")


def test_non_utf8_config_file(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[fault]\nroot_cause = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="latin1.toml"):
        load_config(path)


# ----- --set ------------------------------------------------------------------------


def test_set_applies_typed_values():
    cfg = apply_overrides(
        default_config(), ["communication.mode=direct", "run.max_minutes=30", "communication.misreading=false", "run.start_hour=2"]
    )
    assert cfg["communication"]["mode"] == "direct"
    assert cfg["run"]["max_minutes"] == 30
    assert cfg["communication"]["misreading"] is False
    assert cfg["run"]["start_hour"] == 2.0


def test_set_does_not_mutate_its_input():
    base = default_config()
    apply_overrides(base, ["run.max_minutes=30"])
    assert base == default_config()


def test_set_without_equals():
    with pytest.raises(ConfigError) as exc:
        apply_overrides(default_config(), ["communication.mode"])
    msg = str(exc.value)
    assert "'communication.mode'" in msg and "expected section.key=value" in msg


@pytest.mark.parametrize("item", ["mode=direct", "a.b.c=1"])
def test_set_key_without_section(item):
    with pytest.raises(ConfigError, match="the key must be section.key"):
        apply_overrides(default_config(), [item])


def test_set_string_for_int_is_rejected():
    with pytest.raises(ConfigError, match=r"'run\.max_minutes' = 'lots' has the wrong type"):
        apply_overrides(default_config(), ["run.max_minutes=lots"])


# ----- roster ----------------------------------------------------------------------


def roster_cfg(roster):
    return {"responders": {"roster": roster}}


def test_roster_is_validated_and_filled():
    cfg = validate(roster_cfg([{"name": "Ana", "role": "ops", "team": "edge", "paged_at_start": True}]))
    (ana,) = cfg["responders"]["roster"]
    assert ana == {"name": "Ana", "role": "ops", "team": "edge", "experience": 0.5, "hours_awake": 6.0, "paged_at_start": True}


def test_roster_unknown_key():
    with pytest.raises(ConfigError) as exc:
        validate(roster_cfg([{"name": "Ana", "rol": "ops"}]))
    msg = str(exc.value)
    assert "'responders.roster[0].rol'" in msg and "Did you mean 'role'?" in msg


def test_roster_duplicate_names():
    with pytest.raises(ConfigError, match=r"roster\[1\]\.name' = 'Ana' is used twice"):
        validate(roster_cfg([{"name": "Ana", "paged_at_start": True}, {"name": "Ana"}]))


def test_roster_missing_name():
    with pytest.raises(ConfigError, match=r"roster\[1\]\.name' is missing"):
        validate(roster_cfg([{"name": "Ana"}, {"role": "sme"}]))


def test_roster_bad_role_and_bad_values():
    with pytest.raises(ConfigError, match=r"roster\[0\]\.role' = 'boss' is not allowed"):
        validate(roster_cfg([{"name": "Ana", "role": "boss"}]))
    with pytest.raises(ConfigError, match=r"roster\[0\]\.experience' = 1.5 is out of range"):
        validate(roster_cfg([{"name": "Ana", "experience": 1.5}]))


def test_roster_must_be_array_of_tables():
    with pytest.raises(ConfigError, match="array of tables"):
        validate(roster_cfg({"name": "Ana"}))
    with pytest.raises(ConfigError, match=r"roster\[0\]' must be a table"):
        validate(roster_cfg(["Ana"]))


def test_roster_in_toml_file(tmp_path):
    path = write(
        tmp_path,
        '[[responders.roster]]\nname = "Ana"\nrole = "ops"\nteam = "edge"\npaged_at_start = true\n\n'
        '[[responders.roster]]\nname = "Ben"\nrole = "sme"\nteam = "payments"\n',
    )
    cfg = load_config(path)
    assert [p["name"] for p in cfg["responders"]["roster"]] == ["Ana", "Ben"]


def full_roster(paged: bool):
    teams = ("edge", "payments", "platform", "data")
    return [
        {"name": f"P{i}", "role": "ops" if i == 0 else "sme", "team": t, "paged_at_start": paged and i == 0} for i, t in enumerate(teams)
    ]


def test_roster_without_anyone_paged_at_start_fails_at_build():
    # Nobody of a team (whom the alert would page) and no paged_at_start: valid as a config...
    cfg = validate(roster_cfg([{"name": "C", "role": "commander"}, {"name": "S", "role": "support"}]))
    with pytest.raises(ConfigError, match="nobody with paged_at_start = true"):
        IncidentModel(cfg, seed=0)  # ...but no model can start from it


def test_roster_with_someone_paged_builds_and_runs():
    cfg = validate({"responders": {"roster": full_roster(paged=True)}, "run": {"max_minutes": 60}})
    summary = IncidentModel(cfg, seed=0).run().summary()
    assert [r["name"] for r in summary["responders"]] == ["P0", "P1", "P2", "P3"]
    assert summary["responders"][0]["paged_at"] == 0


def test_roster_team_that_owns_no_service():
    roster = full_roster(paged=True)
    roster[1]["team"] = "marketing"
    with pytest.raises(ConfigError, match=r"'P1' has team 'marketing', which owns no service"):
        IncidentModel(validate(roster_cfg(roster)), seed=0)


def test_generated_roster_with_unstaffed_teams():
    cfg = apply_overrides(default_config(), ["responders.sme_per_team=0"])
    with pytest.raises(ConfigError, match="allow_unstaffed_teams"):
        IncidentModel(cfg, seed=0)
    cfg = apply_overrides(cfg, ["responders.allow_unstaffed_teams=true", "run.max_minutes=60"])
    summary = IncidentModel(cfg, seed=0).run().summary()
    assert not any(r["role"] == "sme" for r in summary["responders"])
