"""Pilot tests: saves keep the file's own formatting and never lose edits (issue 10 item 1-2,
issue 8 item 4): disk changed since open, failures shown with the edits kept, read-only files,
encodings, the reformat command and the depth limit."""

from __future__ import annotations

import codecs
import difflib
import os
from pathlib import Path

import pytest
from app_helpers import SIZE, settle
from textual.pilot import Pilot
from textual.widgets import Button, Input

from twiml.base import TwiML
from twiml.limits import MAX_DEPTH
from twiml_editor.app import EditorApp
from twiml_editor.screens.error_dialog import ErrorDialog
from twiml_editor.screens.file_dialogs import ConfirmReadOnly, DiskChanged
from twiml_editor.screens.path_prompt import PathPrompt

ODD = (
    "<?xml version='1.0'?>\r\n"
    "<!-- page located at https://example.com/menu -->\r\n"
    "<Response>\r\n"
    "    <Gather timeout='5' action='/menu' numDigits='1'>\r\n"
    "        <Say voice='alice'>Press 1.</Say>\r\n"
    "    </Gather>\r\n"
    "    <Hangup/>\r\n"
    "</Response>\r\n"
)


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    path = tmp_path / "odd.xml"
    path.write_bytes(ODD.encode())
    return path


def gather(app: EditorApp) -> TwiML:
    node = app.doc.root.verbs[0]
    assert isinstance(node, TwiML) and node.name == "Gather"
    return node


async def save(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_save_after_one_attribute_edit_changes_one_line(odd: Path) -> None:
    app = EditorApp(odd)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.document_screen.after_change(app.doc.set_attr(gather(app), "timeout", "9"))
        await save(pilot)
        await app.workers.wait_for_complete()
        assert not app.doc.dirty
    new = odd.read_bytes().decode()
    changed = [line for line in difflib.ndiff(ODD.splitlines(True), new.splitlines(True)) if line[:2] in ("- ", "+ ")]
    assert changed == [
        "-     <Gather timeout='5' action='/menu' numDigits='1'>\r\n",
        "+     <Gather timeout='9' action='/menu' numDigits='1'>\r\n",
    ]


async def test_save_without_edits_writes_the_same_bytes(odd: Path) -> None:
    app = EditorApp(odd)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await save(pilot)
        await app.workers.wait_for_complete()
    assert odd.read_bytes() == ODD.encode()


async def test_file_changed_on_disk_is_never_overwritten_silently(odd: Path) -> None:
    app = EditorApp(odd)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.document_screen.after_change(app.doc.set_attr(gather(app), "timeout", "9"))
        theirs = ODD.replace("Press 1.", "Press one.").encode()
        odd.write_bytes(theirs)
        os.utime(odd, ns=(1, 1))  # another mtime even on coarse clocks
        await save(pilot)
        assert isinstance(app.screen, DiskChanged)
        await pilot.press("escape")  # cancel: nothing written, edits kept
        await settle(pilot)
        assert odd.read_bytes() == theirs and app.doc.dirty
        await save(pilot)
        assert isinstance(app.screen, DiskChanged)
        app.screen.query_one("#disk-overwrite", Button).press()
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert not app.doc.dirty
    assert odd.read_bytes() == ODD.replace("timeout='5'", "timeout='9'").encode()


async def test_file_changed_on_disk_can_be_reloaded(odd: Path) -> None:
    app = EditorApp(odd)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.document_screen.after_change(app.doc.set_attr(gather(app), "timeout", "9"))
        odd.write_bytes(ODD.replace("Press 1.", "Press one.").encode())
        os.utime(odd, ns=(1, 1))
        await save(pilot)
        assert isinstance(app.screen, DiskChanged)
        app.screen.query_one("#disk-reload", Button).press()
        await settle(pilot)
        await app.workers.wait_for_complete()
        say = gather(app).verbs[0]
        assert isinstance(say, TwiML) and say.value == "Press one." and not app.doc.dirty


async def test_file_changed_on_disk_can_be_saved_elsewhere(odd: Path, tmp_path: Path) -> None:
    app = EditorApp(odd)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.document_screen.after_change(app.doc.set_attr(gather(app), "timeout", "9"))
        theirs = ODD.replace("Press 1.", "Press one.").encode()
        odd.write_bytes(theirs)
        os.utime(odd, ns=(1, 1))
        await save(pilot)
        app.screen.query_one("#disk-save_as", Button).press()
        await settle(pilot)
        assert isinstance(app.screen, PathPrompt)
        app.screen.query_one("#path-input", Input).value = str(tmp_path / "mine.xml")
        await pilot.press("enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
    assert odd.read_bytes() == theirs
    assert (tmp_path / "mine.xml").read_bytes() == ODD.replace("timeout='5'", "timeout='9'").encode()


async def test_save_failure_shows_the_file_and_keeps_the_edits(odd: Path, tmp_path: Path) -> None:
    loop = tmp_path / "loop.xml"
    loop.symlink_to(loop)  # Save As onto a symlink loop raised RuntimeError and ended the app
    app = EditorApp(odd)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.document_screen.after_change(app.doc.set_attr(gather(app), "timeout", "9"))
        assert await app.document_screen.write(loop) is False
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert str(loop) in app.screen.message and "edits are kept" in app.screen.message
        assert app.is_running and app.doc.dirty and gather(app).attrs["timeout"] == "9"
        assert app.doc.file_path == odd


async def test_read_only_file_asks_before_it_is_replaced(odd: Path) -> None:
    odd.chmod(0o444)
    app = EditorApp(odd)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.document_screen.after_change(app.doc.set_attr(gather(app), "timeout", "9"))
        await save(pilot)
        assert isinstance(app.screen, ConfirmReadOnly)
        await pilot.press("escape")
        await settle(pilot)
        assert odd.read_bytes() == ODD.encode() and app.doc.dirty
        await save(pilot)
        assert isinstance(app.screen, ConfirmReadOnly)
        app.screen.query_one("#read-only-replace", Button).press()
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert not app.doc.dirty
    assert b"timeout='9'" in odd.read_bytes()


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (
            codecs.BOM_UTF16_LE
            + '<?xml version="1.0" encoding="UTF-16"?>\n<Response><Say>Grüße</Say></Response>\n'.encode("utf-16-le"),
            "Grüße",
        ),
        (codecs.BOM_UTF32_BE + "<Response><Say>Grüße</Say></Response>".encode("utf-32-be"), "Grüße"),
        # Valid UTF-8 bytes, but the declaration says ISO-8859-1: two characters, not one.
        ('<?xml version="1.0" encoding="ISO-8859-1"?><Response><Say>Ã©</Say></Response>'.encode("latin-1"), "Ã©"),
    ],
    ids=["utf-16", "utf-32", "latin-1-looking-like-utf-8"],
)
async def test_encodings_open_and_are_kept_on_save(tmp_path: Path, data: bytes, text: str) -> None:
    path = tmp_path / "enc.xml"
    path.write_bytes(data)
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        say = app.doc.root.verbs[0]
        assert isinstance(say, TwiML) and say.value == text
        app.document_screen.after_change(app.doc.set_attr(say, "loop", "2"))
        await save(pilot)
        await app.workers.wait_for_complete()
        assert not app.doc.dirty
    saved = path.read_bytes()
    assert saved.startswith(data[:4]) or not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE))
    assert len(saved) > len(data)
    again = EditorApp(path)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        say = again.doc.root.verbs[0]
        assert isinstance(say, TwiML) and say.value == text and say.attrs == {"loop": "2"}


