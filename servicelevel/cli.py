"""Command line: python -m servicelevel [--db PATH] COMMAND ... (the commands are listed below; each
one's --help gives its options)."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from functools import partial
from itertools import repeat
from pathlib import Path

from servicelevel import policies as policy_lib
from servicelevel import presets as preset_lib
from servicelevel import PROJECT_ROOT, queries, store
from servicelevel.detect import propose_preset
from servicelevel.exports import ExportError, describe_layout, open_export
from servicelevel.ingest import ImportFailed, NoPresetFits, import_file
from servicelevel.presets import PresetError
from servicelevel.refresh import refresh_all
from servicelevel.sla import PolicyReach, policy_reach
from servicelevel.settings import SettingsError
from servicelevel.themes import ThemeError
from servicelevel.vocabulary import VOCABULARY_PATH


class TerminalProgress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, name: str, stream=sys.stderr):
        self.name = name
        self.stream = stream
        self.enabled = stream.isatty()
        self.last = None

    def __call__(self, stage: str, fraction: float) -> None:
        if not self.enabled:
            return
        percent = int(fraction * 100)
        if (stage, percent) == self.last:
            return
        self.last = (stage, percent)
        filled = percent // 4
        bar = "#" * filled + "-" * (25 - filled)
        self.stream.write(f"\r  [{bar}] {percent:3d}% {stage} {self.name}")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self.last is not None:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


# queries/import_history.sql's status of an import that stored nothing, every row rejected.
ALL_REJECTED = "every row rejected"


@contextmanager
def stopped_by_interrupt(what_stays: str, once_committed: str | None = None):
    """Ctrl-C inside the block ends the command with one line saying what stays (main() prints
    it), not a traceback; `once_committed` instead if the block's transaction was committed as
    Ctrl-C came. Inside a block nested in another, the inner block's line is passed on as it is."""
    try:
        yield
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt) and exc.args:  # said by a block inside this one
            raise
        if not store.is_interruption(exc):
            raise
        committed = isinstance(exc, store.CommittedThenInterrupted) and once_committed
        raise KeyboardInterrupt(once_committed if committed else what_stays) from exc


def _import_option_error(args) -> str | None:
    """--preset and --timezone hold for every file: a wrong one is said once, before any import."""
    if args.timezone and not preset_lib.is_time_zone(args.timezone):
        return f"--timezone {args.timezone!r} is not an IANA time zone (such as Europe/Lisbon or America/Sao_Paulo)"
    if args.preset:
        try:
            preset_lib.get_preset(args.preset)
        except PresetError as exc:
            return f"--preset: {exc}"
    return None


def cmd_import(args) -> int:
    if error := _import_option_error(args):
        print(f"error: {error}; nothing was imported", file=sys.stderr)
        return 2
    failures = nothing_kept = changed = 0
    con = store.connect(args.db)
    recomputed = "the dashboard, the report or the next import recomputes the SLA states and derived tables"
    # Between the imports and the recomputation (a report being printed, the next file opened), a
    # Ctrl-C keeps what was imported, and says so; the blocks inside say it while they run.
    with stopped_by_interrupt(f"any file imported before it is kept (`status` lists the imports), and {recomputed}"):
        for path in args.paths:
            name = Path(path).name
            progress = TerminalProgress(name)
            earlier = f"; the {changed} file(s) imported before it are kept, and {recomputed}" if changed else ""
            try:
                with stopped_by_interrupt(f"{name} was not imported (the database is as it was before it){earlier}",
                                          once_committed=f"{name} was imported (Ctrl-C came as it was being "
                                          f"saved); {recomputed}"):
                    report = import_file(
                        con,
                        path,
                        preset=args.preset,
                        source=args.source,
                        request_source=args.request_source,
                        timezone_name=args.timezone,
                        force=args.force,
                        progress=progress,
                    )
            except ImportFailed as exc:
                print(f"error: {exc}", file=sys.stderr)
                # What to do about columns no mapping names (not about a header read as one column,
                # which the error says to save as CSV first), as the README's Import presets says it.
                if isinstance(exc, NoPresetFits) and len(exc.headers) > 1:
                    presets_dir = preset_lib.PRESETS_DIR.relative_to(PROJECT_ROOT)
                    print(f"  to import it: --preset NAME, a preset that reads it (`presets` lists them); or write "
                          f"one as {presets_dir}/NAME.toml (README, Writing a preset); or add its headers' "
                          f"spellings to {VOCABULARY_PATH.relative_to(PROJECT_ROOT)}, for detection to find them",
                          file=sys.stderr)
                failures += 1
                continue
            finally:
                progress.done()
            changed += report.identical_to is None  # a repeat of an earlier import changes nothing
            print("\n".join(report.lines()))
            if report.n_read and report.n_rejected == report.n_read:
                # Imported, yet nothing stored: most often one wrong setting (a timestamp format, the
                # delimiter), which the first rejection's reason above names.
                print(f"error: every row of {name} was rejected; the reasons above say why", file=sys.stderr)
                nothing_kept += 1
        if failures:
            print(f"{failures} of {len(args.paths)} file(s) failed; nothing from them was kept", file=sys.stderr)
        if changed and not _refreshed(con, "the imported files are kept"):
            return 1
    return 1 if failures or nothing_kept else 0


