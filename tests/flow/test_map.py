"""The map of a flow: exact states and edges of the sample flow, broken links, unreachable
documents, problems, defaults, the bound, the output formats and the `twiml map` command."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from twiml.cli import main
from twiml.flow import load_flow
from twiml.flow.explore import FlowMap, explore, explore_flow, paths
from twiml.flow.render import render
from twiml.simulator.transport import AppTransport

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def edges(flow_map: FlowMap) -> set[tuple[str, str, str]]:
    """(from, label, to) with states named `path document` and ends as `■ reason`."""

    def name(state_id: str) -> str:
        state = flow_map.states[state_id]
        return f"{state.path} {state.document}"

    out = {(f"<{entry}>", label, name(dst)) for entry, label, dst in flow_map.entries}
    for e in flow_map.edges:
        out.add((name(e.src), e.label, name(e.dst) if e.dst else f"■ {e.end}"))
    return out


SAMPLE_STATES = [
    ("/voice/incoming", "ivr_main_menu.xml"),
    ("/menu", "sales.xml"),
    ("/menu", "support.xml"),
    ("/menu", "billing.xml"),
    ("/menu", "operator.xml"),
    ("/menu", "menu_retry.xml"),
    ("/dial-complete", "goodbye.xml"),
    ("/dial-complete", "voicemail.xml"),
    ("/support/hold-music", "queue_hold_music.xml"),
    ("/operator/screen", "call_screening_whisper.xml"),
    ("/voicemail/complete", "voicemail_saved.xml"),
    ("/support/queue-exit", "goodbye.xml"),
    ("/support/queue-exit", "voicemail.xml"),
    ("/operator/screen/accept", "call_screening_accept.xml"),
    ("/operator/screen/accept", "call_screening_decline.xml"),
    ("/sms/incoming", "sms_help.xml"),
    ("/sms/incoming", "sms_stop.xml"),
    ("/sms/incoming", "sms_hours.xml"),
    ("/sms/incoming", "sms_auto_reply.xml"),
    ("/fax/incoming", "fax_receive.xml"),
]

MENU, SALES, SUPPORT = "/voice/incoming ivr_main_menu.xml", "/menu sales.xml", "/menu support.xml"
BILLING, OPERATOR, RETRY = "/menu billing.xml", "/menu operator.xml", "/menu menu_retry.xml"
BYE, VOICEMAIL = "/dial-complete goodbye.xml", "/dial-complete voicemail.xml"
HOLD, WHISPER = "/support/hold-music queue_hold_music.xml", "/operator/screen call_screening_whisper.xml"
SAVED = "/voicemail/complete voicemail_saved.xml"
QBYE, QVOICEMAIL = "/support/queue-exit goodbye.xml", "/support/queue-exit voicemail.xml"
ACCEPT = "/operator/screen/accept call_screening_accept.xml"
DECLINE = "/operator/screen/accept call_screening_decline.xml"

SAMPLE_EDGES = {
    ("<start>", "call", MENU),
    (MENU, "press 1", SALES),
    (MENU, "press 2", SUPPORT),
    (MENU, "press 3", BILLING),
    (MENU, "press 0", OPERATOR),
    (MENU, 'say "sales"', SALES),
    (MENU, 'say "support"', SUPPORT),
    (MENU, 'say "billing"', BILLING),
    (MENU, 'say "operator"', OPERATOR),
    (MENU, "other keys (9)", RETRY),
    (MENU, 'say "something else"', RETRY),
    (MENU, "no input", MENU),
    (RETRY, "redirect", MENU),
    (SALES, "dial completed", BYE),
    (SALES, "dial busy", VOICEMAIL),
    (BILLING, "dial completed", BYE),
    (BILLING, "dial busy", VOICEMAIL),
    (OPERATOR, "dial completed", BYE),
    (OPERATOR, "dial busy", VOICEMAIL),
    (OPERATOR, "callee hears (Number url)", WHISPER),
    (WHISPER, "press 1", ACCEPT),
    (WHISPER, "other keys (9)", DECLINE),
    (WHISPER, "no input", "■ hangup"),
    (ACCEPT, "", "■ completed"),
    (DECLINE, "", "■ hangup"),
    (SUPPORT, "enqueue waitUrl", HOLD),
    (HOLD, "queue bridged", QBYE),
    (HOLD, "queue queue-full", QVOICEMAIL),
    (BYE, "", "■ hangup"),
    (QBYE, "", "■ hangup"),
    (VOICEMAIL, "recording 5 s", SAVED),
    (VOICEMAIL, "silence", "■ hangup"),
    (QVOICEMAIL, "recording 5 s", SAVED),
    (QVOICEMAIL, "silence", "■ hangup"),
    (SAVED, "", "■ hangup"),
    ("<sms_start>", 'text "help"', "/sms/incoming sms_help.xml"),
    ("<sms_start>", 'text "stop"', "/sms/incoming sms_stop.xml"),
    ("<sms_start>", 'text "hours"', "/sms/incoming sms_hours.xml"),
    ("<sms_start>", 'text "hello"', "/sms/incoming sms_auto_reply.xml"),
    ("/sms/incoming sms_help.xml", "", "■ completed"),
    ("/sms/incoming sms_stop.xml", "", "■ completed"),
    ("/sms/incoming sms_hours.xml", "", "■ completed"),
    ("/sms/incoming sms_auto_reply.xml", "", "■ completed"),
    ("<fax_start>", "fax", "/fax/incoming fax_receive.xml"),
}


def test_map_of_the_sample_flow_has_exactly_these_states_and_edges() -> None:
    flow_map = explore_flow(load_flow(SAMPLES))
    assert [(s.path, s.document) for s in flow_map.states.values()] == SAMPLE_STATES
    assert edges(flow_map) == SAMPLE_EDGES
    assert len(flow_map.edges) + len(flow_map.entries) == len(SAMPLE_EDGES)
    assert flow_map.broken == [] and flow_map.unreachable == [] and not flow_map.truncated
    assert not flow_map.failed
    assert all(not s.problems for s in flow_map.states.values())
    first = flow_map.states["s1"]
    assert first.heard == "Thank you for calling Acme Corporation."
    falls = {(f.label, f.route, f.document) for f in flow_map.fallthroughs}
    assert ('say "something else"', "/menu/speech", "menu_retry.xml") in falls
    assert ("dial busy", "/dial-complete", "voicemail.xml") in falls
    assert ("press 1", "/menu", "sales.xml") not in falls


def test_paths_follow_the_tree_and_stop_at_back_references() -> None:
    flow_map = explore_flow(load_flow(SAMPLES))
    labels = [[e.label for e in path] for path in paths(flow_map)]
    assert ["press 1", "dial completed", ""] in labels
    assert ["other keys (9)", "redirect"] in labels  # back to the main menu: a loop
    assert ["no input"] in labels
    assert len(labels) == 20


def copy_samples(tmp_path: Path) -> Path:
    folder = tmp_path / "flow"
    shutil.copytree(SAMPLES, folder)
    return folder


def test_broken_link_unreachable_document_and_problem_are_reported(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    toml = (folder / "flow.toml").read_text(encoding="utf-8")
    # billing now dials with an action nobody routes; a stray document; an invalid document
    (folder / "billing.xml").write_text(
        (folder / "billing.xml")
        .read_text(encoding="utf-8")
        .replace('action="/dial-complete"', 'action="/billing/done"'),
        encoding="utf-8",
    )
    (folder / "old_menu.xml").write_text("<Response><Say>Old</Say></Response>", encoding="utf-8")
    (folder / "goodbye.xml").write_text("<Response><Start><Say>Bye</Say></Start><Hangup/></Response>", encoding="utf-8")
    (folder / "flow.toml").write_text(toml, encoding="utf-8")
    flow_map = explore_flow(load_flow(folder))
    assert [(b.url, b.code) for b in flow_map.broken] == [("http://localhost/billing/done", 11200)] * 1
    assert "no route for /billing/done" in flow_map.broken[0].message
    assert "<Dial action> at " in flow_map.broken[0].origin and "billing.xml:5" in flow_map.broken[0].origin
    assert flow_map.unreachable == ["old_menu.xml"]
    bad = [s for s in flow_map.states.values() if s.worst == "error" and s.kind == "document"]
    assert {s.document for s in bad} == {"goodbye.xml"}
    assert flow_map.failed

    status, out, _ = run("map", str(folder))
    assert status == 1
    assert "broken link: http://localhost/billing/done (requested by <Dial action> at" in out
    assert "warning FLOW-UNREACHABLE old_menu.xml is in the folder but no path reaches it" in out
    assert "goodbye.xml:1:" in out


def test_missing_document_named_by_a_route_is_a_broken_link(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    (folder / "billing.xml").unlink()
    status, out, err = run("map", str(folder))
    assert status == 1
    assert 'flow.toml:14:0: error FLOW-TARGET route "/menu": case "3" names missing file billing.xml' in err
    assert "broken link: http://localhost/menu" in out


def test_max_states_bounds_the_walk() -> None:
    flow_map = explore_flow(load_flow(SAMPLES), max_states=5)
    assert len(flow_map.states) <= 6 and flow_map.truncated
    assert "raise --max-states" in render(flow_map, "text")


def test_formats() -> None:
    flow_map = explore_flow(load_flow(SAMPLES))
    text = render(flow_map, "text")
    assert text.startswith("start: call\n[s1] /voice/incoming  ivr_main_menu.xml")
    assert "├─ press 1 → [s2] /menu  sales.xml" in text
    assert "└─ no input → ↩ s1 /voice/incoming (ivr_main_menu.xml)" in text
    mermaid = render(flow_map, "mermaid")
    assert mermaid.startswith("flowchart TD\n")
    assert '    s1 -->|"press 1"| s2' in mermaid
    dot = render(flow_map, "dot")
    assert dot.startswith("digraph flow {") and 's1 -> s2 [label="press 1"];' in dot
    data = json.loads(render(flow_map, "json"))
    assert len(data["states"]) == 20 and data["broken_links"] == [] and data["failed"] is False
    assert {"from": "s1", "label": "press 1", "to": "s2", "end": None} in data["edges"]


def test_map_command_on_the_sample_folder() -> None:
    status, out, err = run("map", str(SAMPLES), "--format", "mermaid")
    assert status == 0, err
    assert out.startswith("flowchart TD")
    assert "20 states" in err
    status, out, _ = run("map", str(SAMPLES), "--format", "json")
    assert status == 0 and json.loads(out)["unreachable_documents"] == []


def test_map_command_bad_targets(tmp_path: Path) -> None:
    assert run("map", str(tmp_path / "nope"))[0] == 2
    assert "without" in run("map", str(tmp_path))[2] or run("map", str(tmp_path))[0] == 2
    (tmp_path / "flow.toml").write_text("start = \n", encoding="utf-8")
    status, _, err = run("map", str(tmp_path))
    assert status == 2 and "flow.toml:1" in err
    assert run("map", "--app", "no_such_module_xyz:app")[0] == 2


# --- an app in process ---------------------------------------------------------------------------


def test_map_of_a_flask_app_tries_every_key_at_a_one_digit_gather() -> None:
    from examples.flask_ivr import app

    transport = AppTransport(app)
    try:
        flow_map = explore(transport, transport.url("/voice/incoming"))
    finally:
        transport.close()
    first = flow_map.states["s1"]
    assert first.path == "/voice/incoming"
    labels = [e.label for e in flow_map.out("s1")]
    assert labels[:12] == [f"press {k}" for k in "0123456789*#"] and labels[-1] == "no input"


def test_map_command_with_app_and_try_values() -> None:
    status, out, err = run("map", "--app", "examples.flask_ivr:app", "/voice/incoming", "--try", "sales", "--try", "2")
    assert status in (0, 1), err
    assert "[s1] /voice/incoming" in out
    assert 'say "sales"' in out and "press 2" in out
