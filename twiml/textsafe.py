"""One escaping rule for text a person reads on a terminal: findings, transcripts, maps.

Text from documents, apps, servers and flow.toml may hold terminal control characters (ESC
sequences, the C1 controls U+009B and U+009D that some terminals obey), bidi overrides that
reorder what is shown, and line separators. Every human-readable output writes such text
through `printable` (or `quoted`, which `validate` uses for attribute values): what is not
printable becomes a Python-style escape (`\\x1b`, `\\x9b`, `\\u202e`), the rest is unchanged.
"""

from __future__ import annotations

__all__ = ["printable", "quoted"]


def printable(text: str) -> str:
    """`text` with every character that is not printable (controls, format characters such as
    bidi overrides, separators other than the space, surrogates) written as an escape."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii") for c in text
    )


def printable_lines(text: str) -> str:
    """Like `printable`, but newlines stay newlines (for multi-line output such as a body)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def quoted(text: str) -> str:
    """`text` as a quoted literal, non-printable characters escaped (how findings show values)."""
    return repr(text)
