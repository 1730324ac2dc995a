"""What needs attention now (the overview's and the weekly report's last word on the open work):
sentences on counts set by hand, and the sample's counts against independent SQL over requests
and request_sla, against the SLA page's backlog, no-reply and at-risk lists, on the page and in the
report."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from servicelevel import attention, queries, store
from servicelevel.datainfo import data_info
from servicelevel.filters import Filters, Selection, parse_iso_week
from servicelevel.settings import organisation
from tests.apptest_support import page_links, rendered
from tests.test_report import markdown, md_sections, md_table

ZONE = ZoneInfo("America/Sao_Paulo")  # UTC-3 all year
AS_OF = datetime(2026, 11, 18, 14, 50, tzinfo=timezone.utc)
NO_ROWS = pd.DataFrame(columns=["request_id"])


def by_hand(rows: list[tuple], provider: str | None = None, scope: str = "") -> attention.Attention:
    """Rows of (group, overdue, no reply, due soon), none of them overdue long; or of (group,
    overdue, of them long overdue, no reply, due soon)."""
    rows = [row if len(row) == 5 else (row[0], row[1], 0, *row[2:]) for row in rows]
    frame = pd.DataFrame(rows, columns=["group_value", "n_overdue", "n_long_overdue", "n_no_reply", "n_due_soon"])
    split = "provider_department" if provider is None else "requester"
    return attention.Attention(AS_OF, 8, frame, NO_ROWS, split, provider, scope)


def test_the_departments_holding_most_are_named_and_the_rest_summed():
    # Overdue: 20 + 9 + 6 named, 4 + 1 = 5 others, 40 in all. No reply: Procurement 3, Payroll 1.
    # Due soon: Legal 5, IT 3, Procurement 2, Finance 1 (named rather than "others 1"), Sales and
    # Payroll 0 left out: 11 in all.
    said = by_hand([("Procurement", 20, 3, 2), ("Legal", 9, 0, 5), ("Sales", 6, 0, 0), ("IT", 4, 0, 3),
                    ("Payroll", 1, 1, 0), ("Finance", 0, 0, 1)]).sentence(ZONE)
    assert said == (
        "As of 18 Nov 2026 11:50 (the data's newest timestamp): 40 open requests are past their resolution "
        "deadline (Procurement 20, Legal 9, Sales 6, others 5), 4 open requests are past their first-response "
        "deadline with no reply yet (Procurement 3, Payroll 1), and 11 SLA targets fall due within the next 8 "
        "business hours (Legal 5, IT 3, Procurement 2, Finance 1).")


def test_one_department_holding_a_count_is_named_and_one_request_is_singular():
    said = by_hand([("Legal", 1, 1, 0), (None, 0, 0, 1)]).sentence(ZONE)
    assert said == (
        "As of 18 Nov 2026 11:50 (the data's newest timestamp): 1 open request is past its resolution deadline, "
        "in Legal, 1 open request is past its first-response deadline with no reply yet, in Legal, and 1 SLA "
        "target falls due within the next 8 business hours, in (no provider department).")


def test_one_providers_open_work_is_split_by_whom_it_serves():
    said = by_hand([("Logistics", 30, 0, 4), ("IT", 19, 0, 0), (None, 12, 0, 1), ("Sales", 9, 0, 5),
                    ("Legal", 3, 0, 0), ("Umbrella Example Inc", 2, 0, 0)], provider="Procurement").sentence(ZONE)
    # Overdue: 30 + 19 + 12 named, 9 + 3 + 2 = 14 others. Due soon: all four holding any are named.
    assert said == (
        "As of 18 Nov 2026 11:50 (the data's newest timestamp), for Procurement as provider: 75 open requests are "
        "past their resolution deadline (requested by Logistics 30, IT 19, individual or unrecorded requesters 12, "
        "others 14), no open request is past its first-response deadline with no reply yet, and 10 SLA targets fall due within the next 8 business hours (requested by Sales 5, Logistics "
        "4, individual or unrecorded requesters 1).")
    assert by_hand([("Logistics", 2, 2, 0)], provider="Procurement").sentence(ZONE).endswith(
        "2 open requests are past their resolution deadline, all requested by Logistics, 2 open requests are past "
        "their first-response deadline with no reply yet, all requested by Logistics, and no SLA target falls "
        "due within the next 8 business hours.")
    assert by_hand([], provider="Procurement").sentence(ZONE) == (
        "As of 18 Nov 2026 11:50 (the data's newest timestamp), for Procurement as provider: no open request is "
        "past its resolution deadline or past its first-response deadline with no reply yet, and no SLA target "
        "falls due within the next 8 business hours.")
    # The table names requests without a department or organisation in its own way.
    table = by_hand([(None, 3, 1, 0)], provider="Procurement").named_groups()
    assert table.to_dict("records") == [
        {"requester": "(individual, or not recorded)", "n_overdue": 3, "n_long_overdue": 0, "n_no_reply": 1,
         "n_due_soon": 0}]


def test_requests_long_past_their_deadline_are_told_apart():
    # Overdue 40, of them long overdue: Procurement 12, Legal 5, Sales 1, IT 1 (19); no reply 0.
    said = by_hand([("Procurement", 20, 12, 0, 0), ("Legal", 9, 5, 0, 0), ("Sales", 6, 1, 0, 0),
                    ("IT", 5, 1, 0, 0)]).sentence(ZONE)
    assert said.endswith(
        "no SLA target falls due within the next 8 business hours. Of the 40 past their resolution deadline, 19 "
        "are more than 30 days past it (Procurement 12, Legal 5, Sales 1, IT 1).")
    assert by_hand([("Legal", 3, 1, 0, 0)]).sentence(ZONE).endswith(
        "Of the 3 past their resolution deadline, 1 is more than 30 days past it, in Legal.")
    assert by_hand([("Legal", 2, 2, 0, 0), ("IT", 1, 1, 0, 0)]).sentence(ZONE).endswith(
        " All 3 past their resolution deadline are more than 30 days past it.")
    assert by_hand([("Legal", 1, 1, 0, 0)]).sentence(ZONE).endswith(
        " The one past its resolution deadline is more than 30 days past it.")
    assert by_hand([("Legal", 4, 0, 0, 0)]).sentence(ZONE).endswith("business hours.")  # none: nothing said


def test_ties_with_the_last_named_are_named_and_a_single_other_is_too():
    said = by_hand([("IT", 30, 0, 0), ("Legal", 15, 0, 0), ("HR", 15, 0, 0), ("Sales", 15, 0, 0),
                    ("Payroll", 2, 0, 0), ("Finance", 1, 0, 0)]).sentence(ZONE)
    assert "(IT 30, HR 15, Legal 15, Sales 15, others 3)" in said or "(IT 30, Legal 15, HR 15, Sales 15, others 3)" in said
    said = by_hand([("IT", 30, 0, 0), ("Legal", 9, 0, 0), ("HR", 6, 0, 0), ("Sales", 1, 0, 0)]).sentence(ZONE)
    assert "(IT 30, Legal 9, HR 6, Sales 1)" in said


def test_nothing_open_to_worry_about_says_so_in_one_sentence():
    assert by_hand([]).sentence(ZONE) == (
        "As of 18 Nov 2026 11:50 (the data's newest timestamp), no open request is past its resolution deadline "
        "or past its first-response deadline with no reply yet, and no SLA target falls due within the next 8 "
        "business hours.")
    assert by_hand([("IT", 0, 0, 2), ("HR", 0, 0, 1)]).sentence(ZONE).endswith(
        "no open request is past its resolution deadline, no open request is past its first-response deadline "
        "with no reply yet, and 3 SLA targets fall due within the next 8 business hours (IT 2, HR 1).")
    # Only customers waiting for a first reply: no all-clear.
    assert by_hand([("IT", 0, 2, 0)]).sentence(ZONE).endswith(
        "no open request is past its resolution deadline, 2 open requests are past their first-response deadline "
        "with no reply yet, all in IT, and no SLA target falls due within the next 8 business hours.")


def test_the_sentence_names_the_filters_its_counts_are_of():
    # Read on its own (forwarded, or in the report), "2 open requests" must say of which requests.
    assert by_hand([("IT", 2, 0, 0)], scope="priority urgent").sentence(ZONE).startswith(
        "As of 18 Nov 2026 11:50 (the data's newest timestamp), for priority urgent: 2 open requests are past")
    assert by_hand([], provider="Procurement", scope="external requesters").sentence(ZONE).startswith(
        "As of 18 Nov 2026 11:50 (the data's newest timestamp), for Procurement as provider (external "
        "requesters): no open request is past")
    assert by_hand([], scope="channel phone").sentence(ZONE).startswith(
        "As of 18 Nov 2026 11:50 (the data's newest timestamp), for channel phone: no open request")


def test_the_page_names_its_filters_in_the_sentence_but_not_the_provider_twice(dashboard):
    dashboard.query_params.update(dept="Procurement", priority="urgent")
    said = next(t.value for t in rendered(dashboard).text if t.value.startswith("As of "))
    assert ", for Procurement as provider (priority urgent): " in said


@pytest.fixture
def con(sample_db_path):
    connection = store.connect(sample_db_path)
    yield connection
    connection.close()


def sample_selection(con, filters: Filters = Filters()) -> Selection:
    org = organisation()
    return Selection(parse_iso_week("2026-W46", org.timezone), filters,
                     data_info(con).as_of(datetime.now(timezone.utc)))


def independent_counts(con, as_of: datetime, within_secs: int, provider: str | None = None) -> pd.DataFrame:
    """Per provider department (or, for one `provider`, per requester department, else organisation):
    requests open just after as_of (read from `requests`: created by then, neither resolved nor
    closed by then, and not resolved or closed without a time) past the resolution deadline the SLA
    engine gave them, and those of them more than 30 calendar days past it; those with no first
    response in `requests` past the first-response deadline the engine gave them (where the source
    records first responses); and the SLA engine's own at-risk rows as of that instant."""
    group = ("r.provider_department" if provider is None
             else "coalesce(r.requester_department, r.requester_org)")
    open_work = con.execute(
        f"""select {group} as grp,
                  count(*) filter (where s.res_deadline_at <= $as_of) as n_overdue,
                  count(*) filter (where s.res_deadline_at < $as_of - interval 30 days) as n_long_overdue,
                  count(*) filter (where r.first_response_at is null and s.fr_na_reason is null
                                     and s.fr_deadline_at <= $as_of) as n_no_reply
           from requests r join request_sla s using (source, request_id)
           where r.created_at <= $as_of
             and coalesce(r.resolved_at, r.closed_at, timestamptz '9999-01-01') > $as_of
             and not (r.resolved_at is null and r.closed_at is null and r.status in ('resolved', 'closed'))
             and ($provider is null or r.provider_department = $provider)
           group by 1""", {"as_of": as_of, "provider": provider}).df()
    at_risk = queries.run(con, "sla_at_risk", {**Filters().params(), "as_of": as_of, "within_secs": within_secs,
                                               "max_rows": 1_000_000})
    groups = con.execute(f"select r.source, r.request_id, {group} as grp from requests r").df()
    at_risk = at_risk.merge(groups, on=["source", "request_id"])
    if provider is not None:
        at_risk = at_risk[at_risk["provider_department"] == provider]
    due = at_risk.groupby("grp", dropna=False).size().rename("n_due_soon").reset_index()
    counts = open_work.merge(due, on="grp", how="outer").fillna(0)
    counts = counts[(counts["n_overdue"] > 0) | (counts["n_no_reply"] > 0) | (counts["n_due_soon"] > 0)]
    return counts.astype({"n_overdue": int, "n_long_overdue": int, "n_no_reply": int, "n_due_soon": int}
                         ).set_index("grp").sort_index()


