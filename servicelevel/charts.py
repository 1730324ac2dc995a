"""Altair chart specifications shared by the pages and the weekly report.

Every chart has a title that says what it shows, tooltips, and the same colours for the same
things everywhere: internal/external customers, met/breached/running.
"""

from __future__ import annotations

import json
import math
import textwrap

import altair as alt
import numpy as np
import pandas as pd

PRIORITY_ORDER = ["urgent", "high", "normal", "low"]
SEGMENT_COLORS = {"all": "#54585A", "internal": "#4C78A8", "external": "#F58518"}
STATE_COLORS = {"met": "#54A24B", "breached": "#E45756", "running": "#9D9D9D", "n/a": "#D3D3D3"}
# Mid grey: goal rules, intervals and labels stay visible on Streamlit's light and dark themes alike.
GOAL_COLOR = "#8A8A8A"
WEEK_TITLE = "ISO week (starting Monday)"
WIDTH = "container"

# What a chart's title, axes and legend take beyond its plot height (pixels), unless the chart
# says otherwise in its usermeta ("frame_px"); a subtitle takes a line more.
CHART_FRAME_PX = 90
SUBTITLE_PX = 16
SUBTITLE_CHARS = 60  # a subtitle line that a half-width chart shows whole at 1280 px
HALF_WIDTH_TITLE_CHARS = 30  # a title line that a half-width chart shows whole at 1024 px
TITLE_LINE_PX = 18
# The requesters' legend under a trend chart's plot, on one line: beside it, it left the plot of a
# half-width chart at 1024 pixels about 150 pixels, and the week labels ran into each other. Untitled,
# as "internal" and "external" say what they are: with its title the line was cut at 1024 pixels.
SEGMENT_LEGEND = {"orient": "bottom", "direction": "horizontal", "title": None}
SEGMENT_LEGEND_PX = 24


def whole_counts(counts) -> alt.Axis:
    """An axis of counts, ticked on whole numbers only: Vega's ticks for a handful of requests fall
    on halves (0, 0.5, 1 reads "0, 1, 1"), which tickMinStep alone does not prevent below 3, so
    small counts get every whole number as a tick."""
    top = pd.Series(counts, dtype="float64").max()
    few = {"values": list(range(int(top) + 1))} if pd.notna(top) and top < 5 else {}
    return alt.Axis(tickMinStep=1, format=",d", **few)


def title_text(spec: alt.TopLevelMixin) -> str:
    """A chart's title as one line of text, its subtitle in brackets (an image's alt text)."""
    text = spec.title.text if isinstance(spec.title, alt.TitleParams) else spec.title
    subtitle = " · ".join(subtitle_of(spec))
    return f"{text} ({subtitle})" if subtitle else str(text)


def segment_scale(segments) -> alt.Scale:
    """Colour scale for the requester segments present."""
    present = [s for s in SEGMENT_COLORS if s in set(segments)]
    return alt.Scale(domain=present, range=[SEGMENT_COLORS[s] for s in present])


WEEK_LABELS = 4  # as many as fit under a half-width chart beside the sidebar at 1024 pixels


