"""Load SQL statements kept as files (queries/ for questions, servicelevel/sql/ for pipelines)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb

from servicelevel import QUERIES_DIR

PIPELINE_SQL_DIR = Path(__file__).resolve().parent / "sql"
PARAM_PATTERN = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
COMMENT_PATTERN = re.compile(r"--[^\n]*")


@cache
def pipeline_sql(name: str) -> str:
    """The text of servicelevel/sql/<name>.sql."""
    return (PIPELINE_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


@cache
def query_sql(name: str) -> str:
    """The text of queries/<name>.sql."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise KeyError(f"no query named '{name}' in {QUERIES_DIR}")
    return path.read_text(encoding="utf-8")


def statements(sql: str) -> list[str]:
    """Split a file of several statements on semicolons that end a line."""
    parts = [part.strip() for part in sql.split(";\n")]
    return [p.rstrip(";") for p in parts if p and not all(
        line.strip().startswith("--") or not line.strip() for line in p.splitlines()
    )]


def parameters_of(sql: str) -> set[str]:
    """The $names a SQL text binds (comments ignored)."""
    return set(PARAM_PATTERN.findall(COMMENT_PATTERN.sub("", sql)))


def named_in(sql: str, params: dict) -> dict:
    """The parameters `sql` names, out of `params` (DuckDB refuses unused ones)."""
    wanted = parameters_of(sql)
    return {k: v for k, v in params.items() if k in wanted}


def run_statements(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None):
    """Execute each statement of `sql` with just the parameters it names; the last one's result."""
    result = None
    for statement in statements(sql):
        result = con.execute(statement, named_in(statement, params or {}))
    return result
