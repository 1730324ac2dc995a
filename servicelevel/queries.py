"""Run the questions in queries/*.sql with bound parameters."""

from __future__ import annotations

import duckdb
import pandas as pd

from servicelevel.sqlfiles import parameters_of, query_sql


# When a list, every run() appends (name, params) to it: bench/bench_pages.py records which
# queries a page runs, with which parameters, and times exactly those.
RECORDER: list[tuple[str, dict]] | None = None


class QueryParameterError(KeyError):
    """A query names a parameter the caller did not give."""


def bind(name: str, params: dict) -> tuple[str, dict]:
    """(sql, the subset of params it names); raises if one it names is missing."""
    sql = query_sql(name)
    wanted = parameters_of(sql)
    missing = wanted - set(params)
    if missing:
        raise QueryParameterError(f"query '{name}' needs parameter(s) {', '.join(sorted(missing))}")
    return sql, {k: params[k] for k in wanted}


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> pd.DataFrame:
    """Run queries/<name>.sql on its own cursor and return the (small) result as a DataFrame."""
    sql, bound = bind(name, params or {})
    if RECORDER is not None:
        RECORDER.append((name, bound))
    cursor = con.cursor()
    try:
        # Through Arrow: DuckDB's own .df() still calls a pandas API that pandas 3.1 deprecates.
        return cursor.sql(sql, params=bound).to_arrow_table().to_pandas()
    finally:
        cursor.close()
