"""The dashboard in a real headless Chromium against `streamlit run` on a free localhost port:
every page opens without an exception or error, a filter change reaches the URL and the numbers,
and a bookmarked URL reproduces its view. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser_support import assert_no_errors, settle, shot

pytestmark = pytest.mark.browser

# url path -> what the page's title says. The default page lives at the root URL.
PAGES = {
    "": "Weekly overview",
    "sla": "SLA adherence",
    "departments": "Internal departments",
    "recurring": "Recurring problems",
    "feedback": "Feedback",
    "data": "Data & definitions",
    "request": "Request",
}


@pytest.mark.parametrize("url_path", list(PAGES), ids=lambda p: p or "overview")
def test_every_page_opens_without_errors(server, page, url_path):
    page.goto(f"{server}/{url_path}")
    settle(page, PAGES[url_path])
    shot(page, f"page-{url_path or 'overview'}")
    assert_no_errors(page)


def tile_value(tab, label: str) -> str:
    tile = tab.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text()


def test_a_filter_change_updates_the_url_and_the_numbers(server, page):
    page.goto(f"{server}/")
    settle(page, "Weekly overview")
    everyone = tile_value(page, "Volume")
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="Internal", exact=True).click()
    page.wait_for_url("**requester=Internal**", timeout=30_000)
    settle(page, "Weekly overview")
    internal = tile_value(page, "Volume")
    shot(page, "filter-internal")
    assert_no_errors(page)
    assert int(internal.replace(",", "")) < int(everyone.replace(",", ""))


def test_a_bookmarked_url_reproduces_the_view(server, page):
    page.goto(f"{server}/sla?dept=Procurement&requester=Internal")
    settle(page, "SLA adherence")
    shot(page, "bookmark-sla-procurement")
    assert_no_errors(page)
    assert page.get_by_text("internal; provider Procurement").count() >= 1
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("Procurement", exact=True).count() >= 1
