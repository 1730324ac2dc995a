-- unmapped_values
-- Raw status, priority and channel values of valid staged rows that no value map understood
-- (they are kept raw; the import report names them): field, raw, n — at most five per field,
-- most frequent first.
-- Params: $known_status, $known_priority, $known_channel VARCHAR[] (folded known spellings)
with valid as (
    select status_raw, priority_raw, channel_raw from staged where reason is null
),
pairs as (
    select 'status' as field, status_raw as raw, $known_status as known from valid
    union all
    select 'priority', priority_raw, $known_priority from valid
    union all
    select 'channel', channel_raw, $known_channel from valid
),
unknown as (
    select field, raw, count(*) as n
    from pairs
    where raw is not null and not list_contains(known, strip_accents(lower(trim(raw))))
    group by field, raw
)
select field, raw, n
from unknown
qualify row_number() over (partition by field order by n desc, raw) <= 5
order by field, n desc, raw
