"""Taking a source out again (python -m servicelevel remove), on imports made by the real importer."""

from __future__ import annotations

import csv

import pytest

from servicelevel import store
from servicelevel.cli import main
from servicelevel.ingest import import_file
from servicelevel.sources import UnknownSource, remove_source
from tests.handmade import REQUEST_COLUMNS, import_answers


def write_requests(path, ids: list[str], bad: int = 0) -> None:
    """Canonical requests (and `bad` rows without a creation time, which end in rejected_rows)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REQUEST_COLUMNS)
        writer.writeheader()
        for i, request_id in enumerate(ids):
            writer.writerow({"request_id": request_id, "created_at": f"2026-03-{2 + i:02d}T10:00:00Z",
                             "status": "open", "requester_type": "internal"})
        for i in range(bad):
            writer.writerow({"request_id": f"BAD-{i}", "created_at": "yesterday"})


@pytest.fixture
def two_sources(tmp_path):
    """'desk' (3 requests, 1 rejected row) and 'chat' (2 requests), and a survey about both."""
    path = tmp_path / "db.duckdb"
    con = store.connect(path)
    write_requests(tmp_path / "desk.csv", ["D1", "D2", "D3"], bad=1)
    write_requests(tmp_path / "chat.csv", ["C1", "C2"])
    import_file(con, tmp_path / "desk.csv", preset="canonical", source="desk")
    import_file(con, tmp_path / "chat.csv", preset="canonical", source="chat")
    import_answers(con, tmp_path, [("D1", "2026-03-05 10:00", "5", "ok"), ("C1", "2026-03-05 11:00", "2", "slow")])
    yield con, path, tmp_path
    con.close()


def counts(con) -> dict[str, list]:
    return {
        "requests": con.execute("select source, count(*) from requests group by all order by 1").fetchall(),
        "rejected": con.execute("select source, count(*) from rejected_rows group by all order by 1").fetchall(),
        "answers": con.execute("select count(*) from feedback").fetchall(),
    }


def test_removing_a_source_takes_its_rows_and_leaves_the_others(two_sources):
    con, _, _ = two_sources
    held = remove_source(con, "desk")
    assert (held["n_requests"], held["n_rejected"], held["n_imports"]) == (3, 1, 1)
    assert counts(con) == {"requests": [("chat", 2)], "rejected": [], "answers": [(2,)]}  # the survey stays
    assert con.execute("select status from imports where source = 'desk'").fetchall() == [("removed",)]


def test_a_removed_source_can_be_imported_again_from_the_same_file(two_sources):
    con, _, folder = two_sources
    remove_source(con, "desk")
    report = import_file(con, folder / "desk.csv", preset="canonical", source="desk")
    assert report.identical_to is None and report.n_inserted == 3  # not skipped as a repeat


def test_an_unknown_source_is_named_with_the_ones_there_are(two_sources):
    con, _, _ = two_sources
    before = counts(con)
    with pytest.raises(UnknownSource, match=r"no source 'dsek' in the database \(sources: chat, desk, survey\)"):
        remove_source(con, "dsek")
    assert counts(con) == before


def test_the_command_says_what_it_would_remove_and_removes_only_with_yes(two_sources, capsys):
    con, path, _ = two_sources
    con.close()
    assert main(["--db", str(path), "remove", "desk"]) == 0  # it did what was asked: say what it would remove
    out = capsys.readouterr().out
    assert "source 'desk' holds 3 requests, 0 events, 0 survey answers, 1 rejected row from 1 import" in out
    assert "nothing removed: add --yes" in out
    assert main(["--db", str(path), "remove", "desk", "--yes"]) == 0
    assert capsys.readouterr().out.startswith("removed source 'desk': 3 requests")
    con = store.connect(path)
    try:
        assert counts(con)["requests"] == [("chat", 2)]
    finally:
        con.close()

