"""Import one export file into the canonical tables, accounting for every row.

Each file is one transaction: it is parsed and validated into a staging table by one
set-based DuckDB query, merged by (source, request id) so that the latest state wins, and
logged in `imports` with its report. If anything fails, the database is left exactly as it
was and the failure itself is logged.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from servicelevel import presets as preset_lib
from servicelevel import store
from servicelevel.fields import FEEDBACK_SCALES
from servicelevel.detect import no_preset_fits, propose_preset
from servicelevel.datainfo import STALE_AFTER
from servicelevel.exports import (
    ExportError,
    ExportFile,
    blank_lines,
    describe_layout,
    name_some,
    open_export,
    reader_params,
    reader_sql,
    sample_values,
)
from servicelevel.mapping import MappingError, StagingPlan, build_staging
from servicelevel.presets import Preset, PresetError
from servicelevel.sqlfiles import named_in, pipeline_sql, run_statements
from servicelevel.wording import counted, reason_words

Progress = Callable[[str, float], None]  # (stage label, fraction 0-1)
# What each word of the accounting means, as the import report and the history explain it.
OUTCOME_MEANINGS = {
    "read": "rows under the header line",
    "inserted": "not stored before",
    "updated": "stored before with other content, which this file's state replaced",
    "unchanged": "stored before with the same content",
    "superseded": "not stored: a newer state of the same request is kept (already in the database, or on a "
                  "later row of an event log), or the file repeats the same answer or event",
    "rejected": "not stored, each with its line and reason (Rejected rows tab)",
}


class ImportFailed(Exception):
    """A file could not be imported; nothing from it was kept. The message says why."""


class NoPresetFits(ImportFailed):
    """No preset fits the file's headers, and auto-detection finds no request id or creation time."""

    def __init__(self, message: str, headers: list[str]):
        super().__init__(message)
        self.headers = headers


@dataclass(frozen=True)
class EarlierImport:
    """An import of the same bytes, into the same source, with the same mapping."""

    import_id: int
    file_name: str  # as it was named then: a renamed copy is the same file
    started_at: datetime

    def __str__(self) -> str:
        when = self.started_at.astimezone(timezone.utc)
        return f"import #{self.import_id} ({self.file_name}, {when:%Y-%m-%d %H:%M} UTC)"


@dataclass(frozen=True)
class OlderExport:
    """A file whose data ends more than STALE_AFTER before the newest data stored, with requests it
    wrote open in it. The pages judge every request as of the newest data, so those read as open and
    overdue by the export's age; a page cannot tell them from requests a current export holds open,
    so the import says it, while it is in view."""

    ends_at: datetime  # the newest instant the file's rows mention
    newest_at: datetime  # the newest any stored request mentions
    n_open: int

    def said(self, zone=timezone.utc, day: str = "%Y-%m-%d") -> str:
        """'this file's data ends on 2024-03-06, 989 days before the newest data stored (2026-11-20),
        and 2 requests it wrote are open in it: ...'."""
        are, them, their = ("are", "them", "their") if self.n_open > 1 else ("is", "it", "its")
        ends, newest = (instant.astimezone(zone) for instant in (self.ends_at, self.newest_at))
        return (f"this file's data ends on {ends:{day}}, {(self.newest_at - self.ends_at).days:,} days before the "
                f"newest data stored ({newest:{day}}), and {counted(self.n_open, 'request')} it wrote {are} open in "
                f"it: every page counts {them} as open, {their} SLA clocks running on to the newest data, until a "
                f"newer export holding {them} is imported")


