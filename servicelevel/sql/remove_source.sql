-- remove_source
-- Takes one source out of the database: its requests (and their keys), status events, survey
-- answers and rejected rows. Its imports stay in the log, marked removed, so that the same file
-- can be imported again (an import identical to an earlier one is skipped only while that one
-- counts).
-- Answers from other surveys about its requests stay (still naming this source): the pages leave
-- them out until its requests are imported again, as for answers that arrive before their requests.
-- Params: $source, $removed_at TIMESTAMPTZ
delete from requests where source = $source;
delete from events where source = $source;
delete from request_keys where source = $source;
delete from feedback where survey_source = $source;
delete from rejected_rows where source = $source;
update imports
set status = 'removed',
    message = coalesce(message || '; ', '') || 'source removed ' || strftime($removed_at, '%Y-%m-%d %H:%M UTC')
where source = $source and status <> 'removed';
