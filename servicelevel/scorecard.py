"""A department's scorecard on the Internal departments page: the department as provider (how it
serves the other departments) and as requester (how they serve it), each with a weekly trend."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from servicelevel.filters import Filters
from servicelevel.kpis import POLICY_AVERAGE, Tile, wilson_interval


@dataclass(frozen=True)
class Role:
    filters: Filters  # the internal requests of the department in this role
    partner: str  # the column naming the other side: requester_department or provider_department
    heading: str
    short: str  # for chart titles: "as provider" / "as requester"


def roles(internal: Filters, department: str) -> tuple[Role, Role]:
    """The department as provider and as requester, within the page's internal filters."""
    return (
        Role(replace(internal, provider_departments=(department,), requester_departments=()),
             "requester_department", "As provider: how it serves the others", "as provider"),
        Role(replace(internal, requester_departments=(department,), provider_departments=()),
             "provider_department", "As requester: how the others serve it", "as requester"),
    )


def narrowed_by(role: Role) -> str:
    """The sidebar filters that narrow a role beyond its department, as an empty role's notice
    names them (' for priority urgent'); '' when none does."""
    others = replace(role.filters, requester_type="", requester_departments=(), provider_departments=())
    return "" if others.is_empty() else f" for {others.describe()}"


def opening_department(filters: Filters, departments: list[str], busiest_first: list[str]) -> tuple[str | None, str]:
    """The department the scorecard opens on, and why: the one department the sidebar names (as
    provider, else as requester), else the busiest internal provider (`busiest_first`, counted
    under the sidebar's filters, which the reason then mentions), else the first there is."""
    for role, named in (("provider", filters.provider_departments), ("requester", filters.requester_departments)):
        if len(named) == 1 and named[0] in departments:
            return named[0], f"the sidebar's {role} department"
    busiest = next((d for d in busiest_first if d in departments), None)
    if busiest is not None:
        # The page shows internal requesters whatever the sidebar's requester type.
        filtered = not replace(filters, requester_type="").is_empty()
        return busiest, "the busiest internal provider of the period" + (" for the sidebar's filters" if filtered else "")
    return (departments[0], "the first department") if departments else (None, "no department in the data")


# Internal requests without a department, as this page's tables and heatmap name them: a group of
# their own, not a blank (which a chart cannot sort on). Internal only: no "external" to mention.
UNRECORDED = {"requester_department": "(department not recorded)", "provider_department": "(no provider department)"}


def partner_rows(per_partner: pd.DataFrame, partner: str, min_count: int) -> pd.DataFrame:
    """adherence_matrix rows of one role, per partner department, as its table shows them: most
    breaches first (the partners let down most, whatever their size): the adherence and too_few
    (fewer than `min_count` decided targets), the breaches it is ordered by, the goal, then the met
    targets and the requests created."""
    decided = per_partner["n_met"] + per_partner["n_breached"]
    rows = (per_partner.fillna({"row_value": UNRECORDED[partner]}).rename(columns={"row_value": partner})
            .assign(too_few=decided < min_count))
    rows = rows.sort_values(["n_breached", partner], ascending=[False, True], kind="stable")
    # The rate, whether to trust it and the breaches the rows are ordered by first: the table stands
    # half a page wide (four columns in view at 1280 pixels). A flag scrolled out of view left 33% on
    # 3 targets looking as solid as 37% on 19; the order, with its column out of view, looked random.
    return rows[[partner, "adherence", "too_few", "n_breached", "goal", "n_met", "n_requests"]].reset_index(drop=True)


@dataclass(frozen=True)
class Headline:
    """One role's adherence over the period, every partner together, against its blended goal."""

    met: int
    decided: int
    goal: float | None

    @property
    def adherence(self) -> float:
        return self.met / self.decided


def headline(per_partner: pd.DataFrame) -> Headline | None:
    """The role's rows added up (adherence_matrix rows; goals weighted by the targets decided
    under them, as the matrix blends them); None when nothing was decided."""
    decided = per_partner["n_met"] + per_partner["n_breached"]
    if decided.sum() == 0:
        return None
    with_goal = per_partner["goal"].notna() & (decided > 0)
    goal = (per_partner.loc[with_goal, "goal"] * decided[with_goal]).sum() / decided[with_goal].sum() \
        if with_goal.any() else None
    return Headline(int(per_partner["n_met"].sum()), int(decided.sum()), None if goal is None else float(goal))


