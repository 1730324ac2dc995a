"""Departments whose adherence moved, on counts worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from servicelevel.movers import adherence_movers


def counts(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["group_value", "n_met", "n_breached"])


def test_the_change_is_the_difference_of_the_percentages_as_shown():
    # Procurement: 9 of 28 met (32.14%) against 16 of 35 (45.71%): shown 32.1% and 45.7%, so -13.6.
    # Legal: 5 of 10 (50.0%) against 29 of 40 (72.5%): -22.5, the larger move, listed first.
    moved = adherence_movers(
        counts([("Procurement", 9, 19), ("Legal", 5, 5), ("Tiny", 1, 1)]),
        counts([("Procurement", 16, 19), ("Legal", 29, 11), ("Tiny", 3, 0)]),
    )
    assert moved["department"].tolist() == ["Legal", "Procurement"]  # Tiny: too few decided
    assert moved["change_pp"].tolist() == [pytest.approx(-22.5), pytest.approx(-13.6)]
    assert f"{moved['change_pp'].iloc[1]:+.1f}" == "-13.6"