def week_axis(week_starts) -> alt.Axis:
    """A time axis ticked on the weeks' Mondays (Vega's own ticks fall on Sundays), at most
    WEEK_LABELS of them counted back from the latest week, which is always labelled. Vega is not
    left to drop labels that collide: it dropped every other one, the latest week's too, and
    charts side by side kept different weeks. Nor to pull the last label inside the plot: it
    then ran into the one before."""
    mondays = sorted({pd.Timestamp(d) for d in week_starts if pd.notna(d)})
    step = max(1, -(-len(mondays) // WEEK_LABELS))
    labelled = mondays[::-1][::step][::-1]
    values = [alt.DateTime(year=d.year, month=d.month, date=d.day) for d in labelled]
    return alt.Axis(format="%d %b", values=values, labelAngle=0, labelOverlap=False,
                    labelFlush=False)


def rate_domain(rates: list[float], min_span: float = 0.05) -> tuple[float, float] | None:
    """A fixed rate axis when the values shown span less than `min_span` (a single week of data):
    on such a narrow axis whole-percent ticks repeated one label. None: let the axis fit itself."""
    if not rates or max(rates) - min(rates) >= min_span:
        return None
    middle = (min(rates) + max(rates)) / 2
    low = min(max(middle - min_span / 2, 0.0), 1.0 - min_span)
    return (low, low + min_span)


def trend_chart(
    frame: pd.DataFrame,
    value: str,
    title: str,
    value_title: str,
    value_format: str = ",.0f",
    goal: float | dict[str, float] | None = None,
    as_percent: bool = False,
    domain: tuple[float, float] | None = None,
    unfinished_week=None,
    trend: pd.DataFrame | None = None,
    rests_on: str = "values",
    counted: tuple[str, int] | None = None,
    note: str = "",
) -> alt.LayerChart | alt.Chart:
    """Weekly lines per segment (internal/external/all) with the goal as a dashed rule: one, or
    one per segment in its colour when `goal` maps segments to goals that differ.

    Rates are not drawn from zero (87 % and 94 % would look alike); `domain` fixes the value
    axis, e.g. so that charts shown side by side share one. `unfinished_week` (a week_start)
    is shaded and labelled "so far": its point counts part of a week, so a drop there is not news.
    `trend` (WeeklyKpis.trend_end_rows) draws the tiles' trend: a grey level across each end's weeks.
    `rests_on` names what the values are counted from ("survey answers"), for the subtitle of a chart
    with none to draw, which would otherwise be a goal line over blank weeks.
    `counted` (a count column, the minimum to trust) draws hollow the points of weeks counting
    fewer, with the count in the tooltip: a weekly rate on 4 survey answers swings without news.
    `note` says what the values are ("answers scoring 4-5"), first in the subtitle.
    """
    axis_format = ".0%" if as_percent else value_format
    goals = _goal_rules(goal)
    trend = trend if trend is not None and len(trend) else None
    if domain is None and as_percent:
        domain = rate_domain([*frame[value].dropna(), *goals["goal"], *([] if trend is None else trend["value"])])
    # Given to every layer: a layer left with the default scale would have its zero joined to the
    # domain fixed here, drawing rates of 86-90 % on an axis from 0.
    scale = alt.Scale(domain=list(domain)) if domain is not None else alt.Scale(zero=not as_percent)
    x_axis = {"title": WEEK_TITLE, "axis": week_axis(frame["week_start"])}
    with_legend = frame["segment"].nunique() > 1  # one line (one requester type, or all) needs none
    base = alt.Chart(frame).encode(
        x=alt.X("week_start:T", **x_axis),
        y=alt.Y(f"{value}:Q", title=value_title, scale=scale,
                axis=whole_counts(frame[value]) if axis_format == ",.0f" else alt.Axis(format=axis_format)),
        color=alt.Color("segment:N", title="Requesters", scale=segment_scale(frame["segment"]),
                        legend=alt.Legend(**SEGMENT_LEGEND) if with_legend else None),
        tooltip=[
            alt.Tooltip("week_start:T", title="Week of", format="%d %b %Y"),
            alt.Tooltip("segment:N", title="Requesters"),
            alt.Tooltip(f"{value}:Q", title=value_title, format=axis_format),
            *([alt.Tooltip(f"{counted[0]}:Q", title=rests_on[:1].upper() + rests_on[1:], format=",.0f")]
              if counted else []),
        ],
    )
    few_note = _few_points_note(frame, value, counted, rests_on)
    if few_note:
        column, minimum = counted
        colour = alt.Color("segment:N", scale=segment_scale(frame["segment"]), legend=None)
        points = base.mark_point(filled=True, size=40, strokeWidth=1.5, opacity=1).encode(
            stroke=colour, fill=alt.condition(alt.datum[column] < minimum, alt.value("white"), colour))
        layers = [base.mark_line(), points]
    else:
        layers = [base.mark_line(point=True)]
    goal_note = ""
    if len(goals) == 1:
        layers.append(
            alt.Chart(goals[["goal"]])
            .mark_rule(strokeDash=[6, 4], color=GOAL_COLOR, size=2)
            .encode(y=alt.Y("goal:Q", scale=scale), tooltip=[alt.Tooltip("goal:Q", title="Goal", format=axis_format)])
        )
        # Several segments sharing one goal: said, or one dashed line looks like one goal missing.
        shared = isinstance(goal, dict) and sum(g is not None for g in goal.values()) > 1
        goal_note = f"dashed: goal{', the same for both' if shared else ''}"
    elif len(goals) > 1:
        layers.append(
            alt.Chart(goals)
            .mark_rule(strokeDash=[6, 4], size=2)
            .encode(
                y=alt.Y("goal:Q", scale=scale),
                color=alt.Color("segment:N", scale=segment_scale(frame["segment"])),
                tooltip=[alt.Tooltip("segment:N", title="Requesters"),
                         alt.Tooltip("goal:Q", title="Goal", format=axis_format)],
            )
        )
        goal_note = "dashed: goals, " + _goals_apart(goals)
    keys = [note, f"no {rests_on} in these weeks: nothing to draw" if frame[value].isna().all() else "", goal_note]
    if trend is not None:
        layers.insert(0, _trend_levels(trend, x_axis, value_title, axis_format, scale))  # under the lines
        weeks_each = trend["end"].iloc[0].removeprefix("first ")  # "4 weeks", or "week"
        keys.append(f"grey: trend, first and last {weeks_each}")
    keys.append(few_note)
    layers.extend(unfinished_marks(frame, unfinished_week, x_axis))
    chart = layers[0] if len(layers) == 1 else alt.layer(*layers)
    chart = keyed(chart, title, keys).properties(width=WIDTH, height=220)
    return with_room(chart, SEGMENT_LEGEND_PX) if with_legend else chart


def subtitle_lines(keys: list[str], width: int = SUBTITLE_CHARS) -> list[str]:
    """The keys given (empty ones left out) joined by ' · ' into lines of at most `width`
    characters where they fit: a half-width chart on a laptop cuts one long line."""
    lines: list[str] = []
    for key in filter(None, keys):
        if lines and len(lines[-1]) + 3 + len(key) <= width:
            lines[-1] += " · " + key
        else:
            lines.append(key)
    return lines


def titled(title: str, keys: list[str]) -> tuple[alt.TitleParams | str, int]:
    """The title with the keys as its subtitle (subtitle_lines), and how many lines that takes;
    the bare title and 0 without any key."""
    lines = subtitle_lines(keys)
    if not lines:
        return title, 0
    return alt.TitleParams(title, subtitle=lines[0] if len(lines) == 1 else lines), len(lines)


def keyed(chart: alt.TopLevelMixin, title: str, keys: list[str]) -> alt.TopLevelMixin:
    """The chart titled, its keys (what its marks mean) in a subtitle with room made for it:
    appended to the title in brackets, they were cut in a half-width chart, or at 1024 pixels."""
    heading, n_lines = titled(title, keys)
    chart = chart.properties(title=heading)
    if n_lines:
        chart = chart.properties(usermeta={"frame_px": CHART_FRAME_PX + SUBTITLE_PX * n_lines})
    return chart


def with_room(chart: alt.TopLevelMixin, more_px: int) -> alt.TopLevelMixin:
    """The chart with `more_px` more room beyond its plot (the room widgets.chart makes: usermeta's
    frame_px), for a legend or title lines added."""
    meta = chart.usermeta if isinstance(chart.usermeta, dict) else {}
    return chart.properties(usermeta={**meta, "frame_px": meta.get("frame_px", CHART_FRAME_PX) + more_px})


def _retitled(chart: alt.TopLevelMixin, heading: alt.TitleParams, more_px: int) -> alt.TopLevelMixin:
    """The chart under `heading`, which takes `more_px` more than its title did."""
    return with_room(chart.properties(title=heading), more_px)


def _heading(chart: alt.TopLevelMixin) -> alt.TitleParams:
    """A copy of the chart's title as TitleParams, to change without changing the chart's."""
    return chart.title.copy() if isinstance(chart.title, alt.TitleParams) else alt.TitleParams(chart.title)


def title_wrapped(chart: alt.TopLevelMixin, chars: int = HALF_WIDTH_TITLE_CHARS) -> alt.TopLevelMixin:
    """The chart with its title in lines of at most `chars` characters, words kept whole, and room
    made for the lines added: Vega cuts a title longer than the chart is wide ("Repeat rate by
    provider depart…" beside another chart at 1024 pixels)."""
    heading = _heading(chart)
    if not isinstance(heading.text, str) or len(heading.text) <= chars:
        return chart
    heading.text = textwrap.wrap(heading.text, chars, break_long_words=False)
    return _retitled(chart, heading, TITLE_LINE_PX * (len(heading.text) - 1))


def subtitle_of(chart: alt.TopLevelMixin) -> list[str]:
    """The lines of a chart's subtitle; none without one."""
    title = chart.title
    if not isinstance(title, alt.TitleParams) or title.subtitle is alt.Undefined:
        return []
    return list(title.subtitle) if isinstance(title.subtitle, list) else [title.subtitle]


def title_lines(chart: alt.TopLevelMixin) -> list[str]:
    """The lines of a chart's title: one, unless it was wrapped (title_wrapped)."""
    text = _heading(chart).text
    return list(text) if isinstance(text, list) else [text]


def levelled(*charts: alt.TopLevelMixin) -> list[alt.TopLevelMixin]:
    """The charts with as many title lines and as many subtitle lines each, blank ones added after
    their own, and the room for them: side by side, a chart with a subtitle, or with its title on
    two lines, drew its plot lower than its neighbour's."""
    most_title = max((len(title_lines(chart)) for chart in charts), default=0)
    most_subtitle = max((len(subtitle_of(chart)) for chart in charts), default=0)
    out = []
    for chart in charts:
        more_title = most_title - len(title_lines(chart))
        more_subtitle = most_subtitle - len(subtitle_of(chart))
        if more_title or more_subtitle:
            heading = _heading(chart)
            if more_title:
                heading.text = title_lines(chart) + [" "] * more_title
            if more_subtitle:
                heading.subtitle = subtitle_of(chart) + [" "] * more_subtitle
            chart = _retitled(chart, heading, TITLE_LINE_PX * more_title + SUBTITLE_PX * more_subtitle)
        out.append(chart)
    return out


def side_by_side(*charts: alt.TopLevelMixin) -> list[alt.TopLevelMixin]:
    """Charts whose titles are built from a field's name ("CSAT % by time to first response
    (business hours)"), to draw in a row of columns: each title wrapped to what half a laptop's
    width shows (title_wrapped), then levelled. Fixed titles that fit go straight to levelled."""
    return levelled(*(title_wrapped(chart) for chart in charts))


def _goals_apart(goals: pd.DataFrame) -> str:
    """'internal 90.0%, external 85.0%': each segment's goal (a rate), as the tooltip gives it."""
    return ", ".join(f"{segment} {goal:.1%}" for segment, goal in zip(goals["segment"], goals["goal"]))


def _few_points_note(frame: pd.DataFrame, value: str, counted: tuple[str, int] | None, rests_on: str) -> str:
    """'hollow: fewer than 30 survey answers' when a drawn week counts fewer than the minimum; else ''."""
    if counted is None:
        return ""
    column, minimum = counted
    few = frame[value].notna() & (frame[column] < minimum)
    return f"hollow: fewer than {minimum} {rests_on}" if few.any() else ""


def _trend_levels(trend: pd.DataFrame, x_axis: dict, value_title: str, axis_format: str,
                  scale: alt.Scale) -> alt.Chart:
    """The trend's two ends, each a broad translucent grey level across its weeks, under the lines."""
    return alt.Chart(trend).mark_rule(color=SEGMENT_COLORS["all"], size=6, opacity=0.35).encode(
        x=alt.X("from:T", **x_axis), x2="to:T", y=alt.Y("value:Q", scale=scale),
        tooltip=[alt.Tooltip("end:N", title="Trend, all requesters"),
                 alt.Tooltip("value:Q", title=value_title, format=".1%" if axis_format.endswith("%") else ",.1f")],
    )


def _goal_rules(goal: float | dict[str, float] | None) -> pd.DataFrame:
    """The goal rules to draw (columns segment, goal): none, one, or one per segment when the
    segments' goals differ as shown, to 0.1 point. Equal ones are drawn once, in the goal's own
    colour: 84.83% and 84.84% would draw one line over the other, and read as the same goal."""
    if isinstance(goal, dict):
        goals = {segment: g for segment, g in goal.items() if g is not None}
        if len({f"{g:.1%}" for g in goals.values()}) > 1:
            return pd.DataFrame({"segment": list(goals), "goal": list(goals.values())})
        goal = sum(goals.values()) / len(goals) if goals else None
    return pd.DataFrame({"segment": ["all"] * (goal is not None), "goal": [goal] if goal is not None else []})


def unfinished_marks(frame: pd.DataFrame, unfinished_week, x_axis: dict) -> list[alt.Chart]:
    """A grey band around the unfinished week's point and the words "so far" just above it, when
    the chart draws that week (on the same time axis as the lines: layers with differing axes
    would get theirs merged)."""
    if unfinished_week is None:
        return []
    week_start = pd.Timestamp(unfinished_week)
    if not (pd.to_datetime(frame["week_start"]) == week_start).any():
        return []
    band = pd.DataFrame({
        "from": [week_start - pd.Timedelta(days=3.5)],
        "to": [week_start + pd.Timedelta(days=3.5)],
        "at": [week_start],
        "label": ["so far"],
        "note": ["This week is not over in the data: its point counts part of a week."],
    })
    shade = alt.Chart(band).mark_rect(color=STATE_COLORS["running"], opacity=0.18).encode(
        x=alt.X("from:T", **x_axis), x2="to:T", tooltip=[alt.Tooltip("note:N", title="Unfinished week")],
    )
    # Just above the plot, where no line or goal rule can cross it.
    words = alt.Chart(band).mark_text(baseline="bottom", dy=-3, color=GOAL_COLOR, fontSize=11).encode(
        x=alt.X("at:T", **x_axis), y=alt.value(0), text="label:N",
    )
    return [shade, words]


# Cells of a goal heatmap are coloured by adherence minus the cell's own goal (policies differ in
# goal), in steps rather than a gradient, so that a cell just under its goal is not green:
# 15 points or more below, 5 (included) to 15 below, less than 5 below, at or above.
HEATMAP_ROW_PX = 28
# The two legends sit under the plot, side by side, an entry a line, taking this height: beside it
# they took 190 of the 564 pixels a chart has at 1024, and eight columns' "100%*" ran together.
HEATMAP_LEGENDS_PX = 140
HEATMAP_LEGEND = {"orient": "bottom", "columns": 1}
# Column labels slant by this angle (degrees), up to this length (pixels; about CHAR_PX a letter).
LABEL_ANGLE = 40
LABEL_LIMIT_PX = 160
CHAR_PX = 6.5
GAP_LABELS = ["15+ points below", "5-15 points below", "under 5 points below", "at or above"]
# Red, orange, yellow, green, chosen so that every colour, and every one lightened for a cell resting
# on few targets, stays apart from every other (test_charts), with black labels legible on each.
GAP_COLORS = ["#E45756", "#E8731A", "#F7DC6F", "#54A24B"]
NEUTRAL_SWATCH = "#7F7F7F"  # a legend entry that holds for every colour


def goal_heatmap(
    frame: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    x_title: str,
    y_title: str,
    min_count: int,
    x_order: list[str] | None = None,
    total: str | None = None,
) -> alt.LayerChart:
    """Adherence per cell (columns adherence, goal, n_met, n_breached) coloured against the
    cell's own goal; cells resting on fewer than `min_count` decided targets are lighter and
    starred (not faded away: a small department far below its goal must still show). `total` is
    the x or y value of cells over a whole row or column (kpis.with_totals): drawn last, labelled
    in bold."""
    cells_frame = frame.assign(
        n_decided=frame["n_met"] + frame["n_breached"],
        # Rounded, so that a cell exactly 5 points below (80% against 85%, which is -0.04999...
        # in floating point) lands in the band it belongs to.
        gap=(frame["adherence"] - frame["goal"]).round(9),
    )
    gap = cells_frame["gap"]
    cells_frame["versus_goal"] = np.select(
        [gap <= -0.15, gap <= -0.05, gap < 0, gap >= 0], GAP_LABELS, default=None
    )
    enough = cells_frame["n_decided"] >= min_count
    trust_labels = [f"{min_count} or more decided", f"fewer than {min_count} decided (*)"]
    cells_frame["trust"] = enough.map({True: trust_labels[0], False: trust_labels[1]})
    cells_frame["label"] = cells_frame["adherence"].map(lambda a: f"{a:.0%}", na_action="ignore") + enough.map(
        {True: "", False: "*"})
    # Orders spelled out in the specification: left to the data ("sort": null), a chart redrawn
    # with other rows kept its earlier rows first, so the same link drew different charts.
    columns = sorted(set(cells_frame[x]) - {total})
    if x_order:
        columns = [v for v in x_order if v in columns] + [v for v in columns if v not in x_order]
    rows = [v for v in dict.fromkeys(cells_frame[y]) if v != total]  # the query's order
    columns += [total] if total in set(cells_frame[x]) else []
    rows += [total] if total in set(cells_frame[y]) else []
    cells_frame["is_total"] = (cells_frame[x] == total) | (cells_frame[y] == total)
    base = alt.Chart(cells_frame).encode(
        # Slanted, and never thinned out: a department head looks for their own column.
        x=alt.X(f"{x}:N", title=x_title, sort=columns,
                axis=alt.Axis(labelAngle=-LABEL_ANGLE, labelOverlap=False, labelLimit=LABEL_LIMIT_PX)),
        y=alt.Y(f"{y}:N", title=y_title, sort=rows, axis=alt.Axis(labelOverlap=False)),
        tooltip=[
            alt.Tooltip(f"{y}:N", title=y_title),
            alt.Tooltip(f"{x}:N", title=x_title),
            alt.Tooltip("adherence:Q", title="Adherence", format=".1%"),
            alt.Tooltip("goal:Q", title="Goal", format=".1%"),
            alt.Tooltip("n_met:Q", title="Met", format=","),
            alt.Tooltip("n_breached:Q", title="Breached", format=","),
            alt.Tooltip("n_decided:Q", title="Decided targets", format=","),
            alt.Tooltip("trust:N", title="Count"),
        ],
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "versus_goal:N",
            title="Adherence vs its goal",
            scale=alt.Scale(domain=GAP_LABELS[::-1], range=GAP_COLORS[::-1]),
            legend=alt.Legend(**HEATMAP_LEGEND),
        ),
        opacity=alt.Opacity("trust:N", title="Count", scale=alt.Scale(domain=trust_labels, range=[1.0, 0.6]),
                            # Drawn in a neutral grey, as any cell colour is lightened (a green swatch read as
                            # "green cells only"); the default black matches no cell.
                            legend=alt.Legend(**HEATMAP_LEGEND, labelLimit=240, symbolType="square",
                                              symbolFillColor=NEUTRAL_SWATCH, symbolStrokeWidth=0)),
    )
    labels = [
        base.mark_text(fontSize=12, fontWeight="bold" if bold else "normal")
        .encode(text=alt.Text("label:N"), color=alt.value("black"))
        .transform_filter(f"{'' if bold else '!'}datum.is_total")
        for bold in ([False, True] if cells_frame["is_total"].any() else [False])
    ]
    # Rows of 28 px (Vega-Lite's default is 20): the cells' labels stay legible on a projector; but
    # never lower than the row axis's title, which would squeeze a plot of one row to a line.
    return alt.layer(cells, *labels).properties(
        # The key as a subtitle: on one line with the title it was cut off on a laptop screen.
        title=alt.TitleParams(title, subtitle=f"Green: at or above its goal; lighter, with *: fewer than "
                                              f"{min_count} decided targets"
                                              + (f"; in bold: {total}" if cells_frame["is_total"].any() else "")),
        width=WIDTH, height=max(HEATMAP_ROW_PX * cells_frame[y].nunique(), math.ceil(len(y_title) * CHAR_PX)),
        # Room beyond the plot: title, subtitle, axis title, the legends, and the slanted column labels.
        usermeta={"frame_px": 110 + HEATMAP_LEGENDS_PX
                  + round(min(max(map(len, columns), default=0) * CHAR_PX, LABEL_LIMIT_PX)
                          * math.sin(math.radians(LABEL_ANGLE)))},
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
        .mark_bar(color=SEGMENT_COLORS["all"], opacity=0.85)
        .encode(
            x=alt.X("bin_start_hours:Q", title=f"Hours ({clock_label}); the last bar holds everything longer"),
            x2="bin_end:Q",
            y=alt.Y("n_requests:Q", title="Requests", axis=whole_counts(frame["n_requests"])),
            # With x and x2 both set, Vega-Lite would draw ranged bars as flat strokes at y: anchor them at 0.
            y2=alt.datum(0),
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
    return keyed(alt.layer(bars, rule), title, ["red line: the most common target"]).properties(width=WIDTH, height=240)


# --------------------------------------------------------------------------------------
# Recurring problems and feedback

SATISFACTION_COLORS = {"dissatisfied": "#E45756", "neutral": "#BAB0AC", "satisfied": "#54A24B"}
POLARITY_COLORS = {"negative": "#E45756", "positive": "#54A24B"}
# Blue/orange (requester segments) and green/red (met/breached, satisfied/dissatisfied) keep
# their meaning everywhere; other groupings take colours of their own.
DIMENSION_COLORS = {"business": "#9D755D", "human": "#B279A2", "hidden": "#72B7B2"}
MEASURE_COLORS = ("#54585A", "#BAB0AC")  # two rates side by side: first measure dark, second light
CATEGORY_COLORS = ("#54585A", "#9D755D", "#B279A2", "#72B7B2", "#EECA3B", "#FF9DA6", "#BAB0AC")


def weekly_category_lines(frame: pd.DataFrame, title: str, recent_start=None) -> alt.LayerChart | alt.Chart:
    """Requests per week for a few categories (week_start, category, n_requests); the recent
    window shaded when recent_start is given."""
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("week_start:T", title=WEEK_TITLE, axis=week_axis(frame["week_start"])),
            y=alt.Y("n_requests:Q", title="Requests per week", axis=whole_counts(frame["n_requests"])),
            color=alt.Color("category:N", title="Category", scale=alt.Scale(range=list(CATEGORY_COLORS)),
                            legend=alt.Legend(labelLimit=260)),
            tooltip=[
                alt.Tooltip("week_start:T", title="Week of", format="%d %b %Y"),
                alt.Tooltip("category:N", title="Category"),
                alt.Tooltip("n_requests:Q", title="Requests", format=","),
            ],
        )
    )
    if recent_start is None:
        return lines.properties(title=title, width=WIDTH, height=240)
    window = (
        alt.Chart(pd.DataFrame({"start": [pd.Timestamp(recent_start)], "end": [frame["week_start"].max()]}))
        .mark_rect(opacity=0.2, color=GOAL_COLOR)
        .encode(x="start:T", x2="end:T", tooltip=[alt.Tooltip("start:T", title="Recent window from", format="%d %b %Y")])
    )
    chart = keyed(alt.layer(window, lines), title, ["shaded: the recent weeks tested"])
    return chart.properties(width=WIDTH, height=240)


def before_after_chart(frame: pd.DataFrame, fix_week, rate_before: float | None, rate_after: float | None,
                       title: str) -> alt.LayerChart:
    """Weekly requests of one category (week_start, n_category, side) with the fix's week marked
    and the mean weekly rate before and after it."""
    bars = (
        # Each bar spans its week up to Sunday's start (the rest, a gap): points on a time axis were hairlines.
        alt.Chart(frame.assign(week_bar_end=frame["week_start"] + pd.Timedelta(days=6)))
        .mark_bar()
        .encode(
            x=alt.X("week_start:T", title=WEEK_TITLE, axis=week_axis(frame["week_start"])),
            x2="week_bar_end:T",
            y=alt.Y("n_category:Q", title="Requests per week", axis=whole_counts(frame["n_category"])),
            y2=alt.datum(0),
            # The fix's week in a pale red, the rule's colour: a pale grey barely showed.
            color=alt.Color("side:N", title="Week", scale=alt.Scale(
                domain=["before", "fix week (left out)", "after"],
                range=["#BAB0AC", "#F4B6AE", SEGMENT_COLORS["all"]])),
            tooltip=[
                alt.Tooltip("week_start:T", title="Week of", format="%d %b %Y"),
                alt.Tooltip("n_category:Q", title="Requests", format=","),
                alt.Tooltip("share:Q", title="Share of all requests", format=".1%"),
                alt.Tooltip("side:N", title="Side of the fix"),
            ],
        )
    )
    layers = [bars]
    means = pd.DataFrame([  # each over its side's bars, first Monday to last bar's end
        {"side": side, "rate": rate, "start": frame.loc[frame["side"] == side, "week_start"].min(),
         "end": frame.loc[frame["side"] == side, "week_start"].max() + pd.Timedelta(days=6)}
        for side, rate in (("before", rate_before), ("after", rate_after))
    ]).dropna()
    if not means.empty:
        layers.append(
            alt.Chart(means).mark_rule(strokeDash=[6, 4], color=GOAL_COLOR, size=2).encode(
                x="start:T", x2="end:T", y="rate:Q",
                tooltip=[alt.Tooltip("side:N", title="Mean"), alt.Tooltip("rate:Q", title="Requests per week", format=".1f")],
            )
        )
    layers.append(
        alt.Chart(pd.DataFrame({"fix": [pd.Timestamp(fix_week)]}))
        .mark_rule(color=STATE_COLORS["breached"], size=2)
        .encode(x="fix:T", tooltip=[alt.Tooltip("fix:T", title="Fix week", format="%d %b %Y")])
    )
    keys = ["red: the fix's week", "dashed: mean weekly rate on each side"]
    return keyed(alt.layer(*layers), title, keys).properties(width=WIDTH, height=240)


def few_behind(min_count: int, count: str = "count") -> dict:
    """The encoding that leaves a bar resting on fewer than `min_count` (its `count` column) as
    an outline in its own colour (a faint fill alone read as another measure's grey); the mark
    must carry a stroke."""
    condition = f"datum[{json.dumps(count)}] >= {int(min_count)}"
    return {"fillOpacity": alt.condition(condition, alt.value(1.0), alt.value(0.12))}


def rate_bars(frame: pd.DataFrame, category: str, value: str, count: str, title: str, category_title: str,
              value_title: str, goal: float | None = None, low: str | None = None, high: str | None = None,
              min_count: int | None = None, note: str | None = None) -> alt.LayerChart | alt.Chart:
    """Horizontal bars of a rate per group (0-1), the count behind each in the tooltip, an
    optional 95 % interval (low/high columns) and goal rule; with `min_count`, a bar resting on
    fewer is only outlined; `note` (which bars these are) joins the subtitle."""
    tooltip = [
        alt.Tooltip(f"{category}:N", title=category_title),
        alt.Tooltip(f"{value}:Q", title=value_title, format=".1%"),
        alt.Tooltip(f"{count}:Q", title="Count", format=","),
    ]
    if low and high:
        tooltip += [alt.Tooltip(f"{low}:Q", title="95% interval from", format=".1%"),
                    alt.Tooltip(f"{high}:Q", title="95% interval to", format=".1%")]
    # No axis title: the chart's title names the categories, and a long one was cut off on the
    # few bars' height.
    base = alt.Chart(frame).encode(y=alt.Y(f"{category}:N", title=None, sort=None, axis=alt.Axis(labelLimit=260)))
    bars = base.mark_bar(color=MEASURE_COLORS[1], opacity=0.85, stroke=MEASURE_COLORS[1], strokeWidth=1.5)
    if min_count is not None:
        bars = bars.encode(**few_behind(min_count, count))
    layers = [bars.encode(
        x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=tooltip,
    )]
    notes = [note] if note else []
    if low and high:
        layers.append(base.mark_rule(color=GOAL_COLOR).encode(x=f"{low}:Q", x2=f"{high}:Q", tooltip=tooltip))
        notes.append("grey line: 95% interval")
    if goal is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"goal": [goal]})).mark_rule(strokeDash=[6, 4], color=GOAL_COLOR, size=2)
            .encode(x="goal:Q", tooltip=[alt.Tooltip("goal:Q", title="Goal", format=".0%")])
        )
        notes.append("dashed: goal")
    if min_count is not None:
        notes.append(f"outlined: fewer than {min_count} behind it")
    # Notes on lines of their own: these charts often stand half-width, where one long line was cut.
    caption, _ = titled(title, notes)
    # A height per bar (a step): with no height, or a fixed one that Streamlit's fit-to-container
    # shares with the title and axes, two or three groups got a sliver of a chart.
    return alt.layer(*layers).properties(title=caption, width=WIDTH, height=alt.Step(36))


