"""Shared by the browser tests: a sample database of their own, `streamlit run` on a free
localhost port, and a headless Debian Chromium driven by Playwright (session-scoped, so every
browser test uses one server and one browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from servicelevel import PROJECT_ROOT, store

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
ERROR_SELECTORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is not installed; .ci/run installs Debian's chromium package")
    pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser_db(tmp_path_factory, sample_anchor) -> Path:
    """A sample database of its own: the server runs in another process and needs the file lock."""
    return built_sample(tmp_path_factory.mktemp("browser"), sample_anchor)


@contextmanager
def streamlit_server(db: Path, log_name: str):
    """`streamlit run dashboard.py` on a free port serving `db`; yields its base URL."""
    port = free_port()
    env = {**os.environ, "SERVICELEVEL_DB": str(db)}
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / log_name
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false"],
            cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start; see {log}")
                time.sleep(0.5)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def built_sample(folder: Path, anchor) -> Path:
    """The bundled sample with its SLA states, in a database file of its own under `folder`."""
    from servicelevel.sample import build_sample
    from servicelevel.sla import ensure_fresh

    path = folder / "sample.duckdb"
    con = store.connect(path)
    try:
        build_sample(con, anchor=anchor, out_dir=folder / "exports")
        ensure_fresh(con)
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def server(browser_db):
    """The server every read-only browser test shares; yields its base URL."""
    with streamlit_server(browser_db, "streamlit-server.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_FLAGS[1:], headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


def follow(tab, link):
    """Click `link` and return the tab that shows where it leads: a new one for a link that opens
    in a new tab (Markdown links in Streamlit do), else this one."""
    if link.get_attribute("target") != "_blank":
        link.click()
        return tab
    with tab.context.expect_page() as opened:
        link.click()
    return opened.value


def settle(tab, title: str) -> None:
    """Wait until the page's title is drawn and the app has stopped running."""
    tab.get_by_role("heading", name=title).first.wait_for(timeout=90_000)
    # Running finished, and every lazily loaded element (charts, tables, tiles) has replaced
    # its placeholder.
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"], [data-testid=\"stSkeleton\"]')",
        timeout=90_000,
    )
    tab.wait_for_timeout(300)


def shot(tab, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_no_errors(tab) -> None:
    errors = tab.locator(ERROR_SELECTORS)
    assert errors.count() == 0, errors.all_inner_texts()


