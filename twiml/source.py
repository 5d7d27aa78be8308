"""Format-preserving TwiML documents: edit a file through the builder objects, write back a minimal diff.

Like tomlkit for TOML: `load` keeps the file's original text and, for every parsed node, where its
start tag, attributes, text and end tag are in that text, plus a snapshot of the node as parsed.
`SourceDocument.dumps` walks the tree and copies the original text of everything that still matches
its snapshot; only what changed is written anew, in the file's own style:

- no edit gives the same bytes (declaration, BOM, encoding, line endings, comments, whitespace);
- a changed attribute value replaces just that value, in its original quotes; a removed attribute
  takes its leading space with it; a new one is appended to the tag in the tag's own style;
- a new node is indented like its siblings (or one step deeper than its parent), with the file's
  line ending; a removed node takes the line break and indentation before it along;
- a changed text or comment is re-escaped in place.

The spans come from a small lexer over the original text aligned with the parsed tree in document
order, so this module needs nothing from the parser's internals. Canonical output stays a separate,
explicit choice (`TwiML.to_xml`, `twiml format`).
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from twiml.base import TwiML, is_markup
from twiml.decoding import decode, sniff_encoding
from twiml.errors import TwiMLParseError
from twiml.gc_pause import collections_paused
from twiml.serialize import attr_text, body_text, escape_attr, escape_text, markup_text

__all__ = ["SourceDocument", "load", "loads"]

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


# ------------------------------------------------------------------------------------ document


def _place_run(rec: _Record, raw: str, i: int, body: bool) -> tuple[str, int]:
    """Pair a text run of `rec`'s element (before its child markup, or at its end) with what
    the parser made of it: the string verb at `i`, the body (`body`: the first run of a node
    with a value), else formatting. Returns the formatting gap ("" when the run was text) and
    the index of the next verb."""
    verbs = rec.verbs
    if i < len(verbs) and isinstance(verbs[i], str):
        if not raw:
            raise _Mismatch(f"text of <{rec.name}>")
        rec.entries.append(_Entry("", verbs[i], raw))
        rec.text_free = False
        return "", i + 1
    if body:
        if not raw:
            raise _Mismatch(f"body of <{rec.name}>")
        rec.value_raw = raw
        rec.text_free = False
        return "", i
    return raw, i


class SourceDocument:
    """A TwiML document that remembers the text it was read from (see the module docstring).

    Change `root` (and `root.prolog` / `root.epilog`) through the builder objects; `dumps()` gives
    the text, `to_bytes()` the bytes in the file's encoding with its BOM, `save()` writes them.
    """

    def __init__(
        self,
        root: TwiML,
        text: str | None = None,
        *,
        encoding: str = "utf-8",
        bom: bytes = b"",
        path: Path | None = None,
        defer_index: bool = False,
    ) -> None:
        self.root = root
        self.text = text
        """The original text (None for a document that was not read from text: canonical output)."""
        self.encoding = encoding
        self.bom = bom
        self.path = path
        self._preserving = False
        self._indexed = text is None
        self._records: dict[int, _Record] = {}
        self._top: _Record | None = None
        self._epilog: _Record | None = None
        self.newline = "\n"
        self.indent_unit = "  "
        self._reuse: dict[int, tuple[TwiML, str | None, str]] = {}
        """During `dumps(edited=...)`: the text of each unedited child of the root last time."""
        self._slots: dict[int, tuple[TwiML, int, str | None]] = {}
        """Where each child of the root is in the last output's pieces, and its indentation."""
        self._last: tuple[list[str], tuple[object, ...]] | None = None
        """The last output's pieces and `_around()` when they were written."""
        self._dumped = False
        self._pristine: set[int] | None = None
        """On the first `dumps(edited=...)`: the edited children; the others are as read."""
        if not defer_index:
            self.index()

    def index(self) -> None:
        """Align the original text with the tree, once. It records what each node looked like
        when read, so it must run before the tree is changed: done at once unless the document
        was created with `defer_index=True` (the editor then calls it after the first paint, and
        before its first edit)."""
        if self._indexed:
            return
        self._indexed = True
        try:
            with collections_paused():
                self._index(self.text or "")
        except (_Mismatch, ValueError, IndexError):
            self._records.clear()
            self._top = None
        else:
            self._preserving = True

    @property
    def preserving(self) -> bool:
        """True when the original text could be aligned with the tree (always, for parsed text)."""
        self.index()
        return self._preserving

    # -------------------------------------------------------------------------- indexing

    def _index(self, text: str) -> None:
        self.newline = "\r\n" if "\r\n" in text else "\n"
        top = _lex(text)
        roots = [m for m in top if isinstance(m, _Markup) and m.kind == "el"]
        if len(roots) != 1 or roots[0].name != self.root.name:
            raise _Mismatch("root element")
        root_markup = roots[0]
        at = top.index(root_markup)
        self._top = self._container_record(self.root, root_markup, top[:at], list(self.root.prolog), head=True)
        epilog = self._container_record(self.root, root_markup, top[at + 1 :], list(self.root.epilog), head=False)
        self._epilog = epilog
        self._align(self.root, root_markup)
        self.indent_unit = self._detect_unit(root_markup)

    def _container_record(
        self,
        root: TwiML,
        root_markup: _Markup,
        items: list[_Markup | tuple[int, int]],
        nodes: list[TwiML | str],
        head: bool,
    ) -> _Record:
        """The document level before (head) or after the root: declaration, comments, PIs, spacing."""
        text = self.text or ""
        rec = _Record(root, root_markup, root.name, {}, None, nodes)
        lead = ""
        gap = ""
        markup = [m for m in items if isinstance(m, _Markup) and m.kind != "decl"]
        if len(markup) != len(nodes):
            raise _Mismatch("prolog or epilog")
        pairs = iter(nodes)
        for item in items:
            if isinstance(item, tuple):
                gap += text[item[0] : item[1]]
            elif item.kind == "decl":
                lead = gap + text[item.start : item.end]
                gap = ""
            else:
                node = next(pairs)
                if isinstance(node, str) or node.name != item.kind:
                    raise _Mismatch("prolog or epilog item")
                self._leaf(node, item)
                rec.entries.append(_Entry(gap, node, ""))
                gap = ""
        rec.value_raw = lead if head else None
        rec.tail = gap
        return rec

    def _leaf(self, node: TwiML, markup: _Markup) -> None:
        self._records[id(node)] = _Record(
            node, markup, node.name, {}, node.value, [], target=str(getattr(node, "target", ""))
        )

    def _align(self, node: TwiML, markup: _Markup) -> None:
        """Record `node` and its subtree against the lexed `markup` (iteratively: depth is no issue).

        One pass over each element's lexed items pairs its text runs and child markup with its
        verbs: a text run before a child (or at the end) is a string verb when the parser kept one
        there, the body when it is the first run of a node with a value, else formatting."""
        text = self.text or ""
        records = self._records
        stack = [(node, markup)]
        while stack:
            node, markup = stack.pop()
            name = node.name
            if name != markup.name:
                raise _Mismatch(f"<{name}> vs <{markup.name}>")
            verbs = node.verbs
            value = node.value
            rec = _Record(node, markup, name, dict(node.attrs), value, list(verbs))
            records[id(node)] = rec
            entries = rec.entries
            body = value is not None and value != ""
            count = len(verbs)
            i = 0  # the next verb to pair
            raw = ""  # the text run so far
            first = True
            for item in markup.items or ():
                if item.__class__ is tuple:
                    raw += text[item[0] : item[1]]
                    continue
                gap, i = _place_run(rec, raw, i, first and body)
                first = False
                raw = ""
                child = verbs[i] if i < count else None
                if child is None or isinstance(child, str):
                    raise _Mismatch(f"children of <{name}>")
                i += 1
                entries.append(_Entry(gap, child, ""))
                kid_markup: _Markup = item  # type: ignore[assignment]  # not a tuple: markup
                if is_markup(child):
                    if child.name != kid_markup.kind:
                        raise _Mismatch(f"{child.name} vs {kid_markup.kind}")
                    self._leaf(child, kid_markup)
                else:
                    if kid_markup.kind != "el":
                        raise _Mismatch(f"<{child.name}> vs {kid_markup.kind}")
                    stack.append((child, kid_markup))
            gap, i = _place_run(rec, raw, i, first and body)
            if i != count:
                raise _Mismatch(f"children of <{name}>")
            rec.tail = gap

    def _detect_unit(self, root_markup: _Markup) -> str:
        """The file's indentation step: the first child indented deeper than its parent."""
        stack = [root_markup]
        while stack:
            markup = stack.pop()
            outer = self._indent_at(markup.start)
            for item in markup.items or ():
                if isinstance(item, _Markup) and item.kind == "el":
                    inner = self._indent_at(item.start)
                    if outer is not None and inner is not None and inner.startswith(outer) and inner != outer:
                        return inner[len(outer) :]
                    stack.append(item)
        return "  "

    def _indent_at(self, pos: int) -> str | None:
        """The whitespace that starts the line up to `pos`; None when text or markup precede it."""
        text = self.text or ""
        line_start = text.rfind("\n", 0, pos) + 1
        indent = text[line_start:pos]
        return indent if indent.strip(" \t") == "" else None

    # -------------------------------------------------------------------------- output

    @property
    def changed(self) -> bool:
        """True when `dumps()` differs from the original text."""
        return self.text is None or self.dumps() != self.text

    def dumps(self, *, edited: Collection[TwiML] | None = None) -> str:
        """The document as text (without BOM): the original wherever nothing changed.

        `edited` is for programs that know what they changed since the previous `dumps()`, or
        since the document was read for the first call (the editor's commands do): the root's
        children whose subtrees were edited. Every other child of the root is then copied from
        the previous output (or the text read) instead of being compared with the original node
        by node; the result is the same. Without it, every node is compared."""
        first, self._dumped = not self._dumped, True
        if edited is not None:
            patched = self._patch(edited)
            if patched is not None:
                return patched
        if edited is not None:
            skip = {id(node) for node in edited}
            if self._last is not None:
                pieces = self._last[0]
                self._reuse = {
                    key: (node, indent, pieces[at])
                    for key, (node, at, indent) in self._slots.items()
                    if key not in skip
                }
            self._pristine = skip if first else None
        self._slots = {}
        try:
            return self._dumps()
        finally:
            self._reuse = {}
            self._pristine = None

    def _around(self) -> tuple[object, ...]:
        """What the last output depends on besides the root's children (see `_patch`)."""
        root = self.root
        return (
            root,
            tuple(root.verbs),
            dict(root.attrs),
            root.value,
            tuple((m, m.value, getattr(m, "target", None)) for m in (*root.prolog, *root.epilog)),
        )

    def _patch(self, edited: Collection[TwiML]) -> str | None:
        """The last output with only the edited children of the root written again, when the root
        itself (its attributes, text, children, and what is around it) is as it was; else None."""
        last = self._last
        if last is None or not self.preserving or last[1] != self._around():
            return None
        slots = []
        for node in edited:
            slot = self._slots.get(id(node))
            if slot is None or slot[0] is not node:
                return None
            slots.append(slot)
        out = last[0]
        for node, index, indent in slots:
            out[index] = self._written_alone(node, indent)
        return "".join(out)

    def _dumps(self) -> str:
        self._last = None
        if self.text is None or not self.preserving:
            return self.root.to_xml(pretty=True)
        out: list[str] = []
        top, epilog = self._top, self._epilog
        assert top is not None and epilog is not None
        root = self.root
        rec = self._records.get(id(root))
        if rec is None or rec.node is not root:  # a new root object: canonical, keeping the head
            out.append(top.value_raw or "")
            out.append(root.to_xml(xml_declaration=not top.value_raw, pretty=True))
            return "".join(out)
        lead = top.value_raw or ""
        out.append(lead)
        self._emit_entries(out, top, list(root.prolog), self.newline if lead else "", "")
        if not lead and root.prolog and out[-1] == "" and "".join(out)[-1:] not in ("", "\n"):
            out.append(self.newline)  # a comment added to a file without declaration
        self._emit(root, out, "")
        self._emit_entries(out, epilog, list(root.epilog), self.newline, "")
        self._last = (out, self._around())
        return "".join(out)

    def to_bytes(self) -> bytes:
        """`dumps()` encoded as the file was (its encoding and BOM); characters the encoding
        cannot carry become character references."""
        return self.bom + self.dumps().encode(self.encoding, errors="xmlcharrefreplace")

    def save(self, path: str | os.PathLike[str] | None = None, **write_options: Any) -> Path:
        """Write `to_bytes()` atomically to `path` (default: the file it was loaded from)."""
        from twiml.files import atomic_write

        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no file name: pass a path")
        atomic_write(target, self.to_bytes(), **write_options)
        return target

    def reformat(self) -> None:
        """Forget the original text: from now on the output is canonical (indented, declaration)."""
        self.text = None
        self._indexed, self._preserving = True, False
        self.encoding, self.bom = "utf-8", b""
        self._records.clear()
        self._top = None
        self._last = None

    # -------------------------------------------------------------------------- rendering

    def _emit(self, node: TwiML, out: list[str], indent: str | None, top: bool = False) -> None:
        """Write `node`: its original text where it matches its snapshot, new text elsewhere
        (`top`: a child of the root, whose text is remembered for `dumps(edited=...)`)."""
        if top:
            hit = self._reuse.get(id(node))
            if hit is not None and hit[0] is node and hit[1] == indent:
                text = hit[2]
            elif self._pristine is not None and id(node) not in self._pristine:
                text = self._original(node) or self._written_alone(node, indent)
            else:
                text = self._written_alone(node, indent)
            out.append(text)
            self._slots[id(node)] = (node, len(out) - 1, indent)
            return
        rec = self._records.get(id(node))
        if rec is None or rec.node is not node or rec.name != node.name:
            out.append(self._new(node, indent))
            return
        text = self.text or ""
        markup = rec.markup
        if markup.kind != "el":  # comment or processing instruction
            if _same(rec.value, node.value) and rec.target == str(getattr(node, "target", "")):
                out.append(text[markup.start : markup.end])
            else:
                out.append(markup_text(node))
            return
        same_content = _same(rec.value, node.value) and _same_items(rec.verbs, node.verbs)
        if same_content and _same_attrs(rec.attrs, node.attrs):
            if not any(not isinstance(v, str) for v in node.verbs):  # a leaf: copy it whole
                out.append(text[markup.start : markup.end])
                return
            out.append(text[markup.start : markup.tag_end])
            self._emit_children(rec, node, out)
            out.append(text[self._end_tag_start(rec) : markup.end])
            return
        empty = (node.value is None or node.value == "") and not node.verbs
        opening = not empty and markup.self_closing
        out.append(self._start_tag(rec, node, opening))
        if markup.self_closing and not opening:
            return
        if same_content:
            self._emit_children(rec, node, out)
            out.append(text[self._end_tag_start(rec) : markup.end])
            return
        if not empty:
            self._emit_content(rec, node, out)
        out.append(f"</{node.name}>" if opening else text[self._end_tag_start(rec) : markup.end])

    def _written_alone(self, node: TwiML, indent: str | None) -> str:
        """`node` written on its own, as `_emit` writes it at `indent`."""
        piece: list[str] = []
        self._emit(node, piece, indent)
        return "".join(piece)

    def _original(self, node: TwiML) -> str | None:
        """The text `node` was read from (None for a node that was not)."""
        rec = self._records.get(id(node))
        if rec is None or rec.node is not node:
            return None
        return (self.text or "")[rec.markup.start : rec.markup.end]

    @staticmethod
    def _end_tag_start(rec: _Record) -> int:
        return rec.markup.end_start

    def _emit_children(self, rec: _Record, node: TwiML, out: list[str]) -> None:
        """Unchanged content: the original text with each child node written by `_emit`."""
        if rec.value_raw is not None:
            out.append(rec.value_raw)
        top = node is self.root
        for entry in rec.entries:
            out.append(entry.gap)
            if isinstance(entry.item, str):
                out.append(entry.raw)
            else:
                self._emit(entry.item, out, self._child_indent(entry.gap), top)
        out.append(rec.tail)

    def _emit_content(self, rec: _Record, node: TwiML, out: list[str]) -> None:
        """Changed content: body text, then the children diffed against the original ones."""
        value = node.value
        if _same(rec.value, value) and rec.value_raw is not None:
            out.append(rec.value_raw)
        elif value is not None and value != "":
            out.append(escape_text(body_text(value), node.name))
        # Text where there was only formatting would make that formatting part of the text.
        formatting = rec.text_free and not _has_text(node)
        indent = self._indent_of(rec)
        sibling_gap = next((e.gap for e in rec.entries if e.gap), None)
        if not formatting:
            new_gap = ""
        elif sibling_gap is not None:
            new_gap = sibling_gap
        elif indent is not None and rec.tail.strip(_WS) == "" and (rec.entries or not rec.value_raw):
            new_gap = self.newline + indent + self.indent_unit
        else:
            new_gap = ""
        entries = rec.entries if formatting else [_Entry("", e.item, e.raw) for e in rec.entries]
        tail = rec.tail if formatting else ""
        if formatting and node.verbs and new_gap and "\n" not in tail and indent is not None:
            tail = self.newline + indent
        shadow = _Record(node, rec.markup, node.name, {}, None, rec.verbs, entries=entries, tail=tail)
        self._emit_entries(out, shadow, list(node.verbs), new_gap, indent)

    def _emit_entries(
        self, out: list[str], rec: _Record, current: list[TwiML | str], new_gap: str, indent: str | None
    ) -> None:
        """Children (or prolog/epilog items) of a container: original entries that are still there
        keep their formatting; removed ones take the formatting before them along; new ones go on
        lines of their own, indented like their neighbours (or by `new_gap`).

        A node inserted where the original has a line break goes in at that line break, so the
        formatting around it (trailing spaces, blank lines) stays where it was and the new node
        adds exactly its own lines."""
        entries = rec.entries
        top = rec.node is self.root and rec is not self._top and rec is not self._epilog
        old_keys = [_key(e.item) for e in entries]
        new_keys = [_key(v) for v in current]
        opcodes: list[tuple[str, int, int, int, int]] = (
            [("equal", 0, len(entries), 0, len(current))]
            if old_keys == new_keys
            else list(SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes())
        )
        gaps = [e.gap for e in entries]  # what is written before each original entry
        tail = rec.tail
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                for k in range(i1, i2):
                    entry = entries[k]
                    out.append(gaps[k])
                    if isinstance(entry.item, str):
                        out.append(entry.raw)
                    else:
                        self._emit(entry.item, out, self._child_indent(entry.gap), top)
                continue
            if tag == "delete":
                continue
            items = current[j1:j2]
            if not new_gap:  # inline content: new nodes are written where they are, without formatting
                first = last = ""
                line = ""
            else:
                near = gaps[i1] if i1 < len(entries) and gaps[i1] else gaps[i1 - 1] if i1 > 0 and gaps[i1 - 1] else ""
                line = self._line_gap(near or new_gap)
                host = tail if i1 == len(entries) else gaps[i1]
                cut = self._last_break(host)
                if tag == "replace":  # the first new node stands where the first removed one stood
                    first, last = (gaps[i1] or line), line
                elif cut is not None:  # at the last line break of the formatting it goes into
                    out.append(host[:cut])
                    first = last = line
                    if i1 == len(entries):
                        tail = host[cut:]
                    else:
                        gaps[i1] = host[cut:]
                else:
                    first = last = near or new_gap
            for n, item in enumerate(items):
                if isinstance(item, str):
                    if item:
                        out.append(escape_text(item, rec.name))
                else:
                    gap = first if n == 0 else last
                    out.append(gap)
                    self._emit(item, out, self._child_indent(gap), top)
        out.append(tail)

    def _line_gap(self, gap: str) -> str:
        """A line break and the indentation `gap` ends with (`gap` itself when it has no line break)."""
        indent = self._child_indent(gap)
        return gap if indent is None else self.newline + indent

    @staticmethod
    def _last_break(gap: str) -> int | None:
        """Where the last line break of `gap` starts (None: no line break)."""
        if "\n" not in gap:
            return None
        at = gap.rindex("\n")
        return at - 1 if at > 0 and gap[at - 1] == "\r" else at

    def _indent_of(self, rec: _Record) -> str | None:
        return self._indent_at(rec.markup.start)

    @staticmethod
    def _child_indent(gap: str) -> str | None:
        """The indentation a gap gives the node after it (None: not on a line of its own)."""
        if "\n" in gap:
            line = gap[gap.rindex("\n") + 1 :]
            return line if line.strip(" \t") == "" else None
        return None

    def _start_tag(self, rec: _Record, node: TwiML, opening: bool) -> str:
        """The original start tag with only the changed attributes rewritten."""
        text = self.text or ""
        markup = rec.markup
        close = markup.close
        if opening:
            close = close[:-2].rstrip(_WS) + ">"
        attrs = node.attrs
        lexed = _attributes(text, markup)
        spans = {a.name: a for a in lexed}
        if any(k not in spans for k in rec.attrs):  # names the lexer cannot find: write the tag anew
            quote = lexed[0].quote if lexed else '"'
            parts = [f" {k}={quote}{self._attr(node, k, v, quote)}{quote}" for k, v in attrs.items()]
            return "<" + node.name + "".join(parts) + close
        pieces = [text[markup.start : markup.start + 1 + len(markup.name)]]
        carry: str | None = None  # the line break and indentation of a removed attribute that began a line
        keys = list(attrs)
        order = {k: i for i, k in enumerate(keys)}
        after = 0  # index in `keys` of the attribute that follows the last one written
        placed: set[str] = set()
        for a in lexed:
            if a.name not in attrs:  # removed, with the whitespace before it ...
                new = keys[after] if after < len(keys) else None
                if new is not None and new not in spans and carry is None:  # ... unless a new one took its place
                    value = self._attr(node, new, attrs[new], a.quote)
                    pieces.append(f"{text[a.start : a.name_start]}{new}={a.quote}{value}{a.quote}")
                    placed.add(new)
                    after += 1
                    continue
                if carry is None and "\n" in text[a.start : a.name_start]:
                    carry = text[a.start : a.name_start]  # ... which the next attribute takes over
                continue
            after = order[a.name] + 1
            start = a.name_start if carry is not None else a.start
            lead = carry or ""
            carry = None
            value = attrs[a.name]
            if _same(value, rec.attrs.get(a.name)):
                pieces.append(lead + text[start : a.value_end + 1])
            else:
                pieces.append(lead + text[start : a.value_start] + self._attr(node, a.name, value, a.quote) + a.quote)
        added = [k for k in attrs if k not in spans and k not in placed]
        if added:
            last = lexed[-1] if lexed else None
            sep = text[last.start : last.name_start] if last is not None else " "
            if "\n" not in sep:
                sep = " "
            quote = lexed[0].quote if lexed else '"'
            for k in added:
                pieces.append(f"{sep}{k}={quote}{self._attr(node, k, attrs[k], quote)}{quote}")
        if lexed:
            last = lexed[-1]
            between = text[last.value_end + 1 : markup.tag_end - len(markup.close)]
        else:
            between = text[markup.start + 1 + len(markup.name) : markup.tag_end - len(markup.close)]
        if carry is not None and not added and "\n" in between + close:
            between, close = carry, close.lstrip(_WS)  # the last attributes went; the close keeps its own line
        pieces.append(between + close)
        return "".join(pieces)

    @staticmethod
    def _attr(node: TwiML, key: str, value: Any, quote: str) -> str:
        escaped = escape_attr(attr_text(value), node.name, key)
        if quote == "'":
            escaped = escaped.replace("&quot;", '"').replace("'", "&apos;")
        return escaped

    def _new(self, node: TwiML, indent: str | None) -> str:
        """A node that was not in the file: canonical, indented from `indent` (None: one line)."""
        if is_markup(node):
            return markup_text(node)
        kids = [v for v in node.verbs if not isinstance(v, str)]
        if indent is None or _has_text(node) or not kids:
            return node.to_xml(xml_declaration=False)
        inner = indent + self.indent_unit
        out = [_head(node), ">"]
        for kid in kids:
            out.append(self.newline + inner)
            self._emit(kid, out, inner)
        out.append(f"{self.newline}{indent}</{node.name}>")
        return "".join(out)


