"""Pilot tests for the screen and interaction fixes of issue 10: layout at any size, maximise,
preview wrapping, problems columns after open, body fields that select on focus, keys that act on
the node under the cursor however fast they arrive, text after SSML children, small messages."""

from __future__ import annotations

from pathlib import Path

from app_helpers import select, settle
from textual import events
from textual.coordinate import Coordinate
from textual.widgets import TextArea

from twiml.base import TwiML
from twiml_editor.app import EditorApp
from twiml_editor.widgets.attribute_form import BodyEditor

SMALL = (80, 24)
LARGE = (160, 48)

XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Say>One</Say>\n  <Say>Two</Say>\n  <Say>Three</Say>\n'
    '  <Dial><Conference recordingStatusCallback="/r" recordingStatusCallbackEvent="completed">room</Conference>'
    "</Dial>\n</Response>\n"
)


def names(node: TwiML) -> list[str]:
    return [v.name for v in node.children]


def visible(app: EditorApp, widget_id: str) -> bool:
    widget = app.query_one(f"#{widget_id}")
    return widget.display and widget.region.width > 0 and widget.region.height > 0


# ---------------------------------------------------------------------------- layout (items 3, 9)


async def test_narrow_screen_shows_tree_and_form_and_f3_swaps_in_the_preview(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert app.document_screen.narrow
        conference = app.doc.root.children[3].children[0]
        await select(app, pilot, conference)
        await pilot.press("enter")  # edit its fields
        await settle(pilot)
        assert visible(app, "tree") and visible(app, "form") and not visible(app, "preview")
        # Every field of the form is as wide as the form: the focused one is on screen with width.
        field = app.form.fields["recordingStatusCallbackEvent"]
        app.form.scroll_to_widget(field, animate=False)
        await settle(pilot)
        assert field.input_widget.region.width >= app.form.content_region.width - 4
        label = field.query_one(".attr-name")
        assert "recordingStatusCallbackEvent" in str(label.render())  # the whole name, no ellipsis
        await pilot.press("f3")
        await settle(pilot)
        assert visible(app, "preview") and not visible(app, "form")
        await pilot.press("f3")
        await settle(pilot)
        assert visible(app, "form") and not visible(app, "preview")


async def test_wide_screen_shows_all_panels(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        assert not app.document_screen.narrow
        assert all(visible(app, panel) for panel in ("tree", "form", "preview", "problems"))


async def test_resizing_switches_layout(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert app.document_screen.narrow and not visible(app, "preview")
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        assert not app.document_screen.narrow and visible(app, "preview")


async def test_maximise_focused_panel_and_back(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.screen.maximized is app.tree
        assert app.tree.region.width == 80
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.screen.maximized is None
        await select(app, pilot, app.doc.root.children[0])
        await pilot.press("enter")  # into the form: ctrl+g works from a text field too
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.screen.maximized is app.form and app.form.region.width == 80
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.screen.maximized is None


async def test_preview_wrap_toggle(tmp_path: Path) -> None:
    path = tmp_path / "long.xml"
    path.write_text("<Response><Say>" + "word " * 60 + "</Say></Response>", encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        area = app.preview.xml_area
        assert not area.soft_wrap
        unwrapped = area.wrapped_document.height
        await pilot.press("f4")
        await settle(pilot)
        assert area.soft_wrap and app.preview.python_area.soft_wrap
        assert area.wrapped_document.height > unwrapped
        await pilot.press("f4")
        await settle(pilot)
        assert not area.soft_wrap


# ---------------------------------------------------------------------------- item 4


def _problem_file(path: Path, digits: str) -> Path:
    path.write_text(f'<Response><Gather numDigits="{digits}" action="/m"><Say>x</Say></Gather></Response>')
    return path


async def test_problems_columns_fit_the_new_document_after_open(tmp_path: Path) -> None:
    first = _problem_file(tmp_path / "a.xml", "x")
    second = tmp_path / "b.xml"
    second.write_text("<Response><Dial><Conference>room</Conference><Number>+15550100</Number></Dial></Response>")
    app = EditorApp(first)
    async with app.run_test(size=(180, 40)) as pilot:
        await settle(pilot)
        assert len(app.problems.diagnostics) >= 1
        assert app.open_path(second)
        await settle(pilot)
        table = app.problems
        for row, diagnostic in enumerate(table.diagnostics):
            message = table.get_cell_at(Coordinate(row, 2))
            assert str(message) == diagnostic.message  # a Text: shown literally, never as markup
        widths = {key.value: column.get_render_width(table) for key, column in table.columns.items()}
        longest = max(len(d.message) for d in table.diagnostics)
        assert widths["message"] >= longest  # nothing cut
        assert app.open_path(first)
        await settle(pilot)
        widths = {key.value: column.get_render_width(table) for key, column in table.columns.items()}
        # shrinks back: the columns fit the rows shown, not every document seen before
        assert widths["message"] <= max(len(d.message) for d in table.diagnostics) + 2


async def test_problem_counts_are_singular_for_one(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_text("<Response><Play/></Response>")  # one error: a Play with nothing to play
    app = EditorApp(path)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        errors = sum(d.severity == "error" for d in app.problems.diagnostics)
        assert errors == 1
        assert "(1 error," in str(app.problems.border_title)


# ---------------------------------------------------------------------------- item 5


async def test_new_redirect_body_is_replaced_by_typing(tmp_path: Path) -> None:
    app = EditorApp()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("a", *"redirect", "enter")
        await settle(pilot)
        redirect = app.doc.root.children[0]
        assert redirect.name == "Redirect" and redirect.value == "/next"
        await pilot.press("enter")  # edit its fields: the body comes first
        await settle(pilot)
        assert isinstance(app.focused, BodyEditor)
        await pilot.press("slash", *"voice")
        await settle(pilot)
        assert redirect.value == "/voice"


# ---------------------------------------------------------------------------- item 6


async def burst(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Queue key events back to back, as a terminal delivers keys typed faster than the app runs
    (Pilot.press lets the app go idle between keys)."""
    driver = pilot.app._driver
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(pilot.app)
        driver.send_message(event)
    await settle(pilot)


async def test_burst_of_keys_acts_on_the_node_under_the_cursor(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=LARGE) as pilot:
        await select(app, pilot, app.doc.root.children[0])
        await burst(pilot, "down", "delete")
        assert [v.value for v in app.doc.root.children[:2]] == ["One", "Three"]
        cursor = app.tree.cursor_node
        assert cursor is not None and cursor.data is app.doc.root.children[1]
        await burst(pilot, "up", "c", "down", "v")
        assert [v.value for v in app.doc.root.children[:3]] == ["One", "Three", "One"]


async def test_burst_down_delete_deletes_the_node_under_the_cursor(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=LARGE) as pilot:
        first = app.doc.root.children[0]
        await select(app, pilot, first)
        await pilot.press("down", "delete")
        await settle(pilot)
        assert [v.value for v in app.doc.root.children[:2]] == ["One", "Three"]


async def test_burst_down_down_copy_paste(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=LARGE) as pilot:
        await select(app, pilot, app.doc.root.children[0])
        await pilot.press("down", "down", "c", "up", "v")
        await settle(pilot)
        assert [v.value for v in app.doc.root.children[:4]] == ["One", "Two", "Three", "Three"]


# ---------------------------------------------------------------------------- item 8


async def test_text_after_an_ssml_child_is_shown_and_editable(tmp_path: Path) -> None:
    path = tmp_path / "ssml.xml"
    path.write_text("<Response><Say>Hello <emphasis>you</emphasis> my friend</Say></Response>", encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=SMALL) as pilot:
        say = app.doc.root.children[0]
        await select(app, pilot, say)
        app.document_screen.ensure_form()
        await settle(pilot)
        [editor] = app.form.piece_editors
        assert editor.text == " my friend"
        labels = [str(label.render()) for label in app.form.query(".section")]
        assert "Text after <emphasis>" in labels
        editor.focus()
        await settle(pilot)
        await pilot.press("space", *"my", "space", *"dear")
        await settle(pilot)
        assert say.verbs[1] == " my dear"
        assert "<emphasis>you</emphasis> my dear</Say>" in app.doc.to_xml()
        app.tree.focus()
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert say.verbs[1] == " my friend"
        assert editor.text == " my friend"


# ---------------------------------------------------------------------------- item 10


async def test_ctrl_e_exports_from_a_text_field(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=LARGE) as pilot:
        await select(app, pilot, app.doc.root.children[0])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, TextArea)
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert app.screen.id != "_default" and app.screen.query_one("#path-input") is not None


async def test_add_child_on_a_node_without_children_says_so(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=LARGE) as pilot:
        await select(app, pilot, app.doc.root.children[3].children[0])  # <Conference>
        await pilot.press("a")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert any("takes no child elements" in n.message for n in app._notifications)


async def test_main_screen_keys_are_off_while_a_dialog_is_open(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=LARGE) as pilot:
        await select(app, pilot, app.doc.root.children[0])
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("ctrl+a", "delete", "ctrl+z", "ctrl+n")
        await settle(pilot)
        assert len(app.screen_stack) == 2 and names(app.doc.root) == ["Say", "Say", "Say", "Dial"]


# ---------------------------------------------------------------------------- file browser


def test_completion_extends_to_the_common_prefix(tmp_path: Path) -> None:
    from twiml_editor.screens.path_prompt import complete

    (tmp_path / "menus").mkdir()
    (tmp_path / "menu_main.xml").write_text("<Response/>")
    (tmp_path / "menu_sales.xml").write_text("<Response/>")
    assert complete(f"{tmp_path}/menu_m") == (f"{tmp_path}/menu_main.xml", ["menu_main.xml"])
    text, names = complete(f"{tmp_path}/me")
    assert text == f"{tmp_path}/menu" and set(names) == {"menus/", "menu_main.xml", "menu_sales.xml"}
    assert complete(f"{tmp_path}/menus")[0] == f"{tmp_path}/menus/"
    assert complete(f"{tmp_path}/zz") == (f"{tmp_path}/zz", [])


async def test_open_with_tab_completion_and_the_file_tree(flow: Path, tmp_path: Path) -> None:
    from twiml_editor.screens.path_prompt import FileTree, PathPrompt

    other = tmp_path / "sub" / "second_flow.xml"
    other.parent.mkdir()
    other.write_text("<Response><Hangup/></Response>", encoding="utf-8")
    (tmp_path / "sub" / "notes.txt").write_text("not TwiML")
    app = EditorApp(flow)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, PathPrompt)
        prompt.path_input.value = str(tmp_path / "su")
        await pilot.press("tab")  # -> .../sub/
        await settle(pilot)
        assert prompt.path_input.value == f"{tmp_path}/sub/"
        await pilot.press("s", "tab")  # -> .../sub/second_flow.xml
        await settle(pilot)
        assert prompt.path_input.value == str(other)
        tree = prompt.query_one(FileTree)
        assert Path(tree.path) == other.parent
        shown = {node.data.path.name for node in tree.root.children if node.data is not None}
        assert shown == {"second_flow.xml"}  # notes.txt is not TwiML; the filter narrows too
        await pilot.press("enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert app.doc.file_path == other


async def test_picking_a_file_in_the_tree_fills_the_path(flow: Path, tmp_path: Path) -> None:
    from twiml_editor.screens.path_prompt import FileTree, PathPrompt

    app = EditorApp(flow)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, PathPrompt)
        prompt.path_input.value = f"{tmp_path}/"
        await settle(pilot)
        tree = prompt.query_one(FileTree)
        await settle(pilot, until=lambda: tree.root.children)
        await pilot.press("down")  # from the path field to the tree
        assert prompt.focused is tree
        node = next(n for n in tree.root.children if n.data is not None and n.data.path == flow)
        tree.move_cursor(node)
        await pilot.press("enter")
        await settle(pilot)
        focused: object = prompt.focused
        assert prompt.path_input.value == str(flow) and focused is prompt.path_input
