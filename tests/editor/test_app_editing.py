"""Pilot tests: one per structural editing action, driven by the default keys."""

from __future__ import annotations

from pathlib import Path

from app_helpers import SIZE, select, settle
from textual.pilot import Pilot

from twiml.base import TwiML
from twiml_editor.app import EditorApp
from twiml_editor.screens.add_element import AddElementScreen

XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Response><Gather action="/menu" numDigits="1"><Say>Menu</Say></Gather>'
    "<Say>Bye</Say><Hangup/></Response>"
)


def names(node: TwiML) -> list[str]:
    return [v.name for v in node.verbs if isinstance(v, TwiML)]


def tree_names(app: EditorApp, node: TwiML) -> list[str]:
    tree_node = app.tree.tree_node(node)
    assert tree_node is not None
    return [child.data.name for child in tree_node.children if child.data is not None]


async def pick(pilot: Pilot[None], text: str) -> None:
    await settle(pilot)
    await pilot.press(*text, "enter")
    await settle(pilot)


async def test_add_child_lists_only_allowed_children(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        gather = app.doc.root.children[0]
        await select(app, pilot, gather)
        await pilot.press("a")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, AddElementScreen)
        offered = {item[2].xml for item in picker.items}
        assert offered == {"Say", "Play", "Pause"}
        empty = picker.query_one("#picker-empty")
        assert str(empty.render()) == ""
        await pilot.press(*"dial")
        await settle(pilot)
        assert "'dial'" in str(empty.render()) and "not accept" in str(empty.render())
        await pilot.press(*["backspace"] * 4)
        await settle(pilot)
        assert str(empty.render()) == ""
        await pick(pilot, "pause")
        assert names(gather) == ["Say", "Pause"]
        assert tree_names(app, gather) == ["Say", "Pause"]
        assert app.current is gather.children[1]
        assert app.doc.dirty


async def test_add_sibling(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        bye = app.doc.root.children[1]
        await select(app, pilot, bye)
        await pilot.press("s")
        await pick(pilot, "play")
        assert names(app.doc.root) == ["Gather", "Say", "Play", "Hangup"]
        assert tree_names(app, app.doc.root) == ["Gather", "Say", "Play", "Hangup"]


async def test_delete(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        bye = app.doc.root.children[1]
        await select(app, pilot, bye)
        await pilot.press("delete")
        await settle(pilot)
        assert names(app.doc.root) == ["Gather", "Hangup"]
        assert tree_names(app, app.doc.root) == ["Gather", "Hangup"]
        assert app.current is app.doc.root.children[1]  # the next sibling is selected
        assert app.tree.tree_node(bye) is None


async def test_delete_root_is_refused(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, app.doc.root)
        await pilot.press("delete")
        await settle(pilot)
        assert names(app.doc.root) == ["Gather", "Say", "Hangup"]
        assert not app.doc.dirty


async def test_duplicate(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        gather = app.doc.root.children[0]
        await select(app, pilot, gather)
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert names(app.doc.root) == ["Gather", "Gather", "Say", "Hangup"]
        copy = app.doc.root.children[1]
        assert copy is not gather and copy.attrs == gather.attrs and names(copy) == ["Say"]
        assert tree_names(app, copy) == ["Say"]
        assert app.current is copy


async def test_move_up_and_down(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        hangup = app.doc.root.children[2]
        await select(app, pilot, hangup)
        await pilot.press("alt+up")
        await settle(pilot)
        assert names(app.doc.root) == ["Gather", "Hangup", "Say"]
        assert tree_names(app, app.doc.root) == ["Gather", "Hangup", "Say"]
        assert app.current is hangup
        await pilot.press("alt+up")
        await settle(pilot)
        assert names(app.doc.root) == ["Hangup", "Gather", "Say"]
        await pilot.press("alt+up")  # already first: nothing happens
        await settle(pilot)
        assert names(app.doc.root) == ["Hangup", "Gather", "Say"]
        await pilot.press("alt+down")
        await settle(pilot)
        assert names(app.doc.root) == ["Gather", "Hangup", "Say"]
        assert tree_names(app, app.doc.root) == ["Gather", "Hangup", "Say"]


async def test_cut_and_paste(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        bye = app.doc.root.children[1]
        await select(app, pilot, bye)
        await pilot.press("x")
        await settle(pilot)
        assert names(app.doc.root) == ["Gather", "Hangup"]
        gather = app.doc.root.children[0]
        await select(app, pilot, gather)
        await pilot.press("v")  # <Say> is allowed in <Gather>: pasted inside it
        await settle(pilot)
        assert names(gather) == ["Say", "Say"]
        assert gather.children[1].value == "Bye"
        assert tree_names(app, gather) == ["Say", "Say"]


async def test_copy_and_paste_after_node(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        gather = app.doc.root.children[0]
        await select(app, pilot, gather)
        await pilot.press("c")
        await settle(pilot)
        assert names(app.doc.root) == ["Gather", "Say", "Hangup"]
        assert not app.doc.dirty
        hangup = app.doc.root.children[2]
        await select(app, pilot, hangup)
        await pilot.press("v")  # <Gather> is not allowed in <Hangup>: pasted after it
        await settle(pilot)
        assert names(app.doc.root) == ["Gather", "Say", "Hangup", "Gather"]
        pasted = app.doc.root.children[3]
        assert pasted is not gather and pasted.attrs == {"action": "/menu", "numDigits": "1"}


async def test_paste_with_empty_clipboard_does_nothing(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await select(app, pilot, app.doc.root.children[1])
        await pilot.press("v")
        await settle(pilot)
        assert names(app.doc.root) == ["Gather", "Say", "Hangup"]


async def test_undo_and_redo(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        before = app.doc.to_xml()
        bye = app.doc.root.children[1]
        await select(app, pilot, bye)
        await pilot.press("delete")
        await settle(pilot)
        after_delete = app.doc.to_xml()
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.doc.to_xml() == before
        assert tree_names(app, app.doc.root) == ["Gather", "Say", "Hangup"]
        assert not app.doc.dirty  # back at the saved state
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert app.doc.to_xml() == after_delete
        assert tree_names(app, app.doc.root) == ["Gather", "Hangup"]


async def test_undo_of_typed_attribute_refills_form(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        gather = app.doc.root.children[0]
        await select(app, pilot, gather)
        app.document_screen.ensure_form()
        await settle(pilot)
        assert app.form.focus_field("numDigits")
        await pilot.press("end", "backspace", "4", "2")
        await settle(pilot)
        assert gather.attrs["numDigits"] == "42"
        await pilot.press("ctrl+z")  # one undo reverts the whole entry
        await settle(pilot)
        assert gather.attrs["numDigits"] == "1"
        assert app.form.fields["numDigits"].current() == "1"
        assert not app.doc.dirty
