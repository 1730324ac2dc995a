"""The weekly report on the bundled sample: written in every format, saying what the overview
page shows for the same week and filters, a PDF that keeps headings with their tables, an empty week
that says so, the command line's week validation, and the page's download buttons."""

from __future__ import annotations

import base64
import json
import re
from itertools import takewhile
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from html import escape, unescape
from io import BytesIO
from urllib.parse import parse_qs, quote_plus, urlsplit
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from servicelevel import attention, cli, queries, report, store, weekly
from servicelevel.datainfo import data_info
from servicelevel.filters import Filters, Period, Selection, parse_iso_week
from servicelevel.kpis import Tile
from servicelevel.rounding import half_up
from servicelevel.settings import organisation
from tests.apptest_support import rendered
from tests.browser_support import settle

WEEK = "2026-W46"  # the sample's last complete week (conftest.SAMPLE_ANCHOR)
PROCUREMENT = Filters(provider_departments=("Procurement",))
# AppTest query parameters -> the same filters as the report takes them.
VIEWS = {
    "organisation": ({}, Filters()),
    "procurement": ({"dept": "Procurement"}, PROCUREMENT),
    "procurement-internal": ({"dept": "Procurement", "requester": "Internal"},
                             Filters(requester_type="internal", provider_departments=("Procurement",))),
}


@pytest.fixture
def con(sample_db_path):
    connection = store.connect(sample_db_path)
    yield connection
    connection.close()


def selection_for(con, filters: Filters = Filters(), week: str = WEEK) -> Selection:
    """What the sidebar builds: the week, the filters, runs judged as of the data's newest instant."""
    org = organisation()
    info = data_info(con)
    return Selection(parse_iso_week(week, org.timezone), filters, info.as_of(datetime.now(timezone.utc)))


def document_for(con, selection: Selection) -> report.Document:
    view = weekly.weekly_view(lambda name, params: queries.run(con, name, params), selection, organisation())
    return report.build_document(view)


def tile_texts(document: report.Document) -> tuple[report.TileText, ...]:
    return next(b for s in document.sections for b in s.blocks if isinstance(b, report.Tiles)).tiles


def markdown(con, filters: Filters = Filters(), week: str = WEEK) -> str:
    return report.generate(con, selection_for(con, filters, week), organisation(), "md").decode("utf-8")


def md_sections(text: str) -> dict[str, list[str]]:
    """Markdown lines under each '## ' heading."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = line[3:]
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return sections


def md_table(lines: list[str]) -> list[dict[str, str]]:
    """The first pipe table among the lines, as one dict per row, each cell as a Markdown renderer
    shows it (backslash escapes undone: facilities\\_survey reads facilities_survey)."""
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
    if start is None:
        return []
    rows = list(takewhile(lambda line: line.startswith("|"), lines[start:]))

    def cells(row: str) -> list[str]:
        return [re.sub(r"\\(.)", r"\1", c.strip()) for c in re.split(r"(?<!\\)\|", row.strip()[1:-1])]

    header = cells(rows[0])
    return [dict(zip(header, cells(row))) for row in rows[2:]]


def page_frame(at: AppTest, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


# --------------------------------------------------------------------------------------
# Every format


def test_html_is_one_self_contained_file_with_the_four_trend_charts(con):
    text = report.generate(con, selection_for(con), organisation(), "html").decode("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == 4
    for data in images:
        png = base64.b64decode(data)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, _ = report.png_size(png)
        assert width >= report.CHART_WIDTH_PX * report.CHART_SCALE  # the plot, plus its axis and legend
    # Nothing fetched from elsewhere: no stylesheet, script or remote image.
    assert "<link" not in text and "<script" not in text and 'src="http' not in text
    for title in ("Key numbers", "Internal and external customers", "Departments that slipped",
                  "Every department against its goal", "12-week trends",
                  "Top breaches", "Emerging recurring problems", "Customer satisfaction", "What the numbers rest on"):
        assert f">{title}</h2>" in text


def test_markdown_text_is_shown_as_written_not_as_formatting():
    # An agent id with underscores, a comment with asterisks: literal in chat tools, not italics.
    document = report.Document("Weekly service report: Ops_Desk", ("Scope: agent ana_lima.",), (
        report.Section("Notes", (report.Text("Said *twice* by joao_silva [sic] <b>", "note"),
                                 report.Table(("Agent",), (("ana_lima",),), (False,), (1.0,)))),))
    text = report.to_markdown(document)
    assert "# Weekly service report: Ops\\_Desk" in text and "Scope: agent ana\\_lima." in text
    assert "_Said \\*twice\\* by joao\\_silva \\[sic\\] \\<b\\>_" in text  # the note's own italics stay
    assert "| ana\\_lima |" in text


def test_markdown_has_every_section_and_the_trends_as_text(con):
    sections = md_sections(markdown(con))
    assert list(sections) == [
        "In brief", "Key numbers", "Internal and external customers", "Departments that slipped",
        "Every department against its goal", "12-week trends", "Top breaches", "Broken promises", "Needs attention now", "Emerging recurring problems", "Customer satisfaction",
        "What the numbers rest on",
    ]
    tiles = md_table(sections["Key numbers"])
    assert [t["KPI"] for t in tiles] == [
        "Volume", "First-response adherence", "Resolution adherence", "Median first response",
        "CSAT", "Backlog at week end", "Promises kept",
    ]
    assert all(len(t["Trend"].strip("`")) == weekly.TREND_WEEKS for t in tiles)
    assert not any("data:image" in line for line in sections["12-week trends"])
    assert not any("dashed" in line for line in sections["12-week trends"])  # no chart to read here
    assert "dashed: the goal" in report.render(document_for(con, selection_for(con)), "html").decode("utf-8")
    segments = md_table(sections["Internal and external customers"])
    assert {"Internal requesters", "External requesters"} <= set(segments[0])
    # The sample's requests all carry a requester type: the segments add up to the whole.
    whole = next(t["This week"] for t in tiles if t["KPI"] == "Volume")
    volume = next(r for r in segments if r["KPI"] == "Volume")
    assert int(volume["Internal requesters"].replace(",", "")) + int(volume["External requesters"].replace(",", "")) \
        == int(whole.replace(",", ""))
    basis = sections["What the numbers rest on"]
    assert md_table(basis)[0]["Source"] in {"jira", "zendesk"}
    # The answers behind CSAT have their own freshness: one row per survey source.
    surveys = md_table(basis[next(i for i, line in enumerate(basis) if line.startswith("| Survey source")):])
    answers = dict(con.execute("select survey_source, count(*) from feedback group by all").fetchall())
    assert {r["Survey source"]: int(r["Answers"].replace(",", "")) for r in surveys} == answers


def page_lines(reader: PdfReader) -> list[list[tuple[float, str]]]:
    """Per page, its lines of text with their height above the page's foot (points), the footer left out."""
    pages = []
    for page in reader.pages:
        lines: list[tuple[float, str]] = []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: lines.append((cm[5] + tm[5] * cm[3], text))
                          if text.strip() else None)
        pages.append([(y, text) for y, text in lines if "Weekly service report" not in text or y > 100])
    return pages


