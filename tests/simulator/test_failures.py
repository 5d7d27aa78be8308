"""Fetch failures get Twilio's codes and end the call as Twilio would; bad documents are reported."""

from __future__ import annotations

import socket

import pytest
from sim_apps import Factory, factory

from twiml.simulator.engine import APPLICATION_ERROR
from twiml.simulator.events import Note
from twiml.testing import Call, Text


@pytest.fixture(params=["flask", "fastapi"])
def serve(request: pytest.FixtureRequest) -> Factory:
    """A real Flask or FastAPI app serving given documents: every test runs on both."""
    return factory(request.param)


R = "<Response>{}</Response>"


def _notes(call: Call | Text) -> list[str]:
    return [e.text for e in call.session.events if isinstance(e, Note)]


def test_404_names_url_and_the_element_that_sent_it(serve: Factory) -> None:
    app, _ = serve({"/voice": R.format('<Say>Hi</Say>\n<Gather action="/nowhere"/>')})
    call = Call(app, "/voice").press("1")
    assert call.ended == "error"
    (problem,) = [p for p in call.problems if p.code == 11200]
    assert "HTTP 404" in problem.message and "http://localhost/nowhere" in problem.message
    assert "<Gather action> at http://localhost/voice:2" in problem.message
    assert any(APPLICATION_ERROR in n for n in _notes(call))


def test_app_exception_is_a_500_with_the_last_frame(serve: Factory) -> None:
    app, _ = serve({"/voice": R.format("<Redirect>/boom</Redirect>")})
    call = Call(app, "/voice")
    assert call.ended == "error"
    (problem,) = [p for p in call.problems if p.code == 11200]
    assert "HTTP 500" in problem.message
    assert "ZeroDivisionError: division by zero in the app" in problem.message
    assert "sim_apps.py:" in problem.message and "in serve" in problem.message


def test_content_type_must_be_xml(serve: Factory) -> None:
    app, _ = serve({"/voice": (200, "text/html", "<html><body>Hi</body></html>")})
    call = Call(app, "/voice")
    assert [p.code for p in call.problems] == [12300] and "text/html" in call.problems[0].message
    app, _ = serve({"/voice": (200, "application/json", '{"say": "hi"}')})
    assert Call(app, "/voice").problems[0].code == 12300
    app, _ = serve({"/voice": (200, "text/plain", R.format("<Say>plain text is fine</Say>"))})
    assert Call(app, "/voice").heard() == "plain text is fine"


def test_not_well_formed_and_too_large(serve: Factory) -> None:
    app, _ = serve({"/voice": "<Response>\n<Say>unclosed\n</Response>"})
    call = Call(app, "/voice")
    (problem,) = call.problems
    assert problem.code == 12100 and problem.line == 3 and call.ended == "error"
    big = R.format("<Say>" + "x" * (70 * 1024) + "</Say>")
    app, _ = serve({"/voice": big})
    call = Call(app, "/voice")
    assert [p.code for p in call.problems] == [11750] and call.ended == "error"


def test_invalid_attribute_is_reported_and_the_call_goes_on(serve: Factory) -> None:
    app, log = serve(
        {"/voice": R.format('<Gather numDigits="abc" action="/got"><Say>Press</Say></Gather>'), "/got": R.format("")}
    )
    call = Call(app, "/voice")
    (problem,) = call.problems
    assert problem.code == 13314 and problem.line == 1 and "abc" in problem.message
    assert call.waiting is not None and call.waiting.num_digits is None  # ignored, as Twilio does
    call.press("12#")
    assert log[-1].form["Digits"] == "12"
    assert not call.session.failed  # 13314 is a Twilio WARNING: logged, and the call goes on


def test_messaging_failure_sends_no_reply(serve: Factory) -> None:
    app, _ = serve({"/sms": (500, "text/plain", "oops")})
    text = Text(app, "/sms", body="hi")
    assert text.replies == [] and text.ended == "error"
    assert "no reply is sent" in _notes(text)


def test_connection_refused_is_11205() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    call = Call(url=f"http://127.0.0.1:{port}/voice")
    assert call.ended == "error"
    assert call.problems[0].code == 11205 and f"127.0.0.1:{port}" in call.problems[0].message
    call.close()


def test_wrong_kind_of_document(serve: Factory) -> None:
    app, _ = serve({"/voice": R.format("<Message>Hi</Message>")})
    call = Call(app, "/voice")
    assert any(p.severity == "warning" and p.code == 12200 for p in call.problems)  # Twilio: WARNING
    assert call.ended == "completed" and not call.session.failed


def test_flask_app_config_is_left_as_it_was() -> None:
    from sim_apps import flask_app

    app = flask_app({}, [])
    call = Call(app, "/boom")
    assert "ZeroDivisionError" in call.problems[0].message
    assert app.config["PROPAGATE_EXCEPTIONS"] is None
    assert app.test_client().post("/boom").status_code == 500  # the app's own behaviour is unchanged
