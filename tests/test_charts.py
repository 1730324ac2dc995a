"""Chart data worked out by hand: which colour band a heatmap cell falls in, and which cells
rest on too few targets to trust."""

from __future__ import annotations

import itertools
import math
import re

import pandas as pd
import pytest

from servicelevel.charts import (
    CHART_FRAME_PX, DIMENSION_COLORS, GAP_COLORS, SEGMENT_LEGEND_PX, SUBTITLE_PX, TITLE_LINE_PX, before_after_chart,
    duration_histogram, goal_heatmap, levelled, rate_bars, side_by_side, WEEK_TITLE, subtitle_lines, theme_trend,
    title_wrapped, trend_chart, week_axis,
)
from servicelevel.kpis import with_totals


def bands(adherence_and_goal: list[tuple[float, float]]) -> list[str]:
    frame = pd.DataFrame({
        "department": [f"D{i}" for i in range(len(adherence_and_goal))],
        "priority": "normal",
        "adherence": [a for a, _ in adherence_and_goal],
        "goal": [g for _, g in adherence_and_goal],
        "n_met": 80,
        "n_breached": 20,
    })
    spec = goal_heatmap(frame, "priority", "department", "t", "Priority", "Department", min_count=30).to_dict()
    rows = next(iter(spec["datasets"].values()))
    return [row["versus_goal"] for row in sorted(rows, key=lambda r: r["department"])]


def test_a_cell_exactly_on_a_band_edge_falls_in_the_band_below_it():
    # 80% against 85% and 90% against 95% are exactly 5 points below; 70% against 85% exactly 15.
    assert bands([(0.80, 0.85), (0.90, 0.95), (0.70, 0.85), (0.85, 0.85), (0.849, 0.85)]) == [
        "5-15 points below", "5-15 points below", "15+ points below", "at or above", "under 5 points below",
    ]


