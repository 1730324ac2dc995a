"""Import speed: our import of a ~1 GB export next to a bare DuckDB read_csv of the same file.

    python bench/bench_import.py [--size-mb 1024] [--keep]

Writes a canonical CSV and a Zendesk-style CSV of about --size-mb each into bench/out/, then, for
each file, times (in the same run, on fresh database files) DuckDB's own
`create table t as select * from read_csv(file)` and `python -m servicelevel import` of it
(parse, validate, merge, account), then a second import of the same file (everything unchanged).
Prints a table of rows/s and the ratio. Target: our import within 2x of the bare read.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from servicelevel import store  # noqa: E402
from servicelevel.ingest import import_file  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
BYTES_PER_ROW = {"canonical": 183, "zendesk": 221}  # measured on the generated files

CANONICAL_SQL = """
copy (
    select
        'REQ-' || i as request_id,
        strftime(timestamptz '2025-01-01 00:00:00+00' + to_seconds(i * 6 % 31536000), '%Y-%m-%dT%H:%M:%SZ') as created_at,
        strftime(timestamptz '2025-01-01 00:00:00+00' + to_seconds(i * 6 % 31536000 + 600 + i % 7200), '%Y-%m-%dT%H:%M:%SZ') as first_response_at,
        case when i % 10 <> 0 then strftime(timestamptz '2025-01-01 00:00:00+00' + to_seconds(i * 6 % 31536000 + 3600 + i % 259200), '%Y-%m-%dT%H:%M:%SZ') end as resolved_at,
        ['open', 'pending', 'resolved', 'closed'][1 + i % 4] as status,
        ['urgent', 'high', 'normal', 'low'][1 + i % 4] as priority,
        case when i % 3 = 0 then 'external' else 'internal' end as requester_type,
        case when i % 3 <> 0 then 'Department ' || (i % 11) end as requester_department,
        case when i % 3 = 0 then 'Customer Org ' || (i % 997) end as requester_org,
        'Department ' || (i % 9) as provider_department,
        ['email', 'phone', 'chat', 'portal'][1 + i % 4] as channel,
        'Category ' || (i % 40) as category,
        'Cannot access system ' || (i % 5000) || ', please help' as subject,
        i % 3 as reopen_count
    from range({n}) t(i)
) to '{path}' (header, delimiter ',')
"""

ZENDESK_SQL = """
copy (
    select
        i as "Id",
        'Requester ' || (i % 9973) as "Requester",
        100000 + i % 9973 as "Requester id",
        'requester' || (i % 9973) || '@example.com' as "Requester email",
        'Agent ' || (i % 97) as "Assignee",
        'Support Tier ' || (i % 5) as "Group",
        'Order ' || (i % 100000) || ' has not arrived' as "Subject",
        ['New', 'Open', 'Pending', 'Solved', 'Closed'][1 + i % 5] as "Status",
        ['Low', 'Normal', 'High', 'Urgent'][1 + i % 4] as "Priority",
        ['Web form', 'Mail', 'Phone call (incoming)', 'Chat'][1 + i % 4] as "Via",
        ['question', 'incident', 'problem', 'task'][1 + i % 4] as "Ticket type",
        strftime(timestamp '2025-01-01 00:00:00' + to_seconds(i * 6 % 31536000), '%Y-%m-%d %H:%M:%S') || ' -0300' as "Created at",
        strftime(timestamp '2025-01-01 00:00:00' + to_seconds(i * 6 % 31536000 + 90000), '%Y-%m-%d %H:%M:%S') || ' -0300' as "Updated at",
        'Customer Org ' || (i % 997) as "Organization",
        case when i % 4 >= 3 then strftime(timestamp '2025-01-01 00:00:00' + to_seconds(i * 6 % 31536000 + 7200 + i % 172800), '%Y-%m-%d %H:%M:%S') || ' -0300' end as "Solved at",
        1 + i % 3 as "Group stations",
        i % 2 as "Reopens",
        10 + i % 600 as "First reply time in minutes"
    from range({n}) t(i)
) to '{path}' (header, delimiter ',')
"""


def write_file(kind: str, size_mb: int) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{kind}_{size_mb}mb.csv"
    if path.exists():
        return path
    n = size_mb * 1024 * 1024 // BYTES_PER_ROW[kind]
    sql = (CANONICAL_SQL if kind == "canonical" else ZENDESK_SQL).format(n=n, path=path)
    duckdb.connect().execute(sql)
    return path


def bare_read(path: Path) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "bare.duckdb"))
        started = time.perf_counter()
        con.execute("create table t as select * from read_csv($p)", {"p": str(path)})
        seconds = time.perf_counter() - started
        rows = con.execute("select count(*) from t").fetchone()[0]
        con.close()
    return rows, seconds


def our_import(path: Path, preset: str) -> tuple[int, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        con = store.connect(Path(tmp) / "ours.duckdb")
        started = time.perf_counter()
        report = import_file(con, path, preset=preset)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = import_file(con, path, preset=preset)
        second = time.perf_counter() - started
        assert report.is_balanced() and again.n_unchanged + again.n_rejected == again.n_read
        con.close()
    return report.n_read, first, second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--keep", action="store_true", help="keep the generated files in bench/out/")
    args = parser.parse_args()
    rows_out = []
    for kind, preset in (("canonical", "canonical"), ("zendesk", "zendesk")):
        path = write_file(kind, args.size_mb)
        size_mb = path.stat().st_size / 1024 / 1024
        n_bare, t_bare = bare_read(path)
        n_ours, t_ours, t_again = our_import(path, preset)
        rows_out.append((kind, size_mb, n_ours, t_bare, t_ours, t_again, n_bare))
        if not args.keep:
            path.unlink()
    print(f"{'file':<10} {'MB':>7} {'rows':>11} {'read_csv s':>10} {'rows/s':>11} {'import s':>9} {'rows/s':>11} {'ratio':>6} {'re-import s':>11}")
    for kind, size_mb, n, t_bare, t_ours, t_again, n_bare in rows_out:
        print(
            f"{kind:<10} {size_mb:7.0f} {n:11,} {t_bare:10.2f} {n_bare / t_bare:11,.0f} "
            f"{t_ours:9.2f} {n / t_ours:11,.0f} {t_ours / t_bare:6.2f} {t_again:11.2f}"
        )


if __name__ == "__main__":
    main()
