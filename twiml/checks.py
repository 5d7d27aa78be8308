"""Small composable value checkers, one per kind of rule, in the spirit of attrs' validators.

A checker takes an attribute's text and returns None (fine) or a `Problem`.  `for_attr(attr)`
composes the checker of a grammar attribute once; the validator and the editor's form both call
it, so the two can never disagree about a value.

Patterns always match the *whole* value (`re.fullmatch`): one explicit choice, so a pattern in
the grammar needs no ``^...$`` anchors and ``"1\\n"`` never passes a ``[0-9]+`` rule.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from twiml.grammar_types import BOOL, FLOAT, INT, LIST, URL, Attr

__all__ = [
    "Check",
    "Problem",
    "and_",
    "boolean",
    "for_attr",
    "in_",
    "integer",
    "matches_re",
    "max_len",
    "nearest",
    "number",
    "optional",
    "tokens",
    "url",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a value looks wrong, phrased to follow the attribute name (``numDigits='x' ...``)."""

    message: str
    unknown: bool = False
    """The value is merely absent from an advisory table (voices, languages Twilio may have
    added since): worth a note, never a warning."""
    suggestion: str | None = None
    """A value that is probably meant (did-you-mean); the editor offers it as a fix."""
    doubtful: bool = False
    """Probably works (Twilio trims or tolerates it) but is worth a warning, never an error."""


Check = Callable[[str], "Problem | None"]

_INT = re.compile(r"[+-]?[0-9]+")
_SPACE = re.compile(r"\s")
_LIST_SPLIT = re.compile(r"[\s,]+")


