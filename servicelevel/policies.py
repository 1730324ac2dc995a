"""SLA policies (data/sla_policies.toml): load, validate and describe them.

The file holds business calendars, an ordered list of policies and the statuses whose time is
left out of the resolution clock. The first policy whose criteria all match a request applies
to it. Every error names the file, the policy (or calendar) and the field.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from servicelevel import DATA_DIR
from servicelevel.calendars import (
    DAY_SECS,
    TWENTY_FOUR_SEVEN,
    WEEKDAYS,
    Calendar,
    CalendarError,
    always_open,
    validate_calendar,
)
from servicelevel.fields import CODES

POLICIES_PATH = DATA_DIR / "sla_policies.toml"

# Request fields a policy may match on; the coded ones are checked against their codes.
CRITERIA = (
    "requester_type",
    "priority",
    "provider_department",
    "provider_type",
    "requester_department",
    "channel",
    "category",
    "source",  # the name a source was imported under: a promise that belongs to one tool's export
)
CODED_CRITERIA = {name: CODES[name] for name in ("requester_type", "priority", "provider_type", "channel")}
METRICS = ("first_response", "resolution")
TOP_KEYS = {"paused_statuses", "calendars", "policies"}
POLICY_KEYS = {"name", "description", "calendar", "match", "first_response", "resolution"}
TARGET_KEYS = {"target", "goal"}
CALENDAR_KEYS = {"timezone", "hours", "holidays", "closed_dates"}
HOLIDAY_KEYS = {"country", "subdivision"}
DEFAULT_PAUSED = ("pending", "on_hold")

DURATION_PATTERN = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
INTERVAL_PATTERN = re.compile(r"^(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})$")


class PolicyError(ValueError):
    """The policies file is invalid; the message names the file, the policy and the field."""


@dataclass(frozen=True)
class Target:
    """A target in business seconds of the policy's calendar, and the share that must meet it."""

    secs: int
    goal: float
    text: str  # as written, e.g. "4h"


@dataclass(frozen=True)
class Policy:
    name: str
    calendar: str
    criteria: dict[str, tuple[str, ...]]  # field -> accepted values; absent field = any value
    first_response: Target | None
    resolution: Target | None
    description: str = ""

    def target(self, metric: str) -> Target | None:
        return self.first_response if metric == "first_response" else self.resolution


@dataclass(frozen=True)
class PolicySet:
    """Everything the SLA engine needs from the policies file."""

    policies: tuple[Policy, ...]
    calendars: dict[str, Calendar]  # includes the built-in 24x7
    paused_statuses: tuple[str, ...] = DEFAULT_PAUSED
    source: str = "(in memory)"
    fingerprint: str = ""

    def calendar_list(self) -> list[Calendar]:
        """Calendars in id order: 24x7 first, then the file's in the order written."""
        return list(self.calendars.values())

    def calendar_id(self, name: str) -> int:
        return list(self.calendars).index(name)


def load_policies(path: Path | str | None = None) -> PolicySet:
    """Read and validate a policies file (default data/sla_policies.toml)."""
    path = Path(path) if path is not None else POLICIES_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the SLA policies file: {exc.strerror}") from None
    return parse_policies(text, str(path))