def test_the_samples_counts_match_independent_sql_and_the_sla_pages_own_lists(con):
    selection = sample_selection(con)
    now = attention.attention(lambda name, params: queries.run(con, name, params), selection)
    expected = independent_counts(con, selection.as_of, 8 * 3600)
    got = now.by_group.set_index("group_value").sort_index()
    pd.testing.assert_frame_equal(got.astype(int), expected, check_names=False)
    assert now.n_overdue > 50 and now.n_no_reply > 5 and now.n_due_soon > 10  # the sample has all three to show
    assert 0 < now.n_long_overdue < now.n_overdue  # and stale requests among the overdue
    # The SLA page's backlog, for a period ending now, counts the same overdue requests.
    backlog = queries.run(con, "backlog", {**Filters().params(), "end_at": selection.as_of})
    assert backlog["n_past_deadline"].sum() == now.n_overdue
    # The list is the at-risk list's head, least business time left first.
    assert len(now.due_soonest) == attention.LISTED
    assert now.due_soonest["remaining_business_secs"].is_monotonic_increasing


def test_the_overview_ends_with_what_needs_attention_and_the_report_says_the_same(dashboard, con):
    at = rendered(dashboard)
    assert "Needs attention now" in [h.value for h in at.subheader]
    expected = independent_counts(con, sample_selection(con).as_of, 8 * 3600)
    said = next(t.value for t in at.text if t.value.startswith("As of "))
    assert f": {expected['n_overdue'].sum():,} open requests are past their resolution deadline (" in said
    assert (f", {expected['n_no_reply'].sum():,} open requests are past their first-response deadline with no "
            "reply yet (") in said
    assert f"and {expected['n_due_soon'].sum():,} SLA targets fall due within the next 8 business hours (" in said
    shown = next(df.value for df in at.dataframe if "n_overdue" in df.value.columns)
    report_rows = md_table(md_sections(markdown(con))["Needs attention now"])
    assert [(r["Provider department"], int(r["Past resolution deadline"]), int(r["Of them, over 30 days past"]),
             int(r["No reply, past first-response deadline"]), int(r["Due within 8 business hours"]))
            for r in report_rows] == list(shown.itertuples(index=False, name=None))
    # The long overdue, by department: those named with their own counts, the rest as others.
    lead = f" Of the {expected['n_overdue'].sum():,} past their resolution deadline, "
    n_long, listed = said.split(lead, 1)[1].removesuffix(").").split(" are more than 30 days past it (")
    assert int(n_long.replace(",", "")) == expected["n_long_overdue"].sum()
    named = dict(part.rsplit(" ", 1) for part in listed.split(", "))
    others = int(named.pop("others", "0"))
    assert {d: int(n) for d, n in named.items()} == expected.loc[list(named), "n_long_overdue"].to_dict()
    assert others == expected["n_long_overdue"].sum() - sum(map(int, named.values())) and len(named) >= 3
    assert said in "\n".join(md_sections(markdown(con))["Needs attention now"])
    # How soon, twice: the time left and the deadline side by side, not the deadline scrolled out of view.
    soonest = next(df.value for df in at.dataframe if "remaining_business_hours" in df.value.columns)
    columns = list(soonest.columns)
    assert columns[columns.index("remaining_business_hours") + 1] == "deadline_at"


