"""Pilot tests for the file actions: new, template, open, save, save as, export, prompts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from app_helpers import SIZE, settle
from textual.pilot import Pilot
from textual.widgets import Input

import twiml
from twiml.base import TwiML
from twiml_editor.app import EditorApp
from twiml_editor.screens.add_element import AddElementScreen
from twiml_editor.screens.confirm import ConfirmOverwrite, ConfirmUnsaved
from twiml_editor.screens.error_dialog import ErrorDialog
from twiml_editor.screens.path_prompt import PathPrompt
from twiml_editor.screens.templates import template_dir

XML = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hi</Say><Hangup/></Response>'
OTHER = '<?xml version="1.0" encoding="UTF-8"?><Response><Play>https://example.com/a.mp3</Play></Response>'
MALFORMED = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Say>Hi</Sya>\n</Response>\n'


@pytest.fixture
def other(tmp_path: Path) -> Path:
    path = tmp_path / "other.xml"
    path.write_text(OTHER, encoding="utf-8")
    return path


def names(node: TwiML) -> list[str]:
    return [v.name for v in node.verbs if isinstance(v, TwiML)]


async def enter_path(pilot: Pilot[None], path: Path) -> None:
    """Replace the prompt's text with `path` and submit it."""
    await settle(pilot)
    assert isinstance(pilot.app.screen, PathPrompt)
    pilot.app.screen.query_one("#path-input", Input).value = str(path)
    await pilot.press("enter")
    await settle(pilot)


async def make_dirty(app: EditorApp, pilot: Pilot[None]) -> None:
    app.tree.focus()
    app.document_screen.select(app.doc.root.children[-1])
    await settle(pilot)
    await pilot.press("delete")
    await settle(pilot)
    assert app.doc.dirty


@pytest.mark.parametrize(
    ("choice", "kind", "root"),
    [
        ("voice", "voice", "VoiceResponse"),
        ("mess", "messaging", "MessagingResponse"),
        ("fax", "fax", "FaxResponse"),
    ],
)
async def test_new_document_of_each_kind(choice: str, kind: str, root: str) -> None:
    app = EditorApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press(*choice, "enter")
        await settle(pilot)
        assert app.doc.kind == kind
        assert type(app.doc.root).__name__ == root
        assert app.doc.file_path is None and not app.doc.dirty
        await pilot.press("a")  # the add menu follows the dialect
        await settle(pilot)
        assert isinstance(app.screen, AddElementScreen)
        offered = {item[2].xml for item in app.screen.items}
        expected = {e.xml for e in app.doc.allowed_children(app.doc.root)}
        assert offered == expected and offered


async def test_new_from_template_is_untitled(tmp_path: Path) -> None:
    template = template_dir() / "ivr_main_menu.xml"
    original = template.read_bytes()
    app = EditorApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*"ivr main", "enter")
        await settle(pilot)
        assert app.doc.file_path is None  # saving asks for a name: the template stays as it is
        assert app.doc.to_xml() == twiml.parse(template.read_text(encoding="utf-8")).to_xml(pretty=True)
        assert len(app.tree.node_map) == sum(1 for _ in app.doc.root.iter())
    assert template.read_bytes() == original