def target_headlines(totals: pd.DataFrame, period: str) -> dict[str, Headline]:
    """target_totals rows of one period ('now', 'before') as each target's headline, by metric
    ('first_response', 'resolution'); a target with nothing decided is absent."""
    return {r.metric: Headline(int(r.n_met), int(r.n_met + r.n_breached), None if pd.isna(r.goal) else float(r.goal))
            for r in totals.itertuples(index=False) if r.period == period and r.n_met + r.n_breached > 0}


def headline_tile(label: str, now: Headline, before: Headline | None, weekly: pd.DataFrame | None, min_count: int,
                  help_text: str, so_far: bool = False, no_change_note: str = "nothing decided the period before") -> Tile:
    """The role's adherence as a tile, with its change from the period before (`before`: None when
    nothing was decided then), coloured as the overview's changes are: not on fewer than
    `min_count` decided targets in either period, nor on a period not over in the data (`so_far`),
    nor against a larger move the other way over the weeks of `weekly` (weekly_adherence; None: no
    weeks to set it against): +5 points on a line that fell from 85% to 40% is no good news; nor
    where chance could make the change (Fisher's exact test on the two periods' met and decided
    targets)."""
    if weekly is None:
        weekly = pd.DataFrame({"adherence": [], "n_met": [], "n_decided": []})
    decided = weekly["n_decided"].fillna(0).astype(int)
    return Tile(key="adherence", label=label, value=now.adherence, previous=None if before is None else before.adherence,
                unit="rate", count=now.decided, count_label="decided", goal=now.goal, goal_note=POLICY_AVERAGE,
                interval=wilson_interval(now.met, now.decided),
                too_small=now.decided < min_count, previous_too_small=before is not None and before.decided < min_count,
                series=tuple(weekly["adherence"]), series_too_small=tuple(bool(n < min_count) for n in decided),
                series_parts=tuple(zip(weekly["n_met"].fillna(0).astype(int), decided)), trend_min_count=min_count,
                help=help_text, part_week=so_far, no_change_note=no_change_note,
                change_parts=None if before is None else ((before.met, before.decided), (now.met, now.decided)))


def headline_notes(tile: Tile, now: Headline, min_count: int, against: str) -> list[str]:
    """What a headline tile's caption says after its counts: the goal, too few to trust (once: a
    goal left open by too few says so already), what the change is from (`against`), whether
    chance could make it, and the trend where it is news."""
    few = f"too few to trust (under {min_count})" if now.decided < min_count and not tile.goal_left_open else ""
    return [part for part in (tile.goal_text(), few, against, tile.change_said(), tile.trend_said()) if part]


def weekly_adherence(weekly: pd.DataFrame) -> pd.DataFrame:
    """weekly_kpis rows of the internal segment with `adherence`: first-response and resolution
    targets together, met / decided (NaN in a week with nothing decided), `n_met` and `n_decided`."""
    internal = weekly[weekly["segment"] == "internal"]
    met = internal["fr_met"] + internal["res_met"]
    decided = met + internal["fr_breached"] + internal["res_breached"]
    return internal.assign(adherence=met / decided.where(decided > 0), n_met=met, n_decided=decided)


def combined_goal(weekly: pd.DataFrame) -> float | None:
    """The goal that goes with combined adherence: each week's first-response and resolution
    goals weighted by the targets decided against them (as the adherence matrix's goal is)."""
    fr_decided = weekly["fr_met"] + weekly["fr_breached"]
    res_decided = weekly["res_met"] + weekly["res_breached"]
    weighted = (weekly["fr_goal"].fillna(0) * fr_decided).sum() + (weekly["res_goal"].fillna(0) * res_decided).sum()
    decided = fr_decided[weekly["fr_goal"].notna()].sum() + res_decided[weekly["res_goal"].notna()].sum()
    return float(weighted / decided) if decided else None


def shared_domain(frames: list[pd.DataFrame], step: float = 0.05) -> tuple[float, float] | None:
    """One adherence axis for charts shown side by side: from the lowest adherence or goal among
    them, rounded down to `step`, up to 100 %."""
    lows = [f["adherence"].min() for f in frames if f["adherence"].notna().any()]
    lows += [g for g in (combined_goal(f) for f in frames) if g is not None]
    if not lows:
        return None
    return max(0.0, math.floor(round(min(lows) / step, 9)) * step), 1.0
