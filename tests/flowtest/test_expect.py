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
    with Call(folder=SAMPLES) as call:
        call.expect_heard("for SALES press 1 ... or say sales").expect_heard("  thank you for calling acme corporation")
        # a phrase that runs over two <Say>s
        call.expect_heard("acme corporation. for sales")
        call.press("1").expect_heard("connecting you to sales")


def test_similarity_accepts_small_wording_changes_and_the_failure_shows_the_closest_prompt() -> None:
    with Call(folder=SAMPLES) as call:
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
    with Call(folder=SAMPLES) as call:
        call.press("1")
        with pytest.raises(AssertionError, match="since the last input"):
            call.expect_heard("for billing press 3")
        call.expect_heard("for billing press 3", anywhere=True)


def test_expect_request_and_expect_ended() -> None:
    with Call(folder=SAMPLES, dial_status="busy", recording_duration=0) as call:
        call.press("3")
        call.expect_request(url="/menu", params={"Digits": "3"}, method="POST")
        call.expect_request(url="http://localhost/dial-complete", params={"DialCallStatus": "busy"})
        with pytest.raises(AssertionError) as failed:
            call.expect_request(url="/menu", params={"Digits": "4"})
        assert "POST http://localhost/menu Digits=3" in str(failed.value)
        call.expect_ended("hangup")
        with pytest.raises(AssertionError, match="ended with hangup"):
            call.expect_ended("completed")
    with Call(folder=SAMPLES) as waiting, pytest.raises(AssertionError, match=r"still waiting at <Gather> \(.*:4\)"):
        waiting.expect_ended()


def test_expect_sent_for_texts_and_an_app() -> None:
    with Text(folder=SAMPLES, body="Help!") as text:
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


def test_folder_starts_a_call_at_start_and_a_text_at_sms_start() -> None:
    with Call(folder=str(SAMPLES) + "/") as call:
        assert call.requests[0].url.endswith("/voice/incoming")
        call.expect_heard("thank you for calling acme corporation")
    text = Text(folder=SAMPLES, body="hours")
    assert text.requests[0].url.endswith("/sms/incoming") and "open Mon-Fri" in text.reply
    with Call(flow=SAMPLES) as old_name:  # the 0.x name still works
        assert old_name.requests[0].url.endswith("/voice/incoming")


def test_a_target_that_cannot_be_called_raises_instead_of_hearing_nothing(tmp_path: Path) -> None:
    from twiml.testing import CannotCall

    with pytest.raises(CannotCall, match=r"is a folder, not a TwiML file; pass folder="):
        Text(file=SAMPLES, body="HELP")
    with pytest.raises(CannotCall, match=r"nope\.xml: no such TwiML file"):
        Text(file=SAMPLES / "nope.xml", body="HELP")
    with pytest.raises(CannotCall, match=r"no such folder"):
        Call(folder=tmp_path / "missing")
    with pytest.raises(CannotCall, match=r"no flow\.toml in"):
        Call(folder=tmp_path)
    (tmp_path / "voice.xml").write_text("<Response><Say>Hi</Say></Response>", encoding="utf-8")
    (tmp_path / "flow.toml").write_text('start = "/v"\n[routes]\n"/v" = "voice.xml"\n', encoding="utf-8")
    with pytest.raises(CannotCall, match=r"flow\.toml: no sms_start to text; set it, or pass url="):
        Text(folder=tmp_path, body="HELP")
    Call(folder=tmp_path).expect_heard("hi").expect_ended("completed")
    (tmp_path / "flow.toml").write_text('start = "/v"\n[routes]\n"/v" = "gone.xml"\n', encoding="utf-8")
    with pytest.raises(CannotCall, match=r"fix flow\.toml first: .*flow\.toml:3:0: error FLOW-TARGET"):
        Call(folder=tmp_path)
    with pytest.raises(CannotCall, match="give app="):
        Text(body="HELP")
