"""Benchmark of the SLA engine: refresh_sla on a synthetic database, against a per-request
Python computation of the same numbers.

    python bench/bench_sla.py [n_requests=10000000] [db_path=bench/out/synthetic_<n>.duckdb]

Prints a table: refresh_sla warm with the default business-hours policies, the same with every
policy on the 24x7 calendar, the share of that time spent computing (the same statement as a
SELECT that only counts its rows), the per-request Python reference timed on a sample and
extrapolated, the peak resident memory of this process, the time to key the requests an import
brought and count their pauses (servicelevel/sql/key_requests.sql, count_pauses.sql) for a few
and for all of them, and to count every request's pauses again after the paused statuses change.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synthetic import END_AT, make_synthetic_db  # noqa: E402
from servicelevel import store  # noqa: E402
from servicelevel.calendars import TWENTY_FOUR_SEVEN  # noqa: E402
from servicelevel.policies import PolicySet, load_policies  # noqa: E402
from servicelevel.sla import META_PAUSES, joins_as_written, key_requests, refresh_sla, request_sla_sql  # noqa: E402
from tests.reference_clock import RefCalendar, business_seconds, deadline  # noqa: E402

NOW = datetime.fromisoformat(END_AT)
REPEATS = 2
SAMPLE = 1_000


class PeakRss:
    """Polls this process's resident memory in the background; .peak in bytes."""

    def __init__(self, every: float = 0.02):
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self.every = every
        self.running = True
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.every)

    def stop(self) -> int:
        self.running = False
        self.thread.join()
        return self.peak


def all_on_24x7(policy_set: PolicySet) -> PolicySet:
    """The same policies and targets (in seconds), every one on the 24x7 calendar."""
    policies = tuple(replace(p, calendar=TWENTY_FOUR_SEVEN) for p in policy_set.policies)
    return replace(policy_set, policies=policies, fingerprint=policy_set.fingerprint + "-24x7")


def timed_refresh(con, policy_set: PolicySet) -> float:
    """Best of REPEATS warm refreshes (the first call warms caches and builds clock tables)."""
    refresh_sla(con, policy_set, now=NOW)
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        refresh_sla(con, policy_set, now=NOW)
        times.append(time.perf_counter() - started)
    return min(times)


def timed_compute(con, policy_set: PolicySet) -> float:
    """Best of REPEATS: the refresh statement as a SELECT over every column, nothing written."""
    sql, params = request_sla_sql(con, policy_set, NOW)
    body = sql.split("create or replace table request_sla as", 1)[1]
    select = (
        "select count(*), count(fr_deadline_at), count(res_deadline_at), sum(fr_elapsed_business_secs),"
        f" sum(res_elapsed_business_secs), sum(res_paused_business_secs) from ({body})"
    )
    times = []
    with joins_as_written(con):
        for _ in range(REPEATS + 1):  # the first run warms the caches
            started = time.perf_counter()
            con.execute(select, params).fetchall()
            times.append(time.perf_counter() - started)
    return min(times[1:])


def timed_keying(con, every: int, paused_statuses: tuple[str, ...]) -> tuple[int, float]:
    """Seconds to key one request in `every` and its events as if an import had just brought
    them (their keys forgotten), inside a transaction that is rolled back; returns (requests
    keyed, seconds)."""
    con.execute("begin transaction")
    try:
        # `every` is an integer constant of this script.
        con.execute(f"update requests set request_key = null where request_key % {int(every)} = 0")
        con.execute(
            f"update events set request_key = null, next_status_at = null where request_key % {int(every)} = 0"
        )
        con.execute(f"delete from request_keys where request_key % {int(every)} = 0")
        n = con.execute("select count(*) from requests where request_key is null").fetchall()[0][0]
        started = time.perf_counter()
        key_requests(con, paused_statuses)
        return n, time.perf_counter() - started
    finally:
        con.execute("rollback")


def timed_recount(con, paused_statuses: tuple[str, ...]) -> float:
    """Seconds to count every request's pauses again, as after the paused statuses changed
    (inside a transaction that is rolled back)."""
    con.execute("begin transaction")
    try:
        con.execute("delete from meta where key = $key", {"key": META_PAUSES})
        started = time.perf_counter()
        key_requests(con, paused_statuses)
        return time.perf_counter() - started
    finally:
        con.execute("rollback")


