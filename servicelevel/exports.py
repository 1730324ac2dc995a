"""Export files as they really are: encodings, delimiters, BOMs and spreadsheets, made readable."""

from __future__ import annotations

import codecs
import csv
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CHUNK_BYTES = 8 * 1024 * 1024
SAMPLE_ROWS = 2000  # records sampled to guess formats and mappings
MAX_FIELD_BYTES = 20_000_000  # a longer field is no helpdesk text; the reader rejects its line
# The reader's buffer for the first records only. Sized from the longest line allowed, its
# default buffer takes in a few hundred megabytes before the first record comes out (0.13 s
# for 2,000 records of a 256 MB file, against 0.03 s with this one); the whole read keeps it.
SAMPLE_BUFFER_BYTES = 2 * MAX_FIELD_BYTES
DELIMITERS = (",", ";", "\t", "|")
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def name_some(headers: list[str], shown: int = 8) -> str:
    """Header names for a message: the first few quoted, the rest counted (an export can have
    thousands of columns)."""
    named = ", ".join(repr(h) for h in headers[:shown])
    return named + (f" and {len(headers) - shown:,} more" if len(headers) > shown else "")


def describe_layout(encoding: str, delimiter: str) -> str:
    """How a file was read, for a report: 'utf-8, delimiter ','', or 'spreadsheet'."""
    return encoding if encoding == "spreadsheet" else f"{encoding}, delimiter {delimiter!r}"


class ExportError(Exception):
    """An export file cannot be read at all; the message names the file and the reason."""


@dataclass
class ExportFile:
    """A readable UTF-8 CSV view of one export, and what it took to get there."""

    original: Path
    csv_path: Path  # UTF-8, the file itself or a converted copy
    encoding: str  # what the original was decoded as
    delimiter: str
    headers: list[str]
    work_dir: Path | None = None  # holds converted copies; removed by close()
    notes: list[str] = field(default_factory=list)  # what a report should say about the reading
    # The first SAMPLE_ROWS records as the reader reads them (all, in a shorter file): the check
    # that the reader takes the file reads them, and sample_values answers from them.
    first_rows: list[tuple] = field(default_factory=list, repr=False)

    def close(self) -> None:
        """Remove any converted copy."""
        if self.work_dir is not None:
            shutil.rmtree(self.work_dir, ignore_errors=True)
            self.work_dir = None

    def __enter__(self) -> "ExportFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# A file that is UTF-8 but for a few bytes (one line pasted from a Windows-1252 file, a download
