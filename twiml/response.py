"""The base of the three document roots (VoiceResponse, MessagingResponse, FaxResponse)."""

from __future__ import annotations

import os
from typing import TypeVar

from twiml.base import TwiML
from twiml.errors import TwiMLException
from twiml.grammar_types import Element

__all__ = ["Response"]

R = TypeVar("R", bound="Response")


class Response(TwiML):
    """A <Response> of one kind: the root of a document, which can also be read from XML."""

    @classmethod
    def from_xml(cls: type[R], source: str | bytes | os.PathLike[str]) -> R:
        """Parse TwiML as this kind of document; see `twiml.parse`.

        A str or bytes is always the document's text, never a file name (a request body that
        happens to name a file must not read it); pass a `pathlib.Path` to read a file.
        """
        from twiml.parser import parse, parse_text  # loads lxml only when a document is read

        element: Element | None = getattr(cls, "_element", None)
        kind = element.kind if element is not None else None
        doc = parse(source, kind=kind) if isinstance(source, os.PathLike) else parse_text(source, kind=kind)
        if not isinstance(doc, cls):
            raise TwiMLException(f"parsed document is a {type(doc).__name__}, not a {cls.__name__}")
        return doc
