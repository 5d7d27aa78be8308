"""Text from documents, file names, URLs, replies and messages, made safe to show.

Textual reads a plain string in a label, a toast, a table cell, a border title or a menu option
as Rich markup: `[/x]` in an attribute value raised MarkupError (the file could not be opened)
and `[bold]` or the `[f]` marker vanished.  Terminal control characters (`\\x1b[2J` would clear
the screen) and bidirectional overrides (U+202E reverses what follows) must not reach the
terminal either.  Every view shows such text through one of these helpers: `shown` for plain
text, `literal` for a Rich Text, `markup_escape` where a markup string is required.
Rich only, no Textual: shared by the widgets, the screens and the app.
"""

from __future__ import annotations

import re

from rich.markup import escape
from rich.text import Text

__all__ = ["literal", "markup_escape", "shown"]

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}]")
"""C0 and C1 controls (tab and newline stay) and the bidirectional controls."""


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture": ␛ for ESC
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def shown(text: object) -> str:
    """`text` as a string whose every character is shown as itself: control and
    bidirectional characters become visible symbols (␛, <U+202E>)."""
    value = str(text)
    return _UNSAFE.sub(_visible, value) if _UNSAFE.search(value) else value


def literal(text: object, style: str = "") -> Text:
    """A Rich Text showing `text` literally (never read as markup)."""
    return Text(shown(text), style=style)


def markup_escape(text: object) -> str:
    """`text` for a place that reads markup (border titles, toasts with markup), shown literally."""
    return escape(shown(text))
