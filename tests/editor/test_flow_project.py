"""The editor's headless flow project: route edits keep flow.toml's comments and layout, renames
and deletes keep it consistent, unsaved documents are served to the map and the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from twiml.base import TwiML
from twiml.flow import load_flow
from twiml_editor.flow_project import FlowProject, map_rows


def test_route_edits_keep_comments_and_layout(folder: Path) -> None:
    before = (folder / "flow.toml").read_text(encoding="utf-8")
    project = FlowProject.open(folder)
    project.add_case("/menu", "9", "goodbye.xml")
    project.add_route("/hours", "goodbye.xml")
    assert project.dirty_names() == ["flow.toml"]
    project.save_toml()
    after = (folder / "flow.toml").read_text(encoding="utf-8")
    assert '"0" = "operator.xml", "9" = "goodbye.xml"' in after
    assert after.endswith('"/hours" = "goodbye.xml"\n')
    # every line that was not edited is byte for byte the same, comments included
    changed = [line for line in before.splitlines() if line not in after.splitlines()]
    assert len(changed) == 1 and changed[0].startswith('"/menu" = ')
    flow = load_flow(folder)
    assert flow.problems == []
    assert flow.resolve("/menu", {"Digits": "9"}).document == "goodbye.xml"
    assert not project.dirty_names()


def test_add_case_turns_a_plain_route_into_a_split(folder: Path) -> None:
    project = FlowProject.open(folder)
    project.add_case("/operator/screen", "+15550001111", "goodbye.xml", by="From")
    assert project.flow.resolve("/operator/screen", {"From": "+15550001111"}).document == "goodbye.xml"
    assert project.flow.resolve("/operator/screen", {}).document == "call_screening_whisper.xml"


def test_rename_and_delete_keep_routes_consistent(folder: Path) -> None:
    project = FlowProject.open(folder)
    assert project.uses("goodbye.xml") == ["/dial-complete", "/support/queue-exit", "/voicemail/complete"]
    project.rename_document("goodbye.xml", "farewell.xml")
    assert (folder / "goodbye.xml").is_file() and not (folder / "farewell.xml").exists()  # until saved
    assert "farewell.xml" in project.files() and "goodbye.xml" not in project.files()
    assert project.uses("farewell.xml") == ["/dial-complete", "/support/queue-exit", "/voicemail/complete"]
    assert project.problems == []
    project.delete_document("sales.xml")
    assert (folder / "sales.xml").exists() and "sales.xml" not in project.files()
    assert project.uses("sales.xml") == []
    assert project.problems == []
    assert project.flow.resolve("/menu", {"Digits": "1"}).document != "sales.xml"
    project.save_all()
    assert "sales.xml" not in (folder / "flow.toml").read_text(encoding="utf-8")
    assert (folder / "farewell.xml").is_file() and not (folder / "goodbye.xml").exists()
    assert not (folder / "sales.xml").exists()


def test_bad_edits_are_refused_and_change_nothing(folder: Path) -> None:
    project = FlowProject.open(folder)
    with pytest.raises(ValueError, match="exists already"):
        project.add_route("/menu", "sales.xml")
    with pytest.raises(ValueError, match="starting with /"):
        project.add_route("menu", "sales.xml")
    with pytest.raises(ValueError, match=r"\.xml"):
        project.add_route("/x", "notes.txt")
    assert not project.toml_dirty


def test_syntax_error_is_reported_and_the_file_is_never_rewritten(folder: Path) -> None:
    (folder / "flow.toml").write_text('start = "/voice/incoming"\n[routes\n', encoding="utf-8")
    project = FlowProject.open(folder)
    assert project.syntax_error is not None and project.syntax_error.line == 2
    with pytest.raises(ValueError, match="syntax error"):
        project.add_route("/x", "sales.xml")
    with pytest.raises(ValueError, match="syntax error"):
        project.save_toml()
    assert (folder / "flow.toml").read_text(encoding="utf-8") == 'start = "/voice/incoming"\n[routes\n'


def test_unsaved_documents_are_what_the_map_sees(folder: Path) -> None:
    project = FlowProject.open(folder)
    doc = project.document("sales.xml")
    say = next(n for n in doc.root.verbs if getattr(n, "name", "") == "Say")
    assert isinstance(say, TwiML)
    doc.set_text(say, "Sales here, unsaved.")
    assert project.dirty_names() == ["sales.xml"]
    flow_map = project.explore()
    assert flow_map.states["s2"].heard == "Sales here, unsaved."
    rows = map_rows(flow_map)
    assert rows[0].label == "start: call"
    assert rows[1].label.startswith("[s1] /voice/incoming  ivr_main_menu.xml")
    assert any(r.back and r.label.startswith("no input → ↩ s1") for r in rows)
    saved = project.save_all()
    assert saved == [folder / "sales.xml"]
    assert "Sales here, unsaved." in (folder / "sales.xml").read_text(encoding="utf-8")


def test_node_at_line_finds_the_verb_the_simulator_ran(folder: Path) -> None:
    from twiml.simulator import GatherInput, Session
    from twiml_editor.flow_project import node_at_line

    project = FlowProject.open(folder)
    transport = project.transport()
    session = Session(transport, transport.url("/voice/incoming"))
    session.start()
    session.answer(GatherInput(digits="1"))
    dial = next(v for v in session.verbs if v.name == "Dial")
    assert dial.source is not None and dial.source.endswith("sales.xml") and dial.line is not None
    node = node_at_line(project.document("sales.xml"), dial.line, "Dial")
    assert node is not None and node.name == "Dial" and node.attrs["action"] == "/dial-complete"


def test_a_document_outside_the_folder_is_refused_as_the_simulator_refuses_it(folder: Path) -> None:
    """Issue 19 case 2 in the editor: `../secret.xml`, or a link inside the folder to it, is
    never opened (and so never shown, edited or saved) through the flow."""
    secret = folder.parent / "secret.xml"
    secret.write_text("<Response><Say>secret</Say></Response>", encoding="utf-8")
    (folder / "link.xml").symlink_to(secret)
    project = FlowProject.open(folder)
    for name in ("../secret.xml", "link.xml"):
        with pytest.raises(OSError, match="is outside the flow folder"):
            project.document(name)
    assert project.document("goodbye.xml").root.name == "Response"


def test_flow_toml_dialect_applies_to_documents_that_do_not_tell_their_own(folder: Path) -> None:
    toml = (folder / "flow.toml").read_text(encoding="utf-8")
    (folder / "flow.toml").write_text('dialect = "texml"\n' + toml, encoding="utf-8")
    (folder / "signalwire.xml").write_text("<Response><Denoise>on</Denoise></Response>", encoding="utf-8")
    project = FlowProject.open(folder)
    plain = project.document(project.files()[0])
    assert (plain.dialect, plain.dialect_origin) == ("texml", "configured")
    assert "AIGather" in {e.xml for e in plain.allowed_children(plain.root)}
    own = project.document("signalwire.xml")
    assert (own.dialect, own.dialect_origin) == ("cxml", "detected")
    assert project.create_document("new.xml").dialect == "texml"