@dataclass
class ImportReport:
    """What one import did with every row of its file."""

    file_name: str
    source: str
    preset: str
    kind: str
    import_id: int | None = None
    encoding: str = ""
    delimiter: str = ""
    timezone: str = ""  # the zone timestamps without an offset were read in
    timezone_origin: str = "the preset's zone"  # where that zone came from
    n_read: int = 0
    n_inserted: int = 0
    n_updated: int = 0
    n_unchanged: int = 0
    n_superseded: int = 0
    n_rejected: int = 0
    n_events: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    first_rejected: dict[str, tuple[int | None, str]] = field(default_factory=dict)  # reason -> (line, detail)
    mapped_fields: list[str] = field(default_factory=list)
    missing_fields: list[str] = field(default_factory=list)
    looked_for: dict[str, str] = field(default_factory=dict)  # missing field -> the column the preset names
    ignored_headers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Lines inside an unclosed quote, in no count (they are part of one malformed record): how
    # many, and the first of them.
    swallowed_lines: tuple[int, int] | None = None
    detected_preset: bool = False
    identical_to: EarlierImport | None = None  # set when the file was not read again
    older_export: OlderExport | None = None  # set when its data ends well before the data stored
    seconds: float = 0.0

    @property
    def accounted(self) -> int:
        """Rows with an outcome: inserted + updated + unchanged + superseded + rejected."""
        return (
            self.n_inserted + self.n_updated + self.n_unchanged + self.n_superseded + self.n_rejected
        )

    def is_balanced(self) -> bool:
        """read = inserted + updated + unchanged + superseded + rejected."""
        return self.n_read == self.accounted

    def lines(self, in_browser: bool = False) -> list[str]:
        """The report as readable lines: for the command line, or for the Data page's import form
        (in_browser), which names its own tab and boxes instead of the command's options, and
        reasons in words as its Rejected rows tab does."""
        how = "detected mapping" if self.detected_preset else f"preset {self.preset}"
        if self.identical_to is not None:
            return [
                f"{self.file_name} -> source '{self.source}' ({how}): identical to {self.identical_to} "
                "(same bytes, source and mapping); nothing to do (use --force to import it again)"
            ]
        layout = describe_layout(self.encoding, self.delimiter)
        # Numbered as the import history and `rejected IMPORT_ID` know it.
        number = f"import #{self.import_id}: " if self.import_id is not None else ""
        out = [
            f"{number}{self.file_name} -> source '{self.source}' ({how}, {self.kind}, {layout})",
            f"  read {self.n_read:,} = inserted {self.n_inserted:,} + updated {self.n_updated:,}"
            f" + unchanged {self.n_unchanged:,} + superseded {self.n_superseded:,}"
            f" + rejected {self.n_rejected:,}",
        ]
        if not self.n_read:
            out.append("  the file holds no rows under its header line: nothing was imported")
        if self.n_events:
            out.append(f"  events added: {self.n_events:,}")
        for reason, count in sorted(self.rejected_by_reason.items(), key=lambda kv: -kv[1]):
            line, detail = self.first_rejected.get(reason, (None, ""))
            example = f" (e.g. line {line}: {detail})" if line is not None else f" (e.g. {detail})" if detail else ""
            out.append(f"  rejected, {reason_words(reason) if in_browser else reason}: {count:,}{example}")
        if self.n_rejected:
            out.append("  every rejected row, with its line, reason and raw fields: " + (
                "the Rejected rows tab" if in_browser else
                "the rejected_rows table (Data & definitions page); the rows a rule rejected, as a file to correct "
                f"and import again: python -m servicelevel rejected {self.import_id}"))
        if self.timezone:
            another = "the time zone box above" if in_browser else "--timezone, or the time-zone box on the import page"
            out.append(f"  any time without a UTC offset is read as {self.timezone} time ({self.timezone_origin}; "
                       f"another: {another})")
        if self.missing_fields:
            lacking = [f"{f} (no column {self.looked_for[f]!r})" if f in self.looked_for else f
                       for f in self.missing_fields]
            out.append(f"  this source has no: {', '.join(lacking)}")
        if self.ignored_headers:
            out.append(f"  columns not read ({len(self.ignored_headers)}): {name_some(self.ignored_headers)}")
        if self.kind in ("requests", "event_log") and "requester_type" in self.missing_fields:
            out.append("  no requester type: every new request counts as external, and stored ones keep theirs "
                       "(a preset's [requester] internal_when rule, e.g. 'has a requester department', can say "
                       "which are internal)")
        if self.kind in ("requests", "event_log") and "provider_type" in self.missing_fields:
            out.append("  no provider type: every new request's provider counts as in-house, and stored ones keep "
                       "theirs (a preset's [provider_types] table, or a provider_type column, can name the third "
                       "parties)")
        if self.kind in ("requests", "event_log") and self.n_updated and self.missing_fields:
            out.append("  the requests updated keep their stored values of the fields this source has no column for")
        for warning in self.warnings:
            out.append(f"  note: {warning}")
        return out




