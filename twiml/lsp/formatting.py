"""Formatting: the whole document as `twiml format` writes it, one edit."""

from __future__ import annotations

from lsprotocol import types as T

from twiml.lsp.analysis import TwimlFile
from twiml.lsp.protocol import lsp_range

__all__ = ["format_edits", "format_text"]


def format_edits(f: TwimlFile, indent: int) -> list[T.TextEdit] | None:
    """The edit that formats `f` ([] when it is formatted already, None when it does not parse);
    `indent` spaces per level, or a tab when 0."""
    formatted = format_text(f.text, indent)
    if formatted is None or formatted == f.text:
        return [] if formatted is not None else None
    return [T.TextEdit(lsp_range(f, 0, len(f.text)), formatted)]


def format_text(text: str, indent: int = 2) -> str | None:
    """What `twiml format` writes for `text` (None when it does not parse)."""
    from twiml.errors import TwiMLException
    from twiml.parser import parse

    try:
        doc = parse(text.encode("utf-8") if not text.startswith("<") else text)
        out = doc.to_xml(xml_declaration=True, pretty=True, indent=" " * indent if indent else "\t")
    except TwiMLException:
        return None
    return out if out.endswith("\n") else out + "\n"
