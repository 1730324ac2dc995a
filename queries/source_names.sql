-- source_names
-- Returns: source, one row per source name that holds anything a removal would take (requests,
--   status events, survey answers, rejected rows, or imports not yet removed), by name.
-- Params: none
with held as (
    select source from requests
    union
    select source from events
    union
    select survey_source from feedback
    union
    select source from rejected_rows
    union
    select source from imports where status <> 'removed'
)
select source
from held
where source is not null and source <> ''
order by source
