"""The Recurring problems and Feedback pages in real Streamlit (AppTest) on the bundled sample:
they render, show the sample's story, change with the filters, explain empty states, and every
table can be downloaded."""

from __future__ import annotations

import json
import math
import statistics
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

from servicelevel import PROJECT_ROOT, store
from tests.apptest_support import chart_data, chart_title, rendered
from tests.handmade import import_answers, import_requests
from tests.independent_counts import first_week_code, fisher_two_sided, reassignment_counts_by_source

# 2026-W46 (9-15 November 2026) in America/Sao_Paulo (UTC-3): the sample's default week.
WEEK_START = datetime(2026, 11, 9, 3, 0, tzinfo=timezone.utc)
WEEK_END = WEEK_START + timedelta(days=7)
RECURRING, FEEDBACK = "pages/recurring.py", "pages/feedback.py"


def frame_with(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(elements) -> str:
    return " ".join(e.value for e in elements)


def test_feedback_tables_hide_the_sums_their_means_are_worked_out_from(dashboard):
    tables = rendered(dashboard, FEEDBACK).dataframe
    sums = [(name, json.loads(df.proto.columns).get(name, {})) for df in tables for name in df.value.columns
            if name.startswith("sum_")]
    assert {"sum_score", "sum_score_squares"} <= {name for name, _ in sums}
    assert [name for name, config in sums if not config.get("hidden")] == []


@pytest.mark.parametrize("page", [RECURRING, FEEDBACK])
def test_page_renders_and_every_table_has_its_download(dashboard, page):
    at = rendered(dashboard, page)
    assert at.title[0].value in ("Recurring problems", "Feedback")
    assert "2026-W46" in at.caption[0].value
    assert len(at.dataframe) >= 5
    assert len(at.get("download_button")) == len(at.dataframe)


def test_recurring_page_tells_the_sample_story(dashboard):
    at = rendered(dashboard, RECURRING)
    top = frame_with(at, "share")
    # Shown in percent, each rounded to a tenth: off by at most 0.05 apiece.
    assert top["share"].sum() == pytest.approx(100.0, abs=0.05 * len(top))
    assert all(len(line) == 12 for line in top["weekly"])
    shown = frame_with(at, "is_emerging")
    emerging = shown.set_index("category")
    assert emerging.loc["VPN access", "is_emerging"]
    assert not emerging.loc["Password reset", "is_emerging"]
    # The verdict beside the category, then what decides it; the caption states the threshold it applies.
    assert list(shown.columns[:5]) == ["category", "is_emerging", "tested", "p_value", "ratio"]
    n_tested = int(emerging["tested"].sum())
    assert n_tested > 10 and f"(1% ÷ {n_tested} categories tested)" in texts(at.caption)
    faq = frame_with(at, "subject_key")
    assert faq["n_requests"].is_monotonic_decreasing and faq["request"].str.startswith("request?").all()
    # Each group under the way it is most often written, not its normalised key.
    assert list(faq.columns[:2]) == ["request", "question"]
    assert "Onde está meu pedido?" in faq["question"].tolist() and "onde pedido" not in faq["question"].tolist()
    repeat_rate = metrics(at)["Repeat rate"]
    assert repeat_rate.endswith("%")


def test_no_rise_is_good_news_only_when_a_category_was_tested(dashboard):
    # Urgent requests by social media: a handful a month, fewer than 5 in any category's recent weeks.
    dashboard.query_params["priority"] = "urgent"
    dashboard.query_params["channel"] = "social"
    at = rendered(dashboard, RECURRING)
    tested = frame_with(at, "is_emerging")
    assert not tested.empty and tested["p_value"].isna().all()  # every category listed, none tested
    assert "rose significantly" not in texts(at.success)
    assert ("No category could be tested for a rise in the 4 weeks to 15 Nov 2026: each has fewer than 5 recent "
            "requests, or no baseline weeks.") in texts(at.info)


def test_the_emerging_chart_draws_every_week_tested_and_agrees_with_its_table(dashboard):
    # Marketing's own requests: a few a week, so a category has weeks with none.
    dashboard.query_params["requester"] = "Internal"
    dashboard.query_params["requester_dept"] = "Marketing"
    at = rendered(dashboard, RECURRING)
    tested = frame_with(at, "is_emerging")
    rising = tested[tested["is_emerging"]].set_index("category")
    assert not rising.empty
    spec, frames = next((spec, frames) for spec, frames in chart_data(at)
                        if "emerging categories" in chart_title(spec))
    drawn = next(f for f in frames if "n_requests" in f.columns)
    weeks = sorted(drawn["week_start"].unique())
    assert len(weeks) == 16 and all((b - a).days == 7 for a, b in zip(weeks, weeks[1:]))  # 12 baseline + 4 recent
    assert (drawn["n_requests"] == 0).any()  # a quiet week is drawn at 0, not skipped
    for category, lines in drawn.groupby("category"):
        assert len(lines) == 16
        per_week = lines.sort_values("week_start")["n_requests"]
        # The table shows one decimal, rounded half up.
        assert per_week.tail(4).sum() / 4 == pytest.approx(rising.loc[category, "recent_per_week"], abs=0.0501)
        assert per_week.head(12).sum() / 12 == pytest.approx(rising.loc[category, "baseline_per_week"], abs=0.0501)


def test_repeat_contacts_on_a_small_selection_flag_what_rests_on_few(dashboard):
    dashboard.query_params["priority"] = "urgent"  # W46's urgent requests: fewer than 30 to judge
    at = rendered(dashboard, RECURRING)
    said = next(c.value for c in at.caption if "requests repeat an earlier one" in c.value)
    repeated, judged = (int(n.replace(",", "")) for n in said.split(" requests")[0].split(" of "))
    assert judged < 30 and f"{repeated / judged:.1%}" == metrics(at)["Repeat rate"]
    assert " · too few to trust: 95% interval " in said
    by_department = frame_with(at, "provider_department")
    assert list(by_department.columns[:4]) == ["provider_department", "repeat_rate", "too_few", "n_requests"]
    assert by_department["too_few"].tolist() == (by_department["n_requests"] < 30).tolist()
    assert by_department["n_requests"].sum() == judged  # every judged request in one department's row
    titles = [chart_title(spec) for spec, _ in chart_data(at) if chart_title(spec).startswith("Repeat rate by")]
    assert titles and all("outlined: fewer than 30 behind it" in t for t in titles)
    assert "Repeat rate by provider department outlined" in " ".join(titles)  # 15 or fewer: all of them drawn


def test_problem_costs_draw_bars_against_the_costliest_and_say_whose_breaches_they_count(dashboard):
    at = rendered(dashboard, RECURRING)
    table = next(d for d in at.dataframe if "cost_index" in d.value.columns)
    config = json.loads(table.proto.columns)
    shown = table.value
    # In points (presented() scales fractions): the costliest category's bar is full, not a sliver.
    assert config["cost_index"]["type_config"]["max_value"] == pytest.approx(shown["cost_index"].max(), abs=0.05)
    assert shown["cost_index"].max() < 50  # a share of four totals: on a 0-100 scale it was at most half
    assert (shown["business_hours"] == shown["business_hours"].round()).all()
    assert config["business_hours"]["type_config"]["format"] == "localized"
    assert config["n_breaches"]["label"] == "breaches of these"
    assert config["n_breaches"]["help"] == "SLA targets of these requests breached by the data's newest time"
    # The column it is ranked by beside the category, whichever it is.
    assert list(shown.columns[:2]) == ["category", "cost_index"]
    at.segmented_control(key="rank_by").set_value("SLA breaches").run()
    ranked = next(d.value for d in at.dataframe if "cost_index" in d.value.columns)
    assert list(ranked.columns[:2]) == ["category", "n_breaches"]
    assert ranked["n_breaches"].is_monotonic_decreasing


def test_did_the_fix_work_waits_for_a_category_and_a_day(dashboard):
    at = rendered(dashboard, RECURRING)
    assert at.selectbox(key="fix_category").value is None and at.date_input(key="fix_date").value is None
    at.selectbox(key="fix_category").set_value("Password reset")
    at = rendered(at)
    assert "Per week before" not in metrics(at) and not at.success and not at.warning
    assert any(c.value.startswith("Choose the category a fix addressed") for c in at.caption)


def test_the_password_reset_fix_worked(dashboard, sample_anchor):
    at = rendered(dashboard, RECURRING)
    at.selectbox(key="fix_category").set_value("Password reset")
    at.date_input(key="fix_date").set_value(sample_anchor - timedelta(weeks=16))
    at = rendered(at)
    verdict = texts(at.success)
    assert "fell" in verdict and "unlikely by chance" in verdict
    # The sample's self-service reset, launched 16 weeks before its anchor, cut password resets to
    # about a third (servicelevel/sample.py); numbers, not their text ("138.0" < "47.6" as text).
    after, before = (float(metrics(at)[label].replace(",", "")) for label in ("Per week after", "Per week before"))
    assert after < 0.5 * before
    # The weeks behind the chart, to download, add up to the tiles: 12 whole weeks either side.
    weeks = frame_with(at, "side")
    assert weeks["week_start"].map(type).eq(date).all()  # a day, not a midnight
    by_side = weeks.groupby("side")["n_category"]
    assert by_side.size().to_dict() == {"before": 12, "fix week (left out)": 1, "after": 12}
    assert (round(by_side.mean()["before"], 1), round(by_side.mean()["after"], 1)) == (before, after)
    assert any("download-fix-password-reset-" in b.proto.id for b in at.get("download_button"))


def test_a_fix_dated_after_the_data_says_there_is_nothing_after_it_yet(dashboard, sample_anchor):
    at = rendered(dashboard, RECURRING)
    at.selectbox(key="fix_category").set_value("Password reset")
    at.date_input(key="fix_date").set_value(sample_anchor + timedelta(weeks=10))
    at = rendered(at)
    assert any("is after the last complete week of the data (09 Nov – 15 Nov 2026): there are no complete weeks "
               "after the fix to compare yet." in i.value for i in at.info)


def test_a_category_the_filters_leave_no_requests_of_names_the_fixs_week(dashboard, sample_anchor):
    dashboard.query_params["requester"] = "External"  # password resets are internal requests
    at = rendered(dashboard, RECURRING)
    at.selectbox(key="fix_category").set_value("Password reset")
    fix_day = sample_anchor - timedelta(weeks=16) + timedelta(days=2)  # a Wednesday
    at.date_input(key="fix_date").set_value(fix_day)
    at = rendered(at)
    monday = fix_day - timedelta(days=2)
    assert (f"No 'Password reset' requests in the 12 weeks either side of the fix's week ({monday:%d %b} – "
            f"{monday + timedelta(days=6):%d %b %Y}) for external requesters.") in texts(at.info)


def test_a_fix_in_the_last_complete_week_says_no_week_after_it_is_complete(dashboard, sample_anchor):
    at = rendered(dashboard, RECURRING)
    at.selectbox(key="fix_category").set_value("Password reset")
    at.date_input(key="fix_date").set_value(sample_anchor - timedelta(days=4))  # the Thursday of 2026-W46
    at = rendered(at)
    assert [i.value for i in at.info if "12 Nov 2026" in i.value] == [
        "12 Nov 2026 falls in the last complete week of the data (09 Nov – 15 Nov 2026): there are no complete weeks "
        "after the fix to compare yet."]
    assert "Per week before" not in metrics(at)  # no tiles of a comparison with nothing after


def answer_counts(path, start: datetime) -> tuple[int, int, float]:
    """Answers, satisfied answers and the sum of scores of the week from `start`, straight from the tables."""
    con = store.connect(path)
    try:
        return con.execute(
            """select count(*), count(*) filter (where f.score >= 4), sum(f.score)
               from feedback as f join requests as r
                 on r.source = f.request_source and r.request_id = f.request_id
               where f.submitted_at >= $start and f.submitted_at < $end""",
            {"start": start, "end": start + timedelta(days=7)},
        ).fetchall()[0]
    finally:
        con.close()


def answer_scores(path, start: datetime) -> list[float]:
    """Every score of the week from `start`, straight from the tables."""
    con = store.connect(path)
    try:
        return [score for (score,) in con.execute(
            """select f.score from feedback as f join requests as r
                 on r.source = f.request_source and r.request_id = f.request_id
               where f.submitted_at >= $start and f.submitted_at < $end""",
            {"start": start, "end": start + timedelta(days=7)}).fetchall()]
    finally:
        con.close()


def welch_p(before: list[float], now: list[float]) -> float:
    """The two-sided p of the change of mean, Welch's z read as a normal deviate, from the scores."""
    z = (statistics.fmean(now) - statistics.fmean(before)) / math.sqrt(
        statistics.variance(before) / len(before) + statistics.variance(now) / len(now))
    return math.erfc(abs(z) / math.sqrt(2))


def feedback_reference(path) -> dict[str, str]:
    """CSAT % and answers for 2026-W46, straight from the tables."""
    n, satisfied, _ = answer_counts(path, WEEK_START)
    return {"CSAT": f"{satisfied / n:.1%}", "Answers": f"{n:,}"}


def shown_to(places: int, value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def test_feedback_charts_spell_out_codes_as_the_tables_do(dashboard):
    at = rendered(dashboard, FEEDBACK)
    drawn = {chart_title(spec): frames for spec, frames in chart_data(at) if "title" in spec}
    provider_types = next(f for t, f in drawn.items() if "by provider type" in str(t))[0]["provider_type"]
    assert set(provider_types) <= {"in-house", "third-party", "independent"} and "in-house" in set(provider_types)


def test_feedback_bars_resting_on_few_answers_are_only_outlined(dashboard):
    # Every CSAT bar chart marks the rates its table calls "too few to trust", in the same way:
    # fill faint below the organisation's minimum count (30), an outline in the bar's colour.
    at = rendered(dashboard, FEEDBACK)
    marked = whiskered = 0
    for spec, frames in chart_data(at):
        title = chart_title(spec)
        if not title.startswith("CSAT %") or "by week" in title:
            continue
        bars = spec["layer"][0] if "layer" in spec else spec
        condition = bars["encoding"]["fillOpacity"]["condition"]
        count = "count" if "layer" not in spec else "n_answers"
        assert condition["test"] == f'datum["{count}"] >= 30' and bars["encoding"]["fillOpacity"]["value"] < 0.2
        assert bars["mark"]["strokeWidth"] > 0
        assert "outlined: fewer than 30 behind it" in title
        if "csat_low" in frames[0].columns:  # the bars' whiskers are said too
            assert "grey line: 95% interval" in title
            whiskered += 1
        marked += bool((frames[0][count] < 30).any())
    assert marked  # the sample has such bars (the small channels, most provider departments)
    assert whiskered >= 3  # by provider department and type, by requester department, what drives it


def test_the_tables_beside_the_drivers_charts_head_their_groups_briefly_and_keep_the_charts_title_as_help(dashboard):
    # Half the page wide: headed "Time to first response (business hours)", the group column took all
    # of it at 1024 pixels and hid CSAT %; "too few to trust" pushed the rate's check box out of view.
    at = rendered(dashboard, FEEDBACK)
    briefly = {"SLA met or breached": "SLA", "Time to first response (business hours)": "first response",
               "Reopened": "reopened", "Reassigned": "reassigned"}
    for title, header in briefly.items():
        table = next(df for df in at.dataframe if title in df.value.columns)
        assert list(table.value.columns[:3]) == [title, "csat", "too_few"]
        config = json.loads(table.proto.columns)
        assert (config[title]["label"], config[title]["help"]) == (header, title)
        assert config["too_few"]["label"] == "too few" and config["too_few"]["width"] <= 60
        assert "fewer than 30 answers" in config["too_few"]["help"]


def test_the_follow_up_queue_shows_who_should_act_beside_the_comment(dashboard):
    at = rendered(dashboard, FEEDBACK)
    queue = next(df for df in at.dataframe if "comment" in df.value.columns and "sla_outcome" in df.value.columns)
    shown = [c for c in queue.value.columns if c != "request_id"]  # hidden: the link column shows it
    assert shown[:7] == ["request", "submitted_at", "score", "comment", "provider_department", "agent", "sla_outcome"]


def test_feedback_tiles_equal_an_independent_query(dashboard, sample_db_path):
    at = rendered(dashboard, FEEDBACK)
    expected = feedback_reference(sample_db_path)
    shown = metrics(at)
    assert {k: shown[k] for k in expected} == expected
    # The goal under the value, as on the overview, with the answers it rests on.
    csat = float(shown["CSAT"].rstrip("%")) / 100
    csat_caption = f"goal 85.0% {'✓ met' if csat >= 0.85 else '✗ below goal'} · answers {expected['Answers']}"
    assert any(c.value.startswith(csat_caption) for c in at.caption)
    # Each tile's change from W45, as the overview's tiles give theirs; more answers is no news.
    n_now, satisfied_now, scores_now = answer_counts(sample_db_path, WEEK_START)
    n_before, satisfied_before, scores_before = answer_counts(sample_db_path, WEEK_START - timedelta(days=7))
    changes = {m.label: (m.delta, Metric.MetricColor.Name(m.proto.color)) for m in at.metric}
    csat_change = shown_to(1, 100 * satisfied_now / n_now) - shown_to(1, 100 * satisfied_before / n_before)
    mean_change = shown_to(2, scores_now / n_now) - shown_to(2, scores_before / n_before)
    # Coloured only beyond chance: CSAT by Fisher's exact test, the mean by Welch's test on the scores.
    csat_chance = fisher_two_sided(satisfied_now, n_now - satisfied_now,
                                   satisfied_before, n_before - satisfied_before) >= 0.05
    mean_chance = welch_p(answer_scores(sample_db_path, WEEK_START - timedelta(days=7)),
                          answer_scores(sample_db_path, WEEK_START)) >= 0.05
    assert changes["CSAT"] == (f"{csat_change:+.1f} pp",
                               "GRAY" if csat_chance else "GREEN" if csat_change > 0 else "RED")
    assert changes["Mean score (1-5)"] == (f"{mean_change:+.2f}",
                                           "GRAY" if mean_chance else "GREEN" if mean_change > 0 else "RED")
    assert (csat_caption + " · change could be chance" in [c.value for c in at.caption]) == csat_chance
    assert ("change could be chance" in [c.value for c in at.caption]) == mean_chance  # the mean's own caption
    assert csat_chance and mean_chance  # the sample's W46: +6.1 pp on 201 answers against 169 (p = 0.19)
    assert changes["Answers"] == (f"{n_now - n_before:+,}", "GRAY")
    assert "Answers submitted in the period, compared with the week before: 2026-W45 (02 Nov – 08 Nov 2026)." in [
        c.value for c in at.caption]
    conventions = frame_with(at, "convention")
    csat_shown, good_bad_shown, net_shown = conventions["value"]
    assert csat_shown == shown["CSAT"]  # the tile and the table say the same
    # Neutral answers left out can only raise the share; net subtracts the unhappy share, in points.
    assert float(good_bad_shown.rstrip("%")) >= float(csat_shown.rstrip("%"))
    assert net_shown.endswith(" points") and float(net_shown.split()[0]) <= float(csat_shown.rstrip("%"))
    queue = frame_with(at, "comment")
    assert (queue["score"] < 3).all() and queue["submitted_at"].is_monotonic_decreasing
    # The sample's Zendesk export has no provider type: the page says where in_house is assumed.
    assert any(c.value.startswith("Source zendesk has no provider type column") for c in at.caption)


def test_a_source_the_filters_leave_out_is_not_said_to_lack_anything(dashboard, sample_db_path):
    # The sample's Zendesk tickets are all external: internal requesters alone hold none of them, so
    # its missing provider type explains nothing on that view.
    con = store.connect(sample_db_path)
    try:
        assert con.execute("select count(*) from requests where source = 'zendesk' and requester_type = 'internal'"
                           ).fetchone()[0] == 0
    finally:
        con.close()
    dashboard.query_params["requester"] = "Internal"
    at = rendered(dashboard, FEEDBACK)
    assert not any("zendesk" in c.value for c in at.caption)
    assert any(df.value.columns[0] == "provider_type" for df in at.dataframe)  # the table it would sit under


def test_feedback_tiles_in_a_running_week_compare_rates_in_grey_and_no_count(dashboard):
    # 2026-W47: the sample's data ends on its Wednesday.
    dashboard.query_params["week"] = "2026-W47"
    at = rendered(dashboard, FEEDBACK)
    changes = {m.label: (m.delta, Metric.MetricColor.Name(m.proto.color)) for m in at.metric}
    assert changes["CSAT"][0] and changes["CSAT"][1] == "GRAY"
    assert not changes["Answers"][0]
    assert any(c.value.startswith("Answers submitted in the period so far, against the week before: 2026-W46")
               and c.value.endswith("the count of answers is not compared.") for c in at.caption)


def test_feedback_tiles_in_the_datas_first_week_compare_with_nothing(dashboard, sample_db_path):
    dashboard.query_params["week"] = first_week_code(sample_db_path)
    at = rendered(dashboard, FEEDBACK)
    # The sample's answers start that week too: a "+N answers" against an empty week would be no news.
    assert int(metrics(at)["Answers"].replace(",", "")) > 0
    assert not any(m.delta for m in at.metric)
    assert "The data starts in this period: there is no period before it to compare with." in texts(at.caption)


@pytest.mark.parametrize("page, number", [(RECURRING, "Repeat rate"), (FEEDBACK, "Answers")])
def test_a_filter_changes_the_numbers(dashboard, page, number):
    at = rendered(dashboard, page)
    everyone = metrics(at)[number]
    tables = [df.value.to_csv() for df in at.dataframe]
    at.multiselect(key="dept").select("Procurement")
    at = rendered(at)
    assert [df.value.to_csv() for df in at.dataframe] != tables
    if number == "Answers":
        assert int(metrics(at)[number].replace(",", "")) < int(everyone.replace(",", ""))
    else:
        assert metrics(at)[number] != everyone


@pytest.mark.parametrize("page", [RECURRING, FEEDBACK])
def test_an_empty_period_says_there_is_no_data(gap_dashboard, page):
    gap_dashboard.query_params["period"] = "Range"
    gap_dashboard.query_params["range"] = ["2026-03-23", "2026-03-29"]
    at = rendered(gap_dashboard, page)
    assert "no requests were created in 2026-W13 (23 Mar – 29 Mar 2026)" in texts(at.info)


def test_a_week_not_over_in_the_data_is_left_out_of_the_weekly_views(dashboard):
    # The sample's newest instant is Wed 18 Nov 2026, in W47 (16-22 Nov): the recent weeks a
    # W47 view tests and the sparklines it draws end with W46, the last whole week, as W46's own do.
    # Before, its 2 1/2 days counted as a whole week: every line fell at the end.
    views = {}
    for week in ("2026-W46", "2026-W47"):
        at = AppTest.from_file(dashboard._script_path, default_timeout=90)
        at.query_params["week"] = week
        views[week] = at = rendered(at, RECURRING)
        assert "Recent: 19 Oct – 15 Nov 2026" in texts(at.caption)
        assert "requests per week, 12 weeks to 15 Nov" in json.dumps(at.dataframe[0].proto.columns)
    left_out = "The week not over in the data (it ends on 18 Nov 2026) is left out."
    assert texts(views["2026-W47"].caption).count(left_out) == 2  # under the top categories and the test
    assert left_out not in texts(views["2026-W46"].caption)
    tested = [frame_with(views[week], "p_value") for week in ("2026-W46", "2026-W47")]
    assert tested[0].equals(tested[1])
    top = [frame_with(views[week], "share") for week in ("2026-W46", "2026-W47")]
    assert top[0]["n_requests"].sum() > top[1]["n_requests"].sum()  # the table itself counts the period
    lines = [t.set_index("category")["weekly"].map(tuple) for t in top]
    both = lines[0].index.intersection(lines[1].index)  # the table lists the categories of its period
    assert len(both) > 20 and lines[0][both].equals(lines[1][both])


@pytest.mark.parametrize("page", [FEEDBACK, "pages/departments.py"])
def test_a_rate_and_whether_to_trust_it_lead_their_table(dashboard, page):
    # Half a page wide, a table shows four or five columns before it scrolls: the flag saying a
    # rate rests on too few sat ninth or sixth, out of view.
    flagged = [list(df.value.columns) for df in rendered(dashboard, page).dataframe if "too_few" in df.value.columns]
    assert len(flagged) >= (7 if page == FEEDBACK else 2)
    for columns in flagged:
        rate = "csat" if page == FEEDBACK else "adherence"
        assert columns.index(rate) == 1 and columns.index("too_few") <= 3, columns


@pytest.mark.parametrize("page", [RECURRING, FEEDBACK])
def test_filters_that_exclude_everything_say_so(dashboard, page):
    # Finance's low-priority phone calls from external customers: 58 in the sample, none in W46.
    dashboard.query_params.update(requester="External", dept="Finance", priority="low", channel="phone")
    at = rendered(dashboard, page)
    assert "exclude all" in texts(at.info)
    assert sum("exclude all" in i.value and "survey answers" in i.value for i in at.info) <= 1  # said once
    # The sample's Jira export lacks reassignment counts (test_reopens), but with nothing shown nothing lacks them.
    assert "Source jira has no" not in texts(at.caption)


@pytest.fixture
def small_db(tmp_path):
    """A database with a few requests (and no survey) imported through the canonical preset."""
    path = tmp_path / "small.duckdb"
    con = store.connect(path)
    try:
        import_requests(con, tmp_path, [
            {"request_id": f"R{i}", "created_at": f"2026-03-{2 + i:02d}T14:00:00Z", "requester_id": "ann",
             "status": "resolved", "resolved_at": f"2026-03-{2 + i:02d}T16:00:00Z"}
            for i in range(14)
        ])
    finally:
        con.close()
    return path


def test_feedback_without_any_survey_says_so(dashboard, small_db, monkeypatch):
    monkeypatch.setenv("SERVICELEVEL_DB", str(small_db))
    at = rendered(dashboard, FEEDBACK)
    assert "No survey answers are loaded" in texts(at.info)


def test_feedback_from_a_survey_without_comments_says_so(dashboard, small_db, tmp_path, monkeypatch):
    con = store.connect(small_db)
    try:
        import_answers(con, tmp_path, [(f"R{i}", f"2026-03-{3 + i:02d} 10:00", "4", "") for i in range(10)])
    finally:
        con.close()
    monkeypatch.setenv("SERVICELEVEL_DB", str(small_db))
    at = rendered(dashboard, FEEDBACK)
    assert "have no comments" in texts(at.info)
    assert metrics(at)["CSAT"] == "100.0%"


def test_recurring_on_a_source_without_requester_ids_names_it(dashboard, tmp_path, monkeypatch):
    path = tmp_path / "anonymous.duckdb"
    con = store.connect(path)
    try:
        import_requests(con, tmp_path, [
            {"request_id": f"R{i}", "created_at": f"2026-03-{2 + i:02d}T14:00:00Z", "requester_id": ""}
            for i in range(14)
        ])
    finally:
        con.close()
    monkeypatch.setenv("SERVICELEVEL_DB", str(path))
    at = rendered(dashboard, RECURRING)
    assert "No requests with a requester id and a category" in texts(at.info)


def test_a_link_to_a_ranking_the_page_lacks_says_so_and_ranks_by_the_default(dashboard):
    dashboard.query_params["rank_by"] = "Loudest"
    at = rendered(dashboard, RECURRING)
    assert [w.value for w in at.warning] == [
        "The link asks for rank by 'Loudest', which is not one of its choices (Combined cost, Requests, Business "
        "hours, SLA breaches, Dissatisfied answers (1-2)): showing the page's default instead."
    ]
    assert at.segmented_control(key="rank_by").value == "Combined cost"


def test_weekly_csat_on_too_few_answers_is_flagged_with_each_weeks_count(dashboard, sample_db_path):
    # Legal's survey answers per São Paulo week of the 12 to W46, counted here: 1 to 7 a week,
    # every one under the 30 a rate is trusted on.
    con = store.connect(sample_db_path)
    try:
        counted = dict(con.execute(
            """select date_trunc('week', timezone('America/Sao_Paulo', f.submitted_at))::date, count(*)
               from feedback as f join requests as r
                 on r.source = f.request_source and r.request_id = f.request_id
               where f.score is not null and r.provider_department = 'Legal'
                 and timezone('America/Sao_Paulo', f.submitted_at) >= timestamp '2026-08-24'
                 and timezone('America/Sao_Paulo', f.submitted_at) < timestamp '2026-11-16'
               group by 1""").fetchall())
    finally:
        con.close()
    assert 0 < max(counted.values()) < 30
    dashboard.query_params["dept"] = "Legal"
    at = rendered(dashboard, "pages/feedback.py")
    charts = {chart_title(spec).split(" (")[0].split(" by week")[0]: (chart_title(spec), frames)
              for spec, frames in chart_data(at)}
    for name in ("CSAT %", "Mean score"):
        title, frames = charts[name]
        assert title.endswith("hollow: fewer than 30 survey answers")
        drawn = frames[0].set_index(pd.to_datetime(frames[0]["week_start"]).dt.date)["n_answers"]
        assert drawn[drawn > 0].to_dict() == counted
    # Fewer answers than 30 a week, so fewer comments too: each theme's weekly share is hollow.
    title, frames = next((t, f) for t, f in charts.values() if t.startswith("Themes by week"))
    assert title.endswith("hollow: fewer than 30 comments that week")
    assert (frames[0]["n_all_comments"] < 30).all()
    # All departments: 166 or more answers every week, nothing hollow.
    everyone = rendered(AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90), "pages/feedback.py")
    assert not any("hollow" in chart_title(spec) for spec, _ in chart_data(everyone))


def test_a_source_lacking_a_field_is_named_as_a_source(dashboard, sample_db_path):
    # The sample's Jira export has no reassignment counts, its Zendesk export no provider type.
    counted = reassignment_counts_by_source(sample_db_path)
    assert counted["jira"] == 0 < counted["zendesk"]
    captions = texts(rendered(dashboard, FEEDBACK).caption)
    assert "Source jira has no reassignment counts: its answers are counted as 'not recorded'." in captions
    assert "Source zendesk has no provider type column: those requests count as in-house in this chart." in captions
    assert any(chart_title(spec).startswith("CSAT % by provider type ") for spec, _ in chart_data(rendered(dashboard, FEEDBACK)))
    # External requesters alone are all Zendesk's: a chart of one in-house bar would be the default.
    external = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)
    external.query_params["requester"] = "External"
    external = rendered(external, FEEDBACK)
    assert "Provider type: source zendesk has no provider type column, so every request in this selection counts " \
        "as in-house: there is nothing to compare." in texts(external.caption)
    drawn = [chart_title(spec) for spec, _ in chart_data(external)]
    assert not any(title.startswith("CSAT % by provider type ") for title in drawn)
    assert any(title.startswith("CSAT % by provider department ") for title in drawn)


