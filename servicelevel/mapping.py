"""Turn a preset and a file's header into the staging SELECT that parses and validates every row.

The SQL structure comes from the preset (which fields exist, which columns feed them); every
value that comes from a file or a preset (header names, formats, value maps, time zone) is a
bound parameter. Columns are addressed by position (c1, c2, ...), so header text never becomes
an identifier.

The SELECT runs over `src`, the raw CSV read with all columns as text, in file order, in
layers: `trimmed` (each used column trimmed once), `parsed` (each field from its own columns),
`timed` (implausible instants dropped, durations added to their start), `derived` (rules that
combine fields: status from timestamps, internal/external, provider type, survey scale) and
`checked` (the first failing validation names the row's reason). Each expression reads a column
of the layer below, so no parse runs twice for one value. Records are numbered afterwards by
their position (sql/staged_view.sql), so every layer keeps the file's order: projections and
whole-file window aggregates only, no joins.

Parsing speed depends on order: a failed try_cast or try_strptime costs several times a
successful one. The importer therefore samples the file and puts the parser that reads most
of the sample first (ISO 8601 or one of the preset's formats); the others only see what the
first could not read.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from servicelevel.fields import (
    CODES,
    FEEDBACK_SCALES,
    FIELDS_BY_KIND,
    RAW_KEPT,
    REQUEST_COUNTS,
    REQUIRED_BY_KIND,
    TIMESTAMPS_BY_KIND,
)
from servicelevel.presets import DURATION_UNITS, Preset
from servicelevel.vocabulary import GOOD_WORDS, BAD_WORDS, PORTUGUESE_PATTERN, value_synonyms

# Coded fields of a status-history file, checked against their maps.
EVENT_CODES = ("kind", "from_status", "to_status")
# Offsets such as Z, +01:00, +0100 or " +0000" at the end of a timestamp.
OFFSET_PATTERN = r"([zZ]|[+-][0-9]{2}:?[0-9]{2})$"
SPACE_BEFORE_OFFSET = r"\s+([+-][0-9]{2}:?[0-9]{2})$"
# Any parse outside these years is a misread format (e.g. a two-digit year read as year 24) or a
# typing slip (1902 for 2002). Request logs hold nothing older; and the SLA clock spans every
# instant stored, so one stray century would make it a century long.
PLAUSIBLE_YEARS = (1970, 2099)
# ISO 8601 without an offset, and nothing after it. DuckDB's cast reads '2024-03-04 8:12 PM' as
# 08:12 (the rest taken for a time-zone name it then drops), so the cast only sees whole matches.
ISO_NAIVE_PATTERN = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?"
# A duration longer than this is a misread column (seconds taken for minutes, an id, ...);
# it also keeps the timestamp arithmetic far from DuckDB's range limits.
MAX_DURATION_SECS = 100 * 366 * 86400
# Counts (reopens, reassignments) above this are misreads too, and stay within INTEGER.
MAX_COUNT = 1_000_000
# Timestamps that must not precede created_at, with the reason code used when they do.
NOT_BEFORE_CREATED = {
    "first_response_at": "first_response_before_created",
    "resolved_at": "resolved_before_created",
    "closed_at": "closed_before_created",
}
# Fields whose value is decided by a rule in the `derived` layer rather than read directly.
DERIVED_REQUEST_FIELDS = ("requester_type", "provider_type")


class MappingError(Exception):
    """The file lacks what the preset needs; the message names the file, preset and column."""


@dataclass
class ColumnUse:
    """Where one canonical field comes from in a particular file."""

    field: str
    how: str  # column | combine | duration | constant
    headers: tuple[str, ...] = ()
    label: str = ""  # how messages name it: the header, "Date + Time", "(constant)"


@dataclass
class StagingPlan:
    """The staging SELECT for one file, its parameters and what the file provides."""

    select_sql: str
    params: dict
    uses: dict[str, ColumnUse]
    output_fields: list[str]
    missing_fields: list[str]
    ignored_headers: list[str]
    # Surveys: a one-row SELECT over `src` giving the file's scale, run first and bound as
    # $detected_scale (None for other kinds).
    scale_sql: str | None = None


ISO = "iso"  # the parser name for ISO 8601 text (DuckDB's own cast)


def iso_naive(raw: str, pattern: str) -> str:
    """SQL: the timestamp ISO 8601 text `raw` names, NULL unless all of it is one (`pattern`
    is the SQL holding ISO_NAIVE_PATTERN)."""
    return f"case when regexp_full_match({raw}, {pattern}) then try_cast({raw} as timestamp) end"


def order_parsers(formats: tuple[str, ...], sample: list[str]) -> list[str]:
    """ISO and the preset's formats, those that read most sample values plausibly first.

    A two-digit-year format always goes before its four-digit twin: '%Y' happily reads '24'
    as the year 24, while '%y' refuses '2024'.
    """
    parsers = [ISO] + list(dict.fromkeys(formats))
    hits = {p: 0 for p in parsers}
    if sample:
        con = duckdb.connect()
        lo, hi = PLAUSIBLE_YEARS
        for parser in parsers:
            # ISO is DuckDB's own cast (offsets, fractions, 'T' or a space), not a strptime format.
            hits[parser] = con.execute(
                "select count(*) from unnest($v) t(x) where year(case when $f is null"
                f" then {iso_naive('x', '$iso')} else try_strptime(x, $f) end) between $lo and $hi",
                {"v": sample, "f": None if parser == ISO else parser, "lo": lo, "hi": hi, "iso": ISO_NAIVE_PATTERN},
            ).fetchone()[0]
        con.close()
    ordered = sorted(parsers, key=lambda p: -hits[p])
    for parser in [p for p in ordered if "%Y" in p]:
        twin = parser.replace("%Y", "%y")
        if twin in ordered and ordered.index(twin) > ordered.index(parser):
            ordered.remove(twin)
            ordered.insert(ordered.index(parser), twin)
    return ordered


class _Sql:
    """Builds expressions, collecting bound parameters and the columns they read."""

    def __init__(self, preset: Preset, headers: list[str]):
        self.preset = preset
        self.params: dict = {}
        self.position: dict[str, int] = {}
        self.trimmed: set[int] = set()
        for i, header in enumerate(headers):
            self.position.setdefault(header, i)  # duplicated headers (Jira): the first one wins

    def bind(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def text(self, header: str) -> str:
        """The column's trimmed text (NULL when empty), from the `trimmed` layer."""
        number = self.position[header] + 1
        self.trimmed.add(number)
        return f"t{number}"

    def timestamp(self, raw: str, parsers: list[str]) -> str:
        """An instant from text; wall-clock text is read in the export's time zone."""
        naive_parsers = [p for p in parsers if "%z" not in p.lower()]
        offset_formats = [p for p in parsers if "%z" in p.lower()]
        attempts = [
            iso_naive(raw, self.bind(ISO_NAIVE_PATTERN)) if p == ISO else f"try_strptime({raw}, {self.bind(p)})"
            for p in naive_parsers
        ]
        naive = attempts[0] if len(attempts) == 1 else f"coalesce({', '.join(attempts)})"
        # The space some tools put before the offset (" +0000") is removed only when needed.
        compact = f"regexp_replace({raw}, {self.bind(SPACE_BEFORE_OFFSET)}, '\\1')"
        with_offset = f"coalesce(try_cast({raw} as timestamptz), try_cast({compact} as timestamptz))"
        if offset_formats:
            tries = ", ".join(f"try_strptime({raw}, {self.bind(f)})" for f in offset_formats)
            with_offset = f"coalesce({tries}, {with_offset})"
        if self.preset.timezone == "UTC":
            local = f"make_timestamptz(epoch_us({naive}))"  # no time-zone lookup needed
        else:
            local = f"timezone({self.bind(self.preset.timezone)}, {naive})"
        return (
            f"case when regexp_matches({raw}, {self.bind(OFFSET_PATTERN)}) then {with_offset} "
            f"else {local} end"
        )

    def end_of_day_if_midnight(self, timestamp: str) -> str:
        """A local midnight moved to the last microsecond of that day (date-only due dates)."""
        tz = self.bind(self.preset.timezone)
        local = f"timezone({tz}, {timestamp})"
        return (
            f"case when cast({local} as time) = time '00:00:00' "
            f"then timezone({tz}, cast(cast({local} as date) + 1 as timestamp)) - interval 1 microsecond "
            f"else {timestamp} end"
        )

    def plausible(self, timestamp: str) -> str:
        """NULL for instants outside PLAUSIBLE_YEARS, which only a misread produces."""
        # The first and last instants of those years rather than year(): year() of a timestamptz
        # goes through a calendar, 0.2-0.4 s for each gigabyte of a file.
        lo, hi = PLAUSIBLE_YEARS
        return (f"(case when {timestamp} between timestamptz '{lo}-01-01 00:00:00+00' "
                f"and timestamptz '{hi}-12-31 23:59:59.999999+00' then {timestamp} end)")

    def duration_secs(self, raw: str, unit: str) -> str:
        # "90" in the preset's unit, or "01:30:00" as hours:minutes:seconds.
        secs = (
            f"coalesce(try_cast({raw} as double) * {DURATION_UNITS[unit]}, "
            f"case when contains({raw}, ':') then epoch(try_cast({raw} as interval)) end)"
        )
        return f"(case when abs({secs}) <= {MAX_DURATION_SECS} then {secs} end)"

    def after(self, start: str, secs: str) -> str:
        """The instant `secs` seconds after `start` (NULL when either is NULL)."""
        micros = f"cast(round({secs} * 1e6) as bigint)"
        return self.plausible(f"({start} + to_microseconds({micros}))")

    def count(self, raw: str, offset: int) -> str:
        # Whole numbers only: a plain integer cast would round '2.5' to 3 without a word.
        # '3.0' (spreadsheets write counts as decimals) is accepted.
        number = f"try_cast({raw} as double)"
        shifted = f"greatest(cast({number} as bigint) + {self.bind(offset)}, 0)" if offset else number
        return (
            f"(case when {number} between 0 and {MAX_COUNT} and {number} = floor({number}) "
            f"then cast({shifted} as integer) end)"
        )

    def coded(self, field_name: str, raw: str) -> str:
        mapping = dict(value_synonyms(field_name))
        mapping.update(self.preset.values.get(field_name, {}))
        return (
            f"map({self.bind(list(mapping))}, {self.bind(list(mapping.values()))})"
            f"[strip_accents(lower(trim({raw})))]"
        )


