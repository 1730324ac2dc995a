"""Every page on the bundled sample, in real Streamlit (AppTest): it renders, filters change the
numbers, empty periods explain themselves, and the overview's numbers match independent SQL."""

from __future__ import annotations

import json
import re
import statistics
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pandas as pd
from streamlit.proto.Metric_pb2 import Metric
import pytest
from streamlit.testing.v1 import AppTest

from servicelevel import queries, store, weekly
from servicelevel.datainfo import data_info
from servicelevel.fields import EVENT_FIELDS, FEEDBACK_FIELDS, REQUEST_FIELDS
from servicelevel.filters import Filters, parse_iso_week
from servicelevel.ingest import import_file
from servicelevel.policies import load_policies
from servicelevel.sample import BAD_ROWS
from servicelevel.settings import organisation
from servicelevel.ui.sidebar import LATEST_WEEK
from servicelevel.ui.widgets import slug
from tests.apptest_support import chart_data, chart_title, page_links, rendered
from tests.handmade import import_answers, import_requests
from tests.independent_counts import (decided_targets, first_day, first_week_code, fisher_two_sided,
                                      reassignment_counts_by_source)
from servicelevel import PROJECT_ROOT
from tests.reference_clock import RefCalendar, business_seconds

PAGES = ["pages/overview.py", "pages/sla.py", "pages/departments.py", "pages/data.py", "pages/request.py"]
PAGE_TITLES = {"pages/overview.py": "Weekly overview", "pages/sla.py": "SLA adherence",
               "pages/departments.py": "Internal departments", "pages/recurring.py": "Recurring problems",
               "pages/feedback.py": "Feedback"}
# The sample anchored on Monday 2026-11-16: its last complete week is 2026-W46 (9-15 November),
# in the organisation's zone America/Sao_Paulo (UTC-3 all year).
WEEK_START = datetime(2026, 11, 9, 3, 0, tzinfo=timezone.utc)
WEEK_END = WEEK_START + timedelta(days=7)


@pytest.fixture
def app(dashboard) -> AppTest:
    return dashboard


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_sample(app, page):
    at = rendered(app, page)
    assert at.title, f"{page} has no title"
    # A missing value is an empty cell, not the word "None" (Streamlit's default).
    assert all(df.proto.HasField("placeholder") and df.proto.placeholder == "" for df in at.dataframe), page


def test_the_default_week_is_the_last_complete_week_of_the_data(app):
    at = rendered(app)
    assert at.selectbox(key="week").value == LATEST_WEEK
    assert at.selectbox(key="week").options[:2] == ["Last complete week", "2026-W47"]
    assert "2026-W46" in at.caption[0].value
    assert at.sidebar.caption[1].value.startswith("2026-W46: 09 Nov – 15 Nov 2026 · the last complete week")


def test_data_holding_no_whole_week_opens_on_the_week_it_has(tmp_path, monkeypatch):
    # A first export covering Monday and Tuesday of 2026-W10: the last complete week, W09, would be
    # empty.
    path = tmp_path / "two_days.duckdb"
    con = store.connect(path)
    try:
        import_requests(con, tmp_path, [{"request_id": "D1", "created_at": "2026-03-02T14:00:00Z"},
                                        {"request_id": "D2", "created_at": "2026-03-03T14:00:00Z"}])
    finally:
        con.close()
    monkeypatch.setenv("SERVICELEVEL_DB", str(path))
    at = rendered(AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90))
    assert at.selectbox(key="week").value == LATEST_WEEK
    assert at.selectbox(key="week").options == ["Latest week", "2026-W10"]
    assert at.sidebar.caption[1].value.startswith(
        "2026-W10: 02 Mar – 08 Mar 2026 · not over yet in the data: no whole week of data yet")
    assert metrics(at)["Volume so far"] == "2"
    # No survey answers at all: CSAT says so, not "response rate 0.0%" nor "too few to trust".
    assert metrics(at)["CSAT"] == "–" and "goal 85.0% · answers 0" in [c.value for c in at.caption]


def test_a_request_resolved_at_the_newest_instant_is_not_open_now(tmp_path, monkeypatch):
    # The export's newest timestamp is R2's resolution: R1 and R3 are open now, R2 is not, on
    # the tile, the SLA page's backlog and what needs attention alike.
    path = tmp_path / "resolved_last.duckdb"
    con = store.connect(path)
    try:
        import_requests(con, tmp_path, [
            {"request_id": "R1", "created_at": "2026-03-02T12:00:00Z"},
            {"request_id": "R2", "created_at": "2026-03-02T13:00:00Z", "first_response_at": "2026-03-02T13:30:00Z",
             "resolved_at": "2026-03-04T18:30:00Z", "status": "resolved"},
            {"request_id": "R3", "created_at": "2026-03-03T12:00:00Z"},
        ])
    finally:
        con.close()
    monkeypatch.setenv("SERVICELEVEL_DB", str(path))
    overview = rendered(AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90))
    assert metrics(overview)["Backlog now"] == "2"
    sla = rendered(AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90), "pages/sla.py")
    backlog = next(df.value for df in sla.dataframe if "bucket" in df.value.columns)
    assert int(backlog["n_open"].sum()) == 2
    overdue = next((df.value for df in sla.dataframe if "days_overdue" in df.value.columns), pd.DataFrame())
    assert set(overdue.get("request_id", [])) <= {"R1", "R3"}
    attention = next(t.value for t in [*overview.text, *overview.success] if t.value.startswith("As of 04 Mar 2026 15:30"))
    n_overdue = len(overdue)
    assert (f"{n_overdue} open request" in attention) if n_overdue else ("no open request is past" in attention)


def test_a_promise_whose_stop_time_is_unknown_is_neither_kept_nor_broken(tmp_path, monkeypatch):
    # P3's status says resolved but the export gives no time: it is left out, as from the
    # backlog. Of the rest, due Tuesday 3 March: P1 kept, P2 resolved late, P4 still open.
    path = tmp_path / "unknown_stop.duckdb"
    con = store.connect(path)
    try:
        due = "2026-03-03T12:00:00Z"
        import_requests(con, tmp_path, [
            {"request_id": "P1", "created_at": "2026-03-02T12:00:00Z", "resolved_at": "2026-03-02T18:00:00Z",
             "status": "resolved", "due_at": due},
            {"request_id": "P2", "created_at": "2026-03-02T12:00:00Z", "resolved_at": "2026-03-04T12:00:00Z",
             "status": "resolved", "due_at": due},
            {"request_id": "P3", "created_at": "2026-03-02T12:00:00Z", "status": "resolved", "due_at": due},
            {"request_id": "P4", "created_at": "2026-03-02T13:00:00Z", "due_at": due},
        ])
    finally:
        con.close()
    monkeypatch.setenv("SERVICELEVEL_DB", str(path))
    overview = rendered(AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90))
    assert metrics(overview)["Promises kept"] == "33.3%"
    promises_caption = next(c.value for c in overview.caption
                            if c.value.startswith("goal 90.0%") and "policy average" not in c.value)
    assert " · decided so far 3 · " in promises_caption
    sla = rendered(AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90), "pages/sla.py")
    assert next(t.value for t in sla.text if "promises kept" in t.value).startswith("1 of 3 promises kept (33.3%)")
    broken = next(df.value for df in sla.dataframe if "hours_late" in df.value.columns)
    assert dict(zip(broken["request_id"], broken["is_open"])) == {"P4": True, "P2": False}


@pytest.mark.parametrize("days_later, said", [
    # The sample's newest timestamp is a first response on Wednesday 18 Nov 2026 at 14:58 UTC, 11:58 in São Paulo.
    (0.1, "Data up to 18 Nov 2026 11:58, less than a day old."),
    (7, "Data up to 18 Nov 2026 11:58, 7 days old."),
    (-1, "Data up to 18 Nov 2026 11:58, later than now: running SLAs are judged as of now."),
    # The bundled sample alone: no newer export exists, so the way to newer data is said instead.
    (12, ":material/warning: **Data up to 18 Nov 2026 11:58, 12 days old: the bundled sample, generated up to "
         "then. On a new database file the dashboard generates it up to this week (README: Quick start); "
         "or import your own exports on the Data & definitions page.**"),
])
def test_the_sidebar_says_how_old_the_data_is_and_warns_when_older_than_a_week(app, sample_db_path, monkeypatch,
                                                                              days_later, said):
    con = store.connect(sample_db_path)
    try:
        newest = data_info(con).data_as_of
    finally:
        con.close()
    monkeypatch.setattr("servicelevel.ui.data.now_utc", lambda: newest + timedelta(days=days_later))
    at = rendered(app)
    assert at.sidebar.caption[0].value == said


def met_and_breached(con, prefix: str, params: dict, internal_provider: str | None = None) -> tuple[int, int]:
    """Targets (fr or res) decided in [$start, $end), straight from request_sla (with
    `internal_provider`: that provider department's, for internal requesters only). Met: stopped
    inside the week (and by as_of) within target. Breached: the deadline fell inside the week, and
    the request either stopped late or had not stopped."""
    scope = "" if internal_provider is None else (
        "and (source, request_id) in (select source, request_id from requests "
        "where provider_department = $dept and requester_type = 'internal')")
    return con.execute(
        f"""select
                count(*) filter (where {prefix}_stopped_at >= $start and {prefix}_stopped_at < $end
                                 and {prefix}_stopped_at <= $as_of
                                 and {prefix}_elapsed_business_secs <= {prefix}_target_secs),
                count(*) filter (where {prefix}_deadline_at >= $start and {prefix}_deadline_at < $end
                                 and {prefix}_deadline_at <= $as_of
                                 and ({prefix}_stopped_at is null or {prefix}_stopped_at > $as_of
                                      or {prefix}_elapsed_business_secs > {prefix}_target_secs))
            from request_sla
            where {prefix}_na_reason is null and {prefix}_target_secs is not null {scope}""",
        params if internal_provider is None else {**params, "dept": internal_provider},
    ).fetchone()


