"""Departments whose adherence moved, on counts worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from servicelevel.kpis import fisher_exact_p
from servicelevel.movers import adherence_movers, adherence_shift


def counts(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["group_value", "n_met", "n_breached"])


def test_the_change_is_the_difference_of_the_percentages_as_shown():
    # Procurement: 5 of 26 met (19.23%) against 10 of 31 (32.26%): shown 19.2% and 32.3%, so -13.1
    # (the unrounded rates differ by 13.03, which would show as -13.0 next to them).
    # Legal: 5 of 10 (50.0%) against 29 of 40 (72.5%): -22.5, the larger move, listed first.
    moved = adherence_movers(
        counts([("Procurement", 5, 21), ("Legal", 5, 5), ("Tiny", 1, 1)]),
        counts([("Procurement", 10, 21), ("Legal", 29, 11), ("Tiny", 3, 0)]),
    )
    assert moved["department"].tolist() == ["Legal", "Procurement"]  # Tiny: too few decided
    assert moved["change_pp"].tolist() == [pytest.approx(-22.5), pytest.approx(-13.1)]
    assert f"{moved['change_pp'].iloc[1]:+.1f}" == "-13.1"


def test_fishers_exact_test_gives_the_textbook_p_values():
    # The lady tasting tea (Fisher 1935): 3 of 4 right each way, two-sided p = 34/70 = 0.4857.
    assert fisher_exact_p(3, 1, 1, 3) == pytest.approx(34 / 70)
    # Wikipedia's dieting example, 1 of 10 against 11 of 14: two-sided p = 0.002759.
    assert fisher_exact_p(1, 9, 11, 3) == pytest.approx(0.002759, abs=5e-7)
    # All met in both periods: nothing to tell them apart. All against none: 2 / C(20, 10).
    assert fisher_exact_p(10, 0, 10, 0) == 1.0
    assert fisher_exact_p(0, 10, 10, 0) == pytest.approx(2 / 184756)


def test_a_move_on_few_targets_could_be_chance_and_one_on_many_could_not():
    # Sales: 33 of 43 met (76.7%) against 31 of 37 (83.8%): -7.1 pp, three breaches more on about
    # 40 targets; two-sided Fisher p = 0.58. IT: 700 of 800 (87.5%) against 760 of 800 (95.0%):
    # -7.5 pp on 800 targets, p far below 0.05 (a z of 5.3 on the pooled rate).
    moved = adherence_movers(counts([("Sales", 33, 10), ("IT", 700, 100)]),
                             counts([("Sales", 31, 6), ("IT", 760, 40)]))
    flags = dict(zip(moved["department"], moved["could_be_chance"]))
    assert flags == {"Sales": True, "IT": False}
    assert moved.columns.tolist()[3:5] == ["change_pp", "could_be_chance"]  # the flag beside the change


def test_a_percentage_on_the_half_rounds_up_as_the_tables_show_it():
    # 69 of 80 met is 86.25%, shown 86.3% (halves up, as every table rounds; 86.25 is exact in
    # binary, and round-half-even would give 86.2); 40 of 50 before is 80.0%: +6.3.
    moved = adherence_movers(counts([("Facilities", 69, 11)]), counts([("Facilities", 40, 10)]))
    assert f"{moved['change_pp'].iloc[0]:+.1f}" == "+6.3"


def test_extra_breaches_are_the_recent_breaches_beyond_the_earlier_rate():
    # Procurement: 26 decided now, 21 breached; before 10 of 31 met, so 21/31 breached: at that rate
    # 26 targets give 26 * 21 / 31 = 17.61 breaches, and 21 - 17.61 = 3.39 are extra.
    # Legal: 10 decided now, 5 breached; before 11 of 40 breached: 5 - 10 * 11 / 40 = 2.25.
    # IT improved: 2 of 40 breached now against 10 of 40 before: 2 - 40 * 10 / 40 = -8.
    shift = adherence_shift(
        counts([("Procurement", 5, 21), ("Legal", 5, 5), ("IT", 38, 2)]),
        counts([("Procurement", 10, 21), ("Legal", 29, 11), ("IT", 30, 10)]),
    )
    assert shift["value"].tolist() == ["Procurement", "Legal", "IT"]  # most extra breaches first
    assert shift["extra_breaches"].tolist() == [pytest.approx(21 - 26 * 21 / 31), pytest.approx(2.25),
                                                pytest.approx(-8.0)]
    assert shift["change_pp"].tolist() == [pytest.approx(-13.1), pytest.approx(-22.5), pytest.approx(20.0)]
    assert not shift["too_few"].any()


def test_every_value_with_a_decided_target_is_kept_and_the_few_are_marked_not_compared():
    # Tiny: 2 decided now (under 10): listed, not compared. Gone: decided before only. New: now only.
    # Idle: requests created, nothing decided in either span (adherence_matrix gives such rows): left out.
    shift = adherence_shift(
        counts([("Big", 15, 5), ("Tiny", 1, 1), ("New", 12, 0), ("Idle", 0, 0)]),
        counts([("Big", 18, 2), ("Tiny", 9, 3), ("Gone", 30, 3), ("Idle", 0, 0)]),
    )
    assert shift["value"].tolist()[0] == "Big"
    assert set(shift["value"]) == {"Big", "Tiny", "New", "Gone"}
    few = shift.set_index("value").loc[["Tiny", "New", "Gone"]]
    assert few["too_few"].all() and few["change_pp"].isna().all() and few["extra_breaches"].isna().all()
    gone = shift.set_index("value").loc["Gone"]
    assert (gone["n_decided_now"], gone["n_decided_before"], gone["n_breached_before"]) == (0, 33, 3)
    assert pd.isna(gone["adherence_now"]) and gone["adherence_before"] == pytest.approx(30 / 33)
    # The spans' totals survive the split: nothing is lost between the query and the table.
    assert shift["n_decided_now"].sum() == 15 + 5 + 2 + 12 and shift["n_breached_before"].sum() == 2 + 3 + 3