def _run_with_progress(con, sql: str, params: dict, label: str, progress: Progress | None) -> None:
    """Run one long statement, reporting DuckDB's own progress estimate while it runs."""
    if progress is None:
        con.execute(sql, params)
        return
    failure: list[BaseException] = []
    finished = threading.Event()

    def work() -> None:
        try:
            con.execute(sql, params)
        except BaseException as exc:  # re-raised in the calling thread
            failure.append(exc)
        finally:
            finished.set()

    threading.Thread(target=work, daemon=True).start()
    try:
        while not finished.wait(0.25):
            fraction = con.query_progress()
            if fraction is not None and fraction >= 0:
                progress(label, min(fraction / 100.0, 1.0))
    except BaseException:
        # The caller rolls back on this connection: stop the statement still running on it first.
        _stop_statement(con, finished)
        raise
    if failure:
        raise failure[0]
    progress(label, 1.0)


def _stop_statement(con, finished: threading.Event) -> None:
    """Interrupt the statement running on con in another thread, and wait until it has stopped.
    (Waiting on an Event, not Thread.join: on Python 3.11 a join that Ctrl-C cuts short marks the
    thread as ended while it still runs, and the process then aborts in DuckDB on exit.)"""
    while True:
        con.interrupt()  # again each turn: the statement may not have started at the first one
        try:
            if finished.wait(0.1):
                return
        except KeyboardInterrupt:  # another Ctrl-C: the statement is being stopped already
            continue


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (identical re-imports are recognised by it)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _in_background(work: Callable, *args) -> Future:
    """Start work(*args) on a thread of its own; its result (or exception) is the Future's."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(work, *args)
    pool.shutdown(wait=False)  # the thread ends when the work does
    return future


def choose_preset(
    export: ExportFile, preset: Preset | str | None, presets_dir: Path
) -> tuple[Preset, list[str] | None]:
    """The given preset, else the one whose signature headers fit, else an auto-detected one;
    with the detection's notes (what it assumed), None when a preset was used."""
    if isinstance(preset, Preset):
        return preset, None
    if preset:
        return preset_lib.get_preset(preset, presets_dir), None
    presets = preset_lib.available_presets(presets_dir)
    matched = preset_lib.match_preset(export.headers, presets)
    if matched is not None:
        return matched, None
    proposal = propose_preset(export)
    if proposal.preset is None:
        raise NoPresetFits(
            f"{export.original.name}: {no_preset_fits(export.headers, presets, proposal)} "
            f"Columns: {name_some(export.headers, 30)}",
            export.headers,
        )
    return proposal.preset, proposal.notes


def _mapping_for(
    export: ExportFile, preset: Preset | str | None, presets_dir: Path, timezone_name: str | None,
    request_source: str | None,
) -> tuple[Preset, list[str] | None]:
    """choose_preset's preset, with the import's own time zone and requests' source in it."""
    chosen, detection_notes = choose_preset(export, preset, presets_dir)
    if timezone_name:
        chosen = preset_lib.with_timezone(chosen, timezone_name)
    if request_source and chosen.kind == "feedback":
        # Part of the mapping: the same survey file linked to another source is a new import.
        chosen = replace(chosen, request_source=request_source)
    return chosen, detection_notes


def source_timezone(con: duckdb.DuckDBPyConnection, source: str) -> str | None:
    """The time zone the source's latest import read times without an offset in; None for a new
    source. A later export of the same helpdesk is read in it unless another is given: read in the
    preset's zone instead (UTC for most), a Jira export imported as São Paulo time moved every
    request it held again by three hours, and an "updated 1" gave no hint of it."""
    row = con.execute(
        """select timezone from imports
           where source = $source and status = 'ok' and timezone is not null
           order by import_id desc
           limit 1""", {"source": source}).fetchone()
    return row[0] if row else None


def _in_source_zone(con, chosen: Preset, source: str, timezone_name: str | None) -> tuple[Preset, str | None]:
    """The mapping read in the source's zone (source_timezone) where no zone is given for this import,
    and that zone; None for the zone when the mapping keeps its own."""
    kept = None if timezone_name else source_timezone(con, source)
    if kept is None or kept == chosen.timezone:
        return chosen, None
    return preset_lib.with_timezone(chosen, kept), kept


