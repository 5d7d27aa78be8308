"""`twiml.testing.Call`/`Text` assertions in the caller's terms, against sample_flows/ and a Flask app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from twiml.flowtest.expect import closest, normalize_words
from twiml.testing import Call, Text

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"


def test_expect_heard_ignores_case_punctuation_whitespace_and_ssml() -> None:
    assert normalize_words("<speak>Press <emphasis>ONE</emphasis>,   for\nSALES!</speak>") == "press one for sales"
    with Call(flow=SAMPLES) as call:
        call.expect_heard("for SALES press 1 ... or say sales").expect_heard("  thank you for calling acme corporation")
        # a phrase that runs over two <Say>s
        call.expect_heard("acme corporation. for sales")
        call.press("1").expect_heard("connecting you to sales")


def test_similarity_accepts_small_wording_changes_and_the_failure_shows_the_closest_prompt() -> None:
    with Call(flow=SAMPLES) as call:
        call.expect_heard("for technical support press two or say support", similarity=0.9)
        with pytest.raises(AssertionError) as failed:
            call.expect_heard("for technical support press two or say support")
    message = str(failed.value)
    assert "the closest was 'for technical support press 2 or say support'" in message
    assert "'For technical support, press 2 or say support.'" in message
    assert re.search(r"at .*sample_flows/ivr_main_menu\.xml:7 \(similarity 0\.9\d\)", message), message
    ratio, index, _ = closest("press nine for the moon", ["For sales, press 1.", "Goodbye."])
    assert ratio < 0.7 and index == 0


def test_expect_heard_looks_since_the_last_input_unless_anywhere() -> None:
    with Call(flow=SAMPLES) as call:
        call.press("1")
        with pytest.raises(AssertionError, match="since the last input"):
            call.expect_heard("for billing press 3")
        call.expect_heard("for billing press 3", anywhere=True)


def test_expect_request_and_expect_ended() -> None:
    with Call(flow=SAMPLES, dial_status="busy", recording_duration=0) as call:
        call.press("3")
        call.expect_request(url="/menu", params={"Digits": "3"}, method="POST")
        call.expect_request(url="http://localhost/dial-complete", params={"DialCallStatus": "busy"})
        with pytest.raises(AssertionError) as failed:
            call.expect_request(url="/menu", params={"Digits": "4"})
        assert "POST http://localhost/menu Digits=3" in str(failed.value)
        call.expect_ended("hangup")
        with pytest.raises(AssertionError, match="ended with hangup"):
            call.expect_ended("completed")
    with Call(flow=SAMPLES) as waiting, pytest.raises(AssertionError, match=r"still waiting at <Gather> \(.*:4\)"):
        waiting.expect_ended()


def test_expect_sent_for_texts_and_an_app() -> None:
    with Text(flow=SAMPLES, body="Help!") as text:
        text.expect_sent("acme support call +1 555 123 4567", similarity=0.8)
        with pytest.raises(AssertionError, match="the closest sent was 'Acme Support: call"):
            text.expect_sent("you are unsubscribed")
        text.expect_ended("completed")
    app = Flask(__name__)

    @app.post("/voice")
    def voice() -> tuple[str, int, dict[str, str]]:
        xml = (
            "<Response><Say>Hello <break time='1s'/> world</Say><Sms to='+15550001111'>Your code is 42</Sms></Response>"
        )
        return xml, 200, {"Content-Type": "text/xml"}

    with Call(app, "/voice") as call:
        call.expect_heard("hello world").expect_sent("your code is 42", to="+15550001111")
        with pytest.raises(AssertionError, match="none was sent to"):
            call.expect_sent("your code is 42", to="+15559999999")
