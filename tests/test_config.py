"""Defaults in one place: followup.toml, FOLLOWUP_* variables, the command line winning
(docs/nightly.md#defaults-in-one-place)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from followup import config
from followup.cli import main

from conftest import SAMPLE_DATA

SAMPLE = [str(SAMPLE_DATA / "events.csv"), "-i", str(SAMPLE_DATA / "interviews.csv"),
          "--as-of", "2026-03-31T18:00:00", "-q", "-f", "json"]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A working folder of a nightly job, with nothing set in the environment."""
    for name in [*(config.ENV_PREFIX + setting.upper() for setting in config.OPTIONS), config.CONFIG_ENV]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def settings_of(result) -> dict:
    return {row["setting"]: row for row in json.loads(result.stdout)["settings"]}


def test_followup_toml_in_the_working_folder_sets_the_defaults(folder):
    (folder / "followup.toml").write_text('tz = "America/New_York"\npolicy = "pro"\nhistory = "runs"\n')
    shown = CliRunner().invoke(main, ["config", "-f", "json"])
    rows = settings_of(shown)
    assert rows["tz"] == {"setting": "tz", "option": "--tz", "value": "America/New_York",
                          "from": str(folder / "followup.toml")}
    assert rows["history"]["value"] == str(folder / "runs") and rows["roster"]["from"] == config.BUILT_IN
    scored = CliRunner().invoke(main, ["score", *SAMPLE])
    document = json.loads(scored.stdout)
    # The naive as-of is read in the file's zone, scored by its policy, and the run is kept.
    assert (document["as_of"], document["tz"]) == ("2026-03-31T22:00:00+00:00", "America/New_York")
    assert document["policy"]["name"] == "pro"
    assert len(list((folder / "runs").rglob("run-*.parquet"))) == 1


def test_a_variable_beats_the_file_and_the_command_line_beats_both(folder):
    (folder / "followup.toml").write_text('tz = "America/New_York"\n')
    environment = {"FOLLOWUP_TZ": "Europe/London"}
    rows = settings_of(CliRunner().invoke(main, ["config", "-f", "json"], env=environment))
    assert (rows["tz"]["value"], rows["tz"]["from"]) == ("Europe/London", "FOLLOWUP_TZ")
    from_variable = CliRunner().invoke(main, ["score", *SAMPLE], env=environment)
    assert json.loads(from_variable.stdout)["as_of"] == "2026-03-31T17:00:00+00:00"  # 18:00 in London
    from_command_line = CliRunner().invoke(main, ["score", *SAMPLE, "--tz", "Asia/Tokyo"], env=environment)
    assert json.loads(from_command_line.stdout)["as_of"] == "2026-03-31T09:00:00+00:00"  # 18:00 in Tokyo


def test_config_given_on_the_command_line_or_in_followup_config(folder, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("settings") / "nightly.toml"
    elsewhere.write_text('employer_domains = ["Acme.com", "@acme.co.uk"]\ndefault_region = "gb"\n')
    for args, env in ((["--config", str(elsewhere), "config"], {}), (["config"], {"FOLLOWUP_CONFIG": str(elsewhere)})):
        shown = CliRunner().invoke(main, args, env=env)
        assert shown.exit_code == 0, shown.output
        assert f"settings file: {elsewhere}" in shown.stdout
        assert "acme.com, acme.co.uk" in shown.stdout and "GB" in shown.stdout
    missing = CliRunner().invoke(main, ["--config", "nowhere.toml", "config"])
    assert missing.exit_code == 1 and missing.stderr == "error: settings file nowhere.toml does not exist\n"


def test_employer_domains_from_a_variable_are_split_on_commas_or_spaces(folder):
    rows = settings_of(CliRunner().invoke(main, ["config", "-f", "json"],
                                          env={"FOLLOWUP_EMPLOYER_DOMAINS": "acme.com, acme.io"}))
    assert rows["employer_domains"]["value"] == "acme.com, acme.io"
    assert config.effective(environ={"FOLLOWUP_EMPLOYER_DOMAINS": "acme.com acme.io"},
                            folder=folder).value("employer_domains") == ["acme.com", "acme.io"]


@pytest.mark.parametrize("text, message", [
    ('tz = "Mars/Olympus"\n', "followup.toml: tz: unknown time zone 'Mars/Olympus'"),
    ('timezone = "UTC"\n', "followup.toml: timezone: unknown setting (the settings are tz, policy,"),
    ('policy = "aggressive"\n', "followup.toml: policy: no policy 'aggressive': not a preset"),
    ('default_region = "Narnia"\n', "followup.toml: default_region: 'Narnia' is not a country code"),
    ('employer_domains = ["not a domain"]\n', "followup.toml: employer_domains: 'not a domain' is not a mail domain"),
    ('tz = "UTC\n', "followup.toml: not valid TOML"),
    ('tz = 5\n', "followup.toml: tz: Input should be a valid string"),
])
def test_a_bad_setting_is_one_line_naming_the_file_and_the_setting(folder, text, message):
    (folder / "followup.toml").write_text(text)
    failed = CliRunner().invoke(main, ["score", *SAMPLE])
    assert failed.exit_code == 1
    assert failed.stderr.startswith(f"error: {folder / message}") and failed.stderr.count("\n") == 1


def test_a_bad_variable_names_the_variable(folder):
    failed = CliRunner().invoke(main, ["config"], env={"FOLLOWUP_DEFAULT_REGION": "XX"})
    assert failed.exit_code == 1
    assert failed.stderr == "error: FOLLOWUP_DEFAULT_REGION: 'XX' is not a country code such as US, GB or DE\n"


def test_an_empty_variable_is_unset(folder):
    rows = settings_of(CliRunner().invoke(main, ["config", "-f", "json"], env={"FOLLOWUP_TZ": ""}))
    assert rows["tz"]["from"] == config.BUILT_IN


def test_paths_in_the_file_are_relative_to_its_folder(folder, tmp_path_factory):
    team = tmp_path_factory.mktemp("team")
    (team / "followup.toml").write_text('roster = "people/roster.csv"\nhistory = "runs"\n')
    effective = config.effective(team / "followup.toml", environ={})
    assert effective.value("roster") == str(team / "people" / "roster.csv")
    assert effective.default_map(["score"])["score"]["candidates"] == str(team / "people" / "roster.csv")


def test_the_help_lists_config(folder):
    shown = CliRunner().invoke(main, ["--help"])
    assert "--config FILE" in shown.stdout and "config" in shown.stdout
