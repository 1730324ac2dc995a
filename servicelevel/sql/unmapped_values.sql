-- unmapped_values
-- Raw status, priority and channel values of valid staged rows that no value map understood
-- (they are kept raw; the import report names them): field, raw, n — at most five per field,
-- most frequent first.
-- The rows are counted per raw spelling in one scan first, so that only the few distinct
-- spellings are folded (accents, case) and looked up, not every row's.
-- Params: $known_status, $known_priority, $known_channel VARCHAR[] (folded known spellings)
with spellings as (
    select status_raw, priority_raw, channel_raw, count(*) as n
    from staged
    where reason is null
    group by grouping sets ((status_raw), (priority_raw), (channel_raw))
),
pairs as (
    select 'status' as field, status_raw as raw, n, $known_status as known from spellings where status_raw is not null
    union all
    select 'priority', priority_raw, n, $known_priority from spellings where priority_raw is not null
    union all
    select 'channel', channel_raw, n, $known_channel from spellings where channel_raw is not null
),
unknown as (
    select field, raw, n
    from pairs
    where not list_contains(known, strip_accents(lower(trim(raw))))
)
select field, raw, n
from unknown
qualify row_number() over (partition by field order by n desc, raw) <= 5
order by field, n desc, raw
