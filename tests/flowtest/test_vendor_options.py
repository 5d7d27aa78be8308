"""`twiml test` and `twiml coverage` take `--dialect` and `--allow-host` as `twiml call` and
`twiml map` do (one definition of each option): the vendor placing the calls of the map and
of every replay, and the other hosts a URL target may lead to."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from tests.flowtest.helpers import run, twiml


@pytest.fixture
def texml_folder(tmp_path: Path) -> Path:
    """A Telnyx flow: <AIGather> is TeXML only, so only a texml map reaches done.xml."""
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "flow.toml").write_text(
        'start = "/voice"\ndialect = "texml"\n\n[routes]\n"/voice" = "voice.xml"\n"/done" = "done.xml"\n',
        encoding="utf-8",
    )
    (folder / "voice.xml").write_text(
        '<Response><AIGather action="/done"><Greeting>Hi</Greeting></AIGather></Response>', encoding="utf-8"
    )
    (folder / "done.xml").write_text("<Response><Say>Bye</Say></Response>", encoding="utf-8")
    return folder


def _states(result: Any) -> int:
    assert result.returncode == 0, result.stderr
    total: int = json.loads(result.stdout)["counts"]["states"]["total"]
    return total


def test_dialect_of_test_and_coverage(texml_folder: Path, tmp_path: Path) -> None:
    made = twiml("test", "--generate", str(texml_folder))  # flow.toml's dialect: texml
    assert made.returncode == 0, made.stderr
    cases = (texml_folder / "flow_tests.toml").read_text(encoding="utf-8")
    assert 'document = "done.xml"' in cases
    assert run("test", str(texml_folder), "--dialect", "texml").returncode == 0
    as_twilio = run("test", str(texml_folder), "--dialect", "twilio")
    assert as_twilio.returncode == 1, as_twilio.stderr
    assert "no longer reaches done.xml" in as_twilio.stdout
    data = tmp_path / "walks.json"
    data.write_text('{"version": 1, "walks": []}', encoding="utf-8")
    coverage = ("coverage", str(texml_folder), "--data", str(data), "--format", "json")
    assert _states(run(*coverage)) == 2
    assert _states(run(*coverage, "--dialect", "twilio")) == 1
    bad = run("test", str(texml_folder), "--dialect", "plivo")
    assert bad.returncode == 2 and "--dialect" in bad.stderr and "plivo" in bad.stderr


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def two_hosts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], str]]:
    """A server on 127.0.0.1 whose first document redirects to another host name, which this
    process resolves to 127.0.0.1 too (no other address is ever contacted)."""
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == "elsewhere.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    servers: list[Any] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        port = environ["SERVER_PORT"]
        if environ["PATH_INFO"] == "/voice":
            body = f"<Response><Redirect>http://elsewhere.test:{port}/next</Redirect></Response>"
        else:
            body = "<Response><Say>Reached the other host.</Say></Response>"
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [body.encode()]

    def start() -> str:
        httpd = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_port}/voice"

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_allow_host_of_test_and_coverage(two_hosts: Callable[[], str], tmp_path: Path) -> None:
    url = two_hosts()
    cases = str(tmp_path / "cases.toml")
    refused = run("test", "--generate", url, "--cases", cases)
    assert refused.returncode == 0, refused.stderr
    assert "not followed: other host elsewhere.test" in refused.stdout  # the broken link's note
    made = run("test", "--generate", url, "--cases", cases, "--allow-host", "elsewhere.test")
    assert made.returncode == 0 and "broken link" not in made.stdout, made.stdout
    assert '"Reached the other host."' in Path(cases).read_text(encoding="utf-8")
    assert run("test", url, "--cases", cases, "--allow-host", "elsewhere.test").returncode == 0
    assert run("test", url, "--cases", cases).returncode == 1  # not followed without it: a change
    data = tmp_path / "walks.json"
    data.write_text('{"version": 1, "walks": []}', encoding="utf-8")
    coverage = ("coverage", url, "--data", str(data), "--format", "json")
    assert _states(run(*coverage)) == 1  # the other host is a broken link, not a state
    assert _states(run(*coverage, "--allow-host", "elsewhere.test")) == 2
