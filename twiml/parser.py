"""Read TwiML back into the library's own node classes, safely and keeping what it does not know.

The document is decoded to text here (not by libxml2) so that one code path serves str, bytes and
files, DOCTYPEs can be refused before libxml2 sees them, and element columns can be computed
(reading, decoding and the syntax errors are `twiml.parse_input`; building the tree is here).
libxml2 then parses UTF-8 bytes with entity loading, DTDs and network access switched off.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from twiml.base import Comment, GenericNode, ProcessingInstruction, TwiML
from twiml.classes import class_of
from twiml.decoding import decode, line_column
from twiml.errors import TwiMLParseError
from twiml.gc_pause import collections_paused
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Element, Kind
from twiml.limits import MAX_DEPTH
from twiml.parse_input import _WS, _failure, _read, _refuse_doctype, _syntax_error

__all__ = ["Kind", "detect_kind", "outside_comments", "parse", "parse_text"]

_KINDS: tuple[str, ...] = ("voice", "messaging", "fax")

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_new = object.__new__

# Start tags and comments in source order; CDATA, PIs and the prolog's DOCTYPE are consumed so
# that a `<Say` inside them is not taken for an element.
_MARKUP = re.compile(r"<(?:(?P<c>!--.*?-->)|!\[CDATA\[.*?\]\]>|(?P<p>\?.*?\?>)|(?P<t>[^\s/>!?][^\s/>]*))", re.S)
# Attribute names in a start tag (values quoted, so a '>' inside one cannot end the scan early).
_ATTR_NAME = re.compile(r"""\s+([^\s=/>]+)\s*=\s*(?:"[^"]*"|'[^']*')""")

_PARSER_OPTIONS: dict[str, Any] = {
    "encoding": "utf-8",  # we always hand over UTF-8; the declared encoding is already applied
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "huge_tree": False,
    "dtd_validation": False,
    "remove_pis": False,
    "remove_comments": False,
    "remove_blank_text": False,
    "strip_cdata": True,
    "collect_ids": False,
}


def _chain(first: re.Match[str], rest: Iterator[re.Match[str]]) -> Iterator[re.Match[str]]:
    yield first
    yield from rest


def detect_kind(tags: set[str]) -> Kind:
    """The kind the root's child tags imply: Receive -> fax; Message with nothing but
    Message/Redirect/unknowns beside it -> messaging; anything else -> voice."""
    if "Receive" in tags:
        return "fax"
    if "Message" in tags:
        voice_root = GRAMMAR.root("voice")
        if not any(GRAMMAR.child(voice_root, t) for t in tags if t != "Redirect"):
            return "messaging"
    return "voice"


# Frame of an open element: a list (the parser's innermost loop indexes it; a list is cheaper to
# build than an object per element), its slots named here.
_NODE = 0  # the node
_ELEMENT = 1  # its grammar entry
_BODY = 2  # whether it takes body text
_VERBS = 3  # its verbs (children and text runs)
_REAL_TEXT = 4  # whether any of its text is more than whitespace
_HAS_KIDS = 5  # whether it has child nodes yet
_HAS_TEXT = 6  # whether it has any text
_KID_LOOKUPS = 7  # the grammar lookups for its children


