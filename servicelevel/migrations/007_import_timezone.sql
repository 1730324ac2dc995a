-- Schema version 7: an import records the time zone its timestamps without a UTC offset were read
-- in (the preset's, the organisation's for a detected mapping, or the one given for the import),
-- so that its rows, corrected, can be imported again under the same zone. NULL for imports logged
-- before version 7, and for those that failed before a preset was chosen.
alter table imports add column timezone varchar;