def test_cells_resting_on_too_few_targets_are_lighter_with_a_legend_entry_of_their_own():
    frame = pd.DataFrame({"department": ["Small", "Large"], "priority": "normal", "adherence": [0.5, 0.9],
                          "goal": 0.85, "n_met": [10, 90], "n_breached": [19, 10]})  # 29 and 100 decided
    spec = goal_heatmap(frame, "priority", "department", "t", "Priority", "Department", min_count=30).to_dict()
    rows = {row["department"]: row for row in next(iter(spec["datasets"].values()))}
    assert (rows["Small"]["trust"], rows["Small"]["label"]) == ("fewer than 30 decided (*)", "50%*")
    assert (rows["Large"]["trust"], rows["Large"]["label"]) == ("30 or more decided", "90%")
    opacity = spec["layer"][0]["encoding"]["opacity"]
    assert opacity["field"] == "trust" and opacity["title"] == "Count"
    assert opacity["scale"] == {"domain": ["30 or more decided", "fewer than 30 decided (*)"], "range": [1.0, 0.6]}
    # Its legend squares are a neutral grey (every cell colour is lightened alike), not the default black.
    swatch = opacity["legend"]["symbolFillColor"]
    red, green, blue = (int(swatch[i:i + 2], 16) for i in (1, 3, 5))
    assert red == green == blue and 64 <= red <= 192 and swatch not in GAP_COLORS


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def _lab(rgb: tuple[float, ...]) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour, by the standard formulas."""
    r, g, b = (_linear(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def test_every_band_colour_and_its_lighter_few_targets_shade_stay_apart():
    # A starred light red read as orange: every shown colour, full or lightened by the few-targets
    # opacity (0.6 over white), now differs from every other by a CIE76 distance of 25 or more
    # (about 2.3 is just noticeable), and black labels keep a WCAG contrast of 4.5 or more on each.
    full = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in GAP_COLORS]
    lighter = [tuple(0.6 * v + 0.4 * 255 for v in c) for c in full]
    shades = [(f"{name} full", _lab(c)) for name, c in zip(GAP_COLORS, full)]
    shades += [(f"{name} lighter", _lab(c)) for name, c in zip(GAP_COLORS, lighter)]
    for (name_a, a), (name_b, b) in itertools.combinations(shades, 2):
        if name_a.split()[0] != name_b.split()[0]:
            assert math.dist(a, b) >= 25, (name_a, name_b, math.dist(a, b))
    for colour in full:
        luminance = 0.2126 * _linear(colour[0]) + 0.7152 * _linear(colour[1]) + 0.0722 * _linear(colour[2])
        assert (luminance + 0.05) / 0.05 >= 4.5, colour


def who_serves_whom_svg(**size) -> str:
    """The SVG Vega draws for a heatmap of 11 requester departments by 8 providers, every cell
    "100%*", sized as given (width, height, autosize)."""
    import vl_convert

    requesters = ["Customer Support", "Facilities", "Finance", "Human Resources", "IT", "Legal", "Logistics",
                  "Marketing", "Payroll", "Procurement", "Sales"]
    providers = ["Facilities", "Finance", "Human Resources", "IT", "Legal", "Logistics", "Payroll", "Procurement"]
    frame = pd.DataFrame([{"requester": r, "provider": p, "adherence": 1.0, "goal": 0.85, "n_met": 9,
                           "n_breached": 0} for r in requesters for p in providers])
    chart = goal_heatmap(frame, "provider", "requester", "t", "Provider department", "Requester department",
                         min_count=30)
    return vl_convert.vegalite_to_svg(chart.properties(**size).to_json())


def test_a_heatmaps_cells_get_the_charts_width_but_the_row_labels_at_1024_pixels():
    # Beside the sidebar at 1024 pixels a chart is 564 pixels wide. With the legends beside the
    # plot, eight columns had 38 pixels each here (fewer under Streamlit's larger fonts), and the
    # cells' "100%*" ran into each other; under it, the cells span all but the row labels.
    spec = who_serves_whom_svg(width=564, autosize={"type": "fit-x", "contains": "padding"})
    cells = re.search(r'class="mark-rect role-mark(.*?)</g>', spec, flags=re.S).group(1)
    cell_widths = {float(w) for w in re.findall(r'd="M[-0-9.e]+,[-0-9.e]+h([0-9.]+)v', cells)}
    assert len(cell_widths) == 1 and 8 * cell_widths.pop() >= 0.75 * 564, cell_widths


def test_a_heatmaps_element_holds_its_plot_labels_and_legends():
    # Streamlit is handed the plot's height plus frame_px (widgets.chart): a frame too small cut
    # the legends off a heatmap of few rows.
    import vl_convert

    spec = goal_heatmap(pd.DataFrame({"department": ["D1", "D2"], "priority": "normal", "adherence": 0.9,
                                      "goal": 0.85, "n_met": 90, "n_breached": 10}),
                        "priority", "department", "t", "Priority", "Department", min_count=30)
    svg = vl_convert.vegalite_to_svg(spec.properties(width=564).to_json())
    drawn_height = float(re.search(r'<svg[^>]* height="([0-9.]+)"', svg).group(1))
    assert drawn_height <= spec.height + spec.usermeta["frame_px"], drawn_height


def test_heatmap_rows_and_columns_are_ordered_in_the_specification_not_by_the_data():
    # Left to the data, a chart redrawn in the browser with other rows kept its old rows first.
    frame = pd.DataFrame({"department": ["Sales", "Sales", "Finance"], "priority": ["low", "(no priority)", "urgent"],
                          "adherence": 0.9, "goal": 0.85, "n_met": 9, "n_breached": 1})
    spec = goal_heatmap(frame, "priority", "department", "t", "Priority", "Department", min_count=30,
                        x_order=["urgent", "high", "normal", "low"]).to_dict()
    encoding = spec["layer"][0]["encoding"]
    assert encoding["x"]["sort"] == ["urgent", "low", "(no priority)"]  # the order given, then the rest
    assert encoding["y"]["sort"] == ["Sales", "Finance"]  # as the query ordered them
    assert encoding["x"]["axis"]["labelOverlap"] is False  # no column loses its label


def test_a_long_trend_labels_its_latest_week_and_three_others():
    mondays = pd.date_range("2026-01-05", "2026-11-09", freq="7D")  # 45 weeks
    labelled = [(v.year, v.month, v.date) for v in week_axis(mondays).values]
    # Every twelfth week back from the latest (45 / 4 rounded up): 9 Nov, 17 Aug, 25 May, 2 Mar
    # (8 Dec 2025, the next, is before the data).
    assert labelled == [(2026, 3, 2), (2026, 5, 25), (2026, 8, 17), (2026, 11, 9)]


def test_twelve_weeks_side_by_side_label_the_same_weeks_the_latest_among_them():
    # Drawn by Vega: it dropped colliding labels itself, every other one and the latest week's,
    # and charts side by side kept different weeks (a count axis is narrower than a rate axis).
    weeks = pd.date_range("2026-08-24", periods=12, freq="7D")
    frame = pd.DataFrame({"week_start": weeks, "segment": ["internal"] * 12, "n_created": range(400, 412),
                          "rate": [0.9] * 6 + [0.8] * 6})
    drawn = [axis_labels(trend_chart(frame, "n_created", "Requests created by week", "Requests"), WEEK_TITLE),
             axis_labels(trend_chart(frame, "rate", "Resolution adherence by week", "Adherence", as_percent=True,
                                     goal=0.85), WEEK_TITLE)]
    assert drawn[0] == drawn[1] == ["07 Sep", "28 Sep", "19 Oct", "09 Nov"]  # every third week back


def week_labels_svg(plot_width: int) -> str:
    """The SVG Vega draws for the week axis's labels of 12 weeks' requests, the plot this wide."""
    import vl_convert

    weeks = pd.date_range("2026-08-24", periods=12, freq="7D")
    frame = pd.DataFrame({"week_start": weeks, "segment": ["internal"] * 12, "n_created": range(400, 412)})
    chart = trend_chart(frame, "n_created", "Requests created by week", "Requests").properties(width=plot_width)
    svg = vl_convert.vegalite_to_svg(chart.to_json())
    return re.search(r'role-axis-label"(.*?)</g>', svg, flags=re.S).group(1)  # the x axis comes first


def test_week_labels_stay_apart_under_a_half_width_chart_at_1024_pixels():
    # Beside the sidebar at 1024 pixels, a half-width chart with a legend keeps a plot of about 140
    # pixels. Streamlit draws the week labels at 12 pixels: "31 Aug" takes about 34 of them, so
    # centres closer than 36 run the labels together ("31 Aug14 Sep28 Sep").
    centres = [float(x) for x in re.findall(r'translate\(([0-9.]+),', week_labels_svg(140))]
    assert len(centres) >= 3
    assert min(b - a for a, b in zip(centres, centres[1:])) >= 36, centres


def test_the_latest_weeks_label_sits_under_its_point_like_the_others():
    # Vega's default pulled the last label inside the plot (end-anchored at its edge), half a
    # label closer to the one before: "26 Oct09 Nov" under a half-width chart on a laptop.
    anchors = re.findall(r'<text text-anchor="(\w+)"[^>]*>([^<]+)</text>', week_labels_svg(240))
    assert [text for _, text in anchors][-1] == "09 Nov"
    assert {anchor for anchor, _ in anchors} == {"middle"}, anchors


@pytest.mark.parametrize("goal, says", [
    ({"internal": 0.85, "external": 0.85}, "dashed: goal, the same for both"),
    ({"internal": 0.90, "external": 0.85}, "dashed: goals, internal 90.0%, external 85.0%"),
    # A hundredth of a point apart: one line over the other, the same goal as shown.
    ({"internal": 0.8483, "external": 0.8484}, "dashed: goal, the same for both"),
    (0.85, "dashed: goal"),
])
def test_a_trend_title_says_whose_goal_the_dashed_line_is(goal, says):
    weeks = pd.date_range("2026-10-05", periods=3, freq="7D")
    frame = pd.DataFrame({"week_start": list(weeks) * 2, "segment": ["internal"] * 3 + ["external"] * 3,
                          "rate": [0.8, 0.82, 0.84, 0.9, 0.88, 0.86]})
    title = trend_chart(frame, "rate", "Resolution adherence by week", "Adherence", goal=goal,
                        as_percent=True).to_dict()["title"]
    assert title == {"text": "Resolution adherence by week", "subtitle": says}


def test_a_trend_with_nothing_to_draw_says_so_above_its_goal_line():
    weeks = pd.date_range("2026-10-05", periods=3, freq="7D")
    frame = pd.DataFrame({"week_start": weeks, "segment": ["internal"] * 3, "csat": [float("nan")] * 3})
    title = trend_chart(frame, "csat", "CSAT % by week", "CSAT", goal=0.85, as_percent=True,
                        rests_on="survey answers").to_dict()["title"]
    assert title["subtitle"] == ["no survey answers in these weeks: nothing to draw", "dashed: goal"]
    drawn = trend_chart(frame.assign(csat=[0.8, None, 0.9]), "csat", "CSAT % by week", "CSAT", goal=0.85,
                        as_percent=True, rests_on="survey answers").to_dict()["title"]
    assert drawn["subtitle"] == "dashed: goal"


def test_a_themes_share_in_a_week_of_few_comments_is_drawn_hollow():
    # Week 1: 2 comments in all, one of them on the theme (50%); week 2: 50 comments. One comment
    # of two is half the week: that point is the one to read with care.
    import vl_convert

    frame = pd.DataFrame({"week_start": pd.to_datetime(["2026-11-02", "2026-11-09"]), "dimension": "human",
                          "polarity": "negative", "share": [0.5, 0.2], "n_comments": [1, 10],
                          "n_all_comments": [2, 50]})
    chart = theme_trend(frame, "Themes by week", min_comments=30)
    assert chart.to_dict()["title"]["subtitle"] == "hollow: fewer than 30 comments that week"
    svg = vl_convert.vegalite_to_svg(chart.properties(width=400).to_json())
    points = re.findall(r'aria-label="[^"]*Week of: (\d\d \w\w\w) 2026[^"]*Comments that week: (\d+)"'
                        r'[^>]*fill="([^"]+)"', svg)
    assert points == [("02 Nov", "2", "white"), ("09 Nov", "50", DIMENSION_COLORS["human"])]
    # 30 comments or more every week: solid points, nothing to say.
    enough = theme_trend(frame.assign(n_all_comments=[30, 50]), "Themes by week", min_comments=30).to_dict()
    assert enough["title"] == "Themes by week"


def test_a_weeks_rate_on_too_few_answers_is_drawn_hollow_with_its_count():
    # 40, 4, 0 and 31 answers against a minimum of 30: the week of 4 is the one to read with care;
    # the week of none has no rate and no point.
    import vl_convert

    weeks = pd.date_range("2026-10-05", periods=4, freq="7D")
    frame = pd.DataFrame({"week_start": weeks, "segment": "all", "csat": [0.8, 0.5, None, 0.9],
                          "n_answers": [40, 4, 0, 31]})
    chart = trend_chart(frame, "csat", "CSAT % by week", "CSAT", goal=0.85, as_percent=True,
                        rests_on="survey answers", counted=("n_answers", 30))
    assert chart.to_dict()["title"]["subtitle"] == "dashed: goal · hollow: fewer than 30 survey answers"
    svg = vl_convert.vegalite_to_svg(chart.properties(width=400).to_json())
    points = re.findall(r'aria-label="[^"]*Week of: (\d\d \w\w\w) 2026[^"]*Survey answers: (\d+)"'
                        r'[^>]*fill="([^"]+)"', svg)
    assert points == [("05 Oct", "40", "#54585A"), ("12 Oct", "4", "white"), ("26 Oct", "31", "#54585A")]
    # Enough answers every week: no hollow point and nothing to say.
    enough = trend_chart(frame.assign(n_answers=[40, 30, 0, 31]), "csat", "CSAT % by week", "CSAT", goal=0.85,
                         as_percent=True, rests_on="survey answers", counted=("n_answers", 30))
    assert enough.to_dict()["title"]["subtitle"] == "dashed: goal"


def test_a_long_key_is_drawn_in_lines_a_half_width_chart_shows_whole():
    # Three keys of 44, 35 and 37 characters: no two fit in 60 with their separator.
    keys = ["dashed: goals, internal 89.8%, external 88.4%", "", "grey: trend, first and last 4 weeks",
            "hollow: fewer than 30 targets decided"]
    assert subtitle_lines(keys) == [keys[0], keys[2], keys[3]]
    assert subtitle_lines(["dashed: goal", "grey: trend, first and last 4 weeks"]) == [
        "dashed: goal · grey: trend, first and last 4 weeks"]  # 50 characters: one line
    assert subtitle_lines(["", ""]) == []
    weeks = pd.date_range("2026-10-05", periods=3, freq="7D")
    frame = pd.DataFrame({"week_start": list(weeks) * 2, "segment": ["internal"] * 3 + ["external"] * 3,
                          "rate": [0.8, 0.82, 0.84, 0.9, 0.88, 0.86], "n": [40, 20, 40, 40, 40, 40]})
    chart = trend_chart(frame, "rate", "Resolution adherence by week", "Adherence", as_percent=True,
                        goal={"internal": 0.898, "external": 0.884}, rests_on="targets decided", counted=("n", 30))
    spec = chart.to_dict()
    assert spec["title"]["subtitle"] == ["dashed: goals, internal 89.8%, external 88.4%",
                                         "hollow: fewer than 30 targets decided"]
    # Room for both lines, and for the requesters' legend under the plot.
    assert spec["usermeta"]["frame_px"] == CHART_FRAME_PX + 2 * SUBTITLE_PX + SEGMENT_LEGEND_PX


def axis_labels(chart, axis_title: str) -> list[str]:
    """The tick labels Vega draws on the axis titled `axis_title` (rendered to SVG by vl-convert):
    each axis draws its labels' group, then its title's."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(chart.properties(width=400).to_json())
    axes = re.findall(r'role-axis-label"(.*?)</g>.*?role-axis-title"(.*?)</g>', svg, flags=re.S)
    for labels, title in axes:
        if re.findall(r">([^<]+)</text>", title) == [axis_title]:
            return re.findall(r">([^<]+)</text>", labels)
    raise AssertionError(f"no axis titled {axis_title!r}")


