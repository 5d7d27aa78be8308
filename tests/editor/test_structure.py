"""The editor's structure claims, as tests: editing keys are the document screen's bindings (not
the app's), an edit goes from the widget to the screen and the document without passing through
the app, and a contract in pyproject.toml keeps the editor's modules free of import cycles."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import tomllib
from pathlib import Path, PurePath
from typing import Any, ClassVar

from app_helpers import SIZE, field_input, select, settle
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message
from textual.widget import Widget

import twiml_editor
from twiml_editor.app import EditorApp
from twiml_editor.flow_app import FlowEditorApp
from twiml_editor.keymap import ACTIONS
from twiml_editor.screens.document_screen import DocumentScreen
from twiml_editor.screens.flow_view import FlowScreen
from twiml_editor.studio_app import StudioEditorApp

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
    assert {"save", "save_as"} <= screen_actions  # the walk from key to saved file: screen, document, writer
    assert {"open", "help", "command_palette", "request_quit"} <= app_actions
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


class Watched:
    """Notes the editor's messages that reach the app and where each action runs."""

    messages_seen: list[str]
    actions_run: list[tuple[str, str]]

    def _watch(self) -> None:
        self.messages_seen = []
        self.actions_run = []

    def _note_message(self, message: Message) -> None:
        if type(message).__module__.startswith("twiml_editor"):
            self.messages_seen.append(type(message).__qualname__)

    def _note_action(self, namespace: object, action_name: str) -> None:
        self.actions_run.append((type(namespace).__name__, action_name))

    def ran_on_app(self) -> list[str]:
        return [name for where, name in self.actions_run if where == type(self).__name__]


class CountingApp(Watched, EditorApp):
    """The editor, noting the editor's messages that reach the app and the actions it runs."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [EDITOR / name for name in ("app.tcss", "dialogs.tcss")]

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._watch()

    async def _on_message(self, message: Message) -> None:
        self._note_message(message)
        await super()._on_message(message)

    async def _dispatch_action(self, namespace: DOMNode, action_name: str, params: Any) -> bool:
        self._note_action(namespace, action_name)
        return await super()._dispatch_action(namespace, action_name, params)


class CountingFlowApp(Watched, FlowEditorApp):
    """The flow editor, watched the same way."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [EDITOR / name for name in ("app.tcss", "dialogs.tcss", "flow.tcss")]

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self._watch()

    async def _on_message(self, message: Message) -> None:
        self._note_message(message)
        await super()._on_message(message)

    async def _dispatch_action(self, namespace: DOMNode, action_name: str, params: Any) -> bool:
        self._note_action(namespace, action_name)
        return await super()._dispatch_action(namespace, action_name, params)


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
        await settle(pilot, lambda: not app.workers)
        assert ("DocumentScreen", "save") in app.actions_run
    assert app.messages_seen == []  # no intent of the editor reached the app
    assert app.ran_on_app() == []  # no action ran on the app: the screen saved
    assert path.read_text(encoding="utf-8") == XML.replace('length="1"', 'length="3"')


async def test_the_flow_saves_from_its_screens_without_the_app(folder: Path) -> None:
    """ctrl+s on the map and on a document of the flow: each screen saves the whole flow (all
    or nothing), with no action of the app and no message to it."""
    app = CountingFlowApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FlowScreen)
        name = app.project.name_of(app.doc.file_path)
        assert name is not None
        doc = app.project.document(name)
        app.project.rename_document(name, "renamed.xml")  # a flow.toml change and a file move
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: (folder / "renamed.xml").is_file() and not app.project.dirty_names())
        assert not (folder / name).exists() and "renamed.xml" in (folder / "flow.toml").read_text(encoding="utf-8")
        assert ("FlowScreen", "save") in app.actions_run
        app.open_flow_document("renamed.xml")
        await settle(pilot, lambda: isinstance(app.screen, DocumentScreen))
        app.document_screen.after_change(doc.set_attr(doc.root, "saved-by", "screen"))
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not doc.dirty)
        await settle(pilot, lambda: not app.workers)
        assert 'saved-by="screen"' in (folder / "renamed.xml").read_text(encoding="utf-8")
        assert ("FlowDocumentScreen", "save") in app.actions_run
    assert app.messages_seen == []
    assert app.ran_on_app() == []


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