class _Target:
    """lxml parser target that builds nodes straight from parse events (no lxml tree: ~3x faster).

    Positions come from scanning the source text for start tags in step with the events; the scan
    only moves forward (line count and line start are carried along), so parsing stays linear
    in the size of the text whatever its layout. Text arriving in pieces is joined once.
    """

    def __init__(self, text: str, kind: str, namespaces: bool, filename: str | None) -> None:
        self.text = text
        self.kind = kind
        self.namespaces = namespaces
        self.filename = filename
        self.marks: Iterator[re.Match[str]] | None = _MARKUP.finditer(text)
        self.starts: Iterator[int] | None = None
        if not namespaces and "<!" not in text and text.find("<?", 1) < 0:
            # No comment, CDATA, DOCTYPE or PI (but the declaration) can hide a '<', and XML allows
            # none in text or attribute values: every '<' not followed by '/' opens the element
            # lxml reports next. Their offsets come at C speed, with no names to compare.
            self.starts = map(_MATCH_START, _ELEMENT_START.finditer(text))
            self.marks = None
        self.offset = 0  # where the last located mark starts
        self.line = 1  # its line
        self.line_start = 0  # where that line starts
        self.stack: list[list[Any]] = []
        self.pending: list[str] = []  # text pieces since the last event
        self.data = self.pending.append  # lxml calls this for each piece: no Python frame in between
        self.root: TwiML | None = None
        # Grammar lookups, made once per parent entry and tag: tag -> (entry, class, takes body,
        # the map for its own children); `kid_maps` shares the maps between frames of one entry.
        self.top: dict[str, tuple[Element | None, type[TwiML], bool, dict[str, Any]]] = {}
        self.kid_maps: dict[int, dict[str, Any]] = {}
        self.names: dict[str, str] = {}  # one string object per distinct name (namespace mode)
        # Namespace mode: prefix -> URIs bound to it (innermost last), URI -> prefixes bound to it
        # at some point, and per open element the prefixes it declared.
        self.bound: dict[str, list[str]] = {"xml": [_XML_NS]}
        self.users: dict[str, list[str]] = {_XML_NS: ["xml"]}
        self.declared: list[tuple[str, ...]] = []
        # Declarations of the element about to start, from start_ns events (lxml's documented
        # route in every version; the nsmap argument of start() is empty on lxml 6.2).
        self.new_ns: dict[str, str] = {}
        self.amp = _AMP_REESCAPED and "&" in text
        self.outside: tuple[list[TwiML], list[TwiML]] = ([], [])  # prolog, epilog

    # -- positions ---------------------------------------------------------------------------
    def at(self, pos: int) -> tuple[int, int]:
        """Line and column of `pos`, which is at or after the previous one."""
        text = self.text
        offset = self.offset
        newlines = text.count("\n", offset, pos)
        if newlines:
            self.line += newlines
            self.line_start = text.rfind("\n", offset, pos) + 1
        self.offset = pos
        return self.line, pos - self.line_start + 1

    def locate(self, tag: str | None, root: bool = False, mark: str = "c") -> re.Match[str] | None:
        """The next mark of element `tag` as written (or, when tag is None, of a comment, or with
        mark="p" of a processing instruction) in the source, scanning forward; None once the
        scan has lost step."""
        marks = self.marks
        if marks is not None:
            for m in marks:
                written = m.group("t")
                if root and written is None:
                    continue  # comments before the root are not part of the document
                if tag is None:
                    if m.group(mark) is None:
                        if written is None:
                            continue
                        break  # an element where a comment was expected: lost step
                elif written is None:
                    if m.group("c") is None:
                        continue
                    break
                elif not self.same(written, tag):
                    break
                return m
            self.marks = None
        return None

    def same(self, written: str, tag: str) -> bool:
        """Whether the name as written in the source is lxml's `tag` ("{uri}local" or "local")."""
        if not self.namespaces:
            return written == tag
        prefix, _, local = written.rpartition(":")
        if tag[0] == "{":
            uri, _, name = tag[1:].partition("}")
        else:
            uri, name = "", tag
        if local != name:
            return False
        stack = self.bound.get(prefix)
        return (stack[-1] if stack else "") == uri and (bool(stack) or not prefix)

    # -- names -------------------------------------------------------------------------------
    def declare(self, declared: dict[str, str]) -> None:
        if not declared:
            self.declared.append(())
            return
        bound, users = self.bound, self.users
        for prefix, uri in declared.items():
            prefix = prefix or ""
            bound.setdefault(prefix, []).append(uri)
            holders = users.setdefault(uri, [])
            if prefix not in holders:
                holders.append(prefix)
        self.declared.append(tuple(p or "" for p in declared))

    def undeclare(self) -> None:
        bound = self.bound
        for prefix in self.declared.pop():
            bound[prefix].pop()

    def prefix(self, uri: str, local: str, written: list[str] | None) -> str:
        """A prefix bound to `uri` now: the one written in the source when several are."""
        bound = self.bound
        live = [p for p in self.users.get(uri, ()) if p and bound[p] and bound[p][-1] == uri]
        if len(live) > 1 and written:
            for name in written:
                p, _, rest = name.rpartition(":")
                if rest == local and p in live:
                    return p
        return live[0] if live else ""

    def attribute_names(self, pos: int) -> list[str]:
        """Attribute names as written in the start tag whose attributes begin at `pos`."""
        names = []
        while (m := _ATTR_NAME.match(self.text, pos)) is not None:
            names.append(m.group(1))
            pos = m.end()
        return names

    def qnames(self, tag: str, attrib: Any, mark: re.Match[str] | None) -> tuple[str, dict[str, Any]]:
        """Prefixed name and attributes as written, with xmlns declarations kept as attributes."""
        names = self.names
        attrs: dict[str, Any] = {}
        written: list[str] | None = None
        for key, value in attrib.items() if attrib else ():
            if key[0] == "{":
                uri, _, local = key[1:].partition("}")
                if written is None and mark is not None and len(self.users.get(uri, ())) > 1:
                    written = self.attribute_names(mark.end())
                p = self.prefix(uri, local, written)
                key = f"{p}:{local}" if p else local
            attrs[names.setdefault(key, key)] = value
        for p in self.declared[-1]:
            key = "xmlns:" + p if p else "xmlns"
            attrs[names.setdefault(key, key)] = self.bound[p][-1]
        if mark is not None and mark.group("t") is not None:
            tag = mark.group("t")  # located with `same`: the name exactly as written
        elif tag[0] == "{":
            uri, _, local = tag[1:].partition("}")
            default = self.bound.get("")
            p = "" if default and default[-1] == uri else self.prefix(uri, local, None)
            tag = f"{p}:{local}" if p else local
        return names.setdefault(tag, tag), attrs

    # -- events ------------------------------------------------------------------------------
    # Hot path: frames are lists indexed by literal numbers (layout in the comment above _Target).
    def add_text(self, frame: list[Any]) -> None:
        pending = self.pending
        text = pending[0] if len(pending) == 1 else "".join(pending)
        pending.clear()
        if frame[_HAS_KIDS] or not frame[_BODY]:  # after a child, or no body: a string child
            frame[_VERBS].append(text)
        else:  # text before any child is the body
            frame[_NODE].value = text
        frame[_HAS_TEXT] = True
        if not frame[_REAL_TEXT] and text.strip(_WS):
            frame[_REAL_TEXT] = True

    def start_ns(self, prefix: str | None, uri: str) -> None:
        self.new_ns[prefix or ""] = uri

    def start(self, tag: str, attrib: Any, nsmap: Any = None) -> None:
        stack = self.stack
        namespaces = self.namespaces
        if namespaces:
            new_ns = self.new_ns
            self.declare(new_ns)
            if new_ns:
                self.new_ns = {}
        if stack:
            frame = stack[-1]
            if self.pending:
                self.add_text(frame)
            frame[_HAS_KIDS] = True
            kids = frame[_KID_LOOKUPS]
        else:
            self.pending.clear()  # whitespace before the root
            if self.root is not None:  # cannot happen in well-formed XML; be safe
                raise TwiMLParseError("more than one root element", None, None, self.filename)
            kids = self.top
        starts = self.starts
        m: re.Match[str] | None = None
        if starts is not None:
            pos = next(starts, -1)
        else:
            if stack:
                marks = self.marks
                m = next(marks, None) if marks is not None else None
                if m is not None and marks is not None:
                    written = m.group(3)  # "t" (by number: this runs for every element)
                    if written != tag and (written is None or not namespaces or not self.same(written, tag)):
                        self.marks = _chain(m, marks)  # CDATA, PI or lost step
                        m = self.locate(tag)
            else:
                m = self.locate(tag, root=True)
            pos = -1 if m is None else m.start()
        if namespaces:
            tag, attrs = self.qnames(tag, attrib, m)
        else:  # lxml hands over a new dict for each element: it becomes the node's own
            attrs = attrib if attrib.__class__ is dict else dict(attrib)
        line: int | None
        column: int | None
        if pos >= 0:  # the forward scan of `at`, inline: this runs for every element
            text = self.text
            offset = self.offset
            newlines = text.count("\n", offset, pos)
            if newlines:
                line = self.line = self.line + newlines
                self.line_start = text.rfind("\n", offset, pos) + 1
            else:
                line = self.line
            self.offset = pos
            column = pos - self.line_start + 1
        else:
            line = column = None
        if not stack and tag != "Response":
            raise TwiMLParseError(
                f"the root element must be <Response>, not <{tag}> (Twilio error 12102)",
                line,
                column,
                self.filename,
                code=12102,
            )
        if len(stack) >= MAX_DEPTH:
            raise TwiMLParseError(
                f"<{tag}> is nested {len(stack) + 1} levels deep; the depth limit is {MAX_DEPTH}",
                line,
                column,
                self.filename,
            )
        if self.amp and attrs:
            for name, value in attrs.items():
                if "&#38;" in value:
                    attrs[name] = value.replace("&#38;", "&")
        try:
            element, cls, has_body, grandkids = kids[tag]
        except KeyError:
            element = GRAMMAR.resolve(self.kind, stack[-1][_ELEMENT] if stack else None, tag)
            if element is None:
                cls, has_body = GenericNode, True
            else:
                cls, has_body = _CLASSES[id(element)], element.body is not None
            grandkids = self.kid_maps.setdefault(id(element), {})
            kids[tag] = (element, cls, has_body, grandkids)
        verbs: list[TwiML | str] = []
        node: TwiML = _new(cls)
        if element is None:
            node.name = tag
        node.value = None
        node.verbs = verbs
        node.attrs = attrs
        node.source_line = line
        node.source_column = column
        if stack:
            stack[-1][_VERBS].append(node)
        else:
            self.root = node
        stack.append([node, element, has_body, verbs, False, False, False, grandkids])

    def end(self, tag: str) -> None:
        frame = self.stack.pop()
        if self.namespaces:
            self.undeclare()
        if self.pending:
            self.add_text(frame)
        if frame[_REAL_TEXT] or not frame[_HAS_TEXT]:  # real text (kept verbatim) or no text at all
            return
        # Only whitespace here: formatting goes; a body, or spaces between words (no newline), stay.
        node = frame[_NODE]
        if frame[_BODY]:
            if not frame[_HAS_KIDS]:
                return
            value = node.value
            if value is not None and "\n" in value:
                node.value = None
            node.verbs = [v for v in frame[_VERBS] if v.__class__ is not str or "\n" not in v]
        else:
            node.verbs = [v for v in frame[_VERBS] if v.__class__ is not str]

    def comment(self, text: str) -> None:
        node = _new(Comment)
        node.value = text or ""
        node.verbs = []
        node.attrs = {}
        node.source_line = node.source_column = None
        if self.markup(node):
            self.place(node, self.locate(None))

    def place(self, node: TwiML, m: re.Match[str] | None) -> None:
        """Give a comment or processing instruction the position of its mark."""
        if m is not None:
            node.source_line, node.source_column = self.at(m.start())

    def markup(self, node: TwiML) -> bool:
        """Place a comment or processing instruction; True when it went inside an element."""
        stack = self.stack
        if not stack:  # before or after the root: the document's prolog or epilog
            self.pending.clear()
            self.outside[0 if self.root is None else 1].append(node)
            return False
        frame = stack[-1]
        if self.pending:
            self.add_text(frame)
        frame[_HAS_KIDS] = True
        frame[_VERBS].append(node)
        return True

    def doctype(self, *args: Any) -> None:
        raise TwiMLParseError("DOCTYPE declarations are not allowed in TwiML", 1, 1, self.filename)

    def pi(self, target: str, data: str | None = None) -> None:
        """Processing instructions carry nothing for Twilio but are kept, so nothing is lost."""
        node = _new(ProcessingInstruction)
        node.target = target
        node.value = data or ""
        node.verbs = []
        node.attrs = {}
        node.source_line = node.source_column = None
        if self.markup(node):
            self.place(node, self.locate(None, mark="p"))

    def close(self) -> TwiML | None:
        root = self.root
        if root is not None:
            prolog, epilog = self.outside
            if prolog:
                root.prolog = prolog
            if epilog:
                root.epilog = epilog
        return root