def test_a_department_with_one_target_due_soon_says_the_target_not_the_1_targets(dashboard, con):
    # Legal, in the sample, has a single SLA target due within 8 business hours of the newest data.
    due = independent_counts(con, sample_selection(con).as_of, 8 * 3600).loc["Legal", "n_due_soon"]
    assert due == 1
    dashboard.query_params["dept"] = "Legal"
    at = rendered(dashboard)
    assert "**The target due soonest**" in [m.value for m in at.main.markdown]
    assert "The SLA target due soonest (least business time left first;" in "\n".join(
        md_sections(markdown(con, Filters(provider_departments=("Legal",))))["Needs attention now"])


def test_a_department_link_counts_its_own_open_work_only(dashboard, con):
    dashboard.query_params["dept"] = "Procurement"
    at = rendered(dashboard)
    said = next(t.value for t in at.text if t.value.startswith("As of "))
    expected = independent_counts(con, sample_selection(con).as_of, 8 * 3600)
    procurement = expected.loc["Procurement"]
    assert (f"{procurement['n_overdue']:,} open requests are past their resolution deadline (requested by "
            in said.split("for Procurement as provider: ", 1)[1])
    # One department's open work, by the departments it serves: they add up to its own row.
    by_requester = independent_counts(con, sample_selection(con).as_of, 8 * 3600, provider="Procurement")
    assert len(by_requester) > 3 and by_requester.sum().to_dict() == procurement.to_dict()
    shown = next(df.value for df in at.dataframe if "n_overdue" in df.value.columns)
    assert list(shown.columns) == ["requester", "n_overdue", "n_long_overdue", "n_no_reply", "n_due_soon"]
    assert shown.set_index("requester").sort_index().astype(int).to_dict() == by_requester.rename(
        index=lambda d: "(individual, or not recorded)" if pd.isna(d) else d).sort_index().to_dict()
    report_rows = md_table(md_sections(markdown(con, Filters(provider_departments=("Procurement",))))[
        "Needs attention now"])
    assert [(r["Requester"], int(r["Past resolution deadline"]), int(r["Of them, over 30 days past"]),
             int(r["No reply, past first-response deadline"]), int(r["Due within 8 business hours"]))
            for r in report_rows] == list(shown.itertuples(index=False, name=None))


