"""Feedback: how satisfied customers are, against the goal, what drives it, and what they say."""

import streamlit as st

from servicelevel import charts, feedback
from servicelevel.fields import mid_sentence
from servicelevel.filters import whole_weeks_trend
from servicelevel.settings import organisation
from servicelevel.ui import frame, links
from servicelevel.ui.data import info, lacking_fields, run_query
from servicelevel.ui.widgets import chart, explain_empty, kpi_tiles, lacking_note, sources_lack, spelled_out, table

TREND_WEEKS = 12
FOLLOWUP_LIMIT = 500
RATE = {"csat": st.column_config.NumberColumn("CSAT %", format="percent"),
        # Short headers: "95% interval from" and "… to" pushed the breakdowns past a laptop's width.
        "csat_low": st.column_config.NumberColumn("95% low", format="percent",
                                                  help="The low end of CSAT %'s 95% interval (Wilson)"),
        "csat_high": st.column_config.NumberColumn("95% high", format="percent",
                                                   help="The high end of CSAT %'s 95% interval (Wilson)"),
        "mean_score": st.column_config.NumberColumn("mean score", format="%.2f"),
        "too_few": st.column_config.CheckboxColumn("too few to trust"),
        "sum_score": None}  # only there to add up means over groups
DRIVERS = {"sla_outcome": "SLA met or breached", "first_response": "Time to first response (business hours)",
           "reopened": "Reopened", "reassigned": "Reassigned"}
# The drivers' tables stand in half the page: a short header for the group (the chart above gives
# the whole title), so that CSAT % stays in view on a laptop ("Time to first response (business
# hours)" took all of it at 1024 pixels).
DRIVER_HEADERS = {"sla_outcome": "SLA", "first_response": "first response", "reopened": "reopened",
                  "reassigned": "reassigned"}
BREAKDOWNS = {"provider_department": "Provider department", "provider_type": "Provider type",
              "requester_department": "Requester department (internal customers)"}

selection = frame.selection()
org = organisation()
params = selection.params()
st.title("Feedback")
st.caption(f"{selection.period.label()} · {selection.filters.describe()} · answers by the week they were submitted")

presence = run_query("feedback_presence", {}).iloc[0]
if presence["n_answers"] == 0:
    st.info("No survey answers are loaded, so there is no feedback to show. Import a satisfaction survey export "
            "(preset `survey`: request id, submitted at, score, comment) on the **Data & definitions** page.")
    st.stop()
if presence["n_linked"] == 0:
    st.info(f"{int(presence['n_answers']):,} survey answers are loaded, but none names a loaded request: import the "
            "requests they rate, or check that the survey's request ids match the requests' ids.")
    st.stop()

trend = whole_weeks_trend(selection.period, TREND_WEEKS, data_from=info().first_date(org.timezone))
weeks = feedback.weekly_rates(run_query("feedback_weeks", {**params, **trend.params()}))
breakdown = run_query("feedback_breakdown", params)
total = breakdown[breakdown["dimension"] == "all"]

st.subheader("Satisfaction against the goal")
if total.empty:
    explain_empty(selection, "survey answers")
    st.caption(f"Survey answers on file run from {presence['first_submitted_at']:%d %b %Y} to "
               f"{presence['last_submitted_at']:%d %b %Y}.")