def score_distribution(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Answers per score 1-5 (value, n_answers, group), coloured dissatisfied / neutral / satisfied."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("value:O", title="Score (normalised 1-5, whole part)", sort=["1", "2", "3", "4", "5"],
                    axis=alt.Axis(labelAngle=0)),
            y=alt.Y("n_answers:Q", title="Answers", axis=whole_counts(frame["n_answers"])),
            color=alt.Color("group:N", title="Reading", scale=alt.Scale(
                domain=list(SATISFACTION_COLORS), range=list(SATISFACTION_COLORS.values()))),
            tooltip=[
                alt.Tooltip("value:O", title="Score"),
                alt.Tooltip("n_answers:Q", title="Answers", format=","),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
                alt.Tooltip("group:N", title="Reading"),
            ],
        )
        .properties(title=title, width=WIDTH, height=220)
    )


def paired_rates(frame: pd.DataFrame, category: str, title: str, category_title: str | None,
                 min_count: int, measures_in_order: list[str] | None = None) -> alt.Chart:
    """Two rates side by side per group (category, measure, value, count): e.g. CSAT % next to
    SLA adherence per channel; a rate resting on fewer than `min_count` is only outlined. The
    measures come in `measures_in_order` (the first on top, in the first colour), else alphabetically.
    No `category_title` where the title names the groups (long names then keep the axis' room)."""
    measures = alt.Scale(range=list(MEASURE_COLORS), **({"domain": measures_in_order} if measures_in_order else {}))
    return (
        alt.Chart(frame)
        .mark_bar(strokeWidth=1.5)
        .encode(
            y=alt.Y(f"{category}:N", title=category_title, sort=None, axis=alt.Axis(labelLimit=260)),
            yOffset=alt.YOffset("measure:N", sort=measures_in_order or "ascending"),
            x=alt.X("value:Q", title="Rate", axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("measure:N", title="Measure", scale=measures,
                            legend=alt.Legend(orient="bottom", labelLimit=400)),
            stroke=alt.Stroke("measure:N", scale=measures, legend=None),
            **few_behind(min_count),
            tooltip=[
                alt.Tooltip(f"{category}:N", title=category_title or category.capitalize()),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("value:Q", title="Rate", format=".1%"),
                alt.Tooltip("count:Q", title="Count behind it", format=","),
            ],
        )
        .properties(title=alt.TitleParams(title, subtitle=f"outlined: fewer than {min_count} behind it"), width=WIDTH)
    )


def theme_bars(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Comments per theme (label, dimension, polarity, n_comments, share), coloured by polarity."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title="Theme", sort=None, axis=alt.Axis(labelLimit=240)),
            x=alt.X("n_comments:Q", title="Comments", axis=whole_counts(frame["n_comments"])),
            color=alt.Color("polarity:N", title="Polarity", scale=alt.Scale(
                domain=list(POLARITY_COLORS), range=list(POLARITY_COLORS.values()))),
            tooltip=[
                alt.Tooltip("label:N", title="Theme"),
                alt.Tooltip("dimension:N", title="Dimension"),
                alt.Tooltip("polarity:N", title="Polarity"),
                alt.Tooltip("n_comments:Q", title="Comments", format=","),
                alt.Tooltip("share:Q", title="Share of comments", format=".1%"),
            ],
        )
        .properties(title=title, width=WIDTH)
    )


