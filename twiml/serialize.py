"""Direct XML string writer: twilio's exact bytes without building an ElementTree.

Hot path (runs on every webhook), so it works on plain strings and keeps lookups local.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from twiml.errors import TwiMLException
from twiml.naming import XML_NAMES, check_name, is_xml_name

if TYPE_CHECKING:
    from twiml.base import TwiML

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

# Characters XML 1.0 cannot carry at all (not even as references); lone surrogates too.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _forbidden(text: str, where: str) -> TwiMLException:
    bad = _FORBIDDEN.search(text)
    assert bad is not None
    return TwiMLException(
        f"{where} contains U+{ord(bad.group()):04X} at index {bad.start()}, "
        "which XML 1.0 does not allow (Twilio would fail with 12100)"
    )


def _markup_escaped(text: str) -> str:
    """`&`, `<` and `>` as references: what text and attribute values both escape."""
    text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def escape_text(text: str, element: str = "?") -> str:
    """Text content escaped; a carriage return becomes `&#13;` so that it survives a parse
    (a raw one is read back as a newline)."""
    printable = text.isprintable()  # what XML forbids is never printable: the regex only when not
    if not printable and _FORBIDDEN.search(text):
        raise _forbidden(text, f"text of <{element}>")
    text = _markup_escaped(text)
    return text if printable else text.replace("\r", "&#13;")


def escape_attr(text: str, element: str = "?", attr: str = "?") -> str:
    """An attribute value escaped for double quotes; line breaks and tabs become references so
    that they survive a parse (one reads them back as spaces)."""
    printable = text.isprintable()
    if not printable and _FORBIDDEN.search(text):
        raise _forbidden(text, f"attribute {attr!r} of <{element}>")
    text = _markup_escaped(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if printable:
        return text
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


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


def body_text(value: Any, element: str = "?") -> str:
    """Body value as text: None is absent, dicts become JSON (for <Task>), bools lower-case,
    bytes UTF-8 (anything else raises TwiMLException naming the element)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TwiMLException(
                f"body of <{element}> is bytes that are not UTF-8 ({exc.reason} at {exc.start})"
            ) from None
    return str(value)


def comment_text(text: str) -> str:
    if "--" in text or text.endswith("-"):
        raise TwiMLException(f"comment {text[:30]!r} contains '--' or ends with '-', which XML forbids")
    if _FORBIDDEN.search(text):
        raise _forbidden(text, "comment")
    return "<!--" + text + "-->"


def pi_text(target: str, data: Any) -> str:
    """`<?target data?>`; raises TwiMLException for what XML cannot carry there."""
    text = "" if data is None else str(data)
    # No colon in a target: namespace-aware parsers refuse one.
    if not isinstance(target, str) or not is_xml_name(target, colon=False) or target.lower() == "xml":
        raise TwiMLException(f"{target!r} is not a valid processing instruction target")
    if "?>" in text:
        raise TwiMLException(f"processing instruction data {text[:30]!r} contains '?>', which XML forbids")
    if _FORBIDDEN.search(text):
        raise _forbidden(text, f"processing instruction <?{target}")
    if text and text[0] not in " \t\r\n":
        text = " " + text
    return "<?" + target + text + "?>"


def markup_text(node: TwiML) -> str:
    """A comment or processing instruction node as XML."""
    if node.name == "#pi":
        return pi_text(node.target, node.value)  # type: ignore[attr-defined]  # "#pi" nodes are ProcessingInstructions
    return comment_text(node.value)


_PLAIN: set[str] = set()
"""Short attribute values already seen to need no escaping ("POST", voices, callback URLs): the
same few repeat on every response, so most values cost one set lookup instead of five checks."""


def _attr_value(value: Any, element: str, key: str) -> str:
    """An attribute value that is not a plain string, or not yet known to need no escaping."""
    if value.__class__ is not str:
        value = attr_text(value)
    if "&" in value or "<" in value or ">" in value or '"' in value or not value.isprintable():
        return escape_attr(value, element, key)
    if len(value) <= 200 and value.__class__ is str:
        if len(_PLAIN) > 10_000:  # values made from data: keep the set bounded
            _PLAIN.clear()
        _PLAIN.add(value)
    return value  # type: ignore[no-any-return]  # attr_text returns str; mypy cannot follow the class test


HeadWriter = Callable[[dict[str, Any], str], str]

_HEADS: dict[tuple[str, ...], HeadWriter] = {}
"""Attribute keys in insertion order -> a function writing a start tag with exactly those keys.

A builder method inserts its keywords in one order, so a few key sets cover a document. Each
set's names are checked and sorted once, and its second sighting compiles a writer with the
sorted keys written out: no loop, no sort, one string built per start tag (the attribute loop
was about 40% of the writer's time on 200 Gathers with Says)."""
_SEEN: set[tuple[str, ...]] = set()
"""Key sets seen once (written by the loop, which compiles a writer when it sees one again)."""


