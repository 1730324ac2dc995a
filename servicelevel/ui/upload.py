"""Import from the browser: upload an export, choose or detect the mapping, see the report."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from servicelevel import presets as preset_lib
from servicelevel.detect import no_preset_fits, propose_preset
from servicelevel.exports import ExportError, open_export
from servicelevel.ingest import (
    OUTCOME_MEANINGS, EarlierImport, ImportFailed, ImportReport, earlier_import_of, import_file, source_timezone,
    swallowed_note,
)
from servicelevel.mapping import MappingError, build_staging
from servicelevel.presets import Preset
from servicelevel.rejected import file_to_mend, left_out_note
from servicelevel.sample import sample_sources_held
from servicelevel.settings import organisation
from servicelevel.ui import data
from servicelevel.ui.widgets import as_typed, local_time, table
from servicelevel.wording import counted, reason_words

AUTO = "(automatic: the preset whose headers fit, else detect)"


def _save_upload(uploaded) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="servicelevel-upload-"))
    path = folder / Path(uploaded.name).name
    path.write_bytes(uploaded.getvalue())
    return path


def _preview(path: Path, preset_name: str, source_label: str, zone: str) -> Preset | None:
    """Say which preset will be used, or what auto-detection proposes, the source the rows will
    be filed under and the time zone read; return that mapping, or None when the file cannot be
    imported as it is (so the Import button stays off)."""
    try:
        with open_export(path) as export:
            for note in export.notes:  # e.g. a workbook's sheets left unread
                st.warning(f"Note: {note}.")
            if preset_name != AUTO:
                st.caption(f"{len(export.headers)} columns · {export.encoding} · delimiter {export.delimiter!r}")
                # The preset's required columns, checked before anything is read.
                chosen = preset_lib.get_preset(preset_name)
                build_staging(chosen, export.headers, path.name)
                _filed_under(chosen, source_label or chosen.source, bool(source_label))
                _read_in_zone(chosen.timezone, zone, source_label or chosen.source)
                return chosen
            presets = preset_lib.available_presets()
            matched = preset_lib.match_preset(export.headers, presets)
            if matched is not None:
                st.success(f"Recognised as **{matched.title}** (preset `{matched.name}`).")
                _filed_under(matched, source_label or matched.source, bool(source_label))
                _read_in_zone(matched.timezone, zone, source_label or matched.source)
                return matched
            proposal = propose_preset(export)
            near = preset_lib.closest_preset_note(export.headers, presets)
    except (ExportError, preset_lib.PresetError, MappingError) as exc:
        st.error(str(exc))
        return None
    # A first line read as one column (notes, a report, a PDF saved as text) is no export to map:
    # neither the vocabulary's headers nor the detected mapping's lines would help.
    one_column = len(export.headers) == 1
    if proposal.preset is None:
        advice = "" if one_column else f" {_how_to_map(proposal.missing_required)}"
        st.error(f"{path.name}: {no_preset_fits(export.headers, presets, proposal)}{advice}")
    else:
        st.warning(" ".join(filter(None, ["No preset fits this file.", near,
                                          "The importer will use this detected mapping:"])))
    if proposal.preset is not None or not one_column:
        st.code("\n".join(proposal.lines()), language=None, wrap_lines=True)
    if proposal.preset is not None:
        _filed_under(proposal.preset, source_label or proposal.preset.source, bool(source_label))
        # The mapping above names its own zone: said again only where another is read.
        _read_in_zone(proposal.preset.timezone, zone, source_label or proposal.preset.source, said_as_mapped=True)
    return proposal.preset


def _surveyed_source(preset: Preset) -> str | None:
    """For a survey export, which source's requests its answers are about: by default the preset's
    request_source, else the source holding each id; a choice where ids could collide (two
    helpdesks numbering tickets alike). None: the default."""
    held = list(data.run_query("sources", {})["source"])
    default = (f"as the preset says: {preset.request_source}" if preset.request_source else
               "the source holding each request id (an id held by several is left unlinked)")
    choice = st.selectbox("Surveyed requests' source", [default, *held], key="upload_request_source",
                          help="The answers link to requests of this source. Importing the survey again with "
                               "another choice moves its answers, rather than adding them twice.")
    return None if choice == default else choice


def _how_to_map(missing: list[str]) -> str:
    """What a user can do about a file no mapping fits, from the browser's side of it."""
    lists = " and ".join(f"`{name}`" for name in missing)
    return (f"To import it, add the header of each such column to the {lists} "
            f"{'list' if len(missing) == 1 else 'lists'} under `[headers]` in `data/vocabulary.toml`, then add the "
            "file again; or choose a preset above, or write one for this format (README, \"Import presets\").")