def locate_fields(preset: Preset, headers: list[str]) -> dict[str, ColumnUse]:
    """Which header(s) of this file feed each canonical field, by the preset's rules."""
    present = set(headers)
    uses: dict[str, ColumnUse] = {}
    for name in FIELDS_BY_KIND[preset.kind]:
        header = next((h for h in preset.columns.get(name, ()) if h in present), None)
        if header is not None:
            uses[name] = ColumnUse(name, "column", (header,), header)
        elif name in preset.combine and preset.combine[name][0] in present:
            date_h, time_h = preset.combine[name]
            uses[name] = ColumnUse(name, "combine", (date_h, time_h), f"{date_h} + {time_h}")
        elif name in preset.durations and preset.durations[name].column in present:
            column = preset.durations[name].column
            uses[name] = ColumnUse(name, "duration", (column,), column)
        elif name in preset.constants:
            uses[name] = ColumnUse(name, "constant", (), "(constant)")
    return uses


def build_staging(
    preset: Preset, headers: list[str], file_name: str, samples: dict[str, list[str]] | None = None
) -> StagingPlan:
    """The staging SELECT over `src` for this file; raises MappingError if required columns lack.

    `samples` maps header -> some of its values; it only decides the order parsers are tried in.
    The SELECT runs in layers: trimmed text, parsed values, timed (plausible dates, durations
    added to their start), derived (rules such as requester type), checked (a reason per row).
    """
    kind = preset.kind
    sql = _Sql(preset, headers)
    uses = locate_fields(preset, headers)
    _require_fields(preset, headers, uses, file_name)
    raw = _raw_texts(preset, sql, uses)
    parsed, timed, read_dates = _parsed_timestamps(preset, sql, uses, raw, samples or {})
    parsed.update(_parsed_values(preset, sql, uses, raw))

    # Raw text kept beside parsed values, so error messages can quote what the file said.
    checked_raw = [n for n in TIMESTAMPS_BY_KIND[kind] if n in uses and uses[n].how != "constant"]
    if kind in ("requests", "event_log"):
        checked_raw += [n for n in REQUEST_COUNTS if n in uses]
    if kind == "events":
        # The events table keeps no raw text: a value no map understands is rejected, not
        # stored as an empty status or a guessed kind.
        checked_raw += [n for n in EVENT_CODES if n in uses and uses[n].how != "constant"]
    for name in checked_raw:
        parsed[name + "__raw"] = raw[name]

    derived = _derived_rules(kind, preset, sql, uses)
    checks = _checks(kind, sql, uses, checked_raw, read_dates)
    output_fields = [n for n in parsed if not n.endswith(("__raw", "__secs"))]
    output_fields += [n for n in derived if n not in output_fields]
    select_sql = _staging_select(sql, headers, parsed, timed, read_dates, derived, checks, output_fields)

    used_headers = {h for u in uses.values() for h in u.headers}
    provided = set(uses) | _filled_by_rules(kind, preset, uses)
    missing_fields = [f for f in FIELDS_BY_KIND[kind] if f not in provided]
    ignored = [h for h in dict.fromkeys(headers) if h and h not in used_headers]
    scale_sql = None
    if kind == "feedback":
        scale_sql = f"""
select {_detected_scale(sql)}
from (select {raw.get("score", "cast(NULL as varchar)")} as score from (select {_trimmed_columns(sql, headers)} from src))
"""
    return StagingPlan(select_sql, sql.params, uses, output_fields, missing_fields, ignored, scale_sql)


