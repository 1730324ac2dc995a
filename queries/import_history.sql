-- import_history
-- Returns: one row per import attempt, newest first, with its accounting:
--   file_name, import_id, started_at, status (ok, failed, skipped as identical, or "every row
--   rejected": an import that stored nothing, though it did not fail), n_read, n_rejected,
--   n_inserted, n_updated, n_unchanged, n_superseded, n_events, balanced (read = the sum of the
--   outcomes), message (why a failed import failed), notes (the notes its report gave, such as
--   values no map knows or an export older than the data stored, '; '-separated), source, kind,
--   preset, encoding, delimiter, timezone (the zone timestamps without a UTC offset were read in).
-- Params: none
select
    -- The file first: a table's first text column stays in view while it scrolls sideways.
    file_name,
    import_id,
    started_at,
    -- Status and what the file brought and lost first, in view on a laptop: an "ok" import with
    -- rejected rows beyond the screen's edge read as all well, and an "ok" that stored nothing too.
    case when i.status = 'ok' and i.n_read > 0 and i.n_rejected = i.n_read then 'every row rejected'
         else i.status end as status,
    n_read,
    n_rejected,
    n_inserted,
    n_updated,
    n_unchanged,
    n_superseded,
    n_events,
    case when i.status = 'ok'
         then n_read = n_inserted + n_updated + n_unchanged + n_superseded + n_rejected end as balanced,
    message,
    nullif(array_to_string(warnings, '; '), '') as notes,
    source,
    kind,
    preset,
    encoding,
    delimiter,
    timezone
from imports as i
order by import_id desc
