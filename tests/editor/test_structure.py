"""The editor's structure claims, as tests: editing keys are the document screen's bindings (not
the app's), an edit goes from the widget to the screen and the document without passing through
the app, and a contract in pyproject.toml keeps the editor's modules free of import cycles."""

from __future__ import annotations

import tomllib
from pathlib import Path, PurePath
from typing import ClassVar

from app_helpers import SIZE, field_input, select, settle
from textual import on
from textual.binding import Binding

from twiml_editor.app import EditorApp
from twiml_editor.flow_app import FlowEditorApp
from twiml_editor.keymap import ACTIONS
from twiml_editor.screens.document_screen import DocumentScreen
from twiml_editor.screens.flow_view import FlowScreen
from twiml_editor.studio_app import StudioEditorApp
from twiml_editor.widgets.messages import AttributeEdited

ROOT = Path(__file__).resolve().parents[2]
EDITOR = ROOT / "editor"

XML = """<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say voice="alice">Hello</Say>
  <Pause length="1"/>
</Response>
"""


def _actions(bindings: object) -> set[str]:
    assert isinstance(bindings, list)
    return {b.action for b in bindings if isinstance(b, Binding)}


def test_editing_keys_are_the_document_screens_bindings_and_the_apps_are_files_help_palette() -> None:
    screen_actions = _actions(DocumentScreen.BINDINGS)
    app_actions = _actions(EditorApp.BINDINGS)
    assert {"add_child", "delete", "paste", "undo", "move_up", "apply_fix", "switch_pane"} <= screen_actions
    assert {"save", "open", "help", "command_palette", "request_quit"} <= app_actions
    assert not screen_actions & app_actions
    assert screen_actions | app_actions >= {a.action for a in ACTIONS}
    for name in screen_actions:  # the app has no editing actions left to forward
        assert not hasattr(EditorApp, f"action_{name}"), name


def test_no_app_switches_keys_off_per_screen() -> None:
    """Keys of a screen that is not on top do not fire: the flow and Studio apps need no
    `check_action` of their own (the app's only rule: its keys wait while a dialog is open)."""
    for app_class in (FlowEditorApp, StudioEditorApp):
        assert app_class.check_action is EditorApp.check_action
        assert not hasattr(app_class, "FLOW_SCREEN_ACTIONS") and not hasattr(app_class, "STUDIO_ACTIONS")


def test_a_contract_keeps_the_editor_free_of_import_cycles() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert any(c["type"] == "acyclic_siblings" and c["ancestors"] == ["twiml_editor"] for c in contracts)
    [layers] = [c for c in contracts if c["type"] == "layers" and c.get("containers") == ["twiml_editor"]]
    assert layers["layers"].index("app") < layers["layers"].index("screens")  # screens never import the app


class CountingApp(EditorApp):
    """The editor, counting the edit intents that reach the app."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [EDITOR / name for name in ("app.tcss", "dialogs.tcss")]

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.intents_seen = 0

    @on(AttributeEdited)
    def _seen(self, event: AttributeEdited) -> None:
        self.intents_seen += 1


async def test_an_edit_goes_key_screen_document_writer_without_the_app(tmp_path: Path) -> None:
    path = tmp_path / "flow.xml"
    path.write_text(XML, encoding="utf-8")
    app = CountingApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DocumentScreen) and app.document_screen is screen
        pause = app.doc.root.children[1]
        await select(app, pilot, pause)
        await pilot.press("enter")  # the tree's edit request: the form's first field
        await settle(pilot, lambda: field_input(app, "length").has_focus)
        field_input(app, "length").value = "3"
        await settle(pilot, lambda: pause.attrs.get("length") == "3")
        await pilot.press("escape")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not app.doc.dirty)
    assert app.intents_seen == 0
    assert path.read_text(encoding="utf-8") == XML.replace('length="1"', 'length="3"')


async def test_a_structure_key_runs_the_screens_action(tmp_path: Path) -> None:
    path = tmp_path / "flow.xml"
    path.write_text(XML, encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.document_screen
        calls: list[str] = []
        original = screen.action_delete

        def delete() -> None:
            calls.append("delete")
            original()

        screen.action_delete = delete  # type: ignore[method-assign]
        await select(app, pilot, app.doc.root.children[1])
        await pilot.press("delete")
        await settle(pilot, lambda: len(app.doc.root.children) == 1)
        assert calls == ["delete"]


async def test_on_the_flow_map_the_document_keys_do_not_fire(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FlowScreen) and len(app.screen_stack) == 1
        before = app.doc.version
        await pilot.press("delete", "ctrl+d", "alt+down")  # a document screen's keys
        await settle(pilot)
        assert isinstance(app.screen, FlowScreen) and app.doc.version == before
        await pilot.press("f6")  # the document screen, pushed over the map
        await settle(pilot, lambda: isinstance(app.screen, DocumentScreen))
        assert app.screen_stack[0] is not app.screen and isinstance(app.screen_stack[0], FlowScreen)


def test_the_confirmations_share_one_dialog_base_and_no_letter_answers_them() -> None:
    from twiml_editor.screens.confirm import ConfirmOverwrite, ConfirmRestore, ConfirmUnsaved
    from twiml_editor.screens.confirm_many import ConfirmDeleteUsed, ConfirmQuitMany
    from twiml_editor.screens.dialog import ChoiceDialog
    from twiml_editor.screens.file_dialogs import ConfirmReadOnly, DiskChanged

    no_letters = (ConfirmUnsaved, ConfirmOverwrite, ConfirmRestore, ConfirmQuitMany, DiskChanged, ConfirmReadOnly)
    for dialog in (*no_letters, ConfirmDeleteUsed):
        assert issubclass(dialog, ChoiceDialog), dialog.__name__
    for dialog in no_letters:
        keys = {key for key, _ in dialog._merge_bindings().key_to_bindings.items()}
        assert "escape" in keys and not [k for k in keys if len(k) == 1], (dialog.__name__, keys)
