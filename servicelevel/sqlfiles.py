"""Load SQL statements kept as files (queries/ for questions, servicelevel/sql/ for pipelines)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from servicelevel import QUERIES_DIR

PIPELINE_SQL_DIR = Path(__file__).resolve().parent / "sql"


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
