"""The same round as for a folder, against a real Flask app through `--app` and a real HTTP
server on 127.0.0.1 (the exported app of sample_flows/); plus fixtures and record/replay."""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from tests.flowtest.helpers import NEW_PROMPT, OLD_PROMPT, SAMPLES, change_three, copy_samples, replace, run, twiml
from twiml.flow.config import load_flow
from twiml.flow.export_app import export_app
from twiml.flowtest.cases import cases_from_map, load_cases, play_all
from twiml.flowtest.targets import TestTarget


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _export(folder: Path, module: Path) -> None:
    module.write_text(export_app(load_flow(folder), "flask"), encoding="utf-8")


def _three(stdout: str) -> set[tuple[Any, ...]]:
    return {(c["kind"], c["was"], c["now"]) for c in json.loads(stdout)["changes"]}


EXPECTED = {
    ("prompt", OLD_PROMPT, NEW_PROMPT),
    ("attribute", "1", "2"),
    (
        "branch",
        '"All of our support agents are busy. Please stay on the line."',
        '"You have reached Acme support after hours. Please leave your name, number and a short message after the tone."',
    ),
}


def test_flask_app_round_through_app(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    _export(folder, tmp_path / "acme_app.py")
    target = ("--app", "acme_app:app", "/voice/incoming")
    made = twiml("test", "--generate", *target, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "flow_tests.toml").is_file()  # not a folder target: the current folder
    assert twiml("test", *target, cwd=tmp_path).returncode == 0
    change_three(folder)
    _export(folder, tmp_path / "acme_app.py")
    result = twiml("test", *target, "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert _three(result.stdout) == EXPECTED


@pytest.fixture
def serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], str]]:
    """Serve the exported app of a folder on 127.0.0.1; a second call replaces the server."""
    monkeypatch.syspath_prepend(str(tmp_path))
    running: list[Any] = []
    modules: list[str] = []

    def stop() -> None:
        while running:
            httpd = running.pop()
            httpd.shutdown()
            httpd.server_close()

    def start(folder: Path) -> str:
        stop()
        name = f"served_{tmp_path.name}_{len(modules)}"
        _export(folder, tmp_path / f"{name}.py")
        modules.append(name)
        app = importlib.import_module(name).app
        httpd = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        running.append(httpd)
        return f"http://127.0.0.1:{httpd.server_port}/voice/incoming"

    yield start
    stop()
    for name in modules:
        sys.modules.pop(name, None)


@pytest.mark.slow  # four CLI runs against a real server: about 3 s
def test_http_server_round_and_record_replay(tmp_path: Path, serve: Callable[[Path], str]) -> None:
    folder = copy_samples(tmp_path)
    url = serve(folder)
    cases, recording = tmp_path / "cases.toml", tmp_path / "replies.toml"
    tries = ("--try", "1", "--try", "2", "--try", "9")  # fewer paths than every key: a faster test
    made = twiml("test", "--generate", url, *tries, "--cases", str(cases), "--record", str(recording))
    assert made.returncode == 0, made.stderr
    assert "recorded" in made.stdout and "[[reply]]" in recording.read_text(encoding="utf-8")
    assert twiml("test", url, *tries, "--cases", str(cases)).returncode == 0
    # offline: a port nobody listens on, every reply from the recording
    offline = twiml(
        "test", "http://127.0.0.1:9/voice/incoming", *tries, "--cases", str(cases), "--replay", str(recording)
    )
    assert offline.returncode == 0, offline.stdout + offline.stderr
    change_three(folder)
    url = serve(folder)  # a new server (another port): cases keep paths, not hosts
    result = twiml("test", url, *tries, "--cases", str(cases), "--format", "json")
    assert result.returncode == 1, result.stderr
    assert _three(result.stdout) == EXPECTED


def test_fixtures_answer_urls_the_target_does_not(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    replace(folder / "voicemail.xml", 'action="/voicemail/complete"', 'action="https://crm.example.com/voicemail"')
    broken = twiml("test", "--generate", str(folder))
    assert "note: broken link https://crm.example.com/voicemail" in broken.stdout
    reply = "<Response><Say>Saved in the CRM.</Say><Hangup/></Response>"
    made = run("test", "--generate", str(folder), "--fixture", f"https://crm.example.com/voicemail={reply}")
    assert made.returncode == 0 and "broken link" not in made.stdout
    text = (folder / "flow_tests.toml").read_text(encoding="utf-8")
    assert '"https://crm.example.com/voicemail" = { body = ' in text and '"Saved in the CRM."' in text
    assert run("test", str(folder)).returncode == 0  # the file's fixture answers the replay
    status = run("test", str(folder), "--fixture", "https://crm.example.com/voicemail=500", "--format", "json")
    assert status.returncode == 1
    kinds = {(c["kind"], c["now"]) for c in json.loads(status.stdout)["changes"]}
    assert ("branch", "HTTP 500 at https://crm.example.com/voicemail") in kinds


def test_a_single_file_with_fixtures_for_the_urls_it_asks_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from twiml.cli import main

    menu = tmp_path / "menu.xml"
    shutil.copy(SAMPLES / "ivr_main_menu.xml", menu)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    reply = "<Response><Say>You chose.</Say><Hangup/></Response>"
    assert main(["test", "--generate", "menu.xml", "--fixture", f"/menu={reply}"], stdout=out) == 0
    assert "broken link http://localhost/menu" not in out.getvalue()  # the fixture answers it
    assert "broken link http://localhost/voice/incoming" in out.getvalue()  # nothing answers the Redirect
    cases = load_cases(tmp_path / "flow_tests.toml")
    press = next(c for c in cases.cases if c.name == "press 1")
    assert press.end == "hangup" and press.steps[1].heard == ["You chose."]
    assert cases.fixtures == {"/menu": {"status": 200, "body": reply}}
    assert main(["test", "menu.xml"], stdout=io.StringIO()) == 0


def test_another_input_plugs_in_with_an_opener(tmp_path: Path) -> None:
    """What a Studio flow does: recognise its file and hand over a simulator Target."""
    from twiml.flowtest.targets import from_simulator_target, open_test_target, register_opener
    from twiml.simulator.commands import open_target

    source = tmp_path / "menu.custom"
    source.write_text((SAMPLES / "goodbye.xml").read_text(encoding="utf-8"), encoding="utf-8")
    twiml_copy = tmp_path / "menu.xml"

    def opener(path: Path, options: argparse.Namespace) -> TestTarget | None:
        if path.suffix != ".custom":
            return None
        twiml_copy.write_bytes(path.read_bytes())  # a stand-in for converting another format
        return from_simulator_target(open_target(str(twiml_copy), None), path.parent, "custom")

    remove = register_opener(opener)
    try:
        target = open_test_target(str(source))
    finally:
        remove()
    assert target.kind == "custom" and target.default_cases() == Path("flow_tests.toml")
    played = play_all(target, cases_from_map(target.explore(), target))
    assert [(c.name, c.end, c.steps[0].heard) for c in played] == [
        ("call", "hangup", ["Thank you for calling Acme Corporation. Goodbye."])
    ]
