"""Differential test against twilio 9.13 (test-only oracle): same calls, same XML.

Arguments are drawn so that the documented corrections do not apply (no lists, no forbidden
characters, XML names only, body values are strings or None, no repeated text appends); the
corrections themselves are checked against a transformed twilio call in `test_corrections_*`.
Texts may hold carriage returns: twilio's output is compared after the CR correction
(`with_cr_escaped`), which is exact because twilio writes a raw CR only in text.
"""

from __future__ import annotations

import inspect
import keyword
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import twiml
from twiml import fax_response, messaging_response, voice_response

twilio_twiml = pytest.importorskip("twilio.twiml")
t_fax = pytest.importorskip("twilio.twiml.fax_response")
t_msg = pytest.importorskip("twilio.twiml.messaging_response")
t_voice = pytest.importorskip("twilio.twiml.voice_response")

PAIRS = [(voice_response, t_voice), (messaging_response, t_msg), (fax_response, t_fax)]
ROOTS = {"VoiceResponse", "MessagingResponse", "FaxResponse"}


def with_cr_escaped(xml: str) -> str:
    """twilio's XML with the carriage-return correction applied (a raw CR only occurs in text)."""
    return xml.replace("\r", "&#13;")


def twilio_classes(mod: Any) -> dict[str, type]:
    return {
        n: c
        for n, c in vars(mod).items()
        if inspect.isclass(c) and issubclass(c, twilio_twiml.TwiML) and c.__module__ == mod.__name__
    }


def builder_methods(cls: type) -> list[str]:
    return [n for n, f in vars(cls).items() if not n.startswith("_") and inspect.isfunction(f)]


ALL_CASES = [
    (ours, theirs, cname, mname)
    for ours, theirs in PAIRS
    for cname, tcls in twilio_classes(theirs).items()
    for mname in builder_methods(tcls)
]

# Text that XML 1.0 can carry: no C0 controls except tab/newline/CR, no surrogates, no U+FFFE/F.
xml_text = st.text(
    alphabet=st.characters(
        exclude_categories=["Cs"],
        exclude_characters="".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\ufffe\uffff",
    ),
    max_size=12,
)
scalar = st.one_of(
    st.none(), xml_text, st.integers(-5, 10**6), st.booleans(), st.floats(allow_nan=False, allow_infinity=False)
)
extra_names = st.from_regex(r"[a-z][a-zA-Z]{0,6}(_[a-z0-9]{1,4}){0,2}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s)
)


def required_params(func: Any) -> list[inspect.Parameter]:
    params = list(inspect.signature(func).parameters.values())[1:]
    return [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]


@st.composite
def call_args(draw: st.DrawFn, func: Any) -> dict[str, Any]:
    args: dict[str, Any] = {}
    params = required_params(func)
    for i, p in enumerate(params):
        value: str | int | float | None
        if i == 0 and p.name in TEXT_PARAMS:
            # body text: str, or None where optional
            value = draw(xml_text) if p.default is p.empty else draw(st.one_of(st.none(), xml_text))
        else:
            value = draw(scalar)
        if value is not None or p.default is p.empty:
            args[p.name] = value
    for name in draw(st.lists(extra_names, max_size=2, unique=True)):
        if name not in args and all(name != p.name for p in params):
            args[name] = draw(scalar)
    return args


TEXT_PARAMS = {
    "message",
    "url",
    "words",
    "body",
    "name",
    "number",
    "phone_number",
    "identity",
    "client_identity",
    "sip_url",
    "sim_sid",
    "sid",
    "application_sid",
}


def make_pair(ours_mod: Any, theirs_mod: Any, cname: str) -> tuple[Any, Any]:
    tcls = getattr(theirs_mod, cname)
    ocls = getattr(ours_mod, cname)
    params = required_params(tcls.__init__)
    args = ["x" for p in params if p.default is p.empty]
    return ocls(*args), tcls(*args)


