"""The DuckDB file: where it lives, how to open it, and its schema migrations."""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

import duckdb

from servicelevel import DATA_DIR

DB_ENV_VAR = "SERVICELEVEL_DB"
DEFAULT_DB_PATH = DATA_DIR / "servicelevel.duckdb"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class StoreError(Exception):
    """The database file cannot be opened or migrated; the message says why."""


class DatabaseInUse(StoreError):
    """Another process (the dashboard, as a rule) holds the database file."""


class CommittedThenInterrupted(KeyboardInterrupt):
    """Ctrl-C came while a transaction was being committed: the commit went through, then the
    interruption took effect."""


def is_interruption(exc: BaseException) -> bool:
    """True for Ctrl-C, including DuckDB's way of reporting it from inside a statement (a
    RuntimeError, 'Query interrupted')."""
    return isinstance(exc, (KeyboardInterrupt, duckdb.InterruptException)) or (
        isinstance(exc, RuntimeError) and str(exc) == "Query interrupted")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection):
    """The block's statements as one transaction: committed when the block ends, rolled back when
    it raises. Ctrl-C during the commit waits for the commit to end, then raises
    CommittedThenInterrupted: DuckDB completes a commit once begun, yet reports it as interrupted,
    which would leave no telling whether it went through."""
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    with _ctrl_c_held() as pressed:
        con.execute("commit")
    if pressed:
        raise CommittedThenInterrupted


@contextmanager
def _ctrl_c_held():
    """Hold Ctrl-C until the block ends; yields a list that holds the press if one came. Only
    where Ctrl-C raises KeyboardInterrupt (the main thread, Python's own handler): a Streamlit
    session's thread receives no signal."""
    pressed: list[bool] = []
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield pressed
        return
    signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(True))
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def default_db_path() -> Path:
    """The database path: $SERVICELEVEL_DB if set, else data/servicelevel.duckdb."""
    configured = os.environ.get(DB_ENV_VAR)
    return Path(configured) if configured else DEFAULT_DB_PATH


def migrations() -> list[tuple[int, Path]]:
    """Migration files as (version, path), oldest first; version = the file's number prefix."""
    found = []
    for path in MIGRATIONS_DIR.glob("*.sql"):
        number = path.name.split("_", 1)[0]
        if number.isdigit():
            found.append((int(number), path))
    return sorted(found)


LATEST_SCHEMA_VERSION = migrations()[-1][0]


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version recorded in the file; 0 for a new, empty file."""
    has_meta = con.execute(
        "select count(*) from information_schema.tables where table_name = 'meta'"
    ).fetchall()[0][0]
    if not has_meta:
        return 0
    rows = con.execute("select value from meta where key = 'schema_version'").fetchall()
    return int(rows[0][0]) if rows else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration newer than the file's version, each in its own transaction."""
    current = schema_version(con)
    if current > LATEST_SCHEMA_VERSION:
        raise StoreError(
            f"the database has schema version {current}, newer than this program "
            f"understands ({LATEST_SCHEMA_VERSION}); upgrade the program"
        )
    for version, path in migrations():
        if version <= current:
            continue
        with transaction(con):
            con.execute(path.read_text(encoding="utf-8"))
            con.execute(
                "insert or replace into meta values ('schema_version', $version)",
                {"version": str(version)},
            )
        current = version
    return current


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating and migrating if needed) the database; timestamps are read in UTC."""
    db_path = Path(path) if path is not None else default_db_path()
    if read_only and not db_path.exists():
        raise StoreError(f"no database at {db_path}")
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseInUse(f"{db_path} is in use by another process (is the dashboard running?): stop it first") \
                from exc
        raise StoreError(f"cannot open {db_path}: {exc}") from exc
    con.execute("set TimeZone = 'UTC'")
    # Long statements report progress to callers (the import bar) rather than print their own.
    con.execute("set enable_progress_bar = true")
    con.execute("set enable_progress_bar_print = false")
    if not read_only:
        migrate(con)
    elif schema_version(con) != LATEST_SCHEMA_VERSION:
        raise StoreError(f"{db_path} needs a migration; open it once read-write")
    if not read_only:
        install_macros(con)
    return con


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """(Re-)create the table macros the queries build on."""
    from servicelevel.sqlfiles import pipeline_sql, run_statements

    run_statements(con, pipeline_sql("macros"))


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A value from the meta table, or None."""
    # fetchall, not fetchone: an unfinished result would block this connection's next query.
    rows = con.execute("select value from meta where key = $key", {"key": key}).fetchall()
    return rows[0][0] if rows else None


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Record a value in the meta table."""
    con.execute("insert or replace into meta values ($key, $value)", {"key": key, "value": value})
