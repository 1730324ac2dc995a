"""Survey answers and realistic subjects for a synthetic database (see bench/synthetic.py).

    python bench/synthetic_feedback.py /tmp/synthetic.duckdb 3000000 [seed]

adds n survey answers (1-5 mostly, some on 1-10; about 40 % with a Portuguese or English
comment) to the resolved requests, and rewrites every subject from the bundled sample's phrase
lists with the variations real exports have (ticket numbers, "Re:", accents dropped, upper
case), so the recurring-problems and feedback pages have realistic text to work on.

Every value is a deterministic function of (request id, seed) through DuckDB's hash().
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from servicelevel import store  # noqa: E402
from servicelevel.sample import COMMENTS, PLACEHOLDERS, SUBJECTS  # noqa: E402

# Which of the sample's subject lists each synthetic category borrows.
SUBJECTS_FOR = {
    "Access request": "System access", "Password reset": "Password reset", "Hardware": "Laptop & hardware",
    "Software install": "Software installation", "Network": "VPN access", "Invoice question": "Invoice copy",
    "Refund": "Refund", "Delivery delay": "Delivery delay", "Damaged item": "Damaged item",
    "Contract review": "Contract review", "Payroll": "Payslip question", "Onboarding": "Onboarding",
    "Offboarding": "Onboarding", "Purchase order": "Purchase request", "Office repair": "Maintenance",
    "Cleaning": "Cleaning", "Account change": "Portal access", "Complaint": "Complaint",
    "Information": "Product question", "Other": "Order status",
}

SUBJECTS_SQL = """
update requests
set subject = r.prefix || t.text || r.suffix
from (
    select
        source, request_id, category, language, h_text,
        case when u_prefix < 6 then 'Re: ' when u_prefix < 9 then 'Fwd: '
             when u_prefix < 13 then 'URGENT: ' else '' end as prefix,
        case when u_suffix < 20 then ' #' || number
             when u_suffix < 27 then ' - ticket ' || number
             when u_suffix < 31 then '!' else '' end as suffix
    from (
        select
            source, request_id, category,
            case when hash(request_id, $seed, 1) % 10 < 7 then 'pt' else 'en' end as language,
            hash(request_id, $seed, 2) as h_text,
            hash(request_id, $seed, 3) % 100 as u_prefix,
            hash(request_id, $seed, 4) % 100 as u_suffix,
            10000 + hash(request_id, $seed, 5) % 90000 as number
        from requests
    )
) as r
join subject_counts as c on c.category = r.category and c.language = r.language
join subject_texts as t
    on t.category = r.category and t.language = r.language and t.k = r.h_text % c.n
where requests.source = r.source and requests.request_id = r.request_id
"""

FEEDBACK_SQL = """
insert into feedback
with resolved as (
    select
        source, request_id, created_at,
        coalesce(resolved_at, closed_at) as stopped_at,
        coalesce(reopen_count, 0) as reopen_count,
        coalesce(reassignment_count, 0) as reassignment_count,
        hash(request_id, $seed, 10) as h_pick
    from requests
    where coalesce(resolved_at, closed_at) is not null
    order by h_pick
    limit $n
),
drawn as (
    select
        *,
        (hash(request_id, $seed, 11) % 1000003) / 1000003.0 as u1,
        (hash(request_id, $seed, 12) % 1000003) / 1000003.0 as u2,
        (hash(request_id, $seed, 13) % 1000003) / 1000003.0 as u_comment,
        (hash(request_id, $seed, 14) % 1000003) / 1000003.0 as u_dim,
        (hash(request_id, $seed, 15) % 1000003) / 1000003.0 as u_scale,
        hash(request_id, $seed, 16) as h_text,
        case when hash(request_id, $seed, 17) % 10 < 7 then 'pt' else 'en' end as language
    from resolved
),
scored as (
    select
        *,
        -- Latent satisfaction: lower after slow resolutions, reopens and transfers.
        4.8
            - least(epoch(stopped_at - created_at) / 86400.0 / 4, 1.5)
            - 1.2 * (reopen_count > 0)::int
            - 0.35 * reassignment_count
            + 0.7 * sqrt(-2 * ln(greatest(u1, 1e-9))) * cos(2 * pi() * u2) as latent
    from drawn
),
banded as (
    select
        *,
        case when latent < 2.2 then 1 when latent < 2.9 then 2 when latent < 3.6 then 3
             when latent < 4.4 then 4 else 5 end as score5
    from scored
),
final as (
    select
        b.*,
        case when b.score5 <= 2 then 'neg' when b.score5 = 3 then 'mid' else 'pos' end as polarity,
        case when b.u_dim < 0.45 then 'business' when b.u_dim < 0.75 then 'human' else 'hidden' end as dimension,
        b.u_comment < case when b.score5 <= 2 then 0.7 else 0.35 end as has_comment,
        b.u_scale < 0.05 as on_ten
    from banded as b
)
select
    f.source as request_source,
    f.request_id,
    f.stopped_at + to_seconds(cast(600 + (f.h_text % 172800) as bigint)) as submitted_at,
    case when f.on_ten then cast(least(10, 2 * f.score5 - (f.h_text % 2)) as varchar)
         else cast(f.score5 as varchar) end as score_raw,
    case when f.on_ten then '1-10' else '1-5' end as scale,
    case when f.on_ten then 1 + (least(10, 2 * f.score5 - (f.h_text % 2)) - 1) * 4 / 9.0
         else f.score5 end as score,
    case when f.has_comment then t.text end as comment,
    case when f.has_comment then f.language end as language,
    'survey' as survey_source,
    4 as import_id,
    hash(f.request_id, $seed, 18) as row_hash
