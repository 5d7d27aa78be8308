"""What a new user's tryout at 80x24 found (issues 20 and 21): each case as the keys that did it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import tomlkit
from app_helpers import burst, field_input, screen_text, settle
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from twiml.base import TwiML
from twiml.flow.routing import Split
from twiml_editor.app import EditorApp
from twiml_editor.flow_app import FlowEditorApp
from twiml_editor.flow_project import FlowProject, route_path
from twiml_editor.screens.confirm_many import ConfirmQuitMany, ConfirmReplaceSplit
from twiml_editor.screens.flow_view import FlowScreen
from twiml_editor.screens.path_prompt import PathPrompt
from twiml_editor.screens.picker import PickerScreen
from twiml_editor.screens.text_prompt import TextPrompt
from twiml_editor.widgets.literal import VisibleTextArea

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_flows"
SMALL = (80, 24)
PAGING = ["pageup", "pagedown", "end", "home", "pagedown"]
"""Every paging key of a list, in one read with the key that opens it: PageUp before PageDown
(PageUp on a list with no highlight highlights the first row, and PageDown then pages from it)."""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "flow"
    shutil.copytree(SAMPLES, target)
    return target


def gather_file(tmp_path: Path) -> Path:
    path = tmp_path / "menu.xml"
    path.write_text(
        '<Response>\n  <Gather timeout="6" numDigits="1"><Say>Press 1</Say></Gather>\n</Response>\n',
        encoding="utf-8",
    )
    return path


async def still_running(app: App[None]) -> None:
    assert app.is_running, "the app exited"
    assert app._exception is None, f"the app raised {app._exception!r}"


# 1 ------------------------------------------------------- paging a list in the read that opens it


def sweep(*openers: list[str]) -> list[object]:
    """The palette (the list that crashed) in the normal run, every other list in the slow one."""
    return [
        pytest.param(keys, id=" ".join(keys) or "none", marks=() if keys == ["ctrl+p"] else pytest.mark.slow)
        for keys in openers
    ]


@pytest.mark.parametrize(
    "opener", sweep(["ctrl+p"], ["down", "a"], ["down", "e"], ["ctrl+o"], ["ctrl+n"], ["ctrl+t"], ["f1"], [])
)
async def test_paging_keys_in_the_burst_that_opens_a_list(tmp_path: Path, opener: list[str]) -> None:
    app = EditorApp(gather_file(tmp_path))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        burst(app, [*opener, *PAGING])
        await settle(pilot)
        await still_running(app)


@pytest.mark.parametrize("opener", sweep(["ctrl+p"], ["f5"], ["n"], ["x"], ["t"], ["tab", "t"], ["enter"], []))
async def test_paging_keys_in_the_burst_that_opens_a_flow_list(folder: Path, opener: list[str]) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        burst(app, [*opener, *PAGING])
        await settle(pilot)
        await still_running(app)


# 2 ------------------------------------------------------------ leaving a field ends its undo step


def gather_of(app: EditorApp) -> TwiML:
    [gather] = [v for v in app.doc.root.verbs if not isinstance(v, str)]
    return gather


async def edit_attribute(pilot: Pilot[None], app: EditorApp, name: str, value: str, leave: str) -> None:
    """`e`, the attribute's name, Enter, the new value, then `leave` (Enter or Escape)."""
    await pilot.press("e")
    await settle(pilot, until=lambda: isinstance(app.screen, PickerScreen), what="the attribute picker")
    await pilot.press(*name, "enter")
    await settle(pilot, until=lambda: isinstance(app.focused, Input), what="the field focused")
    field = app.focused
    assert isinstance(field, Input)
    field.select_all()
    await pilot.press(*value, leave)
    await settle(pilot, until=lambda: not isinstance(app.focused, Input), what="the tree focused again")


@pytest.mark.parametrize("leave", ["enter", "escape"])
async def test_two_entries_in_one_field_are_two_undo_steps(tmp_path: Path, leave: str) -> None:
    app = EditorApp(gather_file(tmp_path))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(
            pilot, until=lambda: app.tree.cursor_node is not None and app.tree.cursor_node.data is gather_of(app)
        )
        await edit_attribute(pilot, app, "timeout", "9", leave)
        assert gather_of(app).attrs.get("timeout") == "9"
        await edit_attribute(pilot, app, "timeout", "17", leave)
        assert gather_of(app).attrs.get("timeout") == "17"
        await pilot.press("ctrl+z")
        await settle(pilot, until=lambda: gather_of(app).attrs.get("timeout") != "17", what="the undo")
        assert gather_of(app).attrs.get("timeout") == "9"  # the second entry only
        await pilot.press("ctrl+z")
        await settle(pilot, until=lambda: gather_of(app).attrs.get("timeout") != "9", what="the second undo")
        assert gather_of(app).attrs.get("timeout") == "6"


