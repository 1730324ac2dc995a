-- source_fields
-- Returns: one row per source and canonical field it never provided in any successful import:
--   source VARCHAR, field VARCHAR. Pages use it to say "this source has no first-response
--   times" instead of charting zeros.
-- Params: none
with provided as (
    select source, unnest(mapped_fields) as field
    from imports
    where status = 'ok' and kind in ('requests', 'event_log')
),
offered as (
    select distinct source, unnest(missing_fields) as field
    from imports
    where status = 'ok' and kind in ('requests', 'event_log')
),
final as (
    select source, field from offered
    except
    select source, field from provided
)
select * from final
order by source, field