def test_rates_on_a_narrow_band_are_drawn_on_that_band_under_the_goal_and_trend_too():
    # Resolution adherence of 86-90 % a week with its goal and trend levels: the axis fixed for
    # the narrow band (rate_domain) holds for every layer, not 0 % to 90 %.
    weeks = pd.date_range("2026-08-24", periods=12, freq="7D")
    rates = [0.89, 0.87, 0.87, 0.88, 0.88, 0.87, 0.89, 0.89, 0.88, 0.89, 0.87, 0.87]
    frame = pd.DataFrame({"week_start": weeks, "segment": ["external"] * 12, "rate": rates})
    trend = pd.DataFrame({"from": [weeks[0], weeks[8]], "to": [weeks[3], weeks[11]], "value": [0.8775, 0.8775],
                          "end": ["first 4 weeks", "last 4 weeks"]})
    labels = axis_labels(trend_chart(frame, "rate", "Resolution adherence by week", "Adherence", goal=0.849,
                                     as_percent=True, trend=trend), "Adherence")
    assert "0%" not in labels and labels[0] >= "84%" and labels[-1] <= "90%", labels


def test_a_histogram_of_a_few_requests_counts_them_in_whole_numbers():
    # Three bars of 1, 3 and 2 requests: Vega's own ticks would be 0, 0.5, 1, ... 3.
    bins = pd.DataFrame({"bin_start_hours": [0.0, 4.0, 8.0], "bin_end_hours": [4.0, 8.0, 12.0],
                         "n_requests": [1, 3, 2]})
    labels = axis_labels(duration_histogram(bins, "Resolution time", "business hours", 4.0), "Requests")
    assert labels == ["0", "1", "2", "3"]


