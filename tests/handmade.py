"""Small hand-built exports for the recurring-problems and feedback tests, loaded through the
real importer (canonical requests CSV, survey CSV) into a real DuckDB file."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from servicelevel.ingest import import_file

REQUEST_COLUMNS = [
    "request_id", "created_at", "first_response_at", "resolved_at", "closed_at", "due_at", "updated_at",
    "status", "priority", "requester_type", "requester_id", "requester_department", "requester_org",
    "provider_department", "provider_type", "agent", "channel", "category", "subcategory", "subject",
    "reopen_count", "reassignment_count",
]
DEFAULTS = {
    "status": "open", "priority": "normal", "requester_type": "internal", "requester_department": "Sales",
    "provider_department": "IT", "provider_type": "in_house", "channel": "portal", "category": "Access",
    "subject": "Cannot log in",
}


def import_requests(con: duckdb.DuckDBPyConnection, folder: Path, rows: list[dict], name: str = "requests.csv",
                    source: str | None = None) -> None:
    """Write rows (request_id and created_at required; the rest from DEFAULTS or empty) as the
    canonical CSV and import it (under `source`, else the preset's source name)."""
    path = Path(folder) / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REQUEST_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, DEFAULTS.get(c, "")) for c in REQUEST_COLUMNS})
    import_file(con, path, preset="canonical", source=source)


def import_answers(con: duckdb.DuckDBPyConnection, folder: Path, rows: list[tuple], name: str = "survey.csv") -> None:
    """Write (request_id, submitted_at, score, comment) rows as a survey export and import it
    (the survey preset detects the scale from the scores)."""
    path = Path(folder) / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Ticket ID", "Submitted at", "Score", "Comment"])
        writer.writerows(rows)
    import_file(con, path, preset="survey")


def filters(**chosen) -> dict:
    """The shared filters' parameters, all empty unless chosen."""
    empty = {"requester_type": "", "requester_departments": [], "provider_departments": [],
             "provider_types": [], "priorities": [], "channels": []}
    return {**empty, **chosen}
