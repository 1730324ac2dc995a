"""Recurring problems: what keeps coming back, what is rising, what it costs, and whether fixes work."""

from datetime import timedelta

import streamlit as st

from servicelevel import charts, recurring, reopens
from servicelevel.fields import mid_sentence
from servicelevel.filters import Period
from servicelevel.settings import organisation
from servicelevel.tables import columns_first
from servicelevel.ui import frame, links
from servicelevel.ui.data import info, lacking_fields, run_query
from servicelevel.ui.link_values import bound_choice
from servicelevel.ui.widgets import chart, explain_empty, kpi_tiles, lacking_note, table

SPARK_WEEKS = 12
REPEAT_DAYS = 30
FAQ_LIMIT = 30
EXAMPLE_CANDIDATES = 5
REPEAT_BY = {"provider_department": "Provider department", "category": "Category"}  # bars side by side

selection = frame.selection()
params = selection.params()
zone = selection.period.timezone
data_end = selection.newest_day
end = recurring.whole_weeks_end(selection.period.end, data_end)
last_day = end - timedelta(days=1)
# The period's last week not over in the data: said where the weekly views stop short of it.
part_week_note = (f" The week not over in the data (it ends on {data_end:%d %b %Y}) is left out."
                  if end < recurring.week_end(selection.period.end) else "")
st.title("Recurring problems")
st.caption(f"{selection.period.label()} · {selection.filters.describe()}")
lacking = lacking_fields(params)

costs = run_query("category_costs", params)
has_requests = not costs.empty
if not has_requests:
    explain_empty(selection, "requests created in the period")

st.subheader("Top categories")
top_section = st.container()  # filled below, once the emerging window (which the sparklines share) is chosen

st.subheader("Emerging problems")
rule = recurring.EmergingRule(
    recent_weeks=int(bound_choice(
        st.segmented_control, "Recent weeks tested for a rise", ["2", "4", "8"], default="4", required=True,
        key="recent_weeks", format_func=lambda n: f"{n} weeks",
    ))
)
baseline_start, recent_start, _ = recurring.windows(end, rule)
history_start = min(baseline_start, end - timedelta(weeks=SPARK_WEEKS))
weekly = run_query("category_weeks", {**params, **Period(history_start, end, zone).params()})
data_start = info().first_date(zone)
spark_weeks = recurring.weeks_between(end - timedelta(weeks=SPARK_WEEKS), end, data_start)
NOTHING_TO_RANK = "Nothing to rank: no requests were created in the period for this selection."
if not has_requests:
    top_section.caption(NOTHING_TO_RANK)
else:
    lines = recurring.sparklines(weekly, spark_weeks)
    top = costs[["category", "n_requests", "share"]].assign(
        weekly=[lines.get(c, [0] * len(spark_weeks)) for c in costs["category"]]
    )
    with top_section:
        table(
            top,
            "top-categories",
            column_config={
                "n_requests": st.column_config.NumberColumn("requests", format="localized"),
                "share": st.column_config.NumberColumn("share", format="percent"),
                "weekly": st.column_config.LineChartColumn(
                    f"requests per week, {len(spark_weeks)} weeks to {last_day:%d %b}", y_min=0
                ),
            },
            caption="Requests created in the period per category and their share; the line shows the "
            f"{len(spark_weeks)} complete ISO weeks to {last_day:%d %b %Y} (none before the data starts)."
            + part_week_note,
        )
        lacking_note(lacking, "category", "categories (its requests count as '(no category)')")

st.caption(rule.describe())
emerging = recurring.emerging(weekly, end, rule, data_start=data_start)
if emerging.empty:
    explain_empty(selection.over(Period(baseline_start, end, zone)), "requests to test for a rise")