def test_csat_beside_sla_by_channel_lists_the_channels_in_the_charts_order(dashboard):
    # The table under the chart listed them by name (an outer merge sorts), the chart by answers.
    at = rendered(dashboard, FEEDBACK)
    _, frames = next((s, f) for s, f in chart_data(at) if chart_title(s).startswith("CSAT % and SLA adherence by"))
    drawn = list(dict.fromkeys(next(f for f in frames if "channel" in f.columns)["channel"]))
    listed = frame_with(at, "sla_adherence")["channel"].tolist()
    assert len(listed) > 2 and listed == drawn and listed != sorted(listed)


def test_problem_costs_count_the_answers_on_the_periods_requests_and_say_so(dashboard, sample_db_path):
    # W46's requests drew fewer answers (some come after the week) than W46 received (some about
    # older requests): both counted straight from the tables, the caption says which is which.
    con = store.connect(sample_db_path)
    try:
        on_requests = con.execute(
            """select count(*) from feedback as f join requests as r
                 on r.source = f.request_source and r.request_id = f.request_id
               where r.created_at >= $start and r.created_at < $end""",
            {"start": WEEK_START, "end": WEEK_END}).fetchone()[0]
    finally:
        con.close()
    received = answer_counts(sample_db_path, WEEK_START)[0]
    at = rendered(dashboard, RECURRING)
    assert frame_with(at, "cost_index")["n_answers"].sum() == on_requests != received
    assert any("Survey answers: those given on these requests, whenever given (the Feedback page counts the answers "
               "submitted in the period, whichever requests they are about)." in c.value for c in at.caption)


