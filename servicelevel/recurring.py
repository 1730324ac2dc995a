"""Recurring problems: which categories are rising beyond their own normal, whether a fix
made one shrink, and the sparklines of the top categories.

Both questions compare two request rates (requests per week) of the same category: recent
weeks against the weeks before (emerging), or the weeks after a fix against the weeks before
it. Weekly counts are treated as Poisson, and two Poisson rates are compared with the exact
conditional test: given the total T of both windows, the count in one window is binomial
with p = its share of the exposure (weeks) if the rate did not change. It needs no normal
approximation, so it is right for small categories too, and the baseline's own noise is part
of it (comparing against the baseline's mean as if it were known would flag too much).

The statistics run over one row per category and week (a few hundred categories), never per
request. The page's per-request numbers come from the derived table request_facts, kept here.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from servicelevel import store
from servicelevel.derived import data_marker, facts_as_of, run_pipeline, table_exists
from servicelevel.kpis import Tile, against_period_before, rate_tile, wilson_interval
from servicelevel.settings import Organisation, organisation
from servicelevel.sqlfiles import pipeline_sql
from servicelevel.tables import columns_first
from servicelevel.wording import counted


def _log_binomial_pmf(k: int, n: int, p: float) -> float:
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * math.log(p) + (n - k) * math.log1p(-p))


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), exact (summed in log space)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    # log pmf(j + 1) = log pmf(j) + log((n - j) / (j + 1)) + log(p / (1 - p))
    j = np.arange(k, n, dtype=np.float64)
    steps = np.log((n - j) / (j + 1)) + math.log(p) - math.log1p(-p)
    logs = _log_binomial_pmf(k, n, p) + np.concatenate(([0.0], np.cumsum(steps)))
    top = logs.max()
    return float(min(1.0, math.exp(top) * np.exp(logs - top).sum()))


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    return 1.0 - binomial_sf(k + 1, n, p) if k < n else 1.0


def rate_increase_p(x: int, exposure: float, x_base: int, exposure_base: float) -> float:
    """One-sided p-value that the rate x/exposure is above x_base/exposure_base."""
    total = x + x_base
    if total == 0 or exposure <= 0 or exposure_base <= 0:
        return 1.0
    return binomial_sf(x, total, exposure / (exposure + exposure_base))


def rate_change_p(x: int, exposure: float, x_base: int, exposure_base: float) -> float:
    """Two-sided p-value that the rate x/exposure differs from x_base/exposure_base."""
    total = x + x_base
    if total == 0 or exposure <= 0 or exposure_base <= 0:
        return 1.0
    share = exposure / (exposure + exposure_base)
    return min(1.0, 2 * min(binomial_sf(x, total, share), binomial_cdf(x, total, share)))


def rate_ratio_interval(x: int, exposure: float, x_base: int, exposure_base: float) -> tuple[float, float] | None:
    """95 % interval of (x/exposure) / (x_base/exposure_base), from the Wilson interval of
    x / (x + x_base) (the conditional binomial proportion)."""
    interval = wilson_interval(x, x + x_base)
    if interval is None:
        return None
    scale = exposure_base / exposure

    def ratio(q: float) -> float:
        return math.inf if q >= 1 else q / (1 - q) * scale

    return ratio(interval[0]), ratio(interval[1])


# --------------------------------------------------------------------------------------
# Emerging problems


@dataclass(frozen=True)
class EmergingRule:
    """When a category counts as emerging (the page states these numbers)."""

    recent_weeks: int = 4
    baseline_weeks: int = 12
    alpha: float = 0.01  # family-wise: divided by the number of categories tested (Bonferroni)
    min_ratio: float = 1.25  # and at least 25 % above its baseline, so a tiny rise on a huge category is not news
    min_recent: int = 5  # categories with fewer recent requests are not tested

    def threshold(self, n_tested: int) -> float:
        """The p-value a category must stay under, with `n_tested` categories tested."""
        return self.alpha / max(n_tested, 1)

    def threshold_text(self, n_tested: int) -> str:
        """The rule with its numbers for this table, e.g. 'Emerging: a p-value under 0.00022 (1% ÷ 46
        categories tested) and recent requests at least 25% above the baseline rate.'; '' when none
        was tested."""
        if n_tested == 0:
            return ""
        threshold = self.threshold(n_tested)
        under = p_value_text(threshold, floor=p_value_floor(threshold))
        categories = counted(n_tested, "category", "categories")
        return (f"Emerging: a p-value under {under} ({self.alpha:.0%} ÷ {categories} tested) and recent requests at "
                f"least {self.min_ratio - 1:.0%} above the baseline rate.")

    def nothing_rose(self, n_tested: int, last_day: date) -> tuple[str, bool]:
        """What to say when no category is emerging, and whether that is news at all: with no
        category tested, nothing could have risen, which is no good news."""
        if n_tested:
            return f"No category rose significantly in the {self.recent_weeks} weeks to {last_day:%d %b %Y}.", True
        return (f"No category could be tested for a rise in the {self.recent_weeks} weeks to {last_day:%d %b %Y}: "
                f"each has fewer than {self.min_recent} recent requests, or no baseline weeks."), False

    def describe(self) -> str:
        return (
            f"A category is emerging when its requests in the last {self.recent_weeks} complete weeks run at "
            f"least {self.min_ratio - 1:.0%} above its own weekly rate in the {self.baseline_weeks} weeks before, "
            f"by more than chance explains: the chance that any of the categories tested rises this much by "
            f"chance alone is under {self.alpha:.0%}. Categories with fewer than {self.min_recent} recent "
            f"requests are not tested. (Method: an exact one-sided test of two Poisson rates, the conditional "
            f"binomial, with the Bonferroni correction; the p-value is that chance for one category.)"
        )


def windows(end: date, rule: EmergingRule) -> tuple[date, date, date]:
    """(baseline start, recent start, end) as Mondays; end is exclusive."""
    recent_start = end - timedelta(weeks=rule.recent_weeks)
    return recent_start - timedelta(weeks=rule.baseline_weeks), recent_start, end


def emerging(weekly: pd.DataFrame, end: date, rule: EmergingRule = EmergingRule(),
             data_start: date | None = None) -> pd.DataFrame:
    """Per category: baseline and recent weekly rates, the rise, p-value and verdict.

    weekly: week_start (Monday), category, n_requests (weeks without requests may be absent).
    end: the Monday after the last recent week. data_start: the first week with any data;
    baseline weeks before it are not counted as zero weeks.
    """
    baseline_start, recent_start, end = windows(end, rule)
    frame = weekly.assign(week_start=pd.to_datetime(weekly["week_start"]).dt.date)
    recent_exposure = rule.recent_weeks
    if data_start is not None:
        monday = data_start - timedelta(days=data_start.weekday())
        baseline_start = max(baseline_start, monday)
        recent_exposure = max(0, (end - max(recent_start, monday)).days // 7)
    baseline_exposure = max(0, (recent_start - baseline_start).days // 7)
    recent = frame[(frame["week_start"] >= recent_start) & (frame["week_start"] < end)]
    baseline = frame[(frame["week_start"] >= baseline_start) & (frame["week_start"] < recent_start)]
    counts = pd.DataFrame({
        "n_recent": recent.groupby("category")["n_requests"].sum(),
        "n_baseline": baseline.groupby("category")["n_requests"].sum(),
    }).fillna(0).astype("int64")
    # The verdict beside the category, in view on a narrow screen, then what decides it (tested,
    # the p-value, the ratio), then what those rest on.
    columns = ["category", "is_emerging", "tested", "p_value", "ratio", "recent_per_week", "baseline_per_week",
               "extra_requests", "n_recent", "n_baseline"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    counts["baseline_per_week"] = counts["n_baseline"] / baseline_exposure if baseline_exposure else np.nan
    counts["recent_per_week"] = counts["n_recent"] / recent_exposure if recent_exposure else np.nan
    counts["ratio"] = counts["recent_per_week"] / counts["baseline_per_week"].where(counts["baseline_per_week"] > 0)
    # Without a baseline there is nothing to rise above: no extra requests, no test.
    counts["extra_requests"] = counts["n_recent"] - counts["baseline_per_week"] * recent_exposure
    counts["tested"] = (counts["n_recent"] >= rule.min_recent) & (baseline_exposure > 0) & (recent_exposure > 0)
    counts["p_value"] = [
        rate_increase_p(int(x), recent_exposure, int(y), baseline_exposure) if tested else np.nan
        for x, y, tested in zip(counts["n_recent"], counts["n_baseline"], counts["tested"])
    ]
    threshold = rule.threshold(int(counts["tested"].sum()))
    big_enough = counts["ratio"].fillna(np.inf) >= rule.min_ratio  # no baseline at all: new
    counts["is_emerging"] = counts["tested"] & (counts["p_value"] < threshold) & big_enough
    out = counts.reset_index().rename(columns={"index": "category"})
    return out[columns].sort_values(["is_emerging", "p_value"], ascending=[False, True]).reset_index(drop=True)


def sparklines(weekly: pd.DataFrame, weeks: list[date]) -> dict[str, list[int]]:
    """Per category, its counts in each of `weeks` (zeros filled), oldest first."""
    frame = weekly.assign(week_start=pd.to_datetime(weekly["week_start"]).dt.date)
    frame = frame[frame["week_start"].isin(weeks)]
    table = frame.pivot_table(index="category", columns="week_start", values="n_requests", aggfunc="sum")
    table = table.reindex(columns=weeks).fillna(0).astype("int64")
    return {category: row.tolist() for category, row in table.iterrows()}


def weeks_between(start: date, end: date, data_start: date | None) -> list[date]:
    """The Mondays from `start` to before `end`, leaving out weeks over before `data_start`
    (drawn as zeros, they would look like weeks without requests)."""
    weeks = (start + timedelta(weeks=k) for k in range((end - start).days // 7))
    return [w for w in weeks if data_start is None or w + timedelta(weeks=1) > data_start]


def weekly_counts(weekly: pd.DataFrame, categories: list[str], weeks: list[date]) -> pd.DataFrame:
    """week_start, category, n_requests for each of `categories` in each of `weeks`, a week
    without requests as 0: a line drawn only through the weeks that had some would skip the
    quiet ones, and a rise would look smaller than the table says."""
    frame = weekly.assign(week_start=pd.to_datetime(weekly["week_start"]).dt.date)
    counts = frame[frame["category"].isin(categories)].groupby(["week_start", "category"])["n_requests"].sum()
    grid = pd.MultiIndex.from_product([weeks, categories], names=["week_start", "category"])
    out = counts.reindex(grid, fill_value=0).astype("int64").reset_index()
    return out.assign(week_start=pd.to_datetime(out["week_start"]))


# --------------------------------------------------------------------------------------
# Did the fix work


@dataclass(frozen=True)
class FixEffect:
    """The weekly rate of one category before and after a fix (its own week left out)."""

    fix_week: date
    weeks_before: int
    weeks_after: int
    n_before: int
    n_after: int
    rate_before: float | None
    rate_after: float | None
    change: float | None  # rate_after / rate_before - 1
    interval: tuple[float, float] | None  # 95 % interval of the change
    p_value: float | None  # two-sided
    share_before: float | None  # of all requests in scope
    share_after: float | None

    @property
    def is_significant(self) -> bool:
        return self.p_value is not None and self.p_value < 0.05

    def interval_text(self) -> str:
        """' 95% interval of the change: -28% to +12%.', in whole percent unless an end rounds to
        none ('-28.1% to +0.4%'): '+0%' beside 'no clear effect' read as a contradiction."""
        if self.interval is None:
            return ""
        low, high = self.interval
        places = 1 if f"{low:.0%}" in ("0%", "-0%") or f"{high:.0%}" in ("0%", "-0%") else 0
        return f" 95% interval of the change: {low:+.{places}%} to {high:+.{places}%}."

    def verdict(self) -> str:
        if not self.weeks_before or not self.weeks_after:
            return "Not enough complete weeks on both sides of the fix to compare."
        if self.n_before + self.n_after == 0:
            return "No requests in this category on either side of the fix."
        direction = "fell" if (self.change or 0) < 0 else "rose"
        size = f"{abs(self.change):.0%}" if self.change is not None and math.isfinite(self.change) else "from zero"
        if self.is_significant:
            return f"The weekly rate {direction} {size} after the fix; a change this large is unlikely by chance (p {p_value_text(self.p_value, '= ')})."
        return f"The weekly rate {direction} {size}, which is within what chance alone produces (p {p_value_text(self.p_value, '= ')}): no clear effect yet."


def p_value_text(p: float, equals: str = "", floor: float = 0.001) -> str:
    """A p-value as reports write it: two significant digits (0.038), or "< 0.001" below `floor`
    (1e-13 says nothing more to a reader; a floor under the threshold a table applies keeps the
    values either side of it apart). `equals` (e.g. "= ") goes before a value shown as it is."""
    return f"< {floor:g}" if p < floor else f"{equals}{p:#.2g}"  # "#": 0.090, not 0.09 beside 0.092


def p_value_floor(threshold: float) -> float:
    """The floor for p_value_text at or under `threshold`, a power of ten: 0.0001 for 0.00022."""
    return min(0.001, 10 ** math.floor(math.log10(threshold)))


def fix_effect(weekly: pd.DataFrame, fix_day: date, last_complete_week: date, max_weeks: int = 12) -> FixEffect:
    """Compare the complete weeks before the fix's week with those after it.

    weekly: week_start (Monday), n_category, n_all for every week around the fix (weeks
    without requests may be absent). last_complete_week: the Monday of the newest complete week.
    """
    fix_week = fix_day - timedelta(days=fix_day.weekday())
    frame = weekly.assign(week_start=pd.to_datetime(weekly["week_start"]).dt.date).set_index("week_start")
    before_weeks = [fix_week - timedelta(weeks=k) for k in range(max_weeks, 0, -1)]
    after_weeks = [fix_week + timedelta(weeks=k) for k in range(1, max_weeks + 1)
                   if fix_week + timedelta(weeks=k) <= last_complete_week]
    first_week = frame.index.min() if len(frame) else None
    if first_week is not None:  # weeks before the data are not weeks without requests
        before_weeks = [w for w in before_weeks if w >= first_week]
        after_weeks = [w for w in after_weeks if w >= first_week]

    def totals(weeks: list[date]) -> tuple[int, int]:
        rows = frame.reindex(weeks).fillna(0)
        return int(rows["n_category"].sum()), int(rows["n_all"].sum())

    n_before, all_before = totals(before_weeks)
    n_after, all_after = totals(after_weeks)
    e_before, e_after = len(before_weeks), len(after_weeks)
    rate_before = n_before / e_before if e_before else None
    rate_after = n_after / e_after if e_after else None
    change = p_value = interval = None
    if e_before and e_after and n_before + n_after > 0:
        p_value = rate_change_p(n_after, e_after, n_before, e_before)
        change = (rate_after / rate_before - 1) if rate_before else math.inf
        ratio = rate_ratio_interval(n_after, e_after, n_before, e_before)
        interval = None if ratio is None else (ratio[0] - 1, ratio[1] - 1)
    return FixEffect(
        fix_week=fix_week, weeks_before=e_before, weeks_after=e_after, n_before=n_before, n_after=n_after,
        rate_before=rate_before, rate_after=rate_after, change=change, interval=interval, p_value=p_value,
        share_before=n_before / all_before if all_before else None,
        share_after=n_after / all_after if all_after else None,
    )


# --------------------------------------------------------------------------------------
# Shaping query results for the page


def week_end(period_end: date) -> date:
    """The Monday ending the last complete ISO week of a period ending (exclusive) at period_end."""
    return period_end - timedelta(days=period_end.weekday())


def whole_weeks_end(period_end: date, data_end: date) -> date:
    """The Monday ending the weeks the weekly views of categories count: the period's last complete
    ISO week, unless the data ends inside it (data_end, the local date of its newest instant); then
    the last week whole in the data. A part week would read as a fall in every category's line and
    hide a rise from the test."""
    return min(week_end(period_end), week_end(data_end + timedelta(days=1)))


# What problem candidates can be ranked by: label -> column (an allowlist; "cost_index" is the
# average of a category's shares of the four cost totals).
RANKINGS = {
    "Combined cost": "cost_index",
    "Requests": "n_requests",
    "Business hours": "business_hours",
    "SLA breaches": "n_breaches",
    "Dissatisfied answers (1-2)": "n_dissatisfied",
}
COST_COLUMNS = ("n_requests", "business_hours", "n_breaches", "n_dissatisfied")


def rank_costs(costs: pd.DataFrame, rank_by: str = "Combined cost") -> pd.DataFrame:
    """category_costs ranked: each cost as a share of its total, their average, sorted by `rank_by`."""
    column = RANKINGS[rank_by]
    out = costs.copy()
    shares = []
    for name in COST_COLUMNS:
        total = float(out[name].sum())
        share = out[name].astype("float64") / total if total else pd.Series(0.0, index=out.index)
        out[f"{name}_share"] = share
        shares.append(share)
    out["cost_index"] = sum(shares) / len(shares)
    return out.sort_values([column, "n_requests"], ascending=False).reset_index(drop=True)


def example_rows(ranked: pd.DataFrame, top: int) -> pd.DataFrame:
    """The example requests of the top candidates, one row each (category, rank, source, request_id, subject)."""
    rows = []
    for rank, row in enumerate(ranked.head(top).itertuples(index=False), start=1):
        for example in (row.examples if row.examples is not None else []):
            if example is None:
                continue
            rows.append({"rank": rank, "category": row.category, "source": example["source"],
                         "request_id": example["request_id"], "subject": example["subject"]})
    return pd.DataFrame(rows, columns=["rank", "category", "source", "request_id", "subject"])


def before_after_frame(weekly: pd.DataFrame, category: str, effect: "FixEffect", max_weeks: int = 12) -> pd.DataFrame:
    """Weekly counts of one category around a fix (from category_weeks), labelled by side."""
    frame = weekly.assign(week_start=pd.to_datetime(weekly["week_start"]).dt.date)
    totals = frame.groupby("week_start")["n_requests"].sum()
    mine = frame[frame["category"] == category].groupby("week_start")["n_requests"].sum()
    weeks = [effect.fix_week + timedelta(weeks=k) for k in range(-effect.weeks_before, effect.weeks_after + 1)]
    out = pd.DataFrame({"week_start": weeks})
    out["n_category"] = [int(mine.get(w, 0)) for w in weeks]
    out["n_all"] = [int(totals.get(w, 0)) for w in weeks]
    out["share"] = out["n_category"] / out["n_all"].where(out["n_all"] > 0)
    out["side"] = ["before" if w < effect.fix_week else "after" if w > effect.fix_week else "fix week (left out)"
                   for w in weeks]
    out["week_start"] = pd.to_datetime(out["week_start"])
    return out


def fix_weekly(weekly: pd.DataFrame, category: str) -> pd.DataFrame:
    """category_weeks rows turned into week_start, n_category, n_all (the input of fix_effect)."""
    frame = weekly.assign(week_start=pd.to_datetime(weekly["week_start"]).dt.date)
    all_weeks = frame.groupby("week_start")["n_requests"].sum().rename("n_all")
    mine = frame[frame["category"] == category].groupby("week_start")["n_requests"].sum().rename("n_category")
    return pd.concat([mine, all_weeks], axis=1).fillna(0).astype("int64").reset_index()


# --------------------------------------------------------------------------------------
# The derived table the page reads (servicelevel/sql/request_facts.sql)

META_VERSION = "request_facts_version"


def _version(con: duckdb.DuckDBPyConnection) -> str:
    from servicelevel.subjects import rules_fingerprint

    sql = hashlib.sha256(pipeline_sql("request_facts").encode("utf-8")).hexdigest()[:12]
    return f"{data_marker(con)}:{rules_fingerprint()}:{sql}:{organisation().timezone}"


def request_facts_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when request_facts reflects the current requests, SLA states, answers and subject keys."""
    return table_exists(con, "request_facts") and store.get_meta(con, META_VERSION) == _version(con)


