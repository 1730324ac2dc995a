-- import_history
-- Returns: one row per import attempt, newest first, with its accounting:
--   import_id, started_at, file_name, source, kind, preset, status, n_read, n_inserted,
--   n_updated, n_unchanged, n_superseded, n_rejected, n_events, balanced (read = the sum of
--   the outcomes), message (why a failed import failed), encoding, delimiter, timezone (the zone
--   timestamps without a UTC offset were read in).
-- Params: none
select
    import_id,
    started_at,
    file_name,
    source,
    kind,
    preset,
    status,
    n_read,
    n_inserted,
    n_updated,
    n_unchanged,
    n_superseded,
    n_rejected,
    n_events,
    case when status = 'ok'
         then n_read = n_inserted + n_updated + n_unchanged + n_superseded + n_rejected end as balanced,
    message,
    encoding,
    delimiter,
    timezone
from imports
order by import_id desc