def test_a_breakdown_with_one_group_says_so_instead_of_drawing_one_bar(dashboard, sample_db_path):
    # Under one provider department, "CSAT % by provider department" was a single bar, as were
    # "by reopened" and "by reassigned" where no answered request had been reopened or reassigned.
    con = store.connect(sample_db_path)
    try:
        n_answers, n_reopened, n_reassigned = con.execute(
            """select count(*), count(*) filter (where r.reopen_count > 0),
                      count(*) filter (where r.reassignment_count > 0)
               from feedback as f join requests as r
                 on r.source = f.request_source and r.request_id = f.request_id
               where f.score is not null and r.provider_department = 'Sales'
                 and f.submitted_at >= $start and f.submitted_at < $end""",
            {"start": WEEK_START, "end": WEEK_END}).fetchone()
    finally:
        con.close()
    assert n_answers > 1 and n_reopened == n_reassigned == 0
    dashboard.query_params["dept"] = "Sales"
    at = rendered(dashboard, FEEDBACK)
    captions = texts(at.caption)
    for title, group in (("Provider department", "Sales"), ("Reopened", "not reopened"),
                         ("Reassigned", "not reassigned")):
        assert f'{title}: all {n_answers} answers in this selection fall under "{group}", so there is nothing ' \
            "to compare." in captions
        assert not any(chart_title(spec).startswith(f"CSAT % by {title.lower()}") for spec, _ in chart_data(at))
    # Where there are groups to compare, the chart stays.
    assert any(chart_title(spec).startswith("CSAT % by SLA met or breached") for spec, _ in chart_data(at))