else:
    row = total.iloc[0]
    conventions = feedback.conventions(row["n_satisfied"], row["n_neutral"], row["n_dissatisfied"])
    earlier = selection.period.previous()
    # The period before is compared only where the data reaches back to it, as the overview does.
    reaches_back = info().reaches_into(earlier)
    if not reaches_back:
        st.caption("The data starts in this period: there is no period before it to compare with.")
    elif selection.period_running:
        st.caption(f"Answers submitted in the period so far, against the {earlier.length_words()} before: "
                   f"{earlier.label()}. The period is not over in the data: the rates' changes are in grey, and "
                   "the count of answers is not compared.")
    else:
        st.caption(f"Answers submitted in the period, compared with the {earlier.length_words()} before: "
                   f"{earlier.label()}.")
    kpi_tiles(feedback.period_tiles(
        feedback.period_totals(run_query("feedback_weeks", params)),
        feedback.period_totals(run_query("feedback_weeks", {**params, **earlier.params()})) if reaches_back else None,
        org, so_far=selection.period_running))
    if conventions.n_answers < org.min_count:
        st.warning(f"Only {conventions.n_answers} answers: too few to trust (fewer than {org.min_count}).")
    st.markdown("**CSAT under the conventions people compare against**")
    goal_text = "" if org.csat_goal is None else f"goal {org.csat_goal:.1%}"
    table(feedback.conventions_frame(conventions), "csat-conventions",
          caption=f"{goal_text + ' (for CSAT %). ' if goal_text else ''}Scores on other scales are normalised to 1-5 "
          "on import (1-10 and NPS 0-10 linearly, good = 5, bad = 1) and read by their whole part.")

unfinished = trend.unfinished_week(selection.as_of)
if weeks["n_answers"].sum() == 0:
    st.caption(f"No survey answers for this selection in the {len(weeks)} weeks ending with the period either, "
               "so there are no weekly trends to draw.")
else:
    few_answers = {"counted": ("n_answers", org.min_count), "rests_on": "survey answers"}
    # Side by side, each pair's plots level (charts.levelled).
    csat, mean_score = charts.levelled(
        charts.trend_chart(weeks, "csat", "CSAT % by week", "CSAT", goal=org.csat_goal, as_percent=True,
                           unfinished_week=unfinished, note="answers scoring 4-5", **few_answers),
        charts.trend_chart(weeks, "mean_score", "Mean score by week (1-5)", "Mean score", value_format=".1f",
                           domain=(1, 5), unfinished_week=unfinished, **few_answers))
    n_answers, response_rate = charts.levelled(
        charts.trend_chart(weeks, "n_answers", "Survey answers by week", "Answers", unfinished_week=unfinished),
        charts.trend_chart(weeks, "response_rate", "Response rate by week", "Response rate", as_percent=True,
                           unfinished_week=unfinished, note="answers / resolved requests"))
    left, right = st.columns(2)
    with left:
        chart(csat)
        chart(n_answers)
    with right:
        chart(mean_score)
        chart(response_rate)
    table(weeks.drop(columns="segment"), "feedback-by-week",
          column_config={"csat": RATE["csat"], "mean_score": RATE["mean_score"], "sum_score": None,
                         "sum_score_squares": None,
                         "response_rate": st.column_config.NumberColumn("response rate", format="percent")},
          caption=f"The {len(weeks)} ISO weeks ending with the period.")