def earlier_import_of(con: duckdb.DuckDBPyConnection, path: Path | str, preset: Preset | str | None = None,
                      source: str | None = None, timezone_name: str | None = None,
                      request_source: str | None = None) -> EarlierImport | None:
    """The earlier import that import_file with these arguments would find identical, and so not
    read the file again; None when it would import it. Lets a form say so before Import."""
    path = Path(path)
    with open_export(path) as export:
        chosen, _ = _mapping_for(export, preset, preset_lib.PRESETS_DIR, timezone_name, request_source)
    label = source or chosen.source
    chosen, _ = _in_source_zone(con, chosen, label, timezone_name)
    return _identical_import(con, file_sha256(path), label, preset_lib.fingerprint(chosen))


def _timestamp_samples(export: ExportFile, preset: Preset) -> dict[str, list[str | None]]:
    """Sample values of the columns that may hold timestamps (they order the parsers)."""
    headers = {h for f in preset.columns.values() for h in f} | {h for pair in preset.combine.values() for h in pair}
    return sample_values(export, sorted(headers & set(export.headers)))


def _read_csv_sql(export: ExportFile, log_rejects: bool = True) -> str:
    """The reader; malformed lines are skipped, and logged (for rejected_rows) unless
    log_rejects is False, as when a file is read a second time."""
    handling = ("store_rejects = true, rejects_table = 'csv_rejects', rejects_scan = 'csv_reject_scans'"
                if log_rejects else "ignore_errors = true")
    return reader_sql(export, handling, nullstr="$missing")


def _stage(con, export: ExportFile, preset: Preset, plan: StagingPlan, progress: Progress | None) -> None:
    run_statements(con, pipeline_sql("drop_import_scratch"))
    params = dict(plan.params)
    params.update(reader_params(export), missing=list(preset.missing_values))
    if plan.scale_sql is not None:
        scale_sql = f"with src as ({_read_csv_sql(export, log_rejects=False)})\n{plan.scale_sql}"
        params["detected_scale"] = run_statements(con, scale_sql, params).fetchone()[0]
    # A plain projection of the read, so the table keeps the file's order (staged_view).
    sql = (
        "create temp table staged_rows as\n"
        f"with src as ({_read_csv_sql(export)}),\n"
        f"stage as ({plan.select_sql})\n"
        "select * from stage"
    )
    _run_with_progress(con, sql, named_in(sql, params), "reading", progress)


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    preset: Preset | str | None = None,
    source: str | None = None,
    request_source: str | None = None,
    timezone_name: str | None = None,
    presets_dir: Path = preset_lib.PRESETS_DIR,
    progress: Progress | None = None,
    force: bool = False,
) -> ImportReport:
    """Import one file in one transaction and return its report; raise ImportFailed on failure.

    A file already imported byte for byte, into the same source with the same mapping, is not
    read again (that could only repeat its rejected rows, or, without updated_at, put an old
    state back over a newer one); the report says which import it matches. force=True
    imports it anyway.
    """
    path = Path(path)
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc)
    # The file's SHA-256 (0.6 s a gigabyte) is worked out while the file is opened and checked.
    hashing = _in_background(file_sha256, path)
    try:
        export = open_export(path)
    except ExportError as exc:
        _log_failure(con, path, source or "", "", "", started_at, str(exc))
        raise ImportFailed(str(exc)) from None
    with export:
        try:
            chosen, detection_notes = _mapping_for(export, preset, presets_dir, timezone_name, request_source)
            detected = detection_notes is not None
            label = source or chosen.source
            chosen, source_zone = _in_source_zone(con, chosen, label, timezone_name)
            if chosen.encoding != "auto" or chosen.delimiter != "auto":
                export.close()
                export = open_export(path, chosen.encoding, chosen.delimiter)
            plan = build_staging(chosen, export.headers, path.name, _timestamp_samples(export, chosen))
        except (PresetError, MappingError, ExportError, ImportFailed) as exc:
            _log_failure(con, path, source or "", "", "", started_at, str(exc))
            raise (exc if isinstance(exc, ImportFailed) else ImportFailed(str(exc))) from None  # NoPresetFits kept
        report = ImportReport(
            file_name=path.name,
            source=label,
            preset=chosen.name,
            kind=chosen.kind,
            encoding=export.encoding,
            delimiter=export.delimiter,
            timezone=chosen.timezone,
            timezone_origin="as given for this import" if timezone_name
            else "as this source's earlier imports" if source_zone
            else "the organisation's zone, a detected mapping's default" if detected else "the preset's zone",
            detected_preset=detected,
            mapped_fields=sorted(plan.uses),
            missing_fields=plan.missing_fields,
            # The preset's spelling, where it differs from the field's name: a misspelt column
            # in a preset shows here rather than as a silently empty field.
            looked_for={f: chosen.columns[f][0] for f in plan.missing_fields
                        if chosen.columns.get(f) and chosen.columns[f][0] != f},
            ignored_headers=plan.ignored_headers,
        )
        report.warnings.extend(export.notes + (detection_notes or []))
        earlier_zone = source_timezone(con, label) if timezone_name else None
        if earlier_zone is not None and earlier_zone != chosen.timezone:
            report.warnings.append(f"earlier imports of {label} read times in {earlier_zone}, this one in "
                                   f"{chosen.timezone}: a request in both exports moves by the zones' difference")
        rule = chosen.requester_rule
        if chosen.kind in ("requests", "event_log") and rule is not None and rule.field not in plan.uses:
            report.warnings.append(f"the preset tells internal requesters by {rule.field}, which this file has no "
                                   "column for: check the column name (see 'this source has no' above)")
        read = {h for use in plan.uses.values() for h in use.headers}
        repeated = [h for h in dict.fromkeys(export.headers) if h in read and export.headers.count(h) > 1]
        if repeated:
            report.warnings.append(f"the header names {', '.join(map(repr, repeated))} more than once; "
                                   "the first such column is read, the others are not")
        near = preset_lib.closest_preset(export.headers, preset_lib.available_presets(presets_dir)) if detected else None
        if near:
            report.warnings.append(f"{preset_lib.lacks_columns_note(*near)} It was imported with the detected mapping "
                                   f"instead: check the fields above, or import it with preset {near[0].name} "
                                   f"(the Preset box on the import page, or --preset {near[0].name}).")
        digest = hashing.result()
        mapping_digest = preset_lib.fingerprint(chosen)
        if not force:
            earlier = _identical_import(con, digest, label, mapping_digest)
            if earlier is not None:
                report.identical_to = earlier
                _log_identical(con, report, export, digest, mapping_digest, started_at)
                return report
        try:
            with store.transaction(con):
                _load(con, export, chosen, plan, report, (digest, mapping_digest), started_at, progress)
                # Inside the transaction, so that a rollback removes the scratch tables too, and
                # once the commit is over nothing is left to do that Ctrl-C could cut short.
                run_statements(con, pipeline_sql("drop_import_scratch"))
        except Exception as exc:
            if store.is_interruption(exc):
                raise KeyboardInterrupt from exc  # a stop asked for, not a failure of the file
            message = f"{path.name}: {exc}"
            _log_failure(con, path, label, chosen.name, chosen.kind, started_at, message)
            raise ImportFailed(message) from exc
    report.seconds = time.perf_counter() - started
    return report


