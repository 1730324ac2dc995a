"""Departments whose adherence moved, on counts worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from servicelevel.movers import adherence_movers


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


def test_a_percentage_on_the_half_rounds_up_as_the_tables_show_it():
    # 69 of 80 met is 86.25%, shown 86.3% (halves up, as every table rounds; 86.25 is exact in
    # binary, and round-half-even would give 86.2); 40 of 50 before is 80.0%: +6.3.
    moved = adherence_movers(counts([("Facilities", 69, 11)]), counts([("Facilities", 40, 10)]))
    assert f"{moved['change_pp'].iloc[0]:+.1f}" == "+6.3"
