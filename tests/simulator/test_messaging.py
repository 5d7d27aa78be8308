"""Inbound messages: Twilio's parameters, replies with body and media, Redirect, conversations."""

from __future__ import annotations

import re

import pytest
from sim_apps import Factory, factory

from twiml.testing import Text


@pytest.fixture(params=["flask", "fastapi"])
def serve(request: pytest.FixtureRequest) -> Factory:
    """A real Flask or FastAPI app serving given documents: every test runs on both."""
    return factory(request.param)


R = "<Response>{}</Response>"


def test_message_parameters(serve: Factory) -> None:
    app, log = serve({"/sms": R.format("")})
    Text(app, "/sms", body="HELP", media=("https://x.test/cat.jpg",), from_="+14155550111", to="+14155550122")
    form = log[0].form
    assert re.fullmatch(r"MM[0-9a-f]{32}", form["MessageSid"])
    assert form["SmsSid"] == form["SmsMessageSid"] == form["MessageSid"]
    assert re.fullmatch(r"AC[0-9a-f]{32}", form["AccountSid"])
    assert (form["From"], form["To"], form["Body"]) == ("+14155550111", "+14155550122", "HELP")
    assert (form["NumMedia"], form["MediaUrl0"], form["MediaContentType0"]) == (
        "1",
        "https://x.test/cat.jpg",
        "image/jpeg",
    )
    assert form["NumSegments"] == "1" and form["SmsStatus"] == "received" and form["ApiVersion"] == "2010-04-01"
    assert "CallSid" not in form and "CallStatus" not in form


def test_segments_count() -> None:
    from twiml.simulator.params import segments

    assert segments("x" * 160) == 1 and segments("x" * 161) == 2 and segments("x" * 307) == 3
    assert segments("é" * 160) == 1 and segments("✓" * 70) == 1 and segments("✓" * 71) == 2


def test_replies_redirect_and_conversation(serve: Factory) -> None:
    docs = {
        "/sms": lambda v: R.format("<Redirect>/sms/route</Redirect>"),
        "/sms/route": lambda v: R.format(
            f"<Message>You said {v['Body']}</Message>"
            '<Message to="+15550000" from="+15551111"><Body>Copy</Body><Media>/img/a.png</Media></Message>'
        ),
    }
    app, log = serve(docs)
    text = Text(app, "/sms", body="hours", from_="+14155550111", to="+14155550122")
    first, second = text.replies
    assert first.body == "You said hours" and (first.to, first.from_) == ("+14155550111", "+14155550122")
    assert second.body == "Copy" and second.media == ("http://localhost/img/a.png",) and second.to == "+15550000"
    assert text.reply == "You said hours\nCopy" and text.ended == "completed"
    assert [s.path for s in log] == ["/sms", "/sms/route"]
    assert log[0].form["MessageSid"] == log[1].form["MessageSid"]
    replies = text.send("STOP")
    assert replies[0].body == "You said STOP"
    assert log[2].form["MessageSid"] != log[0].form["MessageSid"]
    assert re.fullmatch(r"SM[0-9a-f]{32}", log[2].form["MessageSid"])


def test_voice_verbs_in_a_messaging_reply_are_reported(serve: Factory) -> None:
    app, _ = serve({"/sms": R.format("<Say>hi</Say><Message>ok</Message>")})
    text = Text(app, "/sms", body="x")
    assert text.reply == "ok"
    assert any(p.severity == "warning" and p.code == 14110 for p in text.problems)  # Twilio: WARNING


def test_failure_after_a_reply_keeps_the_reply(serve: Factory) -> None:
    app, _ = serve({"/sms": R.format("<Message>first</Message><Redirect>/gone</Redirect>")})
    text = Text(app, "/sms", body="x")
    assert text.reply == "first" and text.ended == "error"
    assert any(p.code == 11200 for p in text.problems)