def _require_fields(preset: Preset, headers: list[str], uses: dict[str, ColumnUse], file_name: str) -> None:
    """Raise MappingError naming the required fields the file has no column for."""
    missing_required = [f for f in REQUIRED_BY_KIND[preset.kind] if f not in uses]
    if not missing_required:
        return
    wanted = []
    for f in missing_required:
        options = preset.columns.get(f) or preset.combine.get(f) or ()
        named = " or ".join(repr(o) for o in options) or "none mapped"
        wanted.append(f"{f} (column {named})")
    raise MappingError(
        f"{file_name}: preset '{preset.name}' needs {', '.join(wanted)}, which the file "
        f"does not have. Its columns are: {', '.join(headers)}"
    )


def _raw_texts(preset: Preset, sql: _Sql, uses: dict[str, ColumnUse]) -> dict[str, str]:
    """The SQL for each located field's raw text: its column, a constant, or a date and a time
    column joined."""
    raw: dict[str, str] = {}
    for name, use in uses.items():
        if use.how == "constant":
            raw[name] = sql.bind(preset.constants[name])
        elif use.how == "combine":
            date_sql = sql.text(use.headers[0])
            time_sql = sql.text(use.headers[1]) if use.headers[1] in sql.position else "NULL"
            raw[name] = f"case when {date_sql} is not null then concat_ws(' ', {date_sql}, {time_sql}) end"
        else:
            raw[name] = sql.text(use.headers[0])
    return raw