async def test_open(flow: Path, other: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await enter_path(pilot, other)
        assert app.doc.file_path == other
        assert names(app.doc.root) == ["Play"]
        assert [c.data.name if c.data else None for c in app.tree.root.children] == ["Play"]
        assert "a.mp3" in app.preview.xml_area.text


async def test_save_writes_the_document(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await make_dirty(app, pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert not app.doc.dirty
        assert "●" not in (app.document_screen.sub_title or "")
    text = flow.read_text(encoding="utf-8")
    assert text == app.doc.file_text()
    assert twiml.parse(text).to_xml() == '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hi</Say></Response>'


async def test_save_as(flow: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.xml"
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await make_dirty(app, pilot)
        await pilot.press("f12")
        await enter_path(pilot, target)
        await app.workers.wait_for_complete()
        assert app.doc.file_path == target and not app.doc.dirty
        assert str(target) in (app.document_screen.sub_title or "")
    assert flow.read_text(encoding="utf-8") == XML  # the original is untouched
    assert (
        twiml.parse(target.read_text(encoding="utf-8")).to_xml(xml_declaration=False)
        == "<Response><Say>Hi</Say></Response>"
    )


async def test_export_python(flow: Path, tmp_path: Path) -> None:
    target = tmp_path / "flow.py"
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await enter_path(pilot, target)
        await app.workers.wait_for_complete()
        assert not app.doc.dirty and app.doc.file_path == flow
    run = subprocess.run([sys.executable, str(target)], capture_output=True, text=True, timeout=60, check=True)
    assert run.stdout.strip() == twiml.parse(XML).to_xml()


async def test_quit_with_unsaved_changes_asks(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await make_dirty(app, pilot)
        await pilot.press("ctrl+q")
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmUnsaved), what="the unsaved question")
        assert isinstance(app.screen, ConfirmUnsaved)
        await pilot.press("escape")  # cancel: keep editing
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmUnsaved) and app.return_code is None
        assert app.doc.dirty
        await pilot.press("ctrl+q")
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmUnsaved), what="the unsaved question")
        assert isinstance(app.screen, ConfirmUnsaved)
        await pilot.press("left", "enter")  # from Cancel to Discard: discard and quit
        await settle(pilot)
        assert app.return_code == 0
    assert flow.read_text(encoding="utf-8") == XML


