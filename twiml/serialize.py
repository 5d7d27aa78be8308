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
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#13;")
        .replace("\n", "&#10;")
        .replace("\t", "&#09;")
    )


def attr_text(value: Any) -> str:
    """An attribute value as Twilio expects it: booleans lower-case, lists space-separated."""
    cls = value.__class__
    if cls is str:
        return value  # type: ignore[no-any-return]  # the exact-class test is the hot path; mypy narrows only isinstance
    if cls is int:
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(attr_text(v) for v in value)
    return str(value)


def body_text(value: Any) -> str:
    """Body value as text: None is absent, dicts become JSON (for <Task>), bools lower-case."""
    if isinstance(value, str):
        return value
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
    head = "<" + name
    if not attrs:
        return head
    for key in sorted(attrs):
        head += f' {key}="{escape_attr(attr_text(attrs[key]), name, key)}"'
    return head


def _write(node: TwiML, out: list[str]) -> None:
    name = node.name
    if name == "#comment":
        out.append(comment_text(node.value))
        return
    attrs = node.attrs
    if attrs:
        head = "<" + name
        for key in sorted(attrs):
            value = attrs[key]
            head += f' {key}="{value if value.__class__ is str else attr_text(value)}"'
        # Fast path: printable, and quotes and '<' only where we put them; else escape per value.
        if (
            not head.isprintable()
            or "&" in head
            or ">" in head
            or head.count('"') != 2 * len(attrs)
            or head.count("<") != 1
        ):
            head = _head(node)
    else:
        head = "<" + name
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
        if not text.isprintable() or "&" in text or "<" in text or ">" in text:
            text = escape_text(text, name)
        if not verbs:
            out.append(f"{head}>{text}</{name}>")
            return
        mark = -1
        out.append(head + ">" + text)
    for verb in verbs:
        if isinstance(verb, str):
            if verb:
                if not verb.isprintable() or "&" in verb or "<" in verb or ">" in verb:
                    verb = escape_text(verb, name)
                out.append(verb)
        else:
            _write(verb, out)
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


_PLAIN_ASCII = bytes(c for c in range(32, 127) if chr(c) not in '"<>&')


def _plain_markup(doc: str, attrs: int, tags: int) -> bool:
    """True when the only markup characters in `doc` are the ones the writer put there
    (two quotes per attribute, one '<' and '>' per tag) and nothing needs escaping."""
    if doc.isascii():
        rest = doc.encode("ascii").translate(None, _PLAIN_ASCII)
        return len(rest) == 2 * (attrs + tags) and rest.count(b"<") == tags and rest.count(b">") == tags
    return (
        doc.isprintable()
        and "&" not in doc
        and doc.count('"') == 2 * attrs
        and doc.count("<") == tags
        and doc.count(">") == tags
    )


def _write_unchecked(node: TwiML, out: list[str], counts: list[int]) -> None:
    """Like `_write` but without escaping; `to_string` verifies the result by counting
    the markup characters and falls back to `_write` when any value needed escaping."""
    name = node.name
    if name == "#comment":  # before the empty-value check: Comment("") is `<!---->`
        counts[1] += 1
        out.append(comment_text(node.value))
        return
    attrs = node.attrs
    head = "<" + name
    if attrs:
        counts[0] += len(attrs)
        for key in sorted(attrs):
            value = attrs[key]
            head += f' {key}="{value if value.__class__ is str else attr_text(value)}"'
    value = node.value
    verbs = node.verbs
    if value is None or value == "":
        if not verbs:
            counts[1] += 1
            out.append(head + " />")
            return
        mark = len(out)
        out.append(head + ">")
    else:
        text = value if value.__class__ is str else body_text(value)
        if not verbs:
            counts[1] += 2
            out.append(f"{head}>{text}</{name}>")
            return
        mark = -1
        out.append(head + ">" + text)
    for verb in verbs:
        if isinstance(verb, str):
            if verb:
                out.append(verb)
        else:
            _write_unchecked(verb, out, counts)
    if mark >= 0 and len(out) == mark + 1:
        counts[1] += 1
        out[mark] = head + " />"
    else:
        counts[1] += 2
        out.append("</" + name + ">")


def to_string(node: TwiML, xml_declaration: bool = True, pretty: bool = False, indent: str = "  ") -> str:
    if not pretty:
        out: list[str] = []
        counts = [0, 0]  # attributes, tags
        try:
            _write_unchecked(node, out, counts)
        except TwiMLException:
            pass
        else:
            doc = "".join(out)
            if _plain_markup(doc, counts[0], counts[1]):
                return DECLARATION + doc if xml_declaration else doc
    out = [DECLARATION] if xml_declaration else []
    if pretty:
        if xml_declaration:
            out.append("\n")
        _write_pretty(node, out, "  " if indent is None else indent, 0)
    else:
        _write(node, out)
    return "".join(out)
