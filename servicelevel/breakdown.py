"""Where a change in adherence comes from: the recent weeks against the weeks before them (the
spans the overview's slipping table compares), split by one dimension, such as the category of
work, the requester department or the agent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from servicelevel import weekly
from servicelevel.fields import VALUE_LABELS
from servicelevel.filters import Period, Selection
from servicelevel.movers import adherence_shift
from servicelevel.rounding import half_up
from servicelevel.wording import sentence_start

# The dimensions a breakdown offers (a subset of sla.DIMENSIONS), as a sentence names one and many.
SPLITS = {
    "category": ("category", "categories"),
    "requester_department": ("requester department", "requester departments"),
    "agent": ("agent", "agents"),
    "channel": ("channel", "channels"),
    "priority": ("priority", "priorities"),
    "provider_department": ("provider department", "provider departments"),
}
NAMED = 3  # values named in the verdict


@dataclass(frozen=True)
class Breakdown:
    """Adherence per value of one dimension over the recent span and the baseline before it."""

    dimension: str
    recent: Period
    baseline: Period
    rows: pd.DataFrame  # movers.adherence_shift, with the values labelled
    min_decided: int = weekly.MOVERS_MIN_DECIDED
    data_from: date | None = None
    as_of: datetime | None = None  # the data's newest instant: the recent span may run past it

    def _total(self, column: str) -> int:
        return int(self.rows[column].sum())

    @property
    def adherence_now(self) -> float | None:
        decided = self._total("n_decided_now")
        return None if decided == 0 else 1 - self._total("n_breached_now") / decided

    @property
    def adherence_before(self) -> float | None:
        decided = self._total("n_decided_before")
        return None if decided == 0 else 1 - self._total("n_breached_before") / decided

    @property
    def comparable(self) -> bool:
        """Both spans have enough decided targets, in all, to compare."""
        return min(self._total("n_decided_now"), self._total("n_decided_before")) >= self.min_decided

    @property
    def extra_breaches(self) -> float | None:
        """The recent span's breaches beyond what the baseline's adherence gives on its decided
        targets, for all values together."""
        if not self.comparable:
            return None
        return self._total("n_breached_now") - self._total("n_decided_now") * (1 - self.adherence_before)

    @property
    def _shown_extra(self) -> pd.Series:
        """Each value's extra breaches as the table shows them: whole, halves up."""
        return half_up(self.rows["extra_breaches"], 0)

    @property
    def explained(self) -> int:
        """The extra breaches of the values compared, as the table shows them, added up: the rest of
        the total comes from a changed mix of work (more of it where adherence was lower) and from
        values too few to compare."""
        return int(self._shown_extra.sum())

    @property
    def span_labels(self) -> tuple[str, str]:
        """The recent span's label, then the baseline's, as columns and the chart's legend say them."""
        return f"last {weekly.RECENT_WEEKS} weeks", f"{weekly.BASELINE_WEEKS} weeks before"

    def chart_rows(self, limit: int) -> pd.DataFrame:
        """The first `limit` values compared (most extra breaches first), each span's adherence
        side by side (long format for charts.paired_rates)."""
        compared = self.rows[~self.rows["too_few"]].head(limit)
        spans = dict(zip(("now", "before"), self.span_labels))
        return pd.concat([
            pd.DataFrame({SPLITS[self.dimension][0]: compared["value"], "measure": label,
                          "value": compared[f"adherence_{span}"], "count": compared[f"n_decided_{span}"]})
            for span, label in spans.items()
        ], ignore_index=True)

    @property
    def last_day(self) -> date:
        """The recent span's last day, or the data's when the data ends inside the span: a running
        week's Sunday is still to come, and nothing is counted after the newest instant."""
        last = self.recent.end - timedelta(days=1)
        start_at, end_at = self.recent.bounds()
        if self.as_of is not None and start_at < self.as_of < end_at:
            return min(last, self.as_of.astimezone(ZoneInfo(self.recent.timezone)).date())
        return last

    def chart_title(self, limit: int) -> str:
        """The chart of chart_rows(limit)'s title, saying how many of the values compared it shows."""
        named = SPLITS[self.dimension][0]
        n_compared = int((~self.rows["too_few"]).sum())
        if n_compared > limit:
            return f"Adherence by {named}: {limit} of the {n_compared} compared, most extra breaches first"
        return f"Adherence by {named}, most extra breaches first"

    def verdict(self) -> str:
        """What changed, and which values it came from, in two or three sentences."""
        spans = (f"the {weekly.RECENT_WEEKS} weeks to {self.last_day:%d %b %Y}",
                 f"the {weekly.BASELINE_WEEKS} weeks before")
        if not self.comparable:
            if self.data_from is not None and self.baseline.end <= self.data_from:
                return (f"Nothing to compare yet: the data starts on {self.data_from:%d %b %Y}, after the "
                        f"{weekly.BASELINE_WEEKS} weeks ({self.baseline.label()}) {spans[0]} are compared with.")
            return (f"Not enough decided SLA targets to compare: {self._total('n_decided_now'):,} in {spans[0]} and "
                    f"{self._total('n_decided_before'):,} in {spans[1]} (at least {self.min_decided} each).")
        now, before = self.adherence_now, self.adherence_before
        change = half_up(now * 100, 1) - half_up(before * 100, 1)
        extra = int(half_up(self.extra_breaches, 0))
        shown = weekly.percent
        partial = weekly.partial_baseline_note(self.baseline, self.data_from)
        said = [partial] if partial else []
        if extra:
            more = "more" if extra > 0 else "fewer"
            versus = f"{breaches_text(abs(extra))} {more} than the earlier adherence would give"
        else:
            versus = "as many breaches as the earlier adherence would give"
        said.append(f"SLA adherence (first response and resolution together) {shown(now)} over {spans[0]} against "
                    f"{shown(before)} in {spans[1]} ({change:+.1f} pp): {versus} on the "
                    f"{self._total('n_decided_now'):,} targets decided.")
        # The values that moved most each way, the total's way first: a flat total can hide a fall
        # in one category behind a gain in another.
        ways = [("most extra breaches", self.most_extra()), ("most breaches avoided", self.most_avoided())]
        named = [f"{most}: {values}" for most, values in (ways[::-1] if extra < 0 else ways) if values]
        if named:
            said.append(f"By {SPLITS[self.dimension][0]}, " + "; ".join(named) + ".")
        own = self.explained
        if own != extra:  # the table's column adds up to `own`: the rest, said, reconciles it with the total
            shifts = self.mix_shifts()
            said.append(self._own_against_mix(own, extra - own)
                        + (f". Largest shifts in the mix: {shifts}." if shifts else "."))
        gone = self.gone()
        if gone:
            said.append(sentence_start(gone) + ".")
        arrivals = self.arrivals_and_departures()
        if arrivals:
            said.append(arrivals)
        return " ".join(said)

    def _own_against_mix(self, own: int, rest: int) -> str:
        """How the changes within the values (`own`) and the rest (a changed mix of work, and values
        too few to compare) make the total, in extra breaches, led by the one that makes most of it
        where one does (a third of the total at most the other way): "extra breaches" and "mix" are
        no words to read a finding from. "Within the agents", not "the agents themselves": an agent
        whose share of the work grew is not the cause of it."""
        plural, total = SPLITS[self.dimension][1], own + rest

        def said(n: int) -> str:
            return "none" if n == 0 else f"{n:+,}"

        mix = "a changed mix of work, and values with too few targets to compare,"
        if own * total > 0 and abs(rest) * 3 <= abs(total):
            return (f"Mostly changes within the {plural}: they add up to {said(own)} extra breaches; {mix} make "
                    f"the other {said(rest)}")
        if rest * total > 0 and abs(own) * 3 <= abs(total):
            return (f"Mostly a changed mix of work (more of it where adherence was "
                    f"{'lower' if total > 0 else 'higher'}): the mix, and values with too few targets to compare, "
                    f"make {said(rest)} extra breaches; the changes within the {plural} {said(own)}")
        return (f"The changes within the {plural} add up to {said(own)} extra breaches; {mix} make the other "
                f"{said(rest)}")

    def arrivals_and_departures(self) -> str:
        """Values too few to compare because their work came or mostly went: 'New in the last 4
        weeks: Vendor audit (25 targets, none before). Few in the last 4 weeks: Power of attorney
        (8, against 40 in the 8 weeks before).' (none at all now: gone())."""
        rows, enough = self.rows, self.min_decided
        new = rows[(rows["n_decided_before"] == 0) & (rows["n_decided_now"] >= enough)]
        few = rows[rows["n_decided_now"].between(1, enough - 1) & (rows["n_decided_before"] >= enough)]
        said = []
        if not new.empty:
            said.append(f"New in the last {weekly.RECENT_WEEKS} weeks: " + ", ".join(
                f"{_label(r.value)} ({r.n_decided_now:,} targets, none before)" for r in new.itertuples()) + ".")
        if not few.empty:
            said.append(f"Few in the last {weekly.RECENT_WEEKS} weeks: " + ", ".join(
                f"{_label(r.value)} ({r.n_decided_now:,}, against {r.n_decided_before:,} in the "
                f"{weekly.BASELINE_WEEKS} weeks before)" for r in few.itertuples()) + ".")
        return " ".join(said)

    def _listed(self, values: pd.DataFrame) -> str:
        return ", ".join(f"{_label(r.value)} {half_up(r.extra_breaches, 0):+.0f}" for r in values.itertuples())

    def most_extra(self) -> str:
        """'Purchase request +68, Quote request +30': the values with the most extra breaches (as
        shown, whole), up to NAMED; '' when none has one."""
        return self._listed(self.rows[self._shown_extra > 0].head(NAMED))

    def most_avoided(self) -> str:
        """The values with the most breaches avoided (negative extra breaches), as most_extra()."""
        return self._listed(self.rows[self._shown_extra < 0].iloc[::-1].head(NAMED))

    def gone(self) -> str:
        """'no SLA target came due or was met in the last 4 weeks for Ann (40 in the 8 weeks before);
        the other agents had 37% more targets a week than before': values with enough decided
        targets before and none recently (an agent away), and how the others' weekly load moved;
        '' when none."""
        is_gone = (self.rows["n_decided_now"] == 0) & (self.rows["n_decided_before"] >= self.min_decided)
        if not is_gone.any():
            return ""
        said = f"no SLA target came due or was met in the last {weekly.RECENT_WEEKS} weeks for " + ", ".join(
            f"{_label(r.value)} ({r.n_decided_before:,} in the {weekly.BASELINE_WEEKS} weeks before)"
            for r in self.rows[is_gone].itertuples())
        others = self.rows[~is_gone]
        per_week_now = others["n_decided_now"].sum() / weekly.RECENT_WEEKS
        per_week_before = others["n_decided_before"].sum() / weekly.BASELINE_WEEKS
        if per_week_before > 0 and weekly.partial_baseline_note(self.baseline, self.data_from) is None:
            change = int(half_up(100 * (per_week_now / per_week_before - 1), 0))
            said += (f"; the other {SPLITS[self.dimension][1]} had {abs(change)}% "
                     f"{'more' if change >= 0 else 'fewer'} targets a week than before")
        return said

    def mix_shifts(self) -> str:
        """'NDA from 31% to 45% of the targets (78.0% met before)': the compared values whose changed
        share of the work moved the total most the way the mix did (up to two), with the adherence
        they had."""
        compared = self.rows[~self.rows["too_few"]]
        now, before = self._total("n_decided_now"), self._total("n_decided_before")
        share_now, share_before = compared["n_decided_now"] / now, compared["n_decided_before"] / before
        # A larger share of work where breaches were likelier than overall adds breaches, and the
        # reverse: the mix's part of the extra breaches, value by value.
        breach_rate_before = 1 - compared["adherence_before"]
        effect = now * (share_now - share_before) * (breach_rate_before - (1 - self.adherence_before))
        rest = self.extra_breaches - self.explained
        moved = effect[effect * rest > 0].abs().sort_values(ascending=False).head(2).index

        def share(i: int) -> str:
            places = 0 if min(share_before[i], share_now[i]) >= 0.1 else 1  # 1% → 1% would hide the move
            return f"from {share_before[i]:.{places}%} to {share_now[i]:.{places}%}"
        return "; ".join(f"{_label(compared.at[i, 'value'])} {share(i)} of the targets "
                         f"({weekly.percent(compared.at[i, 'adherence_before'])} met before)" for i in moved)

    def note(self) -> str:
        """What is compared with what, and how the extra breaches are counted."""
        return (f"First-response and resolution targets together, the {weekly.RECENT_WEEKS} weeks "
                f"{self.recent.label()} against the {weekly.BASELINE_WEEKS} weeks {self.baseline.label()}. Extra "
                "breaches: the recent breaches beyond what the earlier adherence gives on the recent decided targets. "
                f"Change and extra breaches need at least {self.min_decided} decided targets in both spans."
                + weekly.running_span_note(self.recent, self.as_of))


