"""Download buttons for the weekly report of the selection on screen (servicelevel/report.py)."""

from __future__ import annotations

from functools import partial

import duckdb
import streamlit as st

from servicelevel import report
from servicelevel.filters import Selection
from servicelevel.settings import organisation
from servicelevel.ui import data

BUTTONS = (("pdf", "PDF"), ("html", "HTML"), ("md", "Markdown"))


def _generate(con: duckdb.DuckDBPyConnection, selection: Selection, fmt: str, dashboard_url: str | None) -> bytes:
    # Streamlit calls this on its own thread when the button is clicked, outside the script run:
    # so no cached runner here, just a cursor of its own on the shared connection.
    return report.generate(con, selection, organisation(), fmt, dashboard_url)


# The paths the weekly overview, where the buttons are, answers at besides the dashboard's own
# address (dashboard.py): the browser's address less these is the dashboard's.
OVERVIEW_PATHS = ("/overview", "/home")


def dashboard_url() -> str | None:
    """Where the report links back to: organisation.toml's dashboard_url, else the address this
    page is read at, less the overview's own path; None where neither is known (a test run)."""
    if organisation().dashboard_url:
        return organisation().dashboard_url
    url = (st.context.url or "").removesuffix("/")
    for path in OVERVIEW_PATHS:
        url = url.removesuffix(path)
    return url + "/" if url.startswith(("http://", "https://")) else None


def report_buttons(selection: Selection) -> None:
    """One button per format; the report is written only when one is clicked (a PDF takes a moment)."""
    con = data.connection(data.db_path())
    # One row sized to its content: fixed columns cut "HTML" to "HT…" on a 1280-pixel screen.
    row = st.container(horizontal=True, vertical_alignment="center")
    row.markdown("**Weekly report**", width="content",
                 help="The same week and filters as this page, as one document to forward: the tiles, trends, "
                 "departments that slipped, breaches, emerging problems, feedback and what the numbers rest on.")
    for fmt, label in BUTTONS:
        row.download_button(
            label,
            data=partial(_generate, con, selection, fmt, dashboard_url()),
            file_name=report.file_name(selection, fmt),
            mime=report.MIME[fmt],
            key=f"weekly-report-{fmt}",
            icon=":material/download:",
            on_click="ignore",
            width="content",
        )
