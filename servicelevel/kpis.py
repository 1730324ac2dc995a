"""KPI tiles for a week: value, change from the previous week, goal, the count behind it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from servicelevel.definitions import definition
from servicelevel.rounding import half_up
from servicelevel.settings import Organisation

Z_95 = 1.959964


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The 95 % Wilson score interval of successes/n (better than the normal one for small n)."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


# A change whose two-sided exact p-value is at least this is one chance could make.
CHANCE_LEVEL = 0.05


def fisher_exact_p(met_now: int, breached_now: int, met_before: int, breached_before: int) -> float:
    """The two-sided p-value of Fisher's exact test of the 2x2 table: with each period's decided
    targets and all the met ones fixed, the chance that the met ones split between the periods at
    least as unevenly (as improbably) as they did, were both periods alike."""
    decided_now, met = met_now + breached_now, met_now + met_before
    total = decided_now + met_before + breached_before

    # log(k!) for k = 0..total, as a running sum: one vectorised pass, where lgamma per split was a
    # Python call each (5 ms for the 130,000 targets of a large organisation's trend ends).
    log_factorial = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, total + 1)))))

    def log_comb(n, k):
        return log_factorial[n] - log_factorial[k] - log_factorial[n - k]

    splits = np.arange(max(0, decided_now - (total - met)), min(met, decided_now) + 1)
    log_p = log_comb(met, splits) + log_comb(total - met, decided_now - splits) - log_comb(total, decided_now)
    observed = log_p[splits == met_now][0]
    # Splits as likely as the one seen count too (a relative margin for rounding in the logs).
    return float(min(1.0, np.exp(log_p[log_p <= observed + 1e-7]).sum()))


def mean_change_p(before: tuple[int, float, float], now: tuple[int, float, float]) -> float | None:
    """The two-sided p-value of the change between two periods' means, each given as (count, sum,
    sum of squares): Welch's test in its normal approximation, which holds on the 30 or more a
    side a change needs to be coloured at all. None where either side has fewer than two values."""
    (n_before, sum_before, squares_before), (n_now, sum_now, squares_now) = before, now
    if n_before < 2 or n_now < 2:
        return None

    def mean_and_variance(n, total, squares):  # the sample variance, n - 1 below
        return total / n, max(0.0, (squares - total * total / n) / (n - 1))

    (mean_before, var_before), (mean_now, var_now) = (mean_and_variance(n_before, sum_before, squares_before),
                                                      mean_and_variance(n_now, sum_now, squares_now))
    spread = math.sqrt(var_before / n_before + var_now / n_now)
    if spread == 0:
        return 1.0 if mean_now == mean_before else 0.0
    return math.erfc(abs(mean_now - mean_before) / spread / math.sqrt(2))


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    return None if not denominator else numerator / denominator


NO_CHANGE = "no change"
TREND_MOVE_PP = 1.0  # a rate that moved less than this over the trend window is not worth a word
# A count or a time worth a word: its last end a fifth or more away from its first. A backlog that
# doubled over the window (53 → 111) went unsaid beside a tile coloured by one week's +10.
TREND_MOVE_SHARE = 0.2
TREND_END_WEEKS = 4  # weeks at each end of the trend window set against each other


@dataclass(frozen=True)
class TrendEnds:
    """Where a KPI stood over the first weeks of the trend window and over its last ones."""

    first: float
    last: float
    weeks_each: int  # how many weeks each end holds
    weeks_total: int  # how many the window holds

    def words(self) -> str:
        """Which weeks were set against which: 'first 4 weeks against last 4 of 12'."""
        if self.weeks_each == 1:
            return f"first week against last of {self.weeks_total}"
        return f"first {self.weeks_each} weeks against last {self.weeks_each} of {self.weeks_total}"

    def end_names(self) -> tuple[str, str]:
        """Each end by its weeks: ('first 4 weeks', 'last 4 weeks')."""
        weeks = "week" if self.weeks_each == 1 else f"{self.weeks_each} weeks"
        return f"first {weeks}", f"last {weeks}"


@dataclass(frozen=True)
class Tile:
    """One KPI as the overview and the weekly report show it."""

    key: str
    label: str  # the metric's name, as sentences and the report's tables say it
    value: float | None
    previous: float | None
    unit: str  # count | rate | business_hours | score (a mean score, two decimals)
    count: int | None  # how many requests/answers the value rests on
    count_label: str
    goal: float | None = None
    interval: tuple[float, float] | None = None
    too_small: bool = False
    previous_too_small: bool = False  # the week before rests on too few as well
    higher_is_better: bool | None = True  # None: a change is neither good nor bad news (volume)
    series: tuple[float | None, ...] = field(default_factory=tuple)
    series_too_small: tuple[bool, ...] = field(default_factory=tuple)  # per week: resting on too few
    # A rate's (successes, count) per week, to pool the trend's ends, and the fewest an end may rest on.
    series_parts: tuple[tuple[int, int], ...] = field(default_factory=tuple)
    trend_min_count: int = 0
    help: str = ""
    unit_note: str = ""  # what the unit means, said under the value (e.g. "business hours")
    goal_note: str = ""  # where the goal comes from, when nobody typed it (e.g. "policy average")
    no_change_note: str = "no week before to compare"  # said instead of a change when there is none
    # The tile's own heading where the name does not fit a tile's width (widgets.TILE_WIDTH_PX; its
    # help then starts with the name, its unit_note says the rest).
    heading: str = ""
    part_week: bool = False  # the week is not over in the data: its changes are not news yet
    # A rate's (successes, count) the period before and now, to test whether chance could make its change;
    # for another unit, the change's p-value where its maker tested it (mean_change_p).
    change_parts: tuple[tuple[int, int], tuple[int, int]] | None = None
    change_p: float | None = None

    @property
    def delta(self) -> float | None:
        """The change from the week before between the two values as shown (rounded), in points
        for a rate: the tile, the tables and the report then subtract on paper (2.3 h before and
        2.2 h now is -0.1 h, never "no change")."""
        if self.value is None or self.previous is None:
            return None
        return self._as_shown(self.value) - self._as_shown(self.previous)

    def _as_shown(self, value: float) -> float:
        if self.unit == "rate":
            return half_up(value, 3) * 100
        if self.unit == "business_hours":
            return half_up(value, 1)
        if self.unit == "score":
            return half_up(value, 2)
        return half_up(value, 0)  # a count, or the average count of the trend's weeks

    def format_value(self, value: float | None = None) -> str:
        value = self.value if value is None else value
        if value is None:
            return "–"
        if self.unit == "rate":
            return f"{half_up(value, 3):.1%}"
        if self.unit == "business_hours":
            return f"{half_up(value, 1):.1f} h"
        if self.unit == "score":
            return f"{half_up(value, 2):.2f}"
        return f"{half_up(value, 0):,.0f}"

    def format_delta(self) -> str | None:
        """The change from the week before as shown, e.g. "+1.5 pp"; "no change" where that
        rounds to zero (rather than a signed "-0.0 h")."""
        delta = self.delta
        if delta is None:
            return None
        if self.unit == "rate":
            shown = f"{delta:+.1f} pp"
        elif self.unit == "business_hours":
            shown = f"{delta:+.1f} h"
        elif self.unit == "score":
            shown = f"{delta:+.2f}"
        else:
            shown = f"{delta:+,.0f}"
        return shown if any(digit in shown for digit in "123456789") else NO_CHANGE

    @property
    def shows_no_change(self) -> bool:
        """The change as shown rounds to zero: neither good nor bad news."""
        return self.format_delta() == NO_CHANGE

    @property
    def change_is_news(self) -> bool:
        """Whether the change is good or bad news, to be coloured so: not for volume, nor for none,
        nor for part of a week (its running targets are decided later), nor for a change resting
        on too few in either week (8 answers against 3 is noise), nor for
        one against a larger move the other way over the trend window (a green week on a line
        that fell from 90 % to 55 % reads as "improving"; the sparkline takes the same colour),
        nor for a change that chance could make (change_could_be_chance)."""
        return self._change_is_judged and not self.change_could_be_chance

    @property
    def _change_is_judged(self) -> bool:
        """All but chance allow the change to be news."""
        return self._change_is_testable and not self.against_trend

    @property
    def _change_is_testable(self) -> bool:
        """A change between two whole periods, each resting on enough, that chance may explain."""
        return (self.higher_is_better is not None and not self.shows_no_change and not self.part_week
                and not self.too_small and not self.previous_too_small)

    @cached_property
    def change_could_be_chance(self) -> bool:
        """The change from the period before is one two alike periods would show 5% of the time or
        more: for a rate, by fisher_exact_p on change_parts (a department's 30 of 38 against 33 of
        38 reads as -7.9 pp, yet p = 0.54); otherwise by change_p. False without either."""
        if self.unit != "rate" or self.change_parts is None:
            return self.change_p is not None and self.change_p >= CHANCE_LEVEL
        (met_before, n_before), (met_now, n_now) = self.change_parts
        if not n_before or not n_now:
            return False
        return fisher_exact_p(met_now, n_now - met_now, met_before, n_before - met_before) >= CHANCE_LEVEL

    def change_said(self) -> str:
        """Why a change is grey where its tile does not say so already: 'change could be chance',
        also beside a trend the change goes against (else "counter to a worsening trend" alone read
        as a turnaround where the SLA page, with no trend, called the same +7.3 pp chance), 'change
        from only 12 before' where the period before rested on too few (a +2.1 pp on 35 requests
        against 12 read as a real rise); else '' (the basis says a value now on too few, the caption
        a part week)."""
        if self._change_is_testable and self.change_could_be_chance:
            return "change could be chance"
        if (self.previous_too_small and not self.too_small and self.higher_is_better is not None
                and self.delta is not None and not self.shows_no_change):
            before = self.change_parts[0][1] if self.change_parts else None
            return f"change from only {before:,} before" if before is not None else "change from too few before"
        return ""

    @property
    def trend_delta(self) -> float | None:
        """The move over the trend window between its two ends as shown (points for a rate)."""
        ends = self.trend_ends
        return None if ends is None else self._as_shown(ends.last) - self._as_shown(ends.first)

    @property
    def trend_is_news(self) -> bool:
        """A rate that moved TREND_MOVE_PP points or more over the trend window, by more than chance
        could make (trend_could_be_chance): the brief names the move, and the tile's caption gives
        it too. A department's 48.4% → 47.4% on 70 targets at each end is no news. A count or a time
        (backlog, volume, median first response): its ends apart by TREND_MOVE_SHARE of the first
        or more, as shown; the caption gives it (the brief speaks of rates only)."""
        trend = self.trend_delta
        if trend is None:
            return False
        if self.unit == "rate":
            return abs(trend) >= TREND_MOVE_PP and not self.trend_could_be_chance
        return trend != 0 and abs(trend) >= TREND_MOVE_SHARE * abs(self._as_shown(self.trend_ends.first))

    @cached_property  # read by the caption, the colour and the brief: tested once
    def trend_could_be_chance(self) -> bool:
        """A rate's two ends, pooled from series_parts, differ by no more than chance could make
        (fisher_exact_p at CHANCE_LEVEL or more); False without the counts to test."""
        ends = self.trend_ends
        if ends is None or not self.series_parts:
            return False
        each, n_weeks = ends.weeks_each, len(self.series_parts)
        (met_first, n_first), (met_last, n_last) = (
            (sum(m for m, _ in weeks), sum(n for _, n in weeks))
            for weeks in (self.series_parts[:each], self.series_parts[n_weeks - each:]))
        return fisher_exact_p(met_last, n_last - met_last, met_first, n_first - met_first) >= CHANCE_LEVEL

    @property
    def against_trend(self) -> bool:
        """This week's change goes one way and the trend window's larger move the other; for a
        rate, only a trend that is news (-0.2 pp against a rise of 0.6, or of 3 points on a few
        dozen targets, is no story)."""
        delta, trend = self.delta, self.trend_delta
        if delta is None or trend is None or self.unit == "rate" and not self.trend_is_news:
            return False
        return delta * trend < 0 and abs(trend) > abs(delta)

    @property
    def trend_ends(self) -> TrendEnds | None:
        """The trend window's first and last TREND_END_WEEKS weeks (half the window when it is
        shorter), each as one value; None when either end has nothing to show, or a rate's end
        rests on fewer than trend_min_count. Single weeks made poor ends: CSAT "80.0% → 77.1%" fell
        between two weeks, while the last weeks stood above the window's average."""
        n_weeks = len(self.series)
        each = min(TREND_END_WEEKS, n_weeks // 2)
        if each < 1:
            return None
        first, last = self._end_value(slice(0, each)), self._end_value(slice(n_weeks - each, n_weeks))
        return None if first is None or last is None else TrendEnds(first, last, each, n_weeks)

    def _end_value(self, weeks: slice) -> float | None:
        """A rate pooled over `weeks` (their successes over their counts, as a period of those
        weeks would show it); for other units, or a rate without its counts, the weekly values'
        average, leaving out weeks resting on too few."""
        if self.series_parts:
            parts = self.series_parts[weeks]
            total = sum(n for _, n in parts)
            return sum(s for s, _ in parts) / total if total and total >= self.trend_min_count else None
        thin = self.series_too_small or (False,) * len(self.series)
        values = [v for v, too_few in zip(self.series[weeks], thin[weeks])
                  if v is not None and not pd.isna(v) and not too_few]
        return sum(values) / len(values) if values else None

    @property
    def meets_goal(self) -> bool | None:
        """Whether the value reaches the goal; None without a goal or a value."""
        if self.goal is None or self.value is None:
            return None
        return self.value >= self.goal if self.higher_is_better else self.value <= self.goal

    @property
    def goal_is_clear(self) -> bool:
        """Whether the value can be judged against its goal (goal_is_judgeable())."""
        return self.meets_goal is not None and goal_is_judgeable(self.goal, self.too_small, self.interval)

    @property
    def goal_left_open(self) -> bool:
        """Whether goal_text says "too few to judge": the value rests on too few to tell met from not."""
        return self.goal is not None and self.meets_goal is not None and not self.goal_is_clear

    def goal_text(self) -> str:
        if self.goal is None:
            return ""
        if self.meets_goal is None:
            status = ""
        elif self.goal_left_open:  # as the brief says it: a ✓ on 12 answers would promise too much
            status = " · too few to judge"
        else:
            status = " ✓ met" if self.meets_goal else " " + below_goal_text(self.value, self.goal)
            if self.part_week:  # targets still running are decided later, either way
                status += " so far"
        note = f" ({self.goal_note})" if self.goal_note else ""
        return f"goal {self.format_value(self.goal)}{note}{status}"

    def basis(self) -> str:
        """What the value rests on: its unit, the count behind it, and whether that is too few."""
        parts = [self.unit_note] if self.unit_note else []
        if self.count is not None:
            parts.append(f"{self.count_label} {self.count:,}")
        if self.too_small and self.count != 0:  # with nothing behind it the tile shows "–": nothing to doubt
            if self.interval is not None:
                parts.append(too_few_words(self.interval, said_already=self.goal_left_open))
            else:
                parts.append("too few to trust")
        return " · ".join(parts)

    def caption(self) -> str:
        """The small print under the value: goal, then the basis, whether chance could make the change
        (change_said), then the trend where it is worth a word (trend_said)."""
        return " · ".join(part for part in (self.goal_text(), self.basis(), self.change_said(), self.trend_said())
                          if part)

    def trend_said(self, always: bool = False) -> str:
        """The trend, called improving or worsening ('worsening trend 91.3% → 89.2% (first 4 weeks
        against last 4 of 12)'; a backlog's "469 → 527" alone leaves the reader to work out that
        rising is bad), and "counter to" it where this week's change goes the other way (why that
        change is grey, which would otherwise read as "no news"). '' without the window's two ends,
        and, unless `always`, where it neither moved (the brief names the move) nor goes against.
        `always` gives a rate that is no news its ends as they are, saying why it is none: 'trend
        could be chance: 77.0% → 72.9% (…)', 'steady trend 87.3% → 87.9% (…)' (under a point)."""
        shown = self.trend_text()
        against = self.against_trend and self.higher_is_better is not None
        if not shown or not (always or self.trend_is_news or against):
            return ""
        if self.unit == "rate" and not (self.trend_is_news or against):
            steady = self.trend_delta is None or abs(self.trend_delta) < TREND_MOVE_PP
            return f"steady trend {shown}" if steady else f"trend could be chance: {shown}"
        if self.higher_is_better is None or not self.trend_delta:
            return f"trend {shown}"
        direction = "improving" if (self.trend_delta > 0) == self.higher_is_better else "worsening"
        article = "an" if direction == "improving" else "a"
        return f"counter to {article} {direction} trend {shown}" if against else f"{direction} trend {shown}"

    def trend_text(self) -> str:
        """The trend window's two ends, e.g. '81.8% → 58.7% (first 4 weeks against last 4 of 12)';
        '' without them."""
        ends = self.trend_ends
        if ends is None:
            return ""
        return f"{self.format_value(ends.first)} → {self.format_value(ends.last)} ({ends.words()})"


POLICY_AVERAGE = "policy average"  # said of an adherence goal averaged over the policies behind it


def too_few_words(interval: tuple[float, float], said_already: bool = False) -> str:
    """How a rate on too few says so: 'too few to trust: 95% interval 23%–64%'; the interval alone
    where the caption `said_already` so ('goal 85.0% · too few to judge' just before it)."""
    shown = f"95% interval {interval[0]:.0%}–{interval[1]:.0%}"
    return shown if said_already else f"too few to trust: {shown}"


def below_though_shown_equal(rate: float, goal: float) -> tuple[str, str] | None:
    """A rate below its goal whose figure shows as the goal's (84.77% and 84.85% both show 84.8%):
    the two with the fewest decimals that tell them apart, ('84.77%', '84.85%'), for "✗ below goal"
    under two equal figures reads as an error. None when the figures already differ, or it is met."""
    if rate >= goal:
        return None
    for decimals in (1, 2, 3, 4):
        shown = f"{half_up(rate, decimals + 2):.{decimals}%}", f"{half_up(goal, decimals + 2):.{decimals}%}"
        if shown[0] != shown[1]:
            return None if decimals == 1 else shown
    return None


def below_goal_text(rate: float, goal: float) -> str:
    """'✗ below goal', with the two figures told apart where they show alike: '✗ below goal (84.77%
    against 84.85%)'."""
    apart = below_though_shown_equal(rate, goal)
    return "✗ below goal" + (f" ({apart[0]} against {apart[1]})" if apart else "")


def goal_is_judgeable(goal: float, too_small: bool, interval: tuple[float, float] | None) -> bool:
    """Whether a rate can be judged against its goal: it rests on enough, or, resting on too few,
    even its 95 % interval lies wholly on one side of the goal (2 of 22 promises kept, 3 % to
    28 %, is below a 90 % goal however few they are)."""
    if not too_small:
        return True
    return interval is not None and (interval[1] < goal or interval[0] >= goal)


def rate_goal_text(successes: int, n: int, goal: float, min_count: int, note: str = "", so_far: bool = False) -> str:
    """A rate's goal and whether it is met, in the tiles' words: 'goal 85.0% ✗ below goal', 'goal
    89.2% (policy average) ✓ met' with a `note` on where the goal comes from, or 'goal 85.0% · too
    few to judge' when fewer than `min_count` leave it open. `so_far` (a period not over in the
    data, Selection.period_running) adds "so far" to the verdict, as the tiles do."""
    said = f"goal {half_up(goal, 3):.1%}" + (f" ({note})" if note else "")
    if not goal_is_judgeable(goal, n < min_count, wilson_interval(successes, n)):
        return f"{said} · too few to judge"
    return f"{said} {'✓ met' if successes / n >= goal else below_goal_text(successes / n, goal)}" \
           f"{' so far' if so_far else ''}"


def blended_goal(goals: pd.Series, n_decided: pd.Series) -> float | None:
    """The policies' goals averaged over the targets decided, as the overview's tiles blend them,
    from groups' average goals and their counts; None where no decided target has a goal."""
    known = goals.notna() & (n_decided > 0)
    return float((goals[known] * n_decided[known]).sum() / n_decided[known].sum()) if known.any() else None


def with_totals(cells: pd.DataFrame, keep: str, across: str, label: str) -> pd.DataFrame:
    """Adherence cells (one per `keep` x `across` value: n_met, n_breached, goal, adherence) and,
    for each `keep` value, one more cell over all its `across` values, whose `across` is `label`:
    met and breached summed, adherence from them, the goal blended over the targets decided. Cells
    split too thin to trust each (Procurement's 45 targets over four priorities) still add up to
    a total that can be judged."""
    decided = cells["n_met"] + cells["n_breached"]
    has_goal = cells["goal"].notna() & (decided > 0)
    totals = (cells.assign(goal_x_decided=(cells["goal"] * decided).where(has_goal, 0.0),
                           n_with_goal=decided.where(has_goal, 0))
              .groupby(keep, sort=False, dropna=False)
              .agg(**{name: (name, "sum") for name in ("n_met", "n_breached", "goal_x_decided", "n_with_goal")},
                   **({"n_requests": ("n_requests", "sum")} if "n_requests" in cells else {}))
              .reset_index())
    totals["adherence"] = totals["n_met"] / (totals["n_met"] + totals["n_breached"])
    totals["goal"] = (totals["goal_x_decided"] / totals["n_with_goal"]).where(totals["n_with_goal"] > 0)
    totals[across] = label
    return pd.concat([cells, totals[[c for c in cells.columns if c in totals]]], ignore_index=True)


def against_period_before(tile: Tile, so_far: bool) -> Tile:
    """A tile set against the period before alone: two points are no trend line. `so_far`: the
    period is not over in the data, so its change is not coloured as news."""
    return replace(tile, series=(), series_too_small=(), series_parts=(), part_week=so_far,
                   no_change_note="no period before to compare")


def rate_tile(key, label, rows, numerator, denominator, goal, count_label, org: Organisation, goal_column=None,
              heading="", higher_is_better=True) -> Tile:
    """A rate's tile for the last row of `rows` (oldest first), against the row before it."""
    current, previous = rows.iloc[-1], rows.iloc[-2] if len(rows) > 1 else None
    n = int(current[denominator])
    successes = int(current[numerator])
    series = tuple(ratio(r[numerator], r[denominator]) for _, r in rows.iterrows())
    series_too_small = tuple(bool(n_week < org.min_count) for n_week in rows[denominator])
    series_parts = tuple((int(s), int(n)) for s, n in zip(rows[numerator].fillna(0), rows[denominator].fillna(0)))
    # Rate tiles show their change in percentage points.
    help_text, goal_note = f"{definition(key)} Change in percentage points (pp): {definition('pp')}", ""
    if heading:
        help_text = f"{label}: {help_text}"
    if goal_column is not None:  # the policies' goals, averaged over the targets decided
        goal = current[goal_column] if pd.notna(current[goal_column]) else None
        help_text, goal_note = f"{help_text} Goal: {definition('goal')}", POLICY_AVERAGE
    return Tile(
        key=key,
        label=label,
        value=ratio(successes, n),
        previous=None if previous is None else ratio(previous[numerator], previous[denominator]),
        unit="rate",
        count=n,
        count_label=count_label,
        goal=None if goal is None else float(goal),
        interval=wilson_interval(successes, n),
        too_small=n < org.min_count,
        previous_too_small=previous is not None and int(previous[denominator]) < org.min_count,
        change_parts=None if previous is None else ((int(previous[numerator]), int(previous[denominator])),
                                                    (successes, n)),
        series=series,
        series_too_small=series_too_small,
        series_parts=series_parts,
        trend_min_count=org.min_count,
        help=help_text,
        goal_note=goal_note,
        heading=heading,
        higher_is_better=higher_is_better,
    )


def weekly_tiles(weeks: pd.DataFrame, org: Organisation, unfinished: bool = False,
                 frt_change_p: float | None = None) -> list[Tile]:
    """Tiles for the last week in `weeks` (one row per week, oldest first, from weekly_kpis);
    `unfinished`: that week is not over in the data, so its volume is not set against a whole week
    and no change is coloured as news; `frt_change_p`: the median first response's change tested
    against chance (weekly.first_response_median_change_p), uncoloured where chance could make it."""
    rows = weeks.copy()
    rows["fr_decided"] = rows["fr_met"] + rows["fr_breached"]
    rows["res_decided"] = rows["res_met"] + rows["res_breached"]
    current = rows.iloc[-1]
    previous = rows.iloc[-2] if len(rows) > 1 else None

    def previous_value(column, scale=1.0):
        if previous is None or pd.isna(previous[column]):
            return None
        return float(previous[column]) * scale

    frt_hours = None if pd.isna(current["median_frt_business_secs"]) else current["median_frt_business_secs"] / 3600
    answers = int(current["n_answers"])
    resolved = int(current["n_resolved"])
    response_rate = ratio(answers, resolved)
    csat = rate_tile("csat", "CSAT", rows, "n_satisfied", "n_answers", org.csat_goal,
                     "answers", org)
    if response_rate is not None and answers:  # "response rate 0.0%" would only repeat "answers 0"
        csat = replace(csat, count_label=f"response rate {response_rate:.1%} · answers")
    tiles = [
        Tile(
            key="volume", label="Volume so far" if unfinished else "Volume", value=float(current["n_created"]),
            unit_note="requests created",
            previous=None if unfinished else previous_value("n_created"), unit="count", count=None, count_label="",
            **({"no_change_note": "part of a week: not compared"} if unfinished else {}),
            # A part week's count at the end of the sparkline would read as a fall: left out.
            higher_is_better=None, series=tuple(float(v) for v in rows["n_created"])[:-1 if unfinished else None],
            help=definition("volume") + (" The week is not over in the data: part of a week is not compared "
                                         "with the whole week before." if unfinished else ""),
        ),
        rate_tile("fr_adherence", "First-response adherence", rows, "fr_met", "fr_decided", None,
                  "decided", org, goal_column="fr_goal", heading="Response SLA"),
        rate_tile("res_adherence", "Resolution adherence", rows, "res_met", "res_decided", None,
                  "decided", org, goal_column="res_goal", heading="Resolution SLA"),
        Tile(
            key="frt", label="Median first response", heading="First response", value=frt_hours,
            unit_note="median, business hours",
            previous=previous_value("median_frt_business_secs", 1 / 3600), unit="business_hours",
            count=int(current["n_first_responses"]), count_label="first responses",
            too_small=int(current["n_first_responses"]) < org.min_count, higher_is_better=False,
            change_p=frt_change_p,
            series=tuple(None if pd.isna(v) else v / 3600 for v in rows["median_frt_business_secs"]),
            help="Median first response: " + definition("frt")
            + " The tile shows the median; the SLA page shows the 90th percentile too.",
        ),
        csat,
        Tile(
            key="backlog", label="Backlog now" if unfinished else "Backlog at week end",
            heading="" if unfinished else "Backlog", unit_note="" if unfinished else "at week end",
            value=float(current["backlog_at_end"]),
            previous=previous_value("backlog_at_end"), unit="count", count=None, count_label="",
            higher_is_better=False, series=tuple(float(v) for v in rows["backlog_at_end"]),
            help=("" if unfinished else "Backlog at week end: ") + definition("backlog")
            + " The ageing buckets are on the SLA page."
            + (" The week is not over in the data: the backlog is counted at its newest timestamp, against "
               "the backlog at the end of the week before." if unfinished else ""),
        ),
        # Before a week is over, some of its due dates are still ahead: count only the decided ones.
        rate_tile("promises_kept", "Promises kept", rows, "n_promises_kept", "n_promises_due",
                  org.promises_kept_goal, "decided so far" if unfinished else "due dates", org),
    ]
    return [replace(tile, part_week=True) for tile in tiles] if unfinished else tiles
