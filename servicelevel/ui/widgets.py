"""Small Streamlit building blocks used by every page: KPI tiles, tables with downloads, empty states."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import altair as alt
import pandas as pd
import streamlit as st

from servicelevel.charts import CHART_FRAME_PX
from servicelevel.definitions import POLICY_CLOCK, definition
from servicelevel.fields import VALUE_LABELS
from servicelevel.filters import Period, Selection
from servicelevel.kpis import Tile
from servicelevel.rounding import half_up
from servicelevel.settings import organisation
from servicelevel.tables import blanks_named
from servicelevel.ui.data import info, run_query
from servicelevel.weekly import why_empty
from servicelevel.wording import sentence_start, sources_have


# A tile's width: three to a row beside the sidebar at 1024 pixels (564 of content, room for a
# scroll bar), four at 1280 (820), more on wider screens. Tiles in equal columns shrank to 130
# pixels at 1024 and cut their headings and values short ("Resolutio…", "53,8…"); a heading must
# fit in 115 pixels, beside its help mark.
TILE_WIDTH_PX = 170


def kpi_tiles(tiles: list[Tile], more: dict[str, str] | None = None) -> None:
    """Tiles side by side, wrapping onto as many rows as the page's width needs: value, change, goal,
    the count behind it, a sparkline. The change carries no "vs previous week" of its own (the
    caption above the tiles says what they are compared with). `more` adds a link (links.same_tab) to
    what lies behind a number to the caption of the tiles whose keys it names."""
    with st.container(horizontal=True):
        for tile in tiles:
            with st.container(width=TILE_WIDTH_PX):
                tile_metric(tile)
                caption = " · ".join(part for part in (tile.caption(), (more or {}).get(tile.key, "")) if part)
                if caption:  # numbers and words of ours, and links.same_tab's HTML
                    st.caption(caption, unsafe_allow_html=True)


def tile_metric(tile: Tile, sparkline: bool = True) -> None:
    """A tile's value, its change (coloured only where it is news) and sparkline (unless a chart
    of the same weeks is close by), in the current container; its caption is the caller's."""
    series = [v for v in tile.series if v is not None and not pd.isna(v)] if sparkline else []
    drawn = len(series) > 1
    # Each sparkline fits its own weeks to its height: a one-point wobble fills it as a fall of ten would.
    scale_note = (f" The line under the value: the last {len(tile.series)} weeks, on a scale of its own that "
                  "their lowest and highest fill, so a small move can look large." if drawn else "")
    st.metric(
        tile.heading or tile.label,
        tile.format_value(),
        delta=tile.format_delta(),
        # Neither good nor bad news (no change, or more volume): grey, not red or green.
        delta_color=("normal" if tile.higher_is_better else "inverse") if tile.change_is_news else "off",
        delta_arrow="off" if tile.shows_no_change else "auto",
        help=tile.help + scale_note,
        border=True,
        chart_data=series if drawn else None,
        chart_type="line",
    )


# A link to a section (sla#promises) scrolls there as soon as its heading arrives, but the tables
# and charts above it are drawn later, growing from small placeholders, and push it out of view.
# Once nothing is left to draw, this scrolls to it again: once per section and browser tab, so
# that a later rerun (a widget changed, the link still in the address bar) does not jump back.
SCROLL_TO_LINKED_SECTION = """<script>
(() => {
  const id = decodeURIComponent(window.location.hash.slice(1));
  window.linkedSectionsShown = window.linkedSectionsShown || new Set();
  if (!id || window.linkedSectionsShown.has(id)) return;
  window.linkedSectionsShown.add(id);
  let waited = 0;
  const timer = setInterval(() => {
    waited += 250;
    const section = document.getElementById(id);
    if (section && !document.querySelector('[data-testid="stSkeleton"]') || waited >= 15000) {
      clearInterval(timer);
      if (section) section.scrollIntoView({block: "start"});
    }
  }, 250);
})();
</script>"""


def scroll_to_linked_section() -> None:
    """At a page's end: keep a link's section (#anchor) in view once the page is drawn."""
    st.html(SCROLL_TO_LINKED_SECTION, unsafe_allow_javascript=True)