async def test_unsaved_dialog_ignores_typed_letters(
    flow: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10 item 7: a file name typed right after ctrl+o must not save or discard."""
    monkeypatch.chdir(tmp_path)
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await make_dirty(app, pilot)
        await pilot.press("ctrl+o", *"ms.xml", *"discard.xml", "space")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmUnsaved)
        assert app.doc.dirty and app.doc.file_path == flow
        assert [p.name for p in tmp_path.glob("*.xml")] == ["flow.xml"]
        await pilot.press("enter")  # Cancel has focus: a stray Enter keeps everything
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmUnsaved)
        assert app.doc.dirty and app.doc.file_path == flow
    assert flow.read_text(encoding="utf-8") == XML


async def test_overwrite_dialog_ignores_typed_letters(flow: Path, other: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await make_dirty(app, pilot)
        await pilot.press("f12")
        await enter_path(pilot, other)
        assert isinstance(app.screen, ConfirmOverwrite)
        await pilot.press(*"overwrite.xml", "enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert not isinstance(app.screen, ConfirmOverwrite)
    assert other.read_text(encoding="utf-8") == OTHER


async def test_quit_when_clean_does_not_ask(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")  # quit waits for earlier keys in a worker: wait for the exit
        await settle(pilot, until=lambda: app.return_code is not None, what="the app to exit")
        assert app.return_code == 0


async def test_open_with_unsaved_changes_offers_to_save(flow: Path, other: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await make_dirty(app, pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmUnsaved)
        await pilot.press("ctrl+s")  # save first, then choose the file
        await enter_path(pilot, other)
        await app.workers.wait_for_complete()
        assert app.doc.file_path == other
    assert (
        twiml.parse(flow.read_text(encoding="utf-8")).to_xml(xml_declaration=False)
        == "<Response><Say>Hi</Say></Response>"
    )


async def test_open_cancelled_keeps_document(flow: Path, other: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await make_dirty(app, pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.doc.file_path == flow and app.doc.dirty


async def test_malformed_file_at_start(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(MALFORMED, encoding="utf-8")
    app = EditorApp(bad)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        message = str(app.screen.query_one("#error-message").render())
        assert "line 3" in message and "column" in message and str(bad) in message
        await pilot.press("enter")
        await settle(pilot)
        # a working editor on a new document that is not tied to the bad file
        assert app.doc.file_path is None and names(app.doc.root) == []
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"say", "enter")
        await settle(pilot)
        assert names(app.doc.root) == ["Say"]
        await pilot.press("ctrl+s")  # asks for a name instead of writing over bad.xml
        await settle(pilot)
        assert isinstance(app.screen, PathPrompt)
        assert app.screen.query_one("#path-input", Input).value != str(bad)
        await pilot.press("escape")
        await settle(pilot)
    assert bad.read_text(encoding="utf-8") == MALFORMED


def test_malformed_file_message_lists_each_error_at_its_place(tmp_path: Path) -> None:
    from twiml.errors import TwiMLParseError
    from twiml_editor.document import Document

    bad = tmp_path / "two.xml"
    bad.write_text('<Response>\n  <Play>https://e.com/a?x=1&y=2</Play>\n  <Unknown x-[="1">hi</Unknown>\n</Response>\n')
    with pytest.raises(TwiMLParseError) as info:
        Document.open(bad)
    text = EditorApp.parse_error_text(bad, info.value)
    assert f"{bad} is not valid TwiML (line 2, column 28):\n\n'&' must be written '&amp;'" in text
    assert "\nAlso line 3, column 14: Specification mandates value for attribute x-\n" in text


async def test_opening_malformed_file_keeps_current_document(flow: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(MALFORMED, encoding="utf-8")
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await enter_path(pilot, bad)
        assert isinstance(app.screen, ErrorDialog)
        assert "line 3" in str(app.screen.query_one("#error-message").render())
        await pilot.press("enter")
        await settle(pilot)
        assert app.doc.file_path == flow and names(app.doc.root) == ["Say", "Hangup"]
    assert bad.read_text(encoding="utf-8") == MALFORMED


async def test_unknown_elements_and_attributes_survive_save(tmp_path: Path) -> None:
    path = tmp_path / "ext.xml"
    path.write_text('<Response><Say vendorX="1">Hi</Say><Custom a="b"><Inner/></Custom></Response>', encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        app.tree.focus()
        say = app.doc.root.children[0]
        app.document_screen.select(say)
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press(*"hangup", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await app.workers.wait_for_complete()
    saved = twiml.parse(path.read_text(encoding="utf-8")).to_xml(xml_declaration=False)
    assert saved == '<Response><Say vendorX="1">Hi</Say><Hangup /><Custom a="b"><Inner /></Custom></Response>'


async def test_save_as_over_existing_file_overwrite(flow: Path, other: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await make_dirty(app, pilot)
        await pilot.press("f12")
        await enter_path(pilot, other)
        assert isinstance(app.screen, ConfirmOverwrite)
        assert other.read_text(encoding="utf-8") == OTHER  # nothing written while it asks
        await pilot.press("left", "enter")  # from Cancel to Overwrite
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert app.doc.file_path == other and not app.doc.dirty
    assert (
        twiml.parse(other.read_text(encoding="utf-8")).to_xml(xml_declaration=False)
        == "<Response><Say>Hi</Say></Response>"
    )
    assert flow.read_text(encoding="utf-8") == XML


async def test_save_as_over_existing_file_cancel(flow: Path, other: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await make_dirty(app, pilot)
        title = app.document_screen.sub_title
        await pilot.press("f12")
        await enter_path(pilot, other)
        assert isinstance(app.screen, ConfirmOverwrite)
        await pilot.press("enter")  # Cancel has the focus
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert not isinstance(app.screen, ConfirmOverwrite)
        assert app.doc.file_path == flow and app.doc.dirty and app.document_screen.sub_title == title
        assert names(app.doc.root) == ["Say"]
    assert other.read_text(encoding="utf-8") == OTHER
    assert flow.read_text(encoding="utf-8") == XML


async def test_save_as_to_own_file_does_not_ask(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await make_dirty(app, pilot)
        await pilot.press("f12")
        await enter_path(pilot, flow)
        await app.workers.wait_for_complete()
        assert not isinstance(app.screen, ConfirmOverwrite) and not app.doc.dirty
    assert (
        twiml.parse(flow.read_text(encoding="utf-8")).to_xml(xml_declaration=False)
        == "<Response><Say>Hi</Say></Response>"
    )


@pytest.mark.parametrize("overwrite", [True, False])
async def test_export_python_over_existing_file(flow: Path, tmp_path: Path, overwrite: bool) -> None:
    target = tmp_path / "flow.py"
    target.write_text("# keep me\n", encoding="utf-8")
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await enter_path(pilot, target)
        assert isinstance(app.screen, ConfirmOverwrite)
        if overwrite:
            await pilot.click("#overwrite-yes")
        else:
            await pilot.press("escape")
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert not isinstance(app.screen, ConfirmOverwrite)
    if overwrite:
        run = subprocess.run([sys.executable, str(target)], capture_output=True, text=True, timeout=60, check=True)
        assert run.stdout.strip() == twiml.parse(XML).to_xml()
    else:
        assert target.read_text(encoding="utf-8") == "# keep me\n"
