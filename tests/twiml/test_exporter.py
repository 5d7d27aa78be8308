"""twiml.to_python: readable snippets whose execution rebuilds the same XML (twiml and twilio)."""

from __future__ import annotations

import contextlib
import importlib
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import twiml
from twiml import GenericNode, TwiML
from twiml.base import Comment, ProcessingInstruction
from twiml.exporter import to_python
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Attr, Element
from twiml.parser import parse

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_flows").glob("*.xml"))
MODULES = {"voice": "voice_response", "messaging": "messaging_response", "fax": "fax_response"}


def run(code: str) -> TwiML:
    namespace: dict[str, Any] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<to_python>", "exec"), namespace)
    response: TwiML = namespace["response"]
    assert out.getvalue() == str(response) + "\n"
    return response


def cls_of(element: Element) -> type[TwiML]:
    cls: type[TwiML] = getattr(importlib.import_module(f"twiml.{MODULES[element.kind]}"), element.cls)
    return cls


# ---------------------------------------------------------------- readable output


def test_snippet_style() -> None:
    doc = parse(
        '<Response><Gather numDigits="1" action="/menu"><Say>Press 1</Say><Say>or 2</Say></Gather>'
        "<Gather><Play>x.mp3</Play></Gather><Hangup/></Response>"
    )
    assert to_python(doc) == (
        "from twiml.voice_response import VoiceResponse\n"
        "\n"
        "response = VoiceResponse()\n"
        'gather = response.gather(num_digits=1, action="/menu")\n'
        'gather.say("Press 1")\n'
        'gather.say("or 2")\n'
        "gather_2 = response.gather()\n"
        'gather_2.play("x.mp3")\n'
        "response.hangup()\n"
        "\n"
        "print(response)\n"
    )
    assert twiml.to_python is to_python


def test_keywords_special_names_and_unknown_attributes() -> None:
    doc = parse('<Response><Message from="+1" to="+2" foo="bar">Hi</Message></Response>')
    code = to_python(doc)
    assert "from twiml.messaging_response import MessagingResponse" in code
    assert 'response.message("Hi", from_="+1", to="+2", **{"foo": "bar"})' in code
    assert run(code).to_xml() == doc.to_xml()


def test_ssml_and_xml_lang() -> None:
    doc = parse(
        '<Response><Say voice="Polly.Amy">Hello <lang xml:lang="fr-FR">ami</lang>'
        '<say-as interpret-as="digits">123</say-as><break time="1s"/>bye</Say></Response>'
    )
    code = to_python(doc)
    assert 'say = response.say("Hello ", voice="Polly.Amy")' in code
    assert 'say.lang("ami", xml_lang="fr-FR")' in code
    assert 'say.say_as("123", interpret_as="digits")' in code
    assert 'say.break_(time="1s")' in code
    assert 'say.append("bye")' in code
    assert run(code).to_xml() == doc.to_xml()


def test_unknown_elements_comments_text_and_awkward_names() -> None:
    doc = parse(
        '<Response><!-- menu --><Vendor name="n" value="v" a_b="1" c="2">t<Inner/></Vendor>'
        '<Gather>loose text<Say>x</Say></Gather><Say message="m" self="s">y</Say></Response>'
    )
    code = to_python(doc)
    assert 'response.append(Comment(" menu "))' in code
    assert 'vendor = response.add_child("Vendor", "t", **{"c": "2"})' in code
    assert 'vendor.attrs["name"] = "n"' in code and 'vendor.attrs["a_b"] = "1"' in code
    assert 'gather.append("loose text")' in code
    assert run(code).to_xml() == doc.to_xml()


def test_child_without_builder_method_uses_append_and_nest() -> None:
    from twiml.voice_response import Dial, Number, Say, VoiceResponse

    r = VoiceResponse()
    say = Say("misplaced")
    r.dial().append(say)  # Dial has no say() method
    d2 = r.dial()
    n = Number("+1")
    inner = Dial()
    d2.append(inner)
    inner.append(n)  # a Dial inside a Dial holding a Number
    n.append(Say("deep"))
    code = to_python(r)
    assert 'dial.append(Say("misplaced"))' in code
    assert "dial_3 = dial_2.nest(Dial())" in code
    assert 'number = dial_3.number("+1")' in code
    assert 'number.append(Say("deep"))' in code
    assert run(code).to_xml() == r.to_xml()