else:
    rising = emerging[emerging["is_emerging"]]
    n_tested = int(emerging["tested"].sum())
    if rising.empty:
        said, is_news = rule.nothing_rose(n_tested, last_day)
        (st.success if is_news else st.info)(said)
    else:
        tested_weeks = recurring.weeks_between(baseline_start, end, data_start)
        shown = recurring.weekly_counts(weekly, list(rising["category"].head(6)), tested_weeks)
        chart(charts.weekly_category_lines(shown, "Requests per week of the emerging categories", recent_start))
    floor = recurring.p_value_floor(rule.threshold(n_tested))
    table(
        # Whole extra requests, and no "-0" for a category a fraction of a request under its baseline.
        emerging.assign(extra_requests=emerging["extra_requests"].round(0) + 0.0,
                        p_value=emerging["p_value"].map(lambda p: recurring.p_value_text(p, floor=floor),
                                                        na_action="ignore")),
        "emerging-problems",
        column_config={
            "baseline_per_week": st.column_config.NumberColumn("baseline / week", format="%.1f"),
            "recent_per_week": st.column_config.NumberColumn("recent / week", format="%.1f"),
            "ratio": st.column_config.NumberColumn("recent ÷ baseline", format="%.2f×"),
            "extra_requests": st.column_config.NumberColumn("extra requests", format="%+.0f"),
            "p_value": st.column_config.TextColumn(
                "chance alone (p-value)", width="medium",
                help="How likely a rise this large would be if the category's weekly rate had not changed. Emerging "
                     f"needs it under {rule.alpha:.0%} divided by the number of categories tested, so that testing "
                     "many categories does not turn up one by luck."),
            "is_emerging": st.column_config.CheckboxColumn("emerging"),
        },
        caption=" ".join(filter(None, ["Every category, emerging ones first.", rule.threshold_text(n_tested)]))
        + f" Recent: {recent_start:%d %b} – {last_day:%d %b %Y}; baseline: the {rule.baseline_weeks} weeks before "
        f"(fewer when the data starts later).{part_week_note} "
        "Extra requests = recent requests minus what the baseline rate predicts. A category with fewer than "
        f"{rule.min_recent} recent requests, or no baseline weeks, is not tested (no p-value).",
    )

st.subheader("Problem candidates: what they cost")
if has_requests:
    rank_by = bound_choice(
        st.segmented_control, "Rank by", list(recurring.RANKINGS), default="Combined cost", required=True,
        key="rank_by",
    )
    ranked = recurring.rank_costs(costs, rank_by)
    shown = ranked[["category", "n_requests", "business_hours", "n_breaches", "n_answers", "n_dissatisfied",
                    "cost_index"]]
    table(
        # The column it is ranked by beside the category, in view on a laptop. Whole hours, with
        # thousands separators as every count has (23,863, not 23863).
        columns_first(shown, ["category", recurring.RANKINGS[rank_by]]).assign(
            business_hours=shown["business_hours"].round(0)),
        "problem-candidates",
        column_config={
            "business_hours": st.column_config.NumberColumn("business hours", format="localized"),
            # Counted over the requests created in the period, as the caption says: not the SLA or
            # Feedback page's totals for the period, which count what was decided or answered in it.
            "n_breaches": st.column_config.NumberColumn("breaches of these", help="SLA targets of these requests "
                                                        "breached by the data's newest time"),
            "n_answers": st.column_config.NumberColumn("answers on these", help="Survey answers on these requests, "
                                                       "whenever given"),
            "n_dissatisfied": st.column_config.NumberColumn("answers 1-2", help="Survey answers on these requests "
                                                            "scoring 1-2 (below 3 of 5)"),
            # Bars against the costliest category: a share of four totals is rarely above 10%, and on
            # a 0-100% scale every bar was a sliver.
            "cost_index": st.column_config.ProgressColumn(
                "combined cost", format="percent", min_value=0, max_value=max(float(ranked["cost_index"].max()), 1e-9),
                help="The average of the category's shares of all requests, business hours, breaches and answers "
                     "1-2; the bars are drawn against the costliest category."),
        },
        caption="Requests created in the period, and the breaches and survey answers of those requests. Business "
        "hours: creation to resolution of the resolved ones (waiting statuses excluded). Breaches: first-response "
        "and resolution targets of these requests breached by the data's newest time (the SLA page counts the "
        "targets decided in the period instead). Survey answers: those given on these requests, whenever given "
        "(the Feedback page counts the answers submitted in the period, whichever requests they are about). "
        "Combined cost: the average of the category's shares of the four totals.",
    )
    examples = recurring.example_rows(ranked, EXAMPLE_CANDIDATES)
    if not examples.empty:
        st.markdown(f"**Example requests of the top {EXAMPLE_CANDIDATES} categories** (in the table's order; within "
                    "each, its costliest requests first: most breached targets, then most business time)")
        table(links.with_request_links(examples), "problem-candidate-examples", column_config=links.LINK_COLUMN)
else:
    st.caption(NOTHING_TO_RANK)

st.subheader("Not solved the first time: reopened and handed on")
resolved = run_query("reopens", params)
resolved_total = reopens.total(resolved)
earlier = selection.period.previous()
if resolved_total is None:
    explain_empty(selection, "requests resolved")
