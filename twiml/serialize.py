"""Direct XML string writer: twilio's exact bytes without building an ElementTree.

Hot path (runs on every webhook), so it works on plain strings and keeps lookups local.
"""
from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from twiml.errors import TwiMLException

if TYPE_CHECKING:
    from twiml.base import TwiML

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

# Characters XML 1.0 cannot carry at all (not even as references); lone surrogates too.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_SPECIAL = re.compile('[&<>"\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')


def _forbidden(text: str, where: str) -> TwiMLException:
    bad = _FORBIDDEN.search(text)
    assert bad is not None
    return TwiMLException(
        f"{where} contains U+{ord(bad.group()):04X} at index {bad.start()}, "
        "which XML 1.0 does not allow (Twilio would fail with 12100)"
    )


def escape_text(text: str, element: str = "?") -> str:
    if _TEXT_SPECIAL.search(text) is None:
        return text
    if _FORBIDDEN.search(text):
        raise _forbidden(text, f"text of <{element}>")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(text: str, element: str = "?", attr: str = "?") -> str:
    if _ATTR_SPECIAL.search(text) is None:
        return text
    if _FORBIDDEN.search(text):
        raise _forbidden(text, f"attribute {attr!r} of <{element}>")
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        .replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")
    )


def attr_text(value: Any) -> str:
    """An attribute value as Twilio expects it: booleans lower-case, lists space-separated."""
    if value.__class__ is str:
        return value  # type: ignore[no-any-return]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(attr_text(v) for v in value)
    return str(value)


def body_text(value: Any) -> str:
    """Body value as text: None is absent, dicts become JSON (for <Task>), bools lower-case."""
    if value.__class__ is str:
        return value  # type: ignore[no-any-return]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def comment_text(text: str) -> str:
    if "--" in text or text.endswith("-"):
        raise TwiMLException(f"comment {text[:30]!r} contains '--' or ends with '-', which XML forbids")
    if _FORBIDDEN.search(text):
        raise _forbidden(text, "comment")
    return "<!--" + text + "-->"


def _head(node: TwiML) -> str:
    """`<Name attr="v" ...` with attributes sorted, as twilio writes them."""
    name = node.name
    attrs = node.attrs
    if not attrs:
        return "<" + name
    parts = ["<", name]
    for key in sorted(attrs):
        value = attrs[key]
        text = value if value.__class__ is str else attr_text(value)
        if _ATTR_SPECIAL.search(text) is not None:
            text = escape_attr(text, name, key)
        parts.append(f' {key}="{text}"')
    return "".join(parts)


def _write(node: TwiML, out: list[str]) -> None:
    name = node.name
    if name == "#comment":
        out.append(comment_text(node.value))
        return
    head = _head(node)
    value = node.value
    verbs = node.verbs
    if value is None or value == "":
        if not verbs:
            out.append(head + " />")
            return
        mark = len(out)
        out.append(head + ">")
    else:
        text = value if value.__class__ is str else body_text(value)
        if _TEXT_SPECIAL.search(text) is not None:
            text = escape_text(text, name)
        mark = -1
        out.append(head + ">" + text)
    for verb in verbs:
        if verb.__class__ is str or isinstance(verb, str):
            if verb:
                if _TEXT_SPECIAL.search(verb) is not None:
                    verb = escape_text(verb, name)  # type: ignore[arg-type]
                out.append(verb)  # type: ignore[arg-type]
        else:
            _write(verb, out)  # type: ignore[arg-type]
    if mark >= 0 and len(out) == mark + 1:
        out[mark] = head + " />"  # only empty strings inside: twilio self-closes
    else:
        out.append("</" + name + ">")


def _write_pretty(node: TwiML, out: list[str], indent: str, depth: int) -> None:
    """Indent elements that hold only elements; leave any element with text exactly as is."""
    has_text = any(isinstance(v, str) and v for v in node.verbs) or not (node.value is None or node.value == "")
    if has_text or not any(not isinstance(v, str) for v in node.verbs):
        out.append(indent * depth)
        _write(node, out)
        out.append("\n")
        return
    out.append(indent * depth + _head(node) + ">\n")
    for verb in node.verbs:
        if not isinstance(verb, str):
            _write_pretty(verb, out, indent, depth + 1)
    out.append(indent * depth + "</" + node.name + ">\n")


def to_string(node: TwiML, xml_declaration: bool = True, pretty: bool = False, indent: str = "  ") -> str:
    out: list[str] = [DECLARATION] if xml_declaration else []
    if pretty:
        if xml_declaration:
            out.append("\n")
        _write_pretty(node, out, indent, 0)
    else:
        _write(node, out)
    return "".join(out)
