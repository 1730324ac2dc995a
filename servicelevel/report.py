"""The weekly report leadership forwards: one document per (week, filters), as HTML, PDF or Markdown.

The numbers come from servicelevel.weekly, the code the weekly overview page runs, and the
charts are the page's own Altair specifications rendered to PNG by vl-convert (no browser).
build_document() turns a WeeklyView into a Document, a list of sections holding only formatted
text, tables, tiles and charts; each format is a rendering of that one Document, so the three
say the same thing in the same words:

    HTML      inline styles and inline (base64) images: one file that opens anywhere
    PDF       fpdf2 (pure Python; its core Helvetica font): every section group on a new page
    Markdown  for chat tools: tables, the trends as sparklines instead of images
"""

from __future__ import annotations

import base64
import decimal
import html
import json
import math
import re
import struct
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Iterable

import altair as alt
import duckdb
import pandas as pd

from servicelevel import attention, breakdown, charts, queries, recurring, viewlinks, weekly
from servicelevel.definitions import OVERRUN
from servicelevel.filters import Filters, Selection, filter_slugs, iso_week_code
from servicelevel.kpis import Tile
from servicelevel.movers import CHANCE_NOTE
from servicelevel.rounding import half_up
from servicelevel.settings import Organisation
from servicelevel.tables import blanks_named
from servicelevel.wording import all_of, reason_words, sentence_start, the_first

FORMATS = ("html", "pdf", "md")
MIME = {"html": "text/html", "pdf": "application/pdf", "md": "text/markdown"}
REPORT_BREACHES = 10
REPORT_EMERGING = 8
REPORT_SLIPPED = 8
REPORT_SOURCE_SPLITS = ("category", "agent")  # where a slipped department's extra breaches are
REPORT_REJECTED = 12
COMMENT_CHARS = 160
CHART_WIDTH_PX = 380  # the plot's width; the legend adds to it
NO_WRAP_MAX_CHARS = 24  # longer words may wrap, rather than widen a table past the page
CHART_SCALE = 2  # PNG pixels per CSS pixel: sharp in print
SPARKS = "▁▂▃▄▅▆▇█"


# --------------------------------------------------------------------------------------
# The document: what the report says, already formatted


class Link(str):
    """A table cell or a line under the title that links back to the dashboard: its text, with
    the view it opens in `url`."""

    url: str

    def __new__(cls, text: str, url: str) -> "Link":
        link = super().__new__(cls, text)
        link.url = url
        return link


@dataclass(frozen=True)
class DashboardLinks:
    """Where the report's departments and requests open in the dashboard, for its week and
    filters; plain text when the dashboard's address is not known (`base` None)."""

    base: str | None
    week: str  # 2026-W46
    filters: Filters

    def overview(self) -> str | None:
        """A line under the title: the same week and filters on the weekly overview."""
        if self.base is None:
            return None
        return Link("Open this week in the dashboard", viewlinks.view_url(self.base, "", self.week, self.filters))

    def department(self, name: str) -> str:
        """A provider department, linking to what moved its adherence (SLA adherence page)."""
        if self.base is None:
            return name
        return Link(name, viewlinks.what_moved_url(self.base, self.week, self.filters, name))

    def sla_section(self, text: str, anchor: str, week: str | None = None) -> str:
        """`text` linking to a section of the SLA adherence page for the report's week (or `week`)
        and filters: the whole list a section of the report shows the first rows of."""
        if self.base is None:
            return text
        return Link(text, viewlinks.view_url(self.base, "sla", week or self.week, self.filters, anchor))

    def request(self, source: str, request_id: str) -> str:
        """'jira PROC-5493', linking to the request's timeline."""
        text = f"{source} {request_id}"
        return text if self.base is None else Link(text, viewlinks.request_url(self.base, source, request_id))


@dataclass(frozen=True)
class Text:
    text: str
    tone: str = "body"  # body | note | good | bad | notice


@dataclass(frozen=True)
class TileText:
    key: str
    label: str
    value: str
    delta: str  # '' when there is no previous week to compare with (or it is not compared)
    no_delta: str  # said instead, e.g. "no week before to compare"
    tone: str  # good | bad | same | '' (the change read against the KPI's direction)
    goal: str
    basis: str  # the count the value rests on, and whether it is too small to trust
    spark: str  # the trend window as a text sparkline (Markdown)
    trend: str = ""  # the trend window's two ends, e.g. "93.3% → 77.7% (first 4 weeks against last 4 of 12)"
    change_note: str = ""  # why a change is grey where chance alone says so: "change could be chance"

    @property
    def small_print(self) -> tuple[str, ...]:
        """The lines under the change, as the dashboard's caption orders them."""
        return tuple(text for text in (self.goal, self.basis, self.change_note, self.trend) if text)


@dataclass(frozen=True)
class Tiles:
    tiles: tuple[TileText, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]  # right-aligned columns
    widths: tuple[float, ...]  # relative column widths (PDF)

    def without(self, column: str) -> "Table":
        """The table less one column (a department's own report leaves out the provider column,
        which would name it on every row)."""
        if column not in self.columns:
            return self
        i = self.columns.index(column)
        drop = lambda values: values[:i] + values[i + 1:]  # noqa: E731
        return Table(drop(self.columns), tuple(drop(row) for row in self.rows), drop(self.numeric), drop(self.widths))


PROVIDER_COLUMN = "Provider department"


def _for_provider(table: Table, filters: Filters) -> Table:
    """The request table as a report for one provider department shows it: without that column."""
    return table.without(PROVIDER_COLUMN) if len(filters.provider_departments) == 1 else table


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    spec: alt.TopLevelMixin


@dataclass(frozen=True)
class Charts:
    charts: tuple[Chart, ...]
    fallback: tuple[Text, ...] = ()  # what Markdown says instead of the images
    caption: str = ""  # how to read the images (not said where they are not drawn)


Block = Text | Tiles | Table | Charts


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    title: str
    lines: tuple[str, ...]  # under the title: organisation, week, scope, as-of
    sections: tuple[Section, ...]


# --------------------------------------------------------------------------------------
# From the numbers to the document


def generate(con: duckdb.DuckDBPyConnection, selection: Selection, org: Organisation, fmt: str,
             dashboard_url: str | None = None) -> bytes:
    """The report for a selection as bytes in one of FORMATS, computed on its own cursor; with the
    dashboard's address (`dashboard_url`), its departments and requests link back to it."""
    cursor = con.cursor()
    try:
        run = lambda name, params: queries.run(cursor, name, params)  # noqa: E731
        view = weekly.weekly_view(run, selection, org)
        sources = slip_sources(run, view)
        now = None if view.empty is not None else attention.attention(run, selection)
    finally:
        cursor.close()
    return render(build_document(view, sources, now, dashboard_url), fmt)


