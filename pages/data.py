"""Data & definitions: what the numbers rest on, how they are defined, and imports."""

import pandas as pd
import streamlit as st

from servicelevel.datainfo import lagging_sources
from servicelevel.definitions import METRICS
from servicelevel.fields import WITHOUT_FIELD
from servicelevel.ingest import OUTCOME_MEANINGS
from servicelevel.settings import organisation
from servicelevel.ui import frame, policies_view, upload
from servicelevel.ui.data import info, run_query
from servicelevel.ui.remove_panel import remove_panel
from servicelevel.ui.widgets import as_typed, csv_of, table
from servicelevel.wording import reason_words

frame.routed_by_dashboard()
frame.filters_not_used_here()
st.title("Data & definitions")

sources_tab, imports_tab, rejected_tab, upload_tab, policies_tab, metrics_tab = st.tabs(
    ["Sources", "Import history", "Rejected rows", "Import a file", "SLA policies", "Metric definitions"]
)

with sources_tab:
    sources = run_query("sources", {})
    if sources.empty:
        st.info("No requests loaded yet: import an export in the **Import a file** tab.")
    else:
        st.subheader("Sources and freshness")
        table(sources, "sources", caption="newest at: the newest timestamp in a source's data, i.e. how fresh it is.")
        lagging = lagging_sources(sources, info().data_as_of, organisation().zone)
        if lagging:
            st.warning(as_typed(lagging))
        surveys = run_query("survey_sources", {})
        if not surveys.empty:
            table(surveys, "survey-sources",
                  caption="Survey answers per survey source. newest at: its newest answer, i.e. how fresh the CSAT "
                  "numbers are; linked: answers whose request is loaded (the others wait for it).")
        lacking = run_query("source_fields", {})
        st.subheader("Fields each source lacks")
        if lacking.empty:
            st.caption("Every source provides every field.")
        else:
            table(lacking.assign(without_it=lacking["field"].map(WITHOUT_FIELD)), "source-missing-fields",
                  column_config={"field": st.column_config.TextColumn("field it has no column for"),
                                 "without_it": st.column_config.TextColumn("what the pages do without it")},
                  caption="Charts that need one of these fields say so instead of showing zeros.", wrapped=True)
    with st.expander("Remove a source"):
        remove_panel()

with imports_tab:
    history = run_query("import_history", {})
    if history.empty:
        st.info("No imports yet.")
    else:
        st.caption("Every row of every file is accounted for: read = inserted + updated + unchanged + superseded + "
                   f"rejected. Superseded rows are {OUTCOME_MEANINGS['superseded']}. Further right: the notes of "
                   "each import's report, then its file's source, kind, preset, encoding, delimiter and time zone.")
        table(history, "import-history")

with rejected_tab:
    rejected = run_query("rejected_rows", {"import_id": 0})
    if rejected.empty:
        st.success("No rejected rows in the latest import of any file.")
    else:
        files = rejected.drop_duplicates("import_id")
        if len(files) > 1:
            import_ids = {f"All {len(files)} files": 0} | {
                f"{r.file_name} (import #{r.import_id}, source {r.source})": int(r.import_id)
                for r in files.itertuples(index=False)}
            chosen = import_ids[st.selectbox("File", list(import_ids), key="rejected_file")]
            if chosen:
                rejected = run_query("rejected_rows", {"import_id": chosen})
        # Reason codes read as words ("missing request id"); the detail column says the rest.
        rejected = rejected.assign(reason=rejected["reason"].map(reason_words))
        by_reason = (rejected.groupby(["file_name", "reason"]).size().reset_index(name="rows")
                     .sort_values(["file_name", "rows"], ascending=[True, False]))
        # One file's rows download under a name of their own, not the same as all files' rows.
        one_file = f"-import-{int(rejected['import_id'].iloc[0])}" if rejected["import_id"].nunique() == 1 else ""
        table(by_reason, f"rejected-rows-by-reason{one_file}")
        table(rejected, f"rejected-rows{one_file}",
              caption="line: the row's number as a spreadsheet shows it (the header is line 1).")
        if rejected["import_id"].nunique() == 1:
            upload.rejected_rows_download(int(rejected["import_id"].iloc[0]), n_listed=len(rejected))
        else:
            st.caption("Choose one file above to download its rejected rows as a file to correct and import again.")

with upload_tab:
    upload.import_panel()

with policies_tab:
    policies_view.render()

with metrics_tab:
    st.caption("One definition per number, used on every page and in the weekly report.")
    # Prose, not a table: a definition runs to several lines, which a table cell cuts to one.
    st.markdown("\n".join(f"- **{m.name}**: {m.definition}" for m in METRICS))
    st.download_button("Download CSV", csv_of(pd.DataFrame([(m.name, m.definition) for m in METRICS],
                                                           columns=["metric", "definition"])),
                       file_name="metric-definitions.csv", mime="text/csv", icon=":material/download:")