def _start_tag(keys: tuple[str, ...], attrs: dict[str, Any], element: str) -> str:
    """`<element key="value" ...` for a key set without a compiled writer yet; its second
    sighting compiles one (checks in the writers' order: each value, then its name)."""
    order = sorted(keys) if len(keys) > 1 else keys
    head = "<" + element
    for key in order:
        value = attrs[key]
        if value.__class__ is not int:
            value = _attr_value(value, element, key)
        if key not in XML_NAMES:
            check_name(key, element, attribute=True)
        head = f'{head} {key}="{value}"'
    if keys in _SEEN:
        _compile_head(keys, order)
    else:
        if len(_SEEN) > 10_000:  # key sets made from data: keep the caches bounded
            _SEEN.clear()
        _SEEN.add(keys)
    return head


def _compile_head(keys: tuple[str, ...], order: Sequence[str]) -> HeadWriter:
    """The start tag writer for `keys` (checked XML names, so safe to write into source: no
    quote, brace or backslash can occur in one)."""
    lines = ["def head(attrs, name):"]
    parts = []
    for i, key in enumerate(order):
        lines += [
            f"    v{i} = attrs[{key!r}]",
            f"    if v{i}.__class__ is str:",
            f"        if v{i} not in plain: v{i} = value(v{i}, name, {key!r})",
            f"    elif v{i}.__class__ is not int: v{i} = value(v{i}, name, {key!r})",
        ]
        parts.append(f' {key}="{{v{i}}}"')
    lines.append(f"    return f'<{{name}}{''.join(parts)}'")
    env: dict[str, Any] = {"plain": _PLAIN, "value": _attr_value}
    exec(compile("\n".join(lines), "<twiml start tag writer>", "exec"), env)
    if len(_HEADS) > 10_000:
        _HEADS.clear()
    writer: HeadWriter = env["head"]
    _HEADS[keys] = writer
    return writer


def _write(node: TwiML, put: Callable[[str], object], whole: bool = True) -> None:
    """Write `node`'s XML through `put` (`out.append`) in pieces (only its start tag, `<Name ...>`,
    when not `whole`): the one writer behind compact and pretty output.

    Attributes are sorted, as twilio writes them; each value is escaped inline: a few `in`
    checks per value, the careful escaper (which also refuses what XML forbids) only when one
    hits. Integers and values seen before (`_PLAIN`) need no check; names are matched against
    the XML grammar once (`XML_NAMES`, `_HEADS`).
    """
    name = node.name
    if name not in XML_NAMES:
        if name == "#comment" or name == "#pi":  # before the empty-value check: Comment("") is `<!---->`
            put(markup_text(node))
            return
        check_name(name, name)
    attrs = node.attrs
    if attrs:
        keys = tuple(attrs)
        writer = _HEADS.get(keys)
        head = _start_tag(keys, attrs, name) if writer is None else writer(attrs, name)
    else:
        head = "<" + name
    if not whole:
        put(head + ">")
        return
    value = node.value
    verbs = node.verbs
    if value is None or value == "":
        if not verbs:
            put(head + " />")
            return
        for verb in verbs:
            if verb or not isinstance(verb, str):
                break
        else:  # only empty strings inside: twilio self-closes
            put(head + " />")
            return
        put(head + ">")
    else:
        text = value if value.__class__ is str else body_text(value, name)
        if "&" in text or "<" in text or ">" in text or not text.isprintable():
            text = escape_text(text, name)
        if not verbs:
            put(f"{head}>{text}</{name}>")
            return
        put(f"{head}>{text}")
    for verb in verbs:
        if isinstance(verb, str):
            if verb:
                if "&" in verb or "<" in verb or ">" in verb or not verb.isprintable():
                    verb = escape_text(verb, name)
                put(verb)
        else:
            _write(verb, put)
    put("</" + name + ">")


def one_line(node: TwiML) -> bool:
    """Whether pretty output writes `node` on one line: it holds text, or no element at all."""
    value = node.value
    if not (value is None or value == ""):
        return True
    verbs = node.verbs
    kinds = set(map(type, verbs))  # at C speed: a root can hold tens of thousands of verbs
    texts = [k for k in kinds if issubclass(k, str)]
    if not texts:
        return not verbs
    return len(texts) == len(kinds) or any(isinstance(v, str) and v for v in verbs)


def _write_pretty(node: TwiML, out: list[str], indent: str, depth: int) -> None:
    """Indent elements that hold only elements; leave any element with text exactly as is."""
    verbs = node.verbs
    out.append(indent * depth)
    if one_line(node):
        _write(node, out.append)
        out.append("\n")
        return
    _write(node, out.append, whole=False)
    out.append("\n")
    for verb in verbs:
        if not isinstance(verb, str):
            _write_pretty(verb, out, indent, depth + 1)
    out.append(indent * depth + "</" + node.name + ">\n")


