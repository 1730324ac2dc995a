"""The department scorecard's arithmetic, on numbers worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from servicelevel import scorecard
from servicelevel.filters import Filters

# Two weeks of one department's internal requests (weekly_kpis columns), and an external row
# that must be left out.
WEEKLY = pd.DataFrame({
    "segment": ["internal", "internal", "external"],
    "fr_met": [9, 0, 50], "fr_breached": [1, 0, 50], "fr_goal": [0.9, None, 0.5],
    "res_met": [6, 3, 50], "res_breached": [4, 1, 50], "res_goal": [0.8, 0.8, 0.5],
})


def test_weekly_adherence_counts_both_targets_of_internal_requests():
    weekly = scorecard.weekly_adherence(WEEKLY)
    # (9 + 6) / (10 + 10) and 3 / 4
    assert weekly["adherence"].tolist() == [0.75, 0.75]
    assert weekly["n_decided"].tolist() == [20, 4]


def test_the_combined_goal_weights_each_goal_by_its_decided_targets():
    weekly = scorecard.weekly_adherence(WEEKLY)
    # (0.9 * 10 + 0.8 * 10 + 0.8 * 4) / 24; the second week decided no first response
    assert scorecard.combined_goal(weekly) == pytest.approx(20.2 / 24)


def test_side_by_side_charts_share_an_axis_from_the_lowest_value_down_to_a_step():
    low = scorecard.weekly_adherence(WEEKLY)
    high = low.assign(adherence=[0.97, 0.99])
    assert scorecard.shared_domain([low, high]) == (0.75, 1.0)
    assert scorecard.shared_domain([high.assign(adherence=[0.93, None])]) == pytest.approx((0.80, 1.0))
    assert scorecard.shared_domain([high.iloc[:0]]) is None


def test_roles_put_the_department_on_each_side():
    as_provider, as_requester = scorecard.roles(Filters(requester_type="internal", priorities=("high",)), "Finance")
    assert as_provider.filters == Filters("internal", (), ("Finance",), (), ("high",), ())
    assert as_requester.filters == Filters("internal", ("Finance",), (), (), ("high",), ())
    assert (as_provider.partner, as_requester.partner) == ("requester_department", "provider_department")


def test_partner_rows_flag_adherence_on_too_few_decided_targets():
    per_partner = pd.DataFrame({
        "row_value": ["Legal", "Sales", "Payroll"], "column_value": ["internal"] * 3,
        "n_requests": [40, 0, 3], "n_met": [28, 0, 1], "n_breached": [2, 2, 0],
        "adherence": [28 / 30, 0.0, 1.0], "goal": [0.9, 0.9, 0.85],
    })
    rows = scorecard.partner_rows(per_partner, "requester_department", min_count=30)
    # Most breaches first, then by name: Legal and Sales with 2 each, Payroll with none.
    assert rows["requester_department"].tolist() == ["Legal", "Sales", "Payroll"]
    assert rows["too_few"].tolist() == [False, True, True]  # 30 decided is enough; 2 and 1 are not
    # Whether to trust the rate beside it, and the breaches the rows are ordered by, in view in a
    # half-width table (four columns at 1280 pixels).
    assert list(rows.columns) == ["requester_department", "adherence", "too_few", "n_breached", "goal", "n_met",
                                  "n_requests"]
    reordered = scorecard.partner_rows(per_partner.assign(n_breached=[2, 1, 5]), "requester_department", 30)
    assert reordered["requester_department"].tolist() == ["Payroll", "Legal", "Sales"]
    # Requests without a department are a group of their own, named, not a blank row.
    unnamed = scorecard.partner_rows(per_partner.assign(row_value=["Legal", None, "Payroll"]),
                                     "requester_department", 30)
    # Legal and the unrecorded department have 2 breaches each: by name.
    assert unnamed["requester_department"].tolist() == ["(department not recorded)", "Legal", "Payroll"]
    unnamed = scorecard.partner_rows(per_partner.assign(row_value=[None, "IT", "HR"]), "provider_department", 30)
    assert unnamed["provider_department"].tolist() == ["(no provider department)", "IT", "HR"]


@pytest.mark.parametrize("filters, expected", [
    (Filters(provider_departments=("Finance",)), ("Finance", "the sidebar's provider department")),
    (Filters(requester_departments=("Legal",)), ("Legal", "the sidebar's requester department")),
    (Filters(provider_departments=("Finance",), requester_departments=("Legal",)),
     ("Finance", "the sidebar's provider department")),
    (Filters(provider_departments=("Finance", "Legal")),
     ("IT", "the busiest internal provider of the period for the sidebar's filters")),
    (Filters(provider_departments=("Nowhere",)),
     ("IT", "the busiest internal provider of the period for the sidebar's filters")),
    (Filters(), ("IT", "the busiest internal provider of the period")),
    (Filters(requester_type="internal"), ("IT", "the busiest internal provider of the period")),
])
def test_the_scorecard_opens_on_the_department_the_sidebar_names_else_the_busiest(filters, expected):
    departments = ["Finance", "IT", "Legal"]
    assert scorecard.opening_department(filters, departments, ["Customer Support", "IT", "Finance"]) == expected


def test_the_scorecard_opens_on_the_first_department_when_none_served_anyone():
    assert scorecard.opening_department(Filters(), ["Finance", "IT"], []) == ("Finance", "the first department")
    assert scorecard.opening_department(Filters(), [], []) == (None, "no department in the data")


def weeks_of(parts: list[tuple[int, int]]) -> pd.DataFrame:
    """weekly_adherence's columns for (met, decided) weeks."""
    return pd.DataFrame({"n_met": [m for m, _ in parts], "n_decided": [n for _, n in parts],
                         "adherence": [m / n for m, n in parts]})