def _unmatched_event_warnings(con, source: str) -> list[str]:
    """Say so when status events name requests their source does not hold (yet)."""
    n_unmatched, elsewhere = run_statements(con, pipeline_sql("events_unmatched"), {"source": source}).fetchone()
    if not n_unmatched:
        return []
    verb = "refers" if n_unmatched == 1 else "refer"
    warning = (f"{n_unmatched:,} of the events added {verb} to requests not (yet) imported into source "
               f"'{source}'; they are kept, and count once those requests arrive")
    if elsewhere:
        where = ", ".join(f"'{e['source']}' ({e['n_events']:,})" for e in elsewhere)
        warning += (f". Their request ids are found in source {where}: to file them there, import the "
                    f"file again with that source (--source {elsewhere[0]['source']}, or the source box "
                    f"on the import page), and remove source '{source}' if it holds nothing else")
    return [warning]


def _unlinked_answer_warnings(con: duckdb.DuckDBPyConnection, request_source: str | None) -> list[str]:
    """The survey answers just classified that no stored request matches, and, where the import
    named the requests' source, whether that source holds any request at all (a misspelt name
    would otherwise file every answer under requests that never arrive)."""
    unmatched = con.execute(
        """select count(*) from feedback_outcomes as o
           where o.outcome <> 'superseded' and not exists (
               select 1 from requests as r where r.source = o.request_source and r.request_id = o.request_id)"""
    ).fetchone()[0]
    if not unmatched:
        return []
    one = unmatched == 1
    out = [f"{unmatched:,} answer{'' if one else 's'} refer{'s' if one else ''} to request ids not (yet) imported"
           + ("" if request_source else ", or found in several sources")
           + "; they are kept, and linked when their request is imported"]
    if request_source:
        sources = [s for (s,) in con.execute("select distinct source from requests order by source").fetchall()]
        if request_source not in sources:
            out.append(f"no requests of source '{request_source}' are stored (sources with requests: "
                       f"{', '.join(sources) or 'none'}): check the name given for the requests' source")
    return out


