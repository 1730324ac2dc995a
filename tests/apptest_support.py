"""Running the dashboard in AppTest: one run of a page that must end without an exception or an
error element, and reading back the charts it drew."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest


def rendered(at: AppTest, page: str | None = None) -> AppTest:
    """Run `at` (switched to `page` when given) and fail on any exception or st.error."""
    if page:
        if not at._tree:  # AppTest learns st.navigation's pages on a first run
            at.run()
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def chart_title(spec: dict) -> str:
    """A chart's title, with its subtitle where it has one."""
    title = spec.get("title", "")
    if isinstance(title, dict):
        subtitle = title.get("subtitle", "")
        # A subtitle in several lines reads as one, its keys joined as on a single line; the blank
        # lines that level a chart with its neighbour (charts.levelled) left out.
        subtitle = " · ".join(line for line in subtitle if line.strip()) if isinstance(subtitle, list) else subtitle
        text = title.get("text", "")
        # A half-width chart's title, wrapped, reads as one line; the blank lines that level it left out.
        text = " ".join(line for line in text if line.strip()) if isinstance(text, list) else text
        return f"{text} {subtitle}".strip()
    return title


def chart_data(at: AppTest) -> list[tuple[dict, list[pd.DataFrame]]]:
    """Each Vega-Lite chart on the page: its specification and the data frames it draws
    (Streamlit sends them beside the specification, Arrow-encoded)."""
    out = []
    for chart in at.get("vega_lite_chart"):
        frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]
        out.append((json.loads(chart.proto.spec), frames))
    return out


SAME_TAB_LINK = re.compile(r'<a href="([^"]*)" target="_self">([^<]*)</a>')


def page_links(text: str) -> dict[str, str]:
    """The links to other pages in a caption or Markdown text, each opening in the same tab: their
    text -> their URL, both unescaped."""
    return {html.unescape(label): html.unescape(url) for url, label in SAME_TAB_LINK.findall(text)}