def test_the_pdf_keeps_headings_with_what_follows_and_leaves_no_page_half_empty(con):
    # The whole report, as the command writes it: with the slipped departments' lines and what
    # needs attention now.
    pdf = report.generate(con, selection_for(con), organisation(), "pdf")
    reader = PdfReader(BytesIO(pdf))
    texts = [page.extract_text() for page in reader.pages]
    lines = page_lines(reader)
    # Every page but the last is filled at least to its middle (A4 is 842 points high).
    for number, page in enumerate(lines[:-1], start=1):
        assert min(y for y, _ in page) < 842 / 2, f"page {number} is more than half empty"
    document = document_for(con, selection_for(con))
    for section in document.sections:
        first_table = next((b for b in section.blocks if isinstance(b, report.Table)), None)
        page = next(i for i, text in enumerate(texts) if section.title in text)
        # A heading is never left at a page's foot: its table's header is on the same page, and a
        # table short enough for a page is never cut (its last row's first cell is there too).
        if first_table is not None and first_table is section.blocks[0] or section.title == "Needs attention now":
            assert first_table.columns[0] in texts[page], section.title
            assert first_table.rows[-1][0] in texts[page], section.title
    for tile in tile_texts(document):
        assert tile.label in texts[0]
        assert tile.value in texts[0]
    assert f"of {len(reader.pages)}" in texts[-1]  # the footer's page count
    # No column heading is broken inside a word for want of width (a cell may wrap between words).
    words = set(re.findall(r"\w+", " ".join(texts)))
    headings = {w for s in document.sections for b in s.blocks if isinstance(b, report.Table)
                for column in b.columns for w in re.findall(r"\w+", column)}
    assert headings <= words, headings - words


# --------------------------------------------------------------------------------------
# The same numbers as the page


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_report_says_what_the_overview_page_shows(dashboard, con, view):
    query, filters = VIEWS[view]
    for key, value in query.items():
        dashboard.query_params[key] = value
    at = rendered(dashboard)
    text = markdown(con, filters)
    sections = md_sections(text)

    # Four of the page's tiles have short headings, for want of width; the report names them in full.
    names = {"Response SLA": "First-response adherence", "Resolution SLA": "Resolution adherence",
             "First response": "Median first response", "Backlog": "Backlog at week end"}
    page_tiles = {names.get(m.label, m.label): (m.value, m.delta or "–") for m in at.metric}
    # A change that could be chance says so beside it, as the page's caption does under its tile.
    chance = ", change could be chance"
    key_numbers = md_table(sections["Key numbers"])
    report_tiles = {t["KPI"]: (t["This week"], t["Change"].removesuffix(chance)) for t in key_numbers}
    assert report_tiles == page_tiles
    assert sum(t["Change"].endswith(chance) for t in key_numbers) == sum(
        "· change could be chance" in c.value for c in at.caption)
    assert at.caption[0].value.split(" · ")[0] in text  # the same week
    assert f"Scope: {filters.describe()}." in text
    # The same sentences open both.
    page_brief = next(m.value for m in at.markdown if m.value.startswith("**In brief**"))
    report_brief = [line for line in sections["In brief"] if line.strip()]
    assert [line[2:] for line in page_brief.splitlines()[2:]] == report_brief and report_brief

    slipping = page_frame(at, "change_pp")  # the overview's first movers table: the last 4 weeks
    slipped = md_table(sections["Departments that slipped"])
    assert [(r["Provider department"], r["Change (pp)"], r["Could be chance"]) for r in slipped] == [
        (d, f"{c:+.1f}", "yes" if chance else "no")
        for d, c, chance in zip(slipping["department"], slipping["change_pp"], slipping["could_be_chance"])
    ]
    assert slipped[0]["Provider department"] == "Procurement"

    breaches = page_frame(at, "overrun_business_hours")
    listed = [r["Request"] for r in md_table(sections["Top breaches"])]
    assert listed == [f"{s} {i}" for s, i in zip(breaches["source"], breaches["request_id"])][: report.REPORT_BREACHES]
    # Each names its agent, as the page's row does.
    assert [r["Agent"] for r in md_table(sections["Top breaches"])] == list(breaches["agent"])[: report.REPORT_BREACHES]