def theme_trend(frame: pd.DataFrame, title: str, unfinished_week=None, min_comments: int | None = None
                ) -> alt.LayerChart | alt.Chart:
    """Weekly share of comments per dimension and polarity (week_start, dimension, polarity, share,
    n_comments, n_all_comments); an unfinished week shaded as in trend_chart. With `min_comments`,
    a week with fewer comments in all has hollow points, as trend_chart draws a rate on too few:
    one comment of three is a third of the week."""
    x_axis = {"title": WEEK_TITLE, "axis": week_axis(frame["week_start"])}
    colour = alt.Color("dimension:N", title="Dimension", scale=alt.Scale(
        domain=list(DIMENSION_COLORS), range=list(DIMENSION_COLORS.values())))
    base = alt.Chart(frame).encode(
        x=alt.X("week_start:T", **x_axis),
        y=alt.Y("share:Q", title="Share of the week's comments", axis=alt.Axis(format=".0%")),
        color=colour,
        tooltip=[
            alt.Tooltip("week_start:T", title="Week of", format="%d %b %Y"),
            alt.Tooltip("dimension:N", title="Dimension"),
            alt.Tooltip("polarity:N", title="Polarity"),
            alt.Tooltip("share:Q", title="Share", format=".1%"),
            alt.Tooltip("n_comments:Q", title="Comments", format=","),
            alt.Tooltip("n_all_comments:Q", title="Comments that week", format=","),
        ],
    )
    # Said in the title instead of a second legend: under Streamlit's theme, two legends squeezed
    # the plot to a sliver.
    dashes = alt.StrokeDash("polarity:N", legend=None,
                            scale=alt.Scale(domain=["positive", "negative"], range=[[1, 0], [6, 4]]))
    few = min_comments is not None and bool((frame["n_all_comments"] < min_comments).any())
    if few:
        fill = alt.condition(alt.datum.n_all_comments < min_comments, alt.value("white"), colour)
        layers = [base.mark_line().encode(strokeDash=dashes),
                  base.mark_point(filled=True, size=40, strokeWidth=1.5, opacity=1).encode(stroke=colour, fill=fill)]
    else:
        layers = [base.mark_line(point=True).encode(strokeDash=dashes)]
    layers.extend(unfinished_marks(frame, unfinished_week, x_axis))
    chart = layers[0] if len(layers) == 1 else alt.layer(*layers)
    keys = [f"hollow: fewer than {min_comments} comments that week" if few else ""]
    return keyed(chart, title, keys).properties(width=WIDTH, height=260)