def overview_reference(path) -> dict[str, str]:
    """The overview's tiles for 2026-W46, computed here straight from the tables."""
    con = store.connect(path)
    try:
        as_of = con.execute(
            """select max(greatest(created_at, coalesce(updated_at, created_at),
                      coalesce(first_response_at, created_at), coalesce(resolved_at, created_at),
                      coalesce(closed_at, created_at))) from requests"""
        ).fetchone()[0]
        params = {"start": WEEK_START, "end": WEEK_END, "as_of": as_of}
        volume = con.execute(
            "select count(*) from requests where created_at >= $start and created_at < $end",
            {"start": WEEK_START, "end": WEEK_END},
        ).fetchone()[0]

        def adherence(prefix: str) -> float:
            met, breached = met_and_breached(con, prefix, params)
            return met / (met + breached)

        median_frt = con.execute(
            """select median(fr_elapsed_business_secs) / 3600 from request_sla
               where fr_stopped_at >= $start and fr_stopped_at < $end""",
            {"start": WEEK_START, "end": WEEK_END},
        ).fetchone()[0]
        csat = con.execute(
            """select avg(case when f.score >= 4 then 1.0 else 0.0 end)
               from feedback as f join requests as r
                 on r.source = f.request_source and r.request_id = f.request_id
               where f.submitted_at >= $start and f.submitted_at < $end""",
            {"start": WEEK_START, "end": WEEK_END},
        ).fetchone()[0]
        backlog = con.execute(
            """select count(*) from requests where created_at < $end
               and coalesce(resolved_at, closed_at, timestamptz '9999-01-01') >= $end""",
            {"end": WEEK_END},
        ).fetchone()[0]
        first_response, resolution = adherence("fr"), adherence("res")
        kept, due = con.execute(
            """select count(*) filter (where coalesce(resolved_at, closed_at) <= due_at),
                      count(*) filter (where coalesce(resolved_at, closed_at) is not null or due_at <= $as_of)
               from requests where due_at >= $start and due_at < $end""",
            params,
        ).fetchone()
    finally:
        con.close()

    def shown(value: float, scale: int = 1) -> str:
        # One decimal, halves up, on the number as written (0.95 h is 1.0 h), as tables show it.
        return str((Decimal(repr(value)) * scale).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    return {
        "Volume": f"{volume:,}",
        "Response SLA": f"{shown(first_response, 100)}%",  # first-response adherence
        "Resolution SLA": f"{shown(resolution, 100)}%",  # resolution adherence
        "First response": f"{shown(median_frt)} h",  # median first response
        "CSAT": f"{shown(csat, 100)}%",
        "Backlog": f"{backlog:,}",  # at week end
        "Promises kept": f"{shown(kept / due, 100)}%",
    }


def test_the_scorecard_heads_each_role_with_its_adherence_and_links_to_the_departments_breaches(app, sample_db_path):
    con = store.connect(sample_db_path)
    try:
        params = {"start": WEEK_START, "end": WEEK_END,
                  "as_of": data_info(con).as_of(datetime.now(timezone.utc))}
        def targets(weeks_back: int) -> tuple[int, int]:  # (met, decided) of the week `weeks_back` before W46
            start = WEEK_START - timedelta(days=7 * weeks_back)
            counts = [met_and_breached(con, prefix, {**params, "start": start, "end": start + timedelta(days=7)},
                                       internal_provider="Procurement") for prefix in ("fr", "res")]
            return sum(m for m, _ in counts), sum(m + b for m, b in counts)

        weeks = [targets(back) for back in range(11, -1, -1)]  # W35 to W46
    finally:
        con.close()
    (met_before, decided_before), (met, decided) = weeks[-2:]
    app.query_params["unit"] = "Procurement"
    at = rendered(app, "pages/departments.py")
    provider = next(m for m in at.metric if m.label == "SLA adherence as provider")
    rate = Decimal(100 * met / decided).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert provider.value == f"{rate}%"
    # Its change from W45, as the overview's tiles give theirs: both weeks rest on 30 or more, but
    # the 12 weeks fell further (their first 4 pooled against their last 4): grey, and said.
    rate_before = Decimal(100 * met_before / decided_before).quantize(Decimal("0.1"), ROUND_HALF_UP)
    ends = [Decimal(100 * sum(m for m, _ in four) / sum(n for _, n in four)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            for four in (weeks[:4], weeks[-4:])]
    assert min(decided, decided_before) >= 30 and rate > rate_before and ends[0] - ends[1] > rate - rate_before
    assert (provider.delta, Metric.MetricColor.Name(provider.proto.color)) == (f"{rate - rate_before:+.1f} pp", "GRAY")
    # The caption names the period: the overview's 4-week figure for the department is near by. A
    # rise chance could make says so beside the trend it goes against (the SLA page, without the
    # trend, calls it chance too).
    chance = fisher_two_sided(met, decided - met, met_before, decided_before - met_before) >= 0.05
    assert any(c.value.startswith(f"2026-W46 (09 Nov – 15 Nov 2026): {met:,} met of {decided:,} decided · goal ")
               and c.value.endswith(f" · change from 2026-W45 (02 Nov – 08 Nov 2026)"
                                    f"{' · change could be chance' if chance else ''} · counter to a worsening trend "
                                    f"{ends[0]}% → {ends[1]}% (first 4 weeks against last 4 of 12)")
               for c in at.caption)
    link = next(page_links(m.value) for m in at.markdown if "breaches and requests at risk" in m.value)
    assert link == {
        "Procurement's breaches and requests at risk: SLA adherence →": "sla?dept=Procurement&requester=Internal"}


def test_a_scorecards_change_chance_could_make_is_grey_and_says_so(app, sample_db_path):
    # Finance as provider, W46 against W45, by independent counts and the reference Fisher test.
    con = store.connect(sample_db_path)
    try:
        as_of = data_info(con).as_of(datetime.now(timezone.utc))

        def targets(start) -> tuple[int, int]:  # (met, breached), both metrics, of the week from `start`
            counts = [met_and_breached(con, prefix, {"start": start, "end": start + timedelta(days=7), "as_of": as_of},
                                       internal_provider="Finance") for prefix in ("fr", "res")]
            return sum(m for m, _ in counts), sum(b for _, b in counts)

        now, before = targets(WEEK_START), targets(WEEK_START - timedelta(days=7))
    finally:
        con.close()
    assert fisher_two_sided(*now, *before) >= 0.05 and min(sum(now), sum(before)) >= 30
    app.query_params["unit"] = "Finance"
    at = rendered(app, "pages/departments.py")
    provider = next(m for m in at.metric if m.label == "SLA adherence as provider")
    assert provider.delta and Metric.MetricColor.Name(provider.proto.color) == "GRAY"
    assert any(c.value.startswith(f"2026-W46 (09 Nov – 15 Nov 2026): {now[0]:,} met of {sum(now):,} decided")
               and " · change from 2026-W45 (02 Nov – 08 Nov 2026) · change could be chance" in c.value
               for c in at.caption)


def hours_shown(secs: float) -> Decimal:
    return Decimal(secs / 3600).quantize(Decimal("0.1"), ROUND_HALF_UP)


def first_response_secs(con, start: datetime, provider: str | None = None, requester_type: str | None = None
                        ) -> list[int]:
    """Business seconds to first response of the first responses given in the week from `start`, of
    one provider department or requester type (or all)."""
    return [secs for (secs,) in con.execute(
        """select s.fr_elapsed_business_secs from request_sla as s join requests as r using (source, request_id)
           where s.fr_stopped_at >= $start and s.fr_stopped_at < $start + interval 7 days
             and s.fr_elapsed_business_secs is not null
             and ($provider is null or r.provider_department = $provider)
             and ($requester_type is null or r.requester_type = $requester_type)""",
        {"provider": provider, "requester_type": requester_type, "start": start}).fetchall()]


def median_test_p(now: list[int], before: list[int]) -> float:
    """Mood's median test: each week's values above the pooled median against the rest, by the
    reference Fisher test."""
    pooled = statistics.median(now + before)
    above_now, above_before = (sum(secs > pooled for secs in values) for values in (now, before))
    return fisher_two_sided(above_now, len(now) - above_now, above_before, len(before) - above_before)


@pytest.mark.parametrize(("provider", "week"), [("Finance", 41), ("IT", 41)])
def test_the_median_first_responses_change_is_coloured_only_beyond_chance(app, sample_db_path, provider, week):
    # Mood's median test: each week's first responses above the two weeks' pooled median, against
    # the rest, by the reference Fisher test. In the sample, Finance's W41 fell 0.5 h on about 60
    # first responses a week, which chance could make; IT's fell 0.2 h on about 300, which it could not.
    start = WEEK_START - timedelta(days=7 * (46 - week))
    con = store.connect(sample_db_path)
    try:
        now, before = (first_response_secs(con, s, provider=provider) for s in (start, start - timedelta(days=7)))
    finally:
        con.close()
    chance = median_test_p(now, before) >= 0.05
    change = hours_shown(statistics.median(now)) - hours_shown(statistics.median(before))
    assert min(len(now), len(before)) >= 30 and change < 0 and chance == (provider == "Finance")
    app.query_params.update(dept=provider, week=f"2026-W{week}")
    at = rendered(app)
    tile = next(m for m in at.metric if m.label == "First response")
    assert (tile.delta, Metric.MetricColor.Name(tile.proto.color)) == (f"{change:+.1f} h", "GRAY" if chance else "GREEN")
    assert any(c.value == f"median, business hours · first responses {len(now)} · change could be chance"
               for c in at.caption) == chance


def test_each_requester_segments_median_first_response_is_tested_on_its_own(sample_db_path):
    con = store.connect(sample_db_path)
    try:
        got = weekly.first_response_median_change_p(lambda name, params: queries.run(con, name, params),
                                                    Filters(), parse_iso_week("2026-W46", "America/Sao_Paulo"))
        expected = {segment: median_test_p(*(first_response_secs(con, start, requester_type=requester_type)
                                             for start in (WEEK_START, WEEK_START - timedelta(days=7))))
                    for segment, requester_type in (("all", None), ("internal", "internal"),
                                                    ("external", "external"))}
    finally:
        con.close()
    assert got == pytest.approx(expected, abs=1e-9)


def test_the_breaches_caption_counts_what_the_table_holds(app, sample_db_path):
    con = store.connect(sample_db_path)
    try:
        as_of = data_info(con).as_of(datetime.now(timezone.utc))
        params = {"start": WEEK_START, "end": WEEK_END, "as_of": as_of}
        breached = sum(met_and_breached(con, prefix, params)[1] for prefix in ("fr", "res"))
    finally:
        con.close()
    at = rendered(app)
    assert breached > 25
    assert any(c.value.startswith(f"The 25 largest overruns of the {breached:,} SLA targets breached this week")
               for c in at.caption)


def test_the_link_to_every_breach_opens_the_sla_page_on_the_tables_week_at_its_breaches(app):
    # A custom range: the overview's table holds the range's last whole week, W46; so does the link.
    app.query_params["period"] = "Range"
    app.query_params["range"] = ["2026-10-19", "2026-11-15"]
    app.query_params["priority"] = "high"
    at = rendered(app)
    caption = next(c.value for c in at.caption if c.value.startswith("The 25 largest overruns of the "))
    assert "(all of them: <a " in caption
    link = urlsplit(page_links(caption)["SLA adherence page"])
    assert (link.path, parse_qs(link.query), link.fragment) == (
        "sla", {"priority": ["high"], "week": ["2026-W46"]}, "breaches")
    sla = rendered(app, "pages/sla.py")
    assert any(h.value == "Breaches of either target" and h.proto.anchor == "breaches" for h in sla.subheader)


def test_a_breaches_table_holding_every_breach_says_so(app):
    # A department with fewer breaches than the table's length: the caption says all of them are there.
    app.query_params["requester"] = "Internal"
    app.query_params["dept"] = "Finance"
    at = rendered(app)
    listed = next(df.value for df in at.dataframe if "overrun_business_hours" in df.value.columns)
    # Finance, internal, W46: 35 first responses decided, 31 met; 38 resolutions, 30 met (4 + 8).
    assert len(listed) == 12  # fewer than the 25 the table could hold
    assert any(c.value.startswith(f"All {len(listed)} SLA targets breached this week, largest overrun first")
               for c in at.caption)


def test_the_sla_pages_lists_give_the_counts_the_overview_sends_readers_to_them_for(app, sample_db_path):
    overview = rendered(app)
    caption = next(c.value for c in overview.caption if c.value.startswith("The 25 largest overruns of the "))
    n_breached = int(caption.removeprefix("The 25 largest overruns of the ").split(" ")[0].replace(",", ""))
    now = next(t.value for t in overview.text if t.value.startswith("As of "))
    n_due_soon = int(re.search(r"(\d+) SLA targets fall due within the next 8 business hours", now).group(1))
    con = store.connect(sample_db_path)
    try:  # W46's breached targets, both metrics, deadline in the week and past by the data's end
        as_of = data_info(con).as_of(datetime.now(timezone.utc))
        breached = sum(con.execute(
            f"""select count(*) from request_sla
                where {p}_deadline_at >= timestamptz '2026-11-09 00:00:00-03'
                  and {p}_deadline_at < timestamptz '2026-11-16 00:00:00-03' and {p}_deadline_at <= $as_of
                  and ({p}_stopped_at is null or {p}_stopped_at > $as_of
                       or {p}_elapsed_business_secs > {p}_target_secs)""", {"as_of": as_of}).fetchone()[0]
            for p in ("fr", "res"))
    finally:
        con.close()
    assert n_breached == breached
    sla = rendered(app, "pages/sla.py")
    captions = [c.value for c in sla.caption]
    assert any(c.startswith(f"All {breached} SLA targets breached in the period, first response and resolution")
               for c in captions)
    assert any(c.startswith(f"All {n_due_soon} SLA targets falling due within 8 business hours,") for c in captions)
    lists = {name: next(df.value for df in sla.dataframe if column in df.value.columns)
             for name, column in (("breaches", "overrun_business_hours"), ("at risk", "remaining_business_hours"))}
    assert (len(lists["breaches"]), len(lists["at risk"])) == (breached, n_due_soon)


def test_request_lists_name_a_missing_priority_or_agent_as_the_heatmaps_name_its_group(app, sample_db_path):
    # Zendesk's tickets without a priority, and the newest Jira requests not yet assigned: the lists
    # read "(no priority)" and "(unassigned)", as the heatmap's row and the agent breakdown do,
    # not an empty cell that looks like a value lost.
    con = store.connect(sample_db_path)
    try:
        no_priority = {r for (r,) in con.execute(
            "select request_id from requests where source = 'zendesk' and priority is null").fetchall()}
        unassigned = {r for (r,) in con.execute(
            "select request_id from requests where source = 'jira' and agent is null").fetchall()}
    finally:
        con.close()
    app.query_params["week"] = "2026-W46"
    breaches = next(df.value for df in rendered(app, "pages/sla.py").dataframe
                    if "overrun_business_hours" in df.value.columns)
    without = breaches[breaches["request_id"].isin(no_priority)]
    assert len(without) > 0 and set(without["priority"]) == {"(no priority)"}
    assert breaches["priority"].notna().all() and breaches["agent"].notna().all()
    app.query_params["week"] = "2026-W47"  # the week holding the newest data: its at-risk list
    at_risk = next(df.value for df in rendered(app, "pages/sla.py").dataframe
                   if "remaining_business_hours" in df.value.columns)
    waiting = at_risk[at_risk["request_id"].isin(unassigned)]
    assert len(waiting) > 0 and set(waiting["agent"]) == {"(unassigned)"}


def test_an_earlier_weeks_overdue_lists_give_the_count_needs_attention_now_gives(app):
    # W46's lists count at its end (16 Nov 00:00); the overview's "Needs attention now" counts at the
    # data's newest timestamp. The lists say the latter too, with the same numbers, a link away.
    now = next(t.value for t in rendered(app).text if t.value.startswith("As of "))
    overdue_now = int(re.search(r": ([\d,]+) open requests are past their resolution deadline", now).group(1))
    no_reply_now = int(re.search(r"([\d,]+) open requests are past their first-response deadline", now).group(1))
    sla = rendered(app, "pages/sla.py")
    said = [c.value for c in sla.caption if "At the data's newest timestamp" in c.value]
    assert len(said) == 2
    assert f"18 Nov 2026 11:58, there are {overdue_now:,}, as the weekly overview's" in said[0]
    assert f"18 Nov 2026 11:58, there are {no_reply_now:,}, as the weekly overview's" in said[1]
    link = urlsplit(page_links(said[0])["listed on the week holding it"])
    assert (parse_qs(link.query)["week"], link.fragment) == (["2026-W47"], "backlog-by-age")
    # On the week holding the newest data, the lists already count then: nothing to add.
    running = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)  # the same database
    running.query_params["week"] = "2026-W47"
    running = rendered(running, "pages/sla.py")
    assert any(c.value.startswith(f"All {overdue_now} requests open at 18 Nov 2026 11:") for c in running.caption)
    assert not any("At the data's newest timestamp" in c.value for c in running.caption)


def test_one_request_needing_attention_now_is_said_in_the_singular(app):
    # Finance's W46: one open request past its first-response deadline at the data's newest
    # timestamp, as the overview's "Needs attention now" says; the SLA page said "there are 1".
    app.query_params["dept"] = "Finance"
    now = next(t.value for t in rendered(app).text if t.value.startswith("As of "))
    assert re.search(r"\b1 open request is past its first-response deadline", now), now
    said = [c.value for c in rendered(app, "pages/sla.py").caption if "At the data's newest timestamp" in c.value]
    assert ", there is 1, as the weekly overview's" in said[1]


def test_an_around_the_clock_overrun_counts_every_hour(app):
    # The column says "business h": on a 24x7 policy, every hour is one, so a stopped breach's
    # overrun is simply the time from its deadline to its stop. The caption says so.
    app.query_params["week"] = "2026-W40"
    at = rendered(app, "pages/sla.py")
    listed = next(df.value for df in at.dataframe if "overrun_business_hours" in df.value.columns)
    around_the_clock = listed[(listed["policy_name"] == "Urgent, around the clock") & listed["stopped_at"].notna()]
    assert len(around_the_clock) > 0
    wall_clock_hours = (around_the_clock["stopped_at"] - around_the_clock["deadline_at"]).dt.total_seconds() / 3600
    # The table rounds hours to one decimal.
    assert (around_the_clock["overrun_business_hours"] - wall_clock_hours).abs().max() <= 0.05 + 1e-9
    assert any("Overrun = hours past the target on the policy's clock: business hours, or every hour for a 24x7 "
               "policy" in c.value for c in at.caption)


def test_the_resolution_times_say_what_they_count_and_why_it_is_not_the_decided_targets(app, sample_db_path):
    app.query_params["clock"] = "Calendar hours"
    at = rendered(app, "pages/sla.py")
    said = next(c.value for c in at.caption if " requests resolved in the period · median " in c.value)
    con = store.connect(sample_db_path)
    try:  # every request resolved (else closed) in W46, in the organisation's zone
        resolved = con.execute(
            """select count(*) from requests
               where coalesce(resolved_at, closed_at) >= timestamptz '2026-11-09 00:00:00-03'
                 and coalesce(resolved_at, closed_at) < timestamptz '2026-11-16 00:00:00-03'""").fetchone()[0]
    finally:
        con.close()
    assert said.startswith(f"{resolved:,} requests resolved in the period")
    assert "The adherence above counts the targets decided in the period instead" in said


def test_overview_tiles_equal_an_independent_query(app, sample_db_path):
    at = rendered(app)
    assert metrics(at) == overview_reference(sample_db_path)


def test_a_link_with_a_bare_iso_week_opens_that_week(app):
    app.query_params["week"] = "2026-W45"  # as `python -m servicelevel report --week` takes it
    at = rendered(app)
    assert at.selectbox(key="week").value == "2026-W45"
    assert at.caption[0].value.startswith("2026-W45 (02 Nov – 08 Nov 2026)")
    assert not at.warning


def test_a_link_to_the_latest_week_by_its_url_value_opens_it_quietly(app):
    app.query_params["week"] = LATEST_WEEK  # "latest", as someone may type it into a link
    at = rendered(app)
    assert at.selectbox(key="week").value == LATEST_WEEK
    assert at.caption[0].value.startswith("2026-W46 (09 Nov – 15 Nov 2026)")
    assert not at.warning


def test_a_link_to_a_week_outside_the_data_says_so(app):
    app.query_params["week"] = "2020-W02"
    at = rendered(app)
    assert at.selectbox(key="week").value == LATEST_WEEK
    assert "'2020-W02', which is not a week of the data" in at.warning[0].value


def test_a_link_with_filter_values_the_data_lacks_says_so(app):
    app.query_params["dept"] = ["Finanse", "IT"]  # as someone may type it: one right, one not
    app.query_params["requester"] = "Internals"
    at = rendered(app)
    notices = [w.value for w in at.warning]
    assert notices == [
        "The link asks for requester 'Internals', which is not one of its choices (did you mean 'Internal'? "
        "Values are spelled as the page shows them): that filter is not applied.",
        "The link asks for provider departments 'Finanse', which is not one of the data's (did you mean "
        "'Finance'? Values are spelled as the page shows them): the filter keeps the link's other values.",
    ]
    assert at.multiselect(key="dept").value == ["IT"]  # the value the data has still applies


def test_a_link_gives_a_provider_type_as_the_filter_shows_it(app):
    app.query_params["provider_type"] = "Third-party"
    at = rendered(app)
    assert at.multiselect(key="provider_type").value == ["third_party"] and not at.warning
    assert at.caption[0].value.endswith("· provider type third-party · compared with the week before")


def test_a_link_with_a_provider_type_spelled_as_stored_says_how_the_filter_spells_it(app):
    app.query_params["provider_type"] = "third_party"
    at = rendered(app)
    assert at.multiselect(key="provider_type").value == []
    assert [w.value for w in at.warning] == [
        "The link asks for provider type 'third_party', which is not one of the data's (did you mean "
        "'Third-party'? Values are spelled as the page shows them): that filter is not applied."
    ]


def test_a_hand_typed_link_in_another_case_is_read_as_the_page_spells_it(app):
    app.query_params["dept"] = ["procurement", "LEGAL"]
    app.query_params["requester"] = "internal"
    app.query_params["metric"] = "first response"
    at = rendered(app, "pages/sla.py")
    assert not at.warning
    assert at.multiselect(key="dept").value == ["Procurement", "Legal"]
    assert at.segmented_control(key="metric").value == "first_response"
    assert "· internal requesters; provider " in at.caption[0].value
    # The link now reads as the page spells it, so a copy of it is too.
    assert {key: app.query_params[key] for key in ("dept", "requester", "metric")} == {
        "dept": ["Procurement", "Legal"], "requester": "Internal", "metric": "First response"}
    # A value no choice matches, whatever its case, is still reported, not guessed.
    app.query_params["dept"] = "procure"
    assert any("The link asks for provider departments 'procure'" in w.value for w in rendered(app).warning)


def test_a_link_read_in_another_case_still_says_what_else_it_asks_for_that_is_not_shown(app):
    # Reading "procurement" as "Procurement" (in the sidebar) or "priority" as "Priority" (further
    # down the page) rewrites the link and runs the page again; by then the week and the target
    # the link misspelt are no longer in it, and the notices must survive.
    app.query_params["week"] = "2020-W02"
    app.query_params["dept"] = "procurement"
    app.query_params["metric"] = "Speed"
    app.query_params["split"] = "priority"
    at = rendered(app, "pages/sla.py")
    assert at.multiselect(key="dept").value == ["Procurement"]
    assert at.segmented_control(key="split").value == "priority"
    notices = [w.value for w in at.warning]
    assert sum("'2020-W02', which is not a week of the data" in n for n in notices) == 1
    assert sum(n.startswith("The link asks for target 'Speed'") for n in notices) == 1


def test_the_channel_filter_spells_codes_as_the_tables_do(tmp_path, monkeypatch):
    path = tmp_path / "walk_in.duckdb"
    con = store.connect(path)
    try:
        import_requests(con, tmp_path, [
            {"request_id": "W1", "created_at": "2026-03-03T14:00:00Z", "channel": "walk_in"},
            {"request_id": "W2", "created_at": "2026-03-04T14:00:00Z", "channel": "email"},
        ])
    finally:
        con.close()
    monkeypatch.setenv("SERVICELEVEL_DB", str(path))
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["channel"] = "walk-in"
    at = rendered(at)
    assert at.multiselect(key="channel").value == ["walk_in"]
    # (The data's one week is not over: the only warning says that.)
    assert [w.value for w in at.warning if "is not over in the data" not in w.value] == []
    assert "· channel walk-in ·" in at.caption[0].value


@pytest.mark.parametrize("target, name, tile", [("Resolution", "Resolution adherence", "Resolution SLA"),
                                                ("First response", "First-response adherence", "Response SLA")])
def test_the_sla_pages_headline_is_the_overviews_tile_for_the_week(app, sample_db_path, target, name, tile):
    app.query_params["metric"] = target
    at = rendered(app, "pages/sla.py")
    # Both targets' headlines open the page, each over its own caption, whichever target is chosen.
    assert [m.label for m in at.main.metric][:2] == ["First-response adherence", "Resolution adherence"]
    column = next(c for c in at.columns if c.metric and c.metric[0].label == name)
    headline = column.metric[0]
    assert headline.value == overview_reference(sample_db_path)[tile]  # an independent query
    # Its goal blends the decided targets' policy goals, as the tile's does: averaged here per target.
    prefix = "fr" if target == "First response" else "res"
    con = store.connect(sample_db_path)
    try:
        as_of = con.execute("select max(greatest(created_at, coalesce(updated_at, created_at), coalesce(first_response_at,"
                            " created_at), coalesce(resolved_at, created_at), coalesce(closed_at, created_at)))"
                            " from requests").fetchone()[0]
        goal = con.execute(
            f"""select avg({prefix}_goal) from request_sla
                where {prefix}_na_reason is null and {prefix}_target_secs is not null
                  and ((coalesce({prefix}_stopped_at <= $as_of, false) and {prefix}_stopped_at >= $start
                        and {prefix}_stopped_at < $end and {prefix}_elapsed_business_secs <= {prefix}_target_secs)
                    or ({prefix}_deadline_at >= $start and {prefix}_deadline_at < $end and {prefix}_deadline_at <= $as_of
                        and ({prefix}_stopped_at is null or {prefix}_stopped_at > $as_of
                             or {prefix}_elapsed_business_secs > {prefix}_target_secs)))""",
            {"start": WEEK_START, "end": WEEK_END, "as_of": as_of}).fetchone()[0]
    finally:
        con.close()
    caption = column.caption[0].value
    percent = (Decimal(repr(goal)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert f" decided · goal {percent}% (policy average) " in caption  # as the overview's tiles say it


@pytest.mark.parametrize("prefix, name", [("fr", "First-response adherence"), ("res", "Resolution adherence")])
def test_the_sla_pages_headlines_give_their_change_from_the_week_before(app, sample_db_path, prefix, name):
    # W46 against W45 from request_sla directly; whether chance could make the change, by the
    # reference Fisher test. The first response's 665 of 755 against about as many shows no change.
    con = store.connect(sample_db_path)
    try:
        as_of = data_info(con).as_of(datetime.now(timezone.utc))
        weeks = [met_and_breached(con, prefix, {"start": start, "end": start + timedelta(days=7), "as_of": as_of})
                 for start in (WEEK_START - timedelta(days=7), WEEK_START)]
    finally:
        con.close()
    (met_before, breached_before), (met, breached) = weeks
    shown = [Decimal(100 * m / (m + b)).quantize(Decimal("0.1"), ROUND_HALF_UP) for m, b in weeks]
    at = rendered(app, "pages/sla.py")
    column = next(c for c in at.columns if c.metric and c.metric[0].label == name)
    headline = column.metric[0]
    change = shown[1] - shown[0]
    assert headline.delta == ("no change" if change == 0 else f"{change:+.1f} pp")
    chance = fisher_two_sided(met, breached, met_before, breached_before) >= 0.05
    news = change != 0 and not chance
    assert (Metric.MetricColor.Name(headline.proto.color) == "GRAY") == (not news)
    caption = column.caption[0].value
    assert caption.startswith(f"{met:,} met of {met + breached:,} decided · goal ")
    assert " · change from 2026-W45 (02 Nov – 08 Nov 2026)" in caption
    assert caption.endswith(" · change could be chance") == (change != 0 and chance)
    assert prefix == "fr" and change == 0 or prefix == "res" and change != 0  # both cases are met


def test_the_sla_page_says_the_filters_exclude_the_week_only_where_a_section_counts_the_week(app, sample_db_path):
    # Finance's low-priority phone calls from external customers: 58 in the sample, none in W46,
    # and none of them open.
    con = store.connect(sample_db_path)
    try:
        n_all, n_in_week, n_open = con.execute(
            """select count(*), count(*) filter (where created_at >= $start and created_at < $end),
                      count(*) filter (where resolved_at is null and closed_at is null)
               from requests where requester_type = 'external' and provider_department = 'Finance'
                 and priority = 'low' and channel = 'phone'""", {"start": WEEK_START, "end": WEEK_END}).fetchone()
    finally:
        con.close()
    assert n_in_week == 0 < n_all and n_open == 0
    app.query_params["requester"] = "External"
    app.query_params["dept"] = "Finance"
    app.query_params["priority"] = "low"
    app.query_params["channel"] = "phone"
    at = rendered(app, "pages/sla.py")
    excluded = [i.value for i in at.info if "exclude all " in i.value]
    assert any(m.startswith("No breaches: the filters (external requesters; provider Finance; priority low; channel "
                            "phone) exclude all ") for m in excluded)
    assert any(m.startswith("No resolutions: the filters") for m in excluded)  # the histogram says it alike
    assert all(" requests of 2026-W46 " in m for m in excluded)
    # The at-risk list and the backlog count requests open at an instant, created whenever: the
    # filters keep 58 of those, none open, which is good news and not a week the filters empty.
    assert [s.value.split(" 1")[0] for s in at.success] == [
        "No running request is due within 8 business hours of", "No request was open at"]


def test_the_overview_says_why_a_section_is_empty_in_the_terms_of_its_own_weeks(app, sample_db_path):
    # Urgent requests through social media: none created in W46, some in the 12 weeks to it.
    con = store.connect(sample_db_path)
    try:
        n_in_week, n_in_12_weeks = con.execute(
            """select count(*) filter (where created_at >= $start and created_at < $end),
                      count(*) filter (where created_at >= $start - interval 77 days and created_at < $end)
               from requests where priority = 'urgent' and channel = 'social'""",
            {"start": WEEK_START, "end": WEEK_END}).fetchone()
    finally:
        con.close()
    assert n_in_week == 0 < n_in_12_weeks
    app.query_params["priority"] = "urgent"
    app.query_params["channel"] = "social"
    at = rendered(app)
    said = [i.value for i in at.info]
    # The week's own sections (tiles, movers against the week before, breaches) say the filters
    # exclude the week's requests ...
    excluded = [m for m in said if "exclude all " in m]
    assert [m.split(":")[0] for m in excluded] == ["No requests this week", "No SLA targets decided",
                                                 "No SLA targets decided"]
    assert all(" requests of 2026-W46 " in m for m in excluded)
    # ... the sections over the last 4 and 12 weeks say what they lack there instead,
    assert any(m.startswith("Not enough decided SLA targets in both spans to compare departments") for m in said)
    assert any(m.startswith("No provider department has 10 decided SLA targets and a goal over the last 4 weeks")
               for m in said)
    # ... and what needs attention now is counted over every open request, whenever created.
    assert [s.value.split(":")[-1].strip() for s in at.success] == [
        "no open request is past its resolution deadline or past its first-response deadline with no reply yet, "
        "and no SLA target falls due within the next 8 business hours."]


def test_a_link_with_an_at_risk_window_out_of_range_says_so(app):
    app.query_params["risk_hours"] = "50"
    at = rendered(app, "pages/sla.py")
    assert [w.value for w in at.warning] == [
        "The link asks for 50 business hours, which is not a whole number from 1 to 40: showing 8."]
    assert at.slider(key="risk_hours").value == 8


@pytest.mark.parametrize("page, key, value, label, shown, default", [
    ("pages/sla.py", "metric", "first-response", "target", "First response", "resolution"),
    ("pages/sla.py", "clock", "business", "clock", "Business hours", "business"),
    ("pages/departments.py", "unit", "Financ", "department", "Finance", None),
])
def test_a_link_value_a_pages_own_choice_lacks_is_named_where_the_choice_is(app, page, key, value, label, shown,
                                                                            default):
    app.query_params[key] = value
    at = rendered(app, page)
    assert [w.value for w in at.warning] == [
        f"The link asks for {label} '{value}', which is not one of its choices (did you mean '{shown}'? "
        "Values are spelled as the page shows them): showing the page's default instead."
    ]
    widget = at.selectbox(key=key) if key == "unit" else at.segmented_control(key=key)
    if default is not None:
        assert widget.value == default


def test_a_link_with_a_misspelt_period_says_so_once(app):
    app.query_params["period"] = "Rnage"
    app.query_params["range"] = ["2026-10-01", "2026-10-31"]
    at = rendered(app)
    assert [w.value for w in at.warning] == [
        "The link asks for period 'Rnage', which is not one of its choices (did you mean 'Range'? Values are "
        "spelled as the page shows them): showing a week."
    ]


def test_a_link_with_a_range_but_no_range_period_says_how_to_show_it(app):
    app.query_params["range"] = ["2026-10-01", "2026-10-31"]
    at = rendered(app)
    assert at.segmented_control(key="period").value == "Week"
    assert [w.value for w in at.warning] == [
        "The link gives a range (2026-10-01 – 2026-10-31) without period=Range, so it shows a week; add "
        "period=Range to the link to show the range."
    ]


def test_a_link_to_a_range_before_the_data_says_so(app):
    app.query_params["period"] = "Range"
    app.query_params["range"] = ["2020-01-06", "2020-01-12"]
    at = rendered(app)
    assert "2020-01-06 – 2020-01-12, which is not a range of the data" in at.warning[0].value


@pytest.mark.parametrize("first_day, shown", [
    ("2026-10-30", "its last whole week, 2026-W45 (02 Nov – 08 Nov 2026)"),
    ("2026-11-10", "the week holding most of its days, 2026-W46 (09 Nov – 15 Nov 2026)"),
    ("2026-11-04", "the week holding most of its days, 2026-W45 (02 Nov – 08 Nov 2026)"),
])
def test_a_custom_range_on_the_overview_says_which_iso_week_the_tiles_show(app, first_day, shown):
    app.query_params["period"] = "Range"
    app.query_params["range"] = [first_day, "2026-11-12"]
    at = rendered(app)
    note = next(i.value for i in at.info if "custom range" in i.value)
    assert shown in note and "count the range itself" in note


@pytest.mark.parametrize("first_day, last_day", [("2026-10-01", "2026-10-20"), ("2026-10-14", "2026-10-20")])
def test_a_custom_range_not_starting_on_a_monday_counts_whole_weeks_on_the_tiles(app, sample_db_path, first_day,
                                                                                  last_day):
    # Both ranges end on Tuesday 20 October, and the second holds five days of 12-18 October and
    # two of the week after: the tiles show Monday 12 to Sunday 18 October against the week
    # before, counted here straight from the requests table.
    app.query_params["period"] = "Range"
    app.query_params["range"] = [first_day, last_day]
    at = rendered(app)
    zone = ZoneInfo("America/Sao_Paulo")
    bounds = [datetime(2026, 10, day, tzinfo=zone) for day in (5, 12, 19)]
    con = store.connect(sample_db_path)
    try:
        before, this_week = (
            con.execute("select count(*) from requests where created_at >= $a and created_at < $b",
                        {"a": a, "b": b}).fetchone()[0]
            for a, b in zip(bounds, bounds[1:])
        )
    finally:
        con.close()
    volume = next(m for m in at.metric if m.label == "Volume")
    assert int(volume.value.replace(",", "")) == this_week
    assert int(volume.delta.replace(",", "")) == this_week - before
    assert "2026-W42 (12 Oct – 18 Oct 2026)" in at.caption[0].value


def test_a_custom_range_running_past_the_data_shows_its_last_week_with_data(app):
    week = AppTest.from_file(app._script_path, default_timeout=90)
    week.query_params["week"] = "2026-W46"
    whole_week = metrics(rendered(week))
    app.query_params["period"] = "Range"
    app.query_params["range"] = ["2026-11-10", "2026-12-10"]  # the sample's data ends on 18 November
    at = rendered(app)
    note = next(i.value for i in at.info if "custom range" in i.value)
    assert "2026-W46 (09 Nov – 15 Nov 2026)" in note and "runs past the data, which ends on 18 Nov 2026" in note
    assert metrics(at) == whole_week


@pytest.mark.parametrize("first_day, overview_warns", [("2026-11-02", False), ("2026-11-16", True)])
def test_a_range_to_the_datas_last_day_warns_on_the_overview_only_when_the_week_it_shows_is_not_over(
        app, first_day, overview_warns):
    # The sample's data ends on Wednesday 18 November. From 2 November the overview shows the whole
    # week 9-15 November; from 16 November it holds no whole week and shows that running week.
    app.query_params["period"] = "Range"
    app.query_params["range"] = [first_day, "2026-11-18"]
    overview = rendered(app)
    unfinished = [w.value for w in overview.warning if "is not over in the data" in w.value]
    assert bool(unfinished) == overview_warns
    if overview_warns:
        assert unfinished[0].startswith("2026-W47 (16 Nov – 22 Nov 2026) is not over in the data")
    # The SLA page counts the range itself, which the data does not finish.
    sla = rendered(app, "pages/sla.py")
    assert [w.value for w in sla.warning if "is not over in the data" in w.value] == [
        f"{first_day[8:]} Nov 2026 – 18 Nov 2026 is not over in the data: it ends at Wed 18 Nov 11:58. Its counts "
        "cover part of the period, so comparisons with whole weeks before it need care."]


def test_a_link_to_a_one_day_range_shows_that_day_without_a_warning(app):
    # The date picker writes a one-day range to the link as the same date twice.
    app.query_params["period"] = "Range"
    app.query_params["range"] = ["2026-11-10", "2026-11-10"]
    at = rendered(app, "pages/sla.py")
    assert not at.warning
    assert at.caption[0].value.startswith("10 Nov 2026 · ")


def test_a_range_given_the_wrong_way_round_is_read_in_order(app):
    app.query_params["period"] = "Range"
    app.query_params["range"] = ["2026-11-08", "2026-11-02"]
    at = rendered(app, "pages/sla.py")
    assert at.caption[0].value.startswith("2026-W45 (02 Nov – 08 Nov 2026)")  # Monday to Sunday: the ISO week


def test_the_kpi_table_leads_with_the_week_code_and_the_tiles_values_in_the_tiles_order(app):
    at = rendered(app)
    weeks = next(df.value for df in at.dataframe if "n_created" in df.value.columns)
    assert list(weeks.columns[:9]) == ["week", "week_start", "segment", "n_created", "fr_adherence", "res_adherence",
                                       "median_frt_business_hours", "csat", "backlog_at_end"]
    # The newest week first, named as the sidebar and links name it: Monday 9 November 2026 is 2026-W46.
    newest = weeks.iloc[0]
    assert (newest["week"], str(pd.Timestamp(newest["week_start"]).date())) == ("2026-W46", "2026-11-09")
    tiles = metrics(at)
    all_rows = weeks[(weeks["week"] == "2026-W46") & (weeks["segment"] == "all")].iloc[0]
    assert f"{all_rows['fr_adherence']:.1f}%" == tiles["Response SLA"]
    assert f"{all_rows['res_adherence']:.1f}%" == tiles["Resolution SLA"]


def test_a_department_serving_internal_customers_only_lists_each_week_once(app, sample_db_path):
    con = store.connect(sample_db_path)
    try:  # Procurement serves other departments only, in the sample
        assert con.execute("select list(distinct requester_type) from requests "
                           "where provider_department = 'Procurement'").fetchone()[0] == ["internal"]
    finally:
        con.close()
    app.query_params["dept"] = "Procurement"
    at = rendered(app)
    weeks = next(df.value for df in at.dataframe if "n_created" in df.value.columns)
    assert set(weeks["segment"]) == {"all"} and weeks["week"].is_unique and len(weeks) == 12
    assert any(c.value.endswith("'all' is every request the filters keep, all of them internal.") for c in at.caption)
    # Finance serves both: each week three times, all, internal and external.
    finance = AppTest.from_file(app._script_path, default_timeout=90)
    finance.query_params["dept"] = "Finance"
    weeks = next(df.value for df in rendered(finance).dataframe if "n_created" in df.value.columns)
    assert sorted(weeks["segment"].value_counts().items()) == [("all", 12), ("external", 12), ("internal", 12)]


def test_a_backlog_that_grew_over_the_twelve_weeks_says_its_trend(app, sample_db_path):
    # Procurement's backlog at each of the 12 week ends to W46's, counted here as the README defines
    # it: created before the week's end, not resolved or closed by then, its stop known.
    con = store.connect(sample_db_path)
    try:
        ends = [WEEK_END - timedelta(weeks=k) for k in range(11, -1, -1)]
        backlog = [con.execute(
            """select count(*) from requests
               where provider_department = 'Procurement' and created_at < $end
                 and coalesce(resolved_at, closed_at, timestamptz 'infinity') >= $end
                 and not (resolved_at is null and closed_at is null and status in ('resolved', 'closed'))""",
            {"end": end}).fetchone()[0] for end in ends]
    finally:
        con.close()
    first, last = (Decimal(sum(four)) / 4 for four in (backlog[:4], backlog[-4:]))
    first, last = (int(end.quantize(Decimal(1), rounding=ROUND_HALF_UP)) for end in (first, last))
    assert last >= first * 1.2  # slipping in the sample: its backlog grew by more than a fifth
    app.query_params["dept"] = "Procurement"
    at = rendered(app)
    assert metrics(at)["Backlog"] == f"{backlog[-1]:,}"
    said = f"at week end · worsening trend {first} → {last} (first 4 weeks against last 4 of 12)"
    assert any(c.value.startswith(said) for c in at.caption), said
    # Volume says what it counts.
    assert any(c.value.startswith("requests created") for c in at.caption)


def test_the_first_week_of_data_has_no_week_before_to_compare_with(app, sample_db_path):
    first = first_day(sample_db_path)
    app.query_params["week"] = first_week_code(sample_db_path)
    at = rendered(app)
    volume = next(m for m in at.metric if m.label == "Volume")
    assert int(volume.value.replace(",", "")) > 0 and not volume.delta
    assert at.caption[0].value.endswith("· the first week of the data: none before it to compare with")
    weeks = next(df.value for df in at.dataframe if "n_created" in df.value.columns)
    assert weeks["week"].nunique() == 1  # no empty weeks before the data drawn as zeros
    # Rates closer together than 5 points get an axis 5 points wide around them (whole-percent
    # ticks, no label twice); wider ones fit the axis themselves.
    narrow = 0
    for spec, frames in chart_data(at):
        if "adherence by week" in chart_title(spec).lower():
            column = next(c for c in frames[0].columns if c.endswith("adherence"))
            rates = [*frames[0][column].dropna(), *frames[1]["goal"]]
            scale = spec["layer"][0]["encoding"]["y"]["scale"]
            if max(rates) - min(rates) < 0.05:
                narrow += 1
                low, high = scale["domain"]
                assert high - low == pytest.approx(0.05) and low <= min(rates) <= max(rates) <= high
            else:
                assert "domain" not in scale
    assert narrow  # the sample's first week has such a chart
    assert any(h.value.endswith("(the data starts this week)") for h in at.subheader)
    infos = [i.value for i in at.info]
    assert "The data starts this week: there is no week before it to compare departments with." in infos
    assert any(i.startswith(f"The data starts on {first:%d %b %Y}, after "
                            "the 8 weeks before the last 4") for i in infos)


def test_a_change_in_volume_is_grey_and_adherence_changes_are_coloured_unless_against_the_trend(app):
    # More requests is neither good nor bad news; better adherence is, unless the 12 weeks to it
    # moved further the other way, which the tile's caption then says (the sample's W46 changes).
    at = rendered(app)
    colours = {m.label: (m.delta, Metric.MetricColor.Name(m.proto.color)) for m in at.metric}
    assert colours["Volume"][0] and colours["Volume"][1] == "GRAY"
    captions = " ".join(c.value for c in at.main.caption)
    judged = [k for k in ("Response SLA", "Resolution SLA") if colours[k][0] != "no change"]
    assert judged
    for label in judged:
        against = re.search(r"counter to an? (improving|worsening) trend", captions) and colours[label][1] == "GRAY"
        assert colours[label][1] in ("RED", "GREEN") or against, (label, colours[label])


def test_a_trend_chart_with_nothing_to_draw_says_why(app, sample_db_path):
    # Legal's urgent requests: none has a survey answer submitted in the 12 weeks to W46 (counted here).
    con = store.connect(sample_db_path)
    try:
        answers = con.execute(
            """select count(*) from feedback as f join requests as r
                 on r.source = f.request_source and r.request_id = f.request_id
               where f.score is not null and r.provider_department = 'Legal' and r.priority = 'urgent'
                 and timezone('America/Sao_Paulo', f.submitted_at) >= timestamp '2026-08-24'
                 and timezone('America/Sao_Paulo', f.submitted_at) < timestamp '2026-11-16'""").fetchone()[0]
    finally:
        con.close()
    assert answers == 0
    app.query_params.update(dept="Legal", priority="urgent")
    titles = [chart_title(spec) for spec, _ in chart_data(rendered(app))]
    assert ("CSAT % by week answers scoring 4-5 · no survey answers in these weeks: nothing to draw · dashed: goal"
            in titles)
    assert not any("nothing to draw" in t for t in titles if not t.startswith("CSAT"))  # the others have weeks


def n_decided(db_path, department: str, start: date, end: date, priority: str | None = None) -> int:
    """First-response and resolution targets of `department` decided in [start, end), counted
    by tests.independent_counts."""
    con = store.connect(db_path)
    try:
        return sum(sum(pair) for pair in decided_targets(con, department, start, end, priority=priority).values())
    finally:
        con.close()


def test_adherence_weeks_on_too_few_targets_are_flagged_on_the_overview(app, sample_db_path):
    # Legal's W46 (9-15 Nov): 36 first-response and resolution targets decided, counted here.
    legal_w46 = n_decided(sample_db_path, "Legal", date(2026, 11, 9), date(2026, 11, 16))
    app.query_params["dept"] = "Legal"
    charts = {chart_title(spec).split(" by week")[0]: (chart_title(spec), frames)
              for spec, frames in chart_data(rendered(app))}
    decided = {}
    for metric, name in (("fr", "First-response adherence"), ("res", "Resolution adherence")):
        title, frames = charts[name]
        weekly = next(f for f in frames if f"{metric}_decided" in f.columns)
        # Any line's week on fewer than 30 (all requesters, or internal or external ones alone).
        assert ("hollow: fewer than 30 targets decided" in title) == bool((weekly[f"{metric}_decided"] < 30).any())
        # Legal serves internal requesters only: their line is all of its work.
        assert set(weekly["segment"]) == {"internal"}
        decided[metric] = weekly[f"{metric}_decided"]
    assert int(decided["fr"].iloc[-1] + decided["res"].iloc[-1]) == legal_w46 == 36
    assert (decided["fr"] < 30).any() and (decided["res"] < 30).any()


def test_every_department_flags_an_adherence_on_too_few_targets(app, sample_db_path):
    # Urgent requests over the 4 weeks to W46 (19 Oct - 15 Nov): Procurement's and IT's targets
    # decided, counted here.
    counted = {dept: n_decided(sample_db_path, dept, date(2026, 10, 19), date(2026, 11, 16), priority="urgent")
               for dept in ("Procurement", "IT")}
    assert counted["Procurement"] < 30 <= counted["IT"]
    app.query_params["priority"] = "urgent"
    every = next(df.value for df in rendered(app).dataframe if "gap_pp" in df.value.columns).set_index("department")
    assert every.loc[["Procurement", "IT"], "n_decided"].to_dict() == counted
    assert every["too_few"].tolist() == (every["n_decided"] < 30).tolist()
    assert every.loc["Procurement", "too_few"] and not every.loc["IT", "too_few"]


def test_a_departments_weekly_adherence_flags_weeks_on_too_few_targets(app, sample_db_path):
    # Legal as provider, W46: 36 targets decided (counted here; it serves internal requesters only).
    legal_w46 = n_decided(sample_db_path, "Legal", date(2026, 11, 9), date(2026, 11, 16))
    app.query_params["unit"] = "Legal"
    at = rendered(app, "pages/departments.py")
    title, frames = next((chart_title(spec), frames) for spec, frames in chart_data(at)
                         if chart_title(spec).startswith("Adherence by week Legal as provider"))
    weekly = next(f for f in frames if "n_decided" in f.columns)
    assert int(weekly["n_decided"].iloc[-1]) == legal_w46 == 36
    assert (weekly["n_decided"] < 30).any()
    assert title.endswith("hollow: fewer than 30 targets decided")


def test_a_verdict_below_a_goal_shown_alike_gives_the_figures_apart(app, sample_db_path):
    # W45's resolution targets, counted here from the SLA states: met when stopped by the deadline
    # (decided then), breached at the deadline otherwise; the goal averaged over the targets.
    con = store.connect(sample_db_path)
    try:
        met, decided, goal = con.execute(
            """select count(*) filter (where res_stopped_at <= res_deadline_at), count(*), avg(res_goal)
               from request_sla, (select timestamptz '2026-11-02 00:00:00-03' as a,
                                         timestamptz '2026-11-09 00:00:00-03' as b)
               where res_target_secs is not null and res_na_reason is null
                 and ((res_stopped_at <= res_deadline_at and res_stopped_at >= a and res_stopped_at < b)
                   or ((res_stopped_at is null or res_stopped_at > res_deadline_at)
                       and res_deadline_at >= a and res_deadline_at < b))""").fetchone()
    finally:
        con.close()
    assert f"{met / decided:.1%}" == f"{goal:.1%}" and met / decided < goal  # alike as shown, yet below
    app.query_params["week"] = "2026-W45"
    at = rendered(app)
    apart = f"({100 * met / decided:.2f}% against {100 * goal:.2f}%)"
    assert f"✗ below goal {apart}" in " ".join(c.value for c in at.main.caption)
    brief_text = next(m.value for m in at.markdown if m.value.startswith("**In brief**"))
    assert f"resolution adherence {100 * met / decided:.2f}% (goal {100 * goal:.2f}%)" in brief_text


def test_the_week_still_running_in_the_data_is_flagged(app, sample_db_path):
    app.query_params["week"] = "2026-W47"  # the sample's data ends on Wednesday 18 November
    at = rendered(app)
    assert at.selectbox(key="week").value == "2026-W47"
    assert any("is not over in the data" in w.value for w in at.warning)
    assert "not over yet" in " ".join(c.value for c in at.sidebar.caption)
    # Part of a week is not set against the whole week before it: no change shown for volume.
    volume = next(m for m in at.metric if m.label.startswith("Volume"))
    assert volume.label == "Volume so far" and not volume.delta and not volume.proto.delta_description
    # The backlog is counted at the data's newest timestamp, not at the end of the week.
    assert "Backlog now" in metrics(at)
    # The movers set this week so far against a whole week, and say so.
    assert any(c.value.startswith("First-response and resolution targets together, of every requester")
               and "This week is not over: the data ends at Wed 18 Nov 11:58" in c.value for c in at.caption)
    # Running targets are decided later: no verdict yet, and no change coloured as news.
    assert " met so far this week (not over in the data)" in next(m.value for m in at.markdown
                                                                 if m.value.startswith("**In brief**"))
    assert {Metric.MetricColor.Name(m.proto.color) for m in at.metric if m.delta} == {"GRAY"}
    # Promises due later this week are not counted yet, and the tile says so. Counted here from
    # requests: due in W47 and resolved (else closed), or due by the data's newest instant.
    con = store.connect(sample_db_path)
    try:
        decided = con.execute(
            """with newest as (select max(greatest(created_at, coalesce(updated_at, created_at),
                   coalesce(first_response_at, created_at), coalesce(resolved_at, created_at),
                   coalesce(closed_at, created_at))) as as_of from requests)
               select count(*) filter (where coalesce(resolved_at, closed_at) is not null or due_at <= as_of),
                      count(*)
               from requests, newest where due_at >= timestamptz '2026-11-16 00:00:00-03'
                 and due_at < timestamptz '2026-11-23 00:00:00-03'""").fetchone()
    finally:
        con.close()
    assert 0 < decided[0] < decided[1]
    promises_caption = next(c.value for c in at.caption if c.value.startswith("goal 90.0%"))
    assert f" · decided so far {decided[0]} · " in promises_caption


def shown_texts(app: AppTest, page: str) -> list[str]:
    """Every text `page` shows a reader: its prose, the tiles' and widgets' help, and the tables'
    column headers and their help."""
    if page == "pages/request.py":
        app.query_params.update(source="jira", id="PROC-5493")
    at = rendered(app, page)
    shown = [e.value for kind in ("markdown", "caption", "text", "info", "warning", "success", "subheader")
             for e in at.get(kind)]
    shown += [m.proto.help for m in at.metric]
    shown += [config.get(part, "") for df in at.dataframe for config in json.loads(df.proto.columns).values()
              for part in ("label", "help")]
    shown += [w.proto.help for kind in ("selectbox", "radio", "checkbox", "slider", "text_input", "button")
              for w in at.get(kind) if hasattr(w.proto, "help")]
    return shown


@pytest.mark.parametrize("page", [*PAGES, "pages/recurring.py", "pages/feedback.py"])
def test_no_text_a_page_shows_holds_a_placeholder_left_unfilled(app, page):
    # A string missing its f showed "under {rule.alpha:.0%} divided by ..." in a column's help.
    placeholders = [text for text in shown_texts(app, page)
                    if re.search(r"\{[a-z_][\w.\[\]'\"]*(![rs])?(:[^{}]*)?\}", text)]
    assert not placeholders, placeholders


@pytest.mark.parametrize("page", [*PAGES, "pages/recurring.py", "pages/feedback.py"])
def test_no_text_a_page_shows_names_a_field_by_its_column_name(app, page):
    # A head of operations read "reopened at least once (reopen_count > 0)" and "median and p90".
    column_names = sorted({f for f in REQUEST_FIELDS + FEEDBACK_FIELDS + EVENT_FIELDS if "_" in f})
    jargon = re.compile(r"\b(" + "|".join(column_names) + r"|p90)\b")
    offenders = [text for text in shown_texts(app, page) if jargon.search(text)]
    assert not offenders, offenders


def test_rate_tiles_say_their_change_is_in_percentage_points(app):
    at = rendered(app)
    rates = [m for m in at.metric if m.value.endswith("%")]
    assert rates and all(m.delta.endswith("pp") or m.delta == "no change" for m in rates if m.delta)
    assert all("percentage points" in m.proto.help for m in rates)
    # Tiles headed short enough for their width give the full name first in their help.
    helps = {m.label: m.proto.help for m in at.metric}
    for heading, name in (("Response SLA", "First-response adherence"), ("Resolution SLA", "Resolution adherence"),
                          ("First response", "Median first response"), ("Backlog", "Backlog at week end")):
        assert helps[heading].startswith(f"{name}: "), heading


def test_a_tiles_help_says_its_sparkline_is_on_a_scale_of_its_own(app):
    # Each sparkline fills its height with its own lowest and highest week: resolution adherence's
    # few points drew as steep a line as a volume that halved. The department scorecard's tile has
    # no sparkline (its weekly chart is below) and says nothing of one.
    says = "The line under the value: the last 12 weeks, on a scale of its own"
    tiles = rendered(app).metric
    assert len(tiles) == 7
    for tile in tiles:
        assert tile.proto.chart_data and says in tile.proto.help, tile.label
    scorecard = rendered(app, "pages/departments.py").metric
    assert scorecard and not any(says in tile.proto.help or tile.proto.chart_data for tile in scorecard)


@pytest.mark.parametrize("page, words", [("pages/overview.py", "counted up to"), ("pages/sla.py", "not stopped yet, up to")])
def test_breach_lists_say_an_open_requests_overrun_runs_to_the_newest_data(app, page, words):
    at = rendered(app, page)
    # The sample's data ends on Wednesday 18 November before noon (Sao Paulo), after week 2026-W46.
    assert any(f"{words} 18 Nov 2026 11:" in c.value for c in at.caption)


def test_adherence_goals_say_they_blend_the_policies_goals(app):
    at = rendered(app)
    captions = [c.value for c in at.caption]
    # The sample's policies set goals of 80% to 90%: the tiles' goals lie between, and say why.
    blended = [c for c in captions if "(policy average)" in c]
    assert len(blended) == 2  # first response and resolution
    for caption in blended:
        goal = float(caption.split("goal ", 1)[1].split("%", 1)[0]) / 100
        assert 0.80 <= goal <= 0.90


def weekly_trends(at: AppTest) -> list[tuple[str, list[pd.DataFrame]]]:
    """(title, data frames) of each chart drawn over ISO weeks."""
    return [(chart_title(spec), frames) for spec, frames in chart_data(at) if "ISO week" in str(spec)]


def so_far_bands(frames: list[pd.DataFrame]) -> list[str]:
    """The dates of the weeks a trend chart shades as not over."""
    return [str(row["at"].date()) for f in frames if "label" in f for _, row in f[f["label"] == "so far"].iterrows()]


TREND_PAGES = ["pages/overview.py", "pages/departments.py", "pages/feedback.py"]


# Trend charts drawn side by side, by the start of their titles, pair by pair.
SIDE_BY_SIDE = {
    "pages/overview.py": [("First-response adherence", "Resolution adherence"), ("Requests created", "CSAT %")],
    "pages/feedback.py": [("CSAT % by week", "Mean score by week"), ("Survey answers", "Response rate"),
                          ("CSAT % by SLA met", "CSAT % by time to first"), ("CSAT % by reopened", "CSAT % by reassigned")],
    "pages/recurring.py": [("Repeat rate by provider", "Repeat rate by category")],
}


@pytest.mark.parametrize("page", list(SIDE_BY_SIDE))
def test_charts_side_by_side_take_as_many_title_and_subtitle_lines_so_their_plots_are_level(app, page):
    # "CSAT % by week" has a subtitle (answers scoring 4-5 · dashed: goal) that "Mean score by week"
    # lacked: its plot and week axis sat a line lower than its neighbour's. "CSAT % by time to first
    # response (business hours)" takes two title lines beside "CSAT % by SLA met or breached".
    specs = [spec for spec, _ in chart_data(rendered(app, page))]

    def lines_and_room(title_start: str) -> tuple[int, int, int]:
        spec = next(s for s in specs if chart_title(s).startswith(title_start))
        title = spec["title"] if isinstance(spec["title"], dict) else {"text": spec["title"]}
        lines = [len(part) if isinstance(part, list) else 1 for part in (title["text"], title.get("subtitle", []))]
        # The room made beyond a fixed plot height; a chart of a height per bar sizes itself.
        room = spec.get("usermeta", {}).get("frame_px") if isinstance(spec.get("height"), int) else None
        return *lines, room

    for left, right in SIDE_BY_SIDE[page]:
        assert lines_and_room(left) == lines_and_room(right), (left, right)


VERDICTS = ("✓ met", "✗ below goal")


def goal_verdicts(at) -> list[str]:
    """Each caption or text line of the page that says a goal is met or not."""
    said = [c.value for c in at.main.caption] + [t.value for t in at.main.text]
    return [line for line in said if any(v in line for v in VERDICTS)]


@pytest.mark.parametrize("week", ["2026-W47", "2026-W46"])
@pytest.mark.parametrize("page", ["pages/sla.py", "pages/departments.py", "pages/feedback.py"])
def test_a_goal_is_met_so_far_while_the_week_runs(app, page, week):
    # The headline adherence, the promises, a department's scorecard, CSAT: every verdict on a week
    # not over in the data (the sample's ends on Wednesday 18 November, in 2026-W47) says "so far",
    # as the overview's tiles do; on a whole week, none does.
    app.query_params["week"] = week
    verdicts = goal_verdicts(rendered(app, page))
    assert verdicts
    if week == "2026-W47":
        assert all(any(f"{v} so far" in line for v in VERDICTS) for line in verdicts), verdicts
    else:
        assert not any("so far" in line for line in verdicts), verdicts


RUNNING_SPAN = "The last of these weeks is not over: the data ends at Wed 18 Nov 11:"


@pytest.mark.parametrize("week", ["2026-W47", "2026-W46"])
@pytest.mark.parametrize("page, captions", [("pages/overview.py", 2), ("pages/sla.py", 1)])
def test_the_last_4_weeks_say_when_they_run_past_the_data(app, page, captions, week):
    # The slipping and every-department tables (overview) and what moved (SLA page) compare the 4
    # weeks ending with the chosen week: for the running week, these end at the data's newest
    # instant (Wednesday 18 November, before noon in Sao Paulo), not on its Sunday.
    app.query_params["week"] = week
    said = [c.value for c in rendered(app, page).main.caption if RUNNING_SPAN in c.value]
    assert len(said) == (captions if week == "2026-W47" else 0)


@pytest.mark.parametrize("page", TREND_PAGES)
def test_trend_charts_shade_the_week_still_running(app, page):
    app.query_params["week"] = "2026-W47"  # the sample's data ends on Wednesday 18 November
    at = rendered(app, page)
    trends = weekly_trends(at)
    assert trends and all(so_far_bands(frames) == ["2026-11-16"] for _, frames in trends)
    assert any("is not over in the data" in w.value for w in at.warning)


@pytest.mark.parametrize("page", TREND_PAGES)
def test_trend_charts_of_a_complete_week_shade_nothing(app, page):
    trends = weekly_trends(rendered(app, page))
    assert trends and all(so_far_bands(frames) == [] for _, frames in trends)


def test_a_filter_changes_the_numbers(app):
    at = rendered(app)
    everyone = metrics(at)["Volume"]
    at.multiselect(key="dept").select("Procurement")
    at = rendered(at)
    procurement = metrics(at)["Volume"]
    assert int(procurement.replace(",", "")) < int(everyone.replace(",", ""))


def test_a_bookmarked_department_link_reproduces_the_view(app):
    app.query_params["dept"] = "Procurement"
    app.query_params["requester"] = "Internal"
    at = rendered(app)
    assert at.multiselect(key="dept").value == ["Procurement"]
    assert at.segmented_control(key="requester").value == "Internal"
    assert "internal requesters; provider Procurement" in at.caption[0].value


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/sla.py", "pages/recurring.py", "pages/feedback.py"])
def test_filters_that_match_no_request_of_the_data_together_say_so_once(app, sample_db_path, page):
    # The sample's external customers are served by groups such as Customer Support, never by
    # Payroll: each filter keeps requests, both together none, in any week. One notice says so,
    # with what each keeps on its own, instead of every section saying it found nothing.
    con = store.connect(sample_db_path)
    try:
        external, payroll, both = con.execute(
            """select count(*) filter (where requester_type = 'external'),
                      count(*) filter (where provider_department = 'Payroll'),
                      count(*) filter (where requester_type = 'external' and provider_department = 'Payroll')
               from requests""").fetchone()
    finally:
        con.close()
    assert both == 0 and external > 1000 and payroll > 1000
    app.query_params["requester"] = "External"
    app.query_params["dept"] = "Payroll"
    at = rendered(app, page)
    assert [i.value for i in at.info] == [
        "No request in the data matches all of these filters at once (external requesters; provider Payroll), "
        f"in any period. Requests each filter matches on its own: external requesters, {external:,}; provider "
        f"Payroll, {payroll:,}. Widen or clear one of them in the sidebar."]
    assert not at.dataframe and not at.main.subheader
    assert [t.value for t in at.title] == [PAGE_TITLES[page]]


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/sla.py", "pages/recurring.py", "pages/feedback.py"])
def test_filters_that_can_match_nothing_say_so_once(app, page):
    # Requester departments are internal requesters' only: with External, nothing can match, in
    # any period. One notice says so, rather than each section that it found nothing.
    app.query_params["requester"] = "External"
    app.query_params["requester_dept"] = "Finance"
    at = rendered(app, page)
    assert [i.value for i in at.info] == [
        "Requester departments are those of internal requesters, so with External they match nothing. "
        "Choose All or Internal under Requester, or clear the requester departments."]
    assert not at.dataframe and not at.main.subheader
    assert [t.value for t in at.title] == [PAGE_TITLES[page]]


def test_the_departments_page_keeps_internal_requesters_whatever_the_requester_filter(app):
    app.query_params["requester"] = "External"
    app.query_params["requester_dept"] = "Finance"
    at = rendered(app, "pages/departments.py")
    assert not at.info and at.dataframe
    assert at.caption[0].value.endswith("internal requesters; requester Finance")


def test_the_departments_pages_empty_heatmap_names_the_internal_filters_it_applies(app):
    # Internal requesters never write through the social channel in the sample: the page's own
    # filters (internal requesters, whatever the sidebar says) exclude everything.
    app.query_params["channel"] = "social"
    at = rendered(app, "pages/departments.py")
    assert any(i.value.startswith("No internal SLA targets decided: the filters (internal requesters; channel social) "
                                  "exclude all ") for i in at.info), [i.value for i in at.info]


def test_an_empty_scorecard_names_the_filter_that_empties_it(app, sample_db_path):
    # Legal asked for nothing urgent in W46.
    con = store.connect(sample_db_path)
    try:
        n = con.execute("""select count(*) from requests where requester_type = 'internal'
                           and requester_department = 'Legal' and priority = 'urgent'
                           and created_at >= $start and created_at < $end""",
                        {"start": WEEK_START, "end": WEEK_END}).fetchone()[0]
    finally:
        con.close()
    assert n == 0
    app.query_params.update(unit="Legal", priority="urgent")
    at = rendered(app, "pages/departments.py")
    assert any(i.value.startswith("No internal requests with Legal as requester in 2026-W46")
               and i.value.endswith(" for priority urgent. Work for external customers is not on this page: see "
                                    "SLA adherence.") for i in at.info), [i.value for i in at.info]


def test_an_emptied_database_offers_the_bundled_sample(tmp_path, monkeypatch):
    from servicelevel.sources import remove_source

    # Every source taken out: not a brand-new file, so the sample is not built on its own.
    path = tmp_path / "emptied.duckdb"
    con = store.connect(path)
    try:
        import_requests(con, tmp_path, [{"request_id": "E1", "created_at": "2026-03-03T14:00:00Z"}])
        remove_source(con, "canonical")
    finally:
        con.close()
    monkeypatch.setenv("SERVICELEVEL_DB", str(path))
    at = rendered(AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=300))
    assert at.info[0].value.startswith("No requests are loaded yet.")
    assert [t.value for t in at.title] == ["Weekly overview"]  # the notice says which page it stands for
    at.button(key="load_sample").click()
    at = rendered(at)
    assert not at.info and at.title[0].value == "Weekly overview"
    at = rendered(at, "pages/data.py")
    sources = next(df.value for df in at.dataframe if "newest_at" in df.value.columns)
    assert set(sources["source"]) == {"jira", "zendesk"}


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/sla.py", "pages/departments.py"])
def test_an_empty_period_inside_the_data_says_there_is_no_data(gap_dashboard, page):
    gap_dashboard.query_params["period"] = "Range"
    gap_dashboard.query_params["range"] = ["2026-03-23", "2026-03-29"]
    at = rendered(gap_dashboard, page)
    assert not at.warning  # a range of the data, not after it
    assert any("no requests were created in 2026-W13 (23 Mar – 29 Mar 2026) (the data runs from 02 Mar 2026 "
               "to 23 Apr 2026). Pick another week or range." in i.value for i in at.info)


@pytest.mark.parametrize("page", ["pages/sla.py", "pages/departments.py"])
def test_sla_pages_change_with_filters(app, page):
    at = rendered(app, page)
    before = [df.value.to_csv() for df in at.dataframe]
    at.multiselect(key="priority").select("urgent")
    at = rendered(at)
    after = [df.value.to_csv() for df in at.dataframe]
    assert before != after


@pytest.mark.parametrize("page", ["pages/sla.py", "pages/departments.py"])
def test_heatmap_cells_carry_their_own_goal_and_decided_count(app, page):
    at = rendered(app, page)
    spec, frames = next((s, f) for s, f in chart_data(at) if "with *: fewer than 30 decided" in chart_title(s))
    every_cell = frames[0]
    # One more cell per department over its priorities (SLA page) or per provider over its
    # requesters (departments page), adding up to the table's rows, in bold after the others.
    keep, across, total = (("provider_department", "priority", "all priorities") if page == "pages/sla.py"
                           else ("provider_department", "requester_department", "all requesters"))
    table = next(df.value for df in at.dataframe
                 if {"n_targets_met", "n_targets_breached", "goal", keep, across} <= set(df.value.columns))
    cells = every_cell[~every_cell["is_total"]]
    assert len(cells) == int(((table["n_targets_met"] + table["n_targets_breached"]) > 0).sum())
    axis = "column_value" if across == "priority" else "row_value"
    totals = every_cell[every_cell["is_total"]].set_index("row_value" if axis == "column_value" else "column_value")
    assert (every_cell.loc[every_cell["is_total"], axis] == total).all()
    summed = table.groupby(keep)[["n_targets_met", "n_targets_breached"]].sum()
    summed = summed[summed.sum(axis=1) > 0]
    assert totals[["n_met", "n_breached"]].sort_index().values.tolist() == summed.sort_index().values.tolist()
    assert (totals["adherence"] == totals["n_met"] / totals["n_decided"]).all()
    assert spec["layer"][0]["encoding"]["x" if axis == "column_value" else "y"]["sort"][-1] == total
    assert [layer["mark"].get("fontWeight") for layer in spec["layer"][1:]] == ["normal", "bold"]
    assert f"in bold: {total}" in chart_title(spec)
    if page == "pages/sla.py":
        # A department whose every priority rests on too few still shows as a whole: its total is
        # judged, not faded (Procurement's 45 resolution targets over four priorities, in the sample).
        judged = totals[totals["n_decided"] >= 30].index
        assert any((cells.loc[cells["row_value"] == d, "n_decided"] < 30).all() for d in judged)
    # Its table counts requests by creation and targets by decision, and its labels say so.
    assert {"n_created", "n_requests"} & set(table.columns) == {"n_created"}
    assert (cells["n_decided"] == cells["n_met"] + cells["n_breached"]).all()
    assert (cells["n_met"] < cells["n_decided"]).any()  # the count shown is not the met count
    assert cells["gap"].round(9).tolist() == (cells["adherence"] - cells["goal"]).round(9).tolist()
    assert ((cells["versus_goal"] == "at or above") == (cells["gap"] >= 0)).all()  # just under is not green
    assert ((cells["versus_goal"] == "under 5 points below") == cells["gap"].between(-0.05, 0, inclusive="neither")).all()
    assert len(set(cells["goal"].round(4))) > 1  # the sample's policies differ in goal: no single one
    tooltip = {t["title"]: t["field"] for t in spec["layer"][0]["encoding"]["tooltip"]}
    assert tooltip["Decided targets"] == "n_decided" and tooltip["Goal"] == "goal"
    faded = cells["n_decided"] < 30
    assert faded.any() and (cells.loc[faded, "trust"] == "fewer than 30 decided (*)").all()
    assert (cells["label"].str.endswith("*") == faded).all()


@pytest.mark.parametrize("week", ["2026-W46", "2026-W40", "2026-W47"])
def test_the_sla_pages_backlog_by_age_adds_up_to_the_overview_tile(app, week):
    # Two computations of one number: weekly_kpis.sql for the tile, backlog.sql for the ages.
    app.query_params["week"] = week
    shown = metrics(rendered(app))
    tile = int(shown["Backlog now" if week == "2026-W47" else "Backlog"].replace(",", ""))
    at = rendered(app, "pages/sla.py")
    ages = next(df.value for df in at.dataframe if "bucket" in df.value.columns)
    assert list(ages["bucket"]) == ["< 1 day", "1-3 days", "3-7 days", "7-30 days", "30+ days"]
    assert tile > 0 and int(ages["n_open"].sum()) == tile
    assert (ages["n_past_deadline"] <= ages["n_open"]).all()


@pytest.mark.parametrize("week", ["2026-W46", "2026-W47"])
def test_the_sla_page_lists_the_open_requests_past_their_deadline_that_the_backlog_counts(app, sample_db_path, week):
    app.query_params["week"] = week
    at = rendered(app, "pages/sla.py")
    ages = next(df.value for df in at.dataframe if "bucket" in df.value.columns)
    overdue = next(df.value for df in at.dataframe if "days_overdue" in df.value.columns)
    assert len(overdue) == int(ages["n_past_deadline"].sum()) > 0
    assert (overdue["days_overdue"] >= 0).all() and overdue["days_overdue"].is_monotonic_decreasing
    # Counted here from request_sla and requests: open at the period's end (or the newest data),
    # not a resolved status without a resolution time, and the resolution deadline behind.
    con = store.connect(sample_db_path)
    try:
        newest = con.execute("select max(greatest(created_at, coalesce(updated_at, created_at), coalesce("
                             "first_response_at, created_at), coalesce(resolved_at, created_at), coalesce(closed_at,"
                             " created_at))) from requests").fetchone()[0]
        end = min(newest, WEEK_END) if week == "2026-W46" else newest
        expected = con.execute(
            """select count(*) from requests as r join request_sla as s using (source, request_id)
               where r.created_at < $end and coalesce(r.resolved_at, r.closed_at, timestamptz 'infinity') >= $end
                 and not (r.resolved_at is null and r.closed_at is null and r.status in ('resolved', 'closed'))
                 and s.res_deadline_at <= $end""", {"end": end}).fetchone()[0]
    finally:
        con.close()
    assert len(overdue) == expected
    # The instant the days run to, named: the broken promises' hours late beside them run to the newest data.
    said = f"Days overdue: calendar days from the deadline to {end.astimezone(organisation().zone):%d %b %Y %H:%M}."
    assert any(said in c.value for c in at.caption)


def test_the_sla_page_lists_the_broken_promises_behind_the_overviews_tile(app, sample_db_path):
    overview = rendered(app)
    tile_caption = next(c.value for c in overview.caption if c.value.startswith("goal 90.0%") and "due dates" in c.value)
    assert tile_caption.endswith("</a>")
    assert page_links(tile_caption) == {"the broken ones": "sla?week=2026-W46#promises"}
    at = rendered(app, "pages/sla.py")
    # Counted here from requests: due in 2026-W46, resolved (else closed) after the due date, or
    # still open past it at the data's newest instant.
    con = store.connect(sample_db_path)
    try:
        as_of = con.execute("select max(greatest(created_at, coalesce(updated_at, created_at), coalesce("
                            "first_response_at, created_at), coalesce(resolved_at, created_at), coalesce(closed_at,"
                            " created_at))) from requests").fetchone()[0]
        expected = dict(con.execute(
            """select source || ' ' || request_id, coalesce(resolved_at, closed_at) is null from requests
               where due_at >= $start and due_at < $end
                 and (coalesce(resolved_at, closed_at) > due_at or (coalesce(resolved_at, closed_at) is null
                      and due_at <= $as_of))""", {"start": WEEK_START, "end": WEEK_END, "as_of": as_of}).fetchall())
        kept = con.execute("select count(*) from requests where due_at >= $start and due_at < $end "
                           "and coalesce(resolved_at, closed_at) <= due_at",
                           {"start": WEEK_START, "end": WEEK_END}).fetchone()[0]
    finally:
        con.close()
    broken = next(df.value for df in at.dataframe if "hours_late" in df.value.columns)
    assert dict(zip(broken["source"] + " " + broken["request_id"], broken["is_open"])) == expected
    assert len(expected) > 0 and broken["is_open"].is_monotonic_decreasing  # still open first
    # The summary line is the tile's rate: 140 of 172 in the sample.
    summary = next(t.value for t in at.text if "promises kept" in t.value)
    assert summary.startswith(f"{kept} of {kept + len(expected)} promises kept ({overview_reference(sample_db_path)['Promises kept']})")
    assert f"· {len(expected)} broken" in summary
    by_department = next(df for df in at.dataframe if "kept_rate" in df.value.columns)
    # Headed as the overview's tile names the same rate.
    assert json.loads(by_department.proto.columns)["kept_rate"]["label"] == "promises kept"
    by_department = by_department.value
    assert by_department["n_broken"].sum() == len(expected) and by_department["n_broken"].is_monotonic_decreasing
    # Ordered by count, not rate, so the caption says which (a 71% row sits below an 82% one).
    assert any(c.value.startswith("Per provider department, most broken promises first") for c in at.caption)
    # The week is over: every promise is kept or broken, so nothing is said of those not due yet.
    assert WEEK_END <= as_of and "n_pending" not in by_department.columns
    assert not any("not due yet" in c.value.lower() for c in at.caption)


def handmade_dashboard(tmp_path, monkeypatch, rows: list[dict]) -> Callable[..., AppTest]:
    """A database of `rows` alone, imported as canonical CSV (a row's "source", where given, files
    it under that source), and a function rendering one of the dashboard's pages over it with the
    URL parameters given."""
    path = tmp_path / "handmade.duckdb"
    con = store.connect(path)
    try:
        for source in dict.fromkeys(row.get("source") for row in rows):
            import_requests(con, tmp_path, [row for row in rows if row.get("source") == source],
                            name=f"{source or 'requests'}.csv", source=source)
    finally:
        con.close()
    monkeypatch.setenv("SERVICELEVEL_DB", str(path))

    def page(name: str, **query) -> AppTest:
        at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)
        at.query_params.update(query)
        return rendered(at, name)

    return page


def test_requests_without_a_department_or_priority_are_a_named_group_in_the_heatmaps(tmp_path, monkeypatch):
    # An export without department or priority columns (a generic CSV): its requests still count,
    # under a name of their own, and the heatmaps draw them instead of failing.
    page = handmade_dashboard(tmp_path, monkeypatch, [
        {"request_id": "D1", "created_at": "2026-03-03T14:00:00Z", "first_response_at": "2026-03-03T14:30:00Z",
         "provider_department": "", "requester_department": "", "priority": ""},
        {"request_id": "D2", "created_at": "2026-03-03T15:00:00Z", "first_response_at": "2026-03-03T15:30:00Z"},
    ])
    for name, named, columns in (
        ("pages/sla.py", {"(no provider department)", "(no priority)"}, ["provider_department", "priority"]),
        ("pages/departments.py", {"(no provider department)", "(department not recorded)"},
         ["requester_department", "provider_department"]),
    ):
        at = page(name, week="2026-W10", metric="First response")
        heatmap = next(frames[0] for _, frames in chart_data(at) if frames and "versus_goal" in frames[0].columns)
        assert named <= set(heatmap["row_value"]) | set(heatmap["column_value"]), name
        listed = next(df.value for df in at.dataframe if set(columns) <= set(df.value.columns))
        assert named <= set(listed[columns[0]]) | set(listed[columns[1]]), name


def test_the_sla_page_says_when_no_request_carries_a_due_date(tmp_path, monkeypatch):
    path = tmp_path / "no_due_dates.duckdb"
    con = store.connect(path)
    try:
        import_requests(con, tmp_path, [{"request_id": "N1", "created_at": "2026-03-03T14:00:00Z"}])
    finally:
        con.close()
    monkeypatch.setenv("SERVICELEVEL_DB", str(path))
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["week"] = "2026-W10"
    at = rendered(at, "pages/sla.py")
    assert any(i.value.startswith("No request in this selection has a due date") for i in at.info)
    assert not any("promises kept" in t.value for t in at.text)


def test_the_overviews_tiles_link_to_the_sla_pages_lists_for_the_same_view(app):
    app.query_params["week"] = "2026-W40"
    app.query_params["requester"] = "Internal"
    tiles = [page_links(c.value) for c in rendered(app).caption if c.value.endswith("</a>")]
    assert tiles == [{"by age": "sla?requester=Internal&week=2026-W40#backlog-by-age"},
                     {"the broken ones": "sla?requester=Internal&week=2026-W40#promises"}]
    # A custom range's tiles show its last whole week: the links open that week, not the range.
    ranged = AppTest.from_file(app._script_path, default_timeout=90)
    ranged.query_params["period"] = "Range"
    ranged.query_params["range"] = ["2026-10-01", "2026-10-31"]
    ranged.query_params["dept"] = "Procurement"
    tiles = [page_links(c.value) for c in rendered(ranged).caption if "the broken ones" in c.value]
    assert tiles == [{"the broken ones": "sla?dept=Procurement&week=2026-W43#promises"}]


def test_the_backlog_of_the_current_week_is_aged_at_the_newest_data(app):
    # 2026-W47 is not over in the sample (its data ends Wednesday 18 November before noon): the ages
    # count to then, so the requests of that morning are under a day old, not five days.
    app.query_params["week"] = "2026-W47"
    at = rendered(app, "pages/sla.py")
    ages = next(df.value for df in at.dataframe if "bucket" in df.value.columns).set_index("bucket")
    assert ages.loc["< 1 day", "n_open"] > 0
    caption = next(c.value for c in at.caption if "by calendar age then" in c.value)
    assert "open at 18 Nov 2026 11:" in caption and "the period is not over" in caption


@pytest.mark.parametrize("as_of", ["End of period", "Now"])
def test_at_risk_at_the_end_of_a_past_week_says_what_it_looks_back_with(app, as_of):
    app.query_params["week"] = "2026-W40"  # 28 Sep - 4 Oct 2026; ends 5 Oct 00:00 in Sao Paulo
    app.query_params["risk_as_of"] = as_of
    app.query_params["risk_hours"] = "40"
    at = rendered(app, "pages/sla.py")
    risk = next(df.value for df in at.dataframe if "remaining_business_hours" in df.value.columns)
    caption = next(c.value for c in at.caption if "least business time left first" in c.value)
    assert len(risk) > 0 and (risk["remaining_business_hours"].between(0, 40)).all()
    assert risk["remaining_business_hours"].is_monotonic_increasing  # as the caption says
    if as_of == "Now":  # the data's newest instant: nothing to warn about
        assert "Looking back" not in caption
        return
    end = pd.Timestamp("2026-10-05 03:00", tz="UTC")
    assert (risk["deadline_at"] > end).all() and (risk["created_at"] < end).all()
    assert "Looking back from 05 Oct 2026 00:00" in caption and "paused now" in caption


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/sla.py", "pages/departments.py", "pages/recurring.py",
                                  "pages/feedback.py"])
