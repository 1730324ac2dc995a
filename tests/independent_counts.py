"""SLA targets counted straight from request_sla and requests, for tests to check the pages'
and the report's counts against, without the queries they test; and Fisher's exact test worked
in exact fractions, to check the flag the movers and slipping tables give."""

from __future__ import annotations

from datetime import date, datetime, timezone
from fractions import Fraction
from math import comb
from zoneinfo import ZoneInfo

from servicelevel import store
from servicelevel.datainfo import data_info

GROUPS = ("agent", "category", "requester_department")  # the columns a count may be split by


def decided_targets(con, department: str, start: date, end: date,
                    group_by: str | None = None, priority: str | None = None) -> dict[str | None, tuple[int, int]]:
    """(met, breached) targets of both metrics of `department` decided in [start, end) (local
    midnights in America/Sao_Paulo, UTC-3), per value of `group_by` (None: one total under the key
    None). Met when stopped in the span, by the data's newest instant, within target; breached when
    the deadline fell in the span and the request stopped late or had not stopped by then.
    `priority`: that priority's requests only."""
    if group_by is not None and group_by not in GROUPS:
        raise ValueError(group_by)
    group = f"r.{group_by}" if group_by else "null"
    as_of = data_info(con).as_of(datetime.now(timezone.utc))
    params = {"dept": department, "start": f"{start} 03:00:00+00", "end": f"{end} 03:00:00+00", "as_of": as_of,
              "priority": priority}
    out: dict[str | None, list[int]] = {}
    for prefix in ("fr", "res"):
        rows = con.execute(
            f"""select {group},
                    count(*) filter (where s.{prefix}_stopped_at >= $start and s.{prefix}_stopped_at < $end
                                     and s.{prefix}_stopped_at <= $as_of
                                     and s.{prefix}_elapsed_business_secs <= s.{prefix}_target_secs),
                    count(*) filter (where s.{prefix}_deadline_at >= $start and s.{prefix}_deadline_at < $end
                                     and s.{prefix}_deadline_at <= $as_of
                                     and (s.{prefix}_stopped_at is null or s.{prefix}_stopped_at > $as_of
                                          or s.{prefix}_elapsed_business_secs > s.{prefix}_target_secs))
                from request_sla as s
                join requests as r on r.source = s.source and r.request_id = s.request_id
                where r.provider_department = $dept and ($priority is null or r.priority = $priority)
                  and s.{prefix}_na_reason is null and s.{prefix}_target_secs is not null
                group by all""",
            params,
        ).fetchall()
        for value, met, breached in rows:
            total = out.setdefault(value, [0, 0])
            total[0] += met
            total[1] += breached
    return {value: (met, breached) for value, (met, breached) in out.items() if met + breached}


def first_day(db_path) -> date:
    """The day of the earliest request in the database, in America/Sao_Paulo."""
    con = store.connect(db_path)
    try:
        (first,) = con.execute("select min(created_at) from requests").fetchone()
    finally:
        con.close()
    return first.astimezone(ZoneInfo("America/Sao_Paulo")).date()


def first_week_code(db_path) -> str:
    """The ISO week of first_day(), as the sidebar's ?week= takes it ('2025-W47')."""
    iso = first_day(db_path).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def fisher_two_sided(met_now: int, breached_now: int, met_before: int, breached_before: int) -> float:
    """Fisher's exact test summed over every split in exact fractions: a reference for movers.fisher_exact_p."""
    decided_now, met = met_now + breached_now, met_now + met_before
    total = decided_now + met_before + breached_before

    def chance(x: int) -> Fraction:
        return Fraction(comb(met, x) * comb(total - met, decided_now - x), comb(total, decided_now))

    seen = chance(met_now)
    splits = range(max(0, decided_now - (total - met)), min(met, decided_now) + 1)
    return float(sum(chance(x) for x in splits if chance(x) <= seen))



def reassignment_counts_by_source(db_path) -> dict[str, int]:
    """Per source, how many of its stored requests carry a reassignment count (the sample's Jira
    export has none)."""
    con = store.connect(db_path)
    try:
        return dict(con.execute("select source, count(reassignment_count) from requests group by source").fetchall())
    finally:
        con.close()
