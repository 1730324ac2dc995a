"""organisation.toml: read as written, and a key it misspells or misplaces is an error naming it
(TOML puts every key after [goals] under it, so a setting written below that header would
otherwise be silently ignored)."""

from pathlib import Path

import pytest

from servicelevel import settings
from servicelevel.settings import SettingsError, organisation


def write(tmp_path: Path, monkeypatch, text: str) -> Path:
    path = tmp_path / "organisation.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(settings, "ORGANISATION_PATH", path)
    return path


def test_the_bundled_file_is_read_as_written():
    org = organisation()
    assert (org.name, org.timezone, org.min_count, org.csat_goal, org.promises_kept_goal, org.dashboard_url) == (
        "Example Org (fictional)", "America/Sao_Paulo", 30, 0.85, 0.90, None)


def test_a_setting_below_the_goals_header_is_named_not_ignored(tmp_path, monkeypatch):
    path = write(tmp_path, monkeypatch, 'name = "Umbrella Example Inc"\n[goals]\ncsat = 0.8\nmin_count = 12\n')
    with pytest.raises(SettingsError) as raised:
        organisation()
    assert str(raised.value).startswith(f"{path}: unknown key 'goals.min_count' (known: dashboard_url, min_count,")


def test_a_misspelt_key_and_an_address_that_is_not_one_are_errors(tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, 'name = "Umbrella Example Inc"\ntimezon = "UTC"\n')
    with pytest.raises(SettingsError, match="unknown key 'timezon'"):
        organisation()
    write(tmp_path, monkeypatch, 'dashboard_url = "service-levels.example.org"\n')
    with pytest.raises(SettingsError, match="dashboard_url 'service-levels.example.org' is not a web address"):
        organisation()
    write(tmp_path, monkeypatch, 'dashboard_url = "https://service-levels.example.org/"\nmin_count = 12\n')
    assert (organisation().dashboard_url, organisation().min_count) == ("https://service-levels.example.org/", 12)


def test_the_dashboard_says_which_setting_is_wrong_instead_of_failing(dashboard, tmp_path, monkeypatch):
    write(tmp_path, monkeypatch, 'name = "Umbrella Example Inc"\n[goals]\ncsat = 0.8\nmin_count = 12\n')
    at = dashboard.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "A settings file is invalid, so the numbers cannot be computed: "
        f"{tmp_path / 'organisation.toml'}: unknown key 'goals.min_count' (known: dashboard_url, min_count, name, "
        "timezone, and under [goals]: csat, promises_kept)"]
