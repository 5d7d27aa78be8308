"""The one-walk serializer: property tests on generated trees with characters that need care."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twiml import serialize
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
names = st.sampled_from(["Say", "Play", "x", "amazon:effect", "say-as", "Custom", "v:X"])
attr_names = st.sampled_from(["a", "b", "voice", "xml:lang", "interpret-as", "statusCallback", "zz"])
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
            node = GenericNode(draw(names), draw(body_values))
        for key in draw(st.lists(attr_names, max_size=3, unique=True)):
            node.attrs[key] = draw(attr_values)
        parent.verbs.append(node)
        nodes.append(node)
    return root


def outcome(func: Any, *args: Any, **kwargs: Any) -> str:
    try:
        return str(func(*args, **kwargs))
    except TwiMLException:
        return "TwiMLException"


@settings(max_examples=2000, deadline=None)
@given(trees(), st.booleans(), st.booleans())
def test_one_walk_writer_equals_previous_writer(tree: TwiML, pretty: bool, declaration: bool) -> None:
    new = outcome(serialize.to_string, tree, xml_declaration=declaration, pretty=pretty)
    old = outcome(serialize.old_to_string, tree, xml_declaration=declaration, pretty=pretty)
    assert new == old


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