async def test_typing_in_one_field_is_one_undo_step(tmp_path: Path) -> None:
    app = EditorApp(gather_file(tmp_path))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(
            pilot, until=lambda: app.tree.cursor_node is not None and app.tree.cursor_node.data is gather_of(app)
        )
        await edit_attribute(pilot, app, "timeout", "123", "enter")
        assert gather_of(app).attrs.get("timeout") == "123"
        await pilot.press("ctrl+z")
        await settle(pilot, until=lambda: gather_of(app).attrs.get("timeout") != "123", what="the undo")
        assert gather_of(app).attrs.get("timeout") == "6"


# 3 ------------------------------------------------------------------ a typed name is not doubled


@pytest.mark.parametrize(("typed", "saved"), [("newdoc.xml", "newdoc.xml"), ("newdoc", "newdoc.xml")])
async def test_save_as_takes_a_full_name_or_a_bare_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str, saved: str
) -> None:
    monkeypatch.chdir(tmp_path)
    app = EditorApp()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot, until=lambda: isinstance(app.screen, PickerScreen), what="the add menu")
        await pilot.press(*"Say", "enter")
        await settle(pilot, until=lambda: "<Say" in app.doc.to_xml(), what="the Say added")
        await pilot.press("ctrl+s")
        await settle(pilot, until=lambda: isinstance(app.screen, PathPrompt), what="the Save as prompt")
        await pilot.press(*typed, "enter")
        await settle(pilot, until=lambda: not app.doc.dirty, what="the save")
        assert sorted(p.name for p in tmp_path.glob("*.xml")) == [saved]


@pytest.mark.parametrize(("typed", "renamed"), [("renamed.xml", "renamed.xml"), ("renamed", "renamed.xml")])
async def test_rename_in_the_flow_view_takes_a_full_name_or_a_bare_one(folder: Path, typed: str, renamed: str) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen) and app.screen.rows)
        await pilot.press("n")
        await settle(pilot, until=lambda: isinstance(app.screen, PickerScreen), what="the document picker")
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, TextPrompt), what="the name prompt")
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        old = prompt.initial
        await pilot.press(*typed, "enter")
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen) and renamed in app.project.files())
        assert old not in app.project.files() and renamed + ".xml" not in app.project.files()


# 4 --------------------------------------------------------------------- t on a split asks first


async def test_t_on_a_split_asks_before_it_drops_the_cases(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen) and app.screen.rows)
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        before = app.project.flow.routes["/menu"].target
        assert isinstance(before, Split) and before.cases
        screen.routes.focus()
        screen.routes.highlighted = list(app.project.flow.routes).index("/menu")
        await pilot.press("t")
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmReplaceSplit), what="the question")
        assert f"its {len(before.cases)} cases" in screen_text(app)
        await pilot.press("enter")  # Cancel has focus: a stray Enter keeps the split
        await settle(pilot, until=lambda: app.screen is screen, what="the map again")
        assert app.project.flow.routes["/menu"].target == before
        await pilot.press("t")
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmReplaceSplit), what="the question again")
        await pilot.click("#split-replace")
        await settle(pilot, until=lambda: isinstance(app.screen, PickerScreen), what="the target picker")
        await pilot.press(*"goodbye", "enter")
        await settle(pilot, until=lambda: app.project.flow.routes["/menu"].target == "goodbye.xml")


# 5 ---------------------------------------------------------------- a route typed after the slash


def test_a_typed_route_has_one_leading_slash() -> None:
    assert route_path("//x") == "/x"
    assert route_path(" /menu ") == "/menu"
    assert route_path("menu") == "/menu"
    assert route_path("/") == "/"


