"""Voice semantics against real Flask and FastAPI apps in process (every test runs on both)."""

from __future__ import annotations

import re
import time

import pytest
from sim_apps import Factory, factory

from twiml.testing import Call


@pytest.fixture(params=["flask", "fastapi"])
def serve(request: pytest.FixtureRequest) -> Factory:
    """A real Flask or FastAPI app serving given documents: every test runs on both."""
    return factory(request.param)


R = "<Response>{}</Response>"
MENU = R.format(
    '<Gather action="/menu" numDigits="1"><Say>For sales, press 1.</Say><Play>https://x.test/m.mp3</Play>'
    '<Pause length="2"/></Gather><Say>We did not get that.</Say><Hangup/>'
)


def test_call_parameters_and_status(serve: Factory) -> None:
    app, log = serve({"/voice": MENU, "/menu": R.format("<Say>Sales.</Say>")})
    call = Call(app, "/voice", from_="+14155550111", to="+14155550122", params={"FromCity": "Oakland"})
    call.press("1")
    first, second = log
    assert re.fullmatch(r"CA[0-9a-f]{32}", first.form["CallSid"])
    assert re.fullmatch(r"AC[0-9a-f]{32}", first.form["AccountSid"])
    assert first.form["CallSid"] == second.form["CallSid"]
    assert first.form["CallStatus"] == "ringing" and second.form["CallStatus"] == "in-progress"
    assert first.form["Direction"] == "inbound" and first.form["ApiVersion"] == "2010-04-01"
    assert (first.form["From"], first.form["To"]) == ("+14155550111", "+14155550122")
    assert (first.form["Caller"], first.form["Called"]) == ("+14155550111", "+14155550122")
    assert first.form["FromCity"] == "Oakland"
    assert second.form["Digits"] == "1"
    assert first.method == second.method == "POST"
    assert call.ended == "completed"


def test_gather_nested_verbs_first_then_action_abandons_rest(serve: Factory) -> None:
    app, log = serve({"/voice": MENU, "/menu": R.format("<Say>Connecting you to sales.</Say><Hangup/>")})
    call = Call(app, "/voice")
    assert call.heard() == "For sales, press 1.\n[audio https://x.test/m.mp3]"
    gather, say = call.verbs[:2]
    assert (gather.name, gather.text, gather.nouns) == ("Gather", "", ())
    assert (say.name, say.inside, say.line) == ("Say", "Gather", 1)
    assert call.waiting is not None and call.waiting.num_digits == 1
    call.press("1")
    assert call.heard() == "Connecting you to sales."
    assert "We did not get that." not in call.transcript()
    assert call.ended == "hangup"
    assert [s.path for s in log] == ["/voice", "/menu"]


def test_gather_num_digits_and_finish_key(serve: Factory) -> None:
    doc = R.format('<Gather action="/got" numDigits="3"/>')
    app, log = serve({"/voice": doc, "/got": R.format("")})
    Call(app, "/voice").press("12345")
    assert log[-1].form["Digits"] == "123"
    app, log = serve({"/voice": R.format('<Gather action="/got"/>'), "/got": R.format("")})
    call = Call(app, "/voice").press("42#7")
    assert log[-1].form["Digits"] == "42"  # the finish key is not part of Digits
    assert log[-1].form["FinishedOnKey"] == "#"
    assert any("7" in n for n in call.inputs[0].notes)
    app, log = serve({"/voice": R.format('<Gather action="/got" finishOnKey=""/>'), "/got": R.format("")})
    Call(app, "/voice").press("42#")
    assert log[-1].form["Digits"] == "42#"  # finishOnKey="" disables the finish key
    app, log = serve({"/voice": R.format('<Gather action="/got" finishOnKey="*"/>'), "/got": R.format("")})
    Call(app, "/voice").press("9*")
    assert log[-1].form["Digits"] == "9"


def test_gather_timeout_runs_next_verb_or_action_on_empty(serve: Factory) -> None:
    app, log = serve({"/voice": MENU})
    call = Call(app, "/voice").silence()
    assert call.heard() == "We did not get that."
    assert call.ended == "hangup" and len(log) == 1
    doc = R.format('<Gather action="/menu" actionOnEmptyResult="true"><Say>Hi</Say></Gather><Say>never</Say>')
    app, log = serve({"/voice": doc, "/menu": R.format("<Say>empty</Say>")})
    call = Call(app, "/voice").silence()
    assert call.heard() == "empty"
    assert "Digits" not in log[-1].form


def test_finish_key_alone_is_no_input(serve: Factory) -> None:
    app, log = serve({"/voice": R.format('<Gather action="/x"/><Say>again</Say>')})
    call = Call(app, "/voice").press("#")
    assert call.heard() == "again" and len(log) == 1


def test_gather_without_action_requests_current_document(serve: Factory) -> None:
    app, log = serve(
        {"/ivr/start": lambda v: R.format("<Gather/>") if "Digits" not in v else R.format("<Say>ok</Say>")}
    )
    call = Call(app, "/ivr/start").press("5")
    assert [s.path for s in log] == ["/ivr/start", "/ivr/start"]
    assert log[1].form["Digits"] == "5"
    assert call.heard() == "ok"