def _refreshed(con, kept: str) -> bool:
    """Recompute SLA states and derived tables after a change to the data, printing their summary;
    False (and why, on stderr) when a settings file is invalid: the change itself stays."""
    kept = kept[:1].upper() + kept[1:]
    try:
        with stopped_by_interrupt(f"the SLA states and derived tables were being recomputed. {kept}; the "
                                  "dashboard, the report or the next import recomputes them."):
            # Said first: at a few million requests the recomputation takes a minute.
            print("recomputing the SLA states and the pages' tables ...", flush=True)
            print("\n".join(refresh_all(con)))
    except (policy_lib.PolicyError, ThemeError) as exc:
        print(f"error: a settings file is invalid, so the SLA states and derived tables were not recomputed: {exc}\n"
              f"{kept}; once the file is fixed, the dashboard, the report or the next import recomputes them.",
              file=sys.stderr)
        return False
    return True


def cmd_detect(args) -> int:
    if args.save is not None and not preset_lib.is_preset_name(args.save):
        print(f"error: --save {args.save!r}: a preset name is letters, digits, '-' and '_' (it becomes "
              f"{preset_lib.PRESETS_DIR.name}/NAME.toml)", file=sys.stderr)
        return 2
    with open_export(args.path) as export:
        proposal = propose_preset(export, name=args.save)
        print(f"{args.path}: {len(export.headers)} columns, {describe_layout(export.encoding, export.delimiter)}")
        for note in export.notes:
            print(f"note: {note}")
        presets = preset_lib.available_presets()
        matched = preset_lib.match_preset(export.headers, presets)
        if matched is not None:
            # The zone import reads in, first: the proposal below gives auto-detection's own, unused.
            print(f"Preset '{matched.name}' ({matched.title}) fits these headers, and import uses it: times "
                  f"without a UTC offset are read as {matched.timezone} time (the preset's zone; a source imported "
                  "before keeps its own, and --timezone sets another). For comparison, what auto-detection alone "
                  "would propose (not used):")
        else:
            near = preset_lib.closest_preset_note(export.headers, presets)
            print(f"{near or 'No preset fits these headers.'} Auto-detection proposes:")
        print("\n".join(proposal.lines()))
        if args.save:
            if proposal.preset is None:
                missing = ", ".join(proposal.missing_required)
                print(f"error: cannot save {args.save}: no column was recognised as {missing}, which every "
                      f"import needs. Add the file's header for it to [headers] in {VOCABULARY_PATH} and run "
                      f"detect --save again, or write the preset by hand (README, Writing a preset).",
                      file=sys.stderr)
                return 1
            path = preset_lib.save_preset(proposal.preset)
            print(f"saved preset '{proposal.preset.name}' to {path}")
    # The file can be imported when a preset fits, whatever auto-detection alone would miss.
    return 0 if matched is not None or proposal.preset is not None else 1


