"""Organisation settings (data/organisation.toml): its name and reporting time zone, the goals no
SLA policy defines, the fewest answers a rate is trusted on, and where the dashboard is served."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from servicelevel import DATA_DIR

ORGANISATION_PATH = DATA_DIR / "organisation.toml"


@dataclass(frozen=True)
class Organisation:
    name: str
    timezone: str
    csat_goal: float | None = None
    promises_kept_goal: float | None = None
    min_count: int = 30
    # Where the dashboard is served, e.g. "https://service-levels.example.org/": the weekly
    # report written by the command line links back to it (downloaded from the page, it links to
    # the address it was downloaded from unless this is set).
    dashboard_url: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


KEYS = {"name", "timezone", "min_count", "dashboard_url", "goals"}
GOALS = {"csat", "promises_kept"}


class SettingsError(ValueError):
    """organisation.toml is invalid; the message names the file, the key and the problem."""


def is_web_address(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def organisation() -> Organisation:
    """The organisation's settings, checked: a key the file misspells (or puts under [goals] by
    mistake) is an error naming it, not a setting silently left at its default."""
    raw = tomllib.loads(ORGANISATION_PATH.read_text(encoding="utf-8"))
    goals = raw.get("goals", {})
    unknown = sorted(set(raw) - KEYS) + sorted(f"goals.{k}" for k in set(goals) - GOALS)
    if unknown:
        raise SettingsError(f"{ORGANISATION_PATH}: unknown key {', '.join(repr(k) for k in unknown)} (known: "
                            f"{', '.join(sorted(KEYS - {'goals'}))}, and under [goals]: {', '.join(sorted(GOALS))})")
    if raw.get("dashboard_url") and not is_web_address(raw["dashboard_url"]):
        raise SettingsError(f"{ORGANISATION_PATH}: dashboard_url '{raw['dashboard_url']}' is not a web address "
                            "(http://... or https://...)")
    return Organisation(
        name=raw.get("name", "Organisation"),
        timezone=raw.get("timezone", "UTC"),
        csat_goal=goals.get("csat"),
        promises_kept_goal=goals.get("promises_kept"),
        min_count=int(raw.get("min_count", 30)),
        dashboard_url=raw.get("dashboard_url") or None,
    )