def repeats_in_week(con, start: datetime) -> tuple[int, int]:
    """W-week requests with a requester and category, and those whose requester had another request
    in the same category and source up to 30 days before: a self-join, not the page's window."""
    return con.execute(
        """select count(*), count(*) filter (where exists (
                   select 1 from requests as e
                   where e.source = r.source and e.requester_id = r.requester_id and e.category = r.category
                     and e.request_id <> r.request_id and e.created_at <= r.created_at
                     and e.created_at >= r.created_at - interval 30 days))
           from requests as r
           where r.created_at >= $start and r.created_at < $end
             and r.requester_id is not null and r.category is not null""",
        {"start": start, "end": start + timedelta(days=7)}).fetchone()


def test_the_repeat_rate_tile_compares_with_the_period_before(dashboard, sample_db_path):
    # The tile stood alone, with no change and no definition behind it.
    con = store.connect(sample_db_path)
    try:
        judged, repeated = repeats_in_week(con, WEEK_START)
        judged_before, repeated_before = repeats_in_week(con, WEEK_START - timedelta(days=7))
    finally:
        con.close()
    at = rendered(dashboard, RECURRING)
    tile = next(m for m in at.metric if m.label == "Repeat rate")
    now, before = shown_to(1, 100 * repeated / judged), shown_to(1, 100 * repeated_before / judged_before)
    assert tile.value == f"{now}%" and tile.delta == f"{now - before:+.1f} pp"
    # Lower is better: a rise is bad news, unless two weeks alike could differ as much.
    p = fisher_two_sided(repeated, judged - repeated, repeated_before, judged_before - repeated_before)
    expected = "GRAY" if p >= 0.05 or now == before else ("RED" if now > before else "GREEN")
    assert Metric.MetricColor.Name(tile.proto.color) == expected
    basis = next(c.value for c in at.caption if "requests repeat an earlier one" in c.value)
    assert basis.startswith(f"{repeated} of {judged} requests repeat an earlier one")
    assert ("change could be chance" in basis) == (p >= 0.05)
    assert tile.proto.help.startswith("A request whose requester (same source) had another request")
    assert "Requests created in the period, compared with the week before: 2026-W45" in texts(at.caption)


def test_comment_themes_give_the_mean_score_of_their_answers_not_a_csat_their_polarity_decides(dashboard,
                                                                                               sample_db_path):
    # "CSAT % of these answers" read 100% for every positive theme and 0% for every negative one.
    con = store.connect(sample_db_path)
    try:
        expected = dict(con.execute(
            """select theme, round(avg(score), 2) from (select score, unnest(themes) as theme from answer_facts
                                                     where comment is not null
                                                       and submitted_at >= $start and submitted_at < $end)
               group by theme""", {"start": WEEK_START, "end": WEEK_END}).fetchall())
    finally:
        con.close()
    at = rendered(dashboard, FEEDBACK)
    themes = frame_with(at, "examples").set_index("label")
    assert "csat" not in themes.columns
    shown = themes["mean_score"].round(2)
    assert shown["Rude, cold or ignored"] == expected["disrespected"]
    assert shown["Solved, works now"] == expected["solved"]
    negative = shown[themes["polarity"] == "negative"]
    assert negative.nunique() > 1 and (negative < 4).all()  # telling the negative themes apart
