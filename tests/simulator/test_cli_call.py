"""`twiml call` and `twiml text`: output, JSON, exit statuses and bad input (never a traceback)."""

from __future__ import annotations

import argparse
import io
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from twiml.cli import main
from twiml.simulator.commands import _HungUp, _interactive
from twiml.simulator.engine import DialOutcome, QueueOutcome, RecordOutcome
from twiml.simulator.events import Ask, Verb


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.BytesIO(b""))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A module `simapps` with a Flask app, a FastAPI app and an app that raises."""
    (tmp_path / "simapps.py").write_text(
        textwrap.dedent(
            """
            from fastapi import FastAPI, Request, Response as FResponse
            from flask import Flask, Response, request

            app = Flask("simapps")

            @app.post("/voice")
            def voice():
                return Response('<Response><Gather action="/menu" numDigits="1"><Say>Press 1</Say></Gather></Response>', mimetype="text/xml")

            @app.post("/menu")
            def menu():
                return Response(f"<Response><Say>You pressed {request.form['Digits']}</Say></Response>", mimetype="text/xml")

            @app.post("/html")
            def html():
                return "<html>hi</html>"

            @app.post("/loop")
            def loop():
                return Response("<Response><Redirect>/loop</Redirect></Response>", mimetype="text/xml")

            @app.post("/boom")
            def boom():
                return {}["missing"]

            @app.post("/sms")
            def sms():
                body = request.form["Body"]
                return Response(f"<Response><Message>Got {body} with {request.form['NumMedia']} media</Message></Response>", mimetype="text/xml")

            asgi = FastAPI()

            @asgi.post("/voice")
            async def avoice(request: Request):
                form = await request.form()
                return FResponse(f"<Response><Say>Hello {form['From']}</Say><Hangup/></Response>", media_type="application/xml")

            not_an_app = 42
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("simapps",):
        sys.modules.pop(name, None)


def test_call_app_with_inputs(apps: Path) -> None:
    code, out, err = run("call", "--app", "simapps:app", "/voice", "--input", "1")
    assert code == 0, err
    assert 'Say "Press 1"' in out and 'Say "You pressed 1"' in out
    assert "-> POST http://localhost/menu  Digits=1" in out
    assert out.rstrip().endswith("== ended: completed (no verbs left: the call ends)")


def test_call_asgi_app_json(apps: Path) -> None:
    code, out, _ = run(
        "call", "--app", "simapps:asgi", "/voice", "--from", "+15550001", "--format", "json", "--seed", "s"
    )
    assert code == 0
    data = json.loads(out)
    assert data["ended"] == {"reason": "hangup", "message": "<Hangup>"}
    assert data["requests"][0]["parameters"]["From"] == "+15550001"
    assert data["requests"][0]["status"] == 200 and data["requests"][0]["content_type"] == "application/xml"
    assert [v["verb"] for v in data["verbs"]] == ["Say", "Hangup"]
    assert data["verbs"][0]["text"] == "Hello +15550001"
    assert data["exit_status"] == 0 and data["channel"] == "voice"
    _, again, _ = run(
        "call", "--app", "simapps:asgi", "/voice", "--from", "+15550001", "--format", "json", "--seed", "s"
    )
    assert again == out  # --seed makes the SIDs reproducible


def test_call_file_json_and_gather_timeout(tmp_path: Path) -> None:
    menu = tmp_path / "menu.xml"
    menu.write_text(
        '<Response>\n  <Gather action="/choice" numDigits="1">\n    <Say>Press 1</Say>\n  </Gather>\n'
        "  <Say>Sorry.</Say>\n  <Redirect>/voice/incoming</Redirect>\n</Response>\n"
    )
    code, out, _ = run("call", str(menu), "--format", "json", "--input", "")
    data = json.loads(out)
    assert code == 1  # /voice/incoming has no document offline
    assert data["inputs"][0]["value"] == "no input (timeout)"
    assert data["ended"]["reason"] == "error"
    assert data["diagnostics"][-1]["code"] == "TWIML-NO-DOCUMENT"
    assert data["requests"][-1]["requested_by"]["line"] == 6
    assert data["requests"][-1]["requested_by"]["source"] == str(menu)


def test_text_command(apps: Path) -> None:
    code, out, _ = run("text", "--app", "simapps:app", "/sms", "--body", "HELP", "--media", "https://x.test/a.png")
    assert code == 0
    assert 'message to +15555550100 from +15555550199: "Got HELP with 1 media"' in out


