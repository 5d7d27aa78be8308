"""The 17 condition types of a split-based-on transition, as Studio compares them.

Text comparisons ignore case and surrounding spaces (people type "Yes " and speech comes back as
"Sales."); `matches_any_of` takes a comma-separated list; numbers compare as numbers; dates and
times are parsed from common ISO and US forms. A value that cannot be compared does not match.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

__all__ = ["matches", "sample_values"]


def _norm(text: str) -> str:
    return text.strip().casefold()


def _number(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y", "%d.%m.%Y")
_TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p", "%I %p")


def _date(text: str) -> datetime | None:
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None


def _time(text: str) -> time | None:
    text = text.strip().upper()
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    d = _date(text)
    return d.time() if d is not None else None


def _any_of(value: str) -> list[str]:
    return [_norm(v) for v in value.split(",") if v.strip()]


def matches(kind: str, subject: str, value: Any) -> bool:
    """Whether `subject` (the rendered input) meets condition `kind` with `value`."""
    value = "" if value is None else str(value)
    s, v = _norm(subject), _norm(value)
    if kind == "equal_to":
        return s == v
    if kind == "not_equal_to":
        return s != v
    if kind == "matches_any_of":
        return s in _any_of(value)
    if kind == "does_not_match_any_of":
        return s not in _any_of(value)
    if kind == "contains":
        return v in s
    if kind == "does_not_contain":
        return v not in s
    if kind == "starts_with":
        return s.startswith(v)
    if kind == "does_not_start_with":
        return not s.startswith(v)
    if kind == "is_blank":
        return not s
    if kind == "is_not_blank":
        return bool(s)
    if kind == "regex":
        try:
            return re.search(value, subject) is not None
        except re.error:
            return False
    if kind in ("less_than", "greater_than"):
        a, b = _number(subject), _number(value)
        if a is None or b is None:
            return False
        return a < b if kind == "less_than" else a > b
    if kind in ("is_before_date", "is_after_date"):
        da, db = _date(subject), _date(value)
        if da is None or db is None:
            return False
        return da < db if kind == "is_before_date" else da > db
    if kind in ("is_before_time", "is_after_time"):
        ta, tb = _time(subject), _time(value)
        if ta is None or tb is None:
            return False
        return ta < tb if kind == "is_before_time" else ta > tb
    return False


def sample_values(kind: str, value: Any) -> list[str]:
    """Inputs that meet a condition, for the map to try (empty when none is easy to make)."""
    value = "" if value is None else str(value).strip()
    if "{{" in value or "{%" in value:
        return []
    if kind in ("equal_to", "contains", "starts_with"):
        return [value] if value else []
    if kind == "matches_any_of":
        return [v.strip() for v in value.split(",") if v.strip()][:1]
    if kind == "is_not_blank":
        return ["yes"]
    if kind == "less_than":
        n = _number(value)
        return [_fmt(n - 1)] if n is not None else []
    if kind == "greater_than":
        n = _number(value)
        return [_fmt(n + 1)] if n is not None else []
    if kind == "regex":
        return _regex_sample(value)
    return []


def _fmt(n: float) -> str:
    return str(int(n)) if n == int(n) else str(n)


def _regex_sample(pattern: str) -> list[str]:
    """A few plain candidates; the first the pattern accepts."""
    for candidate in ("1", "5", "10", "yes", "a", "12345", "test@example.com"):
        try:
            if re.search(pattern, candidate):
                return [candidate]
        except re.error:
            return []
    return []
