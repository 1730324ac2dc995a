"""Departments whose adherence moved most between two periods."""

from __future__ import annotations

import pandas as pd

from servicelevel.rounding import half_up


def adherence_movers(current: pd.DataFrame, previous: pd.DataFrame, min_decided: int = 10) -> pd.DataFrame:
    """Per group: adherence now and before (met / decided, both metrics together), the change in
    percentage points and the counts, largest absolute change first; groups with fewer than
    `min_decided` decided targets in either period are left out (their change is noise)."""
    def totals(frame: pd.DataFrame) -> pd.DataFrame:
        grouped = frame.groupby("group_value", dropna=False)[["n_met", "n_breached"]].sum()
        grouped["n_decided"] = grouped["n_met"] + grouped["n_breached"]
        grouped["adherence"] = grouped["n_met"] / grouped["n_decided"].where(grouped["n_decided"] > 0)
        return grouped

    joined = totals(current).join(totals(previous), suffixes=("_now", "_before"), how="inner")
    joined = joined[(joined["n_decided_now"] >= min_decided) & (joined["n_decided_before"] >= min_decided)]
    # The change of the percentages as shown (to 0.1 point, halves up as every table rounds), so
    # that the columns subtract on paper: 19.2% against 32.3% is -13.1, where the unrounded
    # rates (19.23%, 32.26%) give -13.0. The KPI tiles follow the same rule.
    joined["change_pp"] = half_up(joined["adherence_now"] * 100, 1) - half_up(joined["adherence_before"] * 100, 1)
    joined = joined.reindex(joined["change_pp"].abs().sort_values(ascending=False).index)
    out = joined.reset_index().rename(columns={"group_value": "department"})
    return out[[
        "department", "adherence_now", "adherence_before", "change_pp",
        "n_decided_now", "n_breached_now", "n_decided_before", "n_breached_before",
    ]]
