"""Taking a source out again: everything one source name brought in, in one transaction.

Used by `python -m servicelevel remove SOURCE` and the Data page's Sources tab, e.g. to undo an
import made under the wrong source name or a rehearsal on the demo database.
"""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from servicelevel import queries, store
from servicelevel.sqlfiles import pipeline_sql, run_statements
from servicelevel.wording import counted


class UnknownSource(ValueError):
    """No requests, events, answers, rejected rows or imports carry this source name."""


def source_contents(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, int]:
    """What the source holds: n_requests, n_events, n_answers, n_rejected, n_imports. Raises
    UnknownSource, naming the sources there are, when it holds nothing."""
    cursor = con.execute(pipeline_sql("source_contents"), {"source": source})
    names = [d[0] for d in cursor.description]
    contents = dict(zip(names, cursor.fetchone()))
    if not any(contents.values()):
        known = source_names(con)
        raise UnknownSource(f"no source '{source}' in the database (sources: {', '.join(known) or 'none'})")
    return contents


def source_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every source name that holds something a removal would take."""
    return queries.run(con, "source_names")["source"].tolist()


def describe_contents(contents: dict[str, int]) -> str:
    """What source_contents() found, in words."""
    return (f"{counted(contents['n_requests'], 'request')}, {counted(contents['n_events'], 'event')}, "
            f"{counted(contents['n_answers'], 'survey answer')}, {counted(contents['n_rejected'], 'rejected row')} "
            f"from {counted(contents['n_imports'], 'import')}")


def remove_source(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, int]:
    """Delete the source's rows and mark its imports removed; returns what it held. All or nothing."""
    contents = source_contents(con, source)
    with store.transaction(con):
        run_statements(con, pipeline_sql("remove_source"), {"source": source, "removed_at": datetime.now(timezone.utc)})
    return contents
