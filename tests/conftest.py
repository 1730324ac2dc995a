"""Shared fixtures: a fresh database per test, paths to fixtures, the built sample."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from servicelevel import PROJECT_ROOT, store

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
# The browser tests' fixtures (a server and a headless Chromium), for every test module.
pytest_plugins = ["tests.browser_support"]
# The Monday the full-size sample ends on: its last complete week is 2026-11-09 .. 11-15.
SAMPLE_ANCHOR = date(2026, 11, 16)


@pytest.fixture
def con(tmp_path):
    """A new, migrated database file in a temporary folder."""
    connection = store.connect(tmp_path / "test.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def sample_anchor() -> date:
    """The anchor (a Monday) of the sample in sample_db_path."""
    return SAMPLE_ANCHOR


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory, sample_anchor) -> Path:
    """A database holding the full-size bundled sample, anchored on sample_anchor; built once.

    Every test of the session shares it: do not change its data.
    """
    from servicelevel.sample import build_sample

    folder = tmp_path_factory.mktemp("sample")
    path = folder / "sample.duckdb"
    connection = store.connect(path)
    try:
        build_sample(connection, anchor=sample_anchor, out_dir=folder / "exports")
    finally:
        connection.close()
    return path


@pytest.fixture
def dashboard(sample_db_path, monkeypatch):
    """An AppTest of dashboard.py serving the sample database."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SERVICELEVEL_DB", str(sample_db_path))
    return AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)


@pytest.fixture
def gap_dashboard(tmp_path, monkeypatch):
    """An AppTest of dashboard.py on a small database with requests (each with a survey answer)
    in early March and mid-April 2026 and none in the weeks between (23 March - 5 April is empty)."""
    from streamlit.testing.v1 import AppTest

    from tests.handmade import import_answers, import_requests

    path = tmp_path / "gap.duckdb"
    con = store.connect(path)
    try:
        days = [f"2026-03-{d:02d}" for d in range(2, 20)] + [f"2026-04-{d:02d}" for d in range(13, 24)]
        import_requests(con, tmp_path, [
            {"request_id": f"G{i}", "created_at": f"{day}T14:00:00Z", "requester_type": "internal",
             "requester_department": "Sales", "provider_department": "IT", "status": "resolved",
             "first_response_at": f"{day}T15:00:00Z", "resolved_at": f"{day}T17:00:00Z"}
            for i, day in enumerate(days)
        ])
        import_answers(con, tmp_path, [(f"G{i}", f"{day} 18:00", "4", "ok") for i, day in enumerate(days)])
    finally:
        con.close()
    monkeypatch.setenv("SERVICELEVEL_DB", str(path))
    return AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=90)