def slip_sources(run: weekly.Runner, view: weekly.WeeklyView) -> dict[str, tuple[breakdown.Breakdown, ...]]:
    """For each slipped department the report lists, where its extra breaches are: one breakdown
    per REPORT_SOURCE_SPLITS (four queries in all)."""
    if view.slipping is None or view.slipping.departments.empty:
        return {}
    departments = view.slipping.departments["department"].head(REPORT_SLIPPED).tolist()
    splits = [breakdown.per_department(run, view.selection, view.week, dimension, departments)
              for dimension in REPORT_SOURCE_SPLITS]
    return {department: tuple(split[department] for split in splits) for department in departments}


def render(document: Document, fmt: str) -> bytes:
    """The document in one of FORMATS."""
    if fmt == "html":
        return to_html(document).encode("utf-8")
    if fmt == "md":
        return to_markdown(document).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(document)
    raise ValueError(f"unknown report format '{fmt}': choose one of {', '.join(FORMATS)}")


def week_code(selection: Selection) -> str:
    """'2026-W46': the ISO week the report is about (for a custom range, see weekly.focus_week)."""
    return iso_week_code(weekly.focus_week(selection).start)


def file_name(selection: Selection, fmt: str) -> str:
    """weekly-report-2026-W46[-procurement][-internal][-filtered].<fmt>"""
    return "-".join(["weekly-report", week_code(selection), *filter_slugs(selection.filters)]) + f".{fmt}"


def title_of(selection: Selection, org: Organisation) -> str:
    """The report's title: the department(s) it is for, else the organisation, and any other
    filter, so that a forwarded copy does not pass for the whole organisation's."""
    departments = selection.filters.provider_departments
    others = replace(selection.filters, provider_departments=())
    scope = "" if others == Filters() else f" · {others.describe()}"
    return f"Weekly service report: {', '.join(departments) if departments else org.name}{scope}"


def build_document(view: weekly.WeeklyView,
                   sources: dict[str, tuple[breakdown.Breakdown, ...]] | None = None,
                   now: attention.Attention | None = None, dashboard_url: str | None = None) -> Document:
    """The report's sections for a computed weekly view (and where its slipped departments' extra
    breaches are: slip_sources(); what needs attention now: attention.attention()), linking back
    to the dashboard at `dashboard_url` when given."""
    selection, org, kpis = view.selection, view.org, view.kpis
    zone = org.zone
    links = DashboardLinks(dashboard_url, iso_week_code(kpis.week.start), selection.filters)
    departments = selection.filters.provider_departments
    lines = [f"{org.name + ' · ' if departments else ''}{kpis.week.label()} · compared with the week before"]
    if departments:
        lines.append(f"Department report for {', '.join(departments)}: the requests "
                     f"{'this department' if len(departments) == 1 else 'these departments'} served "
                     "(provider department).")
    lines.append(f"Scope: {selection.filters.describe()}.")
    range_note = weekly.custom_range_note(selection, kpis.week, document="weekly report")
    if range_note:
        lines.append(range_note)
    lines.append(f"Times in {org.timezone}. Running SLAs judged as of {selection.as_of.astimezone(zone):%d %b %Y %H:%M} "
                 "(the data's newest timestamp, or the moment of writing if earlier).")
    unfinished = weekly.unfinished_note(selection, kpis.week)
    if unfinished:
        lines.append(unfinished)
    overview = links.overview()
    if overview:
        lines.append(overview)
    if view.empty is not None:
        sections = (
            Section("Nothing to report this week", (
                Text(view.empty, "notice"),
                Text("Widen the filters for a report with numbers." if view.empty_kind == "filtered"
                     else "Pick another week for a report with numbers."),
            )),
            _basis_section(view.basis, zone),
        )
        return Document(title_of(selection, org), tuple(lines), sections)
    sections = (
        Section("In brief", tuple(Text(line) for line in view.brief)),
        Section("Key numbers", (
            Tiles(tuple(_tile_text(t) for t in kpis.tiles)),
            Text("Each tile: this week's value, its change from the week before (pp: percentage points, the "
                 "difference between two percentages as shown), the goal where one exists, and the count it rests "
                 "on. Adherence counts the SLA targets decided this week; CSAT the survey answers submitted this "
                 "week. An adherence goal blends the policies' own goals: their average over the targets decided.",
                 "note"),
        )),
        _segment_section(view),
        _slipped_section(view.slipping, sources or {}, links),
        _every_department_section(view.slipping, links),
        _trend_section(kpis),
        _breach_section(view, links),
        *_broken_promises_section(view, zone, links),
        *((_attention_section(now, zone, links),) if now is not None else ()),
        _emerging_section(view.emerging),
        _feedback_section(view.feedback, zone),
        _basis_section(view.basis, zone),
    )
    return Document(title_of(selection, org), tuple(lines), sections)


def _tone(tile: Tile) -> str:
    delta = tile.delta
    if delta is None:
        return ""
    if not tile.change_is_news:
        return "same"
    return "good" if (delta > 0) == tile.higher_is_better else "bad"


def _spark(values: Iterable[float | None]) -> str:
    present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not present:
        return ""
    low, high = min(present), max(present)
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(" ")
        elif high == low:
            out.append(SPARKS[3])
        else:
            out.append(SPARKS[round((v - low) / (high - low) * (len(SPARKS) - 1))])
    return "".join(out)


def _tile_text(tile: Tile) -> TileText:
    return TileText(
        key=tile.key,
        label=tile.label,
        value=tile.format_value(),
        delta=tile.format_delta() or "",
        no_delta=tile.no_change_note,
        tone=_tone(tile),
        goal=tile.goal_text(),
        basis=tile.basis(),
        spark=_spark(tile.series),
        trend=tile.trend_said(always=True),
        change_note=tile.change_said(),
    )


def _goal_short(tile: Tile) -> str:
    if tile.goal is None:
        return ""
    if tile.meets_goal is None:
        return tile.format_value(tile.goal)
    judged = ("met" if tile.meets_goal else "below") if tile.goal_is_clear else "too few to judge"
    return f"{tile.format_value(tile.goal)}, {judged}"