class _ProbeTarget:
    def __init__(self) -> None:
        self.attrib: dict[str, str] = {}

    def start(self, tag: str, attrib: Any, nsmap: Any = None) -> None:
        self.attrib = dict(attrib)

    def end(self, tag: str) -> None:
        pass

    def close(self) -> str:
        return self.attrib.get("a", "")


def _amp_reescaped() -> bool:
    """Whether libxml2 hands parser targets `&` in attribute values as `&#38;` when entities are
    not substituted (libxml2 2.x does). Literal `&` never reaches the target then, so turning
    every `&#38;` back into `&` is exact."""
    parser = etree.XMLParser(target=_ProbeTarget(), **_PARSER_OPTIONS)  # type: ignore[call-overload]  # lxml calls only the target methods that exist; types-lxml's ParserTarget requires start_ns/end_ns too
    return bool(etree.fromstring(b'<r a="&amp;"/>', parser) == "&#38;")


_AMP_REESCAPED = _amp_reescaped()

_ELEMENT_START = re.compile(r"<[^/?]")
_MATCH_START = re.Match.start


_CLASSES: dict[int, type[TwiML]] = {id(el): class_of(el) for el in GRAMMAR.elements}
"""Builder class of each grammar entry, keyed by the entry's id (entries are unhashable)."""


