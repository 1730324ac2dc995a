"""Altair chart specifications shared by the pages and the weekly report.

Every chart has a title that says what it shows, tooltips, and the same colours for the same
things everywhere: internal/external customers, met/breached/running.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

SEGMENT_COLORS = {"all": "#54585A", "internal": "#4C78A8", "external": "#F58518"}
STATE_COLORS = {"met": "#54A24B", "breached": "#E45756", "running": "#9D9D9D", "n/a": "#D3D3D3"}
GOAL_COLOR = "#333333"
WIDTH = "container"


def segment_scale(segments) -> alt.Scale:
    """Colour scale for the requester segments present."""
    present = [s for s in SEGMENT_COLORS if s in set(segments)]
    return alt.Scale(domain=present, range=[SEGMENT_COLORS[s] for s in present])


def trend_chart(
    frame: pd.DataFrame,
    value: str,
    title: str,
    value_title: str,
    value_format: str = ",.0f",
    goal: float | None = None,
    as_percent: bool = False,
) -> alt.LayerChart | alt.Chart:
    """Weekly lines per segment (internal/external/all) with the goal as a dashed rule."""
    axis_format = ".0%" if as_percent else value_format
    base = alt.Chart(frame).encode(
        x=alt.X("week_start:T", title="ISO week (starting Monday)", axis=alt.Axis(format="%d %b")),
        y=alt.Y(f"{value}:Q", title=value_title, axis=alt.Axis(format=axis_format)),
        color=alt.Color("segment:N", title="Requesters", scale=segment_scale(frame["segment"])),
        tooltip=[
            alt.Tooltip("week_start:T", title="Week of", format="%d %b %Y"),
            alt.Tooltip("segment:N", title="Requesters"),
            alt.Tooltip(f"{value}:Q", title=value_title, format=axis_format),
        ],
    )
    lines = base.mark_line(point=True)
    if goal is None:
        return lines.properties(title=title, width=WIDTH, height=220)
    rule = (
        alt.Chart(pd.DataFrame({"goal": [goal]}))
        .mark_rule(strokeDash=[6, 4], color=GOAL_COLOR)
        .encode(y="goal:Q", tooltip=[alt.Tooltip("goal:Q", title="Goal", format=axis_format)])
    )
    return alt.layer(lines, rule).properties(title=f"{title} (dashed: goal)", width=WIDTH, height=220)


def goal_heatmap(
    frame: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    count: str,
    goal: float,
    title: str,
    x_title: str,
    y_title: str,
) -> alt.LayerChart:
    """Cells coloured against the goal: red below, green at or above; the count in each cell."""
    low = max(0.0, goal - 0.3)
    base = alt.Chart(frame).encode(
        x=alt.X(f"{x}:N", title=x_title, sort=None),
        y=alt.Y(f"{y}:N", title=y_title, sort=None),
        tooltip=[
            alt.Tooltip(f"{y}:N", title=y_title),
            alt.Tooltip(f"{x}:N", title=x_title),
            alt.Tooltip(f"{value}:Q", title="Adherence", format=".1%"),
            alt.Tooltip(f"{count}:Q", title="Decided targets", format=","),
        ],
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            f"{value}:Q",
            title="Adherence",
            scale=alt.Scale(domain=[low, goal, 1.0], range=["#E45756", "#F2CF5B", "#54A24B"], clamp=True),
            legend=alt.Legend(format=".0%"),
        )
    )
    labels = base.mark_text(fontSize=11).encode(
        text=alt.Text(f"{value}:Q", format=".0%"),
        color=alt.value("black"),
    )
    return alt.layer(cells, labels).properties(
        title=f"{title} (goal {goal:.0%}: green at or above, red well below)", width=WIDTH
    )


def duration_histogram(
    bins: pd.DataFrame, title: str, clock_label: str, bin_hours: float, target_hours: float | None = None
) -> alt.LayerChart | alt.Chart:
    """Pre-binned durations (from duration_histogram.sql) in hours, with the target marked."""
    frame = bins.assign(
        bin_end=bins["bin_end_hours"].fillna(bins["bin_start_hours"] + bin_hours),
        label=[
            f"{a:g}–{b:g} h" if pd.notna(b) else f"{a:g} h and over"
            for a, b in zip(bins["bin_start_hours"], bins["bin_end_hours"])
        ],
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(color=SEGMENT_COLORS["internal"], opacity=0.85)
        .encode(
            x=alt.X("bin_start_hours:Q", title=f"Hours ({clock_label}); the last bar holds everything longer"),
            x2="bin_end:Q",
            y=alt.Y("n_requests:Q", title="Requests"),
            tooltip=[alt.Tooltip("label:N", title="Duration"), alt.Tooltip("n_requests:Q", title="Requests", format=",")],
        )
    )
    if target_hours is None:
        return bars.properties(title=title, width=WIDTH, height=240)
    rule = (
        alt.Chart(pd.DataFrame({"target": [target_hours]}))
        .mark_rule(color=STATE_COLORS["breached"], strokeDash=[6, 4], size=2)
        .encode(x="target:Q", tooltip=[alt.Tooltip("target:Q", title="Target (h)", format=".1f")])
    )
    return alt.layer(bars, rule).properties(title=f"{title} (red line: the most common target)", width=WIDTH, height=240)


def state_bars(frame: pd.DataFrame, category: str, title: str, category_title: str) -> alt.Chart:
    """Stacked met/breached counts per category."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(f"{category}:N", title=category_title, sort="-x"),
            x=alt.X("n:Q", title="Targets decided", stack="zero"),
            color=alt.Color(
                "state:N",
                title="Outcome",
                scale=alt.Scale(domain=["met", "breached"], range=[STATE_COLORS["met"], STATE_COLORS["breached"]]),
            ),
            tooltip=[alt.Tooltip(f"{category}:N", title=category_title), "state:N", alt.Tooltip("n:Q", format=",")],
        )
        .properties(title=title, width=WIDTH)
    )