def test_a_range_after_the_data_says_so_once_on_every_page(app, page):
    # One notice (not "is not over", not one more per empty section), and nothing under it.
    app.query_params["period"] = "Range"
    app.query_params["range"] = ["2027-03-01", "2027-03-07"]
    at = rendered(app, page)
    assert [w.value for w in at.warning] == ["The range starts after the data ends (18 Nov 2026): nothing to show."]
    assert not at.info and not at.dataframe
    assert [t.value for t in at.title] == [PAGE_TITLES[page]]  # headed, though stopped before its own heading


def download_keys(at: AppTest) -> list[str]:
    """The keys of the page's download buttons, in page order ('scorecard-finance-as-provider')."""
    return [button.proto.id.split("-download-", 1)[1] for button in at.get("download_button")]


def scorecard_of(at: AppTest) -> str:
    """The department whose scorecard the page shows, read from its provider table's download."""
    provider = next(k for k in download_keys(at) if k.endswith("-as-provider"))
    return provider.removeprefix("scorecard-").removesuffix("-as-provider")


def test_a_scorecard_table_keeps_its_goal_in_view_in_half_a_laptops_width(app):
    # Two tables side by side on a 1280-pixel screen get about 400 pixels each. Left to size
    # themselves, the four numbers after the department name pushed the goal out of view; sized,
    # they leave the department name 140 pixels ("Customer Support" needs about 130).
    at = rendered(app, "pages/departments.py")
    scorecards = [json.loads(df.proto.columns) for df in at.dataframe if "too_few" in df.value.columns]
    assert len(scorecards) == 2
    for columns in scorecards:
        in_view = ["adherence", "too_few", "n_targets_breached", "goal"]
        assert list(columns)[1:5] == in_view
        assert sum(columns[name]["width"] for name in in_view) <= 400 - 140


