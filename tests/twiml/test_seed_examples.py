"""The seed's examples and the four documented corrections."""

from __future__ import annotations

import pytest

from twiml import TwiMLException
from twiml.fax_response import FaxResponse
from twiml.messaging_response import MessagingResponse
from twiml.voice_response import Dial, Say, VoiceResponse

DECL = '<?xml version="1.0" encoding="UTF-8"?>'


def test_ivr_pin_example() -> None:
    r = VoiceResponse()
    g = r.gather(num_digits=4, action="/pin", method="POST")
    g.say("Enter your PIN")
    r.say("Goodbye")
    assert str(r) == (
        DECL + '<Response><Gather action="/pin" method="POST" numDigits="4">'
        "<Say>Enter your PIN</Say></Gather><Say>Goodbye</Say></Response>"
    )


def test_messaging_and_fax() -> None:
    m = MessagingResponse()
    msg = m.message("Thanks!", to="+15550001111", from_="+15550002222")
    msg.media("https://example.com/cat.jpg")
    assert m.to_xml(xml_declaration=False) == (
        '<Response><Message from="+15550002222" to="+15550001111">Thanks!'
        "<Media>https://example.com/cat.jpg</Media></Message></Response>"
    )
    f = FaxResponse()
    f.reject(reason="busy")
    assert f.to_xml(False) == '<Response><Reject reason="busy" /></Response>'


def test_correction_list_attributes_space_separated() -> None:
    d = Dial(status_callback_event=["initiated", "answered"])
    assert d.to_xml(False) == '<Dial statusCallbackEvent="initiated answered" />'


@pytest.mark.parametrize("bad", ["\x00", "a\x1bb", "\ud800", "\uffff"])
def test_correction_forbidden_characters_raise(bad: str) -> None:
    r = VoiceResponse()
    r.say(bad)
    with pytest.raises(TwiMLException, match="Say"):
        r.to_xml()
    r2 = VoiceResponse()
    r2.play("x", digits=bad)
    with pytest.raises(TwiMLException, match="digits"):
        r2.to_xml()


def test_correction_text_never_overwritten() -> None:
    r = VoiceResponse()
    r.say("Hello").append(" world")
    assert r.to_xml(False) == "<Response><Say>Hello world</Say></Response>"
    s = Say()
    s.append("a").append("b")
    s.break_(time="1s")
    s.append("c").append("d")
    assert s.to_xml(False) == '<Say>ab<break time="1s" />cd</Say>'


@pytest.mark.parametrize(("value", "text"), [(0, "0"), (False, "false"), (True, "true"), (1.5, "1.5")])
def test_correction_falsy_body_written(value: object, text: str) -> None:
    assert Say(value).to_xml(False) == f"<Say>{text}</Say>"


def test_empty_body_self_closes() -> None:
    assert Say("").to_xml(False) == "<Say />"
    assert Say().to_xml(False) == "<Say />"


def test_pretty_keeps_text() -> None:
    r = VoiceResponse()
    g = r.gather(input="speech")
    g.say("  spaced  ")
    r.hangup()
    assert r.to_xml(False, pretty=True) == (
        '<Response>\n  <Gather input="speech">\n    <Say>  spaced  </Say>\n  </Gather>\n  <Hangup />\n</Response>\n'
    )
