"""Departments that slipped: the last four weeks against the eight before, on the bundled sample
(where Procurement slows down five weeks before the anchor) and on counts worked out by hand."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from datetime import date, datetime, timezone

import pandas as pd
import pytest

from servicelevel import queries, report, store, weekly
from servicelevel.datainfo import data_info
from servicelevel.filters import Filters, Period, Selection, parse_iso_week
from servicelevel.settings import organisation
from tests.independent_counts import decided_targets, fisher_two_sided

WEEK = "2026-W46"  # 9-15 November 2026, the sample's last complete week
ZONE = "America/Sao_Paulo"  # UTC-3 all year: local midnight is 03:00 UTC


@pytest.fixture
def con(sample_db_path):
    connection = store.connect(sample_db_path)
    yield connection
    connection.close()


def slipping_for(con, filters: Filters = Filters()) -> weekly.Slipping:
    org = organisation()
    week = parse_iso_week(WEEK, org.timezone)
    selection = Selection(week, filters, data_info(con).as_of(datetime.now(timezone.utc)))
    return weekly.slipping(lambda name, params: queries.run(con, name, params), selection, week)


def decided(con, department: str, start: date, end: date) -> tuple[int, int]:
    """(met, breached) targets of both metrics decided in [start, end), straight from request_sla."""
    return decided_targets(con, department, start, end).get(None, (0, 0))


def test_the_spans_are_the_four_weeks_ending_with_the_week_and_the_eight_before(con):
    slipping = slipping_for(con)
    # W46 ends on Sunday 15 November; four weeks back is Monday 19 October, eight more 24 August.
    assert (slipping.recent.start, slipping.recent.end) == (date(2026, 10, 19), date(2026, 11, 16))
    assert (slipping.baseline.start, slipping.baseline.end) == (date(2026, 8, 24), date(2026, 10, 19))
    assert "19 Oct 2026 – 15 Nov 2026" in slipping.note() and "24 Aug 2026 – 18 Oct 2026" in slipping.note()


def test_the_sample_slipping_department_leads_with_counts_an_independent_query_gives(con):
    slipping = slipping_for(con)
    top = slipping.departments.iloc[0]
    assert top["department"] == "Procurement"  # sample.SLIPPING_DEPARTMENT
    met_now, breached_now = decided(con, "Procurement", date(2026, 10, 19), date(2026, 11, 16))
    met_before, breached_before = decided(con, "Procurement", date(2026, 8, 24), date(2026, 10, 19))
    assert (top["n_decided_now"], top["n_breached_now"]) == (met_now + breached_now, breached_now)
    assert (top["n_decided_before"], top["n_breached_before"]) == (met_before + breached_before, breached_before)
    shown_now = round(100 * met_now / (met_now + breached_now), 1)
    shown_before = round(100 * met_before / (met_before + breached_before), 1)
    assert top["change_pp"] == pytest.approx(shown_now - shown_before)
    # The sample's slip (responses and resolutions 2.8 times slower) costs well over 20 points.
    assert top["change_pp"] < -20
    # A department that keeps its pace is compared but not listed.
    assert "IT" in set(slipping.compared["department"]) - set(slipping.departments["department"])


def test_a_department_report_says_whether_it_slipped(con):
    procurement = slipping_for(con, Filters(provider_departments=("Procurement",)))
    assert procurement.verdict() == "Procurement fell by 5 points or more."
    it = slipping_for(con, Filters(provider_departments=("IT",)))
    assert it.departments.empty and len(it.compared) == 1
    selection = Selection(parse_iso_week(WEEK, ZONE), Filters(provider_departments=("IT",)),
                          data_info(con).as_of(datetime.now(timezone.utc)))
    text = report.generate(con, selection, organisation(), "md").decode("utf-8")
    # The same numbers from an independent count, as the page and the report give them.
    met_now, breached_now = decided(con, "IT", date(2026, 10, 19), date(2026, 11, 16))
    met_before, breached_before = decided(con, "IT", date(2026, 8, 24), date(2026, 10, 19))
    now = Decimal(100 * met_now / (met_now + breached_now)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    before = Decimal(100 * met_before / (met_before + breached_before)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    sentence = (f"IT did not slip: adherence {now}% over the last 4 weeks against {before}% in the 8 weeks before "
                f"({now - before:+.1f} pp; a fall of 5 points or more counts).")
    assert it.verdict() == sentence and sentence in text


def movers(rows: list[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(name, None, None, change, False, 20, 5, 40, 5) for name, change in rows],
        columns=["department", "adherence_now", "adherence_before", "change_pp", "could_be_chance",
                 "n_decided_now", "n_breached_now", "n_decided_before", "n_breached_before"],
    )


def spans() -> tuple[Period, Period]:
    return Period(date(2026, 10, 19), date(2026, 11, 16), ZONE), Period(date(2026, 8, 24), date(2026, 10, 19), ZONE)


def test_a_fall_of_exactly_five_points_slips_and_one_of_four_point_nine_does_not():
    slipping = weekly.Slipping(*spans(), movers([("Legal", -4.9), ("Sales", -5.0), ("Procurement", -36.5),
                                                 ("IT", 7.0)]))
    assert slipping.departments["department"].tolist() == ["Procurement", "Sales"]
    assert slipping.verdict() == "2 of 4 departments compared fell by 5 points or more, largest fall first."
    flagged = movers([("Sales", -5.0), ("Procurement", -36.5), ("IT", 7.0)]).assign(
        could_be_chance=[True, False, True])
    assert weekly.Slipping(*spans(), flagged).verdict() == (
        "2 of 3 departments compared fell by 5 points or more, largest fall first; could be chance: Sales.")


def test_one_department_fallen_of_several_is_named():
    # "1 of 10 departments compared fell by 5 points or more, largest fall first; could be chance:
    # Sales." read oddly of one.
    one = movers([("Sales", -6.0), ("Legal", -1.0), ("IT", 2.0)])
    assert weekly.Slipping(*spans(), one).verdict() == \
        "1 of 3 departments compared fell by 5 points or more: Sales."
    assert weekly.Slipping(*spans(), one.assign(could_be_chance=True)).verdict() == \
        "1 of 3 departments compared fell by 5 points or more: Sales (could be chance)."


def test_nothing_compared_and_nothing_fallen_say_so_differently():
    assert weekly.Slipping(*spans(), movers([])).verdict().startswith("Not enough decided SLA targets in both spans")
    assert weekly.Slipping(*spans(), movers([("IT", -1.0), ("Legal", 2.0)])).verdict() == (
        "No department's adherence fell by 5 points or more (of 2 compared).")


def shown(met: int, breached: int) -> str:
    return f"{Decimal(100 * met / (met + breached)).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def test_the_report_opens_with_the_slip_and_the_department_furthest_below_goal(con):
    # Legal never slips in the sample (slow all year), yet is far below its goal: the brief names it.
    legal = decided(con, "Legal", date(2026, 10, 19), date(2026, 11, 16))
    procurement_now = decided(con, "Procurement", date(2026, 10, 19), date(2026, 11, 16))
    procurement_before = decided(con, "Procurement", date(2026, 8, 24), date(2026, 10, 19))
    text = report.generate(con, Selection(parse_iso_week(WEEK, ZONE), Filters(), data_info(con).as_of(
        datetime.now(timezone.utc))), organisation(), "md").decode("utf-8")
    brief = text.split("## In brief", 1)[1].split("## ", 1)[0]
    # Sales slipped too, by a fall chance could make (Procurement's could not): the brief says so.
    sales_now = decided(con, "Sales", date(2026, 10, 19), date(2026, 11, 16))
    sales_before = decided(con, "Sales", date(2026, 8, 24), date(2026, 10, 19))
    assert fisher_two_sided(*sales_now, *sales_before) >= 0.05 > fisher_two_sided(*procurement_now, *procurement_before)
    # Both are far below their goals too (the standings' gaps): each is named once, with its goal.
    goals = slipping_for(con).standing.set_index("department")
    assert (goals.loc[["Procurement", "Sales"], "gap_pp"] <= -5).all()
    assert ("Provider departments slipping (SLA adherence, the last 4 weeks against the 8 before): "
            f"Procurement {shown(*procurement_now)} against {shown(*procurement_before)} "
            f"(goal {goals.loc['Procurement', 'goal']:.1%}), Sales {shown(*sales_now)} against {shown(*sales_before)} "
            f"(goal {goals.loc['Sales', 'goal']:.1%}; could be chance).") in brief
    assert ("Other provider departments far below their SLA goal (SLA adherence, the last 4 weeks): "
            f"Legal {shown(*legal)} (goal ") in brief
    assert "Legal" not in set(slipping_for(con).departments["department"])


def test_a_department_of_its_own_says_when_chance_could_make_its_fall(con):
    # Sales' own view: the fall the organisation's brief flags is flagged in its own brief and verdict.
    sales_now = decided(con, "Sales", date(2026, 10, 19), date(2026, 11, 16))
    sales_before = decided(con, "Sales", date(2026, 8, 24), date(2026, 10, 19))
    assert fisher_two_sided(*sales_now, *sales_before) >= 0.05
    sales = slipping_for(con, Filters(provider_departments=("Sales",)))
    assert sales.verdict() == "Sales fell by 5 points or more (could be chance)."
    text = report.generate(con, Selection(parse_iso_week(WEEK, ZONE), Filters(provider_departments=("Sales",)),
                                          data_info(con).as_of(datetime.now(timezone.utc))),
                           organisation(), "md").decode("utf-8")
    change = Decimal(shown(*sales_now)[:-1]) - Decimal(shown(*sales_before)[:-1])
    assert (f"SLA adherence of Sales as a provider department, last 4 weeks: {shown(*sales_now)} against "
            f"{shown(*sales_before)} in the 8 before "
            f"({change:+.1f} pp, could be chance), goal ") in text
    # Procurement's fall is beyond chance: said flatly.
    assert slipping_for(con, Filters(provider_departments=("Procurement",))).verdict() == (
        "Procurement fell by 5 points or more.")


def test_every_department_stands_against_its_goal_furthest_below_first_with_its_change_where_comparable():
    standing = pd.DataFrame({"department": ["IT", "Legal", "Sales", "Audit"], "adherence": [0.95, 0.55, 0.80, 0.75],
                             "goal": [0.85, 0.875, 0.85, 0.85], "gap_pp": [10.0, -32.5, -5.0, -10.0],
                             "n_decided": [400, 60, 90, 12]})
    # Sales had too few targets in the weeks before to be compared: it stands, without a change.
    slipping = weekly.Slipping(*spans(), movers([("IT", 1.5), ("Legal", 3.0)]), standing=standing)
    every = slipping.every_department
    assert every["department"].tolist() == ["Legal", "Audit", "Sales", "IT"]
    assert every["change_pp"].iloc[0] == 3.0 and pd.isna(every["change_pp"].iloc[1])
    assert every["n_decided"].tolist() == [60, 12, 90, 400]
    # Audit's 75% on 12 targets stands beside the others flagged, the flag next to the rate.
    assert every["too_few"].tolist() == [False, True, False, False]
    assert every.columns.tolist()[:5] == ["department", "adherence", "goal", "gap_pp", "too_few"]
    assert "An adherence on fewer than 30 decided targets is too few to trust." in slipping.every_department_note()
    assert "blank where those hold fewer than 10 decided targets" in slipping.every_department_note()
    assert weekly.Slipping(*spans(), movers([])).every_department.empty
    assert slipping.every_department_note().endswith("or no goal, are left out: none here.")


def test_the_departments_the_standing_leaves_out_are_named_with_why():
    by_department = pd.DataFrame({"group_value": ["IT", "Payroll", "Facilities", "Sales", "Legal"],
                                  "n_met": [300, 5, 20, 0, 0], "n_breached": [20, 1, 4, 0, 0],
                                  "goal": [0.9, 0.9, None, 0.85, None]})
    # IT stands; Payroll has 6 decided (under 10), Facilities 24 but no goal; Sales and Legal
    # decided nothing (nothing to stand on, nothing left out).
    assert weekly.standing(by_department)["department"].tolist() == ["IT"]
    left_out = weekly.not_standing(by_department)
    assert left_out == ("Facilities (no goal)", "Payroll (6 decided)")
    note = weekly.Slipping(*spans(), movers([]), not_standing=left_out).every_department_note()
    assert note.endswith("or no goal, are left out: Facilities (no goal), Payroll (6 decided).")


def test_every_department_table_matches_an_independent_count_in_the_page_and_the_report(con, dashboard):
    from tests.apptest_support import rendered

    every = slipping_for(con).every_department
    text = report.generate(con, Selection(parse_iso_week(WEEK, ZONE), Filters(), data_info(con).as_of(
        datetime.now(timezone.utc))), organisation(), "md").decode("utf-8")
    section = text.split("## Every department against its goal", 1)[1].split("## ", 1)[0]
    at = rendered(dashboard)
    page = next(df.value for df in at.dataframe if {"gap_pp", "what_moved"} <= set(df.value.columns))
    assert page["department"].tolist() == every["department"].tolist()
    # Every department of the sample has enough targets in the last 4 weeks, Legal among the
    # furthest below goal (slow all year), and none listed twice.
    assert len(every) == 10 and every["department"].is_unique and "Legal" in every["department"].head(3).tolist()
    for row in every.itertuples(index=False):
        met, breached = decided(con, row.department, date(2026, 10, 19), date(2026, 11, 16))
        met_before, breached_before = decided(con, row.department, date(2026, 8, 24), date(2026, 10, 19))
        assert row.n_decided == met + breached
        assert 0.80 <= row.goal <= 0.90  # the sample's policies' goals, averaged
        change = Decimal(shown(met, breached)[:-1]) - Decimal(shown(met_before, breached_before)[:-1])
        assert Decimal(f"{row.change_pp:.1f}") == change
        # The report's row gives the same adherence, change and count.
        assert f"| {row.department} | {shown(met, breached)} | " in section
        assert f" | {change:+.1f} | {met + breached:,} |" in section
    gaps = every["gap_pp"].tolist()
    assert gaps == sorted(gaps)
