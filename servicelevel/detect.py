"""Auto-detection for exports no preset fits: guess the mapping from header synonyms (EN + PT)
and the timestamp formats from the values, and say what was guessed and what is missing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from servicelevel.exports import ExportFile, name_some, sample_values
from servicelevel.fields import FIELDS_BY_KIND, REQUIRED_BY_KIND, TIMESTAMPS_BY_KIND
from servicelevel.presets import Duration, Preset, RequesterRule, closest_preset, lacks_columns_note
from servicelevel.settings import organisation
from servicelevel.vocabulary import fold, header_synonyms

# Candidate formats beyond ISO 8601 (which is always understood). Order matters only for ties.
CANDIDATE_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d/%m/%y %H:%M",
    "%m/%d/%y %H:%M",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%H:%M:%S",
    "%H:%M",
)
DURATION_HEADER = re.compile(
    r"^(?P<what>first (response|reply)|primeira resposta|resolution|full resolution|resolucao|tempo de resolucao)"
    r"( time)?( in)?( \(?(?P<unit>minutes|mins|min|minutos|hours|hrs|hr|horas|h|seconds|secs|segundos)\)?)?$"
)
DURATION_TARGET = {"first": "first_response_at", "primeira": "first_response_at"}
UNITS = {"min": "minutes", "mins": "minutes", "minutes": "minutes", "minutos": "minutes",
         "h": "hours", "hr": "hours", "hrs": "hours", "hours": "hours", "horas": "hours",
         "seconds": "seconds", "secs": "seconds", "segundos": "seconds"}


@dataclass
class Proposal:
    """A guessed mapping for one file: what was found, how sure, and what is missing."""

    kind: str
    columns: dict[str, str] = field(default_factory=dict)  # field -> header
    combine: dict[str, tuple[str, str]] = field(default_factory=dict)
    durations: dict[str, Duration] = field(default_factory=dict)
    timestamp_formats: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)
    unused_headers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    preset: Preset | None = None

    def lines(self) -> list[str]:
        """The proposal as readable lines for the CLI."""
        out = [f"kind: {self.kind}"]
        for name in FIELDS_BY_KIND[self.kind]:
            if name in self.columns:
                out.append(f"  {name:<22} <- {self.columns[name]!r}")
            elif name in self.combine:
                out.append(f"  {name:<22} <- {self.combine[name][0]!r} + {self.combine[name][1]!r}")
            elif name in self.durations:
                d = self.durations[name]
                out.append(f"  {name:<22} <- {d.after} + {d.column!r} ({d.unit})")
        if self.timestamp_formats:
            out.append(f"timestamp formats: {', '.join(self.timestamp_formats)} (and ISO 8601)")
        if self.preset is not None:
            out.append(f"times without a UTC offset: {self.preset.timezone} (the organisation's zone; "
                       "the time-zone box on the import page, --timezone, or the saved preset's timezone sets "
                       "another)")
        if self.missing_required:
            out.append(f"MISSING (required): {', '.join(self.missing_required)}")
        if self.missing_optional:
            out.append(f"not found: {', '.join(self.missing_optional)}")
        if self.unused_headers:
            out.append(f"columns not used: {name_some(self.unused_headers, 30)}")
        out.extend(f"note: {n}" for n in self.notes)
        return out


# A ticket's life: survey exports do not carry these, so a file holding any is about requests
# even when it has a score column (a ticket export with its satisfaction rating).
TICKET_LIFE_FIELDS = ("status", "priority", "resolved_at", "first_response_at")


def guess_kind(folded_headers: set[str]) -> str:
    """Survey exports have a score and no creation date or ticket life; everything else is
    requests."""
    synonyms = header_synonyms()
    has = lambda f: bool(folded_headers & set(synonyms.get(f, ())))  # noqa: E731
    if has("score") and not has("created_at") and not any(has(f) for f in TICKET_LIFE_FIELDS):
        return "feedback"
    return "requests"


def no_preset_fits(headers: list[str], presets: dict[str, Preset], proposal: Proposal) -> str:
    """Why a file cannot be imported as it is: the preset it nearly fits first (the likely
    cause), then what auto-detection could not find."""
    missing = f"auto-detection found no {' and no '.join(proposal.missing_required)} column"
    if len(headers) == 1:
        missing += (f": the header reads as one column ({headers[0][:80]!r}); a file whose columns are "
                    "separated by something other than a comma, semicolon, tab or | can be saved as CSV first")
    closest = closest_preset(headers, presets)
    if closest is None:
        return f"No preset fits, and {missing}."
    preset, lacking = closest
    without = "them" if len(lacking) > 1 else "it"
    return f"{lacks_columns_note(preset, lacking)} Without {without} no preset fits, and {missing}."


def match_headers(headers: list[str], kind: str) -> dict[str, str]:
    """field -> header, each header used once, stronger (earlier) synonyms first."""
    synonyms = header_synonyms()
    folded = {h: fold(h) for h in headers if h}
    candidates = []
    for name in FIELDS_BY_KIND[kind]:
        for rank, synonym in enumerate(synonyms.get(name, ())):
            for header, f in folded.items():
                if f == synonym:
                    candidates.append((rank, headers.index(header), name, header))
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for _, _, name, header in sorted(candidates):
        if name not in chosen and header not in used:
            chosen[name] = header
            used.add(header)
    return chosen


def _sample_values(export: ExportFile, headers: list[str]) -> dict[str, list[str]]:
    """Non-missing sample values per header (not aligned across headers)."""
    aligned = sample_values(export, headers)
    return {h: [v for v in values if v not in (None, "NA", "?")] for h, values in aligned.items()}


def detect_formats(values: list[str]) -> tuple[list[str], list[str]]:
    """(formats that read the values, notes) — ISO 8601 needs none; day/month order by evidence."""
    if not values:
        return [], []
    con = duckdb.connect()
    counts = {}
    # A plausible year, as for the formats: DuckDB casts '04/03/24 08:12' to the year 4.
    iso = con.execute(
        "select count(*) from unnest($v) t(x) where year(coalesce(try_cast(x as timestamp), "
        "try_cast(regexp_replace(x, '\\s+([+-][0-9]{2}:?[0-9]{2})$', '\\1') as timestamptz))) between 1900 and 2200",
        {"v": values},
    ).fetchone()[0]
    for fmt in CANDIDATE_FORMATS:
        counts[fmt] = con.execute(
            "select count(*) from unnest($v) t(x) where year(try_strptime(x, $f)) between 1900 and 2200",
            {"v": values, "f": fmt},
        ).fetchone()[0]
    con.close()
    notes = []
    best = max(counts.values())
    if iso >= best:
        if iso < 0.5 * len(values):
            notes.append(f"no known date format reads most values, such as {values[0]!r}")
        return [], notes
    chosen = [f for f, n in counts.items() if n == best]
    day_first = [f for f in chosen if f.startswith("%d")]
    month_first = [f for f in chosen if f.startswith("%m")]
    if day_first and month_first:
        notes.append(
            f"dates such as {values[0]!r} read both day-first and month-first; day-first assumed "
            "(if that is wrong, save the mapping with detect --save NAME and edit its timestamp_formats)"
        )
        chosen = [f for f in chosen if not f.startswith("%m")]
    # Keep near-ties too (e.g. some rows with seconds, some without).
    chosen += [f for f, n in counts.items() if f not in chosen and n >= 0.05 * len(values)
               and f[:2] == chosen[0][:2]]
    return chosen, notes


def propose_preset(export: ExportFile, name: str | None = None) -> Proposal:
    """Guess a preset for this file; proposal.preset is None when required fields are missing."""
    folded_headers = {fold(h) for h in export.headers}
    kind = guess_kind(folded_headers)
    columns = match_headers(export.headers, kind)
    proposal = Proposal(kind=kind)
    used = set(columns.values())

    if kind == "requests":
        for header in export.headers:
            match = DURATION_HEADER.match(fold(header))
            if not match or header in used:
                continue
            target = DURATION_TARGET.get(match.group("what").split()[0], "resolved_at")
            if target not in columns and target not in proposal.durations:
                unit = UNITS.get(match.group("unit") or "min", "minutes")
                proposal.durations[target] = Duration(column=header, unit=unit)
                used.add(header)
        by_fold = {fold(h): h for h in export.headers}
        for target in TIMESTAMPS_BY_KIND[kind]:
            header = columns.get(target)
            if header is None:
                continue
            f = fold(header)
            # 'Created Date' + 'Created Time'; 'Data de abertura' + 'Hora de abertura'.
            partners = [c for c in (f.replace("date", "time"), f.replace("data", "hora")) if c != f]
            time_header = next((by_fold[c] for c in partners if c in by_fold), None)
            if time_header and time_header not in used:
                proposal.combine[target] = (header, time_header)
                del columns[target]
                used.add(time_header)

    timestamp_headers = [h for t, h in columns.items() if t in TIMESTAMPS_BY_KIND[kind]]
    timestamp_headers += [pair[0] for pair in proposal.combine.values()]
    samples = _sample_values(export, timestamp_headers) if timestamp_headers else {}
    values = [v for h in timestamp_headers for v in samples.get(h, [])[:500]]
    for date_h, time_h in proposal.combine.values():
        pairs = sample_values(export, [date_h, time_h])
        dates, times = pairs.get(date_h, []), pairs.get(time_h, [None] * len(pairs.get(date_h, [])))
        values += [f"{d} {t or ''}".strip() for d, t in zip(dates, times) if d][:500]
    formats, notes = detect_formats(values)
    proposal.timestamp_formats = formats
    proposal.notes.extend(notes)
    proposal.columns = columns

    provided = set(columns) | set(proposal.combine) | set(proposal.durations)
    proposal.missing_required = [f for f in REQUIRED_BY_KIND[kind] if f not in provided]
    proposal.missing_optional = [
        f for f in FIELDS_BY_KIND[kind] if f not in provided and f not in REQUIRED_BY_KIND[kind]
    ]
    proposal.unused_headers = [h for h in export.headers if h and h not in used]
    if proposal.missing_required:
        return proposal

    stem = re.sub(r"[^a-z0-9]+", "-", export.original.stem.lower()).strip("-") or "export"
    rule = None
    if kind == "requests" and "requester_department" in columns and "requester_type" not in columns:
        rule = RequesterRule("requester_department", "not_empty")
        proposal.notes.append("requests with a requester department are taken as internal, others as external")
        proposal.missing_optional.remove("requester_type")
    proposal.preset = Preset(
        name=name or f"detected-{stem}",
        title=f"Detected from {export.original.name}",
        kind=kind,
        source=stem,
        # Exports write local times without an offset far more often than UTC ones.
        timezone=organisation().timezone,
        timestamp_formats=tuple(formats),
        signature=tuple(sorted(columns.values())),
        header_source=f"auto-detected from the header of {export.original.name}",
        columns={k: (v,) for k, v in columns.items()},
        combine=dict(proposal.combine),
        durations=dict(proposal.durations),
        requester_rule=rule,
    )
    return proposal
