"""The one-walk serializer: property tests on generated trees with characters that need care.

The writer once had an unchecked fast path plus a careful rewrite; the one walk that replaced
them was proved equal to that pair on these trees before it was deleted.  Now a reference
writer that escapes one character at a time is the yardstick.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twiml import naming, serialize
from twiml.base import Comment, GenericNode, TwiML
from twiml.errors import TwiMLException
from twiml.voice_response import Gather, Say, VoiceResponse

# Characters that need escaping or checking, plus plain and non-ASCII ones; a few XML forbids.
NASTY = "&<>\"'\r\n\t ab=/;?é中😀\u00a0\u2028\u200d\x85"
FORBIDDEN = "\x00\x1b\x0b\ud800\udfff\ufffe\uffff"
nasty_text = st.text(alphabet=st.sampled_from(NASTY), max_size=10)
# Mostly writable text, sometimes with a forbidden character (then both writers must refuse).
any_text = st.one_of(
    nasty_text, nasty_text, nasty_text, nasty_text, st.text(alphabet=st.sampled_from(NASTY + FORBIDDEN), max_size=10)
)
XML_NAME = re.compile(r"[A-Za-z_][\w.\-]*(:[A-Za-z_][\w.\-]*)?", re.ASCII)
names = st.sampled_from(["Say", "Play", "x", "amazon:effect", "say-as", "Custom", "v:X", "", "1a", "a b", "a:b:c"])
attr_names = st.sampled_from(
    ["a", "b", "voice", "xml:lang", "interpret-as", "statusCallback", "zz", 'x="1"/><R y', ":a", "-a"]
)
attr_values = st.one_of(
    any_text,
    st.integers(-3, 10**6),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.one_of(any_text, st.integers(0, 9), st.booleans()), max_size=3),
)
body_values = st.one_of(st.none(), st.just(""), any_text, st.integers(-1, 99), st.booleans(), st.just({"k": "v&<"}))


@st.composite
def trees(draw: st.DrawFn, text: st.SearchStrategy[str] = any_text) -> TwiML:
    """A random tree: builder classes and generic nodes, attributes of every value type,
    body values, mixed text children (including empty strings) and comments."""
    root: TwiML = VoiceResponse()
    nodes = [root]
    for _ in range(draw(st.integers(0, 10))):
        parent = draw(st.sampled_from(nodes))
        kind = draw(st.integers(0, 5))
        if kind == 0:
            parent.verbs.append(draw(st.one_of(st.just(""), text)))
            continue
        if kind == 1:
            parent.verbs.append(Comment(draw(st.text(alphabet="ab -é", max_size=6))))
            continue
        node: TwiML
        if kind == 2:
            node = Say(draw(st.one_of(st.none(), text)))
        elif kind == 3:
            node = Gather()
        else:
            node = GenericNode("Custom", draw(body_values))
            node.name = draw(names)  # set directly: the writer checks names the builder never saw
        for key in draw(st.lists(attr_names, max_size=3, unique=True)):
            node.attrs[key] = draw(attr_values)
        parent.verbs.append(node)
        nodes.append(node)
    return root


# --- a reference writer, written plainly: one character at a time, no fast paths ----------------

FORBIDDEN_CODES = {*range(0x20)} - {0x09, 0x0A, 0x0D} | {*range(0xD800, 0xE000)} | {0xFFFE, 0xFFFF}
TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
ATTR_ESCAPES = {**TEXT_ESCAPES, '"': "&quot;", "\n": "&#10;", "\t": "&#09;"}


def ref_escape(text: str, table: dict[str, str]) -> str:
    out = []
    for ch in text:
        if ord(ch) in FORBIDDEN_CODES:
            raise TwiMLException("forbidden")
        out.append(table.get(ch, ch))
    return "".join(out)


def ref_attr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(ref_attr(v) for v in value)
    return str(value)


def ref_body(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def ref_element(node: TwiML) -> tuple[str, str, str]:
    """Start tag without its closing '>', inner XML, end tag; (head, '', '') when empty."""
    if not XML_NAME.fullmatch(node.name):
        raise TwiMLException("name")
    head = "<" + node.name
    for key in sorted(node.attrs):
        if not XML_NAME.fullmatch(key):
            raise TwiMLException("name")
        head += f' {key}="{ref_escape(ref_attr(node.attrs[key]), ATTR_ESCAPES)}"'
    inner = ""
    if node.value is not None and node.value != "":
        inner += ref_escape(ref_body(node.value), TEXT_ESCAPES)
    children = False
    for verb in node.verbs:
        if isinstance(verb, str):
            inner += ref_escape(verb, TEXT_ESCAPES)
        else:
            children = True
            inner += ref_write(verb)
    if not inner and not children:
        return head, "", ""
    return head, inner, f"</{node.name}>"


def ref_write(node: TwiML) -> str:
    if isinstance(node, Comment):
        if "--" in node.value or node.value.endswith("-"):
            raise TwiMLException("comment")
        return "<!--" + ref_escape(node.value, {}) + "-->"
    head, inner, tail = ref_element(node)
    return head + " />" if not tail else head + ">" + inner + tail


def ref_pretty(node: TwiML, depth: int = 0) -> str:
    """Elements holding only elements are indented; anything else is written compactly."""
    kids = [v for v in node.verbs if not isinstance(v, str)]
    has_text = any(isinstance(v, str) and v for v in node.verbs) or node.value not in (None, "")
    if isinstance(node, Comment) or has_text or not kids:
        return "  " * depth + ref_write(node) + "\n"
    head = ref_element(node)[0]
    inner = "".join(ref_pretty(k, depth + 1) for k in kids)
    return f"{'  ' * depth}{head}>\n{inner}{'  ' * depth}</{node.name}>\n"


def outcome(func: Any, *args: Any, **kwargs: Any) -> str:
    try:
        return str(func(*args, **kwargs))
    except TwiMLException:
        return "TwiMLException"


@pytest.mark.slow  # a large property run; .ci/run runs it in its slow step
@settings(max_examples=1000, deadline=None)
@given(trees())
def test_writer_equals_reference_writer(tree: TwiML) -> None:
    assert outcome(tree.to_xml, xml_declaration=False) == outcome(ref_write, tree)
    assert outcome(tree.to_xml, xml_declaration=False, pretty=True) == outcome(ref_pretty, tree)
    expected = outcome(ref_write, tree)
    if expected != "TwiMLException":
        assert tree.to_xml() == serialize.DECLARATION + expected
        assert tree.to_xml(pretty=True) == serialize.DECLARATION + "\n" + outcome(ref_pretty, tree)


@pytest.mark.slow  # a large property run; .ci/run runs it in its slow step
@settings(max_examples=1000, deadline=None)
@given(trees(), st.booleans())
def test_compact_size_is_the_written_size(tree: TwiML, declaration: bool) -> None:
    try:
        xml = tree.to_xml(xml_declaration=declaration)
    except TwiMLException:
        with pytest.raises(TwiMLException):
            serialize.compact_size(tree, declaration)
        return
    assert serialize.compact_size(tree, declaration) == (len(xml), len(xml.encode("utf-8")))


@pytest.mark.parametrize(
    ("build", "where"),
    [
        (lambda: Say("a\x00b"), "text of <Say>"),
        (lambda: Say("hi", voice="x\x1b"), "attribute 'voice' of <Say>"),
        (lambda: GenericNode("Custom", None, x_y=["ok", "\ud800"]), "attribute 'xY' of <Custom>"),
        (lambda: Gather().append("t\ufffe"), "text of <Gather>"),
    ],
)
def test_forbidden_characters_name_element_and_attribute(build: Any, where: str) -> None:
    r = VoiceResponse()
    r.append(build())
    for pretty in (False, True):
        with pytest.raises(TwiMLException, match=f"^{where.replace('(', '[(]')} contains U\\+"):
            r.to_xml(pretty=pretty)


# --- names: the XML 1.0 (fifth edition) Name production, with namespace-style prefixes ------

NAME_START_RANGES = [
    (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2FF), (0x370, 0x37D),
    (0x37F, 0x1FFF), (0x200C, 0x200D), (0x2070, 0x218F), (0x2C00, 0x2FEF), (0x3001, 0xD7FF), (0xF900, 0xFDCF),
    (0xFDF0, 0xFFFD), (0x10000, 0xEFFFF),
]  # fmt: skip
NAME_MORE_RANGES = [(0x2D, 0x2E), (0x30, 0x39), (0xB7, 0xB7), (0x300, 0x36F), (0x203F, 0x2040)]


def in_ranges(ch: str, ranges: list[tuple[int, int]]) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in ranges)


def is_ncname(part: str) -> bool:
    return (
        bool(part)
        and in_ranges(part[0], NAME_START_RANGES)
        and all(in_ranges(c, NAME_START_RANGES + NAME_MORE_RANGES) for c in part[1:])
    )


def is_xml_name(name: str) -> bool:
    """Name (':' allowed anywhere by the production) that is also a QName: at most one colon,
    with a non-empty part on each side, which is what a namespace-aware reader accepts."""
    return all(is_ncname(p) for p in name.split(":")) and name.count(":") <= 1


# Characters around every range boundary, plus the markup characters injections use.
EDGES = sorted(
    {c for lo, hi in NAME_START_RANGES + NAME_MORE_RANGES for c in (lo - 1, lo, hi, hi + 1)}
    | {ord(c) for c in ":<>\"= \t\n/&;'!?"} - set(range(0xD800, 0xE000))
)
name_chars = st.one_of(st.sampled_from([chr(c) for c in EDGES]), st.characters(), st.sampled_from("aZ_:-.9"))


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=name_chars, max_size=6))
def test_names_follow_the_xml_name_production(name: str) -> None:
    valid = is_xml_name(name)
    naming.XML_NAMES.discard(name)
    try:
        naming.check_name(name, "X")
    except TwiMLException:
        assert not valid
    else:
        assert valid
    try:
        node = GenericNode(name, "t", b="1")
        node.attrs[name] = "v"
        xml = node.to_xml(xml_declaration=False)
    except TwiMLException as exc:
        assert not valid
        assert "is not an XML name" in str(exc)
    else:
        assert valid
        attrs = "".join(f' {k}="{node.attrs[k]}"' for k in sorted({"b", name}))
        assert xml == f"<{name}{attrs}>t</{name}>"


@pytest.mark.parametrize("name", ["xml:lang", "amazon:effect", "say-as", "interpret-as", "_x.1", "é", "中文"])
def test_prefixed_and_non_ascii_names_stay_valid(name: str) -> None:
    assert GenericNode(name, None, **{name.replace(":", "_").replace("-", "_"): 1}).to_xml(False).startswith("<" + name)


@pytest.mark.parametrize(
    "call",
    [
        lambda r: r.add_child(""),
        lambda r: r.add_child("a b"),
        lambda r: r.add_child("x:y:z"),
        lambda r: r.add_child("Say", None, **{"a=1": 1}),
        lambda r: r.say("Hi", **{'x="1"/><Redirect>https://evil.example/x</Redirect><Say y': "2"}),
        lambda r: r.gather(**{"a b": 1}),
        lambda r: r.add_child("a\ud800"),
        lambda r: Say("Hi", **{"\udc00": 1}),
    ],
)
def test_builder_refuses_names_that_are_not_xml_names(call: Any) -> None:
    with pytest.raises(TwiMLException, match="is not an XML name"):
        call(VoiceResponse())


def test_bytes_body_must_be_utf8() -> None:
    assert Say("é".encode()).to_xml(False) == "<Say>é</Say>"
    with pytest.raises(TwiMLException, match="body of <Say> is bytes that are not UTF-8"):
        Say(b"\xff").to_xml()


def test_validate_reports_a_bad_name_set_directly() -> None:
    from twiml.validator import validate

    r = VoiceResponse()
    r.say("Hi").attrs["\ud800"] = "x"
    r.add_child("Custom").name = "a\udc00"
    found = [d for d in validate(r) if d.code == 12100]
    assert found and "is not an XML name" in found[0].message


# --- the writer before start tags were compiled per key set (kept to prove the new one equal) ----


def previous_write(node: TwiML, out: list[str]) -> None:
    """`twiml.serialize._write` as it was before key-set writers and `_PLAIN`: sorts and checks
    every attribute of every element."""
    name = node.name
    if name == "#comment" or name == "#pi":
        out.append(serialize.markup_text(node))
        return
    if name not in naming.XML_NAMES:
        naming.check_name(name, name)
    attrs = node.attrs
    head = "<" + name
    for key in sorted(attrs) if len(attrs) > 1 else attrs:
        value = attrs[key]
        if value.__class__ is not int:
            value = serialize.attr_text(value)
            if "&" in value or "<" in value or ">" in value or '"' in value or not value.isprintable():
                value = serialize.escape_attr(value, name, key)
        if key not in naming.XML_NAMES:
            naming.check_name(key, name, attribute=True)
        head = f'{head} {key}="{value}"'
    value = node.value
    verbs = node.verbs
    if value is None or value == "":
        if not verbs:
            out.append(head + " />")
            return
        mark = len(out)
        out.append(head + ">")
    else:
        text = value if value.__class__ is str else serialize.body_text(value, name)
        if "&" in text or "<" in text or ">" in text or not text.isprintable():
            text = serialize.escape_text(text, name)
        if not verbs:
            out.append(f"{head}>{text}</{name}>")
            return
        mark = -1
        out.append(head + ">" + text)
    for verb in verbs:
        if isinstance(verb, str):
            if verb:
                if "&" in verb or "<" in verb or ">" in verb or not verb.isprintable():
                    verb = serialize.escape_text(verb, name)
                out.append(verb)
        else:
            previous_write(verb, out)
    if mark >= 0 and len(out) == mark + 1:
        out[mark] = head + " />"
    else:
        out.append("</" + name + ">")


def previous_outcome(tree: TwiML) -> str:
    out: list[str] = []
    try:
        previous_write(tree, out)
    except TwiMLException as exc:
        return f"TwiMLException: {exc}"
    return "".join(out)


def current_outcome(tree: TwiML) -> str:
    try:
        return tree.to_xml(xml_declaration=False)
    except TwiMLException as exc:
        return f"TwiMLException: {exc}"


class Shout(str):
    """A str subclass whose text differs from its value: the writer must use its str()."""

    def __str__(self) -> str:
        return self.upper() + " & <shout>"


@pytest.mark.slow  # a large property run; .ci/run runs it in its slow step
@settings(max_examples=1000, deadline=None)
@given(trees())
def test_writer_equals_previous_writer(tree: TwiML) -> None:
    """Same bytes and the same error message, on the first sighting of a key set (written by the
    loop), the second (compiled) and later ones (compiled writer reused, `_PLAIN` warm)."""
    expected = previous_outcome(tree)
    for _ in range(3):
        assert current_outcome(tree) == expected


@pytest.mark.parametrize("value", [Shout("post"), Shout(""), True, 1.5, ["a", 2, False], ("x&", "y")])
def test_values_that_are_not_plain_strings_are_written_by_their_text(value: Any) -> None:
    """Values equal to a string already known plain ("post", "") are still converted and escaped."""
    for key_count in (1, 3):
        for _ in range(3):
            node = GenericNode("X", None, method="post", empty="")
            node.to_xml()
            keys = ["method", "b", "c"][:key_count]
            node.attrs = dict.fromkeys(keys, value)
            assert current_outcome(node) == previous_outcome(node)
