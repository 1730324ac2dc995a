-- Schema version 1: the canonical tables of DESIGN.md plus the imports log.
-- Timestamps are TIMESTAMPTZ (UTC instants); the session time zone is pinned to UTC.

create table meta (
    key varchar primary key,
    value varchar
);

create table imports (
    import_id integer primary key,
    source varchar not null,
    kind varchar not null,              -- requests | feedback | events
    file_name varchar not null,
    file_path varchar,
    file_sha256 varchar,
    preset varchar,
    encoding varchar,
    delimiter varchar,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,            -- ok | failed
    message varchar,
    n_read bigint,
    n_inserted bigint,
    n_updated bigint,
    n_unchanged bigint,
    n_superseded bigint,
    n_rejected bigint,
    n_events bigint,
    rejected_by_reason json,
    mapped_fields varchar[],
    missing_fields varchar[],
    warnings varchar[]
);

create table requests (
    source varchar not null,
    request_id varchar not null,
    created_at timestamptz not null,
    first_response_at timestamptz,
    resolved_at timestamptz,
    closed_at timestamptz,
    due_at timestamptz,
    updated_at timestamptz,
    status varchar,                     -- open | pending | on_hold | resolved | closed
    status_raw varchar,
    priority varchar,                   -- urgent | high | normal | low
    priority_raw varchar,
    requester_type varchar,             -- internal | external
    requester_id varchar,
    requester_department varchar,
    requester_org varchar,
    provider_department varchar,
    provider_type varchar,              -- in_house | third_party | independent
    agent varchar,
    channel varchar,                    -- email | phone | chat | portal | walk_in | social | other
    channel_raw varchar,
    category varchar,
    subcategory varchar,
    subject varchar,
    reopen_count integer,
    reassignment_count integer,
    import_id integer not null,
    row_hash ubigint not null
);

create table feedback (
    request_source varchar,             -- source of the request the answer is about
    request_id varchar not null,
    submitted_at timestamptz not null,
    score_raw varchar,
    scale varchar,                      -- 1-5 | 1-10 | nps | good_bad
    score double,                       -- normalised to 1-5
    comment varchar,
    language varchar,
    survey_source varchar not null,
    import_id integer not null,
    row_hash ubigint not null
);

create table events (
    source varchar not null,
    request_id varchar not null,
    event_at timestamptz not null,
    kind varchar not null,              -- status_change | reply | reassign | reopen
    from_status varchar,
    to_status varchar,
    provider_department varchar,
    agent varchar,
    import_id integer not null
);

create table rejected_rows (
    import_id integer not null,
    source varchar not null,
    file_name varchar not null,
    line bigint,                        -- record line as a spreadsheet counts it (header = 1)
    reason varchar not null,            -- a stable code, e.g. missing_request_id
    detail varchar not null,            -- the human sentence
    raw varchar                         -- the raw fields (JSON object) or the raw line
);