def test_a_breach_without_a_priority_is_named_as_the_heatmap_names_its_row(con):
    # W45's external breaches include Zendesk tickets that carry no priority: "(no priority)", as the
    # SLA page's heatmap and tables say, not a dash that reads as a value lost.
    no_priority = {r for (r,) in con.execute(
        "select request_id from requests where source = 'zendesk' and priority is null").fetchall()}
    rows = md_table(md_sections(markdown(con, Filters(requester_type="external"), "2026-W45"))["Top breaches"])
    without = [r for r in rows if r["Request"].removeprefix("zendesk ") in no_priority]
    assert without and {r["Priority"] for r in without} == {"(no priority)"}
    assert "–" not in {r["Priority"] for r in rows} | {r["Agent"] for r in rows}


def test_a_custom_range_report_says_which_week_it_covers_in_its_own_words(con):
    # 10 Nov - 10 Dec 2026 runs past the sample's data (to 18 Nov): the report covers 2026-W46,
    # as the overview does, and says so without pointing at pages a reader of the file cannot see.
    org = organisation()
    week_view = selection_for(con, week="2026-W46")
    in_range = Selection(Period(date(2026, 11, 10), date(2026, 12, 11), org.timezone), week_view.filters,
                         week_view.as_of)
    text = report.generate(con, in_range, org, "md").decode("utf-8")
    assert "The weekly report counts ISO weeks" in text and "2026-W46 (09 Nov – 15 Nov 2026)" in text
    assert "runs past the data, which ends on 18 Nov 2026" in text and "other pages" not in text
    assert md_sections(text)["Key numbers"] == md_sections(markdown(con, week="2026-W46"))["Key numbers"]
    assert report.file_name(in_range, "md") == "weekly-report-2026-W46.md"


def test_a_department_report_says_which_department_it_is_for(con):
    text = markdown(con, PROCUREMENT)
    assert text.startswith("# Weekly service report: Procurement\n")
    assert "Department report for Procurement" in text
    # Procurement serves internal customers only: no table repeating the key numbers.
    assert [line for line in md_sections(text)["Internal customers"] if line] == [
        "Every request in this report is from internal requesters: the key numbers above are theirs."]
    # Its request tables do not name Procurement on every row.
    sections = md_sections(text)
    for title in ("Top breaches", "Broken promises", "Needs attention now"):
        rows = md_table(sections[title][next(i for i, line in enumerate(sections[title]) if line.startswith("| Request")):])
        assert rows and "Provider department" not in rows[0], title
    assert "Provider department" in md_table(md_sections(markdown(con))["Top breaches"])[0]  # the whole organisation's
    assert report.file_name(selection_for(con, PROCUREMENT), "pdf") == "weekly-report-2026-W46-procurement.pdf"
    reader = PdfReader(BytesIO(report.generate(con, selection_for(con, PROCUREMENT), organisation(), "pdf")))
    assert "Weekly service report: Procurement" in reader.pages[0].extract_text()


