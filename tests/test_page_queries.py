"""The pages read SLA outcomes from request_facts (one table, states as of the data's newest
instant) instead of joining sla_states to the requests at every view. These tests prove the
shortcut changes no number: on the sample, each page query equals the general query the SLA
engine answers from request_sla, at the same instant and with the same filters."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from servicelevel import queries, store
from servicelevel.derived import facts_as_of
from servicelevel.filters import Filters

WEEK_START = datetime(2026, 11, 9, 3, 0, tzinfo=timezone.utc)  # 2026-W46 in America/Sao_Paulo
FILTERS = [
    Filters(),
    Filters(requester_type="internal", provider_departments=("Procurement",)),
    Filters(requester_type="external", priorities=("high", "urgent")),
]


@pytest.fixture(scope="module")
def con(sample_db_path):
    connection = store.connect(sample_db_path)
    yield connection
    connection.close()


def params(con, filters: Filters, weeks: int = 1) -> dict:
    return {
        **filters.params(),
        "start_at": WEEK_START - timedelta(days=7 * (weeks - 1)),
        "end_at": WEEK_START + timedelta(days=7),
        "as_of": facts_as_of(con),
        "timezone": "America/Sao_Paulo",
        "max_rows": 100_000,
    }


def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return sorted(frame[columns].itertuples(index=False, name=None), key=repr)


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe())
def test_breaches_equal_the_sla_engines(con, filters):
    p = params(con, filters, weeks=4)
    fast, general = queries.run(con, "breaches", p), queries.run(con, "sla_breaches", p)
    assert len(general) > 0
    assert rows(fast, list(general.columns)) == rows(general, list(general.columns))


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe())
def test_at_risk_now_equals_the_sla_engines(con, filters):
    p = {**params(con, filters), "within_secs": 40 * 3600}
    fast, general = queries.run(con, "at_risk_now", p), queries.run(con, "sla_at_risk", p)
    assert len(general) > 0
    assert rows(fast, list(general.columns)) == rows(general, list(general.columns))


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe())
def test_adherence_per_department_equals_the_sla_engines(con, filters):
    p = {**params(con, filters, weeks=4), "row_dimension": "provider_department", "column_dimension": "",
         "metric": "both", "dimension": "provider_department"}
    fast = queries.run(con, "adherence_matrix", p)
    fast = fast[fast["n_met"] + fast["n_breached"] > 0]
    general = queries.run(con, "adherence_by_week", p).groupby("group_value")[["n_met", "n_breached"]].sum()
    assert len(general) > 0
    assert dict(zip(fast["row_value"], zip(fast["n_met"], fast["n_breached"]))) == {
        department: (int(r.n_met), int(r.n_breached)) for department, r in general.iterrows()
    }


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe())
def test_the_sla_pages_headline_totals_are_the_heatmaps_cells_added_up(con, filters):
    # target_totals (one scan for both targets) against adherence_matrix's department x priority
    # cells of each target: counts summed, goals weighted by the targets decided under them.
    # The period before: the 4 weeks before those 4, in the same scan.
    p = {**params(con, filters, weeks=4), "row_dimension": "provider_department", "column_dimension": "priority"}
    before = {**p, "start_at": p["start_at"] - timedelta(days=28), "end_at": p["start_at"]}
    both = queries.run(con, "target_totals", {**p, "before_start_at": before["start_at"]})
    assert both[["period", "metric"]].values.tolist() == [
        ["before", "first_response"], ["before", "resolution"], ["now", "first_response"], ["now", "resolution"]]
    for period, span in (("now", p), ("before", before)):
        assert_totals_are_the_cells_added_up(con, both[both["period"] == period].set_index("metric"), span)
    # Without a period before, none is counted.
    assert set(queries.run(con, "target_totals", {**p, "before_start_at": p["start_at"]})["period"]) == {"now"}


def assert_totals_are_the_cells_added_up(con, totals: pd.DataFrame, p: dict) -> None:
    for metric in totals.index:
        cells = queries.run(con, "adherence_matrix", {**p, "metric": metric})
        decided = cells["n_met"] + cells["n_breached"]
        assert (totals.at[metric, "n_met"], totals.at[metric, "n_breached"]) == (cells["n_met"].sum(),
                                                                                cells["n_breached"].sum())
        with_goal = cells["goal"].notna() & (decided > 0)
        blended = (cells.loc[with_goal, "goal"] * decided[with_goal]).sum() / decided[with_goal].sum()
        assert totals.at[metric, "goal"] == pytest.approx(blended, abs=1e-12)


def test_the_empty_dimension_groups_nothing(con):
    p = {**params(con, Filters()), "row_dimension": "", "column_dimension": "", "metric": "resolution"}
    frame = queries.run(con, "adherence_matrix", p)
    assert len(frame) == 1 and frame["row_value"].isna().all()


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.describe())
@pytest.mark.parametrize("metric", ["first_response", "resolution"])
@pytest.mark.parametrize("clock", ["business", "calendar"])
def test_the_histograms_median_and_p90_equal_the_sla_engines(con, filters, metric, clock):
    p = params(con, filters, weeks=4)
    bins = queries.run(con, "duration_histogram", {**p, "metric": metric, "clock": clock, "bin_hours": 1.0,
                                                    "max_hours": 100.0})
    general = queries.run(con, "response_times", {**p, "dimension": ""}).set_index("metric").loc[metric]
    assert len(bins) > 0
    assert bins["median_hours"].iloc[0] == pytest.approx(general[f"median_{clock}_secs"] / 3600, abs=1e-9)
    assert bins["p90_hours"].iloc[0] == pytest.approx(general[f"p90_{clock}_secs"] / 3600, abs=1e-9)
