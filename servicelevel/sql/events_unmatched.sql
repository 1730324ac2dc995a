-- events_unmatched
-- The status events this import added whose request is not stored in their source, and which
-- other sources hold request ids they name: the usual slip is importing a tool's status history
-- without naming the tool's source, so its events land under the preset's default source.
-- Returns: n_unmatched (events), elsewhere (a list of {source, n_events}, most first)
-- Params: $source
with unmatched as (
    select o.request_id
    from event_outcomes as o
    where o.outcome = 'inserted'
      and not exists (select 1 from requests as r where r.source = $source and r.request_id = o.request_id)
),
elsewhere as (
    select r.source, count(*) as n_events
    from unmatched as u
    join (select distinct source, request_id from requests where source <> $source) as r using (request_id)
    group by r.source
)
select
    (select count(*) from unmatched) as n_unmatched,
    coalesce((select list({'source': source, 'n_events': n_events} order by n_events desc, source) from elsewhere), [])
        as elsewhere
