"""Everything the weekly overview and the weekly report show for one selection.

Both callers hand in how to run a query, `run(name, params) -> DataFrame`: the page its cached
runner, the report (command line or download button) a plain cursor. The numbers on the page and
in the report therefore come from the same queries, shaped by the same functions here.
Query results may be shared cache entries: nothing here changes a frame it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

import altair as alt
import pandas as pd

from servicelevel import charts, recurring
from servicelevel.fields import mid_sentence
from servicelevel.filters import FILTER_PARAMS, Filters, Period, Selection, iso_week_code
from servicelevel.kpis import TREND_MOVE_PP, Tile, TrendEnds, below_though_shown_equal, fisher_exact_p, weekly_tiles
from servicelevel.movers import adherence_movers
from servicelevel.rounding import half_up
from servicelevel.settings import Organisation
from servicelevel.tables import NO_VALUE, columns_first

Runner = Callable[[str, dict], pd.DataFrame]

TREND_WEEKS = 12
TOP_BREACHES = 25  # the overview lists this many; the report its first REPORT_BREACHES
MOVERS_MIN_DECIDED = 10
# Slipping: the RECENT_WEEKS ending with the focus week against the BASELINE_WEEKS before them,
# listed when adherence fell by at least SLIP_MIN_PP points. A department that has been slow for a
# month is no mover from one week to the next, yet it is the one leadership needs to see.
# (The metric dictionary, definitions.py, states these numbers in words.)
RECENT_WEEKS = 4
BASELINE_WEEKS = 8
SLIP_MIN_PP = 5.0
BELOW_GOAL_PP = 5.0  # a department this many points below its goal over the recent weeks is named
FOLLOWUP_LIMIT = 500  # unhappy answers with a comment read to pick the lowest-scored ones
LOWEST_COMMENTS = 8
SEGMENTS = ("internal", "external")


# --------------------------------------------------------------------------------------
# Which week, which trend window


def _covered_end(selection: Selection) -> date:
    """The end (exclusive) of the part of the selected period the data covers: a range that runs
    past the data's newest day is counted up to that day, not to empty weeks after it."""
    period = selection.period
    return min(period.end, max(selection.newest_day, period.start) + timedelta(days=1))


def focus_week(selection: Selection) -> Period:
    """The ISO week the tiles are about: the selected week, or a custom range's last whole ISO
    week up to the data's newest day (when it holds no whole week it lies in two at most: the
    one holding more of its days, the later on a tie). The trends, the movers and the week
    before are counted in ISO weeks (Monday to Sunday), so the tiles are one too."""
    period = selection.period
    if period.is_iso_week:
        return period
    end = _covered_end(selection)
    last_monday = end - timedelta(days=end.weekday())  # on or before the end
    if last_monday - timedelta(days=7) >= period.start:
        return Period(last_monday - timedelta(days=7), last_monday, period.timezone)
    last_day = end - timedelta(days=1)
    start = last_day - timedelta(days=last_day.weekday())
    if (start - period.start).days > (end - start).days:
        start -= timedelta(days=7)
    return Period(start, start + timedelta(days=7), period.timezone)


def custom_range_note(selection: Selection, week: Period, document: str = "weekly overview") -> str | None:
    """What the weekly overview (or report: `document`) shows of a custom range; None when an
    ISO week is selected."""
    period = selection.period
    if week == period:
        return None
    end = _covered_end(selection)
    inside = period.start <= week.start and week.end <= end
    which = "its last whole week" if inside else "the week holding most of its days"
    past_data = "" if end == period.end else (
        f" The range runs past the data, which ends on {end - timedelta(days=1):%d %b %Y}: it is counted up to there.")
    pages = " The other pages count the range itself." if document == "weekly overview" else ""
    return (f"A custom range ({period.label()}) is selected. The {document} counts ISO weeks: its tiles, movers and "
            f"breaches show {which}, {week.label()}, against the week before, and its trends end with that week."
            f"{past_data}{pages}")


def trend_period(selection: Selection, week: Period, weeks: int = TREND_WEEKS, data_from: date | None = None) -> Period:
    """`weeks` ISO weeks ending with the focus week, or every week of a longer custom range;
    never starting before the week of `data_from` (the first request loaded): weeks before the
    data are not weeks of zero requests."""
    range_start = selection.period.start - timedelta(days=selection.period.start.weekday())
    start = min(week.start - timedelta(days=7 * (weeks - 1)), range_start)
    if data_from is not None:
        start = min(max(start, data_from - timedelta(days=data_from.weekday())), week.start)
    return Period(start, week.end, week.timezone)


def unfinished_note(selection: Selection, week: Period) -> str | None:
    """A warning when the focus week goes past the data's newest instant (the current week)."""
    if not selection.over(week).period_running:  # over, or wholly after the data (then it is empty)
        return None
    newest = selection.as_of.astimezone(ZoneInfo(week.timezone))
    return (f"{week.label()} is not over in the data: it ends at {newest:%a %d %b %H:%M}. Its counts cover "
            "part of the period, so comparisons with whole weeks before it need care.")


# --------------------------------------------------------------------------------------
# KPI tiles and the 12-week trends


# The KPI table's leading columns: the tiles' values in the tiles' order, then goals and counts.
TABLE_FIRST = ("week", "week_start", "segment", "n_created", "fr_adherence", "res_adherence",
               "median_frt_business_secs", "csat", "backlog_at_end", "fr_goal", "res_goal", "fr_met", "fr_breached",
               "res_met", "res_breached")