def test_the_link_to_every_waiting_request_opens_the_sla_page_where_its_backlog_is_counted_now(dashboard, con):
    from streamlit.testing.v1 import AppTest
    from urllib.parse import parse_qs, urlsplit

    dashboard.query_params["dept"] = "Procurement"
    dashboard.query_params["week"] = "2026-W45"  # an earlier week: the link must not keep it
    at = rendered(dashboard)
    caption = next(c.value for c in at.caption if "whichever week the page shows" in c.value)
    link = urlsplit(page_links(caption)["SLA adherence page"])
    # The sample's newest data, Wednesday 18 November 2026, lies in 2026-W47.
    assert (link.path, parse_qs(link.query)) == ("sla", {"dept": ["Procurement"], "week": ["2026-W47"]})
    assert link.fragment == "backlog-by-age"  # the lists, at the page's end
    sla = AppTest.from_file(dashboard._script_path, default_timeout=90)
    for key, values in parse_qs(link.query).items():
        sla.query_params[key] = values[0]
    sla = rendered(sla, "pages/sla.py")
    overdue = next(df.value for df in sla.dataframe if "days_overdue" in df.value.columns)
    no_reply = next(df.value for df in sla.dataframe if "hours_overdue" in df.value.columns)
    expected = independent_counts(con, sample_selection(con).as_of, 8 * 3600).loc["Procurement"]
    assert (len(overdue), len(no_reply)) == (expected["n_overdue"], expected["n_no_reply"])  # the overview's counts
    assert (overdue["days_overdue"] > 30).sum() == expected["n_long_overdue"] > 0  # as the list counts days overdue
    assert expected["n_no_reply"] > 1