def _measure(node: TwiML, size: list[int]) -> None:
    """Add the length of `node`'s compact XML to size[0] (characters) and size[1] (extra UTF-8
    bytes of non-ASCII text), with `_write`'s checks but without building strings."""
    name = node.name
    if name == "#comment" or name == "#pi":
        text = markup_text(node)
        size[0] += len(text)
        if not text.isascii():
            size[1] += len(text.encode("utf-8")) - len(text)
        return
    if name not in XML_NAMES:
        check_name(name, name)
    chars = len(name) + 1
    extra = 0 if name.isascii() else len(name.encode("utf-8")) - len(name)
    attrs = node.attrs
    if attrs:
        names = XML_NAMES
        for key, value in attrs.items():
            if key not in names:
                check_name(key, name, attribute=True)
            if value.__class__ is not str:
                value = attr_text(value)
            if "&" in value or "<" in value or ">" in value or '"' in value or not value.isprintable():
                value = escape_attr(value, name, key)
            chars += len(key) + len(value) + 4
            if not value.isascii():
                extra += len(value.encode("utf-8")) - len(value)
            if not key.isascii():
                extra += len(key.encode("utf-8")) - len(key)
    value = node.value
    empty = value is None or value == ""
    if not empty:
        text = value if value.__class__ is str else body_text(value, name)
        if "&" in text or "<" in text or ">" in text or not text.isprintable():
            text = escape_text(text, name)
        chars += len(text)
        if not text.isascii():
            extra += len(text.encode("utf-8")) - len(text)
    inner = size[0]
    for verb in node.verbs:
        if isinstance(verb, str):
            if verb:
                empty = False
                if "&" in verb or "<" in verb or ">" in verb or not verb.isprintable():
                    verb = escape_text(verb, name)
                chars += len(verb)
                if not verb.isascii():
                    extra += len(verb.encode("utf-8")) - len(verb)
        else:
            _measure(verb, size)
    if empty and size[0] == inner:  # no text and no child nodes: `<Name ... />`
        chars += 3
    else:  # `>` and `</Name>`; the name's extra bytes twice
        chars += len(name) + 4
        if not name.isascii():
            extra += len(name.encode("utf-8")) - len(name)
    size[0] += chars
    size[1] += extra


def compact_size(node: TwiML, xml_declaration: bool = True) -> tuple[int, int]:
    """Characters and UTF-8 bytes of ``node.to_xml(xml_declaration)``, without writing it.
    Raises TwiMLException exactly when `to_xml` would."""
    size = [len(DECLARATION) if xml_declaration else 0, 0]
    _measure(node, size)
    for item in (*node.prolog, *node.epilog):
        _measure(item, size)
    return size[0], size[0] + size[1]


def _around(node: TwiML, xml_declaration: bool) -> tuple[str, str]:
    """What pretty output writes before the root (declaration, comments, processing
    instructions) and after it, one per line."""
    before = (DECLARATION + "\n" if xml_declaration else "") + "".join(markup_text(m) + "\n" for m in node.prolog)
    return before, "".join(markup_text(m) + "\n" for m in node.epilog)


def pretty_frame(node: TwiML, xml_declaration: bool = True) -> tuple[str, str] | None:
    """What pretty output writes before the first and after the last child of `node`, when its
    children go one per line (declaration, comments before the root, start tag; end tag,
    comments after); None when `node` goes on one line. With `pretty_child` this lets a view
    rewrite only the children that changed (the editor's preview)."""
    if one_line(node):
        return None
    before, after = _around(node, xml_declaration)
    out = [before]
    _write(node, out.append, whole=False)
    out.append("\n")
    return "".join(out), "</" + node.name + ">\n" + after


def pretty_child(node: TwiML, depth: int = 1, indent: str = "  ") -> str:
    """`node` as pretty output writes it `depth` levels below the root (ends with a newline)."""
    out: list[str] = []
    _write_pretty(node, out, indent, depth)
    return "".join(out)


def to_string(node: TwiML, xml_declaration: bool = True, pretty: bool = False, indent: str = "  ") -> str:
    if pretty:
        frame = pretty_frame(node, xml_declaration)
        if frame is None:  # on one line: text inside the root, or no element in it
            before, after = _around(node, xml_declaration)
            out = [before]
            _write(node, out.append)
            out.append("\n" + after)
            return "".join(out)
        indent = "  " if indent is None else indent
        parts = [frame[0]]
        for verb in node.verbs:
            if not isinstance(verb, str):
                _write_pretty(verb, parts, indent, 1)
        parts.append(frame[1])
        return "".join(parts)
    out = [DECLARATION] if xml_declaration else []
    if node.prolog:  # comments and processing instructions around a parsed root
        out.extend(markup_text(m) for m in node.prolog)
    _write(node, out.append)
    if node.epilog:
        out.extend(markup_text(m) for m in node.epilog)
    return "".join(out)