def cmd_sample(args) -> int:
    from servicelevel.sample import build_sample, sources_not_from_the_sample

    con = store.connect(args.db)
    if held := sources_not_from_the_sample(con):
        db_path = args.db or store.default_db_path()
        print(f"error: {db_path} holds data not from the sample (sources {', '.join(held)}): the sample's "
              "fictional requests would be mixed into it, and removing them later would take those sources' rows "
              "too. Build the sample into a database of its own: python -m servicelevel --db data/sample.duckdb "
              "sample", file=sys.stderr)
        return 1
    with stopped_by_interrupt("the sample is not complete; `python -m servicelevel sample` again finishes it (the "
                              "files it has imported already are recognised and skipped)"):
        lines = build_sample(con, progress=print)
    print("\n".join(lines))
    return 0


def _existing_db(args) -> Path | None:
    """The database file the command reads; None (and why, on stderr) when there is none."""
    db_path = Path(args.db) if args.db else store.default_db_path()
    if not db_path.exists():
        print(f"error: no database at {db_path}; run `python -m servicelevel sample` or import a file", file=sys.stderr)
        return None
    return db_path


def cmd_status(args) -> int:
    db_path = _existing_db(args)
    if db_path is None:
        return 1
    from servicelevel.settings import organisation

    zone = organisation().zone

    def day(instant) -> str:  # the day as the pages show it, in the organisation's zone
        return f"{instant.astimezone(zone):%Y-%m-%d}"

    con = store.connect(db_path, read_only=True)
    print(f"database: {db_path} (schema version {store.schema_version(con)})")
    rows = con.execute(
        """select source, count(*), min(created_at), max(created_at)
           from requests group by source order by source"""
    ).fetchall()
    if not rows:
        print("no requests loaded")
    for source, n, first, last in rows:
        print(f"  {source}: {n:,} requests, created {day(first)} .. {day(last)}")
    for survey in queries.run(con, "survey_sources").itertuples(index=False):
        print(f"  {survey.survey_source}: {survey.n_answers:,} survey answers ({survey.n_linked:,} linked to their "
              f"request), submitted {day(survey.first_submitted_at)} .. {day(survey.newest_at)}")
    print(f"  (days in {zone.key}, the organisation's time zone)")
    n_feedback = con.execute("select count(*) from feedback").fetchone()[0]
    n_events = con.execute("select count(*) from events").fetchone()[0]
    n_rejected = con.execute("select count(*) from rejected_rows").fetchone()[0]
    # As the Data page's import history says them: "ok" for an import that stored nothing read as all well.
    statuses = queries.run(con, "import_history", {})["status"].value_counts()
    ok, all_rejected, skipped, failed, removed = (
        int(statuses.get(status, 0)) for status in ("ok", ALL_REJECTED, "skipped", "failed", "removed"))
    print(f"  feedback answers: {n_feedback:,}; events: {n_events:,}; rejected rows: {n_rejected:,}")
    print(f"  imports: {ok} ok{f', {all_rejected} with every row rejected' if all_rejected else ''}, {skipped} skipped "
          f"as identical to an earlier one, {failed} failed, {removed} of sources since removed")
    return 0


def cmd_remove(args) -> int:
    from servicelevel.sources import UnknownSource, describe_contents, remove_source, source_contents

    con = store.connect(args.db)
    try:
        contents = source_contents(con, args.source)
    except UnknownSource as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    held = describe_contents(contents)
    if not args.yes:
        print(f"source '{args.source}' holds {held}; nothing removed: add --yes to remove them")
        return 0
    remove_source(con, args.source)
    print(f"removed source '{args.source}': {held}")
    return 0 if _refreshed(con, f"source '{args.source}' is removed") else 1


def cmd_presets(args) -> int:
    for name, preset in preset_lib.available_presets().items():
        print(f"{name:<24} {preset.kind:<10} {preset.title}")
    return 0


