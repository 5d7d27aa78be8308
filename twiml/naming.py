"""twilio's naming rules, stated once: Python keyword -> XML attribute, class -> builder method.

The grammar table writes only the Python keyword of an attribute and the class of a child; the
XML attribute name and the builder method name follow from these rules.
"""

from __future__ import annotations

import functools
import keyword
import re
from typing import Any

from twiml.errors import TwiMLException

__all__ = ["attribute_name", "check_name", "element_name", "is_xml_name", "lower_camel", "method_name"]

# XML 1.0 (fifth edition) Name production, with at most one colon between two non-empty parts
# (a prefixed name such as `xml:lang` or `amazon:effect`), as namespace-aware parsers require.
_START = (
    "A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
NAME_PART = f"[{_START}][{_START}\\-.0-9\xb7\u0300-\u036f\u203f\u2040]*"
_ASCII_PART = "[A-Z_a-z][A-Z_a-z\\-.0-9]*"  # the same production restricted to ASCII
_ASCII_NAMES = (re.compile(_ASCII_PART), re.compile(f"{_ASCII_PART}(?::{_ASCII_PART})?"))


@functools.cache
def _unicode_name(colon: bool) -> re.Pattern[str]:
    """The whole production, compiled on first use: its Unicode ranges take ~20 ms to compile
    (paid by every program that imports twiml), and names are nearly always ASCII."""
    return re.compile(f"{NAME_PART}(?::{NAME_PART})?" if colon else NAME_PART)


def is_xml_name(name: str, colon: bool = True) -> bool:
    """Whether `name` is an XML name; with `colon`, one colon may join two non-empty parts."""
    pattern = _ASCII_NAMES[colon] if name.isascii() else _unicode_name(colon)
    return pattern.fullmatch(name) is not None


XML_NAMES: set[str] = set()
"""Names already checked: the same few names repeat, so each is matched once."""


def check_name(name: Any, element: str, attribute: bool = False) -> None:
    """Raise TwiMLException unless `name` is an XML name (element name, or an attribute name of
    `element` when `attribute`); twilio writes any string, which can inject markup."""
    if name.__class__ is str and is_xml_name(name):
        if len(XML_NAMES) > 10_000:  # names made from data: keep the cache bounded
            XML_NAMES.clear()
        XML_NAMES.add(name)
        return
    what = f"attribute name {name!r} of <{element}>" if attribute else f"element name {name!r}"
    raise TwiMLException(f"{what} is not an XML name, so it cannot be written")


SPECIAL_KEYWORDS = {
    "from_": "from",
    "xml_lang": "xml:lang",
    "interpret_as": "interpret-as",
    "for_": "for",
    "break_": "break",
}

KEY_CACHE: dict[str, str] = {}


def lower_camel(string: str) -> str:
    """snake_case keyword -> lowerCamel XML attribute name, exactly as twilio spells it.

    Names without an underscore pass through, so camelCase keywords stay as given.
    """
    if not string or "_" not in string:
        return string
    joined = "".join(part.title() for part in string.split("_"))
    return joined[:1].lower() + joined[1:]


def attribute_name(keyword: str, element: str = "?") -> str:
    """XML attribute name for a Python keyword (special names first, then lower_camel); cached.
    Raises TwiMLException, naming `element`, when the result is not an XML name."""
    name = KEY_CACHE.get(keyword)
    if name is None:
        name = lower_camel(SPECIAL_KEYWORDS.get(keyword, keyword))
        check_name(name, element, attribute=True)
        KEY_CACHE[keyword] = name
    return name


_UPPER = re.compile(r"(?<!^)(?=[A-Z])")


def method_name(xml: str) -> str:
    """Builder method that appends a child with this XML name: snake_case, ``_`` after keywords
    (`Say` -> `say`, `say-as` -> `say_as`, `break` -> `break_`)."""
    name = _UPPER.sub("_", xml).lower().replace("-", "_")
    return name + "_" if keyword.iskeyword(name) else name


def element_name(cls: str) -> str:
    """XML name of a class: the class name, or for SSML classes the lowercase SSML tag
    (`SsmlSayAs` -> `say-as`).  The grammar writes only the exceptions (roots are `Response`)."""
    if cls.startswith("Ssml") and len(cls) > 4:
        return _UPPER.sub("-", cls[4:]).lower()
    return cls