else:  # the sources' gaps are said where there are numbers they are missing from
    for note in reopens.coverage_notes(resolved_total, lacking):
        st.caption(note)
    st.caption(f"Requests resolved in the period, whenever created, compared with the {earlier.length_words()} "
               f"before: {earlier.label()}.")
    kpi_tiles(reopens.tiles(resolved_total, reopens.total(run_query("reopens", {**params, **earlier.params()})),
                            organisation(), so_far=selection.period_running))
    table(
        reopens.by_category(resolved),
        "reopened-by-category",
        column_config={
            "n_resolved": st.column_config.NumberColumn("resolved", format="localized"),
            "n_reopened": st.column_config.NumberColumn("reopened", format="localized"),
            "reopen_rate": st.column_config.NumberColumn("reopen rate", format="percent"),
            "n_one_touch": st.column_config.NumberColumn("one-touch", format="localized"),
            "one_touch_rate": st.column_config.NumberColumn("one-touch rate", format="percent"),
            # Short headers, the long ones on hover: the table ran past a laptop's width.
            "n_reopen_known": st.column_config.NumberColumn(
                "reopens counted", format="localized", help="Requests resolved whose export gives a reopen count"),
            "n_touch_known": st.column_config.NumberColumn(
                "reassigns counted", format="localized",
                help="Requests resolved whose export gives a reassignment count"),
        },
        caption="Per category, most reopened first. Reopened: reopened at least once. One-touch: resolved without "
        "being reassigned. Each rate counts only the requests whose export gives that count.",
    )

st.subheader("Did the fix work?")
categories = run_query("category_list", {})["category"].tolist()
left, right = st.columns(2)
# Neither category nor day is chosen for the user: a verdict on a fix nobody made would read as a finding.
fix_category = bound_choice(left.selectbox, "Category", categories, index=None,
                            placeholder="the category a fix addressed", key="fix_category")
fix_day = right.date_input("Fix released on", value=None, key="fix_date", bind="query-params", format="YYYY-MM-DD")
if fix_category is None or fix_day is None:
    st.caption("Choose the category a fix addressed and the day it was released: its requests per week in the 12 "
               "complete weeks either side are compared, with a test of whether the change could be chance.")
else:
    fix_week = fix_day - timedelta(days=fix_day.weekday())
    around = Period(fix_week - timedelta(weeks=12), fix_week + timedelta(weeks=13), zone)
    fix_weeks = run_query("category_weeks", {**params, **around.params()})
    last_complete = info().default_week(selection.as_of, zone).start
    effect = recurring.fix_effect(recurring.fix_weekly(fix_weeks, fix_category), fix_day, last_complete)
    if fix_week >= last_complete:
        where = "falls in" if fix_week == last_complete else "is after"
        st.info(f"{fix_day:%d %b %Y} {where} the last complete week of the data ({last_complete:%d %b} – "
                f"{last_complete + timedelta(days=6):%d %b %Y}): there are no complete weeks after the fix to "
                "compare yet.")
    elif effect.n_before + effect.n_after == 0:
        st.info(f"No '{fix_category}' requests in the 12 weeks either side of the fix's week ({fix_week:%d %b} – "
                f"{fix_week + timedelta(days=6):%d %b %Y}) for {selection.filters.describe()}.")
    else:
        cols = st.columns(3)
        cols[0].metric("Per week before", "–" if effect.rate_before is None else f"{effect.rate_before:.1f}",
                       help=f"{effect.n_before:,} requests in {effect.weeks_before} weeks", border=True)
        cols[1].metric(
            "Per week after", "–" if effect.rate_after is None else f"{effect.rate_after:.1f}",
            delta=None if effect.change is None or effect.change == float("inf") else f"{effect.change:+.0%}",
            delta_color="inverse", help=f"{effect.n_after:,} requests in {effect.weeks_after} weeks", border=True,
        )
        cols[2].metric(
            "Share of all requests", "–" if effect.share_after is None else f"{effect.share_after:.1%}",
            delta=None if effect.share_before is None or effect.share_after is None
            else f"{(effect.share_after - effect.share_before) * 100:+.1f} pp",
            delta_color="inverse", help="After the fix, and its change from before (controls for overall volume)",
            border=True,
        )
        verdict = effect.verdict() + effect.interval_text()
        (st.success if effect.is_significant and (effect.change or 0) < 0 else st.info)(verdict)
        around_fix = recurring.before_after_frame(fix_weeks, fix_category, effect)
        chart(charts.before_after_chart(around_fix, effect.fix_week, effect.rate_before, effect.rate_after,
                                        f"'{fix_category}' requests per week around the fix"))
        # Days, not midnights: "2026-07-06", not "2026-07-06 00:00:00".
        weeks_drawn = around_fix[["week_start", "side", "n_category", "n_all", "share"]]
        table(weeks_drawn.assign(week_start=weeks_drawn["week_start"].dt.date), f"fix-{fix_category}-{fix_day}",
              column_config={"n_category": st.column_config.NumberColumn(f"'{fix_category}' requests"),
                             "n_all": st.column_config.NumberColumn("all requests"),
                             "share": st.column_config.NumberColumn("share of all", format="percent")},
              caption="The weeks the chart draws. Complete ISO weeks only; the fix's own week is left out of both "
                      "sides. The sidebar filters apply; the period does not.")