def _load(con, export, preset, plan, report, digests, started_at, progress) -> None:
    import_id = con.execute("select coalesce(max(import_id), 0) + 1 from imports").fetchone()[0]
    report.import_id = import_id
    names = dict(import_id=import_id, source=report.source, file_name=report.file_name)

    # The byte scan for empty lines runs while DuckDB reads the file: the reader leaves a core
    # free often enough that the scan adds almost nothing (0.2 s of a 256 MB file otherwise).
    scanning = _in_background(blank_lines, export)
    _stage(con, export, preset, plan, progress)
    empty_lines = scanning.result()
    if progress:
        progress("merging", 0.0)
    n_staged = con.execute("select count(*) from staged_rows").fetchone()[0]
    # The reader may log several errors for one line (one per missing column).
    n_malformed = con.execute("select count(distinct line) from csv_rejects").fetchone()[0]
    report.n_read = n_staged + n_malformed
    run_statements(con, pipeline_sql("staged_view"))
    if n_malformed or empty_lines:
        run_statements(con, pipeline_sql("line_numbers"),
                       {"n_lines": report.n_read, "blank_lines": [int(line) for line in empty_lines]})
        run_statements(con, pipeline_sql("staged_view_with_lines"))
    if n_malformed:
        run_statements(con, pipeline_sql("csv_rejects_to_rejected_rows"), names)
    run_statements(con, pipeline_sql("staged_to_rejected_rows"), names)

    if preset.kind in ("requests", "event_log"):
        outcomes = _merge_requests(con, preset, names, report.missing_fields, digests[0])
        report.older_export = _older_export(con, import_id)
        if report.older_export:
            report.warnings.append(report.older_export.said())
    elif preset.kind == "events":
        run_statements(con, pipeline_sql("apply_events"), names)
        outcomes = _count_outcomes(con, "event_outcomes")
        report.n_events = outcomes.get("inserted", 0)
        report.warnings.extend(_unmatched_event_warnings(con, report.source))
    else:
        run_statements(con, pipeline_sql("classify_feedback"),
                {"request_source": preset.request_source, "survey_source": report.source})
        run_statements(con, pipeline_sql("apply_feedback"), {**names, "survey_source": report.source})
        outcomes = _count_outcomes(con, "feedback_outcomes")
        report.warnings.extend(_unlinked_answer_warnings(con, preset.request_source))
        scales = [r[0] for r in con.execute(
            "select distinct scale from staged where list_contains($known, scale) order by 1",
            {"known": list(FEEDBACK_SCALES)},
        ).fetchall()]
        report.warnings.append(f"score scale: {', '.join(scales) or 'none'} (normalised to 1-5)")
    if preset.kind == "event_log":
        before = con.execute("select count(*) from events").fetchone()[0]
        run_statements(con, pipeline_sql("events_from_log"), names)
        report.n_events = con.execute("select count(*) from events").fetchone()[0] - before
    if progress:
        progress("merging", 1.0)

    report.n_inserted = outcomes.get("inserted", 0)
    report.n_updated = outcomes.get("updated", 0)
    report.n_unchanged = outcomes.get("unchanged", 0)
    report.n_superseded = outcomes.get("superseded", 0)
    rejected = con.execute(
        "select reason, count(*), min(line), arg_min(detail, coalesce(line, 0)) from rejected_rows"
        " where import_id = $import_id group by reason",
        {"import_id": import_id},
    ).fetchall()
    report.rejected_by_reason = {reason: count for reason, count, _, _ in rejected}
    report.first_rejected = {reason: (line, detail) for reason, _, line, detail in rejected}
    report.n_rejected = sum(report.rejected_by_reason.values())
    report.swallowed_lines = _swallowed_lines(con, import_id)
    if report.swallowed_lines:
        report.warnings.append(f"{swallowed_note(report.swallowed_lines)}, so in no count above: fix the quote and "
                               "import the file again")
    report.warnings.extend(_unmapped_value_warnings(con, preset))
    if not report.is_balanced():
        raise ImportFailed(
            f"accounting does not balance: read {report.n_read} but accounted {report.accounted}"
        )
    _log_import(con, report, export, digests, started_at)