def cmd_policies(args) -> int:
    try:
        policy_set = policy_lib.load_policies(args.file)
    except policy_lib.PolicyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    n = len(policy_set.policies)
    print(f"{policy_set.source}: valid; {n} polic{'y' if n == 1 else 'ies'}, tried in this order "
          f"(the first that matches applies); paused statuses: {', '.join(policy_set.paused_statuses)}")
    reach, not_counted = _policy_reach(args, policy_set)
    for row, n in zip(policy_lib.describe_policies(policy_set), reach.n_requests if reach else repeat(None)):
        applies = "" if n is None else f" ({n:,} stored requests)"
        print(f"  {row['order']}. {row['policy']} [{row['calendar']}]: {row['applies to']}{applies}")
        for label in ("first response", "resolution"):
            goal = row[f"{label} goal"]
            print(f"       {label}: {row[f'{label} target']}" + (f", goal {goal:.0%}" if goal is not None else ""))
    print("calendars:")
    for row in policy_lib.describe_calendars(policy_set):
        print(f"  {row['calendar']} ({row['time zone']}): {row['hours']}; {row['hours per week']} h a week, "
              f"1d = {row['1d means']}; holidays {row['public holidays']}; closed {row['closed dates']}; "
              f"used by {row['used by']}")
    if reach is None:
        print(f"Not counted on the data: {not_counted}.")
    else:
        print(f"Stored requests no policy applies to: {reach.n_unmatched:,} (they have no SLA).")
        for absent in reach.absent:
            print(f"{'note' if absent.is_code else 'warning'}: {absent.describe()}")
    print("The SLA states follow this file at the next import, report or dashboard page view.")
    return 0


def _policy_reach(args, policy_set) -> tuple[PolicyReach | None, str]:
    """The policies' reach on the database, or None and why it could not be read (no file yet,
    or the dashboard holds it): checking a file must not need, create or wait for a database."""
    db_path = Path(args.db) if args.db else store.default_db_path()
    if not db_path.exists():
        return None, f"no database at {db_path}"
    try:
        con = store.connect(db_path, read_only=True)
    except store.StoreError as exc:
        return None, str(exc)
    try:
        return policy_reach(con, policy_set), ""
    finally:
        con.close()


REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf", ".md": "md", ".markdown": "md"}
# --option -> (Filters field, filter_options field or None): the shared filters, as on the sidebar.
REPORT_FILTERS = {
    "dept": ("provider_departments", "provider_department"),
    "requester_dept": ("requester_departments", "requester_department"),
    "provider_type": ("provider_types", "provider_type"),
    "priority": ("priorities", "priority"),
    "channel": ("channels", "channel"),
}


def _known_values(asked: list[str], known: tuple[str, ...], option: str) -> tuple[str, ...]:
    """The values as the data spells them, matched without regard to case, and also as the
    dashboard's filters and links spell them (Third-party for third_party, walk-in for walk_in);
    ValueError naming the unknown ones."""
    from servicelevel.viewlinks import PROVIDER_TYPES, value_label

    shown = (lambda v: PROVIDER_TYPES.get(v, v)) if option == "provider_type" else value_label
    by_lower = {shown(k).lower(): k for k in known} | {k.lower(): k for k in known}
    unknown = [a for a in asked if a.lower() not in by_lower]
    if unknown:
        listed = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
        raise ValueError(f"--{option.replace('_', '-')} {', '.join(unknown)}: not in the data "
                         f"(known: {listed or 'none'})")
    return tuple(dict.fromkeys(by_lower[a.lower()] for a in asked))


