"""`twiml map URL`: the exported sample app served by a real server on 127.0.0.1, mapped over HTTP."""

from __future__ import annotations

import importlib
import io
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from twiml.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    out, err = io.StringIO(), io.StringIO()
    module = f"served_flow_{tmp_path.name}"
    assert main(["export-app", str(SAMPLES), "-o", str(tmp_path / f"{module}.py")], stdout=out, stderr=err) == 0
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    app = importlib.import_module(module).app
    httpd = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        sys.modules.pop(module, None)


def test_map_over_http_tries_every_key(served: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = main(["map", f"{served}/voice/incoming"], stdout=out, stderr=err)
    text = out.getvalue()
    assert status == 0, text + err.getvalue()
    assert text.startswith("start: call\n[s1] /voice/incoming  -")
    lines = text.splitlines()
    assert any(line.startswith("├─ press 1 → [s") and '"Connecting you to sales."' in line for line in lines)
    assert any(line.startswith("├─ press 4 → [s") and '"Sorry, I did not catch that."' in line for line in lines)
    assert "0 broken links" in text
