"""`twiml export-app`: the written Flask and FastAPI apps behave exactly like the folder.

Equivalence is checked two ways for each framework: the explorer maps the app with the
folder's inputs and finds the same states, edges and transcripts; and `twiml call --app` on the
app prints the same JSON transcript as `twiml call FOLDER` for every path of the map.
"""

from __future__ import annotations

import importlib
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from twiml.cli import main
from twiml.flow import load_flow
from twiml.flow.explore import Edge, FlowMap, explore_flow, paths
from twiml.flow.export_app import export_app
from twiml.simulator.transport import AppTransport

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"
FRAMEWORKS = ("flask", "fastapi")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def exported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[str]:
    """`MODULE` of the sample flow exported for the framework of the test's parameter."""
    framework = request.param
    module = f"exported_{framework}_{tmp_path.name}"
    status, _, err = run("export-app", str(SAMPLES), "--framework", framework, "-o", str(tmp_path / f"{module}.py"))
    assert status == 0, err
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    yield module
    sys.modules.pop(module, None)


def _comparable(flow_map: FlowMap) -> tuple[list[Any], list[Any]]:
    states = [(s.path, s.heard, s.kind) for s in flow_map.states.values()]
    edges = [(e.src, e.label, e.dst, e.end, e.heard) for e in flow_map.edges]
    return states, edges


@pytest.mark.parametrize("exported", FRAMEWORKS, indirect=True)
def test_exported_app_maps_like_the_folder(exported: str) -> None:
    flow = load_flow(SAMPLES)
    folder_map = explore_flow(flow)
    app = importlib.import_module(exported).app
    transport = AppTransport(app)
    try:
        app_map = explore_flow(flow, transport=transport)
    finally:
        transport.close()
    folder_states, folder_edges = _comparable(folder_map)
    app_states, app_edges = _comparable(app_map)
    fax = [i for i, s in enumerate(folder_map.states.values()) if s.path == "/fax/incoming"]
    assert app_states == [s for i, s in enumerate(folder_states) if i not in fax]
    assert app_edges == folder_edges
    assert app_map.broken == [] and not app_map.failed


def _call_args(trail: list[Edge]) -> list[str] | None:
    """The `twiml call` options that replay a path of the map (None: it needs two different
    outcomes for one option, which a scripted call cannot say)."""
    args: list[str] = []
    options: dict[str, str] = {}
    for edge in trail:
        for part in filter(None, edge.label.split(", ")):
            if part.startswith(("press ", "other keys (")):
                args += ["--input", part.removeprefix("press ").removeprefix("other keys (").rstrip(")")]
            elif part.startswith("say "):
                args += ["--input", part[5:-1]]
            elif part == "no input":
                args += ["--input", ""]
            elif part.startswith("dial "):
                options.setdefault("--dial-status", part[5:])
                if options["--dial-status"] != part[5:]:
                    return None
            elif part in ("recording 5 s", "silence"):
                value = "5" if part != "silence" else "0"
                if options.setdefault("--recording-duration", value) != value:
                    return None
            elif part.startswith("queue "):
                options.setdefault("--queue-result", part[6:])
            elif part not in ("redirect", "enqueue waitUrl"):
                raise AssertionError(f"no call option for {part!r}")
    return args + [x for item in options.items() for x in item]


def _transcript(text: str) -> Any:
    """The JSON transcript without what only says where a document came from (file, line)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("source", "line", "column", "target")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, str):  # "<Redirect> at sample_flows/menu_retry.xml:5" vs "at URL:1"
            return re.sub(r" at \S+:\d+", "", value)
        return value

    return strip(json.loads(text))


def _legs(flow_map: FlowMap) -> list[tuple[str, list[Edge]]]:
    """Each path as (start path, edges); after a callee edge the path is the callee's own call."""
    out: list[tuple[str, list[Edge]]] = []
    for trail in paths(flow_map):
        start, current = "/voice/incoming", list[Edge]()
        for edge in trail:
            if edge.label.startswith("callee hears") and edge.dst is not None:
                out.append((start, current))
                start, current = flow_map.states[edge.dst].path, []
            else:
                current.append(edge)
        out.append((start, current))
    return out


