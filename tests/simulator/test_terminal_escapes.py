"""Terminal control characters from documents, apps and flow folders never reach the terminal
raw: call, text, map and flow.toml messages all go through twiml.textsafe (issue 19, case 8)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from twiml.cli import main

HOSTILE = "\x1b[2J\x9b31m\x9d0;title\x07\u202eevil\u2066"
RAW = ("\x1b", "\x9b", "\x9d", "\u202e", "\u2066", "\x07")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def clean(*texts: str) -> bool:
    return not any(c in text for text in texts for c in RAW)


def xml_safe(text: str) -> str:
    return "".join(c if c >= " " else f"&#x{ord(c):x};" if c in "\t\n\r" else "" for c in text)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_say_text_and_urls_are_escaped_in_call_output(tmp_path: Path, fmt: str) -> None:
    body = xml_safe(HOSTILE)
    doc = tmp_path / "doc.xml"
    doc.write_text(f"<Response><Say>{body}</Say><Play>http://x.test/{body}</Play></Response>", encoding="utf-8")
    status, out, err = run("call", str(doc), "--format", fmt)
    assert status == 0 and clean(out, err)
    if fmt == "text":
        assert "\\x9b31m" in out and "\\u202eevil" in out
    else:
        assert "\u009b31m" in json.loads(out)["verbs"][0]["text"]  # the same value, escaped in JSON


def test_message_bodies_are_escaped_in_text_output(tmp_path: Path) -> None:
    doc = tmp_path / "sms.xml"
    doc.write_text(f"<Response><Message>{xml_safe(HOSTILE)}</Message></Response>", encoding="utf-8")
    status, out, err = run("text", str(doc), "--body", "hi")
    assert status == 0 and clean(out, err) and "\\x9d0;title" in out


def hostile_app() -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["path"] == "/boom":
            raise ValueError(HOSTILE)
        headers = [(b"content-type", ("text/" + HOSTILE).encode("utf-8"))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"<Response/>"})

    return app


hostile_asgi = hostile_app()

flask_boom = Flask("boom")


@flask_boom.post("/voice")
def _boom() -> str:
    raise RuntimeError(HOSTILE)


@pytest.mark.parametrize(
    ("app", "path"), [("hostile_asgi", "/ctype"), ("hostile_asgi", "/boom"), ("flask_boom", "/voice")]
)
def test_an_apps_content_type_and_exception_text_are_escaped(
    app: str, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    status, out, err = run("call", "--app", f"test_terminal_escapes:{app}", path)
    assert status == 1 and clean(out, err)
    assert "\\x1b[2J" in out


def test_route_and_file_names_are_escaped_in_map_and_flow_toml_messages(tmp_path: Path) -> None:
    folder = tmp_path / "flow"
    folder.mkdir()
    (folder / "a.xml").write_text("<Response><Say>hi</Say></Response>", encoding="utf-8")
    (folder / "flow.toml").write_text(
        'start = "/v"\n[routes]\n"/v" = "a.xml"\n"/\\u001b[2J\\u009b" = "x\\u001b]0;t\\u0007.xml"\n', encoding="utf-8"
    )
    status, out, err = run("map", str(folder))
    assert status == 1 and clean(out, err)
    assert "\\x1b[2J\\x9b" in err and "x\\x1b]0;t\\x07.xml" in err
    status, out, err = run("call", str(folder))
    assert status == 2 and clean(out, err) and "\\x1b[2J" in err
    for fmt in ("json", "mermaid", "dot"):
        assert clean(*run("map", str(folder), "--format", fmt)[1:])
