"""Read TwiML back into the library's own node classes, safely and keeping what it does not know.

The document is decoded to text here (not by libxml2) so that one code path serves str, bytes and
files, DOCTYPEs can be refused before libxml2 sees them, and element columns can be computed.
libxml2 then parses UTF-8 bytes with entity loading, DTDs and network access switched off.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
from collections.abc import Iterator
from typing import Any, Literal

from lxml import etree  # type: ignore[import-untyped]

from twiml.base import Comment, GenericNode, TwiML
from twiml.builders import class_of
from twiml.errors import TwiMLParseError
from twiml.files import read_bytes
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Element
from twiml.limits import MAX_DEPTH

__all__ = ["Kind", "detect_kind", "outside_comments", "parse"]

Kind = Literal["voice", "messaging", "fax"]
_KINDS: tuple[str, ...] = ("voice", "messaging", "fax")

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_WS = " \t\r\n"
_new = object.__new__

# Start tags and comments in source order; CDATA, PIs and the prolog's DOCTYPE are consumed so
# that a `<Say` inside them is not taken for an element.
_MARKUP = re.compile(r"<(?:(?P<c>!--.*?-->)|!\[CDATA\[.*?\]\]>|\?.*?\?>|(?P<t>[^\s/>!?][^\s/>]*))", re.S)
_PROLOG_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_DECL_ENCODING = re.compile(rb"^[ \t\r\n]*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_LXML_POSITION = re.compile(r",? line \d+(?:, column \d+)?\s*$")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_PARSER_OPTIONS: dict[str, Any] = {
    "encoding": "utf-8",  # we always hand over UTF-8; the declared encoding is already applied
    "resolve_entities": False,
    "load_dtd": False,
    "no_network": True,
    "huge_tree": False,
    "dtd_validation": False,
    "remove_pis": True,
    "remove_comments": False,
    "remove_blank_text": False,
    "strip_cdata": True,
    "collect_ids": False,
}


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, index) + 1
    return line, index - text.rfind("\n", 0, index)


_NOT_CHARSETS = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"})
"""Text codecs Python has that are no character set a document can be written in."""


def _declared_codec(data: bytes, filename: str | None) -> str:
    """The codec of the encoding the XML declaration names ("utf-8" when none is named)."""
    m = _DECL_ENCODING.match(data)
    if m is None:
        return "utf-8"
    declared = m.group(1).decode("ascii")
    try:
        info = codecs.lookup(declared)
    except (LookupError, ValueError):
        info = None
    # Binary-to-binary and str-to-str codecs (hex, base64, zlib, rot13, ...) are no text encodings.
    if info is None or not getattr(info, "_is_text_encoding", True) or info.name.replace("_", "-") in _NOT_CHARSETS:
        raise TwiMLParseError(f"unsupported encoding {declared!r}", 1, m.start(1) + 1, filename)
    if info.name in ("utf-16", "utf-32"):  # declared but no BOM: XML says big-endian
        return info.name + "-be"
    return str(info.name)


def _decode(data: bytes, filename: str | None) -> str:
    """Bytes to text the way an XML processor would: BOM first, then the declaration, else UTF-8.

    Every failure, whatever the codec raises, is a TwiMLParseError."""
    encoding = "utf-8"
    start = 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, start = name, len(bom)
            break
    else:
        if data[:2] in (b"\x00<", b"<\x00"):  # UTF-16 without a BOM
            encoding = "utf-16-be" if data[0] == 0 else "utf-16-le"
        else:
            encoding = _declared_codec(data, filename)
    try:
        return data[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        line: int | None = None
        column: int | None = None
        with contextlib.suppress(Exception):  # a position is a courtesy; some codecs cannot give one
            good = data[start : start + exc.start].decode(encoding, errors="replace")
            line, column = _position(good, len(good))
        raise TwiMLParseError(
            f"input is not valid {encoding}: byte {data[start + exc.start : start + exc.start + 1]!r}"
            f" cannot be decoded",
            line,
            column,
            filename,
        ) from None
    except Exception as exc:  # a codec's own failure (UnicodeError, LookupError, ValueError, ...)
        raise TwiMLParseError(f"input cannot be decoded as {encoding}: {exc}", 1, 1, filename) from None


def _read_file(path: str) -> tuple[str, str]:
    """Text of a file named by the caller; every I/O failure is a TwiMLParseError naming the file."""
    try:
        data = read_bytes(path)
    except OSError as exc:
        raise TwiMLParseError(f"cannot read the file: {exc.strerror or exc}", None, None, path) from None
    return _decode(data, path), path


def _read(source: str | bytes | os.PathLike[str]) -> tuple[str, str | None]:
    """The document text and the file name it came from (None for in-memory input)."""
    if isinstance(source, os.PathLike):
        return _read_file(os.fsdecode(source))
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _decode(bytes(source), None), None
    if isinstance(source, str):
        head = source.lstrip("\ufeff" + _WS)
        if not head.startswith("<"):
            try:
                exists = os.path.lexists(source)
            except (ValueError, OSError):  # NULs, names too long
                exists = False
            if exists:  # a file, or something that is not one (directory, FIFO, device): say so
                return _read_file(source)
            if "\n" not in source and len(source) < 1024 and head:
                raise TwiMLParseError(f"{source[:80]!r} is neither TwiML nor an existing file", 1, 1)
        return source, None
    raise TypeError(f"parse() takes str, bytes or a path, not {type(source).__name__}")


def _refuse_doctype(text: str, filename: str | None) -> None:
    """Refuse any DTD before libxml2 reads it: entity tricks (billion laughs, XXE) need one."""
    index = text.find("<!DOCTYPE")
    if index < 0:
        return
    pos = 1 if text.startswith("\ufeff") else 0
    while True:  # only a DOCTYPE in the prolog is a DTD; elsewhere libxml2 reports it as malformed
        m = _PROLOG_SKIP.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    if text.startswith("<!DOCTYPE", pos):
        line, column = _position(text, pos)
        raise TwiMLParseError(
            "DOCTYPE declarations are not allowed in TwiML (entities and DTDs are refused for safety)",
            line,
            column,
            filename,
        )


def _syntax_error(exc: etree.XMLSyntaxError, filename: str | None) -> TwiMLParseError:
    last = exc.error_log.last_error if exc.error_log else None
    message = (last.message if last is not None and last.message else str(exc.msg or exc)).strip()
    message = _LXML_POSITION.sub("", message).strip() or "malformed XML"
    line, column = exc.position if exc.position else (None, None)
    return TwiMLParseError(message, line or None, column or None, filename)


def _chain(first: re.Match[str], rest: Iterator[re.Match[str]]) -> Iterator[re.Match[str]]:
    yield first
    yield from rest


def detect_kind(tags: set[str]) -> Kind:
    """The dialect the root's child tags imply: Receive -> fax; Message with nothing but
    Message/Redirect/unknowns beside it -> messaging; anything else -> voice."""
    if "Receive" in tags:
        return "fax"
    if "Message" in tags:
        voice_root = GRAMMAR.root("voice")
        if not any(GRAMMAR.child(voice_root, t) for t in tags if t != "Redirect"):
            return "messaging"
    return "voice"


# Frame of an open element, a list: [0] node, [1] its grammar entry, [2] whether it takes body
# text, [3] its verbs, [4] whether any of its text is more than whitespace, [5] whether it has
# child nodes yet, [6] whether it has any text.


class _Target:
    """lxml parser target that builds nodes straight from parse events (no lxml tree: ~3x faster).

    Positions come from scanning the source text for start tags in step with the events.
    """

    def __init__(self, text: str, dialect: str, namespaces: bool, filename: str | None) -> None:
        self.text = text
        self.dialect = dialect
        self.namespaces = namespaces
        self.filename = filename
        self.marks: Iterator[re.Match[str]] | None = _MARKUP.finditer(text)
        self.offset = 0
        self.line = 1
        self.stack: list[list[Any]] = []
        self.pending: str | None = None
        self.root: TwiML | None = None
        self.resolved: dict[tuple[int, str], tuple[Element | None, type[TwiML], bool]] = {}
        self.scopes: list[dict[str, str]] = [{}]  # in-scope prefix -> URI (namespace mode only)
        self.amp = _AMP_REESCAPED and "&" in text

    # -- positions ---------------------------------------------------------------------------
    def locate(self, qname: str | None, root: bool = False) -> tuple[int | None, int | None]:
        """Line and column of the next element `<qname` (or comment when qname is None) in the
        source, scanning forward; (None, None) once the scan has lost step."""
        marks = self.marks
        if marks is not None:
            for m in marks:
                tag = m.group("t")
                if root and tag is None:
                    continue  # comments before the root are not part of the document
                if qname is None:
                    if m.group("c") is None:
                        if tag is None:
                            continue
                        break  # an element where a comment was expected: lost step
                elif tag is None:
                    if m.group("c") is None:
                        continue
                    break
                elif tag != qname:
                    break
                pos = m.start()
                text = self.text
                self.line += text.count("\n", self.offset, pos)
                self.offset = pos
                return self.line, pos - text.rfind("\n", 0, pos)
            self.marks = None
        return None, None

    # -- names -------------------------------------------------------------------------------
    def names(self, tag: str, attrib: Any, declared: dict[str, str] | None) -> tuple[str, dict[str, Any]]:
        """Prefixed name and attributes as written, with xmlns declarations kept as attributes."""
        scope = self.scopes[-1]
        if declared:
            scope = {**scope, **declared}
        self.scopes.append(scope)
        attrs: dict[str, Any] = {}
        for key, value in attrib.items() if attrib else ():
            if key[0] == "{":
                uri, local = key[1:].split("}", 1)
                if uri == _XML_NS:
                    key = "xml:" + local
                else:
                    prefix = next((p for p, u in scope.items() if u == uri and p), "")
                    key = f"{prefix}:{local}" if prefix else local
            attrs[key] = value
        for prefix, uri in (declared or {}).items():
            attrs["xmlns:" + prefix if prefix else "xmlns"] = uri
        if tag[0] == "{":
            uri, local = tag[1:].split("}", 1)
            prefix = "" if scope.get("") == uri else next((p for p, u in scope.items() if u == uri and p), "")
            tag = f"{prefix}:{local}" if prefix else local
        return tag, attrs

    # -- events ------------------------------------------------------------------------------
    # Hot path: frames are lists indexed by literal numbers (layout in the comment above _Target).
    def add_text(self, frame: list[Any], text: str) -> None:
        if frame[5] or not frame[2]:  # after a child, or no body: a string child
            frame[3].append(text)
        else:  # text before any child is the body
            frame[0].value = text
        frame[6] = True
        if not frame[4] and text.strip(_WS):
            frame[4] = True

    def start(self, tag: str, attrib: Any, nsmap: dict[str, str] | None = None) -> None:
        stack = self.stack
        if self.namespaces:
            tag, attrs = self.names(tag, attrib, nsmap)
        else:
            attrs = dict(attrib) if attrib else {}
        if self.amp and attrs:
            for name, value in attrs.items():
                if "&#38;" in value:
                    attrs[name] = value.replace("&#38;", "&")
        pending = self.pending
        line: int | None
        column: int | None
        if stack:
            frame = stack[-1]
            if pending is not None:
                self.pending = None
                self.add_text(frame, pending)
            frame[5] = True
            parent = frame[1]
            marks = self.marks
            m = next(marks, None) if marks is not None else None
            if m is not None and m.group("t") == tag:  # fast path: the next mark is this start tag
                pos = m.start()
                text = self.text
                self.line = line = self.line + text.count("\n", self.offset, pos)
                self.offset = pos
                column = pos - text.rfind("\n", 0, pos)
            else:
                if m is not None:  # CDATA, PI or lost step: let the careful path decide
                    self.marks = _chain(m, marks)  # type: ignore[arg-type]
                line, column = self.locate(tag)
        else:
            self.pending = None  # whitespace before the root
            if self.root is not None:  # cannot happen in well-formed XML; be safe
                raise TwiMLParseError("more than one root element", None, None, self.filename)
            parent = None
            line, column = self.locate(tag, root=True)
            if tag != "Response":
                error = TwiMLParseError(
                    f"the root element must be <Response>, not <{tag}> (Twilio error 12102)",
                    line,
                    column,
                    self.filename,
                )
                error.code = 12102  # type: ignore[attr-defined]  # read by the CLI; other parse errors are 12100
                raise error
        if len(stack) >= MAX_DEPTH:
            raise TwiMLParseError(
                f"<{tag}> is nested {len(stack) + 1} levels deep; the depth limit is {MAX_DEPTH}",
                line,
                column,
                self.filename,
            )
        key = (id(parent), tag)
        try:
            element, cls, has_body = self.resolved[key]
        except KeyError:
            element = GRAMMAR.resolve(self.dialect, parent, tag)
            if element is None:
                cls, has_body = GenericNode, True
            else:
                cls, has_body = _CLASSES[id(element)], element.body is not None
            self.resolved[key] = (element, cls, has_body)
        verbs: list[TwiML | str] = []
        node: TwiML = _new(cls)
        if element is None:
            node.__dict__ = {
                "name": tag,
                "value": None,
                "verbs": verbs,
                "attrs": attrs,
                "source_line": line,
                "source_column": column,
            }
        else:
            node.__dict__ = {
                "value": None,
                "verbs": verbs,
                "attrs": attrs,
                "source_line": line,
                "source_column": column,
            }
        if stack:
            stack[-1][3].append(node)
        else:
            self.root = node
        stack.append([node, element, has_body, verbs, False, False, False])

    def data(self, text: str) -> None:
        pending = self.pending
        self.pending = text if pending is None else pending + text

    def end(self, tag: str) -> None:
        frame = self.stack.pop()
        if self.namespaces:
            self.scopes.pop()
        pending = self.pending
        if pending is not None:
            self.pending = None
            self.add_text(frame, pending)
        if frame[4] or not frame[6]:  # real text (kept verbatim) or no text at all
            return
        # Only whitespace here: formatting goes; a body, or spaces between words (no newline), stay.
        node = frame[0]
        if frame[2]:
            if not frame[5]:
                return
            value = node.value
            if value is not None and "\n" in value:
                node.value = None
            node.verbs = [v for v in frame[3] if v.__class__ is not str or "\n" not in v]
        else:
            node.verbs = [v for v in frame[3] if v.__class__ is not str]

    def comment(self, text: str) -> None:
        stack = self.stack
        if not stack:
            self.pending = None
            return  # comments outside <Response> have no place in the document
        frame = stack[-1]
        pending = self.pending
        if pending is not None:
            self.pending = None
            self.add_text(frame, pending)
        frame[5] = True
        line, column = self.locate(None)
        node = _new(Comment)
        node.__dict__ = {"value": text or "", "verbs": [], "attrs": {}, "source_line": line, "source_column": column}
        frame[3].append(node)

    def doctype(self, *args: Any) -> None:
        raise TwiMLParseError("DOCTYPE declarations are not allowed in TwiML", 1, 1, self.filename)

    def pi(self, target: str, data: str | None = None) -> None:
        """Processing instructions carry nothing for Twilio and have no node type: dropped."""

    def close(self) -> TwiML | None:
        return self.root


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
    parser = etree.XMLParser(target=_ProbeTarget(), **_PARSER_OPTIONS)
    return bool(etree.fromstring(b'<r a="&amp;"/>', parser) == "&#38;")


_AMP_REESCAPED = _amp_reescaped()


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
    if kind is not None and kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    text, filename = _read(source)
    if text.startswith("\ufeff"):
        text = text[1:]
    _refuse_doctype(text, filename)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line, column = _position(text, exc.start)
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
        actual = detect_kind({v.name for v in doc.verbs if isinstance(v, TwiML) and v.name != "#comment"})
        if actual != guess:
            doc = _build(data, text, actual, namespaces, filename)
    # What is served, for the size budgets: characters read, and bytes (as given, else as UTF-8).
    doc.source_size = (len(text), len(source) if isinstance(source, (bytes, bytearray)) else len(data))  # type: ignore[attr-defined]
    return doc


def _build(data: bytes, text: str, dialect: str, namespaces: bool, filename: str | None) -> TwiML:
    target = _Target(text, dialect, namespaces, filename)
    parser = etree.XMLParser(target=target, **_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, filename) from None
    except etree.LxmlError as exc:  # other libxml2 failures (e.g. resource limits)
        raise TwiMLParseError(str(exc) or "malformed XML", None, None, filename) from None
    # Errors libxml2 recovers from in event mode (e.g. an undeclared namespace prefix) still
    # make the document malformed; the tree builder would have raised them.
    for entry in parser.error_log:
        if entry.level >= etree.ErrorLevels.ERROR:
            message = _LXML_POSITION.sub("", entry.message.strip()) or "malformed XML"
            raise TwiMLParseError(message, entry.line or None, entry.column or None, filename)
    if root is None:
        raise TwiMLParseError("document is empty", 1, 1, filename)
    return root  # type: ignore[no-any-return]


def outside_comments(source: str | bytes) -> tuple[list[str], list[str]]:
    """Comment texts before and after the root element, which documents cannot hold; lets
    `twiml format --write` keep a file's header comment. Input must already have parsed."""
    text = source if isinstance(source, str) else _decode(source, None)
    if "<!--" not in text:
        return [], []
    text = text.lstrip("\ufeff")
    options = {**_PARSER_OPTIONS, "remove_comments": False}
    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(**options))
    before = [c.text or "" for c in root.itersiblings(preceding=True) if c.tag is etree.Comment]
    after = [c.text or "" for c in root.itersiblings() if c.tag is etree.Comment]
    return before[::-1], after