st.subheader(f"Repeat contacts: the same requester, the same category, within {REPEAT_DAYS} days")
within = {"within_secs": REPEAT_DAYS * 86400}
repeats = run_query("repeat_contacts", {**params, **within})
overall = repeats[repeats["dimension"] == "all"]
if not has_requests:
    st.caption("No requests in this selection (see above).")
else:
    lacking_note(lacking, "requester_id", "requester ids (its requests cannot be judged)")
    if overall.empty:
        st.info("No requests with a requester id and a category in this selection: repeats cannot be judged.")
    else:
        min_count = organisation().min_count
        repeats_before = run_query("repeat_contacts", {**params, **earlier.params(), **within})
        overall_before = repeats_before[repeats_before["dimension"] == "all"]
        st.caption(f"Requests created in the period, compared with the {earlier.length_words()} before: "
                   f"{earlier.label()}.")
        kpi_tiles([recurring.repeat_tile(overall.iloc[0], None if overall_before.empty else overall_before.iloc[0],
                                         organisation(), so_far=selection.period_running)])
        rows_by = {dimension: recurring.repeat_rows(repeats, dimension, min_count) for dimension in REPEAT_BY}
        bars = charts.side_by_side(*(
            charts.rate_bars(rows_by[dimension].head(recurring.REPEAT_BARS), dimension, "repeat_rate", "n_requests",
                             f"Repeat rate by {mid_sentence(title)}", title, "Repeat rate", min_count=min_count,
                             note=recurring.repeat_bars_note(len(rows_by[dimension])) or None)
            for dimension, title in REPEAT_BY.items()))
        for column, dimension, bar_chart in zip(st.columns(2), REPEAT_BY, bars):
            with column:
                chart(bar_chart)
                # Narrow, as the department scorecards' tables: half a laptop's width holds them whole.
                table(rows_by[dimension], f"repeat-contacts-by-{dimension}",
                      column_config={"repeat_rate": st.column_config.NumberColumn("repeat rate", format="percent",
                                                                                  width=72),
                                     "too_few": st.column_config.CheckboxColumn(
                                         "too few", width=58,
                                         help=f"Too few to trust: fewer than {min_count} requests")})

st.subheader("FAQ candidates: the questions asked most, however they are written")
faq = run_query("faq_candidates", {**params, "max_rows": FAQ_LIMIT})
if not has_requests:
    st.caption("No requests in this selection (see above).")
else:
    lacking_note(lacking, "subject", "subjects")
    if faq.empty:
        st.info("No request in this selection has a subject with words to group.")
    else:
        shown = recurring.faq_rows(faq).rename(columns={"newest_source": "source", "newest_request_id": "request_id"})
        table(
            links.with_request_links(shown),
            "faq-candidates",
            column_config={
                "source": None,  # the link shows the newest request; the download keeps its source and id
                "question": st.column_config.TextColumn("asked as", help="The group's most common wording"),
                "share": st.column_config.NumberColumn("share", format="percent"),
                "n_variants": st.column_config.NumberColumn(
                    "wordings", help="Subjects alike up to case and numbers are one wording"),
                "also_written": st.column_config.TextColumn("also written"),
                "subject_key": st.column_config.TextColumn(
                    "grouped as",
                    help="The words left once the subject is normalised: what the group's subjects share"),
                **links.LINK_COLUMN,
            },
            caption=f"The {FAQ_LIMIT} largest groups, each under its most common wording. Subjects are grouped after "
            "lowercasing, folding accents and removing reply prefixes, [tags], numbers and ids, e-mail addresses, URLs "
            "and Portuguese and English stop words (the words left are in the last column); 'request' opens the "
            "group's newest request.",
        )
