"""The editor's headless flow project: route edits keep flow.toml's comments and layout, renames
and deletes keep it consistent, unsaved documents are served to the map and the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from twiml.base import TwiML
from twiml.flow import Split, load_flow
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


def test_an_empty_route_is_shown_kept_out_of_case_edits_and_can_be_given_a_target(folder: Path) -> None:
    project = FlowProject.open(folder)
    route = project.flow.routes["/voicemail/transcription"]
    assert route.describe() == "/voicemail/transcription → 204 (empty answer)"  # the routes list's line
    with pytest.raises(ValueError, match="answers an empty 204"):
        project.add_case("/voicemail/transcription", "completed", "goodbye.xml", by="TranscriptionStatus")
    with pytest.raises(ValueError, match="is not a split"):
        project.set_fallback("/voicemail/transcription", "default", "goodbye.xml")
    assert not project.toml_dirty and project.problems == []
    project.set_target("/voicemail/transcription", "goodbye.xml")
    assert project.flow.resolve("/voicemail/transcription").document == "goodbye.xml"


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


def test_a_route_or_case_on_any_parameter_and_match(folder: Path) -> None:
    project = FlowProject.open(folder)
    project.add_split("/said", "SpeechResult", "contains", cases=(("sales", "sales.xml"),), default="goodbye.xml")
    assert project.flow.resolve("/said", {"SpeechResult": "I want Sales, please."}).document == "sales.xml"
    assert project.flow.resolve("/said", {"SpeechResult": "billing"}).document == "goodbye.xml"
    project.add_split("/recorded", "RecordingDuration", "present", then="voicemail_saved.xml", default="goodbye.xml")
    assert project.flow.resolve("/recorded", {"RecordingDuration": "7"}).document == "voicemail_saved.xml"
    assert project.flow.resolve("/recorded", {"RecordingDuration": "0"}).document == "goodbye.xml"
    project.add_case("/fax/incoming", "+15550001111", "goodbye.xml", by="From", match="exact")
    assert project.flow.resolve("/fax/incoming", {"From": "+15550001111"}).document == "goodbye.xml"
    # one case edited (value and target) and one removed; the others stay where they were
    project.edit_case("/menu", "1", new_value="5", target="goodbye.xml")
    project.remove_case("/menu", "3")
    menu = project.flow.routes["/menu"].target
    assert isinstance(menu, Split)
    assert menu.cases == (("5", "goodbye.xml"), ("2", "support.xml"), ("0", "operator.xml"))
    project.set_split("/menu", "QueueResult", "exact")
    project.set_split("/dial-complete", "DialCallStatus", "present")
    assert project.flow.resolve("/dial-complete", {"DialCallStatus": "busy"}).document == "goodbye.xml"
    with pytest.raises(ValueError, match="give the case's value"):
        project.set_split("/dial-complete", "DialCallStatus", "exact")
    project.set_split("/dial-complete", "DialCallStatus", "exact", value="completed")
    assert project.flow.resolve("/dial-complete", {"DialCallStatus": "busy"}).document == "voicemail.xml"
    with pytest.raises(ValueError, match="match must be one of"):
        project.add_split("/x", "Digits", "sometimes")
    with pytest.raises(ValueError, match="a parameter name"):
        project.add_split("/y", "no good")
    assert project.problems == []
    project.save_toml()
    assert load_flow(folder).problems == []


def test_one_history_for_route_edits_and_document_edits(folder: Path) -> None:
    """ctrl+z in a flow undoes the last thing the user did, a route edit or a document edit."""
    project = FlowProject.open(folder)
    original = project.text
    project.add_split("/said", "SpeechResult", "contains", cases=(("sales", "sales.xml"),))
    sales = project.document("sales.xml")
    say = sales.root.verbs[1]
    assert isinstance(say, TwiML)
    sales.set_text(say, "Hello sales.")
    project.rename_document("goodbye.xml", "bye.xml")
    project.delete_document("support.xml")
    assert project.can_undo and not project.can_redo

    undone = project.undo()  # the delete: the document and its routes come back
    assert undone is not None and undone.routes and undone.what == "delete support.xml"
    assert "support.xml" in project.files() and project.uses("support.xml")
    undone = project.undo()  # the rename: its file name and the routes naming it
    assert undone is not None and undone.what == "rename goodbye.xml to bye.xml"
    assert "goodbye.xml" in project.files() and not project.moved
    assert project.document("goodbye.xml").file_path == folder / "goodbye.xml"
    undone = project.undo()  # the document edit, in between
    assert undone is not None and undone.name == "sales.xml" and undone.change is not None
    assert not sales.dirty
    undone = project.undo()
    assert undone is not None and undone.what == "add route /said"
    assert project.text == original and not project.toml_dirty and project.undo() is None

    redone = project.redo()
    assert redone is not None and "/said" in project.flow.routes
    redone = project.redo()
    assert redone is not None and redone.name == "sales.xml" and sales.dirty
    sales.set_text(say, "Something else.")  # a new edit: the undone rename cannot be redone now
    assert project.redo() is None and not project.can_redo
    assert project.undo() is not None and project.undo() is not None and project.undo() is not None
    assert project.undo() is None and project.text == original


def test_a_failed_route_edit_leaves_no_step(folder: Path) -> None:
    project = FlowProject.open(folder)
    project.add_split("/s", "Digits", default="goodbye.xml")
    before = project.text
    with pytest.raises(ValueError, match="add a case first"):  # found half-way, after `by` changed
        project.set_split("/s", "From", "present")
    with pytest.raises(ValueError, match="exists already"):
        project.add_route("/menu", "goodbye.xml")
    assert project.text == before
    assert project.undo() is not None and not project.can_undo and not project.toml_dirty


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
