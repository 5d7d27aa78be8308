"""TwiML toolkit: a faster drop-in for `twilio.twiml` that can also read, check and export TwiML.

`from twiml.voice_response import VoiceResponse` works like `twilio.twiml.voice_response`.
"""

from __future__ import annotations

from typing import Any

# Loading the three kinds' modules registers every builder class for the parser and the editor.
from twiml import fax_response as fax_response
from twiml import messaging_response as messaging_response
from twiml import voice_response as voice_response
from twiml.base import GenericNode, TwiML, format_language, lower_camel
from twiml.errors import TwiMLException, TwiMLParseError

__version__ = "0.1.0"
"""Kept equal to pyproject.toml's version (a test checks); `twiml --version` prefers the installed metadata."""

__all__ = [
    "Diagnostic",
    "GenericNode",
    "SourceDocument",
    "TwiML",
    "TwiMLException",
    "TwiMLParseError",
    "format_language",
    "load",
    "loads",
    "lower_camel",
    "parse",
    "to_python",
    "validate",
]

_LAZY = {
    "parse": "twiml.parser",
    "validate": "twiml.validator",
    "Diagnostic": "twiml.validator",
    "to_python": "twiml.exporter",
    "load": "twiml.source",
    "loads": "twiml.source",
    "SourceDocument": "twiml.source",
}


def __getattr__(name: str) -> Any:
    """Load the parser, validator and exporter only when used, so webhooks import fast."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'twiml' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