def test_departments_page_opens_on_the_busiest_internal_provider(app, sample_db_path):
    con = store.connect(sample_db_path)
    try:
        (busiest,) = con.execute(
            """select provider_department from requests
               where requester_type = 'internal' and created_at >= $start and created_at < $end
               group by provider_department order by count(*) desc, provider_department limit 1""",
            {"start": WEEK_START, "end": WEEK_END},
        ).fetchone()
    finally:
        con.close()
    at = rendered(app, "pages/departments.py")
    picker = at.selectbox(key="unit")
    assert picker.value == "" and picker.options[0] == f"The busiest internal provider of the period: {busiest}"
    assert scorecard_of(at) == slug(busiest)
    # Picked by name, it is the same scorecard (that it then stays in the link: test_browser.py).
    picker.set_value(busiest)
    assert scorecard_of(rendered(at)) == slug(busiest)


def test_the_who_serves_whom_heatmap_says_what_a_blank_cell_is(app):
    at = rendered(app, "pages/departments.py")
    table = next(df.value for df in at.dataframe if {"requester_department", "provider_department"}
                 <= set(df.value.columns))
    decided = table[table["n_targets_met"] + table["n_targets_breached"] > 0]
    pairs = decided["requester_department"].nunique() * decided["provider_department"].nunique()
    assert len(decided) < pairs  # some pairs decided no target: their cells are blank
    assert "A blank cell: no SLA target of that requester department's requests to that provider was decided in " \
        "the period." in [c.value for c in at.caption]