def test_the_report_embeds_the_charts_the_page_draws(dashboard, con):
    at = rendered(dashboard)
    titles = [json.loads(c.proto.spec)["title"] for c in at.get("vega_lite_chart")]
    # The report's alt text: the title, its subtitle (the goal's key) in brackets, its lines as one;
    # the blank lines that level a chart with its neighbour on the page (charts.levelled) left out.
    def alt_text(title) -> str:
        if not isinstance(title, dict):
            return title
        subtitle = [line for line in title["subtitle"] if line.strip()] if isinstance(title["subtitle"], list) \
            else [title["subtitle"]]
        return f"{title['text']} ({' · '.join(subtitle)})" if subtitle else title["text"]
    page_titles = sorted(alt_text(t) for t in titles)
    html = report.generate(con, selection_for(con), organisation(), "html").decode("utf-8")
    report_titles = sorted(unescape(t) for t in re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', html))
    assert report_titles == page_titles


# --------------------------------------------------------------------------------------
# Nothing to report


def test_an_empty_week_says_so_in_every_format(con):
    selection = selection_for(con, week="2030-W02")
    text = markdown(con, week="2030-W02")
    assert list(md_sections(text)) == ["Nothing to report this week", "What the numbers rest on"]
    assert "no requests were created in 2030-W02" in text
    # The shared sample runs from its anchor's Monday 52 weeks back to the anchor week's Wednesday.
    assert "(the data runs from 17 Nov 2025 to 18 Nov 2026)" in text and "Pick another week" in text
    document = document_for(con, selection)
    reader = PdfReader(BytesIO(report.render(document, "pdf")))
    assert len(reader.pages) == 1
    assert "no requests were created in 2030-W02" in reader.pages[0].extract_text()
    assert "no requests were created in 2030-W02" in report.render(document, "html").decode("utf-8")


def test_filters_that_exclude_everything_say_so(con):
    # The sample's external customers are never served by Payroll.
    text = markdown(con, Filters(requester_type="external", provider_departments=("Payroll",)))
    assert "Nothing to report this week" in text
    assert "the filters (external requesters; provider Payroll) exclude all" in text


# --------------------------------------------------------------------------------------
# Links back to the dashboard

DASHBOARD = "https://service-levels.example.org/"


def link_targets(markdown_lines: list[str]) -> list[tuple[str, str]]:
    """(text, url) of every Markdown link in these lines."""
    return re.findall(r"\[([^\]]+)\]\(([^)]+)\)", "\n".join(markdown_lines))


def test_without_the_dashboards_address_the_report_links_nowhere(con):
    assert "](" not in markdown(con) and "<a href" not in report.generate(
        con, selection_for(con), organisation(), "html").decode("utf-8")


def test_departments_and_requests_link_to_their_views_for_the_reports_week_and_filters(con):
    filters = Filters(requester_type="internal")
    text = report.generate(con, selection_for(con, filters), organisation(), "md", DASHBOARD).decode("utf-8")
    sections = md_sections(text)
    opening = text.split("\n## ", 1)[0]
    assert link_targets([opening]) == [
        ("Open this week in the dashboard", "https://service-levels.example.org/?week=2026-W46&requester=Internal")]
    every = link_targets(sections["Every department against its goal"])
    assert len(every) == len(md_table(sections["Every department against its goal"])) > 3
    assert all(url == f"{DASHBOARD}sla?week=2026-W46&requester=Internal&dept={quote_plus(name)}#what-moved-adherence"
               for name, url in every)
    *breaches, every_breach = link_targets(sections["Top breaches"])
    assert len(breaches) == report.REPORT_BREACHES
    # The whole lists the report shows the first rows of: the SLA page's sections, for the week
    # (what needs attention now: for the week holding the newest data, 2026-W47, as on the page).
    assert every_breach[1] == f"{DASHBOARD}sla?week=2026-W46&requester=Internal#breaches"
    assert every_breach[0].startswith("Every one of the ")
    sla_lists = [every_breach, *(link for section in ("Broken promises", "Needs attention now")
                                 for link in link_targets(sections[section]) if "/sla?" in link[1])]
    assert [url for _, url in sla_lists] == [f"{DASHBOARD}sla?week=2026-W46&requester=Internal#breaches",
                                             f"{DASHBOARD}sla?week=2026-W46&requester=Internal#promises",
                                             f"{DASHBOARD}sla?week=2026-W47&requester=Internal#backlog-by-age"]
    for text_shown, url in breaches:
        source, request_id = text_shown.split(" ", 1)
        assert url == f"{DASHBOARD}request?source={source}&id={quote_plus(request_id)}"
    # The PDF carries the same links, and the HTML as anchors.
    pdf = PdfReader(BytesIO(report.generate(con, selection_for(con, filters), organisation(), "pdf", DASHBOARD)))
    uris = {a.get_object()["/A"]["/URI"] for page in pdf.pages for a in page.get("/Annots", [])}
    assert {url for _, url in every + breaches + sla_lists} <= uris
    html_text = report.generate(con, selection_for(con, filters), organisation(), "html", DASHBOARD).decode("utf-8")
    assert all(f'<a href="{escape(url)}"' in html_text for _, url in every[:1] + sla_lists)


def test_a_report_link_opens_the_view_it_names(con, dashboard):
    # The link's spelling is the sidebar's own: the page reads every filter from it, with no notice.
    channel = con.execute("select channel from requests where channel is not null group by all "
                          "order by count(*) desc limit 1").fetchone()[0]
    filters = Filters(requester_type="internal", provider_types=("in_house",), priorities=("high",),
                      channels=(channel,))
    text = report.generate(con, selection_for(con, filters), organisation(), "md", DASHBOARD).decode("utf-8")
    name, url = link_targets(md_sections(text)["Every department against its goal"])[0]
    link = urlsplit(url)
    assert link.path == "/sla" and link.fragment == "what-moved-adherence"
    for key, values in parse_qs(link.query).items():
        dashboard.query_params[key] = values
    at = rendered(dashboard, "pages/sla.py")
    assert not at.warning
    assert at.selectbox(key="week").value == WEEK
    assert at.multiselect(key="dept").value == [name]
    assert (at.multiselect(key="provider_type").value, at.multiselect(key="priority").value,
            at.multiselect(key="channel").value) == (["in_house"], ["high"], [channel])
    assert at.caption[0].value.startswith("2026-W46 (09 Nov – 15 Nov 2026) · internal requesters; provider ")


def test_a_dashboard_address_that_is_not_a_web_address_is_refused(sample_db_path, capsys, tmp_path):
    code = cli.main(["--db", str(sample_db_path), "report", "--dashboard-url", "service-levels.example.org",
                     "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == ["error: --dashboard-url: 'service-levels.example.org' is not a web address "
                                 "(http://... or https://...)"]
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------
# Command line


@pytest.mark.parametrize("week", ["2026-W54", "2026-W00", "2026-46", "W46", "last week"])
def test_the_week_argument_is_validated_with_a_clear_error(sample_db_path, capsys, tmp_path, week):
    code = cli.main(["--db", str(sample_db_path), "report", "--week", week, "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: --week:") and f"'{week}' is not an ISO week" in lines[0]
    assert "2026-W46" in lines[0]  # an example of the right form
    assert captured.out == "" and list(tmp_path.iterdir()) == []


def test_an_out_path_ending_in_a_slash_is_a_folder_made_if_missing(sample_db_path, capsys, tmp_path):
    folder = tmp_path / "reports" / "weekly"
    assert cli.main(["--db", str(sample_db_path), "report", "--format", "md", "--out", f"{folder}/"]) == 0
    written = folder / "weekly-report-2026-W46.md"
    assert capsys.readouterr().out.strip() == str(written)
    assert written.read_text(encoding="utf-8").startswith("# Weekly service report: ")


def test_the_command_writes_the_last_complete_week_to_the_current_folder(sample_db_path, capsys, tmp_path,
                                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--db", str(sample_db_path), "report", "--format", "md"]) == 0
    written = tmp_path / "weekly-report-2026-W46.md"
    assert capsys.readouterr().out.strip() == str(written)
    assert written.read_text(encoding="utf-8").startswith("# Weekly service report: ")


def test_the_command_writes_a_department_pdf_where_it_is_told(sample_db_path, capsys, tmp_path):
    out = tmp_path / "procurement.pdf"
    code = cli.main(["--db", str(sample_db_path), "report", "--week", WEEK, "--dept", "procurement",
                     "--requester", "internal", "--out", str(out)])
    assert code == 0
    assert capsys.readouterr().out.strip() == str(out)
    first = PdfReader(out).pages[0].extract_text()
    assert "Weekly service report: Procurement · internal requesters" in first and "internal requesters; provider Procurement" in first


def test_the_command_takes_filter_values_as_the_dashboard_spells_them(sample_db_path, capsys, tmp_path):
    # As a link from the sidebar writes them: Third-party, Internal. The data says third_party.
    out = tmp_path / "third-party.md"
    code = cli.main(["--db", str(sample_db_path), "report", "--week", WEEK, "--provider-type", "Third-party",
                     "--requester", "Internal", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert "internal requesters; provider type third-party" in out.read_text(encoding="utf-8")


def test_a_week_without_data_is_an_empty_report_not_an_error(sample_db_path, capsys, tmp_path):
    code = cli.main(["--db", str(sample_db_path), "report", "--week", "2030-W02", "--out", str(tmp_path / "r.html")])
    assert code == 0
    assert "Nothing to report this week" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_an_unknown_department_is_named_in_the_error(sample_db_path, capsys, tmp_path):
    code = cli.main(["--db", str(sample_db_path), "report", "--dept", "Procurment", "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "Procurment" in err[0] and "Procurement" in err[0]


# --------------------------------------------------------------------------------------
# The page's buttons


def test_the_overview_offers_the_report_for_its_week_and_filters_on_click(dashboard, con):
    dashboard.query_params["dept"] = "Procurement"
    at = rendered(dashboard)
    buttons = {b.proto.label: b.proto for b in at.get("download_button") if "weekly-report" in b.proto.id}
    assert list(buttons) == ["PDF", "HTML", "Markdown"]
    for fmt, label in (("pdf", "PDF"), ("html", "HTML"), ("md", "Markdown")):
        # Deferred: the page run registers a generator; nothing is written until the click.
        assert buttons[label].deferred_file_id and not buttons[label].url
        assert buttons[label].id.endswith(f"weekly-report-{fmt}")


@pytest.mark.browser
def test_clicking_the_pdf_button_downloads_the_department_report(server, page):
    # A real click in headless Chromium against `streamlit run` (tests/browser_support.py).
    page.goto(f"{server}/?dept=Procurement")
    settle(page, "Weekly overview")
    volume = page.locator('[data-testid="stMetric"]').filter(has_text="Volume").first \
        .locator('[data-testid="stMetricValue"]').inner_text()
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="PDF", exact=True).click()
    assert download.value.suggested_filename == "weekly-report-2026-W46-procurement.pdf"
    reader = PdfReader(download.value.path())
    first = reader.pages[0].extract_text()
    assert "Weekly service report: Procurement" in first
    assert f"Volume\n{volume}" in first or f"Volume {volume}" in first
    # It links back to the dashboard it was downloaded from: the address in the browser.
    uris = [a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])]
    assert uris[0] == f"{server}/?week=2026-W46&dept=Procurement"
    assert f"{server}/sla?week=2026-W46&dept=Procurement#what-moved-adherence" in uris


def test_a_filtered_report_says_so_in_its_title(con):
    text = markdown(con, Filters(requester_type="internal"))
    assert text.startswith("# Weekly service report: Example Org (fictional) · internal requesters\n")


def test_the_reports_trends_say_whether_they_are_good_or_bad_news(con):
    # The backlog at each of W35-W46's ends, counted here: open at the week's end (created before
    # it, resolved and closed, if ever, after it). The last 4 weeks' average above the first 4's is
    # a worsening trend, and W46's fall against it says "against".
    ends = [date(2026, 8, 31) + timedelta(days=7 * k) for k in range(12)]
    backlog = [con.execute(
        """select count(*) from requests
           where created_at < $end and coalesce(resolved_at, closed_at, timestamptz '9999-01-01') >= $end""",
        {"end": datetime(e.year, e.month, e.day, 3, tzinfo=timezone.utc)}).fetchone()[0] for e in ends]
    first, last = sum(backlog[:4]) / 4, sum(backlog[-4:]) / 4
    assert last > first and backlog[-1] < backlog[-2]
    tile = next(t for t in tile_texts(document_for(con, selection_for(con))) if t.key == "backlog")
    shown = [Decimal(repr(v)).quantize(Decimal(1), ROUND_HALF_UP) for v in (first, last)]  # halves up: 526.5 is 527
    assert tile.trend == f"counter to a worsening trend {shown[0]} → {shown[1]} (first 4 weeks against last 4 of 12)"


def test_a_week_not_over_compares_no_part_week_volume(con):
    # 2026-W47 is the week the shared sample's data ends in (Wednesday noon).
    tiles = "\n".join(md_sections(markdown(con, week="2026-W47"))["Key numbers"])
    assert "| Volume so far | " in tiles and "part of a week: not compared" in tiles
    # Its sparkline ends with the last whole week: a part week's count would read as a fall.
    document = document_for(con, selection_for(con, week="2026-W47"))
    whole_weeks = document_for(con, selection_for(con, week="2026-W46"))
    volume = next(t for t in tile_texts(document) if t.label == "Volume so far")
    assert volume.spark == next(t for t in tile_texts(whole_weeks) if t.label == "Volume").spark[1:]


def test_the_first_week_of_data_has_no_week_before_and_is_not_called_part_of_a_week(con):
    first_day = con.execute("select min(timezone('America/Sao_Paulo', created_at))::date from requests").fetchone()[0]
    iso = first_day.isocalendar()
    tiles = "\n".join(md_sections(markdown(con, week=f"{iso.year}-W{iso.week:02d}"))["Key numbers"])
    volume = next(line for line in tiles.splitlines() if line.startswith("| Volume | "))
    assert "no week before to compare" in volume and "part of a week" not in tiles


def test_each_tile_says_where_its_trend_window_began_and_ended(con):
    # Requests created in each of the 12 weeks to 2026-W46, counted here: the volume tile's trend
    # sets the first 4 weeks' average against the last 4's.
    weekly = [r[0] for r in con.execute(
        """select count(*) filter (where timezone('America/Sao_Paulo', created_at) >= monday
                                     and timezone('America/Sao_Paulo', created_at) < monday + interval 7 day)
           from requests, unnest(range(timestamp '2026-08-24', timestamp '2026-11-16', interval 7 day)) as w(monday)
           group by monday order by monday""").fetchall()]
    assert len(weekly) == 12
    first, last = (f"{half_up(sum(four) / 4, 0):,.0f}" for four in (weekly[:4], weekly[-4:]))
    document = document_for(con, selection_for(con))
    html_text = report.render(document, "html").decode("utf-8")
    assert f"{first} → {last} (first 4 weeks against last 4 of 12)" in html_text
    pdf_text = " ".join(PdfReader(BytesIO(report.render(document, "pdf"))).pages[0].extract_text().split())
    assert f"{first} to {last} (first 4 weeks against last 4 of 12)" in pdf_text


def test_the_csat_chart_draws_the_trend_the_tile_and_brief_give(con):
    # Survey answers to known requests in each of the 12 weeks to 2026-W46 (São Paulo weeks of
    # submission), counted here: each end pools its 4 weeks' satisfied answers over their answers.
    weekly_counts = con.execute(
        """select count(*) filter (where f.score >= 4), count(*)
           from unnest(range(timestamp '2026-08-24', timestamp '2026-11-16', interval 7 day)) as w(monday)
           left join (feedback as f join requests as r
                      on r.source = f.request_source and r.request_id = f.request_id and f.score is not null)
             on timezone('America/Sao_Paulo', f.submitted_at) >= monday
            and timezone('America/Sao_Paulo', f.submitted_at) < monday + interval 7 day
           group by monday order by monday""").fetchall()
    assert len(weekly_counts) == 12
    first, last = (sum(s for s, _ in four) / sum(n for _, n in four)
                   for four in (weekly_counts[:4], weekly_counts[-4:]))
    kpis = weekly.weekly_kpis(lambda name, params: queries.run(con, name, params), selection_for(con), organisation())
    spec = weekly.trend_charts(kpis)["csat"].to_dict()
    levels = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule" and "x2" in layer["encoding"])
    rows = spec["datasets"][levels["data"]["name"]]
    assert [row["value"] for row in rows] == pytest.approx([first, last])
    assert [row["end"] for row in rows] == ["first 4 weeks", "last 4 weeks"]
    # Each level spans its weeks' points (Mondays) and half a week either side.
    assert [(row["from"][:16], row["to"][:16]) for row in rows] == [
        ("2026-08-20T12:00", "2026-09-17T12:00"), ("2026-10-15T12:00", "2026-11-12T12:00")]
    assert spec["title"]["subtitle"] == ["answers scoring 4-5 · dashed: goal", "grey: trend, first and last 4 weeks"]
    assert f"{weekly.percent(first)} → {weekly.percent(last)}" in kpis.tile("csat").trend_text()


def test_the_emerging_test_of_a_week_not_over_ends_with_the_last_whole_week(con):
    # The sample ends on Wed 18 Nov 2026 (W47): W47's report tests the 4 weeks to 15 Nov, as W46's.
    run = lambda name, params: queries.run(con, name, params)  # noqa: E731
    tested = {week: weekly.emerging(run, selection, selection.period)
              for week in ("2026-W46", "2026-W47") for selection in [selection_for(con, week=week)]}
    assert {e.end for e in tested.values()} == {date(2026, 11, 16)}
    assert tested["2026-W46"].table.equals(tested["2026-W47"].table)


def test_a_trend_end_resting_on_too_few_is_not_given():
    # 9 of 12 decided this week (below the 30 a rate needs): no "→" from a week of enough to it.
    tile = Tile(key="fr_adherence", label="First-response adherence", value=0.75, previous=0.9, unit="rate",
                count=12, count_label="decided", too_small=True, series=(0.9, 0.75), series_parts=((27, 30), (9, 12)),
                trend_min_count=30)
    assert tile.trend_text() == ""
    enough = Tile(**{**tile.__dict__, "too_small": False, "series_parts": ((27, 30), (30, 40))})
    assert enough.trend_text() == "90.0% → 75.0% (first week against last of 2)"


@pytest.mark.parametrize("view", ["organisation", "procurement-internal"])
def test_the_report_lists_the_broken_promises_the_sla_page_lists(dashboard, con, view):
    query, filters = VIEWS[view]
    for key, value in query.items():
        dashboard.query_params[key] = value
    page = page_frame(rendered(dashboard, "pages/sla.py"), "hours_late")  # held to SQL in test_pages
    lines = md_sections(markdown(con, filters))["Broken promises"]
    said = next(line for line in lines if line)
    assert said.startswith(f"{len(page):,} of the ") and f"The first {report.REPORT_BREACHES}, still open first" in said
    by_department = re.search(r"By provider department: ([^.]*)\.", said)
    if filters.provider_departments:  # one department: no split, and no column naming it on every row
        assert by_department is None and "Provider department" not in md_table(lines)[0]
    else:  # every broken promise is in one department's count
        assert sum(int(n.replace(",", "")) for n in re.findall(r" (\d[\d,]*)(?:,|$)", by_department.group(1))) \
            == len(page)
    listed = md_table(lines)
    assert [r["Request"] for r in listed] == [
        f"{s} {i}" for s, i in zip(page["source"], page["request_id"])][: report.REPORT_BREACHES]
    assert [r["Now"] for r in listed] == [
        "still open" if is_open else "resolved late" for is_open in page["is_open"]][: report.REPORT_BREACHES]
    assert [r["Hours late"] for r in listed] == [f"{h:,.1f} h" for h in page["hours_late"].round(1)][
        : report.REPORT_BREACHES]


def promises_due_by_department(con) -> dict[str, tuple[int, int]]:
    """Per provider department with requests in 2026-W46: (promises due that week, of them broken),
    counted from requests (W46 is over in the sample: every one of them is decided)."""
    return {d: (due, broken) for d, due, broken in con.execute(
        """select provider_department,
                  count(due_at) filter (where due_at >= timestamptz '2026-11-09 00:00:00-03'
                                          and due_at < timestamptz '2026-11-16 00:00:00-03'),
                  count(*) filter (where due_at >= timestamptz '2026-11-09 00:00:00-03'
                                     and due_at < timestamptz '2026-11-16 00:00:00-03'
                                     and coalesce(resolved_at, closed_at, timestamptz 'infinity') > due_at)
           from requests where created_at < timestamptz '2026-11-16 00:00:00-03' group by all""").fetchall()}


def test_a_week_whose_promises_were_all_kept_says_so(con):
    kept_all = sorted(d for d, (due, broken) in promises_due_by_department(con).items() if due and not broken)
    assert kept_all  # Facilities, Human Resources, Legal and Payroll in the sample
    due = promises_due_by_department(con)[kept_all[0]][0]
    lines = md_sections(markdown(con, Filters(provider_departments=(kept_all[0],))))["Broken promises"]
    assert next(line for line in lines if line) == f"All {due:,} promises due this week were kept (resolved by the due date)."


def test_a_week_without_due_dates_has_no_broken_promises_section(con):
    # IT's urgent requests: seven created in 2026-W46 in the sample, none due that week.
    created, due = con.execute(
        """select count(*) filter (where created_at >= timestamptz '2026-11-09 00:00:00-03'
                                     and created_at < timestamptz '2026-11-16 00:00:00-03'),
                  count(*) filter (where due_at >= timestamptz '2026-11-09 00:00:00-03'
                                     and due_at < timestamptz '2026-11-16 00:00:00-03')
           from requests where provider_department = 'IT' and priority = 'urgent'""").fetchone()
    assert created and not due
    sections = md_sections(markdown(con, Filters(provider_departments=("IT",), priorities=("urgent",))))
    assert "Top breaches" in sections and "Broken promises" not in sections


def test_a_breach_says_what_became_of_it_in_words_that_fit_its_target(con):
    rows = [line.split(" | ") for line in md_sections(markdown(con))["Top breaches"] if line.startswith("| ")][2:]
    assert rows
    for row in rows:
        target, now = row[1], row[-1].rstrip(" |")
        assert now in {"first response": {"no response yet", "answered late"},
                       "resolution": {"still open", "resolved late"}}[target]


def test_a_week_with_one_unhappy_answer_says_so_in_the_singular():
    one = pd.DataFrame([{"score": 1.0, "comment": "Ninguém respondeu.", "provider_department": "IT",
                         "requester": "Acme Example Ltda", "category": "Portal access", "source": "zendesk",
                         "request_id": "80608", "submitted_at": datetime(2026, 11, 18, 14, 0, tzinfo=timezone.utc)}])
    csat = Tile(key="csat", label="CSAT", value=0.0, previous=None, unit="rate", count=1, count_label="answers",
                goal=0.85, too_small=True)
    texts = lambda lowest, n_unhappy: [  # noqa: E731
        b.text for b in report._feedback_section(weekly.Feedback(csat, 1, 0, 1.0, 3, n_unhappy, lowest),
                                                 organisation().zone).blocks if isinstance(b, report.Text)]
    said = texts(one, 1)
    assert "Only 1 answer: too few to trust." in said
    assert "The one answer scoring 1-2 with a comment:" in said
    # Every one listed, or the first of more.
    assert "Every answer scoring 1-2 with a comment (2; lowest score first, then newest):" in texts(
        pd.concat([one, one.assign(request_id="80609")]), 2)
    assert ("The lowest-scored comments (1 of the 12 answers scoring 1-2 with a comment; lowest score first, "
            "then newest):") in texts(one, 12)


def test_the_pdf_spells_out_the_symbols_its_font_lacks():
    window = "(first 4 weeks against last 4 of 12)"
    assert report.pdf_text(f"CSAT 81.8% → 58.7% {window} · goal 85.0% ✓ met so far") == (
        f"CSAT 81.8% to 58.7% {window} · goal 85.0%, met so far")
    assert report.pdf_text("goal 90.0% ✗ below goal · ≥ 30 answers") == "goal 90.0%, below goal · >= 30 answers"


def test_the_pdf_writes_names_its_font_lacks_letters_of_without_their_marks():
    # Windows-1252 has á, ç, ñ and ö, so they stay; ř, Ş, ő and Ł it lacks. Ł does not come apart
    # into L and a mark, as ř does into r and a caron.
    assert report.pdf_text("Łukasz Dvořák, Şule Öztürk, Erdős, São João, Muñoz") == (
        "Lukasz Dvorák, Sule Öztürk, Erdos, São João, Muñoz")
    assert report.pdf_text("Agent 王") == "Agent ?"  # no letter to fall back on


def test_html_tables_keep_ids_on_one_line_and_let_text_wrap():
    table = report.Table(("Request", "Comment", "Note", "Source and id"),
                         (("PROC-5493", "slow reply, asked twice", "x" * 30, "jira PROC-5493"),),
                         (False, False, False, False), (1, 3, 1, 1))
    cells = re.findall(r'<td style="([^"]*)">([^<]*)</td>', report._html_block(table, None))
    assert [(value, "white-space:nowrap" in style) for style, value in cells] == [
        ("PROC-5493", True), ("slow reply, asked twice", False), ("x" * 30, False), ("jira PROC-5493", True)]


@pytest.mark.parametrize("filters", [Filters(), Filters(priorities=("urgent",))], ids=["organisation", "urgent"])
def test_the_too_few_column_flags_exactly_the_departments_on_fewer_than_30_targets(con, filters):
    section = md_sections(markdown(con, filters))["Every department against its goal"]
    rows = md_table(section)
    few = {r["Provider department"] for r in rows if int(r["Decided"].replace(",", "")) < 30}
    note = next(line for line in section if line.startswith("_Each provider department"))
    if few:  # urgent requests: Procurement's 14 decided targets, Payroll's 10, ...
        assert {r["Provider department"] for r in rows if r["Too few to trust"] == "yes"} == few
        assert all(r["Too few to trust"] in ("yes", "") for r in rows) and "every one here rests on more" not in note
    else:  # the whole organisation's departments all rest on 115 targets or more: no column of blanks
        assert "Too few to trust" not in rows[0]
        assert "is too few to trust; every one here rests on more." in note
    assert filters == Filters() or few


def test_the_due_soonest_deadlines_give_day_and_time_without_the_year(con):
    # They fall within hours of the data's newest instant, so the year says nothing, and without it
    # "18 Nov 12:06" fits its column on one line, where "18 Nov 2026 12:06" wrapped.
    selection = selection_for(con)
    now = attention.attention(lambda name, params: queries.run(con, name, params), selection)
    document = report.build_document(weekly.weekly_view(lambda name, params: queries.run(con, name, params),
                                                        selection, organisation()), now=now)
    section = next(s for s in document.sections if s.title == "Needs attention now")
    table = next(b for b in section.blocks if isinstance(b, report.Table) and "Deadline" in b.columns)
    zone = ZoneInfo(organisation().timezone)
    assert len(table.rows) == 10
    for row in table.rows:
        cells = dict(zip(table.columns, row))
        source, request_id = str(cells["Request"]).split(" ", 1)
        metric = "fr" if cells["Due"].startswith("first response") else "res"
        deadline = con.execute(f"select {metric}_deadline_at from sla_states($as_of) "
                               "where source = $source and request_id = $request_id",
                               {"as_of": selection.as_of, "source": source, "request_id": request_id}).fetchone()[0]
        assert timedelta(0) < deadline - selection.as_of < timedelta(days=7)
        assert cells["Deadline"] == deadline.astimezone(zone).strftime("%d %b %H:%M")