def parse(source: str | bytes | os.PathLike[str], kind: Kind | None = None) -> TwiML:
    """Parse TwiML from a string, bytes or a file into a VoiceResponse, MessagingResponse or FaxResponse.

    A str that does not start with ``<`` and names an existing file is read as that file, so pass
    untrusted input (a request body) as bytes, which is never taken for a file name.
    Malformed or unsafe input raises `TwiMLParseError` (and only that); unknown elements become
    `GenericNode`s, comments `Comment`s, so ``parse(x).to_xml()`` is the canonical form of ``x``.
    Every node gets ``source_line`` and ``source_column`` (None when unknown).
    """
    return _parse(source, kind, files=True)


def parse_text(source: str | bytes, kind: Kind | None = None) -> TwiML:
    """Like `parse`, but a str is always TwiML text, never taken for a file name (`from_xml`)."""
    if not isinstance(source, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"parse_text() takes str or bytes, not {type(source).__name__}")
    return _parse(source, kind, files=False)


def _parse(source: str | bytes | os.PathLike[str], kind: Kind | None, files: bool) -> TwiML:
    if kind is not None and kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    text, filename = _read(source) if files or not isinstance(source, str) else (source, None)
    if text.startswith("\ufeff"):
        text = text[1:]
    _refuse_doctype(text, filename)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line, column = line_column(text, exc.start)
        raise TwiMLParseError(
            f"character U+{ord(text[exc.start]):04X} cannot appear in XML", line, column, filename
        ) from None
    namespaces = "xmlns" in text or "xml:" in text
    if kind is None:  # a cheap guess, checked below against the root's children
        guess: str = "fax" if "<Receive" in text else "messaging" if "<Message" in text else "voice"
    else:
        guess = kind
    doc = _build(data, text, guess, namespaces, filename)
    if kind is None:
        actual = detect_kind({v.name for v in doc.verbs if isinstance(v, TwiML) and v.name[:1] != "#"})
        if actual != guess:
            doc = _build(data, text, actual, namespaces, filename)
    # What is served, for the size budgets: characters read, and bytes (as given, else as UTF-8).
    doc.source_size = (len(text), len(source) if isinstance(source, (bytes, bytearray)) else len(data))  # type: ignore[attr-defined]  # a parsed root's extra, read with getattr
    return doc


