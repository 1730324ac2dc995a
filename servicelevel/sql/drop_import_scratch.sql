-- drop_import_scratch
-- Removes the temporary tables one import works in (before it starts, and at its end inside its
-- transaction: a rollback removes them as well).
-- Params: none
drop macro table if exists temp.merged_rows;
drop macro if exists temp.kept;
drop macro if exists temp.content_hash;
drop view if exists temp.staged;
drop view if exists temp.staged_numbered;
drop table if exists temp.staged_rows;
drop table if exists temp.record_lines;
drop table if exists temp.ranked;
drop table if exists temp.winners;
drop table if exists temp.event_outcomes;
drop table if exists temp.feedback_outcomes;
drop table if exists temp.csv_rejects;
drop table if exists temp.csv_reject_scans
