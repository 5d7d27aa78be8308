"""`twiml call --dialect texml`: Telnyx's parameters, its Ed25519 signature (checked by a real
FastAPI app in process with the public half of a test key), and TeXML-only verbs run by the one
engine (<AIGather> as a speech Gather, <HttpRequest> answered from fixtures)."""

from __future__ import annotations

import base64
import io
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("cryptography", reason="the telnyx extra (cryptography) is not installed")

from twiml.cli import main
from twiml.signature import (
    ed25519_public_key,
    ed25519_signature,
    validate_ed25519_signature,
)
from twiml.simulator.api import Call

KEY = base64.b64encode(bytes(range(32))).decode()
WRONG = base64.b64encode(bytes(range(1, 33))).decode()


@pytest.fixture
def telnyx_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A FastAPI app that rejects requests whose Ed25519 signature does not verify (HTTP 403,
    as Telnyx's own examples answer), and logs every request it gets to log.jsonl."""
    (tmp_path / "texmlapp.py").write_text(
        textwrap.dedent(
            f"""
            import json
            from fastapi import FastAPI, Request, Response
            from twiml.signature import validate_ed25519_signature

            PUBLIC = {ed25519_public_key(KEY)!r}
            app = FastAPI()

            @app.post("/{{path:path}}")
            async def serve(path: str, request: Request) -> Response:
                body = await request.body()
                ok = validate_ed25519_signature(
                    body, request.headers.get("telnyx-signature-ed25519"), request.headers.get("telnyx-timestamp"), PUBLIC
                )
                form = dict((await request.form()).items())
                with open({str(tmp_path / "log.jsonl")!r}, "a") as fh:
                    fh.write(json.dumps({{"path": path, "ok": ok, "form": form}}) + "\\n")
                if not ok:
                    return Response("invalid signature", status_code=403, media_type="text/plain")
                if path == "voice":
                    doc = (
                        '<Response><HttpRequest action="/looked-up"><Request url="https://crm.example/lookup"/></HttpRequest></Response>'
                    )
                elif path == "looked-up":
                    doc = '<Response><AIGather action="/gathered"><Greeting>What is your account?</Greeting></AIGather></Response>'
                else:
                    doc = f"<Response><Say>You said {{form.get('SpeechResult', '')}}</Say><Hangup/></Response>"
                return Response(doc, media_type="text/xml")
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "crm.json").write_text('{"name": "Ada"}', encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "texmlapp", raising=False)  # each test its own app and log
    yield tmp_path
    sys.modules.pop("texmlapp", None)


def _log(folder: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (folder / "log.jsonl").read_text().splitlines()]


def test_signature_helpers_round_trip_and_refuse_tampering() -> None:
    signature = ed25519_signature(b"CallSid=v3%3Aabc", 1700000000, KEY)
    public = ed25519_public_key(KEY)
    assert validate_ed25519_signature(b"CallSid=v3%3Aabc", signature, "1700000000", public, now=1700000100)
    assert not validate_ed25519_signature(b"CallSid=v3%3Aabd", signature, "1700000000", public, now=1700000100)
    assert not validate_ed25519_signature(b"CallSid=v3%3Aabc", signature, "1700000001", public, now=1700000100)
    assert not validate_ed25519_signature(b"CallSid=v3%3Aabc", signature, "1700000000", public, now=1700000400)
    assert not validate_ed25519_signature(b"x", None, "1", public)
    with pytest.raises(ValueError, match="32 bytes"):
        ed25519_signature(b"x", 1, "c2hvcnQ=")


def test_call_with_the_right_key_is_accepted_and_runs_texml_verbs(telnyx_app: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["call", "--app", "texmlapp:app", "/voice", "--dialect", "texml", "--signing-key", KEY]
    argv += ["--http-fixture", "https://crm.example/lookup=crm.json", "--input", "four two", "--seed", "s"]
    assert main(argv, stdout=out, stderr=err) == 0, out.getvalue() + err.getvalue()
    log = _log(telnyx_app)
    assert [(e["path"], e["ok"]) for e in log] == [("voice", True), ("looked-up", True), ("gathered", True)]
    form = log[0]["form"]
    assert isinstance(form, dict)
    assert form["CallSid"].startswith("v3:") and form["CallSidLegacy"].startswith("v2:") and form["ConnectionId"]
    assert log[2]["form"]["SpeechResult"] == "Four two."  # type: ignore[index]
    text = out.getvalue()
    assert "fixture answers HTTP 200" in text and "You said Four two." in text


def test_call_with_a_wrong_key_is_rejected_and_reported(telnyx_app: Path) -> None:
    out = io.StringIO()
    argv = ["call", "--app", "texmlapp:app", "/voice", "--dialect", "texml", "--signing-key", WRONG]
    assert main(argv, stdout=out, stderr=io.StringIO()) == 1
    assert [(e["path"], e["ok"]) for e in _log(telnyx_app)] == [("voice", False)]
    assert "HTTP 403" in out.getvalue() and "/voice" in out.getvalue()


def test_api_call_signs_as_telnyx(telnyx_app: Path) -> None:
    from texmlapp import app  # type: ignore[import-not-found]

    call = Call(app, "/voice", dialect="texml", signing_key=KEY)
    assert call.session.requests[0].request.param("CallSid").startswith("v3:")  # type: ignore[union-attr]
    assert [(e["path"], e["ok"]) for e in _log(telnyx_app)] == [("voice", True), ("looked-up", True)]
    assert call.waiting is not None and call.waiting.input_types == ("speech",)  # <AIGather>
    assert "no fixture for this URL" in " ".join(n for v in call.session.verbs for n in v.notes)


def test_a_bad_signing_key_is_a_clear_error() -> None:
    err = io.StringIO()
    assert main(["call", "x.xml", "--dialect", "texml", "--signing-key", "not base64!"], stderr=err) == 2
    assert "--signing-key" in err.getvalue() and "base64" in err.getvalue()


def test_cxml_requests_carry_signalwire_and_twilio_headers() -> None:
    from twiml.signature import SIGNALWIRE_SIGNATURE_HEADER, validate_signature
    from twiml.simulator.driver import sign_as
    from twiml.simulator.transport import Request

    request = sign_as(Request("POST", "https://app.example/voice", (("CallSid", "CA1"),), ()), "cxml", "PSKtest")
    headers = dict(request.headers)
    assert headers[SIGNALWIRE_SIGNATURE_HEADER] == headers["X-Twilio-Signature"]
    assert validate_signature(request.url, request.form, headers[SIGNALWIRE_SIGNATURE_HEADER], "PSKtest")
    assert not validate_signature(request.url, request.form, headers[SIGNALWIRE_SIGNATURE_HEADER], "other")
