"""The house rules the code promises (README, Development), checked: every query file has its header and
runs with the parameters the app gives it; the domain package never imports streamlit; pages
never talk to DuckDB directly; every metric is defined in the README."""

from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta, timezone

import pytest

from servicelevel import PROJECT_ROOT, QUERIES_DIR, queries, store
from servicelevel.definitions import METRICS
from servicelevel.filters import FILTER_PARAMS, Filters

QUERY_FILES = sorted(QUERIES_DIR.glob("*.sql"))
# The parameters every page can pass (sidebar filters, period, as-of, time zone)...
WEEK_START = datetime(2026, 11, 9, 3, 0, tzinfo=timezone.utc)
COMMON = {
    **Filters().params(),
    "start_at": WEEK_START,
    "end_at": WEEK_START + timedelta(days=7),
    "as_of": datetime(2026, 11, 18, 12, 0, tzinfo=timezone.utc),
    "timezone": "America/Sao_Paulo",
}
# ...and the extra ones particular queries take, with a realistic value each.
EXTRA = {
    "dimension": "provider_department",
    "row_dimension": "provider_department",
    "column_dimension": "priority",
    "metric": "resolution",
    "clock": "business",
    "bin_hours": 4.0,
    "max_hours": 160.0,
    "max_rows": 50,
    "within_secs": 8 * 3600,
    "import_id": 0,
    "source": "jira",
    "request_id": "IT-1",
    "prefix": "IT-",
    "split": "requester",
    "long_overdue_days": 30,
    "split_at": WEEK_START + timedelta(days=3),  # the two spans a median is compared between
    "before_start_at": WEEK_START - timedelta(days=7),  # the period before, for a change
}


def header(path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines[: next(i for i, l in enumerate(lines) if not l.startswith("--"))]]


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_file_has_the_header(path):
    lines = header(path)
    assert lines and lines[0] == f"-- {path.stem}", "first line must name the result: -- <file name>"
    text = "\n".join(lines)
    assert "-- Returns:" in text and "-- Params:" in text
    sql = path.read_text(encoding="utf-8")
    params = queries.parameters_of(sql)
    described = text.split("-- Params:", 1)[1]
    # The sidebar's filter parameters may be named together as "the shared filters".
    shared = set(FILTER_PARAMS) if "shared filters" in described else set()
    for param in params - shared:
        assert f"${param}" in described, f"{path.name}: ${param} is not described in the header"
    if "filtered_" in sql:
        assert set(FILTER_PARAMS) <= params, f"{path.name} filters requests without every filter parameter"


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_runs_with_what_the_app_passes(path, sample_db_path):
    sql = path.read_text(encoding="utf-8")
    wanted = queries.parameters_of(sql)
    unknown = wanted - set(COMMON) - set(EXTRA)
    assert not unknown, f"{path.name} binds parameters no caller provides: {unknown}"
    con = store.connect(sample_db_path)
    try:
        result = queries.run(con, path.stem, {**COMMON, **EXTRA})
    finally:
        con.close()
    returns = "\n".join(header(path)).split("-- Returns:", 1)[1].split("-- Params:", 1)[0]
    # The header names every column, unless it passes on a whole table's ("every requests column").
    if not re.search(r"every \w+ column", returns):
        unnamed = [c for c in result.columns if not re.search(rf"\b{re.escape(c)}\b", returns)]
        assert not unnamed, f"{path.name}: the -- Returns: comment does not name {unnamed}"


def python_files(folder):
    return [p for p in (PROJECT_ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts]


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_domain_package_never_imports_streamlit():
    offenders = [
        str(p.relative_to(PROJECT_ROOT)) for p in python_files("servicelevel")
        if "ui" not in p.relative_to(PROJECT_ROOT / "servicelevel").parts[:1]
        and "streamlit" in imported_modules(p)
    ]
    assert offenders == []


def test_pages_leave_data_access_to_the_package():
    offenders = [str(p.name) for p in python_files("pages") if "duckdb" in imported_modules(p)]
    assert offenders == []


def test_no_sql_is_formatted_with_user_values():
    # An f-string handed straight to execute/sql is how values leak into SQL text (the string may
    # start on the next line).
    pattern = re.compile(r"\.(execute|sql)\(\s*f[\"']")
    offenders = [
        f"{p.relative_to(PROJECT_ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
        for p in python_files("servicelevel") + python_files("pages")
        for text in [p.read_text(encoding="utf-8")]
        for match in pattern.finditer(text)
    ]
    assert offenders == []


def test_the_readme_defines_every_metric_as_the_app_does():
    # Two rows had gained a sentence the app's definitions lacked.
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    differing = [m.name for m in METRICS if f"\n| {m.name} | {m.definition} |\n" not in readme]
    assert differing == []


def readme_section(title: str) -> str:
    """The README's section headed `## {title}`, up to the next one of that level."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readmes_maps_name_every_module_and_test_file():
    # A new maintainer found two modules missing from the layout and nine test files missing from
    # the list of where the tests are.
    layout, development = readme_section("Project layout"), readme_section("Development")
    modules = [p.name for p in sorted((PROJECT_ROOT / "servicelevel").glob("*.py")) if not p.name.startswith("__")]
    test_files = [p.name for p in sorted((PROJECT_ROOT / "tests").glob("test_*.py"))]
    assert [name for name in modules if not re.search(rf"\b{re.escape(name)}\b", layout)] == []
    assert [name for name in test_files if f"`{name}`" not in development and f"`tests/{name}`" not in development] == []


def test_the_at_risk_definition_gives_the_horizon_the_pages_use():
    # "within the next N business hours" left the reader to guess N.
    from servicelevel.attention import DUE_WITHIN_HOURS
    from servicelevel.definitions import definition

    page = (PROJECT_ROOT / "pages" / "sla.py").read_text(encoding="utf-8")
    low, high, default = re.search(r'bound_slider\("Deadline within the next … business hours", (\d+), (\d+), (\d+)',
                                   page).groups()
    assert int(default) == DUE_WITHIN_HOURS
    assert f"{DUE_WITHIN_HOURS} in the weekly overview" in definition("at_risk")
    assert f"sets another ({low} to {high})" in definition("at_risk")


def test_every_request_field_a_source_can_lack_says_what_the_pages_do_without_it():
    from servicelevel.fields import REQUEST_FIELDS, REQUIRED_BY_KIND, WITHOUT_FIELD

    optional = [f for f in REQUEST_FIELDS if f not in REQUIRED_BY_KIND["requests"]]
    assert sorted(WITHOUT_FIELD) == sorted(optional)
