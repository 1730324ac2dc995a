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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def organisation() -> Organisation:
    """The organisation's name and time zone."""
    raw = tomllib.loads(ORGANISATION_PATH.read_text(encoding="utf-8"))
    return Organisation(name=raw.get("name", "Organisation"), timezone=raw.get("timezone", "UTC"))
