"""One escaping rule for text a person reads on a terminal: findings, transcripts, maps.

Text from documents, apps, servers and flow.toml may hold terminal control characters (ESC
sequences, the C1 controls U+009B and U+009D that some terminals obey), bidi overrides that
reorder what is shown, and line separators. Every human-readable output writes such text
through `printable` (or `quoted`, which `validate` uses for attribute values): what is not
printable becomes a Python-style escape (`\\x1b`, `\\x9b`, `\\u202e`), the rest is unchanged.
The editor shows text through the same rule (`escaped` decides which characters), so a value
looks the same in `twiml validate` and on the editor's screen.
"""

from __future__ import annotations

__all__ = ["escaped", "json_printable", "printable", "printable_lines", "quoted"]


def escaped(char: str) -> bool:
    """True for a character that is never written as itself: controls, format characters such as
    bidi overrides and zero-width spaces, separators other than the space, surrogates."""
    return not char.isprintable()


def printable(text: str) -> str:
    """`text` with every character that is not printable (controls, format characters such as
    bidi overrides, separators other than the space, surrogates) written as an escape."""
    if text.isprintable():
        return text
    return "".join(c.encode("unicode_escape", "backslashreplace").decode("ascii") if escaped(c) else c for c in text)


def printable_lines(text: str) -> str:
    """Like `printable`, but newlines stay newlines (for multi-line output such as a body)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def quoted(text: str) -> str:
    """`text` as a quoted literal, non-printable characters escaped (how findings show values)."""
    return repr(text)


def json_printable(text: str) -> str:
    """JSON text (as `json.dumps(..., ensure_ascii=False)` writes it) with every non-printable
    character but the newline written as a JSON `\\uXXXX` escape: still the same JSON value."""
    if text.replace("\n", "").isprintable():
        return text
    out: list[str] = []
    for c in text:
        if c == "\n" or c.isprintable():
            out.append(c)
        elif ord(c) > 0xFFFF:
            code = ord(c) - 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{ord(c):04x}")
    return "".join(out)