if not total.empty:
    st.subheader("How scores are spread")
    distribution = feedback.score_distribution(breakdown)
    chart(charts.score_distribution(distribution, "Answers by score"))
    scales = feedback.dimension_rows(breakdown, "scale")[["value", "n_answers"]].rename(columns={"value": "survey scale"})
    table(scales, "answers-by-scale", caption="Answers per survey scale, before normalisation.")

    st.subheader("CSAT next to SLA adherence, by channel")
    adherence = run_query("sla_by_channel", params)
    chart(charts.paired_rates(spelled_out(feedback.csat_next_to_adherence(breakdown, adherence)), "channel",
                              "CSAT % and SLA adherence by channel", "Channel", min_count=org.min_count))
    table(feedback.csat_beside_adherence_table(breakdown, adherence, org.min_count), "csat-and-sla-by-channel",
          column_config={**RATE, "sla_adherence": st.column_config.NumberColumn("SLA adherence", format="percent"),
                         "sla_goal": st.column_config.NumberColumn("SLA goal", format="percent"),
                         "too_few": st.column_config.CheckboxColumn(
                             "CSAT: too few", help=f"CSAT rests on fewer than {org.min_count} answers"),
                         "sla_too_few": st.column_config.CheckboxColumn(
                             "SLA: too few", help=f"SLA adherence rests on fewer than {org.min_count} decided targets")},
          caption="CSAT: answers submitted in the period. SLA adherence: first-response and resolution targets "
          "decided in the period, met / (met + breached). SLA goal: the goals of those targets' policies, "
          "averaged, so a channel whose requests fall more under stricter policies has a higher one.")

    st.subheader("By who served and who asked")
    lacking = lacking_fields(params)
    for dimension, title in BREAKDOWNS.items():
        rows = feedback.dimension_rows(breakdown, dimension, org.min_count).rename(columns={"value": dimension})
        if rows.empty:
            st.caption(f"{title}: no answers (no internal requesters in this selection)." if dimension == "requester_department"
                       else f"{title}: no answers.")
            continue
        if dimension == "provider_type" and lacking.get("provider_type"):
            # Told before the chart: a bar of defaults reads as data otherwise.
            unrecorded = sources_lack(lacking["provider_type"]) + " provider type column"
            if set(lacking["provider_type"]) >= set(run_query("sources_in_scope", params)["source"]):
                st.caption(f"{title}: {unrecorded[0].lower()}{unrecorded[1:]}, so every request in this selection "
                           "counts as in-house: there is nothing to compare.")
                continue
            st.caption(f"{unrecorded}: those requests count as in-house in this chart.")
        if one_group := feedback.one_group_note(rows, dimension, title):
            st.caption(one_group)
            continue
        chart(charts.rate_bars(spelled_out(rows), dimension, "csat", "n_answers", f"CSAT % by {mid_sentence(title)}",
                               title, "CSAT %", goal=org.csat_goal, low="csat_low", high="csat_high",
                               min_count=org.min_count))
        table(rows, f"csat-by-{dimension}", column_config=RATE)

    st.subheader("What drives satisfaction")
    # Two to a row, so that each pair's charts, and the next pair's, start level (one below a longer
    # table started lower); a driver with a single group says so instead of a chart.
    drivers = list(DRIVERS.items())
    for pair in (drivers[:2], drivers[2:]):
        rows = {dimension: feedback.dimension_rows(breakdown, dimension, org.min_count).rename(columns={"value": title})
                for dimension, title in pair}
        one_group = {dimension: feedback.one_group_note(rows[dimension], title, title) for dimension, title in pair}
        drawn = [dimension for dimension, _ in pair if not one_group[dimension]]
        bars = dict(zip(drawn, charts.side_by_side(*(
            charts.rate_bars(rows[d], DRIVERS[d], "csat", "n_answers", f"CSAT % by {mid_sentence(DRIVERS[d])}",
                             DRIVERS[d], "CSAT %", goal=org.csat_goal, low="csat_low", high="csat_high",
                             min_count=org.min_count)
            for d in drawn))))
        for column, (dimension, title) in zip(st.columns(2), pair):
            with column:
                if one_group[dimension]:
                    st.caption(one_group[dimension])
                else:
                    chart(bars[dimension])
                    table(rows[dimension], f"csat-driver-{dimension}", column_config={
                        **RATE, title: st.column_config.TextColumn(DRIVER_HEADERS[dimension], help=title),
                        # Narrow, as the other tables beside a chart.
                        "too_few": st.column_config.CheckboxColumn(
                            "too few", width=58, help=f"Too few to trust: fewer than {org.min_count} answers")})
                if dimension == "reopened":
                    lacking_note(lacking, "reopen_count", "reopen counts", counted_as="not recorded")
                if dimension == "reassigned":
                    lacking_note(lacking, "reassignment_count", "reassignment counts", counted_as="not recorded")