def test_builder_typed_values() -> None:
    from twiml.voice_response import VoiceResponse

    r = VoiceResponse()
    r.gather(num_digits=4, input=["dtmf", "speech"], enhanced=True).say(0)
    r.enqueue("q").task({"skill": "en", "n": 1.5})
    r.pause(length=float("inf"))  # type: ignore[arg-type]  # a value no TwiML can hold, on purpose
    code = to_python(r)
    gather_line = next(line for line in code.splitlines() if "response.gather(" in line)
    for part in ("num_digits=4", 'input=["dtmf", "speech"]', "enhanced=True"):
        assert part in gather_line
    assert "gather.say(0)" in code
    assert 'enqueue.task({"skill": "en", "n": 1.5})' in code
    assert 'response.pause(length=float("inf"))' in code
    assert run(code).to_xml() == r.to_xml()


def test_generic_root_and_loose_value() -> None:
    g = GenericNode("Response", None, custom="1")
    g.add_child("X", "y")
    assert run(to_python(g)).to_xml() == g.to_xml()
    from twiml.voice_response import Gather, VoiceResponse

    r = VoiceResponse()
    gather = Gather()
    gather.value = "odd"  # a body on an element that has none: written before the children
    gather.say("x")
    r.append(gather)
    assert run(to_python(r)).to_xml() == r.to_xml()


def test_rejects_non_nodes() -> None:
    with pytest.raises(TypeError):
        to_python("<Response/>")  # type: ignore[arg-type]  # the wrong type on purpose


# ---------------------------------------------------------------- generated documents

TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\n\t&<>\"'"), max_size=10
)
TOKEN = st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True)
UNKNOWN_ATTR = st.from_regex(r"[a-z][a-zA-Z_]{0,6}", fullmatch=True) | st.sampled_from(
    ["name", "value", "self", "message"]
)
TAG = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,6}", fullmatch=True)


def attr_value(attr: Attr, twilio: bool) -> st.SearchStrategy[Any]:
    if attr.type == "int":
        return st.integers(0, 99) | st.integers(0, 99).map(str)
    if attr.type == "bool":
        return st.booleans() | st.sampled_from(["true", "false"])
    if attr.type == "float":
        return st.floats(0, 1000, allow_nan=False).map(lambda f: round(f, 2))
    if attr.type == "enum" and attr.values:
        return st.sampled_from(attr.values)
    if attr.type == "list":
        item = st.sampled_from(attr.values) if attr.values else TOKEN
        if twilio:
            return item
        return st.lists(item, min_size=1, max_size=3) | item
    return TEXT