@dataclass(frozen=True)
class WeeklyKpis:
    """The weekly_kpis rows behind the tiles and trend charts, and the tiles themselves."""

    week: Period
    trend: Period
    weekly: pd.DataFrame  # one row per week x segment (all/internal/external) with the rates added
    tiles: tuple[Tile, ...]
    segments: tuple[str, ...]  # the requester segments the trends draw
    csat_goal: float | None
    unfinished_week: date | None = None  # week_start of a trend week not over in the data
    min_count: int = 30  # the fewest targets or answers a rate is trusted on (organisation.toml)
    # Per segment, the p-value of the median first response's change from the week before.
    frt_change_p: dict[str, float] | None = None

    @property
    def overall(self) -> pd.DataFrame:
        """The 'all' segment's rows, oldest week first."""
        return self.weekly[self.weekly["segment"] == "all"].reset_index(drop=True)

    @property
    def chart_rows(self) -> pd.DataFrame:
        """The rows the trend charts draw: one line per segment shown."""
        return self.weekly[self.weekly["segment"].isin(self.segments)]

    @property
    def only_segment(self) -> str | None:
        """The one requester segment drawn when every week of it equals 'all' in every column (a
        department serving internal customers only); None otherwise. Its rows would only repeat."""
        if len(self.segments) != 1:
            return None
        segment = self.segments[0]
        rows = [self.weekly[self.weekly["segment"] == s].drop(columns="segment").reset_index(drop=True)
                for s in ("all", segment)]
        return segment if rows[0].equals(rows[1]) else None

    def one_segment_note(self, filters: Filters) -> str | None:
        """Why the trends draw a single line although the filters keep both kinds of requester (a
        department serving internal customers only); None when they draw both, or the filters
        asked for one kind."""
        if self.only_segment is None or filters.requester_type:
            return None
        other = "external" if self.only_segment == "internal" else "internal"
        return (f"Every request this selection holds over these weeks is from {self.only_segment} requesters, "
                f"none from {other} ones: each chart draws one line.")

    @property
    def table_rows(self) -> pd.DataFrame:
        """The rows the table under the charts lists: 'all' and the segments drawn (but a segment
        that only repeats 'all'), the newest week (the tiles') first, so that it shows without
        scrolling. Each week by its ISO code, as the sidebar and links name it, then its Monday; the
        tiles' values first, in the tiles' order, so that a laptop's width shows them without
        scrolling sideways."""
        listed = ("all",) if self.only_segment else ("all", *self.segments)
        rows = self.weekly[self.weekly["segment"].isin(listed)]
        rows = rows.sort_values("week_start", ascending=False, kind="stable")
        rows = rows.assign(week=[iso_week_code(pd.Timestamp(d).date()) for d in rows["week_start"]])
        return columns_first(rows, TABLE_FIRST)

    @property
    def is_empty(self) -> bool:
        """Nothing created and no SLA target decided in the focus week."""
        now = self.overall.iloc[-1]
        return bool(now["n_created"] == 0 and now["fr_met"] + now["fr_breached"] == 0)

    @property
    def trend_is_empty(self) -> bool:
        """Nothing created, decided or answered in any week of the trend window."""
        totals = self.overall[list(ACTIVITY_COLUMNS)].sum()
        return bool(totals.sum() == 0)

    @property
    def n_decided(self) -> int:
        """SLA targets (first response and resolution) decided in the focus week."""
        now = self.overall.iloc[-1]
        return int(now["fr_met"] + now["fr_breached"] + now["res_met"] + now["res_breached"])

    def segment_goals(self, column: str) -> dict[str, float | None]:
        """Per segment drawn, its goal over the trend window (fr_goal / res_goal averaged over the
        weeks): internal and external requests fall under different policies."""
        rows = self.chart_rows
        return {segment: _mean_goal(rows.loc[rows["segment"] == segment, column]) for segment in self.segments}

    def tile(self, key: str) -> Tile:
        return next(t for t in self.tiles if t.key == key)

    def trend_end_rows(self, key: str) -> pd.DataFrame:
        """The tile's trend ends as a chart draws them (columns from, to, value, end): each a level
        across its weeks, half a week either side of their points; none when the tile has no trend.
        The brief says "fell 91.3% → 89.2%" of all requesters; the lines show each group per week."""
        tile, half_week = self.tile(key), pd.Timedelta(days=3.5)
        ends = tile.trend_ends
        if ends is None:
            return pd.DataFrame(columns=["from", "to", "value", "end"])
        weeks = pd.to_datetime(self.overall["week_start"]).iloc[:len(tile.series)]  # the tile's series, oldest first
        spans = (weeks.iloc[:ends.weeks_each], weeks.iloc[-ends.weeks_each:])
        return pd.DataFrame({"from": [span.iloc[0] - half_week for span in spans],
                             "to": [span.iloc[-1] + half_week for span in spans],
                             "value": [ends.first, ends.last], "end": list(ends.end_names())})

    @property
    def mix_notes(self) -> tuple[str, ...]:
        """Why a rate moved more overall than for either requester type, where it did."""
        return mix_notes(self.weekly, self.min_count)

    @property
    def n_breaches(self) -> int:
        """SLA targets (first response and resolution) breached in the focus week."""
        now = self.overall.iloc[-1]
        return int(now["fr_breached"] + now["res_breached"])


# Rates whose overall change a shift between requester types can explain: name in a sentence,
# numerator column, denominator columns, what the denominator counts.
MIX_RATES = (
    ("first-response adherence", "fr_met", ("fr_met", "fr_breached"), "first-response targets decided"),
    ("resolution adherence", "res_met", ("res_met", "res_breached"), "resolution targets decided"),
    ("CSAT", "n_satisfied", ("n_answers",), "survey answers"),
)
MIX_GAP_PP = 1.0  # a smaller gap is rounding and noise, not worth a sentence


