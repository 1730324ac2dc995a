-- source_contents
-- What one source holds: its requests, status events, survey answers (a survey imported under
-- that source name), rejected rows and the imports that brought them. Read before removing it.
-- Params: $source
select
    (select count(*) from requests where source = $source) as n_requests,
    (select count(*) from events where source = $source) as n_events,
    (select count(*) from feedback where survey_source = $source) as n_answers,
    (select count(*) from rejected_rows where source = $source) as n_rejected,
    (select count(*) from imports where source = $source and status <> 'removed') as n_imports
