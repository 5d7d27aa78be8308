"""The builder class of each grammar entry, recorded by `twiml.builders.install` as each response
module loads.

The parser and the editor look classes up here instead of importing the response modules, whose
roots read XML through the parser: that would be an import cycle.  The `twiml` package loads all
three response modules, so every entry is present before anything can ask.
"""

from __future__ import annotations

from twiml.base import TwiML
from twiml.grammar_types import MODULES, Element

__all__ = ["class_of", "register"]

_CLASSES: dict[int, type[TwiML]] = {}
"""Builder class by id of its grammar entry (entries are unhashable)."""


def register(element: Element, cls: type[TwiML]) -> None:
    _CLASSES[id(element)] = cls


def class_of(element: Element) -> type[TwiML]:
    """The builder class of a grammar entry."""
    try:
        return _CLASSES[id(element)]
    except KeyError:
        raise LookupError(
            f"no builder class for {element.kind} {element.cls}: twiml.{MODULES[element.kind]} is not loaded"
        ) from None
