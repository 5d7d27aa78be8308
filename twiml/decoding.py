"""How the bytes of an XML document become text: one decision for the parser and the
format-preserving loader, so what is parsed and what is written back agree on the encoding.

The order is an XML processor's: a byte order mark first, then UTF-16 recognised without one,
then the encoding the declaration names, else UTF-8. Every failure is a TwiMLParseError with the
place it was found.
"""

from __future__ import annotations

import codecs
import contextlib
import re

from twiml.errors import TwiMLParseError

__all__ = ["decode", "line_column", "sniff_encoding"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECL_ENCODING = re.compile(rb"^[ \t\r\n]*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_NOT_CHARSETS = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"})
"""Text codecs Python has that are no character set a document can be written in."""


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, index) + 1
    return line, index - text.rfind("\n", 0, index)


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


def sniff_encoding(data: bytes, filename: str | None = None) -> tuple[str, bytes]:
    """The codec name of a document's bytes and its byte order mark (b"" when it has none).
    Raises TwiMLParseError when the declaration names an encoding no document can be in."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, bom
    if data[:2] in (b"\x00<", b"<\x00"):  # UTF-16 without a BOM
        return ("utf-16-be" if data[0] == 0 else "utf-16-le"), b""
    return _declared_codec(data, filename), b""


def decode(data: bytes, filename: str | None = None) -> tuple[str, str, bytes]:
    """The text of a document's bytes (without the BOM), its codec name and its BOM."""
    encoding, bom = sniff_encoding(data, filename)
    start = len(bom)
    try:
        return data[start:].decode(encoding), encoding, bom
    except UnicodeDecodeError as exc:
        line: int | None = None
        column: int | None = None
        with contextlib.suppress(Exception):  # a position is a courtesy; some codecs cannot give one
            good = data[start : start + exc.start].decode(encoding, errors="replace")
            line, column = line_column(good, len(good))
        raise TwiMLParseError(
            f"input is not valid {encoding}: byte {data[start + exc.start : start + exc.start + 1]!r}"
            f" cannot be decoded",
            line,
            column,
            filename,
        ) from None
    except Exception as exc:  # a codec's own failure (UnicodeError, LookupError, ValueError, ...)
        raise TwiMLParseError(f"input cannot be decoded as {encoding}: {exc}", 1, 1, filename) from None