def _read_in_zone(mapped: str, typed: str, source: str, said_as_mapped: bool = False) -> None:
    """The zone a wall-clock time is read in, as import_file picks it: the one typed, else the one
    the source's earlier imports used, else the mapping's (`mapped`). A whole export read in the
    wrong one lands hours off, so a typed zone that differs from the source's earlier one is a
    warning."""
    cur = data.cursor()
    try:
        earlier = source_timezone(cur, source)
    finally:
        cur.close()
    box = "the time zone box above sets another"
    if typed:
        st.caption(f"Times without a UTC offset are read as **{typed}** time (as typed above).")
        if earlier is not None and earlier != typed:
            st.warning(f"Earlier imports of source {as_typed(source)} read times in {earlier}: read in {typed}, a "
                       "request in both exports moves by the difference between the two zones.")
    elif earlier is not None and earlier != mapped:
        st.caption(f"Times without a UTC offset are read as **{earlier}** time (as this source's earlier "
                   f"imports; {box}).")
    elif not said_as_mapped:
        st.caption(f"Times without a UTC offset are read as **{mapped}** time (the preset's zone; {box}).")


def _filed_under(mapping: Preset, source: str, typed: bool) -> None:
    """The source the rows will land in, before Import. Requests are matched by id within a
    source, and survey answers by request id and time within a survey source, so a later export
    of the same rows filed under another name (a detected mapping names the source after the
    file) would count them twice. A status history belongs to its requests' source."""
    survey = mapping.kind == "feedback"
    kind, rows = ("survey source", "answers") if survey else ("source", "requests")
    held = list(data.run_query("survey_sources", {})["survey_source"] if survey
                else data.run_query("sources", {})["source"])
    listed = f" ({kind}s held now: {', '.join(map(as_typed, held))})." if held else "."
    if mapping.kind == "events":
        said = ("whose requests its status changes are matched to by id." if source in held else
                "which holds no request yet: its status changes count once requests arrive under it. Type the "
                f"source of their requests as the Source label above{listed}")
    elif source in held:
        said = f"which holds {rows} already: one stored there is updated, not added again."
    else:
        said = (f"a new {kind}. If this export holds {rows} already imported under another {kind}, type that "
                f"name as the Source label above, or they count twice{listed}")
    st.caption(f"Filed under {kind} **{as_typed(source)}**{' (as typed above)' if typed else ''}, {said}")


def report_frame(report: ImportReport) -> pd.DataFrame:
    """The accounting of one import as a table: each word, its count and what it means."""
    counts = {
        "read": report.n_read,
        "inserted": report.n_inserted,
        "updated": report.n_updated,
        "unchanged": report.n_unchanged,
        "superseded": report.n_superseded,
        "rejected": report.n_rejected,
    }
    rows = [(word, n, OUTCOME_MEANINGS[word]) for word, n in counts.items()]
    # Each reason in the meaning column, where a long code is not cut to "rejected: unp…".
    rows += [("rejected for", n, reason_words(reason)) for reason, n in sorted(report.rejected_by_reason.items())]
    return pd.DataFrame(rows, columns=["rows", "count", "meaning"])


# Session key of the last import's report, shown while its file stays in the uploader.
LAST_IMPORT = "_last_import"


def _sample_mix_warning() -> None:
    """Real exports named like the sample's sources would land in them, unnoticed."""
    held = set(data.run_query("sources", {})["source"]) | set(data.run_query("survey_sources", {})["survey_source"])
    sample = sample_sources_held(data.cursor(), held)
    if sample:
        st.warning(
            f"This database holds the bundled sample (sources {', '.join(sample)}). A file imported here is mixed "
            "with it: a real Jira export, for one, lands in the sample's `jira` source. To see your own data alone, "
            "import it into a database of its own (README: \"Your own data instead of the sample\"), or first "
            "take out the sample's sources under \"Remove a source\" in the Sources tab."
        )


