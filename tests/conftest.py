"""Shared fixtures: a fresh database per test, paths to fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicelevel import PROJECT_ROOT, store

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"


@pytest.fixture
def con(tmp_path):
    """A new, migrated database file in a temporary folder."""
    connection = store.connect(tmp_path / "test.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
