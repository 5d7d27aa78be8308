"""What `twiml.parser` does before and after libxml2 sees a document: read and decode the input
(`twiml.decoding`, the one decoder), refuse a DOCTYPE with its place, and turn libxml2's
syntax errors into a `TwiMLParseError` with a readable message, line and column.
"""

from __future__ import annotations

import os
import re
from itertools import accumulate

from lxml import etree

from twiml.decoding import decode, line_column
from twiml.errors import TwiMLParseError
from twiml.files import read_bytes

_WS = " \t\r\n"
_PROLOG_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_LXML_POSITION = re.compile(r",? line \d+(?:, column \d+)?\s*$")
_FAILED_START = re.compile(r"Couldn't find end of Start Tag (\S+) line (\d+)")
_QUOTE = re.compile("[\"']")
_START_TAG_FAILED = frozenset({"ERR_SPACE_REQUIRED", "ERR_GT_REQUIRED", "ERR_ATTRIBUTE_NOT_FINISHED"})
_UNDECLARED = re.compile(r"Namespace prefix (\S+) (?:for (\S+) )?on (\S+) is not defined$")
_MISMATCH = re.compile(r"Opening and ending tag mismatch: \S+ line (\d+) and (\S+)$")


def _read_file(path: str) -> tuple[str, str]:
    """Text of a file named by the caller; every I/O failure is a TwiMLParseError naming the file."""
    try:
        data = read_bytes(path)
    except OSError as exc:
        raise TwiMLParseError(f"cannot read the file: {exc.strerror or exc}", None, None, path) from None
    return decode(data, path)[0], path


def _read(source: str | bytes | os.PathLike[str]) -> tuple[str, str | None]:
    """The document text and the file name it came from (None for in-memory input)."""
    if isinstance(source, os.PathLike):
        return _read_file(os.fsdecode(source))
    if isinstance(source, (bytes, bytearray, memoryview)):
        return decode(bytes(source))[0], None
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
        line, column = line_column(text, pos)
        raise TwiMLParseError(
            "DOCTYPE declarations are not allowed in TwiML (entities and DTDs are refused for safety)",
            line,
            column,
            filename,
        )


def _syntax_error(log: etree._ListErrorLog, filename: str | None, text: str) -> TwiMLParseError | None:
    """The syntax errors libxml2 logged while parsing `text` (the parser's own log: an exception's
    `error_log` is the thread's global log, older parses included), first one first, each with
    its own message and place; None when it logged none.

    libxml2 reports one broken place several times (a bad attribute also fails its start tag, and
    that element's end tag then mismatches): one error per place is kept, and the mismatch an
    element whose start tag failed causes is left out."""
    found: list[TwiMLParseError] = []
    places: set[tuple[int | None, int | None]] = set()
    failed_starts: list[tuple[str, int]] = []  # elements whose start tag did not parse, and its line
    lines: list[str] = []  # the text's lines and their offsets, made when first needed
    starts: list[int] = []
    in_value: int | None = None  # where the last error inside an attribute value was
    tag_end = -1  # where the last start tag that failed ends
    for entry in log:
        if entry.level < etree.ErrorLevels.ERROR:
            continue
        message = _LXML_POSITION.sub("", entry.message.strip()).strip() or "malformed XML"
        line, column = entry.line or None, entry.column or None
        kind = entry.type_name
        if (start := _FAILED_START.match(entry.message)) is not None:
            failed_starts.append((start.group(1), int(start.group(2))))
        mismatch = _MISMATCH.match(message)
        if mismatch is not None:
            # The end tag of an element that never started, inside an element opened before it.
            cascade = [f for f in failed_starts if f[0] == mismatch.group(2) and int(mismatch.group(1)) <= f[1]]
            if cascade:
                failed_starts.remove(cascade[-1])
                continue
        if line is not None and column is not None:
            if not lines:
                lines = text.split("\n")
                starts = list(accumulate((len(t) + 1 for t in lines[:-1]), initial=0))
            line_text = lines[line - 1] if line <= len(lines) else ""
            at = starts[line - 1] + column - 1 if line <= len(starts) else len(text)
            if at < tag_end:  # inside a start tag that failed (older libxml2 reads on in it)
                places.add((line, column))
                continue
            if kind == "ERR_GT_REQUIRED":
                end = text.find(">", at)
                tag_end = end if end >= 0 else len(text)
            if in_value is not None and (
                not _QUOTE.search(text, in_value, at)
                or (kind in _START_TAG_FAILED and text.find(">", in_value, at) < 0)
            ):
                # An attribute value missing its closing quote runs on over the markup after it:
                # what it swallows, and its start tag failing where it ends, were reported with it.
                places.add((line, column))
                in_value = at if kind not in _START_TAG_FAILED else None
                continue
            in_value = at if kind == "ERR_LT_IN_ATTRIBUTE" else None
            if "EntityRef" in message or message.startswith("Entity '"):
                message, column = _ampersand(message, line_text, column)
            elif mismatch is not None:  # libxml2 points past the end tag: point at its '<'
                column = _back_to(line_text, "</" + mismatch.group(2), column)
            elif (prefix := _UNDECLARED.match(message)) is not None:  # past the name: point at it
                p, attr, tag = prefix.groups()
                column = _back_to(line_text, f"{p}:{attr}" if attr else f"<{p}:{tag}", column)
        if (line, column) in places:
            continue
        places.add((line, column))
        found.append(TwiMLParseError(message, line, column, filename))
    if not found:
        return None
    found.sort(key=lambda e: (e.line or 0, e.column or 0))
    first = found[0]
    return TwiMLParseError(first.message, first.line, first.column, filename, more=tuple(found[1:]))


def _back_to(line_text: str, written: str, column: int) -> int:
    """The column where `written` last starts before `column` on the line (else `column`)."""
    at = line_text.rfind(written, 0, column)
    return at + 1 if at >= 0 else column


def _failure(exc: etree.LxmlError, filename: str | None) -> TwiMLParseError:
    """A libxml2 failure that logged no error (e.g. a resource limit): its own message and place."""
    message = _LXML_POSITION.sub("", str(exc)).strip() or "malformed XML"
    line, column = exc.position if isinstance(exc, etree.XMLSyntaxError) and exc.position else (None, None)
    return TwiMLParseError(message, line or None, column or None, filename)


def _ampersand(message: str, line_text: str, column: int) -> tuple[str, int]:
    """An unescaped '&' (a URL's query string, 'Tom & Jerry') is the most common real-world cause
    of a broken entity reference: name it and point at the '&', not where libxml2 gave up."""
    at = line_text.rfind("&", 0, column)
    if at < 0:
        return message, column
    if message.startswith("Entity '"):  # &name; with a name XML does not know
        name = line_text[at + 1 : line_text.find(";", at)]
        return f"unknown entity '&{name};': XML knows only &amp; &lt; &gt; &quot; &apos; (write '&' as '&amp;')", at + 1
    return "'&' must be written '&amp;' (in text and in attribute values such as URLs)", at + 1
