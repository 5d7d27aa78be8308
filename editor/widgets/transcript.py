"""The Call panel's transcript: lines as `twiml call` prints them, wrapped under their text.

A transcript line starts with a prefix that says what it is (`-> ` a request, `<- ` its
answer, `   Say ` a verb, `     . ` a note, ` x ` a problem). At 80 columns the panel is about 45
wide, so most requests and prompts wrap; a wrapped part that went back to the first column would
read as a line of its own, so it continues under the text instead (a hanging indent).
"""

from __future__ import annotations

import re

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from textual.widgets import RichLog

__all__ = ["HangingLine", "Transcript", "hanging_indent", "hanging_wrap"]

_HEAD = re.compile(r' *(?:\S+ +"?)?')
"""The prefix: the leading spaces, then the first word and its spaces (and an opening quote)."""

_WORD = re.compile(r"\S+\s*")


def hanging_indent(text: str, width: int) -> int:
    """Where the wrapped parts of `text` start: under the text after its prefix, or under the
    prefix's leading spaces when that would leave under half of `width`."""
    head = _HEAD.match(text)
    indent = head.end() if head is not None and head.end() < len(text) else 0
    if indent > width // 2:
        indent = len(text) - len(text.lstrip(" "))
    return indent if indent <= width // 2 else 0


def hanging_wrap(text: str, width: int) -> list[str]:
    """`text` in rows of at most `width` cells, broken between words (a word wider than a row is
    cut where the row ends), every row after the first indented by `hanging_indent`."""
    width = max(width, 1)
    if cell_len(text) <= width:
        return [text]
    pad = " " * hanging_indent(text, width)
    lead = min(len(text) - len(text.lstrip(" ")), width // 2)
    rows: list[str] = []
    row = " " * lead
    for word in _WORD.findall(text.lstrip(" ")):
        bare = word.rstrip()
        gap = word[len(bare) :]
        if cell_len(row + bare) > width and row.strip() and cell_len(pad + bare) <= width:
            rows.append(row.rstrip())  # the word fits the next row: it goes there whole
            row = pad
        while cell_len(row + bare) > width:  # wider than a row: cut where the row ends
            piece = chop_cells(bare, width - cell_len(row))[0] if cell_len(row) < width else ""
            if not piece and row.strip():
                rows.append(row.rstrip())
                row = pad
                continue
            piece = piece or bare[0]  # not one character fits even a new row: it overflows
            rows.append(row + piece)
            row, bare = pad, bare[len(piece) :]
        row += bare + gap
    if row.strip():
        rows.append(row.rstrip())
    return rows


class HangingLine:
    """One transcript line as a Rich renderable: wrapped by `hanging_wrap` at the width it is
    given, its text shown literally (no markup, no highlighting)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, max(cell_len(part) for part in self.text.split("\n")))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for part in self.text.split("\n"):  # a message's media lines: each wrapped on its own
            for row in hanging_wrap(part, options.max_width):
                yield Segment(row)
                yield Segment.line()


class Transcript(RichLog):
    """The transcript view: `add` writes one line, wrapped under its text."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, wrap=True, markup=False, highlight=False, min_width=20)

    def add(self, text: str) -> None:
        self.write(HangingLine(text))
