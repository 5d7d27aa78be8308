"""Helpers for users' own tests of webhooks that return TwiML.

`assert_twiml_equal` compares documents; `Call` and `Text` (loaded on first use) play a call or an
SMS exchange against a WSGI/ASGI app, a flow folder (`folder=`), a Twilio Studio flow (`studio=`), a
file or a URL, and assert on it in the caller's terms (`expect_heard`, `expect_sent`,
`expect_request`, `expect_ended`).
"""

from __future__ import annotations

import difflib
import os
from typing import TYPE_CHECKING, Any, Union

from twiml.base import TwiML
from twiml.errors import TwiMLParseError

if TYPE_CHECKING:
    from twiml.simulator.api import CannotCall
    from twiml.studio.api import Call, Text

__all__ = ["Call", "CannotCall", "Text", "assert_twiml_equal", "canonical"]

TwiMLSource = Union[str, bytes, "os.PathLike[str]", TwiML]


def _document(source: TwiMLSource, label: str) -> TwiML:
    from twiml.parser import parse

    # Objects go through XML too, so `num_digits=4` and a parsed `numDigits="4"` compare equal.
    text: str | bytes | os.PathLike[str] = source.to_xml() if isinstance(source, TwiML) else source
    try:
        return parse(text)
    except TwiMLParseError as exc:
        raise AssertionError(f"{label} document is not well-formed TwiML: {exc}") from exc


def canonical(source: TwiMLSource) -> str:
    """The compact canonical XML of a document: sorted attributes, no formatting whitespace."""
    return _document(source, "the").to_xml(xml_declaration=False)


def assert_twiml_equal(first: TwiMLSource, second: TwiMLSource, msg: str | None = None) -> None:
    """Fail unless two documents are the same TwiML, whatever their formatting.

    Attribute order, quoting, self-closing style, the XML declaration and indentation do not
    matter; text content does. The failure shows a unified diff of both documents indented.
    """
    a = _document(first, "first")
    b = _document(second, "second")
    if a.to_xml(xml_declaration=False) == b.to_xml(xml_declaration=False):
        return
    pretty_a = a.to_xml(xml_declaration=False, pretty=True).splitlines()
    pretty_b = b.to_xml(xml_declaration=False, pretty=True).splitlines()
    diff = "\n".join(difflib.unified_diff(pretty_a, pretty_b, "first", "second", lineterm=""))
    raise AssertionError((msg + "\n" if msg else "") + "TwiML documents differ:\n" + diff)


def __getattr__(name: str) -> Any:
    """`Call` and `Text` import the simulator (and httpx) only when a test uses them: the simulator's
    with the `expect_*` assertions and `folder=` (twiml.flowtest), and `studio=` (twiml.studio)."""
    if name in ("Call", "Text"):
        from twiml.studio import api

        return getattr(api, name)
    if name == "CannotCall":
        from twiml.simulator.api import CannotCall

        return CannotCall
    raise AttributeError(f"module 'twiml.testing' has no attribute {name!r}")