def test_a_trend_of_a_few_requests_a_week_counts_them_in_whole_numbers():
    # 0, 1 and 1 requests (a small department's urgent ones): ticks at 0.2 steps read "0, 0, 0, 1, 1, 1".
    weeks = pd.date_range("2026-10-26", periods=3, freq="7D")
    frame = pd.DataFrame({"week_start": weeks, "segment": ["internal"] * 3, "n_created": [0, 1, 1]})
    labels = axis_labels(trend_chart(frame, "n_created", "Requests created by week", "Requests"), "Requests")
    assert labels == ["0", "1"]
    one_each = pd.DataFrame({"bin_start_hours": [0.0, 4.0], "bin_end_hours": [4.0, 8.0], "n_requests": [1, 1]})
    assert axis_labels(duration_histogram(one_each, "Resolution time", "business hours", 4.0), "Requests") == ["0", "1"]


def test_a_total_over_a_row_adds_its_cells_up_and_blends_their_goals_by_targets_decided():
    cells = pd.DataFrame({"department": ["Procurement", "Procurement", "Finance"], "priority": ["urgent", "high", "low"],
                          "n_met": [10, 2, 9], "n_breached": [5, 28, 1], "goal": [0.9, 0.8, None]})
    cells["adherence"] = cells["n_met"] / (cells["n_met"] + cells["n_breached"])
    together = with_totals(cells, keep="department", across="priority", label="all priorities")
    totals = together[together["priority"] == "all priorities"].set_index("department")
    # Procurement: 12 met of 45; goal (0.9 x 15 + 0.8 x 30) / 45 = 37.5 / 45. Finance has no goal.
    assert totals.loc["Procurement", ["n_met", "n_breached"]].tolist() == [12, 33]
    assert totals.loc["Procurement", "adherence"] == pytest.approx(12 / 45)
    assert totals.loc["Procurement", "goal"] == pytest.approx(37.5 / 45)
    assert pd.isna(totals.loc["Finance", "goal"]) and totals.loc["Finance", "adherence"] == 0.9
    spec = goal_heatmap(together, "priority", "department", "t", "Priority", "Department", min_count=30,
                        x_order=["urgent", "high", "normal", "low"], total="all priorities").to_dict()
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["urgent", "high", "low", "all priorities"]
    rows = {(r["department"], r["priority"]): r for r in next(iter(spec["datasets"].values()))}
    # Two cells of too few, one total of enough: the total is judged, 17 points below its goal.
    assert rows[("Procurement", "urgent")]["label"] == "67%*" and rows[("Procurement", "all priorities")]["label"] == "27%"
    assert rows[("Procurement", "all priorities")]["versus_goal"] == "15+ points below"