def import_panel() -> None:
    """The upload form; on success the other pages show the new data right away."""
    _sample_mix_warning()
    uploaded = st.file_uploader(
        "Export file (CSV, TSV or XLSX)", type=["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods"], key="upload"
    )
    presets = preset_lib.available_presets()
    # Titled by the tool each preset reads, which is what the person holding an export knows.
    preset_name = st.selectbox("Preset", [AUTO] + list(presets), key="upload_preset",
                               format_func=lambda name: f"{presets[name].title} · {name}" if name in presets else name)
    left, right = st.columns(2)
    source = left.text_input("Source label (optional)", key="upload_source",
                             help="Defaults to the preset's source name, e.g. 'zendesk' (a detected mapping's: the "
                                  "file's name); the preview below the file says which.")
    zone = right.text_input(
        "Time zone of timestamps without an offset (optional)", key="upload_tz",
        help="An IANA name such as America/Sao_Paulo; defaults to the preset's.",
    )
    zone_known = not zone.strip() or preset_lib.is_time_zone(zone.strip())
    if not zone_known:
        right.error(f"'{zone.strip()}' is not an IANA time zone (such as Europe/Lisbon or America/Sao_Paulo).")
    if uploaded is None:
        st.caption("Nothing is written until you press Import. A file that fails leaves the database as it was.")
        return
    last = st.session_state.get(LAST_IMPORT)
    if last is not None and last["file_id"] == uploaded.file_id:
        # Imported already: its outcome, not a second preview and Import button under it.
        _show_outcome(uploaded.name, last)
        st.caption("Drop another file above to import it. To import this one again (say, with another preset), "
                   "take it out of the uploader and add it again.")
        return
    path = _save_upload(uploaded)
    try:
        mapping = _preview(path, preset_name, source.strip(), zone.strip() if zone_known else "")
        importable = mapping is not None and zone_known
        request_source = _surveyed_source(mapping) if importable and mapping.kind == "feedback" else None
        earlier = (_earlier_import(path, preset_name, source.strip(), zone.strip(), request_source)
                   if importable else None)
        if earlier is not None:
            st.info(f"{_imported_before(uploaded.name, earlier)} Importing it again would change nothing, so Import "
                    "is off. To read it with another preset or time zone, choose that above.")
        if not st.button("Import", type="primary", key="upload_go", disabled=not importable or earlier is not None):
            return
        bar = st.progress(0.0, text="reading…")
        try:
            report = import_file(
                data.cursor(),
                path,
                preset=None if preset_name == AUTO else preset_name,
                source=source.strip() or None,
                timezone_name=zone.strip() or None,
                request_source=request_source,
                progress=lambda stage, fraction: bar.progress(fraction, text=f"{stage}…"),
            )
        except (ImportFailed, preset_lib.PresetError) as exc:
            bar.empty()
            st.error(f"Import failed, nothing was changed: {exc}")
            return
        bar.empty()
        with st.spinner("Recomputing SLA states and the pages' tables…", show_time=True):
            data.recompute_after_change()
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    # Run the page again, so that the tabs drawn before this one (sources, history, rejected
    # rows) show the import too; the report is kept for this file and shown at the top.
    st.session_state[LAST_IMPORT] = {
        "file_id": uploaded.file_id,
        "import_id": report.import_id,
        "lines": "\n".join(report.lines(in_browser=True)),
        "n_read": report.n_read,
        "n_rejected": report.n_rejected,
        "identical_to": report.identical_to,
        "swallowed_lines": report.swallowed_lines,
        "span": _written_span(report),
        "older_export": _older_export_said(report),
        "accounting": report_frame(report),
    }
    st.rerun()


def _earlier_import(path: Path, preset_name: str, source: str, zone: str,
                    request_source: str | None) -> EarlierImport | None:
    """The import this file would be skipped as a repeat of, with the form's settings."""
    cur = data.cursor()
    try:
        return earlier_import_of(cur, path, preset=None if preset_name == AUTO else preset_name,
                                 source=source or None, timezone_name=zone or None, request_source=request_source)
    finally:
        cur.close()


