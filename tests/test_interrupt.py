"""Ctrl-C on the command line: the import under way is undone, what was done stays, and the
command ends with one line saying which, not a traceback (and not DuckDB aborting the process).

The command runs on a pseudo-terminal, as a person would run it: it draws its progress bar there
and flushes every line, so the test presses Ctrl-C (SIGINT) at a known stage of its work."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from servicelevel import PROJECT_ROOT, sla, store
from servicelevel.refresh import ensure_fresh
from servicelevel.cli import main, stopped_by_interrupt
from tests.fixtures.importing import table_contents

CANONICAL = PROJECT_ROOT / "tests" / "fixtures" / "canonical" / "requests.csv"
BIG_ROWS = 600_000  # about 100 MB: reading it takes long enough to be interrupted


@pytest.fixture(scope="module")
def big_export(tmp_path_factory) -> Path:
    """A canonical export of BIG_ROWS distinct, valid requests."""
    path = tmp_path_factory.mktemp("big") / "big.csv"
    duckdb.connect().execute(f"""
        copy (
            select 'BIG-' || i as request_id,
                   strftime(timestamp '2025-01-01' + to_seconds(i * 40), '%Y-%m-%dT%H:%M:%SZ') as created_at,
                   strftime(timestamp '2025-01-01' + to_seconds(i * 40 + 900), '%Y-%m-%dT%H:%M:%SZ') as first_response_at,
                   'Department ' || (i % 9) as provider_department,
                   'Category ' || (i % 40) as category,
                   'Cannot log in to system ' || (i % 500) as subject
            from range({BIG_ROWS}) t(i)
        ) to '{path}' (header, delimiter ',')""")
    return path


def press_ctrl_c_when(marker: str, *args: str) -> tuple[int, str]:
    """Run `python -m servicelevel ARGS` on a terminal, send it Ctrl-C as soon as its output shows
    `marker`, and return its exit code and everything it wrote."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "servicelevel", *args], cwd=PROJECT_ROOT,
                               stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
    os.close(follower)
    output, pressed = b"", False
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if select.select([leader], [], [], 0.05)[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the process has ended and closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if not pressed and marker.encode() in output:
            process.send_signal(signal.SIGINT)
            pressed = True
    process.wait(timeout=60)
    os.close(leader)
    text = output.decode(errors="replace")
    assert pressed, f"{marker!r} never appeared in the output:\n{text}"
    return process.returncode, text


def test_ctrl_c_while_a_file_is_read_undoes_that_file_and_says_so(tmp_path, big_export):
    db = tmp_path / "db.duckdb"
    assert main(["--db", str(db), "import", str(CANONICAL)]) == 0
    con = store.connect(db)
    before = table_contents(con)
    con.close()

    # The progress bar names the stage: Ctrl-C lands while DuckDB reads the file.
    code, output = press_ctrl_c_when("reading big.csv", "--db", str(db), "import", str(big_export))

    assert code == 130
    assert "interrupted: big.csv was not imported (the database is as it was before it)" in output
    assert "Traceback" not in output and "FATAL" not in output
    con = store.connect(db)
    assert table_contents(con) == before
    # A stop asked for is not a failed file: the imports log holds no failure for it.
    assert con.execute("select count(*) from imports where status <> 'ok'").fetchone()[0] == 0
    # Nothing of the import's scratch work survives in the file either.
    assert con.execute("select count(*) from duckdb_tables() where not temporary and table_name like '%staged%'"
                       ).fetchone()[0] == 0


def test_ctrl_c_while_states_are_recomputed_keeps_the_import_and_recomputes_later(tmp_path, big_export):
    db = tmp_path / "db.duckdb"
    # The recomputation says it has begun (pressed at the report's balance line instead, Ctrl-C could
    # come before it, while the report was printed, on a busy machine).
    code, output = press_ctrl_c_when("recomputing the SLA states and the pages' tables", "--db", str(db), "import",
                                     str(big_export))

    assert code == 130
    assert ("interrupted: the SLA states and derived tables were being recomputed. The imported files are kept; "
            "the dashboard, the report or the next import recomputes them.") in output
    assert "Traceback" not in output and "FATAL" not in output
    con = store.connect(db)
    assert con.execute("select count(*), count(distinct request_id) from requests").fetchone() == (BIG_ROWS, BIG_ROWS)
    assert con.execute("select status, n_inserted from imports").fetchall() == [("ok", BIG_ROWS)]
    # The states are known to be stale, and the next look brings them up to date.
    assert not sla.is_fresh(con)
    assert ensure_fresh(con)
    assert sla.is_fresh(con)
    assert con.execute("select count(*) from request_sla").fetchone()[0] == BIG_ROWS


class CtrlCOnCommit:
    """A connection that receives Ctrl-C at the moment it is told to commit."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def execute(self, sql: str, *params):
        if sql == "commit":
            signal.raise_signal(signal.SIGINT)
        return self.con.execute(sql, *params)


def test_ctrl_c_during_a_commit_lets_it_finish_then_stops(tmp_path):
    con = store.connect(tmp_path / "db.duckdb")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    with pytest.raises(KeyboardInterrupt) as stopped:
        with store.transaction(CtrlCOnCommit(con)):
            store.set_meta(con, "probe", "written in the transaction")

    # DuckDB would finish the commit anyway and report it interrupted: instead it is committed,
    # and the interruption says so.
    assert isinstance(stopped.value, store.CommittedThenInterrupted)
    other = con.cursor()  # another connection to the same database sees only what is committed
    assert store.get_meta(other, "probe") == "written in the transaction"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    # No transaction is left open: the next one begins as usual.
    with store.transaction(con):
        store.set_meta(con, "probe", "again")
    assert store.get_meta(con, "probe") == "again"


def test_a_ctrl_c_inside_a_block_within_another_says_the_inner_blocks_line():
    # The import command's outer block (a report being printed, the next file opened) says what was
    # kept; a block inside it (an import under way, the recomputation) says its own line, passed on.
    with pytest.raises(KeyboardInterrupt) as stopped:
        with stopped_by_interrupt("any file imported before it is kept"):
            raise KeyboardInterrupt
    assert stopped.value.args == ("any file imported before it is kept",)
    with pytest.raises(KeyboardInterrupt) as stopped:
        with stopped_by_interrupt("any file imported before it is kept"):
            with stopped_by_interrupt("desk.csv was not imported"):
                raise KeyboardInterrupt
    assert stopped.value.args == ("desk.csv was not imported",)
