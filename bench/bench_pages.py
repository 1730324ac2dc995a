"""Page speed at scale: every page's queries for the last complete week, an earlier week and
one quarter, warm.

    python bench/bench_pages.py [--requests 10000000] [--answers 3000000] [--db PATH] [--skip-rss] [--per-query]

Builds (or reuses) a synthetic database (bench/synthetic.py, bench/synthetic_feedback.py), brings
its SLA states and page tables up to date, then for each page:
  1. runs the page once in Streamlit's AppTest with the period set through the URL, recording
     which queries it runs with which parameters (servicelevel.queries.RECORDER);
  2. runs exactly those queries again on a fresh cursor, twice, and reports the second (warm)
     pass: seconds per page, per period.
The overview's numbers are also computed with pandas over in-memory DataFrames of the same
tables (loading them is not counted), to compare. Last, a real `streamlit run` serves the
database while headless Chromium opens every page; the peak resident memory of the app process
is printed (the app never loads whole tables into pandas). Targets: 0.5 s per page (SLA,
overview, departments), 1 s for the recurring-problems and feedback pages.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from servicelevel import queries, store  # noqa: E402

# Page-specific URL parameters, so that every section of the page has data to show.
PAGE_PARAMS = {"pages/departments.py": {"unit": "Finance"}, "pages/recurring.py": {"fix_category": "Password reset"}}
PAGES = {
    "overview": ("pages/overview.py", 0.5),
    "sla": ("pages/sla.py", 0.5),
    "departments": ("pages/departments.py", 0.5),
    "recurring": ("pages/recurring.py", 1.0),
    "feedback": ("pages/feedback.py", 1.0),
}
# bench/synthetic.py's history ends on Monday 2026-11-02: its last complete week is 2026-W44.
WEEK = "2026-W44"
# An earlier week is looked back on: the SLA page's at-risk list is then computed as of its end
# (sla_at_risk.sql), not read from request_facts as of now.
EARLIER_WEEK = "2026-W30"
QUARTER = ("2026-08-03", "2026-11-01")
PERIODS = {"week": WEEK, "earlier week": EARLIER_WEEK, "quarter": QUARTER}
# Looking back, the SLA page is asked what was at risk when that week ended.
PERIOD_PAGE_PARAMS = {("pages/sla.py", "earlier week"): {"risk_as_of": "End of period"}}
# The frame's own queries (what is loaded, the filters' options) run once per data version,
# not per page view: they are timed apart.
FRAME_QUERIES = {"data_extent", "filter_options"}


def ensure_database(path: Path, n_requests: int, n_answers: int) -> None:
    from synthetic import make_synthetic_db
    from synthetic_feedback import add_realistic_subjects, add_synthetic_feedback

    if not path.exists():
        print(f"building {n_requests:,} synthetic requests in {path} ...", flush=True)
        make_synthetic_db(path, n_requests)
        con = store.connect(path)
        add_realistic_subjects(con)
        add_synthetic_feedback(con, n_answers)
        con.execute("checkpoint")
        con.close()
    from servicelevel import derived, sla
    from servicelevel.feedback import refresh_answer_facts
    from servicelevel.recurring import refresh_request_facts
    from servicelevel.subjects import refresh_subject_keys

    con = store.connect(path)
    if not (sla.is_fresh(con) and derived.is_fresh(con)):
        print("refreshing after the data or the code changed (what every import does):")
        for label, step in (("SLA states (request_sla)", lambda: sla.refresh_sla(con)),
                            ("subject keys", lambda: refresh_subject_keys(con)),
                            ("request_facts", lambda: refresh_request_facts(con)),
                            ("answer_facts", lambda: refresh_answer_facts(con))):
            started = time.perf_counter()
            step()
            print(f"  {label:<28} {time.perf_counter() - started:6.1f} s", flush=True)
    con.close()


def record_page(db: Path, page: str, period: str) -> list[tuple[str, dict]]:
    """The (query, parameters) list one run of the page makes."""
    from streamlit.testing.v1 import AppTest

    os.environ["SERVICELEVEL_DB"] = str(db)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
    if isinstance(PERIODS[period], tuple):
        at.query_params["period"] = "Range"
        at.query_params["range"] = list(PERIODS[period])
    else:
        at.query_params["week"] = PERIODS[period]
    for key, value in {**PAGE_PARAMS.get(page, {}), **PERIOD_PAGE_PARAMS.get((page, period), {})}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page)
    import streamlit as st

    st.cache_data.clear()
    queries.RECORDER = []
    try:
        at.run()
    finally:
        recorded, queries.RECORDER = queries.RECORDER, None
    if at.exception:
        raise RuntimeError(f"{page} failed: {at.exception[0].message}")
    return [(name, params) for name, params in recorded if name not in FRAME_QUERIES]


def replay(con, recorded: list[tuple[str, dict]]) -> tuple[float, dict[str, float]]:
    """Seconds for the second of two passes over the recorded queries, and per query name (a query
    run twice on a page counts once, with both runs' time)."""
    for _ in range(2):
        by_query: dict[str, float] = {}
        for name, params in recorded:
            started = time.perf_counter()
            queries.run(con, name, params)
            by_query[name] = by_query.get(name, 0.0) + time.perf_counter() - started
    return sum(by_query.values()), by_query


def pandas_overview(con, week_start, week_end) -> float:
    """The overview's tiles for one week, computed with pandas from whole-table DataFrames."""
    import pandas as pd

    requests = con.sql(
        "select source, request_id, created_at, resolved_at, closed_at, due_at, requester_type from requests"
    ).to_arrow_table().to_pandas()
    sla = con.sql(
        "select source, request_id, fr_stopped_at, fr_elapsed_business_secs, fr_target_secs, fr_deadline_at,"
        " res_stopped_at, res_elapsed_business_secs, res_target_secs, res_deadline_at, fr_na_reason, res_na_reason"
        " from request_sla"
    ).to_arrow_table().to_pandas()
    feedback = con.sql("select request_source, request_id, submitted_at, score from feedback").to_arrow_table().to_pandas()
    as_of = requests["created_at"].max()
    started = time.perf_counter()
    start, end = pd.Timestamp(week_start, tz="UTC"), pd.Timestamp(week_end, tz="UTC")
    volume = requests["created_at"].between(start, end, inclusive="left").sum()
    merged = requests.merge(sla, on=["source", "request_id"])
    for prefix in ("fr", "res"):
        stopped = merged[f"{prefix}_stopped_at"]
        valid = merged[f"{prefix}_na_reason"].isna() & merged[f"{prefix}_target_secs"].notna()
        met = valid & stopped.between(start, end, inclusive="left") & (
            merged[f"{prefix}_elapsed_business_secs"] <= merged[f"{prefix}_target_secs"])
        deadline = merged[f"{prefix}_deadline_at"]
        breached = valid & deadline.between(start, end, inclusive="left") & (deadline <= as_of) & (
            stopped.isna() | (merged[f"{prefix}_elapsed_business_secs"] > merged[f"{prefix}_target_secs"]))
        _ = met.sum() / max(met.sum() + breached.sum(), 1)
    in_week = merged["fr_stopped_at"].between(start, end, inclusive="left")
    _ = merged.loc[in_week, "fr_elapsed_business_secs"].median()
    answers = feedback[feedback["submitted_at"].between(start, end, inclusive="left")]
    _ = (answers["score"] >= 4).mean()
    stop = requests["resolved_at"].fillna(requests["closed_at"])
    _ = ((requests["created_at"] < end) & (stop.isna() | (stop >= end))).sum()
    due = requests[requests["due_at"].between(start, end, inclusive="left")]
    _ = (due["resolved_at"].fillna(due["closed_at"]) <= due["due_at"]).mean()
    return time.perf_counter() - started, volume


def release_database() -> None:
    """Close the connection the in-process AppTest runs opened: the server needs the file lock."""
    import gc

    import streamlit as st

    st.cache_resource.clear()
    gc.collect()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(port: int, seconds: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("streamlit did not start")


def serving_rss(db: Path) -> int:
    """Peak RSS (bytes) of `streamlit run` while headless Chromium opens every page."""
    import psutil
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, "SERVICELEVEL_DB": str(db)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        proc = psutil.Process(process.pid)
        while not stop.is_set():
            try:
                rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.05)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    try:
        wait_until_healthy(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"],
            )
            page = browser.new_page()
            for url_path in ["", "sla", "departments", "recurring", "feedback", "data"]:
                page.goto(f"http://127.0.0.1:{port}/{url_path}", timeout=600_000)
                page.wait_for_function(
                    "() => document.querySelector('h1') && !document.querySelector("
                    "'[data-testid=\"stStatusWidget\"], [data-testid=\"stSkeleton\"]')",
                    timeout=600_000,
                )
            browser.close()
    finally:
        stop.set()
        watcher.join()
        process.terminate()
        process.wait(timeout=30)
    return peak


def main() -> None:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000_000)
    parser.add_argument("--answers", type=int, default=3_000_000)
    parser.add_argument("--db", type=Path, default=ROOT / "bench" / "out" / "pages.duckdb")
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--per-query", action="store_true", help="also print each query's warm seconds")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    ensure_database(args.db, args.requests, args.answers)

    rows = []
    for name, (page, target) in PAGES.items():
        times = {}
        for period in PERIODS:
            recorded = record_page(args.db, page, period)
            con = store.connect(args.db)
            secs, by_query = replay(con, recorded)
            times[period] = (secs, len(recorded), by_query)
            con.close()
        rows.append((name, target, times))
    con = store.connect(args.db)
    pandas_secs, _ = pandas_overview(con, date(2026, 10, 26), date(2026, 11, 2))
    con.close()

    widths = {period: max(len(period) + 2, 8) for period in PERIODS}
    print(f"\n{'page':<14} {'queries':>7} " + " ".join(f"{p + ' s':>{w}}" for p, w in widths.items())
          + f" {'target s':>9}")
    for name, target, times in rows:
        n = max(count for _, count, _ in times.values())
        print(f"{name:<14} {n:>7} " + " ".join(f"{times[p][0]:>{w}.2f}" for p, w in widths.items())
              + f" {target:>9.1f}")
        if args.per_query:
            for query in dict.fromkeys(q for p in PERIODS for q in times[p][2]):
                print(f"  {query:<21}" + " ".join(
                    f"{'' if query not in times[p][2] else f'{times[p][2][query]:.2f}':>{w}}"
                    for p, w in widths.items()))
    overview_week = rows[0][2]["week"][0]
    print(f"\noverview tiles with pandas over in-memory frames: {pandas_secs:.2f} s "
          f"(DuckDB page queries {overview_week:.2f} s, ratio {pandas_secs / overview_week:.1f}x)")
    if not args.skip_rss:
        release_database()
        print(f"peak RSS of the app process serving every page: {serving_rss(args.db) / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