def _build(data: bytes, text: str, kind: str, namespaces: bool, filename: str | None) -> TwiML:
    target = _Target(text, kind, namespaces, filename)
    parser = etree.XMLParser(target=target, **_PARSER_OPTIONS)  # type: ignore[call-overload]  # lxml calls only the target methods that exist; types-lxml's ParserTarget requires start_ns/end_ns too
    try:
        with collections_paused():
            root: TwiML | None = etree.fromstring(data, parser)  # the target's close() result
    except etree.LxmlError as exc:  # malformed, or another libxml2 failure (e.g. resource limits)
        raise _syntax_error(parser.error_log, filename, text) or _failure(exc, filename) from None
    # Errors libxml2 recovers from in event mode (e.g. an undeclared namespace prefix) still
    # make the document malformed; the tree builder would have raised them.
    error = _syntax_error(parser.error_log, filename, text)
    if error is not None:
        raise error
    if root is None:
        raise TwiMLParseError("document is empty", 1, 1, filename)
    return root


def outside_comments(source: str | bytes) -> tuple[list[str], list[str]]:
    """Comment texts before and after the root element, which documents cannot hold; lets
    `twiml format --write` keep a file's header comment. Input must already have parsed."""
    text = source if isinstance(source, str) else decode(source)[0]
    if "<!--" not in text:
        return [], []
    text = text.lstrip("\ufeff")
    options = {**_PARSER_OPTIONS, "remove_comments": False}
    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(**options))
    before = [c.text or "" for c in root.itersiblings(preceding=True) if c.tag is etree.Comment]
    after = [c.text or "" for c in root.itersiblings() if c.tag is etree.Comment]
    return before[::-1], after