def _head(node: TwiML) -> str:
    """`<Name a="1" b="2"` with attributes sorted, as the builder writes them."""
    return (
        "<"
        + node.name
        + "".join(f' {k}="{escape_attr(attr_text(v), node.name, k)}"' for k, v in sorted(node.attrs.items()))
    )


# ------------------------------------------------------------------------------------ loading


def _parse(data: str | bytes, kind: str | None, filename: str | None) -> TwiML:
    from twiml.parser import parse

    try:
        return parse(data, kind=kind)  # type: ignore[arg-type]  # parse rejects other kinds with ValueError
    except TwiMLParseError as exc:
        if filename is not None and exc.filename is None:
            raise TwiMLParseError(exc.message, exc.line, exc.column, filename) from None
        raise


def loads(text: str, *, kind: str | None = None, defer_index: bool = False) -> SourceDocument:
    """A format-preserving document from XML text (a leading BOM is kept for `to_bytes`);
    `defer_index` as for `SourceDocument`."""
    if not text.lstrip("\ufeff" + _WS).startswith("<"):
        raise TwiMLParseError("not XML: a TwiML document starts with '<'", 1, 1)
    bom = b""
    if text.startswith("\ufeff"):
        text = text[1:]
        bom = codecs.BOM_UTF8
    root = _parse(text, kind, None)
    encoding, _ = sniff_encoding(text.encode("utf-8", errors="replace"))
    if bom and encoding.startswith("utf"):
        bom = "\ufeff".encode(encoding)
    elif bom:
        bom = b""
    return SourceDocument(root, text, encoding=encoding, bom=bom, defer_index=defer_index)


def load(
    source: str | bytes | os.PathLike[str], *, kind: str | None = None, defer_index: bool = False
) -> SourceDocument:
    """A format-preserving document from a file (path) or bytes.

    The bytes are decoded as the parser decodes them (BOM, then the declared encoding, else
    UTF-8), and `to_bytes()` / `save()` write them back the same way. Raises `TwiMLParseError`
    (with the file name) for anything that does not parse, OSError when the file cannot be read.
    `defer_index` as for `SourceDocument`.
    """
    path: Path | None = None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        from twiml.files import read_bytes

        path = Path(source)
        data = read_bytes(path)
    filename = str(path) if path is not None else None
    text, encoding, bom = decode(data, filename)
    root = _parse(data, kind, filename)
    return SourceDocument(root, text, encoding=encoding, bom=bom, path=path, defer_index=defer_index)


def canonical(root: TwiML) -> SourceDocument:
    """A document without original text: `dumps()` is the indented canonical form."""
    return SourceDocument(root)