def parse_policies(text: str, source: str = "sla_policies.toml") -> PolicySet:
    """Validate policies given as TOML text; `source` names the file in messages."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from None
    _no_unknown_keys(raw, TOP_KEYS, source, "the top level")
    paused = _paused_statuses(raw.get("paused_statuses", list(DEFAULT_PAUSED)), source)
    calendars = {TWENTY_FOUR_SEVEN: always_open()}
    raw_calendars = raw.get("calendars", {})
    if not isinstance(raw_calendars, dict):
        raise PolicyError(f"{source}: 'calendars' must be a table of named calendars")
    for name, spec in raw_calendars.items():
        if name == TWENTY_FOUR_SEVEN:
            raise PolicyError(f"{source}: calendar '24x7' is built in; give yours another name")
        calendars[name] = _calendar(name, spec, source)
    raw_policies = raw.get("policies", [])
    if not isinstance(raw_policies, list) or not raw_policies:
        raise PolicyError(f"{source}: no policies: add at least one [[policies]] table")
    policies: list[Policy] = []
    for number, spec in enumerate(raw_policies, start=1):
        policy = _policy(number, spec, calendars, source)
        if any(p.name == policy.name for p in policies):
            raise PolicyError(f"{source}: policy '{policy.name}': the name is used twice")
        shadow = _shadowed_by(policy, policies)
        if shadow:
            raise PolicyError(
                f"{source}: policy '{policy.name}' can never match: every request it matches "
                f"is taken first by earlier {_names(shadow)} (the first matching policy wins; "
                "move it up or narrow the earlier one)"
            )
        policies.append(policy)
    fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return PolicySet(tuple(policies), calendars, paused, source, fingerprint)


def _names(policies: list[Policy]) -> str:
    quoted = ", ".join(f"'{p.name}'" for p in policies)
    return f"policy {quoted}" if len(policies) == 1 else f"policies {quoted}"


def _no_unknown_keys(raw: dict, allowed: set[str], source: str, where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise PolicyError(
            f"{source}: {where}: unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})"
        )


def _paused_statuses(value, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{source}: 'paused_statuses' must be a list of statuses")
    for status in value:
        if status not in CODES["status"]:
            raise PolicyError(
                f"{source}: 'paused_statuses': '{status}' is not a status "
                f"(one of {', '.join(CODES['status'])})"
            )
    if {"resolved", "closed"} & set(value):
        raise PolicyError(f"{source}: 'paused_statuses': resolved and closed stop the clock; they cannot pause it")
    return tuple(value)


def parse_duration(text, calendar: Calendar | None = None) -> int:
    """'30m', '4h', '1h30m', '2d' -> seconds; 'd' is one working day of the calendar.

    Raises ValueError with the reason.
    """
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a duration: write it as a string such as \"4h\"")
    match = DURATION_PATTERN.match(text.strip().lower())
    if not text.strip() or not match:
        raise ValueError(f"bad duration '{text}': write e.g. \"30m\", \"4h\", \"1h30m\" or \"2d\"")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    secs = hours * 3600 + minutes * 60
    if days:
        day = calendar.day_length_secs() if calendar is not None else None
        if day is None:
            name = calendar.name if calendar is not None else "?"
            raise ValueError(
                f"'{text}' uses days, but calendar '{name}' has working days of different lengths; "
                "write the target in hours (e.g. \"18h\")"
            )
        secs += days * day
    if secs <= 0:
        raise ValueError(f"duration '{text}' must be longer than zero")
    return secs


def _calendar(name: str, spec, source: str) -> Calendar:
    where = f"calendar '{name}'"
    if not isinstance(spec, dict):
        raise PolicyError(f"{source}: {where} must be a table")
    _no_unknown_keys(spec, CALENDAR_KEYS, source, where)
    zone = spec.get("timezone")
    if not isinstance(zone, str) or not zone:
        raise PolicyError(f"{source}: {where}: field 'timezone' is required (an IANA name such as America/Sao_Paulo)")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError(f"{source}: {where}: field 'timezone': unknown time zone '{zone}' (use an IANA name such as Europe/London)") from None
    hours = spec.get("hours", {})
    if not isinstance(hours, dict):
        raise PolicyError(f"{source}: {where}: field 'hours' must be a table of weekdays (mon = [\"09:00-18:00\"])")
    _no_unknown_keys(hours, set(WEEKDAYS), source, f"{where}, field 'hours'")
    week = tuple(_day_intervals(hours.get(day, []), source, f"{where}, field 'hours.{day}'") for day in WEEKDAYS)
    if not any(week):
        raise PolicyError(f"{source}: {where}: field 'hours': the week has no opening hours")
    country = subdivision = None
    holidays_spec = spec.get("holidays")
    if holidays_spec is not None:
        if not isinstance(holidays_spec, dict):
            raise PolicyError(f"{source}: {where}: field 'holidays' must be a table such as {{ country = \"BR\", subdivision = \"SP\" }}")
        _no_unknown_keys(holidays_spec, HOLIDAY_KEYS, source, f"{where}, field 'holidays'")
        country = holidays_spec.get("country")
        subdivision = holidays_spec.get("subdivision")
        _check_holidays(country, subdivision, source, where)
    closed = spec.get("closed_dates", [])
    if not isinstance(closed, list):
        raise PolicyError(f"{source}: {where}: field 'closed_dates' must be a list of dates")
    closed_dates = set()
    for value in closed:
        if isinstance(value, date):
            closed_dates.add(value)
            continue
        try:
            closed_dates.add(date.fromisoformat(str(value)))
        except ValueError:
            raise PolicyError(f"{source}: {where}: field 'closed_dates': '{value}' is not a date (YYYY-MM-DD)") from None
    calendar = Calendar(name, zone, week, country, subdivision, frozenset(closed_dates))
    try:
        validate_calendar(calendar)
    except CalendarError as exc:
        raise PolicyError(f"{source}: {exc}") from None
    return calendar


def _day_intervals(value, source: str, where: str) -> tuple[tuple[int, int], ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise PolicyError(f"{source}: {where}: write intervals as a list, e.g. [\"09:00-12:00\", \"13:00-18:00\"]")
    intervals = []
    for text in value:
        match = INTERVAL_PATTERN.match(str(text).strip())
        if not match:
            raise PolicyError(f"{source}: {where}: '{text}' is not an interval such as \"09:00-18:00\"")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
        if h1 > 23 or m1 > 59 or m2 > 59 or end > DAY_SECS or end <= start:
            raise PolicyError(
                f"{source}: {where}: '{text}' must start before it ends, within one day "
                "(00:00 to 24:00; split a night shift at midnight)"
            )
        intervals.append((start, end, str(text).strip()))
    intervals.sort()
    for (_, e1, first), (s2, _, second) in itertools.pairwise(intervals):
        if s2 < e1:
            raise PolicyError(f"{source}: {where}: intervals '{first}' and '{second}' overlap")
    return tuple((start, end) for start, end, _ in intervals)


def _check_holidays(country, subdivision, source: str, where: str) -> None:
    import holidays

    if not isinstance(country, str) or not country:
        raise PolicyError(f"{source}: {where}: field 'holidays.country' is required (an ISO code such as \"BR\")")
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise PolicyError(f"{source}: {where}: field 'holidays.country': unknown holiday country '{country}' (ISO 3166 codes such as BR, US, GB)")
    if subdivision is not None and subdivision not in supported[country]:
        raise PolicyError(
            f"{source}: {where}: field 'holidays.subdivision': '{subdivision}' is not a subdivision "
            f"of {country} known to the holidays package"
        )


def _policy(number: int, spec, calendars: dict[str, Calendar], source: str) -> Policy:
    if not isinstance(spec, dict):
        raise PolicyError(f"{source}: policy #{number} must be a table")
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PolicyError(f"{source}: policy #{number}: field 'name' is required")
    where = f"policy '{name}'"
    _no_unknown_keys(spec, POLICY_KEYS, source, where)
    calendar_name = spec.get("calendar", TWENTY_FOUR_SEVEN)
    if calendar_name not in calendars:
        raise PolicyError(
            f"{source}: {where}: field 'calendar': unknown calendar '{calendar_name}' "
            f"(defined: {', '.join(calendars)})"
        )
    calendar = calendars[calendar_name]
    criteria = _criteria(spec.get("match", {}), source, where)
    targets = {}
    for metric in METRICS:
        raw = spec.get(metric)
        targets[metric] = None if raw is None else _target(raw, calendar, source, where, metric)
    if targets["first_response"] is None and targets["resolution"] is None:
        raise PolicyError(f"{source}: {where}: give a 'first_response' or a 'resolution' target (or both)")
    return Policy(name, calendar_name, criteria, targets["first_response"], targets["resolution"],
                  str(spec.get("description", "")))


def _criteria(raw, source: str, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: {where}: field 'match' must be a table such as {{ priority = \"urgent\" }}")
    _no_unknown_keys(raw, set(CRITERIA), source, f"{where}, field 'match'")
    criteria = {}
    for field_name in CRITERIA:
        if field_name not in raw:
            continue
        value = raw[field_name]
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
            raise PolicyError(f"{source}: {where}, field 'match.{field_name}': give a value or a non-empty list of values")
        codes = CODED_CRITERIA.get(field_name)
        for v in values:
            if codes is not None and v not in codes:
                raise PolicyError(
                    f"{source}: {where}, field 'match.{field_name}': '{v}' is not a valid code, so the "
                    f"policy can never match (one of {', '.join(codes)})"
                )
        criteria[field_name] = tuple(dict.fromkeys(values))
    return criteria


def _target(raw, calendar: Calendar, source: str, where: str, metric: str) -> Target:
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: {where}, field '{metric}' must be a table such as {{ target = \"4h\", goal = 0.95 }}")
    _no_unknown_keys(raw, TARGET_KEYS, source, f"{where}, field '{metric}'")
    if "target" not in raw:
        raise PolicyError(f"{source}: {where}, field '{metric}.target' is required (e.g. \"4h\")")
    try:
        secs = parse_duration(raw["target"], calendar)
    except ValueError as exc:
        raise PolicyError(f"{source}: {where}, field '{metric}.target': {exc}") from None
    goal = raw.get("goal", 0.95)
    if isinstance(goal, bool) or not isinstance(goal, (int, float)) or not 0 < goal <= 1:
        raise PolicyError(f"{source}: {where}, field '{metric}.goal': {goal!r} must be a share between 0 and 1, e.g. 0.95")
    return Target(secs, float(goal), str(raw["target"]))


# -- shadowing: can a later policy ever match? -------------------------------------------------

_OTHER = object()  # stands for any value no policy names (including a missing one)
_MAX_COMBINATIONS = 200_000


def _matches(policy: Policy, point: dict) -> bool:
    return all(point[f] is not _OTHER and point[f] in values for f, values in policy.criteria.items())


def _shadowed_by(policy: Policy, earlier: list[Policy]) -> list[Policy]:
    """The earlier policies that together take every request `policy` matches; [] if none do.

    Exact: each field only needs the values some policy names, plus one stand-in for all the
    others, so checking every combination of those representatives decides it.
    """
    if not earlier:
        return []
    for other in earlier:  # the common case, and the clearest message
        if all(f in policy.criteria and set(policy.criteria[f]) <= set(v) for f, v in other.criteria.items()):
            return [other]
    axes = []
    for f in CRITERIA:
        if f in policy.criteria:
            axes.append(list(policy.criteria[f]))
        else:
            # _OTHER also stands for a missing value, which no criterion matches.
            named = {v for p in earlier for v in p.criteria.get(f, ())}
            axes.append(sorted(named) + [_OTHER])
    size = 1
    for axis in axes:
        size *= len(axis)
    if size > _MAX_COMBINATIONS:
        return []
    takers: dict[str, Policy] = {}
    for combo in itertools.product(*axes):
        point = dict(zip(CRITERIA, combo))
        if not _matches(policy, point):
            continue
        taker = next((p for p in earlier if _matches(p, point)), None)
        if taker is None:
            return []
        takers[taker.name] = taker
    return list(takers.values())


# -- readable tables for the app -----------------------------------------------------------------

def format_duration(secs: int) -> str:
    """Seconds -> '1h30m' style text."""
    hours, rest = divmod(int(secs), 3600)
    minutes = rest // 60
    if hours and minutes:
        return f"{hours}h{minutes:02d}m"
    return f"{hours}h" if hours else f"{minutes}m"


def _target_text(target: Target, calendar: str) -> str:
    """'2d (18h business time)', or '4h business time' where the file already says it in hours;
    on the 24x7 calendar every hour counts, which 'business time' would hide."""
    hours = format_duration(target.secs)
    clock = "round the clock" if calendar == TWENTY_FOUR_SEVEN else "business time"
    return f"{hours} {clock}" if hours == target.text else f"{target.text} ({hours} {clock})"


def describe_policies(policy_set: PolicySet | None = None) -> list[dict]:
    """One row per policy, in matching order, for a readable table."""
    policy_set = policy_set or load_policies()
    rows = []
    for order, policy in enumerate(policy_set.policies, start=1):
        criteria = "; ".join(f"{f.replace('_', ' ')} = {' or '.join(v)}" for f, v in policy.criteria.items())
        row = {
            "order": order,
            "policy": policy.name,
            "applies to": criteria or "every request not matched above",
            "calendar": policy.calendar,
        }
        for metric, label in (("first_response", "first response"), ("resolution", "resolution")):
            target = policy.target(metric)
            row[f"{label} target"] = _target_text(target, policy.calendar) if target else "none"
            row[f"{label} goal"] = target.goal if target else None
        row["description"] = policy.description
        rows.append(row)
    return rows


def describe_calendars(policy_set: PolicySet | None = None) -> list[dict]:
    """One row per calendar (24x7 included): zone, weekly hours, holidays and closed dates."""
    policy_set = policy_set or load_policies()
    rows = []
    for calendar in policy_set.calendar_list():
        if calendar.name == TWENTY_FOUR_SEVEN:
            hours = "every day, all day"
        else:
            hours = "; ".join(
                f"{day} {', '.join(_hhmm(s) + '-' + _hhmm(e) for s, e in calendar.week[i])}"
                for i, day in enumerate(WEEKDAYS) if calendar.week[i]
            )
        holidays_text = ""
        if calendar.holiday_country:
            holidays_text = calendar.holiday_country + (
                f"/{calendar.holiday_subdivision}" if calendar.holiday_subdivision else ""
            )
        day = calendar.day_length_secs()
        rows.append({
            "calendar": calendar.name,
            "time zone": calendar.timezone,
            "hours": hours,
            "hours per week": round(calendar.weekly_secs() / 3600, 2),
            "1d means": format_duration(day) if day else "n/a (days differ in length)",
            "public holidays": holidays_text or "none",
            "closed dates": ", ".join(d.isoformat() for d in sorted(calendar.closed_dates)) or "none",
            "used by": ", ".join(p.name for p in policy_set.policies if p.calendar == calendar.name) or "no policy",
        })
    return rows


def _hhmm(secs: int) -> str:
    return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}"


def calendars_fingerprint(calendars: list[Calendar]) -> str:
    """A stable digest of calendar definitions (the clock tables depend on nothing else)."""
    payload = [
        [c.name, c.timezone, [list(map(list, d)) for d in c.week], c.holiday_country,
         c.holiday_subdivision, sorted(d.isoformat() for d in c.closed_dates)]
        for c in calendars
    ]
    return hashlib.sha256(json.dumps(payload).encode("utf-8")).hexdigest()
