"""twiml.testing.assert_twiml_equal: semantic equality and readable failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from twiml.messaging_response import MessagingResponse
from twiml.testing import assert_twiml_equal, canonical
from twiml.voice_response import VoiceResponse


def built() -> VoiceResponse:
    r = VoiceResponse()
    g = r.gather(num_digits=1, action="/menu")
    g.say("Press 1", voice="alice")
    r.hangup()
    return r


EQUIVALENT = [
    '<Response><Gather action="/menu" numDigits="1"><Say voice="alice">Press 1</Say></Gather><Hangup /></Response>',
    "<?xml version='1.0' encoding='UTF-8'?>\n<Response>\n  <Gather numDigits='1' action='/menu'>\n"
    '    <Say voice="alice">Press 1</Say>\n  </Gather>\n  <Hangup></Hangup>\n</Response>\n',
    b'<Response><Gather numDigits="1"   action="/menu"><Say voice="alice">Press 1</Say></Gather><Hangup/></Response>',
]


@pytest.mark.parametrize("other", EQUIVALENT)
def test_equal_documents_pass(other: str | bytes) -> None:
    assert_twiml_equal(built(), other)
    assert_twiml_equal(other, built())
    assert_twiml_equal(other, other)


def test_builder_values_compare_with_parsed_strings() -> None:
    m = MessagingResponse()
    m.message("hi").media("https://x/y.png")
    assert_twiml_equal(m, "<Response><Message>hi<Media>https://x/y.png</Media></Message></Response>")


def test_file_paths_are_read(tmp_path: Path) -> None:
    f = tmp_path / "a.xml"
    f.write_text(built().to_xml(pretty=True), encoding="utf-8")
    assert_twiml_equal(f, built())


@pytest.mark.parametrize(
    "other",
    [
        '<Response><Gather action="/menu" numDigits="2"><Say voice="alice">Press 1</Say></Gather><Hangup /></Response>',
        '<Response><Gather action="/menu" numDigits="1"><Say voice="alice">Press 1 </Say></Gather><Hangup /></Response>',
        '<Response><Gather action="/menu" numDigits="1"><Say voice="alice">Press 1</Say></Gather></Response>',
        '<Response><Hangup /><Gather action="/menu" numDigits="1"><Say voice="alice">Press 1</Say></Gather></Response>',
        '<Response><Gather action="/menu" numDigits="1"><Say voice="alice">Press 1</Say></Gather><Hangup /><!-- x --></Response>',
    ],
)
def test_different_documents_fail(other: str) -> None:
    with pytest.raises(AssertionError):
        assert_twiml_equal(built(), other)


def test_failure_shows_unified_diff_of_pretty_forms() -> None:
    with pytest.raises(AssertionError) as info:
        assert_twiml_equal(built(), built().to_xml().replace("Press 1", "Press 2"), msg="menu changed")
    text = str(info.value)
    assert text.startswith("menu changed\nTwiML documents differ:")
    assert "--- first\n+++ second" in text
    assert '-    <Say voice="alice">Press 1</Say>' in text
    assert '+    <Say voice="alice">Press 2</Say>' in text
    assert "   <Gather action=" in text  # context lines come from the indented form


def test_malformed_input_is_an_assertion_error() -> None:
    with pytest.raises(AssertionError, match="second document is not well-formed"):
        assert_twiml_equal(built(), "<Response><Say>")


def test_canonical() -> None:
    assert (
        canonical("<Response>\n  <Say b='1' a='2'>x</Say>\n</Response>")
        == '<Response><Say a="2" b="1">x</Say></Response>'
    )