# cut in the middle of a character): read as UTF-8, those bytes as Windows-1252.
MIXED_UTF8 = "utf-8 with some cp1252 bytes"
# Characters a UTF-8 decoding gives for real multi-byte sequences, and the escapes of bad bytes.
_DECODED_NON_ASCII = re.compile("[\u0080-\ud7ff\ue000-\U0010ffff]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def detect_encoding(path: Path) -> str:
    """'utf-8', 'utf-8-sig', 'utf-16' (or 'utf-16-le'/'utf-16-be' without a BOM), 'cp1252'
    (Windows-1252, a superset of Latin-1 text), or MIXED_UTF8 when the file holds both
    multi-byte UTF-8 characters and bytes UTF-8 cannot decode (a cp1252 file's accents are
    single bytes, which seldom happen to form one)."""
    if bomless := _bomless_utf16(path):
        return bomless
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            start = 3
            name = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        else:
            start = 0
            name = "utf-8"
        handle.seek(start)
        # Valid UTF-8 (the usual case) is checked at C speed; only a file with a bad byte is read
        # again, to see whether it holds real multi-byte characters besides.
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(CHUNK_BYTES):
                # ASCII is UTF-8, and isascii() runs at memory speed (decoding 1 GB takes half a
                # second); unless the chunk before ended inside a character.
                if not chunk.isascii() or decoder.getstate()[0]:
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return name
        except UnicodeDecodeError:
            pass
        handle.seek(start)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        while chunk := handle.read(CHUNK_BYTES):
            if _DECODED_NON_ASCII.search(decoder.decode(chunk)):
                return MIXED_UTF8
    return "cp1252"


def _bomless_utf16(path: Path) -> str | None:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text saved without a byte-order mark: its header's
    ASCII characters leave a zero byte in every other position, always the same one."""
    with path.open("rb") as handle:
        head = handle.read(256)
    head = head[: len(head) // 2 * 2]
    if len(head) < 8 or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    zeros_even, zeros_odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    if zeros_odd > 0.8 * pairs and zeros_even == 0:
        return "utf-16-le"
    if zeros_even > 0.8 * pairs and zeros_odd == 0:
        return "utf-16-be"
    return None


def first_line_with_bad_utf8(path: Path) -> int:
    """The 1-based line of the first byte UTF-8 cannot decode."""
    line = 1
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            text = decoder.decode(chunk)
            bad = _ESCAPED_BYTE.search(text)
            if bad is not None:
                return line + text.count("\n", 0, bad.start())
            line += text.count("\n")
    return line


# cp1252 leaves five bytes undefined; Latin-1 maps them, so nothing is lost or rejected.
codecs.register_error("latin1_fallback", lambda e: (e.object[e.start:e.end].decode("latin-1"), e.end))
# In a mostly UTF-8 file, the bytes UTF-8 cannot decode are read as cp1252.
codecs.register_error(
    "cp1252_bytes", lambda e: (e.object[e.start:e.end].decode("cp1252", errors="latin1_fallback"), e.end)
)


def _transcode(path: Path, encoding: str, target: Path, unify_newlines: bool = False) -> None:
    errors = "strict"
    if encoding == "cp1252":
        errors = "latin1_fallback"
    elif encoding == MIXED_UTF8:
        encoding, errors = "utf-8", "cp1252_bytes"
    # unify_newlines: CRLF, CR and LF all become LF (Python's universal newlines).
    newline = None if unify_newlines else ""
    with path.open("r", encoding=encoding, errors=errors, newline=newline) as src, target.open(
        "w", encoding="utf-8", newline=""
    ) as dst:
        shutil.copyfileobj(src, dst, CHUNK_BYTES)


def _spreadsheet_to_csv(path: Path, target: Path) -> list[str]:
    """Writes the workbook's first sheet holding a table as CSV, from its header row on; returns
    notes naming the rows above the header (a title) and the sheets left unread, if any."""
    # Spreadsheets hold at most about a million rows, so one pass through calamine is fine.
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        # A leading sheet without a table, a cover page left blank or holding a title alone, is
        # passed over; a workbook of such sheets only is read from its first holding a value.
        read, rows, fallback = None, [], None
        for name in names:
            sheet_rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            counts = [sum(c not in (None, "") for c in row) for row in sheet_rows]
            if any(n >= 2 for n in counts):
                read, rows = name, sheet_rows
                break
            if fallback is None and any(counts):
                fallback = name, sheet_rows
        if read is None and fallback is not None:
            read, rows = fallback
    except Exception as exc:  # calamine raises its own error types per format
        raise ExportError(f"{path.name}: cannot read the spreadsheet ({exc})") from None
    if read is None:
        raise ExportError(f"{path.name}: the spreadsheet holds no values (sheets: {', '.join(map(repr, names))})")
    header_at = _header_row(rows)
    with target.open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)  # lines end in CRLF
        # A line break inside a header cell (a wrapped title, "Solved at\n(UTC)") becomes a space:
        # the CSV reader cannot take a header spread over several lines.
        writer.writerow([" ".join(cell.splitlines()) for cell in _spreadsheet_cell_text(rows[header_at])])
        # The rows above the header become empty lines below it, which the reader passes over and
        # blank_lines() counts: every later row keeps its line number, as the spreadsheet shows it.
        dst.write("\r\n" * header_at)
        writer.writerows(_spreadsheet_cell_text(row) for row in rows[header_at + 1:])
    notes = []
    if header_at:
        title = " ".join(str(c) for row in rows[:header_at] for c in row if c not in (None, "")) or None
        above = "row 1 above them was" if header_at == 1 else f"rows 1-{header_at} above them were"
        title_said = f" (a title: {_shortened(title)!r})" if title else ""
        notes.append(f"the headers were read from row {header_at + 1}; {above} skipped{title_said}")
    if len(names) > 1:
        position = names.index(read)
        note = f"the sheet {read!r} was read" + (", the first holding a table" if position else "")
        unread = names[position + 1:]
        if unread:
            note += (f"; the workbook's later sheets ({', '.join(map(repr, unread))}) were not: "
                     "save each as its own file to import it")
        notes.append(note)
    return notes


TITLE_ROWS = 20  # a title, a date, filter notes and blank rows above a sheet's headers: at most this many


def _header_row(rows: list[list]) -> int:
    """The index of a sheet's header row among its first TITLE_ROWS: the first holding two values
    or more, at least half as many as the fullest row near the top, and text only (a title above
    the headers holds one or two, often a date: 'Report', 20 Nov 2026); failing text only, the
    first full enough; else the first row."""
    def filled(row: list) -> list:
        return [c for c in row if c not in (None, "")]

    widest = max((len(filled(row)) for row in rows[:2 * TITLE_ROWS]), default=0)
    full = [i for i, row in enumerate(rows[:TITLE_ROWS]) if len(filled(row)) >= max(2, (widest + 1) // 2)]
    text_only = [i for i in full if all(isinstance(c, str) for c in filled(rows[i]))]
    return (text_only or full or [0])[0]


def _shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _spreadsheet_cell_text(row: list) -> list[str]:
    out = []
    for value in row:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out.append("" if value is None else str(value))
    return out


def sniff_delimiter(first_line: str) -> str:
    """The delimiter that splits the header line into the most fields, outside quotes."""
    best, best_count = ",", 0
    for delimiter in DELIMITERS:
        count = len(next(csv.reader([first_line], delimiter=delimiter), []))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def read_header(csv_path: Path, delimiter: str | None = None) -> tuple[str, list[str]]:
    """(delimiter, header names) from the first record of a UTF-8 CSV; no names when the first
    line is blank."""
    with csv_path.open("r", encoding="utf-8-sig", newline="") as handle:
        first_line = handle.readline()
        if not first_line.strip():
            return delimiter or ",", []
        chosen = delimiter or sniff_delimiter(first_line)
        handle.seek(0)
        header = next(csv.reader(handle, delimiter=chosen), [])
    return chosen, [h.strip() for h in header]


# Leading bytes of files people pick by mistake, and what to tell them.
NOT_AN_EXPORT = {
    b"%PDF": "a PDF document, not a CSV or XLSX export",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) workbook; save it as .xlsx or CSV",
    b"PK\x03\x04": "a ZIP archive; if it is an Excel workbook, name it .xlsx",
    b"\x89PNG": "a PNG image, not an export",
    b"\xff\xd8\xff": "a JPEG image, not an export",
    b"GIF8": "a GIF image, not an export",
}


def _not_an_export(path: Path) -> str | None:
    """What the file is instead, when its first bytes say it cannot be a text export."""
    with path.open("rb") as handle:
        start = handle.read(8)
    return next((what for magic, what in NOT_AN_EXPORT.items() if start.startswith(magic)), None)


def open_export(path: Path | str, encoding: str = "auto", delimiter: str = "auto") -> ExportFile:
    """Make an export readable by DuckDB's CSV reader: UTF-8, known delimiter, parsed header."""
    path = Path(path)
    if not path.exists():
        raise ExportError(f"{path}: no such file")
    if path.is_dir():
        raise ExportError(f"{path}: a folder, not a file; name the export files in it (e.g. {path / '*.csv'})")
    if path.stat().st_size == 0:
        raise ExportError(f"{path.name}: the file is empty")
    work_dir = None
    csv_path = path
    sheet_notes: list[str] = []
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES and (what := _not_an_export(path)):
        raise ExportError(f"{path.name}: this is {what}")
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        work_dir = Path(tempfile.mkdtemp(prefix="servicelevel-"))
        csv_path = work_dir / (path.stem + ".csv")
        try:
            sheet_notes = _spreadsheet_to_csv(path, csv_path)
        except ExportError:
            shutil.rmtree(work_dir, ignore_errors=True)
            raise
        found = "spreadsheet"
    else:
        found = detect_encoding(path) if encoding == "auto" else encoding
        if found not in ("utf-8", "utf-8-sig"):
            work_dir = Path(tempfile.mkdtemp(prefix="servicelevel-"))
            csv_path = work_dir / (path.stem + ".utf8.csv")
            try:
                _transcode(path, found, csv_path)
            except (UnicodeError, LookupError) as exc:
                shutil.rmtree(work_dir, ignore_errors=True)
                raise ExportError(f"{path.name}: cannot decode as {found} ({exc})") from None
    try:
        chosen, headers = read_header(csv_path, None if delimiter == "auto" else delimiter)
    except (UnicodeDecodeError, csv.Error) as exc:
        headers, complaint = None, f"cannot read the header line ({exc})"
    else:
        complaint = ("the file is empty or its first line is blank" if not headers
                     else "binary content in the header; is this a CSV export?" if "\x00" in "".join(headers)
                     else None)
    if complaint:
        if work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)
        raise ExportError(f"{path.name}: {complaint}")
    export = ExportFile(path, csv_path, found, chosen, headers, work_dir)
    export.notes.extend(sheet_notes)
    if found == MIXED_UTF8:
        export.notes.append(
            f"the file is UTF-8 but for some bytes, the first on line {first_line_with_bad_utf8(path)} "
            "(a line pasted from a Windows-1252 file, or a download cut short?): those were read as "
            "Windows-1252; check their accents")
    try:
        _make_readable(export)
    except ExportError:
        export.close()
        raise
    return export


