"""Column order, and the words for a missing value, shared by the tables the pages and the report show."""

from __future__ import annotations

import pandas as pd


def columns_first(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    """`frame` with the columns `first` leading, in that order, and the rest after as they were: a
    table half a page wide shows four or five columns before it scrolls, so what it is read for
    comes first."""
    return frame[[*first, *(c for c in frame.columns if c not in first)]]


# A request without a value, as every breakdown and heatmap names its group.
NO_VALUE = {"agent": "(unassigned)", "category": "(no category)", "priority": "(no priority)",
            "requester_department": "(external, or not recorded)",
            "provider_department": "(no provider department)"}
# Columns of request lists named so too: an empty agent cell beside a heatmap's "(unassigned)"
# row read as a value lost. (A list's requester column already names the external customer.)
NAMED_WHEN_MISSING = ("agent", "category", "priority", "provider_department")


def blanks_named(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with a missing agent, category, priority or provider department in words."""
    # As objects first: a column with no value at all may have come as float NaN.
    return frame.assign(**{name: frame[name].astype(object).fillna(NO_VALUE[name])
                           for name in NAMED_WHEN_MISSING if name in frame.columns})
