"""Departments whose adherence moved most between two periods."""

from __future__ import annotations

import pandas as pd

from servicelevel.kpis import CHANCE_LEVEL, fisher_exact_p
from servicelevel.rounding import half_up

CHANCE_NOTE = ("Could be chance: two periods alike would differ at least this much 5% of the time or more "
               "(Fisher's exact test, two-sided); three more breaches on 40 targets move adherence 7.5 points.")


def adherence_movers(current: pd.DataFrame, previous: pd.DataFrame, min_decided: int = 10) -> pd.DataFrame:
    """Per group: adherence now and before (met / decided, both metrics together), the change in
    percentage points, whether chance could make it (fisher_exact_p at CHANCE_LEVEL or more) and
    the counts, largest absolute change first; groups with fewer than `min_decided` decided
    targets in either period are left out (their change is noise)."""
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
    # A week of 40 targets moves by 7 points on three more breaches: is it more than chance?
    joined["could_be_chance"] = [
        fisher_exact_p(int(r.n_met_now), int(r.n_breached_now), int(r.n_met_before), int(r.n_breached_before))
        >= CHANCE_LEVEL for r in joined.itertuples()]
    joined = joined.reindex(joined["change_pp"].abs().sort_values(ascending=False).index)
    out = joined.reset_index().rename(columns={"group_value": "department"})
    return out[[
        "department", "adherence_now", "adherence_before", "change_pp", "could_be_chance",
        "n_decided_now", "n_breached_now", "n_decided_before", "n_breached_before",
    ]]


def adherence_shift(recent: pd.DataFrame, baseline: pd.DataFrame, min_decided: int = 10) -> pd.DataFrame:
    """Per group of either span (group_value, n_met, n_breached rows, both metrics together):
    adherence in each, the change in points as shown, and the extra breaches: how many more the
    recent span had than the baseline's adherence would give on its decided targets,
    n_breached_now - n_decided_now * (1 - adherence_before). They say which groups a fall comes
    from, where the change alone ranks a small group's large move above a large group's fall.

    Every group with a target decided in either span is kept; change and extra breaches only
    where both spans have at least `min_decided` decided targets (`too_few` marks the rest).
    Largest extra breaches first, then the groups too few to compare, the largest in either span
    first (an agent away: many before, none now)."""
    def totals(frame: pd.DataFrame) -> pd.DataFrame:
        grouped = frame.groupby("group_value", dropna=False)[["n_met", "n_breached"]].sum()
        return grouped.assign(n_decided=grouped["n_met"] + grouped["n_breached"])

    joined = totals(recent).join(totals(baseline), suffixes=("_now", "_before"), how="outer")
    joined = joined.fillna(0).astype("int64")
    joined = joined[(joined["n_decided_now"] > 0) | (joined["n_decided_before"] > 0)]  # created, nothing due
    now = joined["n_met_now"] / joined["n_decided_now"].where(joined["n_decided_now"] > 0)
    before = joined["n_met_before"] / joined["n_decided_before"].where(joined["n_decided_before"] > 0)
    compared = (joined["n_decided_now"] >= min_decided) & (joined["n_decided_before"] >= min_decided)
    out = pd.DataFrame({
        "value": joined.index,
        "adherence_now": now,
        "adherence_before": before,
        "change_pp": (half_up(now * 100, 1) - half_up(before * 100, 1)).where(compared),
        "extra_breaches": (joined["n_breached_now"] - joined["n_decided_now"] * (1 - before)).where(compared),
        "n_decided_now": joined["n_decided_now"],
        "n_breached_now": joined["n_breached_now"],
        "n_decided_before": joined["n_decided_before"],
        "n_breached_before": joined["n_breached_before"],
        "too_few": ~compared,
    }).reset_index(drop=True)
    largest = out[["n_decided_now", "n_decided_before"]].max(axis=1).rename("largest")
    out = out.join(largest).sort_values(["too_few", "extra_breaches", "largest", "value"],
                                        ascending=[True, False, False, True], na_position="last", kind="stable")
    return out.drop(columns="largest").reset_index(drop=True)