@pytest.mark.parametrize(
    ("ours_mod", "theirs_mod", "cname", "mname"), ALL_CASES, ids=[f"{c[2]}.{c[3]}" for c in ALL_CASES]
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_builder_method(ours_mod: Any, theirs_mod: Any, cname: str, mname: str, data: st.DataObject) -> None:
    ours, theirs = make_pair(ours_mod, theirs_mod, cname)
    kwargs = data.draw(call_args(getattr(type(theirs), mname)))
    ours_child = getattr(ours, mname)(**kwargs)
    theirs_child = getattr(theirs, mname)(**kwargs)
    assert type(ours_child).__name__ == type(theirs_child).__name__
    assert ours_child.attrs == theirs_child.attrs
    assert ours.to_xml() == with_cr_escaped(theirs.to_xml())
    assert ours.to_xml(xml_declaration=False) == with_cr_escaped(theirs.to_xml(xml_declaration=False))
    assert str(ours_child) == with_cr_escaped(str(theirs_child))


def test_every_class_and_method_is_covered() -> None:
    for ours_mod, theirs_mod in PAIRS:
        for cname, tcls in twilio_classes(theirs_mod).items():
            ocls = getattr(ours_mod, cname)
            assert issubclass(ocls, twiml.TwiML)
            for mname in builder_methods(tcls):
                ours_sig = inspect.signature(getattr(ocls, mname))
                theirs_sig = inspect.signature(getattr(tcls, mname))
                assert list(ours_sig.parameters) == list(theirs_sig.parameters), f"{cname}.{mname}"
                for p, q in zip(ours_sig.parameters.values(), theirs_sig.parameters.values(), strict=False):
                    assert (p.kind, p.default) == (q.kind, q.default), f"{cname}.{mname}({p.name})"
            init_ours = inspect.signature(ocls).parameters  # the constructor's, without self
            init_theirs = inspect.signature(tcls).parameters
            assert [(p.name, p.default) for p in init_ours.values()] == [
                (p.name, p.default) for p in init_theirs.values()
            ], cname


@st.composite
def lockstep_documents(draw: st.DrawFn) -> tuple[Any, Any]:
    """Random trees built by the same builder calls on both libraries."""
    ours_mod, theirs_mod = draw(st.sampled_from(PAIRS))
    root = {voice_response: "VoiceResponse", messaging_response: "MessagingResponse", fax_response: "FaxResponse"}[
        ours_mod
    ]
    ours, theirs = make_pair(ours_mod, theirs_mod, root)
    nodes = [(ours, theirs)]
    for _ in range(draw(st.integers(0, 12))):
        o, t = draw(st.sampled_from(nodes))
        choice = draw(st.integers(0, 9))
        if choice == 0:
            name = draw(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,5}", fullmatch=True))
            value = draw(st.one_of(st.none(), xml_text.filter(bool)))
            extra = {draw(extra_names): draw(scalar)}
            nodes.append((o.add_child(name, value, **extra), t.add_child(name, value, **extra)))
            continue
        methods = builder_methods(type(t))
        if not methods:
            continue
        mname = draw(st.sampled_from(methods))
        kwargs = draw(call_args(getattr(type(t), mname)))
        nodes.append((getattr(o, mname)(**kwargs), getattr(t, mname)(**kwargs)))
    return ours, theirs


@pytest.mark.slow  # a large property run; .ci/run runs it in its slow step
@settings(max_examples=300, deadline=None)
@given(lockstep_documents())
def test_random_documents_identical(pair: tuple[Any, Any]) -> None:
    ours, theirs = pair
    assert ours.to_xml() == with_cr_escaped(theirs.to_xml())


def test_nest_append_context_manager_and_generic_node() -> None:
    for lib in (twiml, twilio_twiml):
        vr = voice_response if lib is twiml else t_voice
        r = vr.VoiceResponse()
        with r.gather(action="/g") as g:
            assert g.say("hi") is g.verbs[0]
        d = vr.Dial()
        assert r.append(d) is r and r.nest(vr.Hangup()) is r.verbs[-1]
        node = r.add_child("Custom", "v", foo_bar="1", from_="+1")
        assert isinstance(node, lib.GenericNode)
        r.append(lib.GenericNode("X", None, a=1))
        with pytest.raises(lib.TwiMLException):
            r.nest(42)
    mine = voice_response.VoiceResponse()
    theirs = t_voice.VoiceResponse()
    for r, vr, lib in ((mine, voice_response, twiml), (theirs, t_voice, twilio_twiml)):
        r.gather(action="/g").say("hi")
        r.append(vr.Dial(number="+1", caller_id="x"))
        r.add_child("Custom", "v", foo_bar="1", from_="+1")
        r.append(lib.GenericNode("X", None, a=1))
        r.say("tail")
    assert str(mine) == str(theirs)
    assert mine.to_xml(xml_declaration=False) == theirs.to_xml(xml_declaration=False)


@given(st.text(max_size=30))
def test_lower_camel_matches(name: str) -> None:
    try:
        expected = twilio_twiml.lower_camel(name)
    except IndexError:  # twilio indexes an empty result ("_", "__"); ours gives "", refused later as a name
        assert name.strip("_") == ""
        expected = ""
    assert twiml.lower_camel(name) == expected


@given(st.one_of(st.none(), st.text(max_size=8), st.from_regex(r"[a-zA-Z]{2}[_-][a-zA-Z]{2}", fullmatch=True)))
def test_format_language_matches(lang: str | None) -> None:
    try:
        expected = twilio_twiml.format_language(lang)
    except twilio_twiml.TwiMLException:
        with pytest.raises(twiml.TwiMLException):
            twiml.format_language(lang)
    else:
        assert twiml.format_language(lang) == expected


# --- the corrections, compared with twilio given the input it would need -----------------


@given(st.lists(st.sampled_from(["initiated", "ringing", "answered", "completed"]), min_size=1, max_size=4))
def test_corrections_list_values(events: list[str]) -> None:
    ours = voice_response.VoiceResponse()
    theirs = t_voice.VoiceResponse()
    ours.dial().number("+15551234567", status_callback_event=events)
    theirs.dial().number("+15551234567", status_callback_event=" ".join(events))
    ours.gather(input=("dtmf", "speech"))
    theirs.gather(input="dtmf speech")
    assert ours.to_xml() == theirs.to_xml()


@given(st.lists(xml_text, min_size=1, max_size=4))
def test_corrections_text_concatenates(pieces: list[str]) -> None:
    ours = voice_response.Say(pieces[0])
    for p in pieces[1:]:
        ours.append(p)
    theirs = t_voice.Say("".join(pieces))
    assert ours.to_xml() == with_cr_escaped(theirs.to_xml())


@pytest.mark.parametrize(("value", "as_text"), [(0, "0"), (False, "false"), (0.0, "0.0"), ({}, "{}")])
def test_corrections_falsy_body(value: Any, as_text: str) -> None:
    assert voice_response.Say(value).to_xml() == t_voice.Say(as_text).to_xml()


def test_task_dict_body_is_json_like_twilio() -> None:
    body = {"selected_language": "es", "priority": 2}
    assert voice_response.Task(body).to_xml() == t_voice.Task(dict(body)).to_xml()


def test_twilio_unit_vectors_still_pass() -> None:
    """A few of twilio's own documented expectations (attribute spelling, empty elements)."""
    r = voice_response.VoiceResponse()
    r.say("Hello", voice="woman", language="en-US", loop=3)
    r.play("https://api.twilio.com/cowbell.mp3", loop=2)
    r.pause(length=5)
    r.sms("Hi", to="+1555", from_="+1666", status_callback="/cb")
    r.prompt(for_="payment-card-number", error_type="timeout", attempt=1)
    r.say().lang("Bonjour", xml_lang="fr-FR")
    r.say().say_as("12345", interpret_as="spell-out")
    r.say().break_(strength="strong", time="1s")
    assert r.to_xml(False) == (
        '<Response><Say language="en-US" loop="3" voice="woman">Hello</Say>'
        '<Play loop="2">https://api.twilio.com/cowbell.mp3</Play><Pause length="5" />'
        '<Sms from="+1666" statusCallback="/cb" to="+1555">Hi</Sms>'
        '<Prompt attempt="1" errorType="timeout" for="payment-card-number" />'
        '<Say><lang xml:lang="fr-FR">Bonjour</lang></Say>'
        '<Say><say-as interpret-as="spell-out">12345</say-as></Say>'
        '<Say><break strength="strong" time="1s" /></Say></Response>'
    )


@given(st.lists(st.sampled_from(["a", "\r", "\r\n", "\n", "&", " "]), max_size=8).map("".join))
def test_corrections_carriage_return_in_text(text: str) -> None:
    ours = voice_response.VoiceResponse()
    theirs = t_voice.VoiceResponse()
    for r in (ours, theirs):
        r.say(text, voice="a\rb")
        r.add_child("Custom", text)
    assert ours.to_xml() == theirs.to_xml().replace("\r", "&#13;")
    again = twiml.parse(ours.to_xml())  # the CR survives the round trip (raw, it would read as \n)
    assert [v.value for v in again.verbs] == [text or None] * 2
    assert again.verbs[0].attrs["voice"] == "a\rb"


@pytest.mark.parametrize(
    ("name", "attrs"),
    [("", {}), ("a b", {}), ("Say", {'x="1"/><Redirect>https://evil.example/x</Redirect><Say y': "2"}), ("<x", {})],
)
def test_corrections_names_that_are_not_xml_names_raise(name: str, attrs: dict[str, str]) -> None:
    theirs = t_voice.VoiceResponse()
    theirs.add_child(name, "Hi", **attrs)  # twilio writes whatever it is given
    assert "Hi" in theirs.to_xml()
    with pytest.raises(twiml.TwiMLException, match="is not an XML name"):
        voice_response.VoiceResponse().add_child(name, "Hi", **attrs)