# Characters Streamlit's Markdown gives a meaning to within a line: emphasis, strikethrough, code,
# links and directives (brackets), HTML, headings, tables, LaTeX. (List marks mean something only
# at a line's start, where a message never puts a value.)
MARKDOWN_MARKS = re.compile(r"([\\`*_\[\]<>#|~$])")


def as_typed(text: str) -> str:
    """Text someone typed, or an export's value, for a message rendered as Markdown: shown as it
    is, not as formatting ('a_b_' would lose its underscores and slant the rest)."""
    return MARKDOWN_MARKS.sub(r"\\\1", text)


def field_text(value, missing: str = "") -> str:
    """A field for a sentence: '' (or `missing`) where the export left it empty (None, NaN, NA)."""
    return missing if value is None or pd.isna(value) or value == "" else str(value)


def local_time(instant) -> str:
    """An instant as the pages write it: in the organisation's time zone, to the minute."""
    return f"{instant.astimezone(organisation().zone):%d %b %Y %H:%M}"


def table_time(instant) -> str:
    """An instant for a table cell of mixed values, written as the tables' time columns show it."""
    return "" if instant is None or pd.isna(instant) else f"{instant.astimezone(organisation().zone):%Y-%m-%d %H:%M}"


def hours_text(seconds) -> str:
    """A duration in seconds for a table cell of mixed values, in hours as the tables show them."""
    return "" if seconds is None or pd.isna(seconds) else f"{seconds / 3600:,.1f}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# Columns holding a fraction of 1, shown as percentages.
FRACTION_NAMES = {"adherence", "goal", "share", "csat", "csat_low", "csat_high"}
FRACTION_SUFFIXES = ("_adherence", "_goal", "_rate", " goal")


# Abbreviations in column names, spelled out (codes the data keeps: fields.VALUE_LABELS).
WORDS = {"frt": "first response time", "csat": "CSAT", "sla": "SLA", "nps": "NPS"}


# A table's time column, in pixels: a minute-precise local time and its sort arrow.
DATETIME_WIDTH_PX = 140

# How a table shows a share held as a fraction: in points, one decimal (presented() scales it).
PERCENT_SHOWN = "%.1f%%"

# An adherence matrix counts requests by creation and targets by decision; renamed so, its
# table's labels say which is which ("created", "targets met", "targets breached").
MATRIX_COUNTS = {"n_requests": "n_created", "n_met": "n_targets_met", "n_breached": "n_targets_breached"}


def movers_columns(now: str, before: str) -> dict:
    """Column labels for a movers table (movers.adherence_movers) comparing `now` with `before`,
    e.g. 'this week' with 'week before'."""
    number = st.column_config.NumberColumn
    return {
        "adherence_now": number(f"adherence {now}", format="percent"),
        "adherence_before": number(f"adherence {before}", format="percent"),
        "change_pp": number("change (pp)", format="%+.1f"),
        "could_be_chance": st.column_config.CheckboxColumn("could be chance", help=definition("could_be_chance")),
        "n_decided_now": number(f"decided {now}", format="localized"),
        "n_breached_now": number(f"breached {now}", format="localized"),
        "n_decided_before": number(f"decided {before}", format="localized"),
        "n_breached_before": number(f"breached {before}", format="localized"),
    }


def column_label(name: str) -> str:
    """A column name as people read it: 'n_decided_now' -> 'decided now', 'target_hours' -> 'target (h)',
    'median_frt_business_hours' -> 'median first response time (business h)', 'is_stopped' -> 'stopped'."""
    label = name.removeprefix("n_").removeprefix("is_")
    if label.startswith("fr_"):
        label = "first response " + label[3:]
    elif label.startswith("res_"):
        label = "resolution " + label[4:]
    clock = next((c for c in ("business", "calendar") if label.endswith(f"_{c}_hours")), None)
    if clock:
        label = label.removesuffix(f"_{clock}_hours") + f" ({clock} h)"
    elif label.endswith("_hours"):
        label = label.removesuffix("_hours") + " (h)"
    return " ".join(WORDS.get(word, word) for word in label.replace("_", " ").split(" "))


