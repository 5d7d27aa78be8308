"""Inline checks of one attribute value against its grammar entry, for the form's error line.

The form stores whatever the user typed (Twilio may accept more than we know); these
messages only tell the user what looks wrong, as they type.
"""

from __future__ import annotations

import re

from twiml.grammar_types import Attr

_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/?#]+[^\s]*|[^\s:]*)$")
_BOOL = ("true", "false")


def _number(attr: Attr, text: str, kind: type[int] | type[float]) -> str | None:
    try:
        number = kind(text)
    except ValueError:
        return f"not {'an integer' if kind is int else 'a number'}"
    if attr.min is not None and number < attr.min:
        return f"below the minimum {attr.min:g}"
    if attr.max is not None and number > attr.max:
        return f"above the maximum {attr.max:g}"
    return None


def problem(attr: Attr | None, text: str | None) -> str | None:
    """Why `text` does not look like a valid value of `attr` (None when it does or is unset)."""
    if attr is None or text is None or text == "":
        return None
    error: str | None = None
    kind = attr.type
    if kind == "int":
        error = _number(attr, text, int)
    elif kind == "float":
        error = _number(attr, text, float)
    elif kind == "bool":
        if text not in _BOOL:
            error = "expected true or false"
    elif kind == "url":
        if not _URL.match(text):
            error = "not a URL (absolute like https://… or relative like /next)"
    elif kind == "enum":
        if attr.values and text not in attr.values:
            if attr.open:
                return "not a value we know (Twilio may still accept it)"
            error = "not one of: " + ", ".join(attr.values)
    elif kind == "list" and attr.values:
        bad = [t for t in text.split() if t not in attr.values]
        if bad:
            error = f"unknown token{'s' if len(bad) > 1 else ''} {' '.join(bad)}; allowed: " + " ".join(attr.values)
    if error is None and attr.pattern and not re.fullmatch(attr.pattern, text):
        error = f"does not match {attr.pattern}"
    if error is None and attr.max_length is not None and len(text) > attr.max_length:
        error = f"longer than {attr.max_length} characters"
    return error


def describe(attr: Attr) -> str:
    """Short type hint for a field's placeholder, e.g. `int 1–5, default 5`."""
    hint: str = attr.type
    if attr.min is not None or attr.max is not None:
        low = "" if attr.min is None else f"{attr.min:g}"
        high = "" if attr.max is None else f"{attr.max:g}"
        hint += f" {low}–{high}"
    if attr.type == "list" and attr.values:
        hint += " of " + " ".join(attr.values)
    if attr.default is not None:
        hint += f", default {attr.default}"
    return hint
