"""Syntax colours for the XML preview, for the rows on screen only.

Tree-sitter keeps a syntax tree of the whole text and TextArea re-reads all of it after every
edit, which is most of an edit's cost in a 50,000-node document.  The preview is indented XML
written by our own serializer, so a small line scanner is enough: it carries one state across
lines (inside a comment, a tag, a quoted value, CDATA or a processing instruction) and gives
the same capture names as Textual's XML highlight query, so the theme colours them alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["Highlight", "highlight_rows", "scan_line"]

Highlight = tuple[int, int | None, str]
"""(start, end or None for the end of the line, capture name), in UTF-8 byte offsets as TextArea wants."""

_NAME = re.compile(r"[^\s<>/=\"'?!&]+")
_SPACE = re.compile(r"\s*")
_PREDEFINED = frozenset(("&amp;", "&lt;", "&gt;", "&quot;", "&apos;"))
_ENTITY = re.compile(r"&#?[\w.:-]+;")
_PSEUDO = {"version": "number", "encoding": "string.special", "standalone": "boolean"}
_LOOKBACK = 400
"""Rows scanned back from the first row on screen for an open comment or tag."""


def scan_line(line: str, state: str = "") -> tuple[list[tuple[int, int | None, str]], str]:
    """Captures of one line, in character offsets, and the state the next line starts in:
    "" (text), "comment", "cdata", "tag", "pi", or "tag\"" / "tag'" (inside a quoted value)."""
    out: list[tuple[int, int | None, str]] = []
    pos = 0
    n = len(line)
    attribute = ""
    while pos < n:
        if state == "comment" or state == "cdata":
            closer = "-->" if state == "comment" else "]]>"
            end = line.find(closer, pos)
            name = "comment" if state == "comment" else "markup.raw"
            if end < 0:
                out.append((pos, None, name))
                return out, state
            if state == "comment":
                out.append((pos, end + 3, name))
            else:
                out.append((pos, end, name))
                out.append((end, end + 3, "markup.heading"))
            pos, state = end + 3, ""
        elif state.startswith("tag") or state == "pi":
            if len(state) == 4:  # inside a quoted value
                end = line.find(state[3], pos)
                if end < 0:
                    out.append((pos, None, "string"))
                    return out, state
                out.append((pos, end + 1, "string"))
                pos, state = end + 1, "tag"
                continue
            pos = _SPACE.match(line, pos).end()  # type: ignore[union-attr]  # \s* always matches
            if pos >= n:
                break
            char = line[pos]
            if line.startswith("/>", pos) or line.startswith("?>", pos):
                out.append((pos, pos + 2, "punctuation.delimiter"))
                pos, state = pos + 2, ""
            elif char == ">":
                out.append((pos, pos + 1, "punctuation.delimiter"))
                pos, state = pos + 1, ""
            elif char == "=":
                out.append((pos, pos + 1, "operator"))
                pos += 1
            elif char in "\"'":
                end = line.find(char, pos + 1)
                if end < 0:
                    out.append((pos, None, "string"))
                    return out, "tag" + char
                if state == "pi":  # the declaration's pseudo-attributes, as Textual's query colours them
                    out.append((pos, pos + 1, "punctuation.delimiter"))
                    out.append((pos + 1, end, _PSEUDO.get(attribute, "string")))
                    out.append((end, end + 1, "punctuation.delimiter"))
                else:  # the quotes take the value's colour (the later span wins)
                    out.append((pos, pos + 1, "punctuation.delimiter"))
                    out.append((end, end + 1, "punctuation.delimiter"))
                    out.append((pos, end + 1, "string"))
                pos = end + 1
            else:
                match = _NAME.match(line, pos)
                end = match.end() if match else pos + 1
                out.append((pos, end, "property"))
                attribute = line[pos:end]
                pos = end
        else:
            lt = line.find("<", pos)
            amp = line.find("&", pos, lt if lt >= 0 else n)
            if amp >= 0:
                match = _ENTITY.match(line, amp)
                if match:
                    ref = match.group()
                    out.append((amp, match.end(), "constant"))
                    if ref in _PREDEFINED:
                        out.append((amp, match.end(), "constant.builtin"))
                    pos = match.end()
                else:
                    pos = amp + 1
                continue
            if lt < 0:
                break
            if line.startswith("<!--", lt):
                pos, state = lt, "comment"
            elif line.startswith("<![CDATA[", lt):
                out.append((lt, lt + 9, "markup.heading"))
                pos, state = lt + 9, "cdata"
            elif line.startswith("<?", lt):
                out.append((lt, lt + 2, "punctuation.delimiter"))
                match = _NAME.match(line, lt + 2)
                end = match.end() if match else lt + 2
                if end > lt + 2:
                    out.append((lt + 2, end, "keyword"))
                pos, state = end, "pi" if line[lt + 2 : end] == "xml" else "tag"
            else:
                start = lt + 2 if line.startswith("</", lt) else lt + 1
                out.append((lt, start, "punctuation.delimiter"))
                match = _NAME.match(line, start)
                end = match.end() if match else start
                if end > start:
                    out.append((start, end, "tag"))
                pos, state = end, "tag"
    return out, state


def _start_state(lines: Sequence[str], row: int) -> tuple[int, str]:
    """Where to start scanning for `row` and in which state: from the nearest line above that
    opens or closes a comment (or from `row` itself when none is near)."""
    for back in range(row - 1, max(-1, row - 1 - _LOOKBACK), -1):
        line = lines[back]
        opened, closed = line.rfind("<!--"), line.rfind("-->")
        if opened >= 0 or closed >= 0:
            return (back, "") if opened > closed else (back + 1, "")
    return row, ""


def highlight_rows(lines: Sequence[str], start: int, end: int) -> dict[int, list[Highlight]]:
    """Captures for rows [start, end) of `lines`, in UTF-8 byte offsets."""
    end = min(end, len(lines))
    start = max(0, min(start, end))  # a row past the end (a stale or wrapped row number) scans nothing
    row, state = _start_state(lines, start)
    found: dict[int, list[Highlight]] = {}
    while row < end:
        line = lines[row]
        spans, state = scan_line(line, state)
        if row >= start and spans:
            if not line.isascii():
                spans = [_to_bytes(line, span) for span in spans]
            found[row] = spans
        row += 1
    return found


def _to_bytes(line: str, span: tuple[int, int | None, str]) -> Highlight:
    start, end, name = span
    return (
        len(line[:start].encode("utf-8")),
        None if end is None else len(line[:end].encode("utf-8")),
        name,
    )
