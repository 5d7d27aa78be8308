"""Pilot tests of `twiml-editor flow.json`: the Flow view on a Studio flow, the form, adding and
linking widgets and conditions, undo, the call panel on the edited flow, and saving."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from app_helpers import SIZE, settle
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from twiml_editor.screens.studio_view import StudioCallScreen, StudioScreen
from twiml_editor.studio_app import StudioEditorApp
from twiml_editor.studio_project import StudioProject
from twiml_editor.widgets.verb_tree import VerbTree

FLOW = Path(__file__).parent / "studio" / "small_flow.json"


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    path = tmp_path / "flow.json"
    shutil.copy(FLOW, path)
    return path


def studio_screen(app: StudioEditorApp) -> StudioScreen:
    screen = app.screen
    assert isinstance(screen, StudioScreen)
    return screen


async def test_map_form_edit_undo_and_save(flow_file: Path) -> None:
    before = flow_file.read_text(encoding="utf-8")
    app = StudioEditorApp(StudioProject.open(flow_file))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, StudioScreen))
        screen = studio_screen(app)
        assert screen.rows[1].label == "incomingCall → menu  (gather-input-on-call)"
        await pilot.press("down")  # the map's cursor on menu shows its form and transitions
        await settle(pilot, lambda: screen.form.widget_name == "menu" and screen.form.keys)
        assert screen.routes.option_count == 3
        say = screen.form.input_for("say")
        assert say.value == "Hello {{trigger.call.From | default: 'caller'}}, press 1 for sales."
        assert screen.form.input_for("number_of_digits").value == "1"
        await pilot.press("enter")  # enter on the map goes into the form
        await settle(pilot, lambda: isinstance(app.focused, Input))
        assert app.focused is say
        say.value = "Press 1 {{flow.data.x}}"
        await pilot.press("enter")
        await settle(pilot, lambda: app.studio.dirty)
        assert app.studio.state("menu").properties["say"] == "Press 1 {{flow.data.x}}"
        assert app.sub_title.startswith("●")
        await pilot.press("ctrl+z")
        await settle(pilot, lambda: not app.studio.dirty)
        assert screen.form.input_for("say").value.startswith("Hello {{trigger")
        await pilot.press("ctrl+y")
        await settle(pilot, lambda: app.studio.dirty)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not app.studio.dirty)
    after = flow_file.read_text(encoding="utf-8")
    assert [a for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b] == [
        '                "say": "Hello {{trigger.call.From | default: \'caller\'}}, press 1 for sales.",'
    ]


async def burst(pilot: Pilot[None], *keys: str) -> None:
    """Queue key events back to back, as a terminal delivers keys typed faster than the app runs."""
    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        event = events.Key(key, " " if key == "space" else key if len(key) == 1 else None)
        event.set_sender(pilot.app)
        driver.send_message(event)
    await settle(pilot)


async def test_keys_typed_in_one_burst_after_enter_land_in_the_field(flow_file: Path) -> None:
    app = StudioEditorApp(StudioProject.open(flow_file))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, StudioScreen))
        screen = studio_screen(app)
        await settle(pilot, lambda: screen.form.widget_name == "Trigger")
        await burst(pilot, "down", "enter", "end", "space", "O", "k", "enter", "ctrl+s")
        await settle(pilot, lambda: "Ok" in app.studio.state("menu").properties["say"] and not app.studio.dirty)
        assert app.studio.state("menu").properties["say"].endswith("for sales. Ok")
        assert "for sales. Ok" in flow_file.read_text(encoding="utf-8")


async def test_a_bad_number_is_refused_with_its_place(flow_file: Path) -> None:
    app = StudioEditorApp(StudioProject.open(flow_file))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, StudioScreen))
        screen = studio_screen(app)
        screen.select_widget("menu")
        await settle(pilot, lambda: screen.form.widget_name == "menu" and screen.form.keys)
        field = screen.form.input_for("number_of_digits")
        field.focus()
        field.value = "1x"
        await pilot.press("enter")
        await settle(pilot, lambda: app._notifications)
        assert "not JSON at line 1, column 2" in next(iter(app._notifications)).message
        assert not app.studio.dirty


@pytest.mark.slow  # a dozen dialogs, each waited for
async def test_add_a_widget_linked_from_a_transition_and_a_condition(flow_file: Path) -> None:
    app = StudioEditorApp(StudioProject.open(flow_file))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, StudioScreen))
        screen = studio_screen(app)
        screen.select_widget("menu")
        await settle(pilot, lambda: screen.form.widget_name == "menu")
        screen.map_tree.focus()
        await pilot.press("a")
        await settle(pilot, lambda: app.screen.query("#type-picker"))
        await pilot.press(*"say-play", "enter")
        await settle(pilot, lambda: app.screen.query("#text-input"))
        prompt = app.screen.query_one("#text-input", Input)
        assert prompt.value == "say_play_1"
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen.query("#link-picker"))
        await pilot.press("down", "enter")  # the second transition: speech
        await settle(pilot, lambda: "say_play_1" in app.studio.flow.by_name and isinstance(app.screen, StudioScreen))
        assert app.studio.state("menu").transitions[1].next == "say_play_1"
        assert screen.selected == "say_play_1"
        # a condition on the split: equal_to 2 → bye
        screen.select_widget("route")
        await settle(pilot, lambda: screen.form.widget_name == "route")
        screen.map_tree.focus()
        await pilot.press("c")
        await settle(pilot, lambda: app.screen.query("#op-picker"))
        await pilot.press(*"equal_to", "enter")
        await settle(pilot, lambda: app.screen.query("#text-input"))
        await pilot.press("2", "enter")
        await settle(pilot, lambda: app.screen.query("#target-picker"))
        await pilot.press(*"bye", "enter")
        await settle(pilot, lambda: len(app.studio.state("route").transitions) == 3)
        added = app.studio.state("route").transitions[2]
        assert (added.next, added.conditions[0]["type"], added.conditions[0]["value"]) == ("bye", "equal_to", "2")
        assert screen.routes.option_count == 3
        # re-link the new condition: highlight it in the list, t, pick sales
        screen.routes.focus()
        screen.routes.highlighted = 2
        await pilot.press("t")
        await settle(pilot, lambda: app.screen.query("#target-picker"))
        await pilot.press(*"sales", "enter")
        await settle(pilot, lambda: app.studio.state("route").transitions[2].next == "sales")
        # x removes the highlighted widget; undo brings it back
        screen.select_widget("bye")
        await settle(pilot, lambda: screen.form.widget_name == "bye")
        screen.map_tree.focus()
        await pilot.press("x")
        await settle(pilot, lambda: "bye" not in app.studio.flow.by_name)
        assert app.studio.state("menu").transitions[2].next is None
        await pilot.press("ctrl+z")
        await settle(pilot, lambda: "bye" in app.studio.flow.by_name)
        assert app.studio.state("menu").transitions[2].next == "bye"
    data = json.loads(flow_file.read_text(encoding="utf-8"))
    assert len(data["states"]) == 5  # nothing saved


async def test_call_panel_runs_the_edited_flow(flow_file: Path) -> None:
    app = StudioEditorApp(StudioProject.open(flow_file))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, StudioScreen))
        app.studio.set_property("sales", "say", "Edited sales line.")
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, StudioCallScreen))
        call = app.screen
        assert isinstance(call, StudioCallScreen)
        await settle(pilot, lambda: call.session is not None and call.session.waiting is not None)
        assert any("press 1 for sales" in line for line in call.transcript)
        # the tree shows the TwiML the menu widget answered with, the running verb under the cursor
        tree = call.query_one("#call-tree", VerbTree)
        await settle(pilot, lambda: tree.cursor_node is not None and tree.cursor_node.data is not None)
        assert (call.document_name or "").endswith("#menu")
        assert tree.cursor_node is not None and tree.cursor_node.data is not None
        assert tree.cursor_node.data.name in ("Gather", "Say")
        await pilot.press("1", "enter")
        await settle(pilot, lambda: any("Edited sales line." in line for line in call.transcript))
        assert any("route: '1' equal_to '1' -> sales" in line for line in call.transcript)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, StudioScreen))


async def test_quit_with_unsaved_changes_asks(flow_file: Path) -> None:
    from twiml_editor.screens.confirm_many import ConfirmQuitMany

    before = flow_file.read_text(encoding="utf-8")
    app = StudioEditorApp(StudioProject.open(flow_file))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, StudioScreen))
        app.studio.rename_widget("bye", "goodbye")
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmQuitMany))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, StudioScreen))
    assert flow_file.read_text(encoding="utf-8") == before


def test_bad_json_exits_with_its_place_and_leaves_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from twiml_editor.__main__ import run as main

    path = tmp_path / "bad.json"
    text = '{\n  "states": [\n    {"name": "x",}\n  ]\n}\n'
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main([str(path)])
    assert exited.value.code == 2
    assert f"{path}:3:18: not JSON: expected a property name in double quotes" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == text


async def test_a_widget_added_in_one_burst_of_keys(flow_file: Path) -> None:
    """`a`, a type, Enter, a name, Enter, Enter in one read of the terminal: each key reaches the
    dialog the key before it opened (the type picker, the name prompt, the link picker), as if
    typed slowly; the letters used to reach the map, which `a` had left before its picker existed."""
    app = StudioEditorApp(StudioProject.open(flow_file))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, StudioScreen))
        screen = studio_screen(app)
        await settle(pilot, lambda: screen.form.widget_name == "Trigger")
        # ctrl+u clears the proposed name (the prompt leaves the cursor after it)
        await burst(pilot, "a", *"say-play", "enter", "ctrl+u", *"greeting", "enter", "enter")
        await settle(pilot, lambda: "greeting" in app.studio.flow.by_name, "the widget added")
        assert app.studio.flow.by_name["greeting"].type == "say-play"
        assert len(app.screen_stack) == 1


def test_a_save_refuses_a_file_another_program_changed(flow_file: Path) -> None:
    from twiml_editor.disk_check import ChangedOnDisk

    project = StudioProject.open(flow_file)
    project.rename_widget("bye", "goodbye")
    other = flow_file.read_text(encoding="utf-8").replace('"bye"', '"farewell"')
    flow_file.write_text(other, encoding="utf-8")
    with pytest.raises(ChangedOnDisk):
        project.save()
    assert flow_file.read_text(encoding="utf-8") == other  # nothing written
    project.save(overwrite=True)
    assert '"goodbye"' in flow_file.read_text(encoding="utf-8")
    project.rename_widget("goodbye", "adieu")
    project.save()  # its own last save is not another program's change
    assert '"adieu"' in flow_file.read_text(encoding="utf-8")


async def test_ctrl_s_and_quit_ask_before_overwriting_another_programs_change(flow_file: Path) -> None:
    from twiml_editor.screens.file_dialogs import DiskChanged

    app = StudioEditorApp(StudioProject.open(flow_file))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, StudioScreen))
        app.studio.rename_widget("bye", "goodbye")
        other = flow_file.read_text(encoding="utf-8").replace('"bye"', '"farewell"')
        flow_file.write_text(other, encoding="utf-8")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, DiskChanged), what="the changed-on-disk dialog")
        await pilot.press("escape")  # cancel: nothing written, the edit kept
        await settle(pilot, lambda: isinstance(app.screen, StudioScreen))
        assert flow_file.read_text(encoding="utf-8") == other and app.studio.dirty
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: app.screen.query("#quit-save"), what="the quit question")
        await pilot.click("#quit-save")
        await settle(pilot, lambda: isinstance(app.screen, DiskChanged), what="the changed-on-disk dialog")
        await pilot.click("#disk-overwrite")
        await settle(pilot, lambda: not app.is_running, what="the exit")
    assert '"goodbye"' in flow_file.read_text(encoding="utf-8")
