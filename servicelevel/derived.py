"""Derived tables the pages read (request_facts on every page, answer_facts on the feedback page
and the overview's CSAT): when they are stale, and one call that refreshes them all.

    subject_keys   subject -> FAQ grouping key          (servicelevel/subjects.py)
    request_facts  requests with subject key, previous  (servicelevel/recurring.py)
                   request of the same requester and
                   category, SLA states, survey counts
    answer_facts   survey answers joined to requests,   (servicelevel/feedback.py)
                   SLA states and comment themes

At 10 million requests, joining requests to their SLA states, answers and subject keys on
(source, request_id) costs a quarter of a second per join and per view; these tables make
each page's queries a scan of one table's period. They are derived data like request_sla:
replaced or topped up, never migrated. Call
refresh_derived(con) after every import and after every SLA refresh; the pages also call
ensure_fresh() before reading, so a database that missed a refresh is brought up to date on
its first view instead of showing stale numbers.
"""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pandas as pd

from servicelevel import queries, store
from servicelevel.sqlfiles import pipeline_sql, run_statements


def data_marker(con: duckdb.DuckDBPyConnection, with_sla: bool = True) -> str:
    """Changes whenever an import lands or rows are added (and, with_sla, when the SLA states
    are recomputed)."""
    import_id, n_requests, n_feedback = con.execute(
        """select (select coalesce(max(import_id), 0) from imports),
                  (select count(*) from requests),
                  (select count(*) from feedback)"""
    ).fetchall()[0]
    refreshed = (store.get_meta(con, "sla_refreshed_at") or "") if with_sla else ""
    return f"{import_id}:{n_requests}:{n_feedback}:{refreshed}"


def facts_as_of(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> datetime:
    """The instant derived tables judge SLA states at: now, or the data's newest instant if
    earlier (the same rule as the pages' as-of)."""
    now = now or datetime.now(timezone.utc)
    newest = queries.run(con, "data_extent").iloc[0]["data_as_of"]
    if newest is None or pd.isna(newest):
        return now
    return min(now, newest.to_pydatetime())


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when a (non-temporary) table of that name exists."""
    return con.execute(
        "select count(*) from duckdb_tables() where table_name = $name and not temporary", {"name": name}
    ).fetchall()[0][0] > 0


def run_pipeline(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> None:
    """Run every statement of servicelevel/sql/<name>.sql, each with the parameters it names."""
    run_statements(con, pipeline_sql(name), params)


def is_fresh(con: duckdb.DuckDBPyConnection, with_feedback: bool = True) -> bool:
    """True when the derived tables (answer_facts only with_feedback) reflect the current data,
    normalisation rules and lexicon."""
    from servicelevel.feedback import answer_facts_fresh
    from servicelevel.recurring import request_facts_fresh
    from servicelevel.subjects import subject_keys_fresh

    fresh = subject_keys_fresh(con) and request_facts_fresh(con)
    return fresh and (not with_feedback or answer_facts_fresh(con))


def refresh_derived(con: duckdb.DuckDBPyConnection) -> str:
    """Bring every derived table up to date; a one-line summary."""
    from servicelevel.feedback import refresh_answer_facts
    from servicelevel.recurring import refresh_request_facts
    from servicelevel.subjects import refresh_subject_keys

    n_subjects = refresh_subject_keys(con)
    n_requests = refresh_request_facts(con)
    n_answers = refresh_answer_facts(con)
    return (f"Derived tables: {n_subjects:,} new subjects keyed, {n_requests:,} requests and "
            f"{n_answers:,} survey answers indexed")


def ensure_fresh(con: duckdb.DuckDBPyConnection, with_feedback: bool = True) -> bool:
    """Refresh what is stale (answer_facts only with_feedback); True when anything was rebuilt."""
    from servicelevel.feedback import answer_facts_fresh, refresh_answer_facts
    from servicelevel.recurring import refresh_request_facts, request_facts_fresh
    from servicelevel.subjects import refresh_subject_keys, subject_keys_fresh

    rebuilt = False
    if not subject_keys_fresh(con):
        refresh_subject_keys(con)
        rebuilt = True
    if rebuilt or not request_facts_fresh(con):
        refresh_request_facts(con)
        rebuilt = True
    if with_feedback and not answer_facts_fresh(con):
        refresh_answer_facts(con)
        rebuilt = True
    return rebuilt
