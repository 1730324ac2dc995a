"""Small Streamlit building blocks used by every page: KPI tiles, tables with downloads, empty states."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st

from servicelevel.kpis import Tile
from servicelevel.ui.data import run_query
from servicelevel.filters import Selection


def kpi_tiles(tiles: list[Tile], per_row: int = 4) -> None:
    """A grid of tiles: value, week-on-week change, goal, the count behind it, a sparkline."""
    for start in range(0, len(tiles), per_row):
        columns = st.columns(per_row)
        for column, tile in zip(columns, tiles[start:start + per_row]):
            with column:
                series = [v for v in tile.series if v is not None]
                st.metric(
                    tile.label,
                    tile.format_value(),
                    delta=tile.format_delta(),
                    delta_color="normal" if tile.higher_is_better else "inverse",
                    delta_description="vs previous week",
                    help=tile.help,
                    border=True,
                    chart_data=series if len(series) > 1 else None,
                    chart_type="line",
                )
                caption = tile.caption()
                if caption:
                    st.caption(caption)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def table(
    frame: pd.DataFrame,
    name: str,
    *,
    column_config: dict | None = None,
    caption: str | None = None,
    height: int | str = "auto",
) -> None:
    """A table with a CSV download of exactly what is shown."""
    st.dataframe(frame, hide_index=True, column_config=column_config, width="stretch", height=height)
    cols = st.columns([1, 3])
    cols[0].download_button(
        "Download CSV",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{slug(name)}.csv",
        mime="text/csv",
        key=f"download-{slug(name)}",
        icon=":material/download:",
    )
    if caption:
        cols[1].caption(caption)


def chart(spec: alt.TopLevelMixin) -> None:
    """An Altair chart at the container's width."""
    st.altair_chart(spec, width="stretch")


def explain_empty(selection: Selection, what: str) -> None:
    """Say why there is nothing to show: no data in the period, or the filters exclude it all."""
    counts = run_query("period_counts", selection.params()).iloc[0]
    if counts["n_in_period"] == 0:
        st.info(f"No {what}: no requests were created in {selection.period.label()}. Pick another week or range.")
    elif counts["n_filtered"] == 0:
        st.info(
            f"No {what}: the filters ({selection.filters.describe()}) exclude all "
            f"{int(counts['n_in_period']):,} requests of {selection.period.label()}. Widen the filters in the sidebar."
        )
    else:
        st.info(f"No {what} for {selection.filters.describe()} in {selection.period.label()}.")


def lacking_note(lacking: dict[str, list[str]], field: str, meaning: str) -> None:
    """A caption naming the sources that lack a field a chart needs (instead of a chart of zeros)."""
    sources = lacking.get(field, [])
    if sources:
        st.caption(f"Not shown for {', '.join(sources)}: {'this source has' if len(sources) == 1 else 'these sources have'} no {meaning}.")
