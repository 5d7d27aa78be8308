"""A route that answers nothing: `"/status" = { status = 204 }` in flow.toml.

Callbacks (statusCallback, recordingStatusCallback, transcribeCallback ...) only need a 2xx: the
router, the validator of flow.toml, the simulator's transport, the map, the exported apps and the
LSP's go-to-definition all read the same `NoContent` route.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from twiml.flow import Flow, load_flow
from twiml.flow.folder import FolderApp
from twiml.flow.routing import NoContent

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"
CALLBACKS = (
    "/operator/number-status",
    "/operator/recording-status",
    "/voicemail/recording-status",
    "/voicemail/transcription",
)
DOC = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>{}</Response>\n'


def twiml(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twiml", *args], capture_output=True, text=True, check=False, timeout=120, cwd=cwd
    )


def make(folder: Path, toml: str, **files: str) -> Flow:
    for name, body in files.items():
        (folder / name).write_text(DOC.format(body), encoding="utf-8")
    (folder / "flow.toml").write_text(toml, encoding="utf-8")
    return load_flow(folder)


def test_an_empty_route_resolves_to_no_document_and_answers_204(tmp_path: Path) -> None:
    toml = 'start = "/a"\n[routes]\n"/a" = "a.xml"\n"/status" = { status = 204 }\n"/also" = "/status"\n'
    flow = make(tmp_path, toml, **{"a.xml": "<Say>hi</Say>"})
    assert flow.problems == []
    route = flow.routes["/status"]
    assert route.target == NoContent(204) and route.targets() == [] and route.line == 4
    assert route.describe() == "/status → 204 (empty answer)"
    for path in ("/status", "/also"):  # through a forward too
        resolution = flow.resolve(path)
        assert resolution.no_content and resolution.document is None
    assert flow.resolve("/also").hops == (("/also", ""), ("/status", ""))
    assert not flow.resolve("/a").no_content
    reply = FolderApp(flow).answer("POST", "http://localhost/status", {"CallStatus": "completed"})
    assert (reply.status, reply.body, reply.content_type, reply.source) == (204, b"", "", None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{ status = 200 }", 'route "/cb": status must be 204, an empty answer (got 200)'),
        ('{ status = "204" }', "route \"/cb\": status must be 204, an empty answer (got '204')"),
        ("{ status = true }", 'route "/cb": status must be 204, an empty answer (got True)'),
        ('{ status = 204, by = "Digits" }', 'route "/cb": status = 204 answers with no body; it takes no by'),
    ],
)
def test_a_bad_empty_route_is_an_error_at_its_line(tmp_path: Path, value: str, message: str) -> None:
    flow = make(tmp_path, f'start = "/a"\n[routes]\n"/a" = "a.xml"\n"/cb" = {value}\n', **{"a.xml": "<Hangup/>"})
    assert [(p.line, p.severity, p.message) for p in flow.problems] == [(4, "error", message)]


def test_an_entry_point_that_answers_nothing_is_an_error(tmp_path: Path) -> None:
    flow = make(tmp_path, 'start = "/a"\nsms_start = "/s"\n[routes]\n"/a" = { status = 204 }\n"/s" = "/a"\n')
    assert [(p.line, p.code, p.message) for p in flow.problems] == [
        (1, "FLOW-TARGET", "start /a answers with no body; Twilio needs TwiML there (12300)"),
        (2, "FLOW-TARGET", "sms_start /s answers with no body; Twilio needs TwiML there (12300)"),
    ]


def test_sample_flows_acknowledge_their_callbacks_with_204_and_map_and_validate_clean() -> None:
    flow = load_flow(SAMPLES)
    assert all(flow.routes[path].target == NoContent() for path in CALLBACKS)
    assert not (SAMPLES / "callback_received.xml").exists()
    proc = twiml("map", str(SAMPLES))
    assert proc.returncode == 0, proc.stderr
    summary = proc.stdout.splitlines()[-1]
    assert " 0 broken links, 0 unreachable documents, " in summary
    assert summary.endswith(" 4 callbacks (0 without a route)")
    proc = twiml("validate", str(SAMPLES))
    assert proc.returncode == 0 and proc.stdout.splitlines()[-1].endswith(" files, 0 problems"), proc.stdout


def test_a_call_redirected_to_an_empty_route_fails_as_twilio_fails(tmp_path: Path) -> None:
    """On a URL of the call an empty answer is no TwiML: Twilio's 12300, in the call and the map."""
    toml = 'start = "/a"\n[routes]\n"/a" = "a.xml"\n"/done" = { status = 204 }\n'
    make(tmp_path, toml, **{"a.xml": "<Say>hi</Say><Redirect>/done</Redirect>"})
    proc = twiml("call", str(tmp_path), "--format", "json")
    assert proc.returncode == 1
    call = json.loads(proc.stdout)
    assert [(r["url"], r["status"]) for r in call["requests"]] == [
        ("http://localhost/a", 200),
        ("http://localhost/done", 204),
    ]
    assert [d["code"] for d in call["diagnostics"]] == [12300] and call["ended"]["reason"] == "error"
    assert "HTTP 204 with no body from http://localhost/done" in call["diagnostics"][0]["message"]
    proc = twiml("map", str(tmp_path))
    assert proc.returncode == 1
    assert "error 12300 HTTP 204 with no body from http://localhost/done" in proc.stdout


@pytest.fixture
def sample_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[str]:
    framework = request.param
    module = f"nocontent_{framework}_{tmp_path.name}"
    proc = twiml("export-app", str(SAMPLES), "--framework", framework, "-o", str(tmp_path / f"{module}.py"))
    assert proc.returncode == 0, proc.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    yield module
    sys.modules.pop(module, None)


@pytest.mark.parametrize("sample_module", ["flask"], indirect=True)
def test_exported_flask_app_answers_204_on_the_callbacks(sample_module: str) -> None:
    client = importlib.import_module(sample_module).app.test_client()
    for path in CALLBACKS:
        response = client.post(path, data={"CallSid": "CA" + "0" * 32, "CallStatus": "completed"})
        assert (response.status_code, response.data) == (204, b""), path
    assert client.post("/voice/incoming").status_code == 200


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
@pytest.mark.parametrize("sample_module", ["fastapi"], indirect=True)
def test_exported_fastapi_app_answers_204_on_the_callbacks(sample_module: str) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(importlib.import_module(sample_module).app)
    for path in CALLBACKS:
        response = client.post(path, data={"CallSid": "CA" + "0" * 32, "CallStatus": "completed"})
        assert (response.status_code, response.content) == (204, b""), path
    assert client.post("/voice/incoming").status_code == 200


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_exported_apps_check_the_signature_of_an_empty_route_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    folder = tmp_path / "flow"
    shutil.copytree(SAMPLES, folder)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "s3cret")
    for framework in ("flask", "fastapi"):
        module = f"signed_{framework}_{tmp_path.name}"
        assert (
            twiml("export-app", str(folder), "--framework", framework, "-o", str(tmp_path / f"{module}.py")).returncode
            == 0
        )
        try:
            app = importlib.import_module(module).app
            client = app.test_client() if framework == "flask" else TestClient(app)
            assert client.post(CALLBACKS[0], data={"CallStatus": "completed"}).status_code == 403, framework
        finally:
            sys.modules.pop(module, None)