def test_filters_that_empty_the_week_still_count_every_open_request(dashboard, con):
    # Finance's low-priority phone calls from external customers: none in W46, but requests open
    # now may be from any week. All of these were resolved or closed: an all-clear, for them.
    n_all, n_open = con.execute(
        """select count(*), count(*) filter (where resolved_at is null and closed_at is null) from requests
           where requester_type = 'external' and provider_department = 'Finance' and priority = 'low'
             and channel = 'phone'""").fetchone()
    assert n_all > 0 and n_open == 0
    dashboard.query_params.update(requester="External", dept="Finance", priority="low", channel="phone")
    at = rendered(dashboard)
    assert [s.value.split(": ", 1)[0].split(", for ", 1)[1] for s in at.success if "no open request is past" in s.value] \
        == ["Finance as provider (external requesters; priority low; channel phone)"]
    assert not any(i.value.startswith("No open requests") for i in at.info)


def test_the_no_reply_list_at_a_weeks_end_matches_independent_sql(con):
    """Looking back from the end of 2026-W46 (Monday 16 November 00:00 in São Paulo): requests open
    then whose first response had not come by then (later or never) although its deadline had
    passed, with the calendar hours since that deadline."""
    end_at = datetime(2026, 11, 16, 3, 0, tzinfo=timezone.utc)
    listed = queries.run(con, "no_reply", {**Filters().params(), "end_at": end_at, "max_rows": 1000})
    expected = con.execute(
        """select r.request_id, (epoch(timestamptz '2026-11-16 03:00+00') - epoch(s.fr_deadline_at)) / 3600 as hours
           from requests r join request_sla s using (source, request_id)
           where r.created_at < $end_at
             and coalesce(r.resolved_at, r.closed_at, timestamptz '9999-01-01') >= $end_at
             and not (r.resolved_at is null and r.closed_at is null and r.status in ('resolved', 'closed'))
             and coalesce(r.first_response_at, timestamptz '9999-01-01') > $end_at
             and s.fr_na_reason is null and s.fr_deadline_at <= $end_at
           order by s.fr_deadline_at, r.request_id""", {"end_at": end_at}).df()
    assert len(expected) > 5  # some answered after the week's end: still waiting then
    assert listed["request_id"].tolist() == expected["request_id"].tolist()
    assert listed["hours_overdue"].round(6).tolist() == expected["hours"].round(6).tolist()
    assert (listed["n_no_reply"] == len(expected)).all()
    assert listed["fr_deadline_at"].is_monotonic_increasing  # longest overdue first
