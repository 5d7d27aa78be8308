"""The lexer behind `twiml.source`: one token per '<' over the original text, and the records
(`_Record`, `_Entry`) that pair each parsed node with where its tags, attributes and text are.

`SourceDocument` aligns these with the parsed tree (`twiml.source`) and writes from them
(`twiml.source_write`); neither needs anything from the parser's internals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from twiml.base import TwiML

_DECLARATION = re.compile(r"<\?xml[ \t\r\n?]")
# One token per '<': comment (group 1), CDATA (2), PI (3), end tag (4), start tag (name 5,
# attributes 6, close 7), or anything else (8: not a well-formed document as the lexer reads it).
_TOKEN = re.compile(
    r"<(?:(?P<comment>!--.*?-->)|(?P<cdata>!\[CDATA\[.*?\]\]>)|(?P<pi>\?.*?\?>)|/(?P<end>[^\s>]+)\s*>"
    r"""|(?P<name>[^\s/>!?]+)(?P<attrs>(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)(?P<close>\s*/?>)|(?P<bad>))""",
    re.S,
)
_ATTR = re.compile(r"""(\s+)([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_WS = " \t\r\n"


# ------------------------------------------------------------------------------------ lexer


@dataclass(slots=True)
class _Attr:
    name: str
    start: int  # the whitespace before the name
    name_start: int
    value_start: int
    value_end: int  # the closing quote
    quote: str


@dataclass(slots=True)
class _Markup:
    """An element, comment, processing instruction or the XML declaration in the source."""

    kind: str  # "el", "#comment", "#pi", "decl"
    start: int
    end: int = 0  # after the end tag (or the markup)
    name: str = ""
    tag_end: int = 0  # after the start tag's '>'
    end_start: int = 0  # the end tag's '<' (== end for a self-closing tag)
    close: str = ""  # '>' / '/>' with the whitespace before it
    attrs_span: tuple[int, int] = (0, 0)  # the start tag's attributes, for `_attributes`
    attrs: list[_Attr] | None = None  # read from `attrs_span` when first needed
    items: list[_Markup | tuple[int, int]] | None = None  # content: markup and text runs (elements only)

    @property
    def self_closing(self) -> bool:
        return self.close.endswith("/>")


def _attributes(text: str, markup: _Markup) -> list[_Attr]:
    """The attributes of an element's start tag, read on first use (only edited tags need them)."""
    attrs = markup.attrs
    if attrs is None:
        attrs = markup.attrs = []
        start, end = markup.attrs_span
        for a in _ATTR.finditer(text, start, end):
            quoted = 3 if a.group(3) is not None else 4
            attrs.append(
                _Attr(a.group(2), a.start(1), a.start(2), a.start(quoted), a.end(quoted), '"' if quoted == 3 else "'")
            )
    return attrs


class _Mismatch(Exception):
    """The lexer's view of the text and the parsed tree disagree (never expected)."""


def _lex(text: str) -> list[_Markup | tuple[int, int]]:
    """Top-level items of a well-formed document: markup and text runs (CDATA counts as text).

    One regular expression finds every token; this loop only nests them, so a 10,000-node file
    takes milliseconds."""
    top: list[_Markup | tuple[int, int]] = []
    stack: list[_Markup] = []
    items = top
    text_start = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastindex  # the group that closed last: 7 (close) for a start tag
        if kind == 2:  # CDATA: part of the text run
            continue
        lt, end = m.span()
        if lt > text_start:
            items.append((text_start, lt))
        if kind == 7:
            close = m.group(7)
            el = _Markup("el", lt, 0, m.group(5), end, 0, close, m.span(6))
            items.append(el)
            if close[-2:] == "/>":
                el.end = el.end_start = end
            else:
                el.items = items = []
                stack.append(el)
        elif kind == 4:
            if not stack or stack[-1].name != m.group(4):
                raise _Mismatch(f"unexpected end tag at {lt}")
            el = stack.pop()
            el.end_start, el.end = lt, end
            items = stack[-1].items if stack else top  # type: ignore[assignment]  # open elements have items
        elif kind == 1:
            items.append(_Markup("#comment", lt, end))
        elif kind == 3:
            items.append(_Markup("decl" if not stack and lt == 0 and _DECLARATION.match(text) else "#pi", lt, end))
        else:
            raise _Mismatch(f"unreadable markup at {lt}")
        text_start = end
    if stack:
        raise _Mismatch("unclosed element")
    if len(text) > text_start:
        top.append((text_start, len(text)))
    return top


# ------------------------------------------------------------------------------------ records


@dataclass(slots=True)
class _Entry:
    """One original child of a container: the formatting before it and the child itself."""

    gap: str  # whitespace the parser dropped (indentation), "" when the child follows directly
    item: TwiML | str
    raw: str  # for a text child, its source text (entities and CDATA as written)


@dataclass(slots=True)
class _Record:
    """A parsed node as it was: where it is in the text and what it held."""

    node: TwiML
    markup: _Markup
    name: str
    attrs: dict[str, Any]
    value: Any
    verbs: list[TwiML | str]
    target: str = ""
    value_raw: str | None = None  # the body text as written (None: no body text in the source)
    entries: list[_Entry] = field(default_factory=list)
    tail: str = ""  # formatting after the last child
    text_free: bool = True  # no text child or body: whitespace between children is formatting


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same type (so "1" replacing 1 still counts as an edit)."""
    return a is b or (type(a) is type(b) and a == b)


def _same_items(old: list[Any], new: list[Any]) -> bool:
    return len(old) == len(new) and all(
        a is b or (isinstance(a, str) and _same(a, b)) for a, b in zip(old, new, strict=True)
    )


def _same_attrs(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return len(old) == len(new) and all(k in new and _same(v, new[k]) for k, v in old.items())


def _has_text(node: TwiML) -> bool:
    value = node.value
    return (value is not None and value != "") or any(isinstance(v, str) and v for v in node.verbs)


def _key(item: TwiML | str) -> tuple[str, Any]:
    return ("s", item) if isinstance(item, str) else ("n", id(item))


# ------------------------------------------------------------------------------------ positions


def line_starts(text: str) -> list[int]:
    """The offset where each line of `text` starts (for `attribute_place`)."""
    return [0, *(m.end() for m in re.finditer("\n", text))]


def attribute_place(text: str, starts: list[int], line: int, column: int, name: str) -> tuple[int, int] | None:
    """1-based (line, column) of attribute `name` in the start tag at `line`, `column` (where the
    parser puts a node: its `<`), or None when the tag has no such attribute there. Findings about
    an attribute point at it rather than at its element."""
    import bisect

    if not 0 < line <= len(starts):
        return None
    m = _TOKEN.match(text, starts[line - 1] + column - 1)
    if m is None or m.group("close") is None:
        return None
    start, end = m.span("attrs")
    for a in _ATTR.finditer(text, start, end):
        if a.group(2) == name:
            at = a.start(2)
            row = bisect.bisect_right(starts, at)
            return row, at - starts[row - 1] + 1
    return None