def test_a_scorecards_downloads_are_named_for_the_departments_own_role(app):
    app.query_params["unit"] = "Finance"
    at = rendered(app, "pages/departments.py")
    # A department head's link opens on the scorecard; the whole matrix follows it.
    assert [h.value for h in at.subheader] == ["Department scorecard",
                                               "Who serves whom: requester department × provider department"]
    # The partner tables' order, and the column it goes by, in view at 1280 pixels (four columns).
    partners = next(df.value for df in at.dataframe if "provider_department" in df.value.columns
                    and "requester_department" not in df.value.columns)
    assert list(partners.columns[:4]) == ["provider_department", "adherence", "too_few", "n_targets_breached"]
    assert partners["n_targets_breached"].is_monotonic_decreasing
    keys = download_keys(at)
    # As provider (how Finance serves the others) first, then as requester; each file says which.
    assert [key for key in keys if key.startswith("scorecard-")] == [
        "scorecard-finance-as-provider", "scorecard-finance-as-requester"]


def test_the_scorecard_trend_counts_whole_iso_weeks_for_a_range_ending_mid_week(app):
    app.query_params["period"] = "Range"
    app.query_params["range"] = ["2026-10-01", "2026-10-20"]  # a Thursday to a Tuesday
    app.query_params["unit"] = "Finance"
    at = rendered(app, "pages/departments.py")
    _, frames = next((s, f) for s, f in chart_data(at) if chart_title(s).startswith("Adherence by week Finance as provider"))
    weeks = pd.to_datetime(next(f for f in frames if "week_start" in f.columns)["week_start"]).dt.date
    # Twelve Mondays, the last one holding the range's last day (20 October), the first 11 weeks before it.
    assert sorted(set(weeks)) == [date(2026, 8, 3) + timedelta(weeks=k) for k in range(12)]


