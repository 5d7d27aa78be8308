"""`--http` / `http=True`: HTTP Request and Run Function widgets without a fixture call their real
URL, here a real Flask server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from tests.studio.helpers import FLOWS
from tests.studio.test_cli import run
from twiml.testing import Call, Text


@pytest.fixture
def api() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """An agent directory (GET /agent) and a code service (POST /code, form fields); 500 on /broken."""
    seen: list[dict[str, Any]] = []
    app = Flask("studio_http")

    @app.get("/agent")
    def agent() -> Any:
        seen.append(dict(request.args))
        return jsonify(agent={"name": "Hedy"})

    @app.post("/code")
    def code() -> Any:
        seen.append(dict(request.form))
        return jsonify(code=f"C-{request.form.get('name', '?')}")

    @app.post("/broken")
    def broken() -> Any:
        return "no", 500

    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        thread.join()


def _flow(tmp_path: Path, name: str, widget: str, url: str) -> Path:
    data = json.loads((FLOWS / name).read_text())
    next(s for s in data["states"] if s["name"] == widget)["properties"]["url"] = url
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_an_http_request_widget_calls_its_url(tmp_path: Path, api: tuple[str, list[dict[str, Any]]]) -> None:
    base, _ = api
    call = Call(studio=_flow(tmp_path, "ivr.json", "operator", f"{base}/agent"), http=True)
    call.say("operator")
    assert call.heard() == "Your agent is Hedy."
    assert call.studio is not None and any(
        "operator: make-http-request GET" in n and "HTTP 200" in n for n in call.studio.notes
    )


def test_a_function_gets_its_parameters_as_a_form(tmp_path: Path, api: tuple[str, list[dict[str, Any]]]) -> None:
    base, seen = api
    text = Text(studio=_flow(tmp_path, "sms.json", "lookup", f"{base}/code"), http=True, body="hi")
    text.send("Ada")
    text.send("yes")
    assert text.reply == "You are confirmed, Ada! Code C-Ada."
    assert seen == [{"name": "Ada"}]


def test_an_error_status_takes_the_fail_transition(tmp_path: Path, api: tuple[str, list[dict[str, Any]]]) -> None:
    base, _ = api
    text = Text(studio=_flow(tmp_path, "sms.json", "lookup", f"{base}/broken"), http=True, body="hi")
    text.send("Ada")
    assert text.send("yes")[0].body == "Something went wrong."


def test_the_cli_flag(tmp_path: Path, api: tuple[str, list[dict[str, Any]]]) -> None:
    base, _ = api
    flow = _flow(tmp_path, "ivr.json", "operator", f"{base}/agent")
    status, out, _ = run("call", str(flow), "--input", "operator", "--http")
    assert status == 0 and '"Your agent is Hedy."' in out
    status, out, _ = run("call", str(flow), "--input", "operator")
    assert status == 0 and "has no fixture" in out and '"Goodbye."' in out