st.subheader("What the comments are about")
st.caption("Each comment is matched against a Portuguese and English word list (data/themes.toml, which can be extended): "
           "business = was it solved and how fast; human = respect, empathy, promises kept; hidden = the process "
           "behind the scenes. A comment can touch several themes.")
if presence["n_comments"] == 0:
    st.info("The survey exports loaded have no comments, so there are no themes to show.")
else:
    themes = run_query("feedback_themes", params)
    totals = themes[themes["level"] == "total"]
    n_comments = 0 if totals.empty else int(totals["n_comments"].iloc[0])
    if n_comments == 0:
        explain_empty(selection, "comments")
    else:
        n_classified = int(totals["n_classified"].iloc[0])
        st.caption(f"{n_comments:,} comment{'' if n_comments == 1 else 's'} in the period, {n_classified:,} "
                   f"({n_classified / n_comments:.0%}) touch{'es' if n_classified == 1 else ''} at least one theme.")
        by_theme = themes[themes["level"] == "theme"].sort_values("theme_order").assign(
            share=lambda t: t["n_comments"] / n_comments,
            mean_score=lambda t: t["sum_score"] / t["n_comments"],
            examples=lambda t: t["examples"].map(lambda e: " · ".join(e) if e is not None else ""),
        )
        dimensions = themes[themes["level"] == "dimension"][["dimension", "polarity", "n_comments"]].assign(
            share=lambda t: t["n_comments"] / n_comments)
        left, right = st.columns([2, 1])
        with left:
            chart(charts.theme_bars(by_theme, "Comments per theme"))
        with right:
            table(dimensions, "comment-dimensions",
                  column_config={"share": st.column_config.NumberColumn("share", format="percent")},
                  caption="Comments touching each dimension and polarity.")
        # A theme's CSAT % was all but its polarity restated (100% positive, 0% negative): the mean
        # score and the answers of 1-2 tell the negative themes apart.
        table(by_theme[["label", "dimension", "polarity", "n_comments", "share", "mean_score", "n_dissatisfied",
                        "examples"]],
              "comment-themes",
              column_config={"share": st.column_config.NumberColumn("share of comments", format="percent"),
                             "mean_score": st.column_config.NumberColumn(
                                 "mean score (1-5)", format="%.2f",
                                 help="Of the answers the comments came with. A positive comment comes with a good "
                                      "score almost always, so compare themes of the same polarity."),
                             "n_dissatisfied": st.column_config.NumberColumn("answers 1-2"),
                             "examples": st.column_config.TextColumn("newest examples")})
        theme_weeks = run_query("feedback_theme_weeks", {**params, **trend.params()})
        if not theme_weeks.empty:
            chart(charts.theme_trend(theme_weeks.assign(share=theme_weeks["n_comments"] / theme_weeks["n_all_comments"]),
                                     "Themes by week, share of comments (solid: positive, dashed: negative)",
                                     unfinished_week=unfinished, min_comments=org.min_count))

st.subheader("Follow-up queue: unhappy answers with a comment")
queue = run_query("feedback_followup", {**params, "max_rows": FOLLOWUP_LIMIT})
if queue.empty:
    if total.empty:  # said above, with the reason
        st.caption("Nothing to follow up: no survey answers for this selection.")
    else:
        st.success("No answer scored 1-2 with a comment in this period for this selection.")
else:
    n_total = int(queue["n_total"].iloc[0])
    table(links.with_request_links(queue.drop(columns="n_total")), "feedback-follow-up",
          column_config={**links.LINK_COLUMN, "score": st.column_config.NumberColumn("score (1-5)", format="%.1f")},
          caption=f"{n_total:,} answer{'' if n_total == 1 else 's'} scored 1-2 with a comment, newest first"
          f"{f'; the newest {FOLLOWUP_LIMIT} shown (and downloaded)' if n_total > FOLLOWUP_LIMIT else ''}. "
          "Click an id for the request's timeline.")
