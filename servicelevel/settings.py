"""Organisation settings (data/organisation.toml): its name and reporting time zone."""

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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def organisation() -> Organisation:
    """The organisation's name and time zone."""
    raw = tomllib.loads(ORGANISATION_PATH.read_text(encoding="utf-8"))
    goals = raw.get("goals", {})
    return Organisation(
        name=raw.get("name", "Organisation"),
        timezone=raw.get("timezone", "UTC"),
        csat_goal=goals.get("csat"),
        promises_kept_goal=goals.get("promises_kept"),
        min_count=int(raw.get("min_count", 30)),
    )