def presented(frame: pd.DataFrame, column_config: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """The frame as a table shows it, and the column settings that go with it.

    Durations held in seconds (*_secs) become hours (*_hours); instants are shown in the
    organisation's time zone; fractions as percentages; codes spelled out; a missing agent,
    category, priority or provider department named as the breakdowns name it; every column
    gets a readable label. Settings a page passes win; the request id is hidden where a request link
    already shows it.
    """
    zone = organisation().timezone
    # Counts that a sum made decimal (3.0 answers) are counts again, in the table and its file.
    frame = frame.assign(**{
        name: frame[name].astype("Int64") for name in frame.columns
        if name.startswith("n_") and pd.api.types.is_float_dtype(frame[name])
        and (frame[name].dropna() == frame[name].dropna().round()).all()
    })
    frame = blanks_named(frame)
    out = spelled_out(frame)
    config: dict = {}
    for name in frame.columns:
        if name.endswith("_secs") and pd.api.types.is_numeric_dtype(frame[name]):
            hours = name.removesuffix("_secs") + "_hours"
            out[name] = frame[name] / 3600
            out = out.rename(columns={name: hours})
            # "business h" of an around-the-clock policy are every hour: the header says so on hover.
            config[hours] = st.column_config.NumberColumn(
                column_label(hours), format="%.1f",
                help=POLICY_CLOCK if hours.endswith("_business_hours") else None)
        elif isinstance(frame[name].dtype, pd.DatetimeTZDtype):
            out[name] = frame[name].dt.tz_convert(zone)
            # Wide enough for "2026-11-16 14:05" whatever the header: sized to fit, it was cut.
            config[name] = st.column_config.DatetimeColumn(column_label(name), format="YYYY-MM-DD HH:mm",
                                                           width=DATETIME_WIDTH_PX)
        elif pd.api.types.is_float_dtype(frame[name]) and (
            name in FRACTION_NAMES or name.endswith(FRACTION_SUFFIXES)
        ):
            config[name] = st.column_config.NumberColumn(column_label(name), format="percent")
        elif pd.api.types.is_integer_dtype(frame[name]) and not name.endswith(("_id", "line")):
            # Counts with thousands separators (23,776), as the tiles write them; ids and line
            # numbers stay as the exports and error messages give them.
            config[name] = st.column_config.NumberColumn(column_label(name), format="localized")
        elif pd.api.types.is_float_dtype(frame[name]):
            config[name] = st.column_config.NumberColumn(column_label(name), format="%.2f")
        else:
            config[name] = st.column_config.Column(column_label(name))
    if "request" in frame.columns and "request_id" in frame.columns:
        config["request_id"] = None
    config.update(column_config or {})
    # A goal nobody typed (89.3 %) is the decided targets' own goals averaged: say so where it
    # shows, under whatever label a page gives the column.
    for name in out.columns:
        if (name == "goal" or name.endswith(("_goal", " goal"))) and config.get(name) and not config[name].get("help"):
            config[name] = {**config[name], "help": definition("goal")}
    # The row's name stays in view when a wide table (half a page wide) scrolls sideways.
    first = next((name for name in out.columns if config.get(name) is not None), None)
    if first is not None and _is_text(out[first]) and config[first].get("pinned") is None:
        config[first] = {**config[first], "pinned": True}
    # Streamlit's "percent" shows as many decimals as a value has (91 %, 91.3 %, 86.21 %): every
    # percentage is shown in points to one decimal instead.
    # (A progress bar's bounds are scaled with its values.)
    for name, spec in config.items():
        type_config = (spec or {}).get("type_config") or {}
        if type_config.get("format") == "percent" and name in out and pd.api.types.is_numeric_dtype(out[name]):
            out[name] = out[name] * 100
            bounds = {k: type_config[k] * 100 for k in ("min_value", "max_value") if type_config.get(k) is not None}
            config[name] = {**spec, "type_config": {**type_config, **bounds, "format": PERCENT_SHOWN}}
    # Decimals are rounded here, halves up, to the places shown: the browser then formats a
    # number already rounded, and the download (csv_of) holds that same number.
    for name, spec in config.items():
        places = _places(((spec or {}).get("type_config") or {}).get("format") or "")
        if places is not None and name in out and pd.api.types.is_float_dtype(out[name]):
            out[name] = half_up(out[name], places)
    return out, config


def _places(shown_as: str) -> int | None:
    """The decimals of a printf format ('%.1f', '%.1f%%'); None for any other."""
    fixed = re.fullmatch(r"%[+]?\.(\d+)f(%%)?", shown_as)
    return int(fixed.group(1)) if fixed else None


def _is_text(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column)


def spelled_out(frame: pd.DataFrame) -> pd.DataFrame:
    """Chart data with the codes the data keeps (in_house, walk_in, ...) as tables print them."""
    return frame.assign(**{name: frame[name].replace(VALUE_LABELS) for name in frame.columns if _is_text(frame[name])})


def csv_of(frame: pd.DataFrame, column_config: dict | None = None) -> bytes:
    """A presented table as its download, reading as the table does: its column labels,
    percentages in percent, times in the organisation's zone to the minute (the zone in the
    header). Link columns (page-relative URLs, useless in a file) are left out; the ids the table
    hides behind a request link stay."""
    config = column_config or {}
    links = [name for name in frame.columns
             if ((config.get(name) or {}).get("type_config") or {}).get("type") == "link"
             or (name == "request" and {"source", "request_id"} <= set(frame.columns))]
    # Columns the table hides are not shown, so not downloaded either; but for the link's ids.
    hidden = [name for name in frame.columns if name in config and config[name] is None
              and not (links and name in ("source", "request_id"))]
    out = frame.drop(columns=links + hidden)
    labels = {}
    for name in out.columns:
        spec = config.get(name) or {}
        label = spec.get("label") or column_label(name)
        shown_as = (spec.get("type_config") or {}).get("format") or ""
        if shown_as == PERCENT_SHOWN and pd.api.types.is_numeric_dtype(out[name]):
            out[name] = _as_shown(out[name], shown_as)
            label = label if "%" in label else f"{label} (%)"
        elif isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.strftime("%Y-%m-%d %H:%M")
            label = f"{label} ({organisation().timezone})"
        elif pd.api.types.is_float_dtype(out[name]):
            out[name] = _as_shown(out[name], shown_as)
            if _places(shown_as) == 0:  # shown without decimals (+83): written so too, not 83.0
                out[name] = out[name].astype("Int64")
        labels[name] = label
    return out.rename(columns=labels).to_csv(index=False).encode("utf-8")


def _as_shown(numbers: pd.Series, shown_as: str) -> pd.Series:
    """Numbers to the precision the table shows: a printf format's decimals ('%.1f') or significant
    digits ('%.2g'), else two decimals."""
    precision = re.search(r"%[+]?\.(\d+)([fg])", shown_as)
    if precision and precision.group(2) == "g":
        return numbers.map(lambda v: float(f"{v:.{precision.group(1)}g}"), na_action="ignore")
    return half_up(numbers, int(precision.group(1)) if precision else 2)


# Session keys of what a page's downloads are for ('2026-W46-procurement'; '' where the period and
# filters do not matter) and of its filters alone ('procurement'), set by frame.selection() and
# frame.filters_not_used_here().
DOWNLOAD_SCOPE_KEY = "_download_scope"
DOWNLOAD_FILTERS_KEY = "_download_filters"


def download_name(name: str, as_of: datetime | None = None) -> str:
    """The CSV's file name: the table's, then the page's period and filters; a table counted at an
    instant rather than over the period ('now') is named for that instant instead of the period
    (sla-at-risk-as-of-2026-11-18-1154-procurement.csv), so it is not taken for the week's."""
    scope = st.session_state.get(DOWNLOAD_SCOPE_KEY, "")
    if as_of is not None:
        instant = f"as-of-{as_of.astimezone(organisation().zone):%Y-%m-%d-%H%M}"
        scope = "-".join(part for part in (instant, st.session_state.get(DOWNLOAD_FILTERS_KEY, "")) if part)
    return "-".join(part for part in (slug(name), scope) if part) + ".csv"


def table(
    frame: pd.DataFrame,
    name: str,
    *,
    column_config: dict | None = None,
    caption: str | None = None,
    caption_links: bool = False,
    height: int | str = "auto",
    as_of: datetime | None = None,
    wrapped: bool = False,
) -> None:
    """A table with a CSV download of what is shown (labels, durations in hours, percentages, local
    times; request ids instead of links), its file named for the page's period and filters too
    (broken-promises-2026-W45-procurement.csv), so that downloads of two views do not clash; or,
    for a table counted at an instant (`as_of`), for that instant and the filters. `caption_links`:
    the caption holds links.same_tab's HTML, and any data in it is escaped. `wrapped`: a short table
    of sentences, drawn whole as a static table (the grid cuts a cell's text at its column's width)."""
    frame, column_config = presented(frame, column_config)
    if wrapped:
        labels = {name: config["label"] for name, config in column_config.items()
                  if isinstance(config, dict) and config.get("label")}
        st.table(frame.rename(columns=labels), hide_index=True, border="horizontal")
    else:
        # Missing values as empty cells, not the word "None".
        st.dataframe(frame, hide_index=True, column_config=column_config, width="stretch", height=height,
                     placeholder="")
    if caption:
        st.caption(caption, unsafe_allow_html=caption_links)
    st.download_button(
        "Download CSV",
        csv_of(frame, column_config),
        file_name=download_name(name, as_of),
        mime="text/csv",
        key=f"download-{slug(name)}",
        icon=":material/download:",
    )


def chart(spec: alt.TopLevelMixin) -> None:
    """An Altair chart at the container's width. A fixed plot height in the specification is
    handed to Streamlit as the element's height (plus room for title and axes): fitted to the
    container, the specification's own height also had to hold the title, which was cut. Charts
    beside each other go through charts.levelled (or side_by_side) first."""
    height = getattr(spec, "height", alt.Undefined)
    meta = getattr(spec, "usermeta", alt.Undefined)
    frame = meta.get("frame_px", CHART_FRAME_PX) if isinstance(meta, dict) else CHART_FRAME_PX
    if isinstance(height, int):
        st.altair_chart(spec, width="stretch", height=height + frame)
    else:
        st.altair_chart(spec, width="stretch")


# What a page suggests after saying why it has nothing to show (weekly.why_empty's cases).
EMPTY_ADVICE = {"no_data": " Pick another week or range.", "filtered": " Widen the filters in the sidebar.", "none": ""}


def explain_empty(selection: Selection, what: str) -> None:
    """Say why there is nothing to show: no data in the period, or the filters exclude it all."""
    message, kind = why_empty(run_query, selection, what)
    st.info(message + EMPTY_ADVICE[kind])


def good_news(selection: Selection, message: str, what: str) -> None:
    """`message` as good news (nothing breached, nothing at risk) when the selection holds requests;
    when the period or the filters hold none, why there is nothing, not a green all-clear."""
    _unless_excluded(selection, what, lambda: st.success(message))


def good_news_about_open_work(selection: Selection, message: str, what: str, at: datetime) -> None:
    """good_news for work open at the instant `at` (the backlog, the at-risk list, what needs
    attention now): it may have been created any time before `at`, so whether the filters exclude
    everything is judged from the data's first day to `at`'s, not over the period shown."""
    zone = selection.period.timezone
    last_day = at.astimezone(ZoneInfo(zone)).date()
    first_day = info().first_date(zone) or last_day
    good_news(selection.over(Period(min(first_day, last_day), last_day + timedelta(days=1), zone)), message, what)


def nothing_recorded(selection: Selection, message: str, what: str) -> None:
    """`message` (why the selection's requests have none of `what`) when it holds requests; else,
    in the same words as every other section, that the period or the filters hold none."""
    _unless_excluded(selection, what, lambda: st.info(message))


def _unless_excluded(selection: Selection, what: str, say) -> None:
    text, kind = why_empty(run_query, selection, what)
    if kind == "none":
        say()
    else:
        st.info(text + EMPTY_ADVICE[kind])


def lacking_note(lacking: dict[str, list[str]], field: str, meaning: str, counted_as: str | None = None) -> None:
    """A caption naming the sources that lack a field a chart needs (instead of a chart of zeros),
    or, where the chart keeps their rows under a label such as 'not recorded', saying so."""
    sources = lacking.get(field, [])
    if not sources:
        return
    one = len(sources) == 1
    if counted_as:
        st.caption(f"{sources_lack(sources)} {meaning}: {'its' if one else 'their'} answers are counted as "
                   f"'{counted_as}'.")
    else:
        st.caption(f"{sources_lack(sources)} {meaning}.")


def sources_lack(sources: list[str]) -> str:
    """'Source jira has no', 'Sources jira, desk have no' (wording.sources_have)."""
    said = sources_have(sources)
    return f"{sentence_start(said)} no"
