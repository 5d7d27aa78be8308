"""Signed requests accepted by twilio's RequestValidator in Flask and FastAPI apps, a real
server on 127.0.0.1 over HTTP, TwiML files, and the engine's forks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sim_apps import Factory, Seen, factory, fastapi_app, flask_app
from werkzeug.serving import make_server

from twiml.simulator import FileTransport, GatherInput, HttpTransport, Reply, answer, begin_call, receive
from twiml.simulator.events import Fetch
from twiml.testing import Call


@pytest.fixture(params=["flask", "fastapi"])
def serve(request: pytest.FixtureRequest) -> Factory:
    """A real Flask or FastAPI app serving given documents: every test runs on both."""
    return factory(request.param)


R = "<Response>{}</Response>"
DOCS = {
    "/voice": R.format('<Gather action="/menu" numDigits="1"><Say>Press 1</Say></Gather>'),
    "/menu": R.format('<Gather action="/pin?step=2" method="GET"/>'),
    "/pin": R.format("<Say>Thanks</Say><Hangup/>"),
}


def test_signed_requests_pass_twilios_validator(serve: Factory) -> None:
    app, log = serve(DOCS, token="s3cret")
    call = Call(app, "/voice", auth_token="s3cret", params={"Extra": "a b+c&d=e"})
    call.press("1").press("4321#")
    assert call.ended == "hangup"
    assert [s.signature_ok for s in log] == [True, True, True]
    assert [s.method for s in log] == ["POST", "POST", "GET"]


def test_wrong_token_is_refused(serve: Factory) -> None:
    app, log = serve(DOCS, token="s3cret")
    call = Call(app, "/voice", auth_token="wrong")
    assert log[0].signature_ok is False
    assert call.ended == "error" and "HTTP 403" in call.problems[0].message


@pytest.fixture
def server() -> Iterator[tuple[str, list[Seen]]]:
    log: list[Seen] = []
    httpd = make_server("127.0.0.1", 0, flask_app(DOCS, log, token="tok"))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", log
    finally:
        httpd.shutdown()
        thread.join()


def test_real_server_over_http(server: tuple[str, list[Seen]]) -> None:
    base, log = server
    with Call(url=base + "/voice", auth_token="tok") as call:
        assert call.heard() == "Press 1"
        call.press("1").press("99")
        assert call.heard() == "Thanks"
        assert call.ended == "hangup"
    assert [s.signature_ok for s in log] == [True, True, True]
    assert log[2].query["Digits"] == "99" and log[2].query["step"] == "2"
    assert call.fetched[0].content_type.startswith("text/xml") and call.fetched[0].status == 200


def test_files_follow_relative_urls(tmp_path: Path) -> None:
    (tmp_path / "main.xml").write_text(R.format('<Gather action="/menu"><Say>Menu</Say></Gather>'))
    (tmp_path / "menu.xml").write_text(R.format("<Redirect>sub/next</Redirect>"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "next.xml").write_text(R.format("<Redirect>https://example.com/x</Redirect>"))
    call = Call(file=tmp_path / "main.xml")
    call.press("1")
    assert [f.source for f in call.fetched] == [
        str(tmp_path / "main.xml"),
        str(tmp_path / "menu.xml"),
        str(tmp_path / "sub" / "next.xml"),
        None,
    ]
    assert call.ended == "error"
    message = call.problems[-1].message
    assert "no document offline for https://example.com/x" in message and "next.xml:1" in message


MAIN_MENU = """<Response>
  <Gather action="/menu" numDigits="1">
    <Say>For sales, press 1. For support, press 2.</Say>
  </Gather>
  <Say>Sorry, we did not receive your selection.</Say>
  <Redirect>/voice/incoming</Redirect>
</Response>
"""


def test_engine_states_fork(tmp_path: Path) -> None:
    (tmp_path / "main.xml").write_text(MAIN_MENU)
    files = FileTransport(tmp_path)
    step = begin_call(files.url_for(tmp_path / "main.xml"), seed="fixed")
    assert isinstance(step.next, Fetch)
    at_menu = receive(step.state, files.fetch(step.next.request))
    branches = {key: answer(at_menu.state, GatherInput.parse(key)) for key in ("1", "2", "")}
    assert isinstance(branches["1"].next, Fetch) and branches["1"].next.request.param("Digits") == "1"
    assert isinstance(branches["2"].next, Fetch) and branches["2"].next.request.param("Digits") == "2"
    timeout = branches[""].next
    assert isinstance(timeout, Fetch) and timeout.request.url.endswith("/voice/incoming")
    assert timeout.origin.line == 6 and timeout.origin.verb == "Redirect"
    # the state answered three times is untouched: same waiting Gather, same request count
    assert at_menu.state.waiting is not None and at_menu.state.requests == 1
    assert branches["1"].state.param("CallSid") == branches["2"].state.param("CallSid")
    again = begin_call(files.url_for(tmp_path / "main.xml"), seed="fixed")
    assert again.state.param("CallSid") == step.state.param("CallSid")  # SIDs derive from the seed


def test_reply_for_a_request_with_no_reply_is_rejected() -> None:
    step = begin_call("http://localhost/x")
    done = receive(step.state, Reply(200, "text/xml", b"<Response/>", "http://localhost/x", None))
    with pytest.raises(ValueError):
        receive(done.state, Reply(200, "text/xml", b"<Response/>", "http://localhost/x", None))


def test_slow_reply_is_11205() -> None:
    release = threading.Event()
    slow = Flask("slow")

    @slow.post("/voice")
    def voice() -> str:
        release.wait(10)
        return "<Response/>"

    httpd = make_server("127.0.0.1", 0, slow, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        call = Call(url=f"http://127.0.0.1:{httpd.server_port}/voice", transport=HttpTransport(timeout=0.3))
        assert call.ended == "error" and call.problems[0].code == 11205
        assert "within 0.3 s" in call.problems[0].message
    finally:
        release.set()
        httpd.shutdown()
        thread.join()


async def test_asgi_app_from_inside_a_running_event_loop() -> None:
    """The editor and async tests call the simulator with a loop already running."""
    log: list[Seen] = []
    app = fastapi_app(DOCS, log)
    with Call(app, "/voice") as call:
        call.press("1")
        assert [s.path for s in log] == ["/voice", "/menu"]
        assert call.waiting is not None


def test_missing_file_says_where_it_looked(tmp_path: Path) -> None:
    (tmp_path / "main.xml").write_text(R.format("<Redirect>/after/call</Redirect>"))
    call = Call(file=tmp_path / "main.xml")
    assert f"(no after/call.xml in {tmp_path})" in call.problems[0].message
    assert "flow.toml" not in call.problems[0].message
    (tmp_path / "flow.toml").write_text('start = "/main"\n')
    call = Call(file=tmp_path / "main.xml")
    assert "to route URLs through its flow.toml" in call.problems[0].message