def _reader_complaint(export: ExportFile) -> str | None:
    """None when DuckDB's CSV reader can take the file (it guesses the layout from a sample of
    lines before reading any), else the first line of its complaint. The first records read
    are kept as the file's sample (each read of a file costs its layout guess, 0.15 s or more)."""
    import duckdb

    handling = f"ignore_errors = true, buffer_size = {SAMPLE_BUFFER_BYTES}"
    first_rows = f"select * from ({reader_sql(export, handling)}) limit $n"
    con = duckdb.connect()
    try:
        export.first_rows = con.execute(first_rows, {**reader_params(export), "n": SAMPLE_ROWS}).fetchall()
    except duckdb.Error as exc:
        return str(exc).splitlines()[0]
    finally:
        con.close()
    return None


def _make_readable(export: ExportFile) -> None:
    """Mixed line endings (CRLF and LF, as after editing an export by hand) confuse the reader:
    such a file is read through a copy with LF only. Any other file the reader refuses fails
    here, with the line Python's strict CSV reader finds at fault."""
    if _reader_complaint(export) is None:
        return
    if export.encoding != "spreadsheet" and _mixed_newlines(export.csv_path):
        if export.work_dir is None:
            export.work_dir = Path(tempfile.mkdtemp(prefix="servicelevel-"))
        unified = export.work_dir / (export.original.stem + ".lf.csv")
        _transcode(export.csv_path, "utf-8-sig", unified, unify_newlines=True)
        export.csv_path = unified
        if _reader_complaint(export) is None:
            return
    raise ExportError(f"{export.original.name}: {unreadable_reason(export)}")