def test_a_single_requester_department_in_the_sidebar_opens_its_scorecard(app):
    app.query_params["requester_dept"] = "Legal"
    at = rendered(app, "pages/departments.py")
    assert at.selectbox(key="unit").options[0] == "The sidebar's requester department: Legal"
    assert scorecard_of(at) == "legal"


def test_departments_page_says_it_shows_internal_requesters_whatever_the_sidebar_says(app):
    app.query_params["requester"] = "External"
    at = rendered(app, "pages/departments.py")
    assert any("always shows internal requesters" in c.value for c in at.caption)
    at.segmented_control(key="requester").set_value("Internal")
    at = rendered(at)
    assert not any("always shows internal requesters" in c.value for c in at.caption)


def test_request_page_shows_a_request_and_its_clocks(app, sample_db_path):
    # A resolved request: the page shows, per metric, the engine's state and elapsed business time.
    con = store.connect(sample_db_path)
    try:
        as_of = data_info(con).as_of(datetime.now(timezone.utc))
        source, request_id, fr_state, fr_secs, res_state, res_secs = con.execute(
            """select source, request_id, fr_state, fr_elapsed_business_secs, res_state, res_elapsed_business_secs
               from sla_states($as_of) where res_stopped_at is not null and fr_elapsed_business_secs > 0
               order by source, request_id limit 1""",
            {"as_of": as_of},
        ).fetchone()
        category, agent = con.execute("select category, agent from requests where source = $s and request_id = $r",
                                      {"s": source, "r": request_id}).fetchone()
    finally:
        con.close()
    app.query_params["source"] = source.upper()  # the source's name and the id in any letter case
    app.query_params["id"] = request_id.lower()
    at = rendered(app, "pages/request.py")
    assert at.subheader[0].value.startswith(f"{request_id} · ")
    # Who has it and what it is about, as the breach lists name them.
    assert f" · category {category} · agent {agent} · status " in at.caption[0].value
    clocks = clock_sheet(at)
    assert list(clocks.columns) == ["first response", "resolution"]  # a column per clock
    assert (clocks.loc["state", "first response"], clocks.loc["state", "resolution"]) == (fr_state, res_state)
    assert hours(clocks.loc["elapsed (business h)", "first response"]) == pytest.approx(fr_secs / 3600, abs=0.05)
    assert hours(clocks.loc["elapsed (business h)", "resolution"]) == pytest.approx(res_secs / 3600, abs=0.05)


@pytest.mark.parametrize("source, said", [
    ("zendesk", "Source zendesk has no status history (no status-change export was imported for it): only the "
                "request's current status is known."),
    ("jira", "No status change of this request is recorded."),
])
def test_a_request_without_a_status_history_says_why(app, sample_db_path, source, said):
    con = store.connect(sample_db_path)
    try:
        request_id = con.execute(
            """select min(request_id) from requests as r
               where source = $source
                 and not exists (select 1 from events as e
                                 where e.source = r.source and e.request_id = r.request_id)""",
            {"source": source}).fetchone()[0]
        n_events = con.execute("select count(*) from events where source = $source", {"source": source}).fetchone()[0]
    finally:
        con.close()
    assert (n_events > 0) == (source == "jira")  # the sample imports a status history for jira only
    app.query_params["source"] = source
    at = request_page(app, request_id)
    assert "**Status history**" in [m.value for m in at.markdown]
    assert said in [c.value for c in at.caption]


@pytest.mark.parametrize("source, resolved, said", [
    ("jira", True, "the export gives its last resolution only. Earlier resolutions: in the status history below, "
                   "where recorded."),
    ("jira", False, "not resolved since. Earlier resolutions: in the status history below, where recorded."),
    ("zendesk", True, "the export gives its last resolution only. Earlier resolutions: not known (source zendesk "
                      "has no status history)."),
])
def test_a_reopened_requests_timeline_says_its_resolution_is_the_last(app, sample_db_path, source, resolved, said):
    con = store.connect(sample_db_path)
    try:
        request_id, resolved_at = con.execute(
            """select request_id, resolved_at from requests as r
               where source = $source and reopen_count = 1 and (resolved_at is not null) = $resolved
                 and (source = 'zendesk' or exists (select 1 from events as e where e.source = r.source
                                                    and e.request_id = r.request_id and e.kind = 'reopen'))
               order by request_id limit 1""", {"source": source, "resolved": resolved}).fetchone()
    finally:
        con.close()
    app.query_params["source"] = source
    at = request_page(app, request_id)
    timeline = next(df.value for df in at.dataframe if "moment" in df.value.columns).set_index("moment")
    assert "resolved" not in timeline.index  # not to be read as its only resolution
    if resolved:
        assert timeline.loc["resolved (the last time)", "at"] == resolved_at
    else:
        assert "resolved (the last time)" not in timeline.index
    assert f"Reopened once: {said}" in [c.value for c in at.caption]
    if source == "jira":  # the reopening itself is in the status history
        history = next(df.value for df in at.dataframe if "kind" in df.value.columns)
        assert "reopen" in history["kind"].tolist()


def request_page(app: AppTest, request_id: str) -> AppTest:
    """The request page opened on `request_id` (an id alone finds its source)."""
    app.query_params["id"] = request_id
    return rendered(app, "pages/request.py")


def clock_sheet(at) -> pd.DataFrame:
    """The request page's SLA clocks: a line per fact, a column per clock, as the page shows them."""
    return at.dataframe[0].value.set_index("SLA clock")


def hours(cell: str) -> float:
    return float(cell.replace(",", ""))  # shown to 0.1 h, with thousands separators


def test_a_request_opened_from_a_table_keeps_the_sidebars_filters(app):
    app.query_params["week"] = "2026-W40"
    app.query_params["dept"] = ["IT", "Finance"]
    at = rendered(app)
    breaches = next(df.value for df in at.dataframe if "request" in df.value.columns)
    link = breaches["request"].iloc[0]
    path, query = link.split("?", 1)
    params = parse_qs(query)
    assert path == "request" and params["week"] == ["2026-W40"] and params["dept"] == ["IT", "Finance"]
    assert set(params) == {"source", "id", "week", "dept"}  # only the sidebar's filters travel
    # Opened, the link shows the request with the same filters in the sidebar.
    opened = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)
    for key, values in params.items():
        opened.query_params[key] = values if len(values) > 1 else values[0]
    opened = rendered(opened, "pages/request.py")
    assert params["id"][0] in opened.subheader[0].value
    assert opened.selectbox(key="week").value == "2026-W40"
    assert opened.multiselect(key="dept").value == ["IT", "Finance"]


