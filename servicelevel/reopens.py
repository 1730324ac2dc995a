"""Requests not solved the first time: the reopen rate and one-touch resolution of the requests
resolved in a period, against the period of the same length before it (queries/reopens.sql)."""

from __future__ import annotations

import pandas as pd

from servicelevel.kpis import Tile, against_period_before, rate_tile
from servicelevel.settings import Organisation
from servicelevel.wording import sources_have


def total(reopens: pd.DataFrame) -> pd.Series | None:
    """The all-categories row of a reopens result; None when nothing was resolved."""
    rows = reopens[reopens["is_total"] & (reopens["n_resolved"] > 0)]  # the total row comes even for none
    return None if rows.empty else rows.iloc[0]


# The rates next to their counts, where a laptop's screen shows them; what each rests on after.
CATEGORY_COLUMNS = ["category", "n_resolved", "n_reopened", "reopen_rate", "n_one_touch", "one_touch_rate",
                    "n_reopen_known", "n_touch_known"]


def by_category(reopens: pd.DataFrame) -> pd.DataFrame:
    """One row per category, most reopened first, without the all-categories row."""
    return reopens.loc[~reopens["is_total"], CATEGORY_COLUMNS]


# Each rate, the count its requests need, and how that count is called.
RATES = (("reopen rate", "n_reopen_known", "reopen_count", "reopen count"),
         ("one-touch rate", "n_touch_known", "reassignment_count", "reassignment count"))


def coverage_notes(now: pd.Series, lacking: dict[str, list[str]]) -> list[str]:
    """What each rate rests on where some resolved requests come from sources without its count
    (`lacking`: field -> the sources in the selection that have no column for it): a one-touch
    rate of zendesk's tickets alone read as the organisation's."""
    notes = []
    resolved = int(now["n_resolved"])
    for rate, known_column, field, count in RATES:
        known, sources = int(now[known_column]), lacking.get(field, [])
        if known == resolved or not sources:
            continue
        whose = sources_have(sources)
        if known == 0:
            notes.append(f"No {rate}: none of the {resolved:,} requests resolved has a {count} ({whose} none).")
        else:
            notes.append(f"The {rate} rests on {known:,} of the {resolved:,} requests resolved: {whose} no "
                         f"{count}s.")
    return notes


def tiles(now: pd.Series, before: pd.Series | None, org: Organisation, so_far: bool = False) -> list[Tile]:
    """Reopen rate (lower is better) and one-touch resolution, each against the period before; a
    rate whose requests all come from sources without its count is left out. `so_far`: the period
    is not over in the data, so a change is not coloured as news."""
    rows = pd.DataFrame([row for row in (before, now) if row is not None])

    def resolved(known: str) -> str:
        # Each rate rests on the requests whose export counts it: said where that is not all of them.
        return "resolved" if now[known] == now.get("n_resolved", now[known]) else "resolved where counted"

    shown = []
    if now["n_reopen_known"] > 0:
        shown.append(rate_tile("reopen_rate", "Reopen rate", rows, "n_reopened", "n_reopen_known", None,
                               resolved("n_reopen_known"), org, higher_is_better=False))
    if now["n_touch_known"] > 0:
        shown.append(rate_tile("one_touch_rate", "One-touch resolution", rows, "n_one_touch", "n_touch_known", None,
                               resolved("n_touch_known"), org, heading="One-touch"))
    return [against_period_before(tile, so_far) for tile in shown]
