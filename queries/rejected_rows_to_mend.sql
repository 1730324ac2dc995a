-- rejected_rows_to_mend
-- Returns: the fields of one import's rows that a validation rule rejected, as the file has them
--   (its headers, in its order, and its text), one row per field: line, position (the column's
--   place in the file, from 1), header, value; with the import's file_name, encoding and
--   delimiter, to write them back in its layout, and its preset, source and timezone (NULL when
--   logged before the zone was recorded), to import them again.
--   Not among them: lines the CSV reader could not split (kept as their text: too many or too few
--   fields, or a stray quote, to be mended in the original) and the earlier lines of a repeated
--   request id (kept as parsed: the latest line was imported).
-- Params: $import_id INTEGER
with rejected as (
    select
        line,
        json_keys(raw) as headers,
        -- By position, not by name: a header the file repeats is a key the JSON repeats.
        json_extract_string(raw, '$.*') as field_values
    from rejected_rows
    where import_id = $import_id
      and reason not in ('malformed_line', 'duplicate_request_id')
),
final as (
    select
        i.file_name,
        i.encoding,
        i.delimiter,
        i.preset,
        i.source,
        i.timezone,
        line,
        unnest(range(1, len(headers) + 1)) as position,
        unnest(headers) as header,
        unnest(field_values) as value
    from rejected
    cross join (select file_name, encoding, delimiter, preset, source, timezone from imports where import_id = $import_id) as i
)
select * from final
order by line, position