def _segment_section(view: weekly.WeeklyView) -> Section:
    by_segment = view.by_segment or {}
    segments = list(by_segment)
    only = view.kpis.only_segment
    if only is not None:  # its table would repeat the key numbers
        return Section(f"{only.capitalize()} customers", (
            Text(f"Every request in this report is from {only} requesters: the key numbers above are theirs."),))
    columns, numeric, widths = ["KPI"], [False], [2.4]
    for segment in segments:
        columns += [f"{segment.capitalize()} requesters", "Change", "Goal"]
        numeric += [True, True, True]
        widths += [1.1, 0.9, 1.1]
    rows = []
    for i, label in enumerate(t.label for t in view.kpis.tiles):
        row = [label]
        for segment in segments:
            tile = by_segment[segment][i]
            row += [tile.format_value() + (" *" if tile.too_small else ""), tile.format_delta() or "–",
                    _goal_short(tile) or "–"]
        rows.append(tuple(row))
    title = "Internal and external customers" if len(segments) > 1 else f"{segments[0].capitalize()} customers"
    note = Text("The same tiles per requester type: internal customers are other departments of the organisation "
                "(their targets are internal agreements), external ones are customers. Change: from the week before; "
                "goal: the policies' own goals for that requester type. *: too few to trust (fewer than "
                f"{view.org.min_count} behind the value).", "note")
    mix = tuple(Text(text, "note") for text in view.kpis.mix_notes)
    return Section(title, (Table(tuple(columns), tuple(rows), tuple(numeric), tuple(widths)), note, *mix))


def _str(value) -> str:
    """A cell's text; '–' for a missing value (None, NaN)."""
    return "–" if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)