def _older_export(con, import_id: int) -> OlderExport | None:
    """The file's data end when it is more than STALE_AFTER before the newest data stored and
    requests it wrote are open in it (else None)."""
    ends_at, newest_at, n_open = con.execute(pipeline_sql("export_age"), {"import_id": import_id}).fetchone()
    if not n_open or ends_at >= newest_at - STALE_AFTER:
        return None
    return OlderExport(ends_at, newest_at, n_open)


def swallowed_note(swallowed: tuple[int, int]) -> str:
    """'2 more lines of the file, from line 30,003 on, are inside an unclosed quote'."""
    n_lines, first = swallowed
    return (f"{counted(n_lines, 'more line')} of the file, from line {first:,} on, {'are' if n_lines > 1 else 'is'} "
            "inside an unclosed quote")


def _swallowed_lines(con, import_id: int) -> tuple[int, int] | None:
    """Lines an unclosed quote made part of one malformed record are no rows of their own, and
    the count read leaves them out: how many there are, and the first of them."""
    first, n_lines = con.execute(
        """select min(line), sum(length(rtrim(raw, chr(13) || chr(10)))
                                 - length(replace(rtrim(raw, chr(13) || chr(10)), chr(10), '')))
           from rejected_rows
           where import_id = $import_id and reason = 'malformed_line'
             and rtrim(raw, chr(13) || chr(10)) like '%' || chr(10) || '%'""",
        {"import_id": import_id},
    ).fetchone()
    return (int(n_lines), first + 1) if n_lines else None


def _merge_requests(con, preset: Preset, names: dict, missing_fields: list[str],
                    file_sha256: str) -> dict[str, int]:
    # What the file lacks keeps its stored value; without a requester type, the staging dropped
    # the department and organisation under the default type, so the stored ones are kept too.
    absent = list(missing_fields)
    if "requester_type" in absent:
        absent += ["requester_department", "requester_org"]
    run_statements(con, pipeline_sql("rank_in_file"))
    run_statements(con, pipeline_sql("classify_requests"), {**names, "absent": absent, "file_sha256": file_sha256})
    run_statements(con, pipeline_sql("apply_requests"), {**names, "absent": absent})
    outcomes = _count_outcomes(con, "winners")  # the requests already stored
    # Every row this import wrote is a new request or an updated one.
    written = con.execute("select count(*) from requests where import_id = $import_id",
                          {"import_id": names["import_id"]}).fetchone()[0]
    outcomes["inserted"] = written - outcomes.get("updated", 0)
    older = con.execute("select count(*) from ranked where rank_in_file > 1").fetchone()[0]
    run_statements(con, pipeline_sql("link_feedback"))
    if preset.kind == "requests":
        run_statements(con, pipeline_sql("duplicates_to_rejected_rows"), names)
    else:  # an event log holds every older state of a request by design
        outcomes["superseded"] = outcomes.get("superseded", 0) + older
    return outcomes


OUTCOME_COUNTS = {
    table: f"select outcome, count(*) from {table} group by outcome"
    for table in ("winners", "event_outcomes", "feedback_outcomes")
}


def _count_outcomes(con, table: str) -> dict[str, int]:
    return dict(con.execute(OUTCOME_COUNTS[table]).fetchall())


FALLBACKS = {"status": "inferred from the timestamps", "priority": "left empty", "channel": "counted as 'other'"}


def _unmapped_value_warnings(con, preset: Preset) -> list[str]:
    """Raw values of coded fields that no map understood: kept raw, named in the report."""
    if preset.kind not in ("requests", "event_log"):
        return []
    from servicelevel.vocabulary import value_synonyms

    known = {
        f"known_{name}": list(value_synonyms(name)) + list(preset.values.get(name, {}))
        for name in FALLBACKS
    }
    listed: dict[str, list[str]] = {}
    for field_name, raw, n in run_statements(con, pipeline_sql("unmapped_values"), known).fetchall():
        listed.setdefault(field_name, []).append(f"'{raw}' ({n:,})")
    return [
        f"unrecognised {name} values {', '.join(listed[name])}: {FALLBACKS[name]}"
        for name in FALLBACKS if name in listed
    ]