def _editor_modules() -> list[str]:
    return [
        m.name
        for m in pkgutil.walk_packages(twiml_editor.__path__, "twiml_editor.")
        if m.name != "twiml_editor.__main__"
    ]


def _editor_messages() -> list[type[Message]]:
    found: dict[str, type[Message]] = {}
    for name in _editor_modules():
        module = importlib.import_module(name)
        for _, outer in inspect.getmembers(module, inspect.isclass):
            if outer.__module__ != name:
                continue
            if issubclass(outer, Message):
                found[f"{name}.{outer.__qualname__}"] = outer
            for _, inner in inspect.getmembers(outer, inspect.isclass):
                if issubclass(inner, Message) and inner.__module__ == name:
                    found[f"{name}.{inner.__qualname__}"] = inner
    return list(found.values())


def test_every_message_is_defined_in_the_widget_that_posts_it_with_control() -> None:
    """Textual's convention (`Tree.NodeSelected`): a message is a class of the widget that posts
    it, its `control` is that widget, and its handlers are named `on_<widget>_<message>`."""
    assert not (EDITOR / "widgets" / "messages.py").exists()
    messages = _editor_messages()
    assert len(messages) >= 8, [m.__qualname__ for m in messages]
    sources = "\n".join(path.read_text(encoding="utf-8") for path in EDITOR.rglob("*.py"))
    for message in messages:
        outer_name, _, inner = message.__qualname__.partition(".")
        assert inner, f"{message.__qualname__} is not defined in a widget"
        outer = getattr(importlib.import_module(message.__module__), outer_name)
        assert issubclass(outer, Widget), message.__qualname__
        assert "control" in vars(message), f"{message.__qualname__} has no control"
        assert inspect.signature(message).parameters, message.__qualname__
        first = next(iter(inspect.signature(message).parameters.values()))
        assert first.annotation in (outer_name, outer), f"{message.__qualname__}: its first argument is the widget"
        assert f"def {message.handler_name}(" in sources, f"nobody handles {message.__qualname__} by its name"
        assert f"on({message.__qualname__}" not in sources, (
            f"{message.__qualname__}: handle it as {message.handler_name}"
        )


def test_widgets_post_only_their_own_messages() -> None:
    """`self.post_message(self.X(self, ...))`: a widget posts a message of its own class, naming
    itself; Textual's events (a key forwarded to a field) are the only others."""
    for path in EDITOR.rglob("*.py"):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "post_message"):
                continue
            [made] = call.args
            assert isinstance(made, ast.Call), (path.name, call.lineno)
            func = made.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "events":
                continue
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            assert isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name), where
            assert func.value.id == "self", f"{where} posts another widget's message"
            assert made.args and isinstance(made.args[0], ast.Name) and made.args[0].id == "self", where


async def test_intent_messages_name_the_widget_that_posted_them(tmp_path: Path) -> None:
    from twiml_editor.widgets.attr_field import AttrField
    from twiml_editor.widgets.attribute_form import AttributeForm, BodyEditor
    from twiml_editor.widgets.problems import ProblemsPanel
    from twiml_editor.widgets.verb_tree import VerbTree

    path = tmp_path / "flow.xml"
    path.write_text(XML, encoding="utf-8")
    app = CountingApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        say = app.doc.root.children[0]
        assert say is not None
        assert AttributeForm.AttributeAdded(app.form, say, "voice", "man").control is app.form
        assert ProblemsPanel.NodeChosen(app.problems, say).control is app.problems
        assert VerbTree.EditRequested(app.tree).control is app.tree
        await select(app, pilot, say)
        app.document_screen.ensure_form()
        await settle(pilot, lambda: bool(app.form.query(BodyEditor)) and bool(app.form.query(AttrField)))
        field = app.form.fields["voice"]
        assert AttrField.Edited(field, say, "voice", "man").control is field
        assert AttrField.Done(field).control is field
        editor = app.form.query_one(BodyEditor)
        assert BodyEditor.TextEdited(editor, say, "Hi").control is editor
        assert BodyEditor.Done(editor).control is editor
        editor.focus()
        editor.load_text("Goodbye")  # the editor posts TextEdited; the screen applies it
        await settle(pilot, lambda: "Goodbye" in app.doc.to_xml())
        await pilot.press("enter")  # BodyEditor.Done: back to the tree
        await settle(pilot, lambda: app.tree.has_focus)
    assert app.messages_seen == []