def breaches_text(n: int) -> str:
    """'1 breach', '134 breaches'."""
    return f"{n:,} breach" if n == 1 else f"{n:,} breaches"


def _label(value: str) -> str:
    return VALUE_LABELS.get(value, value)


def _checked(dimension: str) -> str:
    if dimension not in SPLITS:
        raise ValueError(f"cannot break adherence down by {dimension!r}: choose one of {', '.join(SPLITS)}")
    return dimension


def breakdown(run: weekly.Runner, selection: Selection, week: Period, dimension: str,
              min_decided: int = weekly.MOVERS_MIN_DECIDED) -> Breakdown:
    """Adherence by `dimension` (a key of SPLITS) over the recent weeks ending with `week` and the
    weeks before them, for the selection's filters."""
    _checked(dimension)
    recent, baseline = weekly.recent_and_baseline(week)
    rows = adherence_shift(weekly.adherence_by(run, selection, recent, dimension),
                           weekly.adherence_by(run, selection, baseline, dimension), min_decided)
    return Breakdown(dimension, recent, baseline, rows, min_decided, weekly.data_start(run, week.timezone),
                     selection.as_of)


def per_department(run: weekly.Runner, selection: Selection, week: Period, dimension: str,
                   departments: list[str], min_decided: int = weekly.MOVERS_MIN_DECIDED) -> dict[str, Breakdown]:
    """breakdown() for each provider department of `departments` (as if the selection's filters named
    it alone), from two queries for them all."""
    recent, baseline = weekly.recent_and_baseline(week)
    # Departments named as the slipping table names them, a missing one included (no_value()).
    spans = [run("adherence_matrix", {
        **selection.params(), **span.params(),
        "row_dimension": "provider_department", "column_dimension": _checked(dimension), "metric": "both",
    }).rename(columns={"column_value": "group_value"}).fillna({
        "row_value": weekly.no_value("provider_department"), "group_value": weekly.no_value(dimension),
    }) for span in (recent, baseline)]
    data_from = weekly.data_start(run, week.timezone)
    return {
        department: Breakdown(dimension, recent, baseline, adherence_shift(
            *(span[span["row_value"] == department] for span in spans), min_decided), min_decided, data_from,
            selection.as_of)
        for department in departments
    }
