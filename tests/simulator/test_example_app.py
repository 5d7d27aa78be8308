"""examples/flask_ivr.py: every branch of the menu, and its signature check."""

from __future__ import annotations

import pytest

from examples.flask_ivr import app
from twiml.testing import Call, Text

TOKEN = "example-token"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)


def test_readme_example() -> None:
    call = Call(app=app, url="/voice/incoming", auth_token=TOKEN)
    assert "For sales, press 1" in call.heard()
    call.press("1")
    assert "Connecting you to sales" in call.heard()
    assert call.ended == "completed"
    assert call.verbs[-1].name == "Say" and any(v.name == "Dial" for v in call.verbs)


@pytest.mark.parametrize(
    ("answer", "heard", "ended"),
    [
        ("2", "Thank you for your patience.", "hangup"),
        ("3", "We received your 5 second message.", "hangup"),
        ("billing", "We received your 5 second message.", "hangup"),
        ("0", "Please hold while we connect you to an operator.", "hangup"),
    ],
)
def test_branches(answer: str, heard: str, ended: str) -> None:
    call = Call(app=app, url="/voice/incoming", auth_token=TOKEN)
    call.say(answer) if not answer.isdigit() else call.press(answer)
    assert heard in call.transcript()
    assert call.ended == ended and not call.problems


def test_operator_no_answer_goes_to_voicemail() -> None:
    call = Call(app=app, url="/voice/incoming", auth_token=TOKEN, dial_status="no-answer", recording_duration=9)
    call.press("0")
    assert "The operator is not available" in call.transcript()
    assert "your 9 second message" in call.transcript()


def test_unknown_choice_and_timeout_return_to_menu() -> None:
    call = Call(app=app, url="/voice/incoming", auth_token=TOKEN)
    call.press("7")
    assert call.heard().startswith("Sorry, that is not an option.\nThank you for calling Acme Corporation.")
    call.silence()
    assert call.heard().startswith("Sorry, we did not receive your selection.")
    assert call.waiting is not None


def test_unsigned_requests_are_refused() -> None:
    call = Call(app=app, url="/voice/incoming")
    assert call.ended == "error" and "HTTP 403" in call.problems[0].message
    call = Call(app=app, url="/voice/incoming", auth_token="not-the-token")
    assert call.ended == "error"


def test_sms_keywords() -> None:
    text = Text(app=app, url="/sms", body="HELP", auth_token=TOKEN)
    assert "open Mon-Fri" in text.reply
    assert text.send("hours")[0].body.startswith("We are open")
    assert text.send("STOP") == [] and text.ended == "completed"


def test_an_app_named_module_attr_as_on_the_command_line() -> None:
    """`app="MODULE:ATTR"` is what `--app` and `--twiml-cov-app` take: it was passed on as the app
    itself and every call ended in "'str' object is not callable"."""
    call = Call(app="examples.flask_ivr:app", url="/voice/incoming", auth_token=TOKEN)
    assert "For sales, press 1" in call.heard()
    assert Text(app="examples.flask_ivr:app", url="/sms", body="HELP", auth_token=TOKEN).reply
    from twiml.simulator.transport import AppLoadError

    with pytest.raises(AppLoadError, match="no module named 'no_such_module'"):
        Call(app="no_such_module:app", url="/voice/incoming")
