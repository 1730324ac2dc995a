"""Rejected rows handed back as a file to correct (servicelevel.rejected): the file's own layout,
checked against the lines of the original file, and the round trip of correcting and importing
it again."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from servicelevel import PROJECT_ROOT, store
from servicelevel.cli import main
from servicelevel.rejected import file_to_mend
from tests.fixtures.importing import database_at_version
from tests.fixtures.importing import import_checked

BAD = PROJECT_ROOT / "tests" / "fixtures" / "bad" / "requests.csv"
GOOD = PROJECT_ROOT / "tests" / "fixtures" / "canonical" / "requests.csv"


def expected_file_to_mend() -> bytes:
    """BAD's header and the lines that broke a rule, as the file has them: lines 3-7, 12 and 13.
    Lines 8 and 9 have more or fewer fields than the header (the reader could not split them), and
    line 10 is the earlier of two lines for B-9: none of those three is in it. UTF-8 with a BOM,
    for spreadsheets."""
    original = BAD.read_text(encoding="utf-8").splitlines()
    kept_lines = [3, 4, 5, 6, 7, 12, 13]
    return b"\xef\xbb\xbf" + ("\n".join([original[0]] + [original[n - 1] for n in kept_lines]) + "\n").encode()


def test_the_rows_a_rule_rejected_come_back_as_the_file_wrote_them(con):
    report = import_checked(con, BAD)
    mend = file_to_mend(con, report.import_id)

    assert mend.content == expected_file_to_mend()
    assert mend.name == "requests-rejected-rows.csv"
    assert (mend.n_rows, mend.preset, mend.source) == (7, "canonical", "canonical")
    assert report.n_rejected == mend.n_rows + 3


def test_corrected_rows_import_like_any_other(con, tmp_path):
    first = import_checked(con, BAD)
    n_stored = con.execute("select count(*) from requests").fetchone()[0]
    mend = file_to_mend(con, first.import_id)

    # What a person would do in a spreadsheet: give the rows an id and dates that read.
    rows = list(csv.reader(io.StringIO(mend.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    column = {name: i for i, name in enumerate(header)}
    for number, row in enumerate(body, start=1):
        row[column["request_id"]] = row[column["request_id"]] or f"B-FIXED-{number}"
        row[column["created_at"]] = "2024-03-04T09:00:00Z"
        row[column["resolved_at"]] = "2024-03-04T11:00:00Z" if row[column["resolved_at"]] else ""
        row[column["reopen_count"]] = "1" if row[column["reopen_count"]] else ""
    corrected = tmp_path / mend.name
    with corrected.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header, *body])

    again = import_checked(con, corrected, preset=mend.preset, source=mend.source)
    assert (again.n_read, again.n_inserted, again.n_rejected) == (7, 7, 0)
    assert con.execute("select count(*) from requests").fetchone()[0] == n_stored + 7
    assert con.execute(
        "select request_id, reopen_count from requests where request_id in ('B-FIXED-1', 'B-4', 'B-11') order by 1"
    ).fetchall() == [("B-11", 1), ("B-4", None), ("B-FIXED-1", None)]


def test_a_windows_1252_file_with_semicolons_comes_back_in_its_own_layout(con, tmp_path):
    lines = ["request_id;created_at;subject",
             "W-1;2024-03-04T09:00:00Z;Solicitação de férias",
             "W-2;ontem às 9h;Declaração de vínculo"]
    export = tmp_path / "pedidos.csv"
    export.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    report = import_checked(con, export)
    assert report.encoding == "cp1252" and report.n_rejected == 1

    mend = file_to_mend(con, report.import_id)
    assert mend.content == (lines[0] + "\n" + lines[2] + "\n").encode("cp1252")


def test_repeated_headers_stay_repeated_and_in_place(sample_db_path):
    # The sample's Jira export has two "Labels" columns, as Jira writes them.
    sample = store.connect(sample_db_path)
    try:
        import_id, file_path = sample.execute(
            "select import_id, file_path from imports where file_name = 'jira_requests.csv'").fetchone()
        mend = file_to_mend(sample, import_id)
    finally:
        sample.close()
    with Path(file_path).open(encoding="utf-8", newline="") as handle:
        original_header = next(csv.reader(handle))
    returned = list(csv.reader(io.StringIO(mend.content.decode("utf-8-sig"))))
    assert returned[0] == original_header and original_header.count("Labels") == 2
    assert all(len(row) == len(original_header) for row in returned[1:])


def test_the_command_line_lists_and_writes_the_files_to_correct(tmp_path, capsys):
    db = str(tmp_path / "db.duckdb")
    assert main(["--db", db, "import", str(BAD), str(GOOD)]) == 0
    capsys.readouterr()

    assert main(["--db", db, "rejected"]) == 0
    assert capsys.readouterr().out == "  import 1: requests.csv (source canonical), 10 rejected\n"

    assert main(["--db", db, "rejected", "1", "--out", str(tmp_path)]) == 0
    written = tmp_path / "requests-rejected-rows.csv"
    said = capsys.readouterr().out
    assert said.startswith(f"{written}: 7 rows as the file had them")
    # The canonical preset reads times without an offset as UTC; the import recorded it.
    assert f"python -m servicelevel --db {db} import {written} --preset canonical --source canonical --timezone UTC\n" in said
    assert "3 of the 10 rejected rows are not in it" in said
    assert written.read_bytes() == expected_file_to_mend()

    # The second import rejected nothing: it has no file to correct.
    assert main(["--db", db, "rejected", "2"]) == 1
    assert capsys.readouterr().err.startswith("error: import 2 has no rejected rows")
    assert main(["--db", db, "rejected", "99"]) == 1
    assert capsys.readouterr().err.startswith("error: there is no import 99; ")


def test_an_import_whose_every_row_was_rejected_is_listed_beside_failed_ones(tmp_path, capsys):
    # Every row rejected: the file stored nothing but its rows are kept, and it is the one most in
    # need of a file to correct. A failed import beside it (a preset whose columns the file lacks)
    # has no counts, which made the listed counts decimals ("2.0 rejected").
    db = str(tmp_path / "db.duckdb")
    all_bad = tmp_path / "allbad.csv"
    all_bad.write_text("request_id,created_at\nA-1,yesterday\n,2026-03-02\n", encoding="utf-8")
    unfit = tmp_path / "unfit.csv"
    unfit.write_text("id,when\n1,2\n", encoding="utf-8")
    assert main(["--db", db, "import", str(all_bad)]) == 1
    assert main(["--db", db, "import", str(unfit), "--preset", "canonical"]) == 1
    capsys.readouterr()
    assert main(["--db", db, "rejected"]) == 0
    assert capsys.readouterr().out == "  import 1: allbad.csv (source canonical), 2 rejected\n"
    assert main(["--db", db, "rejected", "1", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "allbad-rejected-rows.csv").read_text(encoding="utf-8-sig") == (
        "request_id,created_at\nA-1,yesterday\n,2026-03-02\n")
    capsys.readouterr()
    # The status says it as the Data page's import history does, not as one more "ok".
    assert main(["--db", db, "status"]) == 0
    assert ("imports: 0 ok, 1 with every row rejected, 0 skipped as identical to an earlier one, 1 failed, 0 of "
            "sources since removed") in capsys.readouterr().out


def test_a_detected_mapping_and_a_given_time_zone_are_what_the_import_command_repeats(tmp_path, capsys):
    # Portuguese headers no preset has: the mapping is detected. Times without an offset, read in
    # the zone given for the import (São Paulo, UTC-3 all year since 2019).
    export = tmp_path / "chamados.csv"
    export.write_text("Protocolo;Data de abertura;Assunto\n"
                      "P-1;2024-03-04 09:00:00;Troca de senha\n"
                      "P-2;ontem;Acesso à VPN\n", encoding="utf-8")
    db = str(tmp_path / "db.duckdb")
    assert main(["--db", db, "import", str(export), "--timezone", "America/Sao_Paulo"]) == 0
    capsys.readouterr()

    assert main(["--db", db, "rejected", "1", "--out", str(tmp_path)]) == 0
    command = capsys.readouterr().out.splitlines()[0].split(": ", 2)[2]
    written = tmp_path / "chamados-rejected-rows.csv"
    # No --preset: the same headers are detected again, which a named preset would not match.
    assert command == (f"python -m servicelevel --db {db} import {written} --source chamados "
                       "--timezone America/Sao_Paulo")

    written.write_text(written.read_text(encoding="utf-8-sig").replace("ontem", "2024-03-05 18:30:00"),
                       encoding="utf-8-sig")
    assert main(command.split()[3:]) == 0
    con = store.connect(db, read_only=True)
    try:
        assert con.execute(
            "select request_id, strftime(created_at at time zone 'UTC', '%Y-%m-%d %H:%M') from requests order by 1"
        ).fetchall() == [("P-1", "2024-03-04 12:00"), ("P-2", "2024-03-05 21:30")]
    finally:
        con.close()


def test_an_import_logged_before_zones_were_recorded_still_gives_its_file(tmp_path, capsys):
    path = tmp_path / "old.duckdb"
    old = database_at_version(path, 6)
    old.close()
    con = store.connect(path)  # migrated to the latest version: the imports log gains its zone
    try:
        report = import_checked(con, BAD)
        con.execute("update imports set timezone = null")  # as an import logged at version 6 has it
    finally:
        con.close()

    assert main(["--db", str(path), "rejected", str(report.import_id), "--out", str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert "--source canonical (and --timezone, if the original import had one)" in said