def _pct(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{half_up(value, 3):.1%}"


def _source_text(department: str, splits: tuple[breakdown.Breakdown, ...]) -> str | None:
    """'Procurement: 134 breaches more than its earlier adherence would give in the last 4 weeks.
    Largest by category: Purchase request +68, ...; by agent: ...' (every split has the same total);
    None when the department's spans cannot be compared."""
    first = splits[0]
    if first.extra_breaches is None:
        return None
    extra = int(half_up(first.extra_breaches, 0))
    said = [f"{department}: {breakdown.breaches_text(abs(extra))} {'fewer' if extra < 0 else 'more'} than its "
            f"earlier adherence would give in the last {weekly.RECENT_WEEKS} weeks."]
    partial = weekly.partial_baseline_note(first.baseline, first.data_from)
    if partial:
        said.append(partial)
    largest = [f"by {breakdown.SPLITS[split.dimension][0]}: {split.most_extra()}" for split in splits
               if split.most_extra()]
    said.append(f"Largest {'; '.join(largest)}." if largest else
                f"No {' or '.join(breakdown.SPLITS[s.dimension][0] for s in splits)} has {first.min_decided} decided "
                "targets in both spans, so none is named.")
    said += [sentence_start(gone) + "." for split in splits if (gone := split.gone())]
    return " ".join(said)


def _slipped_section(slipping: weekly.Slipping, sources: dict[str, tuple[breakdown.Breakdown, ...]],
                     links: DashboardLinks) -> Section:
    title = "Departments that slipped"
    fell = slipping.departments
    if fell.empty:  # good news only when no department is far below its goal either (In brief names them)
        return Section(title, (Text(slipping.verdict(), "good" if slipping.all_clear else "note"),
                               Text(slipping.note(), "note")))
    recent = f"last {weekly.RECENT_WEEKS} weeks"
    shown = fell.head(REPORT_SLIPPED)
    more = "" if len(shown) == len(fell) else f" The first {len(shown)} are listed."
    rows = tuple(
        (links.department(str(r.department)), _pct(r.adherence_now), _pct(r.adherence_before), f"{r.change_pp:+.1f}",
         "yes" if r.could_be_chance else "no", f"{int(r.n_breached_now):,} of {int(r.n_decided_now):,}")
        for r in shown.itertuples(index=False)
    )
    lines = [line for department in shown["department"] if department in sources
             and (line := _source_text(department, sources[department]))]
    return Section(title, (
        Table(("Provider department", f"Adherence, {recent}", f"{weekly.BASELINE_WEEKS} weeks before", "Change (pp)",
               "Could be chance", f"Breached, {recent}"), rows, (False, True, True, True, False, True),
              (2.2, 1.2, 1.2, 1.0, 1.0, 1.4)),
        Text(f"{slipping.verdict()}{more} {slipping.note()} {CHANCE_NOTE}", "note"),
        *(Text(line) for line in lines),
        *((Text("Breaches more than the earlier adherence would give: the department's breaches over the last "
                f"{weekly.RECENT_WEEKS} weeks minus those its own adherence over the {weekly.BASELINE_WEEKS} weeks "
                "before would give on the targets decided since. The largest are named, three of each; they need "
                "not add up to the total, as a changed mix of work and values with too few targets also count. "
                "The SLA adherence page shows them all (What moved adherence).", "note"),) if lines else ()),
    ))


def _every_department_section(slipping: weekly.Slipping, links: DashboardLinks) -> Section:
    title = "Every department against its goal"
    standings = slipping.every_department
    if standings.empty:
        return Section(title, (Text(f"No provider department has {weekly.MOVERS_MIN_DECIDED} decided SLA targets and "
                                    f"a goal over the last {weekly.RECENT_WEEKS} weeks for this selection.", "note"),))
    columns = (("Provider department", False, 2.0), (f"Adherence, last {weekly.RECENT_WEEKS} weeks", True, 1.2),
               ("Goal", True, 0.8), ("Against goal (pp)", True, 1.0), ("Too few to trust", False, 0.8),
               (f"Change from the {weekly.BASELINE_WEEKS} weeks before (pp)", True, 1.5), ("Decided", True, 0.8))
    rows = [
        (links.department(str(r.department)), _pct(r.adherence), _pct(r.goal), f"{r.gap_pp:+.1f}",
         "yes" if r.too_few else "", "–" if pd.isna(r.change_pp) else f"{r.change_pp:+.1f}", f"{int(r.n_decided):,}")
        for r in standings.itertuples(index=False)
    ]
    if not standings["too_few"].any():  # an all-blank column reads as missing data; the note says none is
        columns = columns[:4] + columns[5:]
        rows = [row[:4] + row[5:] for row in rows]
    headers, right, widths = zip(*columns)
    return Section(title, (
        Table(headers, tuple(rows), right, widths),
        Text(slipping.every_department_note(), "note"),
    ))


def _trend_section(kpis: weekly.WeeklyKpis) -> Section:
    specs = weekly.trend_charts(kpis)
    fallback = tuple(Text(f"{t.label}: {_spark(t.series)}, {t.trend_said(always=True) or 'no trend'}")
                     for t in kpis.tiles)
    segments = " and ".join(kpis.segments)
    return Section(f"{len(kpis.overall)}-week trends", (
        Charts(tuple(Chart(key, charts.title_text(specs[key]), specs[key]) for key in weekly.TREND_CHARTS), fallback,
               caption=f"One line per requester type ({segments}); dashed: the goal."),
        Text(f"Week of {kpis.trend.start:%d %b} to the week of {kpis.week.start:%d %b %Y}.", "note"),
    ))


def _hours(secs) -> str:
    return "–" if secs is None or pd.isna(secs) else f"{half_up(secs / 3600, 1):,.1f} h"


# For instants within days of the report's data, whose year goes without saying (and would wrap
# a table's cell onto a second line).
DAY_AND_TIME = "%d %b %H:%M"


def _local(value, zone, fmt="%d %b %Y %H:%M") -> str:
    if value is None or pd.isna(value):
        return "–"
    return pd.Timestamp(value).to_pydatetime().astimezone(zone).strftime(fmt)


# What became of a breached target: (not stopped, stopped) per metric.
BREACH_NOW = {"first_response": ("no response yet", "answered late"), "resolution": ("still open", "resolved late")}


def _breach_section(view: weekly.WeeklyView, links: DashboardLinks) -> Section:
    breaches = view.breaches
    total = view.kpis.n_breaches
    if breaches is None or breaches.empty:
        return Section("Top breaches", (Text("No SLA breaches decided this week for this selection.", "good"),))
    shown = blanks_named(breaches.head(REPORT_BREACHES))
    rows = tuple(
        (links.request(r.source, r.request_id), str(r.metric).replace("_", " "), _str(r.provider_department),
         _str(r.requester), _str(r.agent), _str(r.category), _str(r.priority), _hours(r.target_secs),
         _hours(r.overrun_business_secs), BREACH_NOW[r.metric][bool(r.is_stopped)])
        for r in shown.itertuples(index=False)
    )
    return Section("Top breaches", (
        Text(f"The {len(shown)} largest overruns of the {total:,} SLA targets breached this week "
             f"({OVERRUN}; for one still open, up to the data's newest timestamp, not to the week's end)."),
        _for_provider(Table(
            ("Request", "Target", PROVIDER_COLUMN, "Requester", "Agent", "Category", "Priority", "Target time",
             "Overrun", "Now"), rows, (False, False, False, False, False, False, False, True, True, False),
            (1.5, 1.1, 1.5, 1.4, 1.3, 1.5, 0.9, 0.9, 0.9, 1.2)), view.selection.filters),
        Text(links.sla_section(f"Every one of the {total:,}: the SLA adherence page, Breaches of either target.",
                               viewlinks.BREACHES_ANCHOR), "note"),
    ))


def _broken_promises_section(view: weekly.WeeklyView, zone, links: DashboardLinks) -> tuple[Section, ...]:
    """The week's broken promises, in the tile's counts, by provider department and the first
    listed (none without a due date this week: the tile says that)."""
    tile = next(t for t in view.kpis.tiles if t.key == "promises_kept")
    so_far = " and decided so far" if tile.part_week else ""
    due, due_one = f"promises due this week{so_far}", f"promise due this week{so_far}"
    broken = view.broken_promises
    if broken is None or broken.empty:
        return () if not tile.count else (Section("Broken promises", (
            Text(f"{all_of(tile.count, due_one, due)} {'was' if tile.count == 1 else 'were'} kept "
                 "(resolved by the due date).", "good"),)),)
    shown = blanks_named(broken.head(REPORT_BREACHES))
    n_broken = int(shown["n_broken"].iloc[0])
    said = [f"{n_broken:,} of the {tile.count:,} {due} were broken: resolved after the due date (the export's), "
            "or still open past it."]
    per_department = view.promises_by_department
    if per_department is not None and (per_department["n_broken"] > 0).sum() > 1:
        most = per_department[per_department["n_broken"] > 0].sort_values(
            ["n_broken", "group_value"], ascending=[False, True], kind="stable")
        said.append("By provider department: " + ", ".join(
            f"{name} {n:,}" for name, n in zip(most["group_value"], most["n_broken"])) + ".")
    said.append(f"{'All of them' if len(shown) == n_broken else f'The first {len(shown)}'}, still open first, then "
                "most hours late (calendar hours from the due date to the resolution, or to the data's newest "
                "timestamp while open).")
    rows = tuple(
        (links.request(r.source, r.request_id), _str(r.provider_department), _str(r.requester), _str(r.agent),
         _str(r.category), _str(r.priority), _local(r.due_at, zone), _hours(r.hours_late * 3600),
         "still open" if r.is_open else "resolved late")
        for r in shown.itertuples(index=False)
    )
    return (Section("Broken promises", (
        Text(" ".join(said)),
        _for_provider(Table(
            ("Request", PROVIDER_COLUMN, "Requester", "Agent", "Category", "Priority", "Due", "Hours late", "Now"),
            rows, (False, False, False, False, False, False, False, True, False),
            (1.5, 1.5, 1.3, 1.3, 1.5, 0.9, 1.8, 0.9, 1.1)), view.selection.filters),
        Text(links.sla_section("Every one: the SLA adherence page, Promises.", viewlinks.PROMISES_ANCHOR), "note"),
    )),)


def _attention_section(now: attention.Attention, zone, links: DashboardLinks) -> Section:
    said = Text(now.sentence(zone), "good" if now.all_clear else "body")
    if now.all_clear:
        return Section("Needs attention now", (said,))
    groups = tuple((group, *(f"{n:,}" for n in counts))
                   for group, *counts in now.named_groups().itertuples(index=False))
    blocks: list[Block] = [said, Table(
        (now.split_name.capitalize(), "Past resolution deadline", f"Of them, over {now.long_overdue_days} days past",
         "No reply, past first-response deadline", f"Due within {now.within_hours} business hours"),
        groups, (False, True, True, True, True), (1.8, 1.3, 1.2, 1.6, 1.4)),
        Text(links.sla_section(
            f"Requests over {now.long_overdue_days} days past their resolution deadline are often work done but "
            "never closed in the tool: worth a clean-up. Every one is listed on the SLA adherence page, on the "
            "week holding the newest data: the requests overdue and those with no reply at the end of its "
            "backlog, the targets due soon in its at-risk list as of now.",
            viewlinks.BACKLOG_ANCHOR, iso_week_code(now.as_of.astimezone(zone).date())), "note")]
    if not now.due_soonest.empty:
        due_soonest = blanks_named(now.due_soonest)
        blocks.append(Text(f"{the_first(len(now.due_soonest), 'SLA target', 'SLA targets')} due soonest (least "
                           "business time left first; every one: the SLA adherence page, at risk as of now):"))
        blocks.append(_for_provider(Table(
            ("Request", "Due", PROVIDER_COLUMN, "Requester", "Agent", "Category", "Priority", "Deadline", "Time left"),
            tuple((links.request(r.source, r.request_id), str(r.metric).replace("_", " ") + (" (paused)" if r.is_paused else ""),
                   _str(r.provider_department), _str(r.requester), _str(r.agent), _str(r.category), _str(r.priority),
                   _local(r.deadline_at, zone, DAY_AND_TIME), _hours(r.remaining_business_secs))
                  for r in due_soonest.itertuples(index=False)),
            (False, False, False, False, False, False, False, False, True), (1.5, 1.3, 1.5, 1.4, 1.3, 1.5, 0.9, 1.4, 0.9)),
            links.filters))
    return Section("Needs attention now", tuple(blocks))


def _emerging_section(emerging: weekly.Emerging) -> Section:
    rule = emerging.rule
    last_day = emerging.end - timedelta(days=1)
    rising = emerging.rising
    note = Text(rule.describe(), "note")
    title = "Emerging recurring problems"
    if emerging.table.empty:
        return Section(title, (Text("No requests in the weeks tested.", "note"),))
    if rising.empty:
        said, is_news = rule.nothing_rose(int(emerging.table["tested"].sum()), last_day)
        return Section(title, (Text(said, "good" if is_news else "note"), note))
    shown = rising.head(REPORT_EMERGING)
    rows = tuple(
        (str(r.category), f"{r.recent_per_week:.1f}",
         "–" if pd.isna(r.baseline_per_week) else f"{r.baseline_per_week:.1f}",
         "new" if pd.isna(r.ratio) else f"{r.ratio:.2f}×", f"{r.extra_requests:+.0f}", recurring.p_value_text(r.p_value))
        for r in shown.itertuples(index=False)
    )
    more = f" (the {len(shown)} most significant shown)" if len(rising) > len(shown) else ""
    return Section(title, (
        Text(f"{len(rising)} categor{'y' if len(rising) == 1 else 'ies'} rose in the {rule.recent_weeks} weeks "
             f"{emerging.recent_start:%d %b} – {last_day:%d %b %Y} compared with the {rule.baseline_weeks} weeks "
             f"before{more}."),
        Table(("Category", "Recent / week", "Baseline / week", "Recent ÷ baseline", "Extra requests", "p-value"),
              rows, (False, True, True, True, True, True), (2.6, 1.0, 1.0, 1.0, 1.0, 0.9)),
        note,
    ))


def _shorten(text: str, limit: int = COMMENT_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _feedback_section(feedback: weekly.Feedback, zone) -> Section:
    csat = feedback.csat
    if feedback.n_answers == 0:
        return Section("Customer satisfaction", (Text("No survey answers were submitted this week for this selection.",
                                                      "note"),))
    parts = [f"CSAT {csat.format_value()}"]
    delta = csat.format_delta()
    details = [f"{delta} from the week before"] if delta else []
    if csat.goal is not None:
        details.append(csat.goal_text())
    if details:
        parts[0] += f" ({'; '.join(details)})"
    parts.append(f"{feedback.n_satisfied:,} of {feedback.n_answers:,} answers scored 4-5")
    if feedback.mean_score is not None:
        parts.append(f"mean score {half_up(feedback.mean_score, 2):.2f} of 5")
    if feedback.response_rate is not None:
        parts.append(f"response rate {half_up(feedback.response_rate, 3):.1%} ({feedback.n_answers:,} answers, "
                     f"{feedback.n_resolved:,} requests resolved)")
    blocks: list[Block] = [Text(f"{parts[0]}. {'; '.join(parts[1:])}.")]
    if csat.too_small:
        blocks.append(Text(f"Only {feedback.n_answers} answer{'' if feedback.n_answers == 1 else 's'}: too few to "
                           "trust.", "bad"))
    if feedback.lowest.empty:
        blocks.append(Text("No answer scored 1-2 with a comment this week.", "good"))
    else:
        rows = tuple(
            (f"{r.score:.1f}", _shorten(r.comment), _str(r.provider_department), _str(r.requester),
             _str(r.category), f"{r.source} {r.request_id}", _local(r.submitted_at, zone, "%d %b"))
            for r in feedback.lowest.itertuples(index=False)
        )
        n_unhappy = feedback.n_unhappy_comments
        if n_unhappy == 1:
            said = "The one answer scoring 1-2 with a comment:"
        elif len(rows) == n_unhappy:
            said = f"Every answer scoring 1-2 with a comment ({n_unhappy:,}; lowest score first, then newest):"
        else:
            said = (f"The lowest-scored comments ({len(rows)} of the {n_unhappy:,} answers scoring 1-2 with a "
                    "comment; lowest score first, then newest):")
        blocks.append(Text(said))
        blocks.append(Table(("Score", "Comment", "Provider department", "Requester", "Category", "Request",
                             "Submitted"), rows, (True, False, False, False, False, False, False),
                            (0.7, 3.45, 1.4, 1.4, 1.3, 1.5, 0.95)))
    return Section("Customer satisfaction", tuple(blocks))


def _basis_section(basis: weekly.DataBasis, zone) -> Section:
    title = "What the numbers rest on"
    blocks: list[Block] = []
    if basis.sources.empty:
        blocks.append(Text("No requests are loaded.", "notice"))
    else:
        rows = tuple(
            (str(r.source), f"{int(r.n_requests):,}", _local(r.first_created_at, zone, "%d %b %Y"),
             _local(r.newest_at, zone), _local(r.last_import_at, zone), f"{int(r.n_open):,}")
            for r in basis.sources.itertuples(index=False)
        )
        blocks.append(Text("Each source's data runs up to its newest timestamp: later events are not in these numbers. "
                           "All the data loaded, whatever the report's filters."))
        blocks.append(Table(("Source", "Requests", "From", "Data up to", "Last import", "Open now"), rows,
                            (False, True, False, False, False, True), (1.4, 1.0, 1.2, 1.5, 1.5, 0.9)))
    if not basis.surveys.empty:
        rows = tuple(
            (str(r.survey_source), f"{int(r.n_answers):,}", _local(r.first_submitted_at, zone, "%d %b %Y"),
             _local(r.newest_at, zone), _local(r.last_import_at, zone), f"{int(r.n_linked):,}")
            for r in basis.surveys.itertuples(index=False)
        )
        blocks.append(Text("The survey answers behind CSAT, per survey source, up to its newest answer:"))
        blocks.append(Table(("Survey source", "Answers", "From", "Answers up to", "Last import", "Linked"), rows,
                            (False, True, False, False, False, True), (1.4, 1.0, 1.2, 1.5, 1.5, 0.9)))
    n_rejected = basis.n_rejected
    if n_rejected == 0:
        blocks.append(Text("No rows were rejected on import.", "good"))
    else:
        shown = basis.rejected.head(REPORT_REJECTED)
        rows = tuple((str(r.source), str(r.file_name), reason_words(str(r.reason)), f"{int(r.n_rows):,}")
                     for r in shown.itertuples(index=False))
        were = "rows were" if n_rejected != 1 else "row was"
        are = "are" if n_rejected != 1 else "is"
        blocks.append(Text(f"{n_rejected:,} {were} rejected on import (the latest import of each file) and {are} in "
                           "none of the numbers above; the dashboard's Data & definitions page lists each with its reason."))
        blocks.append(Table(("Source", "File", "Reason", "Rows"), rows, (False, False, False, True),
                            (1.0, 2.2, 2.2, 0.6)))
        if len(basis.rejected) > len(shown):
            blocks.append(Text(f"… and {len(basis.rejected) - len(shown)} more file and reason combinations.", "note"))
    return Section(title, tuple(blocks))


# --------------------------------------------------------------------------------------
# Charts as PNG, through vl-convert


def _json_value(value):
    """JSON for the values Altair leaves as Python objects (DuckDB dates, sums as decimals)."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        # No offset: Vega reads it as local midnight and prints the same calendar date back.
        return f"{value.isoformat()}T00:00:00"
    raise TypeError(f"cannot put {type(value).__name__} into a chart")


def chart_png(spec: alt.TopLevelMixin, width: int = CHART_WIDTH_PX, scale: float = CHART_SCALE) -> bytes:
    """A chart specification rendered to PNG at a fixed width (the page's is the container's)."""
    import vl_convert

    text = json.dumps(spec.properties(width=width).to_dict(), default=_json_value)
    return vl_convert.vegalite_to_png(text, scale=scale)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, from the PNG header."""
    return struct.unpack(">II", png[16:24])


@dataclass
class _Images:
    """Each chart rendered once per document, whatever renders it."""

    cache: dict[str, bytes] = field(default_factory=dict)

    def png(self, chart: Chart) -> bytes:
        if chart.key not in self.cache:
            self.cache[chart.key] = chart_png(chart.spec)
        return self.cache[chart.key]


# --------------------------------------------------------------------------------------
# HTML

TONE_COLORS = {"good": "#2E7D32", "bad": "#C62828", "same": "#555555", "": "#555555"}
TEXT_STYLES = {
    "body": "margin:6px 0;color:#222;",
    "note": "margin:6px 0;color:#666;font-size:12px;",
    "good": "margin:6px 0;color:#2E7D32;",
    "bad": "margin:6px 0;color:#C62828;",
    "notice": "margin:10px 0;padding:10px 12px;background:#FFF4E5;border-left:4px solid #F58518;color:#222;",
}
CELL = "padding:4px 8px;border-bottom:1px solid #E5E5E5;vertical-align:top;"


def to_html(document: Document, images: _Images | None = None) -> str:
    """One self-contained HTML file: inline styles, charts as base64 PNG."""
    images = images or _Images()
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(document.title)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "</head>",
        '<body style="margin:0;background:#F6F6F6;font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#222;">',
        # Wide enough for the request tables' ten columns at a laptop's 1280 pixels: their ids and
        # two-word names stay on one line, and a narrower page let them stick out of it.
        '<div style="max-width:1060px;margin:0 auto;padding:24px 28px;background:#FFFFFF;">',
        f'<h1 style="font-size:24px;margin:0 0 8px 0;">{e(document.title)}</h1>',
    ]
    out += [f'<p style="margin:2px 0;color:#555;">{_html_text(line)}</p>' for line in document.lines]
    for section in document.sections:
        out.append(f'<h2 style="font-size:18px;margin:26px 0 8px 0;padding-bottom:4px;'
                   f'border-bottom:2px solid #4C78A8;">{e(section.title)}</h2>')
        for block in section.blocks:
            out.append(_html_block(block, images))
    out += ["</div>", "</body></html>", ""]
    return "\n".join(out)


def _html_text(text: str) -> str:
    """Text escaped for HTML; a Link as an anchor."""
    shown = html.escape(text)
    return f'<a href="{html.escape(text.url)}" style="color:#2F5F8F;">{shown}</a>' if isinstance(text, Link) else shown


def _no_wrap(cell: str) -> str:
    """Keeps a short cell of one or two words (a number, a request such as "jira PROC-5493", "still
    open") on one line: a narrow column broke ids at their hyphen ("jira PROC-" over "5493")."""
    return "white-space:nowrap;" if cell.count(" ") <= 1 and len(cell) <= NO_WRAP_MAX_CHARS else ""


def _html_block(block: Block, images: _Images) -> str:
    e = html.escape
    if isinstance(block, Text):
        return f'<p style="{TEXT_STYLES[block.tone]}">{_html_text(block.text)}</p>'
    if isinstance(block, Tiles):
        cards = []
        for t in block.tiles:
            delta = (f'<div style="color:{TONE_COLORS[t.tone]};font-size:13px;">{e(t.delta)} vs week before</div>'
                     if t.delta else f'<div style="color:#999;font-size:13px;">{e(t.no_delta)}</div>')
            small = "".join(f'<div style="color:#666;font-size:12px;">{e(x)}</div>' for x in t.small_print)
            cards.append(
                '<div style="display:inline-block;vertical-align:top;box-sizing:border-box;width:23.5%;min-width:190px;'
                'margin:0 1% 10px 0;padding:10px 12px;min-height:118px;border:1px solid #DDDDDD;border-radius:6px;">'
                f'<div style="color:#555;font-size:13px;">{e(t.label)}</div>'
                f'<div style="font-size:26px;font-weight:bold;margin:4px 0;">{e(t.value)}</div>'
                f"{delta}{small}</div>"
            )
        return f'<div data-block="tiles">{"".join(cards)}</div>'
    if isinstance(block, Table):
        head = "".join(
            f'<th style="{CELL}text-align:{"right" if n else "left"};background:#F0F3F8;">{e(c)}</th>'
            for c, n in zip(block.columns, block.numeric)
        )
        body = "".join(
            "<tr>" + "".join(f'<td style="{CELL}text-align:{"right" if n else "left"};{_no_wrap(v)}">'
                             f"{_html_text(v)}</td>" for v, n in zip(row, block.numeric)) + "</tr>"
            for row in block.rows
        )
        # A table wider than the page still (longer names than these) scrolls inside it.
        return ('<div style="overflow-x:auto;"><table style="border-collapse:collapse;width:100%;font-size:13px;'
                f'margin:6px 0;"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')
    if isinstance(block, Charts):
        figures = []
        for chart in block.charts:
            data = base64.b64encode(images.png(chart)).decode("ascii")
            figures.append(
                '<div style="display:inline-block;vertical-align:top;width:49%;min-width:320px;margin:0 0.5% 10px 0;">'
                f'<img src="data:image/png;base64,{data}" alt="{e(chart.title)}" style="width:100%;height:auto;"></div>'
            )
        caption = _html_block(Text(block.caption, "note"), images) if block.caption else ""
        return f'<div data-block="charts">{"".join(figures)}</div>{caption}'
    raise TypeError(f"unknown block {block!r}")


# --------------------------------------------------------------------------------------
# Markdown


MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]<>~])")


