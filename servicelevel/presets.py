"""Import presets: TOML files that say how one export format maps onto the canonical tables."""

from __future__ import annotations

import functools
import re
import threading

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import tomli_w

from servicelevel.vocabulary import close_spellings, fold_value

from servicelevel import DATA_DIR
from servicelevel.fields import (
    CODES,
    FIELDS_BY_KIND,
    REQUEST_COUNTS,
    REQUIRED_BY_KIND,
    TIMESTAMPS_BY_KIND,
)

PRESETS_DIR = DATA_DIR / "presets"
DEFAULT_MISSING_VALUES = ("", "NA", "N/A", "n/a", "?", "null", "NULL", "None")
DURATION_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
REQUESTER_RULE_OPERATORS = ("in", "not_empty", "ends_with")

TOP_LEVEL_KEYS = {
    "title",
    "kind",
    "source",
    "timezone",
    "timestamp_formats",
    "missing_values",
    "encoding",
    "delimiter",
    "signature",
    "header_source",
    "scale",
    "request_source",
    "columns",
    "combine",
    "durations",
    "constants",
    "values",
    "requester",
    "provider_types",
    "offsets",
    "due_dates_are_days",
}


class PresetError(Exception):
    """A preset file is invalid; the message names the file and the field."""


@dataclass(frozen=True)
class Duration:
    """A timestamp derived from a duration column measured after another timestamp."""

    column: str
    unit: str
    after: str = "created_at"


@dataclass(frozen=True)
class RequesterRule:
    """Decides requester_type: internal when `field` satisfies the operator, else external."""

    field: str
    operator: str  # in | not_empty | ends_with
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Preset:
    """One export format. Column names are the file's header names."""

    name: str
    title: str
    kind: str
    source: str
    timezone: str = "UTC"
    timestamp_formats: tuple[str, ...] = ()
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES
    encoding: str = "auto"
    delimiter: str = "auto"
    signature: tuple[str, ...] = ()
    header_source: str = ""
    scale: str = "auto"
    request_source: str = ""
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    combine: dict[str, tuple[str, str]] = field(default_factory=dict)
    durations: dict[str, Duration] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    requester_rule: RequesterRule | None = None
    provider_types: dict[str, str] = field(default_factory=dict)
    offsets: dict[str, int] = field(default_factory=dict)
    # True when the tool's due date is a calendar day written as its midnight (Jira's Due Date):
    # the promise then runs to the end of that day, not its first second.
    due_dates_are_days: bool = False
    path: Path | None = None

    def headers_used(self) -> set[str]:
        """Every header name the preset may read."""
        used = {h for alternatives in self.columns.values() for h in alternatives}
        used |= {h for pair in self.combine.values() for h in pair}
        used |= {d.column for d in self.durations.values()}
        return used

    def fields_provided(self) -> set[str]:
        """Canonical fields this preset can fill (before looking at a file)."""
        return set(self.columns) | set(self.combine) | set(self.durations) | set(self.constants)


def _text(raw: dict, key: str, default: str, where: str) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise PresetError(f"{where}: {key} must be text in quotes, got {value!r}")
    return value


def _texts(raw: dict, key: str, default: tuple[str, ...], where: str) -> tuple[str, ...]:
    """A list of strings; one string alone is a list of one (not its characters)."""
    value = raw.get(key, default)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PresetError(f"{where}: {key} must be a list of texts in quotes, got {value!r}")


def _timestamp_formats(raw: dict, where: str) -> tuple[str, ...]:
    """The preset's strptime formats, each one DuckDB understands and holding a % code: a format
    written the way people say it ("dd.mm.yyyy HH:MM") would otherwise reject every row."""
    formats = _texts(raw, "timestamp_formats", (), where)
    for text in formats:
        if "%" not in text:
            raise PresetError(f"{where}: timestamp_formats '{text}' holds no % code; write it as DuckDB's "
                              "strptime reads it, e.g. '%d.%m.%Y %H:%M' for 31.12.2024 17:30")
        problem = _strptime_problem(text)
        if problem:
            raise PresetError(f"{where}: timestamp_formats '{text}' is not a strptime format DuckDB reads "
                              f"({problem})")
    return formats


_FORMAT_CHECKER_LOCK = threading.Lock()


@functools.cache
def _strptime_problem(text: str) -> str | None:
    """Why DuckDB's strptime cannot read the format `text`, or None. Remembered per format, and
    asked of one in-memory database: every import loads every preset, and a database opened per
    preset cost 0.13 s an import."""
    with _FORMAT_CHECKER_LOCK:
        con = _format_checker()
        try:
            con.execute("select try_strptime('', $format)", {"format": text})
        except duckdb.Error as exc:
            return str(exc).splitlines()[0].split(": ", 1)[-1]
    return None