def mix_notes(weekly: pd.DataFrame, min_count: int) -> tuple[str, ...]:
    """Where a rate moved from the week before overall by at least MIX_GAP_PP more (or less)
    than for internal and external requesters alike, the reason: the mix between them shifted
    towards the one whose rate differs (Simpson's paradox, which otherwise reads as an error).
    Said only when the two requester types add up to the whole and each has at least
    `min_count` behind its rate in both weeks (on fewer, the rates themselves are noise)."""
    last_two = sorted(weekly["week_start"].unique())[-2:]
    if len(last_two) < 2:
        return ()
    rows = weekly[weekly["week_start"].isin(last_two)].set_index(["segment", "week_start"]).sort_index()
    if not all((segment, week) in rows.index for segment in ("all", *SEGMENTS) for week in last_two):
        return ()
    before, now = last_two
    notes = []
    for name, numerator, denominator, counted in MIX_RATES:
        counts = {(seg, week): (float(rows.loc[(seg, week), numerator]),
                                float(sum(rows.loc[(seg, week), c] for c in denominator)))
                  for seg in ("all", *SEGMENTS) for week in last_two}
        if any(n < min_count for _, n in counts.values()):
            continue
        if any(counts[("all", week)][1] != sum(counts[(seg, week)][1] for seg in SEGMENTS) for week in last_two):
            continue  # requests without a requester type count in 'all' only: not a mix of the two
        rate = {at: met / n for at, (met, n) in counts.items()}
        shown = {seg: round((rate[(seg, now)] - rate[(seg, before)]) * 100, 1) for seg in ("all", *SEGMENTS)}
        parts = [shown[seg] for seg in SEGMENTS]
        if min(parts) - MIX_GAP_PP < shown["all"] < max(parts) + MIX_GAP_PP:
            continue
        share = {(seg, week): n / counts[("all", week)][1] for (seg, week), (_, n) in counts.items()}
        grew, other = SEGMENTS if share[(SEGMENTS[0], now)] > share[(SEGMENTS[0], before)] else SEGMENTS[::-1]
        level = "lower" if rate[(grew, now)] < rate[(other, now)] else "higher"
        notes.append(
            f"{name[:1].upper() + name[1:]} moved {shown['all']:+.1f} pp overall but {shown['internal']:+.1f} pp "
            f"for internal and {shown['external']:+.1f} pp for external requesters: the mix shifted. "
            f"{grew.capitalize()} requesters, whose {name} is {level} ({rate[(grew, now)]:.1%} against "
            f"{rate[(other, now)]:.1%}), account for {share[(grew, now)]:.0%} of the {counted} this week against "
            f"{share[(grew, before)]:.0%} the week before."
        )
    return tuple(notes)


def _rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator / denominator.where(denominator > 0)


def weekly_kpis(run: Runner, selection: Selection, org: Organisation) -> WeeklyKpis:
    """Tiles for the focus week and the weekly rows of the trend window."""
    week = focus_week(selection)
    trend = trend_period(selection, week, data_from=data_start(run, week.timezone))
    raw = run("weekly_kpis", {**selection.params(), **trend.params()})
    weekly = raw.assign(
        fr_adherence=_rate(raw["fr_met"], raw["fr_met"] + raw["fr_breached"]),
        res_adherence=_rate(raw["res_met"], raw["res_met"] + raw["res_breached"]),
        csat=_rate(raw["n_satisfied"], raw["n_answers"]),
    )
    overall = weekly[weekly["segment"] == "all"].reset_index(drop=True)
    unfinished_week = trend.unfinished_week(selection.as_of)
    frt_change_p = first_response_median_change_p(run, selection.filters, week)
    return WeeklyKpis(
        week=week,
        trend=trend,
        weekly=weekly,
        tiles=tuple(weekly_tiles(overall, org, unfinished=unfinished_week == week.start,
                                 frt_change_p=frt_change_p.get("all"))),
        segments=segments_present(weekly, selection.filters.requester_type),
        csat_goal=org.csat_goal,
        min_count=org.min_count,
        unfinished_week=unfinished_week,
        frt_change_p=frt_change_p,
    )


def first_response_median_change_p(run: Runner, filters: Filters, week: Period) -> dict[str, float]:
    """Per segment, whether the median first response moved from the week before by more than
    chance could make: Mood's median test, each week's first responses above the two weeks' pooled
    median against the rest, by Fisher's exact test (as the rates' changes are tested). A segment
    without first responses in either week has none."""
    start_at, split_at = week.previous().bounds()
    counts = run("first_response_median_test",
                 {**filters.params(), "start_at": start_at, "split_at": split_at, "end_at": week.bounds()[1]})
    return {row.segment: fisher_exact_p(row.n_above_now, row.n_now - row.n_above_now,
                                        row.n_above_before, row.n_before - row.n_above_before)
            for row in counts.itertuples(index=False) if row.n_before and row.n_now}


# What makes a requester segment worth a line of its own in the trend window.
ACTIVITY_COLUMNS = ("n_created", "fr_met", "fr_breached", "res_met", "res_breached", "n_answers")


def segments_present(weekly: pd.DataFrame, requester_type: str) -> tuple[str, ...]:
    """The requester segments to draw: those the filter allows that have anything in the trend
    window (a department that serves no external customer gets no flat 'external' line at zero).
    When neither has anything, the ones the filter allows, so the page can say why it is empty."""
    allowed = SEGMENTS if requester_type == "" else (requester_type,)
    active = weekly[weekly["segment"].isin(allowed)].groupby("segment")[list(ACTIVITY_COLUMNS)].sum().sum(axis=1)
    present = tuple(segment for segment in allowed if active.get(segment, 0) > 0)
    return present or allowed


def _mean_goal(goals: pd.Series) -> float | None:
    return float(goals.dropna().mean()) if goals.notna().any() else None


# The trend charts in the order the page's two columns and the report's grid read them.
TREND_CHARTS = ("fr_adherence", "res_adherence", "n_created", "csat")


