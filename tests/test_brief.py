"""The week in brief (weekly.brief): the sentences the overview and the weekly report open with,
on hand-made tiles and departments whose numbers are worked out here."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from servicelevel.filters import Period
from servicelevel.kpis import CHANCE_LEVEL, Tile, below_goal_text, below_though_shown_equal, fisher_exact_p
from servicelevel.weekly import Slipping, brief, standing

ZONE = "America/Sao_Paulo"
RECENT = Period(date(2026, 10, 19), date(2026, 11, 16), ZONE)
BASELINE = Period(date(2026, 8, 24), date(2026, 10, 19), ZONE)


def rate(label: str, value: float, goal: float | None, parts: tuple = (), too_small: bool = False) -> Tile:
    """A rate's tile; parts: its weeks' (met, decided), oldest first, its trend's ends pooled from
    them as the overview's tiles are (on 30 at least, as the sample's settings say)."""
    return Tile(key=label, label=label, value=value, previous=None, unit="rate", count=100, count_label="decided",
                goal=goal, too_small=too_small, series=tuple(met / n for met, n in parts), series_parts=parts,
                trend_min_count=30)


def volume() -> Tile:
    return Tile(key="volume", label="Volume", value=763.0, previous=675.0, unit="count", count=None,
                count_label="", higher_is_better=None, series=(809.0, 700.0, 763.0))


def departments(rows: list[tuple[str, int, int, float, int, int, float]]) -> Slipping:
    """(department, met now, breached now, goal now, met before, breached before)."""
    recent = pd.DataFrame([(d, m, b, g) for d, m, b, g, *_ in rows], columns=["group_value", "n_met", "n_breached", "goal"])
    compared = pd.DataFrame(
        [(d, m / (m + b), mb / (mb + bb), round(100 * m / (m + b), 1) - round(100 * mb / (mb + bb), 1),
          fisher_exact_p(m, b, mb, bb) >= CHANCE_LEVEL, m + b, b, mb + bb, bb) for d, m, b, _, mb, bb in rows],
        columns=["department", "adherence_now", "adherence_before", "change_pp", "could_be_chance",
                 "n_decided_now", "n_breached_now", "n_decided_before", "n_breached_before"],
    )
    return Slipping(RECENT, BASELINE, compared, standing=standing(recent))


def test_goals_met_missed_and_too_few_to_judge():
    tiles = (
        volume(),
        rate("First-response adherence", 0.881, 0.892, ()),
        rate("Resolution adherence", 0.860, 0.849, ()),
        rate("CSAT", 0.771, 0.85, (), too_small=True),
    )
    assert brief(tiles, None) == (
        "1 of 2 goals met this week; below goal: first-response adherence 88.1% (goal 89.2%); "
        "too few to judge: CSAT.",
    )
    assert brief(tiles[2:3], None) == ("1 of 1 goal met this week.",)


def test_a_rate_below_a_goal_it_shows_alike_is_told_apart():
    # 562 of 663 = 84.766% against 84.849%: both show 84.8%, under "✗ below goal".
    assert below_though_shown_equal(562 / 663, 0.84849) == ("84.77%", "84.85%")
    # 84.835% against 84.840%: alike to two decimals too (84.835 halves up to 84.84).
    assert below_though_shown_equal(0.84835, 0.8484) == ("84.835%", "84.840%")
    assert below_though_shown_equal(0.881, 0.892) is None  # 88.1% against 89.2% already differ
    assert below_though_shown_equal(0.8485, 0.8485) is None  # met
    assert below_goal_text(562 / 663, 0.84849) == "✗ below goal (84.77% against 84.85%)"
    assert below_goal_text(0.881, 0.892) == "✗ below goal"
    tiles = (rate("Resolution adherence", 562 / 663, 0.84849, ()),)
    assert brief(tiles, None) == ("0 of 1 goal met this week; below goal: resolution adherence 84.77% (goal 84.85%).",)


def test_a_week_not_over_in_the_data_is_no_verdict_yet():
    # Its running targets are decided later: the goals are met "so far".
    tiles = (replace(volume(), part_week=True), replace(rate("Resolution adherence", 0.860, 0.849, ()), part_week=True))
    assert brief(tiles, None) == ("1 of 1 goal met so far this week (not over in the data).",)


def test_a_rate_on_too_few_is_judged_when_even_its_interval_is_clear_of_the_goal():
    # 2 of 22 promises kept: 9.1 %, 95 % Wilson interval 2.5 % to 27.8 % (worked by hand), wholly
    # below a 90 % goal. 5 of 8 answers satisfied: 62.5 %, 30.6 % to 86.3 %, which holds 85 %.
    promises = Tile(key="promises_kept", label="Promises kept", value=2 / 22, previous=None, unit="rate", count=22,
                    count_label="due dates", goal=0.9, too_small=True, interval=(0.025, 0.278))
    csat = Tile(key="csat", label="CSAT", value=5 / 8, previous=None, unit="rate", count=8, count_label="answers",
                goal=0.85, too_small=True, interval=(0.306, 0.863))
    assert brief((promises, csat), None) == (
        "0 of 1 goal met this week; below goal: promises kept 9.1% (goal 90.0%, on only 22 due dates); "
        "too few to judge: CSAT.",
    )


def test_a_week_with_too_few_behind_every_goal_says_so():
    tiles = (rate("First-response adherence", 1.0, 0.9, (), too_small=True),
             rate("Resolution adherence", 0.944, 0.85, (), too_small=True))
    assert brief(tiles, None) == (
        "Too few this week to judge any goal (first-response adherence, resolution adherence).",
    )


def test_the_trend_sentence_names_rates_that_fell_or_rose_a_point_or_more_beyond_chance():
    tiles = (
        volume(),  # a count: not a rate, so not in the sentence
        # 3,600 of 4,000 (90.0%) in the first 4 of 8 weeks, 3,460 of 4,000 (86.5%) in the last 4:
        # -3.5 pp; two-sided Fisher p = 1.3e-6.
        rate("First-response adherence", 0.88, None, ((900, 1000), (920, 1000), (880, 1000), (900, 1000),
                                                      (850, 1000), (860, 1000), (870, 1000), (880, 1000))),
        # 3,600 of 4,000, then 3,610 of 4,000 (90.25%, shown 90.3%): +0.3 pp, left out.
        rate("Resolution adherence", 0.90, None, ((900, 1000),) * 4
             + ((910, 1000), (900, 1000), (900, 1000), (900, 1000))),
        # 560 of 800 (70.0%), then 600 of 800 (75.0%): +5.0 pp, p = 0.029.
        rate("CSAT", 0.75, None, ((140, 200),) * 4 + ((150, 200),) * 4),
        # 19 of 20 due dates in the first 4 weeks: fewer than 30, no end, left out.
        rate("Promises kept", 0.90, None, ((5, 5), (4, 5), (5, 5), (5, 5)) + ((36, 40),) * 4),
    )
    assert brief(tiles, None) == (
        "Over the 8 weeks (the first 4 weeks taken together against the last 4), fell: first-response adherence "
        "90.0% → 86.5%; rose: CSAT 70.0% → 75.0%.",
    )
    # The same +5.0 pp on a tenth of the answers, 56 of 80 then 60 of 80: p = 0.60, chance could make it.
    few = rate("CSAT", 0.75, None, ((14, 20),) * 4 + ((15, 20),) * 4)
    assert few.trend_could_be_chance and not few.trend_is_news
    steady = (rate("Resolution adherence", 0.904, None, ((90, 100), (904, 1000))), few)
    assert brief(steady, None) == ("Over the 8 weeks (the first 4 weeks taken together against the last 4), no rate "
                                   "moved by 1 point or more beyond what chance could make.",)


def test_a_trend_end_pools_its_weeks_and_rests_on_enough():
    # Adherence: 9 of 10 in the first week, then 50 of 100 three times: pooled, 159 of 310 (51.3%),
    # not the weeks' average 60.0% that one week of ten would pull up. The last 4: 240 of 400 (60.0%).
    adherence = rate("Resolution adherence", 0.6, None, ((9, 10), (50, 100), (50, 100), (50, 100))
                     + ((60, 100),) * 4)
    assert adherence.trend_text() == "51.3% → 60.0% (first 4 weeks against last 4 of 8)"
    assert brief((adherence,), None) == (
        "Over the 8 weeks (the first 4 weeks taken together against the last 4), rose: resolution adherence "
        "51.3% → 60.0%.",)
    # Three weeks: one at each end. CSAT's first week rests on 3 answers (2 satisfied), fewer than
    # 30: no end, so no trend, rather than a "rise" from 66.7%.
    csat = rate("CSAT", 0.78, None, ((2, 3), (40, 50), (39, 50)))
    assert csat.trend_ends is None and csat.trend_text() == "" and brief((csat,), None) == ()
    thirty = rate("CSAT", 0.78, None, ((20, 30), (40, 50), (39, 50)))
    assert thirty.trend_text() == "66.7% → 78.0% (first week against last of 3)"
    # One week: nothing to set against it.
    assert rate("CSAT", 0.78, None, ((39, 50),)).trend_ends is None


def test_departments_that_slipped_then_those_far_below_goal_and_not_both():
    slipping = departments([
        # 40/100 = 40.0% against 80/100 = 80.0%: slipped, and far below its goal too (named once).
        ("Procurement", 40, 60, 0.87, 80, 20),
        # 55/100 = 55.0% against 56/100: steady, but 32.0 points below its 87% goal.
        ("Legal", 55, 45, 0.87, 56, 44),
        # 84/100 against 85/100, goal 86%: 2 points below, within the 5 that count.
        ("Finance", 84, 16, 0.86, 85, 15),
    ])
    # Procurement is named where it slipped, with its goal; "Other" says the second line leaves it out.
    assert brief((), slipping) == (
        "Provider departments slipping (SLA adherence, the last 4 weeks against the 8 before): Procurement 40.0% "
        "against 80.0% (goal 87.0%).",
        "Other provider departments far below their SLA goal (SLA adherence, the last 4 weeks): Legal 55.0% "
        "(goal 87.0%).",
    )
    assert not slipping.all_clear


def test_a_department_far_below_its_goal_on_few_targets_says_how_few():
    # 8 of 14 = 57.1% against an 82.5% goal: 25 points below on 14 decided targets, fewer than 30;
    # steady against 9 of 15 before. Finance, on 100, gets no such words.
    slipping = departments([("Procurement", 8, 6, 0.825, 9, 6), ("Finance", 70, 30, 0.86, 71, 29)])
    assert brief((), slipping) == (
        "Provider departments far below their SLA goal (SLA adherence, the last 4 weeks): Procurement 57.1% (goal "
        "82.5%, on only 14 decided targets), Finance 70.0% (goal 86.0%).",  # furthest below first
    )


def test_no_department_to_look_at_is_said_and_is_good_news():
    slipping = departments([("Finance", 84, 16, 0.86, 85, 15), ("IT", 95, 5, 0.9, 94, 6)])
    assert brief((), slipping) == (
        "No provider department slipped, or stands 5 points or more below its SLA goal, over the last 4 "
        "weeks.",
    )
    assert slipping.all_clear


def test_one_departments_report_gives_its_own_numbers_uncoloured():
    slipping = departments([("Finance", 84, 16, 0.869, 85, 15)])
    assert brief((), slipping) == (
        # 84 of 100 against 85 of 100: two alike spans would differ as much (Fisher's p = 1).
        "SLA adherence of Finance as a provider department, last 4 weeks: 84.0% against 85.0% in the 8 before "
        "(-1.0 pp, could be chance), goal 86.9%.",
    )
    # 60 of 100 against 85 of 100 is no chance (p < 0.001): said without the flag.
    assert brief((), departments([("Finance", 60, 40, 0.869, 85, 15)]))[0] == (
        "SLA adherence of Finance as a provider department, last 4 weeks: 60.0% against 85.0% in the 8 before "
        "(-25.0 pp), goal 86.9%.")
    assert not slipping.all_clear


def test_the_gap_to_goal_is_taken_between_the_values_as_shown():
    # 2/3 = 66.67% shows 66.7%; a goal of 71.65% shows 71.7% (halves up): 5.0 points apart, so named.
    rows = pd.DataFrame([("Legal", 20, 10, 0.7165)], columns=["group_value", "n_met", "n_breached", "goal"])
    assert standing(rows)["gap_pp"].tolist() == [-5.0]
    # Fewer than 10 decided targets: not judged.
    few = pd.DataFrame([("Legal", 2, 1, 0.7165)], columns=["group_value", "n_met", "n_breached", "goal"])
    assert standing(few).empty
