"""What `twiml.parser` does before and after libxml2 sees a document: read and decode the input
(`twiml.decoding`, the one decoder), refuse a DOCTYPE with its place, and turn libxml2's
syntax errors into a `TwiMLParseError` with a readable message, line and column.
"""

from __future__ import annotations

import os
import re

from lxml import etree

from twiml.decoding import decode, line_column
from twiml.errors import TwiMLParseError
from twiml.files import read_bytes

_WS = " \t\r\n"
_PROLOG_SKIP = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->)", re.S)
_LXML_POSITION = re.compile(r",? line \d+(?:, column \d+)?\s*$")


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


def _syntax_error(exc: etree.XMLSyntaxError, filename: str | None, text: str | None = None) -> TwiMLParseError:
    last = exc.error_log.last_error if exc.error_log else None
    message = (last.message if last is not None and last.message else str(exc.msg or exc)).strip()
    message = _LXML_POSITION.sub("", message).strip() or "malformed XML"
    line, column = exc.position if exc.position else (None, None)
    if text is not None and line and column and ("EntityRef" in message or message.startswith("Entity '")):
        message, column = _ampersand(
            message, text.split("\n")[line - 1] if line <= text.count("\n") + 1 else "", column
        )
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
