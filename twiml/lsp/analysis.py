"""An open TwiML file as the language server sees it: text, parsed tree, findings, and what is at a place.

No pygls here (plain data in, plain data out), so it is tested and benchmarked without a client.

Edits are incremental: a change inside the children of the root re-parses only the root's
children it touches (wrapped in the document's own root start tag, padded so positions come out
where they are in the file), splices the new nodes into the tree (an edited child keeps its node
object, so the validator's `Revalidator` re-checks only that child), and shifts the positions of
what follows. When that region does not parse, it stays the broken region: the one finding is the
parse error the whole text gives (the parser, handed the region and the text after it, stops where
it would in the whole), and later edits inside the region re-parse it alone until it parses.
Anything else (the root tag, the prolog, a second place) parses the whole text again; while that
fails, the last tree stays for completion and the outline, trusted only before the first edit.

Offsets are indices into the text (code points); lines and columns are 0-based here.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from twiml.errors import TwiMLParseError
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Element, element_of

if TYPE_CHECKING:
    from twiml.base import TwiML
    from twiml.validator import Diagnostic, Revalidator

__all__ = ["TOKEN", "Context", "Finding", "Span", "TwimlFile", "context_at", "edited", "spans"]

_NEWLINE = re.compile("\n")
_ATTR = re.compile(r"""([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
TOKEN = re.compile(
    r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>|<!DOCTYPE[^>]*>"
    r"|</([^\s>]+)\s*>"
    r"""|<([^\s/>!?]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(/?)>""",
    re.S,
)
_MISSING_ATTRIBUTE = re.compile(r"missing the required attribute '([^']+)'")


@dataclass(frozen=True)
class Finding:
    """A validator finding with its place in the text: (start, end) offsets, and the attribute it is about."""

    diagnostic: Diagnostic
    start: int
    end: int
    attr: str | None = None


@dataclass
class Span:
    """An element of the text: name, where its start tag and the whole element are, its children."""

    name: str
    start: int
    tag_end: int
    end: int
    attrs: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    """XML name -> (value start, value end, value)."""
    children: list[Span] = field(default_factory=list)
    comment: bool = False


@dataclass
class Context:
    """What is at a cursor, from the text alone (it works while the text does not parse)."""

    kind: str
    """"content" (between tags), "tag" (typing an element name after `<`), "attr" (an attribute
    name in a start tag), "value" (inside an attribute's quotes), "end" (in an end tag)."""
    stack: list[str]
    """Open elements around the cursor, the root first."""
    tag: str | None = None
    """The element whose start tag the cursor is in."""
    attr: str | None = None
    prefix: str = ""
    """What is typed so far of the name or value; `replace_from` is where it starts."""
    replace_from: int = 0
    attrs: dict[str, str] = field(default_factory=dict)
    """Attributes written so far in that start tag."""
    value_end: int = 0


class TwimlFile:
    """One open TwiML document."""

    def __init__(self, text: str, path: str | None = None) -> None:
        self.path = path
        self.text = text
        self.starts = _line_starts(text)
        self.doc: TwiML | None = None
        self.error: TwiMLParseError | None = None
        self.kind = "voice"
        self._revalidator: Revalidator | None = None
        self._edited: list[TwiML] | None = None
        self.full_parses = 0
        self.broken: tuple[int, int, int, int] | None = None
        """While the text does not parse and the trouble lies in some of the root's children: where
        they are in the text (start, end) and which of `doc.verbs` they replace (lo, hi)."""
        self._pad = ""
        self._mixed = False
        """A <Message> or <Receive> is (or was) among the root's children: edits may change the kind."""
        self.valid_until = len(text)
        """Node positions hold up to here: edits after the last good parse that did not parse moved the rest."""
        self.partial_parses = 0
        self._parse_all()

    # -- positions ------------------------------------------------------------------------------
    def offset(self, line: int, character: int) -> int:
        return _offset(self.text, self.starts, line, character)

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]

    def node_offset(self, node: TwiML) -> int | None:
        line, column = node.source_line, node.source_column
        if line is None or column is None:
            return None
        return self.offset(line - 1, column - 1)

    # -- parsing --------------------------------------------------------------------------------
    def _parse_all(self) -> None:
        from twiml.parser import parse

        self.full_parses += 1
        try:
            doc = parse(_source(self.text))
        except TwiMLParseError as exc:
            self.error = exc
            return
        self.error = None
        self.broken = None
        self.doc = doc
        self._mixed = any(not isinstance(v, str) and v.name in _DIALECT_TAGS for v in doc.verbs)
        self.valid_until = len(self.text) + 1
        el = element_of(doc)
        self.kind = el.kind if el is not None else "voice"
        self._edited = None  # everything changed

    def change(self, start: tuple[int, int], end: tuple[int, int], new: str) -> None:
        """Apply one edit: replace the text between two (line, character) positions."""
        s, e = self.offset(*start), self.offset(*end)
        old_text, old_starts = self.text, self.starts
        self.text = old_text[:s] + new + old_text[e:]
        self.starts = _moved_starts(old_starts, s, e, new)
        if (
            self.doc is not None
            and (self.error is None or self.broken is not None)
            and self._splice(s, e, new, old_text, old_starts)
        ):
            return
        self.broken = None
        self.valid_until = min(self.valid_until, s)
        self._parse_all()

    def replace_all(self, text: str) -> None:
        self.broken = None
        self.text = text
        self.starts = _line_starts(text)
        self._parse_all()

    def _splice(self, s: int, e: int, new: str, old_text: str, old_starts: list[int]) -> bool:
        """Re-parse only the root's children the edit [s, e) touches; False when that cannot be done.

        When they do not parse, the region they span stays `broken`: the text around it is still
        what parsed last time, so the next edit inside it re-parses that region alone, and once it
        parses again it is spliced in as any other edit."""
        doc = self.doc
        assert doc is not None
        if doc.source_line is None or doc.source_column is None:
            return False
        if self.broken is not None:
            region_start, region_end, lo, hi = self.broken
            if not (region_start <= s and e <= region_end):
                return False  # a second place: parse it all
        else:
            verbs_at: list[int] = []
            offsets: list[int] = []
            for i, item in enumerate(doc.verbs):
                if isinstance(item, str):
                    continue
                if item.source_line is None or item.source_column is None:
                    return False
                verbs_at.append(i)
                offsets.append(old_starts[item.source_line - 1] + item.source_column - 1)
            root_end = old_text.rfind("</" + doc.name)
            if not offsets or root_end < 0 or e > root_end:
                return False
            first = bisect.bisect_left(offsets, s) - 1  # the child starting before the edit
            if first < 0:
                return False
            last = first
            while last + 1 < len(offsets) and offsets[last + 1] < e:
                last += 1
            region_start = offsets[first]
            region_end = offsets[last + 1] if last + 1 < len(offsets) else root_end
            lo = verbs_at[first]
            hi = verbs_at[last + 1] if last + 1 < len(offsets) else len(doc.verbs)
        root_offset = old_starts[doc.source_line - 1] + doc.source_column - 1
        tag_end = _tag_end(old_text, root_offset)
        if tag_end > region_start or not old_text.startswith("<" + doc.name, root_offset):
            return False  # the positions do not match the text (a processing instruction with a '<' in the prolog)
        if self.broken is None and not (
            old_text.startswith("<", region_start) and old_text.startswith("<", region_end)
        ):
            return False
        region_end += len(new) - (e - s)  # in the new text
        head = old_text[root_offset:tag_end]
        part = self._parse_region(head, region_start, region_end)
        self._shift(doc, hi, e, s + len(new), old_starts)  # what follows the region moved
        self.partial_parses += 1
        if isinstance(part, TwiMLParseError):
            # The error `twiml validate` reports: the text before the region parsed before, so the
            # parser, given the region and the rest of the text, stops where it would in the whole.
            exact = self._parse_region(head, region_start, None)
            if not isinstance(exact, TwiMLParseError):
                return False  # the whole text parses after all (the edit closed what the region opened)
            self.error = exact
            self.broken = (region_start, region_end, lo, hi)
            return True
        if part.name != doc.name:
            return False
        self.error = None
        self.broken = None
        return self._take(doc, part, lo, hi)

    def _parse_region(self, head: str, region_start: int, region_end: int | None) -> TwiML | TwiMLParseError:
        """The root's children in [region_start, region_end), parsed inside the root's own start tag
        (its namespaces) and padded so that every node, and an error, gets its place in the file;
        with `region_end` None, everything from `region_start` on (the root's own end tag too)."""
        from twiml.parser import parse

        doc = self.doc
        assert doc is not None and doc.source_line is not None and doc.source_column is not None
        lines_before = doc.source_line - 1
        root_col = doc.source_column - 1
        head_line = lines_before + head.count("\n")
        tail_col = len(head) - head.rfind("\n") - 1 if "\n" in head else root_col + len(head)
        line, column = self.position(region_start)  # before the edit: the same in the old text
        pad = " " * (column - tail_col) if line == head_line else "\n" * (line - head_line) + " " * column
        self._pad = pad
        rest = self.text[region_start:] if region_end is None else self.text[region_start:region_end] + f"</{doc.name}>"
        wrapper = "\n" * lines_before + " " * root_col + head + pad + rest
        try:
            return parse(_source(wrapper), kind=self.kind)  # type: ignore[arg-type]
        except TwiMLParseError as exc:
            return exc

    def _shift(self, doc: TwiML, hi: int, e: int, new_end: int, old_starts: list[int]) -> None:
        """Move the children from `hi` on (and the epilog) by an edit that ended at `e` and now ends at `new_end`."""
        old_end_line = bisect.bisect_right(old_starts, e) - 1
        old_end_col = e - old_starts[old_end_line]
        new_end_line, new_end_col = self.position(new_end)
        line_delta = new_end_line - old_end_line
        col_delta = new_end_col - old_end_col
        if not line_delta and not col_delta:
            return
        for item in doc.verbs[hi:]:
            if isinstance(item, str):
                continue
            if line_delta == 0 and item.source_line is not None and item.source_line - 1 > old_end_line:
                break
            for node in _walk(item):
                if node.source_line is None:
                    continue
                if node.source_line - 1 == old_end_line and node.source_column is not None:
                    node.source_column += col_delta
                node.source_line += line_delta
        if line_delta:
            for node in getattr(doc, "epilog", None) or ():
                if node.source_line is not None:
                    node.source_line += line_delta

    def _take(self, doc: TwiML, part: TwiML, lo: int, hi: int) -> bool:
        """Put the re-parsed children of `part` in place of doc.verbs[lo:hi]; False when the kind changed."""
        from twiml.parser import detect_kind

        fresh = list(part.verbs)
        if fresh and isinstance(fresh[0], str):
            fresh[0] = fresh[0][len(self._pad) :] if fresh[0].startswith(self._pad) else fresh[0]
            if not fresh[0]:
                fresh.pop(0)
        replaced = doc.verbs[lo:hi]
        names = {v.name for v in (*replaced, *fresh) if not isinstance(v, str)}
        self._mixed = self._mixed or bool(names & _DIALECT_TAGS)
        if self.kind != "voice" or self._mixed:
            after = [*doc.verbs[:lo], *fresh, *doc.verbs[hi:]]
            tags = {v.name for v in after if not isinstance(v, str) and v.name[:1] != "#"}
            if detect_kind(tags) != self.kind:
                return False  # the edit changed the kind (a <Message> or <Receive> came or went): parse it all
        if len(replaced) == len(fresh) and all(
            type(a) is type(b) and (isinstance(a, str) or a.name == b.name)  # type: ignore[union-attr]
            for a, b in zip(replaced, fresh, strict=True)
        ):
            # The same children (same names), edited: each old node takes the new one's state, so the
            # root keeps its children and the Revalidator re-checks only these (its fast path). A
            # renamed child is a new node: what its place means (unknown, misplaced) is decided anew.
            edited = []
            for i, (old_item, new_item) in enumerate(zip(replaced, fresh, strict=True)):
                if isinstance(old_item, str) or isinstance(new_item, str):
                    if old_item != new_item:
                        doc.verbs[lo + i] = new_item
                    continue
                _adopt(old_item, new_item)
                edited.append(old_item)
        else:
            doc.verbs[lo:hi] = fresh
            edited = [n for n in fresh if not isinstance(n, str)]
        doc.source_size = (len(self.text), len(self.text.encode("utf-8")))  # type: ignore[attr-defined]  # what the budgets measure
        if self._edited is not None:
            self._edited.extend(edited)
        return True

    # -- findings -------------------------------------------------------------------------------
    def findings(self, dialect: str = "twilio") -> list[Finding]:
        """The validator's findings (suppressed ones left out), each placed in the text, checked
        as the vendor of `dialect` runs the document (`[tool.twiml] dialect`)."""
        if self.error is not None:
            from twiml.validator import Diagnostic

            placed = []
            for exc in self.error.all():  # each syntax error at its own place
                line = (exc.line or 1) - 1
                start = self.offset(line, (exc.column or 1) - 1)
                end = self.offset(line, 10**9)
                d = Diagnostic("error", exc.code, exc.message, "", exc.line, exc.column)
                placed.append(Finding(d, start, max(end, start)))
            return placed
        assert self.doc is not None
        if self._revalidator is None or self._revalidator.place.name != dialect:
            from twiml.validator import Revalidator

            self._revalidator = Revalidator(dialect=dialect)
        found = self._revalidator.run(self.doc, self._edited)
        self._edited = []
        return [self.place(d) for d in found]

    def place(self, d: Diagnostic) -> Finding:
        """Where in the text a finding belongs: the attribute (name or value) it is about, else the element's name."""
        node = d.node
        start = self.node_offset(node) if node is not None else None
        if start is None:
            return Finding(d, 0, 0)
        attr = d.attribute
        name_end = start + 1
        while name_end < len(self.text) and self.text[name_end] not in " \t\r\n/>":
            name_end += 1
        if attr is not None:
            tag_end = _tag_end(self.text, start)
            for m in _ATTR.finditer(self.text, name_end, tag_end):
                if m.group(1) == attr:
                    if d.about_name:
                        return Finding(d, m.start(1), m.end(1), attr)
                    group = 2 if m.group(2) is not None else 3
                    return Finding(d, m.start(group), m.end(group), attr)
        return Finding(d, start + 1, name_end, None)

    def place_at(self, d: Diagnostic) -> Finding:
        """A finding that carries its own line and column (the map's, from the saved file): the
        value of the attribute written there, else the word there."""
        if d.line is None:
            return Finding(d, 0, 0)
        start = self.offset(d.line - 1, (d.column or 1) - 1)
        m = _ATTR.match(self.text, start)
        if m is not None:
            group = 2 if m.group(2) is not None else 3
            return Finding(d, m.start(group), m.end(group), m.group(1))
        end = start
        while end < len(self.text) and self.text[end] not in " \t\r\n/>":
            end += 1
        return Finding(d, start, end)

    # -- structure ------------------------------------------------------------------------------
    def element_at(self, stack: list[str]) -> Element | None:
        """The grammar entry for a chain of open elements (root first), or None when one is unknown."""
        el: Element | None = None
        for i, name in enumerate(stack):
            el = GRAMMAR.root(self.kind) if i == 0 else GRAMMAR.resolve(self.kind, el, name)
            if el is None:
                return None
        return el

    def scan_start(self, offset: int) -> tuple[int, list[str]]:
        """Where a scan of the text up to `offset` can begin, and the elements open there: the start
        of the root's child around `offset` when the tree knows it, else the start of the text."""
        doc = self.doc
        if doc is None or doc.source_line is None:
            return 0, []
        best = -1
        lo, hi = (self.broken[2], self.broken[3]) if self.broken is not None else (0, 0)
        for i, item in enumerate(doc.verbs):  # linear, but only over the root's children, with no text work
            if lo <= i < hi:
                if i == lo and self.broken is not None and self.broken[0] < offset:
                    best = self.broken[0]  # the broken region starts at a child's place: scan from there
                continue
            if isinstance(item, str) or item.source_line is None or item.source_column is None:
                continue
            o = self.offset(item.source_line - 1, item.source_column - 1)
            if o >= offset or o >= self.valid_until:
                break
            best = o
        if best < 0:
            return 0, []
        return best, [doc.name]


def _source(text: str) -> str | bytes:
    """The text as `parse` should take it: a str (its characters are already decoded, whatever
    encoding the declaration names), but bytes when it does not start with markup, so that it
    is never taken for a file name."""
    return text if text.lstrip("\ufeff \t\r\n").startswith("<") else text.encode("utf-8")


_DIALECT_TAGS = frozenset({"Message", "Receive"})
"""Root children whose coming or going can change the kind `detect_kind` sees."""


def _offset(text: str, starts: list[int], line: int, character: int) -> int:
    """The offset of a (line, character) position, clamped to the line and the text."""
    if line >= len(starts):
        return len(text)
    end = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
    return min(starts[line] + character, end)


def edited(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    """`text` with the span between two (line, character) positions replaced by `new` (for flow.toml)."""
    starts = _line_starts(text)
    return text[: _offset(text, starts, *start)] + new + text[_offset(text, starts, *end) :]


def _slots(cls: type) -> tuple[str, ...]:
    return tuple(n for k in cls.__mro__ for n in getattr(k, "__slots__", ()) if n not in ("__dict__", "__weakref__"))


def _adopt(node: TwiML, other: TwiML) -> None:
    """Give `node` the state of `other` (same class): its attributes, text, children and position."""
    for key in _slots(type(node)):
        try:
            value = object.__getattribute__(other, key)
        except AttributeError:
            continue
        object.__setattr__(node, key, value)
    extra = getattr(other, "__dict__", None)
    if extra is not None:
        node.__dict__.clear()
        node.__dict__.update(extra)


def _moved_starts(starts: list[int], s: int, e: int, new: str) -> list[int]:
    """Line starts after replacing [s, e) with `new`: those before the edit kept, the ones after shifted."""
    first = bisect.bisect_right(starts, s) - 1
    last = bisect.bisect_right(starts, e) - 1
    delta = len(new) - (e - s)
    tail = starts[last + 1 :]
    if delta:
        tail = [x + delta for x in tail]
    return [*starts[: first + 1], *(s + m.end() for m in _NEWLINE.finditer(new)), *tail]


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


def _tag_end(text: str, start: int) -> int:
    m = TOKEN.match(text, start)
    return m.end() if m else len(text)


def _walk(node: TwiML) -> Iterator[TwiML]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(v for v in n.verbs if not isinstance(v, str))


def context_at(f: TwimlFile, offset: int) -> Context:
    """What the cursor at `offset` is in: element content, a tag name, an attribute name or value."""
    text = f.text
    pos, stack = f.scan_start(offset)
    for m in TOKEN.finditer(text, pos, offset):
        if m.group(1) is not None:
            if stack and stack[-1] == m.group(1):
                stack.pop()
            elif m.group(1) in stack:
                del stack[stack.index(m.group(1)) :]
        elif m.group(2) is not None and not m.group(4):
            stack.append(m.group(2))
        pos = m.end()
    lt = text.rfind("<", pos, offset)
    if lt < 0:
        return Context("content", stack, replace_from=offset)
    inside = text[lt:offset]
    if inside.startswith("</"):
        return Context("end", stack, prefix=inside[2:], replace_from=lt)
    if inside.startswith(("<!", "<?")):
        return Context("content", stack, replace_from=offset)
    name_m = re.match(r"<([^\s/>]*)", inside)
    name = name_m.group(1) if name_m else ""
    if len(name) + 1 == len(inside):
        return Context("tag", stack, prefix=name, replace_from=lt)
    attrs = {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) or "" for m in _ATTR.finditer(inside)}
    rest = inside[len(name) + 1 :]
    # an open quote: count complete attributes and look at what is left
    tail = _ATTR.sub("", rest)
    q = re.search(r"""([^\s=/>"']+)\s*=\s*(["'])([^"']*)$""", tail)
    if q:
        value_start = offset - len(q.group(3))
        close = text.find(q.group(2), offset)
        return Context(
            "value",
            stack,
            tag=name,
            attr=q.group(1),
            prefix=q.group(3),
            replace_from=value_start,
            attrs=attrs,
            value_end=close if close >= 0 else offset,
        )
    word = re.search(r"([^\s=/>\"']*)$", inside)
    typed = word.group(1) if word else ""
    return Context("attr", stack, tag=name, prefix=typed, replace_from=offset - len(typed), attrs=attrs)


def spans(text: str) -> list[Span]:
    """Every element and comment of the text as a tree of spans (for symbols, folding, hover)."""
    roots: list[Span] = []
    stack: list[Span] = []
    for m in TOKEN.finditer(text):
        if m.group(1) is not None:
            while stack:
                top = stack.pop()
                top.end = m.end()
                if top.name == m.group(1):
                    break
        elif m.group(2) is not None:
            span = Span(m.group(2), m.start(), m.end(), m.end())
            base = m.start(3)
            for a in _ATTR.finditer(m.group(3)):
                g = 2 if a.group(2) is not None else 3
                span.attrs[a.group(1)] = (base + a.start(g), base + a.end(g), a.group(g))
            (stack[-1].children if stack else roots).append(span)
            if not m.group(4):
                stack.append(span)
        elif m.group(0).startswith("<!--"):
            span = Span("#comment", m.start(), m.end(), m.end(), comment=True)
            (stack[-1].children if stack else roots).append(span)
    while stack:
        stack.pop().end = len(text)
    return roots
