-- key_requests
-- Gives every request and status event that lacks one the integer key of its (source,
-- request_id), and refreshes next_status_at on the status changes of every request that gained
-- events. Keys live in request_keys and never change: a request replaced by a newer export row,
-- or whose events arrived before it, finds its key there. Only rows without a key are looked
-- at, so the work follows the size of the import, not of the database. Leaves the temp table
-- pause_scope (those requests) for count_pauses.sql, which counts their pauses again.
create or replace temp table unkeyed_pairs as
select source, request_id from requests where request_key is null
union
select source, request_id from events where request_key is null;

insert into request_keys
select
    p.source,
    p.request_id,
    (select coalesce(max(request_key), 0) from request_keys) + row_number() over () as request_key
from unkeyed_pairs as p
anti join request_keys as k using (source, request_id);

create or replace temp table pair_keys as
select k.source, k.request_id, k.request_key
from request_keys as k
semi join unkeyed_pairs as p using (source, request_id);

-- Requests whose status history grows: their next_status_at values are recomputed below.
create or replace temp table requests_with_new_events as
select distinct k.request_key
from events as e
join pair_keys as k using (source, request_id)
where e.request_key is null;

update requests set request_key = k.request_key
from pair_keys as k
where requests.request_key is null
  and requests.source = k.source
  and requests.request_id = k.request_id;

update events set request_key = k.request_key
from pair_keys as k
where events.request_key is null
  and events.source = k.source
  and events.request_id = k.request_id;

-- Two changes at the same instant are taken, for now, in the order they were stored.
update events set next_status_at = n.next_status_at
from (
    select
        e.rowid as event_row,
        lead(e.event_at) over (partition by e.request_key order by e.event_at, e.rowid) as next_status_at
    from events as e
    semi join requests_with_new_events using (request_key)
    where e.kind = 'status_change'
) as n
where events.rowid = n.event_row;

-- Changes at the same instant (the first of them got that instant as its next above) are ordered
-- again, for those requests only: the change from the status the request had before that instant
-- goes first. An export listing the newest first, within a minute its times do not split, stores
-- "pending -> open" above "open -> pending"; taken as stored, the request would wait from then on.
update events set next_status_at = n.next_status_at
from (
    with changes as (
        select e.rowid as event_row, e.request_key, e.event_at, e.from_status, e.to_status
        from events as e
        semi join (
            select request_key from events
            where kind = 'status_change' and next_status_at = event_at
              and request_key in (select request_key from requests_with_new_events)
        ) as tied using (request_key)
        where e.kind = 'status_change'
    ),
    instants as (
        select distinct request_key, event_at from changes
    ),
    status_before as (
        select i.request_key, i.event_at, c.to_status as before_status
        from instants as i
        asof left join changes as c
            on c.request_key = i.request_key and i.event_at > c.event_at
    )
    select
        c.event_row,
        lead(c.event_at) over (
            partition by c.request_key
            order by c.event_at, c.from_status is distinct from b.before_status, c.event_row
        ) as next_status_at
    from changes as c
    join status_before as b using (request_key, event_at)
) as n
where events.rowid = n.event_row;

create or replace temp table pause_scope as
select request_key from pair_keys;

drop table unkeyed_pairs;
drop table pair_keys;
drop table requests_with_new_events
