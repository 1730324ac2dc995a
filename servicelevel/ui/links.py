"""Links from tables to the request page (drill-down to the request ids)."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

LINK_COLUMN = {
    "request": st.column_config.LinkColumn(
        "request", display_text=r"id=([^&]*)", help="Open the request's timeline and SLA details"
    )
}


def request_url(source: str, request_id: str) -> str:
    """The request page's URL for one request."""
    return "request?" + urlencode({"source": source, "id": request_id})


def with_request_links(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a first column 'request' linking each row's (source, request_id)."""
    out = frame.copy()
    out.insert(0, "request", [request_url(s, r) for s, r in zip(out["source"], out["request_id"])])
    return out