def _mixed_newlines(csv_path: Path) -> bool:
    """True when the file ends lines both with CRLF and with a bare LF or CR."""
    crlf = bare = 0
    with csv_path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            n_crlf = chunk.count(b"\r\n")
            crlf += n_crlf
            bare += chunk.count(b"\n") + chunk.count(b"\r") - 2 * n_crlf
            if crlf and bare:
                return True
    return False


def blank_lines(export: ExportFile) -> list[int]:
    """The lines (as a spreadsheet counts them, header = 1) that are empty, outside quoted
    fields. DuckDB's reader passes over them but counts them in the lines it reports, so the
    records after one sit a line further down than their position says. Most exports have
    none: a byte scan for two line ends in a row finds that out, and only a file holding them
    is parsed."""
    # A spreadsheet's copy writes an empty row as a row of empty fields: its only empty lines
    # are those standing for the rows above its header (_spreadsheet_to_csv).
    with export.csv_path.open("rb") as handle:
        # An empty line is LF LF, CR LF CR LF, or CR CR in the old Mac style. A byte search costs
        # about half a second a gigabyte: only the line end the header uses is looked for.
        start = handle.read(64 * 1024)
        first_lf = start.find(b"\n")
        mark = (b"\n\r\n" if first_lf > 0 and start[first_lf - 1:first_lf] == b"\r"
                else b"\r\r" if first_lf < 0 and b"\r" in start else b"\n\n")
        handle.seek(0)
        tail, chunk = b"", handle.read(CHUNK_BYTES)
        while chunk:
            if mark in tail + chunk[:2] or mark in chunk:
                break
            tail, chunk = chunk[-2:], handle.read(CHUNK_BYTES)
        else:
            return []
    csv.field_size_limit(MAX_FIELD_BYTES)
    with export.csv_path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=export.delimiter)
        found = []
        try:
            for line, record in enumerate(reader, start=1):
                if not record:
                    found.append(line)
        except csv.Error:  # rare, as DuckDB's reader took the file: the lines after it stay as counted
            pass
    return found