def test_per_segment_goal_rules_share_the_lines_legend_rather_than_disable_it():
    # A layer with legend=None beside one with a legend on the same field made Vega-Lite warn
    # ('Conflicting legend property "disable"') in the browser console.
    weeks = pd.date_range("2026-08-24", periods=3, freq="7D")
    frame = pd.DataFrame({"week_start": list(weeks) * 2, "segment": ["internal"] * 3 + ["external"] * 3,
                          "rate": [0.9, 0.8, 0.85, 0.7, 0.75, 0.8]})
    spec = trend_chart(frame, "rate", "t", "Adherence", goal={"internal": 0.85, "external": 0.9}, as_percent=True).to_dict()
    colours = [layer["encoding"]["color"] for layer in spec["layer"] if "color" in layer.get("encoding", {})]
    assert len(colours) == 2 and all(c["field"] == "segment" and c.get("legend", {}) is not None for c in colours)


def test_the_fix_chart_draws_each_week_as_wide_as_the_week_and_its_means_over_the_bars():
    weeks = pd.date_range("2026-03-02", periods=5, freq="7D")
    frame = pd.DataFrame({"week_start": weeks, "n_category": [30, 28, 20, 10, 12], "share": 0.05,
                          "side": ["before", "before", "fix week (left out)", "after", "after"]})
    spec = before_after_chart(frame, weeks[2], 29.0, 11.0, "t").to_dict()
    bars, means, _ = spec["layer"]
    bar_rows = spec["datasets"][bars["data"]["name"]]
    # Monday to Sunday's start: a bar spans its week, rather than a hairline at its Monday.
    assert bars["encoding"]["x2"]["field"] == "week_bar_end" and bars["encoding"]["y2"] == {"datum": 0}
    assert {pd.Timestamp(r["week_bar_end"]) - pd.Timestamp(r["week_start"]) for r in bar_rows} == {pd.Timedelta(days=6)}
    # Weeks of 2, 9, 16 (the fix), 23 and 30 March: the mean after the fix runs from Monday 23 March
    # to the end of the last bar, Sunday 5 April.
    mean_rows = spec["datasets"][means["data"]["name"]]
    after = next(r for r in mean_rows if r["side"] == "after")
    assert (pd.Timestamp(after["start"]), pd.Timestamp(after["end"])) == (pd.Timestamp("2026-03-23"),
                                                                          pd.Timestamp("2026-04-05"))