def _parsed_timestamps(
    preset: Preset, sql: _Sql, uses: dict[str, ColumnUse], raw: dict[str, str], samples: dict[str, list[str]]
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Per timestamp field of the kind: its parsed value (the `parsed` layer), its plausibility
    check or duration added to its start (the `timed` layer), and whether it read as a date at
    all (to tell an implausible date from gibberish)."""
    parsed: dict[str, str] = {}
    timed: dict[str, str] = {}
    read_dates: dict[str, str] = {}
    for name in TIMESTAMPS_BY_KIND[preset.kind]:
        use = uses.get(name)
        if use is None:
            parsed[name] = "cast(NULL as timestamptz)"
        elif use.how == "duration":
            spec = preset.durations[name]
            parsed[name] = "cast(NULL as timestamptz)"
            parsed[name + "__secs"] = sql.duration_secs(raw[name], spec.unit)
            timed[name] = sql.after(spec.after, name + "__secs")
        else:
            dates = samples.get(use.headers[0], []) if use.how != "constant" else []
            times = samples.get(use.headers[1], []) if use.how == "combine" else []
            sample = [f"{d} {t or ''}".strip() if times else d for d, t in zip(dates, times or dates) if d]
            parsed[name] = sql.timestamp(raw[name], order_parsers(preset.timestamp_formats, sample))
            timed[name] = sql.plausible(name)
            read_dates[name] = f"isfinite(parsed.{name})"
            if name == "due_at" and preset.due_dates_are_days:
                timed[name] = sql.plausible(sql.end_of_day_if_midnight(name))
    return parsed, timed, read_dates


def _parsed_values(preset: Preset, sql: _Sql, uses: dict[str, ColumnUse], raw: dict[str, str]) -> dict[str, str]:
    """The SQL for every field of the kind that is not a timestamp: counts, coded values (status,
    priority, channel through the preset's maps, the file's spelling kept beside), text."""
    kind = preset.kind
    parsed: dict[str, str] = {}
    for name in FIELDS_BY_KIND[kind]:
        if name in TIMESTAMPS_BY_KIND[kind] or (kind != "feedback" and name in DERIVED_REQUEST_FIELDS):
            continue
        value = raw.get(name, "cast(NULL as varchar)")
        if name in REQUEST_COUNTS:
            parsed[name] = sql.count(value, preset.offsets.get(name, 0))
        elif name in CODES and name in uses and uses[name].how != "constant":
            parsed[name] = sql.coded(name, value)
        else:
            parsed[name] = value
        if name in RAW_KEPT:
            parsed[name + "_raw"] = value
    if kind in ("requests", "event_log"):
        for name in DERIVED_REQUEST_FIELDS:
            parsed[name + "__raw"] = raw.get(name, "cast(NULL as varchar)")
    return parsed


def _trimmed_columns(sql: _Sql, headers: list[str]) -> str:
    """The file's columns c1, c2, ..., then the trimmed text t<k> of those the mapping reads."""
    all_columns = ", ".join(f"c{i + 1}" for i in range(len(headers)))
    return all_columns + "".join(f", nullif(trim(c{k}), '') as t{k}" for k in sorted(sql.trimmed))


def _staging_select(sql: _Sql, headers: list[str], parsed: dict[str, str], timed: dict[str, str],
                    read_dates: dict[str, str], derived: dict[str, str], checks: list, output_fields: list[str]) -> str:
    """The layered staging SELECT (see build_staging), ending in the output fields, the reason
    and detail of a row's rejection, and its raw fields as JSON where it is rejected."""
    reason_sql = "case " + " ".join(f"when {c} then '{r}'" for c, r, _ in checks) + " end"
    detail_sql = "case " + " ".join(f"when {c} then {d}" for c, _, d in checks) + " end"
    json_args = ", ".join(f"{sql.bind(h or f'column {i + 1}')}, c{i + 1}" for i, h in enumerate(headers))
    all_columns = ", ".join(f"c{i + 1}" for i in range(len(headers)))
    parsed_list = ",\n        ".join(f"{expr} as {name}" for name, expr in parsed.items())
    timed_list = "*"
    if timed:
        timed_list += " replace (" + ", ".join(f"{expr} as {name}" for name, expr in timed.items()) + ")"
    timed_list += "".join(f", {expr} as {name}__read" for name, expr in read_dates.items())
    replaced = [n for n in derived if n in parsed]
    added = [n for n in derived if n not in parsed]
    derived_list = "*"
    if replaced:
        derived_list += " replace (" + ", ".join(f"{derived[n]} as {n}" for n in replaced) + ")"
    if added:
        derived_list += ", " + ", ".join(f"{derived[n]} as {n}" for n in added)
    return f"""
with trimmed as (
    select {_trimmed_columns(sql, headers)}
    from src
),
parsed as (
    select
        {parsed_list},
        {all_columns}
    from trimmed
),
timed as (
    select {timed_list} from parsed
),
derived as (
    select {derived_list} from timed
),
checked as (
    select *, {reason_sql} as reason, {detail_sql} as detail from derived
)
select
    {', '.join(output_fields)},
    reason,
    detail,
    case when reason is not null then json_object({json_args})::varchar end as raw
from checked
"""


def _filled_by_rules(kind: str, preset: Preset, uses: dict[str, ColumnUse]) -> set[str]:
    """Fields a rule fills from other data, so the source does not lack them.

    A default alone (external, in-house) is not data: those fields still count as missing.
    """
    if kind == "feedback":
        return {"scale"} | ({"language"} if "comment" in uses else set())
    filled = set()
    if kind in ("requests", "event_log"):
        # A rule on a column the file lacks decides nothing: every requester would be external.
        if preset.requester_rule is not None and preset.requester_rule.field in uses:
            filled.add("requester_type")
        if preset.provider_types and "provider_department" in uses:
            filled.add("provider_type")
    return filled


def _derived_rules(kind: str, preset: Preset, sql: _Sql, uses: dict[str, ColumnUse]) -> dict[str, str]:
    if kind in ("requests", "event_log"):
        return _request_rules(preset, sql, uses)
    if kind == "feedback":
        return _feedback_rules(preset, sql, uses)
    return {}


def _request_rules(preset: Preset, sql: _Sql, uses: dict[str, ColumnUse]) -> dict[str, str]:
    rules: dict[str, str] = {}
    # Status: the mapped value, else what the timestamps say.
    rules["status"] = (
        "coalesce(status, case when closed_at is not null then 'closed' "
        "when resolved_at is not null then 'resolved' else 'open' end)"
    )
    rules["channel"] = "coalesce(channel, case when channel_raw is not null then 'other' end)"

    # Requester type: constant, mapped column, rule, else external.
    rtype = uses.get("requester_type")
    if rtype is not None and rtype.how == "constant":
        requester_type = "requester_type__raw"
    elif rtype is not None:
        requester_type = f"coalesce({sql.coded('requester_type', 'requester_type__raw')}, 'external')"
    elif preset.requester_rule is not None:
        rule = preset.requester_rule
        subject = rule.field
        if rule.operator == "in":
            cond = f"list_contains({sql.bind(list(rule.values))}, {subject})"
        elif rule.operator == "not_empty":
            cond = f"{subject} is not null"
        else:
            endings = sql.bind([v.lower() for v in rule.values])
            cond = f"len(list_filter({endings}, lambda s: ends_with(lower({subject}), s))) > 0"
        requester_type = f"case when coalesce({cond}, false) then 'internal' else 'external' end"
    else:
        requester_type = "'external'"
    rules["requester_type"] = requester_type
    # A department only makes sense for internal requesters, an organisation for external ones.
    rules["requester_department"] = f"case when {requester_type} = 'internal' then requester_department end"
    rules["requester_org"] = f"case when {requester_type} = 'external' then requester_org end"

    # Provider type: constant, mapped column, per-department table, else in-house.
    ptype = uses.get("provider_type")
    if ptype is not None and ptype.how == "constant":
        provider_type = "provider_type__raw"
    elif ptype is not None:
        provider_type = f"coalesce({sql.coded('provider_type', 'provider_type__raw')}, 'in_house')"
    elif preset.provider_types:
        keys = sql.bind(list(preset.provider_types))
        values = sql.bind(list(preset.provider_types.values()))
        provider_type = f"coalesce(map({keys}, {values})[provider_department], 'in_house')"
    else:
        provider_type = "'in_house'"
    rules["provider_type"] = provider_type
    return rules


def _feedback_rules(preset: Preset, sql: _Sql, uses: dict[str, ColumnUse]) -> dict[str, str]:
    rules: dict[str, str] = {}
    if "scale" in uses and uses["scale"].how == "column":
        scale = "coalesce(lower(scale), $detected_scale)"
    elif preset.scale != "auto":
        scale = sql.bind(preset.scale)
    else:
        scale = "$detected_scale"
    rules["scale"] = scale
    rules["score_raw"] = "score"
    number = "try_cast(replace(score, ',', '.') as double)"
    good, bad = sql.bind(list(GOOD_WORDS)), sql.bind(list(BAD_WORDS))
    rules["score"] = (
        f"case {scale} "
        f"when '1-5' then case when {number} between 1 and 5 then {number} end "
        f"when '1-10' then case when {number} between 1 and 10 then 1 + ({number} - 1) * 4 / 9 end "
        f"when 'nps' then case when {number} between 0 and 10 then 1 + {number} * 4 / 10 end "
        f"when 'good_bad' then case when list_contains({good}, strip_accents(lower(score))) then 5.0 "
        f"when list_contains({bad}, strip_accents(lower(score))) then 1.0 end end"
    )
    if "language" not in uses:
        rules["language"] = (
            f"case when comment is null then null "
            f"when regexp_matches(comment, {sql.bind(PORTUGUESE_PATTERN)}) then 'pt' else 'en' end"
        )
    return rules


ONE_TO_FIVE_SHARE = 0.99  # of a survey's numeric scores, for the scale to be read as 1-5


def _detected_scale(sql: _Sql) -> str:
    """The file's survey scale, as an aggregate over its scores: the scale most of them fit,
    the narrowest on a tie (so 1-5 scores stay 1-5, and one stray 11 in an NPS survey is
    rejected alone rather than turning the file into something else). 1-5 also holds when 99 %
    of the scores fit it: a typed 7 among hundreds of 1-5 answers is rejected, where it would
    otherwise read every 5 as a 1-10 score of 5 (dissatisfied). A 0 does make a 1-10 file NPS,
    whose detractors answer 0. It runs as a query of
    its own before staging: aggregates over the whole file inside the staging SELECT (windows
    with an empty OVER) let parallel threads reorder its rows, and staged_view numbers records
    by that order."""
    words = sql.bind([w for w in GOOD_WORDS + BAD_WORDS])
    number = "try_cast(replace(score, ',', '.') as double)"
    fit = {
        "good_bad": f"list_contains({words}, strip_accents(lower(score)))",
        "1-5": f"{number} between 1 and 5",
        "1-10": f"{number} between 1 and 10",
        "nps": f"{number} between 0 and 10",  # every 1-5 and 1-10 score fits here too
    }
    n = {scale: f"count(*) filter (where {test})" for scale, test in fit.items()}
    return f"""case
        when {n['good_bad']} > 0 and {n['good_bad']} >= {n['nps']} then 'good_bad'
        when {n['1-5']} >= {n['nps']} * {ONE_TO_FIVE_SHARE} then '1-5'
        when {n['1-10']} >= {n['nps']} then '1-10'
        else 'nps'
    end"""


def _checks(kind: str, sql: _Sql, uses: dict[str, ColumnUse], checked_raw: list[str], read_dates: dict[str, str]):
    """(condition, reason code, detail SQL) in the order they are tried."""
    checks = [("request_id is null", "missing_request_id", sql.bind("the request id is empty"))]
    timestamps = TIMESTAMPS_BY_KIND[kind]
    for name in REQUIRED_BY_KIND[kind]:
        if name in timestamps:
            label = uses[name].label
            checks.append((f"{name}__raw is null", f"missing_{name}", sql.bind(f"{name} is empty (column {label})")))
    for name in checked_raw:
        label = sql.bind(uses[name].label)
        if name in timestamps and uses[name].how == "duration":
            message = sql.bind("not a duration in column %s: '%s'")
        elif name in timestamps:
            # Name what was tried, so a format written wrong in the preset shows in the first row.
            expected = " or ".join(["ISO 8601", *sql.preset.timestamp_formats]).replace("%", "%%")
            message = sql.bind(f"unparseable date in column %s: '%s' (expected {expected})")
        elif name in EVENT_CODES:
            known = ", ".join(CODES[name])
            message = sql.bind(f"unrecognised {name} in column %s: '%s' (known: {known}; "
                               f"[values.{name}] in the preset maps other spellings)")
        else:
            message = sql.bind("not a count (a whole number, 0 or more) in column %s: '%s'")
        detail = f"printf({message}, {label}, {name}__raw)"
        if name in read_dates:
            lo, hi = PLAUSIBLE_YEARS
            outside = sql.bind(f"date outside the years {lo}-{hi} in column %s: '%s'")
            detail = (f"case when {name}__read then printf({outside}, {label}, {name}__raw) "
                      f"else {detail} end")
        reason = f"unrecognised_{name}" if name in EVENT_CODES else f"unparseable_{name}"
        checks.append((f"{name} is null and {name}__raw is not null", reason, detail))
    if kind in ("requests", "event_log"):
        # Both instants in the preset's zone, the one the file's own times are read in.
        zone = sql.preset.timezone
        for name, reason in NOT_BEFORE_CREATED.items():
            if name in uses:
                local = [f"strftime(timezone({sql.bind(zone)}, {n}), '%Y-%m-%d %H:%M')" for n in (name, "created_at")]
                if uses[name].how == "duration":
                    message = sql.bind(f"{name} %s is before created_at %s ({zone} time; {uses[name].label}: '%s')")
                    detail = f"printf({message}, {', '.join(local)}, {name}__raw)"
                else:
                    # The file's text, then how it was read: a time the zone skips at a DST
                    # change (or an offset) can make the two differ.
                    message = sql.bind(f"{name} '%s' is before created_at '%s' (read as %s and %s, {zone} time)")
                    detail = f"printf({message}, {name}__raw, created_at__raw, {', '.join(local)})"
                checks.append((f"{name} < created_at", reason, detail))
    if kind == "feedback":
        checks.append((
            f"not list_contains({sql.bind(list(FEEDBACK_SCALES))}, scale)",
            "unparseable_score",
            f"printf({sql.bind('unknown scale %s (the scales are ' + ', '.join(FEEDBACK_SCALES) + ')')}, scale)",
        ))
        checks.append((
            "score is null and score_raw is not null",
            "unparseable_score",
            f"printf({sql.bind('score %s does not fit the %s scale')}, score_raw, scale)",
        ))
        checks.append(("score is null", "missing_score", sql.bind("the score is empty")))
    return checks