def show(text: str, limit: int = 40) -> str:
    """A value quoted for a message, shortened when long."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def nearest(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """Known names closest to `name`: same letters in another case first, then by edit distance."""
    pool = list(dict.fromkeys(known))
    folded = name.casefold()
    same = [k for k in pool if k.casefold() == folded and k != name]
    if same:
        return same[:limit]
    by_fold = {k.casefold(): k for k in pool}
    close = difflib.get_close_matches(folded, list(by_fold), n=limit, cutoff=0.75)
    return [by_fold[c] for c in close if by_fold[c] != name]


def _range(lo: float | None, hi: float | None, n: float) -> Problem | None:
    if lo is not None and n < lo:
        return Problem(f"is below the minimum {_num(lo)}")
    if hi is not None and n > hi:
        return Problem(f"is above the maximum {_num(hi)}")
    return None


def integer(lo: float | None = None, hi: float | None = None) -> Check:
    """Decimal digits with an optional sign (no ``1_0``, ``1e3`` or ``5.0``) within [lo, hi]."""

    def check(text: str) -> Problem | None:
        s = text.strip()
        if _INT.fullmatch(s) is None:
            return Problem("is not an integer")
        return _range(lo, hi, int(s))

    return check


def number(lo: float | None = None, hi: float | None = None) -> Check:
    """A finite decimal number within [lo, hi]."""

    def check(text: str) -> Problem | None:
        s = text.strip()
        try:
            n = float(s) if "_" not in s else math.nan
        except ValueError:
            return Problem("is not a number")
        if not math.isfinite(n):
            return Problem("is not a finite number")
        return _range(lo, hi, n)

    return check


def boolean() -> Check:
    """Exactly ``true`` or ``false`` (TwiML is case-sensitive)."""

    def check(text: str) -> Problem | None:
        if text == "true" or text == "false":
            return None
        low = text.strip().lower()
        if low in ("true", "false"):
            return Problem("must be written 'true' or 'false'", suggestion=low)
        return Problem("is not a boolean (use 'true' or 'false')")

    return check


def _choices(values: tuple[str, ...], limit: int = 8) -> str:
    shown = [repr(v) for v in values[:limit]]
    return ", ".join(shown) + (f" (and {len(values) - limit} more)" if len(values) > limit else "")


def in_(values: Iterable[str], *, open: bool = False) -> Check:
    """One of `values`.  With `open` (an advisory table) an unlisted value is only `unknown`;
    a value in another letter case is always a problem, with the right spelling suggested."""
    allowed = tuple(values)
    members = frozenset(allowed)

    def check(text: str) -> Problem | None:
        if text in members:
            return None
        near = nearest(text.strip(), allowed)
        if near and near[0].casefold() == text.strip().casefold():
            return Problem("has the wrong letter case (TwiML values are case-sensitive)", suggestion=near[0])
        if open:
            return Problem("is not in this toolkit's table (Twilio may have added it)", True, near[0] if near else None)
        return Problem(f"is not one of {_choices(allowed)}", suggestion=near[0] if near else None)

    return check


def tokens(item: Check, *, commas_matter: bool = True) -> Check:
    """A space-separated list whose every token passes `item`; commas are reported (Twilio
    separates with spaces) with the space-separated value suggested."""

    def check(text: str) -> Problem | None:
        parts = [t for t in _LIST_SPLIT.split(text) if t]
        worst: Problem | None = None
        fixed: list[str] = []
        for token in parts:
            found = item(token)
            fixed.append(found.suggestion if found is not None and found.suggestion else token)
            if found is not None and (worst is None or (worst.unknown and not found.unknown)):
                worst = Problem(f"has {show(token)}, which {found.message}", found.unknown)
        suggestion = " ".join(fixed) if fixed != parts or "," in text else None
        if worst is not None:
            return Problem(worst.message, worst.unknown, suggestion if suggestion != text else None)
        if commas_matter and "," in text:
            return Problem("separates values with commas; Twilio wants spaces", suggestion=suggestion)
        return None

    return check


def matches_re(pattern: str, *, what: str = "the expected form") -> Check:
    """The whole value matches `pattern` (``re.fullmatch``)."""
    compiled = re.compile(pattern)

    def check(text: str) -> Problem | None:
        if compiled.fullmatch(text) is not None:
            return None
        return Problem(f"does not have {what} ({pattern})")

    return check


def max_len(limit: int) -> Check:
    def check(text: str) -> Problem | None:
        if len(text) > limit:
            return Problem(f"is {len(text)} characters long; the limit is {limit}")
        return None

    return check


def url(schemes: tuple[str, ...] = (), *, empty_ok: bool = False) -> Check:
    """An absolute or relative URL without white space inside; `schemes` restricts absolute ones."""

    def check(text: str) -> Problem | None:
        stripped = text.strip()
        if not stripped:
            return None if empty_ok and not text else Problem("is an empty URL", doubtful=True)
        if schemes and not stripped.lower().startswith(schemes):
            return Problem(f"must start with {' or '.join(schemes)}")
        if _SPACE.search(stripped) is not None:
            return Problem("is not a valid URL (it contains white space)")
        if stripped != text:
            return Problem("has white space around the URL", suggestion=stripped, doubtful=True)
        return None

    return check


def optional(check: Check) -> Check:
    """The empty string passes (an unset form field); anything else must pass `check`."""

    def run(text: str) -> Problem | None:
        return None if text == "" else check(text)

    return run


def and_(*checks: Check) -> Check:
    """The first problem any of `checks` finds, in order."""
    if len(checks) == 1:
        return checks[0]

    def run(text: str) -> Problem | None:
        for c in checks:
            found = c(text)
            if found is not None:
                return found
        return None

    return run


@cache
def for_attr(attr: Attr) -> Check | None:
    """The checker of a grammar attribute (None when any text is fine); composed once."""
    parts: list[Check] = []
    if attr.type == INT:
        parts.append(integer(attr.min, attr.max))
    elif attr.type == FLOAT:
        parts.append(number(attr.min, attr.max))
    elif attr.type == BOOL:
        parts.append(boolean())
    elif attr.type == URL:
        parts.append(url(attr.schemes, empty_ok=attr.empty_ok))
    elif attr.type == LIST:
        if attr.item_type == INT:
            parts.append(tokens(integer()))
        elif attr.values:
            parts.append(tokens(in_(attr.values, open=attr.open)))
    elif attr.values:
        parts.append(in_(attr.values, open=attr.open))
    if attr.pattern:
        parts.append(matches_re(attr.pattern))
    if attr.max_length is not None:
        parts.append(max_len(attr.max_length))
    check = and_(*parts) if parts else None
    if check is not None and attr.prefixes:
        return _unless_prefixed(attr.prefixes, check)
    return check


def _unless_prefixed(prefixes: tuple[str, ...], check: Check) -> Check:
    """`check`, except that a value of one of the families in `prefixes` passes."""

    def checked(text: str) -> Problem | None:
        return None if text.startswith(prefixes) else check(text)

    return checked
