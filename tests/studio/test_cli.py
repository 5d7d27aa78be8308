"""The command line on Studio flows: call, text, map, validate, studio import/export."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.studio.helpers import FLOWS, ROOT
from twiml.cli import main

IVR = str(FLOWS / "ivr.json")
SMS = str(FLOWS / "sms.json")
BROKEN = str(FLOWS / "broken.json")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err, stdin=io.BytesIO())
    return status, out.getvalue(), err.getvalue()


def test_call_shows_the_widgets_between_requests() -> None:
    status, out, _ = run("call", IVR, "--input", "9", "--input", "1", "--seed", "s")
    assert status == 0
    assert "-> POST http://studio.local/incomingCall" in out
    assert "   . route: '9' matches no condition -> noMatch" in out
    assert 'Say "Sorry, I did not get that. Try 1."' in out
    assert "-> POST http://studio.local/menu/input?ctx=" in out
    assert "== ended: hangup" in out


def test_call_with_a_fixture_file(tmp_path: Path) -> None:
    reply = tmp_path / "agent.json"
    reply.write_text('{"agent": {"name": "Grace"}}')
    status, out, _ = run("call", IVR, "--input", "operator", "--fixture", f"operator={reply}")
    assert status == 0 and '"Your agent is Grace."' in out


@pytest.mark.parametrize(
    ("spec", "words"),
    [("operator", "expected NAME=FILE"), ("operator=/nonexistent.json", "cannot read"), ("operator={bad}", "not JSON")],
)
def test_bad_fixtures_are_named(tmp_path: Path, spec: str, words: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    status, _, err = run("call", IVR, "--fixture", spec.replace("{bad}", str(bad)))
    assert status == 2 and words in err and "Traceback" not in err


def test_fixture_on_a_twiml_target_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "a.xml"
    doc.write_text("<Response><Say>Hi</Say></Response>")
    status, _, err = run("call", str(doc), "--fixture", "x=y.json")
    assert status == 2 and "--fixture, --subflow, --config, --http and --webhooks apply to Studio flows" in err


def test_text_several_bodies_then_the_timeout() -> None:
    status, out, _ = run("text", SMS, "--body", "hi", "--body", "Ada", "--format", "text")
    assert status == 0
    assert '"Hi! What is your name?"' in out
    assert '"Thanks Ada. Reply YES to confirm."' in out
    assert "-> POST http://studio.local/ask_ok/timeout?ctx=" in out
    assert '"We did not hear back."' in out


def test_text_json_output_lists_the_messages() -> None:
    status, out, _ = run("text", SMS, "--body", "hi", "--body", "Ada", "--body", "no", "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert "Cancelled." in json.dumps(data)


def test_a_flow_that_is_not_json_is_reported_with_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "flow.json"
    bad.write_text('{"states": [\n  {"name": }\n]}')
    status, _, err = run("call", str(bad))
    assert status == 2 and f"{bad}:2:12: not JSON" in err


def test_a_call_into_a_messaging_only_flow_is_refused() -> None:
    status, _, err = run("call", SMS)
    assert status == 2 and "no incomingCall transition" in err


def test_map_text_and_json() -> None:
    status, out, _ = run("map", IVR)
    assert status == 0
    assert "[s1] /menu  gather-input-on-call" in out
    assert "├─ press 1 → [s2] /sales  say-play" in out
    assert "dial busy → " in out and "no input → " in out
    status, out, _ = run("map", SMS, "--format", "json")
    data = json.loads(out)
    labels = {e["label"] for e in data["edges"]}
    assert {'reply "yes"', "no reply (timeout)"} <= labels


def test_map_mermaid() -> None:
    status, out, _ = run("map", IVR, "--format", "mermaid")
    assert status == 0 and out.startswith("flowchart TD") and "gather-input-on-call" in out


def test_validate_text_with_line_and_column() -> None:
    status, out, _ = run("validate", BROKEN)
    assert status == 1
    assert f"{BROKEN}:19:30: error STUDIO-MISSING-NEXT menu: timeout goes to 'say_bye'" in out
    assert f"{BROKEN}:45:7: warning STUDIO-UNREACHABLE orphan" in out


def test_validate_json_sarif_and_controls() -> None:
    status, out, _ = run("validate", "--format", "json", BROKEN)
    codes = {f["code"] for f in json.loads(out)}
    assert {"STUDIO-LIQUID", "STUDIO-DUPLICATE-NAME", "STUDIO-UNKNOWN-WIDGET", "STUDIO-NO-NOMATCH"} <= codes
    status, out, _ = run("validate", "--format", "sarif", BROKEN)
    results = json.loads(out)["runs"][0]["results"]
    region = next(r for r in results if r["ruleId"] == "STUDIO-MISSING-NEXT")["locations"][0]["physicalLocation"]
    assert region["region"] == {"startLine": 19, "startColumn": 30}
    ignore = "STUDIO-MISSING-NEXT,STUDIO-LIQUID,STUDIO-DUPLICATE-NAME"
    status, out, _ = run("validate", "--fail-on", "error", "--ignore", ignore, BROKEN)
    assert status == 0 and "STUDIO-UNREACHABLE" in out and "STUDIO-LIQUID" not in out


def test_validate_a_folder_checks_the_flow_json_in_it(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "not a flow"}')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "flow.json").write_text(Path(BROKEN).read_text())
    status, out, _ = run("validate", str(tmp_path))
    assert status == 1 and "sub/flow.json:19:30" in out and "package.json" not in out


def test_validate_a_flow_that_is_not_json_or_missing(tmp_path: Path) -> None:
    bad = tmp_path / "flow.json"
    bad.write_text('{\n  "states": [,]\n}')
    status, out, _ = run("validate", str(bad))
    assert status == 1 and out == f"{bad}:2:14: error STUDIO-JSON not JSON: expected a value, found ','\n"
    status, _, err = run("validate", str(tmp_path / "missing.json"))
    assert status == 2 and "missing.json: cannot read" in err


def test_import_then_export_gives_the_definition_back(tmp_path: Path) -> None:
    folder = tmp_path / "ivr"
    status, out, _ = run("studio", "import", IVR, "-o", str(folder))
    assert status == 0 and "flow.toml" in out
    assert "operator: make-http-request has no TwiML equivalent" in out
    status, out, _ = run("studio", "export", str(folder))
    assert status == 0 and json.loads(out) == json.loads(Path(IVR).read_text())
    status, _, err = run("studio", "import", IVR, "-o", str(folder))
    assert status == 2 and "not empty" in err


def test_an_edited_document_flows_back_into_the_export(tmp_path: Path) -> None:
    folder = tmp_path / "ivr"
    run("studio", "import", IVR, "-o", str(folder))
    doc = folder / "goodbye.xml"
    doc.write_text(doc.read_text().replace("Goodbye.", "See you soon."))
    target = tmp_path / "out.json"
    status, _, err = run("studio", "export", str(folder), "-o", str(target))
    assert status == 0 and "wrote" in err
    states = {s["name"]: s for s in json.loads(target.read_text())["states"]}
    assert states["goodbye"]["properties"]["say"] == "See you soon."
    assert states["sales"] == next(s for s in json.loads(Path(IVR).read_text())["states"] if s["name"] == "sales")


def test_an_imported_folder_calls_like_the_flow_on_its_twiml_paths(tmp_path: Path) -> None:
    folder = tmp_path / "ivr"
    run("studio", "import", IVR, "-o", str(folder))
    status, out, _ = run("call", str(folder), "--input", "1", "--dial-status", "busy", "--recording-duration", "0")
    assert status == 0
    assert 'Say [Polly.Joanna] "Connecting you to sales."' in out
    assert 'Say "Goodbye."' in out and "== ended: hangup" in out


def test_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from twiml.studio import liquid

    liquid._env.cache_clear()
    monkeypatch.setitem(sys.modules, "liquid", None)
    try:
        status, _, err = run("call", IVR)
        assert status == 2 and 'pip install "twiml-toolkit[studio]"' in err
        status, _, err = run("validate", IVR)
        assert status == 2 and "twiml-toolkit[studio]" in err
    finally:
        liquid._env.cache_clear()
        liquid._template.cache_clear()


MALFORMED = {
    "not-a-list": '{"states": "nope", "initial_state": 5}',
    "odd-shapes": '{"states": [{"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", '
    '"next": "g"}, 7], "properties": null}, {"name": "g", "type": "gather-input-on-call", "transitions": "x", '
    '"properties": {"say": 5, "timeout": "abc", "loop": "many"}}, {"name": 3, "type": null}, "junk"], '
    '"initial_state": "Trigger"}',
    "odd-values": '{"states": [{"name": "Trigger", "type": "trigger", "transitions": [{"event": "incomingCall", '
    '"next": "s"}, {"event": "incomingMessage", "next": "m"}], "properties": {}}, {"name": "s", "type": "say-play", '
    '"transitions": [{"event": "audioComplete", "next": "d"}], "properties": {"say": "{{ 1 | divided_by: 0 }}"}}, '
    '{"name": "d", "type": "connect-call-to", "transitions": [], "properties": {"noun": "weird", "to": null}}, '
    '{"name": "m", "type": "send-message", "transitions": [], "properties": {"body": {"a": 1}, "to": 12}}], '
    '"initial_state": "Trigger"}',
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
@pytest.mark.parametrize("command", ["call", "text", "map", "validate", "studio import"])
def test_malformed_flows_are_reported_never_a_crash(tmp_path: Path, name: str, command: str) -> None:
    flow = tmp_path / "flow.json"
    flow.write_text(MALFORMED[name])
    argv = [*command.split(), str(flow)] + (["-o", str(tmp_path / "out")] if command == "studio import" else [])
    status, out, err = run(*argv)
    assert status in (0, 1, 2) and "Traceback" not in out + err
    if command == "validate":
        assert status == 1 and f"{flow}:1:" in out
    if command == "map" and name == "not-a-list":
        assert status == 1 and "nothing to map" in err


def test_text_at_a_terminal_reads_each_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    lines = iter(["hi", "Ada"])

    def typed(prompt: str = "") -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", typed)
    out, err = io.StringIO(), io.StringIO()
    status = main(["text", SMS], stdout=out, stderr=err)
    text = out.getvalue()
    assert status == 0 and "ctrl+d ends the conversation" in text
    assert '"Thanks Ada. Reply YES to confirm."' in text
    assert '"We did not hear back."' in text  # ctrl+d: no more replies, the widget times out


def test_a_fixture_file_may_be_named_with_at_as_twiml_test_names_one(tmp_path: Path) -> None:
    reply = tmp_path / "agent.json"
    reply.write_text('{"agent": {"name": "Grace"}}')
    status, out, err = run("call", IVR, "--input", "operator", "--fixture", f"operator=@{reply}")
    assert status == 0 and '"Your agent is Grace."' in out, err


def test_call_names_studio_flows_among_its_targets() -> None:
    status, _, err = run("call", "no_such_flow.json")
    assert status == 2 and "no_such_flow.json: no such file" in err and "a Studio flow (.json)" in err


def test_map_errors_of_a_studio_flow_name_the_command(tmp_path: Path) -> None:
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]")
    status, _, err = run("map", str(listed))
    assert status == 2 and err.startswith(f"twiml map: {listed}:1:1: ")
    status, _, err = run("map", str(tmp_path / "missing"))
    assert status == 2 and "missing: no such folder" in err


def test_a_missing_studio_extra_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from twiml.studio.liquid import LiquidMissing, require

    def refuse(name: str, package: str | None = None) -> object:
        raise ImportError(name)

    monkeypatch.setattr(importlib, "import_module", refuse)
    with pytest.raises(LiquidMissing) as caught:
        require("liquid", "running Studio's Liquid templates", "python-liquid")
    assert str(caught.value) == (
        "running Studio's Liquid templates needs python-liquid: "
        'install the studio extra: pip install "twiml-toolkit[studio]"'
    )


@pytest.mark.parametrize("target", [IVR, str(ROOT / "sample_flows")])
def test_map_prints_findings_after_a_text_map_and_on_stderr_beside_a_graph(target: str) -> None:
    """A folder and a Studio flow share one writer (twiml.flow.render.write_map)."""
    status, text, err = run("map", target)
    assert status == 0 and err == ""
    summary = next(line for line in text.splitlines() if " states, " in line)
    for fmt in ("mermaid", "dot"):
        status, graph, err = run("map", target, "--format", fmt)
        assert status == 0 and summary not in graph and summary in err.splitlines()
    status, data, err = run("map", target, "--format", "json")
    assert status == 0 and err == "" and json.loads(data)["states"]


def test_an_edited_document_that_does_not_parse_is_named_with_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ivr"
    run("studio", "import", IVR, "-o", str(folder))
    (folder / "goodbye.xml").write_text("<Response><Say>unclosed")
    status, out, err = run("studio", "export", str(folder))
    assert status == 2 and out == ""
    assert err.startswith(f"twiml studio export: {folder / 'goodbye.xml'}:1:")


def test_api_errors_name_the_flow_file(tmp_path: Path) -> None:
    """`Call(studio=...)` raises StudioError whose text names the file and place (the CLI's
    messages did; the exception said only "cannot read: No such file or directory")."""
    from twiml.studio.model import StudioError
    from twiml.testing import Call

    broken = tmp_path / "broken.json"
    broken.write_text('{"states": [\n')
    with pytest.raises(StudioError, match=f"^{tmp_path / 'missing.json'}: cannot read: "):
        Call(studio=str(tmp_path / "missing.json"))
    with pytest.raises(StudioError) as caught:
        Call(studio=str(broken))
    assert str(caught.value).startswith(f"{broken}:2:1: not JSON: ")
    with pytest.raises(ValueError, match="pass it as studio="):
        Call(folder=IVR)