async def test_route_prompt_typed_over_its_slash_adds_one_route(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen) and app.screen.rows)
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        await pilot.press("r")
        await settle(pilot, until=lambda: isinstance(app.screen, TextPrompt), what="the route prompt")
        await pilot.press(*"/x", "enter")
        await settle(pilot, until=lambda: isinstance(app.screen, PickerScreen), what="the target picker")
        await pilot.press(*"goodbye", "enter")
        await settle(pilot, until=lambda: "/x" in app.project.flow.routes, what="the route /x")
        assert "//x" not in app.project.flow.routes


# 6 --------------------------------------------------------- undo keeps the user in the routes list


async def test_undo_and_redo_of_a_route_edit_keep_the_routes_list_focused(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen) and app.screen.rows)
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        screen.routes.focus()
        screen.routes.highlighted = list(app.project.flow.routes).index("/menu")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot, until=lambda: app.screen is not screen, what="the delete question")
        await pilot.press("y")
        await settle(pilot, until=lambda: "/menu" not in app.project.flow.routes, what="the route deleted")
        assert app.focused is screen.routes
        for key in ("ctrl+z", "ctrl+y", "ctrl+z"):
            await pilot.press(key)
            await settle(pilot, what=key)
            assert app.focused is screen.routes, f"after {key}: {app.focused!r} has focus"
            assert screen.routes.highlighted is not None, f"after {key}: no route highlighted"
        assert "/menu" in app.project.flow.routes
        assert screen.routes.highlighted == list(app.project.flow.routes).index("/menu")  # the route brought back


# 7 ---------------------------------------------------------- the quit dialog says what saving does


async def test_quit_dialog_says_which_documents_are_deleted_renamed_or_new(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen) and app.screen.rows)
        app.project.delete_document("fax_receive.xml")
        app.project.rename_document("billing.xml", "bills.xml")
        app.project.create_document("fresh.xml")
        await pilot.press("ctrl+q")
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmQuitMany), what="the quit question")
        text = screen_text(app)
        assert "fax_receive.xml: deleted" in text
        assert "billing.xml: renamed to bills.xml" in text
        assert "fresh.xml: new" in text
        assert "flow.toml: changed" in text
        await pilot.press("escape")
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen))


# 8 ------------------------------------------------------- inline tables written as people write them


def test_cases_added_to_flow_toml_read_like_the_hand_written_routes(folder: Path) -> None:
    project = FlowProject.open(folder)
    project.add_route("/extra", "sales.xml")
    project.add_case("/extra", "a", "goodbye.xml")
    project.add_case("/extra", "b", "sales.xml")  # a key added to an existing inline table
    project.add_case("/menu", "7", "goodbye.xml")
    project.edit_case("/menu", "7", new_value="8")
    text = tomlkit.dumps(project.toml)
    assert (
        '"/extra" = { by = "Digits", cases = { "a" = "goodbye.xml", "b" = "sales.xml" }, default = "sales.xml" }'
        in text
    )
    assert '"0" = "operator.xml", "8" = "goodbye.xml" }, default = "/menu/speech" }' in text
    assert '"}' not in text  # no table closes against its last value
    assert project.flow.resolve("/extra", {"Digits": "b"}).document == "sales.xml"


# 10 ---------------------------------------------------- a bidi override typed is kept as typed


async def test_typed_format_characters_are_kept_in_fields_and_text(tmp_path: Path) -> None:
    app = EditorApp(gather_file(tmp_path))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot, until=lambda: app.form.fields.get("timeout") is not None, what="the Gather's form")
        field = field_input(app, "timeout")
        field.focus()
        field.value = ""
        await settle(pilot, until=lambda: field.has_focus)
        burst(app, ["a", "\u202e", "b", "\u200d", "\x9b"])  # RLO, zero-width joiner, a C1 control
        await settle(pilot, until=lambda: field.value.startswith("a") and field.value.endswith(("b", "\x9b")))
        assert field.value == "a\u202eb\u200d\x9b"
        await settle(pilot, until=lambda: gather_of(app).attrs.get("timeout") == "a\u202eb\u200d\x9b")
        await pilot.press("escape", "down")  # the Say: its text in the form's text area
        await settle(pilot, until=lambda: app.form.query(VisibleTextArea), what="the Say's text")
        area = app.form.query_one(VisibleTextArea)
        area.focus()
        await settle(pilot, until=lambda: area.has_focus)
        area.move_cursor(area.document.end)  # focus selected it all
        burst(app, ["\u202e", "x"])
        await settle(pilot, until=lambda: area.text.endswith("x"), what="the typed text")
        assert area.text == "Press 1\u202ex"