@functools.cache
def _format_checker() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _as_tuple(value, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PresetError(f"{where}: expected a header name or a list of header names, got {value!r}")


def _check_field(name: str, kind: str, where: str) -> None:
    if name not in FIELDS_BY_KIND[kind]:
        known = ", ".join(FIELDS_BY_KIND[kind])
        raise PresetError(f"{where}: unknown field '{name}' for kind '{kind}' (known: {known})")


def preset_from_dict(raw: dict, name: str, path: Path | None = None) -> Preset:
    """Validate a parsed TOML document and build a Preset; errors name the file and key."""
    where = str(path) if path else f"preset '{name}'"
    unknown = set(raw) - TOP_LEVEL_KEYS
    if unknown:
        named = [f"{k} (did you mean {close[0]}?)" if (close := close_spellings(k, sorted(TOP_LEVEL_KEYS), 1)) else k
                 for k in sorted(unknown)]
        raise PresetError(f"{where}: unknown key(s) {', '.join(named)}")
    kind = raw.get("kind", "requests")
    if kind not in FIELDS_BY_KIND:
        raise PresetError(f"{where}: kind must be one of {', '.join(FIELDS_BY_KIND)}, got '{kind}'")
    timezone = raw.get("timezone", "UTC")
    if not is_time_zone(timezone):
        raise PresetError(f"{where}: timezone '{timezone}' is not an IANA time zone")

    scale = raw.get("scale", "auto")
    if scale not in ("auto", "1-5", "1-10", "nps", "good_bad"):
        raise PresetError(f"{where}: scale must be auto, 1-5, 1-10, nps or good_bad")

    due_dates_are_days = raw.get("due_dates_are_days", False)
    if not isinstance(due_dates_are_days, bool):
        raise PresetError(f"{where}: due_dates_are_days must be true or false (no quotes), got {due_dates_are_days!r}")

    preset = Preset(
        name=name,
        title=_text(raw, "title", name, where),
        kind=kind,
        source=_text(raw, "source", name, where),
        timezone=timezone,
        timestamp_formats=_timestamp_formats(raw, where),
        missing_values=_texts(raw, "missing_values", DEFAULT_MISSING_VALUES, where),
        encoding=_text(raw, "encoding", "auto", where),
        delimiter=_text(raw, "delimiter", "auto", where),
        signature=_texts(raw, "signature", (), where),
        header_source=_text(raw, "header_source", "", where),
        scale=scale,
        request_source=_text(raw, "request_source", "", where),
        columns=_columns(raw, kind, where),
        combine=_combine(raw, kind, where),
        durations=_durations(raw, kind, where),
        constants=_constants(raw, kind, where),
        values=_value_maps(raw, where),
        requester_rule=_requester_rule(raw, kind, where),
        provider_types=_provider_types(raw, where),
        offsets=_offsets(raw, where),
        due_dates_are_days=due_dates_are_days,
        path=path,
    )
    provided = preset.fields_provided()
    missing = [f for f in REQUIRED_BY_KIND[kind] if f not in provided]
    if missing:
        raise PresetError(f"{where}: no column for required field(s) {', '.join(missing)}")
    return preset


def _columns(raw: dict, kind: str, where: str) -> dict:
    """[columns]: field -> the header names it may have."""
    columns = {}
    for key, value in raw.get("columns", {}).items():
        _check_field(key, kind, f"{where} [columns]")
        columns[key] = _as_tuple(value, f"{where} [columns] {key}")
    return columns


def _combine(raw: dict, kind: str, where: str) -> dict:
    """[combine]: timestamp -> [date column, time column]."""
    timestamps = TIMESTAMPS_BY_KIND[kind]
    combine = {}
    for key, value in raw.get("combine", {}).items():
        if key not in timestamps:
            raise PresetError(f"{where} [combine] {key}: only timestamps can be combined")
        pair = _as_tuple(value, f"{where} [combine] {key}")
        if len(pair) != 2:
            raise PresetError(f"{where} [combine] {key}: give [date column, time column]")
        combine[key] = pair
    return combine


def _durations(raw: dict, kind: str, where: str) -> dict:
    """[durations]: timestamps given as a duration after another timestamp."""
    timestamps = TIMESTAMPS_BY_KIND[kind]
    durations = {}
    for key, spec in raw.get("durations", {}).items():
        if key not in timestamps:
            raise PresetError(f"{where} [durations] {key}: only timestamps can come from durations")
        if not isinstance(spec, dict) or "column" not in spec:
            raise PresetError(f"{where} [durations] {key}: give {{ column = ..., unit = ... }}")
        unit = spec.get("unit", "minutes")
        if unit not in DURATION_UNITS:
            raise PresetError(
                f"{where} [durations] {key}: unit must be one of {', '.join(DURATION_UNITS)}"
            )
        after = spec.get("after", "created_at")
        if after not in timestamps:
            raise PresetError(f"{where} [durations] {key}: 'after' must be a timestamp field")
        extra = set(spec) - {"column", "unit", "after"}
        if extra:
            raise PresetError(f"{where} [durations] {key}: unknown key(s) {', '.join(sorted(extra))}")
        durations[key] = Duration(column=spec["column"], unit=unit, after=after)
    return durations


def _constants(raw: dict, kind: str, where: str) -> dict:
    """[constants]: fields every row of the file shares."""
    constants = {}
    for key, value in raw.get("constants", {}).items():
        _check_field(key, kind, f"{where} [constants]")
        if key in CODES and value not in CODES[key]:
            raise PresetError(
                f"{where} [constants] {key}: '{value}' is not one of {', '.join(CODES[key])}"
            )
        constants[key] = str(value)
    return constants


def _value_maps(raw: dict, where: str) -> dict:
    """[values.<field>]: the file's spellings -> our codes (keys folded for matching)."""
    values = {}
    for key, mapping in raw.get("values", {}).items():
        if key not in CODES:
            raise PresetError(
                f"{where} [values.{key}]: value maps exist for {', '.join(sorted(CODES))} only"
            )
        for raw_value, code in mapping.items():
            if code not in CODES[key]:
                raise PresetError(
                    f"{where} [values.{key}] '{raw_value}': '{code}' is not one of "
                    f"{', '.join(CODES[key])}"
                )
        values[key] = {fold_value(k): v for k, v in mapping.items()}
    return values


def _requester_rule(raw: dict, kind: str, where: str) -> RequesterRule | None:
    """[requester] internal_when: which requesters are internal."""
    if "requester" not in raw:
        return None
    spec = raw["requester"].get("internal_when")
    extra = set(raw["requester"]) - {"internal_when"}
    if extra or not isinstance(spec, dict):
        raise PresetError(f"{where} [requester]: give internal_when = {{ field = ..., in = [...] }}")
    _check_field(spec.get("field", ""), kind, f"{where} [requester] internal_when")
    operators = [op for op in REQUESTER_RULE_OPERATORS if op in spec]
    if len(operators) != 1 or set(spec) - {"field", *REQUESTER_RULE_OPERATORS}:
        raise PresetError(
            f"{where} [requester] internal_when: give field and exactly one of "
            f"{', '.join(REQUESTER_RULE_OPERATORS)}"
        )
    operator = operators[0]
    rule_values = () if operator == "not_empty" else _as_tuple(spec[operator], f"{where} [requester]")
    return RequesterRule(spec["field"], operator, rule_values)


def _provider_types(raw: dict, where: str) -> dict:
    """[provider_types]: department -> in-house or third-party."""
    provider_types = {}
    for department, provider_type in raw.get("provider_types", {}).items():
        if provider_type not in CODES["provider_type"]:
            raise PresetError(
                f"{where} [provider_types] '{department}': '{provider_type}' is not one of "
                f"{', '.join(CODES['provider_type'])}"
            )
        provider_types[department] = provider_type
    return provider_types


def _offsets(raw: dict, where: str) -> dict:
    """[offsets]: a number added to a count (an export that counts the first assignment too: -1)."""
    offsets = {}
    for key, value in raw.get("offsets", {}).items():
        if key not in REQUEST_COUNTS or not isinstance(value, int):
            raise PresetError(f"{where} [offsets] {key}: offsets apply to {', '.join(REQUEST_COUNTS)}")
        offsets[key] = value
    return offsets


def is_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone (Europe/Lisbon, UTC)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def with_timezone(preset: Preset, timezone: str) -> Preset:
    """The same preset reading naive timestamps in another IANA time zone."""
    if not is_time_zone(timezone):
        raise PresetError(f"time zone '{timezone}' is not an IANA time zone")
    return replace(preset, timezone=timezone)


def load_preset_file(path: Path) -> Preset:
    """Read and validate one preset file; its name is the file name without .toml."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{path}: not valid TOML ({exc})") from None
    return preset_from_dict(raw, path.stem, path)


def available_presets(directory: Path = PRESETS_DIR) -> dict[str, Preset]:
    """Every preset in the presets folder, by name."""
    return {p.stem: load_preset_file(p) for p in sorted(directory.glob("*.toml"))}


def get_preset(name_or_path: str, directory: Path = PRESETS_DIR) -> Preset:
    """A preset by name (from the presets folder) or by path to a .toml file."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml":
        if not candidate.is_file():
            raise PresetError(f"no preset file {candidate}")
        return load_preset_file(candidate)
    own = directory / f"{name_or_path}.toml"
    if own.is_file():
        return load_preset_file(own)  # only this file is read: a broken other preset stops nothing here
    names = sorted(p.stem for p in directory.glob("*.toml"))
    raise PresetError(f"no preset named '{name_or_path}' (available: {', '.join(names) or 'none'})")


def preset_to_dict(preset: Preset) -> dict:
    """The TOML document for a preset (the inverse of preset_from_dict)."""
    doc: dict = {
        "title": preset.title,
        "kind": preset.kind,
        "source": preset.source,
        "timezone": preset.timezone,
    }
    if preset.timestamp_formats:
        doc["timestamp_formats"] = list(preset.timestamp_formats)
    if preset.missing_values != DEFAULT_MISSING_VALUES:
        doc["missing_values"] = list(preset.missing_values)
    for key in ("encoding", "delimiter", "scale"):
        if getattr(preset, key) != "auto":
            doc[key] = getattr(preset, key)
    if preset.signature:
        doc["signature"] = list(preset.signature)
    if preset.header_source:
        doc["header_source"] = preset.header_source
    if preset.request_source:
        doc["request_source"] = preset.request_source
    doc["columns"] = {
        k: (v[0] if len(v) == 1 else list(v)) for k, v in preset.columns.items()
    }
    if preset.combine:
        doc["combine"] = {k: list(v) for k, v in preset.combine.items()}
    if preset.durations:
        doc["durations"] = {
            k: {"column": d.column, "unit": d.unit, "after": d.after}
            for k, d in preset.durations.items()
        }
    if preset.constants:
        doc["constants"] = dict(preset.constants)
    if preset.values:
        doc["values"] = {k: dict(v) for k, v in preset.values.items()}
    if preset.requester_rule:
        rule = preset.requester_rule
        spec: dict = {"field": rule.field}
        spec[rule.operator] = True if rule.operator == "not_empty" else list(rule.values)
        doc["requester"] = {"internal_when": spec}
    if preset.provider_types:
        doc["provider_types"] = dict(preset.provider_types)
    if preset.offsets:
        doc["offsets"] = dict(preset.offsets)
    if preset.due_dates_are_days:
        doc["due_dates_are_days"] = True
    return doc


def fingerprint(preset: Preset) -> str:
    """A SHA-256 of everything that decides how the preset maps a file (not its name or path)."""
    import hashlib

    # Descriptions and the note on where the headers come from map nothing: editing them must
    # not make an earlier import of the same file look different.
    doc = {k: v for k, v in preset_to_dict(preset).items() if k not in ("title", "header_source")}
    return hashlib.sha256(tomli_w.dumps(doc).encode("utf-8")).hexdigest()


def is_preset_name(name: str) -> bool:
    """A name a preset file can be saved under: letters, digits, '-' and '_', no path."""
    return re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name) is not None