def test_request_page_says_a_provider_type_the_source_never_recorded_is_a_default(dashboard, sample_db_path):
    # The sample's Zendesk export has no provider type column (its requests are filed in-house by
    # default, which the import report says); the Jira export has one.
    con = store.connect(sample_db_path)
    try:
        picked = dict(con.execute(
            "select source, min(request_id) from requests where source in ('jira', 'zendesk') "
            "and provider_type = 'in_house' group by source").fetchall())
    finally:
        con.close()
    shown = {}
    for source, request_id in picked.items():
        at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)
        at.query_params.update(source=source, id=request_id)
        shown[source] = rendered(at, "pages/request.py").caption[0].value
    assert "(in-house by default: source zendesk records no provider type) · " in shown["zendesk"]
    assert "(in-house) · " in shown["jira"] and "by default" not in shown["jira"]


def test_request_page_says_a_requester_type_the_source_never_recorded_is_a_default(tmp_path, monkeypatch):
    page = handmade_dashboard(tmp_path, monkeypatch, [{"request_id": "H1", "created_at": "2026-03-03T14:00:00Z",
                                                       "requester_type": "internal", "requester_department": "Legal"}])
    # A detected mapping of a bare export: no requester type, so every requester is external by
    # the import's default.
    bare = tmp_path / "desk-bare.csv"
    bare.write_text("Ticket,Created,Requester\nB-1,2026-03-03T15:00:00Z,ana@example.test\n", encoding="utf-8")
    con = store.connect(tmp_path / "handmade.duckdb")
    try:
        import_file(con, bare)
    finally:
        con.close()
    assert page("pages/request.py", id="B-1").caption[0].value.startswith(
        "desk-bare · requester ana@example.test (external by default: source desk-bare records no requester type) → ")
    assert page("pages/request.py", id="H1").caption[0].value.startswith("canonical · internal requester Legal → ")


def test_request_page_names_each_field_and_says_which_the_export_left_empty(tmp_path, monkeypatch):
    # Coded values in words, as the tables write them; an empty field said as such, not as "?" or a
    # bare "no priority" beside "category none".
    page = handmade_dashboard(tmp_path, monkeypatch, [
        {"request_id": "W1", "created_at": "2026-03-03T14:00:00Z", "requester_type": "internal",
         "requester_department": "Legal", "provider_department": "", "priority": "", "channel": "walk_in",
         "status": "on_hold", "category": "", "agent": ""}])
    caption = page("pages/request.py", id="W1").caption[0].value.replace("\\", "")  # as shown: marks unescaped
    assert caption.startswith("canonical · internal requester Legal → (no provider department) (")
    assert caption.endswith(" · priority none · channel walk-in · category none · agent none recorded · "
                            "status on hold (raw: on_hold)")


def test_request_page_names_the_import_that_last_changed_the_request(tmp_path, monkeypatch):
    page = handmade_dashboard(tmp_path, monkeypatch, [{"request_id": "P1", "created_at": "2026-03-03T14:00:00Z",
                                                       "status": "open"}])
    header = "request_id,created_at,status\n"
    con = store.connect(tmp_path / "handmade.duckdb")
    try:
        # Import 2 closes P1; import 3 holds it as import 2 left it, so it changes nothing.
        closed, again = tmp_path / "tuesday.csv", tmp_path / "wednesday.csv"
        closed.write_text(header + "P1,2026-03-03T14:00:00Z,closed\n", encoding="utf-8")
        again.write_text(header + "P1,2026-03-03T14:00:00Z,closed\nP2,2026-03-04T09:00:00Z,open\n", encoding="utf-8")
        reports = [import_file(con, path, preset="canonical") for path in (closed, again)]
        started = con.execute("select started_at from imports where import_id = 2").fetchone()[0]
    finally:
        con.close()
    assert [(r.import_id, r.n_updated, r.n_unchanged) for r in reports] == [(2, 1, 0), (3, 0, 1)]
    when = started.astimezone(organisation().zone)
    assert page("pages/request.py", id="P1").caption[1].value.replace("\\", "") == (
        f"Last changed by import #2, tuesday.csv, on {when:%d %b %Y %H:%M} (Data & definitions, Import history).")


def test_a_lagging_sources_open_requests_are_warned_of_on_the_data_and_request_pages(tmp_path, monkeypatch):
    # A 2024 trial export beside this year's: its open request is judged as of the newest data,
    # so the backlog counts it and its clocks run for years. The current source says nothing.
    page = handmade_dashboard(tmp_path, monkeypatch, [
        {"source": "old_desk", "request_id": "O1", "created_at": "2024-03-04T10:00:00Z"},
        {"source": "old_desk", "request_id": "O2", "created_at": "2024-03-05T09:00:00Z",
         "resolved_at": "2024-03-05T12:00:00Z", "status": "resolved"},
        {"request_id": "N1", "created_at": "2026-11-02T10:00:00Z"},
    ])
    warnings = [w.value.replace("\\", "") for w in page("pages/data.py").warning]
    # 05 Mar 2024 12:00 to 02 Nov 2026 10:00 UTC: 971 days and 22 hours; in São Paulo, 09:00 and 07:00.
    assert warnings == [
        "The data of this source ends more than 7 days before the newest data (02 Nov 2026 07:00), with requests "
        "still open in it. Every page takes those requests as open still: the backlog counts them, and their SLA "
        "clocks run to the newest data, breached by the export's age alone. Import a newer export of each, or "
        "remove a source that was a trial.\n\n- old_desk: its data ends on 05 Mar 2024, 971 days before; 1 request "
        "open in it."]
    # The open request's own page says why its clocks show years; the resolved one's says nothing.
    [note] = [w.value.replace("\\", "") for w in page("pages/request.py", source="old_desk", id="O1").warning]
    assert note == (
        "Source old_desk's data ends on 05 Mar 2024, 971 days before the newest data (02 Nov 2026 07:00). This "
        "request was open in that export, so its clocks run on to the newest data: their time and any breach are the "
        "export's age, not news. Import a newer export of old_desk to update it.")
    assert page("pages/request.py", source="old_desk", id="O2").warning == []


def test_request_page_shows_how_long_an_open_breached_request_has_run(app, sample_db_path):
    # An open request past its resolution deadline, with no paused time: its elapsed business time
    # so far is the business time from creation to the as-of instant, by the plain-Python clock.
    con = store.connect(sample_db_path)
    try:
        as_of = data_info(con).as_of(datetime.now(timezone.utc))
        source, request_id, created_at, calendar_name = con.execute(
            """select source, request_id, created_at, calendar_name from sla_states($as_of)
               where res_state = 'breached' and res_stopped_at is null and res_paused_business_secs = 0
               order by source, request_id limit 1""",
            {"as_of": as_of},
        ).fetchone()
    finally:
        con.close()
    calendar = next(c for c in load_policies().calendar_list() if c.name == calendar_name)
    reference = RefCalendar(calendar.timezone, calendar.week, calendar.holiday_country,
                            calendar.holiday_subdivision, calendar.closed_dates)
    expected_hours = business_seconds(reference, created_at, as_of) / 3600
    app.query_params["id"] = f" {request_id} "  # pasted with spaces, no source: the one holding it is taken
    at = rendered(app, "pages/request.py")
    assert request_id in at.subheader[0].value
    assert source in at.caption[0].value and "nan" not in at.caption[0].value
    clocks = clock_sheet(at)
    assert clocks.loc["state", "resolution"] == "breached"
    assert clocks.loc["stopped at", "resolution"] == ""  # still open
    clocks_caption = next(c.value for c in at.caption if c.value.startswith("Policy "))
    assert f"calendar {calendar_name}." in clocks_caption  # whose hours "business" means
    assert hours(clocks.loc["elapsed (business h)", "resolution"]) == pytest.approx(expected_hours, abs=0.05)
    calendar_hours = (as_of - created_at).total_seconds() / 3600
    assert hours(clocks.loc["elapsed (calendar h)", "resolution"]) == pytest.approx(calendar_hours, abs=0.05)


def test_request_page_says_whether_its_promise_was_kept(sample_db_path, monkeypatch):
    # One request of each outcome, judged here from the raw columns: kept when resolved (else
    # closed) by the due date, broken when after it or still open past it, else not due yet.
    # The pages read the sample these were judged on (without it, the default database: a sample
    # built for another week, whose requests of the same ids fared otherwise).
    monkeypatch.setenv("SERVICELEVEL_DB", str(sample_db_path))
    con = store.connect(sample_db_path)
    try:
        as_of = data_info(con).as_of(datetime.now(timezone.utc))
        rows = con.execute("""select source, request_id, due_at, coalesce(resolved_at, closed_at) from requests
                              where due_at is not null order by source, request_id""").fetchall()
    finally:
        con.close()
    first: dict[str, tuple[str, str]] = {}
    for source, request_id, due, stopped in rows:
        if stopped is not None and stopped <= as_of:
            outcome = "kept (resolved by its due date)" if stopped <= due else "broken (resolved after its due date)"
        else:
            outcome = "broken (still open past its due date)" if due <= as_of else "not due yet (open)"
        first.setdefault(outcome, (source, request_id))
    assert len(first) == 4
    for outcome, (source, request_id) in first.items():
        at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)
        at.query_params.update(source=source, id=request_id)
        captions = [c.value for c in rendered(at, "pages/request.py").caption]
        assert any(f"This promise: {outcome}." in c for c in captions), (request_id, outcome)


def test_a_request_asked_for_in_the_wrong_source_is_found_in_its_own(app, sample_db_path):
    # A Zendesk ticket's number asked for in jira (a link or a guess naming the wrong source).
    con = store.connect(sample_db_path)
    try:
        ticket = con.execute("select min(request_id) from requests where source = 'zendesk'").fetchone()[0]
    finally:
        con.close()
    app.query_params["source"], app.query_params["id"] = "jira", ticket
    at = rendered(app, "pages/request.py")
    assert [w.value for w in at.warning] == [f"No request '{ticket}' in source 'jira'; it is in source zendesk: "
                                             "click it below."]
    found = next(df.value for df in at.dataframe if "request_id" in df.value.columns)
    assert found[["source", "request_id"]].values.tolist() == [["zendesk", ticket]]


def test_request_page_says_a_request_waiting_now_is_paused_not_just_running(app, sample_db_path):
    con = store.connect(sample_db_path)
    try:
        as_of = data_info(con).as_of(datetime.now(timezone.utc))
        source, request_id, status = con.execute(
            """select s.source, s.request_id, r.status from sla_states($as_of) as s
               join requests as r using (source, request_id)
               where s.res_state = 'running' and s.res_is_paused order by s.source, s.request_id limit 1""",
            {"as_of": as_of},
        ).fetchone()
    finally:
        con.close()
    assert status in ("pending", "on_hold")  # the sample's paused statuses (data/sla_policies.toml)
    app.query_params["source"], app.query_params["id"] = source, request_id
    at = rendered(app, "pages/request.py")
    clocks = clock_sheet(at)
    assert clocks.loc["state", "resolution"] == "running, paused"
    assert any(c.value.startswith("The resolution clock is paused now") for c in at.caption)


def test_request_page_says_paused_time_is_left_out_of_business_time_only(app, sample_db_path):
    con = store.connect(sample_db_path)
    try:
        as_of = data_info(con).as_of(datetime.now(timezone.utc))
        request_id, created_at, resolved_at, paused = con.execute(
            """select r.request_id, r.created_at, coalesce(r.resolved_at, r.closed_at), s.res_paused_business_secs
               from sla_states($as_of) as s join requests as r using (source, request_id)
               where s.res_state = 'met' and s.res_paused_business_secs > 3600
               order by r.source, r.request_id limit 1""",
            {"as_of": as_of},
        ).fetchone()
    finally:
        con.close()
    at = request_page(app, request_id)
    clocks = clock_sheet(at)
    # Calendar time runs through the pause: every hour from creation to resolution.
    calendar_hours = (resolved_at - created_at).total_seconds() / 3600
    assert hours(clocks.loc["elapsed (calendar h)", "resolution"]) == pytest.approx(calendar_hours, abs=0.05)
    assert any(c.value.startswith(f"Resolution clock paused for {paused / 3600:.1f} business hours (waiting "
                                  "statuses): left out of the elapsed time on the policy's clock, not of the "
                                  "calendar time")
               for c in at.caption)


def test_a_24x7_policys_clock_is_not_headed_business_hours(app, sample_db_path):
    # Every hour counts on a 24x7 calendar: "target (business h)" misnamed a 4-hour promise kept overnight.
    con = store.connect(sample_db_path)
    try:
        request_id, target_secs = con.execute(
            """select request_id, fr_target_secs from sla_states(timestamptz '2026-11-18 12:00:00+00')
               where calendar_name = '24x7' and fr_target_secs is not null order by source, request_id limit 1"""
        ).fetchone()
    finally:
        con.close()
    at = request_page(app, request_id)
    clocks = clock_sheet(at)
    assert hours(clocks.loc["target (24x7 h)", "first response"]) == pytest.approx(target_secs / 3600)
    assert "elapsed (24x7 h)" in clocks.index and "elapsed (calendar h)" in clocks.index
    assert not any("business" in fact for fact in clocks.index)
    assert any(c.value.startswith("Policy Urgent, around the clock · calendar 24x7. ")
               and c.value.endswith("24x7 h: every hour counts, day and night, less any time paused in a waiting status.")
               for c in at.caption)


def test_a_request_of_a_source_without_status_history_says_its_clocks_run_through_waiting_statuses(app,
                                                                                                 sample_db_path):
    # The sample's zendesk tickets come without a status-change export: a ticket pending now has
    # run on through its wait, and "less any time paused in a waiting status" read as if left out.
    con = store.connect(sample_db_path)
    try:
        assert con.execute("select count(*) from events where source = 'zendesk'").fetchone()[0] == 0
        request_id = con.execute("""select request_id from requests where source = 'zendesk' and status = 'pending'
                                    order by request_id limit 1""").fetchone()[0]
    finally:
        con.close()
    at = request_page(app, request_id)
    assert any(c.value.endswith("Source zendesk has no status history, so no time in a waiting status is known, nor "
                                "left out: its clocks run through them.") for c in at.caption)
    assert not any("less any time paused" in c.value for c in at.caption)


def test_an_id_held_by_two_sources_asks_which_one(tmp_path, monkeypatch):
    page = handmade_dashboard(tmp_path, monkeypatch, [
        {"source": source, "request_id": "2024-0101", "created_at": "2026-03-03T14:00:00Z", "subject": subject}
        for source, subject in (("helpdesk", "Printer jam"), ("facilities", "Broken chair"))])
    at = page("pages/request.py", id="2024-0101")
    assert [i.value for i in at.info] == [
        "Request id '2024-0101' is in 2 sources (facilities, helpdesk): click the one you mean, or enter its "
        "source above."]
    listed = at.dataframe[0].value
    assert sorted(listed["source"]) == ["facilities", "helpdesk"] and not at.subheader
    assert all(link.startswith("request?source=") for link in listed["request"])
    # With its source, the request itself.
    assert page("pages/request.py", id="2024-0101", source="facilities").subheader[0].value == \
        "2024-0101 · Broken chair"


def test_request_lookup_finds_an_id_however_many_others_start_with_it(tmp_path, monkeypatch):
    # Ids 1 to 300, the oldest first: 111 ids start with "1" (1, 10-19, 100-199), and "1" is the
    # oldest of them, so the 50 newest would not hold it.
    page = handmade_dashboard(tmp_path, monkeypatch, [
        {"request_id": str(n), "created_at": f"2026-03-{1 + n // 24:02d}T{n % 24:02d}:00:00Z"} for n in range(1, 301)])
    at = page("pages/request.py", id="1")
    assert not at.warning and not at.caption[0].value.startswith("No request")
    assert at.subheader[0].value.startswith("1 ·")
    # An id no request has: the list of those starting with it says it is cut short, and how.
    at = page("pages/request.py", id="1x")
    assert [w.value for w in at.warning] == ["No request '1x' in any source, and no id starts with '1x'."]


def test_request_lookup_says_when_the_ids_starting_with_what_was_typed_are_more_than_it_lists(tmp_path, monkeypatch):
    page = handmade_dashboard(tmp_path, monkeypatch, [
        {"request_id": f"A{n}", "created_at": f"2026-03-{1 + n // 24:02d}T{n % 24:02d}:00:00Z"} for n in range(1, 121)]
        + [{"request_id": "B1", "created_at": "2026-03-02T00:00:00Z"}])
    at = page("pages/request.py", id="A")
    assert ("No request 'A' in any source; the 50 newest of the 120 requests whose id starts with what you typed "
            "(type more of it to narrow them):") in [c.value for c in at.caption]
    listed = next(df.value for df in at.dataframe if "request_id" in df.value.columns)
    assert listed["request_id"].tolist() == [f"A{n}" for n in range(120, 70, -1)]  # newest first
    at = page("pages/request.py", id="b")  # any letter case; all of them, so nothing is said cut short
    assert "No request 'b' in any source; requests whose id starts with what you typed:" in [
        c.value for c in at.caption]


def test_request_lookup_shows_what_was_typed_as_typed(tmp_path, monkeypatch):
    page = handmade_dashboard(tmp_path, monkeypatch, [{"request_id": "R1", "created_at": "2026-03-02T00:00:00Z"}])
    at = page("pages/request.py", id="a_b_*c")
    # Each mark Markdown would read as emphasis is escaped, so the message shows the id as typed.
    assert [w.value for w in at.warning] == [
        "No request 'a\\_b\\_\\*c' in any source, and no id starts with 'a\\_b\\_\\*c'."]