# What Python's strict CSV reader says, as a person would put it.
CSV_COMPLAINTS = {
    "expected after": 'a quote inside a quoted field is not doubled (a field "say ""hi""" holds say "hi")',
    "unexpected end of data": "a quoted field is never closed: its opening quote swallows the rest of the file",
    "nul": "binary content (NUL bytes), which no text export holds",
    "field larger than field limit": "a field longer than 20 MB",
}


def unreadable_reason(export: ExportFile) -> str:
    """Where and why the file is not CSV: the first record Python's strict reader cannot parse."""
    csv.field_size_limit(MAX_FIELD_BYTES)
    with export.csv_path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=export.delimiter, strict=True)
        record_start = 1
        try:
            for record in reader:
                if any("\x00" in field for field in record):
                    return f"line {record_start}: {CSV_COMPLAINTS['nul']}"
                record_start = reader.line_num + 1
        except csv.Error as exc:
            said = str(exc)
            why = next((text for key, text in CSV_COMPLAINTS.items() if key in said.lower()), said)
            return f"line {record_start}: {why}"
    return "the CSV reader cannot work out its layout (quotes, delimiter, line endings) from its first lines"


def sample_values(export: ExportFile, headers: list[str]) -> dict[str, list[str | None]]:
    """The values of some columns in the file's first SAMPLE_ROWS records, aligned by row
    (None where empty)."""
    positions = {h: export.headers.index(h) for h in headers if h in export.headers}
    return {h: [(r[p] or "").strip() or None for r in export.first_rows] for h, p in positions.items()}


def reader_sql(export: ExportFile, handling: str, nullstr: str | None = None) -> str:
    """DuckDB's CSV reader over the export, every column as text named c1, c2, ... (params:
    reader_params). `handling` says what happens to malformed lines (ignore_errors, or
    store_rejects and its tables); `nullstr`, the SQL for the texts read as missing."""
    missing = f"nullstr = {nullstr}, " if nullstr else ""
    return (
        "select * from read_csv($csv_path, header = true, all_varchar = true, names = $names, "
        f"delim = $delim, quote = '\"', escape = '\"', {missing}strict_mode = true, "
        f"{handling}, max_line_size = {MAX_FIELD_BYTES})"
    )


def reader_params(export: ExportFile) -> dict:
    return {
        "csv_path": str(export.csv_path),
        "names": [f"c{i + 1}" for i in range(len(export.headers))],
        "delim": export.delimiter,
    }