def reference_per_request(con, policy_set: PolicySet) -> float:
    """Seconds per request for the plain-Python clock (elapsed and deadline for both metrics)."""
    rows = con.execute(
        # The sample size is a constant of this script (DuckDB takes no parameter there).
        f"""select created_at, fr_stopped_at, res_stopped_at, calendar_name,
                   fr_target_secs, res_target_secs
            from request_sla
            where calendar_name is not null
            using sample reservoir({int(SAMPLE)} rows) repeatable (7)"""
    ).fetchall()
    calendars = {
        c.name: RefCalendar(c.timezone, c.week, c.holiday_country, c.holiday_subdivision, c.closed_dates)
        for c in policy_set.calendar_list()
    }
    started = time.perf_counter()
    for created, fr_stop, res_stop, calendar_name, fr_target, res_target in rows:
        calendar = calendars[calendar_name]
        if fr_stop is not None:
            business_seconds(calendar, created, fr_stop)
        if res_stop is not None:
            business_seconds(calendar, created, res_stop)
        deadline(calendar, created, fr_target)
        deadline(calendar, created, res_target)
    return (time.perf_counter() - started) / max(len(rows), 1)


def main(argv: list[str]) -> int:
    n = int(argv[0].replace("_", "")) if argv else 10_000_000
    path = Path(argv[1]) if len(argv) > 1 else ROOT / "bench" / "out" / f"synthetic_{n}.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    memory = PeakRss()
    if not path.exists():
        started = time.perf_counter()
        make_synthetic_db(path, n)
        print(f"built {path} ({n:,} requests) in {time.perf_counter() - started:.1f} s")
    con = store.connect(path)
    n_requests, n_events = con.execute(
        "select (select count(*) from requests), (select count(*) from events)"
    ).fetchall()[0]
    business = load_policies()
    around_the_clock = all_on_24x7(business)

    t_business = timed_refresh(con, business)
    c_business = timed_compute(con, business)
    t_24x7 = timed_refresh(con, around_the_clock)
    c_24x7 = timed_compute(con, around_the_clock)
    refresh_sla(con, business, now=NOW)  # leave the business-hours states in place
    per_request = reference_per_request(con, business)
    python_total = per_request * n_requests
    peak = memory.stop()
    # After the memory figure: un-keying every row inside a transaction holds a copy of it.
    n_some, t_some = timed_keying(con, 167, business.paused_statuses)
    n_all, t_all = timed_keying(con, 1, business.paused_statuses)
    t_recount = timed_recount(con, business.paused_statuses)
    con.close()

    rows = [
        ("requests / status events", f"{n_requests:,} / {n_events:,}", ""),
        (f"refresh_sla, business-hours policies, written to request_sla (warm, best of {REPEATS})", f"{t_business:.2f} s", ""),
        ("computing every request's SLA states (same SELECT, nothing written)", f"{c_business:.2f} s", "target <= 1.5 s"),
        ("refresh_sla, every policy on 24x7", f"{t_24x7:.2f} s", ""),
        ("computing, every policy on 24x7", f"{c_24x7:.2f} s", ""),
        ("ratio business-hours / 24x7 (computing)", f"{c_business / c_24x7:.2f}x", "target <= 2x"),
        (f"Python reference, per request (sample of {SAMPLE:,})", f"{per_request * 1e6:.0f} us", ""),
        ("Python reference extrapolated to all requests", f"{python_total:,.0f} s", ""),
        ("speed-up of the set-based computation over the Python reference", f"{python_total / c_business:,.0f}x", "target >= 100x"),
        ("peak RSS of this process (psutil)", f"{peak / 2**20:,.0f} MiB", ""),
        (f"keying {n_some:,} newly imported requests and their events", f"{t_some:.2f} s", "per import"),
        (f"keying all {n_all:,} requests and their events (as after migration)", f"{t_all:.2f} s", "once"),
        ("counting every request's pauses again (the paused statuses changed)", f"{t_recount:.2f} s", "per change"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>21}  note")
    print(f"{'-' * width}  {'-' * 21}  {'-' * 15}")
    for label, value, note in rows:
        print(f"{label:<{width}}  {value:>21}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
