"""Read TwiML back into the library's own node classes, safely and keeping what it does not know.

The document is decoded to text here (not by libxml2) so that one code path serves str, bytes and
files, DOCTYPEs can be refused before libxml2 sees them, and element columns can be computed.
libxml2 then parses UTF-8 bytes with entity loading, DTDs and network access switched off.
"""
from __future__ import annotations

import codecs
import os
import re
import threading
from collections.abc import Iterator
from typing import Any, Literal

from lxml import etree

from twiml.base import Comment, GenericNode, TwiML
from twiml.errors import TwiMLParseError
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Element

__all__ = ["parse", "detect_kind", "Kind"]

Kind = Literal["voice", "messaging", "fax"]
_KINDS: tuple[str, ...] = ("voice", "messaging", "fax")

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_WS = " \t\r\n"
_new = object.__new__
_COMMENT_TAG = etree.Comment

# Start tags and comments in source order; CDATA, PIs and the prolog's DOCTYPE are consumed so
# that a `<Say` inside them is not taken for an element.
_MARKUP = re.compile(
    r"(?P<c><!--.*?-->)|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<(?P<t>[^\s/>!?][^\s/>]*)", re.S
)
_PROLOG_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_DECL_ENCODING = re.compile(rb"^[ \t\r\n]*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_LXML_POSITION = re.compile(r",? line \d+(?:, column \d+)?\s*$")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_local = threading.local()


def _xml_parser() -> etree.XMLParser:
    """One hardened parser per thread (lxml parsers must not be shared across threads)."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(
            encoding="utf-8",  # we always hand over UTF-8; any declared encoding is already applied
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=False,
            dtd_validation=False,
            remove_pis=True,
            remove_comments=False,
            remove_blank_text=False,
            strip_cdata=True,
            collect_ids=False,
        )
    return parser


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, index) + 1
    return line, index - text.rfind("\n", 0, index)


def _decode(data: bytes, filename: str | None) -> str:
    """Bytes to text the way an XML processor would: BOM first, then the declaration, else UTF-8."""
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
            m = _DECL_ENCODING.match(data)
            if m is not None:
                declared = m.group(1).decode("ascii")
                try:
                    encoding = codecs.lookup(declared).name
                except LookupError:
                    raise TwiMLParseError(f"unsupported encoding {declared!r}", 1, m.start(1) + 1,
                                          filename) from None
                if encoding in ("utf-16", "utf-32"):  # declared but no BOM: XML says big-endian
                    encoding += "-be"
    try:
        return data[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        good = data[start:start + exc.start].decode(encoding, errors="replace")
        line, column = _position(good, len(good))
        raise TwiMLParseError(f"input is not valid {encoding}: byte {data[start + exc.start:start + exc.start + 1]!r}"
                              f" cannot be decoded", line, column, filename) from None


def _read(source: str | bytes | os.PathLike[str]) -> tuple[str, str | None]:
    """The document text and the file name it came from (None for in-memory input)."""
    if isinstance(source, os.PathLike):
        path = os.fspath(source)
        with open(path, "rb") as fh:
            return _decode(fh.read(), path), path
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _decode(bytes(source), None), None
    if isinstance(source, str):
        head = source.lstrip("\ufeff" + _WS)
        if not head.startswith("<"):
            try:
                is_file = os.path.isfile(source)
            except (ValueError, OSError):  # NULs, names too long
                is_file = False
            if is_file:
                with open(source, "rb") as fh:
                    return _decode(fh.read(), source), source
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
            line, column, filename)


def _syntax_error(exc: etree.XMLSyntaxError, filename: str | None) -> TwiMLParseError:
    last = exc.error_log.last_error if exc.error_log else None
    message = (last.message if last is not None and last.message else str(exc.msg or exc)).strip()
    message = _LXML_POSITION.sub("", message).strip() or "malformed XML"
    line, column = exc.position if exc.position else (None, None)
    return TwiMLParseError(message, line or None, column or None, filename)


def _chain(first: re.Match[str], rest: Iterator[re.Match[str]]) -> Iterator[re.Match[str]]:
    yield first
    yield from rest


def detect_kind(root: Any) -> Kind:
    """Guess the dialect from the root's children: Receive -> fax; Message with nothing but
    Message/Redirect/unknowns beside it -> messaging; anything else -> voice."""
    tags = {c.tag for c in root if isinstance(c.tag, str)}
    if "Receive" in tags:
        return "fax"
    if "Message" in tags:
        voice_root = GRAMMAR.root("voice")
        if not any(GRAMMAR.child(voice_root, t) for t in tags if t != "Redirect"):
            return "messaging"
    return "voice"


class _Builder:
    """Turns an lxml tree into nodes; one instance per parse."""

    def __init__(self, text: str, dialect: str, namespaces: bool) -> None:
        self.text = text
        self.dialect = dialect
        self.namespaces = namespaces
        self.marks: Iterator[re.Match[str]] | None = _MARKUP.finditer(text)
        self.offset = 0
        self.line = 1
        self.started = False
        self.resolved: dict[tuple[int, str], Element | None] = {}

    def locate(self, el: Any, qname: str | None, root: bool = False) -> tuple[int | None, int | None]:
        """Line and column of this element's `<` (or comment's `<!--`), scanning in document order.

        Falls back to lxml's line (which is where the start tag ends) when the scan loses step.
        """
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
        return el.sourceline, None

    def qname(self, el: Any) -> str:
        tag: str = el.tag
        if tag[0] != "{":
            return tag
        local = tag[tag.index("}") + 1:]
        return f"{el.prefix}:{local}" if el.prefix else local

    def attributes(self, el: Any, parent_nsmap: dict[str | None, str]) -> tuple[dict[str, Any], dict[str | None, str]]:
        attrs: dict[str, Any] = {}
        for key, value in el.attrib.items():
            if key[0] == "{":
                uri, local = key[1:].split("}", 1)
                if uri == _XML_NS:
                    key = "xml:" + local
                else:
                    prefix = next((p for p, u in el.nsmap.items() if u == uri and p), None)
                    key = f"{prefix}:{local}" if prefix else local
            attrs[key] = value
        nsmap: dict[str | None, str] = el.nsmap
        for prefix, uri in nsmap.items():
            if parent_nsmap.get(prefix) != uri:
                attrs["xmlns:" + prefix if prefix else "xmlns"] = uri
        return attrs, nsmap

    def build(self, el: Any, parent: Element | None, parent_nsmap: dict[str | None, str]) -> TwiML:
        """Node for `el` and (recursively) its content; libxml2 caps depth at 256, so recursion is safe."""
        if self.namespaces:
            qname = self.qname(el)
            attrs, nsmap = self.attributes(el, parent_nsmap)
        else:
            qname = el.tag
            attrs = dict(el.attrib)
            nsmap = parent_nsmap
        key = (id(parent), qname)
        try:
            element = self.resolved[key]
        except KeyError:
            element = self.resolved[key] = GRAMMAR.resolve(self.dialect, parent, qname)
        marks = self.marks
        m = next(marks, None) if marks is not None and self.started else None
        if m is not None and m.group("t") == qname:  # fast path of locate(): next mark is this tag
            pos = m.start()
            text = self.text
            self.line = line = self.line + text.count("\n", self.offset, pos)
            self.offset = pos
            column: int | None = pos - text.rfind("\n", 0, pos)
        else:
            if m is not None:  # CDATA, PI or a mismatch: let the careful path decide
                self.marks = marks = _chain(m, marks)  # type: ignore[arg-type]
            line, column = self.locate(el, qname, not self.started)
        self.started = True
        verbs: list[TwiML | str] = []
        if element is None:
            node: TwiML = _new(GenericNode)
            node.__dict__ = {"name": qname, "value": None, "verbs": verbs, "attrs": attrs,
                             "source_line": line, "source_column": column}
            has_body = True
        else:
            node = _new(_CLASSES[id(element)])
            node.__dict__ = {"value": None, "verbs": verbs, "attrs": attrs,
                             "source_line": line, "source_column": column}
            has_body = element.body is not None
        text = el.text
        if len(el) == 0:
            if text:
                if has_body:
                    node.value = text
                elif text.strip(_WS):
                    verbs.append(text)
            return node
        # Formatting whitespace goes; real text (and whitespace beside it) stays verbatim.
        children = list(el)
        real = bool(text and text.strip(_WS)) or any(c.tail and c.tail.strip(_WS) for c in children)
        if text and (real or (has_body and "\n" not in text)):
            if has_body:
                node.value = text
            else:
                verbs.append(text)
        for child in children:
            if child.tag is _COMMENT_TAG:
                line, column = self.locate(child, None)
                comment = _new(Comment)
                comment.__dict__ = {"value": child.text or "", "verbs": [], "attrs": {},
                                    "source_line": line, "source_column": column}
                verbs.append(comment)
            elif isinstance(child.tag, str):
                verbs.append(self.build(child, element, nsmap))
            else:  # entity references cannot occur (no DTD); anything else is refused
                raise TwiMLParseError(f"unsupported XML node {child!r}", child.sourceline, None)
            tail = child.tail
            if tail and (real or (has_body and "\n" not in tail)):
                verbs.append(tail)
        return node


def _class_index() -> dict[int, type[TwiML]]:
    """Builder class of each grammar entry, keyed by the entry's id (entries are unhashable)."""
    import twiml.fax_response
    import twiml.messaging_response
    import twiml.voice_response

    modules = {"voice": twiml.voice_response, "messaging": twiml.messaging_response, "fax": twiml.fax_response}
    return {id(el): getattr(modules[el.dialect], el.cls) for el in GRAMMAR.elements}


