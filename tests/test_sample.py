"""The bundled sample: deterministic files, every row accounted for, and the story it tells."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from servicelevel import PROJECT_ROOT, sample, store
from servicelevel.datainfo import data_info
from servicelevel.ingest import import_file
from tests.handmade import import_requests

SMALL = 0.1  # enough rows for the mechanics, a fraction of the time
ANCHOR = date(2026, 11, 16)  # for the small samples built here
ZONE = "America/Sao_Paulo"


def _bytes(files: list[sample.SampleFile]) -> dict[str, bytes]:
    return {f.path.name: f.path.read_bytes() for f in files}


@pytest.fixture(scope="module")
def db(sample_db_path):
    connection = store.connect(sample_db_path)
    yield connection
    connection.close()


def one(con, sql: str, params: dict | None = None):
    return con.execute(sql, params or {}).fetchone()[0]


# --------------------------------------------------------------------------------------
# Files


def test_same_anchor_and_seed_give_identical_files(tmp_path):
    first = sample.generate_exports(tmp_path / "a", anchor=ANCHOR, seed=7, scale=SMALL)
    second = sample.generate_exports(tmp_path / "b", anchor=ANCHOR, seed=7, scale=SMALL)
    assert [f.path.name for f in first] == [f.path.name for f in second]
    assert _bytes(first) == _bytes(second)


def test_files_do_not_depend_on_the_process(tmp_path):
    """Same bytes from two interpreters with different string hash seeds (set and dict order)."""
    script = (
        "import sys, hashlib, datetime; from pathlib import Path; from servicelevel import sample; "
        "files = sample.generate_exports(Path(sys.argv[1]), anchor=datetime.date(2026, 11, 16), scale=0.05); "
        "print(*(hashlib.sha256(f.path.read_bytes()).hexdigest() for f in files))"
    )
    digests = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / hash_seed)], env=env,
                              cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
        digests.append(done.stdout.split())
    assert digests[0] == digests[1]


def test_another_seed_gives_other_data(tmp_path):
    first = _bytes(sample.generate_exports(tmp_path / "a", anchor=ANCHOR, seed=7, scale=SMALL))
    second = _bytes(sample.generate_exports(tmp_path / "b", anchor=ANCHOR, seed=8, scale=SMALL))
    assert all(first[name] != second[name] for name in first)


def test_files_use_each_tools_own_headers_and_formats(tmp_path):
    files = {f.path.name: f for f in sample.generate_exports(tmp_path, anchor=ANCHOR, scale=SMALL)}
    jira = files["jira_requests.csv"].path.read_text(encoding="utf-8").splitlines()
    assert jira[0].startswith("Summary,Issue key,Issue id,Issue Type,Status,Project name")
    assert ",Labels,Labels," in jira[0]  # Jira repeats a multi-value field's header
    assert " AM," in jira[1] or " PM," in jira[1]  # 18/Nov/26 9:41 AM
    zendesk = files["zendesk_tickets.csv"].path.read_text(encoding="utf-8-sig").splitlines()
    assert zendesk[0].startswith("Id,Requester,Requester id,Requester email,Assignee,Group")
    assert " -0300," in zendesk[1]
    assert {f.preset for f in files.values()} == {"jira", "zendesk", "canonical_events", "survey"}


@pytest.mark.parametrize(
    ("now_utc", "monday"),
    [
        # The export moment is the anchor week's Wednesday, 12:00 in Sao Paulo (UTC-3): 15:00 UTC.
        (datetime(2026, 11, 19, 1, 0, tzinfo=timezone.utc), date(2026, 11, 16)),  # Wed 22:00 local
        (datetime(2026, 11, 18, 15, 0, tzinfo=timezone.utc), date(2026, 11, 16)),  # Wed 12:00 local
        (datetime(2026, 11, 18, 14, 59, tzinfo=timezone.utc), date(2026, 11, 9)),  # Wed 11:59 local
        (datetime(2026, 11, 16, 3, 0, tzinfo=timezone.utc), date(2026, 11, 9)),  # Monday 00:00 local
        (datetime(2026, 11, 16, 2, 0, tzinfo=timezone.utc), date(2026, 11, 9)),  # still Sunday local
        (datetime(2026, 11, 15, 12, 0, tzinfo=timezone.utc), date(2026, 11, 9)),  # Sunday 09:00 local
    ],
)
def test_default_anchor_is_the_latest_monday_whose_export_moment_has_passed(now_utc, monday):
    assert sample.default_anchor(now_utc) == monday


# --------------------------------------------------------------------------------------
# Import


def test_every_import_accounts_for_every_row(db):
    rows = db.execute(
        """select file_name, status, n_read, n_inserted + n_updated + n_unchanged + n_superseded
                  + n_rejected from imports order by import_id"""
    ).fetchall()
    assert [r[0] for r in rows] == [
        "jira_requests.csv", "zendesk_tickets.csv", "jira_status_history.csv",
        "csat_survey.csv", "facilities_vendor_survey.csv",
    ]
    for file_name, status, n_read, accounted in rows:
        assert status == "ok", file_name
        assert n_read == accounted > 0, file_name


def test_the_sample_is_known_by_its_sources(db, tmp_path):
    # The import form warns by these names that a real export would mix with the sample.
    assert sorted(r[0] for r in db.execute("select distinct source from imports").fetchall()) == sorted(
        sample.SAMPLE_SOURCES)
    assert sample.sample_sources_held(db, {"zendesk", "survey", "ours"}) == ["zendesk", "survey"]
    with store.connect(tmp_path / "ours.duckdb") as ours:  # never built here: the names are only names
        assert sample.sample_sources_held(ours, {"jira", "zendesk"}) == []


def test_the_sample_command_keeps_out_of_a_database_holding_other_data(tmp_path, capsys):
    # A real Jira export's source is jira, as the sample's is: built on top, the sample's 23,000
    # fictional requests joined its 5, and removing them would have taken the real ones too.
    from servicelevel.cli import main

    path = tmp_path / "ours.duckdb"
    with store.connect(path) as ours:
        import_file(ours, PROJECT_ROOT / "tests" / "fixtures" / "jira" / "issues.csv")
        import_file(ours, PROJECT_ROOT / "tests" / "fixtures" / "canonical" / "requests.csv", source="desk")
    assert main(["--db", str(path), "sample"]) == 1
    assert capsys.readouterr().err == (
        f"error: {path} holds data not from the sample (sources desk, jira): the sample's fictional requests would be "
        "mixed into it, and removing them later would take those sources' rows too. Build the sample into a database "
        "of its own: python -m servicelevel --db data/sample.duckdb sample\n")
    with store.connect(path) as ours:
        assert one(ours, "select count(*) from requests") == 5 + 4  # the Jira fixture's 5 and the canonical one's 4
        # A database the sample was built into is the sample's to finish or build again.
        assert sample.sources_not_from_the_sample(ours) == ["desk", "jira"]
        store.set_meta(ours, "sample_anchor", ANCHOR.isoformat())
        assert sample.sources_not_from_the_sample(ours) == []


def test_stale_data_that_is_only_the_sample_says_how_to_have_newer(db, tmp_path):
    # Eight days after the sample's newest timestamp: a real source would need a newer export, which
    # the sample has none of; it is generated again, up to the current week, into a new file.
    sample_info = data_info(db)
    later = sample_info.data_as_of + timedelta(days=8)
    said, stale = sample_info.freshness(later, timezone.utc)
    assert sample_info.only_sample and stale and ": the bundled sample, generated up to then." in said
    with store.connect(tmp_path / "ours.duckdb") as ours:
        import_requests(ours, tmp_path, [{"request_id": "R1", "created_at": "2026-03-02T10:00:00Z"}])
        own = data_info(ours)
        said, stale = own.freshness(own.data_as_of + timedelta(days=8), timezone.utc)
    assert not own.only_sample and stale and "whatever happened since is not in these numbers" in said


def test_bad_rows_are_rejected_for_the_intended_reasons(db):
    rejected = db.execute("select file_name, reason from rejected_rows").fetchall()
    assert Counter(rejected) == Counter(sample.BAD_ROWS)


def test_survey_answers_all_find_their_request(db):
    assert one(db, "select count(*) from feedback where request_source is null") == 0
    assert one(db, "select count(*) from feedback f anti join requests r "
                   "on r.source = f.request_source and r.request_id = f.request_id") == 0
    assert one(db, "select count(*) from events e anti join requests r "
                   "on r.source = e.source and r.request_id = e.request_id") == 0


def test_building_twice_changes_nothing(tmp_path):
    con = store.connect(tmp_path / "twice.duckdb")
    snapshot_sql = {
        table: f"select count(*), sum(hash(columns(*))) from {table}"
        for table in ("requests", "feedback", "events")
    }
    snapshot_sql["rejected_rows"] = "select count(*), sum(hash(file_name, line, reason, raw)) from rejected_rows"

    def snapshot():
        return {table: con.execute(sql).fetchall() for table, sql in snapshot_sql.items()}

    sample.build_sample(con, anchor=ANCHOR, scale=SMALL, out_dir=tmp_path / "out")
    built = snapshot()
    lines = sample.build_sample(con, anchor=ANCHOR, scale=SMALL, out_dir=tmp_path / "out")
    assert snapshot() == built
    # The importer recognises every file as already imported, byte for byte.
    imported = [line for line in lines if " -> source " in line]
    assert len(imported) == len(list((tmp_path / "out").glob("*.csv")))
    assert all("identical to import" in line for line in imported)
    # Re-importing the very files through the importer leaves every request, answer and event as is.
    for f in sample.generate_exports(tmp_path / "again", anchor=ANCHOR, scale=SMALL):
        report = import_file(con, f.path, preset=f.preset, source=f.source,
                             timezone_name=f.timezone, request_source=f.request_source)
        assert report.n_inserted == report.n_updated == 0, f.path.name
    after = snapshot()
    assert {t: after[t] for t in ("requests", "feedback", "events")} == {
        t: built[t] for t in ("requests", "feedback", "events")
    }
    assert store.get_meta(con, "sample_anchor") == ANCHOR.isoformat()
    con.close()


def contents(con) -> dict[str, list]:
    """Rows and a hash of their contents per table, leaving out the import and key numbers the
    importer hands out in the order it meets rows (a build finished later numbers them later)."""
    out = {}
    for table in ("requests", "feedback", "events"):
        present = {row[0] for row in con.execute(f"describe {table}").fetchall()}
        numbering = ", ".join(c for c in ("import_id", "request_key") if c in present)
        out[table] = con.execute(f"select count(*), sum(hash(columns(* exclude ({numbering})))) from {table}").fetchall()
    return out


def stopping_at_file(n: int):
    """A progress callback that stops the build, as Ctrl-C does, when it starts importing its nth file."""
    said = []

    def progress(message: str) -> None:
        said.append(message)
        if sum(m.startswith("importing ") for m in said) == n:
            raise KeyboardInterrupt

    return progress


def test_a_build_stopped_part_way_is_finished_as_it_began(tmp_path):
    # Stopped between two files (Ctrl-C, the dashboard closed on first start): the next build,
    # whatever day it runs and whatever it is asked, finishes that sample with its anchor and scale
    # (another week's files would add a second sample on top of part of the first).
    con = store.connect(tmp_path / "stopped.duckdb")
    with pytest.raises(KeyboardInterrupt):
        sample.build_sample(con, anchor=ANCHOR, scale=SMALL, out_dir=tmp_path / "out", progress=stopping_at_file(2))
    assert sample.unfinished_build(con) == (ANCHOR, SMALL)
    assert con.execute("select count(distinct source) from requests").fetchone()[0] == 1
    lines = sample.build_sample(con, out_dir=tmp_path / "again")
    assert sample.unfinished_build(con) is None
    assert sum("identical to import" in line for line in lines) == 1  # the file imported before the stop
    reference = store.connect(tmp_path / "whole.duckdb")
    sample.build_sample(reference, anchor=ANCHOR, scale=SMALL, out_dir=tmp_path / "whole")
    assert sample.unfinished_build(reference) is None
    assert contents(con) == contents(reference)
    con.close()
    reference.close()


def test_the_dashboard_finishes_a_sample_build_stopped_part_way(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.apptest_support import rendered

    db = tmp_path / "stopped.duckdb"
    con = store.connect(db)
    with pytest.raises(KeyboardInterrupt):
        sample.build_sample(con, anchor=ANCHOR, scale=SMALL, out_dir=tmp_path / "out", progress=stopping_at_file(2))
    con.close()
    monkeypatch.setenv("SERVICELEVEL_DB", str(db))
    monkeypatch.setattr(sample, "SAMPLE_DIR", tmp_path / "exports")  # not the repository's data/sample
    at = rendered(AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=120))
    assert at.title[0].value == "Weekly overview"
    con = store.connect(db)
    try:
        assert sample.unfinished_build(con) is None
        assert con.execute("select count(distinct source) from requests").fetchone()[0] == 2
    finally:
        con.close()


# --------------------------------------------------------------------------------------
# Realism, as SQL over the full-size sample


def test_size_and_span(db, sample_anchor):
    internal, external = db.execute(
        """select count(*) filter (where requester_type = 'internal'),
                  count(*) filter (where requester_type = 'external') from requests"""
    ).fetchone()
    assert 20_000 < internal < 28_000
    assert 13_000 < external < 19_000
    first, last = db.execute(
        f"select min(timezone('{ZONE}', created_at)), max(timezone('{ZONE}', created_at)) from requests"
    ).fetchone()
    assert first.date() == sample_anchor - timedelta(weeks=52)
    as_of = datetime.combine(sample_anchor + timedelta(days=2), datetime.min.time()).replace(hour=12)
    assert as_of - timedelta(hours=6) < last < as_of
    assert one(db, "select max(updated_at) from requests") <= as_of.replace(
        tzinfo=timezone(timedelta(hours=-3)))
    assert store.get_meta(db, "sample_anchor") == sample_anchor.isoformat()


def test_some_requests_are_still_open(db):
    by_status = dict(db.execute("select status, count(*) from requests group by 1").fetchall())
    assert by_status.get("open", 0) > 100
    assert by_status.get("pending", 0) > 0 and by_status.get("on_hold", 0) > 0
    assert by_status["resolved"] + by_status["closed"] > 0.9 * sum(by_status.values())


def test_weekday_and_hour_of_day_seasonality(db):
    weekend, night, peak, total = db.execute(
        f"""with local as (select timezone('{ZONE}', created_at) as created_local from requests)
            select count(*) filter (where isodow(created_local) >= 6),
                   count(*) filter (where hour(created_local) < 6),
                   count(*) filter (where hour(created_local) in (10, 15)),
                   count(*)
            from local"""
    ).fetchone()
    assert weekend < 0.12 * total
    assert night < 0.02 * total
    assert peak > 0.18 * total  # 2 of 24 hours


def test_departments_serve_each_other_and_customers(db):
    departments = one(db, """select count(distinct d) from (
        select requester_department as d from requests union all select provider_department from requests
    ) where d is not null""")
    assert 8 <= departments <= 12
    assert one(db, "select count(distinct requester_type) from requests") == 2
    assert one(db, "select count(distinct provider_type) from requests") >= 2
    assert one(db, "select count(*) from requests where provider_type = 'independent'") > 0
    assert one(db, "select count(distinct channel) from requests") >= 4
    assert one(db, "select count(distinct priority) from requests") == 4


def test_priority_follows_what_the_request_is_about(db):
    def urgent_or_high(categories: tuple[str, ...]) -> float:
        return one(db, "select avg((priority in ('urgent', 'high'))::int) from requests "
                       "where category in (select unnest($c))", {"c": list(categories)})

    # The exports' own odds: Highest/Urgent 3-4%, High 16-17%; questions are rarely urgent,
    # outages and access problems often are.
    routine = urgent_or_high(("Product question", "Price quote", "Vacation request", "Training"))
    ordinary = urgent_or_high(("Password reset", "Purchase request", "Returns & exchanges"))
    pressing = urgent_or_high(("VPN access", "System access", "Portal access", "Billing error"))
    # Expected, from the odds and the urgency factors: 0.02 / 0.82 = 2.4%, 20%, 0.4 / 1.2 = 33%.
    assert routine < 0.05
    assert 0.15 < ordinary < 0.25
    assert pressing > 0.3


def test_a_category_of_ordinary_urgency_draws_exactly_as_a_plain_choice():
    categories = [c for c in sample.CATEGORIES if c.system == "jira" and c.urgency == 1.0]
    cat = np.random.default_rng(1).integers(0, len(categories), 10_000)
    drawn = sample._priorities(np.random.default_rng(7), categories, cat, "jira")
    plain = np.random.default_rng(7).choice(5, size=len(cat), p=sample.PRIORITIES["jira"][1])
    assert (drawn == plain).all()


def test_the_slipping_department_is_slower_and_its_backlog_grows(db, sample_anchor):
    params = {
        "dept": sample.SLIPPING_DEPARTMENT,
        "slip_from": datetime.combine(sample_anchor - timedelta(weeks=sample.SLIP_WEEKS), datetime.min.time()),
        # Requests of the last two weeks are mostly still open: their medians say little yet.
        "recent_to": datetime.combine(sample_anchor - timedelta(weeks=2), datetime.min.time()),
        "earlier_from": datetime.combine(sample_anchor - timedelta(weeks=26), datetime.min.time()),
    }
    recent_res, earlier_res, recent_frt, earlier_frt = db.execute(
        f"""with local as (
                select timezone('{ZONE}', created_at) as created_local,
                       epoch(resolved_at - created_at) / 3600 as resolution_hours,
                       epoch(first_response_at - created_at) / 3600 as first_response_hours
                from requests where provider_department = $dept and requester_type = 'internal'
            )
            select median(resolution_hours) filter (where created_local >= $slip_from and created_local < $recent_to),
                   median(resolution_hours) filter (where created_local >= $earlier_from and created_local < $slip_from),
                   median(first_response_hours) filter (where created_local >= $slip_from and created_local < $recent_to),
                   median(first_response_hours) filter (where created_local >= $earlier_from and created_local < $slip_from)
            from local""",
        params,
    ).fetchone()
    assert recent_res > 1.5 * earlier_res
    assert recent_frt > 2 * earlier_frt
    # Open at the export moment vs open six weeks earlier.
    now_open, earlier_open = db.execute(
        f"""select count(*) filter (where resolved_at is null),
                   count(*) filter (where timezone('{ZONE}', created_at) < $slip_from - interval 7 day
                                    and (resolved_at is null or timezone('{ZONE}', resolved_at) >= $slip_from - interval 7 day))
            from requests where provider_department = $dept""",
        {"dept": sample.SLIPPING_DEPARTMENT, "slip_from": params["slip_from"]},
    ).fetchone()
    assert now_open > 1.6 * earlier_open
    # Nobody else slips like that.
    others = db.execute(
        f"""select provider_department,
                   median(epoch(resolved_at - created_at)) filter (where timezone('{ZONE}', created_at) >= $slip_from and timezone('{ZONE}', created_at) < $recent_to)
                   / median(epoch(resolved_at - created_at)) filter (where timezone('{ZONE}', created_at) >= $earlier_from and timezone('{ZONE}', created_at) < $slip_from)
            from requests where requester_type = 'internal' and provider_department <> $dept group by 1""",
        params,
    ).fetchall()
    assert all(ratio < 1.35 for _, ratio in others), others


def _weekly(db, category: str) -> dict[date, int]:
    rows = db.execute(
        f"""select cast(date_trunc('week', timezone('{ZONE}', created_at)) as date), count(*)
            from requests where category = $category group by 1""",
        {"category": category},
    ).fetchall()
    return dict(rows)


def test_the_fixed_problem_drops_by_well_over_half(db, sample_anchor):
    weekly = _weekly(db, sample.FIXED_CATEGORY)
    fixed_on = sample_anchor - timedelta(weeks=sample.FIX_WEEKS_BEFORE_ANCHOR)
    before = [n for week, n in weekly.items() if fixed_on - timedelta(weeks=20) <= week < fixed_on]
    after = [n for week, n in weekly.items() if fixed_on + timedelta(weeks=1) <= week < sample_anchor]
    assert len(before) == 20 and len(after) == sample.FIX_WEEKS_BEFORE_ANCHOR - 1
    assert sum(after) / len(after) < 0.45 * sum(before) / len(before)


def test_the_rising_problem_rises_in_recent_weeks(db, sample_anchor):
    weekly = _weekly(db, sample.RISING_CATEGORY)
    ramp_from = sample_anchor - timedelta(weeks=sample.RISING_WEEKS)
    baseline = [n for week, n in weekly.items() if week < ramp_from - timedelta(weeks=2)]
    last_weeks = [weekly[sample_anchor - timedelta(weeks=k)] for k in (1, 2, 3)]
    assert min(last_weeks) > 2 * sum(baseline) / len(baseline)


def test_part_of_the_requests_carry_a_promise(db):
    share = one(db, "select avg((due_at is not null)::int) from requests")
    assert 0.2 <= share <= 0.3
    kept = one(db, "select avg((resolved_at <= due_at + interval 1 day)::int) from requests "
                   "where due_at is not null and resolved_at is not null")
    assert 0.7 < kept < 1


def test_comments_in_portuguese_and_english_on_two_scales(db):
    by_language = dict(db.execute(
        "select language, count(*) from feedback where comment is not null group by 1").fetchall())
    assert by_language.get("pt", 0) > by_language.get("en", 0) > 100
    assert set(r[0] for r in db.execute("select distinct scale from feedback").fetchall()) == {"1-5", "1-10"}
    answered = one(db, "select count(distinct request_id) from feedback")
    resolved = one(db, "select count(*) from requests where resolved_at is not null")
    assert 0.15 < answered / resolved < 0.4


def test_most_comments_but_not_all_touch_a_theme(db):
    # As in real surveys, some comments ("Obrigado!", "Nothing to add.") say nothing classifiable.
    themed, commented = db.execute(
        "select count(*) filter (where len(themes) > 0), count(comment) from answer_facts").fetchone()
    assert 0.75 < themed / commented < 0.95


def test_scores_are_lower_after_reopens_and_slow_resolutions(db):
    reopened, not_reopened, slow, fast = db.execute(
        """with rated as (
               select f.score, r.reopen_count,
                      percent_rank() over (partition by r.category
                                           order by epoch(r.resolved_at - r.created_at)) as slowness
               from feedback as f
               join requests as r on r.source = f.request_source and r.request_id = f.request_id
           )
           select avg(score) filter (where reopen_count > 0), avg(score) filter (where reopen_count = 0),
                  avg(score) filter (where slowness > 0.75), avg(score) filter (where slowness < 0.5)
           from rated"""
    ).fetchone()
    assert reopened < not_reopened - 1
    assert slow < fast - 0.4
    low_comments = one(db, "select count(*) from feedback where score <= 2 and comment is not null")
    assert low_comments > 100


def test_subjects_repeat_with_variations(db):
    raw, normalised = db.execute(
        r"""select count(distinct subject),
                   count(distinct regexp_replace(strip_accents(lower(subject)),
                                                 '[^a-z ]|\b(re|fwd|enc|urgente?|portal|chamado|pedido|ticket)\b', '', 'g'))
            from requests"""
    ).fetchone()
    assert normalised < raw / 4
    variants = [r[0] for r in db.execute(
        """select distinct subject from requests
           where strip_accents(lower(subject)) like '%nao consigo acessar%sistema%'"""
    ).fetchall()]
    assert any("Não consigo acessar o sistema" in v for v in variants)
    assert any(v.startswith("nao consigo acessar") for v in variants)
    assert any("#" in v for v in variants)
    assert one(db, "select count(*) from requests where subject ilike 'cannot access%'") > 0