STEADY = weeks_of([(80, 100)] * 8)  # 80% every week: no trend to go against


def test_the_headline_tile_gives_the_change_from_the_period_before():
    # 90 of 100 met now against 160 of 200 before: 90.0% against 80.0%, +10.0 pp, news (green).
    now, before = scorecard.Headline(90, 100, 0.875), scorecard.Headline(160, 200, 0.875)
    tile = scorecard.headline_tile("SLA adherence as provider", now, before, STEADY, 30, "")
    assert (tile.format_value(), tile.format_delta(), tile.change_is_news) == ("90.0%", "+10.0 pp", True)
    assert tile.goal_text() == "goal 87.5% (policy average) ✓ met" and tile.trend_said() == ""
    # 20 decided the period before (fewer than 30): the change is shown, not coloured; so with a
    # period not over in the data.
    few = scorecard.headline_tile("SLA adherence as provider", now, scorecard.Headline(16, 20, 0.875), STEADY, 30, "")
    assert few.format_delta() == "+10.0 pp" and not few.change_is_news
    running = scorecard.headline_tile("SLA adherence as provider", now, before, STEADY, 30, "", so_far=True)
    assert not running.change_is_news and running.goal_text() == "goal 87.5% (policy average) ✓ met so far"
    # Nothing decided before: no change, and the note says why.
    alone = scorecard.headline_tile("SLA adherence as provider", now, None, STEADY, 30, "",
                                    no_change_note="no period before")
    assert alone.format_delta() is None and alone.no_change_note == "no period before"


def test_a_rise_on_a_line_that_fell_further_is_not_good_news():
    # 85 of 100 a week for 4 weeks, then down to 40 of 100 for the last 4: 85.0% → 42.5% pooled
    # (170 of 400). The last week 45 against 40 before, +5.0 pp: grey, and the caption says why.
    weekly = weeks_of([(85, 100)] * 4 + [(40, 100), (45, 100), (40, 100), (45, 100)])
    tile = scorecard.headline_tile("SLA adherence as provider", scorecard.Headline(45, 100, 0.875),
                                   scorecard.Headline(40, 100, 0.875), weekly, 30, "")
    assert tile.format_delta() == "+5.0 pp" and not tile.change_is_news
    assert tile.trend_said() == "counter to a worsening trend 85.0% → 42.5% (first 4 weeks against last 4 of 8)"