def refresh_request_facts(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> int:
    """Rebuild request_facts and filtered_request_facts (subject_keys must be fresh); returns its rows."""
    from servicelevel.subjects import has_subject_keys, refresh_subject_keys

    if not has_subject_keys(con):
        refresh_subject_keys(con)
    with store.transaction(con):
        run_pipeline(con, "request_facts", {"as_of": facts_as_of(con, now), "timezone": organisation().timezone})
        store.set_meta(con, META_VERSION, _version(con))
    return con.execute("select count(*) from request_facts").fetchall()[0][0]


# --------------------------------------------------------------------------------------
# Repeat contacts

REPEAT_BARS = 15  # groups drawn per chart, those with most requests


def faq_rows(faq: pd.DataFrame) -> pd.DataFrame:
    """faq_candidates as its table shows it: each group led by the way it is most often written
    (the normalised key, 'onde pedido' for "Onde está meu pedido?", reads as broken text), the
    other common wordings beside it, the key itself last."""
    wordings = faq["examples"].map(lambda e: [] if e is None else list(e))
    shown = faq.drop(columns="examples").assign(
        question=[w[0] if w else key for w, key in zip(wordings, faq["subject_key"])],
        also_written=wordings.map(lambda w: " · ".join(w[1:])),
    )
    ordered = columns_first(shown, ["question", "n_requests", "share", "n_requesters", "n_variants", "also_written"])
    return ordered[[c for c in ordered.columns if c != "subject_key"] + ["subject_key"]]


def repeat_tile(now: pd.Series, before: pd.Series | None, org: Organisation, so_far: bool = False) -> Tile:
    """The repeat rate (lower is better) of repeat_contacts' overall row, against the period before
    (its row, or None), resting on '220 of 763 requests repeat an earlier one'; on fewer than the
    minimum count it adds '· too few to trust: 95% interval 23%–64%'."""
    rows = pd.DataFrame([row for row in (before, now) if row is not None])
    tile = rate_tile("repeat_contact", "Repeat rate", rows, "n_repeats", "n_requests", None, "", org,
                     higher_is_better=False)
    basis = f"{int(now['n_repeats']):,} of {int(now['n_requests']):,} requests repeat an earlier one"
    return replace(against_period_before(tile, so_far), count=None, unit_note=basis)


def repeat_rows(repeats: pd.DataFrame, dimension: str, min_count: int) -> pd.DataFrame:
    """repeat_contacts rows of one dimension, as its table shows them: the value, the rate and
    too_few (fewer than `min_count` requests behind it) first, then the counts."""
    rows = (repeats[repeats["dimension"] == dimension].drop(columns="dimension").rename(columns={"value": dimension})
            .assign(too_few=lambda r: r["n_requests"] < min_count))
    return columns_first(rows, [dimension, "repeat_rate", "too_few", "n_requests"]).reset_index(drop=True)


def repeat_bars_note(n_groups: int) -> str:
    """Which groups a repeat chart draws: 'the 15 with most requests' only when there are more."""
    return f"the {REPEAT_BARS} with most requests" if n_groups > REPEAT_BARS else ""