def cmd_report(args) -> int:
    from datetime import datetime, timezone

    from servicelevel import report
    from servicelevel.datainfo import data_info
    from servicelevel.filters import Filters, Selection, parse_iso_week
    from servicelevel.policies import PolicyError
    from servicelevel.refresh import ensure_fresh
    from servicelevel.settings import is_web_address, organisation
    from servicelevel.themes import ThemeError

    org = organisation()
    period = None
    if args.week is not None:
        try:
            period = parse_iso_week(args.week, org.timezone)
        except ValueError as exc:
            print(f"error: --week: {exc}", file=sys.stderr)
            return 2
    if args.dashboard_url and not is_web_address(args.dashboard_url):
        print(f"error: --dashboard-url: '{args.dashboard_url}' is not a web address (http://... or https://...)",
              file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else None
    # "reports/" names a folder even before it exists.
    into_folder = out is not None and (out.is_dir() or args.out.endswith(("/", os.sep)))
    fmt = args.format or (REPORT_SUFFIXES.get(out.suffix.lower(), "html") if out and not into_folder else "html")
    db_path = _existing_db(args)
    if db_path is None:
        return 1
    con = store.connect(db_path)
    try:
        try:
            ensure_fresh(con)  # the numbers the dashboard would show, not those of before a policy edit
        except (PolicyError, ThemeError) as exc:
            print(f"error: a settings file is invalid, so the numbers cannot be computed: {exc}", file=sys.stderr)
            return 1
        info = data_info(con)
        chosen = {}
        try:
            for option, (name, field) in REPORT_FILTERS.items():
                chosen[name] = _known_values(getattr(args, option), info.options.get(field, ()), option)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        now = datetime.now(timezone.utc)
        selection = Selection(
            period=period or info.default_week(now, org.timezone),
            filters=Filters(requester_type=args.requester or "", **chosen),
            as_of=info.as_of(now),
        )
        content = report.generate(con, selection, org, fmt, args.dashboard_url or org.dashboard_url)
    finally:
        con.close()
    name = report.file_name(selection, fmt)
    path = (out / name if into_folder else out) if out else Path.cwd() / name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as exc:
        print(f"error: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def cmd_rejected(args) -> int:
    from servicelevel.rejected import file_to_mend, import_command, left_out_note
    from servicelevel.wording import counted

    db_path = _existing_db(args)
    if db_path is None:
        return 1
    con = store.connect(db_path, read_only=True)
    try:
        history = queries.run(con, "import_history", {})
        # An import that stored nothing, every row rejected, is the one most in need of its file.
        stored = history["status"].isin(["ok", ALL_REJECTED])
        with_rejected = history[stored & (history["n_rejected"] > 0)]
        if args.import_id is None:
            if with_rejected.empty:
                print("no import has rejected rows")
            for row in with_rejected.itertuples(index=False):
                print(f"  import {row.import_id}: {row.file_name} (source {row.source}), {int(row.n_rejected):,} "
                      "rejected")
            return 0
        if args.import_id not in set(history["import_id"]):
            print(f"error: there is no import {args.import_id}; `python -m servicelevel rejected` lists the imports "
                  "with rejected rows", file=sys.stderr)
            return 1
        if args.import_id not in set(with_rejected["import_id"]):
            print(f"error: import {args.import_id} has no rejected rows; `python -m servicelevel rejected` lists "
                  "the imports that have", file=sys.stderr)
            return 1
        mend = file_to_mend(con, args.import_id)
        n_rejected = int(with_rejected.loc[with_rejected["import_id"] == args.import_id, "n_rejected"].iloc[0])
    finally:
        con.close()
    left_out = left_out_note(n_rejected - (mend.n_rows if mend else 0), n_rejected)
    if mend is None:
        print(f"error: import {args.import_id}: {left_out}", file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else Path.cwd() / mend.name
    path = out / mend.name if out.is_dir() else out
    try:
        path.write_bytes(mend.content)
    except OSError as exc:
        print(f"error: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"{path}: {counted(mend.n_rows, 'row')} as the file had them; correct them, then import it again with the "
          f"same preset, source and time zone: {import_command(mend, path, args.db)}"
          + ("" if mend.timezone else " (and --timezone, if the original import had one)"))
    if left_out:
        print(f"  {left_out}")
    return 0


# Where the running dashboard does what a command does, for when the dashboard holds the database.
WHILE_THE_DASHBOARD_RUNS = {
    "import": "files can also be imported from the dashboard's Data & definitions page while it runs",
    "status": "the dashboard's Data & definitions page shows what the database holds",
    "rejected": "the dashboard's Data & definitions page, Rejected rows tab, downloads one file's rejected rows",
    "remove": "a source can also be removed on the dashboard's Data & definitions page, under Remove a source",
    "report": "the Weekly overview page's PDF, HTML and Markdown buttons download the same report",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m servicelevel", description=__doc__)
    db_help = f"database file (default: ${store.DB_ENV_VAR} or {store.DEFAULT_DB_PATH})"
    parser.add_argument("--db", help=db_help)
    # --db is also accepted after the command; there it is only set when given.
    with_db = argparse.ArgumentParser(add_help=False)
    with_db.add_argument("--db", help=db_help, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)
    command = partial(commands.add_parser, parents=[with_db])

    p = command("import", help="import export files (CSV, TSV, XLSX)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--preset", help="preset name or .toml path (default: the preset whose headers fit, else auto-detect)")
    p.add_argument("--source", help="source label (default: the preset's)")
    p.add_argument("--timezone", help="IANA time zone of timestamps without an offset (default: the preset's)")
    p.add_argument("--force", action="store_true", help="import a file again even if these exact bytes were imported before")
    p.add_argument("--request-source", help="for survey files: the source of the requests answered")
    p.set_defaults(run=cmd_import)

    p = command("detect", help="show the mapping auto-detection proposes for a file")
    p.add_argument("path")
    p.add_argument("--save", metavar="NAME", help="save the proposal as data/presets/NAME.toml")
    p.set_defaults(run=cmd_detect)

    p = command("sample", help="build the bundled sample into the database")
    p.set_defaults(run=cmd_sample)

    p = command("status", help="what the database holds")
    p.set_defaults(run=cmd_status)

    p = command("rejected", help="one import's rejected rows as a file to correct and import again",
                description="Without IMPORT_ID, list the imports with rejected rows. With it, write the rows of "
                "that import which broke a rule as the file had them (its columns, delimiter and encoding).")
    p.add_argument("import_id", nargs="?", type=int, metavar="IMPORT_ID")
    p.add_argument("--out", metavar="PATH",
                   help="file or existing folder to write (default: FILE-rejected-rows.csv in the current folder)")
    p.set_defaults(run=cmd_rejected)

    p = command("remove", help="take a source out of the database (all it imported)",
                description="Remove everything one source brought in: requests, status events, "
                "survey answers and rejected rows; its imports stay in the log, marked removed. "
                "Without --yes, only says what it would remove.")
    p.add_argument("source")
    p.add_argument("--yes", action="store_true", help="remove them (without it, nothing changes)")
    p.set_defaults(run=cmd_remove)

    p = command("presets", help="list the import presets")
    p.set_defaults(run=cmd_presets)

    p = command("policies", help="check the SLA policies file and list its policies and calendars")
    p.add_argument("--file", metavar="PATH", help=f"a policies file (default: {policy_lib.POLICIES_PATH})")
    p.set_defaults(run=cmd_policies)

    p = command(
        "report", help="write the weekly report (HTML, PDF or Markdown) for a week and filters",
        description="Write the weekly report: the overview page's numbers for one ISO week and the "
        "filters given, as one document to forward. Prints the path written.",
    )
    p.add_argument("--week", metavar="YYYY-Www", help="ISO week, e.g. 2026-W46 (default: the last complete week of the data)")
    p.add_argument("--format", choices=("html", "pdf", "md"),
                   help="html (inline images and styles), pdf or md (Markdown for chat tools); default: from --out's "
                   "suffix, else html")
    p.add_argument("--out", metavar="PATH",
                   help="file or folder to write to (default: weekly-report-<week>[-<department>].<format> in the "
                   "current folder)")
    p.add_argument("--dept", action="append", default=[], metavar="DEPARTMENT",
                   help="provider department (repeatable): a department report")
    p.add_argument("--requester", choices=("internal", "external"), type=str.lower,
                   help="internal or external requesters only")
    p.add_argument("--requester-dept", action="append", default=[], metavar="DEPARTMENT",
                   help="requester department of internal customers (repeatable)")
    p.add_argument("--provider-type", action="append", default=[], metavar="TYPE",
                   help="in_house, third_party or independent (repeatable)")
    p.add_argument("--priority", action="append", default=[], metavar="PRIORITY", help="repeatable")
    p.add_argument("--channel", action="append", default=[], metavar="CHANNEL", help="repeatable")
    p.add_argument("--dashboard-url", metavar="URL",
                   help="the dashboard's address, e.g. https://service-levels.example.org/: departments and requests "
                   "in the report link to it (default: dashboard_url in data/organisation.toml; without one, no links)")
    p.set_defaults(run=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except store.DatabaseInUse as exc:
        hint = WHILE_THE_DASHBOARD_RUNS.get(args.command)
        print(f"error: {exc}" + (f" ({hint})" if hint else ""), file=sys.stderr)
        return 1
    except (store.StoreError, PresetError, ExportError, policy_lib.PolicyError, ThemeError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BaseException as exc:
        if not store.is_interruption(exc):
            raise
        told = exc.args[0] if isinstance(exc, KeyboardInterrupt) and exc.args else ""
        print(f"interrupted{': ' + told if told else ''}", file=sys.stderr)
        return 130