def test_auth_token_from_environment(apps: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "envtoken")
    from twiml.simulator.commands import _options

    ns = argparse.Namespace(
        max_steps=5,
        auth_token=None,
        from_="a",
        to="b",
        param=["X=1"],
        seed=None,
        dial_status="busy",
        dial_duration=3,
        method="GET",
    )
    options = _options(ns)
    assert options.auth_token == "envtoken" and options.params == (("X", "1"),) and options.dial.status == "busy"
    assert options.method == "GET"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["call", "no/such/file.xml"], "no/such/file.xml: no such file"),
        (["call", "ftp://example.com/x"], "only http:// and https://"),
        (["call", "--app", "simapps:nothing", "/voice"], "module 'simapps' has no attribute 'nothing'"),
        (["call", "--app", "simapps:not_an_app", "/voice"], "not a WSGI or ASGI application"),
        (["call", "--app", "no_such_module_xyz:app"], "no module named 'no_such_module_xyz'"),
        (["call", "sample_flows/voicemail.xml", "--param", "novalue"], "expected KEY=VALUE"),
        (["call", "sample_flows/voicemail.xml", "--max-steps", "0"], "at least 1"),
        (["call"], "a target is needed"),
    ],
)
def test_bad_arguments_exit_2(apps: Path, argv: list[str], message: str) -> None:
    code, out, err = run(*argv)
    assert code == 2 and message in err and "Traceback" not in err + out


def test_bad_app_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "brokenapp.py").write_text("import os\nraise RuntimeError('config missing')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    code, _, err = run("call", "--app", "brokenapp:app")
    assert code == 2 and "RuntimeError: config missing" in err and "brokenapp.py:2" in err
    sys.modules.pop("brokenapp", None)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/boom", "error 11200 HTTP 500 from POST http://localhost/boom: the app raised KeyError: 'missing'"),
        ("/html", "error 12300 Content-Type text/html"),
        ("/loop", "== ended: max-steps (stopped after 4 requests"),
    ],
)
def test_failing_steps_exit_1(apps: Path, path: str, expected: str) -> None:
    code, out, err = run("call", "--app", "simapps:app", path, "--max-steps", "4")
    assert code == 1 and expected in out and "Traceback" not in out + err
    if path == "/boom":
        assert "simapps.py:" in out and "in boom" in out
        assert "An application error has occurred" in out


def test_invalid_twiml_exits_1(tmp_path: Path) -> None:
    doc = tmp_path / "bad.xml"
    doc.write_text('<Response>\n  <Gather actionOnEmptyResult="maybe"><Say>Hi</Say></Gather>\n</Response>\n')
    code, out, _ = run("call", str(doc), "--input", "12")
    assert code == 1  # 13338 is an ERROR in Twilio's error dictionary
    assert f"{doc}:2:3: error 13338 <Gather> actionOnEmptyResult='maybe' is not a boolean" in out


def test_interactive_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    verb = Verb("Gather", (), "", "u", None, 1)
    answers = iter(["12", "sales", ""])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    ask = _interactive(io.StringIO())
    got = [ask(Ask("gather", verb)) for _ in range(3)]
    assert [g.label() for g in got] == ["keys 12", "speech 'sales'", "no input (timeout)"]

    def hang_up(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", hang_up)
    with pytest.raises(_HungUp):
        ask(Ask("gather", verb))


def test_interactive_outcomes(monkeypatch: pytest.MonkeyPatch) -> None:
    from twiml.simulator.commands import _interactive_outcomes

    number = Verb("Number", (), "+15550001", "u", None, 1, "Dial")
    dial = Ask("dial", Verb("Dial", (), "", "u", None, 1, nouns=(number,)))
    answers = iter(["maybe", "busy", "", "abc", "0", "leave"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    out = io.StringIO()
    args = argparse.Namespace(dial_status=None, dial_duration=30, recording_duration=None, queue_result=None)
    choose = _interactive_outcomes(args, out)
    assert choose(dial) == DialOutcome("busy", 30)  # "maybe" is asked again
    assert choose(Ask("record", Verb("Record", (), "", "u", None, 1))) == RecordOutcome(5)
    assert choose(Ask("record", Verb("Record", (), "", "u", None, 1))) == RecordOutcome(0)  # "abc" asked again
    assert choose(Ask("queue", Verb("Enqueue", (), "support", "u", None, 1))) == QueueOutcome("leave")
    assert "Dial Number +15550001: outcome?" in out.getvalue()
    args.dial_status = "failed"  # an option given on the command line is not asked
    assert choose(dial) is None


def test_cli_starts_without_httpx() -> None:
    """`twiml validate` and friends do not pay for the simulator's HTTP stack."""
    import subprocess

    code = "import sys, twiml.cli; twiml.cli._parser(); print(sorted({'httpx', 'asyncio'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