from final as f
left join comment_counts as c
    on c.language = f.language and c.polarity = f.polarity and c.dimension = f.dimension
left join comment_texts as t
    on t.language = f.language and t.polarity = f.polarity and t.dimension = f.dimension
    and t.k = f.h_text % c.n
"""


def _subject_texts() -> pd.DataFrame:
    rows = []
    for category, sample_category in SUBJECTS_FOR.items():
        for language, templates in zip(("pt", "en"), SUBJECTS[sample_category]):
            texts = []
            for template in templates:
                keys = [k for k in PLACEHOLDERS[language] if "{" + k + "}" in template]
                if keys:
                    texts += [template.replace("{" + keys[0] + "}", v) for v in PLACEHOLDERS[language][keys[0]]]
                else:
                    texts.append(template)
            rows += [(category, language, k, text) for k, text in enumerate(texts)]
            # Some people write without accents, some in capitals.
            rows += [(category, language, len(texts) + k, text.lower()) for k, text in enumerate(texts)]
    return pd.DataFrame(rows, columns=["category", "language", "k", "text"])


def _comment_texts() -> pd.DataFrame:
    rows = [
        (language, polarity, dimension, k, text)
        for (language, polarity, dimension), texts in COMMENTS.items()
        for k, text in enumerate(texts)
    ]
    return pd.DataFrame(rows, columns=["language", "polarity", "dimension", "k", "text"])


def add_realistic_subjects(con: duckdb.DuckDBPyConnection, seed: int = 7) -> None:
    """Rewrite every request's subject from the sample's phrases, with real-world variations."""
    texts = _subject_texts()
    con.register("subject_texts_frame", texts)
    try:
        con.execute("create or replace temp table subject_texts as select * from subject_texts_frame")
        con.execute(
            "create or replace temp table subject_counts as "
            "select category, language, count(*) as n from subject_texts group by all"
        )
        con.execute(SUBJECTS_SQL, {"seed": seed})
    finally:
        con.unregister("subject_texts_frame")


def add_synthetic_feedback(con: duckdb.DuckDBPyConnection, n_answers: int, seed: int = 7) -> int:
    """Add n_answers survey answers (one per resolved request at most); returns how many were added."""
    texts = _comment_texts()
    con.register("comment_texts_frame", texts)
    try:
        con.execute("create or replace temp table comment_texts as select * from comment_texts_frame")
        con.execute(
            "create or replace temp table comment_counts as "
            "select language, polarity, dimension, count(*) as n from comment_texts group by all"
        )
        before = con.execute("select count(*) from feedback").fetchall()[0][0]
        con.execute(FEEDBACK_SQL, {"n": n_answers, "seed": seed})
        added = con.execute("select count(*) from feedback").fetchall()[0][0] - before
    finally:
        con.unregister("comment_texts_frame")
    con.execute(
        """insert or replace into imports (import_id, source, kind, file_name, started_at, finished_at,
                                          status, n_read, n_inserted, mapped_fields, missing_fields)
           values (4, 'survey', 'feedback', 'synthetic-survey.csv', now(), now(), 'ok', $n, $n,
                   ['request_id', 'submitted_at', 'score', 'comment'], [])""",
        {"n": added},
    )
    return added


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    n = int(argv[1].replace("_", ""))
    seed = int(argv[2]) if len(argv) > 2 else 7
    con = store.connect(argv[0])
    try:
        started = time.perf_counter()
        add_realistic_subjects(con, seed)
        print(f"subjects rewritten in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        added = add_synthetic_feedback(con, n, seed)
        print(f"{added:,} survey answers added in {time.perf_counter() - started:.1f} s")
        con.execute("checkpoint")
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