def _imported_before(name: str, earlier: EarlierImport) -> str:
    # Named by the earlier file: the same bytes under a new name (a second download) are no news.
    return (f"{as_typed(name)} was imported before: the same bytes, source and mapping as import "
            f"#{earlier.import_id}, {as_typed(earlier.file_name)}, on {local_time(earlier.started_at)}.")


def _written_span(report: ImportReport) -> str:
    """', whose requests were created from 04 Mar 2024 to 06 Mar 2024' (answers submitted, for a
    survey): the weeks to pick to see what an import wrote, which may lie before the week every
    page opens on. '' when it wrote none."""
    first, last = data.run_query("import_span", {"import_id": report.import_id}).iloc[0]
    if first is None or pd.isna(first):
        return ""
    first_day, last_day = (f"{at.astimezone(organisation().zone):%d %b %Y}" for at in (first, last))
    when = f"on {first_day}" if first_day == last_day else f"from {first_day} to {last_day}"
    return f", whose {'answers were submitted' if report.kind == 'feedback' else 'requests were created'} {when}"


def _older_export_said(report: ImportReport) -> str:
    """' This file's data ends on 06 Mar 2024, 989 days before …' when the import's data ends well
    before the data stored (ingest.OlderExport), else ''."""
    if report.older_export is None:
        return ""
    said = report.older_export.said(organisation().zone, "%d %b %Y")
    return f" {said[0].upper()}{said[1:]}."


def _show_outcome(name: str, last: dict) -> None:
    """The last import of the file in the uploader: skipped as a repeat, or its report, flagged
    when rows were rejected."""
    if last["identical_to"] is not None:
        st.info(f"{_imported_before(name, last['identical_to'])} Nothing changed: every page already includes it.")
        return
    name = as_typed(name)  # a file's name, in messages rendered as Markdown
    outcome = f"Imported {name}: see the report below. Every page and tab now includes it{last['span']}."
    if not last["n_read"]:
        st.warning(f"{name} holds no rows under its header line: nothing was imported.")
    elif last["n_rejected"] == last["n_read"]:
        # Most often one setting wrong for the whole file (a timestamp format, the delimiter).
        st.error(f"Every row of {name} was rejected: nothing of it was stored. The first reason below is most "
                 "often the whole file's: a timestamp format or a delimiter the mapping does not expect. The "
                 "Rejected rows tab lists every row.")
    elif last["n_rejected"]:
        were = "was" if last["n_rejected"] == 1 else "were"
        swallowed = ""
        if last["swallowed_lines"]:  # part of a rejected record, not rows: in no count
            swallowed = f", and {swallowed_note(last['swallowed_lines'])} (fix the quote and import the file again)"
        st.warning(f"{outcome} {last['n_rejected']:,} of its {last['n_read']:,} rows {were} rejected{swallowed}: the "
                   f"report gives each reason, and the Rejected rows tab every row.{last['older_export']}")
    elif last["older_export"]:
        st.warning(outcome + last["older_export"])
    else:
        st.success(outcome)
    st.code(last["lines"], language=None, wrap_lines=True)
    # Every count at once: past ten rows (six counts and the reasons) a table would scroll them away.
    table(last["accounting"], f"import-report-{last['import_id']}", height="content")


def rejected_rows_download(import_id: int, n_listed: int) -> None:
    """One import's rejected rows (n_listed of them) as a file to correct and import again
    (servicelevel.rejected)."""
    cur = data.cursor()
    try:
        mend = file_to_mend(cur, import_id)
    finally:
        cur.close()
    left_out = left_out_note(n_listed - (mend.n_rows if mend else 0), n_listed)
    if mend is None:
        st.caption(f"None of these rows goes into a file to correct and import again. {left_out}".rstrip())
        return
    preset = f"preset `{mend.preset}`" if mend.preset_is_named else "the automatic choice of preset"
    zone = f"time zone `{mend.timezone}`" if mend.timezone else "the time zone the original was imported with"
    st.download_button(f"Download the {counted(mend.n_rows, 'row')} to correct", mend.content, file_name=mend.name,
                       mime="text/csv", icon=":material/download:", key=f"mend_{import_id}")
    st.caption(f"As the file had them: its columns, delimiter and encoding. Correct them (a spreadsheet will do), "
               f"then import the file under **Import a file** with {preset}, source label `{mend.source}` and "
               f"{zone}: they are then counted like any other row. {left_out}".rstrip())
