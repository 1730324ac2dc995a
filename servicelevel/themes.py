"""Comment themes: a Portuguese + English lexicon (data/themes.toml) that sorts survey comments
into the three dimensions of service (business, human, hidden), positive or negative.

The lexicon is a data file people extend; this module reads and checks it, folds its terms the
way comments are folded, and turns it into the bound parameters of
servicelevel/sql/comment_themes.sql, where the matching runs (in DuckDB, over distinct
comments, never a Python loop over rows).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb

from servicelevel import DATA_DIR
from servicelevel.sqlfiles import pipeline_sql

THEMES_PATH = DATA_DIR / "themes.toml"
DIMENSIONS = ("business", "human", "hidden")
POLARITIES = ("positive", "negative")
THEME_KEYS = {"name", "label", "dimension", "polarity", "description"}
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class ThemeError(ValueError):
    """The lexicon file is invalid; the message names the theme and the problem."""


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    dimension: str  # business | human | hidden
    polarity: str  # positive | negative
    terms: tuple[str, ...]  # folded; a trailing * marks a stem


@dataclass(frozen=True)
class Lexicon:
    themes: tuple[Theme, ...]
    fingerprint: str

    def by_name(self) -> dict[str, Theme]:
        return {t.name: t for t in self.themes}

    def params(self) -> dict:
        """The bound parameters of comment_themes.sql."""
        entries = []
        for theme in self.themes:
            for term in theme.terms:
                prefix = term.endswith("*")
                entries.append((term.rstrip("*"), prefix, theme.name))
        # Longer terms first: at each position the regular expression takes the first
        # alternative that fits, and the longest phrase is the most specific reading.
        entries.sort(key=lambda e: (-len(e[0]), e[0]))
        alternatives = [re.escape(stem) + ("[a-z0-9]*" if prefix else "") for stem, prefix, _ in entries]
        return {
            "pattern": r"\b(" + "|".join(alternatives) + r")\b" if alternatives else r"(\b\B)",
            "terms": [e[0] for e in entries],
            "term_is_prefix": [e[1] for e in entries],
            "term_themes": [e[2] for e in entries],
        }


def fold(text: str) -> str:
    """Lowercase, accents folded, anything but letters and digits as single spaces (as in SQL)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.split(r"[^a-z0-9*]+", plain)).strip()


def _terms(raw: dict, where: str) -> tuple[str, ...]:
    terms: list[str] = []
    for language, values in raw.items():
        if language in THEME_KEYS:
            continue
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ThemeError(f"{where}: '{language}' must be a list of terms (strings)")
        for value in values:
            term = fold(value)
            if not term.rstrip("*"):
                raise ThemeError(f"{where}: empty term {value!r}")
            if "*" in term.rstrip("*"):
                raise ThemeError(f"{where}: '*' may only end a term, as in 'resolv*' ({value!r})")
            if term not in terms:
                terms.append(term)
    if not terms:
        raise ThemeError(f"{where}: no terms (add a list per language, e.g. pt = [...], en = [...])")
    return tuple(terms)


def parse_lexicon(text: str, where: str = "themes.toml") -> Lexicon:
    """Read and check a lexicon's TOML text."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{where}: not valid TOML: {exc}") from None
    entries = raw.get("themes")
    if not isinstance(entries, list) or not entries:
        raise ThemeError(f"{where}: no [[themes]] entries")
    themes: list[Theme] = []
    for i, entry in enumerate(entries, start=1):
        name = entry.get("name", "")
        here = f"{where}, theme {i} ({name or 'unnamed'})"
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise ThemeError(f"{here}: name must be lowercase letters, digits and _, starting with a letter")
        if name in {t.name for t in themes}:
            raise ThemeError(f"{here}: the name is used twice")
        if entry.get("dimension") not in DIMENSIONS:
            raise ThemeError(f"{here}: dimension must be one of {', '.join(DIMENSIONS)}")
        if entry.get("polarity") not in POLARITIES:
            raise ThemeError(f"{here}: polarity must be one of {', '.join(POLARITIES)}")
        themes.append(Theme(
            name=name,
            label=str(entry.get("label") or name),
            dimension=entry["dimension"],
            polarity=entry["polarity"],
            terms=_terms(entry, here),
        ))
    # A phrase belongs to one theme: a term in two would leave the pick to chance.
    owners: dict[str, str] = {}
    for i, theme in enumerate(themes, start=1):
        for term in theme.terms:
            if owners.setdefault(term, theme.name) != theme.name:
                raise ThemeError(f"{where}, theme {i} ({theme.name}): the term '{term}' is also in theme "
                                 f"{owners[term]}: a phrase can belong to one theme only")
    fingerprint = hashlib.sha256((text + pipeline_sql("comment_themes")).encode("utf-8")).hexdigest()[:16]
    return Lexicon(themes=tuple(themes), fingerprint=fingerprint)


def load_lexicon(path: Path | str | None = None) -> Lexicon:
    """The lexicon in data/themes.toml (or another file)."""
    path = Path(path or THEMES_PATH)
    return parse_lexicon(path.read_text(encoding="utf-8"), path.name)


def classify(con: duckdb.DuckDBPyConnection, comments: list[str], lexicon: Lexicon | None = None) -> dict[str, list[str]]:
    """The themes of each comment, by the same SQL the Feedback page's derived table uses."""
    lexicon = lexicon or load_lexicon()
    con.execute(
        "create or replace temp table comments_to_classify as "
        "select distinct unnest($comments::varchar[]) as comment",
        {"comments": list(comments)},
    )
    try:
        rows = con.execute(pipeline_sql("comment_themes"), lexicon.params()).fetchall()
    finally:
        con.execute("drop table if exists comments_to_classify")
    return {comment: list(themes) for comment, themes in rows}


def classify_into_temp_table(con: duckdb.DuckDBPyConnection, lexicon: Lexicon) -> None:
    """Classify the temporary table comments_to_classify(comment) into the temporary table
    answer_themes(comment, themes)."""
    con.execute("create or replace temp table answer_themes as " + pipeline_sql("comment_themes"), lexicon.params())