def _identical_import(con, digest: str, source: str, mapping_digest: str) -> EarlierImport | None:
    row = con.execute(
        """select import_id, file_name, started_at from imports
           where status = 'ok' and identical_to is null
             and file_sha256 = $sha and source = $source and preset_sha256 = $mapping
           order by import_id desc
           limit 1""",
        {"sha": digest, "source": source, "mapping": mapping_digest},
    ).fetchone()
    return EarlierImport(*row) if row else None


def _log_identical(con, report: ImportReport, export: ExportFile, digest, mapping_digest, started_at) -> None:
    report.import_id = con.execute("select coalesce(max(import_id), 0) + 1 from imports").fetchone()[0]
    _insert_import(con, {
        **_file_columns(report, export, digest, mapping_digest, started_at),
        "status": "skipped",
        "message": f"identical to import #{report.identical_to.import_id}; nothing to do",
        "identical_to": report.identical_to.import_id,
    })


def _log_import(con, report: ImportReport, export: ExportFile, digests: tuple[str, str], started_at) -> None:
    _insert_import(con, {
        **_file_columns(report, export, *digests, started_at),
        "status": "ok",
        "n_read": report.n_read,
        "n_inserted": report.n_inserted,
        "n_updated": report.n_updated,
        "n_unchanged": report.n_unchanged,
        "n_superseded": report.n_superseded,
        "n_rejected": report.n_rejected,
        "n_events": report.n_events,
        "rejected_by_reason": json.dumps(report.rejected_by_reason),
        "mapped_fields": report.mapped_fields,
        "missing_fields": report.missing_fields,
        "warnings": report.warnings,
    })


def _file_columns(report: ImportReport, export: ExportFile, digest, mapping_digest, started_at) -> dict:
    """The imports columns of every import that got as far as reading its file."""
    return {
        "import_id": report.import_id,
        "source": report.source,
        "kind": report.kind,
        "file_name": report.file_name,
        "file_path": str(export.original.resolve()),
        "file_sha256": digest,
        "preset": report.preset,
        "encoding": report.encoding,
        "delimiter": report.delimiter,
        "timezone": report.timezone or None,
        "started_at": started_at,
        "preset_sha256": mapping_digest,
    }


IMPORT_COLUMNS = (
    "import_id", "source", "kind", "file_name", "file_path", "file_sha256", "preset", "encoding",
    "delimiter", "timezone", "started_at", "status", "message", "n_read", "n_inserted", "n_updated",
    "n_unchanged", "n_superseded", "n_rejected", "n_events", "rejected_by_reason", "mapped_fields",
    "missing_fields", "warnings", "preset_sha256", "identical_to",
)
INSERT_IMPORT = """insert into imports (import_id, source, kind, file_name, file_path, file_sha256, preset,
                        encoding, delimiter, timezone, started_at, finished_at, status, message, n_read,
                        n_inserted, n_updated, n_unchanged, n_superseded, n_rejected, n_events,
                        rejected_by_reason, mapped_fields, missing_fields, warnings,
                        preset_sha256, identical_to)
   values ($import_id, $source, $kind, $file_name, $file_path, $file_sha256, $preset, $encoding,
           $delimiter, $timezone, $started_at, now(), $status, $message, $n_read, $n_inserted, $n_updated,
           $n_unchanged, $n_superseded, $n_rejected, $n_events, $rejected_by_reason,
           $mapped_fields, $missing_fields, $warnings, $preset_sha256, $identical_to)"""


def _insert_import(con, columns: dict) -> None:
    """One imports row, finished now; the columns not given are NULL."""
    unknown = set(columns) - set(IMPORT_COLUMNS)
    if unknown:
        raise ValueError(f"not an imports column: {sorted(unknown)}")
    con.execute(INSERT_IMPORT, {name: columns.get(name) for name in IMPORT_COLUMNS})


def _log_failure(con, path: Path, source: str, preset: str, kind: str, started_at, message: str) -> None:
    """Record a failed import outside the rolled-back transaction."""
    con.execute(
        """insert into imports (import_id, source, kind, file_name, file_path, preset,
                                started_at, finished_at, status, message)
           select coalesce(max(import_id), 0) + 1, $source, $kind, $file_name, $file_path,
                  $preset, $started_at, now(), 'failed', $message
           from imports""",
        {
            "source": source,
            "kind": kind or "unknown",
            "file_name": path.name,
            "file_path": str(path.resolve()),  # as a successful import logs it
            "preset": preset,
            "started_at": started_at,
            "message": message,
        },
    )
