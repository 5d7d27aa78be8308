"""twilio's naming rules, stated once: Python keyword -> XML attribute, class -> builder method.

The grammar table writes only the Python keyword of an attribute and the class of a child; the
XML attribute name and the builder method name follow from these rules.
"""

from __future__ import annotations

import keyword
import re

from twiml.serialize import check_name

__all__ = ["attribute_name", "element_name", "lower_camel", "method_name"]

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