def test_a_half_width_charts_long_title_is_wrapped_with_room_made_and_its_subtitle_kept():
    frame = pd.DataFrame({"week_start": pd.date_range("2026-08-24", periods=3, freq="7D"), "segment": "all",
                          "rate": [0.8, 0.9, 0.85]})
    keyed_chart = trend_chart(frame, "rate", "CSAT % by time to first response (business hours)", "CSAT",
                              as_percent=True, note="answers scoring 4-5")
    wrapped = title_wrapped(keyed_chart).to_dict()
    assert wrapped["title"] == {"text": ["CSAT % by time to first", "response (business hours)"],
                                "subtitle": "answers scoring 4-5"}
    assert wrapped["usermeta"]["frame_px"] == CHART_FRAME_PX + SUBTITLE_PX + 18
    bare = trend_chart(frame, "rate", "Repeat rate by provider department", "Repeat rate", as_percent=True)
    assert title_wrapped(bare).to_dict()["title"] == {"text": ["Repeat rate by provider", "department"]}
    short = trend_chart(frame, "rate", "CSAT % by week", "CSAT", as_percent=True)
    assert title_wrapped(short).to_dict() == short.to_dict()


def test_levelled_charts_take_as_many_subtitle_lines_and_as_much_room():
    frame = pd.DataFrame({"week_start": pd.date_range("2026-08-24", periods=3, freq="7D"), "segment": "all",
                          "rate": [0.8, 0.9, 0.85]})
    keyed_chart = trend_chart(frame, "rate", "CSAT % by week", "CSAT", as_percent=True, goal=0.85,
                              note="answers scoring 4-5")
    bare = trend_chart(frame, "rate", "Mean score by week (1-5)", "Mean score")
    left, right = levelled(keyed_chart, bare)
    assert left.to_dict() == keyed_chart.to_dict()
    assert right.to_dict()["title"] == {"text": "Mean score by week (1-5)", "subtitle": [" "]}
    frames = [chart.to_dict()["usermeta"]["frame_px"] for chart in (left, right)]
    assert frames == [CHART_FRAME_PX + SUBTITLE_PX] * 2


def test_charts_side_by_side_wrap_their_titles_then_take_as_many_title_lines():
    frame = pd.DataFrame({"value": ["met", "breached"], "csat": [0.8, 0.6], "n_answers": [100, 40]})
    short = rate_bars(frame, "value", "csat", "n_answers", "CSAT % by SLA met or breached", "SLA", "CSAT %",
                      min_count=30)
    long = rate_bars(frame, "value", "csat", "n_answers", "CSAT % by time to first response (business hours)",
                     "Time", "CSAT %", min_count=30)
    left, right = side_by_side(short, long)
    assert right.to_dict()["title"]["text"] == ["CSAT % by time to first", "response (business hours)"]
    # The one-line title gets a blank line after it, so both subtitles, and both plots, start level.
    assert left.to_dict()["title"]["text"] == ["CSAT % by SLA met or breached", " "]
    assert left.to_dict()["title"]["subtitle"] == short.to_dict()["title"]["subtitle"]
    frames = [chart.to_dict()["usermeta"]["frame_px"] for chart in (left, right)]
    assert frames == [CHART_FRAME_PX + TITLE_LINE_PX] * 2