def _call_folder_at(path: str, args: list[str]) -> tuple[int, str, str]:
    """`twiml call` starts a folder at `start`; a callee leg starts elsewhere: the same session
    and JSON view, driven directly."""
    from twiml.flow.transport import FolderTransport
    from twiml.simulator import GatherInput, Options, Session
    from twiml.simulator.render import as_json

    inputs = [args[i + 1] for i, a in enumerate(args) if a == "--input"]
    transport = FolderTransport(SAMPLES)
    session = Session(transport, transport.url(path), Options(seed="equal", max_steps=8))
    session.run(lambda ask: GatherInput.parse(inputs.pop(0)) if inputs else GatherInput())
    assert session.ended is not None
    status = 1 if session.failed else 0
    data = as_json(session.events, session.ended, "voice", path, status)
    return status, json.dumps(data), ""


@pytest.mark.parametrize("exported", FRAMEWORKS, indirect=True)
def test_twiml_call_on_the_exported_app_matches_the_folder_on_every_path(exported: str) -> None:
    flow_map = explore_flow(load_flow(SAMPLES))
    compared = 0
    for start, trail in _legs(flow_map):
        args = _call_args(trail)
        assert args is not None
        common = ["--format", "json", "--seed", "equal", "--max-steps", "8", *args]
        # a callee leg (Number url) starts at its own URL, which `twiml call FOLDER` cannot
        calls_folder = start == "/voice/incoming"
        folder = run("call", str(SAMPLES), *common) if calls_folder else _call_folder_at(start, args)
        app = run("call", "--app", f"{exported}:app", start, *common)
        assert folder[0] == app[0], (start, args, folder[2], app[2])
        assert _transcript(folder[1]) == _transcript(app[1]), (start, args)
        compared += 1
    assert compared == 23  # 20 paths; 3 of them go on as the callee's own call


@pytest.mark.parametrize("exported", FRAMEWORKS, indirect=True)
def test_text_on_the_exported_app_matches_the_folder(exported: str) -> None:
    for body in ("HELP", "stop!", "Hours?", "hi there"):
        common = ["--format", "json", "--seed", "equal", "--body", body]
        folder = run("text", str(SAMPLES), *common)
        app = run("text", "--app", f"{exported}:app", "/sms/incoming", *common)
        assert folder[0] == app[0] == 0
        assert _transcript(folder[1]) == _transcript(app[1])


@pytest.mark.parametrize("exported", FRAMEWORKS, indirect=True)
def test_exported_app_checks_signatures_when_the_token_is_set(exported: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "s3cret")
    status, out, _ = run(
        "call", "--app", f"{exported}:app", "/voice/incoming", "--auth-token", "s3cret", "--input", "1"
    )
    assert status == 0 and "Connecting you to sales." in out
    status, out, _ = run("call", "--app", f"{exported}:app", "/voice/incoming", "--auth-token", "wrong")
    assert status == 1 and "HTTP 403" in out


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_exported_code_passes_ruff_with_default_rules(framework: str, tmp_path: Path) -> None:
    source = export_app(load_flow(SAMPLES), framework)
    path = tmp_path / "app.py"
    path.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "app.py"],
        cwd=tmp_path,  # as in the user's project, where twiml is an installed package
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    compile(source, "app.py", "exec")
    assert "def ivr_main_menu():" in source
    assert 'if digits == "1":' in source
    assert "validate_signature(" in source
    assert "Comment(" not in source  # XML comments become Python comments
    assert "# Main menu: caller presses a key or says a department; /menu routes the choice." in source


def test_export_app_command_refuses_to_overwrite_and_names_bad_folders(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_text("keep me", encoding="utf-8")
    status, _, err = run("export-app", str(SAMPLES), "-o", str(target))
    assert status == 2 and "exists" in err and target.read_text(encoding="utf-8") == "keep me"
    assert run("export-app", str(SAMPLES), "-o", str(target), "--force")[0] == 0
    assert "from flask import" in target.read_text(encoding="utf-8")
    status, _, err = run("export-app", str(SAMPLES), "-o", str(tmp_path / "missing" / "app.py"))
    assert status == 2 and "missing" in err
    assert run("export-app", str(tmp_path))[0] == 2
    status, out, _ = run("export-app", str(SAMPLES), "--framework", "fastapi")
    assert status == 0 and out.startswith('"""FastAPI webhooks')