def trend_charts(kpis: WeeklyKpis) -> dict[str, alt.TopLevelMixin]:
    """The four 12-week trend charts (the same specifications on the page and in the report)."""
    rows, unfinished, fewest = kpis.chart_rows, kpis.unfinished_week, kpis.min_count
    # A week's rate on fewer than min_count targets or answers gets a hollow point.
    rows = rows.assign(fr_decided=rows["fr_met"] + rows["fr_breached"],
                       res_decided=rows["res_met"] + rows["res_breached"])
    return {
        "fr_adherence": charts.trend_chart(rows, "fr_adherence", "First-response adherence by week", "Adherence",
                                           goal=kpis.segment_goals("fr_goal"), as_percent=True,
                                           unfinished_week=unfinished, trend=kpis.trend_end_rows("fr_adherence"),
                                           rests_on="targets decided", counted=("fr_decided", fewest)),
        "res_adherence": charts.trend_chart(rows, "res_adherence", "Resolution adherence by week", "Adherence",
                                            goal=kpis.segment_goals("res_goal"), as_percent=True,
                                            unfinished_week=unfinished, trend=kpis.trend_end_rows("res_adherence"),
                                            rests_on="targets decided", counted=("res_decided", fewest)),
        # No trend level here: all requesters' volume, twice either group's, would squash their lines.
        "n_created": charts.trend_chart(rows, "n_created", "Requests created by week", "Requests",
                                        unfinished_week=unfinished),
        "csat": charts.trend_chart(rows, "csat", "CSAT % by week", "CSAT", note="answers scoring 4-5",
                                   goal=kpis.csat_goal, as_percent=True, unfinished_week=unfinished,
                                   trend=kpis.trend_end_rows("csat"), rests_on="survey answers",
                                   counted=("n_answers", fewest)),
    }


def segment_tiles(kpis: WeeklyKpis, org: Organisation) -> dict[str, tuple[Tile, ...]]:
    """The same tiles per requester segment shown (internal vs external customers)."""
    out = {}
    for segment in kpis.segments:
        rows = kpis.weekly[kpis.weekly["segment"] == segment].reset_index(drop=True)
        out[segment] = tuple(weekly_tiles(rows, org, unfinished=kpis.unfinished_week == kpis.week.start,
                                          frt_change_p=(kpis.frt_change_p or {}).get(segment)))
    return out


# --------------------------------------------------------------------------------------
# Movers and breaches


# How a table grouped by a dimension names the requests without a value in it.
def no_value(dimension: str) -> str:
    return NO_VALUE.get(dimension, "(none)")


def adherence_by(run: Runner, selection: Selection, period: Period,
                 dimension: str = "provider_department") -> pd.DataFrame:
    """Targets met and breached per value of `dimension` (sla.DIMENSIONS), both metrics, decided in
    `period`; requests without a value are a group of their own, named by no_value()."""
    frame = run("adherence_matrix", {
        **selection.params(), **period.params(),
        "row_dimension": dimension, "column_dimension": "", "metric": "both",
    })
    return frame.rename(columns={"row_value": "group_value"}).fillna({"group_value": no_value(dimension)})


def movers(run: Runner, selection: Selection, week: Period, min_decided: int = MOVERS_MIN_DECIDED) -> pd.DataFrame:
    """Provider departments whose adherence changed most from the week before (movers.py)."""
    before = Period(week.start - timedelta(days=7), week.start, week.timezone)
    return adherence_movers(adherence_by(run, selection, week), adherence_by(run, selection, before), min_decided)


def percent(rate: float) -> str:
    """A rate as every table and sentence shows it: 0.4262 -> "42.6%"."""
    return f"{half_up(rate, 3):.1%}"  # halves up, as the tables show it