_CLASSES = _class_index()


def parse(source: str | bytes | os.PathLike[str], kind: Kind | None = None) -> TwiML:
    """Parse TwiML from a string, bytes or a file into a VoiceResponse, MessagingResponse or FaxResponse.

    A str that does not start with ``<`` and names an existing file is read as that file.
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
        raise TwiMLParseError(f"character U+{ord(text[exc.start]):04X} cannot appear in XML",
                              line, column, filename) from None
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, filename) from None
    except (etree.LxmlError, ValueError) as exc:
        raise TwiMLParseError(str(exc) or "malformed XML", None, None, filename) from None
    if root is None:
        raise TwiMLParseError("document is empty", 1, 1, filename)
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise TwiMLParseError("DOCTYPE declarations are not allowed in TwiML", 1, 1, filename)
    namespaces = "xmlns" in text or "xml:" in text
    builder = _Builder(text, "voice", namespaces)
    root_name = builder.qname(root) if namespaces else root.tag
    if root_name != "Response":
        line, column = builder.locate(root, root_name, root=True)
        error = TwiMLParseError(f"the root element must be <Response>, not <{root_name}> (Twilio error 12102)",
                                line, column, filename)
        error.code = 12102  # type: ignore[attr-defined]  # read by the CLI; other parse errors are 12100
        raise error
    builder.dialect = kind or detect_kind(root)
    doc = builder.build(root, None, {})
    return doc
