-- Schema version 6: a request counts its pauses (status changes into a paused status) and, when
-- it has exactly one, keeps that pause's start and the instant of the next status change on its
-- own row. The SLA refresh then reads the usual case, no pause or one, without joining the
-- events. Which statuses pause is set in the policies file, so the refresh fills these columns
-- (servicelevel/sql/count_pauses.sql) and counts again when the paused statuses change; NULL
-- means not counted yet. The count replaces has_status_history (version 5): no status change
-- at all is a count of 0.
alter table requests drop column has_status_history;
alter table requests add column pause_count integer;
alter table requests add column only_pause_at timestamptz;
alter table requests add column only_pause_until timestamptz;