@dataclass(frozen=True)
class Slipping:
    """Departments whose adherence over the recent weeks fell against the weeks before them."""

    recent: Period
    baseline: Period
    compared: pd.DataFrame  # adherence_movers (now = recent): departments with enough in both spans
    data_from: date | None = None  # the local date of the first request loaded
    # The recent span against the goal (standing()): a department slow for months never slips,
    # yet may be the one furthest from its promise.
    standing: pd.DataFrame | None = None
    # Departments with decided targets over the recent weeks that standing() leaves out, each with
    # why: "Payroll (6 decided)", "Facilities (no goal)".
    not_standing: tuple[str, ...] = ()
    as_of: datetime | None = None  # the data's newest instant: the recent span may run past it
    min_count: int = 30  # the fewest decided targets an adherence is trusted on (organisation.toml)

    @property
    def below_goal(self) -> pd.DataFrame:
        """Departments BELOW_GOAL_PP points or more below their goal over the recent weeks, furthest first."""
        if self.standing is None:
            return pd.DataFrame(columns=["department", "adherence", "goal", "gap_pp", "n_decided"])
        below = self.standing[self.standing["gap_pp"] <= -BELOW_GOAL_PP]
        return below.sort_values(["gap_pp", "department"]).reset_index(drop=True)

    @property
    def all_clear(self) -> bool:
        """Several departments compared, none slipped and none far below its goal: good news to
        colour so (one department's own report states its numbers, uncoloured)."""
        return len(self.compared) > 1 and self.departments.empty and self.below_goal.empty

    @property
    def departments(self) -> pd.DataFrame:
        """The compared departments that fell by SLIP_MIN_PP points or more, largest fall first."""
        fell = self.compared[self.compared["change_pp"] <= -SLIP_MIN_PP]
        return fell.sort_values(["change_pp", "department"]).reset_index(drop=True)

    @property
    def every_department(self) -> pd.DataFrame:
        """Every department with enough decided targets over the recent weeks against its goal,
        furthest below first, with its change from the weeks before where both spans have enough
        (change_pp empty otherwise): where each stands, not only those that slipped."""
        columns = ["department", "adherence", "goal", "gap_pp", "too_few", "change_pp", "n_decided"]
        if self.standing is None or self.standing.empty:
            return pd.DataFrame(columns=columns)
        out = self.standing.merge(self.compared[["department", "change_pp"]], on="department", how="left")
        # Beside the rate: a department on 12 targets stands as far below its goal as chance puts it.
        out["too_few"] = out["n_decided"] < self.min_count
        return out[columns].sort_values(["gap_pp", "department"], kind="stable").reset_index(drop=True)

    def every_department_note(self) -> str:
        """What the every-department table compares, and what it leaves out."""
        return (f"Each provider department's adherence over the last {RECENT_WEEKS} weeks ({self.recent.label()}), "
                "first-response and resolution targets together, against its goal (the average of its policies' "
                "goals over those targets), furthest below first; change: against its own adherence over the "
                f"{BASELINE_WEEKS} weeks before, blank where those hold fewer than {MOVERS_MIN_DECIDED} decided "
                f"targets. An adherence on fewer than {self.min_count} decided targets is too few to trust"
                + ("" if self.every_department["too_few"].any() else "; every one here rests on more") + ". "
                f"Departments with fewer than {MOVERS_MIN_DECIDED} decided targets over the last "
                f"{RECENT_WEEKS} weeks, or no goal, are left out"
                + (f": {', '.join(self.not_standing)}." if self.not_standing else ": none here.")
                + running_span_note(self.recent, self.as_of))

    def verdict(self) -> str:
        """One sentence on what was found, for above (or instead of) the table."""
        if self.compared.empty and self.data_from is not None and self.baseline.end <= self.data_from:
            return (f"The data starts on {self.data_from:%d %b %Y}, after the {BASELINE_WEEKS} weeks before the last "
                    f"{RECENT_WEEKS}: there is nothing yet to compare departments with.")
        if self.compared.empty:
            return (f"Not enough decided SLA targets in both spans to compare departments "
                    f"(at least {MOVERS_MIN_DECIDED} each).")
        if self.departments.empty and len(self.compared) == 1:  # one department filtered: its own numbers
            only = self.compared.iloc[0]
            return (f"{only['department']} did not slip: adherence {percent(only['adherence_now'])} over the last "
                    f"{RECENT_WEEKS} weeks against {percent(only['adherence_before'])} in the {BASELINE_WEEKS} weeks "
                    f"before ({only['change_pp']:+.1f} pp; a fall of {SLIP_MIN_PP:.0f} points or more counts).")
        if self.departments.empty:
            return f"No department's adherence fell by {SLIP_MIN_PP:.0f} points or more (of {len(self.compared)} compared)."
        # A fall chance could make is said to be one here too, not only in the table's column.
        chance = self.departments["could_be_chance"]
        if len(self.compared) == 1:
            return (f"{self.compared['department'].iloc[0]} fell by {SLIP_MIN_PP:.0f} points or more"
                    + (" (could be chance)." if chance.all() else "."))
        if len(self.departments) == 1:  # "largest fall first" and "1 of them" read oddly of one
            return (f"1 of {len(self.compared)} departments compared fell by {SLIP_MIN_PP:.0f} points or more: "
                    f"{self.departments['department'].iloc[0]}"
                    + (" (could be chance)." if chance.all() else "."))
        return (f"{len(self.departments)} of {len(self.compared)} departments compared fell by {SLIP_MIN_PP:.0f} "
                "points or more, largest fall first" + (
                    f"; could be chance: {', '.join(self.departments.loc[chance, 'department'])}." if chance.any()
                    else "."))

    def note(self) -> str:
        """What is compared with what."""
        partial = partial_baseline_note(self.baseline, self.data_from)
        return (f"First-response and resolution targets together, the {RECENT_WEEKS} weeks {self.recent.label()} "
                f"against the {BASELINE_WEEKS} weeks {self.baseline.label()}; departments with fewer than "
                f"{MOVERS_MIN_DECIDED} decided targets in either span are left out."
                + (f" {partial}" if partial else "") + running_span_note(self.recent, self.as_of))


def standing(by_department: pd.DataFrame, min_decided: int = MOVERS_MIN_DECIDED) -> pd.DataFrame:
    """Per provider department (with at least `min_decided` decided targets): adherence, its goal
    (the decided targets' policy goals averaged, as adherence_matrix gives it) and the gap in
    points between the two as shown."""
    rows = by_department.assign(n_decided=by_department["n_met"] + by_department["n_breached"])
    rows = rows[(rows["n_decided"] >= min_decided) & rows["goal"].notna()]
    adherence = rows["n_met"] / rows["n_decided"]
    return pd.DataFrame({
        "department": rows["group_value"],
        "adherence": adherence,
        "goal": rows["goal"],
        "gap_pp": half_up(adherence * 100, 1) - half_up(rows["goal"] * 100, 1),
        "n_decided": rows["n_decided"],
    }).reset_index(drop=True)


def not_standing(by_department: pd.DataFrame, min_decided: int = MOVERS_MIN_DECIDED) -> tuple[str, ...]:
    """The departments with decided targets that standing() leaves out, each with why, by name."""
    decided = by_department["n_met"] + by_department["n_breached"]
    out = by_department[(decided > 0) & ((decided < min_decided) | by_department["goal"].isna())]
    return tuple(f"{d} ({'no goal' if pd.isna(g) else f'{n:,} decided'})"
                 for d, g, n in sorted(zip(out["group_value"], out["goal"], decided[out.index])))


def recent_and_baseline(week: Period) -> tuple[Period, Period]:
    """The RECENT_WEEKS ending with `week`, and the BASELINE_WEEKS before them."""
    recent = Period(week.end - timedelta(weeks=RECENT_WEEKS), week.end, week.timezone)
    return recent, Period(recent.start - timedelta(weeks=BASELINE_WEEKS), recent.start, week.timezone)


