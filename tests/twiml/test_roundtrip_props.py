"""parse -> to_xml -> parse keeps carriage returns and namespace prefixes exactly as written."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twiml import TwiML, parse

# Two prefixes bound to one URI (a, b), a third URI (c); elements and attributes use any of them.
ROOT = '<Response xmlns:a="urn:x" xmlns:b="urn:x" xmlns:c="urn:y">'
ELEMENTS = ["Say", "Play", "a:E", "b:E", "b:Say", "c:F", "Custom"]
ATTRIBUTES = [("voice",), ("loop",), ("a:k", "b:k"), ("c:m",), ("a:z", "b:z")]  # one of each group

TEXT_REFS = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
ATTR_REFS = {**TEXT_REFS, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}
data_text = st.text(alphabet=st.sampled_from("xy &<>\r\n\té\u2028"), max_size=8).map(lambda s: "x" + s)


def escape(text: str, refs: dict[str, str]) -> str:
    return "".join(refs.get(c, c) for c in text)


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(st.sampled_from(ELEMENTS))
    attrs = ""
    for group in draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3, unique=True)):
        key = draw(st.sampled_from(group))
        attrs += f' {key}="{escape(draw(data_text), ATTR_REFS)}"'
    parts = []
    for _ in range(draw(st.integers(0, 3 if depth < 2 else 0))):
        if draw(st.booleans()):
            parts.append(escape(draw(data_text), TEXT_REFS))
        else:
            parts.append(draw(element(depth + 1)))
    if not parts:
        return f"<{name}{attrs}/>"
    return f"<{name}{attrs}>{''.join(parts)}</{name}>"


documents = st.lists(element(), max_size=5).map(lambda kids: ROOT + "".join(kids) + "</Response>")


def shape(node: TwiML) -> Any:
    """Everything a round trip must keep: names as written, attributes, body and text pieces."""
    return (
        node.name,
        sorted(node.attrs.items()),
        node.value,
        [v if isinstance(v, str) else shape(v) for v in node.verbs],
    )


def names_written(source: str) -> list[str]:
    import re

    return re.findall(r"<([A-Za-z][\w:]*)", source)


@pytest.mark.slow  # a large property run; .ci/run runs it in its slow step
@settings(max_examples=400, deadline=None)
@given(documents)
def test_round_trip_keeps_carriage_returns_and_prefixes(source: str) -> None:
    first = parse(source)
    written = first.to_xml()
    second = parse(written)
    assert shape(second) == shape(first)
    assert second.to_xml() == written
    assert [n.name for n in first.iter()] == names_written(source)  # prefixes as written, none swapped
    for node in first.iter():
        for key in node.attrs:
            assert f" {key}=" in source
    carried = [
        s for n in first.iter() for s in [n.value or "", *map(str, n.attrs.values()), *n.verbs] if isinstance(s, str)
    ]
    assert any("\r" in s for s in carried) == ("&#13;" in source)


def test_two_prefixes_for_one_uri_do_not_swap() -> None:
    source = (
        '<Response xmlns:a="urn:x" xmlns:b="urn:x"><b:Say a:v="1" b:w="2">hi</b:Say>'
        '<a:Say b:q="&gt;" a:z="3"/></Response>'
    )
    doc = parse(source)
    assert [n.name for n in doc.iter()] == ["Response", "b:Say", "a:Say"]
    assert doc.to_xml(xml_declaration=False) == (
        '<Response xmlns:a="urn:x" xmlns:b="urn:x"><b:Say a:v="1" b:w="2">hi</b:Say>'
        '<a:Say a:z="3" b:q="&gt;" /></Response>'
    )
    assert parse(doc.to_xml()).to_xml() == doc.to_xml()


def test_carriage_return_survives_in_text_and_attributes() -> None:
    doc = parse('<Response><Say voice="a&#13;b">one&#13;two</Say></Response>')
    say = doc.verbs[0]
    assert isinstance(say, TwiML)
    assert say.value == "one\rtwo" and say.attrs["voice"] == "a\rb"
    again = parse(doc.to_xml()).verbs[0]
    assert isinstance(again, TwiML)
    assert again.value == "one\rtwo" and again.attrs["voice"] == "a\rb"
