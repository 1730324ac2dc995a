"""How tables present query results: hours instead of seconds, local times, readable labels."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pandas as pd
import pytest
import streamlit as st

from servicelevel.kpis import Tile, rate_goal_text, wilson_interval
from servicelevel.fields import mid_sentence
from servicelevel.ui.links import same_tab
from servicelevel.ui.widgets import column_label, csv_of, field_text, presented


def test_column_labels_read_as_words():
    assert column_label("n_decided_now") == "decided now"
    assert column_label("fr_goal") == "first response goal"
    assert column_label("res_breached") == "resolution breached"
    assert column_label("overrun_business_hours") == "overrun (business h)"
    assert column_label("median_frt_business_hours") == "median first response time (business h)"
    assert column_label("elapsed_calendar_hours") == "elapsed (calendar h)"
    assert column_label("csat") == "CSAT"
    assert column_label("is_stopped") == "stopped"


def test_codes_in_text_columns_read_as_words_and_other_text_is_left_alone():
    frame = pd.DataFrame({"metric": ["first_response", "resolution"], "provider_type": ["in_house", "third_party"],
                          "subject": ["first_response in_house", "printer"]})
    shown, _ = presented(frame)
    assert shown["metric"].tolist() == ["first response", "resolution"]
    assert shown["provider_type"].tolist() == ["in-house", "third-party"]
    assert shown["subject"].tolist() == ["first_response in_house", "printer"]  # only whole values


def test_durations_become_hours_and_instants_the_organisations_time():
    frame = pd.DataFrame({
        "request": ["request?source=jira&id=IT-1"],
        "request_id": ["IT-1"],
        "target_secs": [172800],
        "elapsed_business_secs": [5430],
        "deadline_at": [pd.Timestamp(datetime(2026, 11, 13, 18, 47, tzinfo=timezone.utc))],
        "adherence": [0.875],
    })
    shown, config = presented(frame)
    assert list(shown.columns) == ["request", "request_id", "target_hours", "elapsed_business_hours",
                                   "deadline_at", "adherence"]
    assert shown["target_hours"].tolist() == [48.0]
    assert shown["elapsed_business_hours"].tolist() == [1.5]  # 5430 s = 1 h 30 min 30 s
    # America/Sao_Paulo (data/organisation.toml) is UTC-3: 18:47 UTC is 15:47 there.
    local = shown["deadline_at"].iloc[0]
    assert (local.hour, local.minute, local.utcoffset().total_seconds()) == (15, 47, -3 * 3600)
    assert config["request_id"] is None  # the link column shows the id already
    assert config["deadline_at"]["width"] == 140  # a whole "YYYY-MM-DD HH:mm", not cut to fit the header
    # Percentages in points to one decimal, whatever decimals the fraction has.
    assert shown["adherence"].tolist() == [87.5] and config["adherence"]["type_config"]["format"] == "%.1f%%"
    assert config["target_hours"]["label"] == "target (h)"
    # An around-the-clock policy's "business h" are every hour: the header says so on hover.
    assert config["elapsed_business_hours"]["label"] == "elapsed (business h)"
    assert "every hour for a 24x7 policy" in config["elapsed_business_hours"]["help"]
    assert config["target_hours"]["help"] is None


def test_a_goal_column_says_how_a_goal_nobody_typed_comes_about():
    _, config = presented(pd.DataFrame({"sla_goal": [0.8928], "adherence": [0.9]}))
    assert "average of the decided targets' own goals" in config["sla_goal"]["help"]
    assert config["adherence"]["help"] is None
    # Relabelled by a page, it still says so; a help of the page's own wins.
    _, config = presented(pd.DataFrame({"sla_goal": [0.8928], "goal": [0.9]}), {
        "sla_goal": st.column_config.NumberColumn("SLA goal", format="percent"),
        "goal": st.column_config.NumberColumn("goal", help="The policy's own goal.")})
    assert config["sla_goal"]["label"] == "SLA goal"
    assert "average of the decided targets' own goals" in config["sla_goal"]["help"]
    assert config["goal"]["help"] == "The policy's own goal."


def test_counts_get_thousands_separators_and_ids_and_lines_do_not():
    _, config = presented(pd.DataFrame({"n_requests": [23776], "import_id": [12], "line": [10432], "subject": ["x"]}))
    assert config["n_requests"]["type_config"]["format"] == "localized"
    assert "format" not in (config["import_id"].get("type_config") or {})
    assert "format" not in (config["line"].get("type_config") or {})


def test_a_progress_bar_in_percent_keeps_its_bounds_with_its_values():
    shown, config = presented(pd.DataFrame({"cost_index": [0.141, 0.037]}), {
        "cost_index": st.column_config.ProgressColumn("combined cost", format="percent", min_value=0, max_value=1)})
    assert shown["cost_index"].round(6).tolist() == [14.1, 3.7]
    bar = config["cost_index"]["type_config"]
    assert (bar["min_value"], bar["max_value"], bar["format"]) == (0, 100, "%.1f%%")  # 14.1 % fills 14.1 % of it


def test_the_first_column_naming_the_row_is_pinned():
    _, config = presented(pd.DataFrame({"provider_department": ["IT"], "adherence": [0.9]}))
    assert config["provider_department"]["pinned"] is True and config["adherence"]["pinned"] is None
    _, config = presented(pd.DataFrame({"n_answers": [3], "channel": ["email"]}))
    assert config["n_answers"]["pinned"] is None  # a number first: nothing to keep in view


def test_a_page_setting_wins_over_the_presented_default():
    _, config = presented(pd.DataFrame({"share": [0.5]}), {"share": {"label": "share of comments"}})
    assert config["share"] == {"label": "share of comments"}


def test_empty_fields_read_as_nothing():
    assert [field_text(v) for v in (None, float("nan"), pd.NA, "", "Finance")] == ["", "", "", "", "Finance"]
    assert field_text(None, "no priority") == "no priority"


def test_headings_inside_sentences_keep_their_acronyms():
    assert mid_sentence("Provider department") == "provider department"
    assert mid_sentence("SLA met or breached") == "SLA met or breached"


def test_the_download_carries_ids_not_page_links():
    frame = pd.DataFrame({"request": ["request?source=jira&id=IT-1"], "source": ["jira"], "request_id": ["IT-1"],
                          "target_hours": [48.0]})
    assert csv_of(frame).decode("utf-8").splitlines() == ["source,request id,target (h)", "jira,IT-1,48.0"]


def test_the_download_rounds_numbers_as_the_table_shows_them():
    frame = pd.DataFrame({"change_pp": [5.0522648083623665], "p_value": [1.0399369423999018e-13],
                          "mean_score": [4.188937836514929]})
    config = {"change_pp": st.column_config.NumberColumn("change (pp)", format="%+.1f"),
              "p_value": st.column_config.NumberColumn("p-value", format="%.2g")}
    shown, config = presented(frame, config)
    assert csv_of(shown, config).decode("utf-8").splitlines() == ["change (pp),p-value,mean score", "5.1,1e-13,4.19"]


def test_halves_round_up_alike_in_the_table_its_download_and_a_tile():
    # 3,420 s is 0.95 h and 69/80 is 86.25 %: halves, which Python's format() and pandas' round()
    # take down or to even (0.9, 86.2) and the browser up. 4.0547 had no format and showed unrounded.
    frame = pd.DataFrame({"median_secs": [3420.0], "goal": [69 / 80], "mean_score": [4.0547]})
    shown, config = presented(frame)
    assert shown.iloc[0].tolist() == [1.0, 86.3, 4.05]  # what the browser is given to format
    assert [config[c]["type_config"]["format"] for c in shown.columns] == ["%.1f", "%.1f%%", "%.2f"]
    assert csv_of(shown, config).decode("utf-8").splitlines()[1] == "1.0,86.3,4.05"
    hours = Tile(key="k", label="k", value=0.95, previous=None, unit="business_hours", count=None, count_label="")
    rate = Tile(key="k", label="k", value=69 / 80, previous=None, unit="rate", count=None, count_label="")
    assert (hours.format_value(), rate.format_value()) == ("1.0 h", "86.3%")


def test_the_download_reads_as_the_table_does():
    # 11:30 UTC is 08:30 in Sao Paulo (UTC-3, no daylight saving since 2019).
    frame = pd.DataFrame({
        "provider_department": ["Procurement", "Legal"],
        "fr_met_rate": [0.934, None],
        "created_at": pd.to_datetime(["2026-03-02 11:30:45.123456+00:00", None], utc=True),
    })
    shown, config = presented(frame)
    assert csv_of(shown, config).decode("utf-8").splitlines() == [
        "provider department,first response met rate (%),created at (America/Sao_Paulo)",
        "Procurement,93.4,2026-03-02 08:30",
        "Legal,,",
    ]
    # A page's own label wins, and a label that already says percent is not said twice.
    own = {"fr_met_rate": st.column_config.NumberColumn("met %", format="percent")}
    shown, config = presented(frame, own)
    assert csv_of(shown, config).decode("utf-8").splitlines()[0].split(",")[1] == "met %"


@pytest.mark.parametrize("unit, value, previous, shown, unchanged", [
    ("business_hours", 1.23, 1.21, "no change", True),  # 0.02 h apart: no "+0.0 h", and grey
    ("business_hours", 1.30, 1.21, "+0.1 h", False),
    # Shown 2.2 h against 2.3 h the week before: -0.1 h, though only 0.017 h apart.
    ("business_hours", 2.233, 2.25, "-0.1 h", False),
    ("rate", 0.7548, 0.8084, "-5.3 pp", False),  # 75.5% against 80.8%, not the exact -5.36
    ("rate", 0.9, 0.9001, "no change", True),  # not "-0.0 pp"
    ("rate", 0.905, 0.9, "+0.5 pp", False),
    ("count", 120, 120, "no change", True),
    ("count", 110, 120, "-10", False),
])
def test_a_change_that_shows_as_zero_is_no_change(unit, value, previous, shown, unchanged):
    tile = Tile(key="k", label="k", value=value, previous=previous, unit=unit, count=None, count_label="")
    assert (tile.format_delta(), tile.shows_no_change) == (shown, unchanged)


@pytest.mark.parametrize("too_small, previous_too_small, news", [
    (False, False, True), (True, False, False), (False, True, False),
])
def test_a_change_resting_on_too_few_in_either_week_is_not_coloured_as_news(too_small, previous_too_small, news):
    # CSAT on 8 answers against 3 the week before: -4.2 pp is shown, but grey, not red.
    tile = Tile(key="csat", label="CSAT", value=0.75, previous=0.792, unit="rate", count=8, count_label="answers",
                too_small=too_small, previous_too_small=previous_too_small)
    assert tile.format_delta() == "-4.2 pp" and tile.change_is_news == news
    # Grey because of the week before alone: the caption says so (this week's too few is said already).
    assert tile.change_said() == ("change from too few before" if previous_too_small and not too_small else "")


def test_a_change_from_a_period_on_too_few_says_how_few():
    # Procurement's reopen rate: 2 of 35 resolved, against 0 of 12 the period before: +5.7 pp, grey.
    tile = Tile(key="reopen_rate", label="Reopen rate", value=2 / 35, previous=0.0, unit="rate", count=35,
                count_label="resolved", higher_is_better=False, previous_too_small=True,
                change_parts=((0, 12), (2, 35)))
    assert tile.format_delta() == "+5.7 pp" and not tile.change_is_news
    assert tile.caption() == "resolved 35 · change from only 12 before"
    assert replace(tile, previous=2 / 35).change_said() == ""  # no change: nothing to explain


@pytest.mark.parametrize("met_before, met_now, decided, news", [
    # A department's resolution targets: 33 of 38 met, then 30 of 38 (86.8% -> 78.9%, -7.9 pp).
    # Fisher's exact test gives p = 0.54 (tests/independent_counts.fisher_two_sided): two weeks alike
    # would differ as much half the time, so the change is grey, and the caption says why.
    (33, 30, 38, False),
    # The same rates on ten times the targets (330 and 300 of 380): p = 0.005, news.
    (330, 300, 380, True),
])
def test_a_rate_change_chance_could_make_is_not_coloured_as_news(met_before, met_now, decided, news):
    tile = Tile(key="res_adherence", label="Resolution adherence", value=met_now / decided,
                previous=met_before / decided, unit="rate", count=decided, count_label="decided",
                change_parts=((met_before, decided), (met_now, decided)))
    assert tile.format_delta() == "-7.9 pp" and tile.change_is_news == news
    assert tile.caption() == f"decided {decided}" + ("" if news else " · change could be chance")
    # Grey for another reason (part of a week), the caption does not put it on chance.
    assert replace(tile, part_week=True).change_said() == ""


def test_the_reports_trend_says_when_chance_could_make_it():
    # CSAT's two ends: 634 of 823 answers (77.0%) and 588 of 807 (72.9%), a fall of 4.2 points that
    # Fisher's exact test puts at p = 0.052: drawn, but no "worsening trend" in the report either.
    parts = ((160, 206), (158, 206), (158, 206), (158, 205)) + ((150, 200),) * 4 + (
        (147, 202), (147, 202), (147, 202), (147, 201))
    tile = Tile(key="csat", label="CSAT", value=147 / 201, previous=147 / 202, unit="rate", count=201,
                count_label="answers", series=tuple(m / n for m, n in parts), series_parts=parts)
    assert not tile.trend_is_news and tile.trend_said() == ""
    assert tile.trend_said(always=True) == f"trend could be chance: 77.0% → 72.9% {TREND_WINDOW}"


TREND_WINDOW = "(first 4 weeks against last 4 of 12)"


@pytest.mark.parametrize("first_met, news, trend_said", [
    # Every week on 1,000 decided targets: the first 4 at first_met, then 900 met a week, then
    # 514 and 587. The last 4 weeks: 2,901 of 4,000 (72.5%).
    # +7.3 pp this week on a line that fell 9.3 pp (81.8% -> 72.5%): grey, and why.
    (818, False, f"· counter to a worsening trend 81.8% → 72.5% {TREND_WINDOW}"),
    # The same rise on a line that rose: news, and the rise over the window said as the brief says it.
    (400, True, f"· improving trend 40.0% → 72.5% {TREND_WINDOW}"),
    # A trend that fell by less (-3.5 pp) than this week rose: the week is news; the fall is a point or
    # more, and more than chance could make (two-sided Fisher p = 0.0004 on 3,040 and 2,901 of 4,000).
    (760, True, f"· worsening trend 76.0% → 72.5% {TREND_WINDOW}"),
    # A fall of 1.5 points (2,960 then 2,901 of 4,000) is one chance could make (p = 0.14): not said.
    (740, True, ""),
    # A line that moved less than a point over the window (-0.5 pp): no trend in the small print.
    (730, True, ""),
])
def test_a_change_against_a_larger_move_over_the_trend_window_is_not_coloured(first_met, news, trend_said):
    parts = ((first_met, 1000),) * 4 + ((900, 1000),) * 6 + ((514, 1000), (587, 1000))
    tile = Tile(key="fr_adherence", label="First-response adherence", value=0.587, previous=0.514, unit="rate",
                count=1000, count_label="decided", series=tuple(m / n for m, n in parts), series_parts=parts,
                trend_min_count=30)
    assert tile.format_delta() == "+7.3 pp" and tile.change_is_news == news
    assert tile.caption().endswith(trend_said) and ("trend" in tile.caption()) == bool(trend_said)


def test_a_change_against_the_trend_that_chance_could_make_says_both():
    # A department's 38 targets a week: the first 4 weeks 36 met each (144 of 152, 94.7%), then 34, then
    # 30 and 33 (the last 4: 131 of 152, 86.2%): -8.6 pp over the window, more than chance could make
    # (Fisher p = 0.018, tests/independent_counts.fisher_two_sided), against this week's +7.9 pp, which
    # chance could make (30 of 38 against 33: p = 0.54). Said against the trend alone, the rise read
    # as a turnaround on the overview while the SLA page, with no trend, called it chance.
    parts = ((36, 38),) * 4 + ((34, 38),) * 6 + ((30, 38), (33, 38))
    tile = Tile(key="res_adherence", label="Resolution adherence", value=33 / 38, previous=30 / 38, unit="rate",
                count=38, count_label="decided", series=tuple(m / n for m, n in parts), series_parts=parts,
                trend_min_count=30, change_parts=((30, 38), (33, 38)))
    assert tile.format_delta() == "+7.9 pp" and tile.against_trend and not tile.change_is_news
    assert tile.caption() == ("decided 38 · change could be chance · counter to a worsening trend 94.7% → 86.2% "
                              f"{TREND_WINDOW}")


def test_a_rate_trend_of_less_than_a_point_is_nothing_to_go_against():
    # The first 4 weeks at 873 of 1,000 (87.3%), the last 4 at 3,516 of 4,000 (87.9%): +0.6 pp over
    # the window; this week -0.2 pp. Before, "against an improving trend 87.3% → 87.9%" and grey.
    parts = ((873, 1000),) * 4 + ((880, 1000),) * 4 + ((878, 1000), (880, 1000), (880, 1000), (878, 1000))
    tile = Tile(key="fr_adherence", label="First-response adherence", value=0.878, previous=0.880, unit="rate",
                count=1000, count_label="decided", series=tuple(m / n for m, n in parts), series_parts=parts)
    assert tile.trend_text() == f"87.3% → 87.9% {TREND_WINDOW}" and tile.format_delta() == "-0.2 pp"
    assert not tile.against_trend and tile.change_is_news and tile.caption() == "decided 1,000"
    # The report's tile gives the trend whatever its size, and as what it is: under a point, steady.
    assert tile.trend_said(always=True) == f"steady trend 87.3% → 87.9% {TREND_WINDOW}"


def test_no_change_this_week_on_a_line_that_fell_says_the_fall():
    # 88.1% both weeks, the first 4 weeks at 90.5% and the last 4 at 3,540 of 4,000 (88.5%): "no
    # change", and the -2.0 pp the brief names.
    parts = ((905, 1000),) * 4 + ((890, 1000),) * 4 + ((890, 1000), (888, 1000), (881, 1000), (881, 1000))
    tile = Tile(key="fr_adherence", label="First-response adherence", value=0.881, previous=0.881, unit="rate",
                count=1000, count_label="decided", series=tuple(m / n for m, n in parts), series_parts=parts)
    assert tile.format_delta() == "no change"
    assert tile.caption() == f"decided 1,000 · worsening trend 90.5% → 88.5% {TREND_WINDOW}"


def test_a_count_trend_sets_the_average_weeks_against_each_other():
    # A backlog of 100, 110, 120 and 130 in the first 4 weeks (115 on average) and 200, 210, 240
    # and 230 in the last 4 (220): it rose by 105 over the 8 weeks, against this week's fall of 10.
    tile = Tile(key="backlog", label="Backlog at week end", value=230.0, previous=240.0, unit="count", count=None,
                count_label="", higher_is_better=False,
                series=(100.0, 110.0, 120.0, 130.0, 200.0, 210.0, 240.0, 230.0))
    assert tile.trend_text() == "115 → 220 (first 4 weeks against last 4 of 8)"
    assert tile.against_trend and not tile.change_is_news
    # A rising backlog is bad news, and "115 → 220" alone does not say so.
    assert tile.caption() == "counter to a worsening trend 115 → 220 (first 4 weeks against last 4 of 8)"


def test_a_falling_backlog_is_an_improving_trend():
    # The same weeks the other way round: the backlog fell from 220 to 115 on average, and this
    # week rose by 10, against it (the last 4: 130, 120, 110 and 120).
    tile = Tile(key="backlog", label="Backlog at week end", value=120.0, previous=110.0, unit="count", count=None,
                count_label="", higher_is_better=False,
                series=(230.0, 240.0, 210.0, 200.0, 130.0, 120.0, 110.0, 120.0))
    assert tile.trend_text() == "220 → 120 (first 4 weeks against last 4 of 8)"
    assert tile.caption() == "counter to an improving trend 220 → 120 (first 4 weeks against last 4 of 8)"


@pytest.mark.parametrize("series, said", [
    # Procurement's backlog in the sample's shape: 50, 52, 54, 56 (53 on average) in the first 4 weeks,
    # 100, 105, 110, 121 (109) in the last 4. This week's +11 goes with the trend, which was unsaid.
    ((50.0, 52.0, 54.0, 56.0, 60.0, 70.0, 80.0, 90.0, 100.0, 105.0, 110.0, 121.0),
     "worsening trend 53 → 109 (first 4 weeks against last 4 of 12)"),
    # 100 → 119 on average (100, 101, 99, 100 against 118, 119, 119, 120): 19 %, under a fifth.
    ((100.0, 101.0, 99.0, 100.0, 105.0, 110.0, 115.0, 118.0, 118.0, 119.0, 119.0, 120.0), ""),
    # 100 → 120: a fifth exactly (the last 4: 119, 121, 120, 120).
    ((100.0, 101.0, 99.0, 100.0, 105.0, 110.0, 115.0, 118.0, 119.0, 121.0, 120.0, 120.0),
     "worsening trend 100 → 120 (first 4 weeks against last 4 of 12)"),
])
def test_a_count_that_moved_a_fifth_or_more_over_the_window_names_its_trend(series, said):
    tile = Tile(key="backlog", label="Backlog at week end", value=series[-1], previous=series[-2], unit="count",
                count=None, count_label="", higher_is_better=False, series=series)
    assert not tile.against_trend
    assert tile.trend_said() == said
    assert tile.caption() == said


def test_a_time_and_a_volume_that_moved_a_fifth_name_their_trend_without_a_verdict_for_volume():
    # Median first response 1.8 h on average in the first 4 weeks, 4.7 h in the last 4.
    hours = (1.6, 1.8, 2.0, 1.8, 2.5, 3.0, 3.5, 4.0, 4.4, 4.6, 4.8, 5.0)
    frt = Tile(key="frt", label="Median first response", value=5.0, previous=4.8, unit="business_hours", count=300,
               count_label="first responses", higher_is_better=False, series=hours)
    assert frt.trend_said() == "worsening trend 1.8 h → 4.7 h (first 4 weeks against last 4 of 12)"
    # More requests are neither good nor bad: the trend without a word on it.
    volume = Tile(key="volume", label="Volume", value=420.0, previous=400.0, unit="count", count=None,
                  count_label="", higher_is_better=None,
                  series=(300.0, 310.0, 290.0, 300.0, 320.0, 340.0, 360.0, 380.0, 390.0, 400.0, 400.0, 420.0))
    assert volume.trend_said() == "trend 300 → 403 (first 4 weeks against last 4 of 12)"


@pytest.mark.parametrize("met, decided, goal, said", [
    (10, 12, 0.85, "goal 85.0% · too few to judge"),  # 83.3%, 95% interval 55%-95%: either side of 85%
    (11, 12, 0.85, "goal 85.0% · too few to judge"),  # 91.7% looks met, but the interval reaches 65%
    (2, 22, 0.90, "goal 90.0% ✗ below goal"),  # 9.1%, 3%-28%: below 90% however few
    (50, 60, 0.85, "goal 85.0% ✗ below goal"),  # enough to judge
    (5, 8, 0.85, "goal 85.0% · too few to judge"),  # 62.5%, 31%-86%: a department's CSAT on 8 answers
    (27, 29, 0.869, "goal 86.9% · too few to judge"),  # 93.1%, 78%-98%: its adherence as requester
    (30, 30, 0.85, "goal 85.0% ✓ met"),  # 30 is enough
])
def test_a_goal_is_judged_on_a_tile_only_where_the_brief_judges_it(met, decided, goal, said):
    tile = Tile(key="csat", label="CSAT", value=met / decided, previous=None, unit="rate", count=decided,
                count_label="answers", goal=goal, interval=wilson_interval(met, decided), too_small=decided < 30)
    assert tile.goal_text() == said
    # The SLA, departments and feedback pages judge a rate against its goal with the same words.
    assert rate_goal_text(met, decided, goal, 30) == said
    noted = said.replace("goal ", "", 1).split(" ", 1)
    assert rate_goal_text(met, decided, goal, 30, "policy average") == f"goal {noted[0]} (policy average) {noted[1]}"


def test_a_caption_says_too_few_once():
    def caption(met, decided):
        return Tile(key="csat", label="CSAT", value=met / decided, previous=None, unit="rate", count=decided,
                    count_label="answers", goal=0.85, interval=wilson_interval(met, decided),
                    too_small=decided < 30).caption()
    # 10 of 12: the goal is left open, and the interval (55%-95%, worked by hand) says why.
    assert caption(10, 12) == "goal 85.0% · too few to judge · answers 12 · 95% interval 55%–95%"
    # 2 of 22 is below the goal however few; that the value itself rests on few is still news.
    assert caption(2, 22) == "goal 85.0% ✗ below goal · answers 22 · too few to trust: 95% interval 3%–28%"
    assert caption(30, 30) == "goal 85.0% ✓ met · answers 30"


def test_changes_in_a_week_not_over_are_shown_but_not_coloured_as_news():
    tile = Tile(key="fr_adherence", label="First-response adherence", value=0.95, previous=0.88, unit="rate",
                count=424, count_label="decided", part_week=True)
    assert tile.format_delta() == "+7.0 pp" and not tile.change_is_news
    # Its goal is met so far: the targets still running are decided later.
    assert replace(tile, goal=0.9).goal_text() == "goal 90.0% ✓ met so far"
    assert replace(tile, goal=0.96).goal_text() == "goal 96.0% ✗ below goal so far"
    assert replace(tile, goal=0.9, part_week=False).goal_text() == "goal 90.0% ✓ met"


def test_the_download_leaves_out_what_the_table_hides_and_writes_counts_as_whole_numbers():
    # A sum over groups comes back decimal (3.0 answers); sum_score is there only to average with.
    frame = pd.DataFrame({"channel": ["email", "chat"], "n_answers": [3.0, 12.0], "sum_score": [11.5, 50.0],
                          "n_dissatisfied": [0.0, None]})
    shown, config = presented(frame, {"sum_score": None})
    assert csv_of(shown, config).decode("utf-8").splitlines() == [
        "channel,answers,dissatisfied", "email,3,0", "chat,12,"]
    assert frame["n_answers"].dtype == "float64"  # the caller's frame is left as it was


def test_a_number_shown_without_decimals_is_downloaded_without_them():
    frame = pd.DataFrame({"extra_requests": [83.4, -2.5], "business_hours": [427.6, None]})
    config = {"extra_requests": st.column_config.NumberColumn("extra requests", format="%+.0f"),
              "business_hours": st.column_config.NumberColumn("business hours", format="%.0f")}
    shown, config = presented(frame, config)
    # Halves up, as the table shows them: -2.5 is -2 (up), not -3.
    assert csv_of(shown, config).decode("utf-8").splitlines() == [
        "extra requests,business hours", "83,428", "-2,"]


def test_a_link_to_another_page_opens_in_the_same_tab_with_its_text_escaped():
    # A department's name is data: shown as HTML, "<b>" would be markup and "&" an entity's start.
    assert same_tab("R&D's <b>breaches</b>", "sla?dept=R%26D&week=2026-W46") == (
        '<a href="sla?dept=R%26D&amp;week=2026-W46" target="_self">R&amp;D&#x27;s &lt;b&gt;breaches&lt;/b&gt;</a>')