def save_preset(preset: Preset, directory: Path = PRESETS_DIR, overwrite: bool = False) -> Path:
    """Write a preset as <directory>/<name>.toml and return its path."""
    path = directory / f"{preset.name}.toml"
    if path.exists() and not overwrite:
        raise PresetError(f"{path} already exists; choose another name")
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(preset_to_dict(preset)), encoding="utf-8")
    return path


def match_preset(headers: list[str], presets: dict[str, Preset]) -> Preset | None:
    """The preset whose signature headers are all present, preferring the most specific."""
    present = set(headers)
    fitting = [
        p for p in presets.values()
        if p.signature and set(p.signature) <= present
    ]
    if not fitting:
        return None
    return max(fitting, key=lambda p: (len(p.signature), len(p.headers_used() & present)))


def closest_preset(headers: list[str], presets: dict[str, Preset]) -> tuple[Preset, list[str]] | None:
    """When no preset fits: the one with most of its signature headers present (at least half),
    and the signature headers the file lacks, so a message can say "a Zendesk export without
    'Created at'" instead of only "no preset fits"."""
    present = set(headers)
    scored = [
        (len(set(p.signature) & present) / len(p.signature), p)
        for p in presets.values() if p.signature
    ]
    near = [(share, p) for share, p in scored if 0.5 <= share < 1]
    if not near:
        return None
    _, preset = max(near, key=lambda pair: (pair[0], len(pair[1].signature)))
    return preset, [h for h in preset.signature if h not in present]


def closest_preset_note(headers: list[str], presets: dict[str, Preset]) -> str:
    """'It looks like <title>, preset <name>, but lacks the column(s) ...', or ''."""
    closest = closest_preset(headers, presets)
    return "" if closest is None else lacks_columns_note(*closest)


def lacks_columns_note(preset: Preset, lacking: list[str]) -> str:
    """'It looks like <title>, preset <name>, but lacks the column(s) ...'."""
    columns = ", ".join(f"'{h}'" for h in lacking)
    return (f"It looks like {preset.title}, preset {preset.name}, but lacks the column"
            f"{'s' if len(lacking) > 1 else ''} {columns}.")