def test_speech_input(serve: Factory) -> None:
    doc = R.format('<Gather input="speech dtmf" action="/menu"><Say>Say a department</Say></Gather>')
    app, log = serve({"/voice": doc, "/menu": R.format("")})
    Call(app, "/voice").say("sales")
    assert log[-1].form["SpeechResult"] == "Sales."
    assert float(log[-1].form["Confidence"]) == 0.9
    assert "Digits" not in log[-1].form
    # speech at a keys-only Gather is no input; keys at a speech-only Gather too
    app, log = serve({"/voice": R.format('<Gather action="/menu"/><Say>timeout</Say>')})
    call = Call(app, "/voice").say("sales")
    assert call.heard() == "timeout" and len(log) == 1
    app, log = serve({"/voice": R.format('<Gather input="speech" action="/menu"/><Say>timeout</Say>')})
    call = Call(app, "/voice").press("1")
    assert call.heard() == "timeout"
    assert "speech only" in call.inputs[0].notes[0]


def test_get_puts_parameters_in_query_string(serve: Factory) -> None:
    doc = R.format('<Gather action="/menu?lang=en" method="GET" numDigits="1"/>')
    app, log = serve({"/voice": doc, "/menu": R.format("")})
    call = Call(app, "/voice").press("3")
    assert log[-1].method == "GET" and log[-1].form == {}
    assert log[-1].query["Digits"] == "3" and log[-1].query["lang"] == "en"
    assert call.requests[-1].target.startswith("http://localhost/menu?lang=en&")


def test_relative_urls_resolve_against_the_document(serve: Factory) -> None:
    docs = {
        "/flows/main/start": R.format('<Redirect method="GET">next</Redirect>'),
        "/flows/main/next": R.format("<Redirect>../shared/end</Redirect>"),
        "/flows/shared/end": R.format("<Redirect>/top</Redirect>"),
        "/top": R.format("<Say>top</Say>"),
    }
    app, log = serve(docs)
    call = Call(app, "/flows/main/start")
    assert [s.path for s in log] == ["/flows/main/start", "/flows/main/next", "/flows/shared/end", "/top"]
    assert [s.method for s in log] == ["POST", "GET", "POST", "POST"]  # Redirect defaults to POST
    assert call.ended == "completed"


def test_record_parameters_and_empty_recording(serve: Factory) -> None:
    docs = {
        "/voice": R.format('<Record action="/done" maxLength="20"/><Say>nothing recorded</Say>'),
        "/done": R.format(""),
    }
    app, log = serve(docs)
    Call(app, "/voice", recording_duration=42)
    form = log[-1].form
    assert re.fullmatch(r"RE[0-9a-f]{32}", form["RecordingSid"])
    assert form["RecordingUrl"].endswith("/Recordings/" + form["RecordingSid"])
    assert form["RecordingUrl"].startswith("https://api.twilio.com/2010-04-01/Accounts/" + form["AccountSid"])
    assert form["RecordingDuration"] == "20"  # maxLength caps it
    assert form["Digits"] == "#"
    app, log = serve(docs)
    call = Call(app, "/voice", recording_duration=0)
    assert call.heard() == "nothing recorded" and len(log) == 1
    app, log = serve({"/v": R.format('<Record finishOnKey="*"/>')})
    call = Call(app, "/v", max_steps=3)
    assert [s.path for s in log] == ["/v", "/v", "/v"]  # no action: the same URL again (a loop)
    assert log[1].form["Digits"] == "*"
    assert call.ended == "max-steps"


def test_dial_with_and_without_action(serve: Factory) -> None:
    docs = {
        "/voice": R.format('<Dial action="/after"><Number>+15550001</Number></Dial><Say>skipped</Say>'),
        "/after": R.format(""),
    }
    app, log = serve(docs)
    call = Call(app, "/voice", dial_status="busy")
    form = log[-1].form
    assert form["DialCallStatus"] == "busy" and re.fullmatch(r"CA[0-9a-f]{32}", form["DialCallSid"])
    assert form["DialCallSid"] != form["CallSid"] and "DialCallDuration" not in form
    assert "skipped" not in call.transcript()
    assert call.verbs[0].nouns[0].text == "+15550001"
    app, log = serve(docs)
    Call(app, "/voice", dial_duration=12)
    assert log[-1].form["DialCallStatus"] == "completed" and log[-1].form["DialCallDuration"] == "12"
    app, log = serve({"/voice": R.format("<Dial>+15550001</Dial><Say>after the call</Say>")})
    call = Call(app, "/voice", dial_status="no-answer")
    assert call.heard() == "after the call" and call.ended == "completed" and len(log) == 1


def test_hangup_reject_and_completed(serve: Factory) -> None:
    app, _ = serve(
        {
            "/h": R.format("<Hangup/><Say>never</Say>"),
            "/r": R.format('<Reject reason="busy"/>'),
            "/c": R.format("<Say>x</Say>"),
        }
    )
    assert Call(app, "/h").ended == "hangup"
    rejected = Call(app, "/r")
    assert rejected.ended == "rejected" and "busy" in rejected.verbs[0].notes[0]
    assert Call(app, "/c").ended == "completed"