def running_span_note(span: Period, as_of: datetime | None) -> str:
    """' The last of these weeks is not over: ...' (of a one-week span, ' This week is not over: ...')
    when the data's newest instant falls inside `span` (the running week ends it); else ''."""
    start_at, end_at = span.bounds()
    if as_of is None or not start_at < as_of < end_at:
        return ""
    newest = as_of.astimezone(ZoneInfo(span.timezone))
    which = "This week" if span.days == 7 else "The last of these weeks"
    return (f" {which} is not over: the data ends at {newest:%a %d %b %H:%M}, and its targets due later are not "
            "decided yet.")


def partial_baseline_note(baseline: Period, data_from: date | None) -> str | None:
    """A sentence when the data starts inside the baseline span, which then holds fewer weeks
    than it is named for (a comparison resting on one week of it reads as on eight); else None."""
    if data_from is None or not baseline.start < data_from < baseline.end:
        return None
    weeks = -(-(baseline.end - data_from).days // 7)  # whole or part weeks
    return (f"The data starts on {data_from:%d %b %Y}: the {BASELINE_WEEKS} weeks before hold only "
            f"{'1 week' if weeks == 1 else f'{weeks} weeks'} of it.")


def slipping(run: Runner, selection: Selection, week: Period, min_decided: int = MOVERS_MIN_DECIDED,
             min_count: int = 30) -> Slipping:
    """Provider departments whose adherence over the RECENT_WEEKS ending with `week` is at least
    SLIP_MIN_PP points below the BASELINE_WEEKS before them (and how each stands against its goal)."""
    recent, baseline = recent_and_baseline(week)
    recent_rows = adherence_by(run, selection, recent)
    compared = adherence_movers(recent_rows, adherence_by(run, selection, baseline), min_decided)
    return Slipping(recent, baseline, compared, data_from=data_start(run, week.timezone),
                    standing=standing(recent_rows, min_decided), not_standing=not_standing(recent_rows, min_decided),
                    as_of=selection.as_of, min_count=min_count)


# --------------------------------------------------------------------------------------
# The week in brief

BRIEF_DEPARTMENTS = 3  # departments named per sentence


def _trend_move(tile: Tile) -> tuple[str, float, TrendEnds] | None:
    """A rate tile's two ends of the trend window as shown: ('90.5% → 88.1%', change in points
    as shown, the ends); None for another unit or without two ends."""
    ends = tile.trend_ends
    if tile.unit != "rate" or ends is None:
        return None
    return f"{tile.format_value(ends.first)} → {tile.format_value(ends.last)}", tile.trend_delta, ends


def _named(frame: pd.DataFrame, says) -> str:
    shown = [says(row) for row in frame.head(BRIEF_DEPARTMENTS).itertuples(index=False)]
    more = len(frame) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def brief(tiles: tuple[Tile, ...], slipping: Slipping | None) -> tuple[str, ...]:
    """The week in three sentences, for whoever reads only the top: the goals met and missed this
    week, where the rates went over the trend window (a week-on-week rise can sit on a long
    slide), and the departments to look at (slipped, or far below their goal)."""
    lines = []
    judged = [t for t in tiles if t.goal_is_clear]
    missed = [t for t in judged if not t.meets_goal]
    unjudged = [t for t in tiles if t.meets_goal is not None and not t.goal_is_clear]

    # A missed goal: its figures told apart where they show alike, and "on only …" where it is
    # judged on few (its interval clear of the goal).
    def below(t: Tile) -> str:
        value, goal = below_though_shown_equal(t.value, t.goal) or (t.format_value(), t.format_value(t.goal))
        return f"{mid_sentence(t.label)} {value} (goal {goal}" + (
            f", on only {t.count:,} {t.count_label})" if t.too_small else ")")

    # Part of a week: its running targets are decided later, so its rates are no verdict yet.
    this_week = "so far this week (not over in the data)" if any(t.part_week for t in tiles) else "this week"
    if judged:
        line = f"{len(judged) - len(missed)} of {len(judged)} goal{'s' if len(judged) > 1 else ''} met {this_week}"
        if missed:
            line += "; below goal: " + ", ".join(below(t) for t in missed)
        if unjudged:
            line += f"; too few to judge: {', '.join(mid_sentence(t.label) for t in unjudged)}"
        lines.append(line + ".")
    elif unjudged:
        lines.append(f"Too few {this_week} to judge any goal ({', '.join(mid_sentence(t.label) for t in unjudged)}).")
    moves = [(t, move) for t in tiles if (move := _trend_move(t)) is not None]
    if moves:
        ends = max((move[2] for _, move in moves), key=lambda e: e.weeks_total)
        # Named where the tile calls it news: a point or more, beyond what chance could make.
        fell = [f"{mid_sentence(t.label)} {m[0]}" for t, m in moves if t.trend_is_news and m[1] < 0]
        rose = [f"{mid_sentence(t.label)} {m[0]}" for t, m in moves if t.trend_is_news and m[1] > 0]
        parts = ([f"fell: {', '.join(fell)}"] if fell else []) + ([f"rose: {', '.join(rose)}"] if rose else [])
        each = ends.weeks_each
        # "Taken together": the ends are no single week's figure, and read beside this week's
        # (88.1% below goal, then 91.3% → 89.2%) they looked like this week's value.
        pair = (f"the first {each} weeks taken together against the last {each}" if each > 1
                else "the first week against the last")
        lines.append(f"Over the {ends.weeks_total} weeks ({pair}), " + ("; ".join(parts) if parts else
                     f"no rate moved by {TREND_MOVE_PP:.0f} point or more beyond what chance could make") + ".")
    if slipping is not None and len(slipping.compared) == 1 and slipping.standing is not None \
            and len(slipping.standing) == 1:  # one department's own report: its numbers, not a list
        only, goal = slipping.compared.iloc[0], slipping.standing.iloc[0]
        # As the organisation's brief flags a slip, a change chance could make says so.
        moved = f"{only['change_pp']:.1f}" not in ("0.0", "-0.0")
        chance = ", could be chance" if only["could_be_chance"] and moved else ""
        lines.append(f"SLA adherence of {only['department']} as a provider department, last {RECENT_WEEKS} weeks: "
                     f"{percent(only['adherence_now'])} "
                     f"against {percent(only['adherence_before'])} in the {BASELINE_WEEKS} before "
                     f"({only['change_pp']:+.1f} pp{chance}), goal {percent(goal['goal'])}.")
    elif slipping is not None and not slipping.compared.empty:
        slipped, far_below = slipping.departments, slipping.below_goal
        # A department both slipping and far below its goal is named once, with its goal.
        goal_of = dict(zip(far_below["department"], far_below["goal"]))
        below = far_below[~far_below["department"].isin(slipped["department"])]
        span = f"the last {RECENT_WEEKS} weeks"
        # The rate is the provider department's SLA adherence, as the page's Slipping table
        # gives it: a bare "Procurement 42.6%" did not say of what, or on which side.
        def slip(r) -> str:  # a slip that chance could make is named, and said to be one (movers.fisher_exact_p)
            notes = ([f"goal {percent(goal_of[r.department])}"] if r.department in goal_of else []) \
                + (["could be chance"] if r.could_be_chance else [])
            return (f"{r.department} {percent(r.adherence_now)} against {percent(r.adherence_before)}"
                    + (f" ({'; '.join(notes)})" if notes else ""))

        def far(r) -> str:  # on few targets, said so, as a tile's missed goal is ("on only 14 decided targets")
            few = f", on only {r.n_decided:,} decided targets" if r.n_decided < slipping.min_count else ""
            return f"{r.department} {percent(r.adherence)} (goal {percent(r.goal)}{few})"

        if not slipped.empty:
            lines.append(f"Provider departments slipping (SLA adherence, {span} against the {BASELINE_WEEKS} "
                         f"before): {_named(slipped, slip)}.")
        if not below.empty:
            others = "Other provider" if len(below) < len(far_below) else "Provider"
            lines.append(f"{others} departments far below their SLA goal (SLA adherence, {span}): "
                         f"{_named(below, far)}.")
        if slipped.empty and below.empty:
            lines.append(f"No provider department slipped, or stands {BELOW_GOAL_PP:.0f} points or more below its "
                         f"SLA goal, over {span}.")
    return tuple(lines)


def top_breaches(run: Runner, selection: Selection, week: Period, limit: int = TOP_BREACHES) -> pd.DataFrame:
    """The focus week's breached targets with the largest overruns."""
    return run("breaches", {**selection.params(), **week.params(), "max_rows": limit})


def top_broken_promises(run: Runner, selection: Selection, week: Period, limit: int = TOP_BREACHES) -> pd.DataFrame:
    """The focus week's broken promises (due dates missed), still open first, then most hours late;
    n_broken counts them all."""
    return run("broken_promises", {**selection.params(), **week.params(), "max_rows": limit})


def promises_by_department(run: Runner, selection: Selection, week: Period) -> pd.DataFrame:
    """The focus week's promises kept, broken and not due yet per provider department (group_value)."""
    return run("promises_kept", {**selection.params(), **week.params(), "dimension": "provider_department"})


# --------------------------------------------------------------------------------------
# Emerging recurring problems


@dataclass(frozen=True)
class Emerging:
    """Categories tested for a rise in the recent weeks ending with the focus week."""

    rule: recurring.EmergingRule
    recent_start: date
    end: date  # exclusive Monday
    table: pd.DataFrame  # recurring.emerging(): every category, emerging ones first

    @property
    def rising(self) -> pd.DataFrame:
        return self.table[self.table["is_emerging"]].reset_index(drop=True)


def data_start(run: Runner, timezone: str) -> date | None:
    """The local date of the first request loaded (the emerging test's baseline starts no earlier)."""
    first = run("data_extent", {}).iloc[0]["first_created_at"]
    if first is None or pd.isna(first):
        return None
    return pd.Timestamp(first).to_pydatetime().astimezone(ZoneInfo(timezone)).date()


def emerging(run: Runner, selection: Selection, week: Period,
             rule: recurring.EmergingRule = recurring.EmergingRule()) -> Emerging:
    """The recurring-problems test of recurring.py over the weeks ending with the focus week (with
    the last whole week of the data, when the focus week is not over in it)."""
    end = recurring.whole_weeks_end(week.end, selection.over(week).newest_day)
    baseline_start, recent_start, _ = recurring.windows(end, rule)
    history_start = min(baseline_start, end - timedelta(weeks=TREND_WEEKS))
    weekly = run("category_weeks", {**selection.params(), **Period(history_start, end, week.timezone).params()})
    table = recurring.emerging(weekly, end, rule, data_start=data_start(run, week.timezone))
    return Emerging(rule=rule, recent_start=recent_start, end=end, table=table)


# --------------------------------------------------------------------------------------
# Customer feedback


@dataclass(frozen=True)
class Feedback:
    """CSAT of the focus week (the tile's numbers) and its lowest-scored comments."""

    csat: Tile
    n_answers: int
    n_satisfied: int
    mean_score: float | None
    n_resolved: int
    n_unhappy_comments: int  # answers scoring 1-2 with a comment
    lowest: pd.DataFrame  # the lowest-scored of them, newest first within a score

    @property
    def response_rate(self) -> float | None:
        return self.n_answers / self.n_resolved if self.n_resolved else None


def feedback(run: Runner, selection: Selection, kpis: WeeklyKpis, limit: int = LOWEST_COMMENTS) -> Feedback:
    """CSAT from the tiles' own row, and the lowest-scored answers that left a comment."""
    now = kpis.overall.iloc[-1]
    unhappy = run("feedback_followup", {**selection.params(), **kpis.week.params(), "max_rows": FOLLOWUP_LIMIT})
    lowest = unhappy.sort_values(["score", "submitted_at", "source", "request_id"],
                                 ascending=[True, False, True, True]).head(limit).reset_index(drop=True)
    mean_score = None if pd.isna(now["mean_score"]) else float(now["mean_score"])
    return Feedback(
        csat=kpis.tile("csat"),
        n_answers=int(now["n_answers"]),
        n_satisfied=int(now["n_satisfied"]),
        mean_score=mean_score,
        n_resolved=int(now["n_resolved"]),
        n_unhappy_comments=0 if unhappy.empty else int(unhappy["n_total"].iloc[0]),
        lowest=lowest,
    )


# --------------------------------------------------------------------------------------
# What the numbers rest on


@dataclass(frozen=True)
class DataBasis:
    """How fresh each source is and how many rows its imports rejected."""

    as_of: datetime
    sources: pd.DataFrame  # sources.sql: one row per source
    surveys: pd.DataFrame  # survey_sources.sql: one row per survey source
    rejected: pd.DataFrame  # rejected_row_counts.sql: source x file x reason

    @property
    def n_rejected(self) -> int:
        return int(self.rejected["n_rows"].sum()) if not self.rejected.empty else 0


def data_basis(run: Runner, selection: Selection) -> DataBasis:
    """Freshness per source and rejected-row counts (whole database, whatever the filters)."""
    return DataBasis(as_of=selection.as_of, sources=run("sources", {}), surveys=run("survey_sources", {}),
                     rejected=run("rejected_row_counts", {}))


def why_empty(run: Runner, selection: Selection, what: str) -> tuple[str, str]:
    """Why there is nothing to show, and which case it is: 'no_data' (no request created in the
    period: the message says where the data is), 'filtered' (the filters exclude all of it) or
    'none' (requests, but none of `what`)."""
    counts = run("period_counts", selection.params()).iloc[0]
    label = selection.period.label()
    filters = selection.filters
    if counts["n_in_period"] == 0:
        extent = run("data_extent", {}).iloc[0]
        where = ""
        if extent["n_requests"]:
            zone = ZoneInfo(selection.period.timezone)
            where = (f" (the data runs from {extent['first_created_at'].astimezone(zone):%d %b %Y} to "
                     f"{extent['last_created_at'].astimezone(zone):%d %b %Y})")
        return f"No {what}: no requests were created in {label}{where}.", "no_data"
    if counts["n_filtered"] == 0:
        why = filters.contradiction()
        return (f"No {what}: the filters ({filters.describe()}) exclude all "
                f"{int(counts['n_in_period']):,} requests of {label}.{' ' + why if why else ''}", "filtered")
    return f"No {what} for {filters.describe()} in {label}.", "none"


def filters_matching_nothing(run: Runner, filters: Filters) -> str | None:
    """Why these filters keep no request of the whole data, in any period: one notice for a page
    instead of one per section, with what each keeps on its own (external requesters and a
    department serving internal ones only: neither is empty, both together are). None when they
    keep some, or filter nothing."""
    if filters.is_empty() or run("filtered_total", filters.params()).iloc[0]["n_requests"]:
        return None
    alone = []
    for name in FILTER_PARAMS:
        if getattr(filters, name):
            one = Filters(**{name: getattr(filters, name)})
            alone.append(f"{one.describe()}, {int(run('filtered_total', one.params()).iloc[0]['n_requests']):,}")
    if len(alone) == 1:  # external requesters in a database of internal ones only
        return f"No request in the data matches {filters.describe()}, in any period. Clear it in the sidebar."
    return (f"No request in the data matches all of these filters at once ({filters.describe()}), in any period. "
            f"Requests each filter matches on its own: {'; '.join(alone)}. Widen or clear one of them in the sidebar.")


# --------------------------------------------------------------------------------------
# All of it


@dataclass(frozen=True)
class WeeklyView:
    """Everything the weekly report shows; the parts after `kpis` are None for an empty week."""

    selection: Selection
    org: Organisation
    kpis: WeeklyKpis
    basis: DataBasis
    empty: str | None  # why the week has nothing to show, else None
    empty_kind: str | None = None  # which case (why_empty)
    by_segment: dict[str, tuple[Tile, ...]] | None = None
    slipping: Slipping | None = None
    breaches: pd.DataFrame | None = None
    broken_promises: pd.DataFrame | None = None
    promises_by_department: pd.DataFrame | None = None
    emerging: Emerging | None = None
    feedback: Feedback | None = None

    @property
    def week(self) -> Period:
        return self.kpis.week

    @property
    def brief(self) -> tuple[str, ...]:
        """The week in three sentences (brief())."""
        return () if self.empty is not None else brief(self.kpis.tiles, self.slipping)


def weekly_view(run: Runner, selection: Selection, org: Organisation) -> WeeklyView:
    """Compute the weekly overview for one selection (about ten small queries)."""
    kpis = weekly_kpis(run, selection, org)
    week = kpis.week
    basis = data_basis(run, selection)
    if kpis.is_empty:
        message, kind = why_empty(run, selection.over(week), "requests this week")
        return WeeklyView(selection=selection, org=org, kpis=kpis, basis=basis, empty=message, empty_kind=kind)
    return WeeklyView(
        selection=selection,
        org=org,
        kpis=kpis,
        basis=basis,
        empty=None,
        by_segment=segment_tiles(kpis, org),
        slipping=slipping(run, selection, week, min_count=org.min_count),
        breaches=top_breaches(run, selection, week),
        broken_promises=top_broken_promises(run, selection, week),
        promises_by_department=promises_by_department(run, selection, week),
        emerging=emerging(run, selection, week),
        feedback=feedback(run, selection, kpis),
    )
