"""Taking a source out again: everything one source name brought in, in one transaction.

Used by `python -m servicelevel remove SOURCE`, e.g. to undo an import made under the wrong
source name or a rehearsal on the demo database.
"""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from servicelevel.ingest import run_sql
from servicelevel.sqlfiles import pipeline_sql


class UnknownSource(ValueError):
    """No requests, events, answers, rejected rows or imports carry this source name."""


def source_contents(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, int]:
    """What the source holds: n_requests, n_events, n_answers, n_rejected, n_imports. Raises
    UnknownSource, naming the sources there are, when it holds nothing."""
    cursor = con.execute(pipeline_sql("source_contents"), {"source": source})
    names = [d[0] for d in cursor.description]
    contents = dict(zip(names, cursor.fetchone()))
    if not any(contents.values()):
        known = [r[0] for r in con.execute(
            "select distinct source from imports where status <> 'removed' order by source"
        ).fetchall()]
        raise UnknownSource(f"no source '{source}' in the database (sources: {', '.join(known) or 'none'})")
    return contents


def remove_source(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, int]:
    """Delete the source's rows and mark its imports removed; returns what it held. All or nothing."""
    contents = source_contents(con, source)
    con.execute("begin transaction")
    try:
        run_sql(con, pipeline_sql("remove_source"), {"source": source, "removed_at": datetime.now(timezone.utc)})
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return contents
