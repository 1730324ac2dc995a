-- Schema version 3: every (source, request_id) gets a stable integer key, and each status change
-- remembers when the request's next status change happened. The SLA refresh matches status
-- events to their requests by that key and reads pauses without ordering the whole history
-- again (servicelevel/sql/key_requests.sql fills both for rows that lack them). Existing rows
-- start without keys; the first SLA refresh after this migration assigns them.
create table request_keys (
    source varchar not null,
    request_id varchar not null,
    request_key bigint not null
);
alter table requests add column request_key bigint;
alter table events add column request_key bigint;
alter table events add column next_status_at timestamptz;  -- status changes only; NULL for the latest
