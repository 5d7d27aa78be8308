"""Inline checks of one attribute value for the form's error line.

The form stores whatever the user typed (Twilio may accept more than we know); these messages
only tell the user what looks wrong, as they type.  The checking itself is the validator's own
(`twiml.checks.for_attr`), so the form and `twiml validate` can never disagree about a value.
"""

from __future__ import annotations

from twiml.checks import for_attr, optional
from twiml.grammar_types import Attr


def problem(attr: Attr | None, text: str | None) -> str | None:
    """Why `text` does not look like a valid value of `attr` (None when it does or is unset)."""
    if attr is None or text is None:
        return None
    check = for_attr(attr)
    found = optional(check)(text) if check is not None else None
    if found is None:
        return None
    note = " (Twilio may still accept it)" if found.unknown else ""
    hint = f"; did you mean {found.suggestion!r}?" if found.suggestion else ""
    return f"{text!r} {found.message}{note}{hint}"


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