def test_enqueue_runs_wait_url_once_then_leaves(serve: Factory) -> None:
    docs = {
        "/voice": R.format('<Enqueue waitUrl="/hold" action="/left">support</Enqueue><Say>never</Say>'),
        "/hold": R.format('<Say>Please hold.</Say><Play loop="0">https://x.test/music.mp3</Play>'),
        "/left": lambda v: R.format(f"<Say>result {v['QueueResult']}</Say>"),
    }
    app, log = serve(docs)
    call = Call(app, "/voice")
    assert [s.path for s in log] == ["/voice", "/hold", "/left"]
    assert re.fullmatch(r"QU[0-9a-f]{32}", log[1].form["QueueSid"]) and log[1].form["QueuePosition"] == "1"
    assert call.transcript() == "Please hold.\n[audio https://x.test/music.mp3]\nresult bridged"
    play = next(v for v in call.verbs if v.name == "Play")
    assert "loop=0" in play.notes[0]
    # <Leave> in the hold music leaves at once; without an action the next verb after <Enqueue> runs
    docs = {
        "/voice": R.format('<Enqueue waitUrl="/hold">support</Enqueue><Say>after the queue</Say>'),
        "/hold": R.format("<Say>Closing.</Say><Leave/><Say>never</Say>"),
    }
    app, log = serve(docs)
    call = Call(app, "/voice")
    assert call.transcript() == "Closing.\nafter the queue" and call.ended == "completed"
    app, log = serve({"/voice": R.format('<Enqueue action="/left">q</Enqueue>'), "/left": docs["/voice"]})
    call = Call(app, "/voice", queue_result="hangup")
    assert call.ended == "hangup" and len(log) == 1
    app, _ = serve({"/voice": R.format("<Leave/><Say>still here</Say>")})
    assert Call(app, "/voice").heard() == "still here"


def test_play_digits_loop_and_pause_are_reported_not_slept(serve: Factory) -> None:
    doc = R.format('<Play digits="1w2"/><Say loop="3">Hi</Say><Pause length="600"/><Say loop="0">Bye</Say>')
    app, _ = serve({"/v": doc})
    started = time.perf_counter()
    call = Call(app, "/v")
    assert time.perf_counter() - started < 5
    play, hi, pause, bye = call.verbs
    assert "1w2" in play.notes[0] and "3 times" in hi.notes[0]
    assert "600 s" in pause.notes[0] and "loop=0" in bye.notes[0]
    assert call.transcript() == "[tones 1w2]\nHi\nBye"


def test_redirect_loop_stops_at_max_steps(serve: Factory) -> None:
    app, log = serve({"/a": R.format("<Redirect>/b</Redirect>"), "/b": R.format("<Redirect>/a</Redirect>")})
    call = Call(app, "/a", max_steps=7)
    assert call.ended == "max-steps" and len(log) == 7
    assert call.end is not None and "stopped after 7 requests" in call.end.message


def test_answered_by_and_sms_verb(serve: Factory) -> None:
    app, log = serve({"/v": R.format('<Sms to="+15550009">Your code is 1234</Sms><Say>sent</Say>')})
    call = Call(app, "/v", answered_by="machine_start")
    assert log[0].form["AnsweredBy"] == "machine_start"
    assert call.messages[0].body == "Your code is 1234" and call.messages[0].to == "+15550009"


def test_unknown_verb_is_skipped_with_a_diagnostic(serve: Factory) -> None:
    app, _ = serve({"/v": R.format("<Shout>hi</Shout><Say>next</Say>")})
    call = Call(app, "/v")
    assert call.heard() == "next"
    assert any(p.code == 12200 for p in call.problems)


def test_media_and_payment_verbs(serve: Factory) -> None:
    docs = {
        "/v": R.format(
            '<Start><Stream url="wss://x.test/s"/></Start><Say>started</Say>'
            "<Dial><Client>alice</Client><Sip>sip:bob@x.test</Sip><Conference>room</Conference></Dial>"
            '<Connect action="/after-connect"><Stream url="wss://x.test/ai"/></Connect><Say>never</Say>'
        ),
        "/after-connect": R.format('<Pay action="/paid"/>'),
        "/paid": lambda v: R.format(f"<Say>payment {v['Result']}</Say><Echo/><Say>never</Say>"),
    }
    app, log = serve(docs)
    call = Call(app, "/v")
    assert [s.path for s in log] == ["/v", "/after-connect", "/paid"]
    dial = next(v for v in call.verbs if v.name == "Dial")
    assert [(n.name, n.text) for n in dial.nouns] == [
        ("Client", "alice"),
        ("Sip", "sip:bob@x.test"),
        ("Conference", "room"),
    ]
    assert call.transcript() == "started\npayment success"
    assert call.ended == "hangup" and "Echo" in (call.end.message if call.end else "")
