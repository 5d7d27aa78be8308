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

The spans come from a small lexer over the original text (`twiml.lexer`) aligned with the parsed
tree in document order, so this module needs nothing from the parser's internals; this module
reads and aligns, `twiml.source_write` writes. Canonical output stays a separate,
explicit choice (`TwiML.to_xml`, `twiml format`).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

from twiml.base import TwiML, is_markup
from twiml.decoding import decode, sniff_encoding
from twiml.errors import TwiMLParseError
from twiml.gc_pause import collections_paused
from twiml.lexer import (
    _WS,
    _Entry,
    _lex,
    _Markup,
    _Mismatch,
    _Record,
)
from twiml.source_write import _Renderer

__all__ = ["SourceDocument", "load", "loads"]

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


class SourceDocument(_Renderer):
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

    # -------------------------------------------------------------------------- output

    def adopt(self, old: TwiML, new: TwiML) -> None:
        """`new` now stands where `old` was read: the same element under another name, with the
        same attributes and content (a did-you-mean rename, parsed again so that each node is the
        grammar's class for its place; `twiml.fixes`). `old`'s text goes to `new`, so `dumps()`
        changes only the name in its start and end tags. The two subtrees have the same shape."""
        self.index()
        pairs: list[tuple[TwiML, TwiML]] = []
        pending = [(old, new)]
        while pending:
            a, b = pending.pop()
            pairs.append((a, b))
            kids = [(x, y) for x, y in zip(a.verbs, b.verbs, strict=False) if isinstance(x, TwiML)]
            pending.extend((x, y) for x, y in kids if isinstance(y, TwiML))
        moved = {id(a): b for a, b in pairs}

        def swap(item: TwiML | str) -> TwiML | str:
            return item if isinstance(item, str) else moved.get(id(item), item)

        for a, b in pairs:
            rec = self._records.pop(id(a), None)
            if rec is None or rec.node is not a:
                continue
            rec.node = b
            rec.verbs = [swap(v) for v in rec.verbs]
            for entry in rec.entries:
                entry.item = swap(entry.item)
            self._records[id(b)] = rec
        for rec in self._records.values():  # the parent's snapshot: `new` is the child it read
            if rec.node is not new and any(v is old for v in rec.verbs):
                rec.verbs = [new if v is old else v for v in rec.verbs]
                for entry in rec.entries:
                    if entry.item is old:
                        entry.item = new
        self._last = None

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


# ------------------------------------------------------------------------------------ loading


def _parse(data: str | bytes, kind: str | None, filename: str | None) -> TwiML:
    from twiml.parser import parse

    try:
        return parse(data, kind=kind)  # type: ignore[arg-type]  # parse rejects other kinds with ValueError
    except TwiMLParseError as exc:
        if filename is not None and exc.filename is None:
            raise exc.in_file(filename) from None
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
