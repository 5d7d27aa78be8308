"""Text from documents, file names, URLs, replies and messages, made safe to show.

Textual reads a plain string in a label, a toast, a table cell, a border title or a menu option
as Rich markup: `[/x]` in an attribute value raised MarkupError (the file could not be opened)
and `[bold]` or the `[f]` marker vanished.  Terminal control characters (`\\x1b[2J` would clear
the screen) and bidirectional overrides (U+202E reverses what follows) must not reach the
terminal either.  Which characters are shown escaped is the library's one rule
(`twiml.textsafe.escaped`), so a value reads the same on the editor's screen as in
`twiml validate`.

Every view shows such text through one of these helpers: `shown` for plain text, `literal` for a
Rich Text, `markup_escape` where a markup string is required.  Editable text (the fields and text
areas, whose stored value must stay exactly as typed) is drawn through `VisibleInput` and
`VisibleTextArea`: there each such character is one cell (a control picture such as ␛, else �,
in reverse video), so the cursor stays on the character it is on.
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
from itertools import count
from pathlib import Path

from rich.markup import escape
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Input, TextArea

from twiml.textsafe import escaped, printable_lines

__all__ = [
    "VisibleInput",
    "VisibleTextArea",
    "fitted_path",
    "literal",
    "markup_escape",
    "shown",
    "stand_in",
    "visible_strip",
]


def shown(text: object) -> str:
    """`text` as a string whose every character is shown as itself: what the library escapes
    (controls, bidi overrides, zero-width and other invisible characters) is written as an
    escape such as `\\x1b` or `\\u202e`; newlines stay."""
    return printable_lines(str(text))


def fitted_path(path: str | os.PathLike[str], room: int) -> str:
    """`path` shown (see `shown`) as the user reads it: relative to the working folder when it
    lies inside it; when longer than `room` cells, the folders in the middle give way to `…` so
    the file name stays whole, or when even that is too long, only its end is kept (a header
    cuts a long title at its end, where the name is)."""
    full = Path(path)
    with contextlib.suppress(OSError, ValueError):
        full = full.resolve().relative_to(Path.cwd().resolve())
    text = shown(full)
    if len(text) <= room:
        return text
    head, sep, name = text.rpartition("/")
    keep = room - len(name) - 2  # "…/"
    if sep and keep > 0:
        return f"{head[:keep]}…/{name}"
    return "…" + text[-max(room - 1, 12) :]  # not even the name fits: its end (the part that differs)


def literal(text: object, style: str = "") -> Text:
    """A Rich Text showing `text` literally (never read as markup)."""
    return Text(shown(text), style=style)


def markup_escape(text: object) -> str:
    """`text` for a place that reads markup (border titles, toasts with markup), shown literally."""
    return escape(shown(text))


def stand_in(char: str) -> str:
    """The one visible character drawn for `char` in editable text (where `escaped(char)`)."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture": ␛ for ESC
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


_MARKED = Style(reverse=True)


def visible_strip(strip: Strip) -> Strip:
    """`strip` with every character the library escapes drawn as its stand-in, in reverse video,
    and cut back to its width (those characters take no cell when raw)."""
    if all(segment.control or segment.text.isprintable() for segment in strip):
        return strip
    width = strip.cell_length
    segments: list[Segment] = []
    for segment in strip:
        text, style, control = segment
        if control or text.isprintable():
            segments.append(segment)
            continue
        run: list[str] = []
        for char in text:
            if escaped(char):
                if run:
                    segments.append(Segment("".join(run), style))
                    run = []
                segments.append(Segment(stand_in(char), (style or Style()) + _MARKED))
            else:
                run.append(char)
        if run:
            segments.append(Segment("".join(run), style))
    return Strip(segments).crop(0, width)


_ENTRIES = count(1)


class TypingEntry:
    """One stretch of typing in a field: a new number each time the field gains or loses focus.

    Edits carry it, and the document folds an edit into the previous one only when both came
    from the same entry: typing coalesces into one undo step, leaving the field (Enter, Escape,
    focus elsewhere) ends it, so a later edit of the same attribute is a step of its own."""

    entry: int = 0

    def new_entry(self) -> None:
        self.entry = next(_ENTRIES)

    # Textual calls the handler of each class in the MRO, so these run besides the widget's own.
    def _on_mount(self, event: events.Mount) -> None:
        self.new_entry()

    def _on_focus(self, event: events.Focus) -> None:
        if not event.from_app_focus:  # not when the terminal window regains focus
            self.new_entry()

    def _on_blur(self, event: events.Blur) -> None:
        self.new_entry()


def typed_invisible(event: events.Key) -> str | None:
    """The character of a key that Textual's Input and TextArea drop as not printable, but that a
    user typed as text: a format character (a bidi override such as U+202E, a zero-width
    joiner) or a C1 control. C0 controls stay keys (they are ctrl+letter: bindings)."""
    char = event.character
    if char is None or len(char) != 1 or event.is_printable:
        return None
    category = unicodedata.category(char)
    if category == "Cf" or (category == "Cc" and ord(char) >= 0x80):
        return char
    return None


class VisibleInput(TypingEntry, Input):
    """An Input that draws control and bidi characters visibly; its value is unchanged.  Such a
    character typed is inserted as it is, as a paste of it is (Input alone drops it)."""

    async def _on_key(self, event: events.Key) -> None:
        char = typed_invisible(event)
        if char is None:
            return  # Input's own handler (Textual calls each class's) does the rest
        event.stop()
        event.prevent_default()
        if self.selection.is_empty:
            self.insert_text_at_cursor(char)
        else:
            self.replace(char, *self.selection)

    def render_line(self, y: int) -> Strip:
        return visible_strip(super().render_line(y))


class VisibleTextArea(TypingEntry, TextArea):
    """A TextArea that draws control and bidi characters visibly; its text is unchanged.  Such a
    character typed is inserted as it is (TextArea alone drops it)."""

    async def _on_key(self, event: events.Key) -> None:
        char = typed_invisible(event)
        if char is None or self.read_only:
            return  # TextArea's own handler (Textual calls each class's) does the rest
        event.stop()
        event.prevent_default()
        start, end = self.selection
        self.replace(char, start, end, maintain_selection_offset=False)

    def render_lines(self, crop: Region) -> list[Strip]:
        # A form replaced in a burst can be painted once more after its styles are gone (or
        # before they are applied): TextArea's theme then asks for a component class that is not
        # there and the app crashes (KeyError 'text-area--gutter', found by the monkey test).
        if "text-area--gutter" not in self._component_styles:
            return [Strip.blank(crop.width) for _ in range(crop.height)]
        return super().render_lines(crop)

    def _render_line(self, y: int) -> Strip:
        return visible_strip(super()._render_line(y))