async def test_reformat_command_writes_canonical_xml(odd: Path) -> None:
    app = EditorApp(odd)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Reformat document" in [title for title, _, _ in app.palette_commands()]
        app.document_screen.action_reformat()
        assert app.doc.dirty
        await save(pilot)
        await app.workers.wait_for_complete()
        expected = app.doc.root.to_xml(pretty=True)
    assert odd.read_text() == expected
    assert expected.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!-- page located at')


def deep(levels: int) -> str:
    return "<Response>" + "<x>" * (levels - 1) + "</x>" * (levels - 1) + "</Response>"


async def test_depth_limit_refused_with_a_message_and_deep_duplicate_works(tmp_path: Path) -> None:
    path = tmp_path / "deep.xml"
    path.write_text(deep(MAX_DEPTH))
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        top = app.doc.root.verbs[0]
        assert isinstance(top, TwiML)
        app.tree.focus()
        app.document_screen.select(top)
        await settle(pilot)
        await pilot.press("ctrl+d")  # a 99-level subtree copied (RecursionError at 167 levels before)
        await settle(pilot)
        assert len(app.doc.root.verbs) == 2 and app.is_running
        bottom = app.doc.root.verbs[0]
        while isinstance(bottom, TwiML) and bottom.verbs:
            bottom = bottom.verbs[0]
        assert isinstance(bottom, TwiML)
        app.node_clipboard = "<y><z/></y>"  # beside the deepest node: one level too deep
        app.document_screen.select(bottom)
        await settle(pilot)
        app.document_screen.action_paste()
        await settle(pilot)
        assert isinstance(app.screen, ErrorDialog) and "deep" in app.screen.message
        assert not bottom.verbs and app.is_running
