"""Recurring problems: the rate statistics, emerging detection, the fix check, repeat contacts,
problem costs, and the derived table's filters."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from servicelevel import queries, recurring, store
from servicelevel.derived import refresh_derived
from servicelevel.filters import Period
from servicelevel.settings import Organisation
from tests.handmade import filters, import_answers, import_requests

UTC = timezone.utc
END = date(2026, 11, 16)  # a Monday: the recent window ends the day before


# --------------------------------------------------------------------------------------
# The statistics


def test_binomial_tails_by_hand():
    # P(X >= 3) for Bin(3, 1/4) = (1/4)^3 = 1/64.
    assert recurring.binomial_sf(3, 3, 0.25) == pytest.approx(1 / 64)
    # P(X >= 1) for Bin(2, 1/2) = 1 - (1/2)^2 = 3/4; P(X <= 0) = 1/4.
    assert recurring.binomial_sf(1, 2, 0.5) == pytest.approx(0.75)
    assert recurring.binomial_cdf(0, 2, 0.5) == pytest.approx(0.25)
    assert recurring.binomial_sf(0, 5, 0.3) == 1.0 and recurring.binomial_sf(6, 5, 0.3) == 0.0


def test_rate_increase_is_the_conditional_binomial():
    # 3 requests in the recent week and none in the 3 baseline weeks: given 3 in all, each falls
    # in the recent week with probability 1/4 if nothing changed, so p = (1/4)^3.
    assert recurring.rate_increase_p(3, 1, 0, 3) == pytest.approx(1 / 64)
    # Two-sided: 2 of 2 after vs 0 before over equal exposure: 2 * min(P(X>=2), P(X<=2)) = 2 * 1/4.
    assert recurring.rate_change_p(2, 1, 0, 1) == pytest.approx(0.5)
    assert recurring.rate_increase_p(0, 1, 0, 3) == 1.0


def weekly(counts: dict[str, list[int]], end: date = END) -> pd.DataFrame:
    """category -> counts of consecutive weeks ending the week before `end`."""
    rows = []
    for category, values in counts.items():
        for i, n in enumerate(values):
            rows.append({"week_start": end - timedelta(weeks=len(values) - i), "category": category, "n_requests": n})
    return pd.DataFrame(rows)


def test_emerging_fires_on_a_real_rise_and_not_on_noise():
    frame = weekly({
        # 10 a week for 12 weeks, then 25 a week: 100 recent against 40 expected.
        "rise": [10] * 12 + [25] * 4,
        # Poisson-like wobble around 10: 120 in the baseline, 45 recent against 40 expected.
        "noise": [9, 12, 8, 11, 10, 13, 7, 10, 9, 11, 12, 8] + [12, 11, 9, 13],
    })
    result = recurring.emerging(frame, END).set_index("category")
    rise, noise = result.loc["rise"], result.loc["noise"]
    assert (rise["baseline_per_week"], rise["recent_per_week"]) == (10.0, 25.0)
    assert rise["ratio"] == pytest.approx(2.5)
    assert rise["extra_requests"] == pytest.approx(60.0)  # 100 - 4 weeks x 10
    assert rise["is_emerging"] and rise["p_value"] < 1e-9
    # noise: P(Bin(165, 1/4) >= 45), mean 41.25, sd 5.56: about 0.28 — nowhere near 1 % / 2.
    assert noise["p_value"] == pytest.approx(0.276, abs=0.01)
    assert not noise["is_emerging"]


def test_emerging_needs_size_as_well_as_significance_and_enough_requests():
    frame = weekly({
        # +10 % on a big category is significant over so many requests, but not 25 % above baseline.
        "big": [1000] * 12 + [1100] * 4,
        # From nothing to 3 a week: a new category, but 3 requests are too few to test (< 5).
        "tiny": [0] * 12 + [0, 0, 0, 3],
        # From nothing to 5 a week: new, and flagged (p = (1/4)^20 over 20 requests).
        "new": [0] * 12 + [5] * 4,
    })
    result = recurring.emerging(frame, END).set_index("category")
    assert result.loc["big", "p_value"] < 1e-6 and not result.loc["big", "is_emerging"]
    assert not result.loc["tiny", "tested"] and not result.loc["tiny", "is_emerging"]
    assert result.loc["new", "is_emerging"] and math.isnan(result.loc["new", "ratio"])


def test_emerging_does_not_count_weeks_before_the_data_as_zero():
    # The data starts 4 weeks before the recent window: the baseline is those 4 weeks (10 each),
    # not 12 weeks averaging 3.3.
    frame = weekly({"steady": [10] * 8})
    start = END - timedelta(weeks=8)
    result = recurring.emerging(frame, END, data_start=start).set_index("category")
    assert result.loc["steady", "baseline_per_week"] == 10.0
    assert not result.loc["steady", "is_emerging"]


def test_emerging_on_the_first_week_of_data_tests_nothing_and_invents_no_rise():
    # The data starts in the last week of the 4-week recent window: 40 requests in that one week
    # are 40 a week, not 10; with no baseline there is no test and no "extra" requests.
    frame = weekly({"new": [40]})
    result = recurring.emerging(frame, END, data_start=END - timedelta(weeks=1)).set_index("category")
    assert result.loc["new", "recent_per_week"] == 40.0
    assert not result.loc["new", "tested"] and not result.loc["new", "is_emerging"]
    assert math.isnan(result.loc["new", "extra_requests"])


def test_the_bonferroni_threshold_grows_with_the_categories_tested():
    # "edge": 60 recent against 120 in the baseline; P(Bin(180, 1/4) >= 60) is about 0.0075 (mean
    # 45, sd 5.8): below 1 % alone, above 1 % / 5 once four more categories are tested.
    edge = [10] * 12 + [15] * 4
    alone = recurring.emerging(weekly({"edge": edge}), END).set_index("category")
    crowd = recurring.emerging(weekly({"edge": edge, **{f"c{i}": [10] * 16 for i in range(4)}}), END).set_index("category")
    p = alone.loc["edge", "p_value"]
    assert 0.002 < p < 0.01
    assert alone.loc["edge", "is_emerging"] and not crowd.loc["edge", "is_emerging"]


def test_a_fix_effects_interval_is_never_written_as_zero_at_one_end():
    # -28.1 % to +0.4 % holds no change, as p = 0.06 says: "+0%" read as "no rise at all".
    effect = recurring.FixEffect(date(2026, 9, 28), 12, 7, 300, 120, 25.0, 17.1, -0.316, (-0.281, 0.004),
                                 0.06, 0.1, 0.08)
    assert effect.interval_text() == " 95% interval of the change: -28.1% to +0.4%."
    assert replace(effect, interval=(-0.45, -0.004)).interval_text() == " 95% interval of the change: -45.0% to -0.4%."
    assert replace(effect, interval=(-0.281, 0.12)).interval_text() == " 95% interval of the change: -28% to +12%."
    assert replace(effect, interval=None).interval_text() == ""


def test_fix_effect_on_a_clear_drop_and_on_no_change():
    fix_day = date(2026, 6, 10)  # a Wednesday: its week (from Monday 8 June) is left out
    fix_week = date(2026, 6, 8)
    weeks = [fix_week + timedelta(weeks=k) for k in range(-12, 13)]
    drop = pd.DataFrame({"week_start": weeks, "n_category": [30] * 12 + [20] + [10] * 12, "n_all": [300] * 25})
    effect = recurring.fix_effect(drop, fix_day, last_complete_week=weeks[-1])
    # 360 in 12 weeks before, 120 in 12 weeks after: 30 -> 10 a week, -66.7 %.
    assert (effect.n_before, effect.n_after, effect.weeks_before, effect.weeks_after) == (360, 120, 12, 12)
    assert effect.change == pytest.approx(-2 / 3)
    assert effect.is_significant
    assert (effect.share_before, effect.share_after) == (pytest.approx(0.1), pytest.approx(10 / 300))
    low, high = effect.interval
    assert low < -2 / 3 < high < 0
    flat = drop.assign(n_category=[10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 10, 10, 10] + [11, 9, 10, 10, 12, 8, 10, 9, 11, 10, 10, 10])
    same = recurring.fix_effect(flat, fix_day, last_complete_week=weeks[-1])
    assert same.change == pytest.approx(0.0) and not same.is_significant
    # Only complete weeks after the fix count.
    early = recurring.fix_effect(drop, fix_day, last_complete_week=fix_week + timedelta(weeks=2))
    assert early.weeks_after == 2 and early.n_after == 20
    # A fix dated before the data starts: only weeks with data count, on both sides.
    late_data = drop[drop["week_start"] >= fix_week + timedelta(weeks=5)]
    before_data = recurring.fix_effect(late_data, fix_day, last_complete_week=weeks[-1])
    assert (before_data.weeks_before, before_data.weeks_after, before_data.n_after) == (0, 8, 80)
    assert before_data.rate_after == 10.0


def test_rank_costs_averages_the_shares():
    costs = pd.DataFrame({
        "category": ["A", "B"], "n_requests": [30, 10], "business_hours": [10.0, 30.0],
        "n_breaches": [0, 4], "n_dissatisfied": [1, 1], "examples": [[], []],
    })
    ranked = recurring.rank_costs(costs)
    # A: (30/40 + 10/40 + 0/4 + 1/2) / 4 = 0.375; B: (1/4 + 3/4 + 1 + 1/2) / 4 = 0.625.
    assert list(ranked["category"]) == ["B", "A"]
    assert list(ranked["cost_index"]) == [pytest.approx(0.625), pytest.approx(0.375)]
    assert list(recurring.rank_costs(costs, "Requests")["category"]) == ["A", "B"]


# --------------------------------------------------------------------------------------
# Repeat contacts and costs on a hand-built export


@pytest.fixture
def repeats_db(con, tmp_path):
    at = lambda day, hour=10: (datetime(2026, 3, 2, hour, tzinfo=UTC) + timedelta(days=day)).isoformat()  # noqa: E731
    import_requests(con, tmp_path, [
        # ann, Access: day 0, day 20 (repeat: 20 days), day 60 (40 days after: not),
        # day 90 exactly 30 x 24 h after day 60 (repeat: "within" includes 30 days).
        {"request_id": "A0", "created_at": at(0), "requester_id": "ann", "channel": "email"},
        {"request_id": "A20", "created_at": at(20), "requester_id": "ann"},
        {"request_id": "A60", "created_at": at(60), "requester_id": "ann"},
        {"request_id": "A90", "created_at": at(90), "requester_id": "ann"},
        # ann, another category a day after: not a repeat of Access.
        {"request_id": "B21", "created_at": at(21), "requester_id": "ann", "category": "Printer",
         "provider_department": "Facilities"},
        # bob, Access, between ann's: another requester, not a repeat.
        {"request_id": "C10", "created_at": at(10), "requester_id": "bob"},
        # No requester id: cannot be judged.
        {"request_id": "D5", "created_at": at(5), "requester_id": ""},
    ])
    import_answers(con, tmp_path, [
        ("A20", "2026-03-23 10:00", "1", "Ainda não resolveram"),
        ("A60", "2026-05-02 10:00", "2", ""),
        ("C10", "2026-03-13 10:00", "5", "Resolveram rápido"),
    ])
    refresh_derived(con)
    return con


def run_repeats(con, **chosen) -> pd.DataFrame:
    return queries.run(con, "repeat_contacts", {
        **filters(**chosen), "start_at": datetime(2026, 3, 1, tzinfo=UTC), "end_at": datetime(2026, 7, 1, tzinfo=UTC),
        "within_secs": 30 * 86400,
    }).set_index(["dimension", "value"])


def test_repeat_contacts_within_and_outside_30_days(repeats_db):
    result = run_repeats(repeats_db)
    # Judged: A0, A20, A60, A90, B21, C10 (D5 has no requester). Repeats: A20 and A90.
    assert result.loc[("all", "all"), "n_requests"] == 6
    assert result.loc[("all", "all"), "n_repeats"] == 2
    assert result.loc[("all", "all"), "repeat_rate"] == pytest.approx(2 / 6)
    assert result.loc[("category", "Access"), ["n_requests", "n_repeats"]].tolist() == [5, 2]
    assert result.loc[("category", "Printer"), ["n_requests", "n_repeats"]].tolist() == [1, 0]
    assert result.loc[("provider_department", "IT"), ["n_requests", "n_repeats"]].tolist() == [5, 2]
    # A shorter window: only A20 (20 days) is within 25 days.
    shorter = queries.run(repeats_db, "repeat_contacts", {
        **filters(), "start_at": datetime(2026, 3, 1, tzinfo=UTC), "end_at": datetime(2026, 7, 1, tzinfo=UTC),
        "within_secs": 25 * 86400,
    }).set_index(["dimension", "value"])
    assert shorter.loc[("all", "all"), "n_repeats"] == 1


def test_a_repeat_counts_whatever_the_earlier_request_looked_like(repeats_db):
    # Filtering to portal leaves out A0 (email), but A20 still repeats it.
    result = run_repeats(repeats_db, channels=["portal"])
    assert result.loc[("all", "all"), ["n_requests", "n_repeats"]].tolist() == [5, 2]


def test_category_costs_count_requests_and_unhappy_answers(repeats_db):
    costs = queries.run(repeats_db, "category_costs", {
        **filters(), "start_at": datetime(2026, 3, 1, tzinfo=UTC), "end_at": datetime(2026, 7, 1, tzinfo=UTC),
    }).set_index("category")
    # Access: A0, A20, A60, A90, C10, D5; answers on A20 (1), A60 (2), C10 (5): two score below 3.
    assert costs.loc["Access", ["n_requests", "n_answers", "n_dissatisfied"]].tolist() == [6, 3, 2]
    assert costs.loc["Access", "share"] == pytest.approx(6 / 7)
    assert costs.loc["Printer", ["n_requests", "n_answers", "n_dissatisfied"]].tolist() == [1, 0, 0]
    # No SLA computed here: no breaches, no business hours, and examples still named.
    assert costs.loc["Access", "n_breaches"] == 0
    assert len(costs.loc["Access", "examples"]) == 3


# --------------------------------------------------------------------------------------
# On the bundled sample


@pytest.fixture(scope="module")
def sample(sample_db_path, tmp_path_factory):
    """A copy of the sample with the derived tables built (the shared one stays as it is)."""
    import shutil

    from servicelevel.sla import ensure_fresh

    path = tmp_path_factory.mktemp("recurring") / "sample.duckdb"
    shutil.copy(sample_db_path, path)
    connection = store.connect(path)
    ensure_fresh(connection)
    refresh_derived(connection)
    yield connection
    connection.close()


ZONE = "America/Sao_Paulo"


def test_the_sample_story_vpn_rises_and_password_reset_does_not(sample, sample_anchor):
    weeks = queries.run(sample, "category_weeks", {
        **filters(), **Period(sample_anchor - timedelta(weeks=16), sample_anchor, ZONE).params()})
    result = recurring.emerging(weeks, sample_anchor).set_index("category")
    assert result.loc["VPN access", "is_emerging"]
    assert result.loc["VPN access", "ratio"] > 1.8
    assert not result.loc["Password reset", "is_emerging"]
    assert result["is_emerging"].sum() <= 2  # the rest is noise


def test_the_sample_password_fix_worked(sample, sample_anchor):
    fix_day = sample_anchor - timedelta(weeks=16)
    weeks = queries.run(sample, "category_weeks", {
        **filters(), **Period(fix_day - timedelta(weeks=12), fix_day + timedelta(weeks=13), ZONE).params()})
    effect = recurring.fix_effect(recurring.fix_weekly(weeks, "Password reset"), fix_day, sample_anchor - timedelta(weeks=1))
    # The sample keeps about 30 % of the volume after the fix (a week to catch on, left out).
    assert effect.is_significant
    assert -0.8 < effect.change < -0.55


@pytest.mark.parametrize("chosen", [
    {},
    {"requester_type": "internal"},
    {"provider_departments": ["IT", "Finance"]},
    {"requester_departments": ["Sales"], "channels": ["portal"]},
    {"provider_types": ["third_party"], "priorities": ["high", "urgent"]},
])
def test_request_facts_filters_mean_what_filtered_requests_means(sample, chosen):
    params = filters(**chosen)
    args = "$requester_type, $requester_departments, $provider_departments, $provider_types, $priorities, $channels"
    facts = sample.execute(f"select count(*), min(request_id), max(request_id) from filtered_request_facts({args})", params).fetchall()
    plain = sample.execute(f"select count(*), min(request_id), max(request_id) from filtered_requests({args})", params).fetchall()
    assert facts == plain and facts[0][0] > 0


def test_category_costs_breaches_match_the_sla_states(sample, sample_anchor):
    start, end = Period(sample_anchor - timedelta(weeks=1), sample_anchor, ZONE).bounds()
    costs = queries.run(sample, "category_costs", {**filters(), "start_at": start, "end_at": end})
    as_of = sample.execute("select max(greatest(created_at, coalesce(updated_at, created_at), "
                           "coalesce(first_response_at, created_at), coalesce(resolved_at, created_at), "
                           "coalesce(closed_at, created_at))) from requests").fetchall()[0][0]
    expected = sample.execute(
        """select count(*) filter (where fr_state = 'breached') + count(*) filter (where res_state = 'breached'),
                  count(*)
           from sla_states($as_of) where created_at >= $start and created_at < $end""",
        {"as_of": min(as_of, datetime.now(UTC)), "start": start, "end": end}).fetchall()[0]
    assert expected[0] > 0
    assert (int(costs["n_breaches"].sum()), int(costs["n_requests"].sum())) == expected


def test_p_values_read_as_reports_write_them():
    assert recurring.p_value_text(0.0381) == "0.038"
    assert recurring.p_value_text(0.276) == "0.28"
    assert recurring.p_value_text(0.001) == "0.0010"  # two significant digits, trailing zero kept
    assert recurring.p_value_text(0.09) == "0.090"  # beside 0.092 in the same column
    assert recurring.p_value_text(1e-13) == "< 0.001"
    assert recurring.p_value_text(0.04, "= ") == "= 0.040" and recurring.p_value_text(1e-5, "= ") == "< 0.001"
    # Below a threshold of 1% / 46 = 0.000217, "< 0.001" would hide which side of it a value is.
    assert recurring.p_value_floor(0.01 / 46) == 0.0001 and recurring.p_value_floor(0.01 / 3) == 0.001
    assert recurring.p_value_text(0.00015, floor=0.0001) == "0.00015"
    assert recurring.p_value_text(0.00005, floor=0.0001) == "< 0.0001"


def test_the_emerging_rule_is_stated_with_the_threshold_it_applies():
    rule = recurring.EmergingRule()
    assert rule.threshold_text(46) == ("Emerging: a p-value under 0.00022 (1% ÷ 46 categories tested) and recent "
                                       "requests at least 25% above the baseline rate.")
    assert rule.threshold_text(1).startswith("Emerging: a p-value under 0.010 (1% ÷ 1 category tested)")
    assert rule.threshold_text(0) == ""


def test_a_repeat_rate_on_few_requests_says_so_with_its_interval():
    # 8 of 19: Wilson 95% interval worked by hand, centre (8/19 + 1.96^2/38) / (1 + 1.96^2/19) = 0.4343,
    # half-width 1.96 * sqrt(8/19 * 11/19 / 19 + 1.96^2 / (4 * 19^2)) / 1.2022 = 0.2029: 23% to 64%.
    def overall(n_repeats, n_requests):
        return pd.Series({"n_repeats": n_repeats, "n_requests": n_requests})

    org = Organisation("Example Org", "UTC", min_count=30)
    few = recurring.repeat_tile(overall(8, 19), None, org)
    assert few.caption() == "8 of 19 requests repeat an earlier one · too few to trust: 95% interval 23%–64%"
    # 220 of 763 (28.8%) against 180 of 747 (24.1%): +4.7 pp, a rise, so worse.
    tile = recurring.repeat_tile(overall(220, 763), overall(180, 747), org)
    assert tile.caption().startswith("220 of 763 requests repeat an earlier one")
    assert tile.format_value() == "28.8%" and tile.format_delta() == "+4.7 pp" and tile.higher_is_better is False


def test_repeat_rows_lead_with_the_rate_and_flag_few_and_the_chart_says_when_it_draws_only_some():
    repeats = pd.DataFrame({"dimension": ["all", "category", "category"], "value": ["all", "VPN access", "Payroll"],
                            "n_requests": [50, 40, 10], "n_repeats": [12, 10, 2], "repeat_rate": [0.24, 0.25, 0.2]})
    rows = recurring.repeat_rows(repeats, "category", min_count=30)
    assert list(rows.columns) == ["category", "repeat_rate", "too_few", "n_requests", "n_repeats"]
    assert rows["too_few"].tolist() == [False, True]
    assert recurring.repeat_bars_note(7) == "" and recurring.repeat_bars_note(16) == "the 15 with most requests"


def test_no_rise_is_good_news_only_when_a_category_was_tested():
    rule = recurring.EmergingRule()
    assert rule.nothing_rose(3, date(2026, 11, 15)) == (
        "No category rose significantly in the 4 weeks to 15 Nov 2026.", True)
    said, is_news = rule.nothing_rose(0, date(2026, 11, 15))
    assert not is_news and said.startswith("No category could be tested for a rise in the 4 weeks to 15 Nov 2026")


def test_repeats_of_requests_without_a_provider_department_are_named_as_the_breakdowns_name_them(con, tmp_path):
    # The query named them "(none)", where every other breakdown and table says "(no provider department)".
    at = lambda day: (datetime(2026, 3, 2, 10, tzinfo=UTC) + timedelta(days=day)).isoformat()  # noqa: E731
    import_requests(con, tmp_path, [
        {"request_id": "N0", "created_at": at(0), "requester_id": "ann", "provider_department": ""},
        {"request_id": "N3", "created_at": at(3), "requester_id": "ann", "provider_department": ""},
    ])
    refresh_derived(con)
    by_department = run_repeats(con).loc["provider_department"]
    assert by_department.index.tolist() == ["(no provider department)"]
    assert by_department[["n_requests", "n_repeats"]].iloc[0].tolist() == [2, 1]


def test_an_faq_group_is_led_by_its_most_common_wording_and_its_key_comes_last():
    # "onde pedido", the normalised key of "Onde está meu pedido?", read as broken text.
    faq = pd.DataFrame({
        "subject_key": ["onde pedido", "vpn lenta"],
        "n_requests": [10, 4], "share": [0.013, 0.005], "n_requesters": [10, 4], "n_variants": [3, 1],
        "examples": [["Onde está meu pedido?", "onde esta meu pedido?", "Re: Onde está meu pedido?"], None],
        "top_category": ["Order status", "VPN access"],
    })
    rows = recurring.faq_rows(faq)
    assert list(rows.columns) == ["question", "n_requests", "share", "n_requesters", "n_variants", "also_written",
                                  "top_category", "subject_key"]
    assert rows["question"].tolist() == ["Onde está meu pedido?", "vpn lenta"]  # no wording kept: the key
    assert rows["also_written"].tolist() == ["onde esta meu pedido? · Re: Onde está meu pedido?", ""]