def test_request_page_says_why_a_clock_does_not_apply(tmp_path, monkeypatch):
    # Closed with no time of response or resolution in the export: neither clock can be judged.
    page = handmade_dashboard(tmp_path, monkeypatch, [
        {"request_id": "C1", "created_at": "2026-03-03T14:00:00Z", "status": "closed"},
        {"request_id": "C2", "created_at": "2026-03-03T15:00:00Z", "first_response_at": "2026-03-03T16:00:00Z"},
    ])
    at = page("pages/request.py", id="C1")
    sheet = clock_sheet(at)
    assert list(sheet.loc["state"]) == ["n/a", "n/a"]
    # Nor a deadline or target beside "n/a": the policy's would read as one the request missed.
    assert (sheet.drop(index="state") == "").all().all(), sheet
    # Said in a sentence under the table, whose cells would cut it short.
    assert ("Not applicable (n/a): first response, because status is closed but the export has no response or "
            "resolution time; resolution, because status is closed but the export has no resolution time.") in [
        c.value.replace("\\", "") for c in at.caption]
    # A request both clocks apply to has no such line.
    at = page("pages/request.py", id="C2")
    assert clock_sheet(at).loc["state", "first response"] == "met"
    assert not any(c.value.startswith("Not applicable") for c in at.caption)


def test_request_page_shows_an_answer_as_given_and_on_1_to_5(tmp_path, monkeypatch):
    page = handmade_dashboard(tmp_path, monkeypatch, [{"request_id": "S1", "created_at": "2026-03-03T14:00:00Z"}])
    con = store.connect(tmp_path / "handmade.duckdb")
    try:
        import_answers(con, tmp_path, [("S1", "2026-03-04T10:00:00Z", "9", "Resolvido no mesmo dia")])
    finally:
        con.close()
    answers = next(df.value for df in page("pages/request.py", id="S1").dataframe if "comment" in df.columns)
    # 9 on a 1-10 survey is 1 + (9 - 1) * 4 / 9 = 4.56 on 1-5; the answer as given keeps its scale.
    assert list(answers.columns) == ["submitted_at", "score", "answered", "comment", "language", "survey_source"]
    assert answers.iloc[0][["score", "answered"]].tolist() == [4.6, "9 on 1-10"]


def test_the_fields_a_source_lacks_say_what_the_pages_do_without_them(app, sample_db_path):
    # The list gave column names alone ("closed_at, reassignment_count, requester_org"): a department
    # head asking why there is no one-touch rate for Jira's requests had to know what each one feeds.
    counted = reassignment_counts_by_source(sample_db_path)
    assert counted["jira"] == 0 < counted["zendesk"]
    at = rendered(app, "pages/data.py")
    # A static table, whose cells wrap: in the grid the sentences were cut at the column's width.
    lacking = next(t.value for t in at.table if "what the pages do without it" in t.value.columns)
    lacking = lacking.set_index(["source", "field it has no column for"])["what the pages do without it"]
    assert lacking[("jira", "reassignment_count")].startswith(
        "No reassignment counts: one-touch resolution leaves its requests out")
    assert ("zendesk", "reassignment_count") not in lacking.index
    assert lacking[("zendesk", "provider_type")] == "No provider type: its requests count as in-house."
    assert lacking.notna().all()


def test_data_page_lists_sources_imports_and_rejected_rows(app):
    at = rendered(app, "pages/data.py")
    frames = [df.value for df in at.dataframe]
    sources = next(f for f in frames if "newest_at" in f.columns and "source" in f.columns)
    assert set(sources["source"]) == {"jira", "zendesk"}
    # The sample's two surveys, every answer linked to its request (the generator answers only
    # requests it wrote).
    surveys = next(f for f in frames if "survey_source" in f.columns)
    assert set(surveys["survey_source"]) == {"survey", "facilities_survey"}
    assert (surveys["n_linked"] == surveys["n_answers"]).all() and (surveys["n_answers"] > 0).all()
    history = next(f for f in frames if "balanced" in f.columns)
    assert history.loc[history["status"] == "ok", "balanced"].all()
    assert any("Superseded rows are not stored: a newer state of the same request is kept" in c.value
               for c in at.caption)
    rejected = next(f for f in frames if "reason" in f.columns and "detail" in f.columns)
    assert "resolved before created" in set(rejected["reason"])  # codes read as words
    # The policies tab says how many stored requests each policy applies to: all of them, once.
    listed = next(f for f in frames if "stored requests" in f.columns)
    assert listed["policy"].tolist() == [p.name for p in load_policies().policies]
    assert listed["stored requests"].sum() == sources["n_requests"].sum()
    # Its numbers sized to fit, the count stays in view at 1280 pixels (a page about 830 wide) beside
    # the policy's name and its two targets (about 460 between them).
    policy_columns = json.loads(next(df for df in at.dataframe if "stored requests" in df.value.columns).proto.columns)
    numbers = ["order", "first response goal", "resolution goal", "stored requests"]
    assert sum(policy_columns[name]["width"] for name in numbers) <= 830 - 460
    assert list(policy_columns)[:7] == ["order", "policy", "first response target", "first response goal",
                                        "resolution target", "resolution goal", "stored requests"]
    calendars = next(df for df in at.dataframe if "hours per week" in df.value.columns)
    assert json.loads(calendars.proto.columns)["hours per week"]["type_config"]["format"] == "localized"  # not 168.00
    # Every value the shipped policies name occurs in the sample; the one warning says that an
    # upload would mix with the sample's sources.
    assert [w.value.split(")")[0] for w in at.warning] == [
        "This database holds the bundled sample (sources jira, zendesk, survey, facilities_survey"]


def test_the_import_history_shows_status_and_rejected_rows_before_the_other_outcomes(app):
    at = rendered(app, "pages/data.py")
    table = next(df for df in at.dataframe if "n_superseded" in df.value.columns)
    history = table.value
    assert list(history.columns[:6]) == ["file_name", "import_id", "started_at", "status", "n_read", "n_rejected"]
    # Nineteen columns are wider than a laptop's screen: the file stays in view as they scroll.
    assert json.loads(table.proto.columns)["file_name"]["pinned"] is True
    # The sample's files with deliberately bad rows read "ok" with their rejected rows in view.
    assert ((history["status"] == "ok") & (history["n_rejected"] > 0)).sum() == 3


def test_rejected_rows_narrow_to_one_file(app):
    at = rendered(app, "pages/data.py")
    picker = at.selectbox(key="rejected_file")
    # The sample's three files with deliberately bad rows (servicelevel/sample.py BAD_ROWS).
    assert [o.split(" (")[0] for o in picker.options] == [
        "All 3 files", "csat_survey.csv", "zendesk_tickets.csv", "jira_requests.csv"]
    assert "Choose one file above to download its rejected rows as a file to correct and import again." in [
        c.value for c in at.caption]
    picker.select(picker.options[2]).run()
    frames = [df.value for df in at.dataframe if "file_name" in df.value.columns]
    by_reason = next(f for f in frames if "rows" in f.columns)
    rows = next(f for f in frames if "detail" in f.columns)
    assert set(rows["file_name"]) == set(by_reason["file_name"]) == {"zendesk_tickets.csv"}
    assert by_reason["rows"].sum() == len(rows) == sum(f == "zendesk_tickets.csv" for f, _ in BAD_ROWS)
    # Each of them broke a rule, so all go into the file to correct, named for the original.
    mend = next(b.proto for b in at.get("download_button") if b.proto.label.endswith("to correct"))
    assert len(rows) > 1 and mend.label == f"Download the {len(rows)} rows to correct"
    # The sample writes its Zendesk times without an offset, in the organisation's zone, and
    # imports them in it.
    zone = f"time zone `{organisation().timezone}`"
    assert any(c.value.startswith("As the file had them") and f"preset `zendesk`, source label `zendesk` and {zone}"
               in c.value for c in at.caption)

    # The Jira file's malformed line and repeated id stay out, and the caption says so.
    picker.select(picker.options[3]).run()
    mend = next(b.proto for b in at.get("download_button") if b.proto.label.endswith("to correct"))
    n_jira = sum(f == "jira_requests.csv" for f, _ in BAD_ROWS)
    assert n_jira - 2 > 1 and mend.label == f"Download the {n_jira - 2} rows to correct"
    assert any(f"2 of the {n_jira} rejected rows are not in it" in c.value for c in at.caption)


def test_the_import_form_names_a_time_zone_it_does_not_know_before_any_upload(app):
    at = rendered(app, "pages/data.py")
    at.text_input(key="upload_tz").input("Europe/Lisbn").run()
    assert [e.value for e in at.error] == [
        "'Europe/Lisbn' is not an IANA time zone (such as Europe/Lisbon or America/Sao_Paulo)."]
    at.text_input(key="upload_tz").input("Europe/Lisbon").run()
    assert not at.error


def test_the_import_form_offers_each_preset_by_the_tool_it_reads(app):
    at = rendered(app, "pages/data.py")
    picker = at.selectbox(key="upload_preset")
    assert picker.options[0].startswith("(automatic")
    assert "Zendesk Support ticket export (CSV) · zendesk" in picker.options
    assert ("ServiceNow incident event log (CSV, one row per update of an incident) · servicenow_event_log"
            in picker.options)
    picker.select("jira").run()  # the value is still the preset's name
    assert at.selectbox(key="upload_preset").value == "jira"


def test_the_scorecard_says_the_sidebar_department_filter_does_not_narrow_it(app):
    app.query_params["dept"] = "IT"
    at = rendered(app, "pages/departments.py")
    captions = [c.value for c in at.caption]
    assert captions[0].count("internal") == 1  # "internal requesters; provider IT", not "internal ... internal"
    assert any(c.startswith("The scorecard sets its department itself") for c in captions)
    scorecards = [df.value for df in at.dataframe if "too_few" in df.value.columns]
    assert len(scorecards) == 2  # as provider and as requester, each flagging its thin rows


def test_the_adherence_table_lists_priorities_in_the_heatmaps_order(app):
    at = rendered(app, "pages/sla.py")
    table = next(df.value for df in at.dataframe if {"provider_department", "priority"} <= set(df.value.columns))
    order = ["urgent", "high", "normal", "low"]
    for _, rows in table.groupby("provider_department", sort=False):
        listed = [p for p in rows["priority"] if p in order]
        assert listed == sorted(listed, key=order.index)
    assert table["provider_department"].tolist() == sorted(table["provider_department"])


def goal_rules(at: AppTest, title_start: str) -> pd.DataFrame:
    """The goal rules a trend chart draws (the layer whose data has a goal column)."""
    _, frames = next((s, f) for s, f in chart_data(at) if chart_title(s).startswith(title_start))
    return next(f for f in frames if "goal" in f.columns and "week_start" not in f.columns)


def test_each_requester_group_gets_its_own_goal_rule_when_their_goals_differ(app):
    at = rendered(app)
    rules = goal_rules(at, "First-response adherence by week").set_index("segment")["goal"]
    assert set(rules.index) == {"internal", "external"}
    weeks = next(df.value for df in at.dataframe if {"segment", "fr_goal"} <= set(df.value.columns))
    for segment in ("internal", "external"):
        # The table shows goals in percent to one decimal; the rule is their mean over the weeks.
        assert rules[segment] * 100 == pytest.approx(weeks.loc[weeks["segment"] == segment, "fr_goal"].mean(), abs=0.05)
    assert rules["internal"] != pytest.approx(rules["external"], abs=1e-4)


def test_the_filters_list_priorities_by_severity_and_departments_by_name(app):
    at = rendered(app)
    assert at.multiselect(key="priority").options == ["urgent", "high", "normal", "low"]
    for key in ("dept", "requester_dept"):  # departments by name
        names = at.multiselect(key=key).options
        assert names == sorted(names, key=str.casefold) and "Procurement" in names


def test_the_weekly_table_lists_the_tiles_week_first(app):
    at = rendered(app)
    weeks = next(df.value for df in at.dataframe if {"segment", "fr_goal"} <= set(df.value.columns))
    starts = pd.to_datetime(weeks["week_start"]).dt.date.tolist()
    assert starts[0] == date(2026, 11, 9) and starts == sorted(starts, reverse=True)  # 2026-W46, the tiles' week


def test_one_requester_group_gets_one_goal_rule(app):
    app.query_params["requester"] = "Internal"
    at = rendered(app)
    rules = goal_rules(at, "First-response adherence by week")
    weeks = next(df.value for df in at.dataframe if {"segment", "fr_goal"} <= set(df.value.columns))
    # Every request the filter keeps is internal: the table lists them once, as 'all'.
    assert set(weeks["segment"]) == {"all"}
    internal = weeks["fr_goal"].mean()
    assert len(rules) == 1 and rules["goal"].iloc[0] * 100 == pytest.approx(internal, abs=0.05)


@pytest.mark.parametrize("page, uses_filters", [("pages/data.py", False), ("pages/request.py", False), ("pages/sla.py", True)])
def test_a_page_the_filters_do_not_narrow_says_so_in_the_sidebar(app, page, uses_filters):
    at = rendered(app, page)
    says = any("does not use these filters" in c.value for c in at.sidebar.caption)
    assert says != uses_filters
    if says:  # under the heading, above the filters: at the bottom it sat below a laptop's fold
        shown = [(node.type, getattr(node, "value", None)) for node in at.sidebar.children.values()]
        assert shown[:2] == [("header", "Filters"),
                             ("caption", "This page does not use these filters; the other pages do.")]


@pytest.mark.parametrize("department", ["Procurement", "Sales", "Finance"])
def test_trends_draw_only_the_requester_types_a_department_serves(app, sample_db_path, department):
    con = store.connect(sample_db_path)
    try:
        served = {t for (t,) in con.execute(
            "select distinct requester_type from requests where provider_department = ?", [department]).fetchall()}
    finally:
        con.close()
    app.query_params["dept"] = department
    at = rendered(app)
    _, frames = next((s, f) for s, f in chart_data(at) if chart_title(s).startswith("Requests created by week"))
    drawn = set(next(f for f in frames if "week_start" in f.columns)["segment"])
    assert drawn == served
    listed = next(df.value for df in at.dataframe if {"segment", "fr_goal"} <= set(df.value.columns))
    # A department serving one kind of customer lists each week once: its segment would repeat 'all'.
    assert set(listed["segment"]) == ({"all"} if len(served) == 1 else {"all", *served})
    heading = next(h.value for h in at.subheader if "trends" in h.value.lower())
    # The sidebar keeps every requester: a single line is explained under the heading.
    explained = [c.value for c in at.caption if c.value.startswith("Every request this selection holds over")]
    if len(served) == 1:
        only, other = next(iter(served)), next(iter({"internal", "external"} - served))
        assert heading.endswith(f"{only} customers only")
        assert explained == [f"Every request this selection holds over these weeks is from {only} requesters, "
                             f"none from {other} ones: each chart draws one line."]
        asked = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)  # the same database
        asked.query_params.update(dept=department, requester=only.capitalize())  # the heading is explanation enough
        assert not any(c.value.startswith("Every request this selection holds over") for c in rendered(asked).caption)
    else:
        assert "internal and external customers" in heading and not explained


def test_movers_say_which_changes_chance_could_make(app, sample_db_path):
    # W46 against W45, per provider department, counted by independent SQL and tested here.
    at = rendered(app)
    movers = next(df.value for df in at.dataframe if "adherence this week" in json.dumps(df.proto.columns))
    # Every requester, as counted below: the scorecard's rate for a department, of internal ones only, can differ.
    assert any(c.value.startswith("First-response and resolution targets together, of every requester the filters "
                                  "keep (the Internal departments page's scorecard counts internal requesters only)")
               for c in at.caption)
    con = store.connect(sample_db_path)
    try:
        for row in movers.itertuples(index=False):
            now = decided_targets(con, row.department, date(2026, 11, 9), date(2026, 11, 16))[None]
            before = decided_targets(con, row.department, date(2026, 11, 2), date(2026, 11, 9))[None]
            assert (row.n_decided_now, row.n_breached_now) == (sum(now), now[1])
            assert row.could_be_chance == (fisher_two_sided(*now, *before) >= 0.05), row.department
    finally:
        con.close()
    # W46 against W45: Sales' -7.1 points (10 breaches of 43 against 6 of 37) could be chance; IT's
    # +2.7 points (7 breaches of 425 against 16 of 372) could not.
    flags = dict(zip(movers["department"], movers["could_be_chance"]))
    assert (flags["Sales"], flags["IT"]) == (True, False)


def test_the_overview_heads_its_department_rankings_as_provider_departments(app):
    # Slipping, every department against its goal and movers rank the departments serving the
    # requests; "department" alone reads as the customer's too.
    ranked = [df for df in rendered(app).dataframe if "department" in df.value.columns]
    assert len(ranked) == 3
    for df in ranked:
        assert json.loads(df.proto.columns)["department"]["label"] == "provider department"


def test_the_scorecard_in_the_datas_first_week_says_there_is_nothing_before_it(app, sample_db_path):
    app.query_params["week"] = first_week_code(sample_db_path)
    at = rendered(app, "pages/departments.py")
    tiles = [m for m in at.metric if m.label.startswith("SLA adherence as ")]
    assert tiles and not any(m.delta for m in tiles)
    assert sum(c.value.endswith(" · no period before in the data") for c in at.caption) == len(tiles)
