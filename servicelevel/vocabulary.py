"""The importer's built-in vocabulary (data/vocabulary.toml): header and value synonyms, EN + PT."""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from functools import cache

from servicelevel import DATA_DIR
from servicelevel.fields import CODES

VOCABULARY_PATH = DATA_DIR / "vocabulary.toml"
# Event statuses use the request status words.
_SAME_WORDS_AS = {"to_status": "status", "from_status": "status"}


def fold(text: str) -> str:
    """Lowercase, accents removed, punctuation as single spaces: 'Data de Abertura' -> 'data de abertura'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def fold_value(text: str) -> str:
    """How raw values are compared in SQL: strip_accents(lower(trim(x)))."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def close_spellings(value: str, known, n: int = 3) -> list[str]:
    """The known values spelled most like `value`, case ignored (in the order of `known`): what
    a message suggests for a value that matches nothing ('finance' -> 'Finance')."""
    close = difflib.get_close_matches(value.casefold(), [k.casefold() for k in known], n=n)
    return [k for k in known if k.casefold() in close]


def _vocabulary() -> dict:
    """The file as it is now: a header taught while the dashboard runs counts for the next file
    dropped in, with no restart. (The feedback words below are read once, at start.)"""
    return _parsed(VOCABULARY_PATH, VOCABULARY_PATH.stat().st_mtime_ns)


@cache
def _parsed(path, modified_ns: int) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def header_synonyms() -> dict[str, list[str]]:
    """Canonical field -> folded header names that mean it; the field's own name comes first."""
    return {
        field: [fold(field)] + [fold(h) for h in names]
        for field, names in _vocabulary()["headers"].items()
    }


def value_synonyms(field: str) -> dict[str, str]:
    """Folded raw value -> canonical code for a coded field; every code also stands for itself."""
    table = _vocabulary()["values"].get(_SAME_WORDS_AS.get(field, field), {})
    synonyms = {code: code for code in CODES.get(field, ())}
    synonyms.update({fold_value(raw): code for raw, code in table.items()})
    return synonyms


GOOD_WORDS: tuple[str, ...] = tuple(fold_value(w) for w in _vocabulary()["feedback"]["good"])
BAD_WORDS: tuple[str, ...] = tuple(fold_value(w) for w in _vocabulary()["feedback"]["bad"])
PORTUGUESE_PATTERN: str = _vocabulary()["feedback"]["portuguese_pattern"]