@st.composite
def documents(draw: st.DrawFn, twilio: bool = False) -> TwiML:
    kind = draw(st.sampled_from(["voice", "voice", "messaging", "fax"]))
    root_el = GRAMMAR.root(kind)
    root = cls_of(root_el)()
    same_kind = [e for e in GRAMMAR.elements if e.kind == kind and e.xml != "Response"]
    if twilio:
        same_kind = [e for e in same_kind if e.in_twilio]

    def attrs_for(el: Element | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """(builder keywords, attributes to set directly on .attrs)."""
        keywords: dict[str, Any] = {}
        direct: dict[str, Any] = {}
        if el is not None and el.attrs:
            for attr in draw(st.lists(st.sampled_from(el.attrs), max_size=3, unique=True)):
                value = draw(attr_value(attr, twilio))
                if attr.keyword:
                    keywords[attr.kwarg] = value
                else:
                    direct[attr.xml] = value
        for name in draw(st.lists(UNKNOWN_ATTR, max_size=1 if not twilio else 0)):
            if el is None or el.attr(name) is None:
                direct[name] = draw(TEXT)
        return keywords, direct

    def body_for(el: Element | None) -> Any:
        if el is not None and el.body is None:
            return None
        if twilio:
            return draw(st.none() | TEXT.filter(bool))
        return draw(st.none() | TEXT | st.integers(0, 9))

    def fill(node: TwiML, el: Element | None, depth: int) -> None:
        for _ in range(draw(st.integers(0, 5 if depth < 3 else 0))):
            choice = draw(
                st.sampled_from(["method", "method", "method", "any", "generic", "comment", "text", "markup"])
            )
            if choice == "method" and el is not None and el.methods:
                name, kid_cls = draw(st.sampled_from(el.methods))
                if twilio and name in el.not_in_twilio:
                    continue
                kid_el = GRAMMAR.get(el.kind, kid_cls)
                args = [body_for(kid_el)] if kid_el.text_param else []
                keywords, direct = attrs_for(kid_el)
                kid = getattr(node, name)(*args, **keywords)
                kid.attrs.update(direct)
                fill(kid, kid_el, depth + 1)
            elif choice == "any":
                kid_el = draw(st.sampled_from(same_kind))
                cls = cls_of(kid_el)
                keywords, direct = attrs_for(kid_el)
                kid = cls(body_for(kid_el), **keywords) if kid_el.text_param else cls(**keywords)  # type: ignore[call-arg]  # body classes take the body first
                kid.attrs.update(direct)
                node.append(kid)
                fill(kid, kid_el, depth + 1)
            elif choice == "generic":
                _, direct = attrs_for(None)
                kid = node.add_child(draw(TAG), body_for(None))
                kid.attrs.update(direct)
                fill(kid, None, depth + 1)
            elif choice == "comment" and not twilio:
                node.append(Comment(draw(TEXT.filter(lambda t: "--" not in t and not t.endswith("-")))))
            elif choice == "text" and not twilio:
                # Whitespace alone between elements is formatting, which parse drops by design.
                node.append(draw(TEXT.filter(lambda t: t.strip() != "")))
            elif choice == "markup" and not twilio:
                node.append(draw(MARKUP))

    fill(root, root_el, 0)
    if not twilio:
        root.prolog = draw(st.lists(MARKUP, max_size=2))
        root.epilog = draw(st.lists(MARKUP, max_size=2))
    return root


COMMENT_TEXT = TEXT.filter(lambda t: "--" not in t and not t.endswith("-"))
PI = st.builds(
    ProcessingInstruction,
    st.from_regex(r"[a-wyz][a-z0-9-]{0,8}", fullmatch=True),
    TEXT.filter(lambda t: "?>" not in t).map(str.lstrip),
)
MARKUP = st.one_of(COMMENT_TEXT.map(Comment), PI)
"""Comments and processing instructions, which parsed documents keep inside and around the root."""


SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow  # a large property run; .ci/run runs it in its slow step
@SETTINGS
@given(documents())
def test_exec_rebuilds_generated_documents(doc: TwiML) -> None:
    assert run(to_python(doc)).to_xml() == doc.to_xml()


@pytest.mark.slow  # a large property run; .ci/run runs it in its slow step
@SETTINGS
@given(documents())
def test_parse_keeps_comments_and_processing_instructions(doc: TwiML) -> None:
    """Inside and around the root, in both the compact and the indented form."""
    for pretty in (False, True):
        text = doc.to_xml(pretty=pretty)
        parsed = parse(text)
        assert parsed.to_xml(pretty=pretty) == text
        assert [m.to_xml() for m in parsed.prolog] == [m.to_xml() for m in doc.prolog]
        assert [m.to_xml() for m in parsed.epilog] == [m.to_xml() for m in doc.epilog]


@SETTINGS
@given(documents())
def test_exec_rebuilds_parsed_generated_documents(doc: TwiML) -> None:
    parsed = parse(doc.to_xml())
    rebuilt = run(to_python(parsed))
    assert rebuilt.to_xml() == parsed.to_xml()
    assert type(rebuilt) is type(parsed)


@pytest.mark.skipif(not SAMPLES, reason="sample_flows/ is empty")
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_exec_rebuilds_sample_flows(path: Path) -> None:
    doc = parse(path)
    rebuilt = run(to_python(doc))
    assert rebuilt.to_xml() == doc.to_xml()
    assert [type(n) for n in rebuilt.iter()] == [type(n) for n in doc.iter()]


# ---------------------------------------------------------------- twilio as the import root


def run_twilio(code: str) -> Any:
    assert "from twiml" not in code.replace("from twilio.twiml", "")
    return run(code)


def without_comments(doc: TwiML) -> TwiML:
    for node in doc.iter():
        node.verbs = [v for v in node.verbs if not isinstance(v, Comment)]
    return doc


@SETTINGS
@given(documents(twilio=True))
def test_twilio_exec_rebuilds_generated_documents(doc: TwiML) -> None:
    code = to_python(doc, import_root="twilio.twiml")
    rebuilt = run_twilio(code)
    assert type(rebuilt).__module__.startswith("twilio.twiml")
    assert rebuilt.to_xml() == doc.to_xml()


@pytest.mark.skipif(not SAMPLES, reason="sample_flows/ is empty")
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_twilio_exec_rebuilds_sample_flows(path: Path) -> None:
    doc = parse(path)
    code = to_python(doc, import_root="twilio.twiml")
    if any(isinstance(n, Comment) for n in doc.iter()):
        assert "\n# " in code and "Comment(" not in code
    assert run_twilio(code).to_xml() == without_comments(doc).to_xml()


def test_twilio_fallbacks_for_our_extensions() -> None:
    from twiml.fax_response import FaxResponse
    from twiml.voice_response import VoiceResponse

    f = FaxResponse()
    f.reject(reason="busy")
    code = to_python(f, import_root="twilio.twiml")
    assert 'response.add_child("Reject", **{"reason": "busy"})' in code
    assert run_twilio(code).to_xml() == f.to_xml()
    r = VoiceResponse()
    r.stop().recording(name="rec")
    code = to_python(r, import_root="twilio.twiml")
    assert "stop.append(Recording(" in code
    assert run_twilio(code).to_xml() == r.to_xml()


def test_twilio_gaps_table_matches_twilio() -> None:
    """The grammar's marks of our extensions (in_twilio, not_in_twilio) are exactly what twilio 9.13 lacks."""
    missing_methods = set()
    missing_classes = set()
    for el in GRAMMAR.elements:
        module = importlib.import_module(f"twilio.twiml.{MODULES[el.kind]}")
        cls = getattr(module, el.cls, None)
        if cls is None:
            missing_classes.add(el.key)
            continue
        for name, _kid in el.methods:
            if not hasattr(cls, name):
                missing_methods.add((el.kind, el.cls, name))
    assert missing_methods == {(e.kind, e.cls, m) for e in GRAMMAR.elements for m in e.not_in_twilio}
    assert missing_classes == {e.key for e in GRAMMAR.elements if not e.in_twilio}


def test_same_class_name_from_two_kinds_is_aliased() -> None:
    from twiml.messaging_response import MessagingResponse
    from twiml.messaging_response import Redirect as MsgRedirect
    from twiml.voice_response import Redirect as VoiceRedirect

    m = MessagingResponse()
    g = m.add_child("Wrapper", None)
    g.append(VoiceRedirect("/voice"))
    g.append(MsgRedirect("/sms"))
    code = to_python(m)
    assert "from twiml.messaging_response import MessagingResponse, Redirect as MessagingRedirect" in code
    assert "from twiml.voice_response import Redirect\n" in code
    rebuilt = run(code)
    assert rebuilt.to_xml() == m.to_xml()
    wrapper = rebuilt.verbs[0]
    assert isinstance(wrapper, TwiML)
    assert [type(v) for v in wrapper.verbs] == [VoiceRedirect, MsgRedirect]


def test_variable_names_avoid_names_the_snippet_uses() -> None:
    r: Any = parse("<Response><float><print><x/></print></float><Say>inf</Say></Response>")
    r.verbs[0].verbs.append(GenericNode("y", None))
    from twiml.voice_response import Pause

    p = Pause()
    p.attrs["length"] = float("inf")
    r.append(p)
    code = to_python(r)
    assert "float_node = " in code and "print_node = " in code
    assert run(code).to_xml() == r.to_xml()


def test_typed_literals_only_where_they_render_identically() -> None:
    doc = parse(
        '<Response><Gather numDigits="01" timeout="5" bargeIn="false" actionOnEmptyResult="True">'
        '<Say loop="2">x</Say></Gather></Response>'
    )
    code = to_python(doc)
    assert 'num_digits="01"' in code and "timeout=5" in code and "barge_in=False" in code
    assert 'action_on_empty_result="True"' in code and "loop=2" in code
    assert run(code).to_xml() == doc.to_xml()
