"""Rejected rows handed back as a file to correct: the rows of one import that a validation rule
turned away, in the headers, column order, text, delimiter and encoding of the file they came
from. Corrected (in a spreadsheet, say), the file imports as any export of that tool does, under
the same preset and source, and its rows count like the others."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

import duckdb

from servicelevel import presets as preset_lib
from servicelevel import queries


@dataclass(frozen=True)
class FileToMend:
    name: str  # the original's name with "-rejected-rows" added, e.g. tickets-rejected-rows.csv
    content: bytes
    n_rows: int
    preset: str  # the preset, source and time zone the rows were imported with, to import them again
    source: str
    timezone: str | None  # None for an import logged before the zone was recorded

    @property
    def preset_is_named(self) -> bool:
        """False for a mapping detected from the headers, which the same headers detect again."""
        return self.preset in preset_lib.available_presets()


def file_to_mend(con: duckdb.DuckDBPyConnection, import_id: int) -> FileToMend | None:
    """The import's rows that a validation rule rejected, as a CSV in the file's own layout; None
    when it has none."""
    fields = queries.run(con, "rejected_rows_to_mend", {"import_id": import_id})
    if fields.empty:
        return None
    first = fields.iloc[0]
    headers = fields.drop_duplicates("position").sort_values("position")["header"].tolist()
    rows = fields.pivot(index="line", columns="position", values="value").sort_index()
    rows.columns = headers  # a header the file repeats stays repeated
    text = rows.to_csv(index=False, sep=first["delimiter"])
    stem = Path(first["file_name"]).stem
    return FileToMend(name=f"{stem}-rejected-rows.csv", content=_encoded(text, first["encoding"]),
                      n_rows=len(rows), preset=first["preset"], source=first["source"],
                      timezone=first["timezone"] if isinstance(first["timezone"], str) else None)


def import_command(mend: FileToMend, path: Path, db: str | None = None) -> str:
    """The command that imports the corrected file as the original was imported."""
    words = ["python", "-m", "servicelevel", *(["--db", db] if db else []), "import", str(path)]
    if mend.preset_is_named:
        words += ["--preset", mend.preset]
    words += ["--source", mend.source]
    if mend.timezone:
        words += ["--timezone", mend.timezone]
    return shlex.join(words)


def left_out_note(n_left_out: int, n_rejected: int) -> str:
    """Why some of an import's rejected rows are not in its file to correct ('' when none is)."""
    if not n_left_out:
        return ""
    return (f"{n_left_out:,} of the {n_rejected:,} rejected rows are not in it: a line the reader could not split "
            "(too many or too few fields, a stray quote) needs mending in the original file, and a line repeating "
            "a request id holds an older state of a request imported from its latest line (the reason's detail "
            "names that line).")


def _encoded(text: str, original: str) -> bytes:
    """The text in the original's encoding where that was a single-byte or UTF-16 one (a preset
    may name it), else UTF-8 with a BOM, which spreadsheets open with accents intact."""
    if original in ("cp1252", "utf-16", "utf-16-le", "utf-16-be"):
        try:
            # utf-16 (with a BOM) for all three: without one, the byte order would be guessed.
            return text.encode("utf-16" if original.startswith("utf-16") else original)
        except UnicodeEncodeError:  # one of the five bytes cp1252 leaves undefined, read as Latin-1
            pass
    return text.encode("utf-8-sig")
