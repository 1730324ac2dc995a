"""Where a change in adherence comes from: the four weeks ending with the focus week against the
eight before, split by category, agent, requester department...; sentences on counts worked out
by hand, and the bundled sample's slipping department (Procurement, whose first buyer is away
while it slips) checked against independent SQL."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from servicelevel import breakdown, queries, report, store, weekly
from servicelevel.datainfo import data_info
from servicelevel.filters import Filters, Period, Selection, parse_iso_week
from servicelevel.movers import adherence_shift
from servicelevel.settings import organisation
from servicelevel.sla import DIMENSIONS
from servicelevel import PROJECT_ROOT
from servicelevel.ui import links
from servicelevel.ui.widgets import csv_of, movers_columns
from tests.apptest_support import chart_data, chart_title, rendered
from tests.independent_counts import decided_targets

WEEK = "2026-W46"  # the sample's last complete week
ZONE = "America/Sao_Paulo"  # UTC-3 all year: local midnight is 03:00 UTC
RECENT = Period(date(2026, 10, 19), date(2026, 11, 16), ZONE)
BASELINE = Period(date(2026, 8, 24), date(2026, 10, 19), ZONE)


def counts(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["group_value", "n_met", "n_breached"])


def by_hand(recent, baseline, dimension="category") -> breakdown.Breakdown:
    return breakdown.Breakdown(dimension, RECENT, BASELINE, adherence_shift(counts(recent), counts(baseline)))


def test_a_flat_total_names_the_values_that_fell_and_those_that_rose():
    # Now: A 5 met / 21 breached, B 5 / 5, C 38 / 2: 48 of 76 met, 63.2%. Before: A 10 / 21,
    # B 29 / 11, C 30 / 10: 69 of 111, 62.2%. At the earlier rate 76 targets give 76 * 42 / 111 =
    # 28.76 breaches against 28: 0.76 fewer, shown as 1. A: 21 - 26 * 21/31 = +3.39, B: 5 - 10 *
    # 11/40 = +2.25, C: 2 - 40 * 10/40 = -8: they add up to -3 as shown, and the mix gives the other +2.
    shift = by_hand([("A", 5, 21), ("B", 5, 5), ("C", 38, 2)], [("A", 10, 21), ("B", 29, 11), ("C", 30, 10)])
    assert shift.comparable and shift.extra_breaches == pytest.approx(28 - 76 * 42 / 111)
    assert shift.explained == -3
    assert shift.verdict() == (
        "SLA adherence (first response and resolution together) 63.2% over the 4 weeks to 15 Nov 2026 against "
        "62.2% in the 8 weeks before (+1.0 pp): 1 breach fewer than the earlier adherence would give on the 76 "
        "targets decided. By category, most breaches avoided: "
        "C -8; most extra breaches: A +3, B +2. The changes within the categories add up to -3 extra breaches; a "
        "changed mix of work, and values with too few targets to compare, make the other +2. Largest shifts in the "
        "mix: B from "
        "36% to 13% of the targets (72.5% met before); A from 28% to 34% of the targets (32.3% met before).")
    # The mix's part, value by value: 76 * (share now - share before) * (breach rate before - 42/111).
    # B: 76 * (10/76 - 40/111) * (11/40 - 42/111) = +1.80 (less of the quick work), A: +1.43 (more of
    # the slow work), C: -1.62. They add up to +1.61, which with the values' own 3.39 + 2.25 - 8 = -2.36
    # makes the total's -0.76: the two named are those that moved it the mix's way (+2 shown).


def test_a_change_the_values_made_themselves_is_said_to_be_theirs():
    # Before: A 30 met / 10 breached, B 36 / 4: 14 of 80 breached (17.5%). Now: A 10 / 10, B 27 / 3:
    # 13 of 50 breached against 50 * 0.175 = 8.75, 4.25 extra, shown as 4. A: 10 - 20 * 10/40 = +5,
    # B: 3 - 30 * 4/40 = 0; more of the quick work (B from 50% to 60%) makes the other -1.
    shift = by_hand([("A", 10, 10), ("B", 27, 3)], [("A", 30, 10), ("B", 36, 4)])
    assert shift.explained == 5
    assert ("Mostly changes within the categories: they add up to +5 extra breaches; a changed mix of work, and "
            "values with too few targets to compare, make the other -1.") in shift.verdict()


def test_a_change_the_mix_of_work_made_is_said_to_be_the_mix():
    # Before: A 30 met / 10 breached (25% breached), B 36 / 4 (10%): 17.5% together. Now A 60 / 20
    # and B 27 / 3: each breaches as before (A: 20 - 80 * 0.25 = 0, B: 3 - 30 * 0.1 = 0), but A, the
    # slower, went from half the targets to 73%: 23 breached against 110 * 0.175 = 19.25, +3.75, shown 4.
    shift = by_hand([("A", 60, 20), ("B", 27, 3)], [("A", 30, 10), ("B", 36, 4)])
    assert shift.explained == 0
    assert ("Mostly a changed mix of work (more of it where adherence was lower): the mix, and values with too "
            "few targets to compare, make +4 extra breaches; the changes within the categories none. Largest shifts "
            "in the mix: "
            "B from 50% to 27% of the targets (90.0% met before); A from 50% to 73% of the targets (75.0% met "
            "before).") in shift.verdict()


def test_a_chart_of_some_of_the_values_compared_says_how_many_it_shows():
    # A, B and C are compared (10 decided targets or more in both spans); D, on 3 now, is not.
    shift = by_hand([("A", 5, 21), ("B", 5, 5), ("C", 38, 2), ("D", 2, 1)],
                    [("A", 10, 21), ("B", 29, 11), ("C", 30, 10), ("D", 9, 1)])
    assert shift.chart_title(2) == "Adherence by category: 2 of the 3 compared, most extra breaches first"
    assert len(shift.chart_rows(2)) == 2 * 2  # two values, each span's rate
    assert shift.chart_title(3) == shift.chart_title(12) == "Adherence by category, most extra breaches first"


def test_a_value_with_nothing_decided_recently_is_named_and_too_few_are_not_compared():
    # Ann: 40 decided before, none now (away). Bob: 30 of 60 met now against 38 of 40 before:
    # 30 - 60 * 2/40 = +27 extra. Cy: 3 decided now, 1 before: too few to compare.
    # Totals: now 31 met of 63 (49.2%), before 75 of 81 (92.6%); 32 - 63 * 6/81 = 27.33 extra, shown
    # 27, as many as Bob's: no mix to speak of.
    shift = by_hand([("Bob", 30, 30), ("Cy", 1, 2)], [("Ann", 36, 4), ("Bob", 38, 2), ("Cy", 1, 0)], "agent")
    assert shift.rows["value"].tolist() == ["Bob", "Ann", "Cy"]  # compared first, then the largest in either span
    assert shift.verdict() == (
        "SLA adherence (first response and resolution together) 49.2% over the 4 weeks to 15 Nov 2026 against "
        "92.6% in the 8 weeks before (-43.4 pp): 27 breaches more than the earlier adherence would give on the 63 "
        "targets decided. By agent, most extra breaches: Bob +27. No SLA target came due or was met in the last 4 "
        "weeks for Ann (40 in the 8 weeks before); the other agents had 207% more targets a week than before.")
    # Bob and Cy: (60 + 3) / 4 weeks = 15.75 a week now, (40 + 1) / 8 = 5.125 before: 3.07 times.


def test_values_whose_work_arrived_or_mostly_went_are_named_though_not_compared():
    # Vendor audit: 25 decided now, none before (new). Power of attorney: 8 now against 40 before
    # (few now). Contracts: compared. Neither of the first two is compared (under 10 in a span).
    shift = by_hand([("Contracts", 30, 10), ("Vendor audit", 20, 5), ("Power of attorney", 4, 4)],
                    [("Contracts", 70, 10), ("Power of attorney", 36, 4)])
    assert shift.rows.set_index("value").loc[["Vendor audit", "Power of attorney"], "too_few"].all()
    assert shift.arrivals_and_departures() == (
        "New in the last 4 weeks: Vendor audit (25 targets, none before). Few in the last 4 weeks: Power of "
        "attorney (8, against 40 in the 8 weeks before).")
    assert shift.verdict().endswith(shift.arrivals_and_departures())
    assert by_hand([("A", 30, 10)], [("A", 70, 10)]).arrivals_and_departures() == ""


def test_a_span_the_data_ends_inside_is_named_to_the_datas_last_day():
    # RECENT runs to Sunday 15 Nov (São Paulo). Data ending on Thursday 12 Nov at 11:58 local
    # (14:58 UTC) holds nothing of the 13th to the 15th: the span is said to end on the 12th.
    def spans_said(as_of: datetime) -> str:
        shift = breakdown.Breakdown("category", RECENT, BASELINE,
                                    adherence_shift(counts([("A", 30, 10)]), counts([("A", 70, 10)])), as_of=as_of)
        return shift.verdict().split(" against ")[0]
    assert spans_said(datetime(2026, 11, 12, 14, 58, tzinfo=timezone.utc)).endswith("over the 4 weeks to 12 Nov 2026")
    # Sunday 23:30 local is Monday 02:30 UTC: still the 15th where the weeks are counted.
    assert spans_said(datetime(2026, 11, 16, 2, 30, tzinfo=timezone.utc)).endswith("to 15 Nov 2026")
    assert spans_said(datetime(2026, 11, 18, 14, 58, tzinfo=timezone.utc)).endswith("to 15 Nov 2026")


def test_too_few_in_either_span_says_how_many_each_has():
    shift = by_hand([("A", 3, 2)], [("A", 40, 10)])
    assert not shift.comparable and shift.extra_breaches is None
    assert shift.verdict() == ("Not enough decided SLA targets to compare: 5 in the 4 weeks to 15 Nov 2026 and 50 "
                               "in the 8 weeks before (at least 10 each).")
    early = breakdown.Breakdown("agent", RECENT, BASELINE, adherence_shift(counts([("A", 30, 2)]), counts([])),
                                data_from=date(2026, 10, 20))
    assert early.verdict() == ("Nothing to compare yet: the data starts on 20 Oct 2026, after the 8 weeks (24 Aug "
                               "2026 – 18 Oct 2026) the 4 weeks to 15 Nov 2026 are compared with.")


def test_a_baseline_the_data_covers_only_in_part_says_how_little_of_it_there_is():
    # The data starts on Monday 12 Oct 2026: of the 8 weeks 24 Aug - 18 Oct, it holds one.
    recent, baseline = counts([("A", 30, 10)]), counts([("A", 30, 5)])
    shift = breakdown.Breakdown("category", RECENT, BASELINE, adherence_shift(recent, baseline),
                                data_from=date(2026, 10, 12))
    assert shift.verdict().startswith("The data starts on 12 Oct 2026: the 8 weeks before hold only 1 week of it. "
                                      "SLA adherence (first response and resolution together) 75.0% ")
    # Three days into its third week from the end (Thu 1 Oct): 3 weeks, the first of them in part.
    assert weekly.partial_baseline_note(BASELINE, date(2026, 10, 1)) == (
        "The data starts on 01 Oct 2026: the 8 weeks before hold only 3 weeks of it.")
    assert weekly.partial_baseline_note(BASELINE, date(2026, 8, 24)) is None  # all of it
    # The overview's slipping table, which compares the same spans, says so too.
    slipping = weekly.Slipping(RECENT, BASELINE, pd.DataFrame(), data_from=date(2026, 10, 12))
    assert slipping.note().endswith("The data starts on 12 Oct 2026: the 8 weeks before hold only 1 week of it.")


def test_the_splits_are_dimensions_the_queries_know():
    assert set(breakdown.SPLITS) <= set(DIMENSIONS)
    with pytest.raises(ValueError, match="cannot break adherence down by 'subject'"):
        breakdown.breakdown(lambda name, params: pd.DataFrame(), None, None, "subject")


# --------------------------------------------------------------------------------------
# On the bundled sample


@pytest.fixture
def con(sample_db_path):
    connection = store.connect(sample_db_path)
    yield connection
    connection.close()


def decided_per_agent(con, department: str, span: Period) -> dict[str | None, tuple[int, int]]:
    return decided_targets(con, department, span.start, span.end, group_by="agent")


def test_the_sample_slip_splits_by_agent_as_independent_sql_counts_it(con):
    week = parse_iso_week(WEEK, ZONE)
    selection = Selection(week, Filters(provider_departments=("Procurement",)),
                          data_info(con).as_of(datetime.now(timezone.utc)))
    run = lambda name, params: queries.run(con, name, params)  # noqa: E731
    shift = breakdown.breakdown(run, selection, week, "agent")
    assert (shift.recent, shift.baseline) == (RECENT, BASELINE)
    rows = shift.rows.set_index("value")
    for span, suffix in ((RECENT, "now"), (BASELINE, "before")):
        expected = decided_per_agent(con, "Procurement", span)
        shown = {agent: (int(r[f"n_decided_{suffix}"] - r[f"n_breached_{suffix}"]), int(r[f"n_breached_{suffix}"]))
                 for agent, r in rows.iterrows() if r[f"n_decided_{suffix}"]}
        assert shown == {("(unassigned)" if agent is None else agent): v for agent, v in expected.items()}
    # The split adds up to the department's own row in the overview's slipping table.
    (procurement,) = weekly.slipping(run, selection, week).compared.to_dict("records")
    assert rows["n_decided_now"].sum() == procurement["n_decided_now"]
    assert rows["n_breached_before"].sum() == procurement["n_breached_before"]
    # The sample's first Procurement buyer is away while it slips: no target of theirs is decided
    # in the recent weeks, and the verdict names them; the other buyers carry the extra breaches.
    away = [agent for agent, r in rows.iterrows() if r["n_decided_now"] == 0 and r["n_decided_before"] >= 10]
    assert len(away) == 1
    assert f"No SLA target came due or was met in the last 4 weeks for {away[0]} (" in shift.verdict()
    assert shift.extra_breaches > 50 and (rows.drop(index=away)["extra_breaches"].dropna() > 0).all()


def test_the_sla_page_splits_the_slip_and_reconciles_with_the_overview(dashboard):
    dashboard.query_params["dept"] = "Procurement"
    overview = rendered(dashboard)
    slipped = next(df.value for df in overview.dataframe if "department" in df.value.columns
                   and "change_pp" in df.value.columns and "n_decided_before" in df.value.columns)
    dashboard.query_params["split"] = "Requester department"
    at = rendered(dashboard, "pages/sla.py")
    assert at.segmented_control(key="split").value == "requester_department"
    split = next(df.value for df in at.dataframe if "requester_department" in df.value.columns
                 and "extra_breaches" in df.value.columns)
    for column in ("n_decided_now", "n_breached_now", "n_decided_before", "n_breached_before"):
        assert int(split[column].sum()) == int(slipped[column].iloc[0]), column
    verdict = next(m.value for m in at.text if m.value.startswith("SLA adherence "))
    change = f"({slipped['change_pp'].iloc[0]:+.1f} pp)"
    assert change in verdict and "By requester department, most extra breaches: " in verdict
    # The chart draws the compared values' two rates, the recent span first.
    assert any("Adherence by requester department" in c.proto.spec for c in at.get("vega_lite_chart"))


def test_each_slipped_department_links_to_what_moved_its_adherence_with_the_filters_kept(dashboard):
    dashboard.query_params["requester"] = "Internal"
    overview = rendered(dashboard)
    slipped = next(df.value for df in overview.dataframe if "what_moved" in df.value.columns)
    link = urlsplit(slipped.set_index("department").loc["Procurement", "what_moved"])
    assert (link.path, link.fragment) == ("sla", "what-moved-adherence")
    assert parse_qs(link.query) == {"requester": ["Internal"], "dept": ["Procurement"]}
    # Followed (a new visit), the link opens the section on that department's internal work.
    followed = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)
    for key, values in parse_qs(link.query).items():
        followed.query_params[key] = values
    at = rendered(followed, "pages/sla.py")
    assert "what-moved-adherence" in [h.proto.anchor for h in at.subheader]
    verdict = next(m.value for m in at.text if m.value.startswith("SLA adherence "))
    change = slipped.set_index("department").loc["Procurement", "change_pp"]
    assert f"({change:+.1f} pp)" in verdict
    # The download holds the table's numbers, not page-relative links.
    config = {**movers_columns("now", "before"), **links.WHAT_MOVED_COLUMN}
    assert "what moved it" not in csv_of(slipped, config).decode() and "sla?" not in csv_of(slipped, config).decode()


def test_the_running_weeks_what_moved_ends_with_the_data(dashboard):
    # The sample's data ends on Wednesday 18 Nov 2026, in 2026-W47 (16-22 Nov).
    dashboard.query_params["week"] = "2026-W47"
    at = rendered(dashboard, "pages/sla.py")
    verdict = next(m.value for m in at.text if m.value.startswith("SLA adherence "))
    assert " over the 4 weeks to 18 Nov 2026 against " in verdict and "22 Nov" not in verdict


def test_the_pages_chart_of_categories_says_how_many_of_those_compared_it_draws(dashboard):
    at = rendered(dashboard, "pages/sla.py")
    listed = next(df.value for df in at.dataframe if "extra_breaches" in df.value.columns)
    n_compared = int((~listed["too_few"]).sum())
    assert n_compared > 12  # the sample's categories
    titles = [chart_title(spec) for spec, _ in chart_data(at)]
    assert f"Adherence by category: 12 of the {n_compared} compared, most extra breaches first" in " ".join(titles)


def test_a_split_the_page_does_not_offer_is_refused_with_a_notice(dashboard):
    dashboard.query_params["split"] = "Subject"
    at = rendered(dashboard, "pages/sla.py")
    assert at.segmented_control(key="split").value == "category"
    assert any("split by 'Subject'" in w.value and "not one of its choices" in w.value for w in at.warning)


def test_the_report_says_where_a_slipped_departments_extra_breaches_are(con):
    week = parse_iso_week(WEEK, ZONE)
    as_of = data_info(con).as_of(datetime.now(timezone.utc))
    run = lambda name, params: queries.run(con, name, params)  # noqa: E731
    # The report's two queries for every department give what the page gives for one.
    everyone = Selection(week, Filters(), as_of)
    procurement = Selection(week, Filters(provider_departments=("Procurement",)), as_of)
    for dimension in ("category", "agent"):
        (together,) = breakdown.per_department(run, everyone, week, dimension, ["Procurement"]).values()
        alone = breakdown.breakdown(run, procurement, week, dimension)
        pd.testing.assert_frame_equal(together.rows, alone.rows)
    # The total, from independent counts: breached now - decided now * (breached / decided before).
    now = decided_per_agent(con, "Procurement", RECENT).values()
    before = decided_per_agent(con, "Procurement", BASELINE).values()
    decided_now, breached_now = sum(m + b for m, b in now), sum(b for _, b in now)
    rate_before = sum(b for _, b in before) / sum(m + b for m, b in before)
    extra = int(Decimal(breached_now - decided_now * rate_before).quantize(Decimal("1"), ROUND_HALF_UP))
    text = report.generate(con, everyone, organisation(), "md").decode("utf-8")
    section = text.split("## Departments that slipped", 1)[1].split("\n## ", 1)[0]
    line = next(line for line in section.splitlines() if line.startswith("Procurement: "))
    assert line.startswith(f"Procurement: {extra:,} breaches more than its earlier adherence would give in the "
                           "last 4 weeks. Largest by category: ")
    away = alone.gone()
    assert "; by agent: " in line and away.startswith("no SLA target came due or was met in the last 4 weeks for ")
    assert f"{away[0].upper()}{away[1:]}." in line


@pytest.mark.parametrize("extra, says", [
    ({"priority": "urgent", "split": "Agent"}, "No agent has 10 decided targets or more in both spans"),
    # Sales' high-priority phone calls: 4 in the sample, none in the 13 weeks to W46. (Filters that
    # match nothing in any week stop the page with one notice instead: test_pages.)
    ({"dept": "Sales", "channel": "phone", "priority": "high"}, "exclude all 763 requests"),
])
def test_the_sections_empty_states_explain_themselves(dashboard, extra, says):
    dashboard.query_params["dept"] = "Procurement"
    for key, value in extra.items():
        dashboard.query_params[key] = value
    at = rendered(dashboard, "pages/sla.py")
    texts = [c.value for c in at.caption] + [i.value for i in at.info]
    assert any(says in text for text in texts), texts
    assert not any("Adherence by agent" in c.proto.spec for c in at.get("vega_lite_chart"))
    # Not the counts of nothing ("0 in the 4 weeks ... and 0 in the 8 weeks before").
    assert not any(text.startswith("Not enough decided SLA targets") for text in texts)


def test_requests_without_a_requester_department_are_named_for_what_they_are(con):
    # External customers have no requester department: their row says so, not "(none)".
    week = parse_iso_week(WEEK, ZONE)
    selection = Selection(week, Filters(), data_info(con).as_of(datetime.now(timezone.utc)))
    run = lambda name, params: queries.run(con, name, params)  # noqa: E731
    (finance,) = breakdown.per_department(run, selection, week, "requester_department", ["Finance"]).values()
    external = con.execute(
        "select count(*) from requests where provider_department = 'Finance' and requester_department is null "
        "and requester_type = 'external'").fetchone()[0]
    assert external > 0 and "(external, or not recorded)" in set(finance.rows["value"])


def test_requests_without_a_provider_department_are_a_department_of_their_own_in_the_report():
    # A source exporting no provider department slips like any other: the slipping table, the
    # per-department breakdown and the report's line all name it "(no provider department)".
    def run(name, params):
        if name == "data_extent":
            return pd.DataFrame({"first_created_at": [None]})
        assert name == "adherence_matrix"
        recent = params["start_at"].date() == RECENT.start
        rows = [(None, "Desk", 10, 30) if recent else (None, "Desk", 40, 2),  # NULL, as the query gives it
                ("IT", "Laptop", 40, 2) if recent else ("IT", "Laptop", 80, 4)]
        if params["column_dimension"] == "":
            rows = [(department, None, met, breached) for department, _, met, breached in rows]
        return pd.DataFrame(rows, columns=["row_value", "column_value", "n_met", "n_breached"])

    week = parse_iso_week(WEEK, ZONE)
    selection = Selection(week, Filters(), datetime(2026, 11, 18, tzinfo=timezone.utc))
    assert set(weekly.adherence_by(run, selection, RECENT)["group_value"]) == {"(no provider department)", "IT"}
    (desk,) = breakdown.per_department(run, selection, week, "category", ["(no provider department)"]).values()
    # 30 breached of 40 decided now, against 2 of 42 before: 30 - 40 * 2/42 = 28.1 more.
    assert desk.rows["value"].tolist() == ["Desk"] and desk.extra_breaches == pytest.approx(30 - 40 * 2 / 42)
    assert report._source_text("(no provider department)", (desk,)) == (
        "(no provider department): 28 breaches more than its earlier adherence would give in the last 4 weeks. "
        "Largest by category: Desk +28.")


def test_a_report_line_names_no_value_where_none_has_enough_and_none_where_nothing_compares():
    # 7 and 9 decided now: neither category is compared, though together (16 and 19) they are.
    # 8 breached of 16 now; at 2 of 19 before, 16 * 2/19 = 1.68: 6.3 more, shown 6.
    thin = by_hand([("A", 3, 4), ("B", 5, 4)], [("A", 8, 1), ("B", 9, 1)])
    assert thin.comparable and thin.most_extra() == ""
    assert report._source_text("Legal", (thin,)) == (
        "Legal: 6 breaches more than its earlier adherence would give in the last 4 weeks. No category has 10 "
        "decided targets in both spans, so none is named.")
    few = breakdown.Breakdown("category", RECENT, BASELINE, adherence_shift(counts([("A", 3, 2)]), counts([])))
    assert report._source_text("Legal", (few,)) is None  # spans that cannot be compared: no line, no crash
