"""Pilot tests for the lazy verb tree: on a large document the children of a collapsed node
are added only when it is expanded or something under it is selected."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import SIZE, row, settle
from textual.widgets.tree import TreeNode

from twiml.base import TwiML
from twiml_editor.app import EditorApp
from twiml_editor.screens.document_screen import FIRST_ROWS
from twiml_editor.widgets.verb_tree import EXPAND_LIMIT, VerbTree, element_children

MENUS = EXPAND_LIMIT // 4


def big_xml(bad_loop: bool = False) -> str:
    menus = []
    for m in range(MENUS):
        loop = ' loop="abc"' if bad_loop and m == MENUS - 1 else ""
        menus.append(
            f'<Gather action="/m/{m}" numDigits="1"><Say>a{m}</Say><Say{loop}>b{m}</Say>'
            f"<Play>https://example.com/{m}.mp3</Play></Gather><Say>none {m}</Say>"
        )
    return "<Response>" + "".join(menus) + "<Hangup/></Response>"


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "big.xml"
    path.write_text(big_xml(), encoding="utf-8")
    return path


def check_tree(tree: VerbTree) -> None:
    """node_map holds exactly the TreeNodes in the tree; a node whose children were added shows
    them all in document order; one whose children were not added has none yet."""
    seen = 0
    stack: list[TreeNode[TwiML]] = [tree.root]
    while stack:
        current = stack.pop()
        node = current.data
        assert node is not None
        seen += 1
        assert tree.node_map[id(node)] is current
        kids = element_children(node)
        assert current.allow_expand == bool(kids) or current is tree.root
        if current.children:
            assert [c.data for c in current.children] == kids
        elif kids:
            assert current.id in tree._unpopulated and not current.is_expanded
        stack.extend(current.children)
    assert len(tree.node_map) == seen


def gather(app: EditorApp, m: int) -> TwiML:
    return app.doc.root.children[2 * m]


async def test_large_document_adds_only_the_top_level(big: Path) -> None:
    app = EditorApp(big)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert sum(1 for _ in app.doc.root.iter()) > EXPAND_LIMIT
        assert [c.data for c in app.tree.root.children] == element_children(app.doc.root)
        assert app.tree.tree_node(gather(app, 3).children[0]) is None
        check_tree(app.tree)


async def test_the_first_paint_gets_the_top_of_the_tree_and_the_rest_follows(big: Path) -> None:
    app = EditorApp(big)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # opened, painted, and the rest added after the paint (checked above)
        tree, root = app.tree, app.doc.root
        kids = element_children(root)
        assert len(kids) > FIRST_ROWS
        tree.load(root, first=FIRST_ROWS)  # what opening does before the first paint
        assert [c.data for c in tree.root.children] == kids[:FIRST_ROWS]
        assert tree.tree_node(kids[3]) is tree.root.children[3]
        assert len(tree.root.children) == FIRST_ROWS  # a node already there needs nothing more
        assert tree.tree_node(kids[-1]) is not None  # one further down: the rest is added first
        check_tree(tree)
        tree.finish_loading()  # nothing left to do
        check_tree(tree)


async def test_the_first_paint_shows_the_start_of_the_preview_and_then_all_of_it(big: Path) -> None:
    app = EditorApp(big)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        doc = app.doc
        whole = doc.to_xml()
        assert not app.preview.partial and app.preview.xml_area.text == whole
        selection = app.preview.xml_area.selection
        assert (selection.start[0], selection.end[0]) == (whole.count("\n") - 1, 1)  # the root's lines
        app.load_document(doc)  # opening, up to the first paint
        assert app.tree.partial and app.preview.partial
        text = app.preview.xml_area.text
        assert whole.startswith(text) and text.count("\n") < whole.count("\n") // 2
        await settle(pilot)
        assert not app.tree.partial and not app.preview.partial
        assert app.preview.xml_area.text == whole
        assert app.preview.xml_area.selection == selection  # highlighted once all is shown


@pytest.mark.parametrize("finish", ["finish_loading", "reconcile"])
async def test_edits_made_before_the_rest_is_added(big: Path, finish: str) -> None:
    app = EditorApp(big)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree, doc = app.tree, app.doc
        tree.load(doc.root, first=20)
        kids = element_children(doc.root)
        doc.remove(kids[3])  # one the tree shows
        doc.remove(kids[300])  # one it does not show yet
        doc.move(kids[21], -5)  # one from beyond the prefix into it
        doc.duplicate(kids[0])
        if finish == "reconcile":
            tree.reconcile(doc.root)  # what an edit's refresh does
        else:
            tree.finish_loading()
        assert [c.data for c in tree.root.children] == element_children(doc.root)
        check_tree(tree)


async def test_expanding_adds_children(big: Path) -> None:
    app = EditorApp(big)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        g = gather(app, 0)
        app.document_screen.select(g)
        app.tree.focus()
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        node = app.tree.tree_node(g)
        assert node is not None and node.is_expanded
        assert [c.data for c in node.children] == element_children(g)
        await pilot.press("down")
        await settle(pilot)
        assert app.current is g.children[0]
        check_tree(app.tree)


async def test_selecting_a_node_not_yet_in_the_tree_reveals_it(big: Path) -> None:
    app = EditorApp(big)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        say = gather(app, 7).children[1]
        assert app.tree.tree_node(say) is None
        app.document_screen.select(say)
        app.tree.focus()
        await settle(pilot)
        assert app.current is say
        assert app.tree.cursor_node is not None and app.tree.cursor_node.data is say
        assert row(app, gather(app, 7)).is_expanded
        check_tree(app.tree)


async def test_problems_panel_selects_a_hidden_node(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(big_xml(bad_loop=True), encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bad = gather(app, MENUS - 1).children[1]
        assert app.tree.tree_node(bad) is None
        rows = [d for d in app.problems.diagnostics if getattr(d, "node", None) is bad]
        assert rows
        app.problems.focus()
        app.problems.move_cursor(row=app.problems.diagnostics.index(rows[0]))
        await pilot.press("enter")
        await settle(pilot)
        assert app.current is bad
        assert app.tree.cursor_node is not None and app.tree.cursor_node.data is bad
        assert str(row(app, bad).label).startswith("⚠")  # the mark shows once added (13510 is a Twilio WARNING)
        check_tree(app.tree)


async def test_undo_and_paste_under_collapsed_nodes(big: Path) -> None:
    app = EditorApp(big)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        g = gather(app, 5)
        play = g.children[2]
        app.document_screen.select(play)
        app.tree.focus()
        await settle(pilot)
        await pilot.press("c")  # copy the Play
        await pilot.press("delete")
        await settle(pilot)
        assert len(element_children(g)) == 2
        check_tree(app.tree)
        # collapse the whole top level again: a fresh document load
        app.load_document(app.doc)
        await settle(pilot)
        assert app.tree.tree_node(g.children[0]) is None
        await pilot.press("ctrl+z")  # restores the Play under the never-expanded Gather
        await settle(pilot)
        restored = g.children[2]
        assert restored.name == "Play"
        assert app.current is restored and app.tree.cursor_node is not None and app.tree.cursor_node.data is restored
        check_tree(app.tree)
        # paste into another collapsed Gather: the new node is added and selected
        other = gather(app, 9)
        app.document_screen.select(other)
        await settle(pilot)
        assert app.tree.tree_node(other.children[0]) is None
        await pilot.press("v")
        await settle(pilot)
        assert [v.name for v in element_children(other)] == ["Say", "Say", "Play", "Play"]
        assert (
            app.current is other.children[3]
            and app.tree.cursor_node is not None
            and app.tree.cursor_node.data is other.children[3]
        )
        check_tree(app.tree)