def _md_text(text: str) -> str:
    """Text as Markdown shows it literally: an agent id like ana_lima, or a comment's *, is not
    formatting."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


class _Code(str):
    """A table cell that is a code span of the report's own (a sparkline), kept as written."""


def _md_link(text: str) -> str:
    """Text as Markdown shows it literally; a Link as a Markdown link (its URL is percent-encoded:
    no parenthesis or space to end it early)."""
    return f"[{_md_text(text)}]({text.url})" if isinstance(text, Link) else _md_text(text)


def _md_cell(text: str) -> str:
    return text if isinstance(text, _Code) else _md_link(text).replace("|", "\\|").replace("\n", " ")


def _md_table(columns: Iterable[str], rows: Iterable[Iterable[str]], numeric: Iterable[bool]) -> list[str]:
    columns, numeric = list(columns), list(numeric)
    lines = ["| " + " | ".join(_md_cell(c) for c in columns) + " |",
             "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return lines


def to_markdown(document: Document) -> str:
    """Markdown for chat tools: headings, tables, and the trends as text sparklines."""
    out = [f"# {_md_text(document.title)}", ""]
    out += [f"{_md_link(line)}  " for line in document.lines]
    for section in document.sections:
        out += ["", f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Text):
                text = _md_link(block.text)
                out += [f"_{text}_" if block.tone == "note" else f"**{text}**" if block.tone == "notice" else text, ""]
            elif isinstance(block, Tiles):
                rows = [(t.label, t.value, (t.delta or t.no_delta) + (f", {t.change_note}" if t.change_note else ""),
                         t.goal or "–", t.basis or "–", _Code(f"`{t.spark}`") if t.spark else "")
                        for t in block.tiles]
                out += _md_table(("KPI", "This week", "Change", "Goal", "Based on", "Trend"), rows,
                                 (False, True, True, False, False, False))
                out.append("")
            elif isinstance(block, Table):
                out += _md_table(block.columns, block.rows, block.numeric)
                out.append("")
            elif isinstance(block, Charts):
                out += ["The charts are in the HTML and PDF versions of this report; here the trend of each KPI, "
                        "oldest week first:", ""]
                out += [f"- {_md_text(t.text)}" for t in block.fallback]
                out.append("")
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------------------
# PDF (fpdf2)

PDF_REPLACEMENTS = {" ✓ met": ", met", " ✗ below goal": ", below goal", "✓": "", "✗": "", "≥": ">=", "≤": "<=", "−": "-", "→": "to"}
PDF_LINK = (47, 95, 143)  # a link's text colour, as the HTML's
PDF_TONES = {"good": (46, 125, 50), "bad": (198, 40, 40), "same": (85, 85, 85), "": (85, 85, 85),
             "body": (34, 34, 34), "note": (102, 102, 102), "notice": (34, 34, 34)}


# Letters of Central and Eastern European names that Windows-1252 lacks and that do not come
# apart into a letter and a mark.
PDF_LETTERS = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Ħ": "H", "ħ": "h"})


def pdf_text(text: str) -> str:
    """Text the PDF's core font can show (Windows-1252): symbols spelled out; a letter it lacks
    without its mark (Łukasz Dvořák as Lukasz Dvorák, not ?ukasz Dvo?ák: the HTML and Markdown
    keep them); anything else as '?'."""
    for symbol, plain in PDF_REPLACEMENTS.items():
        text = text.replace(symbol, plain)
    return "".join(_in_cp1252(character) for character in text.translate(PDF_LETTERS))


def _in_cp1252(character: str) -> str:
    try:
        character.encode("cp1252")
        return character
    except UnicodeEncodeError:
        bare = "".join(c for c in unicodedata.normalize("NFKD", character) if not unicodedata.combining(c))
        return bare if bare and bare.isascii() else "?"


def to_pdf(document: Document, images: _Images | None = None) -> bytes:
    """An A4 PDF, the sections following on; a heading, or text with the table or charts it
    introduces, starts a page rather than be cut by one (unless it is longer than a page)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    images = images or _Images()

    class Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("helvetica", size=7)
            self.set_text_color(120, 120, 120)
            self.cell(0, 5, pdf_text(f"{document.title} · page {self.page_no()} of {{nb}}"), align="C")

    pdf = Pdf(orientation="portrait", unit="mm", format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_title(pdf_text(document.title))
    pdf.set_creator("servicelevel")
    pdf.set_margins(14, 14, 14)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 17)
    pdf.set_text_color(34, 34, 34)
    pdf.multi_cell(0, 8, pdf_text(document.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=8.5)
    pdf.set_text_color(85, 85, 85)
    for line in document.lines:
        if isinstance(line, Link):
            pdf.set_text_color(*PDF_LINK)
            pdf.multi_cell(0, 4.2, pdf_text(line), new_x="LMARGIN", new_y="NEXT", link=line.url)
            pdf.set_text_color(85, 85, 85)
        else:
            pdf.multi_cell(0, 4.2, pdf_text(line), new_x="LMARGIN", new_y="NEXT")
    for section in document.sections:
        pdf.ln(3)
        units = _keep_together_units(section.blocks)
        for index, unit in enumerate(units):
            def draw(target, unit=unit, heading=index == 0) -> None:
                if heading:
                    _pdf_heading(target, section.title)
                for block in unit:
                    _pdf_block(target, block, images, FontFace)
            # A unit that would run over the page's end but fits a page of its own starts one: no
            # heading alone at a page's foot, no short table cut in two.
            height = _rendered_height(pdf, draw)
            if pdf.get_y() + height > pdf.page_break_trigger and height <= pdf.eph:
                pdf.add_page()
            draw(pdf)
        if not units:
            _pdf_heading(pdf, section.title)
    return bytes(pdf.output())


def _keep_together_units(blocks: tuple[Block, ...]) -> list[list[Block]]:
    """The blocks in runs kept on one page: a table or charts with the text introducing them and
    the notes right after them (their captions)."""
    units: list[list[Block]] = []
    current: list[Block] = []
    for block in blocks:
        if isinstance(block, Text) and block.tone == "note" and not current and units:
            units[-1].append(block)
            continue
        current.append(block)
        if not isinstance(block, Text):
            units.append(current)
            current = []
    return units + ([current] if current else [])


def _rendered_height(pdf, draw) -> float:
    """How far down the page `draw(pdf)` would go, in mm, across any page breaks; nothing is kept."""
    page, y = pdf.page, pdf.get_y()
    with pdf.offset_rendering() as dummy:
        draw(dummy.pdf)
        height = dummy.pdf.get_y() - y + (dummy.pdf.page - page) * pdf.eph
    return height


def _pdf_heading(pdf, title: str) -> None:
    pdf.set_font("helvetica", "B", 12)
    pdf.set_text_color(34, 34, 34)
    pdf.cell(0, 7, pdf_text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(76, 120, 168)
    pdf.set_line_width(0.5)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)


def _pdf_block(pdf, block: Block, images: _Images, FontFace) -> None:
    if isinstance(block, Text):
        pdf.set_font("helvetica", "I" if block.tone == "note" else "", 7.5 if block.tone == "note" else 9)
        pdf.set_text_color(*(PDF_LINK if isinstance(block.text, Link) else PDF_TONES[block.tone]))
        if block.tone == "notice":
            pdf.set_fill_color(255, 244, 229)
            pdf.multi_cell(0, 6, pdf_text(block.text), fill=True, padding=2, new_x="LMARGIN", new_y="NEXT")
            pdf.set_fill_color(255, 255, 255)
        else:
            pdf.multi_cell(0, 4.2, pdf_text(block.text), new_x="LMARGIN", new_y="NEXT",
                           link=block.text.url if isinstance(block.text, Link) else "")
        pdf.ln(1.2)
    elif isinstance(block, Tiles):
        _pdf_tiles(pdf, block)
    elif isinstance(block, Table):
        pdf.set_font("helvetica", size=7.5)
        pdf.set_text_color(34, 34, 34)
        pdf.set_draw_color(210, 210, 210)
        pdf.set_line_width(0.2)
        with pdf.table(
            col_widths=block.widths,
            text_align=tuple("RIGHT" if n else "LEFT" for n in block.numeric),
            headings_style=FontFace(emphasis="BOLD", fill_color=(240, 243, 248)),
            borders_layout="HORIZONTAL_LINES",
            line_height=3.6,
            padding=(0.8, 1.2),
            width=pdf.epw,
        ) as table:
            table.row([pdf_text(c) for c in block.columns])
            linked = FontFace(color=PDF_LINK)
            for values in block.rows:
                row = table.row()
                for v in values:
                    if isinstance(v, Link):
                        row.cell(pdf_text(v), link=v.url, style=linked)
                    else:
                        row.cell(pdf_text(v))
        pdf.ln(2)
    elif isinstance(block, Charts):
        gap = 4
        width = (pdf.epw - gap) / 2
        for start in range(0, len(block.charts), 2):
            pair = block.charts[start:start + 2]
            pngs = [images.png(c) for c in pair]
            heights = [width * h / w for w, h in (png_size(p) for p in pngs)]
            if pdf.get_y() + max(heights) > pdf.page_break_trigger:
                pdf.add_page()
            top = pdf.get_y()
            for i, png in enumerate(pngs):
                pdf.image(BytesIO(png), x=pdf.l_margin + i * (width + gap), y=top, w=width)
            pdf.set_y(top + max(heights) + 3)
        if block.caption:
            _pdf_block(pdf, Text(block.caption, "note"), images, FontFace)
    else:
        raise TypeError(f"unknown block {block!r}")


def _pdf_tiles(pdf, block: Tiles, per_row: int = 4) -> None:
    gap, line = 3, 3.0
    width = (pdf.epw - gap * (per_row - 1)) / per_row
    inner = width - 4

    def small_lines(tile: TileText) -> int:
        pdf.set_font("helvetica", size=6.5)
        return sum(len(pdf.multi_cell(inner, line, pdf_text(text), align="L", dry_run=True, output="LINES"))
                   for text in tile.small_print)

    for start in range(0, len(block.tiles), per_row):
        row = block.tiles[start:start + per_row]
        height = 17.5 + line * max(small_lines(t) for t in row)
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        top = pdf.get_y()
        for i, tile in enumerate(row):
            x = pdf.l_margin + i * (width + gap)
            pdf.set_draw_color(210, 210, 210)
            pdf.set_line_width(0.3)
            pdf.rect(x, top, width, height, round_corners=True, corner_radius=1.5)
            pdf.set_xy(x + 2, top + 1.8)
            size = 7.5
            pdf.set_font("helvetica", size=size)
            while pdf.get_string_width(pdf_text(tile.label)) > inner and size > 5.5:
                size -= 0.25
                pdf.set_font("helvetica", size=size)
            pdf.set_text_color(85, 85, 85)
            pdf.cell(inner, 3.6, pdf_text(tile.label), new_x="LEFT", new_y="NEXT")
            pdf.set_font("helvetica", "B", 15)
            pdf.set_text_color(34, 34, 34)
            pdf.cell(inner, 7.5, pdf_text(tile.value), new_x="LEFT", new_y="NEXT")
            pdf.set_font("helvetica", size=7.5)
            pdf.set_text_color(*PDF_TONES[tile.tone])
            pdf.cell(inner, 3.6, pdf_text(f"{tile.delta} vs week before" if tile.delta else tile.no_delta),
                     new_x="LEFT", new_y="NEXT")
            pdf.set_font("helvetica", size=6.5)
            pdf.set_text_color(102, 102, 102)
            for text in tile.small_print:  # ragged right: justified, a narrow column opens wide gaps between words
                pdf.multi_cell(inner, line, pdf_text(text), align="L", new_x="LEFT", new_y="NEXT")
        pdf.set_xy(pdf.l_margin, top + height + gap)
    pdf.ln(1)
